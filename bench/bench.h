/* SPDX-License-Identifier: MIT */
/*
 * Timing helpers shared by the benchmarks: a clock in nanoseconds and
 * the median of repeated runs (the figure every bench reports, since a
 * median shrugs off the one run a busy machine slowed down).
 */
#ifndef VOX_BENCH_H
#define VOX_BENCH_H

/* needs _POSIX_C_SOURCE >= 199309L, defined by the including file */
#include <stdlib.h>
#include <time.h>

/* CLOCK_MONOTONIC for wall time, CLOCK_PROCESS_CPUTIME_ID for CPU time. */
static inline double bench_ns(clockid_t id)
{
	struct timespec t;
	clock_gettime(id, &t);
	return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

static inline int bench_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* Sorts v in place and returns its median. */
static inline double bench_median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof *v, bench_cmp);
	return v[n / 2];
}

#endif
