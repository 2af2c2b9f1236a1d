"""NUMA placement: spawn cpu=, sched_setaffinity, set_mempolicy and mbind
on the default machine (two nodes, CPUs 0-1 on node 0, 2-3 on node 1)."""
import errno
import re

import pytest

from conftest import numa_pages


def numastat(m, nid):
    return {k: int(v) for k, v in (l.split() for l in m.read(
        'sys/devices/system/node/node%d/numastat' % nid).splitlines())}


def status_str(m, pid, key):
    return re.search(r'^%s:\s*(.*)$' % key, m.read('proc/%d/status' % pid), re.M).group(1)


def test_spawn_cpu_places_task(mnt):
    cpu = mnt.cpu_of_node(1)
    pid = int(mnt.ctl('spawn app cpu=%d' % cpu))
    assert status_str(mnt, pid, 'Cpus_allowed_list') == str(cpu)
    assert int(mnt.read('proc/%d/stat' % pid).rsplit(')', 1)[1].split()[36]) == cpu
    mnt.pctl(pid, 'mmap 4M name=buf')
    mnt.pctl(pid, 'write buf')
    assert numa_pages(mnt.numa_maps_line(pid, 'buf')) == {1: 1024}
    # and a task on node 0 gets node 0's pages
    pid0 = int(mnt.ctl('spawn app cpu=%d' % mnt.cpu_of_node(0)))
    mnt.pctl(pid0, 'mmap 4M name=buf')
    mnt.pctl(pid0, 'write buf')
    assert numa_pages(mnt.numa_maps_line(pid0, 'buf')) == {0: 1024}


def test_sched_setaffinity_moves_task(mnt):
    pid = int(mnt.ctl('spawn app cpu=0'))
    cpu1 = mnt.cpu_of_node(1)
    assert mnt.pctl(pid, 'sched_setaffinity %d-%d' % (cpu1, cpu1 + 1)).strip() == 'ok'
    assert status_str(mnt, pid, 'Cpus_allowed_list') == '%d-%d' % (cpu1, cpu1 + 1)
    assert status_str(mnt, pid, 'Mems_allowed_list') == '0-1'
    assert int(mnt.read('proc/%d/stat' % pid).rsplit(')', 1)[1].split()[36]) == cpu1
    mnt.pctl(pid, 'mmap 1M name=buf')
    mnt.pctl(pid, 'write buf')
    assert numa_pages(mnt.numa_maps_line(pid, 'buf')) == {1: 256}
    # a fork inherits the mask
    child = int(mnt.pctl(pid, 'fork'))
    assert status_str(mnt, child, 'Cpus_allowed_list') == '%d-%d' % (cpu1, cpu1 + 1)


def test_sched_setaffinity_errors(mnt):
    pid = int(mnt.ctl('spawn app cpu=0'))
    before = mnt.read('proc/%d/status' % pid)
    for bad in ('99', '', '1-0', 'x', '0,,1'):
        err, _ = mnt.pctl_raw(pid, 'sched_setaffinity %s' % bad)
        assert err == errno.EINVAL, bad
    assert mnt.read('proc/%d/status' % pid) == before
    assert 'sched_setaffinity' in mnt.log()
    err, _ = mnt.ctl_raw('spawn app cpu=4')
    assert err == errno.EINVAL


def test_policies_place_pages(mnt):
    pid = int(mnt.ctl('spawn app cpu=0'))
    cases = [
        ('bind=1', 'bind:1', {1: 256}),
        ('preferred=1', 'prefer:1', {1: 256}),
        ('preferred-many=1', 'prefer (many):1', {1: 256}),
        ('interleave=0-1', 'interleave:0-1', {0: 128, 1: 128}),
        ('weighted-interleave=0-1', 'weighted interleave:0-1', {0: 128, 1: 128}),
        ('local', 'local', {0: 256}),
        ('default', 'default', {0: 256}),
    ]
    for i, (pol, shown, where) in enumerate(cases):
        name = 'r%d' % i
        mnt.pctl(pid, 'mmap 1M name=%s' % name)
        assert mnt.pctl(pid, 'mbind %s %s' % (name, pol)).strip() == 'ok'
        mnt.pctl(pid, 'write %s' % name)
        line = mnt.numa_maps_line(pid, name)
        assert line.split()[1] == shown.split()[0], line
        assert shown in line, line
        assert numa_pages(line) == where, (pol, line)


