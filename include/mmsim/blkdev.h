/*
 * The simulated disk (include/linux/blkdev.h, blk_types.h, part_stat.h in
 * spirit): one gendisk, sda, with an msdos partition table as Debian's
 * guided installer writes it (sda1 the root file system, sda2 the
 * extended partition, sda5 the swap partition inside it), a request queue
 * that takes simulated time, and the I/O statistics of the whole disk and
 * of each partition (what /proc/diskstats and sys/block/sda/stat show).
 */
#ifndef MMSIM_BLKDEV_H
#define MMSIM_BLKDEV_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

struct machine;

#define SECTOR_SHIFT 9
#define SECTOR_SIZE (1u << SECTOR_SHIFT)
#define SCSI_DISK0_MAJOR 8
#define DISK_MINORS 16           /* sd: 15 partitions per disk */
#define DISK_MAX_PARTS 256       /* ext_range */
#define BDEV_PART_ALIGN 2048     /* partitions start on 1 MiB boundaries */

/* The stat groups of a request (include/linux/blk_types.h op_stat_group) */
enum stat_group { STAT_READ, STAT_WRITE, STAT_DISCARD, STAT_FLUSH, NR_STAT_GROUPS };

/* include/linux/part_stat.h struct disk_stats (io_ticks in ns here) */
struct disk_stats {
	uint64_t nsecs[NR_STAT_GROUPS];    /* submission to completion, summed */
	unsigned long sectors[NR_STAT_GROUPS];
	unsigned long ios[NR_STAT_GROUPS];
	unsigned long merges[NR_STAT_GROUPS];
	uint64_t io_ticks;                 /* ns with a request in flight */
};

/* A request sent to the disk and not yet accounted as completed */
struct blk_request {
	uint64_t start_ns, done_ns;
	unsigned long sectors;
	unsigned int merges;               /* bios merged into it (the plug) */
	uint8_t partno;
	uint8_t sgrp;                      /* enum stat_group */
};

/* The whole disk (partno 0) or one partition (struct block_device) */
struct block_device {
	char name[16];                     /* "sda", "sda1" */
	unsigned int major, minor;
	uint8_t partno;
	uint64_t start_sect, nr_sects;     /* nr_sects 2 for the extended partition */
	struct disk_stats stat;            /* of the requests accounted as done */
	uint64_t busy_end;                 /* io_ticks counted up to here (ns) */
};

/* The disk (struct gendisk) and its request queue */
struct gendisk {
	struct block_device *part[DISK_MINORS]; /* part[0] the whole disk; NULL: no such partition */
	uint8_t root_partno, swap_partno;  /* sda1; sda5 (0: no swap partition) */
	uint64_t latency_ns;               /* per request */
	uint64_t bandwidth;                /* bytes/s */
	uint64_t busy_until;               /* ns: the queue's last completion */
	GArray *inflight;                  /* struct blk_request, in submission order */
	unsigned int max_sectors_kb;
};

/* add_disk with its partition table (genhd.c): a disk of the root file
 * system and the swap partition of swap_bytes (0: none) */
struct gendisk *alloc_disk(uint64_t swap_bytes, uint64_t latency_ns, uint64_t bandwidth);
void del_gendisk(struct gendisk *disk);

/* The statistics of a partition (or the disk, partno 0) as of now:
 * the accounted ones plus the requests completed by now, and how many
 * are in flight (part_stat_read_all, part_in_flight) */
void part_stat_read_all(const struct machine *m, const struct block_device *part, struct disk_stats *stat,
			unsigned int inflight[2]);
/* The partition a swap device's I/O goes to: its own partition when
 * it is one of the disk's (/dev/sda5), the root file system's for a swap
 * file, the whole disk (0) for any other device */
unsigned int swap_bdev_partno(const struct machine *m, const char *swap_file);
/* "/dev/sda5": the path of the swap partition, or NULL */
char *disk_swap_partition_path(const struct machine *m);

/* --debug-vm: in-flight requests in order, partitions within the disk,
 * the disk's counters at least its partitions' sums; NULL or a reason */
char *genhd_check_invariants(const struct machine *m);

#endif
