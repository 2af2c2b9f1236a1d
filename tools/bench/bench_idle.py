#!/usr/bin/python3
"""bench_idle: what an idle machine costs the daemon.

For a 1 TiB, 8-node, 16-CPU machine
(mmsimd -f --clock=manual --mem=1T --nodes=8 --cpus=16 MNT) it measures
  - the time from exec until MNT/sim/ctl is visible   (target: under 1 s)
  - the daemon's VmRSS once mounted                    (target: under 64 MiB)
  - its VmRSS after one read of MNT/proc/meminfo
and the same for the `small` preset (1 node, 1 GiB) in the same run, the
baseline; each figure is the median of several mounts, and is printed with
its ratio to the baseline.

Then it runs bench_pagemeta (linked with the engine) for the bytes of page
metadata per simulated page (target: at most 32; Linux's struct page is 64).

Usage: bench_idle.py --mmsimd PATH --pagemeta PATH [--trials 5]
"""

import argparse
import os
import statistics
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib  # noqa: E402

MOUNT_TARGET_S = 1.0
RSS_TARGET_KIB = 64 * 1024
META_TARGET = 32
LINUX_PAGE = 64

BIG = ["--mem=1T", "--nodes=8", "--cpus=16"]
SMALL = ["--machine=small"]


def measure(mmsimd, machine_args):
    cmd = [mmsimd, "-f", "--clock=manual"] + machine_args + ["{mnt}"]
    with benchlib.Mount(cmd, "sim/ctl", prefix="mmsim-idle-") as mnt:
        secs = mnt.mount_seconds
        pid = mnt.proc.pid
        rss_mounted = benchlib.vm_rss_kib(pid)
        with open(mnt.path("proc/meminfo"), "rb") as f:
            meminfo = f.read()
        rss_read = benchlib.vm_rss_kib(pid)
        memtotal = next(int(l.split()[1]) for l in meminfo.decode().splitlines()
                        if l.startswith("MemTotal:"))
    return {"mount_s": secs, "rss_mounted": rss_mounted, "rss_read": rss_read,
            "memtotal_kib": memtotal}


def daemon_part(mmsimd, trials):
    runs = {"big": [], "small": []}
    for _ in range(trials):  # interleaved, so that noise hits both alike
        runs["small"].append(measure(mmsimd, SMALL))
        runs["big"].append(measure(mmsimd, BIG))
    med = {k: {f: statistics.median(r[f] for r in v) for f in v[0]} for k, v in runs.items()}
    b, s = med["big"], med["small"]

    print(f"bench_idle: mmsimd -f --clock=manual, median of {trials} mounts each; "
          f"baseline --machine=small")
    print(f"  {'':30} {'1 TiB, 8 nodes, 16 CPUs':>24} {'small (1 GiB)':>16} {'ratio':>8}")
    print(f"  {'MemTotal (kB)':30} {b['memtotal_kib']:>24.0f} {s['memtotal_kib']:>16.0f} "
          f"{b['memtotal_kib'] / s['memtotal_kib']:>7.0f}x")
    print(f"  {'exec -> sim/ctl visible (ms)':30} {b['mount_s'] * 1e3:>24.1f} "
          f"{s['mount_s'] * 1e3:>16.1f} {b['mount_s'] / s['mount_s']:>7.2f}x")
    print(f"  {'VmRSS mounted (KiB)':30} {b['rss_mounted']:>24.0f} {s['rss_mounted']:>16.0f} "
          f"{b['rss_mounted'] / s['rss_mounted']:>7.2f}x")
    print(f"  {'VmRSS after meminfo (KiB)':30} {b['rss_read']:>24.0f} {s['rss_read']:>16.0f} "
          f"{b['rss_read'] / s['rss_read']:>7.2f}x")
    worst_mount = max(r["mount_s"] for r in runs["big"])
    print(f"  1 TiB: mounted in {b['mount_s'] * 1e3:.0f} ms (slowest {worst_mount * 1e3:.0f} ms), "
          f"target < {MOUNT_TARGET_S * 1e3:.0f} ms: "
          f"{'met' if b['mount_s'] < MOUNT_TARGET_S else 'NOT met'}; "
          f"RSS {max(b['rss_mounted'], b['rss_read']) / 1024:.1f} MiB, target < 64 MiB: "
          f"{'met' if max(b['rss_mounted'], b['rss_read']) < RSS_TARGET_KIB else 'NOT met'}")


def pagemeta_part(pagemeta):
    run = subprocess.run([pagemeta], capture_output=True, text=True)
    if run.returncode != 0:
        print(run.stdout + run.stderr, file=sys.stderr)
        raise RuntimeError("bench_pagemeta failed")
    v = {}
    for line in run.stdout.splitlines():
        k, _, val = line.partition("=")
        v[k] = float(val)
    sp = v["sizeof_struct_page"]
    full = v.get("small.full.bytes_per_memmap_page")
    print("page metadata (bench_pagemeta, linked with the engine):")
    print(f"  sizeof(struct page) = {sp:.0f} B, Linux's = {LINUX_PAGE} B: "
          f"ratio {sp / LINUX_PAGE:.2f}; target <= {META_TARGET}: "
          f"{'met' if sp <= META_TARGET else 'NOT met'}")
    if full is not None:
        table = (v["small.full.sections"] * v["sizeof_mem_section"] /
                 (v["small.full.memmap_sections"] * v["pages_per_section"]))
        print(f"  machine_metadata_bytes / pages with a mem_map, small machine filled "
              f"({v['small.filled_pages']:.0f} pages allocated, "
              f"{v['small.full.memmap_sections']:.0f}/{v['small.full.sections']:.0f} sections "
              f"with a mem_map): {full:.3f} B/page, ratio to Linux {full / LINUX_PAGE:.2f} "
              f"(of which {table:.3f} "
              f"is the section table, {v['sizeof_mem_section']:.0f} B per 128 MiB section)")
    big1 = v.get("big.1g.bytes_per_memmap_page")
    if big1 is not None:
        print(f"  1 TiB machine after 1 GiB of order-0 allocations: "
              f"{v['big.1g.memmap_sections']:.0f} sections with a mem_map, "
              f"{v['big.1g.metadata_bytes'] / 1024:.0f} KiB of metadata, {big1:.3f} B per page "
              f"with a mem_map")
    print(f"  1 TiB machine idle: {v['big.idle.metadata_bytes'] / 1024:.0f} KiB of metadata "
          f"({v['big.idle.memmap_sections']:.0f} of {v['big.idle.sections']:.0f} sections with "
          f"a mem_map) = {v['big.idle.bytes_per_ram_page']:.4f} B per simulated page of RAM "
          f"(Linux: {LINUX_PAGE}); machine_create {v['big.create_ms']:.1f} ms "
          f"(small: {v['small.create_ms']:.1f} ms)")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mmsimd", required=True)
    ap.add_argument("--pagemeta", required=True)
    ap.add_argument("--trials", type=int, default=5)
    args = ap.parse_args()
    args.mmsimd, args.pagemeta = os.path.abspath(args.mmsimd), os.path.abspath(args.pagemeta)

    pagemeta_part(args.pagemeta)
    print()
    benchlib.skip_without_fuse("bench_idle (daemon part)")
    daemon_part(args.mmsimd, args.trials)
    return 0


if __name__ == "__main__":
    sys.exit(main())
