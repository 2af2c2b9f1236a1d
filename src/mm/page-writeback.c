/*
 * mm/page-writeback.c and fs/fs-writeback.c: dirty limits, throttling of
 * dirtiers, and the flusher.
 *
 * Models: global_dirtyable_memory (free pages above the reserves plus the
 * file LRU), domain_dirty_limits (ratios of it or the _bytes values, the
 * background threshold halved when not below the hard one);
 * balance_dirty_pages called every ratelimit pages a task dirties: below
 * the freerun ceiling ((bg + thresh) / 2) nothing happens, above the
 * background threshold the flusher is kicked, and between freerun and the
 * limit the writer pauses for pages_dirtied / task_ratelimit where
 * task_ratelimit = write bandwidth * pos_ratio and pos_ratio is the
 * kernel's cubic 1 + ((setpoint - dirty) / (limit - setpoint))^3; at or
 * over the limit it sleeps MAX_PAUSE (200 ms) at a time until writeback
 * brings it under.  The flusher (wb_workfn) wakes every
 * dirty_writeback_centisecs while inodes are dirty and writes back those
 * dirtied more than dirty_expire_centisecs ago (wb_check_old_data_flush),
 * and whatever background writeback needs (wb_check_background_flush,
 * MAX_WRITEBACK_PAGES per inode per pass).  Pages under writeback are
 * PG_writeback (NR_WRITEBACK) until their request completes on the disk.
 * Simplifies: one bdi_writeback; the dirty ratelimit is the disk's
 * bandwidth (the kernel estimates it, starting from 100 MB/s); no
 * per-wb limits (strict_limit, min/max_ratio are shown, not used).
 */
#include <errno.h>
#include <math.h>

#include "mm_internal.h"
#include "mmsim/explain.h"
#include "mm_internal_proc.h"
#include "mmsim/pagemap.h"

#define MAX_PAUSE_NS (NSEC_PER_SEC / 5)   /* HZ / 5 */
#define MAX_WRITEBACK_PAGES 1024
#define DIRTY_POLL_MIN 16                 /* ratelimit_pages floor */

struct wb_io {
	struct inode *inode;
	unsigned long start, end;  /* page indices under writeback */
	uint64_t done;
};

/* ---- limits ---- */

/* global_dirtyable_memory's parts: free pages above the reserves, plus the
 * file LRU (the +1 keeps it from being 0) */
static unsigned long global_dirtyable_memory_ops(struct machine *m, struct dirty_limits_ops *ops)
{
	ops->free = (unsigned long)MAX(global_zone_page_state(m, NR_FREE_PAGES), 0);
	ops->totalreserve = m->totalreserve_pages;
	ops->file_lru = (unsigned long)MAX(global_node_page_state(m, NR_INACTIVE_FILE) +
					   global_node_page_state(m, NR_ACTIVE_FILE), 0);
	ops->free_usable = ops->free - MIN(ops->free, ops->totalreserve);
	ops->avail = ops->free_usable + ops->file_lru + 1;
	return ops->avail;
}

unsigned long global_dirtyable_memory(struct machine *m)
{
	struct dirty_limits_ops ops;

	return global_dirtyable_memory_ops(m, &ops);
}

/* domain_dirty_limits for the global domain: the ratios in 1/PAGE_SIZE
 * steps of the dirtyable memory, or the _bytes values */
