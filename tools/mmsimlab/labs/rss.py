"""VSZ, RSS, PSS and USS: four answers to "how much memory does it use?"."""
from ..lab import Delta, Number, Rollup, Status, Step, Sum

NAME = 'rss'
TITLE = 'VSZ, RSS, PSS, USS: what each counts when two processes share a file'
OPTIONS = []
PARAMS = {'shared': [8, 16, 24, 32], 'own': [4, 8, 12], 'extra': [64, 128, 256]}


def DERIVED(p):
    return {'shared_kb': p['shared'] * 1024, 'own_kb': p['own'] * 1024, 'extra_kb': p['extra'] * 1024}


def _uss(pid):
    return Sum('Private_Clean + Private_Dirty in proc/%s/smaps_rollup' % pid,
               Rollup(pid, 'Private_Clean'), Rollup(pid, 'Private_Dirty'))


_SETUP = ['sim: file /data/lib.so {shared}M']
for _pid in (1000, 1001):
    _SETUP += ['sim: spawn app%d pid=%d' % (_pid - 999, _pid),
               '%d: mmap {shared}M file=/data/lib.so prot=r name=lib' % _pid,
               '%d: read lib' % _pid,
               '%d: mmap {own}M name=own' % _pid, '%d: write own' % _pid,
               '%d: mmap {extra}M name=spare' % _pid]

STEPS = [
    Step('two processes share a {shared} MiB file',
         say='Processes 1000 and 1001 both map the {shared} MiB file /data/lib.so and read all '
             'of it; each also writes {own} MiB of its own and maps {extra} MiB it never touches.',
         do=_SETUP,
         ask=[Number("What is process 1000's RSS (kB)?", Rollup(1000, 'Rss'),
                     expect=lambda p: p['shared_kb'] + p['own_kb'] + 20, tol=0,
                     explain='Rss counts every page mapped, shared or not (smaps_account() adds '
                             "each present page): the whole file, its own pages and the program's 20 kB."),
              Number("What is process 1000's PSS (kB)?", Rollup(1000, 'Pss'),
                     expect=lambda p: p['shared_kb'] // 2 + p['own_kb'] + 20, tol=8,
                     explain='Pss divides each page by its mapcount in smaps_account(): each '
                             'process is charged half of the shared file.'),
              Number("What is process 1000's USS, Private_Clean + Private_Dirty (kB)?", _uss(1000),
                     expect=lambda p: p['own_kb'] + 20, tol=8,
                     explain='USS counts only pages mapped once (folio_mapcount() == 1): what '
                             'would be freed if the process exited.')],
         show=[Status(1000, 'VmSize')],
         explain='VSZ (VmSize) also counts the {extra} MiB never touched: address space, not memory.'),
    Step('process 1001 exits',
         do=['1001: exit'],
         ask=[Number("By how many kB does process 1000's PSS grow?", Delta(Rollup(1000, 'Pss')),
                     expect=lambda p: p['shared_kb'] // 2, tol=8,
                     explain='The file pages are now mapped once: smaps_account() charges them in '
                             'full to the one process left, which did nothing.'),
              Number("And its RSS?", Delta(Rollup(1000, 'Rss')), expect=0,
                     explain='RSS (get_mm_rss()) does not depend on who else maps a page.')],
         show=[Rollup(1000, 'Pss')]),
]
