/*
 * Read and write of the tree's files.  A read at offset 0 renders a fresh
 * snapshot under the model lock and keeps it on the file handle; later
 * offsets are served from it, every read filled except at end of file
 * (procfs seq_file behaviour).  The first read after a write returns the
 * replies to the write.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>

#include "fuse_internal.h"
#include "trace_output.h"
#include "mmsim/trace.h"

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

/* A read of a binary file: straight from the model at any offset */
static int read_binary(struct mmsim_fs *fs, struct open_file *of, char *buf, size_t size, off_t off)
{
	ssize_t ret;

	mmsim_fs_lock(fs);
	mmsim_fs_sync_clock(fs);
	ret = fs_node_read(fs->m, of->node, &of->ctx, buf, size, off);
	mmsim_fs_unlock(fs);
	return (int)ret;
}

int mmsim_read(const char *path, char *buf, size_t size, off_t off, struct fuse_file_info *fi)
{
	struct mmsim_fs *fs = fs_of_ctx();
	struct open_file *of = of_of(fi);
	int ret;

	(void)path;
	if (of->real_fd >= 0)
		return real_read(of, buf, size, off);
	if (of->node->entry && of->node->entry->read)
		return read_binary(fs, of, buf, size, off);
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

int mmsim_write(const char *path, const char *buf, size_t size, off_t off, struct fuse_file_info *fi)
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

/* What an open with O_TRUNC does to a tracefs file (trace, set_event) */
void open_truncate(struct mmsim_fs *fs, const struct fs_node *n, const struct fs_ctx *ctx)
{
	if (!n->entry || !n->entry->render)
		return;
	mmsim_fs_lock(fs);
	trace_open_truncate(fs->m, n->entry->render, ctx);
	mmsim_fs_unlock(fs);
}

int mmsim_truncate(const char *path, off_t size, struct fuse_file_info *fi)
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
