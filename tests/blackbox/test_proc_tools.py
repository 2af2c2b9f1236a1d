"""Standard process tools on a populated simulated machine: ps, top, pmap,
pgrep through tools/mmsim-ns, smem -S and psutil with PROCFS_PATH.  The
numbers they print must equal the model's own files."""
import os
import re
import shutil
import subprocess

import pytest

from conftest import parse_kv


@pytest.fixture
def busy(mnt):
    """web (1000) with 256 MiB written of a 1 GiB heap and a forked child
    (1001), db (2000) with 64 MiB populated and a malloc'ed MiB."""
    mnt.ctl('spawn web pid=1000')
    mnt.pctl(1000, 'mmap 1G name=heap')
    mnt.pctl(1000, 'write heap len=256M')
    mnt.pctl(1000, 'fork pid=1001')
    mnt.pctl(1001, 'write heap len=16M')
    mnt.ctl('spawn db pid=2000')
    mnt.pctl(2000, 'mmap 64M name=buf populate')
    a = mnt.pctl(2000, 'malloc 1M').strip()
    mnt.pctl(2000, 'write %s len=512K' % a)
    return mnt


def statm(m, pid):
    return [int(x) for x in m.read('proc/%d/statm' % pid).split()]


def rollup(m, pid):
    return parse_kv(m.read('proc/%d/smaps_rollup' % pid))


def user_pids(m):
    """PIDs with an address space (not kernel threads)."""
    return [p for p in m.pids() if m.read_bytes('proc/%d/cmdline' % p)]


def run_ok(mmsim_ns, m, *cmd):
    r = mmsim_ns(m, *cmd)
    assert r.returncode == 0, '%s: exit %d\n%s%s' % (' '.join(cmd), r.returncode, r.stdout, r.stderr)
    return r.stdout


def table(text):
    """Header and rows (split on blanks) of a ps/top-like table."""
    lines = [l for l in text.splitlines() if l.strip()]
    return lines[0].split(), [l.split() for l in lines[1:]]


# ---------------------------------------------------------------- ps

def test_ps_eo_pid_rss_vsz_comm(busy, mmsim_ns):
    out = run_ok(mmsim_ns, busy, 'ps', '-eo', 'pid,rss,vsz,comm')
    head, rows = table(out)
    assert head == ['PID', 'RSS', 'VSZ', 'COMMAND']
    got = {int(r[0]): (int(r[1]), int(r[2]), r[3]) for r in rows}
    assert sorted(got) == busy.pids()
    for pid in busy.pids():
        s = busy.status(pid)
        comm = busy.read('proc/%d/comm' % pid).strip()
        assert got[pid] == (s.get('VmRSS', 0), s.get('VmSize', 0), comm), pid
    assert got[1000][0] == got[1001][0] >= 256 * 1024


def test_ps_aux(busy, mmsim_ns):
    out = run_ok(mmsim_ns, busy, 'ps', 'aux')
    lines = out.splitlines()
    head = lines[0].split()
    assert head == ['USER', 'PID', '%CPU', '%MEM', 'VSZ', 'RSS', 'TTY', 'STAT', 'START', 'TIME', 'COMMAND']
    total = busy.meminfo()['MemTotal']
    seen = []
    for line in lines[1:]:
        f = line.split(None, 10)
        pid, mem, vsz, rss = int(f[1]), float(f[3]), int(f[4]), int(f[5])
        seen.append(pid)
        s = busy.status(pid)
        assert (vsz, rss) == (s.get('VmSize', 0), s.get('VmRSS', 0)), line
        assert abs(mem - 100.0 * rss / total) <= 0.1, line
        cmdline = busy.read_bytes('proc/%d/cmdline' % pid)
        if cmdline:
            assert f[10] == cmdline.rstrip(b'\0').replace(b'\0', b' ').decode(), line
        else:
            assert f[10] == '[%s]' % busy.read('proc/%d/comm' % pid).strip(), line
    assert seen == busy.pids()
    assert [l for l in lines if l.split()[1] == '1'][0].split()[0] == 'root'


