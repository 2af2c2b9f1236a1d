/*
 * The path table expanded for one machine.  fs-layout's patterns become
 * concrete nodes once, at mount time, so a lookup is a hash probe and no
 * code chooses a file by comparing strings.  The per-process entries stay
 * templates ("proc/{PID}/stat"): a path under proc/<digits>/ is mapped to
 * its template by replacing the numbers, and carries them in its context.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "tree.h"
#include "mmsim/cgroup.h"
#include "mmsim/huge_mm.h"
#include "mmsim/hugetlb.h"
#include "mmsim/memory_block.h"
#include "mmsim/mount.h"
#include "mmsim/pagemap.h"
#include "mmsim/slab.h"
#include "mmsim/trace.h"

#define TPL_PID "{PID}"
#define TPL_TID "{TID}"
#define TPL_FD "{FD}"
#define TPL_CACHE "{CACHE}"
#define TPL_CACHE_LINK "{CACHE_LINK}"
#define TPL_CGROUP "{CGROUP}"
#define CGROUP_ROOT "sys/fs/cgroup"

static bool is_template(const char *path)
{
	return strchr(path, '{') != NULL;
}

static GHashTable *table_for(struct fs_tree *t, const char *path)
{
	return is_template(path) ? t->templates : t->by_path;
}

static struct fs_node *node_new(const char *path, bool is_dir, unsigned int mode)
{
	struct fs_node *n = g_new0(struct fs_node, 1);
	const char *slash = strrchr(path, '/');

	n->path = g_strdup(path);
	n->name = slash ? n->path + (slash - path) + 1 : n->path;
	n->is_dir = is_dir;
	n->mode = mode;
	n->in_pid = strstr(path, TPL_PID) != NULL;
	n->in_cache = strstr(path, TPL_CACHE) || strstr(path, TPL_CACHE_LINK);
	n->in_cgroup = strstr(path, TPL_CGROUP) != NULL;
	n->ctx.node = n->ctx.cpu = n->ctx.part = n->ctx.order = n->ctx.hstate = n->ctx.mblock = -1;
	n->ctx.pid = n->ctx.tid = n->ctx.fd = -1;
	n->ctx.name = n->name;
	n->ctx.path = n->path;
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

/* Hang n under parent: a numbered template is the parent's dynamic child,
 * anything else one of its fixed children */
static void link_child(struct fs_node *parent, struct fs_node *n)
{
	if (!strcmp(n->name, TPL_PID) || !strcmp(n->name, TPL_TID)) {
		parent->dyn = !strcmp(n->name, TPL_PID) ? FS_DYN_PIDS : FS_DYN_TIDS;
		parent->dyn_child = n;
	} else if (!strcmp(n->name, TPL_FD)) {
		parent->dyn = FS_DYN_FDS;
		parent->dyn_child = n;
	} else if (!strcmp(n->name, TPL_CACHE)) {
		parent->dyn = FS_DYN_CACHES;
		parent->dyn_child = n;
	} else if (!strcmp(n->name, TPL_CGROUP)) {
		/* any depth: a cgroup's directory is the template again */
		parent->dyn = n->dyn = FS_DYN_CGROUPS;
		parent->dyn_child = n->dyn_child = n;
	} else if (!strcmp(n->name, TPL_CACHE_LINK)) {
		parent->dyn_link = n;  /* resolved by fs_cache_node, not listed */
	} else {
		g_ptr_array_add(parent->children, n);
	}
}

/* The directory at path, created (with its parents) when missing */
static struct fs_node *ensure_dir(struct fs_tree *t, const char *path)
{
	struct fs_node *n = g_hash_table_lookup(table_for(t, path), path);
	struct fs_node *parent;
	const char *slash;
	g_autofree char *ppath = NULL;

	if (n)
		return n;
	slash = strrchr(path, '/');
	ppath = slash ? g_strndup(path, (gsize)(slash - path)) : g_strdup("");
	parent = ensure_dir(t, ppath);
	n = node_new(path, true, 0555);
	g_hash_table_insert(table_for(t, path), n->path, n);
	link_child(parent, n);
	return n;
}

