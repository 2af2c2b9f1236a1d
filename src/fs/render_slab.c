/*
 * The kernel allocators' files: proc/slabinfo (mm/slab_common.c
 * cache_show, version 2.1), proc/vmallocinfo (mm/vmalloc.c
 * vmalloc_info_show) and the files of sys/kernel/slab/CACHE/ (mm/slub.c's sysfs
 * attributes), in Linux 6.18's formats.
 * Simplifies: every cache name and alias is a directory of its own under
 * sys/kernel/slab/ (Linux gives a mergeable cache a ":A-0000064"-style
 * directory and makes its names symbolic links to it).
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
