/*
 * tracefs (sys/kernel/tracing): the files of kernel/trace/trace.c and
 * trace_events.c over the tracing core (include/mmsim/trace.h), in their
 * text: available_events, set_event, the events/ tree (enable, filter,
 * format, id, trigger), tracing_on, buffer sizes, trace and its per-CPU
 * views, trace_clock, trace_marker, current_tracer (nop only), error_log.
 * trace_pipe's blocking read is the FUSE layer's (fuse_ops.c); the text
 * it consumes comes from trace_pipe_read here.
 */
#include <errno.h>
#include <string.h>

#include "layout_handlers.h"
#include "render.h"
#include "render_util.h"
#include "kstrtox.h"
#include "trace_output.h"

/* The events a context names: one event, a system's, or all */
static bool ctx_covers(const struct fs_ctx *ctx, int id)
{
	if (ctx->event >= 0)
		return id == ctx->event;
	if (ctx->tsys >= 0)
		return !strcmp(trace_events[id].system, trace_events[ctx->tsys].system);
	return true;
}

/* A written value as a string without its one trailing newline */
static char *written_text(const char *buf, size_t len)
{
	if (len && buf[len - 1] == '\n')
		len--;
	return g_strndup(buf, len);
}

static int refuse(struct machine *m, const struct fs_ctx *ctx, const char *text, const char *why)
{
	printk(m, "%s: write of '%s' refused: %s (%s)", ctx->path, text, why, g_strerror(EINVAL));
	return -EINVAL;
}

void render_trace_available_events(struct machine *m, const struct fs_ctx *ctx, GString *out)
{
	(void)m;
	(void)ctx;
	for (int id = 0; id < NR_TRACE_EVENTS; id++)
		g_string_append_printf(out, "%s:%s\n", trace_events[id].system, trace_events[id].name);
}

void render_trace_current_tracer(struct machine *m, const struct fs_ctx *ctx, GString *out)
{
	(void)m;
	(void)ctx;
	g_string_append(out, "nop\n");
}

/* tracing_set_trace_write: only the nop tracer is built in */
int write_trace_current_tracer(struct machine *m, const struct fs_ctx *ctx, const char *buf, size_t len,
			       GString *reply)
{
	g_autofree char *text = g_strstrip(g_strndup(buf, len));

	(void)reply;
	if (strcmp(text, "nop") && *text)
		return refuse(m, ctx, text, "no such tracer (only nop)");
	return 0;
}

void render_trace_set_event(struct machine *m, const struct fs_ctx *ctx, GString *out)
{
	(void)ctx;
	for (int id = 0; id < NR_TRACE_EVENTS; id++)
		if (m->trace->enabled[id] & TRACE_EV_ON)
			g_string_append_printf(out, "%s:%s\n", trace_events[id].system, trace_events[id].name);
}

/* ftrace_set_clr_event: "sys:event", "sys:*", "*:event", "sys:" or a bare
 * name matching an event or a system; the events it names, or 0 */
static int set_clr_event(struct machine *m, const char *tok, bool set)
{
	g_autofree char *s = g_strdup(tok);
	char *colon = strchr(s, ':');
	const char *sys = NULL, *ev = s;
	int n = 0;

	if (colon) {
		*colon = '\0';
		sys = *s && strcmp(s, "*") ? s : NULL;
		ev = colon[1] ? colon + 1 : "*";
	}
	for (int id = 0; id < NR_TRACE_EVENTS; id++) {
		const struct trace_event_call *c = &trace_events[id];
		bool match = colon ? (!sys || !strcmp(sys, c->system)) && (!strcmp(ev, "*") || !strcmp(ev, c->name))
				   : !strcmp(ev, c->name) || !strcmp(ev, c->system);

		if (match) {
			trace_event_enable(m, id, set);
			n++;
		}
	}
	return n;
}

int write_trace_set_event(struct machine *m, const struct fs_ctx *ctx, const char *buf, size_t len, GString *reply)
{
	g_autofree char *text = g_strndup(buf, len);
	g_auto(GStrv) toks = g_strsplit_set(text, " \t\n", -1);
	unsigned char saved[NR_TRACE_EVENTS];

	(void)reply;
	memcpy(saved, m->trace->enabled, sizeof(saved));
	for (char **t = toks; *t; t++) {
		bool set = **t != '!';
		const char *name = set ? *t : *t + 1;

		if (!**t)
			continue;
		if (!set_clr_event(m, name, set)) {
			memcpy(m->trace->enabled, saved, sizeof(saved));
			return refuse(m, ctx, *t, "no such event");
		}
	}
	return 0;
}

