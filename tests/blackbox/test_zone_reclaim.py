"""zone_reclaim_mode: node reclaim before an allocation leaves its node
(two nodes of 512 MiB, no swap)."""
import errno
import re


def node_file_pages(m, nid):
    text = m.read('sys/devices/system/node/node%d/meminfo' % nid)
    return int(re.search(r'FilePages:\s+(\d+) kB', text).group(1)) // 4


def fill_and_allocate(mount, mode):
    """A reader on node 0 reads 700 MiB of file (more than node 0 holds),
    then a task on node 0 writes 64 MiB of anonymous memory."""
    m = mount('--mem=1G', '--nodes=2', '--swap=0')
    if mode is not None:
        assert m.write('proc/sys/vm/zone_reclaim_mode', str(mode)) == (True, 0)
    m.ctl('file /data/big 700M')
    reader = int(m.ctl('spawn reader cpu=0'))
    m.pctl(reader, 'pread /data/big 0 700M')
    before = m.vmstat()
    pid = int(m.ctl('spawn app cpu=0'))
    m.pctl(pid, 'mmap 64M name=buf')
    m.pctl(pid, 'write buf')
    return m, pid, before


def test_defaults_and_errors(mount):
    m = mount('--mem=1G', '--nodes=2')
    assert m.read('proc/sys/vm/zone_reclaim_mode') == '0\n'
    assert m.read('proc/sys/vm/min_unmapped_ratio') == '1\n'
    assert m.read('proc/sys/vm/min_slab_ratio') == '5\n'
    for f, bad in (('zone_reclaim_mode', '-1'), ('min_unmapped_ratio', '101'), ('min_slab_ratio', '-1'),
                   ('min_slab_ratio', 'x')):
        assert m.write('proc/sys/vm/' + f, bad) == (False, errno.EINVAL), (f, bad)
    assert m.read('proc/sys/vm/min_slab_ratio') == '5\n'
    assert 'min_slab_ratio' in m.log()


def test_mode_0_spills_to_the_remote_node(mount):
    m, pid, before = fill_and_allocate(mount, None)
    pages = m.numa_nodes(pid, 'buf')
    assert pages.get(1, 0) > pages.get(0, 0), pages
    v = m.vmstat()
    assert v['zone_reclaim_success'] == v['zone_reclaim_failed'] == 0


def test_mode_1_reclaims_local_page_cache_first(mount):
    m, pid, before = fill_and_allocate(mount, 1)
    # the reader's page cache stayed on node 0, old pages making room
    assert node_file_pages(m, 1) < node_file_pages(m, 0)
    pages = m.numa_nodes(pid, 'buf')
    assert pages == {0: 16384}, pages
    v = m.vmstat()
    assert v['zone_reclaim_success'] > 0
    assert v['pgsteal_direct'] - before['pgsteal_direct'] > 0
    assert v['pgscan_direct'] >= v['pgsteal_direct']
    assert v['pgsteal_file'] >= v['pgsteal_direct']


def test_mode_1_fails_without_page_cache(mount):
    """Nothing reclaimable above min_unmapped_ratio: node reclaim does not
    scan (no zone_reclaim_* count) and the allocation goes remote."""
    m = mount('--mem=1G', '--nodes=2', '--swap=0')
    assert m.write('proc/sys/vm/zone_reclaim_mode', '1') == (True, 0)
    pid = int(m.ctl('spawn app cpu=0'))
    m.pctl(pid, 'mmap 600M name=buf')
    m.pctl(pid, 'write buf')
    pages = m.numa_nodes(pid, 'buf')
    assert pages.get(1, 0) > 0, pages
    assert m.vmstat()['zone_reclaim_success'] == 0
