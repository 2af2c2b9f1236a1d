/*
 * proc/PID/maps, smaps, smaps_rollup and numa_maps (and task/TID/'s),
 * byte for byte in Linux 6.18's formats: fs/proc/task_mmu.c show_map_vma,
 * show_smap, show_smaps_rollup, show_numa_map, and the address space's
 * figures that statm and status show (task_statm, task_mem).
 *
 * The page-table walk is the engine's walk_page_range; smaps, smaps_rollup
 * and numa_maps account what it finds in one place (normal_page,
 * smaps_account, gather_stats), as the kernel's smaps_pte_entry and
 * gather_pte_stats do.
 *
 * Simplifies:
 *  - Swap ptes are walked for smaps' Swap and SwapPss (shared by the
 *    slot's count, as swp_swapcount); no THP folios yet.
 *  - Shared anonymous memory shows as the kernel's shmem file does:
 *    "/dev/zero (deleted)" (or [anon_shmem:NAME]) with the VMA's device
 *    and inode numbers.
 *  - The x86-64 vsyscall page (the gate VMA, not part of the mm) is shown
 *    last in maps and smaps, as Linux does with vsyscall=xonly.
 *  - A kernel thread's smaps_rollup is empty here; Linux refuses to open
 *    it (ESRCH).
 */
#include <inttypes.h>
#include <string.h>

#include "layout_handlers.h"
#include "render.h"
#include "render_pid.h"
#include "render_util.h"
#include "mmsim/huge_mm.h"
#include "mmsim/hugetlb.h"
#include "mmsim/pagemap.h"
#include "mmsim/swap.h"

/* maps: seq_setwidth(m, 25 + sizeof(void *) * 6 - 1) on a 64-bit kernel */
#define MAPS_NAME_PAD (25 + 8 * 6 - 1)

/* x86-64's vsyscall page (arch/x86/entry/vsyscall) */
#define VSYSCALL_ADDR 0xffffffffff600000UL


/* ------------------------------------------------------------------ */
/* The address space's figures (task_statm, task_mem)                  */
/* ------------------------------------------------------------------ */

/* The program text as task_statm counts it, in bytes */
static unsigned long mm_text_bytes(const struct mm_struct *mm)
{
	return PAGE_ALIGN(mm->end_code) - (mm->start_code & PAGE_MASK);
}

unsigned long task_statm(const struct mm_struct *mm, unsigned long *shared, unsigned long *text,
			 unsigned long *data, unsigned long *resident)
{
	*shared = get_mm_counter(mm, MM_FILEPAGES) + get_mm_counter(mm, MM_SHMEMPAGES);
	*text = mm_text_bytes(mm) >> PAGE_SHIFT;
	*data = mm->data_vm + mm->stack_vm;
	*resident = *shared + get_mm_counter(mm, MM_ANONPAGES);
	return mm->total_vm;
}

/* "Key:\t%8lu kB": task_mem's SEQ_PUT_DEC */
static void status_kb(GString *out, const char *key, unsigned long kb)
{
	g_string_append_printf(out, "%s:\t%8lu kB\n", key, kb);
}

/* mm->hugetlb_usage: the hugetlb pages the process maps, in bytes */
static unsigned long hugetlb_usage(const struct mm_struct *mm)
{
	struct vm_area_struct *vma;
	unsigned long sum = 0, shared, private;

	for_each_vma(mm, it, vma) {
		hugetlb_vma_usage(vma, &shared, &private);
		sum += shared + private;
	}
	return sum;
}

/* task_mem, then the mm-only lines of proc_pid_status */
void task_mem(GString *out, const struct mm_struct *mm)
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
	status_kb(out, "HugetlbPages", hugetlb_usage(mm) >> 10);
	/* task_core_dumping, task_thp_status (1: THP is built in and no
	 * prctl disables it), task_untag_mask (no LAM) */
	g_string_append(out, "CoreDumping:\t0\nTHP_enabled:\t1\nuntag_mask:\t0xffffffffffffffff\n");
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

