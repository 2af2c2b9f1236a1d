/*
 * libfuse3 operations over the tree.  The read path is written once: a read
 * at offset 0 renders a fresh snapshot under the model lock and keeps it on
 * the file handle; later offsets are served from it, every read filled
 * except at end of file (procfs seq_file behaviour).  Files are direct_io,
 * size 0 and seekable, so that tools which stat before reading still read.
 *
 * Three kinds of path:
 *  - fixed paths (proc/meminfo): one hash probe, no lock until the render;
 *  - proc/PID/...: the template node with the PID in the context; the
 *    process must be alive (checked under the model lock at every lookup,
 *    open, read and write), and it owns its files;
 *  - proc/PID/... of the caller's own real process when PID is not a
 *    simulated one: read-only passthrough to the real procfs, through the
 *    directory descriptor opened at start (procps reads /proc/self/stat,
 *    and self points at the caller).  A simulated PID always wins.
 */
#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/capability.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "fuse_ops.h"
#include "mmsim/slab.h"
#include "trace_output.h"

struct open_file {
	struct fs_node *node;  /* NULL for a passthrough file */
	struct fs_ctx ctx;     /* this open's own context: pid, tid, path */
	char *path;            /* ctx.path's storage for a per-PID file */
	uid_t uid;             /* the owner at open */
	gid_t gid;
	int real_fd;           /* passthrough: the real procfs file; else -1 */
	GMutex io;             /* a read and a write through the descriptor at once */
	GString *snapshot;     /* rendered at the last read at offset 0 */
	GString *reply;        /* replies to the writes since the last read */
	GString *pipe;         /* trace_pipe: text consumed, not yet read */
	bool is_pipe;
	off_t snap_base;       /* the file offset the snapshot starts at */
	off_t next_off;        /* where a request continuing the last write would start, or -1 */
	bool wrote;
	bool read_since_write;
};

/*
 * The kernel cuts a large write(2) into FUSE requests of max_write bytes
 * (128 KiB or more; the first less the buffer's offset in its page), sends
 * them one after the other and stops at the first that fails or takes
 * fewer bytes than it carried: the write(2) returns the bytes taken before
 * it, or its error if it was the first.  A shorter request is the last of
 * its write(2), and no command line is longer than CTL_MAX_LINE, so 64 KiB
 * separates the requests that may be cut from a larger write from the rest.
 *
 * A ctl file takes whole lines only.  A request that may go on in the next
 * takes up to its last newline: the short count makes the writer send the
 * cut line again, whole, at the start of its next write(2).  A command that
 * fails makes its request fail, unless that request continues a write(2)
 * and lines of it ran: then it takes those lines (a short count), and the
 * writer's next write(2) starts at the failing line, whose error it gets.
 * So what a write reports written is exactly what ran, however it is cut.
 */
#define SPLIT_WRITE_MIN (64 * 1024)

static struct mmsim_fs *fs_of_ctx(void)
{
	return fuse_get_context()->private_data;
}

static struct open_file *of_of(const struct fuse_file_info *fi)
{
	return fi ? (struct open_file *)(uintptr_t)fi->fh : NULL;
}

static void open_file_register(struct mmsim_fs *fs, struct open_file *of)
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

static void fill_stat(struct mmsim_fs *fs, const struct fs_node *n, uid_t uid, gid_t gid, struct stat *st);

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
static bool mmsim_fs_lock_contended(struct mmsim_fs *fs)
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

/* ---------------------------------------------------------------- the caller */

/* The caller's thread-group id: FUSE gives the thread id, the real
 * /proc/TID/status says its Tgid.  -1 when the caller has no PID here. */
