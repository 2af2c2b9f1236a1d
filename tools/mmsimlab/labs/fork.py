"""fork(2): the child shares every page with its parent until one of them writes."""
from ..lab import Delta, Direction, Meminfo, Number, Rollup, Status, Step, Vmstat

NAME = 'fork'
TITLE = 'fork and copy-on-write: who owns a page after fork'
OPTIONS = []
PARAMS = {'size': [64, 96, 128, 160, 192, 256], 'cow': [8, 16, 24, 32, 40]}


def DERIVED(p):
    return {'size_kb': p['size'] * 1024, 'cow_kb': p['cow'] * 1024, 'size_pages': p['size'] * 256}


STEPS = [
    Step('a process with {size} MiB of its own',
         say='We start a program (pid 1000), map {size} MiB of anonymous memory and write to all of it.',
         do=['sim: spawn web pid=1000', '1000: mmap {size}M name=heap', '1000: write heap'],
         ask=[Number('How many page faults does writing {size} MiB take?', Delta(Vmstat('pgfault')),
                     expect=lambda p: p['size_pages'], tol=16,
                     explain='Each first store to a page traps into handle_mm_fault(), and '
                             'do_anonymous_page() allocates one zeroed page for it: one fault per 4 KiB.')],
         show=[Status(1000, 'VmRSS')]),
    Step('fork',
         say='The process forks (pid 1001). dup_mmap() copies the VMAs and the page tables, '
             'not the pages: both now map the same {size} MiB, write-protected.',
         do=['1000: fork pid=1001'],
         ask=[Direction('Does MemFree go up, down or stay the same?', Delta(Meminfo('MemFree')), expect='down',
                        explain='It drops a little, not by {size} MiB: copy_page_range() copies page '
                                'tables and the child gets a task_struct, an mm_struct and VMAs from '
                                'the slab, but no data page is copied.'),
              Number("What is the parent's Pss now (kB)?", Rollup(1000, 'Pss'),
                     expect=lambda p: p['size_kb'] // 2, tol=64,
                     explain='Pss divides each page by the number of processes mapping it '
                             '(smaps_account() uses the page mapcount): {size} MiB shared by two '
                             'counts half for each.')],
         show=[Rollup(1000, 'Rss'), Rollup(1001, 'Rss'), Meminfo('AnonPages')]),
    Step('the child writes {cow} MiB',
         say='The child writes the first {cow} MiB of the heap. Each store hits a '
             'write-protected page table entry.',
         do=['1001: write heap len={cow}M'],
         ask=[Number('By how many kB does AnonPages in meminfo grow?', Delta(Meminfo('AnonPages')),
                     expect=lambda p: p['cow_kb'], tol=16,
                     explain='do_wp_page() sees a page mapped twice and wp_page_copy() gives the '
                             'writer a private copy: one new page per page written.'),
              Number("What is the child's Private_Dirty (kB)?", Rollup(1001, 'Private_Dirty'),
                     expect=lambda p: p['cow_kb'], tol=64,
                     explain='The copies are mapped by the child alone, so smaps_account() counts them '
                             'as private; the rest of the heap is still Shared_Dirty.')],
         show=[Rollup(1001, 'Pss'), Rollup(1000, 'Pss')]),
    Step('the child exits',
         say='The child exits: exit_mmap() unmaps everything it had.',
         do=['1001: exit'],
         ask=[Number("What is the parent's Pss now (kB)?", Rollup(1000, 'Pss'),
                     expect=lambda p: p['size_kb'], tol=64,
                     explain='Every page is mapped once again; Pss equals Rss. The parent\'s '
                             'next write to a page still takes a write-protect fault, but '
                             'do_wp_page() reuses the page (wp_can_reuse_anon_folio()) instead of copying.')],
         show=[Meminfo('AnonPages')]),
]
