/*
 * numvec.h - an array of doubles held in 4 bytes a value where that is
 * exact.
 *
 * Logged metrics are mostly short decimals ("0.396622", "0.001", "42"):
 * such a value is q / 10^scale for a 32-bit integer q, and the double
 * strtod() gives for its text is exactly the double (double)q / 10^scale
 * (both are the correctly rounded value of the same fraction). A numvec
 * stores every value of an array that way, as long as each one round-trips
 * bit for bit; the first value that does not (a float32 widened to double,
 * a twelve-digit value) turns the whole array into plain doubles. Readers
 * never see the difference: numvec_at() gives back the stored double, NaN,
 * infinities and -0.0 included. A long log costs half the memory.
 */
#ifndef REPORTGEN_NUMVEC_H
#define REPORTGEN_NUMVEC_H

#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The values q below which stand for NaN, +inf, -inf and -0.0. */
#define NUMVEC_SPECIAL (INT32_MIN + 4)

struct numvec {
    double *d;    /* the values; NULL while they are stored as q */
    int32_t *q;   /* value i is q[i] / 10^scale, or a special value */
    int scale;    /* 0 to 9 */
    int32_t qmax; /* the largest |q[i]| stored, for changing scale */
    /*
     * With steps (and neither d nor q), value i is first + i * step, both
     * whole numbers, for i below known: a step counter costs nothing. Set
     * steps on an empty numvec to start so; the first value off the
     * progression stores them all as q.
     */
    bool steps;
    size_t known;
    double first, step;
};

/* A read-only view of a numvec or of a plain array of doubles. */
struct numview {
    const double *d;
    const int32_t *q;
    int scale;
    bool steps;
    double first, step;
};

extern const double numvec_pow10[10];
extern const double numvec_special[4];

/* Value i of v. */
static inline double numview_at(struct numview v, size_t i)
{
    int32_t q;

    if (v.d)
        return v.d[i];
    if (v.steps)
        return v.first + (double)i * v.step;
    q = v.q[i];
    if (q < NUMVEC_SPECIAL)
        return numvec_special[q - INT32_MIN];
    return v.scale ? (double)q / numvec_pow10[v.scale] : (double)q;
}

static inline struct numview numvec_view(const struct numvec *v)
{
    struct numview w = {v->d, v->q, v->scale, v->steps, v->first, v->step};

    return w;
}

/* A view of n plain doubles (or none, for NULL). */
static inline struct numview numview_of(const double *d)
{
    struct numview w = {d, NULL, 0, false, 0, 0};

    return w;
}

static inline bool numview_null(struct numview v)
{
    return !v.d && !v.q && !v.steps;
}

/* Values read at once by numview_block(). */
#define NUMVIEW_BLOCK 512

/*
 * Values from to from + n - 1 of v (n <= NUMVIEW_BLOCK): where v holds
 * doubles, a pointer into them; else decoded into buf. Reading a long
 * array a block at a time lets the decoding run as vector code.
 */
const double *numview_block(struct numview v, size_t from, size_t n,
                            double *buf);

/*
 * Reading values of a view in (mostly) increasing order, a block at a
 * time: numreader_at() decodes the block holding i when i is not in the
 * current one.
 */
struct numreader {
    struct numview v;
    size_t n;    /* values in v */
    size_t from; /* the block held: values from to from + len - 1 */
    size_t len;
    const double *cur;
    double buf[NUMVIEW_BLOCK];
};

static inline void numreader_init(struct numreader *rd, struct numview v,
                                  size_t n)
{
    rd->v = v;
    rd->n = n;
    rd->from = rd->len = 0;
    rd->cur = NULL;
}

static inline double numreader_at(struct numreader *rd, size_t i)
{
    if (i - rd->from >= rd->len) {
        rd->from = i - i % NUMVIEW_BLOCK;
        rd->len =
            rd->n - rd->from < NUMVIEW_BLOCK ? rd->n - rd->from : NUMVIEW_BLOCK;
        rd->cur = numview_block(rd->v, rd->from, rd->len, rd->buf);
    }
    return rd->cur[i - rd->from];
}

