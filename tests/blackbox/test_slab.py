"""The kernel's own allocators: SLUB caches (proc/slabinfo,
sys/kernel/slab/CACHE/*), kmalloc, named caches, the slab objects of
processes, vmalloc/vrealloc/vfree/kvmalloc (proc/vmallocinfo, VmallocUsed),
the dcache shrinker under drop_caches, slabtop and vmstat -m, and the
refusals of every new command.

Object counts are read after writing 1 to the cache's shrink file: Linux
counts the free objects of per-CPU slabs as active (only those on node
partial lists are free in slabinfo), and shrinking flushes the per-CPU
slabs to the node lists, so that "objects" is then exactly what is
allocated."""
import errno
import os
import re

import pytest

from conftest import parse_kv, ref

KiB, MiB = 1 << 10, 1 << 20
PAGE = 4096
PAGE_OFFSET = 0xffff888000000000
VMALLOC_START = 0xffffc90000000000


def attr(m, cache, name):
    """A sys/kernel/slab/CACHE file's first number."""
    return int(m.read('sys/kernel/slab/%s/%s' % (cache, name)).split()[0])


def shrink(m, cache):
    ok, err = m.write('sys/kernel/slab/%s/shrink' % cache, '1\n')
    assert ok, os.strerror(err)


def counts(m, cache):
    """(objects in use, total objects, slabs) after a shrink."""
    shrink(m, cache)
    return attr(m, cache, 'objects'), attr(m, cache, 'total_objects'), attr(m, cache, 'slabs')


def slabinfo(m):
    """{name: [active, num, objsize, objperslab, pagesperslab, active_slabs, num_slabs]}"""
    out = {}
    lines = m.read('proc/slabinfo').split('\n')
    assert lines[0] == 'slabinfo - version: 2.1'
    for line in lines[2:-1]:
        f = line.split()
        out[f[0]] = [int(x) for x in f[1:6]] + [int(f[13]), int(f[14])]
    return out


def handles(reply):
    return [int(h, 16) for h in reply.split()]


def vmallocinfo(m):
    """{start: (end, size, caller, pages, flags)}"""
    out = {}
    for line in m.read('proc/vmallocinfo').splitlines():
        mo = re.match(r'^0x([0-9a-f]{16})-0x([0-9a-f]{16}) +(\d+) (\S+) pages=(\d+) (.*)$', line)
        assert mo, line
        out[int(mo.group(1), 16)] = (int(mo.group(2), 16), int(mo.group(3)), mo.group(4), int(mo.group(5)),
                                     mo.group(6))
    return out


# ---- files and formats

def test_slabinfo_format_and_mode(mnt):
    st = os.stat(mnt.abs('proc/slabinfo'))
    assert st.st_mode & 0o777 == 0o400
    text = mnt.read('proc/slabinfo')
    lines = text.split('\n')
    assert lines[1] == ('# name            <active_objs> <num_objs> <objsize> <objperslab> <pagesperslab>'
                        ' : tunables <limit> <batchcount> <sharedfactor> : slabdata <active_slabs>'
                        ' <num_slabs> <sharedavail>')
    assert '' not in lines[:-1], 'blank line in slabinfo'
    pat = re.compile(r'^\S+ +\d+ +\d+ +\d+ +\d+ +\d+ : tunables +0 +0 +0 : slabdata +\d+ +\d+ +0$')
    for line in lines[2:-1]:
        assert pat.match(line), line
    # the line of kmalloc-8k, byte for byte as the host prints it
    info = slabinfo(mnt)
    assert re.search(r'^kmalloc-8k +\d+ +\d+ +8192 +4 +8 : tunables    0    0    0 : slabdata ', text, re.M)
    # newest first: kmem_cache is created first and listed last
    assert lines[-2].startswith('kmem_cache ')
    for name in ('task_struct', 'mm_struct', 'vm_area_struct', 'anon_vma', 'anon_vma_chain', 'files_cache',
                 'filp', 'dentry', 'inode_cache', 'radix_tree_node', 'buffer_head', 'sighand_cache',
                 'signal_cache', 'pid', 'vmap_area', 'kmalloc-96', 'kmalloc-192', 'kmalloc-rcl-64',
                 'kmalloc-cg-1k'):
        assert name in info, name
    # fs_cache merges into anon_vma_chain (both 64 bytes, SLAB_ACCOUNT), as on Linux
    assert 'fs_cache' not in info
    assert mnt.read('sys/kernel/slab/fs_cache/slab_size') == '64\n'
    assert attr(mnt, 'anon_vma_chain', 'aliases') >= 1


