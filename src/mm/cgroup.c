/*
 * The cgroup v2 hierarchy (kernel/cgroup/cgroup.c) and the pids
 * controller (kernel/cgroup/pids.c).
 *
 * Models: mkdir/rmdir with cgroupfs's errors (EEXIST, EINVAL names,
 *   EAGAIN past cgroup.max.depth/max.descendants, EBUSY when populated
 *   or with children); subtree_control with the no-internal-process rule;
 *   moving a task (cgroup_attach_task) and placing it at fork;
 *   pids.max refusing a fork up the tree (pids_try_charge), pids.peak.
 * Simplifies: one css_set per task (its cgroup); no threaded cgroups
 *   (every cgroup is a "domain"); no dying cgroups (rmdir frees at once);
 *   no delegation (permissions are the mount's); a task counts once in
 *   pids (one thread per process); ids are never reused.
 */
#include <errno.h>
#include <string.h>

#include "mmsim/cgroup.h"
#include "mmsim/machine.h"
#include "mmsim/memcontrol.h"
#include "mmsim/mm_types.h"

const char *const cgroup_subsys_name[CGROUP_SUBSYS_COUNT] = {
	[memory_cgrp_id] = "memory",
	[pids_cgrp_id] = "pids",
};

static struct cgroup *cgroup_alloc(struct machine *m, struct cgroup *parent, const char *name)
{
	struct cgroup *cg = g_new0(struct cgroup, 1);

	cg->name = g_strdup(name);
	cg->parent = parent;
	cg->children = g_ptr_array_new();
	cg->id = ++m->cgroup_next_id;
	cg->level = parent ? parent->level + 1 : 0;
	cg->max_depth = cg->max_descendants = CGROUP_MAX_UNLIMITED;
	cg->pids_max = PIDS_MAX;
	g_hash_table_insert(m->cgroups, &cg->id, cg);
	mem_cgroup_css_alloc(m, cg);
	if (parent) {
		g_ptr_array_add(parent->children, cg);
		for (struct cgroup *p = parent; p; p = p->parent)
			p->nr_descendants++;
	}
	return cg;
}

static void cgroup_free(struct machine *m, struct cgroup *cg)
{
	while (cg->children->len)
		cgroup_free(m, g_ptr_array_index(cg->children, cg->children->len - 1));
	if (cg->parent) {
		g_ptr_array_remove(cg->parent->children, cg);
		for (struct cgroup *p = cg->parent; p; p = p->parent)
			p->nr_descendants--;
	}
	mem_cgroup_css_free(m, cg);
	g_hash_table_remove(m->cgroups, &cg->id);
	g_ptr_array_free(cg->children, TRUE);
	g_free(cg->name);
	g_free(cg);
}

void cgroup_init(struct machine *m)
{
	struct cgroup *init_scope;

	m->cgroups = g_hash_table_new(g_int64_hash, g_int64_equal);
	m->cgroup_next_id = 0;
	m->cgrp_root = cgroup_alloc(m, NULL, "");
	/* systemd at boot: every controller for the units, init in its scope */
	m->cgrp_root->subtree_control = CGROUP_SS_ALL;
	cgroup_mkdir(m, m->cgrp_root, "init.scope", &init_scope);
}

void cgroup_destroy(struct machine *m)
{
	if (!m->cgrp_root)
		return;
	mem_cgroup_destroy_all(m);
	cgroup_free(m, m->cgrp_root);
	m->cgrp_root = NULL;
	g_hash_table_destroy(m->cgroups);
	m->cgroups = NULL;
}

static struct cgroup *cgroup_child(const struct cgroup *cg, const char *name, size_t len)
{
	for (guint i = 0; i < cg->children->len; i++) {
		struct cgroup *c = g_ptr_array_index(cg->children, i);

		if (strlen(c->name) == len && !memcmp(c->name, name, len))
			return c;
	}
	return NULL;
}

struct cgroup *cgroup_lookup(struct machine *m, const char *path)
{
	struct cgroup *cg = m->cgrp_root;

	while (cg && *path) {
		const char *end = strchrnul(path, '/');

		if (end > path)
			cg = cgroup_child(cg, path, (size_t)(end - path));
		path = *end ? end + 1 : end;
	}
	return cg;
}

struct cgroup *cgroup_from_id(struct machine *m, uint64_t id)
{
	return m->cgroups ? g_hash_table_lookup(m->cgroups, &id) : NULL;
}

void cgroup_path(const struct cgroup *cg, GString *out)
{
	gsize at = out->len;

	if (!cg->parent) {
		g_string_append_c(out, '/');
		return;
	}
	for (; cg->parent; cg = cg->parent) {
		g_string_insert(out, (gssize)at, cg->name);
		g_string_insert_c(out, (gssize)at, '/');
	}
}