/* The templates expanded once, at mount: {N} a node, {C} a CPU, {PART} a
 * partition of the disk, {MTHP} a THP size in kB with a hugepages-<N>kB
 * directory and {MTHP_ANON} one anon memory may use (both by order),
 * {HSIZE} a hugetlb page size in kB (an hstate) and {HSIZE_DEMOTE} one
 * that can demote, {MB} a memory block; {SYS} a trace system and {EVENT}
 * one of its events (expand_trace) */
enum { TPL_NODE, TPL_CPU, TPL_PART, TPL_MTHP, TPL_MTHP_ANON, TPL_HSIZE, TPL_HSIZE_DEMOTE, TPL_MBLOCK, NR_FIXED_TPL,
       TPL_TSYS = NR_FIXED_TPL, TPL_EVENT,
       NR_TPL };

static void add_entry(struct fs_tree *t, const struct layout_entry *e, const char *path, const int *num)
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
		n->is_link = e->mode == LAYOUT_MODE_LINK;
		g_hash_table_insert(table_for(t, p), n->path, n);
		link_child(parent, n);
		if (!strcmp(n->name, TPL_CACHE_LINK))
			t->cache_link = n;
	}
	n->mode = e->mode;
	n->entry = e;
	n->ctx.node = num[0];
	n->ctx.cpu = num[1];
	n->ctx.part = num[TPL_PART];
	n->ctx.order = num[TPL_MTHP] >= 0 ? num[TPL_MTHP] : num[TPL_MTHP_ANON];
	n->ctx.hstate = num[TPL_HSIZE] >= 0 ? num[TPL_HSIZE] : num[TPL_HSIZE_DEMOTE];
	n->ctx.mblock = num[TPL_MBLOCK];
	n->ctx.tsys = num[TPL_TSYS];
	n->ctx.event = num[TPL_EVENT];
}

static const char *const fixed_tpl[NR_FIXED_TPL] = { "{N}", "{C}", "{PART}", "{MTHP}", "{MTHP_ANON}", "{HSIZE}",
						      "{HSIZE_DEMOTE}", "{MB}" };

/* the numbers a template may take are below this */
static int tpl_limit(const struct machine *m, int k)
{
	if (k == TPL_NODE)
		return m->nr_nodes;
	if (k == TPL_CPU)
		return m->nr_cpus;
	if (k == TPL_MTHP || k == TPL_MTHP_ANON)
		return HPAGE_PMD_ORDER + 1;
	if (k == TPL_HSIZE || k == TPL_HSIZE_DEMOTE)
		return HUGE_MAX_HSTATE;
	if (k == TPL_MBLOCK)
		return (int)nr_memory_block_ids(m);
	return DISK_MINORS;
}

/* Does number i exist for template k on this machine? */
static bool tpl_has(const struct machine *m, int k, int i)
{
	if (k == TPL_NODE)
		return i < m->nr_nodes;
	if (k == TPL_CPU)
		return i < m->nr_cpus;
	if (k == TPL_MTHP || k == TPL_MTHP_ANON)
		return (k == TPL_MTHP ? THP_ORDERS_ALL : THP_ORDERS_ALL_ANON) >> i & 1;
	if (k == TPL_MBLOCK)
		return memory_block_present(m, (unsigned long)i);
	if (k == TPL_HSIZE || k == TPL_HSIZE_DEMOTE)
		return i < m->hugetlb->nr_hstates && (k == TPL_HSIZE || m->hugetlb->hstates[i].demote_order);
	return i > 0 && i < DISK_MINORS && m->sb && m->sb->disk->part[i];
}

/* What template k's number i reads as in a path: THP orders and hstates
 * by size in kB */
static unsigned long tpl_value(const struct machine *m, int k, int i)
{
	if (k == TPL_MTHP || k == TPL_MTHP_ANON)
		return (PAGE_SIZE >> 10) << i;
	if (k == TPL_HSIZE || k == TPL_HSIZE_DEMOTE)
		return huge_page_size(&m->hugetlb->hstates[i]) >> 10;
	return (unsigned long)i;
}

static void expand(struct fs_tree *t, const struct machine *m, const struct layout_entry *e,
		   const char *pattern, int num[NR_TPL]);

/* {SYS}: each trace system, by its first event; {EVENT}: each event of
 * the system already expanded */
