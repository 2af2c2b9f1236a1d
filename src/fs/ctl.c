/*
 * sim/ctl: the machine's commands, and the runner every ctl file shares
 * (ctl.h).  Each line is parsed (ctl_parse.c), its arguments checked
 * completely, and only then is one engine function called, so a refused
 * command leaves the model as it was.  A refusal is the errno Linux would
 * give plus one line in sim/log.
 */
#include <errno.h>
#include <string.h>

#include "ctl.h"
#include "ctl_slab.h"
#include "ctl_state.h"
#include "layout_handlers.h"
#include "mmsim/gfp.h"

/* Largest count= of one alloc_pages: its reply holds one handle each */
#define CTL_MAX_COUNT (1u << 20)

#define TICK_MAX_NS (30ULL * 24 * 3600 * NSEC_PER_SEC)

static int ctl_tick(struct machine *m, const struct fs_ctx *ctx, struct ctl_cmd *cmd, GString *reply,
		    const char **why)
{
	uint64_t ns;

	(void)ctx;
	if (cmd->nargs != 1 || !ctl_parse_duration_ns(cmd->args[0], &ns)) {
		*why = "usage: tick DURATION (e.g. 5s, 250ms)";
		return -EINVAL;
	}
	if (!m->cfg.manual_clock) {
		*why = "tick needs --clock=manual: time follows the wall clock";
		return -EINVAL;
	}
	/* the kernel threads' periodic work runs step by step: a month of
	 * it takes about a second, so one tick is at most 30 days */
	if (ns > TICK_MAX_NS) {
		*why = "one tick is at most 30 days (2592000s)";
		return -EINVAL;
	}
	machine_advance(m, ns);
	g_string_append_printf(reply, "%lu.%06lu", (unsigned long)(m->now_ns / NSEC_PER_SEC),
			       (unsigned long)(m->now_ns % NSEC_PER_SEC / 1000));
	return 0;
}

static bool parse_int_opt(struct ctl_cmd *cmd, const char *key, uint64_t max, uint64_t *out)
{
	const char *v = ctl_opt(cmd, key);

	if (!v)
		return true;
	return ctl_parse_u64(v, out) && *out <= max;
}

/* The first CPU of a node: kernel allocations from sim/ctl run there */
static int node_first_cpu(struct machine *m, int nid)
{
	for (int cpu = 0; cpu < m->nr_cpus; cpu++)
		if (cpu_to_node(m, cpu) == nid)
			return cpu;
	return 0;
}

static int ctl_alloc_pages(struct machine *m, const struct fs_ctx *ctx, struct ctl_cmd *cmd, GString *reply,
			   const char **why)
{
	static const struct { const char *name; gfp_t gfp; } types[] = {
		{ "unmovable", GFP_KERNEL },
		{ "movable", GFP_HIGHUSER_MOVABLE },
		{ "reclaimable", GFP_KERNEL | __GFP_RECLAIMABLE },
	};
	uint64_t order, count = 1, node = 0;
	const char *type = ctl_opt(cmd, "type");
	gfp_t gfp = GFP_KERNEL;
	bool node_given = ctl_opt(cmd, "node") != NULL;
	GArray *done;
	int cpu, err = 0;

	(void)ctx;
	if (cmd->nargs != 1 || !ctl_parse_u64(cmd->args[0], &order) || order > MAX_PAGE_ORDER) {
		*why = "usage: alloc_pages ORDER (0..10) [count=N] [node=N] [type=unmovable|movable|reclaimable]";
		return -EINVAL;
	}
	if (!parse_int_opt(cmd, "count", CTL_MAX_COUNT, &count) || count == 0) {
		*why = "count must be 1..1048576";
		return -EINVAL;
	}
	if (!parse_int_opt(cmd, "node", (uint64_t)m->nr_nodes - 1, &node)) {
		*why = "no such node";
		return -EINVAL;
	}
	if (type) {
		size_t i;

		for (i = 0; i < G_N_ELEMENTS(types) && strcmp(types[i].name, type); i++)
			;
		if (i == G_N_ELEMENTS(types)) {
			*why = "type must be unmovable, movable or reclaimable";
			return -EINVAL;
		}
		gfp = types[i].gfp;
	}
	if (ctl_unused_opt(cmd)) {
		*why = "unknown option";
		return -EINVAL;
	}
	if (order)
		gfp |= __GFP_COMP;
	cpu = node_first_cpu(m, node_given ? (int)node : 0);
	done = g_array_new(FALSE, FALSE, sizeof(long));
	for (uint64_t i = 0; i < count; i++) {
		long pfn = __alloc_pages(m, gfp, (unsigned int)order, node_given ? (int)node : -1, cpu);

		if (pfn < 0) {
			err = (int)pfn;
			break;
		}
		g_array_append_val(done, pfn);
	}
	if (err) {
		/* all or nothing: give back what this command took */
		for (guint i = 0; i < done->len; i++)
			__free_pages(m, (unsigned long)g_array_index(done, long, i), (unsigned int)order, cpu);
		*why = "out of memory";
	} else {
		for (guint i = 0; i < done->len; i++) {
			long pfn = g_array_index(done, long, i);

			ctl_pages_add(m, (unsigned long)pfn, (unsigned int)order);
			g_string_append_printf(reply, "%s0x%lx", i ? " " : "", (unsigned long)pfn);
		}
	}
	g_array_free(done, TRUE);
	return err;
}

