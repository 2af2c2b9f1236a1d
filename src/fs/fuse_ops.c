/*
 * libfuse3 operations over the tree.  The read path is written once
 * (fuse_rw.c): a read at offset 0 renders a fresh snapshot under the model
 * lock and keeps it on the file handle; later offsets are served from it,
 * every read filled except at end of file (procfs seq_file behaviour).
 * Files are direct_io, size 0 and seekable, so that tools which stat
 * before reading still read.
 *
 * Three kinds of path:
 *  - fixed paths (proc/meminfo): one hash probe, no lock until the render;
 *  - proc/PID/...: the template node with the PID in the context; the
 *    process must be alive (checked under the model lock at every lookup,
 *    open, read and write), and it owns its files;
 *  - proc/PID/... of the caller's own real process when PID is not a
 *    simulated one: read-only passthrough to the real procfs (fuse_real.c).
 *    A simulated PID always wins.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuse_internal.h"
#include "mmsim/mount.h"
#include "mmsim/cgroup.h"
#include "mmsim/slab.h"
#include "trace_output.h"

void open_file_register(struct mmsim_fs *fs, struct open_file *of)
{
	g_mutex_init(&of->io);
	of->next_off = -1;
	g_mutex_lock(&fs->open_lock);
	if (!fs->open_files)
		fs->open_files = g_hash_table_new(g_direct_hash, g_direct_equal);
	g_hash_table_add(fs->open_files, of);
	g_mutex_unlock(&fs->open_lock);
}

static void open_file_free(struct open_file *of)
{
	if (of->real_fd >= 0)
		close(of->real_fd);
	if (of->snapshot)
		g_string_free(of->snapshot, TRUE);
	if (of->reply)
		g_string_free(of->reply, TRUE);
	if (of->pipe)
		g_string_free(of->pipe, TRUE);
	g_mutex_clear(&of->io);
	g_free(of->path);
	g_free(of);
}

struct path_match { const char *path; struct open_file *of; };

static gboolean match_path(gpointer key, gpointer value, gpointer data)
{
	struct open_file *of = key;
	struct path_match *pm = data;

	(void)value;
	if (of->path && !strcmp(of->path, pm->path)) {
		pm->of = of;
		return TRUE;
	}
	return FALSE;
}

/* The attributes of an open file of a process's directory, by its path
 * (found and used under open_lock: a release cannot free it meanwhile) */
static bool stat_open_file_by_path(struct mmsim_fs *fs, const char *path, struct stat *st)
{
	struct path_match pm = { path, NULL };

	while (*pm.path == '/')
		pm.path++;
	g_mutex_lock(&fs->open_lock);
	if (fs->open_files)
		g_hash_table_find(fs->open_files, match_path, &pm);
	if (pm.of) {
		mmsim_fs_lock(fs);
		fill_stat(fs, pm.of->node, pm.of->uid, pm.of->gid, st);
		mmsim_fs_unlock(fs);
	}
	g_mutex_unlock(&fs->open_lock);
	return pm.of != NULL;
}

static void open_file_free_cb(gpointer key, gpointer value, gpointer data)
{
	(void)value;
	(void)data;
	open_file_free(key);
}

/* ---------------------------------------------------------------- the model lock */

void mmsim_fs_lock_init(struct mmsim_fs *fs)
{
	struct model_lock *l = &fs->model_lock;

	g_mutex_init(&l->mutex);
	g_cond_init(&l->turn);
	l->next = l->owner = 0;
	g_mutex_init(&fs->trace_lock);
	g_cond_init(&fs->trace_cond);
}

void mmsim_fs_lock_clear(struct mmsim_fs *fs)
{
	g_cond_clear(&fs->model_lock.turn);
	g_mutex_clear(&fs->model_lock.mutex);
	g_cond_clear(&fs->trace_cond);
	g_mutex_clear(&fs->trace_lock);
}

