/*
 * The machine's hardware description: built-in defaults, GLib key-file
 * presets and their validation.  Nothing here simulates; it only says what
 * machine mm_init.c builds.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "mmsim/machine.h"

#define MIN_MEM_BYTES (64ULL << 20)
#define MAX_MEM_BYTES (16ULL << 40)

void machine_config_init(struct machine_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->name = g_strdup("default");
	cfg->mem_bytes = 8ULL << 30;
	cfg->nr_nodes = 2;
	cfg->nr_cpus = 4;
	cfg->swap_bytes = 2ULL << 30;
	cfg->kernel_reserved_bytes = 32ULL << 20;
	cfg->seed = 1;
	cfg->cpu_model = g_strdup("Intel(R) Xeon(R) Processor");
	cfg->cpu_mhz = 2300;
	cfg->pdpe1gb = true;
	/* a SATA SSD: 100 us a request, 500 MB/s */
	cfg->disk_latency_ns = 100000;
	cfg->disk_bandwidth = 500000000;
	cfg->distance_local = 10;
	cfg->distance_remote = 21;
	/* Debian's kernel: CONFIG_LRU_GEN=y without CONFIG_LRU_GEN_ENABLED,
	 * MGLRU built in and off until sys/kernel/mm/lru_gen/enabled says y */
	cfg->lru_gen = false;
}

void machine_config_clear(struct machine_config *cfg)
{
	g_free(cfg->name);
	g_free(cfg->cpu_model);
	cfg->name = cfg->cpu_model = NULL;
}

bool parse_size(const char *s, uint64_t *out)
{
	char *end;
	uint64_t v, shift = 0;

	if (!s || !*s || *s == '-' || *s == '+' || g_ascii_isspace(*s))
		return false;
	errno = 0;
	v = g_ascii_strtoull(s, &end, 10);
	if (errno || end == s)
		return false;
	switch (g_ascii_toupper(*end)) {
	case '\0': break;
	case 'K': shift = 10; end++; break;
	case 'M': shift = 20; end++; break;
	case 'G': shift = 30; end++; break;
	case 'T': shift = 40; end++; break;
	default: return false;
	}
	if (*end == 'i' || *end == 'B' || *end == 'b')
		end += (*end == 'i' && (end[1] == 'B' || end[1] == 'b')) ? 2 : 1;
	if (*end)
		return false;
	if (shift && v > (UINT64_MAX >> shift))
		return false;
	*out = v << shift;
	return true;
}

static bool kf_size(GKeyFile *kf, const char *key, uint64_t *out, GError **error)
{
	g_autofree char *v = g_key_file_get_string(kf, "machine", key, NULL);

	if (!v)
		return true;
	g_strstrip(v);
	if (!parse_size(v, out)) {
		g_set_error(error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
			    "key '%s': '%s' is not a size (use K, M, G or T)", key, v);
		return false;
	}
	return true;
}

static bool kf_bool(GKeyFile *kf, const char *key, bool *out, GError **error)
{
	g_autofree char *v = g_key_file_get_string(kf, "machine", key, NULL);

	if (!v)
		return true;
	g_strstrip(v);
	if (!strcmp(v, "true") || !strcmp(v, "1")) {
		*out = true;
	} else if (!strcmp(v, "false") || !strcmp(v, "0")) {
		*out = false;
	} else {
		g_set_error(error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
			    "key '%s': '%s' is not a boolean (true or false)", key, v);
		return false;
	}
	return true;
}

static bool kf_int(GKeyFile *kf, const char *key, int *out, GError **error)
{
	GError *e = NULL;
	int v;

	if (!g_key_file_has_key(kf, "machine", key, NULL))
		return true;
	v = g_key_file_get_integer(kf, "machine", key, &e);
	if (e) {
		g_propagate_prefixed_error(error, e, "key '%s': ", key);
		return false;
	}
	*out = v;
	return true;
}

