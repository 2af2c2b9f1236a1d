"""The suite does not depend on the host it runs on: no test reads the
running kernel's /proc or /sys (its meminfo, vmstat, zoneinfo, slab caches,
NUMA nodes, vm sysctls...), which differ from machine to machine.  Formats
are compared with the pinned Linux 6.18 files in tests/ref instead.

Allowed: paths handed to tools/mmsim-ns (there /proc and /sys are the
mount), and the test process's own /proc/self (the pass-through of the
caller's real PID is compared with it)."""
import ast
import glob
import os
import re

from conftest import REF_DIR, REPO

HOST_PATH = re.compile(r'^/(proc|sys)(/|$)')
ALLOWED = re.compile(r'^/proc/self(/|$)')
NS_CALLS = {'mmsim_ns'}


def call_name(node):
    f = node.func
    return f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else None


def host_paths(source, filename='<test>'):
    """[(line, literal)] of the string literals naming a host /proc or /sys
    path, outside calls of mmsim_ns, docstrings and the allowed /proc/self."""
    tree = ast.parse(source, filename)
    skip = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and call_name(node) in NS_CALLS:
            for sub in ast.walk(node):
                skip.add(id(sub))
        elif isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            skip.add(id(node.value))     # a docstring
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip:
            if HOST_PATH.match(node.value) and not ALLOWED.match(node.value):
                out.append((node.lineno, node.value))
    return sorted(out)


def test_the_scanner_finds_host_paths():
    bad = ("open('/proc/meminfo')\n"
           "os.listdir('/sys/kernel/slab')\n"
           "p = '/sys/devices/system/node/node0/' + name\n"
           "f'/proc/{x}/status'\n"
           "os.path.join('/proc', 'zoneinfo')\n"
           "open('/proc/sys/vm/lowmem_reserve_ratio')\n"
           "os.listdir('/proc/sys/vm')\n"
           "open('/proc/%d/smaps' % pid)\n")
    assert [ln for ln, _ in host_paths(bad)] == [1, 2, 3, 4, 5, 6, 7, 8]
    assert host_paths("open('/proc/self/status')\n") == []
    good = ("mmsim_ns(mnt, 'cat', '/proc/meminfo')\n"
            "'/proc/meminfo: a docstring'\n"
            "open('/proc/self/stat')\n"
            "mnt.read('proc/meminfo')\n"
            "ref('node0/meminfo')\n")
    assert host_paths(good) == []


def test_no_test_reads_the_host():
    files = sorted(glob.glob(os.path.join(REPO, 'tests', 'blackbox', '*.py')))
    assert os.path.join(REPO, 'tests', 'blackbox', 'test_formats.py') in files
    found = []
    for path in files:
        if os.path.samefile(path, __file__):
            continue        # the scanner itself: its patterns, not reads
        with open(path, encoding='utf-8') as f:
            found += ['%s:%d: %r' % (os.path.basename(path), ln, lit)
                      for ln, lit in host_paths(f.read(), path)]
    assert not found, 'tests read the host\'s /proc or /sys:\n' + '\n'.join(found)


def test_no_unit_test_reads_the_host():
    lit = re.compile(r'"/(proc|sys)(/[^"]*)?"')
    found = []
    for path in sorted(glob.glob(os.path.join(REPO, 'tests', 'unit', '*.[ch]'))):
        with open(path, encoding='utf-8') as f:
            for ln, line in enumerate(f, 1):
                if lit.search(line):
                    found.append('%s:%d: %s' % (os.path.basename(path), ln, line.strip()))
    assert not found, 'unit tests read the host\'s /proc or /sys:\n' + '\n'.join(found)


def test_the_reference_files_are_pinned():
    """Every file the suite compares with is in tests/ref, and tests/ref
    says which kernel it comes from."""
    with open(os.path.join(REF_DIR, 'KERNEL'), encoding='utf-8') as f:
        assert f.read().startswith('6.18.')
    for name in ('meminfo', 'vmstat', 'zoneinfo', 'pagetypeinfo', 'buddyinfo', 'cpuinfo',
                 'node0/meminfo', 'node0/numastat', 'node0/vmstat', 'sys/vm/lowmem_reserve_ratio',
                 'slab', 'README'):
        assert os.path.getsize(os.path.join(REF_DIR, name)) > 0, name
