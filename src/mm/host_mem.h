/* The host's memory under large metadata (host_mem.c). */
#ifndef MMSIM_HOST_MEM_H
#define MMSIM_HOST_MEM_H

#include <stddef.h>

/* Reserve `bytes` of address space (no memory until touched), advised for
 * huge pages; returns its 2 MiB-aligned start (the whole mapping in *map,
 * *map_bytes), NULL if the host refuses. */
void *host_reserve_huge(size_t bytes, void **map, size_t *map_bytes);
/* Fault in [addr, addr+len) at once, writable. */
void host_populate(void *addr, size_t len);
/* Give back a mapping host_reserve_huge made */
void host_release(void *map, size_t map_bytes);

#endif
