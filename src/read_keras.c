/*
 * read_keras.c - Keras' CSVLogger callback (format_keras), and Keras
 * history saved through pandas.
 *
 * CSVLogger writes "epoch," and then the metric names Keras logged,
 * sorted, then one row per epoch counted from 0. Its quirks, all seen in
 * real logs: CRLF or CR CR LF line ends (Python's csv module on Windows),
 * values printed with up to 17 significant digits, "NA" for a metric an
 * epoch did not log, nan and inf as Python prints them, and val_* columns
 * that hold nan throughout when the validation data was empty. With
 * append=True every later fit() adds its rows to the same file with no
 * new header, the epoch starting again from 0 (or from initial_epoch when
 * a run is resumed).
 *
 * How appended runs are read: the rows are cut into segments where the
 * epoch goes back to (or below) the first epoch of the current segment;
 * each segment is one fit(). The run reported is the longest segment (the
 * latest on a tie), since in every appended log we have seen the short
 * segments were false starts or quick re-runs and the long one the real
 * training; reading all of them one after another would draw several
 * unrelated curves as one. A note says which lines were used and how many
 * segments were left out. An epoch that goes back but not to the start of
 * its segment is a resume from a checkpoint: the newer rows replace the
 * older ones for those epochs (noted too).
 *
 * A segment whose rows do not match the header (an appended run that
 * logged other metrics, so its rows have another number of fields, or a
 * different header repeated mid-file) cannot be mapped to columns: it is
 * left out with a note instead of failing the whole file.
 *
 * The pandas variant (pd.DataFrame(history.history).to_csv()) has no epoch
 * column, only the metric names in the order Keras logged them, sometimes
 * after an unnamed index column. It is recognised by its names and a file
 * name containing "history", and x is the row number from 0.
 *
 * Every segment is read into one scratch struct metrics first (the file is
 * small: one row per epoch), and the chosen rows are copied out at the end.
 */
#include "formats.h"

#include <ctype.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csvload.h"
#include "series.h"
#include "strbuf.h"
#include "util.h"

#include "banned.h"

/* Bytes of a file's start that scan() looks at. */
#define SNIFF_SIZE 4096
/* Restart lines listed in a note before "...". */
#define NOTE_LINES_MAX 5

/* The names Keras gives the metrics reportgen knows. */
static const struct {
    const char *log, *canonical;
} keras_names[] = {
    {"loss", "train_loss"},
    {"acc", "train_acc"},
    {"accuracy", "train_acc"},
    {"val_loss", "val_loss"},
    {"val_acc", "val_acc"},
    {"val_accuracy", "val_acc"},
    {"lr", "lr"},
    {"learning_rate", "lr"},
};

/*
 * Metric names Keras' own metrics and losses log under, besides the ones
 * above. Only used to recognise a header; any other name is read too.
 */
static const char *const keras_metric_names[] = {
    "auc",
    "binary_accuracy",
    "categorical_accuracy",
    "categorical_crossentropy",
    "cosine_similarity",
    "f1_score",
    "mae",
    "mape",
    "mean_absolute_error",
    "mean_absolute_percentage_error",
    "mean_squared_error",
    "mse",
    "msle",
    "precision",
    "recall",
    "root_mean_squared_error",
    "sparse_categorical_accuracy",
    "sparse_top_k_categorical_accuracy",
    "top_k_categorical_accuracy",
};

enum keras_x {
    KERAS_X_EPOCH, /* CSVLogger: an epoch column first */
    KERAS_X_INDEX, /* pandas with its index: an unnamed column first */
    KERAS_X_NONE   /* pandas without index: metric names only */
};

static const char *canonical_of(const char *name)
{
    for (size_t i = 0; i < ARRAY_SIZE(keras_names); i++)
        if (!strcmp(keras_names[i].log, name))
            return keras_names[i].canonical;
    return NULL;
}

static bool has_name(char *const *names, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(names[i], name))
            return true;
    return false;
}

