/*
 * proc/PID/stat, statm and status (and task/TID/'s), byte for byte in
 * Linux 6.18's formats: fs/proc/array.c do_task_stat, proc_pid_statm and
 * proc_pid_status (task_mem is in render_task_mmu.c).
 *
 * Simplifies:
 *  - The reader is root: every field that do_task_stat hides without
 *    ptrace permission (start_code, start_stack, ...) is shown.
 *  - One thread per process (Threads: 1); no signals, no ttys, no files
 *    (FDSize is the default table size), no seccomp, no supplementary
 *    groups; capabilities follow the uid (root has the full set).
 *  - A process's group and session are those of the ancestor a shell
 *    would have started (the outermost one below init); kernel threads
 *    are in session 0, as in Linux.  (An orphan reparented to init thus
 *    leads its own session, where Linux would keep the old one.)
 *  - Flags: what the engine sets in task->flags, plus PF_RANDOMIZE for
 *    user processes (exec with the default randomize_va_space) and
 *    PF_FORKNOEXEC for kernel threads (never exec'd).
 */
#include <inttypes.h>

#include "layout_handlers.h"
#include "render.h"
#include "render_pid.h"
#include "render_util.h"

#define SIGCHLD 17
#define RLIM_INFINITY_STR "18446744073709551615"

/* The kernel's fd table before it grows (NR_OPEN_DEFAULT = BITS_PER_LONG) */
#define NR_OPEN_DEFAULT 64

/* CAP_LAST_CAP is CAP_CHECKPOINT_RESTORE (40): the full set */
#define CAP_FULL_SET ((1ULL << 41) - 1)

/* The reference kernel's MAX_NUMNODES (CONFIG_NODES_SHIFT=10): the width
 * of the Mems_allowed mask, whatever the machine's node count.  The model's
 * nodes fit the low MAX_NUMNODES bits; the words above are zero. */
#define NODEMASK_PR_BITS 1024
G_STATIC_ASSERT(MAX_NUMNODES % 32 == 0 && MAX_NUMNODES <= NODEMASK_PR_BITS);

/* ------------------------------------------------------------------ */
/* The task and what procfs derives from it                            */
/* ------------------------------------------------------------------ */

static bool is_kthread(const struct task_struct *t)
{
	return t->flags & PF_KTHREAD;
}

static int task_ppid(const struct task_struct *t)
{
	return t->real_parent ? t->real_parent->tgid : 0;
}

/*
 * The process a shell would have started: the outermost user-space
 * ancestor below init.  It leads the group and the session that fork
 * passes down; init leads its own, kernel threads have none (0).
 */
static int task_session(const struct task_struct *t)
{
	if (is_kthread(t))
		return 0;
	while (t->real_parent && t->real_parent->tgid > 1 && !is_kthread(t->real_parent))
		t = t->real_parent;
	return t->tgid;
}

static int task_pgrp(const struct task_struct *t)
{
	return task_session(t);
}

/* init and kthreadd are started without SIGCHLD (kernel_thread flags) */
static int task_exit_signal(const struct task_struct *t)
{
	return t->real_parent ? SIGCHLD : 0;
}

static unsigned int task_pf_flags(const struct task_struct *t)
{
	return t->flags | (t->mm ? PF_RANDOMIZE : PF_FORKNOEXEC);
}

/* One thread per process so far */
static int task_nr_threads(const struct task_struct *t)
{
	(void)t;
	return 1;
}

/* task_prio() of a SCHED_NORMAL task: prio 120 + nice, less MAX_RT_PRIO */
static int task_prio(const struct task_struct *t)
{
	return 20 + t->nice;
}

static uint64_t nsec_to_clock_t(uint64_t ns)
{
	return ns / (NSEC_PER_SEC / USER_HZ);
}

/* fs/proc/array.c task_state_array */
static const char *task_state_name(const struct task_struct *t)
{
	static const char *const states[] = {
		"R (running)", "S (sleeping)", "D (disk sleep)", "T (stopped)",
		"t (tracing stop)", "X (dead)", "Z (zombie)", "P (parked)", "I (idle)",
	};

	for (size_t i = 0; i < G_N_ELEMENTS(states); i++)
		if (states[i][0] == t->state)
			return states[i];
	return states[0];
}

/* The signals a kernel thread ignores: all of them (ignore_signals) */
static uint64_t task_sigign(const struct task_struct *t)
{
	return is_kthread(t) ? ~0ULL : 0;
}

