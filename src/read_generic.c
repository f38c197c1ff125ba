/*
 * read_generic.c - the last resort for *.csv and *.log files no other
 * format claimed (format_generic_csv, last in formats[]).
 *
 * Scripts that log by hand leave three kinds of files:
 *   - one file per metric, named after it (train_loss.csv, val_acc.csv),
 *     written by numpy.savetxt (one number per line, no header,
 *     "6.523445856142215948e-01"), by pandas' Series.to_csv (a header
 *     ",0", then "index,value" lines, values possibly printed PyTorch
 *     tensors such as "tensor(0.1370)"), or as one comma-separated row
 *     of all the values;
 *   - one headerless table of numbers (np.savetxt of a 2-D array);
 *   - a table with a header, with or without an epoch or step column.
 * The scan groups a folder's files of the first kind (first line all
 * numbers, or pandas' ",<name>" header) into one run named after the
 * folder, one column per file, x = row number from 0. Every other
 * unclaimed *.csv or *.log file becomes a run of its own, read as a table
 * (header names, or col1..colN without a header). Files that are no
 * metric logs at all (a Python logging text, a UTF-16 console capture)
 * are claimed too, so that the user learns why they were not read rather
 * than not hearing of them: read() refuses them with the reason.
 *
 * Each file is read whole into a dense table first (these files are
 * small), because what a file is only shows at its end: a column of text
 * is left out, a text cell in a column of numbers is an error, and a file
 * with no numeric column is not a metrics log.
 */
#include "formats.h"

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "csvload.h"
#include "heldout.h"
#include "series.h"
#include "strbuf.h"
#include "util.h"

#include "banned.h"

static const char label[] = "plain CSV (one metric per file, or headerless)";
static const char label_series[] = "CSV of one metric per file";
static const char label_headerless[] = "headerless CSV";
static const char label_table[] = "CSV with a header";

/*
 * The most values one row of a one-row file may hold (a file of one
 * metric written along a row: one value per iteration can run to many
 * thousands). Any other table keeps csvload's cap on columns.
 */
#define ROW_VALUES_MAX (1024 * 1024)

/* Cell kinds. */
enum cell { CELL_MISSING, CELL_NUMBER, CELL_TEXT };

/*
 * Parse a cell: a number (nan and inf included), a printed PyTorch
 * tensor "tensor(<number>[, device=..., ...])", or missing ("", NA).
 */
static enum cell parse_cell(const char *s, double *v, bool *tensor)
{
    if (!*s || !strcmp(s, "NA") || !strcmp(s, "N/A"))
        return CELL_MISSING;
    if (!parse_number(s, v))
        return CELL_NUMBER;
    if (!strncmp(s, "tensor(", 7)) {
        size_t len = strcspn(s + 7, ",)");
        char *num = xstrndup(s + 7, len);
        const char *end = s + strlen(s) - 1;
        int bad = parse_number(num, v);

        free(num);
        if (!bad && *end == ')') {
            if (tensor)
                *tensor = true;
            return CELL_NUMBER;
        }
    }
    return CELL_TEXT;
}

static bool is_x_name(const char *s, bool *step);
static char *stem_of(const char *path);

/*
 * Is path a table of one metric (or one split's metrics) named by its
 * file: a header with an epoch or step column, in a file whose name
 * names a loss, a score or a split (train_loss.csv, val_metrics.csv)?
 * Several of them in a folder are one run.
 */
static bool metric_file(const char *path)
{
    char *line, *stem;
    const char *p;
    bool x = false, max, named;

    stem = stem_of(path);
    named = series_canonical(stem) || heldout_is_loss_name(stem) ||
            heldout_kind(stem, &max) != HELDOUT_NONE;
    free(stem);
    if (!named || !(line = sniff_first_line(path)))
        return false;
    for (p = line; *p && !x;) {
        size_t flen = strcspn(p, ",");
        char *f = flen >= 2 && p[0] == '"' && p[flen - 1] == '"'
                      ? xstrndup(p + 1, flen - 2)
                      : xstrndup(p, flen);
        bool step;

        x = is_x_name(f, &step);
        free(f);
        p += flen + (p[flen] != '\0');
    }
    free(line);
    return x;
}

/*
 * True when the first line of path marks one metric's series: only
 * numbers (quoted or not), pandas' Series header (an empty index name,
 * then one name), or the header of a metric-named table (metric_file()).
 */
