/*
 * What the ctl files share (sim/ctl in ctl.c, proc/PID/ctl in pid_ctl.c):
 * a table of commands, the runner that splits a write into lines, parses
 * each (ctl_parse.c), runs it and logs a refusal, and the help text.
 */
#ifndef MMSIM_FS_CTL_H
#define MMSIM_FS_CTL_H

#include <glib.h>
#include <stddef.h>

#include "ctl_parse.h"
#include "render.h"

/* A command: fn checks every argument before it calls the engine, so a
 * refusal changes nothing.  It returns 0 with its reply appended (without
 * the newline), or a negative errno with *why set to a one-line reason. */
typedef int (*ctl_fn)(struct machine *m, const struct fs_ctx *ctx, struct ctl_cmd *cmd, GString *reply,
		      const char **why);

struct ctl_command {
	const char *verb;
	ctl_fn fn;
	const char *usage;
	const char *help;
};

/* Run the lines of buf in order up to the first failure, which is
 * returned; `who` names the file in sim/log ("sim/ctl", "proc/42/ctl").
 * A line is at most CTL_MAX_LINE bytes before its newline.  With
 * ctx->write (a FUSE write request): a last line without its newline is
 * left when the request may go on in the next, ctx->write->done says how
 * many bytes were taken (whole lines that ran), and cond_resched runs
 * between two commands. */
int ctl_run(struct machine *m, const struct ctl_command *cmds, size_t ncmds, const struct fs_ctx *ctx,
	    const char *who, const char *buf, size_t len, GString *reply);

/* The help: every command, one a line, usage then what it does */
void ctl_render_help(const struct ctl_command *cmds, size_t ncmds, GString *out);

/* A refusal for a command that names a mechanism not modelled yet */
int ctl_not_modelled(struct machine *m, const struct fs_ctx *ctx, struct ctl_cmd *cmd, GString *reply,
		     const char **why);

/* pid=N of spawn and fork: 0 when absent (*pid = 0: the next free one),
 * -EINVAL outside 1..pid_max, -EEXIST when taken */
int ctl_pid_opt(struct machine *m, struct ctl_cmd *cmd, int *pid, const char **why);

/* A program name for spawn and fork: -EINVAL with *why, or 0 */
int ctl_check_name(const char *name, const char **why);

/* ctl_file.c: the sim/ctl commands file and rmfile */
int ctl_file(struct machine *m, const struct fs_ctx *ctx, struct ctl_cmd *cmd, GString *reply, const char **why);
int ctl_rmfile(struct machine *m, const struct fs_ctx *ctx, struct ctl_cmd *cmd, GString *reply, const char **why);
/* An existing file's path, checked as a path walk would (EINVAL,
 * ENAMETOOLONG, ENOTDIR, EISDIR, ENOENT): 0 and *out (may be NULL), or
 * the errno with *why set; nothing changes */
struct inode;
int ctl_file_path(struct machine *m, const char *path, struct inode **out, const char **why);
/* ctl_swap.c: swapon PATH SIZE [prio=N], swapoff PATH */
int ctl_swapon(struct machine *m, const struct fs_ctx *ctx, struct ctl_cmd *cmd, GString *reply, const char **why);
int ctl_swapoff(struct machine *m, const struct fs_ctx *ctx, struct ctl_cmd *cmd, GString *reply, const char **why);

#endif
