/*
 * The caller's own process, when its PID is not a simulated one: a
 * read-only pass-through to the real procfs, through the directory
 * descriptor opened at start (procps reads /proc/self/stat, and self
 * points at the caller).  A simulated PID always wins.
 */
#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "fuse_internal.h"

/* ---------------------------------------------------------------- the caller */

/* The caller's thread-group id: FUSE gives the thread id, the real
 * /proc/TID/status says its Tgid.  -1 when the caller has no PID here. */
int caller_tgid(struct mmsim_fs *fs, int *tid_out)
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
static bool has_capabilities(void)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2] = { 0 };

	return syscall(SYS_capget, &h, d) != 0 || d[0].effective || d[1].effective;
}

void revert_creds(struct saved_creds *old)
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

int override_creds(uid_t uid, gid_t gid, struct saved_creds *old)
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
int real_open(struct mmsim_fs *fs, const char *rel, int flags)
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
char *real_path(struct mmsim_fs *fs, int pid, const char *rest)
{
	if (pid != caller_tgid(fs, NULL))
		return NULL;
	return *rest ? g_strdup_printf("%d/%s", pid, rest) : g_strdup_printf("%d", pid);
}

int real_getattr(struct mmsim_fs *fs, const char *rel, struct stat *st)
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
int real_read(const struct open_file *of, char *buf, size_t size, off_t off)
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

/* The target of a link of the real procfs, as the caller */
int real_readlink(struct mmsim_fs *fs, const char *rel, char *buf, size_t size)
{
	int fd = real_open(fs, rel, O_PATH | O_NOFOLLOW);
	struct saved_creds old;
	ssize_t n;
	int ret;

	if (fd < 0)
		return fd;
	ret = override_creds(fuse_get_context()->uid, fuse_get_context()->gid, &old);
	n = ret ? -1 : readlinkat(fd, "", buf, size - 1);
	if (!ret)
		ret = n < 0 ? -errno : 0;
	revert_creds(&old);
	if (n >= 0)
		buf[n] = '\0';
	close(fd);
	return ret;
}

/* access(2) of the caller's own process's file: read-only, procfs says
 * the rest */
int real_access(struct mmsim_fs *fs, const char *rel, int mask)
{
	struct saved_creds old;
	int ret = 0, fd;

	fd = real_open(fs, rel, O_PATH | O_NOFOLLOW);
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
}

int real_readdir(struct mmsim_fs *fs, const char *rel, void *buf, fuse_fill_dir_t filler)
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

int open_real(struct mmsim_fs *fs, const char *rel, struct fuse_file_info *fi)
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
