/*
 * diagnose.h - the rule table that turns a run's curves into findings and
 * one decision. Pure: no I/O, no allocation the caller does not free.
 *
 * Rules are read in the troubleshooting order (curves, predictions,
 * gradients, data, hyperparameters, model) and each finding carries the
 * numbers that fired it, so a reader can check every claim. Every
 * threshold a rule uses lives in struct diag_thresholds, can be changed
 * by name (diag_threshold_set()) and is documented in reportgen(1),
 * section DIAGNOSES.
 */
#ifndef REPORTGEN_DIAGNOSE_H
#define REPORTGEN_DIAGNOSE_H

#include <stdbool.h>
#include <stddef.h>

#include "metrics.h"

/*
 * The diagnosis codes, one row each, in display rank: values that cannot
 * be trusted first (non-finite numbers, collapsed predictions, a held-out
 * curve that stepped or may have leaked), then the curve shapes, then
 * what is left. X(ENUM, name, decision): the enum constant DIAG_ENUM, the
 * stable name written to summary.json and documented in reportgen(1),
 * and the decision (DECISION_*) the code leads to when it is the main
 * finding. Everything that lists codes is generated from this list.
 */
/* clang-format off */
#define DIAG_CODES(X)                                                   \
    X(NON_FINITE,          non_finite,          INVESTIGATE)            \
    X(PREDICTION_COLLAPSE, prediction_collapse, INVESTIGATE)            \
    X(METRIC_SHIFT,        metric_shift,        INVESTIGATE)            \
    X(SUSPECTED_LEAKAGE,   suspected_leakage,   INVESTIGATE)            \
    X(BAD_INIT,            bad_init,            TUNE)                   \
    X(UNSTABLE,            unstable,            TUNE)                   \
    X(OVERFITTING,         overfitting,         TUNE)                   \
    X(PLATEAU,             plateau,             TUNE)                   \
    X(UNDERFITTING,        underfitting,        TUNE)                   \
    X(STILL_IMPROVING,     still_improving,     TUNE)                   \
    X(NEED_MORE_SIGNALS,   need_more_signals,   INVESTIGATE)            \
    X(HEALTHY,             healthy,             KEEP)
/* clang-format on */

enum diag_code {
#define DIAG_CODE_ENUM(code, name, decision) DIAG_##code,
    DIAG_CODES(DIAG_CODE_ENUM)
#undef DIAG_CODE_ENUM
        DIAG__COUNT
};

enum decision {
    DECISION_KEEP = 0,
    DECISION_TUNE,
    DECISION_ROLLBACK,
    DECISION_INVESTIGATE
};

/*
 * What a number quoted in a finding's evidence is. "Values" are the
 * finite values of metric; a span is from x0 to x1, both ends included.
 */
enum diag_num_kind {
    DIAG_NUM_POINT,    /* the value metric logged at x */
    DIAG_NUM_MEDIAN,   /* the median of metric's values over the span */
    DIAG_NUM_MEAN,     /* the mean of metric's values over the span */
    DIAG_NUM_SMOOTHED, /* metric's running median over window points
                          around x (see diagnose.c) */
    DIAG_NUM_RATIO,    /* nums[a].value / nums[b].value */
    DIAG_NUM_DIFF,     /* nums[a].value - nums[b].value */
    DIAG_NUM_CHANGE,   /* nums[a].value / nums[b].value - 1: a relative
                          change, quoted as a percentage */
    DIAG_NUM_RATE,     /* 1 - (nums[b].value / nums[a].value)^(1/window):
                          the fall per point from a to b, window points
                          apart */
    DIAG_NUM_LOG,      /* ln nums[a].value */
    DIAG_NUM_LOG_STEP, /* the median of |ln v[i] - ln v[i-1]| over
                          consecutive values of the span */
    DIAG_NUM_LEVEL,    /* the median of the absolute running median
                          (window points) of the values over the span */
    DIAG_NUM_INTERP,   /* metric linearly interpolated at x between the
                          values on either side */
    DIAG_NUM_SHARE,    /* metric's value at x as a share of the sum of
                          the pred_count_* values there (empty: 0) */
    DIAG_NUM_TV,       /* the total variation between the pred_count_*
                          shares at x0 and at x1 */
    DIAG_NUM_X,        /* an x at which metric logged a value (value: x) */
    DIAG_NUM_LINE,     /* the line of the log file that holds metric's
                          value at x */
    DIAG_NUM_COUNT,    /* how many values metric logged over the span
                          (the whole column when the span is NaN) */
    DIAG_NUM_TALLY,    /* how many times a rule's test held (jumps,
                          spikes, rows, classes, columns), of metric */
    DIAG_NUM_THRESHOLD /* the threshold named by metric (see
                          DIAG_THRESHOLDS) */
};

