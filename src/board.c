/*
 * board.c - the leaderboard's reading order and its headline.
 *
 * A reader of a report asks first "which run do I keep, at which
 * checkpoint, and what needs doing?". The comparison has already decided
 * every run (compare.c); this file orders the runs so that the answer is
 * on top (the keep runs, best first, then tune, rollback, investigate)
 * and says it in one sentence. It decides nothing itself: the run to keep
 * is the best run whose verdict is keep.
 */
#include "board.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "diagnose.h"
#include "strbuf.h"
#include "util.h"

#include "banned.h"

/* Can run i be the run to keep under the report's rule? */
static bool can_keep(const struct run_set *set, size_t i)
{
    return set->runs[i].status == RUN_OK && set->runs[i].an.best.found;
}

/*
 * Without a baseline a run is compared only with its leaderboard (the
 * runs of its folder that log the same columns, compare.h), so the best
 * of two leaderboards, or a run kept alone, are not ranked against each
 * other: a val_loss of one task says nothing of another's. When more
 * than one run is kept that way (a seed replicate of a reference is kept
 * with it, not apart), b->nkept counts them and b->kept is the
 * reference of the largest leaderboard (first in reading order on a
 * tie), moved to the top of the order, or SIZE_MAX when every kept run
 * is alone. False when at most one run is kept.
 */
static bool split_kept(struct board *b, const struct run_set *set,
                       const struct comparison *cmp)
{
    size_t nkept = 0, pick = SIZE_MAX, at = 0, most = 0;

    if (cmp->baseline != SIZE_MAX || !cmp->reference)
        return false;
    for (size_t j = 0; j < set->n; j++) {
        size_t i = b->order[j], size = 0;

        if (cmp->v[i].decision != DECISION_KEEP)
            break;
        if (!can_keep(set, i))
            continue;
        /* A seed replicate of a kept reference is kept with it. */
        if (cmp->reference[i] != i && cmp->reference[i] != SIZE_MAX)
            continue;
        nkept++;
        if (cmp->reference[i] != i)
            continue;
        for (size_t k = 0; k < set->n; k++)
            size +=
                cmp->reference[k] == i && set->runs[k].status != RUN_SKIPPED;
        if (size > most) {
            most = size;
            pick = i;
            at = j;
        }
    }
    if (nkept < 2)
        return false;
    b->nkept = nkept;
    b->kept = pick;
    b->board_size = most;
    if (pick != SIZE_MAX) {
        memmove(b->order + 1, b->order, at * sizeof(*b->order));
        b->order[0] = pick;
    }
    return true;
}

void board_build(struct board *b, const struct run_set *set,
                 const struct comparison *cmp, const struct rule *rule)
{
    size_t k = 0;

    memset(b, 0, sizeof(*b));
    b->n = set->n;
    b->order = xcalloc(set->n ? set->n : 1, sizeof(*b->order));
    b->kept = b->ref = SIZE_MAX;
    b->margin = NAN;
    /* A stable pass per verdict keeps the rule's order inside each. */
    for (int d = DECISION_KEEP; d <= DECISION_INVESTIGATE; d++)
        for (size_t j = 0; j < set->n; j++)
            if ((int)cmp->v[cmp->order[j]].decision == d)
                b->order[k++] = cmp->order[j];
    for (size_t i = 0; i < set->n; i++) {
        /*
         * A run rolled back only for being behind its leaderboard's best
         * (no baseline) changed nothing that needs undoing: it is counted
         * apart, not as a run that needs action.
         */
        if (cmp->v[i].outranked) {
            b->outranked++;
            continue;
        }
        b->count[cmp->v[i].decision]++;
        if (cmp->v[i].decision != DECISION_KEEP)
            b->need_action++;
    }
    /*
     * The best kept run under the report's rule: a run kept on its own
     * metric (left out of the comparison) is not the one to keep here.
     * Runs kept on separate leaderboards were never compared with each
     * other: the one to name is the largest leaderboard's.
     */
    if (!split_kept(b, set, cmp)) {
        for (size_t j = 0; j < set->n && b->kept == SIZE_MAX; j++) {
            size_t i = b->order[j];

            if (cmp->v[i].decision != DECISION_KEEP)
                break;
            if (can_keep(set, i))
                b->kept = i;
        }
    }
    if (b->kept == SIZE_MAX)
        return;
    if (cmp->baseline != SIZE_MAX && cmp->baseline != b->kept &&
        set->runs[cmp->baseline].an.best.found) {
        b->ref = cmp->baseline;
    } else {
        /*
         * The runner-up: the next best run (by value) worth comparing,
         * on the kept run's own leaderboard when there is no baseline:
         * the val_loss of a run of another folder, or logging other
         * columns, is another task's and says nothing of this one.
         */
        /*
         * A seed replicate of the kept run differs from it by its seed
         * alone: the margin over it is seed noise, so it is the runner-up
         * only when no run of other settings is.
         */
        for (int pass = 0; pass < 2 && b->ref == SIZE_MAX; pass++) {
            for (size_t j = 0; j < set->n && b->ref == SIZE_MAX; j++) {
                size_t i = cmp->order[j];
                const char *g = cmp->v[i].group, *gk = cmp->v[b->kept].group;

                if (i != b->kept && set->runs[i].an.best.found &&
                    set->runs[i].status == RUN_OK &&
                    cmp->v[i].decision != DECISION_INVESTIGATE &&
                    (cmp->baseline != SIZE_MAX || !cmp->reference ||
                     (cmp->reference[i] != SIZE_MAX &&
                      cmp->reference[i] == cmp->reference[b->kept])) &&
                    (pass || !g || !gk || strcmp(g, gk)))
                    b->ref = i;
            }
        }
    }
    if (b->ref != SIZE_MAX) {
        double d =
            set->runs[b->ref].an.best.value - set->runs[b->kept].an.best.value;

        b->margin = rule->maximize ? -d : d;
    }
}

