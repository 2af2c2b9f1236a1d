#!/usr/bin/python3
"""bench_workload: what the live model costs the host.

On the default machine (4 CPUs, 8 GiB) four processes each run
`run write buf rate=64M` over a 256 MiB region (one per simulated CPU:
the first seconds fault the regions in, the rest touch them round-robin).
It measures, through the mount:
  - manual clock: the daemon's host CPU seconds for `tick SECONDS`, per
    simulated second, as a ratio against real time (1 CPU second per
    second: the baseline), and the same tick with no workload beside it
    (the kernel threads' periodic work alone);
  - realtime clock: over SECONDS of wall time, the daemon's host CPU per
    second and how far simulated time kept up with the wall clock.
Target: at most 1 host CPU second per simulated second (real time
sustained on one host core).

Usage: bench_workload.py --mmsimd PATH [--seconds 20] [--cpu N | --no-pin]
"""

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib  # noqa: E402

NR = 4
RATE = "64M"
REGION = "256M"
TARGET = 1.0


def cpu_seconds(pid):
    """The host's utime + stime of a process and all its threads (the
    daemon: the benchmark's own subject, not a test of the model)"""
    with open(f"/proc/{pid}/stat") as f:
        rest = f.read().rsplit(")", 1)[1].split()
    return (int(rest[11]) + int(rest[12])) / os.sysconf("SC_CLK_TCK")


def ctl(path, cmd):
    fd = os.open(path, os.O_RDWR)
    try:
        os.write(fd, (cmd + "\n").encode())
        os.lseek(fd, 0, os.SEEK_SET)
        return os.read(fd, 4096).decode().strip()
    finally:
        os.close(fd)


def uptime(mnt):
    with open(mnt.path("proc/uptime")) as f:
        return float(f.read().split()[0])


def start_workloads(mnt, n):
    for _ in range(n):
        pid = int(ctl(mnt.path("sim/ctl"), "spawn app"))
        ctl(mnt.path(f"proc/{pid}/ctl"), f"mmap {REGION} name=buf")
        ctl(mnt.path(f"proc/{pid}/ctl"), f"run write buf rate={RATE}")


def manual(mmsimd, n, seconds):
    """host CPU seconds per simulated second of `tick`"""
    with benchlib.Mount([mmsimd, "-f", "--clock=manual", "{mnt}"], "sim/ctl",
                        prefix="mmsim-wl-") as mnt:
        start_workloads(mnt, n)
        c0 = cpu_seconds(mnt.proc.pid)
        t0 = time.perf_counter()
        ctl(mnt.path("sim/ctl"), f"tick {seconds}s")
        wall = time.perf_counter() - t0
        return (cpu_seconds(mnt.proc.pid) - c0) / seconds, wall


def realtime(mmsimd, n, seconds):
    """(host CPU seconds per wall second, simulated seconds per wall second)"""
    with benchlib.Mount([mmsimd, "-f", "--clock=realtime", "{mnt}"], "sim/ctl",
                        prefix="mmsim-wl-") as mnt:
        start_workloads(mnt, n)
        c0, u0, t0 = cpu_seconds(mnt.proc.pid), uptime(mnt), time.perf_counter()
        time.sleep(seconds)
        u1 = uptime(mnt)
        wall = time.perf_counter() - t0
        return (cpu_seconds(mnt.proc.pid) - c0) / wall, (u1 - u0) / wall


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mmsimd", required=True)
    ap.add_argument("--seconds", type=int, default=20)
    benchlib.add_pin_args(ap)
    args = ap.parse_args()
    mmsimd = os.path.abspath(args.mmsimd)
    benchlib.skip_without_fuse("bench_workload")
    pinned = benchlib.pin(args)

    base, base_wall = manual(mmsimd, 0, args.seconds)
    live, live_wall = manual(mmsimd, NR, args.seconds)
    rt_cpu, rt_speed = realtime(mmsimd, NR, args.seconds)
    print(f"bench_workload: default machine, {NR} workloads x {RATE}/s over {REGION} each; "
          f"{pinned}")
    print(f"  manual clock, tick {args.seconds}s:")
    print(f"    host CPU s per simulated s, {NR} workloads: {live:.3f} "
          f"(wall {live_wall:.2f} s)")
    print(f"    host CPU s per simulated s, no workload: {base:.4f} (wall {base_wall:.2f} s)")
    print(f"  realtime clock, {args.seconds} s of wall time:")
    print(f"    host CPU s per wall s: {rt_cpu:.3f}; simulated s per wall s: {rt_speed:.3f}")
    met = live <= TARGET and rt_speed >= 0.95
    print(f"  ratio against real time: {live:.3f} host CPU s per simulated s, target <= {TARGET:.0f}: "
          f"{'met' if met else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
