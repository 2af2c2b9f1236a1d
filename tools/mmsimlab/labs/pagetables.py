"""Page tables: one PTE page maps 2 MiB; sparse touches are expensive."""
from ..lab import Delta, Number, Status, Step

NAME = 'pagetables'
TITLE = 'page tables: what a sparse access pattern costs'
OPTIONS = []
PARAMS = {'k': [16, 32, 48, 64, 100]}


def _sparse(p):
    return [('1000', ['write buf off=%dM len=4K' % (2 * i) for i in range(1, p['k'] + 1)])]


def _dense(p):
    return [('1000', ['write buf off=%dK len=4K' % (4 * i) for i in range(1, p['k'] + 1)])]


STEPS = [
    Step('a 1 GiB mapping',
         say='A program (pid 1000) maps 1 GiB at a 1 GiB aligned address. No page table for it exists yet.',
         do=['sim: spawn app pid=1000', '1000: mmap 1G name=buf addr=0x7f0000000000'],
         show=[Status(1000, 'VmPTE')]),
    Step('the first page',
         say='It writes the first page: the walk down from the PGD may need a new PUD and PMD '
             'page on the way (__pud_alloc(), __pmd_alloc()), and surely a PTE page.',
         do=['1000: write buf len=4K'],
         show=[Status(1000, 'VmPTE')]),
    Step('{k} pages, 2 MiB apart',
         say='It writes one 4 KiB page every 2 MiB after that: {k} pages, {k} x 4 kB of memory.',
         do=[_sparse],
         ask=[Number('By how many kB does VmPTE grow?', Delta(Status(1000, 'VmPTE')),
                     expect=lambda p: p['k'] * 4, tol=0,
                     explain='Each 2 MiB range needs its own page of 512 PTEs: __pte_alloc() '
                             'allocates one per touched range; the PMD page above them covers '
                             'the whole 1 GiB and exists already. As much page table as data.')]),
    Step('{k} more pages, next to each other',
         say='Now it writes {k} pages right after the first one.',
         do=[_dense],
         ask=[Number('By how many kB does VmPTE grow?', Delta(Status(1000, 'VmPTE')),
                     expect=0, tol=0,
                     explain='They fall into the first 2 MiB range, whose PTE page exists: '
                             'handle_pte_fault() fills entries of it.')],
         show=[Status(1000, 'VmPTE')]),
]
