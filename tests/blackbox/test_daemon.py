"""mmsimd itself: options, presets, signals, exit status."""
import os
import signal
import time

import pytest

from conftest import fuse_unavailable


@pytest.mark.parametrize('args', [
    ['--nodes=0'], ['--machine=nosuch'], ['--mem=abc'], ['--mem=1X'], ['--cpus=0'],
    ['--clock=sometimes'], ['--seed=abc'], ['--swap=-1G'], ['--nosuchoption'], ['--nodes=3', '--mem=256M'],
])
def test_bad_option_exits_2_and_mounts_nothing(run_mmsimd, args):
    r = run_mmsimd(*(args + ['{DIR}']))
    assert r.returncode == 2, 'mmsimd %s: exit %d, expected 2\nstdout: %s\nstderr: %s' % (
        ' '.join(args), r.returncode, r.stdout, r.stderr)
    assert r.stderr.strip(), 'no message for %s' % args
    assert len(r.stderr.strip().splitlines()) <= 5, 'keep the message short:\n' + r.stderr
    assert not r.mounted
    assert os.listdir(r.dir) == []


def test_bad_preset_file(run_mmsimd, tmp_path):
    bad = tmp_path / 'bad.conf'
    bad.write_text('[machine]\nmem=lots\n')
    r = run_mmsimd('--machine=%s' % bad, '{DIR}')
    assert r.returncode == 2 and 'mem' in r.stderr and not r.mounted
    nogroup = tmp_path / 'nogroup.conf'
    nogroup.write_text('[other]\nmem=1G\n')
    r = run_mmsimd('--machine=%s' % nogroup, '{DIR}')
    assert r.returncode == 2 and not r.mounted


def test_no_mountpoint(run_mmsimd):
    r = run_mmsimd()
    assert r.returncode == 2 and r.stderr.strip()


def test_mountpoint_missing(run_mmsimd, tmp_path):
    r = run_mmsimd('-f', str(tmp_path / 'nosuchdir'))
    assert r.returncode != 0 and r.stderr.strip()


def test_help(run_mmsimd):
    r = run_mmsimd('--help')
    assert r.returncode == 0, r.stderr
    out = r.stdout
    for opt in ('--machine', '--mem', '--nodes', '--cpus', '--swap', '--clock', '--seed',
                '--debug-vm', '--version', '-f', '-o'):
        assert opt in out, '--help lacks %s' % opt


def test_version(run_mmsimd):
    r = run_mmsimd('--version')
    assert r.returncode == 0, r.stderr
    assert 'mmsimd' in r.stdout and any(c.isdigit() for c in r.stdout)


@pytest.mark.parametrize('sig', [signal.SIGTERM, signal.SIGINT])
def test_signal_unmounts_and_exits_0(mount, sig):
    m = mount()
    assert os.path.ismount(m.path)
    m.proc.send_signal(sig)
    rc = m.proc.wait(timeout=20)
    m.unmounted = True
    assert rc == 0, 'exit %d after %s; stderr:\n%s' % (rc, sig.name, m.stderr())
    assert not os.path.ismount(m.path)


def test_fusermount_u_exits_0(mount):
    m = mount()
    m.read('proc/meminfo')
    assert m.unmount() == 0
    assert not os.path.ismount(m.path)


def test_daemonizes_without_f(run_mmsimd, tmp_path):
    """Without -f mmsimd returns once mounted and keeps serving."""
    import subprocess
    why = fuse_unavailable()
    if why:
        pytest.skip(why)
    r = run_mmsimd('--clock=manual', '{DIR}')
    try:
        assert r.returncode == 0, r.stderr
        assert r.mounted
        assert os.path.exists(os.path.join(r.dir, 'sim', 'ctl'))
        with open(os.path.join(r.dir, 'proc', 'meminfo')) as f:
            assert f.read().startswith('MemTotal:')
    finally:
        subprocess.run(['fusermount3', '-u', r.dir])
    for _ in range(100):
        if not os.path.ismount(r.dir):
            break
        time.sleep(0.05)
    assert not os.path.ismount(r.dir)


def node_dirs(m):
    base = m.abs('sys/devices/system/node')
    return sorted(d for d in os.listdir(base) if d.startswith('node'))


def test_default_machine(mnt):
    """The built-in default: at least 2 nodes, DMA, DMA32 and Normal, 2+ CPUs."""
    nodes = mnt.nodes()
    assert len(nodes) >= 2
    assert node_dirs(mnt) == ['node%d' % n for n in nodes]
    assert len(mnt.cpus()) >= 2
    zones = {l.split()[3] for l in mnt.read('proc/buddyinfo').splitlines()}
    assert {'DMA', 'DMA32', 'Normal'} <= zones
    assert 'default' in mnt.read('sim/machine')


def test_preset_small(mount):
    m = mount('--machine=small')
    assert m.nodes() == [0]
    assert node_dirs(m) == ['node0']
    total = m.meminfo()['MemTotal']
    assert 0.9 * 1024 * 1024 < total < 1024 * 1024, total
    assert 'small' in m.read('sim/machine')


def test_preset_numa4(mount):
    m = mount('--machine=numa4')
    assert m.nodes() == [0, 1, 2, 3]
    assert node_dirs(m) == ['node0', 'node1', 'node2', 'node3']
    for n in range(4):
        dist = [int(x) for x in m.read('sys/devices/system/node/node%d/distance' % n).split()]
        assert len(dist) == 4 and dist[n] == 10
    assert 'numa4' in m.read('sim/machine')


def test_preset_file(mount, tmp_path):
    f = tmp_path / 'mine.conf'
    f.write_text('[machine]\nmem=2G\nnodes=1\ncpus=3\nswap=0\n')
    m = mount('--machine=%s' % f)
    assert m.nodes() == [0]
    assert m.cpus() == [0, 1, 2]
    total = m.meminfo()['MemTotal']
    assert 1.8 * 1024 * 1024 < total < 2 * 1024 * 1024


def test_options_override_preset(mount):
    m = mount('--machine=numa4', '--nodes=2', '--mem=4G', '--cpus=6')
    assert m.nodes() == [0, 1]
    assert m.cpus() == list(range(6))
    total = m.meminfo()['MemTotal']
    assert 3.6 * 1024 * 1024 < total < 4 * 1024 * 1024
    assert len(m.read('proc/cpuinfo').strip().split('\n\n')) == 6


@pytest.mark.parametrize('mem,lo,hi', [('512M', 0.8, 1.0), ('1048576K', 0.9, 1.0), ('1T', 0.98, 1.0)])
def test_mem_suffixes(mount, mem, lo, hi):
    m = mount('--mem=' + mem, '--nodes=1')
    size_kb = {'512M': 512 * 1024, '1048576K': 1024 * 1024, '1T': 1 << 30}[mem]
    total = m.meminfo()['MemTotal']
    assert lo * size_kb < total < hi * size_kb, total


def test_big_idle_machine_mounts_fast(mount):
    t = time.monotonic()
    m = mount('--mem=1T', '--nodes=8')
    elapsed = time.monotonic() - t
    assert m.nodes() == list(range(8))
    assert elapsed < 10, 'mounting an idle 1 TiB machine took %.1fs' % elapsed


def test_seed_option_is_accepted(mount):
    m = mount('--seed=12345')
    assert '12345' in m.read('sim/machine')
