/*
 * Helpers for the renderers and the sysctl writers:
 *   - cpu/node masks and lists (lib/vsprintf.c bitmap_string and
 *     bitmap_list_string, the "%*pb" and "%*pbl" formats);
 *   - the counter readers and the figures that /proc/vmstat and
 *     nodeN/vmstat, /proc/meminfo and nodeN/meminfo have in common, so
 *     that each loop and each sum is written once.
 *
 * Masks are packed little-endian bitmaps of unsigned char: bit i is
 * bits[i / 8] >> (i % 8).  Neither mask helper appends a newline; sysfs
 * files add it themselves.
 */
#include <string.h>

#include "render.h"
#include "render_util.h"

/* ------------------------------------------------------------------ */
/* Masks and lists                                                     */
/* ------------------------------------------------------------------ */

/* "%*pbl": ranges of set bits, "0-3,8,10-11" */
void render_cpulist(GString *out, const unsigned char *bits, int n)
{
	bool first = true;

	for (int i = 0; i < n; i++) {
		int start = i;

		if (!bitmap_test_bit(bits, i))
			continue;
		while (i + 1 < n && bitmap_test_bit(bits, i + 1))
			i++;
		if (!first)
			g_string_append_c(out, ',');
		first = false;
		if (start == i)
			g_string_append_printf(out, "%d", start);
		else
			g_string_append_printf(out, "%d-%d", start, i);
	}
}

/* The value of bits [lo, lo + len) as a number, len <= 32. */
static guint32 bitmap_chunk(const unsigned char *bits, int lo, int len)
{
	guint32 val = 0;

	for (int b = 0; b < len; b++)
		if (bitmap_test_bit(bits, lo + b))
			val |= 1u << b;
	return val;
}

/*
 * "%*pb": 32-bit chunks from the most significant, comma separated.  The
 * first (partial) chunk is zero-padded only to the hex digits its bits
 * need, the others to 8: 2 cpus print "3", 36 print "f,ffffffff".
 */
void render_cpumask(GString *out, const unsigned char *bits, int n)
{
	int chunksz = n % 32 ? n % 32 : 32;
	bool first = true;

	for (int i = ((n + 31) / 32) * 32 - 32; i >= 0; i -= 32) {
		if (!first)
			g_string_append_c(out, ',');
		first = false;
		g_string_append_printf(out, "%0*x", (chunksz + 3) / 4, bitmap_chunk(bits, i, chunksz));
		chunksz = 32;
	}
}

/* ------------------------------------------------------------------ */
/* Topology                                                            */
/* ------------------------------------------------------------------ */

int node_nr_cpus(const struct machine *m, int nid)
{
	int n = 0;

	for (int cpu = 0; cpu < m->nr_cpus; cpu++)
		n += cpu_to_node(m, cpu) == nid;
	return n;
}

/* the cpu's index among the cpus of its node */
int cpu_core_id(const struct machine *m, int cpu)
{
	int id = 0;

	for (int c = 0; c < cpu; c++)
		id += cpu_to_node(m, c) == cpu_to_node(m, cpu);
	return id;
}

/* ------------------------------------------------------------------ */
/* Counters                                                            */
/* ------------------------------------------------------------------ */

static unsigned long clamp_stat(long v)
{
	return v < 0 ? 0 : (unsigned long)v;
}

unsigned long stat_zone(const struct machine *m, int nid, enum zone_stat_item item)
{
	if (nid == NODE_ALL)
		return clamp_stat(global_zone_page_state(m, item));
	return clamp_stat(sum_zone_node_page_state(NODE_DATA(m, nid), item));
}

unsigned long stat_numa(const struct machine *m, int nid, enum numa_stat_item item)
{
	if (nid == NODE_ALL)
		return global_numa_event_state(m, item);
	return sum_zone_numa_event_state(NODE_DATA(m, nid), item);
}

unsigned long stat_node(const struct machine *m, int nid, enum node_stat_item item)
{
	if (nid == NODE_ALL)
		return clamp_stat(global_node_page_state(m, item));
	return clamp_stat(node_page_state(NODE_DATA(m, nid), item));
}

/* vmstat_item_print_in_thp: counted in base pages, printed in THPs */
static bool item_print_in_thp(enum node_stat_item item)
{
	return item == NR_ANON_THPS || item == NR_FILE_THPS || item == NR_SHMEM_THPS ||
	       item == NR_SHMEM_PMDMAPPED || item == NR_FILE_PMDMAPPED;
}

unsigned long stat_node_printed(const struct machine *m, int nid, enum node_stat_item item)
{
	unsigned long v = stat_node(m, nid, item);

	return item_print_in_thp(item) ? v / HPAGE_PMD_NR : v;
}

/* mm/vmstat.c vmstat_start and drivers/base/node.c node_read_vmstat */
void render_vmstat_counters(GString *out, const struct machine *m, int nid)
{
	for (int i = 0; i < NR_VM_ZONE_STAT_ITEMS; i++)
		g_string_append_printf(out, "%s %lu\n", zone_stat_name[i], stat_zone(m, nid, i));
	for (int i = 0; i < NR_VM_NUMA_EVENT_ITEMS; i++)
		g_string_append_printf(out, "%s %lu\n", numa_stat_name[i], stat_numa(m, nid, i));
	for (int i = 0; i < NR_VM_NODE_STAT_ITEMS; i++)
		g_string_append_printf(out, "%s %lu\n", node_stat_name[i],
				       stat_node_printed(m, nid, i));
}

