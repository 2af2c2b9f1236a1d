/*
 * block/genhd.c, block/partitions/msdos.c and the I/O accounting of
 * block/blk-mq.c and block/blk-core.c (part_stat_*, update_io_ticks): the
 * simulated disk sda, its partitions and their statistics.
 *
 * Models:
 * - Debian's guided msdos layout: sda1 (the root file system) from sector
 *   2048, sda2 the extended partition (2 sectors as the kernel sizes it),
 *   sda5 the swap partition 1 MiB into it
 * - per partition and for the whole disk: requests, merges, sectors and
 *   time from submission to completion per direction, in flight, io_ticks
 *   (time with a request in flight), as blk_account_io_done counts them
 * - a request counts as done when simulated time passes its completion;
 *   a reader sees exactly the requests completed by then
 * Simplifies:
 * - the root file system is 32 GiB, the disk exactly its partitions
 * - no discards, no flushes (their fields stay 0)
 * - io_ticks in nanoseconds, not jiffies: shown in whole milliseconds
 */
#include <string.h>

#include "mm_internal.h"
#include "mm_internal_proc.h"
#include "mmsim/blkdev.h"
#include "mmsim/pagemap.h"

#define ROOT_FS_SECTORS ((32ULL << 30) >> SECTOR_SHIFT)
#define EXTENDED_PART_SECTORS 2  /* msdos.c: put_partition(..., 2) for an extended one */

static uint64_t align_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) / a * a;
}

static struct block_device *add_partition(struct gendisk *disk, uint8_t partno, uint64_t start, uint64_t nr)
{
	struct block_device *bd = g_new0(struct block_device, 1);

	if (partno)
		g_snprintf(bd->name, sizeof(bd->name), "sda%u", partno);
	else
		g_strlcpy(bd->name, "sda", sizeof(bd->name));
	bd->major = SCSI_DISK0_MAJOR;
	bd->minor = partno;
	bd->partno = partno;
	bd->start_sect = start;
	bd->nr_sects = nr;
	disk->part[partno] = bd;
	return bd;
}

struct gendisk *alloc_disk(uint64_t swap_bytes, uint64_t latency_ns, uint64_t bandwidth)
{
	struct gendisk *disk = g_new0(struct gendisk, 1);
	uint64_t swap_sects = align_up(swap_bytes, SECTOR_SIZE) >> SECTOR_SHIFT;
	uint64_t ext = BDEV_PART_ALIGN + ROOT_FS_SECTORS;
	uint64_t end = swap_sects ? ext + BDEV_PART_ALIGN + align_up(swap_sects, BDEV_PART_ALIGN) : ext;

	add_partition(disk, 0, 0, end);
	add_partition(disk, 1, BDEV_PART_ALIGN, ROOT_FS_SECTORS);
	disk->root_partno = 1;
	if (swap_sects) {
		add_partition(disk, 2, ext, EXTENDED_PART_SECTORS);
		add_partition(disk, 5, ext + BDEV_PART_ALIGN, swap_sects);
		disk->swap_partno = 5;
	}
	disk->latency_ns = latency_ns;
	disk->bandwidth = bandwidth ? bandwidth : 1;
	disk->max_sectors_kb = 1280;
	disk->inflight = g_array_new(FALSE, FALSE, sizeof(struct blk_request));
	return disk;
}

void del_gendisk(struct gendisk *disk)
{
	if (!disk)
		return;
	for (int i = 0; i < DISK_MINORS; i++)
		g_free(disk->part[i]);
	g_array_free(disk->inflight, TRUE);
	g_free(disk);
}

/* update_io_ticks over [start, end): requests come in submission order,
 * so the busy time is their union, counted from where it stands */
static void update_io_ticks(struct disk_stats *stat, uint64_t *busy_end, uint64_t start, uint64_t end)
{
	if (end <= *busy_end)
		return;
	if (start < *busy_end)
		start = *busy_end;
	stat->io_ticks += end - start;
	*busy_end = end;
}

/* blk_account_io_done: a completed request in the statistics */
static void account_done(struct disk_stats *stat, uint64_t *busy_end, const struct blk_request *rq)
{
	stat->ios[rq->sgrp]++;
	stat->merges[rq->sgrp] += rq->merges;
	stat->sectors[rq->sgrp] += rq->sectors;
	stat->nsecs[rq->sgrp] += rq->done_ns - rq->start_ns;
	update_io_ticks(stat, busy_end, rq->start_ns, rq->done_ns);
}

