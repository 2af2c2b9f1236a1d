/*
 * proc/PID/ctl: one process's commands, as system calls the
 * process makes: mmap, munmap, mprotect, madvise, mlock, munlock, brk,
 * malloc/free (glibc), loads and stores, fork, exit.  Like sim/ctl (ctl.c,
 * whose runner this shares), every argument is checked before the one
 * engine call, so a refused command changes nothing; the engine's own
 * refusals (ENOMEM, EINVAL, ...) leave the model as it was too, as the
 * kernel's system calls do.
 *
 * Also the targets of the proc/self and proc/thread-self links: the FUSE
 * layer puts the caller's thread-group id and thread id into the context.
 *
 * A TARGET names a range of the address space:
 *   NAME      the region mapped with name=NAME: the VMAs of that name from
 *             the first one on, as long as they stay adjacent (mprotect may
 *             have split it)
 *   0xADDR    from ADDR to the end of the VMA that contains it; with len=,
 *             exactly [ADDR, ADDR+len), mapped or not (the system call
 *             decides, as the kernel's does)
 * off=SIZE moves the start up by SIZE and len=SIZE cuts the range to SIZE
 * bytes; within a named region both must stay inside it.
 */
#include <errno.h>
#include <limits.h>
#include <string.h>

#include "ctl.h"
#include "pid_ctl.h"
#include "tree.h"
#include "layout_handlers.h"
#include "mmsim/hugetlb.h"
#include "mmsim/pagemap.h"
#include "mmsim/page_content.h"
#include "mmsim/ksm.h"

/* include/linux/fs.h MAX_RW_COUNT: one read or write moves at most this */
#define MAX_RW_COUNT (INT_MAX & ~(PAGE_SIZE - 1))

/* include/linux/mm_types.h: anon_vma_name's limit, with its NUL */
#define ANON_VMA_NAME_MAX_LEN 80

/* The live process a command runs in; refusals for the dead and for
 * kernel threads, which have no address space */
int ctl_task(struct machine *m, const struct fs_ctx *ctx, bool need_mm, struct task_struct **out,
	     const char **why)
{
	struct task_struct *t = fs_ctx_task(m, ctx);

	if (!t || t->state == 'Z') {
		*why = "no such process";
		return -ESRCH;
	}
	if (need_mm && !t->mm) {
		*why = "a kernel thread has no address space";
		return -EINVAL;
	}
	*out = t;
	return 0;
}

static int no_unused_opt(struct ctl_cmd *cmd, const char **why)
{
	if (ctl_unused_opt(cmd)) {
		*why = "unknown option";
		return -EINVAL;
	}
	return 0;
}

/* prot=rw|r|rx|rwx|none (any of r, w, x in that order) */
static bool parse_prot(const char *s, int *prot)
{
	int p = PROT_NONE;

	if (!strcmp(s, "none")) {
		*prot = PROT_NONE;
		return true;
	}
	if (*s == 'r') {
		p |= PROT_READ;
		s++;
	}
	if (*s == 'w') {
		p |= PROT_WRITE;
		s++;
	}
	if (*s == 'x') {
		p |= PROT_EXEC;
		s++;
	}
	if (*s || p == PROT_NONE)
		return false;
	*prot = p;
	return true;
}

/* mm/madvise.c anon_vma_name rules: printable, none of \ ` $ [ ] (they
 * would make maps ambiguous), shorter than ANON_VMA_NAME_MAX_LEN */
static bool valid_anon_name(const char *s)
{
	if (strlen(s) > ANON_VMA_NAME_MAX_LEN - 1)
		return false;
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c < ' ' || c > '~' || strchr("\\`$[]", c))
			return false;
	}
	return true;
}

/* The end of the named region that starts at vma: adjacent VMAs of the
 * same name belong to it */
static unsigned long region_end(struct mm_struct *mm, struct vm_area_struct *vma)
{
	unsigned long end = vma->vm_end;
	struct vm_area_struct *next;

	while ((next = find_vma(mm, end)) && next->vm_start == end && next->name && vma->name &&
	       !strcmp(next->name, vma->name))
		end = next->vm_end;
	return end;
}

