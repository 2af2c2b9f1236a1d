/*
 * mm/filemap.c: the page cache proper.
 *
 * Models:
 * - per file an address_space whose xarray indexes the cached pages
 * - filemap_add_folio / __filemap_remove_folio with the counters, the
 *   LRU, and workingset shadows left by reclaim (refaults)
 * - filemap_read: sync and async readahead, waits for pages still
 *   being read (the reader in D state, iowait, PSI io)
 * - generic_perform_write: a partial page not cached is read first,
 *   every page dirtied, then balance_dirty_pages
 * - fsync: write back everything dirty and wait for it
 * - filemap_fault with do_fault_around and mmap read-around
 * Simplifies:
 * - file contents are synthetic (no data, only pages)
 * - no block size below a page, no buffer heads (Buffers is 0)
 * - no large folios
 * - a page is uptodate once its read's completion time has passed:
 *   extents in mapping->inflight stand in for PG_locked/PG_uptodate
 */
#include <errno.h>
#include <string.h>

#include "fs_internal.h"
#include "mm_internal.h"
#include "mm_internal_proc.h"
#include "mmsim/pagemap.h"
#include "mmsim/slab.h"
#include "lru_gen.h"
#include "mmsim/trace_events.h"

/* ---------------------------------------------------------------- the cache */

long page_cache_alloc(struct machine *m, struct task_struct *t)
{
	return mem_cgroup_charge_new(m, alloc_pages_task(m, GFP_HIGHUSER_MOVABLE, 0, t), 0, mem_cgroup_from_task(m, t), GFP_HIGHUSER_MOVABLE);
}

/* filemap_add_folio: into the index, the counters and the LRU */
void filemap_add_folio(struct machine *m, struct address_space *mapping, unsigned long pfn,
		       unsigned long index)
{
	struct page *page = pfn_to_page(m, pfn);
	pg_data_t *pgdat = pfn_zone(m, pfn)->zone_pgdat;
	uint64_t old;

	page->private = (uint64_t)(uintptr_t)mapping;
	page->index = index;
	page->_mapcount = -1;
	page->flags &= ~((1u << PG_referenced) | (1u << PG_active) | (1u << PG_dirty) | (1u << PG_readahead) |
			 (1u << PG_workingset));
	if (mapping_is_shmem(mapping)) {
		page_set(page, PG_swapbacked);
		__mod_node_page_state(pgdat, NR_SHMEM, 1);
		set_page_content(m, pfn, CONTENT_ZERO);
	} else {
		set_page_content(m, pfn, file_page_content(mapping->host->i_ino, index));
	}
	old = xa_store(&mapping->i_pages, index, xa_mk_page(pfn));
	mapping->nrpages++;
	__mod_node_page_state(pgdat, NR_FILE_PAGES, 1);
	trace_mm_filemap_add_to_page_cache(m, pfn, mapping->host->i_ino, index, mapping->host->dev_major << 20 | mapping->host->dev_minor, 0);
	if (old && xa_is_value(old)) {
		/* a refault: the shadow says whether it was recently evicted */
		mapping->nrshadows--;
		workingset_refault(m, pfn, old);
		/* active when workingset_refault says so; MGLRU: when a fault
		 * brings it in */
		if (lru_gen_enabled(m))
			folio_add_lru(m, pfn);
		else
			lruvec_add_folio(m, pfn);
		return;
	}
	folio_add_lru(m, pfn);
}

/* Dirty accounting (folio_account_dirtied / folio_account_cleaned) */
static void account_dirty(struct machine *m, struct address_space *mapping, unsigned long pfn, int delta)
{
	struct zone *zone = pfn_zone(m, pfn);

	__mod_node_page_state(zone->zone_pgdat, NR_FILE_DIRTY, delta);
	__mod_zone_page_state(zone, NR_ZONE_WRITE_PENDING, delta);
	mapping->nr_dirty += (unsigned long)(long)delta;
}

