/*
 * Files and the page cache: the simulated disk and filesystem, inodes and
 * their address_space, open files with their readahead state, the LRU
 * lists, dirty limits and writeback (include/linux/fs.h, pagemap.h,
 * backing-dev.h, writeback.h, mm_inline.h in spirit).
 *
 * The engine's file API (mm/filemap.c, mm/readahead.c, mm/page-writeback.c,
 * mm/truncate.c, fs/drop_caches.c, mm/swap.c): functions return 0, a count
 * or a negative errno as the kernel's system calls do.
 */
#ifndef MMSIM_PAGEMAP_H
#define MMSIM_PAGEMAP_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "mmsim/blkdev.h"
#include "mmsim/mm_types.h"

struct machine;

#define PATH_MAX 4096
#define NAME_MAX 255
/* MAX_LFS_FILESIZE of a 64-bit kernel (ext4 allows 16 TiB with 4 KiB blocks) */
#define SIM_MAX_FILE_SIZE (16ULL << 40)
#define VM_READAHEAD_PAGES 32   /* 128 KiB: read_ahead_kb's default */
#define MMAP_LOTSAMISS 100

/* ---- the page cache index (lib/xarray.c): a 64-way radix tree ---- */
#define XA_CHUNK_SHIFT 6
#define XA_CHUNK_SIZE (1UL << XA_CHUNK_SHIFT)

struct xa_node {
	uint64_t slots[XA_CHUNK_SIZE]; /* leaves: pfn << 1, shadow (v << 1) | 1; inner: node pointer */
	struct xa_node *parent;
	uint8_t shift;                 /* 0 for leaves */
	uint8_t offset;                /* slot in the parent */
	uint8_t count;                 /* used slots */
	unsigned long slab_obj;        /* its radix_tree_node object, when SLUB exists */
};

struct xarray {
	struct xa_node *head;          /* NULL when empty */
	unsigned long nr_nodes;        /* xa_nodes (radix_tree_node objects) */
	/* the last leaf used: sequential access skips the walk */
	struct xa_node *hint;
	unsigned long hint_index;      /* first index the hint covers */
	/* told of each node made and freed (the radix_tree_node objects) */
	void (*node_hook)(struct xarray *xa, struct xa_node *node, bool alloc);
	void *hook_arg;
};

uint64_t xa_load(struct xarray *xa, unsigned long index);
uint64_t xa_store(struct xarray *xa, unsigned long index, uint64_t entry);
uint64_t xa_erase(struct xarray *xa, unsigned long index);
uint64_t xa_find(struct xarray *xa, unsigned long *index, unsigned long max);
void xa_destroy(struct xarray *xa);
#define xa_is_value(e) ((e) & 1)
#define xa_mk_page(pfn) ((uint64_t)(pfn) << 1)
#define xa_to_pfn(e) ((unsigned long)((e) >> 1))

/* ---- readahead (include/linux/fs.h struct file_ra_state) ---- */
/* The last decision of on-demand readahead on a file (sim/explain) */
enum ra_reason {
	RA_NONE,           /* no readahead decision yet */
	RA_OFF,            /* ra_pages 0: the page asked for only */
	RA_INITIAL,        /* start of file, oversized or sequential read: get_init_ra_size */
	RA_RANDOM,         /* a small random read, read as is */
	RA_CONTEXT,        /* a stream found in the page-cache history */
	RA_ASYNC,          /* the PG_readahead mark of the window: get_next_ra_size */
	RA_ASYNC_CACHED,   /* a mark hit out of order: sized from the cached pages after it */
	RA_MMAP_AROUND,    /* a fault on a mapping: read-around centred on the fault */
};

struct ra_decision {
	enum ra_reason reason;
	unsigned long index, req_count, max_pages;
	unsigned long prev_index;      /* RA_INITIAL */
	unsigned long contig;          /* RA_RANDOM, RA_CONTEXT: cached pages before index;
					* RA_ASYNC_CACHED: the next miss after it */
	unsigned int old_size;         /* RA_ASYNC*: the window before */
};

struct file_ra_state {
	unsigned long start;
	unsigned int size;
	unsigned int async_size;
	unsigned int ra_pages;
	unsigned int mmap_miss;
	int64_t prev_pos;              /* -1: none */
	struct ra_decision last;
};

struct inode;

struct address_space {
	struct inode *host;
	struct xarray i_pages;
	unsigned long nrpages;         /* pages in the cache */
	unsigned long nrshadows;       /* workingset shadow entries (reclaim) */
	unsigned long nr_dirty, nr_writeback;
	GPtrArray *i_mmap;             /* VMAs mapping it (rmap for file pages) */
	/* reads in flight: [start, end) pages ready at done_ns */
	GArray *inflight;
	uint64_t inflight_until;       /* the last of their completions */
};

enum inode_kind { INODE_REG, INODE_SHMEM };

/* One inode for the simulated files and for the dcache's path lookups
 * (those are inode_cache objects, cached on the inode LRU while unused) */
struct inode {
	char *path;                    /* kept once unlinked */
	unsigned long i_ino;
	uint64_t i_size;
	enum inode_kind kind;          /* a disk file or shmem/tmpfs */
	struct address_space i_data;
	int i_count;                   /* open files; for a path lookup, its dentries */
	int i_mmap_count;              /* VMAs mapping it */
	bool unlinked;                 /* rmfile'd but still mapped: "(deleted)" */
	bool internal;                 /* shm_mnt's: behind a shared anonymous mapping */
	uint64_t dirtied_when;         /* ns: when it last went from clean to dirty */
	bool on_dirty_list;            /* on the bdi's b_dirty list */
	unsigned long slab_inode;      /* its inode_cache object (path lookups) */
	GList *i_lru;                  /* its link on the inode LRU while unused */
	unsigned int dev_major, dev_minor;
};