static int caller_tgid(struct mmsim_fs *fs, int *tid_out)
{
	int tid = (int)fuse_get_context()->pid;
	char name[32], buf[512];
	const char *p;
	ssize_t n;
	int fd, tgid = tid;

	if (tid_out)
		*tid_out = tid;
	if (tid <= 0)
		return -1;
	if (fs->procfd < 0)
		return tid;
	g_snprintf(name, sizeof(name), "%d/status", tid);
	fd = openat(fs->procfd, name, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return tid;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n > 0) {
		buf[n] = '\0';
		p = strstr(buf, "\nTgid:");
		if (p)
			tgid = atoi(p + 6);
	}
	return tgid > 0 ? tgid : tid;
}

/* ---------------------------------------------------------------- the real procfs */

/*
 * The real procfs is asked with the caller's credentials, never the
 * daemon's: a root daemon would otherwise open a user's own pagemap with
 * PFNs and its kernel stack, which procfs refuses the user.  The switch
 * is for this thread alone (raw system calls: glibc's wrappers change
 * every thread of the process), uid and gid effective only, no
 * supplementary groups; leaving euid 0 clears the effective capabilities
 * and coming back restores them.  A daemon that may not switch (not root)
 * and has no capability has no more rights over the caller's own process
 * than the caller, and asks with its own.
 */
struct saved_creds {
	bool switched;
	uid_t euid;
	gid_t egid;
	int ngroups;
	gid_t *groups;
};

static bool has_capabilities(void)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2] = { 0 };

	return syscall(SYS_capget, &h, d) != 0 || d[0].effective || d[1].effective;
}

static void revert_creds(struct saved_creds *old)
{
	if (!old->switched)
		return;
	/* back to what the thread had: cannot fail, and must not */
	if (syscall(SYS_setresuid, -1, old->euid, -1) || syscall(SYS_setresgid, -1, old->egid, -1) ||
	    syscall(SYS_setgroups, old->ngroups, old->groups))
		g_error("cannot restore the daemon's credentials: %s", g_strerror(errno));
	g_free(old->groups);
	old->switched = false;
}

static int override_creds(uid_t uid, gid_t gid, struct saved_creds *old)
{
	memset(old, 0, sizeof(*old));
	old->euid = geteuid();
	old->egid = getegid();
	if (uid == old->euid && gid == old->egid)
		return 0;
	old->ngroups = getgroups(0, NULL);
	old->groups = g_new0(gid_t, MAX(old->ngroups, 1));
	old->ngroups = getgroups(old->ngroups, old->groups);
	if (old->ngroups < 0 || syscall(SYS_setgroups, 0, NULL)) {
		g_clear_pointer(&old->groups, g_free);
		return has_capabilities() ? -EACCES : 0;
	}
	old->switched = true;
	if (syscall(SYS_setresgid, -1, gid, -1) || syscall(SYS_setresuid, -1, uid, -1)) {
		revert_creds(old);
		return -EACCES;
	}
	return 0;
}

/* Open a path of the real procfs, relative to it ("1234/stat"), as the
 * caller: never through a magic link (proc/PID/cwd would lead out of
 * procfs) nor above it.  A descriptor or -errno. */
static int real_open(struct mmsim_fs *fs, const char *rel, int flags)
{
	const struct fuse_context *c = fuse_get_context();
	struct open_how how = {
		.flags = (uint64_t)(flags | O_CLOEXEC),
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS,
	};
	struct saved_creds old;
	int fd;

	if (fs->procfd < 0)
		return -ENOENT;
	fd = override_creds(c->uid, c->gid, &old);
	if (fd < 0)
		return fd;
	fd = (int)syscall(SYS_openat2, fs->procfd, rel, &how, sizeof(how));
	if (fd < 0 && errno == ENOSYS)
		fd = openat(fs->procfd, rel, flags | O_CLOEXEC | O_NOFOLLOW);
	fd = fd < 0 ? -errno : fd;
	revert_creds(&old);
	return fd;
}

/* "PID" or "PID/REST" of the real procfs, when PID is the caller's own
 * process and not a simulated one (the caller checked that); else NULL */
