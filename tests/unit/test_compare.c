/*
 * test_compare.c - the rules file and every verdict path of cmp_runs(),
 * on run sets built by hand: only the summaries compare.c reads (name,
 * status, best checkpoint, slices at the best, config, diagnosis), no
 * series. The seed cases are here by name: QD03/QD07 (the best held-out
 * checkpoint decides, not the last epoch), QD08 (a slice vetoes an
 * average gain), 000 (one change at a time), and a seed group judged by
 * its mean against its spread.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "board.h"
#include "compare.h"
#include "config.h"
#include "diagnose.h"
#include "runs.h"
#include "strbuf.h"
#include "tap.h"
#include "util.h"

static const char *srcdir;

/* ---- Building run sets by hand ---- */

/*
 * Append a run named name with best value best (NaN: none) and the
 * config "k=v k=v ..." (NULL: no config file at all). Its diagnosis is
 * healthy, decision keep, until set_diag() says otherwise.
 */
static struct run *add_run(struct run_set *set, const char *name, double best,
                           const char *config)
{
    struct run *r;

    ALLOC_GROW(set->runs, set->n + 1, set->alloc);
    r = &set->runs[set->n++];
    memset(r, 0, sizeof(*r));
    r->name = xstrdup(name);
    r->status = RUN_OK;
    r->an.best.found = !isnan(best);
    r->an.best.value = best;
    r->an.best.x = 10;
    r->an.best.last_x = 20;
    r->an.best.last_value = best;
    config_init(&r->read.config);
    if (config) {
        char *copy = xstrdup(config), *p = copy;

        r->read.config.path = xstrdup("config.yaml");
        while (*p) {
            char *sp = strchr(p, ' '), *eq;

            if (sp)
                *sp = '\0';
            eq = strchr(p, '=');
            ALLOC_GROW(r->read.config.e, r->read.config.n + 1,
                       r->read.config.alloc);
            r->read.config.e[r->read.config.n].key =
                xstrndup(p, (size_t)(eq - p));
            r->read.config.e[r->read.config.n].value = xstrdup(eq + 1);
            r->read.config.n++;
            p = sp ? sp + 1 : p + strlen(p);
        }
        free(copy);
    }
    diagnosis_init(&r->an.diag);
    r->an.diag.f = xcalloc(1, sizeof(*r->an.diag.f));
    r->an.diag.n = 1;
    r->an.diag.f[0].code = DIAG_HEALTHY;
    r->an.diag.f[0].evidence = xstrdup("healthy");
    r->an.diag.decision = DECISION_KEEP;
    return r;
}

static void set_diag(struct run *r, enum diag_code code, enum decision d,
                     const char *action)
{
    r->an.diag.f[0].code = code;
    r->an.diag.decision = d;
    free(r->an.diag.action);
    r->an.diag.action = action ? xstrdup(action) : NULL;
}

static void set_slices(struct run *r, size_t n, const double *v)
{
    free(r->an.slice_at_best);
    r->an.slice_at_best = xcalloc(n, sizeof(double));
    memcpy(r->an.slice_at_best, v, n * sizeof(double));
    r->an.nslices = n;
}

/* A training loss falling from first to low over epochs 1-10. */
static void set_train(struct run *r, double first, double low)
{
    r->an.train_name = xstrdup("train_loss");
    r->an.ntrain = 10;
    r->an.train_x = xcalloc(10, sizeof(double));
    r->an.train_y = xcalloc(10, sizeof(double));
    for (size_t i = 0; i < 10; i++) {
        r->an.train_x[i] = (double)i + 1;
        r->an.train_y[i] = first + (low - first) * (double)i / 9;
    }
    r->read.xname = xstrdup("epoch");
}

static void skip_run(struct run *r, const char *reason)
{
    r->status = RUN_SKIPPED;
    r->reason = xstrdup(reason);
}

/* runs.c is not linked here: free what add_run() built. */
static void free_set(struct run_set *set)
{
    for (size_t i = 0; i < set->n; i++) {
        struct run *r = &set->runs[i];

        free(r->name);
        free(r->reason);
        config_release(&r->read.config);
        diagnosis_release(&r->an.diag);
        free(r->an.slice_at_best);
        free(r->an.train_name);
        free(r->an.train_x);
        free(r->an.train_y);
        free(r->read.xname);
        for (size_t k = 0; k < r->read.ncolumns; k++)
            free(r->read.columns[k].name);
        free(r->read.columns);
    }
    free(set->runs);
    memset(set, 0, sizeof(*set));
}

static void make_rules(struct rules *ru, const char *metric, bool maximize,
                       const char *baseline, double min_improvement)
{
    rules_init(ru);
    ru->select.metric = xstrdup(metric);
    ru->select.maximize = maximize;
    ru->baseline = baseline ? xstrdup(baseline) : NULL;
    ru->min_improvement = min_improvement;
}

static void add_slice(struct rules *ru, const char *column, double max_drop,
                      bool maximize)
{
    ru->slices =
        xreallocarray(ru->slices, ru->nslices + 1, sizeof(*ru->slices));
    ru->slices[ru->nslices].column = xstrdup(column);
    ru->slices[ru->nslices].max_drop = max_drop;
    ru->slices[ru->nslices].maximize = maximize;
    ru->nslices++;
}

/* The index of the run named name. */
static size_t idx(const struct run_set *set, const char *name)
{
    for (size_t i = 0; i < set->n; i++)
        if (!strcmp(set->runs[i].name, name))
            return i;
    return SIZE_MAX;
}

static const struct verdict *
verdict(const struct run_set *set, const struct comparison *c, const char *name)
{
    return &c->v[idx(set, name)];
}

static int has(const char *s, const char *sub, const char *name)
{
    int yes = s && strstr(s, sub);

    if (!ok(yes, name))
        printf("#   '%s' does not contain '%s'\n", s ? s : "(null)", sub);
    return yes;
}

static void is_decision(const struct run_set *set, const struct comparison *c,
                        const char *run, enum decision want)
{
    char *name = xasprintf("%s: %s", run, decision_name(want));
    const struct verdict *v = verdict(set, c, run);

    if (!is_str(decision_name(v->decision), decision_name(want), name))
        printf("#   why: %s\n", v->why ? v->why : "(null)");
    free(name);
}

/* The run names of c->order joined with spaces. */
static char *order_names(const struct run_set *set, const struct comparison *c)
{
    struct strbuf sb = STRBUF_INIT;

    for (size_t i = 0; i < c->n; i++)
        strbuf_addf(&sb, "%s%s", i ? " " : "", set->runs[c->order[i]].name);
    return strbuf_detach(&sb, NULL);
}

/* ---- The rules file ---- */

static char *rules_dir(const char *name)
{
    return xasprintf("%s/tests/unit/data/rules%s%s", srcdir, *name ? "/" : "",
                     name);
}

static void test_rules_good(void)
{
    struct rules ru;
    char *dir = rules_dir("good"), *why = NULL, *desc, *path;
    int ret;

    rules_init(&ru);
    ret = rules_load(&ru, dir, &why);
    is_int(ret, 0, "good rules file loads");
    is_str(why, NULL, "no message");
    is_str(ru.select.metric, "val_acc", "select metric");
    ok(ru.select.maximize, "select direction max");
    is_str(ru.baseline, "base", "baseline");
    is_double(ru.min_improvement, 0.005, 0, "min_improvement");
    is_int((long)ru.nslices, 3, "three slices");
    if (ru.nslices == 3) {
        is_str(ru.slices[0].column, "val_acc@night", "slice 0 column");
        is_double(ru.slices[0].max_drop, 0.01, 0, "slice 0 drop");
        ok(ru.slices[0].maximize, "slice of the rule's metric: rule's :max");
        ok(!ru.slices[1].maximize, "a loss slice is :min");
        is_str(ru.slices[2].column, "f1.eu@night",
               "a dotted column keeps everything after 'slices.'");
        ok(ru.slices[2].maximize, "an f1 slice is :max");
    }
    path = xasprintf("%s/reportgen.yaml", dir);
    is_str(ru.path, path, "path of the file read");
    desc = rules_describe(&ru, false);
    is_str(desc,
           "val_acc:max, baseline base, min improvement 0.005, "
           "val_acc@night may drop 0.01, val_loss@night may rise 0.02, "
           "f1.eu@night may drop 0.03",
           "rules_describe");
    free(desc);
    free(path);
    free(why);
    free(dir);
    rules_release(&ru);
}

