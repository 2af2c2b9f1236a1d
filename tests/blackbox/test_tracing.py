"""tracefs at sys/kernel/tracing: enabling events by each route, the trace
and trace_pipe texts in ftrace's format, the kernel's field layouts, the
OOM walkthrough traced, filters, buffer limits, the marker, bad input, and
the same trace for the same seed and commands."""
import errno
import os
import re
import shutil
import subprocess
import threading
import time

import pytest

T = 'sys/kernel/tracing/'
LINE = re.compile(r'^ {0,15}(\S.{0,15})-(\d+) +\[(\d{3})\] ([.dDbXNnpZHhs0-9a-f]{5}) +(\d+)\.(\d{6}): '
                  r'(\w+): (.*)$')
HEADER = ('# tracer: nop\n#\n# entries-in-buffer/entries-written: %d/%d   #P:%d\n#\n'
          '#                                _-----=> irqs-off/BH-disabled\n'
          '#                               / _----=> need-resched\n'
          '#                              | / _---=> hardirq/softirq\n'
          '#                              || / _--=> preempt-depth\n'
          '#                              ||| / _-=> migrate-disable\n'
          '#                              |||| /     delay\n'
          '#           TASK-PID     CPU#  |||||  TIMESTAMP  FUNCTION\n'
          '#              | |         |   |||||     |         |\n')


def events(m, rel='trace'):
    """The trace's record lines, parsed: (comm, pid, cpu, flags, event, text)."""
    out = []
    for line in m.read(T + rel).splitlines():
        if line.startswith('#'):
            continue
        g = LINE.match(line)
        assert g, line
        out.append((g.group(1).strip(), int(g.group(2)), int(g.group(3)), g.group(4), g.group(7), g.group(8)))
    return out


def read_nonblock(m, rel):
    fd = os.open(m.abs(T + rel), os.O_RDONLY | os.O_NONBLOCK)
    try:
        return os.read(fd, 65536).decode()
    finally:
        os.close(fd)


def test_mm_page_alloc_order3_line_disable_clear_and_pipe(mnt):
    m = mnt
    assert m.write(T + 'events/kmem/mm_page_alloc/enable', '1\n') == (True, 0)
    assert m.read(T + 'set_event') == 'kmem:mm_page_alloc\n'
    assert m.read(T + 'events/kmem/enable') == 'X\n'
    handle = m.ctl('alloc_pages 3').strip()
    ev = [e for e in events(m) if e[4] == 'mm_page_alloc']
    assert len(ev) == 1
    text = ev[0][5]
    g = re.fullmatch(r'page=([0-9a-f]{16}) pfn=0x([0-9a-f]+) order=3 migratetype=0 gfp_flags=GFP_KERNEL\|__GFP_COMP',
                     text)
    assert g, text
    assert int(g.group(2), 16) > 0
    cpus = len(m.cpus())
    assert m.read(T + 'trace').startswith(HEADER % (1, 1, cpus))
    # disabled: no more lines
    assert m.write(T + 'events/kmem/mm_page_alloc/enable', '0\n') == (True, 0)
    m.ctl('alloc_pages 3')
    assert len(events(m)) == 1
    # echo > trace clears
    assert m.write(T + 'trace', '\n') == (True, 0)
    assert m.read(T + 'trace') == HEADER % (0, 0, cpus)
    # trace_pipe consumes
    assert m.write(T + 'set_event', 'kmem:mm_page_free\n') == (True, 0)
    m.ctl('free_pages %s' % handle)
    first = read_nonblock(m, 'trace_pipe')
    assert re.search(r'mm_page_free: page=[0-9a-f]{16} pfn=0x%s order=3\n' % g.group(2), first), first
    assert not first.startswith('#')
    with pytest.raises(BlockingIOError):
        read_nonblock(m, 'trace_pipe')
    assert m.read(T + 'per_cpu/cpu0/stats').startswith('entries: 0\n')