static bool looks_like_series(const char *path)
{
    char buf[4096], *line;
    struct strbuf sb = STRBUF_INIT;
    const char *p;
    size_t n = 0;
    bool numbers = true, empty_first = false;

    if (!has_isuffix(path, ".csv") || sniff(path, buf, sizeof(buf)) <= 0)
        return false;
    line = first_line(buf);
    /*
     * A first line longer than the sniffed bytes (a one-row file) ends in
     * a field cut short: judge the fields before it.
     */
    if (!strpbrk(buf, "\r\n") && strrchr(line, ','))
        *strrchr(line, ',') = '\0';
    p = line;
    /* Each field of the line; an empty line has none. */
    while (*line) {
        size_t len = strcspn(p, ","), flen = len;
        const char *f = p;
        double v;

        /* A quoted number is a number ("3.9","4.0" on one row). */
        if (flen >= 2 && f[0] == '"' && f[flen - 1] == '"') {
            f++;
            flen -= 2;
        }
        strbuf_reset(&sb);
        strbuf_add(&sb, f, flen);
        strbuf_trim(&sb);
        if (!n)
            empty_first = !sb.len;
        if (parse_cell(sb.buf, &v, NULL) != CELL_NUMBER)
            numbers = false;
        n++;
        if (!p[len])
            break;
        p += len + 1;
    }
    strbuf_release(&sb);
    free(line);
    if (n && (numbers || (n == 2 && empty_first)))
        return true;
    return n > 1 && metric_file(path);
}

static void scan(struct dir_list *dl, struct candidates *out)
{
    size_t i, nseries = 0, nother = 0;
    char *only = NULL;
    struct candidates others = {0, 0, NULL};

    for (i = 0; i < dl->n; i++) {
        struct dir_entry *e = &dl->e[i];
        char *path;

        if (e->is_dir || e->claimed ||
            (!has_isuffix(e->name, ".csv") && !has_isuffix(e->name, ".log")))
            continue;
        e->claimed = true;
        path = dir_list_path(dl, e->name);
        if (looks_like_series(path)) {
            if (!nseries++)
                only = xstrdup(path);
        } else {
            char *name = series_join(dl->rel, e->name);

            candidates_add(&others, &format_generic_csv, name, dl->path, path,
                           NULL);
            nother++;
            free(name);
        }
        free(path);
    }
    /* The series files are one run; path is the folder when several. */
    if (nseries)
        candidates_add(out, &format_generic_csv, dl->rel, dl->path,
                       nseries == 1 ? only : dl->path, NULL);
    for (i = 0; i < others.n; i++) {
        const struct candidate *c = &others.c[i];

        candidates_add(out, c->format,
                       !nseries && nother == 1 ? dl->rel : c->name, c->dir,
                       c->path, NULL);
    }
    candidates_release(&others);
    free(only);
}

/* One file read whole. */
struct table {
    const char *path;
    size_t nrec;
    size_t first_line;
    bool header;
    char **names; /* header names, or NULL */
    size_t ncols;
    size_t xcol;    /* epoch or step column, or SIZE_MAX */
    size_t skipcol; /* pandas' unnamed index column, or SIZE_MAX */
    bool xstep;     /* xcol is a step */

    size_t nrows, alloc;
    double *v; /* nrows * ncols */
    unsigned char *kind;
    size_t *line;

    size_t *numbers;    /* per column: cells holding a number */
    size_t *text_line;  /* per column: line of its first text cell, or 0 */
    char **text_cell;   /* and that cell */
    size_t ragged_line; /* first row with another field count, or 0 */
    size_t ragged_n;
    bool tensor;
    bool zero_first;  /* the first line is the one field "0" */
    bool pandas_zero; /* ... and it was read as pandas' header */
    size_t keycol;    /* long format: the column naming each row's metric
                         ("metric"), or SIZE_MAX */
    char **keys;      /* its text, per row */
    bool fractions;   /* a later value has a fraction or an exponent */
    char *why;        /* why on_record() stopped the read, or NULL */
};

static bool is_x_name(const char *s, bool *step)
{
    if (!strcasecmp(s, "epoch") || !strcasecmp(s, "epochs")) {
        *step = false;
        return true;
    }
    if (!strcasecmp(s, "step") || !strcasecmp(s, "iteration") ||
        !strcasecmp(s, "iter")) {
        *step = true;
        return true;
    }
    return false;
}

