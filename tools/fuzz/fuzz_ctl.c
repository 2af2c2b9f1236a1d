/*
 * libFuzzer harness for everything a user can write to mmsimd: sim/ctl,
 * proc/PID/ctl, proc/PID/oom_score_adj, proc/PID/oom_adj and the
 * proc/sys/vm sysctls.  The writes go through the same path table and
 * contexts as the daemon (fs_tree_lookup + fs_node_write, what
 * fuse_ops.c's write does under the model lock); no FUSE.
 *
 * The rule under test: nothing the daemon receives may crash it, a refused
 * command leaves the model unchanged, and machine_check_invariants() holds
 * after every write.  After each input every file of the tree is rendered
 * (the fixed ones and every proc/PID/ file of every live task).
 *
 * Input: lines ('\n').  The first byte of a line chooses the file, the rest
 * (after one optional blank) is written to it in one write; a 0x1e byte in
 * it becomes '\n', so one write may carry several ctl lines.
 *
 *   s TEXT       sim/ctl
 *   p TEXT       proc/PID/ctl of the last process spawn/fork replied
 *                (init, pid 1, before any)
 *   pK TEXT      proc/PID/ctl of the K-th live task (task_pids, mod count)
 *   PN TEXT      proc/N/ctl, N taken literally (may be dead or unborn)
 *   o[K] TEXT    proc/PID/oom_score_adj (PID as for p)
 *   a[K] TEXT    proc/PID/oom_adj
 *   vK TEXT      the K-th writable sysctl (mod count), or
 *   vNAME TEXT   proc/sys/vm/NAME
 *   # ...        ignored (comments, e.g. in history dumps)
 *   else         the whole line to sim/ctl
 *
 * In TEXT, "$h" / "$hK" becomes the last (K-th last) handle alloc_pages
 * replied, and "$a" / "$aK" the last (K-th last) 0x address a proc ctl
 * replied (mmap, malloc, brk): the fuzzer cannot guess PFNs or addresses.
 *
 * Environment (read once):
 *   FUZZ_NODES=1|2        NUMA nodes of the machine (default 1)
 *   FUZZ_RECREATE=N       a new machine every N inputs (default 1: every
 *                         input starts from a fresh machine, so a crash
 *                         file alone reproduces; N > 1 keeps state across
 *                         inputs and dumps the inputs since the machine was
 *                         made to fuzz-history-PID.txt when it dies)
 *   FUZZ_RENDER=0         skip rendering the tree after each input
 *   FUZZ_REFUSAL=0        skip the "refused command changes nothing" check
 *   FUZZ_VERBOSE=1        print every write, its result and reply to stderr
 *   FUZZ_INVARIANTS=input check invariants after each input only (default:
 *                         after each write)
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>
#include <sanitizer/common_interface_defs.h>

#include "layout_handlers.h"
#include "mmsim/machine.h"
#include "render.h"
#include "tree.h"

#define RING 8

static struct {
	int nodes;
	int recreate;
	bool render;
	bool refusal;
	bool verbose;
	bool inv_each_write;
} opt;

static struct machine *m;
static struct fs_tree *tree;
static int inputs_on_machine;
static int last_pid;
static char handles[RING][24];
static char addrs[RING][24];
static int nhandles, naddrs;
static GPtrArray *history; /* of GBytes: the inputs run on this machine */
static GPtrArray *fixed_files, *pid_files, *sysctl_files; /* of struct fs_node * */
static GString *reply, *out, *before, *after;

static int env_int(const char *name, int dflt)
{
	const char *v = getenv(name);

	return v && *v ? atoi(v) : dflt;
}

