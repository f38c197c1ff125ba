/*
 * report.c - the driver: the one place that knows the order of the stages.
 *
 * The rule comes first (reportgen.yaml, then the command line). Then, for
 * each run in name order: read its config and its log, find the best
 * checkpoint under the rule, take its slice values there, diagnose, draw
 * its charts, keep a reduced copy of its held-out curve, and free the
 * series (with -j N, N runs at once: see process_runs()). Once every run
 * is read, the comparison judges them against the baseline, and the pages
 * are rendered from what was kept: one per run, the index, the
 * comparison, summary.json and summary.md. --single-file renders the same
 * pages again as the sections of one file; then the site (and that file)
 * is committed as a whole.
 */
#define _GNU_SOURCE /* memmem() */
#include "report.h"

#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "board.h"
#include "cache.h"
#include "changes.h"
#include "charts.h"
#include "compare.h"
#include "config.h"
#include "formats.h"
#include "heldout.h"
#include "html.h"
#include "metrics.h"
#include "runs.h"
#include "single.h"
#include "site.h"
#include "summary.h"
#include "strbuf.h"
#include "tmpl.h"
#include "util.h"
#include "banned.h"

/* Runs drawn besides the baseline on the comparison page's overlay. */
#define OVERLAY_TOP_N 8

/* Print a problem with one run; -q silences these, not fatal errors. */
static void tell(const struct options *opt, const char *msg)
{
    if (!opt->quiet)
        error("%s", msg);
}

/*
 * Apply the user's --map NAME=CANONICAL overrides to m: each renames the
 * column the log calls NAME (or that reportgen named NAME).
 */
static void apply_maps(struct metrics *m, const struct options *opt)
{
    for (size_t i = 0; i < opt->nmaps; i++) {
        size_t col = metrics_column_index(m, opt->maps[i].from);
        size_t clash = metrics_column_index(m, opt->maps[i].to);

        if (col == SIZE_MAX)
            continue;
        if (clash != SIZE_MAX && clash != col) {
            /* The name is taken: the other column goes back to its own. */
            const struct column *c = &m->cols[clash];
            char *back = xstrdup(c->orig ? c->orig : "unmapped");

            if (!strcmp(back, opt->maps[i].to)) {
                free(back);
                back = xasprintf("%s (unmapped)", opt->maps[i].to);
            }
            metrics_rename(m, clash, back);
            free(back);
        }
        metrics_rename(m, col, opt->maps[i].to);
    }
}

/* Does name end in suffix? */
/* Is c a held-out (held) or training loss under a name of its own? */
static bool loss_candidate(const struct column *c, bool held)
{
    bool max;
    enum heldout_kind k = heldout_kind(c->name, &max);

    return c->role == ROLE_OTHER && heldout_is_loss_name(c->name) &&
           (held ? k == HELDOUT_LOSS : k == HELDOUT_NONE);
}

/*
 * When the log has no column named canonical (train_loss or val_loss) and
 * exactly one loss of that kind under another name (train/nll_loss,
 * Loss, val/rmse_loss, ValLoss), read that one as canonical, with a note.
 * A per-step twin (NAME_step) gives way to its per-epoch aggregate; of
 * several, the one total (total_loss, the objective) is read. Otherwise
 * two candidates or more are ambiguous and nothing is renamed.
 */
static void map_unambiguous(struct metrics *m, const char *canonical, bool held)
{
    size_t pick = SIZE_MAX, n = 0, nstep = 0;

    if (metrics_find(m, canonical))
        return;
    for (int pass = 0; pass < 2 && n != 1; pass++) {
        n = nstep = 0;
        for (size_t i = 0; i < m->ncols; i++) {
            const struct column *c = &m->cols[i];

            if (!loss_candidate(c, held))
                continue;
            if (has_suffix(c->name, "_step")) {
                nstep++;
                if (pass == 1)
                    continue;
            }
            pick = i;
            n++;
        }
        if (!nstep)
            break;
    }
    if (n > 1) {
        /* Several terms and one total: the total is the objective. */
        size_t total = SIZE_MAX, ntotal = 0;

        for (size_t i = 0; i < m->ncols; i++) {
            if (loss_candidate(&m->cols[i], held) &&
                heldout_is_total_name(m->cols[i].name)) {
                total = i;
                ntotal++;
            }
        }
        if (ntotal != 1)
            return;
        metrics_note(m,
                     "'%s' is the total of the %zu %s losses logged: "
                     "read as %s",
                     m->cols[total].name, n, held ? "held-out" : "training",
                     canonical);
        metrics_rename(m, total, canonical);
        return;
    }
    if (n != 1)
        return;
    metrics_note(m, "'%s' is the only %s loss logged: read as %s",
                 m->cols[pick].name, held ? "held-out" : "training", canonical);
    metrics_rename(m, pick, canonical);
}

/*
 * The read stage: r's config and log, into r->read. Returns r's series,
 * or NULL when its log cannot be read: r is then skipped, saying why.
 */