void mmsim_fs_lock(struct mmsim_fs *fs)
{
	struct model_lock *l = &fs->model_lock;
	guint64 ticket;

	g_mutex_lock(&l->mutex);
	ticket = l->next++;
	while (l->owner != ticket)
		g_cond_wait(&l->turn, &l->mutex);
	g_mutex_unlock(&l->mutex);
}

/* Wake the trace_pipe readers when records arrived (model lock held) */
static void trace_wake_readers(struct mmsim_fs *fs)
{
	uint64_t gen = fs->m && fs->m->trace ? fs->m->trace->waiters_gen : 0;

	if (gen == fs->trace_gen)
		return;
	g_mutex_lock(&fs->trace_lock);
	fs->trace_gen = gen;
	g_cond_broadcast(&fs->trace_cond);
	g_mutex_unlock(&fs->trace_lock);
}

void mmsim_fs_unlock(struct mmsim_fs *fs)
{
	struct model_lock *l = &fs->model_lock;

	trace_wake_readers(fs);
	g_mutex_lock(&l->mutex);
	l->owner++;
	if (l->next != l->owner)
		g_cond_broadcast(&l->turn);
	g_mutex_unlock(&l->mutex);
}

/* Someone waits for the model lock (the kernel's spin_is_contended) */
bool mmsim_fs_lock_contended(struct mmsim_fs *fs)
{
	struct model_lock *l = &fs->model_lock;
	bool ret;

	g_mutex_lock(&l->mutex);
	ret = l->next - l->owner > 1;
	g_mutex_unlock(&l->mutex);
	return ret;
}

void mmsim_fs_sync_clock(struct mmsim_fs *fs)
{
	gint64 now_us;
	uint64_t want;

	if (fs->m->cfg.manual_clock)
		return;
	now_us = g_get_monotonic_time() - fs->start_mono_us;
	want = (uint64_t)now_us * 1000;
	if (want > fs->m->now_ns)
		machine_advance(fs->m, want - fs->m->now_ns);
}

/* ---------------------------------------------------------------- attributes and access */

/* (lock held) */
void fill_stat(struct mmsim_fs *fs, const struct fs_node *n, uid_t uid, gid_t gid, struct stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_mode = (n->is_dir ? S_IFDIR : n->is_link ? S_IFLNK : S_IFREG) | n->mode;
	st->st_nlink = n->is_dir ? 2 + (n->children ? n->children->len : 0) : 1;
	/* subdirectories resolved at lookup count too, as procfs's
	 * proc_root_getattr adds nr_processes() */
	if (n->dyn == FS_DYN_PIDS)
		st->st_nlink += g_hash_table_size(fs->m->tasks);
	else if (n->dyn == FS_DYN_TIDS)
		st->st_nlink += 1;
	st->st_uid = uid;
	st->st_gid = gid;
	st->st_size = 0;
	st->st_blksize = 4096;
	st->st_mtim.tv_sec = fs->m->boot_wall_sec + (time_t)(fs->m->now_ns / NSEC_PER_SEC);
	st->st_atim = st->st_ctim = st->st_mtim;
}

/* The permission check default_permissions would do (it costs a GETATTR
 * per path component on every open): root gets everything the mode allows
 * anyone, the owner the owner bits, the group the group bits, others the
 * other bits.  The mounter runs the simulation and counts as the owner of
 * every simulated process's files too. */
bool may_access(struct mmsim_fs *fs, unsigned int mode, uid_t uid, gid_t gid, unsigned int want)
{
	const struct fuse_context *c = fuse_get_context();

	if (c->uid == 0)
		return (mode & (want | (want << 3) | (want << 6))) != 0;
	if (c->uid == uid || c->uid == fs->uid)
		return (mode & (want << 6)) != 0;
	if (c->gid == gid)
		return (mode & (want << 3)) != 0;
	return (mode & want) != 0;
}

/* A process's directory outside proc/ (sim/explain/PID/): the mounting
 * user's, there while the process lives; never the real procfs */
static enum target_kind resolve_sim_pid(struct mmsim_fs *fs, struct target *t)
{
	bool alive;