def test_interleave_alternates_by_offset(mnt):
    pid = int(mnt.ctl('spawn app cpu=0'))
    mnt.pctl(pid, 'mmap 64K name=r')
    mnt.pctl(pid, 'mbind r interleave=0-1')
    before = [numastat(mnt, n) for n in (0, 1)]
    # odd pages first: they go to the node of their offset all the same
    for off in range(1, 16, 2):
        mnt.pctl(pid, 'write r off=%dK len=4K' % (off * 4))
    assert numa_pages(mnt.numa_maps_line(pid, 'r')) == {1: 8}
    for off in range(0, 16, 2):
        mnt.pctl(pid, 'write r off=%dK len=4K' % (off * 4))
    assert numa_pages(mnt.numa_maps_line(pid, 'r')) == {0: 8, 1: 8}
    after = [numastat(mnt, n) for n in (0, 1)]
    assert after[0]['interleave_hit'] - before[0]['interleave_hit'] >= 8
    assert after[1]['interleave_hit'] - before[1]['interleave_hit'] >= 8
    # node 1's pages for a task on node 0: hits of node 1, other_node
    assert after[1]['numa_hit'] - before[1]['numa_hit'] >= 8
    assert after[1]['other_node'] - before[1]['other_node'] >= 8
    vm = mnt.vmstat()
    assert vm['numa_interleave'] >= 16


def test_weighted_interleave_weights(mnt):
    pid = int(mnt.ctl('spawn app cpu=0'))
    base = 'sys/kernel/mm/mempolicy/weighted_interleave/'
    assert mnt.read(base + 'node1') == '1\n'
    assert mnt.read(base + 'auto') == 'true\n'
    assert mnt.write(base + 'node1', '3') == (True, 0)
    assert mnt.read(base + 'node1') == '3\n'
    assert mnt.read(base + 'auto') == 'false\n'
    for bad in ('0', '256', 'x', '-1'):
        assert mnt.write(base + 'node0', bad) == (False, errno.EINVAL), bad
    assert mnt.read(base + 'node0') == '1\n'
    assert mnt.write(base + 'auto', 'true') == (False, errno.ENODEV)
    mnt.pctl(pid, 'mmap 1M name=r')
    mnt.pctl(pid, 'mbind r weighted-interleave=0-1')
    mnt.pctl(pid, 'write r')
    assert numa_pages(mnt.numa_maps_line(pid, 'r')) == {0: 64, 1: 192}


def test_set_mempolicy_task_policy(mnt):
    pid = int(mnt.ctl('spawn app cpu=0'))
    assert mnt.pctl(pid, 'set_mempolicy bind=1').strip() == 'ok'
    mnt.pctl(pid, 'mmap 2M name=r')
    mnt.pctl(pid, 'write r')
    line = mnt.numa_maps_line(pid, 'r')
    # numa_maps shows the VMA's own policy, not the task's
    assert line.split()[1] == 'default'
    assert numa_pages(line) == {1: 512}
    # the VMA's policy wins over the task's
    mnt.pctl(pid, 'mmap 1M name=s')
    mnt.pctl(pid, 'mbind s preferred=0')
    mnt.pctl(pid, 'write s')
    assert numa_pages(mnt.numa_maps_line(pid, 's')) == {0: 256}
    # forked children inherit the task policy
    child = int(mnt.pctl(pid, 'fork'))
    mnt.pctl(child, 'mmap 1M name=c')
    mnt.pctl(child, 'write c')
    assert numa_pages(mnt.numa_maps_line(child, 'c')) == {1: 256}
    assert mnt.pctl(pid, 'set_mempolicy default').strip() == 'ok'
    mnt.pctl(pid, 'mmap 1M name=t')
    mnt.pctl(pid, 'write t')
    assert numa_pages(mnt.numa_maps_line(pid, 't')) == {0: 256}