static struct metrics *read_run(struct run *r, const struct options *opt)
{
    struct run_read *rd = &r->read;
    struct candidate cand;
    struct metrics *m;
    char *why = NULL;
    int cfg;

    run_candidate(r, &cand);

    cfg = r->format->config ? r->format->config(&cand, &rd->config, &why)
                            : config_load_dir(&rd->config, r->dir, &why);
    if (cfg) {
        rd->config_error = why;
        tell(opt, why);
        why = NULL;
    }
    m = r->format->read(&cand, &why);
    if (!m) {
        run_skip(r, why ? why : "cannot be read");
        tell(opt, r->reason);
        free(why);
        return NULL;
    }
    if (!m->format)
        m->format = r->format->label;
    apply_maps(m, opt);
    {
        /* A run's own max_grad_norm overrides the trainer's default. */
        const char *clip = config_get(&rd->config, "max_grad_norm");
        double v;

        if (clip && !parse_number(clip, &v) && isfinite(m->grad_clip))
            m->grad_clip = v > 0 ? v : NAN;
    }
    map_unambiguous(m, "train_loss", false);
    map_unambiguous(m, "val_loss", true);
    run_read_keep(rd, m);
    return m;
}

/* The rule a run is judged by, or with none, the default's metric. */
static const struct rule *rule_or_default(const struct run_analysis *an)
{
    static char no_metric[] = "val_loss";
    static const struct rule no_rule = {no_metric, false};

    return an->rule.metric ? &an->rule : &no_rule;
}

/*
 * The analysis stage: from a run's series m and its read part rd, into
 * an: the rule its best checkpoint is found by, that checkpoint, the
 * slices' values there, a reduced copy of the rule's curve and the
 * diagnosis. Returns the rule's column in m, or NULL when m has none.
 */
static const struct column *analyse_run(const struct run_read *rd,
                                        const struct metrics *m,
                                        const struct rules *rules,
                                        struct run_analysis *an)
{
    const struct column *col;
    const struct rule *rule;

    if (rules->chosen) {
        col = heldout_choose(m, &rd->config, &an->rule, &an->rule_why);
    } else {
        an->rule.metric = xstrdup(rules->select.metric);
        an->rule.maximize = rules->select.maximize;
        col = metrics_find(m, an->rule.metric);
    }
    rule = rule_or_default(an);
    if (col) {
        metrics_best(m, col, rule->maximize, &an->best);
        replay_run(m, col, rule->maximize, &an->replay);
        charts_keep_curve(an, m, col);
    }
    charts_keep_train(an, m);
    /* The slices the rule cares about, at the best checkpoint. */
    an->nslices = rules->nslices;
    an->slice_at_best =
        xcalloc(rules->nslices ? rules->nslices : 1, sizeof(double));
    for (size_t i = 0; i < rules->nslices; i++) {
        const struct column *sc = metrics_find(m, rules->slices[i].column);

        an->slice_at_best[i] = NAN;
        if (sc && an->best.found && metrics_present(sc, an->best.row))
            an->slice_at_best[i] = metrics_v(sc, an->best.row);
    }
    {
        /*
         * The thresholds of the rule (reportgen.yaml, then --threshold),
         * and the number of classes from the run's own config.
         */
        struct diag_options dopt;
        struct rule drule = {NULL, false};
        struct best dbest;
        const struct column *dcol;
        const char *dwhy;
        const char *nc = config_get(&rd->config, "num_classes");
        char *end;
        unsigned long v;

        diag_options_init(&dopt);
        dopt.t = rules->thresholds;
        if (nc) {
            v = strtoul(nc, &end, 10);
            if (end != nc && !*end && v >= 2 && v <= UINT_MAX)
                dopt.num_classes = (unsigned)v;
        }
        if ((dcol = heldout_preferred(m, &drule, &dwhy)) && dcol != col &&
            heldout_kind(dcol->name, &(bool){false}) == HELDOUT_LOSS) {
            /*
             * The diagnosis reads the held-out loss when the run logs
             * one (it moves before a score or an error rate does),
             * whatever metric chose the best checkpoint.
             */
            metrics_best(m, dcol, drule.maximize, &dbest);
            dopt.select_best = &an->best;
            diag_run(m, &drule, &dbest, &dopt, &an->diag);
        } else {
            diag_run(m, rule, &an->best, &dopt, &an->diag);
        }
        free(drule.metric);
    }
    return col;
}

/*
 * Read, analyse and draw one run; its page is rendered later, once the
 * comparison has judged it. A run read but without the rule's metric is
 * not comparable: its status and reason say so.
 */
static int process_run(struct site *site, struct run *r,
                       const struct options *opt, const struct rules *rules)
{
    struct metrics *m;
    const struct column *col;
    const struct rule *rule;
    int ret;

    m = read_run(r, opt);
    if (!m)
        return 0;
    col = analyse_run(&r->read, m, rules, &r->an);
    rule = rule_or_default(&r->an);
    if (!col || !r->an.best.found) {
        r->status = RUN_NOT_COMPARABLE;
        if (col)
            r->reason = xasprintf("%s: no finite value in column '%s'", m->path,
                                  rule->metric);
        else if (rules->chosen)
            r->reason = xasprintf("%s: no held-out metric (no column named "
                                  "as validation, evaluation or test "
                                  "results)",
                                  m->path);
        else
            r->reason = xasprintf("%s: no column '%s', which the rule "
                                  "%s:%s needs",
                                  m->path, rule->metric, rule->metric,
                                  rule->maximize ? "max" : "min");
        tell(opt, r->reason);
    }
    ret = charts_draw_run(site, r, m, rule, &r->drawn);
    metrics_free(m);
    return ret;
}

