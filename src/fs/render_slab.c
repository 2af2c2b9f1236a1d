/*
 * The kernel allocators' files: proc/slabinfo (mm/slab_common.c
 * cache_show, version 2.1), proc/vmallocinfo (mm/vmalloc.c
 * vmalloc_info_show) and the files of sys/kernel/slab/CACHE/ (mm/slub.c's sysfs
 * attributes), in Linux 6.18's formats.
 * A cache that may be merged has a ":A-0000064"-style directory and its
 * names (the first and every alias) are symbolic links to it, as
 * sysfs_slab_add and sysfs_slab_alias make them.
 */
#include <errno.h>
#include <string.h>

#include "layout_handlers.h"
#include "mmsim/slab.h"
#include "render.h"
#include "render_util.h"

void render_slabinfo(struct machine *m, const struct fs_ctx *ctx, GString *out)
{
	GPtrArray *caches = slab_caches(m);

	(void)ctx;
	g_string_append(out, "slabinfo - version: 2.1\n"
			     "# name            <active_objs> <num_objs> <objsize> <objperslab> <pagesperslab>"
			     " : tunables <limit> <batchcount> <sharedfactor>"
			     " : slabdata <active_slabs> <num_slabs> <sharedavail>\n");
	for (guint i = 0; i < caches->len; i++) {
		const struct kmem_cache *s = g_ptr_array_index(caches, i);
		struct slabinfo si;

		get_slabinfo(m, s, &si);
		g_string_append_printf(out, "%-17s %6lu %6lu %6u %4u %4d : tunables %4u %4u %4u : slabdata %6lu %6lu %6lu\n",
				       s->name, si.active_objs, si.num_objs, s->size, s->objects, 1 << s->order, 0u,
				       0u, 0u, si.active_slabs, si.num_slabs, 0UL);
	}
	g_ptr_array_free(caches, TRUE);
}

void render_vmallocinfo(struct machine *m, const struct fs_ctx *ctx, GString *out)
{
	GPtrArray *areas = vmalloc_areas(m);
	unsigned int *per_node = g_new0(unsigned int, (gsize)m->nr_nodes);

	(void)ctx;
	for (guint i = 0; i < areas->len; i++) {
		const struct vm_struct *v = g_ptr_array_index(areas, i);

		g_string_append_printf(out, "0x%016lx-0x%016lx %7ld %s pages=%u vmalloc", v->addr, v->addr + v->size,
				       (long)v->size, v->caller, v->nr_pages);
		if (v->flags & VM_VPAGES)
			g_string_append(out, " vpages");
		/* show_numa_info */
		memset(per_node, 0, sizeof(unsigned int) * (gsize)m->nr_nodes);
		for (unsigned int p = 0; p < v->nr_pages; p++)
			per_node[__pfn_to_section(m, v->pages[p])->nid]++;
		for (int nid = 0; nid < m->nr_nodes; nid++)
			if (per_node[nid])
				g_string_append_printf(out, " N%d=%u", nid, per_node[nid]);
		g_string_append_c(out, '\n');
	}
	g_free(per_node);
	g_ptr_array_free(areas, TRUE);
}

/* ---- sys/kernel/slab/CACHE/ (mm/slub.c's slab_attrs) ---- */

/* show_slab_objects: the total, then " N<node>=<n>" for each node with any */
static void show_per_node(const struct machine *m, const unsigned long *nodes, GString *out)
{
	unsigned long total = 0;

	for (int nid = 0; nid < m->nr_nodes; nid++)
		total += nodes[nid];
	g_string_append_printf(out, "%lu", total);
	for (int nid = 0; nid < m->nr_nodes; nid++)
		if (nodes[nid])
			g_string_append_printf(out, " N%d=%lu", nid, nodes[nid]);
	g_string_append_c(out, '\n');
}

enum slab_count { SC_OBJECTS, SC_TOTAL_OBJECTS, SC_SLABS, SC_PARTIAL, SC_OBJECTS_PARTIAL, SC_CPU_SLABS };

static void show_count(const struct machine *m, const struct kmem_cache *s, enum slab_count what, GString *out)
{
	unsigned long nodes[MAX_NUMNODES] = { 0 };

	for (int nid = 0; nid < m->nr_nodes; nid++) {
		struct slabinfo si;

		get_slabinfo_node(m, s, nid, &si);
		switch (what) {
		case SC_OBJECTS: nodes[nid] = si.active_objs; break;
		case SC_TOTAL_OBJECTS: nodes[nid] = si.num_objs; break;
		case SC_SLABS: nodes[nid] = si.num_slabs; break;
		case SC_PARTIAL: nodes[nid] = si.partial_slabs; break;
		case SC_OBJECTS_PARTIAL: nodes[nid] = si.partial_objs; break;
		case SC_CPU_SLABS: nodes[nid] = si.cpu_slabs; break;
		}
	}
	show_per_node(m, nodes, out);
}

