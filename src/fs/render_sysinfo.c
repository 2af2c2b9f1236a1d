/*
 * The files that describe the kernel rather than its memory: proc/version
 * (fs/proc/version.c), proc/filesystems (fs/filesystems.c) and
 * proc/sys/kernel/threads-max (kernel/fork.c), and the CPU topology masks
 * sys/devices/system/cpu/cpuN/topology/ (drivers/base/topology.c).
 *
 * Simplifies: the file systems are those a Debian kernel of 6.18 has
 * registered after boot, in registration order, whatever the model uses.
 */
#include "layout_handlers.h"
#include "render_util.h"
#include "mmsim/task_info.h"

/* version_proc_show: linux_proc_banner with the build's compiler */
void render_version(struct machine *m, const struct fs_ctx *ctx, GString *out)
{
	(void)m;
	(void)ctx;
	g_string_append_printf(out,
			       "Linux version %s (mmsim@mmsim) (gcc (Debian 12.2.0-14) 12.2.0, "
			       "GNU ld (GNU Binutils for Debian) 2.40) #1 SMP PREEMPT_DYNAMIC mmsim %s\n",
			       MMSIM_UTS_RELEASE, MMSIM_VERSION);
}

static const char *const filesystems[] = {
	"nodev\tsysfs", "nodev\ttmpfs", "nodev\tbdev", "nodev\tproc", "nodev\tcgroup", "nodev\tcgroup2",
	"nodev\tcpuset", "nodev\tdevtmpfs", "nodev\tconfigfs", "nodev\tdebugfs", "nodev\ttracefs",
	"nodev\tsecurityfs", "nodev\tsockfs", "nodev\tbpf", "nodev\tpipefs", "nodev\tramfs",
	"nodev\thugetlbfs", "nodev\tdevpts", "\text3", "\text2", "\text4", "nodev\tautofs",
	"nodev\tmqueue", "nodev\tpstore", "nodev\tbinfmt_misc",
};

/* filesystems_proc_show: "nodev" for those without a block device */
void render_filesystems(struct machine *m, const struct fs_ctx *ctx, GString *out)
{
	(void)m;
	(void)ctx;
	for (size_t i = 0; i < G_N_ELEMENTS(filesystems); i++)
		g_string_append_printf(out, "%s\n", filesystems[i]);
}

/* threads-max: max_threads as set_max_threads computed it at boot */
void render_threads_max(struct machine *m, const struct fs_ctx *ctx, GString *out)
{
	(void)ctx;
	g_string_append_printf(out, "%lu\n", max_threads(m));
}

/*
 * drivers/base/topology.c: a CPU's siblings as a mask or, for a name
 * ending in _list, a list.  One thread per core and one cluster per core:
 * thread_siblings, core_cpus and cluster_cpus hold the CPU alone; a
 * package is a node, so core_siblings, package_cpus and die_cpus hold the
 * node's CPUs.
 */
void render_cpu_topology_mask(struct machine *m, const struct fs_ctx *ctx, GString *out)
{
	unsigned char bits[BITMAP_BYTES(NR_CPUS)] = { 0 };
	bool package = g_str_has_prefix(ctx->name, "core_siblings") || g_str_has_prefix(ctx->name, "package_cpus") ||
		       g_str_has_prefix(ctx->name, "die_cpus");

	for (int cpu = 0; cpu < m->nr_cpus; cpu++)
		if (cpu == ctx->cpu || (package && cpu_to_node(m, cpu) == cpu_to_node(m, ctx->cpu)))
			bitmap_set_bit(bits, cpu);
	if (g_str_has_suffix(ctx->name, "_list"))
		render_cpulist(out, bits, m->nr_cpus);
	else
		render_cpumask(out, bits, m->nr_cpus);
	g_string_append_c(out, '\n');
}
