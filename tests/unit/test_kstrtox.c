/*
 * kstrtox.c: the kernel's kstrto*() and the digit loop under them.
 *
 * lib/kstrtox.c, as the spec:
 *   - base 0: "0x" + hex digit -> 16, another leading "0" -> 8, else 10;
 *     "0x" with no hex digit after it is an octal 0 followed by garbage;
 *   - a given base 16 skips an "0x"; base 10 does not;
 *   - '+' is taken by all, '-' by the signed ones only;
 *   - one '\n' may follow the digits, nothing else;
 *   - overflow (ERANGE) is found before the garbage after it (EINVAL);
 *   - the result is left alone on any error.
 */
#include <errno.h>
#include <limits.h>
#include <string.h>

#include <glib.h>

#include "ctl_parse.h"
#include "kstrtox.h"

static void test_fixup_radix(void)
{
	static const struct {
		const char *s;
		unsigned int base, want_base;
		size_t skip;
	} cases[] = {
		{ "0x1f", 0, 16, 2 }, { "0X1f", 0, 16, 2 }, { "0xg", 0, 8, 0 }, { "017", 0, 8, 0 },
		{ "17", 0, 10, 0 },   { "0x", 16, 16, 2 },  { "0x1", 10, 10, 0 },
	};

	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		unsigned int base = cases[i].base;

		g_assert_true(parse_integer_fixup_radix(cases[i].s, &base) == cases[i].s + cases[i].skip);
		g_assert_cmpuint(base, ==, cases[i].want_base);
	}
}

static void test_parse_integer(void)
{
	unsigned long long v;

	g_assert_cmpuint(parse_integer("123abc", 10, &v), ==, 3);
	g_assert_cmpuint(v, ==, 123);
	g_assert_cmpuint(parse_integer("123abcg", 16, &v), ==, 6);
	g_assert_cmpuint(v, ==, 0x123abc);
	g_assert_cmpuint(parse_integer("89", 8, &v), ==, 0);
	g_assert_cmpuint(v, ==, 0);
	g_assert_cmpuint(parse_integer("18446744073709551615", 10, &v), ==, 20);
	g_assert_cmpuint(v, ==, ULLONG_MAX);
	g_assert_cmpuint(parse_integer("18446744073709551616", 10, &v), ==, 20 | KSTRTOX_OVERFLOW);
	g_assert_cmpuint(parse_integer("ffffffffffffffff", 16, &v), ==, 16);
	g_assert_cmpuint(parse_integer("10000000000000000", 16, &v), ==, 17 | KSTRTOX_OVERFLOW);
}

static void test_kstrtoul(void)
{
	static const char *const einval[] = {
		"", "\n", "+", "-1", "-0", " 1", "1 ", "1\n\n", "12abc", "0x", "0xg", "08", "1.5", "++1", "+-1",
	};
	unsigned long v = 7;

	for (size_t i = 0; i < G_N_ELEMENTS(einval); i++) {
		g_assert_cmpint(kstrtoul(einval[i], 0, &v), ==, -EINVAL);
		g_assert_cmpuint(v, ==, 7);
	}
	g_assert_cmpint(kstrtoul("18446744073709551616", 0, &v), ==, -ERANGE);
	/* the overflow is reported before the garbage after it */
	g_assert_cmpint(kstrtoul("18446744073709551616x", 0, &v), ==, -ERANGE);
	g_assert_cmpint(kstrtoul("0x10000000000000000", 0, &v), ==, -ERANGE);
	g_assert_cmpuint(v, ==, 7);
	g_assert_cmpint(kstrtoul("18446744073709551615\n", 0, &v), ==, 0);
	g_assert_cmpuint(v, ==, ULONG_MAX);
	g_assert_cmpint(kstrtoul("+0x1F", 0, &v), ==, 0);
	g_assert_cmpuint(v, ==, 31);
	g_assert_cmpint(kstrtoul("0777", 0, &v), ==, 0);
	g_assert_cmpuint(v, ==, 0777);
	g_assert_cmpint(kstrtoul("0", 0, &v), ==, 0);
	g_assert_cmpuint(v, ==, 0);
	g_assert_cmpint(kstrtoul("0777", 10, &v), ==, 0);
	g_assert_cmpuint(v, ==, 777);
	g_assert_cmpint(kstrtoul("0x1f", 16, &v), ==, 0);
	g_assert_cmpuint(v, ==, 31);
	g_assert_cmpint(kstrtoul("1f", 16, &v), ==, 0);
	g_assert_cmpuint(v, ==, 31);
	g_assert_cmpint(kstrtoul("0x1f", 10, &v), ==, -EINVAL);
}

static void test_signed_and_narrow(void)
{
	long long ll;
	long l;
	unsigned int u;

	g_assert_cmpint(kstrtoll("-9223372036854775808", 0, &ll), ==, 0);
	g_assert_cmpint(ll, ==, LLONG_MIN);
	g_assert_cmpint(kstrtoll("-9223372036854775809", 0, &ll), ==, -ERANGE);
	g_assert_cmpint(kstrtoll("9223372036854775808", 0, &ll), ==, -ERANGE);
	g_assert_cmpint(kstrtoll("-+1", 0, &ll), ==, -EINVAL);
	g_assert_cmpint(kstrtoll("-0x10", 0, &ll), ==, 0);
	g_assert_cmpint(ll, ==, -16);
	g_assert_cmpint(kstrtol("-12\n", 10, &l), ==, 0);
	g_assert_cmpint(l, ==, -12);
	g_assert_cmpint(kstrtouint("4294967295", 0, &u), ==, 0);
	g_assert_cmpuint(u, ==, UINT_MAX);
	g_assert_cmpint(kstrtouint("4294967296", 0, &u), ==, -ERANGE);
	g_assert_cmpint(kstrtouint("-1", 0, &u), ==, -EINVAL);
}

