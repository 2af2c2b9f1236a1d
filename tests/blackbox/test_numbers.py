"""Numbers agree across files, and the watermarks, lowmem reserves and
min_free_kbytes follow the kernel's formulas (mm/page_alloc.c)."""
import math
import subprocess

import pytest

from conftest import PageTypeInfo, parse_buddyinfo, parse_kv, parse_list, parse_zoneinfo, ref

MAX_NR_ZONES = 5


def buddy_pages(counts):
    return sum(c << o for o, c in enumerate(counts))


def zones_of(m):
    return parse_zoneinfo(m.read('proc/zoneinfo'))[0]


def sysctl(m, name):
    return m.read('proc/sys/vm/' + name)


def set_sysctl(m, name, value):
    ok, err = m.write('proc/sys/vm/' + name, '%s\n' % value)
    assert ok, 'writing %r to %s failed: %s' % (value, name, err)


def check_free_sums(m):
    mi = m.meminfo()
    bi = parse_buddyinfo(m.read('proc/buddyinfo'))
    zones = zones_of(m)
    assert sum(buddy_pages(c) for c in bi.values()) * 4 == mi['MemFree']
    for z in zones:
        if z.populated:
            assert buddy_pages(bi[(z.node, z.name)]) == z['pages free'], (z.node, z.name)
            assert z.stats['nr_free_pages'] == z['pages free'], (z.node, z.name)
        else:
            assert z['pages free'] == 0
    vm = dict((l.split()[0], int(l.split()[1])) for l in m.read('proc/vmstat').splitlines())
    assert vm['nr_free_pages'] * 4 == mi['MemFree']


def test_buddyinfo_sums_to_memfree_and_zoneinfo(mnt):
    check_free_sums(mnt)


def test_buddyinfo_sums_after_allocations(mnt):
    for cmd in ('alloc_pages 0 count=7', 'alloc_pages 3 count=3 type=unmovable',
                'alloc_pages 9 type=reclaimable node=1', 'alloc_pages 10 count=2'):
        mnt.ctl(cmd)
        check_free_sums(mnt)
    mnt.ctl('drain_pages')
    check_free_sums(mnt)


def test_memtotal_is_managed_pages(mnt):
    """MemTotal is totalram_pages(): the zones' managed pages."""
    mi = mnt.meminfo()
    zones = zones_of(mnt)
    assert sum(z['managed'] for z in zones) * 4 == mi['MemTotal']
    for z in zones:
        assert z['managed'] <= z['present'] <= z['spanned'], (z.node, z.name)
        assert z['pages free'] <= z['managed']


def test_node_meminfo_sums(mnt):
    mi = mnt.meminfo()
    zones = zones_of(mnt)
    bi = parse_buddyinfo(mnt.read('proc/buddyinfo'))
    tot = free = 0
    for n in mnt.nodes():
        d = parse_kv('\n'.join(l.split(' ', 2)[2] for l in
                               mnt.read('sys/devices/system/node/node%d/meminfo' % n).splitlines()))
        assert d['MemTotal'] == 4 * sum(z['managed'] for z in zones if z.node == n)
        assert d['MemFree'] == 4 * sum(buddy_pages(c) for (nn, _z), c in bi.items() if nn == n)
        assert d['MemUsed'] == d['MemTotal'] - d['MemFree']
        tot += d['MemTotal']
        free += d['MemFree']
    assert tot == mi['MemTotal'] and free == mi['MemFree']


def test_meminfo_is_sane(mnt):
    mi = mnt.meminfo()
    assert 0 < mi['MemFree'] <= mi['MemTotal']
    assert mi['MemAvailable'] <= mi['MemTotal']
    # 8 GiB machine, less the memblock reservations and the memmap
    assert 7 * 1024 * 1024 < mi['MemTotal'] < 8 * 1024 * 1024


def test_numastat_counts_allocations(mnt):
    def hits(n):
        d = dict(l.split() for l in mnt.read('sys/devices/system/node/node%d/numastat' % n).splitlines())
        return int(d['numa_hit']), int(d['local_node'])
    before = hits(1)
    mnt.ctl('alloc_pages 4 node=1 count=3')
    after = hits(1)
    assert after[0] >= before[0] + 3


# ---------------------------------------------------------------- watermarks

def lowmem_pages(zones):
    return sum(z['managed'] for z in zones if z.name != 'Movable')


