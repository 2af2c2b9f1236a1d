"""Reclaim in simulated time: kswapd runs on its own CPU beside the task
that faults, sleeps when the node is balanced (the short sleep, then the
full one), and direct reclaim takes over in short SWAP_CLUSTER_MAX passes
when the allocator outruns it; the memory pressure progression of the
small machine, step by step, on the files."""
import re

from conftest import parse_kv


def zone(m, name='DMA32', node=0):
    """{'free', 'min', 'low', 'high'} of one zone in proc/zoneinfo"""
    cur = None
    out = {}
    for line in m.read('proc/zoneinfo').splitlines():
        hd = re.match(r'Node (\d+), zone\s+(\w+)', line)
        if hd:
            cur = (int(hd.group(1)), hd.group(2))
            continue
        w = line.split()
        if cur != (node, name):
            continue
        if len(w) == 3 and w[:2] == ['pages', 'free']:
            out['free'] = int(w[2])
        elif len(w) == 2 and w[0] in ('min', 'low', 'high'):
            out[w[0]] = int(w[1])
    return out


def kswapd(m):
    """(state, stime ticks) of kswapd0 from proc/PID/stat"""
    for pid in m.pids():
        if m.read('proc/%d/comm' % pid).strip() == 'kswapd0':
            rest = m.read('proc/%d/stat' % pid)
            f = rest[rest.rindex(')') + 2:].split()
            return f[0], int(f[12])
    raise AssertionError('no kswapd0')


def psi_mem(m):
    out = {}
    for line in m.read('proc/pressure/memory').splitlines():
        kind, *kv = line.split()
        out[kind] = int(dict(x.split('=') for x in kv)['total'])
    return out


def uptime(m):
    return float(m.read('proc/uptime').split()[0])


def step_until_kswapd_wakes(m, pid, region):
    """Writes 64 MiB steps with a tick between; returns the offset reached
    when pageoutrun first rose (kswapd woke at the low watermark)."""
    off = 0
    while True:
        assert off < 1024, 'kswapd never woke'
        assert m.pctl(pid, 'write %s off=%dM len=64M' % (region, off)).strip() == 'ok'
        off += 64
        if m.vmstat()['pageoutrun']:
            return off
        m.ctl('tick 1s')


def test_progression_step_by_step(mount):
    """The 1 GiB machine with 2 GiB of swap: kswapd wakes at low, brings
    free memory back to high and sleeps; a fast writer outruns it and
    stalls in direct reclaim beside it; with no swap left, the OOM
    killer."""
    m = mount('--machine=small', '--swap=2G')
    # the steps below are sized against the square-root min_free_kbytes
    m.thp_off()
    # watermarks 10% of the zone apart: room for kswapd to work in
    m.write('proc/sys/vm/watermark_scale_factor', '1000\n')
    m.ctl('spawn hog pid=1000')
    m.pctl(1000, 'mmap 1536M name=a')
    assert m.vmstat()['pageoutrun'] == 0
    assert kswapd(m)[0] == 'S'
    off = step_until_kswapd_wakes(m, 1000, 'a')
    v = m.vmstat()
    assert v['pageoutrun'] >= 1 and v['allocstall_movable'] == 0, v
    # kswapd reclaims while time passes: back to high, then asleep
    m.ctl('tick 1s')
    z = zone(m)
    assert z['free'] >= z['high'], z
    state, stime = kswapd(m)
    assert state == 'S' and stime > 0
    assert m.vmstat()['pgscan_kswapd'] > 0
    # steps faster than its short sleep (HZ/10): woken while dozing
    for i in range(8):
        m.pctl(1000, 'write a off=%dM len=64M' % (off + 64 * i))
        m.ctl('tick 20ms')
    v1 = m.vmstat()
    assert v1['kswapd_low_wmark_hit_quickly'] > 0, v1
    # a fast writer: many short direct reclaims beside kswapd
    m.pctl(1000, 'mmap 1G name=b')
    t0, p0 = uptime(m), psi_mem(m)
    assert m.pctl(1000, 'write b').strip() == 'ok'
    v2 = m.vmstat()
    assert uptime(m) > t0, 'faulting 1 GiB takes simulated time'
    stalls = v2['allocstall_movable'] - v1['allocstall_movable']
    direct = v2['pgscan_direct'] - v1['pgscan_direct']
    assert stalls >= 10, v2
    assert v2['pgscan_kswapd'] > v1['pgscan_kswapd']
    assert v2['pgsteal_direct'] > v1['pgsteal_direct']
    assert direct / stalls < 4096, 'each stall is a short pass, not a sweep'
    p2 = psi_mem(m)
    assert p2['full'] > p0['full'] and p2['some'] >= p2['full'] - p0['full']
    assert m.status(1000)['VmSwap'] > 0
    # no swap left: the OOM killer
    m.ctl('spawn hog2 pid=1001')
    m.pctl(1001, 'mmap 2560M name=c')
    m.pctl_raw(1001, 'write c')
    assert m.vmstat()['oom_kill'] >= 1
    assert any('Killed process' in x for x in m.log_lines())


