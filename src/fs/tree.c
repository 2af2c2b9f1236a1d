/*
 * The path table expanded for one machine.  fs-layout's patterns become
 * concrete nodes once, at mount time, so a lookup is a hash probe and no
 * code chooses a file by comparing strings.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tree.h"

static struct fs_node *node_new(const char *path, bool is_dir, unsigned int mode)
{
	struct fs_node *n = g_new0(struct fs_node, 1);
	const char *slash = strrchr(path, '/');

	n->path = g_strdup(path);
	n->name = slash ? n->path + (slash - path) + 1 : n->path;
	n->is_dir = is_dir;
	n->mode = mode;
	n->ctx.node = n->ctx.cpu = -1;
	if (is_dir)
		n->children = g_ptr_array_new();
	return n;
}

static void node_free(gpointer p)
{
	struct fs_node *n = p;

	if (n->children)
		g_ptr_array_free(n->children, TRUE);
	g_free(n->path);
	g_free(n);
}

/* The directory at path, created (with its parents) when missing */
static struct fs_node *ensure_dir(struct fs_tree *t, const char *path)
{
	struct fs_node *n = g_hash_table_lookup(t->by_path, path);
	struct fs_node *parent;
	const char *slash;
	g_autofree char *ppath = NULL;

	if (n)
		return n;
	slash = strrchr(path, '/');
	ppath = slash ? g_strndup(path, (gsize)(slash - path)) : g_strdup("");
	parent = ensure_dir(t, ppath);
	n = node_new(path, true, 0555);
	g_hash_table_insert(t->by_path, n->path, n);
	g_ptr_array_add(parent->children, n);
	return n;
}

static void add_entry(struct fs_tree *t, const struct layout_entry *e, const char *path, int node, int cpu)
{
	size_t len = strlen(path);
	bool is_dir = len && path[len - 1] == '/';
	g_autofree char *p = is_dir ? g_strndup(path, len - 1) : g_strdup(path);
	struct fs_node *n;

	if (is_dir) {
		n = ensure_dir(t, p);
	} else {
		const char *slash = strrchr(p, '/');
		g_autofree char *ppath = slash ? g_strndup(p, (gsize)(slash - p)) : g_strdup("");
		struct fs_node *parent = ensure_dir(t, ppath);

		n = node_new(p, false, 0);
		g_hash_table_insert(t->by_path, n->path, n);
		g_ptr_array_add(parent->children, n);
	}
	n->mode = e->mode;
	n->entry = e;
	n->ctx.node = node;
	n->ctx.cpu = cpu;
	n->ctx.name = n->name;
	n->ctx.path = n->path;
}

/* Expand one template ({N} or {C}) in pattern, then recurse for the next */
static void expand(struct fs_tree *t, const struct machine *m, const struct layout_entry *e,
		   const char *pattern, int node, int cpu)
{
	const char *hole = strstr(pattern, "{N}");
	const char *chole = strstr(pattern, "{C}");
	bool is_node = hole && (!chole || hole < chole);
	int count;

	if (!hole && !chole) {
		add_entry(t, e, pattern, node, cpu);
		return;
	}
	if (!is_node)
		hole = chole;
	count = is_node ? m->nr_nodes : m->nr_cpus;
	for (int i = 0; i < count; i++) {
		g_autofree char *p = g_strdup_printf("%.*s%d%s", (int)(hole - pattern), pattern, i, hole + 3);

		expand(t, m, e, p, is_node ? i : node, is_node ? cpu : i);
	}
}

struct fs_tree *fs_tree_new(const struct machine *m)
{
	struct fs_tree *t = g_new0(struct fs_tree, 1);

	t->by_path = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, node_free);
	t->root = node_new("", true, 0555);
	t->root->name = "";
	g_hash_table_insert(t->by_path, t->root->path, t->root);
	for (size_t i = 0; i < layout_table_len; i++)
		expand(t, m, &layout_table[i], layout_table[i].pattern, -1, -1);
	return t;
}

void fs_tree_free(struct fs_tree *t)
{
	if (!t)
		return;
	g_hash_table_destroy(t->by_path);
	g_free(t);
}

struct fs_node *fs_tree_lookup(struct fs_tree *t, const char *path)
{
	while (*path == '/')
		path++;
	return g_hash_table_lookup(t->by_path, path);
}

void fs_node_render(struct machine *m, const struct fs_node *n, GString *out)
{
	if (n->entry && n->entry->render)
		n->entry->render(m, &n->ctx, out);
}

int fs_node_write(struct machine *m, const struct fs_node *n, const char *buf, size_t len, GString *reply)
{
	int ret;

	if (n->is_dir)
		return -EISDIR;
	if (!n->entry || !n->entry->write)
		return -EACCES;
	ret = n->entry->write(m, &n->ctx, buf, len, reply);
	machine_debug_check(m, n->path);
	return ret;
}
