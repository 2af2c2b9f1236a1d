/*
 * The renderers of proc/PID/ without a mount: a spawned process with a
 * named anonymous buffer, half of it written, then forked.  Checks the
 * shapes the tools depend on (52 stat fields, a tab after every status
 * key, one smaps key list for every VMA, pmap's maps format) and that the
 * numbers agree across files (smaps Rss sums to VmRSS and to the rollup,
 * Pss halves after fork), plus the oom_score_adj/oom_adj writers.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <glib.h>

#include "layout_handlers.h"
#include "mmsim/machine.h"
#include "render.h"

#define KiB 1024UL
#define MiB (1024 * KiB)
#define GiB (1024 * MiB)

struct fixture {
	struct machine *m;
	struct task_struct *parent, *child;
	unsigned long buf;
};

static void fixture_setup(struct fixture *f, gconstpointer data)
{
	struct machine_config cfg;
	GError *err = NULL;
	long addr;

	(void)data;
	machine_config_init(&cfg);
	cfg.mem_bytes = GiB;
	cfg.nr_nodes = 1;
	cfg.nr_cpus = 2;
	cfg.manual_clock = true;
	cfg.debug_vm = true;
	f->m = machine_create(&cfg, &err);
	g_assert_no_error(err);
	machine_config_clear(&cfg);

	g_assert_cmpint(sys_spawn(f->m, "web", 0, NULL, &f->parent), >, 0);
	addr = sys_mmap(f->m, f->parent, 0, MiB, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			"buf");
	g_assert_cmpint(addr, >, 0);
	f->buf = (unsigned long)addr;
	g_assert_cmpint(access_process_range(f->m, f->parent, f->buf, 256 * KiB, true), ==, 0);
	g_assert_cmpint(sys_fork(f->m, f->parent, NULL, 0, &f->child), >, 0);
}

static void fixture_teardown(struct fixture *f, gconstpointer data)
{
	(void)data;
	machine_destroy(f->m);
}

static struct fs_ctx pid_ctx(const struct task_struct *t)
{
	return (struct fs_ctx){ .node = -1, .cpu = -1, .pid = t->pid, .tid = -1 };
}

typedef void (*render_fn_t)(struct machine *m, const struct fs_ctx *ctx, GString *out);

static char *render(struct machine *m, render_fn_t fn, const struct task_struct *t)
{
	struct fs_ctx ctx = pid_ctx(t);
	GString *out = g_string_new(NULL);

	fn(m, &ctx, out);
	return g_string_free(out, FALSE);
}

/* "Key:   N kB" lines of a status/smaps text: the value of KEY, or -1 */
static long key_kb(const char *text, const char *key)
{
	g_autofree char *needle = g_strdup_printf("%s:", key);
	size_t n = strlen(needle);

	for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (!strncmp(p, needle, n))
			return strtol(p + n, NULL, 10);
	return -1;
}

/* ------------------------------------------------------------------ */
/* stat, statm, status                                                 */
/* ------------------------------------------------------------------ */

static void test_stat(struct fixture *f, gconstpointer data)
{
	g_autofree char *stat = render(f->m, render_pid_stat, f->parent);
	g_auto(GStrv) fields = NULL;
	const char *rparen = strrchr(stat, ')');

	(void)data;
	g_assert_nonnull(rparen);
	g_assert_true(g_str_has_suffix(stat, "\n"));
	g_strchomp(stat);
	fields = g_strsplit(rparen + 2, " ", -1);
	/* pid and comm, then 50 fields after the ')' */
	g_assert_cmpuint(g_strv_length(fields), ==, 50);
	/* field 24 is rss in pages, field 23 vsize in bytes */
	g_assert_cmpuint(g_ascii_strtoull(fields[24 - 3], NULL, 10), ==, get_mm_rss(f->parent->mm));
	g_assert_cmpuint(g_ascii_strtoull(fields[23 - 3], NULL, 10), ==,
			 f->parent->mm->total_vm * PAGE_SIZE);
	g_assert_cmpint(atoi(fields[4 - 3]), ==, 1); /* ppid: init */
}