static void table_columns(struct table *t, size_t n)
{
    t->ncols = n;
    t->numbers = xcalloc(n + 1, sizeof(*t->numbers));
    t->text_line = xcalloc(n + 1, sizeof(*t->text_line));
    t->text_cell = xcalloc(n + 1, sizeof(*t->text_cell));
}

static void on_header(struct table *t, const struct csv_record *rec)
{
    size_t i;

    t->header = true;
    t->names = xcalloc(rec->nfields + 1, sizeof(*t->names));
    for (i = 0; i < rec->nfields; i++) {
        bool step;

        t->names[i] = xstrdup(rec->fields[i]);
        if (t->xcol == SIZE_MAX && is_x_name(rec->fields[i], &step)) {
            t->xcol = i;
            t->xstep = step;
        }
        if (t->keycol == SIZE_MAX && !strcasecmp(rec->fields[i], "metric"))
            t->keycol = i;
    }
    if (!*rec->fields[0] && rec->nfields > 1)
        t->skipcol = 0;
    table_columns(t, rec->nfields);
}

static int on_record(const struct csv_record *rec, void *ctx)
{
    struct table *t = ctx;
    size_t i, r, n;

    /* Past csvload's cap on columns, only a single row of values. */
    if (t->nrec == 1 && t->ncols > METRICS_MAX_COLUMNS) {
        t->why =
            csvload_fields_problem(t->path, t->first_line, METRICS_MAX_COLUMNS);
        return -1;
    }
    if (!t->nrec++) {
        bool text = !*rec->fields[0];
        double v;

        t->first_line = rec->line;
        for (i = 0; i < rec->nfields && !text; i++)
            if (parse_cell(rec->fields[i], &v, NULL) == CELL_TEXT)
                text = true;
        if (text && rec->nfields > METRICS_MAX_COLUMNS) {
            t->why =
                csvload_fields_problem(t->path, rec->line, METRICS_MAX_COLUMNS);
            return -1;
        }
        if (text) {
            on_header(t, rec);
            return 0;
        }
        t->zero_first = rec->nfields == 1 && !strcmp(rec->fields[0], "0");
        table_columns(t, rec->nfields);
    } else if (t->zero_first && !t->fractions && rec->nfields == 1) {
        t->fractions = strpbrk(rec->fields[0], ".eE") != NULL;
    }
    if (rec->nfields != t->ncols && !t->ragged_line) {
        t->ragged_line = rec->line;
        t->ragged_n = rec->nfields;
    }
    r = t->nrows;
    if (r + 1 > t->alloc) {
        /* A wide row is the only one (see above): room for it alone. */
        if (t->ncols > METRICS_MAX_COLUMNS) {
            t->line = xreallocarray(t->line, 1, sizeof(*t->line));
            t->alloc = 1;
        } else {
            ALLOC_GROW(t->line, r + 1, t->alloc);
        }
        t->v = xreallocarray(t->v, t->alloc * t->ncols + 1, sizeof(*t->v));
        t->kind = xreallocarray(t->kind, t->alloc * t->ncols + 1, 1);
    }
    n = rec->nfields < t->ncols ? rec->nfields : t->ncols;
    for (i = 0; i < t->ncols; i++) {
        double v = NAN;
        enum cell k = CELL_MISSING;

        if (i < n)
            k = parse_cell(rec->fields[i], &v, &t->tensor);
        t->v[r * t->ncols + i] = v;
        t->kind[r * t->ncols + i] = (unsigned char)k;
        if (k == CELL_NUMBER)
            t->numbers[i]++;
        if (k == CELL_TEXT && !t->text_line[i]) {
            t->text_line[i] = rec->line;
            t->text_cell[i] = xstrdup(rec->fields[i]);
        }
    }
    t->line[r] = rec->line;
    if (t->keycol != SIZE_MAX) {
        t->keys = xreallocarray(t->keys, t->alloc, sizeof(*t->keys));
        t->keys[r] =
            xstrdup(t->keycol < rec->nfields ? rec->fields[t->keycol] : "");
    }
    t->nrows++;
    return 0;
}

static void table_release(struct table *t)
{
    size_t i;

    for (i = 0; i < t->ncols; i++) {
        if (t->names)
            free(t->names[i]);
        if (t->text_cell)
            free(t->text_cell[i]);
    }
    for (i = 0; t->keys && i < t->nrows; i++)
        free(t->keys[i]);
    free(t->keys);
    free(t->why);
    free(t->names);
    free(t->text_cell);
    free(t->text_line);
    free(t->numbers);
    free(t->v);
    free(t->kind);
    free(t->line);
}

