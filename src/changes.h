/*
 * changes.h - what changed since the last report written to the same
 * SITE_DIR.
 *
 * A reviewer's first question about a report is "what is different from
 * the one I saw?". Before the new site replaces the old one, report.c
 * reads the old site's summary.json (site_read_previous(): only a file
 * the old site's manifest lists) and prev_report_parse() keeps what is
 * compared: the rule, the baseline, the kept run, and each run's verdict
 * and best checkpoint. changes_find() sets them against the new report;
 * the index, summary.md and summary.json render the result as it is.
 * With no previous report there is nothing to say; with one and no
 * change, the report says so ("No change since the last report"), so
 * that a reader can tell "nothing changed" from "not compared". Pure
 * but for nothing: no I/O.
 */
#ifndef REPORTGEN_CHANGES_H
#define REPORTGEN_CHANGES_H

#include <stdbool.h>
#include <stddef.h>

#include "compare.h"
#include "runs.h"

struct board;

/* One run as the previous report judged it. */
struct prev_run {
    char *name;
    char *decision; /* "keep", "tune", ...: as summary.json wrote it */
    bool has_best;  /* its best checkpoint: */
    double best_x, best_value;
};

/* What a previous summary.json said, as far as changes_find() needs. */
struct prev_report {
    char *rule;     /* "val_loss:min" */
    char *baseline; /* the baseline run, or NULL */
    bool has_kept;  /* the file says which run was kept (older
                       versions did not) */
    char *kept;     /* the kept run, or NULL for none */
    size_t n;       /* runs, sorted by name */
    struct prev_run *runs;
};

void prev_report_init(struct prev_report *p);
void prev_report_release(struct prev_report *p);

/*
 * Read the summary.json text (len bytes; path for messages) into p.
 * Returns 0, or -1 with *why set to "PATH:LINE: message" (the caller
 * frees it) when the text is not a summary.json reportgen wrote.
 */
int prev_report_parse(struct prev_report *p, const char *text, size_t len,
                      const char *path, char **why);

enum change_kind {
    CHANGE_RULE,     /* the selection rule: from, to */
    CHANGE_BASELINE, /* the baseline run: from, to ("none") */
    CHANGE_KEPT,     /* the run to keep: from, to ("none") */
    CHANGE_ADDED,    /* run, to: its verdict */
    CHANGE_GONE,     /* run, from: its verdict then */
    CHANGE_VERDICT,  /* run, from, to */
    CHANGE_BEST      /* run: its best checkpoint moved (same rule) */
};

struct change {
    enum change_kind kind;
    char *run;       /* the run, or NULL */
    char *from, *to; /* verdicts, rules or run names */
    char *xname;     /* CHANGE_BEST: the run's x ("epoch"); else NULL */
    double from_x, from_value, to_x, to_value; /* CHANGE_BEST; else NaN */
};

struct changes {
    bool compared; /* there was a previous report to compare with */
    size_t n;      /* in the order of enum change_kind, then by run */
    struct change *c;
    size_t count[CHANGE_BEST + 1];
};

void changes_init(struct changes *ch);
void changes_release(struct changes *ch);

/*
 * Set the report (set, its rules, verdicts and board) against prev into
 * ch. prev NULL: nothing compared.
 */
void changes_find(struct changes *ch, const struct prev_report *prev,
                  const struct run_set *set, const struct rules *rules,
                  const struct comparison *cmp, const struct board *b);

/*
 * One sentence on ch: "Since the last report: 2 runs added, 1 gone, 3
 * verdicts changed, the kept run changed (a to b)." or "No change since
 * the last report: the same rule, runs, verdicts, kept run and best
 * checkpoints." NULL when nothing was compared. The caller frees it.
 */
char *changes_sentence(const struct changes *ch);

/*
 * One line per change, e.g. "sweep/x: tune, now keep", "Added: sweep/y
 * (keep)", "sweep/z: best val_loss 0.41 at epoch 12, now 0.39 at epoch
 * 20" (metric: the rule's metric). The caller frees it.
 */
char *change_line(const struct change *c, const char *metric);

#endif