/* __filemap_remove_folio + free: the page must be unmapped; reclaim
 * leaves a workingset shadow in its slot */
void filemap_remove_folio_shadow(struct machine *m, unsigned long pfn, uint64_t shadow)
{
	struct page *page = pfn_to_page(m, pfn);
	struct address_space *mapping = (struct address_space *)(uintptr_t)page->private;
	pg_data_t *pgdat = pfn_zone(m, pfn)->zone_pgdat;

	trace_mm_filemap_delete_from_page_cache(m, pfn, mapping->host->i_ino, page->index, mapping->host->dev_major << 20 | mapping->host->dev_minor, 0);
	if (page_test(page, PG_dirty)) {
		/* truncation of a dirty page: cancel_dirty_page */
		account_dirty(m, mapping, pfn, -1);
		if (m->current)
			m->current->ioac_cancelled_write_bytes += PAGE_SIZE;
		page_clear(page, PG_dirty);
	}
	if (shadow) {
		xa_store(&mapping->i_pages, (unsigned long)page->index, shadow);
		mapping->nrshadows++;
	} else {
		xa_erase(&mapping->i_pages, (unsigned long)page->index);
	}
	mapping->nrpages--;
	__mod_node_page_state(pgdat, NR_FILE_PAGES, -1);
	if (mapping_is_shmem(mapping))
		__mod_node_page_state(pgdat, NR_SHMEM, -1);
	lruvec_del_folio(m, pfn);
	page->flags &= ~((1u << PG_swapbacked) | (1u << PG_referenced) | (1u << PG_active) |
			 (1u << PG_readahead) | (1u << PG_dirty) | (1u << PG_writeback) | (1u << PG_workingset));
	page->private = 0;
	page->index = 0;
	page->_mapcount = -1;
	__free_pages(m, pfn, 0, 0);
}

long filemap_get_pfn(struct address_space *mapping, unsigned long index)
{
	uint64_t e = xa_load(&mapping->i_pages, index);

	return e && !xa_is_value(e) ? (long)xa_to_pfn(e) : -1;
}

/* ---------------------------------------------------------------- reads in flight */

static void retire_reads(struct machine *m, struct address_space *mapping)
{
	GArray *a = mapping->inflight;

	for (guint i = 0; i < a->len;) {
		if (g_array_index(a, struct read_io, i).done <= m->now_ns)
			g_array_remove_index_fast(a, i);
		else
			i++;
	}
}

uint64_t page_ready_at(struct machine *m, struct address_space *mapping, unsigned long index)
{
	GArray *a = mapping->inflight;

	if (!a->len)
		return 0;
	if (mapping->inflight_until <= m->now_ns) {
		g_array_set_size(a, 0);
		return 0;
	}
	retire_reads(m, mapping);
	for (guint i = 0; i < a->len; i++) {
		struct read_io *r = &g_array_index(a, struct read_io, i);

		if (index >= r->start && index < r->end)
			return r->done;
	}
	return 0;
}

/* Is a read of this page-cache page still in flight (PG_locked)? */
bool folio_read_in_flight(struct machine *m, unsigned long pfn)
{
	struct page *page = pfn_to_page(m, pfn);
	struct address_space *mapping = (struct address_space *)(uintptr_t)page->private;

	return mapping && page_ready_at(m, mapping, (unsigned long)page->index) > m->now_ns;
}

/* folio_wait_locked for a page being read; true when the task slept */
static bool wait_on_page_read(struct machine *m, struct task_struct *t, struct address_space *mapping,
			      unsigned long index)
{
	uint64_t done = page_ready_at(m, mapping, index);

	if (!done || done <= m->now_ns)
		return false;
	io_schedule_until(m, t, done);
	return true;
}