/* events/enable, events/SYS/enable, events/SYS/EVENT/enable */
void render_trace_events_enable(struct machine *m, const struct fs_ctx *ctx, GString *out)
{
	bool on = false, off = false;

	if (ctx->event >= 0) {
		/* event_enable_read: 1 when recording, '*' in soft mode */
		g_string_append_printf(out, "%d%s\n", trace_event_recording(m->trace, ctx->event),
				       m->trace->soft_mode[ctx->event] ? "*" : "");
		return;
	}
	for (int id = 0; id < NR_TRACE_EVENTS; id++) {
		if (!ctx_covers(ctx, id))
			continue;
		if (m->trace->enabled[id] & TRACE_EV_ON)
			on = true;
		else
			off = true;
	}
	g_string_append(out, on && off ? "X\n" : on ? "1\n" : "0\n");
}

int write_trace_events_enable(struct machine *m, const struct fs_ctx *ctx, const char *buf, size_t len,
			      GString *reply)
{
	g_autofree char *text = written_text(buf, len);
	unsigned long long v;

	(void)reply;
	if (kstrtoull(text, 10, &v) || v > 1)
		return refuse(m, ctx, text, "not 0 or 1");
	for (int id = 0; id < NR_TRACE_EVENTS; id++)
		if (ctx_covers(ctx, id))
			trace_event_enable(m, id, v == 1);
	return 0;
}

void render_trace_filter(struct machine *m, const struct fs_ctx *ctx, GString *out)
{
	const char *text = ctx->event >= 0 ? m->trace->filter_text[ctx->event] : m->trace->sys_filter_text[ctx->tsys];

	g_string_append_printf(out, "%s\n", text ? text : "none");
}

/* The kernel's error_log entry of a filter that did not parse */
static void filter_error(struct machine *m, const char *expr, const char *err)
{
	uint64_t us = m->now_ns / 1000;

	g_string_append_printf(m->trace->error_log, "[%5llu.%06llu] event filter parse error: error: %s\n"
			       "  Command: %s\n           ^\n", (unsigned long long)(us / 1000000),
			       (unsigned long long)(us % 1000000), err, expr);
}

int write_trace_filter(struct machine *m, const struct fs_ctx *ctx, const char *buf, size_t len, GString *reply)
{
	g_autofree char *text = written_text(buf, len);
	char *err = NULL;
	int ok = 0;

	(void)reply;
	for (int id = 0; id < NR_TRACE_EVENTS; id++) {
		char *e = NULL;

		if (!ctx_covers(ctx, id))
			continue;
		if (trace_filter_set(m, id, text, &e) == 0)
			ok++;
		if (e && !err)
			err = e;
		else
			g_free(e);
	}
	if (!ok) {
		filter_error(m, text, err ? err : "Meaningless filter expression");
		refuse(m, ctx, text, err ? err : "bad filter");
		g_free(err);
		return -EINVAL;
	}
	g_free(err);
	if (ctx->event < 0) {
		g_free(m->trace->sys_filter_text[ctx->tsys]);
		m->trace->sys_filter_text[ctx->tsys] = strcmp(text, "0") ? g_strdup(g_strstrip(text)) : NULL;
	}
	return 0;
}

void render_trace_format(struct machine *m, const struct fs_ctx *ctx, GString *out)
{
	(void)m;
	trace_print_format(out, ctx->event);
}

void render_trace_id(struct machine *m, const struct fs_ctx *ctx, GString *out)
{
	(void)m;
	g_string_append_printf(out, "%d\n", trace_event_id_number(ctx->event));
}

void render_trace_trigger(struct machine *m, const struct fs_ctx *ctx, GString *out)
{
	trace_print_triggers(out, m, ctx->event);
}

int write_trace_trigger(struct machine *m, const struct fs_ctx *ctx, const char *buf, size_t len, GString *reply)
{
	g_autofree char *text = g_strstrip(g_strndup(buf, len));
	g_autofree char *err = NULL;
	int ret;

	(void)reply;
	if (!*text)
		return 0;
	ret = event_trigger_write(m, ctx->event, text, &err);
	if (ret < 0)
		printk(m, "%s: write of '%s' refused: %s (%s)", ctx->path, text, err, g_strerror(-ret));
	return ret;
}

