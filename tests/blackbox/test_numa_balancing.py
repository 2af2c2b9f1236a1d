"""Automatic NUMA balancing on the default machine (two nodes, CPUs 0-1 on
node 0, 2-3 on node 1): the sysctls and debugfs knobs, the scan that
makes ptes PROT_NONE, the hinting faults and the migration of a moved
task's pages."""
import errno

KNOBS = {'scan_delay_ms': 1000, 'scan_period_min_ms': 1000, 'scan_period_max_ms': 60000,
         'scan_size_mb': 256, 'hot_threshold_ms': 1000}
DEBUGFS = 'sys/kernel/debug/sched/numa_balancing/'


def moved_task(m, size='4M'):
    """A task on node 0 whose region sits on node 0, then moved to node 1."""
    pid = int(m.ctl('spawn app cpu=0'))
    m.pctl(pid, 'mmap %s name=buf' % size)
    m.pctl(pid, 'write buf fill=unique')
    assert set(m.numa_nodes(pid, 'buf')) == {0}
    cpu1 = m.cpu_of_node(1)
    m.pctl(pid, 'sched_setaffinity %d-%d' % (cpu1, cpu1 + 1))
    return pid


def run_for(m, pid, seconds, until=None):
    """Tick a second and read the region, up to seconds times; the
    seconds it took until until() held (None if never)."""
    for s in range(1, seconds + 1):
        m.ctl('tick 1s')
        m.pctl(pid, 'read buf')
        if until and until():
            return s
    return None


def test_defaults(mnt):
    assert mnt.read('proc/sys/kernel/numa_balancing') == '0\n'
    assert mnt.read('proc/sys/kernel/numa_balancing_promote_rate_limit_MBps') == '65536\n'
    for k, v in KNOBS.items():
        assert mnt.read(DEBUGFS + k) == '%d\n' % v


def test_bad_values_refused(mnt):
    for bad in ('5', '-1', 'x', '1x'):
        assert mnt.write('proc/sys/kernel/numa_balancing', bad) == (False, errno.EINVAL), bad
    assert mnt.read('proc/sys/kernel/numa_balancing') == '0\n'
    for bad in ('-1', 'lots', '2147483648'):
        assert mnt.write('proc/sys/kernel/numa_balancing_promote_rate_limit_MBps', bad) == (False, errno.EINVAL), bad
    assert mnt.read('proc/sys/kernel/numa_balancing_promote_rate_limit_MBps') == '65536\n'
    for bad in ('x', '-', '0x'):
        assert mnt.write(DEBUGFS + 'scan_size_mb', bad) == (False, errno.EINVAL), bad
    assert mnt.read(DEBUGFS + 'scan_size_mb') == '256\n'
    assert 'numa_balancing' in mnt.log()
    # the kernel's range is 0..4 (SYSCTL_FOUR), and each mode reads back
    for good in ('1', '2', '3', '4', '0'):
        assert mnt.write('proc/sys/kernel/numa_balancing', good) == (True, 0)
        assert mnt.read('proc/sys/kernel/numa_balancing') == good + '\n'
    # debugfs u32: any base, the low 32 bits
    assert mnt.write(DEBUGFS + 'scan_delay_ms', '0x100') == (True, 0)
    assert mnt.read(DEBUGFS + 'scan_delay_ms') == '256\n'
    assert mnt.write(DEBUGFS + 'scan_delay_ms', str(2**32 + 7)) == (True, 0)
    assert mnt.read(DEBUGFS + 'scan_delay_ms') == '7\n'


def test_off_pages_stay(mnt):
    pid = moved_task(mnt)
    before = mnt.vmstat()
    run_for(mnt, pid, 15)
    after = mnt.vmstat()
    assert mnt.numa_nodes(pid, 'buf') == {0: 1024}
    for k in ('numa_pte_updates', 'numa_hint_faults', 'numa_pages_migrated'):
        assert after[k] == before[k] == 0, k


def test_moved_task_pulls_pages(mnt):
    pid = moved_task(mnt)
    rss = mnt.status(pid)['VmRSS']
    before = mnt.vmstat()
    assert mnt.write('proc/sys/kernel/numa_balancing', '1') == (True, 0)
    took = run_for(mnt, pid, 20, lambda: mnt.numa_nodes(pid, 'buf') == {1: 1024})
    # the first scan comes scan_delay after balancing sees the task, the
    # next a scan period later: every page has moved a few seconds on
    assert took is not None and took <= 5, took
    after = mnt.vmstat()
    assert after['numa_pte_updates'] - before['numa_pte_updates'] >= 1024
    assert after['numa_hint_faults'] - before['numa_hint_faults'] >= 1024
    assert after['numa_pages_migrated'] - before['numa_pages_migrated'] >= 1024
    assert after['pgmigrate_success'] - before['pgmigrate_success'] >= 1024
    assert after['numa_hint_faults_local'] <= after['numa_hint_faults']
    assert mnt.status(pid)['VmRSS'] == rss
    # pages now local: the scan leaves them alone, no more migrations
    run_for(mnt, pid, 5)
    assert mnt.vmstat()['numa_pages_migrated'] == after['numa_pages_migrated']
    assert mnt.numa_nodes(pid, 'buf') == {1: 1024}


def test_policy_pins_pages(mnt):
    """An explicit policy has no MPOL_F_NUMA_BALANCING: nothing moves."""
    pid = moved_task(mnt)
    mnt.pctl(pid, 'mbind buf bind=0')
    assert mnt.write('proc/sys/kernel/numa_balancing', '1') == (True, 0)
    run_for(mnt, pid, 8)
    assert mnt.numa_nodes(pid, 'buf') == {0: 1024}


def test_scan_size_bounds_a_pass(mnt):
    """scan_size_mb=1: a scan marks the ptes of about 1 MiB (256 pages),
    so the 8 MiB region takes several scans (a period of about 110 ms:
    scan_period_min over the RSS in 1 MiB windows)."""
    moved_task(mnt, '8M')
    assert mnt.write(DEBUGFS + 'scan_size_mb', '1') == (True, 0)
    assert mnt.write('proc/sys/kernel/numa_balancing', '1') == (True, 0)
    mnt.ctl('tick 1900ms')
    seen = []
    for _ in range(100):
        mnt.ctl('tick 20ms')
        seen.append(mnt.vmstat()['numa_pte_updates'])
    steps = [b - a for a, b in zip(seen, seen[1:]) if b != a]
    assert len(steps) >= 4, steps
    # one scan: 1 MiB of ranges with updates, each stretched to a 2 MiB
    # boundary at most (other processes' scans may share a sample)
    assert max(steps) <= 1024, steps
    assert seen[-1] >= 2048


def test_mode_off_stops_scanning(mnt):
    pid = moved_task(mnt)
    assert mnt.write('proc/sys/kernel/numa_balancing', '1') == (True, 0)
    mnt.ctl('tick 3s')
    assert mnt.write('proc/sys/kernel/numa_balancing', '0') == (True, 0)
    updates = mnt.vmstat()['numa_pte_updates']
    mnt.ctl('tick 10s')
    assert mnt.vmstat()['numa_pte_updates'] == updates
    # marked ptes still take their hinting fault, as in Linux
    mnt.pctl(pid, 'read buf')
