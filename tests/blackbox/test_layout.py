"""The tree is fs-layout/: every path exists with its mode, nothing else is
there, every file reads, read-only files refuse writes."""
import errno
import os
import re
import stat

import pytest

from conftest import REPO, TEMPLATES, parent_dirs, parse_layout


def test_layout_parses():
    rows = parse_layout()
    assert len(rows) > 20
    seen = set()
    for path, mode, handler, doc in rows:
        assert path not in seen, 'duplicate layout path %s' % path
        seen.add(path)
        assert not path.startswith('/'), path
        assert mode & ~0o7777 == 0, path
        assert doc.strip(), 'undocumented layout path %s' % path
        if path.endswith('/'):
            assert handler == '-', path
        else:
            assert handler != '-', path
        for t in re.findall(r'\{[^}]*\}', path):
            assert t in TEMPLATES, 'unknown template %s in %s' % (t, path)


def test_every_path_exists_with_its_mode(mnt):
    entries = mnt.layout()
    assert any('node0/' in e.path for e in entries)
    assert any('cpu0/' in e.path for e in entries)
    for e in entries:
        st = os.lstat(mnt.abs(e.path))
        if e.kind == 'dir':
            assert stat.S_ISDIR(st.st_mode), '%s is not a directory' % e.path
        elif e.kind == 'link':
            assert stat.S_ISLNK(st.st_mode), '%s is not a symlink' % e.path
            continue
        else:
            assert stat.S_ISREG(st.st_mode), '%s is not a regular file' % e.path
            assert st.st_size == 0, '%s: st_size %d (generated files have size 0)' % (e.path, st.st_size)
        assert stat.S_IMODE(st.st_mode) == e.mode, '%s: mode %o, layout says %o' % (
            e.path, stat.S_IMODE(st.st_mode), e.mode)


def test_implied_directories_exist(mnt):
    listed = {e.path for e in mnt.layout()}
    for path, _m, _h in mnt.layout():
        for d in parent_dirs(path):
            if d in listed:
                continue  # its own entry gives its mode (cgroupfs's 0755)
            st = os.lstat(mnt.abs(d))
            assert stat.S_ISDIR(st.st_mode), d
            assert stat.S_IMODE(st.st_mode) == 0o555, '%s: mode %o' % (d, stat.S_IMODE(st.st_mode))


def test_directory_listings_match_layout(mnt):
    """readdir shows exactly the layout's entries (plus, under proc/, the PID
    directories and self links that later issues add)."""
    expected = {'': set()}
    for path, _m, _h in mnt.layout():
        for p in parent_dirs(path) + [path]:
            parent = '/'.join(p.rstrip('/').split('/')[:-1])
            parent = parent + '/' if parent else ''
            expected.setdefault(parent, set()).add(p.rstrip('/').split('/')[-1])
            if p.endswith('/'):
                expected.setdefault(p, set())
    for d, names in expected.items():
        got = set(os.listdir(mnt.abs(d) if d else mnt.path))
        missing = names - got
        assert not missing, '%s lacks %s' % (d or '/', sorted(missing))
        extra = got - names
        if d == 'proc/':
            extra = {x for x in extra if not (x.isdigit() or x in ('self', 'thread-self'))}
        assert not extra, '%s has entries not in fs-layout: %s' % (d or '/', sorted(extra))


def test_absent_paths(mnt):
    nodes, cpus = mnt.nodes(), mnt.cpus()
    for rel in ['proc/nosuch', 'sim/nosuch', 'sys/devices/system/node/node%d' % (max(nodes) + 1),
                'sys/devices/system/cpu/cpu%d' % (max(cpus) + 1), 'proc/meminfo/x']:
        assert mnt.lstat_errno(rel) in (errno.ENOENT, errno.ENOTDIR), rel


def test_every_file_reads(mnt):
    """Every file reads; the system-wide ones are non-empty text lines
    (per-PID files such as cmdline may be empty or NUL-separated)."""
    for e in mnt.layout():
        if e.kind != 'file':
            continue
        if not e.mode & 0o444:
            # write-only (drop_caches): even root is refused, as in Linux
            with pytest.raises(PermissionError):
                mnt.read_bytes(e.path)
            continue
        if e.path.endswith('trace_pipe'):
            continue  # consumes, and blocks while the buffer is empty
        if e.binary:
            fd = os.open(mnt.abs(e.path), os.O_RDONLY)
            try:
                assert len(os.pread(fd, 4096, 0)) in (0, 4096), e.path  # a kernel thread's pagemap: 0
            finally:
                os.close(fd)
            continue
        data = mnt.read_bytes(e.path)
        if '{PID}' in e.pattern or e.pattern == 'sys/kernel/slab/{CACHE}/shrink':
            continue  # per-PID files may be empty; shrink reads empty as in Linux
        if e.path in ('sys/kernel/tracing/set_event', 'sys/kernel/tracing/error_log'):
            assert data == b'', e.path  # no event enabled, no error yet
            continue
        if e.path != 'sim/log':
            assert data, '%s is empty' % e.path
        assert data.endswith(b'\n'), '%s does not end with a newline' % e.path
        data.decode('ascii')


