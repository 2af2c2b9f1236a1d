"""vmalloc: virtually contiguous, page by page, with a guard page."""
from ..lab import Delta, Match, Meminfo, Number, Step

NAME = 'vmalloc'
TITLE = 'vmalloc: pages, rounding and the guard page'
OPTIONS = []
PARAMS = {'size': [10, 30, 100, 250, 1000]}


def DERIVED(p):
    return {'pages': -(-p['size'] // 4)}


STEPS = [
    Step('vmalloc({size} KiB)',
         say='The kernel asks vmalloc() for {size} KiB.',
         do=['sim: vmalloc {size}K -> addr'],
         ask=[Number('By how many kB does VmallocUsed grow?', Delta(Meminfo('VmallocUsed')),
                     expect=lambda p: p['pages'] * 4, tol=0,
                     explain='__vmalloc_area_node() allocates whole pages one by one '
                             '(vm_area_alloc_pages()): {size} KiB rounds up to {pages} pages, '
                             'which need not be contiguous in physical memory.'),
              Number('What size does proc/vmallocinfo show for the area (bytes)?',
                     Match('proc/vmallocinfo', r'^{addr}-0x[0-9a-f]+\s+(\d+) ', 'the size column in proc/vmallocinfo'),
                     expect=lambda p: (p['pages'] + 1) * 4096, tol=0,
                     explain="The area's size includes one unmapped guard page after it "
                             '(__get_vm_area_node() adds it unless VM_NO_GUARD), so an overrun '
                             'faults instead of corrupting the next area.')]),
    Step('vfree',
         do=['sim: vfree {addr}'],
         ask=[Number('By how many kB does VmallocUsed change?', Delta(Meminfo('VmallocUsed')),
                     expect=lambda p: -p['pages'] * 4, tol=0,
                     explain='vfree() removes the area (remove_vm_area()) and frees each of its '
                             'pages.')],
         show=[Meminfo('VmallocUsed')]),
]
