"""Swapping: a process larger than RAM, out and back in."""
from ..lab import Choice, Delta, Largest, Number, Status, Step, Sum, Value, Vmstat

NAME = 'swapping'
TITLE = 'swapping: a process bigger than RAM, and page-cluster readahead on the way back'
OPTIONS = ['--machine=small', '--mem=512M', '--swap=1G']
PARAMS = {'size': [640, 704, 768, 832]}


def DERIVED(p):
    return {'size_kb': p['size'] * 1024}


STEPS = [
    Step('write {size} MiB on a 512 MiB machine',
         say='A program (pid 1000) maps {size} MiB and writes it all; the machine has 512 MiB of '
             'RAM and 1 GiB of swap.',
         do=['sim: spawn hog pid=1000', '1000: mmap {size}M name=big', '1000: write big'],
         ask=[Number('How many kB does the program hold, resident plus swapped (VmRSS + VmSwap)?',
                     Sum('VmRSS + VmSwap in proc/1000/status', Status(1000, 'VmRSS'), Status(1000, 'VmSwap')),
                     expect=lambda p: p['size_kb'] + 20, tol=0,
                     explain='Every page written is either mapped or has a swap entry in its page '
                             'table slot: shrink_folio_list() moved the coldest pages out '
                             '(try_to_unmap() leaves a swap entry behind).'),
              Choice('Which scanned more pages: kswapd or direct reclaim?',
                     Largest({'kswapd': Delta(Vmstat('pgscan_kswapd')), 'direct': Delta(Vmstat('pgscan_direct'))}),
                     ['kswapd', 'direct'],
                     explain='kswapd (balance_pgdat()) wakes at the low watermark and reclaims in '
                             'the background; a task that finds free memory below min reclaims '
                             'itself (__alloc_pages_direct_reclaim()). A fast writer outruns kswapd.')],
         show=[Status(1000, 'VmSwap'), Vmstat('pswpout'), Vmstat('allocstall_movable')]),
    Step('read it all back',
         say='The program reads all {size} MiB again. Pages on swap fault back in.',
         do=['1000: read big'],
         ask=[Choice('Which grows more: pswpin (pages read from swap) or pgmajfault (major faults)?',
                     Largest({'pswpin': Delta(Vmstat('pswpin')), 'pgmajfault': Delta(Vmstat('pgmajfault'))}),
                     ['pswpin', 'pgmajfault'], expect='pswpin',
                     explain='do_swap_page() calls swapin_readahead(), which reads up to '
                             '2^page-cluster neighbouring slots with each fault; the next faults '
                             'find those pages in the swap cache.')],
         show=[Value('proc/sys/vm/page-cluster'), Vmstat('pswpin')]),
]
