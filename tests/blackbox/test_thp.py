"""Transparent huge pages through the tree: the settings under
sys/kernel/mm/transparent_hugepage/ (formats, defaults, EINVAL with nothing
changed), what THP on/off does to min_free_kbytes, madvise hugepage and
nohugepage, and smaps THPeligible under each setting."""
import errno
import math

import pytest

from conftest import parse_zoneinfo

THP = 'sys/kernel/mm/transparent_hugepage/'
SIZES = [4 << o for o in range(1, 10)]


def setting(m, name):
    return m.read(THP + name)


def put(m, name, value):
    ok, err = m.write(THP + name, value)
    assert ok, '%s <- %r: %s' % (name, value, err)


def smaps_vma(m, pid, addr):
    """{key: value} of the smaps block of the VMA starting at addr."""
    out, cur = {}, None
    for line in m.read('proc/%d/smaps' % pid).splitlines():
        head = line.split()[0]
        if '-' in head and ':' not in head:
            cur = int(head.split('-')[0], 16) == addr
            continue
        if cur:
            k, _, v = line.partition(':')
            out[k] = v.strip()
    assert out, 'no VMA at %#x' % addr
    return out


def eligible(m, pid, addr):
    return int(smaps_vma(m, pid, addr)['THPeligible'])


# ---------------------------------------------------------------- settings

def test_defaults_and_formats(mnt):
    assert setting(mnt, 'enabled') == '[always] madvise never\n'
    assert setting(mnt, 'defrag') == 'always defer defer+madvise [madvise] never\n'
    assert setting(mnt, 'use_zero_page') == '1\n'
    assert setting(mnt, 'hpage_pmd_size') == '2097152\n'
    assert setting(mnt, 'shmem_enabled') == 'always within_size advise [never] deny force\n'
    assert setting(mnt, 'shrink_underused') == '1\n'
    k = {n: setting(mnt, 'khugepaged/' + n) for n in (
        'defrag', 'max_ptes_none', 'max_ptes_swap', 'max_ptes_shared', 'pages_to_scan',
        'scan_sleep_millisecs', 'alloc_sleep_millisecs', 'pages_collapsed', 'full_scans')}
    assert k == {'defrag': '1\n', 'max_ptes_none': '511\n', 'max_ptes_swap': '64\n', 'max_ptes_shared': '256\n',
                 'pages_to_scan': '4096\n', 'scan_sleep_millisecs': '10000\n',
                 'alloc_sleep_millisecs': '60000\n', 'pages_collapsed': '0\n', 'full_scans': '0\n'}
    for kb in SIZES:
        d = 'hugepages-%dkB/' % kb
        if kb >= 16:
            want = 'always [inherit] madvise never\n' if kb == 2048 else 'always inherit madvise [never]\n'
            assert setting(mnt, d + 'enabled') == want
            assert setting(mnt, d + 'stats/anon_fault_alloc') == '0\n'
        else:
            assert mnt.lstat_errno(THP + d + 'enabled') == errno.ENOENT
        want = 'always [inherit] within_size advise never\n' if kb == 2048 else \
            'always inherit within_size advise [never]\n'
        assert setting(mnt, d + 'shmem_enabled') == want
        assert setting(mnt, d + 'stats/split') == '0\n'


@pytest.mark.parametrize('name,choices', [
    ('enabled', ['always', 'madvise', 'never']),
    ('defrag', ['always', 'defer', 'defer+madvise', 'madvise', 'never']),
    ('shmem_enabled', ['always', 'within_size', 'advise', 'never', 'deny', 'force']),
    ('hugepages-64kB/enabled', ['always', 'inherit', 'madvise', 'never']),
    ('hugepages-2048kB/shmem_enabled', ['always', 'inherit', 'within_size', 'advise', 'never']),
])
def test_each_choice_reads_back_bracketed(mnt, name, choices):
    for c in choices:
        put(mnt, name, c + '\n')
        assert setting(mnt, name) == ' '.join('[%s]' % x if x == c else x for x in choices) + '\n'
    put(mnt, name, choices[0])  # without a newline too
    assert setting(mnt, name).startswith('[%s]' % choices[0])


