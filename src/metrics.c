/*
 * metrics.c - the column store every reader fills and every later stage
 * reads: one x axis (epoch or step) and any number of named double columns.
 *
 * Storage is column-major: x and each column's values and presence bits
 * all hold m->alloc rows and grow together in metrics_add_row(), so adding
 * a row is amortised O(ncols) and a column is one contiguous array that
 * plot.c and diagnose.c can walk without indirection. A missing cell is NaN
 * with its presence bit clear; a logged nan/inf is kept with the bit set,
 * because a NaN in the log is evidence of divergence while an empty cell
 * is not. x and each column are a struct numvec: 4 bytes a value while
 * every value is a short decimal (a step, "0.396622"), else 8; a row of a
 * long log of such values costs 4 bytes of x and 4 bytes and a bit per
 * column. The file line of each row is only stored once rows stop being on
 * consecutive lines (struct metrics), since only messages need it.
 *
 * The summaries here (stats, finite series, best checkpoint) accept a NULL
 * column and treat it as a column with no values, so callers can write
 * metrics_stats(m, metrics_find(m, "val_loss"), &st) without a check.
 */
#include "metrics.h"

#include <assert.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#include "banned.h"

struct metrics *metrics_new(const char *path, const char *xname)
{
    struct metrics *m = xcalloc(1, sizeof(*m));

    m->path = path ? xstrdup(path) : NULL;
    m->xname = xname ? xstrdup(xname) : NULL;
    m->xbase = -1;
    m->grad_clip = NAN;
    m->x.steps = true;
    return m;
}

void metrics_hint(struct metrics *m, const char *name, bool maximize,
                  const char *why)
{
    free(m->hint);
    m->hint = xstrdup(name);
    m->hint_max = maximize;
    m->hint_why = why;
}

void metrics_free(struct metrics *m)
{
    size_t i;

    if (!m)
        return;
    for (i = 0; i < m->ncols; i++) {
        free(m->cols[i].name);
        free(m->cols[i].orig);
        numvec_release(&m->cols[i].v);
        free(m->cols[i].presence);
    }
    free(m->cols);
    for (i = 0; i < m->nnotes; i++)
        free(m->notes[i]);
    free(m->notes);
    free(m->hint);
    numvec_release(&m->x);
    free(m->line);
    free(m->xname);
    free(m->path);
    free(m);
}

/* The exact names, as documented in metrics.h and the man page. */
static const struct {
    const char *name;
    enum metric_role role;
} role_names[] = {
    {"train_loss", ROLE_TRAIN_LOSS},
    {"val_loss", ROLE_VAL_LOSS},
    {"train_acc", ROLE_TRAIN_ACC},
    {"val_acc", ROLE_VAL_ACC},
    {"lr", ROLE_LR},
    {"grad_norm", ROLE_GRAD_NORM},
    {"grad_nonfinite", ROLE_GRAD_NONFINITE},
};

#define PRED_COUNT_PREFIX "pred_count_"

enum metric_role metrics_role_of(const char *name)
{
    size_t i;

    /*
     * A slice is checked first: "val_loss@night" is the validation loss on
     * one slice, not the validation loss, and must not be picked as such.
     */
    if (strchr(name, '@'))
        return ROLE_SLICE;
    for (i = 0; i < ARRAY_SIZE(role_names); i++)
        if (!strcmp(name, role_names[i].name))
            return role_names[i].role;
    /* The class name must not be empty: "pred_count_" alone counts nothing. */
    if (!strncmp(name, PRED_COUNT_PREFIX, strlen(PRED_COUNT_PREFIX)) &&
        name[strlen(PRED_COUNT_PREFIX)])
        return ROLE_PRED_COUNT;
    return ROLE_OTHER;
}

/* Words of presence bits for rows rows. */
static size_t presence_words(size_t rows)
{
    return rows / 64 + 1;
}

/*
 * Make the arrays of c hold alloc rows (alloc > old). New presence words
 * are cleared, so a row is missing until metrics_set() fills it.
 */
static void column_resize(struct column *c, size_t old, size_t alloc)
{
    size_t had = old ? presence_words(old) : 0, words = presence_words(alloc);

    numvec_resize(&c->v, alloc);
    c->presence = xreallocarray(c->presence, words, sizeof(*c->presence));
    memset(c->presence + had, 0, (words - had) * sizeof(*c->presence));
}

/*
 * The capacity ALLOC_GROW gives an array that has grown one element at a
 * time to n elements: 0, or the first of 8, 16, 32, ... that holds n.
 * struct metrics has no field for the column capacity, and it needs none:
 * columns are only ever appended, so the capacity follows from ncols.
 */
static size_t grown_capacity(size_t n)
{
    size_t alloc = 8;

    if (!n)
        return 0;
    while (alloc < n)
        alloc *= 2;
    return alloc;
}

