/*
 * test_replay.c - early stopping replayed on hand-made curves (ties,
 * missing cells and logged NaNs, a curve that never improves, runs
 * shorter than the patience, both directions), the sentences said about
 * them, the sum over a report, and on every run of sample_runs/: each
 * recorded point is in the log, the counts are the log's, and every
 * number a sentence shows is one the replay recorded.
 */
#include <ctype.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compare.h"
#include "formats.h"
#include "metrics.h"
#include "replay.h"
#include "runs.h"
#include "util.h"
#include "tap.h"

/* A curve at x = 1, 2, ...: NAN_MISSING is an empty cell, NAN a logged NaN. */
#define MISSING (-12345.0)

static struct metrics *curve(const double *v, size_t n)
{
    struct metrics *m = metrics_new("t.csv", "epoch");
    size_t c = metrics_add_column(m, "val_loss");

    for (size_t i = 0; i < n; i++) {
        size_t row = metrics_add_row(m, (double)(i + 1), i + 2);

        if (v[i] != MISSING)
            metrics_set(m, row, c, v[i]);
    }
    return m;
}

static void replay_curve(const double *v, size_t n, bool maximize,
                         struct replay *rp)
{
    struct metrics *m = curve(v, n);

    replay_run(m, &m->cols[0], maximize, rp);
    metrics_free(m);
}

static void is_sentence(const struct replay *rp, size_t p, const char *want,
                        const char *name)
{
    char *s = replay_sentence(rp, &rp->stop[p], "val_loss", "epoch");

    is_str(s, want, name);
    free(s);
}

/* A tie is no improvement: five ties stop patience 5, the earliest kept. */
static void test_ties(void)
{
    static const double v[] = {1.0, 0.9, 0.8, 0.8, 0.8,  0.8,
                               0.8, 0.8, 0.7, 0.7, 0.75, 0.8};
    struct replay rp;

    replay_curve(v, sizeof(v) / sizeof(v[0]), false, &rp);
    ok(rp.done && rp.evals == 12 && rp.best_x == 9 && rp.best_value == 0.7,
       "ties: the best is the earliest of equal values");
    ok(rp.stop[0].stopped && rp.stop[0].stop_x == 8 &&
           rp.stop[0].stop_eval == 8 && rp.stop[0].kept_x == 3 &&
           rp.stop[0].kept_value == 0.8 && rp.stop[0].after == 4,
       "ties: patience 5 stops at the fifth tie, keeping the first of them");
    is_double(replay_loss(&rp, &rp.stop[0]), 0.1, 1e-12,
              "ties: the loss is the kept value minus the best");
    ok(!rp.stop[1].stopped && rp.stop[1].kept_x == 9 &&
           rp.stop[1].longest == 5 && rp.stop[1].after == 0,
       "ties: patience 10 does not stop and keeps the best");
    is_double(replay_loss(&rp, &rp.stop[1]), 0, 0,
              "ties: no loss without a stop");
    is_sentence(&rp, 0,
                "Patience 5 would have stopped at epoch 8 and kept epoch 3 "
                "(val_loss 0.8), 0.1 worse than the best, epoch 9 (0.7): 4 "
                "of 12 evaluations (33%) came after it.",
                "ties: the sentence of a stop at a loss");
    is_sentence(&rp, 1,
                "Patience 10 would not have stopped it: at most 5 "
                "evaluations in a row went without a new best val_loss, of "
                "12 in all.",
                "ties: the sentence of no stop");
}

/*
 * An empty cell is no evaluation; a logged NaN is one that does not
 * improve.
 */
static void test_gaps(void)
{
    static const double v[] = {0.5,     MISSING, 0.4,     NAN, NAN,
                               MISSING, 0.45,    0.41,    NAN, MISSING,
                               0.3,     0.35,    MISSING, 0.36};
    struct replay rp;

    replay_curve(v, sizeof(v) / sizeof(v[0]), false, &rp);
    ok(rp.evals == 10, "gaps: ten evaluations, empty cells not counted");
    ok(rp.stop[0].stopped && rp.stop[0].stop_x == 9 &&
           rp.stop[0].stop_eval == 7 && rp.stop[0].kept_x == 3 &&
           rp.stop[0].after == 3,
       "gaps: patience 5 counts the NaNs and skips the empty cells");
    ok(!rp.stop[1].stopped && rp.stop[1].longest == 5 &&
           rp.stop[1].kept_x == 11,
       "gaps: patience 10 does not stop");
}