static bool expand_trace(struct fs_tree *t, const struct machine *m, const struct layout_entry *e,
			 const char *pattern, int num[NR_TPL])
{
	const char *hole = strstr(pattern, "{SYS}");
	bool is_sys = hole != NULL;
	int k = is_sys ? TPL_TSYS : TPL_EVENT, saved = num[k];

	if (!hole)
		hole = strstr(pattern, "{EVENT}");
	if (!hole)
		return false;
	for (int id = 0; id < NR_TRACE_EVENTS; id++) {
		const char *sys = trace_events[id].system;
		g_autofree char *p = NULL;

		if (is_sys && id && !strcmp(trace_events[id - 1].system, sys))
			continue;  /* not the system's first event */
		if (!is_sys && (num[TPL_TSYS] < 0 || strcmp(trace_events[num[TPL_TSYS]].system, sys)))
			continue;
		p = g_strdup_printf("%.*s%s%s", (int)(hole - pattern), pattern, is_sys ? sys : trace_events[id].name,
				    hole + (is_sys ? 5 : 7));
		num[k] = id;
		expand(t, m, e, p, num);
		num[k] = saved;
	}
	return true;
}

/* Expand the first fixed template in pattern, then recurse for the next;
 * {PID} and {TID} stay: they are resolved at lookup */
static void expand(struct fs_tree *t, const struct machine *m, const struct layout_entry *e,
		   const char *pattern, int num[NR_TPL])
{
	const char *hole = NULL;
	int k = -1, limit;

	if (expand_trace(t, m, e, pattern, num))
		return;

	for (int j = 0; j < NR_FIXED_TPL; j++) {
		const char *h = strstr(pattern, fixed_tpl[j]);

		if (h && (!hole || h < hole)) {
			hole = h;
			k = j;
		}
	}
	if (!hole) {
		add_entry(t, e, pattern, num);
		return;
	}
	limit = tpl_limit(m, k);
	for (int i = 0; i < limit; i++) {
		size_t len = strlen(fixed_tpl[k]);
		g_autofree char *p = NULL;
		int saved = num[k];

		if (!tpl_has(m, k, i))
			continue;
		p = g_strdup_printf("%.*s%lu%s", (int)(hole - pattern), pattern, tpl_value(m, k, i), hole + len);
		num[k] = i;
		expand(t, m, e, p, num);
		num[k] = saved;
	}
}

struct fs_tree *fs_tree_new(const struct machine *m)
{
	struct fs_tree *t = g_new0(struct fs_tree, 1);

	t->by_path = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, node_free);
	t->templates = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, node_free);
	t->root = node_new("", true, 0555);
	t->root->name = t->root->ctx.name = "";
	g_hash_table_insert(t->by_path, t->root->path, t->root);
	for (size_t i = 0; i < layout_table_len; i++) {
		int num[NR_TPL] = { -1, -1, -1, -1, -1, -1, -1, -1, -1, -1 };

		expand(t, m, &layout_table[i], layout_table[i].pattern, num);
	}
	return t;
}

void fs_tree_free(struct fs_tree *t)
{
	if (!t)
		return;
	g_hash_table_destroy(t->by_path);
	g_hash_table_destroy(t->templates);
	g_free(t);
}

/* A path component as procfs's name_to_int reads a PID: decimal, no
 * leading zero, 1 .. INT_MAX; len is the component's length */
static int component_number(const char *s, size_t len)
{
	long v = 0;

	if (len == 0 || len > 10 || s[0] == '0')
		return 0;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return 0;
		v = v * 10 + (s[i] - '0');
	}
	return v <= INT_MAX ? (int)v : 0;
}

int fs_path_pid(const char *path, const char **rest)
{
	const char *p, *end;
	int pid;

	while (*path == '/')
		path++;
	if (strncmp(path, "proc/", 5))
		return 0;
	p = path + 5;
	end = strchrnul(p, '/');
	pid = component_number(p, (size_t)(end - p));
	if (pid && rest)
		*rest = *end ? end + 1 : end;
	return pid;
}

/* The rest of a path below sys/fs/cgroup/, from its first name that is
 * not a fixed file of the root: a file of the {CGROUP} template when the
 * last name is one, else the template directory (which cgroups the names
 * are is the machine's to say: fs_cgroup_node) */
static struct fs_node *lookup_cgroup(struct fs_tree *t, struct fs_node *cur, const char *rest)
{
	struct fs_node *dir = cur->dyn_child;
	const char *last = strrchr(rest, '/');
	g_autofree char *fpath = NULL;
	struct fs_node *f;

