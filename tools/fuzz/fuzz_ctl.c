/*
 * libFuzzer harness for everything a user can write to mmsimd: sim/ctl,
 * proc/PID/ctl, proc/PID/oom_score_adj, proc/PID/oom_adj and the
 * proc/sys/vm sysctls.  The writes go through the same path table and
 * contexts as the daemon (fs_tree_lookup + fs_node_write, what
 * fuse_rw.c's write does under the model lock); no FUSE.
 *
 * The rule under test: nothing the daemon receives may crash it, a refused
 * command leaves the model unchanged, and machine_check_invariants() holds
 * (checked after every input, or every write).  After each input the
 * harness also checks that nr_mlock counts the pages locked VMAs map, and
 * renders every file of the tree (the fixed ones and the proc/PID/ files of
 * the live tasks).
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
 *   ?PATH        with FUZZ_VERBOSE=1, print the file PATH (reading reproducers)
 *   # ...        ignored (comments); "#--" runs the end-of-input checks
 *                (history files mark where each input ended with it)
 *   else         the whole line to sim/ctl
 *
 * In TEXT, "$h" / "$hK" becomes the last (K-th last) handle alloc_pages
 * replied, and "$a" / "$aK" the last (K-th last) 0x address a proc ctl
 * replied (mmap, malloc, brk), "$A" / "$AK" the page that address is in:
 * the fuzzer cannot guess PFNs or addresses.
 *
 * Environment (read once):
 *   FUZZ_NODES=1|2        NUMA nodes of the machine (default 1)
 *   FUZZ_RECREATE=N       a new machine every N inputs (default 1: every
 *                         input starts from a fresh machine, so a crash
 *                         file alone reproduces; N > 1 keeps state across
 *                         inputs and writes the inputs run on the machine
 *                         to fuzz-history-PID.txt, removed at a clean exit:
 *                         the reproducer of whatever killed the process)
 *   FUZZ_RENDER=0         skip rendering the tree after each input
 *   FUZZ_RENDER_ALL=0|1   render the proc/PID files of every task (default
 *                         with FUZZ_RECREATE=1), or only of the tasks the
 *                         input touched, init and one more in turn
 *   FUZZ_REFUSAL=0        skip the "refused command changes nothing" check
 *   FUZZ_REFUSAL=strict   ... and check it for mlock's ENOMEM too
 *   FUZZ_MAX_TICK=SECONDS a sim/ctl write with a longer tick is not sent
 *                         (default 86400: simulated time costs about a
 *                         microsecond a second in this build; sim/ctl
 *                         takes up to 30 days)
 *   FUZZ_MLOCK=0          skip the check after each input that nr_mlock
 *                         counts exactly the pages some VM_LOCKED VMA maps
 *   FUZZ_VERBOSE=1        print every write, its result and reply to stderr
 *   FUZZ_NO_ABORT=1       a failed check ends the input, not the process
 *                         (its machine is leaked): for coverage runs
 *   FUZZ_INVARIANTS=write check invariants after each write too (default:
 *                         after each input; a walk of every page, slow)
 */
#include <errno.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>
#include <sanitizer/common_interface_defs.h>

#include "ctl_parse.h"
#include "ctl_state.h"
#include "layout_handlers.h"
#include "mmsim/machine.h"
#include "mmsim/slab.h"
#include "render.h"
#include "tree.h"

/* libFuzzer's entry points */
int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define RING 8

static struct {
	int nodes;
	int recreate;
	bool render;
	bool render_every_pid;
	bool refusal;
	bool refusal_strict;
	bool verbose;
	bool inv_each_write;
	uint64_t max_tick_ns;
	bool mlock_check;
	bool no_abort;
} opt;

static jmp_buf input_jmp; /* FUZZ_NO_ABORT: where a failed input ends */

static struct machine *m;
static struct fs_tree *tree;
static int inputs_on_machine;
static int last_pid;
static char handles[RING][24];
static char addrs[RING][24];
static int nhandles, naddrs;
static FILE *history;     /* FUZZ_RECREATE > 1: the inputs run on this machine */
static char history_path[64];
static GPtrArray *fixed_files, *pid_files, *sysctl_files; /* of struct fs_node * */
static GString *reply, *out, *before, *after;
static int touched[64], ntouched; /* PIDs this input wrote to or made */

static void touch(int pid)
{
	for (int i = 0; i < ntouched; i++)
		if (touched[i] == pid)
			return;
	if (pid > 0 && ntouched < (int)G_N_ELEMENTS(touched))
		touched[ntouched++] = pid;
}

