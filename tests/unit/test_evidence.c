/*
 * test_evidence.c - every number every finding quotes, checked against
 * the log it came from. For each run of sample_runs/ and
 * tests/labelled/runs, read as reportgen reads it and diagnosed under the
 * rule val_loss:min (or the run's own num_classes), each number of each
 * finding (struct diag_num) must be in the series: a point is the value
 * logged at its x, a median or mean is that of the finite values logged
 * over its span, a smoothed value is the running median of its window
 * around its x, and a ratio or difference is that of its two parts.
 */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diagnose.h"
#include "formats.h"
#include "metrics.h"
#include "runs.h"
#include "util.h"
#include "tap.h"

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y;
}

static double median_of(double *v, size_t n)
{
    if (!n)
        return NAN;
    qsort(v, n, sizeof(*v), cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static bool same(double a, double b)
{
    if (isnan(a) || isnan(b))
        return isnan(a) && isnan(b);
    if (isinf(a) || isinf(b))
        return a == b;
    return fabs(a - b) <= 1e-9 * fmax(1, fmax(fabs(a), fabs(b)));
}

/* Is number e of f true of m? On failure, say why in *why. */
static bool check(const struct metrics *m, const struct finding *f,
                  const struct diag_num *e, const char **why)
{
    const struct column *c = NULL;
    double *xs = NULL, *ys = NULL, *tmp, got = NAN;
    size_t n = 0, k = 0;
    bool good = false;

    if (e->kind == DIAG_NUM_RATIO || e->kind == DIAG_NUM_DIFF) {
        if (e->a >= f->nnums || e->b >= f->nnums) {
            *why = "parts out of range";
            return false;
        }
        got = e->kind == DIAG_NUM_RATIO
                  ? f->nums[e->a].value / f->nums[e->b].value
                  : f->nums[e->a].value - f->nums[e->b].value;
        *why = "not the ratio or difference of its parts";
        return same(got, e->value);
    }
    c = metrics_find(m, e->metric);
    if (!c) {
        *why = "no such column";
        return false;
    }
    if (e->kind == DIAG_NUM_POINT) {
        for (size_t r = 0; r < m->nrows; r++)
            if (m->x[r] == e->x && c->present[r] && same(c->v[r], e->value))
                good = true;
        *why = "no such point in the log";
        return good;
    }
    n = metrics_finite_series(m, c, &xs, &ys);
    tmp = xmalloc((n ? n : 1) * sizeof(*tmp));
    if (e->kind == DIAG_NUM_SMOOTHED) {
        size_t i = 0, lo, hi;

        while (i < n && xs[i] != e->x)
            i++;
        if (i < n) {
            lo = i >= e->window / 2 ? i - e->window / 2 : 0;
            hi = i + e->window / 2 + 1 < n ? i + e->window / 2 + 1 : n;
            memcpy(tmp, ys + lo, (hi - lo) * sizeof(*tmp));
            got = median_of(tmp, hi - lo);
        }
        *why = "not the running median of its window";
    } else {
        double sum = 0;

        for (size_t i = 0; i < n; i++)
            if (xs[i] >= e->x0 && xs[i] <= e->x1) {
                tmp[k++] = ys[i];
                sum += ys[i];
            }
        got = e->kind == DIAG_NUM_MEAN ? (k ? sum / (double)k : NAN)
                                       : median_of(tmp, k);
        *why = "not the median or mean of its span";
    }
    good = same(got, e->value);
    free(tmp);
    free(xs);
    free(ys);
    return good;
}

/* Read, diagnose and check every run under root; returns numbers seen. */
static size_t check_root(const char *root, size_t *bad)
{
    struct run_set set;
    size_t seen = 0;

    run_set_init(&set);
    if (runs_find(&set, root)) {
        run_set_release(&set);
        return 0;
    }
    for (size_t i = 0; i < set.n; i++) {
        struct run *r = &set.runs[i];
        struct candidate cand;
        struct metrics *m;
        struct rule rule = {(char *)"val_loss", false};
        struct diag_options opt;
        struct diagnosis d;
        struct best best;
        const struct column *col;
        const char *nc;
        char *why = NULL;

        if (r->status == RUN_SKIPPED || !r->format)
            continue;
        memset(&cand, 0, sizeof(cand));
        cand.format = r->format;
        cand.name = r->name;
        cand.dir = r->dir;
        cand.path = r->metrics_path;
        cand.extra = r->extra;
        cand.key = r->key;
        if (r->format->config
                ? r->format->config(&cand, &r->read.config, &why)
                : config_load_dir(&r->read.config, r->dir, &why)) {
            free(why);
            why = NULL;
        }
        m = r->format->read(&cand, &why);
        free(why);
        if (!m)
            continue;
        memset(&best, 0, sizeof(best));
        col = metrics_find(m, rule.metric);
        if (col)
            metrics_best(m, col, false, &best);
        diag_options_init(&opt);
        nc = config_get(&r->read.config, "num_classes");
        if (nc && atoi(nc) >= 2)
            opt.num_classes = (unsigned)atoi(nc);
        diagnosis_init(&d);
        diag_run(m, &rule, &best, &opt, &d);
        for (size_t k = 0; k < d.n; k++) {
            for (size_t q = 0; q < d.f[k].nnums; q++) {
                const char *msg = "";

                seen++;
                if (!check(m, &d.f[k], &d.f[k].nums[q], &msg)) {
                    (*bad)++;
                    printf("# %s/%s %s, number %zu (%s of '%s' = %.9g): "
                           "%s\n",
                           root, r->name, diag_code_name(d.f[k].code), q,
                           diag_num_kind_name(d.f[k].nums[q].kind),
                           d.f[k].nums[q].metric, d.f[k].nums[q].value, msg);
                }
            }
        }
        diagnosis_release(&d);
        metrics_free(m);
    }
    run_set_release(&set);
    return seen;
}

/* The checker itself catches a wrong point, median and ratio. */
static void test_checker(void)
{
    struct metrics *m = metrics_new("t.csv", "epoch");
    size_t c = metrics_add_column(m, "val_loss");
    struct diag_num nums[3];
    struct finding f;
    const char *why;

    for (size_t r = 0; r < 5; r++) {
        metrics_add_row(m, (double)(r + 1), r + 2);
        metrics_set(m, r, c, 1.0 / (double)(r + 1));
    }
    memset(nums, 0, sizeof(nums));
    memset(&f, 0, sizeof(f));
    f.nums = nums;
    f.nnums = 3;
    nums[0] = (struct diag_num){.metric = (char *)"val_loss",
                                .kind = DIAG_NUM_POINT,
                                .x = 2,
                                .value = 0.5};
    nums[1] = (struct diag_num){.metric = (char *)"val_loss",
                                .kind = DIAG_NUM_MEDIAN,
                                .x0 = 1,
                                .x1 = 3,
                                .value = 0.5};
    nums[2] =
        (struct diag_num){.kind = DIAG_NUM_RATIO, .a = 0, .b = 1, .value = 1};
    ok(check(m, &f, &nums[0], &why) && check(m, &f, &nums[1], &why) &&
           check(m, &f, &nums[2], &why),
       "checker: a true point, median and ratio pass");
    nums[0].value = 0.4;
    nums[1].x1 = 4;
    ok(!check(m, &f, &nums[0], &why) && !check(m, &f, &nums[1], &why) &&
           !check(m, &f, &nums[2], &why),
       "checker: a wrong point, median and ratio fail");
    metrics_free(m);
}

int main(void)
{
    const char *srcdir = getenv("srcdir");
    static const char *const roots[] = {"sample_runs", "tests/labelled/runs"};

    if (!srcdir || !*srcdir)
        srcdir = ".";
    plan(6);
    test_checker();
    for (size_t i = 0; i < 2; i++) {
        char *root = xasprintf("%s/%s", srcdir, roots[i]);
        size_t bad = 0, seen = check_root(root, &bad);
        char *name = xasprintf("%s: the evidence quotes numbers", roots[i]);

        ok(seen > 0, name);
        free(name);
        name = xasprintf("%s: every number of every finding is in the log "
                         "(%zu numbers)",
                         roots[i], seen);
        ok(bad == 0, name);
        free(name);
        free(root);
    }
    return done();
}