def expected_wmarks(zones, min_free_kbytes, scale):
    """__setup_per_zone_wmarks()."""
    pages_min = min_free_kbytes >> 2
    lowmem = lowmem_pages(zones)
    out = {}
    for z in zones:
        managed = z['managed']
        tmp = pages_min * managed // lowmem
        if z.name == 'Movable':
            wmin = min(max(managed // 1024, 32), 128)
        else:
            wmin = tmp
        tmp = max(tmp >> 2, managed * scale // 10000)
        low = wmin + tmp
        high = low + tmp
        out[(z.node, z.name)] = (wmin, low, high, high + tmp)
    return out


def check_wmarks(m):
    zones = zones_of(m)
    mfk = int(sysctl(m, 'min_free_kbytes'))
    scale = int(sysctl(m, 'watermark_scale_factor'))
    pages_min = mfk >> 2
    nonmov = [z for z in zones if z.name != 'Movable']
    s = sum(z['min'] for z in nonmov)
    assert pages_min - len(nonmov) < s <= pages_min, \
        'sum of zone min %d for min_free_kbytes %d (pages_min %d)' % (s, mfk, pages_min)
    want = expected_wmarks(zones, mfk, scale)
    for z in zones:
        got = (z['min'], z['low'], z['high'], z['promo'])
        assert got == want[(z.node, z.name)], '%d/%s min/low/high/promo %s, expected %s' % (
            z.node, z.name, got, want[(z.node, z.name)])
        assert z['boost'] == 0
    check_pcp(m)


def test_min_watermarks_sum_to_min_free_kbytes(mnt):
    check_wmarks(mnt)


def test_min_free_kbytes_default_is_calculated(mnt):
    """calculate_min_free_kbytes(): sqrt(lowmem_kbytes * 16), clamped to
    128..262144, lowmem being the managed pages of the zones up to Normal;
    then THP, on at boot, raises it (set_recommended_min_free_kbytes: 11
    pageblocks per zone up to Normal, at most 5% of the pages above the
    high watermarks)."""
    zones = zones_of(mnt)
    lowmem_kb = 4 * sum(z['managed'] for z in zones if z.name in ('DMA', 'DMA32', 'Normal'))
    calc = min(max(math.isqrt(lowmem_kb * 16), 128), 262144)
    wmarks = expected_wmarks(zones, calc, int(sysctl(mnt, 'watermark_scale_factor')))
    low = [z for z in zones if z.name in ('DMA', 'DMA32', 'Normal') and z['present']]
    free_buffer_pages = sum(max(z['managed'] - wmarks[(z.node, z.name)][2], 0) for z in low)
    recommended = min(512 * len(low) * (2 + 3 * 3), free_buffer_pages // 20) * 4
    assert int(sysctl(mnt, 'min_free_kbytes')) == max(calc, recommended)


@pytest.mark.parametrize('value', [4096, 128, 65536, 1000, 0])
def test_min_watermarks_follow_min_free_kbytes(mnt, value):
    set_sysctl(mnt, 'min_free_kbytes', value)
    assert sysctl(mnt, 'min_free_kbytes') == '%d\n' % value
    check_wmarks(mnt)
    check_free_sums(mnt)


def test_echo_to_min_free_kbytes_through_a_shell(mnt):
    path = mnt.abs('proc/sys/vm/min_free_kbytes')
    r = subprocess.run(['sh', '-c', 'echo 4096 > "$1" && cat "$1"', 'sh', path],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert r.stdout == '4096\n'
    zones = zones_of(mnt)
    s = sum(z['min'] for z in zones if z.name != 'Movable')
    assert 1024 - len(zones) < s <= 1024


@pytest.mark.parametrize('value', [1, 200, 3000])
def test_watermarks_follow_scale_factor(mnt, value):
    set_sysctl(mnt, 'watermark_scale_factor', value)
    assert sysctl(mnt, 'watermark_scale_factor') == '%d\n' % value
    check_wmarks(mnt)


def expected_protection(zones, ratios):
    """setup_per_zone_lowmem_reserve()."""
    out = {}
    by_node = {}
    for z in zones:
        by_node.setdefault(z.node, []).append(z)
    for n, nz in by_node.items():
        assert len(nz) == MAX_NR_ZONES
        for i, z in enumerate(nz):
            prot = [0] * MAX_NR_ZONES
            if i < MAX_NR_ZONES - 1:
                ratio = ratios[i]
                managed = 0
                for j in range(i + 1, MAX_NR_ZONES):
                    managed += nz[j]['managed']
                    prot[j] = 0 if (not ratio or not z['managed']) else managed // ratio
            out[(n, z.name)] = prot
    return out


def check_protection(m):
    zones = zones_of(m)
    ratios = [int(x) for x in sysctl(m, 'lowmem_reserve_ratio').split()]
    want = expected_protection(zones, ratios)
    for z in zones:
        assert z.protection == want[(z.node, z.name)], '%d/%s protection %s, expected %s' % (
            z.node, z.name, z.protection, want[(z.node, z.name)])


def test_lowmem_reserve_default(mnt):
    text = sysctl(mnt, 'lowmem_reserve_ratio')
    assert text == ref('sys/vm/lowmem_reserve_ratio')
    check_protection(mnt)


def test_lowmem_reserve_follows_writes(mnt):
    set_sysctl(mnt, 'lowmem_reserve_ratio', '128 64 16 0 0')
    assert sysctl(mnt, 'lowmem_reserve_ratio') == '128\t64\t16\t0\t0\n'
    check_protection(mnt)
    # a ratio below 1 means 0: no reserve
    set_sysctl(mnt, 'lowmem_reserve_ratio', '0 1 0 0 0')
    assert sysctl(mnt, 'lowmem_reserve_ratio') == '0\t1\t0\t0\t0\n'
    check_protection(mnt)


def zone_batchsize(managed):
    batch = min(managed >> 10, (1 << 20) // 4096) // 4
    batch = max(batch, 1)
    batch = 1 << ((batch + batch // 2).bit_length() - 1)    # rounddown_pow_of_two
    return max(1, batch - 1)


def check_pcp(m):
    """zone_set_pageset_high_and_batch() / zone_highsize()."""
    fraction = int(sysctl(m, 'percpu_pagelist_high_fraction'))
    zones = zones_of(m)
    for z in zones:
        if not z.populated:
            continue
        ncpu = len(parse_list(m.read('sys/devices/system/node/node%d/cpulist' % z.node))) \
            or len(m.cpus())
        batch = zone_batchsize(z['managed'])
        if fraction:
            high_min = high_max = max(z['managed'] // fraction // ncpu, batch * 4)
        else:
            high_min = max(z['low'] // ncpu, batch * 4)
            high_max = max(z['managed'] // 8 // ncpu, batch * 4)
        for p in z.pagesets:
            got = (p['batch'], p['high_min'], p['high_max'])
            assert got == (batch, high_min, high_max), \
                '%d/%s cpu %d batch/high_min/high_max %s, expected %s (fraction %d)' % (
                    z.node, z.name, p['cpu'], got, (batch, high_min, high_max), fraction)


def test_pcp_batch_and_high(mnt):
    check_pcp(mnt)


@pytest.mark.parametrize('fraction', [8, 100])
def test_percpu_pagelist_high_fraction(mnt, fraction):
    set_sysctl(mnt, 'percpu_pagelist_high_fraction', fraction)
    assert sysctl(mnt, 'percpu_pagelist_high_fraction') == '%d\n' % fraction
    check_pcp(mnt)
    set_sysctl(mnt, 'percpu_pagelist_high_fraction', 0)
    assert sysctl(mnt, 'percpu_pagelist_high_fraction') == '0\n'
    check_pcp(mnt)


def test_pagetypeinfo_blocks_cover_managed(mnt):
    pt = PageTypeInfo(mnt.read('proc/pagetypeinfo'))
    zones = zones_of(mnt)
    for z in zones:
        if z.populated:
            assert sum(pt.blocks[(z.node, z.name)].values()) * 512 >= z['managed']


def test_zone_spans_tile_the_node(mnt):
    """zone_spanned_pages_in_node: a zone spans its address range clamped to
    the node's, so the populated zones of a node follow one another without
    gaps and end where the node ends; the PCI hole only lowers DMA32's
    present (on the default machine DMA32 spans 0x1000..0x100000)."""
    zones = zones_of(mnt)
    machine = mnt.read('sim/machine')
    for node in mnt.nodes():
        sect = machine.split('[node%d]\n' % node)[1].split('\n[')[0]
        kv = dict(line.split('=', 1) for line in sect.splitlines() if '=' in line)
        node_end = int(kv['start_pfn'], 0) + int(kv['spanned_pages'])
        mine = [z for z in zones if z.node == node and z.populated]
        assert mine, node
        for a, b in zip(mine, mine[1:]):
            assert a.tail['start_pfn'] + a['spanned'] == b.tail['start_pfn'], (node, a.name, b.name)
        last = mine[-1]
        assert last.tail['start_pfn'] + last['spanned'] == node_end, (node, last.name)
    dma32 = [z for z in zones if z.node == 0 and z.name == 'DMA32'][0]
    assert (dma32.tail['start_pfn'], dma32['spanned']) == (4096, 1044480)
    assert dma32['present'] < dma32['spanned']


def test_pgfree_counts_the_boot_frees(mnt):
    """memblock_free_all hands every managed page to the buddy allocator
    through __free_pages_core, which counts them in pgfree: a fresh machine
    has freed at least MemTotal, and no more than MemTotal plus what it has
    allocated since."""
    vm = mnt.vmstat()
    total = mnt.meminfo()['MemTotal'] // 4
    allocated = sum(v for k, v in vm.items() if k.startswith('pgalloc_'))
    assert total <= vm['pgfree'] <= total + allocated