def ref_slab_attrs():
    """{cache: {attribute: value}} from tests/ref/slab, the pinned
    sys/kernel/slab/CACHE/ATTRIBUTE files of a 6.18 kernel on two CPUs."""
    out = {}
    for line in ref('slab').splitlines():
        path, _, value = line.partition(':')
        cache, attribute = path.split('/')
        out.setdefault(cache, {})[attribute] = int(value)
    return out


def test_cache_layout_matches_the_kernel_on_two_cpus(mount):
    """calculate_order with slub_min_objects = 4 * (fls(2) + 1) = 12: the
    values Linux 6.18 shows for the same caches on two CPUs."""
    m = mount('--cpus=2')
    want = ref_slab_attrs()
    files = ('object_size', 'slab_size', 'objs_per_slab', 'order', 'align', 'min_partial', 'cpu_partial')
    assert {'task_struct', 'mm_struct', 'vm_area_struct', 'kmalloc-8', 'kmalloc-8k'} <= set(want)
    for cache, attrs in want.items():
        assert set(attrs) == set(files), cache
        got = {f: attr(m, cache, f) for f in files}
        assert got == attrs, (cache, got, attrs)


def test_sysfs_counts_agree_with_slabinfo(mnt):
    info = slabinfo(mnt)
    for cache in ('task_struct', 'kmalloc-32', 'dentry', 'vmap_area'):
        active, num, size, per, pages, aslabs, nslabs = info[cache]
        assert attr(mnt, cache, 'objects') == active
        assert attr(mnt, cache, 'total_objects') == num
        assert attr(mnt, cache, 'slabs') == nslabs
        assert attr(mnt, cache, 'slab_size') == size
        assert attr(mnt, cache, 'objs_per_slab') == per
        assert 1 << attr(mnt, cache, 'order') == pages
        assert num == nslabs * per
    text = mnt.read('sys/kernel/slab/task_struct/objects')
    assert re.match(r'^\d+( N\d+=\d+)+\n$', text), text


def test_meminfo_slab_is_the_slab_pages(mnt):
    """Slab = SReclaimable + SUnreclaim, and both are the caches' pages."""
    mi = mnt.meminfo()
    info = slabinfo(mnt)
    recl = sum(v[6] * v[4] for k, v in info.items()
               if mnt.read('sys/kernel/slab/%s/reclaim_account' % k) == '1\n') * 4
    unrecl = sum(v[6] * v[4] for v in info.values()) * 4 - recl
    assert mi['Slab'] == mi['SReclaimable'] + mi['SUnreclaim']
    assert mi['SReclaimable'] == recl
    assert mi['SUnreclaim'] == unrecl
    assert mi['KReclaimable'] >= mi['SReclaimable']
    vm = mnt.vmstat()
    assert vm['nr_slab_reclaimable'] * 4 == mi['SReclaimable']
    assert vm['nr_slab_unreclaimable'] * 4 == mi['SUnreclaim']
    assert vm['nr_kernel_stack'] == mi['KernelStack']
    assert mi['VmallocTotal'] == 34359738367


# ---- kmalloc