void global_dirty_limits_ops(struct machine *m, struct dirty_limits_ops *ops)
{
	unsigned long available = global_dirtyable_memory_ops(m, ops);

	ops->dirty_bytes = m->sysctl.dirty_bytes;
	ops->bg_bytes = m->sysctl.dirty_background_bytes;
	ops->dirty_ratio = m->sysctl.dirty_ratio;
	ops->bg_ratio = m->sysctl.dirty_background_ratio;
	ops->ratio = (unsigned long)ops->dirty_ratio * PAGE_SIZE / 100;
	ops->bg_ratio_pages = (unsigned long)ops->bg_ratio * PAGE_SIZE / 100;
	if (ops->dirty_bytes)
		ops->thresh = (ops->dirty_bytes + PAGE_SIZE - 1) / PAGE_SIZE;
	else
		ops->thresh = (unsigned long)((uint64_t)ops->ratio * available / PAGE_SIZE);
	if (ops->bg_bytes)
		ops->bg_thresh_raw = (ops->bg_bytes + PAGE_SIZE - 1) / PAGE_SIZE;
	else
		ops->bg_thresh_raw = (unsigned long)((uint64_t)ops->bg_ratio_pages * available / PAGE_SIZE);
	ops->halved = ops->bg_thresh_raw >= ops->thresh;
	ops->bg_thresh = ops->halved ? ops->thresh / 2 : ops->bg_thresh_raw;
}

void global_dirty_limits(struct machine *m, unsigned long *pbackground, unsigned long *pdirty)
{
	struct dirty_limits_ops ops;

	global_dirty_limits_ops(m, &ops);
	*pbackground = ops.bg_thresh;
	*pdirty = ops.thresh;
}

static unsigned long global_node_state(struct machine *m, enum node_stat_item item)
{
	long x = 0;

	for_each_online_node(m, nid)
		x += m->node_data[nid]->vm_stat[item];
	return x < 0 ? 0 : (unsigned long)x;
}

/* ---- the bdi's share of the dirty threshold ---- */

/* __bdi_set_min_ratio, in whole percents: the sum of every disk's
 * min_ratio stays below 100 */
int bdi_set_min_ratio(struct backing_dev_info *bdi, unsigned long min_ratio)
{
	if (min_ratio >= 100 || min_ratio > bdi->max_ratio)
		return -EINVAL;
	bdi->min_ratio = (unsigned int)min_ratio;
	return 0;
}

/* __bdi_set_max_ratio */
int bdi_set_max_ratio(struct backing_dev_info *bdi, unsigned long max_ratio)
{
	if (max_ratio > 100 || bdi->min_ratio > max_ratio)
		return -EINVAL;
	bdi->max_ratio = (unsigned int)max_ratio;
	return 0;
}

/* bdi_get_bytes: a share of the global dirty threshold, in bytes */
static uint64_t bdi_get_bytes(struct machine *m, unsigned int ratio)
{
	unsigned long bg, thresh;

	global_dirty_limits(m, &bg, &thresh);
	return (uint64_t)thresh * PAGE_SIZE * ratio / 100;
}

uint64_t bdi_get_min_bytes(struct machine *m, const struct backing_dev_info *bdi)
{
	return bdi_get_bytes(m, bdi->min_ratio);
}

uint64_t bdi_get_max_bytes(struct machine *m, const struct backing_dev_info *bdi)
{
	return bdi_get_bytes(m, bdi->max_ratio);
}

/* bdi_ratio_from_pages after bdi_check_pages_limit: -EINVAL or a percent */
static long bdi_ratio_from_bytes(struct machine *m, unsigned long bytes)
{
	unsigned long pages = bytes >> PAGE_SHIFT, bg, thresh;

	if (pages > global_dirtyable_memory(m))
		return -EINVAL;
	global_dirty_limits(m, &bg, &thresh);
	if (!thresh)
		return -EINVAL;
	return (long)((uint64_t)pages * 100 / thresh);
}

/* bdi_set_min_bytes: the bytes as a share of the dirty threshold, then
 * the ratio's own checks */
int bdi_set_min_bytes(struct machine *m, struct backing_dev_info *bdi, unsigned long min_bytes)
{
	long ratio = bdi_ratio_from_bytes(m, min_bytes);

	return ratio < 0 ? (int)ratio : bdi_set_min_ratio(bdi, (unsigned long)ratio);
}

