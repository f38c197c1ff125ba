/*
 * smooth.h - the median kernels diagnose.c judges curves with: the median
 * of a span (also of each bucket of a long curve) and running medians over
 * sliding windows.
 *
 * Every function gives exactly the value a stable sort of the span would
 * (the mean of the two middle values for an even count), signed zeros
 * included, so the diagnosis does not depend on how it is computed. The
 * values must not be NaN (the curves hold finite values only).
 */
#ifndef REPORTGEN_SMOOTH_H
#define REPORTGEN_SMOOTH_H

#include <stddef.h>

/* The median of v[0..n); NAN when n is 0. v is not changed. */
double smooth_median(const double *v, size_t n);

/*
 * out[i] = the median of y over the window of win points centred on i
 * (i - win/2 to i + win/2), cut short at both ends of the curve.
 * out has n values; win >= 1.
 */
void smooth_centred(const double *y, size_t n, size_t win, double *out);

/*
 * out[i] = the median of y over the k points from i - k/2 (at least 0),
 * cut short at the end of the curve: the level a curve held around i.
 * out has n values; k >= 1.
 */
void smooth_held(const double *y, size_t n, size_t k, double *out);

#endif
