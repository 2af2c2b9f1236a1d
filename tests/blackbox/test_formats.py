"""Formats follow Linux 6.18's /proc and /sys as pinned in tests/ref (never
the running kernel's): the same keys in the same order, the same units,
the same spacing."""
import os
import re

import pytest

from conftest import (REPO, PageTypeInfo, format_buddyinfo, format_pagetypeinfo, parse_buddyinfo,
                      parse_list, parse_uptime, parse_zoneinfo, ref)


def keys_colon(text, prefix_re=''):
    return [re.match(prefix_re + r'([^:]+):', line).group(1) for line in text.splitlines()]


def check_kb_spacing(sim_text, ref_text, prefix_re=''):
    """Each sim line has the reference line's key, unit, and (where the
    reference's number did not overflow its field) the same right-aligned
    column."""
    rx = re.compile(r'^(' + prefix_re + r'[^:]+:)( +)(\d+)( kB)?$')
    refs = {}
    for line in ref_text.splitlines():
        m = rx.match(line)
        assert m, 'reference line %r' % line
        refs[re.sub(r'^Node \d+ ', '', m.group(1))] = m
    for line in sim_text.splitlines():
        m = rx.match(line)
        assert m, 'bad line %r' % line
        key, pad, num, unit = m.groups()
        rm = refs[re.sub(r'^Node \d+ ', '', key)]
        assert unit == rm.group(4), '%s: unit %r, Linux has %r' % (key, unit, rm.group(4))
        ref_end = len(rm.group(1)) + len(rm.group(2)) + len(rm.group(3))
        if len(rm.group(2)) > 1:      # the reference's field did not overflow
            want_end = max(ref_end, len(key) + 1 + len(num))
            assert len(key) + len(pad) + len(num) == want_end, \
                'misaligned %r (Linux: %r)' % (line, rm.group(0))


def test_meminfo_keys_match_linux(mnt):
    h = ref('meminfo')
    s = mnt.read('proc/meminfo')
    assert keys_colon(s) == keys_colon(h)
    check_kb_spacing(s, h)


def preset_without_pdpe1gb(tmp_path):
    """machines/default.conf with a CPU that has no 1 GiB pages."""
    with open(os.path.join(REPO, 'machines', 'default.conf'), encoding='utf-8') as f:
        text = f.read()
    assert 'pdpe1gb=true\n' in text
    path = tmp_path / 'nogbpages.conf'
    path.write_text(text.replace('pdpe1gb=true\n', 'pdpe1gb=false\n'))
    return str(path)


def cpuinfo_flags(text):
    """The flags of each cpu block, as lists."""
    out = []
    for line in text.splitlines():
        if line.startswith('flags'):
            assert re.fullmatch(r'flags\t\t:( [a-z0-9_]+)+', line), line
            out.append(line.split(':', 1)[1].split())
    return out


def test_cpu_without_1g_pages(mnt, mount, tmp_path):
    """pdpe1gb=false: cpuinfo loses the flag, and the direct map, which
    can no longer use 1G pages, covers the same RAM with 2M pages; meminfo
    then has no DirectMap1G line (arch_report_meminfo)."""
    m = mount('--machine=' + preset_without_pdpe1gb(tmp_path))
    with_gb, without = cpuinfo_flags(mnt.read('proc/cpuinfo')), cpuinfo_flags(m.read('proc/cpuinfo'))
    assert len(with_gb) == len(without) == len(mnt.cpus())
    for a, b in zip(with_gb, without):
        assert 'pdpe1gb' in a and 'pdpe1gb' not in b
        assert [f for f in a if f != 'pdpe1gb'] == b
    text = m.read('proc/meminfo')
    assert keys_colon(text) == [k for k in keys_colon(ref('meminfo')) if k != 'DirectMap1G']
    check_kb_spacing(text, ref('meminfo'))
    a, b = mnt.meminfo(), m.meminfo()
    assert a['DirectMap1G'] > 0
    assert b['DirectMap4k'] == a['DirectMap4k']
    assert b['DirectMap2M'] == a['DirectMap2M'] + a['DirectMap1G']
    assert b['MemTotal'] == a['MemTotal']
    # the per-node files never had DirectMap lines
    for n in m.nodes():
        assert m.read('sys/devices/system/node/node%d/meminfo' % n) == \
            mnt.read('sys/devices/system/node/node%d/meminfo' % n)
    assert 'pdpe1gb=false' in m.read('sim/machine').splitlines()
    assert 'pdpe1gb=true' in mnt.read('sim/machine').splitlines()