/* A value column: neither x nor pandas' index. */
static bool is_value_col(const struct table *t, size_t i)
{
    /* TensorBoard's "Wall time" is when a value was logged, not a value. */
    return i != t->xcol && i != t->skipcol &&
           !(t->header && !strcasecmp(t->names[i], "Wall time"));
}

/*
 * Read path into t and check it is a metrics table. Returns 0, or -1 with
 * *why set. A column of text only is no error: it has numbers[i] == 0 and
 * add_table() leaves it out with a note.
 */
static int table_read(struct table *t, const char *path, char **why)
{
    size_t i, nvalue = 0, r;
    char *err = NULL;

    memset(t, 0, sizeof(*t));
    t->path = path;
    t->xcol = t->skipcol = t->keycol = SIZE_MAX;
    *why = NULL;
    if (csvload_each_max(path, ',', ROW_VALUES_MAX, on_record, t, &err) < 0) {
        bool numbers = false;

        if (t->why) {
            *why = t->why;
            t->why = NULL;
            return -1;
        }
        for (i = 0; i < t->ncols; i++)
            numbers |= t->numbers[i] > 0;
        /* A text file that trips the CSV parser is still a text file. */
        if (t->nrec && !numbers) {
            free(err);
            goto not_metrics;
        }
        *why = err;
        return -1;
    }
    if (!t->nrec) {
        *why = xasprintf("%s: empty file", path);
        return -1;
    }
    /*
     * pandas' Series.to_csv(index=False) writes the Series' name, 0 when
     * it has none, as a header: a lone "0" above values with fractions is
     * that header, not a first value of 0.
     */
    if (t->zero_first && t->fractions && !t->header && t->nrows > 1) {
        t->header = true;
        t->pandas_zero = true;
        t->names = xcalloc(2, sizeof(*t->names));
        t->names[0] = xstrdup("0");
        t->numbers[0]--;
        t->nrows--;
        memmove(t->v, t->v + 1, t->nrows * sizeof(*t->v));
        memmove(t->kind, t->kind + 1, t->nrows);
        memmove(t->line, t->line + 1, t->nrows * sizeof(*t->line));
    }
    for (i = 0; i < t->ncols; i++)
        if (is_value_col(t, i) && t->numbers[i])
            nvalue++;
    if (!nvalue) {
        if (t->xcol != SIZE_MAX && !t->nrows) {
            *why = xasprintf("%s: no data rows", path);
            return -1;
        }
        if (t->xcol != SIZE_MAX) {
            *why = xasprintf("%s:%zu: not a metrics log: no numeric column "
                             "besides '%s'",
                             path, t->first_line, t->names[t->xcol]);
            return -1;
        }
        goto not_metrics;
    }
    if (t->ragged_line) {
        *why = xasprintf("%s:%zu: %zu fields, but the %s has %zu", path,
                         t->ragged_line, t->ragged_n,
                         t->header ? "header" : "first line", t->ncols);
        return -1;
    }
    for (i = 0; i < t->ncols; i++) {
        if (t->text_line[i] && (t->numbers[i] || i == t->xcol)) {
            char num[32];

            snprintf(num, sizeof(num), "col%zu", i + 1);
            *why = csvload_cell_problem(path, t->text_line[i], t->text_cell[i],
                                        t->names && *t->names[i] ? t->names[i]
                                                                 : num);
            return -1;
        }
    }
    if (t->xcol != SIZE_MAX)
        for (r = 0; r < t->nrows; r++)
            if (t->kind[r * t->ncols + t->xcol] != CELL_NUMBER ||
                !isfinite(t->v[r * t->ncols + t->xcol])) {
                *why = xasprintf("%s:%zu: no %s value", path, t->line[r],
                                 t->names[t->xcol]);
                return -1;
            }
    if (!t->nrows) {
        *why = xasprintf("%s: no data rows", path);
        return -1;
    }
    return 0;
not_metrics:
    *why = xasprintf("%s:%zu: not a metrics log: no header with an epoch or "
                     "step column and no numeric columns",
                     path, t->first_line ? t->first_line : 1);
    return -1;
}

