/*
 * proc/sys/vm: the vm sysctls the model has.  One table row per knob:
 * where its int(s) live in struct vm_sysctls, its range (the ctl_table's
 * extra1/extra2), and what the kernel's handler does after a successful
 * write (mm/page_alloc.c, mm/vmstat.c).  Reading prints the values as
 * proc_dointvec does: tab separated, one newline.  Writing parses as
 * proc_dointvec_minmax does (kstrtox.c parse_int_vector).
 *
 * Differs from Linux, on purpose:
 *  - a failed write changes nothing; the kernel stores the values of a
 *    vector parsed before the bad one, and lowmem_reserve_ratio's handler
 *    even ignores the parse error and returns success;
 *  - stat_interval refuses values below 1 s (the kernel takes any int that
 *    fits in jiffies; 0 would make vmstat_update run in a loop).
 *  - dirty_writeback_centisecs refuses negative values (proc_dointvec
 *    there stores -1 into an unsigned int: a flusher period of 497 days).
 *  - drop_caches logs "drop_caches: N" without the writer's "COMM (PID): "
 *    (the FUSE caller is not a simulated task, and the log must stay
 *    deterministic).
 */
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <string.h>

#include "kstrtox.h"
#include "layout_handlers.h"
#include "render.h"
#include "render_util.h"
#include "mmsim/compaction.h"
#include "mmsim/pagemap.h"

#define MIN_PERCPU_PAGELIST_HIGH_FRACTION 8

struct vm_sysctl_knob {
	const char *name;
	size_t offset;  /* of the (first) int in struct vm_sysctls */
	int nr;         /* number of ints: 1, or a vector */
	long min, max;
	/* the handler's own check beyond the range, or NULL */
	bool (*valid)(const long *vals, int n);
	/* the handler's work once the new value is stored, or NULL */
	void (*written)(struct machine *m, const int *old);
};

/* An unsigned long knob (proc_doulongvec_minmax): one value, at least min
 * (its extra1), at most UINT_MAX pages (ERANGE, as the dirty handlers
 * check); written gets the old value */
struct vm_sysctl_ulong_knob {
	const char *name;
	size_t offset;
	unsigned long min;
	void (*written)(struct machine *m, unsigned long old);
};

/* min_free_kbytes_sysctl_handler */
static void min_free_kbytes_written(struct machine *m, const int *old)
{
	(void)old;
	m->sysctl.user_min_free_kbytes = m->sysctl.min_free_kbytes;
	setup_per_zone_wmarks(m);
}

/* watermark_scale_factor_sysctl_handler */
static void watermark_scale_factor_written(struct machine *m, const int *old)
{
	(void)old;
	setup_per_zone_wmarks(m);
}

/* lowmem_reserve_ratio_sysctl_handler: a ratio below 1 disables the reserve */
static void lowmem_reserve_ratio_written(struct machine *m, const int *old)
{
	(void)old;
	for (int i = 0; i < MAX_NR_ZONES; i++)
		if (m->sysctl.lowmem_reserve_ratio[i] < 1)
			m->sysctl.lowmem_reserve_ratio[i] = 0;
	setup_per_zone_lowmem_reserve(m);
}

/* percpu_pagelist_high_fraction_sysctl_handler: 0, or big enough to keep
 * the per-cpu lists from draining a zone */
static bool percpu_pagelist_high_fraction_valid(const long *vals, int n)
{
	(void)n;
	return vals[0] == 0 || vals[0] >= MIN_PERCPU_PAGELIST_HIGH_FRACTION;
}

static void percpu_pagelist_high_fraction_written(struct machine *m, const int *old)
{
	if (m->sysctl.percpu_pagelist_high_fraction != old[0])
		zone_pcp_update_all(m);
}

/* overcommit_ratio_handler / overcommit_kbytes_handler: one of the two
 * sets the limit, writing one clears the other */
static void overcommit_ratio_written(struct machine *m, const int *old)
{
	(void)old;
	m->sysctl.overcommit_kbytes = 0;
}

static void overcommit_kbytes_written(struct machine *m, const int *old)
{
	(void)old;
	m->sysctl.overcommit_ratio = 0;
}

