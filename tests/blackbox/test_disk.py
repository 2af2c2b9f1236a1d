"""The simulated disk as block/genhd.c shows it: proc/partitions,
proc/diskstats, sys/block/sda/ and its partitions, and the tools that read
them (procps vmstat -d, sysstat iostat, psutil)."""
import shutil

import pytest

# The default preset's disk: 100 us per request, 500 MB/s (config.c)
LATENCY_NS = 100000
BANDWIDTH = 500000000
SECTORS_PER_PAGE = 8

DISKSTATS_FIELDS = ['reads', 'rmerged', 'rsectors', 'rms', 'writes', 'wmerged', 'wsectors', 'wms',
                    'inflight', 'io_ms', 'weighted_ms', 'discards', 'dmerged', 'dsectors', 'dms',
                    'flushes', 'fms']


def diskstats(m):
    """{name: {field: value}} with the 20 fields of 6.18's diskstats."""
    out = {}
    for line in m.read('proc/diskstats').splitlines():
        f = line.split()
        assert len(f) == 20, line
        out[f[2]] = dict(zip(['major', 'minor'] + DISKSTATS_FIELDS, [int(x) for x in f[:2] + f[3:]]))
    return out


def partitions(m):
    lines = m.read('proc/partitions').splitlines()
    assert lines[:2] == ['major minor  #blocks  name', '']
    return {f[3]: (int(f[0]), int(f[1]), int(f[2])) for f in (l.split() for l in lines[2:])}


