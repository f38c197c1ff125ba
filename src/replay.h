/*
 * replay.h - early stopping replayed on the curves a report already has.
 *
 * "Would early stopping have saved time here, and at what cost?"
 * replay_run() walks the metric that chooses a run's best checkpoint as
 * it was logged, as Keras' and Lightning's EarlyStopping do with
 * min_delta 0 and the best weights restored:
 *   - an evaluation is a row where the column holds a value (a missing
 *     cell is no evaluation; a logged NaN or inf is one);
 *   - it improves when its value is strictly better than the best so far
 *     in the rule's direction (a tie does not; a non-finite value never
 *     does; the first finite value does);
 *   - with patience P, training stops at the P-th evaluation in a row
 *     that does not improve, and keeps the best checkpoint seen up to
 *     there.
 * Every number recorded is a point of the log (an x and the value logged
 * there), a count of the log's evaluations, or says what it is made of
 * (a share of two counts, the difference of two recorded values), so a
 * page can quote it and a reader can find it. replay_total() sums a
 * report's runs. Pure: no I/O.
 */
#ifndef REPORTGEN_REPLAY_H
#define REPORTGEN_REPLAY_H

#include <stdbool.h>
#include <stddef.h>

#include "metrics.h"

struct run_set;
struct rule;

/* The patiences replayed, in the order shown: 5 and 10 evaluations. */
enum { REPLAY_NPATIENCE = 2 };
extern const size_t replay_patience[REPLAY_NPATIENCE];

/* What one patience would have done to one run. */
struct replay_stop {
    size_t patience;
    bool stopped;      /* patience evaluations in a row without
                          improvement came before the log ended */
    size_t stop_eval;  /* the evaluation it stops at, counted from 1;
                          0 when !stopped */
    double stop_x;     /* the x of that evaluation; NaN when !stopped */
    bool kept;         /* a finite value came before the stop */
    double kept_x;     /* the best checkpoint up to the stop (the whole
                          log when !stopped): its x and value, NaN */
    double kept_value; /* when !kept */
    size_t after;      /* evaluations logged after stop_x (0 when
                          !stopped) */
    size_t longest;    /* most evaluations in a row without improvement,
                          up to the stop (the whole log when !stopped) */
};

struct replay {
    bool done;                 /* the metric has a finite value; nothing
                                  else is set without one */
    bool maximize;             /* the rule's direction */
    size_t evals;              /* evaluations in the log */
    double best_x, best_value; /* the best checkpoint of the whole log
                                  (as metrics_best() finds it) */
    struct replay_stop stop[REPLAY_NPATIENCE];
};

/*
 * Replay early stopping on column c of m, in the direction maximize, for
 * each of replay_patience[]. rp->done is false when c is NULL or has no
 * finite value. rp owns nothing.
 */
void replay_run(const struct metrics *m, const struct column *c, bool maximize,
                struct replay *rp);

/*
 * How much worse the checkpoint s keeps is than the run's best: |kept -
 * best|, 0 when it keeps the best, NaN when it keeps none.
 */
double replay_loss(const struct replay *rp, const struct replay_stop *s);

/*
 * The share of rp's evaluations logged after s's stop, as a percentage
 * for text: "54%", "under 1%", "over 99%", "0%". Written into buf.
 */
char *replay_percent(char *buf, size_t size, size_t part, size_t whole);

/*
 * One sentence on what s would have done, e.g. "Patience 5 would have
 * stopped at epoch 23 and kept the best checkpoint, epoch 18 (val_loss
 * 0.412): 27 of 50 evaluations (54%) came after epoch 23." Every number
 * in it is a field of rp or s, replay_loss() or replay_percent() of
 * them. The caller frees the result.
 */
char *replay_sentence(const struct replay *rp, const struct replay_stop *s,
                      const char *metric, const char *xname);

/* How the replay is done, in one sentence (static). */
const char *replay_definition(void);

/* One patience over the runs of a report. */
struct replay_sum {
    size_t patience;
    size_t after;      /* evaluations after the stops, summed */
    size_t stopped;    /* runs it stops before their log ends */
    size_t worse;      /* runs whose kept checkpoint is worse than their
                          best (or is none) */
    size_t none;       /* of those, runs that would keep no checkpoint */
    size_t worst;      /* the run (index in the set) whose kept
                          checkpoint is the furthest from its best, or
                          SIZE_MAX */
    double worst_loss; /* that distance (replay_loss()), or NaN */
};

struct replay_total {
    size_t runs;  /* runs replayed: read, comparable, with a replay on
                     the report's rule */
    size_t evals; /* their evaluations, summed */
    struct replay_sum p[REPLAY_NPATIENCE];
};

/*
 * Sum the replays of the runs of set judged by rule (status ok, their
 * own rule the same metric and direction). t owns nothing.
 */
void replay_total(const struct run_set *set, const struct rule *rule,
                  struct replay_total *t);

/*
 * The report's sentence, e.g. "Early stopping replayed on the 40 runs
 * judged by val_loss: patience 10 would have saved 34% of their
 * evaluations (421 of 1234) at no loss; patience 5 would have saved 51% (630 of
 * 1234) at a loss on 3 runs (the most: sweep/x kept a checkpoint 0.012 worse
 * than its best)." Every number is a field of t, replay_percent() of them, or
 * one a run's own sentence shows. NULL when no run was replayed. The
 * caller frees the result.
 */
char *replay_total_sentence(const struct replay_total *t,
                            const struct run_set *set, const struct rule *rule);

#endif
