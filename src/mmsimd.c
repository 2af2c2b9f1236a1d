/*
 * mmsimd: options, machine preset, mount, signals.
 *
 *   mmsimd [OPTIONS] MOUNTPOINT
 *
 * A bad option or preset prints one clear message and exits 2 before
 * anything is mounted.  SIGINT, SIGTERM and `fusermount3 -u` unmount and
 * exit 0.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fuse_ops.h"
#include "presets.h"

#define EXIT_USAGE 2
#define MAX_FUSE_THREADS 4
/* The filesystem's name and subtype: mounts show as type fuse.mmsim */
#define MMSIM_FS_TYPE "mmsim"

struct options {
	char *machine;
	char *mem, *swap, *clock, *lru_gen;
	int nodes, cpus;
	gint64 seed;
	gboolean seed_set;
	gboolean foreground, version, debug_vm, fuse_debug;
	char **mount_opts;
	char **rest;
};

static gboolean opt_seed(const char *name, const char *value, gpointer data, GError **error)
{
	struct options *o = data;
	char *end;

	(void)name;
	errno = 0;
	o->seed = g_ascii_strtoll(value, &end, 10);
	if (errno || *end || end == value || o->seed < 0) {
		g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "--seed: '%s' is not a number", value);
		return FALSE;
	}
	o->seed_set = TRUE;
	return TRUE;
}

static bool load_preset(struct machine_config *cfg, const char *name, GError **error)
{
	g_autoptr(GKeyFile) kf = g_key_file_new();
	const char *text = NULL;

	for (const struct machine_preset *p = machine_presets; p->name; p++)
		if (!strcmp(p->name, name))
			text = p->keyfile;
	if (text) {
		if (!g_key_file_load_from_data(kf, text, (gsize)-1, G_KEY_FILE_NONE, error))
			return false;
	} else if (strchr(name, '/') || g_file_test(name, G_FILE_TEST_IS_REGULAR)) {
		if (!g_key_file_load_from_file(kf, name, G_KEY_FILE_NONE, error))
			return false;
	} else {
		GString *names = g_string_new(NULL);

		for (const struct machine_preset *p = machine_presets; p->name; p++)
			g_string_append_printf(names, "%s%s", names->len ? ", " : "", p->name);
		g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_NOENT,
			    "no preset '%s' (built-in: %s; or give a file path)", name, names->str);
		g_string_free(names, TRUE);
		return false;
	}
	g_free(cfg->name);
	cfg->name = g_path_get_basename(name);
	if (g_str_has_suffix(cfg->name, ".conf"))
		cfg->name[strlen(cfg->name) - 5] = '\0';
	return machine_config_load_keyfile(cfg, kf, error);
}

static bool size_option(const char *opt, const char *value, uint64_t *out, GError **error)
{
	if (!value)
		return true;
	if (!parse_size(value, out)) {
		g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
			    "%s: '%s' is not a size (a number with K, M, G or T)", opt, value);
		return false;
	}
	return true;
}

static bool build_config(struct options *o, struct machine_config *cfg, GError **error)
{
	machine_config_init(cfg);
	if (!load_preset(cfg, o->machine ? o->machine : "default", error)) {
		g_prefix_error(error, "--machine=%s: ", o->machine ? o->machine : "default");
		return false;
	}
	if (!size_option("--mem", o->mem, &cfg->mem_bytes, error) ||
	    !size_option("--swap", o->swap, &cfg->swap_bytes, error))
		return false;
	if (o->nodes != -1)
		cfg->nr_nodes = o->nodes;
	if (o->cpus != -1)
		cfg->nr_cpus = o->cpus;
	if (o->clock && strcmp(o->clock, "realtime") && strcmp(o->clock, "manual")) {
		g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
			    "--clock must be realtime or manual (got '%s')", o->clock);
		return false;
	}
	cfg->manual_clock = o->clock && !strcmp(o->clock, "manual");
	if (o->seed_set)
		cfg->seed = (uint64_t)o->seed;
	cfg->debug_vm = o->debug_vm;
	if (o->lru_gen) {
		if (strcmp(o->lru_gen, "y") && strcmp(o->lru_gen, "n")) {
			g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
				    "--lru-gen must be y or n (got '%s')", o->lru_gen);
			return false;
		}
		cfg->lru_gen = !strcmp(o->lru_gen, "y");
	}
	return machine_config_validate(cfg, error);
}