/*
 * TARGET [off=SIZE] [len=SIZE] into [*start, *start + *len).  access: the
 * range is for loads and stores, so an address nothing maps is one page
 * (the access faults and the process gets SIGSEGV, as it would in Linux).
 */
int parse_target(struct mm_struct *mm, struct ctl_cmd *cmd, const char *word, bool access, unsigned long *start,
		 unsigned long *len, const char **why)
{
	const char *voff = ctl_opt(cmd, "off"), *vlen = ctl_opt(cmd, "len");
	uint64_t off = 0, n = 0, addr, s, e;

	if ((voff && !parse_size(voff, &off)) || (vlen && !parse_size(vlen, &n))) {
		*why = "off= and len= are sizes (K, M, G, T)";
		return -EINVAL;
	}
	if (ctl_parse_hex(word, &addr)) {
		struct vm_area_struct *vma = find_vma(mm, addr);

		if (addr + off < addr) {
			*why = "off= runs past the end of the address space";
			return -EINVAL;
		}
		s = addr + off;
		if (vlen) {
			e = s + n;
		} else if (vma && vma->vm_start <= addr) {
			e = vma->vm_end;
		} else if (access) {
			e = s + PAGE_SIZE;
		} else {
			*why = "no mapping contains that address (give len=)";
			return -EINVAL;
		}
	} else if (word[0] == '0' && (word[1] == 'x' || word[1] == 'X')) {
		*why = "bad address (0x and hexadecimal digits)";
		return -EINVAL;
	} else {
		struct vm_area_struct *vma = find_vma_by_name(mm, word);
		unsigned long end;

		if (!vma) {
			*why = "no region has that name (name= at mmap)";
			return -EINVAL;
		}
		end = region_end(mm, vma);
		if (off >= end - vma->vm_start) {
			*why = "off= is beyond the end of the region";
			return -EINVAL;
		}
		s = vma->vm_start + off;
		e = vlen ? s + n : end;
		if (e > end || e < s) {
			*why = "len= runs past the end of the region";
			return -EINVAL;
		}
	}
	if (e < s) {
		*why = "len= runs past the end of the address space";
		return -EINVAL;
	}
	*start = (unsigned long)s;
	*len = (unsigned long)(e - s);
	return 0;
}

/* The first argument as TARGET, plus nextra more positional arguments */
static int target_cmd(struct machine *m, const struct fs_ctx *ctx, struct ctl_cmd *cmd, int nextra, bool access,
		      const char *usage, struct task_struct **t, unsigned long *start, unsigned long *len,
		      const char **why)
{
	int err;

	if (cmd->nargs != 1 + nextra) {
		*why = usage;
		return -EINVAL;
	}
	err = ctl_task(m, ctx, true, t, why);
	if (err)
		return err;
	err = parse_target((*t)->mm, cmd, cmd->args[0], access, start, len, why);
	if (err)
		return err;
	return no_unused_opt(cmd, why);
}

/* An engine refusal: its errno, and a reason for the log */
int engine_err(long ret, const char **why)
{
	switch (ret) {
	case -ENOMEM:
		*why = "out of memory, or the range is not mapped";
		break;
	case -EFAULT:
		*why = "bad address: the process was killed by SIGSEGV";
		break;
	case -EAGAIN:
		*why = "resource limit";
		break;
	case -ESRCH:
		/* the engine's only -ESRCH: the task died in the call */
		*why = "the process was killed by the OOM killer (SIGKILL) during the call";
		break;
	default:
		*why = "refused by the kernel";
		break;
	}
	return (int)ret;
}

/* An address the engine returned, or its refusal (an errno in the last
 * page of the address space, as mmap's) */
static int reply_addr(long ret, GString *reply, const char **why)
{
	if (ret < 0 && ret > -4096)
		return engine_err(ret, why);
	g_string_append_printf(reply, "0x%lx", (unsigned long)ret);
	return 0;
}

/* A count of bytes the engine returned, or its refusal */
static int reply_count(long ret, GString *reply, const char **why)
{
	if (ret < 0)
		return engine_err(ret, why);
	g_string_append_printf(reply, "%ld", ret);
	return 0;
}

/* No option left over, and the live task of the file */
static int cmd_task(struct machine *m, const struct fs_ctx *ctx, struct ctl_cmd *cmd, struct task_struct **t,
		    const char **why)
{
	int err = no_unused_opt(cmd, why);

	return err ? err : ctl_task(m, ctx, true, t, why);
}

