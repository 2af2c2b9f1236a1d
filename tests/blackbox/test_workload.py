"""Background workloads (proc/PID/ctl `run` and `stop`): a process keeps
touching its memory while simulated time passes; it is running, uses CPU
time on its CPU, counts in procs_running and the load average, faults and
reclaims like any task; several share the CPUs; with --clock=realtime the
machine moves by itself."""
import errno
import time

import pytest

USER_HZ = 100
JIFFY = 0.004                   # CONFIG_HZ=250
LOAD_FREQ = 5 + JIFFY           # calc_global_load's period
FSHIFT = 11
FIXED_1 = 1 << FSHIFT
EXP = (1884, 2014, 2037)        # EXP_1, EXP_5, EXP_15


def spawn(m, cpu=None):
    return int(m.ctl('spawn app' + (' cpu=%d' % cpu if cpu is not None else '')))


def region(m, pid, size='64M', name='buf'):
    m.pctl(pid, 'mmap %s name=%s' % (size, name))


def stat_fields(m, pid):
    """proc/PID/stat's fields after the comm: [0] is field 3 (state)"""
    text = m.read('proc/%d/stat' % pid)
    return text[text.rindex(')') + 2:].split()


def state(m, pid):
    return stat_fields(m, pid)[0]


def cpu_ticks(m, pid):
    """utime + stime in clock ticks"""
    f = stat_fields(m, pid)
    return int(f[11]) + int(f[12])


def task_cpu(m, pid):
    return int(stat_fields(m, pid)[36])


def rss_kib(m, pid):
    return m.status(pid)['VmRSS']


def proc_stat(m):
    """{'cpuN' or 'cpu': [user, nice, system, ...], other key: value}"""
    out = {}
    for line in m.read('proc/stat').splitlines():
        k, *v = line.split()
        out[k] = [int(x) for x in v]
    return out


def loadavg(m):
    f = m.read('proc/loadavg').split()
    running, total = f[3].split('/')
    return f[:3], int(running), int(total)


def now(m):
    """simulated seconds since boot, from a zero-length tick's reply"""
    return float(m.ctl('tick 0s'))


def calc_load(load, exp, active):
    """kernel/sched/loadavg.c calc_load, in the test's own words"""
    newload = load * exp + active * (FIXED_1 - exp)
    if active >= load:
        newload += FIXED_1 - 1
    return newload // FIXED_1


def load_text(x):
    """fs/proc/loadavg.c: the rounding, then LOAD_INT.LOAD_FRAC"""
    x += FIXED_1 // 200
    return '%d.%02d' % (x >> FSHIFT, ((x & (FIXED_1 - 1)) * 100) >> FSHIFT)


def expected_load(phases, until):
    """The three averages after every calc_global_load up to `until`
    (seconds), phases [(from_seconds, active tasks)] in time order"""
    avenrun = [0, 0, 0]
    k = 1
    while k * LOAD_FREQ <= until + 1e-9:
        t = k * LOAD_FREQ
        active = 0
        for start, n in phases:
            if t >= start:
                active = n
        avenrun = [calc_load(a, e, active * FIXED_1) for a, e in zip(avenrun, EXP)]
        k += 1
    return [load_text(a) for a in avenrun]


def test_a_write_workload_runs_with_tick(mnt):
    pid = spawn(mnt)
    region(mnt, pid)
    rss0 = rss_kib(mnt, pid)
    assert mnt.pctl(pid, 'run write buf rate=16M').strip() == 'ok'
    assert state(mnt, pid) == 'R'
    assert mnt.status_text(pid)['State'] == 'R (running)'
    assert proc_stat(mnt)['procs_running'] == [1]
    assert loadavg(mnt)[1] == 1
    cpu = task_cpu(mnt, pid)
    user0 = proc_stat(mnt)['cpu%d' % cpu][0]
    ctxt0 = proc_stat(mnt)['ctxt'][0]
    mnt.ctl('tick 1s')
    # the scheduler tick is an interrupt: alone on its CPU, the workload
    # is not switched out (the periodic kernel work's switches remain)
    assert proc_stat(mnt)['ctxt'][0] - ctxt0 < 100
    # 16 MiB a second: 4096 pages, less at most the jiffy not yet ticked
    grown = rss_kib(mnt, pid) - rss0
    assert 16384 - 2 * 64 <= grown <= 16384, grown
    assert state(mnt, pid) == 'R'
    # busy the whole second on its CPU: user time, its faults system time
    assert 98 <= cpu_ticks(mnt, pid) <= USER_HZ
    f = stat_fields(mnt, pid)
    assert int(f[11]) > 90 and int(f[7]) >= 4096  # utime, minflt
    assert 98 <= proc_stat(mnt)['cpu%d' % cpu][0] - user0 <= USER_HZ
    for other in range(len(mnt.cpus())):
        if other != cpu:
            assert proc_stat(mnt)['cpu%d' % other][0] == 0
    mnt.ctl('tick 1s')
    assert rss_kib(mnt, pid) - rss0 >= 2 * 16384 - 2 * 64
    assert 198 <= cpu_ticks(mnt, pid) <= 2 * USER_HZ
    # the 64 MiB are all touched after 4 s; then round-robin again: no more
    mnt.ctl('tick 3s')
    assert rss_kib(mnt, pid) - rss0 == 65536