/* A sysfs store: the written bytes, up to the first NUL */
static void test_kstrtoul_store(void)
{
	unsigned long v;

	g_assert_cmpint(kstrtoul_store("42\n", 3, 10, &v), ==, 0);
	g_assert_cmpuint(v, ==, 42);
	g_assert_cmpint(kstrtoul_store("42\0" "9", 4, 10, &v), ==, 0);
	g_assert_cmpuint(v, ==, 42);
	g_assert_cmpint(kstrtoul_store("429", 2, 10, &v), ==, 0);
	g_assert_cmpuint(v, ==, 42);
	g_assert_cmpint(kstrtoul_store("0x10", 4, 10, &v), ==, -EINVAL);
}

/* proc_get_long over the shared digit loop: base 0, a number of 21
 * characters or more refused, overflow refused as EINVAL */
static void test_proc_get_long(void)
{
	unsigned long u;
	long v[2];

	g_assert_cmpint(parse_ulong_strict("18446744073709551615", 20, &u), ==, 0);
	g_assert_cmpuint(u, ==, ULONG_MAX);
	g_assert_cmpint(parse_ulong_strict("18446744073709551616", 20, &u), ==, -EINVAL);
	g_assert_cmpint(parse_ulong_strict("000000000000000000001", 21, &u), ==, -EINVAL);
	g_assert_cmpint(parse_ulong_strict("0x0000000000000000001", 21, &u), ==, -EINVAL);
	g_assert_cmpint(parse_ulong_strict("0xff ", 5, &u), ==, 0);
	g_assert_cmpuint(u, ==, 255);
	g_assert_cmpint(parse_ulong_strict("0xg", 3, &u), ==, -EINVAL);
	g_assert_cmpint(parse_ulong_strict("09", 2, &u), ==, -EINVAL);
	g_assert_cmpint(parse_int_vector("-0x10\t07", 8, v, 2), ==, 2);
	g_assert_cmpint(v[0], ==, -16);
	g_assert_cmpint(v[1], ==, 7);
}

/* The ctl language's values: decimal or 0x-hex, whole words, no sign */
static void test_ctl_values(void)
{
	uint64_t v;

	g_assert_false(ctl_parse_u64("", &v));
	g_assert_false(ctl_parse_u64("+1", &v));
	g_assert_false(ctl_parse_u64("1\n", &v));
	g_assert_false(ctl_parse_u64("0x10", &v));
	g_assert_true(ctl_parse_u64("010", &v) && v == 10);
	g_assert_false(ctl_parse_hex("0X", &v));
	g_assert_false(ctl_parse_hex("0x-1", &v));
	g_assert_false(ctl_parse_hex("0x1g", &v));
	g_assert_true(ctl_parse_hex("0XfFfFfFfFfFfFfFfF", &v) && v == UINT64_MAX);
	g_assert_true(ctl_parse_hex("0x00000000000000000001", &v) && v == 1);
	g_assert_false(ctl_parse_duration_ns("99999999999999999999999s", &v));
	g_assert_true(ctl_parse_duration_ns("0000000000000000000000001.5s", &v) && v == 1500000000ULL);
	g_assert_true(ctl_parse_duration_ns("250ms", &v) && v == 250000000ULL);
	g_assert_false(ctl_parse_duration_ns("-1s", &v));
}

/* kstrtobool: lib/kstrtox.c's first-character rule, and on/off */
static void test_kstrtobool(void)
{
	static const char *const yes[] = { "1", "y", "Y", "yes", "t", "true", "on", "ON", "1\n" };
	static const char *const no[] = { "0", "n", "N", "no", "f", "false", "off", "oF", "0\n" };
	static const char *const bad[] = { "", "2", "maybe", "o", "ox", " y", "\n", "-1" };
	bool v;

	for (size_t i = 0; i < G_N_ELEMENTS(yes); i++) {
		v = false;
		g_assert_cmpint(kstrtobool(yes[i], &v), ==, 0);
		g_assert_true(v);
	}
	for (size_t i = 0; i < G_N_ELEMENTS(no); i++) {
		v = true;
		g_assert_cmpint(kstrtobool(no[i], &v), ==, 0);
		g_assert_false(v);
	}
	for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
		v = true;
		g_assert_cmpint(kstrtobool(bad[i], &v), ==, -EINVAL);
		g_assert_true(v); /* unchanged */
	}
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/kstrtox/fixup_radix", test_fixup_radix);
	g_test_add_func("/kstrtox/parse_integer", test_parse_integer);
	g_test_add_func("/kstrtox/kstrtoul", test_kstrtoul);
	g_test_add_func("/kstrtox/signed_and_narrow", test_signed_and_narrow);
	g_test_add_func("/kstrtox/kstrtoul_store", test_kstrtoul_store);
	g_test_add_func("/kstrtox/kstrtobool", test_kstrtobool);
	g_test_add_func("/kstrtox/proc_get_long", test_proc_get_long);
	g_test_add_func("/kstrtox/ctl_values", test_ctl_values);
	return g_test_run();
}