/*
 * One run, whole: a folder that could not be read is only told about
 * (runs_find() skipped it); a run whose inputs are unchanged since the
 * site was last written is restored from it (cache.h), saying again what
 * it said then; any other run is read, analysed and drawn. err is where
 * this thread's messages go (util_capture()).
 */
static int run_one(struct site *site, struct run_set *set, size_t i,
                   const struct options *opt, const struct rules *rules,
                   struct cache *cache, struct strbuf *err)
{
    struct run *r = &set->runs[i];
    size_t from = err->len;
    int ret;

    if (r->status == RUN_SKIPPED) {
        tell(opt, r->reason);
        return 0;
    }
    ret = cache_restore(cache, site, set, i, err);
    if (ret)
        return ret < 0 ? -1 : 0;
    cache_begin(cache, site, set, i);
    ret = process_run(site, r, opt, rules);
    cache_end(cache, site, set, i, err, from);
    return ret;
}

/*
 * Runs on several threads (-j). A run is independent of the others until
 * the comparison: its stages write only its own parts, and read only the
 * options and the rules, which nothing changes meanwhile. So workers take
 * the runs in name order and process each whole, keeping what it prints
 * (util_capture()) and the files it writes (site_fork()) to itself; the
 * main thread commits each run in name order: its messages to stderr, its
 * files to the site. Standard error and the site are then the same bytes
 * as with one thread, and only the main thread writes files, so the
 * signal handlers (site.c), which run there, never race a file being
 * created. Workers stay at most RUN_WINDOW runs per thread ahead of the
 * commit, which bounds the memory of finished runs waiting for a slow
 * one.
 *
 * What a worker calls is safe on several threads: libcsv, libyaml and
 * libplot's _r functions keep their state in objects made per run
 * (libplot's one shared table, of its plotters, has its own lock; its
 * SVG driver reads no clock and no mutable global); reportgen keeps no
 * mutable static state on the way (its messages go to a thread-local
 * buffer; errno is per thread; strerror() of a known errno is a constant
 * string; nothing sets the locale).
 *
 * The runs' pages are rendered the same way once the comparison is made
 * (write_pages()): a worker renders a page, or finds the old site's the
 * same, reading only the judged runs and the charts the main thread
 * wrote; the main thread writes the pages in name order. ctemplate's
 * template cache is parsed first (tmpl_load()) and frozen, and renders on
 * several threads, each page with its own dictionary.
 */
#define RUN_WINDOW 4

/*
 * A stage done run by run on the pool: job() does run i on any thread,
 * writing its files to out (a forked site on a worker) and its messages
 * to err; commit(), on the main thread in name order, follows it once its
 * messages and files are out. The same pool serves the runs (read,
 * analyse, draw) and their pages (render, once the comparison is made).
 */
struct stage {
    int (*job)(struct site *out, size_t i, void *ctx, struct strbuf *err);
    void (*commit)(struct site *site, size_t i, void *ctx);
    void *ctx;
    size_t n;
};

struct run_job {
    struct site site;  /* the run's files (site_fork()) */
    struct strbuf err; /* what it printed */
    int ret;
    bool done;
};

struct pool {
    pthread_mutex_t mu;
    pthread_cond_t cond; /* a run finished, or the window moved */
    const struct stage *stage;
    struct run_job *jobs;
    size_t next;  /* the next run to take */
    size_t limit; /* no run at or past limit may be taken yet */
    bool stop;
};

/*
 * Held by the main thread while it writes a run's files. A worker out of
 * memory takes it, for good, before removing the site being written, so
 * that no file is created in a folder being removed; it waits at most a
 * second, in case the main thread is stopped while holding it (out of
 * memory too, see util.c).
 */
static pthread_mutex_t write_mu = PTHREAD_MUTEX_INITIALIZER;
static _Thread_local bool is_worker;

static void pool_oom_cleanup(void)
{
    struct timespec until;

    if (is_worker && !clock_gettime(CLOCK_REALTIME, &until)) {
        until.tv_sec++;
        pthread_mutex_timedlock(&write_mu, &until);
    }
    site_abort_cleanup();
}

