/*
 * proc/PID/cmdline, comm, environ, cgroup and the oom files (oom_score,
 * oom_score_adj, oom_adj, with their writers), and the task a proc/PID/
 * file means: fs/proc/base.c in Linux 6.18's formats.
 *
 * Simplifies:
 *  - A kernel thread's environ is empty here; Linux refuses to open it
 *    (ESRCH).
 *  - The writer is root (CAP_SYS_RESOURCE): lowering oom_score_adj is
 *    never refused.
 */
#include <errno.h>
#include <string.h>

#include "mmsim/cgroup.h"
#include "kstrtox.h"
#include "layout_handlers.h"
#include "render.h"
#include "render_pid.h"
#include "render_util.h"
#include "mmsim/trace_events.h"

/* include/uapi/linux/oom.h and fs/proc/base.c */
#define OOM_DISABLE (-17)
#define OOM_ADJUST_MAX 15
#define PROC_NUMBUF 13

/* The thread for task/TID files, the process otherwise; NULL once gone */
struct task_struct *get_proc_task(struct machine *m, const struct fs_ctx *ctx)
{
	return find_task_by_pid(m, ctx->tid >= 0 ? ctx->tid : ctx->pid);
}

/* ------------------------------------------------------------------ */
/* cmdline, comm, environ, cgroup                                      */
/* ------------------------------------------------------------------ */

static void append_bytes(GString *out, const GByteArray *bytes)
{
	if (bytes)
		g_string_append_len(out, (const char *)bytes->data, (gssize)bytes->len);
}

void render_pid_cmdline(struct machine *m, const struct fs_ctx *ctx, GString *out)
{
	struct task_struct *t = get_proc_task(m, ctx);

	if (t && t->mm)
		append_bytes(out, t->cmdline);
}

void render_pid_environ(struct machine *m, const struct fs_ctx *ctx, GString *out)
{
	struct task_struct *t = get_proc_task(m, ctx);

	if (t && t->mm)
		append_bytes(out, t->environ);
}

void render_pid_comm(struct machine *m, const struct fs_ctx *ctx, GString *out)
{
	struct task_struct *t = get_proc_task(m, ctx);

	if (t)
		g_string_append_printf(out, "%.*s\n", (int)sizeof(t->comm), t->comm);
}

/* cgroup v2 only: "0::PATH" */
void render_pid_cgroup(struct machine *m, const struct fs_ctx *ctx, GString *out)
{
	struct task_struct *t = get_proc_task(m, ctx);

	if (!t)
		return;
	g_string_append(out, "0::");
	cgroup_path(t->cgroups, out);
	g_string_append_c(out, '\n');
}

/* ------------------------------------------------------------------ */
/* oom_score, oom_score_adj, oom_adj                                   */
/* ------------------------------------------------------------------ */

void render_pid_oom_score(struct machine *m, const struct fs_ctx *ctx, GString *out)
{
	struct task_struct *t = get_proc_task(m, ctx);

	if (t)
		g_string_append_printf(out, "%ld\n", oom_score(m, t));
}

void render_pid_oom_score_adj(struct machine *m, const struct fs_ctx *ctx, GString *out)
{
	struct task_struct *t = get_proc_task(m, ctx);

	if (t)
		g_string_append_printf(out, "%hd\n", t->oom_score_adj);
}

/* oom_adj_read: the legacy scale, with OOM_SCORE_ADJ_MAX kept reachable */
void render_pid_oom_adj(struct machine *m, const struct fs_ctx *ctx, GString *out)
{
	struct task_struct *t = get_proc_task(m, ctx);
	int oom_adj;

	if (!t)
		return;
	if (t->oom_score_adj == OOM_SCORE_ADJ_MAX)
		oom_adj = OOM_ADJUST_MAX;
	else
		oom_adj = t->oom_score_adj * -OOM_DISABLE / OOM_SCORE_ADJ_MAX;
	g_string_append_printf(out, "%d\n", MIN(oom_adj, OOM_ADJUST_MAX));
}

/* The write side of both files: at most PROC_NUMBUF-1 bytes, strstrip,
 * kstrtoint */
static int proc_read_int(const char *buf, size_t len, int *val)
{
	char buffer[PROC_NUMBUF] = { 0 };

	memcpy(buffer, buf, MIN(len, sizeof(buffer) - 1));
	return kstrtoint(g_strstrip(buffer), 0, val);
}

static int oom_write_refused(struct machine *m, const struct task_struct *t, const char *file,
			     int err, const char *why)
{
	printk(m, "proc/%d/%s: write refused: %s", t->pid, file, why);
	return err;
}

/* __set_oom_adj: the writer is root (CAP_SYS_RESOURCE), so no EACCES, and
 * kernel threads take the value too, as in Linux */
static int set_oom_adj(struct machine *m, struct task_struct *t, int oom_score_adj)
{
	t->oom_score_adj = (short)oom_score_adj;
	trace_oom_score_adj_update(m, t);
	return 0;
}

/* What both oom writers do first: find the task, parse the value as
 * kstrtoint(strstrip(buf)), refuse one outside lo..hi */
static int oom_write_value(struct machine *m, const struct fs_ctx *ctx, const char *file, const char *buf,
			   size_t len, int lo, int hi, const char *range, struct task_struct **tp, int *val)
{
	struct task_struct *t = get_proc_task(m, ctx);
	int err;

	if (!t)
		return -ESRCH;
	err = proc_read_int(buf, len, val);
	if (err)
		return oom_write_refused(m, t, file, err, err == -ERANGE ? "number out of range" : "not a number");
	if (*val < lo || *val > hi)
		return oom_write_refused(m, t, file, -EINVAL, range);
	*tp = t;
	return 0;
}

int write_pid_oom_score_adj(struct machine *m, const struct fs_ctx *ctx, const char *buf, size_t len,
			    GString *reply)
{
	struct task_struct *t;
	int val, err = oom_write_value(m, ctx, "oom_score_adj", buf, len, OOM_SCORE_ADJ_MIN, OOM_SCORE_ADJ_MAX,
				       "value outside -1000..1000", &t, &val);

	(void)reply;
	return err ? err : set_oom_adj(m, t, val);
}

/* oom_adj_write: OOM_DISABLE (-17) or -16..15, scaled to oom_score_adj */
int write_pid_oom_adj(struct machine *m, const struct fs_ctx *ctx, const char *buf, size_t len,
		      GString *reply)
{
	struct task_struct *t;
	int val, err = oom_write_value(m, ctx, "oom_adj", buf, len, OOM_DISABLE, OOM_ADJUST_MAX,
				       "value outside -17..15", &t, &val);

	(void)reply;
	if (err)
		return err;
	if (val == OOM_ADJUST_MAX)
		val = OOM_SCORE_ADJ_MAX;
	else
		val = val * OOM_SCORE_ADJ_MAX / -OOM_DISABLE;
	return set_oom_adj(m, t, val);
}