static int ctl_free_pages(struct machine *m, const struct fs_ctx *ctx, struct ctl_cmd *cmd, GString *reply,
			  const char **why)
{
	uint64_t pfn;
	unsigned int v;

	(void)ctx;
	if (cmd->nargs != 1 || cmd->nopts || !ctl_parse_hex(cmd->args[0], &pfn)) {
		*why = "usage: free_pages HANDLE (a 0x... handle from alloc_pages)";
		return -EINVAL;
	}
	v = ctl_pages_lookup(m, pfn);
	if (!v) {
		*why = "no allocation has that handle";
		return -EINVAL;
	}
	ctl_pages_remove(m, pfn);
	__free_pages(m, pfn, v - 1, node_first_cpu(m, __pfn_to_section(m, pfn)->nid));
	g_string_append(reply, "ok");
	return 0;
}

static int ctl_drain_pages(struct machine *m, const struct fs_ctx *ctx, struct ctl_cmd *cmd, GString *reply,
			   const char **why)
{
	uint64_t cpu = 0;
	bool one = ctl_opt(cmd, "cpu") != NULL;

	(void)ctx;
	if (cmd->nargs || !parse_int_opt(cmd, "cpu", (uint64_t)m->nr_cpus - 1, &cpu) || ctl_unused_opt(cmd)) {
		*why = "usage: drain_pages [cpu=N]";
		return -EINVAL;
	}
	if (one)
		drain_local_pages(m, (int)cpu);
	else
		drain_all_pages(m, NULL);
	g_string_append(reply, "ok");
	return 0;
}

int ctl_check_name(const char *name, const char **why)
{
	if (!*name) {
		*why = "empty program name";
		return -EINVAL;
	}
	if (strchr(name, '/')) {
		*why = "a program name, not a path";
		return -EINVAL;
	}
	return 0;
}

int ctl_pid_opt(struct machine *m, struct ctl_cmd *cmd, int *pid, const char **why)
{
	const char *v = ctl_opt(cmd, "pid");
	uint64_t n;

	*pid = 0;
	if (!v)
		return 0;
	/* alloc_pid: a requested PID must lie in 1 .. pid_max-1 */
	if (!ctl_parse_u64(v, &n) || n < 1 || n >= (uint64_t)m->pid_max) {
		*why = "pid= must be 1 .. pid_max-1 (proc/sys/kernel/pid_max)";
		return -EINVAL;
	}
	if (find_task_by_pid(m, (int)n)) {
		*why = "that PID is taken";
		return -EEXIST;
	}
	*pid = (int)n;
	return 0;
}

int ctl_not_modelled(struct machine *m, const struct fs_ctx *ctx, struct ctl_cmd *cmd, GString *reply,
		     const char **why)
{
	(void)m;
	(void)ctx;
	(void)cmd;
	(void)reply;
	*why = "not modelled yet";
	return -EINVAL;
}

static int ctl_spawn(struct machine *m, const struct fs_ctx *ctx, struct ctl_cmd *cmd, GString *reply,
		     const char **why)
{
	const char *cgroup = ctl_opt(cmd, "cgroup"), *vcpu = ctl_opt(cmd, "cpu");
	struct task_struct *t = NULL;
	uint64_t cpu = 0;
	int pid, err;

	(void)ctx;
	if (cmd->nargs != 1) {
		*why = "usage: spawn NAME [pid=N] [cgroup=PATH] [cpu=N]";
		return -EINVAL;
	}
	if (vcpu && (!ctl_parse_u64(vcpu, &cpu) || cpu >= (uint64_t)m->nr_cpus)) {
		*why = "cpu= is a CPU of the machine (0 .. CPUs-1)";
		return -EINVAL;
	}
	err = ctl_check_name(cmd->args[0], why);
	if (err)
		return err;
	err = ctl_pid_opt(m, cmd, &pid, why);
	if (err)
		return err;
	if (cgroup && cgroup[0] != '/') {
		*why = "cgroup= is a path from the cgroup root, starting with /";
		return -EINVAL;
	}
	if (ctl_unused_opt(cmd)) {
		*why = "unknown option";
		return -EINVAL;
	}
	err = sys_spawn_on(m, cmd->args[0], pid, cgroup, vcpu ? (int)cpu : -1, &t);
	if (err < 0) {
		*why = err == -ENOMEM ? "out of memory" : err == -EAGAIN ? "no free PID" : "refused by the kernel";
		return err;
	}
	g_string_append_printf(reply, "%d", t ? t->pid : err);
	return 0;
}

