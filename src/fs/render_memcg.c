/*
 * sys/fs/cgroup/{CGROUP}/memory.*: the memory controller's files
 * (mm/memcontrol.c memory_files and swap_files).  Only in a cgroup whose
 * parent enables memory (the tree hides them otherwise); none at the root.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "kstrtox.h"
#include "layout_handlers.h"
#include "render.h"
#include "render_util.h"
#include "mmsim/cgroup.h"
#include "mmsim/memcontrol.h"

static struct mem_cgroup *ctx_memcg(struct machine *m, const struct fs_ctx *ctx)
{
	struct cgroup *cg = ctx->cgrp ? cgroup_from_id(m, ctx->cgrp) : NULL;

	return (cg ? cg : m->cgrp_root)->memcg;
}

/* The file's suffix after "memory.": "max", "swap.max", "events.local" */
static const char *knob(const struct fs_ctx *ctx)
{
	return ctx->name + strlen("memory.");
}

static void render_pages(GString *out, long pages)
{
	if (pages >= PAGE_COUNTER_MAX)
		g_string_append(out, "max\n");
	else
		g_string_append_printf(out, "%llu\n", (unsigned long long)pages * PAGE_SIZE);
}

/*
 * page_counter_memparse: "max", or a size in bytes with an optional
 * K/M/G/T/P/E suffix (memparse), rounded down to pages.  -EINVAL else.
 */
static int page_counter_memparse(const char *buf, size_t len, long *nr_pages)
{
	g_autofree char *s = g_strstrip(g_strndup(buf, len));
	unsigned long long bytes;
	char *end;
	int shift = 0;

	if (!strcmp(s, "max")) {
		*nr_pages = PAGE_COUNTER_MAX;
		return 0;
	}
	if (!g_ascii_isdigit(s[0]))
		return -EINVAL;
	bytes = strtoull(s, &end, 0);
	switch (*end) {
	case 'E': case 'e': shift += 10; /* fall through */
	case 'P': case 'p': shift += 10; /* fall through */
	case 'T': case 't': shift += 10; /* fall through */
	case 'G': case 'g': shift += 10; /* fall through */
	case 'M': case 'm': shift += 10; /* fall through */
	case 'K': case 'k': shift += 10;
		end++;
		break;
	default:
		break;
	}
	if (*end)
		return -EINVAL;
	if (shift && bytes > (ULLONG_MAX >> shift))
		bytes = ULLONG_MAX;
	else
		bytes <<= shift;
	*nr_pages = (long)MIN(bytes / PAGE_SIZE, (unsigned long long)PAGE_COUNTER_MAX);
	return 0;
}

void render_memory_current(struct machine *m, const struct fs_ctx *ctx, GString *out)
{
	struct mem_cgroup *memcg = ctx_memcg(m, ctx);

	g_string_append_printf(out, "%llu\n", (unsigned long long)mem_cgroup_usage(memcg, false) * PAGE_SIZE);
}

void render_memory_swap_current(struct machine *m, const struct fs_ctx *ctx, GString *out)
{
	struct mem_cgroup *memcg = ctx_memcg(m, ctx);

	g_string_append_printf(out, "%llu\n", (unsigned long long)mem_cgroup_usage(memcg, true) * PAGE_SIZE);
}

/* memory.min, low, high, max */
void render_memory_limit(struct machine *m, const struct fs_ctx *ctx, GString *out)
{
	struct page_counter *c = &ctx_memcg(m, ctx)->memory;
	const char *k = knob(ctx);

	render_pages(out, !strcmp(k, "min") ? c->min : !strcmp(k, "low") ? c->low : !strcmp(k, "high") ? c->high : c->max);
}

int write_memory_limit(struct machine *m, const struct fs_ctx *ctx, const char *buf, size_t len, GString *reply)
{
	struct mem_cgroup *memcg = ctx_memcg(m, ctx);
	const char *k = knob(ctx);
	long pages;

	(void)reply;
	if (page_counter_memparse(buf, len, &pages)) {
		log_refused(m, ctx, buf, len, "want \"max\" or a size in bytes (K, M, G suffixes)");
		return -EINVAL;
	}
	if (!strcmp(k, "min"))
		page_counter_set_min(&memcg->memory, pages);
	else if (!strcmp(k, "low"))
		page_counter_set_low(&memcg->memory, pages);
	else if (!strcmp(k, "high"))
		memory_high_write(m, memcg, pages);
	else
		memory_max_write(m, memcg, pages);
	return 0;
}

