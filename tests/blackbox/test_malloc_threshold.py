"""glibc malloc's dynamic mmap threshold, as a simulated process's malloc
and free show it in maps."""


def heap_range(m, pid):
    heap = [l for l in m.read('proc/%d/maps' % pid).splitlines() if l.endswith('[heap]')][0]
    return tuple(int(x, 16) for x in heap.split()[0].split('-'))


def in_heap(m, pid, addr):
    lo, hi = heap_range(m, pid)
    return lo <= addr < hi


def malloc(m, pid, size):
    return int(m.pctl(pid, 'malloc %s' % size), 16)


def test_threshold_rises_after_free_of_mmapped_chunk(mnt):
    pid = int(mnt.ctl('spawn app'))
    a = malloc(mnt, pid, '1M')
    assert not in_heap(mnt, pid, a)          # above the 128 KiB threshold: mmapped
    mnt.pctl(pid, 'free 0x%x' % a)
    # the threshold is now that chunk's size (1 MiB + a page): the same
    # request comes from the heap
    b = malloc(mnt, pid, '1M')
    assert in_heap(mnt, pid, b)
    # a larger one is still mmapped
    c = malloc(mnt, pid, '2M')
    assert not in_heap(mnt, pid, c)
    # a fork's child inherits the thresholds
    child = int(mnt.pctl(pid, 'fork'))
    assert in_heap(mnt, child, malloc(mnt, child, '1M'))


def test_threshold_capped_at_32m(mnt):
    pid = int(mnt.ctl('spawn app'))
    a = malloc(mnt, pid, '64M')
    mnt.pctl(pid, 'free 0x%x' % a)
    # above DEFAULT_MMAP_THRESHOLD_MAX: the threshold stays at 128 KiB
    assert not in_heap(mnt, pid, malloc(mnt, pid, '1M'))
    b = malloc(mnt, pid, '32M')
    mnt.pctl(pid, 'free 0x%x' % b)
    # 32 MiB + a page is above the cap too; 16 MiB is not
    assert not in_heap(mnt, pid, malloc(mnt, pid, '1M'))
    c = malloc(mnt, pid, '16M')
    mnt.pctl(pid, 'free 0x%x' % c)
    assert in_heap(mnt, pid, malloc(mnt, pid, '8M'))


def test_trim_threshold_doubles(mnt):
    pid = int(mnt.ctl('spawn app'))
    a = malloc(mnt, pid, '4M')
    mnt.pctl(pid, 'free 0x%x' % a)            # mmap threshold 4 MiB + 4 KiB, trim twice that
    lo, hi0 = heap_range(mnt, pid)
    b = malloc(mnt, pid, '4M')                 # below the threshold: the heap grows by it
    assert in_heap(mnt, pid, b)
    _, hi1 = heap_range(mnt, pid)
    assert hi1 - hi0 >= 4 << 20
    mnt.pctl(pid, 'free 0x%x' % b)
    # 4 MiB free at the top is below the 8 MiB trim threshold: kept
    assert heap_range(mnt, pid)[1] == hi1
