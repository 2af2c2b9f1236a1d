"""Robustness of the daemon: signals and the mount point, large and odd
writes to ctl files, long batches against readers.

Large writes: the kernel cuts a write(2) to a FUSE file into requests of at
most max_write bytes (1 MiB here), sent one after the other; a request that
succeeds for fewer bytes than it carried ends the write(2) with that short
count.  The ctl files take a request's whole lines only, so what a write(2)
reports written is exactly the lines that ran.
"""
import errno
import mmap
import os
import re
import signal
import sys
import subprocess
import threading
import time
import uuid

import pytest

from conftest import MMSIMD, _die_with_parent, fuse_unavailable, parse_uptime, require_daemon, start_daemon

MAX_LINE = 4096          # the longest command line, without its newline
MIB = 1 << 20


# ---------------------------------------------------------------- helpers

def uptime_cs(m):
    return parse_uptime(m.read('proc/uptime'))[0]


def tick_line(length=9):
    """'tick 10ms' (one centisecond) padded with blanks to length bytes,
    plus its newline."""
    assert length >= 9
    return b'tick 10ms' + b' ' * (length - 9) + b'\n'


def aligned(data):
    """data in page-aligned memory: the kernel then cuts the write exactly
    at multiples of max_write."""
    buf = mmap.mmap(-1, len(data))
    buf.write(data)
    return buf


def write_all(fd, data):
    """What cat, echo and fwrite do: after a short count, write the rest
    again.  Returns (bytes written, errno or 0)."""
    view = memoryview(data)
    done = 0
    while done < len(data):
        try:
            n = os.write(fd, view[done:])
        except OSError as e:
            return done, e.errno
        assert n > 0, 'write returned 0'
        done += n
    return done, 0


def open_ctl(m, rel='sim/ctl'):
    return os.open(m.abs(rel), os.O_WRONLY)


def log_count(m):
    return m.log().count('\n')


def mounted_at(path):
    """True when /proc/self/mountinfo lists a mount at path (a dead FUSE
    mount too, which os.path.ismount cannot tell: its stat fails)."""
    path = os.path.abspath(path)
    with open('/proc/self/mountinfo') as f:
        for line in f:
            mp = line.split()[4].replace('\\040', ' ').replace('\\011', '\t').replace('\\012', '\n') \
                .replace('\\134', '\\')
            if mp == path:
                return True
    return False


def clear_mount(path):
    subprocess.run(['fusermount3', '-u', '-z', path], capture_output=True)


# ---------------------------------------------------------------- signals and the mount point

def find_daemon(name):
    """The PID of the mmsimd whose last argument is name (pgrep: the daemon
    has detached, so this test did not start the process it must signal)."""
    r = subprocess.run(['pgrep', '-n', '-f', '-x', '%s .*%s' % (re.escape(MMSIMD), re.escape(name))],
                       capture_output=True, text=True)
    return int(r.stdout.split()[0]) if r.returncode == 0 else None


