/*
 * kernel/fork.c, kernel/exit.c, kernel/pid.c and fs/exec.c in outline:
 * the simulated tasks.
 *
 * Models: PID 1 (init) and the kernel threads with their Linux names
 * (kthreadd, kswapd<N> and kcompactd<N> per node, khugepaged, ksmd,
 * oom_reaper) created at boot; PIDs allocated upwards like alloc_pid; a
 * 16 KiB kernel stack per task from vmalloc (CONFIG_VMAP_STACK, two
 * cached per CPU after exit, KernelStack counting live tasks' stacks);
 * the slab objects copy_process makes (task_struct, pid, signal_struct,
 * and for user processes sighand_struct, files_struct, fs_struct; a filp
 * and a dentry lookup for the program, ld.so and libc at exec, shared by
 * fork);
 * spawn = fork of a shell plus execve of a PIE program with ld.so and libc,
 * laid out with ASLR drawn from the machine's seed (text, rodata, data, bss,
 * [heap], libraries, [vvar], [vdso], [stack]); fork with dup_mmap
 * (VM_DONTCOPY skipped, VM_LOCKED cleared, Committed_AS charged) and
 * copy_page_range; exit with exit_mmap, children reparented to init.
 * Simplifies: one thread per process; a parent reaps its child at once (no
 * zombies); no signals but the fault path's SIGSEGV and the OOM killer's
 * SIGKILL (a task being built by fork or spawn is in_copy_process: the
 * OOM killer passes it over, as a child not yet on the task list); CPU placement is
 * round-robin; program images have sizes of a typical small binary
 * but are not files of the simulated disk, so touching them maps nothing.
 */
#include <errno.h>
#include <string.h>

#include "numa_balancing_internal.h"
#include "mm_internal.h"
#include "mm_internal_proc.h"
#include "hugetlb_internal.h"
#include "workload_internal.h"
#include "mmsim/cgroup.h"
#include "mmsim/slab.h"

#define ELF_ET_DYN_BASE 0x555555554000UL
#define MMAP_BASE_MIN 0x7f0000000000UL
#define STACK_TOP_MAX 0x7ffffffff000UL
#define USER_UID 1000

/* set_max_threads bounds */
#define MIN_THREADS 20
#define MAX_THREADS 0x3fffffff /* FUTEX_TID_MASK */

static guint task_hash(gconstpointer k) { return GPOINTER_TO_UINT(k); }

/* set_max_threads: as many threads as an eighth of RAM holds kernel
 * stacks, within bounds */
static unsigned long set_max_threads(const struct machine *m)
{
	uint64_t threads = (uint64_t)m->totalram_pages * PAGE_SIZE / (THREAD_SIZE * 8);

	return (unsigned long)CLAMP(threads, MIN_THREADS, MAX_THREADS);
}

unsigned long rlimit_sigpending_default(const struct machine *m)
{
	return set_max_threads(m) / 2;
}

static gint cmp_int(gconstpointer a, gconstpointer b)
{
	return *(const int *)a - *(const int *)b;
}

GArray *task_pids(struct machine *m)
{
	GArray *pids = g_array_sized_new(FALSE, FALSE, sizeof(int), g_hash_table_size(m->tasks));
	GHashTableIter it;
	gpointer k, v;

	g_hash_table_iter_init(&it, m->tasks);
	while (g_hash_table_iter_next(&it, &k, &v)) {
		int pid = GPOINTER_TO_INT(k);

		g_array_append_val(pids, pid);
	}
	g_array_sort(pids, cmp_int);
	return pids;
}

struct task_struct *find_task_by_pid(struct machine *m, int pid)
{
	return g_hash_table_lookup(m->tasks, GINT_TO_POINTER(pid));
}