/* Does a number of this kind stand on others (nums[a], nums[b])? */
bool diag_num_has_parts(enum diag_num_kind kind);

/*
 * One number of a finding's evidence, as data: the sentence is written
 * from these, and a reader (or a test) can find each in the log. A value
 * from a curve longer than reportgen judges point by point is a median
 * over the bucket's span.
 */
struct diag_num {
    char *metric; /* the column (THRESHOLD: the threshold's name) */
    enum diag_num_kind kind;
    double x;       /* POINT, SMOOTHED, INTERP, SHARE, LINE: where; else
                       NAN */
    double x0, x1;  /* MEDIAN, MEAN, LOG_STEP, LEVEL, COUNT, TV: the span,
                       both ends included; else NAN */
    size_t window;  /* SMOOTHED, LEVEL: points in the running median;
                       RATE: points between its parts; else 0 */
    size_t a, b;    /* with parts (diag_num_has_parts()): their indices in
                       nums (LOG: a only) */
    size_t buckets; /* 0, or the statistic is over the curve read as this
                       many bucket medians: a curve of more than
                       DIAG_CURVE_MAX finite values is cut into buckets of
                       consecutive values (bucket b holds values n*b/B to
                       n*(b+1)/B - 1), each read as its median at the x of
                       its middle value */
    double value;
};

/* Curves longer than this are read as DIAG_CURVE_BUCKETS bucket medians. */
enum { DIAG_CURVE_MAX = 2000, DIAG_CURVE_BUCKETS = 1000 };

struct finding {
    enum diag_code code;
    char *evidence; /* the numbers and epochs that fired the rule */
    int advice;     /* which of the code's advice rows applies (0: its
                       default; see diagnose.c) */
    double at;      /* the number that advice quotes (the x where a curve
                       stepped, a clipping level), else NAN */
    size_t nnums;   /* the numbers the evidence quotes, as data */
    struct diag_num *nums;
    /*
     * How far the call was from not being made: of the tests the rule
     * passed, the one passed by the smallest share of its threshold
     * (margin_of names that threshold; margin is the share, NAN with
     * margin_of NULL when the rule measures none). borderline: that
     * share is below the borderline threshold.
     */
    double margin;
    const char *margin_of;
    bool borderline;
};

/*
 * A finding as sentences name it: its code's name, followed by
 * " (borderline)" when it is.
 */
const char *diag_finding_name(const struct finding *f);

/* The name of a diag_num_kind: "point", "median", ... */
const char *diag_num_kind_name(enum diag_num_kind kind);

/* The selection rule: which column decides the best checkpoint. */
struct rule {
    char *metric; /* e.g. "val_loss" */
    bool maximize;
};

/*
 * Every threshold, one row each, in documentation order. This list is
 * the master copy: struct diag_thresholds, the defaults
 * (diag_thresholds_init()), setting one by name (diag_threshold_set(),
 * behind --threshold and the diagnose: mapping of reportgen.yaml) and the
 * test that reportgen(1) documents each one all come from it.
 *
 * X(KIND, name, default, lo, hi, owner, doc): KIND is NUMBER (a double
 * from lo to hi), ABOVE (a double above lo) or COUNT (a whole number of
 * points, at least lo); owner is the one rule that reads it (or
 * "reading" for how every curve is read, "decision" for the success
 * rule); doc is its line of documentation. No two rules share a
 * threshold, so tuning one rule never moves another. Why each default
 * was chosen is said at the rule that owns it, in diagnose.c.
 */