/* File names that say "a table", not "a metric". */
static bool generic_stem(const char *stem)
{
    static const char *const names[] = {
        "history", "log",      "logs",         "results",   "metrics",  "data",
        "output",  "training", "training_log", "train_log", "progress", "stats",
    };
    size_t i;

    for (i = 0; i < ARRAY_SIZE(names); i++)
        if (!strcasecmp(stem, names[i]))
            return true;
    return false;
}

/*
 * The name a file gives its metric: the file name without its extension,
 * or for TensorBoard's "Download CSV" files (run-<run>-tag-<tag>.csv) the
 * tag.
 */
static char *stem_of(const char *path)
{
    const char *base = path_base(path);
    const char *dot, *tag;

    dot = strrchr(base, '.');
    tag = strstr(base, "-tag-");
    if (tag && (!dot || tag + 5 < dot))
        base = tag + 5;
    return xstrndup(base,
                    dot && dot > base ? (size_t)(dot - base) : strlen(base));
}

/* A column name m does not have yet, from want. */
static size_t add_column(struct metrics *m, const char *want)
{
    char *name;
    size_t n;

    if (metrics_column_index(m, want) == SIZE_MAX)
        return metrics_add_column(m, want);
    for (n = 2;; n++) {
        name = xasprintf("%s#%zu", want, n);
        if (metrics_column_index(m, name) == SIZE_MAX)
            break;
        free(name);
    }
    n = metrics_add_column(m, name);
    free(name);
    return n;
}

/* Is t one metric along one row (no header, one row of many cells)? */
static bool one_row(const struct table *t)
{
    return !t->header && t->nrows == 1 && t->ncols > 1;
}

/* The number of x values of t: its rows, or the cells of its one row. */
static size_t table_count(const struct table *t)
{
    return one_row(t) ? t->ncols : t->nrows;
}

/*
 * How a row-order file's positions map to x (x = (i + shift) / per).
 * per is 1 unless the file holds several values per x (see xscale()).
 */
struct xmap {
    size_t per, shift;
};

/*
 * Add the values of table t to sp, into new columns of m. alone says
 * whether t is the run's only file (headerless columns are then col1..
 * rather than <stem>.col1); xm maps row positions to x when t has no x
 * column.
 */