def test_a_read_workload_maps_the_zero_page(mnt):
    pid = spawn(mnt)
    region(mnt, pid)
    rss0 = rss_kib(mnt, pid)
    mnt.pctl(pid, 'run read buf rate=32M')
    mnt.ctl('tick 1s')
    # loads of untouched anonymous memory map the shared zero page
    assert rss_kib(mnt, pid) - rss0 < 1024
    assert int(stat_fields(mnt, pid)[7]) >= 8192
    assert state(mnt, pid) == 'R'


def test_stop_ends_it(mnt):
    pid = spawn(mnt)
    region(mnt, pid)
    mnt.pctl(pid, 'run write buf rate=8M')
    mnt.ctl('tick 1s')
    assert mnt.pctl(pid, 'stop').strip() == 'ok'
    assert state(mnt, pid) == 'S'
    assert proc_stat(mnt)['procs_running'] == [0]
    assert loadavg(mnt)[1] == 0
    rss, ticks = rss_kib(mnt, pid), cpu_ticks(mnt, pid)
    mnt.ctl('tick 2s')
    assert (rss_kib(mnt, pid), cpu_ticks(mnt, pid)) == (rss, ticks)
    # and it can run again, from the start of its region
    mnt.pctl(pid, 'run write buf rate=16M')
    mnt.ctl('tick 1s')
    assert rss_kib(mnt, pid) - rss >= 8192 - 128
    assert cpu_ticks(mnt, pid) - ticks >= 98


def test_for_ends_it(mnt):
    pid = spawn(mnt)
    region(mnt, pid)
    rss0 = rss_kib(mnt, pid)
    mnt.pctl(pid, 'run write buf rate=16M for=500ms')
    mnt.ctl('tick 500ms')
    # ended exactly then: the rate's bytes up to the end, all of them
    assert state(mnt, pid) == 'S'
    assert rss_kib(mnt, pid) - rss0 == 8192
    assert 48 <= cpu_ticks(mnt, pid) <= 50
    assert proc_stat(mnt)['procs_running'] == [0]
    mnt.ctl('tick 1s')
    assert rss_kib(mnt, pid) - rss0 == 8192


def test_exit_and_sigsegv_end_it(mnt):
    a, b = spawn(mnt), spawn(mnt)
    region(mnt, a)
    region(mnt, b)
    mnt.pctl(a, 'run write buf rate=8M')
    mnt.pctl(b, 'run write buf rate=8M')
    assert loadavg(mnt)[1] == 2
    mnt.pctl(a, 'exit')
    assert loadavg(mnt)[1] == 1
    # its region unmapped under it: the next touch is a SIGSEGV
    mnt.pctl(b, 'munmap buf')
    mnt.ctl('tick 100ms')
    assert b not in mnt.pids()
    assert any('app[%d]: segfault at' % b in l for l in mnt.log_lines())
    assert proc_stat(mnt)['procs_running'] == [0]


def test_load_average_follows_calc_load(mnt):
    pids = [spawn(mnt) for _ in range(3)]
    for p in pids:
        region(mnt, p, '16M')
    start = now(mnt)
    assert start < LOAD_FREQ
    for p in pids:
        mnt.pctl(p, 'run write buf rate=4M')
    t = float(mnt.ctl('tick 61s'))
    assert loadavg(mnt)[0] == expected_load([(start, 3)], t)
    assert loadavg(mnt)[0][0] != '0.00'
    # one stops: two left
    mnt.pctl(pids[0], 'stop')
    t1 = now(mnt)
    t = float(mnt.ctl('tick 29s'))
    assert loadavg(mnt)[0] == expected_load([(start, 3), (t1, 2)], t)
    # all stop: it decays
    for p in pids[1:]:
        mnt.pctl(p, 'stop')
    t2 = now(mnt)
    t = float(mnt.ctl('tick 100s'))
    assert loadavg(mnt)[0] == expected_load([(start, 3), (t1, 2), (t2, 0)], t)