/* memory.swap.high, memory.swap.max */
void render_memory_swap_limit(struct machine *m, const struct fs_ctx *ctx, GString *out)
{
	struct page_counter *c = &ctx_memcg(m, ctx)->swap;

	render_pages(out, !strcmp(knob(ctx), "swap.high") ? c->high : c->max);
}

int write_memory_swap_limit(struct machine *m, const struct fs_ctx *ctx, const char *buf, size_t len,
			    GString *reply)
{
	struct mem_cgroup *memcg = ctx_memcg(m, ctx);
	long pages;

	(void)reply;
	if (page_counter_memparse(buf, len, &pages)) {
		log_refused(m, ctx, buf, len, "want \"max\" or a size in bytes (K, M, G suffixes)");
		return -EINVAL;
	}
	if (!strcmp(knob(ctx), "swap.high"))
		memcg->swap.high = pages;
	else
		memory_swap_max_write(m, memcg, pages);
	return 0;
}

/* memory.peak and memory.swap.peak: the highest usage since the cgroup
 * was made */
void render_memory_peak(struct machine *m, const struct fs_ctx *ctx, GString *out)
{
	struct mem_cgroup *memcg = ctx_memcg(m, ctx);
	struct page_counter *c = !strcmp(knob(ctx), "swap.peak") ? &memcg->swap : &memcg->memory;

	g_string_append_printf(out, "%llu\n", (unsigned long long)c->watermark * PAGE_SIZE);
}

static const char *const memory_event_names[] = {
	[MEMCG_LOW] = "low", [MEMCG_HIGH] = "high", [MEMCG_MAX] = "max", [MEMCG_OOM] = "oom",
	[MEMCG_OOM_KILL] = "oom_kill", [MEMCG_OOM_GROUP_KILL] = "oom_group_kill",
};

/* memory.events (hierarchical) and memory.events.local */
void render_memory_events(struct machine *m, const struct fs_ctx *ctx, GString *out)
{
	struct mem_cgroup *memcg = ctx_memcg(m, ctx);
	const unsigned long *ev = strstr(ctx->name, "local") ? memcg->events_local : memcg->events;

	for (int e = MEMCG_LOW; e <= MEMCG_OOM_GROUP_KILL; e++)
		g_string_append_printf(out, "%s %lu\n", memory_event_names[e], ev[e]);
}

void render_memory_swap_events(struct machine *m, const struct fs_ctx *ctx, GString *out)
{
	struct mem_cgroup *memcg = ctx_memcg(m, ctx);

	g_string_append_printf(out, "high %lu\nmax %lu\nfail %lu\n", memcg->events[MEMCG_SWAP_HIGH],
			       memcg->events[MEMCG_SWAP_MAX], memcg->events[MEMCG_SWAP_FAIL]);
}

void render_memory_stat(struct machine *m, const struct fs_ctx *ctx, GString *out)
{
	memory_stat_format(m, ctx_memcg(m, ctx), out);
}