/* The mount point as an absolute path: the daemon changes to / once
 * mounted, and the unmount at SIGTERM must still find it.  The parent
 * directory is resolved, not the mount point itself, whose stat fails
 * when it is a dead mount. */
static char *mountpoint_path(const char *arg)
{
	g_autofree char *canon = g_canonicalize_filename(arg, NULL);
	g_autofree char *dir = NULL, *base = NULL;
	char *real, *out;

	if (!strcmp(canon, "/"))
		return g_steal_pointer(&canon);
	dir = g_path_get_dirname(canon);
	base = g_path_get_basename(canon);
	real = realpath(dir, NULL);
	if (!real)
		return g_steal_pointer(&canon);
	out = g_build_filename(real, base, NULL);
	free(real);
	return out;
}

/* A mount point field of /proc/self/mountinfo, with its \ooo escapes undone */
static char *mountinfo_unescape(const char *s)
{
	GString *out = g_string_new(NULL);

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' && s[3] >= '0' &&
		    s[3] <= '7') {
			g_string_append_c(out, (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0')));
			s += 3;
		} else {
			g_string_append_c(out, *s);
		}
	}
	return g_string_free(out, FALSE);
}

/* The type of the topmost mount at path ("fuse.mmsim"), or NULL */
static char *mount_type_at(const char *path)
{
	g_autofree char *text = NULL;
	g_auto(GStrv) lines = NULL;
	char *type = NULL;

	if (!g_file_get_contents("/proc/self/mountinfo", &text, NULL, NULL))
		return NULL;
	lines = g_strsplit(text, "\n", -1);
	for (char **l = lines; *l; l++) {
		g_auto(GStrv) f = g_strsplit(*l, " ", -1);
		g_autofree char *mp = NULL;
		const char *sep = strstr(*l, " - ");

		if (g_strv_length(f) < 5 || !sep)
			continue;
		mp = mountinfo_unescape(f[4]);
		if (strcmp(mp, path))
			continue;
		g_free(type);
		type = g_strndup(sep + 3, strcspn(sep + 3, " "));
	}
	return type;
}

/* A lazy unmount (root's umount -l, else fusermount3 -u -z, as libfuse
 * unmounts): true when it succeeded */
static bool lazy_unmount(const char *path)
{
	const char *argv[] = { "fusermount3", "-u", "-z", path, NULL };
	int status;

	if (geteuid() == 0 && umount2(path, MNT_DETACH) == 0)
		return true;
	if (!g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL |
			  G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, NULL, NULL, &status, NULL))
		return false;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

/*
 * The mount point must be a directory.  A dead FUSE mount there (its daemon
 * was killed: stat fails with ENOTCONN) is unmounted when it was mmsim's,
 * and named, with how to clear it, when it is another filesystem's.
 */
static bool check_mountpoint(const char *path)
{
	struct stat st;

	if (stat(path, &st) != 0 && errno == ENOTCONN) {
		g_autofree char *type = mount_type_at(path);

		if (!type || strcmp(type, "fuse." MMSIM_FS_TYPE) || !lazy_unmount(path)) {
			fprintf(stderr, "mmsimd: mount point %s is a stale FUSE mount%s%s%s (its daemon has gone: %s); "
				"clear it with fusermount3 -u %s\n", path, type ? " (" : "", type ? type : "",
				type ? ")" : "", strerror(ENOTCONN), path);
			return false;
		}
		fprintf(stderr, "mmsimd: mount point %s was a stale mmsim mount (its daemon had gone): unmounted it\n",
			path);
	}
	if (stat(path, &st) != 0) {
		fprintf(stderr, "mmsimd: mount point %s: %s\n", path, strerror(errno));
		return false;
	}
	if (!S_ISDIR(st.st_mode)) {
		fprintf(stderr, "mmsimd: mount point %s is not a directory\n", path);
		return false;
	}
	return true;
}