def test_free_below_min_is_restored_by_tick(mount):
    """Free memory pushed below min (min_free_kbytes raised), then a last
    allocation that wakes kswapd: nothing allocates any more, and after a
    tick kswapd has brought the zone to its high watermark."""
    m = mount('--machine=small', '--swap=2G')
    m.ctl('spawn hog pid=1000')
    m.pctl(1000, 'mmap 900M name=a')
    m.pctl(1000, 'write a')
    m.ctl('tick 2s')
    m.write('proc/sys/vm/min_free_kbytes', '%d\n' % (64 * 1024))
    z = zone(m)
    assert z['free'] < z['min'], z
    assert m.vmstat()['pageoutrun'] == 0
    # the last allocation: 16 MiB more, past what DMA can lend
    m.pctl(1000, 'mmap 16M name=b')
    m.pctl(1000, 'write b')
    assert m.vmstat()['pageoutrun'] >= 1
    z = zone(m)
    assert z['free'] < z['high'], z
    m.ctl('tick 2s')
    z = zone(m)
    assert z['free'] >= z['high'], z
    assert kswapd(m)[0] == 'S'


def ctxsw(m, pid):
    return m.status(pid)['voluntary_ctxt_switches']


def test_two_processes_fault_at_once(mount):
    """Two writers in turns, in 32 MiB steps, on a machine short of
    memory: both make progress (resident plus swapped grows for each);
    the one that stalls sleeps in D state (voluntary switches) and PSI
    memory full counts the stall; kswapd reclaims all along."""
    m = mount('--machine=small', '--swap=2G')
    for pid in (1000, 1001):
        m.ctl('spawn w%d pid=%d' % (pid, pid))
        m.pctl(pid, 'mmap 768M name=buf')
    done = {1000: 0, 1001: 0}
    sw0 = {pid: ctxsw(m, pid) for pid in done}
    for step in range(24):
        for pid in done:
            m.pctl(pid, 'write buf off=%dM len=32M' % (32 * step))
            st = m.status(pid)
            total = st['VmRSS'] + st['VmSwap']
            assert total > done[pid], 'pid %d made no progress' % pid
            done[pid] = total
    v = m.vmstat()
    assert v['pgscan_kswapd'] > 0 and v['allocstall_movable'] > 0
    assert any(ctxsw(m, pid) > sw0[pid] for pid in done)
    assert psi_mem(m)['full'] > 0
    for pid in done:
        assert done[pid] >= 768 * 1024


def test_same_seed_same_files_with_kswapd_running(mount):
    """Reclaim with kswapd concurrent is deterministic: two runs of the
    same commands under the same seed give byte-identical files."""
    snaps = []
    for _ in range(2):
        m = mount('--machine=small', '--swap=2G', '--seed=11')
        m.ctl('spawn hog pid=1000')
        m.pctl(1000, 'mmap 1200M name=a')
        m.pctl(1000, 'write a len=600M')
        m.ctl('tick 50ms')
        m.pctl(1000, 'write a off=600M len=600M')
        snaps.append(m.snapshot(skip=('sys/kernel/debug',)))
        m.unmount()
    a, b = snaps
    assert a.keys() == b.keys()
    assert [p for p in a if a[p] != b[p]] == []
