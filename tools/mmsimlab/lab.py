"""The lab runner: readers, questions, steps, and the predict-then-reveal loop.

A lab is a module of tools/mmsimlab/labs/ with data and no logic of its own:

    NAME, TITLE          what `tools/lab list` shows
    OPTIONS              mmsimd options the lab's machine needs
    PARAMS               {name: [choices]}: --seed picks one of each
    DERIVED (optional)   function(params) -> more params (sizes in kB, ...)
    STEPS                [Step(...)], run in order
    DEBUG_VM (optional)  False: too many commands for --debug-vm in the tests

Readers (all read the mount): Key/Meminfo/Status/Rollup ('Key: N' lines),
Vmstat, Value (a one-number file), Match (a regex), Zone (zoneinfo), Buddy
(buddyinfo), Vma (one VMA of smaps), Outcome (how a '?' command ended),
Delta (a reader's change over the step), Sum, Largest (which of several).
Questions: Number (expect, tol), Direction (up/down/same of a Delta),
Choice (options; pick maps the value to one).  expect is a value or a
function of the params, or of (params, f) where f(reader) reads a file,
for formulas over other files' values (CommitLimit from MemTotal, ...).

A Step says what it does (`say`), asks its questions before running its
commands (`ask`), runs them (`do`), reads the files (every revealed value
comes from a Reader: a file of the mount, never a computation of the lab)
and explains each answer in a sentence that names the kernel function.
Where a question also gives an expected value (`expect`, a formula of the
params), the runner checks the file against it and fails loudly when they
disagree: a lab cannot lie.

Commands in `do` are strings, formatted with the params:
    "sim: spawn web pid=1000"     a line for sim/ctl
    "1000: mmap {size}M name=h"   a line for proc/1000/ctl
    "1000?: mmap 8G"              may fail: the errno name (or "ok") is kept
                                  for the Outcome reader
    "> proc/sys/vm/swappiness 0"  echo 0 > that file
    a callable(params) -> [(target, [lines])]  a batch, written at once
"""

import random
import re
import shlex
import sys
import textwrap

from .machine import CommandFailed, parse_kv

KERNEL_FUNCTION = re.compile(r'\b[a-z_][a-z0-9_]*\(\)')


class LabInconsistent(Exception):
    """A file disagrees with the lab's own formula."""


# ---------------------------------------------------------------- readers

class Reader:
    """A value read from the mount.  unit is printed after it."""
    unit = ''
    label = '?'

    def read(self, m, run):
        raise NotImplementedError

    def fmt(self, p):
        return self


class Key(Reader):
    """A 'Key: N' line of a file (meminfo, status, smaps_rollup, ...)."""

    def __init__(self, path, key, unit='kB'):
        self.path, self.key, self.unit = path, key, unit
        self.label = '%s in %s' % (key, path)

    def read(self, m, run):
        kv = parse_kv(m.read(self.path))
        if self.key not in kv:
            raise LabInconsistent('%s has no %s' % (self.path, self.key))
        return kv[self.key]

    def fmt(self, p):
        return type(self)(self.path.format(**p), self.key, self.unit)


def Meminfo(key):
    return Key('proc/meminfo', key, '' if key.startswith('HugePages_') else 'kB')


def Status(pid, key):
    return Key('proc/%s/status' % pid, key)


def Rollup(pid, key):
    return Key('proc/%s/smaps_rollup' % pid, key)


class Vmstat(Reader):
    def __init__(self, key, unit=''):
        self.key, self.unit = key, unit
        self.label = '%s in proc/vmstat' % key

    def read(self, m, run):
        return m.vmstat()[self.key]


class Value(Reader):
    """A whole file holding one number (a sysctl, a sysfs attribute)."""

    def __init__(self, path, unit=''):
        self.path, self.unit = path, unit
        self.label = path

    def read(self, m, run):
        return int(m.read(self.path).split()[0])

    def fmt(self, p):
        return Value(self.path.format(**p), self.unit)


class Match(Reader):
    """The first group of a regular expression's last match in a file
    (an int when it is one)."""

    def __init__(self, path, regex, label, unit=''):
        self.path, self.regex, self.label, self.unit = path, regex, label, unit

    def read(self, m, run):
        found = re.findall(_fmt(self.regex, run.p), m.read(self.path), re.M)
        if not found:
            raise LabInconsistent('%s: nothing matches %r' % (self.path, self.regex))
        v = found[-1]
        return int(v) if re.fullmatch(r'-?\d+', v) else v

    def fmt(self, p):
        return Match(_fmt(self.path, p), _fmt(self.regex, p), _fmt(self.label, p), self.unit)