/* ------------------------------------------------------------------ */
/* stat, statm                                                         */
/* ------------------------------------------------------------------ */

static void stat_identity(GString *out, const struct task_struct *t)
{
	/* pid (comm) state ppid pgrp session tty_nr tpgid flags */
	g_string_append_printf(out, "%d (%.64s) %c %d %d %d 0 -1 %u", t->pid, t->comm,
			       task_state_name(t)[0], task_ppid(t), task_pgrp(t), task_session(t),
			       task_pf_flags(t));
	/* minflt cminflt majflt cmajflt utime stime cutime cstime */
	g_string_append_printf(out, " %lu 0 %lu 0 %" PRIu64 " %" PRIu64 " 0 0", t->min_flt, t->maj_flt,
			       nsec_to_clock_t(t->utime_ns), nsec_to_clock_t(t->stime_ns));
	/* priority nice num_threads itrealvalue starttime */
	g_string_append_printf(out, " %d %d %d 0 %" PRIu64, task_prio(t), t->nice, task_nr_threads(t),
			       nsec_to_clock_t(t->start_time_ns));
}

static void stat_memory(GString *out, const struct task_struct *t)
{
	const struct mm_struct *mm = t->mm;

	/* vsize rss rsslim startcode endcode startstack kstkesp kstkeip */
	if (!mm) {
		g_string_append(out, " 0 0 " RLIM_INFINITY_STR " 0 0 0 0 0");
		return;
	}
	g_string_append_printf(out, " %lu %lu " RLIM_INFINITY_STR " %lu %lu %lu 0 0",
			       mm->total_vm << PAGE_SHIFT, get_mm_rss(mm), mm->start_code, mm->end_code,
			       mm->start_stack);
}

static void stat_tail(GString *out, const struct task_struct *t)
{
	const struct mm_struct *mm = t->mm;

	/* signal blocked sigignore sigcatch wchan nswap cnswap exit_signal
	 * processor rt_priority policy delayacct_blkio_ticks guest_time
	 * cguest_time; wchan is 1 for a task that is not running */
	g_string_append_printf(out, " 0 0 %" PRIu64 " 0 %d 0 0 %d %d 0 0 0 0 0",
			       task_sigign(t) & (uint64_t)0x7fffffff, t->state != 'R', task_exit_signal(t), t->cpu);
	/* start_data end_data start_brk arg_start arg_end env_start env_end */
	if (mm)
		g_string_append_printf(out, " %lu %lu %lu %lu %lu %lu %lu", mm->start_data, mm->end_data,
				       mm->start_brk, mm->arg_start, mm->arg_end, mm->env_start,
				       mm->env_end);
	else
		g_string_append(out, " 0 0 0 0 0 0 0");
	/* exit_code */
	g_string_append(out, " 0\n");
}

void render_pid_stat(struct machine *m, const struct fs_ctx *ctx, GString *out)
{
	struct task_struct *t = get_proc_task(m, ctx);

	if (!t)
		return;
	stat_identity(out, t);
	stat_memory(out, t);
	stat_tail(out, t);
}

/* size resident shared text lib data dt (task_statm) */
void render_pid_statm(struct machine *m, const struct fs_ctx *ctx, GString *out)
{
	struct task_struct *t = get_proc_task(m, ctx);
	unsigned long size, resident, shared, text, data;
	const struct mm_struct *mm;

	if (!t)
		return;
	mm = t->mm;
	if (!mm) {
		g_string_append(out, "0 0 0 0 0 0 0\n");
		return;
	}
	size = task_statm(mm, &shared, &text, &data, &resident);
	g_string_append_printf(out, "%lu %lu %lu %lu 0 %lu 0\n", size, resident, shared, text, data);
}

/* ------------------------------------------------------------------ */
/* status                                                              */
/* ------------------------------------------------------------------ */

/* proc_task_name(escape=true): only '\n' and '\\' are escaped */
static void status_name(GString *out, const struct task_struct *t)
{
	g_string_append(out, "Name:\t");
	for (size_t i = 0; i < sizeof(t->comm) && t->comm[i]; i++) {
		if (t->comm[i] == '\n')
			g_string_append(out, "\\n");
		else if (t->comm[i] == '\\')
			g_string_append(out, "\\\\");
		else
			g_string_append_c(out, t->comm[i]);
	}
	g_string_append_c(out, '\n');
}