void show_map_vma(GString *out, const struct vm_area_struct *vma)
{
	gsize line_start = out->len;

	if (vma_has_file(vma)) {
		unsigned int major, minor;
		unsigned long ino;

		vma_file_id(vma, &major, &minor, &ino);
		show_vma_header_prefix(out, vma->vm_start, vma->vm_end, vma->vm_flags,
				       (unsigned long long)vma->vm_pgoff << PAGE_SHIFT, major, minor, ino);
	} else
		show_vma_header_prefix(out, vma->vm_start, vma->vm_end, vma->vm_flags, 0, 0, 0, 0);
	if (vma_has_name(vma)) {
		seq_pad(out, line_start);
		show_vma_name(out, vma);
	}
	g_string_append_c(out, '\n');
}

void render_pid_maps(struct machine *m, const struct fs_ctx *ctx, GString *out)
{
	struct task_struct *t = get_proc_task(m, ctx);
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
	GArray *pss_terms;  /* or NULL: struct pss_term, Pss's pages by mapcount */
};

/* smaps_vma_pss's terms: count each page's share by its mapcount */
static void pss_term_add(GArray *terms, int mapcount, uint64_t pss)
{
	struct pss_term *term;

	for (guint i = 0; i < terms->len; i++) {
		term = &g_array_index(terms, struct pss_term, i);
		if (term->mapcount == mapcount) {
			term->pages++;
			term->pss += pss;
			return;
		}
	}
	g_array_append_val(terms, ((struct pss_term){ .mapcount = mapcount, .pages = 1, .pss = pss }));
}

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
	if (page_test(page, PG_ksm))
		mss->ksm += PAGE_SIZE;
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
	if (mss->pss_terms)
		pss_term_add(mss->pss_terms, mapcount, pss);
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
	unsigned long shared, private;

	if (vma_is_gate(vma))
		return;
	/* smaps_hugetlb_range: hugetlb pages count only here, not in Rss */
	hugetlb_vma_usage(vma, &shared, &private);
	mss->shared_hugetlb += shared;
	mss->private_hugetlb += private;
	walk_page_range(m, vma, vma->vm_start, vma->vm_end, smaps_pte_entry, mss);
	if (vma->vm_mm->rss_stat[MM_SWAPENTS])
		walk_swap_range(m, vma, vma->vm_start, vma->vm_end, smaps_swap_entry, mss);
}

uint64_t smaps_vma_pss(struct machine *m, struct vm_area_struct *vma, GArray *terms)
{
	struct mem_size_stats mss = { .pss_terms = terms };

	smap_gather_stats(m, vma, &mss);
	return mss.pss;
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
	smap_kb(out, "KernelPageSize:", vma_kernel_pagesize(vma));
	smap_kb(out, "MMUPageSize:", vma_kernel_pagesize(vma));
	__show_smap(out, &mss, false);
	g_string_append_printf(out, "THPeligible:    %8u\n",
			       thp_vma_allowable_orders(m, vma, vma->vm_flags, TVA_SMAPS, THP_ORDERS_ALL) != 0);
	show_smap_vma_flags(out, vma);
}

void render_pid_smaps(struct machine *m, const struct fs_ctx *ctx, GString *out)
{
	struct task_struct *t = get_proc_task(m, ctx);
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
	struct task_struct *t = get_proc_task(m, ctx);
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

	/* __get_vma_policy: the VMA's own policy, never the task's */
	g_string_append_printf(out, "%08lx ", vma->vm_start);
	mpol_to_str(out, &vma->vm_policy);
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
	struct task_struct *t = get_proc_task(m, ctx);
	struct vm_area_struct *vma;

	if (!t || !t->mm)
		return;
	for_each_vma(t->mm, it, vma)
		show_numa_map(out, m, vma);
}
