/*
 * replay.c - early stopping replayed on a run's logged curve (replay.h).
 *
 * report.c calls replay_run() while a run's series is loaded, on the
 * column and direction its best checkpoint is chosen by, and keeps the
 * struct replay in the run's analysis; the pages and the summaries then
 * render it with replay_sentence() and replay_total_sentence(), so that
 * every output says the same words.
 *
 * The rule replayed is the one the common trainers ship: Keras'
 * EarlyStopping (monitor_op(current - min_delta, best), wait += 1, stop
 * when wait >= patience) and Lightning's (torch.lt, wait_count >=
 * patience), with min_delta 0 and restore_best_weights. Both start from
 * an infinitely bad best, so an evaluation that is not finite before the
 * first finite one counts as waiting too; Lightning's check_finite,
 * which would stop at the first non-finite value, is not replayed.
 */
#include "replay.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "compare.h"
#include "runs.h"
#include "strbuf.h"
#include "util.h"

#include "banned.h"

const size_t replay_patience[REPLAY_NPATIENCE] = {5, 10};

static void replay_one(const struct metrics *m, const struct column *c,
                       bool maximize, struct replay_stop *s)
{
    size_t n = 0, wait = 0;
    struct numreader rd;

    metrics_reader(&rd, m, c);
    s->stopped = s->kept = false;
    s->stop_eval = 0;
    s->stop_x = s->kept_x = s->kept_value = NAN;
    s->after = s->longest = 0;
    for (size_t i = 0; i < m->nrows; i++) {
        double v;

        if (!metrics_present(c, i))
            continue;
        n++;
        if (s->stopped) {
            s->after++;
            continue;
        }
        v = numreader_at(&rd, i);
        if (isfinite(v) &&
            (!s->kept || (maximize ? v > s->kept_value : v < s->kept_value))) {
            s->kept = true;
            s->kept_x = metrics_x(m, i);
            s->kept_value = v;
            wait = 0;
            continue;
        }
        if (++wait > s->longest)
            s->longest = wait;
        if (wait >= s->patience) {
            s->stopped = true;
            s->stop_eval = n;
            s->stop_x = metrics_x(m, i);
        }
    }
}

void replay_run(const struct metrics *m, const struct column *c, bool maximize,
                struct replay *rp)
{
    struct best best;

    memset(rp, 0, sizeof(*rp));
    rp->best_x = rp->best_value = NAN;
    for (size_t p = 0; p < REPLAY_NPATIENCE; p++) {
        rp->stop[p].patience = replay_patience[p];
        rp->stop[p].stop_x = rp->stop[p].kept_x = NAN;
        rp->stop[p].kept_value = NAN;
    }
    if (!c)
        return;
    metrics_best(m, c, maximize, &best);
    if (!best.found)
        return;
    rp->done = true;
    rp->maximize = maximize;
    rp->best_x = best.x;
    rp->best_value = best.value;
    for (size_t i = 0; i < m->nrows; i++)
        rp->evals += metrics_present(c, i) != 0;
    for (size_t p = 0; p < REPLAY_NPATIENCE; p++)
        replay_one(m, c, maximize, &rp->stop[p]);
}

double replay_loss(const struct replay *rp, const struct replay_stop *s)
{
    if (!s->kept)
        return NAN;
    /* The kept checkpoint is the best one exactly when it is at its x. */
    if (s->kept_x == rp->best_x)
        return 0;
    return fabs(s->kept_value - rp->best_value);
}

char *replay_percent(char *buf, size_t size, size_t part, size_t whole)
{
    /* Rounded half up, but never to 0% or 100% when that is not so. */
    size_t pct = whole ? (part * 200 + whole) / (2 * whole) : 0;

    if (part && pct == 0)
        snprintf(buf, size, "under 1%%");
    else if (part < whole && pct == 100)
        snprintf(buf, size, "over 99%%");
    else
        snprintf(buf, size, "%zu%%", pct);
    return buf;
}

const char *replay_definition(void)
{
    return "Early stopping replayed on the logged curve, as Keras and "
           "Lightning do it with min_delta 0: an evaluation improves only "
           "when it is strictly better than the best so far (a tie or a "
           "NaN does not), training stops at the P-th evaluation in a row "
           "that does not improve, and the best checkpoint up to there is "
           "kept.";
}

char *replay_sentence(const struct replay *rp, const struct replay_stop *s,
                      const char *metric, const char *xname)
{
    struct strbuf sb = STRBUF_INIT;
    char a[FMT_NUM_SIZE], b[FMT_NUM_SIZE], pct[32];

    if (!xname)
        xname = "x";
    if (!s->stopped && !s->longest && rp->evals == 1) {
        strbuf_addf(&sb,
                    "Patience %zu would not have stopped it: it has one %s "
                    "evaluation.",
                    s->patience, metric);
        return strbuf_detach(&sb, NULL);
    }
    if (!s->stopped && !s->longest) {
        strbuf_addf(&sb,
                    "Patience %zu would not have stopped it: each of its %zu "
                    "%s evaluations was a new best.",
                    s->patience, rp->evals, metric);
        return strbuf_detach(&sb, NULL);
    }
    if (!s->stopped) {
        strbuf_addf(&sb,
                    "Patience %zu would not have stopped it: at most %zu "
                    "evaluation%s in a row went without a new best %s, of "
                    "%zu in all.",
                    s->patience, s->longest, s->longest == 1 ? "" : "s", metric,
                    rp->evals);
        return strbuf_detach(&sb, NULL);
    }
    strbuf_addf(&sb, "Patience %zu would have stopped at %s %s", s->patience,
                xname, fmt_num(a, sizeof(a), s->stop_x));
    if (!s->kept) {
        strbuf_addf(&sb, ", before any finite %s, with no checkpoint to keep",
                    metric);
    } else if (replay_loss(rp, s) == 0) {
        strbuf_addf(&sb, " and kept the best checkpoint, %s %s (%s %s)", xname,
                    fmt_num(a, sizeof(a), s->kept_x), metric,
                    fmt_num(b, sizeof(b), s->kept_value));
    } else {
        strbuf_addf(&sb, " and kept %s %s (%s %s), ", xname,
                    fmt_num(a, sizeof(a), s->kept_x), metric,
                    fmt_num(b, sizeof(b), s->kept_value));
        strbuf_addf(&sb, "%s worse than the best, %s ",
                    fmt_num(a, sizeof(a), replay_loss(rp, s)), xname);
        strbuf_addf(&sb, "%s (%s)", fmt_num(a, sizeof(a), rp->best_x),
                    fmt_num(b, sizeof(b), rp->best_value));
    }
    if (!s->after)
        strbuf_addf(&sb, ": it is the last evaluation, so nothing is saved.");
    else
        strbuf_addf(&sb, ": %zu of %zu evaluations (%s) came after it.",
                    s->after, rp->evals,
                    replay_percent(pct, sizeof(pct), s->after, rp->evals));
    return strbuf_detach(&sb, NULL);
}

