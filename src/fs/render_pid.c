/*
 * The per-process files of proc/PID/ (and proc/PID/task/TID/), byte for
 * byte in Linux 6.18's formats: stat and statm (fs/proc/array.c
 * do_task_stat, proc_pid_statm), status (proc_pid_status and task_mem),
 * maps, smaps, smaps_rollup and numa_maps (fs/proc/task_mmu.c
 * show_map_vma, show_smap, show_smaps_rollup, show_numa_map), cmdline,
 * comm, environ, cgroup, and oom_score, oom_score_adj, oom_adj
 * (fs/proc/base.c) with their writers.
 *
 * The page-table walk is the engine's walk_page_range; smaps, smaps_rollup
 * and numa_maps account what it finds in one place (normal_page,
 * smaps_account, gather_stats), as the kernel's smaps_pte_entry and
 * gather_pte_stats do.
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
 *  - Swap ptes are walked for smaps' Swap and SwapPss (shared by the
 *    slot's count, as swp_swapcount); no THP, no KSM, no hugetlb, no
 *    memory policies (numa_maps says "default").
 *  - Shared anonymous memory shows as the kernel's shmem file does:
 *    "/dev/zero (deleted)" (or [anon_shmem:NAME]) with the VMA's device
 *    and inode numbers.
 *  - The x86-64 vsyscall page (the gate VMA, not part of the mm) is shown
 *    last in maps and smaps, as Linux does with vsyscall=xonly.
 *  - A kernel thread's environ and smaps_rollup are empty here; Linux
 *    refuses to open them (ESRCH).
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <string.h>

#include "layout_handlers.h"
#include "render.h"
#include "render_util.h"
#include "mmsim/pagemap.h"
#include "mmsim/swap.h"

#define SIGCHLD 17
#define RLIM_INFINITY_STR "18446744073709551615"

/* The kernel's fd table before it grows (NR_OPEN_DEFAULT = BITS_PER_LONG) */
#define NR_OPEN_DEFAULT 64

/* kernel/fork.c set_max_threads bounds */
#define MIN_THREADS 20
#define MAX_THREADS 0x3fffffff /* FUTEX_TID_MASK */

/* CAP_LAST_CAP is CAP_CHECKPOINT_RESTORE (40): the full set */
#define CAP_FULL_SET ((1ULL << 41) - 1)

/* The reference kernel's MAX_NUMNODES (CONFIG_NODES_SHIFT=10): the width
 * of the Mems_allowed mask, whatever the machine's node count.  The model's
 * nodes fit the low MAX_NUMNODES bits; the words above are zero. */
#define NODEMASK_PR_BITS 1024
G_STATIC_ASSERT(MAX_NUMNODES % 32 == 0 && MAX_NUMNODES <= NODEMASK_PR_BITS);

/* maps: seq_setwidth(m, 25 + sizeof(void *) * 6 - 1) on a 64-bit kernel */
#define MAPS_NAME_PAD (25 + 8 * 6 - 1)

/* x86-64's vsyscall page (arch/x86/entry/vsyscall) */
#define VSYSCALL_ADDR 0xffffffffff600000UL

/* include/uapi/linux/oom.h and fs/proc/base.c */
#define OOM_DISABLE (-17)
#define OOM_ADJUST_MIN (-16)
#define OOM_ADJUST_MAX 15
#define PROC_NUMBUF 13

/* fs/proc/task_mmu.c: PSS is summed in bytes << PSS_SHIFT */
#define PSS_SHIFT 12

/* ------------------------------------------------------------------ */
/* The task and what procfs derives from it                            */
/* ------------------------------------------------------------------ */

/* The thread for task/TID files, the process otherwise; NULL once gone */
static struct task_struct *ctx_task(struct machine *m, const struct fs_ctx *ctx)
{
	return find_task_by_pid(m, ctx->tid >= 0 ? ctx->tid : ctx->pid);
}

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
/* The address space's figures                                         */
/* ------------------------------------------------------------------ */

/* The program text as task_statm counts it, in bytes */
static unsigned long mm_text_bytes(const struct mm_struct *mm)
{
	return PAGE_ALIGN(mm->end_code) - (mm->start_code & PAGE_MASK);
}