def test_bad_values_are_einval_and_change_nothing(mnt):
    bad = {'enabled': ['alwaysx\n', 'Always\n', ' always\n', 'always\n\n', '\n', 'inherit\n'],
           'defrag': ['defer+\n', 'madvise+defer\n', '1\n'],
           'use_zero_page': ['2\n', 'y\n', '-1\n', '\n'],
           'shmem_enabled': ['inherit\n', 'on\n'],
           'shrink_underused': ['2\n', 'x\n', 'o\n', '\n'],
           'khugepaged/max_ptes_none': ['512\n', '-1\n', 'x\n', '0x10\n'],
           'khugepaged/max_ptes_swap': ['512\n'], 'khugepaged/max_ptes_shared': ['1000\n'],
           'khugepaged/pages_to_scan': ['0\n', '4294967296\n'],
           'khugepaged/scan_sleep_millisecs': ['4294967296\n', '1.5\n'],
           'khugepaged/defrag': ['2\n'],
           'hugepages-16kB/enabled': ['inheritx\n', 'defer\n'],
           'hugepages-8kB/shmem_enabled': ['force\n']}
    before = mnt.snapshot(skip=('sys/kernel/slab/',))
    for name, values in bad.items():
        for v in values:
            n0 = len(mnt.log_lines())
            ok, err = mnt.write(THP + name, v)
            assert not ok and err == errno.EINVAL, '%s <- %r gave %s' % (name, v, err)
            assert len(mnt.log_lines()) == n0 + 1, name
    assert mnt.snapshot(skip=('sys/kernel/slab/',)) == before
    for name in ('hpage_pmd_size', 'khugepaged/pages_collapsed', 'khugepaged/full_scans',
                 'hugepages-2048kB/stats/nr_anon'):
        assert mnt.write(THP + name, '1\n') == (False, errno.EACCES)


def test_shmem_force_refused_while_a_small_size_inherits(mnt):
    put(mnt, 'hugepages-64kB/shmem_enabled', 'inherit')
    ok, err = mnt.write(THP + 'shmem_enabled', 'force\n')
    assert not ok and err == errno.EINVAL
    put(mnt, 'hugepages-64kB/shmem_enabled', 'never')
    put(mnt, 'shmem_enabled', 'force')
    ok, err = mnt.write(THP + 'hugepages-64kB/shmem_enabled', 'inherit\n')
    assert not ok and err == errno.EINVAL
    put(mnt, 'hugepages-2048kB/shmem_enabled', 'inherit')


def test_flags_and_tunables_take_their_ranges(mnt):
    for v, want in (('0', '0'), ('1\n', '1')):
        put(mnt, 'use_zero_page', v)
        assert setting(mnt, 'use_zero_page') == want + '\n'
    for v, want in (('n', '0'), ('on', '1'), ('off', '0'), ('Y', '1'), ('0', '0'), ('true', '1')):
        put(mnt, 'shrink_underused', v)
        assert setting(mnt, 'shrink_underused') == want + '\n', v
    for name, v in (('max_ptes_none', '0'), ('max_ptes_none', '511'), ('pages_to_scan', '1'),
                    ('scan_sleep_millisecs', '4294967295'), ('alloc_sleep_millisecs', '0')):
        put(mnt, 'khugepaged/' + name, v + '\n')
        assert setting(mnt, 'khugepaged/' + name) == v + '\n'


# ---------------------------------------------------------------- min_free_kbytes