void render_trace_header_page(struct machine *m, const struct fs_ctx *ctx, GString *out)
{
	(void)m;
	(void)ctx;
	g_string_append(out, "\tfield: u64 timestamp;\toffset:0;\tsize:8;\tsigned:0;\n"
			"\tfield: local_t commit;\toffset:8;\tsize:8;\tsigned:1;\n"
			"\tfield: int overwrite;\toffset:8;\tsize:1;\tsigned:1;\n"
			"\tfield: char data;\toffset:16;\tsize:4080;\tsigned:1;\n");
}

void render_trace_header_event(struct machine *m, const struct fs_ctx *ctx, GString *out)
{
	(void)m;
	(void)ctx;
	g_string_append(out, "# compressed entry header\n"
			"\ttype_len    :    5 bits\n"
			"\ttime_delta  :   27 bits\n"
			"\tarray       :   32 bits\n\n"
			"\tpadding     : type == 29\n"
			"\ttime_extend : type == 30\n"
			"\ttime_stamp : type == 31\n"
			"\tdata max type_len  == 28\n");
}

void render_tracing_on(struct machine *m, const struct fs_ctx *ctx, GString *out)
{
	(void)ctx;
	g_string_append_printf(out, "%d\n", m->trace->tracing_on);
}

int write_tracing_on(struct machine *m, const struct fs_ctx *ctx, const char *buf, size_t len, GString *reply)
{
	g_autofree char *text = written_text(buf, len);
	unsigned long long v;

	(void)reply;
	if (kstrtoull(text, 10, &v))
		return refuse(m, ctx, text, "not a number");
	m->trace->tracing_on = v != 0;
	return 0;
}

void render_trace_buffer_size_kb(struct machine *m, const struct fs_ctx *ctx, GString *out)
{
	(void)ctx;
	g_string_append_printf(out, "%lu\n", m->trace->buffer_size_kb);
}

int write_trace_buffer_size_kb(struct machine *m, const struct fs_ctx *ctx, const char *buf, size_t len,
			       GString *reply)
{
	g_autofree char *text = written_text(buf, len);
	unsigned long long v;

	(void)reply;
	if (kstrtoull(text, 10, &v) || tracing_resize_ring_buffer(m, (unsigned long)v))
		return refuse(m, ctx, text, "not a size in kB above 0");
	return 0;
}

void render_trace_buffer_total_size_kb(struct machine *m, const struct fs_ctx *ctx, GString *out)
{
	(void)ctx;
	g_string_append_printf(out, "%lu\n", m->trace->buffer_size_kb * (unsigned long)m->nr_cpus);
}

/* trace and per_cpu/cpuN/trace: the header, then every record held,
 * oldest first over the CPUs (or the one CPU's) */
void render_trace(struct machine *m, const struct fs_ctx *ctx, GString *out)
{
	const struct trace_array *tr = m->trace;
	g_autofree size_t *next = g_new0(size_t, (gsize)tr->nr_cpus);

	trace_print_header(out, m, ctx->cpu);
	for (;;) {
		const struct trace_entry *best = NULL;
		int best_cpu = -1;

		for (int c = 0; c < tr->nr_cpus; c++) {
			const struct trace_entry *e = (ctx->cpu < 0 || c == ctx->cpu) ? trace_cpu_entry(m, c, next[c])
											: NULL;

			if (e && (!best || e->seq < best->seq)) {
				best = e;
				best_cpu = c;
			}
		}
		if (!best)
			break;
		trace_print_entry(out, m, best, best_cpu);
		next[best_cpu]++;
	}
}

/* tracing_write_stub: what is written goes nowhere; the clearing is the
 * open with O_TRUNC's (trace_open_truncate) */
int write_trace(struct machine *m, const struct fs_ctx *ctx, const char *buf, size_t len, GString *reply)
{
	(void)m;
	(void)ctx;
	(void)buf;
	(void)len;
	(void)reply;
	return 0;
}

static void pipe_line(const struct trace_entry *e, int cpu, void *data)
{
	void **d = data;

	trace_print_entry(d[0], d[1], e, cpu);
}