/* An open file (struct file): tasks keep theirs open until exit */
struct file {
	struct inode *f_inode;
	struct file_ra_state f_ra;
	int f_count;
	int f_fd;                      /* its descriptor in the tasks that share it */
	unsigned long slab_obj;        /* its filp object */
};

/* ---- the disk's writeback domain (struct backing_dev_info) ---- */
struct backing_dev_info {
	char dev_name[16];             /* bdi_dev_name: the disk's "MAJOR:MINOR" */
	unsigned int ra_pages;         /* read_ahead_kb / 4 */
	unsigned int io_pages;         /* max_sectors_kb / 4 */
	unsigned int min_ratio, max_ratio;
	GQueue b_dirty;                /* dirty inodes, oldest dirtied_when first */
	uint64_t write_bandwidth;      /* bytes/s, estimated like wb->avg_write_bandwidth */
	bool flusher_armed;            /* the periodic wb_workfn timer is pending */
	bool background_queued;        /* wb_start_background_writeback */
	uint64_t dirty_exceeded_ns;    /* time the writers spent throttled */
};

/* The simulated filesystem: one disk file system on sda1, tmpfs on /dev/shm */
struct super_block {
	GHashTable *inodes;            /* path -> struct inode * (linked ones) */
	GPtrArray *unlinked;           /* still-mapped deleted inodes */
	unsigned long next_ino;
	unsigned long next_shm_ino;    /* shm_mnt's inode numbers */
	struct gendisk *disk;          /* sda (include/mmsim/blkdev.h) */
	struct backing_dev_info bdi;
	GHashTable *dirs;              /* implicit directories -> files below them */
	GPtrArray *wb_inflight;        /* writeback requests not completed (struct wb_io) */
};

/* ---- the filesystem (ctl: file, rmfile) ---- */
/* Checks a path: 0 or -EINVAL (not absolute, empty components, "." or
 * ".."), -ENAMETOOLONG; nothing changes */
int sim_path_check(const char *path);
/* file PATH SIZE: create, or resize (truncate) an existing file.
 * -EISDIR (a directory), -ENOTDIR (a file in the way), -EFBIG, -EINVAL */
int sim_file_create(struct machine *m, const char *path, uint64_t size);
/* rmfile PATH: -ENOENT, -EISDIR.  Its cache goes unless mapped. */
int sim_file_remove(struct machine *m, const char *path);
struct inode *sim_file_lookup(struct machine *m, const char *path);
/* Is path a directory of the simulated tree (a prefix of some file)? */
bool sim_path_is_dir(struct machine *m, const char *path);
/* Linked inodes, sorted by path (sim/files) */
GPtrArray *sim_files_sorted(struct machine *m);

/* ---- file I/O (proc/PID/ctl: pread, pwrite, fsync) ---- */
long sys_pread(struct machine *m, struct task_struct *t, const char *path, uint64_t off, uint64_t len);
long sys_pwrite(struct machine *m, struct task_struct *t, const char *path, uint64_t off, uint64_t len);
/* fsync: writes back and waits; returns the bytes it wrote */
long sys_fsync(struct machine *m, struct task_struct *t, const char *path);
/* mmap of a file (MAP_SHARED or MAP_PRIVATE) at page offset pgoff */
long sys_mmap_file(struct machine *m, struct task_struct *t, unsigned long addr, unsigned long len,
		   int prot, int flags, const char *path, unsigned long pgoff, const char *name);

/* shmem_zero_setup: the unlinked shmem file behind a shared anonymous
 * mapping of size bytes ("/dev/zero (deleted)" in maps) */
struct file *shmem_zero_setup(struct machine *m, unsigned long size);

/* ---- caches (fs/drop_caches.c) ---- */
/* drop_caches: 1 page cache, 2 slab, 3 both; -EINVAL otherwise */
int drop_caches(struct machine *m, int mode);

/* ---- dirty limits (mm/page-writeback.c) ---- */
void global_dirty_limits(struct machine *m, unsigned long *pbackground, unsigned long *pdirty);
unsigned long global_dirtyable_memory(struct machine *m);
/* dirty_writeback_centisecs changed: the flusher's period restarts
 * (dirty_writeback_centisecs_handler wakes it) */
void wb_writeback_interval_changed(struct machine *m);
/* the bdi's read_ahead_kb */
int bdi_set_read_ahead_kb(struct machine *m, unsigned long kb);
/* The bdi's share of the dirty threshold, as a percent (-EINVAL out of
 * range) or in bytes of the current threshold */
int bdi_set_min_ratio(struct backing_dev_info *bdi, unsigned long min_ratio);
int bdi_set_max_ratio(struct backing_dev_info *bdi, unsigned long max_ratio);
uint64_t bdi_get_min_bytes(struct machine *m, const struct backing_dev_info *bdi);
uint64_t bdi_get_max_bytes(struct machine *m, const struct backing_dev_info *bdi);
int bdi_set_min_bytes(struct machine *m, struct backing_dev_info *bdi, unsigned long min_bytes);
int bdi_set_max_bytes(struct machine *m, struct backing_dev_info *bdi, unsigned long max_bytes);

#endif
