/*
 * diagnose.c - from a run's curves to findings and one decision.
 *
 * Sits after the reader (struct metrics) and before the renderers. It reads
 * the evidence in the troubleshooting order of the method reportgen
 * follows: curves first, then predictions, then gradients, then the data
 * (a held-out score too good to be true). Each rule below is a small
 * function that either adds one finding, with the numbers and epochs that
 * fired it, or adds nothing. Evidence that corroborates a finding of
 * another rule (a gradient spike under "unstable", an update ratio far
 * below 1e-3 under "underfitting") is attached to that finding. The main
 * finding is the one of highest rank (enum diag_code is ordered by rank),
 * and the decision, the first check, the one next change and the success
 * rule all follow from it. What could not be checked, because the log
 * lacks the column, goes to the note.
 *
 * The rules are scale-free where the seed examples were not: a "large"
 * jump is measured against the curve's own level and range, a "high" loss
 * against where it started or against the chance-level loss ln(classes),
 * a "sudden" step against the curve's own median step, in log space so
 * that a loss near 5 is judged like a loss near 0.05. Logs longer than
 * smooth_above points (step-level logs, noisy batch by batch) are judged
 * on a running median, and "where a curve ended" is the mean of its last
 * tenth, so that one bad batch is never a trend. Every threshold lives in
 * struct diag_thresholds; diag_thresholds_init() gives each default with
 * the reason it was chosen.
 */
#include "diagnose.h"

#include <assert.h>
#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "heldout.h"
#include "smooth.h"
#include "strbuf.h"
#include "util.h"
#include "banned.h"

/*
 * The rows of DIAG_THRESHOLDS (diagnose.h) as data: where each lives in
 * struct diag_thresholds, its kind, range and default. Why each default
 * was chosen is said in the comment of the rule that owns it.
 */
enum tkind { TK_NUMBER, TK_ABOVE, TK_COUNT };

static const struct tdef {
    const char *name;
    size_t off;
    enum tkind kind;
    double def;
    double lo, hi; /* inclusive, except lo for TK_ABOVE */
    const char *owner;
    const char *doc;
} tdefs[] = {
/* clang-format off */
#define TDEF(kind, name, def, lo, hi, owner, doc)                              \
    {#name, offsetof(struct diag_thresholds, name), TK_##kind, def, lo, hi,    \
     #owner, doc},
    /* clang-format on */
    DIAG_THRESHOLDS(TDEF)
#undef TDEF
};

static void tdef_store(struct diag_thresholds *t, const struct tdef *def,
                       double v)
{
    if (def->kind == TK_COUNT)
        *(size_t *)(void *)((char *)t + def->off) = (size_t)v;
    else
        *(double *)(void *)((char *)t + def->off) = v;
}

void diag_thresholds_init(struct diag_thresholds *t)
{
    memset(t, 0, sizeof(*t));
    for (size_t i = 0; i < ARRAY_SIZE(tdefs); i++)
        tdef_store(t, &tdefs[i], tdefs[i].def);
}

void diag_options_init(struct diag_options *opt)
{
    diag_thresholds_init(&opt->t);
    opt->num_classes = 0;
    opt->select_best = NULL;
}

const char *diag_threshold_name(size_t i)
{
    return i < ARRAY_SIZE(tdefs) ? tdefs[i].name : NULL;
}

const char *diag_threshold_owner(size_t i)
{
    return i < ARRAY_SIZE(tdefs) ? tdefs[i].owner : NULL;
}

const char *diag_threshold_doc(size_t i)
{
    return i < ARRAY_SIZE(tdefs) ? tdefs[i].doc : NULL;
}

double diag_threshold_default(size_t i)
{
    return i < ARRAY_SIZE(tdefs) ? tdefs[i].def : NAN;
}

/* The value of the threshold called name in t; NAN if there is none. */
static double threshold_value(const struct diag_thresholds *t, const char *name)
{
    for (size_t i = 0; i < ARRAY_SIZE(tdefs); i++) {
        const char *p = (const char *)t + tdefs[i].off;

        if (strcmp(tdefs[i].name, name))
            continue;
        if (tdefs[i].kind == TK_COUNT)
            return (double)*(const size_t *)(const void *)p;
        return *(const double *)(const void *)p;
    }
    return NAN;
}

int diag_threshold_set(struct diag_thresholds *t, const char *name,
                       const char *value, char **why)
{
    const struct tdef *def = NULL;
    char lo[FMT_NUM_SIZE], hi[FMT_NUM_SIZE];
    char *end;
    double v;

    for (size_t i = 0; i < ARRAY_SIZE(tdefs) && !def; i++)
        if (!strcmp(tdefs[i].name, name))
            def = &tdefs[i];
    if (!def) {
        *why = xasprintf("unknown diagnosis threshold '%s'", name);
        return -1;
    }
    v = strtod(value, &end);
    while (*end == ' ' || *end == '\t')
        end++;
    if (end != value && !*end && isfinite(v) &&
        (def->kind == TK_ABOVE ? v > def->lo : v >= def->lo) && v <= def->hi &&
        (def->kind != TK_COUNT || v == floor(v))) {
        tdef_store(t, def, v);
        return 0;
    }
    fmt_num(lo, sizeof(lo), def->lo);
    fmt_num(hi, sizeof(hi), def->hi);
    if (def->kind == TK_COUNT)
        *why = xasprintf("threshold '%s' must be a whole number of at "
                         "least %s, not '%s'",
                         name, lo, value);
    else if (isinf(def->hi))
        *why = xasprintf("threshold '%s' must be a number %s %s, not '%s'",
                         name, def->kind == TK_ABOVE ? "above" : "of at least",
                         lo, value);
    else
        *why = xasprintf("threshold '%s' must be a number from %s to %s, "
                         "not '%s'",
                         name, lo, hi, value);
    return -1;
}

/* The rows of DIAG_CODES: the stable name and the decision of each code. */
static const struct code_def {
    const char *name;
    const char *borderline; /* the name of a borderline finding */
    enum decision decision;
} code_defs[DIAG__COUNT] = {
#define CODE_DEF(code, name, decision)                                         \
    [DIAG_##code] = {#name, #name " (borderline)", DECISION_##decision},
    DIAG_CODES(CODE_DEF)
#undef CODE_DEF
};

const char *diag_code_name(enum diag_code code)
{
    return code < DIAG__COUNT ? code_defs[code].name : "unknown";
}

const char *diag_finding_name(const struct finding *f)
{
    if (f->code >= DIAG__COUNT)
        return "unknown";
    return f->borderline ? code_defs[f->code].borderline
                         : code_defs[f->code].name;
}

const char *decision_name(enum decision d)
{
    switch (d) {
    case DECISION_KEEP:
        return "keep";
    case DECISION_TUNE:
        return "tune";
    case DECISION_ROLLBACK:
        return "rollback";
    case DECISION_INVESTIGATE:
        return "investigate";
    }
    return "unknown";
}

void diagnosis_init(struct diagnosis *d)
{
    memset(d, 0, sizeof(*d));
}

static void nums_free(struct diag_num *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i].metric);
    free(v);
}

void diagnosis_release(struct diagnosis *d)
{
    for (size_t i = 0; i < d->n; i++) {
        free(d->f[i].evidence);
        nums_free(d->f[i].nums, d->f[i].nnums);
    }
    free(d->f);
    free(d->symptom);
    free(d->first_check);
    free(d->action);
    free(d->success);
    free(d->note);
    diagnosis_init(d);
}

/* A curve as the rules see it: finite points, and whether lower is better. */
struct curve {
    const char *name;
    const char *xname;
    double *x, *y;
    double *lo, *hi; /* reduced curves: the x span of each bucket; NULL
                        when each point is a logged value */
    size_t n;
    bool maximize;
    double *smooth; /* y smoothed (see smoothed()), or NULL */
    size_t smooth_win;
};

/*
 * Curves longer than CURVE_MAX points are judged on CURVE_BUCKETS bucket
 * medians (x: the bucket's middle point). A million-step log has no more
 * shape than a thousand points can show, the median keeps a one-batch
 * spike from moving a bucket, and every rule after this stays linear in
 * a bounded number of points however long the log is.
 */
enum { CURVE_MAX = DIAG_CURVE_MAX, CURVE_BUCKETS = DIAG_CURVE_BUCKETS };

/* Is row r of col a finite logged value? */
static bool finite_at(const struct column *col, size_t r)
{
    return metrics_present(col, r) && isfinite(metrics_v(col, r));
}

/*
 * Load the curve of the n finite values of col as CURVE_BUCKETS bucket
 * medians, straight from the column: bucket b holds the finite values
 * numbered n b / CURVE_BUCKETS up to n (b + 1) / CURVE_BUCKETS, and only
 * one bucket's values are ever copied.
 */
static void reduce(struct curve *c, const struct metrics *m,
                   const struct column *col, size_t n)
{
    double *bucket = xmalloc((n / CURVE_BUCKETS + 1) * sizeof(*bucket));
    size_t k = 0, b = 0, lo = 0, hi = n / CURVE_BUCKETS, nb = 0;
    struct numreader rd;

    c->x = xmalloc(CURVE_BUCKETS * sizeof(*c->x));
    c->y = xmalloc(CURVE_BUCKETS * sizeof(*c->y));
    c->lo = xmalloc(CURVE_BUCKETS * sizeof(*c->lo));
    c->hi = xmalloc(CURVE_BUCKETS * sizeof(*c->hi));
    metrics_reader(&rd, m, col);
    for (size_t r = 0; r < m->nrows && b < CURVE_BUCKETS; r++) {
        double v;

        if (!metrics_present(col, r) || !isfinite(v = numreader_at(&rd, r)))
            continue;
        if (k == lo)
            c->lo[b] = metrics_x(m, r);
        if (k == lo + (hi - lo) / 2)
            c->x[b] = metrics_x(m, r);
        bucket[nb++] = v;
        if (k++ == hi - 1) {
            c->hi[b] = metrics_x(m, r);
            c->y[b] = smooth_median(bucket, nb);
            nb = 0;
            lo = hi;
            hi = n * (++b + 1) / CURVE_BUCKETS;
        }
    }
    c->n = CURVE_BUCKETS;
    free(bucket);
}

static void curve_load(struct curve *c, const struct metrics *m,
                       const struct column *col, bool maximize)
{
    size_t n;

    memset(c, 0, sizeof(*c));
    c->xname = m->xname;
    if (!col)
        return;
    c->name = col->name;
    c->maximize = maximize;
    n = metrics_count_finite(m, col);
    if (n > CURVE_MAX)
        reduce(c, m, col, n);
    else
        c->n = metrics_finite_series(m, col, &c->x, &c->y);
}

static void curve_release(struct curve *c)
{
    free(c->x);
    free(c->y);
    free(c->lo);
    free(c->hi);
    free(c->smooth);
}

/* "Badness" of a value: lower is better whatever the direction. */
static double bad(const struct curve *c, double v)
{
    return c->maximize ? -v : v;
}

/* A loss curve whose values can be compared as ratios and logs. */
static bool positive_loss(const struct curve *c)
{
    if (c->maximize || !c->n)
        return false;
    for (size_t i = 0; i < c->n; i++)
        if (!(c->y[i] > 0))
            return false;
    return true;
}

/*
 * y smoothed by a running median when the curve is longer than
 * smooth_above (60) points. Returns a new array of c->n values and the
 * window in *win_out. Epoch-level logs are already averages; longer logs
 * (step-level, or many short epochs) are smoothed over about n/50 points
 * (odd, from 3 to 101), so a long log is judged on about a hundred
 * points' worth of shape and a one-point spike never survives. No rule
 * judges a curve of fewer than min_points (3) points: two points give a
 * direction but no shape; the seed examples have 4.
 */
static double *smoothed(const struct curve *c, const struct diag_thresholds *t,
                        size_t *win_out)
{
    size_t win = c->n > t->smooth_above ? (c->n / 50) | 1 : 1;
    double *out = xmalloc((c->n ? c->n : 1) * sizeof(*out));

    if (c->n > t->smooth_above && win < 3)
        win = 3;
    if (win > 101)
        win = 101;
    *win_out = win;
    /* The two curves of a run are smoothed once (see curve_smooth()). */
    if (c->smooth)
        memcpy(out, c->smooth, c->n * sizeof(*out));
    else
        smooth_centred(c->y, c->n, win, out);
    return out;
}

static void curve_smooth(struct curve *c, const struct diag_thresholds *t)
{
    c->smooth = smoothed(c, t, &c->smooth_win);
}

/*
 * Mean of the last tenth of the points, the robust "where it ended" of a
 * noisy curve: one lucky or unlucky final epoch should not decide.
 */
static double tail_mean(const struct curve *c)
{
    size_t k = c->n / 10 ? c->n / 10 : 1;
    double sum = 0;

    for (size_t i = c->n - k; i < c->n; i++)
        sum += c->y[i];
    return sum / (double)k;
}

/* Where a loss ended as a share of where it started; NAN if meaningless. */
static double keep_of(const struct curve *c)
{
    if (c->maximize || !c->n || !(c->y[0] > 0))
        return NAN;
    return tail_mean(c) / c->y[0];
}

static size_t best_index(const struct curve *c)
{
    size_t b = 0;

    for (size_t i = 1; i < c->n; i++)
        if (bad(c, c->y[i]) < bad(c, c->y[b]))
            b = i;
    return b;
}

/*
 * The curve s (values over c->x) linearly interpolated at x, for curves
 * logged at different points (a training loss every 10 steps, a held-out
 * loss every 250). False outside the curve's span.
 */
static bool interp(const struct curve *c, const double *s, double x,
                   double *out)
{
    if (!c->n || x < c->x[0] || x > c->x[c->n - 1])
        return false;
    for (size_t i = 0; i + 1 < c->n; i++) {
        if (x <= c->x[i + 1]) {
            double dx = c->x[i + 1] - c->x[i];

            *out = dx > 0 ? s[i] + (s[i + 1] - s[i]) * (x - c->x[i]) / dx
                          : s[i + 1];
            return true;
        }
    }
    *out = s[c->n - 1];
    return true;
}

/*
 * Evidence sentences format several numbers in one call; each N() takes
 * the next of a dozen buffers, so they stay valid through the call.
 */
struct nums {
    char b[16][8 * FMT_NUM_SIZE];
    size_t i;
};

static const char *num(struct nums *n, double v)
{
    return fmt_num(n->b[n->i++ % ARRAY_SIZE(n->b)], FMT_NUM_SIZE, v);
}

#define NUMBUFS struct nums nums_ = {.i = 0}
#define N(v) num(&nums_, (v))

/* A share as a percentage with one decimal: 0.9531 -> "95.3". */
#define PCT(v) num(&nums_, round(1000 * (v)) / 10)

/*
 * Everything the rules share: the log, the thresholds, the two curves,
 * the number of classes, and the facts a rule found that the decision
 * record or another rule needs.
 */
struct ctx {
    const struct metrics *m;
    const struct rule *rule;
    const struct diag_thresholds *t;
    struct curve train; /* train_loss, else train_acc */
    struct curve val;   /* the rule's metric, else val_loss, else val_acc */
    struct curve grad;  /* grad_norm, loaded once for the rules that use it */
    unsigned nclass;    /* 0 when unknown */
    const char *nclass_from;
    const struct best *best; /* under the rule; best->found may be false */
    const struct best *select_best; /* diag_options' */
    struct diag_num *ev;            /* numbers quoted by the evidence being
                                       written, for the next add() or attach() */
    size_t nev, ev_alloc;
    struct strbuf unchecked; /* "; "-separated signals not checked */
    struct strbuf aside;     /* side observations for the note */
    double margin;           /* the smallest margin passed() saw since the
                                rule started or last added a finding */
    const char *margin_of;   /* its threshold's name, or NULL */
    bool trained;            /* started from a trained model (see
                                find_trained_start()) */
};

/*
 * Which advice row of its code a finding takes, when the facts found
 * change what to check or try (see advice_rows[]).
 */
enum advice {
    ADVICE_DEFAULT = 0,
    ADVICE_NAN_FROM_START, /* non_finite: a loss non-finite from its start */
    ADVICE_DEAD_METRIC,    /* metric_shift: a metric that never changes */
    ADVICE_PERFECT_SCORE,  /* suspected_leakage: a perfect held-out score */
    ADVICE_GRAD_SPIKES,    /* unstable: gradient spikes; at: clip level */
    ADVICE_DECAY_EARLY,    /* plateau: lr decayed too early; at: where */
    ADVICE_LR_LOW,         /* plateau, underfitting: updates far too small */
    ADVICE_VANISHING,      /* underfitting: the gradients vanished */
    ADVICE_CAPACITY,       /* underfitting: the update size is normal */
    ADVICE_BOOSTING,       /* overfitting, still_improving: of a
                              gradient-boosted model */
    ADVICE_NOT_LEARNING,   /* underfitting: train did not fall at all */
    ADVICE_NO_HELDOUT,     /* need_more_signals: training logged, no
                              held-out curve */
    ADVICE_HELDOUT_FLAT,   /* plateau: the held-out curve never moved
                              while training fit */
    ADVICE_HELDOUT_NOISE   /* unstable: only the held-out curve jumps */
};

