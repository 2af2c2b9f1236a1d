/*
 * What the kernel knows of a task beyond its memory, as proc/PID/limits,
 * wchan and proc/sys/kernel/threads-max show it: resource limits
 * (include/uapi/linux/resource.h, include/asm-generic/resource.h),
 * max_threads (kernel/fork.c) and where a task sleeps (get_wchan).
 */
#ifndef MMSIM_TASK_INFO_H
#define MMSIM_TASK_INFO_H

#include "mmsim/machine.h"

#define RLIM_INFINITY (~0UL)
enum {
	RLIMIT_CPU, RLIMIT_FSIZE, RLIMIT_DATA, RLIMIT_STACK, RLIMIT_CORE, RLIMIT_RSS, RLIMIT_NPROC,
	RLIMIT_NOFILE, RLIMIT_MEMLOCK, RLIMIT_AS, RLIMIT_LOCKS, RLIMIT_SIGPENDING, RLIMIT_MSGQUEUE,
	RLIMIT_NICE, RLIMIT_RTPRIO, RLIMIT_RTTIME, RLIM_NLIMITS
};

struct rlimit {
	unsigned long rlim_cur, rlim_max;
};

/* set_max_threads: threads whose kernel stacks fit in 1/8 of RAM */
unsigned long max_threads(const struct machine *m);
/* A task's limits: INIT_RLIMITS with init's NPROC and SIGPENDING
 * (max_threads / 2) */
void task_rlimits(const struct machine *m, struct rlimit rlim[RLIM_NLIMITS]);
/* proc_pid_limits' names and units (NULL: none) */
const char *rlimit_name(int resource);
const char *rlimit_unit(int resource);
/* get_wchan: "0" for a running task, else the function it sleeps in */
const char *task_wchan(const struct task_struct *t);

#endif
