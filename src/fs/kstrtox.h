/*
 * Integer parsing, the one home of every digit loop of the fs layer.
 *
 * kstrto*() are lib/kstrtox.c's: a NUL-terminated string, an optional
 * sign ('+' for all, '-' only for the signed ones), digits in base, one
 * optional trailing newline, nothing else.  Base 0 picks the base from the
 * string: "0x" followed by a hex digit is hexadecimal, another leading "0"
 * octal, anything else decimal.  0, or -EINVAL for anything that is not
 * such a number, -ERANGE for one that does not fit the type (an overflow is
 * reported before garbage after the digits, as in the kernel); the result is
 * written only on success.
 *
 * parse_int_*() and parse_ulong_strict() are kernel/sysctl.c's
 * proc_dointvec / proc_doulongvec_minmax write side: a buffer (not a
 * string), blanks around and between the values, EINVAL for any number
 * out of range.
 */
#ifndef MMSIM_FS_KSTRTOX_H
#define MMSIM_FS_KSTRTOX_H

#include <stdbool.h>

#include <stddef.h>

/* In parse_integer's result: the number did not fit 64 bits */
#define KSTRTOX_OVERFLOW (1U << 31)

/* Base 0: the base s asks for; base 16: past an "0x".  Where the digits start. */
const char *parse_integer_fixup_radix(const char *s, unsigned int *base);
/* The digits of base at s: how many, or-ed with KSTRTOX_OVERFLOW when the
 * value did not fit (*res then holds it modulo 2^64) */
unsigned int parse_integer(const char *s, unsigned int base, unsigned long long *res);

int kstrtoull(const char *s, unsigned int base, unsigned long long *res);
int kstrtoll(const char *s, unsigned int base, long long *res);
int kstrtoul(const char *s, unsigned int base, unsigned long *res);
int kstrtol(const char *s, unsigned int base, long *res);
int kstrtouint(const char *s, unsigned int base, unsigned int *res);
int kstrtoint(const char *s, unsigned int base, int *res);

/* kstrtobool: the first character says (y Y t T 1 / n N f F 0), or "on" /
 * "off" by the second; anything else is -EINVAL */
int kstrtobool(const char *s, bool *res);

/* kstrtoul on what a sysfs store gets: the written bytes as a string (the
 * first NUL ends it) */
int kstrtoul_store(const char *buf, size_t len, unsigned int base, unsigned long *res);

/* proc_dointvec on a vector of n: how many values were given (1..n; a
 * shorter vector sets only the first ones), -EINVAL when there is none or
 * one is malformed or out of int range.  Text after the n-th value is
 * ignored (the default sysctl_writes_strict). */
int parse_int_vector(const char *buf, size_t len, long *out, int n);
/* proc_dointvec on one value: the vector parse with n = 1; 0 or -EINVAL */
int parse_int_strict(const char *buf, size_t len, long *out);
/* proc_doulongvec_minmax on one value: no sign; 0 or -EINVAL */
int parse_ulong_strict(const char *buf, size_t len, unsigned long *out);

#endif
