"""The buddy allocator seen through buddyinfo and pagetypeinfo.

`alloc_pages ORDER type=T node=N` must take its block the way the kernel's
__rmqueue does: __rmqueue_smallest splits the smallest free block of the
requested migratetype of at least ORDER (expand() puts one block of each
order ORDER..o-1 back); when that list set is empty, __rmqueue_claim takes
the LARGEST free block of a fallback type (fallbacks[]: Unmovable ->
Reclaimable, Movable; Reclaimable -> Unmovable, Movable; Movable ->
Reclaimable, Unmovable) and, for a block of pageblock_order or more, claims
all its pageblocks (change_pageblock_range) and expands it on the new type's
lists.

Orders up to PAGE_ALLOC_COSTLY_ORDER (and the THP order) go through the
per-cpu lists, which take a batch; `drain_pages` returns the batch, and
since buddy merging is maximal the free lists then differ from the start by
exactly the allocated block.  Freeing (plus drain) merges back: buddyinfo is
exactly the starting one; pagetypeinfo too, except that a claimed block stays
with its new migratetype (the kernel never gives pageblocks back), so it
merges onto the new type's list.
"""
import copy
import re

import pytest

from conftest import PageTypeInfo, parse_buddyinfo, parse_zoneinfo

MAX_ORDER = 10
TYPES = {'unmovable': 'Unmovable', 'movable': 'Movable', 'reclaimable': 'Reclaimable'}
FALLBACKS = {
    'Unmovable': ['Reclaimable', 'Movable'],
    'Reclaimable': ['Unmovable', 'Movable'],
    'Movable': ['Reclaimable', 'Unmovable'],
}


class State:
    def __init__(self, m):
        self.bi = parse_buddyinfo(m.read('proc/buddyinfo'))
        self.pt = PageTypeInfo(m.read('proc/pagetypeinfo'))
        self.zones, _ = parse_zoneinfo(m.read('proc/zoneinfo'))
        self.memfree_kb = m.meminfo()['MemFree']

    def free_pages(self):
        return sum(c << o for counts in self.bi.values() for o, c in enumerate(counts))

    def zone(self, node, name):
        return next(z for z in self.zones if z.node == node and z.name == name)


def expected_zone(st, node, mt):
    """gfp_zone(): the highest populated zone the allocation may use on the
    node (ZONE_MOVABLE only for movable allocations)."""
    names = (['Movable'] if mt == 'Movable' else []) + ['Normal', 'DMA32', 'DMA']
    for name in names:
        if (node, name) in st.bi:
            return name
    raise AssertionError('node %d has no zone for %s allocations' % (node, mt))


def pcp_takes(order, pageblock_order):
    """How many blocks one allocation may take off the free lists: the
    per-cpu lists are filled in batches for orders 0..3 and the THP order
    (nr_pcp_alloc: at least 2 blocks of pageblock order).  The others go
    back with drain_pages and merge where they came from."""
    if order == pageblock_order:
        return 2
    if order <= 3:
        return None  # the batch size depends on the pcp's history
    return 1


def predict(rows, blocks, order, mt, pageblock_order):
    """(rows, blocks, claim) after one allocation, or None when the outcome
    depends on page-level detail (claiming part of a pageblock, or a pcp
    batch that reaches past the type's own free blocks).  claim is
    (fallback type, order) when a whole block changed type."""
    own = sum(rows[mt][o] << (o - order) for o in range(order, MAX_ORDER + 1))
    takes = pcp_takes(order, pageblock_order)
    if own and (takes is None and own < 1 << 10 or takes is not None and own < takes):
        return None
    rows = copy.deepcopy(rows)
    blocks = dict(blocks)
    for o in range(order, MAX_ORDER + 1):
        if rows[mt][o]:
            rows[mt][o] -= 1
            for k in range(order, o):
                rows[mt][k] += 1
            return rows, blocks, None
    for o in range(MAX_ORDER, order - 1, -1):
        for f in FALLBACKS[mt]:
            if rows[f][o]:
                if o < pageblock_order:
                    return None
                rows[f][o] -= 1
                for k in range(order, o):
                    rows[mt][k] += 1
                nr = 1 << (o - pageblock_order)
                blocks[mt] += nr
                blocks[f] -= nr
                return rows, blocks, (f, o)
    return None


