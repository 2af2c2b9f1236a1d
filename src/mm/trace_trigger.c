/*
 * Event triggers (kernel/trace/trace_events_trigger.c): commands written
 * to an event's trigger file that run when the event fires.
 *
 * Models:
 *  - traceon and traceoff (tracing_on), enable_event:SYS:EVENT and
 *    disable_event:SYS:EVENT (the target's soft mode: its enable file
 *    shows a '*', an enable_event firing makes it record, a disable_event
 *    firing stops it, even when the user enabled it)
 *  - ":COUNT" (the trigger runs COUNT more times, counting only the
 *    times it changes something, as the kernel's _count variants do) and
 *    "if FILTER" (the event's own filter syntax)
 *  - triggers run whether or not their event is recorded; those without a
 *    filter before the record, those with one after it (post triggers)
 *  - "!CMD..." removes the trigger it names; registering the same command
 *    (and target) twice is EEXIST
 * Simplifies:
 *  - stacktrace, snapshot and hist need a call stack, a snapshot buffer
 *    and histograms, none of which the model has: EINVAL with a reason
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "mmsim/machine.h"
#include "mmsim/trace.h"

static const char *const trigger_names[] = {
	[TRIGGER_TRACEON] = "traceon",
	[TRIGGER_TRACEOFF] = "traceoff",
	[TRIGGER_ENABLE_EVENT] = "enable_event",
	[TRIGGER_DISABLE_EVENT] = "disable_event",
};

static void trigger_free(gpointer p)
{
	struct event_trigger *t = p;

	trace_filter_free(t->filter);
	g_free(t->filter_text);
	g_free(t);
}

static bool is_event_trigger(const struct event_trigger *t)
{
	return t->type == TRIGGER_ENABLE_EVENT || t->type == TRIGGER_DISABLE_EVENT;
}

/* Keep TRACE_EV_TRIGGER in step with the list */
static void update_trigger_flag(struct trace_array *tr, int id)
{
	if (tr->triggers[id] && tr->triggers[id]->len)
		tr->enabled[id] |= TRACE_EV_TRIGGER;
	else
		tr->enabled[id] &= (unsigned char)~TRACE_EV_TRIGGER;
}

/* trace_event_enable_disable(file, enable, soft_disable=1): soft mode
 * begins with the first trigger naming the event and ends with the last */
static void soft_mode(struct trace_array *tr, int target, bool on)
{
	tr->soft_mode[target] += on ? 1 : -1;
	if (!tr->soft_mode[target])
		tr->enabled[target] &= (unsigned char)~(TRACE_EV_SOFT_ON | TRACE_EV_SOFT_OFF);
}

/* "traceoff", "enable_event:kmem:mm_page_free", with the count split off */
static int parse_command(char *word, struct event_trigger *t, char **err)
{
	char *f[4] = { 0 };
	int n = 0, nfix;

	for (char *s = word, *c; n < 4; s = c + 1) {
		f[n++] = s;
		if (!(c = strchr(s, ':')))
			break;
		*c = '\0';
	}
	if (!strcmp(f[0], "stacktrace") || !strcmp(f[0], "snapshot") || !strncmp(f[0], "hist", 4) ||
	    !strcmp(f[0], "enable_hist") || !strcmp(f[0], "disable_hist")) {
		*err = g_strdup_printf("the %s trigger is not modelled", f[0]);
		return -EINVAL;
	}
	int type = 0;

	while (type < (int)G_N_ELEMENTS(trigger_names) && strcmp(f[0], trigger_names[type]))
		type++;
	if (type == (int)G_N_ELEMENTS(trigger_names)) {
		*err = g_strdup_printf("no such trigger command: %s", f[0]);
		return -EINVAL;
	}
	t->type = (enum trigger_type)type;
	nfix = is_event_trigger(t) ? 3 : 1;
	if (n < nfix || n > nfix + 1) {
		*err = g_strdup(is_event_trigger(t) ? "usage: enable_event:SYSTEM:EVENT[:COUNT]" : "bad count");
		return -EINVAL;
	}
	if (is_event_trigger(t) && (t->target = trace_event_find(f[1], f[2])) < 0) {
		*err = g_strdup_printf("no such event: %s:%s", f[1], f[2]);
		return -EINVAL;
	}
	t->count = -1;
	if (n > nfix) {
		char *end;
		unsigned long v = strtoul(f[nfix], &end, 10);

		if (!*f[nfix] || *end || *f[nfix] == '-' || v > LONG_MAX) {
			*err = g_strdup_printf("bad count: %s", f[nfix]);
			return -EINVAL;
		}
		t->count = (long)v;
	}
	return 0;
}

static int find_trigger(const struct trace_array *tr, int id, const struct event_trigger *t)
{
	for (guint i = 0; tr->triggers[id] && i < tr->triggers[id]->len; i++) {
		const struct event_trigger *o = g_ptr_array_index(tr->triggers[id], i);

		if (o->type == t->type && (!is_event_trigger(t) || o->target == t->target))
			return (int)i;
	}
	return -1;
}

static void remove_trigger(struct trace_array *tr, int id, int i)
{
	struct event_trigger *t = g_ptr_array_index(tr->triggers[id], i);

	if (is_event_trigger(t))
		soft_mode(tr, t->target, false);
	g_ptr_array_remove_index(tr->triggers[id], (guint)i);
	update_trigger_flag(tr, id);
}