int bdi_set_max_bytes(struct machine *m, struct backing_dev_info *bdi, unsigned long max_bytes)
{
	long ratio = bdi_ratio_from_bytes(m, max_bytes);

	return ratio < 0 ? (int)ratio : bdi_set_max_ratio(bdi, (unsigned long)ratio);
}

/* ---- inodes on the dirty list ---- */

/* __mark_inode_dirty: a clean inode becomes dirty now */
void __mark_inode_dirty(struct machine *m, struct inode *inode)
{
	struct backing_dev_info *bdi = &m->sb->bdi;

	if (inode->on_dirty_list)
		return;
	inode->dirtied_when = m->now_ns;
	inode->on_dirty_list = true;
	g_queue_push_tail(&bdi->b_dirty, inode);
	wb_wakeup_delayed(m);
}

/* The inode has no dirty pages left: off the dirty list */
void inode_clean(struct machine *m, struct inode *inode)
{
	if (!inode->on_dirty_list)
		return;
	g_queue_remove(&m->sb->bdi.b_dirty, inode);
	inode->on_dirty_list = false;
}

/* ---- writeback I/O ---- */

static void end_writeback(struct machine *m, void *arg);

/* page_mkclean: shared mappings of a page being written lose write
 * access, so the next store faults and dirties it again */
static void page_mkclean(struct machine *m, struct address_space *mapping, unsigned long pfn, unsigned long index)
{
	for (guint i = 0; i < mapping->i_mmap->len; i++) {
		struct vm_area_struct *vma = g_ptr_array_index(mapping->i_mmap, i);
		pte_t *ptep;

		if (!(vma->vm_flags & VM_SHARED) || index < vma->vm_pgoff || index >= vma->vm_pgoff + vma_pages(vma))
			continue;
		ptep = pte_lookup(vma->vm_mm, vma->vm_start + ((index - vma->vm_pgoff) << PAGE_SHIFT));
		if (ptep && pte_present(*ptep) && pte_pfn(*ptep) == pfn)
			*ptep &= ~(_PAGE_RW | _PAGE_DIRTY);
	}
	(void)m;
}

static void submit_writeback(struct machine *m, struct inode *inode, unsigned long start, unsigned long end)
{
	struct wb_io *io;

	if (start == end)
		return;
	io = g_new(struct wb_io, 1);
	io->inode = inode;
	io->start = start;
	io->end = end;
	io->done = submit_bio(m, end - start, true);
	g_ptr_array_add(m->sb->wb_inflight, io);
	mod_timer(m, io->done, "end_bio_writeback", end_writeback, io);
}

/* writeback_single_inode / write_cache_pages: up to nr_to_write dirty
 * pages, one request per contiguous run; returns pages submitted */
long writeback_inode(struct machine *m, struct inode *inode, long nr_to_write)
{
	struct address_space *mapping = &inode->i_data;
	unsigned long i = 0, run_start = 0, run_end = 0;
	long written = 0;
	uint64_t e;

	if (inode->kind == INODE_SHMEM || !mapping->nr_dirty)
		return 0;
	while (written < nr_to_write && (e = xa_find(&mapping->i_pages, &i, ULONG_MAX))) {
		unsigned long pfn;
		struct page *page;
		struct zone *zone;

		if (xa_is_value(e) || !page_test((page = pfn_to_page(m, (pfn = xa_to_pfn(e)))), PG_dirty) ||
		    page_test(page, PG_writeback)) {
			i++;
			continue;
		}
		if (i != run_end) {
			submit_writeback(m, inode, run_start, run_end);
			run_start = i;
		}
		run_end = i + 1;
		/* clear_page_dirty_for_io, then folio_start_writeback */
		page_mkclean(m, mapping, pfn, i);
		page_clear(page, PG_dirty);
		page_set(page, PG_writeback);
		zone = pfn_zone(m, pfn);
		__mod_node_page_state(zone->zone_pgdat, NR_FILE_DIRTY, -1);
		__mod_node_page_state(zone->zone_pgdat, NR_WRITEBACK, 1);
		mapping->nr_dirty--;
		mapping->nr_writeback++;
		written++;
		i++;
	}
	submit_writeback(m, inode, run_start, run_end);
	if (!mapping->nr_dirty)
		inode_clean(m, inode);
	return written;
}