class Zone(Reader):
    """A field of one zone in proc/zoneinfo ('pages free', 'min', ...)."""

    def __init__(self, node, zone, key, unit='pages'):
        self.node, self.zone, self.key, self.unit = node, zone, key, unit
        self.label = "'%s' of node %d %s in proc/zoneinfo" % (key, node, zone)

    def read(self, m, run):
        return m.zoneinfo()[(self.node, self.zone)][self.key]


class Buddy(Reader):
    """Free blocks of one order, summed over every zone, in proc/buddyinfo."""

    def __init__(self, order):
        self.order = order
        self.unit = 'blocks'
        self.label = 'free order-%d blocks in proc/buddyinfo' % order

    def read(self, m, run):
        return sum(v[self.order] for v in m.buddyinfo().values())


class Vma(Reader):
    """A field of one VMA in proc/PID/smaps, the VMA found by its name in
    the header line ('[heap]', 'anon:buf', a path)."""

    def __init__(self, pid, name, key, unit='kB'):
        self.pid, self.name, self.key, self.unit = pid, name, key, unit
        self.label = '%s of %s in proc/%s/smaps' % (key, name, pid)

    def read(self, m, run):
        cur = None
        for line in m.read('proc/%s/smaps' % self.pid).splitlines():
            if re.match(r'^[0-9a-f]+-[0-9a-f]+ ', line):
                cur = line.split(None, 5)[5].strip() if len(line.split(None, 5)) > 5 else ''
                cur = cur.strip('[]') if cur.startswith('[anon:') else cur
            elif cur is not None and (cur == self.name or cur == '[%s]' % self.name):
                k, _, v = line.partition(':')
                if k == self.key:
                    return int(v.split()[0])
        raise LabInconsistent('proc/%s/smaps: no VMA %s with %s' % (self.pid, self.name, self.key))

    def fmt(self, p):
        return Vma(str(self.pid).format(**p), self.name.format(**p), self.key, self.unit)


class Sum(Reader):
    """The sum of several readers' values (each read from its file)."""

    def __init__(self, label, *readers):
        self.label, self.parts = label, list(readers)
        self.unit = readers[0].unit

    def read(self, m, run):
        return sum(r.read(m, run) for r in self.parts)

    def fmt(self, p):
        return Sum(self.label.format(**p), *[r.fmt(p) for r in self.parts])


class Largest(Reader):
    """Which of several named readers has the largest value: {name: reader}."""

    def __init__(self, named):
        self.named = dict(named)
        self.parts = list(self.named.values())
        self.label = ' vs '.join(r.label for r in self.parts)

    def read(self, m, run):
        vals = {k: r.read(m, run) for k, r in self.named.items()}
        run.details = ', '.join('%s %s' % (k, v) for k, v in vals.items())
        return max(vals, key=lambda k: vals[k])

    def fmt(self, p):
        return Largest({k: r.fmt(p) for k, r in self.named.items()})


def _deltas(r):
    """The Delta readers in r, r included."""
    out = [r] if isinstance(r, Delta) else []
    for part in getattr(r, 'parts', ()):
        out += _deltas(part)
    return out


class Outcome(Reader):
    """How the last '?' command ended: 'ok' or its errno name."""
    label = 'the result of the command'

    def read(self, m, run):
        return run.outcome


class Delta(Reader):
    """How much a reader's value moved over the step's commands."""

    def __init__(self, reader):
        self.inner = reader
        self.unit = reader.unit
        self.label = 'change of ' + reader.label

    def read(self, m, run):
        return self.inner.read(m, run) - run.before[id(self)]

    def fmt(self, p):
        d = Delta(self.inner.fmt(p))
        return d


# ---------------------------------------------------------------- questions

class Question:
    """Asked before the step's commands run, answered from the files after."""

    def __init__(self, text, reader, expect=None, explain='', tol=0):
        self.text, self.reader, self.expect, self.explain, self.tol = text, reader, expect, explain, tol

    def answer(self, value, p):
        return value

    def check(self, answer, expected):
        return answer == expected

    def prompt(self):
        return ''

    def parse(self, text):
        return text.strip() or None

    def judge(self, guess, answer):
        return 'right' if guess == answer else 'the files say otherwise'


class Number(Question):
    def check(self, answer, expected):
        return abs(answer - expected) <= self.tol

    def prompt(self):
        return 'a number'

    def parse(self, text):
        text = text.strip().replace(',', '')
        try:
            return float(text) if text else None
        except ValueError:
            return None

    def judge(self, guess, answer):
        if answer == 0:
            return 'right' if guess == 0 else 'off'
        err = abs(guess - answer) / abs(answer)
        return 'right' if err <= 0.02 else 'close (within 10%)' if err <= 0.10 else 'off by %.0f%%' % (err * 100)


