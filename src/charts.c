/*
 * charts.c - the charts of a report: what goes on which chart.
 *
 * A run's loss chart pairs train_loss with val_loss and its accuracy
 * chart train_acc with val_acc, because the gap between the two is what a
 * reader looks for first; the predictions per class share one chart so
 * that a collapse shows as one line taking everything; every other column
 * gets a chart of its own. The comparison page overlays the rule's metric
 * of the baseline and the leading runs, from the reduced copies kept
 * after each run's series was freed.
 */
#include "charts.h"

#include <ctype.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "plot.h"
#include "strbuf.h"
#include "util.h"
#include "banned.h"

/* A chart being assembled: the series and the storage behind them. */
struct chart {
    struct plot_series series[16];
    double *owned[48];
    size_t nseries, nowned;
};

static void chart_release(struct chart *c)
{
    for (size_t i = 0; i < c->nowned; i++)
        free(c->owned[i]);
    memset(c, 0, sizeof(*c));
}

/* Add column col as a series; false when the chart is full. */
static bool chart_add(struct chart *c, const struct metrics *m,
                      const struct column *col, enum plot_style style)
{
    struct plot_series *s;
    double *bad;
    size_t nbad = 0;

    if (c->nseries == ARRAY_SIZE(c->series))
        return false;
    s = &c->series[c->nseries++];
    memset(s, 0, sizeof(*s));
    s->label = col->name;
    s->style = style;
    /* The column itself: plot.c skips its missing and non-finite rows. */
    s->x = numvec_view(&m->x);
    s->y = numvec_view(&col->v);
    s->n = m->nrows;
    bad = xmalloc((m->nrows ? m->nrows : 1) * sizeof(*bad));
    for (size_t r = metrics_next_nonfinite(m, col, 0); r != SIZE_MAX;
         r = metrics_next_nonfinite(m, col, r + 1))
        bad[nbad++] = metrics_x(m, r);
    s->bad_x = bad;
    s->nbad = nbad;
    c->owned[c->nowned++] = bad;
    return true;
}

/*
 * Draw one chart of run r and write it beside the run's page. The best
 * checkpoint is marked on the chart that holds the rule's metric.
 */
static int draw(struct site *site, const struct run *r, struct run_drawn *d,
                const struct metrics *m, const struct rule *rule,
                struct chart *c, const char *file, const char *title,
                const char *ylabel)
{
    struct plot_spec spec;
    struct strbuf svg = STRBUF_INIT;
    char *rel, *label = NULL;
    int ret;

    memset(&spec, 0, sizeof(spec));
    spec.title = title;
    spec.xlabel = m->xname;
    spec.ylabel = ylabel;
    spec.series = c->series;
    spec.nseries = c->nseries;
    for (size_t i = 0; i < c->nseries && r->an.best.found; i++) {
        if (!strcmp(c->series[i].label, rule->metric)) {
            char x[FMT_NUM_SIZE], v[FMT_NUM_SIZE];

            label = xasprintf("best %s %s: %s", m->xname,
                              fmt_num(x, sizeof(x), r->an.best.x),
                              fmt_num(v, sizeof(v), r->an.best.value));
            spec.has_marker = true;
            spec.marker_x = r->an.best.x;
            spec.marker_y = r->an.best.value;
            spec.marker_label = label;
        }
    }
    ret = plot_svg(&spec, &svg);
    if (!ret) {
        rel = run_file_path(r, file);
        ret = site_write_buf(site, rel, &svg);
        free(rel);
    }
    if (!ret)
        run_drawn_add_chart(d, file, title, spec.has_marker);
    free(label);
    strbuf_release(&svg);
    chart_release(c);
    return ret;
}

/* Charts that pair a training and a held-out series. */
static int draw_pair(struct site *site, const struct run *r,
                     struct run_drawn *d, const struct metrics *m,
                     const struct rule *rule, enum metric_role train,
                     enum metric_role val, const char *file, const char *title)
{
    const struct column *t = metrics_find_role(m, train);
    const struct column *v = metrics_find_role(m, val);
    struct chart c;

    if (!t && !v)
        return 0;
    memset(&c, 0, sizeof(c));
    if (t)
        chart_add(&c, m, t, PLOT_TRAIN);
    if (v)
        chart_add(&c, m, v, PLOT_VAL);
    return draw(site, r, d, m, rule, &c, file, title, title);
}