/* end_page_writeback for a completed request */
static void end_writeback(struct machine *m, void *arg)
{
	struct wb_io *io = arg;
	struct address_space *mapping = &io->inode->i_data;

	for (unsigned long i = io->start; i < io->end; i++) {
		uint64_t e = xa_load(&mapping->i_pages, i);
		unsigned long pfn;
		struct page *page;
		struct zone *zone;

		if (!e || xa_is_value(e))
			continue;
		page = pfn_to_page(m, (pfn = xa_to_pfn(e)));
		if (!page_test(page, PG_writeback))
			continue;
		page_clear(page, PG_writeback);
		zone = pfn_zone(m, pfn);
		__mod_node_page_state(zone->zone_pgdat, NR_WRITEBACK, -1);
		__mod_zone_page_state(zone, NR_ZONE_WRITE_PENDING, -1);
		__mod_node_page_state(zone->zone_pgdat, NR_WRITTEN, 1);
		mapping->nr_writeback--;
	}
	g_ptr_array_remove_fast(m->sb->wb_inflight, io);  /* frees io */
	machine_debug_check(m, "end_page_writeback");
}

/* The earliest pending writeback completion (0: none) */
uint64_t writeback_next_completion(struct machine *m)
{
	uint64_t next = 0;

	for (guint i = 0; i < m->sb->wb_inflight->len; i++) {
		struct wb_io *io = g_ptr_array_index(m->sb->wb_inflight, i);

		if (!next || io->done < next)
			next = io->done;
	}
	return next;
}

void writeback_destroy(struct machine *m)
{
	g_ptr_array_free(m->sb->wb_inflight, TRUE);
}

/* ---- the flusher ---- */

static bool over_bground_thresh(struct machine *m)
{
	unsigned long bg, thresh;

	global_dirty_limits(m, &bg, &thresh);
	return global_node_state(m, NR_FILE_DIRTY) > bg;
}

/* get_nr_dirty_pages: what a periodic or reclaim-started work writes */
static long get_nr_dirty_pages(struct machine *m)
{
	return (long)(global_node_state(m, NR_FILE_DIRTY) + m->sb->bdi.b_dirty.length);
}

/* writeback_inode for the flusher: the inode goes to the back of b_dirty
 * while it has more to write (requeue_inode) */
static long writeback_requeue(struct machine *m, struct inode *inode, long nr_to_write)
{
	GQueue *q = &m->sb->bdi.b_dirty;
	long written = writeback_inode(m, inode, nr_to_write);

	if (inode->on_dirty_list) {
		g_queue_remove(q, inode);
		g_queue_push_tail(q, inode);
	}
	return written;
}

/* wb_writeback: oldest inodes first; for_kupdate only those dirtied
 * before the expire interval, for_background until under the background
 * threshold, else (reclaim's) a pass over every dirty inode.  One
 * writeback_start/written pair per work */
static void wb_writeback(struct machine *m, struct wb_writeback_work *work)
{
	const char *bdi = m->sb->bdi.dev_name;
	GQueue *q = &m->sb->bdi.b_dirty;
	uint64_t expire = (uint64_t)m->sysctl.dirty_expire_centisecs * (NSEC_PER_SEC / 100);
	guint passes = work->reason == WB_REASON_VMSCAN ? q->length : q->length * 64 + 1;

	trace_writeback_start(m, bdi, work);
	while (!g_queue_is_empty(q) && passes-- && work->nr_pages > 0) {
		struct inode *inode = g_queue_peek_head(q);

		if (work->for_kupdate) {
			if (inode->dirtied_when + expire > m->now_ns)
				break;
			work->nr_pages -= writeback_requeue(m, inode, LONG_MAX);
		} else {
			if (work->for_background && !over_bground_thresh(m))
				break;
			work->nr_pages -= writeback_requeue(m, inode, MAX_WRITEBACK_PAGES);
		}
	}
	trace_writeback_written(m, bdi, work);
}

