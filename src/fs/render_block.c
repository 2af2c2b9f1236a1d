/*
 * The disk as block/genhd.c and block/blk-sysfs.c show it: proc/diskstats,
 * proc/partitions, sys/block/sda/ and its partitions' directories.  The
 * numbers are the engine's (part_stat_read_all); these only format them.
 */
#include <string.h>

#include "layout_handlers.h"
#include "mmsim/blkdev.h"
#include "mmsim/pagemap.h"

/* The disk (sys/block/sda/...) or the partition of the path ({PART}) */
static const struct block_device *ctx_bdev(struct machine *m, const struct fs_ctx *ctx)
{
	const struct gendisk *disk = m->sb->disk;

	return ctx->part > 0 && ctx->part < DISK_MINORS && disk->part[ctx->part] ? disk->part[ctx->part]
										   : disk->part[0];
}

static unsigned int ns_to_ms(uint64_t ns)
{
	return (unsigned int)(ns / NSEC_PER_MSEC);
}

static uint64_t weighted_ns(const struct disk_stats *s)
{
	return s->nsecs[STAT_READ] + s->nsecs[STAT_WRITE] + s->nsecs[STAT_DISCARD] + s->nsecs[STAT_FLUSH];
}

/* diskstats_show: one line per partition with sectors, the disk first */
void render_diskstats(struct machine *m, const struct fs_ctx *ctx, GString *out)
{
	const struct gendisk *disk = m->sb->disk;

	(void)ctx;
	for (int i = 0; i < DISK_MINORS; i++) {
		const struct block_device *bd = disk->part[i];
		struct disk_stats s;
		unsigned int inflight[2];

		if (!bd || (i && !bd->nr_sects))
			continue;
		part_stat_read_all(m, bd, &s, inflight);
		g_string_append_printf(out,
				       "%4u %7u %s %lu %lu %lu %u %lu %lu %lu %u %u %u %u %lu %lu %lu %u %lu %u\n",
				       bd->major, bd->minor, bd->name, s.ios[STAT_READ], s.merges[STAT_READ],
				       s.sectors[STAT_READ], ns_to_ms(s.nsecs[STAT_READ]), s.ios[STAT_WRITE],
				       s.merges[STAT_WRITE], s.sectors[STAT_WRITE], ns_to_ms(s.nsecs[STAT_WRITE]),
				       inflight[0] + inflight[1], ns_to_ms(s.io_ticks), ns_to_ms(weighted_ns(&s)),
				       s.ios[STAT_DISCARD], s.merges[STAT_DISCARD], s.sectors[STAT_DISCARD],
				       ns_to_ms(s.nsecs[STAT_DISCARD]), s.ios[STAT_FLUSH], ns_to_ms(s.nsecs[STAT_FLUSH]));
	}
}

/* show_partition: sizes in 1 KiB blocks */
void render_partitions(struct machine *m, const struct fs_ctx *ctx, GString *out)
{
	const struct gendisk *disk = m->sb->disk;

	(void)ctx;
	g_string_append(out, "major minor  #blocks  name\n\n");
	for (int i = 0; i < DISK_MINORS; i++) {
		const struct block_device *bd = disk->part[i];

		if (bd && bd->nr_sects)
			g_string_append_printf(out, "%4u  %7u %10llu %s\n", bd->major, bd->minor,
					       (unsigned long long)(bd->nr_sects >> 1), bd->name);
	}
}

