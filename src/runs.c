/*
 * runs.c - finding the runs under RUNS_DIR and owning what is kept of them.
 *
 * The first stage of the data flow. The walk lists each folder once,
 * sorted, and hands the listing to every format's scan() in the order of
 * formats[]; each scan claims the files (or sub-folders) it will read and
 * names the runs it found there. The walk then goes down into the
 * sub-folders nobody claimed. Hidden entries (.git, editor and tool
 * state) are passed over and symbolic links to folders are not followed,
 * so a link cycle cannot make it loop. Runs are sorted by name bytewise at
 * the end, not by walk order, so "a/b" and "a-c" come out the same on
 * every file system.
 */
#include "runs.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "strbuf.h"
#include "util.h"
#include "banned.h"

void run_set_init(struct run_set *set)
{
    memset(set, 0, sizeof(*set));
}

void run_read_init(struct run_read *rd)
{
    memset(rd, 0, sizeof(*rd));
    config_init(&rd->config);
    rd->xbase = -1;
}

static void run_read_release(struct run_read *rd)
{
    free(rd->config_error);
    config_release(&rd->config);
    free(rd->xname);
    for (size_t i = 0; i < rd->nnotes; i++)
        free(rd->notes[i]);
    free(rd->notes);
    for (size_t i = 0; i < rd->ncolumns; i++) {
        free(rd->columns[i].name);
        free(rd->columns[i].orig);
    }
    free(rd->columns);
}

void run_analysis_init(struct run_analysis *an)
{
    memset(an, 0, sizeof(*an));
    diagnosis_init(&an->diag);
}

static void run_analysis_release(struct run_analysis *an)
{
    free(an->rule.metric);
    free(an->slice_at_best);
    free(an->curve_x);
    free(an->curve_y);
    free(an->curve_bad);
    free(an->train_name);
    free(an->train_x);
    free(an->train_y);
    free(an->train_bad);
    diagnosis_release(&an->diag);
}

static void run_drawn_release(struct run_drawn *d)
{
    for (size_t i = 0; i < d->ncharts; i++) {
        free(d->charts[i].file);
        free(d->charts[i].title);
    }
    free(d->charts);
    for (size_t i = 0; i < d->nfolded; i++)
        free(d->folded[i].name);
    free(d->folded);
}

void run_parts_release(struct run *r)
{
    free(r->reason);
    r->reason = NULL;
    run_read_release(&r->read);
    run_read_init(&r->read);
    run_analysis_release(&r->an);
    run_analysis_init(&r->an);
    run_drawn_release(&r->drawn);
    memset(&r->drawn, 0, sizeof(r->drawn));
}

static void run_release(struct run *r)
{
    free(r->name);
    free(r->dir);
    free(r->metrics_path);
    free(r->slug);
    free(r->extra);
    free(r->key);
    free(r->reason);
    run_read_release(&r->read);
    run_analysis_release(&r->an);
    run_drawn_release(&r->drawn);
}

void run_set_release(struct run_set *set)
{
    for (size_t i = 0; i < set->n; i++)
        run_release(&set->runs[i]);
    free(set->runs);
    free(set->root);
    run_set_init(set);
}

/* Replace *s (NULL allowed) with strip_root(root, *s). */
static void relative(const char *root, char **s)
{
    char *rel;

    if (!*s)
        return;
    rel = strip_root(root, *s);
    free(*s);
    *s = rel;
}

void run_make_relative(const struct run_set *set, struct run *r)
{
    relative(set->root, &r->reason);
    relative(set->root, &r->read.config_error);
    relative(set->root, &r->metrics_path);
    relative(set->root, &r->read.config.path);
    for (size_t i = 0; i < r->read.nnotes; i++)
        relative(set->root, &r->read.notes[i]);
}

/* The site layout: a run's page and its files sit in runs/<slug>/. */
char *run_page_path(const struct run *r)
{
    return run_file_path(r, SITE_INDEX);
}

