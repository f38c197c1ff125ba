/*
 * runs.h - the runs of a report and everything the report keeps about them.
 *
 * runs_find() scans RUNS_DIR into a run_set, sorted bytewise by name. Each
 * run is then loaded, analysed and drawn by report.c, one at a time or
 * (-j) a few at once on several threads; its full series (struct metrics)
 * lives only during that step, and what stays afterwards is the summary
 * below, so a sweep of thousands of runs does not hold thousands of
 * series. The run_set owns every run and every run owns
 * its strings, config, findings and chart list.
 *
 * A struct run is written in parts, one per stage, in this order:
 *   - its top level: what runs_find() found (name, folder, log, format),
 *     and its status and reason, which any stage may set when it fails
 *     (skipped: not read; not comparable: no value for the rule);
 *   - read (struct run_read): what reading its config and log gave;
 *   - an (struct run_analysis): its rule, best checkpoint, slices, curve
 *     and diagnosis, from its series and its read part;
 *   - drawn (struct run_drawn): the charts written beside its page.
 * A stage writes only its own part and reads the earlier ones through
 * const pointers; a part is empty until its stage has run, and a skipped
 * run has no part past read. The comparison (compare.c) and the pages
 * and summaries read the whole run, const, once every run is drawn.
 */
#ifndef REPORTGEN_RUNS_H
#define REPORTGEN_RUNS_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "diagnose.h"
#include "formats.h"
#include "metrics.h"
#include "replay.h"

enum run_status {
    RUN_OK = 0,
    RUN_SKIPPED,       /* could not be read: reason says why */
    RUN_NOT_COMPARABLE /* read, but lacks the rule's metric */
};

/* One chart on a run page. */
struct chart_ref {
    char *file;  /* file name inside the run's page folder, e.g. loss.svg */
    char *title; /* "Loss", "Accuracy", or the column name */
    bool best;   /* it draws the rule's metric, best checkpoint marked */
    bool minor;  /* not a metric (a counter, a clock, a constant): the
                    page folds it away under the others */
};

/* A column as the run page lists it: the name used and the log's own. */
struct run_column {
    char *name;
    char *orig; /* NULL when the log uses the same name */
};

/* A column drawn in no chart (past CHARTS_MAX_PER_RUN): its summary. */
struct folded_column {
    char *name;
    size_t n;        /* values present */
    double min, max; /* over finite values; NaN if none */
    double last;     /* the last value present (may be non-finite) */
};

/*
 * What reading a run's config and log gave (report.c, read_run(), with
 * run_read_keep()): the facts the pages need once its series is freed.
 * Empty (but for xbase -1 and an empty config) until the run is read; for
 * a run skipped because its log could not be read, only the config part
 * may be set.
 */
struct run_read {
    struct config config;
    char *config_error;       /* why the config could not be read, or NULL */
    const char *format_label; /* what the reader called the log (static) */
    size_t nrows;             /* points logged: distinct x values */
    char *xname;              /* "epoch" or "step" */
    int xbase;                /* 0 or 1 when the format fixes it, else -1 */
    size_t nnotes;            /* what the reader said about the log */
    char **notes;
    size_t ncolumns; /* the columns read, in log order */
    struct run_column *columns;
};

/*
 * What analysing a run gave (report.c, analyse_run(), from its series and
 * its read part): its rule, best checkpoint, slice values there, a reduced
 * curve and its diagnosis. Empty (no rule metric, no best, an empty
 * diagnosis) until the run is analysed, and for a skipped run.
 */
struct run_analysis {
    struct rule rule;      /* the rule its best checkpoint is found by:
                              the report's, or with no rule given, its
                              own held-out metric (heldout.h); metric
                              NULL when it has none */
    const char *rule_why;  /* with no rule given, how its own was chosen
                              (static), else NULL */
    struct best best;      /* under rule */
    double *slice_at_best; /* one per rules slice: its value at the best
                              checkpoint, NaN where missing */
    size_t nslices;
    size_t ncurve; /* the rule's metric, reduced for overlays */
    double *curve_x, *curve_y;
    /* The x of its rows whose value is nan or inf, at most
       CHARTS_MAX_BAD of them spread evenly, or NULL. */
    size_t ncurve_bad;
    double *curve_bad;
    struct replay replay; /* early stopping replayed on the rule's metric
                             (replay.h); done false without a best */
    char *train_name;     /* the training loss, reduced the same way (logged
                             points only, minima kept), or NULL */
    size_t ntrain;
    double *train_x, *train_y;
    size_t ntrain_bad; /* its non-finite rows, as curve_bad */
    double *train_bad;
    struct diagnosis diag;
};

