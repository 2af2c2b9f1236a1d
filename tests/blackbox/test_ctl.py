"""sim/ctl: replies, errors, garbage, and the clock."""
import errno
import os
import random
import re

import pytest

from conftest import PageTypeInfo, parse_buddyinfo, parse_uptime, parse_zoneinfo

# dmesg style: "[seconds.micros] message".  A refused command's text is
# quoted escaped, never raw: no control characters (they may be in what was
# written) and valid UTF-8 (Mount.read decodes strictly).
LOG_LINE = re.compile(r'^\[ *\d+\.\d{6}\] \S.*$')


def log_line_ok(line):
    return bool(LOG_LINE.match(line)) and line.isprintable()


def write_fails(m, payload, errnos=(errno.EINVAL,)):
    """Write payload to sim/ctl: it must fail with one of errnos and log
    exactly one well-formed line.  Returns the log line."""
    n0 = len(m.log_lines())
    err, _reply = m.ctl_raw(payload)
    m.check_alive()
    assert err in errnos, 'sim/ctl <- %r: %s, expected %s' % (
        payload[:80], 'success' if err == 0 else os.strerror(err) if err > 0 else 'short write',
        '/'.join(errno.errorcode[e] for e in errnos))
    lines = m.log_lines()
    assert len(lines) == n0 + 1, 'sim/ctl <- %r: sim/log grew by %d lines' % (payload[:80], len(lines) - n0)
    assert log_line_ok(lines[-1]), 'bad log line %r' % lines[-1]
    return lines[-1]


def test_reply_is_per_descriptor(mnt):
    help_text = mnt.read('sim/ctl')
    reply = mnt.ctl('alloc_pages 2')
    assert re.fullmatch(r'0x[0-9a-f]+\n', reply), reply
    # another descriptor still reads the help
    assert mnt.read('sim/ctl') == help_text
    assert mnt.ctl('free_pages %s' % reply.strip()) == 'ok\n'
    assert mnt.ctl('drain_pages') == 'ok\n'


def test_reply_replaced_by_next_write(mnt):
    fd = os.open(mnt.abs('sim/ctl'), os.O_RDWR)
    try:
        os.write(fd, b'alloc_pages 1 count=3\n')
        os.lseek(fd, 0, os.SEEK_SET)
        first = os.read(fd, 4096).decode().split()
        assert len(first) == 3
        os.lseek(fd, 0, os.SEEK_SET)
        os.write(fd, b'free_pages %s\n' % first[0].encode())
        os.lseek(fd, 0, os.SEEK_SET)
        assert os.read(fd, 4096) == b'ok\n'
    finally:
        os.close(fd)


def test_multi_line_write_stops_at_first_failure(mnt):
    mnt.ctl('drain_pages')
    free0 = mnt.meminfo()['MemFree']
    n0 = len(mnt.log_lines())
    err, _ = mnt.ctl_raw('alloc_pages 0 type=movable\nbogus\nalloc_pages 1\n')
    assert err == errno.EINVAL
    assert len(mnt.log_lines()) == n0 + 1
    mnt.ctl('drain_pages')
    # the first line ran (one page), the third did not
    assert free0 - mnt.meminfo()['MemFree'] == 4


def test_failed_commands_change_nothing(mnt):
    before = mnt.snapshot()
    for cmd in ['alloc_pages 11', 'alloc_pages 3 count=abc', 'frobnicate', 'free_pages 0x1',
                'tick', 'alloc_pages 3 type=weird node=0', 'alloc_pages 2 node=64']:
        err, _ = mnt.ctl_raw(cmd)
        assert err != 0, cmd
    after = mnt.snapshot()
    assert [p for p in before if before[p] != after[p]] == []


