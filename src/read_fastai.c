/*
 * read_fastai.c - fastai's CSVLogger callback (format_fastai): history.csv
 * by default, with the columns of fastai's Recorder, "epoch,train_loss,
 * valid_loss,<metrics>...,time".
 *
 * Its quirks. Epochs are counted from 0. train_loss is the Recorder's
 * smoothed loss, an exponential moving average over the batches (beta
 * 0.98), not an epoch mean; the metrics are computed on the validation
 * set, so accuracy is a validation accuracy. time is the epoch's wall time
 * as "mm:ss", or "h:mm:ss" past an hour; it is kept in seconds as
 * "epoch_time". fastai v1 wrote 6-decimal values and "#na#" for a missing
 * one; v2 writes Python's str() of each value, so "None" is possible too:
 * both are missing cells. With append=True every fit() writes its header
 * again before its rows, epochs starting from 0: repeated headers are
 * skipped (a changed one re-maps the columns by name) and the epochs of
 * each later fit are numbered on from the previous one, so the curves
 * read as one training. When validation is cancelled the Recorder leaves
 * out valid_loss and every metric, so the row is short: epoch, train_loss
 * and time; it is read as such, the missing cells missing.
 *
 * Rows are streamed into the struct metrics as they come: the header of
 * each block maps its fields to columns.
 */
#include "formats.h"

#include <ctype.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csvload.h"
#include "strbuf.h"
#include "util.h"

#include "banned.h"

/* Bytes of a file's start that scan() looks at. */
#define SNIFF_SIZE 4096
/* Lines listed in a note before "...". */
#define NOTE_LINES_MAX 5

static const struct {
    const char *log, *canonical;
} fastai_names[] = {
    {"train_loss", "train_loss"},
    {"valid_loss", "val_loss"},
    {"accuracy", "val_acc"},
    {"time", "epoch_time"},
};

/*
 * Whether buf starts like a fastai CSVLogger file: "epoch,train_loss,"
 * then valid_loss or a last column "time" (a run without validation
 * data has no valid_loss).
 */
static bool looks_fastai(const char *buf)
{
    char *line = first_line(buf);
    size_t len = strlen(line);
    bool ok =
        !strncmp(line, "epoch,train_loss,", 17) &&
        (strstr(line, ",valid_loss,") || has_isuffix(line, ",valid_loss") ||
         (len >= 5 && !strcmp(line + len - 5, ",time")));

    free(line);
    return ok;
}

static void scan(struct dir_list *dl, struct candidates *out)
{
    char *buf = xmalloc(SNIFF_SIZE);
    size_t *found = xreallocarray(NULL, dl->n ? dl->n : 1, sizeof(*found));
    size_t i, nfound = 0;

    for (i = 0; i < dl->n; i++) {
        struct dir_entry *e = &dl->e[i];
        char *path;

        if (e->is_dir || e->claimed || !has_isuffix(e->name, ".csv"))
            continue;
        path = dir_list_path(dl, e->name);
        if (sniff(path, buf, SNIFF_SIZE) > 0 && looks_fastai(buf))
            found[nfound++] = i;
        free(path);
    }
    for (i = 0; i < nfound; i++) {
        struct dir_entry *e = &dl->e[found[i]];
        char *path = dir_list_path(dl, e->name), *name;
        int stem = (int)(strlen(e->name) - 4);

        if (nfound == 1)
            name = xstrdup(dl->rel);
        else if (*dl->rel)
            name = xasprintf("%s/%.*s", dl->rel, stem, e->name);
        else
            name = xasprintf("%.*s", stem, e->name);
        e->claimed = true;
        candidates_add(out, &format_fastai, name, dl->path, path, NULL);
        free(name);
        free(path);
    }
    free(found);
    free(buf);
}

struct fastai_reader {
    const char *path;
    struct metrics *m;
    char **names; /* the current block's header */
    size_t nnames;
    size_t *colmap; /* field -> column of m, SIZE_MAX for epoch */
    size_t efield, tfield;
    bool have_header;

    size_t nblocks; /* headers seen */
    size_t block_line[NOTE_LINES_MAX + 1];
    double offset;    /* added to the epochs of the current block */
    bool block_start; /* no row read since the last header */
    size_t nshort;    /* short rows (validation cancelled) */
    size_t short_line[NOTE_LINES_MAX + 1];
    struct strbuf err;
};

static struct strbuf *fail(struct fastai_reader *fr, size_t line)
{
    strbuf_reset(&fr->err);
    strbuf_addf(&fr->err, "%s:%zu: ", fr->path, line);
    return &fr->err;
}

static const char *canonical_of(const char *name)
{
    for (size_t i = 0; i < ARRAY_SIZE(fastai_names); i++)
        if (!strcmp(fastai_names[i].log, name))
            return fastai_names[i].canonical;
    return NULL;
}

