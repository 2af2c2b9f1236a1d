/*
 * libfuse3 operations over the tree.  The read path is written once: a read
 * at offset 0 renders a fresh snapshot under the model lock and keeps it on
 * the file handle; later offsets are served from it, every read filled
 * except at end of file (procfs seq_file behaviour).  Files are direct_io,
 * size 0 and seekable (see GUIDE.md's FUSE rules).
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "fuse_ops.h"

struct open_file {
	struct fs_node *node;
	GString *snapshot;   /* rendered at the last read at offset 0 */
	GString *reply;      /* replies to the writes since the last read */
	GString *pending;    /* the unfinished last line of a split write */
	bool wrote;
	bool read_since_write;
};

/* The kernel cuts a large write(2) into FUSE requests of max_write bytes, a
 * multiple of the page size: such a request that ends inside a line is
 * continued by the next one. */
static bool write_continues(size_t size, const char *buf)
{
	return size >= 4096 && size % 4096 == 0 && buf[size - 1] != '\n';
}

static struct mmsim_fs *fs_of_ctx(void)
{
	return fuse_get_context()->private_data;
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

static void fill_stat(struct mmsim_fs *fs, const struct fs_node *n, struct stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_mode = (n->is_dir ? S_IFDIR : S_IFREG) | n->mode;
	st->st_nlink = n->is_dir ? 2 + (n->children ? n->children->len : 0) : 1;
	st->st_uid = fs->uid;
	st->st_gid = fs->gid;
	st->st_size = 0;
	st->st_blksize = 4096;
	st->st_mtim.tv_sec = fs->m->boot_wall_sec + (time_t)(fs->m->now_ns / NSEC_PER_SEC);
	st->st_atim = st->st_ctim = st->st_mtim;
}

static int mmsim_getattr(const char *path, struct stat *st, struct fuse_file_info *fi)
{
	struct mmsim_fs *fs = fs_of_ctx();
	struct fs_node *n = fi ? ((struct open_file *)(uintptr_t)fi->fh)->node : fs_tree_lookup(fs->tree, path);

	if (!n)
		return -ENOENT;
	g_mutex_lock(&fs->lock);
	fill_stat(fs, n, st);
	g_mutex_unlock(&fs->lock);
	return 0;
}

static int mmsim_readdir(const char *path, void *buf, fuse_fill_dir_t filler, off_t off,
			 struct fuse_file_info *fi, enum fuse_readdir_flags flags)
{
	struct mmsim_fs *fs = fs_of_ctx();
	struct fs_node *n = fs_tree_lookup(fs->tree, path);

