"""sim/explain/: each file's formula, filled in with the engine's operands,
ends in "result: FILE KEY VALUE" lines, and each value is what the real
file FILE shows, after commands that move it: allocations, page cache
reads, swap, forks, sysctl writes, reclaim."""
import re

import pytest

RESULT = re.compile(r'^result: (\S+) (.*)$', re.M)


def results(m, rel):
    text = m.read(rel)
    found = RESULT.findall(text)
    return text, found


def zoneinfo(m):
    """{(node, zone): {key: value}} with 'protection' the whole "(...)"."""
    zones, cur = {}, None
    for line in m.read('proc/zoneinfo').split('\n'):
        hdr = re.match(r'Node (\d+), zone\s+(\S+)', line)
        if hdr:
            cur = zones.setdefault((int(hdr.group(1)), hdr.group(2)), {})
            continue
        f = line.split(None, 1)
        if cur is None or len(f) < 2:
            continue
        if f[0] == 'protection:':
            cur['protection'] = f[1]
        elif f[0] in ('min', 'low', 'high', 'promo', 'boost', 'managed'):
            cur[f[0]] = int(f[1])
    return zones


def extfrag(m, name):
    """{(node, zone): [value per order]} of a debugfs extfrag file."""
    out = {}
    for line in m.read('sys/kernel/debug/extfrag/' + name).splitlines():
        hdr = re.match(r'Node (\d+), zone\s+(\S+)\s+(.*)$', line)
        out[(int(hdr.group(1)), hdr.group(2))] = [float(v) for v in hdr.group(3).split()]
    return out


def smaps_pss(m, pid):
    """{"start-end": Pss kB} of proc/PID/smaps."""
    out, cur = {}, None
    for line in m.read('proc/%d/smaps' % pid).splitlines():
        hdr = re.match(r'^([0-9a-f]+-[0-9a-f]+) ', line)
        if hdr:
            cur = hdr.group(1)
        elif line.startswith('Pss:'):
            out[cur] = int(line.split()[1])
    return out


def check_meminfo(m):
    lines = m.read('proc/meminfo').splitlines()
    for name in ('MemAvailable', 'CommitLimit', 'Committed_AS'):
        _, res = results(m, 'sim/explain/meminfo/' + name)
        assert len(res) == 1 and res[0][0] == 'proc/meminfo', res
        assert res[0][1].startswith(name + ':')
        assert res[0][1] in lines, (res, name)


def check_zoneinfo(m):
    zones = zoneinfo(m)
    _, res = results(m, 'sim/explain/zoneinfo/watermarks')
    seen = set()
    for f, kv in res:
        assert f == 'proc/zoneinfo'
        mo = re.match(r'Node (\d+), zone (\S+): (min|low|high|promo) (\d+)$', kv)
        key = (int(mo.group(1)), mo.group(2))
        assert zones[key][mo.group(3)] == int(mo.group(4)), (kv, zones[key])
        seen.add(key)
    assert seen == set(zones)
    _, res = results(m, 'sim/explain/zoneinfo/protection')
    seen = set()
    for f, kv in res:
        mo = re.match(r'Node (\d+), zone (\S+): protection: (\(.*\))$', kv)
        key = (int(mo.group(1)), mo.group(2))
        assert zones[key]['protection'] == mo.group(3), (kv, zones[key])
        seen.add(key)
    assert seen == set(zones)


def check_vmstat(m):
    lines = m.read('proc/vmstat').splitlines()
    for name in ('nr_dirty_threshold', 'nr_dirty_background_threshold'):
        _, res = results(m, 'sim/explain/vmstat/' + name)
        assert res == [(f, v) for f, v in res if f == 'proc/vmstat'] and len(res) == 1
        assert res[0][1].split()[0] == name and res[0][1] in lines, res


def check_extfrag(m):
    for name in ('extfrag_index', 'unusable_index'):
        real = extfrag(m, name)
        _, res = results(m, 'sim/explain/extfrag/' + name)
        got = {}
        for f, kv in res:
            assert f == 'sys/kernel/debug/extfrag/' + name
            mo = re.match(r'Node (\d+), zone (\S+): order (\d+) (-?\d+\.\d{3})$', kv)
            got.setdefault((int(mo.group(1)), mo.group(2)), []).append(float(mo.group(4)))
        assert got == real, name


def check_pid(m, pid):
    _, res = results(m, 'sim/explain/%d/oom_score' % pid)
    assert res == [('proc/%d/oom_score' % pid, m.read('proc/%d/oom_score' % pid).strip())]
    _, res = results(m, 'sim/explain/%d/Pss' % pid)
    real = smaps_pss(m, pid)
    got = {}
    for f, kv in res:
        assert f == 'proc/%d/smaps' % pid
        mo = re.match(r'([0-9a-f]+-[0-9a-f]+) Pss: (\d+) kB$', kv)
        got[mo.group(1)] = int(mo.group(2))
    # every VMA but the gate VMA (vsyscall), which has no page of its own
    real.pop('ffffffffff600000-ffffffffff601000', None)
    assert got == real


