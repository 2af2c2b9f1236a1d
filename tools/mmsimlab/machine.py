"""A mounted mmsim tree, and a daemon started for one run.

Machine wraps a mount point: reading files, sending commands to sim/ctl
and proc/PID/ctl, and a hook called after every command (tools/plot
samples there).  Daemon starts `mmsimd -f --clock=manual --seed=N` on a
temporary directory, the way tests/blackbox/conftest.py does, and always
unmounts it again: on a normal exit, an exception, Ctrl-C, SIGTERM or
SIGHUP (and the daemon gets SIGTERM if this process is killed outright).
"""

import errno
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MOUNT_TIMEOUT = 20


class CommandFailed(Exception):
    """A ctl command the model refused: errno name and sim/log's reason."""

    def __init__(self, target, line, err, reason):
        self.target, self.line, self.errno_name, self.reason = target, line, err, reason
        super().__init__('%s: %r failed with %s (sim/log: %s)' % (target, line, err, reason))


def build_dir():
    return os.path.abspath(os.environ.get('MMSIM_BUILD_DIR') or os.path.join(REPO, 'build'))


def mmsimd_path():
    return os.path.join(build_dir(), 'src', 'mmsimd')


def parse_kv(text):
    """'Key:   123 kB' lines -> {key: int}."""
    out = {}
    for line in text.splitlines():
        m = re.match(r'^([^:\s]+):\s+(-?\d+)', line)
        if m:
            out[m.group(1)] = int(m.group(2))
    return out


def parse_vmstat(text):
    return {k: int(v) for k, v in (l.split() for l in text.splitlines() if l.strip())}


def parse_zoneinfo(text):
    """{(node, zone): {'pages free':, 'min':, 'low':, 'high':, 'managed':, ...}}."""
    zones, cur = {}, None
    for line in text.splitlines():
        m = re.match(r'^Node (\d+), zone\s+(\S+)$', line)
        if m:
            cur = zones.setdefault((int(m.group(1)), m.group(2)), {})
            continue
        s = line.strip()
        if cur is None or s.startswith(('per-node', 'pagesets', 'cpu:')):
            continue
        m = re.match(r'^(pages free|min|low|high|spanned|present|managed|nr_\w+)\s+(-?\d+)$', s)
        if m and m.group(1) not in cur:
            cur[m.group(1)] = int(m.group(2))
    return zones


def parse_buddyinfo(text):
    """{(node, zone): [free blocks of order 0..10]}."""
    out = {}
    for line in text.splitlines():
        m = re.match(r'^Node (\d+), zone\s+(\S+)\s+(.*)$', line)
        if m:
            out[(int(m.group(1)), m.group(2))] = [int(x) for x in m.group(3).split()]
    return out


def parse_uptime(text):
    return float(text.split()[0])


class Machine:
    """One mounted tree."""

    def __init__(self, path):
        self.path = os.path.abspath(path)
        self.after_command = []      # callables(machine), run after every command
        if not os.path.exists(self.abs('sim/ctl')):
            raise SystemExit('%s is not an mmsim mount (no sim/ctl)' % path)

    def abs(self, rel):
        return os.path.join(self.path, rel)

    def read(self, rel):
        with open(self.abs(rel), encoding='utf-8', errors='replace') as f:
            return f.read()

    def write(self, rel, text):
        """Write a tunable (echo TEXT > FILE)."""
        fd = os.open(self.abs(rel), os.O_WRONLY)
        try:
            os.write(fd, (text.rstrip('\n') + '\n').encode())
        except OSError as e:
            raise CommandFailed(rel, text, errno.errorcode.get(e.errno, str(e.errno)),
                                self.last_log()) from None
        finally:
            os.close(fd)
        self._hooks()

    def last_log(self):
        try:
            lines = self.read('sim/log').splitlines()
        except OSError:
            return ''
        return lines[-1] if lines else ''

    def ctl_path(self, target):
        return 'sim/ctl' if str(target) == 'sim' else 'proc/%s/ctl' % target

    def ctl(self, target, line):
        """Run one command; returns its reply (stripped).  CommandFailed if
        the model refuses it."""
        rel = self.ctl_path(target)
        try:
            fd = os.open(self.abs(rel), os.O_RDWR)
        except OSError as e:
            raise CommandFailed(rel, line, errno.errorcode.get(e.errno, str(e.errno)),
                                'cannot open %s' % rel) from None
        try:
            try:
                os.write(fd, (line + '\n').encode())
            except OSError as e:
                raise CommandFailed(rel, line, errno.errorcode.get(e.errno, str(e.errno)),
                                    self.last_log()) from None
            reply = b''
            while True:
                b = os.read(fd, 65536)
                if not b:
                    break
                reply += b
        finally:
            os.close(fd)
        self._hooks()
        return reply.decode().strip()

    def ctl_batch(self, target, lines):
        """Many commands in as few write(2)s as the kernel allows (a short
        count ends at a line's end: write the rest again)."""
        rel = self.ctl_path(target)
        data = ''.join(l + '\n' for l in lines).encode()
        fd = os.open(self.abs(rel), os.O_WRONLY)
        try:
            while data:
                try:
                    n = os.write(fd, data)
                except OSError as e:
                    raise CommandFailed(rel, 'batch of %d lines' % len(lines),
                                        errno.errorcode.get(e.errno, str(e.errno)), self.last_log()) from None
                data = data[n:]
        finally:
            os.close(fd)
        self._hooks()

    def _hooks(self):
        for h in self.after_command:
            h(self)

    # ---- the files most labs read
    def meminfo(self):
        return parse_kv(self.read('proc/meminfo'))

    def vmstat(self):
        return parse_vmstat(self.read('proc/vmstat'))

    def zoneinfo(self):
        return parse_zoneinfo(self.read('proc/zoneinfo'))

    def buddyinfo(self):
        return parse_buddyinfo(self.read('proc/buddyinfo'))

    def uptime(self):
        return parse_uptime(self.read('proc/uptime'))

    def machine_keys(self):
        """sim/machine's [machine] section as {key: text}."""
        out = {}
        for line in self.read('sim/machine').splitlines():
            if line.startswith('[') and out:
                break
            k, sep, v = line.partition('=')
            if sep:
                out[k.strip()] = v.strip()
        return out


