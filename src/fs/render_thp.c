/*
 * sys/kernel/mm/transparent_hugepage/: the THP settings (mm/huge_memory.c's
 * sysfs interface), shmem_enabled (mm/shmem.c), khugepaged/ (mm/khugepaged.c)
 * and the per-size hugepages-<N>kB/ directories, in Linux 6.18's formats:
 * a choice shows every value with the current one in brackets, a flag
 * "0"/"1", a number "%u".  A store that is not one of the values is EINVAL
 * and changes nothing.
 */
#include <errno.h>
#include <limits.h>
#include <string.h>

#include "layout_handlers.h"
#include "render.h"
#include "render_util.h"
#include "kstrtox.h"
#include "mmsim/huge_mm.h"

/* The choices of each file, in the order the file shows them */
static const char *const enabled_names[] = { "always", "madvise", "never" };
static const char *const thpsize_names[NR_THPSIZE_MODES] = { "always", "inherit", "madvise", "never" };
static const char *const defrag_names[NR_THP_DEFRAG_MODES] = { "always", "defer", "defer+madvise", "madvise",
								 "never" };
static const char *const shmem_names[NR_SHMEM_HUGE] = { "always", "within_size", "advise", "never", "deny",
							 "force" };
static const char *const thpsize_shmem_names[NR_THPSIZE_SHMEM_MODES] = { "always", "inherit", "within_size",
									  "advise", "never" };

/* "a [b] c\n" with the current choice bracketed */
static void show_choices(GString *out, const char *const *names, int n, int cur)
{
	for (int i = 0; i < n; i++)
		g_string_append_printf(out, i == cur ? "%s[%s]" : "%s%s", i ? " " : "", names[i]);
	g_string_append_c(out, '\n');
}

/* sysfs_streq: equal, but for one trailing newline on the written side */
static bool sysfs_streq(const char *buf, size_t len, const char *s)
{
	size_t n = strlen(s);

	if (len && buf[len - 1] == '\n')
		len--;
	return len == n && !memcmp(buf, s, n);
}

/* The index of the written choice, or -EINVAL (logged) */
static int parse_choice(struct machine *m, const struct fs_ctx *ctx, const char *buf, size_t len,
			const char *const *names, int n)
{
	for (int i = 0; i < n; i++)
		if (sysfs_streq(buf, len, names[i]))
			return i;
	log_refused(m, ctx, buf, len, "one of the bracketed file's words");
	return -EINVAL;
}

/* ---- the top level ---- */

void render_thp_enabled(struct machine *m, const struct fs_ctx *ctx, GString *out)
{
	(void)ctx;
	show_choices(out, enabled_names, G_N_ELEMENTS(enabled_names), thp_get_enabled(m));
}

int write_thp_enabled(struct machine *m, const struct fs_ctx *ctx, const char *buf, size_t len, GString *reply)
{
	int i = parse_choice(m, ctx, buf, len, enabled_names, G_N_ELEMENTS(enabled_names));

	(void)reply;
	if (i < 0)
		return i;
	thp_set_enabled(m, (enum thp_enabled)i);
	return 0;
}

void render_thp_defrag(struct machine *m, const struct fs_ctx *ctx, GString *out)
{
	(void)ctx;
	show_choices(out, defrag_names, NR_THP_DEFRAG_MODES, thp_get_defrag(m));
}

int write_thp_defrag(struct machine *m, const struct fs_ctx *ctx, const char *buf, size_t len, GString *reply)
{
	int i = parse_choice(m, ctx, buf, len, defrag_names, NR_THP_DEFRAG_MODES);

	(void)reply;
	if (i < 0)
		return i;
	thp_set_defrag(m, (enum thp_defrag)i);
	return 0;
}

/* single_hugepage_flag_store: kstrtoul base 10, then 0 or 1 */
static int write_flag(struct machine *m, const struct fs_ctx *ctx, const char *buf, size_t len,
		      enum transparent_hugepage_flag flag)
{
	unsigned long value;
	int err = kstrtoul_store(buf, len, 10, &value);