static char *real_path(struct mmsim_fs *fs, int pid, const char *rest)
{
	if (pid != caller_tgid(fs, NULL))
		return NULL;
	return *rest ? g_strdup_printf("%d/%s", pid, rest) : g_strdup_printf("%d", pid);
}

static int real_getattr(struct mmsim_fs *fs, const char *rel, struct stat *st)
{
	int fd = real_open(fs, rel, O_PATH | O_NOFOLLOW);
	int ret;

	if (fd < 0)
		return fd;
	ret = fstat(fd, st) ? -errno : 0;
	close(fd);
	return ret;
}

/* Fill a read from the real file: whole, except at end of file; as the
 * opener (procfs checks some files at each read) */
static int real_read(const struct open_file *of, char *buf, size_t size, off_t off)
{
	struct saved_creds old;
	size_t done = 0;
	int ret = override_creds(of->uid, of->gid, &old);

	if (ret < 0)
		return ret;
	while (done < size) {
		ssize_t n = pread(of->real_fd, buf + done, size - done, off + (off_t)done);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			ret = done ? 0 : -errno;
			break;
		}
		if (n == 0)
			break;
		done += (size_t)n;
	}
	revert_creds(&old);
	return ret < 0 ? ret : (int)done;
}

/* ---------------------------------------------------------------- attributes and access */

/* (lock held) */
static void fill_stat(struct mmsim_fs *fs, const struct fs_node *n, uid_t uid, gid_t gid, struct stat *st)
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
static bool may_access(struct mmsim_fs *fs, unsigned int mode, uid_t uid, gid_t gid, unsigned int want)
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

/* What a path names */
enum target_kind { T_NONE, T_NODE, T_REAL };

struct target {
	enum target_kind kind;
	struct fs_node *node;   /* T_NODE */
	struct fs_ctx ctx;      /* T_NODE: its context (path: the template's) */
	uid_t uid;              /* T_NODE: the owner */
	gid_t gid;
	char *real;             /* T_REAL: the path in the real procfs (owned) */
};

/*
 * Resolve a path.  Fixed paths cost one hash probe and no lock.  Under
 * proc/PID/ the process is looked up under the model lock; when PID is
 * not simulated and is the caller's own, the real procfs answers.
 * T_NONE: nothing there (-ENOENT).
 */
static enum target_kind resolve(struct mmsim_fs *fs, const char *path, struct target *t)
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
		return t->kind = T_NODE;
	}
	pid = fs_path_pid(path, &rest);
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

static void target_clear(struct target *t)
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
	case T_REAL: {
		int fd = real_open(fs, t.real, O_PATH | O_NOFOLLOW);
		struct saved_creds old;
		ssize_t n;

		if (fd < 0) {
			ret = fd;
			break;
		}
		ret = override_creds(fuse_get_context()->uid, fuse_get_context()->gid, &old);
		n = ret ? -1 : readlinkat(fd, "", buf, size - 1);
		if (!ret)
			ret = n < 0 ? -errno : 0;
		revert_creds(&old);
		if (n >= 0)
			buf[n] = '\0';
		close(fd);
		break;
	}
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

static int real_readdir(struct mmsim_fs *fs, const char *rel, void *buf, fuse_fill_dir_t filler)
{
	int fd = real_open(fs, rel, O_RDONLY | O_DIRECTORY);
	struct saved_creds old;
	struct dirent *de;
	DIR *d;
	int ret;

	if (fd < 0)
		return fd;
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return -errno;
	}
	/* procfs checks some directories (fd/) as they are read */
	ret = override_creds(fuse_get_context()->uid, fuse_get_context()->gid, &old);
	if (!ret) {
		while ((de = readdir(d))) {
			struct stat st = { .st_mode = (mode_t)DTTOIF(de->d_type) };

			if (filler(buf, de->d_name, &st, 0, 0))
				break;
		}
		revert_creds(&old);
	}
	closedir(d);
	return ret;
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
		for (guint i = 0; i < t.node->children->len; i++)
			if (fill_dir_entry(buf, filler, g_ptr_array_index(t.node->children, i)))
				break;
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

