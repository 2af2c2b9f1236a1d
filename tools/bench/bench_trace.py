#!/usr/bin/python3
"""bench_trace: what the tracepoints cost on the fault path, through the mount.

Each round starts three fresh daemons (mmsimd -f --clock=manual --mem=8G,
the default preset otherwise) and times one `write x` of 4 GiB in each, as
bench_fault_mount does (1 Mi simulated page faults, from pgfault):
  - notrace:  mmsimd-notrace, the same daemon built with every tracepoint
              compiled out (-DMMSIM_NO_TRACEPOINTS): the baseline;
  - disabled: mmsimd with every event disabled (the default);
  - kmem:     mmsimd after `echo 1 > sys/kernel/tracing/events/kmem/enable`
              (each fault records mm_page_alloc, rss_stat, ... into the
              per-CPU ring buffers, which overwrite their oldest pages).
The rounds interleave the three so that a busy host slows all alike; the
figures are medians.  Target: disabled costs <= 2% over notrace.

Usage: bench_trace.py --mmsimd PATH --notrace PATH --machine FILE
                      [--trials 5] [--mem-gib 8] [--write-gib 4]
                      [--cpu N | --no-pin]
"""

import argparse
import os
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib  # noqa: E402
import bench_fault_mount  # noqa: E402

TARGET = 0.02


def enable_kmem(mnt):
    bench_fault_mount.ctl(mnt.path("sys/kernel/tracing/events/kmem/enable"), "1\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mmsimd", required=True)
    ap.add_argument("--notrace", required=True)
    ap.add_argument("--machine", required=True, help="the preset key file (machines/default.conf)")
    ap.add_argument("--trials", type=int, default=5)
    ap.add_argument("--mem-gib", type=int, default=8)
    ap.add_argument("--write-gib", type=int, default=4)
    benchlib.add_pin_args(ap)
    args = ap.parse_args()
    args.mmsimd, args.notrace, args.machine = map(os.path.abspath,
                                                  (args.mmsimd, args.notrace, args.machine))
    benchlib.skip_without_fuse("bench_trace")
    pinned = benchlib.pin(args)

    kinds = {
        "notrace": dict(mmsimd=args.notrace),
        "disabled": dict(),
        "kmem": dict(setup=enable_kmem),
    }
    runs = {k: [] for k in kinds}
    for _ in range(max(1, args.trials)):
        for k, kw in kinds.items():
            runs[k].append(bench_fault_mount.mount_trial(args, **kw))

    rate = {}
    for k, trials in runs.items():
        faults = trials[0]["faults"]
        if any(t["faults"] != faults for t in trials) or faults <= 0:
            print(f"bench_trace: {k}: fault counts differ between trials: "
                  f"{[t['faults'] for t in trials]}", file=sys.stderr)
            return 1
        rate[k] = faults / statistics.median(t["seconds"] for t in trials)

    print(f"bench_trace: `write x` of {args.write_gib} GiB on a fresh daemon "
          f"(--clock=manual --mem={args.mem_gib}G, {os.path.basename(args.machine)}), "
          f"median of {args.trials} interleaved rounds; {pinned}")
    for k in kinds:
        print(f"  {k:9s} {rate[k] / 1e6:7.2f} M faults/s ({1e9 / rate[k]:6.1f} ns/fault)")
    dis = rate["notrace"] / rate["disabled"] - 1
    kmem = rate["notrace"] / rate["kmem"] - 1
    print(f"  ratio disabled/notrace: {rate['disabled'] / rate['notrace']:.3f}x "
          f"(overhead {100 * dis:+.1f}%); kmem/notrace: {rate['kmem'] / rate['notrace']:.3f}x "
          f"(overhead {100 * kmem:+.1f}%)")
    print(f"  target: all events disabled cost <= {100 * TARGET:.0f}%: "
          f"{'met' if dis <= TARGET else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
