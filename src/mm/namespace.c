/*
 * fs/namespace.c and fs/proc_namespace.c in outline: the mounts of the
 * simulated machine, for proc/PID/mounts and mountinfo, and the mount an
 * open file is on (fdinfo's mnt_id); fs/file_table.c's file-max.
 *
 * Models:
 * - the mounts a Debian 6.18 system has after boot, in mount order, with
 *   their ids, parents, devices, peer groups and options: sysfs, proc,
 *   devtmpfs on /dev, ext4 of sda1 on /, tmpfs on /dev/shm, cgroup2 on
 *   /sys/fs/cgroup, debugfs and tracefs under /sys/kernel
 * - a disk file is on the root mount, a tmpfs file on /dev/shm's
 * - files_maxfiles_init: a tenth of RAM in KiB, at least NR_FILE
 * Simplifies:
 * - one mount namespace for every task; nothing mounts or unmounts
 * - no /run, /dev/pts, securityfs, bpf, pstore, ... mounts
 * - files_maxfiles_init's reserve for early-boot allocations is 0
 */
#include <string.h>

#include "mm_internal.h"
#include "fs_internal.h"
#include "mmsim/mount.h"

#define NR_FILE 8192
/* The ids Debian's boot gives these mounts */
enum { MNT_SYSFS = 21, MNT_PROC, MNT_DEV, MNT_ROOT, MNT_DEVSHM, MNT_CGROUP2, MNT_DEBUGFS, MNT_TRACEFS };
#define MNT_NS_ROOT 1  /* the namespace's initial rootfs, not shown */
#define MOUNT_NOEXEC "rw,nosuid,nodev,noexec,relatime"

int dev_mnt_id(void)
{
	return MNT_DEV;
}

/* shmem_show_options of a tmpfs of the default size shows none; udev
 * mounts /dev with its size given, half of RAM */
static void devtmpfs_opts(const struct machine *m, char *buf, size_t len)
{
	unsigned long pages = m->totalram_pages / 2;

	g_snprintf(buf, len, "size=%luk,nr_inodes=%lu,mode=755,inode64", pages * (PAGE_SIZE >> 10), pages);
}

struct mount_info *mount_table(const struct machine *m, int *nr)
{
	const struct block_device *root = m->sb ? m->sb->disk->part[m->sb->disk->root_partno] : NULL;
	const struct mount_info tpl[] = {
		{ MNT_SYSFS, MNT_ROOT, 0, 20, "/sys", "sysfs", "sysfs", MOUNT_NOEXEC, 7, "" },
		{ MNT_PROC, MNT_ROOT, 0, 21, "/proc", "proc", "proc", MOUNT_NOEXEC, 12, "" },
		{ MNT_DEV, MNT_ROOT, 0, 5, "/dev", "devtmpfs", "udev", "rw,nosuid,relatime", 2, "" },
		{ MNT_ROOT, MNT_NS_ROOT, root ? root->major : 8, root ? root->minor : 1, "/", "ext4", "/dev/sda1",
		  "rw,relatime", 1, "errors=remount-ro" },
		{ MNT_DEVSHM, MNT_DEV, 0, TMPFS_DEV_MINOR, "/dev/shm", "tmpfs", "tmpfs", "rw,nosuid,nodev", 3,
		  "inode64" },
		{ MNT_CGROUP2, MNT_SYSFS, 0, 27, "/sys/fs/cgroup", "cgroup2", "cgroup2", MOUNT_NOEXEC, 8,
		  "nsdelegate,memory_recursiveprot" },
		{ MNT_DEBUGFS, MNT_SYSFS, 0, 7, "/sys/kernel/debug", "debugfs", "debugfs", MOUNT_NOEXEC, 15, "" },
		{ MNT_TRACEFS, MNT_SYSFS, 0, 12, "/sys/kernel/tracing", "tracefs", "tracefs", MOUNT_NOEXEC, 16,
		  "" },
	};
	struct mount_info *t = g_memdup2(tpl, sizeof(tpl));

	*nr = (int)G_N_ELEMENTS(tpl);
	for (int i = 0; i < *nr; i++)
		if (t[i].mnt_id == MNT_DEV)
			devtmpfs_opts(m, t[i].fs_opts, sizeof(t[i].fs_opts));
	return t;
}

int file_mnt_id(const struct machine *m, const struct file *f)
{
	(void)m;
	return f->f_inode->kind == INODE_SHMEM ? MNT_DEVSHM : MNT_ROOT;
}

unsigned long files_maxfiles(const struct machine *m)
{
	unsigned long n = m->totalram_pages * (PAGE_SIZE / 1024) / 10;

	return MAX(n, (unsigned long)NR_FILE);
}
