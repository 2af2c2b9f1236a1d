/*
 * ftrace's text of the tracing core's records (trace_output.c).
 */
#ifndef MMSIM_FS_TRACE_OUTPUT_H
#define MMSIM_FS_TRACE_OUTPUT_H

#include <glib.h>

#include "mmsim/machine.h"
#include "mmsim/trace.h"

/* One line of `trace`/`trace_pipe`, with its newline */
void trace_print_entry(GString *out, const struct machine *m, const struct trace_entry *e, int cpu);
/* The event's TP_printk text alone */
void trace_print_event_text(GString *out, const struct machine *m, const struct trace_entry *e);
/* `trace`'s header (nop tracer, irq-info on); cpu -1: every CPU */
void trace_print_header(GString *out, const struct machine *m, int cpu);
/* An event's `format` file */
void trace_print_format(GString *out, int id);
/* show_gfp_flags's text */
void trace_print_gfp_flags(GString *out, unsigned long gfp);

/* For the FUSE layer (render_trace.c) */
#include "render.h"
/* trace_pipe: consume records into out until it holds max bytes (at least
 * one record when there is one); the records taken */
size_t trace_pipe_read(struct machine *m, const struct fs_ctx *ctx, GString *out, size_t max);
/* Whether a trace_pipe read would find a record */
bool trace_pipe_ready(struct machine *m, const struct fs_ctx *ctx);
/* Whether the file with this renderer is a trace_pipe */
bool trace_node_is_pipe(render_fn render);
/* What an open with O_TRUNC does to the file with this renderer */
void trace_open_truncate(struct machine *m, render_fn render, const struct fs_ctx *ctx);

#endif