/* cmd_task, and the first argument a path of the simulated filesystem */
static int cmd_file_task(struct machine *m, const struct fs_ctx *ctx, struct ctl_cmd *cmd, struct task_struct **t,
			 const char **why)
{
	int err = cmd_task(m, ctx, cmd, t, why);

	return err ? err : ctl_file_path(m, cmd->args[0], NULL, why);
}

/* What an mmap command asks for */
struct mmap_args {
	uint64_t len, addr, off;
	int prot;
	bool anon, shared, populate, hugetlb, noreserve;
	int huge_flags;   /* MAP_HUGE_2MB or MAP_HUGE_1GB from hugetlb=SIZE, or 0 */
	const char *name, *path;
};

/* hugetlb=SIZE: the huge page size as MAP_HUGE_* flags (the size's log2) */
static int mmap_parse_huge(struct ctl_cmd *cmd, struct mmap_args *a, const char **why)
{
	const char *v = ctl_opt(cmd, "hugetlb");
	uint64_t size;

	if (!v)
		return 0;
	if (a->hugetlb) {
		*why = "hugetlb given twice";
		return -EINVAL;
	}
	if (!parse_size(v, &size) || size < PAGE_SIZE || (size & (size - 1)) || size > (1ULL << 62)) {
		*why = "hugetlb= takes a power-of-two size (2M, 1G)";
		return -EINVAL;
	}
	a->hugetlb = true;
	a->huge_flags = (int)__builtin_ctzll(size) << MAP_HUGE_SHIFT;
	return 0;
}

/* The words and options of mmap, each checked alone and against the others */
static int mmap_parse(struct ctl_cmd *cmd, struct mmap_args *a, const char **why)
{
	const char *vprot = ctl_opt(cmd, "prot"), *vaddr = ctl_opt(cmd, "addr"), *voff = ctl_opt(cmd, "off");

	memset(a, 0, sizeof(*a));
	a->prot = PROT_READ | PROT_WRITE;
	a->name = ctl_opt(cmd, "name");
	a->path = ctl_opt(cmd, "file");
	if (cmd->nargs < 1 || !parse_size(cmd->args[0], &a->len)) {
		*why = "usage: mmap LEN [anon|shared|file=PATH] [off=SIZE] [prot=rw|r|rx|rwx|none] [name=NAME] [populate] "
		       "[addr=ADDR] [hugetlb|hugetlb=SIZE] [noreserve]";
		return -EINVAL;
	}
	for (int i = 1; i < cmd->nargs; i++) {
		bool *flag = !strcmp(cmd->args[i], "anon") ? &a->anon :
			     !strcmp(cmd->args[i], "shared") ? &a->shared :
			     !strcmp(cmd->args[i], "populate") ? &a->populate :
			     !strcmp(cmd->args[i], "hugetlb") ? &a->hugetlb :
			     !strcmp(cmd->args[i], "noreserve") ? &a->noreserve : NULL;

		if (!flag || *flag) {
			*why = flag ? "a word given twice" : "unknown word (anon, shared, populate, hugetlb, noreserve)";
			return -EINVAL;
		}
		*flag = true;
	}
	if (mmap_parse_huge(cmd, a, why))
		return -EINVAL;
	if (a->anon && a->shared) {
		*why = "anon (private) and shared exclude each other";
		return -EINVAL;
	}
	if (a->path && a->anon) {
		*why = "anon and file= exclude each other";
		return -EINVAL;
	}
	if (voff && !a->path) {
		*why = "off= is the offset in the file of file=PATH";
		return -EINVAL;
	}
	if (voff && (!parse_size(voff, &a->off) || a->off % PAGE_SIZE)) {
		*why = "off= must be a multiple of the page size (4K)";
		return -EINVAL;
	}
	if (a->len == 0) {
		*why = "LEN must not be 0";
		return -EINVAL;
	}
	if (vprot && !parse_prot(vprot, &a->prot)) {
		*why = "prot= must be rw, r, rx, rwx or none";
		return -EINVAL;
	}
	if (a->name && !valid_anon_name(a->name)) {
		*why = "name= takes printable characters except \\ ` $ [ ], at most 79";
		return -EINVAL;
	}
	if (vaddr && !ctl_parse_hex(vaddr, &a->addr)) {
		*why = "addr= is a 0x address";
		return -EINVAL;
	}
	return no_unused_opt(cmd, why);
}