static void test_rules_min(void)
{
    struct rules ru;
    char *dir = rules_dir("min_rule"), *why = NULL, *desc;

    rules_init(&ru);
    is_int(rules_load(&ru, dir, &why), 0, "min rule loads");
    ok(!ru.select.maximize, "val_loss:min");
    desc = rules_describe(&ru, false);
    is_str(desc,
           "val_loss:min, no baseline, min improvement 0, val_loss@night may "
           "rise 0.02, top1_acc@night may drop 0.01, wer@night may rise 0.05",
           "directions of slices under a :min rule");
    free(desc);
    free(why);
    free(dir);
    rules_release(&ru);
}

/* No file, or a file that names only some keys: the rest stays. */
static void test_rules_overlay(void)
{
    struct rules ru;
    char *dir = rules_dir(""), *why = NULL;

    make_rules(&ru, "val_loss", false, "keepme", 0.5);
    add_slice(&ru, "acc@x", 0.1, true);
    is_int(rules_load(&ru, dir, &why), 0, "no rules file: 0");
    ok(!why && !ru.path, "no rules file: no message, no path");
    is_str(ru.baseline, "keepme", "no rules file: baseline as it was");
    free(dir);

    dir = rules_dir("partial");
    is_int(rules_load(&ru, dir, &why), 0, "partial rules file loads");
    is_str(ru.select.metric, "val_loss", "select not in the file: kept");
    is_double(ru.min_improvement, 0.1, 0, "min_improvement from the file");
    is_str(ru.baseline, NULL, "'baseline: ~' means no baseline");
    is_int((long)ru.nslices, 1, "slices not in the file: kept");
    free(dir);
    rules_release(&ru);
}

static void bad_rules(const char *name, const char *want)
{
    struct rules ru;
    char *dir = rules_dir(name), *why = NULL;
    char *expect = xasprintf("%s/reportgen.yaml%s", dir, want);
    char *desc_before, *desc_after;
    int ret;

    make_rules(&ru, "val_loss", false, "keepme", 0.25);
    desc_before = rules_describe(&ru, false);
    ret = rules_load(&ru, dir, &why);
    is_int(ret, -1, name);
    is_str(why, expect, name);
    desc_after = rules_describe(&ru, false);
    is_str(desc_after, desc_before, "a bad file leaves the rules as they were");
    ok(!ru.path, "and records no path");
    free(desc_before);
    free(desc_after);
    free(expect);
    free(why);
    free(dir);
    rules_release(&ru);
}

/* "diagnose:" sets diagnosis thresholds; names it leaves out keep theirs. */
static void test_rules_thresholds(void)
{
    struct rules ru;
    struct diag_thresholds def;
    char *dir = rules_dir("thresholds"), *why = NULL;

    rules_init(&ru);
    diag_thresholds_init(&def);
    is_int(rules_load(&ru, dir, &why), 0, "thresholds: loads");
    is_double(ru.thresholds.jump_frac, 0.3, 0, "thresholds: jump_frac set");
    is_int((long)ru.thresholds.min_jumps, 3, "thresholds: min_jumps set");
    is_double(ru.thresholds.diverge_ratio, def.diverge_ratio, 0,
              "thresholds: others keep their defaults");
    free(why);
    free(dir);
    rules_release(&ru);
}

static void test_rules_bad(void)
{
    bad_rules("unknown_key", ": unknown key 'threshold' with value '0.1': "
                             "expected select, baseline, min_improvement, "
                             "slices or diagnose");
    {
        struct rules ru;
        char *dir = rules_dir("bad_threshold"), *why = NULL;

        rules_init(&ru);
        is_int(rules_load(&ru, dir, &why), -1, "bad_threshold");
        ok(why && strstr(why, "jump_frac"), "a bad threshold is named");
        free(why);
        free(dir);
        rules_release(&ru);
    }
    bad_rules("bad_select",
              ": bad select 'val_acc:up': expected METRIC:min or METRIC:max");
    bad_rules("no_select_metric",
              ": bad select ':max': expected METRIC:min or METRIC:max");
    bad_rules("negative",
              ": bad min_improvement '-0.01': expected a number >= 0");
    bad_rules("not_number",
              ": bad slices.val_acc@night 'lots': expected a number >= 0");
    bad_rules("bad_slices", ": bad slices 'val_acc@night': expected a "
                            "mapping of slice columns to largest allowed "
                            "drops");
    bad_rules("empty_baseline", ": bad baseline '': expected a run name");
    /* The YAML loader's own message, with its line. */
    bad_rules("syntax", ":3: did not find expected ',' or ']' (while "
                        "parsing a flow sequence at line 2)");
}

static void test_describe_empty(void)
{
    struct rules ru;
    char *desc;

    rules_init(&ru);
    desc = rules_describe(&ru, false);
    is_str(desc, "no selection rule, no baseline, min improvement 0",
           "rules_describe of empty rules");
    free(desc);
}

/* ---- Verdicts ---- */

#define CFG(extra) "data_version=v1 optimizer.lr=0.1 aug=weak seed=1 " extra

/*
 * One baseline and one run per verdict path, under val_acc:max with the
 * night slice allowed to drop 0.01.
 */
