/*
 * Node and CPU masks (include/linux/nodemask.h, cpumask.h): fixed-size
 * bitmaps over the model's MAX_NUMNODES nodes and NR_CPUS CPUs, passed
 * by value.
 */
#ifndef MMSIM_NODEMASK_H
#define MMSIM_NODEMASK_H

#include <stdbool.h>
#include <stdint.h>

#include "mmsim/mmzone.h"

/* MAX_NUMNODES is 64: one word */
typedef uint64_t nodemask_t;
_Static_assert(MAX_NUMNODES == 64, "nodemask_t is one 64-bit word");

static inline bool node_isset(int nid, nodemask_t mask)
{
	return nid >= 0 && nid < MAX_NUMNODES && (mask >> nid) & 1;
}
static inline nodemask_t nodemask_of_node(int nid) { return (nodemask_t)1 << nid; }
static inline int nodes_weight(nodemask_t mask) { return __builtin_popcountll(mask); }
static inline bool nodes_empty(nodemask_t mask) { return mask == 0; }
/* The first node set, or MAX_NUMNODES when none is */
static inline int first_node(nodemask_t mask) { return mask ? __builtin_ctzll(mask) : MAX_NUMNODES; }
/* The first node set above n, or MAX_NUMNODES */
static inline int next_node(int n, nodemask_t mask)
{
	nodemask_t above = n + 1 >= MAX_NUMNODES ? 0 : mask & (~(nodemask_t)0 << (n + 1));

	return first_node(above);
}
/* next_node, wrapping around to the first (MAX_NUMNODES when empty) */
static inline int next_node_in(int n, nodemask_t mask)
{
	int nid = next_node(n, mask);

	return nid == MAX_NUMNODES ? first_node(mask) : nid;
}
#define for_each_node_mask(nid, mask) \
	for (int nid = first_node(mask); nid < MAX_NUMNODES; nid = next_node(nid, mask))

typedef struct {
	uint64_t bits[NR_CPUS / 64];
} cpumask_t;

static inline bool cpumask_test_cpu(int cpu, const cpumask_t *mask)
{
	return cpu >= 0 && cpu < NR_CPUS && (mask->bits[cpu / 64] >> (cpu % 64)) & 1;
}
static inline void cpumask_set_cpu(int cpu, cpumask_t *mask) { mask->bits[cpu / 64] |= (uint64_t)1 << (cpu % 64); }
static inline void cpumask_clear(cpumask_t *mask)
{
	for (unsigned int i = 0; i < NR_CPUS / 64; i++)
		mask->bits[i] = 0;
}
static inline bool cpumask_empty(const cpumask_t *mask)
{
	for (unsigned int i = 0; i < NR_CPUS / 64; i++)
		if (mask->bits[i])
			return false;
	return true;
}

#endif
