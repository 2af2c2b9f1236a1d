/*
 * lib/xarray.c in spirit: the page-cache index, a radix tree of 64-slot
 * nodes whose height grows with the largest index stored.
 *
 * Models: the node count the kernel's xarray needs (each node is one
 * radix_tree_node slab object in the kernel; the owner is told through
 * node_hook), value entries (shadows: low bit set) beside page entries.
 * Simplifies: no marks (the dirty and writeback tags: the page flags are
 * scanned instead), no multi-index entries (no large folios), no RCU.
 */
#include "mm_internal.h"
#include "mmsim/pagemap.h"

static struct xa_node *xa_node_new(struct xarray *xa, struct xa_node *parent, unsigned int shift,
				   unsigned int offset)
{
	struct xa_node *n = g_new0(struct xa_node, 1);

	n->parent = parent;
	n->shift = (uint8_t)shift;
	n->offset = (uint8_t)offset;
	xa->nr_nodes++;
	if (xa->node_hook)
		xa->node_hook(xa, n, true);
	return n;
}

static void xa_node_free(struct xarray *xa, struct xa_node *n)
{
	if (xa->hint == n)
		xa->hint = NULL;
	if (xa->node_hook)
		xa->node_hook(xa, n, false);
	xa->nr_nodes--;
	g_free(n);
}

/* The leaf for index, or NULL; uses and refreshes the hint */
static struct xa_node *xa_leaf(struct xarray *xa, unsigned long index)
{
	struct xa_node *n = xa->head;

	if (xa->hint && (index & ~(XA_CHUNK_SIZE - 1)) == xa->hint_index)
		return xa->hint;
	if (!n || (index >> n->shift) >= XA_CHUNK_SIZE)
		return NULL;
	while (n->shift) {
		n = (struct xa_node *)(uintptr_t)n->slots[(index >> n->shift) & (XA_CHUNK_SIZE - 1)];
		if (!n)
			return NULL;
	}
	xa->hint = n;
	xa->hint_index = index & ~(XA_CHUNK_SIZE - 1);
	return n;
}

uint64_t xa_load(struct xarray *xa, unsigned long index)
{
	struct xa_node *leaf = xa_leaf(xa, index);

	return leaf ? leaf->slots[index & (XA_CHUNK_SIZE - 1)] : 0;
}

/* Store entry (non-zero) at index, growing the tree; old entry returned */
uint64_t xa_store(struct xarray *xa, unsigned long index, uint64_t entry)
{
	struct xa_node *n = xa_leaf(xa, index);
	uint64_t old;

	if (!n) {
		if (!xa->head)
			xa->head = xa_node_new(xa, NULL, 0, 0);
		/* grow: the old root becomes slot 0 of a taller one */
		while ((index >> xa->head->shift) >= XA_CHUNK_SIZE) {
			struct xa_node *old_head = xa->head;
			struct xa_node *root = xa_node_new(xa, NULL, old_head->shift + XA_CHUNK_SHIFT, 0);

			if (old_head->count) {
				root->slots[0] = (uint64_t)(uintptr_t)old_head;
				root->count = 1;
				old_head->parent = root;
				old_head->offset = 0;
			} else {
				xa_node_free(xa, old_head);
			}
			xa->head = root;
		}
		n = xa->head;
		while (n->shift) {
			unsigned int off = (index >> n->shift) & (XA_CHUNK_SIZE - 1);
			struct xa_node *child = (struct xa_node *)(uintptr_t)n->slots[off];

			if (!child) {
				child = xa_node_new(xa, n, n->shift - XA_CHUNK_SHIFT, off);
				n->slots[off] = (uint64_t)(uintptr_t)child;
				n->count++;
			}
			n = child;
		}
		xa->hint = n;
		xa->hint_index = index & ~(XA_CHUNK_SIZE - 1);
	}
	old = n->slots[index & (XA_CHUNK_SIZE - 1)];
	if (!old)
		n->count++;
	n->slots[index & (XA_CHUNK_SIZE - 1)] = entry;
	return old;
}

/* Remove the entry at index; empty nodes are freed and the tree shrinks */
uint64_t xa_erase(struct xarray *xa, unsigned long index)
{
	struct xa_node *n = xa_leaf(xa, index);
	uint64_t old;

	if (!n || !(old = n->slots[index & (XA_CHUNK_SIZE - 1)]))
		return 0;
	n->slots[index & (XA_CHUNK_SIZE - 1)] = 0;
	while (n && --n->count == 0) {
		struct xa_node *parent = n->parent;

		if (parent)
			parent->slots[n->offset] = 0;
		else
			xa->head = NULL;
		xa_node_free(xa, n);
		n = parent;
	}
	/* xas_shrink: a root holding only slot 0 hands over to that child */
	while (xa->head && xa->head->shift && xa->head->count == 1 && xa->head->slots[0]) {
		struct xa_node *root = xa->head;

		xa->head = (struct xa_node *)(uintptr_t)root->slots[0];
		xa->head->parent = NULL;
		xa_node_free(xa, root);
	}
	return old;
}

static bool xa_find_in(struct xa_node *n, unsigned long base, unsigned long *index, unsigned long max,
		       uint64_t *entry)
{
	unsigned long start = *index > base ? (*index - base) >> n->shift : 0;

	for (unsigned long off = start; off < XA_CHUNK_SIZE; off++) {
		unsigned long child_base = base + (off << n->shift);

		if (child_base > max)
			return false;
		if (!n->slots[off])
			continue;
		if (!n->shift) {
			if (child_base < *index)
				continue;
			*index = child_base;
			*entry = n->slots[off];
			return true;
		}
		if (xa_find_in((struct xa_node *)(uintptr_t)n->slots[off], child_base, index, max, entry))
			return true;
	}
	return false;
}

/* The first entry at or after *index and at most max: its index in
 * *index, or 0 when there is none */
uint64_t xa_find(struct xarray *xa, unsigned long *index, unsigned long max)
{
	uint64_t entry = 0;

	if (!xa->head || *index > max || (*index >> xa->head->shift) >= XA_CHUNK_SIZE)
		return 0;
	return xa_find_in(xa->head, 0, index, max, &entry) ? entry : 0;
}

static void xa_destroy_node(struct xarray *xa, struct xa_node *n)
{
	if (n->shift)
		for (unsigned int i = 0; i < XA_CHUNK_SIZE; i++)
			if (n->slots[i])
				xa_destroy_node(xa, (struct xa_node *)(uintptr_t)n->slots[i]);
	xa_node_free(xa, n);
}

/* xa_destroy: every node freed (the entries are the caller's business) */
void xa_destroy(struct xarray *xa)
{
	if (xa->head)
		xa_destroy_node(xa, xa->head);
	xa->head = NULL;
	xa->hint = NULL;
}
