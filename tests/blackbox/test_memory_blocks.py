"""sys/devices/system/memory/: the memory blocks, and lsmem reading them."""
import json
import os
import shutil

import pytest

MEM = 'sys/devices/system/memory'


def blocks(m):
    return sorted(int(x[6:]) for x in os.listdir(m.abs(MEM)) if x.startswith('memory'))


def test_blocks(mnt):
    assert mnt.read(MEM + '/block_size_bytes') == '8000000\n'
    assert mnt.read(MEM + '/auto_online_blocks') == 'offline\n'
    ids = blocks(mnt)
    # every page of RAM is in a block: the blocks span at least MemTotal
    assert len(ids) * 128 * 1024 >= mnt.meminfo()['MemTotal']
    for i in ids:
        d = '%s/memory%d/' % (MEM, i)
        assert mnt.read(d + 'state') == 'online\n'
        assert mnt.read(d + 'online') == '1\n'
        assert mnt.read(d + 'removable') == '1\n'
        assert mnt.read(d + 'phys_device') == '0\n'
        assert mnt.read(d + 'phys_index') == '%08x\n' % i
    # the first block holds DMA and DMA32: no single zone
    assert mnt.read(MEM + '/memory0/valid_zones') == 'none\n'
    zones = {mnt.read('%s/memory%d/valid_zones' % (MEM, i)).strip() for i in ids[1:]}
    assert zones <= {'DMA32', 'Normal', 'Movable', 'none'} and zones & {'DMA32', 'Normal'}
    assert mnt.lstat_errno('%s/memory%d' % (MEM, ids[-1] + 1)) == 2


def test_large_machine_block_size(mount):
    m = mount('--mem=80G')
    # memory ends above 64 GiB: the largest power of two up to 2 GiB that
    # the end is aligned to
    size = int(m.read(MEM + '/block_size_bytes'), 16)
    assert size > 128 << 20 and size <= 2 << 30 and size & (size - 1) == 0
    ids = blocks(m)
    assert len(ids) * size >= m.meminfo()['MemTotal'] * 1024


def test_lsmem(mnt, mmsim_ns):
    if not shutil.which('lsmem'):
        pytest.skip('lsmem (Debian package util-linux) is not installed')
    r = mmsim_ns(mnt, 'lsmem', '--json', '-b', '-o', 'RANGE,SIZE,STATE,REMOVABLE,BLOCK')
    assert r.returncode == 0, r.stderr + r.stdout
    rows = json.loads(r.stdout)['memory']
    ids = blocks(mnt)
    assert sum(int(x['size']) for x in rows) == len(ids) * (128 << 20)
    assert all(x['state'] == 'online' for x in rows)
    first, last = rows[0]['block'].split('-')[0], rows[-1]['block'].split('-')[-1]
    assert (int(first), int(last)) == (ids[0], ids[-1])
