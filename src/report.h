/*
 * report.h - one report, from RUNS_DIR to a finished site.
 *
 * report_build() drives the stages in order for each run (find, read,
 * analyse, draw; with -j several runs at once), then compares the runs
 * and writes the pages. A run's full series lives only while that run is
 * processed.
 */
#ifndef REPORTGEN_REPORT_H
#define REPORTGEN_REPORT_H

#include <stdbool.h>
#include <stddef.h>

#include "compare.h"
#include "diagnose.h"

/* One --map NAME=CANONICAL: the column a log calls `from` is `to`. */
struct column_map {
    char *from;
    char *to;
};

/* One --slice COLUMN=DROP. */
struct slice_option {
    char *column;
    double max_drop;
};

/* How many thresholds DIAG_THRESHOLDS lists. */
#define REPORT_COUNT_ROW(...) +1
enum { REPORT_NTHRESHOLDS = 0 DIAG_THRESHOLDS(REPORT_COUNT_ROW) };
#undef REPORT_COUNT_ROW

/*
 * The command line, parsed once by main.c into the types the report
 * uses. Rules given here override reportgen.yaml.
 */
struct options {
    const char *runs_dir;
    const char *out_dir;     /* -o, or NULL with --single-file alone */
    const char *single_file; /* --single-file, or NULL */
    const char *site_url;    /* --site-url: summary.md links under it */
    struct rule select;      /* --select METRIC:min|max; metric NULL if
                                not given (owned by main()) */
    const char *baseline;    /* --baseline, or NULL */
    bool has_min_improvement;
    double min_improvement;
    size_t nslices; /* --slice, in command-line order */
    struct slice_option *slices;
    unsigned fail_on;  /* bit (1 << enum decision) per --fail-on */
    bool quiet;        /* -q: no per-run messages on stderr */
    bool progress;     /* --progress: progress on stderr even when it is
                          not a terminal (util.h) */
    bool follow_links; /* read links to files outside runs_dir */
    bool rebuild;      /* --rebuild: reuse nothing of SITE_DIR's runs */
    size_t jobs;       /* -j: runs processed at once (>= 1) */
    /*
     * --threshold NAME=VALUE: every given row of DIAG_THRESHOLDS (in
     * diag_threshold_name() order) has given[row] set and its value in
     * thresholds, the last one given winning; the other fields are the
     * defaults and are not applied.
     */
    struct diag_thresholds thresholds;
    bool threshold_given[REPORT_NTHRESHOLDS];
    size_t nmaps;            /* --map, in command-line order */
    struct column_map *maps; /* owned by main(), strings too */
};

enum report_status {
    REPORT_FAILED = -1, /* no report could be written */
    REPORT_WRITTEN = 0,
    REPORT_FAIL_ON = 1 /* written; a verdict named by --fail-on occurred */
};

/*
 * Build the report described by opt. Runs that cannot be read are
 * reported on stderr (unless quiet) and listed as skipped. Returns
 * REPORT_FAILED (after error()) when no report could be written.
 */
enum report_status report_build(const struct options *opt);

#endif
