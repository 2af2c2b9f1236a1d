"""The per-process tree: spawn from sim/ctl, proc/PID directories that come
and go with their processes, their owner, proc/self and proc/thread-self
pointing at the caller, and the caller's own real proc/PID passed through."""
import errno
import os
import re
import stat
import threading
import time

import pytest

from conftest import parse_kv

KTHREADS = ['kthreadd', 'khugepaged', 'ksmd', 'oom_reaper']


def comm_pids(m):
    """{comm: [pid]} of every listed process."""
    out = {}
    for pid in m.pids():
        out.setdefault(m.read('proc/%d/comm' % pid).strip(), []).append(pid)
    return out


def enoent(path):
    try:
        os.stat(path)
    except OSError as e:
        return e.errno == errno.ENOENT
    return False


# ---------------------------------------------------------------- spawn

def test_spawn_replies_the_pid(mnt):
    assert mnt.ctl('spawn web pid=1000') == '1000\n'
    assert 1000 in mnt.pids()
    st = mnt.status_text(1000)
    assert st['Name'] == 'web'
    assert st['Tgid'] == '1000' and st['Pid'] == '1000'
    assert mnt.read('proc/1000/comm') == 'web\n'
    assert mnt.read_bytes('proc/1000/cmdline').split(b'\0')[0].endswith(b'web')


def test_spawn_without_pid_takes_a_free_one(mnt):
    before = set(mnt.pids())
    pid = int(mnt.ctl('spawn db'))
    assert pid not in before
    assert set(mnt.pids()) == before | {pid}
    pid2 = int(mnt.ctl('spawn db'))
    assert pid2 not in before | {pid}


def test_spawn_long_name_truncates_comm_only(mnt):
    name = 'averyveryverylongprogramname'
    pid = int(mnt.ctl('spawn %s' % name))
    assert mnt.read('proc/%d/comm' % pid) == name[:15] + '\n'
    argv0 = mnt.read_bytes('proc/%d/cmdline' % pid).split(b'\0')[0].decode()
    assert argv0 == name or argv0.endswith('/' + name), argv0


def test_spawn_with_cgroup(mnt):
    pid = int(mnt.ctl('spawn web cgroup=/system.slice/web.service'))
    assert mnt.read('proc/%d/cgroup' % pid) == '0::/system.slice/web.service\n'


SPAWN_BAD = [
    ('spawn', errno.EINVAL),
    ('spawn a b', errno.EINVAL),
    ('spawn web pid=0', errno.EINVAL),
    ('spawn web pid=-1', errno.EINVAL),
    ('spawn web pid=abc', errno.EINVAL),
    ('spawn web pid=4194304', errno.EINVAL),        # pid_max: the first PID beyond
    ('spawn web pid=99999999999999999999', errno.EINVAL),
    ('spawn web pid=1', errno.EEXIST),              # init
    ('spawn web pid=2', errno.EEXIST),              # kthreadd
    ('spawn web cgroup=relative', errno.EINVAL),
    ('spawn web bogus=1', errno.EINVAL),
    ('spawn /usr/bin/web', errno.EINVAL),
]


@pytest.mark.parametrize('cmd,err', SPAWN_BAD, ids=[c for c, _e in SPAWN_BAD])
def test_spawn_refusals(mnt, cmd, err):
    before = mnt.snapshot()
    pids = mnt.pids()
    n0 = len(mnt.log_lines())
    got, _reply = mnt.ctl_raw(cmd)
    assert got == err, '%r: %s, expected %s' % (cmd, got and os.strerror(got), os.strerror(err))
    lines = mnt.log_lines()
    assert len(lines) == n0 + 1 and 'refused' in lines[-1], lines[n0:]
    assert mnt.pids() == pids
    after = mnt.snapshot()
    assert [p for p in before if before[p] != after[p]] == []


def test_spawn_taken_pid_is_eexist(mnt):
    mnt.ctl('spawn web pid=1000')
    err, _ = mnt.ctl_raw('spawn other pid=1000')
    assert err == errno.EEXIST
    assert mnt.read('proc/1000/comm') == 'web\n'


def test_pid_max_minus_one_is_allowed(mnt):
    pid_max = int(mnt.read('proc/sys/kernel/pid_max'))
    assert mnt.ctl('spawn web pid=%d' % (pid_max - 1)) == '%d\n' % (pid_max - 1)


# ---------------------------------------------------------------- the directories

