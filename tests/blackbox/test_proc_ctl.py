"""proc/PID/ctl: the process commands (the system calls they model) and what they do to the
files: VmSize, VmRSS, PSS, AnonPages, pgfault, MemFree; refusals with the
right errno, one log line and nothing changed; concurrent writers."""
import errno
import os
import re
import threading

import pytest

from conftest import parse_kv

GiB, MiB, KiB = 1 << 30, 1 << 20, 1 << 10


def smaps(m, pid):
    """[(header fields, {key: kB})] of proc/PID/smaps."""
    out = []
    for line in m.read('proc/%d/smaps' % pid).splitlines():
        if re.match(r'^[0-9a-f]+-[0-9a-f]+ ', line):
            out.append((line.split(), {}))
        else:
            mm = re.match(r'^(\w+):\s+(\d+) kB$', line)
            if mm:
                out[-1][1][mm.group(1)] = int(mm.group(2))
    return out


def region(m, pid, name):
    """The smaps counters summed over the VMAs named [anon:NAME]."""
    tot = {}
    for head, vals in smaps(m, pid):
        if head[-1] == '[anon:%s]' % name:
            for k, v in vals.items():
                tot[k] = tot.get(k, 0) + v
    assert tot, 'no [anon:%s] in proc/%d/smaps' % (name, pid)
    return tot


def free_after_drain(m):
    """MemFree with the per-cpu lists drained into the buddy allocator."""
    m.ctl('drain_pages')
    return m.meminfo()['MemFree']


def free_or_kept(m):
    """MemFree (drained) plus what the kernel keeps after an exit: slabs
    it does not give back yet (min_partial, per-CPU lists) and the CPUs'
    cached kernel stacks (vmalloc areas), in kB."""
    free = free_after_drain(m)
    mi = m.meminfo()
    return free + mi['Slab'] + mi['VmallocUsed']


@pytest.fixture
def web(mnt):
    """The default machine with `spawn web pid=1000`."""
    assert mnt.ctl('spawn web pid=1000') == '1000\n'
    return mnt


# ---------------------------------------------------------------- the contract's example

def test_contract_example(web):
    m = web
    s0, mi0, vm0 = m.status(1000), m.meminfo(), m.vmstat()
    reply = m.pctl(1000, 'mmap 1G name=heap')
    assert re.fullmatch(r'0x[0-9a-f]+\n', reply), reply
    addr = int(reply, 16)
    assert addr % 4096 == 0
    s1 = m.status(1000)
    assert s1['VmSize'] - s0['VmSize'] == GiB // KiB
    assert s1['VmRSS'] == s0['VmRSS']
    maps = m.read('proc/1000/maps')
    assert re.search(r'^%x-%x rw-p 00000000 00:00 0 +\[anon:heap\]$' % (addr, addr + GiB), maps, re.M), maps

    assert m.pctl(1000, 'write heap len=256M') == 'ok\n'
    s2, mi2, vm2 = m.status(1000), m.meminfo(), m.vmstat()
    assert s2['VmRSS'] - s1['VmRSS'] == 256 * MiB // KiB
    assert s2['RssAnon'] - s1['RssAnon'] == 256 * MiB // KiB
    assert s2['VmSize'] == s1['VmSize']
    assert mi2['AnonPages'] - mi0['AnonPages'] == 256 * MiB // KiB
    assert vm2['pgfault'] - vm0['pgfault'] >= 256 * MiB // 4096
    assert mi2['PageTables'] > mi0['PageTables']
    assert s2['VmPTE'] > s0['VmPTE']
    heap = region(m, 1000, 'heap')
    assert heap['Rss'] == heap['Pss'] == heap['Private_Dirty'] == heap['Anonymous'] == 256 * 1024

    free_before_fork = free_or_kept(m)
    assert m.pctl(1000, 'fork pid=1001') == '1001\n'
    for pid in (1000, 1001):
        h = region(m, pid, 'heap')
        assert h['Rss'] == 256 * 1024
        assert h['Pss'] == 128 * 1024, (pid, h)
        assert h['Shared_Dirty'] == 256 * 1024
    roll = parse_kv(m.read('proc/1000/smaps_rollup'))
    assert roll['Pss'] * 2 in (roll['Rss'], roll['Rss'] + 1), roll
    assert m.status(1001)['VmRSS'] == s2['VmRSS']

    # the child writes one page: only that page is copied
    anon0 = m.meminfo()['AnonPages']
    assert m.pctl(1001, 'write heap len=4K') == 'ok\n'
    assert m.meminfo()['AnonPages'] - anon0 == 4
    h = region(m, 1001, 'heap')
    assert h['Private_Dirty'] == 4 and h['Rss'] == 256 * 1024
    assert region(m, 1000, 'heap')['Pss'] == (256 * 1024 - 4) // 2 + 4

    assert m.pctl(1001, 'exit') == 'ok\n'
    assert free_or_kept(m) == free_before_fork
    assert region(m, 1000, 'heap')['Pss'] == 256 * 1024