GARBAGE_EINVAL = [
    b'frobnicate\n', b'ALLOC_PAGES 3\n', b'alloc_pages\n', b'alloc_pages 3 4\n', b'alloc_pages 11\n',
    b'alloc_pages 12\n', b'alloc_pages 99999999999999999999999\n', b'alloc_pages -1\n',
    b'alloc_pages 3 count=\n', b'alloc_pages 3 count=-1\n', b'alloc_pages 3 count=1x\n',
    b'alloc_pages 3 =4\n', b'alloc_pages 3 type=\n', b'alloc_pages 3 type=highatomic\n',
    b'alloc_pages 3 node=\n', b'alloc_pages 3 node=abc\n', b'alloc_pages 3\x00 count=4\n',
    b'\x00\x00\x00\n', b'alloc_pages\x003\n', b'alloc_pa', b'ges 3\n', b'free_pages 0xzz\n',
    b'free_pages 12 13\n', b'tick 1h1\n', b'tick s\n', b'tick 1.5.5s\n',
    b'drain_pages 1\n', b'\xff\xfe\xfd\n', b'alloc_pages 3 count=99999999999999999999999\n',
]


@pytest.mark.parametrize('payload', GARBAGE_EINVAL, ids=lambda p: repr(p)[:40])
def test_garbage_is_einval(mnt, payload):
    write_fails(mnt, payload)
    # and the daemon still works
    h = mnt.ctl('alloc_pages 0').strip()
    mnt.ctl('free_pages %s' % h)


def test_random_bytes_never_crash(mnt):
    rng = random.Random(1234)
    before = mnt.snapshot()
    for i in range(200):
        n = rng.choice([1, 2, 7, 64, 500, 4096, 20000])
        data = bytes(rng.randrange(256) for _ in range(n))
        # a leading blank line would be an empty command: start with a byte
        # that is not a blank
        data = b'\x01' + data
        err, _ = mnt.ctl_raw(data)
        mnt.check_alive()
        assert err == errno.EINVAL, 'random write %d: %s' % (i, err and os.strerror(err))
    after = mnt.snapshot()
    assert [p for p in before if before[p] != after[p]] == []
    bad = [l for l in mnt.log_lines() if not log_line_ok(l)]
    assert not bad, 'sim/log lines with raw control characters: %r' % bad[:5]


def test_random_command_words_never_crash(mnt):
    """Fuzz with well-formed-looking commands: the daemon survives, the
    invariants hold (--debug-vm aborts otherwise), the files agree, and
    freeing everything merges back to the boot-time free lists."""
    rng = random.Random(99)
    mnt.ctl('drain_pages')
    bi0 = parse_buddyinfo(mnt.read('proc/buddyinfo'))
    words = ['alloc_pages', 'alloc_pages', 'free_pages', 'drain_pages', 'tick', 'bogus', '']
    args = ['0', '3', '9', '10', '11', '-1', 'count=2', 'count=0', 'count=50', 'node=0', 'node=1',
            'node=7', 'type=movable', 'type=unmovable', 'type=reclaimable', 'type=x', '0x10', '5ms',
            '1s', 'abc', '=', 'count=100000000']
    live = []
    for _ in range(400):
        cmd = ' '.join([rng.choice(words)] +
                       [rng.choice(args + live[-3:]) for _ in range(rng.randrange(4))])
        err, reply = mnt.ctl_raw(cmd + '\n')
        mnt.check_alive()
        if err == 0 and cmd.startswith('alloc_pages'):
            live.extend(reply.split())
        elif err == 0 and cmd.startswith('free_pages'):
            live.remove(cmd.split()[1])
    st = check_files_agree(mnt)
    assert st != bi0, 'the fuzz allocated nothing'
    if live:
        mnt.ctl(''.join('free_pages %s\n' % h for h in live))
    mnt.ctl('drain_pages')
    assert check_files_agree(mnt) == bi0


def check_files_agree(m):
    """buddyinfo = pagetypeinfo summed over types = zoneinfo = MemFree."""
    bi = parse_buddyinfo(m.read('proc/buddyinfo'))
    pt = PageTypeInfo(m.read('proc/pagetypeinfo'))
    zones, _ = parse_zoneinfo(m.read('proc/zoneinfo'))
    for (n, z), counts in bi.items():
        for o in range(11):
            assert sum(pt.free[(n, z, t)][o] for t in pt.types) == counts[o], (n, z, o)
        zi = next(x for x in zones if x.node == n and x.name == z)
        assert zi['pages free'] == sum(c << o for o, c in enumerate(counts))
    free = sum(c << o for v in bi.values() for o, c in enumerate(v))
    assert free * 4 == m.meminfo()['MemFree']
    return bi