static void *worker(void *arg)
{
    struct pool *p = arg;

    is_worker = true;
    for (;;) {
        struct run_job *job;
        size_t i;

        pthread_mutex_lock(&p->mu);
        while (!p->stop && p->next < p->stage->n && p->next >= p->limit)
            pthread_cond_wait(&p->cond, &p->mu);
        if (p->stop || p->next >= p->stage->n) {
            pthread_mutex_unlock(&p->mu);
            return NULL;
        }
        i = p->next++;
        pthread_mutex_unlock(&p->mu);

        job = &p->jobs[i];
        util_capture(&job->err);
        job->ret = p->stage->job(&job->site, i, p->stage->ctx, &job->err);
        util_capture(NULL);

        pthread_mutex_lock(&p->mu);
        job->done = true;
        pthread_cond_broadcast(&p->cond);
        pthread_mutex_unlock(&p->mu);
    }
}

/* Start up to n workers on p; returns how many started. */
static size_t start_workers(struct pool *p, pthread_t *threads, size_t n)
{
    sigset_t block, old;
    size_t started = 0;

    /*
     * Workers never take SIGINT, SIGTERM or SIGHUP: the handler (site.c)
     * then runs on the main thread, the only one that writes files.
     */
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGTERM);
    sigaddset(&block, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &block, &old);
    while (started < n && !pthread_create(&threads[started], NULL, worker, p))
        started++;
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    return started;
}

/*
 * Do stage st for every run, on up to jobs threads. Returns 0, or -1 at
 * the first run that fails (after error()); runs after it are not done,
 * or their messages and files are dropped.
 */
static int run_stage(struct site *site, const struct stage *st, size_t jobs)
{
    size_t nthreads = jobs < st->n ? jobs : st->n, started = 0;
    pthread_t *threads = NULL;
    struct pool p;
    int ret = 0;

    memset(&p, 0, sizeof(p));
    if (nthreads > 1) {
        pthread_mutex_init(&p.mu, NULL);
        pthread_cond_init(&p.cond, NULL);
        p.stage = st;
        p.jobs = xcalloc(st->n, sizeof(*p.jobs));
        p.limit = nthreads * RUN_WINDOW;
        for (size_t i = 0; i < st->n; i++) {
            site_fork(&p.jobs[i].site);
            strbuf_init(&p.jobs[i].err, 0);
        }
        threads = xcalloc(nthreads, sizeof(*threads));
        util_oom_cleanup = pool_oom_cleanup;
        started = start_workers(&p, threads, nthreads);
    }
    if (!started) {
        /* One thread (-j 1, one run, or no thread to be had). */
        struct strbuf err = STRBUF_INIT;

        for (size_t i = 0; i < st->n && !ret; i++) {
            util_capture(&err);
            ret = st->job(site, i, st->ctx, &err);
            util_capture(NULL);
            if (err.len) {
                progress_clear(); /* a message starts a line of its own */
                fwrite(err.buf, 1, err.len, stderr);
                strbuf_reset(&err);
            }
            if (!ret)
                st->commit(site, i, st->ctx);
        }
        strbuf_release(&err);
    }
    for (size_t i = 0; started && i < st->n && !ret; i++) {
        struct run_job *job = &p.jobs[i];

        pthread_mutex_lock(&p.mu);
        while (!job->done)
            pthread_cond_wait(&p.cond, &p.mu);
        pthread_mutex_unlock(&p.mu);
        if (job->err.len) {
            progress_clear(); /* a message starts a line of its own */
            fwrite(job->err.buf, 1, job->err.len, stderr);
        }
        pthread_mutex_lock(&write_mu);
        if (job->ret || site_join(site, &job->site))
            ret = -1;
        pthread_mutex_unlock(&write_mu);
        if (!ret)
            st->commit(site, i, st->ctx);
        pthread_mutex_lock(&p.mu);
        p.stop = ret != 0;
        p.limit = i + 1 + nthreads * RUN_WINDOW;
        pthread_cond_broadcast(&p.cond);
        pthread_mutex_unlock(&p.mu);
    }
    for (size_t t = 0; t < started; t++)
        pthread_join(threads[t], NULL);
    if (nthreads > 1) {
        util_oom_cleanup = site_abort_cleanup;
        for (size_t i = 0; i < st->n; i++) {
            site_join(NULL, &p.jobs[i].site); /* runs after a failure */
            strbuf_release(&p.jobs[i].err);
        }
        free(threads);
        free(p.jobs);
        pthread_cond_destroy(&p.cond);
        pthread_mutex_destroy(&p.mu);
    }
    return ret;
}

struct runs_ctx {
    struct run_set *set;
    const struct options *opt;
    const struct rules *rules;
    struct cache *cache;
};

static int run_job(struct site *out, size_t i, void *ctx, struct strbuf *err)
{
    struct runs_ctx *rc = ctx;

    return run_one(out, rc->set, i, rc->opt, rc->rules, rc->cache, err);
}

/* Make what run i publishes relative to RUNS_DIR, once it is out. */
static void run_commit(struct site *site, size_t i, void *ctx)
{
    struct runs_ctx *rc = ctx;

    (void)site;
    run_make_relative(rc->set, &rc->set->runs[i]);
    progress("%zu of %zu runs read", i + 1, rc->set->n);
}

/* Process every run, on up to opt->jobs threads. */
static int process_runs(struct site *site, struct run_set *set,
                        const struct options *opt, const struct rules *rules,
                        struct cache *cache)
{
    struct runs_ctx rc = {set, opt, rules, cache};
    struct stage st = {run_job, run_commit, &rc, set->n};

