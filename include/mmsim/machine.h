/*
 * The simulated machine: its hardware description (struct machine_config),
 * its memory (nodes, zones, sections), its clock and kernel-thread work,
 * its tunables (the vm sysctls) and its log.  Everything the model knows
 * hangs off one struct machine; several may live in one process.
 */
#ifndef MMSIM_MACHINE_H
#define MMSIM_MACHINE_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "mmsim/mm_types.h"
#include "mmsim/mmzone.h"
#include "mmsim/vmstat.h"

/* MMSIM_VERSION comes from the build (meson.build's project version) */
#ifndef MMSIM_VERSION
#error "the build must define MMSIM_VERSION"
#endif

struct machine_config {
	char *name;              /* preset name */
	uint64_t mem_bytes;      /* RAM over all nodes */
	int nr_nodes;
	int nr_cpus;
	uint64_t swap_bytes;     /* the swap device swapped on at boot (/dev/sda5), 0: none */
	uint64_t movable_bytes;  /* movablecore=: ZONE_MOVABLE at the top of each node */
	uint64_t kernel_reserved_bytes; /* kernel image, initrd, firmware: memblock */
	bool manual_clock;
	uint64_t seed;
	bool debug_vm;
	bool sync_kthreads;      /* benchmarks' baseline: a woken kswapd runs
				    to the end inside the allocation (the
				    model before kernel threads had time) */
	bool bare;               /* unit tests: no init or kernel threads (the
				    allocator as it stands before rest_init) */
	char *cpu_model;
	unsigned int cpu_mhz;
	bool pdpe1gb;            /* the CPU has 1 GiB pages (X86_FEATURE_GBPAGES):
				    cpuinfo's flag, the direct map's DirectMap1G */
	int distance_local, distance_remote;
	/* the simulated disk (sda): per-request latency and bandwidth */
	uint64_t disk_latency_ns;
	uint64_t disk_bandwidth;    /* bytes per second */
	bool lru_gen;               /* MGLRU on at boot (CONFIG_LRU_GEN_ENABLED) */
};

void machine_config_init(struct machine_config *cfg);   /* built-in defaults */
void machine_config_clear(struct machine_config *cfg);
/* Read a GLib key-file preset ([machine] group) over cfg; false + error. */
bool machine_config_load_keyfile(struct machine_config *cfg, GKeyFile *kf, GError **error);
/* Checks the values make a machine this model can build. */
bool machine_config_validate(const struct machine_config *cfg, GError **error);
/* Parse "512M", "4G", "1T", "4096" (bytes). */
bool parse_size(const char *s, uint64_t *out);

/* ---- simulated time (kernel/time) and kernel-thread work ---- */
#define NSEC_PER_SEC 1000000000ULL
#define NSEC_PER_MSEC 1000000ULL
#define USER_HZ 100
/* the kernel's tick (Debian's CONFIG_HZ_250): jiffies, timer interrupts */
#define CONFIG_HZ 250
#define HZ CONFIG_HZ
#define NSEC_PER_JIFFY (NSEC_PER_SEC / HZ)

typedef void (*timer_fn)(struct machine *m, void *arg);

struct sim_timer {
	uint64_t expires;   /* ns of simulated time */
	uint64_t seq;       /* FIFO among equal expiry */
	timer_fn fn;
	void *arg;
	const char *name;
};

