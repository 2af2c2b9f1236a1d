/*
 * The mounted tree as a table: fs-layout's entries expanded for one machine
 * ({N} over its nodes, {C} over its CPUs) into directory and file nodes
 * found by path.  {PID} and {TID} cannot be expanded once, processes come
 * and go: the entries under them form a template subtree (paths with the
 * literal "{PID}"), and a lookup of "proc/1234/stat" maps to the template
 * node "proc/{PID}/stat" with a context saying pid 1234.  Whether 1234 is
 * alive is the machine's to say, under the model lock (fs_ctx_task).
 * No FUSE here: the fuse_*.c files ask the tree, the tests may too.
 */
#ifndef MMSIM_FS_TREE_H
#define MMSIM_FS_TREE_H

#include <glib.h>
#include <stdbool.h>

#include "render.h"

/* fs-layout's mode for a symbolic link (proc/self): lrwxrwxrwx */
#define LAYOUT_MODE_LINK 0777

/* What a directory lists after its fixed children */
enum fs_dyn {
	FS_DYN_NONE,
	FS_DYN_PIDS,   /* proc/: every live PID, ascending */
	FS_DYN_TIDS,   /* proc/PID/task/: the process's threads */
	FS_DYN_CACHES, /* sys/kernel/slab/: every slab cache name */
	FS_DYN_CGROUPS, /* sys/fs/cgroup/ and each cgroup: the child cgroups */
	FS_DYN_FDS,    /* proc/PID/fd/ and fdinfo/: the task's descriptors */
};

struct fs_node {
	char *path;                       /* without leading '/'; "" is the root */
	const char *name;                 /* basename, inside path */
	bool is_dir;
	bool is_link;                     /* render gives the target */
	bool in_pid;                      /* under proc/{PID}/: owned by the task */
	bool in_cache;                    /* under sys/kernel/slab/{CACHE}/ */
	bool in_cgroup;                   /* sys/fs/cgroup/{CGROUP} and below */
	unsigned int mode;
	const struct layout_entry *entry; /* NULL for implied directories */
	struct fs_ctx ctx;                /* pid/tid -1: filled in per lookup */
	GPtrArray *children;              /* of struct fs_node *, in listing order */
	enum fs_dyn dyn;                  /* numbered children resolved at lookup */
	struct fs_node *dyn_child;        /* their template ("proc/{PID}") */
	struct fs_node *dyn_link;         /* FS_DYN_CACHES: the template of a name
					     that is a symbolic link */
};

struct fs_tree {
	GHashTable *by_path;   /* path -> struct fs_node * (owned): fixed paths */
	GHashTable *templates; /* "proc/{PID}/..." -> struct fs_node * (owned) */
	struct fs_node *root;
	struct fs_node *cache_link;  /* "sys/kernel/slab/{CACHE_LINK}" */
};

struct fs_tree *fs_tree_new(const struct machine *m);
void fs_tree_free(struct fs_tree *t);

/*
 * Lookup by FUSE path ("/proc/meminfo") or relative path ("proc/meminfo").
 * ctx (may be NULL) receives the context the node's handlers see: for a
 * fixed path the node's own, one hash probe and no lock; under proc/PID/
 * the template node's with pid (and tid) from the path.  Such a node names
 * a process that may not exist: ask fs_ctx_task under the model lock.
 */
struct fs_node *fs_tree_lookup(struct fs_tree *t, const char *path, struct fs_ctx *ctx);

/*
 * "proc/PID" or "proc/PID/REST" (leading '/' allowed): PID, with *rest set
 * to "" or "REST".  0 for any other path.  A PID is decimal without a
 * leading zero, 1 .. INT_MAX, as procfs's name_to_int takes it.
 */
int fs_path_pid(const char *path, const char **rest);

/* The task a per-process context names, or NULL when it has exited, the
 * thread is not one of the process's or the descriptor is not open (lock
 * held).  NULL for a context
 * outside proc/PID too. */
struct task_struct *fs_ctx_task(struct machine *m, const struct fs_ctx *ctx);

/* Whether the slab cache a context names exists (lock held); true for a
 * context outside sys/kernel/slab/CACHE */
bool fs_ctx_cache_exists(struct machine *m, const struct fs_ctx *ctx);
/* A node under sys/kernel/slab/ as the machine has it (lock held): the
 * link template when the name is a link to a unique-id directory, n itself
 * otherwise, NULL when no cache has that name */
struct fs_node *fs_cache_node(struct fs_tree *t, struct machine *m, struct fs_node *n, const struct fs_ctx *ctx);

/* A node under sys/fs/cgroup/ as the machine has it (lock held): n with
 * ctx->cgrp set to the cgroup path names, or NULL when there is no such
 * cgroup or the file is not in it (a controller's files where the parent
 * has not enabled it, a child's files at the root) */
struct fs_node *fs_cgroup_node(struct machine *m, struct fs_node *n, const char *path, struct fs_ctx *ctx);
/* Whether a file of a cgroup is there (lock held) */
bool fs_cgroup_file_visible(const struct cgroup *cg, const char *name);
/* The cgroup a path under sys/fs/cgroup/ names ("sys/fs/cgroup/a/b"), or
 * NULL (lock held) */
struct cgroup *fs_cgroup_of_path(struct machine *m, const char *path);

/* Render a file's text into out (the caller holds the model lock):
 * 0, or -ESRCH when the process it belongs to has exited. */
int fs_node_render(struct machine *m, const struct fs_node *n, const struct fs_ctx *ctx, GString *out);
/* Read a binary file (n->entry->read) at off (the caller holds the model
 * lock): the bytes given, or -errno (-ESRCH for an exited process) */
ssize_t fs_node_read(struct machine *m, const struct fs_node *n, const struct fs_ctx *ctx, char *buf, size_t size,
		     off_t off);
/* Run a write against a file: 0 or -errno; reply gets what a read of the
 * same descriptor shows (the ctl files).  -ESRCH for an exited process. */
int fs_node_write(struct machine *m, const struct fs_node *n, const struct fs_ctx *ctx, const char *buf,
		  size_t len, GString *reply);

#endif