static const struct ctl_command ctl_commands[] = {
	{ "spawn", ctl_spawn, "spawn NAME [pid=N] [cgroup=PATH] [cpu=N]",
	  "a new process, as if a shell had started program NAME (text, data, heap, libraries, stack); "
	  "cpu= pins it to that CPU (and so its node), as taskset -c; replies its PID" },
	{ "tick", ctl_tick, "tick DURATION",
	  "advance simulated time (manual clock only; at most 30 days at once); replies the new time" },
	{ "alloc_pages", ctl_alloc_pages, "alloc_pages ORDER [count=N] [node=N] [type=unmovable|movable|reclaimable]",
	  "kernel allocations of 2^ORDER pages from the buddy allocator; replies a handle (0x PFN) each" },
	{ "free_pages", ctl_free_pages, "free_pages HANDLE", "free an alloc_pages allocation" },
	{ "drain_pages", ctl_drain_pages, "drain_pages [cpu=N]",
	  "return per-cpu list pages to the buddy lists (drain_all_pages)" },
	{ "file", ctl_file, "file PATH SIZE",
	  "create a file on the simulated disk (under /dev/shm: a shmem file), or resize it (its cache past "
	  "the new end goes); replies ok" },
	{ "rmfile", ctl_rmfile, "rmfile PATH",
	  "delete a file; its page cache goes, unless a process maps it (then maps shows it (deleted))" },
	{ "swapon", ctl_swapon, "swapon PATH SIZE [prio=N]",
	  "swapon(2) of a new swap device of SIZE (PATH under /dev/: a partition, else a file); prio= 0..32767, "
	  "default -2, -3, ..." },
	{ "swapoff", ctl_swapoff, "swapoff PATH", "swapoff(2) of a swap device" },
	{ "kmalloc", ctl_kmalloc, "kmalloc SIZE [count=N]",
	  "slab allocations from the kmalloc caches (above 8 KiB from the page allocator); replies a handle each" },
	{ "kfree", ctl_kfree, "kfree HANDLE", "free a kmalloc allocation" },
	{ "kmem_cache_create", ctl_kmem_cache_create, "kmem_cache_create NAME SIZE",
	  "a named slab cache (merged into a compatible one as SLUB does: see its aliases)" },
	{ "kmem_cache_alloc", ctl_kmem_cache_alloc, "kmem_cache_alloc NAME [count=N]",
	  "objects from a named cache; replies a handle each" },
	{ "kmem_cache_free", ctl_kmem_cache_free, "kmem_cache_free HANDLE", "free a kmem_cache_alloc object" },
	{ "kmem_cache_destroy", ctl_kmem_cache_destroy, "kmem_cache_destroy NAME",
	  "destroy a cache made by kmem_cache_create (EBUSY while its objects remain)" },
	{ "vmalloc", ctl_vmalloc, "vmalloc SIZE", "virtually contiguous kernel memory; replies its address" },
	{ "vrealloc", ctl_vrealloc, "vrealloc ADDR SIZE",
	  "resize a vmalloc area: in place while the area holds SIZE, else moved; replies the address" },
	{ "vfree", ctl_vfree, "vfree ADDR", "free a vmalloc area" },
	{ "kvmalloc", ctl_kvmalloc, "kvmalloc SIZE",
	  "kmalloc, falling back to vmalloc; replies the address (free it with kfree or vfree)" },
};

void ctl_render_help(const struct ctl_command *cmds, size_t ncmds, GString *out)
{
	for (size_t i = 0; i < ncmds; i++)
		g_string_append_printf(out, "%-80s %s\n", cmds[i].usage, cmds[i].help);
}

void render_ctl(struct machine *m, const struct fs_ctx *ctx, GString *out)
{
	(void)m;
	(void)ctx;
	ctl_render_help(ctl_commands, G_N_ELEMENTS(ctl_commands), out);
}

