/*
 * mm/readahead.c: on-demand readahead, as Linux 6.x does it.
 *
 * Models: page_cache_sync_ra (start of file, sequential miss, oversized
 * read: a new window of get_init_ra_size; otherwise the page-cache history
 * decides between a small random read, read as is, and a sequential stream
 * whose window is the history's length), page_cache_async_ra (hitting the
 * PG_readahead mark of the expected window pushes it forward with
 * get_next_ra_size; a mark hit out of order sizes the window from the
 * cached pages after it), ractl_max_pages (a request bigger than the window
 * may go up to the device's io_pages), the window and its async tail kept
 * per open file (struct file_ra_state).
 * Simplifies: order-0 pages only (page_cache_ra_order falls back to
 * do_page_cache_ra); no blk-cgroup congestion; no FMODE_RANDOM (fadvise).
 */
#include "mm_internal.h"
#include "mmsim/log2.h"
#include "mm_internal_proc.h"
#include "mmsim/pagemap.h"

/* get_init_ra_size: the first window of a sequential stream */
unsigned long get_init_ra_size(unsigned long size, unsigned long max)
{
	unsigned long newsize = roundup_pow_of_two(size);

	if (newsize <= max / 32)
		newsize = newsize * 4;
	else if (newsize <= max / 4)
		newsize = newsize * 2;
	else
		newsize = max;
	return newsize;
}

/* get_next_ra_size: ramp up quickly (x4 while small, then x2), cap at max */
static unsigned long get_next_ra_size(const struct file_ra_state *ra, unsigned long max)
{
	unsigned long cur = ra->size;

	if (cur < max / 16)
		return 4 * cur;
	if (cur <= max / 2)
		return 2 * cur;
	return max;
}

static unsigned long ractl_max_pages(struct machine *m, const struct file_ra_state *ra, unsigned long req_size)
{
	unsigned long max_pages = ra->ra_pages;
	unsigned long io_pages = m->sb->bdi.io_pages;

	if (req_size > max_pages && io_pages > max_pages)
		max_pages = MIN(req_size, io_pages);
	return max_pages;
}

static bool cached(struct address_space *mapping, unsigned long index)
{
	uint64_t e = xa_load(&mapping->i_pages, index);

	return e && !xa_is_value(e);
}

/* page_cache_prev_miss: the first index at or below index, going down at
 * most max_scan pages, that is not cached (ULONG_MAX past index 0) */
static unsigned long page_cache_prev_miss(struct address_space *mapping, unsigned long index,
					  unsigned long max_scan)
{
	while (max_scan--) {
		if (!cached(mapping, index))
			break;
		if (index-- == 0)
			return ULONG_MAX;
	}
	return index;
}

/* page_cache_next_miss: the first index at or above index not cached */
static unsigned long page_cache_next_miss(struct address_space *mapping, unsigned long index,
					  unsigned long max_scan)
{
	while (max_scan--) {
		if (!cached(mapping, index))
			break;
		index++;
		if (!index)
			return 0;
	}
	return index;
}

void page_cache_sync_ra(struct machine *m, struct task_struct *t, struct file *file, unsigned long index,
			unsigned long req_count)
{
	struct file_ra_state *ra = &file->f_ra;
	struct address_space *mapping = &file->f_inode->i_data;
	unsigned long max_pages, contig_count, prev_index, miss;

	ra->last = (struct ra_decision){ .reason = RA_OFF, .index = index, .req_count = req_count };
	if (!ra->ra_pages) {
		/* no readahead: just the page asked for (force_page_cache_ra) */
		do_page_cache_ra(m, t, file, index, 1, 0);
		return;
	}
	max_pages = ractl_max_pages(m, ra, req_count);
	prev_index = ra->prev_pos < 0 ? ULONG_MAX >> PAGE_SHIFT : (unsigned long)ra->prev_pos >> PAGE_SHIFT;
	ra->last.max_pages = max_pages;
	ra->last.prev_index = prev_index;
	/* start of file, oversized read, or a sequential cache miss */
	if (!index || req_count > max_pages || index - prev_index <= 1UL) {
		ra->last.reason = RA_INITIAL;
		ra->start = index;
		ra->size = (unsigned int)get_init_ra_size(req_count, max_pages);
		ra->async_size = ra->size > req_count ? (unsigned int)(ra->size - req_count) : ra->size;
		goto readit;
	}
	/* the traces a sequential stream leaves in the page cache */
	miss = page_cache_prev_miss(mapping, index - 1, max_pages);
	contig_count = index - miss - 1;
	ra->last.contig = contig_count;
	if (contig_count <= req_count) {
		/* a standalone small random read: read as is */
		ra->last.reason = RA_RANDOM;
		do_page_cache_ra(m, t, file, index, req_count, 0);
		return;
	}
	/* cached from the beginning: a long-run stream */
	if (miss == ULONG_MAX)
		contig_count *= 2;
	ra->last.reason = RA_CONTEXT;
	ra->start = index;
	ra->size = (unsigned int)MIN(contig_count + req_count, max_pages);
	ra->async_size = 1;
readit:
	do_page_cache_ra(m, t, file, ra->start, ra->size, ra->async_size);
}

void page_cache_async_ra(struct machine *m, struct task_struct *t, struct file *file, unsigned long pfn,
			 unsigned long index, unsigned long req_count)
{
	struct file_ra_state *ra = &file->f_ra;
	struct address_space *mapping = &file->f_inode->i_data;
	struct page *page = pfn_to_page(m, pfn);
	unsigned long max_pages, start;

	if (!ra->ra_pages)
		return;
	if (page_test(page, PG_writeback))
		return;
	page_clear(page, PG_readahead);
	max_pages = ractl_max_pages(m, ra, req_count);
	ra->last = (struct ra_decision){ .reason = RA_ASYNC, .index = index, .req_count = req_count,
					 .max_pages = max_pages, .old_size = ra->size };
	/* the expected mark: sequential, push the window forward */
	if (index == ra->start + ra->size - ra->async_size) {
		ra->start += ra->size;
		ra->size = (unsigned int)get_next_ra_size(ra, max_pages);
		ra->async_size = ra->size;
		goto readit;
	}
	/* a mark without valid state (interleaved reads): size the window
	 * from what is cached after it */
	start = page_cache_next_miss(mapping, index + 1, max_pages);
	if (!start || start - index > max_pages)
		return;
	ra->last.reason = RA_ASYNC_CACHED;
	ra->last.contig = start;
	ra->start = start;
	ra->size = (unsigned int)(start - index);
	ra->size += (unsigned int)req_count;
	ra->size = (unsigned int)get_next_ra_size(ra, max_pages);
	ra->async_size = ra->size;
readit:
	do_page_cache_ra(m, t, file, ra->start, ra->size, ra->async_size);
}

int bdi_set_read_ahead_kb(struct machine *m, unsigned long kb)
{
	if (kb > (1UL << 30))
		return -22;
	m->sb->bdi.ra_pages = (unsigned int)(kb / (PAGE_SIZE / 1024));
	return 0;
}