class Direction(Question):
    """up, down or same: the sign of a Delta."""

    def answer(self, value, p):
        return 'up' if value > self.tol else 'down' if value < -self.tol else 'same'

    def prompt(self):
        return 'up, down or same'

    def parse(self, text):
        t = text.strip().lower()
        for w in ('up', 'down', 'same'):
            if t and w.startswith(t):
                return w
        return None


class Choice(Question):
    """One of options; pick maps the reader's value to an option (the
    value itself by default)."""

    def __init__(self, text, reader, options, expect=None, explain='', pick=None):
        super().__init__(text, reader, expect, explain)
        self.options, self.pick = options, pick

    def answer(self, value, p):
        return self.pick(value, p) if self.pick else value

    def prompt(self):
        return ' or '.join(str(o) for o in self.options)

    def parse(self, text):
        t = text.strip()
        for o in self.options:
            if t == str(o):
                return o
        return None


# ---------------------------------------------------------------- steps

class Step:
    def __init__(self, title, say='', do=(), ask=(), show=(), explain=''):
        self.title, self.say, self.do, self.explain = title, say, list(do), explain
        self.ask = list(ask) if isinstance(ask, (list, tuple)) else [ask]
        self.show = list(show)


def params_for(lab, seed):
    """The lab's parameters for a seed: one choice of each, then DERIVED."""
    rng = random.Random('%s:%d' % (lab.NAME, seed))
    p = {k: rng.choice(v) for k, v in sorted(lab.PARAMS.items())}
    derived = getattr(lab, 'DERIVED', None)
    if derived:
        p.update(derived(p))
    return p


def check_machine(lab, m):
    """With --mount: the lab's options must describe the mounted machine."""
    keys = m.machine_keys()
    if keys.get('clock') != 'manual':
        raise SystemExit('this lab needs a manual clock: mount with mmsimd --clock=manual %s'
                         % ' '.join(lab.OPTIONS))
    want = {'--machine': 'preset', '--swap': 'swap', '--mem': 'mem', '--nodes': 'nodes'}
    for opt in lab.OPTIONS:
        k, _, v = opt.partition('=')
        if k in want and k != '--machine':
            have = keys.get(want[k], '')
            if _size_kb(v) != _size_kb(have):
                raise SystemExit('this lab needs a machine mounted with %s (this one has %s=%s)'
                                 % (' '.join(lab.OPTIONS), want[k], have))
        elif k == '--machine' and keys.get('preset') != v:
            raise SystemExit('this lab needs a machine mounted with %s (this one is preset=%s)'
                             % (' '.join(lab.OPTIONS), keys.get('preset')))


def _size_kb(text):
    m = re.fullmatch(r'(\d+)([KMGT]?)', text.strip())
    if not m:
        return text
    return int(m.group(1)) * {'': 1 / 1024, 'K': 1, 'M': 1024, 'G': 1 << 20, 'T': 1 << 30}[m.group(2)]


