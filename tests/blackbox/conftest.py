"""Black-box fixtures: mount a fresh mmsimd in a temporary directory.

    def test_x(mnt):                 # the default machine, manual clock
        mnt.read('proc/meminfo')
    def test_y(mount):               # a factory: any options
        m = mount('--machine=small')

Every daemon is started as `mmsimd -f --clock=manual --debug-vm [OPTS] DIR`
(a --clock in OPTS replaces the manual clock), waited for until DIR/sim/ctl
appears, and at teardown unmounted with `fusermount3 -u`; the daemon must
then exit 0.  The daemon comes from $MMSIM_BUILD_DIR/src/mmsimd (default
<repo>/build).  Tests that need FUSE are skipped, with the reason, when
/dev/fuse or fusermount3 is missing.
"""
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD_DIR = os.path.abspath(os.environ.get('MMSIM_BUILD_DIR') or os.path.join(REPO, 'build'))
MMSIMD = os.path.join(BUILD_DIR, 'src', 'mmsimd')
LAYOUT_DIR = os.path.join(REPO, 'fs-layout')
REF_DIR = os.path.join(REPO, 'tests', 'ref')
MMSIM_NS = os.path.join(REPO, 'tools', 'mmsim-ns')
MOUNT_TIMEOUT = float(os.environ.get('MMSIM_MOUNT_TIMEOUT', '20'))
EXIT_TIMEOUT = 20


def fuse_unavailable():
    """The reason FUSE cannot be used here, or None."""
    if not os.path.exists('/dev/fuse'):
        return '/dev/fuse is missing (no FUSE in this environment)'
    if not shutil.which('fusermount3'):
        return 'fusermount3 is missing (install the fuse3 package)'
    return None


def require_daemon():
    if not os.access(MMSIMD, os.X_OK):
        pytest.fail('%s is not built (meson compile -C %s)' % (MMSIMD, BUILD_DIR))


def ref(name):
    """A pinned Linux 6.18 file from tests/ref (tests/ref/README says
    where each comes from): what formats are compared with, never the
    running kernel's own /proc and /sys."""
    with open(os.path.join(REF_DIR, name), encoding='utf-8') as f:
        return f.read()


# ---------------------------------------------------------------- layout

def parse_layout():
    """[(path, mode, handler, doc)] from fs-layout/*.layout, in file order."""
    rows = []
    for name in sorted(os.listdir(LAYOUT_DIR)):
        if not name.endswith('.layout'):
            continue
        with open(os.path.join(LAYOUT_DIR, name), encoding='utf-8') as f:
            for line in f:
                line = line.rstrip('\n')
                if not line.strip() or line.lstrip().startswith('#'):
                    continue
                parts = line.split(None, 3)
                assert len(parts) >= 3, 'bad layout line: %r' % line
                rows.append((parts[0], int(parts[1], 8), parts[2], parts[3] if len(parts) > 3 else ''))
    return rows


def parse_list(text):
    """A kernel list such as "0-3,5" -> [0, 1, 2, 3, 5]."""
    out = []
    text = text.strip()
    if not text:
        return out
    for part in text.split(','):
        if '-' in part:
            a, b = part.split('-')
            out.extend(range(int(a), int(b) + 1))
        else:
            out.append(int(part))
    return out


TEMPLATES = ('{N}', '{C}', '{PART}', '{MTHP}', '{MTHP_ANON}', '{HSIZE}', '{HSIZE_DEMOTE}', '{PID}', '{TID}', '{CACHE}',
             '{CACHE_LINK}', '{SYS}', '{EVENT}', '{CGROUP}', '{FD}', '{MB}')


def expand(pattern, values):
    """Every path of a layout pattern: values maps a template to a list of
    numbers, or to a function of the path so far (for {TID}, the threads of
    the {PID} already substituted)."""
    paths = [pattern]
    for t in TEMPLATES:
        out = []
        for p in paths:
            if t not in p:
                out.append(p)
                continue
            v = values[t]
            nums = v(p[:p.index(t)]) if callable(v) else v
            out.extend(p.replace(t, str(n), 1) for n in nums)
        paths = out
    for p in paths:
        assert '{' not in p, 'unknown template in layout path %s' % pattern
    return paths



