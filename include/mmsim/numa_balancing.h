/*
 * Automatic NUMA balancing (kernel/sched/fair.c task_numa_work and
 * task_numa_fault, mm/memory.c do_numa_page, mm/migrate.c
 * migrate_misplaced_folio): the sysctls and debugfs knobs, and the
 * per-task state proc files could show.
 */
#ifndef MMSIM_NUMA_BALANCING_H
#define MMSIM_NUMA_BALANCING_H

#include <stdbool.h>
#include <stdint.h>

/* sysctl_numa_balancing_mode bits (include/linux/sched/sysctl.h) */
#define NUMA_BALANCING_DISABLED 0x0
#define NUMA_BALANCING_NORMAL 0x1
#define NUMA_BALANCING_MEMORY_TIERING 0x2
/* the sysctl's extra2 (SYSCTL_FOUR): 4 is taken, with no bit of meaning */
#define NUMA_BALANCING_MODE_MAX 4

/* The knobs, in the kernel's units */
struct numab_state {
	int mode;                            /* kernel.numa_balancing */
	int promote_rate_limit_MBps;         /* kernel.numa_balancing_promote_rate_limit_MBps */
	/* debugfs sched/numa_balancing (u32 each) */
	uint32_t scan_delay_ms, scan_period_min_ms, scan_period_max_ms, scan_size_mb, hot_threshold_ms;
	bool timer_armed;
	uint64_t node_reclaim_locked;        /* PGDAT_RECLAIM_LOCKED per node (node_reclaim.c) */
};

/* The debugfs knobs, by file name */
enum numab_knob {
	NUMAB_SCAN_DELAY_MS,
	NUMAB_SCAN_PERIOD_MIN_MS,
	NUMAB_SCAN_PERIOD_MAX_MS,
	NUMAB_SCAN_SIZE_MB,
	NUMAB_HOT_THRESHOLD_MS,
	NR_NUMAB_KNOBS
};

struct machine;
struct task_struct;

/* The knob named name (a debugfs file), or -1 */
int numab_knob_by_name(const char *name);
uint32_t numab_knob_get(const struct machine *m, int knob);
void numab_knob_set(struct machine *m, int knob, uint32_t val);
/* kernel.numa_balancing: 0..4, -EINVAL otherwise; a non-zero mode starts
 * the scanning on simulated time */
int numa_balancing_set_mode(struct machine *m, long mode);
/* the promotion rate limit: 0..INT_MAX */
int numa_balancing_set_rate_limit(struct machine *m, long mbps);

#endif
