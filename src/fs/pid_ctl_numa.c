/*
 * proc/PID/ctl's NUMA commands: sched_setaffinity CPULIST, set_mempolicy
 * POLICY and mbind TARGET POLICY.  A POLICY is `default` or `local`, or
 * one of the options bind=NODES, preferred=NODE, preferred-many=NODES,
 * interleave=NODES, weighted-interleave=NODES; the words `static` and
 * `relative` add the mode flags, `move` and `strict` mbind's flags.
 * NODES and CPULIST are lists as the kernel's bitmap_parselist reads them
 * ("0-1,3").  Nodes and CPUs the machine lacks are dropped as the system
 * calls drop them: nothing left is EINVAL.
 */
#include <errno.h>
#include <string.h>

#include "pid_ctl.h"
#include "mmsim/mempolicy.h"

/* The kernel's MAX_NUMNODES (CONFIG_NODES_SHIFT=10): a node number at or
 * above it is outside any nodemask the system call takes */
#define USER_MAX_NUMNODES 1024
/* The widest CPU mask the command reads */
#define USER_MAX_CPUS 4096

struct policy_words {
	int mode;
	unsigned int mode_flags;
	nodemask_t nodes;
	unsigned int mbind_flags;
};

static const struct {
	const char *key;
	int mode;
} policy_opts[] = {
	{ "bind", MPOL_BIND },
	{ "preferred", MPOL_PREFERRED },
	{ "preferred-many", MPOL_PREFERRED_MANY },
	{ "interleave", MPOL_INTERLEAVE },
	{ "weighted-interleave", MPOL_WEIGHTED_INTERLEAVE },
};

/* NODES: the model's nodes of the list (the rest are offline) */
static int parse_nodes(const char *s, nodemask_t *out, const char **why)
{
	unsigned char bits[USER_MAX_NUMNODES / 8];
	int err = ctl_parse_bitlist(s, bits, USER_MAX_NUMNODES);

	if (err) {
		*why = err == -ERANGE ? "a node number beyond the kernel's MAX_NUMNODES (1024)"
				      : "bad node list (N, N-M, commas between)";
		return -EINVAL;
	}
	*out = 0;
	for (int i = 0; i < MAX_NUMNODES / 8; i++)
		*out |= (nodemask_t)bits[i] << (8 * i);
	return 0;
}

/* The policy option, if any: its mode and nodes */
static int policy_option(struct ctl_cmd *cmd, struct policy_words *p, bool *found, const char **why)
{
	*found = false;
	for (size_t i = 0; i < G_N_ELEMENTS(policy_opts); i++) {
		const char *v = ctl_opt(cmd, policy_opts[i].key);
		int err;

		if (!v)
			continue;
		if (*found) {
			*why = "one policy only";
			return -EINVAL;
		}
		*found = true;
		p->mode = policy_opts[i].mode;
		if ((err = parse_nodes(v, &p->nodes, why)))
			return err;
		if (p->mode == MPOL_PREFERRED && nodes_weight(p->nodes) > 1) {
			*why = "preferred= takes one node (preferred-many= takes several)";
			return -EINVAL;
		}
	}
	return 0;
}

/* One word after the target: default, local, or a flag */
static int policy_word(const char *w, bool mbind, struct policy_words *p, bool *found, const char **why)
{
	unsigned int flag = !strcmp(w, "static") ? MPOL_F_STATIC_NODES : !strcmp(w, "relative") ? MPOL_F_RELATIVE_NODES : 0;
	unsigned int mf = !mbind ? 0 : !strcmp(w, "move") ? MPOL_MF_MOVE : !strcmp(w, "strict") ? MPOL_MF_STRICT : 0;

	if (!strcmp(w, "default") || !strcmp(w, "local")) {
		if (*found) {
			*why = "one policy only";
			return -EINVAL;
		}
		*found = true;
		p->mode = !strcmp(w, "default") ? MPOL_DEFAULT : MPOL_LOCAL;
	} else if (flag && !(p->mode_flags & flag)) {
		p->mode_flags |= flag;
	} else if (mf && !(p->mbind_flags & mf)) {
		p->mbind_flags |= mf;
	} else {
		*why = flag || mf ? "a word given twice" :
		       mbind ? "unknown word (default, local, static, relative, move, strict)" :
			       "unknown word (default, local, static, relative)";
		return -EINVAL;
	}
	return 0;
}