def alloc(m, order, mt, node=None, count=None):
    cmd = 'alloc_pages %d type=%s' % (order, mt)
    if node is not None:
        cmd += ' node=%d' % node
    if count is not None:
        cmd += ' count=%d' % count
    reply = m.ctl(cmd)
    handles = reply.split()
    assert len(handles) == (count or 1), 'reply to %r: %r' % (cmd, reply)
    for h in handles:
        assert re.fullmatch(r'0x[0-9a-f]+', h), 'handle %r is not a 0x-hex PFN' % h
    return handles


def check_consistent(m, st):
    """buddyinfo sums to MemFree and to zoneinfo's pages free per zone."""
    assert st.free_pages() * 4 == st.memfree_kb
    for (node, name), counts in st.bi.items():
        z = st.zone(node, name)
        assert sum(c << o for o, c in enumerate(counts)) == z['pages free'], (node, name)


def check_drained(st):
    for z in st.zones:
        for ps in z.pagesets:
            assert ps['count'] == 0, 'zone %d/%s cpu %d still has pcp pages after drain_pages' % (
                z.node, z.name, ps['cpu'])


def alloc_and_check(m, order, typ, node):
    """One allocation + drain, checked against the kernel's choice.
    Returns (state before, handle, claim)."""
    mt = TYPES[typ]
    # the boot tasks' allocations leave pages on the pcp lists: start empty
    m.ctl('drain_pages')
    st0 = State(m)
    zname = expected_zone(st0, node, mt)
    key = (node, zname)
    rows0 = st0.pt.zone_rows(node, zname)
    blocks0 = st0.pt.blocks[key]
    pred = predict(rows0, blocks0, order, mt, st0.pt.pageblock_order)

    (h,) = alloc(m, order, typ, node=node)
    st_pcp = State(m)
    # before the drain: the pcp batch is off the free lists, and still the
    # files agree with each other
    check_consistent(m, st_pcp)
    assert st0.memfree_kb - st_pcp.memfree_kb >= (4 << order)
    m.ctl('drain_pages')
    st1 = State(m)
    check_consistent(m, st1)
    check_drained(st1)
    assert st0.memfree_kb - st1.memfree_kb == 4 << order, \
        'order-%d %s alloc: MemFree %d -> %d kB after drain' % (order, typ, st0.memfree_kb, st1.memfree_kb)

    changed = [k for k in st1.bi if st1.bi[k] != st0.bi[k]]
    assert changed == [key], 'order-%d %s node=%d changed zones %s, expected %s' % (
        order, typ, node, changed, key)
    # the block's PFN: aligned to its order, inside the zone
    pfn = int(h, 16)
    z = st0.zone(node, zname)
    assert pfn % (1 << order) == 0, 'handle %s not aligned to order %d' % (h, order)
    start = z.tail['start_pfn']
    assert start <= pfn and pfn + (1 << order) <= start + z['spanned'], \
        'pfn %#x outside %s [%#x, %#x)' % (pfn, key, start, start + z['spanned'])

    # buddyinfo of the zone: one block of order o split, one block of
    # each order order..o-1 more
    diff = [a - b for a, b in zip(st1.bi[key], st0.bi[key])]
    o = next((i for i in range(MAX_ORDER, order - 1, -1) if diff[i] == -1), None)
    assert o is not None, 'buddyinfo diff %s has no split block' % diff
    want = [0] * (MAX_ORDER + 1)
    want[o] = -1
    for k in range(order, o):
        want[k] = 1
    assert diff == want, 'order-%d %s: buddyinfo diff %s, expected %s' % (order, typ, diff, want)

    rows1 = st1.pt.zone_rows(node, zname)
    blocks1 = st1.pt.blocks[key]
    claim = None if pred is not None else 'unknown'
    if pred is not None:
        prow, pblocks, claim = pred
        assert rows1 == prow, 'order-%d %s: pagetypeinfo rows\n got %s\nwant %s\n from %s' % (
            order, typ, rows1, prow, rows0)
        assert blocks1 == pblocks, 'order-%d %s: pageblocks %s, expected %s (from %s)' % (
            order, typ, blocks1, pblocks, blocks0)
    # other zones untouched, also in pagetypeinfo
    for k2 in st0.pt.blocks:
        if k2 != key:
            assert st1.pt.blocks[k2] == st0.pt.blocks[k2]
    for k3, v in st0.pt.free.items():
        if (k3[0], k3[1]) != key:
            assert st1.pt.free[k3] == v
    return st0, h, claim


