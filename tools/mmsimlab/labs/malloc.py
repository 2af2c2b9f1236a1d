"""Life of a malloc: from a library call to pages in RAM and back."""
from ..lab import Delta, Direction, Number, Status, Step, Vmstat

NAME = 'malloc'
TITLE = 'life of a malloc: address space first, pages on first touch, munmap on free'
OPTIONS = []
PARAMS = {'size': [1, 2, 3, 4, 6, 8, 12, 16]}


def DERIVED(p):
    return {'size_kb': p['size'] * 1024}


STEPS = [
    Step('a program starts',
         say='We start a program (pid 1000): its text, data, heap, libraries and stack are mapped.',
         do=['sim: spawn app pid=1000'],
         show=[Status(1000, 'VmSize'), Status(1000, 'VmRSS')]),
    Step('malloc({size} MiB)',
         say='The program calls malloc({size} MiB). That is above glibc\'s mmap threshold '
             '(128 KiB), so malloc asks the kernel for a mapping of its own.',
         do=['1000: malloc {size}M -> buf'],
         ask=[Number('By how many kB does VmSize grow?', Delta(Status(1000, 'VmSize')),
                     expect=lambda p: p['size_kb'] + 4, tol=0,
                     explain='do_mmap() only creates a VMA: {size} MiB plus the page that holds '
                             "malloc's chunk header (the size rounded up to pages)."),
              Number('By how many kB does VmRSS grow?', Delta(Status(1000, 'VmRSS')),
                     expect=4, tol=0,
                     explain='Only the page malloc writes its chunk header into is touched; '
                             'do_anonymous_page() allocates it on that first store. The rest is '
                             'address space with no memory behind it yet.')]),
    Step('the program writes the buffer',
         say='The program fills its {size} MiB buffer.',
         do=['1000: write {buf} len={size}M'],
         ask=[Number('How many minor page faults does that take?', Delta(Vmstat('pgfault')),
                     expect=lambda p: p['size'] * 256, tol=2,
                     explain='One fault per 4 KiB page not touched before: handle_mm_fault() '
                             'walks to a missing page table entry and do_anonymous_page() fills it.'),
              Number('By how many kB does VmRSS grow?', Delta(Status(1000, 'VmRSS')),
                     expect=lambda p: p['size_kb'], tol=4,
                     explain='Every page written is now resident and counted in RssAnon '
                             '(add_mm_counter() at each fault).')]),
    Step('free()',
         say='The program frees the buffer. A chunk that came from mmap goes back with munmap.',
         do=['1000: free {buf}'],
         ask=[Direction('Does VmRSS go up, down or stay the same?', Delta(Status(1000, 'VmRSS')),
                        expect='down',
                        explain='free() calls munmap(); do_vmi_munmap() removes the VMA, '
                                'zap_pte_range() unmaps each page and the pages go back to the '
                                'buddy allocator.'),
              Number('By how many kB does VmSize shrink (a negative number)?', Delta(Status(1000, 'VmSize')),
                     expect=lambda p: -p['size_kb'] - 4, tol=0,
                     explain='vms_complete_munmap_vmas() removes the whole mapping, header page included.')],
         show=[Status(1000, 'VmRSS')]),
]