/* clang-format off */
#define DIAG_THRESHOLDS(X)                                                  \
    X(COUNT, min_points, 3, 2, 1e9, reading,                                \
      "fewest points of a curve worth judging")                             \
    X(COUNT, smooth_above, 60, 2, 1e9, reading,                             \
      "longer curves are judged on a running median")                       \
    X(NUMBER, jump_frac, 0.25, 0, INFINITY, unstable,                       \
      "a jump rises more than this x the median level")                     \
    X(NUMBER, jump_range, 0.1, 0, 1, unstable,                              \
      "... and more than this x the curve's range")                         \
    X(NUMBER, jump_noise, 3, 0, INFINITY, unstable,                         \
      "... and this x a smoothed curve's point-to-point noise")                 \
    X(COUNT, min_jumps, 2, 1, 1e9, unstable,                                \
      "... at least this many times")                                       \
    X(NUMBER, jump_train_keep, 0.5, 0, INFINITY, unstable,                  \
      "held-out jumps count while train kept this share")                   \
    X(NUMBER, diverge_ratio, 1.5, 1, INFINITY, unstable,                    \
      "diverged: train ends this many times its minimum")                   \
    X(NUMBER, spike_ratio, 10, 1, INFINITY, grad_spikes,                    \
      "grad_norm this many times its running median")                       \
    X(COUNT, spike_window, 5, 1, 1e9, grad_spikes,                          \
      "points in that running median")                                      \
    X(COUNT, min_spikes, 2, 1, 1e9, grad_spikes,                            \
      "spikes needed")                                                      \
    X(NUMBER, rel_worsen, 0.03, 0, INFINITY, overfitting,                   \
      "held-out ends worse by this x its best level ...")                   \
    X(NUMBER, giveback_frac, 0.25, 0, INFINITY, overfitting,                \
      "... and by this share of what it gained,")                           \
    X(NUMBER, end_worse, 0.1, 0, INFINITY, overfitting,                     \
      "... or by this x its best level alone")                              \
    X(NUMBER, boost_worsen, 0.01, 0, INFINITY, overfitting,                 \
      "boosting: held-out ends worse by this x its best")                   \
    X(NUMBER, train_gain, 0.05, 0, 1, overfitting,                          \
      "while train improves by this x its value")                           \
    X(NUMBER, overfit_fit_keep, 0.65, 0, INFINITY, overfitting,             \
      "and train ended below this share of its start")                      \
    X(NUMBER, overfit_noise, 2, 0, INFINITY, overfitting,                   \
      "the rise exceeds this x the median point-to-point change")           \
    X(COUNT, overfit_noise_min, 6, 1, 1e9, overfitting,                     \
      "judged on its noise on a curve of more than this many points")      \
    X(COUNT, overfit_after, 3, 1, 1e9, overfitting,                         \
      "a slow give-back: seen over at least this many points")     \
    X(NUMBER, trained_start, 0.8, 0, 1, underfitting,                       \
      "started trained: a zero-chance score this share of its best at once") \
    X(NUMBER, underfit_keep, 0.65, 0, INFINITY, underfitting,               \
      "both losses end above this share of their start")                    \
    X(NUMBER, underfit_score_gain, 0.05, 0, INFINITY, underfitting,         \
      "a held-out score whose best rose less than this (relative)")          \
    X(NUMBER, underfit_rise, 0.1, 0, INFINITY, underfitting,                \
      "train rose this x its minimum: diverging, not underfitting")         \
    X(COUNT, underfit_min_points, 6, 2, 1e9, underfitting,                  \
      "train-only: a plateau over this many points")                        \
    X(NUMBER, gap_frac, 0.1, 0, INFINITY, stall,                            \
      "no gap: held-out within this x of train")                            \
    X(ABOVE, plateau_frac, 0.4, 0, INFINITY, stall,                         \
      "the stall is judged over this last share of the run")                \
    X(NUMBER, plateau_gain, 0.01, 0, INFINITY, stall,                       \
      "which improved train by less than this (relative)")                  \
    X(COUNT, plateau_min, 6, 2, 1e9, stall,                                 \
      "in a run of at least this many points")                              \
    X(NUMBER, plateau_keep, 0.5, 0, INFINITY, stall,                        \
      "train-only: a plateau above this share of start")                    \
    X(NUMBER, flat_gain, 0.05, 0, 1, heldout_flat,                          \
      "a held-out best within this of its first value")                      \
    X(NUMBER, flat_train_keep, 0.5, 0, 1, heldout_flat,                     \
      "while training ends below this share of its value there")            \
    X(NUMBER, flat_train_start, 0.8, 0, INFINITY, heldout_flat,             \
      "the held-out start taken with training above this share of its start")\
    X(COUNT, flat_min_points, 6, 2, 1e9, heldout_flat,                      \
      "fewest held-out points to call it flat")                             \
    X(NUMBER, dead_move_frac, 0.1, 0, INFINITY, dead_metric,                \
      "train moved by more than this x its start")                          \
    X(COUNT, dead_min_points, 6, 2, 1e9, dead_metric,                       \
      "a constant held-out metric over this many points")                   \
    X(NUMBER, vanish_ratio, 0.01, 0, 1, vanishing,                          \
      "grad_norm tail/head median below this")                              \
    X(NUMBER, vanish_keep, 0.5, 0, INFINITY, vanishing,                     \
      "while train kept this share of its start")                           \
    X(NUMBER, lr_drop, 10, 1, INFINITY, decay,                              \
      "the lr falls this many times below its maximum")                     \
    X(NUMBER, decay_slowdown, 10, 1, INFINITY, decay,                       \
      "the loss slope falls this many times after it")                      \
    X(NUMBER, decay_early, 0.5, 0, 1, decay,                                \
      "in the first this share of the run")                                 \
    X(COUNT, decay_window, 10, 2, 1e9, decay,                               \
      "points judged on each side of the drop")                             \
    X(COUNT, decay_min_points, 6, 2, 1e9, decay,                            \
      "fewest training points to judge a decay")                            \
    X(NUMBER, decay_plateau_gain, 0.01, 0, INFINITY, decay,                 \
      "a decay after a gain below this answered a plateau")                 \
    X(ABOVE, tail_frac, 0.25, 0, INFINITY, still_improving,                 \
      "the best is in this last share of the run")                          \
    X(NUMBER, tail_gain, 0.01, 0, INFINITY, still_improving,                \
      "which improved it by this (relative)")                               \
    X(NUMBER, tail_rate, 0.1, 0, INFINITY, still_improving,                 \
      "at this x the run's average pace")                                   \
    X(NUMBER, tail_move, 0.005, 0, INFINITY, still_improving,               \
      "and by this (relative) on the first point of that share")            \
    X(NUMBER, last_near, 0.01, 0, INFINITY, still_improving,                \
      "and the last point within this of the best")                         \
    X(NUMBER, shift_step, 1.4, 1, INFINITY, metric_shift,                   \
      "a one-step factor of at least this")                                 \
    X(NUMBER, shift_noise, 8, 0, INFINITY, metric_shift,                    \
      "and this x the median step")                                         \
    X(NUMBER, shift_train, 0.15, 0, INFINITY, metric_shift,                 \
      "while train moves less than this in log")                            \
    X(COUNT, shift_persist, 5, 1, 1e9, metric_shift,                        \
      "the new level held for this many points")                            \
    X(NUMBER, shift_skip, 0.1, 0, 1, metric_shift,                          \
      "steps within this fraction of the run's first points are learning")  \
    X(NUMBER, leak_gap, 0.05, 0, 1, leakage,                                \
      "val_acc above train_acc by at least this")                           \
    X(NUMBER, leak_err_ratio, 0.5, 0, 1, leakage,                           \
      "with at most this x the training error")                             \
    X(NUMBER, leak_share, 0.8, 0, 1, leakage,                               \
      "on this share of the second half")                                   \
    X(NUMBER, init_ratio, 3, 1, INFINITY, bad_init,                         \
      "first loss at least this x ln(classes)")                             \
    X(NUMBER, collapse_share, 0.9, 0, 1, collapse,                          \
      "one class takes this share of predictions")                          \
    X(ABOVE, ratio_target, 1e-3, 0, INFINITY, update_ratio,                 \
      "the update_ratio rule of thumb")                                     \
    X(NUMBER, ratio_far, 10, 1, INFINITY, update_ratio,                     \
      "far: this many times off the target")                                \
    X(NUMBER, borderline, 0.1, 0, INFINITY, decision,                       \
      "a finding whose closest test passed by less than this share is "     \
      "borderline")                                                         \
    X(NUMBER, relative_fit, 1.5, 1, INFINITY, decision,                     \
      "a worse run whose lowest train loss is this x its reference's by "   \
      "the same x underfits relative to it")                                \
    X(NUMBER, relative_fit_gap, 0.1, 0, INFINITY, decision,                 \
      "... when the gap is at least this x the reference's first train "    \
      "loss")                                                               \
    X(NUMBER, success_gain, 0.01, 0, INFINITY, decision,                    \
      "success: the next best improves by this")
