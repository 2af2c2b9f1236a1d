/*
 * fs/drop_caches.c: echo 1, 2 or 3 > /proc/sys/vm/drop_caches.
 *
 * Models:
 * - 1: every file's clean, unused page cache is invalidated
 * - 2: the slab caches are shrunk (drop_slab over every shrinker)
 * - 2: a file nothing holds loses its page cache, counted in
 *   pginodesteal, as prune_icache_sb's isolate step does
 * - drop_pagecache / drop_slab counted in vmstat
 * Simplifies:
 * - one superblock for the simulated files (sda1 and tmpfs alike)
 * - the simulated files' inodes stay in memory: only their pages go
 * - bit 4 (stfu) is the sysctl writer's: the engine only drops
 */
#include <errno.h>

#include "fs_internal.h"
#include "mm_internal.h"
#include "mmsim/slab.h"

/* drop_pagecache_sb: every linked and every still-mapped deleted file */
static void drop_pagecache_sb(struct machine *m)
{
	GHashTableIter it;
	gpointer k, v;

	g_hash_table_iter_init(&it, m->sb->inodes);
	while (g_hash_table_iter_next(&it, &k, &v))
		invalidate_mapping_pages(m, &((struct inode *)v)->i_data);
	for (guint i = 0; i < m->sb->unlinked->len; i++)
		invalidate_mapping_pages(m, &((struct inode *)g_ptr_array_index(m->sb->unlinked, i))->i_data);
}

/* What prune_icache_sb's inode_lru_isolate does to an inode with pages,
 * for the simulated files as drop_caches 2 reaches them: an inode nothing
 * holds (no open file, no mapping, nothing dirty or in flight) has its
 * page cache invalidated (counted in pginodesteal).  The inodes of the
 * model's own path lookups are pruned by the superblock shrinker. */
static void drop_unused_inode_pages(struct machine *m)
{
	GHashTableIter it;
	gpointer k, v;

	g_hash_table_iter_init(&it, m->sb->inodes);
	while (g_hash_table_iter_next(&it, &k, &v)) {
		struct inode *inode = v;
		struct address_space *mapping = &inode->i_data;

		if (inode->kind == INODE_SHMEM || inode->i_count || mapping->i_mmap->len || mapping->nr_dirty ||
		    mapping->nr_writeback || !mapping->nrpages)
			continue;
		count_vm_events(m, PGINODESTEAL, invalidate_mapping_pages(m, mapping));
	}
}

/* drop_caches 2: the simulated files first (their inodes hold page
 * cache), then every shrinker (mm/vmscan.c drop_slab: dentries, inodes) */
static void drop_slab_caches(struct machine *m)
{
	drop_unused_inode_pages(m);
	drop_slab(m);
}

int drop_caches(struct machine *m, int mode)
{
	if (mode < 1 || mode > 4)
		return -EINVAL;
	if (mode & 1) {
		drop_pagecache_sb(m);
		count_vm_event(m, DROP_PAGECACHE);
	}
	if (mode & 2) {
		drop_slab_caches(m);
		count_vm_event(m, DROP_SLAB);
	}
	machine_debug_check(m, "drop_caches");
	return 0;
}