/* alloc_pid: the next free number above the last one, wrapping at pid_max */
static int alloc_pid(struct machine *m)
{
	for (int i = 0; i < m->pid_max; i++) {
		int pid = m->last_pid + 1 + i;

		if (pid >= m->pid_max)
			pid = 300 + (pid - m->pid_max) % (m->pid_max - 300); /* RESERVED_PIDS */
		if (!find_task_by_pid(m, pid)) {
			/* only allocated PIDs move the counter (clone3 set_tid doesn't) */
			m->last_pid = pid;
			return pid;
		}
	}
	return -EAGAIN;
}

/* The PID a new task gets: the one asked for (clone3 set_tid), or the next free */
static int claim_pid(struct machine *m, int pid)
{
	if (pid < 0 || pid >= m->pid_max)
		return -EINVAL;
	if (pid && find_task_by_pid(m, pid))
		return -EEXIST;
	return pid ? pid : alloc_pid(m);
}

static void set_comm(struct task_struct *t, const char *name)
{
	g_strlcpy(t->comm, name, sizeof(t->comm));
}

/* The program and the libraries a process maps: one struct file (filp)
 * each, holding its dentry; shared by fork, freed with the last task */
struct task_files {
	int refcount;
	int nr;
	unsigned long filp[3], dentry[3];
};

static struct task_files *exec_files(struct machine *m, const char *const *paths, int n)
{
	struct task_files *f = g_new0(struct task_files, 1);

	f->refcount = 1;
	for (int i = 0; i < n && i < 3; i++) {
		f->dentry[f->nr] = d_lookup_path(m, paths[i]);
		f->filp[f->nr] = kmem_cache_alloc(m, model_cache(m, MC_FILP), GFP_KERNEL);
		f->nr++;
	}
	return f;
}

int task_files_nr(const struct task_files *f)
{
	return f ? f->nr : 0;
}

static void put_task_files(struct machine *m, struct task_files *f)
{
	if (!f || --f->refcount > 0)
		return;
	for (int i = 0; i < f->nr; i++) {
		kmem_cache_free(m, model_cache(m, MC_FILP), f->filp[i]);
		if (f->dentry[i])
			dput(m, f->dentry[i]);
	}
	g_free(f);
}

/* alloc_thread_stack_node (CONFIG_VMAP_STACK): a 16 KiB vmalloc area, or
 * one of the two stacks each CPU keeps from exited tasks (cached_stacks) */
#define NR_CACHED_STACKS 2
#define STACK_CALLER "kernel_clone+0x94/0x3e0"

static void account_kernel_stack(struct machine *m, unsigned long stack, int sign)
{
	struct vm_struct *vm = find_vm_area(m, stack);

	for (unsigned int i = 0; vm && i < vm->nr_pages; i++)
		__mod_node_page_state(m->node_data[__pfn_to_section(m, vm->pages[i])->nid], NR_KERNEL_STACK_KB,
				      sign * (long)(PAGE_SIZE >> 10));
}

static unsigned long alloc_thread_stack_node(struct machine *m, int cpu)
{
	unsigned long stack = 0;

	if (!m->cached_stacks)
		m->cached_stacks = g_new0(unsigned long, (gsize)m->nr_cpus * NR_CACHED_STACKS);
	for (int i = 0; i < NR_CACHED_STACKS; i++) {
		unsigned long *slot = &m->cached_stacks[cpu * NR_CACHED_STACKS + i];

		if (*slot) {
			stack = *slot;
			*slot = 0;
			break;
		}
	}
	if (!stack)
		stack = __vmalloc_node_aligned(m, PAGE_SIZE << THREAD_SIZE_ORDER, PAGE_SIZE << THREAD_SIZE_ORDER,
					       cpu_to_node(m, cpu), STACK_CALLER);
	if (stack)
		account_kernel_stack(m, stack, 1);
	return stack;
}

static void free_thread_stack(struct machine *m, unsigned long stack, int cpu)
{
	account_kernel_stack(m, stack, -1);
	for (int i = 0; i < NR_CACHED_STACKS; i++) {
		unsigned long *slot = &m->cached_stacks[cpu * NR_CACHED_STACKS + i];

		if (!*slot) {
			*slot = stack;
			return;
		}
	}
	vfree(m, stack);
}