/* Does column col get a chart of its own (not a pair, not predictions)? */
static bool own_chart(const struct column *col)
{
    switch (col->role) {
    case ROLE_TRAIN_LOSS:
    case ROLE_VAL_LOSS:
    case ROLE_TRAIN_ACC:
    case ROLE_VAL_ACC:
    case ROLE_PRED_COUNT:
        return false;
    default:
        return true;
    }
}

/*
 * Choose which columns get a chart of their own when left charts
 * remain: the ones reportgen knows first, then the others in log order.
 * drawn[i] is set for each chosen column.
 */
static void choose_columns(const struct metrics *m, size_t left, bool *drawn)
{
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < m->ncols && left; i++)
            if (own_chart(&m->cols[i]) &&
                (m->cols[i].role == ROLE_OTHER) == (pass == 1)) {
                drawn[i] = true;
                left--;
            }
}

/* Does name hold word as a whole token (between non-alphanumerics)? */
static bool has_token(const char *name, const char *word)
{
    size_t n = strlen(word);

    for (const char *p = name; (p = strstr(p, word)); p++) {
        bool start = p == name || !isalnum((unsigned char)p[-1]);
        bool end = !isalnum((unsigned char)p[n]);

        if (start && end)
            return true;
    }
    return false;
}

/*
 * Is col not a metric a reader judges a run by? A column that never
 * changes (a constant learning rate), or a counter or a clock (step,
 * epoch, time, throughput, memory) whose name has no metric word: its
 * chart would take as much room as the loss and say nothing, so the page
 * folds it away. "train_loss_step" is a metric; the rule's metric and a
 * slice never fold.
 */
static bool is_minor(const struct metrics *m, const struct column *col,
                     const struct rule *rule)
{
    static const char *const clocks[] = {
        "step",      "steps", "epoch",   "time",       "eta",    "seconds",
        "runtime",   "per",   "second",  "throughput", "memory", "mem",
        "timestamp", "iter",  "samples", "tokens",
    };
    static const char *const metric_words[] = {
        "loss",  "acc", "accuracy",   "error",     "err",    "f1",   "auc",
        "map",   "iou", "score",      "precision", "recall", "dice", "bleu",
        "rouge", "ppl", "perplexity", "mae",       "mse",    "rmse",
    };
    struct series_stats st;
    size_t i;

    if ((rule->metric && !strcmp(col->name, rule->metric)) ||
        col->role == ROLE_SLICE)
        return false;
    metrics_stats(m, col, &st);
    if (st.n && st.min == st.max)
        return true;
    if (col->role != ROLE_OTHER)
        return false;
    for (i = 0; i < ARRAY_SIZE(metric_words); i++)
        if (has_token(col->name, metric_words[i]))
            return false;
    for (i = 0; i < ARRAY_SIZE(clocks); i++)
        if (has_token(col->name, clocks[i]))
            return true;
    return false;
}

/* Summarise column col in d->folded, for a table instead of a chart. */
static void fold(struct run_drawn *d, const struct metrics *m,
                 const struct column *col)
{
    struct folded_column *f;
    struct series_stats st;

    metrics_stats(m, col, &st);
    d->folded = xreallocarray(d->folded, d->nfolded + 1, sizeof(*d->folded));
    f = &d->folded[d->nfolded++];
    f->name = xstrdup(col->name);
    f->n = st.n;
    f->min = st.min;
    f->max = st.max;
    f->last = st.n ? metrics_v(col, st.last) : NAN;
}

int charts_draw_run(struct site *site, const struct run *r,
                    const struct metrics *m, const struct rule *rule,
                    struct run_drawn *d)
{
    struct chart c;
    bool any_pred = false, *drawn;

    if (draw_pair(site, r, d, m, rule, ROLE_TRAIN_LOSS, ROLE_VAL_LOSS,
                  "loss.svg", "loss") ||
        draw_pair(site, r, d, m, rule, ROLE_TRAIN_ACC, ROLE_VAL_ACC,
                  "accuracy.svg", "accuracy"))
        return -1;