/* "mm:ss" or "h:mm:ss" (fastai's format_time) in seconds; -1 if not. */
static int parse_time(const char *s, double *out)
{
    double parts[3];
    size_t n = 0;
    const char *p = s;

    while (n < 3) {
        double v = 0;

        if (!isdigit((unsigned char)*p))
            return -1;
        while (isdigit((unsigned char)*p) && v < 1e9)
            v = v * 10 + (*p++ - '0');
        parts[n++] = v;
        if (*p != ':')
            break;
        p++;
    }
    if (*p || n < 2)
        return -1;
    *out = n == 2 ? parts[0] * 60 + parts[1]
                  : parts[0] * 3600 + parts[1] * 60 + parts[2];
    return 0;
}

/* The column the log calls log, or SIZE_MAX. */
static size_t column_by_log(const struct metrics *m, const char *log)
{
    for (size_t c = 0; c < m->ncols; c++)
        if (!strcmp(m->cols[c].orig ? m->cols[c].orig : m->cols[c].name, log))
            return c;
    return SIZE_MAX;
}

static bool header_has(const struct csv_record *rec, const char *name)
{
    for (size_t i = 0; i < rec->nfields; i++)
        if (!strcmp(rec->fields[i], name))
            return true;
    return false;
}

static void free_header(struct fastai_reader *fr)
{
    for (size_t i = 0; i < fr->nnames; i++)
        free(fr->names[i]);
    free(fr->names);
    free(fr->colmap);
    fr->names = NULL;
    fr->colmap = NULL;
    fr->nnames = 0;
}

/* A header, the first or a repeated one: map its fields to columns. */
static int header_record(struct fastai_reader *fr, const struct csv_record *rec)
{
    size_t i;
    char *problem;

    free_header(fr);
    fr->nnames = rec->nfields;
    fr->names = xreallocarray(NULL, fr->nnames, sizeof(*fr->names));
    fr->colmap = xreallocarray(NULL, fr->nnames, sizeof(*fr->colmap));
    for (i = 0; i < fr->nnames; i++)
        fr->names[i] = xstrdup(rec->fields[i]);
    fr->efield = 0;
    fr->tfield = SIZE_MAX;
    if ((problem = csvload_header_problem(fr->names, fr->nnames, 0))) {
        strbuf_addstr(fail(fr, rec->line), problem);
        free(problem);
        return -1;
    }
    for (i = 0; i < fr->nnames; i++) {
        const char *c = canonical_of(fr->names[i]);
        size_t col;

        if (i == 0) {
            fr->colmap[i] = SIZE_MAX;
            continue;
        }
        if (!strcmp(fr->names[i], "time"))
            fr->tfield = i;
        /*
         * A later header re-maps by the log's names. A column the log
         * already calls by a canonical name keeps it; then nothing else
         * is mapped there.
         */
        col = column_by_log(fr->m, fr->names[i]);
        if (col == SIZE_MAX) {
            if (c && (header_has(rec, c) ||
                      metrics_column_index(fr->m, c) != SIZE_MAX))
                c = NULL;
            col = metrics_add_column_as(fr->m, c ? c : fr->names[i],
                                        fr->names[i]);
        }
        fr->colmap[i] = col;
    }
    if (fr->have_header && fr->nblocks <= NOTE_LINES_MAX)
        fr->block_line[fr->nblocks - 1] = rec->line;
    fr->nblocks++;
    fr->have_header = true;
    fr->block_start = true;
    return 0;
}

/* A cell's value: 1 present, 0 missing, -1 not a number. */
static int cell(const char *s, double *v)
{
    if (!*s || !strcmp(s, "#na#") || !strcmp(s, "None"))
        return 0;
    return parse_number(s, v) == 0 ? 1 : -1;
}

static int bad_cell(struct fastai_reader *fr, const struct csv_record *rec,
                    size_t field, size_t name)
{
    struct strbuf *sb = fail(fr, rec->line);

    strbuf_addstr(sb, "bad number ");
    strbuf_add_quoted_str(sb, rec->fields[field]);
    strbuf_addstr(sb, " in column ");
    strbuf_add_quoted_str(sb, fr->names[name]);
    return -1;
}