const char *diag_num_kind_name(enum diag_num_kind kind)
{
    switch (kind) {
    case DIAG_NUM_POINT:
        return "point";
    case DIAG_NUM_MEDIAN:
        return "median";
    case DIAG_NUM_MEAN:
        return "mean";
    case DIAG_NUM_SMOOTHED:
        return "smoothed";
    case DIAG_NUM_RATIO:
        return "ratio";
    case DIAG_NUM_DIFF:
        return "difference";
    case DIAG_NUM_CHANGE:
        return "change";
    case DIAG_NUM_RATE:
        return "rate";
    case DIAG_NUM_LOG:
        return "log";
    case DIAG_NUM_LOG_STEP:
        return "median_log_step";
    case DIAG_NUM_LEVEL:
        return "level";
    case DIAG_NUM_INTERP:
        return "interpolated";
    case DIAG_NUM_SHARE:
        return "share";
    case DIAG_NUM_TV:
        return "total_variation";
    case DIAG_NUM_X:
        return "x";
    case DIAG_NUM_LINE:
        return "line";
    case DIAG_NUM_COUNT:
        return "count";
    case DIAG_NUM_TALLY:
        return "tally";
    case DIAG_NUM_THRESHOLD:
        return "threshold";
    }
    return "unknown";
}

bool diag_num_has_parts(enum diag_num_kind kind)
{
    return kind == DIAG_NUM_RATIO || kind == DIAG_NUM_DIFF ||
           kind == DIAG_NUM_CHANGE || kind == DIAG_NUM_RATE ||
           kind == DIAG_NUM_LOG;
}

/*
 * Recording the numbers an evidence sentence quotes. Each ev_*() call
 * records one number for the finding the next add() or attach() makes,
 * and returns it as the sentence shows it: a logged point bare, anything
 * else with what it is ("0.19 (median of epochs 1-20)"). The text is in
 * the caller's nums buffers, like N().
 */
static struct diag_num *ev_push(struct ctx *x, const char *metric,
                                enum diag_num_kind kind, double value)
{
    struct diag_num *e;

    ALLOC_GROW(x->ev, x->nev + 1, x->ev_alloc);
    e = &x->ev[x->nev++];
    memset(e, 0, sizeof(*e));
    e->metric = xstrdup(metric ? metric : "");
    e->kind = kind;
    e->value = value;
    e->x = e->x0 = e->x1 = NAN;
    return e;
}

/*
 * "V (median of epochs A-B)" into the next nums buffer; over a reduced
 * curve's buckets, "V (median of the bucket medians of steps A-B)".
 */
static const char *ev_span_text(struct nums *nb, const char *what, double v,
                                const char *xname, double x0, double x1,
                                bool buckets)
{
    char a[FMT_NUM_SIZE], b[FMT_NUM_SIZE], c[FMT_NUM_SIZE];
    char *out = nb->b[nb->i++ % ARRAY_SIZE(nb->b)];

    fmt_num(a, sizeof(a), v);
    fmt_num(b, sizeof(b), x0);
    fmt_num(c, sizeof(c), x1);
    snprintf(out, sizeof(nb->b[0]), "%s (%s of %s%ss %s-%s)", a, what,
             buckets ? "the bucket medians of " : "", xname, b, c);
    return out;
}

/* A median (or mean) of c's points lo..hi-1, value v. */
static const char *ev_span(struct ctx *x, struct nums *nb,
                           const struct curve *c, size_t lo, size_t hi,
                           enum diag_num_kind kind, double v)
{
    struct diag_num *e;

    if (hi - lo == 1 && !c->lo) {
        e = ev_push(x, c->name, DIAG_NUM_POINT, v);
        e->x = c->x[lo];
        return num(nb, v);
    }
    e = ev_push(x, c->name, kind, v);
    e->x0 = c->lo ? c->lo[lo] : c->x[lo];
    e->x1 = c->hi ? c->hi[hi - 1] : c->x[hi - 1];
    if (c->lo && hi - lo == 1)
        e->x = c->x[lo]; /* one bucket: the median of its span, at its
                            middle */
    else if (c->lo)
        e->buckets = CURVE_BUCKETS;
    return ev_span_text(nb, kind == DIAG_NUM_MEAN ? "mean" : "median", v,
                        c->xname, e->x0, e->x1, e->buckets);
}

/* Point i of curve c (a bucket median when the curve was reduced). */
static const char *ev_pt(struct ctx *x, struct nums *nb, const struct curve *c,
                         size_t i)
{
    return ev_span(x, nb, c, i, i + 1, DIAG_NUM_MEDIAN, c->y[i]);
}

/* s[i], c smoothed by a running median of win points (see smoothed()). */
static const char *ev_smooth(struct ctx *x, struct nums *nb,
                             const struct curve *c, const double *s, size_t win,
                             size_t i)
{
    struct diag_num *e;
    char *out;

    if (win <= 1)
        return ev_pt(x, nb, c, i);
    e = ev_push(x, c->name, DIAG_NUM_SMOOTHED, s[i]);
    e->x = c->x[i];
    e->window = win;
    e->buckets = c->lo ? CURVE_BUCKETS : 0;
    out = nb->b[nb->i++ % ARRAY_SIZE(nb->b)];
    snprintf(out, sizeof(nb->b[0]), "%s (smoothed over %zu %s)", num(nb, s[i]),
             win, c->lo ? "bucket medians" : "points");
    return out;
}

#define PT(c, i) ev_pt(x, &nums_, (c), (i))
#define MED(c, lo, hi, v)                                                      \
    ev_span(x, &nums_, (c), (lo), (hi), DIAG_NUM_MEDIAN, (v))
#define MEAN(c, lo, hi, v)                                                     \
    ev_span(x, &nums_, (c), (lo), (hi), DIAG_NUM_MEAN, (v))
#define SM(c, s, win, i) ev_smooth(x, &nums_, (c), (s), (win), (i))

/*
 * A number computed from the numbers recorded a-th and b-th (see enum
 * diag_num_kind): their ratio, difference, relative change, the rate of
 * fall per point over window points, or the log of the a-th.
 */
static double ev_of(struct ctx *x, enum diag_num_kind kind, size_t a, size_t b,
                    size_t window)
{
    double va = x->ev[a].value, vb = x->ev[b].value, v;
    struct diag_num *e;

    switch (kind) {
    case DIAG_NUM_RATIO:
        v = va / vb;
        break;
    case DIAG_NUM_DIFF:
        v = va - vb;
        break;
    case DIAG_NUM_CHANGE:
        v = va / vb - 1;
        break;
    case DIAG_NUM_RATE:
        v = 1 - pow(vb / va, 1 / (double)window);
        break;
    case DIAG_NUM_LOG:
        v = log(va);
        break;
    default:
        assert(!"not a kind with parts");
        v = NAN;
    }
    e = ev_push(x, "", kind, v);
    e->a = a;
    e->b = b;
    e->window = window;
    return v;
}

#define ev_ratio(x, a, b) ev_of((x), DIAG_NUM_RATIO, (a), (b), 0)
#define ev_diff(x, a, b) ev_of((x), DIAG_NUM_DIFF, (a), (b), 0)
#define ev_change(x, a, b) ev_of((x), DIAG_NUM_CHANGE, (a), (b), 0)

/*
 * A number the sentence quotes that is not a value of the curves: a
 * threshold (by name; shown as a percentage when pct), a tally of the
 * rule's, an x where metric logged a value, a file line, a count of a
 * column's values over a span (NaN: the whole column).
 */
static const char *ev_thr(struct ctx *x, struct nums *nb, const char *name,
                          bool pct)
{
    double v = threshold_value(x->t, name);

    ev_push(x, name, DIAG_NUM_THRESHOLD, v);
    return num(nb, pct ? v * 100 : v);
}

static const char *ev_tally(struct ctx *x, struct nums *nb, const char *metric,
                            size_t n)
{
    ev_push(x, metric, DIAG_NUM_TALLY, (double)n);
    return num(nb, (double)n);
}

static const char *ev_x(struct ctx *x, struct nums *nb, const char *metric,
                        double xv)
{
    ev_push(x, metric, DIAG_NUM_X, xv);
    return num(nb, xv);
}

static const char *ev_line(struct ctx *x, struct nums *nb, const char *metric,
                           double xv, size_t line)
{
    ev_push(x, metric, DIAG_NUM_LINE, (double)line)->x = xv;
    return num(nb, (double)line);
}

static const char *ev_count(struct ctx *x, struct nums *nb, const char *metric,
                            double x0, double x1)
{
    const struct column *col = metrics_find(x->m, metric);
    size_t n = 0;
    struct diag_num *e;

    for (size_t r = 0; col && r < x->m->nrows; r++)
        if (metrics_present(col, r) && isfinite(metrics_v(col, r)) &&
            (isnan(x0) ||
             (metrics_x(x->m, r) >= x0 && metrics_x(x->m, r) <= x1)))
            n++;
    e = ev_push(x, metric, DIAG_NUM_COUNT, (double)n);
    e->x0 = x0;
    e->x1 = x1;
    return num(nb, (double)n);
}

#define THR(name) ev_thr(x, &nums_, #name, false)
#define THRPCT(name) ev_thr(x, &nums_, #name, true)
#define TALLY(metric, n) ev_tally(x, &nums_, (metric), (n))
#define XAT(c, i) ev_x(x, &nums_, (c)->name, (c)->x[i])

/*
 * "ended at 82% of its first value (0.3 (mean of epochs 55-60) against
 * 0.37 at epoch 1)": keep_of(c) with its parts recorded. Caller frees.
 */
static char *ev_keep(struct ctx *x, const struct curve *c)
{
    size_t k = c->n / 10 ? c->n / 10 : 1, i0 = x->nev;
    const char *first, *end;
    double keep;
    NUMBUFS;

    first = PT(c, 0);
    end = MEAN(c, c->n - k, c->n, tail_mean(c));
    keep = ev_ratio(x, i0 + 1, i0);
    if (k == 1)
        return xasprintf("ended at %s%% of its first value (%s at %s %s "
                         "against %s at %s %s)",
                         N(round(keep * 100)), end, c->xname, N(c->x[c->n - 1]),
                         first, c->xname, N(c->x[0]));
    return xasprintf("ended at %s%% of its first value (%s against %s at %s "
                     "%s)",
                     N(round(keep * 100)), end, first, c->xname, N(c->x[0]));
}

/* The index of the point of c at exactly xv, or SIZE_MAX. */
static size_t index_at(const struct curve *c, double xv)
{
    for (size_t i = 0; i < c->n; i++)
        if (c->x[i] == xv)
            return i;
    return SIZE_MAX;
}

static void unchecked(struct ctx *x, const char *what)
{
    if (x->unchecked.len)
        strbuf_addstr(&x->unchecked, "; ");
    strbuf_addstr(&x->unchecked, what);
}

/* Add a side observation (a sentence) to the note. */
static void aside(struct ctx *x, const char *fmt, ...) PRINTF_LIKE(2, 3);
static void aside(struct ctx *x, const char *fmt, ...)
{
    va_list ap;

    if (x->aside.len)
        strbuf_addch(&x->aside, ' ');
    va_start(ap, fmt);
    strbuf_vaddf(&x->aside, fmt, ap);
    va_end(ap);
}

static struct finding *find(struct diagnosis *d, enum diag_code code)
{
    for (size_t i = 0; i < d->n; i++)
        if (d->f[i].code == code)
            return &d->f[i];
    return NULL;
}

static bool has(const struct diagnosis *d, enum diag_code code)
{
    for (size_t i = 0; i < d->n; i++)
        if (d->f[i].code == code)
            return true;
    return false;
}

/* Forget the numbers recorded for evidence that was not used. */
static void ev_clear(struct ctx *x)
{
    nums_free(x->ev, x->nev);
    x->ev = NULL;
    x->nev = x->ev_alloc = 0;
}

/* Hand the recorded numbers to finding f, after those it has. */
static void ev_give(struct ctx *x, struct finding *f)
{
    size_t off = f->nnums;

    f->nums = xreallocarray(f->nums, off + x->nev + 1, sizeof(*f->nums));
    for (size_t i = 0; i < x->nev; i++) {
        f->nums[off + i] = x->ev[i];
        if (diag_num_has_parts(x->ev[i].kind)) {
            f->nums[off + i].a += off;
            f->nums[off + i].b += off;
        }
    }
    f->nnums = off + x->nev;
    free(x->ev);
    x->ev = NULL;
    x->nev = x->ev_alloc = 0;
}

/* Forget the margins seen: a new rule, or a finding added. */
static void margin_clear(struct ctx *x)
{
    x->margin = INFINITY;
    x->margin_of = NULL;
}

/*
 * The share by which value passed limit, the threshold called name:
 * above (value must reach limit) or below it, as a share of the limit;
 * NAN when either is not finite or the limit is 0.
 */
static double margin_of(double value, double limit, bool above)
{
    if (!isfinite(value) || !isfinite(limit) || limit == 0)
        return NAN;
    return (above ? value - limit : limit - value) / fabs(limit);
}

/*
 * A test of the rule being checked passed: value reached limit (above)
 * or stayed under it, limit being (or being computed from) the threshold
 * called name. The finding the rule adds next keeps the smallest margin.
 */
static void passed(struct ctx *x, const char *name, double value, double limit,
                   bool above)
{
    double m = margin_of(value, limit, above);

    if (!isnan(m) && m < x->margin) {
        x->margin = m;
        x->margin_of = name;
    }
}

/* Either of two tests passed: the one passed by more counts. */
static void passed_either(struct ctx *x, const char *name_a, double value_a,
                          double limit_a, const char *name_b, double value_b,
                          double limit_b, bool above)
{
    double a = margin_of(value_a, limit_a, above);
    double b = margin_of(value_b, limit_b, above);

    if (isnan(b) || (!isnan(a) && a >= b))
        passed(x, name_a, value_a, limit_a, above);
    else
        passed(x, name_b, value_b, limit_b, above);
}

/*
 * Add a finding with the numbers recorded for its evidence and the
 * margin of the tests its rule passed; a code already found keeps its
 * first evidence.
 */
static void add(struct ctx *x, struct diagnosis *d, enum diag_code code,
                char *evidence)
{
    if (has(d, code)) {
        free(evidence);
        ev_clear(x);
        margin_clear(x);
        return;
    }
    ALLOC_GROW(d->f, d->n + 1, d->alloc);
    memset(&d->f[d->n], 0, sizeof(d->f[d->n]));
    d->f[d->n].code = code;
    d->f[d->n].evidence = evidence;
    d->f[d->n].advice = ADVICE_DEFAULT;
    d->f[d->n].at = NAN;
    d->f[d->n].margin = x->margin_of ? x->margin : NAN;
    d->f[d->n].margin_of = x->margin_of;
    d->f[d->n].borderline = x->margin_of && x->margin < x->t->borderline;
    margin_clear(x);
    ev_give(x, &d->f[d->n]);
    d->n++;
}

/*
 * Choose the advice row (and the number it quotes) of the finding of that
 * code, if there is one and nothing chose before: the rules run in the
 * order of precedence of their advice.
 */
static void advise(struct diagnosis *d, enum diag_code code, enum advice a,
                   double at)
{
    struct finding *f = find(d, code);

    if (f && f->advice == ADVICE_DEFAULT && isnan(f->at)) {
        f->advice = (int)a;
        f->at = at;
    }
}

/*
 * Corroborating evidence: appended to the finding of that code if there
 * is one (returns true), else freed (returns false).
 */
static bool attach(struct ctx *x, struct diagnosis *d, enum diag_code code,
                   char *evidence)
{
    struct finding *f = find(d, code);
    char *joined;

    if (!f) {
        free(evidence);
        return false;
    }
    joined = xasprintf("%s; %s", f->evidence, evidence);
    free(f->evidence);
    free(evidence);
    f->evidence = joined;
    ev_give(x, f);
    return true;
}

/* Attach to the finding of that code, or add it. */
static void add_or_attach(struct ctx *x, struct diagnosis *d,
                          enum diag_code code, char *evidence)
{
    if (has(d, code))
        attach(x, d, code, evidence);
    else
        add(x, d, code, evidence);
}

/*
 * Non-finite values: a nan or inf in any loss or metric column, or a
 * non-zero count of non-finite gradient entries. Any one is decisive:
 * the numbers after it cannot be trusted. A loss that is non-finite from
 * its very first value is recorded too: that is a bug in the loss or the
 * inputs, not a learning rate that grew too large.
 */
