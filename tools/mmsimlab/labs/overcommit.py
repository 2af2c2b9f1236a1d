"""Overcommit: CommitLimit, Committed_AS, and when mmap says no."""
from ..lab import Choice, Delta, Meminfo, Number, Outcome, Step

NAME = 'overcommit'
TITLE = 'overcommit: Committed_AS, CommitLimit and mmap refusing'
OPTIONS = []
PARAMS = {'ok': [1, 2, 3], 'big': [7, 8, 10, 12], 'ratio': [50, 60, 75]}


def DERIVED(p):
    return {'ok_kb': p['ok'] << 20, 'big_kb': p['big'] << 20}


STEPS = [
    Step('strict accounting',
         say='We switch to overcommit_memory=2 (never commit beyond CommitLimit) with '
             'overcommit_ratio={ratio}.',
         do=['> proc/sys/vm/overcommit_ratio {ratio}', '> proc/sys/vm/overcommit_memory 2'],
         ask=[Number('What is CommitLimit (kB)?', Meminfo('CommitLimit'),
                     expect=lambda p, f: (f(Meminfo('MemTotal')) - f(Meminfo('Hugetlb'))) * p['ratio'] // 100
                     + f(Meminfo('SwapTotal')), tol=4,
                     explain='vm_commit_limit(): (RAM - hugetlb pages) x overcommit_ratio / 100 + swap. '
                             '(The kernel uses totalram_pages, which is MemTotal.)')]),
    Step('a {ok} GiB private mapping',
         do=['sim: spawn app pid=1000', '1000: mmap {ok}G name=a'],
         ask=[Number('By how many kB does Committed_AS grow?', Delta(Meminfo('Committed_AS')),
                     expect=lambda p: p['ok_kb'] + 0, tol=4096,
                     explain='A private writable mapping is charged in full at mmap time '
                             '(security_vm_enough_memory_mm() from mmap_region()), although no '
                             'page is touched. (A new program charges its own mappings too.)')]),
    Step('a {big} GiB private mapping',
         do=['1000?: mmap {big}G name=b'],
         ask=[Choice('Does mmap succeed (ok) or fail (ENOMEM)?', Outcome(), ['ok', 'ENOMEM'],
                     expect=lambda p, f: 'ok' if f(Meminfo('Committed_AS')) + p['big_kb'] <= f(Meminfo('CommitLimit'))
                     else 'ENOMEM',
                     explain='__vm_enough_memory() refuses a charge that would take Committed_AS '
                             'past CommitLimit in mode 2.')]),
    Step('a {big} GiB read-only mapping',
         do=['1000?: mmap {big}G prot=r name=c'],
         ask=[Choice('Does this one succeed?', Outcome(), ['ok', 'ENOMEM'], expect='ok',
                     explain='Read-only private mappings are not charged (accountable_mapping() '
                             'wants VM_WRITE): they can never hold private pages.')]),
    Step('back to the heuristic',
         do=['> proc/sys/vm/overcommit_memory 0', '1000?: mmap {big}G name=d'],
         ask=[Choice('Does the {big} GiB private mapping succeed now?', Outcome(), ['ok', 'ENOMEM'],
                     expect=lambda p, f: 'ok' if p['big_kb'] <= f(Meminfo('MemTotal')) + f(Meminfo('SwapTotal'))
                     else 'ENOMEM',
                     explain='Mode 0 (OVERCOMMIT_GUESS) only refuses a single request larger than '
                             'all of RAM plus swap (__vm_enough_memory()); Committed_AS may exceed '
                             'CommitLimit.')],
         show=[Meminfo('Committed_AS'), Meminfo('CommitLimit')]),
]
