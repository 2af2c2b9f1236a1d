/*
 * Memory blocks (drivers/base/memory.c): the units of memory hotplug that
 * sys/devices/system/memory/ shows and lsmem reads.
 */
#ifndef MMSIM_MEMORY_BLOCK_H
#define MMSIM_MEMORY_BLOCK_H

#include <stdbool.h>

#include "mmsim/machine.h"

/* probe_memory_block_size (arch/x86/mm/init_64.c) */
unsigned long memory_block_size_bytes(const struct machine *m);
/* Block ids run 0 .. this - 1; some may be holes */
unsigned long nr_memory_block_ids(const struct machine *m);
/* Whether block id has memory (a present section) */
bool memory_block_present(const struct machine *m, unsigned long id);
/* The zone all the block's pages are in, or -1 when it spans more than
 * one (valid_zones "none") */
int memory_block_zone(const struct machine *m, unsigned long id);

#endif
