"""Compaction and migration: compact_memory, nodeN/compact, the extfrag
indexes, sim/fragmentation, direct compaction in the allocator, kcompactd's
proactive compaction, and their refusals."""
import errno
import re

import pytest

PAGE = 4096


def order9_blocks(m):
    """Free 2 MiB blocks over all zones: order-9 blocks plus two per order-10."""
    n = 0
    for line in m.read('proc/buddyinfo').splitlines():
        counts = [int(x) for x in line.split()[4:]]
        n += counts[9] + 2 * counts[10]
    return n


def free_to_buddy(m, cmds, pid=None):
    """Run cmds with the per-CPU free lists kept short, so that the pages
    they free reach the buddy allocator rather than stay on the CPU's list
    (whose size follows the low watermark: with THP's min_free_kbytes it
    holds thousands of pages, which compaction's free scanner cannot take)."""
    assert m.write('proc/sys/vm/percpu_pagelist_high_fraction', '100000\n') == (True, 0)
    if pid is None:
        m.ctl(cmds)
    else:
        m.pctl(pid, cmds)
    assert m.write('proc/sys/vm/percpu_pagelist_high_fraction', '0\n') == (True, 0)


def fragment(m, pid, name, size_mb):
    """A process writes NAME (size_mb MiB), then MADV_DONTNEED drops every
    other page: half the region free, in single pages nothing can merge."""
    m.pctl(pid, 'mmap %dM name=%s' % (size_mb, name))
    assert m.pctl(pid, 'write %s' % name).strip() == 'ok'
    pages = size_mb * 256
    free_to_buddy(m, ''.join('madvise %s dontneed off=%d len=4096\n' % (name, i * PAGE)
                             for i in range(0, pages, 2)), pid)


def extfrag(m, name):
    """{(node, zone): [index per order]} of a debugfs extfrag file."""
    out = {}
    for line in m.read('sys/kernel/debug/extfrag/' + name).splitlines():
        hd = re.match(r'Node (\d+), zone\s+(\w+) (.*)$', line)
        assert hd, line
        out[(int(hd.group(1)), hd.group(2))] = [float(x) for x in hd.group(3).split()]
    return out


def test_compact_memory_restores_blocks_and_keeps_the_process(mount):
    m = mount('--machine=small')
    m.ctl('spawn frag pid=1000')
    fragment(m, 1000, 'buf', 8)
    # the kernel's formats: 11 orders per populated zone
    text = m.read('sys/kernel/debug/extfrag/extfrag_index')
    assert re.match(r'^Node 0, zone {6}DMA( (-1| 0)\.\d{3}){11} \n', text), text
    assert re.search(r'^Node 0, zone {4}DMA32( \d\.\d{3}){11} $',
                     m.read('sys/kernel/debug/extfrag/unusable_index'), re.M)
    before = {f: m.read('proc/1000/' + f) for f in ('smaps', 'numa_maps', 'statm')}
    frag0, blocks0, v0 = m.read('sim/fragmentation'), order9_blocks(m), m.vmstat()
    assert m.write('proc/sys/vm/compact_memory', '1\n') == (True, 0)
    v1 = m.vmstat()
    for k in ('compact_migrate_scanned', 'compact_free_scanned', 'compact_isolated', 'pgmigrate_success'):
        assert v1[k] > v0[k], k
    assert v1['pgmigrate_fail'] == v0['pgmigrate_fail']
    # the 4 half-empty blocks became 2 full ones and 2 free ones
    assert v1['pgmigrate_success'] - v0['pgmigrate_success'] >= 256
    assert order9_blocks(m) >= blocks0 + 2
    frag1 = m.read('sim/fragmentation')
    assert frag1.count('m') < frag0.count('m')
    assert frag1 != frag0
    # the process sees the same memory: RSS, NUMA placement, dirty and
    # referenced pages, page for page; --debug-vm checked every pte
    assert {f: m.read('proc/1000/' + f) for f in ('smaps', 'numa_maps', 'statm')} == before
    # and the moved pages are its pages, writable: storing to them faults
    # nothing in (the pages kept are the odd ones)
    minflt = int(m.read('proc/1000/stat').split(')')[1].split()[7])
    m.pctl(1000, ''.join('write buf off=%d len=4096\n' % (i * PAGE) for i in range(1, 8 * 256, 2)))
    assert int(m.read('proc/1000/stat').split(')')[1].split()[7]) == minflt
    assert m.read('proc/1000/statm') == before['statm']
    # nodeN/compact: the same for one node; little left to do now
    assert m.write('sys/devices/system/node/node0/compact', 'x') == (True, 0)
    v2 = m.vmstat()
    assert v2['compact_migrate_scanned'] > v1['compact_migrate_scanned']
    assert v2['pgmigrate_success'] - v1['pgmigrate_success'] < 64


