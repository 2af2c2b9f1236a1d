#!/usr/bin/python3
"""bench_ps: `ps aux` through tools/mmsim-ns over 10,000 simulated processes,
and the daemon's own share of its time.

Two mounts of mmsimd -f --clock=manual --mem=16G, each given 10,000
processes through MNT/sim/ctl ("spawn pN" lines, 1000 to a write):

  1. counting (mounted with -d, untimed): one `ps aux` under strace -f gives
     the files ps opens and reads (per process: stat, status, environ,
     cmdline, and a failed lookup of ctty), and the daemon's debug log gives
     the FUSE requests it receives, by opcode; those of `mmsim-ns MNT true`
     (the namespace's own bind mounts) are subtracted.
  2. timed: the first `ps aux` after the spawns (cold: no dentry, inode or
     daemon cache has seen the PIDs yet), then a copy of every file and
     directory ps touched (the list from 1) into a tmpfs directory COPY,
     with sim/ctl, proc and sys as mmsim-ns wants; then rounds in which
     `ps aux` runs on the mount and on COPY, each through tools/mmsim-ns
     (the same bind mounts and namespaces), timed around ps alone inside
     the namespace.  The daemon's CPU time (utime and stime of
     /proc/PID/stat, all threads, read through a descriptor opened outside
     the namespace) is sampled around every run.

The daemon's share is given two ways:
  - wall: (ps on the mount - ps on COPY) / file reads.  Everything the
    mount adds: the daemon's work and the FUSE transport on both sides
    (requests, context switches, the kernel's FUSE inode and dentry work).
    An upper bound of the daemon's own share.
  - CPU: the daemon's user CPU time / file reads.  Lookup and rendering
    (and libfuse's decoding of the requests in user space); the daemon's
    system time is reading /dev/fuse and writing replies, the transport,
    and is shown apart.  This is the figure the target (under 20 us of
    daemon work per file read) is judged on; the daemon's work for the
    LOOKUP, GETATTR and READDIR requests is charged to the file reads too.
A file read is one open + read() until EOF + close of a file of the mount
by ps (4 per process).  Both outputs of ps are compared line by line, so
the copy is known to make ps do the same work.

By default the daemon, the namespaces and ps are pinned to one CPU (the
first this process may use; --cpu, or --no-pin), as in bench_read: a FUSE
round trip then costs the CPU work of both sides and no cross-CPU wake-up.

Usage: bench_ps.py --mmsimd PATH --ns PATH [--procs 10000] [--rounds 3]
                   [--runs 2] [--cpu N | --no-pin]
"""

import argparse
import collections
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib  # noqa: E402

TARGET_US = 20.0
PS = ["ps", "aux"]
SPAWN_PER_WRITE = 1000
SELF = os.path.abspath(__file__)
PYTHON = sys.executable or "/usr/bin/python3"

# ---- inside the namespace ----


def daemon_cpu(fd):
    """(utime, stime) in seconds from a descriptor on /proc/PID/stat."""
    if fd < 0:
        return (0.0, 0.0)
    data = os.pread(fd, 4096, 0).decode()
    f = data[data.rindex(")") + 2:].split()
    tck = os.sysconf("SC_CLK_TCK")
    return (int(f[11]) / tck, int(f[12]) / tck)  # fields 14 and 15


def inner_time(args):
    """Run ps `runs` times; one JSON line per run on stdout."""
    for i in range(args.runs):
        out = args.out if i == 0 and args.out else os.devnull
        with open(out, "wb") as f:
            c0 = daemon_cpu(args.stat_fd)
            t0 = time.perf_counter()
            rc = subprocess.run(args.cmd, stdout=f, stderr=subprocess.DEVNULL).returncode
            t = time.perf_counter() - t0
            c1 = daemon_cpu(args.stat_fd)
        print(json.dumps({"wall": t, "rc": rc, "utime": c1[0] - c0[0], "stime": c1[1] - c0[1]}),
              flush=True)
    return 0


def replicate(path, dest, kind):
    """Make dest+path a directory, or a file with path's content.  Symbolic
    links (proc/self) are followed, not copied: a link to a PID directory
    would add that PID to the copy's readdir.  False when unreadable."""
    dst = dest + path
    if kind == "dir":
        os.makedirs(dst, exist_ok=True)
        return True
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError:
        return False
    os.makedirs(os.path.dirname(dst), exist_ok=True)
    with open(dst, "wb") as f:
        f.write(data)
    return True


def inner_copy(args):
    with open(args.paths) as f:
        items = json.load(f)
    failed = [p for p, kind in items if not replicate(p, args.dest, kind)]
    print(json.dumps({"copied": len(items) - len(failed), "failed": failed[:10],
                      "nfailed": len(failed)}))
    return 0


# ---- outside ----