static unsigned long mm_shared_pages(const struct mm_struct *mm)
{
	return get_mm_counter(mm, MM_FILEPAGES) + get_mm_counter(mm, MM_SHMEMPAGES);
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
	struct task_struct *t = ctx_task(m, ctx);

	if (!t)
		return;
	stat_identity(out, t);
	stat_memory(out, t);
	stat_tail(out, t);
}

/* size resident shared text lib data dt (task_statm) */
void render_pid_statm(struct machine *m, const struct fs_ctx *ctx, GString *out)
{
	struct task_struct *t = ctx_task(m, ctx);
	const struct mm_struct *mm;

	if (!t)
		return;
	mm = t->mm;
	if (!mm) {
		g_string_append(out, "0 0 0 0 0 0 0\n");
		return;
	}
	g_string_append_printf(out, "%lu %lu %lu %lu 0 %lu 0\n", mm->total_vm, get_mm_rss(mm),
			       mm_shared_pages(mm), mm_text_bytes(mm) >> PAGE_SHIFT,
			       mm->data_vm + mm->stack_vm);
}

/* ------------------------------------------------------------------ */
/* status                                                              */
/* ------------------------------------------------------------------ */

/* "Key:\t%8lu kB": task_mem's SEQ_PUT_DEC */
static void status_kb(GString *out, const char *key, unsigned long kb)
{
	g_string_append_printf(out, "%s:\t%8lu kB\n", key, kb);
}

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

/* fs/proc/task_mmu.c task_mem, then the mm-only lines of proc_pid_status */
static void status_mem(GString *out, const struct mm_struct *mm)
{
	unsigned long rss = get_mm_rss(mm);
	unsigned long text = MIN(mm_text_bytes(mm), mm->exec_vm << PAGE_SHIFT);
	unsigned long lib = (mm->exec_vm << PAGE_SHIFT) - text;

	status_kb(out, "VmPeak", K(MAX(mm->total_vm, mm->hiwater_vm)));
	status_kb(out, "VmSize", K(mm->total_vm));
	status_kb(out, "VmLck", K(mm->locked_vm));
	status_kb(out, "VmPin", K(mm->pinned_vm));
	status_kb(out, "VmHWM", K(MAX(rss, mm->hiwater_rss)));
	status_kb(out, "VmRSS", K(rss));
	status_kb(out, "RssAnon", K(get_mm_counter(mm, MM_ANONPAGES)));
	status_kb(out, "RssFile", K(get_mm_counter(mm, MM_FILEPAGES)));
	status_kb(out, "RssShmem", K(get_mm_counter(mm, MM_SHMEMPAGES)));
	status_kb(out, "VmData", K(mm->data_vm));
	status_kb(out, "VmStk", K(mm->stack_vm));
	status_kb(out, "VmExe", text >> 10);
	status_kb(out, "VmLib", lib >> 10);
	status_kb(out, "VmPTE", mm->pgtables_bytes >> 10);
	status_kb(out, "VmSwap", K(get_mm_counter(mm, MM_SWAPENTS)));
	status_kb(out, "HugetlbPages", 0);
	/* task_core_dumping, task_thp_status, task_untag_mask (no LAM) */
	g_string_append(out, "CoreDumping:\t0\nTHP_enabled:\t1\nuntag_mask:\t0xffffffffffffffff\n");
}

/* RLIMIT_SIGPENDING's default: max_threads / 2 (kernel/fork.c) */
static unsigned long sigpending_limit(const struct machine *m)
{
	uint64_t threads = (uint64_t)m->totalram_pages * PAGE_SIZE / (THREAD_SIZE * 8);

	return (unsigned long)CLAMP(threads, MIN_THREADS, MAX_THREADS) / 2;
}