static void status_state(GString *out, const struct task_struct *t)
{
	unsigned int u = t->uid, g = t->gid;

	g_string_append_printf(out, "Umask:\t0022\nState:\t%s\n", task_state_name(t));
	g_string_append_printf(out, "Tgid:\t%d\nNgid:\t0\nPid:\t%d\nPPid:\t%d\nTracerPid:\t0\n", t->tgid,
			       t->pid, task_ppid(t));
	g_string_append_printf(out, "Uid:\t%u\t%u\t%u\t%u\nGid:\t%u\t%u\t%u\t%u\n", u, u, u, u, g, g, g, g);
	/* no supplementary groups: the kernel's trailing space stays */
	g_string_append_printf(out, "FDSize:\t%d\nGroups:\t \n", NR_OPEN_DEFAULT);
	g_string_append_printf(out, "NStgid:\t%d\nNSpid:\t%d\nNSpgid:\t%d\nNSsid:\t%d\n", t->tgid, t->pid,
			       task_pgrp(t), task_session(t));
	g_string_append_printf(out, "Kthread:\t%d\n", is_kthread(t));
}

static void status_sig(GString *out, const struct machine *m, const struct task_struct *t)
{
	g_string_append_printf(out, "Threads:\t%d\nSigQ:\t0/%lu\n", task_nr_threads(t), rlimit_sigpending_default(m));
	g_string_append(out, "SigPnd:\t0000000000000000\nShdPnd:\t0000000000000000\n"
			     "SigBlk:\t0000000000000000\n");
	g_string_append_printf(out, "SigIgn:\t%016" PRIx64 "\nSigCgt:\t0000000000000000\n", task_sigign(t));
}

static void status_cap(GString *out, const struct task_struct *t)
{
	uint64_t caps = t->uid == 0 ? CAP_FULL_SET : 0;

	g_string_append_printf(out, "CapInh:\t%016" PRIx64 "\nCapPrm:\t%016" PRIx64 "\nCapEff:\t%016" PRIx64
				    "\nCapBnd:\t%016" PRIx64 "\nCapAmb:\t%016" PRIx64 "\n",
			       (uint64_t)0, caps, caps, (uint64_t)CAP_FULL_SET, (uint64_t)0);
}

/* task_seccomp: no filters; the speculation lines as the reference CPU
 * reports them */
static void status_seccomp(GString *out)
{
	g_string_append(out, "NoNewPrivs:\t0\nSeccomp:\t0\nSeccomp_filters:\t0\n"
			     "Speculation_Store_Bypass:\tvulnerable\n"
			     "SpeculationIndirectBranch:\talways enabled\n");
}

/* Cpus_allowed: the task's affinity; Mems_allowed: its cpuset's nodes,
 * every node of the machine (the model has no cpusets) */
static void status_allowed(GString *out, const struct machine *m, const struct task_struct *t)
{
	unsigned char cpus[BITMAP_BYTES(NR_CPUS)] = { 0 };
	unsigned char nodes[BITMAP_BYTES(MAX_NUMNODES)] = { 0 };

	for (int cpu = 0; cpu < m->nr_cpus; cpu++)
		if (cpumask_test_cpu(cpu, &t->cpus_allowed))
			bitmap_set_bit(cpus, cpu);
	for_each_online_node(m, nid)
		bitmap_set_bit(nodes, nid);

	g_string_append(out, "Cpus_allowed:\t");
	render_cpumask(out, cpus, m->nr_cpus);
	g_string_append(out, "\nCpus_allowed_list:\t");
	render_cpulist(out, cpus, m->nr_cpus);
	g_string_append(out, "\nMems_allowed:\t");
	for (int word = 0; word < (NODEMASK_PR_BITS - MAX_NUMNODES) / 32; word++)
		g_string_append(out, "00000000,");
	render_cpumask(out, nodes, MAX_NUMNODES);
	g_string_append(out, "\nMems_allowed_list:\t");
	render_cpulist(out, nodes, MAX_NUMNODES);
	g_string_append_c(out, '\n');
}

void render_pid_status(struct machine *m, const struct fs_ctx *ctx, GString *out)
{
	struct task_struct *t = get_proc_task(m, ctx);

	if (!t)
		return;
	status_name(out, t);
	status_state(out, t);
	if (t->mm)
		task_mem(out, t->mm);
	status_sig(out, m, t);
	status_cap(out, t);
	status_seccomp(out);
	status_allowed(out, m, t);
	g_string_append_printf(out, "voluntary_ctxt_switches:\t%lu\nnonvoluntary_ctxt_switches:\t%lu\n",
			       t->nvcsw, t->nivcsw);
}