def test_read_of_untouched_anon_maps_the_zero_page(web):
    m = web
    m.pctl(1000, 'mmap 64M name=z')
    s0, anon0 = m.status(1000), m.meminfo()['AnonPages']
    assert m.pctl(1000, 'read z') == 'ok\n'
    s1 = m.status(1000)
    assert s1['VmRSS'] == s0['VmRSS']
    assert m.meminfo()['AnonPages'] == anon0
    assert m.pctl(1000, 'write z') == 'ok\n'
    assert m.status(1000)['VmRSS'] - s0['VmRSS'] == 64 * 1024


def test_populate(web):
    m = web
    s0 = m.status(1000)
    m.pctl(1000, 'mmap 16M populate name=p')
    assert m.status(1000)['VmRSS'] - s0['VmRSS'] == 16 * 1024
    assert region(m, 1000, 'p')['Rss'] == 16 * 1024


def test_munmap_and_madvise(web):
    m = web
    s0 = m.status(1000)
    m.pctl(1000, 'mmap 16M name=a')
    m.pctl(1000, 'write a')
    assert m.status(1000)['VmRSS'] - s0['VmRSS'] == 16 * 1024
    assert m.pctl(1000, 'madvise a dontneed off=8M') == 'ok\n'
    assert m.status(1000)['VmRSS'] - s0['VmRSS'] == 8 * 1024
    assert m.pctl(1000, 'madvise a dontneed') == 'ok\n'
    assert m.status(1000)['VmRSS'] == s0['VmRSS']
    assert m.pctl(1000, 'munmap a') == 'ok\n'
    s1 = m.status(1000)
    assert s1['VmSize'] == s0['VmSize']
    assert '[anon:a]' not in m.read('proc/1000/maps')


def test_munmap_by_address_and_len(web):
    m = web
    addr = int(m.pctl(1000, 'mmap 4M name=b'), 16)
    s0 = m.status(1000)
    assert m.pctl(1000, 'munmap 0x%x len=1M' % addr) == 'ok\n'
    assert s0['VmSize'] - m.status(1000)['VmSize'] == 1024
    assert m.pctl(1000, 'munmap 0x%x' % (addr + MiB)) == 'ok\n'
    assert s0['VmSize'] - m.status(1000)['VmSize'] == 4096


def test_mprotect_then_write_is_sigsegv(web):
    m = web
    m.pctl(1000, 'mmap 1M name=ro')
    assert m.pctl(1000, 'mprotect ro r') == 'ok\n'
    assert re.search(r' r--p .*\[anon:ro\]$', m.read('proc/1000/maps'), re.M)
    assert m.pctl(1000, 'read ro') == 'ok\n'
    err, _ = m.pctl_raw(1000, 'write ro')
    assert err == errno.EFAULT
    assert any('segfault' in l for l in m.log_lines()), m.log_lines()[-3:]
    assert not os.path.exists(m.abs('proc/1000')), 'a process killed by SIGSEGV is gone'


def test_mprotect_splits_and_name_covers_the_pieces(web):
    m = web
    m.pctl(1000, 'mmap 4M name=sp')
    assert m.pctl(1000, 'mprotect sp r off=1M len=1M') == 'ok\n'
    lines = [l for l in m.read('proc/1000/maps').splitlines() if l.endswith('[anon:sp]')]
    assert len(lines) == 3, lines
    # a TARGET by name covers the whole region, all three VMAs
    assert m.pctl(1000, 'mprotect sp rw') == 'ok\n'
    assert m.pctl(1000, 'write sp') == 'ok\n'
    assert region(m, 1000, 'sp')['Rss'] == 4096