static void test_stat_kthread(struct fixture *f, gconstpointer data)
{
	struct task_struct *k = find_task_by_pid(f->m, 2);
	g_autofree char *stat = render(f->m, render_pid_stat, k);
	g_autofree char *status = render(f->m, render_pid_status, k);
	g_autofree char *statm = render(f->m, render_pid_statm, k);
	g_autofree char *maps = render(f->m, render_pid_maps, k);
	g_auto(GStrv) fields = NULL;

	(void)data;
	g_assert_true(k->flags & PF_KTHREAD);
	g_strchomp(stat);
	fields = g_strsplit(strrchr(stat, ')') + 2, " ", -1);
	g_assert_cmpuint(g_strv_length(fields), ==, 50);
	g_assert_cmpstr(fields[23 - 3], ==, "0");
	g_assert_cmpstr(fields[24 - 3], ==, "0");
	g_assert_null(strstr(status, "VmRSS"));
	g_assert_nonnull(strstr(status, "Kthread:\t1\n"));
	g_assert_cmpstr(statm, ==, "0 0 0 0 0 0 0\n");
	g_assert_cmpstr(maps, ==, "");
}

static void test_statm(struct fixture *f, gconstpointer data)
{
	g_autofree char *statm = render(f->m, render_pid_statm, f->parent);
	unsigned long v[7];

	(void)data;
	g_assert_cmpint(sscanf(statm, "%lu %lu %lu %lu %lu %lu %lu", &v[0], &v[1], &v[2], &v[3], &v[4],
			       &v[5], &v[6]), ==, 7);
	g_assert_cmpuint(v[0], ==, f->parent->mm->total_vm);
	g_assert_cmpuint(v[1], ==, get_mm_rss(f->parent->mm));
}

static void test_status(struct fixture *f, gconstpointer data)
{
	g_autofree char *status = render(f->m, render_pid_status, f->parent);
	g_auto(GStrv) lines = g_strsplit(status, "\n", -1);

	(void)data;
	for (int i = 0; lines[i] && *lines[i]; i++) {
		const char *colon = strchr(lines[i], ':');

		g_assert_nonnull(colon);
		if (colon[1] != '\t')
			g_error("no tab after the key: \"%s\"", lines[i]);
	}
	g_assert_cmpint(key_kb(status, "VmRSS"), ==, (long)get_mm_rss(f->parent->mm) * 4);
	g_assert_cmpint(key_kb(status, "RssAnon") + key_kb(status, "RssFile") + key_kb(status, "RssShmem"),
			==, key_kb(status, "VmRSS"));
	g_assert_cmpint(key_kb(status, "VmSize"), ==, (long)f->parent->mm->total_vm * 4);
	g_assert_true(g_str_has_prefix(status, "Name:\tweb\n"));
	g_assert_nonnull(strstr(status, "\nThreads:\t1\n"));
}

/* task/TID/ files: the thread's view, here the leader's */
static void test_tid(struct fixture *f, gconstpointer data)
{
	struct fs_ctx ctx = { .node = -1, .cpu = -1, .pid = f->parent->pid, .tid = f->parent->pid };
	g_autofree char *status = render(f->m, render_pid_status, f->parent);
	GString *out = g_string_new(NULL);

	(void)data;
	render_pid_status(f->m, &ctx, out);
	g_assert_cmpstr(out->str, ==, status);
	g_string_free(out, TRUE);
}

/* ------------------------------------------------------------------ */
/* maps, smaps, smaps_rollup                                           */
/* ------------------------------------------------------------------ */

