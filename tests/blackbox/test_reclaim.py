"""Memory pressure through the tree: kswapd and direct reclaim, swap-out and
swap-in, swappiness, workingset refaults, madvise cold/pageout, swapoff
bringing pages back, PSI memory pressure, and the counters of each in
proc/vmstat, proc/meminfo, proc/PID/status, proc/PID/smaps and
proc/pressure (issue: LRU reclaim, kswapd, swap)."""
import re

from conftest import parse_kv


def majflt(m, pid):
    text = m.read('proc/%d/stat' % pid)
    return int(text[text.rindex(')') + 2:].split()[9])


def pressure(m, res):
    """{'some': {'avg10': .., 'total': ..}, 'full': {...}}"""
    out = {}
    for line in m.read('proc/pressure/%s' % res).splitlines():
        kind, *kv = line.split()
        out[kind] = {k: float(v) for k, v in (x.split('=') for x in kv)}
    return out


def zones(m):
    """[(node, zone, free, min, low, high, present)] from proc/zoneinfo"""
    out = []
    cur = None
    for line in m.read('proc/zoneinfo').splitlines():
        hd = re.match(r'Node (\d+), zone\s+(\w+)', line)
        if hd:
            cur = {'node': int(hd.group(1)), 'zone': hd.group(2)}
            out.append(cur)
            continue
        w = line.split()
        if cur is not None and len(w) == 2 and w[0] in ('min', 'low', 'high', 'present'):
            cur[w[0]] = int(w[1])
        if cur is not None and len(w) == 3 and w[:2] == ['pages', 'free']:
            cur['free'] = int(w[2])
    return out


def test_swap_lets_a_process_bigger_than_ram_live(mount):
    """1 GiB of RAM, 2 GiB of swap: writing 1.5 GiB succeeds, swap use,
    pswpout, pgscan and VmSwap rise; reading it back swaps in with major
    faults."""
    m = mount('--machine=small', '--swap=2G')
    m.ctl('spawn hog pid=1000')
    m.pctl(1000, 'mmap 1536M name=big').strip()
    v0, mi0 = m.vmstat(), m.meminfo()
    assert m.pctl(1000, 'write big').strip() == 'ok'
    v1, mi1 = m.vmstat(), m.meminfo()
    assert 1000 in m.pids()
    assert mi1['SwapFree'] < mi0['SwapFree'] - 400 * 1024
    assert v1['pswpout'] - v0['pswpout'] >= 100000
    assert v1['pgscan_kswapd'] + v1['pgscan_direct'] > v0['pgscan_kswapd'] + v0['pgscan_direct']
    assert v1['pgsteal_anon'] > v0['pgsteal_anon']
    assert v1['pageoutrun'] > v0['pageoutrun']
    assert v1['oom_kill'] == 0
    st = m.status(1000)
    assert st['VmSwap'] > 400 * 1024
    assert st['VmRSS'] + st['VmSwap'] >= 1536 * 1024
    f0 = majflt(m, 1000)
    assert m.pctl(1000, 'read big').strip() == 'ok'
    v2 = m.vmstat()
    assert v2['pswpin'] > v1['pswpin']
    assert v2['pgmajfault'] > v1['pgmajfault']
    assert majflt(m, 1000) > f0
    # page-cluster 3: swap-in reads several pages per major fault
    assert v2['pswpin'] - v1['pswpin'] > majflt(m, 1000) - f0
    assert pressure(m, 'memory')['some']['total'] > 0
    assert pressure(m, 'io')['some']['total'] > 0


def test_kswapd_leaves_the_node_above_its_watermarks(mount):
    """Reading 2 GiB of files on a 1 GiB machine: kswapd runs (pageoutrun),
    reclaims page cache, and every zone ends with free pages above its
    low watermark (kswapd stopped at the high one; the last reads took a
    little)."""
    m = mount('--machine=small', '--swap=0')
    m.ctl('spawn reader pid=1000')
    m.ctl('file /data/big 2G')
    # one read is at most MAX_RW_COUNT (2 GiB - 4 KiB), as in Linux
    assert m.pctl(1000, 'pread /data/big 0 1G').strip() == str(1 << 30)
    assert m.pctl(1000, 'pread /data/big 1G 1G').strip() == str(1 << 30)
    v = m.vmstat()
    assert v['pageoutrun'] > 0 and v['pgsteal_kswapd'] > 0
    assert v['pgscan_file'] >= v['pgsteal_file'] > 0
    assert v['pgsteal_anon'] == 0  # no swap: anon is never scanned
    for z in zones(m):
        if z.get('present') and z['zone'] != 'DMA':
            assert z['free'] >= z['low'], z


