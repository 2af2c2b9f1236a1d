"""Reclaim: watermarks, kswapd waking at low and sleeping at high."""
from ..lab import Choice, Delta, Direction, Largest, Number, Step, Vmstat, Zone

NAME = 'reclaim'
TITLE = 'reclaim: watermarks, and kswapd between low and high'
OPTIONS = ['--machine=small', '--mem=512M', '--swap=1G']
PARAMS = {'wsf': [200, 400, 800], 'size': [512, 576, 640]}

_MIN, _LOW, _HIGH = (Zone(0, 'DMA32', k) for k in ('min', 'low', 'high'))


def _gap(p, f):
    """__setup_per_zone_wmarks(): the distance between min, low and high."""
    return max(f(_MIN) // 4, f(Zone(0, 'DMA32', 'managed')) * p['wsf'] // 10000)


STEPS = [
    Step('watermark_scale_factor = {wsf}',
         do=['> proc/sys/vm/watermark_scale_factor {wsf}'],
         ask=[Number('What is the low watermark of node 0 DMA32 (pages)?', _LOW,
                     expect=lambda p, f: f(_MIN) + _gap(p, f), tol=0,
                     explain='__setup_per_zone_wmarks(): low = min + max(min/4, managed x '
                             'watermark_scale_factor / 10000), high = min + twice that.')],
         show=[_MIN, _HIGH]),
    Step('a program writes {size} MiB',
         say='A program (pid 1000) writes {size} MiB on this 512 MiB machine.',
         do=['sim: spawn hog pid=1000', '1000: mmap {size}M name=big', '1000: write big'],
         ask=[Direction('Does kswapd run (pageoutrun goes up)?', Delta(Vmstat('pageoutrun')), expect='up',
                        explain='An allocation that finds a zone below its low watermark wakes '
                                'kswapd (wakeup_kswapd()); each of its balance_pgdat() runs counts '
                                'pageoutrun.')]),
    Step('a second passes',
         do=['sim: tick 1s'],
         ask=[Choice('Which is larger now: the free pages of DMA32 or its high watermark?',
                     Largest({'free': Zone(0, 'DMA32', 'pages free'), 'high': _HIGH}), ['free', 'high'],
                     expect='free',
                     explain='kswapd reclaims until every zone is above its high watermark '
                             '(pgdat_balanced()), then sleeps.')],
         show=[Vmstat('pgscan_kswapd')]),
]
