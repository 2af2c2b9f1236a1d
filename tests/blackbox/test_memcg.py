"""The memory controller through sys/fs/cgroup: charging, memory.max,
memory.high, memory.reclaim, memory.swap.max, the memcg OOM killer and
memory.oom.group, reproducing tools/testing/selftests/cgroup/
test_memcontrol.c's expectations with the selftest's own tolerances."""
import errno
import os

import pytest

CG = 'sys/fs/cgroup'
MB = 1 << 20
MEMORY = {'memory.current', 'memory.min', 'memory.low', 'memory.high', 'memory.max', 'memory.peak',
          'memory.events', 'memory.events.local', 'memory.stat', 'memory.numa_stat', 'memory.oom.group',
          'memory.reclaim', 'memory.pressure', 'memory.swap.current', 'memory.swap.high',
          'memory.swap.max', 'memory.swap.peak', 'memory.swap.events'}


def values_close(a, b, err):
    """cgroup_util.c: |a - b| <= (a + b) / 100 * err"""
    return abs(a - b) <= (a + b) / 100 * err


def mkcg(mnt, rel, control=''):
    os.mkdir(mnt.abs(CG + '/' + rel))
    if control:
        assert mnt.write(CG + '/' + rel + '/cgroup.subtree_control', control) == (True, 0)


def cg_write(mnt, rel, name, value):
    return mnt.write('%s/%s/%s' % (CG, rel, name), value)


def cg_long(mnt, rel, name):
    return int(mnt.read('%s/%s/%s' % (CG, rel, name)))


def cg_key(mnt, rel, name, key):
    for line in mnt.read('%s/%s/%s' % (CG, rel, name)).splitlines():
        k, v = line.split(' ', 1)
        if k == key:
            return int(v)
    raise KeyError(key)


def spawn(mnt, rel):
    return int(mnt.ctl('spawn prog cgroup=/%s' % rel))


def alloc_anon(mnt, pid, size):
    """malloc + a store to every page; OSError (ESRCH) when killed"""
    mnt.pctl(pid, 'mmap %d anon name=buf' % size)
    mnt.pctl(pid, 'write buf')


def alloc_pagecache(mnt, pid, path, size):
    mnt.ctl('file %s %d' % (path, size))
    mnt.pctl(pid, 'pwrite %s 0 %d' % (path, size))


def run_killed(mnt, rel, size):
    """cg_run(alloc_anon) expected to fail: the process is OOM-killed"""
    pid = spawn(mnt, rel)
    with pytest.raises(OSError) as e:
        alloc_anon(mnt, pid, size)
    assert e.value.errno == errno.ESRCH
    assert mnt.lstat_errno('proc/%d' % pid) == errno.ENOENT
    return pid


def test_memory_files_follow_subtree_control(mnt):
    """memory.* only where the parent enables memory: the root enables it
    at boot, a new cgroup does not"""
    mkcg(mnt, 'a')
    mkcg(mnt, 'a/b')
    names = set(os.listdir(mnt.abs(CG + '/a')))
    assert MEMORY <= names
    assert not {n for n in os.listdir(mnt.abs(CG + '/a/b')) if n.startswith('memory.')}
    assert not {n for n in os.listdir(mnt.abs(CG)) if n.startswith('memory.')}
    assert mnt.read(CG + '/a/memory.max') == 'max\n'
    assert mnt.read(CG + '/a/memory.high') == 'max\n'
    assert mnt.read(CG + '/a/memory.min') == '0\n'
    assert mnt.read(CG + '/a/memory.current') == '0\n'
    assert mnt.read(CG + '/a/memory.events') == 'low 0\nhigh 0\nmax 0\noom 0\noom_kill 0\noom_group_kill 0\n'
    # a task in a/b charges a's memcg, the nearest with the controller
    pid = spawn(mnt, 'a/b')
    alloc_anon(mnt, pid, 8 * MB)
    assert cg_long(mnt, 'a', 'memory.current') >= 8 * MB