def test_enabling_routes(mnt):
    m = mnt
    assert m.write(T + 'set_event', 'kmem:*\n') == (True, 0)
    assert m.read(T + 'events/kmem/enable') == '1\n'
    assert m.read(T + 'events/enable') == 'X\n'
    assert m.write(T + 'set_event', '!mm_page_free\n', trunc=False) == (True, 0)
    assert 'kmem:mm_page_free\n' not in m.read(T + 'set_event')
    assert m.write(T + 'events/vmscan/enable', '1\n') == (True, 0)
    assert 'vmscan:mm_vmscan_kswapd_wake\n' in m.read(T + 'set_event')
    # O_TRUNC clears set_event
    assert m.write(T + 'set_event', 'oom\n') == (True, 0)
    assert set(m.read(T + 'set_event').split()) == {'oom:' + e for e in os.listdir(m.abs(T + 'events/oom'))
                                                    if os.path.isdir(m.abs(T + 'events/oom/' + e))}
    assert m.write(T + 'events/enable', '1\n') == (True, 0)
    assert m.read(T + 'events/enable') == '1\n'
    assert m.write(T + 'events/enable', '0\n') == (True, 0)
    assert m.read(T + 'set_event') == ''


def test_bad_input_is_einval_and_changes_nothing(mnt):
    m = mnt
    assert m.write(T + 'set_event', 'kmem:mm_page_alloc\n') == (True, 0)
    assert m.write(T + 'set_event', 'kmem:no_such_event\n', trunc=False) == (False, errno.EINVAL)
    assert m.write(T + 'set_event', 'nosys:mm_page_alloc\n', trunc=False) == (False, errno.EINVAL)
    assert m.read(T + 'set_event') == 'kmem:mm_page_alloc\n'
    for rel, val in [('events/kmem/mm_page_alloc/enable', '2\n'), ('events/enable', 'x\n'),
                     ('buffer_size_kb', '0\n'), ('buffer_size_kb', 'abc\n'), ('trace_clock', 'nosuch\n'),
                     ('current_tracer', 'function\n'), ('tracing_on', 'x\n'),
                     ('events/kmem/mm_page_alloc/trigger', 'bogus\n')]:
        assert m.write(T + rel, val) == (False, errno.EINVAL), rel
    assert m.read(T + 'buffer_size_kb') == '1408\n'
    assert m.read(T + 'current_tracer') == 'nop\n'
    assert 'set_event' in m.log()
    with pytest.raises(PermissionError):
        m.read(T + 'trace_marker')


def test_every_format_follows_the_kernel_layout(mnt):
    m = mnt
    avail = m.read(T + 'available_events').split()
    dirs = []
    for sys in m.trace_systems():
        for ev in sorted(os.listdir(m.abs(T + 'events/' + sys))):
            if os.path.isdir(m.abs(T + 'events/%s/%s' % (sys, ev))):
                dirs.append('%s:%s' % (sys, ev))
    assert sorted(avail) == sorted(dirs)
    ids = set()
    ctypes = {'unsigned long': 8, 'long': 8, 'int': 4, 'unsigned int': 4, 'size_t': 8, 'bool': 1, 'short': 2,
              'pid_t': 4, 'uid_t': 4, 'dev_t': 4, 'unsigned char': 1, 'unsigned short': 2, 'enum lru_list': 4,
              'unsigned long long': 8, 'gfp_t': 4, 'enum zone_type': 4, 'ino_t': 8}
    for name in avail:
        sys, ev = name.split(':')
        fmt = m.read(T + 'events/%s/%s/format' % (sys, ev))
        lines = fmt.split('\n')
        assert lines[0] == 'name: ' + ev
        eid = int(lines[1][len('ID: '):])
        assert m.read(T + 'events/%s/%s/id' % (sys, ev)) == '%d\n' % eid
        ids.add(eid)
        assert lines[2] == 'format:'
        end = 0
        fields = [l for l in lines if l.startswith('\tfield:')]
        assert fields[0] == '\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;'
        for f in fields:
            g = re.fullmatch(r'\tfield:(.+) (\w+)(\[\d+\])?;\toffset:(\d+);\tsize:(\d+);\tsigned:([01]);', f)
            assert g, f
            typ, off, size = g.group(1), int(g.group(4)), int(g.group(5))
            assert off >= end, (name, f)
            if typ.endswith('*'):
                assert size == 8
            elif typ.startswith('__data_loc'):
                assert size == 4
            elif g.group(3):
                assert size == int(g.group(3)[1:-1])
            else:
                assert ctypes[typ] == size, f
                assert off % size == 0, f
            end = off + size
        assert re.search(r'\nprint fmt: ".*", .*REC->', fmt), name
    assert len(ids) == len(avail)