char *cgroup_path_dup(const struct cgroup *cg)
{
	GString *s = g_string_new(NULL);

	cgroup_path(cg, s);
	return g_string_free(s, FALSE);
}

unsigned int cgroup_control(const struct cgroup *cg)
{
	return cg->parent ? cg->parent->subtree_control : CGROUP_SS_ALL;
}

bool cgroup_has_subsys(const struct cgroup *cg, enum cgroup_subsys_id ss)
{
	return cg->parent && (cg->parent->subtree_control & (1u << ss));
}

/* cgroup_check_hierarchy_limits: every ancestor's depth and count */
static bool cgroup_hierarchy_ok(const struct cgroup *parent)
{
	int depth = parent->level + 1;

	for (const struct cgroup *p = parent; p; p = p->parent) {
		if (p->nr_descendants >= p->max_descendants)
			return false;
		if (depth - p->level > p->max_depth)
			return false;
	}
	return true;
}

int cgroup_mkdir(struct machine *m, struct cgroup *parent, const char *name, struct cgroup **out)
{
	size_t len = strlen(name);

	/* kernfs refuses what a directory entry cannot be; cgroup_mkdir a
	 * newline */
	if (!len || strchr(name, '/') || strchr(name, '\n') || !strcmp(name, ".") || !strcmp(name, ".."))
		return -EINVAL;
	if (cgroup_child(parent, name, len))
		return -EEXIST;
	if (!cgroup_hierarchy_ok(parent))
		return -EAGAIN;
	*out = cgroup_alloc(m, parent, name);
	return 0;
}

int cgroup_mkdir_p(struct machine *m, const char *path, struct cgroup **out, struct cgroup **made)
{
	struct cgroup *cg = m->cgrp_root;

	*made = NULL;

	while (*path) {
		const char *end = strchrnul(path, '/');
		size_t len = (size_t)(end - path);

		if (len) {
			struct cgroup *c = cgroup_child(cg, path, len);

			if (!c) {
				g_autofree char *name = g_strndup(path, len);
				int err = cgroup_mkdir(m, cg, name, &c);

				if (err) {
					cgroup_mkdir_undo(m, *made);
					*made = NULL;
					return err;
				}
				if (!*made)
					*made = c;
			}
			cg = c;
		}
		path = *end ? end + 1 : end;
	}
	*out = cg;
	return 0;
}

void cgroup_mkdir_undo(struct machine *m, struct cgroup *made)
{
	if (made)
		cgroup_free(m, made);
}

int cgroup_rmdir(struct machine *m, struct cgroup *cg)
{
	if (!cg->parent || cg->nr_populated || cg->children->len)
		return -EBUSY;
	cgroup_free(m, cg);
	return 0;
}

int cgroup_subtree_control_apply(struct machine *m, struct cgroup *cg, unsigned int enable,
				 unsigned int disable)
{
	(void)m;
	enable &= ~cg->subtree_control;
	disable &= cg->subtree_control;
	if (enable & ~cgroup_control(cg))
		return -ENOENT;
	for (guint i = 0; i < cg->children->len; i++) {
		const struct cgroup *c = g_ptr_array_index(cg->children, i);

		if (c->subtree_control & disable)
			return -EBUSY;
	}
	/* cgroup_vet_subtree_control_enable: no tasks beside the children
	 * that compete with them (the root is exempt) */
	if (enable && cg->parent && cg->nr_tasks)
		return -EBUSY;
	cg->subtree_control = (cg->subtree_control | enable) & ~disable;
	mem_cgroup_subtree_control_changed(m, cg);
	return 0;
}

/* A task joins or leaves cg: the populated counts up the tree */
static void cgroup_account(struct cgroup *cg, int delta)
{
	cg->nr_tasks += delta;
	for (struct cgroup *p = cg; p; p = p->parent) {
		p->nr_populated += delta;
		if (p->nr_populated > p->pids_peak)
			p->pids_peak = p->nr_populated;
	}
}

/* cgroup_migrate_vet_dst */
static int cgroup_vet_dst(const struct cgroup *dst)
{
	return dst->parent && dst->subtree_control ? -EBUSY : 0;
}

int cgroup_attach_task(struct machine *m, struct task_struct *t, struct cgroup *dst)
{
	int err;

	(void)m;
	if (t->flags & PF_KTHREAD)
		return -EINVAL;
	if (t->cgroups == dst)
		return 0;
	if ((err = cgroup_vet_dst(dst)))
		return err;
	/* pids_can_attach: a move is charged without a limit check */
	cgroup_account(t->cgroups, -1);
	cgroup_account(dst, 1);
	t->cgroups = dst;
	return 0;
}