	if (!err && value > 1)
		err = -EINVAL;
	if (err) {
		log_refused(m, ctx, buf, len, "0 or 1");
		return err;
	}
	thp_set_flag(m, flag, value);
	return 0;
}

void render_thp_use_zero_page(struct machine *m, const struct fs_ctx *ctx, GString *out)
{
	(void)ctx;
	g_string_append_printf(out, "%d\n", thp_flag(m, TRANSPARENT_HUGEPAGE_USE_ZERO_PAGE_FLAG));
}

int write_thp_use_zero_page(struct machine *m, const struct fs_ctx *ctx, const char *buf, size_t len,
			    GString *reply)
{
	(void)reply;
	return write_flag(m, ctx, buf, len, TRANSPARENT_HUGEPAGE_USE_ZERO_PAGE_FLAG);
}

void render_thp_hpage_pmd_size(struct machine *m, const struct fs_ctx *ctx, GString *out)
{
	(void)m;
	(void)ctx;
	g_string_append_printf(out, "%lu\n", HPAGE_PMD_SIZE);
}

void render_thp_shmem_enabled(struct machine *m, const struct fs_ctx *ctx, GString *out)
{
	(void)ctx;
	show_choices(out, shmem_names, NR_SHMEM_HUGE, m->thp->shmem_huge);
}

int write_thp_shmem_enabled(struct machine *m, const struct fs_ctx *ctx, const char *buf, size_t len,
			    GString *reply)
{
	int i = parse_choice(m, ctx, buf, len, shmem_names, NR_SHMEM_HUGE);

	(void)reply;
	if (i >= 0 && shmem_set_huge(m, (enum shmem_huge)i)) {
		log_refused(m, ctx, buf, len, "force while a smaller size inherits");
		i = -EINVAL;
	}
	return i < 0 ? i : 0;
}

void render_thp_shrink_underused(struct machine *m, const struct fs_ctx *ctx, GString *out)
{
	(void)ctx;
	g_string_append_printf(out, "%d\n", m->thp->split_underused_thp);
}

/* kstrtobool: y/Y/t/T/1, n/N/f/F/0, on/off; anything else EINVAL */
int write_thp_shrink_underused(struct machine *m, const struct fs_ctx *ctx, const char *buf, size_t len,
			       GString *reply)
{
	char c0 = len ? buf[0] : 0, c1 = len > 1 ? buf[1] : 0;
	int v = -1;

	(void)reply;
	if (strchr("yYtT1", c0) && c0)
		v = 1;
	else if (strchr("nNfF0", c0) && c0)
		v = 0;
	else if ((c0 == 'o' || c0 == 'O') && c1 && strchr("nNfF", c1))
		v = c1 == 'n' || c1 == 'N';
	if (v < 0) {
		log_refused(m, ctx, buf, len, "a boolean (y/n, 1/0, on/off)");
		return -EINVAL;
	}
	m->thp->split_underused_thp = v;
	return 0;
}

/* ---- khugepaged/ ---- */

void render_khugepaged_defrag(struct machine *m, const struct fs_ctx *ctx, GString *out)
{
	(void)ctx;
	g_string_append_printf(out, "%d\n", thp_flag(m, TRANSPARENT_HUGEPAGE_DEFRAG_KHUGEPAGED_FLAG));
}

int write_khugepaged_defrag(struct machine *m, const struct fs_ctx *ctx, const char *buf, size_t len,
			    GString *reply)
{
	(void)reply;
	return write_flag(m, ctx, buf, len, TRANSPARENT_HUGEPAGE_DEFRAG_KHUGEPAGED_FLAG);
}

