"""Contiguous memory: free is not the same as free 2 MiB blocks."""
from ..lab import Buddy, Delta, Direction, Meminfo, Number, Step, Vmstat
from ._common import fragment

NAME = 'contiguous'
TITLE = 'contiguous memory: why a 2 MiB allocation fails with memory free'
OPTIONS = ['--machine=small', '--mem=128M', '--swap=0']
# thousands of madvise lines: too slow under --debug-vm, which checks after each
DEBUG_VM = False
PARAMS = {'mib': [64, 72, 80], 'count': [16, 20, 24]}

STEPS = [
    Step('a process leaves holes',
         say='A process (pid 1000) writes {mib} MiB, then frees every other page with '
             'madvise(MADV_DONTNEED).',
         do=['sim: spawn frag pid=1000', fragment(1000, lambda p: p['mib']), 'sim: drain_pages'],
         ask=[Number('How many free order-9 (2 MiB) blocks are left?', Buddy(9),
                     explain='Each freed page is alone: __free_one_page() merges a page with its '
                             'buddy only when the buddy is free too, and every buddy is still in use.')],
         show=[Meminfo('MemFree'), Buddy(0), Buddy(10)]),
    Step('ask for {count} order-9 blocks',
         say='The kernel asks for {count} physically contiguous 2 MiB blocks.',
         do=['sim: alloc_pages 9 count={count}'],
         ask=[Direction('Does compact_stall in vmstat go up?', Delta(Vmstat('compact_stall')), expect='up',
                        explain='__alloc_pages_slowpath() found no free block of order 9 and '
                                'compacted directly (__alloc_pages_direct_compact()), moving '
                                'movable pages out of the way (migrate_pages()).'),
              Number('How many pages were migrated (pgmigrate_success)?', Delta(Vmstat('pgmigrate_success')),
                     explain='Each migrated page was copied to a free page elsewhere and its page '
                             'table entries moved (migrate_pages()); the process sees nothing.')]),
]
