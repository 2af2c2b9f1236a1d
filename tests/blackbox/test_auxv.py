"""proc/PID/auxv: the auxiliary vector as 64-bit (type, value) pairs in
create_elf_tables' order, consistent with the process's maps and status."""
import struct

AT_ORDER = [33, 51, 16, 6, 17, 3, 4, 5, 7, 8, 9, 11, 12, 13, 14, 23, 25, 26, 31, 15, 27, 28, 0]


def auxv(m, pid):
    data = m.read_bytes('proc/%d/auxv' % pid)
    assert len(data) % 16 == 0
    return list(struct.iter_unpack('<QQ', data))


def first_mapping(maps, pred):
    for line in maps.splitlines():
        f = line.split()
        if len(f) >= 6 and pred(f[5]):
            return f
    return None


def test_auxv_matches_the_address_space(mnt):
    mnt.ctl('spawn web pid=1000')
    pairs = auxv(mnt, 1000)
    assert [t for t, _ in pairs] == AT_ORDER
    a = dict(pairs)
    assert pairs[-1] == (0, 0)
    maps = mnt.read('proc/1000/maps')
    vdso = first_mapping(maps, lambda n: n == '[vdso]')
    assert a[33] == int(vdso[0].split('-')[0], 16)
    ld = first_mapping(maps, lambda n: n.endswith('/ld-linux-x86-64.so.2'))
    assert a[7] == int(ld[0].split('-')[0], 16)
    prog = first_mapping(maps, lambda n: n == '/usr/bin/web')
    assert a[3] == int(prog[0].split('-')[0], 16) + 64
    # the entry point is in the program's executable mapping
    text = [l.split() for l in maps.splitlines() if l.endswith('/usr/bin/web') and ' r-xp ' in l][0]
    lo, hi = (int(x, 16) for x in text[0].split('-'))
    assert lo <= a[9] < hi
    assert (a[6], a[17], a[4], a[23]) == (4096, 100, 56, 0)
    uid = int(mnt.status_text(1000)['Uid'].split()[0])
    assert a[11] == a[12] == uid
    # AT_RANDOM, AT_PLATFORM and AT_EXECFN point into the stack
    stack = first_mapping(maps, lambda n: n == '[stack]')
    lo, hi = (int(x, 16) for x in stack[0].split('-'))
    assert all(lo <= a[k] < hi for k in (25, 15, 31))
    # a child has its parent's vector
    mnt.pctl(1000, 'fork pid=1001')
    assert auxv(mnt, 1001) == pairs


def test_auxv_of_a_kernel_thread_is_empty(mnt):
    kthread = [p for p in mnt.pids() if mnt.read_bytes('proc/%d/cmdline' % p) == b''][0]
    assert mnt.read_bytes('proc/%d/auxv' % kthread) == b''