/* A curve that only gets worse stops patience evaluations after the first. */
static void test_never_improves(void)
{
    double v[20];
    struct replay rp;

    for (size_t i = 0; i < 20; i++)
        v[i] = (double)(i + 1);
    replay_curve(v, 20, false, &rp);
    ok(rp.stop[0].stopped && rp.stop[0].stop_x == 6 && rp.stop[0].after == 14 &&
           rp.stop[0].kept_x == 1,
       "never improves: patience 5 stops at the sixth evaluation");
    ok(rp.stop[1].stopped && rp.stop[1].stop_x == 11 && rp.stop[1].after == 9,
       "never improves: patience 10 stops at the eleventh");
    is_sentence(&rp, 0,
                "Patience 5 would have stopped at epoch 6 and kept the best "
                "checkpoint, epoch 1 (val_loss 1): 14 of 20 evaluations (70%) "
                "came after it.",
                "never improves: the sentence of a stop at no loss");
    /* The same curve read as a score to maximise improves every time. */
    replay_curve(v, 20, true, &rp);
    ok(!rp.stop[0].stopped && rp.stop[0].longest == 0 &&
           rp.stop[0].kept_x == 20,
       "never improves: as a score it always improves");
    is_sentence(&rp, 1,
                "Patience 10 would not have stopped it: each of its 20 "
                "val_loss evaluations was a new best.",
                "always improves: the sentence says so");
    /* One evaluation is not "each of its 1 evaluations". */
    replay_curve(v, 1, false, &rp);
    is_sentence(&rp, 0,
                "Patience 5 would not have stopped it: it has one val_loss "
                "evaluation.",
                "one evaluation: said in the singular");
}

/* Runs shorter than the patience, and one that stops at its last point. */
static void test_short(void)
{
    static const double v[] = {1.0, 0.9, 0.95, 0.96, 0.97, 0.98, 0.99};
    static const double three[] = {0.3, 0.4, 0.5};
    struct replay rp;

    replay_curve(v, 7, false, &rp);
    ok(rp.stop[0].stopped && rp.stop[0].stop_x == 7 && rp.stop[0].after == 0,
       "short: patience 5 stops at the last evaluation");
    is_sentence(&rp, 0,
                "Patience 5 would have stopped at epoch 7 and kept the best "
                "checkpoint, epoch 2 (val_loss 0.9): it is the last "
                "evaluation, so nothing is saved.",
                "short: a stop at the last evaluation saves nothing");
    ok(!rp.stop[1].stopped && rp.stop[1].longest == 5,
       "short: seven evaluations do not stop patience 10");
    replay_curve(three, 3, false, &rp);
    ok(!rp.stop[0].stopped && !rp.stop[1].stopped && rp.stop[0].kept_x == 1 &&
           rp.stop[0].longest == 2,
       "short: three evaluations stop neither patience");
    is_sentence(&rp, 0,
                "Patience 5 would not have stopped it: at most 2 evaluations "
                "in a row went without a new best val_loss, of 3 in all.",
                "short: the sentence of a run shorter than the patience");
}

/* NaNs before any finite value wait too; a curve of NaNs is not replayed. */
static void test_no_checkpoint(void)
{
    static const double v[] = {NAN, NAN, NAN, NAN, NAN, 0.5, 0.4, 0.3};
    static const double all_nan[] = {NAN, NAN, MISSING};
    struct replay rp;

    replay_curve(v, 8, false, &rp);
    ok(rp.stop[0].stopped && rp.stop[0].stop_x == 5 && !rp.stop[0].kept &&
           isnan(replay_loss(&rp, &rp.stop[0])),
       "leading NaNs: patience 5 stops with no checkpoint");
    is_sentence(&rp, 0,
                "Patience 5 would have stopped at epoch 5, before any finite "
                "val_loss, with no checkpoint to keep: 3 of 8 evaluations "
                "(38%) came after it.",
                "leading NaNs: the sentence says so");
    replay_curve(all_nan, 3, false, &rp);
    ok(!rp.done, "all NaN: nothing replayed");
}

static void test_percent(void)
{
    char b[32];

    is_str(replay_percent(b, sizeof(b), 1, 1000), "under 1%",
           "percent: a small share is not 0%");
    is_str(replay_percent(b, sizeof(b), 999, 1000), "over 99%",
           "percent: a large share is not 100%");
    is_str(replay_percent(b, sizeof(b), 1, 8), "13%",
           "percent: 12.5% rounds half up");
    is_str(replay_percent(b, sizeof(b), 0, 8), "0%", "percent: none is 0%");
}