static void test_maps(struct fixture *f, gconstpointer data)
{
	g_autofree char *maps = render(f->m, render_pid_maps, f->parent);
	g_auto(GStrv) lines = g_strsplit(maps, "\n", -1);
	bool seen_buf = false;
	int n = 0;

	(void)data;
	for (int i = 0; lines[i] && *lines[i]; i++, n++) {
		unsigned long start, end;
		unsigned long long off, ino;
		unsigned int maj, min;
		char perms[8];

		/* procps pmap's own scan */
		g_assert_cmpint(sscanf(lines[i], "%lx-%lx %7s %llx %x:%x %llu", &start, &end, perms, &off,
				       &maj, &min, &ino), ==, 7);
		g_assert_cmpuint(start, <, end);
		if (g_str_has_suffix(lines[i], "[anon:buf]")) {
			seen_buf = true;
			g_assert_cmpuint(start, ==, f->buf);
			g_assert_cmpuint(end, ==, f->buf + MiB);
			g_assert_cmpstr(perms, ==, "rw-p");
			/* the name starts at column 73, as the kernel pads it */
			g_assert_cmpstr(lines[i] + 73, ==, "[anon:buf]");
		}
	}
	g_assert_true(seen_buf);
	g_assert_cmpint(n, ==, f->parent->mm->map_count + 1); /* + [vsyscall] */
}

struct smaps_sum {
	long rss, pss, n;
	long buf_rss, buf_pss;
};

/* Walks smaps: every VMA must list the same keys in the same order */
static void smaps_check(const char *smaps, unsigned long buf, struct smaps_sum *sum)
{
	g_auto(GStrv) lines = g_strsplit(smaps, "\n", -1);
	g_autoptr(GString) keys = g_string_new(NULL);
	g_autoptr(GString) first = NULL;
	unsigned long start = 0;

	memset(sum, 0, sizeof(*sum));
	for (int i = 0;; i++) {
		const char *line = lines[i];
		bool header = line && *line && !g_ascii_isupper(line[0]);

		if (!line || !*line || header) {
			if (sum->n && !first)
				first = g_string_new(keys->str);
			else if (sum->n)
				g_assert_cmpstr(keys->str, ==, first->str);
			if (!line || !*line)
				break;
			g_string_truncate(keys, 0);
			start = strtoul(line, NULL, 16);
			sum->n++;
			continue;
		}
		g_string_append_len(keys, line, strchr(line, ':') - line + 1);
		if (g_str_has_prefix(line, "Rss:")) {
			sum->rss += strtol(line + 4, NULL, 10);
			if (start == buf)
				sum->buf_rss = strtol(line + 4, NULL, 10);
		}
		if (g_str_has_prefix(line, "Pss:")) {
			sum->pss += strtol(line + 4, NULL, 10);
			if (start == buf)
				sum->buf_pss = strtol(line + 4, NULL, 10);
		}
		if (g_str_has_prefix(line, "VmFlags:")) {
			/* lowercase letters and spaces only (pmap -X) */
			g_assert_cmpuint(strspn(line + 8, " abcdefghijklmnopqrstuvwxyz"), ==, strlen(line + 8));
		} else {
			/* "Key:    N kB" or "THPeligible:    N" */
			const char *v = strchr(line, ':') + 1;

			v += strspn(v, " ");
			g_assert_true(g_ascii_isdigit(*v));
		}
	}
	g_assert_nonnull(first);
	g_assert_nonnull(strstr(first->str, "Rss:Pss:Pss_Dirty:Shared_Clean:"));
	g_assert_true(g_str_has_suffix(first->str, "Swap:SwapPss:Locked:THPeligible:VmFlags:"));
}

static void test_smaps(struct fixture *f, gconstpointer data)
{
	struct task_struct *procs[] = { f->parent, f->child };

	(void)data;
	for (size_t i = 0; i < G_N_ELEMENTS(procs); i++) {
		g_autofree char *smaps = render(f->m, render_pid_smaps, procs[i]);
		g_autofree char *status = render(f->m, render_pid_status, procs[i]);
		g_autofree char *rollup = render(f->m, render_pid_smaps_rollup, procs[i]);
		struct smaps_sum sum;

		smaps_check(smaps, f->buf, &sum);
		g_assert_cmpint(sum.n, ==, procs[i]->mm->map_count + 1);
		g_assert_cmpint(sum.rss, ==, key_kb(status, "VmRSS"));
		/* the buffer's 256 KiB are shared by parent and child */
		g_assert_cmpint(sum.buf_rss, ==, 256);
		g_assert_cmpint(sum.buf_pss, ==, 128);
		/* the rollup: same Rss; Pss summed before the shift, so at
		 * most one kB per VMA above the per-VMA sum */
		g_assert_true(strstr(rollup, "[rollup]\n"));
		g_assert_cmpint(key_kb(rollup, "Rss"), ==, sum.rss);
		g_assert_cmpint(key_kb(rollup, "Pss"), >=, sum.pss);
		g_assert_cmpint(key_kb(rollup, "Pss"), <=, sum.pss + sum.n);
		g_assert_cmpint(key_kb(rollup, "Pss_Anon") + key_kb(rollup, "Pss_File") +
					key_kb(rollup, "Pss_Shmem"), <=, key_kb(rollup, "Pss"));
	}
}

