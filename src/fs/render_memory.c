/*
 * sys/devices/system/memory/ (drivers/base/memory.c): the memory blocks
 * lsmem and chmem read, in Linux 6.18's formats.
 *
 * Simplifies:
 *  - every block is online and stays so (no hotplug); removable is 1 as
 *    a kernel with CONFIG_MEMORY_HOTREMOVE prints it;
 *  - no per-block node links.
 */
#include "layout_handlers.h"
#include "render.h"
#include "mmsim/memory_block.h"
#include "mmsim/mmzone.h"

/* block_size_bytes_show: hexadecimal, without 0x */
void render_memory_block_size(struct machine *m, const struct fs_ctx *ctx, GString *out)
{
	(void)ctx;
	g_string_append_printf(out, "%lx\n", memory_block_size_bytes(m));
}

/* auto_online_blocks: the kernel's default policy (MMOP_OFFLINE) */
void render_memory_auto_online(struct machine *m, const struct fs_ctx *ctx, GString *out)
{
	(void)m;
	(void)ctx;
	g_string_append(out, "offline\n");
}

/* memory{MB}/state: every block is online */
void render_memory_state(struct machine *m, const struct fs_ctx *ctx, GString *out)
{
	(void)m;
	(void)ctx;
	g_string_append(out, "online\n");
}

/* online, and removable (1 with CONFIG_MEMORY_HOTREMOVE) */
void render_memory_one(struct machine *m, const struct fs_ctx *ctx, GString *out)
{
	(void)m;
	(void)ctx;
	g_string_append(out, "1\n");
}

/* phys_index: the block's first section number / sections per block */
void render_memory_phys_index(struct machine *m, const struct fs_ctx *ctx, GString *out)
{
	(void)m;
	g_string_append_printf(out, "%08lx\n", (unsigned long)ctx->mblock);
}

/* phys_device: 0 on x86 */
void render_memory_phys_device(struct machine *m, const struct fs_ctx *ctx, GString *out)
{
	(void)m;
	(void)ctx;
	g_string_append(out, "0\n");
}

/* valid_zones of an online block: its zone, "none" when it spans two */
void render_memory_valid_zones(struct machine *m, const struct fs_ctx *ctx, GString *out)
{
	int zid = memory_block_zone(m, (unsigned long)ctx->mblock);

	g_string_append_printf(out, "%s\n", zid < 0 ? "none" : zone_names[zid]);
}
