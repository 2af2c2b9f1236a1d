/*
 * The hugetlb pools' files (mm/hugetlb.c, mm/hugetlb_sysfs.c):
 * proc/sys/vm/{nr_hugepages, nr_hugepages_mempolicy,
 * nr_overcommit_hugepages} for the default size, sys/kernel/mm/hugepages/
 * hugepages-<size>kB/ per size, and each node's hugepages/ directory.
 * Reads print "%lu\n"; writes take one unsigned decimal (kstrtoul, a
 * trailing newline allowed; the sysctls as proc_doulongvec_minmax), else
 * EINVAL with a line in sim/log and nothing changed.
 */
#include <errno.h>
#include <string.h>

#include "kstrtox.h"
#include "layout_handlers.h"
#include "render.h"
#include "render_util.h"
#include "mmsim/hugetlb.h"

static struct hstate *ctx_hstate(struct machine *m, const struct fs_ctx *ctx)
{
	return ctx->hstate >= 0 ? hstate_at(m, ctx->hstate) : default_hstate(m);
}

static void log_invalid(struct machine *m, const struct fs_ctx *ctx, const char *buf, size_t len)
{
	g_autofree char *raw = g_strndup(buf, MIN(len, (size_t)64));
	g_autofree char *shown = g_strescape(g_strstrip(raw), NULL);

	printk(m, "hugetlb: %s: invalid value '%s'", ctx->path, shown);
}

/* The value of a global pool attribute (nr_hugepages_show and friends) */
static bool hstate_attr(const struct hstate *h, const char *name, unsigned long *val)
{
	if (!strcmp(name, "nr_hugepages") || !strcmp(name, "nr_hugepages_mempolicy"))
		*val = h->nr_huge_pages;
	else if (!strcmp(name, "free_hugepages"))
		*val = h->free_huge_pages;
	else if (!strcmp(name, "resv_hugepages"))
		*val = h->resv_huge_pages;
	else if (!strcmp(name, "surplus_hugepages"))
		*val = h->surplus_huge_pages;
	else if (!strcmp(name, "nr_overcommit_hugepages"))
		*val = h->nr_overcommit_huge_pages;
	else
		return false;
	return true;
}

/* A write of nr_hugepages(_mempolicy) or nr_overcommit_hugepages, for the
 * whole pool (nid -1) or a node's */
static int hstate_store(struct machine *m, const struct fs_ctx *ctx, struct hstate *h, int nid, const char *buf,
			size_t len, bool sysctl)
{
	unsigned long count;
	int err = sysctl ? parse_ulong_strict(buf, len, &count) : kstrtoul_store(buf, len, 10, &count);

	/* hugetlb_overcommit_handler: no surplus gigantic pages */
	if (!err && !strcmp(ctx->name, "nr_overcommit_hugepages") && hstate_is_gigantic(h))
		err = -EINVAL;
	if (err) {
		log_invalid(m, ctx, buf, len);
		return -EINVAL;
	}
	if (!strcmp(ctx->name, "nr_overcommit_hugepages"))
		return hugetlb_set_overcommit(m, h, count);
	return hugetlb_set_nr_hugepages(m, h, nid, count);
}

void render_hugetlb_sysctl(struct machine *m, const struct fs_ctx *ctx, GString *out)
{
	unsigned long val = 0;

	hstate_attr(default_hstate(m), ctx->name, &val);
	g_string_append_printf(out, "%lu\n", val);
}

int write_hugetlb_sysctl(struct machine *m, const struct fs_ctx *ctx, const char *buf, size_t len, GString *reply)
{
	(void)reply;
	return hstate_store(m, ctx, default_hstate(m), -1, buf, len, true);
}

void render_hugetlb_attr(struct machine *m, const struct fs_ctx *ctx, GString *out)
{
	unsigned long val = 0;

	hstate_attr(ctx_hstate(m, ctx), ctx->name, &val);
	g_string_append_printf(out, "%lu\n", val);
}

int write_hugetlb_attr(struct machine *m, const struct fs_ctx *ctx, const char *buf, size_t len, GString *reply)
{
	(void)reply;
	return hstate_store(m, ctx, ctx_hstate(m, ctx), -1, buf, len, false);
}

/* node_hstate_attrs: nr_hugepages, free_hugepages, surplus_hugepages */
void render_hugetlb_node_attr(struct machine *m, const struct fs_ctx *ctx, GString *out)
{
	const struct hstate *h = ctx_hstate(m, ctx);
	int nid = ctx->node;
	unsigned long val = !strcmp(ctx->name, "free_hugepages")	? h->free_huge_pages_node[nid]
			    : !strcmp(ctx->name, "surplus_hugepages") ? h->surplus_huge_pages_node[nid]
								       : h->nr_huge_pages_node[nid];

	g_string_append_printf(out, "%lu\n", val);
}

int write_hugetlb_node_attr(struct machine *m, const struct fs_ctx *ctx, const char *buf, size_t len,
			    GString *reply)
{
	(void)reply;
	return hstate_store(m, ctx, ctx_hstate(m, ctx), ctx->node, buf, len, false);
}

/* demote: write-only (mode 0200), never read */
void render_hugetlb_demote(struct machine *m, const struct fs_ctx *ctx, GString *out)
{
	(void)m;
	(void)ctx;
	(void)out;
}

int write_hugetlb_demote(struct machine *m, const struct fs_ctx *ctx, const char *buf, size_t len, GString *reply)
{
	unsigned long nr;

	(void)reply;
	if (kstrtoul_store(buf, len, 10, &nr)) {
		log_invalid(m, ctx, buf, len);
		return -EINVAL;
	}
	return hugetlb_demote(m, ctx_hstate(m, ctx), nr);
}

void render_hugetlb_demote_size(struct machine *m, const struct fs_ctx *ctx, GString *out)
{
	const struct hstate *h = ctx_hstate(m, ctx);

	g_string_append_printf(out, "%lukB\n", (PAGE_SIZE << h->demote_order) >> 10);
}

/* lib/cmdline.c memparse: a number (base 0) and an optional K, M, G, T,
 * P or E; what follows is ignored */
static unsigned long long memparse(const char *s)
{
	unsigned int base = 0;
	const char *p = parse_integer_fixup_radix(s, &base);
	unsigned long long v = 0;
	unsigned int n = parse_integer(p, base, &v) & ~KSTRTOX_OVERFLOW;
	const char *sfx = strchr("KMGTPE", g_ascii_toupper(p[n]));

	if (!n || !p[n] || !sfx)
		return n ? v : 0;
	return v << (10 * (sfx - "KMGTPE" + 1));
}

int write_hugetlb_demote_size(struct machine *m, const struct fs_ctx *ctx, const char *buf, size_t len,
			      GString *reply)
{
	g_autofree char *s = g_strndup(buf, len);
	unsigned long long size = memparse(s);

	(void)reply;
	if (hugetlb_set_demote_size(m, ctx_hstate(m, ctx), (unsigned long)size)) {
		log_invalid(m, ctx, buf, len);
		return -EINVAL;
	}
	return 0;
}