static int pid_mmap(struct machine *m, const struct fs_ctx *ctx, struct ctl_cmd *cmd, GString *reply,
		    const char **why)
{
	struct mmap_args a;
	struct task_struct *t;
	int flags, err;
	long ret;

	err = mmap_parse(cmd, &a, why);
	if (!err)
		err = ctl_task(m, ctx, true, &t, why);
	if (!err && a.path)
		err = ctl_file_path(m, a.path, NULL, why);
	if (err)
		return err;
	flags = (a.shared ? MAP_SHARED : MAP_PRIVATE) | (a.populate ? MAP_POPULATE : 0) |
		(a.hugetlb ? MAP_HUGETLB | a.huge_flags : 0) | (a.noreserve ? MAP_NORESERVE : 0);
	if (a.path) {
		unsigned long pgoff = (unsigned long)(a.off >> PAGE_SHIFT);

		/* do_mmap: the page offset of the end must not wrap */
		if (pgoff + ((a.len + PAGE_SIZE - 1) >> PAGE_SHIFT) < pgoff) {
			*why = "off= + LEN overflows";
			return -EOVERFLOW;
		}
		ret = sys_mmap_file(m, t, (unsigned long)a.addr, (unsigned long)a.len, a.prot, flags, a.path, pgoff,
				    a.name);
	} else {
		ret = sys_mmap(m, t, (unsigned long)a.addr, (unsigned long)a.len, a.prot, flags | MAP_ANONYMOUS,
			       a.name);
	}
	return reply_addr(ret, reply, why);
}

static int pid_munmap(struct machine *m, const struct fs_ctx *ctx, struct ctl_cmd *cmd, GString *reply,
		      const char **why)
{
	struct task_struct *t;
	unsigned long start, len;
	int err = target_cmd(m, ctx, cmd, 0, false, "usage: munmap TARGET [off=SIZE] [len=SIZE]", &t, &start,
			     &len, why);

	if (err)
		return err;
	err = sys_munmap(m, t, start, len);
	if (err)
		return engine_err(err, why);
	g_string_append(reply, "ok");
	return 0;
}

static int pid_mprotect(struct machine *m, const struct fs_ctx *ctx, struct ctl_cmd *cmd, GString *reply,
			const char **why)
{
	struct task_struct *t;
	unsigned long start, len;
	int prot;
	int err = target_cmd(m, ctx, cmd, 1, false, "usage: mprotect TARGET rw|r|rx|rwx|none [off=SIZE] [len=SIZE]",
			     &t, &start, &len, why);

	if (err)
		return err;
	if (!parse_prot(cmd->args[1], &prot)) {
		*why = "PROT must be rw, r, rx, rwx or none";
		return -EINVAL;
	}
	err = sys_mprotect(m, t, start, len, prot);
	if (err)
		return engine_err(err, why);
	g_string_append(reply, "ok");
	return 0;
}

static int pid_madvise(struct machine *m, const struct fs_ctx *ctx, struct ctl_cmd *cmd, GString *reply,
		       const char **why)
{
	static const struct {
		const char *name;
		int advice;
		bool modelled;
	} advices[] = {
		{ "dontneed", MADV_DONTNEED, true },
		{ "free", MADV_FREE, true },
		{ "willneed", MADV_WILLNEED, true },
		{ "dontfork", MADV_DONTFORK, true },
		{ "dofork", MADV_DOFORK, true },
		{ "cold", MADV_COLD, true },
		{ "pageout", MADV_PAGEOUT, true },
		{ "hugepage", MADV_HUGEPAGE, true },
		{ "nohugepage", MADV_NOHUGEPAGE, true },
		{ "mergeable", MADV_MERGEABLE, true },
		{ "unmergeable", MADV_UNMERGEABLE, true },
		{ "collapse", MADV_COLLAPSE, false },
	};
	struct task_struct *t;
	unsigned long start, len;
	size_t i;
	int err = target_cmd(m, ctx, cmd, 1, false, "usage: madvise TARGET ADVICE [off=SIZE] [len=SIZE]", &t,
			     &start, &len, why);

	if (err)
		return err;
	for (i = 0; i < G_N_ELEMENTS(advices) && strcmp(advices[i].name, cmd->args[1]); i++)
		;
	if (i == G_N_ELEMENTS(advices)) {
		*why = "unknown advice";
		return -EINVAL;
	}
	if (!advices[i].modelled) {
		*why = "not modelled yet";
		return -EINVAL;
	}
	err = sys_madvise(m, t, start, len, advices[i].advice);
	if (err)
		return engine_err(err, why);
	g_string_append(reply, "ok");
	return 0;
}

