/*
 * charts.h - which charts a run gets, and the overlay of held-out curves
 * on the comparison page. Turns struct metrics into plot specs (plot.h)
 * and hands the SVG to site.c.
 */
#ifndef REPORTGEN_CHARTS_H
#define REPORTGEN_CHARTS_H

#include <stddef.h>

#include "compare.h"
#include "diagnose.h"
#include "metrics.h"
#include "plot.h"
#include "runs.h"
#include "site.h"

/*
 * The most charts a run gets. A log of thousands of columns would
 * otherwise make thousands of files and a page no one reads; the columns
 * past the limit are summarised in one table instead.
 */
#define CHARTS_MAX_PER_RUN 32

/*
 * The most non-finite rows of a curve kept for the compact chart's
 * crosses, spread evenly over them (a chart marks at most one every few
 * pixel columns).
 */
#define CHARTS_MAX_BAD 400

/*
 * Draw every chart of run r from m into runs/<slug>/ and list them in
 * d->charts (d is r's drawn part, the only part of r written here): loss
 * (train and held-out), accuracy, predictions per class, and one chart
 * per other column, at most CHARTS_MAX_PER_RUN in all. Columns reportgen
 * knows (lr, grad_norm, slices) are drawn first; the others, in log
 * order, while charts are left, and the rest listed in d->folded with
 * their summaries. The best checkpoint of r's analysis, under rule, is
 * marked on the chart that holds the rule's metric. Returns 0, or -1
 * after error().
 */
int charts_draw_run(struct site *site, const struct run *r,
                    const struct metrics *m, const struct rule *rule,
                    struct run_drawn *d);

/*
 * The chart a run's section of the one-file report keeps: the one of the
 * rule's metric, where the best checkpoint is marked, else the first.
 * The others stay on the run's page of the site: a one-file report that
 * carried every chart of every run would grow by tens of KB a run.
 */
size_t charts_main(const struct run_drawn *d);

/*
 * Read back from site the SVG of each chart of r, one strbuf per
 * r->drawn.charts entry, for the run's page to hold them inline; with
 * only < r->drawn.ncharts, that chart's alone (the others stay empty).
 * Returns the array, to free with charts_free_svgs(), or NULL after
 * error().
 */
struct strbuf *charts_read_svgs(const struct site *site, const struct run *r,
                                size_t only);
void charts_free_svgs(const struct run *r, struct strbuf *svgs);

/*
 * The chart of r's section in the one-file report, in the shape of
 * charts_read_svgs(site, r, charts_main(&r->drawn)): a compact chart
 * (plot_svg_mini()) of the rule's metric drawn from the reduced curve the
 * analysis kept (with the training loss when the metric is the held-out
 * loss), a few KB however long the run, its frame shared with the charts
 * drawn before it (plot_shared); without that curve, the site's chart read
 * back. Returns NULL after error().
 */
struct strbuf *charts_one_file_svgs(const struct site *site,
                                    const struct run *r,
                                    struct plot_shared *shared);

/*
 * Keep a reduced copy of the rule's metric (column col of m) in an
 * (curve_x, curve_y), at most about 400 points (a min/max envelope per
 * bucket), for overlays, and the x of its non-finite rows (curve_bad),
 * for the compact chart's crosses.
 */
void charts_keep_curve(struct run_analysis *an, const struct metrics *m,
                       const struct column *col);

/*
 * Keep the training loss of m (its ROLE_TRAIN_LOSS column) the same way
 * in an (train_name, train_x, train_y, train_bad), for judging a run's
 * fit against its reference's; nothing when m has none.
 */
void charts_keep_train(struct run_analysis *an, const struct metrics *m);

/*
 * Draw the held-out curves of the baseline and of the top runs under the
 * rule (at most top_n besides the baseline) into one chart at rel.
 * Returns 0 (also when no run has a curve: nothing is drawn and *drawn is
 * false), or -1 after error().
 */
int charts_draw_overlay(struct site *site, const struct run_set *set,
                        const struct comparison *cmp, const struct rule *rule,
                        size_t top_n, const char *rel, bool *drawn);

/*
 * A chart of the rule's metric at each run's best checkpoint against one
 * setting that varies (sweep.h), for the comparison page.
 */
struct sweep_chart {
    const char *key;   /* the setting (borrowed from the sweep) */
    char *file;        /* written at the site's root */
    size_t nshown;     /* runs drawn: they set it and have a best value */
    size_t nno_best;   /* runs that set it but have no best value under
                          the rule (not comparable, or skipped) */
    size_t nunset;     /* runs read that do not set it */
    struct strbuf svg; /* the chart, for the page to hold inline */
};

/*
 * Draw one chart per setting of cmp->sweep, at most SWEEP_MAX_SHOWN, into
 * files sweep-N-<key>.svg at the site's root and fill *charts (*ncharts of
 * them, to free with charts_free_sweep()). A number setting is drawn on
 * a linear or log x axis, as plot.c chooses; any other on evenly spaced
 * categories, in bytewise order. Each point is a run at its best
 * checkpoint under rule; a chart is drawn only when two runs or more have
 * a point. Returns 0, or -1 after error().
 */
int charts_draw_sweep(struct site *site, const struct run_set *set,
                      const struct comparison *cmp, const struct rule *rule,
                      struct sweep_chart **charts, size_t *ncharts);
void charts_free_sweep(struct sweep_chart *charts, size_t ncharts);

#endif
