"""proc/PID/fd/, fdinfo/, mounts and mountinfo, proc/mounts and
proc/sys/fs/file-nr, file-max, and the tools that read them (psutil)."""
import os

import pytest


def fds(m, pid, sub='fd'):
    return sorted(int(x) for x in os.listdir(m.abs('proc/%d/%s' % (pid, sub))))


def fdinfo(m, pid, fd):
    return dict(l.split(':\t') for l in m.read('proc/%d/fdinfo/%d' % (pid, fd)).splitlines())


def test_fd_links(mnt):
    mnt.ctl('file /data/a 1M')
    mnt.ctl('file /data/b 1M')
    mnt.ctl('file /dev/shm/seg 64K')
    pid = int(mnt.ctl('spawn db'))
    assert fds(mnt, pid) == [0, 1, 2]
    for fd in (0, 1, 2):
        assert os.readlink(mnt.abs('proc/%d/fd/%d' % (pid, fd))) == '/dev/null'
    mnt.pctl(pid, 'pread /data/b 0 4K')
    mnt.pctl(pid, 'pwrite /data/a 0 4K')
    mnt.pctl(pid, 'pread /data/b 0 4K')    # the same file again: no new descriptor
    mnt.pctl(pid, 'pread /dev/shm/seg 0 4K')
    assert fds(mnt, pid) == [0, 1, 2, 3, 4, 5]
    assert fds(mnt, pid, 'fdinfo') == [0, 1, 2, 3, 4, 5]
    links = [os.readlink(mnt.abs('proc/%d/fd/%d' % (pid, fd))) for fd in (3, 4, 5)]
    assert links == ['/data/b', '/data/a', '/dev/shm/seg']
    assert os.lstat(mnt.abs('proc/%d/fd/3' % pid)).st_mode & 0o170000 == 0o120000
    # the thread's view is the process's
    assert os.readlink(mnt.abs('proc/%d/task/%d/fd/4' % (pid, pid))) == '/data/a'
    for bad in ('6', '01', '-1', 'x', '99999999999'):
        assert mnt.lstat_errno('proc/%d/fd/%s' % (pid, bad)) == 2, bad
        assert mnt.lstat_errno('proc/%d/fdinfo/%s' % (pid, bad)) == 2, bad
    # a child of fork has its parent's descriptors; its own next one is 6
    child = int(mnt.pctl(pid, 'fork'))
    assert fds(mnt, child) == [0, 1, 2, 3, 4, 5]
    mnt.ctl('file /data/c 1M')
    mnt.pctl(child, 'pread /data/c 0 4K')
    assert os.readlink(mnt.abs('proc/%d/fd/6' % child)) == '/data/c'
    assert fds(mnt, pid) == [0, 1, 2, 3, 4, 5]
    # rmfile closes every task's descriptor of the file: the lowest free
    # number is taken next
    mnt.ctl('rmfile /data/b')
    assert fds(mnt, pid) == [0, 1, 2, 4, 5]
    mnt.pctl(pid, 'pread /data/c 0 4K')
    assert os.readlink(mnt.abs('proc/%d/fd/3' % pid)) == '/data/c'
    # a kernel thread has none
    assert fds(mnt, 2) == []


def test_fdinfo(mnt):
    mnt.ctl('file /data 1M')
    mnt.ctl('file /dev/shm/seg 64K')
    pid = int(mnt.ctl('spawn db'))
    mnt.pctl(pid, 'pwrite /data 0 4K')
    mnt.pctl(pid, 'pread /dev/shm/seg 0 4K')
    text = mnt.read('proc/%d/fdinfo/3' % pid)
    assert [l.split(':')[0] for l in text.splitlines()] == ['pos', 'flags', 'mnt_id', 'ino']
    mi = {l.split()[4]: int(l.split()[0]) for l in mnt.read('proc/%d/mountinfo' % pid).splitlines()}
    a, shm, null = fdinfo(mnt, pid, 3), fdinfo(mnt, pid, 4), fdinfo(mnt, pid, 0)
    assert a['pos'] == '0' and a['flags'] == '0100002'
    assert int(a['mnt_id']) == mi['/'] and int(shm['mnt_id']) == mi['/dev/shm'] and int(null['mnt_id']) == mi['/dev']
    # ino: the file's inode number, as the mapping of it in maps shows
    mnt.pctl(pid, 'mmap 4K file=/data prot=r')
    line = [l for l in mnt.read('proc/%d/maps' % pid).splitlines() if l.endswith('/data')][0]
    assert line.split()[4] == a['ino']


def test_psutil_fds(mnt, tmp_path):
    psutil = pytest.importorskip('psutil')
    # psutil lists a descriptor as an open file when its path is a regular
    # file where psutil runs: give the simulated file a host file's path
    host = tmp_path / 'data'
    host.write_bytes(b'x')
    mnt.ctl('file %s 1M' % host)
    pid = int(mnt.ctl('spawn db'))
    mnt.pctl(pid, 'pread %s 0 4K' % host)
    old = psutil.PROCFS_PATH
    psutil.PROCFS_PATH = mnt.abs('proc')
    try:
        p = psutil.Process(pid)
        nfds = p.num_fds()
        files = p.open_files()
    finally:
        psutil.PROCFS_PATH = old
    assert nfds == len(fds(mnt, pid)) == 4
    assert [(f.path, f.fd, f.position, f.mode, f.flags) for f in files] == [(str(host), 3, 0, 'r+', 0o100002)]


