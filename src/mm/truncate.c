/*
 * mm/truncate.c: taking pages out of a file's page cache.
 *
 * Models:
 * - truncate_inode_pages_range from an index to the end of the file
 * - unmap_mapping_range first: the ptes of the pages, and the private
 *   COW copies of them, are zapped
 * - truncation waits for writeback, cancels dirty pages, drops shadows
 * - invalidate_mapping_pages (drop_caches): only clean, unmapped pages
 *   not under writeback, not mlocked and not being read
 * Simplifies:
 * - no partial-page zeroing: contents are synthetic
 * - truncation always runs to the end of the file
 * - shmem pages are never invalidated (they have no backing store)
 */
#include "fs_internal.h"
#include "mm_internal.h"

/* unmap_mapping_range: zap every pte mapping file pages >= index (and the
 * private COW copies of them, as truncate does) */
static void unmap_mapping_range(struct machine *m, struct address_space *mapping, unsigned long index)
{
	for (guint i = 0; i < mapping->i_mmap->len; i++) {
		struct vm_area_struct *vma = g_ptr_array_index(mapping->i_mmap, i);
		unsigned long first = vma->vm_pgoff, last = vma->vm_pgoff + vma_pages(vma);
		unsigned long start;

		if (last <= index)
			continue;
		start = vma->vm_start + ((MAX(index, first) - first) << PAGE_SHIFT);
		zap_page_range(m, vma->vm_mm, vma, start, vma->vm_end);
	}
}

/* truncate_inode_pages_range from index to the end */
void truncate_inode_pages(struct machine *m, struct inode *inode, unsigned long index)
{
	struct address_space *mapping = &inode->i_data;
	unsigned long i = index;
	uint64_t e;

	unmap_mapping_range(m, mapping, index);
	filemap_fdatawait(m, NULL, mapping);
	/* readers of these pages are done: drop the in-flight records */
	for (guint k = 0; k < mapping->inflight->len;) {
		struct read_io *r = &g_array_index(mapping->inflight, struct read_io, k);

		if (r->start >= index)
			g_array_remove_index_fast(mapping->inflight, k);
		else
			k++;
	}
	while ((e = xa_find(&mapping->i_pages, &i, ULONG_MAX))) {
		if (xa_is_value(e)) {
			xa_erase(&mapping->i_pages, i);
			mapping->nrshadows--;
		} else {
			filemap_remove_folio(m, xa_to_pfn(e));
		}
		i++;
	}
	if (!mapping->nr_dirty)
		inode_clean(m, inode);
}

/* mapping_evict_folio: clean, unmapped, not under writeback or read */
static bool folio_evictable_now(struct machine *m, struct address_space *mapping, unsigned long pfn)
{
	struct page *page = pfn_to_page(m, pfn);

	return page->_mapcount < 0 && !page_test(page, PG_dirty) && !page_test(page, PG_writeback) &&
	       !page_test(page, PG_mlocked) && !page_ready_at(m, mapping, (unsigned long)page->index);
}

/* invalidate_mapping_pages: what drop_caches 1 can free of one file */
unsigned long invalidate_mapping_pages(struct machine *m, struct address_space *mapping)
{
	unsigned long i = 0, freed = 0;
	uint64_t e;

	if (mapping_is_shmem(mapping))
		return 0;
	while ((e = xa_find(&mapping->i_pages, &i, ULONG_MAX))) {
		if (!xa_is_value(e) && folio_evictable_now(m, mapping, xa_to_pfn(e))) {
			filemap_remove_folio(m, xa_to_pfn(e));
			freed++;
		}
		i++;
	}
	return freed;
}
