"""hugetlb pools: sizing through proc/sys/vm and sysfs (globally and per
node), reservations at mmap, faults, ENOMEM, SIGBUS, freeing at exit, and
the pool in meminfo, node meminfo, numastat -m and smaps."""
import errno
import os

import pytest

HP = 'sys/kernel/mm/hugepages/hugepages-2048kB/'
GP = 'sys/kernel/mm/hugepages/hugepages-1048576kB/'


def nodehp(nid, size=2048):
    return 'sys/devices/system/node/node%d/hugepages/hugepages-%dkB/' % (nid, size)


def pool(m, d=HP):
    return {f: int(m.read(d + f)) for f in ('nr_hugepages', 'free_hugepages', 'resv_hugepages',
                                             'surplus_hugepages', 'nr_overcommit_hugepages')}


def hp_meminfo(m):
    mi = m.meminfo()
    return {k: mi[k] for k in ('HugePages_Total', 'HugePages_Free', 'HugePages_Rsvd', 'HugePages_Surp',
                               'Hugepagesize', 'Hugetlb')}


def test_pool_grows_and_shrinks_and_meminfo_follows(mnt):
    free0 = mnt.meminfo()['MemFree']
    assert mnt.read('proc/sys/vm/nr_hugepages') == '0\n'
    assert hp_meminfo(mnt) == {'HugePages_Total': 0, 'HugePages_Free': 0, 'HugePages_Rsvd': 0,
                               'HugePages_Surp': 0, 'Hugepagesize': 2048, 'Hugetlb': 0}
    assert mnt.write('proc/sys/vm/nr_hugepages', '64\n') == (True, 0)
    assert pool(mnt)['nr_hugepages'] == 64 and pool(mnt)['free_hugepages'] == 64
    mi = hp_meminfo(mnt)
    assert mi['HugePages_Total'] == 64 and mi['HugePages_Free'] == 64 and mi['Hugetlb'] == 64 * 2048
    # the pages came out of the buddy allocator
    assert free0 - mnt.meminfo()['MemFree'] >= 64 * 2048
    assert mnt.vmstat()['nr_hugetlb'] == 64 * 512
    # the sysfs file is the same knob
    assert mnt.write(HP + 'nr_hugepages', '16') == (True, 0)
    assert mnt.read('proc/sys/vm/nr_hugepages') == '16\n'
    assert mnt.read('proc/sys/vm/nr_hugepages_mempolicy') == '16\n'
    assert mnt.write('proc/sys/vm/nr_hugepages', '0\n') == (True, 0)
    assert hp_meminfo(mnt)['HugePages_Total'] == 0 and mnt.vmstat()['nr_hugetlb'] == 0
    # back to the buddy allocator or the per-cpu lists (whose size follows
    # the low watermark), less what opening sections keep
    assert mnt.meminfo()['MemFree'] + mnt.pcp_kb() > free0 - 16 * 1024


def test_pool_grows_partly_when_memory_is_short(mount):
    m = mount('--machine=small')
    assert m.write('proc/sys/vm/nr_hugepages', '100000\n') == (True, 0)
    n = pool(m)['nr_hugepages']
    # as far as memory allows: most of 1 GiB, never all of it
    assert 300 < n < 512
    assert pool(m)['free_hugepages'] == n
    assert m.meminfo()['MemFree'] < 64 * 1024
    # shrinking gives it back
    assert m.write('proc/sys/vm/nr_hugepages', '0\n') == (True, 0)
    assert pool(m)['nr_hugepages'] == 0
    assert m.meminfo()['MemFree'] > 800 * 1024


@pytest.mark.parametrize('path', ['proc/sys/vm/nr_hugepages', HP + 'nr_hugepages', HP + 'nr_overcommit_hugepages',
                                  'proc/sys/vm/nr_overcommit_hugepages', nodehp(0) + 'nr_hugepages'])
@pytest.mark.parametrize('bad', ['abc', '-1', '1x', ' ', '99999999999999999999999'])
def test_bad_values_are_einval_and_change_nothing(mnt, path, bad):
    assert mnt.write('proc/sys/vm/nr_hugepages', '4') == (True, 0)
    before = (pool(mnt), mnt.read('proc/meminfo'))
    assert mnt.write(path, bad) == (False, errno.EINVAL)
    assert (pool(mnt), mnt.read('proc/meminfo')) == before
    assert 'hugetlb' in mnt.log_lines()[-1] or 'hugepages' in mnt.log_lines()[-1]


def test_read_only_files_refuse_writes(mnt):
    for f in ('free_hugepages', 'resv_hugepages', 'surplus_hugepages'):
        assert mnt.write(HP + f, '1') == (False, errno.EACCES)