def numa_pages(line):
    """{node: pages} of a numa_maps line's N0=.. N1=.."""
    return {int(k[1:]): int(v) for k, v in re.findall(r'\b(N\d+)=(\d+)', line)}

class Entry(tuple):
    """One expanded layout path: (path, mode, handler) plus .pattern and
    .kind ('dir' for a path ending in /, 'link' for mode 0777 (proc/self),
    else 'file') and .binary (a bin_ handler: pagemap, kpageflags)."""

    def __new__(cls, path, mode, handler, pattern):
        e = tuple.__new__(cls, (path, mode, handler))
        e.pattern = pattern
        e.kind = 'dir' if path.endswith('/') else 'link' if mode == 0o777 else 'file'
        e.binary = handler.startswith('bin_')   # read at any offset (pagemap)
        return e

    path = property(lambda self: self[0])
    mode = property(lambda self: self[1])


def parent_dirs(path):
    """Every implied parent directory of a layout path, with a trailing /."""
    parts = path.rstrip('/').split('/')[:-1]
    return ['/'.join(parts[:i]) + '/' for i in range(1, len(parts) + 1)]


# ---------------------------------------------------------------- the mount

def read_to_end(fd):
    """Everything left to read from fd, in reads of 64 KiB."""
    chunks = []
    while True:
        b = os.read(fd, 65536)
        if not b:
            break
        chunks.append(b)
    return b''.join(chunks)


class DaemonDied(AssertionError):
    pass


