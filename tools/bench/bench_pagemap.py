#!/usr/bin/python3
"""bench_pagemap: proc/PID/pagemap of a process with 1 GiB resident, read
through the mount in one go (one pread of the VMA's 2 MiB of entries, as
thpmaps and page-types read it), against reading the same process's
proc/PID/smaps in the same run.

Prints MB/s of pagemap (entries delivered) and of smaps (text delivered),
the pages described per second by each, and the ratio of the two: how
much faster per page the binary file is than the text walk.

Usage: bench_pagemap.py --mmsimd PATH [--size 1G] [--rounds 20]
"""

import argparse
import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib  # noqa: E402


def ctl(mnt, rel, cmd):
    fd = os.open(mnt.path(rel), os.O_RDWR)
    try:
        os.write(fd, (cmd + "\n").encode())
        os.lseek(fd, 0, os.SEEK_SET)
        return os.read(fd, 4096).decode()
    finally:
        os.close(fd)


def read_all(path):
    fd = os.open(path, os.O_RDONLY)
    n = 0
    try:
        while True:
            b = os.read(fd, 1 << 20)
            if not b:
                return n
            n += len(b)
    finally:
        os.close(fd)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mmsimd", required=True)
    ap.add_argument("--size", default="1G")
    ap.add_argument("--rounds", type=int, default=20)
    args = ap.parse_args()
    benchlib.skip_without_fuse("pagemap")
    with benchlib.Mount([args.mmsimd, "-f", "--clock=manual", "{mnt}"], "sim/ctl",
                        prefix="mmsim-pagemap-") as mnt:
        ctl(mnt, "sim/ctl", "spawn big pid=1000")
        addr = int(ctl(mnt, "proc/1000/ctl", f"mmap {args.size} name=big").strip(), 16)
        ctl(mnt, "proc/1000/ctl", "write big")
        maps = open(mnt.path("proc/1000/maps")).read()
        start, end = (int(x, 16) for x in re.search(r"^([0-9a-f]+)-([0-9a-f]+) .*\[anon:big\]$",
                                                       maps, re.M).groups())
        assert start == addr
        pages = (end - start) // 4096
        fd = os.open(mnt.path("proc/1000/pagemap"), os.O_RDONLY)
        try:
            t0 = time.perf_counter()
            for _ in range(args.rounds):
                data = os.pread(fd, pages * 8, start // 4096 * 8)
                assert len(data) == pages * 8
            t_pm = (time.perf_counter() - t0) / args.rounds
        finally:
            os.close(fd)
        t0 = time.perf_counter()
        for _ in range(args.rounds):
            smaps_bytes = read_all(mnt.path("proc/1000/smaps"))
        t_sm = (time.perf_counter() - t0) / args.rounds
    mb = 1e6
    print(f"pagemap: {pages} pages ({pages * 8 / mb:.1f} MB) in {t_pm * 1e3:.2f} ms: "
          f"{pages * 8 / t_pm / mb:.0f} MB/s, {pages / t_pm / 1e6:.1f} M pages/s")
    print(f"smaps:   {smaps_bytes} bytes in {t_sm * 1e3:.2f} ms: {smaps_bytes / t_sm / mb:.2f} MB/s, "
          f"{pages / t_sm / 1e6:.1f} M pages/s")
    print(f"pagemap/smaps time for the same process: {t_pm / t_sm:.2f}")


if __name__ == "__main__":
    main()
