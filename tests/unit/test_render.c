/*
 * The renderers of proc/ and sys/ and the vm sysctl writers, without a
 * mount: key lists against the pinned Linux 6.18 files in tests/ref, the
 * numbers against each other (buddyinfo, zoneinfo, meminfo, vmstat), and
 * sysctl writes against the kernel's parsing and watermark formulas.
 */
#include <errno.h>
#include <limits.h>
#include <string.h>

#include <glib.h>

#include "mmsim/gfp.h"
#include "mmsim/machine.h"
#include "mmsim/swap.h"
#include "layout_handlers.h"
#include "kstrtox.h"
#include "render.h"

#ifndef MMSIM_SOURCE_DIR
#error "the build must define MMSIM_SOURCE_DIR"
#endif
#define REF_DIR MMSIM_SOURCE_DIR "/tests/ref"


/* ------------------------------------------------------------------ */
/* fixtures and helpers                                                */
/* ------------------------------------------------------------------ */

struct fixture {
	struct machine *m;
};

/*
 * Some allocations of orders 0-3 and all three types from every cpu, half
 * of them freed again: split blocks, fallbacks, and pages on the per-cpu
 * lists, which buddyinfo and MemFree must both leave out.
 */
static void churn(struct machine *m)
{
	static const gfp_t gfps[] = { GFP_KERNEL, GFP_HIGHUSER_MOVABLE, GFP_KERNEL | __GFP_RECLAIMABLE };
	long pfn[256];
	int n = 0;

	for (int i = 0; i < 256; i++) {
		int cpu = i % m->nr_cpus;
		unsigned int order = (unsigned int)(i % 4);

		pfn[n] = __alloc_pages(m, gfps[i % 3], order, -1, cpu);
		g_assert_cmpint(pfn[n], >=, 0);
		if (i % 2)
			__free_pages(m, (unsigned long)pfn[n], order, cpu);
		else
			n++;
	}
}

/* 2 nodes, 4 GiB, 4 cpus */
static void machine_setup(struct fixture *f, gconstpointer data)
{
	struct machine_config cfg;
	GError *err = NULL;

	(void)data;
	machine_config_init(&cfg);
	cfg.mem_bytes = 4ULL << 30;
	cfg.nr_nodes = 2;
	cfg.nr_cpus = 4;
	cfg.manual_clock = true;
	f->m = machine_create(&cfg, &err);
	g_assert_no_error(err);
	g_assert_nonnull(f->m);
	machine_config_clear(&cfg);
	churn(f->m);
}

static void machine_teardown(struct fixture *f, gconstpointer data)
{
	(void)data;
	machine_destroy(f->m);
}

static char *render(struct machine *m, render_fn fn, const char *name, int node)
{
	struct fs_ctx ctx = { .node = node, .cpu = -1, .name = name, .path = name };
	GString *s = g_string_new(NULL);

	fn(m, &ctx, s);
	return g_string_free(s, FALSE);
}

static int sysctl_write(struct machine *m, const char *knob, const char *text)
{
	struct fs_ctx ctx = { .node = -1, .cpu = -1, .name = knob, .path = knob };

	return write_sysctl(m, &ctx, text, strlen(text), NULL);
}

static char *read_ref(const char *name)
{
	g_autofree char *path = g_build_filename(REF_DIR, name, NULL);
	GError *err = NULL;
	char *text;

	g_assert_true(g_file_get_contents(path, &text, NULL, &err));
	g_assert_no_error(err);
	return text;
}

/* The key of every line: the text before `sep`, after skipping `skip` words. */
static GPtrArray *keys(const char *text, char sep, int skip)
{
	GPtrArray *a = g_ptr_array_new_with_free_func(g_free);
	g_auto(GStrv) lines = g_strsplit(text, "\n", -1);

	for (char **l = lines; *l; l++) {
		const char *p = *l, *end;

		if (!*p)
			continue;
		for (int i = 0; i < skip; i++)
			p = strchr(p, ' ') + 1;
		end = strchr(p, sep);
		g_assert_nonnull(end);
		g_ptr_array_add(a, g_strndup(p, (gsize)(end - p)));
	}
	return a;
}

