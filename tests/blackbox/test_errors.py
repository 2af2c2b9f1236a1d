"""A malformed value written to any writable file fails with EINVAL,
changes nothing (every file of the tree reads the same before and after),
and leaves one line in sim/log."""
import errno
import os
import stat

import pytest

from conftest import parse_layout

# For every tunable: values Linux's proc_dointvec_minmax (and the knob's own
# handler) refuses with EINVAL.  Ranges are the ones fs-layout documents.
NOT_A_NUMBER = ['abc\n', '12abc\n', '\n', '1.5\n', '- 1\n', '2147483648\n',
                '99999999999999999999999\n', '\x00\n', '1\x00\n', 'x1\n', '+1\n']
# unsigned long knobs take 2147483648
NOT_A_ULONG = [v for v in NOT_A_NUMBER if v != '2147483648\n']
# sysfs stores that parse with kstrtoul(buf, 10) (one trailing newline)
BAD_KSTRTOUL = ['abc\n', '12abc\n', '\n', '1.5\n', '-1\n', ' 12\n', '0x10\n', '\x00\n', 'x1\n', '+\n',
                '12\n\n', 'a' * 40 + '\n', '1' + 'x' * 40 + '\n', '+' + ' ' * 40 + '\n']
MALFORMED = {
    'proc/sys/vm/min_free_kbytes': NOT_A_NUMBER + ['-1\n'],
    'proc/sys/vm/watermark_scale_factor': NOT_A_NUMBER + ['0\n', '3001\n', '-5\n'],
    'proc/sys/vm/watermark_boost_factor': NOT_A_NUMBER + ['-1\n'],
    'proc/sys/vm/lowmem_reserve_ratio': ['abc\n', '\n', '1.5 2 3 4 5\n', 'x 256 32 0 0\n',
                                         '2147483648 1 1 1 1\n', '\x00\n', '-\n'],
    'proc/sys/vm/percpu_pagelist_high_fraction': NOT_A_NUMBER + ['1\n', '7\n', '-1\n'],
    'proc/sys/vm/stat_interval': NOT_A_NUMBER + ['0\n', '-1\n'],
    'proc/sys/vm/overcommit_memory': NOT_A_NUMBER + ['3\n', '-1\n'],
    'proc/sys/vm/overcommit_ratio': NOT_A_NUMBER + ['-1\n'],
    'proc/sys/vm/overcommit_kbytes': NOT_A_NUMBER + ['-1\n'],
    'proc/sys/vm/max_map_count': NOT_A_NUMBER + ['-1\n'],
    'proc/sys/vm/admin_reserve_kbytes': NOT_A_NUMBER + ['-1\n'],
    # compaction: compact_memory takes 1 only; the others their ranges
    'proc/sys/vm/compact_memory': NOT_A_NUMBER + ['0\n', '2\n'],
    'proc/sys/vm/compaction_proactiveness': NOT_A_NUMBER + ['-1\n', '101\n'],
    'proc/sys/vm/extfrag_threshold': NOT_A_NUMBER + ['-1\n', '1001\n'],
    'proc/sys/vm/compact_unevictable_allowed': NOT_A_NUMBER + ['-1\n', '2\n'],
    # node reclaim and NUMA balancing
    'proc/sys/vm/zone_reclaim_mode': NOT_A_NUMBER + ['-1\n'],
    'proc/sys/vm/min_unmapped_ratio': NOT_A_NUMBER + ['-1\n', '101\n'],
    'proc/sys/vm/min_slab_ratio': NOT_A_NUMBER + ['-1\n', '101\n'],
    'proc/sys/kernel/numa_balancing': NOT_A_NUMBER + ['-1\n', '5\n'],
    'proc/sys/kernel/numa_balancing_promote_rate_limit_MBps': NOT_A_NUMBER + ['-1\n'],
    'sys/kernel/debug/sched/numa_balancing/scan_size_mb': ['abc\n', '\n', '-1\n', '12\n\n', '0x\n', ' 5\n'],
    'sys/kernel/debug/sched/numa_balancing/scan_delay_ms': ['abc\n', '\n', '-1\n', '1.5\n'],
    'sys/kernel/debug/sched/numa_balancing/scan_period_min_ms': ['abc\n', '\n', '-1\n'],
    'sys/kernel/debug/sched/numa_balancing/scan_period_max_ms': ['abc\n', '\n', '-1\n'],
    'sys/kernel/debug/sched/numa_balancing/hot_threshold_ms': ['abc\n', '\n', '-1\n'],
    'proc/sys/vm/user_reserve_kbytes': NOT_A_NUMBER + ['-1\n'],
    'proc/sys/vm/dirty_ratio': NOT_A_NUMBER + ['-1\n', '101\n'],
    'proc/sys/vm/dirty_background_ratio': NOT_A_NUMBER + ['-1\n', '101\n'],
    # proc_doulongvec_minmax: no sign, at least extra1 (2 pages / 1 byte)
    'proc/sys/vm/dirty_bytes': NOT_A_ULONG + ['-1\n', '0\n', '8191\n'],
    'proc/sys/vm/dirty_background_bytes': NOT_A_ULONG + ['-1\n', '0\n'],
    'proc/sys/vm/dirty_writeback_centisecs': NOT_A_NUMBER + ['-1\n'],
    'proc/sys/vm/dirty_expire_centisecs': NOT_A_NUMBER + ['-1\n'],
    'proc/sys/vm/dirtytime_expire_seconds': NOT_A_NUMBER + ['-1\n'],
    'proc/sys/vm/drop_caches': NOT_A_NUMBER + ['0\n', '5\n', '-1\n'],
    # kstrtoul(buf, 10): no blanks, no sign but '+', no other base
    'sys/class/bdi/8:0/read_ahead_kb': BAD_KSTRTOUL,
    'sys/block/sda/queue/read_ahead_kb': BAD_KSTRTOUL + ['4294967296\n'],
    'sys/class/bdi/8:0/min_ratio': BAD_KSTRTOUL + ['100\n', '101\n'],
    'sys/class/bdi/8:0/max_ratio': BAD_KSTRTOUL + ['101\n'],
    'sys/class/bdi/8:0/min_bytes': BAD_KSTRTOUL + ['1125899906842624\n'],
    'sys/class/bdi/8:0/max_bytes': BAD_KSTRTOUL + ['1125899906842624\n'],
    'proc/sys/vm/panic_on_oom': NOT_A_NUMBER + ['3\n', '-1\n'],
    'proc/sys/vm/oom_kill_allocating_task': NOT_A_NUMBER,
    'proc/sys/vm/oom_dump_tasks': NOT_A_NUMBER,
    'proc/sys/vm/swappiness': NOT_A_NUMBER + ['201\n', '-1\n'],
    'proc/sys/vm/page-cluster': NOT_A_NUMBER + ['32\n', '-1\n'],
    'proc/sys/vm/vfs_cache_pressure': NOT_A_NUMBER + ['-1\n'],
    'sim/ctl': ['bogus\n', 'alloc_pages\n', 'alloc_pages abc\n', 'alloc_pages 11\n',
                'alloc_pages -1\n', 'alloc_pages 3 count=abc\n', 'alloc_pages 3 count=0\n',
                'alloc_pages 3 type=weird\n', 'alloc_pages 3 node=99\n', 'alloc_pages 3 node=-1\n',
                'alloc_pages 3 bogus=1\n', 'free_pages\n', 'free_pages zzz\n', 'tick\n',
                'tick abc\n', 'tick -1s\n', 'tick 5x\n', 'tick 2592001s\n', 'drain_pages now\n',
                'file\n', 'file /f\n', 'file f 1M\n', 'file /f -1\n', 'file /f 1Q\n', 'file /f 1M x=1\n',
                'file /a/../f 1M\n', 'file /a//f 1M\n', 'rmfile\n', 'rmfile f\n', 'rmfile /a /b\n',
                'swapon\n', 'swapon /swapfile\n', 'swapon swapfile 1G\n', 'swapon /swapfile abc\n',
                'swapon /swapfile 0\n', 'swapon /swapfile 36K\n', 'swapon /swapfile 2T\n',
                'swapon /swapfile 1G prio=-1\n', 'swapon /swapfile 1G prio=32768\n',
                'swapon /swapfile 1G prio=abc\n', 'swapon /swapfile 1G bogus=1\n',
                'swapoff\n', 'swapoff /nonexistent\n', 'swapoff relative\n',
                'swapoff /dev/sda5 extra\n',
                # the kernel allocators (ctl_slab.c)
                'kmalloc\n', 'kmalloc 0\n', 'kmalloc abc\n', 'kmalloc 64 count=0\n', 'kmalloc 64 count=x\n',
                'kmalloc 64 count=1048577\n', 'kmalloc 64 bogus=1\n', 'kfree\n', 'kfree zzz\n',
                'kfree 0x1234\n', 'kfree 0xffff888000001000\n', 'kmem_cache_create\n',
                'kmem_cache_create foo\n', 'kmem_cache_create foo 0\n', 'kmem_cache_create foo abc\n',
                'kmem_cache_create fo/o 64\n', 'kmem_cache_create foo 5M\n', 'kmem_cache_create foo 64 x=1\n',
                'kmem_cache_alloc\n', 'kmem_cache_alloc dentry count=0\n', 'kmem_cache_free\n',
                'kmem_cache_free 0x10\n', 'kmem_cache_destroy\n', 'vmalloc\n', 'vmalloc 0\n',
                'vmalloc abc\n', 'vrealloc\n', 'vrealloc 0x10 4M\n', 'vrealloc 0xffffc90000000000 4M\n',
                'vfree\n', 'vfree 0x10\n', 'vfree zzz\n', 'kvmalloc\n', 'kvmalloc 0\n'],
    # writing anything but 1 to a cache's shrink (shrink_store)
    'sys/kernel/slab/{CACHE}/shrink': ['0\n', 'abc\n', '\n', '\x00\n'],
    # enabled_store / min_ttl_ms_store: kstrtouint, any failure EINVAL
    'sys/kernel/mm/lru_gen/enabled': ['abc\n', '\n', '-1\n', '0x1ffffffff\n', '\x00\n', '1.5\n'],
    'sys/kernel/mm/transparent_hugepage/enabled': ['alwaysx\n', ' always\n', 'always\n\n', '\n', 'inherit\n'],
    'sys/kernel/mm/transparent_hugepage/defrag': ['defer+\n', '1\n', '\x00\n'],
    'sys/kernel/mm/transparent_hugepage/use_zero_page': BAD_KSTRTOUL + ['2\n'],
    'sys/kernel/mm/transparent_hugepage/shmem_enabled': ['inherit\n', 'on\n', '\n'],
    'sys/kernel/mm/transparent_hugepage/shrink_underused': ['2\n', 'x\n', 'o\n', '\n', '\x00\n'],
    'sys/kernel/mm/transparent_hugepage/khugepaged/defrag': BAD_KSTRTOUL + ['2\n'],
    'sys/kernel/mm/transparent_hugepage/khugepaged/max_ptes_none': BAD_KSTRTOUL + ['512\n'],
    'sys/kernel/mm/transparent_hugepage/khugepaged/max_ptes_swap': BAD_KSTRTOUL + ['512\n'],
    'sys/kernel/mm/transparent_hugepage/khugepaged/max_ptes_shared': BAD_KSTRTOUL + ['512\n'],
    'sys/kernel/mm/transparent_hugepage/khugepaged/pages_to_scan': BAD_KSTRTOUL + ['0\n', '4294967296\n'],
    'sys/kernel/mm/transparent_hugepage/khugepaged/scan_sleep_millisecs': BAD_KSTRTOUL + ['4294967296\n'],
    'sys/kernel/mm/transparent_hugepage/khugepaged/alloc_sleep_millisecs': BAD_KSTRTOUL + ['4294967296\n'],
    'sys/kernel/mm/transparent_hugepage/hugepages-{MTHP_ANON}kB/enabled': ['inheritx\n', 'defer\n', '\n'],
    'sys/kernel/mm/transparent_hugepage/hugepages-{MTHP}kB/shmem_enabled': ['force\n', 'deny\n', '\n'],
    'sys/kernel/mm/lru_gen/min_ttl_ms': ['abc\n', '\n', '-1\n', '1.5\n', '4294967296\n'],
    'sys/kernel/mm/mempolicy/weighted_interleave/node{N}': ['0\n', '256\n', 'abc\n', '\n', '-1\n', '1.5\n'],
    'sys/kernel/mm/mempolicy/weighted_interleave/auto': ['maybe\n', '\n', '2\n'],
    # lru_gen_seq_write: a generation out of range, another memcg, a bad
    # swappiness, a malformed command, no command at all
    'sys/kernel/debug/lru_gen': ['+ 1 0 99\n', '+ 2 0 3\n', '- 1 0 0 300\n', 'x\n', '\n', '+ 1 0 3 60 1 2\n'],
    # per process, checked for every PID present.  oom_score_adj/oom_adj
    # parse with kstrtoint(strstrip(buf), 0): '+1' and '1\0' are valid there,
    # and overflow is ERANGE, so only plain garbage and range errors here.
    'proc/{PID}/ctl': ['bogus\n', '\x00\n', 'mmap\n', 'mmap abc\n', 'munmap\n', 'pread\n', 'pread /f\n',
                       'pread /f 0\n', 'pread f 0 4K\n', 'pread /f x 4K\n', 'pwrite /f 0 -1\n',
                       'pwrite /f 0 4K x=1\n', 'fsync\n', 'fsync f\n', 'mmap 4K off=4K\n',
                       'mmap 4K file=/f off=1\n', 'mmap 4K anon file=/f\n', 'mmap 4K file=/f name=x[\n'],
    'proc/{PID}/oom_score_adj': ['abc\n', '12abc\n', '\n', '1.5\n', '- 1\n', 'x1\n', '\x00\n',
                                 '1001\n', '-1001\n'],
    'proc/{PID}/oom_adj': ['abc\n', '12abc\n', '\n', '1.5\n', 'x1\n', '16\n', '-18\n'],
    # clear_refs_write: kstrtoint(strstrip(buf), 10), then 1..5
    'proc/{PID}/clear_refs': ['abc\n', '\n', '0\n', '6\n', '-1\n', '0x1\n', '1.5\n', '\x00\n'],
    'sys/kernel/tracing/tracing_on': ['abc\n', '-1\n'],
    'sys/kernel/tracing/buffer_size_kb': ['0\n', 'abc\n', '-1\n'],
    'sys/kernel/tracing/current_tracer': ['function\n'],
    'sys/kernel/tracing/set_event': ['kmem:nosuch\n', 'nosys:mm_page_alloc\n'],
    'sys/kernel/tracing/trace_clock': ['nosuch\n'],
    'sys/kernel/tracing/events/enable': ['2\n', 'abc\n'],
    'sys/kernel/tracing/events/{SYS}/enable': ['2\n'],
    'sys/kernel/tracing/events/{SYS}/{EVENT}/enable': ['2\n'],
    'sys/kernel/tracing/events/{SYS}/filter': ['nosuchfield == 1\n'],
    'sys/kernel/tracing/events/{SYS}/{EVENT}/filter': ['nosuchfield == 1\n', '((\n'],
    'sys/kernel/tracing/events/{SYS}/{EVENT}/trigger': ['bogus\n', 'traceon:x\n', 'enable_event:kmem\n'],
    'sys/fs/cgroup/cgroup.subtree_control': ['+nosuch\n', 'memory\n', '+memory x\n'],
    'sys/fs/cgroup/cgroup.procs': ['abc\n', '-1\n', '1x\n', '\n'],
    'sys/fs/cgroup/cgroup.threads': ['abc\n', '-1\n'],
    'sys/fs/cgroup/cgroup.max.depth': ['abc\n', '1.5\n', 'maxx\n'],
    'sys/fs/cgroup/cgroup.max.descendants': ['abc\n', '\n'],
    'sys/fs/cgroup/{CGROUP}/cgroup.subtree_control': ['+nosuch\n', 'pids\n'],
    'sys/fs/cgroup/{CGROUP}/cgroup.procs': ['abc\n', '-1\n'],
    'sys/fs/cgroup/{CGROUP}/cgroup.threads': ['abc\n'],
    'sys/fs/cgroup/{CGROUP}/cgroup.max.depth': ['abc\n'],
    'sys/fs/cgroup/{CGROUP}/cgroup.max.descendants': ['abc\n'],
    'sys/fs/cgroup/{CGROUP}/cgroup.type': ['domain\n', 'nosuch\n'],
    'sys/fs/cgroup/{CGROUP}/pids.max': ['abc\n', '-1\n', '4194305\n', 'max1\n'],
    'sys/fs/cgroup/{CGROUP}/memory.min': ['abc\n', '-1\n', '12Q\n', 'maxx\n'],
    'sys/fs/cgroup/{CGROUP}/memory.low': ['abc\n', '1.5M\n'],
    'sys/fs/cgroup/{CGROUP}/memory.high': ['abc\n', 'max1\n'],
    'sys/fs/cgroup/{CGROUP}/memory.max': ['abc\n', '-5\n', '10MB\n'],
    'sys/fs/cgroup/{CGROUP}/memory.swap.high': ['abc\n'],
    'sys/fs/cgroup/{CGROUP}/memory.swap.max': ['abc\n', '-1\n'],
    'sys/fs/cgroup/{CGROUP}/memory.oom.group': ['2\n', 'x\n', '-1\n'],
    'sys/fs/cgroup/{CGROUP}/memory.reclaim': ['x\n', '10M swappiness=300\n', '10M foo=1\n', 'max\n'],
    # the hugetlb pools' counts: kstrtoul, base 10
    'proc/sys/vm/nr_hugepages': ['abc\n', '-1\n', '1x\n', ' \n', '99999999999999999999999\n'],
    'proc/sys/vm/nr_hugepages_mempolicy': ['abc\n', '-1\n', '1x\n'],
    'proc/sys/vm/nr_overcommit_hugepages': ['abc\n', '-1\n', '1x\n'],
    'sys/kernel/mm/hugepages/hugepages-{HSIZE}kB/nr_hugepages': ['abc\n', '-1\n', '1x\n'],
    'sys/kernel/mm/hugepages/hugepages-{HSIZE}kB/nr_hugepages_mempolicy': ['abc\n', '-1\n'],
    'sys/kernel/mm/hugepages/hugepages-{HSIZE}kB/nr_overcommit_hugepages': ['abc\n', '-1\n'],
    'sys/kernel/mm/hugepages/hugepages-{HSIZE_DEMOTE}kB/demote': ['abc\n', '-1\n'],
    'sys/kernel/mm/hugepages/hugepages-{HSIZE_DEMOTE}kB/demote_size': ['abc\n', '3M\n'],
    'sys/devices/system/node/node{N}/hugepages/hugepages-{HSIZE}kB/nr_hugepages': ['abc\n', '-1\n', '1x\n'],
    # ksm's sysfs stores
    'sys/kernel/mm/ksm/run': ['3\n', '-1\n', 'x\n'],
    'sys/kernel/mm/ksm/sleep_millisecs': ['-5\n', 'abc\n'],
    'sys/kernel/mm/ksm/pages_to_scan': ['abc\n', '-1\n'],
    'sys/kernel/mm/ksm/max_page_sharing': ['1\n', 'abc\n'],
    'sys/kernel/mm/ksm/merge_across_nodes': ['2\n', 'x\n'],
    'sys/kernel/mm/ksm/use_zero_pages': ['maybe\n'],
    'sys/kernel/mm/ksm/smart_scan': ['x\n'],
    'sys/kernel/mm/ksm/advisor_mode': ['fast\n'],
    'sys/kernel/mm/ksm/advisor_target_scan_time': ['0\n', 'abc\n'],
    'sys/kernel/mm/ksm/advisor_max_cpu': ['-1\n', 'abc\n'],
    'sys/kernel/mm/ksm/advisor_min_pages_to_scan': ['abc\n', '-1\n'],
    'sys/kernel/mm/ksm/advisor_max_pages_to_scan': ['abc\n', '-1\n'],
    'sys/kernel/mm/ksm/stable_node_chains_prune_millisecs': ['abc\n', '-1\n'],
}