static void status_sig(GString *out, const struct machine *m, const struct task_struct *t)
{
	g_string_append_printf(out, "Threads:\t%d\nSigQ:\t0/%lu\n", task_nr_threads(t), sigpending_limit(m));
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

/* Cpus_allowed and Mems_allowed: every cpu and every node of the machine */
static void status_allowed(GString *out, const struct machine *m)
{
	unsigned char cpus[BITMAP_BYTES(NR_CPUS)] = { 0 };
	unsigned char nodes[BITMAP_BYTES(MAX_NUMNODES)] = { 0 };

	for (int cpu = 0; cpu < m->nr_cpus; cpu++)
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
	struct task_struct *t = ctx_task(m, ctx);

	if (!t)
		return;
	status_name(out, t);
	status_state(out, t);
	if (t->mm)
		status_mem(out, t->mm);
	status_sig(out, m, t);
	status_cap(out, t);
	status_seccomp(out);
	status_allowed(out, m);
	g_string_append_printf(out, "voluntary_ctxt_switches:\t%lu\nnonvoluntary_ctxt_switches:\t%lu\n",
			       t->nvcsw, t->nivcsw);
}

/* ------------------------------------------------------------------ */
/* maps: the header line of every VMA                                  */
/* ------------------------------------------------------------------ */

/* The gate VMA (get_gate_vma): not in the mm, no vm_mm, shown after the
 * mm's VMAs in maps and smaps */
static const struct vm_area_struct gate_vma = {
	.vm_start = VSYSCALL_ADDR,
	.vm_end = VSYSCALL_ADDR + PAGE_SIZE,
	.vm_flags = VM_EXEC,
};

static bool vma_is_gate(const struct vm_area_struct *vma)
{
	return !vma->vm_mm;
}

static bool vma_has_file(const struct vm_area_struct *vma)
{
	return vma->kind == VMA_FILE || vma->vm_file;
}

/* shared anonymous memory: its shmem file (shmem_zero_setup) */
static bool vma_is_anon_shmem(const struct vm_area_struct *vma)
{
	return vma->vm_file && vma->kind != VMA_FILE;
}

/* mangle_path: the characters of esc become \ooo */
static void append_escaped(GString *out, const char *s, const char *esc)
{
	for (; *s; s++) {
		if (strchr(esc, *s))
			g_string_append_printf(out, "\\%03o", (unsigned char)*s);
		else
			g_string_append_c(out, *s);
	}
}

/* The path of a mapped file; shared anonymous memory is a shmem file */
static const char *vma_file_path(const struct vm_area_struct *vma)
{
	if (vma->file)
		return vma->file;
	return "/dev/zero (deleted)";
}

/* d_path of the mapped file, escaped: a file deleted while mapped gets
 * " (deleted)", as d_path adds for an unlinked dentry */
static void append_vma_path(GString *out, const struct vm_area_struct *vma, const char *esc)
{
	append_escaped(out, vma_file_path(vma), esc);
	if (vma->kind == VMA_FILE && vma->vm_file && vma->vm_file->f_inode->unlinked)
		append_escaped(out, " (deleted)", esc);
}

/* get_vma_name and the name column of show_map_vma */
static void show_vma_name(GString *out, const struct vm_area_struct *vma)
{
	if (vma_has_file(vma)) {
		if (vma_is_anon_shmem(vma) && vma->name)
			g_string_append_printf(out, "[anon_shmem:%s]", vma->name);
		else
			append_vma_path(out, vma, "\n");
		return;
	}
	if (vma_is_gate(vma))
		g_string_append(out, "[vsyscall]");
	else if (vma->kind == VMA_VVAR)
		g_string_append(out, "[vvar]");
	else if (vma->kind == VMA_VVAR_VCLOCK)
		g_string_append(out, "[vvar_vclock]");
	else if (vma->kind == VMA_VDSO)
		g_string_append(out, "[vdso]");
	else if (vma->kind == VMA_HEAP)
		g_string_append(out, "[heap]");
	else if (vma->kind == VMA_STACK)
		g_string_append(out, "[stack]");
	else if (vma->name)
		g_string_append_printf(out, "[anon:%s]", vma->name);
}

static bool vma_has_name(const struct vm_area_struct *vma)
{
	return vma_has_file(vma) || vma_is_gate(vma) || vma->kind != VMA_ANON || vma->name;
}

/* show_vma_header_prefix: "start-end perms offset maj:min inode " */
static void show_vma_header_prefix(GString *out, unsigned long start, unsigned long end,
				   unsigned long flags, unsigned long long pgoff, unsigned int major,
				   unsigned int minor, unsigned long ino)
{
	g_string_append_printf(out, "%08lx-%08lx %c%c%c%c %08llx %02x:%02x %lu ", start, end,
			       flags & VM_READ ? 'r' : '-', flags & VM_WRITE ? 'w' : '-',
			       flags & VM_EXEC ? 'x' : '-', flags & VM_MAYSHARE ? 's' : 'p', pgoff, major,
			       minor, ino);
}

/* seq_pad(m, ' '): spaces up to the width set at the line's start, then one */
static void seq_pad(GString *out, gsize line_start)
{
	gsize col = out->len - line_start;

	if (col < MAPS_NAME_PAD)
		g_string_append_printf(out, "%*s", (int)(MAPS_NAME_PAD - col), "");
	g_string_append_c(out, ' ');
}

static void show_map_vma(GString *out, const struct vm_area_struct *vma)
{
	gsize line_start = out->len;

	if (vma_has_file(vma))
		show_vma_header_prefix(out, vma->vm_start, vma->vm_end, vma->vm_flags,
				       (unsigned long long)vma->vm_pgoff << PAGE_SHIFT,
				       vma->file_dev_major, vma->file_dev_minor, vma->file_ino);
	else
		show_vma_header_prefix(out, vma->vm_start, vma->vm_end, vma->vm_flags, 0, 0, 0, 0);
	if (vma_has_name(vma)) {
		seq_pad(out, line_start);
		show_vma_name(out, vma);
	}
	g_string_append_c(out, '\n');
}

void render_pid_maps(struct machine *m, const struct fs_ctx *ctx, GString *out)
{
	struct task_struct *t = ctx_task(m, ctx);
	struct vm_area_struct *vma;

	if (!t || !t->mm)
		return;
	for_each_vma(t->mm, it, vma)
		show_map_vma(out, vma);
	show_map_vma(out, &gate_vma);
}

/* ------------------------------------------------------------------ */
/* The page-table walk shared by smaps, smaps_rollup and numa_maps     */
/* ------------------------------------------------------------------ */

/* vm_normal_page: the page behind a present pte; none for the zero page
 * and other special mappings */
static struct page *normal_page(struct machine *m, pte_t pte)
{
	if (pte_special(pte) || pte_pfn(pte) == m->zero_pfn)
		return NULL;
	return pfn_to_page_noalloc(m, pte_pfn(pte));
}

static int page_mapcount(const struct page *page)
{
	return page->_mapcount + 1;
}

struct mem_size_stats {
	unsigned long resident, shared_clean, shared_dirty, private_clean, private_dirty;
	unsigned long referenced, anonymous, lazyfree, anonymous_thp, shmem_thp, file_thp;
	unsigned long swap, shared_hugetlb, private_hugetlb, ksm;
	uint64_t pss, pss_anon, pss_file, pss_shmem, pss_dirty, pss_locked, swap_pss;
};

static void smaps_page_accumulate(struct mem_size_stats *mss, const struct page *page,
				  unsigned long size, uint64_t pss, bool dirty, bool locked,
				  bool private)
{
	mss->pss += pss;
	if (page_test(page, PG_anon))
		mss->pss_anon += pss;
	else if (page_test(page, PG_swapbacked))
		mss->pss_shmem += pss;
	else
		mss->pss_file += pss;
	if (locked)
		mss->pss_locked += pss;
	if (dirty) {
		mss->pss_dirty += pss;
		if (private)
			mss->private_dirty += size;
		else
			mss->shared_dirty += size;
	} else {
		if (private)
			mss->private_clean += size;
		else
			mss->shared_clean += size;
	}
}

/* smaps_account for one base page mapped by a present pte */
static void smaps_account(struct mem_size_stats *mss, const struct page *page, bool young,
			  bool dirty, bool locked)
{
	int mapcount = page_mapcount(page);
	uint64_t pss = (uint64_t)PAGE_SIZE << PSS_SHIFT;

	dirty = dirty || page_test(page, PG_dirty);
	if (page_test(page, PG_anon)) {
		mss->anonymous += PAGE_SIZE;
		if (!page_test(page, PG_swapbacked) && !dirty)
			mss->lazyfree += PAGE_SIZE;
	}
	mss->resident += PAGE_SIZE;
	if (young || page_test(page, PG_referenced))
		mss->referenced += PAGE_SIZE;
	if (mapcount >= 2)
		pss /= (uint64_t)mapcount;
	smaps_page_accumulate(mss, page, PAGE_SIZE, pss, dirty, locked, mapcount < 2);
}

static void smaps_pte_entry(struct machine *m, struct vm_area_struct *vma, unsigned long addr,
			    pte_t pte, void *arg)
{
	struct page *page = normal_page(m, pte);

	(void)addr;
	if (page)
		smaps_account(arg, page, pte_young(pte), pte_dirty(pte), vma->vm_flags & VM_LOCKED);
}

/* smaps_pte_entry for a swap entry */
static void smaps_swap_entry(struct machine *m, struct vm_area_struct *vma, unsigned long addr,
			     pte_t pte, void *arg)
{
	struct mem_size_stats *mss = arg;
	int mapcount = swap_count(m, pte_to_swp_entry(pte)) & ~SWAP_HAS_CACHE;
	uint64_t pss = (uint64_t)PAGE_SIZE << PSS_SHIFT;

	(void)vma;
	(void)addr;
	mss->swap += PAGE_SIZE;
	if (mapcount >= 2)
		pss /= (uint64_t)mapcount;
	mss->swap_pss += pss;
}

static void smap_gather_stats(struct machine *m, struct vm_area_struct *vma,
			      struct mem_size_stats *mss)
{
	if (vma_is_gate(vma))
		return;
	walk_page_range(m, vma, vma->vm_start, vma->vm_end, smaps_pte_entry, mss);
	if (vma->vm_mm->rss_stat[MM_SWAPENTS])
		walk_swap_range(m, vma, vma->vm_start, vma->vm_end, smaps_swap_entry, mss);
}

/* ------------------------------------------------------------------ */
/* smaps, smaps_rollup                                                 */
/* ------------------------------------------------------------------ */

/* SEQ_PUT_DEC in __show_smap: bytes shown in kB */
static void smap_kb(GString *out, const char *key, uint64_t bytes)
{
	show_kb(out, "", key, (unsigned long)(bytes >> 10));
}

static void smap_pss_kb(GString *out, const char *key, uint64_t pss)
{
	smap_kb(out, key, pss >> PSS_SHIFT);
}

static void __show_smap(GString *out, const struct mem_size_stats *mss, bool rollup)
{
	smap_kb(out, "Rss:", mss->resident);
	smap_pss_kb(out, "Pss:", mss->pss);
	smap_pss_kb(out, "Pss_Dirty:", mss->pss_dirty);
	if (rollup) {
		smap_pss_kb(out, "Pss_Anon:", mss->pss_anon);
		smap_pss_kb(out, "Pss_File:", mss->pss_file);
		smap_pss_kb(out, "Pss_Shmem:", mss->pss_shmem);
	}
	smap_kb(out, "Shared_Clean:", mss->shared_clean);
	smap_kb(out, "Shared_Dirty:", mss->shared_dirty);
	smap_kb(out, "Private_Clean:", mss->private_clean);
	smap_kb(out, "Private_Dirty:", mss->private_dirty);
	smap_kb(out, "Referenced:", mss->referenced);
	smap_kb(out, "Anonymous:", mss->anonymous);
	smap_kb(out, "KSM:", mss->ksm);
	smap_kb(out, "LazyFree:", mss->lazyfree);
	smap_kb(out, "AnonHugePages:", mss->anonymous_thp);
	smap_kb(out, "ShmemPmdMapped:", mss->shmem_thp);
	smap_kb(out, "FilePmdMapped:", mss->file_thp);
	smap_kb(out, "Shared_Hugetlb:", mss->shared_hugetlb);
	/* the one key of 17 characters: its value is 7 wide */
	g_string_append_printf(out, "Private_Hugetlb: %7lu kB\n", mss->private_hugetlb >> 10);
	smap_kb(out, "Swap:", mss->swap);
	smap_pss_kb(out, "SwapPss:", mss->swap_pss);
	smap_pss_kb(out, "Locked:", mss->pss_locked);
}

/* show_smap_vma_flags: the two-letter names by bit (x86-64) */
static const char *const vm_flag_mnemonics[32] = {
	[0] = "rd",  [1] = "wr",  [2] = "ex",  [3] = "sh",  [4] = "mr",  [5] = "mw",  [6] = "me",
	[7] = "ms",  [8] = "gd",  [9] = "um",  [10] = "pf", [12] = "uw", [13] = "lo", [14] = "io", [15] = "sr", [16] = "rr",
	[17] = "dc", [18] = "de", [19] = "lf", [20] = "ac", [21] = "nr", [22] = "ht", [23] = "sf",
	[24] = "ar", [25] = "wf", [26] = "dd", [27] = "sd", [28] = "mm", [29] = "hg", [30] = "nh",
	[31] = "mg",
};

static void show_smap_vma_flags(GString *out, const struct vm_area_struct *vma)
{
	g_string_append(out, "VmFlags: ");
	for (unsigned int bit = 0; bit < 64; bit++) {
		if (!(vma->vm_flags & (1UL << bit)))
			continue;
		if (bit < G_N_ELEMENTS(vm_flag_mnemonics) && vm_flag_mnemonics[bit])
			g_string_append(out, vm_flag_mnemonics[bit]);
		else
			g_string_append(out, "??");
		g_string_append_c(out, ' ');
	}
	g_string_append_c(out, '\n');
}

static void show_smap(GString *out, struct machine *m, struct vm_area_struct *vma)
{
	struct mem_size_stats mss = { 0 };

	smap_gather_stats(m, vma, &mss);
	show_map_vma(out, vma);
	smap_kb(out, "Size:", vma->vm_end - vma->vm_start);
	smap_kb(out, "KernelPageSize:", PAGE_SIZE);
	smap_kb(out, "MMUPageSize:", PAGE_SIZE);
	__show_smap(out, &mss, false);
	/* no THP in the model yet: no VMA is eligible */
	g_string_append_printf(out, "THPeligible:    %8u\n", 0u);
	show_smap_vma_flags(out, vma);
}

void render_pid_smaps(struct machine *m, const struct fs_ctx *ctx, GString *out)
{
	struct task_struct *t = ctx_task(m, ctx);
	struct vm_area_struct *vma, gate = gate_vma;

	if (!t || !t->mm)
		return;
	for_each_vma(t->mm, it, vma)
		show_smap(out, m, vma);
	show_smap(out, m, &gate);
}

/* show_smaps_rollup: the sums over the mm's VMAs (not the gate VMA) */
void render_pid_smaps_rollup(struct machine *m, const struct fs_ctx *ctx, GString *out)
{
	struct task_struct *t = ctx_task(m, ctx);
	struct mem_size_stats mss = { 0 };
	struct vm_area_struct *vma;
	unsigned long start = 0, end = 0;
	bool first = true;
	gsize line_start;

	if (!t || !t->mm)
		return;
	for_each_vma(t->mm, it, vma) {
		if (first)
			start = vma->vm_start;
		first = false;
		smap_gather_stats(m, vma, &mss);
		end = vma->vm_end;
	}
	line_start = out->len;
	show_vma_header_prefix(out, start, end, 0, 0, 0, 0, 0);
	seq_pad(out, line_start);
	g_string_append(out, "[rollup]\n");
	__show_smap(out, &mss, true);
}

/* ------------------------------------------------------------------ */
/* numa_maps                                                           */
/* ------------------------------------------------------------------ */

struct numa_maps {
	struct machine *m;
	unsigned long pages, anon, active, writeback, mapcount_max, dirty, swapcache;
	unsigned long node[MAX_NUMNODES];
};

static void gather_stats(struct numa_maps *md, const struct page *page, unsigned long pfn,
			 bool pte_dirty)
{
	unsigned long count = (unsigned long)MAX(page_mapcount(page), 0);

	md->pages++;
	if (pte_dirty || page_test(page, PG_dirty))
		md->dirty++;
	if (page_test(page, PG_active) || page_test(page, PG_unevictable))
		md->active++;
	if (page_test(page, PG_writeback))
		md->writeback++;
	if (page_test(page, PG_anon))
		md->anon++;
	md->mapcount_max = MAX(md->mapcount_max, count);
	md->node[__pfn_to_section(md->m, pfn)->nid]++;
}

/* gather_pte_stats with can_gather_numa_stats: reserved pages left out */
static void gather_pte_stats(struct machine *m, struct vm_area_struct *vma, unsigned long addr,
			     pte_t pte, void *arg)
{
	struct page *page = normal_page(m, pte);

	(void)vma;
	(void)addr;
	if (page && !page_test(page, PG_reserved))
		gather_stats(arg, page, pte_pfn(pte), pte_dirty(pte));
}

static void show_numa_counts(GString *out, const struct machine *m, const struct numa_maps *md)
{
	if (md->anon)
		g_string_append_printf(out, " anon=%lu", md->anon);
	if (md->dirty)
		g_string_append_printf(out, " dirty=%lu", md->dirty);
	if (md->pages != md->anon && md->pages != md->dirty)
		g_string_append_printf(out, " mapped=%lu", md->pages);
	if (md->mapcount_max > 1)
		g_string_append_printf(out, " mapmax=%lu", md->mapcount_max);
	if (md->swapcache)
		g_string_append_printf(out, " swapcache=%lu", md->swapcache);
	if (md->active < md->pages)
		g_string_append_printf(out, " active=%lu", md->active);
	if (md->writeback)
		g_string_append_printf(out, " writeback=%lu", md->writeback);
	for_each_online_node(m, nid)
		if (md->node[nid])
			g_string_append_printf(out, " N%d=%lu", nid, md->node[nid]);
	g_string_append_printf(out, " kernelpagesize_kB=%lu", PAGE_SIZE >> 10);
}

static void show_numa_map(GString *out, struct machine *m, struct vm_area_struct *vma)
{
	struct numa_maps md = { .m = m };

	g_string_append_printf(out, "%08lx default", vma->vm_start);
	if (vma_has_file(vma)) {
		g_string_append(out, " file=");
		append_vma_path(out, vma, "\n\t= ");
	} else if (vma->kind == VMA_HEAP) {
		g_string_append(out, " heap");
	} else if (vma->kind == VMA_STACK) {
		g_string_append(out, " stack");
	}
	walk_page_range(m, vma, vma->vm_start, vma->vm_end, gather_pte_stats, &md);
	if (md.pages)
		show_numa_counts(out, m, &md);
	g_string_append_c(out, '\n');
}

void render_pid_numa_maps(struct machine *m, const struct fs_ctx *ctx, GString *out)
{
	struct task_struct *t = ctx_task(m, ctx);
	struct vm_area_struct *vma;

	if (!t || !t->mm)
		return;
	for_each_vma(t->mm, it, vma)
		show_numa_map(out, m, vma);
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
	struct task_struct *t = ctx_task(m, ctx);

	if (t && t->mm)
		append_bytes(out, t->cmdline);
}

void render_pid_environ(struct machine *m, const struct fs_ctx *ctx, GString *out)
{
	struct task_struct *t = ctx_task(m, ctx);

	if (t && t->mm)
		append_bytes(out, t->environ);
}

void render_pid_comm(struct machine *m, const struct fs_ctx *ctx, GString *out)
{
	struct task_struct *t = ctx_task(m, ctx);

	if (t)
		g_string_append_printf(out, "%.*s\n", (int)sizeof(t->comm), t->comm);
}

/* cgroup v2 only: "0::PATH" */
void render_pid_cgroup(struct machine *m, const struct fs_ctx *ctx, GString *out)
{
	struct task_struct *t = ctx_task(m, ctx);

	if (t)
		g_string_append_printf(out, "0::%s\n", t->cgroup ? t->cgroup : "/");
}

/* ------------------------------------------------------------------ */
/* oom_score, oom_score_adj, oom_adj                                   */
/* ------------------------------------------------------------------ */

void render_pid_oom_score(struct machine *m, const struct fs_ctx *ctx, GString *out)
{
	struct task_struct *t = ctx_task(m, ctx);

	if (t)
		g_string_append_printf(out, "%ld\n", oom_score(m, t));
}

void render_pid_oom_score_adj(struct machine *m, const struct fs_ctx *ctx, GString *out)
{
	struct task_struct *t = ctx_task(m, ctx);

	if (t)
		g_string_append_printf(out, "%hd\n", t->oom_score_adj);
}

/* oom_adj_read: the legacy scale, with OOM_SCORE_ADJ_MAX kept reachable */
void render_pid_oom_adj(struct machine *m, const struct fs_ctx *ctx, GString *out)
{
	struct task_struct *t = ctx_task(m, ctx);
	int oom_adj;

	if (!t)
		return;
	if (t->oom_score_adj == OOM_SCORE_ADJ_MAX)
		oom_adj = OOM_ADJUST_MAX;
	else
		oom_adj = t->oom_score_adj * -OOM_DISABLE / OOM_SCORE_ADJ_MAX;
	g_string_append_printf(out, "%d\n", MIN(oom_adj, OOM_ADJUST_MAX));
}

/*
 * lib/kstrtox.c kstrtoint(s, 0, res): an optional sign, digits in base
 * 0 (0x.. hex, 0.. octal), one optional trailing newline, nothing else.
 * -ERANGE when the number does not fit an int.
 */
static int kstrtoint(const char *s, int *res)
{
	unsigned long long acc = 0;
	bool neg = false;
	unsigned int base = 10;
	const char *start;

	if (*s == '-' || *s == '+')
		neg = *s++ == '-';
	if (s[0] == '0' && g_ascii_tolower(s[1]) == 'x' && g_ascii_isxdigit(s[2])) {
		base = 16;
		s += 2;
	} else if (s[0] == '0') {
		base = 8;
	}
	for (start = s; g_ascii_isxdigit(*s); s++) {
		unsigned int d = (unsigned int)g_ascii_xdigit_value(*s);

		if (d >= base)
			break;
		if (acc > (ULLONG_MAX - d) / base)
			return -ERANGE;
		acc = acc * base + d;
	}
	if (s == start)
		return -EINVAL;
	if (*s == '\n')
		s++;
	if (*s)
		return -EINVAL;
	if (acc > (neg ? (unsigned long long)INT_MAX + 1 : (unsigned long long)INT_MAX))
		return -ERANGE;
	*res = neg ? (int)-(long long)acc : (int)acc;
	return 0;
}

/* The write side of both files: at most PROC_NUMBUF-1 bytes, strstrip,
 * kstrtoint */
static int proc_read_int(const char *buf, size_t len, int *val)
{
	char buffer[PROC_NUMBUF] = { 0 };

	memcpy(buffer, buf, MIN(len, sizeof(buffer) - 1));
	return kstrtoint(g_strstrip(buffer), val);
}

static int oom_write_refused(struct machine *m, const struct task_struct *t, const char *file,
			     int err, const char *why)
{
	printk(m, "proc/%d/%s: write refused: %s", t->pid, file, why);
	return err;
}

/* __set_oom_adj: the writer is root (CAP_SYS_RESOURCE), so no EACCES, and
 * kernel threads take the value too, as in Linux */
static int set_oom_adj(struct task_struct *t, int oom_score_adj)
{
	t->oom_score_adj = (short)oom_score_adj;
	return 0;
}

static int parse_oom_value(struct machine *m, const struct task_struct *t, const char *file,
			   const char *buf, size_t len, int *val)
{
	int err = proc_read_int(buf, len, val);

	if (err == -ERANGE)
		return oom_write_refused(m, t, file, err, "number out of range");
	if (err)
		return oom_write_refused(m, t, file, err, "not a number");
	return 0;
}

int write_pid_oom_score_adj(struct machine *m, const struct fs_ctx *ctx, const char *buf, size_t len,
			    GString *reply)
{
	struct task_struct *t = ctx_task(m, ctx);
	int val, err;

	(void)reply;
	if (!t)
		return -ESRCH;
	err = parse_oom_value(m, t, "oom_score_adj", buf, len, &val);
	if (err)
		return err;
	if (val < OOM_SCORE_ADJ_MIN || val > OOM_SCORE_ADJ_MAX)
		return oom_write_refused(m, t, "oom_score_adj", -EINVAL, "value outside -1000..1000");
	return set_oom_adj(t, val);
}

/* oom_adj_write: -16..15 or OOM_DISABLE, scaled to oom_score_adj */
int write_pid_oom_adj(struct machine *m, const struct fs_ctx *ctx, const char *buf, size_t len,
		      GString *reply)
{
	struct task_struct *t = ctx_task(m, ctx);
	int val, err;

	(void)reply;
	if (!t)
		return -ESRCH;
	err = parse_oom_value(m, t, "oom_adj", buf, len, &val);
	if (err)
		return err;
	if ((val < OOM_ADJUST_MIN || val > OOM_ADJUST_MAX) && val != OOM_DISABLE)
		return oom_write_refused(m, t, "oom_adj", -EINVAL, "value outside -17..15");
	if (val == OOM_ADJUST_MAX)
		val = OOM_SCORE_ADJ_MAX;
	else
		val = val * OOM_SCORE_ADJ_MAX / -OOM_DISABLE;
	return set_oom_adj(t, val);
}
