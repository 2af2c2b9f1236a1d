/*
 * The tracing core (kernel/trace/ring_buffer.c, trace.c, trace_events.c):
 * per-CPU ring buffers of event records, the events' enable state,
 * tracing_on, buffer_size_kb and the consuming read of trace_pipe.
 *
 * Models:
 *  - one ring buffer per CPU of buffer_size_kb (default 1408), in which a
 *    record takes the kernel's bytes (a 4-byte event header and the
 *    event's fields, 4-byte aligned); a full buffer overwrites its oldest
 *    records (overwrite mode) and counts them as overrun
 *  - records stamped with simulated time, the CPU and the task they were
 *    emitted on (the current task; the idle task when there is none),
 *    and the flags column of their tracepoint's context
 *  - tracing_on: while 0, nothing is recorded or counted (the events'
 *    triggers still run, so a traceon trigger can turn it back on)
 *  - per-event filters (trace_filter.c), applied as a record is written
 *    (the kernel discards a filtered-out record at commit)
 * Simplifies:
 *  - records live in a circular array, not in sub-buffer pages: the
 *    oldest record goes, not the oldest page of records
 *  - every trace_clock shows simulated time
 */
#include <errno.h>
#include <string.h>

#include "mmsim/machine.h"
#include "mmsim/trace.h"

const char *const trace_clocks[] = {
	"local", "global", "counter", "uptime", "perf", "mono", "mono_raw", "boot", "tai", "x86-tsc",
};
const int nr_trace_clocks = G_N_ELEMENTS(trace_clocks);

int trace_init(struct machine *m)
{
	struct trace_array *tr = g_new0(struct trace_array, 1);

	tr->tracing_on = true;
	tr->buffer_size_kb = TRACE_BUF_SIZE_DEFAULT_KB;
	tr->nr_cpus = m->nr_cpus;
	tr->cpu = g_new0(struct trace_cpu_buffer, (gsize)m->nr_cpus);
	tr->error_log = g_string_new(NULL);
	m->trace = tr;
	return 0;
}

static void entry_clear(struct trace_entry *e)
{
	g_free(e->str);
	e->str = NULL;
}

static void cpu_buffer_reset(struct trace_cpu_buffer *b)
{
	for (size_t i = 0; i < b->len; i++)
		entry_clear(&b->ring[(b->head + i) % b->cap]);
	b->head = b->len = b->bytes = 0;
	b->overrun = b->read = b->written = 0;
}

void trace_destroy(struct machine *m)
{
	struct trace_array *tr = m->trace;

	if (!tr)
		return;
	for (int cpu = 0; cpu < tr->nr_cpus; cpu++) {
		cpu_buffer_reset(&tr->cpu[cpu]);
		g_free(tr->cpu[cpu].ring);
	}
	for (int id = 0; id < NR_TRACE_EVENTS; id++) {
		trace_filter_free(tr->filter[id]);
		g_free(tr->filter_text[id]);
		g_free(tr->sys_filter_text[id]);
	}
	event_triggers_free(tr);
	g_string_free(tr->error_log, TRUE);
	g_free(tr->cpu);
	g_free(tr);
	m->trace = NULL;
}

int trace_event_find(const char *system, const char *name)
{
	for (int id = 0; id < NR_TRACE_EVENTS; id++)
		if ((!system || !strcmp(trace_events[id].system, system)) && !strcmp(trace_events[id].name, name))
			return id;
	return -1;
}

int trace_event_field(int id, const char *name)
{
	for (int i = 0; i < trace_events[id].nr_fields; i++)
		if (!strcmp(trace_events[id].fields[i].name, name))
			return i;
	return -1;
}

/* The field's alignment: its size for a scalar, 4 for a __data_loc, 1
 * for a char array (the compiler's, on x86-64) */
static unsigned int field_align(const struct trace_field *f)
{
	if (g_str_has_prefix(f->type, "__data_loc"))
		return 4;
	if (strchr(f->type, '['))
		return 1;
	return f->size;
}

unsigned int trace_field_offset(int id, int field)
{
	unsigned int off = 8;  /* common_type, _flags, _preempt_count, _pid */

	for (int i = 0;; i++) {
		const struct trace_field *f = &trace_events[id].fields[i];
		unsigned int a = field_align(f);

		off = (off + a - 1) / a * a;
		if (i == field)
			return off;
		off += f->size;
	}
}

