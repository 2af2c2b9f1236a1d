"""A short soak (tools/soak): 8 writers sending random valid commands and 8
readers reading random files of one --debug-vm mount at once.  The daemon
must not crash, hang, report a sanitizer error or a broken invariant, and
must unmount and exit 0.  Under the ASan build (tools/test's second pass)
this is the sanitized soak; `tools/soak --seconds 600` is the long one."""

import os
import subprocess
import sys

import pytest

from conftest import MMSIMD, REPO, fuse_unavailable, require_daemon


@pytest.mark.parametrize('seed', [1, 2])
def test_short_soak(seed):
    why = fuse_unavailable()
    if why:
        pytest.skip(why)
    require_daemon()
    r = subprocess.run([sys.executable, os.path.join(REPO, 'tools', 'soak'), '--seconds', '6',
                        '--seed', str(seed), '--mmsimd', MMSIMD],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr
    assert 'soak: PASS' in r.stdout
