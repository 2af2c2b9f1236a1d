"""SLUB: objects, slabs, and why slabinfo counts free objects as active."""
from ..lab import Match, Number, Step, Value

NAME = 'slab'
TITLE = 'SLUB: kmalloc objects, slabs and the CPU slab'
OPTIONS = []
PARAMS = {'size': [128, 192, 256, 512], 'n': [3, 5, 7, 9]}

_CACHE = 'sys/kernel/slab/kmalloc-{size}/'

STEPS = [
    Step('{n} objects from kmalloc-{size}',
         say='The kernel allocates {n} objects of {size} bytes with kmalloc().',
         do=['sim: kmalloc {size} count={n}'],
         ask=[Number('How many objects fit in one slab (objs_per_slab)?', Value(_CACHE + 'objs_per_slab'),
                     expect=lambda p, f: (4096 << f(Value(_CACHE + 'order'))) // p['size'], tol=0,
                     explain='calculate_sizes() and calc_slab_order() choose the slab order; a '
                             'slab of PAGE_SIZE << order bytes holds that many objects of the '
                             "cache's size (order_objects())."),
              Number('How many active objects does proc/slabinfo show for kmalloc-{size}?',
                     Match('proc/slabinfo', r'^kmalloc-{size}\s+(\d+)', 'active_objs of kmalloc-{size} in proc/slabinfo'),
                     expect=lambda p, f: -(-p['n'] // f(Value(_CACHE + 'objs_per_slab'))) * f(Value(_CACHE + 'objs_per_slab')),
                     explain="The slab is this CPU's slab: get_slabinfo() counts a CPU slab's free "
                             'objects as in use, because they are only known to the CPU that owns it.')],
         show=[Value(_CACHE + 'order')]),
    Step('flush the CPU slab',
         do=['> ' + _CACHE + 'shrink 1'],
         ask=[Number('What does objects say now?', Value(_CACHE + 'objects'),
                     expect=lambda p: p['n'], tol=0,
                     explain='kmem_cache_shrink() flushes the CPU slabs (flush_all()) onto the '
                             'node lists, where the objects in use are counted exactly: the {n} '
                             'we hold (nothing else uses kmalloc-{size} here).')],
         show=[Match('proc/slabinfo', r'^(kmalloc-{size}\s.*)$', 'slabinfo line')]),
]
