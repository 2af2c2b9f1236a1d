/*
 * bench_pagemeta: bytes of page metadata per simulated page, the figure
 * Linux states as sizeof(struct page) (64 on x86_64).
 *
 * Prints, as KEY=VALUE lines that bench_idle.py reads and reports:
 *   - sizeof(struct page) and sizeof(struct mem_section);
 *   - for an idle machine of 1 TiB, 8 nodes, 16 CPUs: the metadata the model
 *     holds (machine_metadata_bytes), the sections with a mem_map, and the
 *     bytes per simulated page of RAM (mem_maps exist only where used);
 *   - for the `small` machine (1 node, 1 GiB) with every free page
 *     allocated, so that every section has its mem_map: machine_metadata_bytes
 *     divided by the pages with a mem_map, the cost once memory is in use;
 *   - the same for the 1 TiB machine after 1 GiB of order-0 allocations.
 *
 * Usage: bench_pagemeta
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "mmsim/gfp.h"
#include "mmsim/machine.h"

#define LINUX_STRUCT_PAGE 64

static double now_sec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static struct machine *build(uint64_t mem, int nodes, int cpus, double *secs)
{
	struct machine_config cfg;
	GError *error = NULL;
	struct machine *m;
	double t0;

	machine_config_init(&cfg);
	cfg.mem_bytes = mem;
	cfg.nr_nodes = nodes;
	cfg.nr_cpus = cpus;
	cfg.manual_clock = true;
	if (mem <= (1ULL << 30))
		cfg.kernel_reserved_bytes = 24ULL << 20; /* as the small preset */
	t0 = now_sec();
	m = machine_create(&cfg, &error);
	*secs = now_sec() - t0;
	machine_config_clear(&cfg);
	if (!m) {
		fprintf(stderr, "bench_pagemeta: machine_create: %s\n", error ? error->message : "?");
		exit(1);
	}
	return m;
}

static unsigned long memmap_pages(const struct machine *m)
{
	return m->nr_memmap_sections * PAGES_PER_SECTION;
}

static void report(const char *prefix, const struct machine *m)
{
	size_t bytes = machine_metadata_bytes(m);
	unsigned long mp = memmap_pages(m);

	printf("%s.metadata_bytes=%zu\n", prefix, bytes);
	printf("%s.sections=%lu\n", prefix, m->nr_sections);
	printf("%s.memmap_sections=%lu\n", prefix, m->nr_memmap_sections);
	printf("%s.ram_pages=%lu\n", prefix, (unsigned long)(m->cfg.mem_bytes >> PAGE_SHIFT));
	printf("%s.bytes_per_ram_page=%.4f\n", prefix,
	       (double)bytes / (double)(m->cfg.mem_bytes >> PAGE_SHIFT));
	if (mp)
		printf("%s.bytes_per_memmap_page=%.4f\n", prefix, (double)bytes / (double)mp);
}

/* Allocate order-0 pages until `limit` or failure; returns how many. */
static unsigned long fill(struct machine *m, unsigned long limit)
{
	unsigned long n = 0;

	for (; n < limit; n++) {
		long pfn = __alloc_pages(m, GFP_KERNEL | __GFP_NOWARN, 0, -1,
					 (int)(n % (unsigned long)m->nr_cpus));

		if (pfn < 0)
			break;
	}
	return n;
}

int main(void)
{
	struct machine *m;
	double secs;

	printf("sizeof_struct_page=%zu\n", sizeof(struct page));
	printf("sizeof_mem_section=%zu\n", sizeof(struct mem_section));
	printf("linux_struct_page=%d\n", LINUX_STRUCT_PAGE);
	printf("pages_per_section=%lu\n", PAGES_PER_SECTION);

	m = build(1ULL << 40, 8, 16, &secs);
	printf("big.create_ms=%.2f\n", secs * 1e3);
	report("big.idle", m);
	printf("big.filled_pages=%lu\n", fill(m, (1UL << 30) >> PAGE_SHIFT));
	report("big.1g", m);
	machine_destroy(m);

	m = build(1ULL << 30, 1, 2, &secs);
	printf("small.create_ms=%.2f\n", secs * 1e3);
	report("small.idle", m);
	printf("small.filled_pages=%lu\n", fill(m, ~0UL));
	report("small.full", m);
	machine_destroy(m);
	return 0;
}
