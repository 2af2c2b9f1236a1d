/*
 * sim/ctl's commands for the kernel's allocators (ctl_slab.c), for the
 * command table in ctl.c.
 */
#ifndef MMSIM_FS_CTL_SLAB_H
#define MMSIM_FS_CTL_SLAB_H

#include "ctl.h"

#define CTL_SLAB_DECL(name)                                                                              \
	int name(struct machine *m, const struct fs_ctx *ctx, struct ctl_cmd *cmd, GString *reply, \
		 const char **why)
CTL_SLAB_DECL(ctl_kmalloc);
CTL_SLAB_DECL(ctl_kfree);
CTL_SLAB_DECL(ctl_kmem_cache_create);
CTL_SLAB_DECL(ctl_kmem_cache_alloc);
CTL_SLAB_DECL(ctl_kmem_cache_free);
CTL_SLAB_DECL(ctl_kmem_cache_destroy);
CTL_SLAB_DECL(ctl_vmalloc);
CTL_SLAB_DECL(ctl_vrealloc);
CTL_SLAB_DECL(ctl_vfree);
CTL_SLAB_DECL(ctl_kvmalloc);

#endif
