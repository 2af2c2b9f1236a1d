/*
 * The simulated machine's mount namespace as procfs shows it
 * (fs/proc_namespace.c: mounts, mountinfo) and the mount an open file is
 * on (fdinfo's mnt_id): the disk's root file system, the pseudo file
 * systems the tree imitates and tmpfs on /dev/shm.
 */
#ifndef MMSIM_MOUNT_H
#define MMSIM_MOUNT_H

#include <glib.h>

#include "mmsim/machine.h"

struct file;

/* tmpfs on /dev/shm: its anonymous device 0:26 (maps' "00:1a") */
#define TMPFS_DEV_MINOR 0x1a
/* /dev/null, the standard streams of every user process: a character
 * device node of devtmpfs */
#define DEV_NULL_PATH "/dev/null"
#define DEV_NULL_INO 4
/* fd 0, 1 and 2 */
#define NR_STDIO_FDS 3
/* O_RDWR | O_LARGEFILE (x86-64 open forces O_LARGEFILE), fdinfo's octal flags */
#define SIM_FILE_FLAGS 0100002

/* One mount (struct mount with its super_block's options) */
struct mount_info {
	int mnt_id, parent_id;
	unsigned int major, minor;     /* the super_block's s_dev */
	const char *mountpoint;
	const char *fstype;
	const char *source;            /* mnt_devname */
	const char *mnt_opts;          /* per-mount flags (show_mnt_opts, with rw) */
	int peer_group;                /* shared:N */
	char fs_opts[96];              /* the file system's show_options, without
					  the leading comma ("" none); the super
					  block is rw */
};

/* The mounts in mount order (the namespace's list), root first of none:
 * sysfs, proc, devtmpfs, ..., the root file system.  g_free the array. */
struct mount_info *mount_table(const struct machine *m, int *nr);
/* The mount id of the mount an open file's inode is on */
int file_mnt_id(const struct machine *m, const struct file *f);
/* The mount id of devtmpfs on /dev (/dev/null's) */
int dev_mnt_id(void);

/* A task's descriptors (fs/file.c): 0-2 for a user process, then its
 * open files' numbers, ascending.  g_array_free the array. */
GArray *task_fds(struct task_struct *t);
/* Whether fd is open in t */
bool task_fd_open(struct task_struct *t, int fd);
/* fget_task: the open file at fd, NULL for the standard streams and
 * numbers not open */
struct file *fget_task(struct task_struct *t, int fd);
/* Whether the task has the standard streams (kernel threads have none) */
bool task_has_stdio(const struct task_struct *t);
/* The open files of all tasks, counted once each (get_nr_files) */
unsigned long get_nr_files(struct machine *m);
/* files_stat.max_files as files_maxfiles_init sets it */
unsigned long files_maxfiles(const struct machine *m);

#endif
