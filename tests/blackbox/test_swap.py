"""Swap devices: the preset's device at boot, swapon/swapoff through sim/ctl,
proc/swaps in the kernel's layout, meminfo's SwapTotal/SwapFree and
CommitLimit, priorities and the refusals (errno, one log line, nothing
changed)."""
import errno

import pytest

HEADER = 'Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n'


def swaps_line(path, kind, kb, used, prio):
    """swap_show's layout: the path padded to 40 columns, then tabs."""
    pad = 40 - len(path) if len(path) < 40 else 1
    return '%s%s%s\t%d\t%s%d\t%s%d\n' % (path, ' ' * pad, 'partition' if kind == 'partition' else 'file\t',
                                        kb, '\t' if kb < 10000000 else '', used,
                                        '\t' if used < 10000000 else '', prio)


def swaps(m):
    """[(path, type, size, used, prio)] of proc/swaps."""
    lines = m.read('proc/swaps').splitlines()
    return [tuple(int(x) if i >= 2 else x for i, x in enumerate(l.split())) for l in lines[1:]]


def test_boot_device(mnt):
    """The default preset's 2 GiB: /dev/sda5 as Debian's installer lays it
    out, the header page not usable, priority -2, logged as swapon does."""
    assert mnt.read('proc/swaps') == HEADER + swaps_line('/dev/sda5', 'partition', 2097148, 0, -2)
    mi = mnt.meminfo()
    assert mi['SwapTotal'] == 2097148 and mi['SwapFree'] == 2097148
    assert ('Adding 2097148k swap on /dev/sda5.  Priority:-2 extents:1 across:2097148k SS'
            in [l.split('] ', 1)[1] for l in mnt.log_lines()])


def test_no_swap(mount):
    m = mount('--machine=small', '--swap=0')
    assert m.read('proc/swaps') == HEADER
    mi = m.meminfo()
    assert mi['SwapTotal'] == 0 and mi['SwapFree'] == 0


def test_swapon_swapoff(mnt):
    mi0 = mnt.meminfo()
    assert mnt.ctl('swapon /swapfile 1G') == 'ok\n'
    assert mnt.log_lines()[-1].endswith('Adding 1048572k swap on /swapfile.  Priority:-3 extents:1 '
                                       'across:1048572k SS')
    assert mnt.read('proc/swaps') == (HEADER + swaps_line('/dev/sda5', 'partition', 2097148, 0, -2) +
                                      swaps_line('/swapfile', 'file', 1048572, 0, -3))
    mi = mnt.meminfo()
    assert mi['SwapTotal'] == mi0['SwapTotal'] + 1048572
    assert mi['SwapFree'] == mi0['SwapFree'] + 1048572
    assert mi['CommitLimit'] == mi0['CommitLimit'] + 1048572
    assert mnt.ctl('swapoff /swapfile') == 'ok\n'
    assert mnt.read('proc/swaps') == HEADER + swaps_line('/dev/sda5', 'partition', 2097148, 0, -2)
    assert mnt.meminfo()['SwapTotal'] == mi0['SwapTotal']
    assert mnt.meminfo()['CommitLimit'] == mi0['CommitLimit']


def test_priorities(mnt):
    """Default priorities go -2, -3, ...; swapoff moves the ones below up;
    proc/swaps lists in swap_info[] order, reusing a freed slot."""
    mnt.ctl('swapon /a 64M')
    mnt.ctl('swapon /b 64M prio=7')
    mnt.ctl('swapon /c 64M')
    assert [(s[0], s[4]) for s in swaps(mnt)] == [('/dev/sda5', -2), ('/a', -3), ('/b', 7), ('/c', -4)]
    mnt.ctl('swapoff /dev/sda5')
    assert [(s[0], s[4]) for s in swaps(mnt)] == [('/a', -2), ('/b', 7), ('/c', -3)]
    mnt.ctl('swapon /d 64M prio=0')
    mnt.ctl('swapon /e 64M')
    # /d takes the first free swap_info[] slot (type 0)
    assert [(s[0], s[4]) for s in swaps(mnt)] == [('/d', 0), ('/a', -2), ('/b', 7), ('/c', -3), ('/e', -4)]
    assert [s[1] for s in swaps(mnt)] == ['file'] * 5


def refused(m, cmd, want):
    before = m.snapshot()
    n0 = len(m.log_lines())
    err, _ = m.ctl_raw(cmd)
    assert err == want, '%r: %s' % (cmd, err)
    assert m.snapshot() == before
    lines = m.log_lines()
    assert len(lines) == n0 + 1 and 'refused' in lines[-1]


def test_refusals(mnt):
    refused(mnt, 'swapon /dev/sda5 1G', errno.EBUSY)
    refused(mnt, 'swapon /tiny 36K', errno.EINVAL)
    refused(mnt, 'swapon /huge 2T', errno.EINVAL)
    refused(mnt, 'swapon /x 1G prio=40000', errno.EINVAL)
    refused(mnt, 'swapoff /not-swap', errno.EINVAL)
    refused(mnt, 'swapoff /dev/sda5 now', errno.EINVAL)