static void rule_non_finite(struct ctx *x, struct diagnosis *d)
{
    const struct metrics *m = x->m;
    bool nan_from_start = false;
    NUMBUFS;

    for (size_t i = 0; i < m->ncols; i++) {
        const struct column *col = &m->cols[i];
        struct series_stats st;

        if (col->role == ROLE_GRAD_NONFINITE) {
            for (size_t r = 0; r < m->nrows; r++) {
                if (metrics_present(col, r) && metrics_v(col, r) != 0) {
                    ev_push(x, col->name, DIAG_NUM_POINT, metrics_v(col, r))
                        ->x = metrics_x(m, r);
                    add(x, d, DIAG_NON_FINITE,
                        xasprintf("%s is %s at %s %s (line %s): the "
                                  "gradients held non-finite entries",
                                  col->name, N(metrics_v(col, r)), m->xname,
                                  N(metrics_x(m, r)),
                                  ev_line(x, &nums_, col->name, metrics_x(m, r),
                                          metrics_line(m, r))));
                    break;
                }
            }
            continue;
        }
        if (metrics_next_nonfinite(m, col, 0) == SIZE_MAX)
            continue;
        metrics_stats(m, col, &st);
        if (st.first_nonfinite == st.first &&
            (col->role == ROLE_TRAIN_LOSS || col->role == ROLE_VAL_LOSS))
            nan_from_start = true;
        ev_push(x, col->name, DIAG_NUM_POINT,
                metrics_v(col, st.first_nonfinite))
            ->x = metrics_x(m, st.first_nonfinite);
        add(x, d, DIAG_NON_FINITE,
            xasprintf(
                "%s is %s at %s %s (line %s), %s of %s logged "
                "values are not finite",
                col->name, N(metrics_v(col, st.first_nonfinite)), m->xname,
                N(metrics_x(m, st.first_nonfinite)),
                ev_line(x, &nums_, col->name, metrics_x(m, st.first_nonfinite),
                        metrics_line(m, st.first_nonfinite)),
                TALLY(col->name, st.n - st.nfinite), TALLY(col->name, st.n)));
    }
    if (nan_from_start)
        advise(d, DIAG_NON_FINITE, ADVICE_NAN_FROM_START, NAN);
    /*
     * A finite gradient norm has finite entries, so a grad_norm column
     * checks the gradients as well as a count of non-finite entries.
     */
    if (!metrics_find_role(m, ROLE_GRAD_NONFINITE) &&
        !metrics_find_role(m, ROLE_GRAD_NORM))
        unchecked(x, "non-finite gradients (no grad_nonfinite or grad_norm "
                     "column)");
}

/*
 * The validation predictions, counted per class in pred_count_<class>
 * columns, at one row as shares (p[k] for the k-th such column; an empty
 * cell counts 0, as loggers that write only the classes predicted leave
 * it). False when the row logs no count, a count is not a finite
 * non-negative number, or they sum to zero.
 */
static bool pred_shares(const struct metrics *m, size_t row, double *p)
{
    double total = 0;
    size_t k = 0;
    bool any = false;

    for (size_t i = 0; i < m->ncols; i++) {
        const struct column *col = &m->cols[i];

        if (col->role != ROLE_PRED_COUNT)
            continue;
        p[k] = 0;
        if (metrics_present(col, row)) {
            if (!isfinite(metrics_v(col, row)) || metrics_v(col, row) < 0)
                return false;
            p[k] = metrics_v(col, row);
            any = true;
        }
        total += p[k++];
    }
    if (!any || total <= 0)
        return false;
    for (size_t i = 0; i < k; i++)
        p[i] /= total;
    return true;
}

static size_t pred_classes(const struct metrics *m)
{
    size_t n = 0;

    for (size_t i = 0; i < m->ncols; i++)
        n += m->cols[i].role == ROLE_PRED_COUNT;
    return n;
}

/* Total variation distance between two share vectors: 0 same, 1 disjoint. */
static double tv_distance(const double *p, const double *q, size_t k)
{
    double s = 0;

    for (size_t i = 0; i < k; i++)
        s += fabs(p[i] - q[i]);
    return s / 2;
}

/*
 * Prediction collapse: at the last row that logged pred_count_* columns,
 * one class takes at least collapse_share of the validation predictions.
 * A reasonable loss can hide this. The evidence also gives the drift of
 * the distribution: that class's share at the first logged row and the
 * largest change between consecutive logged rows (total variation).
 *
 * Default: 90% (collapse_share), far above the largest class of any
 * balanced or moderately imbalanced validation set.
 */
static void rule_collapse(struct ctx *x, struct diagnosis *d)
{
    const struct metrics *m = x->m;
    size_t k = pred_classes(m), first = SIZE_MAX, last = SIZE_MAX, prev;
    size_t top = 0, drift_row = SIZE_MAX, drift_prev = SIZE_MAX;
    double *p, *q, *p0, drift = 0;
    const char *top_name = NULL, *top_col = NULL;
    NUMBUFS;

    if (k < 2) {
        unchecked(x, "prediction collapse and drift (no pred_count_* "
                     "columns)");
        return;
    }
    p = xcalloc(k, sizeof(*p));
    q = xcalloc(k, sizeof(*q));
    p0 = xcalloc(k, sizeof(*p0));
    prev = SIZE_MAX;
    for (size_t r = 0; r < m->nrows; r++) {
        if (!pred_shares(m, r, p))
            continue;
        if (first == SIZE_MAX) {
            first = r;
            memcpy(p0, p, k * sizeof(*p));
        }
        if (prev != SIZE_MAX) {
            double tv = tv_distance(p, q, k);

            if (tv > drift) {
                drift = tv;
                drift_row = r;
                drift_prev = prev;
            }
        }
        memcpy(q, p, k * sizeof(*p));
        prev = last = r;
    }
    if (last == SIZE_MAX)
        goto out;
    for (size_t i = 1; i < k; i++)
        if (q[i] > q[top])
            top = i;
    for (size_t i = 0, j = 0; i < m->ncols; i++) {
        if (m->cols[i].role != ROLE_PRED_COUNT)
            continue;
        if (j++ == top)
            top_col = m->cols[i].name;
    }
    top_name = top_col + strlen("pred_count_");
    if (q[top] >= x->t->collapse_share)
        passed(x, "collapse_share", q[top], x->t->collapse_share, true);
    if (q[top] < x->t->collapse_share)
        goto out;
    {
        char *drift_text = xstrdup("");
        const char *now, *then;

        if (drift_row != SIZE_MAX && drift >= 0.05) {
            struct diag_num *e = ev_push(x, "pred_count_*", DIAG_NUM_TV, drift);

            e->x0 = metrics_x(m, drift_prev);
            e->x1 = metrics_x(m, drift_row);
            free(drift_text);
            drift_text = xasprintf("; the distribution changed most (by %s "
                                   "in total variation) from %s %s to %s",
                                   N(round(drift * 100) / 100), m->xname,
                                   N(metrics_x(m, drift_prev)),
                                   N(metrics_x(m, drift_row)));
        }
        ev_push(x, top_col, DIAG_NUM_SHARE, q[top])->x = metrics_x(m, last);
        now = PCT(q[top]);
        ev_push(x, top_col, DIAG_NUM_SHARE, p0[top])->x = metrics_x(m, first);
        then = PCT(p0[top]);
        add(x, d, DIAG_PREDICTION_COLLAPSE,
            xasprintf("at %s %s, class '%s' takes %s%% of the validation "
                      "predictions across %s classes (at least %s%% is a "
                      "collapse); its share was %s%% at %s %s%s",
                      m->xname, N(metrics_x(m, last)), top_name, now,
                      TALLY("pred_count_*", k), THRPCT(collapse_share), then,
                      m->xname, N(metrics_x(m, first)), drift_text));
        free(drift_text);
    }
out:
    free(p);
    free(q);
    free(p0);
}

/*
 * The training curve around x: the median of its points within h of x
 * (a step-level training loss is noisy point by point), else its value
 * interpolated at x. False outside its span.
 */
static bool train_near(const struct curve *tr, double x, double h, double *out)
{
    size_t lo = SIZE_MAX, hi = 0;

    for (size_t i = 0; i < tr->n; i++) {
        if (fabs(tr->x[i] - x) <= h) {
            if (lo == SIZE_MAX)
                lo = i;
            hi = i;
        }
    }
    if (lo != SIZE_MAX) {
        *out = smooth_median(tr->y + lo, hi - lo + 1);
        return true;
    }
    return interp(tr, tr->y, x, out);
}

/*
 * train_near() recorded as evidence: the median of its span, or the
 * value interpolated at x. Returns the text; the value is the last
 * number recorded.
 */
static const char *ev_train_near(struct ctx *x, struct nums *nb,
                                 const struct curve *tr, double xv, double h)
{
    size_t lo = SIZE_MAX, hi = 0;
    struct diag_num *e;
    double v;
    char *out;

    for (size_t i = 0; i < tr->n; i++) {
        if (fabs(tr->x[i] - xv) <= h) {
            if (lo == SIZE_MAX)
                lo = i;
            hi = i;
        }
    }
    if (lo != SIZE_MAX)
        return ev_span(x, nb, tr, lo, hi + 1, DIAG_NUM_MEDIAN,
                       smooth_median(tr->y + lo, hi - lo + 1));
    interp(tr, tr->y, xv, &v);
    e = ev_push(x, tr->name, DIAG_NUM_INTERP, v);
    e->x = xv;
    e->buckets = tr->lo ? CURVE_BUCKETS : 0;
    out = nb->b[nb->i++ % ARRAY_SIZE(nb->b)];
    snprintf(out, sizeof(nb->b[0]), "%s (interpolated at %s %s)", num(nb, v),
             tr->xname, num(nb, xv));
    return out;
}

/*
 * Metric shift: a held-out loss steps up or down suddenly and stays at
 * the new level, while the training loss does not share the step: the
 * data loader, the preprocessing or the split changed under the model
 * (or the held-out set started to overlap the training set, when the
 * step is down). Judged in log space, so that a step is a ratio, after
 * at least min_points points: the step is ln(shift_step) or more both
 * from the point before and from the level before (the median of up to
 * shift_persist points, so that the return from a one-point spike is not
 * a step), and shift_noise times the curve's median step; the median of
 * the shift_persist points after stays ln(shift_step) away from the level
 * before, in the same direction; and the training loss around the two
 * points (see train_near()) changes by less than shift_train in log.
 *
 * The level before must have settled: each of its points within a factor
 * shift_step of its median, so that the way down from an early spike is
 * not a shift. Steps within the first shift_skip of the points are not
 * judged either: a
 * held-out curve moves fastest while the model first learns (and while a
 * learning-rate warm-up ends), and its first evaluations often step down
 * while the averaged training loss barely moves.
 *
 * Defaults: a step of 1.4x (shift_step), 8x the median step
 * (shift_noise), a training change below 0.15 in log, about 16%
 * (shift_train), a new level held for 5 points (shift_persist), the first
 * tenth of the run skipped (shift_skip). On the labelled runs this fires
 * on the six induced shifts (the earliest at 30% of its run) and nothing
 * else; on real logs, the first tenth held steps down at the end of a
 * warm-up and returns from early spikes.
 */
/* The median absolute change between consecutive values of y: its noise. */
static double median_step(const double *y, size_t n)
{
    double *dl, out;

    if (n < 2)
        return 0;
    dl = xmalloc((n - 1) * sizeof(*dl));
    for (size_t i = 1; i < n; i++)
        dl[i - 1] = fabs(y[i] - y[i - 1]);
    out = smooth_median(dl, n - 1);
    free(dl);
    return out;
}

/* Does every one of the n log values stay within band of their median? */
static bool settled(const double *lv, size_t n, double median, double band)
{
    for (size_t j = 0; j < n; j++)
        if (fabs(lv[j] - median) >= band)
            return false;
    return true;
}

static bool shift_in(struct ctx *x, const struct curve *v, struct diagnosis *d)
{
    const struct diag_thresholds *t = x->t;
    const struct curve *tr = &x->train;
    size_t n = v->n, P = t->shift_persist, first;
    double *lv, noise;
    bool fired = false;
    NUMBUFS;

    if (n < t->min_points + P || !positive_loss(v) || !positive_loss(tr))
        return false;
    lv = xmalloc(n * sizeof(*lv));
    for (size_t i = 0; i < n; i++)
        lv[i] = log(v->y[i]);
    noise = median_step(lv, n);
    first = (size_t)ceil(t->shift_skip * (double)n);
    if (first < t->min_points)
        first = t->min_points;
    for (size_t i = first; i + P <= n && !fired; i++) {
        double raw = lv[i] - lv[i - 1], pre, post, step, t0, t1, h;
        double dt = NAN;
        size_t b0 = i >= P ? i - P : 0;
        int sign = raw > 0 ? 1 : -1;

        pre = smooth_median(lv + b0, i - b0);
        post = smooth_median(lv + i, P);
        step = lv[i] - pre;
        if (fabs(raw) < log(t->shift_step) ||
            step * sign < log(t->shift_step) ||
            step * sign < t->shift_noise * noise ||
            (post - pre) * sign < log(t->shift_step) ||
            !settled(lv + b0, i - b0, pre, log(t->shift_step)))
            continue;
        h = (v->x[i] - v->x[i - 1]) / 2;
        if (train_near(tr, v->x[i - 1], h, &t0) &&
            train_near(tr, v->x[i], h, &t1) && t0 > 0 && t1 > 0)
            dt = log(t1 / t0);
        if (!(fabs(dt) < t->shift_train))
            continue;
        passed(x, "shift_step", fabs(raw), log(t->shift_step), true);
        passed(x, "shift_step", step * sign, log(t->shift_step), true);
        passed(x, "shift_step", (post - pre) * sign, log(t->shift_step), true);
        passed(x, "shift_noise", step * sign, t->shift_noise * noise, true);
        passed(x, "shift_train", fabs(dt), t->shift_train, false);
        {
            double pp[64], pq[64];
            size_t k = pred_classes(x->m), r0 = SIZE_MAX, r1 = SIZE_MAX;
            char *preds = xstrdup("");

            for (size_t r = 0; r < x->m->nrows; r++) {
                if (metrics_x(x->m, r) == v->x[i - 1])
                    r0 = r;
                if (metrics_x(x->m, r) == v->x[i])
                    r1 = r;
            }
            if (k >= 2 && k <= ARRAY_SIZE(pp) && r0 != SIZE_MAX &&
                r1 != SIZE_MAX && pred_shares(x->m, r0, pp) &&
                pred_shares(x->m, r1, pq)) {
                free(preds);
                struct diag_num *e = ev_push(x, "pred_count_*", DIAG_NUM_TV,
                                             tv_distance(pp, pq, k));

                e->x0 = v->x[i - 1];
                e->x1 = v->x[i];
                preds = xasprintf("; the prediction distribution moved by "
                                  "%s in total variation at the same step",
                                  N(round(e->value * 100) / 100));
            }
            {
                size_t i0 = x->nev, il, ir, inoise, iln, it0;
                const char *a = PT(v, i - 1), *b = PT(v, i), *level, *after;
                const char *ta, *tb, *persist;
                double r, times;
                struct diag_num *e;

                il = x->nev;
                level = MED(v, b0, i, smooth_median(v->y + b0, i - b0));
                /* The step as a factor above 1, either way. */
                ir = x->nev;
                r = sign > 0 ? ev_ratio(x, i0 + 1, il)
                             : ev_ratio(x, il, i0 + 1);
                inoise = x->nev;
                e = ev_push(x, v->name, DIAG_NUM_LOG_STEP, noise);
                e->x0 = v->lo ? v->lo[0] : v->x[0];
                e->x1 = v->hi ? v->hi[n - 1] : v->x[n - 1];
                e->buckets = v->lo ? CURVE_BUCKETS : 0;
                iln = x->nev;
                ev_of(x, DIAG_NUM_LOG, ir, ir, 0);
                times = noise > 0 ? ev_ratio(x, iln, inoise) : NAN;
                after = MED(v, i, i + P, smooth_median(v->y + i, P));
                persist = THR(shift_persist);
                it0 = x->nev;
                ta = ev_train_near(x, &nums_, tr, v->x[i - 1], h);
                tb = ev_train_near(x, &nums_, tr, v->x[i], h);
                ev_change(x, it0 + 1, it0);
                add(x, d, DIAG_METRIC_SHIFT,
                    xasprintf("%s stepped %s from %s at %s %s to %s at %s %s "
                              "(x%s from the level %s before it: a step "
                              "of %s in log, %s times the curve's median "
                              "step of %s) and stayed near %s for the next "
                              "%s points, while %s moved only %s%% across "
                              "the same step (from %s to %s)%s",
                              v->name, sign > 0 ? "up" : "down", a, v->xname,
                              N(v->x[i - 1]), b, v->xname, N(v->x[i]),
                              N(round(r * 100) / 100), level,
                              N(x->ev[iln].value),
                              noise > 0 ? N(round(times)) : "any", N(noise),
                              after, persist, tr->name, PCT(fabs(t1 / t0 - 1)),
                              ta, tb, preds));
            }
            free(preds);
            advise(d, DIAG_METRIC_SHIFT, ADVICE_DEFAULT, v->x[i]);
            fired = true;
        }
    }
    free(lv);
    return fired;
}

static void rule_metric_shift(struct ctx *x, struct diagnosis *d)
{
    const struct column *vl = metrics_find_role(x->m, ROLE_VAL_LOSS);

    if (x->val.n < x->t->min_points)
        return; /* the note already says there is no held-out curve */
    if (x->train.n < x->t->min_points || !positive_loss(&x->train)) {
        unchecked(x, "metric shift (no training loss to compare the "
                     "held-out curve with)");
        return;
    }
    if (shift_in(x, &x->val, d))
        return;
    /* The rule's metric may be an accuracy; val_loss shifts too. */
    if (vl && (!x->val.name || strcmp(vl->name, x->val.name))) {
        struct curve c;

        curve_load(&c, x->m, vl, false);
        shift_in(x, &c, d);
        curve_release(&c);
    }
}