def mp(rel):
    """A mount point of the simulated tree (the text of proc/mounts), not a
    path on this host"""
    return '/' + rel


MOUNTS = [('sysfs', mp('sys'), 'sysfs'), ('proc', mp('proc'), 'proc'), ('udev', '/dev', 'devtmpfs'),
          ('/dev/sda1', '/', 'ext4'), ('tmpfs', '/dev/shm', 'tmpfs'), ('cgroup2', mp('sys/fs/cgroup'), 'cgroup2'),
          ('debugfs', mp('sys/kernel/debug'), 'debugfs'), ('tracefs', mp('sys/kernel/tracing'), 'tracefs')]


def test_mounts(mnt):
    lines = [l.split() for l in mnt.read('proc/mounts').splitlines()]
    assert [tuple(l[:3]) for l in lines] == MOUNTS
    assert all(l[4:] == ['0', '0'] for l in lines)
    opts = {l[1]: l[3] for l in lines}
    assert opts['/'] == 'rw,relatime,errors=remount-ro'
    # libcgroup finds the unified hierarchy by its line
    assert opts[mp('sys/fs/cgroup')] == 'rw,nosuid,nodev,noexec,relatime,nsdelegate,memory_recursiveprot'
    # udev's /dev: half of RAM
    total_kb = mnt.meminfo()['MemTotal']
    assert 'size=%dk' % (total_kb // 4 // 2 * 4) in opts['/dev']
    # no swap file system is mounted
    assert not any(l[2] == 'swap' for l in lines)
    pid = int(mnt.ctl('spawn db'))
    assert mnt.read('proc/%d/mounts' % pid) == mnt.read('proc/mounts')
    assert mnt.read('proc/1/mounts') == mnt.read('proc/mounts')


def test_mountinfo(mnt):
    pid = int(mnt.ctl('spawn db'))
    rows = [l.split() for l in mnt.read('proc/%d/mountinfo' % pid).splitlines()]
    assert [r[4] for r in rows] == [m[1] for m in MOUNTS]
    ids = {r[4]: r[0] for r in rows}
    for r in rows:
        sep = r.index('-')
        # id parent major:minor root mountpoint options shared:N - type source super
        assert r[3] == '/' and r[6].startswith('shared:') and sep == 7, r
        assert (r[9], r[8]) == next((s, t) for s, mp, t in MOUNTS if mp == r[4])
        assert r[10].startswith('rw')
        parent = {'/': None, '/dev/shm': '/dev', mp('sys/fs/cgroup'): mp('sys'), mp('sys/kernel/debug'): mp('sys'),
                  mp('sys/kernel/tracing'): mp('sys')}.get(r[4], '/')
        if parent:
            assert r[1] == ids[parent], r
    assert len(set(ids.values())) == len(ids)
    # the root's device is sda1's, as sys/block/sda/sda1/dev says
    root = next(r for r in rows if r[4] == '/')
    assert root[2] == mnt.read('sys/block/sda/sda1/dev').strip()
    assert root[10] == 'rw,errors=remount-ro'
    # tmpfs's device is the one maps shows for a /dev/shm file
    mnt.ctl('file /dev/shm/seg 64K')
    mnt.pctl(pid, 'mmap 4K file=/dev/shm/seg prot=r')
    line = [l for l in mnt.read('proc/%d/maps' % pid).splitlines() if l.endswith('/dev/shm/seg')][0]
    major, minor = (int(x, 16) for x in line.split()[3].split(':'))
    assert next(r[2] for r in rows if r[4] == '/dev/shm') == '%d:%d' % (major, minor)


def test_file_nr(mnt):
    def file_nr():
        a, free, mx = (int(x) for x in mnt.read('proc/sys/fs/file-nr').split('\t'))
        assert free == 0 and mx == int(mnt.read('proc/sys/fs/file-max'))
        return a

    total_kb = mnt.meminfo()['MemTotal']
    assert int(mnt.read('proc/sys/fs/file-max')) == max(total_kb // 4 * 4 // 10, 8192)
    base = file_nr()
    mnt.ctl('file /data 1M')
    pid = int(mnt.ctl('spawn db'))
    # the program, the loader and libc of the new image
    assert file_nr() == base + 3
    mnt.pctl(pid, 'pread /data 0 4K')
    assert file_nr() == base + 4
    # fork shares the open file and the image's files
    child = int(mnt.pctl(pid, 'fork'))
    assert file_nr() == base + 4
    mnt.pctl(child, 'exit')
    mnt.pctl(pid, 'exit')
    assert file_nr() == base


def test_node_exporter_filefd_format(mnt):
    # node_exporter's filefd collector: exactly three tab-separated numbers
    text = mnt.read('proc/sys/fs/file-nr')
    assert text.endswith('\n') and len(text.rstrip('\n').split('\t')) == 3
