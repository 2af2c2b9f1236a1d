/*
 * The tracing core (kernel/trace/): the trace events the model knows, their
 * enable state and filters, and the per-CPU ring buffers their records go
 * into.  The engine emits an event with one call at the point the kernel
 * has its tracepoint (include/mmsim/trace_events.h); a disabled event costs
 * one load and one predictable branch.  The tracefs files (src/fs) read and
 * set what is here and print the records in ftrace's text.
 */
#ifndef MMSIM_TRACE_H
#define MMSIM_TRACE_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

struct machine;
struct task_struct;

/* Every event, in available_events' order: TRACE_EVENT(system, name) */
#define TRACE_EVENT_LIST(X) \
	X(kmem, kmalloc) \
	X(kmem, kfree) \
	X(kmem, kmem_cache_alloc) \
	X(kmem, kmem_cache_free) \
	X(kmem, mm_page_free) \
	X(kmem, mm_page_free_batched) \
	X(kmem, mm_page_alloc) \
	X(kmem, mm_page_alloc_zone_locked) \
	X(kmem, mm_page_pcpu_drain) \
	X(kmem, mm_page_alloc_extfrag) \
	X(kmem, rss_stat) \
	X(vmscan, mm_vmscan_kswapd_sleep) \
	X(vmscan, mm_vmscan_kswapd_wake) \
	X(vmscan, mm_vmscan_wakeup_kswapd) \
	X(vmscan, mm_vmscan_direct_reclaim_begin) \
	X(vmscan, mm_vmscan_direct_reclaim_end) \
	X(vmscan, mm_shrink_slab_start) \
	X(vmscan, mm_shrink_slab_end) \
	X(vmscan, mm_vmscan_lru_isolate) \
	X(vmscan, mm_vmscan_write_folio) \
	X(vmscan, mm_vmscan_lru_shrink_inactive) \
	X(vmscan, mm_vmscan_lru_shrink_active) \
	X(vmscan, mm_vmscan_throttled) \
	X(oom, oom_score_adj_update) \
	X(oom, reclaim_retry_zone) \
	X(oom, mark_victim) \
	X(oom, wake_reaper) \
	X(oom, start_task_reaping) \
	X(oom, finish_task_reaping) \
	X(oom, skip_task_reaping) \
	X(compaction, mm_compaction_isolate_migratepages) \
	X(compaction, mm_compaction_isolate_freepages) \
	X(compaction, mm_compaction_migratepages) \
	X(compaction, mm_compaction_begin) \
	X(compaction, mm_compaction_end) \
	X(compaction, mm_compaction_try_to_compact_pages) \
	X(compaction, mm_compaction_finished) \
	X(compaction, mm_compaction_suitable) \
	X(compaction, mm_compaction_deferred) \
	X(compaction, mm_compaction_defer_compaction) \
	X(compaction, mm_compaction_defer_reset) \
	X(compaction, mm_compaction_kcompactd_sleep) \
	X(compaction, mm_compaction_wakeup_kcompactd) \
	X(compaction, mm_compaction_kcompactd_wake) \
	X(filemap, mm_filemap_delete_from_page_cache) \
	X(filemap, mm_filemap_add_to_page_cache) \
	X(pagemap, mm_lru_insertion) \
	X(pagemap, mm_lru_activate) \
	X(writeback, writeback_dirty_folio) \
	X(writeback, writeback_start) \
	X(writeback, writeback_written) \
	X(writeback, balance_dirty_pages)

#define TRACE_EVENT_ENUM(sys, name) TE_##name,
enum trace_event_id {
	TRACE_EVENT_LIST(TRACE_EVENT_ENUM)
	NR_TRACE_EVENTS
};
#undef TRACE_EVENT_ENUM

/* ftrace's own records that are no event of a system */
#define TRACE_PRINT_ID 5           /* TRACE_PRINT: trace_marker's lines */
#define TRACE_EVENT_FIRST_ID 100   /* the ids the events get, in order */