static void assert_same_keys(GPtrArray *got, GPtrArray *want)
{
	for (guint i = 0; i < MIN(got->len, want->len); i++)
		g_assert_cmpstr(got->pdata[i], ==, want->pdata[i]);
	g_assert_cmpuint(got->len, ==, want->len);
}

static void check_keys(struct machine *m, render_fn fn, int node, const char *ref, char sep,
		       int skip)
{
	g_autofree char *text = render(m, fn, NULL, node);
	g_autofree char *want = read_ref(ref);
	g_autoptr(GPtrArray) a = keys(text, sep, skip);
	g_autoptr(GPtrArray) b = keys(want, sep, skip);

	assert_same_keys(a, b);
}

/* The number after "KEY" at the start of a line (KEY includes its colon). */
static unsigned long value_of(const char *text, const char *key)
{
	g_autofree char *pat = g_strdup_printf("\n%s", key);
	g_autofree char *t = g_strconcat("\n", text, NULL);
	const char *p = strstr(t, pat);

	g_assert_nonnull(p);
	return strtoul(p + strlen(pat), NULL, 10);
}

static unsigned long global_free(struct machine *m)
{
	return (unsigned long)global_zone_page_state(m, NR_FREE_PAGES);
}

/* ------------------------------------------------------------------ */
/* key lists against the pinned Linux files                           */
/* ------------------------------------------------------------------ */

static void test_meminfo_keys(struct fixture *f, gconstpointer data)
{
	(void)data;
	check_keys(f->m, render_meminfo, -1, "meminfo", ':', 0);
}

static void test_vmstat_keys(struct fixture *f, gconstpointer data)
{
	(void)data;
	check_keys(f->m, render_vmstat, -1, "vmstat", ' ', 0);
}

static void test_node_keys(struct fixture *f, gconstpointer data)
{
	(void)data;
	for (int nid = 0; nid < f->m->nr_nodes; nid++) {
		check_keys(f->m, render_node_meminfo, nid, "node0/meminfo", ':', 2);
		check_keys(f->m, render_node_vmstat, nid, "node0/vmstat", ' ', 0);
	}
}

/*
 * A CPU without pdpe1gb: no DirectMap1G line (arch_report_meminfo), and the
 * 2M pages of the direct map cover what the 1G pages did.
 */
static void test_meminfo_without_gbpages(struct fixture *f, gconstpointer data)
{
	struct machine_config cfg;
	struct machine *m;
	GError *err = NULL;
	g_autofree char *with = render(f->m, render_meminfo, NULL, -1);
	g_autofree char *without = NULL;
	g_autofree char *want = read_ref("meminfo");
	g_autoptr(GPtrArray) a = NULL;
	g_autoptr(GPtrArray) b = NULL;

	(void)data;
	machine_config_init(&cfg);
	cfg.mem_bytes = f->m->cfg.mem_bytes;
	cfg.nr_nodes = f->m->cfg.nr_nodes;
	cfg.nr_cpus = f->m->cfg.nr_cpus;
	cfg.manual_clock = true;
	cfg.pdpe1gb = false;
	m = machine_create(&cfg, &err);
	g_assert_no_error(err);
	machine_config_clear(&cfg);
	without = render(m, render_meminfo, NULL, -1);
	a = keys(without, ':', 0);
	b = keys(want, ':', 0);
	g_assert_cmpstr(b->pdata[b->len - 1], ==, "DirectMap1G");
	g_ptr_array_remove_index(b, b->len - 1);
	assert_same_keys(a, b);
	g_assert_null(strstr(without, "DirectMap1G"));
	g_assert_cmpuint(value_of(with, "DirectMap1G:"), >, 0);
	g_assert_cmpuint(value_of(without, "DirectMap4k:"), ==, value_of(with, "DirectMap4k:"));
	g_assert_cmpuint(value_of(without, "DirectMap2M:"), ==,
			 value_of(with, "DirectMap2M:") + value_of(with, "DirectMap1G:"));
	machine_destroy(m);
}