	(void)t;
	last = last ? last + 1 : rest;
	if (!*last)
		return dir;
	fpath = g_strdup_printf("%s/%s", dir->path, last);
	f = g_hash_table_lookup(t->templates, fpath);
	return f ? f : dir;
}

/* The slow path of a lookup: walk the components, trading a number for
 * the template below a directory that has one.  Only paths that are not
 * fixed get here. */
static struct fs_node *lookup_numbered(struct fs_tree *t, const char *path, struct fs_ctx *ctx)
{
	struct fs_node *cur = t->root;
	int pid = -1, tid = -1, fd = -1;
	char cache[sizeof(((struct fs_ctx *)0)->cache)] = "";
	GString *tpath = g_string_sized_new(64);
	const char *p = path;

	while (*p) {
		const char *end = strchrnul(p, '/');
		size_t len = (size_t)(end - p);
		gsize mark = tpath->len;
		struct fs_node *next;

		if (len == 0)
			goto next_component;
		if (cur->dyn == FS_DYN_CGROUPS) {
			cur = lookup_cgroup(t, cur, p);
			break;
		}
		if (!cur->is_dir || memchr(p, '{', len)) {
			cur = NULL;  /* a template is no name a user may give */
			break;
		}
		if (tpath->len)
			g_string_append_c(tpath, '/');
		g_string_append_len(tpath, p, (gssize)len);
		next = g_hash_table_lookup(table_for(t, tpath->str), tpath->str);
		if (!next && cur->dyn == FS_DYN_CACHES) {
			/* any name: whether the cache exists is the machine's to say */
			if (len < sizeof(cache)) {
				memcpy(cache, p, len);
				cache[len] = '\0';
				next = cur->dyn_child;
				g_string_truncate(tpath, mark);
				g_string_append(tpath, next->path + mark);
			}
		} else if (!next && cur->dyn_child) {
			/* name_to_int: a descriptor may be 0 */
			bool fd0 = cur->dyn == FS_DYN_FDS && len == 1 && *p == '0';
			int num = component_number(p, len);

			if (num || fd0) {
				next = cur->dyn_child;
				if (cur->dyn == FS_DYN_PIDS)
					pid = num;
				else if (cur->dyn == FS_DYN_FDS)
					fd = num;
				else
					tid = num;
				g_string_truncate(tpath, mark);
				g_string_append(tpath, next->path + mark);
			}
		}
		if (!next) {
			cur = NULL;
			break;
		}
		cur = next;
next_component:
		p = *end ? end + 1 : end;
	}
	g_string_free(tpath, TRUE);
	if (cur && ctx) {
		*ctx = cur->ctx;
		ctx->pid = pid;
		ctx->tid = tid;
		ctx->fd = fd;
		memcpy(ctx->cache, cache, sizeof(cache));
	}
	return cur;
}

struct fs_node *fs_tree_lookup(struct fs_tree *t, const char *path, struct fs_ctx *ctx)
{
	struct fs_node *n;

	while (*path == '/')
		path++;
	n = g_hash_table_lookup(t->by_path, path);
	if (n) {
		if (ctx)
			*ctx = n->ctx;
		return n;
	}
	return lookup_numbered(t, path, ctx);
}

struct task_struct *fs_ctx_task(struct machine *m, const struct fs_ctx *ctx)
{
	struct task_struct *task, *thread;

	if (ctx->pid <= 0)
		return NULL;
	task = find_task_by_pid(m, ctx->pid);
	if (task && ctx->tid >= 0) {
		thread = find_task_by_pid(m, ctx->tid);
		task = thread && thread->tgid == task->tgid ? thread : NULL;
	}
	if (task && ctx->fd >= 0 && !task_fd_open(task, ctx->fd))
		return NULL;
	return task;
}

bool fs_ctx_cache_exists(struct machine *m, const struct fs_ctx *ctx)
{
	bool link;

	return !ctx->cache[0] || slab_sysfs_find(m, ctx->cache, &link) != NULL;
}

struct fs_node *fs_cache_node(struct fs_tree *t, struct machine *m, struct fs_node *n, const struct fs_ctx *ctx)
{
	bool link;

