"""brk vs mmap: where glibc's malloc gets memory from."""
from ..lab import Choice, Delta, Direction, Number, Status, Step, Vma

NAME = 'brk'
TITLE = 'brk vs mmap: small allocations grow the heap, large ones get a mapping'
OPTIONS = []
PARAMS = {'small': [24, 32, 40, 48, 56], 'count': [6, 8, 10, 12], 'big': [256, 512, 768, 1024]}


def _mallocs(p):
    return [('1000', ['malloc %dK' % p['small']] * p['count'])]


STEPS = [
    Step('a program and its heap',
         say='A program (pid 1000) starts with a small [heap] after its data segment.',
         do=['sim: spawn app pid=1000'],
         show=[Vma(1000, '[heap]', 'Size')]),
    Step('{count} small mallocs of {small} KiB',
         say='It calls malloc({small} KiB) {count} times. Small requests come from the heap; '
             'when the heap is full glibc moves the program break with brk().',
         do=[_mallocs],
         ask=[Direction('Does the [heap] VMA grow?', Delta(Vma(1000, '[heap]', 'Size')), expect='up',
                        explain='sys_brk() extends the heap VMA (do_brk_flags()) when the chunks no '
                                'longer fit; no new VMA appears.'),
              Number('How many kB of the heap are resident (Rss of [heap])?', Vma(1000, '[heap]', 'Rss'),
                     explain='malloc writes each chunk header, so each chunk touches at least one '
                             'page; do_anonymous_page() allocated them, the rest of each chunk is untouched.')]),
    Step('one malloc of {big} KiB',
         say='Now malloc({big} KiB): above the 128 KiB mmap threshold.',
         do=['1000: malloc {big}K -> buf'],
         ask=[Number('By how many kB does the heap grow this time?', Delta(Vma(1000, '[heap]', 'Size')),
                     expect=0,
                     explain='Large chunks never come from the heap: glibc calls mmap() and '
                             'do_mmap() makes a new anonymous VMA, which free() can give back at once.'),
              Number('By how many kB does VmSize grow?', Delta(Status(1000, 'VmSize')),
                     expect=lambda p: p['big'] + 4, tol=0,
                     explain='do_mmap() mapped {big} KiB plus the chunk header page.')]),
    Step('free the large chunk',
         do=['1000: free {buf}'],
         ask=[Choice('Does free() give the {big} KiB back to the kernel (yes/no)?',
                     Delta(Status(1000, 'VmSize')), ['yes', 'no'], expect='yes',
                     pick=lambda v, p: 'yes' if v < 0 else 'no',
                     explain='An mmapped chunk is unmapped by free() (munmap(), do_vmi_munmap()); '
                             'heap chunks stay in the heap for the next malloc.')],
         show=[Status(1000, 'VmSize')]),
]