static void add_table(struct metrics *m, struct series_points *sp,
                      const struct table *t, bool alone, struct xmap xm)
{
    char *stem = stem_of(t->path);
    const char *base = path_base(t->path);
    size_t i, r, nvalue = 0, single = SIZE_MAX, col;
    struct strbuf dropped = STRBUF_INIT;

    for (i = 0; i < t->ncols; i++)
        if (is_value_col(t, i) && t->numbers[i]) {
            nvalue++;
            single = i;
        }

    /*
     * The long format of MLflow's chart exports (Run, Run ID, metric,
     * step, timestamp, value): one column per metric named in the rows.
     */
    if (t->keycol != SIZE_MAX && t->xcol != SIZE_MAX) {
        size_t vcol = SIZE_MAX;

        for (i = 0; i < t->ncols; i++)
            if (!strcasecmp(t->names[i], "value"))
                vcol = i;
        if (vcol != SIZE_MAX) {
            for (r = 0; r < t->nrows; r++) {
                if (t->kind[r * t->ncols + vcol] != CELL_NUMBER || !*t->keys[r])
                    continue;
                col = metrics_column_index(m, t->keys[r]);
                if (col == SIZE_MAX)
                    col = metrics_add_column(m, t->keys[r]);
                series_points_add(sp, col, t->v[r * t->ncols + t->xcol],
                                  t->v[r * t->ncols + vcol], t->line[r]);
            }
            metrics_note(m,
                         "%s is in long format (one row per value, the "
                         "metric named in column '%s'): one column per "
                         "metric",
                         base, t->names[t->keycol]);
            free(stem);
            return;
        }
    }

    /* One row of many numbers and no header: one metric along the row. */
    if (one_row(t)) {
        col = add_column(m, generic_stem(stem) && alone ? "col1" : stem);
        for (i = 0; i < t->ncols; i++)
            if (t->kind[i] == CELL_NUMBER)
                series_points_add(sp, col,
                                  (double)(i + xm.shift) / (double)xm.per,
                                  t->v[i], t->line[0]);
        if (xm.per == 1)
            metrics_note(m,
                         "%s holds its %zu values on one row: read as one "
                         "value per epoch",
                         base, t->ncols);
        free(stem);
        return;
    }

    for (i = 0; i < t->ncols; i++) {
        char *name;

        if (!is_value_col(t, i))
            continue;
        if (!t->numbers[i]) {
            if (t->text_line[i])
                strbuf_addf(&dropped, "%s'%s'", dropped.len ? ", " : "",
                            t->names ? t->names[i] : "?");
            continue;
        }
        if (nvalue == 1 && i == single &&
            (!t->header || t->skipcol == 0 || !alone || t->pandas_zero) &&
            !(alone && generic_stem(stem)))
            name = xstrdup(stem);
        else if (t->header && *t->names[i] && !alone && t->xcol != SIZE_MAX)
            /* One of several metric files: "val_loss/total_loss". */
            name = xasprintf("%s/%s", stem, t->names[i]);
        else if (t->header && *t->names[i])
            name = xstrdup(t->names[i]);
        else if (alone)
            name = xasprintf("col%zu", i + 1);
        else
            name = xasprintf("%s.col%zu", stem, i + 1);
        col = add_column(m, name);
        free(name);
        for (r = 0; r < t->nrows; r++) {
            double x = t->xcol != SIZE_MAX
                           ? t->v[r * t->ncols + t->xcol]
                           : (double)(r + xm.shift) / (double)xm.per;

            if (t->kind[r * t->ncols + i] == CELL_NUMBER)
                series_points_add(sp, col, x, t->v[r * t->ncols + i],
                                  t->line[r]);
        }
    }
    if (dropped.len)
        metrics_note(m, "%s: column%s %s hold%s text, not numbers: left out",
                     base, strchr(dropped.buf, ',') ? "s" : "", dropped.buf,
                     strchr(dropped.buf, ',') ? "" : "s");
    if (!t->header && t->ncols > 1)
        metrics_note(m,
                     "%s has no header: its columns are named col1 to "
                     "col%zu",
                     base, t->ncols);
    else if (!t->header && alone && generic_stem(stem))
        metrics_note(m, "%s has no header: its column is named col1", base);
    if (t->skipcol == 0)
        metrics_note(m,
                     "%s: the unnamed first column is pandas' index; x "
                     "is the row order",
                     base);
    if (t->pandas_zero)
        metrics_note(m,
                     "%s: the first line, 0, is the header pandas writes "
                     "for an unnamed Series, not a value",
                     base);
    if (t->tensor)
        metrics_note(m,
                     "%s holds printed PyTorch tensors ('tensor(...)'): "
                     "their values are read",
                     base);
    strbuf_release(&dropped);
    free(stem);
}

static bool is_dir_path(const char *path)
{
    struct stat st;

    return !stat(path, &st) && S_ISDIR(st.st_mode);
}

/* The files of a folder run: its *.csv files that look like series. */
static char **series_files(const char *dir, size_t *n)
{
    struct listing l;
    char **files = NULL;
    size_t alloc = 0;

    *n = 0;
    if (listing_read(&l, dir, LISTING_NO_HIDDEN))
        return NULL;
    for (size_t i = 0; i < l.n; i++) {
        char *path = xasprintf("%s/%s", dir, l.e[i].name);

        if (l.e[i].kind != LISTING_DIR && looks_like_series(path)) {
            ALLOC_GROW(files, *n + 1, alloc);
            files[(*n)++] = path;
        } else {
            free(path);
        }
    }
    listing_release(&l);
    return files;
}

/*
 * Files of one run logged at different rates: a list appended to every
 * iteration and another every epoch hold n and k*n values, or k*(n - 1)
 * when the shorter also holds a value taken before training. With no x
 * column, the run's epochs are the length most of its files share (at
 * least XSCALE_MIN values, below which a multiple is too likely by
 * chance); a longer file whose length is such a multiple is read as k
 * values per epoch, and said so; any other length is matched by
 * position, and said so too.
 */
#define XSCALE_MIN 5

static void xscale(struct metrics *m, const struct table *tabs, size_t n,
                   struct xmap *xm)
{
    size_t i, base = SIZE_MAX, bi = 0, nodd = 0, most = 0;
    const char *bname;
    struct strbuf odd = STRBUF_INIT;

