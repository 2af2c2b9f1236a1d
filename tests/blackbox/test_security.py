"""Under `-o allow_other` every host user reaches the tree: each gets what
Linux gives them.  The daemon runs as root (the mounting user); the checks
run in forked children that dropped to an ordinary uid:

- sim/ctl is the mounting user's and root's (0600): others get EACCES;
- proc/PID/ctl belongs to the process's simulated uid (spawned processes:
  1000, init and kernel threads: 0), root and the mounting user;
- the tree reads as before (proc/meminfo, proc/PID/status, sim/log);
- the caller's own proc/PID, passed through from the real procfs, is opened
  with the caller's credentials: nothing /proc refuses the user (a kernel
  stack, page frame numbers in pagemap) comes through the mount;
- making or removing names is EACCES (the directories are 0555).

Skipped, with the reason, unless run as root with FUSE available."""
import ctypes
import errno
import json
import mmap
import os
import struct
import traceback

import pytest

NOBODY = 65534       # an ordinary uid no simulated process has
SIM_USER = 1000      # the simulated processes' uid (spawn)
PR_SET_DUMPABLE = 4


@pytest.fixture
def shared(mount):
    """A root daemon mounted with allow_other in a directory every user may
    enter, with a spawned process (uid 1000) at PID 1000."""
    if os.geteuid() != 0:
        pytest.skip('needs root: to mount with allow_other without user_allow_other in '
                    '/etc/fuse.conf, and to run checks as other users')
    try:
        m = mount('-o', 'allow_other', public_dir=True)
    except AssertionError as e:
        pytest.skip('cannot mount with -o allow_other here: %s' % e)
    m.ctl('spawn web pid=1000')
    return m