def test_huge_line(mnt):
    """A 1 MiB line arrives in several FUSE writes; it must not be taken."""
    n0 = len(mnt.log_lines())
    before = mnt.snapshot()
    err, _ = mnt.ctl_raw(b'alloc_pages ' + b'9' * (1 << 20) + b'\n')
    mnt.check_alive()
    assert err != 0, 'a 1 MiB line was accepted'
    assert err == errno.EINVAL or err == -1, os.strerror(err)
    assert len(mnt.log_lines()) > n0
    after = mnt.snapshot()
    assert [p for p in before if before[p] != after[p]] == []


def test_write_larger_than_a_fuse_request(mnt):
    """The kernel splits a big write(2) into several FUSE requests (at most
    max_write bytes each): the lines still run whole, in order, and the
    reply has one line per command."""
    n = 2100
    line = 'tick 10ms'.ljust(999) + '\n'          # 1000 bytes: 2.1 MB in all
    up0, _ = uptime(mnt)
    reply = mnt.ctl(line * n)
    assert len(reply.splitlines()) == n, 'a %d-line write gave %d reply lines' % (
        n, len(reply.splitlines()))
    up1, _ = uptime(mnt)
    assert up1 - up0 == n, 'uptime advanced %d centiseconds, expected %d' % (up1 - up0, n)


def test_lines_across_fuse_request_boundaries(mnt):
    """Where the kernel cuts a big write into FUSE requests (at a multiple
    of the page size when the buffer is page-aligned), a line that straddles
    the cut is still one command.  Every line here straddles a page
    boundary inside its 'tick 10ms'."""
    import mmap
    first = 'tick 10ms'.ljust(4091) + '\n'           # 4092 bytes
    rest = 'tick 10ms'.ljust(4095) + '\n'            # 4096 bytes: each starts 4 bytes before a page
    n = 1 + 512                                     # ~2.1 MB
    data = (first + rest * (n - 1)).encode()
    buf = mmap.mmap(-1, len(data))                  # page-aligned
    buf.write(data)
    up0, _ = uptime(mnt)
    fd = os.open(mnt.abs('sim/ctl'), os.O_RDWR)
    try:
        written = 0
        while written < len(data):
            # a request cut inside a line takes the lines before it (a
            # short count): the rest goes again, as cat and echo do
            try:
                k = os.write(fd, memoryview(buf)[written:])
            except OSError as e:
                raise AssertionError('a %d-byte write of %d good lines failed: %s; log: %s' % (
                    len(data), n, os.strerror(e.errno), mnt.log_lines()[-1])) from None
            assert k > 0 and (written + k) % 4096 == 4092, 'a line was cut'
            written += k
        os.lseek(fd, 0, os.SEEK_SET)
        reply = b''
        while True:
            b = os.read(fd, 1 << 20)
            if not b:
                break
            reply += b
    finally:
        os.close(fd)
        buf.close()
    assert len(reply.splitlines()) == n
    up1, _ = uptime(mnt)
    assert up1 - up0 == n


@pytest.mark.parametrize('size', [4096, 8192])
def test_write_of_whole_pages_without_newline(mnt, size):
    """A command written without a trailing newline runs, also when the
    write happens to be a whole number of pages long (nothing is left
    waiting for a continuation that never comes)."""
    up0, _ = uptime(mnt)
    lines = size // 4096
    text = ('tick 10ms'.ljust(4095) + '\n') * (lines - 1) + 'tick 10ms'.ljust(4096)
    assert len(text) == size
    reply = mnt.ctl(text.encode())
    assert len(reply.split()) == lines, 'reply %r' % reply
    assert uptime(mnt)[0] - up0 == lines


def test_huge_write_of_many_lines(mnt):
    """Many valid commands in one big write all run, in order."""
    mnt.ctl('drain_pages')
    free0 = mnt.meminfo()['MemFree']
    cmds = 'alloc_pages 0 type=movable\n' * 5000
    reply = mnt.ctl(cmds)
    assert len(reply.split()) == 5000
    mnt.ctl('drain_pages')
    assert free0 - mnt.meminfo()['MemFree'] == 5000 * 4
    mnt.ctl(''.join('free_pages %s\n' % h for h in reply.split()))
    mnt.ctl('drain_pages')
    assert mnt.meminfo()['MemFree'] == free0