def free_and_check(m, st0, h, claim, typ, node):
    m.ctl('free_pages %s' % h)
    m.ctl('drain_pages')
    st2 = State(m)
    check_consistent(m, st2)
    assert st2.bi == st0.bi, 'free_pages %s + drain_pages did not merge back:\n got %s\nwant %s' % (
        h, st2.bi, st0.bi)
    assert st2.memfree_kb == st0.memfree_kb
    mt = TYPES[typ]
    zname = expected_zone(st0, node, mt)
    if claim == 'unknown':
        return  # pageblock types the pcp batch claimed stay claimed
    want = copy.deepcopy(st0.pt.free)
    if claim:
        f, o = claim
        want[(node, zname, f)][o] -= 1
        want[(node, zname, mt)][o] += 1
    assert st2.pt.free == want, 'pagetypeinfo after free of %s:\n got %s\nwant %s' % (
        h, st2.pt.free, want)


@pytest.mark.parametrize('typ', sorted(TYPES))
def test_every_order_allocates_and_merges_back(mnt, typ):
    for order in range(MAX_ORDER + 1):
        st0, h, claim = alloc_and_check(mnt, order, typ, 0)
        free_and_check(mnt, st0, h, claim, typ, 0)


def test_movable_allocation_takes_smallest_block(mnt):
    """On a fresh machine every free page is Movable: a movable allocation
    splits the smallest free Movable block of at least its order."""
    mnt.ctl('drain_pages')
    st = State(mnt)
    zname = expected_zone(st, 0, 'Movable')
    rows = st.pt.zone_rows(0, zname)
    o = next(i for i in range(5, MAX_ORDER + 1) if rows['Movable'][i])
    (h,) = alloc(mnt, 5, 'movable', node=0)
    mnt.ctl('drain_pages')
    st1 = State(mnt)
    rows1 = st1.pt.zone_rows(0, zname)
    want = copy.deepcopy(rows)
    want['Movable'][o] -= 1
    for k in range(5, o):
        want['Movable'][k] += 1
    assert rows1 == want
    assert st1.pt.blocks == st.pt.blocks


