"""Copy-on-write edge cases: the zero page, reuse after the sharer exits, read-only sharing."""
from ..lab import Choice, Delta, Meminfo, Number, Status, Step

NAME = 'cow'
TITLE = 'copy-on-write edge cases: zero page, reuse, read faults after fork'
OPTIONS = []
PARAMS = {'size': [32, 48, 64, 96, 128], 'part': [4, 8, 12, 16]}


def DERIVED(p):
    return {'size_kb': p['size'] * 1024, 'part_kb': p['part'] * 1024}


STEPS = [
    Step('read before write',
         say='A program (pid 1000) maps {size} MiB and only reads it.',
         do=['sim: spawn app pid=1000', '1000: mmap {size}M name=buf', '1000: read buf'],
         ask=[Number('By how many kB does AnonPages grow?', Delta(Meminfo('AnonPages')),
                     expect=20, tol=0,
                     explain='A read fault on never-written anonymous memory maps the shared zero '
                             'page (do_anonymous_page() with my_zero_pfn()): no memory is '
                             "allocated. (The 20 kB are the new program's own pages.)")],
         show=[Status(1000, 'VmRSS'), Status(1000, 'VmPTE')]),
    Step('write the first {part} MiB',
         do=['1000: write buf len={part}M'],
         ask=[Number('By how many kB does AnonPages grow?', Delta(Meminfo('AnonPages')),
                     expect=lambda p: p['part_kb'], tol=0,
                     explain='A write to a zero-page mapping is a copy-on-write fault: do_wp_page() '
                             'sees the zero page and wp_page_copy() allocates a fresh zeroed page.')]),
    Step('fork, then the parent reads',
         do=['1000: fork pid=1001', '1000: read buf len={part}M'],
         ask=[Number('By how many kB does AnonPages grow?', Delta(Meminfo('AnonPages')),
                     expect=0, tol=0,
                     explain='Reads never copy: both processes map the same pages read-only after '
                             'copy_present_pte() write-protected them.')]),
    Step('the child exits, then the parent writes',
         do=['1001: exit', '1000: write buf len={part}M'],
         ask=[Number('By how many kB does AnonPages grow?', Delta(Meminfo('AnonPages')),
                     expect=0, tol=0,
                     explain='Each write still faults (the entries are write-protected), but '
                             'do_wp_page() finds the page mapped once and wp_can_reuse_anon_folio() '
                             'lets the parent keep it: no copy.')]),
    Step('fork again; the child writes, then the parent writes',
         do=['1000: fork pid=1002', '1002: write buf len={part}M', '1000: write buf len={part}M'],
         ask=[Choice('Who got new pages: the child, the parent, or both?',
                     Delta(Meminfo('AnonPages')), ['child', 'parent', 'both'], expect='child',
                     pick=lambda v, p: 'both' if v >= 2 * p['part_kb'] else 'child' if v > 0 else 'parent',
                     explain='The child copies each page it writes (wp_page_copy()); after that '
                             'the parent is the only mapper of its originals, so its own writes '
                             'reuse them (wp_can_reuse_anon_folio()). AnonPages grew by one copy.')],
         show=[Meminfo('AnonPages')]),
]
