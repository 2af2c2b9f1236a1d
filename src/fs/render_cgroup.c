/*
 * sys/fs/cgroup: the cgroup v2 core files (kernel/cgroup/cgroup.c
 * cgroup_base_files) and the pids controller's (kernel/cgroup/pids.c).
 * The root's files are fixed paths (ctx->cgrp 0); a child's come from the
 * {CGROUP} template with the cgroup's id in ctx->cgrp.
 */
#include <errno.h>
#include <limits.h>
#include <string.h>

#include "kstrtox.h"
#include "layout_handlers.h"
#include "render.h"
#include "render_util.h"
#include "mmsim/cgroup.h"
#include "mmsim/mm_types.h"

/* The cgroup a file belongs to (the caller checked that it lives) */
static struct cgroup *ctx_cgroup(struct machine *m, const struct fs_ctx *ctx)
{
	struct cgroup *cg = ctx->cgrp ? cgroup_from_id(m, ctx->cgrp) : NULL;

	return cg ? cg : m->cgrp_root;
}

/* The written text without surrounding white space (the kernel's strstrip) */
static char *stripped(const char *buf, size_t len)
{
	return g_strstrip(g_strndup(buf, len));
}

static void render_mask(GString *out, unsigned int mask)
{
	bool first = true;

	for (int ss = 0; ss < CGROUP_SUBSYS_COUNT; ss++) {
		if (!(mask & (1u << ss)))
			continue;
		g_string_append_printf(out, "%s%s", first ? "" : " ", cgroup_subsys_name[ss]);
		first = false;
	}
	g_string_append_c(out, '\n');
}

void render_cgroup_controllers(struct machine *m, const struct fs_ctx *ctx, GString *out)
{
	render_mask(out, cgroup_control(ctx_cgroup(m, ctx)));
}

void render_cgroup_subtree_control(struct machine *m, const struct fs_ctx *ctx, GString *out)
{
	render_mask(out, ctx_cgroup(m, ctx)->subtree_control);
}

/* cgroup_subtree_control_write: "+memory -pids", tokens apart by white
 * space; an unknown name or a token without a sign is EINVAL */
int write_cgroup_subtree_control(struct machine *m, const struct fs_ctx *ctx, const char *buf, size_t len,
				 GString *reply)
{
	g_autofree char *text = g_strndup(buf, len);
	g_auto(GStrv) tok = g_strsplit_set(text, " \t\n", -1);
	unsigned int enable = 0, disable = 0;
	int err;

	(void)reply;
	for (int i = 0; tok[i]; i++) {
		int ss;

		if (!tok[i][0])
			continue;
		for (ss = 0; ss < CGROUP_SUBSYS_COUNT; ss++)
			if (!strcmp(tok[i] + 1, cgroup_subsys_name[ss]))
				break;
		if (ss == CGROUP_SUBSYS_COUNT || (tok[i][0] != '+' && tok[i][0] != '-')) {
			log_refused(m, ctx, buf, len, "want +NAME or -NAME of a controller");
			return -EINVAL;
		}
		if (tok[i][0] == '+') {
			enable |= 1u << ss;
			disable &= ~(1u << ss);
		} else {
			disable |= 1u << ss;
			enable &= ~(1u << ss);
		}
	}
	err = cgroup_subtree_control_apply(m, ctx_cgroup(m, ctx), enable, disable);
	if (err == -ENOENT)
		log_refused(m, ctx, buf, len, "the controller is not in cgroup.controllers");
	else if (err == -EBUSY)
		log_refused(m, ctx, buf, len,
			    "a child uses the controller, or the cgroup has processes of its own");
	return err;
}

static void render_pid_list(struct machine *m, const struct fs_ctx *ctx, GString *out)
{
	GArray *pids = cgroup_task_pids(m, ctx_cgroup(m, ctx));

	for (guint i = 0; i < pids->len; i++)
		g_string_append_printf(out, "%d\n", g_array_index(pids, int, i));
	g_array_free(pids, TRUE);
}

void render_cgroup_procs(struct machine *m, const struct fs_ctx *ctx, GString *out)
{
	render_pid_list(m, ctx, out);
}

/* One thread per process: the same IDs */
void render_cgroup_threads(struct machine *m, const struct fs_ctx *ctx, GString *out)
{
	render_pid_list(m, ctx, out);
}

/* The task a written PID names: -EINVAL malformed, -ESRCH none */
static int written_task(struct machine *m, const struct fs_ctx *ctx, const char *buf, size_t len,
			struct task_struct **out)
{
	g_autofree char *s = stripped(buf, len);
	int pid;

	if (kstrtoint(s, 0, &pid) || pid < 0) {
		log_refused(m, ctx, buf, len, "want a PID");
		return -EINVAL;
	}
	*out = pid ? find_task_by_pid(m, pid) : NULL;
	if (!*out) {
		log_refused(m, ctx, buf, len, "no such process");
		return -ESRCH;
	}
	return 0;
}

int write_cgroup_procs(struct machine *m, const struct fs_ctx *ctx, const char *buf, size_t len, GString *reply)
{
	struct task_struct *t;
	int err = written_task(m, ctx, buf, len, &t);

	(void)reply;
	if (err)
		return err;
	err = cgroup_attach_task(m, t, ctx_cgroup(m, ctx));
	if (err == -EINVAL)
		log_refused(m, ctx, buf, len, "a kernel thread stays in the root cgroup");
	else if (err == -EBUSY)
		log_refused(m, ctx, buf, len, "the cgroup gives its controllers to its children (no internal processes)");
	return err;
}

/* cgroup_threads_write: a thread moves only within its domain, and every
 * cgroup here is a domain of its own */