@pytest.mark.parametrize('typ', ['reclaimable'])
def test_fresh_machine_steals_a_whole_block(mnt, typ):
    """All pageblocks are Movable at boot; the boot's reclaimable slabs
    (dentries and inodes of init's lookups, made on CPU 0) claim blocks of
    node 0 only, so on a node without Reclaimable blocks (unmovable ones it
    has: kernel stacks and page tables; tests/unit/test_page_alloc.c checks
    the unmovable claim on a bare machine) the first reclaimable allocation
    claims the largest free block: an order-10 block, i.e. 2 pageblocks of
    order 9, change type."""
    mnt.ctl('drain_pages')
    mt = TYPES[typ]
    st = State(mnt)
    for nid in mnt.nodes():
        zname = expected_zone(st, nid, mt)
        if st.pt.blocks[(nid, zname)][mt] == 0:
            break
    else:
        pytest.skip('every node has Reclaimable pageblocks from boot')
    key = (nid, zname)
    rows = st.pt.zone_rows(nid, zname)
    blocks = st.pt.blocks[key]
    assert not any(rows[mt]) and blocks[mt] == 0, \
        'fresh machine: expected no %s pageblocks in %s, got %s %s' % (mt, key, blocks, rows[mt])
    assert rows['Movable'][MAX_ORDER] > 0
    pb_order = st.pt.pageblock_order
    nr = 1 << (MAX_ORDER - pb_order)
    (h,) = alloc(mnt, 0, typ, node=nid)
    mnt.ctl('drain_pages')
    st1 = State(mnt)
    b1 = st1.pt.blocks[key]
    assert b1[mt] == blocks[mt] + nr, 'Number of blocks type %s: %d -> %d, expected +%d' % (
        mt, blocks[mt], b1[mt], nr)
    assert b1['Movable'] == blocks['Movable'] - nr
    rows1 = st1.pt.zone_rows(nid, zname)
    assert rows1['Movable'][MAX_ORDER] == rows['Movable'][MAX_ORDER] - 1
    assert rows1[mt] == [1] * MAX_ORDER + [0]
    # the new block is the one the page came from
    pfn = int(h, 16)
    assert pfn % (1 << MAX_ORDER) == 0, 'claimed block starts at %#x' % pfn
    # freeing merges the block back, on the Unmovable/Reclaimable list
    mnt.ctl('free_pages %s' % h)
    mnt.ctl('drain_pages')
    st2 = State(mnt)
    assert st2.bi == st.bi
    rows2 = st2.pt.zone_rows(nid, zname)
    assert rows2[mt] == [0] * MAX_ORDER + [1]
    assert st2.pt.blocks[key] == b1
    # a second allocation of that type now comes from the claimed block
    (h2,) = alloc(mnt, 3, typ, node=nid)
    mnt.ctl('drain_pages')
    st3 = State(mnt)
    assert st3.pt.blocks[key] == b1
    assert st3.pt.zone_rows(nid, zname)[mt] == [0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 0]
    assert int(h2, 16) == pfn


def test_count_gives_distinct_blocks(mnt):
    mnt.ctl('drain_pages')
    st0 = State(mnt)
    hs = alloc(mnt, 3, 'movable', node=0, count=4)
    pfns = sorted(int(h, 16) for h in hs)
    assert len(set(pfns)) == 4
    for a, b in zip(pfns, pfns[1:]):
        assert b - a >= 8, 'order-3 blocks overlap: %s' % hs
    for p in pfns:
        assert p % 8 == 0
    mnt.ctl('drain_pages')
    st1 = State(mnt)
    assert st0.memfree_kb - st1.memfree_kb == 4 * 8 * 4
    # several commands in one write, one reply line each
    reply = mnt.ctl(''.join('free_pages %s\n' % h for h in hs))
    assert reply.split('\n')[:4] == ['ok'] * 4, reply
    mnt.ctl('drain_pages')
    st2 = State(mnt)
    assert st2.bi == st0.bi and st2.pt.free == st0.pt.free


def test_node_option_picks_the_node(mnt):
    nodes = mnt.nodes()
    assert len(nodes) >= 2
    for node in nodes:
        st0, h, claim = alloc_and_check(mnt, 4, 'movable', node)
        free_and_check(mnt, st0, h, claim, 'movable', node)


def test_order0_pcp_batch(mnt):
    """An order-0 allocation refills the per-cpu list with a batch: the
    zone's pageset count rises, and MemFree drops by more than the page."""
    mnt.ctl('drain_pages')
    st0 = State(mnt)
    (h,) = alloc(mnt, 0, 'movable', node=0)
    st1 = State(mnt)
    on_pcp = sum(ps['count'] for z in st1.zones for ps in z.pagesets)
    assert on_pcp >= 1, 'no pcp pages after an order-0 allocation'
    assert st0.memfree_kb - st1.memfree_kb == 4 * (on_pcp + 1)
    mnt.ctl('drain_pages')
    st2 = State(mnt)
    check_drained(st2)
    assert st0.memfree_kb - st2.memfree_kb == 4
    mnt.ctl('free_pages %s' % h)
    mnt.ctl('drain_pages')
    assert State(mnt).bi == st0.bi