def as_user(uid, fn, *args):
    """Run fn(*args) in a forked child with uid and gid uid, no groups;
    return its JSON-able result (an exception is re-raised here)."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        out = {}
        try:
            os.close(r)
            os.setgroups([])
            os.setresgid(uid, uid, uid)
            os.setresuid(uid, uid, uid)
            # changing credentials made the child non-dumpable; a program
            # the user starts is dumpable (procfs checks it)
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_DUMPABLE, 1)
            out = {'ok': fn(*args)}
        except BaseException:
            out = {'error': traceback.format_exc()}
        finally:
            os.write(w, json.dumps(out).encode())
            os._exit(0)
    os.close(w)
    with os.fdopen(r, 'rb') as f:
        data = f.read()
    os.waitpid(pid, 0)
    out = json.loads(data)
    if 'error' in out:
        raise AssertionError('in the child as uid %d:\n%s' % (uid, out['error']))
    return out['ok']


def open_errno(path, flags):
    try:
        os.close(os.open(path, flags))
    except OSError as e:
        return e.errno
    return 0


def write_errno(path, text):
    """errno of opening path for writing and writing text (0: done)"""
    try:
        fd = os.open(path, os.O_WRONLY)
    except OSError as e:
        return e.errno
    try:
        os.write(fd, text.encode())
    except OSError as e:
        return e.errno
    finally:
        os.close(fd)
    return 0


# ---------------------------------------------------------------- the ctl files

def test_ctl_files_are_their_owners(shared):
    m = shared
    assert os.stat(m.abs('sim/ctl')).st_mode & 0o777 == 0o600
    assert os.stat(m.abs('proc/1000/ctl')).st_mode & 0o777 == 0o600
    assert os.stat(m.abs('proc/1000/ctl')).st_uid == SIM_USER
    assert os.stat(m.abs('proc/1/ctl')).st_uid == 0
    before = m.read('proc/meminfo')
    pids = m.pids()

    def nobody():
        return {
            'sim/ctl w': write_errno(m.abs('sim/ctl'), 'tick 1s\n'),
            'sim/ctl r': open_errno(m.abs('sim/ctl'), os.O_RDONLY),
            'sim/ctl access': os.access(m.abs('sim/ctl'), os.W_OK),
            'init ctl': write_errno(m.abs('proc/1/ctl'), 'mmap 4K\n'),
            'web ctl': write_errno(m.abs('proc/1000/ctl'), 'exit\n'),
            'web ctl access': os.access(m.abs('proc/1000/ctl'), os.W_OK),
            'kthreadd ctl': write_errno(m.abs('proc/2/ctl'), 'exit\n'),
            'tunable': write_errno(m.abs('proc/sys/vm/swappiness'), '10\n'),
            'drop_caches': write_errno(m.abs('proc/sys/vm/drop_caches'), '3\n'),
            'oom_score_adj': write_errno(m.abs('proc/1/oom_score_adj'), '1000\n'),
            'meminfo': len(open(m.abs('proc/meminfo')).read()),
            'status': open(m.abs('proc/1000/status')).read().count('\n'),
            'log': open_errno(m.abs('sim/log'), os.O_RDONLY),
        }
    got = as_user(NOBODY, nobody)
    assert got == {'sim/ctl w': errno.EACCES, 'sim/ctl r': errno.EACCES, 'sim/ctl access': False,
                   'init ctl': errno.EACCES, 'web ctl': errno.EACCES, 'web ctl access': False,
                   'kthreadd ctl': errno.EACCES, 'tunable': errno.EACCES, 'drop_caches': errno.EACCES,
                   'oom_score_adj': errno.EACCES, 'meminfo': got['meminfo'], 'status': got['status'],
                   'log': 0}, got
    assert got['meminfo'] > 100 and got['status'] > 10
    # nothing ran: the same processes, the same memory, the same time
    assert m.pids() == pids
    assert m.read('proc/meminfo') == before


def test_a_process_is_driven_by_its_owner(shared):
    m = shared

    def sim_user():
        fd = os.open(m.abs('proc/1000/ctl'), os.O_RDWR)
        try:
            os.write(fd, b'mmap 64K\n')
            os.lseek(fd, 0, os.SEEK_SET)
            reply = os.read(fd, 4096).decode()
        finally:
            os.close(fd)
        return {'reply': reply, 'access': os.access(m.abs('proc/1000/ctl'), os.R_OK | os.W_OK),
                'init ctl': write_errno(m.abs('proc/1/ctl'), 'mmap 4K\n'),
                'sim/ctl': write_errno(m.abs('sim/ctl'), 'spawn x\n')}
    got = as_user(SIM_USER, sim_user)
    assert got['reply'].startswith('0x'), got
    assert (got['access'], got['init ctl'], got['sim/ctl']) == (True, errno.EACCES, errno.EACCES), got
    assert any(line.startswith(got['reply'].strip()[2:] + '-') for line in m.read('proc/1000/maps').splitlines())
    # the mounting user (root here) still drives everything
    assert m.ctl('mmap 4K', rel='proc/1/ctl').startswith('0x')
    assert m.ctl('tick 1ms')


# ---------------------------------------------------------------- the pass-through

def _own_process(mount):
    """The caller's own process through the mount and through /proc, for a
    page it has touched"""
    buf = mmap.mmap(-1, 4096)
    buf[0:1] = b'x'
    addr = ctypes.addressof(ctypes.c_char.from_buffer(buf))
    out = {}
    for name in ('mount', 'real'):
        root = (mount + '/proc/self') if name == 'mount' else '/proc/self'
        with open(root + '/pagemap', 'rb') as f:
            f.seek(addr // 4096 * 8)
            entry = struct.unpack('<Q', f.read(8))[0]
        out[name] = {'present': entry >> 63, 'pfn': entry & ((1 << 55) - 1)}
        for f in ('stack', 'syscall', 'io', 'environ', 'auxv', 'mem'):
            try:
                with open(root + '/' + f, 'rb') as fh:
                    fh.read(64)
                out[name][f] = 0
            except OSError as e:
                out[name][f] = e.errno
    del buf
    return out


def test_own_process_gives_nothing_proc_refuses(shared):
    got = as_user(NOBODY, _own_process, shared.path)
    mount, real = got['mount'], got['real']
    # the page is there, and only CAP_SYS_ADMIN sees its frame
    assert real['present'] == 1 and real['pfn'] == 0, real
    assert mount['present'] == 1 and mount['pfn'] == 0, mount
    for f in ('stack', 'syscall', 'io', 'environ', 'auxv', 'mem'):
        if real[f]:
            assert mount[f], '%s: /proc refuses it (%s), the mount gave it' % (f, errno.errorcode[real[f]])
    # the kernel stack needs CAP_SYS_ADMIN (where the kernel has the file)
    if real['stack'] != errno.ENOENT:
        assert mount['stack'] == errno.EACCES, mount
    # root sees through the mount what /proc shows it (its frames, with
    # CAP_SYS_ADMIN)
    root = _own_process(shared.path)
    assert root['mount']['present'] == 1 and root['mount']['pfn'] == root['real']['pfn']


# ---------------------------------------------------------------- names

def test_an_ordinary_user_may_not_make_or_remove_names(shared):
    m = shared

    def nobody():
        def err(fn, *a):
            try:
                fn(*a)
            except OSError as e:
                return e.errno
            return 0
        return [err(os.mkdir, m.abs('sys/devices/system/node/x')), err(os.mkdir, m.abs('proc/x')),
                err(os.unlink, m.abs('sim/ctl')), err(os.unlink, m.abs('proc/meminfo')),
                err(os.unlink, m.abs('proc/1000/status')), err(os.symlink, 'x', m.abs('sim/x')),
                err(os.chmod, m.abs('sim/ctl'), 0o666), err(os.utime, m.abs('sim/ctl'), (1, 1)),
                err(os.utime, m.abs('proc/meminfo'))]
    assert as_user(NOBODY, nobody) == [errno.EACCES, errno.ENOENT, errno.EACCES, errno.EACCES, errno.EPERM,
                                       errno.EACCES, errno.EPERM, errno.EPERM, errno.EACCES]


def _pagemap_entry(mount, addr):
    with open(os.path.join(mount, 'proc/1000/pagemap'), 'rb') as f:
        f.seek(addr // 4096 * 8)
        return struct.unpack('<Q', f.read(8))[0]


def test_simulated_pagemap_hides_frames_from_other_users(shared):
    """A simulated process's pagemap (0400, its uid's): its user sees the
    page present with frame 0, as without CAP_SYS_ADMIN; root and the
    mounting user see the frame, which kpageflags describes."""
    addr = int(shared.pctl(1000, 'mmap 64K name=buf').strip(), 16)
    shared.pctl(1000, 'write buf')
    user = as_user(SIM_USER, _pagemap_entry, shared.path, addr)
    root = _pagemap_entry(shared.path, addr)
    assert user >> 63 == 1 and user & ((1 << 55) - 1) == 0, hex(user)
    assert root >> 63 == 1 and root & ((1 << 55) - 1) != 0, hex(root)
    assert user == root & ~((1 << 55) - 1)          # the same flags
    # kpageflags and kpagecount are root's (0400): others get EACCES
    assert as_user(NOBODY, _read_errno, os.path.join(shared.path, 'proc/kpageflags')) == errno.EACCES
    assert as_user(NOBODY, _read_errno, os.path.join(shared.path, 'proc/1000/pagemap')) == errno.EACCES


def _read_errno(path):
    try:
        with open(path, 'rb') as f:
            f.read(8)
        return 0
    except OSError as e:
        return e.errno