/* copy_process's slab objects of a task: task_struct, pid, signal_struct */
static void free_task_objs(struct machine *m, struct task_struct *t)
{
	kmem_cache_free(m, model_cache(m, MC_TASK_STRUCT), t->slab_task);
	kmem_cache_free(m, model_cache(m, MC_PID), t->slab_pid);
	kmem_cache_free(m, model_cache(m, MC_SIGNAL_CACHE), t->slab_signal);
	kmem_cache_free(m, model_cache(m, MC_SIGHAND_CACHE), t->slab_sighand);
	kmem_cache_free(m, model_cache(m, MC_FILES_CACHE), t->slab_files);
	kmem_cache_free(m, model_cache(m, MC_FS_CACHE), t->slab_fs);
	t->slab_task = t->slab_pid = t->slab_signal = t->slab_sighand = t->slab_files = t->slab_fs = 0;
}

/* a user process has its own sighand, files and fs (kernel threads share
 * kthreadd's, as CLONE_SIGHAND | CLONE_FILES | CLONE_FS make them) */
static void copy_process_objs(struct machine *m, struct task_struct *t)
{
	t->slab_sighand = kmem_cache_alloc(m, model_cache(m, MC_SIGHAND_CACHE), GFP_KERNEL);
	t->slab_files = kmem_cache_alloc(m, model_cache(m, MC_FILES_CACHE), GFP_KERNEL_ACCOUNT);
	t->slab_fs = kmem_cache_alloc(m, model_cache(m, MC_FS_CACHE), GFP_KERNEL_ACCOUNT);
}

static struct task_struct *alloc_task(struct machine *m, int pid, const char *name, int cpu, struct cgroup *cg,
				      int *err)
{
	struct task_struct *t;
	unsigned long stack, obj;

	/* dup_task_struct: the task_struct, then its stack on the task's node */
	obj = kmem_cache_alloc_node(m, model_cache(m, MC_TASK_STRUCT), GFP_KERNEL, cpu_to_node(m, cpu));
	stack = obj ? alloc_thread_stack_node(m, cpu) : 0;
	if (!stack) {
		kmem_cache_free(m, model_cache(m, MC_TASK_STRUCT), obj);
		*err = -ENOMEM;
		return NULL;
	}
	t = g_new0(struct task_struct, 1);
	t->pid = t->tgid = pid;
	set_comm(t, name);
	t->cmdline = g_byte_array_new();
	t->environ = g_byte_array_new();
	t->state = 'S';
	t->cpu = cpu;
	t->home_node = -1;
	for (int c = 0; c < m->nr_cpus; c++)
		cpumask_set_cpu(c, &t->cpus_allowed);
	t->start_time_ns = m->now_ns;
	cgroup_post_fork(m, t, cg);
	t->stack = stack;
	t->slab_task = obj;
	t->slab_pid = kmem_cache_alloc(m, model_cache(m, MC_PID), GFP_KERNEL);
	t->slab_signal = kmem_cache_alloc(m, model_cache(m, MC_SIGNAL_CACHE), GFP_KERNEL);
	g_hash_table_insert(m->tasks, GINT_TO_POINTER(pid), t);
	m->nr_threads++;
	m->nr_forks++;
	m->nr_context_switches += 2;
	*err = 0;
	return t;
}

static void free_task(struct machine *m, struct task_struct *t)
{
	free_thread_stack(m, t->stack, t->cpu);
	free_task_objs(m, t);
	put_task_files(m, t->exe_files);
	exit_files(m, t);
	cgroup_exit(m, t);
	g_hash_table_remove(m->tasks, GINT_TO_POINTER(t->pid));
	m->nr_threads--;
	g_byte_array_unref(t->cmdline);
	g_byte_array_unref(t->environ);
	task_numa_free(t);
	g_free(t);
}

static int next_cpu(struct machine *m)
{
	return (int)(m->nr_forks % (uint64_t)m->nr_cpus);
}