static void dump_history(const char *why)
{
	char path[64];
	FILE *f;

	if (!history || opt.recreate <= 1)
		return;
	snprintf(path, sizeof(path), "fuzz-history-%d.txt", (int)getpid());
	f = fopen(path, "w");
	if (!f)
		return;
	fprintf(f, "# FUZZ_NODES=%d: %s; the inputs run on the machine, in order\n", opt.nodes, why);
	for (guint i = 0; i < history->len; i++) {
		gsize n;
		const char *d = g_bytes_get_data(history->pdata[i], &n);

		fwrite(d, 1, n, f);
		if (n && d[n - 1] != '\n')
			fputc('\n', f);
	}
	fclose(f);
	fprintf(stderr, "fuzz_ctl: %u inputs since the machine was made: %s\n", history->len, path);
}

static void on_death(void)
{
	dump_history("sanitizer report");
}

static void fail(const char *what, const char *detail)
{
	fprintf(stderr, "\nfuzz_ctl: %s: %s\n", what, detail);
	if (m && m->log) {
		const char *tail = m->log->len > 2000 ? m->log->str + m->log->len - 2000 : m->log->str;

		fprintf(stderr, "--- end of sim/log ---\n%s\n", tail);
	}
	dump_history(what);
	abort();
}

static gint cmp_path(gconstpointer a, gconstpointer b)
{
	const struct fs_node *x = *(struct fs_node *const *)a, *y = *(struct fs_node *const *)b;

	return strcmp(x->path, y->path);
}

static void collect_files(void)
{
	GHashTableIter it;
	gpointer k, v;

	fixed_files = g_ptr_array_new();
	pid_files = g_ptr_array_new();
	sysctl_files = g_ptr_array_new();
	g_hash_table_iter_init(&it, tree->by_path);
	while (g_hash_table_iter_next(&it, &k, &v)) {
		struct fs_node *n = v;

		if (n->is_dir || !n->entry)
			continue;
		if (n->entry->render)
			g_ptr_array_add(fixed_files, n);
		if (n->entry->write == write_sysctl)
			g_ptr_array_add(sysctl_files, n);
	}
	g_hash_table_iter_init(&it, tree->templates);
	while (g_hash_table_iter_next(&it, &k, &v)) {
		struct fs_node *n = v;

		if (!n->is_dir && n->entry && n->entry->render)
			g_ptr_array_add(pid_files, n);
	}
	g_ptr_array_sort(fixed_files, cmp_path);
	g_ptr_array_sort(pid_files, cmp_path);
	g_ptr_array_sort(sysctl_files, cmp_path);
}

static void machine_new(void)
{
	struct machine_config cfg;
	GError *err = NULL;

	machine_config_init(&cfg);
	cfg.mem_bytes = 1ULL << 30;
	cfg.nr_nodes = opt.nodes;
	cfg.nr_cpus = 2;
	cfg.manual_clock = true;
	cfg.debug_vm = false;
	m = machine_create(&cfg, &err);
	machine_config_clear(&cfg);
	if (!m) {
		fprintf(stderr, "fuzz_ctl: machine_create: %s\n", err ? err->message : "?");
		exit(1);
	}
	tree = fs_tree_new(m);
	collect_files(); /* the nodes belong to the tree */
	inputs_on_machine = 0;
	last_pid = 1;
	nhandles = naddrs = 0;
	if (history)
		g_ptr_array_set_size(history, 0);
}