def test_charge_anon_and_pagecache(mnt):
    """alloc_anon_50M_check / alloc_pagecache_50M_check: memory.current
    and memory.stat's anon and file follow what the task brings in"""
    mkcg(mnt, 't')
    assert cg_long(mnt, 't', 'memory.current') == 0
    pid = spawn(mnt, 't')
    alloc_anon(mnt, pid, 50 * MB)
    cur = cg_long(mnt, 't', 'memory.current')
    assert cur >= 50 * MB and values_close(50 * MB, cur, 3)
    anon = cg_key(mnt, 't', 'memory.stat', 'anon')
    assert values_close(anon, cur, 3)
    alloc_pagecache(mnt, pid, '/f', 50 * MB)
    file = cg_key(mnt, 't', 'memory.stat', 'file')
    assert values_close(file, 50 * MB, 10)
    assert cg_long(mnt, 't', 'memory.peak') >= 100 * MB
    stat = mnt.read(CG + '/t/memory.stat')
    keys = [line.split()[0] for line in stat.splitlines()]
    assert keys[:4] == ['anon', 'file', 'kernel', 'kernel_stack']
    assert keys.index('slab') == keys.index('slab_unreclaimable') + 1
    assert keys.index('pgscan') < keys.index('pgsteal') < keys.index('pgfault')
    numa = mnt.read(CG + '/t/memory.numa_stat').splitlines()
    assert numa[0].startswith('anon N0=')
    mnt.pctl(pid, 'exit')
    # the page cache stays charged; the anon pages went (the stock stays)
    cur = cg_long(mnt, 't', 'memory.current')
    assert values_close(cur, 50 * MB, 3)
    mnt.ctl('rmfile /f')
    assert cg_long(mnt, 't', 'memory.current') <= 64 * 4096


def test_memcg_max(mnt):
    """test_memcg_max: swap.max 0, max 30M: 100M of anon is OOM-killed
    inside the cgroup; page cache holds memory.current at the limit"""
    mkcg(mnt, 'memcg_test')
    assert mnt.read(CG + '/memcg_test/memory.max') == 'max\n'
    assert cg_write(mnt, 'memcg_test', 'memory.swap.max', '0') == (True, 0)
    assert cg_write(mnt, 'memcg_test', 'memory.max', '30M') == (True, 0)
    outside = int(mnt.ctl('spawn other'))
    run_killed(mnt, 'memcg_test', 100 * MB)
    log = mnt.log()
    assert 'oom-kill:constraint=CONSTRAINT_MEMCG' in log
    assert 'oom_memcg=/memcg_test,task_memcg=/memcg_test' in log
    assert 'Memory cgroup out of memory: Killed process' in log
    assert 'memory: usage 30720kB, limit 30720kB' in log
    assert mnt.lstat_errno('proc/%d' % outside) is None
    pid = spawn(mnt, 'memcg_test')
    alloc_pagecache(mnt, pid, '/f', 50 * MB)
    cur = cg_long(mnt, 'memcg_test', 'memory.current')
    assert values_close(cur, 30 * MB, 5)
    assert 0 < cur <= 30 * MB
    assert cg_key(mnt, 'memcg_test', 'memory.events', 'max') > 0


def test_memcg_high(mnt):
    """test_memcg_high: over memory.high the task reclaims and is
    throttled but not killed; page cache stays near the limit"""
    mkcg(mnt, 'memcg_test')
    assert mnt.read(CG + '/memcg_test/memory.high') == 'max\n'
    assert cg_write(mnt, 'memcg_test', 'memory.swap.max', '0') == (True, 0)
    assert cg_write(mnt, 'memcg_test', 'memory.high', '30M') == (True, 0)
    pid = spawn(mnt, 'memcg_test')
    alloc_anon(mnt, pid, 31 * MB)
    mnt.pctl(pid, 'exit')
    pid = spawn(mnt, 'memcg_test')
    alloc_pagecache(mnt, pid, '/f', 50 * MB)
    # alloc_pagecache_50M_check fails: the cache does not stay at 50M
    assert cg_long(mnt, 'memcg_test', 'memory.current') < 50 * MB
    mnt.pctl(pid, 'exit')
    pid = spawn(mnt, 'memcg_test')
    alloc_pagecache(mnt, pid, '/g', 50 * MB)
    assert values_close(cg_long(mnt, 'memcg_test', 'memory.current'), 30 * MB, 5)
    assert cg_key(mnt, 'memcg_test', 'memory.events', 'high') > 0
    assert cg_key(mnt, 'memcg_test', 'memory.events', 'oom') == 0


def test_memcg_high_throttles_in_simulated_time(mnt):
    """Anonymous memory past memory.high with nowhere to go (no swap for
    the cgroup): calculate_high_delay's penalty passes on the clock and
    memory.pressure shows the stall"""
    mkcg(mnt, 'h')
    assert cg_write(mnt, 'h', 'memory.swap.max', '0') == (True, 0)
    assert cg_write(mnt, 'h', 'memory.high', '20M') == (True, 0)
    pid = spawn(mnt, 'h')
    t0 = float(mnt.read('proc/uptime').split()[0])
    alloc_anon(mnt, pid, 24 * MB)
    t1 = float(mnt.read('proc/uptime').split()[0])
    # 20% over: the penalty is clamped at 2 s per return to user space
    assert t1 - t0 >= 1.9
    some = mnt.read(CG + '/h/memory.pressure').splitlines()[0]
    assert some.startswith('some avg10=') and int(some.split('total=')[1]) >= 1900000
    assert cg_long(mnt, 'h', 'memory.current') >= 24 * MB