static int pid_mlock_common(struct machine *m, const struct fs_ctx *ctx, struct ctl_cmd *cmd, GString *reply,
			    const char **why, bool lock)
{
	struct task_struct *t;
	unsigned long start, len;
	int err = target_cmd(m, ctx, cmd, 0, false,
			     lock ? "usage: mlock TARGET [off=SIZE] [len=SIZE]" : "usage: munlock TARGET [off=SIZE] [len=SIZE]",
			     &t, &start, &len, why);

	if (err)
		return err;
	err = lock ? sys_mlock(m, t, start, len) : sys_munlock(m, t, start, len);
	if (err)
		return engine_err(err, why);
	g_string_append(reply, "ok");
	return 0;
}

static int pid_mlock(struct machine *m, const struct fs_ctx *ctx, struct ctl_cmd *cmd, GString *reply,
		     const char **why)
{
	return pid_mlock_common(m, ctx, cmd, reply, why, true);
}

static int pid_munlock(struct machine *m, const struct fs_ctx *ctx, struct ctl_cmd *cmd, GString *reply,
		       const char **why)
{
	return pid_mlock_common(m, ctx, cmd, reply, why, false);
}

static int pid_brk(struct machine *m, const struct fs_ctx *ctx, struct ctl_cmd *cmd, GString *reply,
		   const char **why)
{
	struct task_struct *t;
	uint64_t size;
	unsigned long cur, want;
	const char *a;
	int err;

	if (cmd->nargs != 1 || ((a = cmd->args[0])[0] != '+' && a[0] != '-') || !parse_size(a + 1, &size)) {
		*why = "usage: brk +SIZE|-SIZE";
		return -EINVAL;
	}
	err = cmd_task(m, ctx, cmd, &t, why);
	if (err)
		return err;
	cur = t->mm->brk;
	if (a[0] == '+') {
		want = cur + (unsigned long)size;
		if (want < cur) {
			*why = "the break would pass the end of the address space";
			return -ENOMEM;
		}
	} else {
		/* glibc's sbrk: ENOMEM below the start of the heap */
		if (size > cur - t->mm->start_brk) {
			*why = "the break would go below the start of the heap";
			return -ENOMEM;
		}
		want = cur - (unsigned long)size;
	}
	if (sys_brk(m, t, want) != want) {
		/* brk(2) answers the old break when it refuses; glibc: ENOMEM */
		*why = "brk refused: the heap cannot grow there, or out of memory";
		return -ENOMEM;
	}
	g_string_append_printf(reply, "0x%lx", t->mm->brk);
	return 0;
}

static int pid_malloc(struct machine *m, const struct fs_ctx *ctx, struct ctl_cmd *cmd, GString *reply,
		      const char **why)
{
	struct task_struct *t;
	uint64_t size;
	long ret;
	int err;

	if (cmd->nargs != 1 || !parse_size(cmd->args[0], &size)) {
		*why = "usage: malloc SIZE";
		return -EINVAL;
	}
	err = cmd_task(m, ctx, cmd, &t, why);
	if (err)
		return err;
	ret = glibc_malloc(m, t, (unsigned long)size);
	return reply_addr(ret, reply, why);
}

static int pid_free(struct machine *m, const struct fs_ctx *ctx, struct ctl_cmd *cmd, GString *reply,
		    const char **why)
{
	struct task_struct *t;
	uint64_t addr;
	int err;

	if (cmd->nargs != 1 || !ctl_parse_hex(cmd->args[0], &addr)) {
		*why = "usage: free ADDR (an address malloc replied)";
		return -EINVAL;
	}
	err = cmd_task(m, ctx, cmd, &t, why);
	if (err)
		return err;
	err = glibc_free(m, t, (unsigned long)addr);
	if (err)
		return engine_err(err, why);
	g_string_append(reply, "ok");
	return 0;
}