/* read_pages: one request for [start, start + nr) (shmem needs none) */
static void read_pages(struct machine *m, struct address_space *mapping, unsigned long start, unsigned long nr)
{
	struct read_io r;

	if (!nr || mapping_is_shmem(mapping))
		return;
	r.start = start;
	r.end = start + nr;
	r.done = submit_bio(m, nr, false);
	g_array_append_val(mapping->inflight, r);
	mapping->inflight_until = MAX(mapping->inflight_until, r.done);
}

/*
 * page_cache_ra_unbounded: add the missing pages of [index, index + nr) to
 * the cache and read them, one request per contiguous run; the page at
 * nr - lookahead gets the PG_readahead mark.  Returns pages added.
 */
unsigned long page_cache_ra_unbounded(struct machine *m, struct task_struct *t, struct address_space *mapping,
				      unsigned long index, unsigned long nr, unsigned long lookahead)
{
	unsigned long run_start = index, run = 0, added = 0;
	unsigned long mark = index + nr - lookahead;

	for (unsigned long i = index; i < index + nr; i++) {
		long pfn;

		if (filemap_get_pfn(mapping, i) >= 0) {
			read_pages(m, mapping, run_start, run);
			run = 0;
			run_start = i + 1;
			continue;
		}
		pfn = page_cache_alloc(m, t);
		if (pfn < 0)
			break;
		filemap_add_folio(m, mapping, (unsigned long)pfn, i);
		if (lookahead && i == mark)
			page_set(pfn_to_page(m, (unsigned long)pfn), PG_readahead);
		run++;
		added++;
	}
	read_pages(m, mapping, run_start, run);
	return added;
}

/* Pages of the file: the index past the last byte */
static inline unsigned long i_size_pages(const struct inode *inode)
{
	return (unsigned long)((inode->i_size + PAGE_SIZE - 1) >> PAGE_SHIFT);
}

/* do_page_cache_ra: clamped to the end of the file */
void do_page_cache_ra(struct machine *m, struct task_struct *t, struct file *file, unsigned long index,
		      unsigned long nr, unsigned long lookahead)
{
	struct inode *inode = file->f_inode;
	unsigned long end_index;

	if (!inode->i_size)
		return;
	end_index = (unsigned long)((inode->i_size - 1) >> PAGE_SHIFT);
	if (index > end_index)
		return;
	if (nr > end_index - index)
		nr = end_index - index + 1;
	page_cache_ra_unbounded(m, t, &inode->i_data, index, nr, lookahead);
}

/* filemap_fdatawait: until none of the mapping's pages is under
 * writeback; t (or nobody, for sim/ctl) sleeps meanwhile */
void filemap_fdatawait(struct machine *m, struct task_struct *t, struct address_space *mapping)
{
	while (mapping->nr_writeback) {
		uint64_t next = writeback_next_completion(m);

		if (!next)
			break;
		io_schedule_until(m, t, next);
	}
}

/* ---------------------------------------------------------------- read */

/* The file and the byte range of a pread/pwrite (rw_verify_area) */
static int rw_verify_area(struct machine *m, const char *path, uint64_t off, uint64_t len, struct inode **inode)
{
	int err = sim_lookup(m, path, inode);

	if (err)
		return err;
	if ((int64_t)off < 0 || (int64_t)len < 0 || off + len < off)
		return -EINVAL;
	return 0;
}