/*
 * What drawing a run gave (charts.c, charts_draw_run()): the charts
 * written beside its page and the columns summarised instead. Empty until
 * the run is drawn, and for a skipped run.
 */
struct run_drawn {
    size_t ncharts, charts_alloc;
    struct chart_ref *charts;
    size_t nfolded; /* columns summarised instead of drawn, in log order */
    struct folded_column *folded;
};

struct run {
    char *name;         /* path relative to RUNS_DIR, "/"-separated */
    char *dir;          /* the run's folder (where its config is found) */
    char *metrics_path; /* the file (or folder) its series are read from */
    char *slug; /* file-system-safe unique id: pages go in runs/<slug>/ */
    const struct format *format; /* the reader that claimed it */
    char *extra;                 /* second path the reader needs, or NULL */
    char *key;                   /* which run of a multi-run source, or NULL */
    enum run_status status;
    char *reason; /* why skipped or not comparable, with file:line */

    struct run_read read;   /* written by report.c's read stage */
    struct run_analysis an; /* written by report.c's analysis stage */
    struct run_drawn drawn; /* written by charts_draw_run() */
};

struct run_set {
    char *root; /* RUNS_DIR as given */
    size_t n, alloc;
    struct run *runs;
};

void run_set_init(struct run_set *set);
void run_set_release(struct run_set *set);

/*
 * Walk root (root included, at any depth), let every format of formats[]
 * scan each folder, and append a run for each candidate found, sorted by
 * name. A folder below root that cannot be read is added as a run
 * already skipped (format NULL), with the reason. Returns -1 (after
 * error()) only when root itself cannot be read.
 */
int runs_find(struct run_set *set, const char *root);

/*
 * Make what r publishes name files relative to set->root (strip_root()):
 * its reason, config error, notes, log path and config path. Call once
 * the messages have been printed, which name files as the user gave them.
 */
void run_make_relative(const struct run_set *set, struct run *r);

/*
 * The site layout, said once; each returns a string the caller frees.
 * run_page_path(): r's page relative to the site's root,
 * "runs/<slug>/index.html". run_file_path(): a file beside that page (a
 * chart), "runs/<slug>/<file>". run_link_from_run(): the link to the page
 * of run `to` from another run's page, "../<slug>/index.html".
 */
char *run_page_path(const struct run *r);
char *run_file_path(const struct run *r, const char *file);
char *run_link_from_run(const struct run *to);
/* From a run's page back to the site's root. */
#define RUN_PAGE_TO_ROOT "../../"
/* The pages and the stylesheet at the site's root. */
#define SITE_INDEX "index.html"
#define SITE_COMPARE "compare.html"
#define SITE_STYLE "style.css"
#define SITE_SUMMARY_JSON "summary.json"
#define SITE_SUMMARY_MD "summary.md"
#define SITE_SORT "sort.js" /* sorts the comparison's leaderboard */

/*
 * The candidate r was found as (formats.h), to read it with its format's
 * read() and config(): its strings are r's, borrowed.
 */
void run_candidate(const struct run *r, struct candidate *c);

/*
 * Free r's reason and its read, analysis and drawn parts, and leave them
 * empty (as run_read_init() and run_analysis_init() make them).
 */
void run_parts_release(struct run *r);

/* Mark r skipped with a reason (copied). */
void run_skip(struct run *r, const char *reason);

/* Append a chart to d (strings copied); best: see struct chart_ref. */
void run_drawn_add_chart(struct run_drawn *d, const char *file,
                         const char *title, bool best);

/* An empty read part: no config, xbase -1. */
void run_read_init(struct run_read *rd);

/* An empty analysis: no rule, no best checkpoint, no finding. */
void run_analysis_init(struct run_analysis *an);

/*
 * Keep in rd what the run page needs of m once m is freed: the format's
 * label, x name and base, the reader's notes, the column names.
 */
void run_read_keep(struct run_read *rd, const struct metrics *m);

#endif
