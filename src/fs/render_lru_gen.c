/*
 * MGLRU's files: sys/kernel/mm/lru_gen/{enabled,min_ttl_ms} (mm/vmscan.c's
 * sysfs interface) and the debugfs files sys/kernel/debug/lru_gen and
 * lru_gen_full (lru_gen_seq_show, lru_gen_seq_write), in Linux 6.18's
 * formats.  The memcg line is the root cgroup's (id 1, "/"), the only one.
 */
#include <ctype.h>
#include <errno.h>
#include <string.h>

#include "layout_handlers.h"
#include "render.h"
#include "render_util.h"
#include "kstrtox.h"
#include "mmsim/lru_gen.h"

#define MSEC_PER_JIFFY (1000 / CONFIG_HZ)

/* ---- sys/kernel/mm/lru_gen ---- */

void render_lru_gen_enabled(struct machine *m, const struct fs_ctx *ctx, GString *out)
{
	(void)ctx;
	g_string_append_printf(out, "0x%04x\n", m->lru_gen_caps);
}

/* enabled_store: y, n, or the capability bits as a number */
int write_lru_gen_enabled(struct machine *m, const struct fs_ctx *ctx, const char *buf, size_t len, GString *reply)
{
	g_autofree char *s = g_strndup(buf, len);
	unsigned int caps;

	(void)reply;
	if (tolower((unsigned char)s[0]) == 'n')
		caps = 0;
	else if (tolower((unsigned char)s[0]) == 'y')
		caps = ~0u;
	else if (kstrtouint(s, 0, &caps)) {
		log_refused(m, ctx, buf, len, "y, n or a number");
		return -EINVAL;
	}
	lru_gen_set_caps(m, caps);
	return 0;
}

void render_lru_gen_min_ttl(struct machine *m, const struct fs_ctx *ctx, GString *out)
{
	(void)ctx;
	g_string_append_printf(out, "%u\n", m->lru_gen_min_ttl_ms);
}

/* min_ttl_ms_store: kept in jiffies, so read back as whole jiffies */
int write_lru_gen_min_ttl(struct machine *m, const struct fs_ctx *ctx, const char *buf, size_t len, GString *reply)
{
	g_autofree char *s = g_strndup(buf, len);
	unsigned int msecs;
	uint64_t jiffies;

	(void)reply;
	if (kstrtouint(s, 0, &msecs)) {
		log_refused(m, ctx, buf, len, "a number of milliseconds");
		return -EINVAL;
	}
	jiffies = ((uint64_t)msecs + MSEC_PER_JIFFY - 1) / MSEC_PER_JIFFY;
	m->lru_gen_min_ttl_ms = (unsigned int)MIN(jiffies * MSEC_PER_JIFFY, (uint64_t)UINT_MAX);
	return 0;
}

/* ---- sys/kernel/debug/lru_gen, lru_gen_full ---- */

static unsigned int age_ms(const struct machine *m, uint64_t birth_ns)
{
	uint64_t jiffy_ns = NSEC_PER_SEC / CONFIG_HZ;

	return (unsigned int)((m->now_ns / jiffy_ns - birth_ns / jiffy_ns) * MSEC_PER_JIFFY);
}

/* lru_gen_seq_show_full: the tiers' refaulted/evicted/protected and the
 * page-table walk's totals */
static void show_full(const struct lru_gen_folio *lrugen, unsigned long seq, GString *out)
{
	for (int tier = 0; tier < MAX_NR_TIERS; tier++) {
		g_string_append_printf(out, "            %10d", tier);
		for (int type = 0; type < ANON_AND_FILE; type++) {
			const char *s = "xxx";
			unsigned long n[3] = { 0 };

			if (seq == lrugen->max_seq) {
				s = "RTx";
				n[0] = lrugen->avg_refaulted[type][tier];
				n[1] = lrugen->avg_total[type][tier];
			} else if (seq == lrugen->min_seq[type] || NR_HIST_GENS > 1) {
				s = "rep";
				n[0] = lrugen->refaulted[seq % NR_HIST_GENS][type][tier];
				n[1] = lrugen->evicted[seq % NR_HIST_GENS][type][tier];
				n[2] = lrugen->protected[seq % NR_HIST_GENS][type][tier];
			}
			for (int i = 0; i < 3; i++)
				g_string_append_printf(out, " %10lu%c", n[i], s[i]);
		}
		g_string_append_c(out, '\n');
	}
	g_string_append(out, "                      ");
	for (int i = 0; i < NR_MM_STATS; i++) {
		bool shown = seq == lrugen->max_seq && NR_HIST_GENS == 1;

		g_string_append_printf(out, " %10lu%c", shown ? lrugen->mm_stats[seq % NR_HIST_GENS][i] : 0,
				       shown ? "TYFA"[i] : 'x');
	}
	g_string_append_c(out, '\n');
}