/*
 * True when name is one Keras would log among names: a known metric, a
 * val_ metric, or a metric whose val_ twin is there too.
 */
static bool keras_like(const char *name, char *const *names, size_t n)
{
    char *val;
    bool twin;

    if (canonical_of(name) || !strncmp(name, "val_", 4))
        return true;
    for (size_t i = 0; i < ARRAY_SIZE(keras_metric_names); i++)
        if (!strcmp(keras_metric_names[i], name))
            return true;
    val = xasprintf("val_%s", name);
    twin = has_name(names, n, val);
    free(val);
    return twin;
}

/*
 * The field separator of a header line: CSVLogger(separator=';') writes
 * semicolons, so a header with semicolons and no comma is read so.
 */
static char header_delim(const char *line)
{
    return strchr(line, ';') && !strchr(line, ',') ? ';' : ',';
}

/*
 * Where the header starts in buf: past a title line (one word, no
 * separator, as a script may write before handing the file to the
 * CSVLogger) when the next line has separators; *titled says so.
 */
static const char *header_start(const char *buf, bool *titled)
{
    size_t len = strcspn(buf, "\r\n");
    const char *next = buf + len;

    *titled = false;
    if (!len || memchr(buf, ',', len) || memchr(buf, ';', len) ||
        memchr(buf, ' ', len))
        return buf;
    next += strspn(next, "\r\n");
    if (!*next || strcspn(next, ",;") >= strcspn(next, "\r\n"))
        return buf;
    *titled = true;
    return next;
}

/*
 * Split a header line at its separator into trimmed names (the caller
 * frees them and the array). Returns the count, or 0 when the line holds
 * a quote or a control byte: not a header Keras or pandas would write.
 */
static size_t split_header(const char *line, char ***out)
{
    char **names = NULL;
    size_t n = 0, alloc = 0;
    const char *p = line;
    const char delim[2] = {header_delim(line), '\0'};

    for (const char *q = line; *q; q++)
        if (*q == '"' || (unsigned char)*q < 0x20)
            return 0;
    for (;;) {
        size_t len = strcspn(p, delim);
        size_t start = 0, end = len;

        while (start < end && isspace((unsigned char)p[start]))
            start++;
        while (end > start && isspace((unsigned char)p[end - 1]))
            end--;
        ALLOC_GROW(names, n + 1, alloc);
        names[n++] = xstrndup(p + start, end - start);
        if (!p[len])
            break;
        p += len + 1;
    }
    *out = names;
    return n;
}

