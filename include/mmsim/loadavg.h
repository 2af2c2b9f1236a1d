/*
 * include/linux/sched/loadavg.h: the fixed-point load averages, for the
 * engine that computes them (loadavg.c) and the renderers that print them.
 */
#ifndef MMSIM_LOADAVG_H
#define MMSIM_LOADAVG_H

#define FSHIFT 11                 /* nr of bits of precision */
#define FIXED_1 (1UL << FSHIFT)   /* 1.0 as fixed-point */
#define EXP_1 1884                /* 1/exp(5sec/1min) as fixed-point */
#define EXP_5 2014                /* 1/exp(5sec/5min) */
#define EXP_15 2037               /* 1/exp(5sec/15min) */

#define LOAD_INT(x) ((x) >> FSHIFT)
#define LOAD_FRAC(x) LOAD_INT(((x) & (FIXED_1 - 1)) * 100)

/* a1 = a0 * e + a * (1 - e), rounded up while the load rises */
unsigned long calc_load(unsigned long load, unsigned long exp, unsigned long active);

#endif