static long do_pread(struct machine *m, struct task_struct *t, const char *path, uint64_t off, uint64_t len)
{
	struct inode *inode;
	struct file *f;
	struct address_space *mapping;
	unsigned long index, last_index;
	uint64_t end;
	int err;

	if ((err = rw_verify_area(m, path, off, len, &inode)))
		return err;
	t->ioac_syscr++;  /* inc_syscr: every read that got past the checks */
	f = task_file(m, t, inode);
	if (off >= inode->i_size || !len)
		return 0;
	end = MIN(off + len, inode->i_size);
	mapping = &inode->i_data;
	index = (unsigned long)(off >> PAGE_SHIFT);
	last_index = (unsigned long)((end + PAGE_SIZE - 1) >> PAGE_SHIFT);
	while (index < last_index) {
		long pfn = filemap_get_pfn(mapping, index);
		struct page *page;

		if (pfn < 0) {
			if (mapping_is_shmem(mapping)) {
				/* a hole of tmpfs reads as the zero page */
				index++;
				continue;
			}
			page_cache_sync_ra(m, t, f, index, last_index - index);
			pfn = filemap_get_pfn(mapping, index);
			if (pfn < 0) {
				/* no readahead (ra_pages 0) or no memory: one page */
				page_cache_ra_unbounded(m, t, mapping, index, 1, 0);
				if ((pfn = filemap_get_pfn(mapping, index)) < 0) {
					return -ENOMEM;
				}
			}
		}
		page = pfn_to_page(m, (unsigned long)pfn);
		if (page_test(page, PG_readahead))
			page_cache_async_ra(m, t, f, (unsigned long)pfn, index, last_index - index);
		if (wait_on_page_read(m, t, mapping, index) && fatal_signal_pending(t))
			return -EINTR;
		folio_mark_accessed(m, (unsigned long)pfn);
		account_system_time(m, t, READ_COPY_COST_NS);
		cond_resched(m);
		index++;
	}
	f->f_ra.prev_pos = (int64_t)end;
	t->ioac_rchar += end - off;
	machine_debug_check(m, "pread");
	return (long)(end - off);
}

/* ---------------------------------------------------------------- write */

/* folio_mark_dirty: the page, its inode, the counters (shmem pages are
 * never counted dirty: nothing writes them back) */
void folio_mark_dirty(struct machine *m, unsigned long pfn)
{
	struct page *page = pfn_to_page(m, pfn);
	struct address_space *mapping = (struct address_space *)(uintptr_t)page->private;

	if (page_test(page, PG_dirty))
		return;
	page_set(page, PG_dirty);
	if (mapping_is_shmem(mapping))
		return;
	account_dirty(m, mapping, pfn, 1);
	trace_writeback_dirty_folio(m, m->sb->bdi.dev_name, mapping->host->i_ino, page->index);
	__mod_node_page_state(pfn_zone(m, pfn)->zone_pgdat, NR_DIRTIED, 1);
	if (m->current)
		m->current->ioac_write_bytes += PAGE_SIZE;  /* task_io_account_write */
	__mark_inode_dirty(m, mapping->host);
}

static long do_pwrite(struct machine *m, struct task_struct *t, const char *path, uint64_t off, uint64_t len)
{
	struct inode *inode;
	struct address_space *mapping;
	unsigned long index, last_index;
	uint64_t end;
	int err;

	if ((err = rw_verify_area(m, path, off, len, &inode)))
		return err;
	if (off + len > SIM_MAX_FILE_SIZE)
		return -EFBIG;
	t->ioac_syscw++;
	task_file(m, t, inode);
	if (!len)
		return 0;
	end = off + len;
	mapping = &inode->i_data;
	index = (unsigned long)(off >> PAGE_SHIFT);
	last_index = (unsigned long)((end + PAGE_SIZE - 1) >> PAGE_SHIFT);
	for (; index < last_index; index++) {
		long pfn = filemap_get_pfn(mapping, index);
		uint64_t pstart = (uint64_t)index << PAGE_SHIFT;
		bool partial = off > pstart || end < pstart + PAGE_SIZE;

		if (pfn < 0) {
			pfn = page_cache_alloc(m, t);
			if (pfn < 0)
				break;
			filemap_add_folio(m, mapping, (unsigned long)pfn, index);
			/* write_begin: a partly written page that has data on disk
			 * is read first */
			if (partial && pstart < inode->i_size && !mapping_is_shmem(mapping)) {
				read_pages(m, mapping, index, 1);
				if (wait_on_page_read(m, t, mapping, index) && fatal_signal_pending(t))
					return -EINTR;
			}
		} else {
			/* a page under writeback is written again at once: the
			 * disk does not need stable pages */
			wait_on_page_read(m, t, mapping, index);
		}
		folio_mark_dirty(m, (unsigned long)pfn);
		account_system_time(m, t, READ_COPY_COST_NS);
		if (inode->i_size < MIN(end, pstart + PAGE_SIZE))
			inode->i_size = MIN(end, pstart + PAGE_SIZE);
		balance_dirty_pages_ratelimited(m, t, mapping);
		cond_resched(m);
		if (fatal_signal_pending(t))
			return -EINTR;
	}
	if (index < last_index && (uint64_t)index << PAGE_SHIFT <= off)
		return -ENOMEM;
	end = MIN(end, (uint64_t)index << PAGE_SHIFT);
	t->ioac_wchar += end - off;
	machine_debug_check(m, "pwrite");
	return (long)(end - off);
}