/* The bytes a record takes in the ring buffer: the 4-byte event header,
 * the entry (its fields, 8-aligned as the struct is) and a dynamic
 * string, rounded to 4 */
static unsigned short entry_size(int id, const char *str)
{
	unsigned int size;

	if (id < 0) {
		size = 8 + 8 + (unsigned int)strlen(str) + 1;  /* ip, then the text */
	} else {
		const struct trace_event_call *call = &trace_events[id];
		int last = call->nr_fields - 1;

		size = last >= 0 ? trace_field_offset(id, last) + call->fields[last].size : 8;
		size = (size + 7) / 8 * 8;
		if (str && last >= 0)
			size += (unsigned int)strlen(str) + 1;
	}
	return (unsigned short)MIN(4 + (size + 3) / 4 * 4, 4096u);
}

void trace_event_enable(struct machine *m, int id, bool on)
{
	if (on)
		m->trace->enabled[id] |= TRACE_EV_ON;
	else
		m->trace->enabled[id] &= (unsigned char)~TRACE_EV_ON;
}

void tracing_reset_online_cpus(struct machine *m)
{
	struct trace_array *tr = m->trace;

	for (int cpu = 0; cpu < tr->nr_cpus; cpu++)
		cpu_buffer_reset(&tr->cpu[cpu]);
}

void tracing_reset_cpu(struct machine *m, int cpu)
{
	cpu_buffer_reset(&m->trace->cpu[cpu]);
}

static void drop_oldest(struct trace_cpu_buffer *b)
{
	struct trace_entry *e = &b->ring[b->head];

	b->bytes -= e->size;
	entry_clear(e);
	b->head = (b->head + 1) % b->cap;
	b->len--;
}

int tracing_resize_ring_buffer(struct machine *m, unsigned long size_kb)
{
	struct trace_array *tr = m->trace;

	if (!size_kb || size_kb > (1UL << 30))
		return -EINVAL;
	tr->buffer_size_kb = size_kb;
	for (int cpu = 0; cpu < tr->nr_cpus; cpu++) {
		struct trace_cpu_buffer *b = &tr->cpu[cpu];

		while (b->len && b->bytes > size_kb * 1024) {
			drop_oldest(b);
			b->overrun++;
		}
	}
	return 0;
}

/* A free slot at the tail of b: grows the array, linearized, when full */
static struct trace_entry *cpu_buffer_reserve(struct trace_cpu_buffer *b)
{
	if (b->len == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 256;
		struct trace_entry *ring = g_new(struct trace_entry, cap);

		for (size_t i = 0; i < b->len; i++)
			ring[i] = b->ring[(b->head + i) % b->cap];
		g_free(b->ring);
		b->ring = ring;
		b->cap = cap;
		b->head = 0;
	}
	return &b->ring[(b->head + b->len) % b->cap];
}

static void ring_buffer_write(struct machine *m, int cpu, const struct trace_entry *e)
{
	struct trace_array *tr = m->trace;
	struct trace_cpu_buffer *b = &tr->cpu[cpu];
	size_t limit = tr->buffer_size_kb * 1024;

	if (e->size > limit) {
		/* larger than the whole buffer: the kernel refuses it */
		g_free(e->str);
		return;
	}
	while (b->len && b->bytes + e->size > limit) {
		drop_oldest(b);
		b->overrun++;
	}
	*cpu_buffer_reserve(b) = *e;
	b->len++;
	b->bytes += e->size;
	b->written++;
	tr->waiters_gen++;
}

/* Fill the record's common part: time, CPU, task */
static int entry_start(struct machine *m, struct trace_entry *e, const struct task_struct *task)
{
	int cpu;

	if (!task)
		task = m->current;
	memset(e, 0, sizeof(*e));
	e->ts_ns = m->now_ns;
	e->seq = m->trace->seq++;
	if (task) {
		e->pid = task->pid;
		g_strlcpy(e->comm, task->comm, sizeof(e->comm));
		cpu = task->cpu;
	} else {
		e->pid = 0;
		g_strlcpy(e->comm, "<idle>", sizeof(e->comm));
		cpu = 0;
	}
	return cpu >= 0 && cpu < m->trace->nr_cpus ? cpu : 0;
}