/* fill=unique|zero|N: what the stores leave in each page */
static bool parse_fill(const char *s, struct page_fill *fill)
{
	uint64_t n;

	if (!s || !strcmp(s, "unique")) {
		fill->kind = FILL_UNIQUE;
		return true;
	}
	if (!strcmp(s, "zero")) {
		fill->kind = FILL_ZERO;
		return true;
	}
	if (!ctl_parse_u64(s, &n) || n > CONTENT_VALUE_MAX)
		return false;
	fill->kind = n ? FILL_VALUE : FILL_ZERO;
	fill->value = n;
	return true;
}

static int pid_access(struct machine *m, const struct fs_ctx *ctx, struct ctl_cmd *cmd, GString *reply,
		      const char **why, bool write)
{
	struct task_struct *t;
	unsigned long start, len;
	struct page_fill fill = { FILL_UNIQUE, 0 };
	int err;

	if (write && !parse_fill(ctl_opt(cmd, "fill"), &fill)) {
		*why = "fill= takes unique, zero or a number below 2^62";
		return -EINVAL;
	}
	err = target_cmd(m, ctx, cmd, 0, true,
			 write ? "usage: write TARGET [off=SIZE] [len=SIZE] [fill=unique|zero|N]"
			       : "usage: read TARGET [off=SIZE] [len=SIZE]",
			 &t, &start, &len, why);
	if (err)
		return err;
	err = access_process_range_fill(m, t, start, len, write, &fill);
	if (err)
		return engine_err(err, why);
	g_string_append(reply, "ok");
	return 0;
}

static int pid_read(struct machine *m, const struct fs_ctx *ctx, struct ctl_cmd *cmd, GString *reply,
		    const char **why)
{
	return pid_access(m, ctx, cmd, reply, why, false);
}

static int pid_write(struct machine *m, const struct fs_ctx *ctx, struct ctl_cmd *cmd, GString *reply,
		     const char **why)
{
	return pid_access(m, ctx, cmd, reply, why, true);
}

/*
 * pread PATH OFF LEN / pwrite PATH OFF LEN: the file opened, then
 * pread(2)/pwrite(2) of LEN bytes at OFF; replies the bytes done (0 at or
 * past the end of the file for pread, as Linux returns).
 */
static int pid_file_io(struct machine *m, const struct fs_ctx *ctx, struct ctl_cmd *cmd, GString *reply,
		       const char **why, bool write)
{
	struct task_struct *t;
	uint64_t off, len;
	long ret;
	int err;

	if (cmd->nargs != 3) {
		*why = write ? "usage: pwrite PATH OFF LEN" : "usage: pread PATH OFF LEN";
		return -EINVAL;
	}
	if (!parse_size(cmd->args[1], &off) || !parse_size(cmd->args[2], &len)) {
		*why = "OFF and LEN are sizes in bytes, with K, M, G or T (not negative)";
		return -EINVAL;
	}
	/* rw_verify_area: a position that is negative as a loff_t */
	if (off > (uint64_t)INT64_MAX || off + len < off) {
		*why = "OFF + LEN overflows a file offset";
		return -EINVAL;
	}
	err = cmd_file_task(m, ctx, cmd, &t, why);
	if (err)
		return err;
	/* generic_write_check_limits: at or past the largest file size */
	if (write && len && off >= SIM_MAX_FILE_SIZE) {
		*why = "past the largest file size (16 TiB)";
		return -EFBIG;
	}
	/* vfs_read/vfs_write: one call moves at most MAX_RW_COUNT bytes */
	len = MIN(len, (uint64_t)MAX_RW_COUNT);
	ret = write ? sys_pwrite(m, t, cmd->args[0], off, len) : sys_pread(m, t, cmd->args[0], off, len);
	return reply_count(ret, reply, why);
}

static int pid_pread(struct machine *m, const struct fs_ctx *ctx, struct ctl_cmd *cmd, GString *reply,
		     const char **why)
{
	return pid_file_io(m, ctx, cmd, reply, why, false);
}

