"""proc/PID/io, limits, wchan and the exe, cwd, root links, and the tools
that read them (psutil, pidstat -d)."""
import errno
import os
import shutil

import pytest

IO_KEYS = ['rchar', 'wchar', 'syscr', 'syscw', 'read_bytes', 'write_bytes', 'cancelled_write_bytes']


def pid_io(m, pid):
    text = m.read('proc/%d/io' % pid)
    rows = [l.split(': ') for l in text.splitlines()]
    assert [r[0] for r in rows] == IO_KEYS, text
    return {k: int(v) for k, v in rows}


def test_io_accounting(mnt):
    mnt.ctl('file /data 64M')
    pid = int(mnt.ctl('spawn db'))
    assert pid_io(mnt, pid) == dict.fromkeys(IO_KEYS, 0)
    vm0 = mnt.vmstat()
    mnt.pctl(pid, 'pread /data 0 1M')
    mnt.pctl(pid, 'pread /data 4M 4K')
    io = pid_io(mnt, pid)
    assert (io['rchar'], io['syscr']) == (1 << 20 | 4096, 2)
    # what the disk read for it: the readahead it started, pgpgin's sectors
    assert io['read_bytes'] == (mnt.vmstat()['pgpgin'] - vm0['pgpgin']) * 1024 >= 1 << 20
    mnt.pctl(pid, 'pwrite /data 0 10K')
    io = pid_io(mnt, pid)
    assert (io['wchar'], io['syscw']) == (10240, 1)
    assert io['write_bytes'] == 3 * 4096  # three pages dirtied
    # a failed call counts nothing
    ok, err = mnt.write('proc/%d/ctl' % pid, 'pread /nope 0 1\n')
    assert (ok, err) == (False, errno.ENOENT)
    assert pid_io(mnt, pid)['syscr'] == 2
    # the thread's file is the same
    assert mnt.read('proc/%d/task/%d/io' % (pid, pid)) == mnt.read('proc/%d/io' % pid)
    # a child starts from zero
    child = int(mnt.pctl(pid, 'fork'))
    assert pid_io(mnt, child) == dict.fromkeys(IO_KEYS, 0)


def test_io_mode(mnt):
    pid = int(mnt.ctl('spawn db'))
    assert os.stat(mnt.abs('proc/%d/io' % pid)).st_mode & 0o777 == 0o400


def test_limits(mnt):
    pid = int(mnt.ctl('spawn db'))
    lines = mnt.read('proc/%d/limits' % pid).splitlines()
    assert lines[0] == '%-25s %-20s %-20s %-10s' % ('Limit', 'Soft Limit', 'Hard Limit', 'Units')
    assert len(lines) == 17
    rows = {l[:25].rstrip(): (l[26:46].rstrip(), l[47:67].rstrip(), l[68:].rstrip()) for l in lines[1:]}
    assert rows['Max stack size'] == ('8388608', 'unlimited', 'bytes')
    assert rows['Max open files'] == ('1024', '4096', 'files')
    assert rows['Max nice priority'] == ('0', '0', '')
    assert lines[14] == '%-25s %-20s %-20s ' % ('Max nice priority', '0', '0')
    assert rows['Max processes'][0] == rows['Max processes'][1] == rows['Max pending signals'][0]
    # max_threads / 2: the kernel stacks of max_threads fit in 1/8 of RAM
    total_pages = mnt.meminfo()['MemTotal'] // 4
    assert int(rows['Max processes'][0]) == total_pages * 4096 // (16384 * 8) // 2


def test_links_and_wchan(mnt):
    pid = int(mnt.ctl('spawn nginx'))
    assert os.readlink(mnt.abs('proc/%d/exe' % pid)) == '/usr/bin/nginx'
    assert os.readlink(mnt.abs('proc/%d/cwd' % pid)) == '/'
    assert os.readlink(mnt.abs('proc/%d/root' % pid)) == '/'
    with pytest.raises(FileNotFoundError):
        os.readlink(mnt.abs('proc/2/exe'))
    assert mnt.read('proc/%d/wchan' % pid) == 'do_sys_poll'
    assert mnt.read('proc/2/wchan') == 'kthreadd'
    kswapd = [p for p in mnt.pids() if mnt.read('proc/%d/comm' % p) == 'kswapd0\n'][0]
    assert mnt.read('proc/%d/wchan' % kswapd) == 'kswapd'


