/*
 * The operations on names and attributes: making, removing, renaming and
 * linking names, access(2), modes, owners and times.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "fuse_internal.h"

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

int mmsim_access(const char *path, int mask)
{
	struct mmsim_fs *fs = fs_of_ctx();
	struct target t;
	int ret;

	switch (resolve(fs, path, &t)) {
	case T_NONE:
		return -ENOENT;
	case T_REAL:
		ret = real_access(fs, t.real, mask);
		target_clear(&t);
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

int mmsim_create(const char *path, mode_t mode, struct fuse_file_info *fi)
{
	(void)mode;
	/* there after all (made since the kernel looked): open it */
	if (target_exists(fs_of_ctx(), path))
		return mmsim_open(path, fi);
	return new_name_errno(path, -EACCES);
}

int mmsim_mknod(const char *path, mode_t mode, dev_t rdev)
{
	(void)rdev;
	return new_name_errno(path, S_ISREG(mode) ? -EACCES : -EPERM);
}

int mmsim_mkdir(const char *path, mode_t mode)
{
	(void)mode;
	if (fs_is_cgroup_path(path))
		return fs_cgroup_mkdir(path);
	return new_name_errno(path, -EPERM);
}

int mmsim_symlink(const char *target, const char *path)
{
	(void)target;
	return new_name_errno(path, -EPERM);
}

int mmsim_unlink(const char *path)
{
	return remove_errno(path);
}

int mmsim_rmdir(const char *path)
{
	if (fs_is_cgroup_path(path))
		return fs_cgroup_rmdir(path);
	return remove_errno(path);
}

int mmsim_rename(const char *from, const char *to, unsigned int flags)
{
	(void)flags;
	if (mount_of(from) != mount_of(to))
		return -EXDEV;
	if (!target_exists(fs_of_ctx(), to) && dir_kind_of(to) != DIR_KERNFS)
		return -ENOENT;
	return remove_errno(from);
}

int mmsim_link(const char *from, const char *to)
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
int mmsim_chmod(const char *path, mode_t mode, struct fuse_file_info *fi)
{
	(void)path;
	(void)mode;
	(void)fi;
	return -EPERM;
}

/* Owners too; chown to the owner it has is the no-op chown_ok allows */
int mmsim_chown(const char *path, uid_t uid, gid_t gid, struct fuse_file_info *fi)
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
int mmsim_utimens(const char *path, const struct timespec tv[2], struct fuse_file_info *fi)
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