	(void)off;
	(void)fi;
	(void)flags;
	if (!n)
		return -ENOENT;
	if (!n->is_dir)
		return -ENOTDIR;
	filler(buf, ".", NULL, 0, 0);
	filler(buf, "..", NULL, 0, 0);
	for (guint i = 0; i < n->children->len; i++) {
		struct fs_node *c = g_ptr_array_index(n->children, i);
		struct stat st = { .st_mode = c->is_dir ? S_IFDIR : S_IFREG };

		filler(buf, c->name, &st, 0, 0);
	}
	return 0;
}

/* The permission check default_permissions would do (it costs a GETATTR
 * per path component on every open): the owner gets the owner bits, root
 * everything the mode allows anyone, others the other bits. */
static bool may_access(struct mmsim_fs *fs, const struct fs_node *n, unsigned int want)
{
	const struct fuse_context *c = fuse_get_context();
	unsigned int mode = n->mode;

	if (c->uid == 0)
		return (mode & (want | (want << 3) | (want << 6))) != 0;
	if (c->uid == fs->uid)
		return (mode & (want << 6)) != 0;
	if (c->gid == fs->gid)
		return (mode & (want << 3)) != 0;
	return (mode & want) != 0;
}

static int mmsim_open(const char *path, struct fuse_file_info *fi)
{
	struct mmsim_fs *fs = fs_of_ctx();
	struct fs_node *n = fs_tree_lookup(fs->tree, path);
	int acc = fi->flags & O_ACCMODE;
	struct open_file *of;

	if (!n)
		return -ENOENT;
	if (n->is_dir)
		return -EISDIR;
	if ((acc == O_WRONLY || acc == O_RDWR) && !may_access(fs, n, 02))
		return -EACCES;
	if ((acc == O_RDONLY || acc == O_RDWR) && !may_access(fs, n, 04))
		return -EACCES;
	of = g_new0(struct open_file, 1);
	of->node = n;
	fi->fh = (uint64_t)(uintptr_t)of;
	fi->direct_io = 1;
	fi->keep_cache = 0;
	fi->nonseekable = 0;
	return 0;
}

static int mmsim_read(const char *path, char *buf, size_t size, off_t off, struct fuse_file_info *fi)
{
	struct mmsim_fs *fs = fs_of_ctx();
	struct open_file *of = (struct open_file *)(uintptr_t)fi->fh;
	size_t n;

	(void)path;
	if (off == 0 || !of->snapshot) {
		if (!of->snapshot)
			of->snapshot = g_string_sized_new(4096);
		g_string_truncate(of->snapshot, 0);
		if (of->wrote) {
			of->read_since_write = true;
			g_string_append_len(of->snapshot, of->reply->str, (gssize)of->reply->len);
		} else {
			g_mutex_lock(&fs->lock);
			mmsim_fs_sync_clock(fs);
			fs_node_render(fs->m, of->node, of->snapshot);
			g_mutex_unlock(&fs->lock);
		}
	}
	if ((size_t)off >= of->snapshot->len)
		return 0;
	n = MIN(size, of->snapshot->len - (size_t)off);
	memcpy(buf, of->snapshot->str + off, n);
	return (int)n;
}

static int mmsim_write(const char *path, const char *buf, size_t size, off_t off, struct fuse_file_info *fi)
{
	struct mmsim_fs *fs = fs_of_ctx();
	struct open_file *of = (struct open_file *)(uintptr_t)fi->fh;
	GString *data;
	size_t run;
	int ret = 0;

	(void)path;
	(void)off;
	if (!of->reply)
		of->reply = g_string_new(NULL);
	if (!of->pending)
		of->pending = g_string_new(NULL);
	if (of->read_since_write) {
		g_string_truncate(of->reply, 0);
		of->read_since_write = false;
	}
	data = of->pending;
	g_string_append_len(data, buf, (gssize)size);
	/* run up to the last newline when the line continues in the next request */
	run = data->len;
	if (write_continues(size, buf)) {
		const char *nl = memrchr(data->str, '\n', data->len);

		run = nl ? (size_t)(nl - data->str) + 1 : 0;
		if (data->len - run > 1 << 20) /* a line of a megabyte is not a command */
			run = data->len;
	}
	if (run) {
		g_mutex_lock(&fs->lock);
		mmsim_fs_sync_clock(fs);
		ret = fs_node_write(fs->m, of->node, data->str, run, of->reply);
		g_mutex_unlock(&fs->lock);
		g_string_erase(data, 0, (gssize)run);
	}
	of->wrote = true;
	if (ret < 0)
		g_string_truncate(data, 0);
	return ret < 0 ? ret : (int)size;
}

static int mmsim_truncate(const char *path, off_t size, struct fuse_file_info *fi)
{
	struct mmsim_fs *fs = fs_of_ctx();
	struct fs_node *n = fi ? ((struct open_file *)(uintptr_t)fi->fh)->node : fs_tree_lookup(fs->tree, path);

	(void)size;
	if (!n)
		return -ENOENT;
	if (n->is_dir)
		return -EISDIR;
	/* truncate of a tunable is a no-op, so `echo 3 > file` works */
	return may_access(fs, n, 02) ? 0 : -EACCES;
}

static int mmsim_release(const char *path, struct fuse_file_info *fi)
{
	struct open_file *of = (struct open_file *)(uintptr_t)fi->fh;

	(void)path;
	if (of->snapshot)
		g_string_free(of->snapshot, TRUE);
	if (of->reply)
		g_string_free(of->reply, TRUE);
	if (of->pending)
		g_string_free(of->pending, TRUE);
	g_free(of);
	return 0;
}

static void *mmsim_init(struct fuse_conn_info *conn, struct fuse_config *cfg)
{
	(void)conn;
	cfg->direct_io = 1;
	cfg->entry_timeout = 1.0;
	cfg->attr_timeout = 0.0;
	cfg->negative_timeout = 0.0;
	cfg->use_ino = 0;
	return fuse_get_context()->private_data;
}

const struct fuse_operations mmsim_fuse_ops = {
	.init = mmsim_init,
	.getattr = mmsim_getattr,
	.readdir = mmsim_readdir,
	.open = mmsim_open,
	.read = mmsim_read,
	.write = mmsim_write,
	.truncate = mmsim_truncate,
	.release = mmsim_release,
};