static void test_paths(void)
{
    struct run_set set;
    struct rules ru;
    struct comparison c;
    const struct verdict *v;
    struct run *r;
    char *order;
    static const double base_night[] = {0.85};

    memset(&set, 0, sizeof(set));
    make_rules(&ru, "val_acc", true, "base", 0.005);
    add_slice(&ru, "val_acc@night", 0.01, true);

    /* QD08: average up, night down 0.04: rolled back. */
    r = add_run(&set, "aug", 0.87,
                "data_version=v1 optimizer.lr=0.1 aug=strong seed=1");
    set_slices(r, 1, (const double[]){0.81});
    r = add_run(&set, "base", 0.85, CFG(""));
    set_slices(r, 1, base_night);
    /* Data of another version: not comparable. */
    r = add_run(&set, "dv2", 0.90,
                "data_version=v2 optimizer.lr=0.1 aug=weak seed=1");
    set_slices(r, 1, base_night);
    /* The night drop is 0.85 - 0.84, which is 0.01 plus rounding. */
    r = add_run(&set, "edge", 0.86,
                "data_version=v1 optimizer.lr=0.21 aug=weak seed=1");
    set_slices(r, 1, (const double[]){0.84});
    /* One change, a clear gain: kept. */
    r = add_run(&set, "lr", 0.86,
                "data_version=v1 optimizer.lr=0.2 aug=weak seed=1");
    set_slices(r, 1, (const double[]){0.845});
    /* Three settings and the seed changed: flagged, still kept. */
    r = add_run(&set, "many", 0.90,
                "data_version=v1 optimizer.lr=0.3 aug=none seed=2 "
                "opt=adam");
    set_slices(r, 1, (const double[]){0.86});
    r = add_run(&set, "nan", 0.90,
                "data_version=v1 optimizer.lr=0.5 aug=weak seed=1");
    set_slices(r, 1, base_night);
    set_diag(r, DIAG_NON_FINITE, DECISION_INVESTIGATE, NULL);
    r = add_run(&set, "nobest", NAN,
                "data_version=v1 optimizer.lr=0.6 aug=weak seed=1");
    r->status = RUN_NOT_COMPARABLE;
    r->reason = xstrdup("m.csv: no column 'val_acc'");
    r = add_run(&set, "noslice", 0.90,
                "data_version=v1 optimizer.lr=0.25 aug=weak seed=1");
    set_slices(r, 1, (const double[]){NAN});
    r = add_run(&set, "overfit", 0.90,
                "data_version=v1 optimizer.lr=0.4 aug=weak seed=1");
    set_slices(r, 1, base_night);
    set_diag(r, DIAG_OVERFITTING, DECISION_TUNE, "double the weight decay");
    /*
     * Skipped after its best was found, with the settings of "lr" but the
     * seed: still out of groups and at the end of the order.
     */
    r = add_run(&set, "skipped", 0.95,
                "data_version=v1 optimizer.lr=0.2 aug=weak seed=9");
    set_slices(r, 1, base_night);
    skip_run(r, "s.csv:3: bad number 'x'");
    r = add_run(&set, "small", 0.853,
                "data_version=v1 optimizer.lr=0.15 aug=weak seed=1");
    set_slices(r, 1, base_night);
    r = add_run(&set, "worse", 0.80,
                "data_version=v1 optimizer.lr=0.05 aug=weak seed=1");
    set_slices(r, 1, base_night);

    comparison_init(&c);
    cmp_runs(&set, &ru, &c);
    is_int((long)c.baseline, (long)idx(&set, "base"), "baseline found");
    is_int((long)c.n, (long)set.n, "one verdict per run");

    is_decision(&set, &c, "base", DECISION_KEEP);
    v = verdict(&set, &c, "base");
    is_double(v->delta, 0, 0, "baseline delta 0");
    is_int((long)v->nchanged, 0, "baseline changed nothing");

    is_decision(&set, &c, "aug", DECISION_ROLLBACK);
    v = verdict(&set, &c, "aug");
    is_int((long)v->nregress, 1, "aug: one slice regression");
    if (v->nregress == 1) {
        is_str(v->regress[0], "val_acc@night", "aug: the slice named");
        is_str(v->regress_evidence[0],
               "val_acc@night 0.81 vs 0.85 at the best checkpoints: a drop "
               "of 0.04 > 0.01",
               "aug: the evidence");
    }
    is_str(v->why,
           "slice val_acc@night regressed (val_acc@night 0.81 vs 0.85 at "
           "the best checkpoints: a drop of 0.04 > 0.01), even though "
           "val_acc 0.87 beats the baseline's 0.85 by 0.02",
           "aug: why names the slice, the numbers and the average gain");
    is_double(v->delta, 0.02, 1e-12, "aug: delta");
    is_int((long)v->nchanged, 1, "aug: one setting changed");

    is_decision(&set, &c, "dv2", DECISION_INVESTIGATE);
    has(verdict(&set, &c, "dv2")->why,
        "not comparable: data_version is 'v2' here but 'v1' in the baseline",
        "dv2: why names the data version");

    is_decision(&set, &c, "edge", DECISION_KEEP);
    is_int((long)verdict(&set, &c, "edge")->nregress, 0,
           "edge: a drop of exactly the allowed 0.01 is no regression");

    is_decision(&set, &c, "lr", DECISION_KEEP);
    v = verdict(&set, &c, "lr");
    is_int((long)v->nchanged, 1, "lr: one setting changed");
    if (v->nchanged == 1)
        is_str(v->changed[0], "optimizer.lr", "lr: the key");
    is_str(v->why,
           "val_acc 0.86 beats the baseline's 0.85 by 0.01, more than the min "
           "improvement 0.005, with no slice beyond its allowed drop",
           "lr: why");

    /*
     * A clear gain, but three settings changed at once: which one made it
     * cannot be told, so it is not one change to keep.
     */
    is_decision(&set, &c, "many", DECISION_TUNE);
    v = verdict(&set, &c, "many");
    ok(v->unattributed && v->overruled, "many: unattributed, overruled");
    is_str(v->why,
           "promising: val_acc 0.9 beats the baseline's 0.85 by 0.05, but "
           "3 settings changed (aug, opt, optimizer.lr), so the effect "
           "cannot be attributed to any one of them: re-run with one "
           "change at a time",
           "many: why says the gain cannot be attributed, once");
    is_str(v->first_check,
           "which of the 3 settings changed from the baseline 'base' (aug, "
           "opt, optimizer.lr) made the gain",
           "many: the first check names the settings");
    has(v->action, "one of them changed at a time (aug, opt, optimizer.lr)",
        "many: the action splits the change");
    has(v->success,
        "beats the baseline's 0.85 by more than the min "
        "improvement",
        "many: success is a change that beats the baseline");
    is_int((long)v->nchanged, 3, "many: 3 keys changed, seed aside");
    if (v->nchanged == 3) {
        is_str(v->changed[0], "aug", "many: sorted 0");
        is_str(v->changed[1], "opt", "many: sorted 1 (only in the run)");
        is_str(v->changed[2], "optimizer.lr", "many: sorted 2");
    }

    is_decision(&set, &c, "nan", DECISION_INVESTIGATE);
    has(verdict(&set, &c, "nan")->why, "non-finite", "nan: why");

    is_decision(&set, &c, "nobest", DECISION_INVESTIGATE);
    is_str(verdict(&set, &c, "nobest")->why,
           "not comparable: m.csv: no column 'val_acc'", "nobest: why");
    ok(isnan(verdict(&set, &c, "nobest")->delta), "nobest: delta NaN");

    is_decision(&set, &c, "noslice", DECISION_INVESTIGATE);
    is_str(verdict(&set, &c, "noslice")->why,
           "not comparable: slice column 'val_acc@night' is missing at the "
           "best checkpoint",
           "noslice: why");

    is_decision(&set, &c, "overfit", DECISION_TUNE);
    has(verdict(&set, &c, "overfit")->why,
        "promising: val_acc 0.9 beats the baseline's 0.85 by 0.05, but the "
        "diagnosis overfitting says what to change: double the weight decay",
        "overfit: why");

    is_decision(&set, &c, "skipped", DECISION_INVESTIGATE);
    is_str(verdict(&set, &c, "skipped")->why,
           "skipped: s.csv:3: bad number 'x'", "skipped: why");
    ok(!verdict(&set, &c, "skipped")->group, "skipped: no group");

    is_decision(&set, &c, "small", DECISION_TUNE);
    has(verdict(&set, &c, "small")->why,
        "not more than the min improvement 0.005", "small: why");

    is_decision(&set, &c, "worse", DECISION_ROLLBACK);
    has(verdict(&set, &c, "worse")->why,
        "val_acc 0.8 is worse than the baseline's 0.85 by 0.05", "worse: why");

    is_int((long)c.ngroups, 0, "no seed group here");
    order = order_names(&set, &c);
    is_str(order,
           "dv2 many nan noslice overfit aug edge lr small base worse "
           "nobest skipped",
           "order: best first, ties by name, no best last");
    free(order);

    comparison_release(&c);
    free_set(&set);
    rules_release(&ru);
}

/*
 * QD03/QD07: A ends with a better last value (and, say, a lower final
 * training loss), B has the best held-out checkpoint. B wins.
 */
static void test_best_checkpoint(void)
{
    struct run_set set;
    struct rules ru;
    struct comparison c;
    struct run *r;
    char *order;

    memset(&set, 0, sizeof(set));
    make_rules(&ru, "val_acc", true, "base", 0.005);
    r = add_run(&set, "a", 0.84, "lr=0.2");
    r->an.best.x = 25;
    r->an.best.last_value = 0.84;
    r = add_run(&set, "b", 0.88, "lr=0.3");
    r->an.best.x = 7;
    r->an.best.last_value = 0.80; /* drifted down after epoch 7 */
    add_run(&set, "base", 0.85, "lr=0.1");

    comparison_init(&c);
    cmp_runs(&set, &ru, &c);
    order = order_names(&set, &c);
    is_str(order, "b base a", "QD07: ranked by the best checkpoint");
    is_decision(&set, &c, "b", DECISION_KEEP);
    is_decision(&set, &c, "a", DECISION_ROLLBACK);
    is_double(verdict(&set, &c, "b")->delta, 0.03, 1e-12,
              "QD07: delta at the best checkpoints, not the last");
    free(order);
    comparison_release(&c);
    free_set(&set);
    rules_release(&ru);
}