def test_mode_flags_shown(mnt):
    pid = int(mnt.ctl('spawn app cpu=0'))
    mnt.pctl(pid, 'mmap 1M name=a')
    mnt.pctl(pid, 'mmap 1M name=b')
    mnt.pctl(pid, 'mbind a bind=1 static')
    mnt.pctl(pid, 'mbind b interleave=0-1 relative')
    assert mnt.numa_maps_line(pid, 'a').split()[1] == 'bind=static:1'
    assert mnt.numa_maps_line(pid, 'b').split()[1] == 'interleave=relative:0-1'


def test_mbind_splits_and_merges(mnt):
    pid = int(mnt.ctl('spawn app cpu=0'))
    mnt.pctl(pid, 'mmap 1M name=r')
    nvma = len(mnt.read('proc/%d/maps' % pid).splitlines())
    mnt.pctl(pid, 'mbind r bind=1 off=256K len=256K')
    assert len(mnt.read('proc/%d/maps' % pid).splitlines()) == nvma + 2
    mnt.pctl(pid, 'mbind r default')
    assert len(mnt.read('proc/%d/maps' % pid).splitlines()) == nvma


def test_mbind_move_migrates(mnt):
    pid = int(mnt.ctl('spawn app cpu=0'))
    mnt.pctl(pid, 'mmap 4M name=r')
    mnt.pctl(pid, 'write r')
    rss = mnt.status(pid)['VmRSS']
    assert numa_pages(mnt.numa_maps_line(pid, 'r')) == {0: 1024}
    mig = mnt.vmstat()['pgmigrate_success']
    assert mnt.pctl(pid, 'mbind r bind=1 move').strip() == 'ok'
    line = mnt.numa_maps_line(pid, 'r')
    assert line.split()[1] == 'bind:1'
    assert numa_pages(line) == {1: 1024}
    assert mnt.status(pid)['VmRSS'] == rss
    assert mnt.vmstat()['pgmigrate_success'] - mig == 1024
    # without move, pages stay where they are
    mnt.pctl(pid, 'mbind r bind=0')
    assert numa_pages(mnt.numa_maps_line(pid, 'r')) == {1: 1024}
    # strict alone refuses misplaced pages and changes nothing
    err, _ = mnt.pctl_raw(pid, 'mbind r interleave=0 strict')
    assert err == errno.EIO
    assert mnt.numa_maps_line(pid, 'r').split()[1] == 'bind:0'
    # move to interleave: by offset
    mnt.pctl(pid, 'mbind r interleave=0-1 move')
    assert numa_pages(mnt.numa_maps_line(pid, 'r')) == {1: 1024}  # all on a node of the list
    mnt.pctl(pid, 'mbind r interleave=0 move')
    assert numa_pages(mnt.numa_maps_line(pid, 'r')) == {0: 1024}


def test_bind_ooms_within_nodes(mount):
    m = mount('--mem=1G', '--swap=0')
    pid = int(m.ctl('spawn hog cpu=0'))
    node1 = int(re.search(r'MemTotal:\s+(\d+)', m.read('sys/devices/system/node/node1/meminfo')).group(1))
    m.pctl(pid, 'mmap %dK name=r' % (node1 + 65536))
    m.pctl(pid, 'mbind r bind=1')
    free0 = int(re.search(r'MemFree:\s+(\d+)', m.read('sys/devices/system/node/node0/meminfo')).group(1))
    err, _ = m.pctl_raw(pid, 'write r')
    assert err != 0
    assert 'Out of memory' in m.log()
    free0_after = int(re.search(r'MemFree:\s+(\d+)', m.read('sys/devices/system/node/node0/meminfo')).group(1))
    # no spill: node 0 did not fill up
    assert free0_after > free0 - 16384


