/*
 * NUMA balancing's files: proc/sys/kernel/numa_balancing and
 * numa_balancing_promote_rate_limit_MBps (proc_dointvec_minmax), and
 * the files of sys/kernel/debug/sched/numa_balancing (debugfs u32 attributes).
 */
#include <errno.h>

#include "render.h"
#include "render_util.h"
#include "kstrtox.h"
#include "layout_handlers.h"
#include "mmsim/numa_balancing.h"

void render_numa_balancing_sysctl(struct machine *m, const struct fs_ctx *ctx, GString *out)
{
	if (!g_strcmp0(ctx->name, "numa_balancing"))
		g_string_append_printf(out, "%d\n", m->numab->mode);
	else
		g_string_append_printf(out, "%d\n", m->numab->promote_rate_limit_MBps);
}

/* sysctl_numa_balancing: 0..4 (SYSCTL_FOUR); the rate limit 0..INT_MAX */
int write_numa_balancing_sysctl(struct machine *m, const struct fs_ctx *ctx, const char *buf, size_t len,
				GString *reply)
{
	bool mode = !g_strcmp0(ctx->name, "numa_balancing");
	long v;

	(void)reply;
	if (parse_int_strict(buf, len, &v) ||
	    (mode ? numa_balancing_set_mode(m, v) : numa_balancing_set_rate_limit(m, v))) {
		log_refused(m, ctx, buf, len, mode ? "0 to 4" : "0 to 2147483647");
		return -EINVAL;
	}
	return 0;
}

void render_numab_debugfs(struct machine *m, const struct fs_ctx *ctx, GString *out)
{
	int knob = numab_knob_by_name(ctx->name);

	if (knob >= 0)
		g_string_append_printf(out, "%u\n", numab_knob_get(m, knob));
}

/* debugfs_u32_set through simple_attr_write: kstrtoull base 0, the low
 * 32 bits stored */
int write_numab_debugfs(struct machine *m, const struct fs_ctx *ctx, const char *buf, size_t len, GString *reply)
{
	g_autofree char *s = g_strndup(buf, len);
	int knob = numab_knob_by_name(ctx->name);
	unsigned long long v;

	(void)reply;
	if (knob < 0)
		return -ENOENT;
	if (kstrtoull(s, 0, &v)) {
		log_refused(m, ctx, buf, len, "a number");
		return -EINVAL;
	}
	numab_knob_set(m, knob, (uint32_t)v);
	return 0;
}
