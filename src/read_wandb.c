/*
 * read_wandb.c - CSV files exported from the Weights & Biases web UI.
 *
 * A chart's "Export CSV" writes one file per chart, i.e. per metric, with
 * every field quoted and no final newline:
 *
 *   "Step","run-a - val_loss","run-a - val_loss__MIN","run-a -
 * val_loss__MAX",... "120","0.9731","0.9731","0.9731",...
 *
 * The first column is the chart's x ("Step", or a metric such as
 * "epoch/epoch"); then each run shown in the chart has three columns,
 * "<run> - <metric>" and its __MIN/__MAX band (equal to the value unless
 * the chart groups runs; ignored). Runs of different lengths leave ""
 * cells. Keras' W&B callback also logs "<run> - _step" beside each metric.
 *
 * A folder of such files holds as many runs as there are run names in
 * their headers: the scan makes one candidate per run (key = the run
 * name), and read() gathers that run's column from every file of the
 * folder, merging rows by x. The x is the epoch when every file holding
 * the run is plotted against one, else the step: "Step" itself, or for a
 * file plotted against the epoch, the run's _step column beside it (a
 * file with neither is left out, with a note).
 *
 * Which files are W&B exports is decided by their first line alone (all
 * fields quoted, the second one "<run> - <metric>"), both in scan() and
 * when read() lists the folder again, so the two always agree.
 */
#include "formats.h"

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "csvload.h"
#include "series.h"
#include "strbuf.h"
#include "util.h"

#include "banned.h"

static const char label[] = "W&B exported CSV";

#define SEP " - "

/*
 * True when the first line of a file looks like a W&B export header:
 * quoted fields, the second of which is "<run> - <metric>".
 */
static bool looks_like_export(const char *path)
{
    const char *second;
    bool yes = false;
    char *line;

    if (!has_suffix(path, ".csv") || !(line = sniff_first_line(path)))
        return false;
    if (line[0] == '"' && (second = strstr(line + 1, "\",\""))) {
        const char *end = strchr(second + 3, '"');

        second += 3;
        if (end) {
            const char *sep = strstr(second, SEP);

            yes = sep && sep > second && sep + strlen(SEP) < end;
        }
    }
    free(line);
    return yes;
}

/*
 * Split a column name "<run> - <metric>" at the last separator (run names
 * may hold " - ", metric keys in practice do not). Returns false for
 * anything else, and for the __MIN/__MAX band columns.
 */
static bool split_column(const char *name, char **run, const char **metric)
{
    const char *sep = NULL, *p = name;

    while ((p = strstr(p, SEP))) {
        sep = p;
        p += strlen(SEP);
    }
    if (!sep || sep == name || !sep[strlen(SEP)])
        return false;
    if (has_suffix(name, "__MIN") || has_suffix(name, "__MAX"))
        return false;
    *run = xstrndup(name, (size_t)(sep - name));
    *metric = sep + strlen(SEP);
    return true;
}

/* W&B's own bookkeeping keys, which are no metrics. */
static bool internal_key(const char *metric)
{
    return metric[0] == '_';
}

/* The x kind of a chart's first column. */
enum xkind { X_OTHER, X_STEP, X_EPOCH };

static enum xkind xkind_of(const char *name)
{
    const char *slash = strrchr(name, '/');
    const char *base = slash ? slash + 1 : name;

    if (!strcasecmp(name, "step") || !strcmp(name, "_step") ||
        !strcmp(name, "trainer/global_step") || !strcmp(name, "global_step"))
        return X_STEP;
    if (!strcmp(base, "epoch"))
        return X_EPOCH;
    return X_OTHER;
}

/* Reading one file's header: the run names, or one run's columns. */
struct header {
    const char *path;
    const char *key; /* the run wanted, or NULL to list the runs */
    char **runs;     /* listing: run names in order of appearance */
    size_t nruns, alloc;

    enum xkind xkind;
    char *xname;
    size_t stepcol;    /* field of "<key> - _step", or SIZE_MAX */
    size_t *metriccol; /* fields of "<key> - <metric>" */
    char **metric;     /* their metric names */
    size_t nmetrics, metric_alloc;
};

