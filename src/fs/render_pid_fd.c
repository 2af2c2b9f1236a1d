/*
 * proc/PID/fd/, fdinfo/, mounts and mountinfo, proc/mounts and
 * proc/sys/fs/file-nr and file-max (fs/proc/fd.c, fs/proc_namespace.c,
 * fs/file_table.c) in Linux 6.18's formats: what psutil's num_fds and
 * open_files, findmnt, libcgroup and node_exporter's filefd collector read.
 *
 * Simplifies:
 *  - fd 0, 1 and 2 of every user process are /dev/null, opened O_RDWR;
 *  - proc/mounts is a file, not a link to self/mounts: its readers are
 *    not simulated processes, and every simulated process shares one
 *    mount namespace.
 */
#include "layout_handlers.h"
#include "render.h"
#include "render_pid.h"
#include "mmsim/mount.h"
#include "mmsim/pagemap.h"

/* proc_fd_link: the file's path, " (deleted)" once unlinked */
void render_pid_fd(struct machine *m, const struct fs_ctx *ctx, GString *out)
{
	struct task_struct *t = get_proc_task(m, ctx);
	struct file *f;

	if (!t || !task_fd_open(t, ctx->fd))
		return;
	if (!(f = fget_task(t, ctx->fd))) {
		g_string_append(out, DEV_NULL_PATH);
		return;
	}
	g_string_append(out, f->f_inode->path);
	if (f->f_inode->unlinked)
		g_string_append(out, " (deleted)");
}

/* seq_show: pos, flags in octal, mnt_id, ino (no locks, no show_fdinfo
 * for regular files and character devices) */
void render_pid_fdinfo(struct machine *m, const struct fs_ctx *ctx, GString *out)
{
	struct task_struct *t = get_proc_task(m, ctx);
	struct file *f;

	if (!t || !task_fd_open(t, ctx->fd))
		return;
	f = fget_task(t, ctx->fd);
	g_string_append_printf(out, "pos:\t%lli\nflags:\t0%o\nmnt_id:\t%i\nino:\t%lu\n", 0LL, SIM_FILE_FLAGS,
			       f ? file_mnt_id(m, f) : dev_mnt_id(), f ? f->f_inode->i_ino : (unsigned long)DEV_NULL_INO);
}

/* show_vfsmnt: "source mountpoint type options 0 0" */
static void show_vfsmnt(struct machine *m, GString *out)
{
	int nr;
	g_autofree struct mount_info *mnt = mount_table(m, &nr);

	for (int i = 0; i < nr; i++)
		g_string_append_printf(out, "%s %s %s %s%s%s 0 0\n", mnt[i].source, mnt[i].mountpoint, mnt[i].fstype,
				       mnt[i].mnt_opts, mnt[i].fs_opts[0] ? "," : "", mnt[i].fs_opts);
}

void render_mounts(struct machine *m, const struct fs_ctx *ctx, GString *out)
{
	(void)ctx;
	show_vfsmnt(m, out);
}

void render_pid_mounts(struct machine *m, const struct fs_ctx *ctx, GString *out)
{
	if (get_proc_task(m, ctx))
		show_vfsmnt(m, out);
}

/* show_mountinfo: id parent major:minor root mountpoint options
 * optional-fields - type source super-options */
void render_pid_mountinfo(struct machine *m, const struct fs_ctx *ctx, GString *out)
{
	int nr;
	g_autofree struct mount_info *mnt = NULL;

	if (!get_proc_task(m, ctx))
		return;
	mnt = mount_table(m, &nr);
	for (int i = 0; i < nr; i++)
		g_string_append_printf(out, "%d %d %u:%u / %s %s shared:%d - %s %s rw%s%s\n", mnt[i].mnt_id,
				       mnt[i].parent_id, mnt[i].major, mnt[i].minor, mnt[i].mountpoint,
				       mnt[i].mnt_opts, mnt[i].peer_group, mnt[i].fstype, mnt[i].source,
				       mnt[i].fs_opts[0] ? "," : "", mnt[i].fs_opts);
}

/* proc_nr_files: "allocated\tfree\tmax"; free is always 0 since 2.6 */
void render_file_nr(struct machine *m, const struct fs_ctx *ctx, GString *out)
{
	(void)ctx;
	g_string_append_printf(out, "%lu\t%d\t%lu\n", get_nr_files(m), 0, files_maxfiles(m));
}

void render_file_max(struct machine *m, const struct fs_ctx *ctx, GString *out)
{
	(void)ctx;
	g_string_append_printf(out, "%lu\n", files_maxfiles(m));
}