static void set_strings(GByteArray *a, const char *const *strs)
{
	g_byte_array_set_size(a, 0);
	for (; *strs; strs++)
		g_byte_array_append(a, (const guint8 *)*strs, (guint)strlen(*strs) + 1);
}

/* A page-aligned random offset of up to `pages` pages (ASLR) */
static unsigned long rnd_pages(struct machine *m, uint32_t pages)
{
	return (unsigned long)g_rand_int_range(m->rand, 0, (gint32)pages) << PAGE_SHIFT;
}

/* An ELF shared object or executable: its segments as the loader maps them */
struct elf_image {
	const char *path;
	unsigned long pages[5];  /* r--p headers, r-xp text, r--p rodata, r--p relro, rw-p data */
	unsigned long bss_pages; /* anonymous rw-p after the data */
};

static int map_elf(struct machine *m, struct task_struct *t, const struct elf_image *img, unsigned long base,
		   unsigned long *end)
{
	static const unsigned long prot[5] = { VM_READ, VM_READ | VM_EXEC, VM_READ, VM_READ, VM_READ | VM_WRITE };
	unsigned long addr = base, pgoff = 0;
	int err;

	for (int i = 0; i < 5; i++) {
		if (!img->pages[i])
			continue;
		err = do_mmap_fixed(m, t, addr, img->pages[i] << PAGE_SHIFT, prot[i], VMA_FILE, img->path, pgoff);
		if (err)
			return err;
		addr += img->pages[i] << PAGE_SHIFT;
		pgoff += img->pages[i];
	}
	if (img->bss_pages) {
		err = do_mmap_fixed(m, t, addr, img->bss_pages << PAGE_SHIFT, VM_READ | VM_WRITE, VMA_ANON, NULL, 0);
		if (err)
			return err;
		addr += img->bss_pages << PAGE_SHIFT;
	}
	*end = addr;
	return 0;
}

static unsigned long elf_size(const struct elf_image *img)
{
	unsigned long n = img->bss_pages;

	for (int i = 0; i < 5; i++)
		n += img->pages[i];
	return n << PAGE_SHIFT;
}

/* The libraries every dynamically linked program maps (Debian 12 sizes) */
static const struct elf_image ld_so = {
	"/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2", { 1, 37, 10, 2, 1 }, 0
};
static const struct elf_image libc_so = {
	"/usr/lib/x86_64-linux-gnu/libc.so.6", { 40, 354, 85, 4, 2 }, 13
};

/* The environment a shell passes every program it starts: one array,
 * shared (never modified in place) by all the processes that have it */
static GByteArray *spawn_environ(void)
{
	static const char *const envp[] = { "PATH=/usr/local/bin:/usr/bin:/bin", "HOME=/home/user",
					    "USER=user", "LANG=C.UTF-8", "SHELL=/bin/bash", NULL };
	static gsize once;
	static GByteArray *env;

	if (g_once_init_enter(&once)) {
		env = g_byte_array_new();
		set_strings(env, envp);
		g_once_init_leave(&once, 1);
	}
	return g_byte_array_ref(env);
}