def test_per_node_pools_interleave_and_agree_with_numastat(mount):
    m = mount('--machine=numa4')
    assert m.write('proc/sys/vm/nr_hugepages', '10\n') == (True, 0)
    per = [int(m.read(nodehp(n) + 'nr_hugepages')) for n in range(4)]
    # alloc_pool_huge_folio interleaves from next_nid_to_alloc
    assert per == [3, 3, 2, 2]
    assert sum(int(m.read(nodehp(n) + 'free_hugepages')) for n in range(4)) == 10
    for n in range(4):
        text = m.read('sys/devices/system/node/node%d/meminfo' % n)
        assert 'Node %d HugePages_Total: %5d\n' % (n, per[n]) in text
        assert 'Node %d HugePages_Free:  %5d\n' % (n, per[n]) in text
    # a node's own file moves that node only
    assert m.write(nodehp(2) + 'nr_hugepages', '5\n') == (True, 0)
    per = [int(m.read(nodehp(n) + 'nr_hugepages')) for n in range(4)]
    assert per == [3, 3, 5, 2] and pool(m)['nr_hugepages'] == 13
    assert m.write(nodehp(0) + 'nr_hugepages', '0\n') == (True, 0)
    assert [int(m.read(nodehp(n) + 'nr_hugepages')) for n in range(4)] == [0, 3, 5, 2]
    assert m.read('proc/sys/vm/nr_hugepages') == '10\n'
    # numastat -m's HugePages_* rows are the node meminfo lines: they add up
    tot = sum(int(m.read('sys/devices/system/node/node%d/meminfo' % n).split('HugePages_Total:')[1].split()[0])
              for n in range(4))
    assert tot == m.meminfo()['HugePages_Total'] == 10


def test_mmap_reserves_faults_consume_munmap_frees(mnt):
    mnt.ctl('spawn db pid=500')
    assert mnt.write('proc/sys/vm/nr_hugepages', '8\n') == (True, 0)
    addr = int(mnt.pctl(500, 'mmap 8M hugetlb name=buf'), 16)
    assert addr % (2 << 20) == 0
    assert pool(mnt)['resv_hugepages'] == 4 and hp_meminfo(mnt)['HugePages_Rsvd'] == 4
    # hugetlb is not charged to Committed_AS
    mnt.pctl(500, 'write buf len=4M')
    p = pool(mnt)
    assert (p['free_hugepages'], p['resv_hugepages']) == (6, 2)
    smaps = mnt.read('proc/500/smaps')
    block = smaps[smaps.index('%x-' % addr):]
    block = block[:block.index('VmFlags')]
    assert 'KernelPageSize:     2048 kB' in block and 'MMUPageSize:        2048 kB' in block
    assert 'Private_Hugetlb:    4096 kB' in block and 'Shared_Hugetlb:        0 kB' in block
    assert 'Rss:                   0 kB' in block
    assert mnt.status(500)['HugetlbPages'] == 4096
    mnt.pctl(500, 'write buf')
    assert (pool(mnt)['free_hugepages'], pool(mnt)['resv_hugepages']) == (4, 0)
    mnt.pctl(500, 'munmap buf')
    assert (pool(mnt)['free_hugepages'], pool(mnt)['resv_hugepages']) == (8, 0)


def test_mmap_enomem_when_the_pool_cannot_reserve(mnt):
    mnt.ctl('spawn db pid=500')
    assert mnt.write('proc/sys/vm/nr_hugepages', '2\n') == (True, 0)
    err, _ = mnt.pctl_raw(500, 'mmap 6M hugetlb name=big')
    assert err == errno.ENOMEM
    assert pool(mnt)['resv_hugepages'] == 0 and 'big' not in mnt.read('proc/500/maps')
    # with overcommit, surplus pages make up the difference, and go back
    assert mnt.write(HP + 'nr_overcommit_hugepages', '1') == (True, 0)
    mnt.pctl(500, 'mmap 6M hugetlb name=big')
    p = pool(mnt)
    assert (p['nr_hugepages'], p['surplus_hugepages'], p['resv_hugepages']) == (3, 1, 3)
    assert mnt.read('proc/sys/vm/nr_hugepages') == '3\n'
    mnt.pctl(500, 'munmap big')
    p = pool(mnt)
    assert (p['nr_hugepages'], p['surplus_hugepages'], p['resv_hugepages']) == (2, 0, 0)