@pytest.mark.parametrize('mem', ['3G', '6G'])
def test_direct_map_covers_ram_with_or_without_1g_pages(mount, tmp_path, mem):
    """The same bytes are mapped either way: what 1G pages map with
    pdpe1gb, 2M pages map without it; the 4k head and tails stay."""
    got = {}
    for gb in ('true', 'false'):
        path = tmp_path / ('gb-%s.conf' % gb)
        path.write_text('[machine]\nmem=%s\nnodes=2\npdpe1gb=%s\n' % (mem, gb))
        got[gb] = mount('--machine=%s' % path).meminfo()
    a, b = got['true'], got['false']
    assert 'DirectMap1G' not in b and a['DirectMap1G'] > 0
    assert a['DirectMap4k'] == b['DirectMap4k'] > 0
    assert a['DirectMap1G'] % (1 << 20) == 0 and b['DirectMap2M'] % 2048 == 0
    assert b['DirectMap2M'] == a['DirectMap2M'] + a['DirectMap1G']


def test_pdpe1gb_must_be_a_boolean(run_mmsimd, tmp_path):
    bad = tmp_path / 'bad.conf'
    bad.write_text('[machine]\npdpe1gb=maybe\n')
    r = run_mmsimd('--machine=%s' % bad, '{DIR}')
    assert r.returncode == 2 and 'pdpe1gb' in r.stderr and not r.mounted


def test_vmstat_keys_match_linux(mnt):
    h = ref('vmstat')
    s = mnt.read('proc/vmstat')
    for line in s.splitlines():
        assert re.fullmatch(r'[a-z0-9_]+ \d+', line), 'bad vmstat line %r' % line
    assert [l.split()[0] for l in s.splitlines()] == [l.split()[0] for l in h.splitlines()]


def test_node_meminfo_keys_match_linux(mnt):
    h = ref('node0/meminfo')
    for n in mnt.nodes():
        s = mnt.read('sys/devices/system/node/node%d/meminfo' % n)
        for line in s.splitlines():
            assert line.startswith('Node %d ' % n), line
        assert keys_colon(s, r'Node \d+ ') == keys_colon(h, r'Node \d+ ')
        check_kb_spacing(s.replace('Node %d ' % n, 'Node 0 '), h, r'Node \d+ ')


@pytest.mark.parametrize('name', ['numastat', 'vmstat'])
def test_node_counters_match_linux(mnt, name):
    h = ref('node0/' + name)
    for n in mnt.nodes():
        s = mnt.read('sys/devices/system/node/node%d/%s' % (n, name))
        for line in s.splitlines():
            assert re.fullmatch(r'[a-z0-9_]+ \d+', line), 'bad line %r' % line
        assert [l.split()[0] for l in s.splitlines()] == [l.split()[0] for l in h.splitlines()]


def test_zoneinfo_keys_match_linux(mnt):
    hz, hn = parse_zoneinfo(ref('zoneinfo'))
    sz, sn = parse_zoneinfo(mnt.read('proc/zoneinfo'))
    hpop = next(z for z in hz if z.populated)
    first = next(iter(hn.values()))
    for node, stats in sn.items():
        assert list(stats) == list(first), 'node %d per-node stats keys differ from Linux' % node
    assert set(sn) == set(mnt.nodes())
    for z in sz:
        assert list(z.fields) == list(hpop.fields), (z.node, z.name)
        assert len(z.protection) == len(hpop.protection)
        if z.populated:
            assert list(z.stats) == list(hpop.stats), (z.node, z.name)
            assert [p['cpu'] for p in z.pagesets] == mnt.cpus()
            for p in z.pagesets:
                assert set(p) == set(hpop.pagesets[0]), p
            assert list(z.tail) == ['node_unreclaimable', 'start_pfn']
        else:
            assert not z.stats and not z.pagesets


