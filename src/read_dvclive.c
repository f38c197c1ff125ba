/*
 * read_dvclive.c - DVCLive's output folder.
 *
 * DVCLive (1.0 and later) writes, under dvclive/:
 *   plots/metrics/<name>.tsv  one file per metric, "step<TAB><name>" or
 *                             "timestamp<TAB>step<TAB><name>", a '/' in
 *                             the metric name being a sub-folder (so
 *                             plots/metrics/train/loss.tsv is "train/loss");
 *   params.yaml               the logged parameters (config.c finds it as
 *                             dvclive/params.yaml from the run's folder);
 *   metrics.json              the latest value of each metric (ignored:
 *                             the .tsv files hold the same and more).
 *
 * Releases before 1.0 wrote the same files as dvclive/scalars/<name>.tsv
 * or, the first ones, dvclive/<name>.tsv, with a dvclive.json summary
 * beside dvclive/ (claimed with it); they are read alike.
 *
 * A folder holding a dvclive/ folder with plots/metrics is one run, named
 * after the folder, and the scan claims dvclive/ so that the walk does
 * not descend into it; a folder that is itself named dvclive is accepted
 * too (RUNS_DIR pointing into a run).
 *
 * x: every value carries a step. Integrations also log the epoch as a
 * metric of its own, epoch.tsv; when it gives every logged step exactly
 * one whole epoch, and no metric has two values in one epoch, x is that
 * epoch. Otherwise (several steps per epoch, or steps it does not cover)
 * x stays the step and a note says what epoch.tsv spans.
 *
 * Names are the script's own, so the usual spellings map to the canonical
 * ones (series_canonical()); when two files stand for the same one, as
 * the Hugging Face integration's loss.tsv (per logging step) and
 * train/loss.tsv (one summary value) do, the one with more values wins.
 */
#include "formats.h"

#include <dirent.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "csvload.h"
#include "series.h"
#include "strbuf.h"
#include "util.h"

#include "banned.h"

static const char label[] = "DVCLive";

/* Deeper sub-folders than this are not followed (a metric name has few). */
#define MAX_DEPTH 16

static bool is_dir_path(const char *path)
{
    struct stat st;

    return !stat(path, &st) && S_ISDIR(st.st_mode);
}

/* Does folder dir hold a .tsv file directly? */
static bool has_tsv(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    bool yes = false;

    if (!d)
        return false;
    while (!yes && (de = readdir(d)) != NULL) {
        size_t len = strlen(de->d_name);

        yes = len > 4 && !strcmp(de->d_name + len - 4, ".tsv");
    }
    closedir(d);
    return yes;
}

/*
 * The folder of metric files under a DVCLive folder, newly allocated, or
 * NULL: plots/metrics (DVCLive 1.0 and later), else scalars/ (0.x), else
 * the folder itself when it holds .tsv files (the first releases).
 */
static char *metrics_dir(const char *dvclive)
{
    char *p = xasprintf("%s/plots/metrics", dvclive);

    if (is_dir_path(p))
        return p;
    free(p);
    p = xasprintf("%s/scalars", dvclive);
    if (is_dir_path(p) && has_tsv(p))
        return p;
    free(p);
    return has_tsv(dvclive) ? xstrdup(dvclive) : NULL;
}

static bool has_metrics(const char *dvclive)
{
    char *p = metrics_dir(dvclive);

    free(p);
    return p != NULL;
}

/* The entries DVCLive writes beside plots/ in its own folder. */
static const char *const own_entries[] = {
    "plots",     "metrics.json", "params.yaml", "report.html",
    "report.md", "dvc.yaml",     "artifacts",   "images",
};