/* execve of NAME: a fresh mm with the program, its libraries and stack */
static int exec_mmap(struct machine *m, struct task_struct *t, const char *name, const char *file)
{
	g_autofree char *path = file ? g_strdup(file) : g_strdup_printf("/usr/bin/%s", name);
	/* a small program: text size varies with the name, as binaries do */
	unsigned long text = 8 + g_str_hash(name) % 56;
	struct elf_image prog = { path, { 2, text, 4 + text / 4, 1, 1 }, 1 };
	struct mm_struct *mm = mm_alloc(m);
	unsigned long base, end, prog_end, stack_top, stack_start, lib, vdso;
	const char *argv[] = { name, NULL };
	int err;

	if (!mm)
		return -ENOMEM;
	t->mm = mm;
	/* ASLR: stack top, mmap base and load base from the seed */
	stack_top = STACK_TOP_MAX - rnd_pages(m, 1u << 22) - PAGE_SIZE;
	mm->mmap_base = (MMAP_BASE_MIN + rnd_pages(m, 1u << 26)) & PAGE_MASK;
	base = ELF_ET_DYN_BASE + rnd_pages(m, 1u << 20);

	if ((err = map_elf(m, t, &prog, base, &end)))
		return err;
	mm->start_code = base + (prog.pages[0] << PAGE_SHIFT);
	mm->end_code = mm->start_code + (text << PAGE_SHIFT);
	mm->start_data = end - ((prog.pages[4] + prog.bss_pages) << PAGE_SHIFT);
	mm->end_data = end - (prog.bss_pages << PAGE_SHIFT);
	mm->start_brk = mm->brk = end + rnd_pages(m, 1u << 13);
	prog_end = end;

	lib = get_unmapped_area(mm, elf_size(&ld_so));
	if ((err = map_elf(m, t, &ld_so, lib, &end)))
		return err;
	lib = get_unmapped_area(mm, elf_size(&libc_so));
	if ((err = map_elf(m, t, &libc_so, lib, &end)))
		return err;

	/* [stack]: 132 KiB as a fresh process has; [vvar] and [vdso] near it */
	stack_start = stack_top - (33UL << PAGE_SHIFT);
	if ((err = do_mmap_fixed(m, t, stack_start, stack_top - stack_start, VM_READ | VM_WRITE | VM_GROWSDOWN,
				 VMA_STACK, NULL, 0)))
		return err;
	vdso = stack_start - (64UL << PAGE_SHIFT) - rnd_pages(m, 1u << 10);
	/* vdso_install: [vvar] 4 pages, [vvar_vclock] 2 pages, [vdso] 2 pages */
	if ((err = do_mmap_fixed(m, t, vdso, 4UL << PAGE_SHIFT, VM_READ | VM_PFNMAP | VM_IO | VM_DONTEXPAND |
				 VM_DONTDUMP, VMA_VVAR, NULL, 0)) ||
	    (err = do_mmap_fixed(m, t, vdso + (4UL << PAGE_SHIFT), 2UL << PAGE_SHIFT,
				 VM_READ | VM_PFNMAP | VM_IO | VM_DONTEXPAND | VM_DONTDUMP, VMA_VVAR_VCLOCK,
				 NULL, 0)) ||
	    (err = do_mmap_fixed(m, t, vdso + (6UL << PAGE_SHIFT), 2UL << PAGE_SHIFT,
				 VM_READ | VM_EXEC | VM_DONTEXPAND, VMA_VDSO, NULL, 0)))
		return err;
	set_strings(t->cmdline, argv);
	g_byte_array_unref(t->environ);
	t->environ = spawn_environ();
	mm->start_stack = stack_top - 0x1000 + 0x10;
	mm->arg_start = stack_top - 0x800;
	mm->arg_end = mm->arg_start + t->cmdline->len;
	mm->env_start = mm->arg_end;
	mm->env_end = mm->env_start + t->environ->len;
	/* what the loader and libc's start-up write: argv/env/auxv on the
	 * stack, relocations in the data segments, malloc's first heap */
	if ((err = access_process_range(m, t, stack_top - 2 * PAGE_SIZE, 2 * PAGE_SIZE, true)) ||
	    (err = access_process_range(m, t, mm->start_data, prog_end - mm->start_data, true)))
		return err;
	if (sys_brk(m, t, mm->start_brk + (33UL << PAGE_SHIFT)) != mm->start_brk + (33UL << PAGE_SHIFT))
		return -ENOMEM;
	mm->malloc.top = mm->start_brk;
	if ((err = access_process_range(m, t, mm->start_brk, PAGE_SIZE, true)))
		return err;
	{
		const char *paths[] = { path, ld_so.path, libc_so.path };

		put_task_files(m, t->exe_files);
		t->exe_files = exec_files(m, paths, 3);
	}
	return 0;
}