    /* Predictions per class share one chart: the collapse shows there. */
    memset(&c, 0, sizeof(c));
    for (size_t i = 0; i < m->ncols; i++)
        if (m->cols[i].role == ROLE_PRED_COUNT)
            any_pred |= chart_add(&c, m, &m->cols[i], PLOT_OTHER);
    if (any_pred && draw(site, r, d, m, rule, &c, "predictions.svg",
                         "validation predictions per class", "count"))
        return -1;
    chart_release(&c);

    drawn = xcalloc(m->ncols ? m->ncols : 1, sizeof(*drawn));
    choose_columns(m, CHARTS_MAX_PER_RUN - d->ncharts, drawn);
    for (size_t i = 0; i < m->ncols; i++) {
        const struct column *col = &m->cols[i];
        char *slug, *file;
        int ret;

        if (!own_chart(col))
            continue;
        if (!drawn[i]) {
            fold(d, m, col);
            continue;
        }
        memset(&c, 0, sizeof(c));
        chart_add(&c, m, col, col->role == ROLE_SLICE ? PLOT_VAL : PLOT_OTHER);
        slug = slugify(col->name);
        file = xasprintf("m-%s.svg", slug);
        ret = draw(site, r, d, m, rule, &c, file, col->name, col->name);
        if (!ret)
            d->charts[d->ncharts - 1].minor = is_minor(m, col, rule);
        free(slug);
        free(file);
        if (ret) {
            free(drawn);
            return -1;
        }
    }
    free(drawn);
    return 0;
}

size_t charts_main(const struct run_drawn *d)
{
    for (size_t i = 0; i < d->ncharts; i++)
        if (d->charts[i].best)
            return i;
    return 0;
}

struct strbuf *charts_read_svgs(const struct site *site, const struct run *r,
                                size_t only)
{
    const struct run_drawn *d = &r->drawn;
    struct strbuf *svgs = xcalloc(d->ncharts ? d->ncharts : 1, sizeof(*svgs));
    int bad = 0;

    for (size_t c = 0; c < d->ncharts; c++) {
        char *rel;

        strbuf_init(&svgs[c], 0);
        if (only < d->ncharts && c != only)
            continue;
        rel = run_file_path(r, d->charts[c].file);
        bad |= site_read(site, rel, &svgs[c]);
        free(rel);
    }
    if (bad) {
        charts_free_svgs(r, svgs);
        return NULL;
    }
    return svgs;
}

/*
 * The compact chart of r's rule metric from the reduced curve its
 * analysis kept, with its training loss when the metric is the held-out
 * loss (the pair its loss chart shows); false when it kept no curve.
 */
static bool draw_mini(const struct run *r, struct plot_shared *shared,
                      struct strbuf *out)
{
    const struct run_analysis *an = &r->an;
    struct plot_series series[2];
    struct plot_spec spec;
    char x[FMT_NUM_SIZE], v[FMT_NUM_SIZE], *label = NULL, *title;
    const char *xname = r->read.xname ? r->read.xname : "step";

    if (!an->ncurve || !an->rule.metric)
        return false;
    memset(series, 0, sizeof(series));
    memset(&spec, 0, sizeof(spec));
    series[0].label = an->rule.metric;
    series[0].style = PLOT_VAL;
    series[0].x = numview_of(an->curve_x);
    series[0].y = numview_of(an->curve_y);
    series[0].n = an->ncurve;
    series[0].bad_x = an->curve_bad;
    series[0].nbad = an->ncurve_bad;
    spec.nseries = 1;
    if (an->ntrain && an->train_name &&
        metrics_role_of(an->rule.metric) == ROLE_VAL_LOSS) {
        series[1].label = an->train_name;
        series[1].style = PLOT_TRAIN;
        series[1].x = numview_of(an->train_x);
        series[1].y = numview_of(an->train_y);
        series[1].n = an->ntrain;
        series[1].bad_x = an->train_bad;
        series[1].nbad = an->ntrain_bad;
        spec.nseries = 2;
    }
    spec.series = series;
    spec.xlabel = xname;
    spec.ylabel = an->rule.metric;
    if (an->best.found) {
        label = xasprintf("best %s %s: %s", xname,
                          fmt_num(x, sizeof(x), an->best.x),
                          fmt_num(v, sizeof(v), an->best.value));
        spec.has_marker = true;
        spec.marker_x = an->best.x;
        spec.marker_y = an->best.value;
        spec.marker_label = label;
    }
    title = spec.nseries == 2
                ? xasprintf("%s and %s of run %s", an->rule.metric,
                            an->train_name, r->name)
                : xasprintf("%s of run %s", an->rule.metric, r->name);
    spec.title = title;
    plot_svg_mini(&spec, shared, out);
    free(label);
    free(title);
    return true;
}