/* A report of three runs judged by val_loss and one judged by another. */
static void test_total(void)
{
    static const double a[] = {1, 2, 3, 4,  5,  6,
                               7, 8, 9, 10, 11, 12}; /* worse */
    static const double b[] = {1.0, 0.9, 0.8, 0.8, 0.8,  0.8,
                               0.8, 0.8, 0.7, 0.7, 0.75, 0.8}; /* ties */
    static const double c[] = {0.5, 0.4, 0.3};                 /* short */
    struct run runs[4];
    struct run_set set = {(char *)"runs", 4, 4, runs};
    struct rule rule = {(char *)"val_loss", false};
    struct replay_total t;
    char *s;

    memset(runs, 0, sizeof(runs));
    runs[0].name = (char *)"a";
    runs[1].name = (char *)"b";
    runs[2].name = (char *)"c";
    runs[3].name = (char *)"d";
    for (size_t i = 0; i < 4; i++) {
        runs[i].status = RUN_OK;
        runs[i].an.rule = rule;
    }
    runs[3].an.rule.maximize = true;
    replay_curve(a, 12, false, &runs[0].an.replay);
    replay_curve(b, 12, false, &runs[1].an.replay);
    replay_curve(c, 3, false, &runs[2].an.replay);
    replay_curve(a, 12, false, &runs[3].an.replay);
    replay_total(&set, &rule, &t);
    ok(t.runs == 3 && t.evals == 27, "total: the runs on the rule, summed");
    ok(t.p[0].after == 6 + 4 && t.p[0].stopped == 2 && t.p[0].worse == 1 &&
           t.p[0].worst == 1,
       "total: patience 5 saves 10 evaluations, at a loss on run b");
    ok(t.p[1].after == 1 && t.p[1].stopped == 1 && t.p[1].worse == 0,
       "total: patience 10 saves 1 at no loss");
    s = replay_total_sentence(&t, &set, &rule);
    is_str(s,
           "Early stopping replayed on the 3 runs judged by val_loss: patience "
           "10 would have saved 4% of their evaluations (1 of 27) at no loss; "
           "patience 5 "
           "would have saved 37% (10 of 27) at a "
           "loss on 1 run (b kept a checkpoint 0.1 worse than its best).",
           "total: the report's sentence");
    free(s);
    set.n = 3;
    runs[0].status = runs[1].status = RUN_SKIPPED;
    replay_total(&set, &rule, &t);
    s = replay_total_sentence(&t, &set, &rule);
    is_str(s,
           "Early stopping replayed on the one run judged by val_loss: "
           "neither patience 5 nor 10 would have stopped it.",
           "total: one run that neither patience stops");
    free(s);
    set.n = 0;
    replay_total(&set, &rule, &t);
    s = replay_total_sentence(&t, &set, &rule);
    ok(!s, "total: no sentence without a run");
}

/* Append the numbers of text to toks, one per token (digits and '.'). */
static size_t number_tokens(const char *text, char toks[][32], size_t max)
{
    size_t n = 0;

    for (const char *p = text; *p;) {
        if (isdigit((unsigned char)*p) &&
            (p == text || !(isalnum((unsigned char)p[-1]) || p[-1] == '_'))) {
            size_t k = 0;

            while ((isdigit((unsigned char)*p) || *p == '.' || *p == 'e' ||
                    *p == '-' || *p == '+') &&
                   k < 31)
                toks[n][k++] = *p++;
            while (k && !isdigit((unsigned char)toks[n][k - 1]))
                k--;
            toks[n][k] = 0;
            if (n + 1 < max)
                n++;
        } else {
            p++;
        }
    }
    return n;
}

