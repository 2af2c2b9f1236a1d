#!/usr/bin/python3
"""bench_fault_mount: simulated page faults per second through the mount, on
a cold machine, the path a user takes.

Every trial starts a fresh daemon (mmsimd -f --clock=manual --mem=16G, the
default preset otherwise), spawns one process (`spawn bench pid=1000` to
MNT/sim/ctl), maps 8 GiB (`mmap 8G name=x` to MNT/proc/1000/ctl), and
times the one write(2) of `write x` to MNT/proc/1000/ctl: 2 Mi simulated
page faults (do_anonymous_page), counted from pgfault in MNT/proc/vmstat.
Around that write the daemon's CPU time (utime + stime) and its host page
faults (minflt) are read from /proc/PID/stat.  The figure is faults per
second of wall time (target: 20 M/s or more); faults per second of the
daemon's CPU time is printed too, since wall time on a busy host includes
waiting for a CPU.

Baselines, measured in the same run (bench_coldfault):
  - the engine alone, in one process, on the same machine (the same preset
    file and --mem), fresh for every trial: the same spawn, mmap and one
    access_process_range over 8 GiB.  The ratio mount/engine is what the
    path through FUSE and the daemon costs over the engine's own work
    (1.0: nothing); the engine's second write on the same machine (warm:
    the page metadata exists) shows what a cold machine costs.
  - the real kernel of this host, 1 GiB with 4 KiB pages, one store per
    page: the ratio simulated/real is how much faster the model takes a
    fault than the host it runs on.

By default the daemon, the engine baseline and this script are pinned to
one CPU (the first this process may use; --cpu N, or --no-pin), as in
bench_read.

Usage: bench_fault_mount.py --mmsimd PATH --coldfault PATH --machine FILE
                            [--trials 3] [--mem-gib 16] [--write-gib 8]
                            [--cpu N | --no-pin]
"""

import argparse
import os
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib  # noqa: E402

TARGET = 20e6
PID = 1000


def proc_stat(pid):
    """(minflt, utime+stime seconds) of a host process."""
    with open(f"/proc/{pid}/stat") as f:
        data = f.read()
    fields = data[data.rindex(")") + 2:].split()
    tck = os.sysconf("SC_CLK_TCK")
    return int(fields[7]), (int(fields[11]) + int(fields[12])) / tck  # fields 10, 14, 15


def vmstat_pgfault(mnt):
    with open(mnt.path("proc/vmstat")) as f:
        for line in f:
            k, v = line.split()
            if k == "pgfault":
                return int(v)
    raise RuntimeError("no pgfault in proc/vmstat")


def ctl(path, text):
    fd = os.open(path, os.O_WRONLY)
    try:
        os.write(fd, text.encode())
    finally:
        os.close(fd)


def mount_trial(args, mmsimd=None, setup=None):
    """One fresh daemon (args.mmsimd unless mmsimd), setup(mnt) if given
    (before the process is spawned), then the timed `write x`."""
    cmd = [mmsimd or args.mmsimd, "-f", "--clock=manual", f"--mem={args.mem_gib}G",
           f"--machine={args.machine}", "{mnt}"]
    mnt = benchlib.Mount(cmd, "sim/ctl", prefix="mmsim-fault-")
    mnt.start()
    try:
        if setup:
            setup(mnt)
        ctl(mnt.path("sim/ctl"), f"spawn bench pid={PID}\n")
        ctl(mnt.path(f"proc/{PID}/ctl"), f"mmap {args.write_gib}G name=x\n")
        pg0 = vmstat_pgfault(mnt)
        dpid = mnt.proc.pid
        fd = os.open(mnt.path(f"proc/{PID}/ctl"), os.O_WRONLY)
        flt0, cpu0 = proc_stat(dpid)
        t0 = time.perf_counter()
        os.write(fd, b"write x\n")
        wall = time.perf_counter() - t0
        flt1, cpu1 = proc_stat(dpid)
        os.close(fd)
        faults = vmstat_pgfault(mnt) - pg0
    finally:
        rc = mnt.stop()
    if rc not in (0, None):
        raise RuntimeError(f"mmsimd exited with {rc}:\n{mnt.output()}")
    return {"faults": faults, "seconds": wall, "cpu": cpu1 - cpu0, "host_faults": flt1 - flt0}


