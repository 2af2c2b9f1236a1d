#!/usr/bin/python3
"""bench_spawn: what a process costs, through the mount.

On a fresh machine (mmsimd -f --clock=manual --mem=16G MNT, no --debug-vm)
it spawns processes through MNT/sim/ctl, many "spawn NAME" lines to a
write (so that Python and FUSE add little), and measures
  - the time of one spawn with few processes and with 20,000: batches of
    --batch spawns are timed right after the first spawns (one, then a
    warm-up batch) and again once --procs processes exist, the median and
    the best batch of each divided by its size;
    the ratio at 20,000 / at the start is the baseline comparison (target:
    about 1, spawn O(1) in the number of processes);
  - the daemon's host memory per process: (VmRSS after the spawns - VmRSS
    after the first) / processes spawned in between (target: at most 8 KiB),
    against the simulated kernel memory the same processes cost the model
    (the growth of Slab + KernelStack + PageTables in MNT/proc/meminfo, per
    process): how many host bytes the daemon spends per byte of kernel
    memory it simulates.
Each process gets its own name (p0, p1, ...), as a shell starting
different programs would.

Usage: bench_spawn.py --mmsimd PATH [--procs 20000] [--batch 100] [--rounds 7]
"""

import argparse
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib  # noqa: E402

RSS_TARGET_KIB = 8.0
FILL_PER_WRITE = 1000
KERNEL_KEYS = ("Slab", "KernelStack", "PageTables")


class Spawner:
    def __init__(self, mnt):
        self.mnt = mnt
        self.n = 0

    def spawn(self, count):
        """count spawns in one write; seconds taken"""
        buf = "".join(f"spawn p{i}\n" for i in range(self.n, self.n + count)).encode()
        fd = os.open(self.mnt.path("sim/ctl"), os.O_WRONLY)
        try:
            t0 = time.perf_counter()
            w = os.write(fd, buf)
            t = time.perf_counter() - t0
        finally:
            os.close(fd)
        if w != len(buf):
            raise RuntimeError(f"short write to sim/ctl: {w} of {len(buf)}")
        self.n += count
        return t

    def timed_batches(self, batch, rounds):
        """(median, best) seconds per spawn over `rounds` writes of `batch`
        spawns"""
        t = [self.spawn(batch) / batch for _ in range(rounds)]
        return statistics.median(t), min(t)


def meminfo_kib(mnt):
    out = {}
    with open(mnt.path("proc/meminfo")) as f:
        for line in f:
            k, v = line.split(":", 1)
            out[k] = int(v.split()[0])
    return out


def kernel_kib(mnt):
    mi = meminfo_kib(mnt)
    return sum(mi[k] for k in KERNEL_KEYS)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mmsimd", required=True)
    ap.add_argument("--procs", type=int, default=20000)
    ap.add_argument("--batch", type=int, default=100)
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--mem", default="16G")
    args = ap.parse_args()
    benchlib.skip_without_fuse("bench_spawn")

    cmd = [os.path.abspath(args.mmsimd), "-f", "--clock=manual", f"--mem={args.mem}", "{mnt}"]
    with benchlib.Mount(cmd, "sim/ctl", prefix="mmsim-spawn-") as mnt:
        pid = mnt.proc.pid
        sp = Spawner(mnt)
        rss_mounted = benchlib.vm_rss_kib(pid)
        sp.spawn(1)  # one-time costs: the libraries' dentries, the first slabs
        rss0, kern0, n0 = benchlib.vm_rss_kib(pid), kernel_kib(mnt), sp.n
        sp.spawn(args.batch)  # warm: the daemon's own first allocations
        t_start, best_start = sp.timed_batches(args.batch, args.rounds)
        n_start = sp.n
        t0 = time.perf_counter()
        while sp.n < args.procs:
            sp.spawn(min(FILL_PER_WRITE, args.procs - sp.n))
        fill_s = time.perf_counter() - t0
        n_fill = sp.n - n_start
        t_full, best_full = sp.timed_batches(args.batch, args.rounds)
        rss1, kern1 = benchlib.vm_rss_kib(pid), kernel_kib(mnt)
        npids = sum(1 for d in os.listdir(mnt.path("proc")) if d.isdigit())

    per_proc = (rss1 - rss0) / (sp.n - n0)
    kern_per_proc = (kern1 - kern0) / (sp.n - n0)
    print(f"bench_spawn: mmsimd -f --clock=manual --mem={args.mem}; spawns through sim/ctl, "
          f"{args.rounds} writes of {args.batch} lines per point (median, best)")
    print(f"  spawn at {n_start - args.batch * args.rounds}..{n_start} processes: "
          f"{t_start * 1e6:9.1f} us  (best {best_start * 1e6:.1f})")
    print(f"  spawn at {args.procs}..{sp.n} processes:  {t_full * 1e6:9.1f} us  "
          f"(best {best_full * 1e6:.1f})")
    print(f"  ratio at {args.procs} / at the start: {t_full / t_start:5.2f}x median, "
          f"{best_full / best_start:.2f}x best  (target ~1: O(1))")
    print(f"  filling {n_fill} spawns in writes of {FILL_PER_WRITE}: {fill_s:.2f} s "
          f"({n_fill / fill_s:.0f}/s); {npids} PIDs in proc")
    print(f"  daemon VmRSS: mounted {rss_mounted / 1024:.1f} MiB, after {n0} spawn "
          f"{rss0 / 1024:.1f} MiB, after {sp.n} {rss1 / 1024:.1f} MiB")
    print(f"  host memory per process:  {per_proc:7.2f} KiB  (target <= {RSS_TARGET_KIB:.0f} KiB: "
          f"{'met' if per_proc <= RSS_TARGET_KIB else 'NOT met'})")
    print(f"  simulated kernel memory per process ({' + '.join(KERNEL_KEYS)}): "
          f"{kern_per_proc:.2f} KiB; host/simulated: {per_proc / kern_per_proc:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
