/*
 * metrics.h - one run's logged series: named double columns over one x axis.
 *
 * A struct metrics is what every reader produces (csvload.c today, one
 * read_*.c per foreign format later) and what diagnose.c and plot.c read.
 * Row i holds x[i] (the epoch or step) and, for each column, v[i]. A cell the
 * log left empty is "missing": v[i] is NaN and metrics_present() is false.
 * A cell that held nan/inf/-inf is "non-finite": present, and v[i] is that
 * value. The two are kept apart because a NaN in the log is evidence, while
 * an empty cell only means the value was logged on another row.
 */
#ifndef REPORTGEN_METRICS_H
#define REPORTGEN_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "numvec.h"
#include "util.h"

/*
 * The most columns reportgen reads from one log: a CSV record with more
 * fields is refused (file and line named), and keys of JSON logs beyond
 * it are left out with a note. Real logs hold tens of columns, a few
 * hundred with per-class metrics; without a limit a header of a million
 * names would become a million charts.
 */
#define METRICS_MAX_COLUMNS 4096

/* What reportgen knows a column to mean, from its name. */
enum metric_role {
    ROLE_OTHER = 0,
    ROLE_TRAIN_LOSS,     /* train_loss */
    ROLE_VAL_LOSS,       /* val_loss */
    ROLE_TRAIN_ACC,      /* train_acc */
    ROLE_VAL_ACC,        /* val_acc */
    ROLE_LR,             /* lr */
    ROLE_GRAD_NORM,      /* grad_norm */
    ROLE_GRAD_NONFINITE, /* grad_nonfinite: count of non-finite entries */
    ROLE_PRED_COUNT,     /* pred_count_<class> */
    ROLE_SLICE           /* <metric>@<slice> */
};

struct column {
    char *name; /* the name reportgen uses: canonical (train_loss,
                   val_loss, ...) when the format's mapping knows the
                   column, else the name in the log */
    char *orig; /* the name in the log, when it differs; else NULL */
    enum metric_role role;
    struct numvec v;    /* nrows values, NaN where missing: read them with
                           metrics_v() */
    uint64_t *presence; /* one bit a row, set where the log held a value:
                           read it with metrics_present() */
    size_t line_of_first_nonfinite; /* file line, 0 if none */
};

/* Whether the log held a value for column c at row. */
static inline bool metrics_present(const struct column *c, size_t row)
{
    return c->presence[row / 64] >> (row % 64) & 1;
}

/* The value of column c at row (NaN where missing). */
static inline double metrics_v(const struct column *c, size_t row)
{
    return numvec_at(&c->v, row);
}

struct metrics {
    char *path;  /* the file it was read from, for messages */
    char *xname; /* "epoch" or "step" */
    size_t nrows;
    size_t alloc;    /* rows allocated in x and every column */
    struct numvec x; /* read it with metrics_x() */
    /*
     * The file line of each row, for messages: read it with
     * metrics_line(). While row i is on line line0 + i (a CSV without
     * blank lines) there is no array: line is NULL.
     */
    size_t line0;
    size_t *line;
    size_t ncols;
    struct column *cols;

    /*
     * What the reader knows about the log, shown on the run page: the
     * format's name ("Keras CSVLogger"), how x is counted, and notes
     * ("train_loss is an exponential moving average").
     */
    const char *format; /* static string; NULL for the native format */
    int xbase;          /* first epoch number the logger uses: 0 or 1; -1
                           when x is a step count or unknown */
    size_t nnotes;
    char **notes;

    /*
     * The metric the logger itself decides the best checkpoint by, when
     * the log says (the Trainer's best_metric, the Ultralytics fitness):
     * a column name, its direction and why, or hint NULL. Used when no
     * selection rule is given (heldout.h).
     */
    char *hint;
    bool hint_max;
    const char *hint_why; /* static phrase */

    /*
     * The norm the trainer clips gradients at (the Trainer's
     * max_grad_norm), or NAN when unknown or not clipped: grad_norm is
     * logged before clipping, so its spikes were capped, not exploding.
     */
    double grad_clip;

    /*
     * x counts boosting iterations (one tree each, CatBoost): the first
     * point is the base prediction, not an untrained model, and the run
     * stops at its best iteration by design.
     */
    bool boosting;
};

/* Return a new, empty struct metrics reading from path (copied). */
struct metrics *metrics_new(const char *path, const char *xname);
/* Free m and everything it owns. metrics_free(NULL) does nothing. */
void metrics_free(struct metrics *m);

/* Role of a column from its name alone. */
enum metric_role metrics_role_of(const char *name);

/*
 * Append a column (name copied) and return its index. Existing rows get
 * missing values in it.
 */
size_t metrics_add_column(struct metrics *m, const char *name);
/*
 * Append a column named name (canonical, see enum metric_role) that the
 * log calls orig (both copied; orig may equal name). Returns its index.
 */