def test_oom_walkthrough_traced(mount):
    m = mount('--machine=small', '--swap=0')
    for line in ('vmscan:mm_vmscan_kswapd_wake', 'vmscan:mm_vmscan_wakeup_kswapd',
                 'vmscan:mm_vmscan_direct_reclaim_begin', 'vmscan:mm_vmscan_direct_reclaim_end',
                 'oom:mark_victim'):
        assert m.write(T + 'set_event', line + '\n', trunc=False) == (True, 0)
    for pid, name, size in [(1001, 'mid', '200M'), (1003, 'precious', '300M')]:
        m.ctl('spawn %s pid=%d' % (name, pid))
        m.pctl(pid, 'mmap %s name=m' % size)
        m.pctl(pid, 'write m')
    assert m.write('proc/1003/oom_score_adj', '-1000\n') == (True, 0)
    m.ctl('spawn hog pid=1002')
    m.pctl(1002, 'mmap 900M name=h')
    err, _ = m.pctl_raw(1002, 'write h')
    assert err == errno.ESRCH
    ev = events(m)
    names = [e[4] for e in ev]
    assert 'mm_vmscan_kswapd_wake' in names
    assert names.index('mm_vmscan_direct_reclaim_begin') < names.index('mm_vmscan_direct_reclaim_end')
    for e in ev:
        if e[4] == 'mm_vmscan_direct_reclaim_end':
            assert re.fullmatch(r'nr_reclaimed=\d+', e[5])
        if e[4] == 'mm_vmscan_kswapd_wake':
            assert e[0].startswith('kswapd') and re.fullmatch(r'nid=0 order=0', e[5])
        if e[4] == 'mm_vmscan_direct_reclaim_begin':
            assert e[0] == 'hog' and e[1] == 1002
            assert e[5] == 'order=0 gfp_flags=GFP_HIGHUSER_MOVABLE'
    victim = [e for e in ev if e[4] == 'mark_victim']
    assert len(victim) == 1
    g = re.search(r'Killed process 1002 \(hog\) total-vm:(\d+)kB, anon-rss:(\d+)kB, file-rss:(\d+)kB, '
                  r'shmem-rss:(\d+)kB, UID:(\d+) pgtables:(\d+)kB oom_score_adj:(-?\d+)', m.log())
    assert g
    assert victim[0][5] == ('pid=1002 comm=hog total-vm=%skB anon-rss=%skB file-rss:%skB shmem-rss:%skB uid=%s '
                            'pgtables=%skB oom_score_adj=%s' % g.groups())


def test_rss_stat_and_lru_events_follow_the_counters(mnt):
    m = mnt
    m.ctl('spawn web pid=1000')
    m.pctl(1000, 'mmap 64K name=buf')
    assert m.write(T + 'set_event', 'kmem:rss_stat\npagemap:*\n') == (True, 0)
    m.pctl(1000, 'write buf')
    ev = events(m)
    rss = [e for e in ev if e[4] == 'rss_stat']
    ins = [e for e in ev if e[4] == 'mm_lru_insertion']
    # one counter change and one LRU insertion per page faulted in
    assert len(rss) == 16 and len(ins) == 16, ev
    sizes = []
    for e in rss:
        g = re.fullmatch(r'mm_id=(\d+) curr=1 type=MM_ANONPAGES size=(\d+)B', e[5])
        assert g and e[0] == 'web' and e[1] == 1000, e
        sizes.append(int(g.group(2)))
    # the size is the counter after the change: it ends at the RssAnon of status
    assert sizes == sorted(sizes) and sizes[-1] - sizes[0] == 15 * 4096
    assert sizes[-1] == m.status(1000)['RssAnon'] * 1024
    assert len({re.match(r'mm_id=(\d+)', e[5]).group(1) for e in rss}) == 1
    for e in ins:
        assert re.fullmatch(r'folio=[0-9a-f]{16} pfn=0x[0-9a-f]+ lru=[01] flags=Ma b  ', e[5]), e
    # unmapping drops the counter to what is left, traced as the kernel does
    assert m.write(T + 'trace', '\n') == (True, 0)
    m.pctl(1000, 'munmap buf')
    rss = [e for e in events(m) if e[4] == 'rss_stat']
    assert rss and rss[-1][5].endswith('size=%dB' % (sizes[0] - 4096))


