/*
 * hugetlbfs pools (include/linux/hugetlb.h): one struct hstate per huge
 * page size, with its pool counted globally and per node, and the
 * mappings that use it (MAP_HUGETLB).
 */
#ifndef MMSIM_HUGETLB_H
#define MMSIM_HUGETLB_H

#include <stdbool.h>

#include "mmsim/machine.h"

#define HUGE_MAX_HSTATE 2
#define HUGETLB_PAGE_ORDER HPAGE_PMD_ORDER  /* 2 MiB */
#define PUD_ORDER (30 - PAGE_SHIFT)         /* 1 GiB */

/* mmap flags (uapi/asm-generic/mman-common.h, hugetlb_encode.h) */
#define MAP_HUGETLB 0x40000
#define MAP_HUGE_SHIFT 26
#define MAP_HUGE_MASK 0x3f
#define MAP_HUGE_2MB (21 << MAP_HUGE_SHIFT)
#define MAP_HUGE_1GB (30 << MAP_HUGE_SHIFT)

struct hstate {
	unsigned int order;
	unsigned int demote_order;      /* 0: not demotable */
	unsigned long max_huge_pages;
	unsigned long nr_huge_pages, free_huge_pages, resv_huge_pages, surplus_huge_pages;
	unsigned long nr_overcommit_huge_pages;
	unsigned long nr_huge_pages_node[MAX_NUMNODES];
	unsigned long free_huge_pages_node[MAX_NUMNODES];
	unsigned long surplus_huge_pages_node[MAX_NUMNODES];
	GArray *freelist[MAX_NUMNODES]; /* unsigned long head PFNs; the last is the first out */
	int next_nid_to_alloc, next_nid_to_free;
	char name[32];                  /* "hugepages-2048kB" */
};

struct hugetlb_state {
	int nr_hstates;
	int default_hstate_idx;
	struct hstate hstates[HUGE_MAX_HSTATE];
};

static inline unsigned long pages_per_huge_page(const struct hstate *h) { return 1UL << h->order; }
static inline unsigned long huge_page_size(const struct hstate *h) { return PAGE_SIZE << h->order; }
static inline bool hstate_is_gigantic(const struct hstate *h) { return h->order > MAX_PAGE_ORDER; }
static inline unsigned long persistent_huge_pages(const struct hstate *h)
{
	return h->nr_huge_pages - h->surplus_huge_pages;
}

/* hstates[i], NULL past the last; the default one (2 MiB) */
struct hstate *hstate_at(struct machine *m, int idx);
struct hstate *default_hstate(struct machine *m);
struct hstate *size_to_hstate(struct machine *m, unsigned long size);
/* All pages of every pool (hugetlb_total_pages) */
unsigned long hugetlb_total_pages(const struct machine *m);

/* nr_hugepages (nid -1) or a node's nr_hugepages: grow or shrink the
 * pool (__nr_hugepages_store_common) */
int hugetlb_set_nr_hugepages(struct machine *m, struct hstate *h, int nid, unsigned long count);
int hugetlb_set_overcommit(struct machine *m, struct hstate *h, unsigned long count);
/* demote: up to nr free pages of h become pages of its demote size */
int hugetlb_demote(struct machine *m, struct hstate *h, unsigned long nr);
int hugetlb_set_demote_size(struct machine *m, struct hstate *h, unsigned long size);

/* A hugetlb VMA's pages: shared and private ones, in bytes (smaps) */
void hugetlb_vma_usage(const struct vm_area_struct *vma, unsigned long *shared, unsigned long *private);
/* The huge page size of a VMA (KernelPageSize), PAGE_SIZE for others */
unsigned long vma_kernel_pagesize(const struct vm_area_struct *vma);

#endif