# tracefs files that take any write, as the kernel's do (tracing_write_stub,
# trace_marker's text, error_log)
ACCEPT_ANY = {'sys/kernel/tracing/trace', 'sys/kernel/tracing/per_cpu/cpu{C}/trace',
              'sys/kernel/tracing/trace_marker', 'sys/kernel/tracing/error_log',
              # compact_store: any write compacts the node
              'sys/devices/system/node/node{N}/compact'}


def test_every_writable_file_is_covered():
    writable = {path for path, mode, _h, _d in parse_layout() if not path.endswith('/') and
                mode != 0o777 and mode & 0o222} - ACCEPT_ANY
    assert writable <= set(MALFORMED), 'add to MALFORMED: %s' % sorted(writable - set(MALFORMED))


@pytest.mark.parametrize('pattern', sorted(MALFORMED))
def test_malformed_value_is_einval_and_changes_nothing(mnt, pattern):
    paths = [e.path for e in mnt.layout() if e.pattern == pattern]
    if '{CACHE}' in pattern:
        paths = paths[:3]  # the same handler for every cache: a few suffice
    if not paths:
        if any(p == pattern for p, _m, _h, _d in parse_layout()):
            raise AssertionError('%s is in fs-layout but no path of it is in the tree' % pattern)
        pytest.skip('%s is not in fs-layout (yet)' % pattern)
    # sys/kernel/slab's thousands of per-cache files say nothing
    # proc/slabinfo does not (every cache's objects and slabs)
    # tracefs's error_log records a bad filter, as the kernel's does
    skip = ('sys/kernel/slab/', 'sys/kernel/tracing/error_log')
    before = mnt.snapshot(skip=skip)
    for path, value in [(p, v) for p in paths for v in MALFORMED[pattern]]:
        n0 = len(mnt.log_lines())
        ok, err = mnt.write(path, value)
        assert not ok and err == errno.EINVAL, '%s <- %r: %s, expected EINVAL' % (
            path, value, 'accepted' if ok else os.strerror(err) if err else 'short write')
        lines = mnt.log_lines()
        assert len(lines) == n0 + 1, '%s <- %r: sim/log grew by %d lines, expected 1' % (
            path, value, len(lines) - n0)
        after = mnt.snapshot(skip=skip)
        changed = [p for p in before if before[p] != after[p]]
        assert not changed, '%s <- %r changed %s' % (path, value, changed)


