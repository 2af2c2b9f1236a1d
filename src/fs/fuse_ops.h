/*
 * The FUSE face of the tree: libfuse3 high-level operations over fs_tree.
 */
#ifndef MMSIM_FUSE_OPS_H
#define MMSIM_FUSE_OPS_H

#define FUSE_USE_VERSION 312
#include <fuse.h>
#include <fuse_lowlevel.h>
#include <glib.h>

#include "tree.h"

/* The model lock, first come first served: a long write lets go of it
 * between two of its commands, and whoever waits for it then runs first
 * (with a plain mutex the writer would take it straight back) */
struct model_lock {
	GMutex mutex;           /* guards the two counters */
	GCond turn;
	guint64 next;           /* the ticket the next locker takes */
	guint64 owner;          /* the ticket that holds the lock */
};

struct mmsim_fs {
	struct machine *m;
	struct fs_tree *tree;
	struct model_lock model_lock; /* the one lock over the machine */
	gint64 start_mono_us;   /* wall clock at boot, realtime mode */
	uid_t uid;              /* the mounter: owns the fixed files */
	gid_t gid;
	int procfd;             /* the real /proc, opened at start, or -1 */
	GHashTable *open_files; /* every open file, freed at unmount if the
				   kernel's release never came */
	GMutex open_lock;
	/* trace_pipe readers waiting for records, without the model lock */
	GMutex trace_lock;
	GCond trace_cond;       /* broadcast when records arrived */
	uint64_t trace_gen;     /* the tracing core's waiters_gen last seen */
	int trace_waiters;
	/* the realtime clock's thread (fuse_clock.c) */
	GThread *clock_thread;
	GMutex clock_lock;
	GCond clock_cond;       /* signalled to stop it */
	bool clock_stop;
};

void mmsim_fs_lock_init(struct mmsim_fs *fs);
void mmsim_fs_lock_clear(struct mmsim_fs *fs);
void mmsim_fs_lock(struct mmsim_fs *fs);
void mmsim_fs_unlock(struct mmsim_fs *fs);

/* Free what the kernel left open when the filesystem went away. */
void mmsim_fs_release_all(struct mmsim_fs *fs);

extern const struct fuse_operations mmsim_fuse_ops;

/* Realtime clock: bring simulated time up to the wall clock (lock held) */
void mmsim_fs_sync_clock(struct mmsim_fs *fs);
/* The realtime clock's thread: started once the daemon runs (after it
 * forked into the background), stopped before the machine goes */
void mmsim_clock_start(struct mmsim_fs *fs);
void mmsim_clock_stop(struct mmsim_fs *fs);

#endif
