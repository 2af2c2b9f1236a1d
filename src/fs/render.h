/*
 * The interface between the path table (generated from fs-layout/) and the
 * code behind each file.
 *
 * A file's handler NAME in fs-layout gives:
 *   void render_NAME(struct machine *m, const struct fs_ctx *ctx, GString *out);
 *   int  write_NAME(struct machine *m, const struct fs_ctx *ctx,
 *                   const char *buf, size_t len, GString *reply);
 * write_NAME exists only when the layout gives the file a write bit.
 A binary file's handler bin_NAME gives instead of render_:
 *   ssize_t read_bin_NAME(struct machine *m, const struct fs_ctx *ctx,
 *                         char *buf, size_t size, off_t off);
 * which serves a read at any offset, bypassing the text snapshot.
 *
 * A renderer reads the machine (it holds the model lock, the machine does
 * not change under it) and appends the whole file to `out`.  It computes
 * nothing the engine should own.  A writer returns 0 or a negative errno;
 * on failure it has changed nothing and has logged a one-line reason with
 * printk.  `reply` collects what a read on the same descriptor returns
 * (sim/ctl); other writers leave it alone.  A writer takes the whole
 * buffer, except the ctl files', which take whole lines and say in
 * ctx->write how many bytes they took.
 */
#ifndef MMSIM_FS_RENDER_H
#define MMSIM_FS_RENDER_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "mmsim/machine.h"

/* A write request to a ctl file, as the FUSE layer sees it (fs_ctx.write) */
struct fs_write {
	/* the write(2) may go on in a later request: a last line without a
	 * newline may be cut, so it is not taken */
	bool more;
	/* out: the bytes taken, whole lines that ran (or were blank) */
	size_t done;
	/* between two commands: 0 to go on (it may let other requests take
	 * the model lock meanwhile), or -EINTR when the daemon is stopping */
	int (*cond_resched)(void);
};

struct fs_ctx {
	int node;          /* {N} in the path, or -1 */
	int cpu;           /* {C} in the path, or -1 */
	int part;          /* {PART} in the path (a partition of the disk), or -1 */
	int order;         /* the order of {MTHP} or {MTHP_ANON} (a THP size), or -1 */
	int pid;           /* {PID} in the path, or -1: a live task's tgid */
	int tid;           /* {TID} in the path, or -1 */
	int fd;            /* {FD} in the path (a descriptor), or -1 */
	const char *name;  /* the file's basename (sysctl knobs use it) */
	const char *path;  /* the file's path in the tree, without a leading / */
	char cache[40];    /* {CACHE} in the path (a slab cache name), or "" */
	int tsys;          /* {SYS} in the path: its first trace event's id, or -1 */
	int event;         /* {EVENT} in the path: the trace event's id, or -1 */
	int mblock;        /* {MB} in the path: a memory block's id, or -1 */
	int hstate;        /* {HSIZE} or {HSIZE_DEMOTE}: the hugetlb hstate's index, or -1 */
	uint64_t cgrp;     /* {CGROUP} in the path: the cgroup's id; 0 the root */
	struct fs_write *write; /* a write request's, for the ctl files; or NULL */
	bool cap_sys_admin; /* the opener may see page frame numbers (pagemap) */
};

typedef void (*render_fn)(struct machine *m, const struct fs_ctx *ctx, GString *out);
typedef int (*write_fn)(struct machine *m, const struct fs_ctx *ctx, const char *buf, size_t len,
			GString *reply);
/* A binary file's read (pagemap, kpageflags): size bytes at off into buf;
 * the bytes given (0 at the end, fewer near it), or a negative errno */
typedef ssize_t (*read_fn)(struct machine *m, const struct fs_ctx *ctx, char *buf, size_t size, off_t off);

struct layout_entry {
	const char *pattern; /* e.g. "sys/devices/system/node/node{N}/meminfo"; dirs end in "/" */
	unsigned int mode;   /* permission bits */
	render_fn render;    /* NULL for directories */
	write_fn write;      /* NULL for read-only files */
	read_fn read;        /* a binary file's (render is NULL), else NULL */
	const char *doc;
};

extern const struct layout_entry layout_table[];
extern const size_t layout_table_len;

/* Helpers for renderers and writers (render_util.c) */
/* "1,3-5" style list of the set bits of a mask of n bits */
void render_cpulist(GString *out, const unsigned char *bits, int n);
/* "00000000,0000000f" style hex mask of n bits */
void render_cpumask(GString *out, const unsigned char *bits, int n);

#endif
