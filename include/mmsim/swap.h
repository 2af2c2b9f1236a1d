/*
 * Swap devices (include/linux/swap.h, mm/swap.h): swap_info_struct, its
 * clusters and slot counts, and the machine's swap globals.  The entry and
 * pte encodings live in mm_types.h.
 */
#ifndef MMSIM_SWAP_H
#define MMSIM_SWAP_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "mmsim/mm_types.h"
#include "mmsim/mmzone.h"

struct machine;

/* 2^5 types, less the ones swap ptes use for other things (6.15+ with
 * CONFIG_DEVICE_PRIVATE, CONFIG_MIGRATION, CONFIG_MEMORY_FAILURE,
 * CONFIG_PTE_MARKER): 2 device-private, 3 migration, 1 hwpoison, 1 marker */
#define MAX_SWAPFILES ((1 << MAX_SWAPFILES_SHIFT) - 2 - 3 - 1 - 1)

#define SWAPFILE_CLUSTER 512       /* HPAGE_PMD_NR: slots per cluster */
#define SWAP_MAP_MAX 0x3e          /* max count in swap_map */
#define SWAP_MAP_BAD 0x3f          /* the header and bad pages */
#define SWAP_HAS_CACHE 0x40        /* the slot's page is in the swap cache */
#define SWAP_FLAG_PRIO_MASK 0x7fff
#define SWAP_NEXT_INVALID 0
#define SWAP_CLUSTER_NONE UINT32_MAX

/* si->flags (include/linux/swap.h) */
#define SWP_USED (1u << 0)         /* is slot in swap_info[] used? */
#define SWP_WRITEOK (1u << 1)      /* ok to write to this swap? */
#define SWP_DISCARDABLE (1u << 2)
#define SWP_BLKDEV (1u << 6)       /* a block device (a partition) */
#define SWP_SOLIDSTATE (1u << 4)   /* non-rotational: per-cpu clusters */

/* The list a cluster is on (ci->flags in mm/swapfile.c) */
enum swap_cluster_flag {
	CLUSTER_FLAG_NONE,     /* on no list: the tail past the device's end */
	CLUSTER_FLAG_FREE,     /* every slot free */
	CLUSTER_FLAG_NONFULL,  /* some slots used */
	CLUSTER_FLAG_FRAG,     /* order-0 allocations gave up on it (unused: order 0 only) */
	CLUSTER_FLAG_FULL,
	CLUSTER_FLAG_NR,
};

/* One cluster: SWAPFILE_CLUSTER slots.  The slot counts (swap_map) of a
 * cluster exist while any of its slots is used: a 1 TiB device costs its
 * cluster array only. */
struct swap_cluster_info {
	uint16_t count;          /* slots in use (header and tail included) */
	uint8_t flags;           /* enum swap_cluster_flag */
	uint8_t order;           /* 0: the model allocates single pages */
	uint32_t prev, next;     /* links of its list, by cluster index */
	uint8_t *map;            /* swap_map for its slots, or NULL when all free */
};

struct swap_cluster_list {
	uint32_t head, tail;
	unsigned long nr;
};

struct swap_info_struct {
	unsigned int flags;      /* SWP_* */
	short prio;              /* the device's priority */
	int type;                /* index in swap_info[] */
	char *swap_file;         /* the path given to swapon */
	unsigned long max;       /* pages of the device: the last slot + 1 */
	unsigned long pages;     /* usable slots: max less the header (and bad pages) */
	unsigned long inuse_pages;
	unsigned long nr_clusters;
	struct swap_cluster_info *cluster_info;
	struct swap_cluster_list free_clusters, nonfull_clusters, frag_clusters, full_clusters;
	unsigned int nr_extents;
	unsigned long span;      /* pages from the first to the last extent block */
	int avail_prio[MAX_NUMNODES]; /* the plist key on each node's swap_avail_heads */
};

/* The machine's swap state (mm/swapfile.c's globals) */
struct swap_globals {
	struct swap_info_struct *swap_info[MAX_SWAPFILES];
	unsigned int nr_swapfiles;   /* swap_info[] slots ever used */
	long total_swap_pages;       /* usable slots of every enabled device */
	long nr_swap_pages;          /* free ones */
	int least_priority;          /* the last default priority given */
	GList *swap_active_head;     /* enabled devices by priority (swapoff, proc/swaps) */
	GList *swap_avail_heads[MAX_NUMNODES]; /* devices with free slots, per node */
	/* percpu_swap_cluster (6.14+): the device and the next offset each
	 * CPU allocates from; type -1 / offset SWAP_NEXT_INVALID: none */
	int *pcp_type;
	unsigned long *pcp_offset;
};

void swap_init(struct machine *m);     /* swapon of the preset's device */
void swap_destroy(struct machine *m);

/* swapon(2) of a device of size bytes: prio < 0 for the default
 * priority.  0 or -EBUSY (path in use), -EINVAL (too small or too large),
 * -EPERM (MAX_SWAPFILES reached). */
int sys_swapon(struct machine *m, const char *path, uint64_t size, int prio);
/* swapoff(2): -EINVAL when path is not an active swap device */
int sys_swapoff(struct machine *m, const char *path);
struct swap_info_struct *swap_info_by_path(struct machine *m, const char *path);

/* Slots (folio_alloc_swap, swap_duplicate, swap_free, put_swap_folio): a
 * new slot holds SWAP_HAS_CACHE; each pte that maps the entry adds one;
 * the slot is free when its count and cache bit are gone.  entry.val 0:
 * no free slot. */
swp_entry_t get_swap_page(struct machine *m, int cpu);
int swap_duplicate(struct machine *m, swp_entry_t entry);
void swap_free(struct machine *m, swp_entry_t entry);
void put_swap_folio(struct machine *m, swp_entry_t entry);
unsigned char swap_count(struct machine *m, swp_entry_t entry);

/* mm/swapfile.c: totals for meminfo, CommitLimit and the OOM killer */
long get_total_swap_pages(const struct machine *m);
long get_nr_swap_pages(const struct machine *m);
/* --debug-vm: counts vs. maps and lists */
char *swap_check_invariants(struct machine *m);

#endif