def test_reads_are_seekable_and_repeatable(mnt):
    """A tool keeps the file open and re-reads from 0; small reads at
    increasing offsets give the same text as one read."""
    whole = mnt.read_bytes('proc/zoneinfo')
    fd = os.open(mnt.abs('proc/zoneinfo'), os.O_RDONLY)
    try:
        parts = []
        while True:
            b = os.read(fd, 100)
            if not b:
                break
            parts.append(b)
        assert b''.join(parts) == whole
        os.lseek(fd, 0, os.SEEK_SET)
        assert os.read(fd, len(whole) + 4096) == whole
        os.lseek(fd, 10, os.SEEK_SET)
        assert os.read(fd, 20) == whole[10:30]
    finally:
        os.close(fd)


def test_read_only_files_refuse_writes(mnt):
    before = mnt.snapshot()
    for e in mnt.layout():
        path, mode = e.path, e.mode
        if e.kind != 'file' or mode & 0o222:
            continue
        ok, err = mnt.write(path, '1\n')
        assert not ok and err == errno.EACCES, '%s: write gave %s, expected EACCES' % (
            path, 'success' if ok else os.strerror(err) if err else 'a short write')
    assert mnt.snapshot() == before


def test_writable_files_are_the_tunables_and_ctl(mnt):
    writable = sorted(e.pattern for e in mnt.layout() if e.kind == 'file' and e.mode & 0o222)
    assert 'sim/ctl' in writable
    assert 'proc/sys/vm/min_free_kbytes' in writable
    for p in writable:
        assert (p.endswith('/ctl') or p.startswith('proc/sys/') or p.startswith('proc/{PID}/') or
                p.startswith('sys/class/bdi/') or p.startswith('sys/block/') or
                p == 'sys/kernel/slab/{CACHE}/shrink' or p.startswith('sys/fs/cgroup/') or
                p.startswith('sys/kernel/tracing/') or p.startswith('sys/kernel/mm/lru_gen/') or
                p.startswith('sys/kernel/mm/transparent_hugepage/') or
                p == 'sys/kernel/debug/lru_gen' or p.startswith('sys/kernel/mm/hugepages/') or
                p.startswith('sys/devices/system/node/node{N}/hugepages/') or
                p.startswith('sys/kernel/mm/mempolicy/') or p.startswith('sys/kernel/mm/ksm/') or
                p == 'sys/devices/system/node/node{N}/compact' or
                p.startswith('sys/kernel/debug/sched/numa_balancing/')), p


def test_ctl_help(mnt):
    """Reading sim/ctl without writing gives the help: every command, one a line."""
    text = mnt.read('sim/ctl')
    firsts = [line.split()[0] for line in text.splitlines() if line.strip()]
    for cmd in ('tick', 'alloc_pages', 'free_pages', 'drain_pages', 'kmalloc', 'kfree', 'kmem_cache_create',
                'kmem_cache_alloc', 'kmem_cache_free', 'kmem_cache_destroy', 'vmalloc', 'vrealloc',
                'vfree', 'kvmalloc'):
        assert cmd in firsts, 'help lacks %s:\n%s' % (cmd, text)
    assert mnt.read('sim/ctl') == text


def _commands(help_text):
    return [line.split()[0] for line in help_text.splitlines() if line.strip()]


def _layout_commands(path):
    doc = [d for p, _, _, d in parse_layout() if p == path][0]
    listed = doc.split(': ', 1)[1].split('.', 1)[0]
    return [w.strip() for w in listed.split(',')]


@pytest.mark.parametrize('rel,layout_path', [('sim/ctl', 'sim/ctl'), ('proc/1/ctl', 'proc/{PID}/ctl')])
def test_ctl_commands_are_documented(mnt, rel, layout_path):
    """The layout row of a ctl file lists every command of its table, in the
    table's order (the help that reading the file returns), and the man page
    documents each: the docs cannot drift from the code unnoticed."""
    cmds = _commands(mnt.read(rel))
    assert len(cmds) > 10
    assert _layout_commands(layout_path) == cmds
    with open(os.path.join(REPO, 'doc', 'mmsimd.1'), encoding='utf-8') as f:
        man = f.read()
    missing = [c for c in cmds if not re.search(r'(\\fB|^\.B[IR]? )%s\b' % re.escape(c), man, re.M)]
    assert not missing, 'commands missing from doc/mmsimd.1: %s' % missing
