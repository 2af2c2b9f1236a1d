"""MGLRU through the tree: sys/kernel/mm/lru_gen/{enabled,min_ttl_ms},
the debugfs files sys/kernel/debug/lru_gen and lru_gen_full (reading the
generations, aging and evicting by writing), the counters MGLRU moves,
keeping a hot working set, switching between the two LRU kinds under load,
and determinism."""
import errno
import re

LRU_GEN = 'sys/kernel/debug/lru_gen'
LRU_GEN_FULL = 'sys/kernel/debug/lru_gen_full'
ENABLED = 'sys/kernel/mm/lru_gen/enabled'
MIN_TTL = 'sys/kernel/mm/lru_gen/min_ttl_ms'

GEN_LINE = re.compile(r'^ {1}[ \d]{10} [ \d]{10} [ \d]{10}[ x] [ \d]{10}[ x]$')


def generations(m, full=False):
    """{node: [(seq, age_ms, anon, file)]} from the debugfs file, checking
    its lines' format on the way."""
    text = m.read(LRU_GEN_FULL if full else LRU_GEN)
    lines = text.splitlines()
    assert lines[0] == 'memcg     1 /'
    out, node = {}, None
    for line in lines[1:]:
        if line.startswith(' node '):
            assert re.match(r'^ node [ \d]{5}$', line), line
            node = int(line.split()[1])
            out[node] = []
        elif GEN_LINE.match(line):
            w = line.replace('x', ' ').split()
            out[node].append(tuple(int(x) for x in w))
        else:
            assert full, 'unexpected line %r' % line
    return out


def anon_pages(gens):
    return sum(g[2] for gens_of_node in gens.values() for g in gens_of_node)


def test_enabled_and_min_ttl_files(mnt):
    """Off at boot (Debian's kernel); y, n and numbers switch it; bad
    input is EINVAL, logged, and changes nothing; min_ttl_ms is kept in
    jiffies of 4 ms."""
    assert mnt.read(ENABLED) == '0x0000\n'
    assert mnt.read(MIN_TTL) == '0\n'
    assert mnt.write(ENABLED, 'y\n') == (True, 0)
    assert mnt.read(ENABLED) == '0x0007\n'
    assert mnt.write(ENABLED, '0x0003\n') == (True, 0)
    assert mnt.read(ENABLED) == '0x0003\n'
    assert mnt.write(ENABLED, 'N\n') == (True, 0)
    assert mnt.read(ENABLED) == '0x0000\n'
    assert mnt.write(ENABLED, '1') == (True, 0)
    assert mnt.read(ENABLED) == '0x0001\n'
    for bad in ('maybe\n', '-1\n', '0x1ffffffff\n', '\n'):
        assert mnt.write(ENABLED, bad) == (False, errno.EINVAL), bad
        assert mnt.read(ENABLED) == '0x0001\n'
    assert 'lru_gen/enabled: write' in mnt.log().splitlines()[-1]
    assert mnt.write(MIN_TTL, '1000\n') == (True, 0)
    assert mnt.read(MIN_TTL) == '1000\n'
    assert mnt.write(MIN_TTL, '1\n') == (True, 0)
    assert mnt.read(MIN_TTL) == '4\n'
    assert mnt.write(MIN_TTL, 'soon\n') == (False, errno.EINVAL)
    assert mnt.read(MIN_TTL) == '4\n'