/* The command as the log shows it: printable ASCII as is, the rest as
 * \xNN (the kernel's %*pE), at most 200 bytes */
static char *ctl_escape(const char *line, size_t len)
{
	GString *s = g_string_new(NULL);

	for (size_t i = 0; i < len && i < 200; i++) {
		unsigned char c = (unsigned char)line[i];

		if (c >= 0x20 && c < 0x7f && c != '\\')
			g_string_append_c(s, (char)c);
		else
			g_string_append_printf(s, "\\x%02x", c);
	}
	if (len > 200)
		g_string_append(s, "...");
	return g_string_free(s, FALSE);
}

/* A line of blanks only (the buffer is not NUL-terminated) */
static bool ctl_blank(const char *line, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (line[i] != ' ' && line[i] != '\t' && line[i] != '\r')
			return false;
	return true;
}

static int ctl_run_line(struct machine *m, const struct ctl_command *cmds, size_t ncmds,
			const struct fs_ctx *ctx, const char *who, const char *line, size_t len, GString *reply)
{
	struct ctl_cmd *cmd = g_new(struct ctl_cmd, 1);
	const char *why = NULL;
	int err;

	/* counted before the parser trims trailing blanks: however the kernel
	 * cuts a write, a line is whole or too long */
	if (len > CTL_MAX_LINE) {
		why = "line too long (at most " G_STRINGIFY(CTL_MAX_LINE) " bytes)";
		err = -EINVAL;
	} else {
		err = ctl_parse_line(line, len, cmd, &why);
	}
	if (!err) {
		size_t i;

		for (i = 0; i < ncmds && strcmp(cmds[i].verb, cmd->verb); i++)
			;
		if (i == ncmds) {
			why = "unknown command";
			err = -EINVAL;
		} else {
			gsize mark = reply->len;

			err = cmds[i].fn(m, ctx, cmd, reply, &why);
			if (err)
				g_string_truncate(reply, mark);
			else
				g_string_append_c(reply, '\n');
		}
	}
	if (err) {
		g_autofree char *shown = ctl_escape(line, len);

		printk(m, "%s: '%s' refused: %s (%s)", who, shown, why ? why : "invalid", g_strerror(-err));
	}
	g_free(cmd);
	return err;
}

int ctl_run(struct machine *m, const struct ctl_command *cmds, size_t ncmds, const struct fs_ctx *ctx,
	    const char *who, const char *buf, size_t len, GString *reply)
{
	struct fs_write *w = ctx->write;
	bool ran = false;
	size_t pos = 0;

	if (w)
		w->done = 0;
	while (pos < len) {
		const char *nl = memchr(buf + pos, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - (buf + pos)) : len - pos;
		int err;

		/* a last line without its newline that may go on in the next
		 * request is not taken: the writer sends it again (a short
		 * write), so it runs whole or is refused whole */
		if (!nl && w && w->more && n <= CTL_MAX_LINE)
			break;
		if (n <= CTL_MAX_LINE && ctl_blank(buf + pos, n)) {
			pos += nl ? n + 1 : n;
			if (w)
				w->done = pos;
			continue;
		}
		/* a long batch yields between its commands; the writer's
		 * signal or the daemon's end (SIGTERM) stops it, as a signal
		 * stops a long loop in the kernel */
		if (ran && w && w->cond_resched) {
			err = w->cond_resched();
			if (err) {
				g_autofree char *shown = ctl_escape(buf + pos, n);

				printk(m, "%s: write interrupted before '%s' (%s)", who, shown, g_strerror(-err));
				return err;
			}
		}
		/* after a kernel panic (panic_on_oom) the machine runs nothing more */
		if (m->panicked) {
			printk(m, "%s: write refused: the machine has panicked (%s)", who, g_strerror(EIO));
			return -EIO;
		}
		/* the command checks the invariants once, when it is done:
		 * the kernel work it causes (reclaim, I/O completions) is not
		 * checked step by step (--debug-vm would be quadratic) */
		machine_debug_batch_begin(m);
		err = ctl_run_line(m, cmds, ncmds, ctx, who, buf + pos, n, reply);
		sched_flush(m);
		machine_debug_batch_end(m, who);
		if (err)
			return err;
		ran = true;
		pos += nl ? n + 1 : n;
		if (w)
			w->done = pos;
	}
	return 0;
}

/* A write holds one or more lines, run in order up to the first failure */
int write_ctl(struct machine *m, const struct fs_ctx *ctx, const char *buf, size_t len, GString *reply)
{
	return ctl_run(m, ctl_commands, G_N_ELEMENTS(ctl_commands), ctx, "sim/ctl", buf, len, reply);
}