class Run:
    """One run of a lab on a machine: the predict-then-reveal loop."""

    def __init__(self, lab, machine, params, answers, out=sys.stdout, inp=sys.stdin):
        self.lab, self.m, self.p = lab, machine, params
        self.answers, self.out, self.inp = answers, out, inp
        self.before = {}
        self.outcome = 'ok'
        self.score = [0, 0]

    def say(self, text=''):
        print(text, file=self.out)

    def run(self):
        self.say('== %s: %s' % (self.lab.NAME, self.lab.TITLE))
        self.say('   (parameters: %s)' % ', '.join('%s=%s' % kv for kv in sorted(self.p.items())))
        for i, step in enumerate(self.lab.STEPS, 1):
            self.step(i, step)
        if not self.answers and self.score[1]:
            self.say('\nYou predicted %d of %d right.' % tuple(self.score))

    def step(self, i, step):
        p = self.p
        self.say('\n-- step %d: %s' % (i, step.title.format(**p)))
        if step.say:
            self.say(_wrap(step.say.format(**p)))
        asks = [(q, q.reader.fmt(p)) for q in step.ask]
        for q, r in asks:
            for d in _deltas(r):
                self.before[id(d)] = d.inner.read(self.m, self)
        cmds = self.commands(step)
        self.say('   commands:')
        for target, line in cmds:
            self.say('     %s' % self.show_command(target, line))
        guesses = [self.predict(q) for q, _ in asks]
        for target, line in cmds:
            self.execute(target, _fmt(line, self.p) if isinstance(line, str) else line)
        for (q, r), guess in zip(asks, guesses):
            self.reveal(q, r, guess)
        for r in step.show:
            r = r.fmt(p)
            self.say(('   %s: %s %s' % (r.label, r.read(self.m, self), r.unit)).rstrip())
        if step.explain:
            self.say(_wrap(step.explain.format(**p)))

    def commands(self, step):
        out = []
        for c in step.do:
            if callable(c):
                for target, lines in c(self.p):
                    out.append((target, lines))
                continue
            c = _fmt(c, self.p)
            if c.startswith('>'):
                path, _, value = c[1:].strip().partition(' ')
                out.append(('>' + path, value))
            else:
                target, _, line = c.partition(':')
                out.append((target.strip(), line.strip()))
        return out

    @staticmethod
    def show_command(target, line):
        if isinstance(line, list):
            return 'a batch of %d lines to %s, the first: %s' % (len(line), target, line[0])
        if target.startswith('>'):
            return 'echo %s > %s' % (shlex.quote(line), target[1:])
        t = target.rstrip('?')
        path = 'sim/ctl' if t == 'sim' else 'proc/%s/ctl' % t
        line, _, keep = line.partition(' -> ')
        if keep:
            return '%s=$(ctl %s %s)      # keep the reply' % (keep.strip(), path, line)
        return 'echo "%s" > %s' % (line, path)

    def execute(self, target, line):
        if isinstance(line, list):
            self.m.ctl_batch(target, line)
            return
        if target.startswith('>'):
            self.m.write(target[1:], line)
            return
        may_fail = target.endswith('?')
        line, _, keep = line.partition(' -> ')
        try:
            reply = self.m.ctl(target.rstrip('?'), line)
            self.outcome = 'ok'
            if keep:
                self.p[keep.strip()] = reply
        except CommandFailed as e:
            if not may_fail:
                raise
            self.outcome = e.errno_name

    def predict(self, q):
        text = q.text.format(**self.p)
        if self.answers:
            return None             # the key prints each question with its answer
        while True:
            self.out.write('   Q: %s\n      your prediction (%s; Enter to skip): ' % (text, q.prompt()))
            self.out.flush()
            line = self.inp.readline()
            if not self.inp.isatty():       # echo what a pipe answered
                self.out.write(line if line.endswith('\n') else line + '\n')
            if not line or not line.strip():
                return None
            g = q.parse(line)
            if g is not None:
                return g
            self.say('      (please answer with %s)' % q.prompt())

    def reveal(self, q, r, guess):
        self.details = None
        value = r.read(self.m, self)
        ans = q.answer(value, self.p)
        unit = ' ' + r.unit if isinstance(q, Number) and r.unit else ''
        if q.expect is not None:
            exp = q.expect
            if callable(exp):
                exp = exp(self.p, lambda rd: rd.fmt(self.p).read(self.m, self)) \
                    if exp.__code__.co_argcount == 2 else exp(self.p)
            if not q.check(ans, exp):
                raise LabInconsistent('lab %s, %r: the files say %s%s, the lab expected %s (tolerance %s)'
                                      % (self.lab.NAME, q.text.format(**self.p), ans, unit, exp, q.tol))
        checked = ''
        if q.expect is not None:
            if not isinstance(exp, str):
                checked = '   (formula: %s%s)' % (_num(exp), ' +- %s' % q.tol if q.tol else '')
        detail = ' (%s)' % self.details if self.details else \
            '' if isinstance(q, Number) or value == ans else ' (%s%s)' % (_signed(value), ' ' + r.unit if r.unit else '')
        if self.answers:
            self.say('   Q: %s' % q.text.format(**self.p))
        self.say('   A: %s%s%s   [%s]%s' % (ans, unit, detail, r.label, checked))
        if guess is not None:
            verdict = q.judge(guess, ans)
            self.score[1] += 1
            self.score[0] += verdict == 'right'
            self.say('      you said %s: %s' % (_num(guess), verdict))
        if q.explain:
            self.say(_wrap(q.explain.format(**self.p), '      '))


class _Keep(dict):
    def __missing__(self, k):
        return '{%s}' % k


def _fmt(text, p):
    """str.format that leaves {names} not known yet (a reply kept by an
    earlier command of the step) for later."""
    return text.format_map(_Keep(p))


def _signed(v):
    return '%+d' % v if isinstance(v, int) else str(v)


def _num(v):
    return '%g' % v if isinstance(v, float) else str(v)


def _wrap(text, indent='   '):
    return '\n'.join(textwrap.fill(par, 78, initial_indent=indent, subsequent_indent=indent)
                     for par in text.strip().split('\n\n'))
