"""Standard tools run unmodified on the tree through tools/mmsim-ns."""
import os
import re
import subprocess

import pytest

from conftest import MMSIM_NS


def test_free_k_total_is_memtotal(mnt, mmsim_ns):
    mnt.ctl('alloc_pages 4 count=3')
    r = mmsim_ns(mnt, 'free', '-k')
    assert r.returncode == 0, r.stderr
    mi = mnt.meminfo()
    rows = {l.split(':')[0]: [int(x) for x in l.split(':')[1].split()] for l in r.stdout.splitlines()[1:]}
    total, used, free, shared, buffcache, available = rows['Mem']
    assert total == mi['MemTotal']
    assert free == mi['MemFree']
    assert available == mi['MemAvailable']
    assert rows['Swap'][0] == mi['SwapTotal']


def test_free_m(mnt, mmsim_ns):
    r = mmsim_ns(mnt, 'free', '-m')
    assert r.returncode == 0, r.stderr
    total = int(r.stdout.splitlines()[1].split()[1])
    assert total == mnt.meminfo()['MemTotal'] // 1024


def vmstat_row(out):
    lines = out.splitlines()
    assert len(lines) >= 3, out
    head = lines[1].split()
    vals = [int(x) for x in lines[2].split()]
    assert len(head) == len(vals), out
    return dict(zip(head, vals))


def test_vmstat(mnt, mmsim_ns):
    r = mmsim_ns(mnt, 'vmstat')
    assert r.returncode == 0, r.stderr
    row = vmstat_row(r.stdout)
    mi = mnt.meminfo()
    assert row['free'] == mi['MemFree']
    assert row['swpd'] == mi['SwapTotal'] - mi['SwapFree']
    assert row['cache'] == mi['Cached'] + mi['SReclaimable']
    for k in ('us', 'sy', 'id', 'wa', 'st'):
        assert 0 <= row[k] <= 100, (k, row)
    assert 99 <= sum(row[k] for k in ('us', 'sy', 'id', 'wa', 'st')) <= 101 or row['id'] == 100, row


def test_vmstat_a(mnt, mmsim_ns):
    r = mmsim_ns(mnt, 'vmstat', '-a')
    assert r.returncode == 0, r.stderr
    row = vmstat_row(r.stdout)
    mi = mnt.meminfo()
    assert row['free'] == mi['MemFree']
    assert row['inact'] == mi['Inactive']
    assert row['active'] == mi['Active']


def test_vmstat_s(mnt, mmsim_ns):
    r = mmsim_ns(mnt, 'vmstat', '-s')
    assert r.returncode == 0, r.stderr
    d = {}
    for line in r.stdout.splitlines():
        m = re.match(r'^\s*(\d+) (.*)$', line)
        assert m, line
        d[m.group(2)] = int(m.group(1))
    mi = mnt.meminfo()
    assert d['K total memory'] == mi['MemTotal']
    assert d['K free memory'] == mi['MemFree']
    assert d['K total swap'] == mi['SwapTotal']
    vm = dict(l.split() for l in mnt.read('proc/vmstat').splitlines())
    # procps 4 says "K paged in" (pgpgin is in KiB), older ones "pages paged in"
    assert d.get('K paged in', d.get('pages paged in')) == int(vm['pgpgin'])
    assert d['boot time'] > 0


def test_vmstat_follows_allocations(mnt, mmsim_ns):
    free0 = vmstat_row(mmsim_ns(mnt, 'vmstat').stdout)['free']
    mnt.ctl('alloc_pages 10 count=4')
    free1 = vmstat_row(mmsim_ns(mnt, 'vmstat').stdout)['free']
    assert free0 - free1 >= 4 * 4096


def test_mmsim_ns_pid_namespace(mnt, mmsim_ns):
    """The command runs in a new PID namespace (no signal reaches a real
    process) with the simulated /proc."""
    r = mmsim_ns(mnt, 'sh', '-c', 'echo $$; cat /proc/meminfo')
    assert r.returncode == 0, r.stderr
    pid, rest = r.stdout.split('\n', 1)
    assert int(pid) < 10
    assert rest == mnt.read('proc/meminfo')
    r = mmsim_ns(mnt, 'cat', '/sys/devices/system/node/online')
    assert r.stdout == mnt.read('sys/devices/system/node/online')


def test_mmsim_ns_exit_status(mnt, mmsim_ns):
    assert mmsim_ns(mnt, 'sh', '-c', 'exit 7').returncode == 7
    assert mmsim_ns(mnt, 'true').returncode == 0


def test_mmsim_ns_refuses_a_non_mount(tmp_path):
    r = subprocess.run([MMSIM_NS, str(tmp_path), 'true'], capture_output=True, text=True)
    assert r.returncode != 0
    assert 'mmsim' in r.stderr and str(tmp_path) in r.stderr
    r = subprocess.run([MMSIM_NS], capture_output=True, text=True)
    assert r.returncode != 0 and 'usage' in r.stderr.lower()


def test_mmsim_ns_as_ordinary_user(mount, mmsim_ns):
    """As a user without privileges it maps root in a user namespace."""
    if os.geteuid() != 0:
        pytest.skip('needs root to switch to an ordinary user')
    import pwd
    try:
        nobody = pwd.getpwnam('nobody')
    except KeyError:
        pytest.skip('no user nobody')
    m = mount('-o', 'allow_other', public_dir=True)
    r = subprocess.run(['setpriv', '--reuid=%d' % nobody.pw_uid, '--regid=%d' % nobody.pw_gid,
                        '--clear-groups', MMSIM_NS, m.path, 'free', '-k'],
                       capture_output=True, text=True, cwd='/')
    if r.returncode != 0 and 'unshare' in r.stderr and 'Operation not permitted' in r.stderr:
        pytest.skip('user namespaces are not permitted here: %s' % r.stderr.strip())
    assert r.returncode == 0, r.stderr
    assert int(r.stdout.splitlines()[1].split()[1]) == m.meminfo()['MemTotal']