class Mount:
    """One mounted daemon."""

    def __init__(self, path, opts, proc, errfile):
        self.path = path
        self.opts = list(opts)
        self.proc = proc
        self._errfile = errfile
        self.unmounted = False

    # ---- plumbing
    def abs(self, rel):
        return os.path.join(self.path, rel)

    def stderr(self):
        try:
            with open(self._errfile, errors='replace') as f:
                return f.read()
        except OSError:
            return ''

    def alive(self):
        return self.proc.poll() is None

    def check_alive(self):
        if not self.alive():
            raise DaemonDied('mmsimd exited with %s; stderr:\n%s' % (self.proc.returncode, self.stderr()))

    # ---- file access
    def read_bytes(self, rel):
        fd = os.open(self.abs(rel), os.O_RDONLY)
        try:
            return read_to_end(fd)
        except OSError:
            self.check_alive()
            raise
        finally:
            os.close(fd)

    def read(self, rel):
        return self.read_bytes(rel).decode()

    def lstat_errno(self, rel):
        """The errno lstat(2) of rel fails with, or None when rel exists."""
        try:
            os.lstat(self.abs(rel))
        except OSError as e:
            return e.errno
        return None

    def write(self, rel, text, trunc=True):
        """One write(2) of text, as `echo text > file` does (O_TRUNC).
        Returns (ok, errno): (True, 0) when the whole buffer was accepted,
        (False, errno) when open or write failed, (False, None) on a short
        write."""
        data = text.encode() if isinstance(text, str) else text
        flags = os.O_WRONLY | (os.O_TRUNC if trunc else 0)
        try:
            fd = os.open(self.abs(rel), flags)
        except OSError as e:
            return False, e.errno
        try:
            n = os.write(fd, data)
            return (True, 0) if n == len(data) else (False, None)
        except OSError as e:
            return False, e.errno
        finally:
            os.close(fd)

    def ctl_raw(self, cmd, rel='sim/ctl'):
        """Write cmd to a ctl file as echo does (after a short count, the
        rest again: a ctl file takes whole lines only, and a write of more
        than 64 KiB may be taken in part), then read the reply through the
        same fd.  Returns (errno, reply): errno 0 on success."""
        data = cmd.encode() if isinstance(cmd, str) else cmd
        if isinstance(cmd, str) and not cmd.endswith('\n'):
            data += b'\n'
        fd = os.open(self.abs(rel), os.O_RDWR)
        try:
            err = 0
            done = 0
            try:
                while done < len(data):
                    n = os.write(fd, data[done:])
                    if n <= 0:
                        err = -1
                        break
                    done += n
            except OSError as e:
                err = e.errno
            os.lseek(fd, 0, os.SEEK_SET)
            return err, read_to_end(fd).decode(errors='replace')
        finally:
            os.close(fd)

    def ctl(self, cmd, rel='sim/ctl'):
        """Run a command; return the reply.  Raises OSError on failure."""
        err, reply = self.ctl_raw(cmd, rel)
        if err:
            self.check_alive()
            if err < 0:
                raise AssertionError('short write of %r' % cmd)
            raise OSError(err, '%s: %r failed (%s); log tail:\n%s'
                          % (rel, cmd, os.strerror(err), ''.join(self.log().splitlines(True)[-3:])))
        return reply

    def pctl(self, pid, cmd):
        """ctl() of process pid: proc/PID/ctl."""
        return self.ctl(cmd, rel='proc/%d/ctl' % pid)

    def pctl_raw(self, pid, cmd):
        return self.ctl_raw(cmd, rel='proc/%d/ctl' % pid)

    def log(self):
        return self.read('sim/log')

    def log_lines(self, stamps=True):
        """sim/log split on newlines only (str.splitlines would also split on
        other control characters, which must not be in the log anyway);
        stamps=False drops each line's '[seconds.micros] '."""
        text = self.log()
        assert text == '' or text.endswith('\n')
        lines = text.split('\n')[:-1]
        if not stamps:
            lines = [l.split('] ', 1)[1] if l.startswith('[') else l for l in lines]
        return lines

    # ---- the tree
    def nodes(self):
        return parse_list(self.read('sys/devices/system/node/online'))

    def cpus(self):
        return parse_list(self.read('sys/devices/system/cpu/online'))

    def partitions(self):
        """The partition numbers of the disk sda (sys/block/sda/sdaN/)"""
        d = self.abs('sys/block/sda')
        return sorted(int(n[3:]) for n in os.listdir(d) if re.fullmatch(r'sda\d+', n))

    def _slab_entries(self, want_link):
        d = self.abs('sys/kernel/slab')
        try:
            names = os.listdir(d)
        except FileNotFoundError:
            return []
        return sorted(n for n in names if os.path.islink(os.path.join(d, n)) == want_link)

    def caches(self):
        """sys/kernel/slab/'s cache directories"""
        return self._slab_entries(False)

    def cache_links(self):
        """sys/kernel/slab/'s names that link to a cache directory"""
        return self._slab_entries(True)

    def pids(self):
        return sorted(int(x) for x in os.listdir(self.abs('proc')) if x.isdigit())

    def _tids(self, prefix):
        # prefix is ".../proc/PID/task/"
        try:
            return sorted(int(x) for x in os.listdir(self.abs(prefix)) if x.isdigit())
        except FileNotFoundError:
            return []

    def memory_blocks(self):
        return sorted(int(x[6:]) for x in os.listdir(self.abs('sys/devices/system/memory'))
                      if x.startswith('memory'))

    def _fds(self, prefix):
        # prefix is ".../proc/PID/fd/" or ".../fdinfo/"
        try:
            return sorted(int(x) for x in os.listdir(self.abs(prefix)) if x.isdigit())
        except FileNotFoundError:
            return []

    def _subdirs(self, rel):
        d = self.abs(rel)
        try:
            return sorted(n for n in os.listdir(d) if os.path.isdir(os.path.join(d, n)))
        except FileNotFoundError:
            return []

    def hugepage_sizes(self):
        """sys/kernel/mm/hugepages/'s sizes in kB, largest first (the
        smallest, 2048, is the one that cannot demote)"""
        return sorted((int(d[len('hugepages-'):-2]) for d in self._subdirs('sys/kernel/mm/hugepages')),
                      reverse=True)

    def trace_systems(self):
        """sys/kernel/tracing/events/'s system directories"""
        return self._subdirs('sys/kernel/tracing/events')

    def _trace_events(self, prefix):
        # prefix is "sys/kernel/tracing/events/SYS/"
        return self._subdirs(prefix)

    def layout(self):
        """[Entry(path, mode, handler)] with the templates expanded for this
        machine: {N} nodes, {C} CPUs, {PID} the proc/ PID directories,
        {TID} their task/ entries."""
        values = {'{N}': self.nodes(), '{C}': self.cpus(), '{PART}': self.partitions(), '{PID}': self.pids(),
                  '{MTHP}': [4 << o for o in range(1, 10)], '{MTHP_ANON}': [4 << o for o in range(2, 10)],
                  '{TID}': self._tids, '{CACHE}': self.caches(), '{CACHE_LINK}': self.cache_links(),
                  '{SYS}': self.trace_systems(), '{EVENT}': self._trace_events,
                  '{HSIZE}': self.hugepage_sizes(), '{HSIZE_DEMOTE}': self.hugepage_sizes()[:-1],
                  '{CGROUP}': self.cgroups(), '{FD}': self._fds,
                  '{MB}': self.memory_blocks()}
        out = []
        for pattern, mode, handler, _doc in parse_layout():
            for p in expand(pattern, values):
                out.append(Entry(p, mode, handler, pattern))
        return out

    def cgroups(self):
        """The cgroups right below the root (init.scope at boot): each has
        every file of the {CGROUP} template, the root enabling every
        controller below it."""
        base = self.abs('sys/fs/cgroup')
        return sorted(n for n in os.listdir(base) if os.path.isdir(os.path.join(base, n)))

    def files(self):
        """Regular files of the layout (not directories, not symlinks)."""
        return [e.path for e in self.layout() if e.kind == 'file']

    def snapshot(self, exclude=('sim/log',), skip=()):
        """{path: bytes} of every readable file of the layout (write-only
        ones such as proc/sys/vm/drop_caches refuse reads, as in Linux),
        but those under the prefixes in skip, trace_pipe (a read of
        it consumes, and blocks while the buffer is empty) and the binary
        files (pagemap spans the whole address space: 256 GiB)."""
        return {e.path: self.read_bytes(e.path) for e in self.layout()
                if e.kind == 'file' and e.mode & 0o444 and e.path not in exclude
                and not e.path.startswith(skip) and not e.path.endswith('trace_pipe')
                and not e.binary}

    def meminfo(self):
        return parse_kv(self.read('proc/meminfo'))

    def vmstat(self):
        return {k: int(v) for k, v in (l.split() for l in self.read('proc/vmstat').splitlines())}

    def thp_off(self):
        """THP off: min_free_kbytes back to the square-root formula's value,
        for scenarios sized against it (THP's floor is 11 pageblocks per
        zone, at most 5% of lowmem, and every watermark moves with it)."""
        assert self.write('sys/kernel/mm/transparent_hugepage/enabled', 'never\n') == (True, 0)

    def pcp_kb(self):
        """kB of free pages held on the per-CPU lists (zoneinfo's pagesets
        counts): free, but not in MemFree, as in the kernel."""
        zones, _ = parse_zoneinfo(self.read('proc/zoneinfo'))
        return 4 * sum(ps.get('count', 0) for z in zones for ps in z.pagesets)

    def numa_maps_line(self, pid, name):
        """The numa_maps line of the region mapped with name=NAME."""
        maps = self.read('proc/%d/maps' % pid)
        start = next(l.split('-')[0] for l in maps.splitlines() if l.endswith('[anon:%s]' % name))
        return next(l for l in self.read('proc/%d/numa_maps' % pid).splitlines()
                    if l.split()[0] == start.lstrip('0').rjust(8, '0'))

    def numa_nodes(self, pid, name):
        """{node: pages} of the N0=.. N1=.. of the region named NAME."""
        return numa_pages(self.numa_maps_line(pid, name))

    def cpu_of_node(self, nid):
        """The first CPU of node nid."""
        return int(self.read('sys/devices/system/node/node%d/cpulist' % nid).split('-')[0].split(',')[0])

    def status(self, pid):
        """proc/PID/status's kB and count fields as ints."""
        return parse_kv(self.read('proc/%d/status' % pid))

    def status_text(self, pid):
        """proc/PID/status as {key: value text}."""
        out = {}
        for line in self.read('proc/%d/status' % pid).splitlines():
            k, _, v = line.partition(':')
            out[k] = v.strip()
        return out

    # ---- teardown
    def unmount(self):
        """fusermount3 -u; the daemon must exit 0.  Returns its exit code."""
        if self.unmounted:
            return self.proc.returncode
        self.unmounted = True
        if self.proc.poll() is None:
            r = subprocess.run(['fusermount3', '-u', self.path], capture_output=True, text=True)
            if r.returncode != 0:
                # busy or already gone: make sure nothing is left behind
                subprocess.run(['fusermount3', '-u', '-z', self.path], capture_output=True)
        try:
            rc = self.proc.wait(timeout=EXIT_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            subprocess.run(['fusermount3', '-u', '-z', self.path], capture_output=True)
            raise AssertionError('mmsimd did not exit within %ds of fusermount3 -u' % EXIT_TIMEOUT)
        if os.path.ismount(self.path):
            subprocess.run(['fusermount3', '-u', '-z', self.path], capture_output=True)
        return rc


def parse_kv(text):
    """'Key:   123 kB' lines (meminfo) -> {key: int} in order."""
    out = {}
    for line in text.splitlines():
        m = re.match(r'^([^:\s]+):\s+(\d+)', line)
        if m:
            out[m.group(1)] = int(m.group(2))
    return out


def _die_with_parent():
    """In the child: SIGTERM when pytest dies (killed by a timeout, say),
    so that the daemon unmounts instead of lingering."""
    try:
        import ctypes
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGTERM)      # PR_SET_PDEATHSIG
    except Exception:
        pass