static void free_names(char **names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

/*
 * Whether the file named name, starting with buf, is a Keras log.
 * CSVLogger: "epoch" first, a "loss" column, and the rest either sorted
 * (CSVLogger sorts its keys) or all names Keras would log. pandas: no
 * epoch, "loss" and only Keras-like names, in a file called *history*.
 */
static bool looks_keras(const char *name, const char *buf)
{
    bool titled;
    char *line = first_line(header_start(buf, &titled)), **names = NULL, *lower;
    size_t n = split_header(line, &names), i, first = 0;
    bool ok = n >= 2, sorted = true, like = true;

    free(line);
    if (ok && !strcmp(names[0], "epoch"))
        first = 1;
    else if (ok && !*names[0])
        first = 1; /* pandas' unnamed index column */
    for (i = first; ok && i < n; i++) {
        if (!*names[i] || !strcmp(names[i], "epoch") ||
            !strcmp(names[i], "step"))
            ok = false;
        if (i > first && strcmp(names[i - 1], names[i]) > 0)
            sorted = false;
        if (!keras_like(names[i], names, n))
            like = false;
    }
    ok = ok && has_name(names, n, "loss");
    if (ok && !strcmp(names[0], "epoch")) {
        ok = sorted || like;
    } else if (ok) {
        lower = xstrdup(name);
        for (char *p = lower; *p; p++)
            *p = (char)tolower((unsigned char)*p);
        ok = like && strstr(lower, "history") != NULL;
        free(lower);
    }
    if (n)
        free_names(names, n);
    return ok;
}

static void scan(struct dir_list *dl, struct candidates *out)
{
    char *buf = xmalloc(SNIFF_SIZE);
    size_t *found = xreallocarray(NULL, dl->n ? dl->n : 1, sizeof(*found));
    size_t i, nfound = 0;

    size_t nnamed = 0;

    for (i = 0; i < dl->n; i++) {
        struct dir_entry *e = &dl->e[i];
        char *path;

        if (e->is_dir || e->claimed ||
            !(has_isuffix(e->name, ".csv") || has_isuffix(e->name, ".log")))
            continue;
        path = dir_list_path(dl, e->name);
        if (sniff(path, buf, SNIFF_SIZE) > 0 && looks_keras(e->name, buf)) {
            char *stem = xstrndup(e->name, strcspn(e->name, "."));

            nnamed += series_canonical(stem) != NULL;
            free(stem);
            found[nfound++] = i;
        }
        free(path);
    }
    /*
     * Files named after one metric each (train_loss.csv, val_loss.csv,
     * every one "epoch,loss") are the metrics of one run, not several
     * Keras logs: the plain CSV reader takes them together.
     */
    if (nnamed >= 2 && nnamed == nfound)
        nfound = 0;
    for (i = 0; i < nfound; i++) {
        struct dir_entry *e = &dl->e[found[i]];
        char *path = dir_list_path(dl, e->name), *name;
        size_t stem = strrchr(e->name, '.') - e->name;

        if (nfound == 1)
            name = xstrdup(dl->rel);
        else if (*dl->rel)
            name = xasprintf("%s/%.*s", dl->rel, (int)stem, e->name);
        else
            name = xstrndup(e->name, stem);
        e->claimed = true;
        candidates_add(out, &format_keras, name, dl->path, path, NULL);
        free(name);
        free(path);
    }
    free(found);
    free(buf);
}

/* One fit() in the file: a run of rows whose epoch keeps going up. */
struct segment {
    size_t first_line, last_line;
    double first_epoch;
    size_t nrows;      /* rows read into the scratch metrics */
    size_t nlive;      /* of which not replaced by a resume */
    bool unreadable;   /* its rows do not match the header: skipped */
    size_t bad_fields; /* fields per row when unreadable for that */
};

struct keras_reader {
    const char *path;
    struct metrics *m; /* scratch: every readable row */
    enum keras_x xkind;

    bool titled; /* line 1 is a title, not the header */
    bool have_header;
    char **names;
    size_t nnames;
    size_t *colmap; /* field -> column of m, SIZE_MAX for x/index */

    size_t *seg_of_row;  /* per row of m */
    unsigned char *dead; /* per row of m: replaced by a resume */
    size_t rows_alloc;

    struct segment *segs;
    size_t nsegs, segs_alloc;
    bool new_seg;    /* a repeated header: the next row starts one */
    bool new_layout; /* ... and that header differs from the first */
    double prev_epoch;
    size_t nreplaced, resume_line;

    struct strbuf err;
};

static struct strbuf *fail(struct keras_reader *kr, size_t line)
{
    strbuf_reset(&kr->err);
    if (line)
        strbuf_addf(&kr->err, "%s:%zu: ", kr->path, line);
    else
        strbuf_addf(&kr->err, "%s: ", kr->path);
    return &kr->err;
}

static int header_record(struct keras_reader *kr, const struct csv_record *rec)
{
    size_t i, j, first;
    char *problem;
    const char **canon;

    kr->have_header = true;
    kr->nnames = rec->nfields;
    kr->names = xreallocarray(NULL, kr->nnames, sizeof(*kr->names));
    for (i = 0; i < kr->nnames; i++)
        kr->names[i] = xstrdup(rec->fields[i]);
    if (!strcmp(kr->names[0], "epoch"))
        kr->xkind = KERAS_X_EPOCH;
    else if (!*kr->names[0])
        kr->xkind = KERAS_X_INDEX;
    else
        kr->xkind = KERAS_X_NONE;
    first = kr->xkind == KERAS_X_NONE ? 0 : 1;
    if ((problem = csvload_header_problem(kr->names, kr->nnames, first))) {
        strbuf_addstr(fail(kr, rec->line), problem);
        free(problem);
        return -1;
    }

    kr->m = metrics_new(kr->path, "epoch");
    kr->colmap = xreallocarray(NULL, kr->nnames, sizeof(*kr->colmap));
    canon = xcalloc(kr->nnames, sizeof(*canon));
    for (i = first; i < kr->nnames; i++) {
        const char *c = canonical_of(kr->names[i]);

        /*
         * A column already called by a canonical name keeps it; any
         * other column mapping there (or a second spelling, acc beside
         * accuracy) keeps its own name.
         */
        if (c && strcmp(c, kr->names[i]) && has_name(kr->names, kr->nnames, c))
            c = NULL;
        for (j = first; c && j < i; j++)
            if (canon[j] && !strcmp(canon[j], c))
                c = NULL;
        canon[i] = c;
    }
    for (i = 0; i < kr->nnames; i++)
        kr->colmap[i] =
            i < first
                ? SIZE_MAX
                : metrics_add_column_as(
                      kr->m, canon[i] ? canon[i] : kr->names[i], kr->names[i]);
    free(canon);
    return 0;
}

static struct segment *new_segment(struct keras_reader *kr, size_t line,
                                   double epoch)
{
    struct segment *s;

    ALLOC_GROW(kr->segs, kr->nsegs + 1, kr->segs_alloc);
    s = &kr->segs[kr->nsegs++];
    memset(s, 0, sizeof(*s));
    s->first_line = s->last_line = line;
    s->first_epoch = epoch;
    return s;
}

/* True when the record repeats a header: its first field is "epoch". */
static bool is_header(const struct keras_reader *kr,
                      const struct csv_record *rec)
{
    return kr->xkind == KERAS_X_EPOCH && !strcmp(rec->fields[0], "epoch");
}

static bool same_header(const struct keras_reader *kr,
                        const struct csv_record *rec)
{
    if (rec->nfields != kr->nnames)
        return false;
    for (size_t i = 0; i < rec->nfields; i++)
        if (strcmp(rec->fields[i], kr->names[i]))
            return false;
    return true;
}

/* The cell's value: 1 present, 0 missing (empty or NA), -1 not a number. */
static int cell(const char *s, double *v)
{
    if (!*s || !strcmp(s, "NA"))
        return 0;
    return parse_number(s, v) == 0 ? 1 : -1;
}

/*
 * Mark rows of the current segment at or after epoch e as replaced: the
 * run was resumed from a checkpoint and logs those epochs again.
 */
static void resume_at(struct keras_reader *kr, struct segment *s, double e,
                      size_t line)
{
    size_t seg = kr->nsegs - 1;

    for (size_t r = kr->m->nrows; r-- > 0 && kr->seg_of_row[r] == seg;) {
        if (!kr->dead[r] && metrics_x(kr->m, r) >= e) {
            kr->dead[r] = 1;
            s->nlive--;
            kr->nreplaced++;
        }
    }
    if (!kr->resume_line)
        kr->resume_line = line;
}

static int data_record(struct keras_reader *kr, const struct csv_record *rec)
{
    struct segment *s = kr->nsegs ? &kr->segs[kr->nsegs - 1] : NULL;
    double x, v;
    size_t i, row, first = kr->xkind == KERAS_X_NONE ? 0 : 1;
    int r;

    if (is_header(kr, rec)) {
        kr->new_seg = true;
        kr->new_layout = !same_header(kr, rec);
        return 0;
    }
    if (kr->xkind == KERAS_X_EPOCH) {
        r = cell(rec->fields[0], &x);
        if (r <= 0 || !isfinite(x)) {
            struct strbuf *sb = fail(kr, rec->line);

            if (r == 0) {
                strbuf_addstr(sb, "no value in column 'epoch'");
            } else {
                strbuf_addstr(sb, r > 0 ? "non-finite value " : "bad number ");
                strbuf_add_quoted_str(sb, rec->fields[0]);
                strbuf_addstr(sb, " in column 'epoch'");
            }
            return -1;
        }
        if (!s || kr->new_seg || x <= s->first_epoch) {
            s = new_segment(kr, rec->line, x);
            s->unreadable = kr->new_seg && kr->new_layout;
            kr->new_seg = false;
        } else if (x <= kr->prev_epoch && !s->unreadable) {
            resume_at(kr, s, x, rec->line);
        }
        kr->prev_epoch = x;
    } else {
        x = (double)kr->m->nrows;
        if (!s)
            s = new_segment(kr, rec->line, 0);
    }
    s->last_line = rec->line;
    if (!s->unreadable && rec->nfields != kr->nnames) {
        if (s->nrows || kr->xkind != KERAS_X_EPOCH) {
            strbuf_addf(fail(kr, rec->line), "%zu field%s, header has %zu",
                        rec->nfields, rec->nfields == 1 ? "" : "s", kr->nnames);
            return -1;
        }
        /* The first row of an appended run that logged other metrics. */
        s->unreadable = true;
        s->bad_fields = rec->nfields;
    }
    if (s->unreadable) {
        s->nrows++;
        return 0;
    }

    row = metrics_add_row(kr->m, x, rec->line);
    if (row >= kr->rows_alloc) {
        kr->rows_alloc = kr->rows_alloc < 64 ? 64 : 2 * kr->rows_alloc;
        kr->seg_of_row = xreallocarray(kr->seg_of_row, kr->rows_alloc,
                                       sizeof(*kr->seg_of_row));
        kr->dead = xrealloc(kr->dead, kr->rows_alloc);
    }
    kr->seg_of_row[row] = kr->nsegs - 1;
    kr->dead[row] = 0;
    s->nrows++;
    s->nlive++;
    for (i = first; i < rec->nfields; i++) {
        r = cell(rec->fields[i], &v);
        if (r < 0) {
            struct strbuf *sb = fail(kr, rec->line);

            strbuf_addstr(sb, "bad number ");
            strbuf_add_quoted_str(sb, rec->fields[i]);
            strbuf_addstr(sb, " in column ");
            strbuf_add_quoted_str(sb, kr->names[i]);
            return -1;
        }
        if (r > 0)
            metrics_set(kr->m, row, kr->colmap[i], v);
    }
    return 0;
}

static int keras_record(const struct csv_record *rec, void *ctx)
{
    struct keras_reader *kr = ctx;

    if (kr->titled && rec->line == 1)
        return 0;
    if (!kr->have_header)
        return header_record(kr, rec);
    return data_record(kr, rec);
}

/* A new metrics with m's columns and the live rows of segment seg. */
static struct metrics *copy_segment(const struct keras_reader *kr, size_t seg)
{
    const struct metrics *m = kr->m;
    struct metrics *out = metrics_new(m->path, m->xname);
    size_t r, c, row;

    for (c = 0; c < m->ncols; c++)
        metrics_add_column_as(out, m->cols[c].name,
                              m->cols[c].orig ? m->cols[c].orig
                                              : m->cols[c].name);
    for (r = 0; r < m->nrows; r++) {
        if (kr->seg_of_row[r] != seg || kr->dead[r])
            continue;
        row = metrics_add_row(out, metrics_x(m, r), metrics_line(m, r));
        for (c = 0; c < m->ncols; c++)
            if (metrics_present(&m->cols[c], r))
                metrics_set(out, row, c, metrics_v(&m->cols[c], r));
    }
    return out;
}

/* The segment reported: the longest readable one, the latest on a tie. */
static size_t pick_segment(const struct keras_reader *kr)
{
    size_t best = SIZE_MAX;

    for (size_t i = 0; i < kr->nsegs; i++)
        if (!kr->segs[i].unreadable && kr->segs[i].nlive &&
            (best == SIZE_MAX || kr->segs[i].nlive >= kr->segs[best].nlive))
            best = i;
    return best;
}

/*
 * Are the appended segments one training fit() in a loop, one epoch a
 * call (fit(epochs=1) with append=True restarts the epoch at every row)?
 * Every segment is one readable row, there are at least three, and the
 * training loss goes on from row to row: each row's is nearer the row
 * before's than the first row's (re-runs of a one-epoch script would
 * each start again near the first). Then the rows are one training, in
 * file order.
 */
static bool one_epoch_calls(const struct keras_reader *kr)
{
    const struct column *loss = metrics_find(kr->m, "train_loss");
    const struct metrics *m = kr->m;

    if (kr->nsegs < 3 || kr->nreplaced || !loss || m->nrows != kr->nsegs)
        return false;
    for (size_t i = 0; i < kr->nsegs; i++)
        if (kr->segs[i].unreadable || kr->segs[i].nlive != 1)
            return false;
    for (size_t r = 0; r < m->nrows; r++)
        if (!metrics_present(loss, r) || !isfinite(metrics_v(loss, r)))
            return false;
    for (size_t r = 2; r < m->nrows; r++)
        if (!(fabs(metrics_v(loss, r) - metrics_v(loss, r - 1)) <
              fabs(metrics_v(loss, r) - metrics_v(loss, 0))))
            return false;
    return true;
}

/* Notes on appended runs: which one is shown, which are left out. */
static void note_segments(struct metrics *m, const struct keras_reader *kr,
                          size_t seg)
{
    struct strbuf sb = STRBUF_INIT;
    const struct segment *s = &kr->segs[seg];
    size_t i, listed = 0, unreadable = 0;

    strbuf_addf(&sb,
                "the log holds %zu runs appended one after another "
                "(CSVLogger append=True; the epoch starts again at line",
                kr->nsegs);
    if (kr->nsegs > 2)
        strbuf_addch(&sb, 's');
    for (i = 1; i < kr->nsegs; i++) {
        if (listed++ == NOTE_LINES_MAX) {
            strbuf_addstr(&sb, ", ...");
            break;
        }
        strbuf_addf(&sb, "%s %zu", i > 1 ? "," : "", kr->segs[i].first_line);
    }
    strbuf_addf(&sb, "); shown: the longest, lines %zu-%zu (%zu epochs); ",
                s->first_line, s->last_line, s->nlive);
    if (kr->nsegs == 2)
        strbuf_addstr(&sb, "the other is left out");
    else
        strbuf_addf(&sb, "the other %zu are left out", kr->nsegs - 1);
    metrics_note(m, "%s", sb.buf);
    strbuf_release(&sb);
    for (i = 0; i < kr->nsegs; i++)
        if (kr->segs[i].unreadable)
            unreadable++;
    if (unreadable)
        metrics_note(m,
                     "%zu appended run%s logged other metrics than the "
                     "header names and could not be read",
                     unreadable, unreadable == 1 ? "" : "s");
}

/* The val_* columns with values, none of them finite: say so. */
static void note_nan_val(struct metrics *m)
{
    struct strbuf names = STRBUF_INIT;
    size_t c, nval = 0, nbad = 0;
    bool all_nan = true;

    for (c = 0; c < m->ncols; c++) {
        const struct column *col = &m->cols[c];
        const char *log = col->orig ? col->orig : col->name;
        struct series_stats st;

        if (strncmp(log, "val_", 4))
            continue;
        nval++;
        metrics_stats(m, col, &st);
        if (!st.n || st.nfinite)
            continue;
        for (size_t r = 0; r < m->nrows; r++)
            if (metrics_present(col, r) && !isnan(metrics_v(col, r)))
                all_nan = false;
        strbuf_addf(&names, "%s%s", nbad++ ? ", " : "", log);
    }
    if (nbad && nbad == nval)
        metrics_note(m,
                     "the val_* columns hold %s: the run had no usable "
                     "validation data",
                     all_nan ? "only NaN" : "no finite value");
    else if (nbad)
        metrics_note(m, "%s hold%s %s", names.buf, nbad == 1 ? "s" : "",
                     all_nan ? "only NaN" : "no finite value");
    strbuf_release(&names);
}

static void reader_release(struct keras_reader *kr)
{
    for (size_t i = 0; i < kr->nnames; i++)
        free(kr->names[i]);
    free(kr->names);
    free(kr->colmap);
    free(kr->seg_of_row);
    free(kr->dead);
    free(kr->segs);
    metrics_free(kr->m);
    strbuf_release(&kr->err);
}

static struct metrics *read_keras(const struct candidate *c, char **why)
{
    struct keras_reader kr;
    struct metrics *m = NULL;
    size_t seg;
    bool calls;
    char buf[SNIFF_SIZE], *line;
    char delim = ',';

    memset(&kr, 0, sizeof(kr));
    kr.path = c->path;
    strbuf_init(&kr.err, 0);
    if (sniff(c->path, buf, sizeof(buf)) > 0) {
        line = first_line(header_start(buf, &kr.titled));
        delim = header_delim(line);
        free(line);
    }
    if (csvload_each(c->path, delim, keras_record, &kr, why) < 0) {
        if (!*why)
            *why = strbuf_detach(&kr.err, NULL);
        goto out;
    }
    if (!kr.have_header) {
        *why = xasprintf("%s: empty file", c->path);
        goto out;
    }
    seg = pick_segment(&kr);
    if (seg == SIZE_MAX) {
        *why = xasprintf("%s: no data rows", c->path);
        goto out;
    }
    calls = kr.xkind == KERAS_X_EPOCH && one_epoch_calls(&kr);
    if (calls) {
        /* Epochs counted across the calls, from the first one logged. */
        m = kr.m;
        kr.m = NULL;
        for (size_t r = 0; r < m->nrows; r++)
            metrics_put_x(m, r, kr.segs[0].first_epoch + (double)r);
    } else if (kr.nsegs == 1 && !kr.nreplaced) {
        m = kr.m;
        kr.m = NULL;
    } else {
        m = copy_segment(&kr, seg);
    }
    m->format = format_keras.label;
    m->xbase = 0;
    if (kr.xkind == KERAS_X_EPOCH)
        metrics_note(m, "epochs are counted from 0, as Keras does");
    else
        metrics_note(m, "the log has no epoch column: epochs are inferred "
                        "from row order, counted from 0");
    if (kr.xkind == KERAS_X_EPOCH && m->nrows && metrics_x(m, 0) > 0)
        metrics_note(m,
                     "the first epoch logged is %g, not 0: fit() was "
                     "resumed with initial_epoch",
                     metrics_x(m, 0));
    if (kr.titled)
        metrics_note(m, "line 1 is a title, not the header: left out");
    if (delim == ';')
        metrics_note(m, "fields are separated by semicolons");
    if (calls)
        metrics_note(m,
                     "the epoch starts again at every row: %zu fit() calls "
                     "of one epoch each appended to the log (a training "
                     "loop calling fit(epochs=1)), the training loss going "
                     "on from each to the next; read in file order as "
                     "epochs %g-%g of one training",
                     kr.nsegs, metrics_x(m, 0), metrics_x(m, m->nrows - 1));
    else if (kr.nsegs > 1)
        note_segments(m, &kr, seg);
    if (kr.nreplaced)
        metrics_note(m,
                     "training was resumed from a checkpoint (line %zu): "
                     "%zu earlier row%s for the same epochs %s replaced",
                     kr.resume_line, kr.nreplaced, kr.nreplaced == 1 ? "" : "s",
                     kr.nreplaced == 1 ? "is" : "are");
    note_nan_val(m);
out:
    reader_release(&kr);
    return m;
}

const struct format format_keras = {
    .id = "keras",
    .label = "Keras CSVLogger",
    .scan = scan,
    .read = read_keras,
};