/* procps reads smaps_rollup with successive strstr: the kernel's order */
static void test_smaps_rollup_order(struct fixture *f, gconstpointer data)
{
	static const char *const keys[] = {
		"Rss:", "Pss:", "Pss_Dirty:", "Pss_Anon:", "Pss_File:", "Pss_Shmem:", "Shared_Clean:",
		"Shared_Dirty:", "Private_Clean:", "Private_Dirty:", "Referenced:", "Anonymous:",
		"KSM:", "LazyFree:", "AnonHugePages:", "ShmemPmdMapped:", "FilePmdMapped:",
		"Shared_Hugetlb:", "Private_Hugetlb:", "Swap:", "SwapPss:", "Locked:",
	};
	g_autofree char *rollup = render(f->m, render_pid_smaps_rollup, f->parent);
	g_auto(GStrv) lines = g_strsplit(rollup, "\n", -1);

	(void)data;
	g_assert_cmpuint(g_strv_length(lines), ==, G_N_ELEMENTS(keys) + 2);
	g_assert_true(g_str_has_suffix(lines[0], " ---p 00000000 00:00 0                          [rollup]"));
	for (size_t i = 0; i < G_N_ELEMENTS(keys); i++) {
		g_assert_true(g_str_has_prefix(lines[i + 1], keys[i]));
		/* 16 columns of key, 8 of value, " kB" */
		g_assert_cmpuint(strlen(lines[i + 1]), ==, 27);
	}
}

static void test_numa_maps(struct fixture *f, gconstpointer data)
{
	g_autofree char *numa = render(f->m, render_pid_numa_maps, f->parent);
	g_autofree char *head = g_strdup_printf("%08lx default anon=64 dirty=64 ", f->buf);
	g_auto(GStrv) lines = g_strsplit(numa, "\n", -1);
	bool seen_buf = false;

	(void)data;
	g_assert_cmpuint(g_strv_length(lines), ==, (guint)f->parent->mm->map_count + 1);
	for (int i = 0; lines[i] && *lines[i]; i++) {
		if (!g_str_has_prefix(lines[i], head))
			continue;
		seen_buf = true;
		/* shared with the child; the only node holds every page */
		g_assert_nonnull(strstr(lines[i], " mapmax=2 "));
		g_assert_true(g_str_has_suffix(lines[i], " N0=64 kernelpagesize_kB=4"));
	}
	g_assert_true(seen_buf);
	g_assert_nonnull(strstr(numa, " heap "));
	g_assert_nonnull(strstr(numa, " stack "));
}

/* ------------------------------------------------------------------ */
/* small files and the oom writers                                     */
/* ------------------------------------------------------------------ */

static void test_small_files(struct fixture *f, gconstpointer data)
{
	g_autofree char *comm = render(f->m, render_pid_comm, f->parent);
	g_autofree char *cgroup = render(f->m, render_pid_cgroup, f->parent);
	struct fs_ctx ctx = pid_ctx(f->parent);
	GString *cmdline = g_string_new(NULL);

	(void)data;
	g_assert_cmpstr(comm, ==, "web\n");
	g_assert_true(g_str_has_prefix(cgroup, "0::/"));
	render_pid_cmdline(f->m, &ctx, cmdline);
	g_assert_cmpuint(cmdline->len, >, 0);
	g_assert_cmpint(cmdline->str[cmdline->len - 1], ==, '\0');
	g_string_free(cmdline, TRUE);
}

