"""Scenario pieces more than one lab uses."""


def fragment(pid, mib):
    """A batch: process PID writes MIB MiB (region 'buf'), then gives back
    every other page, leaving single free pages that cannot merge."""
    def batch(p):
        n = mib(p) * 256
        return [(str(pid), ['mmap %dM name=buf' % mib(p), 'write buf']),
                (str(pid), ['madvise buf dontneed off=%d len=4096' % (i * 4096) for i in range(0, n, 2)])]
    return batch
