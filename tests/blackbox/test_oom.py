"""The OOM killer on a machine without swap: who dies (largest badness,
oom_score_adj -1000 spared), the report in sim/log in the kernel's words and
order, vmstat's oom_kill, the reaper, the allocating task's own death
(ESRCH), oom_kill_allocating_task, oom_dump_tasks and panic_on_oom."""
import errno
import re

import pytest


def grow(m, pid, size, name):
    m.pctl(pid, 'mmap %s name=%s' % (size, name))
    return m.pctl_raw(pid, 'write %s' % name)


@pytest.fixture
def small(mount):
    """1 GiB, no swap; four processes, one of them spared."""
    m = mount('--machine=small', '--swap=0')
    for pid, name in [(1000, 'idle'), (1001, 'mid'), (1002, 'hog'), (1003, 'precious')]:
        m.ctl('spawn %s pid=%d' % (name, pid))
    assert m.write('proc/1003/oom_score_adj', '-1000\n') == (True, 0)
    assert grow(m, 1001, '200M', 'm') == (0, 'ok\n')
    assert grow(m, 1003, '300M', 'p') == (0, 'ok\n')
    return m


def test_the_grower_dies_and_the_report_reads_like_linux(small):
    m = small
    n0 = len(m.log_lines(stamps=False))
    err, _ = grow(m, 1002, '900M', 'h')
    # the task whose fault ran out of memory is the largest: it is killed
    # mid-command, and the command fails: no such process any more
    assert err == errno.ESRCH
    assert 1002 not in m.pids()
    assert {1000, 1001, 1003} <= set(m.pids())
    assert m.vmstat()['oom_kill'] == 1
    log = m.log_lines(stamps=False)[n0:]
    want = [
        r'hog invoked oom-killer: gfp_mask=0x[0-9a-f]+\(GFP_HIGHUSER_MOVABLE\), order=0, oom_score_adj=0',
        r'Mem-Info:',
        r'active_anon:\d+ inactive_anon:\d+ isolated_anon:\d+',
        r'Node 0 active_anon:\d+kB inactive_anon:\d+kB .* all_unreclaimable\? no Balloon:0kB',
        r'Node 0 DMA free:\d+kB boost:\d+kB min:\d+kB low:\d+kB high:\d+kB .*present:\d+kB managed:\d+kB '
        r'mlocked:\d+kB free_pcp:\d+kB local_pcp:\d+kB free_cma:0kB',
        r'lowmem_reserve\[\]:( \d+){5}',
        r'Node 0 DMA32 free:\d+kB .*',
        r'lowmem_reserve\[\]:( \d+){5}',
        r'Node 0 DMA: (\d+\*\d+kB (\([UMEHI]+\) )?){11}= \d+kB',
        r'Node 0 DMA32: (\d+\*\d+kB (\([UMEHI]+\) )?){11}= \d+kB',
        r'Node 0 hugepages_total=0 hugepages_free=0 hugepages_surp=0 hugepages_size=1048576kB',
        r'Node 0 hugepages_total=0 hugepages_free=0 hugepages_surp=0 hugepages_size=2048kB',
        r'\d+ total pagecache pages',
        r'0 pages in swap cache',
        r'Free swap  = 0kB',
        r'Total swap = 0kB',
        r'\d+ pages RAM',
        r'0 pages HighMem/MovableOnly',
        r'\d+ pages reserved',
        r'0 pages cma reserved',
        r'0 pages hwpoisoned',
        r'Tasks state \(memory values in pages\):',
        r'\[  pid  \]   uid  tgid total_vm      rss rss_anon rss_file rss_shmem pgtables_bytes swapents '
        r'oom_score_adj name',
        r'\[   1000\]  1000  1000 +\d+ +\d+ +\d+ +0 +0 +\d+ +0 +0 idle',
        r'\[   1001\]  1000  1001 .* mid',
        r'\[   1002\]  1000  1002 .* hog',
        r'\[   1003\]  1000  1003 .* +-1000 precious',
        r'oom-kill:constraint=CONSTRAINT_NONE,nodemask=\(null\),cpuset=/,mems_allowed=0,global_oom,'
        r'task_memcg=/,task=hog,pid=1002,uid=1000',
        r'Out of memory: Killed process 1002 \(hog\) total-vm:\d+kB, anon-rss:\d+kB, file-rss:0kB, '
        r'shmem-rss:0kB, UID:1000 pgtables:\d+kB oom_score_adj:0',
        r'oom_reaper: reaped process 1002 \(hog\), now anon-rss:0kB, file-rss:0kB, shmem-rss:0kB',
        r"proc/1002/ctl: 'write h' refused: .*OOM killer.*\(No such process\)",
    ]
    body = [l for l in log if not l.startswith(' ')]
    assert len(body) == len(want), '\n'.join(log)
    for line, pat in zip(body, want):
        assert re.fullmatch(pat, line), (pat, line)
    # the Mem-Info continuation lines, indented under the first
    raw = m.log().split('\n')
    i = [k for k, l in enumerate(raw) if l.endswith('Mem-Info:')][-1]
    assert raw[i + 2].strip().startswith('active_file:')
    assert raw[i + 8].strip().startswith('free:')
    # the prefix's width, then the record's own leading space
    assert len(raw[i + 2]) - len(raw[i + 2].lstrip()) == len(raw[i + 1].split('] ')[0]) + 2 + 1
    # the memory came back, the numbers still agree
    mi = m.meminfo()
    assert mi['MemFree'] > 400 * 1024