static int open_real(struct mmsim_fs *fs, const char *rel, struct fuse_file_info *fi)
{
	struct open_file *of;
	int fd;

	if ((fi->flags & O_ACCMODE) != O_RDONLY)
		return -EACCES;
	fd = real_open(fs, rel, O_RDONLY);
	if (fd < 0)
		return fd;
	of = g_new0(struct open_file, 1);
	of->real_fd = fd;
	of->uid = fuse_get_context()->uid;
	of->gid = fuse_get_context()->gid;
	open_file_register(fs_of_ctx(), of);
	fi->fh = (uint64_t)(uintptr_t)of;
	fi->direct_io = 1;
	return 0;
}

/* What an open with O_TRUNC does to a tracefs file (trace, set_event) */
static void open_truncate(struct mmsim_fs *fs, const struct fs_node *n, const struct fs_ctx *ctx)
{
	if (!n->entry || !n->entry->render)
		return;
	mmsim_fs_lock(fs);
	trace_open_truncate(fs->m, n->entry->render, ctx);
	mmsim_fs_unlock(fs);
}

static int mmsim_open(const char *path, struct fuse_file_info *fi)
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
	if (t.node->in_pid) {
		/* the path with its numbers, for the handlers and the log */
		while (*path == '/')
			path++;
		of->path = g_strdup(path);
		of->ctx.path = of->path;
	}
	of->is_pipe = t.node->entry && trace_node_is_pipe(t.node->entry->render);
	if ((fi->flags & O_TRUNC) && acc != O_RDONLY)
		open_truncate(fs, t.node, &of->ctx);
	fi->fh = (uint64_t)(uintptr_t)of;
	fi->direct_io = 1;
	fi->keep_cache = 0;
	fi->nonseekable = 0;
	return 0;
}

/* ---------------------------------------------------------------- names and attributes */

/*
 * The tree's names and modes are fixed.  What Linux answers to changing
 * them depends on the filesystem and the directory:
 *  - procfs's lookup of a name it does not have fails (ENOENT) before
 *    anything else is asked, so making any name under proc/ is ENOENT;
 *  - kernfs (sysfs; the tree's own root and sim/ answer the same) finds no
 *    such name, checks write permission on the directory (0555: EACCES to
 *    all but root), then has no such operation: EACCES for a regular
 *    file (vfs_create), EPERM for mkdir, a device or fifo, symlink, link;
 *  - removing or renaming a name checks the directory (may_delete), then
 *    finds no such operation (EPERM); a process's directory refuses with
 *    EPERM whoever asks, proc/sys/ with EACCES even root;
 *  - a rename or link between proc/, sys/ and the rest crosses mounts
 *    (EXDEV), as between the real /proc and /sys.
 * cgroupfs (sys/fs/cgroup/) makes and removes cgroups with mkdir and
 * rmdir: those come in through mmsim_mkdir and mmsim_rmdir.
 */
enum dir_kind { DIR_KERNFS, DIR_PROC, DIR_PROC_PID, DIR_PROC_SYS };

/* The kind of the directory holding the name path */
static enum dir_kind dir_kind_of(const char *path)
{
	const char *rest = "";

	while (*path == '/')
		path++;
	if (strncmp(path, "proc/", 5))
		return DIR_KERNFS;
	if (fs_path_pid(path, &rest) && *rest)
		return DIR_PROC_PID;
	return strncmp(path, "proc/sys/", 9) ? DIR_PROC : DIR_PROC_SYS;
}

/* The mount a name is on: 'p' proc/, 's' sys/, 0 the tree's root */
static char mount_of(const char *path)
{
	while (*path == '/')
		path++;
	if (!strncmp(path, "proc/", 5))
		return 'p';
	return strncmp(path, "sys/", 4) ? 0 : 's';
}