def test_zoneinfo_lists_every_zone_of_every_node(mnt):
    """Linux prints all zones of a node, populated or not (only the
    populated ones get stats), in zone order."""
    zones, _ = parse_zoneinfo(mnt.read('proc/zoneinfo'))
    hz, _ = parse_zoneinfo(ref('zoneinfo'))
    hnames = [z.name for z in hz if z.node == hz[0].node]
    want = [(n, name) for n in mnt.nodes() for name in hnames]
    assert [(z.node, z.name) for z in zones] == want


def test_zoneinfo_exact_spacing(mnt):
    text = mnt.read('proc/zoneinfo')
    for line in text.splitlines():
        ok = (re.fullmatch(r'Node \d+, zone [ A-Za-z0-9]{8}', line)
              or re.fullmatch(r'  per-node stats', line)
              or re.fullmatch(r'      \w+ {1,}\d+', line)
              or re.fullmatch(r'  pages free     \d+', line)
              or re.fullmatch(r'        (boost|min|low|high|promo|spanned|present|managed|cma) {1,}\d+', line)
              or re.fullmatch(r'        protection: \(\d+(, \d+)*\)', line)
              or re.fullmatch(r'  pagesets', line)
              or re.fullmatch(r'    cpu: \d+', line)
              or re.fullmatch(r'              (count|high|batch|high_min|high_max): +\d+', line)
              or re.fullmatch(r'  vm stats threshold: \d+', line)
              or re.fullmatch(r'  node_unreclaimable:  \d', line)
              or re.fullmatch(r'  start_pfn:           \d+', line))
        assert ok, 'unexpected zoneinfo line %r' % line
    # "%-12s %lu" for the counters, "%-8s %lu" style for the watermarks
    for m in re.finditer(r'^      (\w+)( +)(\d+)$', text, re.M):
        assert len(m.group(1)) + len(m.group(2)) == max(13, len(m.group(1)) + 1), m.group(0)


def test_buddyinfo_exact_format(mnt):
    text = mnt.read('proc/buddyinfo')
    bi = parse_buddyinfo(text)
    assert format_buddyinfo(bi) == text
    for counts in bi.values():
        assert len(counts) == 11
    # populated zones only, in node then zone order
    zones, _ = parse_zoneinfo(mnt.read('proc/zoneinfo'))
    assert list(bi) == [(z.node, z.name) for z in zones if z.populated]


def test_pagetypeinfo_exact_format(mnt):
    text = mnt.read('proc/pagetypeinfo')
    pt = PageTypeInfo(text)
    assert format_pagetypeinfo(pt) == text
    assert pt.pageblock_order == 9 and pt.pages_per_block == 512
    assert pt.types == ['Unmovable', 'Movable', 'Reclaimable', 'HighAtomic', 'Isolate']
    assert pt.block_types == pt.types
    h = ref('pagetypeinfo')
    assert PageTypeInfo(h).types == pt.types
    bi = parse_buddyinfo(mnt.read('proc/buddyinfo'))
    assert list(pt.blocks) == list(bi)
    assert pt.nodes == sorted({n for n, _z in bi})
    # per order, the migratetype lists add up to buddyinfo
    for (n, z), counts in bi.items():
        for o in range(11):
            assert sum(pt.free[(n, z, t)][o] for t in pt.types) == counts[o], (n, z, o)


def test_pageblocks_cover_the_zone(mnt):
    """Number of blocks type: the zone's span in pageblocks (as
    pagetypeinfo_showblockcount walks it)."""
    pt = PageTypeInfo(mnt.read('proc/pagetypeinfo'))
    zones, _ = parse_zoneinfo(mnt.read('proc/zoneinfo'))
    for z in zones:
        if not z.populated:
            continue
        got = sum(pt.blocks[(z.node, z.name)].values())
        most = (z['spanned'] + 511) // 512
        assert z['present'] // 512 <= got <= most, (z.node, z.name, got, z['present'], most)