def test_write_to_unmapped_address_is_sigsegv(web):
    m = web
    err, _ = m.pctl_raw(1000, 'write 0x1000')
    assert err == errno.EFAULT
    assert any('segfault' in l for l in m.log_lines())
    assert 1000 not in m.pids()


def test_mlock(web):
    m = web
    m.pctl(1000, 'mmap 2M name=l')
    assert m.pctl(1000, 'mlock l') == 'ok\n'
    s = m.status(1000)
    assert s['VmLck'] == 2048
    assert region(m, 1000, 'l')['Rss'] == 2048     # mlock faults it in
    assert m.pctl(1000, 'munlock l') == 'ok\n'
    assert m.status(1000)['VmLck'] == 0


def test_brk(web):
    m = web
    heap = [l for l in m.read('proc/1000/maps').splitlines() if l.endswith('[heap]')]
    assert len(heap) == 1
    end0 = int(heap[0].split('-')[1].split()[0], 16)
    s0 = m.status(1000)
    new = int(m.pctl(1000, 'brk +1M'), 16)
    assert m.status(1000)['VmData'] - s0['VmData'] == 1024
    assert new >= end0 - 4096
    back = int(m.pctl(1000, 'brk -1M'), 16)
    assert back == new - MiB
    assert m.status(1000)['VmData'] == s0['VmData']
    assert int(m.pctl(1000, 'brk +0'), 16) == back
    err, _ = m.pctl_raw(1000, 'brk -1T')
    assert err == errno.ENOMEM


def test_malloc_and_free(web):
    m = web
    s0 = m.status(1000)
    small = int(m.pctl(1000, 'malloc 100'), 16)
    heap = [l for l in m.read('proc/1000/maps').splitlines() if l.endswith('[heap]')][0]
    lo, hi = (int(x, 16) for x in heap.split()[0].split('-'))
    assert lo <= small < hi
    big = int(m.pctl(1000, 'malloc 1M'), 16)
    assert not lo <= big < hi
    s1 = m.status(1000)
    assert s1['VmSize'] - s0['VmSize'] >= 1024
    assert m.pctl(1000, 'free 0x%x' % big) == 'ok\n'
    assert m.status(1000)['VmSize'] == s0['VmSize']
    assert m.pctl(1000, 'free 0x%x' % small) == 'ok\n'


def test_fork_name_and_pid(web):
    m = web
    child = int(m.pctl(1000, 'fork worker'))
    assert m.read('proc/%d/comm' % child) == 'worker\n'
    assert parse_kv(m.read('proc/%d/status' % child))['PPid'] == 1000
    err, _ = m.pctl_raw(1000, 'fork pid=%d' % child)
    assert err == errno.EEXIST
    err, _ = m.pctl_raw(1000, 'fork pid=0')
    assert err == errno.EINVAL


def test_help_lists_every_command(web):
    text = web.read('proc/1000/ctl')
    firsts = [l.split()[0] for l in text.splitlines() if l.strip()]
    for cmd in ('mmap', 'munmap', 'mprotect', 'madvise', 'mlock', 'munlock', 'brk', 'malloc', 'free', 'read',
                'write', 'pread', 'pwrite', 'fsync', 'fork', 'exit', 'sched_setaffinity', 'set_mempolicy', 'mbind'):
        assert cmd in firsts, 'help lacks %s:\n%s' % (cmd, text)
    assert web.read('proc/1000/ctl') == text


def test_kernel_threads_and_init(mnt):
    kthreadd = 2
    assert mnt.read('proc/2/comm') == 'kthreadd\n'
    for cmd, err in [('mmap 4K', errno.EINVAL), ('fork', errno.EINVAL), ('exit', errno.EPERM),
                     ('write 0x1000', errno.EINVAL)]:
        got, _ = mnt.pctl_raw(kthreadd, cmd)
        assert got == err, (cmd, got)
    got, _ = mnt.pctl_raw(1, 'exit')
    assert got == errno.EPERM
    assert 1 in mnt.pids() and 2 in mnt.pids()


