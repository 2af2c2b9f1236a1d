/*
 * fuse_floor: the floor for bench_read.  The smallest libfuse3 high-level
 * filesystem that serves a file the way mmsimd serves proc/meminfo: one
 * file, `meminfo`, opened with direct_io, st_size 0, a fixed text of the
 * size of a real /proc/meminfo (about 1.5 KB).  It has open, read and
 * release and the getattr/readdir the kernel needs to find the file;
 * nothing is rendered and there is no lock, so whatever mmsimd costs on
 * top of this is the price of its own work.  The same file is also at
 * `proc/meminfo`, so that a floor mounted with mmsimd's own options can be
 * reached by a path of the same depth as mmsimd's.
 *
 * Usage: fuse_floor [FUSE OPTIONS] MOUNTPOINT  (fuse_main: -f, -s, -o ...)
 */
#define FUSE_USE_VERSION 31

#include <errno.h>
#include <fcntl.h>
#include <fuse.h>
#include <string.h>
#include <sys/stat.h>

static const char meminfo_text[] =
	"MemTotal:       24684092 kB\n"
	"MemFree:        24537448 kB\n"
	"MemAvailable:   24451608 kB\n"
	"Buffers:            1032 kB\n"
	"Cached:            27524 kB\n"
	"SwapCached:            0 kB\n"
	"Active:            13680 kB\n"
	"Inactive:           9028 kB\n"
	"Active(anon):       1448 kB\n"
	"Inactive(anon):     1576 kB\n"
	"Active(file):      12232 kB\n"
	"Inactive(file):     7452 kB\n"
	"Unevictable:       10136 kB\n"
	"Mlocked:            9072 kB\n"
	"SwapTotal:             0 kB\n"
	"SwapFree:              0 kB\n"
	"Zswap:                 0 kB\n"
	"Zswapped:              0 kB\n"
	"Dirty:                32 kB\n"
	"Writeback:             0 kB\n"
	"AnonPages:          4460 kB\n"
	"Mapped:            10344 kB\n"
	"Shmem:              8856 kB\n"
	"KReclaimable:      52648 kB\n"
	"Slab:              74280 kB\n"
	"SReclaimable:      52648 kB\n"
	"SUnreclaim:        21632 kB\n"
	"KernelStack:        1276 kB\n"
	"PageTables:         1076 kB\n"
	"SecPageTables:         0 kB\n"
	"NFS_Unstable:          0 kB\n"
	"Bounce:                0 kB\n"
	"WritebackTmp:          0 kB\n"
	"CommitLimit:    12342044 kB\n"
	"Committed_AS:      46892 kB\n"
	"VmallocTotal:   34359738367 kB\n"
	"VmallocUsed:       14108 kB\n"
	"VmallocChunk:          0 kB\n"
	"Percpu:              712 kB\n"
	"AnonHugePages:         0 kB\n"
	"ShmemHugePages:        0 kB\n"
	"ShmemPmdMapped:        0 kB\n"
	"FileHugePages:         0 kB\n"
	"FilePmdMapped:         0 kB\n"
	"Balloon:               0 kB\n"
	"HugePages_Total:       0\n"
	"HugePages_Free:        0\n"
	"HugePages_Rsvd:        0\n"
	"HugePages_Surp:        0\n"
	"Hugepagesize:       2048 kB\n"
	"Hugetlb:               0 kB\n"
	"DirectMap4k:       26624 kB\n"
	"DirectMap2M:     2070528 kB\n"
	"DirectMap1G:    25165824 kB\n";

#define MEMINFO_LEN (sizeof(meminfo_text) - 1)

static int is_meminfo(const char *path)
{
	return strcmp(path, "/meminfo") == 0 || strcmp(path, "/proc/meminfo") == 0;
}

static void *floor_init(struct fuse_conn_info *conn, struct fuse_config *cfg)
{
	(void)conn;
	(void)cfg;
	return NULL;
}

static int floor_getattr(const char *path, struct stat *st, struct fuse_file_info *fi)
{
	(void)fi;
	memset(st, 0, sizeof(*st));
	if (strcmp(path, "/") == 0 || strcmp(path, "/proc") == 0) {
		st->st_mode = S_IFDIR | 0555;
		st->st_nlink = 2;
		return 0;
	}
	if (is_meminfo(path)) {
		st->st_mode = S_IFREG | 0444;
		st->st_nlink = 1;
		st->st_size = 0;  /* as procfs: the size is unknown until read */
		return 0;
	}
	return -ENOENT;
}

static int floor_readdir(const char *path, void *buf, fuse_fill_dir_t fill, off_t off,
			 struct fuse_file_info *fi, enum fuse_readdir_flags flags)
{
	(void)off;
	(void)fi;
	(void)flags;
	if (strcmp(path, "/") != 0 && strcmp(path, "/proc") != 0)
		return -ENOENT;
	fill(buf, ".", NULL, 0, 0);
	fill(buf, "..", NULL, 0, 0);
	fill(buf, "meminfo", NULL, 0, 0);
	if (strcmp(path, "/") == 0)
		fill(buf, "proc", NULL, 0, 0);
	return 0;
}

static int floor_open(const char *path, struct fuse_file_info *fi)
{
	if (!is_meminfo(path))
		return -ENOENT;
	if ((fi->flags & O_ACCMODE) != O_RDONLY)
		return -EACCES;
	fi->direct_io = 1;
	return 0;
}

static int floor_read(const char *path, char *buf, size_t size, off_t off,
		      struct fuse_file_info *fi)
{
	(void)path;
	(void)fi;
	if (off < 0 || (size_t)off >= MEMINFO_LEN)
		return 0;
	if (size > MEMINFO_LEN - (size_t)off)
		size = MEMINFO_LEN - (size_t)off;
	memcpy(buf, meminfo_text + off, size);
	return (int)size;
}

static int floor_release(const char *path, struct fuse_file_info *fi)
{
	(void)path;
	(void)fi;
	return 0;
}

static const struct fuse_operations floor_ops = {
	.init = floor_init,
	.getattr = floor_getattr,
	.readdir = floor_readdir,
	.open = floor_open,
	.read = floor_read,
	.release = floor_release,
};

int main(int argc, char *argv[])
{
	return fuse_main(argc, argv, &floor_ops, NULL);
}
