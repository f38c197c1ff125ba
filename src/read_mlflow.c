/*
 * read_mlflow.c - MLflow's file store (the mlruns/ folder).
 *
 * Layout: mlruns/<experiment id>/<run id>/ holds
 *   meta.yaml      the run's record (run_name in MLflow 1.14 and later),
 *   metrics/<key>  one file per metric, lines "<timestamp_ms> <value>
 *                  <step>" (no step before MLflow 1.0), a '/' in the key
 *                  being a sub-folder,
 *   params/<key>   one file per parameter, holding its value as text (no
 *                  final newline),
 *   tags/<key>     likewise (mlflow.runName, mlflow.autologging, ...),
 *   artifacts/     whatever the script saved.
 *
 * The scan accepts a folder that is itself a run (meta.yaml and metrics/:
 * one run named after the folder) and a folder holding mlruns/, which it
 * walks itself (experiment, then run) to make one candidate per run, named
 * after the run's run_name (or its mlflow.runName tag, or its id), and
 * claims so that the walk does not descend into it again.
 *
 * x: the step, merged across metrics. Keras/TensorFlow autologging logs
 * step = epoch, so for such runs (the mlflow.autologging tag says so) the
 * x is called the epoch. When every value has step 0 but the timestamps
 * differ, the script logged without a step: each metric's values are then
 * numbered in timestamp order and read as epochs, with a note.
 *
 * The run's parameters are its config: format_mlflow.config reads
 * params/ into a struct config, key = the parameter's name.
 */
#include "formats.h"

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "config.h"
#include "csvload.h"
#include "series.h"
#include "strbuf.h"
#include "util.h"

#include "banned.h"

static const char label[] = "MLflow file store";

/* Sub-folders deeper than this are not followed. */
#define MAX_DEPTH 16
/* The longest parameter value read (MLflow's own limit is 6000 bytes). */
#define MAX_VALUE (1024 * 1024)

static bool is_kind(const char *path, bool dir)
{
    struct stat st;

    if (stat(path, &st))
        return false;
    return dir ? S_ISDIR(st.st_mode) : S_ISREG(st.st_mode);
}

/* True when folder path holds meta.yaml and metrics/. */
static bool is_run(const char *path)
{
    char *meta = xasprintf("%s/meta.yaml", path);
    char *metrics = xasprintf("%s/metrics", path);
    bool yes = is_kind(meta, false) && is_kind(metrics, true);

    free(meta);
    free(metrics);
    return yes;
}

/*
 * Read a small text file whole (at most max bytes), without one final
 * line end. NULL when it cannot be read or is longer.
 */
static char *slurp(const char *path, size_t max)
{
    struct strbuf sb = STRBUF_INIT;
    char *why, buf[4096];
    FILE *fp = input_open(path, &why);
    size_t n;

    free(why);
    if (!fp)
        return NULL;
    while ((n = fread(buf, 1, sizeof(buf), fp)) > 0 && sb.len <= max)
        strbuf_add(&sb, buf, n);
    if (ferror(fp) || sb.len > max) {
        fclose(fp);
        strbuf_release(&sb);
        return NULL;
    }
    fclose(fp);
    if (sb.len && sb.buf[sb.len - 1] == '\n')
        strbuf_setlen(&sb, sb.len - 1);
    if (sb.len && sb.buf[sb.len - 1] == '\r')
        strbuf_setlen(&sb, sb.len - 1);
    return strbuf_detach(&sb, NULL);
}

/* The run's name: run_name in meta.yaml, the mlflow.runName tag, or id. */
static char *run_name(const char *run, const char *id)
{
    struct config cfg = CONFIG_INIT;
    char *path = xasprintf("%s/meta.yaml", run), *why = NULL, *name = NULL;
    const char *v;

    if (!config_load_file(&cfg, path, &why) &&
        (v = config_get(&cfg, "run_name")) && *v && strcmp(v, "null"))
        name = xstrdup(v);
    free(why);
    config_release(&cfg);
    free(path);
    if (!name) {
        path = xasprintf("%s/tags/mlflow.runName", run);
        name = slurp(path, 1024);
        free(path);
        if (name && !*name) {
            free(name);
            name = NULL;
        }
    }
    return name ? name : xstrdup(id);
}

/* The entries of a run folder that MLflow writes. */
static const char *const run_entries[] = {
    "meta.yaml", "metrics", "params", "tags", "artifacts", "inputs", "outputs",
};

/* Walk mlruns/ (at path): one candidate per run. Returns how many. */
static size_t scan_mlruns(const char *path, const char *rel,
                          struct candidates *out)
{
    struct listing exps, runs;
    size_t found = 0;