def test_ps_follows_processes(busy, mmsim_ns):
    busy.pctl(1001, 'exit')
    out = run_ok(mmsim_ns, busy, 'ps', '-eo', 'pid=')
    assert [int(x) for x in out.split()] == busy.pids()
    assert 1001 not in busy.pids()


# ---------------------------------------------------------------- top

def test_top_batch(busy, mmsim_ns):
    out = run_ok(mmsim_ns, busy, 'top', '-b', '-n1', '-w', '512', '-e', 'k')
    lines = out.splitlines()
    i = [n for n, l in enumerate(lines) if l.split()[:2] == ['PID', 'USER']]
    assert i, out
    head = lines[i[0]].split()
    rows = {int(l.split()[0]): dict(zip(head, l.split())) for l in lines[i[0] + 1:] if l.strip()}
    assert sorted(rows) == busy.pids()
    for pid in busy.pids():
        size, resident, shared = statm(busy, pid)[:3]
        r = rows[pid]
        assert (int(r['VIRT']), int(r['RES']), int(r['SHR'])) == (size * 4, resident * 4, shared * 4), (pid, r)
    assert rows[1000]['COMMAND'] == 'web'
    tasks = [l for l in lines if l.startswith('Tasks:')][0]
    assert int(tasks.split()[1]) == len(busy.pids())


# ---------------------------------------------------------------- pmap

def maps_kb(m, pid):
    total = 0
    for line in m.read('proc/%d/maps' % pid).splitlines():
        lo, hi = (int(x, 16) for x in line.split()[0].split('-'))
        total += (hi - lo) // 1024
    return total


def test_pmap_plain(busy, mmsim_ns):
    out = run_ok(mmsim_ns, busy, 'pmap', '1000')
    lines = out.splitlines()
    assert lines[0].startswith('1000:')
    m = re.match(r'^ total\s+(\d+)K$', lines[-1])
    assert m, lines[-1]
    assert int(m.group(1)) == maps_kb(busy, 1000)
    assert len(lines) - 2 == len(busy.read('proc/1000/maps').splitlines())
    assert any('[ anon ]' in l for l in lines) and any('[ stack ]' in l for l in lines)


def test_pmap_x(busy, mmsim_ns):
    out = run_ok(mmsim_ns, busy, 'pmap', '-x', '1000')
    lines = out.splitlines()
    assert lines[1].split()[:4] == ['Address', 'Kbytes', 'RSS', 'Dirty']
    tot = lines[-1].split()
    assert tot[:2] == ['total', 'kB']
    kbytes, rss, dirty = (int(x) for x in tot[2:5])
    s = busy.status(1000)
    assert kbytes == maps_kb(busy, 1000)
    assert rss == s['VmRSS']
    roll = rollup(busy, 1000)
    assert dirty == roll['Shared_Dirty'] + roll['Private_Dirty']
    # one row per mapping (each closed by its Swap: line)
    assert len([l for l in lines if re.match(r'^[0-9a-f]{16} ', l)]) == len(busy.read('proc/1000/maps').splitlines())


def test_pmap_X(busy, mmsim_ns):
    for pid in (1000, 2000):
        out = run_ok(mmsim_ns, busy, 'pmap', '-X', str(pid))
        lines = out.splitlines()
        head = lines[1].split()
        assert head[:5] == ['Address', 'Perm', 'Offset', 'Device', 'Inode']
        totals = [int(x) for x in lines[-1].split()[:-1]]
        cols = head[5:5 + len(totals)]
        got = dict(zip(cols, totals))
        roll = rollup(busy, pid)
        assert got['Size'] == maps_kb(busy, pid)
        for k in ('Rss', 'Pss', 'Referenced', 'Anonymous', 'Swap', 'Locked'):
            assert got[k] == roll[k], (pid, k, got[k], roll[k])


def test_pmap_of_a_kernel_thread_and_a_dead_pid(busy, mmsim_ns):
    r = mmsim_ns(busy, 'pmap', '2')
    assert r.returncode == 0 and r.stdout.splitlines()[0].startswith('2:'), r.stdout + r.stderr
    r = mmsim_ns(busy, 'pmap', '4000')
    assert r.returncode != 0 and '4000' not in r.stdout