/* The task a spawn makes: a PID, then the task in cg */
static struct task_struct *spawn_task(struct machine *m, const char *name, int pid, int cpu, struct cgroup *cg,
				      int *err)
{
	if ((pid = claim_pid(m, pid)) < 0) {
		*err = pid;
		return NULL;
	}
	return alloc_task(m, pid, name, cpu >= 0 ? cpu : next_cpu(m), cg, err);
}

int sys_spawn(struct machine *m, const char *name, int pid, const char *cgroup, struct task_struct **out)
{
	return sys_spawn_on(m, name, pid, cgroup, -1, out);
}

int sys_spawn_on(struct machine *m, const char *name, int pid, const char *cgroup, int cpu,
		 struct task_struct **out)
{
	struct task_struct *t, *prev, *init = find_task_by_pid(m, 1);
	struct cgroup *cg = m->cgrp_root, *made = NULL;
	int err;

	if (!name || !*name || strchr(name, '/') || cpu >= m->nr_cpus)
		return -EINVAL;
	if (cgroup && (err = cgroup_mkdir_p(m, cgroup, &cg, &made)))
		return err;
	t = (err = cgroup_can_fork(m, cg)) ? NULL : spawn_task(m, name, pid, cpu, cg, &err);
	if (!t) {
		cgroup_mkdir_undo(m, made);
		return err;
	}
	if (cpu >= 0) {
		/* as taskset -c CPU started it: pinned there */
		cpumask_clear(&t->cpus_allowed);
		cpumask_set_cpu(cpu, &t->cpus_allowed);
	}
	t->real_parent = init;
	t->uid = t->gid = init ? USER_UID : 0;
	copy_process_objs(m, t);
	/* the new task runs its execve; the OOM killer does not see it yet */
	t->in_copy_process = true;
	prev = syscall_enter(m, t);
	err = exec_mmap(m, t, name, NULL);
	m->current = prev;
	t->in_copy_process = false;
	if (err) {
		if (t->mm)
			mmput(m, t->mm);
		free_task(m, t);
		cgroup_mkdir_undo(m, made);
		return err;
	}
	if (out)
		*out = t;
	return t->pid;
}

/* dup_mmap: the child's VMAs and page tables, private memory made COW */
static int dup_mmap(struct machine *m, struct task_struct *child, struct mm_struct *oldmm)
{
	struct mm_struct *mm = mm_alloc(m);
	struct vm_area_struct *vma;
	int err = 0;

	if (!mm)
		return -ENOMEM;
	child->mm = mm;
	ksm_fork(m, mm, oldmm);
	mm->mmap_base = oldmm->mmap_base;
	mm->start_code = oldmm->start_code;
	mm->end_code = oldmm->end_code;
	mm->start_data = oldmm->start_data;
	mm->end_data = oldmm->end_data;
	mm->start_brk = oldmm->start_brk;
	mm->brk = oldmm->brk;
	mm->start_stack = oldmm->start_stack;
	mm->arg_start = oldmm->arg_start;
	mm->arg_end = oldmm->arg_end;
	mm->env_start = oldmm->env_start;
	mm->env_end = oldmm->env_end;
	mm->hiwater_rss = 0;
	malloc_state_copy(&mm->malloc, &oldmm->malloc);
	for_each_vma(oldmm, it, vma) {
		struct vm_area_struct *tmp;
		unsigned long pages = (vma->vm_end - vma->vm_start) >> PAGE_SHIFT;

		if (vma->vm_flags & VM_DONTCOPY)
			continue;
		/* the parent (current) was OOM-killed: give up */
		if (fatal_signal_pending(m->current))
			return -EINTR;
		if (vma->vm_flags & VM_ACCOUNT) {
			if ((err = __vm_enough_memory(m, child, (long)pages)))
				return err;
			mm->committed += pages;
		}
		tmp = vm_area_alloc(mm);
		{
			unsigned long obj = tmp->slab_obj;

			*tmp = *vma;
			tmp->slab_obj = obj;
		}
		tmp->vm_mm = mm;
		/* anon_vma_fork: the child's chain object */
		tmp->avc_obj = tmp->fork_av_obj = tmp->fork_avc_obj = 0;
		if (tmp->anon_vma) {
			/* the chain to the parent's anon_vma, the child's own
			 * anon_vma and the chain to it */
			tmp->avc_obj = kmem_cache_alloc(m, model_cache(m, MC_ANON_VMA_CHAIN), GFP_KERNEL);
			tmp->fork_av_obj = kmem_cache_alloc(m, model_cache(m, MC_ANON_VMA), GFP_KERNEL);
			tmp->fork_avc_obj = kmem_cache_alloc(m, model_cache(m, MC_ANON_VMA_CHAIN), GFP_KERNEL);
		}
		tmp->name = g_strdup(vma->name);
		tmp->file = vma_file_path_get(vma->file);
		tmp->vm_flags &= ~(VM_LOCKED | VM_LOCKONFAULT);
		if (tmp->anon_vma) {
			tmp->anon_vma->refcount++;
			anon_vma_link(tmp);
		}
		if (tmp->vm_file)
			vma_file_attach(tmp);
		if (tmp->hugetlb)
			hugetlb_vm_op_fork(tmp);
		vma_insert(mm, tmp);
		vm_stat_account(mm, tmp->vm_flags, (long)pages);
		if ((err = copy_page_range(m, mm, oldmm, vma)))
			return err;
	}
	/* the parent's ptes were write-protected: flush its TLB */
	m->nr_tlb_local_flush_all++;
	update_hiwater_rss(mm);
	return 0;
}