/* A :min rule and a :min slice: a rise is the regression. */
static void test_min_direction(void)
{
    struct run_set set;
    struct rules ru;
    struct comparison c;
    const struct verdict *v;
    struct run *r;
    char *order;

    memset(&set, 0, sizeof(set));
    make_rules(&ru, "val_loss", false, "base", 0.01);
    add_slice(&ru, "val_loss@night", 0.01, false);
    r = add_run(&set, "base", 0.50, "lr=0.1");
    set_slices(r, 1, (const double[]){0.25});
    /* 0.26 - 0.25 is 0.01 plus rounding: allowed. */
    r = add_run(&set, "edge", 0.45, "lr=0.2");
    set_slices(r, 1, (const double[]){0.26});
    r = add_run(&set, "fall", 0.45, "lr=0.3");
    set_slices(r, 1, (const double[]){0.20});
    r = add_run(&set, "rise", 0.45, "lr=0.4");
    set_slices(r, 1, (const double[]){0.27});
    r = add_run(&set, "worse", 0.55, "lr=0.5");
    set_slices(r, 1, (const double[]){0.25});

    comparison_init(&c);
    cmp_runs(&set, &ru, &c);
    is_decision(&set, &c, "edge", DECISION_KEEP);
    is_decision(&set, &c, "fall", DECISION_KEEP);
    is_decision(&set, &c, "rise", DECISION_ROLLBACK);
    v = verdict(&set, &c, "rise");
    if (is_int((long)v->nregress, 1, "rise: one regression"))
        is_str(v->regress_evidence[0],
               "val_loss@night 0.27 vs 0.25 at the best checkpoints: a rise "
               "of 0.02 > 0.01",
               "rise: evidence says rise");
    is_decision(&set, &c, "worse", DECISION_ROLLBACK);
    has(verdict(&set, &c, "worse")->why, "is worse than", "worse: why");
    order = order_names(&set, &c);
    is_str(order, "edge fall rise base worse", "order under :min");
    free(order);
    comparison_release(&c);
    free_set(&set);
    rules_release(&ru);
}

/*
 * Seed groups: "wd" has a spread (0.03) larger than its gain (0.02): not
 * kept, even its lucky 0.90 seed. "do" beats the baseline by more than
 * its spread: every member is kept, the unlucky 0.84 seed too, because
 * the group is judged, not a seed.
 */
static void test_seed_groups(void)
{
    struct run_set set;
    struct rules ru;
    struct comparison c;
    const struct seed_group *g;

    memset(&set, 0, sizeof(set));
    make_rules(&ru, "val_acc", true, "base", 0.005);
    add_run(&set, "base", 0.85, "lr=0.1 seed=0");
    add_run(&set, "do-s1", 0.90, "lr=0.1 dropout=0.3 seed=1");
    add_run(&set, "do-s2", 0.90, "lr=0.1 dropout=0.3 seed=2");
    add_run(&set, "do-s3", 0.90, "lr=0.1 dropout=0.3 seed=3");
    add_run(&set, "do-s4", 0.90, "lr=0.1 dropout=0.3 seed=4");
    add_run(&set, "do-s5", 0.90, "lr=0.1 dropout=0.3 seed=5");
    add_run(&set, "do-s6", 0.84, "lr=0.1 dropout=0.3 seed=6");
    add_run(&set, "wd-s1", 0.90, "lr=0.1 wd=0.01 seed=1");
    add_run(&set, "wd-s2", 0.84, "lr=0.1 wd=0.01 seed=2");
    add_run(&set, "wd-s3", 0.87, "lr=0.1 wd=0.01 trainer.seed=3");

    comparison_init(&c);
    cmp_runs(&set, &ru, &c);
    is_int((long)c.ngroups, 2, "two seed groups");
    if (c.ngroups == 2) {
        g = &c.groups[0];
        is_str(g->name, "do", "group name: common prefix cut at '-'");
        is_int((long)g->n, 6, "do: 6 members");
        is_double(g->mean, 0.89, 1e-12, "do: mean");
        is_double(g->spread, sqrt(0.003 / 5), 1e-12, "do: sample std");
        g = &c.groups[1];
        is_str(g->name, "wd", "wd: name");
        is_int((long)g->n, 3, "wd: 3 members (any *.seed is a seed)");
        is_double(g->mean, 0.87, 1e-12, "wd: mean");
        is_double(g->spread, 0.03, 1e-12, "wd: spread");
    }
    is_decision(&set, &c, "wd-s1", DECISION_TUNE);
    is_decision(&set, &c, "wd-s2", DECISION_TUNE);
    is_decision(&set, &c, "wd-s3", DECISION_TUNE);
    has(verdict(&set, &c, "wd-s1")->why, "within seed noise (spread 0.03)",
        "wd: why says the gain is within seed noise");
    is_str(verdict(&set, &c, "wd-s1")->group, "wd", "wd-s1: group");
    is_decision(&set, &c, "do-s1", DECISION_KEEP);
    is_decision(&set, &c, "do-s6", DECISION_KEEP);
    has(verdict(&set, &c, "do-s6")->why, "group 'do' mean val_acc 0.89",
        "do-s6: judged by the group mean");
    is_decision(&set, &c, "base", DECISION_KEEP);
    ok(!verdict(&set, &c, "base")->group, "base: in no group");
    comparison_release(&c);
    free_set(&set);
    rules_release(&ru);
}

/*
 * The baseline in a seed group: its replicates stand with it, and every
 * other run is measured against the group's mean and must beat its
 * spread, so a lucky baseline seed does not decide.
 */
static void test_baseline_group(void)
{
    struct run_set set;
    struct rules ru;
    struct comparison c;
    struct run *r;

    memset(&set, 0, sizeof(set));
    make_rules(&ru, "val_acc", true, "base", 0.001);
    add_run(&set, "base", 0.86, "lr=0.1 seed=1");
    r = add_run(&set, "base-s2", 0.84, "lr=0.1 seed=2");
    add_run(&set, "lr2", 0.855, "lr=0.2 seed=1");
    add_run(&set, "lr3", 0.87, "lr=0.3 seed=1");

    comparison_init(&c);
    cmp_runs(&set, &ru, &c);
    is_int((long)c.ngroups, 1, "the baseline's group");
    if (c.ngroups)
        is_str(c.groups[0].name, "base", "its name: 'base' and 'base-s2'");
    is_decision(&set, &c, "base", DECISION_KEEP);
    is_decision(&set, &c, "base-s2", DECISION_KEEP);
    has(verdict(&set, &c, "base-s2")->why, "a seed replicate of the baseline",
        "base-s2: a replicate");
    is_double(verdict(&set, &c, "base-s2")->delta, -0.02, 1e-12,
              "base-s2: delta against the baseline run");
    is_decision(&set, &c, "lr2", DECISION_TUNE);
    has(verdict(&set, &c, "lr2")->why,
        "the baseline group 'base' mean 0.85 (2 seeds, spread 0.0141421)",
        "lr2: against the baseline group's mean");
    is_decision(&set, &c, "lr3", DECISION_KEEP);
    comparison_release(&c);

    /* A replicate's diagnosis still speaks. */
    set_diag(r, DIAG_PLATEAU, DECISION_TUNE, "decay the learning rate");
    cmp_runs(&set, &ru, &c);
    is_decision(&set, &c, "base-s2", DECISION_TUNE);
    comparison_release(&c);
    free_set(&set);
    rules_release(&ru);
}

