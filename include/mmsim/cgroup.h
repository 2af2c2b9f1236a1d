/*
 * The cgroup v2 hierarchy (kernel/cgroup/cgroup.c, kernel/cgroup/pids.c):
 * the tree of cgroups under sys/fs/cgroup, which tasks are where, the
 * controllers enabled for each subtree, and the pids controller.
 */
#ifndef MMSIM_CGROUP_H
#define MMSIM_CGROUP_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "mmsim/mm_types.h"

struct machine;

/* The controllers, in the kernel's subsystem order (cgroup.controllers) */
enum cgroup_subsys_id { memory_cgrp_id, pids_cgrp_id, CGROUP_SUBSYS_COUNT };
#define CGROUP_SS_ALL ((1u << CGROUP_SUBSYS_COUNT) - 1)

/* PIDS_MAX (kernel/cgroup/pids.c): pids.max's "max", one above the
 * highest PID */
#define PIDS_MAX (PID_MAX_LIMIT + 1LL)
/* cgroup.max.depth and cgroup.max.descendants' "max" */
#define CGROUP_MAX_UNLIMITED INT32_MAX

struct cgroup {
	char *name;                /* "" for the root */
	struct cgroup *parent;     /* NULL for the root */
	GPtrArray *children;       /* of struct cgroup *, in creation order */
	uint64_t id;               /* kernfs node id: the root is 1 */
	int level;                 /* the root is 0 */
	unsigned int subtree_control; /* (1 << ss id): cgroup.subtree_control */
	int nr_tasks;              /* tasks attached here */
	int nr_populated;          /* tasks here and below (pids.current) */
	int nr_descendants;        /* live cgroups below */
	int max_depth, max_descendants;
	int64_t pids_max;          /* pids.max, PIDS_MAX for "max" */
	int64_t pids_peak;         /* pids.peak */
	uint64_t pids_events_max;  /* forks refused at this cgroup's pids.max */
	struct mem_cgroup *memcg;  /* its memory controller state (memcontrol.h) */
};

extern const char *const cgroup_subsys_name[CGROUP_SUBSYS_COUNT];

/* The root with systemd's boot state: memory and pids enabled below it,
 * and init.scope for init (before tasks_init) */
void cgroup_init(struct machine *m);
void cgroup_destroy(struct machine *m);

/* By path from the root ("/a/b", "a/b", "" or "/" for the root), or NULL */
struct cgroup *cgroup_lookup(struct machine *m, const char *path);
struct cgroup *cgroup_from_id(struct machine *m, uint64_t id);
/* "/a/b" ("/" for the root) */
void cgroup_path(const struct cgroup *cg, GString *out);
char *cgroup_path_dup(const struct cgroup *cg);
/* The controllers a cgroup may use: its parent's subtree_control (all
 * of them at the root) */
unsigned int cgroup_control(const struct cgroup *cg);
/* Whether the controller's files are in the cgroup (enabled by the
 * parent; none of a controller's files are in the root) */
bool cgroup_has_subsys(const struct cgroup *cg, enum cgroup_subsys_id ss);

/* mkdir(2): 0, -EEXIST, -EINVAL (a bad name), -EAGAIN (cgroup.max.depth
 * or max.descendants); *out the new cgroup */
int cgroup_mkdir(struct machine *m, struct cgroup *parent, const char *name, struct cgroup **out);
/* rmdir(2): -EBUSY with tasks or children, -EBUSY for the root */
int cgroup_rmdir(struct machine *m, struct cgroup *cg);
/* The cgroup at path, made with its missing parents as systemd does for
 * a unit (spawn cgroup=); errors as cgroup_mkdir.  *made: the first
 * cgroup it made (NULL when all were there), for cgroup_mkdir_undo */
int cgroup_mkdir_p(struct machine *m, const char *path, struct cgroup **out, struct cgroup **made);
/* Remove what cgroup_mkdir_p made (empty cgroups) when what needed them
 * failed */
void cgroup_mkdir_undo(struct machine *m, struct cgroup *made);

/* cgroup.subtree_control: -ENOENT enabling what cgroup.controllers lacks,
 * -EBUSY disabling what a child enabled, or enabling in a non-root cgroup
 * with tasks */
int cgroup_subtree_control_apply(struct machine *m, struct cgroup *cg, unsigned int enable,
				 unsigned int disable);
/* Writing a PID to cgroup.procs: -EINVAL for a kernel thread, -EBUSY into
 * a non-root cgroup that gave its controllers to its children (the "no
 * internal process" rule).  Charges stay where they are. */
int cgroup_attach_task(struct machine *m, struct task_struct *t, struct cgroup *dst);
/* fork and spawn: whether dst (its pids.max up the tree) takes one more
 * task (-EAGAIN, pids.events max counted), then attach and detach */
int cgroup_can_fork(struct machine *m, struct cgroup *dst);
void cgroup_post_fork(struct machine *m, struct task_struct *t, struct cgroup *dst);
void cgroup_exit(struct machine *m, struct task_struct *t);
/* The tasks attached to cg, ascending by PID */
GArray *cgroup_task_pids(struct machine *m, const struct cgroup *cg);
/* pids.max: value PIDS_MAX or 0 .. INT_MAX */
void pids_max_set(struct cgroup *cg, int64_t value);

/* --debug-vm: every task in a live cgroup of the tree, each cgroup's
 * counts the sums of what is below it; NULL or what is wrong (g_free) */
char *cgroup_check_invariants(struct machine *m);

#endif