/* Case-insensitive: does s start with prefix / contain word? */
static bool starts_with_ci(const char *s, const char *prefix)
{
    for (; *prefix; s++, prefix++)
        if (!*s ||
            tolower((unsigned char)*s) != tolower((unsigned char)*prefix))
            return false;
    return true;
}

static bool contains_ci(const char *s, const char *word)
{
    for (; *s; s++)
        if (starts_with_ci(s, word))
            return true;
    return false;
}

/*
 * A held-out metric by its name: a val/eval/test/metrics column that
 * names a loss or a score (not a count, a runtime or a rate).
 */
static bool held_out_metric(const struct column *col)
{
    static const char *const prefixes[] = {"val", "eval", "test", "metrics/"};
    static const char *const words[] = {
        "loss", "acc",       "map",    "f1",    "auc",  "dice",
        "iou",  "precision", "recall", "error", "wer",  "cer",
        "bleu", "rouge",     "mse",    "mae",   "score"};
    bool prefixed = col->role == ROLE_VAL_LOSS || col->role == ROLE_VAL_ACC;

    for (size_t i = 0; i < ARRAY_SIZE(prefixes) && !prefixed; i++)
        prefixed = starts_with_ci(col->name, prefixes[i]);
    if (!prefixed)
        return false;
    for (size_t i = 0; i < ARRAY_SIZE(words); i++)
        if (contains_ci(col->name, words[i]))
            return true;
    return false;
}

/* Are all the finite values of col the same (over at least min of them)? */
static bool constant_column(const struct metrics *m, const struct column *col,
                            size_t min, double *value, double span[2])
{
    size_t n = 0;
    bool same = true;

    *value = span[0] = span[1] = NAN;
    for (size_t r = 0; col && r < m->nrows; r++) {
        if (!finite_at(col, r))
            continue;
        if (!n++) {
            *value = metrics_v(col, r);
            span[0] = metrics_x(m, r);
        }
        same = same && metrics_v(col, r) == *value;
        span[1] = metrics_x(m, r);
    }
    return same && n >= min;
}

/*
 * The training twin of a held-out column: "val/cls_loss" ->
 * "train/cls_loss", "eval_acc" -> "train_acc". NULL if the log has none.
 */
static const struct column *training_twin(const struct metrics *m,
                                          const struct column *col)
{
    static const char *const prefixes[] = {"val", "eval", "test"};
    const struct column *twin = NULL;

    for (size_t i = 0; i < ARRAY_SIZE(prefixes) && !twin; i++) {
        size_t len = strlen(prefixes[i]);
        char *name;

        if (!starts_with_ci(col->name, prefixes[i]) ||
            (col->name[len] != '/' && col->name[len] != '_'))
            continue;
        name = xasprintf("train%s", col->name + len);
        twin = metrics_find(m, name);
        free(name);
    }
    return twin;
}

/*
 * A dead held-out metric, the extreme of a metric shift: a held-out loss
 * or score (see held_out_metric()) holds exactly the same value at every
 * one of at least dead_min_points (6) logged points while the training
 * loss moved by more than dead_move_frac (0.1) of its start. Nothing that
 * evaluates real predictions stays bit-for-bit constant while the model
 * changes: the held-out labels are empty or mismatched, or the metric is not
 * computed. A column whose training twin (see training_twin()) is constant too
 * is constant by construction and does not count, nor does a loss term
 * that is exactly 0 throughout (computed in training only). The training
 * curve may be an accuracy, or a loss that reaches 0: it only has to move.
 */
static void rule_dead_metric(struct ctx *x, struct diagnosis *d)
{
    const struct metrics *m = x->m;
    const struct curve *tr = &x->train;
    struct strbuf names = STRBUF_INIT;
    size_t ndead = 0, ilo = 0, ihi = 0;
    double value = 0, span[2] = {NAN, NAN};
    const char *dead = NULL;
    NUMBUFS;

    if (tr->n < x->t->min_points || !(tr->y[0] != 0))
        return;
    for (size_t i = 1; i < tr->n; i++) {
        if (tr->y[i] < tr->y[ilo])
            ilo = i;
        if (tr->y[i] > tr->y[ihi])
            ihi = i;
    }
    if (tr->y[ihi] - tr->y[ilo] <= x->t->dead_move_frac * fabs(tr->y[0]))
        return;
    for (size_t i = 0; i < m->ncols; i++) {
        const struct column *col = &m->cols[i], *twin;
        double v, tv, sp[2], tsp[2];

        if (!held_out_metric(col) ||
            !constant_column(m, col, x->t->dead_min_points, &v, sp))
            continue;
        /*
         * A term that is constant in training too (the classification
         * loss of a one-class detector) is constant by construction.
         */
        twin = training_twin(m, col);
        if (twin && constant_column(m, twin, 1, &tv, tsp))
            continue;
        /*
         * A loss term that is exactly 0 throughout is not computed on
         * held-out data (a term of the training objective only): it is
         * constant by construction too.
         */
        if (v == 0 && contains_ci(col->name, "loss"))
            continue;
        if (ndead < 3)
            strbuf_addf(&names, "%s%s", ndead ? ", " : "", col->name);
        if (!ndead++) {
            value = v;
            span[0] = sp[0];
            span[1] = sp[1];
            dead = col->name;
        }
    }
    if (ndead) {
        char *more =
            ndead > 3 ? xasprintf(" and %s more", TALLY("columns", ndead - 3))
                      : xstrdup("");
        const char *lo, *hi, *count, *at;

        ev_push(x, dead, DIAG_NUM_POINT, value)->x = span[0];
        at = N(value);
        count = ev_count(x, &nums_, dead, span[0], span[1]);
        lo = PT(tr, ilo);
        hi = PT(tr, ihi);
        add(x, d, DIAG_METRIC_SHIFT,
            ndead == 1
                ? xasprintf("%s is exactly %s at every one of %s logged "
                            "points, while %s moved between %s and %s: the "
                            "held-out metric measures nothing",
                            names.buf, at, count, tr->name, lo, hi)
                : xasprintf("%s%s never change (the first is exactly %s at "
                            "every one of %s logged points), while %s moved "
                            "between %s and %s: the held-out metrics measure "
                            "nothing",
                            names.buf, more, at, count, tr->name, lo, hi));
        advise(d, DIAG_METRIC_SHIFT, ADVICE_DEAD_METRIC, NAN);
        free(more);
    }
    strbuf_release(&names);
}

/*
 * Suspected leakage: the held-out accuracy stays above the training
 * accuracy by a wide margin (leak_gap, with an error at most
 * leak_err_ratio of the training error) on leak_share of the second half
 * of the run. A held-out set that overlaps the training set does this;
 * so does regularisation or augmentation that acts only in training,
 * which is the cheaper check, unless the held-out score is perfect.
 * Accuracies logged as percentages are read as such.
 *
 * Defaults: 5 points (leak_gap), half the training error
 * (leak_err_ratio), on 80% of the second half (leak_share). Dropout or
 * augmentation that acts only in training lifts the held-out accuracy by
 * a point or two, and a model at chance level can sit either side by
 * luck of the split.
 */
static void rule_leakage(struct ctx *x, struct diagnosis *d)
{
    const struct metrics *m = x->m;
    const struct column *ta = metrics_find_role(m, ROLE_TRAIN_ACC);
    const struct column *va = metrics_find_role(m, ROLE_VAL_ACC);
    const struct diag_thresholds *t = x->t;
    size_t *rows, n = 0, hits = 0, last_hit = SIZE_MAX;
    double scale = 1, maxv = 0;
    bool perfect;
    NUMBUFS;

    if (!ta || !va) {
        unchecked(x, "leakage (no train_acc and val_acc pair)");
        return;
    }
    rows = xmalloc((m->nrows ? m->nrows : 1) * sizeof(*rows));
    for (size_t r = 0; r < m->nrows; r++) {
        if (metrics_present(ta, r) && metrics_present(va, r) &&
            isfinite(metrics_v(ta, r)) && isfinite(metrics_v(va, r))) {
            rows[n++] = r;
            if (fabs(metrics_v(ta, r)) > maxv)
                maxv = fabs(metrics_v(ta, r));
            if (fabs(metrics_v(va, r)) > maxv)
                maxv = fabs(metrics_v(va, r));
        }
    }
    if (maxv > 1 && maxv <= 100)
        scale = 100;
    if (n < 2 * t->min_points || maxv > 100)
        goto out;
    for (size_t i = n / 2; i < n; i++) {
        double tv = metrics_v(ta, rows[i]) / scale,
               vv = metrics_v(va, rows[i]) / scale;

        if (vv - tv >= t->leak_gap && 1 - vv <= t->leak_err_ratio * (1 - tv)) {
            hits++;
            last_hit = rows[i];
        }
    }
    if ((double)hits < t->leak_share * (double)(n - n / 2) || !hits)
        goto out;
    passed(x, "leak_share", (double)hits, t->leak_share * (double)(n - n / 2),
           true);
    perfect = metrics_v(va, last_hit) / scale >= 1;
    ev_push(x, va->name, DIAG_NUM_POINT, metrics_v(va, last_hit))->x =
        metrics_x(m, last_hit);
    ev_push(x, ta->name, DIAG_NUM_POINT, metrics_v(ta, last_hit))->x =
        metrics_x(m, last_hit);
    add(x, d, DIAG_SUSPECTED_LEAKAGE,
        xasprintf("%s was above %s by at least %s points with at most %s "
                  "of its error on %s of the last %s logged %ss (at %s "
                  "%s: %s against %s)%s",
                  va->name, ta->name, THRPCT(leak_gap), THR(leak_err_ratio),
                  TALLY(va->name, hits), TALLY(va->name, n - n / 2), m->xname,
                  m->xname, N(metrics_x(m, last_hit)),
                  N(metrics_v(va, last_hit)), N(metrics_v(ta, last_hit)),
                  perfect ? "; the held-out score is perfect" : ""));
    if (perfect)
        advise(d, DIAG_SUSPECTED_LEAKAGE, ADVICE_PERFECT_SCORE, NAN);
out:
    free(rows);
}

/*
 * Bad initialisation: a fresh classifier spreads its probability over C
 * classes and its cross-entropy is about ln C. A first training loss of
 * init_ratio x ln C or more that the curve never climbs back to is a bad
 * initialisation (weights far too large, a wrong output bias), not a
 * learning rate too high (which climbs above its first value). C comes
 * from the run's config (num_classes) or the pred_count_* columns.
 *
 * Default: 3 x ln C (init_ratio), far above the loss of any fresh model
 * with a sane output layer.
 */
static void rule_bad_init(struct ctx *x, struct diagnosis *d)
{
    const struct curve *c = &x->train;
    struct curve vl;
    const struct curve *use = c;
    double chance, first, top;
    NUMBUFS;

    if (x->nclass < 2) {
        unchecked(x, "initial loss (number of classes unknown: no "
                     "num_classes in the config, no pred_count_* columns)");
        return;
    }
    memset(&vl, 0, sizeof(vl));
    if (c->n < x->t->min_points || c->maximize) {
        curve_load(&vl, x->m, metrics_find_role(x->m, ROLE_VAL_LOSS), false);
        use = &vl;
    }
    if (use->n < x->t->min_points)
        goto out;
    chance = log((double)x->nclass);
    first = use->y[0];
    top = first;
    for (size_t i = 1; i < use->n; i++)
        if (use->y[i] > top)
            top = use->y[i];
    if (first >= x->t->init_ratio * chance)
        passed(x, "init_ratio", first, x->t->init_ratio * chance, true);
    if (first < x->t->init_ratio * chance || top > first)
        goto out;
    {
        size_t i0 = x->nev;
        const char *start = PT(use, 0), *nc = TALLY("classes", x->nclass);

        ev_of(x, DIAG_NUM_LOG, i0 + 1, i0 + 1, 0);
        ev_ratio(x, i0, i0 + 2);
        add(x, d, DIAG_BAD_INIT,
            xasprintf("%s starts at %s at %s %s, %s times ln %s = %s, the "
                      "loss of a fresh model over %s classes (%s), and never "
                      "comes back up to it",
                      use->name, start, use->xname, N(use->x[0]),
                      N(round(first / chance * 10) / 10), nc, N(chance), nc,
                      x->nclass_from));
    }
out:
    curve_release(&vl);
}

/* Raw points on each side of a jump whose changes measure its noise. */
#define JUMP_NOISE_SPAN 10

/*
 * Jumps: rises (the wrong way) between consecutive smoothed points larger
 * than both jump_frac of the curve's median level and jump_range of its
 * range. Returns their count; *thr, *first and *biggest describe them.
 */
struct jumps {
    size_t n, first, big; /* count, first and largest jump (index of the
                             point after it) */
    size_t lo, hi;        /* the lowest and highest (smoothed) points */
    double thr, level;    /* the limit; the median level */
    double need;          /* the min_jumps-th largest rise: the one the
                             count needed (0 with fewer jumps) */
    size_t win;           /* smoothing window (1: none) */
};

static int cmp_desc(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x < y) - (x > y);
}

static void count_jumps(const struct curve *c, const struct diag_thresholds *t,
                        struct jumps *j)
{
    double *s, *abs_s, *rises, biggest = 0;

    memset(j, 0, sizeof(*j));
    j->win = 1;
    if (c->n < t->min_points)
        return;
    s = smoothed(c, t, &j->win);
    abs_s = xmalloc(c->n * sizeof(*abs_s));
    rises = xmalloc(c->n * sizeof(*rises));
    for (size_t i = 0; i < c->n; i++) {
        abs_s[i] = fabs(s[i]);
        if (s[i] < s[j->lo])
            j->lo = i;
        if (s[i] > s[j->hi])
            j->hi = i;
    }
    j->level = smooth_median(abs_s, c->n);
    j->thr =
        fmax(t->jump_frac * j->level, t->jump_range * (s[j->hi] - s[j->lo]));
    /* The raw point-to-point changes, for the noise of smoothed curves. */
    for (size_t i = 1; i < c->n; i++)
        abs_s[i - 1] = fabs(c->y[i] - c->y[i - 1]);
    for (size_t i = 1; i < c->n && j->thr > 0; i++) {
        double rise = bad(c, s[i]) - bad(c, s[i - 1]);

        /*
         * A smoothed (step-level) curve: a jump must also stand out of
         * the curve's own noise there, the median point-to-point change
         * of the raw points around it.
         */
        if (rise > j->thr && j->win > 1) {
            size_t lo_i = i > JUMP_NOISE_SPAN ? i - JUMP_NOISE_SPAN : 1;
            size_t hi_i =
                i + JUMP_NOISE_SPAN < c->n ? i + JUMP_NOISE_SPAN : c->n - 1;

            if (rise <= t->jump_noise *
                            smooth_median(abs_s + lo_i - 1, hi_i - lo_i + 1))
                continue;
        }
        if (rise > j->thr) {
            rises[j->n] = rise;
            if (!j->n++)
                j->first = i;
            if (rise > biggest) {
                biggest = rise;
                j->big = i;
            }
        }
    }
    if (j->n >= t->min_jumps) {
        qsort(rises, j->n, sizeof(*rises), cmp_desc);
        j->need = rises[(size_t)t->min_jumps - 1];
    }
    free(rises);
    free(abs_s);
    free(s);
}

/* The margin of a jump count: its needed rise over the limit. */
static void jumps_passed(struct ctx *x, const struct jumps *j)
{
    const struct diag_thresholds *t = x->t;

    passed(x, t->jump_frac * j->level >= j->thr ? "jump_frac" : "jump_range",
           j->need, j->thr, true);
}

/*
 * The jumps as evidence: each rise is larger than both jump_frac of the
 * median level and jump_range of the range, and the sentence gives both.
 */
static char *jump_evidence(struct ctx *x, const struct curve *c,
                           const struct jumps *j)
{
    const struct diag_thresholds *t = x->t;
    size_t w, i0;
    double *s = smoothed(c, t, &w);
    const char *a, *b, *lo, *hi, *level;
    char *out;
    NUMBUFS;

    if (j->win == 1 && positive_loss(c)) {
        level = MED(c, 0, c->n, j->level);
    } else {
        struct diag_num *e = ev_push(x, c->name, DIAG_NUM_LEVEL, j->level);
        char *out_level = nums_.b[nums_.i++ % ARRAY_SIZE(nums_.b)];

        e->x0 = c->lo ? c->lo[0] : c->x[0];
        e->x1 = c->hi ? c->hi[c->n - 1] : c->x[c->n - 1];
        e->window = j->win;
        e->buckets = c->lo ? CURVE_BUCKETS : 0;
        snprintf(out_level, sizeof(nums_.b[0]),
                 "%s (the median of its absolute running median over %zu "
                 "%s, %ss %s-%s)",
                 N(j->level), j->win, c->lo ? "bucket medians" : "points",
                 c->xname, N(e->x0), N(e->x1));
        level = out_level;
    }
    lo = SM(c, s, j->win, j->lo);
    hi = SM(c, s, j->win, j->hi);
    i0 = x->nev;
    b = SM(c, s, j->win, j->big - 1);
    a = SM(c, s, j->win, j->big);
    ev_diff(x, i0 + 1, i0);
    out = xasprintf(
        "%s jumps the wrong way %s times, each rise larger than %s%% of its "
        "median level %s and %s%% of its range (%s at %s %s to %s at %s "
        "%s); the first at %s %s, the largest from %s to %s at %s %s",
        c->name, TALLY(c->name, j->n), THRPCT(jump_frac), level,
        THRPCT(jump_range), lo, c->xname, N(c->x[j->lo]), hi, c->xname,
        N(c->x[j->hi]), c->xname, XAT(c, j->first), b, a, c->xname,
        N(c->x[j->big]));
    free(s);
    return out;
}

