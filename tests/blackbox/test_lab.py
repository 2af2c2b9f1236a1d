"""tools/lab and tools/plot: every lab runs on a fresh mount and its
answers agree with its own formulas; seeds vary the numbers
deterministically; a lab that lies fails; the plots are drawn."""
import copy
import io
import os
import re
import signal
import subprocess
import sys

import pytest

from conftest import MMSIMD, REPO, fuse_unavailable, parse_kv, require_daemon

TOOLS = os.path.join(REPO, 'tools')
LAB = os.path.join(TOOLS, 'lab')
PLOT = os.path.join(TOOLS, 'plot')
sys.path.insert(0, TOOLS)

from mmsimlab import labs                                                     # noqa: E402
from mmsimlab.lab import (KERNEL_FUNCTION, Delta, LabInconsistent, Meminfo, Number, Run,   # noqa: E402
                          params_for)
from mmsimlab.machine import Machine                                          # noqa: E402


def run_tool(*argv, timeout=300, tmpdir=None):
    env = dict(os.environ, MMSIM_BUILD_DIR=os.path.dirname(os.path.dirname(MMSIMD)),
               PYTHONDONTWRITEBYTECODE='1')
    if tmpdir:
        env['TMPDIR'] = str(tmpdir)         # where the tool mounts its own daemon
    return subprocess.run(['/usr/bin/python3'] + [str(a) for a in argv], capture_output=True, text=True,
                          timeout=timeout, stdin=subprocess.DEVNULL, env=env)


def questions(lab):
    return [q for step in lab.STEPS for q in step.ask]


@pytest.mark.parametrize('name', labs.ORDER)
def test_lab_answers_agree_with_the_files(mount, name):
    """--answers on a fresh --debug-vm mount: every question answered, no
    inconsistency, and the values the last step reveals are the files'
    (read again here)."""
    lab = labs.load(name)
    if getattr(lab, 'DEBUG_VM', True):
        m = mount(*lab.OPTIONS)
        r = run_tool(LAB, name, '--mount', m.path, '--answers', '--seed', 3)
    else:
        # the lab starts its own daemon, without --debug-vm
        why = fuse_unavailable()
        if why:
            pytest.skip(why)
        require_daemon()
        m = None
        r = run_tool(LAB, name, '--answers', '--seed', 3)
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr
    answers = re.findall(r'^   A: (.*)$', r.stdout, re.M)
    assert len(answers) == len(questions(lab)), r.stdout
    if m:
        assert m.path not in r.stdout       # the output does not depend on where it ran
        assert m.alive()
        assert final_values_match(m, r.stdout), 'nothing of the last step re-read for %s' % name


def final_values_match(m, out):
    """The last step's answers and values were read after its last
    command, so they are the files' values now: read them again here,
    independently of the lab's runner.  Returns how many were compared."""
    last = out.split('\n-- step ')[-1]

    def key_of(path, key):
        text = m.read(path)
        if path == 'proc/vmstat':
            return dict(l.split() for l in text.splitlines())[key]
        return parse_kv(text)[key]
    pairs = [(key_of(p, k), v) for v, k, p in
             re.findall(r'^   A: (-?\d+)(?: \w+)?\s+\[(\S+) in (\S+)\]', last, re.M)]
    pairs += [(key_of(p, k), v) for k, p, v in re.findall(r'^   (\S+) in (\S+): (-?\d+)', last, re.M)]
    pairs += [(m.read(p).split()[0], v) for v, p in
              re.findall(r'^   A: (-?\d+)(?: \w+)?\s+\[((?:proc|sys)/\S+)\]', last, re.M)]
    pairs += [(m.read(p).split()[0], v) for p, v in re.findall(r'^   ((?:proc|sys)/\S+): (-?\d+)$', last, re.M)]
    for now, shown in pairs:
        assert int(now) == int(shown), last
    return len(pairs)


def test_every_question_explains_with_a_kernel_function_and_some_check():
    for lab in labs.all_labs():
        qs = questions(lab)
        assert qs, lab.NAME
        assert any(q.expect is not None for q in qs), '%s checks nothing against a formula' % lab.NAME
        for step in lab.STEPS:
            for q in step.ask:
                assert KERNEL_FUNCTION.search(q.explain or step.explain), (lab.NAME, q.text)


def test_seed_gives_the_same_numbers_and_another_seed_other_ones(tmp_path):
    """Without --mount the lab starts its own daemon (manual clock, seed)
    and unmounts and removes it at the end."""
    why = fuse_unavailable()
    if why:
        pytest.skip(why)
    require_daemon()
    a = run_tool(LAB, 'fork', '--answers', '--seed', 7, tmpdir=tmp_path)
    b = run_tool(LAB, 'fork', '--answers', '--seed', 7, tmpdir=tmp_path)
    assert a.returncode == 0, a.stderr
    assert a.stdout == b.stdout
    seeds = {params_for(labs.load('fork'), s)['size'] for s in range(1, 20)}
    assert len(seeds) > 2
    other = next(s for s in range(8, 40) if params_for(labs.load('fork'), s) != params_for(labs.load('fork'), 7))
    c = run_tool(LAB, 'fork', '--answers', '--seed', other, tmpdir=tmp_path)
    assert c.returncode == 0, c.stderr
    assert c.stdout != a.stdout
    assert os.listdir(str(tmp_path)) == []      # every mount point unmounted and removed