size_t metrics_add_column(struct metrics *m, const char *name)
{
    size_t cols_alloc = grown_capacity(m->ncols), i;
    struct column *c;

    ALLOC_GROW(m->cols, m->ncols + 1, cols_alloc);
    c = &m->cols[m->ncols];
    memset(c, 0, sizeof(*c));
    c->name = xstrdup(name);
    c->role = metrics_role_of(name);
    if (m->alloc)
        column_resize(c, 0, m->alloc);
    for (i = 0; i < m->nrows; i++)
        numvec_set_nan(&c->v, i);
    return m->ncols++;
}

/* Give every row its own stored line, from now on. */
static void store_lines(struct metrics *m)
{
    m->line = xreallocarray(NULL, m->alloc ? m->alloc : 1, sizeof(*m->line));
    for (size_t i = 0; i < m->nrows; i++)
        m->line[i] = m->line0 + i;
}

void metrics_set_line(struct metrics *m, size_t row, size_t line)
{
    assert(row < m->nrows);
    if (!m->line && line == m->line0 + row)
        return;
    if (!m->line)
        store_lines(m);
    m->line[row] = line;
}

/* Make room for rows rows in x, the lines and every column. */
static void grow_rows(struct metrics *m, size_t rows)
{
    size_t old_alloc = m->alloc;

    if (rows <= m->alloc)
        return;
    m->alloc = grown_capacity(rows);
    numvec_resize(&m->x, m->alloc);
    if (m->line)
        m->line = xreallocarray(m->line, m->alloc, sizeof(*m->line));
    for (size_t i = 0; i < m->ncols; i++)
        column_resize(&m->cols[i], old_alloc, m->alloc);
}

size_t metrics_add_row(struct metrics *m, double x, size_t line)
{
    size_t row = m->nrows, i;

    grow_rows(m, m->nrows + 1);
    numvec_set(&m->x, row + 1, m->alloc, row, x);
    if (!row)
        m->line0 = line;
    /* A row may be reused after a reader dropped rows (m->nrows = k). */
    for (i = 0; i < m->ncols; i++) {
        numvec_set_nan(&m->cols[i].v, row);
        m->cols[i].presence[row / 64] &= ~(UINT64_C(1) << (row % 64));
    }
    m->nrows++;
    metrics_set_line(m, row, line);
    return row;
}

void metrics_append(struct metrics *m, struct metrics *tail, size_t line_shift)
{
    size_t n = m->nrows, k = tail->nrows;

    assert(m->ncols == tail->ncols);
    if (k) {
        grow_rows(m, n + k);
        numvec_append(&m->x, n, m->alloc, &tail->x, k);
        if (!n)
            m->line0 = metrics_line(tail, 0) + line_shift;
        if (m->line || tail->line || tail->line0 + line_shift != m->line0 + n) {
            if (!m->line)
                store_lines(m);
            for (size_t i = 0; i < k; i++)
                m->line[n + i] = metrics_line(tail, i) + line_shift;
        }
    }
    for (size_t j = 0; j < m->ncols && k; j++) {
        struct column *c = &m->cols[j], *t = &tail->cols[j];

        numvec_append(&c->v, n, m->alloc, &t->v, k);
        for (size_t i = 0; i < k; i++)
            if (metrics_present(t, i))
                c->presence[(n + i) / 64] |= UINT64_C(1) << ((n + i) % 64);
        if (!c->line_of_first_nonfinite && t->line_of_first_nonfinite)
            c->line_of_first_nonfinite =
                t->line_of_first_nonfinite + line_shift;
        free(t->presence);
        t->presence = NULL;
    }
    m->nrows = n + k;
    metrics_free(tail);
}

void metrics_set(struct metrics *m, size_t row, size_t col, double v)
{
    struct column *c;

    assert(row < m->nrows && col < m->ncols);
    c = &m->cols[col];
    numvec_set(&c->v, m->nrows, m->alloc, row, v);
    c->presence[row / 64] |= UINT64_C(1) << (row % 64);
    /*
     * Readers fill rows in file order, so the first non-finite value set
     * is also the earliest one in the file; diagnose.c cites this line.
     */
    if (!isfinite(v) && !c->line_of_first_nonfinite)
        c->line_of_first_nonfinite = metrics_line(m, row);
}

size_t metrics_add_column_as(struct metrics *m, const char *name,
                             const char *orig)
{
    size_t col = metrics_add_column(m, name);

    if (orig && strcmp(orig, name))
        m->cols[col].orig = xstrdup(orig);
    return col;
}

void metrics_rename(struct metrics *m, size_t col, const char *name)
{
    struct column *c = &m->cols[col];

    if (!strcmp(c->name, name))
        return;
    if (!c->orig)
        c->orig = c->name;
    else
        free(c->name);
    c->name = xstrdup(name);
    c->role = metrics_role_of(name);
    if (c->orig && !strcmp(c->orig, c->name)) {
        free(c->orig);
        c->orig = NULL;
    }
}

void metrics_note(struct metrics *m, const char *fmt, ...)
{
    va_list ap;
    char *note;

    va_start(ap, fmt);
    note = xvasprintf(fmt, ap);
    va_end(ap);
    m->notes = xreallocarray(m->notes, m->nnotes + 1, sizeof(*m->notes));
    m->notes[m->nnotes++] = note;
}