def _die_with_parent():
    """In the daemon: SIGTERM when the lab dies, so it unmounts."""
    try:
        import ctypes
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)   # PR_SET_PDEATHSIG
    except Exception:
        pass
    os.setsid()      # Ctrl-C reaches the lab, which unmounts in order


class _Terminated(BaseException):
    pass


def _raise_terminated(signum, frame):
    raise _Terminated(signum)


class Daemon:
    """with Daemon(opts, seed=N, debug_vm=True) as machine: ... -- a fresh
    mmsimd with a manual clock on a temporary directory, unmounted on the
    way out whatever happens."""

    def __init__(self, opts=(), seed=1, debug_vm=False):
        self.opts = list(opts)
        self.seed = seed
        self.debug_vm = debug_vm
        self.dir = None
        self.proc = None
        self._old = {}

    def __enter__(self):
        exe = mmsimd_path()
        if not os.access(exe, os.X_OK):
            raise SystemExit('%s is not built: meson setup build && meson compile -C build '
                             '(or set MMSIM_BUILD_DIR)' % exe)
        if not os.path.exists('/dev/fuse') or not shutil.which('fusermount3'):
            raise SystemExit('FUSE is not available here (/dev/fuse and fusermount3 are needed)')
        for s in (signal.SIGTERM, signal.SIGHUP):
            self._old[s] = signal.signal(s, _raise_terminated)
        self.dir = tempfile.mkdtemp(prefix='mmsim-lab-')
        self.errfile = tempfile.NamedTemporaryFile(prefix='mmsim-lab-', suffix='.err', delete=False)
        argv = [exe, '-f', '--clock=manual', '--seed=%d' % self.seed]
        if self.debug_vm:
            argv.append('--debug-vm')
        argv += self.opts + [self.dir]
        self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=self.errfile,
                                     stderr=self.errfile, preexec_fn=_die_with_parent)
        deadline = time.monotonic() + MOUNT_TIMEOUT
        while not os.path.exists(os.path.join(self.dir, 'sim', 'ctl')):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                err = self.stderr()
                self._cleanup()
                raise SystemExit('mmsimd %s did not mount: %s' % (' '.join(argv[1:-1]), err.strip()))
            time.sleep(0.02)
        return Machine(self.dir)

    def stderr(self):
        try:
            with open(self.errfile.name, errors='replace') as f:
                return f.read()
        except OSError:
            return ''

    def _cleanup(self):
        if self.proc and self.proc.poll() is None:
            r = subprocess.run(['fusermount3', '-u', self.dir], capture_output=True)
            if r.returncode != 0:
                subprocess.run(['fusermount3', '-u', '-z', self.dir], capture_output=True)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.dir and os.path.ismount(self.dir):
            subprocess.run(['fusermount3', '-u', '-z', self.dir], capture_output=True)
        if self.dir:
            try:
                os.rmdir(self.dir)
            except OSError:
                pass
        try:
            os.unlink(self.errfile.name)
        except (OSError, AttributeError):
            pass
        for s, h in self._old.items():
            signal.signal(s, h)
        self._old = {}

    def __exit__(self, typ, val, tb):
        rc_before = self.proc.poll() if self.proc else None
        err = self.stderr() if rc_before is not None else ''
        self._cleanup()
        if rc_before is not None and typ is None:
            raise SystemExit('mmsimd died during the run (exit %s): %s' % (rc_before, err.strip()))
        if typ is _Terminated:
            raise SystemExit(128 + val.args[0])
        return False