static void scan(struct dir_list *dl, struct candidates *out)
{
    struct dir_entry *e = dir_list_find(dl, "dvclive");
    const char *base = strrchr(dl->path, '/');
    char *path;

    if (e && e->is_dir && !e->claimed) {
        path = dir_list_path(dl, "dvclive");
        if (has_metrics(path)) {
            /* Older releases write their summary beside the folder. */
            struct dir_entry *j = dir_list_find(dl, "dvclive.json");

            if (j && !j->is_dir && !j->claimed)
                j->claimed = true;
            e->claimed = true;
            candidates_add(out, &format_dvclive, dl->rel, dl->path, path, NULL);
        }
        free(path);
        return;
    }
    base = base ? base + 1 : dl->path;
    e = dir_list_find(dl, "plots");
    if (strcmp(base, "dvclive") || !e || !e->is_dir || e->claimed ||
        !has_metrics(dl->path))
        return;
    dir_list_claim(dl, own_entries, ARRAY_SIZE(own_entries), true);
    candidates_add(out, &format_dvclive, dl->rel, dl->path, dl->path, NULL);
}

/* One metric file, read. */
struct metric {
    char *name; /* "train/loss" */
    char *path;
    size_t first, n; /* its points in the collected array */
};

struct reader {
    const char *path;
    char *name;
    size_t stepf, valuef, nfields;
    bool have_header;
    bool shadowed; /* the header is the one column "step" */
    struct series_points *sp;
    size_t col;
    char *err;
};

static int on_record(const struct csv_record *rec, void *ctx)
{
    struct reader *rd = ctx;
    double step, v;
    size_t i;

    if (!rd->have_header) {
        /*
         * A metric named "step" shadows DVCLive's own step column: the
         * file has a single column and no x for its values.
         */
        if (rec->nfields == 1) {
            rd->shadowed = true;
            return -1;
        }
        rd->stepf = SIZE_MAX;
        for (i = 0; i < rec->nfields; i++)
            if (!strcmp(rec->fields[i], "step"))
                rd->stepf = i;
        if (rd->stepf == SIZE_MAX) {
            rd->err = xasprintf("%s:%zu: no step column in the header",
                                rd->path, rec->line);
            return -1;
        }
        /* The value is the last column (the metric's own name). */
        rd->valuef = rec->nfields - 1;
        if (rd->valuef == rd->stepf) {
            rd->err = xasprintf("%s:%zu: no value column after 'step'",
                                rd->path, rec->line);
            return -1;
        }
        rd->nfields = rec->nfields;
        rd->have_header = true;
        return 0;
    }
    if (rec->nfields != rd->nfields) {
        rd->err = xasprintf("%s:%zu: %zu fields, but the header has %zu",
                            rd->path, rec->line, rec->nfields, rd->nfields);
        return -1;
    }
    if (parse_number(rec->fields[rd->stepf], &step) < 0 || !isfinite(step)) {
        rd->err = xasprintf("%s:%zu: bad step '%s'", rd->path, rec->line,
                            rec->fields[rd->stepf]);
        return -1;
    }
    if (!*rec->fields[rd->valuef])
        return 0;
    if (parse_number(rec->fields[rd->valuef], &v) < 0) {
        rd->err = csvload_cell_problem(rd->path, rec->line,
                                       rec->fields[rd->valuef], NULL);
        return -1;
    }
    series_points_add(rd->sp, rd->col, step, v, rec->line);
    return 0;
}

struct walk {
    struct metric *v;
    size_t n, alloc;
    struct series_points sp; /* every value; col = index into v */
    struct strbuf shadowed;  /* files left out, quoted, comma separated */
    char *why;
};

/* Read the metric file path named name; -1 with w->why on failure. */
static int read_metric(struct walk *w, const char *path, const char *name)
{
    struct reader rd;
    struct metric *mt;
    char *why = NULL;
    int ret;

    ALLOC_GROW(w->v, w->n + 1, w->alloc);
    mt = &w->v[w->n];
    mt->name = xstrdup(name);
    mt->path = xstrdup(path);
    mt->first = w->sp.n;
    memset(&rd, 0, sizeof(rd));
    rd.path = path;
    rd.sp = &w->sp;
    rd.col = w->n++;
    ret = csvload_each(path, '\t', on_record, &rd, &why);
    if (ret < 0 && rd.shadowed) {
        free(mt->name);
        free(mt->path);
        w->n--;
        strbuf_addf(&w->shadowed, "%s'%s.tsv'", w->shadowed.len ? ", " : "",
                    name);
        return 0;
    }
    if (ret < 0) {
        w->why = why ? why : rd.err;
        if (why)
            free(rd.err);
        return -1;
    }
    mt->n = w->sp.n - mt->first;
    return 0;
}

