/*
 * proc/swaps (mm/swapfile.c swap_show): one line per enabled swap device in
 * swap_info[] order, Size and Used in kB, the path padded to 40 columns and
 * escaped as seq_file_path does (space, tab, newline and backslash as \ooo).
 */
#include "mmsim/swap.h"
#include "render.h"
#include "layout_handlers.h"

/* seq_file_path's mangle_path: the escaped characters become \ooo */
static int append_path(GString *out, const char *path)
{
	gsize start = out->len;

	for (const char *c = path; *c; c++) {
		if (*c == ' ' || *c == '\t' || *c == '\n' || *c == '\\')
			g_string_append_printf(out, "\\%03o", (unsigned char)*c);
		else
			g_string_append_c(out, *c);
	}
	return (int)(out->len - start);
}

void render_swaps(struct machine *m, const struct fs_ctx *ctx, GString *out)
{
	struct swap_globals *g = m->swap;

	(void)ctx;
	g_string_append(out, "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n");
	for (unsigned int type = 0; g && type < g->nr_swapfiles; type++) {
		struct swap_info_struct *si = g->swap_info[type];
		unsigned long bytes, inuse;
		int len;

		if (!si || !(si->flags & SWP_USED) || !(si->flags & SWP_WRITEOK))
			continue;
		bytes = si->pages << (PAGE_SHIFT - 10);
		inuse = si->inuse_pages << (PAGE_SHIFT - 10);
		len = append_path(out, si->swap_file);
		g_string_append_printf(out, "%*s%s\t%lu\t%s%lu\t%s%d\n", len < 40 ? 40 - len : 1, " ",
				       (si->flags & SWP_BLKDEV) ? "partition" : "file\t", bytes,
				       bytes < 10000000 ? "\t" : "", inuse, inuse < 10000000 ? "\t" : "", si->prio);
	}
}
