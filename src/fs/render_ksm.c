/*
 * KSM's files: the attributes of sys/kernel/mm/ksm (mm/ksm.c's sysfs attributes, their
 * show and store functions), proc/PID/ksm_merging_pages and
 * proc/PID/ksm_stat (fs/proc/base.c), in Linux 6.18's formats.
 */
#include <errno.h>
#include <limits.h>
#include <string.h>

#include "layout_handlers.h"
#include "render.h"
#include "render_util.h"
#include "kstrtox.h"
#include "tree.h"
#include "mmsim/ksm.h"
#include "mmsim/mm_types.h"

#define KSM_SHOW_UL(name, expr)                                                    \
	void render_ksm_##name(struct machine *m, const struct fs_ctx *ctx, GString *out) \
	{                                                                          \
		(void)ctx;                                                         \
		g_string_append_printf(out, "%lu\n", (unsigned long)(expr));       \
	}

KSM_SHOW_UL(pages_scanned, m->ksm->pages_scanned)
KSM_SHOW_UL(pages_shared, m->ksm->pages_shared)
KSM_SHOW_UL(pages_sharing, m->ksm->pages_sharing)
KSM_SHOW_UL(pages_unshared, m->ksm->pages_unshared)
KSM_SHOW_UL(pages_volatile, ksm_pages_volatile(m->ksm))
KSM_SHOW_UL(pages_skipped, m->ksm->pages_skipped)
KSM_SHOW_UL(full_scans, m->ksm->full_scans)
KSM_SHOW_UL(stable_node_chains, m->ksm->stable_node_chains)
KSM_SHOW_UL(stable_node_dups, m->ksm->stable_node_dups)
KSM_SHOW_UL(run, m->ksm->run)
KSM_SHOW_UL(sleep_millisecs, m->ksm->sleep_millisecs)
KSM_SHOW_UL(pages_to_scan, m->ksm->pages_to_scan)
KSM_SHOW_UL(merge_across_nodes, m->ksm->merge_across_nodes)
KSM_SHOW_UL(max_page_sharing, m->ksm->max_page_sharing)
KSM_SHOW_UL(stable_node_chains_prune_millisecs, m->ksm->stable_node_chains_prune_millisecs)
KSM_SHOW_UL(use_zero_pages, m->ksm->use_zero_pages)
KSM_SHOW_UL(smart_scan, m->ksm->smart_scan)
KSM_SHOW_UL(advisor_max_cpu, m->ksm->advisor_max_cpu)
KSM_SHOW_UL(advisor_min_pages_to_scan, m->ksm->advisor_min_pages_to_scan)
KSM_SHOW_UL(advisor_max_pages_to_scan, m->ksm->advisor_max_pages_to_scan)
KSM_SHOW_UL(advisor_target_scan_time, m->ksm->advisor_target_scan_time)

void render_ksm_ksm_zero_pages(struct machine *m, const struct fs_ctx *ctx, GString *out)
{
	(void)ctx;
	g_string_append_printf(out, "%ld\n", m->ksm->zero_pages);
}

void render_ksm_general_profit(struct machine *m, const struct fs_ctx *ctx, GString *out)
{
	(void)ctx;
	g_string_append_printf(out, "%ld\n", ksm_general_profit(m->ksm));
}

void render_ksm_advisor_mode(struct machine *m, const struct fs_ctx *ctx, GString *out)
{
	(void)ctx;
	g_string_append(out, m->ksm->advisor == KSM_ADVISOR_NONE ? "[none] scan-time\n" : "none [scan-time]\n");
}

/* The kstrtox of a store: the value, or EINVAL and a line in sim/log */
static int ksm_store_ul(struct machine *m, const struct fs_ctx *ctx, const char *buf, size_t len,
			unsigned long max, unsigned long *out)
{
	unsigned long v;

	if (kstrtoul_store(buf, len, 10, &v) || v > max) {
		log_refused(m, ctx, buf, len, "a number in range");
		return -EINVAL;
	}
	*out = v;
	return 0;
}