    /* .trash holds deleted runs; models/ is the model registry. */
    if (listing_read(&exps, path, LISTING_NO_HIDDEN))
        return 0;
    for (size_t i = 0; i < exps.n; i++) {
        char *exp;

        if (exps.e[i].kind != LISTING_DIR || !strcmp(exps.e[i].name, "models"))
            continue;
        exp = xasprintf("%s/%s", path, exps.e[i].name);
        (void)listing_read(&runs, exp, 0); /* unreadable: lists nothing */
        for (size_t j = 0; j < runs.n; j++) {
            char *run = xasprintf("%s/%s", exp, runs.e[j].name), *name, *full;

            if (runs.e[j].kind == LISTING_DIR && is_run(run)) {
                name = run_name(run, runs.e[j].name);
                full = series_join(rel, name);
                candidates_add(out, &format_mlflow, full, run, run, NULL);
                free(full);
                free(name);
                found++;
            }
            free(run);
        }
        listing_release(&runs);
        free(exp);
    }
    listing_release(&exps);
    return found;
}

static void scan(struct dir_list *dl, struct candidates *out)
{
    struct dir_entry *meta = dir_list_find(dl, "meta.yaml");
    struct dir_entry *metrics = dir_list_find(dl, "metrics");
    struct dir_entry *e = dir_list_find(dl, "mlruns");

    if (meta && !meta->is_dir && !meta->claimed && metrics && metrics->is_dir &&
        !metrics->claimed) {
        dir_list_claim(dl, run_entries, ARRAY_SIZE(run_entries), true);
        candidates_add(out, &format_mlflow, dl->rel, dl->path, dl->path, NULL);
    }
    if (e && e->is_dir && !e->claimed) {
        char *path = dir_list_path(dl, "mlruns");
        char *rel = series_join(dl->rel, "mlruns");

        if (scan_mlruns(path, rel, out))
            e->claimed = true;
        free(rel);
        free(path);
    }
}

/* One metric's values, in file order. */
struct value {
    double ts, v, step;
    size_t line;
};

struct metric {
    char *key;
    struct value *v;
    size_t n, alloc;
};

struct reader {
    const char *path;
    struct metric *mt;
    char *err;
};

static int on_record(const struct csv_record *rec, void *ctx)
{
    struct reader *rd = ctx;
    struct value val;

    if (rec->nfields < 2 || rec->nfields > 3) {
        rd->err = xasprintf("%s:%zu: %zu fields, not 'timestamp value "
                            "[step]'",
                            rd->path, rec->line, rec->nfields);
        return -1;
    }
    if (parse_number(rec->fields[0], &val.ts) < 0 || !isfinite(val.ts)) {
        rd->err = xasprintf("%s:%zu: bad timestamp '%s'", rd->path, rec->line,
                            rec->fields[0]);
        return -1;
    }
    if (parse_number(rec->fields[1], &val.v) < 0) {
        rd->err =
            csvload_cell_problem(rd->path, rec->line, rec->fields[1], NULL);
        return -1;
    }
    val.step = 0;
    if (rec->nfields == 3 &&
        (parse_number(rec->fields[2], &val.step) < 0 || !isfinite(val.step))) {
        rd->err = xasprintf("%s:%zu: bad step '%s'", rd->path, rec->line,
                            rec->fields[2]);
        return -1;
    }
    val.line = rec->line;
    ALLOC_GROW(rd->mt->v, rd->mt->n + 1, rd->mt->alloc);
    rd->mt->v[rd->mt->n++] = val;
    return 0;
}

struct walk {
    struct metric *mt;
    size_t n, alloc;
    char *why;
};

/* A walk_files() visit: read the metric file path, keyed rel. */
static int visit_metric(void *ctx, const char *path, const char *rel)
{
    struct walk *w = ctx;
    struct reader rd;
    char *why = NULL;

    ALLOC_GROW(w->mt, w->n + 1, w->alloc);
    memset(&w->mt[w->n], 0, sizeof(w->mt[w->n]));
    w->mt[w->n].key = xstrdup(rel);
    rd.path = path;
    rd.mt = &w->mt[w->n++];
    rd.err = NULL;
    if (csvload_each(path, ' ', on_record, &rd, &why) < 0) {
        w->why = why ? why : rd.err;
        if (why)
            free(rd.err);
        return -1;
    }
    return 0;
}

static int cmp_ts(const void *a, const void *b)
{
    const struct value *x = a, *y = b;

    if (x->ts != y->ts)
        return x->ts < y->ts ? -1 : 1;
    return x->line < y->line ? -1 : x->line > y->line;
}

/*
 * True when no value has a step other than 0 and some metric has values
 * at different times: the steps carry no order, the timestamps do.
 */
