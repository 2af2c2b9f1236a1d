/*
 * The kernel's bit and power-of-two helpers, in one place
 * (include/asm-generic/bitops/fls.h, include/linux/log2.h,
 * include/asm-generic/getorder.h, include/linux/math.h, include/linux/align.h,
 * lib/math/int_sqrt.c).
 */
#ifndef MMSIM_LOG2_H
#define MMSIM_LOG2_H

#include "mmsim/mmzone.h"

/* fls: the 1-based index of the last set bit, 0 for 0 */
static inline int fls(unsigned int x)
{
	return x ? 32 - __builtin_clz(x) : 0;
}

static inline int fls_long(unsigned long x)
{
	return x ? 64 - __builtin_clzl(x) : 0;
}

/* ilog2: floor(log2(n)), for n > 0 */
static inline int ilog2(unsigned long n)
{
	return fls_long(n) - 1;
}

static inline unsigned long roundup_pow_of_two(unsigned long n)
{
	return n <= 1 ? 1 : 1UL << fls_long(n - 1);
}

static inline unsigned long rounddown_pow_of_two(unsigned long n)
{
	return n ? 1UL << ilog2(n) : 1;
}

/* get_order: the smallest order whose block holds size bytes */
static inline unsigned int get_order(unsigned long size)
{
	return size <= PAGE_SIZE ? 0 : (unsigned int)fls_long((size - 1) >> PAGE_SHIFT);
}

/* ALIGN / ALIGN_DOWN of include/linux/align.h, for any a > 0 */
#define ALIGN_UP(x, a) (((x) + (a) - 1) / (a) * (a))
#define ALIGN_DOWN(x, a) ((x) / (a) * (a))

/* mult_frac: x * n / d without overflowing x * n */
static inline unsigned long mult_frac(unsigned long x, unsigned long n, unsigned long d)
{
	return (x / d) * n + (x % d) * n / d;
}

/* int_sqrt: floor(sqrt(x)), computed bit by bit as lib/math/int_sqrt.c */
static inline unsigned long int_sqrt(unsigned long x)
{
	unsigned long b, m, y = 0;

	if (x <= 1)
		return x;
	m = 1UL << (ilog2(x) & ~1);
	while (m != 0) {
		b = y + m;
		y >>= 1;
		if (x >= b) {
			x -= b;
			y += m;
		}
		m >>= 2;
	}
	return y;
}

#endif