static int pid_pwrite(struct machine *m, const struct fs_ctx *ctx, struct ctl_cmd *cmd, GString *reply,
		      const char **why)
{
	return pid_file_io(m, ctx, cmd, reply, why, true);
}

/* fsync PATH: write back the file's dirty pages and wait; replies the
 * bytes it wrote back */
static int pid_fsync(struct machine *m, const struct fs_ctx *ctx, struct ctl_cmd *cmd, GString *reply,
		     const char **why)
{
	struct task_struct *t;
	long ret;
	int err;

	if (cmd->nargs != 1) {
		*why = "usage: fsync PATH";
		return -EINVAL;
	}
	err = cmd_file_task(m, ctx, cmd, &t, why);
	if (err)
		return err;
	ret = sys_fsync(m, t, cmd->args[0]);
	return reply_count(ret, reply, why);
}

static int pid_fork(struct machine *m, const struct fs_ctx *ctx, struct ctl_cmd *cmd, GString *reply,
		    const char **why)
{
	struct task_struct *t, *child = NULL;
	int pid, err;

	if (cmd->nargs > 1) {
		*why = "usage: fork [NAME] [pid=N]";
		return -EINVAL;
	}
	err = ctl_task(m, ctx, false, &t, why);
	if (err)
		return err;
	if (!t->mm) {
		*why = "kernel threads do not fork from here";
		return -EINVAL;
	}
	if (cmd->nargs == 1) {
		err = ctl_check_name(cmd->args[0], why);
		if (err)
			return err;
	}
	err = ctl_pid_opt(m, cmd, &pid, why);
	if (!err)
		err = no_unused_opt(cmd, why);
	if (err)
		return err;
	err = sys_fork(m, t, cmd->nargs ? cmd->args[0] : NULL, pid, &child);
	if (err < 0)
		return engine_err(err, why);
	g_string_append_printf(reply, "%d", child ? child->pid : err);
	return 0;
}

static int pid_exit(struct machine *m, const struct fs_ctx *ctx, struct ctl_cmd *cmd, GString *reply,
		    const char **why)
{
	struct task_struct *t;
	int err;

	if (cmd->nargs) {
		*why = "usage: exit";
		return -EINVAL;
	}
	err = no_unused_opt(cmd, why);
	if (!err)
		err = ctl_task(m, ctx, false, &t, why);
	if (err)
		return err;
	if (t->flags & PF_KTHREAD) {
		*why = "kernel threads do not exit";
		return -EPERM;
	}
	if (t->pid == 1) {
		*why = "init cannot exit (the kernel would panic)";
		return -EPERM;
	}
	err = sys_exit(m, t);
	if (err)
		return engine_err(err, why);
	g_string_append(reply, "ok");
	return 0;
}

/* prctl memory_merge 0|1: PR_SET_MEMORY_MERGE (thp_disable: not
 * modelled yet) */
static int pid_prctl(struct machine *m, const struct fs_ctx *ctx, struct ctl_cmd *cmd, GString *reply,
		     const char **why)
{
	struct task_struct *t;
	int err;

	if (cmd->nargs != 2 || (strcmp(cmd->args[1], "0") && strcmp(cmd->args[1], "1"))) {
		*why = "usage: prctl memory_merge|thp_disable 0|1";
		return -EINVAL;
	}
	if (strcmp(cmd->args[0], "memory_merge")) {
		*why = strcmp(cmd->args[0], "thp_disable") ? "unknown prctl option" : "not modelled yet";
		return -EINVAL;
	}
	err = no_unused_opt(cmd, why);
	if (!err)
		err = ctl_task(m, ctx, true, &t, why);
	if (err)
		return err;
	err = ksm_set_memory_merge(m, t, cmd->args[1][0] == '1');
	if (err)
		return engine_err(err, why);
	g_string_append(reply, "ok");
	return 0;
}