/* A walk_files() visit: a .tsv file is the metric rel names (less .tsv). */
static int visit_tsv(void *ctx, const char *path, const char *rel)
{
    const char *base = strrchr(rel, '/');
    char *name;
    int ret;

    base = base ? base + 1 : rel;
    if (strlen(base) <= 4 || !has_suffix(base, ".tsv"))
        return 0;
    name = xstrndup(rel, strlen(rel) - 4);
    ret = read_metric(ctx, path, name);
    free(name);
    return ret;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y;
}

/*
 * The epochs of epoch.tsv as a sorted (step, epoch) table; *n pairs.
 * Returns NULL when there is no epoch metric.
 */
static double *epoch_table(const struct walk *w, size_t ep, size_t *n)
{
    double *t;
    size_t i;

    *n = w->v[ep].n;
    t = xreallocarray(NULL, 2 * *n + 1, sizeof(*t));
    for (i = 0; i < *n; i++) {
        const struct series_point *p = &w->sp.p[w->v[ep].first + i];

        t[2 * i] = p->x;
        t[2 * i + 1] = p->v;
    }
    /* Pairs sort by step: cmp on the first double of each pair. */
    qsort(t, *n, 2 * sizeof(*t), cmp_double);
    return t;
}

/* The epoch of step in table t (n pairs), or NaN. */
static double epoch_of(const double *t, size_t n, double step)
{
    size_t lo = 0, hi = n;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;

        if (t[2 * mid] < step)
            lo = mid + 1;
        else
            hi = mid;
    }
    /* A step logged twice (a resumed run) keeps its last epoch. */
    while (lo + 1 < n && t[2 * (lo + 1)] == step)
        lo++;
    return lo < n && t[2 * lo] == step ? t[2 * lo + 1] : NAN;
}

/*
 * Try to turn every point's step into its epoch. Returns true and
 * rewrites the x of every point (but epoch.tsv's own) when each step
 * has one whole epoch and no metric has two values in one epoch.
 */
static bool steps_to_epochs(struct walk *w, size_t ep, const char **why_not)
{
    size_t n, i, k;
    double *t = epoch_table(w, ep, &n);
    double *xs = xreallocarray(NULL, w->sp.n + 1, sizeof(*xs));
    bool ok = true;

    for (i = 0; i < w->sp.n && ok; i++) {
        xs[i] = NAN;
        if (w->sp.p[i].col == ep)
            continue;
        xs[i] = epoch_of(t, n, w->sp.p[i].x);
        if (isnan(xs[i])) {
            *why_not = "some steps have no epoch in epoch.tsv";
            ok = false;
        } else if (xs[i] != floor(xs[i])) {
            *why_not = "its epochs are fractional";
            ok = false;
        }
    }
    for (k = 0; k < w->n && ok; k++) {
        double *mine;
        size_t m = w->v[k].n;

        if (k == ep || m < 2)
            continue;
        mine = xreallocarray(NULL, m, sizeof(*mine));
        memcpy(mine, xs + w->v[k].first, m * sizeof(*mine));
        qsort(mine, m, sizeof(*mine), cmp_double);
        for (i = 1; i < m && ok; i++) {
            if (mine[i] == mine[i - 1]) {
                *why_not = "some metrics are logged several times per epoch";
                ok = false;
            }
        }
        free(mine);
    }
    if (ok)
        for (i = 0; i < w->sp.n; i++)
            if (w->sp.p[i].col != ep)
                w->sp.p[i].x = xs[i];
    free(xs);
    free(t);
    return ok;
}

