/*
 * test_metrics.c - the column store and its summaries: roles from names,
 * growth, missing versus non-finite cells, stats and the best checkpoint.
 *
 * Series are built in memory with metrics_add_row()/metrics_set(), the
 * same calls every reader makes, so no file is involved.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metrics.h"
#include "tap.h"
#include "util.h"

/* "Missing" in the literal series below: the row has no value there. */
#define MISS (-12345.0)

/*
 * A metrics with x = 1..n and one column "name" holding vals[] (MISS for
 * a missing cell), file lines starting at 2 as under a header.
 */
static struct metrics *series(const char *name, const double *vals, size_t n)
{
    struct metrics *m = metrics_new("mem.csv", "epoch");
    size_t col = metrics_add_column(m, name), i;

    for (i = 0; i < n; i++) {
        size_t row = metrics_add_row(m, (double)(i + 1), i + 2);

        if (vals[i] != MISS)
            metrics_set(m, row, col, vals[i]);
    }
    return m;
}

static void test_roles(void)
{
    is_int(metrics_role_of("train_loss"), ROLE_TRAIN_LOSS, "role train_loss");
    is_int(metrics_role_of("val_loss"), ROLE_VAL_LOSS, "role val_loss");
    is_int(metrics_role_of("train_acc"), ROLE_TRAIN_ACC, "role train_acc");
    is_int(metrics_role_of("val_acc"), ROLE_VAL_ACC, "role val_acc");
    is_int(metrics_role_of("lr"), ROLE_LR, "role lr");
    is_int(metrics_role_of("grad_norm"), ROLE_GRAD_NORM, "role grad_norm");
    is_int(metrics_role_of("grad_nonfinite"), ROLE_GRAD_NONFINITE,
           "role grad_nonfinite");
    is_int(metrics_role_of("pred_count_cat"), ROLE_PRED_COUNT,
           "role pred_count_<class>");
    is_int(metrics_role_of("pred_count_"), ROLE_OTHER,
           "pred_count_ without a class is other");
    is_int(metrics_role_of("val_loss@night"), ROLE_SLICE,
           "a name with @ is a slice, even on a known metric");
    is_int(metrics_role_of("@"), ROLE_SLICE, "a bare @ is a slice");
    is_int(metrics_role_of("Val_Loss"), ROLE_OTHER, "roles are exact: case");
    is_int(metrics_role_of("val_loss "), ROLE_OTHER,
           "roles are exact: trailing space");
    is_int(metrics_role_of("loss"), ROLE_OTHER, "keras loss is other");
    is_int(metrics_role_of(""), ROLE_OTHER, "empty name is other");
}

static void test_store(void)
{
    struct metrics *m = metrics_new("runs/a/metrics.csv", "step");
    size_t a, b, i;
    bool indices_ok = true;
    const struct column *col;

    is_str(m->path, "runs/a/metrics.csv", "path copied");
    is_str(m->xname, "step", "xname copied");
    a = metrics_add_column(m, "train_loss");
    is_int((long)a, 0, "first column index");
    /* Enough rows to grow past the first allocations several times. */
    for (i = 0; i < 1000; i++) {
        size_t row = metrics_add_row(m, (double)i * 10, i + 2);

        metrics_set(m, row, a, 1.0 / (double)(i + 1));
    }
    /* A column added late reads as missing in every earlier row. */
    b = metrics_add_column(m, "val_loss");
    is_int((long)b, 1, "second column index");
    is_int((long)m->nrows, 1000, "1000 rows");
    ok(m->alloc >= 1000, "alloc covers the rows");
    ok(!metrics_present(&m->cols[b], 0) && isnan(metrics_v(&m->cols[b], 0)) &&
           !metrics_present(&m->cols[b], 999) &&
           isnan(metrics_v(&m->cols[b], 999)),
       "late column is missing in earlier rows");
    metrics_set(m, 999, b, 0.25);
    is_double(metrics_v(&m->cols[b], 999), 0.25, 0, "late column set");
    is_double(metrics_x(m, 500), 5000, 0, "x kept through growth");
    is_int((long)metrics_line(m, 500), 502, "line kept through growth");
    is_double(metrics_v(&m->cols[a], 999), 0.001, 1e-12,
              "values kept through growth");

    /* More columns than the first column allocation holds. */
    for (i = 0; i < 20; i++) {
        char name[16];

        snprintf(name, sizeof(name), "extra_%zu", i);
        if (metrics_add_column(m, name) != i + 2)
            indices_ok = false;
    }
    ok(indices_ok, "20 more columns get indices 2..21");
    col = metrics_find(m, "extra_19");
    ok(col && col == &m->cols[21], "find the 22nd column");
    ok(col && !metrics_present(col, 0), "22nd column missing in row 0");
    ok(metrics_find(m, "nope") == NULL, "find unknown is NULL");
    ok(metrics_find(m, "val_loss") == &m->cols[1], "find val_loss");
    ok(metrics_find_role(m, ROLE_VAL_LOSS) == &m->cols[1],
       "find role val_loss");
    ok(metrics_find_role(m, ROLE_LR) == NULL, "find absent role is NULL");
    metrics_free(m);
    metrics_free(NULL);
    ok(1, "metrics_free(NULL) is a no-op");
}