/* ------------------------------------------------------------------ */
/* numbers that must agree                                             */
/* ------------------------------------------------------------------ */

static void test_meminfo_values(struct fixture *f, gconstpointer data)
{
	g_autofree char *text = render(f->m, render_meminfo, NULL, -1);
	unsigned long total = 0, free = 0;

	(void)data;
	g_assert_cmpuint(value_of(text, "MemTotal:"), ==, f->m->totalram_pages * 4);
	g_assert_cmpuint(value_of(text, "MemFree:"), ==, global_free(f->m) * 4);
	g_assert_cmpuint(value_of(text, "MemAvailable:"), ==, (unsigned long)si_mem_available(f->m) * 4);
	g_assert_cmpuint(value_of(text, "CommitLimit:"), ==,
			 (f->m->totalram_pages * 50 / 100 + (unsigned long)get_total_swap_pages(f->m)) * 4);
	g_assert_cmpuint(value_of(text, "SwapTotal:"), ==, (unsigned long)get_total_swap_pages(f->m) * 4);
	g_assert_cmpuint(value_of(text, "SwapFree:"), ==, (unsigned long)get_nr_swap_pages(f->m) * 4);
	/* the node files add up to the global one */
	for (int nid = 0; nid < f->m->nr_nodes; nid++) {
		g_autofree char *nt = render(f->m, render_node_meminfo, NULL, nid);
		g_autofree char *pfx = g_strdup_printf("Node %d ", nid);
		g_autofree char *kt = g_strconcat(pfx, "MemTotal:", NULL);
		g_autofree char *kf = g_strconcat(pfx, "MemFree:", NULL);
		g_autofree char *ku = g_strconcat(pfx, "MemUsed:", NULL);

		total += value_of(nt, kt);
		free += value_of(nt, kf);
		g_assert_cmpuint(value_of(nt, ku), ==, value_of(nt, kt) - value_of(nt, kf));
	}
	g_assert_cmpuint(total, ==, value_of(text, "MemTotal:"));
	g_assert_cmpuint(free, ==, value_of(text, "MemFree:"));
}

/* Every "Node N, zone NAME n0 ... n10" line: sum of n_o << o. */
static void test_buddyinfo_sums_to_memfree(struct fixture *f, gconstpointer data)
{
	g_autofree char *text = render(f->m, render_buddyinfo, NULL, -1);
	g_autofree char *mem = render(f->m, render_meminfo, NULL, -1);
	g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
	unsigned long pages = 0;
	int nlines = 0;

	(void)data;
	for (char **l = lines; *l; l++) {
		g_auto(GStrv) w = NULL;

		if (!**l)
			continue;
		int word = 0, o = 0;

		w = g_strsplit_set(*l, " ", -1);
		nlines++;
		/* "Node", "N,", "zone", NAME, then one count per order */
		for (int i = 0; w[i]; i++) {
			if (!*w[i] || word++ < 4)
				continue;
			pages += strtoul(w[i], NULL, 10) << o;
			o++;
		}
		g_assert_cmpint(o, ==, NR_PAGE_ORDERS);
	}
	g_assert_cmpint(nlines, >, 0);
	g_assert_cmpuint(pages, ==, global_free(f->m));
	g_assert_cmpuint(pages * 4, ==, value_of(mem, "MemFree:"));
}

