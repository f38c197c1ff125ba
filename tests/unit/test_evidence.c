/*
 * test_evidence.c - every number every finding quotes, checked against
 * the log it came from. For each run of sample_runs/ and
 * tests/labelled/runs, read as reportgen reads it and diagnosed under the
 * rule val_loss:min (or the run's own num_classes), each number of each
 * finding (struct diag_num) must be in the series: a point is the value
 * logged at its x, a median or mean is that of the finite values logged
 * over its span, a smoothed value is the running median of its window
 * around its x, a ratio, difference, change, rate or log is that of its
 * parts, a share or total variation is that of the pred_count_* columns,
 * an x, line or count is where or how often the column logged, and a
 * threshold is its default. And every number each evidence sentence
 * shows must be one of its finding's recorded numbers (its value, as is
 * or as a percentage, or its x, span or window) to the digits shown: a
 * number the text quotes but the finding did not record fails.
 */
#include <ctype.h>
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

/* The running median of window points of ys around i (tmp: scratch). */
static double running_median(const double *ys, size_t n, size_t window,
                             size_t i, double *tmp)
{
    size_t lo = i >= window / 2 ? i - window / 2 : 0;
    size_t hi = i + window / 2 + 1 < n ? i + window / 2 + 1 : n;

    memcpy(tmp, ys + lo, (hi - lo) * sizeof(*tmp));
    return median_of(tmp, hi - lo);
}

/* The pred_count_* shares at x into p (k of them); false if none. */
static bool shares_at(const struct metrics *m, double x, const char *metric,
                      double *p, size_t *k, double *mine)
{
    double total = 0, own = NAN;
    size_t row = SIZE_MAX;

    *k = 0;
    for (size_t r = 0; r < m->nrows; r++)
        if (metrics_x(m, r) == x)
            row = r;
    if (row == SIZE_MAX)
        return false;
    for (size_t i = 0; i < m->ncols; i++) {
        const struct column *c = &m->cols[i];
        double v;

        if (strncmp(c->name, "pred_count_", strlen("pred_count_")))
            continue;
        v = metrics_present(c, row) ? metrics_v(c, row) : 0;
        p[(*k)++] = v;
        total += v;
        if (metric && !strcmp(c->name, metric))
            own = v;
    }
    for (size_t i = 0; i < *k; i++)
        p[i] /= total;
    *mine = own / total;
    return total > 0;
}

/* A SHARE or TV number against the pred_count_* columns. */
static bool check_shares(const struct metrics *m, const struct diag_num *e)
{
    double p[256], q[256], mine, tv = 0;
    size_t k, k2;

    if (m->ncols > 256)
        return false;
    if (e->kind == DIAG_NUM_SHARE)
        return shares_at(m, e->x, e->metric, p, &k, &mine) &&
               same(mine, e->value);
    if (!shares_at(m, e->x0, NULL, p, &k, &mine) ||
        !shares_at(m, e->x1, NULL, q, &k2, &mine) || k != k2)
        return false;
    for (size_t i = 0; i < k; i++)
        tv += fabs(p[i] - q[i]);
    return same(tv / 2, e->value);
}

