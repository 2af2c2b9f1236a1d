"""KSM and page contents: write fill=, madvise mergeable, prctl
memory_merge, ksmd on simulated time, the sys/kernel/mm/ksm files,
proc/PID/ksm_stat, and their refusals."""
import errno

import pytest

KSM = 'sys/kernel/mm/ksm/'


def ksm(m, name):
    return int(m.read(KSM + name))


def two_vms(m, size='4M', fill='7', pids=(1000, 1001)):
    """Two processes write the same content into mergeable regions."""
    for pid in pids:
        m.ctl('spawn vm pid=%d' % pid)
        m.pctl(pid, 'mmap %s name=img' % size)
        m.pctl(pid, 'madvise img mergeable')
        m.pctl(pid, 'write img fill=%s' % fill)


def scan(m, full_scans):
    """Run ksmd until it has done full_scans more full scans."""
    start = ksm(m, 'full_scans')
    for _ in range(2000):
        if ksm(m, 'full_scans') >= start + full_scans:
            return
        m.ctl('tick 100ms')
    raise AssertionError('ksmd did not finish its scans')


def test_defaults(mnt):
    want = {'run': '0', 'sleep_millisecs': '20', 'pages_to_scan': '100', 'merge_across_nodes': '1',
            'max_page_sharing': '256', 'stable_node_chains_prune_millisecs': '2000',
            'use_zero_pages': '0', 'smart_scan': '1', 'advisor_mode': '[none] scan-time',
            'advisor_max_cpu': '70', 'advisor_min_pages_to_scan': '500',
            'advisor_max_pages_to_scan': '30000', 'advisor_target_scan_time': '200',
            'pages_shared': '0', 'pages_sharing': '0', 'general_profit': '0', 'full_scans': '0'}
    for name, val in want.items():
        assert mnt.read(KSM + name) == val + '\n', name


def test_identical_pages_merge_within_two_scans(mnt):
    two_vms(mnt)
    free0 = mnt.meminfo()['MemFree'] + mnt.pcp_kb()
    anon0 = mnt.meminfo()['AnonPages']
    assert mnt.write(KSM + 'pages_to_scan', '1000') == (True, 0)
    assert mnt.write(KSM + 'run', '1') == (True, 0)
    scan(mnt, 2)
    # 2 x 1024 pages of one content: 4 KSM pages of 256 sharers each
    assert ksm(mnt, 'pages_shared') == 8
    assert ksm(mnt, 'pages_sharing') == 2048 - 8
    assert ksm(mnt, 'stable_node_chains') == 1
    assert ksm(mnt, 'stable_node_dups') == 8
    # the merged pages are free: AnonPages exactly, MemFree with what the
    # per-cpu lists keep (as many as the low watermark lets them)
    assert anon0 - mnt.meminfo()['AnonPages'] == (2048 - 8) * 4
    assert mnt.meminfo()['MemFree'] + mnt.pcp_kb() - free0 >= (2048 - 8) * 4 // 2
    assert int(mnt.read('proc/1000/ksm_merging_pages')) == 1024
    stat = mnt.read('proc/1001/ksm_stat').splitlines()
    assert [l.split()[0] for l in stat] == ['ksm_rmap_items', 'ksm_zero_pages', 'ksm_merging_pages',
                                            'ksm_process_profit', 'ksm_merge_any:', 'ksm_mergeable:']
    assert 'ksm_merging_pages 1024' in stat and 'ksm_mergeable: yes' in stat
    assert ksm(mnt, 'general_profit') == (ksm(mnt, 'pages_sharing')) * 4096 - 2048 * 64
    smaps = mnt.read('proc/1000/smaps_rollup')
    assert 'KSM:                4096 kB' in smaps


def test_unique_content_never_merges(mnt):
    two_vms(mnt, fill='unique')
    mnt.write(KSM + 'pages_to_scan', '1000')
    mnt.write(KSM + 'run', '1')
    scan(mnt, 3)
    assert ksm(mnt, 'pages_shared') == 0 and ksm(mnt, 'pages_sharing') == 0
    assert ksm(mnt, 'pages_unshared') > 0


def test_write_breaks_cow(mnt):
    two_vms(mnt, size='1M')
    mnt.write(KSM + 'pages_to_scan', '1000')
    mnt.write(KSM + 'run', '1')
    scan(mnt, 2)
    # 512 pages of one content: 2 KSM pages of 256 mappings
    assert ksm(mnt, 'pages_shared') == 2 and ksm(mnt, 'pages_sharing') == 510
    cow0 = mnt.vmstat()['cow_ksm']
    mnt.pctl(1000, 'write img len=64K')
    assert mnt.vmstat()['cow_ksm'] - cow0 == 16
    # ksmd notices at its next visit of each address
    scan(mnt, 2)
    assert ksm(mnt, 'pages_sharing') == 510 - 16
    assert int(mnt.read('proc/1000/ksm_merging_pages')) == 256 - 16