/*
 * Unstable: the loss jumps up and down (see count_jumps()), on the
 * training curve, or on the held-out curve while the training loss has
 * not fallen below jump_train_keep of its start, or has but the held-out
 * curve shows no overfitting trend (then the held-out measure itself is
 * noisy, and the advice is about it); or the smoothed training
 * loss ends diverge_ratio times above its own minimum and above its start
 * (diverged: the same failure seen slowly). Only the training curve can
 * diverge: a held-out loss that rises while training falls is
 * overfitting.
 *
 * Defaults: a rise larger than a quarter of the curve's median level
 * (jump_frac; the seed's unstable case jumps by 70% of its level,
 * epoch-level noise of healthy runs stays under 10%) and larger than a
 * tenth of its range (jump_range: a loss that has fallen to near zero
 * wiggles by a large share of its tiny level, but by a negligible share
 * of the distance it travelled), at least twice (min_jumps: one bad batch
 * is not a trend). On a curve long enough to be smoothed (a step-level
 * log, noisy by nature) a jump must also exceed three times the median
 * change between consecutive raw points within ten points of it
 * (jump_noise; the noise of a step log changes along the run; for noise
 * alone that median change is about one standard deviation, and a median
 * of three points still rises by two of them now and then): a step-level
 * loss that swings by a third of its level from batch to batch is noisy,
 * not unstable, while a rise that stands out of that noise is a jump.
 * Held-out jumps count as the model's while train kept half its
 * start (jump_train_keep); past that, a held-out loss that jumps while
 * the training loss falls smoothly is an overconfident, overfitting model
 * (overfitting says so) or a small validation set (said here, when there
 * is no trend). Diverged: 1.5x above its minimum (diverge_ratio).
 */
static void rule_unstable(struct ctx *x, struct diagnosis *d)
{
    const struct diag_thresholds *t = x->t;
    const struct curve *tr = &x->train, *v = &x->val;
    struct jumps j;
    size_t win;
    double keep = keep_of(tr);
    NUMBUFS;

    count_jumps(tr, t, &j);
    if (j.n >= t->min_jumps) {
        jumps_passed(x, &j);
        add(x, d, DIAG_UNSTABLE, jump_evidence(x, tr, &j));
        return;
    }
    if (tr->n < t->min_points || !(keep < t->jump_train_keep) ||
        !has(d, DIAG_OVERFITTING)) {
        count_jumps(v, t, &j);
        if (j.n >= t->min_jumps) {
            char *e = jump_evidence(x, v, &j);

            jumps_passed(x, &j);
            if (keep < t->jump_train_keep) {
                /* Training fell smoothly: the measure itself is noisy. */
                char *k = ev_keep(x, tr);

                add(x, d, DIAG_UNSTABLE,
                    xasprintf(
                        "%s, while %s %s without repeated jumps, and the "
                        "held-out curve shows no trend beyond its own noise",
                        e, tr->name, k));
                advise(d, DIAG_UNSTABLE, ADVICE_HELDOUT_NOISE, NAN);
                free(k);
            } else if (!isnan(keep)) {
                char *k = ev_keep(x, tr);

                add(x, d, DIAG_UNSTABLE,
                    xasprintf("%s, while %s %s", e, tr->name, k));
                free(k);
            } else {
                add(x, d, DIAG_UNSTABLE, xstrdup(e));
            }
            free(e);
            return;
        }
    }
    if (tr->n >= t->min_points && positive_loss(tr)) {
        double *s = smoothed(tr, t, &win);
        size_t imin = 0;

        for (size_t i = 1; i < tr->n; i++)
            if (s[i] < s[imin])
                imin = i;
        if (s[tr->n - 1] > t->diverge_ratio * s[imin] && s[tr->n - 1] > s[0]) {
            size_t i0 = x->nev;

            passed(x, "diverge_ratio", s[tr->n - 1], t->diverge_ratio * s[imin],
                   true);
            const char *m = SM(tr, s, win, imin);
            const char *e = SM(tr, s, win, tr->n - 1);
            const char *f = SM(tr, s, win, 0);
            double r = ev_ratio(x, i0 + 1, i0);

            add(x, d, DIAG_UNSTABLE,
                xasprintf("%s diverged: it fell to %s at %s %s, then rose "
                          "to %s at %s %s (%s times its minimum), above its "
                          "start %s",
                          tr->name, m, tr->xname, N(tr->x[imin]), e, tr->xname,
                          N(tr->x[tr->n - 1]), N(round(r * 10) / 10), f));
        }
        free(s);
    }
}

/*
 * The level a curve held around each point: a running median over k
 * points (k = a tenth of the curve, at least 1), so that one lucky
 * epoch of a noisy curve is not taken for its best. Returns a new array.
 */
static double *held_level(const struct curve *c, size_t k)
{
    double *out = xmalloc((c->n ? c->n : 1) * sizeof(*out));

    smooth_held(c->y, c->n, k, out);
    return out;
}

/*
 * Overfitting: the held-out curve reaches its best level (held over a
 * tenth of the run) at least two points before the end, then ends (median
 * of its last tenth) worse by rel_worsen of that level and by
 * giveback_frac of what it had gained, or by end_worse of it alone (a slow
 * give-back, small against the gain, counts only when seen over at least
 * overfit_after points after the best), while
 * the training curve, which fit its data (a loss below overfit_fit_keep of
 * its start: a model that did not fit its training data is underfitting,
 * whatever its held-out curve does), keeps improving by train_gain of its
 * value at that point. On a held-out curve of more than
 * overfit_noise_min points, the rise must also stand out of the curve's
 * own noise: more than overfit_noise times the median change between its
 * consecutive points (a curve that zig-zags by more than it rose has no
 * trend; see rule_unstable() for what it is instead; a steady rise moves
 * by a fraction of its total at each point). A boosted model's held-out
 * curve has no epoch noise and skips this. The
 * evidence gives the train/held-out gap at the best point and at the end
 * (a widening gap).
 *
 * Defaults: worse by 3% of its best (rel_worsen) and by a quarter of
 * what it had gained (giveback_frac; seed: 0.19 of 0.29), or by 10% of
 * its best alone (end_worse: a slow give-back; healthy runs with early
 * stopping end at most 4.2% above their best), while train improves by
 * 5% after it (train_gain) and ended below 65% of its start
 * (overfit_fit_keep); a rise of more than twice the median step
 * (overfit_noise) on a curve of more than 6 points (overfit_noise_min:
 * fewer cannot tell a zig-zag from a trend).
 */
static void rule_overfitting(struct ctx *x, struct diagnosis *d)
{
    const struct diag_thresholds *t = x->t;
    const struct curve *train = &x->train, *val = &x->val;
    size_t b, ti, vb, k = val->n / 10 ? val->n / 10 : 1;
    double gained, lost, end, train_at, train_end, *lv, best;
    double tk = keep_of(train);
    char *gap = NULL;
    NUMBUFS;

    /*
     * Gradient boosting starts from the base prediction, not from an
     * untrained model: how far training fell from it says nothing of fit.
     */
    if (val->n < t->min_points || train->n < 2 ||
        (tk >= t->overfit_fit_keep && !x->m->boosting && !x->trained))
        return;
    lv = held_level(val, k);
    b = 0;
    for (size_t i = 1; i < val->n; i++)
        if (bad(val, lv[i]) < bad(val, lv[b]))
            b = i;
    best = lv[b];
    gained = bad(val, lv[0]) - bad(val, best);
    free(lv);
    if (b + 2 >= val->n)
        return;
    end = smooth_median(val->y + val->n - k, k);
    lost = bad(val, end) - bad(val, best);
    if (x->m->boosting) {
        /*
         * A boosted model's held-out curve has no epoch noise: any
         * sustained rise after its best iteration is the trees added
         * past it fitting the training set.
         */
        if (lost <= 0 || lost < t->boost_worsen * fabs(best))
            return;
        passed(x, "boost_worsen", lost, t->boost_worsen * fabs(best), true);
    } else {
        if (lost <= 0 || lost < t->rel_worsen * fabs(best))
            return;
        if (gained > 0 && lost < t->giveback_frac * gained &&
            (lost < t->end_worse * fabs(best) ||
             b + t->overfit_after >= val->n))
            return;
        if (!x->trained)
            passed(x, "overfit_fit_keep", tk, t->overfit_fit_keep, false);
        passed(x, "rel_worsen", lost, t->rel_worsen * fabs(best), true);
        if (gained > 0)
            passed_either(x, "giveback_frac", lost, t->giveback_frac * gained,
                          "end_worse", lost, t->end_worse * fabs(best), true);
        if (val->n > t->overfit_noise_min) {
            double noise = t->overfit_noise * median_step(val->y, val->n);

            if (lost <= noise)
                return;
            passed(x, "overfit_noise", lost, noise, true);
        }
    }
    /*
     * When the held-out curve is best at its first point, all the training
     * it saw came after its best: the training curve is judged over the
     * whole run.
     */
    ti = 0;
    if (b > 0)
        for (size_t i = 0; i < train->n && train->x[i] <= val->x[b]; i++)
            ti = i;
    train_at = train->y[ti];
    train_end = tail_mean(train);
    if (bad(train, train_at) - bad(train, train_end) <
        t->train_gain * fabs(train_at))
        return;
    passed(x, "train_gain", bad(train, train_at) - bad(train, train_end),
           t->train_gain * fabs(train_at), true);
    /* The best checkpoint, as the run's card gives it. */
    vb = best_index(val);
    if (x->best->found && x->rule->metric && val->name &&
        !strcmp(x->rule->metric, val->name)) {
        size_t at = index_at(val, x->best->x);

        if (at != SIZE_MAX)
            vb = at;
    }
    {
        size_t lo = b >= k / 2 ? b - k / 2 : 0;
        size_t hi = lo + k < val->n ? lo + k : val->n;
        size_t kt = train->n / 10 ? train->n / 10 : 1;
        const char *best_text = PT(val, vb);
        const char *level_text, *end_text, *tr_at, *tr_end;
        size_t i_level, i_end;
        double change;

        i_level = x->nev;
        level_text = MED(val, lo, hi, best);
        i_end = x->nev;
        end_text = MED(val, val->n - k, val->n, end);
        change = ev_change(x, i_end, i_level);
        tr_at = PT(train, ti);
        tr_end = MEAN(train, train->n - kt, train->n, train_end);
        if (train->maximize == val->maximize) {
            size_t t0 = index_at(train, val->x[vb]);
            size_t t1 = index_at(train, val->x[val->n - 1]);

            if (t0 != SIZE_MAX && t1 != SIZE_MAX) {
                size_t a0 = x->nev, g0, g1;
                const char *v0, *w0, *v1, *w1;

                v0 = PT(val, vb);
                w0 = PT(train, t0);
                g0 = x->nev;
                ev_diff(x, a0, a0 + 1);
                v1 = PT(val, val->n - 1);
                w1 = PT(train, t1);
                g1 = x->nev;
                ev_diff(x, g0 + 1, g0 + 2);
                gap =
                    xasprintf("; %s - %s went from %s (%s - %s) at %s %s "
                              "to %s (%s - %s) at %s %s",
                              val->name, train->name, N(x->ev[g0].value), v0,
                              w0, val->xname, N(val->x[vb]), N(x->ev[g1].value),
                              v1, w1, val->xname, N(val->x[val->n - 1]));
            }
        }
        add(x, d, DIAG_OVERFITTING,
            xasprintf("%s was best at %s at %s %s; its best level, %s, "
                      "ended at %s, %s%% worse, while %s kept improving "
                      "from %s at %s %s to %s%s",
                      val->name, best_text, val->xname, N(val->x[vb]),
                      level_text, end_text, N(round(fabs(change) * 1000) / 10),
                      train->name, tr_at, train->xname, N(train->x[ti]), tr_end,
                      gap ? gap : ""));
    }
    if (x->m->boosting)
        advise(d, DIAG_OVERFITTING, ADVICE_BOOSTING, NAN);
    free(gap);
}

/*
 * Plateau after a learning-rate drop (decay too early): the lr column
 * falls to 1/lr_drop of its running maximum within decay_window points of
 * its first reduction, in the first decay_early of the run, and the
 * training loss's log-slope over the decay_window points after the drop
 * is decay_slowdown times smaller than over the decay_window points
 * before the first reduction. A decay that answered a plateau
 * (ReduceLROnPlateau) is not too early: when the held-out curve's best of
 * the (up to) 2 points before the first reduction improved less than
 * decay_plateau_gain on the point before them, the rule does not fire.
 * It needs decay_min_points training points.
 *
 * Defaults: a fall of 10x (lr_drop) in the first half (decay_early 0.5)
 * and a log-slope 10x smaller (decay_slowdown) over the (up to) 10 points
 * (decay_window) after the drop than over the 10 before. Schedules that
 * end a run (cosine, linear to zero) drop in its last tenth;
 * ReduceLROnPlateau drops after a stall, so the slope before is already
 * small.
 */
static void rule_decay(struct ctx *x, struct diagnosis *d)
{
    const struct diag_thresholds *t = x->t;
    const struct column *lr = metrics_find_role(x->m, ROLE_LR);
    const struct curve *c = &x->train, *v = &x->val;
    struct curve l;
    size_t first = SIZE_MAX, drop = SIZE_MAX, itop = 0, j, j0, b0, a1, win, k;
    double top, before, after, *s = NULL;
    NUMBUFS;

    if (!lr) {
        unchecked(x, "learning-rate decay (no lr column)");
        return;
    }
    if (c->n < t->decay_min_points || !positive_loss(c))
        return;
    curve_load(&l, x->m, lr, false);
    if (l.n < 2)
        goto out;
    top = l.y[0];
    for (size_t i = 1; i < l.n && drop == SIZE_MAX; i++) {
        if (l.y[i] < top && first == SIZE_MAX)
            first = i;
        if (first != SIZE_MAX && i - first >= t->decay_window)
            break;
        if (l.y[i] >= 0 && l.y[i] * t->lr_drop <= top)
            drop = i;
        else if (l.y[i] > top) {
            top = l.y[i];
            itop = i;
        }
    }
    if (drop == SIZE_MAX || (double)drop > t->decay_early * (double)(l.n - 1))
        goto out;
    /* The first training points logged with the new rates. */
    for (j0 = 0; j0 < c->n && c->x[j0] < l.x[first]; j0++)
        ;
    for (j = j0; j < c->n && c->x[j] < l.x[drop]; j++)
        ;
    if (j0 < 1 || j + 2 >= c->n)
        goto out;
    s = smoothed(c, t, &win);
    b0 = j0 > t->decay_window ? j0 - t->decay_window : 0;
    a1 = j - 1 + t->decay_window < c->n ? j - 1 + t->decay_window : c->n - 1;
    before = j0 - 1 > b0 ? (log(s[b0]) - log(s[j0 - 1])) / (double)(j0 - 1 - b0)
                         : NAN;
    after = (log(s[j - 1]) - log(s[a1])) / (double)(a1 - (j - 1));
    if (!(before > 0) || after * t->decay_slowdown > before)
        goto out;
    for (k = 0; k < v->n && v->x[k] < l.x[first]; k++)
        ;
    if (k >= 2) {
        size_t w = k - 1 < 2 ? k - 1 : 2;
        double ref = v->y[k - 1 - w], vbest = ref;

        for (size_t i = k - w; i < k; i++)
            if (bad(v, v->y[i]) < bad(v, vbest))
                vbest = v->y[i];
        if (bad(v, ref) - bad(v, vbest) <= t->decay_plateau_gain * fabs(ref))
            goto out;
        passed(x, "decay_plateau_gain", bad(v, ref) - bad(v, vbest),
               t->decay_plateau_gain * fabs(ref), true);
    }
    passed(x, "decay_slowdown", before, after * t->decay_slowdown, true);
    passed(x, "decay_early", (double)drop, t->decay_early * (double)(l.n - 1),
           false);
    {
        size_t i0 = x->nev, ib, ia;
        const char *from = PT(&l, itop), *to = PT(&l, drop), *pts, *all;
        const char *b_from, *b_to, *a_from, *a_to;
        double rb, ra;

        ev_ratio(x, i0, i0 + 1);
        pts = TALLY(lr->name, drop);
        all = TALLY(lr->name, l.n - 1);
        ev_ratio(x, i0 + 3, i0 + 4);
        ib = x->nev;
        b_from = SM(c, s, win, b0);
        b_to = SM(c, s, win, j0 - 1);
        rb = ev_of(x, DIAG_NUM_RATE, ib, ib + 1, j0 - 1 - b0);
        ia = x->nev;
        a_from = SM(c, s, win, j - 1);
        a_to = SM(c, s, win, a1);
        ra = ev_of(x, DIAG_NUM_RATE, ia, ia + 1, a1 - (j - 1));
        if (ra > 0)
            ev_ratio(x, ib + 2, ia + 2);
        add(x, d, DIAG_PLATEAU,
            xasprintf("%s fell from %s to %s (%sx) by %s %s, %s of its %s "
                      "points (%s%%) into the run; %s was falling %s%% per "
                      "point before (from %s to %s) and %s%% after (from %s "
                      "to %s), %s times slower: the decay came too early",
                      lr->name, from, to, N(round(top / l.y[drop])), l.xname,
                      N(l.x[drop]), pts, all,
                      N(round(100 * (double)drop / (double)(l.n - 1))), c->name,
                      N(round(rb * 1000) / 10), b_from, b_to,
                      N(round(ra * 1000) / 10), a_from, a_to,
                      ra > 0 ? N(round(rb / ra)) : "infinitely"));
    }
    advise(d, DIAG_PLATEAU, ADVICE_DECAY_EARLY, l.x[drop]);
out:
    free(s);
    curve_release(&l);
}

