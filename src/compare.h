/*
 * compare.h - runs judged against one baseline under one fixed rule.
 *
 * The rule (struct rules) is fixed for every run alike: the selection
 * metric and direction, the baseline run, the deployment slices with the
 * largest drop each may take, and the smallest improvement that counts.
 * It comes from reportgen.yaml at the top of RUNS_DIR, and command-line
 * options override it (rules_load() reads the file; main.c applies the
 * overrides). cmp_runs() then fills a struct comparison from the runs'
 * summaries (their best checkpoints, slice values at the best checkpoint,
 * configs and diagnoses): no series, no I/O. Pure.
 */
#ifndef REPORTGEN_COMPARE_H
#define REPORTGEN_COMPARE_H

#include <stdbool.h>
#include <stddef.h>

#include "diagnose.h"
#include "runs.h"
#include "sweep.h"

/* A deployment slice that matters: column and largest allowed drop. */
struct slice_rule {
    char *column;    /* e.g. "val_acc@night" */
    double max_drop; /* for a :max metric, how far below the baseline it
                        may fall; for a :min metric, how far above */
    bool maximize;   /* direction of the slice's metric: see
                        slice_maximize() */
};

struct rules {
    char *path;             /* the rules file read, or NULL */
    struct rule select;     /* metric and direction */
    bool chosen;            /* no rule was given: select is chosen from
                               the runs (heldout.h) */
    char *chosen_why;       /* how it was chosen, or NULL */
    char *chosen_how;       /* the same without the counts of runs, for
                               the run pages (a run added to the report
                               leaves the others' pages as they are) */
    char *baseline;         /* a run name, or NULL: no comparison */
    double min_improvement; /* smallest gain that counts (>= 0) */
    size_t nslices;
    struct slice_rule *slices;
    struct diag_thresholds thresholds; /* "diagnose:" in the file */
};

/*
 * Parse "METRIC:min" or "METRIC:max" into rule (metric newly allocated).
 * Returns -1 when spec has another form.
 */
int rule_parse(struct rule *rule, const char *spec);

void rules_init(struct rules *r);
void rules_release(struct rules *r);

/*
 * Read RUNS_DIR/reportgen.yaml into r if the file exists (keys: select,
 * baseline, min_improvement, slices: {column: max_drop}). Returns 0 (also
 * when there is no file: r is left as it was), or -1 with *why set to
 * A "diagnose: {name: value}" mapping sets diagnosis thresholds (see
 * diag_threshold_set()). Errors: "PATH:LINE: message" (a YAML syntax error) or
 * "PATH: message" (a bad value or an unknown key), which the caller frees.
 */
int rules_load(struct rules *r, const char *runs_dir, char **why);

/*
 * The direction of a slice's metric: the rule's own when the slice is of
 * the rule's metric (val_acc@night under val_acc:max), else guessed from
 * its name: scores (accuracy, F1, AUC, mAP, precision, recall, IoU, Dice,
 * BLEU, ROUGE) are better high, everything else (losses, errors) low.
 */
bool slice_maximize(const char *column, const struct rule *select);

/* The rule as one line, e.g. "val_acc:max, baseline base, min
 * improvement 0.005, val_acc@night may drop 0.01"; run_page: as a run's
 * page says it (a chosen rule without its counts). Caller frees. */
char *rules_describe(const struct rules *r, bool run_page);

/* What the comparison says about one run. */
struct verdict {
    double delta;    /* best - baseline's best; NaN when either
                        has none */
    size_t nchanged; /* config keys that differ from the
                        baseline's, seed aside, sorted */
    char **changed;
    char *group;             /* name of its seed group, or NULL */
    size_t nregress;         /* slice columns beyond their allowed drop */
    char **regress;          /* their names */
    char **regress_evidence; /* "val_acc@night 0.81 vs 0.85 at the best
                                checkpoints: a drop of 0.04 > 0.01" */
    bool settings_compared;  /* both this run and the baseline have a
                                config, so changed[] means something */
    bool unattributed;       /* it beat the baseline, but with several
                                settings changed at once: tune, to learn
                                which change made the gain */
    bool outranked;          /* no baseline: rolled back only for being
                                clearly worse than its leaderboard's
                                reference; its settings are not adopted,
                                but nothing was changed that needs undoing,
                                so it needs no action (board.h) */
    /*
     * The decision record, written once by cmp_runs() and rendered by
     * every output as it is: the diagnosis proposes (its decision, first
     * check, next change and success rule), the comparison disposes.
     * Where the verdict overrules the diagnosis, the first check, the
     * action and the success rule are rewritten to follow the verdict.
     * A skipped run has only a decision and a reason.
     */
    enum decision decision; /* the final verdict */
    char *why;              /* one sentence: the reason for it */
    char *first_check;      /* what to look at first, or NULL */
    char *action;           /* the one next change, or NULL */
    char *success;          /* what would prove it worked, or NULL */
    bool overruled;         /* the verdict is not the diagnosis' */
};

/* A seed group: runs whose configs differ only in seed. */
struct seed_group {
    char *name; /* the common name of its runs (see cmp_runs) */
    size_t n;
    size_t *members;     /* indices into the run_set */
    double mean, spread; /* of the best values; spread is the sample
                            standard deviation (0 for one run) */
};

struct comparison {
    size_t baseline;   /* index of the baseline run, or SIZE_MAX */
    size_t *reference; /* without a baseline, one per run: the best
                          comparable run of its folder, or SIZE_MAX (a
                          run alone in its folder); NULL with one */
    char *rule_text;   /* without a baseline: the leaderboard rule in one
                          sentence; NULL with a baseline */
    size_t n;          /* one verdict per run of the run_set, same order */
    struct verdict *v;
    size_t ngroups;
    struct seed_group *groups;
    size_t *order;      /* run indices, best first under the rule (runs
                           without a best value last, by name) */
    struct sweep sweep; /* the settings that vary across the runs */
};

void comparison_init(struct comparison *c);
void comparison_release(struct comparison *c);

/*
 * Judge every run of set against the baseline under rules. A run's
 * slice values at its best checkpoint are in run->slice_at_best (one per
 * rules->slices, NaN where the run lacks the column). Verdicts:
 *   investigate: not comparable (no best value, a required slice missing,
 *     a different data_version or split than the baseline), or a
 *     diagnosis whose decision is investigate;
 *   rollback: any slice beyond its allowed drop (even when the average
 *     improved), or worse than the baseline;
 *   keep: better than the baseline by more than min_improvement and by
 *     more than its seed group's spread, no slice regression, no
 *     diagnosis asking for a change, and one setting changed (or the
 *     settings cannot be compared);
 *   tune: the rest (promising, but a diagnosis says what to change, the
 *     gain is within the noise, or several settings changed at once, so
 *     the gain cannot be attributed to one of them).
 * The baseline itself is kept unless its own diagnosis says otherwise.
 * Without a baseline the runs of each folder form a leaderboard under
 * the rule: the folder's best comparable run (a best value, finite
 * slices, no non-finite values, a diagnosis that does not ask to
 * investigate) is the reference and is kept; runs within min_improvement or the
 * seed spread of it tie (tune, naming the setting that separates them); clearly
 * worse runs are rolled back; the rest are investigated; a run alone in its
 * folder gets its diagnosis' decision. c->rule_text says so in one sentence.
 */
void cmp_runs(const struct run_set *set, const struct rules *rules,
              struct comparison *c);

#endif