def spawn(mnt, n):
    t0 = time.perf_counter()
    for s in range(0, n, SPAWN_PER_WRITE):
        buf = "".join(f"spawn p{i}\n" for i in range(s, min(n, s + SPAWN_PER_WRITE))).encode()
        fd = os.open(mnt.path("sim/ctl"), os.O_WRONLY)
        try:
            w = os.write(fd, buf)
        finally:
            os.close(fd)
        if w != len(buf):
            raise RuntimeError(f"short write to sim/ctl: {w} of {len(buf)}")
    t = time.perf_counter() - t0
    npids = sum(1 for d in os.listdir(mnt.path("proc")) if d.isdigit())
    return t, npids


def ns_run(ns, root, cmd, pass_fds=(), check=True):
    run = subprocess.run([ns, root] + cmd, capture_output=True, text=True, pass_fds=pass_fds)
    if check and run.returncode != 0:
        raise RuntimeError(f"{' '.join([ns, root] + cmd)} exited with {run.returncode}:\n"
                           f"{run.stdout}{run.stderr}")
    return run


def time_ps(ns, root, runs, stat_fd, out=None):
    cmd = [PYTHON, SELF, "--inner-time", "--runs", str(runs), "--stat-fd", str(stat_fd)]
    if out:
        cmd += ["--out", out]
    run = ns_run(ns, root, cmd + ["--"] + PS, pass_fds=(stat_fd,))
    res = [json.loads(line) for line in run.stdout.splitlines() if line.startswith("{")]
    bad = [r["rc"] for r in res if r["rc"] != 0]
    if bad or len(res) != runs:
        raise RuntimeError(f"ps failed in {root}: {run.stdout}{run.stderr}")
    return res


OPEN_RE = re.compile(r'^(\d+)\s+(openat|open)\((?:AT_FDCWD, )?"([^"]*)", ([A-Z_|]+)(?:, \d+)?\)'
                     r'\s+=\s+(-?\d+)')
STAT_RE = re.compile(r'^(\d+)\s+(?:newfstatat|statx|stat|lstat)\((?:AT_FDCWD, )?"([^"]*)", '
                     r'(?:[^{]*)\{st_mode=S_IF(\w+)')
READ_RE = re.compile(r'^(\d+)\s+read\((\d+),.*\)\s+=\s+(-?\d+)')
CLOSE_RE = re.compile(r'^(\d+)\s+close\((\d+)\)')


def parse_strace(path):
    """Paths under /proc and /sys that ps opened or stat'ed, and counts."""
    items = {}
    fds = {}
    opens = collections.Counter()
    reads = 0
    per_pid_files = collections.Counter()
    with open(path, errors="replace") as f:
        for line in f:
            m = OPEN_RE.match(line)
            if m:
                pid, _, p, flags, rc = m.groups()
                rc = int(rc)
                if not p.startswith(("/proc", "/sys")):
                    continue
                if rc < 0:
                    opens["failed"] += 1
                    continue
                if "O_DIRECTORY" in flags:
                    items[p] = "dir"
                    opens["dir"] += 1
                else:
                    items.setdefault(p, "file")
                    opens["file"] += 1
                    fds[(pid, rc)] = p
                    q = re.match(r"/proc/\d+/(\w+)$", p)
                    if q:
                        per_pid_files[q.group(1)] += 1
                continue
            m = STAT_RE.match(line)
            if m:
                pid, p, mode = m.groups()
                if p.startswith(("/proc", "/sys")):
                    items.setdefault(p, "dir" if mode == "DIR" else "file")
                continue
            m = READ_RE.match(line)
            if m:
                if (m.group(1), int(m.group(2))) in fds:
                    reads += 1
                continue
            m = CLOSE_RE.match(line)
            if m:
                fds.pop((m.group(1), int(m.group(2))), None)
    return sorted(items.items()), opens, reads, per_pid_files


UNIQUE_RE = re.compile(r"^unique: \d+, opcode: (\w+)", re.M)


def fuse_requests(mnt, fn):
    """FUSE requests the -d daemon logged while fn ran, by opcode."""
    mnt.log.seek(0, os.SEEK_END)
    start = mnt.log.tell()
    fn()
    time.sleep(0.2)  # let the log catch up
    mnt.log.seek(start)
    return collections.Counter(UNIQUE_RE.findall(mnt.log.read().decode(errors="replace")))


def counting_phase(args, workdir):
    cmd = [args.mmsimd, "-d", "--clock=manual", f"--mem={args.mem}", "{mnt}"]
    with benchlib.Mount(cmd, "sim/ctl", prefix="mmsim-ps-count-") as mnt:
        spawn(mnt, args.procs)
        trace = os.path.join(workdir, "ps.strace")
        base = fuse_requests(mnt, lambda: ns_run(args.ns, mnt.dir, ["true"]))
        reqs = fuse_requests(mnt, lambda: ns_run(
            args.ns, mnt.dir, ["strace", "-f", "-qq", "-o", trace,
                               "-e", "trace=openat,open,newfstatat,statx,stat,lstat,read,close"]
            + PS))
    reqs.subtract(base)
    reqs = +reqs
    items, opens, reads, per_pid = parse_strace(trace)
    return items, opens, reads, per_pid, reqs, base