/* part_stat_show: the 17 fields of the disk's or a partition's stat */
void render_blk_stat(struct machine *m, const struct fs_ctx *ctx, GString *out)
{
	struct disk_stats s;
	unsigned int inflight[2];

	part_stat_read_all(m, ctx_bdev(m, ctx), &s, inflight);
	g_string_append_printf(out,
			       "%8lu %8lu %8lu %8u %8lu %8lu %8lu %8u %8u %8u %8u %8lu %8lu %8lu %8u %8lu %8u\n",
			       s.ios[STAT_READ], s.merges[STAT_READ], s.sectors[STAT_READ],
			       ns_to_ms(s.nsecs[STAT_READ]), s.ios[STAT_WRITE], s.merges[STAT_WRITE],
			       s.sectors[STAT_WRITE], ns_to_ms(s.nsecs[STAT_WRITE]), inflight[0] + inflight[1],
			       ns_to_ms(s.io_ticks), ns_to_ms(weighted_ns(&s)), s.ios[STAT_DISCARD],
			       s.merges[STAT_DISCARD], s.sectors[STAT_DISCARD], ns_to_ms(s.nsecs[STAT_DISCARD]),
			       s.ios[STAT_FLUSH], ns_to_ms(s.nsecs[STAT_FLUSH]));
}

/* part_inflight_show: reads and writes in flight */
void render_blk_inflight(struct machine *m, const struct fs_ctx *ctx, GString *out)
{
	struct disk_stats s;
	unsigned int inflight[2];

	part_stat_read_all(m, ctx_bdev(m, ctx), &s, inflight);
	g_string_append_printf(out, "%8u %8u\n", inflight[0], inflight[1]);
}

/* dev: "MAJOR:MINOR" */
void render_blk_dev(struct machine *m, const struct fs_ctx *ctx, GString *out)
{
	const struct block_device *bd = ctx_bdev(m, ctx);

	g_string_append_printf(out, "%u:%u\n", bd->major, bd->minor);
}

/* size: in 512-byte sectors */
void render_blk_size(struct machine *m, const struct fs_ctx *ctx, GString *out)
{
	g_string_append_printf(out, "%llu\n", (unsigned long long)ctx_bdev(m, ctx)->nr_sects);
}

/* a partition's start (first sector) and partition (its number) */
void render_part_start(struct machine *m, const struct fs_ctx *ctx, GString *out)
{
	g_string_append_printf(out, "%llu\n", (unsigned long long)ctx_bdev(m, ctx)->start_sect);
}

void render_part_partition(struct machine *m, const struct fs_ctx *ctx, GString *out)
{
	g_string_append_printf(out, "%u\n", ctx_bdev(m, ctx)->partno);
}

/* queue/max_sectors_kb: the largest request the disk takes */
void render_blk_max_sectors_kb(struct machine *m, const struct fs_ctx *ctx, GString *out)
{
	(void)ctx;
	g_string_append_printf(out, "%u\n", m->sb->disk->max_sectors_kb);
}

/* The attributes that are the same on every machine: an SSD on a SCSI
 * host with 512-byte sectors, no discard, mq-deadline (block/blk-sysfs.c,
 * block/genhd.c, block/partitions/core.c) */
static const struct {
	const char *name;
	const char *value;
} blk_consts[] = {
	{ "range", "16" },
	{ "ext_range", "256" },
	{ "removable", "0" },
	{ "hidden", "0" },
	{ "ro", "0" },
	{ "alignment_offset", "0" },
	{ "discard_alignment", "0" },
	{ "hw_sector_size", "512" },
	{ "logical_block_size", "512" },
	{ "physical_block_size", "512" },
	{ "minimum_io_size", "512" },
	{ "optimal_io_size", "0" },
	{ "max_hw_sectors_kb", "32767" },
	{ "rotational", "0" },
	{ "nr_requests", "256" },
	{ "scheduler", "[mq-deadline] none" },
	{ "nomerges", "0" },
	{ "discard_max_bytes", "0" },
	{ "write_cache", "write back" },
};

void render_blk_const(struct machine *m, const struct fs_ctx *ctx, GString *out)
{
	(void)m;
	for (size_t i = 0; i < G_N_ELEMENTS(blk_consts); i++)
		if (!strcmp(ctx->name, blk_consts[i].name)) {
			g_string_append_printf(out, "%s\n", blk_consts[i].value);
			return;
		}
}