void replay_total(const struct run_set *set, const struct rule *rule,
                  struct replay_total *t)
{
    memset(t, 0, sizeof(*t));
    for (size_t p = 0; p < REPLAY_NPATIENCE; p++) {
        t->p[p].patience = replay_patience[p];
        t->p[p].worst = SIZE_MAX;
        t->p[p].worst_loss = NAN;
    }
    for (size_t i = 0; i < set->n; i++) {
        const struct run *r = &set->runs[i];
        const struct replay *rp = &r->an.replay;

        if (r->status != RUN_OK || !rp->done || !r->an.rule.metric ||
            strcmp(r->an.rule.metric, rule->metric) ||
            r->an.rule.maximize != rule->maximize)
            continue;
        t->runs++;
        t->evals += rp->evals;
        for (size_t p = 0; p < REPLAY_NPATIENCE; p++) {
            const struct replay_stop *s = &rp->stop[p];
            struct replay_sum *sum = &t->p[p];
            double loss = replay_loss(rp, s);

            sum->after += s->after;
            sum->stopped += s->stopped;
            if (loss == 0)
                continue;
            sum->worse++;
            if (isnan(loss)) {
                sum->none++;
            } else if (sum->worst == SIZE_MAX || loss > sum->worst_loss) {
                /* Runs are in name order: the first of equal losses. */
                sum->worst = i;
                sum->worst_loss = loss;
            }
        }
    }
}

/*
 * "at no loss", "at a loss on 3 runs (the most: sweep/x kept a checkpoint
 * 0.012 worse than its best)".
 */
static void add_cost(struct strbuf *sb, const struct replay_sum *sum,
                     const struct run_set *set)
{
    char a[FMT_NUM_SIZE];

    if (!sum->worse) {
        strbuf_addstr(sb, " at no loss");
        return;
    }
    strbuf_addf(sb, " at a loss on %zu run%s (", sum->worse,
                sum->worse == 1 ? "" : "s");
    if (sum->worst != SIZE_MAX)
        strbuf_addf(
            sb, "%s%s kept a checkpoint %s worse than its best",
            sum->worse == 1 ? "" : "the most: ", set->runs[sum->worst].name,
            fmt_num(a, sizeof(a), sum->worst_loss));
    if (sum->none)
        strbuf_addf(sb, "%s%zu with no checkpoint to keep",
                    sum->worst != SIZE_MAX ? "; " : "", sum->none);
    strbuf_addch(sb, ')');
}

char *replay_total_sentence(const struct replay_total *t,
                            const struct run_set *set, const struct rule *rule)
{
    struct strbuf sb = STRBUF_INIT;
    char pct[32];

    if (!t->runs)
        return NULL;
    if (t->runs == 1)
        strbuf_addf(&sb,
                    "Early stopping replayed on the one run judged by "
                    "%s:",
                    rule->metric);
    else
        strbuf_addf(&sb,
                    "Early stopping replayed on the %zu runs judged by "
                    "%s:",
                    t->runs, rule->metric);
    {
        bool any = false;

        for (size_t q = 0; q < REPLAY_NPATIENCE; q++)
            any = any || t->p[q].stopped;
        if (!any) {
            strbuf_addf(&sb,
                        " neither patience %zu nor %zu would have "
                        "stopped %s.",
                        replay_patience[0], replay_patience[1],
                        t->runs == 1 ? "it" : "any of them");
            return strbuf_detach(&sb, NULL);
        }
    }
    /* The longest patience first: the safer one. */
    for (size_t q = REPLAY_NPATIENCE; q-- > 0;) {
        const struct replay_sum *sum = &t->p[q];

        strbuf_addf(&sb, "%s patience %zu would ",
                    q + 1 < REPLAY_NPATIENCE ? ";" : "", sum->patience);
        if (!sum->stopped) {
            strbuf_addstr(&sb, "have stopped none of them");
            continue;
        }
        strbuf_addf(&sb, "have saved %s",
                    replay_percent(pct, sizeof(pct), sum->after, t->evals));
        if (q + 1 == REPLAY_NPATIENCE)
            strbuf_addstr(&sb, " of their evaluations");
        strbuf_addf(&sb, " (%zu of %zu)", sum->after, t->evals);
        add_cost(&sb, sum, set);
    }
    strbuf_addch(&sb, '.');
    return strbuf_detach(&sb, NULL);
}
