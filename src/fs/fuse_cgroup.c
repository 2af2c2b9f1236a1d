/*
 * mkdir and rmdir under sys/fs/cgroup/: cgroupfs's cgroup_mkdir and
 * cgroup_rmdir, with the errors the VFS and kernfs give first.
 */
#include <errno.h>
#include <string.h>

#include "fuse_internal.h"
#include "mmsim/cgroup.h"

#define CGROUP_DIR "sys/fs/cgroup/"

bool fs_is_cgroup_path(const char *path)
{
	while (*path == '/')
		path++;
	return !strncmp(path, CGROUP_DIR, strlen(CGROUP_DIR)) || !strcmp(path, "sys/fs/cgroup");
}

static const char *mkdir_reason(int err)
{
	switch (err) {
	case -EEXIST:
		return "the name is taken";
	case -EINVAL:
		return "not a name a cgroup may have";
	case -EAGAIN:
		return "an ancestor's cgroup.max.depth or cgroup.max.descendants";
	case -ENOENT:
		return "no such parent cgroup";
	default:
		return g_strerror(-err);
	}
}

/* A name a file of the {CGROUP} template has: taken in every cgroup
 * (kernfs: EEXIST, also for a controller's file not shown yet) */
static bool is_cgroup_file_name(struct mmsim_fs *fs, const char *name)
{
	g_autofree char *p = g_strdup_printf(CGROUP_DIR "{CGROUP}/%s", name);

	return g_hash_table_lookup(fs->tree->templates, p) != NULL;
}

int fs_cgroup_mkdir(const char *path)
{
	struct mmsim_fs *fs = fs_of_ctx();
	g_autofree char *rel = g_strdup(path + strspn(path, "/"));
	char *slash = strrchr(rel, '/');
	const char *name = slash + 1;
	struct cgroup *parent, *cg;
	int err;

	*slash = '\0';
	if (!may_access(fs, 0755, fs->uid, fs->gid, 02))
		return -EACCES;
	mmsim_fs_lock(fs);
	parent = fs_cgroup_of_path(fs->m, rel);
	if (!parent)
		err = -ENOENT;
	else if (is_cgroup_file_name(fs, name))
		err = -EEXIST;
	else
		err = cgroup_mkdir(fs->m, parent, name, &cg);
	if (err) {
		g_autofree char *shown = g_strescape(path + strspn(path, "/"), NULL);

		printk(fs->m, "%s: mkdir refused: %s (%s)", shown, mkdir_reason(err), g_strerror(-err));
	}
	machine_debug_check(fs->m, "mkdir");
	mmsim_fs_unlock(fs);
	return err;
}

int fs_cgroup_rmdir(const char *path)
{
	struct mmsim_fs *fs = fs_of_ctx();
	const char *rel = path + strspn(path, "/");
	struct target t;
	struct cgroup *cg;
	int err;

	if (resolve(fs, path, &t) == T_NONE)
		return -ENOENT;
	target_clear(&t);
	if (!t.node->is_dir)
		return -ENOTDIR;
	if (!may_access(fs, 0755, fs->uid, fs->gid, 02))
		return -EACCES;
	mmsim_fs_lock(fs);
	cg = fs_cgroup_of_path(fs->m, rel);
	err = cg ? cgroup_rmdir(fs->m, cg) : -ENOENT;
	if (err)
		printk(fs->m, "%s: rmdir refused: %s (%s)", rel,
		       cg && !cg->parent ? "the root of the hierarchy"
		       : cg && cg->children->len ? "it has child cgroups" : "processes are in it",
		       g_strerror(-err));
	machine_debug_check(fs->m, "rmdir");
	mmsim_fs_unlock(fs);
	return err;
}