size_t trace_pipe_read(struct machine *m, const struct fs_ctx *ctx, GString *out, size_t max)
{
	void *d[2] = { out, m };
	size_t n = 0;

	while (out->len < max && trace_consume(m, ctx->cpu, pipe_line, d))
		n++;
	return n;
}

/* A read that does not block: whatever is there, consumed */
void render_trace_pipe(struct machine *m, const struct fs_ctx *ctx, GString *out)
{
	trace_pipe_read(m, ctx, out, 1 << 20);
}

bool trace_pipe_ready(struct machine *m, const struct fs_ctx *ctx)
{
	return trace_has_entries(m, ctx->cpu);
}

void render_trace_cpu_stats(struct machine *m, const struct fs_ctx *ctx, GString *out)
{
	const struct trace_cpu_buffer *b = &m->trace->cpu[ctx->cpu];
	const struct trace_entry *oldest = trace_cpu_entry(m, ctx->cpu, 0);
	uint64_t ots = oldest ? oldest->ts_ns / 1000 : 0, now = m->now_ns / 1000;

	g_string_append_printf(out, "entries: %zu\noverrun: %llu\ncommit overrun: 0\nbytes: %zu\n", b->len,
			       (unsigned long long)b->overrun, b->bytes);
	g_string_append_printf(out, "oldest event ts: %5llu.%06llu\nnow ts: %5llu.%06llu\n",
			       (unsigned long long)(ots / 1000000), (unsigned long long)(ots % 1000000),
			       (unsigned long long)(now / 1000000), (unsigned long long)(now % 1000000));
	g_string_append_printf(out, "dropped events: 0\nread events: %llu\n", (unsigned long long)b->read);
}

void render_trace_clock(struct machine *m, const struct fs_ctx *ctx, GString *out)
{
	(void)ctx;
	for (int i = 0; i < nr_trace_clocks; i++)
		g_string_append_printf(out, i == m->trace->clock ? "[%s]%s" : "%s%s", trace_clocks[i],
				       i + 1 < nr_trace_clocks ? " " : "\n");
}

int write_trace_clock(struct machine *m, const struct fs_ctx *ctx, const char *buf, size_t len, GString *reply)
{
	g_autofree char *text = g_strstrip(g_strndup(buf, len));

	(void)reply;
	for (int i = 0; i < nr_trace_clocks; i++) {
		if (!strcmp(text, trace_clocks[i])) {
			m->trace->clock = i;
			return 0;
		}
	}
	return refuse(m, ctx, text, "no such clock");
}

void render_trace_marker(struct machine *m, const struct fs_ctx *ctx, GString *out)
{
	(void)m;
	(void)ctx;
	(void)out;
}

int write_trace_marker(struct machine *m, const struct fs_ctx *ctx, const char *buf, size_t len, GString *reply)
{
	(void)ctx;
	(void)reply;
	tracing_mark_write(m, buf, len);
	return 0;
}

void render_trace_error_log(struct machine *m, const struct fs_ctx *ctx, GString *out)
{
	(void)ctx;
	g_string_append_len(out, m->trace->error_log->str, (gssize)m->trace->error_log->len);
}

/* the log is cleared by an open with O_TRUNC; what is written is ignored */
int write_trace_error_log(struct machine *m, const struct fs_ctx *ctx, const char *buf, size_t len, GString *reply)
{
	return write_trace(m, ctx, buf, len, reply);
}

/* An open with O_TRUNC (tracing_open, ftrace_event_set_open, the
 * error_log's open): trace clears the buffer (one CPU's under per_cpu/),
 * set_event disables every event, error_log empties */
void trace_open_truncate(struct machine *m, render_fn render, const struct fs_ctx *ctx)
{
	if (render == render_trace && ctx->cpu < 0)
		tracing_reset_online_cpus(m);
	else if (render == render_trace)
		tracing_reset_cpu(m, ctx->cpu);
	else if (render == render_trace_set_event)
		for (int id = 0; id < NR_TRACE_EVENTS; id++)
			trace_event_enable(m, id, false);
	else if (render == render_trace_error_log)
		g_string_truncate(m->trace->error_log, 0);
}

bool trace_node_is_pipe(render_fn render)
{
	return render == render_trace_pipe;
}
