/*
 * What the sim/explain renderers share (render_explain.c,
 * render_explain_task.c).
 */
#ifndef MMSIM_FS_RENDER_EXPLAIN_H
#define MMSIM_FS_RENDER_EXPLAIN_H

#include <glib.h>

/* "result: FILE " and the formatted KEY VALUE, a line of its own: the
 * value the real file FILE shows */
void explain_result(GString *out, const char *file, const char *fmt, ...) G_GNUC_PRINTF(3, 4);

#endif