static void test_nonfinite_line(void)
{
    static const double v[] = {0.5, MISS, NAN, 0.4, INFINITY};
    struct metrics *m = series("train_loss", v, ARRAY_SIZE(v));

    is_int((long)m->cols[0].line_of_first_nonfinite, 4,
           "line of first non-finite value (row 2 is on line 4)");
    ok(metrics_present(&m->cols[0], 2) && isnan(metrics_v(&m->cols[0], 2)),
       "a logged nan is present");
    ok(!metrics_present(&m->cols[0], 1) && isnan(metrics_v(&m->cols[0], 1)),
       "a missing cell is NaN and not present");
    metrics_free(m);

    {
        static const double f[] = {0.5, 0.4};
        struct metrics *m2 = series("train_loss", f, 2);

        is_int((long)m2->cols[0].line_of_first_nonfinite, 0,
               "no non-finite value: line 0");
        metrics_free(m2);
    }
}

static void test_stats(void)
{
    /* rows:  0    1     2    3    4     5     6 */
    static const double v[] = {MISS, 0.9, NAN, 0.3, MISS, 0.3, -INFINITY};
    struct metrics *m = series("val_loss", v, ARRAY_SIZE(v));
    struct series_stats st;

    metrics_stats(m, &m->cols[0], &st);
    is_int((long)st.n, 5, "stats: n counts present cells, nan included");
    is_int((long)st.nfinite, 3, "stats: nfinite");
    is_int((long)st.first, 1, "stats: first present row");
    is_int((long)st.last, 6, "stats: last present row (non-finite)");
    is_int((long)st.first_nonfinite, 2, "stats: first non-finite row");
    is_double(st.min, 0.3, 0, "stats: min over finite values");
    is_double(st.max, 0.9, 0, "stats: max over finite values");
    is_int((long)st.argmin, 3, "stats: argmin earliest on ties");
    is_int((long)st.argmax, 1, "stats: argmax");
    metrics_free(m);

    {
        static const double w[] = {MISS, NAN, MISS};
        struct metrics *m2 = series("val_loss", w, 3);

        metrics_stats(m2, &m2->cols[0], &st);
        is_int((long)st.n, 1, "all-nan stats: n");
        is_int((long)st.nfinite, 0, "all-nan stats: nfinite");
        ok(isnan(st.min) && isnan(st.max), "all-nan stats: min/max NaN");
        ok(st.argmin == SIZE_MAX && st.argmax == SIZE_MAX,
           "all-nan stats: no argmin/argmax");
        metrics_stats(m2, NULL, &st);
        ok(st.n == 0 && st.first == SIZE_MAX && st.first_nonfinite == SIZE_MAX,
           "stats of a NULL column are empty");
        metrics_free(m2);
    }
}

