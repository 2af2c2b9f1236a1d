"""Life of a page: allocated on a fault, on the LRU, out to swap, back, freed."""
from ..lab import Delta, Direction, Meminfo, Number, Status, Step, Vmstat

NAME = 'page'
TITLE = 'life of a page: fault, LRU, swap cache, swap-in, free'
OPTIONS = []
PARAMS = {'n': [8, 12, 16, 20, 24, 32]}


def DERIVED(p):
    return {'kb': p['n'] * 4}


STEPS = [
    Step('{n} pages are born',
         say='A program (pid 1000) maps {n} pages ({kb} KiB) and writes each once.',
         do=['sim: spawn app pid=1000', '1000: mmap {kb}K name=p', '1000: write p'],
         ask=[Number('By how many kB does Inactive(anon) grow?', Delta(Meminfo('Inactive(anon)')),
                     expect=lambda p: p['kb'] + 20, tol=0,
                     explain='do_anonymous_page() adds each new page with folio_add_lru_vma(); new '
                             'anonymous pages start on the inactive list and must earn promotion. '
                             "(The other 20 kB are the program's own pages.)"),
              Direction('Does MemFree go down?', Delta(Meminfo('MemFree')), expect='down',
                        explain='It drops, and by more than {kb} kB: the page allocator refills '
                                "this CPU's per-cpu list in a batch (rmqueue_bulk()) and MemFree "
                                'counts only pages in the buddy lists.')],
         show=[Status(1000, 'VmRSS')]),
    Step('page them out',
         say='madvise(MADV_PAGEOUT) asks the kernel to reclaim the pages now.',
         do=['1000: madvise p pageout'],
         ask=[Number("What is the process's VmSwap (kB)?", Status(1000, 'VmSwap'),
                     expect=lambda p: p['kb'], tol=0,
                     explain='shrink_folio_list() gave each page a swap slot (folio_alloc_swap()), '
                             'started the write (swap_writeout()) and replaced the page table entry '
                             'with a swap entry (try_to_unmap()).'),
              Number('What is SwapCached in meminfo (kB)?', Meminfo('SwapCached'),
                     expect=lambda p: p['kb'], tol=0,
                     explain='folio_alloc_swap() also put each page in the swap cache, where it stays '
                             'until reclaim frees it: memory that is also on disk.')],
         show=[Vmstat('pswpout')]),
    Step('touch them again',
         say='The program reads its {n} pages.',
         do=['sim: tick 1s', '1000: read p'],
         ask=[Number('How many major faults (pgmajfault) does that take?', Delta(Vmstat('pgmajfault')),
                     expect=0,
                     explain='do_swap_page() finds each page in the swap cache '
                             '(swap_cache_get_folio()) and maps it again without any disk read: '
                             'minor faults.')],
         show=[Status(1000, 'VmRSS'), Status(1000, 'VmSwap'), Vmstat('pswpin')]),
    Step('the program exits',
         do=['1000: exit'],
         ask=[Number('What is SwapCached now (kB)?', Meminfo('SwapCached'), expect=0,
                     explain='zap_pte_range() frees each page and free_swap_and_cache() its swap '
                             'slot, so the swap cache copies go too.'),
              Direction('Does MemFree go up?', Delta(Meminfo('MemFree')), expect='same',
                        explain='Freed order-0 pages go to the per-cpu lists first '
                                '(free_unref_folios()), which MemFree does not count, until a '
                                'list passes its high mark or is drained.')]),
    Step('drain the per-cpu lists',
         do=['sim: drain_pages'],
         ask=[Direction('Does MemFree go up now?', Delta(Meminfo('MemFree')), expect='up',
                        explain='drain_all_pages() returns every per-cpu page to the buddy lists '
                                '(free_pcppages_bulk()), where MemFree counts them.')],
         show=[Meminfo('MemFree')]),
]