def test_sysctl_good_value_still_works_after_errors(mnt):
    for value in MALFORMED['proc/sys/vm/min_free_kbytes']:
        mnt.write('proc/sys/vm/min_free_kbytes', value)
    ok, err = mnt.write('proc/sys/vm/min_free_kbytes', '5000\n')
    assert ok, err
    assert mnt.read('proc/sys/vm/min_free_kbytes') == '5000\n'


@pytest.mark.parametrize('value,expect', [
    ('256 256 32 0 0\n', '256\t256\t32\t0\t0\n'),
    ('  100\t50 10 0 0  \n', '100\t50\t10\t0\t0\n'),
])
def test_lowmem_reserve_ratio_accepts_blanks(mnt, value, expect):
    ok, err = mnt.write('proc/sys/vm/lowmem_reserve_ratio', value)
    assert ok, err
    assert mnt.read('proc/sys/vm/lowmem_reserve_ratio') == expect


@pytest.mark.parametrize('name,value', [
    ('min_free_kbytes', '77'), ('watermark_scale_factor', ' 42 '), ('watermark_boost_factor', '0'),
    ('stat_interval', '3'), ('percpu_pagelist_high_fraction', '8')])
def test_sysctl_accepts_what_linux_accepts(mnt, name, value):
    ok, err = mnt.write('proc/sys/vm/' + name, value + '\n')
    assert ok, err
    assert mnt.read('proc/sys/vm/' + name) == '%d\n' % int(value)