def test_workloads_share_a_cpu(mnt):
    """Three on CPU 0 share it tick by tick; one on CPU 1 has its own."""
    shared = [spawn(mnt, cpu=0) for _ in range(3)]
    alone = spawn(mnt, cpu=1)
    for p in shared + [alone]:
        region(mnt, p, '16M')
        mnt.pctl(p, 'run write buf rate=8M')
    assert proc_stat(mnt)['procs_running'] == [4]
    rss0 = {p: rss_kib(mnt, p) for p in shared + [alone]}
    mnt.ctl('tick 1500ms')
    ticks = [cpu_ticks(mnt, p) for p in shared]
    assert sum(ticks) >= 147 and max(ticks) - min(ticks) <= 2, ticks
    assert 147 <= cpu_ticks(mnt, alone) <= 150
    # each touched at its rate all the same: 12 MiB of its 16
    for p in shared + [alone]:
        assert 12288 - 3 * 128 <= rss_kib(mnt, p) - rss0[p] <= 12288
    for p in shared:
        assert int(mnt.status_text(p)['nonvoluntary_ctxt_switches']) > 50
    assert int(mnt.status_text(alone)['nonvoluntary_ctxt_switches']) == 0
    st = proc_stat(mnt)
    assert st['cpu0'][0] >= 145 and st['cpu1'][0] >= 145
    assert st['cpu'][0] == sum(st['cpu%d' % c][0] for c in mnt.cpus())


def test_a_workload_under_pressure_reclaims(mount):
    m = mount('--machine=small')
    pids = [spawn(m) for _ in range(2)]
    for p in pids:
        region(m, p, '640M')
        m.pctl(p, 'run write buf rate=256M')
    m.ctl('tick 6s')
    v = m.vmstat()
    assert v['pswpout'] > 0 and v['pgsteal_kswapd'] + v['pgsteal_direct'] > 0
    # the second pass finds pages on swap: major faults, swap-ins
    assert v['pswpin'] > 0
    for p in pids:
        assert state(m, p) in 'RD'
        assert int(stat_fields(m, p)[9]) > 0  # majflt
    assert proc_stat(m)['procs_running'] == [2]


def test_realtime_machine_moves_by_itself(mount):
    m = mount('--clock=realtime')
    pid = spawn(m)
    region(m, pid, '512M')
    m.pctl(pid, 'run write buf rate=64M')
    a = m.meminfo()
    time.sleep(1.0)
    b = m.meminfo()
    assert b['MemFree'] < a['MemFree'] - 16 * 1024
    assert b['AnonPages'] > a['AnonPages']
    assert state(m, pid) == 'R'
    m.pctl(pid, 'stop')


def test_same_commands_same_files(mount):
    def script(m):
        pids = [spawn(m) for _ in range(3)]
        for p in pids:
            region(m, p, '32M')
        m.pctl(pids[0], 'run write buf rate=16M')
        m.pctl(pids[1], 'run read buf rate=8M for=2s')
        m.ctl('tick 1500ms')
        m.pctl(pids[2], 'run write buf rate=32M')
        m.ctl('tick 7s')
        m.pctl(pids[0], 'stop')
        m.ctl('tick 250ms')

    a, b = mount(), mount()
    script(a)
    script(b)
    fa, fb = a.snapshot(exclude=()), b.snapshot(exclude=())
    assert [p for p in fa if fa[p] != fb.get(p)] == []


BAD = [
    ('run', 'usage'),
    ('run write', 'usage'),
    ('run write buf', 'rate= is required'),
    ('run write buf rate=0', 'rate='),
    ('run write buf rate=lots', 'rate='),
    ('run write buf rate=2T', 'rate='),
    ('run scan buf rate=1M', 'usage'),
    ('run write nosuch rate=1M', 'no region'),
    ('run write buf rate=1M for=0s', 'for='),
    ('run write buf rate=1M for=5', 'for='),
    ('run write buf rate=1M off=64M', 'off='),
    ('run write buf rate=1M bogus=1', 'unknown option'),
    ('run write buf extra rate=1M', 'usage'),
    ('stop', 'no workload'),
    ('stop now', 'usage'),
]


@pytest.mark.parametrize('cmd,why', BAD, ids=[c for c, _ in BAD])
def test_bad_input_is_refused(mnt, cmd, why):
    pid = spawn(mnt)
    region(mnt, pid)
    before = mnt.read('proc/%d/stat' % pid), mnt.read('proc/stat')
    err, _ = mnt.pctl_raw(pid, cmd)
    assert err == errno.EINVAL
    line = mnt.log_lines()[-1]
    assert 'proc/%d/ctl' % pid in line and 'refused' in line and why in line, line
    assert (mnt.read('proc/%d/stat' % pid), mnt.read('proc/stat')) == before


def test_one_workload_per_process(mnt):
    pid = spawn(mnt)
    region(mnt, pid)
    mnt.pctl(pid, 'run write buf rate=1M')
    err, _ = mnt.pctl_raw(pid, 'run read buf rate=1M')
    assert err == errno.EBUSY
    assert 'a workload runs already' in mnt.log_lines()[-1]
    assert proc_stat(mnt)['procs_running'] == [1]


def test_kernel_threads_run_no_workload(mnt):
    err, _ = mnt.pctl_raw(2, 'run write 0x1000 rate=1M')
    assert err == errno.EINVAL
    err, _ = mnt.pctl_raw(2, 'stop')
    assert err == errno.EINVAL
