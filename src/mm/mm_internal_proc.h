/*
 * Engine-internal declarations of the process side (tasks, mm, page tables).
 */
#ifndef MMSIM_MM_INTERNAL_PROC_H
#define MMSIM_MM_INTERNAL_PROC_H

#include "mmsim/gfp.h"
#include "mmsim/machine.h"

#include "time_costs.h"

#define TASK_SIZE 0x7ffffffff000UL
#define STACK_GUARD_GAP (256UL << PAGE_SHIFT)

/* sched.c: the running task's time moves the clock */
void sched_charge(struct machine *m, struct task_struct *t, uint64_t ns);
void cond_resched(struct machine *m);

/* memory.c */
void account_system_time(struct machine *m, struct task_struct *t, uint64_t ns);
struct pt_page *pt_alloc(struct machine *m, struct mm_struct *mm, int nid);
pte_t *pt_slot_alloc(struct pt_page *t, unsigned int i);
void free_pgd(struct machine *m, struct mm_struct *mm);
pte_t *pte_lookup(struct mm_struct *mm, unsigned long addr);
/* Every present pte of [start, end) (with swap_too, every swap pte too),
 * with its slot and the table that holds it */
typedef void (*pte_range_fn)(struct machine *m, struct pt_page *table, pte_t *ptep, unsigned long addr,
			     void *arg);
void walk_pte_slots(struct machine *m, struct mm_struct *mm, unsigned long start, unsigned long end,
		    pte_range_fn fn, void *arg, bool swap_too);
int handle_mm_fault(struct machine *m, struct task_struct *t, struct vm_area_struct *vma,
		    unsigned long addr, bool write);
void zap_page_range(struct machine *m, struct mm_struct *mm, struct vm_area_struct *vma,
		    unsigned long start, unsigned long end);
void free_empty_pgtables(struct machine *m, struct mm_struct *mm);
int copy_page_range(struct machine *m, struct mm_struct *dst, struct mm_struct *src,
		    struct vm_area_struct *vma);
void change_pte_range_wrprotect(struct mm_struct *mm, unsigned long start, unsigned long end);
void update_hiwater_rss(struct mm_struct *mm);
void force_sig_bus(struct machine *m, struct task_struct *t, unsigned long addr, bool hugetlb);
void update_hiwater_vm(struct mm_struct *mm);

/* Each VMA meeting [start, end), with [lo, hi) the part of it inside the
 * range (no split): the walk of madvise's page-wise advices */
#define for_each_vma_part(mm, start, end, vma, lo, hi)                                          \
	for (unsigned long lo = (start), hi = 0;                                                 \
	     lo < (end) && ((vma) = find_vma((mm), lo)) && (vma)->vm_start < (end) &&              \
	     ((lo = MAX(lo, (vma)->vm_start)), (hi = MIN((end), (vma)->vm_end)), 1);                \
	     lo = hi)

/* mempolicy.c: a user page where the VMA's or the task's policy puts
 * it (vma_alloc_folio), a page outside any VMA by the task's policy
 * (alloc_pages), and policy equality for VMA merging */
long vma_alloc_folio(struct machine *m, gfp_t gfp, unsigned int order, struct vm_area_struct *vma,
		     unsigned long addr, struct task_struct *t);
long alloc_pages_task(struct machine *m, gfp_t gfp, unsigned int order, struct task_struct *t);
bool mpol_equal(const struct mempolicy *a, const struct mempolicy *b);
/* zl without the zones of nodes outside nodemask, built in out (zl
 * itself when nodemask is NULL) */
struct zonelist *zonelist_nodemask(struct zonelist *zl, const nodemask_t *nodemask, struct zonelist *out);
/* --debug-vm: affinities and policies well formed; NULL or what broke */
char *mempolicy_check_invariants(struct machine *m);
/* sched.c: the CPU a new task of cpus_allowed starts on */
int select_task_rq_fork(struct machine *m, const cpumask_t *cpus_allowed);