# ---------------------------------------------------------------- kstrtoul

@pytest.mark.parametrize('path', ['sys/class/bdi/8:0/read_ahead_kb', 'sys/class/bdi/8:0/min_ratio',
                                  'sys/class/bdi/8:0/max_ratio', 'sys/class/bdi/8:0/min_bytes',
                                  'sys/class/bdi/8:0/max_bytes'])
def test_bdi_overflow_is_erange_and_garbage_einval(mnt, path):
    """kstrtoul: ERANGE for a number that overflows, even with garbage
    after it (overflow is checked first); EINVAL for garbage of any length"""
    before = mnt.read(path)
    for value in ['99999999999999999999999\n', '18446744073709551616\n', '99999999999999999999999x\n']:
        assert mnt.write(path, value) == (False, errno.ERANGE), value
    for value in ['z' * 100 + '\n', '1' + ' ' * 100 + '\n', '0x' + 'f' * 40 + '\n']:
        assert mnt.write(path, value) == (False, errno.EINVAL), value
    assert mnt.read(path) == before


def test_bdi_takes_what_kstrtoul_takes(mnt):
    """Leading zeros of any length, '+', and a sysfs store's string ending
    at the first NUL"""
    ratio = 'sys/class/bdi/8:0/min_ratio'
    assert mnt.write(ratio, '0' * 60 + '5\n') == (True, 0)
    assert mnt.read(ratio) == '5\n'
    assert mnt.write(ratio, '+3') == (True, 0)
    assert mnt.read(ratio) == '3\n'
    assert mnt.write(ratio, '2\x00junk\n') == (True, 0)
    assert mnt.read(ratio) == '2\n'
    assert mnt.write('sys/class/bdi/8:0/read_ahead_kb', '0' * 40 + '64\n') == (True, 0)
    assert mnt.read('sys/class/bdi/8:0/read_ahead_kb') == '64\n'


