/*
 * mm/sparse.c: memory sections and the struct page arrays behind them.
 *
 * Models: SPARSEMEM with 128 MiB sections; pfn_valid, pfn_to_page,
 * page_to_pfn; the pageblock migratetype bits (mm/page_alloc.c
 * get/set_pageblock_migratetype), kept per section.
 * Simplifies, on purpose: a section's mem_map is allocated the first time
 * one of its pages is needed (the kernel allocates every present section's
 * mem_map at boot).  Until then a section is "pristine": wholly free, its
 * MAX_PAGE_ORDER blocks counted on the zone's Movable free list without
 * being linked, or wholly reserved.  An idle 1 TiB machine therefore costs
 * a few hundred kilobytes.
 * The host side: the mem_maps made at boot (the sections boot reservations
 * split) are allocations of their own; every later one sits in one range
 * of the host's address space reserved once (as the kernel's vmemmap),
 * advised for huge pages and populated a section at a time, so that the
 * daemon takes a few 2 MiB host faults where 4 KiB ones would cost a
 * host page fault per hundred simulated pages.
 */
#include <stdlib.h>

#include "numa_balancing_internal.h"
#include "mmsim/machine.h"
#include "host_mem.h"
#include "mm_internal.h"
#include "mmsim/gfp.h"
#include "page_alloc_internal.h"

bool pfn_valid(struct machine *m, unsigned long pfn)
{
	if (pfn >= m->max_pfn)
		return false;
	if (__pfn_to_section(m, pfn)->state == SECTION_ABSENT)
		return false;
	return !pfn_in_hole(m, pfn);
}

#define MEMMAP_SECTION_BYTES (PAGES_PER_SECTION * sizeof(struct page))

/* Reserve the host address range for the mem_maps made from now on: no
 * memory until a section is used.  Without it (the host refuses the
 * reservation) each mem_map is an allocation of its own. */
void sparse_init_memmap_arena(struct machine *m)
{
	m->memmap_arena = host_reserve_huge(m->nr_sections * MEMMAP_SECTION_BYTES, &m->memmap_arena_map,
					    &m->memmap_arena_map_bytes);
}

static bool in_memmap_arena(const struct machine *m, const struct page *page)
{
	return m->memmap_arena && page >= m->memmap_arena &&
	       page < m->memmap_arena + m->nr_sections * PAGES_PER_SECTION;
}

void sparse_free_memmaps(struct machine *m)
{
	for (unsigned long s = 0; s < m->nr_sections; s++) {
		if (!in_memmap_arena(m, m->sections[s].mem_map))
			g_free(m->sections[s].mem_map);
		m->sections[s].mem_map = NULL;
		g_free(m->sections[s].memcg_ids);
		m->sections[s].memcg_ids = NULL;
		g_free(m->sections[s].last_cpupid);
		m->sections[s].last_cpupid = NULL;
	}
	host_release(m->memmap_arena_map, m->memmap_arena_map_bytes);
	m->memmap_arena = NULL;
	m->memmap_arena_map = NULL;
}

static struct page *sparse_alloc_mem_map(struct machine *m, unsigned long secnr)
{
	struct mem_section *ms = &m->sections[secnr];

	if (m->memmap_arena) {
		ms->mem_map = m->memmap_arena + secnr * PAGES_PER_SECTION;
		host_populate(ms->mem_map, MEMMAP_SECTION_BYTES);
	} else {
		ms->mem_map = g_malloc0(MEMMAP_SECTION_BYTES);
	}
	ms->memcg_ids = g_new0(uint16_t, PAGES_PER_SECTION);
	ms->last_cpupid = sparse_alloc_last_cpupid();
	m->nr_memmap_sections++;
	return ms->mem_map;
}

/* Give a pristine section its struct pages, in the state it stood for. */
static void sparse_init_section(struct machine *m, unsigned long secnr)
{
	struct mem_section *ms = &m->sections[secnr];
	unsigned long start = secnr << PFN_SECTION_SHIFT;
	struct page *map = sparse_alloc_mem_map(m, secnr);

	for (unsigned long i = 0; i < PAGES_PER_SECTION; i++) {
		map[i].next = map[i].prev = PFN_NONE;
		map[i]._mapcount = -1;
	}
	if (ms->state == SECTION_RESERVED) {
		for (unsigned long i = 0; i < PAGES_PER_SECTION; i++) {
			page_set(&map[i], PG_reserved);
			map[i]._refcount = 1;
		}
		ms->state = SECTION_MEMMAP;
		return;
	}
	/* SECTION_FREE: link its blocks where the count already stood */
	ms->state = SECTION_MEMMAP;
	buddy_adopt_pristine_section(m, secnr, start);
}

struct page *__pfn_to_page_slow(struct machine *m, unsigned long pfn)
{
	struct mem_section *ms = __pfn_to_section(m, pfn);

