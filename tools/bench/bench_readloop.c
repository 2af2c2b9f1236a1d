/*
 * bench_readloop: the timed loop of bench_read.  For each PATH it does
 * open + read(8191) + close, ITERS times per round, for ROUNDS rounds; the
 * paths take turns inside every round (and the order flips from one round
 * to the next) so that noise on the host falls on all of them alike.
 *
 * Usage: bench_readloop ITERS ROUNDS PATH...
 * Prints one line per path:
 *   PATH ops=N bytes=B mean_us=X median_us=Y min_us=Z
 * where mean is over all operations and median/min are over the rounds'
 * per-operation averages.  Exit 1 if any open or read fails.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define READ_SIZE 8191

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

/* One open+read+close; returns the bytes read or -1. */
static long read_once(const char *path, char *buf)
{
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, READ_SIZE);
	close(fd);
	return n;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	static char buf[READ_SIZE + 1];
	long iters, rounds;
	int npaths;
	double *round_us, *total_us;
	long *bytes;

	if (argc < 4) {
		fprintf(stderr, "usage: %s ITERS ROUNDS PATH...\n", argv[0]);
		return 2;
	}
	iters = strtol(argv[1], NULL, 10);
	rounds = strtol(argv[2], NULL, 10);
	npaths = argc - 3;
	if (iters <= 0 || rounds <= 0) {
		fprintf(stderr, "bench_readloop: ITERS and ROUNDS must be positive\n");
		return 2;
	}
	round_us = calloc((size_t)(npaths * rounds), sizeof(double));
	total_us = calloc((size_t)npaths, sizeof(double));
	bytes = calloc((size_t)npaths, sizeof(long));

	/* warm up: dentries, the daemons' first renders, the page cache of
	 * the binaries */
	for (int p = 0; p < npaths; p++) {
		for (int i = 0; i < 200; i++) {
			long n = read_once(argv[3 + p], buf);

			if (n <= 0) {
				fprintf(stderr, "bench_readloop: %s: %s\n", argv[3 + p],
					n < 0 ? strerror(errno) : "empty read");
				return 1;
			}
			bytes[p] = n;
		}
	}

	for (long r = 0; r < rounds; r++) {
		for (int k = 0; k < npaths; k++) {
			int p = (r & 1) ? npaths - 1 - k : k;
			const char *path = argv[3 + p];
			double t0 = now_us(), dt;

			for (long i = 0; i < iters; i++) {
				if (read_once(path, buf) <= 0) {
					fprintf(stderr, "bench_readloop: %s: %s\n", path,
						strerror(errno));
					return 1;
				}
			}
			dt = now_us() - t0;
			total_us[p] += dt;
			round_us[p * rounds + r] = dt / iters;
		}
	}

	for (int p = 0; p < npaths; p++) {
		double *v = &round_us[p * rounds];

		qsort(v, (size_t)rounds, sizeof(double), cmp_double);
		printf("%s ops=%ld bytes=%ld mean_us=%.3f median_us=%.3f min_us=%.3f\n", argv[3 + p],
		       iters * rounds, bytes[p], total_us[p] / (iters * rounds),
		       (rounds & 1) ? v[rounds / 2] : (v[rounds / 2 - 1] + v[rounds / 2]) / 2,
		       v[0]);
	}
	free(round_us);
	free(total_us);
	free(bytes);
	return 0;
}