# ---------------------------------------------------------------- names and modes

def _errno(fn, *args):
    try:
        fn(*args)
    except OSError as e:
        return e.errno
    return 0


def _create(path):
    os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o644))


# Making a name: procfs's lookup fails first (ENOENT); kernfs (sys/, and the
# tree's own root and sim/) then checks the directory (0555: EACCES but for
# root) and has no such operation (EACCES for a regular file, else EPERM).
PROC_DIRS = ['proc', 'proc/sys/vm', 'proc/pressure', 'proc/1', 'proc/1/task/1', 'proc/self']
KERNFS_DIRS = ['', 'sim', 'sys/devices/system/node', 'sys/devices/system/node/node0', 'sys/kernel/slab']


@pytest.mark.parametrize('d', PROC_DIRS + KERNFS_DIRS)
def test_making_a_name_fails_as_in_linux(mnt, d):
    root = os.geteuid() == 0
    procfs = d.startswith('proc')
    new = mnt.abs(os.path.join(d, 'newname'))
    perm = errno.ENOENT if procfs else errno.EPERM if root else errno.EACCES
    assert _errno(_create, new) == (errno.ENOENT if procfs else errno.EACCES)
    assert _errno(os.mknod, new, 0o644 | stat.S_IFREG) == (errno.ENOENT if procfs else errno.EACCES)
    assert _errno(os.mknod, new, 0o644 | stat.S_IFIFO) == perm
    assert _errno(os.mkdir, new) == perm
    assert _errno(os.symlink, 'meminfo', new) == perm
    assert not os.path.lexists(new)
    # a file of the same mount, linked or renamed to the new name
    src = 'proc/meminfo' if procfs else 'sys/devices/system/node/online' if d.startswith('sys') else 'sim/log'
    assert _errno(os.link, mnt.abs(src), new) == perm
    assert _errno(os.rename, mnt.abs(src), new) == perm
    assert mnt.read(src)