static bool steps_unused(const struct walk *w)
{
    bool differ = false;
    size_t i, j;

    for (i = 0; i < w->n; i++)
        for (j = 0; j < w->mt[i].n; j++) {
            if (w->mt[i].v[j].step != 0)
                return false;
            if (j && w->mt[i].v[j].ts != w->mt[i].v[0].ts)
                differ = true;
        }
    return differ;
}

static void walk_release(struct walk *w)
{
    size_t i;

    for (i = 0; i < w->n; i++) {
        free(w->mt[i].key);
        free(w->mt[i].v);
    }
    free(w->mt);
    free(w->why);
}

static struct metrics *read_mlflow(const struct candidate *c, char **why)
{
    struct walk w;
    struct walk_files wf = {visit_metric, NULL, MAX_DEPTH, NULL};
    struct metrics *m;
    struct series_points sp = SERIES_POINTS_INIT;
    char *dir = xasprintf("%s/metrics", c->path), *tag, *tagpath;
    bool by_time, keras;
    size_t i, j, over;

    *why = NULL;
    memset(&w, 0, sizeof(w));
    wf.ctx = &w;
    wf.why = &w.why;
    if (walk_files(dir, &wf) < 0) {
        *why = w.why;
        w.why = NULL;
        m = NULL;
        goto out;
    }
    tagpath = xasprintf("%s/tags/mlflow.autologging", c->path);
    tag = slurp(tagpath, 1024);
    free(tagpath);
    keras = tag && (!strcmp(tag, "keras") || !strcmp(tag, "tensorflow"));
    by_time = steps_unused(&w);

    m = metrics_new(dir, by_time || keras ? "epoch" : "step");
    m->format = label;
    for (i = 0; i < w.n; i++) {
        struct metric *mt = &w.mt[i];
        size_t col = metrics_add_column(m, mt->key);

        if (by_time && mt->n)
            qsort(mt->v, mt->n, sizeof(*mt->v), cmp_ts);
        for (j = 0; j < mt->n; j++)
            series_points_add(&sp, col, by_time ? (double)j : mt->v[j].step,
                              mt->v[j].v, mt->v[j].line);
    }
    over = series_points_flush(&sp, m);
    if (!m->nrows) {
        *why = xasprintf("%s: no values in any metric file", dir);
        metrics_free(m);
        m = NULL;
        free(tag);
        goto out;
    }
    series_rename_canonical(m);
    m->xbase = metrics_x(m, 0) == 0 || metrics_x(m, 0) == 1
                   ? (int)metrics_x(m, 0)
                   : -1;
    if (by_time)
        metrics_note(m, "every value was logged at step 0: each metric's "
                        "values are numbered in timestamp order, from 0, "
                        "and read as epochs");
    else if (keras)
        metrics_note(m,
                     "MLflow's %s autologging logs one value per epoch: "
                     "its steps are epochs",
                     tag);
    series_note_repeats(m, over);
    free(tag);
out:
    series_points_release(&sp);
    walk_release(&w);
    free(dir);
    return m;
}

struct param_walk {
    struct config *cfg;
    char *why;
};

/* A walk_files() visit: the parameter rel is the text of file path. */
static int visit_param(void *ctx, const char *path, const char *rel)
{
    struct param_walk *pw = ctx;
    struct config *cfg = pw->cfg;
    char *value = slurp(path, MAX_VALUE);

    if (!value) {
        pw->why = xasprintf("%s: cannot read, or longer than %d bytes", path,
                            MAX_VALUE);
        return -1;
    }
    ALLOC_GROW(cfg->e, cfg->n + 1, cfg->alloc);
    cfg->e[cfg->n].key = xstrdup(rel);
    cfg->e[cfg->n].value = value;
    cfg->n++;
    return 0;
}

/*
 * The run's params/ folder as its config: one entry per parameter, in
 * name order. No params/ folder is no config (0, cfg->path NULL).
 */
static int read_params(const struct candidate *c, struct config *cfg,
                       char **why)
{
    char *dir = xasprintf("%s/params", c->path);
    struct param_walk pw = {cfg, NULL};
    struct walk_files wf = {visit_param, &pw, MAX_DEPTH, &pw.why};

    *why = NULL;
    config_release(cfg);
    if (!is_kind(dir, true)) {
        free(dir);
        return 0;
    }
    if (walk_files(dir, &wf) < 0) {
        *why = pw.why;
        config_release(cfg);
        free(dir);
        return -1;
    }
    cfg->path = dir;
    return 0;
}

const struct format format_mlflow = {
    .id = "mlflow",
    .label = label,
    .scan = scan,
    .read = read_mlflow,
    .config = read_params,
};