@pytest.mark.parametrize('how', ['never', 'double'])
def test_bad_free(mnt, how):
    if how == 'never':
        h = '0x12345'
    else:
        h = mnt.ctl('alloc_pages 2').strip()
        mnt.ctl('free_pages %s' % h)
    before = mnt.snapshot()
    write_fails(mnt, 'free_pages %s\n' % h, (errno.EINVAL, errno.ENOENT))
    after = mnt.snapshot()
    assert [p for p in before if before[p] != after[p]] == []


def test_free_of_a_tail_page_is_refused(mnt):
    h = mnt.ctl('alloc_pages 3').strip()
    write_fails(mnt, 'free_pages %#x\n' % (int(h, 16) + 1), (errno.EINVAL, errno.ENOENT))
    assert mnt.ctl('free_pages %s' % h) == 'ok\n'


def test_enomem(mnt):
    """More than the machine has: ENOMEM, logged, daemon fine, nothing kept."""
    mnt.ctl('drain_pages')
    free0 = mnt.meminfo()['MemFree']
    n0 = len(mnt.log_lines())
    err, _ = mnt.ctl_raw('alloc_pages 10 count=100000\n')
    mnt.check_alive()
    assert err == errno.ENOMEM, err and os.strerror(err)
    assert len(mnt.log_lines()) > n0
    mnt.ctl('drain_pages')
    assert mnt.meminfo()['MemFree'] == free0


# ---------------------------------------------------------------- the clock

def uptime(m):
    return parse_uptime(m.read('proc/uptime'))


@pytest.mark.parametrize('arg,centis', [('5s', 500), ('250ms', 25), ('1500ms', 150), ('0s', 0),
                                         ('3600s', 360000)])
def test_tick_advances_uptime_exactly(mnt, arg, centis):
    up0, idle0 = uptime(mnt)
    reply = mnt.ctl('tick %s' % arg)
    assert reply.strip(), 'tick gives the new time'
    up1, idle1 = uptime(mnt)
    assert up1 - up0 == centis
    ncpu = len(mnt.cpus())
    assert 0 <= idle1 - idle0 <= ncpu * centis + 1


def test_manual_clock_stands_still(mnt):
    import time
    u0 = mnt.read('proc/uptime')
    s0 = mnt.read('proc/stat')
    time.sleep(1.2)
    assert mnt.read('proc/uptime') == u0
    assert mnt.read('proc/stat') == s0


def test_tick_log_time(mnt):
    mnt.ctl('tick 7s')
    line = write_fails(mnt, 'bogus\n')
    secs = float(re.match(r'^\[ *(\d+\.\d+)\]', line).group(1))
    up, _ = uptime(mnt)
    assert abs(secs * 100 - up) < 1


def test_tick_refused_in_realtime(mount):
    m = mount('--clock=realtime')
    write_fails(m, 'tick 1s\n')
    write_fails(m, 'tick 0s\n')


def test_realtime_clock_moves(mount):
    import time
    m = mount('--clock=realtime')
    u0, _ = parse_uptime(m.read('proc/uptime'))
    time.sleep(1.1)
    u1, _ = parse_uptime(m.read('proc/uptime'))
    assert 90 <= u1 - u0 <= 400


@pytest.mark.parametrize('payload', [b'bogus\x1b[31m red\n', b'\rbogus\n', b'bo\x7fgus\n',
                                     b'alloc_pages \xc3\xa9\n', b'\xff\xfe\n'],
                         ids=['escape', 'cr', 'del', 'utf8', 'invalid-utf8'])
def test_log_escapes_the_refused_text(mnt, payload):
    """The refused command is quoted in sim/log escaped: the log stays one
    printable line per refusal, whatever was written."""
    line = write_fails(mnt, payload)
    assert line.isprintable(), 'raw control characters in sim/log: %r' % line