# Removing or renaming a name: the directory's permission first (may_delete),
# then no such operation (EPERM); a process's directory answers EPERM to all,
# proc/sys/ EACCES even to root.
@pytest.mark.parametrize('path,kind,other', [
    ('proc/meminfo', 'dir', 'proc/vmstat'), ('proc/sys', 'dir', 'proc/pressure'), ('proc/1', 'dir', 'proc/2'),
    ('proc/self', 'dir', 'proc/thread-self'), ('proc/sys/vm/swappiness', 'sysctl', 'proc/sys/vm/max_map_count'),
    ('proc/sys/vm', 'sysctl', 'proc/sys/kernel'), ('proc/1/status', 'pid', 'proc/1/stat'),
    ('proc/1/task', 'pid', None), ('proc/1/task/1/stat', 'pid', 'proc/1/task/1/status'),
    ('sim/ctl', 'dir', 'sim/log'), ('sim', 'dir', None), ('sys/devices/system/node/online', 'dir',
                                                          'sys/devices/system/node/possible'),
    ('sys/devices/system/node/node0', 'dir', None)])
def test_removing_a_name_fails_as_in_linux(mnt, path, kind, other):
    root = os.geteuid() == 0
    want = {'pid': errno.EPERM, 'sysctl': errno.EACCES}.get(kind, errno.EPERM if root else errno.EACCES)
    p = mnt.abs(path)
    isdir = stat.S_ISDIR(os.lstat(p).st_mode)
    assert _errno(os.rmdir if isdir else os.unlink, p) == want
    if other:
        assert _errno(os.rename, p, mnt.abs(other)) == want
        assert os.path.lexists(mnt.abs(other))
    assert os.path.lexists(p)