int write_cgroup_threads(struct machine *m, const struct fs_ctx *ctx, const char *buf, size_t len,
			 GString *reply)
{
	struct task_struct *t;
	int err = written_task(m, ctx, buf, len, &t);

	(void)reply;
	if (err)
		return err;
	if (t->cgroups != ctx_cgroup(m, ctx)) {
		log_refused(m, ctx, buf, len, "a thread moves only inside its threaded domain");
		return -EOPNOTSUPP;
	}
	return 0;
}

void render_cgroup_events(struct machine *m, const struct fs_ctx *ctx, GString *out)
{
	g_string_append_printf(out, "populated %d\nfrozen 0\n", ctx_cgroup(m, ctx)->nr_populated > 0);
}

void render_cgroup_type(struct machine *m, const struct fs_ctx *ctx, GString *out)
{
	(void)m;
	(void)ctx;
	g_string_append(out, "domain\n");
}

int write_cgroup_type(struct machine *m, const struct fs_ctx *ctx, const char *buf, size_t len, GString *reply)
{
	g_autofree char *s = stripped(buf, len);

	(void)reply;
	if (strcmp(s, "threaded")) {
		log_refused(m, ctx, buf, len, "only \"threaded\" may be written");
		return -EINVAL;
	}
	log_refused(m, ctx, buf, len, "threaded cgroups are not modelled");
	return -EOPNOTSUPP;
}

/* css->nr_descendants + 1 of a controller: the cgroups at and below cg
 * that have it (the root has them all) */
static int nr_subsys(const struct cgroup *cg, int ss)
{
	int n = !cg->parent || cgroup_has_subsys(cg, (enum cgroup_subsys_id)ss);

	if (!n)
		return 0;
	for (guint i = 0; i < cg->children->len; i++)
		n += nr_subsys(g_ptr_array_index(cg->children, i), ss);
	return n;
}

void render_cgroup_stat(struct machine *m, const struct fs_ctx *ctx, GString *out)
{
	const struct cgroup *cg = ctx_cgroup(m, ctx);

	g_string_append_printf(out, "nr_descendants %d\n", cg->nr_descendants);
	for (int ss = 0; ss < CGROUP_SUBSYS_COUNT; ss++)
		g_string_append_printf(out, "nr_subsys_%s %d\n", cgroup_subsys_name[ss], nr_subsys(cg, ss));
	g_string_append(out, "nr_dying_descendants 0\n");
	for (int ss = 0; ss < CGROUP_SUBSYS_COUNT; ss++)
		g_string_append_printf(out, "nr_dying_subsys_%s 0\n", cgroup_subsys_name[ss]);
}

/* cgroup.max.depth and cgroup.max.descendants */
void render_cgroup_max(struct machine *m, const struct fs_ctx *ctx, GString *out)
{
	const struct cgroup *cg = ctx_cgroup(m, ctx);
	int v = strstr(ctx->name, "depth") ? cg->max_depth : cg->max_descendants;

	if (v == CGROUP_MAX_UNLIMITED)
		g_string_append(out, "max\n");
	else
		g_string_append_printf(out, "%d\n", v);
}

/* "max" or a count: -EINVAL malformed, -ERANGE negative */
int write_cgroup_max(struct machine *m, const struct fs_ctx *ctx, const char *buf, size_t len, GString *reply)
{
	struct cgroup *cg = ctx_cgroup(m, ctx);
	g_autofree char *s = stripped(buf, len);
	int v;

	(void)reply;
	if (!strcmp(s, "max")) {
		v = CGROUP_MAX_UNLIMITED;
	} else if (kstrtoint(s, 0, &v)) {
		log_refused(m, ctx, buf, len, "want \"max\" or a number");
		return -EINVAL;
	} else if (v < 0) {
		log_refused(m, ctx, buf, len, "negative");
		return -ERANGE;
	}
	if (strstr(ctx->name, "depth"))
		cg->max_depth = v;
	else
		cg->max_descendants = v;
	return 0;
}

void render_pids_current(struct machine *m, const struct fs_ctx *ctx, GString *out)
{
	g_string_append_printf(out, "%d\n", ctx_cgroup(m, ctx)->nr_populated);
}

void render_pids_peak(struct machine *m, const struct fs_ctx *ctx, GString *out)
{
	g_string_append_printf(out, "%lld\n", (long long)ctx_cgroup(m, ctx)->pids_peak);
}

void render_pids_events(struct machine *m, const struct fs_ctx *ctx, GString *out)
{
	g_string_append_printf(out, "max %llu\n", (unsigned long long)ctx_cgroup(m, ctx)->pids_events_max);
}

void render_pids_max(struct machine *m, const struct fs_ctx *ctx, GString *out)
{
	const struct cgroup *cg = ctx_cgroup(m, ctx);

	if (cg->pids_max == PIDS_MAX)
		g_string_append(out, "max\n");
	else
		g_string_append_printf(out, "%lld\n", (long long)cg->pids_max);
}

/* pids_max_write: "max" or 0 .. PID_MAX_LIMIT */
int write_pids_max(struct machine *m, const struct fs_ctx *ctx, const char *buf, size_t len, GString *reply)
{
	g_autofree char *s = stripped(buf, len);
	long long v;

	(void)reply;
	if (!strcmp(s, "max")) {
		pids_max_set(ctx_cgroup(m, ctx), PIDS_MAX);
		return 0;
	}
	if (kstrtoll(s, 0, &v) || v < 0 || v >= PIDS_MAX) {
		log_refused(m, ctx, buf, len, "want \"max\" or 0 .. 4194304");
		return -EINVAL;
	}
	pids_max_set(ctx_cgroup(m, ctx), v);
	return 0;
}