static int ksm_store_bool(struct machine *m, const struct fs_ctx *ctx, const char *buf, size_t len, bool *out)
{
	g_autofree char *s = g_strndup(buf, len);

	if (kstrtobool(s, out)) {
		log_refused(m, ctx, buf, len, "a boolean (y, n, 1, 0, on, off)");
		return -EINVAL;
	}
	return 0;
}

int write_ksm_run(struct machine *m, const struct fs_ctx *ctx, const char *buf, size_t len, GString *reply)
{
	unsigned long v;
	int err = ksm_store_ul(m, ctx, buf, len, KSM_RUN_UNMERGE, &v);

	(void)reply;
	if (!err && (err = ksm_set_run(m, (unsigned int)v)))
		log_refused(m, ctx, buf, len, "unmerging ran out of memory");
	return err;
}

int write_ksm_sleep_millisecs(struct machine *m, const struct fs_ctx *ctx, const char *buf, size_t len,
			      GString *reply)
{
	unsigned long v;
	int err = ksm_store_ul(m, ctx, buf, len, UINT_MAX, &v);

	(void)reply;
	if (!err)
		ksm_set_sleep_millisecs(m, (unsigned int)v);
	return err;
}

/* pages_to_scan_store: refused while the advisor sets it */
int write_ksm_pages_to_scan(struct machine *m, const struct fs_ctx *ctx, const char *buf, size_t len,
			    GString *reply)
{
	unsigned long v;
	int err;

	(void)reply;
	if (m->ksm->advisor != KSM_ADVISOR_NONE) {
		log_refused(m, ctx, buf, len, "the advisor sets pages_to_scan");
		return -EINVAL;
	}
	if (!(err = ksm_store_ul(m, ctx, buf, len, UINT_MAX, &v)))
		m->ksm->pages_to_scan = (unsigned int)v;
	return err;
}

int write_ksm_merge_across_nodes(struct machine *m, const struct fs_ctx *ctx, const char *buf, size_t len,
				 GString *reply)
{
	unsigned long v;
	int err = ksm_store_ul(m, ctx, buf, len, 1, &v);

	(void)reply;
	if (!err && (err = ksm_set_merge_across_nodes(m, (unsigned int)v)))
		log_refused(m, ctx, buf, len, "pages are merged: unmerge them first (run 2)");
	return err;
}

int write_ksm_max_page_sharing(struct machine *m, const struct fs_ctx *ctx, const char *buf, size_t len,
			       GString *reply)
{
	g_autofree char *s = g_strndup(buf, len);
	int v, err;

	(void)reply;
	if (kstrtoint(s, 10, &v) || v < 2) {
		log_refused(m, ctx, buf, len, "a number of 2 or more");
		return -EINVAL;
	}
	if ((err = ksm_set_max_page_sharing(m, (unsigned int)v)))
		log_refused(m, ctx, buf, len, "pages are merged: unmerge them first (run 2)");
	return err;
}

int write_ksm_stable_node_chains_prune_millisecs(struct machine *m, const struct fs_ctx *ctx, const char *buf,
						 size_t len, GString *reply)
{
	unsigned long v;
	int err = ksm_store_ul(m, ctx, buf, len, UINT_MAX, &v);

	(void)reply;
	if (!err)
		m->ksm->stable_node_chains_prune_millisecs = (unsigned int)v;
	return err;
}

int write_ksm_use_zero_pages(struct machine *m, const struct fs_ctx *ctx, const char *buf, size_t len,
			     GString *reply)
{
	(void)reply;
	return ksm_store_bool(m, ctx, buf, len, &m->ksm->use_zero_pages);
}

int write_ksm_smart_scan(struct machine *m, const struct fs_ctx *ctx, const char *buf, size_t len,
			 GString *reply)
{
	(void)reply;
	return ksm_store_bool(m, ctx, buf, len, &m->ksm->smart_scan);
}