def test_init_and_kernel_threads_are_there(mnt):
    names = comm_pids(mnt)
    assert names.get('init') == [1]
    assert names.get('kthreadd') == [2]
    for k in KTHREADS:
        assert k in names, sorted(names)
    for nid in mnt.nodes():
        assert 'kswapd%d' % nid in names and 'kcompactd%d' % nid in names
    # kernel threads: empty cmdline, but a full directory
    kswapd = names['kswapd0'][0]
    assert mnt.read_bytes('proc/%d/cmdline' % kswapd) == b''
    assert os.path.isdir(mnt.abs('proc/%d/task/%d' % (kswapd, kswapd)))


def test_pid_dirs_listed_in_ascending_order(mnt):
    for pid in (3000, 1000, 2000, 1500):
        mnt.ctl('spawn p%d pid=%d' % (pid, pid))
    names = os.listdir(mnt.abs('proc'))
    nums = [int(n) for n in names if n.isdigit()]
    assert nums == sorted(nums)
    assert {1000, 1500, 2000, 3000} <= set(nums)
    # the fixed entries come first, then the PIDs
    first_pid = min(i for i, n in enumerate(names) if n.isdigit())
    assert all(n.isdigit() for n in names[first_pid:])
    assert 'meminfo' in names and 'self' in names and 'thread-self' in names


def test_dead_pid_disappears_at_once(mnt):
    mnt.ctl('spawn web pid=1000')
    base = mnt.abs('proc/1000')
    assert os.path.isdir(base)
    os.stat(base + '/status')
    fd = os.open(base + '/status', os.O_RDONLY)
    try:
        assert mnt.ctl('exit', rel='proc/1000/ctl') == 'ok\n'
        assert enoent(base), 'proc/1000 still there after exit'
        assert enoent(base + '/task/1000')
        # the open file still answers fstat, as on Linux; FUSE asks for it
        # by path, so a stat of that path is answered too while it is open
        assert os.fstat(fd).st_mode & 0o777 == 0o444
        assert 1000 not in mnt.pids()
        with pytest.raises(OSError) as e:
            os.open(base + '/status', os.O_RDONLY)
        assert e.value.errno == errno.ENOENT
        # a descriptor opened before the exit: the process is gone (ESRCH)
        with pytest.raises(OSError) as e:
            os.pread(fd, 4096, 0)
        assert e.value.errno == errno.ESRCH
    finally:
        os.close(fd)
    # close(2) returns before FUSE's RELEASE reaches the daemon (the kernel
    # sends it asynchronously): the path goes once the release is seen
    deadline = time.monotonic() + 5
    while not enoent(base + '/status') and time.monotonic() < deadline:
        time.sleep(0.01)
    assert enoent(base + '/status')
    # and the PID can be used again
    assert mnt.ctl('spawn again pid=1000') == '1000\n'
    assert mnt.read('proc/1000/comm') == 'again\n'


def test_write_to_ctl_of_dead_process_is_esrch(mnt):
    mnt.ctl('spawn web pid=1000')
    fd = os.open(mnt.abs('proc/1000/ctl'), os.O_WRONLY)
    try:
        mnt.ctl('exit', rel='proc/1000/ctl')
        with pytest.raises(OSError) as e:
            os.write(fd, b'mmap 4K\n')
        assert e.value.errno == errno.ESRCH
    finally:
        os.close(fd)


def test_dir_owner_is_the_simulated_uid(mnt):
    mnt.ctl('spawn web pid=1000')
    for pid in (1, 2, 1000):
        st = os.stat(mnt.abs('proc/%d' % pid))
        s = mnt.status_text(pid)
        uid = int(s['Uid'].split()[1])    # the euid, as ps reads it
        gid = int(s['Gid'].split()[1])
        assert (st.st_uid, st.st_gid) == (uid, gid), pid
        for f in ('status', 'stat', 'ctl', 'task/%d' % pid, 'task/%d/stat' % pid):
            fst = os.stat(mnt.abs('proc/%d/%s' % (pid, f)))
            assert (fst.st_uid, fst.st_gid) == (uid, gid), (pid, f)
    assert os.stat(mnt.abs('proc/1')).st_uid == 0


def test_task_dir_lists_the_thread(mnt):
    mnt.ctl('spawn web pid=1000')
    assert [x for x in os.listdir(mnt.abs('proc/1000/task'))] == ['1000']
    assert mnt.read('proc/1000/task/1000/stat').startswith('1000 (web) ')
    assert mnt.read('proc/1000/task/1000/comm') == 'web\n'
    for bad in ('proc/1000/task/1', 'proc/1000/task/1001', 'proc/1000/task/01000'):
        assert enoent(mnt.abs(bad)), bad


