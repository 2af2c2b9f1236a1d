"""With --clock=manual and the same --seed, the same commands give
byte-identical files."""
import time

import pytest

SCRIPT = [
    'alloc_pages 0 count=37',
    'alloc_pages 3 count=5 type=unmovable',
    'tick 1500ms',
    'alloc_pages 9 type=reclaimable node=1',
    'alloc_pages 10 count=3 type=movable node=0',
    'SYSCTL min_free_kbytes 20000',
    'alloc_pages 2 count=11 type=unmovable node=1',
    'FREE 2',
    'tick 7s',
    'bogus command',
    'SYSCTL watermark_scale_factor 150',
    'alloc_pages 5 count=4 type=reclaimable',
    'FREE 0',
    'drain_pages',
    'tick 61s',
    'alloc_pages 1 count=100',
    'SYSCTL lowmem_reserve_ratio 128 128 16 0 0',
    'FREE 5',
    'tick 250ms',
]


def run_script(m):
    """Run SCRIPT; FREE i frees the i-th handle handed out so far."""
    handles = []
    replies = []
    for cmd in SCRIPT:
        if cmd.startswith('SYSCTL '):
            _, name, value = cmd.split(' ', 2)
            ok, err = m.write('proc/sys/vm/' + name, value + '\n')
            assert ok, (cmd, err)
            continue
        if cmd.startswith('FREE '):
            cmd = 'free_pages %s' % handles[int(cmd.split()[1])]
        err, reply = m.ctl_raw(cmd)
        replies.append((cmd, err, reply))
        if err == 0 and cmd.startswith('alloc_pages'):
            handles.extend(reply.split())
    return replies


def wait_for_next_second():
    t = time.time()
    time.sleep(1.05 - (t - int(t)))


@pytest.mark.parametrize('opts', [(), ('--seed=7', '--machine=numa4')])
def test_same_seed_same_commands_same_files(mount, opts):
    a = mount(*opts)
    # a daemon started in another wall-clock second must not differ
    wait_for_next_second()
    b = mount(*opts)
    assert a.snapshot(exclude=()) == b.snapshot(exclude=()), 'freshly mounted daemons differ'
    ra = run_script(a)
    rb = run_script(b)
    assert ra == rb
    assert any(err for _c, err, _r in ra), 'the script has a failing command'
    fa = a.snapshot(exclude=())
    fb = b.snapshot(exclude=())
    assert sorted(fa) == sorted(fb)
    diff = [p for p in fa if fa[p] != fb[p]]
    assert not diff, 'files differ: %s' % diff
    # and the script did change things
    assert a.read('proc/buddyinfo') != ''


def test_different_commands_differ(mount):
    """The comparison above is not vacuous: a different script gives
    different files."""
    a = mount()
    b = mount()
    run_script(a)
    run_script(b)
    assert a.snapshot(exclude=()) == b.snapshot(exclude=())
    b.ctl('alloc_pages 5')
    assert a.read('proc/meminfo') != b.read('proc/meminfo')
    assert a.read('proc/buddyinfo') != b.read('proc/buddyinfo')