static bool caller_is_root(void)
{
	return fuse_get_context()->uid == 0;
}

/* Making the name path, which does not exist; op_errno is kernfs's
 * answer to root */
static int new_name_errno(const char *path, int op_errno)
{
	if (dir_kind_of(path) != DIR_KERNFS)
		return -ENOENT;
	return caller_is_root() ? op_errno : -EACCES;
}

/* Removing or renaming the existing name path */
static int remove_errno(const char *path)
{
	switch (dir_kind_of(path)) {
	case DIR_PROC_PID:
		return -EPERM;
	case DIR_PROC_SYS:
		return -EACCES;
	default:
		return caller_is_root() ? -EPERM : -EACCES;
	}
}

/* The caller owns a file of owner uid: the mounter owns them all */
static bool is_owner(struct mmsim_fs *fs, uid_t uid)
{
	uid_t c = fuse_get_context()->uid;

	return c == uid || c == fs->uid;
}

static int mmsim_access(const char *path, int mask)
{
	struct mmsim_fs *fs = fs_of_ctx();
	struct saved_creds old;
	struct target t;
	int ret = 0, fd;

	switch (resolve(fs, path, &t)) {
	case T_NONE:
		return -ENOENT;
	case T_REAL:
		/* the caller's own process, read-only: procfs says the rest */
		fd = real_open(fs, t.real, O_PATH | O_NOFOLLOW);
		target_clear(&t);
		if (fd < 0)
			return fd;
		if (mask & W_OK)
			ret = -EACCES;
		else if (!(ret = override_creds(fuse_get_context()->uid, fuse_get_context()->gid, &old))) {
			ret = faccessat(fd, "", mask, AT_EMPTY_PATH | AT_EACCESS) ? -errno : 0;
			revert_creds(&old);
		}
		close(fd);
		return ret;
	case T_NODE:
		break;
	}
	if (t.node->is_link || (t.node->is_dir && caller_is_root()))
		return 0;
	for (int bit = 04; bit; bit >>= 1)
		if ((mask & bit) && !may_access(fs, t.node->mode, t.uid, t.gid, (unsigned int)bit))
			return -EACCES;
	return 0;
}

/* Whether path names something (the caller's own process: if procfs has it) */
static bool target_exists(struct mmsim_fs *fs, const char *path)
{
	struct target t;
	struct stat st;
	bool exists;

	exists = resolve(fs, path, &t) == T_NODE || (t.kind == T_REAL && !real_getattr(fs, t.real, &st));
	target_clear(&t);
	return exists;
}

static int mmsim_create(const char *path, mode_t mode, struct fuse_file_info *fi)
{
	(void)mode;
	/* there after all (made since the kernel looked): open it */
	if (target_exists(fs_of_ctx(), path))
		return mmsim_open(path, fi);
	return new_name_errno(path, -EACCES);
}

static int mmsim_mknod(const char *path, mode_t mode, dev_t rdev)
{
	(void)rdev;
	return new_name_errno(path, S_ISREG(mode) ? -EACCES : -EPERM);
}

static int mmsim_mkdir(const char *path, mode_t mode)
{
	(void)mode;
	return new_name_errno(path, -EPERM);
}

static int mmsim_symlink(const char *target, const char *path)
{
	(void)target;
	return new_name_errno(path, -EPERM);
}

static int mmsim_unlink(const char *path)
{
	return remove_errno(path);
}

static int mmsim_rmdir(const char *path)
{
	return remove_errno(path);
}

static int mmsim_rename(const char *from, const char *to, unsigned int flags)
{
	(void)flags;
	if (mount_of(from) != mount_of(to))
		return -EXDEV;
	if (!target_exists(fs_of_ctx(), to) && dir_kind_of(to) != DIR_KERNFS)
		return -ENOENT;
	return remove_errno(from);
}