/* advisor_mode_store: sysfs_streq "none" or "scan-time" */
int write_ksm_advisor_mode(struct machine *m, const struct fs_ctx *ctx, const char *buf, size_t len,
			   GString *reply)
{
	g_autofree char *s = g_strndup(buf, len);

	(void)reply;
	if (len && s[len - 1] == '\n')
		s[len - 1] = '\0';
	if (!strcmp(s, "none"))
		ksm_set_advisor(m, KSM_ADVISOR_NONE);
	else if (!strcmp(s, "scan-time"))
		ksm_set_advisor(m, KSM_ADVISOR_SCAN_TIME);
	else {
		log_refused(m, ctx, buf, len, "none or scan-time");
		return -EINVAL;
	}
	return 0;
}

static bool below_min(unsigned long v, unsigned long min)
{
	return v < min;
}

#define KSM_STORE_UL(name, field, min)                                                                   \
	int write_ksm_##name(struct machine *m, const struct fs_ctx *ctx, const char *buf, size_t len,    \
			     GString *reply)                                                              \
	{                                                                                                 \
		unsigned long v;                                                                          \
		int err = ksm_store_ul(m, ctx, buf, len, ULONG_MAX, &v);                                 \
                                                                                                          \
		(void)reply;                                                                              \
		if (!err && below_min(v, (min))) {                                                        \
			log_refused(m, ctx, buf, len, "a number of at least " #min);                     \
			err = -EINVAL;                                                                    \
		}                                                                                         \
		if (!err)                                                                                 \
			m->ksm->field = (__typeof__(m->ksm->field))v;                                     \
		return err;                                                                               \
	}

KSM_STORE_UL(advisor_max_cpu, advisor_max_cpu, 0)
KSM_STORE_UL(advisor_min_pages_to_scan, advisor_min_pages_to_scan, 0)
KSM_STORE_UL(advisor_max_pages_to_scan, advisor_max_pages_to_scan, 0)
KSM_STORE_UL(advisor_target_scan_time, advisor_target_scan_time, 1)

/* ---- proc/PID ---- */

void render_pid_ksm_merging_pages(struct machine *m, const struct fs_ctx *ctx, GString *out)
{
	struct task_struct *t = fs_ctx_task(m, ctx);
	const struct ksm_mm_slot *slot = t ? ksm_mm_slot_of(m, t->mm) : NULL;

	g_string_append_printf(out, "%lu\n", slot ? (unsigned long)slot->ksm_merging_pages : 0UL);
}

static bool mm_has_mergeable_vma(struct mm_struct *mm)
{
	struct vm_area_struct *vma;

	for_each_vma(mm, it, vma)
		if (vma->vm_flags & VM_MERGEABLE)
			return true;
	return false;
}

/* proc_pid_ksm_stat */
void render_pid_ksm_stat(struct machine *m, const struct fs_ctx *ctx, GString *out)
{
	struct task_struct *t = fs_ctx_task(m, ctx);
	const struct ksm_mm_slot *slot;

	if (!t || !t->mm)
		return;
	slot = ksm_mm_slot_of(m, t->mm);
	g_string_append_printf(out, "ksm_rmap_items %lu\n", slot ? (unsigned long)slot->ksm_rmap_items : 0UL);
	g_string_append_printf(out, "ksm_zero_pages %ld\n", slot ? slot->ksm_zero_pages : 0L);
	g_string_append_printf(out, "ksm_merging_pages %lu\n", slot ? (unsigned long)slot->ksm_merging_pages : 0UL);
	g_string_append_printf(out, "ksm_process_profit %ld\n", ksm_process_profit(slot));
	g_string_append_printf(out, "ksm_merge_any: %s\n", slot && slot->merge_any ? "yes" : "no");
	g_string_append_printf(out, "ksm_mergeable: %s\n", mm_has_mergeable_vma(t->mm) ? "yes" : "no");
}
