/*
 * block/blk-core.c and the scheduler's io_schedule, in outline: the disk
 * (sda) as a request queue that takes simulated time.
 *
 * Models:
 * - one FIFO queue: a request starts when the previous one has finished
 * - a per-request latency plus the transfer at the disk's bandwidth
 * - the disk's counters (reads, writes, sectors, io_ticks)
 * - pgpgin/pgpgout counted in sectors, as the kernel does
 * - a task waiting for I/O: D state, iowait on its CPU, PSI io stall
 * Simplifies:
 * - no request merging, no plugging, no elevator, one hardware queue
 * - every request is whole pages
 * - the waiter is the only task: PSI io "some" and "full" alike
 */
#include "mm_internal.h"
#include "mm_internal_proc.h"
#include "mmsim/pagemap.h"

/* submit_bio: the request queues behind the ones in flight; returns the
 * time it completes.  pgpgin/pgpgout count sectors, as the kernel does. */
uint64_t submit_bio(struct machine *m, unsigned long nr_pages, bool write)
{
	struct block_device *bd = &m->sb->disk;
	uint64_t start = MAX(m->now_ns, bd->busy_until);
	uint64_t xfer = (uint64_t)((double)nr_pages * PAGE_SIZE * NSEC_PER_SEC / (double)bd->bandwidth);

	bd->busy_until = start + xfer;
	bd->io_ticks_ns += xfer;
	if (write) {
		bd->nr_writes++;
		bd->sectors_written += nr_pages * (PAGE_SIZE / 512);
		count_vm_events(m, PGPGOUT, nr_pages * (PAGE_SIZE / 512));
	} else {
		bd->nr_reads++;
		bd->sectors_read += nr_pages * (PAGE_SIZE / 512);
		count_vm_events(m, PGPGIN, nr_pages * (PAGE_SIZE / 512));
	}
	return start + bd->latency_ns + xfer;
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