/* clang-format on */

#define DIAG_TYPE_NUMBER double
#define DIAG_TYPE_ABOVE double
#define DIAG_TYPE_COUNT size_t

/* One field per row of DIAG_THRESHOLDS, by the row's name. */
struct diag_thresholds {
#define DIAG_THRESHOLD_FIELD(kind, name, def, lo, hi, owner, doc)              \
    DIAG_TYPE_##kind name;
    DIAG_THRESHOLDS(DIAG_THRESHOLD_FIELD)
#undef DIAG_THRESHOLD_FIELD
};

/* Fill t with the documented defaults. */
void diag_thresholds_init(struct diag_thresholds *t);

/*
 * Set the threshold called name (as documented, e.g. "jump_frac") from
 * the text value. Returns 0, or -1 with *why set to a message the caller
 * frees ("unknown diagnosis threshold 'x'", "threshold 'jump_frac' must
 * be a number between 0 and 1, not '2'") and t unchanged.
 */
int diag_threshold_set(struct diag_thresholds *t, const char *name,
                       const char *value, char **why);

/*
 * The i-th row of DIAG_THRESHOLDS, in documentation order: its name, or
 * NULL past the last row; the rule that owns it; its documentation line;
 * its default value.
 */
const char *diag_threshold_name(size_t i);
const char *diag_threshold_owner(size_t i);
const char *diag_threshold_doc(size_t i);
double diag_threshold_default(size_t i);

