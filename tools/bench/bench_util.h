/*
 * What the C benchmarks share: the host's headers (with the mman names the
 * engine's headers define the kernel's way taken back), a monotonic clock,
 * medians of trials, and dying with a message.  Define BENCH_NAME before
 * including it.
 */
#ifndef MMSIM_BENCH_UTIL_H
#define MMSIM_BENCH_UTIL_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* the engine's mman constants are the kernel's; keep the host's names */
#undef PROT_NONE
#undef PROT_READ
#undef PROT_WRITE
#undef PROT_EXEC
#undef MAP_SHARED
#undef MAP_PRIVATE
#undef MAP_FIXED
#undef MAP_ANONYMOUS
#undef MAP_GROWSDOWN
#undef MAP_NORESERVE
#undef MAP_POPULATE
#undef MAP_FIXED_NOREPLACE
#undef MADV_NORMAL
#undef MADV_RANDOM
#undef MADV_SEQUENTIAL
#undef MADV_WILLNEED
#undef MADV_DONTNEED
#undef MADV_FREE
#undef MADV_REMOVE
#undef MADV_DONTFORK
#undef MADV_DOFORK
#undef MADV_MERGEABLE
#undef MADV_UNMERGEABLE
#undef MADV_HUGEPAGE
#undef MADV_NOHUGEPAGE
#undef MADV_COLD
#undef MADV_PAGEOUT
#undef MADV_COLLAPSE

static double now_sec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* err: a negative errno, or 0 for a plain failure */
static void die(const char *what, long err)
{
	fprintf(stderr, BENCH_NAME ": %s: %s\n", what, err < 0 ? strerror((int)-err) : "failed");
	exit(1);
}

#endif