/* POLICY and its words from args[first] on */
static int parse_policy(struct ctl_cmd *cmd, int first, bool mbind, struct policy_words *p, const char **why)
{
	bool found;
	int err;

	memset(p, 0, sizeof(*p));
	if ((err = policy_option(cmd, p, &found, why)))
		return err;
	for (int i = first; i < cmd->nargs; i++)
		if ((err = policy_word(cmd->args[i], mbind, p, &found, why)))
			return err;
	if (!found) {
		*why = "no policy (default, local, bind=, preferred=, preferred-many=, interleave=, "
		       "weighted-interleave=)";
		return -EINVAL;
	}
	return 0;
}

/* The engine's EINVAL for a policy: the likeliest reason */
static int policy_err(int err, const struct policy_words *p, const char **why)
{
	if (err != -EINVAL)
		return engine_err(err, why);
	if ((p->mode_flags & MPOL_F_STATIC_NODES) && (p->mode_flags & MPOL_F_RELATIVE_NODES))
		*why = "static and relative exclude each other";
	else if (p->mode == MPOL_DEFAULT || p->mode == MPOL_LOCAL)
		*why = p->mode_flags ? "default and local take no mode flags" : "default and local take no nodes";
	else
		*why = "no node of the list has memory";
	return err;
}

int pid_set_mempolicy(struct machine *m, const struct fs_ctx *ctx, struct ctl_cmd *cmd, GString *reply,
		      const char **why)
{
	struct policy_words p;
	struct task_struct *t;
	int err;

	if ((err = parse_policy(cmd, 0, false, &p, why)))
		return err;
	if (ctl_unused_opt(cmd)) {
		*why = "unknown option";
		return -EINVAL;
	}
	if ((err = ctl_task(m, ctx, true, &t, why)))
		return err;
	if ((err = sys_set_mempolicy(m, t, p.mode, p.mode_flags, p.nodes)))
		return policy_err(err, &p, why);
	g_string_append(reply, "ok");
	return 0;
}

int pid_mbind(struct machine *m, const struct fs_ctx *ctx, struct ctl_cmd *cmd, GString *reply, const char **why)
{
	struct policy_words p;
	struct task_struct *t;
	unsigned long start, len;
	int err;

	if (cmd->nargs < 1) {
		*why = "usage: mbind TARGET POLICY [static|relative] [move] [strict]";
		return -EINVAL;
	}
	if ((err = parse_policy(cmd, 1, true, &p, why)))
		return err;
	if ((err = ctl_task(m, ctx, true, &t, why)))
		return err;
	if ((err = parse_target(t->mm, cmd, cmd->args[0], false, &start, &len, why)))
		return err;
	if (ctl_unused_opt(cmd)) {
		*why = "unknown option";
		return -EINVAL;
	}
	err = sys_mbind(m, t, start, len, p.mode, p.mode_flags, p.nodes, p.mbind_flags);
	if (err == -EFAULT) {
		*why = "part of the range is not mapped";
		return err;
	}
	if (err == -EIO) {
		*why = "some pages could not be moved (strict)";
		return err;
	}
	if (err == -EINVAL && (start & (PAGE_SIZE - 1))) {
		*why = "the start is not page-aligned";
		return err;
	}
	if (err)
		return policy_err(err, &p, why);
	g_string_append(reply, "ok");
	return 0;
}

int pid_sched_setaffinity(struct machine *m, const struct fs_ctx *ctx, struct ctl_cmd *cmd, GString *reply,
			  const char **why)
{
	unsigned char bits[USER_MAX_CPUS / 8];
	struct task_struct *t;
	cpumask_t mask;
	int err;

	if (cmd->nargs != 1) {
		*why = "usage: sched_setaffinity CPULIST";
		return -EINVAL;
	}
	if (ctl_unused_opt(cmd)) {
		*why = "unknown option";
		return -EINVAL;
	}
	if (ctl_parse_bitlist(cmd->args[0], bits, USER_MAX_CPUS)) {
		*why = "bad CPU list (N, N-M, commas between; below 4096)";
		return -EINVAL;
	}
	if ((err = ctl_task(m, ctx, false, &t, why)))
		return err;
	cpumask_clear(&mask);
	for (int cpu = 0; cpu < NR_CPUS; cpu++)
		if (bits[cpu / 8] & (1u << (cpu % 8)))
			cpumask_set_cpu(cpu, &mask);
	if ((err = sys_sched_setaffinity(m, t, &mask))) {
		*why = "no CPU of the list exists";
		return err;
	}
	g_string_append(reply, "ok");
	return 0;
}