/* Is number e of f true of m? On failure, say why in *why. */
static bool check(const struct metrics *m, const struct finding *f,
                  const struct diag_num *e, const char **why)
{
    const struct column *c = NULL;
    double *xs = NULL, *ys = NULL, *tmp, got = NAN;
    size_t n = 0, k = 0;
    bool good = false;

    if (diag_num_has_parts(e->kind)) {
        double a, b;

        if (e->a >= f->nnums || e->b >= f->nnums) {
            *why = "parts out of range";
            return false;
        }
        a = f->nums[e->a].value;
        b = f->nums[e->b].value;
        got = e->kind == DIAG_NUM_RATIO    ? a / b
              : e->kind == DIAG_NUM_DIFF   ? a - b
              : e->kind == DIAG_NUM_CHANGE ? a / b - 1
              : e->kind == DIAG_NUM_LOG    ? log(a)
                                        : 1 - pow(b / a, 1 / (double)e->window);
        *why = "not what its parts give";
        return same(got, e->value);
    }
    if (e->kind == DIAG_NUM_THRESHOLD) {
        for (size_t i = 0; diag_threshold_name(i); i++)
            if (!strcmp(diag_threshold_name(i), e->metric))
                good = same(diag_threshold_default(i), e->value);
        *why = "not the value of that threshold";
        return good;
    }
    if (e->kind == DIAG_NUM_TALLY) /* the rule's own count: recorded */
        return true;
    if (e->kind == DIAG_NUM_SHARE || e->kind == DIAG_NUM_TV) {
        *why = "not that share of the predictions";
        return check_shares(m, e);
    }
    c = metrics_find(m, e->metric);
    if (!c) {
        *why = "no such column";
        return false;
    }
    if (e->kind == DIAG_NUM_POINT || e->kind == DIAG_NUM_X ||
        e->kind == DIAG_NUM_LINE) {
        for (size_t r = 0; r < m->nrows; r++)
            if (metrics_present(c, r) &&
                (e->kind == DIAG_NUM_X
                     ? metrics_x(m, r) == e->value
                     : metrics_x(m, r) == e->x &&
                           (e->kind == DIAG_NUM_POINT
                                ? same(metrics_v(c, r), e->value)
                                : same((double)metrics_line(m, r), e->value))))
                good = true;
        *why = "no such point in the log";
        return good;
    }
    if (e->kind == DIAG_NUM_COUNT) {
        for (size_t r = 0; r < m->nrows; r++)
            if (metrics_present(c, r) && isfinite(metrics_v(c, r)) &&
                (isnan(e->x0) ||
                 (metrics_x(m, r) >= e->x0 && metrics_x(m, r) <= e->x1)))
                k++;
        *why = "not the number of values logged";
        return same((double)k, e->value);
    }
    n = metrics_finite_series(m, c, &xs, &ys);
    tmp = xmalloc((n ? n : 1) * sizeof(*tmp));
    if (e->buckets && n > DIAG_CURVE_MAX) {
        /* The curve as diagnose.c reads it: one median per bucket. */
        for (size_t b = 0; b < e->buckets; b++) {
            size_t lo = n * b / e->buckets, hi = n * (b + 1) / e->buckets;

            memcpy(tmp, ys + lo, (hi - lo) * sizeof(*tmp));
            xs[b] = xs[lo + (hi - lo) / 2];
            ys[b] = median_of(tmp, hi - lo);
        }
        n = e->buckets;
    }
    if (e->kind == DIAG_NUM_SMOOTHED) {
        size_t i = 0;

        while (i < n && xs[i] != e->x)
            i++;
        if (i < n)
            got = running_median(ys, n, e->window, i, tmp);
        *why = "not the running median of its window";
    } else if (e->kind == DIAG_NUM_INTERP) {
        for (size_t i = 0; i + 1 < n && isnan(got); i++)
            if (xs[i] <= e->x && e->x <= xs[i + 1])
                got = xs[i + 1] > xs[i]
                          ? ys[i] + (ys[i + 1] - ys[i]) * (e->x - xs[i]) /
                                        (xs[i + 1] - xs[i])
                          : ys[i + 1];
        *why = "not the curve interpolated there";
    } else if (e->kind == DIAG_NUM_LOG_STEP || e->kind == DIAG_NUM_LEVEL) {
        double *w = xmalloc((n ? n : 1) * sizeof(*w));
        size_t prev = SIZE_MAX;

        for (size_t i = 0; i < n; i++) {
            if (xs[i] < e->x0 || xs[i] > e->x1)
                continue;
            if (e->kind == DIAG_NUM_LEVEL)
                tmp[k++] = fabs(running_median(ys, n, e->window, i, w));
            else if (prev != SIZE_MAX)
                tmp[k++] = fabs(log(ys[i]) - log(ys[prev]));
            prev = i;
        }
        got = median_of(tmp, k);
        free(w);
        *why = "not the median step or level of its span";
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

/* Does the token shown as tv (to the unit of its last digit) show v? */
static bool shows(double tv, double unit, double v)
{
    double tol = 0.5 * unit + 1e-9 * fmax(1, tv);

    v = fabs(v);
    return fabs(tv - v) <= tol || fabs(tv - 100 * v) <= tol;
}

/* Blank every occurrence of word in s (a column name, the x column). */
static void blank(char *s, const char *word)
{
    size_t len = strlen(word);

    if (!len)
        return;
    for (char *p = strstr(s, word); p; p = strstr(p + len, word))
        memset(p, ' ', len);
}

static int longer_first(const void *a, const void *b)
{
    size_t la = strlen(*(char *const *)a), lb = strlen(*(char *const *)b);

    return la < lb ? 1 : la > lb ? -1 : 0;
}

/*
 * Every number the text of finding f shows must be one it recorded: the
 * value (or, as a percentage, 100 times it) of one of f->nums, or the x,
 * span or window of one, to the precision the text shows. Names (of the
 * columns of m, of its x column, anything in quotes) are not numbers.
 * Returns the first number that is not, as a new string, or NULL.
 */
static char *unrecorded(const struct metrics *m, const struct finding *f)
{
    char *s = xstrdup(f->evidence), *bad = NULL, **names;
    size_t nn = 0;

    names = xmalloc((m->ncols + 1) * sizeof(*names));
    for (size_t i = 0; i < m->ncols; i++)
        names[nn++] = m->cols[i].name;
    names[nn++] = (char *)m->xname;
    qsort(names, nn, sizeof(*names), longer_first);
    for (size_t i = 0; i < nn; i++)
        blank(s, names[i]);
    free(names);
    for (char *p = strchr(s, '\''), *q; p && (q = strchr(p + 1, '\''));
         p = strchr(q + 1, '\''))
        memset(p, ' ', (size_t)(q - p + 1));
    for (char *p = s; *p && !bad;) {
        char *start = p, *end;
        int decimals = 0, ex = 0;
        double tv;
        bool found = false;

        if (!isdigit((unsigned char)*p)) {
            p++;
            continue;
        }
        while (isdigit((unsigned char)*p))
            p++;
        if (*p == '.' && isdigit((unsigned char)p[1]))
            for (p++; isdigit((unsigned char)*p); p++)
                decimals++;
        if ((*p == 'e' || *p == 'E') &&
            (isdigit((unsigned char)p[1]) ||
             ((p[1] == '-' || p[1] == '+') && isdigit((unsigned char)p[2])))) {
            ex = (int)strtol(p + 1, &end, 10);
            p = end;
        }
        tv = strtod(start, NULL);
        for (size_t i = 0; i < f->nnums && !found; i++) {
            const struct diag_num *e = &f->nums[i];
            double unit = pow(10, ex - decimals);

            found = shows(tv, unit, e->value) ||
                    (!isnan(e->x) && shows(tv, unit, e->x)) ||
                    (!isnan(e->x0) && shows(tv, unit, e->x0)) ||
                    (!isnan(e->x1) && shows(tv, unit, e->x1)) ||
                    (e->window && shows(tv, unit, (double)e->window));
        }
        if (!found)
            bad = xstrndup(start, (size_t)(p - start));
    }
    free(s);
    return bad;
}

/* Read, diagnose and check every run under root; returns numbers seen. */
static size_t check_root(const char *root, size_t *bad, size_t *texts,
                         size_t *bad_text)
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
        run_candidate(r, &cand);
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
            char *token = unrecorded(m, &d.f[k]);

            (*texts)++;
            if (token) {
                (*bad_text)++;
                printf("# %s/%s %s: '%s' is not a recorded number: %s\n", root,
                       r->name, diag_code_name(d.f[k].code), token,
                       d.f[k].evidence);
                free(token);
            }
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

/*
 * The sentence checker catches a number the finding did not record, and
 * takes the names of columns and quoted text for names.
 */
static void test_text_checker(void)
{
    struct metrics *m = metrics_new("t.csv", "epoch");
    size_t c = metrics_add_column(m, "val_loss");
    size_t c2 = metrics_add_column(m, "top5_acc");
    struct diag_num nums[2];
    struct finding f;
    char *bad;

    for (size_t r = 0; r < 5; r++) {
        metrics_add_row(m, (double)(r + 1), r + 2);
        metrics_set(m, r, c, 1.0 / (double)(r + 1));
        metrics_set(m, r, c2, 0.5);
    }
    memset(&f, 0, sizeof(f));
    nums[0] = (struct diag_num){.metric = (char *)"val_loss",
                                .kind = DIAG_NUM_POINT,
                                .x = 2,
                                .x0 = NAN,
                                .x1 = NAN,
                                .value = 0.5};
    nums[1] = (struct diag_num){.kind = DIAG_NUM_CHANGE,
                                .a = 0,
                                .b = 0,
                                .x = NAN,
                                .x0 = NAN,
                                .x1 = NAN,
                                .value = -0.125};
    f.nums = nums;
    f.nnums = 2;
    f.evidence = (char *)"val_loss was 0.5 at epoch 2 (12.5% lower), and "
                         "top5_acc of class '7' stayed";
    bad = unrecorded(m, &f);
    ok(!bad, "text checker: recorded values, x, percentages and names pass");
    free(bad);
    f.evidence = (char *)"val_loss was 0.5 at epoch 2, then 0.25 at epoch 4";
    bad = unrecorded(m, &f);
    is_str(bad, "0.25", "text checker: an unrecorded number fails");
    free(bad);
    f.evidence = (char *)"val_loss was 0.52 at epoch 2";
    bad = unrecorded(m, &f);
    is_str(bad, "0.52", "text checker: a number shown wrong fails");
    free(bad);
    metrics_free(m);
}

int main(void)
{
    const char *srcdir = getenv("srcdir");
    const char *roots[] = {"sample_runs", "tests/labelled/runs"};

    if (!srcdir || !*srcdir)
        srcdir = ".";
    /* EVIDENCE_ROOT=DIR checks the runs under DIR instead (twice). */
    if (getenv("EVIDENCE_ROOT") && *getenv("EVIDENCE_ROOT")) {
        srcdir = "";
        roots[0] = roots[1] = getenv("EVIDENCE_ROOT");
    }
    plan(11);
    test_checker();
    test_text_checker();
    for (size_t i = 0; i < 2; i++) {
        char *root =
            *srcdir ? xasprintf("%s/%s", srcdir, roots[i]) : xstrdup(roots[i]);
        size_t bad = 0, texts = 0, bad_text = 0;
        size_t seen = check_root(root, &bad, &texts, &bad_text);
        char *name = xasprintf("%s: the evidence quotes numbers", roots[i]);

        ok(seen > 0, name);
        free(name);
        name = xasprintf("%s: every number of every finding is in the log "
                         "(%zu numbers)",
                         roots[i], seen);
        ok(bad == 0, name);
        free(name);
        name = xasprintf("%s: every number every evidence sentence shows is "
                         "one it recorded (%zu sentences)",
                         roots[i], texts);
        ok(texts > 0 && bad_text == 0, name);
        free(name);
        free(root);
    }
    return done();
}