def steal_with_swappiness(mount, swappiness):
    m = mount('--machine=small', '--swap=2G')
    m.write('proc/sys/vm/swappiness', '%d\n' % swappiness)
    m.ctl('spawn a pid=1000')
    m.ctl('spawn b pid=1001')
    m.ctl('file /data/f 300M')
    # twice: an active cache, so no cache_trim_mode
    m.pctl(1000, 'pread /data/f 0 300M').strip()
    m.pctl(1000, 'pread /data/f 0 300M').strip()
    m.pctl(1000, 'mmap 300M name=a').strip()
    m.pctl(1000, 'write a').strip()
    m.pctl(1001, 'mmap 600M name=b').strip()
    m.pctl(1001, 'write b').strip()
    v = m.vmstat()
    return v['pgsteal_anon'], v['pgsteal_file']


def test_swappiness_moves_reclaim_between_file_and_anon(mount):
    anon0, file0 = steal_with_swappiness(mount, 0)
    anon200, file200 = steal_with_swappiness(mount, 200)
    assert anon0 == 0 and file0 > 0
    assert anon200 > 0 and file200 == 0


def test_refaults_of_the_workingset(mount):
    """A file evicted while reading another, then read again: refaults,
    activated because the distance is within the active cache."""
    m = mount('--machine=small', '--swap=0')
    m.ctl('spawn r pid=1000')
    for path, size in (('/data/a', '100M'), ('/data/b', '580M'), ('/data/c', '300M')):
        m.ctl('file %s %s' % (path, size))
    m.pctl(1000, 'pread /data/c 0 300M').strip()
    m.pctl(1000, 'pread /data/c 0 300M').strip()
    m.pctl(1000, 'pread /data/a 0 100M').strip()
    m.pctl(1000, 'pread /data/b 0 580M').strip()
    v0 = m.vmstat()
    m.pctl(1000, 'pread /data/a 0 100M').strip()
    v1 = m.vmstat()
    assert v1['workingset_refault_file'] > v0['workingset_refault_file']
    assert 0 < v1['workingset_activate_file'] - v0['workingset_activate_file'] <= \
        v1['workingset_refault_file'] - v0['workingset_refault_file']
    assert v1['pgpgin'] > v0['pgpgin']


def test_madvise_pageout_cold_and_swapoff(mount):
    m = mount('--machine=small', '--swap=1G')
    m.ctl('spawn p pid=1000')
    m.pctl(1000, 'mmap 8M name=buf').strip()
    m.pctl(1000, 'write buf').strip()
    rss = m.status(1000)['RssAnon']
    v0 = m.vmstat()
    assert m.pctl(1000, 'madvise buf pageout').strip() == 'ok'
    assert m.vmstat()['pswpout'] - v0['pswpout'] == 2048
    st = m.status(1000)
    assert st['VmSwap'] == 8192 and st['RssAnon'] == rss - 8192
    smaps = m.read('proc/1000/smaps')
    assert re.search(r'\nSwap:\s+8192 kB', smaps), smaps
    m.ctl('tick 1s')  # the writes complete
    assert m.meminfo()['Writeback'] == 0
    assert m.pctl(1000, 'madvise buf cold').strip() == 'ok'
    # swapoff brings everything back in
    m.ctl('swapoff /dev/sda5')
    st = m.status(1000)
    assert st['VmSwap'] == 0 and st['RssAnon'] == rss
    assert m.meminfo()['SwapTotal'] == 0


def test_pressure_rises_when_thrashing_and_decays(mount):
    m = mount('--machine=small', '--swap=2G')
    m.ctl('spawn t pid=1000')
    m.pctl(1000, 'mmap 1300M name=big').strip()
    m.pctl(1000, 'write big').strip()
    m.pctl(1000, 'write big').strip()
    m.ctl('tick 3s')
    p = pressure(m, 'memory')
    assert p['some']['total'] > 0 and p['some']['avg10'] > 0
    m.ctl('tick 600s')
    p = pressure(m, 'memory')
    assert p['some']['avg10'] == 0 and p['some']['avg60'] == 0