/*
 * A stall: the smoothed training loss improved by less than plateau_gain
 * over the last plateau_frac of a run of at least plateau_min points,
 * after falling before that. With a held-out curve within gap_frac of it
 * the model cannot fit even its training set: underfitting. With no
 * held-out curve it is a plateau if the loss kept plateau_keep of its
 * start (a loss that fell far and then flattened has converged; nothing
 * can be said about generalisation).
 *
 * Defaults: less than 1% (plateau_gain) over the last 40% (plateau_frac)
 * of a run of at least 6 points (plateau_min); "no gap" is a held-out
 * loss within 10% of train (gap_frac); a train-only plateau kept half its
 * start (plateau_keep).
 */
/*
 * The precondition of every "stayed high" call: a training loss that
 * ended more than underfit_rise above its own (smoothed) minimum, or
 * above where it started after rising at each of its last two steps,
 * climbed back. Raising the learning rate would be advice against the evidence:
 * it is a slow divergence, reported as unstable. Returns whether it rose
 * (and the finding was added).
 */
static bool rose(struct ctx *x, struct diagnosis *d)
{
    const struct curve *c = &x->train;
    size_t win, imin = 0;
    double *s, end;
    bool up;
    NUMBUFS;

    if (c->n < x->t->min_points || !positive_loss(c))
        return false;
    s = smoothed(c, x->t, &win);
    for (size_t i = 1; i < c->n; i++)
        if (s[i] < s[imin])
            imin = i;
    end = tail_mean(c);
    up = imin + 1 < c->n && end > s[imin] &&
         (end > (1 + x->t->underfit_rise) * s[imin] ||
          (end > s[0] && s[c->n - 1] > s[c->n - 2] &&
           s[c->n - 2] > s[c->n - 3]));
    if (up && !has(d, DIAG_UNSTABLE)) {
        size_t i0 = x->nev, k = c->n / 10 ? c->n / 10 : 1;
        const char *low = SM(c, s, win, imin);
        const char *last = MEAN(c, c->n - k, c->n, end);

        ev_change(x, i0 + 1, i0);
        add(x, d, DIAG_UNSTABLE,
            xasprintf("%s fell to %s at %s %s, then climbed back to %s at "
                      "the end (%s%% above its minimum): a loss that rises "
                      "is diverging slowly, not underfitting",
                      c->name, low, c->xname, N(c->x[imin]), last,
                      N(round((end / s[imin] - 1) * 100))));
    }
    free(s);
    return up;
}

static void rule_stall(struct ctx *x, struct diagnosis *d)
{
    const struct diag_thresholds *t = x->t;
    const struct curve *c = &x->train, *v = &x->val;
    size_t start, win, span;
    double *s, before, after, keep;
    NUMBUFS;

    if (c->n < t->plateau_min || c->maximize)
        return;
    span = (size_t)ceil(t->plateau_frac * (double)c->n);
    if (span < 2)
        span = 2;
    if (span > c->n)
        span = c->n;
    s = smoothed(c, t, &win);
    start = c->n - span;
    before = s[start];
    after = before;
    for (size_t i = start; i < c->n; i++)
        if (s[i] < after)
            after = s[i];
    if (before - after > t->plateau_gain * fabs(before) || !(s[0] > before))
        goto out;
    keep = keep_of(c);
    if (v->n >= t->min_points && !v->maximize) {
        double vt = tail_mean(v), tt = tail_mean(c);
        size_t kv = v->n / 10 ? v->n / 10 : 1, kc = c->n / 10 ? c->n / 10 : 1;

        if (vt - tt <= t->gap_frac * fabs(vt) && !rose(x, d)) {
            const char *a = SM(c, s, win, start), *b = SM(c, s, win, c->n - 1);

            passed(x, "plateau_gain", before - after,
                   t->plateau_gain * fabs(before), false);
            passed(x, "gap_frac", vt - tt, t->gap_frac * fabs(vt), false);
            const char *tm = MEAN(c, c->n - kc, c->n, tt);
            const char *vm = MEAN(v, v->n - kv, v->n, vt);

            add(x, d, DIAG_UNDERFITTING,
                xasprintf("%s moved less than %s%% from %s %s to the end "
                          "(%s to %s), and ended at %s with %s at %s, "
                          "within %s%% of it: the model stopped learning "
                          "without fitting its training data",
                          c->name, THRPCT(plateau_gain), c->xname,
                          N(c->x[start]), a, b, tm, v->name, vm,
                          THRPCT(gap_frac)));
        }
    } else if (v->n < t->min_points && keep >= t->plateau_keep) {
        const char *a = SM(c, s, win, start), *b = SM(c, s, win, c->n - 1);
        char *k = ev_keep(x, c);

        passed(x, "plateau_gain", before - after,
               t->plateau_gain * fabs(before), false);
        passed(x, "plateau_keep", keep, t->plateau_keep, true);
        add(x, d, DIAG_PLATEAU,
            xasprintf("%s moved less than %s%% from %s %s to the end (%s to "
                      "%s); it %s",
                      c->name, THRPCT(plateau_gain), c->xname, N(c->x[start]),
                      a, b, k));
        free(k);
    }
out:
    free(s);
}

/*
 * A held-out curve that never moved: its best is within flat_gain of its
 * first value while the training loss ends below flat_train_keep of its
 * first value. The model fit its training data and learned little that
 * carries over: the held-out set, the features or the capacity are at
 * fault before the schedule is. Judged only when the held-out curve
 * starts before training had learned much (the training loss there is at
 * least flat_train_start of its first value: a boosted model's base
 * prediction, a first epoch), so that a fine-tune, whose first
 * evaluation already comes after most of its gain, is not called flat,
 * and over at least flat_min_points held-out points.
 *
 * Defaults: a best within 5% of the first value (flat_gain: a learning
 * model's held-out loss falls by far more), training ending below half
 * its start (flat_train_keep: it fit its data), the held-out start taken
 * while training kept 80% of its start (flat_train_start), 6 held-out
 * points (flat_min_points).
 */
static void rule_heldout_flat(struct ctx *x, struct diagnosis *d)
{
    const struct diag_thresholds *t = x->t;
    const struct curve *tr = &x->train, *v = &x->val;
    size_t b, i0;
    double at_start, ratio;
    const char *first, *best;
    char *k;
    NUMBUFS;

    if (v->n < t->flat_min_points || tr->n < t->min_points ||
        !positive_loss(tr) || !(fabs(v->y[0]) > 0))
        return;
    b = best_index(v);
    if (bad(v, v->y[0]) - bad(v, v->y[b]) > t->flat_gain * fabs(v->y[0]))
        return;
    if (v->x[0] < tr->x[0])
        at_start = tr->y[0];
    else if (!interp(tr, tr->y, v->x[0], &at_start))
        return;
    if (!(at_start >= t->flat_train_start * tr->y[0]) ||
        !(keep_of(tr) < t->flat_train_keep))
        return;
    passed(x, "flat_gain", bad(v, v->y[0]) - bad(v, v->y[b]),
           t->flat_gain * fabs(v->y[0]), false);
    passed(x, "flat_train_keep", keep_of(tr), t->flat_train_keep, false);
    passed(x, "flat_train_start", at_start, t->flat_train_start * tr->y[0],
           true);
    i0 = x->nev;
    first = PT(v, 0);
    best = PT(v, b);
    ratio = ev_ratio(x, i0 + 1, i0);
    k = ev_keep(x, tr);
    add(x, d, DIAG_PLATEAU,
        xasprintf("%s's best, %s at %s %s, is %s%% of its first value %s at "
                  "%s %s, while %s %s: the model fit its training data and "
                  "learned little that carries over to held-out data",
                  v->name, best, v->xname, N(v->x[b]), N(round(ratio * 100)),
                  first, v->xname, N(v->x[0]), tr->name, k));
    free(k);
    advise(d, DIAG_PLATEAU, ADVICE_HELDOUT_FLAT, NAN);
}

/*
 * Judge the start on the held-out score c; false when c is no such
 * score or has too few points to tell.
 */
static bool trained_by(struct ctx *x, const struct column *c)
{
    struct curve s;
    size_t b;
    double scale = 1;
    NUMBUFS;

    if (!c || !heldout_zero_chance(c->name))
        return false;
    curve_load(&s, x->m, c, true);
    if (s.n < x->t->min_points) {
        curve_release(&s);
        return false;
    }
    b = best_index(&s);
    for (size_t i = 0; i < s.n; i++)
        if (s.y[i] > 1)
            scale = 100;
    if (s.y[b] >= 0.05 * scale && s.y[0] >= x->t->trained_start * s.y[b]) {
        x->trained = true;
        aside(x,
              "%s was %s at its first evaluation (%s %s), %s%% of its "
              "best, %s at %s %s: the model had learned most of what it "
              "would before it (a fine-tune, a resumed run, or a first "
              "epoch that did most of the work), so underfitting and fit "
              "are not judged against its first values.",
              s.name, N(s.y[0]), s.xname, N(s.x[0]),
              N(round(s.y[0] / s.y[b] * 100)), N(s.y[b]), s.xname, N(s.x[b]));
    }
    curve_release(&s);
    return true;
}

/*
 * Did the run start trained (a fine-tune, a resumed run, or a first
 * epoch that did most of the work)? An untrained model scores about 0 on
 * a held-out score such as average precision, IoU or BLEU
 * (heldout_zero_chance()), whatever the task; one that scores at least
 * trained_start of its best there at its first evaluation had learned
 * most of what it would before it. Its first values are then no
 * untrained baseline, and the tests that measure learning against them
 * (underfitting's "both stayed high", overfitting's "training fit its
 * data") are not made; the note says why. The held-out curve diagnosed
 * is looked at first, then the other columns in log order; the first
 * such score with enough points decides. A best below a twentieth of
 * the score's scale (1, or 100 for a percentage) is a model that learned
 * nothing, not a trained start.
 *
 * Default: 80% (trained_start): from scratch, a detector's first mAP
 * is a small share of its best; a fine-tune's is most of it.
 */
static void find_trained_start(struct ctx *x)
{
    const struct metrics *m = x->m;
    const struct column *v = x->val.name ? metrics_find(m, x->val.name) : NULL;

    if (trained_by(x, v))
        return;
    for (size_t k = 0; k < m->ncols; k++)
        if (&m->cols[k] != v && trained_by(x, &m->cols[k]))
            return;
}

/*
 * Underfitting: both losses end above underfit_keep of where they
 * started: the model has not learned what it could. With no held-out
 * curve, a training loss that barely moved over at least
 * underfit_min_points points is reported as a plateau instead (it is not known
 * whether the held-out loss is high too).
 *
 * Default: 65% (underfit_keep; the seed's underfit case keeps 78% and
 * 82%; a model that learns anything usually sheds far more than a
 * third); a train-only plateau over at least 6 points
 * (underfit_min_points).
 */
static void rule_underfitting(struct ctx *x, struct diagnosis *d)
{
    const struct diag_thresholds *t = x->t;
    const struct curve *train = &x->train, *val = &x->val;
    double tk = keep_of(train), vk = keep_of(val);
    NUMBUFS;

    /*
     * A boosted model's first point is its base prediction (see above),
     * a trained start's a model that had already learned.
     */
    if (train->n < t->min_points || !(tk >= t->underfit_keep) ||
        x->m->boosting || x->trained)
        return;
    if (val->n < t->min_points) {
        if (train->n >= t->underfit_min_points) {
            char *k = ev_keep(x, train);
            const char *count = ev_count(
                x, &nums_, train->name, train->lo ? train->lo[0] : train->x[0],
                train->hi ? train->hi[train->n - 1] : train->x[train->n - 1]);

            passed(x, "underfit_keep", tk, t->underfit_keep, true);
            add(x, d, DIAG_PLATEAU,
                xasprintf("%s %s: it barely moved over %s points", train->name,
                          k, count));
            free(k);
        }
        return;
    }
    if (val->maximize) {
        /* A held-out score "stays high" when its best barely rose. */
        size_t b = best_index(val);
        double first = val->y[0], best = val->y[b];

        if (!(best - first <=
              t->underfit_score_gain * fmax(fabs(first), fabs(best))) ||
            rose(x, d))
            return;
        passed(x, "underfit_keep", tk, t->underfit_keep, true);
        passed(x, "underfit_score_gain", best - first,
               t->underfit_score_gain * fmax(fabs(first), fabs(best)), false);
        {
            char *kt = ev_keep(x, train);
            const char *f = PT(val, 0), *bv = PT(val, b);

            add(x, d, DIAG_UNDERFITTING,
                xasprintf("%s %s, and %s's best, %s at %s %s, is within "
                          "%s%% of its first value %s at %s %s: neither "
                          "moved much",
                          train->name, kt, val->name, bv, val->xname,
                          N(val->x[b]), N(t->underfit_score_gain * 100), f,
                          val->xname, N(val->x[0])));
            free(kt);
        }
    } else {
        char *kt, *kv;

        if (!(vk >= t->underfit_keep) || rose(x, d))
            return;
        passed(x, "underfit_keep", tk, t->underfit_keep, true);
        passed(x, "underfit_keep", vk, t->underfit_keep, true);
        kt = ev_keep(x, train);
        kv = ev_keep(x, val);
        add(x, d, DIAG_UNDERFITTING,
            xasprintf("%s %s and %s %s: both stayed high", train->name, kt,
                      val->name, kv));
        free(kt);
        free(kv);
    }
    /*
     * "Raise the learning rate" needs a training loss that fell, if
     * slowly: one that did not fall at all is first checked for updates
     * that do nothing.
     */
    if (tk >= 1)
        advise(d, DIAG_UNDERFITTING, ADVICE_NOT_LEARNING, NAN);
}

/*
 * Still improving: the curve's best was set after the first point of the
 * last tail_frac of the run (at least its last two points), improving the
 * best before that part by more than tail_gain at a pace (gain per point)
 * of at least tail_rate times the run's average pace, and the last point
 * is within last_near of the best: stopping here leaves gains unmade.
 * When the best checkpoint is chosen by another held-out metric (see
 * diag_options' select_best), its best must be in the last part too.
 * Judged on the held-out curve only: a training loss nearly always keeps
 * falling, so with no held-out curve its fall says nothing about what
 * more training would give (need_more_signals says what to log).
 *
 * The best must also improve on the first point of that last part by
 * more than tail_move: a curve that made its gain at the start of the
 * last part and went flat after it (0.42, 0.40, 0.399) has converged.
 * The pace of a positive loss or error rate is measured in log space
 * (it falls by ratios, so the tail of an exponential fall keeps the
 * run's average pace there); that of a score, in its own units.
 *
 * Defaults: the last quarter (tail_frac), a gain of more than 1%
 * (tail_gain) at a pace of at least a tenth of the run's average
 * (tail_rate), half a percent within the last part (tail_move), and the
 * last point within 1% of the best (last_near: a
 * curve that has turned up again has converged, not run out of time).
 */