def start_daemon(dirpath, opts, errfile):
    if not any(o.startswith('--clock') for o in opts):
        opts = ['--clock=manual'] + list(opts)
    argv = [MMSIMD, '-f', '--debug-vm'] + list(opts) + [dirpath]
    err = open(errfile, 'w')
    try:
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=err, stderr=err,
                                preexec_fn=_die_with_parent)
    finally:
        err.close()
    m = Mount(dirpath, opts, proc, errfile)
    deadline = time.monotonic() + MOUNT_TIMEOUT
    while True:
        if proc.poll() is not None:
            raise AssertionError('mmsimd %s exited with %d before mounting:\n%s'
                                 % (' '.join(opts), proc.returncode, m.stderr()))
        try:
            if os.path.exists(os.path.join(dirpath, 'sim', 'ctl')):
                return m
        except OSError:
            pass
        if time.monotonic() > deadline:
            proc.kill()
            proc.wait()
            subprocess.run(['fusermount3', '-u', '-z', dirpath], capture_output=True)
            raise AssertionError('mmsimd did not mount %s within %ss:\n%s'
                                 % (dirpath, MOUNT_TIMEOUT, m.stderr()))
        time.sleep(0.02)


@pytest.fixture
def mount(tmp_path):
    """Factory: mount(*opts) -> Mount.  All are unmounted at teardown and
    each daemon must exit 0."""
    why = fuse_unavailable()
    if why:
        pytest.skip(why)
    require_daemon()
    mounts = []
    public = []

    def factory(*opts, public_dir=False):
        """public_dir: mount in a fresh world-readable directory of /tmp
        (pytest's tmp_path is private to its user)."""
        if public_dir:
            d = tempfile.mkdtemp(prefix='mmsim-test-', dir='/tmp')
            os.chmod(d, 0o755)
            public.append(d)
        else:
            d = tmp_path / ('mnt%d' % len(mounts))
            d.mkdir()
        m = start_daemon(str(d), list(opts), str(tmp_path / ('mmsimd%d.err' % len(mounts))))
        mounts.append(m)
        return m

    yield factory
    failures = []
    for m in mounts:
        if m.unmounted:
            continue
        rc = m.unmount()
        if rc != 0:
            failures.append('mmsimd %s exited with %s after fusermount3 -u; stderr:\n%s'
                            % (' '.join(m.opts), rc, m.stderr()))
    for d in public:
        try:
            os.rmdir(d)
        except OSError:
            pass
    assert not failures, '\n'.join(failures)