static int env_int(const char *name, int dflt)
{
	const char *v = getenv(name);

	return v && *v ? atoi(v) : dflt;
}

static void dump_history(const char *why)
{
	if (history)
		fprintf(stderr, "fuzz_ctl: %s; the inputs since the machine was made are in %s (FUZZ_NODES=%d)\n",
			why, history_path, opt.nodes);
}

/* A clean exit: no history to keep */
static void history_drop(void)
{
	if (history) {
		fclose(history);
		history = NULL;
		unlink(history_path);
	}
}

/* FUZZ_RECREATE > 1: every input goes to the history file as it starts,
 * so whatever ends the process (a timeout, a signal) leaves it behind */
static void history_restart(void)
{
	static int registered;

	if (opt.recreate <= 1)
		return;
	if (history)
		fclose(history);
	snprintf(history_path, sizeof(history_path), "fuzz-history-%d.txt", (int)getpid());
	history = fopen(history_path, "w");
	if (!registered++)
		atexit(history_drop);
	if (history)
		fprintf(history, "# FUZZ_NODES=%d: the inputs run on one machine, in order\n", opt.nodes);
}

static void history_add(const uint8_t *data, size_t size)
{
	if (!history)
		return;
	fprintf(history, "#-- input %d\n", inputs_on_machine);
	fwrite(data, 1, size, history);
	if (size && data[size - 1] != '\n')
		fputc('\n', history);
	fflush(history);
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
	if (opt.no_abort)
		longjmp(input_jmp, 1);
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
	history_restart();
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
	opt.render_every_pid = env_int("FUZZ_RENDER_ALL", opt.recreate == 1) != 0;
	opt.refusal = !getenv("FUZZ_REFUSAL") || strcmp(getenv("FUZZ_REFUSAL"), "0");
	opt.refusal_strict = getenv("FUZZ_REFUSAL") && !strcmp(getenv("FUZZ_REFUSAL"), "strict");
	opt.verbose = env_int("FUZZ_VERBOSE", 0) != 0;
	opt.mlock_check = env_int("FUZZ_MLOCK", 1) != 0;
	opt.no_abort = env_int("FUZZ_NO_ABORT", 0) != 0;
	opt.max_tick_ns = (uint64_t)env_int("FUZZ_MAX_TICK", 86400) * NSEC_PER_SEC;
	opt.inv_each_write = getenv("FUZZ_INVARIANTS") && !strcmp(getenv("FUZZ_INVARIANTS"), "write");
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

/* Drop the lines of s that start with key */
static void strip_lines(GString *s, const char *key)
{
	char *p;

	while ((p = strstr(s->str, key)) && (p == s->str || p[-1] == '\n')) {
		size_t n = strcspn(p, "\n");

		g_string_erase(s, p - s->str, (gssize)(n + (p[n] == '\n')));
	}
}

/*
 * The state a refused write must leave alone: memory counters, the
 * sysctls, every task's identity and mm counters, and the written-to
 * process's address space in full.  Event counters (vmstat's pgalloc,
 * pgfault ...) and the log may move: they count attempts.
 */
static void fingerprint(GString *s, int target_pid)
{
	GArray *pids = task_pids(m);
	const unsigned char *raw = (const unsigned char *)&m->sysctl;

	g_string_truncate(s, 0);
	render_path("proc/meminfo", s);
	/* a refused allocation gives its pages back to the per-cpu lists, which
	 * MemFree does not count (nor does Linux's): compare free + pcp */
	strip_lines(s, "MemFree:");
	strip_lines(s, "MemAvailable:");
	for_each_online_node(m, nid) {
		for_each_zone_in_node(NODE_DATA(m, nid), z) {
			long pcp = 0;

			if (!z->per_cpu_pageset)
				continue;
			for (int cpu = 0; cpu < m->nr_cpus; cpu++)
				pcp += z->per_cpu_pageset[cpu].count;
			g_string_append_printf(s, "node %d zone %ld free+pcp %ld\n", nid,
					       (long)(z - NODE_DATA(m, nid)->node_zones),
					       (long)z->vm_stat[NR_FREE_PAGES] + pcp);
		}
	}
	g_string_append_printf(s, "kalloc %u committed %ld\nsysctl ", g_hash_table_size(ctl_state(m)->pages),
			       m->vm_committed_as);
	for (size_t i = 0; i < sizeof(m->sysctl); i++)
		g_string_append_printf(s, "%02x", raw[i]);
	g_string_append(s, "\n== tasks\n");
	for (guint i = 0; i < pids->len; i++) {
		struct task_struct *t = find_task_by_pid(m, g_array_index(pids, int, i));
		struct mm_struct *mm = t->mm;

		g_string_append_printf(s, "task %d tgid %d state %c comm %s adj %d", t->pid, t->tgid, t->state,
				       t->comm, t->oom_score_adj);
		if (mm) {
			g_string_append_printf(s, " maps %d vm %lu locked %lu data %lu stack %lu brk %lx-%lx commit %lu rss",
					       mm->map_count, mm->total_vm, mm->locked_vm, mm->data_vm, mm->stack_vm,
					       mm->start_brk, mm->brk, mm->committed);
			for (int j = 0; j < NR_MM_COUNTERS; j++)
				g_string_append_printf(s, " %ld", mm->rss_stat[j]);
		}
		g_string_append_c(s, '\n');
	}
	g_array_free(pids, TRUE);
	if (target_pid > 0 && find_task_by_pid(m, target_pid)) {
		static const char *const per_pid[] = { "maps", "smaps_rollup", "status" };

		for (size_t j = 0; j < G_N_ELEMENTS(per_pid); j++) {
			char path[64];

			snprintf(path, sizeof(path), "proc/%d/%s", target_pid, per_pid[j]);
			render_path(path, s);
		}
	}
}

/* The first few differing lines of two fingerprints, for the report */
static char *first_diff(const char *a, const char *b)
{
	GString *d = g_string_new(NULL);
	const char *file = "?";
	int shown = 0;

	while ((*a || *b) && shown < 8) {
		size_t la = strcspn(a, "\n"), lb = strcspn(b, "\n");

		if (!strncmp(a, "== ", 3))
			file = a + 3;
		if (la != lb || memcmp(a, b, la)) {
			size_t lf = strcspn(file, "\n");

			g_string_append_printf(d, "\n    %.*s: before '%.*s', after '%.*s'", (int)lf, file, (int)la, a,
					       (int)lb, b);
			shown++;
		}
		a += la + (a[la] != 0);
		b += lb + (b[lb] != 0);
	}
	return g_string_free(d, FALSE);
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
	/* by hand: ASan's strstr measures the whole rest of the string at each
	 * call, quadratic over the million handles one alloc_pages may reply */
	for (const char *p = r; *p; p++) {
		size_t n;

		if (p[0] != '0' || p[1] != 'x')
			continue;
		n = strspn(p + 2, "0123456789abcdef") + 2;
		if (sim)
			remember(handles, &nhandles, p, n);
		else
			remember(addrs, &naddrs, p, n);
		p += n - 1;
	}
}

/* $h/$a substitution; NUL bytes pass through (the ctl runner refuses them) */
static void expand_text(const char *p, const char *end, GString *buf)
{
	g_string_truncate(buf, 0);
	while (p < end) {
		if (*p == '$' && p + 1 < end && (p[1] == 'h' || p[1] == 'a' || p[1] == 'A')) {
			bool h = p[1] == 'h';
			const char *q = p + 2;
			long k = take_number(&q, end);
			int n = h ? nhandles : naddrs;

			if (n) {
				const char *v = (h ? handles : addrs)[(k < 0 ? 0 : k) % n];

				if (p[1] == 'A') /* the page the address is in */
					g_string_append_printf(buf, "0x%llx", strtoull(v, NULL, 16) & ~0xfffULL);
				else
					g_string_append(buf, v);
				p = q;
				continue;
			}
		}
		g_string_append_c(buf, *p == 0x1e ? '\n' : *p);
		p++;
	}
}

/* A tick longer than FUZZ_MAX_TICK in any line of the write */
static bool long_tick(const GString *text)
{
	static struct ctl_cmd cmd;
	const char *p = text->str, *end = p + text->len;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		const char *why;
		uint64_t ns;

		if (n <= CTL_MAX_LINE && !memchr(p, '\0', n) && !ctl_parse_line(p, n, &cmd, &why) &&
		    !strcmp(cmd.verb, "tick") && cmd.nargs == 1 && ctl_parse_duration_ns(cmd.args[0], &ns) &&
		    ns > opt.max_tick_ns)
			return true;
		p += n + 1;
	}
	return false;
}

