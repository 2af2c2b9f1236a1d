/*
 * Integer parsing as the kernel does it: lib/kstrtox.c's kstrto*() for
 * sysfs and procfs stores, kernel/sysctl.c's proc_get_long for the sysctl
 * writers.  Both rest on one digit loop, parse_integer.
 */
#include <errno.h>
#include <glib.h>
#include <limits.h>
#include <stdbool.h>
#include <string.h>

#include "kstrtox.h"
#include "mmsim/mmzone.h"

const char *parse_integer_fixup_radix(const char *s, unsigned int *base)
{
	if (*base == 0) {
		if (s[0] != '0')
			*base = 10;
		else
			*base = g_ascii_tolower(s[1]) == 'x' && g_ascii_isxdigit(s[2]) ? 16 : 8;
	}
	if (*base == 16 && s[0] == '0' && g_ascii_tolower(s[1]) == 'x')
		s += 2;
	return s;
}

unsigned int parse_integer(const char *s, unsigned int base, unsigned long long *res)
{
	unsigned long long acc = 0;
	unsigned int rv = 0;

	for (; g_ascii_isxdigit(*s); s++) {
		unsigned int d = (unsigned int)g_ascii_xdigit_value(*s);

		if (d >= base)
			break;
		if (acc > (ULLONG_MAX - d) / base)
			rv |= KSTRTOX_OVERFLOW;
		acc = acc * base + d;
		rv++;
	}
	*res = acc;
	return rv;
}

/* _kstrtoull: the digits, one optional newline, the end */
static int kstrtoull_nosign(const char *s, unsigned int base, unsigned long long *res)
{
	unsigned long long acc;
	unsigned int rv;

	s = parse_integer_fixup_radix(s, &base);
	rv = parse_integer(s, base, &acc);
	if (rv & KSTRTOX_OVERFLOW)
		return -ERANGE;
	if (rv == 0)
		return -EINVAL;
	s += rv;
	if (*s == '\n')
		s++;
	if (*s)
		return -EINVAL;
	*res = acc;
	return 0;
}

int kstrtoull(const char *s, unsigned int base, unsigned long long *res)
{
	return kstrtoull_nosign(s[0] == '+' ? s + 1 : s, base, res);
}

int kstrtoll(const char *s, unsigned int base, long long *res)
{
	unsigned long long tmp;
	int err;

	if (s[0] == '-') {
		err = kstrtoull_nosign(s + 1, base, &tmp);
		if (err)
			return err;
		if (tmp > (unsigned long long)LLONG_MAX + 1)
			return -ERANGE;
		*res = (long long)(0 - tmp);
		return 0;
	}
	err = kstrtoull(s, base, &tmp);
	if (err)
		return err;
	if (tmp > LLONG_MAX)
		return -ERANGE;
	*res = (long long)tmp;
	return 0;
}

int kstrtoul(const char *s, unsigned int base, unsigned long *res)
{
	unsigned long long tmp;
	int err = kstrtoull(s, base, &tmp);

	if (err)
		return err;
	if (tmp != (unsigned long)tmp)
		return -ERANGE;
	*res = (unsigned long)tmp;
	return 0;
}

int kstrtol(const char *s, unsigned int base, long *res)
{
	long long tmp;
	int err = kstrtoll(s, base, &tmp);

	if (err)
		return err;
	if (tmp != (long)tmp)
		return -ERANGE;
	*res = (long)tmp;
	return 0;
}

int kstrtouint(const char *s, unsigned int base, unsigned int *res)
{
	unsigned long long tmp;
	int err = kstrtoull(s, base, &tmp);

	if (err)
		return err;
	if (tmp != (unsigned int)tmp)
		return -ERANGE;
	*res = (unsigned int)tmp;
	return 0;
}

int kstrtoint(const char *s, unsigned int base, int *res)
{
	long long tmp;
	int err = kstrtoll(s, base, &tmp);

	if (err)
		return err;
	if (tmp != (int)tmp)
		return -ERANGE;
	*res = (int)tmp;
	return 0;
}