/* pagetypeinfo's types add up, per order, to buddyinfo's counts. */
static void test_pagetypeinfo_adds_up(struct fixture *f, gconstpointer data)
{
	g_autofree char *text = render(f->m, render_pagetypeinfo, NULL, -1);
	g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
	unsigned long by_type = 0, buddy = 0;

	(void)data;
	for (char **l = lines; *l; l++) {
		const char *p = strstr(*l, ", type ");

		if (!p)
			continue;
		p += strlen(", type ") + 12;
		for (int o = 0; o < NR_PAGE_ORDERS; o++) {
			char *end;

			while (*p == ' ')
				p++;
			g_assert_cmpint(*p, !=, '>');  /* no capped count in a 4 GiB machine */
			by_type += strtoul(p, &end, 10) << o;
			p = end;
		}
	}
	for (int nid = 0; nid < f->m->nr_nodes; nid++) {
		for_each_zone_in_node(NODE_DATA(f->m, nid), z) {
			for (int o = 0; o < NR_PAGE_ORDERS; o++) {
				unsigned long lists = 0;

				for (int mt = 0; mt < MIGRATE_TYPES; mt++)
					lists += z->free_area[o].nr_list[mt];
				if (o == MAX_PAGE_ORDER)
					lists += z->nr_pristine * (PAGES_PER_SECTION >> MAX_PAGE_ORDER);
				g_assert_cmpuint(z->free_area[o].nr_free, ==, lists);
				buddy += z->free_area[o].nr_free << o;
			}
		}
	}
	g_assert_cmpuint(by_type, ==, buddy);
	g_assert_cmpuint(by_type, ==, global_free(f->m));
}

/* Each zone's "pages free" is its nr_free_pages; all of them sum to the total. */
static void test_zoneinfo_free(struct fixture *f, gconstpointer data)
{
	g_autofree char *text = render(f->m, render_zoneinfo, NULL, -1);
	g_auto(GStrv) blocks = g_strsplit(text, "Node ", -1);
	unsigned long sum = 0;
	int nzones = 0;

	(void)data;
	for (char **b = blocks; *b; b++) {
		const char *pf = strstr(*b, "\n  pages free ");
		const char *nf = strstr(*b, "\n      nr_free_pages ");

		if (!**b)
			continue;
		nzones++;
		g_assert_nonnull(pf);
		sum += strtoul(pf + strlen("\n  pages free "), NULL, 10);
		if (nf)
			g_assert_cmpuint(strtoul(pf + strlen("\n  pages free "), NULL, 10), ==,
					 strtoul(nf + strlen("\n      nr_free_pages "), NULL, 10));
	}
	g_assert_cmpint(nzones, ==, f->m->nr_nodes * MAX_NR_ZONES);
	g_assert_cmpuint(sum, ==, global_free(f->m));
}

/* The cpu line is the sum of the cpuN lines and covers the elapsed time. */
static void test_stat_cpu_time(struct fixture *f, gconstpointer data)
{
	g_autofree char *text = NULL;
	g_auto(GStrv) lines = NULL;
	guint64 total[10] = { 0 }, sum[10] = { 0 }, all = 0;

	(void)data;
	machine_advance(f->m, 10 * NSEC_PER_SEC);
	text = render(f->m, render_stat, NULL, -1);
	lines = g_strsplit(text, "\n", -1);
	g_assert_true(g_str_has_prefix(lines[0], "cpu  "));
	for (int i = 0; i <= f->m->nr_cpus; i++) {
		g_auto(GStrv) w = g_strsplit(lines[i], " ", -1);
		int k = 0;

		for (int j = 1; w[j]; j++) {
			if (!*w[j])
				continue;
			g_assert_cmpint(k, <, 10);
			if (i == 0)
				total[k] = g_ascii_strtoull(w[j], NULL, 10);
			else
				sum[k] += g_ascii_strtoull(w[j], NULL, 10);
			k++;
		}
		g_assert_cmpint(k, ==, 10);
	}
	for (int k = 0; k < 10; k++) {
		g_assert_cmpuint(total[k], ==, sum[k]);
		all += total[k];
	}
	g_assert_cmpuint(all, >=, 10ULL * USER_HZ * (guint64)f->m->nr_cpus);
	g_assert_nonnull(strstr(text, "\nbtime "));
	g_assert_nonnull(strstr(text, "\nprocs_blocked 0\n"));
}

static void test_pressure_lines(struct fixture *f, gconstpointer data)
{
	static const char *const res[] = { "memory", "cpu", "io" };

	(void)data;
	for (size_t i = 0; i < G_N_ELEMENTS(res); i++) {
		g_autofree char *text = render(f->m, render_pressure, res[i], -1);

		g_assert_true(g_str_has_prefix(text, "some avg10="));
		g_assert_nonnull(strstr(text, "\nfull avg10="));
		g_assert_true(g_str_has_suffix(text, "\n"));
	}
}