def test_compaction_files_refuse_bad_input(mnt):
    v0 = mnt.vmstat()
    for bad in ('0', '2', '-1', 'abc', ''):
        assert mnt.write('proc/sys/vm/compact_memory', bad + '\n') == (False, errno.EINVAL), bad
    assert "sysctl: compact_memory: invalid value 'abc'" in ' '.join(mnt.log_lines(stamps=False))
    with pytest.raises(PermissionError):
        mnt.read('proc/sys/vm/compact_memory')
    with pytest.raises(PermissionError):
        mnt.read('sys/devices/system/node/node1/compact')
    for knob, default, bad in (('compaction_proactiveness', 20, ('101', '-1', 'x')),
                               ('extfrag_threshold', 500, ('1001', '-1')),
                               ('compact_unevictable_allowed', 1, ('2', '-1'))):
        assert mnt.read('proc/sys/vm/' + knob) == '%d\n' % default
        for b in bad:
            assert mnt.write('proc/sys/vm/' + knob, b + '\n') == (False, errno.EINVAL), (knob, b)
            assert mnt.read('proc/sys/vm/' + knob) == '%d\n' % default
    v1 = mnt.vmstat()
    assert {k: v for k, v in v1.items() if 'compact' in k or 'migrate' in k} == \
        {k: v for k, v in v0.items() if 'compact' in k or 'migrate' in k}
    for knob, good in (('compaction_proactiveness', '100'), ('extfrag_threshold', '0'),
                       ('compact_unevictable_allowed', '0')):
        assert mnt.write('proc/sys/vm/' + knob, good + '\n') == (True, 0)
        assert mnt.read('proc/sys/vm/' + knob) == good + '\n'


def test_mlocked_pages_move_only_when_allowed(mount):
    m = mount('--machine=small')
    m.ctl('spawn frag pid=1000')
    fragment(m, 1000, 'buf', 4)
    assert m.pctl(1000, 'mlock buf').strip() == 'ok'
    assert m.write('proc/sys/vm/compact_unevictable_allowed', '0\n') == (True, 0)
    v0, mi0 = m.vmstat(), m.meminfo()
    m.write('proc/sys/vm/compact_memory', '1\n')
    v1 = m.vmstat()
    assert v1['pgmigrate_success'] == v0['pgmigrate_success']
    assert m.write('proc/sys/vm/compact_unevictable_allowed', '1\n') == (True, 0)
    m.write('proc/sys/vm/compact_memory', '1\n')
    assert m.vmstat()['pgmigrate_success'] > v1['pgmigrate_success']
    # still locked, still unevictable, wherever they are now
    mi1 = m.meminfo()
    assert (mi1['Mlocked'], mi1['Unevictable']) == (mi0['Mlocked'], mi0['Unevictable'])
    assert m.status(1000)['VmLck'] == 4 * 1024