def test_fill_read_age_and_evict(mount):
    """Faulted anon pages sit in the second youngest generation, counted
    Active; aging makes a generation and turns the old ones Inactive;
    evicting the oldest writes it to swap and frees it."""
    m = mount('--machine=small', '--lru-gen=y')
    m.ctl('spawn app pid=500')
    m.pctl(500, 'mmap 64M name=a')
    m.pctl(500, 'write a')
    gens = generations(m)
    assert list(gens) == [0]
    v, mi = m.vmstat(), m.meminfo()
    seqs = [g[0] for g in gens[0]]
    max_seq = seqs[-1]
    assert anon_pages(gens) == v['nr_inactive_anon'] + v['nr_active_anon']
    young = sum(g[2] for g in gens[0] if g[0] >= max_seq - 1)
    assert young >= 16384 and young * 4 == mi['Active(anon)']

    m.ctl('tick 2s')
    assert m.write(LRU_GEN, '+ 1 0 %d\n' % max_seq) == (True, 0)
    gens2 = generations(m)
    assert gens2[0][-1][0] == max_seq + 1
    # the previous youngest generation was born before the faults, which
    # took simulated time of their own
    assert gens2[0][-1][1] == 0 and 2000 <= gens2[0][-2][1] < 2100
    assert anon_pages(gens2) == anon_pages(gens)
    assert m.meminfo()['Active(anon)'] < mi['Active(anon)']
    full = m.read(LRU_GEN_FULL)
    assert re.search(r'^ {12}[ \d]{9}0( [ \d]{10}[rep]){6}$', full, re.M)
    walk = re.search(r'^ {22} +(\d+)T +(\d+)Y +(\d+)F +(\d+)A$', full, re.M)
    assert walk and int(walk.group(1)) >= 16384 and int(walk.group(2)) >= 16384

    # a second aging: the oldest holds everything, two newer ones are empty
    assert m.write(LRU_GEN, '+ 1 0 %d' % (max_seq + 1)) == (True, 0)
    oldest = generations(m)[0][0][0]
    v0 = m.vmstat()
    assert m.write(LRU_GEN, '- 1 0 %d 200' % oldest) == (True, 0)
    v1 = m.vmstat()
    assert v1['pgscan_proactive'] - v0['pgscan_proactive'] >= 16384
    assert v1['pswpout'] - v0['pswpout'] >= 16384
    assert v1['pgscan_kswapd'] == v0['pgscan_kswapd']
    # the writes done, the pages wait at the tail of the oldest generation
    # for the next eviction, which needs two younger generations
    m.ctl('tick 1s')
    gens3 = generations(m)[0]
    assert m.write(LRU_GEN, '+ 1 0 %d' % gens3[-1][0]) == (True, 0)
    assert m.write(LRU_GEN, '- 1 0 %d 200' % gens3[0][0]) == (True, 0)
    v2 = m.vmstat()
    assert v2['pgsteal_proactive'] - v0['pgsteal_proactive'] >= 16384
    assert v2['pgsteal_anon'] - v0['pgsteal_anon'] == v2['pgsteal_proactive'] - v0['pgsteal_proactive']
    assert m.status(500)['VmSwap'] >= 64 * 1024


def test_bad_debugfs_writes_change_nothing(mount):
    """The kernel's EINVALs: a generation out of range, another memcg, a
    node without memory, swappiness above 201, a bad command, nothing at
    all; each leaves the generations and counters as they were."""
    m = mount('--machine=small', '--lru-gen=y')
    m.ctl('spawn app pid=500')
    m.pctl(500, 'mmap 16M name=a')
    m.pctl(500, 'write a')
    max_seq = generations(m)[0][-1][0]
    before = (m.read(LRU_GEN_FULL), m.read('proc/vmstat'))
    bad = ['+ 1 0 %d' % (max_seq + 1), '- 1 0 %d' % (max_seq - 1), '+ 2 0 %d' % max_seq,
           '+ 1 1 %d' % max_seq, '- 1 0 0 202', '* 1 0 0', '+ 1 0', '+ -1 0 3', '+ 1 0 3 sixty',
           '- 1 0 0 60 10 junk', ' ,;\n']
    n = len(m.log().splitlines())
    for cmd in bad:
        assert m.write(LRU_GEN, cmd) == (False, errno.EINVAL), cmd
        assert (m.read(LRU_GEN_FULL), m.read('proc/vmstat')) == before, cmd
    assert len(m.log().splitlines()) >= n + len(bad) - 2
    assert m.write(LRU_GEN_FULL, '+ 1 0 %d' % max_seq)[1] in (errno.EACCES, errno.EBADF, errno.EPERM)
    # a good command, then a bad one: the first ran
    assert m.write(LRU_GEN, '+ 1 0 %d; + 9 0 0' % max_seq) == (False, errno.EINVAL)
    assert generations(m)[0][-1][0] == max_seq + 1


def hot_cold(m, steps=24):
    m.ctl('spawn app pid=500')
    for name in ('hot', 'cold'):
        m.pctl(500, 'mmap 96M name=%s' % name)
    m.pctl(500, 'write cold')
    m.pctl(500, 'write hot')
    for i in range(steps):
        m.pctl(500, 'read hot')
        m.pctl(500, 'mmap 16M name=p%d' % i)
        m.pctl(500, 'write p%d' % i)
        m.ctl('tick 100ms')