def check_all(m):
    check_meminfo(m)
    check_zoneinfo(m)
    check_vmstat(m)
    check_extfrag(m)
    for pid in m.pids():
        check_pid(m, pid)


@pytest.fixture
def machine(mount):
    m = mount('--machine=small', '--swap=512M')
    m.ctl('spawn web pid=1000')
    m.ctl('file /data/log 64M')
    return m


def test_every_result_is_the_real_files_value_as_things_move(machine):
    m = machine
    check_all(m)
    # anonymous memory and page cache
    m.pctl(1000, 'mmap 64M name=heap')
    m.pctl(1000, 'write heap')
    assert m.pctl(1000, 'pread /data/log 0 32M') == '%d\n' % (32 << 20)
    check_all(m)
    # a fork shares the heap: Pss halves, oom_score follows
    m.pctl(1000, 'fork pid=1001')
    assert m.write('proc/1001/oom_score_adj', '500\n') == (True, 0)
    check_all(m)
    # swap out part of the heap
    assert m.pctl(1000, 'mmap 16M name=cold') is not None
    m.pctl(1000, 'write cold')
    assert m.pctl(1000, 'madvise cold pageout') == 'ok\n'
    m.ctl('tick 1s')
    check_all(m)
    # the sysctls behind the formulas
    for knob, val in [('min_free_kbytes', '20000'), ('watermark_scale_factor', '200'),
                      ('lowmem_reserve_ratio', '256 128 64 1 1'), ('dirty_ratio', '7'),
                      ('dirty_background_bytes', '4000000'), ('overcommit_ratio', '80'),
                      ('nr_hugepages', '16'), ('overcommit_kbytes', '300000'), ('dirty_bytes', '9000000')]:
        ok, err = m.write('proc/sys/vm/' + knob, val + '\n')
        assert ok, (knob, err)
        check_all(m)


