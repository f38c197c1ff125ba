/*
 * heldout.c - held-out metrics by name, and the rule chosen when none is
 * given (see heldout.h).
 *
 * Names are judged by their parts: the name is lowercased and split at
 * '/', '_', '-', '.', ':', ' ' and at a lower-to-upper case change
 * ("ValLoss" is "val" "loss"). A part that says held-out (val, valid,
 * validation, eval, evaluation, test, testing, dev, holdout), or a first
 * part that names a logger's evaluation group (metrics, bbox, segm,
 * keypoints), makes the column a held-out one, unless a part says it is
 * not a measure of the model (a timing, a count, a size, a running best).
 */
#include "heldout.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "banned.h"

#define MAX_PARTS 16

struct parts {
    size_t n;
    char *p[MAX_PARTS];
    char *buf;
};

/* Split name into lowercase parts (see the top of the file). */
static void split(const char *name, struct parts *out)
{
    size_t len = strlen(name), k = 0;
    char *b = xmalloc(2 * len + 1);
    bool start = true;

    out->n = 0;
    out->buf = b;
    for (size_t i = 0; i < len; i++) {
        char c = name[i];
        bool sep = strchr("/_-.: ()", c) != NULL;
        bool up = c >= 'A' && c <= 'Z';

        if (sep) {
            if (!start)
                b[k++] = '\0';
            start = true;
            continue;
        }
        /* "ValLoss" is two parts; "mAP" one (a part of one letter). */
        if (up && !start && name[i - 1] >= 'a' && name[i - 1] <= 'z' &&
            b + k - out->p[out->n - 1] >= 2) {
            b[k++] = '\0';
            start = true;
        }
        if (start) {
            if (out->n == MAX_PARTS)
                break;
            out->p[out->n++] = b + k;
            start = false;
        }
        b[k++] = up ? (char)(c - 'A' + 'a') : c;
    }
    b[k] = '\0';
}

static bool part_in(const char *part, const char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(part, list[i]))
            return true;
    return false;
}

static bool part_starts(const char *part, const char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!strncmp(part, list[i], strlen(list[i])))
            return true;
    return false;
}

static const char *const split_words[] = {"val",     "valid",      "validation",
                                          "eval",    "evaluation", "test",
                                          "testing", "dev",        "holdout"};
static const char *const group_words[] = {"metrics", "bbox", "segm",
                                          "keypoints"};
/* Parts that say a column is not a measure of the model. */
static const char *const not_measure[] = {
    "runtime", "second",    "samples",  "steps",   "step",  "epoch",  "time",
    "best",    "len",       "tokens",   "counter", "count", "wait",   "memory",
    "lr",      "timestamp", "restored", "stopped", "size",  "support"};
static const char *const error_words[] = {"wer",        "cer",   "rmse", "mse",
                                          "mae",        "mape",  "nll",  "ppl",
                                          "perplexity", "rmsle", "smape"};
/* Scores, in order of preference among scores. */
static const char *const score_words[] = {
    "map50", "map",   "ap",      "acc",       "accuracy", "f1",       "auc",
    "dice",  "iou",   "bleu",    "rouge",     "psds",     "matthews", "mcc",
    "r2",    "top1",  "fitness", "jaccard",   "kappa",    "psnr",     "ssim",
    "snr",   "score", "top5",    "precision", "recall"};

/* The kind, and for scores the rank among scores (lower is better). */
static enum heldout_kind kind_of(const struct parts *ps, bool *maximize,
                                 size_t *rank)
{
    *rank = 0;
    for (size_t i = 0; i < ps->n; i++)
        if (strstr(ps->p[i], "loss")) {
            *maximize = false;
            return HELDOUT_LOSS;
        }
    for (size_t i = 0; i < ps->n; i++)
        if (part_starts(ps->p[i], error_words, ARRAY_SIZE(error_words)) ||
            strstr(ps->p[i], "err")) {
            *maximize = false;
            return HELDOUT_ERROR;
        }
    for (size_t w = 0; w < ARRAY_SIZE(score_words); w++)
        for (size_t i = 0; i < ps->n; i++)
            if (!strncmp(ps->p[i], score_words[w], strlen(score_words[w]))) {
                /*
                 * mAP over IoU 0.5:0.95 (COCO's AP, "mAP50-95", a bare
                 * "AP") before mAP50, AP75 or a per-class AP.
                 */
                bool coco =
                    w <= 2 && i + 1 == ps->n &&
                    (!strcmp(ps->p[i], "ap") || !strcmp(ps->p[i], "map"));

                for (size_t j = i; w <= 2 && j < ps->n; j++)
                    coco = coco || strstr(ps->p[j], "95");
                *maximize = true;
                *rank = coco ? 0 : w + 1;
                return HELDOUT_SCORE;
            }
    return HELDOUT_NONE;
}