	if (!n->in_cache)
		return n;
	if (!slab_sysfs_find(m, ctx->cache, &link))
		return NULL;
	/* the name itself (not a path below it) of a link */
	if (link && n->is_dir && !strcmp(n->name, TPL_CACHE) && t->cache_link)
		return t->cache_link;
	return n;
}

bool fs_cgroup_file_visible(const struct cgroup *cg, const char *name)
{
	const char *dot = strchr(name, '.');

	if (!dot || !strncmp(name, "cgroup.", 7))
		return true;
	for (int ss = 0; ss < CGROUP_SUBSYS_COUNT; ss++)
		if (strlen(cgroup_subsys_name[ss]) == (size_t)(dot - name) &&
		    !strncmp(name, cgroup_subsys_name[ss], (size_t)(dot - name)))
			return cgroup_has_subsys(cg, (enum cgroup_subsys_id)ss);
	return false;
}

struct cgroup *fs_cgroup_of_path(struct machine *m, const char *path)
{
	size_t len = strlen(CGROUP_ROOT);

	while (*path == '/')
		path++;
	if (strncmp(path, CGROUP_ROOT, len) || (path[len] && path[len] != '/'))
		return NULL;
	return cgroup_lookup(m, path + len);
}

struct fs_node *fs_cgroup_node(struct machine *m, struct fs_node *n, const char *path, struct fs_ctx *ctx)
{
	g_autofree char *dir = NULL;
	struct cgroup *cg;

	if (!n->in_cgroup)
		return n;
	while (*path == '/')
		path++;
	dir = n->is_dir ? g_strdup(path) : g_strndup(path, (gsize)(strrchr(path, '/') - path));
	cg = fs_cgroup_of_path(m, dir);
	/* the root's files are fixed paths: a template file there is a
	 * child's file the root lacks */
	if (!cg || (!n->is_dir && !cg->parent) || (!n->is_dir && !fs_cgroup_file_visible(cg, n->name)))
		return NULL;
	ctx->cgrp = cg->id;
	return n;
}

/* An open file of a cgroup: the cgroup lives and still has the file (a
 * removed kernfs node answers ENODEV) */
static bool cgroup_file_alive(struct machine *m, const struct fs_node *n, const struct fs_ctx *ctx)
{
	const struct cgroup *cg = cgroup_from_id(m, ctx->cgrp);

	return cg && (n->is_dir || fs_cgroup_file_visible(cg, n->name));
}

int fs_node_render(struct machine *m, const struct fs_node *n, const struct fs_ctx *ctx, GString *out)
{
	if (n->in_pid && !fs_ctx_task(m, ctx))
		return -ESRCH;
	if (n->in_cache && !fs_ctx_cache_exists(m, ctx))
		return -ESRCH;
	if (n->in_cgroup && !cgroup_file_alive(m, n, ctx))
		return -ENODEV;
	if (n->entry && n->entry->render)
		n->entry->render(m, ctx, out);
	return 0;
}

ssize_t fs_node_read(struct machine *m, const struct fs_node *n, const struct fs_ctx *ctx, char *buf, size_t size,
		     off_t off)
{
	if (n->in_pid && !fs_ctx_task(m, ctx))
		return -ESRCH;
	return n->entry->read(m, ctx, buf, size, off);
}

int fs_node_write(struct machine *m, const struct fs_node *n, const struct fs_ctx *ctx, const char *buf,
		  size_t len, GString *reply)
{
	int ret;

	if (n->is_dir)
		return -EISDIR;
	if (!n->entry || !n->entry->write)
		return -EACCES;
	if (n->in_pid && !fs_ctx_task(m, ctx)) {
		printk(m, "%s: write refused: process %d has exited (%s)", ctx->path, ctx->pid, g_strerror(ESRCH));
		return -ESRCH;
	}
	if (n->in_cache && !fs_ctx_cache_exists(m, ctx)) {
		printk(m, "sys/kernel/slab/%s: write refused: the cache was destroyed (%s)", ctx->cache,
		       g_strerror(ENOENT));
		return -ENOENT;
	}
	if (n->in_cgroup && !cgroup_file_alive(m, n, ctx)) {
		printk(m, "%s: write refused: the cgroup was removed (%s)", ctx->path, g_strerror(ENODEV));
		return -ENODEV;
	}
	ret = n->entry->write(m, ctx, buf, len, reply);
	machine_debug_check(m, ctx->path);
	return ret;
}
