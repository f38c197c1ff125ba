/*
 * smooth.c - median kernels for the diagnosis (see smooth.h).
 *
 * The rules judge noisy step-level curves on medians: of a span, of a
 * window sliding along the curve (a running median) and of the buckets
 * of a long curve. Copying each window and sorting it costs
 * O(n w log w) for a running median and made the diagnosis grow with
 * the square of a curve's length; here
 *
 *  - a running median keeps its window sorted as it slides: each step
 *    removes the points that left (binary search, then one memmove) and
 *    inserts those that came in, O(n (log w + w)) with a small constant,
 *    and the median is read off the middle;
 *  - a single median (of a span, or of a bucket of a long curve, see
 *    diagnose.c) selects the middle values (quickselect, Hoare's
 *    FIND, CACM algorithm 65) in O(n) instead of sorting.
 *
 * The result must not depend on the method. A sort is unique up to values
 * that compare equal, and among finite doubles only 0.0 and -0.0 do while
 * being different values; the old code used a stable sort, so equal
 * values stay in index order. The sorted window inserts a new value after
 * its equals and removes the oldest one before them, which keeps that
 * order; quickselect, which does not, finds out which zero a stable sort
 * would have put in the middle by counting.
 */
#include "smooth.h"

#include <math.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* Index of the first value of sorted v[0..n) that is not below x. */
static size_t lower_bound(const double *v, size_t n, double x)
{
    size_t lo = 0, hi = n;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;

        if (v[mid] < x)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Index of the first value of sorted v[0..n) above x. */
static size_t upper_bound(const double *v, size_t n, double x)
{
    size_t lo = 0, hi = n;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;

        if (x < v[mid])
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

static double sorted_median(const double *s, size_t n)
{
    return n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

/*
 * Running medians over windows [lo(i), hi(i)) whose ends never move
 * backwards. centred selects the window shape (see smooth.h).
 */
static void running(const double *y, size_t n, size_t w, bool centred,
                    double *out)
{
    double *win = xmalloc((w + 1) * sizeof(*win));
    size_t cl = 0, ch = 0, m = 0;

    for (size_t i = 0; i < n; i++) {
        size_t lo = i >= w / 2 ? i - w / 2 : 0, hi;

        if (centred)
            hi = i + w / 2 + 1 < n ? i + w / 2 + 1 : n;
        else
            hi = lo + w < n ? lo + w : n;
        for (; cl < lo; cl++) {
            size_t p = lower_bound(win, m, y[cl]);

            memmove(win + p, win + p + 1, (m - p - 1) * sizeof(*win));
            m--;
        }
        for (; ch < hi; ch++) {
            size_t p = upper_bound(win, m, y[ch]);

            memmove(win + p + 1, win + p, (m - p) * sizeof(*win));
            win[p] = y[ch];
            m++;
        }
        out[i] = sorted_median(win, m);
    }
    free(win);
}

void smooth_centred(const double *y, size_t n, size_t win, double *out)
{
    if (!n)
        return;
    if (win <= 1) {
        memcpy(out, y, n * sizeof(*out));
        return;
    }
    running(y, n, win, true, out);
}

void smooth_held(const double *y, size_t n, size_t k, double *out)
{
    if (!n)
        return;
    if (k <= 1) {
        memcpy(out, y, n * sizeof(*out));
        return;
    }
    running(y, n, k, false, out);
}

/*
 * Rearrange a[0..n) so that a[k] holds the value a sort would put there,
 * with nothing greater before it and nothing smaller after it.
 */
static void select_kth(double *a, size_t n, size_t k)
{
    ptrdiff_t lo = 0, hi = (ptrdiff_t)n - 1, want = (ptrdiff_t)k;

    while (lo < hi) {
        ptrdiff_t mid = lo + (hi - lo) / 2, i = lo, j = hi;
        double p, t;

        /* The median of three as the pivot keeps sorted input linear. */
        if (a[mid] < a[lo])
            t = a[mid], a[mid] = a[lo], a[lo] = t;
        if (a[hi] < a[lo])
            t = a[hi], a[hi] = a[lo], a[lo] = t;
        if (a[hi] < a[mid])
            t = a[hi], a[hi] = a[mid], a[mid] = t;
        p = a[mid];
        while (i <= j) {
            while (i <= hi && a[i] < p)
                i++;
            while (j >= lo && p < a[j])
                j--;
            if (i <= j) {
                t = a[i], a[i] = a[j], a[j] = t;
                i++;
                j--;
            }
        }
        /* a[lo..j] <= p <= a[i..hi], and anything between equals p. */
        if (want <= j)
            hi = j;
        else if (want >= i)
            lo = i;
        else
            return;
    }
}

/*
 * The value at position k of a stable sort of v, given that a sort puts
 * value z there: only a zero's sign can tell equal values apart.
 */
static double stable_at(const double *v, size_t n, size_t k, double z)
{
    size_t below = 0, seen = 0;

    if (z != 0)
        return z;
    for (size_t i = 0; i < n; i++)
        if (v[i] < 0)
            below++;
    for (size_t i = 0; i < n; i++)
        if (v[i] == 0 && below + seen++ == k)
            return v[i];
    return z;
}

/* smooth_median() with scratch space for n values. */
static double median_with(const double *v, size_t n, double *a)
{
    double hi, lo;

    memcpy(a, v, n * sizeof(*a));
    select_kth(a, n, n / 2);
    hi = stable_at(v, n, n / 2, a[n / 2]);
    if (n % 2)
        return hi;
    /* The value just below the middle is the largest of the lower part. */
    lo = a[0];
    for (size_t i = 1; i < n / 2; i++)
        if (lo < a[i])
            lo = a[i];
    lo = stable_at(v, n, n / 2 - 1, lo);
    return (lo + hi) / 2;
}

double smooth_median(const double *v, size_t n)
{
    double small[64], *a, med;

    if (!n)
        return NAN;
    if (n <= ARRAY_SIZE(small))
        return median_with(v, n, small);
    a = xmalloc(n * sizeof(*a));
    med = median_with(v, n, a);
    free(a);
    return med;
}
