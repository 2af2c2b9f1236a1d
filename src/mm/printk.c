/*
 * kernel/printk: the model's log, read as sim/log.
 *
 * Models: dmesg's "[seconds.micros] message" lines stamped with simulated
 * time.  Simplifies: one buffer of text with no log levels; when it grows
 * past its limit the oldest lines are dropped, as the ring buffer does.
 */
#include <stdarg.h>
#include <string.h>

#include "mmsim/machine.h"

void printk(struct machine *m, const char *fmt, ...)
{
	uint64_t us = m->now_ns / 1000;
	va_list ap;

	g_string_append_printf(m->log, "[%5lu.%06lu] ", (unsigned long)(us / 1000000),
			       (unsigned long)(us % 1000000));
	va_start(ap, fmt);
	g_string_append_vprintf(m->log, fmt, ap);
	va_end(ap);
	g_string_append_c(m->log, '\n');
	if (m->log->len > m->log_limit) {
		const char *cut = strchr(m->log->str + (m->log->len - m->log_limit / 2), '\n');

		if (cut)
			g_string_erase(m->log, 0, (gssize)(cut + 1 - m->log->str));
	}
}