char *run_file_path(const struct run *r, const char *file)
{
    return xasprintf("runs/%s/%s", r->slug, file);
}

char *run_link_from_run(const struct run *to)
{
    return xasprintf("../%s/" SITE_INDEX, to->slug);
}

void run_candidate(const struct run *r, struct candidate *c)
{
    memset(c, 0, sizeof(*c));
    c->format = r->format;
    c->name = r->name;
    c->dir = r->dir;
    c->path = r->metrics_path;
    c->extra = r->extra;
    c->key = r->key;
}

void run_skip(struct run *r, const char *reason)
{
    r->status = RUN_SKIPPED;
    free(r->reason);
    r->reason = xstrdup(reason);
}

void run_drawn_add_chart(struct run_drawn *d, const char *file,
                         const char *title, bool best)
{
    ALLOC_GROW(d->charts, d->ncharts + 1, d->charts_alloc);
    d->charts[d->ncharts].file = xstrdup(file);
    d->charts[d->ncharts].title = xstrdup(title);
    d->charts[d->ncharts].best = best;
    d->charts[d->ncharts].minor = false;
    d->ncharts++;
}

void run_read_keep(struct run_read *rd, const struct metrics *m)
{
    rd->nrows = m->nrows;
    free(rd->xname);
    rd->xname = xstrdup(m->xname ? m->xname : "step");
    rd->xbase = m->xbase;
    rd->format_label = m->format;
    rd->notes = xcalloc(m->nnotes ? m->nnotes : 1, sizeof(*rd->notes));
    for (size_t i = 0; i < m->nnotes; i++)
        rd->notes[i] = xstrdup(m->notes[i]);
    rd->nnotes = m->nnotes;
    rd->columns = xcalloc(m->ncols ? m->ncols : 1, sizeof(*rd->columns));
    for (size_t i = 0; i < m->ncols; i++) {
        rd->columns[i].name = xstrdup(m->cols[i].name);
        rd->columns[i].orig = m->cols[i].orig ? xstrdup(m->cols[i].orig) : NULL;
    }
    rd->ncolumns = m->ncols;
}

/*
 * Turn a candidate into a run. A candidate of the root folder is named
 * after the folder itself; a name a scan built as "<rel>/<file>" at the
 * root loses its leading slash.
 */
static void add_run(struct run_set *set, const struct candidate *c,
                    const char *root_name)
{
    struct run *r;
    const char *name = c->name;

    while (*name == '/')
        name++;
    ALLOC_GROW(set->runs, set->n + 1, set->alloc);
    r = &set->runs[set->n++];
    memset(r, 0, sizeof(*r));
    r->name = xstrdup(*name ? name : root_name);
    r->dir = xstrdup(c->dir);
    r->metrics_path = xstrdup(c->path);
    r->format = c->format;
    r->extra = c->extra ? xstrdup(c->extra) : NULL;
    r->key = c->key ? xstrdup(c->key) : NULL;
    run_read_init(&r->read);
    run_analysis_init(&r->an);
}

/*
 * Two runs found in one folder may have been given the same name (two
 * formats each calling the folder's run by the folder's name): tell them
 * apart by the file each reads.
 */
static void distinct_names(struct candidates *cs)
{
    for (size_t i = 0; i < cs->n; i++) {
        bool clash = false;

        for (size_t j = 0; j < cs->n; j++)
            if (i != j && !strcmp(cs->c[i].name, cs->c[j].name))
                clash = true;
        if (clash) {
            const char *base = strrchr(cs->c[i].path, '/');
            char *name = xasprintf("%s/%s", cs->c[i].name,
                                   cs->c[i].key ? cs->c[i].key
                                   : base       ? base + 1
                                                : cs->c[i].path);

            free(cs->c[i].name);
            cs->c[i].name = name;
        }
    }
}

/*
 * A folder below the root that cannot be listed may hold runs: it is
 * listed in the report as a skipped run named after it, with the reason,
 * not only told on stderr.
 */