static inline double numvec_at(const struct numvec *v, size_t i)
{
    return numview_at(numvec_view(v), i);
}

/* Make room in v for alloc values, keeping those it holds. */
void numvec_resize(struct numvec *v, size_t alloc);
/*
 * Store x at i: i < alloc, the values v has room for; values 0 to n - 1
 * are in use (they are kept when v changes how it stores them).
 */
void numvec_set_slow(struct numvec *v, size_t n, size_t alloc, size_t i,
                     double x);
/* |q| stays below this: every q is then clear of NUMVEC_SPECIAL. */
#define NUMVEC_QLIM 2147483632

/* The value of decimal q / 10^scale (scale 0 to 9). */
static inline double decimal_value(int32_t q, int scale)
{
    return scale ? (double)q / numvec_pow10[scale] : (double)q;
}

/* The q that holds x exactly at scale, if there is one. */
static inline bool numvec_encode(double x, int scale, int32_t *q)
{
    double t = scale ? x * numvec_pow10[scale] : x;

    if (!(t > -NUMVEC_QLIM && t < NUMVEC_QLIM))
        return false;
    *q = (int32_t)(t < 0 ? t - 0.5 : t + 0.5);
    return decimal_value(*q, scale) == x && (*q || !signbit(x));
}

static inline void numvec_set(struct numvec *v, size_t n, size_t alloc,
                              size_t i, double x)
{
    int32_t q;

    if (v->d) {
        v->d[i] = x;
        return;
    }
    if (v->steps) {
        if (i == v->known && i > 1 && x == v->first + (double)i * v->step &&
            fabs(x) < NUMVEC_QLIM)
            v->known++;
        else
            numvec_set_slow(v, n, alloc, i, x);
        return;
    }
    if (numvec_encode(x, v->scale, &q)) {
        int32_t a = q < 0 ? -q : q;

        v->q[i] = q;
        if (a > v->qmax)
            v->qmax = a;
        return;
    }
    numvec_set_slow(v, n, alloc, i, x);
}

/*
 * Store the value of decimal q / 10^scale (|q| < 10^9, scale 0 to 9) at
 * i, as numvec_set() does, without a division where it can.
 */
static inline void numvec_set_decimal(struct numvec *v, size_t n, size_t alloc,
                                      size_t i, int32_t q, int scale)
{
    static const int64_t up[10] = {1,         10,        100,     1000,
                                   10000,     100000,    1000000, 10000000,
                                   100000000, 1000000000};

    if (!v->d && scale <= v->scale) {
        int64_t w = (int64_t)q * up[v->scale - scale];

        if (w > -NUMVEC_QLIM && w < NUMVEC_QLIM) {
            int32_t a = (int32_t)(w < 0 ? -w : w);

            v->q[i] = (int32_t)w;
            if (a > v->qmax)
                v->qmax = a;
            return;
        }
    }
    numvec_set(v, n, alloc, i, decimal_value(q, scale));
}

/* Store NaN at i. */
static inline void numvec_set_nan(struct numvec *v, size_t i)
{
    if (v->d)
        v->d[i] = NAN;
    else
        v->q[i] = INT32_MIN;
}
/*
 * Store the k values of w at n to n + k - 1 of v (room for alloc values;
 * 0 to n - 1 in use) and release w.
 */
void numvec_append(struct numvec *v, size_t n, size_t alloc, struct numvec *w,
                   size_t k);
/*
 * The first i from from up to n - 1 whose value is NaN or infinite, or n:
 * found without decoding a value.
 */
size_t numvec_next_nonfinite(const struct numvec *v, size_t from, size_t n);
/* Free the values of v and empty it. */
void numvec_release(struct numvec *v);

#endif