/* ------------------------------------------------------------------ */
/* meminfo                                                             */
/* ------------------------------------------------------------------ */

/* si_meminfo's totalram, or si_meminfo_node's: the managed pages */
static unsigned long meminfo_total(const struct machine *m, int nid)
{
	unsigned long managed = 0;

	if (nid == NODE_ALL)
		return m->totalram_pages;
	for_each_zone_in_node(NODE_DATA(m, nid), zone)
		managed += zone->managed_pages;
	return managed;
}

/*
 * The sums of fs/proc/meminfo.c meminfo_proc_show and drivers/base/node.c
 * node_read_meminfo.  Buffers (nr_blockdev_pages) is 0: the model has no
 * block-device page cache.
 */
void meminfo_collect(const struct machine *m, int nid, struct meminfo_pages *mi)
{
	long cached;

	memset(mi, 0, sizeof(*mi));
	mi->total = meminfo_total(m, nid);
	mi->free = stat_zone(m, nid, NR_FREE_PAGES);
	mi->file = stat_node(m, nid, NR_FILE_PAGES);
	mi->shmem = stat_node(m, nid, NR_SHMEM);
	mi->swapcached = stat_node(m, nid, NR_SWAPCACHE);
	mi->buffers = 0;
	cached = (long)mi->file - (long)mi->swapcached - (long)mi->buffers;
	mi->cached = cached < 0 ? 0 : (unsigned long)cached;

	mi->inactive_anon = stat_node(m, nid, NR_INACTIVE_ANON);
	mi->active_anon = stat_node(m, nid, NR_ACTIVE_ANON);
	mi->inactive_file = stat_node(m, nid, NR_INACTIVE_FILE);
	mi->active_file = stat_node(m, nid, NR_ACTIVE_FILE);
	mi->unevictable = stat_node(m, nid, NR_UNEVICTABLE);
	mi->mlocked = stat_zone(m, nid, NR_MLOCK);

	mi->dirty = stat_node(m, nid, NR_FILE_DIRTY);
	mi->writeback = stat_node(m, nid, NR_WRITEBACK);
	mi->anon = stat_node(m, nid, NR_ANON_MAPPED);
	mi->mapped = stat_node(m, nid, NR_FILE_MAPPED);
	mi->kernel_stack_kb = stat_node(m, nid, NR_KERNEL_STACK_KB);
	mi->pagetables = stat_node(m, nid, NR_PAGETABLE);
	mi->sec_pagetables = stat_node(m, nid, NR_SECONDARY_PAGETABLE);

	/* the _B slab items are kept in pages, as the kernel stores them */
	mi->sreclaimable = stat_node(m, nid, NR_SLAB_RECLAIMABLE_B);
	mi->sunreclaim = stat_node(m, nid, NR_SLAB_UNRECLAIMABLE_B);
	mi->kreclaimable = mi->sreclaimable + stat_node(m, nid, NR_KERNEL_MISC_RECLAIMABLE);

	mi->anon_thps = stat_node(m, nid, NR_ANON_THPS);
	mi->shmem_thps = stat_node(m, nid, NR_SHMEM_THPS);
	mi->shmem_pmdmapped = stat_node(m, nid, NR_SHMEM_PMDMAPPED);
	mi->file_thps = stat_node(m, nid, NR_FILE_THPS);
	mi->file_pmdmapped = stat_node(m, nid, NR_FILE_PMDMAPPED);
	mi->balloon = stat_node(m, nid, NR_BALLOON_PAGES);
}

/* "%s%-16s%8lu kB\n" without printf: meminfo is the hottest file, so the
 * line is built in a local buffer and appended once */
void show_kb(GString *out, const char *prefix, const char *key, unsigned long kb)
{
	char line[96], digits[24];
	size_t plen = strlen(prefix), klen = strlen(key), len = 0;
	int n = 0;

	if (plen + klen > 48) {
		g_string_append_printf(out, "%s%-16s%8lu kB\n", prefix, key, kb);
		return;
	}
	memcpy(line, prefix, plen);
	len = plen;
	memcpy(line + len, key, klen);
	len += klen;
	while (len < plen + 16)
		line[len++] = ' ';
	do {
		digits[n++] = (char)('0' + kb % 10);
		kb /= 10;
	} while (kb);
	for (int i = n; i < 8; i++)
		line[len++] = ' ';
	while (n)
		line[len++] = digits[--n];
	memcpy(line + len, " kB\n", 4);
	g_string_append_len(out, line, (gssize)(len + 4));
}

void show_val_kb(GString *out, const char *prefix, const char *key, unsigned long pages)
{
	show_kb(out, prefix, key, K(pages));
}

/* log_refused: the one-line reason a refused write leaves in sim/log */
void log_refused(struct machine *m, const struct fs_ctx *ctx, const char *buf, size_t len, const char *why)
{
	g_autofree char *raw = g_strndup(buf, MIN(len, (size_t)64));
	g_autofree char *shown = g_strescape(g_strstrip(raw), NULL);

	printk(m, "%s: write '%s' refused: %s", ctx->path ? ctx->path : ctx->name, shown, why);
}