    return run_stage(site, &st, opt->jobs);
}

/*
 * With no rule given, the report's rule is the held-out metric most runs
 * are judged by (each by its own, see heldout.h). A run judged by another
 * keeps its best checkpoint and diagnosis and is left out of the
 * comparison, saying so.
 */
static void choose_rule(struct run_set *set, struct rules *rules,
                        const struct options *opt)
{
    const struct rule **own = xcalloc(set->n ? set->n : 1, sizeof(*own));
    size_t nread = 0, count, pick;

    for (size_t i = 0; i < set->n; i++) {
        const struct run *r = &set->runs[i];

        nread += r->status != RUN_SKIPPED;
        if (r->status != RUN_SKIPPED && r->an.rule.metric)
            own[i] = &r->an.rule;
    }
    pick = heldout_most_shared(own, set->n, &count);
    free(rules->select.metric);
    if (pick == SIZE_MAX) {
        rules->select.metric = xstrdup("val_loss");
        rules->select.maximize = false;
        rules->chosen_why =
            xstrdup("no rule given, and no run logs a held-out metric: the "
                    "default");
        free(own);
        return;
    }
    rules->select.metric = xstrdup(own[pick]->metric);
    rules->select.maximize = own[pick]->maximize;
    {
        /* "the one run read is", "both runs read are", "all 5 runs read
         * are", "1 of the 5 runs read is", "3 of the 5 runs read are". */
        char *who = nread == 1 ? xstrdup("the one run read is")
                    : count < nread
                        ? xasprintf("%zu of the %zu runs read %s", count, nread,
                                    count == 1 ? "is" : "are")
                    : nread == 2 ? xstrdup("both runs read are")
                                 : xasprintf("all %zu runs read are", nread);

        /*
         * A run's page says it without the counts, which change with
         * every run added: the others' pages then stay as they were.
         */
        const char *how = nread == 1      ? "the one run read is"
                          : count < nread ? "the most runs read are"
                                          : "the runs read are";
#define CHOSEN_WHY                                                             \
    "no rule given: the held-out metric %s judged by, each by the metric its " \
    "logger chooses its best checkpoint by, else its held-out loss, then an "  \
    "error rate, then a score"

        rules->chosen_why = xasprintf(CHOSEN_WHY, who);
        rules->chosen_how = xasprintf(CHOSEN_WHY, how);
#undef CHOSEN_WHY
        free(who);
    }
    for (size_t i = 0; i < set->n; i++) {
        struct run *r = &set->runs[i];

        if (!own[i] || r->status != RUN_OK ||
            (r->an.rule.maximize == rules->select.maximize &&
             !strcmp(r->an.rule.metric, rules->select.metric)))
            continue;
        r->status = RUN_NOT_COMPARABLE;
        r->reason = xasprintf(
            "%s: best checkpoint by its own held-out metric, %s:%s (%s), "
            "not by the report's %s:%s: left out of the comparison",
            r->metrics_path, r->an.rule.metric,
            r->an.rule.maximize ? "max" : "min", r->an.rule_why,
            rules->select.metric, rules->select.maximize ? "max" : "min");
        tell(opt, r->reason);
    }
    free(own);
}

/* The thresholds --threshold gave replace those of reportgen.yaml. */
static void override_thresholds(struct diag_thresholds *t,
                                const struct options *opt)
{
    size_t row = 0;

#define OVERRIDE(kind, name, def, lo, hi, owner, doc)                          \
    if (opt->threshold_given[row++])                                           \
        t->name = opt->thresholds.name;
    DIAG_THRESHOLDS(OVERRIDE)
#undef OVERRIDE
}

/* The rule: defaults, then reportgen.yaml, then the command line. */
static int make_rules(struct rules *rules, const struct options *opt)
{
    char *why = NULL;

    rules_init(rules);
    if (rules_load(rules, opt->runs_dir, &why)) {
        error("%s", why);
        free(why);
        return -1;
    }
    if (rules->path) {
        char *rel = strip_root(opt->runs_dir, rules->path);

        free(rules->path);
        rules->path = rel;
    }
    if (opt->select.metric) {
        free(rules->select.metric);
        rules->select.metric = xstrdup(opt->select.metric);
        rules->select.maximize = opt->select.maximize;
    }
    /* No rule given: chosen from the runs once they are read. */
    rules->chosen = !rules->select.metric;
    if (opt->baseline) {
        free(rules->baseline);
        rules->baseline = xstrdup(opt->baseline);
    }
    if (opt->has_min_improvement)
        rules->min_improvement = opt->min_improvement;
    override_thresholds(&rules->thresholds, opt);
    for (size_t i = 0; i < opt->nslices; i++) {
        struct slice_rule *s = NULL;

        for (size_t k = 0; k < rules->nslices; k++)
            if (!strcmp(rules->slices[k].column, opt->slices[i].column))
                s = &rules->slices[k];
        if (!s) {
            rules->slices = xreallocarray(rules->slices, rules->nslices + 1,
                                          sizeof(*rules->slices));
            s = &rules->slices[rules->nslices++];
            s->column = xstrdup(opt->slices[i].column);
        }
        s->max_drop = opt->slices[i].max_drop;
    }
    for (size_t k = 0; k < rules->nslices; k++)
        rules->slices[k].maximize =
            slice_maximize(rules->slices[k].column, &rules->select);
    return 0;
}

