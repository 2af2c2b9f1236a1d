/*
 * Unit tests of the ctl parser and value parsers, and of sim/ctl's
 * refusals leaving the machine unchanged.
 */
#include <errno.h>
#include <string.h>

#include "ctl_parse.h"
#include "layout_handlers.h"
#include "mmsim/gfp.h"

static void test_split(void)
{
	struct ctl_cmd cmd;
	const char *why = NULL;
	const char *line = "alloc_pages 3 count=4  node=1\ttype=movable";

	g_assert_cmpint(ctl_parse_line(line, strlen(line), &cmd, &why), ==, 0);
	g_assert_cmpstr(cmd.verb, ==, "alloc_pages");
	g_assert_cmpint(cmd.nargs, ==, 1);
	g_assert_cmpstr(cmd.args[0], ==, "3");
	g_assert_cmpint(cmd.nopts, ==, 3);
	g_assert_cmpstr(ctl_opt(&cmd, "node"), ==, "1");
	g_assert_cmpstr(ctl_unused_opt(&cmd), ==, "count");
}

static void test_refusals(void)
{
	static const char *bad[] = { "", "   ", "x=1", "a b= c", "a =b", "a k=1 k=2", "a\001b" };
	struct ctl_cmd cmd;

	for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
		const char *why = NULL;

		g_assert_cmpint(ctl_parse_line(bad[i], strlen(bad[i]), &cmd, &why), ==, -EINVAL);
		g_assert_nonnull(why);
	}
}

static void test_values(void)
{
	uint64_t v;

	g_assert_true(ctl_parse_u64("18446744073709551615", &v) && v == UINT64_MAX);
	g_assert_false(ctl_parse_u64("18446744073709551616", &v));
	g_assert_false(ctl_parse_u64("-1", &v));
	g_assert_false(ctl_parse_u64("1k", &v));
	g_assert_true(ctl_parse_hex("0x1A2b", &v) && v == 0x1a2b);
	g_assert_false(ctl_parse_hex("1a2b", &v));
	g_assert_false(ctl_parse_hex("0x", &v));
	g_assert_false(ctl_parse_hex("0x10000000000000000", &v));
	g_assert_true(ctl_parse_duration_ns("1.5s", &v) && v == 1500000000ULL);
	g_assert_true(ctl_parse_duration_ns("250ms", &v) && v == 250000000ULL);
	g_assert_false(ctl_parse_duration_ns("5", &v));
	g_assert_false(ctl_parse_duration_ns("s", &v));
	g_assert_false(ctl_parse_duration_ns("99999999999999999999s", &v));
}

/* Fuzz-style: random bytes into write_ctl never crash and, when refused,
 * leave the free page count as it was. */
static void test_garbage(void)
{
	struct machine_config cfg;
	struct machine *m;
	GError *error = NULL;
	GRand *r = g_rand_new_with_seed(7);
	GString *reply = g_string_new(NULL);
	struct fs_ctx ctx = { .node = -1, .cpu = -1, .name = "ctl", .path = "sim/ctl" };

	machine_config_init(&cfg);
	cfg.mem_bytes = 512ULL << 20;
	cfg.nr_nodes = 1;
	cfg.nr_cpus = 2;
	cfg.manual_clock = true;
	m = machine_create(&cfg, &error);
	g_assert_no_error(error);
	for (int i = 0; i < 5000; i++) {
		char buf[64];
		size_t len = (size_t)g_rand_int_range(r, 1, sizeof(buf));
		long before = global_zone_page_state(m, NR_FREE_PAGES);
		static const char *words[] = { "alloc_pages ", "free_pages ", "tick ", "drain_pages ", "0x", "1", "11",
					       " count=", "node=", "type=", "ms", "s", "\n", "-" };

		for (size_t k = 0; k < len; k++)
			buf[k] = (char)g_rand_int_range(r, 0, 256);
		if (i % 2) { /* half of them from command-like words */
			GString *s = g_string_new(NULL);

			while (s->len < 40)
				g_string_append(s, words[g_rand_int_range(r, 0, G_N_ELEMENTS(words))]);
			len = MIN(s->len, sizeof(buf));
			memcpy(buf, s->str, len);
			g_string_free(s, TRUE);
		}
		g_string_truncate(reply, 0);
		if (write_ctl(m, &ctx, buf, len, reply) < 0 && !memchr(buf, '\n', len))
			g_assert_cmpint(global_zone_page_state(m, NR_FREE_PAGES), ==, before);
	}
	g_assert_null(machine_check_invariants(m));
	g_string_free(reply, TRUE);
	g_rand_free(r);
	machine_destroy(m);
	machine_config_clear(&cfg);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/ctl_parse/split", test_split);
	g_test_add_func("/ctl_parse/refusals", test_refusals);
	g_test_add_func("/ctl_parse/values", test_values);
	g_test_add_func("/ctl_parse/garbage", test_garbage);
	return g_test_run();
}