def reclaim_until(mnt, rel, goal):
    """The selftest's reclaim_until: memory.reclaim in steps, EAGAIN
    allowed, an early 0 not"""
    reclaimed = False
    for _ in range(5):
        cur = cg_long(mnt, rel, 'memory.current')
        if cur < goal or values_close(cur, goal, 3):
            break
        if reclaimed:
            return False
        ok, err = cg_write(mnt, rel, 'memory.reclaim', str(cur - goal))
        if ok:
            reclaimed = True
        elif err != errno.EAGAIN:
            return False
    return reclaimed


def test_memcg_reclaim(mnt):
    """test_memcg_reclaim with swap: 50M of page cache and 50M of anon,
    reclaimed to 30M through memory.reclaim"""
    mkcg(mnt, 'memcg_test')
    a = spawn(mnt, 'memcg_test')
    alloc_pagecache(mnt, a, '/f', 50 * MB)
    b = spawn(mnt, 'memcg_test')
    alloc_anon(mnt, b, 50 * MB)
    assert values_close(cg_long(mnt, 'memcg_test', 'memory.current'), 100 * MB, 10)
    assert reclaim_until(mnt, 'memcg_test', 30 * MB)
    assert cg_key(mnt, 'memcg_test', 'memory.stat', 'pgsteal') > 0
    assert cg_long(mnt, 'memcg_test', 'memory.swap.current') > 0


def test_memory_reclaim_eagain_and_einval(mnt):
    mkcg(mnt, 'r')
    assert cg_write(mnt, 'r', 'memory.reclaim', '10M') == (False, errno.EAGAIN)
    for bad in (' ', 'x', '10M swappiness=300', '10M foo=1', '-1'):
        n = len(mnt.log_lines())
        assert cg_write(mnt, 'r', 'memory.reclaim', bad) == (False, errno.EINVAL), bad
        assert len(mnt.log_lines()) == n + 1


def test_memcg_swap_max(mnt):
    """test_memcg_swap_max_peak (without the per-file reset): swap.max
    30M, max 30M: 100M is killed with one oom event; 50M fits, 30M in
    memory and the rest in swap"""
    mkcg(mnt, 'memcg_test')
    assert cg_long(mnt, 'memcg_test', 'memory.swap.current') == 0
    assert mnt.read(CG + '/memcg_test/memory.swap.max') == 'max\n'
    assert cg_write(mnt, 'memcg_test', 'memory.swap.max', '30M') == (True, 0)
    assert cg_write(mnt, 'memcg_test', 'memory.max', '30M') == (True, 0)
    run_killed(mnt, 'memcg_test', 100 * MB)
    assert cg_key(mnt, 'memcg_test', 'memory.events', 'oom') == 1
    assert cg_key(mnt, 'memcg_test', 'memory.events', 'oom_kill') == 1
    assert cg_long(mnt, 'memcg_test', 'memory.peak') >= 29 * MB
    assert cg_long(mnt, 'memcg_test', 'memory.swap.peak') >= 29 * MB
    pid = spawn(mnt, 'memcg_test')
    alloc_anon(mnt, pid, 50 * MB)
    cur = cg_long(mnt, 'memcg_test', 'memory.current')
    swap = cg_long(mnt, 'memcg_test', 'memory.swap.current')
    assert cur and values_close(cur, 30 * MB, 3)
    assert swap and values_close(cur + swap, 50 * MB, 3)
    assert cg_key(mnt, 'memcg_test', 'memory.events', 'max') > 0
    mnt.pctl(pid, 'exit')
    # the slots of pages still being written go when the writes end
    mnt.ctl('tick 1s')
    assert cg_long(mnt, 'memcg_test', 'memory.swap.current') == 0


def test_memcg_oom_events(mnt):
    """test_memcg_oom_events: the killed process is gone, one oom and one
    oom_kill event"""
    mkcg(mnt, 'memcg_test')
    assert cg_write(mnt, 'memcg_test', 'memory.max', '30M') == (True, 0)
    assert cg_write(mnt, 'memcg_test', 'memory.swap.max', '0') == (True, 0)
    run_killed(mnt, 'memcg_test', 100 * MB)
    assert mnt.read(CG + '/memcg_test/cgroup.procs') == ''
    assert cg_key(mnt, 'memcg_test', 'memory.events', 'oom') == 1
    assert cg_key(mnt, 'memcg_test', 'memory.events', 'oom_kill') == 1
    assert cg_key(mnt, 'memcg_test', 'memory.events.local', 'oom_kill') == 1


