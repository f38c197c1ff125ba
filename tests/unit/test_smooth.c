/*
 * test_smooth.c - the median kernels against the obvious implementation
 * (copy the span, sort it stably, take the middle) on random data: wide
 * values, many ties, and zeros of both signs, whose order a sort leaves
 * to its stability. Results are compared bit for bit.
 */
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smooth.h"
#include "tap.h"
#include "util.h"

#include "banned.h"

static uint64_t rng = 88172645463325252ULL;

static uint64_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

/* A value of the given kind: 0 wide, 1 few distinct, 2 signed zeros. */
static double value(int kind)
{
    switch (kind) {
    case 0:
        return ((double)(next() % 2000001) - 1000000) / 1000.0;
    case 1:
        return (double)(next() % 5);
    default:
        switch (next() % 4) {
        case 0:
            return 0.0;
        case 1:
            return -0.0;
        case 2:
            return 1.0;
        default:
            return -1.0;
        }
    }
}

/* Insertion sort: stable, and too simple to be wrong. */
static double naive_median(const double *v, size_t n)
{
    double *s, med;

    if (!n)
        return NAN;
    s = xmalloc(n * sizeof(*s));
    for (size_t i = 0; i < n; i++) {
        size_t j = i;

        while (j > 0 && v[i] < s[j - 1]) {
            s[j] = s[j - 1];
            j--;
        }
        s[j] = v[i];
    }
    med = n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    free(s);
    return med;
}

static bool same(double a, double b)
{
    return memcmp(&a, &b, sizeof(a)) == 0;
}

static bool check_median(const double *y, size_t n)
{
    for (size_t lo = 0; lo < n; lo += 1 + lo / 3)
        for (size_t len = 0; lo + len <= n; len += 1 + len / 2)
            if (!same(smooth_median(y + lo, len), naive_median(y + lo, len)))
                return false;
    return true;
}

/* smooth_centred() (centred) or smooth_held() against naive medians. */
static bool check_running(const double *y, size_t n, size_t w, bool centred,
                          double *out)
{
    if (centred)
        smooth_centred(y, n, w, out);
    else
        smooth_held(y, n, w, out);
    for (size_t i = 0; i < n; i++) {
        size_t lo = i >= w / 2 ? i - w / 2 : 0;
        size_t hi = centred ? i + w / 2 + 1 : lo + w;

        if (hi > n)
            hi = n;
        if (!same(out[i], w <= 1 ? y[i] : naive_median(y + lo, hi - lo)))
            return false;
    }
    return true;
}

int main(void)
{
    static const size_t sizes[] = {1, 2, 3, 7, 64, 65, 100, 257, 1000};
    static const size_t wins[] = {1, 2, 3, 4, 5, 21, 101, 200};
    double y[3000], out[3000];
    char name[128];

    plan(3 * (int)ARRAY_SIZE(sizes) * (1 + 2 * (int)ARRAY_SIZE(wins)) + 3);
    for (int kind = 0; kind < 3; kind++) {
        for (size_t s = 0; s < ARRAY_SIZE(sizes); s++) {
            size_t n = sizes[s];

            for (size_t i = 0; i < n; i++)
                y[i] = value(kind);
            snprintf(name, sizeof(name), "median of spans, kind %d, n %zu",
                     kind, n);
            ok(check_median(y, n), name);
            for (size_t w = 0; w < ARRAY_SIZE(wins); w++) {
                snprintf(name, sizeof(name),
                         "centred running median, kind %d, n %zu, win %zu",
                         kind, n, wins[w]);
                ok(check_running(y, n, wins[w], true, out), name);
                snprintf(name, sizeof(name),
                         "held level, kind %d, n %zu, k %zu", kind, n, wins[w]);
                ok(check_running(y, n, wins[w], false, out), name);
            }
        }
    }
    /* Sorted and reversed input must not defeat the selection. */
    for (size_t i = 0; i < ARRAY_SIZE(y); i++)
        y[i] = (double)i;
    ok(same(smooth_median(y, 3000), 1499.5), "median of sorted input");
    for (size_t i = 0; i < ARRAY_SIZE(y); i++)
        y[i] = -(double)i;
    ok(same(smooth_median(y, 2999), -1499.0), "median of reversed input");
    ok(isnan(smooth_median(y, 0)), "median of nothing is NaN");
    return done();
}