	g_assert(ms->state == SECTION_FREE || ms->state == SECTION_RESERVED);
	sparse_init_section(m, pfn_to_section_nr(pfn));
	return &ms->mem_map[pfn & (PAGES_PER_SECTION - 1)];
}

struct page *pfn_to_page_noalloc(struct machine *m, unsigned long pfn)
{
	struct mem_section *ms = __pfn_to_section(m, pfn);

	return ms->mem_map ? &ms->mem_map[pfn & (PAGES_PER_SECTION - 1)] : NULL;
}

/* Only called on pages of a mem_map: in the arena by its offset, else by
 * search of the section array for the one whose map contains the pointer. */
unsigned long page_to_pfn(struct machine *m, const struct page *page)
{
	if (in_memmap_arena(m, page))
		return (unsigned long)(page - m->memmap_arena);
	for (unsigned long s = 0; s < m->nr_sections; s++) {
		const struct page *map = m->sections[s].mem_map;

		if (map && page >= map && page < map + PAGES_PER_SECTION)
			return (s << PFN_SECTION_SHIFT) + (unsigned long)(page - map);
	}
	g_assert_not_reached();
}

int get_pageblock_migratetype(struct machine *m, unsigned long pfn)
{
	struct mem_section *ms = __pfn_to_section(m, pfn);

	return ms->pageblock_mt[(pfn & (PAGES_PER_SECTION - 1)) >> pageblock_order];
}

void set_pageblock_migratetype(struct machine *m, struct zone *zone, unsigned long pfn, int mt)
{
	struct mem_section *ms = __pfn_to_section(m, pfn);
	uint8_t *slot = &ms->pageblock_mt[(pfn & (PAGES_PER_SECTION - 1)) >> pageblock_order];

	if (*slot == mt)
		return;
	zone->nr_pageblocks[*slot]--;
	zone->nr_pageblocks[mt]++;
	*slot = (uint8_t)mt;
}

struct zone *__pfn_zone_slow(struct machine *m, unsigned long pfn)
{
	pg_data_t *pgdat = m->node_data[__pfn_to_section(m, pfn)->nid];

	for (int z = 0; z < MAX_NR_ZONES; z++) {
		struct zone *zone = &pgdat->node_zones[z];

		if (zone->spanned_pages && zone_spans_pfn(zone, pfn))
			return zone;
	}
	g_assert_not_reached();
}

size_t machine_metadata_bytes(const struct machine *m)
{
	return m->nr_memmap_sections * MEMMAP_SECTION_BYTES +
	       m->nr_sections * sizeof(struct mem_section);
}

/* ---- pristine sections: free memory whose mem_map does not exist yet ---- */

/* A pristine section: its blocks are counted on the Movable list. */
void buddy_add_pristine_section(struct machine *m, struct zone *zone, unsigned long secnr)
{
	struct mem_section *ms = &m->sections[secnr];

	ms->prev_pristine = PFN_NONE;
	ms->next_pristine = zone->pristine_head;
	if (zone->pristine_head != PFN_NONE)
		m->sections[zone->pristine_head].prev_pristine = (uint32_t)secnr;
	zone->pristine_head = (uint32_t)secnr;
	zone->nr_pristine++;
	zone->free_area[MAX_PAGE_ORDER].nr_free += PRISTINE_BLOCKS;
	__mod_zone_page_state(zone, NR_FREE_PAGES, (long)PAGES_PER_SECTION);
	__mod_zone_page_state(zone, NR_FREE_PAGES_BLOCKS, (long)PAGES_PER_SECTION);
}

/* Called by sparse.c when a pristine free section gets its mem_map: link
 * its blocks where the counts already stood. */
void buddy_adopt_pristine_section(struct machine *m, unsigned long secnr, unsigned long start_pfn)
{
	struct mem_section *ms = &m->sections[secnr];
	struct zone *zone = &m->node_data[ms->nid]->node_zones[ms->zid];
	struct free_area *area = &zone->free_area[MAX_PAGE_ORDER];

	if (ms->prev_pristine != PFN_NONE)
		m->sections[ms->prev_pristine].next_pristine = ms->next_pristine;
	else
		zone->pristine_head = ms->next_pristine;
	if (ms->next_pristine != PFN_NONE)
		m->sections[ms->next_pristine].prev_pristine = ms->prev_pristine;
	ms->next_pristine = ms->prev_pristine = PFN_NONE;
	zone->nr_pristine--;
	area->nr_free -= PRISTINE_BLOCKS;
	for (unsigned long i = 0; i < PRISTINE_BLOCKS; i++) {
		unsigned long pfn = start_pfn + (i << MAX_PAGE_ORDER);

		/* counted already: link without accounting */
		__mod_zone_page_state(zone, NR_FREE_PAGES_BLOCKS, -(long)MAX_ORDER_NR_PAGES);
		__add_to_free_list(m, zone, pfn, MAX_PAGE_ORDER, MIGRATE_MOVABLE, true);
	}
}