static void show_node(struct machine *m, const pg_data_t *pgdat, bool full, GString *out)
{
	const struct lru_gen_folio *lrugen = &pgdat->__lruvec.lrugen;
	unsigned long seq;

	g_string_append_printf(out, " node %5d\n", pgdat->node_id);
	if (!full)
		seq = MIN(lrugen->min_seq[0], lrugen->min_seq[1]);
	else if (lrugen->max_seq >= MAX_NR_GENS)
		seq = lrugen->max_seq - MAX_NR_GENS + 1;
	else
		seq = 0;
	for (; seq <= lrugen->max_seq; seq++) {
		int gen = lru_gen_from_seq(seq);

		g_string_append_printf(out, " %10lu %10u", seq, age_ms(m, lrugen->timestamps[gen]));
		for (int type = 0; type < ANON_AND_FILE; type++) {
			unsigned long size = 0;

			for (int zid = 0; zid < MAX_NR_ZONES; zid++)
				size += (unsigned long)MAX(lrugen->nr_pages[gen][type][zid], 0);
			g_string_append_printf(out, " %10lu%c", size, full && seq < lrugen->min_seq[type] ? 'x' : ' ');
		}
		g_string_append_c(out, '\n');
		if (full)
			show_full(lrugen, seq, out);
	}
}

static void show_all(struct machine *m, bool full, GString *out)
{
	bool first = true;

	for_each_online_node(m, nid) {
		const pg_data_t *pgdat = NODE_DATA(m, nid);

		if (!pgdat->node_present_pages)
			continue;
		if (first)
			g_string_append_printf(out, "memcg %5hu %s\n", (unsigned short)LRU_GEN_ROOT_MEMCG_ID, "/");
		first = false;
		show_node(m, pgdat, full, out);
	}
}

void render_lru_gen_debugfs(struct machine *m, const struct fs_ctx *ctx, GString *out)
{
	(void)ctx;
	show_all(m, false, out);
}

void render_lru_gen_full(struct machine *m, const struct fs_ctx *ctx, GString *out)
{
	(void)ctx;
	show_all(m, true, out);
}

/* vsscanf's %u / %lu: blanks, then decimal digits (no sign) */
static bool scan_ulong(const char **p, unsigned long *out)
{
	const char *s = *p;
	unsigned long v = 0;

	while (isspace((unsigned char)*s))
		s++;
	if (!isdigit((unsigned char)*s))
		return false;
	for (; isdigit((unsigned char)*s); s++)
		v = v * 10 + (unsigned long)(*s - '0');
	*p = s;
	*out = v;
	return true;
}

static const char *skip_spaces(const char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	return s;
}

/* One command, as sscanf(cur, "%c %u %u %lu %n %4s %n %lu %n") reads it;
 * the number of fields read, or -1 when text is left over */
static int scan_cmd(const char *cur, char *cmd, unsigned long *num, char *swap_string, unsigned long *opt)
{
	const char *p = cur, *end;
	int n = 1;
	size_t k = 0;

	*cmd = *p++;
	p = skip_spaces(p);
	for (int i = 0; i < 3; i++, n++)
		if (!scan_ulong(&p, &num[i]))
			return n;
	end = p = skip_spaces(p);
	while (*p && !isspace((unsigned char)*p) && k < 4)
		swap_string[k++] = *p++;
	swap_string[k] = '\0';
	if (k) {
		n++;
		end = p = skip_spaces(p);
		if (scan_ulong(&p, opt)) {
			n++;
			end = skip_spaces(p);
		}
	}
	return *end ? -1 : n;
}

static int run_one(struct machine *m, const char *cur)
{
	char cmd, swap_string[5];
	unsigned long num[3], opt = ~0UL;
	unsigned int swappiness;
	int n = scan_cmd(cur, &cmd, num, swap_string, &opt);

	if (n < 4)
		return -EINVAL;
	if (n == 4)
		swappiness = ~0u;
	else if (!strcmp(swap_string, "max"))
		swappiness = SWAPPINESS_ANON_ONLY;
	else {
		int err = kstrtouint(swap_string, 0, &swappiness);

		if (err)
			return err;
	}
	return lru_gen_run_cmd(m, cmd, (unsigned int)num[0], (int)(unsigned int)num[1], num[2], (int)swappiness,
			       opt);
}

/* lru_gen_seq_write: commands separated by ',', ';' or newlines, run in
 * order up to the first that fails */
int write_lru_gen_debugfs(struct machine *m, const struct fs_ctx *ctx, const char *buf, size_t len, GString *reply)
{
	g_autofree char *s = g_strndup(buf, len);
	char *next = s, *cur;
	int err = -EINVAL;  /* a write with no command */
	bool any = false;

	(void)reply;
	while ((cur = strsep(&next, ",;\n"))) {
		cur = (char *)skip_spaces(cur);
		if (!*cur)
			continue;
		any = true;
		err = run_one(m, cur);
		if (err) {
			log_refused(m, ctx, cur, strlen(cur),
				    err == -EINVAL ? "+ memcg_id node_id max_gen_nr [swappiness [force_scan]] or "
						     "- memcg_id node_id min_gen_nr [swappiness [nr_to_reclaim]]"
						   : g_strerror(-err));
			break;
		}
	}
	if (!any)
		log_refused(m, ctx, buf, len, "no command");
	return err;
}