void trace_event_emit(struct machine *m, int id, const struct task_struct *task, const char *str,
		      const uint64_t *args, int nargs)
{
	struct trace_array *tr = m->trace;
	struct trace_entry e;
	bool triggers = tr->enabled[id] & TRACE_EV_TRIGGER;
	int cpu;

	if (!triggers && !(tr->tracing_on && trace_event_recording(tr, id)))
		return;
	cpu = entry_start(m, &e, task);
	e.id = id;
	e.flags = trace_events[id].entry_flags;
	memcpy(e.args, args, sizeof(uint64_t) * (size_t)MIN(nargs, TRACE_MAX_ARGS));
	e.str = (char *)str;
	/* the triggers see the event whether or not it is recorded (soft
	 * mode): those without a filter before the record is reserved, those
	 * with one after it is committed (the kernel's post triggers) */
	if (triggers)
		event_triggers_call(m, id, &e, cpu, false);
	if (tr->tracing_on && trace_event_recording(tr, id) &&
	    (!tr->filter[id] || trace_filter_match(tr->filter[id], &e, cpu))) {
		struct trace_entry rec = e;

		rec.str = str ? g_strdup(str) : NULL;
		rec.size = entry_size(id, str);
		ring_buffer_write(m, cpu, &rec);
	}
	if (triggers)
		event_triggers_call(m, id, &e, cpu, true);
}

void tracing_mark_write(struct machine *m, const char *text, size_t len)
{
	struct trace_entry e;
	int cpu;

	if (!m->trace->tracing_on)
		return;
	cpu = entry_start(m, &e, NULL);
	e.id = -1;
	len = MIN(len, (size_t)TRACE_MARKER_MAX);
	/* the kernel keeps the text as written and ends it with a newline */
	e.str = g_malloc(len + 2);
	memcpy(e.str, text, len);
	if (!len || text[len - 1] != '\n')
		e.str[len++] = '\n';
	e.str[len] = '\0';
	e.size = entry_size(-1, e.str);
	ring_buffer_write(m, cpu, &e);
}

const struct trace_entry *trace_cpu_entry(const struct machine *m, int cpu, size_t i)
{
	const struct trace_cpu_buffer *b = &m->trace->cpu[cpu];

	return i < b->len ? &b->ring[(b->head + i) % b->cap] : NULL;
}

bool trace_has_entries(const struct machine *m, int cpu)
{
	for (int c = 0; c < m->trace->nr_cpus; c++)
		if ((cpu < 0 || c == cpu) && m->trace->cpu[c].len)
			return true;
	return false;
}

bool trace_consume(struct machine *m, int cpu, void (*fn)(const struct trace_entry *e, int cpu, void *data),
		   void *data)
{
	struct trace_array *tr = m->trace;
	struct trace_cpu_buffer *best = NULL;
	int best_cpu = 0;

	/* the oldest over the CPUs, as the kernel's trace_find_next_entry */
	for (int c = 0; c < tr->nr_cpus; c++) {
		struct trace_cpu_buffer *b = &tr->cpu[c];

		if ((cpu >= 0 && c != cpu) || !b->len)
			continue;
		if (!best || b->ring[b->head].seq < best->ring[best->head].seq) {
			best = b;
			best_cpu = c;
		}
	}
	if (!best)
		return false;
	fn(&best->ring[best->head], best_cpu, data);
	drop_oldest(best);
	best->read++;
	return true;
}

char *trace_check_invariants(const struct machine *m)
{
	const struct trace_array *tr = m->trace;

	for (int cpu = 0; tr && cpu < tr->nr_cpus; cpu++) {
		const struct trace_cpu_buffer *b = &tr->cpu[cpu];
		size_t bytes = 0;
		uint64_t seq = 0;

		for (size_t i = 0; i < b->len; i++) {
			const struct trace_entry *e = &b->ring[(b->head + i) % b->cap];

			if (i && e->seq <= seq)
				return g_strdup_printf("trace cpu%d: record %zu out of order", cpu, i);
			seq = e->seq;
			bytes += e->size;
		}
		if (bytes != b->bytes || b->bytes > tr->buffer_size_kb * 1024 || b->len > b->cap)
			return g_strdup_printf("trace cpu%d: %zu records of %zu bytes, counted %zu, limit %lu kB", cpu,
					       b->len, bytes, b->bytes, tr->buffer_size_kb);
	}
	return tr ? event_triggers_check(tr) : NULL;
}