struct strbuf *charts_one_file_svgs(const struct site *site,
                                    const struct run *r,
                                    struct plot_shared *shared)
{
    size_t kept = charts_main(&r->drawn);
    struct strbuf *svgs;

    if (kept >= r->drawn.ncharts || !r->an.ncurve)
        return charts_read_svgs(site, r, kept);
    svgs = xcalloc(r->drawn.ncharts, sizeof(*svgs));
    for (size_t c = 0; c < r->drawn.ncharts; c++)
        strbuf_init(&svgs[c], 0);
    draw_mini(r, shared, &svgs[kept]);
    return svgs;
}

void charts_free_svgs(const struct run *r, struct strbuf *svgs)
{
    if (!svgs)
        return;
    for (size_t c = 0; c < r->drawn.ncharts; c++)
        strbuf_release(&svgs[c]);
    free(svgs);
}

/*
 * The x of the rows of column col of m whose value is nan or inf into
 * *xs (*count of them): every one up to CHARTS_MAX_BAD, else that many
 * spread evenly over them, in order.
 */
static void keep_bad(const struct metrics *m, const struct column *col,
                     size_t *count, double **xs)
{
    struct numreader rd;
    size_t n = 0, k = 0, seen = 0;

    free(*xs);
    *xs = NULL;
    *count = 0;
    metrics_reader(&rd, m, col);
    for (size_t row = 0; row < m->nrows; row++)
        n += metrics_present(col, row) && !isfinite(numreader_at(&rd, row));
    if (!n)
        return;
    *xs = xmalloc((n < CHARTS_MAX_BAD ? n : CHARTS_MAX_BAD) * sizeof(double));
    metrics_reader(&rd, m, col);
    for (size_t row = 0; row < m->nrows; row++) {
        if (!metrics_present(col, row) || isfinite(numreader_at(&rd, row)))
            continue;
        /* The k-th kept is the (k * n / CHARTS_MAX_BAD)-th of them. */
        if (n <= CHARTS_MAX_BAD || seen == k * n / CHARTS_MAX_BAD)
            (*xs)[k++] = metrics_x(m, row);
        seen++;
    }
    *count = k;
}

/*
 * A reduced copy of column col of m into *xs, *ys (*count points): every
 * point up to 400, else the lowest and highest of each of 200 buckets,
 * in order. Every point kept is a logged one.
 */
static void keep_reduced(const struct metrics *m, const struct column *col,
                         size_t *count, double **xs, double **ys)
{
    enum { BUCKETS = 200 };
    struct numreader rd;
    size_t n, k = 0, seen = 0, b = 0, hi, imin = 0, imax = 0;
    double vmin = 0, vmax = 0;

    free(*xs);
    free(*ys);
    (*xs) = xmalloc((2 * BUCKETS + 2) * sizeof(double));
    (*ys) = xmalloc((2 * BUCKETS + 2) * sizeof(double));
    /* Read from the column itself: a long log is never copied whole. */
    n = metrics_count_finite(m, col);
    hi = n / BUCKETS;
    metrics_reader(&rd, m, col);
    for (size_t row = 0; row < m->nrows; row++) {
        double v;

        if (!metrics_present(col, row) || !isfinite(v = numreader_at(&rd, row)))
            continue;
        if (n <= 2 * BUCKETS) {
            (*xs)[k] = metrics_x(m, row);
            (*ys)[k++] = v;
            continue;
        }
        /* Per bucket of points, keep its lowest and highest, in order. */
        if (seen++ == n * b / BUCKETS) {
            imin = imax = row;
            vmin = vmax = v;
        }
        if (v < vmin) {
            imin = row;
            vmin = v;
        }
        if (v > vmax) {
            imax = row;
            vmax = v;
        }
        if (seen < hi)
            continue;
        if (imin == imax) {
            (*xs)[k] = metrics_x(m, imin);
            (*ys)[k++] = vmin;
        } else {
            size_t first = imin < imax ? imin : imax;
            size_t second = imin < imax ? imax : imin;

            (*xs)[k] = metrics_x(m, first);
            (*ys)[k++] = first == imin ? vmin : vmax;
            (*xs)[k] = metrics_x(m, second);
            (*ys)[k++] = second == imin ? vmin : vmax;
        }
        hi = n * (++b + 1) / BUCKETS;
    }
    *count = k;
}

