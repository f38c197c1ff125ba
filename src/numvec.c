/*
 * numvec.c - storing an array of doubles as 32-bit decimals while every
 * value round-trips (numvec.h).
 *
 * The fast path, in numvec.h, stores a value at the array's current scale.
 * Here: the four values no q can hold (NaN, the infinities, -0.0) get
 * their own codes; a value with more decimals raises the scale of the
 * whole array (every q stored is multiplied by the same power of ten, so
 * each still decodes to the same double); and a value no scale up to 9
 * holds exactly, or one that would overflow, makes the array plain
 * doubles, decoded from the q stored so far.
 */
#include "numvec.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "util.h"

#include "banned.h"

const double numvec_pow10[10] = {1e0, 1e1, 1e2, 1e3, 1e4,
                                 1e5, 1e6, 1e7, 1e8, 1e9};
const double numvec_special[4] = {NAN, INFINITY, -INFINITY, -0.0};

void numvec_resize(struct numvec *v, size_t alloc)
{
    if (v->steps)
        return;
    if (v->d)
        v->d = xreallocarray(v->d, alloc, sizeof(*v->d));
    else
        v->q = xreallocarray(v->q, alloc, sizeof(*v->q));
}

void numvec_release(struct numvec *v)
{
    free(v->d);
    free(v->q);
    memset(v, 0, sizeof(*v));
}

static bool same_bits(double a, double b)
{
    return !memcmp(&a, &b, sizeof(a));
}

/* Turn v into plain doubles; value i is about to be stored. */
static void to_doubles(struct numvec *v, size_t n, size_t alloc, size_t i)
{
    double *d = xreallocarray(NULL, alloc ? alloc : 1, sizeof(*d));

    for (size_t j = 0; j < n; j++)
        d[j] = j == i ? NAN : numvec_at(v, j);
    free(v->q);
    v->q = NULL;
    v->d = d;
}

/* Whether x can be value i of v's progression (and sets it so). */
static bool step_on(struct numvec *v, size_t i, double x)
{
    if (i != v->known || !(fabs(x) < NUMVEC_QLIM) || x != floor(x) ||
        (!x && signbit(x)))
        return false;
    if (i == 0)
        v->first = x;
    else if (i == 1)
        v->step = x - v->first;
    else if (x != v->first + (double)i * v->step)
        return false;
    v->known++;
    return true;
}

/* Store the values of v's progression as q, at scale 0. */
static void steps_to_q(struct numvec *v, size_t alloc)
{
    v->q = xreallocarray(NULL, alloc ? alloc : 1, sizeof(*v->q));
    v->scale = 0;
    v->qmax = 0;
    for (size_t j = 0; j < v->known; j++) {
        int32_t q = (int32_t)(v->first + (double)j * v->step);

        v->q[j] = q;
        if ((q < 0 ? -q : q) > v->qmax)
            v->qmax = q < 0 ? -q : q;
    }
    v->steps = false;
}

void numvec_set_slow(struct numvec *v, size_t n, size_t alloc, size_t i,
                     double x)
{
    int32_t q;

    if (v->steps) {
        if (step_on(v, i, x))
            return;
        steps_to_q(v, alloc);
        numvec_set(v, n, alloc, i, x);
        return;
    }
    if (v->d) {
        v->d[i] = x;
        return;
    }
    for (int k = 0; k < 4; k++) {
        if (same_bits(x, numvec_special[k])) {
            v->q[i] = INT32_MIN + k;
            return;
        }
    }
    for (int s = v->scale + 1; s < 10 && isfinite(x); s++) {
        double up = numvec_pow10[s - v->scale];
        int32_t mul = (int32_t)up;

        if (!numvec_encode(x, s, &q))
            continue;
        if (v->qmax * up >= NUMVEC_QLIM)
            break;
        for (size_t j = 0; j < n; j++)
            if (j != i && v->q[j] >= NUMVEC_SPECIAL)
                v->q[j] *= mul;
        v->qmax *= mul;
        v->scale = s;
        v->q[i] = q;
        if ((q < 0 ? -q : q) > v->qmax)
            v->qmax = q < 0 ? -q : q;
        return;
    }
    to_doubles(v, n, alloc, i);
    v->d[i] = x;
}

void numvec_append(struct numvec *v, size_t n, size_t alloc, struct numvec *w,
                   size_t k)
{
    if (v->q && w->q && v->scale == w->scale) {
        memcpy(v->q + n, w->q, k * sizeof(*v->q));
        if (w->qmax > v->qmax)
            v->qmax = w->qmax;
    } else {
        for (size_t j = 0; j < k; j++)
            numvec_set(v, n + j + 1, alloc, n + j, numvec_at(w, j));
    }
    numvec_release(w);
}

size_t numvec_next_nonfinite(const struct numvec *v, size_t from, size_t n)
{
    size_t i = from;

    if (v->steps)
        return n;
    if (v->d) {
        while (i < n && isfinite(v->d[i]))
            i++;
        return i;
    }
    /* The codes of NaN, +inf and -inf, not that of -0.0. */
    while (i < n && v->q[i] >= INT32_MIN + 3)
        i++;
    return i;
}

const double *numview_block(struct numview v, size_t from, size_t n,
                            double *buf)
{
    const int32_t *q = v.q + from;
    double p = numvec_pow10[v.scale];
    bool special = false;
    size_t i = 0;

    if (v.d)
        return v.d + from;
    if (v.steps) {
        for (i = 0; i < n; i++)
            buf[i] = v.first + (double)(from + i) * v.step;
        return buf;
    }
#ifdef __SSE2__
    {
        __m128d pv = _mm_set1_pd(p);
        __m128i lim = _mm_set1_epi32(NUMVEC_SPECIAL), sp = _mm_setzero_si128();

        for (; i + 4 <= n; i += 4) {
            __m128i qi =
                _mm_loadu_si128((const __m128i *)(const void *)(q + i));
            __m128d a = _mm_cvtepi32_pd(qi);
            __m128d b = _mm_cvtepi32_pd(_mm_shuffle_epi32(qi, 0xee));

            sp = _mm_or_si128(sp, _mm_cmplt_epi32(qi, lim));
            if (v.scale) {
                a = _mm_div_pd(a, pv);
                b = _mm_div_pd(b, pv);
            }
            _mm_storeu_pd(buf + i, a);
            _mm_storeu_pd(buf + i + 2, b);
        }
        special = _mm_movemask_epi8(sp) != 0;
    }
#endif
    for (; i < n; i++) {
        buf[i] = (double)q[i] / p;
        special |= q[i] < NUMVEC_SPECIAL;
    }
    for (i = 0; i < n && special; i++)
        if (q[i] < NUMVEC_SPECIAL)
            buf[i] = numvec_special[q[i] - INT32_MIN];
    return buf;
}