void board_release(struct board *b)
{
    free(b->order);
    memset(b, 0, sizeof(*b));
}

/* Is every outranked run behind the kept run (one leaderboard)? */
static bool all_behind(const struct board *b, const struct comparison *cmp)
{
    for (size_t i = 0; i < b->n; i++)
        if (cmp->v[i].outranked &&
            (!cmp->reference || cmp->reference[i] != b->kept))
            return false;
    return true;
}

char *board_headline(const struct board *b, const struct run_set *set,
                     const struct comparison *cmp, const struct rule *rule)
{
    struct strbuf sb = STRBUF_INIT;
    char x[FMT_NUM_SIZE], v[FMT_NUM_SIZE], m[FMT_NUM_SIZE];
    bool first = true;

    if (b->nkept) {
        /* "No one run to keep for all 110 runs: ..." */
        strbuf_addf(&sb,
                    "No one run to keep for all %zu runs: a run is compared "
                    "only with the runs of its folder that log the same "
                    "columns, and ",
                    b->n);
        if (b->kept == SIZE_MAX)
            strbuf_addf(&sb,
                        "none of the %zu runs kept has such a peer (each "
                        "is judged alone).",
                        b->nkept);
        else
            strbuf_addf(&sb,
                        "%zu runs are kept, each the best of its own "
                        "leaderboard or judged alone. On the largest "
                        "leaderboard (%zu runs), ",
                        b->nkept, b->board_size);
    }
    if (b->kept == SIZE_MAX) {
        if (!b->nkept)
            strbuf_addstr(&sb, "No run can be kept under the rule.");
    } else {
        const struct run *r = &set->runs[b->kept];

        strbuf_addf(&sb, "%s %s%s at %s %s (%s %s)", b->nkept ? "keep" : "Keep",
                    b->kept == cmp->baseline ? "the baseline " : "", r->name,
                    r->read.xname ? r->read.xname : "x",
                    fmt_num(x, sizeof(x), r->an.best.x), rule->metric,
                    fmt_num(v, sizeof(v), r->an.best.value));
        if (b->ref == SIZE_MAX && cmp->baseline == SIZE_MAX && cmp->reference &&
            cmp->reference[b->kept] == SIZE_MAX && b->n > 1) {
            strbuf_addstr(&sb, ", alone on its leaderboard (no other run of "
                               "its folder logs the same columns).");
        } else if (b->ref == SIZE_MAX) {
            strbuf_addstr(&sb, ", the only run to compare.");
        } else {
            const struct run *ref = &set->runs[b->ref];

            fmt_num(m, sizeof(m), fabs(b->margin));
            if (b->margin > 0)
                strbuf_addf(
                    &sb, ": %s %s than %s %s (%s).", m,
                    rule->maximize ? "higher" : "lower",
                    b->ref == cmp->baseline ? "the baseline" : "the runner-up",
                    ref->name, fmt_num(v, sizeof(v), ref->an.best.value));
            else if (b->margin == 0)
                strbuf_addf(&sb, ", level with %s %s.",
                            b->ref == cmp->baseline ? "the baseline"
                                                    : "the runner-up",
                            ref->name);
            else
                strbuf_addf(&sb, ". %s is %s %s (%s), but its verdict is %s.",
                            ref->name, m, rule->maximize ? "higher" : "lower",
                            fmt_num(v, sizeof(v), ref->an.best.value),
                            decision_name(cmp->v[b->ref].decision));
        }
    }
    /*
     * "199 other runs are worse than the kept run by more than the min
     * improvement: rollback, do not adopt their settings." With several
     * leaderboards, each run is behind the best run of its own.
     */
    if (b->outranked)
        strbuf_addf(&sb,
                    " %zu other run%s worse than %s by more than the min "
                    "improvement: rollback, do not adopt %s settings.",
                    b->outranked, b->outranked == 1 ? " is" : "s are",
                    b->kept != SIZE_MAX && all_behind(b, cmp) ? "the kept run"
                    : b->outranked == 1 ? "the best run of its leaderboard"
                                        : "the best run of their leaderboard",
                    b->outranked == 1 ? "its" : "their");
    if (!b->need_action) {
        strbuf_addf(&sb, " No run needs action.");
        return strbuf_detach(&sb, NULL);
    }
    /* "The run needs", "Both runs need", "All 5 runs need", "1 of 5 runs
     * needs", "3 of 5 runs need". */
    if (b->n == 1)
        strbuf_addstr(&sb, " The run needs action (");
    else if (b->need_action == b->n && b->n == 2)
        strbuf_addstr(&sb, " Both runs need action (");
    else if (b->need_action == b->n)
        strbuf_addf(&sb, " All %zu runs need action (", b->n);
    else
        strbuf_addf(&sb, " %zu of %zu runs %s action (", b->need_action, b->n,
                    b->need_action == 1 ? "needs" : "need");
    for (int d = DECISION_TUNE; d <= DECISION_INVESTIGATE; d++) {
        if (!b->count[d])
            continue;
        if (b->need_action == 1)
            strbuf_addstr(&sb, decision_name((enum decision)d));
        else
            strbuf_addf(&sb, "%s%zu %s", first ? "" : ", ", b->count[d],
                        decision_name((enum decision)d));
        first = false;
    }
    strbuf_addstr(&sb, ").");
    return strbuf_detach(&sb, NULL);
}