void charts_keep_curve(struct run_analysis *an, const struct metrics *m,
                       const struct column *col)
{
    keep_reduced(m, col, &an->ncurve, &an->curve_x, &an->curve_y);
    keep_bad(m, col, &an->ncurve_bad, &an->curve_bad);
}

void charts_keep_train(struct run_analysis *an, const struct metrics *m)
{
    const struct column *col = metrics_find_role(m, ROLE_TRAIN_LOSS);

    if (!col)
        return;
    free(an->train_name);
    an->train_name = xstrdup(col->name);
    keep_reduced(m, col, &an->ntrain, &an->train_x, &an->train_y);
    keep_bad(m, col, &an->ntrain_bad, &an->train_bad);
}

int charts_draw_overlay(struct site *site, const struct run_set *set,
                        const struct comparison *cmp, const struct rule *rule,
                        size_t top_n, const char *rel, bool *drawn)
{
    struct plot_series *series;
    struct plot_spec spec;
    struct strbuf svg = STRBUF_INIT;
    size_t n = 0, shown = 0;
    const char *xname = "epoch";
    char *title;
    int ret;

    *drawn = false;
    series = xcalloc(top_n + 1, sizeof(*series));
    if (cmp->baseline != SIZE_MAX && set->runs[cmp->baseline].an.ncurve) {
        const struct run *b = &set->runs[cmp->baseline];

        series[n].label = b->name;
        series[n].style = PLOT_TRAIN;
        series[n].x = numview_of(b->an.curve_x);
        series[n].y = numview_of(b->an.curve_y);
        series[n++].n = b->an.ncurve;
        xname = b->read.xname;
    }
    for (size_t i = 0; i < set->n && shown < top_n; i++) {
        const struct run *r = &set->runs[cmp->order[i]];

        if (cmp->order[i] == cmp->baseline || !r->an.ncurve ||
            r->status != RUN_OK)
            continue;
        series[n].label = r->name;
        series[n].style = PLOT_OTHER;
        series[n].x = numview_of(r->an.curve_x);
        series[n].y = numview_of(r->an.curve_y);
        series[n++].n = r->an.ncurve;
        if (n == 1)
            xname = r->read.xname;
        shown++;
    }
    if (!n) {
        free(series);
        return 0;
    }
    memset(&spec, 0, sizeof(spec));
    if (shown == 1)
        title = xasprintf("%s of %sthe top run", rule->metric,
                          n > shown ? "the baseline and " : "");
    else
        title = xasprintf("%s of %sthe top %zu runs", rule->metric,
                          n > shown ? "the baseline and " : "", shown);
    spec.title = title;
    spec.xlabel = xname;
    spec.ylabel = rule->metric;
    spec.series = series;
    spec.nseries = n;
    ret = plot_svg(&spec, &svg);
    if (!ret)
        ret = site_write_buf(site, rel, &svg);
    *drawn = !ret;
    free(title);
    free(series);
    strbuf_release(&svg);
    return ret;
}