def test_max_swapfiles(mount):
    m = mount('--swap=0')
    n = 0
    while True:
        err, _ = m.ctl_raw('swapon /s%d 64K' % n)
        if err:
            break
        n += 1
    assert err == errno.EPERM
    assert n == 25  # MAX_SWAPFILES on x86-64 6.15+
    assert len(swaps(m)) == 25
    m.ctl('swapoff /s3')
    assert m.ctl('swapon /again 64K') == 'ok\n'
    assert swaps(m)[3][0] == '/again'


def test_swap_sysctls(mnt):
    assert mnt.read('proc/sys/vm/swappiness') == '60\n'
    assert mnt.read('proc/sys/vm/page-cluster') == '3\n'
    assert mnt.write('proc/sys/vm/swappiness', '200\n') == (True, 0)
    assert mnt.read('proc/sys/vm/swappiness') == '200\n'
    assert mnt.write('proc/sys/vm/page-cluster', '0\n') == (True, 0)
    assert mnt.read('proc/sys/vm/page-cluster') == '0\n'
    for path, bad in [('swappiness', '201\n'), ('page-cluster', '32\n')]:
        assert mnt.write('proc/sys/vm/' + path, bad) == (False, errno.EINVAL)


def test_tools_see_swap(mnt, mmsim_ns):
    out = mmsim_ns(mnt, 'free', '-k').stdout
    row = [l for l in out.splitlines() if l.startswith('Swap:')][0].split()
    assert int(row[1]) == 2097148 and int(row[3]) == 2097148
    out = mmsim_ns(mnt, 'cat', '/proc/swaps').stdout
    assert out == mnt.read('proc/swaps')


# ---------------------------------------------------------------- swap-out

def kv(text):
    out = {}
    for line in text.splitlines():
        k, _, v = line.partition(':')
        if v.strip().split() and v.strip().split()[0].isdigit():
            out[k] = int(v.split()[0])
    return out


def smaps_of(m, pid, name):
    """The fields of the smaps block of the VMA called name."""
    import re
    blocks = re.split(r'\n(?=[0-9a-f]+-[0-9a-f]+ )', m.read('proc/%d/smaps' % pid))
    return kv([b for b in blocks if b.split('\n')[0].endswith(name)][0])


def test_pageout_and_swapin(mnt):
    m = mnt
    m.ctl('spawn web pid=1000')
    m.pctl(1000, 'mmap 8M name=buf')
    m.pctl(1000, 'write buf')
    st0, vm0, mi0 = kv(m.read('proc/1000/status')), m.vmstat(), m.meminfo()
    assert m.pctl(1000, 'madvise buf pageout') == 'ok\n'
    st, vm, mi = kv(m.read('proc/1000/status')), m.vmstat(), m.meminfo()
    assert st['VmSwap'] == 8192
    assert st['RssAnon'] == st0['RssAnon'] - 8192
    assert vm['pswpout'] - vm0['pswpout'] == 2048
    assert mi['SwapFree'] == mi0['SwapFree'] - 8192
    # the writes take the disk's time; the pages wait in the swap cache
    assert mi['Writeback'] == 8192 and mi['SwapCached'] == 8192
    m.ctl('tick 1s')
    mi = m.meminfo()
    assert mi['Writeback'] == 0 and mi['SwapCached'] == 8192
    assert swaps(m)[0][3] == 8192                       # Used, kB
    block = smaps_of(m, 1000, '[anon:buf]')
    assert block['Swap'] == 8192 and block['SwapPss'] == 8192
    # a fork shares the slots: SwapPss halves
    m.pctl(1000, 'fork pid=1001')
    block = smaps_of(m, 1001, '[anon:buf]')
    assert block['Swap'] == 8192 and block['SwapPss'] == 4096
    # loads find the pages in the swap cache: minor faults, no disk read
    m.pctl(1000, 'read buf len=1M')
    st, vm = kv(m.read('proc/1000/status')), m.vmstat()
    assert st['VmSwap'] == 7168
    assert vm['pswpin'] == vm0['pswpin']
    assert vm['pgmajfault'] == vm0['pgmajfault']
    # swapoff pulls every page back
    assert m.ctl('swapoff /dev/sda5') == 'ok\n'
    assert kv(m.read('proc/1000/status'))['VmSwap'] == 0
    assert kv(m.read('proc/1001/status'))['VmSwap'] == 0
    assert kv(m.read('proc/1000/status'))['RssAnon'] == st0['RssAnon']
    assert m.meminfo()['SwapTotal'] == 0
    # MADV_COLD is accepted; without swap pageout keeps the pages
    assert m.pctl(1000, 'madvise buf cold') == 'ok\n'
    assert m.pctl(1000, 'madvise buf pageout') == 'ok\n'
    assert kv(m.read('proc/1000/status'))['RssAnon'] == st0['RssAnon']


def test_exit_frees_swap(mnt):
    m = mnt
    m.ctl('spawn a pid=1000')
    m.pctl(1000, 'mmap 4M name=x')
    m.pctl(1000, 'write x')
    m.pctl(1000, 'madvise x pageout')
    assert swaps(m)[0][3] == 4096
    m.pctl(1000, 'exit')
    # the pages still being written hold their slots until the write ends
    m.ctl('tick 1s')
    assert swaps(m)[0][3] == 0
    assert m.meminfo()['SwapFree'] == m.meminfo()['SwapTotal']
    assert m.meminfo()['SwapCached'] == 0