/* wb_check_background_flush: a work only while over the background threshold */
static void wb_check_background_flush(struct machine *m)
{
	struct wb_writeback_work work = { .nr_pages = LONG_MAX, .for_background = true,
					  .reason = WB_REASON_BACKGROUND };

	if (over_bground_thresh(m))
		wb_writeback(m, &work);
}

/* wb_check_old_data_flush: the periodic (kupdate) work */
static void wb_check_old_data_flush(struct machine *m)
{
	struct wb_writeback_work work = { .nr_pages = get_nr_dirty_pages(m), .for_kupdate = true,
					  .reason = WB_REASON_PERIODIC };

	if (work.nr_pages)
		wb_writeback(m, &work);
}

static void wb_workfn(struct machine *m, void *arg)
{
	struct backing_dev_info *bdi = &m->sb->bdi;

	(void)arg;
	bdi->flusher_armed = false;
	bdi->background_queued = false;
	wb_check_background_flush(m);
	wb_check_old_data_flush(m);
	m->nr_context_switches += 2;
	if (!g_queue_is_empty(&bdi->b_dirty))
		wb_wakeup_delayed(m);
	machine_debug_check(m, "wb_workfn");
}

/* wb_wakeup_delayed: the periodic flush, dirty_writeback_centisecs away */
void wb_wakeup_delayed(struct machine *m)
{
	struct backing_dev_info *bdi = &m->sb->bdi;

	if (bdi->flusher_armed || !m->sysctl.dirty_writeback_centisecs)
		return;
	bdi->flusher_armed = true;
	mod_timer(m, m->now_ns + (uint64_t)m->sysctl.dirty_writeback_centisecs * (NSEC_PER_SEC / 100), "wb_workfn",
		  wb_workfn, NULL);
}

/* wb_start_background_writeback: the flusher runs now */
static void wb_start_background_writeback(struct machine *m)
{
	struct backing_dev_info *bdi = &m->sb->bdi;

	if (bdi->background_queued)
		return;
	bdi->background_queued = true;
	wb_check_background_flush(m);
	bdi->background_queued = false;
}

void wb_writeback_interval_changed(struct machine *m)
{
	if (m->sysctl.dirty_writeback_centisecs && !g_queue_is_empty(&m->sb->bdi.b_dirty))
		wb_wakeup_delayed(m);
}

/* wakeup_flusher_threads (WB_REASON_VMSCAN): reclaim found dirty pages
 * at the tail of the LRU; the flusher writes back what is dirty, up to
 * MAX_WRITEBACK_PAGES of each inode */
void wakeup_flusher_threads(struct machine *m)
{
	struct wb_writeback_work work = { .nr_pages = get_nr_dirty_pages(m), .reason = WB_REASON_VMSCAN };

	if (!g_queue_is_empty(&m->sb->bdi.b_dirty))
		wb_writeback(m, &work);
}

/* ---- throttling ---- */

/* pos_ratio of wb_position_ratio, the global part */
static double pos_ratio(unsigned long dirty, unsigned long freerun, unsigned long limit)
{
	double setpoint = ((double)freerun + (double)limit) / 2.0;
	double x;

	if (limit <= setpoint + 1)
		return dirty < limit ? 1.0 : 0.0;
	x = (setpoint - (double)dirty) / ((double)limit - setpoint + 1);
	x = 1.0 + x * x * x;
	return x < 0 ? 0 : x > 2.0 ? 2.0 : x;
}