static void rule_still_improving(struct ctx *x, struct diagnosis *d)
{
    const struct diag_thresholds *t = x->t;
    const struct curve *c = &x->val;
    size_t b, ib, start, win;
    double gain, total, *s, last_gap, before, pace, total_pace;
    NUMBUFS;

    if (c->n < t->min_points)
        return;
    /* A noisy step-level curve is judged on its smoothed shape. */
    s = smoothed(c, t, &win);
    b = 0;
    for (size_t i = 1; i < c->n; i++)
        if (bad(c, s[i]) < bad(c, s[b]))
            b = i;
    start = c->n - 1 - (size_t)floor(t->tail_frac * (double)(c->n - 1));
    if (start == c->n - 1)
        start--;
    /*
     * The gain of the tail is the improvement of the best so far: from
     * the best before the tail to the best in it (a recovery from a bump
     * is not progress).
     */
    ib = 0;
    for (size_t i = 1; i < start; i++)
        if (bad(c, s[i]) < bad(c, s[ib]))
            ib = i;
    before = s[ib];
    gain = bad(c, before) - bad(c, s[b]);
    total = bad(c, s[0]) - bad(c, s[b]);
    /*
     * A positive loss or error rate falls by ratios: its pace is judged
     * in log space, where the slow end of an exponential fall still moves.
     */
    if (positive_loss(c) && s[b] > 0 && s[0] > 0 && before > 0) {
        pace = log(before / s[b]);
        total_pace = log(s[0] / s[b]);
    } else {
        pace = gain;
        total_pace = total;
    }
    last_gap = bad(c, s[c->n - 1]) - bad(c, s[b]);
    /*
     * Training longer is worth it for the metric the best checkpoint is
     * chosen by: when that is another curve, its best must be in the
     * last part too.
     */
    if (x->select_best && x->select_best->found &&
        x->select_best->x < c->x[start])
        goto out;
    if (b <= start || gain <= t->tail_gain * fabs(before) ||
        bad(c, s[start]) - bad(c, s[b]) <= t->tail_move * fabs(s[start]) ||
        pace / (double)(b - start + 1) <
            t->tail_rate * total_pace / (double)(c->n - 1) ||
        last_gap > t->last_near * fabs(s[b]))
        goto out;
    passed(x, "tail_gain", gain, t->tail_gain * fabs(before), true);
    passed(x, "tail_move", bad(c, s[start]) - bad(c, s[b]),
           t->tail_move * fabs(s[start]), true);
    passed(x, "tail_rate", pace / (double)(b - start + 1),
           t->tail_rate * total_pace / (double)(c->n - 1), true);
    passed(x, "last_near", last_gap, t->last_near * fabs(s[b]), false);
    {
        size_t i0 = x->nev;
        const char *from = SM(c, s, win, ib), *to = SM(c, s, win, b);

        ev_change(x, i0 + 1, i0);
        add(x, d, DIAG_STILL_IMPROVING,
            xasprintf("%s improved its best from %s at %s %s to %s at %s %s "
                      "(%s%%), in the part from %s %s to the end at %s %s",
                      c->name, from, c->xname, N(c->x[ib]), to, c->xname,
                      N(c->x[b]), N(round(gain / fabs(before) * 1000) / 10),
                      c->xname, XAT(c, start), c->xname, XAT(c, c->n - 1)));
    }
    if (x->m->boosting)
        advise(d, DIAG_STILL_IMPROVING, ADVICE_BOOSTING, NAN);
out:
    free(s);
}

/*
 * Exploding gradients: grad_norm at least spike_ratio times the median of
 * the spike_window points before it, at least min_spikes times. Reported
 * under "unstable" (the curve-level symptom they cause), attached to the
 * loss evidence when the loss jumps too.
 *
 * Defaults: 10x (spike_ratio) the median of the 5 points before
 * (spike_window), twice (min_spikes). Early in training the norm
 * legitimately falls by 10-1000x, so the reference is the running median,
 * never the run's median; 5x fired on healthy step-level fine-tunes.
 * When the log says the trainer clips the norm (struct metrics'
 * grad_clip: the Hugging Face Trainer's max_grad_norm), the spikes were
 * capped before any update: they go to the note, not to "unstable".
 */
static void rule_grad_spikes(struct ctx *x, struct diagnosis *d)
{
    const struct diag_thresholds *t = x->t;
    const struct column *g = metrics_find_role(x->m, ROLE_GRAD_NORM);
    struct curve c;
    size_t spikes = 0, first = 0, big = 0;
    double big_ratio = 0, big_med = 0, *ratios;
    NUMBUFS;

    if (!g) {
        unchecked(x, "exploding and vanishing gradients (no grad_norm "
                     "column)");
        return;
    }
    c = x->grad;
    ratios = xmalloc((c.n ? c.n : 1) * sizeof(*ratios));
    for (size_t i = t->spike_window; i < c.n; i++) {
        double med = smooth_median(c.y + i - t->spike_window, t->spike_window);

        if (med > 0 && c.y[i] >= t->spike_ratio * med) {
            ratios[spikes] = c.y[i] / med;
            if (!spikes++)
                first = i;
            if (c.y[i] / med > big_ratio) {
                big_ratio = c.y[i] / med;
                big = i;
                big_med = med;
            }
        }
    }
    if (spikes >= t->min_spikes && isfinite(x->m->grad_clip)) {
        /* The trainer clipped them: capped updates, not exploding ones. */
        aside(x,
              "%s spiked to at least %s times its running median %zu "
              "times (the largest %s, at %s %s), but the trainer clips "
              "it at %s, so those updates were capped: not exploding "
              "gradients.",
              c.name, N(t->spike_ratio), spikes, N(c.y[big]), c.xname,
              N(c.x[big]), N(x->m->grad_clip));
    } else if (spikes >= t->min_spikes) {
        size_t i0 = x->nev;
        const char *peak = PT(&c, big);
        const char *med = MED(&c, big - t->spike_window, big, big_med);

        qsort(ratios, spikes, sizeof(*ratios), cmp_desc);
        passed(x, "spike_ratio", ratios[(size_t)t->min_spikes - 1],
               t->spike_ratio, true);
        ev_ratio(x, i0, i0 + 1);
        add_or_attach(x, d, DIAG_UNSTABLE,
                      xasprintf("%s spiked to at least %s times its running "
                                "median %s times (the first at %s %s, the "
                                "largest %s, %s times %s, at %s %s)",
                                c.name, THR(spike_ratio), TALLY(c.name, spikes),
                                c.xname, XAT(&c, first), peak,
                                N(round(big_ratio)), med, c.xname,
                                N(c.x[big])));
        advise(d, DIAG_UNSTABLE, ADVICE_GRAD_SPIKES, big_med);
    }
    free(ratios);
}

/*
 * Vanishing gradients: the median grad_norm of the last quarter of the
 * run is below vanish_ratio of that of the first tenth while the training
 * loss kept vanish_keep of its start: the updates died before the model
 * learned. Reported under "underfitting".
 *
 * Defaults: below 1% (vanish_ratio) while train kept half its start
 * (vanish_keep). A converging model's norm also falls 100-1000x, but its
 * loss falls with it.
 */
static void rule_vanishing(struct ctx *x, struct diagnosis *d)
{
    const struct diag_thresholds *t = x->t;
    const struct column *g = metrics_find_role(x->m, ROLE_GRAD_NORM);
    struct curve c;
    size_t kh, kt;
    double head, tail, keep = keep_of(&x->train);
    NUMBUFS;

    if (!g)
        return;
    c = x->grad;
    if (c.n < 2 * t->min_points || !(keep >= t->vanish_keep))
        return;
    kh = c.n / 10 > t->min_points ? c.n / 10 : t->min_points;
    kt = c.n / 4 > t->min_points ? c.n / 4 : t->min_points;
    head = smooth_median(c.y, kh);
    tail = smooth_median(c.y + c.n - kt, kt);
    if (!(head > 0) || tail > t->vanish_ratio * head)
        return;
    {
        size_t i0 = x->nev;
        const char *h = MED(&c, 0, kh, head);
        const char *tl = MED(&c, c.n - kt, c.n, tail);
        char *k;

        ev_ratio(x, i0 + 1, i0);
        k = ev_keep(x, &x->train);
        add_or_attach(x, d, DIAG_UNDERFITTING,
                      xasprintf("%s fell from %s to %s (%s%% of it) while "
                                "%s %s: the gradients vanished",
                                c.name, h, tl,
                                N(round(tail / head * 10000) / 100),
                                x->train.name, k));
        free(k);
    }
    advise(d, DIAG_UNDERFITTING, ADVICE_VANISHING, NAN);
}

/*
 * The size of the updates: update_ratio (|w_after - w_before| / |w|)
 * against the rule of thumb ratio_target. The median of the last quarter
 * (at least min_points) far below (ratio_far times) says the learning
 * rate is too low, which explains an underfitting, plateau or bad_init
 * finding; far above says too high, which explains an unstable one.
 * Attached to the finding it explains, else a side observation.
 *
 * Defaults: about 1e-3 is the rule of thumb (ratio_target, CS231n); 10x
 * either way is "far" (ratio_far; healthy labelled runs lie within
 * 1.7e-4 .. 4e-3).
 */
static void rule_update_ratio(struct ctx *x, struct diagnosis *d)
{
    const struct diag_thresholds *t = x->t;
    const struct column *u = metrics_find(x->m, "update_ratio");
    struct curve c;
    size_t k;
    double tail;
    int off; /* -1 far below the target, 1 far above */
    char *e;
    NUMBUFS;

    if (!u) {
        unchecked(x, "update size (no update_ratio column)");
        return;
    }
    curve_load(&c, x->m, u, false);
    if (c.n < t->min_points)
        goto out;
    k = c.n / 4 > t->min_points ? c.n / 4 : t->min_points;
    tail = smooth_median(c.y + c.n - k, k);
    if (tail * t->ratio_far < t->ratio_target) {
        off = -1;
        advise(d, DIAG_UNDERFITTING, ADVICE_LR_LOW, NAN);
        advise(d, DIAG_PLATEAU, ADVICE_LR_LOW, NAN);
    } else if (tail > t->ratio_far * t->ratio_target) {
        off = 1;
    } else {
        /* A normal update size points at the model's capacity. */
        advise(d, DIAG_UNDERFITTING, ADVICE_CAPACITY, NAN);
        goto out;
    }
    {
        size_t i0 = x->nev;
        const char *level = MED(&c, c.n - k, c.n, tail);
        const char *target = THR(ratio_target);
        double r = off < 0 ? ev_ratio(x, i0 + 1, i0) : ev_ratio(x, i0, i0 + 1);

        e = xasprintf("%s is %s, %s times %s the usual %s: the learning rate "
                      "is too %s",
                      c.name, level, N(round(r)), off < 0 ? "below" : "above",
                      target, off < 0 ? "low" : "high");
    }
    if (off > 0 ? attach(x, d, DIAG_UNSTABLE, xstrdup(e))
                : attach(x, d, DIAG_UNDERFITTING, xstrdup(e)) ||
                      attach(x, d, DIAG_PLATEAU, xstrdup(e)) ||
                      attach(x, d, DIAG_BAD_INIT, xstrdup(e))) {
        free(e);
        goto out;
    }
    aside(x, "%s.", e);
    free(e);
out:
    curve_release(&c);
}

/* The held-out curve that judges the run: the rule's metric if logged. */
static const struct column *held_out(const struct metrics *m,
                                     const struct rule *rule, bool *maximize)
{
    const struct column *c = metrics_find(m, rule->metric);

    *maximize = rule->maximize;
    if (c)
        return c;
    *maximize = false;
    if ((c = metrics_find_role(m, ROLE_VAL_LOSS)))
        return c;
    *maximize = true;
    return metrics_find_role(m, ROLE_VAL_ACC);
}

/*
 * Sort by rank (the enum order), keeping the order of equal codes. The
 * list is short, so an insertion sort is the clear choice.
 */
static void rank(struct diagnosis *d)
{
    for (size_t i = 1; i < d->n; i++) {
        struct finding f = d->f[i];
        size_t j = i;

        for (; j > 0 && d->f[j - 1].code > f.code; j--)
            d->f[j] = d->f[j - 1];
        d->f[j] = f;
    }
}

/*
 * The advice rows: for each code (and, where the facts found change it,
 * each advice of that code), the symptom, the first check, the one next
 * change and the success rule of the decision record. A NULL field is the
 * code's default row's. The text is filled by fill(): {x} the x column,
 * {metric} the rule's metric, {train} the training curve, {beat} what the
 * next run's best must beat, {at} the finding's number, {nclass} the
 * number of classes, {init_limit} init_ratio x ln(classes), {=name} a
 * threshold's value and {%name} it as a percentage.
 */
static const struct advice_row {
    enum diag_code code;
    enum advice advice;
    const char *symptom, *first_check, *action, *success;
} advice_rows[] = {
    {DIAG_NON_FINITE, ADVICE_DEFAULT,
     "non-finite values (nan or inf) in the log",
     "the first row where a value became non-finite: the gradient norms "
     "and the learning rate just before it, then inputs and labels for "
     "invalid values",
     "lower the learning rate 10x (keep everything else as it is)",
     "no nan or inf over as many {x}s, and {beat}"},
    {DIAG_NON_FINITE, ADVICE_NAN_FROM_START, NULL,
     "the loss on one batch before any update: the log is non-finite from "
     "its first value, so either the loss or the inputs are broken (a log "
     "of a softmax, a division by zero) or the first epoch's updates blew "
     "up",
     "if that loss is already non-finite, compute it with a numerically "
     "stable function (cross-entropy on logits); if it is finite, lower "
     "the learning rate 10x",
     NULL},
    {DIAG_PREDICTION_COLLAPSE, ADVICE_DEFAULT,
     "predictions collapsed onto one class",
     "class balance of the training labels, target encoding, output layer "
     "shape and the loss function",
     "weight the loss by inverse class frequency (or resample to balance "
     "the classes)",
     "no class takes {%collapse_share}% or more of the validation "
     "predictions, and {beat}"},
    {DIAG_METRIC_SHIFT, ADVICE_DEFAULT,
     "a held-out metric stepped suddenly without the training curve",
     "the data loader, the validation preprocessing and the split at {x} "
     "{at}: print a validation batch from before and after",
     "re-run validation from {x} {at} on a fixed, versioned split with the "
     "preprocessing of the start",
     "the held-out curve has no step at {x} {at} that {train} lacks, and "
     "{beat}"},
    {DIAG_METRIC_SHIFT, ADVICE_DEAD_METRIC,
     "a held-out metric never changes while the model trains",
     "the held-out labels and the evaluation code: print the predictions "
     "and targets of one validation batch",
     "fix the validation labels or the metric computation, then re-run "
     "validation on the saved checkpoints",
     "every held-out metric varies across {x}s as {train} falls, and "
     "{beat}"},
    {DIAG_SUSPECTED_LEAKAGE, ADVICE_DEFAULT,
     "the held-out accuracy is steadily above the training accuracy",
     "dropout or augmentation that acts only in training first (re-measure "
     "the training accuracy in evaluation mode); if the gap stays, "
     "duplicates or shared entities between the splits",
     "evaluate the training set in evaluation mode and deduplicate the "
     "held-out set against it; change nothing in training",
     "the held-out accuracy is no longer above the training accuracy by "
     "{%leak_gap} points or more"},
    {DIAG_SUSPECTED_LEAKAGE, ADVICE_PERFECT_SCORE, NULL,
     "the split first: duplicates or shared entities between training and "
     "held-out data (a perfect held-out score is rarely earned); then "
     "dropout or augmentation that acts only in training",
     NULL, NULL},
    {DIAG_BAD_INIT, ADVICE_DEFAULT,
     "the initial loss is far from that of a fresh model",
     "the weight initialisation scale and the output layer bias",
     "use the framework's default initialisation (or scale the initial "
     "weights down)",
     "the first {train} is below {init_limit} ({=init_ratio} times ln "
     "{nclass}), and {beat}"},
    {DIAG_UNSTABLE, ADVICE_DEFAULT, "the loss jumps up and down",
     "the learning rate, the batch size and the gradient norms around the "
     "jumps",
     "halve the learning rate (keep everything else as it is)",
     "{train} falls without jumps (no rise above {%jump_frac}% of its "
     "level), and {beat}"},
    {DIAG_UNSTABLE, ADVICE_HELDOUT_NOISE,
     "the held-out curve jumps while the training loss falls smoothly",
     "the size of the held-out set and how its metric is computed (a few "
     "hundred examples, or one batch, make a noisy measure)",
     "evaluate on a larger held-out set (or average over more batches), "
     "keeping the training as it is",
     "{metric} moves without jumps (no rise above {%jump_frac}% of its "
     "level), and {beat}"},
    {DIAG_UNSTABLE, ADVICE_GRAD_SPIKES, NULL, NULL,
     "clip the gradient norm at {at} (about its running median), keeping "
     "the learning rate",
     NULL},
    {DIAG_OVERFITTING, ADVICE_DEFAULT,
     "training improves while the held-out curve worsens",
     "the data split (no leakage, no duplicates) and the augmentation",
     "add regularisation: double the weight decay (or raise dropout), and "
     "keep the best checkpoint, not the last",
     "{metric} ends within {%rel_worsen}% of its best, and {beat}"},
    {DIAG_OVERFITTING, ADVICE_BOOSTING, NULL,
     "that the eval set is the held-out data the model will meet (not a "
     "slice of the training set)",
     "keep the trees up to the best iteration (use_best_model with "
     "early_stopping_rounds), or lower the learning rate or the depth and "
     "let early stopping pick the number of iterations",
     NULL},
    {DIAG_PLATEAU, ADVICE_DEFAULT,
     "the loss stopped improving for a long stretch",
     "the learning-rate schedule around the start of the plateau",
     "decay the learning rate 10x where the plateau starts",
     "{train} moves again after the same point (by more than "
     "{%plateau_gain}%), and {beat}"},
    {DIAG_PLATEAU, ADVICE_HELDOUT_FLAT,
     "training fits its data while the held-out curve stays near its first "
     "value",
     "that the held-out data is labelled and preprocessed as the training "
     "data is, and that the features carry signal for the target",
     "simplify the model: halve its capacity (fewer units or layers; for "
     "gradient boosting, a smaller depth)",
     "{metric} improves on its first value by more than {%flat_gain}%, and "
     "{beat}"},
    {DIAG_PLATEAU, ADVICE_LR_LOW, NULL, NULL,
     "raise the learning rate 3x (the updates are far below 1e-3 of the "
     "weights)",
     NULL},
    {DIAG_PLATEAU, ADVICE_DECAY_EARLY, NULL,
     "the learning-rate schedule: the rate fell at {x} {at} while the loss "
     "was still falling fast",
     "decay the learning rate later: keep the initial rate until the loss "
     "stops improving (or decay on a plateau)",
     "{train} keeps falling after {x} {at}, and {beat}"},
    {DIAG_UNDERFITTING, ADVICE_DEFAULT,
     "training and held-out losses both stay high",
     "the learning rate, the model capacity and the labels of a sample "
     "batch",
     "raise the learning rate 3x (or, if it is already high, widen the "
     "model)",
     "{train} ends below {%underfit_keep}% of its start, and {beat}"},
    {DIAG_UNDERFITTING, ADVICE_VANISHING, NULL, NULL,
     "add normalisation (batch or layer norm) before the saturating "
     "activations, so gradients reach the early layers",
     NULL},
    {DIAG_UNDERFITTING, ADVICE_LR_LOW, NULL, NULL,
     "raise the learning rate 10x (the updates are far below 1e-3 of the "
     "weights)",
     NULL},
    {DIAG_UNDERFITTING, ADVICE_NOT_LEARNING, NULL,
     "that the weights change at all: the optimizer steps, no parameters "
     "are frozen by mistake, the learning rate the optimizer really uses",
     "train on one small batch until its loss nears 0, to prove the model "
     "can learn, then set the learning rate from that run",
     NULL},
    {DIAG_UNDERFITTING, ADVICE_CAPACITY, NULL, NULL,
     "double the model's width (the update size is normal, so the "
     "capacity is the suspect)",
     NULL},
    {DIAG_STILL_IMPROVING, ADVICE_DEFAULT,
     "the curve was still improving at the end",
     "whether the run was stopped by a budget or by early stopping",
     "train longer: double the number of epochs", "{beat}"},
    {DIAG_STILL_IMPROVING, ADVICE_BOOSTING, NULL, NULL,
     "double the number of iterations, with early stopping on the eval set "
     "to keep the best one",
     NULL},
    {DIAG_NEED_MORE_SIGNALS, ADVICE_DEFAULT,
     "too little evidence to judge the curves",
     "which metrics the training loop logs and how often",
     "log train_loss and {metric} every {x} and re-run",
     "the log has at least {=min_points} finite values of {metric} and "
     "train_loss"},
    {DIAG_NEED_MORE_SIGNALS, ADVICE_NO_HELDOUT,
     "no held-out curve: the training loss alone shows neither overfitting "
     "nor what more training would give",
     "whether the training loop evaluates on held-out data, and where it "
     "writes the result",
     "evaluate on a held-out split every {x} and log it as {metric} next to "
     "{train}",
     "the log has at least {=min_points} finite values of {metric}"},
    {DIAG_HEALTHY, ADVICE_DEFAULT,
     "both curves improve and the held-out curve flattens without "
     "worsening",
     "nothing to fix in the curves: judge the next run against this one "
     "under the same rule",
     "keep the best checkpoint; change one setting at a time from here",
     "a change is kept only if {beat}"},
};

