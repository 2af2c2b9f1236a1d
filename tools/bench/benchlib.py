"""Helpers shared by the benchmark drivers: mount a FUSE daemon in the
foreground in a temporary directory, wait for a path to appear, read a
process's VmRSS, unmount.  Standard library only."""

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

SKIP = 77  # meson: the test was skipped


def skip_without_fuse(name):
    """Exit with meson's skip code, and the reason, when FUSE is missing."""
    if not os.path.exists("/dev/fuse"):
        print(f"{name}: SKIP: /dev/fuse does not exist")
        sys.exit(SKIP)
    if not shutil.which("fusermount3"):
        print(f"{name}: SKIP: fusermount3 is not installed")
        sys.exit(SKIP)


def add_pin_args(ap):
    """--cpu N / --no-pin: where pin() puts this process (and so what it starts)."""
    ap.add_argument("--cpu", type=int, default=None,
                    help="the CPU to pin to (default: the first this process may use)")
    ap.add_argument("--no-pin", action="store_true")


def pin(args):
    """Pin this process, and the daemons and tools it starts, to one CPU as
    args say; returns the words for the report."""
    if args.no_pin:
        return "not pinned"
    cpu = args.cpu if args.cpu is not None else min(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {cpu})
    return f"pinned to CPU {cpu}"


def vm_rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for pid {pid}")


class Mount:
    """A FUSE daemon run in the foreground on a fresh temporary directory.

    cmd is a list with the placeholder "{mnt}" for the mount point; probe is
    the path (relative to the mount point) whose appearance means mounted.
    """

    def __init__(self, cmd, probe, prefix="mmsim-bench-", timeout=20.0):
        self.dir = tempfile.mkdtemp(prefix=prefix)
        self.cmd = [c.replace("{mnt}", self.dir) for c in cmd]
        self.probe = os.path.join(self.dir, probe)
        self.timeout = timeout
        self.proc = None
        self.log = tempfile.TemporaryFile()
        self.mount_seconds = None

    def start(self):
        """Exec the daemon and wait for the probe; returns seconds taken."""
        t0 = time.perf_counter()
        self.proc = subprocess.Popen(self.cmd, stdin=subprocess.DEVNULL,
                                     stdout=self.log, stderr=subprocess.STDOUT)
        while True:
            if os.path.exists(self.probe):
                self.mount_seconds = time.perf_counter() - t0
                return self.mount_seconds
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.cmd[0]} exited with {self.proc.returncode} "
                                   f"before mounting:\n{self.output()}")
            if time.perf_counter() - t0 > self.timeout:
                self.stop()
                raise RuntimeError(f"{self.cmd[0]}: {self.probe} did not appear "
                                   f"within {self.timeout} s:\n{self.output()}")
            time.sleep(0.0005)

    def output(self):
        self.log.seek(0)
        return self.log.read().decode(errors="replace")

    def path(self, rel):
        return os.path.join(self.dir, rel)

    def stop(self):
        """Unmount with fusermount3 -u and wait for a clean exit."""
        if self.proc is None:
            return None
        rc = None
        if self.proc.poll() is None:
            subprocess.run(["fusermount3", "-u", self.dir], stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
            try:
                rc = self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.send_signal(signal.SIGTERM)
                try:
                    rc = self.proc.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    rc = self.proc.wait()
        else:
            rc = self.proc.returncode
        # a lazy unmount in case the daemon died without unmounting
        if os.path.ismount(self.dir):
            subprocess.run(["fusermount3", "-uz", self.dir], stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
        try:
            os.rmdir(self.dir)
        except OSError:
            pass
        self.proc = None
        return rc

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()
        return False
