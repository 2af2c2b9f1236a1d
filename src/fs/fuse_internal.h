/*
 * What the files of the FUSE face share: the open file, what a path
 * names, the caller's credentials for the real procfs, and the operations
 * that call one another across them.
 *
 *   fuse_ops.c    open files, the model lock, lookup, attributes,
 *                 directories, open, the operation table
 *   fuse_real.c   the caller's own process: pass-through to the real procfs
 *   fuse_rw.c     read (snapshots) and write (cut into whole lines)
 *   fuse_names.c  making, removing, renaming names; modes, owners, times
 */
#ifndef MMSIM_FUSE_INTERNAL_H
#define MMSIM_FUSE_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>

#include "fuse_ops.h"

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

static inline struct mmsim_fs *fs_of_ctx(void)
{
	return fuse_get_context()->private_data;
}

static inline struct open_file *of_of(const struct fuse_file_info *fi)
{
	return fi ? (struct open_file *)(uintptr_t)fi->fh : NULL;
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

/* fuse_ops.c */
void open_file_register(struct mmsim_fs *fs, struct open_file *of);
bool mmsim_fs_lock_contended(struct mmsim_fs *fs);
void fill_stat(struct mmsim_fs *fs, const struct fs_node *n, uid_t uid, gid_t gid, struct stat *st);
bool may_access(struct mmsim_fs *fs, unsigned int mode, uid_t uid, gid_t gid, unsigned int want);
enum target_kind resolve(struct mmsim_fs *fs, const char *path, struct target *t);
void target_clear(struct target *t);
int mmsim_open(const char *path, struct fuse_file_info *fi);

/* fuse_real.c: the caller, and its own process in the real procfs */
struct saved_creds {
	bool switched;
	uid_t euid;
	gid_t egid;
	int ngroups;
	gid_t *groups;
};

int caller_tgid(struct mmsim_fs *fs, int *tid_out);
int override_creds(uid_t uid, gid_t gid, struct saved_creds *old);
void revert_creds(struct saved_creds *old);
int real_open(struct mmsim_fs *fs, const char *rel, int flags);
char *real_path(struct mmsim_fs *fs, int pid, const char *rest);
int real_getattr(struct mmsim_fs *fs, const char *rel, struct stat *st);
int real_read(const struct open_file *of, char *buf, size_t size, off_t off);
int real_readlink(struct mmsim_fs *fs, const char *rel, char *buf, size_t size);
int real_readdir(struct mmsim_fs *fs, const char *rel, void *buf, fuse_fill_dir_t filler);
int real_access(struct mmsim_fs *fs, const char *rel, int mask);
int open_real(struct mmsim_fs *fs, const char *rel, struct fuse_file_info *fi);

/* fuse_rw.c */
int mmsim_read(const char *path, char *buf, size_t size, off_t off, struct fuse_file_info *fi);
int mmsim_write(const char *path, const char *buf, size_t size, off_t off, struct fuse_file_info *fi);
int mmsim_truncate(const char *path, off_t size, struct fuse_file_info *fi);
/* What an open with O_TRUNC does to a tracefs file (trace, set_event) */
void open_truncate(struct mmsim_fs *fs, const struct fs_node *n, const struct fs_ctx *ctx);

/* fuse_names.c */
int mmsim_access(const char *path, int mask);
int mmsim_create(const char *path, mode_t mode, struct fuse_file_info *fi);
int mmsim_mknod(const char *path, mode_t mode, dev_t rdev);
int mmsim_mkdir(const char *path, mode_t mode);
int mmsim_symlink(const char *target, const char *path);
int mmsim_unlink(const char *path);
int mmsim_rmdir(const char *path);
int mmsim_rename(const char *from, const char *to, unsigned int flags);
int mmsim_link(const char *from, const char *to);
int mmsim_chmod(const char *path, mode_t mode, struct fuse_file_info *fi);
int mmsim_chown(const char *path, uid_t uid, gid_t gid, struct fuse_file_info *fi);
int mmsim_utimens(const char *path, const struct timespec tv[2], struct fuse_file_info *fi);

/* fuse_cgroup.c: mkdir and rmdir in the cgroup hierarchy */
bool fs_is_cgroup_path(const char *path);
int fs_cgroup_mkdir(const char *path);
int fs_cgroup_rmdir(const char *path);

#endif