/* balance_dirty_pages's tracepoint, its fields computed as the kernel's
 * TP_fast_assign does (the hard limit is the threshold: one domain) */
static void trace_dirty_throttle(struct machine *m, struct task_struct *t, unsigned long thresh,
				 unsigned long freerun, unsigned long dirty, double ratio, unsigned long dirtied,
				 uint64_t start_time, uint64_t period, uint64_t pause)
{
	unsigned long kbps = (unsigned long)(m->sb->bdi.write_bandwidth / 1024);
	struct dirty_throttle_trace d = {
		.limit = thresh, .setpoint = (thresh + freerun) / 2, .thresh = thresh, .dirty = dirty,
		.dirty_ratelimit = kbps, .task_ratelimit = (unsigned long)((double)kbps * ratio),
		.dirtied = (unsigned int)dirtied, .dirtied_pause = t->nr_dirtied_pause,
		.paused_ms = (unsigned long)((m->now_ns - start_time) / NSEC_PER_MSEC),
		.pause_ms = (long)(pause / NSEC_PER_MSEC), .period_ms = (unsigned long)(period / NSEC_PER_MSEC),
		.think_ms = t->dirty_paused_when ? (long)((m->now_ns - t->dirty_paused_when) / NSEC_PER_MSEC) : 0,
	};

	trace_balance_dirty_pages(m, m->sb->bdi.dev_name, &d);
}

static void balance_dirty_pages(struct machine *m, struct task_struct *t, unsigned long pages_dirtied)
{
	struct backing_dev_info *bdi = &m->sb->bdi;
	double bw_pages = (double)bdi->write_bandwidth / PAGE_SIZE;
	uint64_t start_time = m->now_ns;

	for (;;) {
		unsigned long bg, thresh, freerun;
		unsigned long nr_reclaimable = global_node_state(m, NR_FILE_DIRTY);
		unsigned long dirty = nr_reclaimable + global_node_state(m, NR_WRITEBACK);
		uint64_t pause, period;
		double ratio;

		global_dirty_limits(m, &bg, &thresh);
		freerun = (bg + thresh) / 2;
		if (nr_reclaimable > bg)
			wb_start_background_writeback(m);
		if (dirty <= freerun) {
			t->nr_dirtied_pause = (unsigned int)MAX(DIRTY_POLL_MIN,
								 (freerun - dirty) / 8 + 1);
			return;
		}
		ratio = pos_ratio(dirty, freerun, thresh);
		if (dirty >= thresh || ratio <= 0.0) {
			period = pause = MAX_PAUSE_NS;
		} else {
			period = (uint64_t)((double)pages_dirtied / (bw_pages * ratio) * (double)NSEC_PER_SEC);
			pause = MIN(period, MAX_PAUSE_NS);
		}
		trace_dirty_throttle(m, t, thresh, freerun, dirty, ratio, pages_dirtied, start_time, period, pause);
		t->nr_dirtied_pause = DIRTY_POLL_MIN * 2;
		/* io_schedule_timeout: the writer sleeps, its CPU in iowait */
		bdi->dirty_exceeded_ns += pause;
		io_schedule_until(m, t, m->now_ns + pause);
		t->dirty_paused_when = m->now_ns;
		if (fatal_signal_pending(t) || dirty < thresh)
			return;
		pages_dirtied = 0;
	}
}

/* balance_dirty_pages_ratelimited: every nr_dirtied_pause pages */
void balance_dirty_pages_ratelimited(struct machine *m, struct task_struct *t, struct address_space *mapping)
{
	if (mapping->host->kind == INODE_SHMEM)
		return;
	if (!t->nr_dirtied_pause)
		t->nr_dirtied_pause = 32;
	if (++t->nr_dirtied < t->nr_dirtied_pause)
		return;
	balance_dirty_pages(m, t, t->nr_dirtied);
	t->nr_dirtied = 0;
}