static void check_invariants(const char *when)
{
	char *why = machine_check_invariants(m);

	if (why) {
		char *msg = g_strdup_printf("%s: %s", when, why);

		fail("invariant broken", msg);
	}
}

static void render_all(void);

static void note_locked(struct machine *mm_m, struct vm_area_struct *vma, unsigned long addr, pte_t pte,
			void *arg)
{
	(void)mm_m;
	(void)vma;
	(void)addr;
	if (!pte_special(pte))
		g_hash_table_add(arg, GSIZE_TO_POINTER((gsize)pte_pfn(pte)));
}

/* mm/mlock.c: a page is mlocked while any VM_LOCKED VMA maps it */
static void check_mlock(void)
{
	GHashTable *locked = g_hash_table_new(NULL, NULL);
	GArray *pids = task_pids(m);
	long nr_mlock = 0;

	for (guint i = 0; i < pids->len; i++) {
		struct task_struct *t = find_task_by_pid(m, g_array_index(pids, int, i));
		struct vm_area_struct *vma;

		if (!t->mm)
			continue;
		for_each_vma(t->mm, it, vma)
			if (vma->vm_flags & VM_LOCKED)
				walk_page_range(m, vma, vma->vm_start, vma->vm_end, note_locked, locked);
	}
	for_each_online_node(m, nid)
		for_each_zone_in_node(NODE_DATA(m, nid), z)
			nr_mlock += z->vm_stat[NR_MLOCK];
	if (nr_mlock != (long)g_hash_table_size(locked)) {
		g_autofree char *msg = g_strdup_printf("nr_mlock %ld, but VM_LOCKED VMAs map %u pages", nr_mlock,
						       g_hash_table_size(locked));

		fail("mlock accounting", msg);
	}
	g_array_free(pids, TRUE);
	g_hash_table_destroy(locked);
}