static bool is_heldout(const struct parts *ps)
{
    bool held = false;

    if (!ps->n)
        return false;
    for (size_t i = 0; i < ps->n; i++) {
        if (part_in(ps->p[i], not_measure, ARRAY_SIZE(not_measure)))
            return false;
        if (part_in(ps->p[i], split_words, ARRAY_SIZE(split_words)))
            held = true;
        if (!strcmp(ps->p[i], "train") || !strcmp(ps->p[i], "training") ||
            !strcmp(ps->p[i], "learn"))
            return false;
    }
    return held || part_in(ps->p[0], group_words, ARRAY_SIZE(group_words));
}

static enum heldout_kind classify(const char *name, bool *maximize,
                                  size_t *rank)
{
    struct parts ps;
    enum heldout_kind k = HELDOUT_NONE;

    split(name, &ps);
    if (is_heldout(&ps))
        k = kind_of(&ps, maximize, rank);
    free(ps.buf);
    return k;
}

enum heldout_kind heldout_kind(const char *name, bool *maximize)
{
    size_t rank;

    return classify(name, maximize, &rank);
}

bool heldout_zero_chance(const char *name)
{
    static const char *const zero[] = {"map50", "map",  "ap",    "dice",
                                       "iou",   "bleu", "rouge", "jaccard"};
    bool max;
    size_t rank;

    if (classify(name, &max, &rank) != HELDOUT_SCORE)
        return false;
    if (!rank)
        return true;
    for (size_t i = 0; i < ARRAY_SIZE(zero); i++)
        if (!strcmp(score_words[rank - 1], zero[i]))
            return true;
    return false;
}

bool heldout_name_maximizes(const char *name)
{
    struct parts ps;
    bool max = false;
    size_t rank;

    split(name, &ps);
    if (kind_of(&ps, &max, &rank) == HELDOUT_NONE)
        max = false;
    free(ps.buf);
    return max;
}

/* Has name a part equal to word (lowercase)? */
static bool has_part(const char *name, const char *word)
{
    struct parts ps;
    bool yes = false;

    split(name, &ps);
    for (size_t i = 0; i < ps.n && !yes; i++)
        yes = !strcmp(ps.p[i], word);
    free(ps.buf);
    return yes;
}

bool heldout_is_total_name(const char *name)
{
    return has_part(name, "total");
}

bool heldout_is_loss_name(const char *name)
{
    struct parts ps;
    bool yes = false;

    split(name, &ps);
    for (size_t i = 0; i < ps.n && !yes; i++)
        yes = strstr(ps.p[i], "loss") != NULL;
    free(ps.buf);
    return yes;
}

/* A column's kind, judged on reportgen's name, else on the log's. */
static enum heldout_kind column_kind(const struct column *c, bool *maximize,
                                     size_t *rank)
{
    enum heldout_kind k = classify(c->name, maximize, rank);

    if (k == HELDOUT_NONE && c->orig)
        k = classify(c->orig, maximize, rank);
    return k;
}

/* The last dotted part of a config key. */
static const char *last_part(const char *key)
{
    const char *dot = strrchr(key, '.');

    return dot ? dot + 1 : key;
}

/*
 * A "monitor" key of the config (a checkpoint's before an early stop's)
 * that names a column of m, with its "mode" sibling if any.
 */
