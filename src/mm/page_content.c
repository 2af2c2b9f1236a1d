/*
 * Page contents: a 64-bit fingerprint per page instead of its data.
 *
 * Models:
 * - zero-filled pages (fresh anon pages, the zero page) hold CONTENT_ZERO;
 * - a store leaves a unique value, zeroes, or a value N shared by every
 *   page written with N (write fill=);
 * - page-cache pages of a file hold the file's data at their offset;
 * - the contents follow a page through COW copies, swap-out and swap-in
 *   (kept with the swap slot), migration and compaction.
 * Simplifies:
 * - a fingerprint, not 4 KiB: equal fingerprints are equal pages;
 * - stores through a shared file mapping or pwrite do not change what the
 *   file holds (a file's data is a function of its inode and offset);
 * - the side array of a section (8 bytes a page) exists from the first
 *   page of the section that holds something other than zeroes.
 */
#include "mm_internal.h"
#include "mmsim/ksm.h"
#include "mmsim/page_content.h"

static uint64_t *section_contents(struct machine *m, unsigned long pfn, bool alloc)
{
	struct mem_section *ms = __pfn_to_section(m, pfn);

	if (!ms->contents && alloc)
		ms->contents = g_new0(uint64_t, PAGES_PER_SECTION);
	return ms->contents;
}

uint64_t page_content(struct machine *m, unsigned long pfn)
{
	uint64_t *c = section_contents(m, pfn, false);

	return c ? c[pfn & (PAGES_PER_SECTION - 1)] : CONTENT_ZERO;
}

void set_page_content(struct machine *m, unsigned long pfn, uint64_t content)
{
	uint64_t *c = section_contents(m, pfn, content != CONTENT_ZERO);

	if (c)
		c[pfn & (PAGES_PER_SECTION - 1)] = content;
}

void copy_page_content(struct machine *m, unsigned long dst, unsigned long src)
{
	set_page_content(m, dst, page_content(m, src));
}

/* splitmix64's finaliser: the file's data spread over the tag's range */
static uint64_t mix64(uint64_t x)
{
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

uint64_t file_page_content(unsigned long ino, unsigned long index)
{
	return CONTENT_TAG_FILE | (mix64(((uint64_t)ino << 40) ^ index) & CONTENT_VALUE_MAX);
}

uint64_t fill_content(struct machine *m, const struct page_fill *fill)
{
	if (!fill || fill->kind == FILL_UNIQUE)
		return CONTENT_TAG_UNIQUE | (++m->ksm->content_seq & CONTENT_VALUE_MAX);
	if (fill->kind == FILL_ZERO)
		return CONTENT_ZERO;
	return CONTENT_TAG_VALUE | (fill->value & CONTENT_VALUE_MAX);
}

void swap_slot_set_content(struct machine *m, uint64_t entry, uint64_t content)
{
	if (content == CONTENT_ZERO)
		g_hash_table_remove(m->ksm->swap_contents, GSIZE_TO_POINTER(entry));
	else
		g_hash_table_insert(m->ksm->swap_contents, GSIZE_TO_POINTER(entry), GSIZE_TO_POINTER(content));
}

uint64_t swap_slot_content(struct machine *m, uint64_t entry)
{
	return GPOINTER_TO_SIZE(g_hash_table_lookup(m->ksm->swap_contents, GSIZE_TO_POINTER(entry)));
}

void free_section_contents(struct machine *m)
{
	for (unsigned long s = 0; s < m->nr_sections; s++) {
		g_free(m->sections[s].contents);
		m->sections[s].contents = NULL;
	}
}