static bool request_of(const struct block_device *part, const struct blk_request *rq)
{
	return part->partno == 0 || rq->partno == part->partno;
}

void part_stat_read_all(const struct machine *m, const struct block_device *part, struct disk_stats *stat,
			unsigned int inflight[2])
{
	const struct gendisk *disk = m->sb->disk;
	uint64_t busy_end = part->busy_end;

	*stat = part->stat;
	inflight[0] = inflight[1] = 0;
	for (guint i = 0; i < disk->inflight->len; i++) {
		const struct blk_request *rq = &g_array_index(disk->inflight, struct blk_request, i);

		if (!request_of(part, rq))
			continue;
		if (rq->done_ns <= m->now_ns) {
			account_done(stat, &busy_end, rq);
		} else {
			inflight[rq->sgrp == STAT_WRITE]++;
			if (rq->start_ns < m->now_ns)
				update_io_ticks(stat, &busy_end, rq->start_ns, m->now_ns);
		}
	}
}

/* The requests completed by now leave the queue for the statistics of
 * their partition and of the whole disk */
void blk_retire_requests(struct machine *m)
{
	struct gendisk *disk = m->sb->disk;
	guint n = 0;

	while (n < disk->inflight->len) {
		const struct blk_request *rq = &g_array_index(disk->inflight, struct blk_request, n);
		struct block_device *part = disk->part[rq->partno];

		if (rq->done_ns > m->now_ns)
			break;
		account_done(&disk->part[0]->stat, &disk->part[0]->busy_end, rq);
		if (rq->partno && part)
			account_done(&part->stat, &part->busy_end, rq);
		n++;
	}
	if (n)
		g_array_remove_range(disk->inflight, 0, n);
}

unsigned int swap_bdev_partno(const struct machine *m, const char *swap_file)
{
	const struct gendisk *disk = m->sb->disk;

	if (strncmp(swap_file, "/dev/", 5))
		return disk->root_partno;
	for (int i = 1; i < DISK_MINORS; i++)
		if (disk->part[i] && !strcmp(swap_file + 5, disk->part[i]->name))
			return (unsigned int)i;
	return 0;
}

char *disk_swap_partition_path(const struct machine *m)
{
	const struct gendisk *disk = m->sb->disk;

	return disk->swap_partno ? g_strdup_printf("/dev/%s", disk->part[disk->swap_partno]->name) : NULL;
}

static char *check_part_sums(const struct gendisk *disk)
{
	const struct disk_stats *whole = &disk->part[0]->stat;

	for (int g = 0; g < NR_STAT_GROUPS; g++) {
		unsigned long ios = 0, sectors = 0;

		for (int i = 1; i < DISK_MINORS; i++) {
			if (!disk->part[i])
				continue;
			ios += disk->part[i]->stat.ios[g];
			sectors += disk->part[i]->stat.sectors[g];
		}
		if (ios > whole->ios[g] || sectors > whole->sectors[g])
			return g_strdup_printf("sda: partitions did %lu I/Os of %lu sectors (group %d), the disk %lu of %lu",
					       ios, sectors, g, whole->ios[g], whole->sectors[g]);
	}
	return NULL;
}

char *genhd_check_invariants(const struct machine *m)
{
	const struct gendisk *disk = m->sb ? m->sb->disk : NULL;
	uint64_t prev_start = 0, prev_done = 0;

	if (!disk)
		return NULL;
	for (guint i = 0; i < disk->inflight->len; i++) {
		const struct blk_request *rq = &g_array_index(disk->inflight, struct blk_request, i);

		if (rq->start_ns < prev_start || rq->done_ns < prev_done || rq->done_ns < rq->start_ns)
			return g_strdup_printf("sda: request %u out of order", i);
		if (rq->partno >= DISK_MINORS || (rq->partno && !disk->part[rq->partno]))
			return g_strdup_printf("sda: request %u to no partition (%u)", i, rq->partno);
		prev_start = rq->start_ns;
		prev_done = rq->done_ns;
	}
	for (int i = 1; i < DISK_MINORS; i++) {
		const struct block_device *p = disk->part[i];

		if (p && p->start_sect + p->nr_sects > disk->part[0]->nr_sects)
			return g_strdup_printf("%s ends past the disk", p->name);
	}
	return check_part_sums(disk);
}