static int on_header(const struct csv_record *rec, void *ctx)
{
    struct header *h = ctx;
    size_t i, j;

    h->xkind = xkind_of(rec->fields[0]);
    h->xname = xstrdup(rec->fields[0]);
    h->stepcol = SIZE_MAX;
    for (i = 1; i < rec->nfields; i++) {
        const char *metric;
        char *run;

        if (!split_column(rec->fields[i], &run, &metric))
            continue;
        if (!h->key) {
            for (j = 0; j < h->nruns; j++)
                if (!strcmp(h->runs[j], run))
                    break;
            if (j == h->nruns) {
                ALLOC_GROW(h->runs, h->nruns + 1, h->alloc);
                h->runs[h->nruns++] = run;
                run = NULL;
            }
        } else if (!strcmp(run, h->key)) {
            if (!strcmp(metric, "_step")) {
                h->stepcol = i;
            } else if (!internal_key(metric) && xkind_of(metric) != X_EPOCH) {
                ALLOC_GROW(h->metriccol, h->nmetrics + 1, h->metric_alloc);
                h->metric = xreallocarray(h->metric, h->metric_alloc,
                                          sizeof(*h->metric));
                h->metriccol[h->nmetrics] = i;
                h->metric[h->nmetrics++] = xstrdup(metric);
            }
        }
        free(run);
    }
    return -1; /* the header is all we want */
}

static void header_release(struct header *h)
{
    size_t i;

    for (i = 0; i < h->nruns; i++)
        free(h->runs[i]);
    free(h->runs);
    for (i = 0; i < h->nmetrics; i++)
        free(h->metric[i]);
    free(h->metric);
    free(h->metriccol);
    free(h->xname);
    memset(h, 0, sizeof(*h));
}

/* Read the header of path; false when it cannot be read. */
static bool read_header(struct header *h, const char *path, const char *key)
{
    char *why = NULL;

    memset(h, 0, sizeof(*h));
    h->path = path;
    h->key = key;
    csvload_each(path, ',', on_header, h, &why);
    if (why || !h->xname) {
        free(why);
        header_release(h);
        return false;
    }
    return true;
}

static void scan(struct dir_list *dl, struct candidates *out)
{
    char **runs = NULL;
    size_t nruns = 0, alloc = 0, i, j;

    for (i = 0; i < dl->n; i++) {
        struct dir_entry *e = &dl->e[i];
        struct header h;
        char *path;

        if (e->is_dir || e->claimed || !has_suffix(e->name, ".csv"))
            continue;
        path = dir_list_path(dl, e->name);
        if (looks_like_export(path) && read_header(&h, path, NULL)) {
            e->claimed = true;
            for (j = 0; j < h.nruns; j++) {
                size_t k;

                for (k = 0; k < nruns; k++)
                    if (!strcmp(runs[k], h.runs[j]))
                        break;
                if (k == nruns) {
                    ALLOC_GROW(runs, nruns + 1, alloc);
                    runs[nruns++] = xstrdup(h.runs[j]);
                }
            }
            header_release(&h);
        }
        free(path);
    }
    for (i = 0; i < nruns; i++) {
        char *name =
            nruns == 1 ? xstrdup(dl->rel) : series_join(dl->rel, runs[i]);
        struct candidate *c =
            candidates_add(out, &format_wandb, name, dl->path, dl->path, NULL);

        c->key = xstrdup(runs[i]);
        free(name);
        free(runs[i]);
    }
    free(runs);
}

/* One export file of the folder, as far as the wanted run goes. */
struct file {
    char *path;
    struct header h;
    size_t *col; /* metrics column of each of h.metric */
};

struct rows {
    const char *path;
    struct file *f;
    bool epoch; /* x is the epoch column, else a step */
    struct series_points *sp;
    bool header_seen;
    char *err;
};

static int cell(const char *s, double *v)
{
    if (!*s)
        return 0;
    return parse_number(s, v) < 0 ? -1 : 1;
}

static int on_row(const struct csv_record *rec, void *ctx)
{
    struct rows *r = ctx;
    const struct header *h = &r->f->h;
    size_t xf = r->epoch || h->xkind == X_STEP ? 0 : h->stepcol, i;
    double x;
    int got;

    if (!r->header_seen) {
        r->header_seen = true;
        return 0;
    }
    if (xf >= rec->nfields)
        goto short_row;
    got = cell(rec->fields[xf], &x);
    if (got < 0 || (got && !isfinite(x))) {
        r->err = xasprintf("%s:%zu: bad x value '%s'", r->path, rec->line,
                           rec->fields[xf]);
        return -1;
    }
    if (!got)
        return 0; /* a shorter run's empty row, or no _step logged */
    for (i = 0; i < h->nmetrics; i++) {
        size_t f = h->metriccol[i];
        double v;

        if (f >= rec->nfields)
            goto short_row;
        got = cell(rec->fields[f], &v);
        if (got < 0) {
            r->err = csvload_cell_problem(r->path, rec->line, rec->fields[f],
                                          h->metric[i]);
            return -1;
        }
        if (got)
            series_points_add(r->sp, r->f->col[i], x, v, rec->line);
    }
    return 0;
short_row:
    r->err = xasprintf("%s:%zu: %zu fields, fewer than the header has", r->path,
                       rec->line, rec->nfields);
    return -1;
}