#define TRACE_MAX_ARGS 15
#define TRACE_STR_LEN 32
#define TRACE_MARKER_MAX 1024      /* a marker write's text (TRACE_BUF_SIZE) */

/* The entry's flags column (include/linux/trace_events.h) */
#define TRACE_FLAG_IRQS_OFF 0x01
#define TRACE_PREEMPT_SHIFT 4      /* preempt depth in bits 4..7 */

/* One field of an event record (the `format` file's lines) */
struct trace_field {
	const char *type;   /* "unsigned long", "__data_loc char[]", "char[16]" */
	const char *name;
	unsigned int size;
	bool is_signed;
	bool is_string;     /* its value is the record's str */
};

struct trace_event_call {
	const char *system;
	const char *name;
	const struct trace_field *fields;
	int nr_fields;
	const char *print_fmt;    /* the `print fmt:` line's text */
	unsigned char entry_flags; /* the flags column: irqs off, preempt depth */
};

/* One record in a ring buffer */
struct trace_entry {
	uint64_t ts_ns;           /* simulated time */
	uint64_t seq;             /* written order over all CPUs */
	int id;                   /* enum trace_event_id, or -1 for a marker */
	int pid;
	unsigned char flags;
	unsigned short size;      /* bytes it takes in the buffer */
	char comm[16];
	uint64_t args[TRACE_MAX_ARGS]; /* the fields, in order, as 64-bit values */
	char *str;                /* the string field or the marker text, or NULL */
};

/* One CPU's ring buffer: a circular array of records */
struct trace_cpu_buffer {
	struct trace_entry *ring;
	size_t cap, head, len;    /* slots, the oldest's index, records held */
	size_t bytes;             /* what the records take (their size) */
	uint64_t overrun;         /* records overwritten before being read */
	uint64_t read;            /* records consumed by trace_pipe */
	uint64_t written;
};

/* A filter compiled from an expression (src/mm/trace_filter.c) */
struct trace_filter;

/* enabled[]'s bits: any set, the tracepoint calls trace_event_emit */
#define TRACE_EV_ON 1        /* enabled by the user (enable, set_event) */
#define TRACE_EV_TRIGGER 2   /* has triggers (soft mode: they run even when not recording) */
#define TRACE_EV_SOFT_ON 4   /* enabled by an enable_event trigger */
#define TRACE_EV_SOFT_OFF 8  /* disabled by a disable_event trigger (SOFT_DISABLED) */

/* An event trigger (kernel/trace/trace_events_trigger.c) */
enum trigger_type { TRIGGER_TRACEON, TRIGGER_TRACEOFF, TRIGGER_ENABLE_EVENT, TRIGGER_DISABLE_EVENT };
struct event_trigger {
	enum trigger_type type;
	long count;                    /* -1: unlimited */
	int target;                    /* enable_event/disable_event: the event switched */
	struct trace_filter *filter;   /* "if FILTER", or NULL */
	char *filter_text;
};

struct trace_array {
	/* first: what the emitting code tests */
	unsigned char enabled[NR_TRACE_EVENTS];
	bool tracing_on;
	unsigned long buffer_size_kb;  /* per CPU */
	int clock;                     /* index into trace_clocks */
	struct trace_cpu_buffer *cpu;  /* nr_cpus of them */
	int nr_cpus;
	uint64_t seq;
	struct trace_filter *filter[NR_TRACE_EVENTS];
	char *filter_text[NR_TRACE_EVENTS];
	char *sys_filter_text[NR_TRACE_EVENTS]; /* by a system's first event */
	GString *error_log;            /* tracefs's error_log */
	GPtrArray *triggers[NR_TRACE_EVENTS];  /* struct event_trigger, in registration order */
	int soft_mode[NR_TRACE_EVENTS];        /* enable/disable_event triggers naming it */
	uint64_t waiters_gen;          /* bumped when records arrive (trace_pipe) */
};

