#!/usr/bin/python3
"""bench_compaction: what compaction costs through the mount.

Each trial starts a fresh daemon (mmsimd -f --clock=manual --mem=8G, the
default preset otherwise) and times, as writes to the mount:
  - clean:    `echo 1 > proc/sys/vm/compact_memory` on the fresh machine,
              where there is nothing to move: milliseconds per GiB of
              memory (target: under 1 ms/GiB);
  - faults:   `write x` of a 4 GiB anonymous region (1 Mi simulated page
              faults): the baseline, the model's own page-fault rate;
  - migrate:  after `madvise x dontneed` of every other page of x (half of
              it free, in single pages, all over the machine), one
              compact_memory: pages migrated per second, from
              pgmigrate_success (target: at least 0.5x the fault rate).
The figures are medians over the trials.

Usage: bench_compaction.py --mmsimd PATH --machine FILE [--trials 3]
                           [--mem-gib 8] [--write-gib 4] [--cpu N | --no-pin]
"""

import argparse
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib  # noqa: E402
from bench_fault_mount import PID, ctl  # noqa: E402

PAGE = 4096
TARGET_RATIO = 0.5
TARGET_CLEAN_MS_PER_GIB = 1.0


def vmstat(mnt, *keys):
    with open(mnt.path("proc/vmstat")) as f:
        v = dict(line.split() for line in f)
    return [int(v[k]) for k in keys]


def write_all(path, text):
    """A long batch of commands: write(2) takes whole lines, maybe not all"""
    data = text.encode()
    fd = os.open(path, os.O_WRONLY)
    try:
        while data:
            data = data[os.write(fd, data):]
    finally:
        os.close(fd)


def timed(path, text):
    t0 = time.perf_counter()
    ctl(path, text)
    return time.perf_counter() - t0


def trial(args):
    cmd = [args.mmsimd, "-f", "--clock=manual", f"--mem={args.mem_gib}G",
           f"--machine={args.machine}", "{mnt}"]
    mnt = benchlib.Mount(cmd, "sim/ctl", prefix="mmsim-compact-")
    mnt.start()
    try:
        compact = mnt.path("proc/sys/vm/compact_memory")
        clean = timed(compact, "1\n")
        ctl(mnt.path("sim/ctl"), f"spawn bench pid={PID}\n")
        pctl = mnt.path(f"proc/{PID}/ctl")
        ctl(pctl, f"mmap {args.write_gib}G name=x\n")
        (f0,) = vmstat(mnt, "pgfault")
        fault_s = timed(pctl, "write x\n")
        (f1,) = vmstat(mnt, "pgfault")
        pages = args.write_gib << 18
        lines = "".join(f"madvise x dontneed off={i * PAGE} len={PAGE}\n" for i in range(0, pages, 2))
        write_all(pctl, lines)
        m0, s0 = vmstat(mnt, "pgmigrate_success", "compact_migrate_scanned")
        migrate_s = timed(compact, "1\n")
        m1, s1 = vmstat(mnt, "pgmigrate_success", "compact_migrate_scanned")
    finally:
        rc = mnt.stop()
    if rc not in (0, None):
        raise RuntimeError(f"mmsimd exited with {rc}:\n{mnt.output()}")
    return {"clean": clean, "faults": f1 - f0, "fault_s": fault_s,
            "migrated": m1 - m0, "scanned": s1 - s0, "migrate_s": migrate_s}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mmsimd", required=True)
    ap.add_argument("--machine", required=True, help="the preset key file (machines/default.conf)")
    ap.add_argument("--trials", type=int, default=3)
    ap.add_argument("--mem-gib", type=int, default=8)
    ap.add_argument("--write-gib", type=int, default=4)
    benchlib.add_pin_args(ap)
    args = ap.parse_args()
    args.mmsimd, args.machine = map(os.path.abspath, (args.mmsimd, args.machine))
    benchlib.skip_without_fuse("bench_compaction")
    pinned = benchlib.pin(args)

    runs = [trial(args) for _ in range(max(1, args.trials))]
    med = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
    if not med["migrated"]:
        print("bench_compaction: compact_memory migrated nothing", file=sys.stderr)
        return 1
    fault_rate = med["faults"] / med["fault_s"]
    migrate_rate = med["migrated"] / med["migrate_s"]
    clean_ms = 1e3 * med["clean"] / args.mem_gib
    print(f"bench_compaction: fresh daemons (--clock=manual --mem={args.mem_gib}G, "
          f"{os.path.basename(args.machine)}), median of {len(runs)} trials; {pinned}")
    print(f"  clean machine: compact_memory in {1e3 * med['clean']:.2f} ms = {clean_ms:.3f} ms/GiB "
          f"(target < {TARGET_CLEAN_MS_PER_GIB:.0f} ms/GiB: "
          f"{'met' if clean_ms < TARGET_CLEAN_MS_PER_GIB else 'NOT met'})")
    print(f"  faults:        {med['faults']:.0f} in {med['fault_s']:.3f} s = {fault_rate / 1e6:.2f} M faults/s")
    print(f"  migrate:       {med['migrated']:.0f} pages migrated ({med['scanned']:.0f} scanned) in "
          f"{med['migrate_s']:.3f} s = {migrate_rate / 1e6:.2f} M pages/s")
    ratio = migrate_rate / fault_rate
    print(f"  ratio migrate/fault: {ratio:.2f}x (target >= {TARGET_RATIO}x: "
          f"{'met' if ratio >= TARGET_RATIO else 'NOT met'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