	t->uid = fs->uid;
	t->gid = fs->gid;
	mmsim_fs_lock(fs);
	alive = fs_ctx_task(fs->m, &t->ctx) != NULL;
	mmsim_fs_unlock(fs);
	return t->kind = alive ? T_NODE : T_NONE;
}

/*
 * Resolve a path.  Fixed paths cost one hash probe and no lock.  Under
 * proc/PID/ the process is looked up under the model lock; when PID is
 * not simulated and is the caller's own, the real procfs answers.
 * T_NONE: nothing there (-ENOENT).
 */
enum target_kind resolve(struct mmsim_fs *fs, const char *path, struct target *t)
{
	const char *rest = "";
	struct task_struct *task;
	bool simulated;
	int pid;

	memset(t, 0, sizeof(*t));
	t->node = fs_tree_lookup(fs->tree, path, &t->ctx);
	if (t->node && t->ctx.pid < 0) {
		t->uid = fs->uid;
		t->gid = fs->gid;
		if (t->node->in_cache) {
			/* a cache's directory, a link to one, or nothing */
			mmsim_fs_lock(fs);
			t->node = fs_cache_node(fs->tree, fs->m, t->node, &t->ctx);
			mmsim_fs_unlock(fs);
			if (!t->node)
				return t->kind = T_NONE;
		}
		if (t->node->in_cgroup) {
			/* a cgroup's directory or file, or nothing */
			mmsim_fs_lock(fs);
			t->node = fs_cgroup_node(fs->m, t->node, path, &t->ctx);
			mmsim_fs_unlock(fs);
			if (!t->node)
				return t->kind = T_NONE;
		}
		return t->kind = T_NODE;
	}
	pid = fs_path_pid(path, &rest);
	if (!pid && t->node)
		return resolve_sim_pid(fs, t);
	if (!pid)
		return t->kind = T_NONE;
	mmsim_fs_lock(fs);
	simulated = find_task_by_pid(fs->m, pid) != NULL;
	task = t->node ? fs_ctx_task(fs->m, &t->ctx) : NULL;
	if (task) {
		t->uid = task->uid;
		t->gid = task->gid;
	}
	mmsim_fs_unlock(fs);
	if (task)
		return t->kind = T_NODE;
	if (simulated)
		return t->kind = T_NONE;
	t->real = real_path(fs, pid, rest);
	return t->kind = t->real ? T_REAL : T_NONE;
}

void target_clear(struct target *t)
{
	g_free(t->real);
	t->real = NULL;
}

/* ---------------------------------------------------------------- operations */

static int mmsim_getattr(const char *path, struct stat *st, struct fuse_file_info *fi)
{
	struct mmsim_fs *fs = fs_of_ctx();
	struct open_file *of = of_of(fi);
	struct target t;
	int ret = 0;

	if (of) {
		if (of->real_fd >= 0)
			return fstat(of->real_fd, st) ? -errno : 0;
		mmsim_fs_lock(fs);
		fill_stat(fs, of->node, of->uid, of->gid, st);
		mmsim_fs_unlock(fs);
		return 0;
	}
	switch (resolve(fs, path, &t)) {
	case T_NODE:
		mmsim_fs_lock(fs);
		fill_stat(fs, t.node, t.uid, t.gid, st);
		mmsim_fs_unlock(fs);
		break;
	case T_REAL:
		ret = real_getattr(fs, t.real, st);
		break;
	case T_NONE:
		/* fstat of a descriptor whose process has gone: the kernel asks
		 * by path, and procfs answers as long as the file is open */
		if (!stat_open_file_by_path(fs, path, st))
			ret = -ENOENT;
		break;
	}
	target_clear(&t);
	return ret;
}

