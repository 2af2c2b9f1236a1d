"""hugetlb: a pool of huge pages, reserved at mmap, taken at fault."""
from ..lab import Choice, Meminfo, Number, Outcome, Step

NAME = 'hugetlb'
TITLE = 'hugetlb: the pool, reservations at mmap, faults that cannot fail'
OPTIONS = ['--machine=small']
PARAMS = {'pool': [8, 10, 16], 'map': [4, 6, 8], 'touch': [1, 2, 3]}


def DERIVED(p):
    return {'map_mb': p['map'] * 2, 'touch_mb': p['touch'] * 2, 'big_mb': (p['pool'] + 2) * 2}


STEPS = [
    Step('a pool of {pool} huge pages',
         do=['> proc/sys/vm/nr_hugepages {pool}'],
         ask=[Number('What is Hugetlb in meminfo (kB)?', Meminfo('Hugetlb'),
                     expect=lambda p: p['pool'] * 2048, tol=0,
                     explain='set_max_huge_pages() took {pool} 2 MiB pages from the buddy '
                             'allocator (alloc_pool_huge_folio()); they leave MemFree for good.')]),
    Step('mmap {map_mb} MiB with MAP_HUGETLB',
         do=['sim: spawn db pid=500', '500: mmap {map_mb}M hugetlb name=buf'],
         ask=[Number('What is HugePages_Rsvd?', Meminfo('HugePages_Rsvd'),
                     expect=lambda p: p['map'], tol=0,
                     explain='hugetlb_reserve_pages() reserves a page for every huge page of the '
                             'mapping at mmap time, so later faults cannot fail.')]),
    Step('touch {touch_mb} MiB',
         do=['500: write buf len={touch_mb}M'],
         ask=[Number('What is HugePages_Free?', Meminfo('HugePages_Free'),
                     expect=lambda p: p['pool'] - p['touch'], tol=0,
                     explain='hugetlb_no_page() takes a reserved page for each fault '
                             '(alloc_hugetlb_folio()): reserved pages still count as free.')],
         show=[Meminfo('HugePages_Rsvd')]),
    Step('ask for more than the pool holds',
         do=['500?: mmap {big_mb}M hugetlb name=big'],
         ask=[Choice('Does the {big_mb} MiB mapping succeed (ok) or fail (ENOMEM)?', Outcome(), ['ok', 'ENOMEM'],
                     expect='ENOMEM',
                     explain='hugetlb_acct_memory() cannot promise the pages: the reservation, '
                             'and so mmap, fails.')],
         show=[Meminfo('HugePages_Free')]),
]