static int cmp_cstr(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The index of value in the sorted, distinct cats[0..n), which holds it. */
static size_t cat_index(const char *const *cats, size_t n, const char *value)
{
    const char *const *hit = bsearch(&value, cats, n, sizeof(*cats), cmp_cstr);

    return hit ? (size_t)(hit - cats) : 0;
}

/*
 * Draw the chart of setting key, from its runs' values and best values;
 * ch is filled (but for its file, set by the caller) and written.
 */
static int draw_sweep_one(struct site *site, const struct run_set *set,
                          const struct sweep_key *key, const struct rule *rule,
                          struct sweep_chart *ch)
{
    size_t n = set->n ? set->n : 1, m = 0, ncats = 0;
    double *x = xcalloc(n, sizeof(*x)), *y = xcalloc(n, sizeof(*y));
    const char **names = xcalloc(n, sizeof(*names));
    const char **cats = xcalloc(n, sizeof(*cats));
    size_t *run = xcalloc(n, sizeof(*run));
    struct plot_series series;
    struct plot_spec spec;
    char *title, *ylabel;
    int ret = 0;

    for (size_t i = 0; i < set->n; i++) {
        const struct run *r = &set->runs[i];

        if (!key->value[i]) {
            ch->nunset += r->status != RUN_SKIPPED;
            continue;
        }
        if (r->status != RUN_OK || !r->an.best.found ||
            !isfinite(r->an.best.value)) {
            ch->nno_best++;
            continue;
        }
        run[m] = i;
        names[m] = r->name;
        x[m] = key->numeric ? key->num[i] : 0;
        y[m++] = r->an.best.value;
        if (!key->numeric)
            cats[ncats++] = key->value[i];
    }
    ch->nshown = m;
    if (!key->numeric) {
        /* Categories: the distinct values drawn, in bytewise order. */
        size_t k = 0;

        qsort(cats, ncats, sizeof(*cats), cmp_cstr);
        for (size_t i = 0; i < ncats; i++)
            if (!k || strcmp(cats[i], cats[k - 1]))
                cats[k++] = cats[i];
        ncats = k;
        for (size_t j = 0; j < m; j++)
            x[j] = (double)cat_index(cats, ncats, key->value[run[j]]);
    }
    memset(&series, 0, sizeof(series));
    series.label = rule->metric;
    series.style = PLOT_TRAIN;
    series.x = numview_of(x);
    series.y = numview_of(y);
    series.n = m;
    series.names = names;
    memset(&spec, 0, sizeof(spec));
    title = xasprintf("best %s by %s", rule->metric, key->key);
    ylabel = xasprintf("best %s", rule->metric);
    spec.title = title;
    spec.xlabel = key->key;
    spec.ylabel = ylabel;
    spec.series = &series;
    spec.nseries = 1;
    spec.scatter = true;
    if (!key->numeric) {
        spec.xcats = cats;
        spec.ncats = ncats;
    }
    if (m >= 2) {
        ret = plot_svg(&spec, &ch->svg);
        if (!ret)
            ret = site_write(site, ch->file, ch->svg.buf, ch->svg.len);
    }
    free(title);
    free(ylabel);
    free(x);
    free(y);
    free(names);
    free(cats);
    free(run);
    return ret;
}

int charts_draw_sweep(struct site *site, const struct run_set *set,
                      const struct comparison *cmp, const struct rule *rule,
                      struct sweep_chart **charts, size_t *ncharts)
{
    const struct sweep *sw = &cmp->sweep;
    struct sweep_chart *out;
    size_t n = 0;
    int ret = 0;

    out = xcalloc(sw->nkeys ? sw->nkeys : 1, sizeof(*out));
    for (size_t k = 0; k < sw->nkeys && sw->nruns == set->n && !ret; k++) {
        struct sweep_chart *ch = &out[n];
        char *slug = slugify(sw->keys[k].key);

        memset(ch, 0, sizeof(*ch));
        strbuf_init(&ch->svg, 0);
        ch->key = sw->keys[k].key;
        /* The number keeps two keys that slugify alike apart. */
        ch->file = xasprintf("sweep-%zu-%s.svg", k + 1, slug);
        free(slug);
        ret = draw_sweep_one(site, set, &sw->keys[k], rule, ch);
        n++;
        if (!ch->svg.len) {
            /* Fewer than two points: no chart, nothing to show. */
            free(ch->file);
            strbuf_release(&ch->svg);
            n--;
        }
    }
    *charts = out;
    *ncharts = n;
    if (ret) {
        charts_free_sweep(out, n);
        *charts = NULL;
        *ncharts = 0;
    }
    return ret;
}

void charts_free_sweep(struct sweep_chart *charts, size_t ncharts)
{
    for (size_t i = 0; i < ncharts; i++) {
        free(charts[i].file);
        strbuf_release(&charts[i].svg);
    }
    free(charts);
}
