"""Files and the page cache: file/rmfile, pread/pwrite/fsync, file mmap,
readahead, dirtying and writeback, dirty throttling, drop_caches, the dirty
sysctls, sim/files and the disk's bdi files; refusals with the right errno,
one log line and nothing changed."""
import errno
import os
import re

import pytest

from conftest import parse_kv

KiB, MiB, GiB = 1 << 10, 1 << 20, 1 << 30
PAGE = 4096


def files(m):
    """sim/files as {path: {column: value}}; FILE keeps ' (deleted)'."""
    lines = m.read('sim/files').splitlines()
    head = lines[0].split()
    assert head == ['INO', 'SIZE', 'PAGES', 'CACHED', 'DIRTY', 'WRITEBACK', 'MAPS', 'TYPE', 'FILE'], lines[0]
    out = {}
    for line in lines[1:]:
        parts = line.split(None, 8)
        row = dict(zip(head[:7], (int(x) for x in parts[:7])))
        row['TYPE'] = parts[7]
        out[parts[8]] = row
    return out


def pid_stat(m, pid):
    """(minflt, majflt) of proc/PID/stat."""
    text = m.read('proc/%d/stat' % pid)
    fields = text[text.rindex(')') + 2:].split()
    return int(fields[7]), int(fields[9])


def uptime(m):
    return float(m.read('proc/uptime').split()[0])


def mapping_smaps(m, pid, path):
    """The smaps counters (kB) of the VMAs that map path."""
    tot, inside = {}, False
    for line in m.read('proc/%d/smaps' % pid).splitlines():
        if re.match(r'^[0-9a-f]+-[0-9a-f]+ ', line):
            inside = line.split()[-1] == path or line.endswith(' ' + path)
        elif inside:
            mm = re.match(r'^(\w+):\s+(\d+) kB$', line)
            if mm:
                tot[mm.group(1)] = tot.get(mm.group(1), 0) + int(mm.group(2))
    assert tot, '%s is not mapped in proc/%d/smaps' % (path, pid)
    return tot


@pytest.fixture
def proc(mnt):
    """A user process to do the I/O."""
    return int(mnt.ctl('spawn io pid=700'))


# ---------------------------------------------------------------- files

def test_file_create_resize_remove(mnt):
    assert mnt.ctl('file /data/a 1M') == 'ok\n'
    assert mnt.ctl('file /dev/shm/s 64K') == 'ok\n'
    f = files(mnt)
    assert f['/data/a']['SIZE'] == MiB and f['/data/a']['PAGES'] == 256 and f['/data/a']['TYPE'] == 'disk'
    assert f['/data/a']['CACHED'] == 0
    assert f['/dev/shm/s']['TYPE'] == 'shmem' and f['/dev/shm/s']['PAGES'] == 16
    assert list(f) == sorted(f), 'sim/files is sorted by path'
    assert mnt.ctl('file /data/a 10000') == 'ok\n'
    assert files(mnt)['/data/a']['SIZE'] == 10000 and files(mnt)['/data/a']['PAGES'] == 3
    assert mnt.ctl('rmfile /data/a') == 'ok\n'
    assert '/data/a' not in files(mnt)


# ---------------------------------------------------------------- reads

def test_read_fills_the_cache_and_rereading_costs_no_io(mnt, proc):
    mnt.ctl('file /data/big 256M')
    m0, v0 = mnt.meminfo(), mnt.vmstat()
    assert mnt.pctl(proc, 'pread /data/big 0 256M') == '%d\n' % (256 * MiB)
    m1, v1 = mnt.meminfo(), mnt.vmstat()
    assert m1['Cached'] - m0['Cached'] == 256 * 1024
    assert v1['pgpgin'] - v0['pgpgin'] == 256 * 1024, 'pgpgin counts kB read'
    assert v1['nr_file_pages'] - v0['nr_file_pages'] == 65536
    lru = lambda mi: mi['Active(file)'] + mi['Inactive(file)']
    assert lru(m1) - lru(m0) == 256 * 1024
    assert m0['MemFree'] - m1['MemFree'] >= 256 * 1024
    assert files(mnt)['/data/big']['CACHED'] == 65536
    assert mnt.pctl(proc, 'pread /data/big 0 256M') == '%d\n' % (256 * MiB)
    m2, v2 = mnt.meminfo(), mnt.vmstat()
    assert v2['pgpgin'] == v1['pgpgin'] and v2['pgmajfault'] == v1['pgmajfault']
    assert m2['Cached'] == m1['Cached']