/* memory.numa_stat: the per-node page states, "KEY N0=bytes N1=bytes" */
void render_memory_numa_stat(struct machine *m, const struct fs_ctx *ctx, GString *out)
{
	static const struct {
		const char *name;
		int item;
	} keys[] = {
		{ "anon", MS_ANON }, { "file", MS_FILE }, { "kernel_stack", -1 }, { "pagetables", -1 },
		{ "sec_pagetables", -1 }, { "shmem", MS_SHMEM }, { "file_mapped", MS_FILE_MAPPED },
		{ "file_dirty", MS_FILE_DIRTY }, { "file_writeback", MS_FILE_WRITEBACK },
		{ "swapcached", MS_SWAPCACHED }, { "anon_thp", -1 }, { "file_thp", -1 }, { "shmem_thp", -1 },
		{ "inactive_anon", MS_INACTIVE_ANON }, { "active_anon", MS_ACTIVE_ANON },
		{ "inactive_file", MS_INACTIVE_FILE }, { "active_file", MS_ACTIVE_FILE },
		{ "unevictable", MS_UNEVICTABLE }, { "slab_reclaimable", -1 }, { "slab_unreclaimable", -1 },
		{ "hugetlb", -1 },
	};
	unsigned long(*st)[NR_MEMCG_PAGE_STAT] = g_malloc0(sizeof(*st) * MAX_NUMNODES);

	mem_cgroup_page_stats(m, ctx_memcg(m, ctx), st);
	for (gsize k = 0; k < G_N_ELEMENTS(keys); k++) {
		g_string_append(out, keys[k].name);
		for (int nid = 0; nid < m->nr_nodes; nid++)
			g_string_append_printf(out, " N%d=%llu", nid,
					       keys[k].item < 0 ? 0ULL
								: (unsigned long long)st[nid][keys[k].item] * PAGE_SIZE);
		g_string_append_c(out, '\n');
	}
	g_free(st);
}

void render_memory_oom_group(struct machine *m, const struct fs_ctx *ctx, GString *out)
{
	g_string_append_printf(out, "%d\n", ctx_memcg(m, ctx)->oom_group);
}

/* memory_oom_group_write: 0 or 1, else EINVAL */
int write_memory_oom_group(struct machine *m, const struct fs_ctx *ctx, const char *buf, size_t len,
			   GString *reply)
{
	g_autofree char *s = g_strstrip(g_strndup(buf, len));
	int v;

	(void)reply;
	if (kstrtoint(s, 0, &v) || (v != 0 && v != 1)) {
		log_refused(m, ctx, buf, len, "want 0 or 1");
		return -EINVAL;
	}
	ctx_memcg(m, ctx)->oom_group = v;
	return 0;
}

void render_memory_reclaim(struct machine *m, const struct fs_ctx *ctx, GString *out)
{
	(void)m;
	(void)ctx;
	(void)out;
}

/* memory_reclaim: "SIZE [swappiness=N|max]"; EAGAIN when less than SIZE
 * could be reclaimed */
int write_memory_reclaim(struct machine *m, const struct fs_ctx *ctx, const char *buf, size_t len, GString *reply)
{
	g_autofree char *s = g_strstrip(g_strndup(buf, len));
	g_auto(GStrv) tok = g_strsplit_set(s, " \t\n", -1);
	int swappiness = -1, n = 0, err;
	long pages = 0;

	(void)reply;
	for (int i = 0; tok[i]; i++) {
		if (!tok[i][0])
			continue;
		if (n++ == 0) {
			if (page_counter_memparse(tok[i], strlen(tok[i]), &pages) || pages >= PAGE_COUNTER_MAX)
				goto bad;
		} else if (!strncmp(tok[i], "swappiness=", 11)) {
			if (!strcmp(tok[i] + 11, "max"))
				swappiness = 201;
			else if (kstrtoint(tok[i] + 11, 10, &swappiness) || swappiness < 0 || swappiness > 200)
				goto bad;
		} else {
			goto bad;
		}
	}
	if (!n)
		goto bad;
	err = memory_reclaim(m, ctx_memcg(m, ctx), (unsigned long)pages, swappiness);
	if (err)
		log_refused(m, ctx, buf, len, "could not reclaim that much");
	return err;
bad:
	log_refused(m, ctx, buf, len, "want SIZE [swappiness=0..200|max]");
	return -EINVAL;
}

/* memory.pressure: the stall totals of the memcg's tasks */
void render_memory_pressure(struct machine *m, const struct fs_ctx *ctx, GString *out)
{
	struct mem_cgroup *memcg = ctx_memcg(m, ctx);

	g_string_append_printf(out, "some avg10=0.00 avg60=0.00 avg300=0.00 total=%llu\n",
			       (unsigned long long)memcg->psi_some_us);
	g_string_append_printf(out, "full avg10=0.00 avg60=0.00 avg300=0.00 total=%llu\n",
			       (unsigned long long)memcg->psi_full_us);
}
