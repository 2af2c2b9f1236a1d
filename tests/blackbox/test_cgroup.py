"""The cgroup v2 hierarchy at sys/fs/cgroup: mkdir and rmdir with
cgroupfs's errors, the core files, controllers per subtree, moving
processes, and the pids controller."""
import errno
import os

import pytest

CG = 'sys/fs/cgroup'
CORE_ROOT = {'cgroup.controllers', 'cgroup.max.depth', 'cgroup.max.descendants', 'cgroup.procs',
             'cgroup.stat', 'cgroup.subtree_control', 'cgroup.threads'}
CORE_CHILD = CORE_ROOT | {'cgroup.type', 'cgroup.events'}
PIDS = {'pids.current', 'pids.max', 'pids.peak', 'pids.events'}
MEMORY = {'memory.current', 'memory.min', 'memory.low', 'memory.high', 'memory.max', 'memory.peak',
          'memory.events', 'memory.events.local', 'memory.stat', 'memory.numa_stat', 'memory.oom.group',
          'memory.reclaim', 'memory.pressure', 'memory.swap.current', 'memory.swap.high',
          'memory.swap.max', 'memory.swap.peak', 'memory.swap.events'}


def err_of(fn, *a):
    try:
        fn(*a)
    except OSError as e:
        return e.errno
    return 0


def files(mnt, rel):
    p = mnt.abs(rel)
    return {n for n in os.listdir(p) if not os.path.isdir(os.path.join(p, n))}


def subdirs(mnt, rel):
    p = mnt.abs(rel)
    return {n for n in os.listdir(p) if os.path.isdir(os.path.join(p, n))}


def procs(mnt, rel):
    return [int(x) for x in mnt.read(rel + '/cgroup.procs').split()]


def mkcg(mnt, rel, control=''):
    os.mkdir(mnt.abs(CG + '/' + rel))
    if control:
        assert mnt.write(CG + '/' + rel + '/cgroup.subtree_control', control) == (True, 0)


def test_boot_tree(mnt):
    """The root has no NR files; systemd's state: every controller below
    the root, init in init.scope, kernel threads in the root"""
    assert files(mnt, CG) == CORE_ROOT
    assert subdirs(mnt, CG) == {'init.scope'}
    assert mnt.read(CG + '/cgroup.controllers') == 'memory pids\n'
    assert mnt.read(CG + '/cgroup.subtree_control') == 'memory pids\n'
    assert files(mnt, CG + '/init.scope') == CORE_CHILD | PIDS | MEMORY
    assert procs(mnt, CG + '/init.scope') == [1]
    assert mnt.read('proc/1/cgroup') == '0::/init.scope\n'
    assert 2 in procs(mnt, CG) and 1 not in procs(mnt, CG)
    assert mnt.read('proc/2/cgroup') == '0::/\n'
    assert mnt.read(CG + '/init.scope/cgroup.events') == 'populated 1\nfrozen 0\n'
    assert mnt.read(CG + '/init.scope/cgroup.type') == 'domain\n'
    assert mnt.read(CG + '/init.scope/pids.current') == '1\n'
    assert mnt.read(CG + '/init.scope/pids.max') == 'max\n'
    assert mnt.read(CG + '/cgroup.stat') == ('nr_descendants 1\nnr_subsys_memory 2\nnr_subsys_pids 2\n'
                                             'nr_dying_descendants 0\nnr_dying_subsys_memory 0\n'
                                             'nr_dying_subsys_pids 0\n')
    for nr in ('cgroup.type', 'cgroup.events', 'pids.max', 'pids.current'):
        assert mnt.lstat_errno(CG + '/' + nr) == errno.ENOENT, nr