def test_a_lab_that_lies_fails(mnt):
    """The fork lab with its first formula off by more than its
    tolerance: the runner must refuse it rather than print the file's
    value."""
    lab = labs.load('fork')

    class Liar:
        NAME, TITLE, OPTIONS = 'liar', 'a lab that lies', []
        STEPS = copy.deepcopy(lab.STEPS)
    q = Liar.STEPS[0].ask[0]
    q.expect = lambda p: p['size_pages'] + 3 * q.tol
    out = io.StringIO()
    with pytest.raises(LabInconsistent):
        Run(Liar, Machine(mnt.path), params_for(lab, 1), True, out=out).run()


def test_a_number_not_from_a_file_fails(mnt):
    """A Delta whose formula disagrees with meminfo is caught too."""
    class Lab:
        NAME, TITLE, OPTIONS = 'x', 'x', []
        from mmsimlab.lab import Step
        STEPS = [Step('spawn', do=['sim: spawn a pid=1000'],
                      ask=[Number('AnonPages?', Delta(Meminfo('AnonPages')), expect=0, explain='x()')])]
    with pytest.raises(LabInconsistent):
        Run(Lab, Machine(mnt.path), {}, True, out=io.StringIO()).run()


def test_mount_of_the_wrong_machine_is_refused(mnt):
    r = run_tool(LAB, 'oom', '--mount', mnt.path, '--answers')
    assert r.returncode != 0
    assert '--machine=small' in r.stderr


def test_list_and_help():
    r = run_tool(LAB, 'list')
    assert r.returncode == 0
    for name in labs.ORDER:
        assert re.search(r'^%s\s' % name, r.stdout, re.M)
    h = run_tool(LAB, '--help')
    assert h.returncode == 0 and '--answers' in h.stdout and 'fork' in h.stdout
    assert run_tool(LAB, 'nosuchlab').returncode == 2


def test_plot_draws_pngs(tmp_path):
    why = fuse_unavailable()
    if why:
        pytest.skip(why)
    require_daemon()
    script = tmp_path / 'scenario'
    script.write_text('sim: spawn hog pid=1000\n1000: mmap 600M name=big\n'
                      '1000: write big   # split into pieces\n1000: read big\n')
    out = tmp_path / 'plots'
    r = run_tool(PLOT, '--script', script, '--machine-opts=--machine=small --mem=512M --swap=1G',
                 '--out', out, '--after', '500ms', '--step', '100ms', '--chunk', '32M',
                 '--series', 'proc/1000/status:VmRSS', '--series', 'proc/vmstat:pswpout')
    if r.returncode != 0 and 'gnuplot is missing' in r.stderr:
        pytest.skip('gnuplot cannot be installed here: ' + r.stderr.strip())
    assert r.returncode == 0, r.stderr
    for name in ('memory.png', 'watermarks.png', 'rates.png', 'buddy.png', 'series.png'):
        data = (out / name).read_bytes()
        assert data[:8] == b'\x89PNG\r\n\x1a\n' and len(data) > 2000, name
    rows = (out / 'samples.tsv').read_text().splitlines()
    assert len(rows) > 20         # one sample per piece and per tick
    head = rows[0].split('\t')
    last = dict(zip(head, rows[-1].split('\t')))
    assert float(last['mem_swap']) > 0     # the picture shows what happened: swap in use
    assert float(last['s_proc/vmstat:pswpout']) > 0
    first = dict(zip(head, rows[1].split('\t')))
    assert first['s_proc/1000/status:VmRSS'] == 'NaN'   # before the spawn: no such process yet


@pytest.mark.parametrize('sig,rc', [(signal.SIGINT, 130), (signal.SIGTERM, 128 + signal.SIGTERM)])
def test_interrupted_lab_unmounts(tmp_path, sig, rc):
    """Ctrl-C (or SIGTERM) while the lab waits for a prediction: the
    daemon is unmounted and its directory removed."""
    why = fuse_unavailable()
    if why:
        pytest.skip(why)
    require_daemon()
    env = dict(os.environ, MMSIM_BUILD_DIR=os.path.dirname(os.path.dirname(MMSIMD)),
               PYTHONDONTWRITEBYTECODE='1', TMPDIR=str(tmp_path))
    p = subprocess.Popen(['/usr/bin/python3', LAB, 'fork'], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, env=env)
    try:
        seen = b''
        while b'your prediction' not in seen:
            chunk = p.stdout.read1(4096)
            assert chunk, 'the lab ended before asking: %r %r' % (seen, p.stderr.read())
            seen += chunk
        assert [d for d in os.listdir(str(tmp_path)) if os.path.ismount(str(tmp_path / d))]
        p.send_signal(sig)
        assert p.wait(timeout=30) == rc
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
    assert os.listdir(str(tmp_path)) == []


def test_the_re_read_catches_a_wrong_value(mnt):
    """final_values_match is not a check that cannot fail: one value of
    the key changed by one, and it fails."""
    r = run_tool(LAB, 'fork', '--mount', mnt.path, '--answers')
    assert r.returncode == 0, r.stderr
    assert final_values_match(mnt, r.stdout)
    wrong = re.sub(r'(?m)^(   AnonPages in proc/meminfo: )(\d+)', lambda mo: mo.group(1) + str(int(mo.group(2)) + 1),
                   r.stdout)
    assert wrong != r.stdout
    with pytest.raises(AssertionError):
        final_values_match(mnt, wrong)