def test_exit_frees_everything(web):
    m = web
    m.pctl(1000, 'mmap 64M name=x populate')
    free0 = free_or_kept(m)
    pid = int(m.ctl('spawn other'))
    m.pctl(pid, 'mmap 32M name=y')
    m.pctl(pid, 'write y')
    child = int(m.pctl(pid, 'fork'))
    m.pctl(child, 'write y len=1M')
    assert free_after_drain(m) < free0
    m.pctl(child, 'exit')
    m.pctl(pid, 'exit')
    assert free_or_kept(m) == free0


# ---------------------------------------------------------------- refusals

MALFORMED = [
    'bogus', 'mmap', 'mmap abc', 'mmap 0', 'mmap 1G 2G', 'mmap 1G anon shared', 'mmap 1G anon anon',
    'mmap 1G prot=rwz', 'mmap 1G prot=', 'mmap 1G prot=wr', 'mmap 1G name=a[b]', 'mmap 1G name=$x',
    'mmap 1G name=' + 'n' * 80, 'mmap 1G addr=123', 'mmap 1G addr=0xzz', 'mmap 1G bogus=1', 'mmap 1G populated',
    'mmap -1G', 'mmap 99999999999999999999', 'mmap 1G file=/data off=1', 'mmap 1G off=4K',
    'mmap 1G anon file=/data', 'mmap 1G file=/data name=x[', 'mmap 1G file=data',
    'munmap', 'munmap nosuch', 'munmap 0x', 'munmap 0xqq', 'munmap heap heap', 'munmap 0x1000',
    'mprotect', 'mprotect r', 'mprotect nosuch r', 'mprotect heap', 'mprotect heap rwq', 'mprotect heap r 1',
    'madvise', 'madvise heap', 'madvise heap bogus', 'madvise heap cold x', 'madvise heap pageout 1',
    'madvise heap hugepage x', 'madvise heap nohugepage 1', 'madvise heap mergeable x', 'madvise heap unmergeable 1',
    'madvise heap collapse',
    'mlock', 'mlock nosuch', 'munlock', 'munlock heap x',
    'brk', 'brk 1M', 'brk +', 'brk +abc', 'brk ++1M', 'brk +1M 2', 'brk +1M x=1',
    'malloc', 'malloc abc', 'malloc 1 2', 'free', 'free 1234', 'free 0x', 'free 0x1 0x2',
    'read', 'read nosuch', 'write', 'write nosuch', 'write heap off=1G', 'write heap off=abc',
    'write heap len=2G', 'write heap len=-1', 'write heap bogus=1', 'write heap off=512M len=768M',
    'write heap fill=', 'write heap fill=x', 'write heap fill=-1', 'write heap fill=4611686018427387904',
    'prctl', 'prctl memory_merge', 'prctl memory_merge 2', 'prctl bogus 1', 'prctl memory_merge 1 x=1',
    'fork a b', 'fork pid=abc', 'fork pid=-5', 'fork pid=4194304', 'fork /bin/x', 'fork x=1',
    'exit now', 'exit code=1',
    'pread f 0 4K', 'pread /f 0', 'pread /f -1 4K', 'pwrite /f 0 4K 8K', 'pwrite /f 0 1Q', 'fsync', 'fsync f',
    'set_mempolicy', 'set_mempolicy bind=9', 'set_mempolicy local x', 'mbind heap', 'mbind heap bind=0-x',
    'mbind nosuch local', 'sched_setaffinity', 'sched_setaffinity 64-70', 'sched_setaffinity 0 1',
    'mmap 1G\x00', 'mmap\t1G\x01',
]


def test_malformed_commands_are_einval_log_and_change_nothing(web):
    m = web
    m.pctl(1000, 'mmap 1G name=heap')
    m.pctl(1000, 'write heap len=1M')
    files = ['proc/1000/%s' % f for f in ('status', 'maps', 'smaps', 'stat', 'statm')] + \
        ['proc/meminfo', 'proc/vmstat', 'proc/buddyinfo']
    before = {f: m.read(f) for f in files}
    pids = m.pids()
    for cmd in MALFORMED:
        n0 = len(m.log_lines())
        err, reply = m.pctl_raw(1000, cmd)
        m.check_alive()
        assert err == errno.EINVAL, '%r: %s, expected EINVAL' % (cmd, err and os.strerror(err))
        lines = m.log_lines()
        assert len(lines) == n0 + 1, '%r: log grew by %d lines' % (cmd, len(lines) - n0)
        assert lines[-1].isprintable() and 'proc/1000/ctl' in lines[-1], lines[-1]
        assert reply == '', (cmd, reply)
    after = {f: m.read(f) for f in files}
    assert [f for f in files if before[f] != after[f]] == []
    assert m.pids() == pids