static void test_node_masks(struct fixture *f, gconstpointer data)
{
	g_autofree char *online = render(f->m, render_node_state, "online", -1);
	g_autofree char *normal = render(f->m, render_node_state, "has_normal_memory", -1);
	g_autofree char *map0 = render(f->m, render_node_cpumap, NULL, 0);

	(void)data;
	g_assert_cmpstr(online, ==, "0-1\n");
	g_assert_cmpstr(normal, ==, "0-1\n");
	/* 4 cpus over 2 nodes: one hex digit, the first cpus on node 0 */
	g_assert_cmpuint(strlen(map0), ==, 2);
}

/* ------------------------------------------------------------------ */
/* helpers of render_util.c                                            */
/* ------------------------------------------------------------------ */

static void test_masks(void)
{
	unsigned char bits[8] = { 0 };
	GString *s = g_string_new(NULL);

	bits[0] = 0x9d;  /* 0, 2-4, 7 */
	render_cpulist(s, bits, 8);
	g_assert_cmpstr(s->str, ==, "0,2-4,7");
	g_string_truncate(s, 0);
	render_cpumask(s, bits, 8);
	g_assert_cmpstr(s->str, ==, "9d");
	g_string_truncate(s, 0);
	bits[0] = 0x3;
	render_cpumask(s, bits, 2);
	g_assert_cmpstr(s->str, ==, "3");
	g_string_truncate(s, 0);
	memset(bits, 0xff, 5);
	render_cpumask(s, bits, 36);
	g_assert_cmpstr(s->str, ==, "f,ffffffff");
	g_string_truncate(s, 0);
	render_cpulist(s, bits, 36);
	g_assert_cmpstr(s->str, ==, "0-35");
	g_string_free(s, TRUE);
}

static void test_parse_int(void)
{
	static const char *const bad[] = {
		"", " \n", "abc", "12abc", "1,2", "+5", "-", "0x", "2147483648",
		"99999999999999999999999", "- 1", "1.5",
	};
	long v[5];

	for (size_t i = 0; i < G_N_ELEMENTS(bad); i++)
		g_assert_cmpint(parse_int_strict(bad[i], strlen(bad[i]), v), ==, -EINVAL);
	g_assert_cmpint(parse_int_strict("  42\n", 5, v), ==, 0);
	g_assert_cmpint(v[0], ==, 42);
	g_assert_cmpint(parse_int_strict("-2147483648", 11, v), ==, 0);
	g_assert_cmpint(v[0], ==, -2147483648L);
	g_assert_cmpint(parse_int_strict("0x1f", 4, v), ==, 0);
	g_assert_cmpint(v[0], ==, 31);
	g_assert_cmpint(parse_int_strict("010", 3, v), ==, 0);
	g_assert_cmpint(v[0], ==, 8);
	/* the length bounds the text, not a NUL */
	g_assert_cmpint(parse_int_strict("123456", 2, v), ==, 0);
	g_assert_cmpint(v[0], ==, 12);

	g_assert_cmpint(parse_int_vector("256\t256 32 0 0\n", 15, v, 5), ==, 5);
	g_assert_cmpint(v[0], ==, 256);
	g_assert_cmpint(v[2], ==, 32);
	g_assert_cmpint(v[4], ==, 0);
	g_assert_cmpint(parse_int_vector("7 8", 3, v, 5), ==, 2);
	g_assert_cmpint(v[1], ==, 8);
	g_assert_cmpint(parse_int_vector("1 2 3 4 5 6", 11, v, 5), ==, 5);
	g_assert_cmpint(parse_int_vector("1 2 x", 5, v, 5), ==, -EINVAL);
	g_assert_cmpint(parse_int_vector("", 0, v, 5), ==, -EINVAL);
}

/* kstrtoint: a sign ('+' too), base 0 or a given base, one trailing
 * newline; ERANGE past an int, EINVAL for anything else */
