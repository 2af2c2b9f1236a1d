/*
 * What the page cache and the simulated file system share among
 * themselves (filemap.c, truncate.c, shmem.c, simfs.c, inode.c,
 * file_table.c, drop_caches.c, dcache.c) and nothing else needs.
 */
#ifndef MMSIM_FS_INTERNAL_H
#define MMSIM_FS_INTERNAL_H

#include "mm_internal_proc.h"
#include "mmsim/pagemap.h"

/* A read in flight: pages [start, end) of a mapping are uptodate at done
 * (an entry of mapping->inflight, standing in for PG_locked) */
struct read_io {
	unsigned long start, end;
	uint64_t done;
};

static inline bool mapping_is_shmem(const struct address_space *mapping)
{
	return mapping->host->kind == INODE_SHMEM;
}

/* filemap.c */
long page_cache_alloc(struct machine *m, struct task_struct *t);
void filemap_add_folio(struct machine *m, struct address_space *mapping, unsigned long pfn,
		       unsigned long index);
long filemap_get_pfn(struct address_space *mapping, unsigned long index);
/* When the page at index will have been read (0: it is uptodate) */
uint64_t page_ready_at(struct machine *m, struct address_space *mapping, unsigned long index);
void filemap_fdatawait(struct machine *m, struct task_struct *t, struct address_space *mapping);

static inline void filemap_remove_folio(struct machine *m, unsigned long pfn)
{
	filemap_remove_folio_shadow(m, pfn, 0);
}

/* truncate.c: drop the pages at index and above (unmapping them first) */
void truncate_inode_pages(struct machine *m, struct inode *inode, unsigned long index);

/* file_table.c */
struct file *file_alloc(struct machine *m, struct inode *inode);
/* Close every task's descriptor of inode (rmfile) */
void close_all_files_of(struct machine *m, struct inode *inode);

/* inode.c: an inode named path with an empty address_space; its end;
 * evict_inode truncates all its pages, then destroys it */
struct inode *alloc_inode(const char *path);
void destroy_inode(struct inode *inode);
void evict_inode(struct machine *m, struct inode *inode);

/* shmem.c: a new page at index of a shmem file (pfn or -ENOMEM) */
long shmem_fault(struct machine *m, struct task_struct *t, struct address_space *mapping, unsigned long index);

/* simfs.c: a new file of the simulated file system */
struct inode *new_inode(struct machine *m, const char *path, enum inode_kind kind);

#endif
