"""proc/PID/pagemap, proc/kpageflags, proc/kpagecount and
proc/PID/clear_refs: binary files read at any offset, 8 bytes per entry,
that agree with smaps for every page of a process."""
import errno
import os
import re
import struct

import pytest

from conftest import parse_kv

MiB = 1 << 20
PAGE = 4096
PFN_MASK = (1 << 55) - 1
PM_SOFT_DIRTY, PM_EXCLUSIVE, PM_FILE, PM_SWAP, PM_PRESENT = 1 << 55, 1 << 56, 1 << 61, 1 << 62, 1 << 63
KPF = {'LOCKED': 0, 'REFERENCED': 2, 'UPTODATE': 3, 'DIRTY': 4, 'LRU': 5, 'ACTIVE': 6, 'SLAB': 7,
       'BUDDY': 10, 'MMAP': 11, 'ANON': 12, 'SWAPCACHE': 13, 'SWAPBACKED': 14, 'COMPOUND_HEAD': 15,
       'COMPOUND_TAIL': 16, 'NOPAGE': 20, 'ZERO_PAGE': 24, 'RESERVED': 32}
TASK_SIZE = 0x7ffffffff000


def kpf(*names):
    return sum(1 << KPF[n] for n in names)


def pread_entries(m, rel, index, count):
    """count u64 entries of a binary file from entry index."""
    fd = os.open(m.abs(rel), os.O_RDONLY)
    try:
        data = os.pread(fd, count * 8, index * 8)
    finally:
        os.close(fd)
    return list(struct.unpack('<%dQ' % (len(data) // 8), data))


def smaps_vmas(m, pid):
    """[(start, end, name, {key: kB}, vmflags)] of proc/PID/smaps."""
    out = []
    for line in m.read('proc/%d/smaps' % pid).splitlines():
        head = re.match(r'^([0-9a-f]+)-([0-9a-f]+) \S+ \S+ \S+ \S+\s*(.*)$', line)
        if head:
            out.append((int(head.group(1), 16), int(head.group(2), 16), head.group(3), {}, []))
        elif line.startswith('VmFlags:'):
            out[-1][4].extend(line.split()[1:])
        else:
            kv = re.match(r'^(\w+):\s+(\d+) kB$', line)
            if kv:
                out[-1][3][kv.group(1)] = int(kv.group(2))
    return out


def vma_pages(m, pid, start, end):
    return pread_entries(m, 'proc/%d/pagemap' % pid, start // PAGE, (end - start) // PAGE)


def check_against_smaps(m, pid):
    """Every VMA below the vsyscall page: pagemap's present pages (less the
    zero page) are smaps' Rss, its swapped ones Swap, exclusive ones the
    pages kpagecount says are mapped once; kpageflags knows each page."""
    checked = 0
    for start, end, name, kb, _flags in smaps_vmas(m, pid):
        if start >= TASK_SIZE:
            continue
        entries = vma_pages(m, pid, start, end)
        assert len(entries) == (end - start) // PAGE
        present = [e for e in entries if e & PM_PRESENT]
        pfns = [e & PFN_MASK for e in present]
        flags = {}
        counts = {}
        for pfn in set(pfns):
            flags[pfn] = pread_entries(m, 'proc/kpageflags', pfn, 1)[0]
            counts[pfn] = pread_entries(m, 'proc/kpagecount', pfn, 1)[0]
        real = [p for p in pfns if not flags[p] & kpf('ZERO_PAGE')]
        assert len(real) * 4 == kb['Rss'], (name, hex(start))
        swapped = [e for e in entries if e & PM_SWAP]
        assert len(swapped) * 4 == kb['Swap'], (name, hex(start))
        assert not any(e & PM_PRESENT and e & PM_SWAP for e in entries)
        for e in present:
            pfn = e & PFN_MASK
            f = flags[pfn]
            assert not f & kpf('NOPAGE', 'BUDDY'), (name, hex(pfn), hex(f))
            if f & kpf('ZERO_PAGE'):
                assert not e & (PM_EXCLUSIVE | PM_FILE)
                continue
            assert f & kpf('MMAP', 'UPTODATE') == kpf('MMAP', 'UPTODATE'), (name, hex(f))
            assert bool(e & PM_EXCLUSIVE) == (counts[pfn] == 1), (name, hex(pfn), counts[pfn])
            assert bool(e & PM_FILE) == (not f & kpf('ANON')), (name, hex(f))
        checked += len(entries)
    return checked


def test_pagemap_agrees_with_smaps(mnt):
    mnt.ctl('spawn web pid=1000')
    mnt.pctl(1000, 'mmap 64M name=heap')
    mnt.pctl(1000, 'write heap len=16M')
    mnt.pctl(1000, 'read heap off=32M len=4M')     # the zero page
    mnt.ctl('file /data/f 8M')
    mnt.pctl(1000, 'mmap 8M file=/data/f name=map')
    mnt.pctl(1000, 'read map len=2M')
    mnt.pctl(1000, 'mmap 4M shared name=shm')
    mnt.pctl(1000, 'write shm len=1M')
    assert check_against_smaps(mnt, 1000) > 16 * MiB // PAGE
    # the anonymous pages: present, exclusive, anon, on an LRU list
    heap = [v for v in smaps_vmas(mnt, 1000) if v[2] == '[anon:heap]'][0]
    e = vma_pages(mnt, 1000, heap[0], heap[0] + PAGE)[0]
    assert e & (PM_PRESENT | PM_EXCLUSIVE) == PM_PRESENT | PM_EXCLUSIVE and not e & PM_FILE
    f = pread_entries(mnt, 'proc/kpageflags', e & PFN_MASK, 1)[0]
    assert f & kpf('ANON', 'SWAPBACKED', 'LRU', 'MMAP') == kpf('ANON', 'SWAPBACKED', 'LRU', 'MMAP'), hex(f)
    # the file's pages: file, mapped once, not anon
    fmap = [v for v in smaps_vmas(mnt, 1000) if v[2] == '/data/f'][0]
    e = vma_pages(mnt, 1000, fmap[0], fmap[0] + PAGE)[0]
    assert e & (PM_PRESENT | PM_FILE) == PM_PRESENT | PM_FILE
    assert not pread_entries(mnt, 'proc/kpageflags', e & PFN_MASK, 1)[0] & kpf('ANON')
    # shared anonymous memory is a shmem file: PM_FILE, swap-backed
    shm = [v for v in smaps_vmas(mnt, 1000) if 'heap' not in v[2] and v[3]['Rss'] == 1024]
    assert shm
    e = vma_pages(mnt, 1000, shm[0][0], shm[0][0] + PAGE)[0]
    assert e & PM_FILE
    assert pread_entries(mnt, 'proc/kpageflags', e & PFN_MASK, 1)[0] & kpf('SWAPBACKED')


def test_pagemap_fork_and_swap(mnt):
    """After fork the pages are mapped twice (not exclusive, kpagecount 2);
    paged out they are swap entries with the device's type and offset."""
    mnt.ctl('spawn web pid=1000')
    mnt.pctl(1000, 'mmap 8M name=heap')
    mnt.pctl(1000, 'write heap')
    mnt.pctl(1000, 'fork pid=1001')
    heap = [v for v in smaps_vmas(mnt, 1000) if v[2] == '[anon:heap]'][0]
    parent = vma_pages(mnt, 1000, heap[0], heap[1])
    child = vma_pages(mnt, 1001, heap[0], heap[1])
    assert [e & PFN_MASK for e in parent] == [e & PFN_MASK for e in child]
    assert all(e & PM_PRESENT and not e & PM_EXCLUSIVE for e in parent)
    assert pread_entries(mnt, 'proc/kpagecount', parent[0] & PFN_MASK, 1) == [2]
    mnt.pctl(1001, 'exit')
    mnt.pctl(1000, 'madvise heap pageout')
    entries = vma_pages(mnt, 1000, heap[0], heap[1])
    swapped = [e for e in entries if e & PM_SWAP]
    assert swapped and len(swapped) * 4 == [v for v in smaps_vmas(mnt, 1000) if v[2] == '[anon:heap]'][0][3]['Swap']
    # type in bits 0-4 (the first device: 0), offsets distinct and in the device
    assert {e & 0x1f for e in swapped} == {0}
    offsets = [(e & PFN_MASK) >> 5 for e in swapped]
    assert len(set(offsets)) == len(offsets) and min(offsets) >= 1
    check_against_smaps(mnt, 1000)


def test_reads_at_offsets(mnt):
    """pread at any multiple of 8; EINVAL otherwise; short at the end."""
    mnt.ctl('spawn web pid=1000')
    rel = 'proc/1000/pagemap'
    fd = os.open(mnt.abs(rel), os.O_RDONLY)
    try:
        for off, size in ((4, 8), (0, 12), (8, 3)):
            with pytest.raises(OSError) as e:
                os.pread(fd, size, off)
            assert e.value.errno == errno.EINVAL, (off, size)
        last = TASK_SIZE // PAGE * 8
        assert len(os.pread(fd, 64, last - 16)) == 16
        assert os.pread(fd, 64, last) == b''
        assert os.pread(fd, 64, 1 << 62) == b''
        # one big read equals small reads at increasing offsets
        start = [v for v in smaps_vmas(mnt, 1000) if v[2] == '[stack]'][0][0] // PAGE * 8
        whole = os.pread(fd, 65536, start)
        parts = b''.join(os.pread(fd, 800, start + i) for i in range(0, 65536, 800))
        assert len(whole) == 65536 and parts[:65536] == whole
    finally:
        os.close(fd)
    fd = os.open(mnt.abs('proc/kpageflags'), os.O_RDONLY)
    try:
        with pytest.raises(OSError) as e:
            os.pread(fd, 8, 3)
        assert e.value.errno == errno.EINVAL
        # 8 GiB and the PCI hole: the last section ends at 9 GiB
        end = (9 << 30) // PAGE * 8
        assert len(os.pread(fd, 64, end - 8)) == 8
        assert os.pread(fd, 8, end) == b''
    finally:
        os.close(fd)


def test_kpageflags_of_the_machine(mnt):
    """Holes are NOPAGE, the firmware page reserved, free memory BUDDY
    with mapcount 0, and the flags agree with meminfo's MemFree."""
    hole = pread_entries(mnt, 'proc/kpageflags', (3 << 30) // PAGE, 4)   # the PCI hole
    assert hole == [kpf('NOPAGE')] * 4
    assert pread_entries(mnt, 'proc/kpageflags', 0, 1)[0] & kpf('RESERVED')
    # sections no allocation has touched yet: every page free
    flags = pread_entries(mnt, 'proc/kpageflags', 0, (9 << 30) // PAGE)
    sections = [set(flags[i:i + 32768]) for i in range(0, len(flags), 32768)]
    assert sections[24] == {kpf('NOPAGE')}                        # 3 GiB: the PCI hole
    assert sum(1 for s in sections if s == {kpf('BUDDY')}) >= 16
    assert set(pread_entries(mnt, 'proc/kpagecount', 0, 1 << 20)) <= {0, 1}


def test_kpageflags_counts_free_pages(mount):
    """On the small machine every page is read: the BUDDY pages are
    MemFree (NR_FREE_PAGES: the per-cpu lists' pages are neither)."""
    m = mount('--machine=small')
    flags = pread_entries(m, 'proc/kpageflags', 0, 1 << 19)
    assert len(flags) == 1 << 18                   # 1 GiB: 8 sections
    buddy = sum(1 for f in flags if f & kpf('BUDDY'))
    assert buddy * 4 == parse_kv(m.read('proc/meminfo'))['MemFree']
    assert not any(f & kpf('BUDDY') and f & kpf('MMAP', 'LRU', 'SLAB', 'ANON') for f in flags)


def test_clear_refs_referenced(mnt):
    mnt.ctl('spawn web pid=1000')
    mnt.pctl(1000, 'mmap 16M name=heap')
    mnt.pctl(1000, 'write heap len=8M')

    def referenced():
        return [v for v in smaps_vmas(mnt, 1000) if v[2] == '[anon:heap]'][0][3]['Referenced']
    assert referenced() == 8192
    assert mnt.write('proc/1000/clear_refs', '3\n') == (True, 0)   # file VMAs only
    assert referenced() == 8192
    assert mnt.write('proc/1000/clear_refs', '2\n') == (True, 0)   # anon VMAs
    assert referenced() == 0
    mnt.pctl(1000, 'read heap len=2M')
    assert referenced() == 2048
    assert mnt.write('proc/1000/clear_refs', '1') == (True, 0)
    assert all(v[3]['Referenced'] == 0 for v in smaps_vmas(mnt, 1000))


def test_clear_refs_soft_dirty(mnt):
    mnt.ctl('spawn web pid=1000')
    mnt.pctl(1000, 'mmap 16M name=heap')
    mnt.pctl(1000, 'write heap len=8M')
    heap = [v for v in smaps_vmas(mnt, 1000) if v[2] == '[anon:heap]'][0]
    assert 'sd' in heap[4]
    assert all(e & PM_SOFT_DIRTY for e in vma_pages(mnt, 1000, heap[0], heap[1]))
    assert mnt.write('proc/1000/clear_refs', '4\n') == (True, 0)
    assert all('sd' not in v[4] for v in smaps_vmas(mnt, 1000))
    entries = vma_pages(mnt, 1000, heap[0], heap[1])
    assert not any(e & PM_SOFT_DIRTY for e in entries)
    assert sum(1 for e in entries if e & PM_PRESENT) == 2048   # still there
    faults = mnt.vmstat()['pgfault']
    mnt.pctl(1000, 'write heap off=1M len=1M')     # write-protected: faults
    assert mnt.vmstat()['pgfault'] - faults == 256
    mnt.pctl(1000, 'read heap off=4M len=1M')      # reads do not dirty
    entries = vma_pages(mnt, 1000, heap[0], heap[1])
    dirty = [i for i, e in enumerate(entries) if e & PM_SOFT_DIRTY]
    assert dirty == list(range(256, 512))
    # a new mapping is soft-dirty as a whole, faulted in or not
    mnt.pctl(1000, 'mmap 1M name=new')
    new = [v for v in smaps_vmas(mnt, 1000) if v[2] == '[anon:new]'][0]
    assert 'sd' in new[4]
    assert all(e == PM_SOFT_DIRTY for e in vma_pages(mnt, 1000, new[0], new[1]))


def test_clear_refs_soft_dirty_survives_swap(mnt):
    mnt.ctl('spawn web pid=1000')
    mnt.pctl(1000, 'mmap 4M name=heap')
    mnt.pctl(1000, 'write heap')
    assert mnt.write('proc/1000/clear_refs', '4') == (True, 0)
    mnt.pctl(1000, 'write heap len=1M')
    mnt.pctl(1000, 'madvise heap pageout')
    heap = [v for v in smaps_vmas(mnt, 1000) if v[2] == '[anon:heap]'][0]
    entries = vma_pages(mnt, 1000, heap[0], heap[1])
    assert all(e & PM_SWAP for e in entries)
    assert [bool(e & PM_SOFT_DIRTY) for e in entries] == [True] * 256 + [False] * 768
    mnt.pctl(1000, 'read heap')                    # swap-in keeps the bit
    entries = vma_pages(mnt, 1000, heap[0], heap[1])
    assert all(e & PM_PRESENT for e in entries)
    assert [bool(e & PM_SOFT_DIRTY) for e in entries] == [True] * 256 + [False] * 768


def test_clear_refs_hiwater_and_bad_input(mnt):
    mnt.ctl('spawn web pid=1000')
    mnt.pctl(1000, 'mmap 16M name=heap')
    mnt.pctl(1000, 'write heap')
    mnt.pctl(1000, 'madvise heap dontneed')
    st = mnt.status(1000)
    assert st['VmHWM'] > st['VmRSS']
    assert mnt.write('proc/1000/clear_refs', '5\n') == (True, 0)
    st = mnt.status(1000)
    assert st['VmHWM'] == st['VmRSS']
    before = mnt.read('proc/1000/smaps')
    for bad in ('0', '6', '-1', 'x', '4x', ''):
        ok, err = mnt.write('proc/1000/clear_refs', bad + '\n')
        assert not ok and err == errno.EINVAL, bad
    assert mnt.read('proc/1000/smaps') == before
    assert any('clear_refs: write refused' in line for line in mnt.log_lines(stamps=False))
    with pytest.raises(PermissionError):
        mnt.read_bytes('proc/1000/clear_refs')


def test_kernel_thread_pagemap_is_empty(mnt):
    kthread = [p for p in mnt.pids() if mnt.read_bytes('proc/%d/cmdline' % p) == b''][0]
    assert pread_entries(mnt, 'proc/%d/pagemap' % kthread, 0, 4) == []
