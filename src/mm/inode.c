/*
 * fs/inode.c in outline: the one inode of the model.
 *
 * Models:
 * - struct inode with its address_space (the page-cache index, the
 *   VMAs mapping it, the reads in flight)
 * - one inode type for the simulated files (simfs.c, shmem.c) and for
 *   the inodes of the model's own path lookups (dcache.c)
 * - evict_inode: truncate every page, then free the inode
 * Simplifies:
 * - no inode hash or LRU here: the simulated files live in their
 *   superblock's path table, the path-lookup inodes in the dcache's
 * - only the path-lookup inodes are inode_cache slab objects
 */
#include "fs_internal.h"
#include "mm_internal.h"

static void xa_node_hook(struct xarray *xa, struct xa_node *node, bool alloc)
{
	struct address_space *mapping = xa->hook_arg;

	(void)node;
	/* the kernel's WORKINGSET_NODES counts nodes holding only shadows;
	 * here every node is a radix_tree_node object of the host's node 0 */
	(void)mapping;
	(void)alloc;
}

/* alloc_inode: an inode named path with an empty address_space */
struct inode *alloc_inode(const char *path)
{
	struct inode *inode = g_new0(struct inode, 1);
	struct address_space *mapping = &inode->i_data;

	inode->path = g_strdup(path);
	mapping->host = inode;
	mapping->i_mmap = g_ptr_array_new();
	mapping->inflight = g_array_new(FALSE, FALSE, sizeof(struct read_io));
	mapping->i_pages.node_hook = xa_node_hook;
	mapping->i_pages.hook_arg = mapping;
	return inode;
}

void destroy_inode(struct inode *inode)
{
	xa_destroy(&inode->i_data.i_pages);
	g_ptr_array_free(inode->i_data.i_mmap, TRUE);
	g_array_free(inode->i_data.inflight, TRUE);
	g_free(inode->path);
	g_free(inode);
}

void evict_inode(struct machine *m, struct inode *inode)
{
	truncate_inode_pages(m, inode, 0);
	destroy_inode(inode);
}
