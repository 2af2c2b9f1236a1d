/*
 * What sim/ctl remembers between commands: the handles it gave out and the
 * caches its kmem_cache_create made.  A handle names memory the engine
 * allocated for sim/ctl; remembering them lets a bad or repeated handle be
 * refused (EINVAL) instead of freeing memory sim/ctl does not own, and lets
 * kmem_cache_destroy refuse a kernel cache (EPERM) or one whose objects
 * remain (EBUSY).
 *
 * The engine knows none of this: the state hangs off the machine as an
 * opaque pointer (machine->ctl), made on first use, and machine_destroy
 * frees it through the hook the fs layer sets (machine->ctl_destroy).
 */
#ifndef MMSIM_FS_CTL_STATE_H
#define MMSIM_FS_CTL_STATE_H

#include <glib.h>
#include <stdbool.h>

#include "mmsim/machine.h"

/* What a kernel-virtual-address handle was allocated with */
enum ctl_handle_kind { CTL_KMALLOC = 1, CTL_CACHE, CTL_VMALLOC };

struct ctl_handle {
	enum ctl_handle_kind kind;
	char *cache;                 /* CTL_CACHE: the name it was allocated through */
};

struct ctl_state {
	GHashTable *pages;           /* alloc_pages: pfn -> order + 1 */
	GHashTable *handles;         /* addr -> struct ctl_handle * */
	GHashTable *caches;          /* names kmem_cache_create made (owned strings) */
};

/* The machine's sim/ctl state, made (and its destroy hook set) on first use */
struct ctl_state *ctl_state(struct machine *m);

/* alloc_pages handles: remember, look up (0: none, else order + 1), forget */
void ctl_pages_add(struct machine *m, unsigned long pfn, unsigned int order);
unsigned int ctl_pages_lookup(struct machine *m, unsigned long pfn);
void ctl_pages_remove(struct machine *m, unsigned long pfn);

/* Address handles of kmalloc, kmem_cache_alloc (cache: the name used),
 * vmalloc and kvmalloc */
void ctl_handle_add(struct machine *m, unsigned long addr, enum ctl_handle_kind kind, const char *cache);
struct ctl_handle *ctl_handle_lookup(struct machine *m, unsigned long addr);
void ctl_handle_remove(struct machine *m, unsigned long addr);
/* Live handles allocated through a cache name */
unsigned long ctl_handles_of(struct machine *m, const char *cache);

/* Cache names sim/ctl's kmem_cache_create made: only those may be destroyed */
void ctl_cache_add(struct machine *m, const char *name);
bool ctl_cache_owned(struct machine *m, const char *name);
void ctl_cache_remove(struct machine *m, const char *name);

#endif
