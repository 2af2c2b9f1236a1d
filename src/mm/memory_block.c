/*
 * drivers/base/memory.c and arch/x86/mm/init_64.c in outline: memory
 * blocks over the sections of the simulated machine.
 *
 * Models:
 * - probe_memory_block_size: 128 MiB below 64 GiB of memory end, else the
 *   largest power of two up to 2 GiB that the end is aligned to
 * - a block exists where one of its sections has memory; it is online
 * - its zone, when all its pages are in one (early_node_zone_for_memory_block)
 * Simplifies:
 * - no hotplug: every block is online from boot and stays so
 */
#include "mm_internal.h"
#include "mmsim/memory_block.h"

#define MIN_MEMORY_BLOCK_SIZE (1UL << SECTION_SIZE_BITS)
#define MAX_BLOCK_SIZE (2UL << 30)
#define MEM_SIZE_FOR_LARGE_BLOCK (64UL << 30)

unsigned long memory_block_size_bytes(const struct machine *m)
{
	uint64_t end = (uint64_t)m->max_pfn << PAGE_SHIFT;
	unsigned long bz;

	if (end < MEM_SIZE_FOR_LARGE_BLOCK)
		return MIN_MEMORY_BLOCK_SIZE;
	for (bz = MAX_BLOCK_SIZE; bz > MIN_MEMORY_BLOCK_SIZE; bz >>= 1)
		if (!(end & (bz - 1)))
			break;
	return bz;
}

static unsigned long sections_per_block(const struct machine *m)
{
	return memory_block_size_bytes(m) / MIN_MEMORY_BLOCK_SIZE;
}

unsigned long nr_memory_block_ids(const struct machine *m)
{
	unsigned long spb = sections_per_block(m);

	return (m->nr_sections + spb - 1) / spb;
}

bool memory_block_present(const struct machine *m, unsigned long id)
{
	unsigned long spb = sections_per_block(m);

	for (unsigned long s = id * spb; s < (id + 1) * spb && s < m->nr_sections; s++)
		if (m->sections[s].state != SECTION_ABSENT)
			return true;
	return false;
}

int memory_block_zone(const struct machine *m, unsigned long id)
{
	unsigned long spb = sections_per_block(m);
	int zid = -1;

	for (unsigned long s = id * spb; s < (id + 1) * spb && s < m->nr_sections; s++) {
		const struct mem_section *ms = &m->sections[s];

		if (ms->state == SECTION_ABSENT)
			continue;
		if (ms->zones_mixed || (zid >= 0 && zid != ms->zid))
			return -1;
		zid = ms->zid;
	}
	return zid;
}
