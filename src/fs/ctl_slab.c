/*
 * sim/ctl's commands for the kernel's own allocators: kmalloc/kfree,
 * kmem_cache_create/alloc/free/destroy, vmalloc/vrealloc/vfree/kvmalloc.
 * Each checks its arguments and the handle completely before one engine
 * call, so a refused command changes nothing.  Handles are the kernel
 * virtual addresses the engine returns; the ones sim/ctl gave out are
 * remembered (ctl_state.h) so that a bad or repeated handle is
 * refused (EINVAL, as free_pages does) instead of corrupting a slab.
 */
#include <errno.h>
#include <string.h>

#include "ctl.h"
#include "ctl_slab.h"
#include "ctl_state.h"
#include "mmsim/slab.h"

#define SLAB_CTL_MAX_COUNT (1u << 20)
#define CTL_VMALLOC_CALLER "mmsim_ctl_vmalloc+0x2c/0x60"
#define CTL_KVMALLOC_CALLER "mmsim_ctl_kvmalloc+0x31/0x70"

static bool parse_count(struct ctl_cmd *cmd, uint64_t *count, const char **why)
{
	const char *v = ctl_opt(cmd, "count");

	*count = 1;
	if (v && (!ctl_parse_u64(v, count) || *count == 0 || *count > SLAB_CTL_MAX_COUNT)) {
		*why = "count must be 1..1048576";
		return false;
	}
	return true;
}

/* A handle sim/ctl gave out, of the kind wanted; NULL with *why */
static struct ctl_handle *find_handle(struct machine *m, const char *arg, enum ctl_handle_kind kind,
				      unsigned long *addr, const char **why)
{
	uint64_t v;
	struct ctl_handle *h;

	if (!ctl_parse_hex(arg, &v)) {
		*why = "a handle is a 0x... address";
		return NULL;
	}
	h = ctl_handle_lookup(m, (unsigned long)v);
	if (!h || h->kind != kind) {
		*why = h ? "that handle belongs to another allocator"
			 : "no live allocation has that handle (never allocated, or already freed)";
		return NULL;
	}
	*addr = (unsigned long)v;
	return h;
}

/* count allocations of one kind, all or nothing; the reply lists them */
typedef unsigned long (*alloc_one_fn)(struct machine *m, void *arg);

static int alloc_many(struct machine *m, uint64_t count, alloc_one_fn fn, void *arg, void (*undo)(struct machine *, unsigned long, void *),
		      enum ctl_handle_kind kind, const char *cache, GString *reply, const char **why)
{
	GArray *done = g_array_new(FALSE, FALSE, sizeof(unsigned long));
	int err = 0;

	for (uint64_t i = 0; i < count; i++) {
		unsigned long a = fn(m, arg);

		if (!a) {
			err = -ENOMEM;
			break;
		}
		g_array_append_val(done, a);
	}
	if (err) {
		for (guint i = done->len; i-- > 0;)
			undo(m, g_array_index(done, unsigned long, i), arg);
		*why = "out of memory";
	} else {
		for (guint i = 0; i < done->len; i++) {
			unsigned long a = g_array_index(done, unsigned long, i);

			ctl_handle_add(m, a, kind, cache);
			g_string_append_printf(reply, "%s0x%lx", i ? " " : "", a);
		}
	}
	g_array_free(done, TRUE);
	return err;
}

static unsigned long kmalloc_one(struct machine *m, void *arg)
{
	return kmalloc(m, *(size_t *)arg, GFP_KERNEL);
}

static void kfree_one(struct machine *m, unsigned long a, void *arg)
{
	(void)arg;
	kfree(m, a);
}

int ctl_kmalloc(struct machine *m, const struct fs_ctx *ctx, struct ctl_cmd *cmd, GString *reply, const char **why)
{
	uint64_t size, count;
	size_t sz;

	(void)ctx;
	if (cmd->nargs != 1 || !parse_size(cmd->args[0], &size)) {
		*why = "usage: kmalloc SIZE [count=N]";
		return -EINVAL;
	}
	if (!parse_count(cmd, &count, why))
		return -EINVAL;
	if (ctl_unused_opt(cmd)) {
		*why = "unknown option";
		return -EINVAL;
	}
	if (size == 0) {
		*why = "kmalloc(0) allocates nothing (ZERO_SIZE_PTR)";
		return -EINVAL;
	}
	if (size > KMALLOC_MAX_SIZE) {
		*why = "larger than KMALLOC_MAX_SIZE (4 MiB): kmalloc returns NULL";
		return -ENOMEM;
	}
	sz = (size_t)size;
	return alloc_many(m, count, kmalloc_one, &sz, kfree_one, CTL_KMALLOC, NULL, reply, why);
}