static void test_finite_series(void)
{
    static const double v[] = {MISS, 0.9, NAN, 0.3, INFINITY, 0.2};
    struct metrics *m = series("val_loss", v, ARRAY_SIZE(v));
    double *xs, *ys;
    size_t n = metrics_finite_series(m, &m->cols[0], &xs, &ys);

    is_int((long)n, 3, "finite series: count");
    if (n == 3) {
        is_double(xs[0], 2, 0, "finite series: x0");
        is_double(ys[0], 0.9, 0, "finite series: y0");
        is_double(xs[2], 6, 0, "finite series: x2");
        is_double(ys[2], 0.2, 0, "finite series: y2");
    } else {
        ok(0, "finite series: x0");
        ok(0, "finite series: y0");
        ok(0, "finite series: x2");
        ok(0, "finite series: y2");
    }
    free(xs);
    free(ys);
    n = metrics_finite_series(m, NULL, &xs, &ys);
    ok(n == 0 && !xs && !ys, "finite series of NULL: empty");
    metrics_free(m);
}

static void test_best(void)
{
    struct best b;

    {
        /* The worked example: epochs 1..5, best epoch 3. */
        static const double v[] = {0.62, 0.51, 0.48, 0.49, 0.53};
        struct metrics *m = series("val_loss", v, ARRAY_SIZE(v));

        metrics_best(m, &m->cols[0], false, &b);
        ok(b.found, "seed: found");
        is_int((long)b.row, 2, "seed: best row");
        is_double(b.x, 3, 0, "seed: best epoch 3");
        is_double(b.value, 0.48, 0, "seed: best value 0.48");
        is_double(b.last_x, 5, 0, "seed: last epoch 5");
        is_double(b.last_value, 0.53, 0, "seed: last value 0.53");
        metrics_best(m, &m->cols[0], true, &b);
        is_double(b.x, 1, 0, "seed maximized: epoch 1");
        is_double(b.value, 0.62, 0, "seed maximized: 0.62");
        metrics_free(m);
    }
    {
        static const double v[] = {0.7, 0.5, 0.6, 0.5, 0.5};
        struct metrics *m = series("val_loss", v, ARRAY_SIZE(v));

        metrics_best(m, &m->cols[0], false, &b);
        is_double(b.x, 2, 0, "tie: earliest row wins (min)");
        metrics_free(m);
    }
    {
        static const double v[] = {0.7, 0.9, 0.8, 0.9};
        struct metrics *m = series("val_acc", v, ARRAY_SIZE(v));

        metrics_best(m, &m->cols[0], true, &b);
        is_double(b.x, 2, 0, "tie: earliest row wins (max)");
        is_double(b.value, 0.9, 0, "maximize: highest value");
        metrics_free(m);
    }
    {
        /* NaN, -inf and inf must never win, whichever way is best. */
        static const double v[] = {NAN, 0.5, -INFINITY, 0.4, INFINITY, NAN};
        struct metrics *m = series("val_loss", v, ARRAY_SIZE(v));

        metrics_best(m, &m->cols[0], false, &b);
        ok(b.found, "nan run: found");
        is_double(b.x, 4, 0, "nan and -inf never win (min)");
        is_double(b.value, 0.4, 0, "nan run: best value");
        is_double(b.last_x, 6, 0, "last x is the last present row");
        ok(isnan(b.last_value), "last value may be nan");
        metrics_best(m, &m->cols[0], true, &b);
        is_double(b.x, 2, 0, "inf never wins (max)");
        metrics_free(m);
    }
    {
        /* The last present value, not the last row. */
        static const double v[] = {0.5, 0.4, MISS, MISS};
        struct metrics *m = series("val_loss", v, ARRAY_SIZE(v));

        metrics_best(m, &m->cols[0], false, &b);
        is_double(b.last_x, 2, 0, "last x skips missing rows");
        is_double(b.last_value, 0.4, 0, "last value skips missing rows");
        metrics_free(m);
    }
    {
        static const double v[] = {NAN, MISS, NAN};
        struct metrics *m = series("val_loss", v, ARRAY_SIZE(v));

        metrics_best(m, &m->cols[0], false, &b);
        ok(!b.found, "all-nan: not found");
        ok(isnan(b.x) && isnan(b.value), "all-nan: no best x or value");
        is_double(b.last_x, 3, 0, "all-nan: last x still known");
        metrics_free(m);
    }
    {
        static const double v[] = {MISS, MISS};
        struct metrics *m = series("val_loss", v, ARRAY_SIZE(v));

        metrics_best(m, &m->cols[0], false, &b);
        ok(!b.found && isnan(b.last_x) && isnan(b.last_value),
           "all-missing: nothing found, no last value");
        metrics_best(m, NULL, false, &b);
        ok(!b.found, "NULL column: not found");
        metrics_free(m);
    }
}