static int write_page(struct site *site, const char *rel, struct strbuf *page)
{
    return site_write_buf(site, rel, page);
}

/*
 * Page from its render with stand-ins: each chart's stand-in (stand[k],
 * unique, as no value shown on a page can hold '<') replaced by chart k
 * as html_run() would have put it, from "<svg" on, through tmpl_set()'s
 * strbuf_add_text(). Returns 0, or -1 when a stand-in or a chart is not
 * as expected (a stand-in missing, or one left over): out is then to be
 * dropped, and the page rendered in full.
 */
static int splice_charts(const struct strbuf *page, const struct strbuf *stand,
                         const struct strbuf *svgs, size_t n,
                         struct strbuf *out)
{
    const size_t mlen = strlen(CACHE_STAND_IN_MARK);
    const char *at = page->buf, *end = page->buf + page->len, *hit;
    bool *placed = xcalloc(n ? n : 1, sizeof(*placed));
    size_t nplaced = 0;

    /* Each stand-in in the page is that of a chart not yet placed. */
    while ((hit = memmem(at, (size_t)(end - at), CACHE_STAND_IN_MARK, mlen))) {
        const char *svg = NULL;
        size_t k = 0;

        while (k < n && (placed[k] || stand[k].len > (size_t)(end - hit) ||
                         memcmp(hit, stand[k].buf, stand[k].len)))
            k++;
        if (k == n || !(svg = strstr(svgs[k].buf, "<svg")))
            break;
        placed[k] = true;
        nplaced++;
        strbuf_add(out, at, (size_t)(hit - at));
        strbuf_add_text(out, svg);
        at = hit + stand[k].len;
    }
    free(placed);
    if (hit || nplaced != n)
        return -1;
    strbuf_add(out, at, (size_t)(end - at));
    return 0;
}

/*
 * Take run i's page over from the old site when it would come out the
 * same (cache_page_reuse()): its key is the page rendered with stand-ins
 * for its charts. Returns 1 when taken over; 2 when the page, not taken
 * over, is in buf (the stand-ins replaced by the charts, read from
 * charts); 0 when it must be rendered; -1 after error().
 */
static int reuse_page(struct site *site, const struct run_set *set, size_t i,
                      const struct report_info *info, const char *rel,
                      struct cache *cache, const struct site *charts,
                      struct strbuf *buf)
{
    const struct run *r = &set->runs[i];
    struct report_info stand_info = *info;
    struct strbuf *stand, *svgs;
    uint64_t hash;
    int ret = 0;

    if (!cache->enabled)
        return 0;
    stand = xcalloc(r->drawn.ncharts ? r->drawn.ncharts : 1, sizeof(*stand));
    for (size_t k = 0; k < r->drawn.ncharts; k++) {
        char *chart = run_file_path(r, r->drawn.charts[k].file);

        strbuf_init(&stand[k], 0);
        if (!cache_chart_hash(cache, i, chart, &hash))
            ret = -2; /* not kept: rendered */
        else
            cache_svg_stand_in(&stand[k], hash);
        free(chart);
    }
    stand_info.chart_svgs = stand;
    if (!ret && !html_run(r, &stand_info, buf))
        ret = cache_page_reuse(cache, site, set, i, buf, rel);
    else
        ret = -2;
    if (!ret && (svgs = charts_read_svgs(charts, r, SIZE_MAX))) {
        struct strbuf page = STRBUF_INIT;

        if (!splice_charts(buf, stand, svgs, r->drawn.ncharts, &page)) {
            struct strbuf t = *buf;

            *buf = page;
            page = t;
            ret = 2;
        }
        strbuf_release(&page);
        charts_free_svgs(r, svgs);
    }
    if (ret != 2)
        strbuf_reset(buf);
    if (ret == -2)
        ret = 0;
    for (size_t k = 0; k < r->drawn.ncharts; k++)
        strbuf_release(&stand[k]);
    free(stand);
    return ret;
}

/* The comparison page's overlay chart, beside it at the site's root. */
#define OVERLAY_FILE "compare-curves.svg"

struct pages_ctx {
    const struct site *site; /* where the runs' charts were written */
    const struct run_set *set;
    const struct report_info *info;
    struct cache *cache;
    size_t npages, written;
};

/*
 * Run i's page into out: taken over from the old site when it would come
 * out the same, else rendered with its charts inline (read back from the
 * site being written, where the runs' stage put them).
 */