extern const struct trace_event_call trace_events[NR_TRACE_EVENTS];
extern const char *const trace_clocks[];
extern const int nr_trace_clocks;

#define TRACE_BUF_SIZE_DEFAULT_KB 1408UL

int trace_init(struct machine *m);
void trace_destroy(struct machine *m);

/* The event whose system and name these are, or -1 */
int trace_event_find(const char *system, const char *name);
/* Its id file's number */
static inline int trace_event_id_number(int id) { return TRACE_EVENT_FIRST_ID + id; }
/* The field named name of an event, or -1 (common fields excluded) */
int trace_event_field(int id, const char *name);
/* The field's offset in the kernel's record, with the kernel's layout:
 * after the 8 bytes of common fields, each field at its natural alignment */
unsigned int trace_field_offset(int id, int field);

void trace_event_enable(struct machine *m, int id, bool on);
/* Reset the ring buffers (echo > trace) */
void tracing_reset_online_cpus(struct machine *m);
void tracing_reset_cpu(struct machine *m, int cpu);
/* Resize every CPU's buffer: 0 or -EINVAL */
int tracing_resize_ring_buffer(struct machine *m, unsigned long size_kb);

/* Record an event (it is enabled): args as 64-bit values in field order,
 * str the string field when it has one; task NULL for the current one */
void trace_event_emit(struct machine *m, int id, const struct task_struct *task, const char *str,
		      const uint64_t *args, int nargs);
/* trace_marker's write: a TRACE_PRINT record of text */
void tracing_mark_write(struct machine *m, const char *text, size_t len);

/* Records held in CPU cpu's buffer, oldest first: i from 0 to len-1 */
const struct trace_entry *trace_cpu_entry(const struct machine *m, int cpu, size_t i);
/* trace_pipe: take the oldest record (over all CPUs, or of cpu when >= 0),
 * pass it to fn, drop it: false when there is none */
bool trace_consume(struct machine *m, int cpu, void (*fn)(const struct trace_entry *e, int cpu, void *data),
		   void *data);
/* Whether any record waits to be consumed (cpu -1: any) */
bool trace_has_entries(const struct machine *m, int cpu);

/* Filters: compile expr for an event (0, or -EINVAL with a reason in
 * *err); trace_filter_match evaluates a compiled one on a record */
int trace_filter_set(struct machine *m, int id, const char *expr, char **err);
struct trace_filter *trace_filter_compile(int id, const char *expr, char **err);
bool trace_filter_match(const struct trace_filter *f, const struct trace_entry *e, int cpu);
void trace_filter_free(struct trace_filter *f);

/* Triggers (trace_trigger.c): event_trigger_write parses one command of
 * an event's trigger file ("CMD[:COUNT] [if FILTER]", "!CMD..."): 0 or
 * -errno with a reason in *err; event_triggers_call runs them on a record
 * of the event; trace_print_triggers is the trigger file's list */
int event_trigger_write(struct machine *m, int id, const char *cmd, char **err);
void event_triggers_call(struct machine *m, int id, const struct trace_entry *e, int cpu, bool post);
void trace_print_triggers(GString *out, const struct machine *m, int id);
void event_triggers_free(struct trace_array *tr);
char *event_triggers_check(const struct trace_array *tr);
/* Whether an event's records are written (its enable file's 1) */
static inline bool trace_event_recording(const struct trace_array *tr, int id)
{
	unsigned char f = tr->enabled[id];

	return (f & (TRACE_EV_ON | TRACE_EV_SOFT_ON)) && !(f & TRACE_EV_SOFT_OFF);
}

/* --debug-vm: each CPU's records fit its buffer, their sizes add up to
 * its bytes, their order is the written order; NULL or what broke */
char *trace_check_invariants(const struct machine *m);

static inline bool trace_event_enabled(const struct trace_array *tr, int id)
{
	return G_UNLIKELY(tr && tr->enabled[id]);
}

#endif