/* Is every number of s's sentence a field of rp or s (or made of them)? */
static bool sentence_recorded(const struct replay *rp,
                              const struct replay_stop *s, const char *text)
{
    char toks[32][32], f[12][FMT_NUM_SIZE];
    size_t n = number_tokens(text, toks, 32), nf = 0;
    double nums[] = {s->stop_x,  s->kept_x,      s->kept_value,
                     rp->best_x, rp->best_value, replay_loss(rp, s)};
    char pct[32];

    for (size_t i = 0; i < sizeof(nums) / sizeof(nums[0]); i++)
        if (!isnan(nums[i]))
            fmt_num(f[nf++], FMT_NUM_SIZE, nums[i]);
    snprintf(f[nf++], FMT_NUM_SIZE, "%zu", s->patience);
    snprintf(f[nf++], FMT_NUM_SIZE, "%zu", s->after);
    snprintf(f[nf++], FMT_NUM_SIZE, "%zu", rp->evals);
    snprintf(f[nf++], FMT_NUM_SIZE, "%zu", s->longest);
    replay_percent(pct, sizeof(pct), s->after, rp->evals);
    snprintf(f[nf++], FMT_NUM_SIZE, "%.*s", (int)strcspn(pct, "%"),
             pct + strcspn(pct, "0123456789"));
    for (size_t i = 0; i < n; i++) {
        bool found = false;

        for (size_t k = 0; k < nf && !found; k++)
            found = !strcmp(toks[i], f[k]);
        if (!found) {
            printf("# '%s' is not recorded: %s\n", toks[i], text);
            return false;
        }
    }
    return true;
}

/*
 * Check one replay against the log: the recorded points are logged
 * points, the counts are the log's, nothing between the kept checkpoint
 * and the stop improves on it, and the stop comes exactly patience
 * evaluations after the last improvement.
 */
static bool replay_in_log(const struct metrics *m, const struct column *c,
                          const struct replay *rp, const struct replay_stop *s)
{
    size_t evals = 0, after = 0, since = 0;
    bool kept_seen = !s->kept, stop_seen = !s->stopped;

    for (size_t i = 0; i < m->nrows; i++) {
        if (!metrics_present(c, i))
            continue;
        evals++;
        if (s->stopped && metrics_x(m, i) > s->stop_x)
            after++;
        if (s->kept && metrics_x(m, i) == s->kept_x) {
            kept_seen = metrics_v(c, i) == s->kept_value;
            since = 0;
            continue;
        }
        if (kept_seen && !(s->stopped && metrics_x(m, i) > s->stop_x)) {
            since++;
            if (isfinite(metrics_v(c, i)) &&
                (rp->maximize ? metrics_v(c, i) > s->kept_value
                              : metrics_v(c, i) < s->kept_value))
                return false;
        }
        if (s->stopped && metrics_x(m, i) == s->stop_x)
            stop_seen = since == s->patience || !s->kept;
    }
    return evals == rp->evals && after == s->after && kept_seen && stop_seen;
}

static void test_sample_runs(void)
{
    const char *srcdir = getenv("srcdir");
    char *root;
    struct run_set set;
    size_t replays = 0, bad = 0, bad_text = 0, stopped = 0;

    if (!srcdir || !*srcdir)
        srcdir = ".";
    root = xasprintf("%s/sample_runs", srcdir);
    run_set_init(&set);
    if (runs_find(&set, root))
        bad++;
    for (size_t i = 0; i < set.n; i++) {
        struct run *r = &set.runs[i];
        struct candidate cand;
        struct metrics *m;
        const struct column *col;
        struct replay rp;
        char *why = NULL;

        if (r->status == RUN_SKIPPED || !r->format)
            continue;
        run_candidate(r, &cand);
        m = r->format->read(&cand, &why);
        free(why);
        if (!m)
            continue;
        col = metrics_find(m, "val_loss");
        replay_run(m, col, false, &rp);
        for (size_t p = 0; rp.done && p < REPLAY_NPATIENCE; p++) {
            char *text = replay_sentence(&rp, &rp.stop[p], "val_loss", "epoch");

            replays++;
            stopped += rp.stop[p].stopped;
            if (!replay_in_log(m, col, &rp, &rp.stop[p])) {
                bad++;
                printf("# %s: patience %zu does not match the log\n", r->name,
                       rp.stop[p].patience);
            }
            if (!sentence_recorded(&rp, &rp.stop[p], text))
                bad_text++;
            free(text);
        }
        metrics_free(m);
    }
    run_set_release(&set);
    free(root);
    ok(replays > 20 && stopped > 5, "sample_runs: replays, some stopped");
    ok(bad == 0, "sample_runs: every replay is in the log");
    ok(bad_text == 0, "sample_runs: every number shown is recorded");
}

int main(void)
{
    plan(37);
    test_ties();
    test_gaps();
    test_never_improves();
    test_short();
    test_no_checkpoint();
    test_percent();
    test_total();
    test_sample_runs();
    return done();
}