/* ---- the vm sysctls that exist so far (kernel/sysctl.c, mm/) ---- */
struct vm_sysctls {
	int min_free_kbytes;
	int user_min_free_kbytes;  /* -1 until a user writes min_free_kbytes */
	int watermark_scale_factor;
	int watermark_boost_factor;
	int lowmem_reserve_ratio[MAX_NR_ZONES];
	int percpu_pagelist_high_fraction;
	int stat_interval;         /* seconds, vmstat_update period */
	int page_group_by_mobility_disabled;
	/* mm/util.c overcommit policy and limits */
	int overcommit_memory;     /* 0 heuristic, 1 always, 2 never */
	int overcommit_ratio;      /* percent of RAM in mode 2 */
	int overcommit_kbytes;     /* ulong in Linux; 0..INT_MAX here */
	int max_map_count;
	int admin_reserve_kbytes;
	int user_reserve_kbytes;
	/* mm/page-writeback.c */
	int dirty_background_ratio;
	int dirty_ratio;
	unsigned long dirty_background_bytes;
	unsigned long dirty_bytes;
	int dirty_writeback_centisecs;
	int dirty_expire_centisecs;
	int dirtytime_expire_seconds;
	/* mm/oom_kill.c */
	int panic_on_oom;          /* 0, 1 or 2: panic instead of killing */
	int oom_kill_allocating_task;
	int oom_dump_tasks;        /* default 1 */
	/* mm/vmscan.c and mm/swap.c, read by reclaim */
	int swappiness;            /* 0..200, default 60 */
	int page_cluster;          /* log2 of swap-in readahead, default 3 */
	int vfs_cache_pressure;    /* fs/dcache.c, default 100 */
	/* mm/compaction.c and mm/vmstat.c */
	int compact_memory;        /* the last value written (write-only file) */
	int compaction_proactiveness; /* 0..100, default 20 */
	int extfrag_threshold;     /* 0..1000, default 500 */
	int compact_unevictable_allowed; /* 0..1, default 1 */
	/* mm/vmscan.c node reclaim (node_reclaim.c) */
	int zone_reclaim_mode;     /* RECLAIM_ZONE 1 | RECLAIM_WRITE 2 | RECLAIM_UNMAP 4 */
	int min_unmapped_ratio;    /* 0..100, default 1 */
	int min_slab_ratio;        /* 0..100, default 5 */
};

/* ---- the machine ---- */
struct cpu_state {
	int node;
	/* jiffies (USER_HZ) accounted by the model */
	uint64_t user, nice, system, idle_base, iowait, irq, softirq, steal;
	uint64_t busy_ns;  /* kernel time the model accounted (system) */
	uint64_t user_ns;  /* user time of the workloads that ran here */
	uint64_t iowait_ns; /* time a task of this CPU waited for I/O */
};

struct psi_group_res {
	uint64_t total_us[2];        /* some, full: stall time */
	double avg[2][3];            /* some/full x 10s/60s/300s, percent */
	uint64_t avg_last_total[2];
	uint64_t some_ns;            /* memory: "some" in ns, total_us[0] follows */
};

enum psi_res { PSI_IO, PSI_MEM, PSI_CPU, NR_PSI_RESOURCES };

struct xarray;
struct ctl_state;

struct machine {
	struct machine_config cfg;
	int nr_nodes;
	int nr_cpus;
	pg_data_t *node_data[MAX_NUMNODES];
	int node_distance[MAX_NUMNODES][MAX_NUMNODES];
	struct cpu_state *cpus;

	/* sparsemem */
	struct mem_section *sections;
	unsigned long nr_sections;
	unsigned long max_pfn;
	unsigned long nr_memmap_sections;  /* sections whose mem_map exists */
	/* After boot, mem_maps live in one reserved range of the host's
	 * address space, backed by huge pages where the host has them
	 * (sparse_init_memmap_arena); NULL: each is its own allocation */
	struct page *memmap_arena;
	void *memmap_arena_map;            /* the whole mapping, for release */
	size_t memmap_arena_map_bytes;

	/* global counters */
	unsigned long totalram_pages;
	unsigned long totalreserve_pages;
	unsigned long vm_events[NR_VM_EVENT_ITEMS];

	struct vm_sysctls sysctl;

	/* time */
	uint64_t now_ns;             /* simulated time since boot */
	uint64_t sched_pending_ns;   /* the running task's time not yet on the clock */
	int64_t boot_wall_sec;       /* btime */
	GArray *timers;              /* binary heap of struct sim_timer */
	uint64_t timer_seq;
	uint64_t nr_context_switches;
	uint64_t nr_forks;           /* "processes" in /proc/stat */
	int nr_running;
	int nr_threads;
	int last_pid;
	unsigned long avenrun[3];    /* fixed-point load averages (FSHIFT 11) */
	struct psi_group_res psi[NR_PSI_RESOURCES];
	uint64_t psi_last_avg_ns;
	uint64_t psi_mem_some_until; /* memory "some" is counted up to here */

	/* sim/log: dmesg-style ring of lines */
	GString *log;
	gsize log_limit;