def test_uptime_format(mnt):
    up, idle = parse_uptime(mnt.read('proc/uptime'))
    assert up >= 0 and idle >= 0


def test_loadavg_format(mnt):
    assert re.fullmatch(r'\d+\.\d\d \d+\.\d\d \d+\.\d\d \d+/\d+ \d+\n', mnt.read('proc/loadavg'))


def test_stat_format(mnt):
    text = mnt.read('proc/stat')
    lines = text.splitlines()
    assert re.fullmatch(r'cpu  \d+( \d+){9}', lines[0]), lines[0]
    cpus = mnt.cpus()
    for i, c in enumerate(cpus):
        assert re.fullmatch(r'cpu%d \d+( \d+){9}' % c, lines[1 + i]), lines[1 + i]
    keys = [l.split()[0] for l in lines[1 + len(cpus):]]
    for k in ('intr', 'ctxt', 'btime', 'processes', 'procs_running', 'procs_blocked'):
        assert k in keys, k
    rlines = ref('stat').splitlines()
    rkeys = [l.split()[0] for l in rlines if not re.match(r'cpu', l)]
    assert keys == rkeys
    # softirq: the total and one column per NR_SOFTIRQS
    assert len(lines[-1].split()) == len(rlines[-1].split())
    # the cpu line is the sum of the cpuN lines
    tot = [int(x) for x in lines[0].split()[1:]]
    per = [[int(x) for x in lines[1 + i].split()[1:]] for i in range(len(cpus))]
    assert tot == [sum(col) for col in zip(*per)]


def test_cpuinfo_blocks(mnt):
    text = mnt.read('proc/cpuinfo')
    assert text.endswith('\n\n')
    blocks = [b for b in text.split('\n\n') if b.strip()]
    assert len(blocks) == len(mnt.cpus())
    for i, b in enumerate(blocks):
        d = {}
        for line in b.splitlines():
            k, _, v = line.partition(':')
            d[k.strip()] = v.strip()
        assert d['processor'] == str(i)
        assert 'core id' in d and 'physical id' in d and 'model name' in d
    # an Intel part's block: Linux's keys, tabs and order
    want = [l.split(':')[0] for l in ref('cpuinfo').split('\n\n')[0].splitlines()]
    for b in blocks:
        assert [l.split(':')[0] for l in b.splitlines()] == want


@pytest.mark.parametrize('res', ['memory', 'cpu', 'io'])
def test_pressure_format(mnt, res):
    text = mnt.read('proc/pressure/' + res)
    lines = text.splitlines()
    assert [l.split()[0] for l in lines] == ['some', 'full']
    for l in lines:
        assert re.fullmatch(r'(some|full) avg10=\d+\.\d\d avg60=\d+\.\d\d avg300=\d+\.\d\d total=\d+', l), l


def test_node_and_cpu_lists(mount):
    m = mount('--nodes=3', '--cpus=5', '--mem=3G')
    for f in ('online', 'possible', 'has_memory', 'has_normal_memory'):
        assert m.read('sys/devices/system/node/' + f) == '0-2\n', f
    for f in ('online', 'possible', 'present'):
        assert m.read('sys/devices/system/cpu/' + f) == '0-4\n', f
    cpulists = [parse_list(m.read('sys/devices/system/node/node%d/cpulist' % n)) for n in range(3)]
    assert sorted(c for cl in cpulists for c in cl) == list(range(5)), cpulists
    for n in range(3):
        mask = int(m.read('sys/devices/system/node/node%d/cpumap' % n).strip().replace(',', ''), 16)
        assert mask == sum(1 << c for c in cpulists[n]), (n, cpulists[n])
        dist = [int(x) for x in m.read('sys/devices/system/node/node%d/distance' % n).split()]
        assert len(dist) == 3 and dist[n] == 10 and all(d > 10 for i, d in enumerate(dist) if i != n)
    assert os.path.isdir(m.abs('sys/devices/system/cpu/cpu4'))
    assert not os.path.exists(m.abs('sys/devices/system/cpu/cpu5'))
    assert not os.path.exists(m.abs('sys/devices/system/node/node3'))