/* The column for a W&B metric key, added on first use. */
static size_t column_for(struct metrics *m, const char *metric)
{
    size_t col = metrics_column_index(m, metric);

    if (col == SIZE_MAX)
        col = metrics_add_column(m, metric);
    return col;
}

static void files_release(struct file *files, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        free(files[i].path);
        free(files[i].col);
        header_release(&files[i].h);
    }
    free(files);
}

static struct metrics *read_wandb(const struct candidate *c, char **why)
{
    struct listing l;
    struct file *files = NULL;
    size_t nfiles = 0, alloc = 0, i, j, over;
    struct series_points sp = SERIES_POINTS_INIT;
    struct metrics *m = NULL;
    bool epoch = true;
    struct strbuf skipped = STRBUF_INIT;

    *why = NULL;
    if (listing_read(&l, c->path, 0)) {
        *why = xasprintf("%s: cannot read the folder", c->path);
        return NULL;
    }
    for (i = 0; i < l.n; i++) {
        char *path;
        struct header h;

        if (l.e[i].kind == LISTING_DIR)
            continue;
        memset(&h, 0, sizeof(h));
        path = xasprintf("%s/%s", c->path, l.e[i].name);
        if (looks_like_export(path) && read_header(&h, path, c->key) &&
            h.nmetrics) {
            ALLOC_GROW(files, nfiles + 1, alloc);
            files[nfiles].path = path;
            files[nfiles].h = h;
            files[nfiles].col = NULL;
            if (h.xkind != X_EPOCH)
                epoch = false;
            nfiles++;
            continue;
        }
        header_release(&h);
        free(path);
    }
    listing_release(&l);
    if (!nfiles) {
        *why = xasprintf("%s: no W&B export holds run '%s'", c->path, c->key);
        goto out;
    }

    m = metrics_new(c->path, epoch ? "epoch" : "step");
    m->format = label;
    for (i = 0; i < nfiles; i++) {
        struct file *f = &files[i];
        struct rows r;
        char *err = NULL;

        if (!epoch && f->h.xkind != X_STEP && f->h.stepcol == SIZE_MAX) {
            strbuf_addf(&skipped, "%s'%s'", skipped.len ? ", " : "",
                        strrchr(f->path, '/') + 1);
            continue;
        }
        f->col = xreallocarray(NULL, f->h.nmetrics, sizeof(*f->col));
        for (j = 0; j < f->h.nmetrics; j++)
            f->col[j] = column_for(m, f->h.metric[j]);
        memset(&r, 0, sizeof(r));
        r.path = f->path;
        r.f = f;
        r.epoch = epoch;
        r.sp = &sp;
        if (csvload_each(f->path, ',', on_row, &r, &err) < 0) {
            *why = err ? err : r.err;
            if (err)
                free(r.err);
            metrics_free(m);
            m = NULL;
            goto out;
        }
    }
    over = series_points_flush(&sp, m);
    if (!m->nrows) {
        *why = xasprintf("%s: run '%s' has no values", c->path, c->key);
        metrics_free(m);
        m = NULL;
        goto out;
    }
    series_rename_canonical(m);
    if (epoch)
        m->xbase = metrics_x(m, 0) == 0 || metrics_x(m, 0) == 1
                       ? (int)metrics_x(m, 0)
                       : -1;
    if (nfiles > 1)
        metrics_note(m, "W&B run '%s', gathered from %zu exported charts",
                     c->key, nfiles);
    if (!epoch)
        metrics_note(m, "x is W&B's step (the run's logging counter), not "
                        "the epoch");
    if (skipped.len)
        metrics_note(m,
                     "left out %s: not plotted against the step, and no "
                     "_step column to place its values by step",
                     skipped.buf);
    series_note_repeats(m, over);
out:
    strbuf_release(&skipped);
    series_points_release(&sp);
    files_release(files, nfiles);
    return m;
}

const struct format format_wandb = {
    .id = "wandb",
    .label = label,
    .scan = scan,
    .read = read_wandb,
};