	/* the front end's own per-machine state (the handles sim/ctl gave
	 * out): opaque to the engine, freed through ctl_destroy by
	 * machine_destroy */
	struct ctl_state *ctl;
	void (*ctl_destroy)(struct ctl_state *ctl);

	/* cgroup v2 (include/mmsim/cgroup.h): the root, and id -> cgroup */
	struct cgroup *cgrp_root;
	GHashTable *cgroups;
	uint64_t cgroup_next_id;
	struct memcg_state *memcg;   /* mm/memcontrol.c: include/mmsim/memcontrol.h */

	/* tasks (kernel/pid.c): pid -> struct task_struct * */
	GHashTable *tasks;
	int pid_max;
	unsigned long zero_pfn;      /* the shared zero page */
	long vm_committed_as;        /* pages, Committed_AS */
	struct task_struct *current; /* the task a fault runs for, or NULL */
	/* the task a kernel thread's step interrupted: it is in a system
	 * call, so an OOM kill lets it die when that returns */
	struct task_struct *preempted;
	int debug_vm_batch;          /* > 0: a batch of operations runs, checked once at its end */
	bool drop_caches_stfu;       /* fs/drop_caches.c: bit 4 was written, no more log lines */
	/* TLB flushes (the kernel shows them as nr_tlb_* only with
	 * CONFIG_DEBUG_TLBFLUSH, which the reference kernel lacks) */
	unsigned long nr_tlb_local_flush_one, nr_tlb_local_flush_all;

	/* the simulated filesystem, disk and page cache (mm/simfs.c, filemap.c, blk.c) */
	struct super_block *sb;

	GRand *rand;

	/* mm/swap_state.c: the swap cache (entry -> page), page -> entry, the
	 * swap writes in flight and those of the current reclaim pass */
	struct xarray *swap_cache;
	GHashTable *swap_entries;
	GPtrArray *swap_inflight;
	GArray *swap_plug;
	/* mm/swapfile.c: the swap devices (include/mmsim/swap.h) */
	struct swap_globals *swap;
	/* kernel/panic.c: the machine halted (panic_on_oom); only reads work */
	bool panicked;
	/* the kernel's own allocators (mm/slub.c, mm/vmalloc.c, mm/shrinker.c,
	 * fs/dcache.c): include/mmsim/slab.h */
	struct slab_state *slab;
	struct vmalloc_state *vmalloc;
	struct dcache_state *dcache;
	GPtrArray *shrinkers;
	unsigned long *cached_stacks; /* kernel/fork.c: 2 free vmalloc stacks per CPU */
	/* mm/vmscan.c MGLRU: lru_gen_caps (LRU_GEN_CORE, _MM_WALK,
	 * _NONLEAF_YOUNG bits) and min_ttl_ms */
	unsigned int lru_gen_caps;
	unsigned int lru_gen_min_ttl_ms;
	struct trace_array *trace;    /* kernel/trace: include/mmsim/trace.h */
	struct thp_state *thp;        /* mm/huge_memory.c: include/mmsim/huge_mm.h */
	struct hugetlb_state *hugetlb; /* mm/hugetlb.c: include/mmsim/hugetlb.h */
	/* mm/mempolicy.c: weighted interleave's weights (0: the default, 1),
	 * and whether they are the automatic ones (none was written) */
	uint8_t iw_table[MAX_NUMNODES];
	bool iw_manual;
	struct ksm_state *ksm;        /* mm/ksm.c and page contents: include/mmsim/ksm.h */
	struct numab_state *numab;    /* NUMA balancing: include/mmsim/numa_balancing.h */
	struct workload_state *workloads; /* mm/workload.c: include/mmsim/workload.h */
};

struct machine *machine_create(const struct machine_config *cfg, GError **error);
void machine_destroy(struct machine *m);

/* Advance simulated time to now+delta_ns, running due kernel-thread work. */
void machine_advance(struct machine *m, uint64_t delta_ns);
void mod_timer(struct machine *m, uint64_t expires_ns, const char *name, timer_fn fn, void *arg);
void del_timer(struct machine *m, timer_fn fn, void *arg);
/* The time the running task has spent passes (at a command's end) */
void sched_flush(struct machine *m);