def test_pread_past_eof_reads_nothing(mnt, proc):
    mnt.ctl('file /data/a 1M')
    v0 = mnt.vmstat()
    assert mnt.pctl(proc, 'pread /data/a 2M 4K') == '0\n'
    assert mnt.pctl(proc, 'pread /data/a 1M 4K') == '0\n'
    assert mnt.vmstat()['pgpgin'] == v0['pgpgin']
    # a read across the end stops there
    assert mnt.pctl(proc, 'pread /data/a 1020K 64K') == '%d\n' % (4 * KiB)


def readahead_steps(mnt, proc, path, npages):
    """(page index, pages read) for each 4 KiB pread that did I/O."""
    steps = []
    for i in range(npages):
        before = mnt.vmstat()['pgpgin']
        assert mnt.pctl(proc, 'pread %s %d 4K' % (path, i * PAGE)) == '4096\n'
        got = mnt.vmstat()['pgpgin'] - before
        if got:
            assert got % 4 == 0
            steps.append((i, got // 4))
    return steps


def test_sequential_reads_ramp_the_readahead_window(mnt, proc):
    """mm/readahead.c with read_ahead_kb 128 (32 pages): the first read of
    one page reads get_init_ra_size(1, 32) = 4 pages, marking page 1; each
    marked page starts the next window, get_next_ra_size: 8, 16, 32, then
    32 pages (the maximum), ahead of the reader."""
    assert mnt.read('sys/class/bdi/8:0/read_ahead_kb') == '128\n'
    mnt.ctl('file /data/seq 16M')
    steps = readahead_steps(mnt, proc, '/data/seq', 61)
    assert steps == [(0, 4), (1, 8), (4, 16), (12, 32), (28, 32), (60, 32)], steps


def test_read_ahead_kb_zero_reads_page_by_page(mnt, proc):
    ok, err = mnt.write('sys/class/bdi/8:0/read_ahead_kb', '0\n')
    assert ok, err
    assert mnt.read('sys/block/sda/queue/read_ahead_kb') == '0\n'
    mnt.ctl('file /data/seq 1M')
    assert readahead_steps(mnt, proc, '/data/seq', 8) == [(i, 1) for i in range(8)]
    ok, err = mnt.write('sys/block/sda/queue/read_ahead_kb', '256')
    assert ok, err
    assert mnt.read('sys/class/bdi/8:0/read_ahead_kb') == '256\n'


def test_read_ahead_kb_overflow(mnt):
    """kstrtoul overflows with ERANGE (read_ahead_kb_store returns it);
    the queue's queue_var_store makes every parse error EINVAL."""
    big = '99999999999999999999999\n'
    assert mnt.write('sys/class/bdi/8:0/read_ahead_kb', big) == (False, errno.ERANGE)
    assert mnt.write('sys/block/sda/queue/read_ahead_kb', big) == (False, errno.EINVAL)
    assert mnt.read('sys/class/bdi/8:0/read_ahead_kb') == '128\n'


# ---------------------------------------------------------------- mmap

def test_mapping_takes_few_major_faults_and_a_second_process_none(mnt, proc):
    npages = 16384
    mnt.ctl('file /data/map 64M')
    v0 = mnt.vmstat()
    addr = mnt.pctl(proc, 'mmap 64M file=/data/map prot=r').strip()
    assert mnt.pctl(proc, 'read %s len=64M' % addr) == 'ok\n'
    v1 = mnt.vmstat()
    majors = v1['pgmajfault'] - v0['pgmajfault']
    assert 0 < majors < npages // 8, 'read-around and readahead: %d major faults for %d pages' % (
        majors, npages)
    assert pid_stat(mnt, proc)[1] == majors
    assert v1['pgpgin'] - v0['pgpgin'] == 64 * 1024
    st = parse_kv(mnt.read('proc/%d/status' % proc))
    assert st['RssFile'] == 65536
    sm = mapping_smaps(mnt, proc, '/data/map')
    assert sm['Rss'] == 65536 and sm['Private_Clean'] == 65536 and sm['Shared_Clean'] == 0
    assert files(mnt)['/data/map']['MAPS'] == 1

    other = int(mnt.ctl('spawn other pid=701'))
    addr2 = mnt.pctl(other, 'mmap 64M file=/data/map shared').strip()
    assert mnt.pctl(other, 'read %s len=64M' % addr2) == 'ok\n'
    v2 = mnt.vmstat()
    assert v2['pgmajfault'] == v1['pgmajfault'] and v2['pgpgin'] == v1['pgpgin']
    assert pid_stat(mnt, other)[1] == 0
    for pid in (proc, other):
        sm = mapping_smaps(mnt, pid, '/data/map')
        assert sm['Shared_Clean'] == 65536 and sm['Private_Clean'] == 0, (pid, sm)
        assert sm['Pss'] == 32768, (pid, sm)
    assert mnt.meminfo()['Mapped'] >= 65536
    assert files(mnt)['/data/map']['MAPS'] == 2


def test_private_file_mapping_cows_on_write(mnt, proc):
    mnt.ctl('file /data/p 1M')
    addr = mnt.pctl(proc, 'mmap 1M file=/data/p').strip()
    assert mnt.pctl(proc, 'read %s len=1M' % addr) == 'ok\n'
    assert mnt.pctl(proc, 'write %s len=256K' % addr) == 'ok\n'
    sm = mapping_smaps(mnt, proc, '/data/p')
    assert sm['Rss'] == 1024
    assert sm['Anonymous'] == 256 and sm['Private_Dirty'] == 256
    assert sm['Private_Clean'] + sm['Shared_Clean'] == 768
    assert files(mnt)['/data/p']['DIRTY'] == 0, 'a private mapping never dirties the file'
    st = parse_kv(mnt.read('proc/%d/status' % proc))
    assert st['RssFile'] == 768


def test_mmap_offset_maps_from_there(mnt, proc):
    mnt.ctl('file /data/o 1M')
    addr = mnt.pctl(proc, 'mmap 64K file=/data/o off=512K prot=r').strip()
    line = [l for l in mnt.read('proc/%d/maps' % proc).splitlines() if l.startswith(addr[2:] + '-')][0]
    assert line.split()[2] == '00080000' and line.split()[-1] == '/data/o', line


def test_named_file_mapping_is_a_target(mnt, proc):
    """name= names any region as a TARGET; a file mapping keeps its path in
    maps (no [anon:NAME] there)."""
    mnt.ctl('file /data/n 1M')
    addr = mnt.pctl(proc, 'mmap 1M file=/data/n name=cfg prot=r').strip()
    line = [l for l in mnt.read('proc/%d/maps' % proc).splitlines() if l.startswith(addr[2:] + '-')][0]
    assert line.split()[-1] == '/data/n', line
    assert '[anon:cfg]' not in mnt.read('proc/%d/maps' % proc)
    assert mnt.pctl(proc, 'read cfg len=256K') == 'ok\n'
    assert mapping_smaps(mnt, proc, '/data/n')['Rss'] >= 256
    assert mnt.pctl(proc, 'munmap cfg') == 'ok\n'
    assert '/data/n' not in mnt.read('proc/%d/maps' % proc)


def test_rmfile_of_a_mapped_file_keeps_its_pages(mnt, proc):
    mnt.ctl('file /data/d 1M')
    addr = mnt.pctl(proc, 'mmap 1M file=/data/d prot=r').strip()
    mnt.pctl(proc, 'read %s' % addr)
    assert mnt.ctl('rmfile /data/d') == 'ok\n'
    f = files(mnt)
    assert '/data/d' not in f and f['/data/d (deleted)']['CACHED'] == 256
    assert '/data/d (deleted)' in mnt.read('proc/%d/maps' % proc)
    mnt.pctl(proc, 'munmap %s' % addr)
    assert '/data/d (deleted)' not in files(mnt)


def test_rmfile_frees_the_cache(mnt, proc):
    mnt.ctl('file /data/r 8M')
    c0 = mnt.meminfo()['Cached']
    mnt.pctl(proc, 'pread /data/r 0 8M')
    assert mnt.meminfo()['Cached'] == c0 + 8192
    mnt.ctl('rmfile /data/r')
    assert mnt.meminfo()['Cached'] == c0


# ---------------------------------------------------------------- writes

def test_write_dirties_and_the_flusher_cleans_after_expiry(mnt, proc):
    mnt.ctl('file /data/w 0')
    v0 = mnt.vmstat()
    assert mnt.pctl(proc, 'pwrite /data/w 0 4M') == '%d\n' % (4 * MiB)
    v1, m1 = mnt.vmstat(), mnt.meminfo()
    assert v1['nr_dirty'] - v0['nr_dirty'] == 1024 and m1['Dirty'] >= 4096
    assert v1['nr_dirtied'] - v0['nr_dirtied'] == 1024
    f = files(mnt)['/data/w']
    assert f['SIZE'] == 4 * MiB and f['DIRTY'] == 1024 and f['CACHED'] == 1024
    # dirty_expire_centisecs 3000: younger data stays dirty (4 MiB is far
    # below the background threshold of this machine)
    mnt.ctl('tick 20s')
    assert files(mnt)['/data/w']['DIRTY'] == 1024
    mnt.ctl('tick 20s')
    f, v2 = files(mnt)['/data/w'], mnt.vmstat()
    assert f['DIRTY'] == 0 and f['WRITEBACK'] == 0 and f['CACHED'] == 1024
    assert v2['nr_written'] - v0['nr_written'] == 1024
    assert v2['pgpgout'] - v0['pgpgout'] == 4096


def test_fsync_leaves_nothing_dirty(mnt, proc):
    mnt.ctl('file /data/f 0')
    mnt.pctl(proc, 'pwrite /data/f 0 2M')
    assert files(mnt)['/data/f']['DIRTY'] == 512
    assert mnt.pctl(proc, 'fsync /data/f') == '%d\n' % (2 * MiB), 'the bytes written back'
    assert mnt.pctl(proc, 'fsync /data/f') == '0\n'
    f = files(mnt)['/data/f']
    assert f['DIRTY'] == 0 and f['WRITEBACK'] == 0
    mi = mnt.meminfo()
    assert mi['Dirty'] == 0 and mi['Writeback'] == 0


def test_dirty_limit_throttles_the_writer(mnt, proc):
    ok, _ = mnt.write('proc/sys/vm/dirty_bytes', '%d\n' % (8 * MiB))
    assert ok
    ok, _ = mnt.write('proc/sys/vm/dirty_background_bytes', '%d\n' % (4 * MiB))
    assert ok
    v = mnt.vmstat()
    assert v['nr_dirty_threshold'] == 2048 and v['nr_dirty_background_threshold'] == 1024
    mnt.ctl('file /data/t 0')
    t0 = uptime(mnt)
    assert mnt.pctl(proc, 'pwrite /data/t 0 64M') == '%d\n' % (64 * MiB)
    assert uptime(mnt) > t0, 'the throttled writer waited in simulated time'
    v = mnt.vmstat()
    assert v['nr_dirty'] <= 2048 * 1.25, v['nr_dirty']
    assert v['nr_written'] >= 16384 - 2048 * 1.25


def test_shmem_files_are_shmem_not_dirty(mnt, proc):
    mnt.ctl('file /dev/shm/s 4M')
    m0 = mnt.meminfo()
    mnt.pctl(proc, 'pwrite /dev/shm/s 0 4M')
    m1 = mnt.meminfo()
    assert m1['Shmem'] - m0['Shmem'] == 4096 and m1['Cached'] - m0['Cached'] == 4096
    assert m1['Dirty'] == m0['Dirty']
    assert files(mnt)['/dev/shm/s']['TYPE'] == 'shmem'


# ---------------------------------------------------------------- drop_caches

def test_drop_caches_frees_clean_cache_and_keeps_dirty_and_mapped(mnt, proc):
    m0 = mnt.meminfo()
    mnt.ctl('file /data/clean 64M')
    mnt.ctl('file /data/dirty 0')
    mnt.ctl('file /data/mapped 1M')
    mnt.pctl(proc, 'pread /data/clean 0 64M')
    mnt.pctl(proc, 'pwrite /data/dirty 0 1M')
    addr = mnt.pctl(proc, 'mmap 1M file=/data/mapped prot=r populate').strip()
    assert addr.startswith('0x')
    m1, v1 = mnt.meminfo(), mnt.vmstat()
    assert m1['Cached'] - m0['Cached'] == 66 * 1024
    ok, err = mnt.write('proc/sys/vm/drop_caches', '1\n')
    assert ok, err
    m2, v2, f = mnt.meminfo(), mnt.vmstat(), files(mnt)
    assert f['/data/clean']['CACHED'] == 0
    assert f['/data/dirty']['CACHED'] == 256 and f['/data/dirty']['DIRTY'] == 256
    assert f['/data/mapped']['CACHED'] == 256
    assert m2['Cached'] - m0['Cached'] == 2 * 1024
    assert m2['Dirty'] == m1['Dirty'] and m2['Mapped'] == m1['Mapped']
    # the freed pages are free again (less what the per-cpu lists keep)
    assert m2['MemFree'] - m1['MemFree'] >= 64 * 1024 - 8 * 1024
    assert v2['drop_pagecache'] == v1['drop_pagecache'] + 1
    assert mnt.log_lines()[-1].endswith('drop_caches: 1')
    ok, err = mnt.write('proc/sys/vm/drop_caches', '2\n')
    assert ok, err
    assert mnt.vmstat()['drop_slab'] == v1['drop_slab'] + 1
    # bit 4 (stfu): logged once more, then the writes are silent
    n = len(mnt.log_lines())
    assert mnt.write('proc/sys/vm/drop_caches', '4\n')[0]
    assert len(mnt.log_lines()) == n + 1 and mnt.log_lines()[-1].endswith('drop_caches: 4')
    assert mnt.write('proc/sys/vm/drop_caches', '3\n')[0]
    assert len(mnt.log_lines()) == n + 1
    assert mnt.vmstat()['drop_slab'] == v1['drop_slab'] + 2


def test_drop_caches_is_write_only(mnt):
    st = os.stat(mnt.abs('proc/sys/vm/drop_caches'))
    assert st.st_mode & 0o777 == 0o200
    with pytest.raises(PermissionError):
        mnt.read('proc/sys/vm/drop_caches')


# ---------------------------------------------------------------- sysctls

DEFAULTS = {'dirty_ratio': 20, 'dirty_background_ratio': 10, 'dirty_bytes': 0, 'dirty_background_bytes': 0,
            'dirty_writeback_centisecs': 500, 'dirty_expire_centisecs': 3000,
            'dirtytime_expire_seconds': 43200}


def sysctl(m, name):
    return int(m.read('proc/sys/vm/' + name))


def test_dirty_sysctl_defaults(mnt):
    assert {k: sysctl(mnt, k) for k in DEFAULTS} == DEFAULTS


@pytest.mark.parametrize('ratio,nbytes', [('dirty_ratio', 'dirty_bytes'),
                                          ('dirty_background_ratio', 'dirty_background_bytes')])
def test_ratio_and_bytes_exclude_each_other(mnt, ratio, nbytes):
    assert mnt.write('proc/sys/vm/' + nbytes, '%d\n' % (64 * MiB))[0]
    assert sysctl(mnt, nbytes) == 64 * MiB and sysctl(mnt, ratio) == 0
    assert mnt.write('proc/sys/vm/' + ratio, '5\n')[0]
    assert sysctl(mnt, ratio) == 5 and sysctl(mnt, nbytes) == 0
    # more than an int holds
    assert mnt.write('proc/sys/vm/' + nbytes, '%d\n' % (8 << 30))[0]
    assert sysctl(mnt, nbytes) == 8 << 30


@pytest.mark.parametrize('name', ['dirty_bytes', 'dirty_background_bytes'])
def test_dirty_bytes_beyond_uint_max_pages_is_erange(mnt, name):
    """The handlers keep the limit in an unsigned int of pages: more is
    ERANGE and the old value stays."""
    assert mnt.write('proc/sys/vm/' + name, '%d\n' % (((1 << 32) - 1) * PAGE))[0]
    assert mnt.write('proc/sys/vm/' + name, '%d\n' % (((1 << 32) - 1) * PAGE + 1)) == (False, errno.ERANGE)
    assert sysctl(mnt, name) == ((1 << 32) - 1) * PAGE


def test_dirty_thresholds_follow_the_ratios(mnt):
    v = mnt.vmstat()
    bg, th = v['nr_dirty_background_threshold'], v['nr_dirty_threshold']
    assert 0 < bg < th
    # per-PAGE_SIZE ratios as the kernel computes them: 819 and 409 / 4096
    assert abs(bg - th * 409 / 819) <= 2, 'ratios 20 and 10'
    assert mnt.write('proc/sys/vm/dirty_ratio', '40\n')[0]
    th2 = mnt.vmstat()['nr_dirty_threshold']
    assert abs(th2 - 2 * th) <= 2
    # the bdi shows its share in bytes
    assert int(mnt.read('sys/class/bdi/8:0/max_bytes')) == th2 * PAGE
    assert int(mnt.read('sys/class/bdi/8:0/min_bytes')) == 0


def test_bdi_ratios(mnt):
    assert mnt.read('sys/class/bdi/8:0/min_ratio') == '0\n'
    assert mnt.read('sys/class/bdi/8:0/max_ratio') == '100\n'
    assert mnt.read('sys/class/bdi/8:0/stable_pages_required') == '0\n'
    assert mnt.write('sys/class/bdi/8:0/max_ratio', '50\n')[0]
    assert mnt.write('sys/class/bdi/8:0/min_ratio', '20\n')[0]
    ok, err = mnt.write('sys/class/bdi/8:0/max_ratio', '10\n')
    assert not ok and err == errno.EINVAL, 'max_ratio below min_ratio'
    th = mnt.vmstat()['nr_dirty_threshold']
    assert int(mnt.read('sys/class/bdi/8:0/max_bytes')) == th * PAGE * 50 // 100


# ---------------------------------------------------------------- refusals

SETUP = ['file /data/a 1M']

REFUSED = [
    # (file: sim or pid, command, errno)
    ('sim', 'file /data/a/b 1M', errno.ENOTDIR),
    ('sim', 'file /data 1M', errno.EISDIR),
    ('sim', 'file data/x 1M', errno.EINVAL),
    ('sim', 'file /data/x -1', errno.EINVAL),
    ('sim', 'file /data/x 1M2', errno.EINVAL),
    ('sim', 'file /data/x 17T', errno.EFBIG),
    ('sim', 'file /data/./x 1M', errno.EINVAL),
    ('sim', 'rmfile /data/nope', errno.ENOENT),
    ('sim', 'rmfile /nope/x', errno.ENOENT),
    ('sim', 'rmfile /data', errno.EISDIR),
    ('sim', 'rmfile /data/a/b', errno.ENOTDIR),
    ('pid', 'pread /data/nope 0 4K', errno.ENOENT),
    ('pid', 'pread /data 0 4K', errno.EISDIR),
    ('pid', 'pread /data/a/b 0 4K', errno.ENOTDIR),
    ('pid', 'pread data/a 0 4K', errno.EINVAL),
    ('pid', 'pread /data/a -4K 4K', errno.EINVAL),
    ('pid', 'pwrite /data/a 16T 4K', errno.EFBIG),
    ('pid', 'pwrite /data/nope 0 4K', errno.ENOENT),
    ('pid', 'fsync /data/nope', errno.ENOENT),
    ('pid', 'fsync /data', errno.EISDIR),
    ('pid', 'mmap 1M file=/data/nope', errno.ENOENT),
    ('pid', 'mmap 1M file=/data', errno.EISDIR),
    ('pid', 'mmap 1M file=/data/a off=100', errno.EINVAL),
    ('pid', 'mmap 1M off=4K', errno.EINVAL),
    ('pid', 'mmap 1M anon file=/data/a', errno.EINVAL),
]


@pytest.mark.parametrize('where,cmd,err', REFUSED, ids=[c for _w, c, _e in REFUSED])
def test_refusals_give_the_errno_and_change_nothing(mnt, proc, where, cmd, err):
    for c in SETUP:
        mnt.ctl(c)
    rel = 'sim/ctl' if where == 'sim' else 'proc/%d/ctl' % proc
    before = mnt.snapshot()
    n0 = len(mnt.log_lines())
    got, _reply = mnt.ctl_raw(cmd, rel=rel)
    assert got == err, '%r: %s, expected %s' % (cmd, os.strerror(got) if got > 0 else got, os.strerror(err))
    lines = mnt.log_lines()
    assert len(lines) == n0 + 1 and 'refused' in lines[-1], lines[n0:]
    after = mnt.snapshot()
    assert [p for p in before if before[p] != after[p]] == []