/* The advice row of (code, advice), or NULL. */
static const struct advice_row *advice_row(enum diag_code code, int advice)
{
    for (size_t i = 0; i < ARRAY_SIZE(advice_rows); i++)
        if (advice_rows[i].code == code && (int)advice_rows[i].advice == advice)
            return &advice_rows[i];
    return NULL;
}

/* What fill() substitutes: the facts of one run and one finding. */
struct fill_ctx {
    const struct ctx *x;
    const struct finding *f;
    const char *beat;
};

/* The value of the marker {name} (name: len bytes) into out. */
static void fill_marker(struct strbuf *out, const char *name, size_t len,
                        const struct fill_ctx *fc)
{
    const struct ctx *x = fc->x;
    char *key = xstrndup(name, len);
    NUMBUFS;

    if (!strcmp(key, "x"))
        strbuf_addstr(out, x->m->xname);
    else if (!strcmp(key, "metric"))
        strbuf_addstr(out, x->rule->metric);
    else if (!strcmp(key, "train"))
        strbuf_addstr(out, x->train.name ? x->train.name : "train_loss");
    else if (!strcmp(key, "beat"))
        strbuf_addstr(out, fc->beat);
    else if (!strcmp(key, "at"))
        strbuf_addstr(out, N(fc->f->at));
    else if (!strcmp(key, "nclass"))
        strbuf_addf(out, "%u", x->nclass);
    else if (!strcmp(key, "init_limit"))
        strbuf_addstr(out, N(x->t->init_ratio * log((double)x->nclass)));
    else if (key[0] == '=' && !isnan(threshold_value(x->t, key + 1)))
        strbuf_addstr(out, N(threshold_value(x->t, key + 1)));
    else if (key[0] == '%' && !isnan(threshold_value(x->t, key + 1)))
        strbuf_addstr(out, N(threshold_value(x->t, key + 1) * 100));
    else
        assert(!"unknown marker in an advice row");
    free(key);
}

/* The advice text tmpl with its markers filled in; the caller frees it. */
static char *fill(const char *tmpl, const struct fill_ctx *fc)
{
    struct strbuf out = STRBUF_INIT;

    for (const char *p = tmpl; *p;) {
        const char *close;

        if (*p == '{' && (close = strchr(p, '}'))) {
            fill_marker(&out, p + 1, (size_t)(close - p - 1), fc);
            p = close + 1;
        } else {
            strbuf_addch(&out, *p++);
        }
    }
    return strbuf_detach(&out, NULL);
}

/*
 * The decision record: the main finding's code gives the decision, its
 * advice row the symptom, first check, next change and success rule.
 * success_gain (0.01): the next run's best must beat this one's by 1%.
 */
static void decide(struct diagnosis *d, const struct ctx *x)
{
    const struct diag_thresholds *t = x->t;
    const struct rule *rule = x->rule;
    const struct best *best = x->best;
    const struct finding *top = &d->f[0];
    const struct advice_row *def = advice_row(top->code, ADVICE_DEFAULT);
    const struct advice_row *row = advice_row(top->code, top->advice);
    struct fill_ctx fc;
    char *beat;
    NUMBUFS;

    assert(def);
    if (!row)
        row = def;
    if (best->found) {
        double target = best->value + (rule->maximize ? 1 : -1) *
                                          t->success_gain * fabs(best->value);

        beat = xasprintf("the best %s of the next run is %s %s (%s%% better "
                         "than %s at %s %s)",
                         rule->metric, rule->maximize ? "above" : "below",
                         N(target), N(t->success_gain * 100), N(best->value),
                         x->m->xname, N(best->x));
    } else {
        beat = xasprintf("the next run logs a finite %s at every %s",
                         rule->metric, x->m->xname);
    }
    fc.x = x;
    fc.f = top;
    fc.beat = beat;
    d->decision = code_defs[top->code].decision;
    d->symptom = fill(row->symptom ? row->symptom : def->symptom, &fc);
    d->first_check =
        fill(row->first_check ? row->first_check : def->first_check, &fc);
    d->action = fill(row->action ? row->action : def->action, &fc);
    d->success = fill(row->success ? row->success : def->success, &fc);
    free(beat);
}

/* The number of classes: the config's, else the pred_count_* columns'. */
static void find_classes(struct ctx *x, unsigned from_config)
{
    size_t k = pred_classes(x->m);

    if (from_config >= 2) {
        x->nclass = from_config;
        x->nclass_from = "num_classes in the config";
    } else if (k >= 2) {
        x->nclass = (unsigned)k;
        x->nclass_from = "the pred_count_* columns";
    }
}

/*
 * Need more signals: the rule's metric has no finite value, or fewer than
 * min_points values of the held-out or training curve were logged.
 */
static void rule_need_more_signals(struct ctx *x, struct diagnosis *d)
{
    char *why;
    NUMBUFS;

    if (x->best->found && x->val.n >= x->t->min_points &&
        x->train.n >= x->t->min_points)
        return;
    if (!x->best->found)
        why = xasprintf("no finite value of the rule's metric '%s'",
                        x->rule->metric);
    else
        why = xasprintf(
            "only %s values of %s and %s values of %s; at "
            "least %s of each are needed to judge a trend",
            x->val.name ? ev_count(x, &nums_, x->val.name, NAN, NAN)
                        : TALLY("val", 0),
            x->val.name ? x->val.name : "val",
            x->train.name ? ev_count(x, &nums_, x->train.name, NAN, NAN)
                          : TALLY("train_loss", 0),
            x->train.name ? x->train.name : "train_loss", THR(min_points));
    if (x->train.n >= x->t->min_points && x->val.n < x->t->min_points) {
        const struct curve *c = &x->train;
        const char *a = PT(c, 0), *b = PT(c, c->n - 1);
        char *joined = xasprintf("%s; %s went from %s at %s %s to %s at %s %s",
                                 why, c->name, a, c->xname, N(c->x[0]), b,
                                 c->xname, N(c->x[c->n - 1]));

        free(why);
        why = joined;
        add(x, d, DIAG_NEED_MORE_SIGNALS, why);
        advise(d, DIAG_NEED_MORE_SIGNALS, ADVICE_NO_HELDOUT, NAN);
        return;
    }
    add(x, d, DIAG_NEED_MORE_SIGNALS, why);
}

/* Healthy: no other rule fired. */
static void rule_healthy(struct ctx *x, struct diagnosis *d)
{
    NUMBUFS;

    const struct curve *tr = &x->train, *v = &x->val;
    size_t vb = best_index(v);
    const char *t0 = PT(tr, 0), *t1 = PT(tr, tr->n - 1);
    const char *v0 = PT(v, 0), *v1 = PT(v, vb);

    add(x, d, DIAG_HEALTHY,
        xasprintf("%s went from %s to %s and %s from %s to a best of %s at "
                  "%s %s, with no rule firing%s",
                  tr->name, t0, t1, v->name, v0, v1, v->xname, N(v->x[vb]),
                  x->unchecked.len ? " on the signals logged (see the "
                                     "note for those that were not)"
                                   : ""));
}

#define CODE_BIT(code) (1u << DIAG_##code)
#define ALL_CODES ((1u << DIAG__COUNT) - 1)

/*
 * The rule table: one row per rule, run in this order, which is the
 * troubleshooting order (curves, predictions, data, curve shapes, then
 * gradients and the size of the updates, which run last because they
 * attach to the curve findings they explain, and then what is left).
 * rank() then sorts the findings by code. A rule is skipped when a
 * finding of a code in its unless mask exists (a curve cut short by nan
 * has neither stalled nor is it "still improving": the non-finite finding
 * already says what happened). Its thresholds are the rows of
 * DIAG_THRESHOLDS that name it as owner; the advice of the codes it
 * yields is in advice_rows[]. Adding a rule: a row here, its function,
 * its thresholds in diagnose.h, its tests and its entry in reportgen(1).
 */
static const struct rule_def {
    const char *name;
    void (*check)(struct ctx *x, struct diagnosis *d);
    unsigned yields; /* the codes it may add (bits of enum diag_code) */
    unsigned unless; /* skipped when one of these codes was found */
} rule_defs[] = {
    {"non_finite", rule_non_finite, CODE_BIT(NON_FINITE), 0},
    {"collapse", rule_collapse, CODE_BIT(PREDICTION_COLLAPSE), 0},
    {"dead_metric", rule_dead_metric, CODE_BIT(METRIC_SHIFT), 0},
    {"metric_shift", rule_metric_shift, CODE_BIT(METRIC_SHIFT), 0},
    {"leakage", rule_leakage, CODE_BIT(SUSPECTED_LEAKAGE), 0},
    {"bad_init", rule_bad_init, CODE_BIT(BAD_INIT), 0},
    {"overfitting", rule_overfitting, CODE_BIT(OVERFITTING), 0},
    {"unstable", rule_unstable, CODE_BIT(UNSTABLE), 0},
    {"decay", rule_decay, CODE_BIT(PLATEAU), 0},
    {"stall", rule_stall, CODE_BIT(UNDERFITTING) | CODE_BIT(PLATEAU),
     CODE_BIT(NON_FINITE)},
    {"heldout_flat", rule_heldout_flat, CODE_BIT(PLATEAU),
     CODE_BIT(NON_FINITE) | CODE_BIT(UNSTABLE) | CODE_BIT(OVERFITTING)},
    {"underfitting", rule_underfitting,
     CODE_BIT(UNDERFITTING) | CODE_BIT(PLATEAU),
     CODE_BIT(NON_FINITE) | CODE_BIT(UNSTABLE)},
    {"still_improving", rule_still_improving, CODE_BIT(STILL_IMPROVING),
     CODE_BIT(NON_FINITE) | CODE_BIT(UNSTABLE) | CODE_BIT(OVERFITTING) |
         CODE_BIT(UNDERFITTING)},
    {"grad_spikes", rule_grad_spikes, CODE_BIT(UNSTABLE), 0},
    {"vanishing", rule_vanishing, CODE_BIT(UNDERFITTING), 0},
    {"update_ratio", rule_update_ratio, 0, 0},
    {"need_more_signals", rule_need_more_signals, CODE_BIT(NEED_MORE_SIGNALS),
     0},
    {"healthy", rule_healthy, CODE_BIT(HEALTHY), ALL_CODES},
};

const char *diag_rule_name(size_t i)
{
    return i < ARRAY_SIZE(rule_defs) ? rule_defs[i].name : NULL;
}

bool diag_rule_yields(size_t i, enum diag_code code)
{
    return i < ARRAY_SIZE(rule_defs) && (rule_defs[i].yields >> code & 1);
}

bool diag_has_advice(enum diag_code code)
{
    return advice_row(code, ADVICE_DEFAULT) != NULL;
}

/* The codes found so far, as bits of enum diag_code. */
static unsigned found_codes(const struct diagnosis *d)
{
    unsigned bits = 0;

    for (size_t i = 0; i < d->n; i++)
        bits |= 1u << d->f[i].code;
    return bits;
}

void diag_run(const struct metrics *m, const struct rule *rule,
              const struct best *best, const struct diag_options *opt,
              struct diagnosis *d)
{
    struct diag_options defaults;
    struct ctx x;
    bool val_max, train_max = false;
    const struct column *vcol = held_out(m, rule, &val_max);
    const struct column *tcol = metrics_find_role(m, ROLE_TRAIN_LOSS);

    if (!opt) {
        diag_options_init(&defaults);
        opt = &defaults;
    }
    memset(&x, 0, sizeof(x));
    x.m = m;
    x.rule = rule;
    x.t = &opt->t;
    x.select_best = opt->select_best;
    x.best = best;
    strbuf_init(&x.unchecked, 0);
    strbuf_init(&x.aside, 0);
    if (!tcol) {
        tcol = metrics_find_role(m, ROLE_TRAIN_ACC);
        train_max = true;
    }
    curve_load(&x.train, m, tcol, train_max);
    curve_load(&x.val, m, vcol, val_max);
    curve_smooth(&x.train, x.t);
    curve_smooth(&x.val, x.t);
    curve_load(&x.grad, m, metrics_find_role(m, ROLE_GRAD_NORM), false);
    find_classes(&x, opt->num_classes);
    find_trained_start(&x);
    if (x.val.n < x.t->min_points)
        unchecked(&x, "overfitting, metric shift and leakage (no held-out "
                      "curve with enough finite values)");
    if (x.train.n < x.t->min_points)
        unchecked(&x, "instability, plateau and underfitting (no training "
                      "curve with enough finite values)");
    for (size_t i = 0; i < ARRAY_SIZE(rule_defs); i++) {
        margin_clear(&x);
        if (!(found_codes(d) & rule_defs[i].unless))
            rule_defs[i].check(&x, d);
        ev_clear(&x);
    }
    rank(d);
    decide(d, &x);
    if (x.unchecked.len || x.aside.len) {
        struct strbuf note = STRBUF_INIT;

        if (x.unchecked.len)
            strbuf_addf(&note, "Not checked: %s.", x.unchecked.buf);
        if (x.unchecked.len && x.aside.len)
            strbuf_addch(&note, ' ');
        strbuf_addstr(&note, x.aside.buf);
        d->note = strbuf_detach(&note, NULL);
    }
    strbuf_release(&x.unchecked);
    strbuf_release(&x.aside);
    curve_release(&x.train);
    curve_release(&x.val);
    curve_release(&x.grad);
}
