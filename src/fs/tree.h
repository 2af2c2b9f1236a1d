/*
 * The mounted tree as a table: fs-layout's entries expanded for one machine
 * ({N} over its nodes, {C} over its CPUs) into directory and file nodes
 * found by path.  No FUSE here: fuse_ops.c asks the tree, the tests may too.
 */
#ifndef MMSIM_FS_TREE_H
#define MMSIM_FS_TREE_H

#include <glib.h>
#include <stdbool.h>

#include "render.h"

struct fs_node {
	char *path;                       /* without leading '/'; "" is the root */
	const char *name;                 /* basename, inside path */
	bool is_dir;
	unsigned int mode;
	const struct layout_entry *entry; /* NULL for implied directories */
	struct fs_ctx ctx;
	GPtrArray *children;              /* of struct fs_node *, in listing order */
};

struct fs_tree {
	GHashTable *by_path;  /* path -> struct fs_node * (owned) */
	struct fs_node *root;
};

struct fs_tree *fs_tree_new(const struct machine *m);
void fs_tree_free(struct fs_tree *t);
/* Lookup by FUSE path ("/proc/meminfo") or relative path ("proc/meminfo") */
struct fs_node *fs_tree_lookup(struct fs_tree *t, const char *path);

/* Render a file's text into out (the caller holds the model lock). */
void fs_node_render(struct machine *m, const struct fs_node *n, GString *out);
/* Run a write against a file: 0 or -errno; reply gets what a read of the
 * same descriptor shows (sim/ctl). */
int fs_node_write(struct machine *m, const struct fs_node *n, const char *buf, size_t len, GString *reply);

#endif