/* The baseline's own diagnosis decides its verdict. */
static void test_baseline_diag(void)
{
    struct run_set set;
    struct rules ru;
    struct comparison c;
    struct run *r;

    memset(&set, 0, sizeof(set));
    make_rules(&ru, "val_acc", true, "base", 0.005);
    r = add_run(&set, "base", 0.85, "lr=0.1");
    set_diag(r, DIAG_OVERFITTING, DECISION_TUNE, "add weight decay");
    add_run(&set, "lr", 0.90, "lr=0.2");
    comparison_init(&c);
    cmp_runs(&set, &ru, &c);
    is_decision(&set, &c, "base", DECISION_TUNE);
    has(verdict(&set, &c, "base")->why, "its diagnosis overfitting says tune",
        "base: why");
    is_decision(&set, &c, "lr", DECISION_KEEP);
    comparison_release(&c);
    free_set(&set);
    rules_release(&ru);
}

/*
 * No run of that name: a leaderboard under the rule. The best comparable
 * run is the reference and is kept; a clearly worse run is rolled back.
 */
static void test_baseline_missing(void)
{
    struct run_set set;
    struct rules ru;
    struct comparison c;
    struct run *r;

    memset(&set, 0, sizeof(set));
    make_rules(&ru, "val_acc", true, "gone", 0.005);
    add_run(&set, "a", 0.80, "lr=0.1");
    r = add_run(&set, "b", 0.90, "lr=0.2");
    set_diag(r, DIAG_STILL_IMPROVING, DECISION_TUNE, "train longer");
    r = add_run(&set, "c", NAN, NULL);
    skip_run(r, "c.csv: cannot read");
    r = add_run(&set, "d", 0.98, "lr=0.3");
    set_diag(r, DIAG_SUSPECTED_LEAKAGE, DECISION_INVESTIGATE, "dedup");

    comparison_init(&c);
    cmp_runs(&set, &ru, &c);
    ok(c.baseline == SIZE_MAX, "missing baseline: SIZE_MAX");
    ok(c.reference && c.reference[0] == 1,
       "the best run that need not be investigated is the reference");
    is_decision(&set, &c, "b", DECISION_KEEP);
    has(verdict(&set, &c, "b")->action, "train longer",
        "b: the reference's next change is its diagnosis' change");
    is_decision(&set, &c, "a", DECISION_ROLLBACK);
    has(verdict(&set, &c, "a")->why, "do not adopt its settings",
        "a: clearly worse is not adopted");
    ok(verdict(&set, &c, "a")->outranked && !verdict(&set, &c, "d")->outranked,
       "a: rolled back for being behind the reference, so outranked");
    is_decision(&set, &c, "c", DECISION_INVESTIGATE);
    is_decision(&set, &c, "d", DECISION_INVESTIGATE);
    ok(isnan(verdict(&set, &c, "a")->delta), "a: delta NaN");
    has(c.rule_text, "leaderboard", "the rule is said in one sentence");
    comparison_release(&c);

    /* No baseline named at all: the same. */
    free(ru.baseline);
    ru.baseline = NULL;
    cmp_runs(&set, &ru, &c);
    ok(c.baseline == SIZE_MAX, "no baseline named: SIZE_MAX");
    is_decision(&set, &c, "b", DECISION_KEEP);
    comparison_release(&c);
    free_set(&set);
    rules_release(&ru);
}

/*
 * Runs of different folders are not known to share a task: each folder is
 * its own leaderboard, and a run alone in its folder keeps its
 * diagnosis' decision.
 */
static void test_folders(void)
{
    struct run_set set;
    struct rules ru;
    struct comparison c;
    struct run *r;

    memset(&set, 0, sizeof(set));
    make_rules(&ru, "val_loss", false, NULL, 0.005);
    add_run(&set, "p1/a", 0.5, NULL);
    add_run(&set, "p1/b", 0.9, NULL);
    r = add_run(&set, "p2/c", 1.3, NULL);
    set_diag(r, DIAG_UNDERFITTING, DECISION_TUNE, "raise the lr");
    add_run(&set, "p3/d", 0.1, NULL);
    comparison_init(&c);
    cmp_runs(&set, &ru, &c);
    is_decision(&set, &c, "p1/a", DECISION_KEEP);
    is_decision(&set, &c, "p1/b", DECISION_ROLLBACK);
    is_decision(&set, &c, "p2/c", DECISION_TUNE);
    has(verdict(&set, &c, "p2/c")->why, "no comparable run of its folder",
        "p2/c: alone in its folder, its diagnosis decides");
    is_decision(&set, &c, "p3/d", DECISION_KEEP);
    /* With no baseline, no kept run is told to compare against one. */
    has(verdict(&set, &c, "p3/d")->first_check,
        "there is no baseline and no comparable run of its folder",
        "p3/d: alone, its first check says there is nothing to compare");
    has(verdict(&set, &c, "p1/a")->first_check, "it is the reference",
        "p1/a: the reference's first check says it is the reference");
    {
        static char metric[] = "val_loss";
        const struct rule rule = {metric, false};
        struct board b;
        char *head;

        board_build(&b, &set, &c, &rule);
        ok(b.kept == idx(&set, "p1/a") && b.ref == idx(&set, "p1/b"),
           "headline: p3/d's lower val_loss, of another folder, does not "
           "outrank p1/a; the runner-up is of p1/a's own leaderboard");
        ok(b.order[0] == idx(&set, "p1/a") && b.order[1] == idx(&set, "p3/d"),
           "headline: the run it names is first in the order");
        head = board_headline(&b, &set, &c, &rule);
        has(head,
            "No one run to keep for all 4 runs: a run is compared only "
            "with the runs of its folder that log the same columns, and 2 "
            "runs are kept, each the best of its own leaderboard or judged "
            "alone. On the largest leaderboard (2 runs), keep p1/a at x 10 "
            "(val_loss 0.5): 0.4 lower than the runner-up p1/b (0.9).",
            "headline: no one run kept across leaderboards");
        has(head,
            "1 other run is worse than the kept run by more than the min "
            "improvement: rollback, do not adopt its settings. 1 of 4 runs "
            "needs action (tune).",
            "headline: the outranked run counted apart from the one to tune");
        free(head);
        board_release(&b);
    }
    {
        const char *bad = NULL;

        for (size_t i = 0; i < c.n; i++)
            if (c.v[i].first_check && strstr(c.v[i].first_check, "baseline") &&
                !strstr(c.v[i].first_check, "there is no baseline"))
                bad = c.v[i].first_check;
        if (!ok(!bad, "no first check names a baseline there is not"))
            printf("#   '%s'\n", bad);
    }
    comparison_release(&c);
    free_set(&set);
    rules_release(&ru);
}

/* Give r the columns named in names (space-separated). */
static void set_columns(struct run *r, const char *names)
{
    char *copy = xstrdup(names), *save = NULL;

    for (char *t = strtok_r(copy, " ", &save); t;
         t = strtok_r(NULL, " ", &save)) {
        r->read.columns = xreallocarray(r->read.columns, r->read.ncolumns + 1,
                                        sizeof(*r->read.columns));
        r->read.columns[r->read.ncolumns].name = xstrdup(t);
        r->read.columns[r->read.ncolumns++].orig = NULL;
    }
    free(copy);
}

/*
 * The runs of one folder that log the same columns, in any order, are one
 * leaderboard; other columns make another. A run that logs a name twice
 * is compared pair by pair (same_board()).
 */
static void test_boards(void)
{
    struct run_set set;
    struct rules ru;
    struct comparison c;

    for (int dup = 0; dup < 2; dup++) {
        memset(&set, 0, sizeof(set));
        make_rules(&ru, "val_loss", false, NULL, 0.005);
        set_columns(add_run(&set, "q/a", 0.5, NULL), "val_loss lr");
        set_columns(add_run(&set, "q/b", 0.6, NULL), "lr val_loss");
        set_columns(add_run(&set, "q/c", 0.4, NULL), "val_loss acc");
        set_columns(add_run(&set, "q/d", 0.7, NULL), "acc val_loss");
        if (dup)
            set_columns(add_run(&set, "q/e", 0.3, NULL), "val_loss val_loss");
        comparison_init(&c);
        cmp_runs(&set, &ru, &c);
        /*
         * e's names are all among a's (and c's), and as many: pair by
         * pair, e is on their boards, but none of them is on e's.
         */
        ok(c.reference && c.reference[0] == (dup ? 4 : 0) &&
               c.reference[1] == c.reference[0],
           dup ? "a name twice: a and b led by e"
               : "columns in any order: one board, led by a");
        ok(c.reference && c.reference[2] == (dup ? 4 : 2) &&
               c.reference[3] == c.reference[2],
           dup ? "a name twice: c and d led by e"
               : "other columns: another board, led by c");
        if (dup)
            ok(c.reference && c.reference[4] == SIZE_MAX,
               "a name twice: no peer on its own board");
        comparison_release(&c);
        free_set(&set);
        rules_release(&ru);
    }
}