size_t metrics_add_column_as(struct metrics *m, const char *name,
                             const char *orig);
/* Rename column col to name (copied), keeping the log's name in orig. */
void metrics_rename(struct metrics *m, size_t col, const char *name);
/* Set m's hint (name copied; why static): see struct metrics. */
void metrics_hint(struct metrics *m, const char *name, bool maximize,
                  const char *why);
/* Append a note (formatted, copied) shown on the run page. */
void metrics_note(struct metrics *m, const char *fmt, ...) PRINTF_LIKE(2, 3);
/*
 * The index of the column named name (or, failing that, the one the log
 * called name), or SIZE_MAX.
 */
size_t metrics_column_index(const struct metrics *m, const char *name);
/*
 * Append a row at x, read from file line `line`; every column is missing in
 * it until metrics_set() fills it. Returns the row index.
 */
size_t metrics_add_row(struct metrics *m, double x, size_t line);
/* The file line of row (see struct metrics), and setting it. */
static inline size_t metrics_line(const struct metrics *m, size_t row)
{
    return m->line ? m->line[row] : m->line0 + row;
}
void metrics_set_line(struct metrics *m, size_t row, size_t line);
/*
 * Append the rows of tail, a struct metrics of the same columns in the
 * same order, to m, each row's line moved on by line_shift, and free
 * tail. Each of tail's columns is freed as soon as it is copied.
 */
void metrics_append(struct metrics *m, struct metrics *tail, size_t line_shift);
/* Store value v (finite or not) at row, col and mark it present. */
void metrics_set(struct metrics *m, size_t row, size_t col, double v);
/*
 * metrics_set() of the value of decimal q / 10^scale (|q| < 10^9, scale
 * 0 to 9), which it stores without a division where it can.
 */
static inline void metrics_set_decimal(struct metrics *m, size_t row,
                                       size_t col, int32_t q, int scale)
{
    struct column *c = &m->cols[col];

    numvec_set_decimal(&c->v, m->nrows, m->alloc, row, q, scale);
    c->presence[row / 64] |= UINT64_C(1) << (row % 64);
}
/* Store value v at row, col, leaving its presence bit as it is. */
static inline void metrics_put(struct metrics *m, size_t row, size_t col,
                               double v)
{
    numvec_set(&m->cols[col].v, m->nrows, m->alloc, row, v);
}
/* Start reading the values of c in order (numreader_at()). */
static inline void metrics_reader(struct numreader *rd, const struct metrics *m,
                                  const struct column *c)
{
    numreader_init(rd, numvec_view(&c->v), m->nrows);
}
/* The x of row, and changing it. */
static inline double metrics_x(const struct metrics *m, size_t row)
{
    return numvec_at(&m->x, row);
}
static inline void metrics_put_x(struct metrics *m, size_t row, double x)
{
    numvec_set(&m->x, m->nrows, m->alloc, row, x);
}

/* The column named name, or else the one the log called name, or NULL. */
const struct column *metrics_find(const struct metrics *m, const char *name);
/* The first column with the given role, or NULL. */
const struct column *metrics_find_role(const struct metrics *m,
                                       enum metric_role role);

/* Facts about one column, over the rows where it is present. */
struct series_stats {
    size_t n;               /* rows present */
    size_t nfinite;         /* present and finite */
    size_t first;           /* row of the first present value (if n) */
    size_t last;            /* row of the last present value (if n) */
    size_t first_nonfinite; /* row of the first non-finite value, or SIZE_MAX */
    double min, max;        /* over finite values (NaN if none) */
    size_t argmin, argmax;  /* rows, earliest on ties */
};
void metrics_stats(const struct metrics *m, const struct column *c,
                   struct series_stats *st);

/*
 * The first row from `from` on where c holds a non-finite value (nan,
 * inf), or SIZE_MAX.
 */
size_t metrics_next_nonfinite(const struct metrics *m, const struct column *c,
                              size_t from);
/* How many rows of c hold a finite value (0 for NULL). */
size_t metrics_count_finite(const struct metrics *m, const struct column *c);

/*
 * Copy the present, finite values of c into newly allocated arrays
 * (*xs, *ys) and return their count. The caller frees both arrays.
 */
size_t metrics_finite_series(const struct metrics *m, const struct column *c,
                             double **xs, double **ys);

/* The best checkpoint under a selection rule. */
struct best {
    bool found;
    size_t row;
    double x; /* epoch or step of the best row */
    double value;
    double last_x;     /* x of the last present value of the metric */
    double last_value; /* last present value (may be non-finite) */
};

/*
 * Find the row where column c is best (lowest when !maximize, highest
 * otherwise). Non-finite values never win; ties go to the earliest row.
 * best->found is false when c has no finite value.
 */
void metrics_best(const struct metrics *m, const struct column *c,
                  bool maximize, struct best *best);

#endif