static int run_fuse(struct mmsim_fs *fs, struct options *o, const char *mountpoint, const char *argv0)
{
	struct fuse_args args = FUSE_ARGS_INIT(0, NULL);
	struct fuse_loop_config *loop;
	struct fuse *fuse;
	int ret = 1;

	fuse_opt_add_arg(&args, argv0);
	if (o->fuse_debug)
		fuse_opt_add_arg(&args, "-d");
	fuse_opt_add_arg(&args, "-o");
	fuse_opt_add_arg(&args, "fsname=" MMSIM_FS_TYPE ",subtype=" MMSIM_FS_TYPE);
	for (char **mo = o->mount_opts; mo && *mo; mo++) {
		fuse_opt_add_arg(&args, "-o");
		fuse_opt_add_arg(&args, *mo);
	}
	fuse = fuse_new(&args, &mmsim_fuse_ops, sizeof(mmsim_fuse_ops), fs);
	if (!fuse) {
		fprintf(stderr, "mmsimd: bad mount options\n");
		fuse_opt_free_args(&args);
		return EXIT_USAGE;
	}
	if (fuse_mount(fuse, mountpoint) != 0) {
		fprintf(stderr, "mmsimd: cannot mount on %s\n", mountpoint);
		goto out_destroy;
	}
	if (fuse_daemonize(o->foreground) != 0)
		goto out_unmount;
	if (fuse_set_signal_handlers(fuse_get_session(fuse)) != 0)
		goto out_unmount;
	loop = fuse_loop_cfg_create();
	fuse_loop_cfg_set_max_threads(loop, MAX_FUSE_THREADS);
	fuse_loop_cfg_set_idle_threads(loop, MAX_FUSE_THREADS);
	mmsim_clock_start(fs);
	/* A positive result is the signal that ended the loop: a clean exit */
	ret = fuse_loop_mt(fuse, loop) < 0 ? 1 : 0;
	mmsim_clock_stop(fs);
	fuse_loop_cfg_destroy(loop);
	fuse_remove_signal_handlers(fuse_get_session(fuse));
out_unmount:
	fuse_unmount(fuse);
out_destroy:
	fuse_destroy(fuse);
	fuse_opt_free_args(&args);
	return ret;
}

/* Boot the machine, mount its tree at mountpoint and serve it until
 * unmounted; then take everything down.  The exit status. */
static int serve(struct options *o, const struct machine_config *cfg, const char *mountpoint, const char *argv0)
{
	struct mmsim_fs fs = { 0 };
	GError *error = NULL;
	int ret;

	fs.m = machine_create(cfg, &error);
	if (!fs.m) {
		fprintf(stderr, "mmsimd: %s\n", error->message);
		g_clear_error(&error);
		return EXIT_USAGE;
	}
	fs.tree = fs_tree_new(fs.m);
	fs.start_mono_us = g_get_monotonic_time();
	fs.uid = getuid();
	fs.gid = getgid();
	/* The real procfs, for proc/self's target and the caller's own
	 * proc/PID: opened now, so that a bind mount of the tree over /proc
	 * can never make the daemon read itself */
	fs.procfd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	mmsim_fs_lock_init(&fs);
	g_mutex_init(&fs.open_lock);
	ret = run_fuse(&fs, o, mountpoint, argv0);
	mmsim_fs_release_all(&fs);
	if (fs.procfd >= 0)
		close(fs.procfd);
	fs_tree_free(fs.tree);
	machine_destroy(fs.m);
	mmsim_fs_lock_clear(&fs);
	return ret;
}