@pytest.fixture
def mnt(mount):
    """The default machine, manual clock, --debug-vm."""
    return mount()


@pytest.fixture
def run_mmsimd(tmp_path):
    """Run mmsimd to completion (option errors, --help): returns
    CompletedProcess; unmounts anything it left behind."""
    require_daemon()
    dirs = []

    def run(*args, timeout=20):
        d = tmp_path / ('run%d' % len(dirs))
        d.mkdir()
        dirs.append(str(d))
        argv = [MMSIMD] + [str(a).replace('{DIR}', str(d)) for a in args]
        try:
            r = subprocess.run(argv, capture_output=True, text=True, timeout=timeout,
                               stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired as e:
            subprocess.run(['fusermount3', '-u', '-z', str(d)], capture_output=True)
            raise AssertionError('mmsimd %s did not exit within %ss' % (' '.join(args), timeout)) from e
        r.dir = str(d)
        r.mounted = os.path.ismount(str(d))
        return r

    yield run
    for d in dirs:
        if os.path.ismount(d):
            subprocess.run(['fusermount3', '-u', '-z', d], capture_output=True)


def ns_unavailable():
    """Why tools/mmsim-ns cannot work here, or None."""
    if not shutil.which('unshare'):
        return 'unshare (util-linux) is missing'
    argv = ['unshare', '--mount', '--pid', '--fork', '--propagation', 'private', 'true']
    if os.geteuid() != 0:
        argv[1:1] = ['--map-root-user']
    r = subprocess.run(argv, capture_output=True, text=True)
    if r.returncode != 0:
        return 'unshare is not permitted here: %s' % r.stderr.strip()
    return None


@pytest.fixture
def mmsim_ns():
    """mmsim_ns(mnt, *cmd) -> CompletedProcess of tools/mmsim-ns."""
    why = ns_unavailable()
    if why:
        pytest.skip(why)

    def run(m, *cmd, timeout=30):
        return subprocess.run([MMSIM_NS, m.path] + list(cmd), capture_output=True, text=True,
                              timeout=timeout, stdin=subprocess.DEVNULL)
    return run


# ---------------------------------------------------------------- parsers

ZONE_ORDER = ['DMA', 'DMA32', 'Normal', 'Movable', 'Device']
NR_ORDERS = 11


def parse_buddyinfo(text):
    """{(node, zone): [free blocks of order 0..10]}, in file order."""
    out = {}
    for line in text.splitlines():
        m = re.match(r'^Node (\d+), zone\s+(\S+)\s+(.*)$', line)
        assert m, 'bad buddyinfo line %r' % line
        out[(int(m.group(1)), m.group(2))] = [int(x) for x in m.group(3).split()]
    return out


def format_buddyinfo(bi):
    """The kernel's frag_show_print format."""
    return ''.join('Node %d, zone %8s ' % k + ''.join('%6d ' % c for c in v) + '\n'
                   for k, v in bi.items())


class PageTypeInfo:
    """/proc/pagetypeinfo: one section per node with memory (the kernel's
    pagetypeinfo_show runs once per pgdat)."""

    def __init__(self, text):
        self.pageblock_order = self.pages_per_block = None
        self.free = {}     # (node, zone, type) -> [counts], in file order
        self.types = []    # migratetype names, in order
        self.blocks = {}   # (node, zone) -> {type: pageblocks}, in file order
        self.block_types = []
        self.nodes = []    # node ids of the sections, in order
        for line in text.split('\n'):
            m = re.match(r'^Page block order: (\d+)$', line)
            if m:
                self.pageblock_order = int(m.group(1))
                continue
            m = re.match(r'^Pages per block:\s+(\d+)$', line)
            if m:
                self.pages_per_block = int(m.group(1))
                continue
            m = re.match(r'^Node\s+(\d+), zone\s+(\S+), type\s+(\S+)\s+(.*)$', line)
            if m:
                key = (int(m.group(1)), m.group(2), m.group(3))
                self.free[key] = [int(x.lstrip('>')) for x in m.group(4).split()]
                if m.group(3) not in self.types:
                    self.types.append(m.group(3))
                if key[0] not in self.nodes:
                    self.nodes.append(key[0])
                continue
            if line.startswith('Number of blocks type'):
                self.block_types = line[len('Number of blocks type'):].split()
                continue
            m = re.match(r'^Node (\d+), zone\s+(\S+)\s+([\d ]+)$', line)
            if m and self.block_types:
                vals = [int(x) for x in m.group(3).split()]
                self.blocks[(int(m.group(1)), m.group(2))] = dict(zip(self.block_types, vals))
        assert self.pageblock_order is not None and self.pages_per_block is not None, text[:200]

    def zone_rows(self, node, zone):
        """{type: [counts]} of one zone."""
        return {t: list(self.free[(node, zone, t)]) for t in self.types if (node, zone, t) in self.free}


def format_pagetypeinfo(pt):
    """The kernel's pagetypeinfo_show format, once per node (no
    CONFIG_PAGE_OWNER part)."""
    s = ''
    for node in pt.nodes:
        s += 'Page block order: %d\n' % pt.pageblock_order
        s += 'Pages per block:  %d\n' % pt.pages_per_block
        s += '\n'
        s += '%-43s ' % 'Free pages count per migrate type at order'
        s += ''.join('%6d ' % o for o in range(NR_ORDERS)) + '\n'
        for (n, z, t), counts in pt.free.items():
            if n == node:
                s += 'Node %4d, zone %8s, type %12s ' % (n, z, t)
                s += ''.join('%6d ' % c for c in counts) + '\n'
        s += '\n%-23s' % 'Number of blocks type '
        s += ''.join('%12s ' % t for t in pt.block_types) + '\n'
        for (n, z), d in pt.blocks.items():
            if n == node:
                s += 'Node %d, zone %8s ' % (n, z)
                s += ''.join('%12d ' % d[t] for t in pt.block_types) + '\n'
    return s


class Zone:
    def __init__(self, node, name):
        self.node, self.name = node, name
        self.fields = {}      # 'pages free', 'min', 'low', ... -> int
        self.protection = []
        self.stats = {}       # nr_free_pages, ... -> int
        self.pagesets = []    # [{'cpu':, 'count':, 'high':, 'batch':, ...}]
        self.tail = {}        # node_unreclaimable, start_pfn

    def __getitem__(self, k):
        return self.fields[k]

    @property
    def populated(self):
        return self.fields.get('present', 0) > 0


def parse_zoneinfo(text):
    """([Zone] in file order, {node: per-node stats dict})."""
    zones, node_stats = [], {}
    cur = None
    section = None
    for line in text.splitlines():
        m = re.match(r'^Node (\d+), zone\s+(\S+)$', line)
        if m:
            cur = Zone(int(m.group(1)), m.group(2))
            zones.append(cur)
            section = 'zone'
            continue
        assert cur is not None, 'zoneinfo does not start with a Node line: %r' % line
        s = line.strip()
        if s == 'per-node stats':
            section = 'node'
            node_stats[cur.node] = {}
            continue
        if s == 'pagesets':
            section = 'pagesets'
            continue
        m = re.match(r'^pages free\s+(\d+)$', s)
        if m:
            cur.fields['pages free'] = int(m.group(1))
            section = 'zone'
            continue
        m = re.match(r'^protection: \((.*)\)$', s)
        if m:
            cur.protection = [int(x) for x in m.group(1).split(',')]
            section = 'stats'
            continue
        if section == 'pagesets':
            m = re.match(r'^cpu: (\d+)$', s)
            if m:
                cur.pagesets.append({'cpu': int(m.group(1))})
                continue
            m = re.match(r'^(count|high|batch|high_min|high_max):\s+(-?\d+)$', s)
            if m:
                cur.pagesets[-1][m.group(1)] = int(m.group(2))
                continue
            m = re.match(r'^vm stats threshold: (\d+)$', s)
            if m:
                cur.pagesets[-1]['threshold'] = int(m.group(1))
                continue
        m = re.match(r'^(node_unreclaimable|start_pfn):\s+(\d+)$', s)
        if m:
            cur.tail[m.group(1)] = int(m.group(2))
            continue
        m = re.match(r'^(\S+)\s+(-?\d+)$', s)
        assert m, 'bad zoneinfo line %r' % line
        k, v = m.group(1), int(m.group(2))
        if section == 'node':
            node_stats[cur.node][k] = v
        elif section == 'zone':
            cur.fields[k] = v
        else:
            cur.stats[k] = v
    return zones, node_stats


def parse_uptime(text):
    """'123.45 678.90\\n' -> (12345, 67890) in centiseconds (exact)."""
    m = re.match(r'^(\d+)\.(\d\d) (\d+)\.(\d\d)\n$', text)
    assert m, 'bad uptime %r' % text
    return int(m.group(1)) * 100 + int(m.group(2)), int(m.group(3)) * 100 + int(m.group(4))