def test_the_explanations_name_the_operands(machine):
    m = machine
    m.pctl(1000, 'mmap 8M name=buf')
    m.pctl(1000, 'write buf')
    text = m.read('sim/explain/meminfo/MemAvailable')
    assert 'si_mem_available' in text and 'NR_FREE_PAGES - totalreserve_pages' in text
    mi = m.meminfo()
    # the free pages the formula starts from are MemFree's
    assert re.search(r'= %d - \d+ = ' % (mi['MemFree'] // 4), text), text
    text = m.read('sim/explain/1000/oom_score')
    st = m.status(1000)
    rss_pages = st['VmRSS'] // 4
    assert '= %d + 0 + ' % rss_pages in text, text
    text = m.read('sim/explain/1000/Pss')
    assert '2048 pages mapped 1 time: 2048 * 4096 / 1 = 8388608 bytes' in text, text


def test_committed_as_lists_each_process(machine):
    m = machine
    m.pctl(1000, 'mmap 100M name=a')
    m.ctl('spawn db pid=1002')
    m.pctl(1002, 'mmap 40M name=b')
    text = m.read('sim/explain/meminfo/Committed_AS')
    rows = re.findall(r'^\s+(\d+) (\S+)\s+(\d+)$', text, re.M)
    total = int(re.search(r'vm_committed_as = the sum above = (\d+) pages', text).group(1))
    assert sum(int(r[2]) for r in rows) == total
    assert total * 4 == m.meminfo()['Committed_AS']
    mine = {int(p): int(c) for p, _, c in rows}
    assert mine[1002] - 40 * 256 >= 0 and mine[1000] >= 100 * 256


def test_dirtyable_memory_is_free_above_the_reserve_plus_the_file_lru(mount):
    """global_dirtyable_memory takes totalreserve_pages from the free pages
    only: when they are below the reserve, only the file LRU counts (the
    model used to take the reserve from free + file LRU)."""
    m = mount('--machine=small', '--swap=0')
    m.ctl('spawn io pid=1000')
    m.ctl('file /data/f 128M')
    m.pctl(1000, 'pread /data/f 0 128M')
    # a reserve larger than what is free
    assert m.write('proc/sys/vm/min_free_kbytes', '900000\n') == (True, 0)
    mi, vm = m.meminfo(), m.vmstat()
    text = m.read('sim/explain/vmstat/nr_dirty_threshold')
    reserve = int(re.search(r'= \d+ - min\(\d+, (\d+)\)', text).group(1))
    assert mi['MemFree'] // 4 < reserve
    file_lru = (mi['Active(file)'] + mi['Inactive(file)']) // 4
    assert vm['nr_dirty_threshold'] == (20 * 4096 // 100) * (file_lru + 1) // 4096
    check_vmstat(m)


def test_get_scan_count_records_the_last_reclaim(mount):
    m = mount('--machine=small', '--swap=1G')
    text = m.read('sim/explain/vmscan/get_scan_count')
    assert 'Node 0: no reclaim yet' in text
    m.ctl('spawn hog pid=1000')
    m.ctl('file /data/f 256M')
    m.pctl(1000, 'pread /data/f 0 256M')
    m.pctl(1000, 'mmap 900M name=big')
    assert m.pctl(1000, 'write big') == 'ok\n'
    text = m.read('sim/explain/vmscan/get_scan_count')
    mo = re.search(r'Node 0: pass (\d+) at [\d.]+ s by (kswapd|direct reclaim), priority (\d+), swappiness (\d+)',
                   text)
    assert mo, text
    assert int(mo.group(4)) == 60
    vm = m.vmstat()
    assert vm['pgscan_kswapd'] + vm['pgscan_direct'] > 0
    prio = int(mo.group(3))
    sizes = {l: (int(s), int(t)) for l, s, t in
             re.findall(r'^  (\w+_(?:anon|file))\s*: size (\d+) >> priority \d+ = \d+.*= (\d+)$', text, re.M)}
    assert len(sizes) == 4, text
    bal = re.search(r'balance: (SCAN_\w+)', text).group(1)
    if bal == 'SCAN_FRACT':
        fa = int(re.search(r'fraction\[anon\] = .* = (\d+)\n', text).group(1))
        ff = int(re.search(r'fraction\[file\] = .* = (\d+)\n', text).group(1))
        for lru, (size, target) in sizes.items():
            frac = ff if lru.endswith('file') else fa
            assert target == (size >> prio) * frac // (fa + ff), (lru, text)
    # no swap: only the file lists are scanned
    m2 = mount('--machine=small', '--swap=0')
    m2.ctl('spawn hog pid=1000')
    m2.ctl('file /data/f 512M')
    m2.pctl(1000, 'pread /data/f 0 512M')
    m2.pctl(1000, 'mmap 500M name=big')
    m2.pctl(1000, 'write big')
    text = m2.read('sim/explain/vmscan/get_scan_count')
    assert 'balance: SCAN_FILE, because anon pages cannot be reclaimed' in text, text
    assert re.search(r'inactive_anon: .*not scanned = 0', text), text


def test_readahead_window_after_sequential_reads(machine):
    m = machine
    text = m.read('sim/explain/1000/readahead')
    assert 'no open file' in text
    for i in range(5):
        m.pctl(1000, 'pread /data/log %d 4K' % (i * 4096))
    text = m.read('sim/explain/1000/readahead')
    mo = re.search(r'window: start (\d+), size (\d+), async_size (\d+)', text)
    start, size, async_size = map(int, mo.groups())
    # as in test_files: the first read opens pages 0..3 (mark on 1), the
    # second hits the mark: 4..11 (mark on 4), the fifth: 12..27
    assert (start, size, async_size) == (12, 16, 16), text
    assert 'page_cache_async_ra, the PG_readahead mark' in text
    assert 'get_next_ra_size(8, max 32) = 16' in text
    # the window is what the page cache holds of the file
    files = m.read('sim/files').splitlines()
    row = [r.split() for r in files if r.endswith('/data/log')][0]
    assert int(row[3]) == start + size
    # a jump far ahead: a random read, no history before it
    m.pctl(1000, 'pread /data/log %d 4K' % (1000 * 4096))
    text = m.read('sim/explain/1000/readahead')
    assert 'page_cache_sync_ra' in text, text


def test_explain_pid_dirs_follow_the_processes(machine):
    m = machine
    import os
    assert '1000' in os.listdir(m.abs('sim/explain'))
    m.ctl('spawn tmp pid=1005')
    assert m.read('sim/explain/1005/oom_score').startswith('oom_score of 1005 (tmp)')
    m.pctl(1005, 'exit')
    assert m.lstat_errno('sim/explain/1005/oom_score') == 2
    assert m.lstat_errno('sim/explain/4242') == 2
    assert '1005' not in os.listdir(m.abs('sim/explain'))


def test_explanations_are_deterministic(mount):
    """Same commands, same seed: byte-identical explanations, the last
    reclaim's and the readahead windows included."""
    def run():
        m = mount('--machine=small', '--swap=256M', '--seed=7')
        m.ctl('spawn hog pid=1000')
        m.ctl('file /data/f 128M')
        m.pctl(1000, 'pread /data/f 0 128M')
        m.pctl(1000, 'mmap 900M name=big')
        m.pctl(1000, 'write big')
        m.pctl(1000, 'fork pid=1001')
        return m.snapshot(skip=('proc/', 'sys/'))
    a, b = run(), run()
    assert [p for p in a if p.startswith('sim/explain/')], a.keys()
    assert b'Node 0: pass ' in a['sim/explain/vmscan/get_scan_count']
    assert b'window: start ' in a['sim/explain/1000/readahead']
    assert a == b