def test_psutil(mnt):
    psutil = pytest.importorskip('psutil')
    mnt.ctl('file /data 8M')
    pid = int(mnt.ctl('spawn db'))
    mnt.pctl(pid, 'pread /data 0 1M')
    mnt.pctl(pid, 'pwrite /data 0 8K')
    io = pid_io(mnt, pid)
    old = psutil.PROCFS_PATH
    psutil.PROCFS_PATH = mnt.abs('proc')
    try:
        p = psutil.Process(pid)
        c = p.io_counters()
        exe = p.exe()
    finally:
        psutil.PROCFS_PATH = old
    assert (c.read_count, c.write_count) == (io['syscr'], io['syscw'])
    assert (c.read_bytes, c.write_bytes) == (io['read_bytes'], io['write_bytes'])
    assert (c.read_chars, c.write_chars) == (io['rchar'], io['wchar'])
    assert exe == '/usr/bin/db'


def test_pidstat_d(mnt, mmsim_ns):
    if not shutil.which('pidstat'):
        pytest.skip('pidstat (Debian package sysstat) is not installed')
    mnt.ctl('file /data 64M')
    pid = int(mnt.ctl('spawn db'))
    mnt.ctl('tick 10s')
    mnt.pctl(pid, 'pread /data 0 32M')
    mnt.pctl(pid, 'pwrite /data 0 8M')
    io = pid_io(mnt, pid)
    r = mmsim_ns(mnt, 'pidstat', '-d', '-p', str(pid))
    assert r.returncode == 0, r.stderr + r.stdout
    lines = [l.split() for l in r.stdout.splitlines() if l.strip()]
    head = next(l for l in lines if 'kB_rd/s' in l)
    row = next(l for l in lines if str(pid) in l and l is not head)
    vals = dict(zip(head[-len(row):], row))
    assert vals['Command'] == 'db'
    # since boot: the bytes over the process's lifetime (its start time
    # in ticks against the uptime), in kB/s
    rd, wr = float(vals['kB_rd/s']), float(vals['kB_wr/s'])
    assert rd > 0 and wr > 0
    assert rd / wr == pytest.approx(io['read_bytes'] / io['write_bytes'], rel=0.02)


# ---------------------------------------------------------------- kernel-wide

def test_threads_max_and_limits_agree(mnt):
    tmax = int(mnt.read('proc/sys/kernel/threads-max'))
    assert tmax == mnt.meminfo()['MemTotal'] // 4 * 4096 // (16384 * 8)
    pid = int(mnt.ctl('spawn db'))
    line = [l for l in mnt.read('proc/%d/limits' % pid).splitlines() if l.startswith('Max processes')][0]
    assert int(line.split()[2]) == tmax // 2


def test_version_and_filesystems(mnt):
    release = mnt.read('proc/sys/kernel/osrelease').strip()
    assert mnt.read('proc/version').startswith('Linux version %s (' % release)
    fs = [l.split('\t') for l in mnt.read('proc/filesystems').splitlines()]
    assert all(len(f) == 2 and f[0] in ('nodev', '') for f in fs)
    names = [f[1] for f in fs]
    assert {'proc', 'sysfs', 'tmpfs', 'cgroup2', 'tracefs', 'ext4'} <= set(names)
    assert ['', 'ext4'] in fs and ['nodev', 'proc'] in fs


def test_lscpu_topology(mount, mmsim_ns):
    """a socket per node, a core per CPU, one thread per core"""
    if not shutil.which('lscpu'):
        pytest.skip('lscpu (util-linux) is not installed')
    m = mount('--machine=numa4')
    r = mmsim_ns(m, 'lscpu')
    assert r.returncode == 0, r.stderr
    rows = dict(l.split(':', 1) for l in r.stdout.splitlines() if ':' in l)
    rows = {k.strip(): v.strip() for k, v in rows.items()}
    nodes, cpus = len(m.nodes()), len(m.cpus())
    assert rows['CPU(s)'] == str(cpus)
    assert rows['Socket(s)'] == str(nodes)
    assert rows['Core(s) per socket'] == str(cpus // nodes)
    assert rows['Thread(s) per core'] == '1'
    assert m.read('sys/devices/system/cpu/cpu3/topology/core_siblings_list') == '2-3\n'
    assert m.read('sys/devices/system/cpu/cpu3/topology/thread_siblings_list') == '3\n'