static int write_str(struct machine *m, const struct task_struct *t,
		     int (*fn)(struct machine *, const struct fs_ctx *, const char *, size_t, GString *),
		     const char *s)
{
	struct fs_ctx ctx = pid_ctx(t);

	return fn(m, &ctx, s, strlen(s), NULL);
}

static void assert_file(struct fixture *f, render_fn_t fn, const char *want)
{
	g_autofree char *got = render(f->m, fn, f->parent);

	g_assert_cmpstr(got, ==, want);
}

static void test_oom_adj(struct fixture *f, gconstpointer data)
{
	static const char *const bad[] = { "garbage", "1001", "-1001", "", "5x", "0x", "08", "1 2" };
	struct machine *m = f->m;
	struct task_struct *t = f->parent;

	(void)data;
	g_assert_cmpint(write_str(m, t, write_pid_oom_score_adj, "500\n"), ==, 0);
	assert_file(f, render_pid_oom_score_adj, "500\n");
	assert_file(f, render_pid_oom_adj, "8\n");
	for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
		g_assert_cmpint(write_str(m, t, write_pid_oom_score_adj, bad[i]), ==, -EINVAL);
		assert_file(f, render_pid_oom_score_adj, "500\n");
	}
	g_assert_cmpint(write_str(m, t, write_pid_oom_score_adj, "99999999999"), ==, -ERANGE);
	g_assert_cmpint(write_str(m, t, write_pid_oom_score_adj, "  -0x10 \n"), ==, 0);
	assert_file(f, render_pid_oom_score_adj, "-16\n");

	/* the legacy scale: 15 reaches the maximum, -17 disables */
	g_assert_cmpint(write_str(m, t, write_pid_oom_adj, "15"), ==, 0);
	assert_file(f, render_pid_oom_score_adj, "1000\n");
	assert_file(f, render_pid_oom_adj, "15\n");
	g_assert_cmpint(write_str(m, t, write_pid_oom_adj, "-17"), ==, 0);
	assert_file(f, render_pid_oom_score_adj, "-1000\n");
	assert_file(f, render_pid_oom_adj, "-17\n");
	g_assert_cmpint(write_str(m, t, write_pid_oom_adj, "3"), ==, 0);
	assert_file(f, render_pid_oom_score_adj, "176\n");
	g_assert_cmpint(write_str(m, t, write_pid_oom_adj, "16"), ==, -EINVAL);
	g_assert_cmpint(write_str(m, t, write_pid_oom_adj, "-18"), ==, -EINVAL);
	assert_file(f, render_pid_oom_score_adj, "176\n");
}

static void test_vanished(struct fixture *f, gconstpointer data)
{
	struct fs_ctx ctx = pid_ctx(f->child);
	GString *out = g_string_new(NULL);

	(void)data;
	g_assert_cmpint(sys_exit(f->m, f->child), ==, 0);
	render_pid_status(f->m, &ctx, out);
	render_pid_smaps(f->m, &ctx, out);
	g_assert_cmpuint(out->len, ==, 0);
	g_assert_cmpint(write_pid_oom_score_adj(f->m, &ctx, "1", 1, NULL), ==, -ESRCH);
	g_string_free(out, TRUE);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
#define ADD(name, fn) g_test_add(name, struct fixture, NULL, fixture_setup, fn, fixture_teardown)
	ADD("/render_pid/stat", test_stat);
	ADD("/render_pid/stat_kthread", test_stat_kthread);
	ADD("/render_pid/statm", test_statm);
	ADD("/render_pid/status", test_status);
	ADD("/render_pid/tid", test_tid);
	ADD("/render_pid/maps", test_maps);
	ADD("/render_pid/smaps", test_smaps);
	ADD("/render_pid/smaps_rollup_order", test_smaps_rollup_order);
	ADD("/render_pid/numa_maps", test_numa_maps);
	ADD("/render_pid/small_files", test_small_files);
	ADD("/render_pid/oom_adj", test_oom_adj);
	ADD("/render_pid/vanished", test_vanished);
	return g_test_run();
}