/* dirty_writeback_centisecs_handler: a new period wakes the flusher */
static void dirty_writeback_centisecs_written(struct machine *m, const int *old)
{
	if (*old != m->sysctl.dirty_writeback_centisecs)
		wb_writeback_interval_changed(m);
}

/* mm/page-writeback.c: dirty_ratio and dirty_bytes set one limit, the
 * background ones the other; writing one zeroes its partner */
static void dirty_background_ratio_written(struct machine *m, const int *old)
{
	(void)old;
	m->sysctl.dirty_background_bytes = 0;
}

static void dirty_background_bytes_written(struct machine *m, unsigned long old)
{
	(void)old;
	m->sysctl.dirty_background_ratio = 0;
}

/* dirty_ratio_handler: only a changed value clears dirty_bytes */
static void dirty_ratio_written(struct machine *m, const int *old)
{
	if (m->sysctl.dirty_ratio != old[0])
		m->sysctl.dirty_bytes = 0;
}

static void dirty_bytes_written(struct machine *m, unsigned long old)
{
	if (m->sysctl.dirty_bytes != old)
		m->sysctl.dirty_ratio = 0;
}

/* compaction_proactiveness_sysctl_handler: a non-zero value wakes kcompactd */
static void compaction_proactiveness_written(struct machine *m, const int *old)
{
	(void)old;
	compaction_proactiveness_changed(m);
}

#define KNOB(field) offsetof(struct vm_sysctls, field)

static const struct vm_sysctl_knob vm_knobs[] = {
	{ "min_free_kbytes", KNOB(min_free_kbytes), 1, 0, INT_MAX, NULL,
	  min_free_kbytes_written },
	{ "watermark_scale_factor", KNOB(watermark_scale_factor), 1, 1, 3000, NULL,
	  watermark_scale_factor_written },
	{ "watermark_boost_factor", KNOB(watermark_boost_factor), 1, 0, INT_MAX, NULL, NULL },
	{ "lowmem_reserve_ratio", KNOB(lowmem_reserve_ratio), MAX_NR_ZONES, INT_MIN, INT_MAX, NULL,
	  lowmem_reserve_ratio_written },
	{ "percpu_pagelist_high_fraction", KNOB(percpu_pagelist_high_fraction), 1, 0, INT_MAX,
	  percpu_pagelist_high_fraction_valid, percpu_pagelist_high_fraction_written },
	/* proc_dointvec_jiffies: seconds that must fit in jiffies */
	{ "stat_interval", KNOB(stat_interval), 1, 1, INT_MAX / CONFIG_HZ, NULL, NULL },
	{ "overcommit_memory", KNOB(overcommit_memory), 1, 0, 2, NULL, NULL },
	{ "overcommit_ratio", KNOB(overcommit_ratio), 1, 0, INT_MAX, NULL, overcommit_ratio_written },
	{ "overcommit_kbytes", KNOB(overcommit_kbytes), 1, 0, INT_MAX, NULL, overcommit_kbytes_written },
	{ "max_map_count", KNOB(max_map_count), 1, 0, INT_MAX, NULL, NULL },
	{ "admin_reserve_kbytes", KNOB(admin_reserve_kbytes), 1, 0, INT_MAX, NULL, NULL },
	{ "user_reserve_kbytes", KNOB(user_reserve_kbytes), 1, 0, INT_MAX, NULL, NULL },
	{ "dirty_background_ratio", KNOB(dirty_background_ratio), 1, 0, 100, NULL,
	  dirty_background_ratio_written },
	{ "dirty_ratio", KNOB(dirty_ratio), 1, 0, 100, NULL, dirty_ratio_written },
	{ "dirty_writeback_centisecs", KNOB(dirty_writeback_centisecs), 1, 0, INT_MAX, NULL,
	  dirty_writeback_centisecs_written },
	{ "dirty_expire_centisecs", KNOB(dirty_expire_centisecs), 1, 0, INT_MAX, NULL, NULL },
	{ "dirtytime_expire_seconds", KNOB(dirtytime_expire_seconds), 1, 0, INT_MAX, NULL, NULL },
	/* mm/oom_kill.c vm_oom_kill_table */
	{ "panic_on_oom", KNOB(panic_on_oom), 1, 0, 2, NULL, NULL },
	{ "oom_kill_allocating_task", KNOB(oom_kill_allocating_task), 1, INT_MIN, INT_MAX, NULL, NULL },
	{ "oom_dump_tasks", KNOB(oom_dump_tasks), 1, INT_MIN, INT_MAX, NULL, NULL },
	/* mm/vmscan.c (SYSCTL_TWO_HUNDRED), mm/swap.c (page_cluster_max 31) */
	{ "swappiness", KNOB(swappiness), 1, 0, 200, NULL, NULL },
	{ "page-cluster", KNOB(page_cluster), 1, 0, 31, NULL, NULL },
	/* fs/dcache.c: the weight of dentry and inode caches in reclaim */
	{ "vfs_cache_pressure", KNOB(vfs_cache_pressure), 1, 0, INT_MAX, NULL, NULL },
	/* mm/compaction.c vm_compaction[] */
	{ "compaction_proactiveness", KNOB(compaction_proactiveness), 1, 0, 100, NULL,
	  compaction_proactiveness_written },
	{ "extfrag_threshold", KNOB(extfrag_threshold), 1, 0, 1000, NULL, NULL },
	{ "compact_unevictable_allowed", KNOB(compact_unevictable_allowed), 1, 0, 1, NULL, NULL },
	/* mm/vmscan.c and mm/page_alloc.c: node reclaim */
	{ "zone_reclaim_mode", KNOB(zone_reclaim_mode), 1, 0, INT_MAX, NULL, NULL },
	{ "min_unmapped_ratio", KNOB(min_unmapped_ratio), 1, 0, 100, NULL, NULL },
	{ "min_slab_ratio", KNOB(min_slab_ratio), 1, 0, 100, NULL, NULL },
};

