/*
 * What a page holds: a 64-bit fingerprint standing in for its 4 KiB of
 * data.  Equal fingerprints mean equal pages (what KSM and zero-page
 * detection compare).  The values are kept in a side array of each memory
 * section, allocated the first time a page of the section holds something
 * other than zeroes; the contents of swapped-out pages live with their
 * swap slots.
 */
#ifndef MMSIM_PAGE_CONTENT_H
#define MMSIM_PAGE_CONTENT_H

#include <stdbool.h>
#include <stdint.h>

struct machine;
struct task_struct;

/* The fingerprint's top two bits say where it came from */
#define CONTENT_ZERO 0ULL                       /* a zero-filled page */
#define CONTENT_TAG_SHIFT 62
#define CONTENT_VALUE_MAX ((1ULL << CONTENT_TAG_SHIFT) - 1)
#define CONTENT_TAG_VALUE (1ULL << CONTENT_TAG_SHIFT)  /* write fill=N */
#define CONTENT_TAG_UNIQUE (2ULL << CONTENT_TAG_SHIFT) /* write fill=unique */
#define CONTENT_TAG_FILE (3ULL << CONTENT_TAG_SHIFT)   /* a file's data */

/* What a store leaves in a page (write fill=) */
enum fill_kind { FILL_UNIQUE, FILL_ZERO, FILL_VALUE };
struct page_fill {
	enum fill_kind kind;
	uint64_t value;    /* FILL_VALUE: 1 .. CONTENT_VALUE_MAX */
};

uint64_t page_content(struct machine *m, unsigned long pfn);
void set_page_content(struct machine *m, unsigned long pfn, uint64_t content);
void copy_page_content(struct machine *m, unsigned long dst, unsigned long src);
/* The data of a file at a page offset */
uint64_t file_page_content(unsigned long ino, unsigned long index);
/* The fingerprint a store of `fill` leaves (a fresh one for unique) */
uint64_t fill_content(struct machine *m, const struct page_fill *fill);
/* The contents of swap slots: saved at swap-out, read at swap-in */
void swap_slot_set_content(struct machine *m, uint64_t entry, uint64_t content);
uint64_t swap_slot_content(struct machine *m, uint64_t entry);
/* The section's side array goes with its mem_map */
void free_section_contents(struct machine *m);

/* access_process_range with what the stores leave (NULL: unique) */
int access_process_range_fill(struct machine *m, struct task_struct *t, unsigned long addr, unsigned long len,
			      bool write, const struct page_fill *fill);

#endif