def rss_of(m, pid, name):
    rss, cur = {}, None
    for line in m.read('proc/%d/smaps' % pid).splitlines():
        if re.match(r'^[0-9a-f]+-', line):
            cur = line.split()[-1]
        elif line.startswith('Rss:'):
            rss[cur] = int(line.split()[1])
    return rss['[anon:%s]' % name]


def test_hot_half_stays_resident(mount):
    """512 MiB of RAM: a hot 96 MiB read between allocations stays
    resident while the cold 96 MiB goes to swap; the hot pages end in the
    youngest generations."""
    m = mount('--machine=small', '--mem=512M', '--lru-gen=y')
    hot_cold(m)
    v = m.vmstat()
    assert rss_of(m, 500, 'hot') >= 96 * 1024 * 9 // 10
    assert rss_of(m, 500, 'cold') <= 96 * 1024 // 10
    assert v['pswpout'] >= 24000 and v['oom_kill'] == 0
    assert v['pgscan_anon'] == v['pgscan_kswapd'] + v['pgscan_direct']
    gens = generations(m)[0]
    assert sum(g[2] for g in gens[-2:]) >= 24576


def test_switching_under_load_loses_nothing(mount):
    """Switching MGLRU off and on between allocations under pressure
    (--debug-vm checks every list and counter after each step): no page
    is lost, the LRU counters add up, and the generations hold what the
    Active/Inactive lines say."""
    m = mount('--machine=small', '--mem=512M')
    m.ctl('spawn app pid=500')
    st = m.status(500)
    total = st['VmRSS'] + st['VmSwap']  # the program's own pages
    for i in range(12):
        assert m.write(ENABLED, 'y' if i % 2 == 0 else 'n') == (True, 0)
        m.pctl(500, 'mmap 48M name=r%d' % i)
        m.pctl(500, 'write r%d' % i)
        total += 48 * 1024
        if i % 3 == 0:
            m.pctl(500, 'read r0')
        st, mi = m.status(500), m.meminfo()
        assert st['VmRSS'] + st['VmSwap'] == total
        v = m.vmstat()
        assert mi['Active(anon)'] + mi['Inactive(anon)'] == 4 * (v['nr_active_anon'] + v['nr_inactive_anon'])
        if i % 2 == 0:
            gens = generations(m)[0]
            assert sum(g[2] for g in gens) == v['nr_active_anon'] + v['nr_inactive_anon']
            max_seq = gens[-1][0]
            assert sum(g[2] for g in gens if g[0] >= max_seq - 1) == v['nr_active_anon']
    assert m.vmstat()['pswpout'] > 0
    assert m.write(ENABLED, 'n') == (True, 0)
    assert sum(g[2] + g[3] for g in generations(m)[0]) == 0


def test_same_seed_same_files(mount):
    """Two machines, the same commands under MGLRU: byte-identical
    generations, counters and meminfo."""
    outs = []
    for _ in range(2):
        m = mount('--machine=small', '--mem=512M', '--lru-gen=y', '--seed=7')
        hot_cold(m, steps=8)
        m.write(LRU_GEN, '+ 1 0 %d' % generations(m)[0][-1][0])
        outs.append((m.read(LRU_GEN_FULL), m.read('proc/vmstat'), m.read('proc/meminfo')))
    assert outs[0] == outs[1]


def test_min_ttl_ms_kills_rather_than_thrash(mount):
    """min_ttl_ms: with every generation younger than it, kswapd calls the
    OOM killer though swap is free (lru_gen_age_node); without it the
    same write swaps."""
    outcomes = []
    for ttl in ('60000', '0'):
        m = mount('--machine=small', '--mem=512M', '--lru-gen=y')
        assert m.write(MIN_TTL, ttl) == (True, 0)
        m.ctl('spawn hog pid=600')
        m.pctl(600, 'mmap 640M name=big')
        err, _ = m.pctl_raw(600, 'write big')
        v, mi = m.vmstat(), m.meminfo()
        outcomes.append((err, v['oom_kill'], 600 in m.pids(), mi['SwapFree'] > 256 * 1024))
    assert outcomes[0][1] >= 1 and not outcomes[0][2] and outcomes[0][3]
    assert outcomes[1] == (0, 0, True, True)
