/*
 * NUMA memory policies (include/uapi/linux/mempolicy.h,
 * include/linux/mempolicy.h) and the system calls that set them
 * (mm/mempolicy.c), with sched_setaffinity (kernel/sched/core.c), which
 * decides a task's CPU and so its local node.
 */
#ifndef MMSIM_MEMPOLICY_H
#define MMSIM_MEMPOLICY_H

#include <glib.h>

#include "mmsim/nodemask.h"

/* uapi modes, in the kernel's order */
enum {
	MPOL_DEFAULT,
	MPOL_PREFERRED,
	MPOL_BIND,
	MPOL_INTERLEAVE,
	MPOL_LOCAL,
	MPOL_PREFERRED_MANY,
	MPOL_WEIGHTED_INTERLEAVE,
	MPOL_MAX,
};

/* mode flags, or-ed into the mode word of the system calls */
#define MPOL_F_STATIC_NODES (1 << 15)
#define MPOL_F_RELATIVE_NODES (1 << 14)
#define MPOL_F_NUMA_BALANCING (1 << 13)
#define MPOL_MODE_FLAGS (MPOL_F_STATIC_NODES | MPOL_F_RELATIVE_NODES | MPOL_F_NUMA_BALANCING)

/* mbind flags */
#define MPOL_MF_STRICT (1 << 0)
#define MPOL_MF_MOVE (1 << 1)
#define MPOL_MF_MOVE_ALL (1 << 2)
#define MPOL_MF_VALID (MPOL_MF_STRICT | MPOL_MF_MOVE | MPOL_MF_MOVE_ALL)

/* A policy, held by value in the task and in each VMA: mode
 * MPOL_DEFAULT there means none (the kernel's NULL pointer) */
struct mempolicy {
	uint16_t mode;
	uint16_t flags;
	nodemask_t nodes;          /* the nodes in effect */
	nodemask_t user_nodemask;  /* as given, for static and relative */
};

/* The interleave index of an allocation outside any VMA (page cache,
 * kernel allocations of the task): interleave by the task's counter */
#define NO_INTERLEAVE_INDEX (~0UL)

struct machine;
struct task_struct;
struct vm_area_struct;

/* set_mempolicy(2): mode with its flags, the nodes as given (before
 * they are checked against the nodes with memory) */
int sys_set_mempolicy(struct machine *m, struct task_struct *t, int mode, unsigned int flags, nodemask_t nodes);
/* mbind(2) over [start, start + len) with MPOL_MF_* flags */
int sys_mbind(struct machine *m, struct task_struct *t, unsigned long start, unsigned long len, int mode,
	      unsigned int mode_flags, nodemask_t nodes, unsigned int mbind_flags);
/* sched_setaffinity(2): the CPUs the task may run on; it moves to one of
 * them if its CPU is not among them */
int sys_sched_setaffinity(struct machine *m, struct task_struct *t, const cpumask_t *mask);
/* numa_maps' policy column (mpol_to_str): "default", "bind:0-1", ... */
void mpol_to_str(GString *out, const struct mempolicy *pol);
/* The weighted-interleave weight of a node (1 unless set) and its store:
 * 1..255, EINVAL otherwise */
unsigned int get_il_weight(const struct machine *m, int nid);
int set_il_weight(struct machine *m, int nid, unsigned long weight);
/* the "auto" file: off is 0, on ENODEV (no bandwidth data) */
int set_il_auto(struct machine *m, bool on);

#endif