bool machine_config_load_keyfile(struct machine_config *cfg, GKeyFile *kf, GError **error)
{
	int mhz = (int)cfg->cpu_mhz;
	char *model;

	if (!g_key_file_has_group(kf, "machine")) {
		g_set_error(error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_GROUP_NOT_FOUND,
			    "no [machine] group");
		return false;
	}
	if (!kf_size(kf, "mem", &cfg->mem_bytes, error) ||
	    !kf_size(kf, "swap", &cfg->swap_bytes, error) ||
	    !kf_size(kf, "movablecore", &cfg->movable_bytes, error) ||
	    !kf_size(kf, "kernel_reserved", &cfg->kernel_reserved_bytes, error) ||
	    !kf_int(kf, "nodes", &cfg->nr_nodes, error) ||
	    !kf_int(kf, "cpus", &cfg->nr_cpus, error) ||
	    !kf_int(kf, "cpu_mhz", &mhz, error) ||
	    !kf_int(kf, "distance_local", &cfg->distance_local, error) ||
	    !kf_int(kf, "distance_remote", &cfg->distance_remote, error) ||
	    !kf_bool(kf, "pdpe1gb", &cfg->pdpe1gb, error) ||
	    !kf_bool(kf, "lru_gen", &cfg->lru_gen, error))
		return false;
	if (mhz <= 0) {
		g_set_error(error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
			    "key 'cpu_mhz': must be positive");
		return false;
	}
	cfg->cpu_mhz = (unsigned int)mhz;
	if (g_key_file_has_key(kf, "machine", "disk_latency_us", NULL)) {
		int us = 0;

		if (!kf_int(kf, "disk_latency_us", &us, error))
			return false;
		if (us < 0 || us > 10000000) {
			g_set_error(error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
				    "key 'disk_latency_us': 0..10000000");
			return false;
		}
		cfg->disk_latency_ns = (uint64_t)us * 1000;
	}
	if (!kf_size(kf, "disk_bandwidth", &cfg->disk_bandwidth, error))
		return false;
	if (cfg->disk_bandwidth < 4096) {
		g_set_error(error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
			    "key 'disk_bandwidth': at least 4K (bytes per second)");
		return false;
	}
	model = g_key_file_get_string(kf, "machine", "cpu_model", NULL);
	if (model) {
		g_free(cfg->cpu_model);
		cfg->cpu_model = model;
	}
	return true;
}

#define BAD(...) do { g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, __VA_ARGS__); return false; } while (0)

bool machine_config_validate(const struct machine_config *cfg, GError **error)
{
	uint64_t per_node;

	if (cfg->nr_nodes < 1 || cfg->nr_nodes > MAX_NUMNODES)
		BAD("nodes must be 1..%d (got %d)", MAX_NUMNODES, cfg->nr_nodes);
	if (cfg->nr_cpus < 1 || cfg->nr_cpus > NR_CPUS)
		BAD("cpus must be 1..%d (got %d)", NR_CPUS, cfg->nr_cpus);
	if (cfg->mem_bytes < MIN_MEM_BYTES || cfg->mem_bytes > MAX_MEM_BYTES)
		BAD("mem must be 64M..16T (got %" PRIu64 " bytes)", cfg->mem_bytes);
	/* Nodes are made of whole 128 MiB sections, as memory blocks are. */
	per_node = cfg->mem_bytes / (uint64_t)cfg->nr_nodes;
	if (per_node < (1ULL << SECTION_SIZE_BITS))
		BAD("mem gives each of the %d nodes less than one 128 MiB section", cfg->nr_nodes);
	if (cfg->movable_bytes >= per_node)
		BAD("movablecore must be smaller than a node's memory");
	if (cfg->kernel_reserved_bytes >= per_node / 2)
		BAD("kernel_reserved must be under half of node 0's memory");
	if (cfg->swap_bytes > MAX_MEM_BYTES)
		BAD("swap must be at most 16T");
	if (cfg->distance_local < 10 || cfg->distance_remote < cfg->distance_local ||
	    cfg->distance_remote > 254)
		BAD("distances must satisfy 10 <= local <= remote <= 254");
	return true;
}