/* slabs_cpu_partial: objects(slabs) over all CPUs, then per CPU */
static void show_slabs_cpu_partial(const struct machine *m, const struct kmem_cache *s, GString *out)
{
	unsigned int slabs = 0;

	for (int cpu = 0; cpu < m->nr_cpus; cpu++)
		slabs += slab_cpu_partial_slabs(s, cpu);
	g_string_append_printf(out, "%u(%u)", slabs * s->objects / 2, slabs);
	for (int cpu = 0; cpu < m->nr_cpus; cpu++) {
		unsigned int n = slab_cpu_partial_slabs(s, cpu);

		if (n)
			g_string_append_printf(out, " C%d=%u(%u)", cpu, n * s->objects / 2, n);
	}
	g_string_append_c(out, '\n');
}

static void render_attr(struct machine *m, const struct kmem_cache *s, const char *attr, GString *out)
{
	static const struct { const char *name; enum slab_count what; } counts[] = {
		{ "objects", SC_OBJECTS }, { "total_objects", SC_TOTAL_OBJECTS }, { "slabs", SC_SLABS },
		{ "partial", SC_PARTIAL }, { "objects_partial", SC_OBJECTS_PARTIAL }, { "cpu_slabs", SC_CPU_SLABS },
	};
	const struct { const char *name; unsigned long value; } values[] = {
		{ "object_size", s->object_size },
		{ "slab_size", s->size },
		{ "objs_per_slab", s->objects },
		{ "order", s->order },
		{ "align", s->align },
		{ "aliases", s->refcount < 0 ? 0 : (unsigned long)(s->refcount - 1) },
		{ "reclaim_account", !!(s->flags & SLAB_RECLAIM_ACCOUNT) },
		{ "hwcache_align", !!(s->flags & SLAB_HWCACHE_ALIGN) },
		{ "destroy_by_rcu", !!(s->flags & SLAB_TYPESAFE_BY_RCU) },
		{ "min_partial", s->min_partial },
		{ "cpu_partial", s->cpu_partial },
	};

	for (size_t i = 0; i < G_N_ELEMENTS(counts); i++)
		if (!strcmp(attr, counts[i].name)) {
			show_count(m, s, counts[i].what, out);
			return;
		}
	for (size_t i = 0; i < G_N_ELEMENTS(values); i++)
		if (!strcmp(attr, values[i].name)) {
			g_string_append_printf(out, "%lu\n", values[i].value);
			return;
		}
	if (!strcmp(attr, "slabs_cpu_partial"))
		show_slabs_cpu_partial(m, s, out);
}

void render_slab_attr(struct machine *m, const struct fs_ctx *ctx, GString *out)
{
	bool link;
	const struct kmem_cache *s = slab_sysfs_find(m, ctx->cache, &link);

	if (s)
		render_attr(m, s, ctx->name, out);
}

/* shrink reads empty; writing 1 runs kmem_cache_shrink (shrink_store) */
void render_slab_shrink(struct machine *m, const struct fs_ctx *ctx, GString *out)
{
	(void)m;
	(void)ctx;
	(void)out;
}

int write_slab_shrink(struct machine *m, const struct fs_ctx *ctx, const char *buf, size_t len, GString *reply)
{
	bool link;
	struct kmem_cache *s = slab_sysfs_find(m, ctx->cache, &link);

	(void)reply;
	if (!s)
		return -ENOENT;
	if (len < 1 || buf[0] != '1') {
		printk(m, "sys/kernel/slab/%s/shrink: write refused: only 1 shrinks the cache (%s)", ctx->cache,
		       g_strerror(EINVAL));
		return -EINVAL;
	}
	kmem_cache_shrink(m, s);
	return 0;
}

/* sys/kernel/slab/NAME -> its cache's unique-id directory */
void render_slab_link(struct machine *m, const struct fs_ctx *ctx, GString *out)
{
	bool link;
	const struct kmem_cache *s = slab_sysfs_find(m, ctx->cache, &link);
	char dir[48];

	if (!s)
		return;
	slab_sysfs_dirname(s, dir, sizeof(dir));
	g_string_append(out, dir);
}