def test_own_process_pass_through_refuses_changes(mnt):
    """proc/PID of the caller's own process (passed through from procfs)"""
    me = mnt.abs('proc/%d' % os.getpid())
    assert _errno(_create, me + '/newname') == errno.ENOENT
    assert _errno(os.mkdir, me + '/newname') == errno.ENOENT
    assert _errno(os.unlink, me + '/status') == errno.EPERM
    assert _errno(os.rename, me + '/status', me + '/newname') == errno.ENOENT
    assert _errno(os.chmod, me + '/status', 0o666) == errno.EPERM


def test_rename_and_link_across_proc_sys_and_sim_is_exdev(mnt):
    for src, dst in [('proc/meminfo', 'sys/x'), ('sys/devices/system/node/online', 'sim/x'),
                     ('sim/log', 'proc/vmstat')]:
        assert _errno(os.rename, mnt.abs(src), mnt.abs(dst)) == errno.EXDEV, (src, dst)
    assert _errno(os.link, mnt.abs('sim/log'), mnt.abs('sys/x')) == errno.EXDEV


def test_modes_and_owners_are_fixed(mnt):
    """chmod is EPERM (as for a process's files and proc/sys/); chown to
    another owner too; chown to the owner it has and touch are accepted and
    change nothing"""
    for path in ['proc/meminfo', 'proc/sys/vm/swappiness', 'proc/1/status', 'sim/ctl',
                 'sys/devices/system/node/online', 'proc/sys/vm', 'sim']:
        p = mnt.abs(path)
        st = os.stat(p)
        assert _errno(os.chmod, p, 0o777) == errno.EPERM, path
        assert _errno(os.chown, p, st.st_uid + 1, -1) == errno.EPERM, path
        assert _errno(os.chown, p, -1, st.st_gid + 1) == errno.EPERM, path
        assert _errno(os.chown, p, st.st_uid, st.st_gid) == 0, path
        assert _errno(os.chown, p, -1, -1) == 0, path
        assert _errno(os.utime, p) == 0, path
        assert _errno(os.utime, p, (1, 1)) == 0, path
        after = os.stat(p)
        assert (after.st_mode, after.st_uid, after.st_gid) == (st.st_mode, st.st_uid, st.st_gid), path
    assert _errno(os.utime, mnt.abs('proc/nosuch')) == errno.ENOENT


def test_access_agrees_with_open(mnt):
    root = os.geteuid() == 0
    assert os.access(mnt.abs('sim/ctl'), os.R_OK | os.W_OK)
    assert os.access(mnt.abs('proc/1/ctl'), os.W_OK)
    assert os.access(mnt.abs('proc/meminfo'), os.R_OK)
    assert not os.access(mnt.abs('proc/meminfo'), os.W_OK)
    assert not os.access(mnt.abs('proc/meminfo'), os.X_OK)
    assert not os.access(mnt.abs('proc/sys/vm/drop_caches'), os.R_OK)
    assert os.access(mnt.abs('proc/sys/vm/drop_caches'), os.W_OK)
    assert os.access(mnt.abs('proc/sys/vm'), os.X_OK)
    assert os.access(mnt.abs('proc/sys/vm'), os.W_OK) == root
    assert not os.access(mnt.abs('proc/nosuch'), os.F_OK)
    assert os.access(mnt.abs('proc/%d/status' % os.getpid()), os.R_OK)
    assert not os.access(mnt.abs('proc/%d/status' % os.getpid()), os.W_OK)