static void test_kstrtoint(void)
{
	static const char *const bad[] = { "", "\n", " 1", "1 ", "1\n\n", "abc", "12abc", "0x", "-", "08", "1.5" };
	int v;

	for (size_t i = 0; i < G_N_ELEMENTS(bad); i++)
		g_assert_cmpint(kstrtoint(bad[i], 0, &v), ==, -EINVAL);
	g_assert_cmpint(kstrtoint("2147483648", 0, &v), ==, -ERANGE);
	g_assert_cmpint(kstrtoint("99999999999999999999999", 0, &v), ==, -ERANGE);
	g_assert_cmpint(kstrtoint("-2147483648", 0, &v), ==, 0);
	g_assert_cmpint(v, ==, INT_MIN);
	g_assert_cmpint(kstrtoint("+15\n", 0, &v), ==, 0);
	g_assert_cmpint(v, ==, 15);
	g_assert_cmpint(kstrtoint("0x1f", 0, &v), ==, 0);
	g_assert_cmpint(v, ==, 31);
	g_assert_cmpint(kstrtoint("-010", 0, &v), ==, 0);
	g_assert_cmpint(v, ==, -8);
	/* a given base: 10 reads "010" as ten and refuses 0x; 16 takes 0x or not */
	g_assert_cmpint(kstrtoint("010", 10, &v), ==, 0);
	g_assert_cmpint(v, ==, 10);
	g_assert_cmpint(kstrtoint("0x1f", 10, &v), ==, -EINVAL);
	g_assert_cmpint(kstrtoint("0x1f", 16, &v), ==, 0);
	g_assert_cmpint(v, ==, 31);
	g_assert_cmpint(kstrtoint("ff", 16, &v), ==, 0);
	g_assert_cmpint(v, ==, 255);
}

/* proc_doulongvec_minmax's parse: unsigned, past INT_MAX, no sign */
static void test_parse_ulong(void)
{
	static const char *const bad[] = {
		"", " \n", "abc", "12abc", "-1", "+5", "-", "18446744073709551616", "1.5",
	};
	unsigned long v;

	for (size_t i = 0; i < G_N_ELEMENTS(bad); i++)
		g_assert_cmpint(parse_ulong_strict(bad[i], strlen(bad[i]), &v), ==, -EINVAL);
	g_assert_cmpint(parse_ulong_strict(" 8589934592\n", 12, &v), ==, 0);
	g_assert_cmpuint(v, ==, 8589934592UL);
	g_assert_cmpint(parse_ulong_strict("18446744073709551615", 20, &v), ==, 0);
	g_assert_cmpuint(v, ==, ULONG_MAX);
	g_assert_cmpint(parse_ulong_strict("0x10", 4, &v), ==, 0);
	g_assert_cmpuint(v, ==, 16);
	/* as with sysctl_writes_strict, text after the value is ignored */
	g_assert_cmpint(parse_ulong_strict("7 x", 3, &v), ==, 0);
	g_assert_cmpuint(v, ==, 7);
}

/* ------------------------------------------------------------------ */
/* sysctls                                                             */
/* ------------------------------------------------------------------ */

static void test_sysctl_rejects_garbage(struct fixture *f, gconstpointer data)
{
	static const struct {
		const char *knob, *text;
	} bad[] = {
		{ "min_free_kbytes", "abc\n" },
		{ "min_free_kbytes", "-1\n" },
		{ "min_free_kbytes", "\n" },
		{ "min_free_kbytes", "12k\n" },
		{ "watermark_scale_factor", "0\n" },
		{ "watermark_scale_factor", "3001\n" },
		{ "watermark_boost_factor", "-5\n" },
		{ "percpu_pagelist_high_fraction", "4\n" },
		{ "percpu_pagelist_high_fraction", "-8\n" },
		{ "lowmem_reserve_ratio", "1 2 x\n" },
		{ "stat_interval", "0\n" },
	};
	struct vm_sysctls before = f->m->sysctl;
	unsigned long min0 = NODE_DATA(f->m, 0)->node_zones[ZONE_DMA32]._watermark[WMARK_MIN];

	(void)data;
	for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
		g_autofree char *was = render(f->m, render_sysctl, bad[i].knob, -1);
		g_autofree char *now = NULL;

		g_assert_cmpint(sysctl_write(f->m, bad[i].knob, bad[i].text), ==, -EINVAL);
		now = render(f->m, render_sysctl, bad[i].knob, -1);
		g_assert_cmpstr(now, ==, was);
	}
	g_assert_cmpmem(&before, sizeof(before), &f->m->sysctl, sizeof(f->m->sysctl));
	g_assert_cmpuint(NODE_DATA(f->m, 0)->node_zones[ZONE_DMA32]._watermark[WMARK_MIN], ==, min0);
}