static const struct vm_sysctl_ulong_knob vm_ulong_knobs[] = {
	{ "dirty_background_bytes", KNOB(dirty_background_bytes), 1, dirty_background_bytes_written },
	/* dirty_bytes_min: two pages */
	{ "dirty_bytes", KNOB(dirty_bytes), 2 * PAGE_SIZE, dirty_bytes_written },
};

static const struct vm_sysctl_ulong_knob *find_ulong_knob(const char *name)
{
	for (size_t i = 0; i < G_N_ELEMENTS(vm_ulong_knobs); i++)
		if (name && !strcmp(vm_ulong_knobs[i].name, name))
			return &vm_ulong_knobs[i];
	return NULL;
}

static unsigned long *ulong_knob_field(struct machine *m, const struct vm_sysctl_ulong_knob *k)
{
	return (unsigned long *)(void *)((char *)&m->sysctl + k->offset);
}

static const struct vm_sysctl_knob *find_knob(const char *name)
{
	for (size_t i = 0; i < G_N_ELEMENTS(vm_knobs); i++)
		if (name && !strcmp(vm_knobs[i].name, name))
			return &vm_knobs[i];
	return NULL;
}

static int *knob_field(struct machine *m, const struct vm_sysctl_knob *k)
{
	return (int *)((char *)&m->sysctl + k->offset);
}

void render_sysctl(struct machine *m, const struct fs_ctx *ctx, GString *out)
{
	const struct vm_sysctl_knob *k = find_knob(ctx->name);
	const struct vm_sysctl_ulong_knob *uk = find_ulong_knob(ctx->name);
	const int *v;

	if (uk) {
		g_string_append_printf(out, "%lu\n", *ulong_knob_field(m, uk));
		return;
	}
	if (!k)
		return;
	v = knob_field(m, k);
	for (int i = 0; i < k->nr; i++)
		g_string_append_printf(out, i ? "\t%d" : "%d", v[i]);
	g_string_append_c(out, '\n');
}

static bool knob_accepts(const struct vm_sysctl_knob *k, const long *vals, int n)
{
	for (int i = 0; i < n; i++)
		if (vals[i] < k->min || vals[i] > k->max)
			return false;
	return !k->valid || k->valid(vals, n);
}

