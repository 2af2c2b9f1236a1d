"""NUMA memory policies: where a page lands."""
from ..lab import Match, Number, Status, Step

NAME = 'numa'
TITLE = 'NUMA policies: local, interleave, weighted interleave'
OPTIONS = []
PARAMS = {'size': [8, 16, 24, 32], 'w': [2, 3, 4]}


def DERIVED(p):
    return {'pages': p['size'] * 256}


def _nodes(policy, node):
    return Match('proc/4000/numa_maps', r'^\S+ %s anon=\d+ .*N%d=(\d+)' % (policy, node),
                 'N%d of the %s VMA in proc/4000/numa_maps' % (node, policy), 'pages')


STEPS = [
    Step('a program on CPU 0',
         say='A program runs on CPU 0, on node 0, and writes {size} MiB with the default policy.',
         do=['sim: spawn app pid=4000 cpu=0', '4000: mmap {size}M name=local', '4000: write local'],
         ask=[Number('How many pages land on node 0?', _nodes('default', 0),
                     expect=lambda p: p['pages'], tol=0,
                     explain='With no policy, alloc_pages_mpol() allocates on the node of the '
                             'CPU that faults (numa_node_id()).')]),
    Step('interleave',
         do=['4000: mmap {size}M name=il', '4000: mbind il interleave=0-1', '4000: write il'],
         ask=[Number('How many pages land on node 1?', _nodes('interleave:0-1', 1),
                     expect=lambda p: p['pages'] // 2, tol=0,
                     explain='interleave_nid() picks the node from the page offset in the VMA: '
                             'page by page, alternately.')]),
    Step('weighted interleave {w}:1',
         do=['> sys/kernel/mm/mempolicy/weighted_interleave/node1 {w}',
             '4000: mmap {size}M name=wil', '4000: mbind wil weighted-interleave=0-1', '4000: write wil'],
         ask=[Number('How many pages land on node 1?', _nodes('weighted interleave:0-1', 1),
                     expect=lambda p: p['pages'] * p['w'] // (p['w'] + 1), tol=4,
                     explain='weighted_interleave_nid() gives each node a run of pages as long as '
                             'its weight: {w} on node 1 for every 1 on node 0.')],
         show=[Status(4000, 'VmRSS')]),
]