static const struct column *monitored(const struct metrics *m,
                                      const struct config *cfg, bool *maximize)
{
    const struct column *found = NULL;
    size_t at = 0;

    for (size_t i = 0; cfg && i < cfg->n; i++) {
        const struct column *c;

        if (strcmp(last_part(cfg->e[i].key), "monitor"))
            continue;
        c = metrics_find(m, cfg->e[i].value);
        if (!c || (found && !strstr(cfg->e[i].key, "checkpoint")))
            continue;
        found = c;
        at = i;
    }
    if (found) {
        size_t plen = (size_t)(last_part(cfg->e[at].key) - cfg->e[at].key);
        size_t rank;

        if (column_kind(found, maximize, &rank) == HELDOUT_NONE)
            *maximize = heldout_name_maximizes(cfg->e[at].value);
        for (size_t i = 0; i < cfg->n; i++)
            if (!strncmp(cfg->e[i].key, cfg->e[at].key, plen) &&
                !strcmp(cfg->e[i].key + plen, "mode") &&
                (!strcmp(cfg->e[i].value, "max") ||
                 !strcmp(cfg->e[i].value, "min")))
                *maximize = !strcmp(cfg->e[i].value, "max");
    }
    return found;
}

static const struct column *choose(const struct metrics *m,
                                   const struct config *cfg, bool hints,
                                   struct rule *rule, const char **why)
{
    const struct column *best = NULL;
    enum heldout_kind best_kind = HELDOUT_NONE;
    size_t best_rank = 0;
    bool max = false;

    if (hints && m->hint && (best = metrics_find(m, m->hint)) != NULL) {
        max = m->hint_max;
        *why = m->hint_why;
    } else if (hints && (best = monitored(m, cfg, &max)) != NULL) {
        *why = "the metric the run's config monitors for its checkpoints";
    } else {
        for (size_t i = 0; i < m->ncols; i++) {
            const struct column *c = &m->cols[i];
            bool cmax = false;
            size_t rank;
            enum heldout_kind k = column_kind(c, &cmax, &rank);

            if (k == HELDOUT_NONE)
                continue;
            /*
             * The canonical val_loss first among losses, then a total
             * (the objective, the sum of its terms), then the others.
             */
            if (k == HELDOUT_LOSS && !strcmp(c->name, "val_loss"))
                rank = 0;
            else if (k == HELDOUT_LOSS)
                rank = has_part(c->name, "total") ? 1 : 2;
            if (!best || k < best_kind ||
                (k == best_kind && rank < best_rank)) {
                best = c;
                best_kind = k;
                best_rank = rank;
                max = cmax;
            }
        }
        *why = best_kind == HELDOUT_LOSS ? "its held-out loss"
               : best_kind == HELDOUT_ERROR
                   ? "its held-out error rate, as it logs no held-out loss"
                   : "its held-out score, as it logs no held-out loss or "
                     "error rate";
    }
    if (!best)
        return NULL;
    free(rule->metric);
    rule->metric = xstrdup(best->name);
    rule->maximize = max;
    return best;
}

const struct column *heldout_choose(const struct metrics *m,
                                    const struct config *cfg, struct rule *rule,
                                    const char **why)
{
    return choose(m, cfg, true, rule, why);
}

const struct column *heldout_preferred(const struct metrics *m,
                                       struct rule *rule, const char **why)
{
    return choose(m, NULL, false, rule, why);
}

static int kind_rank(const struct rule *r)
{
    bool max;
    enum heldout_kind k = heldout_kind(r->metric, &max);

    return k == HELDOUT_NONE ? HELDOUT_SCORE + 1 : (int)k;
}

size_t heldout_most_shared(const struct rule *const *rules, size_t n,
                           size_t *count)
{
    size_t best = SIZE_MAX, best_n = 0;

    for (size_t i = 0; i < n; i++) {
        size_t k = 0;

        if (!rules[i])
            continue;
        for (size_t j = 0; j < n; j++)
            k += rules[j] && rules[j]->maximize == rules[i]->maximize &&
                 !strcmp(rules[j]->metric, rules[i]->metric);
        if (best == SIZE_MAX || k > best_n ||
            (k == best_n &&
             (kind_rank(rules[i]) < kind_rank(rules[best]) ||
              (kind_rank(rules[i]) == kind_rank(rules[best]) &&
               strcmp(rules[i]->metric, rules[best]->metric) < 0)))) {
            best = i;
            best_n = k;
        }
    }
    *count = best_n;
    return best;
}
