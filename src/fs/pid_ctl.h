/*
 * What proc/PID/ctl's command files share (pid_ctl.c, pid_ctl_numa.c,
 * pid_ctl_workload.c).
 */
#ifndef MMSIM_FS_PID_CTL_H
#define MMSIM_FS_PID_CTL_H

#include "ctl.h"

/* The live process a command runs in (need_mm: not a kernel thread) */
int ctl_task(struct machine *m, const struct fs_ctx *ctx, bool need_mm, struct task_struct **out,
	     const char **why);
/* TARGET [off=SIZE] [len=SIZE] into [*start, *start + *len) */
int parse_target(struct mm_struct *mm, struct ctl_cmd *cmd, const char *word, bool access, unsigned long *start,
		 unsigned long *len, const char **why);
/* An engine refusal: its errno, and a reason for the log */
int engine_err(long ret, const char **why);

/* pid_ctl_numa.c: sched_setaffinity, set_mempolicy, mbind */
int pid_sched_setaffinity(struct machine *m, const struct fs_ctx *ctx, struct ctl_cmd *cmd, GString *reply,
			  const char **why);
int pid_set_mempolicy(struct machine *m, const struct fs_ctx *ctx, struct ctl_cmd *cmd, GString *reply,
		      const char **why);
int pid_mbind(struct machine *m, const struct fs_ctx *ctx, struct ctl_cmd *cmd, GString *reply, const char **why);

#define PID_NUMA_COMMANDS                                                                                         \
	{ "sched_setaffinity", pid_sched_setaffinity, "sched_setaffinity CPULIST",                                 \
	  "sched_setaffinity(2): the CPUs the process may run on (\"0-1,3\"); it moves to the first of them, and "  \
	  "so to its node, unless it is on one already" },                                                          \
	{ "set_mempolicy", pid_set_mempolicy, "set_mempolicy POLICY [static|relative]",                            \
	  "set_mempolicy(2): default, local, bind=NODES, preferred=NODE, preferred-many=NODES, interleave=NODES, " \
	  "weighted-interleave=NODES; static and relative are MPOL_F_STATIC_NODES and MPOL_F_RELATIVE_NODES" },     \
	{ "mbind", pid_mbind, "mbind TARGET POLICY [static|relative] [move] [strict]",                             \
	  "mbind(2): the policy for a range; move migrates its pages off the nodes (MPOL_MF_MOVE), strict fails "  \
	  "with EIO when some stay (MPOL_MF_STRICT)" },

/* pid_ctl_workload.c: run and stop */
int pid_run(struct machine *m, const struct fs_ctx *ctx, struct ctl_cmd *cmd, GString *reply, const char **why);
int pid_stop(struct machine *m, const struct fs_ctx *ctx, struct ctl_cmd *cmd, GString *reply, const char **why);

#define PID_WORKLOAD_COMMANDS                                                                                     \
	{ "run", pid_run, "run read|write TARGET rate=SIZE [for=DURATION]",                                        \
	  "a background workload: the process keeps loading from (read) or storing to (write) TARGET, SIZE bytes " \
	  "per second of simulated time round-robin over its pages, through the fault path; it is running (R) "    \
	  "and uses CPU time until stop, its exit or the end of for=" },                                            \
	{ "stop", pid_stop, "stop", "end the process's background workload" },

#endif
