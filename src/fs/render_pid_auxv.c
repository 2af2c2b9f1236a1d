/*
 * proc/PID/auxv: the ELF auxiliary vector the simulated execve left on the
 * stack (fs/binfmt_elf.c create_elf_tables, in its order), as 64-bit
 * (type, value) pairs up to and including AT_NULL (fs/proc/base.c
 * proc_pid_auxv).  Binary, but small: served from the read snapshot.
 *
 * The addresses come from the address space as spawn built it: the
 * program's first mapping (its ELF header, the program headers 64 bytes
 * in), its text (the entry point), the loader's first mapping (AT_BASE),
 * [vdso], and the strings above the stack (argv, then the environment;
 * AT_EXECFN after them, "x86_64" and the 16 random bytes below argv).
 * The CPU words are a Xeon's with AVX-512 (the cpuinfo flags).
 */
#include <string.h>

#include "layout_handlers.h"
#include "render.h"
#include "render_pid.h"

enum {
	AT_NULL = 0, AT_PHDR = 3, AT_PHENT = 4, AT_PHNUM = 5, AT_PAGESZ = 6, AT_BASE = 7, AT_FLAGS = 8,
	AT_ENTRY = 9, AT_UID = 11, AT_EUID = 12, AT_GID = 13, AT_EGID = 14, AT_PLATFORM = 15, AT_HWCAP = 16,
	AT_CLKTCK = 17, AT_SECURE = 23, AT_RANDOM = 25, AT_HWCAP2 = 26, AT_RSEQ_FEATURE_SIZE = 27,
	AT_RSEQ_ALIGN = 28, AT_EXECFN = 31, AT_SYSINFO_EHDR = 33, AT_MINSIGSTKSZ = 51,
};

#define ELF_HWCAP 0xbfebfbffUL       /* CPUID.1:EDX */
#define ELF_HWCAP2 0x2UL             /* HWCAP2_FSGSBASE */
#define MINSIGSTKSZ_AVX512 3632UL    /* the signal frame with AVX-512 state */
#define ELF_PHENT 56                 /* sizeof(struct elf64_phdr) */
#define ELF_PHNUM 13                 /* a PIE built by Debian's gcc */
#define ELF_PHOFF 64                 /* right after the ELF header */
#define RSEQ_FEATURE_SIZE 32         /* offsetof(struct rseq, end) */
#define RSEQ_ALIGN 32
#define LD_SO_NAME "ld-linux-x86-64.so.2"

/* The lowest address a file is mapped at, or 0 */
static unsigned long file_base(struct mm_struct *mm, const char *path, bool suffix)
{
	struct vm_area_struct *vma;

	for_each_vma(mm, it, vma)
		if (vma->file && (suffix ? g_str_has_suffix(vma->file, path) : !strcmp(vma->file, path)))
			return vma->vm_start;
	return 0;
}

static unsigned long vdso_base(struct mm_struct *mm)
{
	struct vm_area_struct *vma;

	for_each_vma(mm, it, vma)
		if (vma->kind == VMA_VDSO)
			return vma->vm_start;
	return 0;
}

static void aux(GString *out, uint64_t type, uint64_t val)
{
	g_string_append_len(out, (const char *)&type, sizeof(type));
	g_string_append_len(out, (const char *)&val, sizeof(val));
}

void render_pid_auxv(struct machine *m, const struct fs_ctx *ctx, GString *out)
{
	struct task_struct *t = get_proc_task(m, ctx);
	struct vm_area_struct *text;
	struct mm_struct *mm;
	unsigned long base = 0, platform;

	if (!t || !(mm = t->mm))
		return;
	text = find_vma(mm, mm->start_code);
	if (text && text->vm_start <= mm->start_code && text->file)
		base = file_base(mm, text->file, false);
	platform = mm->arg_start - sizeof("x86_64");
	aux(out, AT_SYSINFO_EHDR, vdso_base(mm));
	aux(out, AT_MINSIGSTKSZ, MINSIGSTKSZ_AVX512);
	aux(out, AT_HWCAP, ELF_HWCAP);
	aux(out, AT_PAGESZ, PAGE_SIZE);
	aux(out, AT_CLKTCK, USER_HZ);
	aux(out, AT_PHDR, base ? base + ELF_PHOFF : 0);
	aux(out, AT_PHENT, ELF_PHENT);
	aux(out, AT_PHNUM, ELF_PHNUM);
	aux(out, AT_BASE, file_base(mm, "/" LD_SO_NAME, true));
	aux(out, AT_FLAGS, 0);
	aux(out, AT_ENTRY, mm->start_code);
	aux(out, AT_UID, t->uid);
	aux(out, AT_EUID, t->uid);
	aux(out, AT_GID, t->gid);
	aux(out, AT_EGID, t->gid);
	aux(out, AT_SECURE, 0);
	aux(out, AT_RANDOM, platform - 16);
	aux(out, AT_HWCAP2, ELF_HWCAP2);
	aux(out, AT_EXECFN, mm->env_end);
	aux(out, AT_PLATFORM, platform);
	aux(out, AT_RSEQ_FEATURE_SIZE, RSEQ_FEATURE_SIZE);
	aux(out, AT_RSEQ_ALIGN, RSEQ_ALIGN);
	aux(out, AT_NULL, 0);
}
