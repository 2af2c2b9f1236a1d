/*
 * Formatting helpers shared by the renderers of proc/ and sys/ (beyond the
 * ones render.h declares): the counter readers that serve both the global
 * files and the per-node ones, the meminfo figures, and the "%8lu kB" line.
 */
#ifndef MMSIM_FS_RENDER_UTIL_H
#define MMSIM_FS_RENDER_UTIL_H

#include <glib.h>

#include "mmsim/loadavg.h"
#include "mmsim/machine.h"

/* the simulated kernel's release (uname -r, osrelease, version) */
#define MMSIM_UTS_RELEASE "6.18.0-mmsim"

/* pages -> kB */
#define K(pages) ((unsigned long)(pages) << (PAGE_SHIFT - 10))

/* The nid argument of the readers below: a node, or the whole machine. */
#define NODE_ALL (-1)

/*
 * Counter readers, clamped at 0 as the kernel's readers are (a per-cpu
 * differential can make a sum transiently negative).  Node items that the
 * kernel prints in huge pages (vmstat_item_print_in_thp) are NOT divided
 * here; stat_node_printed() does that for vmstat-style files.
 */
unsigned long stat_zone(const struct machine *m, int nid, enum zone_stat_item item);
unsigned long stat_numa(const struct machine *m, int nid, enum numa_stat_item item);
unsigned long stat_node(const struct machine *m, int nid, enum node_stat_item item);
unsigned long stat_node_printed(const struct machine *m, int nid, enum node_stat_item item);

/*
 * "zone items, NUMA items, node items" as "name value" lines: the body of
 * /proc/vmstat (nid NODE_ALL) and all of nodeN/vmstat.
 */
void render_vmstat_counters(GString *out, const struct machine *m, int nid);

/* The figures /proc/meminfo and nodeN/meminfo share, in pages. */
struct meminfo_pages {
	unsigned long total, free;
	unsigned long file, shmem, swapcached, buffers, cached;
	unsigned long inactive_anon, active_anon, inactive_file, active_file, unevictable;
	unsigned long mlocked, dirty, writeback, anon, mapped;
	unsigned long kernel_stack_kb; /* already in kB, as NR_KERNEL_STACK_KB */
	unsigned long pagetables, sec_pagetables;
	unsigned long sreclaimable, sunreclaim, kreclaimable;
	unsigned long anon_thps, shmem_thps, shmem_pmdmapped, file_thps, file_pmdmapped;
	unsigned long balloon;
};

void meminfo_collect(const struct machine *m, int nid, struct meminfo_pages *mi);

/*
 * One meminfo line: PREFIX, KEY padded to 16 columns, the value in kB right
 * aligned in 8 (fs/proc/meminfo.c show_val_kb).  show_kb takes kB.
 */
void show_val_kb(GString *out, const char *prefix, const char *key, unsigned long pages);
void show_kb(GString *out, const char *prefix, const char *key, unsigned long kb);

/* Topology: a node is a package, its cpus are its cores in cpu order. */
int node_nr_cpus(const struct machine *m, int nid);
void log_refused(struct machine *m, const struct fs_ctx *ctx, const char *buf, size_t len, const char *why);
int cpu_core_id(const struct machine *m, int cpu);

/* Packed little-endian bitmaps (bit i is bits[i / 8] >> (i % 8)). */
static inline void bitmap_set_bit(unsigned char *bits, int i)
{
	bits[i / 8] |= (unsigned char)(1u << (i % 8));
}

static inline bool bitmap_test_bit(const unsigned char *bits, int i)
{
	return bits[i / 8] & (1u << (i % 8));
}

#define BITMAP_BYTES(n) (((n) + 7) / 8)

#endif