static int mmsim_readlink(const char *path, char *buf, size_t size)
{
	struct mmsim_fs *fs = fs_of_ctx();
	struct target t;
	int ret = 0;

	if (size == 0)
		return -EINVAL;
	switch (resolve(fs, path, &t)) {
	case T_NODE: {
		GString *s;

		if (!t.node->is_link) {
			ret = -EINVAL;
			break;
		}
		/* proc/self and thread-self point at the caller */
		if (!t.node->in_pid && !t.node->in_cache) {
			t.ctx.pid = caller_tgid(fs, &t.ctx.tid);
			if (t.ctx.pid <= 0) {
				ret = -ENOENT;
				break;
			}
		}
		s = g_string_sized_new(64);
		mmsim_fs_lock(fs);
		ret = fs_node_render(fs->m, t.node, &t.ctx, s);
		mmsim_fs_unlock(fs);
		/* a link with no target (a kernel thread's exe) is not there */
		if (!ret && !s->len)
			ret = -ENOENT;
		if (!ret) {
			size_t n = MIN(s->len, size - 1);

			memcpy(buf, s->str, n);
			buf[n] = '\0';
		}
		g_string_free(s, TRUE);
		if (ret == -ESRCH)
			ret = -ENOENT;
		break;
	}
	case T_REAL:
		ret = real_readlink(fs, t.real, buf, size);
		break;
	case T_NONE:
		ret = -ENOENT;
		break;
	}
	target_clear(&t);
	return ret;
}

static int fill_dir_entry(void *buf, fuse_fill_dir_t filler, const struct fs_node *c)
{
	struct stat st = { .st_mode = c->is_dir ? S_IFDIR : c->is_link ? S_IFLNK : S_IFREG };

	return filler(buf, c->name, &st, 0, 0);
}

/* A cgroup's child cgroups (ctx->cgrp 0: the root's) */
static void fill_cgroups(struct mmsim_fs *fs, const struct fs_ctx *ctx, void *buf, fuse_fill_dir_t filler)
{
	struct stat st = { .st_mode = S_IFDIR };
	GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
	const struct cgroup *cg;

	mmsim_fs_lock(fs);
	cg = ctx->cgrp ? cgroup_from_id(fs->m, ctx->cgrp) : fs->m->cgrp_root;
	for (guint i = 0; cg && i < cg->children->len; i++)
		g_ptr_array_add(names, g_strdup(((const struct cgroup *)g_ptr_array_index(cg->children, i))->name));
	mmsim_fs_unlock(fs);
	for (guint i = 0; i < names->len; i++)
		if (filler(buf, g_ptr_array_index(names, i), &st, 0, 0))
			break;
	g_ptr_array_free(names, TRUE);
}

/* proc/PID/fd/ and fdinfo/: the task's descriptors, ascending */
static void fill_fds(struct mmsim_fs *fs, const struct fs_node *n, const struct fs_ctx *ctx, void *buf,
		     fuse_fill_dir_t filler)
{
	struct stat st = { .st_mode = n->dyn_child->is_link ? S_IFLNK : S_IFREG };
	struct task_struct *t;
	GArray *fds = NULL;
	char name[16];

	mmsim_fs_lock(fs);
	if ((t = fs_ctx_task(fs->m, ctx)))
		fds = task_fds(t);
	mmsim_fs_unlock(fs);
	for (guint i = 0; fds && i < fds->len; i++) {
		g_snprintf(name, sizeof(name), "%d", g_array_index(fds, int, i));
		if (filler(buf, name, &st, 0, 0))
			break;
	}
	if (fds)
		g_array_free(fds, TRUE);
}

/* Whether a fixed child of a directory is listed: a cgroup's files only
 * where the cgroup has them */
static bool child_listed(struct mmsim_fs *fs, const struct fs_ctx *ctx, const struct fs_node *c)
{
	const struct cgroup *cg;
	bool listed;

	if (!c->in_cgroup || c->is_dir)
		return true;
	mmsim_fs_lock(fs);
	cg = cgroup_from_id(fs->m, ctx->cgrp);
	listed = cg && fs_cgroup_file_visible(cg, c->name);
	mmsim_fs_unlock(fs);
	return listed;
}

/* The numbered entries of a directory that has them: every live PID
 * (ascending) under proc/, the threads under proc/PID/task/ */
