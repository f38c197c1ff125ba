/*
 * read_catboost.c - CatBoost's training log, the catboost_info/ folder.
 *
 * CatBoost writes, into its train_dir (catboost_info/ by default),
 * learn_error.tsv and, when an eval set is given, test_error.tsv:
 *
 *   iter<TAB>Accuracy<TAB>Logloss
 *   0<TAB>0.8184713376<TAB>0.6867480983
 *
 * one row per boosting iteration (every metric_period iterations), plus
 * time_left.tsv (elapsed and remaining milliseconds), catboost_training.json
 * (the same values again) and learn/, test/ and tmp/ folders, the first two
 * holding TensorBoard event files of the same metrics. The scan claims all
 * of it so that the TensorBoard copy is not read as a second run.
 *
 * Columns: the first loss-type metric (the objective: Logloss, RMSE,
 * MultiClass, ...) becomes train_loss for learn and val_loss for test
 * (CatBoost's eval set is what the other formats call validation);
 * Accuracy becomes train_acc and val_acc; every other metric is
 * train_<metric> or val_<metric>. A metric's parameters (after ':', as in
 * "Quantile:alpha=0.5") do not change what it is. x is the iteration,
 * counted from 0.
 */
#include "formats.h"

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csvload.h"
#include "series.h"
#include "strbuf.h"
#include "util.h"

#include "banned.h"

static const char label[] = "CatBoost training log";

/* Everything in catboost_info/ besides learn_error.tsv. */
static const char *const side_entries[] = {
    "test_error.tsv", "time_left.tsv", "catboost_training.json",
    "learn",          "test",          "tmp",
};

static void scan(struct dir_list *dl, struct candidates *out)
{
    struct dir_entry *e = dir_list_find(dl, "learn_error.tsv");
    struct dir_entry *t = dir_list_find(dl, "test_error.tsv");
    char *line = dir_list_first_line(dl, e), *path, *test = NULL;

    if (line && !strncmp(line, "iter\t", 5)) {
        e->claimed = true;
        dir_list_claim(dl, side_entries, ARRAY_SIZE(side_entries), true);
        if (t && !t->is_dir)
            test = dir_list_path(dl, "test_error.tsv");
        path = dir_list_path(dl, e->name);
        candidates_add(out, &format_catboost, dl->rel, dl->path, path, test);
        free(path);
    }
    free(test);
    free(line);
}

/* CatBoost's loss functions, as its metric names spell them. */
static const char *const losses[] = {
    "Logloss",
    "CrossEntropy",
    "MultiClass",
    "MultiClassOneVsAll",
    "MultiLogloss",
    "MultiCrossEntropy",
    "RMSE",
    "MAE",
    "Quantile",
    "MultiQuantile",
    "Expectile",
    "LogLinQuantile",
    "MAPE",
    "Poisson",
    "Tweedie",
    "Huber",
    "Lq",
    "LogCosh",
    "MultiRMSE",
    "RMSEWithUncertainty",
    "Cox",
    "SurvivalAft",
    "QueryRMSE",
    "QuerySoftMax",
    "PairLogit",
    "PairLogitPairwise",
    "YetiRank",
    "YetiRankPairwise",
    "StochasticFilter",
    "StochasticRank",
    "Focal",
};

/* True when metric (up to ':') is named n. */
static bool is_named(const char *metric, const char *n)
{
    size_t len = strcspn(metric, ":");

    return strlen(n) == len && !strncmp(metric, n, len);
}

static bool is_loss(const char *metric)
{
    size_t i;

    for (i = 0; i < ARRAY_SIZE(losses); i++)
        if (is_named(metric, losses[i]))
            return true;
    return false;
}

struct reader {
    const char *path;
    const char *side;   /* "learn" or "test" */
    const char *prefix; /* "train" or "val" */
    struct metrics *m;
    struct series_points *sp;
    size_t nfields;
    size_t *col; /* metrics column of each field after iter */
    char **names;
    char *err;
};

/* A name for metric that no column has yet: want, or side/metric. */
static size_t add_column(struct reader *rd, const char *want,
                         const char *metric)
{
    char *orig = xasprintf("%s/%s", rd->side, metric);
    size_t col;

    if (metrics_column_index(rd->m, want) != SIZE_MAX)
        want = orig;
    col = metrics_add_column_as(rd->m, want, orig);
    free(orig);
    return col;
}

static int on_header(struct reader *rd, const struct csv_record *rec)
{
    bool have_loss = false;
    size_t i;

    if (strcmp(rec->fields[0], "iter")) {
        rd->err = xasprintf("%s:%zu: not a CatBoost error log: the header "
                            "does not start with 'iter'",
                            rd->path, rec->line);
        return -1;
    }
    rd->nfields = rec->nfields;
    rd->col = xreallocarray(NULL, rec->nfields, sizeof(*rd->col));
    rd->names = xcalloc(rec->nfields, sizeof(*rd->names));
    for (i = 1; i < rec->nfields; i++) {
        const char *metric = rec->fields[i];
        char *want;

        rd->names[i] = xstrdup(metric);
        if (!have_loss && is_loss(metric)) {
            want = xasprintf("%s_loss", rd->prefix);
            have_loss = true;
        } else if (is_named(metric, "Accuracy")) {
            want = xasprintf("%s_acc", rd->prefix);
        } else {
            want = xasprintf("%s_%s", rd->prefix, metric);
        }
        rd->col[i] = add_column(rd, want, metric);
        free(want);
    }
    return 0;
}