int cgroup_can_fork(struct machine *m, struct cgroup *dst)
{
	int err;

	(void)m;
	if ((err = cgroup_vet_dst(dst)))
		return err;
	/* pids_try_charge: the first ancestor whose limit one more breaks */
	for (struct cgroup *p = dst; p; p = p->parent) {
		if (p->parent && p->nr_populated + 1 > p->pids_max) {
			p->pids_events_max++;
			return -EAGAIN;
		}
	}
	return 0;
}

void cgroup_post_fork(struct machine *m, struct task_struct *t, struct cgroup *dst)
{
	(void)m;
	t->cgroups = dst;
	cgroup_account(dst, 1);
}

void cgroup_exit(struct machine *m, struct task_struct *t)
{
	(void)m;
	if (!t->cgroups)
		return;
	cgroup_account(t->cgroups, -1);
	t->cgroups = NULL;
}

static gint cmp_int(gconstpointer a, gconstpointer b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

GArray *cgroup_task_pids(struct machine *m, const struct cgroup *cg)
{
	GArray *pids = g_array_new(FALSE, FALSE, sizeof(int));
	GHashTableIter it;
	gpointer k, v;

	g_hash_table_iter_init(&it, m->tasks);
	while (g_hash_table_iter_next(&it, &k, &v)) {
		const struct task_struct *t = v;

		if (t->cgroups == cg)
			g_array_append_val(pids, t->pid);
	}
	g_array_sort(pids, cmp_int);
	return pids;
}

void pids_max_set(struct cgroup *cg, int64_t value)
{
	cg->pids_max = value;
}

/* The counts of cg and below against a walk; tasks[] the tasks per cgroup
 * id seen on the task list */
static char *check_cgroup(const struct cgroup *cg, GHashTable *tasks, int *populated, int *descendants)
{
	int pop = GPOINTER_TO_INT(g_hash_table_lookup(tasks, &cg->id)), desc = 0;

	if (pop != cg->nr_tasks)
		return g_strdup_printf("cgroup %s: nr_tasks %d, the task list has %d", cg->name, cg->nr_tasks, pop);
	for (guint i = 0; i < cg->children->len; i++) {
		const struct cgroup *c = g_ptr_array_index(cg->children, i);
		int p = 0, d = 0;
		char *err;

		if (c->parent != cg || c->level != cg->level + 1)
			return g_strdup_printf("cgroup %s: wrong parent or level", c->name);
		if ((err = check_cgroup(c, tasks, &p, &d)))
			return err;
		pop += p;
		desc += d + 1;
	}
	if (pop != cg->nr_populated || desc != cg->nr_descendants)
		return g_strdup_printf("cgroup %s: populated %d descendants %d, the tree has %d and %d", cg->name,
				       cg->nr_populated, cg->nr_descendants, pop, desc);
	if (cg->pids_peak < cg->nr_populated)
		return g_strdup_printf("cgroup %s: pids.peak %lld below pids.current %d", cg->name,
				       (long long)cg->pids_peak, cg->nr_populated);
	*populated = pop;
	*descendants = desc;
	return NULL;
}

char *cgroup_check_invariants(struct machine *m)
{
	GHashTable *tasks;
	GHashTableIter it;
	gpointer k, v;
	char *err = NULL;
	int pop, desc;

	if (!m->cgrp_root || !m->tasks)
		return NULL;
	tasks = g_hash_table_new(g_int64_hash, g_int64_equal);
	g_hash_table_iter_init(&it, m->tasks);
	while (!err && g_hash_table_iter_next(&it, &k, &v)) {
		const struct task_struct *t = v;

		if (!t->cgroups || cgroup_from_id(m, t->cgroups->id) != t->cgroups) {
			err = g_strdup_printf("task %d is in no live cgroup", t->pid);
			break;
		}
		g_hash_table_insert(tasks, &t->cgroups->id,
				    GINT_TO_POINTER(GPOINTER_TO_INT(g_hash_table_lookup(tasks, &t->cgroups->id)) + 1));
	}
	if (!err)
		err = check_cgroup(m->cgrp_root, tasks, &pop, &desc);
	if (!err && (guint)desc + 1 != g_hash_table_size(m->cgroups))
		err = g_strdup_printf("%u cgroups by id, %d in the tree", g_hash_table_size(m->cgroups), desc + 1);
	g_hash_table_destroy(tasks);
	return err;
}