def test_no_such_pid_paths(mnt):
    mnt.ctl('spawn web pid=1000')
    for bad in ('proc/{PID}', 'proc/{PID}/stat', 'proc/01000', 'proc/1000/nosuch', 'proc/1000/task/{TID}',
                'proc/99999', 'proc/1000/stat/x', 'proc/0', 'proc/-1', 'proc/4294967296'):
        assert mnt.lstat_errno(bad) in (errno.ENOENT, errno.ENOTDIR), bad


def test_pid_dir_listing(mnt):
    mnt.ctl('spawn web pid=1000')
    got = set(os.listdir(mnt.abs('proc/1000')))
    for f in ('stat', 'statm', 'status', 'maps', 'smaps', 'smaps_rollup', 'cmdline', 'comm', 'ctl', 'task'):
        assert f in got, f
    assert stat.S_ISDIR(os.stat(mnt.abs('proc/1000/task')).st_mode)


# ---------------------------------------------------------------- self

def test_self_points_at_the_caller(mnt):
    assert os.readlink(mnt.abs('proc/self')) == str(os.getpid())
    st = os.lstat(mnt.abs('proc/self'))
    assert stat.S_ISLNK(st.st_mode)


def test_thread_self_points_at_the_calling_thread(mnt):
    got = {}

    def run():
        got['link'] = os.readlink(mnt.abs('proc/thread-self'))
        got['tid'] = threading.get_native_id()

    t = threading.Thread(target=run)
    t.start()
    t.join()
    assert got['link'] == '%d/task/%d' % (os.getpid(), got['tid'])
    assert got['tid'] != os.getpid()
    # from a thread, self is still the thread group
    got2 = {}
    t = threading.Thread(target=lambda: got2.setdefault('self', os.readlink(mnt.abs('proc/self'))))
    t.start()
    t.join()
    assert got2['self'] == str(os.getpid())


def test_self_from_a_child_process(mnt):
    import subprocess
    p = subprocess.Popen(['readlink', mnt.abs('proc/self')], stdout=subprocess.PIPE, text=True)
    out, _ = p.communicate()
    assert out.strip() == str(p.pid)


def test_own_real_pid_is_passed_through(mnt):
    me = os.getpid()
    if me in mnt.pids():
        pytest.skip('this test process has a simulated PID (%d)' % me)
    text = mnt.read('proc/%d/stat' % me)
    assert re.match(r'^%d \(.*\) [A-Z] ' % me, text), text[:80]
    with open('/proc/self/stat') as f:
        real = f.read()
    assert text.split(')')[0] == real.split(')')[0]
    st = parse_kv(mnt.read('proc/%d/status' % me))
    assert st['Tgid'] == me
    # through the link, as procps's look_up_our_self reads it
    assert mnt.read('proc/self/stat').startswith('%d (' % me)
    assert os.path.isdir(mnt.abs('proc/self'))
    assert 'status' in os.listdir(mnt.abs('proc/self'))
    # read-only
    with pytest.raises(OSError) as e:
        os.open(mnt.abs('proc/%d/status' % me), os.O_WRONLY)
    assert e.value.errno == errno.EACCES
    # not in the listing
    assert me not in mnt.pids()


def test_other_real_pids_are_not_passed_through(mnt):
    parent = os.getppid()
    if parent in mnt.pids():
        pytest.skip('the parent has a simulated PID')
    assert enoent(mnt.abs('proc/%d' % parent))
    assert enoent(mnt.abs('proc/%d/stat' % parent))


def test_simulated_pid_wins_over_the_callers_own(mnt):
    me = os.getpid()
    pid_max = int(mnt.read('proc/sys/kernel/pid_max'))
    if me >= pid_max:
        pytest.skip('own PID beyond the simulated pid_max')
    mnt.ctl('spawn shadow pid=%d' % me)
    assert mnt.read('proc/%d/comm' % me) == 'shadow\n'
    assert me in mnt.pids()
    # self still names the caller's number, which now is the simulated one
    assert mnt.read('proc/self/comm') == 'shadow\n'
    mnt.ctl('exit', rel='proc/%d/ctl' % me)
    # back to the real one
    assert mnt.read('proc/%d/stat' % me).startswith('%d (' % me)


def test_passthrough_links_are_links(mnt):
    """The caller's real proc/PID/cwd is a symbolic link the caller's
    kernel follows: the daemon itself never resolves it."""
    me = os.getpid()
    if me in mnt.pids():
        pytest.skip('this test process has a simulated PID')
    assert stat.S_ISLNK(os.lstat(mnt.abs('proc/%d/cwd' % me)).st_mode)
    assert os.readlink(mnt.abs('proc/%d/cwd' % me)) == os.getcwd()
    assert sorted(os.listdir(mnt.abs('proc/%d/cwd' % me))) == sorted(os.listdir(os.getcwd()))