size_t metrics_column_index(const struct metrics *m, const char *name)
{
    size_t i;

    for (i = 0; i < m->ncols; i++)
        if (!strcmp(m->cols[i].name, name))
            return i;
    for (i = 0; i < m->ncols; i++)
        if (m->cols[i].orig && !strcmp(m->cols[i].orig, name))
            return i;
    return SIZE_MAX;
}

const struct column *metrics_find(const struct metrics *m, const char *name)
{
    size_t i = metrics_column_index(m, name);

    return i == SIZE_MAX ? NULL : &m->cols[i];
}

const struct column *metrics_find_role(const struct metrics *m,
                                       enum metric_role role)
{
    size_t i;

    for (i = 0; i < m->ncols; i++)
        if (m->cols[i].role == role)
            return &m->cols[i];
    return NULL;
}

/*
 * Rows that have no answer (no present value, no finite value) are
 * SIZE_MAX, like first_nonfinite, so that a caller who forgets to check n
 * or nfinite indexes far out of bounds and fails loudly under ASan rather
 * than reading row 0 by accident.
 */
void metrics_stats(const struct metrics *m, const struct column *c,
                   struct series_stats *st)
{
    struct numreader rd;
    size_t i;

    st->n = st->nfinite = 0;
    st->first = st->last = SIZE_MAX;
    st->first_nonfinite = SIZE_MAX;
    st->min = st->max = NAN;
    st->argmin = st->argmax = SIZE_MAX;
    if (!c)
        return;
    metrics_reader(&rd, m, c);
    for (i = 0; i < m->nrows; i++) {
        double v;

        if (!metrics_present(c, i))
            continue;
        v = numreader_at(&rd, i);
        if (!st->n++)
            st->first = i;
        st->last = i;
        if (!isfinite(v)) {
            if (st->first_nonfinite == SIZE_MAX)
                st->first_nonfinite = i;
            continue;
        }
        /* Strict comparisons keep the earliest row on ties. */
        if (!st->nfinite++ || v < st->min) {
            st->min = v;
            st->argmin = i;
        }
        if (st->nfinite == 1 || v > st->max) {
            st->max = v;
            st->argmax = i;
        }
    }
}

size_t metrics_next_nonfinite(const struct metrics *m, const struct column *c,
                              size_t from)
{
    /* Missing cells are NaN too: skip those without their bit. */
    for (size_t i = from; c; i++) {
        i = numvec_next_nonfinite(&c->v, i, m->nrows);
        if (i >= m->nrows)
            break;
        if (metrics_present(c, i))
            return i;
    }
    return SIZE_MAX;
}

size_t metrics_count_finite(const struct metrics *m, const struct column *c)
{
    struct numreader rd;
    size_t n = 0;

    if (!c)
        return 0;
    metrics_reader(&rd, m, c);
    for (size_t i = 0; i < m->nrows; i++)
        n += metrics_present(c, i) && isfinite(numreader_at(&rd, i));
    return n;
}

size_t metrics_finite_series(const struct metrics *m, const struct column *c,
                             double **xs, double **ys)
{
    struct numreader rd;
    size_t i, n;

    *xs = *ys = NULL;
    /* Count first so that each array is allocated once, at its size. */
    n = metrics_count_finite(m, c);
    if (!n)
        return 0;
    *xs = xreallocarray(NULL, n, sizeof(**xs));
    *ys = xreallocarray(NULL, n, sizeof(**ys));
    metrics_reader(&rd, m, c);
    for (i = 0, n = 0; i < m->nrows; i++) {
        double v;

        if (!metrics_present(c, i) || !isfinite(v = numreader_at(&rd, i)))
            continue;
        (*xs)[n] = metrics_x(m, i);
        (*ys)[n] = v;
        n++;
    }
    return n;
}

/*
 * The best checkpoint is the row a practitioner would restore: the lowest
 * validation loss (or highest accuracy) seen. A NaN or inf is never a
 * candidate, since no comparison with it means anything and a diverged
 * checkpoint is never the one to keep. On a tie the earliest row wins: it
 * reached that quality with less training. The last value is reported even
 * when non-finite, because "the run ended on nan" is what the page must
 * say next to the best checkpoint.
 */
void metrics_best(const struct metrics *m, const struct column *c,
                  bool maximize, struct best *best)
{
    struct numreader rd;
    size_t i;

    best->found = false;
    best->row = SIZE_MAX;
    best->x = best->value = NAN;
    best->last_x = best->last_value = NAN;
    if (!c)
        return;
    metrics_reader(&rd, m, c);
    for (i = 0; i < m->nrows; i++) {
        double v;

        if (!metrics_present(c, i))
            continue;
        v = numreader_at(&rd, i);
        best->last_x = metrics_x(m, i);
        best->last_value = v;
        if (!isfinite(v))
            continue;
        if (!best->found || (maximize ? v > best->value : v < best->value)) {
            best->found = true;
            best->row = i;
            best->x = metrics_x(m, i);
            best->value = v;
        }
    }
}
