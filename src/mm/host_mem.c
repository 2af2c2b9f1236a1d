/*
 * The host's memory under the model's large metadata: address space
 * reserved once and populated a piece at a time, backed by huge pages
 * where the host has them (transparent huge pages, "always" or
 * "madvise").  Apart from the engine's headers, whose mman constants are
 * the simulated kernel's.
 */
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

#include "host_mem.h"

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23  /* Linux 5.14 */
#endif
#define HOST_HPAGE_SIZE (2UL << 20)

void *host_reserve_huge(size_t bytes, void **map, size_t *map_bytes)
{
	size_t len = bytes + HOST_HPAGE_SIZE;
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	madvise(p, len, MADV_HUGEPAGE);
	*map = p;
	*map_bytes = len;
	/* huge-page aligned, so that pieces side by side fill whole ones */
	return (void *)(((uintptr_t)p + HOST_HPAGE_SIZE - 1) & ~(uintptr_t)(HOST_HPAGE_SIZE - 1));
}

void host_populate(void *addr, size_t len)
{
	uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
	uintptr_t lo = (uintptr_t)addr & ~(page - 1);
	uintptr_t hi = ((uintptr_t)addr + len + page - 1) & ~(page - 1);

	/* one call instead of a host fault per page; a host without
	 * MADV_POPULATE_WRITE faults them in on first touch instead */
	madvise((void *)lo, hi - lo, MADV_POPULATE_WRITE);
}

void host_release(void *map, size_t map_bytes)
{
	if (map)
		munmap(map, map_bytes);
}