/*
 * A generated sweep of 200 runs with no baseline: 14 underfitting runs
 * near 1.32 (their diagnosis alone would keep them), 5 best runs near
 * 0.135 of which 4 are within the min improvement of the best, and the
 * rest in between. Only the best run is kept, the four near it tie, and
 * no underfitting run is kept.
 */
static void test_sweep_leaderboard(void)
{
    struct run_set set;
    struct rules ru;
    struct comparison c;
    size_t kept = 0, tied = 0, under_kept = 0, under_back = 0;

    memset(&set, 0, sizeof(set));
    make_rules(&ru, "val_loss", false, NULL, 0.005);
    for (int i = 0; i < 200; i++) {
        char name[32], cfg[64];
        double v;
        struct run *r;

        snprintf(name, sizeof(name), "sweep-%03d", i);
        snprintf(cfg, sizeof(cfg), "lr=%d wd=%d", i % 20, i / 20);
        if (i < 14)
            v = 1.32 + 0.001 * i;
        else if (i < 19)
            v = 0.135 + 0.001 * (i - 14);
        else
            v = 0.3 + 0.003 * i;
        r = add_run(&set, name, v, cfg);
        if (i >= 14 && i < 19)
            set_diag(r, DIAG_STILL_IMPROVING, DECISION_TUNE, "train longer");
    }
    comparison_init(&c);
    cmp_runs(&set, &ru, &c);
    for (int i = 0; i < 200; i++) {
        enum decision d = c.v[i].decision;

        kept += d == DECISION_KEEP;
        tied += d == DECISION_TUNE;
        under_kept += i < 14 && d == DECISION_KEEP;
        under_back += i < 14 && d == DECISION_ROLLBACK;
    }
    is_int((long)kept, 1, "sweep: one run kept");
    ok(c.reference && c.reference[0] == 14 && c.v[14].decision == DECISION_KEEP,
       "sweep: the best run is the reference and is kept");
    is_int((long)tied, 4, "sweep: the four within the min improvement tie");
    is_int((long)under_kept, 0, "sweep: no underfitting run is kept");
    is_int((long)under_back, 14, "sweep: every underfitting run rolls back");
    has(c.v[15].why, "separates", "sweep: a tie names what separates it");
    comparison_release(&c);
    free_set(&set);
    rules_release(&ru);
}

/*
 * A worse run whose training loss never came near the reference's in the
 * same budget underfits relative to it; the verdict says so with both
 * numbers. Not for a better run, a small ratio, a gap of nothing (both
 * fit their data), or leaderboard runs of configs with other keys.
 */
static void test_relative_fit(void)
{
    static const char want[] =
        "underfitting relative to the baseline: its lowest train_loss, 0.5 "
        "at epoch 10, is 5 times the lowest the baseline reached by epoch "
        "10, 0.1 at epoch 10";
    struct run_set set;
    struct rules ru;
    struct comparison c;

    memset(&set, 0, sizeof(set));
    make_rules(&ru, "val_loss", false, "base", 0.005);
    set_train(add_run(&set, "base", 0.40, "lr=0.1"), 1.0, 0.1);
    set_train(add_run(&set, "narrow", 0.50, "lr=0.01"), 1.0, 0.5);
    set_train(add_run(&set, "close", 0.45, "lr=0.05"), 1.0, 0.12);
    set_train(add_run(&set, "better", 0.30, "lr=0.2"), 1.0, 0.5);
    comparison_init(&c);
    cmp_runs(&set, &ru, &c);
    has(verdict(&set, &c, "narrow")->why, want,
        "relative fit: both lows, the ratio and where");
    ok(!strstr(verdict(&set, &c, "close")->why, "relative"),
       "relative fit: not at 1.2 times");
    ok(!strstr(verdict(&set, &c, "better")->why, "relative"),
       "relative fit: not for a better run");
    comparison_release(&c);
    free_set(&set);
    rules_release(&ru);

    /* Both fit their data: 0.005 against 0.001 of a start of 1. */
    make_rules(&ru, "val_loss", false, "base", 0.005);
    set_train(add_run(&set, "base", 0.40, "lr=0.1"), 1.0, 0.001);
    set_train(add_run(&set, "narrow", 0.50, "lr=0.01"), 1.0, 0.005);
    comparison_init(&c);
    cmp_runs(&set, &ru, &c);
    ok(!strstr(verdict(&set, &c, "narrow")->why, "relative"),
       "relative fit: not when the gap is nothing");
    comparison_release(&c);
    free_set(&set);
    rules_release(&ru);

    /* A leaderboard: the same keys (a sweep), then other keys. */
    make_rules(&ru, "val_loss", false, NULL, 0.005);
    set_train(add_run(&set, "s/a", 0.40, "lr=0.1 wd=0"), 1.0, 0.1);
    set_train(add_run(&set, "s/b", 0.50, "lr=0.01 wd=0"), 1.0, 0.5);
    set_train(add_run(&set, "s/c", 0.50, "depth=3"), 1.0, 0.5);
    comparison_init(&c);
    cmp_runs(&set, &ru, &c);
    has(verdict(&set, &c, "s/b")->why, "underfitting relative to the reference",
        "relative fit: a sweep's runs on a leaderboard");
    ok(!strstr(verdict(&set, &c, "s/c")->why, "relative"),
       "relative fit: not against a config of other keys");
    comparison_release(&c);
    free_set(&set);
    rules_release(&ru);
}

/*
 * A run judged by its own held-out metric is only left out of the
 * comparison: its diagnosis decides, and a kept one is not the run the
 * headline keeps under the report's rule.
 */
static void test_own_metric(void)
{
    struct run_set set;
    struct rules ru;
    struct comparison c;
    struct board b;
    struct run *r;
    size_t own, tuned;
    static char metric[] = "val_loss";
    const struct rule rule = {metric, false};

    memset(&set, 0, sizeof(set));
    make_rules(&ru, "val_loss", false, NULL, 0.005);
    r = add_run(&set, "det", 31, NULL);
    r->status = RUN_NOT_COMPARABLE;
    r->reason = xstrdup("det/metrics.json: best checkpoint by its own held-out "
                        "metric, bbox/AP:max: left out of the comparison");
    r->an.rule.metric = xstrdup("bbox/AP");
    r->an.rule.maximize = true;
    r = add_run(&set, "det2", 30, NULL);
    r->status = RUN_NOT_COMPARABLE;
    r->reason = xstrdup("det2: its own metric");
    r->an.rule.metric = xstrdup("bbox/AP");
    r->an.rule.maximize = true;
    set_diag(r, DIAG_STILL_IMPROVING, DECISION_TUNE, "train longer");
    set_diag(add_run(&set, "cls", 0.4, NULL), DIAG_NON_FINITE,
             DECISION_INVESTIGATE, "lower the learning rate");
    comparison_init(&c);
    cmp_runs(&set, &ru, &c);
    own = idx(&set, "det");
    tuned = idx(&set, "det2");
    is_decision(&set, &c, "det", DECISION_KEEP);
    has(c.v[own].why,
        "left out of the comparison; judged alone, the "
        "diagnosis healthy decides",
        "own metric: the reason says it was judged alone");
    has(c.v[own].first_check, "judged by its own metric",
        "own metric: kept against nothing of this report");
    is_decision(&set, &c, "det2", DECISION_TUNE);
    has(c.v[tuned].action ? c.v[tuned].action : "", "train longer",
        "own metric: its diagnosis' change");
    board_build(&b, &set, &c, &rule);
    ok(b.kept == SIZE_MAX, "own metric: the headline keeps no run of "
                           "another metric");
    board_release(&b);
    comparison_release(&c);
    for (size_t i = 0; i < set.n; i++)
        free(set.runs[i].an.rule.metric);
    free_set(&set);
    rules_release(&ru);
}