static void walk_release(struct walk *w)
{
    size_t i;

    for (i = 0; i < w->n; i++) {
        free(w->v[i].name);
        free(w->v[i].path);
    }
    free(w->v);
    series_points_release(&w->sp);
    strbuf_release(&w->shadowed);
    free(w->why);
}

static struct metrics *read_dvclive(const struct candidate *c, char **why)
{
    struct walk w;
    struct walk_files wf = {visit_tsv, NULL, MAX_DEPTH, NULL};
    struct metrics *m;
    char *dir = metrics_dir(c->path);
    size_t ep = SIZE_MAX, i, j, over, *colmap;
    const char *why_not = NULL;
    bool by_epoch = false;
    double emin = NAN, emax = NAN;

    *why = NULL;
    if (!dir) {
        *why = xasprintf("%s: no metric files (plots/metrics/, scalars/ "
                         "or *.tsv)",
                         c->path);
        return NULL;
    }
    memset(&w, 0, sizeof(w));
    strbuf_init(&w.shadowed, 0);
    wf.ctx = &w;
    wf.why = &w.why;
    if (walk_files(dir, &wf) < 0) {
        *why = w.why;
        w.why = NULL;
        free(dir);
        walk_release(&w);
        return NULL;
    }
    for (i = 0; i < w.n; i++)
        if (!strcmp(w.v[i].name, "epoch"))
            ep = i;
    if (ep != SIZE_MAX && w.v[ep].n) {
        for (i = 0; i < w.v[ep].n; i++) {
            double e = w.sp.p[w.v[ep].first + i].v;

            if (isnan(emin) || e < emin)
                emin = e;
            if (isnan(emax) || e > emax)
                emax = e;
        }
        by_epoch = steps_to_epochs(&w, ep, &why_not);
    }

    m = metrics_new(dir, by_epoch ? "epoch" : "step");
    m->format = label;
    /*
     * epoch.tsv is the x now, or at most a note: as a column it would be
     * drawn as a metric, so it gets none and its points go.
     */
    colmap = xreallocarray(NULL, w.n + 1, sizeof(*colmap));
    for (i = 0; i < w.n; i++)
        colmap[i] = i == ep ? SIZE_MAX : metrics_add_column(m, w.v[i].name);
    for (i = j = 0; i < w.sp.n; i++) {
        if (w.sp.p[i].col == ep)
            continue;
        w.sp.p[j] = w.sp.p[i];
        w.sp.p[j++].col = colmap[w.sp.p[i].col];
    }
    w.sp.n = j;
    free(colmap);
    over = series_points_flush(&w.sp, m);
    if (!m->nrows) {
        *why = xasprintf("%s: no values in any metric file", dir);
        metrics_free(m);
        m = NULL;
        goto out;
    }
    series_rename_canonical(m);
    if (by_epoch) {
        m->xbase = metrics_x(m, 0) == 0 || metrics_x(m, 0) == 1
                       ? (int)metrics_x(m, 0)
                       : -1;
        metrics_note(m, "x is the epoch, from epoch.tsv (each logged step "
                        "mapped to its epoch)");
    } else if (ep != SIZE_MAX && !isnan(emin)) {
        char lo[FMT_NUM_SIZE], hi[FMT_NUM_SIZE];

        metrics_note(m,
                     "x is the step: epoch.tsv spans epochs %s to %s, but "
                     "%s",
                     fmt_num(lo, sizeof(lo), emin),
                     fmt_num(hi, sizeof(hi), emax), why_not);
    }
    if (w.shadowed.len)
        metrics_note(m,
                     "left out %s: a metric named 'step' takes the place "
                     "of DVCLive's step column, so its values have no x",
                     w.shadowed.buf);
    series_note_repeats(m, over);
out:
    free(dir);
    walk_release(&w);
    return m;
}

const struct format format_dvclive = {
    .id = "dvclive",
    .label = label,
    .scan = scan,
    .read = read_dvclive,
};
