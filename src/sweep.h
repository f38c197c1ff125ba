/*
 * sweep.h - the settings that vary across the runs of a report.
 *
 * A sweep is read from the runs' configs (config.h) as they are: a
 * setting varies when at least two runs set it and they do not all give
 * it the same value (seeds aside, as compare.c leaves them aside). The
 * leaderboards (index, comparison page, summary.md) show the first
 * SWEEP_MAX_SHOWN of them as columns and count the rest; the comparison
 * page draws the rule's metric at each run's best checkpoint against
 * each one shown. Filled by cmp_runs() into struct comparison, so that
 * every output reads the same list. Pure: no I/O.
 */
#ifndef REPORTGEN_SWEEP_H
#define REPORTGEN_SWEEP_H

#include <stdbool.h>
#include <stddef.h>

#include "runs.h"

/* The most varying settings shown as columns and charts. */
#define SWEEP_MAX_SHOWN 6

struct sweep_key {
    char *key;
    bool numeric;       /* every value set is a finite number */
    size_t nset;        /* runs that set it */
    size_t ndistinct;   /* distinct values among them (as numbers when
                           numeric: "1e-3" and "0.001" are one value) */
    const char **value; /* one per run of the set: the value as written
                           (borrowed from the run's config), or NULL */
    double *num;        /* one per run: the value as a number, NaN when
                           unset or not numeric */
};

struct sweep {
    size_t nkeys; /* shown: at most SWEEP_MAX_SHOWN */
    struct sweep_key *keys;
    size_t nmore; /* varying settings not shown */
    char **more;  /* their names, in the order of keys[] */
    size_t nruns; /* runs of the set, the length of each value[] */
};

void sweep_init(struct sweep *s);
void sweep_release(struct sweep *s);

/*
 * Find the settings that vary across the runs of set that were read (a
 * skipped run's config is not looked at). They are ranked: the most often
 * set first, then the most distinct values, then by key; settings that
 * look like a run's own label (text values, every run a different one,
 * three runs or more: a name, a path, a date) last. The first
 * SWEEP_MAX_SHOWN that are not labels go into s->keys, the rest are
 * named in s->more. The values borrow from the runs' configs: s must not
 * outlive set.
 */
void sweep_find(struct sweep *s, const struct run_set *set);

#endif