static int do_fork(struct machine *m, struct task_struct *parent, const char *name, int pid,
		   struct task_struct **out)
{
	struct task_struct *t;
	int err;

	if (!parent->mm)
		return -EINVAL;
	if ((err = cgroup_can_fork(m, parent->cgroups)))
		return err;
	if ((pid = claim_pid(m, pid)) < 0)
		return pid;
	t = alloc_task(m, pid, name ? name : parent->comm, select_task_rq_fork(m, &parent->cpus_allowed), parent->cgroups,
		       &err);
	if (!t)
		return err;
	t->real_parent = parent;
	/* dup_task_struct and mpol_dup: the affinity and the policy */
	t->cpus_allowed = parent->cpus_allowed;
	t->mempolicy = parent->mempolicy;
	t->il_prev = parent->il_prev;
	t->il_weight = parent->il_weight;
	t->flags |= PF_FORKNOEXEC;
	copy_process_objs(m, t);
	if (parent->exe_files) {
		t->exe_files = parent->exe_files;  /* the mappings share their files */
		t->exe_files->refcount++;
	}
	t->uid = parent->uid;
	t->gid = parent->gid;
	t->nice = parent->nice;
	t->oom_score_adj = parent->oom_score_adj;
	g_byte_array_append(t->cmdline, parent->cmdline->data, parent->cmdline->len);
	g_byte_array_unref(t->environ);
	t->environ = g_byte_array_ref(parent->environ);
	if (name) {
		/* a new name is an exec of it: the child has exec'd */
		const char *argv[] = { name, NULL };

		set_strings(t->cmdline, argv);
		t->flags &= ~PF_FORKNOEXEC;
	}
	dup_files(t, parent);
	t->in_copy_process = true;
	err = dup_mmap(m, t, parent->mm);
	/* copy_process: a fatal signal that came meanwhile cancels the fork */
	if (!err && fatal_signal_pending(parent))
		err = -EINTR;
	if (err) {
		if (t->mm)
			mmput(m, t->mm);
		free_task(m, t);
		return err;
	}
	t->in_copy_process = false;
	/* copy_process and dup_mmap: ~20 us of kernel time */
	account_system_time(m, parent, 20000);
	if (out)
		*out = t;
	return pid;
}

