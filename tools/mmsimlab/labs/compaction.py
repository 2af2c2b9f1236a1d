"""Compaction: moving pages to rebuild large free blocks."""
from ..lab import Buddy, Delta, Direction, Number, Status, Step, Vmstat
from ._common import fragment

NAME = 'compaction'
TITLE = 'compaction: migrate and free scanners rebuild order-10 blocks'
OPTIONS = ['--machine=small', '--mem=128M', '--swap=0']
# thousands of madvise lines: too slow under --debug-vm, which checks after each
DEBUG_VM = False
PARAMS = {'mib': [48, 64, 80]}


def DERIVED(p):
    return {'rss_kb': p['mib'] * 512 + 20}


STEPS = [
    Step('fragment memory',
         say='A process (pid 1000) writes {mib} MiB and frees every other page.',
         do=['sim: spawn frag pid=1000', fragment(1000, lambda p: p['mib']), 'sim: drain_pages'],
         show=[Buddy(0), Buddy(10), Status(1000, 'VmRSS')]),
    Step('compact everything',
         do=['> proc/sys/vm/compact_memory 1'],
         ask=[Direction('Do the free order-10 blocks go up?', Delta(Buddy(10)), expect='up',
                        explain='compact_zone() runs two scanners toward each other: the migrate '
                                'scanner from the bottom isolates in-use movable pages, the free '
                                'scanner from the top isolates free pages, and migrate_pages() '
                                'moves the first into the second, leaving whole free blocks behind.'),
              Number('How many pages moved (pgmigrate_success)?', Delta(Vmstat('pgmigrate_success')),
                     explain='migrate_pages() counts each page it moved; compaction moves only '
                             'what it must to free whole pageblocks (isolate_migratepages_block()).'),
              Number("What is the process's VmRSS now (kB)?", Status(1000, 'VmRSS'),
                     expect=lambda p: p['rss_kb'], tol=8,
                     explain='Migration changes where pages live, not how many there are: '
                             'remove_migration_ptes() points the page tables at the new pages.')]),
]