def recommended_min_free_kbytes(m):
    """set_recommended_min_free_kbytes, from zoneinfo with THP off."""
    zones = parse_zoneinfo(m.read('proc/zoneinfo'))[0]
    low = [z for z in zones if z.name in ('DMA', 'DMA32', 'Normal') and z['present']]
    nr_free_buffer_pages = sum(max(z['managed'] - z['high'], 0) for z in low)
    rec = 512 * len(low) * 2 + 512 * len(low) * 3 * 3
    return min(rec, nr_free_buffer_pages // 20) * 4


def test_thp_raises_min_free_kbytes_and_off_brings_it_back(mnt):
    mfk = lambda: int(mnt.read('proc/sys/vm/min_free_kbytes'))
    raised = mfk()
    # off: calculate_min_free_kbytes over the pages above the high watermarks
    zones = parse_zoneinfo(mnt.read('proc/zoneinfo'))[0]
    free_buffer_pages = sum(max(z['managed'] - z['high'], 0) for z in zones
                            if z.name in ('DMA', 'DMA32', 'Normal'))
    calc = min(max(math.isqrt(free_buffer_pages * 4 * 16), 128), 262144)
    put(mnt, 'enabled', 'never')
    assert mfk() == calc < raised
    want = max(calc, recommended_min_free_kbytes(mnt))
    assert want == raised == 90112  # the default machine: 4 zones up to Normal
    put(mnt, 'enabled', 'madvise')
    assert mfk() == want
    # the PMD size switched off alone also stops khugepaged
    put(mnt, 'hugepages-2048kB/enabled', 'never')
    assert mfk() == calc
    put(mnt, 'hugepages-2048kB/enabled', 'always')
    put(mnt, 'enabled', 'never')
    assert mfk() == want
    # a smaller value the user wrote is raised again, with a line in the log
    mnt.write('proc/sys/vm/min_free_kbytes', '5000\n')
    put(mnt, 'hugepages-2048kB/enabled', 'madvise')
    assert mfk() == want
    assert any('raising min_free_kbytes from 5000 to %d' % want in line for line in mnt.log_lines())


def test_small_machine_caps_it_at_five_percent_of_lowmem(mount):
    m = mount('--machine=small')
    rec = recommended_min_free_kbytes(m)
    assert int(m.read('proc/sys/vm/min_free_kbytes')) >= rec


# ---------------------------------------------------------------- eligibility

@pytest.fixture
def proc(mnt):
    assert mnt.ctl('spawn thp pid=1000') == '1000\n'
    return mnt


def test_madvise_hugepage_sets_the_vm_flag(proc):
    m = proc
    a = int(m.pctl(1000, 'mmap 8M name=a'), 16)
    m.pctl(1000, 'madvise %#x len=4M hugepage' % a)
    assert 'hg' in smaps_vma(m, 1000, a)['VmFlags'].split()
    assert 'hg' not in smaps_vma(m, 1000, a + (4 << 20))['VmFlags'].split()
    m.pctl(1000, 'madvise %#x len=4M nohugepage' % a)
    flags = smaps_vma(m, 1000, a)['VmFlags'].split()
    assert 'nh' in flags and 'hg' not in flags
    # both halves have their own VMAs now; the hole after them is ENOMEM
    err, _ = m.pctl_raw(1000, 'madvise %#x len=16M hugepage' % a)
    assert err == errno.ENOMEM
    err, _ = m.pctl_raw(1000, 'madvise %#x len=4K hugepages' % a)
    assert err == errno.EINVAL


@pytest.mark.parametrize('mode,plain,advised', [('always', 1, 1), ('madvise', 0, 1), ('never', 0, 0)])
def test_thpeligible_follows_enabled_and_madvise(proc, mode, plain, advised):
    m = proc
    put(m, 'enabled', mode)
    a = int(m.pctl(1000, 'mmap 8M name=plain'), 16)
    b = int(m.pctl(1000, 'mmap 8M name=advised'), 16)
    c = int(m.pctl(1000, 'mmap 8M name=refused'), 16)
    m.pctl(1000, 'madvise %#x len=8M hugepage' % b)
    m.pctl(1000, 'madvise %#x len=8M nohugepage' % c)
    assert (eligible(m, 1000, a), eligible(m, 1000, b), eligible(m, 1000, c)) == (plain, advised, 0)
    assert m.status(1000)['THP_enabled'] == 1


def test_small_vma_file_and_shared_mappings_are_not_eligible(proc):
    m = proc
    small = int(m.pctl(1000, 'mmap 1M name=small'), 16)
    assert eligible(m, 1000, small) == 0
    # a shmem mapping's huge pages need its start aligned to its file offset
    shared = int(m.pctl(1000, 'mmap 8M shared name=sh addr=0x40000000'), 16)
    assert shared == 0x40000000 and eligible(m, 1000, shared) == 0
    put(m, 'shmem_enabled', 'always')
    assert eligible(m, 1000, shared) == 1
    put(m, 'shmem_enabled', 'deny')
    assert eligible(m, 1000, shared) == 0


def test_a_smaller_size_makes_a_small_vma_eligible(proc):
    m = proc
    put(m, 'enabled', 'never')
    a = int(m.pctl(1000, 'mmap 1M name=small'), 16)
    assert eligible(m, 1000, a) == 0
    put(m, 'hugepages-64kB/enabled', 'always')
    assert eligible(m, 1000, a) == 1
    put(m, 'hugepages-64kB/enabled', 'madvise')
    assert eligible(m, 1000, a) == 0
    m.pctl(1000, 'madvise %#x len=1M hugepage' % a)
    assert eligible(m, 1000, a) == 1


# ---------------------------------------------------------------- placement

def test_large_anonymous_mappings_start_pmd_aligned(proc):
    m = proc
    pmd, mib = 2 << 20, 1 << 20
    a = int(m.pctl(1000, 'mmap 8M name=big'), 16)
    assert a % pmd == 0
    # the search is for the length plus a PMD: an aligned result leaves the
    # pad below, so the next one lands right under the first
    b = int(m.pctl(1000, 'mmap 2M name=two'), 16)
    assert b == a - pmd
    # not a whole number of PMDs: the plain top-down gap, unaligned
    odd = int(m.pctl(1000, 'mmap 3M name=odd'), 16)
    assert odd == b - 3 * mib and odd % pmd == mib
    # shared anonymous memory is shmem's: no alignment either
    sh = int(m.pctl(1000, 'mmap 2M shared name=sh'), 16)
    assert sh == odd - 2 * mib
    # below an unaligned start the mapping rounds down, leaving a hole
    c = int(m.pctl(1000, 'mmap 4M name=c'), 16)
    assert c == (sh - 4 * mib) & ~(pmd - 1) and c + 4 * mib < sh
    assert eligible(m, 1000, c) == 1
    # a hint is taken as it comes
    assert m.pctl(1000, 'mmap 4M name=hinted addr=0x40100000') == '0x40100000\n'