/*
 * Lines are only stored once a row is not on the line after the last
 * one's; until then and after, every row reads back its own line. The
 * presence bits of rows on either side of a 64-row word are each their
 * own.
 */
static void test_lines_and_bits(void)
{
    struct metrics *m = metrics_new("x.csv", "step");
    size_t a = metrics_add_column(m, "train_loss"), i;
    bool lines_ok = true, bits_ok = true;

    for (i = 0; i < 200; i++)
        metrics_add_row(m, (double)i, i + 2);
    ok(m->line == NULL, "consecutive lines: no line array");
    /* A blank line before row 200. */
    for (i = 200; i < 300; i++)
        metrics_add_row(m, (double)i, i + 3);
    ok(m->line != NULL, "a skipped line: lines stored");
    for (i = 0; i < 300; i++)
        lines_ok &= metrics_line(m, i) == (i < 200 ? i + 2 : i + 3);
    ok(lines_ok, "every row's line read back");
    metrics_set_line(m, 10, 1);
    is_int((long)metrics_line(m, 10), 1, "a row's line set");
    for (i = 0; i < 300; i++)
        if (i % 3 == 0 || i == 63 || i == 64 || i == 127)
            metrics_set(m, i, a, (double)i);
    for (i = 0; i < 300; i++)
        bits_ok &= metrics_present(&m->cols[a], i) ==
                   (i % 3 == 0 || i == 63 || i == 64 || i == 127);
    ok(bits_ok, "presence bits: each row its own");
    metrics_free(m);

    m = metrics_new("y.csv", "step");
    metrics_add_row(m, 0, 7);
    metrics_add_row(m, 1, 8);
    metrics_set_line(m, 1, 8);
    ok(m->line == NULL && metrics_line(m, 1) == 8,
       "setting a row's own line stores nothing");
    metrics_free(m);
}

static bool same_bits(double a, double b)
{
    return !memcmp(&a, &b, sizeof(a));
}

/* Whether column col of m reads back vals[0..n) bit for bit. */
static bool reads_back(const struct metrics *m, size_t col, const double *vals,
                       size_t n)
{
    struct numreader rd;
    double buf[NUMVIEW_BLOCK];

    metrics_reader(&rd, m, &m->cols[col]);
    for (size_t i = 0; i < n; i++)
        if (!same_bits(metrics_v(&m->cols[col], i), vals[i]) ||
            !same_bits(numreader_at(&rd, i), vals[i]))
            return false;
    for (size_t b = 0; b < n; b += NUMVIEW_BLOCK) {
        size_t k = n - b < NUMVIEW_BLOCK ? n - b : NUMVIEW_BLOCK;
        const double *d =
            numview_block(numvec_view(&m->cols[col].v), b, k, buf);

        for (size_t i = 0; i < k; i++)
            if (!same_bits(d[i], vals[b + i]))
                return false;
    }
    return true;
}

/* Whether metrics_next_nonfinite() lists the rows a decoding pass finds. */
static bool nonfinite_rows_agree(const struct metrics *m, size_t col)
{
    const struct column *c = &m->cols[col];
    size_t r = metrics_next_nonfinite(m, c, 0);

    for (size_t i = 0; i < m->nrows; i++) {
        if (!metrics_present(c, i) || isfinite(metrics_v(c, i)))
            continue;
        if (r != i)
            return false;
        r = metrics_next_nonfinite(m, c, i + 1);
    }
    return r == SIZE_MAX;
}

/*
 * The store keeps short decimals in 4 bytes and gives back the very
 * doubles it was given: NaN, the infinities and -0.0 included, through a
 * change of scale and a change to plain doubles.
 */