def wait_gone(pid, timeout):
    """True once pid has exited (gone, or a zombie waiting for its reaper)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        r = subprocess.run(['ps', '-o', 'stat=', '-p', str(pid)], capture_output=True, text=True)
        if r.returncode != 0 or r.stdout.strip().startswith('Z'):
            return True
        time.sleep(0.02)
    return False


@pytest.mark.parametrize('sig', [signal.SIGTERM, signal.SIGINT])
def test_signal_unmounts_a_relative_mountpoint(tmp_path, sig):
    """The README's form: `mmsimd --clock=manual mnt` (a daemon, which
    changes to / once mounted), then kill: the mount must go."""
    why = fuse_unavailable()
    if why:
        pytest.skip(why)
    require_daemon()
    name = 'mnt-%s' % uuid.uuid4().hex[:8]
    d = tmp_path / name
    d.mkdir()
    try:
        r = subprocess.run([MMSIMD, '--clock=manual', name], cwd=str(tmp_path), capture_output=True,
                           text=True, timeout=30, stdin=subprocess.DEVNULL)
        assert r.returncode == 0, r.stderr
        assert os.path.exists(d / 'sim' / 'ctl')
        pid = find_daemon(name)
        assert pid, 'no mmsimd process for %s' % name
        os.kill(pid, sig)
        assert wait_gone(pid, 10), 'mmsimd did not exit after %s' % sig.name
        # not a dead mount: the directory lists, and nothing is mounted there
        assert os.listdir(str(d)) == []
        assert not mounted_at(str(d))
    finally:
        if mounted_at(str(d)):
            clear_mount(str(d))


def test_restart_on_a_stale_mount_of_its_own(mount, tmp_path):
    """A daemon killed with SIGKILL leaves a dead mount (ENOTCONN); a new
    mmsimd on the same directory clears it (it is an mmsim mount) and
    mounts."""
    m = mount()
    m.proc.kill()
    m.proc.wait()
    m.unmounted = True
    try:
        with pytest.raises(OSError) as e:
            os.listdir(m.path)
        assert e.value.errno == errno.ENOTCONN
        m2 = start_daemon(m.path, [], str(tmp_path / 'restart.err'))
        try:
            assert 'stale' in m2.stderr(), m2.stderr()
            assert m2.read('proc/meminfo').startswith('MemTotal:')
        finally:
            assert m2.unmount() == 0, m2.stderr()
        assert os.listdir(m.path) == []
        assert not mounted_at(m.path)
    finally:
        if mounted_at(m.path):
            clear_mount(m.path)


def test_stale_mount_of_another_filesystem_is_named(mount, run_mmsimd):
    """A dead FUSE mount that is not mmsim's is left alone, with a message
    that says what it is and how to clear it, not "not a directory"."""
    m = mount('-o', 'subtype=other')
    m.proc.kill()
    m.proc.wait()
    m.unmounted = True
    try:
        with pytest.raises(OSError):
            os.listdir(m.path)
        r = run_mmsimd('-f', '--clock=manual', m.path)
        assert r.returncode == 2, r.stderr
        assert 'not a directory' not in r.stderr
        assert 'stale' in r.stderr and 'fusermount3 -u %s' % m.path in r.stderr, r.stderr
        with pytest.raises(OSError):
            os.listdir(m.path)
    finally:
        clear_mount(m.path)


# ---------------------------------------------------------------- writes of many lines

def test_max_line_length(mnt):
    """A line holds at most 4096 bytes before its newline, trailing blanks
    included; a longer one is EINVAL, logged, and runs nothing."""
    fd = open_ctl(mnt)
    try:
        assert os.write(fd, tick_line(MAX_LINE)) == MAX_LINE + 1
        assert uptime_cs(mnt) == 1
        n0 = log_count(mnt)
        with pytest.raises(OSError) as e:
            os.write(fd, tick_line(MAX_LINE + 1))
        assert e.value.errno == errno.EINVAL
        assert uptime_cs(mnt) == 1
        assert log_count(mnt) == n0 + 1
        assert 'line too long' in mnt.log().splitlines()[-1]
    finally:
        os.close(fd)


@pytest.mark.parametrize('before_cut', [1, 9, 3000, 4090])
def test_long_line_across_a_request_boundary_runs_nothing(mnt, before_cut):
    """A line longer than the maximum that straddles the kernel's cut
    between two requests is refused whole: no part of it runs, even when
    it would be a valid command without its trailing blanks."""
    start = MIB - before_cut                    # where the long line starts
    q, r = divmod(start, 2001)
    good = tick_line(2000) * q + (b' ' * (r - 1) + b'\n' if r else b'')
    assert len(good) == start
    data = aligned(good + b'tick 10ms' + b' ' * 6000 + b'\n' + tick_line())
    fd = open_ctl(mnt)
    try:
        done, err = write_all(fd, data)
    finally:
        os.close(fd)
    assert (done, err) == (start, errno.EINVAL)
    assert uptime_cs(mnt) == q
    assert 'line too long' in mnt.log().splitlines()[-1]


def test_line_longer_than_a_request_runs_nothing(mnt):
    data = aligned(b'x' * (3 * MIB) + b' tick 10ms\n' + tick_line())
    n0 = log_count(mnt)
    fd = open_ctl(mnt)
    try:
        done, err = write_all(fd, data)
    finally:
        os.close(fd)
    assert (done, err) == (0, errno.EINVAL)
    assert uptime_cs(mnt) == 0
    assert log_count(mnt) == n0 + 1


@pytest.mark.parametrize('line_len,use_mmap', [(4096 - 1, True), (4000, True), (4000, False)])
def test_failure_after_the_first_request_runs_each_line_once(mnt, line_len, use_mmap):
    """2.4 MB of ticks with a bad line in the second request, written by a
    write-all loop: the lines before the bad one run exactly once, the
    write ends with EINVAL, and what was reported written is exactly the
    lines that ran.  With 4096-byte lines the first request ends on a line
    boundary (the second continues it); with 4001-byte ones it does not."""
    line = tick_line(line_len)
    before = line * 400
    data = before + b'bogus\n' + line * 200
    data = aligned(data) if use_mmap else data
    fd = open_ctl(mnt)
    try:
        done, err = write_all(fd, data)
    finally:
        os.close(fd)
    assert err == errno.EINVAL
    assert uptime_cs(mnt) == 400, 'lines ran %d times' % uptime_cs(mnt)
    assert done <= len(before) and done % len(line) == 0
    assert mnt.log().splitlines()[-1].endswith("'bogus' refused: unknown command (Invalid argument)")


def test_one_write_reports_the_lines_that_ran(mnt):
    """One write(2) (no retry) whose second request holds a bad line after
    good ones: the count says exactly how far the lines ran; writing the
    rest then fails on the bad line, and nothing ran twice."""
    line = tick_line(MAX_LINE - 1)              # 4096 bytes with its newline
    data = aligned(line * 300 + b'bogus\n' + line * 10)
    fd = open_ctl(mnt)
    try:
        n = os.write(fd, data)
        assert n == 300 * len(line)
        assert uptime_cs(mnt) == 300
        with pytest.raises(OSError) as e:
            os.write(fd, data[n:])
        assert e.value.errno == errno.EINVAL
        assert uptime_cs(mnt) == 300
    finally:
        os.close(fd)


def test_many_lines_run_once_without_a_failure(mnt):
    line = tick_line(3000)
    data = line * 1000                          # 3 MB: several requests, cut inside lines
    fd = open_ctl(mnt)
    try:
        assert write_all(fd, data) == (len(data), 0)
    finally:
        os.close(fd)
    assert uptime_cs(mnt) == 1000


# ---------------------------------------------------------------- a last line without a newline

def test_small_write_without_newline_runs(mnt):
    fd = open_ctl(mnt)
    try:
        assert os.write(fd, b'tick 10ms') == 9
        assert uptime_cs(mnt) == 1
    finally:
        os.close(fd)
    assert uptime_cs(mnt) == 1


@pytest.mark.parametrize('size', [64 * 1024, 200 * 1024, 3 * MIB])
def test_large_write_without_newline_runs_its_last_line(mnt, size):
    body = tick_line(4000) * (size // 4001 + 1)
    data = body + b'tick 1s'
    fd = open_ctl(mnt)
    try:
        assert write_all(fd, data) == (len(data), 0)
    finally:
        os.close(fd)
    assert uptime_cs(mnt) == len(body) // 4001 + 100


def test_large_write_without_newline_never_loses_its_last_line(mnt):
    """One write(2) of more than 64 KiB whose last line has no newline: the
    line is either run or not reported written; never taken and dropped
    (at close, nothing is left behind)."""
    body = tick_line(1000) * 100
    data = body + b'tick 1s'
    fd = open_ctl(mnt)
    try:
        n = os.write(fd, data)
        ran = uptime_cs(mnt)
        if n == len(data):
            assert ran == 200
        else:
            assert (n, ran) == (len(body), 100)
            assert os.write(fd, data[n:]) == len(data) - n
            assert uptime_cs(mnt) == 200
    finally:
        os.close(fd)
    time.sleep(0.2)
    assert uptime_cs(mnt) == 200


# ---------------------------------------------------------------- long batches

def start_batch(m, data, rel='sim/ctl'):
    """Write data from a thread; returns (thread, result) where result gets
    'done' (bytes, errno) at the end."""
    result = {}

    def run():
        fd = os.open(m.abs(rel), os.O_WRONLY)
        try:
            result['done'] = write_all(fd, data)
        finally:
            try:
                os.close(fd)
            except OSError:
                pass
        result['end'] = time.monotonic()

    t = threading.Thread(target=run, daemon=True)
    t.start()
    return t, result


def wait_started(m, t, timeout=30):
    """Until the batch (ticks) has moved the clock."""
    deadline = time.monotonic() + timeout
    while uptime_cs(m) == 0:
        assert t.is_alive(), 'the batch ended before it was seen running'
        assert time.monotonic() < deadline, 'the batch did not start'
        time.sleep(0.005)


def test_readers_do_not_wait_behind_a_batch(mnt):
    """A long batch lets go of the model lock between its commands: reads
    complete while it runs, each behind at most one command."""
    n = 3000
    t, result = start_batch(mnt, b'tick 10ms\n' * n)
    wait_started(mnt, t)
    reads = []
    for _ in range(5):
        assert mnt.read('proc/meminfo').startswith('MemTotal:')
        reads.append(uptime_cs(mnt))
    still_running = t.is_alive()
    t.join(120)
    assert result['done'] == (n * 10, 0)
    assert still_running, 'the reads waited for the whole batch'
    assert reads[-1] < n
    assert uptime_cs(mnt) == n


def test_sigterm_ends_a_batch(mount):
    """SIGTERM in the middle of a long batch: the daemon exits 0 at once;
    the batch stops (the rest of its lines do not run) and its writer gets
    an error, not success."""
    m = mount()
    n = 100000
    t, result = start_batch(m, b'tick 10ms\n' * n)
    wait_started(m, t)
    t0 = time.monotonic()
    m.proc.send_signal(signal.SIGTERM)
    try:
        rc = m.proc.wait(timeout=30)
    finally:
        m.unmounted = True
    took = time.monotonic() - t0
    t.join(30)
    assert not t.is_alive()
    assert rc == 0, m.stderr()
    assert took < 2, 'mmsimd took %.1f s to exit after SIGTERM' % took
    done, err = result['done']
    assert err in (errno.EINTR, errno.ENOTCONN, errno.ECONNABORTED), (done, err)
    assert done < n * 10
    assert os.listdir(m.path) == []


def test_killed_writer_stops_its_batch(mnt):
    """The writer of a long batch is killed: the kernel asks the daemon to
    interrupt the request, and the batch stops at the next command instead
    of running to its end."""
    n = 100000
    code = ('import os\n'
            'fd = os.open(%r, os.O_WRONLY)\n'
            'os.write(fd, b"tick 10ms\\n" * %d)\n' % (mnt.abs('sim/ctl'), n))
    p = subprocess.Popen([sys.executable, '-c', code], stdin=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while uptime_cs(mnt) == 0:
            assert p.poll() is None, 'the writer ended before its batch was seen running'
            assert time.monotonic() < deadline, 'the batch did not start'
            time.sleep(0.005)
    finally:
        p.kill()
        p.wait()
    time.sleep(0.5)
    u1 = uptime_cs(mnt)
    time.sleep(0.5)
    assert uptime_cs(mnt) == u1, 'the batch goes on after its writer was killed'
    assert u1 < n
    assert 'write interrupted' in mnt.log().splitlines()[-1]