/* Runs kept alone, each in its own folder: none is named the one to keep. */
static void test_kept_alone(void)
{
    static char metric[] = "val_loss";
    const struct rule rule = {metric, false};
    struct run_set set;
    struct rules ru;
    struct comparison c;
    struct board b;
    char *head;

    memset(&set, 0, sizeof(set));
    make_rules(&ru, "val_loss", false, NULL, 0.005);
    add_run(&set, "q1/a", 0.3, NULL);
    add_run(&set, "q2/b", 0.2, NULL);
    comparison_init(&c);
    cmp_runs(&set, &ru, &c);
    is_decision(&set, &c, "q1/a", DECISION_KEEP);
    is_decision(&set, &c, "q2/b", DECISION_KEEP);
    board_build(&b, &set, &c, &rule);
    ok(b.kept == SIZE_MAX && b.nkept == 2,
       "kept alone: no run named when every kept run is alone");
    head = board_headline(&b, &set, &c, &rule);
    is_str(head,
           "No one run to keep for all 2 runs: a run is compared only with "
           "the runs of its folder that log the same columns, and none of "
           "the 2 runs kept has such a peer (each is judged alone). No run "
           "needs action.",
           "kept alone: the headline says why no run is named");
    free(head);
    board_release(&b);
    comparison_release(&c);
    free_set(&set);
    rules_release(&ru);
}

/*
 * One leaderboard whose best run has seed replicates, kept with it: the
 * headline names one run to keep, not several leaderboards, and its
 * margin is over the best run of other settings, not over a replicate.
 */
static void test_kept_replicates(void)
{
    static char metric[] = "val_loss";
    const struct rule rule = {metric, false};
    struct run_set set;
    struct rules ru;
    struct comparison c;
    struct board b;
    char *head;

    memset(&set, 0, sizeof(set));
    make_rules(&ru, "val_loss", false, NULL, 0);
    add_run(&set, "r/a-s1", 0.300, "lr=0.1 seed=1");
    add_run(&set, "r/a-s2", 0.301, "lr=0.1 seed=2");
    add_run(&set, "r/a-s3", 0.302, "lr=0.1 seed=3");
    add_run(&set, "r/b-s1", 0.310, "lr=0.2 seed=1");
    add_run(&set, "r/c-s1", 0.500, "lr=0.3 seed=1");
    comparison_init(&c);
    cmp_runs(&set, &ru, &c);
    is_decision(&set, &c, "r/a-s1", DECISION_KEEP);
    is_decision(&set, &c, "r/a-s2", DECISION_KEEP);
    board_build(&b, &set, &c, &rule);
    ok(b.nkept == 0 && b.kept == idx(&set, "r/a-s1") &&
           b.ref == idx(&set, "r/b-s1"),
       "replicates: one run to keep; the runner-up is of other settings");
    head = board_headline(&b, &set, &c, &rule);
    has(head,
        "Keep r/a-s1 at x 10 (val_loss 0.3): 0.01 lower than the "
        "runner-up r/b-s1 (0.31).",
        "replicates: the headline names the kept run and its margin");
    ok(!strstr(head, "No one run to keep"),
       "replicates: no talk of several leaderboards");
    free(head);
    board_release(&b);
    comparison_release(&c);
    free_set(&set);
    rules_release(&ru);
}

/* Other ways not to be comparable, and nesting of data keys. */
static void test_not_comparable(void)
{
    struct run_set set;
    struct rules ru;
    struct comparison c;
    struct run *r;

    memset(&set, 0, sizeof(set));
    make_rules(&ru, "val_acc", true, "base", 0.005);
    add_slice(&ru, "val_acc@night", 0.01, true);
    r = add_run(&set, "base", 0.85, "data.split=a dataset.version=3 lr=0.1");
    set_slices(r, 1, (const double[]){0.85});
    r = add_run(&set, "split", 0.90, "data.split=b dataset.version=3 lr=0.1");
    set_slices(r, 1, (const double[]){0.85});
    r = add_run(&set, "version", 0.90, "data.split=a lr=0.1");
    set_slices(r, 1, (const double[]){0.85});
    r = add_run(&set, "inf", 0.90, "data.split=a dataset.version=3 lr=0.2");
    set_slices(r, 1, (const double[]){INFINITY});
    r = add_run(&set, "noconfig", 0.90, NULL);
    set_slices(r, 1, (const double[]){0.85});
    comparison_init(&c);
    cmp_runs(&set, &ru, &c);
    is_decision(&set, &c, "split", DECISION_INVESTIGATE);
    has(verdict(&set, &c, "split")->why, "data.split is 'b' here but 'a'",
        "split: nested split");
    is_decision(&set, &c, "version", DECISION_INVESTIGATE);
    has(verdict(&set, &c, "version")->why,
        "dataset.version is '(unset)' here but '3'",
        "version: a data key only the baseline has");
    is_decision(&set, &c, "inf", DECISION_INVESTIGATE);
    has(verdict(&set, &c, "inf")->why, "is not finite", "inf: why");
    is_decision(&set, &c, "noconfig", DECISION_KEEP);
    has(verdict(&set, &c, "noconfig")->why,
        "settings not compared: this run has no config",
        "noconfig: why says its settings are unknown");
    comparison_release(&c);

    /* The baseline lacks the slice: nobody can be compared on it. */
    set.runs[idx(&set, "base")].an.slice_at_best[0] = NAN;
    cmp_runs(&set, &ru, &c);
    is_decision(&set, &c, "base", DECISION_INVESTIGATE);
    is_decision(&set, &c, "noconfig", DECISION_INVESTIGATE);
    has(verdict(&set, &c, "noconfig")->why,
        "the baseline 'base' has no finite value of slice column",
        "noconfig: the baseline's slice is missing");
    comparison_release(&c);
    free_set(&set);
    rules_release(&ru);
}