/* mmap.c */
unsigned long vma_pages(const struct vm_area_struct *vma);
/* the page offset of addr in the VMA's file or anon_vma (linear_page_index) */
static inline unsigned long linear_page_index(const struct vm_area_struct *vma, unsigned long addr)
{
	return ((addr - vma->vm_start) >> PAGE_SHIFT) + vma->vm_pgoff;
}
struct mm_struct *mm_alloc(struct machine *m);
void mmput(struct machine *m, struct mm_struct *mm);
/* Another reference to a VMA's file path (interned: one copy per path) */
static inline char *vma_file_path_get(char *path)
{
	return path ? g_ref_string_acquire(path) : NULL;
}
struct vm_area_struct *vm_area_alloc(struct mm_struct *mm);
void vm_area_free(struct vm_area_struct *vma);
void vma_insert(struct mm_struct *mm, struct vm_area_struct *vma);
void vm_stat_account(struct mm_struct *mm, unsigned long flags, long npages);
/* vma_merge: fold vma into its neighbours where they are compatible */
struct vm_area_struct *vma_merge_neighbours(struct machine *m, struct mm_struct *mm, struct vm_area_struct *vma);
/* true when [start, end) has no hole */
bool range_mapped(struct mm_struct *mm, unsigned long start, unsigned long end);
typedef int (*vma_range_fn)(struct machine *m, struct task_struct *t, struct vm_area_struct *vma, void *arg);
/* fn on every VMA of [start, end), split to fit inside it */
int for_each_vma_in_range(struct machine *m, struct task_struct *t, unsigned long start, unsigned long end,
			  vma_range_fn fn, void *arg);
int do_mmap_fixed(struct machine *m, struct task_struct *t, unsigned long addr, unsigned long len,
		  unsigned long vm_flags, enum vma_kind kind, const char *file, unsigned long pgoff);
unsigned long get_unmapped_area(struct mm_struct *mm, unsigned long len);
struct anon_vma *anon_vma_get(struct vm_area_struct *vma);
void anon_vma_put(struct anon_vma *av);
void anon_vma_free(struct anon_vma *av);
void anon_vma_link(struct vm_area_struct *vma);
void anon_vma_unlink(struct vm_area_struct *vma);
void munlock_page_pte(struct machine *m, pte_t pte);
void mlock_page_pte(struct machine *m, pte_t pte);
int do_munmap(struct machine *m, struct mm_struct *mm, unsigned long start, unsigned long len);

/* filemap.c, readahead.c, page-writeback.c: the page cache; simfs.c, file_table.c,
 * truncate.c, blk.c: the simulated file system, its open files and its disk */
struct file;
struct inode;
struct address_space;
void sim_fs_init(struct machine *m);
void sim_fs_destroy(struct machine *m);
uint64_t submit_bio(struct machine *m, unsigned long nr_pages, bool write);
uint64_t submit_bio_part(struct machine *m, unsigned int partno, unsigned long nr_pages, bool write,
			 unsigned long nr_bios);
void blk_retire_requests(struct machine *m);
void io_schedule_until(struct machine *m, struct task_struct *t, uint64_t until);
unsigned long page_cache_ra_unbounded(struct machine *m, struct task_struct *t, struct address_space *mapping,
				      unsigned long index, unsigned long nr, unsigned long lookahead);
void do_page_cache_ra(struct machine *m, struct task_struct *t, struct file *file, unsigned long index,
		      unsigned long nr, unsigned long lookahead);
void page_cache_sync_ra(struct machine *m, struct task_struct *t, struct file *file, unsigned long index,
			unsigned long req_count);
void page_cache_async_ra(struct machine *m, struct task_struct *t, struct file *file, unsigned long pfn,
			 unsigned long index, unsigned long req_count);
unsigned long get_init_ra_size(unsigned long size, unsigned long max);
void fput(struct machine *m, struct file *f);
/* A path for I/O: the inode, or -ENOENT/-EISDIR/-ENOTDIR/-EINVAL */
int sim_lookup(struct machine *m, const char *path, struct inode **out);
struct file *task_file(struct machine *m, struct task_struct *t, struct inode *inode);
void exit_files(struct machine *m, struct task_struct *t);
/* the files an exec mapped (fork.c) */
struct task_files;
int task_files_nr(const struct task_files *f);
/* --debug-vm's checks of the open files (file_table.c) */
char *files_check_invariants(struct machine *m);
void dup_files(struct task_struct *child, struct task_struct *parent);
void vma_file_attach(struct vm_area_struct *vma);
void vma_file_detach(struct machine *m, struct vm_area_struct *vma);
void folio_mark_dirty(struct machine *m, unsigned long pfn);
long filemap_fault(struct machine *m, struct task_struct *t, struct vm_area_struct *vma, unsigned long addr,
		   bool *major);