def make_copy(args, mnt, items, workdir):
    dest = tempfile.mkdtemp(prefix="mmsim-ps-copy-", dir=args.tmpfs)
    for d in ("proc", "sys", "sim"):
        os.makedirs(os.path.join(dest, d), exist_ok=True)
    open(os.path.join(dest, "sim", "ctl"), "w").close()
    plist = os.path.join(workdir, "paths.json")
    with open(plist, "w") as f:
        json.dump(items, f)
    run = ns_run(args.ns, mnt.dir, [PYTHON, SELF, "--inner-copy", "--paths", plist,
                                    "--dest", dest])
    res = json.loads(run.stdout.splitlines()[-1])
    return dest, res


def diff_lines(a, b):
    """Lines of each, and how many are not in both (as multisets: the
    order of readdir on tmpfs is not the daemon's)."""
    with open(a) as f:
        la = collections.Counter(f.read().splitlines())
    with open(b) as f:
        lb = collections.Counter(f.read().splitlines())
    return sum(la.values()), sum(lb.values()), sum(((la - lb) + (lb - la)).values())


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mmsimd")
    ap.add_argument("--ns", help="tools/mmsim-ns")
    ap.add_argument("--procs", type=int, default=10000)
    ap.add_argument("--mem", default="16G", help="the simulated RAM (16G)")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--runs", type=int, default=2, help="ps runs per round and tree")
    ap.add_argument("--tmpfs", default="/dev/shm", help="where the copy goes (a tmpfs)")
    benchlib.add_pin_args(ap)
    # inside the namespace
    ap.add_argument("--inner-time", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--inner-copy", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--stat-fd", type=int, default=-1, help=argparse.SUPPRESS)
    ap.add_argument("--out", help=argparse.SUPPRESS)
    ap.add_argument("--paths", help=argparse.SUPPRESS)
    ap.add_argument("--dest", help=argparse.SUPPRESS)
    ap.add_argument("cmd", nargs="*", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.inner_time:
        return inner_time(args)
    if args.inner_copy:
        return inner_copy(args)
    if not args.mmsimd or not args.ns:
        ap.error("--mmsimd and --ns are required")
    args.mmsimd, args.ns = os.path.abspath(args.mmsimd), os.path.abspath(args.ns)

    benchlib.skip_without_fuse("bench_ps")
    for tool in ("ps", "strace", "unshare"):
        if not shutil.which(tool):
            print(f"bench_ps: SKIP: {tool} is not installed")
            return benchlib.SKIP
    probe = subprocess.run(["unshare", "--mount", "--pid", "--fork", "--propagation", "private",
                            "true"], capture_output=True)
    if probe.returncode != 0 and os.getuid() == 0:
        print("bench_ps: SKIP: cannot create mount and PID namespaces here")
        return benchlib.SKIP

    pinned = benchlib.pin(args)

    workdir = tempfile.mkdtemp(prefix="mmsim-ps-")
    copy = None
    try:
        # 1. what ps reads, and the FUSE requests it makes
        items, opens, reads, per_pid, reqs, base = counting_phase(args, workdir)
        file_reads = opens["file"]
        nreq = sum(reqs.values())

        # 2. the timed mount
        cmd = [args.mmsimd, "-f", "--clock=manual", f"--mem={args.mem}", "{mnt}"]
        with benchlib.Mount(cmd, "sim/ctl", prefix="mmsim-ps-") as mnt:
            spawn_s, npids = spawn(mnt, args.procs)
            stat_fd = os.open(f"/proc/{mnt.proc.pid}/stat", os.O_RDONLY)
            out_mnt = os.path.join(workdir, "ps-mnt.txt")
            out_copy = os.path.join(workdir, "ps-copy.txt")
            cold = time_ps(args.ns, mnt.dir, 1, stat_fd)[0]
            t0 = time.perf_counter()
            copy, cres = make_copy(args, mnt, items, workdir)
            copy_s = time.perf_counter() - t0
            res = {"mnt": [], "copy": []}
            for r in range(args.rounds):  # interleaved, so noise falls on both alike
                res["mnt"] += time_ps(args.ns, mnt.dir, args.runs, stat_fd,
                                      out_mnt if r == 0 else None)
                res["copy"] += time_ps(args.ns, copy, args.runs, stat_fd,
                                       out_copy if r == 0 else None)
            os.close(stat_fd)
            ns_s = []
            for _ in range(3):
                t0 = time.perf_counter()
                ns_run(args.ns, mnt.dir, ["true"])
                ns_s.append(time.perf_counter() - t0)
            daemon_rss = benchlib.vm_rss_kib(mnt.proc.pid)
    finally:
        if copy:
            shutil.rmtree(copy, ignore_errors=True)

    la, lb, ndiff = diff_lines(out_mnt, out_copy)
    if os.environ.get("BENCH_PS_KEEP"):
        print(f"bench_ps: kept {workdir}")
    else:
        shutil.rmtree(workdir, ignore_errors=True)

    med = {k: statistics.median(x["wall"] for x in v) for k, v in res.items()}
    best = {k: min(x["wall"] for x in v) for k, v in res.items()}
    ut = statistics.median(x["utime"] for x in res["mnt"])
    st = statistics.median(x["stime"] for x in res["mnt"])
    ut_copy = max(x["utime"] + x["stime"] for x in res["copy"])
    nruns = len(res["mnt"])
    wall_us = (med["mnt"] - med["copy"]) / file_reads * 1e6
    cpu_us = ut / file_reads * 1e6
    req_str = ", ".join(f"{k} {v}" for k, v in reqs.most_common())
    pp = ", ".join(f"{k} {v}" for k, v in sorted(per_pid.items()))

    print(f"bench_ps: `{' '.join(PS)}` through tools/mmsim-ns, mmsimd -f --clock=manual "
          f"--mem={args.mem}; {pinned}")
    print(f"  {args.procs} processes spawned through sim/ctl ({SPAWN_PER_WRITE} lines a write) "
          f"in {spawn_s:.2f} s ({args.procs / spawn_s:.0f}/s); {npids} PIDs in proc; "
          f"daemon VmRSS {daemon_rss / 1024:.0f} MiB")
    print(f"  per ps (counted once, strace -f and mmsimd -d): {file_reads} file reads "
          f"(open+read+close; per PID: {pp}), {reads} read() calls on them, "
          f"{opens['failed']} failed opens, {opens['dir']} directories opened;")
    print(f"    {nreq} FUSE requests ({req_str}), "
          f"{nreq / file_reads:.2f} per file read; `mmsim-ns MNT true` alone makes "
          f"{sum(base.values())}, subtracted")
    print(f"  copy: {cres['copied']} paths ps touched, copied into a tmpfs tree in "
          f"{copy_s:.2f} s ({cres['nfailed']} unreadable"
          f"{': ' + ', '.join(cres['failed']) if cres['nfailed'] else ''}); "
          f"ps output on the mount / the copy: {la} / {lb} lines, {ndiff} not in both")
    print(f"  ps wall time, ps alone inside the namespace, median of {nruns} runs "
          f"({args.rounds} rounds of {args.runs}, interleaved):")
    print(f"    mount (mmsimd):   {med['mnt'] * 1e3:9.1f} ms (best {best['mnt'] * 1e3:.1f}); "
          f"first ps after the spawns (cold): {cold['wall'] * 1e3:.1f} ms, daemon CPU "
          f"{(cold['utime'] + cold['stime']) * 1e3:.0f} ms")
    print(f"    tmpfs copy:       {med['copy'] * 1e3:9.1f} ms (best {best['copy'] * 1e3:.1f}); "
          f"daemon CPU meanwhile {ut_copy * 1e3:.0f} ms")
    ns_ms = statistics.median(ns_s) * 1e3
    print(f"    ratio mount/copy: {med['mnt'] / med['copy']:.2f}x; tools/mmsim-ns itself "
          f"(`mmsim-ns MNT true`: unshare, bind mounts) adds {ns_ms:.1f} ms "
          f"to either, not counted above")
    print(f"  daemon share, per file read ({file_reads} per ps):")
    print(f"    wall (mount - copy) / file reads:  {wall_us:6.1f} us  = daemon work + FUSE "
          f"transport on both sides (an upper bound)")
    print(f"    daemon user CPU / file reads:      {cpu_us:6.1f} us  = lookup and rendering "
          f"(+ libfuse decoding); daemon CPU per ps: user {ut * 1e3:.0f} ms, system "
          f"{st * 1e3:.0f} ms (system = /dev/fuse reads and replies: transport), "
          f"{(ut + st) / nreq * 1e6:.1f} us user+system per FUSE request")
    print(f"    target < {TARGET_US:.0f} us of daemon work per file read (judged on user CPU): "
          f"{'met' if cpu_us < TARGET_US else 'NOT met'}; wall upper bound "
          f"{'also under' if wall_us < TARGET_US else 'over'} {TARGET_US:.0f} us")
    print(f"    (CPU times from /proc/PID/stat, {1e3 / os.sysconf('SC_CLK_TCK'):.0f} ms ticks "
          f"over a {med['mnt'] * 1e3:.0f} ms run)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