/* The remaining branches: the diagnosis' other say, slices without gain. */
static void test_more_paths(void)
{
    struct run_set set;
    struct rules ru;
    struct comparison c;
    const struct verdict *v;
    struct run *r;

    memset(&set, 0, sizeof(set));
    make_rules(&ru, "val_acc", true, "base", 0.005);
    add_slice(&ru, "val_acc@night", 0.01, true);
    r = add_run(&set, "base", 0.85, "lr=0.1 a=0 b=0 c=0 d=0 e=0 f=0");
    set_slices(r, 1, (const double[]){0.85});
    /* Seven keys changed: the why names five. */
    r = add_run(&set, "seven", 0.90, "lr=0.2 a=1 b=1 c=1 d=1 e=1 f=1");
    set_slices(r, 1, (const double[]){0.85});
    /* A repeated key: the last one counts, as for config_get(). */
    r = add_run(&set, "dup", 0.90, "lr=0.5 lr=0.3 a=0 b=0 c=0 d=0 e=0 f=0");
    set_slices(r, 1, (const double[]){0.85});
    r = add_run(&set, "few", 0.90, "lr=0.4 a=0 b=0 c=0 d=0 e=0 f=0");
    set_slices(r, 1, (const double[]){0.85});
    set_diag(r, DIAG_NEED_MORE_SIGNALS, DECISION_INVESTIGATE, NULL);
    r = add_run(&set, "roll", 0.90, "lr=0.5 a=0 b=0 c=0 d=0 e=0 f=0");
    set_slices(r, 1, (const double[]){0.85});
    set_diag(r, DIAG_HEALTHY, DECISION_ROLLBACK, NULL);
    r = add_run(&set, "slow", 0.852, "lr=0.6 a=0 b=0 c=0 d=0 e=0 f=0");
    set_slices(r, 1, (const double[]){0.85});
    set_diag(r, DIAG_PLATEAU, DECISION_TUNE, "decay the learning rate");
    r = add_run(&set, "both", 0.84, "lr=0.7 a=0 b=0 c=0 d=0 e=0 f=0");
    set_slices(r, 1, (const double[]){0.70});

    comparison_init(&c);
    cmp_runs(&set, &ru, &c);
    v = verdict(&set, &c, "seven");
    is_int((long)v->nchanged, 7, "seven: 7 keys");
    has(v->why, "7 settings changed (a, b, c, d, e, ...), so the effect",
        "seven: the why names five and says there are more");
    v = verdict(&set, &c, "dup");
    if (is_int((long)v->nchanged, 1, "dup: one key, counted once"))
        is_str(v->changed[0], "lr", "dup: lr");
    is_decision(&set, &c, "few", DECISION_INVESTIGATE);
    has(verdict(&set, &c, "few")->why,
        "the diagnosis need_more_signals asks to investigate", "few: why");
    is_decision(&set, &c, "roll", DECISION_ROLLBACK);
    has(verdict(&set, &c, "roll")->why, "says rollback", "roll: why");
    is_decision(&set, &c, "slow", DECISION_TUNE);
    has(verdict(&set, &c, "slow")->why,
        "not more than the min improvement 0.005; the diagnosis plateau "
        "also asks for a change",
        "slow: both reasons");
    is_decision(&set, &c, "both", DECISION_ROLLBACK);
    has(verdict(&set, &c, "both")->why,
        "a drop of 0.15 > 0.01), and val_acc 0.84 does not beat the "
        "baseline's 0.85",
        "both: the slice first, then the average");
    comparison_release(&c);
    free_set(&set);
    rules_release(&ru);
}

/* Group names: cut at separators, first member's name, made unique. */
static void test_group_names(void)
{
    struct run_set set;
    struct rules ru;
    struct comparison c;

    memset(&set, 0, sizeof(set));
    make_rules(&ru, "val_acc", true, NULL, 0);
    add_run(&set, "s1", 0.8, "a=1 seed=1");
    add_run(&set, "s2", 0.8, "a=1 seed=2");
    add_run(&set, "sweep/lr0.1-s1", 0.8, "a=2 seed=1");
    add_run(&set, "sweep/lr0.1-s2", 0.8, "a=2 seed=2");
    add_run(&set, "x-1", 0.8, "a=3 seed=1");
    add_run(&set, "x-2", 0.8, "a=3 seed=2");
    add_run(&set, "x/1", 0.8, "a=4 seed=1");
    add_run(&set, "x/2", 0.8, "a=4 seed=2");
    add_run(&set, "y1", 0.8, NULL);
    add_run(&set, "y2", 0.8, NULL);
    comparison_init(&c);
    cmp_runs(&set, &ru, &c);
    if (is_int((long)c.ngroups, 4,
               "four groups (runs without config "
               "never group)")) {
        is_str(c.groups[0].name, "s1", "no common prefix: first name");
        is_str(c.groups[1].name, "sweep/lr0.1", "cut at a separator");
        is_str(c.groups[2].name, "x", "x");
        is_str(c.groups[3].name, "x (2)", "made unique");
        is_double(c.groups[0].spread, 0, 0, "equal values: spread 0");
    }
    comparison_release(&c);
    free_set(&set);
    rules_release(&ru);
}

static void test_empty(void)
{
    struct run_set set;
    struct rules ru;
    struct comparison c;

    memset(&set, 0, sizeof(set));
    make_rules(&ru, "val_acc", true, "base", 0);
    comparison_init(&c);
    cmp_runs(&set, &ru, &c);
    ok(c.n == 0 && c.ngroups == 0 && c.baseline == SIZE_MAX,
       "no runs: an empty comparison");
    comparison_release(&c);
    rules_release(&ru);
}

/*
 * The settings that vary (sweep.h): set by two runs or more with two
 * values or more, numbers compared as numbers, seeds and a skipped run's
 * config left out, labels never shown, at most SWEEP_MAX_SHOWN, ranked
 * by how many runs set them, then by their distinct values.
 */
static void test_varying_settings(void)
{
    struct run_set set = {NULL, 0, 0, NULL};
    struct rules rules;
    struct comparison c;
    const struct sweep *sw = &c.sweep;

    rules_init(&rules);
    rules.select.metric = xstrdup("val_loss");
    add_run(&set, "s/a", 0.5,
            "lr=1e-3 bs=64 seed=1 name=a wd=0 opt=adam only=x p=1 q=1 r=1");
    add_run(&set, "s/b", 0.4,
            "lr=0.001 bs=64 seed=2 name=b wd=0.1 opt=sgd p=2 q=2 r=2");
    add_run(&set, "s/c", 0.3,
            "lr=1e-2 bs=64 seed=3 name=c wd=0.1 opt=sgd p=3 q=3 r=3 u=1");
    add_run(&set, "s/d", NAN, "lr=1e-1 bs=32 seed=4 name=d u=2");
    skip_run(add_run(&set, "s/e", NAN, "bs=16 lr=5"), "unreadable");
    comparison_init(&c);
    cmp_runs(&set, &rules, &c);

    is_int((long)sw->nkeys, 6, "sweep: 6 settings shown");
    ok(sw->nkeys == 6 && !strcmp(sw->keys[0].key, "lr") &&
           !strcmp(sw->keys[1].key, "bs"),
       "sweep: set by every run first, most distinct values first");
    ok(sw->nkeys && sw->keys[0].numeric && sw->keys[0].ndistinct == 3 &&
           sw->keys[0].nset == 4,
       "sweep: 1e-3 and 0.001 are one value of lr");
    ok(sw->nkeys > 1 && sw->keys[1].ndistinct == 2,
       "sweep: a skipped run's bs=16 is not read");
    ok(sw->nkeys && sw->keys[0].value[3] &&
           !strcmp(sw->keys[0].value[3], "1e-1") && !sw->keys[0].value[4] &&
           sw->keys[0].num[1] == 0.001,
       "sweep: values as written, NULL for a skipped run, numbers parsed");
    {
        bool seed = false, only = false, name_shown = false, name_more = false;

        for (size_t k = 0; k < sw->nkeys; k++) {
            seed |= !strcmp(sw->keys[k].key, "seed");
            only |= !strcmp(sw->keys[k].key, "only");
            name_shown |= !strcmp(sw->keys[k].key, "name");
        }
        for (size_t k = 0; k < sw->nmore; k++) {
            seed |= !strcmp(sw->more[k], "seed");
            only |= !strcmp(sw->more[k], "only");
            name_more |= !strcmp(sw->more[k], "name");
        }
        ok(!seed, "sweep: the seed is not a setting that varies");
        ok(!only, "sweep: a setting of one run does not vary");
        ok(!name_shown && name_more, "sweep: a label is named, never shown");
    }
    is_int((long)sw->nmore, 3, "sweep: the rest counted (wd, u, name)");
    comparison_release(&c);
    rules_release(&rules);
    free_set(&set);
}

int main(void)
{
    srcdir = getenv("srcdir");
    if (!srcdir || !*srcdir)
        srcdir = ".";
    plan(253);
    test_rules_good();
    test_rules_min();
    test_rules_overlay();
    test_rules_bad();
    test_rules_thresholds();
    test_describe_empty();
    test_paths();
    test_best_checkpoint();
    test_min_direction();
    test_seed_groups();
    test_baseline_group();
    test_baseline_diag();
    test_baseline_missing();
    test_sweep_leaderboard();
    test_relative_fit();
    test_own_metric();
    test_folders();
    test_boards();
    test_kept_alone();
    test_kept_replicates();
    test_not_comparable();
    test_more_paths();
    test_group_names();
    test_empty();
    test_varying_settings();
    return done();
}