def request_ms(pages):
    """time from submission to completion of one request on an idle disk"""
    return (LATENCY_NS + pages * 4096 * 10**9 // BANDWIDTH) // 10**6


def test_partition_table(mnt):
    """Debian's guided msdos layout: sda1 root, sda2 extended, sda5 swap;
    the boot swap device is the partition, of the partition's size"""
    p = partitions(mnt)
    assert list(p) == ['sda', 'sda1', 'sda2', 'sda5']
    assert [v[:2] for v in p.values()] == [(8, 0), (8, 1), (8, 2), (8, 5)]
    assert p['sda2'][2] == 1
    assert p['sda5'][2] == 2 << 20  # the preset's 2 GiB
    swaps = mnt.read('proc/swaps').splitlines()[1].split()
    assert swaps[:2] == ['/dev/sda5', 'partition']
    assert int(swaps[2]) == p['sda5'][2] - 4  # less the header page
    size = {n: int(mnt.read('sys/block/sda/%s/size' % n)) for n in ('sda1', 'sda2', 'sda5')}
    start = {n: int(mnt.read('sys/block/sda/%s/start' % n)) for n in ('sda1', 'sda2', 'sda5')}
    assert int(mnt.read('sys/block/sda/size')) == p['sda'][2] * 2
    assert start['sda1'] == 2048 and start['sda2'] >= start['sda1'] + size['sda1']
    assert start['sda5'] == start['sda2'] + 2048 and size['sda2'] == 2
    assert start['sda5'] + size['sda5'] <= int(mnt.read('sys/block/sda/size'))
    for n in ('sda1', 'sda2', 'sda5'):
        assert mnt.read('sys/block/sda/%s/dev' % n) == '8:%s\n' % n[3:]
        assert mnt.read('sys/block/sda/%s/partition' % n) == n[3:] + '\n'
        assert size[n] == p[n][2] * 2 or n == 'sda2'
    assert mnt.read('sys/block/sda/dev') == '8:0\n'
    assert mnt.partitions() == [1, 2, 5]


def test_no_swap_no_swap_partition(mount):
    m = mount('--swap=0')
    assert list(partitions(m)) == ['sda', 'sda1']
    assert list(diskstats(m)) == ['sda', 'sda1']
    assert m.partitions() == [1]


def test_idle_disk(mnt):
    d = diskstats(mnt)
    assert list(d) == ['sda', 'sda1', 'sda2', 'sda5']
    for name, f in d.items():
        assert all(f[k] == 0 for k in DISKSTATS_FIELDS), (name, f)
    assert mnt.read('sys/block/sda/inflight') == '       0        0\n'


def stat_file(m, rel):
    text = m.read(rel)
    f = text.split()
    assert len(f) == 17, text
    assert text == ' '.join('%8s' % x for x in f) + '\n'
    return dict(zip(DISKSTATS_FIELDS, [int(x) for x in f]))


def test_file_reads_go_to_sda1(mnt):
    """a pread's readahead requests: counted on sda1 and the disk when
    they complete, sectors as pgpgin counts them"""
    mnt.ctl('file /data 64M')
    pid = int(mnt.ctl('spawn reader'))
    assert mnt.pctl(pid, 'pread /data 0 16M') == '16777216\n'
    d = diskstats(mnt)
    vm = mnt.vmstat()
    # pgpgin counts at submission, the disk at completion: the async
    # readahead is still in flight
    assert 0 < d['sda1']['rsectors'] < vm['pgpgin'] * 2
    assert d['sda1']['inflight'] == 1
    mnt.ctl('tick 1s')
    d = diskstats(mnt)
    assert d['sda1']['rsectors'] == vm['pgpgin'] * 2
    assert d['sda1']['reads'] > 0 and d['sda1']['rmerged'] == 0
    assert d['sda5']['reads'] == d['sda5']['writes'] == 0
    for k in DISKSTATS_FIELDS:
        assert d['sda'][k] == d['sda1'][k] + d['sda2'][k] + d['sda5'][k] or k in ('io_ms', 'inflight'), k
    assert d['sda']['weighted_ms'] == d['sda']['rms'] + d['sda']['wms']
    assert d['sda']['io_ms'] <= d['sda']['weighted_ms'] + d['sda']['inflight'] * 1000
    # the files agree with each other
    assert stat_file(mnt, 'sys/block/sda/stat') == {k: d['sda'][k] for k in DISKSTATS_FIELDS}
    assert stat_file(mnt, 'sys/block/sda/sda1/stat') == {k: d['sda1'][k] for k in DISKSTATS_FIELDS}


def test_swap_writes_go_to_sda5(mnt):
    """pageout of 64 MiB: one request of 16384 bios merged by the plug,
    in flight until simulated time passes its completion, then counted
    with the time it took"""
    pid = int(mnt.ctl('spawn web'))
    mnt.pctl(pid, 'mmap 64M name=buf')
    mnt.pctl(pid, 'write buf')
    mnt.pctl(pid, 'madvise buf pageout')
    pages = mnt.vmstat()['pswpout']
    assert pages == 16384
    d = diskstats(mnt)
    assert d['sda5']['inflight'] == d['sda']['inflight'] == 1
    assert d['sda5']['writes'] == 0
    assert mnt.read('sys/block/sda/sda5/inflight') == '       0        1\n'
    assert mnt.read('sys/block/sda/sda1/inflight') == '       0        0\n'
    mnt.ctl('tick 1s')
    d = diskstats(mnt)
    s5 = d['sda5']
    assert (s5['writes'], s5['wmerged'], s5['wsectors']) == (1, pages - 1, pages * SECTORS_PER_PAGE)
    assert s5['wms'] == request_ms(pages) == s5['weighted_ms'] == s5['io_ms']
    assert s5['inflight'] == 0
    assert d['sda1']['writes'] == 0
    assert d['sda']['wsectors'] == mnt.vmstat()['pgpgout'] * 2


def test_swapin_reads(mount):
    """swap-in under pressure: one request per readahead window, each page
    a bio merged under the plug"""
    m = mount('--machine=small', '--swap=2G')
    pid = int(m.ctl('spawn hog'))
    m.pctl(pid, 'mmap 1200M name=big')
    m.pctl(pid, 'write big')
    m.ctl('tick 1s')
    before, v0 = diskstats(m)['sda5'], m.vmstat()
    m.pctl(pid, 'read big len=64M')
    m.ctl('tick 1s')
    after, v1 = diskstats(m)['sda5'], m.vmstat()
    pswpin = v1['pswpin'] - v0['pswpin']
    reads = after['reads'] - before['reads']
    assert pswpin > 0 and 0 < reads < pswpin
    assert after['rsectors'] - before['rsectors'] == pswpin * SECTORS_PER_PAGE
    assert after['rmerged'] - before['rmerged'] == pswpin - reads
    assert after['wsectors'] == v1['pswpout'] * SECTORS_PER_PAGE


def test_swap_file_io_goes_to_sda1(mnt):
    mnt.ctl('swapoff /dev/sda5')
    mnt.ctl('swapon /swapfile 1G')
    pid = int(mnt.ctl('spawn web'))
    mnt.pctl(pid, 'mmap 4M name=buf')
    mnt.pctl(pid, 'write buf')
    mnt.pctl(pid, 'madvise buf pageout')
    mnt.ctl('tick 1s')
    d = diskstats(mnt)
    assert d['sda1']['wsectors'] == 1024 * SECTORS_PER_PAGE
    assert d['sda5']['writes'] == 0


def test_determinism_of_stats(mount):
    texts = []
    for _ in range(2):
        m = mount()
        m.ctl('file /f 8M')
        pid = int(m.ctl('spawn a'))
        m.pctl(pid, 'pread /f 0 8M')
        m.pctl(pid, 'pwrite /f 0 4M')
        m.pctl(pid, 'fsync /f')
        m.ctl('tick 2s')
        texts.append(m.read('proc/diskstats') + m.read('sys/block/sda/sda1/stat'))
    assert texts[0] == texts[1]
    assert diskstats(m)['sda1']['writes'] > 0


# ---------------------------------------------------------------- tools

def busy_disk(m):
    m.ctl('file /data 32M')
    pid = int(m.ctl('spawn io'))
    m.pctl(pid, 'pread /data 0 32M')
    m.pctl(pid, 'mmap 16M name=buf')
    m.pctl(pid, 'write buf')
    m.pctl(pid, 'madvise buf pageout')
    m.ctl('tick 1s')
    return diskstats(m)


def test_vmstat_d(mnt, mmsim_ns):
    d = busy_disk(mnt)
    r = mmsim_ns(mnt, 'vmstat', '-d')
    assert r.returncode == 0, r.stderr
    rows = {l.split()[0]: [int(x) for x in l.split()[1:]] for l in r.stdout.splitlines()[2:]}
    # disks only: procps tells them from partitions by sys/block/NAME
    assert list(rows) == ['sda']
    s = d['sda']
    assert rows['sda'] == [s['reads'], s['rmerged'], s['rsectors'], s['rms'],
                           s['writes'], s['wmerged'], s['wsectors'], s['wms'], s['inflight'], s['io_ms'] // 1000]


def test_iostat(mnt, mmsim_ns):
    if not shutil.which('iostat'):
        pytest.skip('iostat (Debian package sysstat) is not installed')
    d = busy_disk(mnt)
    r = mmsim_ns(mnt, 'iostat', '-d', '-k', '-p', 'ALL')
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    head = next(l for l in lines if l.startswith('Device')).split()
    rows = {l.split()[0]: dict(zip(head[1:], l.split()[1:])) for l in lines
            if l.split() and l.split()[0] in d}
    assert set(rows) >= {'sda', 'sda1', 'sda5'}
    for name in ('sda', 'sda1', 'sda5'):
        assert int(rows[name]['kB_read']) == d[name]['rsectors'] // 2
        assert int(rows[name]['kB_wrtn']) == d[name]['wsectors'] // 2


def test_psutil_disk_io_counters(mnt):
    psutil = pytest.importorskip('psutil')
    d = busy_disk(mnt)
    old = psutil.PROCFS_PATH
    psutil.PROCFS_PATH = mnt.abs('proc')
    try:
        c = psutil.disk_io_counters(perdisk=True)
    finally:
        psutil.PROCFS_PATH = old
    assert set(c) == set(d)
    for name, s in d.items():
        assert c[name].read_count == s['reads']
        assert c[name].write_count == s['writes']
        assert c[name].read_bytes == s['rsectors'] * 512
        assert c[name].write_bytes == s['wsectors'] * 512
        assert c[name].read_time == s['rms'] and c[name].write_time == s['wms']
        assert c[name].read_merged_count == s['rmerged']
        assert c[name].write_merged_count == s['wmerged']
        assert c[name].busy_time == s['io_ms']