static void machine_gone(void)
{
	g_ptr_array_free(fixed_files, TRUE);
	g_ptr_array_free(pid_files, TRUE);
	g_ptr_array_free(sysctl_files, TRUE);
	fs_tree_free(tree);
	machine_destroy(m);
	tree = NULL;
	m = NULL;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	opt.nodes = env_int("FUZZ_NODES", 1);
	if (opt.nodes < 1 || opt.nodes > 2)
		opt.nodes = 1;
	opt.recreate = env_int("FUZZ_RECREATE", 1);
	if (opt.recreate < 1)
		opt.recreate = 1;
	opt.render = env_int("FUZZ_RENDER", 1) != 0;
	opt.refusal = env_int("FUZZ_REFUSAL", 1) != 0;
	opt.verbose = env_int("FUZZ_VERBOSE", 0) != 0;
	opt.inv_each_write = !getenv("FUZZ_INVARIANTS") || strcmp(getenv("FUZZ_INVARIANTS"), "input");
	history = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
	reply = g_string_new(NULL);
	out = g_string_new(NULL);
	before = g_string_new(NULL);
	after = g_string_new(NULL);
	__sanitizer_set_death_callback(on_death);
	/* keep the engine's g_warning/g_critical fatal: they are bugs */
	g_log_set_always_fatal(G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
	return 0;
}

/* ---- targets ---- */

static int nth_pid(long k)
{
	GArray *pids = task_pids(m);
	int pid = 1;

	if (pids->len)
		pid = g_array_index(pids, int, (guint)(k % pids->len));
	g_array_free(pids, TRUE);
	return pid;
}

/* "proc/PID/FILE" resolved as the daemon resolves a path */
static struct fs_node *lookup(const char *path, struct fs_ctx *ctx)
{
	struct fs_node *n = fs_tree_lookup(tree, path, ctx);

	if (!n)
		fail("lookup", path);
	return n;
}

/* Digits at *p (advanced past them): the number, or -1 when none */
static long take_number(const char **p, const char *end)
{
	long v = -1;

	while (*p < end && **p >= '0' && **p <= '9') {
		v = (v < 0 ? 0 : v) * 10 + (**p - '0');
		if (v > 1000000000)
			v = 1000000000;
		(*p)++;
	}
	return v;
}

/* ---- the "nothing changed" fingerprint ---- */

static void render_node(struct fs_node *n, struct fs_ctx *ctx, GString *s)
{
	gsize mark = s->len;

	if (fs_node_render(m, n, ctx, s))
		g_string_truncate(s, mark);
}

static void render_path(const char *path, GString *s)
{
	struct fs_ctx ctx;
	struct fs_node *n = lookup(path, &ctx);

	g_string_append_printf(s, "== %s\n", path);
	render_node(n, &ctx, s);
}

/*
 * The state a refused write must leave alone: memory counters and every
 * task's address space and counters.  Event counters (vmstat's pgalloc,
 * pgfault ...) and the log may move: they count attempts.
 */
static void fingerprint(GString *s)
{
	GArray *pids = task_pids(m);
	static const char *const per_pid[] = { "maps", "smaps_rollup", "status", "oom_score_adj" };

	g_string_truncate(s, 0);
	render_path("proc/meminfo", s);
	g_string_append_printf(s, "kalloc %u committed %ld\n", g_hash_table_size(m->kalloc), m->vm_committed_as);
	for (int i = 0; i < MAX_NR_ZONES; i++)
		g_string_append_printf(s, "lowmem_reserve_ratio %d\n", m->sysctl.lowmem_reserve_ratio[i]);
	for (guint i = 0; i < pids->len; i++) {
		int pid = g_array_index(pids, int, i);

		for (size_t j = 0; j < G_N_ELEMENTS(per_pid); j++) {
			char path[64];

			snprintf(path, sizeof(path), "proc/%d/%s", pid, per_pid[j]);
			render_path(path, s);
		}
	}
	g_array_free(pids, TRUE);
}

/* First differing line of two fingerprints, for the report */
static char *first_diff(const char *a, const char *b)
{
	g_auto(GStrv) la = g_strsplit(a, "\n", -1), lb = g_strsplit(b, "\n", -1);
	const char *file = "?";

	for (int i = 0; la[i] || lb[i]; i++) {
		if (la[i] && !strncmp(la[i], "== ", 3))
			file = la[i] + 3;
		if (!la[i] || !lb[i] || strcmp(la[i], lb[i]))
			return g_strdup_printf("%s: before '%s', after '%s'", file, la[i] ? la[i] : "(end)",
					       lb[i] ? lb[i] : "(end)");
	}
	return g_strdup("no difference");
}

/* ---- running a line ---- */

static void remember(char ring[RING][24], int *n, const char *tok, size_t len)
{
	if (len >= 24)
		return;
	memmove(ring[1], ring[0], sizeof(ring[0]) * (RING - 1));
	memcpy(ring[0], tok, len);
	ring[0][len] = '\0';
	if (*n < RING)
		(*n)++;
}

/* Replies: spawn/fork answer a PID, alloc_pages handles, mmap/malloc/brk
 * an address */
static void harvest(const char *file, const char *verb, size_t verblen)
{
	const char *r = reply->str;
	bool sim = !strcmp(file, "sim/ctl");

	if ((verblen == 5 && !strncmp(verb, "spawn", 5)) || (verblen == 4 && !strncmp(verb, "fork", 4))) {
		long pid = strtol(r, NULL, 10);

		if (pid > 0)
			last_pid = (int)pid;
		return;
	}
	for (const char *p = r; (p = strstr(p, "0x"));) {
		size_t n = strspn(p + 2, "0123456789abcdef") + 2;

		if (sim)
			remember(handles, &nhandles, p, n);
		else
			remember(addrs, &naddrs, p, n);
		p += n;
	}
}

/* $h/$a substitution; NUL bytes pass through (the ctl runner refuses them) */
static void expand_text(const char *p, const char *end, GString *buf)
{
	g_string_truncate(buf, 0);
	while (p < end) {
		if (*p == '$' && p + 1 < end && (p[1] == 'h' || p[1] == 'a')) {
			bool h = p[1] == 'h';
			const char *q = p + 2;
			long k = take_number(&q, end);
			int n = h ? nhandles : naddrs;

			if (n) {
				g_string_append(buf, (h ? handles : addrs)[(k < 0 ? 0 : k) % n]);
				p = q;
				continue;
			}
		}
		g_string_append_c(buf, *p == 0x1e ? '\n' : *p);
		p++;
	}
}

static void check_invariants(const char *when)
{
	char *why = machine_check_invariants(m);

	if (why) {
		char *msg = g_strdup_printf("%s: %s", when, why);

		fail("invariant broken", msg);
	}
}

static void run_line(const char *p, const char *end)
{
	static GString *text;
	char path[80];
	struct fs_ctx ctx;
	struct fs_node *n;
	const char *verb;
	size_t verblen;
	long k;
	int ret, single;
	char sel = *p;

	if (!text)
		text = g_string_new(NULL);
	switch (sel) {
	case '#':
		return;
	case 's':
		p++;
		snprintf(path, sizeof(path), "sim/ctl");
		break;
	case 'p':
	case 'o':
	case 'a':
		p++;
		k = take_number(&p, end);
		snprintf(path, sizeof(path), "proc/%d/%s", k < 0 ? last_pid : nth_pid(k),
			 sel == 'p' ? "ctl" : sel == 'o' ? "oom_score_adj" : "oom_adj");
		break;
	case 'P':
		p++;
		k = take_number(&p, end);
		snprintf(path, sizeof(path), "proc/%ld/ctl", k <= 0 ? 1 : k);
		break;
	case 'v': {
		const char *q = ++p;

		while (q < end && ((*q >= 'a' && *q <= 'z') || *q == '_'))
			q++;
		n = NULL;
		for (guint i = 0; q > p && i < sysctl_files->len; i++) {
			struct fs_node *s = sysctl_files->pdata[i];

			if (strlen(s->name) == (size_t)(q - p) && !memcmp(s->name, p, (size_t)(q - p)))
				n = s;
		}
		if (n) {
			p = q;
		} else {
			k = take_number(&p, end);
			n = sysctl_files->pdata[(k < 0 ? 0 : k) % sysctl_files->len];
		}
		snprintf(path, sizeof(path), "%s", n->path);
		break;
	}
	default:
		snprintf(path, sizeof(path), "sim/ctl");
		break;
	}
	if (p < end && *p == ' ')
		p++;
	expand_text(p, end, text);

	n = fs_tree_lookup(tree, path, &ctx);
	if (!n) {
		/* a literal PID past what a path holds: nothing to write to */
		if (sel == 'P')
			return;
		fail("lookup", path);
	}
	/* one command line (no newline inside but a trailing one): a refusal
	 * must leave the fingerprint as it was */
	single = !memchr(text->str, '\n', text->len);
	if (opt.refusal && single)
		fingerprint(before);
	g_string_truncate(reply, 0);
	ret = fs_node_write(m, n, &ctx, text->str, text->len, reply);
	verb = text->str + strspn(text->str, " \t");
	verblen = strcspn(verb, " \t\r\n");
	if (opt.verbose) {
		g_autofree char *shown = g_strescape(text->str, NULL);
		g_autofree char *rshown = g_strescape(reply->str, NULL);

		fprintf(stderr, "%s <- '%s': %d%s%s%s\n", path, shown, ret, ret ? " (" : "",
			ret ? g_strerror(-ret) : "", ret ? ")" : "");
		if (reply->len)
			fprintf(stderr, "    reply '%s'\n", rshown);
	}
	if (ret > 0 || ret < -4095)
		fail("writer returned neither 0 nor -errno", path);
	if (!ret)
		harvest(path, verb, verblen);
	if (opt.inv_each_write) {
		g_autofree char *when = g_strdup_printf("after %s <- '%.*s' (%d)", path, (int)MIN(text->len, 200),
							text->str, ret);

		check_invariants(when);
	}
	/* -EFAULT: the process was killed by SIGSEGV, which is a change; ENOMEM
	 * from a load/store or a populating call: the pages faulted before the
	 * failure stay, as in Linux */
	if (opt.refusal && single && ret && ret != -EFAULT &&
	    !(ret == -ENOMEM && ((verblen == 4 && !strncmp(verb, "read", 4)) ||
				 (verblen == 5 && !strncmp(verb, "write", 5))))) {
		fingerprint(after);
		if (strcmp(before->str, after->str)) {
			g_autofree char *d = first_diff(before->str, after->str);
			g_autofree char *msg = g_strdup_printf("%s <- '%.*s' refused (%s) but changed %s", path,
							       (int)MIN(text->len, 200), text->str, g_strerror(-ret), d);

			fail("refused write changed the model", msg);
		}
	}
}

static void render_all(void)
{
	GArray *pids;

	for (guint i = 0; i < fixed_files->len; i++) {
		struct fs_node *n = fixed_files->pdata[i];
		struct fs_ctx ctx = n->ctx;

		g_string_truncate(out, 0);
		render_node(n, &ctx, out);
	}
	pids = task_pids(m);
	for (guint i = 0; i < pids->len; i++) {
		int pid = g_array_index(pids, int, i);

		for (guint j = 0; j < pid_files->len; j++) {
			struct fs_node *n = pid_files->pdata[j];
			struct fs_ctx ctx = n->ctx;

			ctx.pid = pid;
			ctx.tid = strstr(n->path, "{TID}") ? pid : -1;
			g_string_truncate(out, 0);
			if (fs_node_render(m, n, &ctx, out))
				fail("a live task's file would not render", n->path);
		}
	}
	g_array_free(pids, TRUE);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *end = p + size;

	if (!m)
		machine_new();
	inputs_on_machine++;
	if (opt.recreate > 1)
		g_ptr_array_add(history, g_bytes_new(data, size));
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;

		if (le > p)
			run_line(p, le);
		p = le + 1;
	}
	check_invariants("after the input");
	if (opt.render)
		render_all();
	/* FUZZ_RECREATE=1: made and destroyed within the input, so libFuzzer's
	 * leak check sees every allocation of the input freed */
	if (inputs_on_machine >= opt.recreate)
		machine_gone();
	return 0;
}