bool filemap_map_pages(struct machine *m, struct task_struct *t, struct vm_area_struct *vma, unsigned long from,
		       unsigned long to, unsigned long addr);
unsigned long invalidate_mapping_pages(struct machine *m, struct address_space *mapping);
long writeback_inode(struct machine *m, struct inode *inode, long nr_to_write);
uint64_t writeback_next_completion(struct machine *m);
void writeback_destroy(struct machine *m);
void __mark_inode_dirty(struct machine *m, struct inode *inode);
void inode_clean(struct machine *m, struct inode *inode);
void wb_wakeup_delayed(struct machine *m);
void balance_dirty_pages_ratelimited(struct machine *m, struct task_struct *t, struct address_space *mapping);
/* memory.c: map a page-cache page at addr (read-only unless write on a
 * shared mapping); 0 or -ENOMEM */
int set_pte_file(struct machine *m, struct task_struct *t, struct vm_area_struct *vma, unsigned long addr,
		 unsigned long pfn, bool write);

/* rmap (memory.c), vmscan.c, workingset.c, swap_state.c: reclaim */
#include "mmsim/swap.h"
int folio_referenced(struct machine *m, unsigned long pfn, unsigned long *vm_flags);
void folio_clear_young(struct machine *m, unsigned long pfn);
void try_to_unmap(struct machine *m, unsigned long pfn);
void wakeup_kswapd(struct machine *m, struct zone *zone, gfp_t gfp, int order, int highest_zoneidx);
void kswapd_stop(pg_data_t *pgdat);
char *kswapd_check(struct machine *m, pg_data_t *pgdat);
unsigned long try_to_free_pages(struct machine *m, struct zonelist *zonelist, int order, gfp_t gfp,
				int highest_zoneidx, int cpu);
unsigned long zone_reclaimable_pages(struct machine *m, struct zone *zone);
unsigned long reclaim_pages(struct machine *m, GArray *pfns, int cpu);
void folio_deactivate(struct machine *m, unsigned long pfn);
void lru_note_cost_refault(struct machine *m, unsigned long pfn);
uint64_t workingset_eviction(struct machine *m, unsigned long pfn);
void workingset_refault(struct machine *m, unsigned long pfn, uint64_t shadow);
void filemap_remove_folio_shadow(struct machine *m, unsigned long pfn, uint64_t shadow);
bool folio_read_in_flight(struct machine *m, unsigned long pfn);
void wakeup_flusher_threads(struct machine *m);
void swap_cache_init(struct machine *m);
void swap_cache_destroy(struct machine *m);
swp_entry_t page_swap_entry(struct machine *m, unsigned long pfn);
long swap_cache_get_pfn(struct machine *m, swp_entry_t entry);
bool add_to_swap(struct machine *m, unsigned long pfn, int cpu);
void delete_from_swap_cache(struct machine *m, unsigned long pfn, uint64_t shadow);
bool folio_free_swap(struct machine *m, unsigned long pfn);
void free_swap_and_cache(struct machine *m, swp_entry_t entry);
void swap_writepage(struct machine *m, unsigned long pfn);
void swap_unplug(struct machine *m);
uint64_t next_io_completion(struct machine *m);
uint64_t last_swap_write_completion(struct machine *m);
int try_to_unuse(struct machine *m, unsigned int type);
int unuse_mm(struct machine *m, struct task_struct *t, unsigned int type);
int do_swap_page(struct machine *m, struct task_struct *t, struct vm_area_struct *vma, unsigned long addr,
		 pte_t *ptep, bool write);

/* util.c */
int __vm_enough_memory(struct machine *m, struct task_struct *t, long pages);
void vm_unacct_memory(struct machine *m, long pages);
void init_user_reserve(struct machine *m);

/* fork.c */
void tasks_init(struct machine *m);
void tasks_destroy(struct machine *m);

/* malloc.c */
void malloc_state_init(struct malloc_state *ms);
void malloc_state_destroy(struct malloc_state *ms);
void malloc_state_copy(struct malloc_state *dst, const struct malloc_state *src);

#endif