/* printk into sim/log: "[seconds.micros] message\n" in simulated time */
void printk(struct machine *m, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

/* --debug-vm: check every invariant; returns NULL or a description. */
char *machine_check_invariants(struct machine *m);
/* After an operation: aborts loudly when debug_vm is on and an invariant broke. */
void machine_debug_check(struct machine *m, const char *op);
/* A batch of operations (one command of a front end): the checks of the
 * operations in it are skipped, and the end checks once (--debug-vm would
 * be quadratic otherwise).  Batches nest. */
void machine_debug_batch_begin(struct machine *m);
void machine_debug_batch_end(struct machine *m, const char *op);

/* mm/page_alloc.c globals over the machine */
void setup_per_zone_wmarks(struct machine *m);
void setup_per_zone_lowmem_reserve(struct machine *m);
void calculate_min_free_kbytes(struct machine *m);
void zone_pcp_update_all(struct machine *m);
unsigned long nr_free_buffer_pages(struct machine *m);
long si_mem_available(struct machine *m);

/* sparsemem helpers (mm/sparse.c) */
static inline unsigned long pfn_to_section_nr(unsigned long pfn) { return pfn >> PFN_SECTION_SHIFT; }
static inline struct mem_section *__pfn_to_section(struct machine *m, unsigned long pfn)
{
	return &m->sections[pfn_to_section_nr(pfn)];
}
bool pfn_valid(struct machine *m, unsigned long pfn);
/* The page's metadata; allocates the section's mem_map on first use. */
struct page *__pfn_to_page_slow(struct machine *m, unsigned long pfn);
static inline struct page *pfn_to_page(struct machine *m, unsigned long pfn)
{
	struct mem_section *ms = __pfn_to_section(m, pfn);

	if (G_LIKELY(ms->mem_map))
		return &ms->mem_map[pfn & (PAGES_PER_SECTION - 1)];
	return __pfn_to_page_slow(m, pfn);
}
/* Without allocating: NULL when the section has no mem_map. */
struct page *pfn_to_page_noalloc(struct machine *m, unsigned long pfn);
unsigned long page_to_pfn(struct machine *m, const struct page *page);
int get_pageblock_migratetype(struct machine *m, unsigned long pfn);
void set_pageblock_migratetype(struct machine *m, struct zone *zone, unsigned long pfn, int mt);
struct zone *__pfn_zone_slow(struct machine *m, unsigned long pfn);
static inline struct zone *pfn_zone(struct machine *m, unsigned long pfn)
{
	struct mem_section *ms = __pfn_to_section(m, pfn);

	if (G_LIKELY(!ms->zones_mixed))
		return &m->node_data[ms->nid]->node_zones[ms->zid];
	return __pfn_zone_slow(m, pfn);
}

static inline int cpu_to_node(const struct machine *m, int cpu) { return m->cpus[cpu].node; }
static inline pg_data_t *NODE_DATA(const struct machine *m, int nid) { return m->node_data[nid]; }

#define for_each_online_node(m, nid) for (int nid = 0; nid < (m)->nr_nodes; nid++)
#define for_each_zone_in_node(pgdat, z) \
	for (struct zone *z = (pgdat)->node_zones; z < (pgdat)->node_zones + MAX_NR_ZONES; z++)

/* Counter updates (mm/vmstat.c), inline: they sit on every fast path */
static inline void __mod_zone_page_state(struct zone *zone, enum zone_stat_item item, long delta)
{
	zone->vm_stat[item] += delta;
}

static inline void __mod_node_page_state(struct pglist_data *pgdat, enum node_stat_item item, long delta)
{
	pgdat->vm_stat[item] += delta;
}

static inline void __count_numa_event(struct zone *zone, enum numa_stat_item item)
{
	zone->vm_numa_event[item]++;
}

static inline void count_vm_events(struct machine *m, enum vm_event_item item, unsigned long delta)
{
	m->vm_events[item] += delta;
}

static inline void count_vm_event(struct machine *m, enum vm_event_item item)
{
	count_vm_events(m, item, 1);
}

/* bytes the model itself holds for page metadata (benchmarks) */
size_t machine_metadata_bytes(const struct machine *m);

#endif