def test_writeback_events(mnt):
    m = mnt
    m.ctl('spawn web pid=1000')
    m.ctl('file /data/w 0')
    assert m.write(T + 'events/writeback/enable', '1\n') == (True, 0)
    m.pctl(1000, 'pwrite /data/w 0 64K')
    dirtied = [e for e in events(m) if e[4] == 'writeback_dirty_folio']
    assert [re.fullmatch(r'bdi 8:0: ino=(\d+) index=(\d+)', e[5]).group(2) for e in dirtied] == \
        [str(i) for i in range(16)]
    assert all(e[0] == 'web' for e in dirtied)
    # dirty_expire_centisecs later the periodic work writes them back
    m.ctl('tick 40s')
    work = [e for e in events(m) if e[4] in ('writeback_start', 'writeback_written')]
    assert [e[4] for e in work] == ['writeback_start', 'writeback_written'] * (len(work) // 2), work
    g = [re.fullmatch(r'bdi 8:0: sb_dev 0:0 nr_pages=(\d+) sync_mode=0 kupdate=1 range_cyclic=1 background=0 '
                      r'reason=periodic cgroup_ino=1', e[5]) for e in work]
    assert all(g), work
    # every 5 s a work for the 16 dirty pages and the one dirty inode; it
    # writes nothing until they are 30 s old, then all 16
    pairs = [(int(a.group(1)), int(b.group(1))) for a, b in zip(g[::2], g[1::2])]
    assert pairs[0] == (17, 17) and pairs[-1] == (17, 1), pairs
    assert m.vmstat()['nr_dirty'] == 0
    # a throttled writer: balance_dirty_pages with its pause
    assert m.write('proc/sys/vm/dirty_bytes', '%d\n' % (8 << 20)) == (True, 0)
    assert m.write('proc/sys/vm/dirty_background_bytes', '%d\n' % (4 << 20)) == (True, 0)
    assert m.write(T + 'trace', '\n') == (True, 0)
    m.pctl(1000, 'pwrite /data/w 0 64M')
    bal = [e for e in events(m) if e[4] == 'balance_dirty_pages']
    assert bal
    for e in bal:
        g = re.fullmatch(r'bdi 8:0: limit=2048 setpoint=(\d+) dirty=(\d+) wb_setpoint=(\d+) wb_dirty=(\d+) '
                         r'dirty_ratelimit=(\d+) task_ratelimit=(\d+) dirtied=(\d+) dirtied_pause=(\d+) '
                         r'paused=(\d+) pause=(\d+) period=(\d+) think=(\d+) cgroup_ino=1', e[5])
        assert g, e
        setpoint, dirty = int(g.group(1)), int(g.group(2))
        # freerun is (1024 + 2048) / 2: the setpoint halfway to the limit
        assert setpoint == (2048 + 1536) // 2 and dirty > 1536
        assert int(g.group(10)) <= 200 and int(g.group(6)) <= 2 * int(g.group(5))
    backgrounds = [e for e in events(m) if e[4] == 'writeback_start' and 'reason=background' in e[5]]
    assert backgrounds and all('nr_pages=%d ' % (2 ** 63 - 1) in e[5] for e in backgrounds)


def test_triggers(mnt):
    m = mnt
    ev = T + 'events/kmem/mm_page_alloc/'
    assert m.read(ev + 'trigger').startswith('# Available triggers:\n# traceon traceoff snapshot')
    # traceoff after the first order-3 allocation; the event itself is not
    # enabled: its triggers run anyway (soft mode)
    assert m.write(ev + 'trigger', 'traceoff:1 if order == 3\n') == (True, 0)
    assert m.read(ev + 'trigger') == 'traceoff:count=1 if order == 3\n'
    assert m.write(T + 'set_event', 'kmem:mm_page_free\n') == (True, 0)
    h = m.ctl('alloc_pages 2').strip()
    m.ctl('free_pages %s' % h)
    assert m.read(T + 'tracing_on') == '1\n'
    h3 = m.ctl('alloc_pages 3').strip()
    assert m.read(T + 'tracing_on') == '0\n'
    assert m.read(ev + 'trigger') == 'traceoff:count=0 if order == 3\n'
    m.ctl('free_pages %s' % h3)
    assert [e[5].split()[-1] for e in events(m)] == ['order=2'], 'nothing recorded after traceoff'
    # the count is spent: tracing_on stays as the user sets it
    assert m.write(T + 'tracing_on', '1\n') == (True, 0)
    h3 = m.ctl('alloc_pages 3').strip()
    assert m.read(T + 'tracing_on') == '1\n'
    # enable_event: the target is in soft mode ('*') until the trigger fires
    assert m.write(ev + 'trigger', '!traceoff\n') == (True, 0)
    assert m.read(ev + 'trigger').startswith('# Available triggers')
    assert m.write(T + 'set_event', '\n') == (True, 0)
    assert m.write(T + 'trace', '\n') == (True, 0)
    pe = T + 'events/kmem/mm_page_pcpu_drain/enable'
    assert m.write(ev + 'trigger', 'enable_event:kmem:mm_page_free if order == 1\n') == (True, 0)
    assert m.read(T + 'events/kmem/mm_page_free/enable') == '0*\n'
    m.ctl('free_pages %s' % h3)
    assert events(m) == []
    h1 = m.ctl('alloc_pages 1').strip()
    assert m.read(T + 'events/kmem/mm_page_free/enable') == '1*\n'
    m.ctl('free_pages %s' % h1)
    assert [e[4] for e in events(m)] == ['mm_page_free']
    assert m.write(ev + 'trigger', '!enable_event:kmem:mm_page_free\n') == (True, 0)
    assert m.read(T + 'events/kmem/mm_page_free/enable') == '0\n'
    assert m.read(pe) == '0\n'
    # bad input: EINVAL (EEXIST for a duplicate), a reason in sim/log, nothing changed
    assert m.write(ev + 'trigger', 'traceon\n') == (True, 0)
    for bad, code in [('bogus', errno.EINVAL), ('traceon:x', errno.EINVAL), ('traceon:-1', errno.EINVAL),
                      ('enable_event:kmem:nosuch', errno.EINVAL), ('enable_event:kmem', errno.EINVAL),
                      ('traceoff if nosuch == 1', errno.EINVAL), ('stacktrace', errno.EINVAL),
                      ('traceon', errno.EEXIST)]:
        assert m.write(ev + 'trigger', bad + '\n') == (False, code), bad
        assert m.log_lines(stamps=False)[-1].startswith(
            'sys/kernel/tracing/events/kmem/mm_page_alloc/trigger: write of '), m.log_lines()[-1]
    assert m.read(ev + 'trigger') == 'traceon:unlimited\n'


def test_filters(mnt):
    m = mnt
    assert m.write(T + 'set_event', 'kmem:mm_page_alloc\n') == (True, 0)
    f = T + 'events/kmem/mm_page_alloc/filter'
    assert m.read(f) == 'none\n'
    assert m.write(f, 'order > 2 && gfp_flags & 0x40000\n') == (True, 0)
    assert m.read(f) == 'order > 2 && gfp_flags & 0x40000\n'
    m.ctl('alloc_pages 1')
    m.ctl('alloc_pages 3')
    ev = events(m)
    assert [re.search(r'order=(\d)', e[5]).group(1) for e in ev] == ['3']
    # a malformed filter: EINVAL, the old one kept, the reason logged
    assert m.write(f, 'nosuchfield == 1\n') == (False, errno.EINVAL)
    assert m.write(f, 'order >\n') == (False, errno.EINVAL)
    assert m.write(f, '(order == 1\n') == (False, errno.EINVAL)
    assert m.read(f) == 'order > 2 && gfp_flags & 0x40000\n'
    assert 'Field not found' in m.read(T + 'error_log')
    assert m.write(T + 'events/kmem/filter', 'order == 1\n') == (True, 0)
    assert m.read(T + 'events/kmem/filter') == 'order == 1\n'
    assert m.write(f, '0\n') == (True, 0)
    assert m.read(f) == 'none\n'


def test_marker_buffer_limit_overwrite_and_tracing_on(mnt):
    m = mnt
    assert m.write(T + 'trace_marker', 'hello world') == (True, 0)
    ev = events(m)
    assert ev[-1][4] == 'tracing_mark_write' and ev[-1][5] == 'hello world'
    assert m.write(T + 'buffer_size_kb', '4\n') == (True, 0)
    assert m.read(T + 'buffer_total_size_kb') == '%d\n' % (4 * len(m.cpus()))
    assert m.write(T + 'set_event', 'kmem:mm_page_alloc\n') == (True, 0)
    m.ctl('alloc_pages 0 count=500')
    text = m.read(T + 'trace')
    g = re.search(r'entries-in-buffer/entries-written: (\d+)/(\d+)', text)
    held, written = int(g.group(1)), int(g.group(2))
    assert written >= 501 and held < written
    stats = m.read(T + 'per_cpu/cpu0/stats')
    assert int(re.search(r'bytes: (\d+)', stats).group(1)) <= 4096
    assert int(re.search(r'overrun: (\d+)', stats).group(1)) > 0
    # the newest survive
    assert events(m)[-1][4] == 'mm_page_alloc'
    assert m.write(T + 'tracing_on', '0\n') == (True, 0)
    m.ctl('alloc_pages 0 count=5')
    assert re.search(r'entries-written: \d+/%d ' % written, m.read(T + 'trace'))


def test_trace_pipe_blocks_until_an_event(mnt):
    m = mnt
    assert m.write(T + 'set_event', 'kmem:mm_page_alloc\n') == (True, 0)
    got = {}

    def reader():
        fd = os.open(m.abs(T + 'trace_pipe'), os.O_RDONLY)
        try:
            got['data'] = os.read(fd, 4096).decode()
        finally:
            os.close(fd)

    th = threading.Thread(target=reader, daemon=True)
    th.start()
    time.sleep(0.5)
    assert th.is_alive() and 'data' not in got
    # the model is not held while the reader waits
    assert m.read('proc/meminfo').startswith('MemTotal:')
    m.ctl('alloc_pages 2')
    th.join(10)
    assert not th.is_alive()
    assert 'mm_page_alloc: ' in got['data'] and 'order=2' in got['data']


def test_sigterm_ends_the_daemon_while_a_reader_waits(mount):
    m = mount()
    p = subprocess.Popen(['cat', m.abs(T + 'trace_pipe')], stdout=subprocess.PIPE)
    try:
        time.sleep(0.5)
        assert p.poll() is None
        m.proc.terminate()
        m.proc.wait(10)
    finally:
        p.kill()
        p.wait(10)


def test_same_seed_same_trace(mount):
    def run():
        m = mount()
        assert m.write(T + 'events/enable', '1\n') == (True, 0)
        m.ctl('spawn web pid=1000')
        m.pctl(1000, 'mmap 64M name=heap')
        m.pctl(1000, 'write heap')
        m.ctl('kmalloc 100 count=3')
        data = m.read_bytes(T + 'trace')
        m.unmount()
        return data
    a, b = run(), run()
    assert a == b and len(a) > 10000


def test_trace_cmd_reads_the_mount(mnt, mmsim_ns):
    if not shutil.which('trace-cmd'):
        pytest.skip('trace-cmd is not installed (Debian package trace-cmd)')
    m = mnt
    assert m.write(T + 'set_event', 'kmem:mm_page_alloc\n') == (True, 0)
    m.ctl('alloc_pages 3')
    out = mmsim_ns(m, 'trace-cmd', 'list', '-e')
    assert 'kmem:mm_page_alloc' in out.stdout
    out = mmsim_ns(m, 'trace-cmd', 'show')
    assert 'mm_page_alloc: ' in out.stdout