static int mmsim_link(const char *from, const char *to)
{
	struct mmsim_fs *fs = fs_of_ctx();
	struct target t;
	bool may_link;

	if (dir_kind_of(to) != DIR_KERNFS)
		return -ENOENT;
	if (mount_of(from) != mount_of(to))
		return -EXDEV;
	if (caller_is_root())
		return -EPERM;
	/* protected_hardlinks (may_linkat): only a file the caller owns or
	 * may read and write, then the directory's permission */
	may_link = resolve(fs, from, &t) == T_NODE && !t.node->is_dir &&
		   (is_owner(fs, t.uid) || (may_access(fs, t.node->mode, t.uid, t.gid, 04) &&
					    may_access(fs, t.node->mode, t.uid, t.gid, 02)));
	target_clear(&t);
	return may_link ? -EACCES : -EPERM;
}

/* Modes are fixed, as those of a process's files and of proc/sys/ (Linux
 * would let root change those of sysfs and of proc's own files) */
static int mmsim_chmod(const char *path, mode_t mode, struct fuse_file_info *fi)
{
	(void)path;
	(void)mode;
	(void)fi;
	return -EPERM;
}

/* Owners too; chown to the owner it has is the no-op chown_ok allows */
static int mmsim_chown(const char *path, uid_t uid, gid_t gid, struct fuse_file_info *fi)
{
	struct mmsim_fs *fs = fs_of_ctx();
	struct open_file *of = of_of(fi);
	struct target t = { 0 };
	uid_t owner;
	gid_t group;

	if (of && of->node) {
		owner = of->uid;
		group = of->gid;
	} else if (!of && resolve(fs, path, &t) == T_NODE) {
		owner = t.uid;
		group = t.gid;
	} else {
		target_clear(&t);
		return -EPERM;
	}
	if ((uid == (uid_t)-1 || uid == owner) && (gid == (gid_t)-1 || gid == group) &&
	    (caller_is_root() || is_owner(fs, owner)))
		return 0;
	return -EPERM;
}

/* Times follow the simulated clock: setting them is accepted and
 * changes nothing, for whom Linux accepts it (setattr_prepare): the
 * owner and root; "now" for who may write the file */
static int mmsim_utimens(const char *path, const struct timespec tv[2], struct fuse_file_info *fi)
{
	struct mmsim_fs *fs = fs_of_ctx();
	bool now = !tv || (tv[0].tv_nsec == UTIME_NOW && tv[1].tv_nsec == UTIME_NOW);
	struct open_file *of = of_of(fi);
	struct target t = { 0 };
	int ret;

	if (caller_is_root())
		return 0;
	if (of && of->node)
		ret = is_owner(fs, of->uid) || (now && may_access(fs, of->node->mode, of->uid, of->gid, 02)) ? 0
		      : now ? -EACCES : -EPERM;
	else if (of)
		ret = 0;  /* the caller's own process's file */
	else
		switch (resolve(fs, path, &t)) {
		case T_NONE:
			ret = -ENOENT;
			break;
		case T_REAL:
			ret = 0;
			break;
		default:
			ret = is_owner(fs, t.uid) || (now && may_access(fs, t.node->mode, t.uid, t.gid, 02)) ? 0
			      : now ? -EACCES : -EPERM;
			break;
		}
	target_clear(&t);
	return ret;
}