static void test_compact(void)
{
    enum { N = 5003 };
    double *vals = xcalloc(N, sizeof(*vals));
    struct metrics *m = metrics_new("mem.csv", "step"), *t;
    size_t a = metrics_add_column(m, "a"), b = metrics_add_column(m, "b");
    const double odd[] = {NAN, INFINITY, -INFINITY, -0.0, 0.0, 7, -7};
    uint64_t seed = 42;

    for (size_t i = 0; i < N; i++) {
        size_t row = metrics_add_row(m, (double)i * 10, i + 2);

        seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
        /* Values of more decimals as the column goes on: scale 0 to 6. */
        vals[i] =
            (double)(int32_t)(seed >> 44) / pow(10, (double)(3 + i * 4 / N));
        if (i % 97 == 0)
            vals[i] = odd[i / 97 % 7];
        metrics_set(m, row, a, vals[i]);
        metrics_set(m, row, b, vals[i]);
    }
    ok(!m->cols[a].v.d && !m->x.d && m->cols[a].v.scale >= 3,
       "compact: short decimals are stored as decimals");
    ok(reads_back(m, a, vals, N), "compact: every value read back bit for bit");
    metrics_set(m, 17, b, 0.1f);
    vals[17] = 0.1f;
    ok(m->cols[b].v.d != NULL && reads_back(m, b, vals, N),
       "compact: a float32's value makes the column doubles, all kept");
    vals[17] = metrics_v(&m->cols[a], 17);
    ok(nonfinite_rows_agree(m, a) && nonfinite_rows_agree(m, b),
       "compact: non-finite rows found without decoding, as decoded");

    /* Appending a part of another scale keeps every value. */
    t = metrics_new("mem.csv", "step");
    metrics_add_column(t, "a");
    metrics_add_column(t, "b");
    for (size_t i = 0; i < 3; i++) {
        size_t row = metrics_add_row(t, (double)(N + i) * 10, N + i + 2);

        metrics_set(t, row, 0, 123456.5 + (double)i);
        metrics_set(t, row, 1, 0.5);
    }
    metrics_append(m, t, 0);
    vals = xreallocarray(vals, N + 3, sizeof(*vals));
    for (size_t i = 0; i < 3; i++)
        vals[N + i] = 123456.5 + (double)i;
    ok(m->nrows == N + 3 && reads_back(m, a, vals, N + 3) &&
           metrics_x(m, N + 2) == (N + 2) * 10.0,
       "compact: appended rows of another scale read back");
    ok(m->x.steps && !m->x.q,
       "compact: x counted in steps of 10 takes no room");
    metrics_put_x(m, 5, 55);
    metrics_add_row(m, 0.5, N + 5);
    {
        bool same =
            !m->x.steps && metrics_x(m, 5) == 55 && metrics_x(m, N + 3) == 0.5;

        for (size_t i = 0; i < N + 3; i++)
            same = same && (i == 5 || metrics_x(m, i) == (double)i * 10);
        ok(same, "compact: x off its steps keeps every value");
    }
    metrics_free(m);

    /* A decimal set as q and scale is the double of its text. */
    m = metrics_new("mem.csv", "step");
    a = metrics_add_column(m, "a");
    for (size_t i = 0; i < N; i++) {
        size_t row = metrics_add_row(m, (double)i, i + 2);
        int32_t q = (int32_t)(i * 7919 % 1000000000) * (i % 2 ? -1 : 1);
        int scale = (int)(i % 10);
        char text[40];

        snprintf(text, sizeof(text), "%s%d.%0*d", q < 0 ? "-" : "",
                 abs(q) / (int)pow(10, scale), scale,
                 abs(q) % (int)pow(10, scale));
        if (!scale)
            snprintf(text, sizeof(text), "%d", q);
        metrics_set_decimal(m, row, a, q, scale);
        vals[i] = strtod(text, NULL);
    }
    ok(reads_back(m, a, vals, N), "compact: a decimal is its text's double");
    {
        static const double v[] = {MISS, 1, NAN, MISS, INFINITY, 2, MISS};
        struct metrics *sm = series("s", v, ARRAY_SIZE(v));

        ok(nonfinite_rows_agree(sm, 0) &&
               metrics_next_nonfinite(sm, &sm->cols[0], 0) == 2 &&
               metrics_next_nonfinite(sm, &sm->cols[0], 3) == 4,
           "compact: missing cells are not non-finite values");
        metrics_free(sm);
    }
    metrics_free(m);
    free(vals);
}

int main(void)
{
    plan(97);
    test_roles();
    test_store();
    test_lines_and_bits();
    test_nonfinite_line();
    test_stats();
    test_finite_series();
    test_best();
    test_compact();
    return done();
}