/*
 * __setup_per_zone_wmarks gives each zone but Movable its share of
 * min_free_kbytes, rounded down: the shares sum to at most pages_min and
 * lose less than one page per zone.
 */
static void test_sysctl_min_free_kbytes(struct fixture *f, gconstpointer data)
{
	const int kbytes = 8192;
	unsigned long pages_min = (unsigned long)kbytes >> (PAGE_SHIFT - 10), sum = 0;
	int nzones = 0;
	g_autofree char *text = NULL;

	(void)data;
	g_assert_cmpint(sysctl_write(f->m, "min_free_kbytes", "8192\n"), ==, 0);
	g_assert_cmpint(f->m->sysctl.min_free_kbytes, ==, kbytes);
	g_assert_cmpint(f->m->sysctl.user_min_free_kbytes, ==, kbytes);
	text = render(f->m, render_sysctl, "min_free_kbytes", -1);
	g_assert_cmpstr(text, ==, "8192\n");
	for (int nid = 0; nid < f->m->nr_nodes; nid++) {
		for_each_zone_in_node(NODE_DATA(f->m, nid), z) {
			if (z - NODE_DATA(f->m, nid)->node_zones == ZONE_MOVABLE)
				continue;
			sum += z->_watermark[WMARK_MIN];
			nzones++;
		}
	}
	g_assert_cmpuint(sum, <=, pages_min);
	g_assert_cmpuint(sum + (unsigned long)nzones, >, pages_min);
}

static void check_lowmem_reserve(struct machine *m)
{
	for (int nid = 0; nid < m->nr_nodes; nid++) {
		pg_data_t *pgdat = NODE_DATA(m, nid);

		for (int i = 0; i < MAX_NR_ZONES - 1; i++) {
			struct zone *z = &pgdat->node_zones[i];
			int ratio = m->sysctl.lowmem_reserve_ratio[i];
			unsigned long managed = 0;

			for (int j = i + 1; j < MAX_NR_ZONES; j++) {
				managed += pgdat->node_zones[j].managed_pages;
				if (!ratio || !z->managed_pages)
					g_assert_cmpint(z->lowmem_reserve[j], ==, 0);
				else
					g_assert_cmpint(z->lowmem_reserve[j], ==, (long)(managed / (unsigned long)ratio));
			}
		}
	}
}

static void test_sysctl_lowmem_reserve_ratio(struct fixture *f, gconstpointer data)
{
	g_autofree char *a = NULL, *b = NULL, *c = NULL;

	(void)data;
	g_assert_cmpint(sysctl_write(f->m, "lowmem_reserve_ratio", "128 64\t16 0 0\n"), ==, 0);
	a = render(f->m, render_sysctl, "lowmem_reserve_ratio", -1);
	g_assert_cmpstr(a, ==, "128\t64\t16\t0\t0\n");
	check_lowmem_reserve(f->m);
	/* a short vector sets the first entries; below 1 means 0 */
	g_assert_cmpint(sysctl_write(f->m, "lowmem_reserve_ratio", "-3 32\n"), ==, 0);
	b = render(f->m, render_sysctl, "lowmem_reserve_ratio", -1);
	g_assert_cmpstr(b, ==, "0\t32\t16\t0\t0\n");
	check_lowmem_reserve(f->m);
	g_assert_cmpint(sysctl_write(f->m, "lowmem_reserve_ratio", "1 2 junk\n"), ==, -EINVAL);
	c = render(f->m, render_sysctl, "lowmem_reserve_ratio", -1);
	g_assert_cmpstr(c, ==, b);
}

