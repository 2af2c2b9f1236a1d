"""MGLRU: generations, aging by page-table walks, eviction of the oldest."""
from ..lab import Delta, Meminfo, Number, Status, Step, Vmstat

NAME = 'mglru'
TITLE = 'the multi-generational LRU: hot pages move up, cold ones are evicted'
OPTIONS = ['--machine=small']
PARAMS = {'hot': [64, 128, 192], 'cold': [64, 128, 192]}


def DERIVED(p):
    return {'hot_kb': p['hot'] * 1024, 'cold_kb': p['cold'] * 1024, 'gen': 'sys/kernel/debug/lru_gen'}

STEPS = [
    Step('MGLRU on, a hot and a cold region',
         say='We switch MGLRU on; a program (pid 2000) writes {cold} MiB it will not touch again '
             '(cold), then {hot} MiB it keeps using (hot).',
         do=['> sys/kernel/mm/lru_gen/enabled y', 'sim: spawn app pid=2000',
             '2000: mmap {hot}M name=hot', '2000: mmap {cold}M name=cold', '2000: write cold', '2000: write hot'],
         show=[Meminfo('Active(anon)'), Meminfo('Inactive(anon)')],
         explain='MGLRU counts its two youngest generations as active (lru_gen_add_folio() puts '
                 'new pages in the youngest but one).'),
    Step('age, use the hot pages, age again',
         do=['sim: tick 1s', '> {gen} + 1 0 3', '2000: read hot', 'sim: tick 1s', '> {gen} + 1 0 4'],
         show=[Meminfo('Active(anon)')],
         explain='Each aging step (try_to_inc_max_seq()) walks the page tables '
                 '(walk_mm()) and moves pages found accessed into the new youngest generation: '
                 'hot moves up, cold stays behind.'),
    Step('evict the two oldest generations',
         do=['> {gen} - 1 0 3'],
         ask=[Number("What is the program's VmSwap (kB)?", Status(2000, 'VmSwap'),
                     expect=lambda p: p['cold_kb'] + 20, tol=64,
                     explain='evict_folios() takes pages from the oldest generations only: the '
                             "cold region and the program's own untouched pages go to swap, the "
                             'hot region stays.'),
              Number('How many pages did proactive reclaim scan (pgscan_proactive)?',
                     Delta(Vmstat('pgscan_proactive')),
                     explain='Writes to lru_gen run run_cmd() -> run_eviction(), counted as '
                             'proactive reclaim.')],
         show=[Status(2000, 'VmRSS')]),
]