/* The unsigned tunables: kstrto*(buf, 10) within [min, max], else EINVAL */
static int write_uint(struct machine *m, const struct fs_ctx *ctx, const char *buf, size_t len, unsigned int *p,
		      unsigned long min, unsigned long max)
{
	unsigned long v;

	if (kstrtoul_store(buf, len, 10, &v) || v < min || v > max) {
		g_autofree char *why = g_strdup_printf("a number from %lu to %lu", min, max);

		log_refused(m, ctx, buf, len, why);
		return -EINVAL;
	}
	*p = (unsigned int)v;
	return 0;
}

#define KHUGEPAGED_UINT(name, min, max)                                                                 \
	void render_khugepaged_##name(struct machine *m, const struct fs_ctx *ctx, GString *out)        \
	{                                                                                               \
		(void)ctx;                                                                              \
		g_string_append_printf(out, "%u\n", m->thp->name);                                     \
	}                                                                                               \
	int write_khugepaged_##name(struct machine *m, const struct fs_ctx *ctx, const char *buf, size_t len, \
				    GString *reply)                                                     \
	{                                                                                               \
		(void)reply;                                                                            \
		return write_uint(m, ctx, buf, len, &m->thp->name, min, max);                           \
	}

KHUGEPAGED_UINT(max_ptes_none, 0, HPAGE_PMD_NR - 1)
KHUGEPAGED_UINT(max_ptes_swap, 0, HPAGE_PMD_NR - 1)
KHUGEPAGED_UINT(max_ptes_shared, 0, HPAGE_PMD_NR - 1)
KHUGEPAGED_UINT(pages_to_scan, 1, UINT_MAX)
KHUGEPAGED_UINT(scan_sleep_millisecs, 0, UINT_MAX)
KHUGEPAGED_UINT(alloc_sleep_millisecs, 0, UINT_MAX)

void render_khugepaged_pages_collapsed(struct machine *m, const struct fs_ctx *ctx, GString *out)
{
	(void)ctx;
	g_string_append_printf(out, "%u\n", m->thp->pages_collapsed);
}

void render_khugepaged_full_scans(struct machine *m, const struct fs_ctx *ctx, GString *out)
{
	(void)ctx;
	g_string_append_printf(out, "%u\n", m->thp->full_scans);
}

/* ---- hugepages-<N>kB/ ---- */

void render_thpsize_enabled(struct machine *m, const struct fs_ctx *ctx, GString *out)
{
	show_choices(out, thpsize_names, NR_THPSIZE_MODES, thpsize_get_enabled(m, ctx->order));
}

int write_thpsize_enabled(struct machine *m, const struct fs_ctx *ctx, const char *buf, size_t len,
			  GString *reply)
{
	int i = parse_choice(m, ctx, buf, len, thpsize_names, NR_THPSIZE_MODES);

	(void)reply;
	if (i < 0)
		return i;
	thpsize_set_enabled(m, ctx->order, (enum thpsize_enabled)i);
	return 0;
}

void render_thpsize_shmem_enabled(struct machine *m, const struct fs_ctx *ctx, GString *out)
{
	show_choices(out, thpsize_shmem_names, NR_THPSIZE_SHMEM_MODES, m->thp->shmem_order_mode[ctx->order]);
}

int write_thpsize_shmem_enabled(struct machine *m, const struct fs_ctx *ctx, const char *buf, size_t len,
				GString *reply)
{
	int i = parse_choice(m, ctx, buf, len, thpsize_shmem_names, NR_THPSIZE_SHMEM_MODES);

	(void)reply;
	if (i >= 0 && thpsize_set_shmem(m, ctx->order, (enum thpsize_shmem)i)) {
		log_refused(m, ctx, buf, len, "inherit for a size below PMD while shmem_enabled is force");
		i = -EINVAL;
	}
	return i < 0 ? i : 0;
}

/* stats/<item>: the file's name says which counter */
void render_thpsize_stat(struct machine *m, const struct fs_ctx *ctx, GString *out)
{
	for (int i = 0; i < NR_MTHP_STAT_ITEMS; i++)
		if (!strcmp(ctx->name, mthp_stat_names[i]))
			g_string_append_printf(out, "%lu\n", m->thp->mthp_stats[ctx->order][i]);
}
