/*
 * mm/memory-tiers.c: which nodes are the top tier of memory.
 *
 * Models:
 * - node_is_toptier: without slower memory every node is top tier
 * Simplifies:
 * - no memory tiers yet: every node is DRAM
 */
#include "numa_balancing_internal.h"

bool node_is_toptier(struct machine *m, int nid)
{
	(void)m;
	(void)nid;
	return true;
}