    for (i = 0; i < n; i++) {
        xm[i].per = 1;
        xm[i].shift = 0;
        if (tabs[i].xcol != SIZE_MAX)
            return;
    }
    /* The run's epochs: the length most files share (the shortest of those). */
    for (i = 0; i < n; i++) {
        size_t len = table_count(&tabs[i]), same = 0;

        for (size_t j = 0; j < n; j++)
            same += table_count(&tabs[j]) == len;
        if (same > most || (same == most && len < base)) {
            most = same;
            base = len;
            bi = i;
        }
    }
    bname = path_base(tabs[bi].path);
    for (i = 0; i < n; i++) {
        size_t len = table_count(&tabs[i]);
        const char *name = path_base(tabs[i].path);

        if (len == base)
            continue;
        if (len < base) {
            nodd++;
        } else if (base >= XSCALE_MIN && len % base == 0) {
            xm[i].per = len / base;
            metrics_note(m,
                         "%s holds %zu values, %zu for each of the %zu of "
                         "%s: read as %zu values per epoch",
                         name, len, xm[i].per, base, bname, xm[i].per);
        } else if (base > XSCALE_MIN && len % (base - 1) == 0) {
            xm[i].per = len / (base - 1);
            xm[i].shift = 1;
            metrics_note(m,
                         "%s holds %zu values, %zu for each of the %zu of "
                         "%s after its first: read as %zu values per epoch, "
                         "%s's first value as taken before the first epoch",
                         name, len, xm[i].per, base - 1, bname, xm[i].per,
                         bname);
        } else {
            nodd++;
        }
    }
    if (!nodd)
        return;
    for (i = 0; i < n; i++)
        if (xm[i].per == 1)
            strbuf_addf(&odd, "%s%s %zu", odd.len ? ", " : "",
                        path_base(tabs[i].path), table_count(&tabs[i]));
    metrics_note(m,
                 "the files hold different numbers of values (%s): they are "
                 "matched by position, which may not be the same epoch",
                 odd.buf);
    strbuf_release(&odd);
}

static struct metrics *read_generic(const struct candidate *c, char **why)
{
    struct metrics *m = NULL;
    struct series_points sp = SERIES_POINTS_INIT;
    struct table *tabs;
    struct xmap *xm;
    char **files;
    size_t nfiles, i, over;
    bool folder = is_dir_path(c->path), headerless = true, step = false;
    bool xcol = false;

    *why = NULL;
    if (folder) {
        files = series_files(c->path, &nfiles);
        if (!nfiles) {
            *why = xasprintf("%s: no CSV file of one metric", c->path);
            free(files);
            return NULL;
        }
    } else {
        files = xmalloc(sizeof(*files));
        files[0] = xstrdup(c->path);
        nfiles = 1;
    }
    tabs = xcalloc(nfiles, sizeof(*tabs));
    xm = xcalloc(nfiles, sizeof(*xm));
    for (i = 0; i < nfiles; i++) {
        if (table_read(&tabs[i], files[i], why) < 0)
            goto out;
        headerless &= !tabs[i].header || tabs[i].skipcol == 0;
        if (tabs[i].xcol != SIZE_MAX) {
            xcol = true;
            step = tabs[i].xstep;
        }
    }
    m = metrics_new(c->path, "epoch");
    xscale(m, tabs, nfiles, xm);
    for (i = 0; i < nfiles; i++)
        add_table(m, &sp, &tabs[i], nfiles == 1, xm[i]);
    over = series_points_flush(&sp, m);
    if (!m->nrows) {
        *why = xasprintf("%s: no values", c->path);
        metrics_free(m);
        m = NULL;
        goto out;
    }
    series_rename_canonical(m);
    if (step) {
        free(m->xname);
        m->xname = xstrdup("step");
    }
    if (!xcol) {
        m->xbase = 0;
        metrics_note(m, "epochs inferred from row order (counted from 0)");
    } else if (!step) {
        m->xbase = metrics_x(m, 0) == 0 || metrics_x(m, 0) == 1
                       ? (int)metrics_x(m, 0)
                       : -1;
    }
    m->format = xcol || !headerless ? label_table
                : metrics_column_index(m, "col1") == SIZE_MAX
                    ? label_series
                    : label_headerless;
    series_note_repeats(m, over);
out:
    series_points_release(&sp);
    for (i = 0; i < nfiles; i++) {
        table_release(&tabs[i]);
        free(files[i]);
    }
    free(tabs);
    free(xm);
    free(files);
    return m;
}

const struct format format_generic_csv = {
    .id = "csv",
    .label = label,
    .scan = scan,
    .read = read_generic,
};
