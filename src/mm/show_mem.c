/*
 * The allocator's reports (mm/show_mem.c, mm/debug.c and lib/vsprintf.c's
 * %pGg in the kernel).
 *
 * Models:
 * - warn_alloc's "page allocation failure" line;
 * - the names of a GFP mask as %pGg prints them.
 * Simplifies:
 * - only the compound GFP names the model uses (GFP_HIGHUSER_MOVABLE,
 *   GFP_KERNEL, GFP_ATOMIC ...) and the modifiers it sets are named;
 * - no stack dump and no show_mem after the failure line.
 */
#include "mmsim/gfp.h"
#include "mmsim/machine.h"
#include "mm_internal.h"

/* format_gfp: the %pGg of the kernel's printk, the names of a GFP mask */
void format_gfp(GString *s, gfp_t gfp)
{
	static const struct { gfp_t flags; const char *name; } names[] = {
		{ GFP_HIGHUSER_MOVABLE, "GFP_HIGHUSER_MOVABLE" },
		{ GFP_KERNEL | __GFP_RECLAIMABLE, "GFP_KERNEL|__GFP_RECLAIMABLE" },
		{ GFP_KERNEL, "GFP_KERNEL" },
		{ GFP_ATOMIC, "GFP_ATOMIC" },
	};
	gfp_t rest = gfp & ~__GFP_COMP;

	for (size_t i = 0; i < G_N_ELEMENTS(names); i++) {
		if ((rest & names[i].flags) == names[i].flags) {
			g_string_append(s, names[i].name);
			rest &= ~names[i].flags;
			break;
		}
	}
	if (gfp & __GFP_COMP)
		g_string_append(s, "|__GFP_COMP");
	if (rest & __GFP_THISNODE)
		g_string_append(s, "|__GFP_THISNODE");
	if (rest & __GFP_NOWARN)
		g_string_append(s, "|__GFP_NOWARN");
	if (rest & __GFP_RETRY_MAYFAIL)
		g_string_append(s, "|__GFP_RETRY_MAYFAIL");
	if (rest & __GFP_NOFAIL)
		g_string_append(s, "|__GFP_NOFAIL");
	if (rest & __GFP_NORETRY)
		g_string_append(s, "|__GFP_NORETRY");
}

/* warn_alloc: the kernel's page allocation failure line */
void warn_alloc(struct machine *m, gfp_t gfp, unsigned int order, int cpu)
{
	g_autoptr(GString) flags = g_string_new(NULL);

	if (gfp & __GFP_NOWARN)
		return;
	g_autofree char *who = m->current ? g_strdup(m->current->comm) : g_strdup_printf("kworker/%d:1", cpu);
	g_autofree char *mems = m->nr_nodes > 1 ? g_strdup_printf("0-%d", m->nr_nodes - 1) : g_strdup("0");

	format_gfp(flags, gfp);
	printk(m, "%s: page allocation failure: order:%u, mode:%#x(%s), nodemask=(null),cpuset=/,mems_allowed=%s",
	       who, order, gfp, flags->str, mems);
}