static const struct ctl_command pid_commands[] = {
	{ "mmap", pid_mmap,
	  "mmap LEN [anon|shared|file=PATH] [off=SIZE] [prot=rw|r|rx|rwx|none] [name=NAME] [populate] [addr=ADDR] "
	  "[hugetlb|hugetlb=SIZE] [noreserve]",
	  "mmap(2) of anonymous memory, private (anon, the default) or shared, or of a file from page offset off= "
	  "(private unless shared is given); name= makes the region a TARGET, and an anonymous one shows as "
	  "[anon:NAME] in maps (a file mapping keeps its path); replies the address" },
	{ "munmap", pid_munmap, "munmap TARGET",
	  "munmap(2); a TARGET is NAME (the region mapped with name=NAME) or 0xADDR (from ADDR to the end of its "
	  "mapping), narrowed by off=SIZE and len=SIZE" },
	{ "mprotect", pid_mprotect, "mprotect TARGET rw|r|rx|rwx|none", "mprotect(2)" },
	{ "madvise", pid_madvise, "madvise TARGET ADVICE",
	  "madvise(2): dontneed, free, willneed, dontfork, dofork, cold, pageout, hugepage, nohugepage, "
	  "mergeable, unmergeable (collapse: not modelled yet)" },
	{ "mlock", pid_mlock, "mlock TARGET", "mlock(2): fault in and lock" },
	{ "munlock", pid_munlock, "munlock TARGET", "munlock(2)" },
	{ "brk", pid_brk, "brk +SIZE|-SIZE", "brk(2) growing or shrinking the heap; replies the new break" },
	{ "malloc", pid_malloc, "malloc SIZE",
	  "glibc malloc: small sizes from the brk heap, 128 KiB and up by mmap; replies the address" },
	{ "free", pid_free, "free ADDR", "glibc free of an address malloc replied" },
	{ "read", pid_read, "read TARGET",
	  "a load from every page of TARGET: demand faults, the zero page; SIGSEGV where nothing is mapped" },
	{ "write", pid_write, "write TARGET [fill=unique|zero|N]",
	  "a store to every page of TARGET: demand faults, copy-on-write; SIGSEGV where nothing is mapped "
	  "or writable; fill= says what each page holds after it: unique (the default), zero, or N (the same "
	  "in every page written with N)" },
	{ "pread", pid_pread, "pread PATH OFF LEN",
	  "pread(2) through the page cache, with readahead; replies the bytes read (0 past the end)" },
	{ "pwrite", pid_pwrite, "pwrite PATH OFF LEN",
	  "pwrite(2): dirties page-cache pages (extending the file), throttled past the dirty limit; replies "
	  "the bytes written" },
	{ "fsync", pid_fsync, "fsync PATH", "fsync(2): write back the file's dirty pages and wait; replies the bytes written back" },
	{ "prctl", pid_prctl, "prctl memory_merge|thp_disable 0|1",
	  "prctl(2): PR_SET_MEMORY_MERGE (KSM for every eligible VMA of the process; 0 unmerges them); "
	  "PR_SET_THP_DISABLE is not modelled yet" },
	{ "fork", pid_fork, "fork [NAME] [pid=N]", "fork(2) with copy-on-write; replies the child's PID" },
	{ "exit", pid_exit, "exit", "the process exits and its memory is freed" },
	PID_NUMA_COMMANDS
	PID_WORKLOAD_COMMANDS
};

void render_pid_ctl(struct machine *m, const struct fs_ctx *ctx, GString *out)
{
	(void)m;
	(void)ctx;
	ctl_render_help(pid_commands, G_N_ELEMENTS(pid_commands), out);
}

int write_pid_ctl(struct machine *m, const struct fs_ctx *ctx, const char *buf, size_t len, GString *reply)
{
	char who[32];

	g_snprintf(who, sizeof(who), "proc/%d/ctl", ctx->pid);
	return ctl_run(m, pid_commands, G_N_ELEMENTS(pid_commands), ctx, who, buf, len, reply);
}

/* proc/self: the caller's thread-group id, which the FUSE layer puts in
 * ctx->pid (it knows the caller; the machine does not) */
void render_self(struct machine *m, const struct fs_ctx *ctx, GString *out)
{
	(void)m;
	g_string_append_printf(out, "%d", ctx->pid);
}

/* proc/thread-self: "TGID/task/TID" of the calling thread */
void render_thread_self(struct machine *m, const struct fs_ctx *ctx, GString *out)
{
	(void)m;
	g_string_append_printf(out, "%d/task/%d", ctx->pid, ctx->tid);
}