/* One sim/log line naming the knob and what was written, made printable. */
static void log_invalid(struct machine *m, const struct vm_sysctl_knob *k, const char *buf,
			size_t len)
{
	g_autofree char *raw = g_strndup(buf, MIN(len, (size_t)64));
	g_autofree char *shown = g_strescape(g_strstrip(raw), NULL);

	printk(m, "sysctl: %s: invalid value '%s'", k->name, shown);
}

/* proc_doulongvec_minmax: one unsigned long, at least extra1 */
static int write_sysctl_ulong(struct machine *m, const struct vm_sysctl_ulong_knob *k, const char *buf,
			      size_t len)
{
	unsigned long *field = ulong_knob_field(m, k);
	unsigned long val, old = *field;
	int err = 0;

	if (parse_ulong_strict(buf, len, &val) || val < k->min)
		err = -EINVAL;
	/* dirty_bytes_handler, dirty_background_bytes_handler: the limit in
	 * pages must fit the unsigned int the thresholds are kept in */
	else if (val / PAGE_SIZE + !!(val % PAGE_SIZE) > UINT_MAX)
		err = -ERANGE;
	if (err) {
		g_autofree char *raw = g_strndup(buf, MIN(len, (size_t)64));
		g_autofree char *shown = g_strescape(g_strstrip(raw), NULL);

		printk(m, "sysctl: %s: %s '%s'", k->name, err == -ERANGE ? "value out of range" : "invalid value",
		       shown);
		return err;
	}
	*field = val;
	if (k->written)
		k->written(m, old);
	return 0;
}

int write_sysctl(struct machine *m, const struct fs_ctx *ctx, const char *buf, size_t len,
		 GString *reply)
{
	const struct vm_sysctl_knob *k = find_knob(ctx->name);
	long vals[MAX_NR_ZONES];
	int old[MAX_NR_ZONES], *field;
	int n;

	(void)reply;
	if (find_ulong_knob(ctx->name))
		return write_sysctl_ulong(m, find_ulong_knob(ctx->name), buf, len);
	if (!k)
		return -ENOENT;
	n = parse_int_vector(buf, len, vals, k->nr);
	if (n < 0 || !knob_accepts(k, vals, n)) {
		log_invalid(m, k, buf, len);
		return -EINVAL;
	}
	/* a shorter vector sets its first entries only, as in Linux */
	field = knob_field(m, k);
	memcpy(old, field, sizeof(int) * (size_t)k->nr);
	for (int i = 0; i < n; i++)
		field[i] = (int)vals[i];
	if (k->written)
		k->written(m, old);
	return 0;
}

/*
 * proc/sys/vm/drop_caches (fs/drop_caches.c drop_caches_sysctl_handler):
 * write-only, 1 frees the clean page cache, 2 the reclaimable slab, 3
 * both, 4 is the "stop logging" bit.  The file has no read handler in
 * Linux (mode 0200: even root gets EACCES), so rendering is never reached.
 */
void render_drop_caches(struct machine *m, const struct fs_ctx *ctx, GString *out)
{
	(void)m;
	(void)ctx;
	(void)out;
}

int write_drop_caches(struct machine *m, const struct fs_ctx *ctx, const char *buf, size_t len, GString *reply)
{
	long val;
	int err;

	(void)ctx;
	(void)reply;
	/* proc_dointvec_minmax with extra1 SYSCTL_ONE, extra2 SYSCTL_FOUR */
	if (parse_int_strict(buf, len, &val) || val < 1 || val > 4) {
		g_autofree char *raw = g_strndup(buf, MIN(len, (size_t)64));
		g_autofree char *shown = g_strescape(g_strstrip(raw), NULL);

		printk(m, "sysctl: drop_caches: invalid value '%s'", shown);
		return -EINVAL;
	}
	if (val & 3) {
		err = drop_caches(m, (int)(val & 3));
		if (err < 0) {
			printk(m, "sysctl: drop_caches: %s", g_strerror(-err));
			return err;
		}
	}
	/* the line is logged until a write with bit 4 (stfu), that one included */
	if (!m->drop_caches_stfu)
		printk(m, "drop_caches: %ld", val);
	m->drop_caches_stfu |= (val & 4) != 0;
	return 0;
}