int main(int argc, char **argv)
{
	struct options o = { .nodes = -1, .cpus = -1 };
	GOptionEntry entries[] = {
		{ "foreground", 'f', 0, G_OPTION_ARG_NONE, &o.foreground, "Stay in the foreground", NULL },
		{ "machine", 0, 0, G_OPTION_ARG_STRING, &o.machine, "Machine preset: default, small, numa4, or a key file", "NAME|FILE" },
		{ "mem", 0, 0, G_OPTION_ARG_STRING, &o.mem, "RAM over all nodes (K, M, G, T)", "SIZE" },
		{ "nodes", 0, 0, G_OPTION_ARG_INT, &o.nodes, "NUMA nodes", "N" },
		{ "cpus", 0, 0, G_OPTION_ARG_INT, &o.cpus, "CPUs", "N" },
		{ "swap", 0, 0, G_OPTION_ARG_STRING, &o.swap, "Swap device size (K, M, G, T)", "SIZE" },
		{ "clock", 0, 0, G_OPTION_ARG_STRING, &o.clock, "realtime (default) or manual (time moves on tick)", "MODE" },
		{ "seed", 0, 0, G_OPTION_ARG_CALLBACK, (gpointer)opt_seed, "Seed of every random choice (default 1)", "N" },
		{ "lru-gen", 0, 0, G_OPTION_ARG_STRING, &o.lru_gen, "MGLRU on (y) or off (n) at boot (default: the preset's, off)", "y|n" },
		{ "debug-vm", 0, 0, G_OPTION_ARG_NONE, &o.debug_vm, "Check the model's invariants after every operation", NULL },
		{ "fuse-debug", 'd', 0, G_OPTION_ARG_NONE, &o.fuse_debug, "Print FUSE requests (implies -f)", NULL },
		{ "option", 'o', 0, G_OPTION_ARG_STRING_ARRAY, &o.mount_opts, "Mount option for FUSE (e.g. allow_other)", "OPT" },
		{ "version", 'V', 0, G_OPTION_ARG_NONE, &o.version, "Print the version", NULL },
		{ G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &o.rest, NULL, NULL },
		{ NULL, 0, 0, 0, NULL, NULL, NULL },
	};
	g_autoptr(GOptionContext) ctx = g_option_context_new("MOUNTPOINT");
	GOptionGroup *group = g_option_group_new("mmsimd", "mmsimd options", "mmsimd options", &o, NULL);
	struct machine_config cfg = { 0 };
	GError *error = NULL;
	g_autofree char *mountpoint = NULL;
	int ret;

	g_option_group_add_entries(group, entries);
	g_option_context_set_main_group(ctx, group);
	g_option_context_set_summary(ctx, "Mount a simulated Linux memory-management subsystem at MOUNTPOINT.");
	g_option_context_set_description(ctx, "Presets: default (2 nodes, 8 GiB, 4 CPUs), small (1 node, 1 GiB), numa4 (4 nodes, 16 GiB).\n"
					      "Unmount with fusermount3 -u MOUNTPOINT, SIGINT or SIGTERM.");
	ret = EXIT_USAGE;
	if (!g_option_context_parse(ctx, &argc, &argv, &error)) {
		fprintf(stderr, "mmsimd: %s\nTry 'mmsimd --help'.\n", error->message);
		goto out;
	}
	if (o.version) {
		printf("mmsimd %s (models Linux 6.18 memory management; libfuse %d)\n", MMSIM_VERSION, fuse_version());
		ret = 0;
		goto out;
	}
	if (!o.rest || !o.rest[0] || o.rest[1]) {
		fprintf(stderr, "mmsimd: %s\nTry 'mmsimd --help'.\n",
			o.rest && o.rest[0] ? "give exactly one MOUNTPOINT" : "missing MOUNTPOINT");
		goto out;
	}
	if (o.fuse_debug)
		o.foreground = TRUE;
	if (!build_config(&o, &cfg, &error)) {
		fprintf(stderr, "mmsimd: %s\n", error->message);
		goto out;
	}
	mountpoint = mountpoint_path(o.rest[0]);
	if (!check_mountpoint(mountpoint))
		goto out;
	ret = serve(&o, &cfg, mountpoint, argv[0]);
out:
	g_clear_error(&error);
	machine_config_clear(&cfg);
	g_strfreev(o.mount_opts);
	g_strfreev(o.rest);
	g_free(o.machine);
	g_free(o.mem);
	g_free(o.swap);
	g_free(o.lru_gen);
	g_free(o.clock);
	return ret;
}