static long do_fsync(struct machine *m, struct task_struct *t, const char *path)
{
	struct inode *inode;
	int err;
	long written;

	if ((err = sim_lookup(m, path, &inode)))
		return err;
	task_file(m, t, inode);
	/* file_write_and_wait_range: write everything dirty, wait for it all */
	written = writeback_inode(m, inode, LONG_MAX);
	filemap_fdatawait(m, t, &inode->i_data);
	machine_debug_check(m, "fsync");
	return written * (long)PAGE_SIZE;
}

/* The system calls: m->current is the caller while they run; an OOM kill
 * of it takes effect on return (syscall_exit_oom) */
long sys_pread(struct machine *m, struct task_struct *t, const char *path, uint64_t off, uint64_t len)
{
	struct task_struct *prev;
	int pid = t->pid;

	if (!t->mm)
		return -EINVAL;
	prev = syscall_enter(m, t);
	return syscall_exit_oom(m, pid, prev, do_pread(m, t, path, off, len));
}

long sys_pwrite(struct machine *m, struct task_struct *t, const char *path, uint64_t off, uint64_t len)
{
	struct task_struct *prev;
	int pid = t->pid;

	if (!t->mm)
		return -EINVAL;
	prev = syscall_enter(m, t);
	return syscall_exit_oom(m, pid, prev, do_pwrite(m, t, path, off, len));
}

long sys_fsync(struct machine *m, struct task_struct *t, const char *path)
{
	struct task_struct *prev;
	int pid = t->pid;

	if (!t->mm)
		return -EINVAL;
	prev = syscall_enter(m, t);
	return syscall_exit_oom(m, pid, prev, do_fsync(m, t, path));
}

/* ---------------------------------------------------------------- faults */

/* filemap_map_pages: map the cached, uptodate pages of [from, to) (the
 * fault-around window) that are not mapped yet; true when addr itself got
 * mapped.  Not for shmem: its faults take one page at a time here. */
bool filemap_map_pages(struct machine *m, struct task_struct *t, struct vm_area_struct *vma, unsigned long from,
		       unsigned long to, unsigned long addr)
{
	struct address_space *mapping = &vma->vm_file->f_inode->i_data;
	unsigned long eof = i_size_pages(vma->vm_file->f_inode);
	struct file_ra_state *ra = &vma->vm_file->f_ra;
	unsigned long mapped = 0;
	bool hit = false;

	if (mapping_is_shmem(mapping))
		return false;
	for (unsigned long a = from; a < to; a += PAGE_SIZE) {
		unsigned long index = linear_page_index(vma, a);
		long pfn;

		if (index >= eof)
			break;
		pfn = filemap_get_pfn(mapping, index);
		/* next_uptodate_folio: not while being read, and not a
		 * readahead mark (its own fault starts the next window) */
		if (pfn < 0 || page_ready_at(m, mapping, index) ||
		    page_test(pfn_to_page(m, (unsigned long)pfn), PG_readahead))
			continue;
		if (set_pte_file(m, t, vma, a, (unsigned long)pfn, false) == 0) {
			mapped++;
			if (a == (addr & PAGE_MASK))
				hit = true;
		}
	}
	/* pages found in the cache count against mmap_miss */
	ra->mmap_miss -= (unsigned int)MIN(mapped, ra->mmap_miss);
	return hit;
}