def parse_coldfault(text):
    res = {}
    for line in text.splitlines():
        name, *fields = line.split()
        res[name] = {k: float(v) for k, v in (f.split("=", 1) for f in fields)}
    return res


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mmsimd", required=True)
    ap.add_argument("--coldfault", required=True)
    ap.add_argument("--machine", required=True, help="the preset key file (machines/default.conf)")
    ap.add_argument("--trials", type=int, default=3)
    ap.add_argument("--mem-gib", type=int, default=16)
    ap.add_argument("--write-gib", type=int, default=8)
    benchlib.add_pin_args(ap)
    args = ap.parse_args()
    args.mmsimd, args.coldfault, args.machine = map(os.path.abspath,
                                                    (args.mmsimd, args.coldfault, args.machine))
    benchlib.skip_without_fuse("bench_fault_mount")
    pinned = benchlib.pin(args)

    trials = []
    for _ in range(max(1, args.trials)):
        trials.append(mount_trial(args))
    run = subprocess.run([args.coldfault, "--machine", args.machine, "--mem", str(args.mem_gib),
                          "--bytes", str(args.write_gib), "--trials", str(args.trials)],
                         capture_output=True, text=True)
    if run.returncode != 0:
        print(run.stdout + run.stderr, file=sys.stderr)
        return 1
    base = parse_coldfault(run.stdout)

    faults = trials[0]["faults"]
    wall = statistics.median(t["seconds"] for t in trials)
    cpu = statistics.median(t["cpu"] for t in trials)
    hflt = statistics.median(t["host_faults"] for t in trials)
    rate = faults / wall
    cpu_rate = faults / cpu if cpu > 0 else float("inf")
    ec, ew, real = base["engine_cold"], base["engine_warm"], base["real"]
    ec_rate = ec["faults"] / ec["seconds"]
    ew_rate = ew["faults"] / ew["seconds"]
    real_rate = real["faults"] / real["seconds"]

    print(f"bench_fault_mount: `write x` of {args.write_gib} GiB on a fresh daemon "
          f"(--clock=manual --mem={args.mem_gib}G, {os.path.basename(args.machine)}), "
          f"median of {len(trials)} trials; {pinned}")
    print(f"  mount:       {faults} faults in {wall:.3f} s = {rate / 1e6:7.2f} M faults/s "
          f"({1e9 / rate:6.1f} ns/fault); daemon CPU {cpu:.2f} s = {cpu_rate / 1e6:.2f} M/s "
          f"of CPU; host page faults in the daemon {hflt:.0f}")
    print(f"  engine cold: {int(ec['faults'])} faults in {ec['seconds']:.3f} s = "
          f"{ec_rate / 1e6:7.2f} M faults/s ({1e9 / ec_rate:6.1f} ns/fault); "
          f"CPU {ec['cpu']:.2f} s = {ec['faults'] / max(ec['cpu'], 1e-9) / 1e6:.2f} M/s of CPU; "
          f"host page faults {ec['host_faults']:.0f}")
    print(f"  engine warm: {int(ew['faults'])} faults in {ew['seconds']:.3f} s = "
          f"{ew_rate / 1e6:7.2f} M faults/s ({1e9 / ew_rate:6.1f} ns/fault); "
          f"CPU {ew['cpu']:.2f} s = {ew['faults'] / max(ew['cpu'], 1e-9) / 1e6:.2f} M/s of CPU; "
          f"host page faults {ew['host_faults']:.0f}")
    print(f"  real kernel: {int(real['faults'])} faults in {real['seconds']:.3f} s = "
          f"{real_rate / 1e6:7.2f} M faults/s ({1e9 / real_rate:6.1f} ns/fault; 1 GiB, 4 KiB pages)")
    print(f"  ratio mount/engine cold: {rate / ec_rate:.2f}x (1.0: the mount costs nothing over "
          f"the engine); engine cold/warm: {ec_rate / ew_rate:.2f}x")
    print(f"  ratio mount/real kernel: {rate / real_rate:.1f}x")
    print(f"  target >= {TARGET / 1e6:.0f} M faults/s through the mount: "
          f"{'met' if rate >= TARGET else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