def test_memcg_oom_group_leaf_events(mnt):
    """test_memcg_oom_group_leaf_events: memory.oom.group kills every
    process of the leaf; the parent counts the kills, the process outside
    lives"""
    mkcg(mnt, 'memcg_test_0')
    mkcg(mnt, 'memcg_test_0/memcg_test_1')
    assert cg_write(mnt, 'memcg_test_0', 'cgroup.subtree_control', '+memory') == (True, 0)
    child = 'memcg_test_0/memcg_test_1'
    assert cg_write(mnt, child, 'memory.max', '50M') == (True, 0)
    assert cg_write(mnt, child, 'memory.swap.max', '0') == (True, 0)
    assert cg_write(mnt, child, 'memory.oom.group', '1') == (True, 0)
    assert mnt.read(CG + '/' + child + '/memory.oom.group') == '1\n'
    other = int(mnt.ctl('spawn other'))
    alloc_anon(mnt, other, 60 * MB)
    p1, p2 = spawn(mnt, child), spawn(mnt, child)
    alloc_anon(mnt, p1, MB)
    alloc_anon(mnt, p2, MB)
    run_killed(mnt, child, 100 * MB)
    assert mnt.read(CG + '/' + child + '/cgroup.procs') == ''
    for pid in (p1, p2):
        assert mnt.lstat_errno('proc/%d' % pid) == errno.ENOENT
    assert mnt.lstat_errno('proc/%d' % other) is None
    assert cg_key(mnt, child, 'memory.events', 'oom_kill') > 0
    assert cg_key(mnt, child, 'memory.events', 'oom_group_kill') == 2
    assert cg_key(mnt, 'memcg_test_0', 'memory.events', 'oom_kill') > 0
    assert cg_key(mnt, 'memcg_test_0', 'memory.events.local', 'oom_kill') == 0
    assert 'going to be killed due to memory.oom.group set' in mnt.log()


def test_bad_values_are_einval(mnt):
    mkcg(mnt, 'v')
    for name in ('memory.max', 'memory.high', 'memory.low', 'memory.min', 'memory.swap.max'):
        for bad in (' ', 'maxx', '12Q', '-5', 'abc'):
            n = len(mnt.log_lines())
            assert cg_write(mnt, 'v', name, bad) == (False, errno.EINVAL), (name, bad)
            assert len(mnt.log_lines()) == n + 1
        assert mnt.read(CG + '/v/' + name) == ('max\n' if 'max' in name or 'high' in name else '0\n')
    assert cg_write(mnt, 'v', 'memory.max', '1G') == (True, 0)
    assert cg_long(mnt, 'v', 'memory.max') == 1 << 30
    assert cg_write(mnt, 'v', 'memory.max', '12345') == (True, 0)
    assert cg_long(mnt, 'v', 'memory.max') == 12288
    for bad in ('2', 'x', '-1'):
        assert cg_write(mnt, 'v', 'memory.oom.group', bad) == (False, errno.EINVAL)


def test_move_keeps_charges_and_rmdir_reparents(mnt):
    """Moving a task leaves its pages charged where they are; rmdir of a
    cgroup with charges (page cache) moves them to the parent"""
    mkcg(mnt, 'p', '+memory')
    mkcg(mnt, 'p/a')
    mkcg(mnt, 'p/b')
    pid = spawn(mnt, 'p/a')
    alloc_anon(mnt, pid, 10 * MB)
    alloc_pagecache(mnt, pid, '/f', 10 * MB)
    a = cg_long(mnt, 'p/a', 'memory.current')
    assert mnt.write(CG + '/p/b/cgroup.procs', str(pid)) == (True, 0)
    assert cg_long(mnt, 'p/a', 'memory.current') == a
    assert cg_long(mnt, 'p/b', 'memory.current') == 0
    parent = cg_long(mnt, 'p', 'memory.current')
    mnt.pctl(pid, 'exit')
    assert values_close(cg_long(mnt, 'p/a', 'memory.current'), 10 * MB, 5)
    os.rmdir(mnt.abs(CG + '/p/a'))
    assert values_close(cg_long(mnt, 'p', 'memory.current'), 10 * MB, 5)
    assert cg_long(mnt, 'p', 'memory.current') <= parent