/* the node's highest populated zone */
static struct zone *top_zone(struct machine *m, int nid)
{
	return &m->node_data[nid]->node_zones[m->node_data[nid]->nr_zones - 1];
}

static void test_sysctl_others(struct fixture *f, gconstpointer data)
{
	struct zone *z = top_zone(f->m, 0);
	struct per_cpu_pages *pcp = &z->per_cpu_pageset[0];
	int high_min = pcp->high_min, high_max = pcp->high_max;
	unsigned long gap;

	(void)data;
	/* __setup_per_zone_wmarks: low and high sit max(min / 4,
	 * managed * factor / 10000) apart */
	g_assert_cmpint(sysctl_write(f->m, "watermark_scale_factor", "200"), ==, 0);
	g_assert_cmpint(f->m->sysctl.watermark_scale_factor, ==, 200);
	gap = MAX(z->_watermark[WMARK_MIN] / 4, z->managed_pages * 200 / 10000);
	g_assert_cmpuint(z->_watermark[WMARK_LOW] - z->_watermark[WMARK_MIN], ==, gap);
	g_assert_cmpuint(z->_watermark[WMARK_HIGH] - z->_watermark[WMARK_LOW], ==, gap);
	g_assert_cmpint(sysctl_write(f->m, "watermark_boost_factor", "0x10\n"), ==, 0);
	g_assert_cmpint(f->m->sysctl.watermark_boost_factor, ==, 16);
	/* zone_pcp_update: a fraction fixes high_min = high_max at
	 * managed / fraction / local CPUs; 0 goes back to the range from the
	 * low watermark up to the fraction-8 size */
	g_assert_cmpint(high_min, <, high_max);
	g_assert_cmpint(sysctl_write(f->m, "percpu_pagelist_high_fraction", "8\n"), ==, 0);
	g_assert_cmpint(f->m->sysctl.percpu_pagelist_high_fraction, ==, 8);
	g_assert_cmpint(pcp->high_min, ==, high_max);
	g_assert_cmpint(pcp->high_max, ==, high_max);
	g_assert_cmpint(sysctl_write(f->m, "percpu_pagelist_high_fraction", "0\n"), ==, 0);
	g_assert_cmpint(pcp->high_max, ==, high_max);
	g_assert_cmpint(pcp->high_min, <, high_max);
	g_assert_cmpint(sysctl_write(f->m, "stat_interval", "3\n"), ==, 0);
	g_assert_cmpint(f->m->sysctl.stat_interval, ==, 3);
}

#define ADD(name, fn) g_test_add(name, struct fixture, NULL, machine_setup, fn, machine_teardown)

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/render/util/masks", test_masks);
	g_test_add_func("/render/util/parse_int", test_parse_int);
	g_test_add_func("/render/util/parse_ulong", test_parse_ulong);
	g_test_add_func("/render/util/kstrtoint", test_kstrtoint);
	ADD("/render/meminfo/keys", test_meminfo_keys);
	ADD("/render/meminfo/values", test_meminfo_values);
	ADD("/render/meminfo/no_gbpages", test_meminfo_without_gbpages);
	ADD("/render/vmstat/keys", test_vmstat_keys);
	ADD("/render/node/keys", test_node_keys);
	ADD("/render/node/masks", test_node_masks);
	ADD("/render/buddyinfo/memfree", test_buddyinfo_sums_to_memfree);
	ADD("/render/pagetypeinfo/sums", test_pagetypeinfo_adds_up);
	ADD("/render/zoneinfo/free", test_zoneinfo_free);
	ADD("/render/stat/cpu_time", test_stat_cpu_time);
	ADD("/render/pressure/lines", test_pressure_lines);
	ADD("/render/sysctl/garbage", test_sysctl_rejects_garbage);
	ADD("/render/sysctl/min_free_kbytes", test_sysctl_min_free_kbytes);
	ADD("/render/sysctl/lowmem_reserve_ratio", test_sysctl_lowmem_reserve_ratio);
	ADD("/render/sysctl/others", test_sysctl_others);
	return g_test_run();
}