static int data_record(struct fastai_reader *fr, const struct csv_record *rec)
{
    size_t i, row, n = rec->nfields, last = SIZE_MAX;
    double x, v;
    int r;

    if (rec->nfields > fr->nnames) {
        strbuf_addf(fail(fr, rec->line), "%zu fields, header has %zu",
                    rec->nfields, fr->nnames);
        return -1;
    }
    r = cell(rec->fields[0], &x);
    if (r <= 0 || !isfinite(x)) {
        struct strbuf *sb = fail(fr, rec->line);

        if (r == 0) {
            strbuf_addstr(sb, "no value in column 'epoch'");
        } else {
            strbuf_addstr(sb, r > 0 ? "non-finite value " : "bad number ");
            strbuf_add_quoted_str(sb, rec->fields[0]);
            strbuf_addstr(sb, " in column 'epoch'");
        }
        return -1;
    }
    if (fr->block_start) {
        /* A later fit numbers its epochs from 0 again: number them on. */
        fr->offset = 0;
        if (fr->m->nrows && x <= metrics_x(fr->m, fr->m->nrows - 1))
            fr->offset = metrics_x(fr->m, fr->m->nrows - 1) + 1 - x;
        fr->block_start = false;
    }
    if (n < fr->nnames) {
        /*
         * Validation was cancelled: epoch, train_loss and time. The last
         * field goes under time when it reads as one.
         */
        if (fr->tfield != SIZE_MAX && n >= 2 &&
            parse_time(rec->fields[n - 1], &v) == 0) {
            last = n - 1;
            n--;
        }
        if (fr->nshort <= NOTE_LINES_MAX)
            fr->short_line[fr->nshort] = rec->line;
        fr->nshort++;
    }
    row = metrics_add_row(fr->m, x + fr->offset, rec->line);
    for (i = 1; i < n; i++) {
        if (i == fr->tfield) {
            if (!*rec->fields[i])
                continue;
            if (parse_time(rec->fields[i], &v) < 0)
                return bad_cell(fr, rec, i, i);
        } else {
            r = cell(rec->fields[i], &v);
            if (r < 0)
                return bad_cell(fr, rec, i, i);
            if (!r)
                continue;
        }
        metrics_set(fr->m, row, fr->colmap[i], v);
    }
    if (last != SIZE_MAX) {
        parse_time(rec->fields[last], &v);
        metrics_set(fr->m, row, fr->colmap[fr->tfield], v);
    }
    return 0;
}

static int fastai_record(const struct csv_record *rec, void *ctx)
{
    struct fastai_reader *fr = ctx;

    /* The first header, or a later fit's: its first field is "epoch". */
    if (!fr->have_header || !strcmp(rec->fields[0], "epoch"))
        return header_record(fr, rec);
    return data_record(fr, rec);
}

/* Append up to NOTE_LINES_MAX of the n lines to sb. */
static void add_lines(struct strbuf *sb, const size_t *lines, size_t n)
{
    for (size_t i = 0; i < n && i <= NOTE_LINES_MAX; i++) {
        if (i == NOTE_LINES_MAX)
            strbuf_addstr(sb, ", ...");
        else
            strbuf_addf(sb, "%s%zu", i ? ", " : "", lines[i]);
    }
}

static void add_notes(struct fastai_reader *fr)
{
    struct metrics *m = fr->m;
    struct strbuf sb = STRBUF_INIT;
    size_t c, nmetrics = 0;

    metrics_note(m, "epochs are counted from 0, as fastai does");
    if (metrics_column_index(m, "train_loss") != SIZE_MAX)
        metrics_note(m, "fastai's train_loss is an exponential moving "
                        "average over the batches (beta 0.98), not an "
                        "epoch mean");
    for (c = 0; c < m->ncols; c++) {
        const char *log = m->cols[c].orig ? m->cols[c].orig : m->cols[c].name;

        if (strcmp(log, "train_loss") && strcmp(log, "valid_loss") &&
            strcmp(log, "time"))
            strbuf_addf(&sb, "%s%s", nmetrics++ ? ", " : "", log);
    }
    if (nmetrics)
        metrics_note(m,
                     "fastai computes its metrics on the validation set: "
                     "%s",
                     sb.buf);
    if (fr->nblocks > 1) {
        strbuf_reset(&sb);
        add_lines(&sb, fr->block_line, fr->nblocks - 1);
        metrics_note(m,
                     "the log holds %zu fits appended one after another "
                     "(header repeated at line%s %s): their epochs are "
                     "numbered on from the previous fit",
                     fr->nblocks, fr->nblocks > 2 ? "s" : "", sb.buf);
    }
    if (fr->nshort) {
        strbuf_reset(&sb);
        add_lines(&sb, fr->short_line, fr->nshort);
        metrics_note(m,
                     "%zu row%s without validation results (validation "
                     "cancelled; line%s %s)",
                     fr->nshort, fr->nshort == 1 ? "" : "s",
                     fr->nshort == 1 ? "" : "s", sb.buf);
    }
    strbuf_release(&sb);
}

static struct metrics *read_fastai(const struct candidate *c, char **why)
{
    struct fastai_reader fr;
    struct metrics *m = NULL;

    memset(&fr, 0, sizeof(fr));
    fr.path = c->path;
    fr.m = metrics_new(c->path, "epoch");
    strbuf_init(&fr.err, 0);
    if (csvload_each(c->path, ',', fastai_record, &fr, why) < 0) {
        if (!*why)
            *why = strbuf_detach(&fr.err, NULL);
    } else if (!fr.have_header) {
        *why = xasprintf("%s: empty file", c->path);
    } else if (!fr.m->nrows) {
        *why = xasprintf("%s: no data rows", c->path);
    } else {
        fr.m->format = format_fastai.label;
        fr.m->xbase = 0;
        add_notes(&fr);
        m = fr.m;
        fr.m = NULL;
    }
    free_header(&fr);
    metrics_free(fr.m);
    strbuf_release(&fr.err);
    return m;
}

const struct format format_fastai = {
    .id = "fastai",
    .label = "fastai CSVLogger",
    .scan = scan,
    .read = read_fastai,
};