static int page_job(struct site *out, size_t i, void *ctx, struct strbuf *err)
{
    struct pages_ctx *pc = ctx;
    const struct run *r = &pc->set->runs[i];
    struct report_info page_info = *pc->info;
    struct strbuf buf = STRBUF_INIT, *svgs;
    char *rel;
    int bad;

    (void)err;
    if (r->status == RUN_SKIPPED)
        return 0;
    rel = run_page_path(r);
    bad =
        reuse_page(out, pc->set, i, &page_info, rel, pc->cache, pc->site, &buf);
    if (bad == 2) {
        bad = write_page(out, rel, &buf);
    } else if (!bad) {
        svgs = charts_read_svgs(pc->site, r, SIZE_MAX);
        page_info.chart_svgs = svgs;
        if (!svgs || html_run(r, &page_info, &buf) ||
            write_page(out, rel, &buf))
            bad = -1;
        charts_free_svgs(r, svgs);
    }
    free(rel);
    strbuf_release(&buf);
    if (bad < 0)
        return -1;
    cache_page_done(pc->cache, out, i);
    return 0;
}

static void page_commit(struct site *site, size_t i, void *ctx)
{
    struct pages_ctx *pc = ctx;

    (void)site;
    if (pc->set->runs[i].status != RUN_SKIPPED)
        progress("%zu of %zu run pages written", ++pc->written, pc->npages);
}

/*
 * Render every page and summary from the judged runs, and with single the
 * one-file report. The runs' pages are rendered on up to jobs threads.
 */
static int write_pages(struct site *site, const struct run_set *set,
                       const struct report_info *info, const char *site_url,
                       bool single, struct cache *cache, size_t jobs)
{
    struct strbuf buf = STRBUF_INIT, overlay_svg = STRBUF_INIT;
    struct report_info cmp_info = *info;
    struct sweep_chart *sweep_charts = NULL;
    size_t nsweep_charts = 0;
    const char *css;
    size_t css_len;
    bool overlay;
    int ret = -1;
    struct pages_ctx pc = {site, set, info, cache, 0, 0};
    struct stage st = {page_job, page_commit, &pc, set->n};

    for (size_t i = 0; i < set->n; i++)
        pc.npages += set->runs[i].status != RUN_SKIPPED;
    /* Parsed once here, before any thread renders. */
    if (tmpl_load() || run_stage(site, &st, jobs))
        goto out;
    if (charts_draw_overlay(site, set, info->cmp, &info->rules->select,
                            OVERLAY_TOP_N, OVERLAY_FILE, &overlay) ||
        (overlay && site_read(site, OVERLAY_FILE, &overlay_svg)))
        goto out;
    cmp_info.overlay_svg = overlay ? &overlay_svg : NULL;
    if (charts_draw_sweep(site, set, info->cmp, &info->rules->select,
                          &sweep_charts, &nsweep_charts))
        goto out;
    cmp_info.sweep_charts = sweep_charts;
    cmp_info.nsweep_charts = nsweep_charts;
    if (html_compare(set, &cmp_info, overlay ? OVERLAY_FILE : NULL, &buf) ||
        write_page(site, SITE_COMPARE, &buf) || html_index(set, info, &buf) ||
        write_page(site, SITE_INDEX, &buf))
        goto out;
    summary_json(set, info->rules, info->cmp, info->changes, &buf);
    if (write_page(site, SITE_SUMMARY_JSON, &buf))
        goto out;
    summary_md(set, info->rules, info->cmp, info->changes, site_url, &buf);
    if (write_page(site, SITE_SUMMARY_MD, &buf))
        goto out;
    css = tmpl_asset("style.css", &css_len);
    if (!css) {
        error("style.css is missing from the build");
        goto out;
    }
    ret = site_write(site, SITE_STYLE, css, css_len);
    if (!ret) {
        const char *js = tmpl_asset(SITE_SORT, &css_len);

        ret = js ? site_write(site, SITE_SORT, js, css_len)
                 : error("%s is missing from the build", SITE_SORT);
    }
    if (!ret && single)
        ret = single_write(site, set, &cmp_info, overlay ? OVERLAY_FILE : NULL);
out:
    charts_free_sweep(sweep_charts, nsweep_charts);
    strbuf_release(&buf);
    strbuf_release(&overlay_svg);
    return ret;
}

/*
 * What the report SITE_DIR holds now said, before the new one replaces
 * it (changes.h): read from its summary.json into prev. Returns true when
 * there is one to compare with; one that cannot be read is warned about
 * and left out, and the report is written all the same.
 */
static bool read_previous(const struct site *site, struct prev_report *prev,
                          const struct options *opt)
{
    struct strbuf sb = STRBUF_INIT;
    char *why = NULL, *path;
    int got = site_read_previous(site, SITE_SUMMARY_JSON, &sb);
    bool ok = false;

    if (got > 0) {
        path = xasprintf("%s/%s", opt->out_dir, SITE_SUMMARY_JSON);
        if (prev_report_parse(prev, sb.buf, sb.len, path, &why)) {
            warning("%s; the changes since the last report are left out", why);
            free(why);
            prev_report_release(prev);
        } else {
            ok = true;
        }
        free(path);
    } else if (got < 0) {
        warning("the changes since the last report are left out");
    }
    strbuf_release(&sb);
    return ok;
}