def test_not_modelled_says_so(web):
    m = web
    m.pctl(1000, 'mmap 1M name=h')
    for cmd, word in [('madvise h collapse', 'not modelled yet')]:
        err, _ = m.pctl_raw(1000, cmd)
        assert err == errno.EINVAL
        assert word in m.log_lines()[-1], m.log_lines()[-1]


def test_multi_line_write_stops_at_first_failure(web):
    m = web
    s0 = m.status(1000)
    err, _ = m.pctl_raw(1000, 'mmap 1M name=one\nbogus\nmmap 1M name=two\n')
    assert err == errno.EINVAL
    maps = m.read('proc/1000/maps')
    assert '[anon:one]' in maps and '[anon:two]' not in maps
    assert m.status(1000)['VmSize'] - s0['VmSize'] == 1024


def test_several_commands_several_replies(web):
    m = web
    err, reply = m.pctl_raw(1000, 'mmap 1M name=r1\nwrite r1\nfork\nmunmap r1\n')
    assert err == 0
    lines = reply.splitlines()
    assert len(lines) == 4
    assert re.fullmatch(r'0x[0-9a-f]+', lines[0]) and lines[1] == 'ok' and lines[2].isdigit() and lines[3] == 'ok'


def test_overcommit_never_refuses_beyond_commit_limit(web):
    m = web
    if not os.path.exists(m.abs('proc/sys/vm/overcommit_memory')):
        pytest.skip('proc/sys/vm/overcommit_memory is not in the tree yet')
    assert m.write('proc/sys/vm/overcommit_memory', '2\n') == (True, 0)
    limit = m.meminfo()['CommitLimit']
    s0 = m.status(1000)
    err, _ = m.pctl_raw(1000, 'mmap %dK' % (limit * 2))
    assert err == errno.ENOMEM
    assert m.status(1000)['VmSize'] == s0['VmSize']
    assert m.write('proc/sys/vm/overcommit_memory', '1\n') == (True, 0)
    assert re.fullmatch(r'0x[0-9a-f]+\n', m.pctl(1000, 'mmap %dK' % (limit * 2)))


# ---------------------------------------------------------------- concurrency

def test_concurrent_writers_keep_the_daemon_alive(mnt):
    """Threads drive several processes at once (and one of them spawns and
    reaps); the daemon runs with --debug-vm, which aborts on a broken
    invariant."""
    pids = [int(mnt.ctl('spawn w%d' % i)) for i in range(4)]
    errors = []

    def worker(pid, rounds=30):
        try:
            for r in range(rounds):
                name = 'r%d' % r
                mnt.pctl(pid, 'mmap %dK name=%s' % (64 * (r % 5 + 1), name))
                mnt.pctl(pid, 'write %s' % name)
                child = int(mnt.pctl(pid, 'fork'))
                mnt.pctl(child, 'write %s len=4K' % name)
                mnt.pctl(pid, 'madvise %s dontneed' % name)
                mnt.pctl(child, 'exit')
                mnt.pctl(pid, 'munmap %s' % name)
                a = int(mnt.pctl(pid, 'malloc %d' % (1000 * (r + 1))), 16)
                mnt.pctl(pid, 'free 0x%x' % a)
                mnt.read('proc/%d/smaps' % pid)
        except Exception as e:      # noqa: BLE001 - reported below
            errors.append('%d: %r' % (pid, e))

    def reader():
        try:
            for _ in range(100):
                for pid in mnt.pids():
                    try:
                        mnt.read('proc/%d/status' % pid)
                    except OSError as e:
                        if e.errno not in (errno.ENOENT, errno.ESRCH):
                            raise
                mnt.read('proc/meminfo')
        except Exception as e:      # noqa: BLE001
            errors.append('reader: %r' % e)

    threads = [threading.Thread(target=worker, args=(p,)) for p in pids] + [threading.Thread(target=reader)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    mnt.check_alive()
    assert not errors, errors[:5]
    assert not [l for l in mnt.log_lines() if 'BUG' in l]
    for pid in pids:
        assert mnt.pctl(pid, 'exit') == 'ok\n'