static void fill_dyn(struct mmsim_fs *fs, const struct fs_node *n, const struct fs_ctx *ctx, void *buf,
		     fuse_fill_dir_t filler)
{
	struct stat st = { .st_mode = S_IFDIR };
	char name[16];
	GArray *pids;

	if (n->dyn == FS_DYN_TIDS) {
		/* one thread per process so far: the leader, TID = PID */
		g_snprintf(name, sizeof(name), "%d", ctx->pid);
		filler(buf, name, &st, 0, 0);
		return;
	}
	if (n->dyn == FS_DYN_CACHES) {
		/* sys/kernel/slab/: a directory per cache (named by its unique
		 * id when it may be merged), then the names linking to those */
		GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
		GPtrArray *caches;
		GPtrArray *links = g_ptr_array_new_with_free_func(g_free);
		struct stat lst = { .st_mode = S_IFLNK };
		char dir[48];

		mmsim_fs_lock(fs);
		caches = slab_caches(fs->m);
		for (guint i = 0; i < caches->len; i++) {
			const struct kmem_cache *s = g_ptr_array_index(caches, i);

			slab_sysfs_dirname(s, dir, sizeof(dir));
			g_ptr_array_add(names, g_strdup(dir));
			if (!kmem_cache_mergeable(s))
				continue;
			g_ptr_array_add(links, g_strdup(s->name));
			for (guint a = 0; a < s->aliases->len; a++)
				g_ptr_array_add(links, g_strdup(g_ptr_array_index(s->aliases, a)));
		}
		g_ptr_array_free(caches, TRUE);
		mmsim_fs_unlock(fs);
		for (guint i = 0; i < names->len; i++)
			if (filler(buf, g_ptr_array_index(names, i), &st, 0, 0))
				goto done;
		for (guint i = 0; i < links->len; i++)
			if (filler(buf, g_ptr_array_index(links, i), &lst, 0, 0))
				break;
done:
		g_ptr_array_free(links, TRUE);
		g_ptr_array_free(names, TRUE);
		return;
	}
	if (n->dyn == FS_DYN_CGROUPS) {
		fill_cgroups(fs, ctx, buf, filler);
		return;
	}
	if (n->dyn == FS_DYN_FDS) {
		fill_fds(fs, n, ctx, buf, filler);
		return;
	}
	if (n->dyn != FS_DYN_PIDS)
		return;
	mmsim_fs_lock(fs);
	pids = task_pids(fs->m);
	mmsim_fs_unlock(fs);
	for (guint i = 0; i < pids->len; i++) {
		g_snprintf(name, sizeof(name), "%d", g_array_index(pids, int, i));
		if (filler(buf, name, &st, 0, 0))
			break;
	}
	g_array_free(pids, TRUE);
}

static int mmsim_readdir(const char *path, void *buf, fuse_fill_dir_t filler, off_t off,
			 struct fuse_file_info *fi, enum fuse_readdir_flags flags)
{
	struct mmsim_fs *fs = fs_of_ctx();
	struct target t;
	int ret = 0;

	(void)off;
	(void)fi;
	(void)flags;
	switch (resolve(fs, path, &t)) {
	case T_NODE:
		if (!t.node->is_dir) {
			ret = -ENOTDIR;
			break;
		}
		filler(buf, ".", NULL, 0, 0);
		filler(buf, "..", NULL, 0, 0);
		for (guint i = 0; i < t.node->children->len; i++) {
			const struct fs_node *c = g_ptr_array_index(t.node->children, i);

			if (child_listed(fs, &t.ctx, c) && fill_dir_entry(buf, filler, c))
				break;
		}
		fill_dyn(fs, t.node, &t.ctx, buf, filler);
		break;
	case T_REAL:
		ret = real_readdir(fs, t.real, buf, filler);
		break;
	case T_NONE:
		ret = -ENOENT;
		break;
	}
	target_clear(&t);
	return ret;
}