# ---------------------------------------------------------------- pgrep

def test_pgrep(busy, mmsim_ns):
    assert run_ok(mmsim_ns, busy, 'pgrep', 'web').split() == ['1000', '1001']
    assert run_ok(mmsim_ns, busy, 'pgrep', '-x', 'db').split() == ['2000']
    kswapd = [p for p in busy.pids() if busy.read('proc/%d/comm' % p).startswith('kswapd')]
    assert [int(x) for x in run_ok(mmsim_ns, busy, 'pgrep', 'kswapd').split()] == kswapd
    r = mmsim_ns(busy, 'pgrep', '-x', 'nosuchprogram')
    assert r.returncode == 1 and r.stdout == ''
    uid = busy.status(1000)['Uid']
    assert '1000' in run_ok(mmsim_ns, busy, 'pgrep', '-u', str(uid)).split()


# ---------------------------------------------------------------- smem

def smem_or_skip():
    path = shutil.which('smem')
    if path:
        return path
    if os.geteuid() == 0 and shutil.which('apt-get'):
        subprocess.run(['apt-get', 'install', '-y', '-q', 'smem'], capture_output=True, timeout=300)
        path = shutil.which('smem')
    if not path:
        pytest.skip('smem is not installed and could not be installed with apt-get')
    return path


def test_smem(busy):
    smem = smem_or_skip()
    r = subprocess.run([smem, '-S', busy.path, '-c', 'pid uss pss rss swap', '-H'], capture_output=True,
                       text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    rows = {int(l.split()[0]): [int(x) for x in l.split()[1:]] for l in r.stdout.splitlines() if l.strip()}
    # kernel threads (empty cmdline) are left out, as smem does on Linux
    assert sorted(rows) == user_pids(busy)
    for pid, (uss, pss, rss, swap) in rows.items():
        roll = rollup(busy, pid)
        assert pss == roll['Pss'], pid
        assert rss == roll['Rss'], pid
        assert uss == roll['Private_Clean'] + roll['Private_Dirty'], pid
        assert swap == roll['Swap'], pid
    # the forked pair share what the child did not copy
    assert rows[1000][1] < rows[1000][2] and rows[1001][1] < rows[1001][2]


def test_smem_w(busy):
    smem = smem_or_skip()
    r = subprocess.run([smem, '-S', busy.path, '-w', '-k'], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert 'firmware/hardware' in r.stdout and 'userspace memory' in r.stdout


# ---------------------------------------------------------------- psutil

def test_psutil(busy):
    psutil = pytest.importorskip('psutil')
    old = psutil.PROCFS_PATH
    psutil.PROCFS_PATH = busy.abs('proc')
    try:
        assert psutil.pids() == busy.pids()
        for pid in user_pids(busy):
            p = psutil.Process(pid)
            s, roll = busy.status(pid), rollup(busy, pid)
            mi = p.memory_info()
            assert mi.rss == s['VmRSS'] * 1024
            assert mi.vms == s['VmSize'] * 1024
            full = p.memory_full_info()
            assert full.pss == roll['Pss'] * 1024
            assert full.uss == (roll['Private_Clean'] + roll['Private_Dirty']) * 1024
            assert p.name() == busy.read('proc/%d/comm' % pid).strip()
            assert p.ppid() == s['PPid']
            assert p.uids().effective == int(busy.read('proc/%d/status' % pid).split('Uid:')[1].split()[1])
        assert psutil.Process(1001).ppid() == 1000
        maps = psutil.Process(1000).memory_maps(grouped=False)
        heap = [mm for mm in maps if mm.path == '[anon:heap]']
        assert heap and heap[0].rss == 256 * 1024 * 1024
        vm = psutil.virtual_memory()
        assert vm.total == busy.meminfo()['MemTotal'] * 1024
    finally:
        psutil.PROCFS_PATH = old