static void add_unreadable(struct run_set *set, const char *dir,
                           const char *rel, int err)
{
    struct run *r;

    ALLOC_GROW(set->runs, set->n + 1, set->alloc);
    r = &set->runs[set->n++];
    memset(r, 0, sizeof(*r));
    r->name = xstrdup(rel);
    r->dir = xstrdup(dir);
    r->metrics_path = xstrdup(dir);
    run_read_init(&r->read);
    run_analysis_init(&r->an);
    r->status = RUN_SKIPPED;
    r->reason = xasprintf("%s: cannot read folder: %s", dir, strerror(err));
}

/*
 * Walk dir (whose name below the root is rel, "" for the root). A folder
 * below the root that cannot be read becomes a skipped run and the walk
 * goes on: one unreadable folder must not hide the other runs.
 */
static int walk(struct run_set *set, const char *dir, const char *rel,
                const char *root_name)
{
    struct dir_list dl;
    struct candidates cs = {0, 0, NULL};

    if (dir_list_read(&dl, dir, rel)) {
        int err = errno;

        if (!*rel)
            return error("%s: cannot read folder: %s", dir, strerror(err));
        add_unreadable(set, dir, rel, err);
        return 0;
    }
    for (size_t f = 0; formats[f]; f++)
        formats[f]->scan(&dl, &cs);
    distinct_names(&cs);
    for (size_t i = 0; i < cs.n; i++)
        add_run(set, &cs.c[i], root_name);
    candidates_release(&cs);

    for (size_t i = 0; i < dl.n; i++) {
        char *path, *sub;

        if (!dl.e[i].is_dir || dl.e[i].claimed)
            continue;
        path = xasprintf("%s/%s", dir, dl.e[i].name);
        sub = *rel ? xasprintf("%s/%s", rel, dl.e[i].name)
                   : xstrdup(dl.e[i].name);
        walk(set, path, sub, root_name);
        free(path);
        free(sub);
    }
    dir_list_release(&dl);
    return 0;
}

static int cmp_run(const void *a, const void *b)
{
    const struct run *x = a, *y = b;
    int c = strcmp(x->name, y->name);

    return c ? c : strcmp(x->metrics_path, y->metrics_path);
}

int runs_find(struct run_set *set, const char *root)
{
    struct stat st;
    struct strbuf base = STRBUF_INIT;
    const char *slash;
    int ret;

    if (stat(root, &st))
        return error_errno("%s: cannot read", root);
    if (!S_ISDIR(st.st_mode))
        return error("%s: not a folder", root);
    set->root = xstrdup(root);

    /* A run at the root itself is named after the folder. */
    strbuf_addstr(&base, root);
    while (base.len > 1 && base.buf[base.len - 1] == '/')
        strbuf_setlen(&base, base.len - 1);
    slash = strrchr(base.buf, '/');
    ret = walk(set, root, "", slash && slash[1] ? slash + 1 : base.buf);
    strbuf_release(&base);
    if (set->n)
        qsort(set->runs, set->n, sizeof(*set->runs), cmp_run);

    /*
     * Names must be unique (they make the page slugs): a file run named
     * like a sub-folder run gets the next free "#N" suffix.
     */
    for (size_t i = 1; i < set->n; i++) {
        if (strcmp(set->runs[i].name, set->runs[i - 1].name))
            continue;
        for (unsigned k = 2;; k++) {
            char *name = xasprintf("%s#%u", set->runs[i - 1].name, k);
            bool taken = false;

            for (size_t j = 0; j < set->n; j++)
                if (!strcmp(set->runs[j].name, name))
                    taken = true;
            if (!taken) {
                free(set->runs[i].name);
                set->runs[i].name = name;
                break;
            }
            free(name);
        }
    }
    for (size_t i = 0; i < set->n; i++)
        set->runs[i].slug = slugify(set->runs[i].name);
    return ret;
}