int kstrtobool(const char *s, bool *res)
{
	if (!s || !*s)
		return -EINVAL;
	if (strchr("yYtT1", s[0])) {
		*res = true;
		return 0;
	}
	if (strchr("nNfF0", s[0])) {
		*res = false;
		return 0;
	}
	if ((s[0] == 'o' || s[0] == 'O') && s[1] && strchr("nNfF", s[1])) {
		*res = s[1] == 'n' || s[1] == 'N';
		return 0;
	}
	return -EINVAL;
}

int kstrtoul_store(const char *buf, size_t len, unsigned int base, unsigned long *res)
{
	g_autofree char *s = g_strndup(buf, len);

	return kstrtoul(s, base, res);
}

/* ------------------------------------------------------------------ */
/* proc_dointvec parsing                                               */
/* ------------------------------------------------------------------ */

#define TMPBUFLEN 22  /* kernel/sysctl.c: enough for any 64-bit number */

/* proc_wspace_sep: what may follow a number */
static bool is_wspace_sep(char c)
{
	return c == ' ' || c == '\t' || c == '\n';
}

/* proc_skip_spaces */
static void skip_spaces(const char **p, size_t *left)
{
	while (*left && g_ascii_isspace(**p)) {
		(*p)++;
		(*left)--;
	}
}

/* strtoul_lenient: the digits in base 0; -ERANGE only on overflow, the
 * caller judges what follows */
static int strtoul_lenient(const char *cp, const char **endp, unsigned long *res)
{
	unsigned int base = 0;
	unsigned long long v;
	unsigned int rv;

	cp = parse_integer_fixup_radix(cp, &base);
	rv = parse_integer(cp, base, &v);
	if ((rv & KSTRTOX_OVERFLOW) || v != (unsigned long)v)
		return -ERANGE;
	*endp = cp + rv;
	*res = (unsigned long)v;
	return 0;
}

/*
 * proc_get_long: an optional '-', then digits in base 0 (so "0x10" is 16
 * and "010" is 8, as in the kernel), then the end of the buffer or a
 * separator.  Numbers of TMPBUFLEN-1 characters or more are refused, since
 * the kernel cannot tell where they end.
 */
static int get_long(const char **pp, size_t *left, unsigned long *val, bool *neg)
{
	char tmp[TMPBUFLEN];
	size_t len = MIN(*left, (size_t)TMPBUFLEN - 1);
	const char *p = tmp, *end;

	memcpy(tmp, *pp, len);
	tmp[len] = '\0';
	*neg = false;
	if (*p == '-' && *left > 1) {
		*neg = true;
		p++;
	}
	if (!g_ascii_isdigit(*p))
		return -EINVAL;
	if (strtoul_lenient(p, &end, val))
		return -EINVAL;
	len = (size_t)(end - tmp);
	if (len == TMPBUFLEN - 1)
		return -EINVAL;
	if (len < *left && !is_wspace_sep(tmp[len]))
		return -EINVAL;
	*pp += len;
	*left -= len;
	return 0;
}

/* do_proc_dointvec_conv: the number must fit an int */
static int to_int(unsigned long lval, bool neg, long *out)
{
	if (neg) {
		if (lval > (unsigned long)INT_MAX + 1)
			return -EINVAL;
		*out = -(long)lval;
	} else {
		if (lval > (unsigned long)INT_MAX)
			return -EINVAL;
		*out = (long)lval;
	}
	return 0;
}

int parse_int_vector(const char *buf, size_t len, long *out, int n)
{
	size_t left = MIN(len, (size_t)PAGE_SIZE - 1);
	const char *p = buf;
	int i;

	for (i = 0; i < n && left; i++) {
		unsigned long lval;
		bool neg;

		skip_spaces(&p, &left);
		if (!left)
			break;
		if (get_long(&p, &left, &lval, &neg) || to_int(lval, neg, &out[i]))
			return -EINVAL;
	}
	return i ? i : -EINVAL;
}

int parse_ulong_strict(const char *buf, size_t len, unsigned long *out)
{
	size_t left = MIN(len, (size_t)PAGE_SIZE - 1);
	const char *p = buf;
	bool neg;

	skip_spaces(&p, &left);
	if (!left || get_long(&p, &left, out, &neg) || neg)
		return -EINVAL;
	return 0;
}

int parse_int_strict(const char *buf, size_t len, long *out)
{
	int ret = parse_int_vector(buf, len, out, 1);

	return ret < 0 ? ret : 0;
}
