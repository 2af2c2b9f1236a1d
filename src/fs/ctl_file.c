/*
 * sim/ctl `file PATH SIZE` and `rmfile PATH`, and the path checks the
 * process commands that name a file share (pread, pwrite, fsync, mmap
 * file=).  Every check picks the errno the kernel's path walk would give
 * (fs/namei.c: ENOENT, ENOTDIR, EISDIR; ENAMETOOLONG) and a size check
 * the one truncate(2) would (EINVAL, EFBIG) before the one engine call,
 * so a refused command changes nothing.
 *
 * The simulated tree has only files; a directory is any proper prefix of a
 * file's path (sim_path_is_dir), and /dev/shm holds shmem (tmpfs) files.
 */
#include <errno.h>
#include <string.h>

#include "ctl.h"
#include "mmsim/pagemap.h"

/* A path the filesystem would accept, without looking it up */
static int check_path_syntax(const char *path, const char **why)
{
	int err = sim_path_check(path);

	if (err == -ENAMETOOLONG)
		*why = "path or one of its names too long";
	else if (err)
		*why = "an absolute path (/dir/file) without empty, . or .. components";
	return err;
}

/* A file met where the walk needs a directory: ENOTDIR (link_path_walk) */
static int check_parents(struct machine *m, const char *path, const char **why)
{
	g_autofree char *prefix = g_strdup(path);

	for (char *p = strchr(prefix + 1, '/'); p; p = strchr(p + 1, '/')) {
		*p = '\0';
		if (sim_file_lookup(m, prefix)) {
			*why = "a file is used as a directory in the path";
			return -ENOTDIR;
		}
		*p = '/';
	}
	return 0;
}

/* A path that may name a file: its syntax, its parents, not a directory */
static int check_file_name(struct machine *m, const char *path, const char **why)
{
	int err = check_path_syntax(path, why);

	if (!err)
		err = check_parents(m, path, why);
	if (err)
		return err;
	if (!strcmp(path, "/") || sim_path_is_dir(m, path)) {
		*why = "a directory, not a file";
		return -EISDIR;
	}
	return 0;
}

int ctl_file_path(struct machine *m, const char *path, struct inode **out, const char **why)
{
	struct inode *inode;
	int err = check_file_name(m, path, why);

	if (err)
		return err;
	inode = sim_file_lookup(m, path);
	if (!inode) {
		*why = "no such file (create it with: file PATH SIZE in sim/ctl)";
		return -ENOENT;
	}
	if (out)
		*out = inode;
	return 0;
}

/* file PATH SIZE: creat + ftruncate */
int ctl_file(struct machine *m, const struct fs_ctx *ctx, struct ctl_cmd *cmd, GString *reply,
	     const char **why)
{
	const char *path;
	uint64_t size;
	int err;

	(void)ctx;
	if (cmd->nargs != 2 || cmd->nopts) {
		*why = "usage: file PATH SIZE";
		return -EINVAL;
	}
	path = cmd->args[0];
	if (!parse_size(cmd->args[1], &size)) {
		*why = "SIZE is a size in bytes, with K, M, G or T (not negative)";
		return -EINVAL;
	}
	if ((err = check_file_name(m, path, why)))
		return err;
	/* do_truncate/inode_newsize_ok: beyond s_maxbytes */
	if (size > SIM_MAX_FILE_SIZE) {
		*why = "larger than the filesystem's largest file (16 TiB)";
		return -EFBIG;
	}
	err = sim_file_create(m, path, size);
	if (err) {
		*why = err == -ENOMEM ? "out of memory" : "refused by the filesystem";
		return err;
	}
	g_string_append(reply, "ok");
	return 0;
}

/* rmfile PATH: unlink(2) */
int ctl_rmfile(struct machine *m, const struct fs_ctx *ctx, struct ctl_cmd *cmd, GString *reply,
	       const char **why)
{
	int err;

	(void)ctx;
	if (cmd->nargs != 1 || cmd->nopts) {
		*why = "usage: rmfile PATH";
		return -EINVAL;
	}
	err = ctl_file_path(m, cmd->args[0], NULL, why);
	if (err)
		return err;
	err = sim_file_remove(m, cmd->args[0]);
	if (err) {
		*why = "refused by the filesystem";
		return err;
	}
	g_string_append(reply, "ok");
	return 0;
}
