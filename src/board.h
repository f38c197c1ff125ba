/*
 * board.h - the leaderboard and its headline, as every output shows them.
 *
 * The verdicts are the comparison's (compare.h); this only orders them
 * for reading and names the one run to keep. The index, the comparison
 * page and summary.md all take the order and the sentence from here, so
 * they cannot disagree. Pure: no I/O.
 */
#ifndef REPORTGEN_BOARD_H
#define REPORTGEN_BOARD_H

#include <stddef.h>

#include "compare.h"
#include "runs.h"

struct board {
    size_t n;
    /*
     * Run indices in reading order: keep, tune, rollback, investigate,
     * and within each verdict best first under the rule (cmp->order).
     */
    size_t *order;
    size_t kept;        /* the run to keep: the best keep run, or SIZE_MAX */
    size_t ref;         /* what its margin is over: the baseline, else the
                           runner-up (the next best run not to investigate),
                           or SIZE_MAX */
    double margin;      /* how much better kept's best is than ref's (> 0 is
                           better, in the rule's direction); NaN without ref */
    size_t count[4];    /* runs per decision (enum decision), outranked
                           runs left out */
    size_t need_action; /* runs whose verdict is not keep, outranked runs
                           left out */
    size_t outranked;   /* no baseline: runs rolled back only for being
                           behind their leaderboard's best (compare.h) */
    /*
     * No baseline, and runs kept on more than one leaderboard (or alone):
     * how many are kept. No one run is then the run to keep for all; kept
     * is the one of the largest leaderboard (SIZE_MAX when every kept run
     * is alone) and board_size the runs on it. 0 otherwise.
     */
    size_t nkept;
    size_t board_size;
};

/* Fill b from the verdicts of cmp over set. Free with board_release(). */
void board_build(struct board *b, const struct run_set *set,
                 const struct comparison *cmp, const struct rule *rule);
void board_release(struct board *b);

/*
 * The headline, one or two sentences: the run to keep, its best
 * checkpoint and value, its margin over the baseline or the runner-up,
 * how many runs are behind the best of their leaderboard (rolled back,
 * but with nothing to undo) and how many need action. The caller frees
 * the result.
 */
char *board_headline(const struct board *b, const struct run_set *set,
                     const struct comparison *cmp, const struct rule *rule);

#endif