def test_the_largest_other_process_dies(mount):
    """A small allocator kills the biggest process, then carries on."""
    m = mount('--machine=small', '--swap=0')
    m.ctl('spawn big pid=1000')
    m.ctl('spawn grower pid=1001')
    assert grow(m, 1000, '700M', 'b') == (0, 'ok\n')
    assert grow(m, 1001, '400M', 'g') == (0, 'ok\n')
    assert sorted(p for p in m.pids() if p >= 1000) == [1001]
    log = m.log_lines(stamps=False)
    assert any(l.startswith('grower invoked oom-killer:') for l in log)
    assert any(l.startswith('Out of memory: Killed process 1000 (big) ') for l in log)
    assert m.vmstat()['oom_kill'] == 1
    st = m.read('proc/1001/status')
    assert int(re.search(r'VmRSS:\s+(\d+)', st).group(1)) >= 400 * 1024


def test_spared_and_no_killable(mount):
    """oom_score_adj -1000 is never chosen: with nothing else to kill the
    allocating process (the only candidate) dies."""
    m = mount('--machine=small', '--swap=0')
    m.ctl('spawn keep pid=1000')
    m.ctl('spawn eat pid=1001')
    m.write('proc/1000/oom_score_adj', '-1000\n')
    assert grow(m, 1000, '500M', 'k') == (0, 'ok\n')
    err, _ = grow(m, 1001, '700M', 'e')
    assert err == errno.ESRCH
    assert 1000 in m.pids() and 1001 not in m.pids()


def test_oom_kill_allocating_task(small):
    m = small
    assert m.write('proc/sys/vm/oom_kill_allocating_task', '1\n') == (True, 0)
    m.ctl('spawn late pid=1004')
    err, _ = grow(m, 1004, '700M', 'l')
    assert err == errno.ESRCH
    assert 1004 not in m.pids() and 1001 in m.pids()
    assert any(l.startswith('Out of memory (oom_kill_allocating_task): Killed process 1004 (late) ')
               for l in m.log_lines(stamps=False))


def test_oom_dump_tasks_off(small):
    m = small
    assert m.write('proc/sys/vm/oom_dump_tasks', '0\n') == (True, 0)
    n0 = len(m.log_lines(stamps=False))
    grow(m, 1002, '900M', 'h')
    log = m.log_lines(stamps=False)[n0:]
    assert not any(l.startswith('Tasks state') for l in log)
    assert any(l.startswith('Out of memory: Killed process 1002 (hog)') for l in log)


def test_panic_on_oom(small):
    m = small
    assert m.read('proc/sys/vm/panic_on_oom') == '0\n'
    assert m.write('proc/sys/vm/panic_on_oom', '1\n') == (True, 0)
    err, _ = grow(m, 1002, '900M', 'h')
    assert err == errno.ENOMEM
    log = m.log_lines(stamps=False)
    assert 'Kernel panic - not syncing: Out of memory: system-wide panic_on_oom is enabled' in log
    assert m.vmstat()['oom_kill'] == 0
    # halted: every command fails with EIO, reads still work
    for rel, cmd in [('sim/ctl', 'spawn x'), ('sim/ctl', 'tick 1s'), ('proc/1001/ctl', 'read m')]:
        err, _ = m.ctl_raw(cmd, rel=rel)
        assert err == errno.EIO, (cmd, err)
    assert 1002 in m.pids()
    m.read('proc/meminfo')
    m.read('proc/1002/status')
    assert m.log_lines(stamps=False)[-1].endswith('write refused: the machine has panicked (Input/output error)')


def test_oom_sysctls_defaults_and_ranges(mnt):
    for knob, default in [('panic_on_oom', '0'), ('oom_kill_allocating_task', '0'), ('oom_dump_tasks', '1')]:
        assert mnt.read('proc/sys/vm/' + knob) == default + '\n'
    assert mnt.write('proc/sys/vm/panic_on_oom', '2\n') == (True, 0)
    assert mnt.write('proc/sys/vm/panic_on_oom', '3\n') == (False, errno.EINVAL)
    assert mnt.read('proc/sys/vm/panic_on_oom') == '2\n'