def test_preferred_spills_when_full(mount):
    m = mount('--mem=1G', '--swap=0')
    pid = int(m.ctl('spawn app cpu=0'))
    node1 = int(re.search(r'MemTotal:\s+(\d+)', m.read('sys/devices/system/node/node1/meminfo')).group(1))
    m.pctl(pid, 'mmap %dK name=r' % (node1 + 32768))
    m.pctl(pid, 'mbind r preferred=1')
    m.pctl(pid, 'write r')
    pages = numa_pages(m.numa_maps_line(pid, 'r'))
    assert pages[1] > 0 and pages[0] > 0
    assert numastat(m, 0)['numa_miss'] > 0
    assert numastat(m, 1)['numa_foreign'] > 0


@pytest.mark.parametrize('cmd', [
    'set_mempolicy bind=7',           # no such node
    'set_mempolicy bind=5000',        # beyond MAX_NUMNODES
    'set_mempolicy bind=',            # empty (an option without value)
    'set_mempolicy bogus=1',          # bad mode
    'set_mempolicy interleave=0-1 static relative',
    'set_mempolicy local static',
    'set_mempolicy default bind=1',
    'set_mempolicy preferred=0-1',
    'set_mempolicy',
    'mbind r bind=7',
    'mbind r frob',
    'mbind 0x1000 bind=0 len=4K',     # not mapped: EFAULT
])
def test_policy_errors(mnt, cmd):
    pid = int(mnt.ctl('spawn app cpu=0'))
    mnt.pctl(pid, 'mmap 1M name=r')
    before = mnt.read('proc/%d/numa_maps' % pid)
    nlog = len(mnt.log_lines())
    err, _ = mnt.pctl_raw(pid, cmd)
    assert err == (errno.EFAULT if cmd.startswith('mbind 0x') else errno.EINVAL)
    assert len(mnt.log_lines()) == nlog + 1
    assert mnt.read('proc/%d/numa_maps' % pid) == before
    mnt.pctl(pid, 'write r')
    assert numa_pages(mnt.numa_maps_line(pid, 'r')) == {0: 256}


def test_numastat_p(mnt):
    """numastat -p reads numa_maps: the bound region shows on node 1."""
    import shutil
    import subprocess
    import os
    if not shutil.which('numastat'):
        pytest.skip('numastat not installed')
    pid = int(mnt.ctl('spawn app cpu=0'))
    mnt.pctl(pid, 'mmap 8M name=r')
    mnt.pctl(pid, 'mbind r bind=1')
    mnt.pctl(pid, 'write r')
    ns = os.path.join(os.path.dirname(__file__), '..', '..', 'tools', 'mmsim-ns')
    r = subprocess.run([ns, mnt.path, 'numastat', '-p', str(pid)], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    total = next(l for l in r.stdout.splitlines() if l.startswith('Total'))
    n0, n1 = (float(x) for x in total.split()[1:3])
    assert n1 >= 8.0 and n0 < n1


def test_bind_counters_move_as_zone_statistics(mnt):
    """bind=1 from a CPU of node 0: the preferred zone is node 1's, so its
    pages are hits there, and other_node (not local to the CPU)."""
    pid = int(mnt.ctl('spawn app cpu=0'))
    mnt.pctl(pid, 'mmap 4M name=r')
    mnt.pctl(pid, 'mbind r bind=1')
    before = [numastat(mnt, n) for n in (0, 1)]
    mnt.pctl(pid, 'write r')
    after = [numastat(mnt, n) for n in (0, 1)]
    d1 = {k: after[1][k] - before[1][k] for k in after[1]}
    assert d1['numa_hit'] >= 1024 and d1['other_node'] >= 1024
    assert d1['numa_miss'] == 0 and d1['interleave_hit'] == 0
    assert after[0]['numa_foreign'] == before[0]['numa_foreign']
