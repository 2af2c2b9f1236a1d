/*
 * MGLRU, the multi-generational LRU (mm/vmscan.c lru_gen): what the
 * sysfs and debugfs files see of it.
 */
#ifndef MMSIM_LRU_GEN_H
#define MMSIM_LRU_GEN_H

#include <stdbool.h>

#include "mmsim/machine.h"

/* lru_gen_caps: the bits of sys/kernel/mm/lru_gen/enabled */
enum { LRU_GEN_CORE, LRU_GEN_MM_WALK, LRU_GEN_NONLEAF_YOUNG, NR_LRU_GEN_CAPS };
#define LRU_GEN_ALL_CAPS ((1u << NR_LRU_GEN_CAPS) - 1)
/* the swappiness a debugfs command gives as "max": anon only */
#define SWAPPINESS_ANON_ONLY 201
/* mem_cgroup_id of the root cgroup, the only one so far */
#define LRU_GEN_ROOT_MEMCG_ID 1

static inline bool lru_gen_enabled(const struct machine *m)
{
	return m->lru_gen_caps & (1u << LRU_GEN_CORE);
}

static inline int lru_gen_from_seq(unsigned long seq)
{
	return (int)(seq % MAX_NR_GENS);
}

/* enabled_store: the capability bits; switching LRU_GEN_CORE moves every
 * folio between the two LRU kinds (lru_gen_change_state) */
void lru_gen_set_caps(struct machine *m, unsigned int caps);
/* lru_gen_seq_write's run_cmd: '+' ages (a new generation), '-' evicts
 * up to generation seq; swappiness < 0: the node's own; 0 or -errno */
int lru_gen_run_cmd(struct machine *m, char cmd, unsigned int memcg_id, int nid, unsigned long seq,
		    int swappiness, unsigned long opt);

#endif