def test_noreserve_fault_without_a_page_is_sigbus(mnt):
    mnt.ctl('spawn db pid=500')
    assert mnt.write('proc/sys/vm/nr_hugepages', '1\n') == (True, 0)
    mnt.pctl(500, 'mmap 4M hugetlb noreserve name=nr')
    assert pool(mnt)['resv_hugepages'] == 0
    err, _ = mnt.pctl_raw(500, 'write nr')
    assert err == errno.EFAULT
    assert any('SIGBUS' in l and 'no huge page' in l for l in mnt.log_lines())
    assert not os.path.exists(mnt.abs('proc/500'))
    # the page it had went back to the pool with its exit
    assert pool(mnt)['free_hugepages'] == 1


def test_exit_frees_pages_and_reservations(mnt):
    mnt.ctl('spawn db pid=500')
    assert mnt.write('proc/sys/vm/nr_hugepages', '6\n') == (True, 0)
    mnt.pctl(500, 'mmap 4M hugetlb name=a\nmmap 4M hugetlb shared name=b')
    mnt.pctl(500, 'write a len=2M\nwrite b')
    p = pool(mnt)
    assert (p['free_hugepages'], p['resv_hugepages']) == (3, 1)
    mnt.pctl(500, 'exit')
    p = pool(mnt)
    assert (p['nr_hugepages'], p['free_hugepages'], p['resv_hugepages']) == (6, 6, 0)


def test_shrinking_below_use_makes_surplus(mnt):
    mnt.ctl('spawn db pid=500')
    assert mnt.write('proc/sys/vm/nr_hugepages', '4\n') == (True, 0)
    mnt.pctl(500, 'mmap 4M hugetlb name=a')
    mnt.pctl(500, 'write a')
    assert mnt.write('proc/sys/vm/nr_hugepages', '0\n') == (True, 0)
    p = pool(mnt)
    assert (p['nr_hugepages'], p['free_hugepages'], p['surplus_hugepages']) == (2, 0, 2)
    assert mnt.read('proc/sys/vm/nr_hugepages') == '2\n'
    mnt.pctl(500, 'munmap a')
    assert pool(mnt)['nr_hugepages'] == 0 and hp_meminfo(mnt)['HugePages_Surp'] == 0


def test_munmap_inside_a_huge_page_is_einval(mnt):
    mnt.ctl('spawn db pid=500')
    assert mnt.write('proc/sys/vm/nr_hugepages', '2\n') == (True, 0)
    addr = int(mnt.pctl(500, 'mmap 4M hugetlb name=a'), 16)
    err, _ = mnt.pctl_raw(500, 'munmap 0x%x len=4096' % (addr + 4096))
    assert err == errno.EINVAL
    mnt.pctl(500, 'munmap 0x%x len=2M' % (addr + (2 << 20)))
    assert pool(mnt)['resv_hugepages'] == 1


def test_gigantic_pool_and_demote(mnt):
    assert mnt.read(GP + 'demote_size') == '2048kB\n'
    assert mnt.write(GP + 'nr_hugepages', '2') == (True, 0)
    assert pool(mnt, GP)['nr_hugepages'] == 2
    assert mnt.meminfo()['Hugetlb'] == 2 * 1048576
    assert mnt.write(GP + 'nr_overcommit_hugepages', '1') == (False, errno.EINVAL)
    assert mnt.write(GP + 'demote_size', '1G') == (False, errno.EINVAL)
    assert mnt.write(GP + 'demote_size', '2048kB') == (True, 0)
    assert mnt.write(GP + 'demote', '1') == (True, 0)
    assert pool(mnt, GP)['nr_hugepages'] == 1 and pool(mnt)['nr_hugepages'] == 512
    assert mnt.meminfo()['Hugetlb'] == 2 * 1048576
    mnt.ctl('spawn db pid=500')
    mnt.pctl(500, 'mmap 1G hugetlb=1G name=g')
    assert pool(mnt, GP)['resv_hugepages'] == 1
    mnt.pctl(500, 'write g len=4K')
    assert pool(mnt, GP)['free_hugepages'] == 0
    smaps = mnt.read('proc/500/smaps')
    assert 'KernelPageSize:  1048576 kB' in smaps
    mnt.pctl(500, 'exit')
    for d in (GP, HP):
        assert mnt.write(d + 'nr_hugepages', '0') == (True, 0)
    assert mnt.meminfo()['Hugetlb'] == 0


def test_no_gigantic_pool_without_pdpe1gb(mount, tmp_path):
    conf = tmp_path / 'nogb.conf'
    conf.write_text('[machine]\nmem=2G\nnodes=1\npdpe1gb=false\n')
    m = mount('--machine=' + str(conf))
    assert os.listdir(m.abs('sys/kernel/mm/hugepages')) == ['hugepages-2048kB']
    m.ctl('spawn db pid=500')
    assert m.pctl_raw(500, 'mmap 1G hugetlb=1G')[0] == errno.EINVAL