int mmsim_open(const char *path, struct fuse_file_info *fi)
{
	struct mmsim_fs *fs = fs_of_ctx();
	int acc = fi->flags & O_ACCMODE;
	struct open_file *of;
	struct target t;
	int ret = 0;

	switch (resolve(fs, path, &t)) {
	case T_NONE:
		return -ENOENT;
	case T_REAL:
		ret = open_real(fs, t.real, fi);
		target_clear(&t);
		return ret;
	case T_NODE:
		break;
	}
	if (t.node->is_dir)
		return -EISDIR;
	if (t.node->is_link)
		return -ELOOP;
	if ((acc == O_WRONLY || acc == O_RDWR) && !may_access(fs, t.node->mode, t.uid, t.gid, 02))
		return -EACCES;
	if ((acc == O_RDONLY || acc == O_RDWR) && !may_access(fs, t.node->mode, t.uid, t.gid, 04))
		return -EACCES;
	of = g_new0(struct open_file, 1);
	open_file_register(fs, of);
	of->node = t.node;
	of->ctx = t.ctx;
	of->uid = t.uid;
	of->gid = t.gid;
	of->real_fd = -1;
	if (t.node->in_pid || t.node->in_cgroup) {
		/* the path with its numbers or names, for the handlers and the log */
		while (*path == '/')
			path++;
		of->path = g_strdup(path);
		of->ctx.path = of->path;
	}
	/* file_ns_capable(CAP_SYS_ADMIN) at open, as pagemap asks: root and
	 * the mounting user (the simulated machine's administrator) */
	of->ctx.cap_sys_admin = fuse_get_context()->uid == 0 || fuse_get_context()->uid == fs->uid;
	of->is_pipe = t.node->entry && trace_node_is_pipe(t.node->entry->render);
	if ((fi->flags & O_TRUNC) && acc != O_RDONLY)
		open_truncate(fs, t.node, &of->ctx);
	fi->fh = (uint64_t)(uintptr_t)of;
	fi->direct_io = 1;
	fi->keep_cache = 0;
	fi->nonseekable = 0;
	return 0;
}

static int mmsim_release(const char *path, struct fuse_file_info *fi)
{
	struct mmsim_fs *fs = fs_of_ctx();
	struct open_file *of = of_of(fi);

	(void)path;
	g_mutex_lock(&fs->open_lock);
	if (fs->open_files)
		g_hash_table_remove(fs->open_files, of);
	g_mutex_unlock(&fs->open_lock);
	open_file_free(of);
	return 0;
}

void mmsim_fs_release_all(struct mmsim_fs *fs)
{
	if (!fs->open_files)
		return;
	g_hash_table_foreach(fs->open_files, open_file_free_cb, NULL);
	g_hash_table_destroy(fs->open_files);
	fs->open_files = NULL;
}

static void *mmsim_init(struct fuse_conn_info *conn, struct fuse_config *cfg)
{
	(void)conn;
	cfg->direct_io = 1;
	/* The high-level API has one entry timeout for all: 1 s keeps opens of
	 * the fixed files cheap.  Attributes are never cached, so a stat of a
	 * dead PID's directory asks us at once and gets ENOENT; open, read and
	 * write check the process too, and negative entries are not cached,
	 * so a new PID appears at once. */
	cfg->entry_timeout = 1.0;
	cfg->attr_timeout = 0.0;
	cfg->negative_timeout = 0.0;
	cfg->use_ino = 0;
	return fuse_get_context()->private_data;
}

const struct fuse_operations mmsim_fuse_ops = {
	.init = mmsim_init,
	.getattr = mmsim_getattr,
	.readlink = mmsim_readlink,
	.readdir = mmsim_readdir,
	.open = mmsim_open,
	.read = mmsim_read,
	.write = mmsim_write,
	.truncate = mmsim_truncate,
	.release = mmsim_release,
	.access = mmsim_access,
	.create = mmsim_create,
	.mknod = mmsim_mknod,
	.mkdir = mmsim_mkdir,
	.symlink = mmsim_symlink,
	.unlink = mmsim_unlink,
	.rmdir = mmsim_rmdir,
	.rename = mmsim_rename,
	.link = mmsim_link,
	.chmod = mmsim_chmod,
	.chown = mmsim_chown,
	.utimens = mmsim_utimens,
};