/* kfree and vfree: one handle of kind, forgotten, then freed */
static int free_handle(struct machine *m, struct ctl_cmd *cmd, enum ctl_handle_kind kind, const char *usage,
		       void (*free_fn)(struct machine *m, unsigned long addr), GString *reply, const char **why)
{
	unsigned long addr;

	if (cmd->nargs != 1 || cmd->nopts) {
		*why = usage;
		return -EINVAL;
	}
	if (!find_handle(m, cmd->args[0], kind, &addr, why))
		return -EINVAL;
	ctl_handle_remove(m, addr);
	free_fn(m, addr);
	g_string_append(reply, "ok");
	return 0;
}

int ctl_kfree(struct machine *m, const struct fs_ctx *ctx, struct ctl_cmd *cmd, GString *reply, const char **why)
{
	(void)ctx;
	return free_handle(m, cmd, CTL_KMALLOC, "usage: kfree HANDLE", kfree, reply, why);
}

/* A cache name as /proc/slabinfo can show it: printable, no blanks */
static bool valid_cache_name(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n > 32)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!g_ascii_isalnum(name[i]) && !strchr("_-.:", name[i]))
			return false;
	return name[0] != '.' && name[0] != ':';
}

int ctl_kmem_cache_create(struct machine *m, const struct fs_ctx *ctx, struct ctl_cmd *cmd, GString *reply,
			  const char **why)
{
	uint64_t size;

	(void)ctx;
	if (cmd->nargs != 2 || cmd->nopts || !parse_size(cmd->args[1], &size)) {
		*why = "usage: kmem_cache_create NAME SIZE";
		return -EINVAL;
	}
	if (!valid_cache_name(cmd->args[0])) {
		*why = "a cache name is 1..32 letters, digits, '_', '-', '.' or ':'";
		return -EINVAL;
	}
	if (kmem_cache_find(m, cmd->args[0])) {
		*why = "a cache of that name exists";
		return -EEXIST;
	}
	if (size == 0 || size > KMALLOC_MAX_SIZE) {
		*why = "object size must be 1 .. KMALLOC_MAX_SIZE (4 MiB)";
		return -EINVAL;
	}
	if (!kmem_cache_create(m, cmd->args[0], (unsigned int)size, 0, 0)) {
		*why = "out of memory";
		return -ENOMEM;
	}
	ctl_cache_add(m, cmd->args[0]);
	g_string_append(reply, "ok");
	return 0;
}

struct cache_arg {
	struct kmem_cache *s;
};

static unsigned long cache_alloc_one(struct machine *m, void *arg)
{
	return kmem_cache_alloc(m, ((struct cache_arg *)arg)->s, GFP_KERNEL);
}

static void cache_free_one(struct machine *m, unsigned long a, void *arg)
{
	kmem_cache_free(m, ((struct cache_arg *)arg)->s, a);
}

int ctl_kmem_cache_alloc(struct machine *m, const struct fs_ctx *ctx, struct ctl_cmd *cmd, GString *reply,
			 const char **why)
{
	struct cache_arg a;
	uint64_t count;

	(void)ctx;
	if (cmd->nargs != 1) {
		*why = "usage: kmem_cache_alloc NAME [count=N]";
		return -EINVAL;
	}
	if (!parse_count(cmd, &count, why))
		return -EINVAL;
	if (ctl_unused_opt(cmd)) {
		*why = "unknown option";
		return -EINVAL;
	}
	a.s = kmem_cache_find(m, cmd->args[0]);
	if (!a.s) {
		*why = "no cache of that name";
		return -ENOENT;
	}
	return alloc_many(m, count, cache_alloc_one, &a, cache_free_one, CTL_CACHE, cmd->args[0], reply, why);
}

int ctl_kmem_cache_free(struct machine *m, const struct fs_ctx *ctx, struct ctl_cmd *cmd, GString *reply,
			const char **why)
{
	struct ctl_handle *h;
	unsigned long addr;

	(void)ctx;
	if (cmd->nargs != 1 || cmd->nopts) {
		*why = "usage: kmem_cache_free HANDLE";
		return -EINVAL;
	}
	h = find_handle(m, cmd->args[0], CTL_CACHE, &addr, why);
	if (!h)
		return -EINVAL;
	kmem_cache_free(m, kmem_cache_find(m, h->cache), addr);
	ctl_handle_remove(m, addr);
	g_string_append(reply, "ok");
	return 0;
}

