/*
 * sim/files (the simulated files and their page cache, like fincore(1)),
 * and the simulated disk's backing_dev_info in sysfs:
 * sys/class/bdi/8:0/{read_ahead_kb,min_ratio,max_ratio,min_bytes,
 * max_bytes,stable_pages_required} (mm/backing-dev.c) and
 * sys/block/sda/queue/read_ahead_kb (block/blk-sysfs.c), which is the
 * same value.
 *
 * Simplifies: min_ratio and max_ratio are whole percents (the kernel keeps
 * them in 1/10000 of a percent and shows the fine value in *_ratio_fine,
 * which is not here); strict_limit is not modelled (no file).  The model
 * has one disk, so bdi_min_ratio (the sum over all disks) is sda's own.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "kstrtox.h"
#include "layout_handlers.h"
#include "mmsim/pagemap.h"
#include "render_util.h"

/* ------------------------------------------------------------------ */
/* sim/files                                                           */
/* ------------------------------------------------------------------ */

/* A deleted inode has no path; its mappings remember the name */
static const char *inode_name(const struct inode *inode)
{
	const GPtrArray *vmas = inode->i_data.i_mmap;

	if (inode->path)
		return inode->path;
	if (vmas && vmas->len) {
		const struct vm_area_struct *vma = g_ptr_array_index(vmas, 0);

		if (vma->file)
			return vma->file;
	}
	return "?";
}

static void files_line(GString *out, const struct inode *inode)
{
	const struct address_space *as = &inode->i_data;

	g_string_append_printf(out, "%8lu %14" G_GUINT64_FORMAT " %10" G_GUINT64_FORMAT " %10lu %10lu %10lu %5u %-5s %s%s\n",
			       inode->i_ino, inode->i_size, (inode->i_size + PAGE_SIZE - 1) / PAGE_SIZE,
			       as->nrpages, as->nr_dirty, as->nr_writeback, as->i_mmap ? as->i_mmap->len : 0u,
			       inode->kind == INODE_SHMEM ? "shmem" : "disk", inode_name(inode),
			       inode->unlinked ? " (deleted)" : "");
}

/*
 * One header line, then one line per file, sorted by path, then the
 * deleted files that are still mapped (sim_files_sorted gives both): inode number, size in bytes, its
 * pages, how many of them are in the page cache, dirty, under writeback
 * (pages of 4 KiB), the VMAs mapping it, disk or shmem, the path.
 */
void render_files(struct machine *m, const struct fs_ctx *ctx, GString *out)
{
	GPtrArray *files;

	(void)ctx;
	g_string_append_printf(out, "%8s %14s %10s %10s %10s %10s %5s %-5s %s\n", "INO", "SIZE", "PAGES", "CACHED",
			       "DIRTY", "WRITEBACK", "MAPS", "TYPE", "FILE");
	if (!m->sb)
		return;
	files = sim_files_sorted(m);
	for (guint i = 0; i < files->len; i++)
		files_line(out, g_ptr_array_index(files, i));
	g_ptr_array_unref(files);
}

/* ------------------------------------------------------------------ */
/* sysfs: the disk's backing_dev_info                                  */
/* ------------------------------------------------------------------ */

static struct backing_dev_info *sda_bdi(struct machine *m)
{
	return m->sb ? &m->sb->bdi : NULL;
}

/* read_ahead_kb_show / queue_ra_show: ra_pages in kB */
void render_bdi_read_ahead_kb(struct machine *m, const struct fs_ctx *ctx, GString *out)
{
	struct backing_dev_info *bdi = sda_bdi(m);

	(void)ctx;
	g_string_append_printf(out, "%lu\n", bdi ? (unsigned long)bdi->ra_pages << (PAGE_SHIFT - 10) : 0UL);
}

/* read_ahead_kb_store (any unsigned long) and queue_ra_store (at most
 * UINT_MAX, queue_var_store) both set bdi->ra_pages */
int write_bdi_read_ahead_kb(struct machine *m, const struct fs_ctx *ctx, const char *buf, size_t len,
			    GString *reply)
{
	unsigned long kb;
	int err = kstrtoul_store(buf, len, 10, &kb);

	(void)reply;
	/* queue_var_store: any parse error or a value past UINT_MAX is EINVAL */
	if (ctx->path && g_str_has_prefix(ctx->path, "sys/block/") && (err || kb > UINT_MAX))
		err = -EINVAL;
	if (!err && !sda_bdi(m))
		err = -ENODEV;
	if (!err)
		err = bdi_set_read_ahead_kb(m, kb);
	if (err)
		log_refused(m, ctx, buf, len, "not a size in kB");
	return err;
}

static bool is_min(const struct fs_ctx *ctx)
{
	return g_str_has_prefix(ctx->name, "min_");
}

void render_bdi_ratio(struct machine *m, const struct fs_ctx *ctx, GString *out)
{
	struct backing_dev_info *bdi = sda_bdi(m);

	g_string_append_printf(out, "%u\n", !bdi ? 0 : is_min(ctx) ? bdi->min_ratio : bdi->max_ratio);
}

int write_bdi_ratio(struct machine *m, const struct fs_ctx *ctx, const char *buf, size_t len, GString *reply)
{
	struct backing_dev_info *bdi = sda_bdi(m);
	unsigned long ratio;
	int err = kstrtoul_store(buf, len, 10, &ratio);

	(void)reply;
	/* kstrtouint */
	if (!err && ratio > UINT_MAX)
		err = -ERANGE;
	if (!err && !bdi)
		err = -ENODEV;
	if (!err)
		err = is_min(ctx) ? bdi_set_min_ratio(bdi, ratio) : bdi_set_max_ratio(bdi, ratio);
	if (err)
		log_refused(m, ctx, buf, len, is_min(ctx) ? "a percent below 100 and not above max_ratio"
							  : "a percent up to 100 and not below min_ratio");
	return err;
}

void render_bdi_bytes(struct machine *m, const struct fs_ctx *ctx, GString *out)
{
	struct backing_dev_info *bdi = sda_bdi(m);

	g_string_append_printf(out, "%" G_GUINT64_FORMAT "\n",
			       !bdi ? 0 : is_min(ctx) ? bdi_get_min_bytes(m, bdi) : bdi_get_max_bytes(m, bdi));
}

int write_bdi_bytes(struct machine *m, const struct fs_ctx *ctx, const char *buf, size_t len, GString *reply)
{
	struct backing_dev_info *bdi = sda_bdi(m);
	unsigned long bytes;
	int err = kstrtoul_store(buf, len, 10, &bytes);

	(void)reply;
	if (!err && !bdi)
		err = -ENODEV;
	if (!err)
		err = is_min(ctx) ? bdi_set_min_bytes(m, bdi, bytes) : bdi_set_max_bytes(m, bdi, bytes);
	if (err)
		log_refused(m, ctx, buf, len, "bytes beyond the dirtyable memory, or outside the ratio's limits");
	return err;
}

/* stable_pages_required_show: the simulated disk does not need pages kept
 * stable during writeback (no checksums, no RAID parity) */
void render_bdi_stable_pages(struct machine *m, const struct fs_ctx *ctx, GString *out)
{
	(void)m;
	(void)ctx;
	g_string_append(out, "0\n");
}