int event_trigger_write(struct machine *m, int id, const char *cmd, char **err)
{
	struct trace_array *tr = m->trace;
	g_autofree char *text = g_strstrip(g_strdup(cmd));
	struct event_trigger *t;
	bool remove = text[0] == '!';
	char *word = text + remove, *cond = strstr(word, " if ");
	int i;

	if (cond)
		*cond = '\0';
	t = g_new0(struct event_trigger, 1);
	if (parse_command(g_strstrip(word), t, err) < 0) {
		trigger_free(t);
		return -EINVAL;
	}
	i = find_trigger(tr, id, t);
	if (remove) {
		if (i >= 0)
			remove_trigger(tr, id, i);
		trigger_free(t);
		return 0;
	}
	if (i >= 0) {
		*err = g_strdup_printf("%s is already a trigger of this event", trigger_names[t->type]);
		trigger_free(t);
		return -EEXIST;
	}
	if (cond && !(t->filter = trace_filter_compile(id, cond + 4, err))) {
		trigger_free(t);
		return -EINVAL;
	}
	t->filter_text = cond ? g_strdup(g_strstrip(cond + 4)) : NULL;
	if (!tr->triggers[id])
		tr->triggers[id] = g_ptr_array_new_with_free_func(trigger_free);
	g_ptr_array_add(tr->triggers[id], t);
	if (is_event_trigger(t))
		soft_mode(tr, t->target, true);
	update_trigger_flag(tr, id);
	return 0;
}

/* What the trigger does; false when it changed nothing (the _count
 * variants count only changes) */
static bool trigger_fire(struct trace_array *tr, const struct event_trigger *t)
{
	unsigned char *f = t->type >= TRIGGER_ENABLE_EVENT ? &tr->enabled[t->target] : NULL;
	bool was;

	switch (t->type) {
	case TRIGGER_TRACEON:
	case TRIGGER_TRACEOFF:
		was = tr->tracing_on;
		tr->tracing_on = t->type == TRIGGER_TRACEON;
		return was != tr->tracing_on;
	case TRIGGER_ENABLE_EVENT:
		was = trace_event_recording(tr, t->target);
		*f = (unsigned char)((*f | TRACE_EV_SOFT_ON) & ~TRACE_EV_SOFT_OFF);
		return !was;
	default:
		was = trace_event_recording(tr, t->target);
		*f = (unsigned char)((*f | TRACE_EV_SOFT_OFF) & ~TRACE_EV_SOFT_ON);
		return was;
	}
}

void event_triggers_call(struct machine *m, int id, const struct trace_entry *e, int cpu, bool post)
{
	struct trace_array *tr = m->trace;
	GPtrArray *list = tr->triggers[id];

	for (guint i = 0; list && i < list->len; i++) {
		struct event_trigger *t = g_ptr_array_index(list, i);

		if ((t->filter != NULL) != post || !t->count)
			continue;
		if (t->filter && !trace_filter_match(t->filter, e, cpu))
			continue;
		if (trigger_fire(tr, t) && t->count > 0)
			t->count--;
	}
}

/* event_trigger_print / event_enable_trigger_print */
void trace_print_triggers(GString *out, const struct machine *m, int id)
{
	const GPtrArray *list = m->trace->triggers[id];

	if (!list || !list->len) {
		g_string_append(out, "# Available triggers:\n"
				"# traceon traceoff snapshot stacktrace enable_event disable_event enable_hist "
				"disable_hist hist\n");
		return;
	}
	for (guint i = 0; i < list->len; i++) {
		const struct event_trigger *t = g_ptr_array_index(list, i);

		g_string_append(out, trigger_names[t->type]);
		if (is_event_trigger(t))
			g_string_append_printf(out, ":%s:%s", trace_events[t->target].system,
					       trace_events[t->target].name);
		if (t->count < 0)
			g_string_append(out, ":unlimited");
		else
			g_string_append_printf(out, ":count=%ld", t->count);
		if (t->filter_text)
			g_string_append_printf(out, " if %s", t->filter_text);
		g_string_append_c(out, '\n');
	}
}

void event_triggers_free(struct trace_array *tr)
{
	for (int id = 0; id < NR_TRACE_EVENTS; id++)
		if (tr->triggers[id])
			g_ptr_array_free(tr->triggers[id], TRUE);
}

/* --debug-vm: the trigger flag follows the lists, each event's soft mode
 * counts the triggers naming it, no soft state outside soft mode */
char *event_triggers_check(const struct trace_array *tr)
{
	int soft[NR_TRACE_EVENTS] = { 0 };

	for (int id = 0; id < NR_TRACE_EVENTS; id++) {
		bool has = tr->triggers[id] && tr->triggers[id]->len;

		if (has != !!(tr->enabled[id] & TRACE_EV_TRIGGER))
			return g_strdup_printf("trace: %s has %s triggers but its flag says otherwise",
					       trace_events[id].name, has ? "" : "no");
		for (guint i = 0; has && i < tr->triggers[id]->len; i++) {
			const struct event_trigger *t = g_ptr_array_index(tr->triggers[id], i);

			if (is_event_trigger(t))
				soft[t->target]++;
		}
	}
	for (int id = 0; id < NR_TRACE_EVENTS; id++)
		if (soft[id] != tr->soft_mode[id] ||
		    (!soft[id] && (tr->enabled[id] & (TRACE_EV_SOFT_ON | TRACE_EV_SOFT_OFF))))
			return g_strdup_printf("trace: %s in soft mode %d times, %d triggers name it",
					       trace_events[id].name, tr->soft_mode[id], soft[id]);
	return NULL;
}