static void after_input(void)
{
	check_invariants("after the input");
	if (opt.mlock_check)
		check_mlock();
	if (opt.render)
		render_all();
}

/* Reclaim's footprint: any scan, kswapd run or stall */
static unsigned long reclaim_events(struct machine *mm)
{
	return mm->vm_events[PGSCAN_KSWAPD] + mm->vm_events[PGSCAN_DIRECT] + mm->vm_events[PGREFILL] +
	       mm->vm_events[PAGEOUTRUN];
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
	unsigned long ooms;
	char sel = *p;

	if (!text)
		text = g_string_new(NULL);
	switch (sel) {
	case '?':
		/* "?proc/8/smaps": print a file (when reading a reproducer) */
		if (opt.verbose) {
			g_autofree char *fp = g_strndup(p + 1, (gsize)(end - p - 1));
			struct fs_ctx fctx;
			struct fs_node *fn = fs_tree_lookup(tree, g_strstrip(fp), &fctx);

			g_string_truncate(out, 0);
			if (fn)
				render_node(fn, &fctx, out);
			fprintf(stderr, "== %s\n%s", fp, fn ? out->str : "(no such file)\n");
		}
		return;
	case '#':
		/* "#--" in a history file: the checks that ended an input */
		if (end - p >= 3 && !memcmp(p, "#--", 3))
			after_input();
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
	if (n->entry && n->entry->write == write_ctl && long_tick(text))
		return;
	/* one command line (no newline inside but a trailing one): a refusal
	 * must leave the fingerprint as it was */
	single = !memchr(text->str, '\n', text->len);
	if (opt.refusal && single)
		fingerprint(before, ctx.pid);
	ooms = m->vm_events[OOM_KILL] + reclaim_events(m);
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
	touch(ctx.pid);
	if (!ret) {
		harvest(path, verb, verblen);
		touch(last_pid);
	}
	if (opt.inv_each_write) {
		g_autofree char *when = g_strdup_printf("after %s <- '%.*s' (%d)", path, (int)MIN(text->len, 200),
							text->str, ret);

		check_invariants(when);
	}
	/* -EFAULT: the process was killed by SIGSEGV (or SIGBUS), which is a
	 * change; so is an OOM kill while the command ran (the victim's
	 * command fails with ESRCH, another's with ENOMEM), and reclaim (an
	 * allocation that fails has reclaimed first, as in Linux); ENOMEM from a
	 * load/store, a pread/pwrite, swapoff, fork or spawn: what was done
	 * before the failure stays, as in Linux; ENOMEM from mlock: Linux keeps
	 * VM_LOCKED and what was faulted when __mm_populate fails (checked
	 * too with FUZZ_REFUSAL=strict) */
	if (opt.refusal && single && ret && ret != -EFAULT && m->vm_events[OOM_KILL] + reclaim_events(m) == ooms &&
	    !(ret == -ENOMEM && ((verblen == 4 && !strncmp(verb, "read", 4)) ||
				 (verblen == 5 && !strncmp(verb, "write", 5)) ||
				 (verblen == 5 && !strncmp(verb, "pread", 5)) ||
				 (verblen == 6 && !strncmp(verb, "pwrite", 6)) ||
				 (verblen == 7 && !strncmp(verb, "swapoff", 7)) ||
				 /* copy_process allocates the task's objects and stack
				  * before dup_mmap's charge fails: SLUB and the stack
				  * cache keep what they had, as in Linux */
				 (verblen == 4 && !strncmp(verb, "fork", 4)) ||
				 (verblen == 5 && !strncmp(verb, "spawn", 5)) ||
				 (!opt.refusal_strict && verblen == 5 && !strncmp(verb, "mlock", 5))))) {
		fingerprint(after, ctx.pid);
		if (strcmp(before->str, after->str)) {
			g_autofree char *d = first_diff(before->str, after->str);
			g_autofree char *msg = g_strdup_printf("%s <- '%.*s' refused (%s) but changed %s", path,
							       (int)MIN(text->len, 200), text->str, g_strerror(-ret), d);

			fail("refused write changed the model", msg);
		}
	}
}

static void render_pid(int pid)
{
	for (guint j = 0; j < pid_files->len; j++) {
		struct fs_node *n = pid_files->pdata[j];
		struct fs_ctx ctx = n->ctx;

		if (n->in_cache)
			continue;  /* render_slab_caches */
		ctx.pid = pid;
		ctx.tid = strstr(n->path, "{TID}") ? pid : -1;
		g_string_truncate(out, 0);
		if (fs_node_render(m, n, &ctx, out))
			fail("a live task's file would not render", n->path);
	}
}

/* sys/kernel/slab/CACHE/ of every cache: its directory's files and the
 * link of each of its names */
static void render_slab_caches(void)
{
	GPtrArray *caches = slab_caches(m);

	for (guint i = 0; i < caches->len; i++) {
		const struct kmem_cache *s = caches->pdata[i];

		for (guint j = 0; j < pid_files->len; j++) {
			struct fs_node *n = pid_files->pdata[j];
			struct fs_ctx ctx = n->ctx;

			if (!n->in_cache)
				continue;
			if (n->is_link)
				g_strlcpy(ctx.cache, s->name, sizeof(ctx.cache));
			else
				slab_sysfs_dirname(s, ctx.cache, sizeof(ctx.cache));
			g_string_truncate(out, 0);
			if (fs_node_render(m, n, &ctx, out))
				fail("a slab cache's file would not render", n->path);
		}
	}
	g_ptr_array_free(caches, TRUE);
}

/* Every fixed file; the files of every task (FUZZ_RENDER_ALL=1, the
 * default for FUZZ_RECREATE=1), or else of the tasks the input wrote to or
 * made, init, and one more in turn */
static void render_all(void)
{
	GArray *pids = task_pids(m);

	for (guint i = 0; i < fixed_files->len; i++) {
		struct fs_node *n = fixed_files->pdata[i];
		struct fs_ctx ctx = n->ctx;

		g_string_truncate(out, 0);
		render_node(n, &ctx, out);
	}
	render_slab_caches();
	if (opt.render_every_pid) {
		for (guint i = 0; i < pids->len; i++)
			render_pid(g_array_index(pids, int, i));
	} else {
		touch(1);
		if (pids->len)
			touch(g_array_index(pids, int, (guint)inputs_on_machine % pids->len));
		for (int i = 0; i < ntouched; i++)
			if (find_task_by_pid(m, touched[i]))
				render_pid(touched[i]);
	}
	g_array_free(pids, TRUE);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *end = p + size;

	if (!m)
		machine_new();
	if (setjmp(input_jmp)) {
		/* FUZZ_NO_ABORT: the input failed a check; its machine is left
		 * behind as it is (destroying it could fail too) */
		g_ptr_array_free(fixed_files, TRUE);
		g_ptr_array_free(pid_files, TRUE);
		g_ptr_array_free(sysctl_files, TRUE);
		tree = NULL;
		m = NULL;
		return 0;
	}
	inputs_on_machine++;
	ntouched = 0;
	history_add(data, size);
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;

		if (le > p)
			run_line(p, le);
		p = le + 1;
	}
	after_input();
	/* FUZZ_RECREATE=1: made and destroyed within the input, so libFuzzer's
	 * leak check sees every allocation of the input freed */
	if (inputs_on_machine >= opt.recreate)
		machine_gone();
	return 0;
}