/* A read of a tree file: the replies, or a snapshot (of->io held) */
static int read_node(struct mmsim_fs *fs, struct open_file *of, char *buf, size_t size, off_t off)
{
	size_t n;

	if (of->wrote && !of->read_since_write) {
		/* the first read after a write returns the replies, at whatever
		 * offset the descriptor stands (`exec 3<>ctl; echo .. >&3; cat <&3`) */
		if (!of->snapshot)
			of->snapshot = g_string_sized_new(4096);
		g_string_truncate(of->snapshot, 0);
		g_string_append_len(of->snapshot, of->reply->str, (gssize)of->reply->len);
		of->read_since_write = true;
		of->snap_base = off;
	} else if (off == 0 || !of->snapshot) {
		if (!of->snapshot)
			of->snapshot = g_string_sized_new(4096);
		g_string_truncate(of->snapshot, 0);
		of->snap_base = 0;
		if (of->wrote) {
			g_string_append_len(of->snapshot, of->reply->str, (gssize)of->reply->len);
		} else {
			int ret;

			mmsim_fs_lock(fs);
			mmsim_fs_sync_clock(fs);
			ret = fs_node_render(fs->m, of->node, &of->ctx, of->snapshot);
			mmsim_fs_unlock(fs);
			if (ret)
				return ret;
		}
	}
	if (off < of->snap_base)
		return 0;
	off -= of->snap_base;
	if ((size_t)off >= of->snapshot->len)
		return 0;
	n = MIN(size, of->snapshot->len - (size_t)off);
	memcpy(buf, of->snapshot->str + off, n);
	return (int)n;
}

/* trace_pipe's wait for a record: the model lock is not held; a slice
 * at a time, so that the reader's signal or the daemon's end stops it and
 * a realtime clock's kernel threads run meanwhile.  At most
 * MAX_PIPE_WAITERS readers wait, so the other requests keep workers. */
#define MAX_PIPE_WAITERS 2
#define PIPE_WAIT_SLICE_US (100 * 1000)

static int trace_pipe_wait(struct mmsim_fs *fs, uint64_t gen)
{
	struct fuse_context *c = fuse_get_context();
	int ret = 0;

	g_mutex_lock(&fs->trace_lock);
	if (fs->trace_waiters >= MAX_PIPE_WAITERS) {
		g_mutex_unlock(&fs->trace_lock);
		return -EAGAIN;
	}
	fs->trace_waiters++;
	while (fs->trace_gen == gen) {
		if (fuse_interrupted() || fuse_session_exited(fuse_get_session(c->fuse))) {
			ret = -EINTR;
			break;
		}
		if (!g_cond_wait_until(&fs->trace_cond, &fs->trace_lock,
				       g_get_monotonic_time() + PIPE_WAIT_SLICE_US))
			break;  /* a slice passed: look again (the clock may have moved) */
	}
	fs->trace_waiters--;
	g_mutex_unlock(&fs->trace_lock);
	return ret;
}

/* A read of trace_pipe: what was consumed and not yet read, else the
 * records there are, else wait for one (of->io held) */
static int read_pipe(struct mmsim_fs *fs, struct open_file *of, char *buf, size_t size, bool nonblock)
{
	for (;;) {
		uint64_t gen;
		size_t n;
		int ret;

		if (!of->pipe)
			of->pipe = g_string_new(NULL);
		if (of->pipe->len) {
			n = MIN(size, of->pipe->len);
			memcpy(buf, of->pipe->str, n);
			g_string_erase(of->pipe, 0, (gssize)n);
			return (int)n;
		}
		mmsim_fs_lock(fs);
		mmsim_fs_sync_clock(fs);
		trace_pipe_read(fs->m, &of->ctx, of->pipe, size);
		gen = fs->m->trace->waiters_gen;
		mmsim_fs_unlock(fs);
		if (of->pipe->len)
			continue;
		if (nonblock)
			return -EAGAIN;
		ret = trace_pipe_wait(fs, gen);
		if (ret)
			return ret;
	}
}

static int mmsim_read(const char *path, char *buf, size_t size, off_t off, struct fuse_file_info *fi)
{
	struct mmsim_fs *fs = fs_of_ctx();
	struct open_file *of = of_of(fi);
	int ret;

	(void)path;
	if (of->real_fd >= 0)
		return real_read(of, buf, size, off);
	g_mutex_lock(&of->io);
	if (of->is_pipe)
		ret = read_pipe(fs, of, buf, size, fi->flags & O_NONBLOCK);
	else
		ret = read_node(fs, of, buf, size, off);
	g_mutex_unlock(&of->io);
	return ret;
}