def test_mkdir_rmdir_and_their_errors(mnt):
    a = mnt.abs(CG + '/a')
    os.mkdir(a)
    assert 'a' in subdirs(mnt, CG)
    assert mnt.read(CG + '/a/cgroup.procs') == ''
    assert mnt.read(CG + '/a/cgroup.events') == 'populated 0\nfrozen 0\n'
    assert err_of(os.mkdir, a) == errno.EEXIST
    assert err_of(os.mkdir, mnt.abs(CG + '/nosuch/b')) == errno.ENOENT
    assert err_of(os.mkdir, a + '/cgroup.procs') == errno.EEXIST
    n0 = len(mnt.log_lines())
    assert err_of(os.mkdir, a + '/x\ny') == errno.EINVAL
    assert len(mnt.log_lines()) == n0 + 1 and 'mkdir refused' in mnt.log_lines()[-1]
    os.mkdir(a + '/b')
    assert mnt.read(CG + '/a/cgroup.stat').startswith('nr_descendants 1\n')
    assert mnt.read(CG + '/cgroup.stat').startswith('nr_descendants 3\n')
    assert err_of(os.rmdir, a) == errno.EBUSY
    assert 'it has child cgroups' in mnt.log_lines()[-1]
    assert err_of(os.rmdir, a + '/cgroup.procs') == errno.ENOTDIR
    assert err_of(os.rmdir, mnt.abs(CG + '/nosuch')) == errno.ENOENT
    assert err_of(os.rmdir, mnt.abs(CG)) == errno.EBUSY
    os.rmdir(a + '/b')
    os.rmdir(a)
    assert subdirs(mnt, CG) == {'init.scope'}
    assert mnt.lstat_errno(CG + '/a/cgroup.procs') == errno.ENOENT
    # a name made again is a new cgroup
    os.mkdir(a)
    assert mnt.read(CG + '/a/pids.peak') == '0\n'


def test_rmdir_with_processes_is_ebusy(mnt):
    pid = int(mnt.ctl('spawn web cgroup=/a/b'))
    assert mnt.read('proc/%d/cgroup' % pid) == '0::/a/b\n'
    assert err_of(os.rmdir, mnt.abs(CG + '/a/b')) == errno.EBUSY
    assert 'processes are in it' in mnt.log_lines()[-1]
    assert mnt.read(CG + '/a/cgroup.events') == 'populated 1\nfrozen 0\n'
    mnt.pctl(pid, 'exit')
    assert mnt.read(CG + '/a/cgroup.events') == 'populated 0\nfrozen 0\n'
    os.rmdir(mnt.abs(CG + '/a/b'))


def test_depth_and_descendant_limits_are_eagain(mnt):
    mkcg(mnt, 'a')
    assert mnt.write(CG + '/a/cgroup.max.depth', '1\n') == (True, 0)
    assert mnt.read(CG + '/a/cgroup.max.depth') == '1\n'
    os.mkdir(mnt.abs(CG + '/a/b'))
    assert err_of(os.mkdir, mnt.abs(CG + '/a/b/c')) == errno.EAGAIN
    assert mnt.write(CG + '/a/cgroup.max.depth', 'max\n') == (True, 0)
    os.mkdir(mnt.abs(CG + '/a/b/c'))
    assert mnt.write(CG + '/a/cgroup.max.descendants', '2\n') == (True, 0)
    assert err_of(os.mkdir, mnt.abs(CG + '/a/d')) == errno.EAGAIN
    assert mnt.write(CG + '/a/cgroup.max.descendants', '-1\n') == (False, errno.ERANGE)
    assert mnt.read(CG + '/a/cgroup.max.descendants') == '2\n'


def test_controller_files_follow_the_parents_subtree_control(mnt):
    mkcg(mnt, 'a')
    os.mkdir(mnt.abs(CG + '/a/b'))
    assert mnt.read(CG + '/a/cgroup.subtree_control') == '\n'
    assert mnt.read(CG + '/a/b/cgroup.controllers') == '\n'
    assert files(mnt, CG + '/a/b') == CORE_CHILD
    assert mnt.lstat_errno(CG + '/a/b/pids.max') == errno.ENOENT
    assert mnt.write(CG + '/a/cgroup.subtree_control', '+pids\n') == (True, 0)
    assert mnt.read(CG + '/a/b/cgroup.controllers') == 'pids\n'
    assert files(mnt, CG + '/a/b') == CORE_CHILD | PIDS
    assert mnt.write(CG + '/a/b/cgroup.subtree_control', '+pids') == (True, 0)
    # a child uses it: not disabled
    assert mnt.write(CG + '/a/cgroup.subtree_control', '-pids') == (False, errno.EBUSY)
    # not offered by the parent
    assert mnt.write(CG + '/a/b/cgroup.subtree_control', '+memory') == (False, errno.ENOENT)
    assert mnt.write(CG + '/a/b/cgroup.subtree_control', '-pids') == (True, 0)
    # an open file of a controller that goes away answers ENODEV
    fd = os.open(mnt.abs(CG + '/a/b/pids.current'), os.O_RDONLY)
    try:
        assert mnt.write(CG + '/a/cgroup.subtree_control', '-pids') == (True, 0)
        assert err_of(os.pread, fd, 100, 0) == errno.ENODEV
    finally:
        os.close(fd)
    assert files(mnt, CG + '/a/b') == CORE_CHILD