/*
 * read_previous() on a thread of its own, beside the runs (a 1,000-run
 * summary.json takes as long to parse as the runs take to restore), its
 * messages held until prev_join() prints them, so that they come at the
 * same point whatever -j is.
 */
struct prev_job {
    const struct site *site;
    const struct options *opt;
    struct prev_report *prev;
    struct strbuf err;
    bool have, started;
    pthread_t thread;
};

static void *prev_run(void *arg)
{
    struct prev_job *pj = arg;

    util_capture(&pj->err);
    pj->have = read_previous(pj->site, pj->prev, pj->opt);
    util_capture(NULL);
    return NULL;
}

static void prev_start(struct prev_job *pj, const struct site *site,
                       struct prev_report *prev, const struct options *opt)
{
    memset(pj, 0, sizeof(*pj));
    pj->site = site;
    pj->opt = opt;
    pj->prev = prev;
    strbuf_init(&pj->err, 0);
    pj->started =
        opt->jobs > 1 && !pthread_create(&pj->thread, NULL, prev_run, pj);
    if (!pj->started)
        prev_run(pj);
}

/* Wait for prev_start()'s work; print its messages. Returns its result. */
static bool prev_join(struct prev_job *pj)
{
    if (pj->started)
        pthread_join(pj->thread, NULL);
    pj->started = false;
    if (pj->err.len) {
        progress_clear();
        fwrite(pj->err.buf, 1, pj->err.len, stderr);
    }
    strbuf_release(&pj->err);
    return pj->have;
}

enum report_status report_build(const struct options *opt)
{
    struct rules rules;
    struct run_set set;
    struct site site;
    struct comparison cmp;
    struct report_info info;
    struct prev_report prev;
    struct changes changes;
    struct board board;
    struct cache cache;
    struct prev_job prev_job;
    bool have_prev = false;
    size_t nskipped = 0;
    enum report_status ret = REPORT_FAILED;

    /* A link out of RUNS_DIR must not publish a file from elsewhere. */
    if (!opt->follow_links && input_confine(opt->runs_dir))
        return REPORT_FAILED;
    if (make_rules(&rules, opt)) {
        input_confine(NULL);
        rules_release(&rules);
        return REPORT_FAILED;
    }
    run_set_init(&set);
    comparison_init(&cmp);
    prev_report_init(&prev);
    changes_init(&changes);
    memset(&board, 0, sizeof(board));
    memset(&site, 0, sizeof(site));
    memset(&cache, 0, sizeof(cache));
    if (runs_find(&set, opt->runs_dir))
        goto out;
    if (!set.n && !opt->quiet)
        warning("%s: no runs found", opt->runs_dir);

    /* With --single-file alone, the site is built in a scratch folder. */
    if (site_open(&site, opt->out_dir, opt->single_file))
        goto out;
    /* Out of memory from here on: remove the site being written. */
    util_oom_cleanup = site_abort_cleanup;
    /* The report being replaced, while it is still there. */
    prev_start(&prev_job, &site, &prev, opt);
    /* What the site remembers of its runs: unchanged ones are reused. */
    cache_open(&cache, &site, &set, opt, &rules, !opt->rebuild);

    if (process_runs(&site, &set, opt, &rules, &cache)) {
        prev_join(&prev_job);
        goto out;
    }
    have_prev = prev_join(&prev_job);
    for (size_t i = 0; i < set.n; i++)
        nskipped += set.runs[i].status == RUN_SKIPPED;
    if (rules.chosen)
        choose_rule(&set, &rules, opt);
    cmp_runs(&set, &rules, &cmp);
    if (rules.baseline && cmp.baseline == SIZE_MAX)
        error("baseline '%s' is not a run under %s; runs are judged by "
              "their diagnosis alone",
              rules.baseline, opt->runs_dir);

    memset(&info, 0, sizeof(info));
    info.rules = &rules;
    info.rule = &rules.select;
    info.cmp = &cmp;
    info.set = &set;
    info.version = PACKAGE_VERSION;
    board_build(&board, &set, &cmp, &rules.select);
    changes_find(&changes, have_prev ? &prev : NULL, &set, &rules, &cmp,
                 &board);
    info.changes = &changes;
    if (write_pages(&site, &set, &info, opt->site_url, opt->single_file != NULL,
                    &cache, opt->jobs) ||
        cache_write(&cache, &site, &set))
        goto out;
    if (site_commit(&site))
        goto out;
    progress_clear();
    if (!opt->quiet && nskipped)
        warning("%zu of %zu runs skipped; the report lists why", nskipped,
                set.n);
    ret = REPORT_WRITTEN;
    for (size_t i = 0; i < set.n; i++)
        if (opt->fail_on & (1u << cmp.v[i].decision))
            ret = REPORT_FAIL_ON;
out:
    progress_clear();
    util_oom_cleanup = NULL;
    input_confine(NULL);
    site_release(&site);
    cache_release(&cache);
    changes_release(&changes);
    board_release(&board);
    prev_report_release(&prev);
    comparison_release(&cmp);
    run_set_release(&set);
    rules_release(&rules);
    return ret;
}