/* Between two commands of a write, as the kernel's cond_resched_lock() in
 * a long loop with its signal check: the writer's signal (an interrupt
 * request) or the daemon's end stops the write; whoever waits for the model
 * lock gets it first */
static int write_cond_resched(void)
{
	struct fuse_context *c = fuse_get_context();
	struct mmsim_fs *fs = c->private_data;

	if (fuse_interrupted() || fuse_session_exited(fuse_get_session(c->fuse)))
		return -EINTR;
	if (mmsim_fs_lock_contended(fs)) {
		mmsim_fs_unlock(fs);
		mmsim_fs_lock(fs);
		mmsim_fs_sync_clock(fs);
	}
	return 0;
}

static int mmsim_write(const char *path, const char *buf, size_t size, off_t off, struct fuse_file_info *fi)
{
	struct mmsim_fs *fs = fs_of_ctx();
	struct open_file *of = of_of(fi);
	struct fs_write w = {
		.more = size >= SPLIT_WRITE_MIN,
		.done = size,
		.cond_resched = write_cond_resched,
	};
	struct fs_ctx ctx;
	bool continued;
	int ret;

	(void)path;
	if (!of->node)
		return -EACCES;
	g_mutex_lock(&of->io);
	if (!of->reply)
		of->reply = g_string_new(NULL);
	if (of->read_since_write) {
		g_string_truncate(of->reply, 0);
		of->read_since_write = false;
	}
	continued = of->next_off >= 0 && off == of->next_off;
	of->next_off = -1;
	ctx = of->ctx;
	ctx.write = &w;
	mmsim_fs_lock(fs);
	mmsim_fs_sync_clock(fs);
	ret = fs_node_write(fs->m, of->node, &ctx, buf, size, of->reply);
	mmsim_fs_unlock(fs);
	of->wrote = true;
	if (ret < 0) {
		/* lines ran before the failure: a request that continues a
		 * write(2) takes them, as does one that the writer's signal
		 * interrupted (a write(2) interrupted after it wrote returns
		 * what it wrote); the daemon's end is an error */
		bool interrupted = ret == -EINTR && !fuse_session_exited(fuse_get_session(fuse_get_context()->fuse));

		if (w.done > 0 && w.done < size && (continued || interrupted))
			ret = (int)w.done;
	} else {
		/* a ctl file took w.done bytes (at least the lines before a
		 * large request's last newline), any other file all */
		ret = (int)w.done;
		if (w.more && w.done == size)
			of->next_off = off + (off_t)size;
	}
	g_mutex_unlock(&of->io);
	return ret;
}

static int mmsim_truncate(const char *path, off_t size, struct fuse_file_info *fi)
{
	struct mmsim_fs *fs = fs_of_ctx();
	struct open_file *of = of_of(fi);
	struct target t;
	int ret;

	(void)size;
	if (of) {
		if (!of->node)
			return -EACCES;
		if (!may_access(fs, of->node->mode, of->uid, of->gid, 02))
			return -EACCES;
		open_truncate(fs, of->node, &of->ctx);
		return 0;
	}
	switch (resolve(fs, path, &t)) {
	case T_NODE:
		break;
	case T_REAL:
		target_clear(&t);
		return -EACCES;
	case T_NONE:
	default:
		return -ENOENT;
	}
	if (t.node->is_dir)
		return -EISDIR;
	/* truncate of a tunable is a no-op, so `echo 3 > file` works; a
	 * tracefs file does what its open with O_TRUNC does */
	ret = !t.node->is_link && may_access(fs, t.node->mode, t.uid, t.gid, 02) ? 0 : -EACCES;
	if (!ret)
		open_truncate(fs, t.node, &t.ctx);
	return ret;
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