static int on_record(const struct csv_record *rec, void *ctx)
{
    struct reader *rd = ctx;
    double x;
    size_t i;

    if (!rd->col)
        return on_header(rd, rec);
    if (rec->nfields != rd->nfields) {
        rd->err = xasprintf("%s:%zu: %zu fields, but the header has %zu",
                            rd->path, rec->line, rec->nfields, rd->nfields);
        return -1;
    }
    if (parse_number(rec->fields[0], &x) < 0 || !isfinite(x)) {
        rd->err = xasprintf("%s:%zu: bad iteration '%s'", rd->path, rec->line,
                            rec->fields[0]);
        return -1;
    }
    for (i = 1; i < rec->nfields; i++) {
        double v;

        if (!*rec->fields[i])
            continue;
        if (parse_number(rec->fields[i], &v) < 0) {
            rd->err = csvload_cell_problem(rd->path, rec->line, rec->fields[i],
                                           rd->names[i]);
            return -1;
        }
        series_points_add(rd->sp, rd->col[i], x, v, rec->line);
    }
    return 0;
}

/* Read one error log into m; -1 with *why set on failure. */
static int read_errors(const char *path, const char *side, const char *prefix,
                       struct metrics *m, struct series_points *sp, char **why)
{
    struct reader rd;
    size_t i;
    int ret;

    memset(&rd, 0, sizeof(rd));
    rd.path = path;
    rd.side = side;
    rd.prefix = prefix;
    rd.m = m;
    rd.sp = sp;
    ret = csvload_each(path, '\t', on_record, &rd, why);
    if (ret < 0 && !*why)
        *why = rd.err;
    else
        free(rd.err);
    if (!ret && !rd.col) {
        *why = xasprintf("%s: empty file", path);
        ret = -1;
    }
    for (i = 0; i < rd.nfields; i++)
        free(rd.names[i]);
    free(rd.names);
    free(rd.col);
    return ret;
}

/* The last iteration of one error log, or NAN when it does not read. */
static double last_iteration(const char *path, const char *side,
                             const char *prefix)
{
    struct metrics *m = metrics_new(path, "step");
    struct series_points sp = SERIES_POINTS_INIT;
    char *why = NULL;
    double last = NAN;

    if (!read_errors(path, side, prefix, m, &sp, &why)) {
        series_points_flush(&sp, m);
        if (m->nrows)
            last = metrics_x(m, m->nrows - 1);
    }
    free(why);
    series_points_release(&sp);
    metrics_free(m);
    return last;
}

static struct metrics *read_catboost(const struct candidate *c, char **why)
{
    struct metrics *m = metrics_new(c->path, "step");
    struct series_points sp = SERIES_POINTS_INIT;
    const char *test = c->extra;
    double learn_last = NAN, test_last = NAN;

    *why = NULL;
    /*
     * CatBoost writes both logs at the same iterations of one fit: a
     * test_error.tsv that ends elsewhere is left over from an earlier fit
     * into the same folder, and pairing it would judge this run on
     * another run's eval set.
     */
    if (test) {
        learn_last = last_iteration(c->path, "learn", "train");
        test_last = last_iteration(test, "test", "val");
        if (isfinite(learn_last) && isfinite(test_last) &&
            learn_last != test_last)
            test = NULL;
    }
    if (read_errors(c->path, "learn", "train", m, &sp, why) < 0 ||
        (test && read_errors(test, "test", "val", m, &sp, why) < 0)) {
        series_points_release(&sp);
        metrics_free(m);
        return NULL;
    }
    series_points_flush(&sp, m);
    series_points_release(&sp);
    if (!m->nrows) {
        *why = xasprintf("%s: no data rows", c->path);
        metrics_free(m);
        return NULL;
    }
    m->format = label;
    m->xbase = 0;
    metrics_note(m, "x is the boosting iteration (one tree each), counted "
                    "from 0");
    if (test)
        metrics_note(m, "val_* columns are CatBoost's eval set "
                        "(test_error.tsv)");
    else if (c->extra)
        metrics_note(m,
                     "test_error.tsv ends at iteration %g but "
                     "learn_error.tsv at %g: it is left over from an "
                     "earlier fit into the same folder, not this run's "
                     "eval set, and is not used",
                     test_last, learn_last);
    m->boosting = true;
    return m;
}

const struct format format_catboost = {
    .id = "catboost",
    .label = label,
    .scan = scan,
    .read = read_catboost,
};
