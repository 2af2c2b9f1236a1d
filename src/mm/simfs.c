/*
 * The simulated file system: its namespace, its files, its superblock.
 *
 * Models:
 * - one disk file system on sda1 and tmpfs on /dev/shm, one namespace
 * - files of a given size (ctl: file, rmfile), resized by truncation
 * - directories that exist implicitly: the parents of files, plus the
 *   usual top-level tree
 * - path checks as the VFS gives them: -EINVAL, -ENAMETOOLONG,
 *   -EISDIR, -ENOTDIR, -ENOENT, -EFBIG
 * - a deleted file still open or mapped stays, "(deleted)"
 * - ext4's inode numbers from 131073, device numbers of sda1 and tmpfs
 * Simplifies:
 * - paths are canonical: no ".", "..", "//", no symlinks, no hard links
 * - no directory inodes, no permissions, no timestamps
 * - file contents are synthetic (no data, only pages)
 * - no disk-space limit; SIM_MAX_FILE_SIZE as ext4's largest file
 */
#include <errno.h>
#include <string.h>

#include "fs_internal.h"
#include "mm_internal.h"
#include "mmsim/mount.h"


static const char *const base_dirs[] = {
	"/", "/bin", "/dev", "/dev/shm", "/etc", "/home", "/lib", "/mnt", "/opt", "/root", "/run", "/srv",
	"/tmp", "/usr", "/usr/bin", "/usr/lib", "/usr/lib/x86_64-linux-gnu", "/usr/share", "/var",
	"/var/lib", "/var/log", "/var/tmp",
};

