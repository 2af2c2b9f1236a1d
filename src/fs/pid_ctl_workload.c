/*
 * proc/PID/ctl's background workload: `run read|write TARGET rate=SIZE
 * [for=DURATION]` starts the process touching TARGET (as read and write
 * name it, with off= and len=) at SIZE bytes per second of simulated time
 * until `stop`, its exit or the end of for=.  Checked whole here, started
 * by the engine (mm/workload.c).
 */
#include <errno.h>
#include <string.h>

#include "pid_ctl.h"
#include "mmsim/workload.h"

#define RUN_USAGE "usage: run read|write TARGET rate=SIZE [for=DURATION] [off=SIZE] [len=SIZE]"

/* rate=SIZE and for=DURATION into a */
static int run_parse_opts(struct machine *m, struct ctl_cmd *cmd, struct workload_args *a, const char **why)
{
	const char *vrate = ctl_opt(cmd, "rate"), *vfor = ctl_opt(cmd, "for");

	if (!vrate) {
		*why = "rate= is required (bytes per second: K, M, G, T)";
		return -EINVAL;
	}
	if (!parse_size(vrate, &a->rate) || !a->rate || a->rate > WORKLOAD_MAX_RATE) {
		*why = "rate= takes a size from 1 to 1T (bytes per second of simulated time)";
		return -EINVAL;
	}
	a->duration_ns = 0;
	if (vfor && (!ctl_parse_duration_ns(vfor, &a->duration_ns) || !a->duration_ns ||
		     m->now_ns + a->duration_ns < m->now_ns)) {
		*why = "for= takes a duration above 0 (e.g. 10s, 250ms)";
		return -EINVAL;
	}
	return 0;
}

int pid_run(struct machine *m, const struct fs_ctx *ctx, struct ctl_cmd *cmd, GString *reply, const char **why)
{
	struct workload_args a;
	struct task_struct *t;
	int err;

	if (cmd->nargs != 2 || (strcmp(cmd->args[0], "read") && strcmp(cmd->args[0], "write"))) {
		*why = RUN_USAGE;
		return -EINVAL;
	}
	a.write = !strcmp(cmd->args[0], "write");
	err = run_parse_opts(m, cmd, &a, why);
	if (!err)
		err = ctl_task(m, ctx, true, &t, why);
	if (!err)
		err = parse_target(t->mm, cmd, cmd->args[1], true, &a.start, &a.len, why);
	if (err)
		return err;
	if (ctl_unused_opt(cmd)) {
		*why = "unknown option";
		return -EINVAL;
	}
	err = workload_start(m, t, &a);
	if (err == -EBUSY)
		*why = "a workload runs already in this process (stop it first)";
	else if (err)
		return engine_err(err, why);
	if (err)
		return err;
	g_string_append(reply, "ok");
	return 0;
}

int pid_stop(struct machine *m, const struct fs_ctx *ctx, struct ctl_cmd *cmd, GString *reply, const char **why)
{
	struct task_struct *t;
	int err;

	if (cmd->nargs) {
		*why = "usage: stop";
		return -EINVAL;
	}
	if (ctl_unused_opt(cmd)) {
		*why = "unknown option";
		return -EINVAL;
	}
	err = ctl_task(m, ctx, true, &t, why);
	if (err)
		return err;
	err = workload_stop(m, t);
	if (err) {
		*why = "no workload runs in this process";
		return err;
	}
	g_string_append(reply, "ok");
	return 0;
}