/* What diag_run() needs besides the log. */
struct diag_options {
    struct diag_thresholds t;
    unsigned num_classes; /* from the run's config; 0 when unknown */
    /*
     * When the diagnosis reads another held-out curve than the one the
     * best checkpoint is chosen by (a held-out loss beside the rule's
     * score): that metric's best checkpoint, else NULL.
     */
    const struct best *select_best;
};

/* Defaults: diag_thresholds_init() and num_classes 0. */
void diag_options_init(struct diag_options *opt);

/* What diag_run() concludes about one run. */
struct diagnosis {
    size_t n, alloc;
    struct finding *f; /* main finding first, then by rank */
    enum decision decision;
    char *symptom;     /* visible symptom, one phrase */
    char *first_check; /* what to look at before changing anything */
    char *action;      /* the one next change to try */
    char *success;     /* the result that would prove the action worked */
    char *note;        /* signals that could not be checked and side
                          observations, one paragraph; NULL if none */
};

void diagnosis_init(struct diagnosis *d);
void diagnosis_release(struct diagnosis *d);

/*
 * The i-th row of the rule table (diagnose.c), in the order the rules
 * run: its name (the owner named by DIAG_THRESHOLDS), or NULL past the
 * last row; whether it may add a finding of code.
 */
const char *diag_rule_name(size_t i);
bool diag_rule_yields(size_t i, enum diag_code code);

/* Does code have its default advice row (every code must)? */
bool diag_has_advice(enum diag_code code);

/* "healthy", "non_finite", ... */
const char *diag_code_name(enum diag_code code);
/* "keep", "tune", "rollback", "investigate" */
const char *decision_name(enum decision d);

/*
 * Read m under rule and fill d (which must be freshly initialised) with at
 * least one finding, ordered by rank, the decision record and the note.
 * best is the best checkpoint already found under the rule (best->found
 * false when the rule's metric is missing or never finite); opt holds the
 * thresholds and the number of classes (NULL: the defaults).
 */
void diag_run(const struct metrics *m, const struct rule *rule,
              const struct best *best, const struct diag_options *opt,
              struct diagnosis *d);

#endif
