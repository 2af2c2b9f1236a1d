/*
 * bench_pagecache: the simulated page cache, against baselines measured in
 * the same run.
 *
 * Builds one machine (1 node, 16 GiB, 4 CPUs, manual clock, no --debug-vm),
 * a 4 GiB file on the simulated disk and a process that reads it with
 * sys_pread in 1 MiB requests, and times
 *   1. the cold read: every page allocated, added to the cache and the LRU
 *      through readahead, "read" from the disk model (pages added per
 *      second of wall time; target 20 M/s or more);
 *   2. the warm re-read: every page found in the cache and marked accessed
 *      (pages served per second);
 *   3. drop_caches 1 over the 4 GiB cache (pages freed per second).
 * Baselines: the real kernel of this machine serving a warm 256 MiB tmpfs
 * file with pread(2) in 1 MiB requests (pages per second, data copied),
 * and the model's own buddy allocator doing order-0 alloc+free pairs
 * through the pcp lists (the floor under any page-cache insertion).
 * Each figure is the median of --trials (3) runs.
 */
#define BENCH_NAME "bench_pagecache"
#include "bench_util.h"
#include "bench_engine.h"
#include "mmsim/pagemap.h"

#define FILE_BYTES (4 * GiB)
#define REAL_BYTES (256 * MiB)

static double read_file(struct machine *m, struct task_struct *t)
{
	double t0 = now_sec();

	for (uint64_t off = 0; off < FILE_BYTES; off += MiB) {
		long r = sys_pread(m, t, "/bench/file", off, MiB);

		if (r != (long)MiB)
			die("sys_pread", r);
	}
	return now_sec() - t0;
}

/* The real kernel: warm pread of a tmpfs file, pages per second */
static double real_warm_read(void)
{
	char path[] = "/dev/shm/bench_pagecache.XXXXXX";
	int fd = mkstemp(path);
	char *buf = malloc(MiB);
	double t0, dt;

	if (fd < 0 || !buf)
		die("mkstemp /dev/shm", -errno);
	memset(buf, 1, MiB);
	for (size_t off = 0; off < REAL_BYTES; off += MiB)
		if (pwrite(fd, buf, MiB, (off_t)off) != (ssize_t)MiB)
			die("pwrite", -errno);
	t0 = now_sec();
	for (size_t off = 0; off < REAL_BYTES; off += MiB)
		if (pread(fd, buf, MiB, (off_t)off) != (ssize_t)MiB)
			die("pread", -errno);
	dt = now_sec() - t0;
	close(fd);
	unlink(path);
	free(buf);
	return (double)(REAL_BYTES / 4096) / dt;
}

/* The model's buddy allocator: order-0 pairs per second */
static double buddy_pairs(struct machine *m)
{
	const long n = 4L << 20;
	double t0 = now_sec();

	for (long i = 0; i < n; i++) {
		long pfn = __alloc_pages(m, GFP_HIGHUSER_MOVABLE, 0, 0, 0);

		if (pfn < 0)
			die("__alloc_pages", pfn);
		__free_pages(m, (unsigned long)pfn, 0, 0);
	}
	return (double)n / (now_sec() - t0);
}

int main(int argc, char **argv)
{
	const struct bench_machine b = { .mem = 16 * GiB, .nodes = 1, .cpus = 4 };
	double cold[MAX_TRIALS], warm[MAX_TRIALS], drop[MAX_TRIALS], real[MAX_TRIALS], buddy[MAX_TRIALS];
	int trials = bench_trials(argc, argv);
	const double pages = (double)(FILE_BYTES / 4096);

	for (int k = 0; k < trials; k++) {
		struct machine *m = bench_machine_create(&b);
		struct task_struct *t = bench_spawn(m, "bench");
		long err;
		double t0;

		if ((err = sim_file_create(m, "/bench/file", FILE_BYTES)))
			die("sim_file_create", err);
		cold[k] = pages / read_file(m, t);
		warm[k] = pages / read_file(m, t);
		t0 = now_sec();
		if ((err = drop_caches(m, 1)))
			die("drop_caches", err);
		drop[k] = pages / (now_sec() - t0);
		buddy[k] = buddy_pairs(m);
		real[k] = real_warm_read();
		machine_destroy(m);
	}
	printf("page cache, 4 GiB file, 1 MiB preads, median of %d\n", trials);
	printf("  cold read (pages added):   %6.1f M pages/s (target 20 M/s: %s)\n", median(cold, trials) / 1e6,
	       median(cold, trials) >= 20e6 ? "met" : "NOT met");
	printf("  warm read (pages served):  %6.1f M pages/s\n", median(warm, trials) / 1e6);
	printf("  drop_caches 1 of 4 GiB:    %6.1f M pages/s (%.1f ms)\n", median(drop, trials) / 1e6,
	       pages / median(drop, trials) * 1e3);
	printf("baselines, same run\n");
	printf("  buddy order-0 alloc+free:  %6.1f M pairs/s\n", median(buddy, trials) / 1e6);
	printf("  real kernel warm pread:    %6.1f M pages/s (tmpfs, data copied)\n", median(real, trials) / 1e6);
	printf("ratios\n");
	printf("  cold read / buddy pairs:   %.2fx\n", median(cold, trials) / median(buddy, trials));
	printf("  warm read / real kernel:   %.2fx\n", median(warm, trials) / median(real, trials));
	printf("  drop_caches / buddy pairs: %.2fx\n", median(drop, trials) / median(buddy, trials));
	return 0;
}