/* do_sync_mmap_readahead: read-around (or sequential for MADV_SEQUENTIAL) */
static void do_sync_mmap_readahead(struct machine *m, struct task_struct *t, struct vm_area_struct *vma,
				   unsigned long index)
{
	struct file *f = vma->vm_file;
	struct file_ra_state *ra = &f->f_ra;

	if ((vma->vm_flags & VM_RAND_READ) || !ra->ra_pages)
		return;
	if (vma->vm_flags & VM_SEQ_READ) {
		page_cache_sync_ra(m, t, f, index, ra->ra_pages);
		return;
	}
	if (ra->mmap_miss < MMAP_LOTSAMISS * 10)
		ra->mmap_miss++;
	if (ra->mmap_miss > MMAP_LOTSAMISS)
		return;
	ra->last = (struct ra_decision){ .reason = RA_MMAP_AROUND, .index = index, .max_pages = ra->ra_pages };
	ra->start = index > ra->ra_pages / 2 ? index - ra->ra_pages / 2 : 0;
	ra->size = ra->ra_pages;
	ra->async_size = ra->ra_pages / 4;
	do_page_cache_ra(m, t, f, ra->start, ra->size, ra->async_size);
}

/* do_async_mmap_readahead */
static void do_async_mmap_readahead(struct machine *m, struct task_struct *t, struct vm_area_struct *vma,
				    unsigned long pfn, unsigned long index)
{
	struct file_ra_state *ra = &vma->vm_file->f_ra;

	if ((vma->vm_flags & VM_RAND_READ) || !ra->ra_pages)
		return;
	if (ra->mmap_miss)
		ra->mmap_miss--;
	if (page_test(pfn_to_page(m, pfn), PG_readahead))
		page_cache_async_ra(m, t, vma->vm_file, pfn, index, ra->ra_pages);
}

/*
 * filemap_fault: the page of a file mapping at addr, read in if needed
 * (a major fault).  Returns the pfn, -EFAULT past the end of the file
 * (SIGBUS) or -ENOMEM; *major tells whether the disk was read.
 */
long filemap_fault(struct machine *m, struct task_struct *t, struct vm_area_struct *vma, unsigned long addr,
		   bool *major)
{
	struct inode *inode = vma->vm_file->f_inode;
	struct address_space *mapping = &inode->i_data;
	unsigned long index = linear_page_index(vma, addr);
	long pfn;

	*major = false;
	if (index >= i_size_pages(inode))
		return -EFAULT;
	pfn = filemap_get_pfn(mapping, index);
	if (pfn >= 0) {
		do_async_mmap_readahead(m, t, vma, (unsigned long)pfn, index);
	} else if (mapping_is_shmem(mapping)) {
		if ((pfn = shmem_fault(m, t, mapping, index)) < 0)
			return pfn;
	} else {
		*major = true;
		count_vm_event(m, PGMAJFAULT);
		t->maj_flt++;
		do_sync_mmap_readahead(m, t, vma, index);
		pfn = filemap_get_pfn(mapping, index);
		if (pfn < 0) {
			page_cache_ra_unbounded(m, t, mapping, index, 1, 0);
			if ((pfn = filemap_get_pfn(mapping, index)) < 0)
				return -ENOMEM;
		}
	}
	if (wait_on_page_read(m, t, mapping, index) && fatal_signal_pending(t))
		return -EINTR;
	return pfn;
}