/* fork(2): the parent is current; an OOM kill of it takes effect on return */
int sys_fork(struct machine *m, struct task_struct *parent, const char *name, int pid, struct task_struct **out)
{
	struct task_struct *prev = syscall_enter(m, parent);
	int ppid = parent->pid;
	int ret = do_fork(m, parent, name, pid, out);

	return (int)syscall_exit_oom(m, ppid, prev, ret);
}

int sys_exit(struct machine *m, struct task_struct *t)
{
	GHashTableIter it;
	gpointer k, v;
	struct task_struct *init = find_task_by_pid(m, 1);

	if (t->pid == 1 || (t->flags & PF_KTHREAD))
		return -EPERM;
	workload_exit(m, t);
	/* forget_original_parent: children go to init */
	g_hash_table_iter_init(&it, m->tasks);
	while (g_hash_table_iter_next(&it, &k, &v)) {
		struct task_struct *c = v;

		if (c->real_parent == t)
			c->real_parent = init;
	}
	if (t->mm) {
		update_hiwater_rss(t->mm);
		mmput(m, t->mm);
		t->mm = NULL;
	}
	free_task(m, t);
	return 0;
}

static struct task_struct *kthread_create(struct machine *m, const char *name, struct task_struct *kthreadd,
					  int cpu)
{
	int err;
	struct task_struct *t = alloc_task(m, alloc_pid(m), name, cpu, m->cgrp_root, &err);

	g_assert(t);
	t->flags |= PF_KTHREAD;
	t->real_parent = kthreadd;
	return t;
}

void tasks_init(struct machine *m)
{
	struct task_struct *init, *kthreadd;
	char name[TASK_COMM_LEN];
	int err;

	m->tasks = g_hash_table_new(task_hash, g_direct_equal);
	m->pid_max = PID_MAX_LIMIT;
	m->last_pid = 0;
	if (m->cfg.bare)
		return;
	init = alloc_task(m, 1, "init", 0, m->cgrp_root, &err);
	g_assert(init);
	copy_process_objs(m, init);
	kthreadd = alloc_task(m, 2, "kthreadd", 0, m->cgrp_root, &err);
	g_assert(kthreadd);
	kthreadd->flags |= PF_KTHREAD | PF_NOFREEZE;
	for_each_online_node(m, nid) {
		int cpu = 0;

		for (int c = 0; c < m->nr_cpus; c++)
			if (cpu_to_node(m, c) == nid) {
				cpu = c;
				break;
			}
		g_snprintf(name, sizeof(name), "kswapd%d", nid);
		m->node_data[nid]->kswapd = kthread_create(m, name, kthreadd, cpu);
		m->node_data[nid]->kswapd->flags |= PF_MEMALLOC | PF_KSWAPD;
		g_snprintf(name, sizeof(name), "kcompactd%d", nid);
		m->node_data[nid]->kcompactd = kthread_create(m, name, kthreadd, cpu);
	}
	kthread_create(m, "khugepaged", kthreadd, 0);
	kthread_create(m, "ksmd", kthreadd, 0);
	kthread_create(m, "oom_reaper", kthreadd, 0);
	/* init execs /sbin/init: a process like any other, as root */
	if (exec_mmap(m, init, "init", "/sbin/init"))
		g_error("cannot build init's address space");
	{
		const char *argv[] = { "/sbin/init", NULL };

		set_strings(init->cmdline, argv);
	}
	cgroup_attach_task(m, init, cgroup_lookup(m, "/init.scope"));
}

void tasks_destroy(struct machine *m)
{
	GHashTableIter it;
	gpointer k, v;

	if (!m->tasks)
		return;
	g_hash_table_iter_init(&it, m->tasks);
	while (g_hash_table_iter_next(&it, &k, &v)) {
		struct task_struct *t = v;

		if (t->mm)
			mmput(m, t->mm);
		put_task_files(m, t->exe_files);
		g_byte_array_unref(t->cmdline);
		g_byte_array_unref(t->environ);
		task_numa_free(t);
		g_free(t);
	}
	g_hash_table_destroy(m->tasks);
	m->tasks = NULL;
}