int ctl_kmem_cache_destroy(struct machine *m, const struct fs_ctx *ctx, struct ctl_cmd *cmd, GString *reply,
			   const char **why)
{
	const char *name;

	(void)ctx;
	if (cmd->nargs != 1 || cmd->nopts) {
		*why = "usage: kmem_cache_destroy NAME";
		return -EINVAL;
	}
	name = cmd->args[0];
	if (!kmem_cache_find(m, name)) {
		*why = "no cache of that name";
		return -ENOENT;
	}
	if (!ctl_cache_owned(m, name)) {
		*why = "a kernel cache: only caches made by kmem_cache_create here may be destroyed";
		return -EPERM;
	}
	if (ctl_handles_of(m, name)) {
		*why = "kmem_cache_destroy: Slab cache still has objects";
		return -EBUSY;
	}
	if (kmem_cache_destroy(m, kmem_cache_find(m, name), name)) {
		*why = "kmem_cache_destroy: Slab cache still has objects";
		return -EBUSY;
	}
	ctl_cache_remove(m, name);
	g_string_append(reply, "ok");
	return 0;
}

/* vmalloc sizes: 1 byte .. RAM, as __vmalloc_node_range takes them */
static int vmalloc_size(struct machine *m, const char *arg, uint64_t *size, const char *usage, const char **why)
{
	if (!parse_size(arg, size)) {
		*why = usage;
		return -EINVAL;
	}
	if (*size == 0) {
		*why = "size 0: vmalloc returns NULL";
		return -EINVAL;
	}
	if (((*size + PAGE_SIZE - 1) >> PAGE_SHIFT) > m->totalram_pages) {
		*why = "vmalloc error: size exceeds total pages";
		return -ENOMEM;
	}
	return 0;
}

int ctl_vmalloc(struct machine *m, const struct fs_ctx *ctx, struct ctl_cmd *cmd, GString *reply, const char **why)
{
	uint64_t size;
	unsigned long addr;
	int err;

	(void)ctx;
	if (cmd->nargs != 1 || cmd->nopts) {
		*why = "usage: vmalloc SIZE";
		return -EINVAL;
	}
	if ((err = vmalloc_size(m, cmd->args[0], &size, "usage: vmalloc SIZE", why)))
		return err;
	addr = vmalloc(m, (unsigned long)size, CTL_VMALLOC_CALLER);
	if (!addr) {
		*why = "out of memory";
		return -ENOMEM;
	}
	ctl_handle_add(m, addr, CTL_VMALLOC, NULL);
	g_string_append_printf(reply, "0x%lx", addr);
	return 0;
}

int ctl_vrealloc(struct machine *m, const struct fs_ctx *ctx, struct ctl_cmd *cmd, GString *reply,
		 const char **why)
{
	unsigned long addr, n;
	uint64_t size;
	int err;

	(void)ctx;
	if (cmd->nargs != 2 || cmd->nopts) {
		*why = "usage: vrealloc ADDR SIZE";
		return -EINVAL;
	}
	if (!find_handle(m, cmd->args[0], CTL_VMALLOC, &addr, why))
		return -EINVAL;
	if ((err = vmalloc_size(m, cmd->args[1], &size, "usage: vrealloc ADDR SIZE", why)))
		return err;
	n = vrealloc(m, addr, (unsigned long)size);
	if (!n) {
		*why = "out of memory (the old area is kept)";
		return -ENOMEM;
	}
	if (n != addr) {
		ctl_handle_remove(m, addr);
		ctl_handle_add(m, n, CTL_VMALLOC, NULL);
	}
	g_string_append_printf(reply, "0x%lx", n);
	return 0;
}

int ctl_vfree(struct machine *m, const struct fs_ctx *ctx, struct ctl_cmd *cmd, GString *reply, const char **why)
{
	(void)ctx;
	return free_handle(m, cmd, CTL_VMALLOC, "usage: vfree ADDR", vfree, reply, why);
}

int ctl_kvmalloc(struct machine *m, const struct fs_ctx *ctx, struct ctl_cmd *cmd, GString *reply,
		 const char **why)
{
	uint64_t size;
	unsigned long addr;
	int err;

	(void)ctx;
	if (cmd->nargs != 1 || cmd->nopts) {
		*why = "usage: kvmalloc SIZE";
		return -EINVAL;
	}
	if ((err = vmalloc_size(m, cmd->args[0], &size, "usage: kvmalloc SIZE", why)))
		return err;
	addr = kvmalloc(m, (size_t)size, GFP_KERNEL, CTL_KVMALLOC_CALLER);
	if (!addr) {
		*why = "out of memory";
		return -ENOMEM;
	}
	/* a vmalloc address is freed with vfree, a kmalloc one with kfree */
	ctl_handle_add(m, addr, is_vmalloc_addr(addr) ? CTL_VMALLOC : CTL_KMALLOC, NULL);
	g_string_append_printf(reply, "0x%lx", addr);
	return 0;
}