int sim_path_check(const char *path)
{
	const char *p, *comp;
	size_t len;

	if (!path || path[0] != '/')
		return -EINVAL;
	len = strlen(path);
	if (len >= PATH_MAX)
		return -ENAMETOOLONG;
	for (p = path; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return -EINVAL;
	for (comp = path + 1; comp <= path + len; ) {
		const char *end = strchr(comp, '/');
		size_t n = end ? (size_t)(end - comp) : strlen(comp);

		if (n == 0 && (end || comp != path + len))
			return -EINVAL;           /* "//": paths are canonical */
		if (n > NAME_MAX)
			return -ENAMETOOLONG;
		if ((n == 1 && comp[0] == '.') || (n == 2 && comp[0] == '.' && comp[1] == '.'))
			return -EINVAL;
		if (!end)
			break;
		comp = end + 1;
	}
	return 0;
}

static bool is_tmpfs_path(const char *path)
{
	return g_str_has_prefix(path, "/dev/shm/");
}

bool sim_path_is_dir(struct machine *m, const char *path)
{
	size_t len = strlen(path);

	if (len > 1 && path[len - 1] == '/')
		return true;
	for (size_t i = 0; i < G_N_ELEMENTS(base_dirs); i++)
		if (!strcmp(base_dirs[i], path))
			return true;
	return g_hash_table_contains(m->sb->dirs, path);
}

/* The first ancestor of path that is a file, or NULL */
static struct inode *file_in_the_way(struct machine *m, const char *path)
{
	g_autofree char *dup = g_strdup(path);

	for (char *slash = strrchr(dup, '/'); slash && slash != dup; slash = strrchr(dup, '/')) {
		struct inode *i;

		*slash = '\0';
		if ((i = g_hash_table_lookup(m->sb->inodes, dup)))
			return i;
	}
	return NULL;
}

/* The implicit directories above a file: counted per file below them */
static void dirs_account(struct machine *m, const char *path, int delta)
{
	g_autofree char *dup = g_strdup(path);

	for (char *slash = strrchr(dup, '/'); slash && slash != dup; slash = strrchr(dup, '/')) {
		gpointer v;

		*slash = '\0';
		v = g_hash_table_lookup(m->sb->dirs, dup);
		if (delta > 0) {
			g_hash_table_replace(m->sb->dirs, g_strdup(dup), GINT_TO_POINTER(GPOINTER_TO_INT(v) + 1));
		} else if (GPOINTER_TO_INT(v) <= 1) {
			g_hash_table_remove(m->sb->dirs, dup);
		} else {
			g_hash_table_replace(m->sb->dirs, g_strdup(dup), GINT_TO_POINTER(GPOINTER_TO_INT(v) - 1));
		}
	}
}

struct inode *sim_file_lookup(struct machine *m, const char *path)
{
	return g_hash_table_lookup(m->sb->inodes, path);
}

static gint cmp_path(gconstpointer a, gconstpointer b)
{
	return strcmp((*(struct inode *const *)a)->path, (*(struct inode *const *)b)->path);
}

GPtrArray *sim_files_sorted(struct machine *m)
{
	GPtrArray *out = g_ptr_array_new();
	GHashTableIter it;
	gpointer k, v;

	g_hash_table_iter_init(&it, m->sb->inodes);
	while (g_hash_table_iter_next(&it, &k, &v))
		g_ptr_array_add(out, v);
	g_ptr_array_sort(out, cmp_path);
	for (guint i = 0; i < m->sb->unlinked->len; i++)
		g_ptr_array_add(out, g_ptr_array_index(m->sb->unlinked, i));
	return out;
}

/* new_inode: a file of this superblock (sda1, or tmpfs for shmem) */
struct inode *new_inode(struct machine *m, const char *path, enum inode_kind kind)
{
	struct inode *inode = alloc_inode(path);

	inode->kind = kind;
	inode->i_ino = m->sb->next_ino++;
	inode->dev_major = kind == INODE_SHMEM ? 0 : m->sb->disk->part[m->sb->disk->root_partno]->major;
	inode->dev_minor = kind == INODE_SHMEM ? TMPFS_DEV_MINOR : m->sb->disk->part[m->sb->disk->root_partno]->minor;
	return inode;
}

int sim_file_create(struct machine *m, const char *path, uint64_t size)
{
	struct inode *inode;
	int err = sim_path_check(path);

	if (err)
		return err;
	if (sim_path_is_dir(m, path))
		return -EISDIR;
	if (file_in_the_way(m, path))
		return -ENOTDIR;
	if (size > SIM_MAX_FILE_SIZE)
		return -EFBIG;
	inode = sim_file_lookup(m, path);
	if (!inode) {
		inode = new_inode(m, path, is_tmpfs_path(path) ? INODE_SHMEM : INODE_REG);
		g_hash_table_insert(m->sb->inodes, inode->path, inode);
		dirs_account(m, path, 1);
	}
	if (size < inode->i_size)
		truncate_inode_pages(m, inode, (unsigned long)((size + PAGE_SIZE - 1) >> PAGE_SHIFT));
	inode->i_size = size;
	machine_debug_check(m, "file");
	return 0;
}

int sim_file_remove(struct machine *m, const char *path)
{
	struct inode *inode;
	int err = sim_path_check(path);

	if (err)
		return err;
	inode = sim_file_lookup(m, path);
	if (!inode)
		return sim_path_is_dir(m, path) ? -EISDIR : file_in_the_way(m, path) ? -ENOTDIR : -ENOENT;
	g_hash_table_remove(m->sb->inodes, path);
	dirs_account(m, path, -1);
	/* the simulated programs' descriptors of it are closed, so that its
	 * cache goes with it unless something maps it (then "(deleted)") */
	close_all_files_of(m, inode);
	inode->unlinked = true;
	if (!inode->i_data.i_mmap->len && !inode->i_count)
		evict_inode(m, inode);
	else
		g_ptr_array_add(m->sb->unlinked, inode);
	machine_debug_check(m, "rmfile");
	return 0;
}

/* Look a path up for file I/O: -ENOENT, -EISDIR, -ENOTDIR, -EINVAL */
int sim_lookup(struct machine *m, const char *path, struct inode **out)
{
	int err = sim_path_check(path);

	if (err)
		return err;
	*out = sim_file_lookup(m, path);
	if (*out)
		return 0;
	if (sim_path_is_dir(m, path))
		return -EISDIR;
	return file_in_the_way(m, path) ? -ENOTDIR : -ENOENT;
}

void sim_fs_init(struct machine *m)
{
	struct super_block *sb = g_new0(struct super_block, 1);

	sb->inodes = g_hash_table_new(g_str_hash, g_str_equal);
	sb->dirs = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	sb->unlinked = g_ptr_array_new();
	sb->wb_inflight = g_ptr_array_new_with_free_func(g_free);
	sb->next_ino = 131073;  /* ext4's first inodes belong to the system */
	sb->disk = alloc_disk(m->cfg.swap_bytes, m->cfg.disk_latency_ns, m->cfg.disk_bandwidth);
	sb->bdi.ra_pages = VM_READAHEAD_PAGES;
	sb->bdi.io_pages = 1280 / 4;  /* max_sectors_kb 1280 */
	sb->bdi.min_ratio = 0;
	sb->bdi.max_ratio = 100;
	sb->bdi.write_bandwidth = sb->disk->bandwidth;
	g_snprintf(sb->bdi.dev_name, sizeof(sb->bdi.dev_name), "%u:%u", sb->disk->part[0]->major,
		   sb->disk->part[0]->minor);
	g_queue_init(&sb->bdi.b_dirty);
	m->sb = sb;
}

void sim_fs_destroy(struct machine *m)
{
	GHashTableIter it;
	gpointer k, v;

	if (!m->sb)
		return;
	g_hash_table_iter_init(&it, m->sb->inodes);
	while (g_hash_table_iter_next(&it, &k, &v))
		destroy_inode(v);
	for (guint i = 0; i < m->sb->unlinked->len; i++)
		destroy_inode(g_ptr_array_index(m->sb->unlinked, i));
	g_ptr_array_free(m->sb->unlinked, TRUE);
	g_hash_table_destroy(m->sb->inodes);
	g_hash_table_destroy(m->sb->dirs);
	g_queue_clear(&m->sb->bdi.b_dirty);
	writeback_destroy(m);
	del_gendisk(m->sb->disk);
	g_free(m->sb);
	m->sb = NULL;
}
