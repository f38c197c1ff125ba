/*
 * series.c - what the readers of one-file-per-metric formats share.
 *
 * Formats such as DVCLive, MLflow, W&B exports and CatBoost write each
 * metric (or each group of metrics) to its own file, each with its own
 * x values: a validation metric every epoch, a training loss every 50
 * steps. Such a reader adds its columns to a struct metrics, collects
 * every value as a point (column, x, value) and lets
 * series_points_flush() build the rows: the points are sorted by x (a
 * stable sort, so that a value logged twice at the same x keeps the last
 * one, as the logger's own plots do) and each distinct x becomes a row.
 * That is O(n log n) in the number of values, whatever the number of
 * files, and needs no row lookup while reading.
 *
 * The metric name mapping is shared too: these loggers leave the names to
 * the training script, so train/loss, train_loss and loss all occur for
 * the same thing, and one table of spellings serves every such format.
 */
#include "series.h"

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"
#include "util.h"

#include "banned.h"

void series_points_add(struct series_points *sp, size_t col, double x, double v,
                       size_t line)
{
    struct series_point *p;

    ALLOC_GROW(sp->p, sp->n + 1, sp->alloc);
    p = &sp->p[sp->n];
    p->x = x;
    p->v = v;
    p->col = col;
    p->line = line;
    p->seq = sp->n++;
}

static int cmp_point(const void *a, const void *b)
{
    const struct series_point *p = a, *q = b;

    if (p->x != q->x)
        return p->x < q->x ? -1 : 1;
    return p->seq < q->seq ? -1 : p->seq > q->seq;
}

size_t series_points_flush(struct series_points *sp, struct metrics *m)
{
    size_t i, row = 0, overwritten = 0;

    if (sp->n)
        qsort(sp->p, sp->n, sizeof(*sp->p), cmp_point);
    for (i = 0; i < sp->n; i++) {
        const struct series_point *p = &sp->p[i];

        if (!i || p->x != sp->p[i - 1].x)
            row = metrics_add_row(m, p->x, p->line);
        if (metrics_present(&m->cols[p->col], row))
            overwritten++;
        metrics_set(m, row, p->col, p->v);
    }
    sp->n = 0;
    return overwritten;
}

void series_note_repeats(struct metrics *m, size_t over)
{
    if (over)
        metrics_note(m,
                     "%zu values logged again at the same %s: the last one "
                     "is kept",
                     over, m->xname);
}

void series_points_release(struct series_points *sp)
{
    free(sp->p);
    sp->p = NULL;
    sp->n = sp->alloc = 0;
}

/* Metric names after an optional train/val prefix, and what they are. */
static const struct {
    const char *base;
    const char *kind; /* "loss", "acc" or "lr" */
} bases[] = {
    {"loss", "loss"},
    {"acc", "acc"},
    {"accuracy", "acc"},
    {"binary_accuracy", "acc"},
    {"categorical_accuracy", "acc"},
    {"sparse_categorical_accuracy", "acc"},
    {"lr", "lr"},
    {"learning_rate", "lr"},
};

/*
 * Prefixes, and whether they mean validation. "test" counts as validation:
 * loggers that call the held-out split "test" (DVCLive examples, many
 * scripts) use it as the validation set, and a final test-only value has
 * fewer points than a real validation series, so it loses to one in
 * series_rename_canonical().
 */
static const struct {
    const char *prefix;
    bool val;
} prefixes[] = {
    {"train", false},     {"training", false}, {"val", true},  {"valid", true},
    {"validation", true}, {"eval", true},      {"test", true},
};

const char *series_canonical(const char *name)
{
    const char *base = name, *kind = NULL;
    bool val = false;
    size_t i;

    if (!strncmp(base, "epoch/", 6))
        base += 6;
    for (i = 0; i < ARRAY_SIZE(prefixes); i++) {
        size_t len = strlen(prefixes[i].prefix);

        /* MLflow names may hold spaces: "validation loss". */
        if (!strncmp(base, prefixes[i].prefix, len) && base[len] &&
            strchr("/_. ", base[len])) {
            val = prefixes[i].val;
            base += len + 1;
            break;
        }
    }
    for (i = 0; i < ARRAY_SIZE(bases); i++) {
        size_t len = strlen(bases[i].base);

        /* Lightning's epoch aggregate, NAME_epoch, is NAME per epoch. */
        if (!strcmp(base, bases[i].base) ||
            (!strncmp(base, bases[i].base, len) &&
             !strcmp(base + len, "_epoch")))
            kind = bases[i].kind;
    }
    if (!kind)
        return NULL;
    if (!strcmp(kind, "lr"))
        return val ? NULL : "lr"; /* "val/lr" is no learning rate */
    if (!strcmp(kind, "loss"))
        return val ? "val_loss" : "train_loss";
    return val ? "val_acc" : "train_acc";
}

static size_t count_present(const struct metrics *m, size_t col)
{
    size_t i, n = 0;

    for (i = 0; i < m->nrows; i++)
        n += metrics_present(&m->cols[col], i);
    return n;
}

void series_rename_canonical(struct metrics *m)
{
    static const char *const canon[] = {"train_loss", "val_loss", "train_acc",
                                        "val_acc", "lr"};
    size_t k, i;

    for (k = 0; k < ARRAY_SIZE(canon); k++) {
        size_t best = SIZE_MAX, best_n = 0;

        for (i = 0; i < m->ncols; i++)
            if (!strcmp(m->cols[i].name, canon[k]))
                break;
        if (i < m->ncols)
            continue; /* the log names it itself */
        for (i = 0; i < m->ncols; i++) {
            const char *c = series_canonical(m->cols[i].name);
            size_t n;

            if (!c || strcmp(c, canon[k]))
                continue;
            n = count_present(m, i);
            if (best == SIZE_MAX || n > best_n) {
                best = i;
                best_n = n;
            }
        }
        if (best == SIZE_MAX)
            continue;
        for (i = 0; i < m->ncols; i++) {
            const char *c = series_canonical(m->cols[i].name);

            if (i != best && c && !strcmp(c, canon[k]))
                metrics_note(m,
                             "'%s' (%zu value%s) is not read as %s: '%s' "
                             "(%zu value%s) is",
                             m->cols[i].name, count_present(m, i),
                             count_present(m, i) == 1 ? "" : "s", canon[k],
                             m->cols[best].name, best_n,
                             best_n == 1 ? "" : "s");
        }
        metrics_rename(m, best, canon[k]);
    }
}

char *series_join(const char *rel, const char *what)
{
    if (!*rel)
        return xstrdup(what);
    return xasprintf("%s/%s", rel, what);
}
