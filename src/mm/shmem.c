/*
 * mm/shmem.c in outline: tmpfs files and shared anonymous memory.
 *
 * Models:
 * - tmpfs files (/dev/shm): page-cache pages that are swap-backed,
 *   counted in Shmem, never dirty-accounted nor written back
 * - shmem_fault: a missing page is a new page, nothing is read
 * - shmem_zero_setup: an unlinked file of shm_mnt (dev 0:1, its own
 *   inode numbers) behind each shared anonymous mapping,
 *   "/dev/zero (deleted)" in maps
 * Simplifies:
 * - no size limit on tmpfs (no size= or nr_inodes=)
 * - no huge pages, no fallocate, no holes punched
 */
#include "fs_internal.h"
#include "mm_internal.h"

/* shmem_fault: the page at index of a shmem file that has none yet */
long shmem_fault(struct machine *m, struct task_struct *t, struct address_space *mapping, unsigned long index)
{
	long pfn = page_cache_alloc(m, t);

	if (pfn < 0)
		return pfn;
	filemap_add_folio(m, mapping, (unsigned long)pfn, index);
	return pfn;
}

struct file *shmem_zero_setup(struct machine *m, unsigned long size)
{
	struct inode *inode = new_inode(m, "/dev/zero", INODE_SHMEM);

	/* shm_mnt (dev 0:1) has its own inode numbers */
	m->sb->next_ino--;
	inode->i_ino = ++m->sb->next_shm_ino;
	inode->dev_minor = 1;
	inode->i_size = size;
	inode->unlinked = true;
	inode->internal = true;
	return file_alloc(m, inode);
}