def test_kmalloc_256_count_1000_and_kfree(mnt):
    a0, n0, s0 = counts(mnt, 'kmalloc-256')
    mi0 = mnt.meminfo()
    hs = handles(mnt.ctl('kmalloc 256 count=1000'))
    assert len(hs) == 1000 and len(set(hs)) == 1000
    for h in hs:
        assert h >= PAGE_OFFSET and h % 256 == 0
    a1, n1, s1 = counts(mnt, 'kmalloc-256')
    assert a1 == a0 + 1000
    new_slabs = -(-max(0, 1000 - (n0 - a0)) // 16)
    assert s1 - s0 == new_slabs
    assert n1 == s1 * 16
    assert mnt.meminfo()['SUnreclaim'] - mi0['SUnreclaim'] == new_slabs * 4
    info = slabinfo(mnt)['kmalloc-256']
    assert info[0] == a1 and info[6] == s1

    # free them all (one write, many lines): the kernel's rules keep the
    # CPU slab, up to cpu_partial_slabs on the CPU partial list and
    # min_partial empty slabs on the node; the rest go back to the buddy
    # allocator (through the per-cpu lists: drained to see them in MemFree)
    mnt.ctl('drain_pages')
    free0 = mnt.meminfo()['MemFree']
    mnt.ctl(''.join('kfree 0x%x\n' % h for h in hs))
    keep = attr(mnt, 'kmalloc-256', 'min_partial') + -(-2 * attr(mnt, 'kmalloc-256', 'cpu_partial') // 16) + 1
    s2 = attr(mnt, 'kmalloc-256', 'slabs')
    assert s2 - s0 <= keep, (s2, s0, keep)
    mnt.ctl('drain_pages')
    assert mnt.meminfo()['MemFree'] - free0 >= (new_slabs - keep) * 4
    # shrinking frees every empty slab: back where we started
    assert counts(mnt, 'kmalloc-256') == (a0, n0, s0)


def test_kmalloc_large_goes_to_the_page_allocator(mnt):
    mi0 = mnt.meminfo()
    info0 = slabinfo(mnt)
    h = handles(mnt.ctl('kmalloc 100K'))[0]
    assert h >= PAGE_OFFSET and h % (128 * KiB) == 0 or h % PAGE == 0
    # order 5 (128 KiB) counted in SUnreclaim, no cache changes
    assert mnt.meminfo()['SUnreclaim'] - mi0['SUnreclaim'] == 128
    assert slabinfo(mnt) == info0
    mnt.ctl('kfree 0x%x' % h)
    assert mnt.meminfo()['SUnreclaim'] == mi0['SUnreclaim']


def test_kmalloc_sizes_pick_the_kernel_caches(mnt):
    for size, cache in ((1, 'kmalloc-8'), (9, 'kmalloc-16'), (65, 'kmalloc-96'), (97, 'kmalloc-128'),
                        (129, 'kmalloc-192'), (193, 'kmalloc-256'), (4097, 'kmalloc-8k')):
        a0 = counts(mnt, cache)[0]
        h = handles(mnt.ctl('kmalloc %d' % size))[0]
        assert counts(mnt, cache)[0] == a0 + 1, (size, cache)
        mnt.ctl('kfree 0x%x' % h)
        assert counts(mnt, cache)[0] == a0


# ---- named caches

def test_kmem_cache_create_merges_and_destroys(mnt):
    aliases = attr(mnt, 'vmap_area', 'aliases')
    # 72 bytes without flags: merged into vmap_area, as find_mergeable does
    assert mnt.ctl('kmem_cache_create foo 72').strip() == 'ok'
    assert attr(mnt, 'vmap_area', 'aliases') == aliases + 1
    assert attr(mnt, 'foo', 'slab_size') == 72
    assert 'foo' not in slabinfo(mnt)
    assert 'foo' in os.listdir(mnt.abs('sys/kernel/slab'))
    # 300 bytes: a cache of its own, 304-byte objects; 4 CPUs: at least
    # 4 * (fls(4) + 1) = 16 objects a slab, so order 1 with 26 of them
    assert mnt.ctl('kmem_cache_create bar 300').strip() == 'ok'
    info = slabinfo(mnt)['bar']
    assert info[2:5] == [304, 26, 2]
    a0 = counts(mnt, 'vmap_area')[0]
    hs = handles(mnt.ctl('kmem_cache_alloc foo count=10'))
    assert counts(mnt, 'vmap_area')[0] == a0 + 10
    hb = handles(mnt.ctl('kmem_cache_alloc bar count=14'))
    assert counts(mnt, 'bar')[:2] == (14, 26)
    # destroying a cache with live objects: EBUSY, nothing changed
    for name in ('foo', 'bar'):
        n = len(mnt.log_lines())
        before = mnt.read('proc/slabinfo')
        err, _ = mnt.ctl_raw('kmem_cache_destroy %s' % name)
        assert err == errno.EBUSY
        assert len(mnt.log_lines()) == n + 1
        assert mnt.read('proc/slabinfo') == before
    mnt.ctl(''.join('kmem_cache_free 0x%x\n' % h for h in hs + hb))
    assert mnt.ctl('kmem_cache_destroy foo').strip() == 'ok'
    assert mnt.ctl('kmem_cache_destroy bar').strip() == 'ok'
    assert attr(mnt, 'vmap_area', 'aliases') == aliases
    assert 'bar' not in slabinfo(mnt)
    assert not os.path.exists(mnt.abs('sys/kernel/slab/bar'))
    assert counts(mnt, 'vmap_area')[0] == a0


def test_kmem_cache_refusals(mnt):
    mnt.ctl('kmem_cache_create foo 100')
    cases = [('kmem_cache_create foo 100', errno.EEXIST), ('kmem_cache_create dentry 64', errno.EEXIST),
             ('kmem_cache_alloc nosuch', errno.ENOENT), ('kmem_cache_destroy nosuch', errno.ENOENT),
             ('kmem_cache_destroy dentry', errno.EPERM), ('kmem_cache_destroy kmalloc-64', errno.EPERM),
             ('kmem_cache_create big 5M', errno.EINVAL), ('kmem_cache_create zero 0', errno.EINVAL),
             ('kmem_cache_free 0xffff888000001000', errno.EINVAL)]
    for cmd, want in cases:
        before = (mnt.read('proc/slabinfo'), mnt.read('proc/meminfo'))
        n = len(mnt.log_lines())
        err, _ = mnt.ctl_raw(cmd)
        assert err == want, (cmd, err)
        assert len(mnt.log_lines()) == n + 1, cmd
        assert (mnt.read('proc/slabinfo'), mnt.read('proc/meminfo')) == before, cmd


def test_double_free_and_bad_handles_are_refused(mnt):
    h = handles(mnt.ctl('kmalloc 64'))[0]
    c = handles(mnt.ctl('kmem_cache_alloc dentry'))[0]
    v = handles(mnt.ctl('vmalloc 8K'))[0]
    mnt.ctl('kfree 0x%x' % h)
    for cmd in ('kfree 0x%x' % h,             # double free
                'kfree 0x%x' % (h + 8),       # inside an object
                'kfree 0x%x' % c,             # a cache object: kmem_cache_free's
                'kmem_cache_free 0x%x' % h,   # freed, and a kmalloc one
                'vfree 0x%x' % c, 'vfree 0x%x' % (v + PAGE), 'vrealloc 0x%x 1M' % h,
                'kmalloc 5M', 'vmalloc 1T', 'kvmalloc 1T', 'vmalloc 0', 'kmalloc 0'):
        before = (mnt.read('proc/slabinfo'), mnt.read('proc/meminfo'), mnt.read('proc/vmallocinfo'))
        n = len(mnt.log_lines())
        err, _ = mnt.ctl_raw(cmd)
        want = errno.ENOMEM if cmd.split()[1] in ('5M', '1T') else errno.EINVAL
        assert err == want, (cmd, err)
        assert len(mnt.log_lines()) == n + 1, cmd
        after = (mnt.read('proc/slabinfo'), mnt.read('proc/meminfo'), mnt.read('proc/vmallocinfo'))
        assert after == before, cmd
    mnt.ctl('kmem_cache_free 0x%x' % c)
    mnt.ctl('vfree 0x%x' % v)


def test_shrink_file(mnt):
    assert mnt.read('sys/kernel/slab/dentry/shrink') == ''
    assert os.stat(mnt.abs('sys/kernel/slab/dentry/shrink')).st_mode & 0o777 == 0o600
    ok, err = mnt.write('sys/kernel/slab/dentry/shrink', '0\n')
    assert not ok and err == errno.EINVAL
    assert not os.path.exists(mnt.abs('sys/kernel/slab/nosuch'))


# ---- the model's own objects

def nr_vmas(m, pid):
    """VMAs of a process: maps lines but [vsyscall] (a fixed page, no VMA)"""
    return len([l for l in m.read('proc/%d/maps' % pid).splitlines() if not l.endswith('[vsyscall]')])


def test_spawn_fork_exit_fill_and_empty_the_caches(mnt):
    caches = ('task_struct', 'mm_struct', 'vm_area_struct', 'anon_vma', 'anon_vma_chain', 'signal_cache',
              'sighand_cache', 'files_cache', 'filp', 'pid')
    base = {c: counts(mnt, c)[0] for c in caches}
    ks0 = mnt.meminfo()['KernelStack']
    pid = int(mnt.ctl('spawn web'))
    maps = nr_vmas(mnt, pid)
    after = {c: counts(mnt, c)[0] for c in caches}
    for c in ('task_struct', 'mm_struct', 'signal_cache', 'sighand_cache', 'files_cache', 'pid'):
        assert after[c] == base[c] + 1, c
    assert after['filp'] == base['filp'] + 3      # the program, ld.so, libc
    assert after['vm_area_struct'] == base['vm_area_struct'] + maps
    assert after['anon_vma'] > base['anon_vma']
    # a chain per VMA linked to an anon_vma (VMAs split from one share it),
    # and the process's fs_struct: fs_cache is merged into anon_vma_chain
    assert 'fs_cache' not in slabinfo(mnt)
    nvma = after['anon_vma_chain'] - base['anon_vma_chain'] - 1
    assert nvma >= after['anon_vma'] - base['anon_vma'] > 0
    assert mnt.meminfo()['KernelStack'] == ks0 + 16
    # a VMA more: one vm_area_struct more
    mnt.ctl('mmap 1M name=x', rel='proc/%d/ctl' % pid)
    assert counts(mnt, 'vm_area_struct')[0] == after['vm_area_struct'] + 1
    mnt.ctl('munmap x', rel='proc/%d/ctl' % pid)

    child = int(mnt.ctl('fork', rel='proc/%d/ctl' % pid))
    forked = {c: counts(mnt, c)[0] for c in caches}
    for c in ('task_struct', 'mm_struct', 'signal_cache', 'sighand_cache', 'files_cache', 'pid'):
        assert forked[c] == after[c] + 1, c
    assert forked['filp'] == after['filp']        # shared with the parent
    assert forked['vm_area_struct'] == after['vm_area_struct'] + nr_vmas(mnt, child)
    # anon_vma_fork: per VMA with an anon_vma, the child's own anon_vma
    # and two chains (to the parent's anon_vma and to its own)
    assert forked['anon_vma'] == after['anon_vma'] + nvma
    assert forked['anon_vma_chain'] == after['anon_vma_chain'] + 2 * nvma + 1
    assert mnt.meminfo()['KernelStack'] == ks0 + 32

    mnt.ctl('exit', rel='proc/%d/ctl' % child)
    mnt.ctl('exit', rel='proc/%d/ctl' % pid)
    assert {c: counts(mnt, c)[0] for c in caches} == base
    assert mnt.meminfo()['KernelStack'] == ks0


def test_kernel_stacks_are_vmalloc_areas(mnt):
    areas = vmallocinfo(mnt)
    stacks = [a for a in areas.values() if a[2].startswith('kernel_clone+')]
    mi = mnt.meminfo()
    assert len(stacks) * 16 >= mi['KernelStack']
    for end, size, caller, pages, flags in stacks:
        assert size == 20480 and pages == 4 and flags.startswith('vmalloc N')
    assert mi['VmallocUsed'] == sum(a[3] for a in areas.values()) * 4


# ---- vmalloc

def test_vmalloc_vrealloc_vfree(mnt):
    used0 = mnt.meminfo()['VmallocUsed']
    areas0 = vmallocinfo(mnt)
    a = handles(mnt.ctl('vmalloc 1M'))[0]
    assert VMALLOC_START <= a < VMALLOC_START + (32 << 40) and a % PAGE == 0
    v = vmallocinfo(mnt)[a]
    assert v[0] - a == v[1] == MiB + PAGE      # the guard page is part of the area
    assert v[3] == 256 and v[4] == 'vmalloc N0=256'
    assert mnt.meminfo()['VmallocUsed'] == used0 + 1024

    # 4M does not fit the 1M area: a new one, the old one freed; its page
    # array (8 KiB) is vmalloc'ed too ("vpages")
    b = handles(mnt.ctl('vrealloc 0x%x 4M' % a))[0]
    assert b != a
    areas = vmallocinfo(mnt)
    assert a not in areas or areas[a][3] != 256
    assert areas[b][1] == 4 * MiB + PAGE and areas[b][3] == 1024 and 'vpages' in areas[b][4]
    assert mnt.meminfo()['VmallocUsed'] == used0 + 4096 + 8

    # shrinking stays in place and frees the pages past the end
    assert handles(mnt.ctl('vrealloc 0x%x 2M' % b))[0] == b
    assert vmallocinfo(mnt)[b][3] == 512
    assert mnt.meminfo()['VmallocUsed'] == used0 + 2048 + 8
    # growing within the area stays in place too
    assert handles(mnt.ctl('vrealloc 0x%x 3M' % b))[0] == b
    assert vmallocinfo(mnt)[b][3] == 768

    mnt.ctl('vfree 0x%x' % b)
    assert vmallocinfo(mnt) == areas0
    assert mnt.meminfo()['VmallocUsed'] == used0


def test_kvmalloc_tries_kmalloc_first(mnt):
    a0 = counts(mnt, 'kmalloc-128')[0]
    small = handles(mnt.ctl('kvmalloc 100'))[0]
    assert PAGE_OFFSET <= small < VMALLOC_START
    assert counts(mnt, 'kmalloc-128')[0] == a0 + 1
    big = handles(mnt.ctl('kvmalloc 5M'))[0]    # beyond KMALLOC_MAX_SIZE: vmalloc
    assert VMALLOC_START <= big
    assert vmallocinfo(mnt)[big][3] == 1280
    mnt.ctl('kfree 0x%x' % small)
    mnt.ctl('vfree 0x%x' % big)
    assert counts(mnt, 'kmalloc-128')[0] == a0


# ---- shrinkers

def test_drop_caches_2_shrinks_dentries_and_inodes(mnt):
    if not os.path.exists(mnt.abs('proc/sys/vm/drop_caches')):
        pytest.skip('proc/sys/vm/drop_caches comes with the page cache')
    for name in ('a', 'b', 'c', 'd'):
        pid = int(mnt.ctl('spawn prog%s' % name))
        mnt.ctl('exit', rel='proc/%d/ctl' % pid)
    d0, i0 = counts(mnt, 'dentry')[0], counts(mnt, 'inode_cache')[0]
    sr0 = mnt.meminfo()['SReclaimable']
    ok, err = mnt.write('proc/sys/vm/drop_caches', '2\n')
    assert ok, os.strerror(err)
    assert counts(mnt, 'dentry')[0] < d0
    assert counts(mnt, 'inode_cache')[0] < i0
    assert mnt.meminfo()['SReclaimable'] < sr0


# ---- tools

def test_slabtop_and_vmstat_m(mnt, mmsim_ns):
    mnt.ctl('kmalloc 256 count=100')
    info = slabinfo(mnt)
    r = mmsim_ns(mnt, 'slabtop', '-o', '-s', 'c')
    assert r.returncode == 0, r.stderr
    rows = {l.split()[-1]: l.split() for l in r.stdout.splitlines() if re.match(r'^\s*\d+ ', l)}
    assert 'kmalloc-256' in rows, r.stdout
    objs, active = int(rows['kmalloc-256'][0]), int(rows['kmalloc-256'][1])
    assert objs == info['kmalloc-256'][1]
    head = r.stdout.splitlines()[0]
    mo = re.search(r'Active / Total Objects \(% used\)\s*:\s*(\d+) / (\d+)', head)
    assert mo and int(mo.group(1)) == sum(v[0] for v in info.values()) and \
        int(mo.group(2)) == sum(v[1] for v in info.values()), head
    r = mmsim_ns(mnt, 'vmstat', '-m')
    assert r.returncode == 0, r.stderr
    rows = {l.split()[0]: [int(x) for x in l.split()[1:]] for l in r.stdout.splitlines()
            if l.strip() and l.split()[0] != 'Cache'}
    assert rows['kmalloc-256'] == [info['kmalloc-256'][0], info['kmalloc-256'][1], 256, 16]
    assert set(rows) == set(info)


def test_vfs_cache_pressure_sysctl(mnt):
    assert mnt.read('proc/sys/vm/vfs_cache_pressure') == '100\n'
    for v in ('0', '200', '2147483647'):
        ok, err = mnt.write('proc/sys/vm/vfs_cache_pressure', v + '\n')
        assert ok, os.strerror(err)
        assert mnt.read('proc/sys/vm/vfs_cache_pressure') == v + '\n'
