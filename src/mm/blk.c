/*
 * block/blk-core.c and the scheduler's io_schedule, in outline: the disk
 * (sda) as a request queue that takes simulated time; its partitions and
 * statistics are genhd.c's.
 *
 * Models:
 * - one FIFO queue: a request starts when the previous one has finished
 * - a per-request latency plus the transfer at the disk's bandwidth
 * - bios merged into one request by the plug (swap: one bio per page)
 * - pgpgin/pgpgout counted in sectors, as the kernel does
 * - a task waiting for I/O: D state, iowait on its CPU, PSI io stall
 * Simplifies:
 * - no elevator, one hardware queue; a request is never split at
 *   max_sectors_kb
 * - every request is whole pages
 * - the waiter is the only task: PSI io "some" and "full" alike
 */
#include "mm_internal.h"
#include "mm_internal_proc.h"
#include "mmsim/blkdev.h"
#include "mmsim/pagemap.h"

/* submit_bio to a partition of the disk: nr_bios bios of nr_pages in all,
 * merged into one request that queues behind the ones in flight; returns
 * the time it completes.  pgpgin/pgpgout count sectors, as the kernel
 * does; the disk statistics count the request when it completes. */
uint64_t submit_bio_part(struct machine *m, unsigned int partno, unsigned long nr_pages, bool write,
			 unsigned long nr_bios)
{
	struct gendisk *disk = m->sb->disk;
	uint64_t start = MAX(m->now_ns, disk->busy_until);
	uint64_t xfer = (uint64_t)((double)nr_pages * PAGE_SIZE * NSEC_PER_SEC / (double)disk->bandwidth);
	unsigned long sectors = nr_pages * (PAGE_SIZE >> SECTOR_SHIFT);
	struct blk_request rq = {
		.start_ns = m->now_ns,
		.done_ns = start + disk->latency_ns + xfer,
		.sectors = sectors,
		.merges = nr_bios > 1 ? (unsigned int)(nr_bios - 1) : 0,
		.partno = (uint8_t)partno,
		.sgrp = write ? STAT_WRITE : STAT_READ,
	};

	blk_retire_requests(m);
	disk->busy_until = start + xfer;
	g_array_append_val(disk->inflight, rq);
	count_vm_events(m, write ? PGPGOUT : PGPGIN, sectors);
	if (!write && m->current)
		m->current->ioac_read_bytes += (uint64_t)sectors << SECTOR_SHIFT;  /* task_io_account_read */
	return rq.done_ns;
}

/* submit_bio for the file system's pages: one bio, to the root partition */
uint64_t submit_bio(struct machine *m, unsigned long nr_pages, bool write)
{
	return submit_bio_part(m, m->sb->disk->root_partno, nr_pages, write, 1);
}

/* io_schedule until `until`: the task sleeps in D state, its CPU counts
 * iowait, PSI io counts the stall, and simulated time moves on */
void io_schedule_until(struct machine *m, struct task_struct *t, uint64_t until)
{
	uint64_t wait;
	char state = 'R';

	/* the CPU time it ran up passes first */
	if (t && t == m->current)
		sched_flush(m);
	if (until <= m->now_ns)
		return;
	wait = until - m->now_ns;
	if (t) {
		struct cpu_state *c = &m->cpus[t->cpu];

		state = t->state;
		t->state = 'D';
		t->delayacct_blkio_ns += wait;
		t->nvcsw++;
		c->iowait_ns += wait;
		c->iowait = c->iowait_ns / (NSEC_PER_SEC / USER_HZ);
	}
	/* one task stalled and nothing else runnable: some and full alike */
	m->psi[PSI_IO].total_us[0] += wait / 1000;
	m->psi[PSI_IO].total_us[1] += wait / 1000;
	machine_advance(m, wait);
	if (t)
		t->state = state;
}
