/*
 * kernel/fork.c set_max_threads, include/asm-generic/resource.h
 * INIT_RLIMITS and kernel/sched/core.c get_wchan, for proc/PID/limits,
 * proc/PID/wchan and proc/sys/kernel/threads-max.
 *
 * Models:
 * - max_threads from the machine's RAM and THREAD_SIZE, clamped to
 *   [MIN_THREADS, MAX_THREADS]; init's NPROC and SIGPENDING limits of
 *   max_threads / 2, inherited by every process
 * - the other limits at the kernel's defaults (8 MiB stack, 1024/4096
 *   open files, 8 MiB locked memory, 800 KiB of message queues)
 * Simplifies:
 * - nothing sets a limit (no setrlimit), and nothing enforces them
 * - the function a task sleeps in follows from its kind: a kernel
 *   thread's main loop, a user process polls
 */
#include <string.h>

#include "mmsim/task_info.h"

#define MIN_THREADS 20
#define MAX_THREADS 0x3fffffffUL  /* FUTEX_TID_MASK */
#define MLOCK_LIMIT (8UL << 20)
#define MQ_BYTES_MAX 819200UL
#define INR_OPEN_CUR 1024
#define INR_OPEN_MAX 4096
#define STACK_RLIM (8UL << 20)

unsigned long max_threads(const struct machine *m)
{
	unsigned long threads = m->totalram_pages * PAGE_SIZE / (THREAD_SIZE * 8UL);

	return CLAMP(threads, MIN_THREADS, MAX_THREADS);
}

void task_rlimits(const struct machine *m, struct rlimit rlim[RLIM_NLIMITS])
{
	unsigned long half = max_threads(m) / 2;

	for (int i = 0; i < RLIM_NLIMITS; i++)
		rlim[i] = (struct rlimit){ RLIM_INFINITY, RLIM_INFINITY };
	rlim[RLIMIT_STACK].rlim_cur = STACK_RLIM;
	rlim[RLIMIT_CORE].rlim_cur = 0;
	rlim[RLIMIT_NPROC] = (struct rlimit){ half, half };
	rlim[RLIMIT_NOFILE] = (struct rlimit){ INR_OPEN_CUR, INR_OPEN_MAX };
	rlim[RLIMIT_MEMLOCK] = (struct rlimit){ MLOCK_LIMIT, MLOCK_LIMIT };
	rlim[RLIMIT_SIGPENDING] = (struct rlimit){ half, half };
	rlim[RLIMIT_MSGQUEUE] = (struct rlimit){ MQ_BYTES_MAX, MQ_BYTES_MAX };
	rlim[RLIMIT_NICE] = (struct rlimit){ 0, 0 };
	rlim[RLIMIT_RTPRIO] = (struct rlimit){ 0, 0 };
}

static const struct {
	const char *name, *unit;
} lnames[RLIM_NLIMITS] = {
	[RLIMIT_CPU] = { "Max cpu time", "seconds" },
	[RLIMIT_FSIZE] = { "Max file size", "bytes" },
	[RLIMIT_DATA] = { "Max data size", "bytes" },
	[RLIMIT_STACK] = { "Max stack size", "bytes" },
	[RLIMIT_CORE] = { "Max core file size", "bytes" },
	[RLIMIT_RSS] = { "Max resident set", "bytes" },
	[RLIMIT_NPROC] = { "Max processes", "processes" },
	[RLIMIT_NOFILE] = { "Max open files", "files" },
	[RLIMIT_MEMLOCK] = { "Max locked memory", "bytes" },
	[RLIMIT_AS] = { "Max address space", "bytes" },
	[RLIMIT_LOCKS] = { "Max file locks", "locks" },
	[RLIMIT_SIGPENDING] = { "Max pending signals", "signals" },
	[RLIMIT_MSGQUEUE] = { "Max msgqueue size", "bytes" },
	[RLIMIT_NICE] = { "Max nice priority", NULL },
	[RLIMIT_RTPRIO] = { "Max realtime priority", NULL },
	[RLIMIT_RTTIME] = { "Max realtime timeout", "us" },
};

const char *rlimit_name(int resource)
{
	return lnames[resource].name;
}

const char *rlimit_unit(int resource)
{
	return lnames[resource].unit;
}

/* The main loops of the kernel threads the model runs, by name prefix */
static const struct {
	const char *comm, *fn;
} kthread_wchan[] = {
	{ "kthreadd", "kthreadd" },
	{ "kswapd", "kswapd" },
	{ "kcompactd", "kcompactd" },
	{ "khugepaged", "khugepaged" },
	{ "ksmd", "ksm_scan_thread" },
	{ "oom_reaper", "oom_reaper" },
};

const char *task_wchan(const struct task_struct *t)
{
	if (t->state == 'R')
		return "0";
	if (t->state == 'D')
		return "io_schedule";
	if (t->flags & PF_KTHREAD) {
		for (size_t i = 0; i < G_N_ELEMENTS(kthread_wchan); i++)
			if (!strncmp(t->comm, kthread_wchan[i].comm, strlen(kthread_wchan[i].comm)))
				return kthread_wchan[i].fn;
		return "worker_thread";
	}
	return t->pid == 1 ? "do_epoll_wait" : "do_sys_poll";
}
