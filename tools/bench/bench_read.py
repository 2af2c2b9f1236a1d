#!/usr/bin/python3
"""bench_read: open + read(8191) + close of proc/meminfo on mmsimd, against
the floor: fuse_floor, a minimal libfuse3 high-level filesystem serving one
meminfo-sized file with direct_io, measured in the same run.

Both daemons are mounted at once, each in its own temporary directory, in
the foreground, with the same threading: libfuse's multi-threaded loop by
default (mmsimd runs multi-threaded), or both single-threaded with
--threads=single (-s).  bench_readloop does the timed loop in C so that no
interpreter cost dilutes the ratio; the two paths take turns in every
round, so noise falls on both alike.

Prints microseconds per operation for each and the ratio mmsimd/floor
(target: at most 1.3; lxcfs is about 3.5 on the same comparison).

Usage: bench_read.py --mmsimd PATH --floor PATH --readloop PATH
                     [--iterations 20000] [--rounds 20] [--threads multi|single]
                     [--max-threads N]
"""

import argparse
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib  # noqa: E402

TARGET = 1.3
LXCFS = 3.5


def parse_loop_output(text):
    res = {}
    for line in text.splitlines():
        path, *fields = line.split()
        res[path] = {k: float(v) for k, v in (f.split("=", 1) for f in fields)}
    return res


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mmsimd", required=True)
    ap.add_argument("--floor", required=True)
    ap.add_argument("--readloop", required=True)
    ap.add_argument("--iterations", type=int, default=20000,
                    help="operations per file in all (default 20000)")
    ap.add_argument("--rounds", type=int, default=20,
                    help="rounds the operations are split into (default 20)")
    ap.add_argument("--threads", choices=["multi", "single"], default="multi")
    ap.add_argument("--max-threads", type=int, default=None,
                    help="libfuse max_threads for the floor (multi only): match "
                         "mmsimd's cap; default: libfuse's default")
    args = ap.parse_args()
    args.mmsimd, args.floor, args.readloop = map(os.path.abspath,
                                                 (args.mmsimd, args.floor, args.readloop))
    benchlib.skip_without_fuse("bench_read")

    floor_cmd = [args.floor, "-f"]
    mmsimd_cmd = [args.mmsimd, "-f", "--clock=manual"]
    if args.threads == "single":
        floor_cmd.append("-s")
        mmsimd_cmd.append("-s")
    elif args.max_threads:
        floor_cmd += ["-o", f"max_threads={args.max_threads}"]
    floor_cmd.append("{mnt}")
    mmsimd_cmd.append("{mnt}")

    per_round = max(1, args.iterations // args.rounds)
    floor = benchlib.Mount(floor_cmd, "meminfo", prefix="mmsim-floor-")
    sim = benchlib.Mount(mmsimd_cmd, "sim/ctl", prefix="mmsim-read-")
    try:
        floor.start()
        sim.start()
        fpath, spath = floor.path("meminfo"), sim.path("proc/meminfo")
        run = subprocess.run([args.readloop, str(per_round), str(args.rounds), spath, fpath],
                             capture_output=True, text=True)
    finally:
        src = sim.stop()
        frc = floor.stop()
    if run.returncode != 0:
        print(run.stdout + run.stderr, file=sys.stderr)
        print(f"bench_read: the read loop failed (mmsimd log follows)\n{sim.output()}",
              file=sys.stderr)
        return 1
    res = parse_loop_output(run.stdout)
    s, f = res[spath], res[fpath]
    ratio = s["median_us"] / f["median_us"]
    ratio_mean = s["mean_us"] / f["mean_us"]
    threads = ("both single-threaded (-s)" if args.threads == "single" else
               "both multi-threaded (libfuse loop" +
               (f", floor max_threads={args.max_threads}" if args.max_threads else "") + ")")

    print(f"bench_read: open + read(8191) + close, {int(s['ops'])} operations per file "
          f"in {args.rounds} interleaved rounds; {threads}")
    print(f"  floor  fuse_floor meminfo  ({int(f['bytes'])} B): {f['median_us']:8.2f} us/op "
          f"(median of rounds; mean {f['mean_us']:.2f}, best round {f['min_us']:.2f})")
    print(f"  mmsimd proc/meminfo        ({int(s['bytes'])} B): {s['median_us']:8.2f} us/op "
          f"(median of rounds; mean {s['mean_us']:.2f}, best round {s['min_us']:.2f})")
    print(f"  ratio mmsimd/floor: {ratio:.2f}x (means: {ratio_mean:.2f}x); "
          f"target <= {TARGET}x: {'met' if ratio <= TARGET else 'NOT met'}; "
          f"lxcfs for comparison ~{LXCFS}x")
    if src not in (0, None) or frc not in (0, None):
        print(f"  note: exit status after fusermount3 -u: mmsimd {src}, floor {frc}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