def test_use_zero_pages(mnt):
    mnt.ctl('spawn z pid=1000')
    mnt.pctl(1000, 'mmap 1M name=z')
    mnt.pctl(1000, 'prctl memory_merge 1')
    mnt.pctl(1000, 'write z fill=zero')
    rss0 = mnt.status(1000)['RssAnon']
    mnt.write(KSM + 'use_zero_pages', '1')
    mnt.write(KSM + 'pages_to_scan', '1000')
    mnt.write(KSM + 'run', '1')
    scan(mnt, 2)
    assert ksm(mnt, 'ksm_zero_pages') == 256
    assert rss0 - mnt.status(1000)['RssAnon'] == 1024
    assert 'ksm_merge_any: yes' in mnt.read('proc/1000/ksm_stat')
    mnt.pctl(1000, 'write z len=8K')
    assert ksm(mnt, 'ksm_zero_pages') == 254


def test_run_2_unmerges(mnt):
    two_vms(mnt, size='1M')
    rss0 = mnt.status(1000)['RssAnon']
    mnt.write(KSM + 'pages_to_scan', '1000')
    mnt.write(KSM + 'run', '1')
    scan(mnt, 2)
    assert ksm(mnt, 'pages_sharing') > 0
    assert mnt.write(KSM + 'run', '2') == (True, 0)
    assert ksm(mnt, 'pages_shared') == 0 and ksm(mnt, 'pages_sharing') == 0
    assert ksm(mnt, 'full_scans') == 0
    assert mnt.status(1000)['RssAnon'] == rss0
    assert int(mnt.read('proc/1000/ksm_merging_pages')) == 0


def test_fork_and_swap_keep_counts(mnt):
    two_vms(mnt, size='1M')
    mnt.write(KSM + 'pages_to_scan', '1000')
    mnt.write(KSM + 'run', '1')
    scan(mnt, 2)
    child = int(mnt.pctl(1000, 'fork pid=1002'))
    assert child == 1002
    scan(mnt, 2)
    # the child's mappings join its parent's KSM pages past
    # max_page_sharing (a KSM fork)
    assert ksm(mnt, 'pages_shared') == 2 and ksm(mnt, 'pages_sharing') == 3 * 256 - 2
    mnt.pctl(1001, 'madvise img pageout')
    mnt.pctl(1000, 'madvise img pageout')
    mnt.pctl(1002, 'madvise img pageout')
    mnt.ctl('tick 1s')
    for pid in (1000, 1001, 1002):
        mnt.pctl(pid, 'read img')
    mnt.pctl(1002, 'exit')
    mnt.pctl(1000, 'exit')
    scan(mnt, 2)
    assert int(mnt.read('proc/1001/ksm_merging_pages')) <= 256


@pytest.mark.parametrize('name,value', [
    ('run', '3'), ('run', '-1'), ('run', 'x'), ('sleep_millisecs', '-5'), ('pages_to_scan', 'abc'),
    ('max_page_sharing', '1'), ('merge_across_nodes', '2'), ('use_zero_pages', 'maybe'),
    ('smart_scan', 'x'), ('advisor_mode', 'fast'), ('advisor_target_scan_time', '0'),
    ('advisor_max_cpu', '-1')])
def test_bad_input_einval(mnt, name, value):
    before = mnt.read(KSM + name)
    assert mnt.write(KSM + name, value) == (False, errno.EINVAL)
    assert mnt.read(KSM + name) == before
    assert any(KSM.rstrip('/') in l or name in l for l in mnt.log_lines()[-2:])


def test_read_only_files(mnt):
    for name in ('pages_shared', 'pages_sharing', 'general_profit', 'full_scans'):
        assert mnt.write(KSM + name, '1') == (False, errno.EACCES)


def test_fill_and_prctl_refusals(mnt):
    mnt.ctl('spawn p pid=1000')
    mnt.pctl(1000, 'mmap 64K name=r')
    rss0 = mnt.status(1000)['RssAnon']
    assert mnt.pctl_raw(1000, 'write r fill=bogus')[0] == errno.EINVAL
    assert mnt.pctl_raw(1000, 'write r fill=%d' % (1 << 62))[0] == errno.EINVAL
    assert mnt.pctl_raw(1000, 'prctl memory_merge 2')[0] == errno.EINVAL
    assert mnt.pctl_raw(1000, 'prctl bogus 1')[0] == errno.EINVAL
    assert mnt.status(1000)['RssAnon'] == rss0


def test_max_page_sharing_busy_while_merged(mnt):
    two_vms(mnt, size='64K')
    mnt.write(KSM + 'run', '1')
    scan(mnt, 2)
    assert ksm(mnt, 'pages_shared') == 1
    assert mnt.write(KSM + 'max_page_sharing', '10') == (False, errno.EBUSY)
    mnt.write(KSM + 'run', '2')
    assert mnt.write(KSM + 'max_page_sharing', '10') == (True, 0)