def test_kcompactd_compacts_proactively_on_tick(mount):
    m = mount('--machine=small', '--swap=0')
    # sized against the square-root min_free_kbytes: with THP's floor the
    # allocator refuses or reclaims first, and reclaim frees whole 2 MiB
    # blocks the scenario means to keep fragmented
    m.thp_off()
    m.ctl('spawn frag pid=1000')
    m.pctl(1000, 'mmap 16M name=buf')
    assert m.pctl(1000, 'write buf').strip() == 'ok'
    # the rest of memory taken in 4 MiB blocks by the kernel, so the free
    # memory left is mostly what the process frees
    free = order9_blocks(m)
    m.ctl('alloc_pages 10 count=%d' % (free // 2 - 4))
    free_to_buddy(m, ''.join('madvise buf dontneed off=%d len=4096\n' % (i * PAGE)
                             for i in range(0, 16 * 256, 2)), 1000)
    unusable0 = extfrag(m, 'unusable_index')[(0, 'DMA32')][9]
    assert m.write('proc/sys/vm/compaction_proactiveness', '0\n') == (True, 0)
    v0 = m.vmstat()
    m.ctl('tick 5s')
    v1 = m.vmstat()
    assert v1['compact_daemon_migrate_scanned'] == v0['compact_daemon_migrate_scanned']
    assert v1['pgmigrate_success'] == v0['pgmigrate_success']
    assert m.write('proc/sys/vm/compaction_proactiveness', '100\n') == (True, 0)
    m.ctl('tick 1s')
    v2 = m.vmstat()
    assert v2['compact_daemon_migrate_scanned'] > v1['compact_daemon_migrate_scanned']
    assert v2['pgmigrate_success'] > v1['pgmigrate_success']
    assert extfrag(m, 'unusable_index')[(0, 'DMA32')][9] < unusable0


def trace_records(m, event):
    """The text of each record of one event in the trace buffer."""
    return re.findall(r'^ *\S.*-\d+ +\[\d{3}\] \S{5} +\d+\.\d{6}: %s: (.*)$' % event,
                      m.read('sys/kernel/tracing/trace'), re.M)


def test_compaction_events_tell_what_compact_memory_did(mount):
    m = mount('--machine=small')
    m.ctl('spawn frag pid=1000')
    fragment(m, 1000, 'buf', 8)
    assert m.write('sys/kernel/tracing/events/compaction/enable', '1\n') == (True, 0)
    assert 'compaction:mm_compaction_begin' in m.read('sys/kernel/tracing/set_event').split()
    v0 = m.vmstat()
    assert m.write('proc/sys/vm/compact_memory', '1\n') == (True, 0)
    v1 = m.vmstat()
    zones = [l.split()[3] for l in m.read('proc/buddyinfo').splitlines()]
    begin = trace_records(m, 'mm_compaction_begin')
    end = trace_records(m, 'mm_compaction_end')
    # one begin and one end per populated zone, whole-zone and sync
    assert len(begin) == len(end) == len(zones), (begin, end)
    for b, e in zip(begin, end):
        gb = re.fullmatch(r'zone_start=0x([0-9a-f]+) migrate_pfn=0x([0-9a-f]+) free_pfn=0x([0-9a-f]+) '
                          r'zone_end=0x([0-9a-f]+), mode=sync', b)
        assert gb, b
        assert gb.group(1) == gb.group(2)  # the migrate scanner starts at the zone's start
        assert int(gb.group(1), 16) < int(gb.group(3), 16) < int(gb.group(4), 16)
        assert re.fullmatch(r'zone_start=0x%s migrate_pfn=0x[0-9a-f]+ free_pfn=0x[0-9a-f]+ zone_end=0x%s, '
                            r'mode=sync status=complete' % (gb.group(1), gb.group(4)), e), e
    # what the migrate batches say they moved is what vmstat counted
    moved = [re.fullmatch(r'nr_migrated=(\d+) nr_failed=(\d+)', t) for t in
             trace_records(m, 'mm_compaction_migratepages')]
    assert moved and all(moved)
    assert sum(int(g.group(1)) for g in moved) == v1['pgmigrate_success'] - v0['pgmigrate_success']
    assert sum(int(g.group(2)) for g in moved) == v1['pgmigrate_fail'] - v0['pgmigrate_fail']
    # and the isolation records add up to the scanners' counters
    for ev, key in (('mm_compaction_isolate_migratepages', 'compact_migrate_scanned'),
                    ('mm_compaction_isolate_freepages', 'compact_free_scanned')):
        recs = [re.fullmatch(r'range=\(0x([0-9a-f]+) ~ 0x([0-9a-f]+)\) nr_scanned=(\d+) nr_taken=(\d+)', t)
                for t in trace_records(m, ev)]
        assert recs and all(recs), ev
        assert all(int(g.group(1), 16) <= int(g.group(2), 16) for g in recs)
        assert sum(int(g.group(3)) for g in recs) == v1[key] - v0[key], ev
    fin = trace_records(m, 'mm_compaction_finished')
    assert fin and all(re.fullmatch(r'node=0 zone=\w+ +order=-1 ret=(continue|complete)', t) for t in fin), fin
    fmt = m.read('sys/kernel/tracing/events/compaction/mm_compaction_end/format')
    assert '__print_symbolic(REC->status, {1, "skipped"}' in fmt
    fmt = m.read('sys/kernel/tracing/events/compaction/mm_compaction_try_to_compact_pages/format')
    assert 'print fmt: "order=%d gfp_mask=%s priority=%d", REC->order, (REC->gfp_mask) ? ' \
           '__print_flags(REC->gfp_mask, "|", ' in fmt


def sparse(m, pid, name, size_mb):
    """A process writes NAME (size_mb MiB) and keeps one page of each MiB:
    memory nearly all free, and no free 2 MiB block anywhere."""
    m.pctl(pid, 'mmap %dM name=%s' % (size_mb, name))
    assert m.pctl(pid, 'write %s' % name).strip() == 'ok'
    m.pctl(pid, ''.join('madvise %s dontneed off=%d len=%d\n' % (name, i * 2**20 + PAGE, 2**20 - PAGE)
                        for i in range(size_mb)))
    assert order9_blocks(m) == 0, m.read('proc/buddyinfo')


def test_direct_compaction_makes_a_2mib_block(mount):
    m = mount('--machine=small', '--mem=128M')
    # sized against the square-root min_free_kbytes: with THP's floor the
    # allocator refuses or reclaims first, and reclaim frees whole 2 MiB
    # blocks the scenario means to keep fragmented
    m.thp_off()
    m.ctl('spawn frag pid=1000')
    sparse(m, 1000, 'buf', 96)
    before = {f: m.read('proc/1000/' + f) for f in ('smaps', 'statm')}
    v0 = m.vmstat()
    handle = m.ctl('alloc_pages 9 type=movable').strip()
    assert re.fullmatch(r'0x[0-9a-f]+', handle) and int(handle, 16) % 512 == 0, handle
    v1 = m.vmstat()
    # the allocator stalled once in compaction, which moved a few pages
    # out of one block and succeeded; nothing was reclaimed
    assert v1['compact_stall'] - v0['compact_stall'] == 1
    assert v1['compact_success'] - v0['compact_success'] == 1
    assert v1['compact_fail'] == v0['compact_fail']
    assert 1 <= v1['pgmigrate_success'] - v0['pgmigrate_success'] <= 8
    assert v1['pgsteal_direct'] == v0['pgsteal_direct'] and v1['pswpout'] == v0['pswpout']
    assert {f: m.read('proc/1000/' + f) for f in ('smaps', 'statm')} == before
    assert m.ctl('free_pages ' + handle).strip() == 'ok'


def test_direct_compaction_fails_on_pages_it_may_not_move(mount):
    m = mount('--machine=small', '--mem=128M')
    # sized against the square-root min_free_kbytes: with THP's floor the
    # allocator refuses or reclaims first, and reclaim frees whole 2 MiB
    # blocks the scenario means to keep fragmented
    m.thp_off()
    m.ctl('spawn frag pid=1000')
    sparse(m, 1000, 'buf', 96)
    # the page kept in each MiB locked, and locked pages not to be moved
    m.pctl(1000, ''.join('mlock buf off=%d len=%d\n' % (i * 2**20, PAGE) for i in range(96)))
    assert m.status(1000)['VmLck'] == 96 * 4
    assert m.write('proc/sys/vm/compact_unevictable_allowed', '0\n') == (True, 0)
    v0 = m.vmstat()
    ok, err = m.write('sim/ctl', 'alloc_pages 9 type=movable\n')
    assert (ok, err) == (False, errno.ENOMEM)
    v1 = m.vmstat()
    assert v1['compact_stall'] > v0['compact_stall']
    assert v1['compact_fail'] - v0['compact_fail'] == v1['compact_stall'] - v0['compact_stall']
    assert v1['compact_success'] == v0['compact_success']
    assert v1['pgmigrate_success'] == v0['pgmigrate_success']
    assert any('page allocation failure: order:9' in l for l in m.log_lines())
    assert order9_blocks(m) == 0
    # allowed to move them, the next request still fails: the failed
    # compaction marked the blocks to skip.  The failure woke kswapd; in
    # a second of simulated time it gives up on order 9, goes to sleep,
    # clears the skip marks and wakes kcompactd, which compacts the zone
    assert m.write('proc/sys/vm/compact_unevictable_allowed', '1\n') == (True, 0)
    assert m.write('sim/ctl', 'alloc_pages 9 type=movable\n') == (False, errno.ENOMEM)
    v2 = m.vmstat()
    m.ctl('tick 1s')
    v3 = m.vmstat()
    assert v3['compact_daemon_migrate_scanned'] > v2['compact_daemon_migrate_scanned']
    assert v3['pgmigrate_success'] - v2['pgmigrate_success'] >= 48
    assert order9_blocks(m) >= 24
    assert re.fullmatch(r'0x[0-9a-f]+', m.ctl('alloc_pages 9 type=movable').strip())
    assert m.vmstat()['compact_stall'] == v3['compact_stall']
    assert m.status(1000)['VmLck'] == 96 * 4
