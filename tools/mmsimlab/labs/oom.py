"""Running out of memory: no swap, two processes, one OOM kill."""
from ..lab import Choice, Delta, Match, Number, Step, Value, Vmstat

NAME = 'oom'
TITLE = 'running out of memory: which process does the OOM killer pick?'
OPTIONS = ['--machine=small', '--swap=0']
PARAMS = {'a': [300, 400, 600, 700], 'b': [800, 850]}

_KILLED = Match('sim/log', r'Killed process (\d+)', 'the PID in "Killed process" in sim/log')

STEPS = [
    Step('two programs',
         say='On a 1 GiB machine without swap, program a (pid 1000) writes {a} MiB. Program b '
             '(pid 1001) has only started.',
         do=['sim: spawn a pid=1000', 'sim: spawn b pid=1001', '1000: mmap {a}M name=a', '1000: write a'],
         show=[Value('proc/1000/oom_score'), Value('proc/1001/oom_score')],
         explain='oom_score is what oom_badness() makes of each process: its RSS, swap entries '
                 'and page tables as a share of RAM plus swap, shifted by oom_score_adj.'),
    Step('b writes {b} MiB',
         say='Program b maps {b} MiB and writes all of it. There is not enough memory for '
             'both; with nothing to swap to, reclaim fails and the allocator calls the OOM killer.',
         do=['1001: mmap {b}M name=b', '1001?: write b'],
         ask=[Choice('Which PID does the OOM killer kill: 1000 (a) or 1001 (b)?', _KILLED, [1000, 1001],
                     explain='select_bad_process() takes the process with the highest '
                             'oom_badness(): the one holding the most memory when the allocation '
                             'failed, whoever asked for it. oom_kill_process() sends it SIGKILL '
                             'and the oom_reaper frees its memory.'),
              Number('By how much does oom_kill in vmstat grow?', Delta(Vmstat('oom_kill')),
                     expect=1, tol=0,
                     explain='One kill freed enough: __oom_kill_process() counts each kill '
                             '(count_vm_event(OOM_KILL)).')],
         show=[Match('sim/log', r'invoked oom-killer: (gfp_mask=\S+)', 'the failing allocation in sim/log'), Vmstat('oom_kill')]),
]
