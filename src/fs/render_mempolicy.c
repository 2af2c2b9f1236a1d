/*
 * sys/kernel/mm/mempolicy/weighted_interleave: the weight of each node
 * (nodeN) and whether the weights are the automatic ones (auto).
 */
#include <errno.h>
#include <string.h>

#include "render.h"
#include "render_util.h"
#include "kstrtox.h"
#include "layout_handlers.h"
#include "mmsim/mempolicy.h"

void render_il_weight(struct machine *m, const struct fs_ctx *ctx, GString *out)
{
	g_string_append_printf(out, "%u\n", get_il_weight(m, ctx->node));
}

/* node_store: 1..255 (kstrtou8, base 0); 0 or anything else is EINVAL */
int write_il_weight(struct machine *m, const struct fs_ctx *ctx, const char *buf, size_t len, GString *reply)
{
	unsigned long w;

	(void)reply;
	if (kstrtoul_store(buf, len, 0, &w) || set_il_weight(m, ctx->node, w)) {
		log_refused(m, ctx, buf, len, "a weight of 1 to 255");
		return -EINVAL;
	}
	return 0;
}

void render_il_auto(struct machine *m, const struct fs_ctx *ctx, GString *out)
{
	(void)ctx;
	g_string_append(out, m->iw_manual ? "false\n" : "true\n");
}

/* weighted_interleave_auto_store: kstrtobool */
int write_il_auto(struct machine *m, const struct fs_ctx *ctx, const char *buf, size_t len, GString *reply)
{
	g_autofree char *s = g_strndup(buf, len);
	bool v;
	int err;

	(void)reply;
	if (kstrtobool(s, &v)) {
		log_refused(m, ctx, buf, len, "true or false");
		return -EINVAL;
	}
	if ((err = set_il_auto(m, v))) {
		log_refused(m, ctx, buf, len, "no memory bandwidth data (HMAT) for automatic weights");
		return err;
	}
	return 0;
}