def test_moving_a_process(mnt):
    mkcg(mnt, 'a')
    mkcg(mnt, 'b')
    pid = int(mnt.ctl('spawn web cgroup=/a'))
    assert procs(mnt, CG + '/a') == [pid]
    assert mnt.write(CG + '/b/cgroup.procs', '%d\n' % pid) == (True, 0)
    assert procs(mnt, CG + '/a') == [] and procs(mnt, CG + '/b') == [pid]
    assert mnt.read('proc/%d/cgroup' % pid) == '0::/b\n'
    assert mnt.read(CG + '/a/pids.current') == '0\n' and mnt.read(CG + '/a/pids.peak') == '1\n'
    assert mnt.read(CG + '/b/pids.current') == '1\n'
    assert mnt.read(CG + '/b/cgroup.threads') == '%d\n' % pid
    # back to the root
    assert mnt.write(CG + '/cgroup.procs', '%d' % pid) == (True, 0)
    assert mnt.read('proc/%d/cgroup' % pid) == '0::/\n'
    assert mnt.write(CG + '/b/cgroup.procs', '999999\n') == (False, errno.ESRCH)
    assert mnt.write(CG + '/b/cgroup.procs', '2\n') == (False, errno.EINVAL)  # kthreadd
    assert mnt.read('proc/2/cgroup') == '0::/\n'
    # no internal processes: not into a cgroup that gave its controllers away
    assert mnt.write(CG + '/a/cgroup.subtree_control', '+memory') == (True, 0)
    assert mnt.write(CG + '/a/cgroup.procs', '%d' % pid) == (False, errno.EBUSY)
    assert 'no internal processes' in mnt.log_lines()[-1]
    assert mnt.ctl_raw('spawn db cgroup=/a')[0] == errno.EBUSY
    # nor controllers given away by a cgroup with processes
    assert mnt.write(CG + '/b/cgroup.procs', '%d' % pid) == (True, 0)
    assert mnt.write(CG + '/b/cgroup.subtree_control', '+pids') == (False, errno.EBUSY)
    # threads move only within their cgroup
    assert mnt.write(CG + '/b/cgroup.threads', '%d' % pid) == (True, 0)
    assert mnt.write(CG + '/init.scope/cgroup.threads', '%d' % pid) == (False, errno.EOPNOTSUPP)


def test_fork_inherits_and_pids_max_refuses(mnt):
    mkcg(mnt, 'a')
    pid = int(mnt.ctl('spawn web cgroup=/a'))
    child = int(mnt.pctl(pid, 'fork'))
    assert mnt.read('proc/%d/cgroup' % child) == '0::/a\n'
    assert procs(mnt, CG + '/a') == sorted([pid, child])
    assert mnt.write(CG + '/a/pids.max', '2\n') == (True, 0)
    assert mnt.read(CG + '/a/pids.max') == '2\n'
    assert mnt.pctl_raw(pid, 'fork')[0] == errno.EAGAIN
    assert mnt.ctl_raw('spawn db cgroup=/a')[0] == errno.EAGAIN
    assert mnt.read(CG + '/a/pids.events') == 'max 2\n'
    assert mnt.read(CG + '/a/pids.current') == '2\n'
    mnt.pctl(child, 'exit')
    assert mnt.read(CG + '/a/pids.current') == '1\n'
    assert mnt.read(CG + '/a/pids.peak') == '2\n'
    int(mnt.pctl(pid, 'fork'))
    # the limit of an ancestor holds below it too
    mkcg(mnt, 'p', '+pids')
    assert mnt.write(CG + '/p/pids.max', '0') == (True, 0)
    assert mnt.ctl_raw('spawn db cgroup=/p/q')[0] == errno.EAGAIN
    assert subdirs(mnt, CG + '/p') == set()  # what the refused spawn made is gone
    assert mnt.read(CG + '/p/pids.events') == 'max 1\n'
    assert mnt.write(CG + '/a/pids.max', 'max\n') == (True, 0)
    assert mnt.read(CG + '/a/pids.max') == 'max\n'


def test_spawn_makes_missing_cgroups(mnt):
    pid = int(mnt.ctl('spawn web cgroup=/system.slice/web.service'))
    assert 'web.service' in subdirs(mnt, CG + '/system.slice')
    assert procs(mnt, CG + '/system.slice/web.service') == [pid]
    assert mnt.read(CG + '/system.slice/pids.current') == '1\n'
