/*
 * test_readers_table.c - the readers of table-like and one-file-per-metric
 * formats (Ultralytics, W&B exports, CatBoost, DVCLive, MLflow, plain CSV)
 * against the fixtures in tests/unit/data/<format>/: what each scan
 * claims, what each read gives (names, x, values, notes) and the exact
 * message of every refusal.
 *
 * A folder is scanned as runs.c does (dir_list_read()), then handed to one
 * format's scan() (or several, in formats[] order, to check that claimed
 * entries are left alone).
 */
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "formats.h"
#include "metrics.h"
#include "series.h"
#include "tap.h"
#include "util.h"

/* A value no fixture holds: what the accessors return for "no such". */
#define NONE (-999.0)

static const char *srcdir;

/* A folder listed for scanning, and what the scans made of it. */
struct scanned {
    char *path, *rel;
    struct dir_list dl;
    struct candidates cs;
};

/*
 * List tests/unit/data/<sub> (named rel below RUNS_DIR) and run the given
 * scans (NULL-terminated) over it.
 */
static void scan_with(struct scanned *s, const char *sub, const char *rel,
                      const struct format *const *fs)
{
    memset(s, 0, sizeof(*s));
    s->path = xasprintf("%s/tests/unit/data/%s", srcdir, sub);
    s->rel = xstrdup(rel);
    dir_list_read(&s->dl, s->path, s->rel);
    for (size_t i = 0; fs[i]; i++)
        fs[i]->scan(&s->dl, &s->cs);
}

static void scan_one(struct scanned *s, const char *sub, const char *rel,
                     const struct format *f)
{
    const struct format *fs[2] = {f, NULL};

    scan_with(s, sub, rel, fs);
}

static void scanned_release(struct scanned *s)
{
    candidates_release(&s->cs);
    dir_list_release(&s->dl);
    free(s->path);
    free(s->rel);
}

static bool claimed(struct scanned *s, const char *name)
{
    struct dir_entry *e = dir_list_find(&s->dl, name);

    return e && e->claimed;
}

static const struct candidate *cand(const struct scanned *s, size_t i)
{
    return i < s->cs.n ? &s->cs.c[i] : NULL;
}

/* True when s ends with suffix. */
static bool ends(const char *s, const char *suffix)
{
    size_t n = s ? strlen(s) : 0, k = strlen(suffix);

    return s && n >= k && !strcmp(s + n - k, suffix);
}

/* Read candidate i of s; prints the message when it fails. */
static struct metrics *read_ok(const struct scanned *s, size_t i,
                               const char *name)
{
    const struct candidate *c = cand(s, i);
    char *why = NULL;
    struct metrics *m = c ? c->format->read(c, &why) : NULL;

    if (!ok(m && !why, name))
        printf("#   %s\n", why ? why : "(no candidate or no message)");
    free(why);
    return m;
}

/*
 * Read candidate i of s, which must fail with the message "<its path>"
 * followed by want.
 */
static void read_fails(const struct scanned *s, size_t i, const char *want,
                       const char *name)
{
    const struct candidate *c = cand(s, i);
    char *why = NULL, *expect;
    struct metrics *m = c ? c->format->read(c, &why) : NULL;

    expect = xasprintf("%s%s", c ? c->path : "", want);
    is_str(m ? "(read without error)" : why, expect, name);
    metrics_free(m);
    free(why);
    free(expect);
}

/* Accessors that survive a failed read. */
static long nrows(const struct metrics *m)
{
    return m ? (long)m->nrows : -1;
}

static double xat(const struct metrics *m, size_t row)
{
    return m && row < m->nrows ? metrics_x(m, row) : NONE;
}

/* The value of col at x (NONE when there is no such row or value). */
static double at(const struct metrics *m, const char *col, double x)
{
    const struct column *c = m ? metrics_find(m, col) : NULL;
    size_t i;

    for (i = 0; c && i < m->nrows; i++)
        if (metrics_x(m, i) == x)
            return metrics_present(c, i) ? metrics_v(c, i) : NONE;
    return NONE;
}

static const char *orig(const struct metrics *m, const char *col)
{
    const struct column *c = m ? metrics_find(m, col) : NULL;

    return c ? (c->orig ? c->orig : c->name) : NULL;
}

static bool has_col(const struct metrics *m, const char *col)
{
    return m && metrics_find(m, col);
}

static long xbase(const struct metrics *m)
{
    return m ? m->xbase : -99;
}

static const char *xname(const struct metrics *m)
{
    return m ? m->xname : NULL;
}

/* True when m has a note that equals want. */
/* Has m a note starting with prefix? */
static bool note_starting(const struct metrics *m, const char *prefix)
{
    for (size_t i = 0; m && i < m->nnotes; i++)
        if (!strncmp(m->notes[i], prefix, strlen(prefix)))
            return true;
    return false;
}

static bool has_note(const struct metrics *m, const char *want)
{
    size_t i;

    for (i = 0; m && i < m->nnotes; i++)
        if (!strcmp(m->notes[i], want))
            return true;
    if (m) {
        printf("#   no note '%s' among:\n", want);
        for (i = 0; i < m->nnotes; i++)
            printf("#     '%s'\n", m->notes[i]);
    }
    return false;
}

static void test_ultralytics(void)
{
    struct scanned s;
    struct metrics *m;

    scan_one(&s, "ultralytics/current", "current", &format_ultralytics);
    is_int((long)s.cs.n, 1, "ultralytics: current layout claimed");
    ok(claimed(&s, "results.csv") && claimed(&s, "args.yaml"),
       "ultralytics: results.csv and args.yaml claimed");
    is_str(cand(&s, 0) ? cand(&s, 0)->name : NULL, "current",
           "ultralytics: run named after its folder");
    m = read_ok(&s, 0, "ultralytics: current layout reads");
    is_int(nrows(m), 4, "ultralytics current: 4 epochs");
    is_str(xname(m), "epoch", "ultralytics current: x is the epoch");
    is_int(xbase(m), 1, "ultralytics current: epochs from 1");
    is_str(m ? m->format : NULL, "Ultralytics YOLO results.csv",
           "ultralytics: format label");
    is_double(at(m, "train_loss", 1), 1.2091 + 1.09452 + 1.18261, 1e-12,
              "ultralytics current: train_loss is the sum of the parts");
    is_double(at(m, "val_loss", 4), 1.32408 + 1.24561 + 1.27896, 1e-12,
              "ultralytics current: val_loss is the sum of the parts");
    is_double(at(m, "train/box_loss", 2), 1.14227, 0,
              "ultralytics current: the parts are kept");
    is_str(orig(m, "lr"), "lr/pg0", "ultralytics current: lr is lr/pg0");
    is_double(at(m, "time", 4), 33.7209, 0,
              "ultralytics current: time column kept");
    ok(has_note(m, "the usual selection metric here is metrics/mAP50-95(B) "
                   "(to maximise): use --select 'metrics/mAP50-95(B):max'"),
       "ultralytics current: selection note");
    ok(has_note(m, "train_loss is the sum of train/box_loss, train/cls_loss "
                   "and train/dfl_loss, added by reportgen"),
       "ultralytics current: train_loss note");
    metrics_free(m);
    scanned_release(&s);

    scan_one(&s, "ultralytics/padded", "padded", &format_ultralytics);
    m = read_ok(&s, 0, "ultralytics: padded layout reads");
    is_int(nrows(m), 3, "ultralytics padded: 3 epochs");
    is_int(xbase(m), 0, "ultralytics padded: epochs from 0");
    is_double(at(m, "metrics/mAP50-95(B)", 2), 0.38791, 0,
              "ultralytics padded: padding trimmed from names and values");
    is_str(orig(m, "lr"), "lr/pg1",
           "ultralytics padded: lr is not the bias group");
    is_double(at(m, "lr", 0), 0.0031872, 0, "ultralytics padded: lr value");
    ok(has_note(m, "lr is 'lr/pg1', the parameter group with the lowest "
                   "starting rate: 'lr/pg0' is the bias group, which warms "
                   "up from a higher rate"),
       "ultralytics padded: lr note");
    metrics_free(m);
    scanned_release(&s);

    scan_one(&s, "ultralytics/valnan", "valnan", &format_ultralytics);
    m = read_ok(&s, 0, "ultralytics: nan validation reads");
    ok(m && isnan(at(m, "val_loss", 1)),
       "ultralytics valnan: val_loss is a logged nan");
    ok(m && isnan(at(m, "val/box_loss", 2)),
       "ultralytics valnan: val/box_loss nan kept");
    metrics_free(m);
    scanned_release(&s);

    scan_one(&s, "ultralytics/yolov5", "exp", &format_ultralytics);
    ok(claimed(&s, "opt.yaml") && claimed(&s, "hyp.yaml"),
       "ultralytics yolov5: opt.yaml and hyp.yaml claimed");
    m = read_ok(&s, 0, "ultralytics: YOLOv5 reads");
    is_int(xbase(m), 0, "ultralytics yolov5: epochs from 0");
    is_str(orig(m, "lr"), "x/lr1", "ultralytics yolov5: lr skips x/lr0");
    is_double(at(m, "train_loss", 0), 0.11963 + 0.024318, 1e-12,
              "ultralytics yolov5: train_loss with obj_loss");
    ok(has_note(m, "the usual selection metric here is "
                   "metrics/mAP_0.5:0.95 (to maximise): use --select "
                   "'metrics/mAP_0.5:0.95:max'"),
       "ultralytics yolov5: selection note names mAP_0.5:0.95");
    metrics_free(m);
    scanned_release(&s);

    scan_one(&s, "ultralytics/yolov5_txt", "exp", &format_yolov5_txt);
    ok(claimed(&s, "results.txt") && claimed(&s, "hyp.yaml"),
       "yolov5 results.txt: claimed with hyp.yaml");
    m = read_ok(&s, 0, "yolov5 results.txt: reads");
    is_int(nrows(m), 4, "yolov5 results.txt: 4 epochs");
    is_double(xat(m, 3), 3, 0, "yolov5 results.txt: epoch 3 of 3/4");
    is_int(xbase(m), 0, "yolov5 results.txt: epochs from 0");
    is_str(orig(m, "metrics/mAP_0.5:0.95"), "mAP@.5:.95",
           "yolov5 results.txt: named as results.csv, orig as printed");
    is_double(at(m, "train_loss", 1), 0.198, 0,
              "yolov5 results.txt: the total is train_loss");
    is_double(at(m, "val_loss", 2), 0.075 + 0.052 + 0.015, 1e-12,
              "yolov5 results.txt: val_loss is the sum of the parts");
    ok(m->hint && !strcmp(m->hint, "metrics/mAP_0.5:0.95") && m->hint_max,
       "yolov5 results.txt: judged by mAP@.5:.95 unless told otherwise");
    metrics_free(m);
    scanned_release(&s);

    scan_one(&s, "ultralytics/yolov5_txt_bad", "bad", &format_yolov5_txt);
    read_fails(&s, 0, ":2: 13 fields, where YOLOv5's results.txt has 15",
               "yolov5 results.txt: a short line refused at its line");
    scanned_release(&s);

    scan_one(&s, "ultralytics/conflict", "conflict", &format_ultralytics);
    m = read_ok(&s, 0, "ultralytics: merge conflict reads");
    is_int(nrows(m), 4, "ultralytics conflict: one side dropped");
    is_double(xat(m, 3), 3, 0, "ultralytics conflict: epochs 0-3");
    is_double(at(m, "train/box_loss", 1), 1.3187, 0,
              "ultralytics conflict: the longer side kept");
    ok(has_note(m, "lines 3-9 hold a git merge conflict ('HEAD' against "
                   "'41feda3f487da5fa6af45686df24180f0dc078e0'): kept the 3 "
                   "rows of the second side (the longer one) and dropped "
                   "the 1 row of the other"),
       "ultralytics conflict: note names the lines and the side");
    metrics_free(m);
    scanned_release(&s);

    scan_one(&s, "ultralytics/conflict_open", "open", &format_ultralytics);
    read_fails(&s, 0, ":3: git merge conflict not closed by '>>>>>>>'",
               "ultralytics: unclosed conflict refused at its line");
    scanned_release(&s);

    scan_one(&s, "ultralytics/badcell", "bad", &format_ultralytics);
    read_fails(&s, 0, ":3: not a number '1.1x4227' in column 'train/box_loss'",
               "ultralytics: bad cell refused with line and column");
    scanned_release(&s);

    scan_one(&s, "ultralytics/mapzero", "zero", &format_ultralytics);
    m = read_ok(&s, 0, "ultralytics: broken validation reads");
    ok(has_note(m, "every metrics/ column is 0 in every epoch: validation "
                   "found nothing to score (empty or mismatched validation "
                   "labels?)"),
       "ultralytics mapzero: note");
    is_double(at(m, "val_loss", 2), 49.8281, 1e-12,
              "ultralytics mapzero: val_loss sums zeros");
    metrics_free(m);
    scanned_release(&s);

    scan_one(&s, "ultralytics/other", "other", &format_ultralytics);
    ok(s.dl.n == 1 && s.cs.n == 0,
       "ultralytics: another results.csv not claimed");
    ok(s.dl.n == 1 && !claimed(&s, "results.csv"),
       "ultralytics: and left unclaimed");
    scanned_release(&s);
}

static void test_wandb(void)
{
    static const struct format *const both[] = {&format_wandb,
                                                &format_generic_csv, NULL};
    struct scanned s;
    struct metrics *m;

    scan_with(&s, "wandb/multi", "multi", both);
    is_int((long)s.cs.n, 3, "wandb multi: two runs and a stray CSV");
    is_str(cand(&s, 0) ? cand(&s, 0)->key : NULL, "elated-capybara-104",
           "wandb multi: first run's key");
    is_str(cand(&s, 1) ? cand(&s, 1)->name : NULL, "multi/divine-pond-103",
           "wandb multi: second run named rel/run");
    is_str(cand(&s, 2) ? cand(&s, 2)->format->id : NULL, "csv",
           "wandb multi: notes.csv left to the generic reader");
    m = read_ok(&s, 1, "wandb multi: shorter run reads");
    is_int(nrows(m), 2, "wandb multi: shorter run has 2 epochs");
    is_str(xname(m), "epoch", "wandb multi: x is the epoch");
    is_int(xbase(m), 0, "wandb multi: epochs from 0");
    is_double(at(m, "val_loss", 1), 0.9407, 0, "wandb multi: val_loss");
    is_str(orig(m, "train_loss"), "epoch/loss",
           "wandb multi: epoch/loss is train_loss");
    is_double(at(m, "val_acc", 0), 0.9836, 0,
              "wandb multi: epoch/val_accuracy is val_acc");
    ok(m && !has_col(m, "_step"), "wandb multi: _step is no column");
    metrics_free(m);
    m = read_ok(&s, 0, "wandb multi: longer run reads");
    is_int(nrows(m), 3, "wandb multi: longer run has 3 epochs");
    is_double(at(m, "train_loss", 2), 0.8289, 0,
              "wandb multi: its own column, not the other run's");
    metrics_free(m);
    read_fails(&s, 2,
               ":1: not a metrics log: no header with an epoch or step "
               "column and no numeric columns",
               "wandb multi: notes.csv refused");
    scanned_release(&s);

    scan_one(&s, "wandb/single", "single", &format_wandb);
    is_str(cand(&s, 0) ? cand(&s, 0)->name : NULL, "single",
           "wandb single: one run is named after the folder");
    m = read_ok(&s, 0, "wandb single: reads");
    is_str(xname(m), "step", "wandb single: x is the step");
    is_int(nrows(m), 8, "wandb single: rows merged by step");
    is_double(at(m, "val_loss", 1019), 1.1389273405075073, 0,
              "wandb single: val_loss at its step");
    ok(m && isnan(at(m, "batch/loss", 1360)),
       "wandb single: a logged nan is kept");
    ok(m && at(m, "batch/loss", 1019) == NONE,
       "wandb single: no batch/loss where none was logged");
    metrics_free(m);
    scanned_release(&s);

    scan_one(&s, "wandb/mixed", "mixed", &format_wandb);
    m = read_ok(&s, 0, "wandb mixed: reads");
    is_str(xname(m), "step", "wandb mixed: Step and epoch give the step");
    is_double(at(m, "val_loss", 1202), 1.05, 0,
              "wandb mixed: epoch chart placed by its _step");
    metrics_free(m);
    scanned_release(&s);
}

static void test_catboost(void)
{
    struct scanned s;
    struct metrics *m;

    scan_one(&s, "catboost/catboost_info", "catboost_info", &format_catboost);
    is_int((long)s.cs.n, 1, "catboost: one run");
    ok(claimed(&s, "test_error.tsv") && claimed(&s, "time_left.tsv") &&
           claimed(&s, "learn"),
       "catboost: its files and learn/ claimed");
    ok(cand(&s, 0) && ends(cand(&s, 0)->extra, "/test_error.tsv"),
       "catboost: test_error.tsv is the second path");
    m = read_ok(&s, 0, "catboost: reads");
    is_str(xname(m), "step", "catboost: x is the iteration");
    is_int(xbase(m), 0, "catboost: counted from 0");
    is_str(orig(m, "train_loss"), "learn/Logloss",
           "catboost: Logloss is the loss");
    is_double(at(m, "val_acc", 2), 0.8162291169, 0,
              "catboost: test Accuracy is val_acc");
    is_double(at(m, "val_loss", 3), 0.6693567012, 0,
              "catboost: test Logloss is val_loss");
    metrics_free(m);
    scanned_release(&s);

    scan_one(&s, "catboost/rmse", "rmse", &format_catboost);
    m = read_ok(&s, 0, "catboost rmse: reads");
    is_str(orig(m, "train_loss"), "learn/RMSE", "catboost rmse: RMSE loss");
    is_double(at(m, "train_MAE", 10), 6.5, 0,
              "catboost rmse: a second loss keeps its name");
    ok(m && !has_col(m, "val_loss"), "catboost rmse: no eval set, no val_loss");
    ok(m && m->boosting, "catboost: x counts boosting iterations");
    metrics_free(m);
    scanned_release(&s);

    scan_one(&s, "catboost/stale", "stale", &format_catboost);
    m = read_ok(&s, 0, "catboost stale test_error.tsv: reads");
    ok(m && !has_col(m, "val_loss"),
       "catboost: a test log of another length is not paired");
    ok(has_note(m, "test_error.tsv ends at iteration 2 but learn_error.tsv "
                   "at 5: it is left over from an earlier fit into the same "
                   "folder, not this run's eval set, and is not used"),
       "catboost: and says so");
    metrics_free(m);
    scanned_release(&s);
}

static void test_dvclive(void)
{
    struct scanned s;
    struct metrics *m;

    scan_one(&s, "dvclive/keras", "keras", &format_dvclive);
    is_int((long)s.cs.n, 1, "dvclive: one run");
    ok(claimed(&s, "dvclive"), "dvclive: dvclive/ claimed");
    ok(cand(&s, 0) && ends(cand(&s, 0)->path, "/dvclive") &&
           !ends(cand(&s, 0)->dir, "/dvclive"),
       "dvclive: reads dvclive/, config from the run folder");
    m = read_ok(&s, 0, "dvclive: reads");
    is_str(xname(m), "step", "dvclive: x is the step");
    is_str(orig(m, "val_loss"), "eval/loss", "dvclive: eval/loss is val");
    is_double(at(m, "val_loss", 2), 0.436069, 0,
              "dvclive: timestamp column skipped");
    is_double(at(m, "train_acc", 3), 0.8521, 0,
              "dvclive: binary_accuracy from a CRLF file");
    is_str(orig(m, "lr"), "train/lr", "dvclive: train/lr is lr");
    metrics_free(m);
    scanned_release(&s);

    scan_one(&s, "dvclive/old_flat", "old", &format_dvclive);
    ok(s.cs.n == 1 && claimed(&s, "dvclive") && claimed(&s, "dvclive.json"),
       "dvclive first layout: dvclive/*.tsv and dvclive.json claimed");
    m = read_ok(&s, 0, "dvclive first layout: reads");
    is_double(at(m, "val_loss", 1), 0.5, 0, "dvclive first layout: values");
    metrics_free(m);
    scanned_release(&s);

    scan_one(&s, "dvclive/old_scalars", "old", &format_dvclive);
    m = read_ok(&s, 0, "dvclive scalars/ layout: reads");
    is_double(at(m, "train_loss", 2), 0.41, 0, "dvclive scalars/: values");
    metrics_free(m);
    scanned_release(&s);

    scan_one(&s, "dvclive/keras/dvclive", "dvclive", &format_dvclive);
    is_int((long)s.cs.n, 1, "dvclive: a folder named dvclive is a run");
    ok(claimed(&s, "plots") && claimed(&s, "params.yaml") &&
           claimed(&s, "metrics.json"),
       "dvclive: its entries claimed");
    scanned_release(&s);

    scan_one(&s, "dvclive/epochs", "epochs", &format_dvclive);
    m = read_ok(&s, 0, "dvclive epochs: reads");
    is_str(xname(m), "epoch", "dvclive epochs: x is the epoch");
    is_int(nrows(m), 3, "dvclive epochs: one row per epoch");
    is_double(at(m, "val_loss", 2), 0.95, 0, "dvclive epochs: val/loss");
    ok(m && !has_col(m, "epoch"), "dvclive epochs: epoch.tsv is no column");
    metrics_free(m);
    scanned_release(&s);

    scan_one(&s, "dvclive/hf", "hf", &format_dvclive);
    m = read_ok(&s, 0, "dvclive hf: reads");
    is_str(orig(m, "train_loss"), "loss",
           "dvclive hf: the longer series is train_loss");
    ok(has_col(m, "train/loss"), "dvclive hf: the summary keeps its name");
    ok(has_note(m, "'train/loss' (1 value) is not read as train_loss: "
                   "'loss' (4 values) is"),
       "dvclive hf: collision note");
    ok(has_note(m, "x is the step: epoch.tsv spans epochs 0.01 to 0.03, but "
                   "its epochs are fractional"),
       "dvclive hf: epoch note");
    ok(has_note(m, "left out 'train/step.tsv': a metric named 'step' takes "
                   "the place of DVCLive's step column, so its values have "
                   "no x"),
       "dvclive hf: shadowed step note");
    is_str(orig(m, "lr"), "learning_rate", "dvclive hf: learning_rate");
    metrics_free(m);
    scanned_release(&s);

    scan_one(&s, "dvclive/bad", "bad", &format_dvclive);
    read_fails(&s, 0, "/plots/metrics/loss.tsv:3: not a number 'oops'",
               "dvclive: bad value refused with file and line");
    scanned_release(&s);
}

static void test_mlflow(void)
{
    struct scanned s;
    struct metrics *m;
    struct config cfg = CONFIG_INIT;
    char *why = NULL;

    scan_one(&s, "mlflow/run/ed05f9cd599442fe9a0c9222184710b8", "run",
             &format_mlflow);
    is_int((long)s.cs.n, 1, "mlflow: a run folder is one run");
    ok(claimed(&s, "meta.yaml") && claimed(&s, "metrics") &&
           claimed(&s, "params") && claimed(&s, "tags"),
       "mlflow: run entries claimed");
    m = read_ok(&s, 0, "mlflow: reads");
    is_str(xname(m), "epoch", "mlflow: Keras autologging steps are epochs");
    is_int(xbase(m), 0, "mlflow: from 0");
    is_double(at(m, "train_loss", 1), 297.6000061035156, 0,
              "mlflow: loss is train_loss");
    ok(m && isnan(at(m, "val_loss", 2)), "mlflow: a logged nan is kept");
    is_double(at(m, "val_acc", 2), 0.625, 0,
              "mlflow: nested key val/accuracy is val_acc");
    metrics_free(m);
    ok(cand(&s, 0) && cand(&s, 0)->format->config &&
           !cand(&s, 0)->format->config(cand(&s, 0), &cfg, &why),
       "mlflow: params read as config");
    is_int((long)cfg.n, 4, "mlflow: four params");
    is_str(config_get(&cfg, "opt_learning_rate"), "0.002",
           "mlflow: a param's value");
    is_str(config_get(&cfg, "optimizer/momentum"), "0.9",
           "mlflow: a nested param");
    ok(ends(cfg.path, "/params"), "mlflow: config path is params/");
    config_release(&cfg);
    free(why);
    scanned_release(&s);

    scan_one(&s, "mlflow/store", "store", &format_mlflow);
    is_int((long)s.cs.n, 2, "mlflow store: two runs, .trash skipped");
    ok(claimed(&s, "mlruns"), "mlflow store: mlruns/ claimed");
    is_str(cand(&s, 1) ? cand(&s, 1)->name : NULL, "store/mlruns/calm-fox-2",
           "mlflow store: run named by run_name");
    m = read_ok(&s, 1, "mlflow store: reads");
    is_str(xname(m), "step", "mlflow store: x is the step");
    is_double(at(m, "train_loss", 100), 0.75, 0, "mlflow store: value");
    metrics_free(m);
    scanned_release(&s);

    scan_one(&s, "mlflow/nostep", "nostep", &format_mlflow);
    m = read_ok(&s, 0, "mlflow nostep: reads");
    is_double(at(m, "train_loss", 0), 0.9, 0,
              "mlflow nostep: ordered by timestamp");
    is_double(at(m, "train_loss", 2), 0.5, 0, "mlflow nostep: last value");
    is_double(at(m, "train_acc", 1), 0.6, 0,
              "mlflow nostep: lines without a step");
    ok(has_note(m, "every value was logged at step 0: each metric's values "
                   "are numbered in timestamp order, from 0, and read as "
                   "epochs"),
       "mlflow nostep: note");
    metrics_free(m);
    scanned_release(&s);

    scan_one(&s, "mlflow/bad", "bad", &format_mlflow);
    read_fails(&s, 0, "/metrics/loss:2: 1 fields, not 'timestamp value [step]'",
               "mlflow: malformed line refused");
    scanned_release(&s);
}

static void test_generic(void)
{
    struct scanned s;
    struct metrics *m;

    scan_one(&s, "generic/numpy", "numpy", &format_generic_csv);
    is_int((long)s.cs.n, 1, "generic numpy: one run for the folder");
    ok(claimed(&s, "acc.csv") && claimed(&s, "val_loss.csv"),
       "generic numpy: files claimed");
    ok(cand(&s, 0) && !strcmp(cand(&s, 0)->path, s.path),
       "generic numpy: the run reads the folder");
    m = read_ok(&s, 0, "generic numpy: reads");
    is_int(xbase(m), 0, "generic numpy: epochs from 0");
    is_double(at(m, "train_loss", 1), 1.998072316249211722e-01, 0,
              "generic numpy: savetxt value");
    is_double(at(m, "val_loss", 2), 2.088334230666464841e-01, 0,
              "generic numpy: CRLF file");
    is_str(orig(m, "train_acc"), "acc", "generic numpy: acc is train_acc");
    ok(has_note(m, "epochs inferred from row order (counted from 0)"),
       "generic numpy: row order note");
    metrics_free(m);
    scanned_release(&s);

    scan_one(&s, "generic/split_tables", "split", &format_generic_csv);
    is_int((long)s.cs.n, 1, "generic: metric-named tables are one run");
    m = read_ok(&s, 0, "generic metric-named tables: read");
    is_double(at(m, "val_loss/total_loss", 2), 0.45, 0,
              "generic metric-named tables: <file>/<column>, by epoch");
    metrics_free(m);
    scanned_release(&s);

    scan_one(&s, "generic/split_keras", "sk", &format_keras);
    is_int((long)s.cs.n, 0,
           "keras: files named after one metric each are not Keras logs");
    scanned_release(&s);
    scan_one(&s, "generic/split_keras", "sk", &format_generic_csv);
    m = read_ok(&s, 0, "generic: epoch,loss files named after their metric");
    is_double(at(m, "val_loss", 3), 0.78, 0,
              "generic: each file's one column named after the file");
    metrics_free(m);
    scanned_release(&s);

    scan_one(&s, "generic/tb_download", "tb", &format_generic_csv);
    is_int((long)s.cs.n, 1, "generic: TensorBoard's CSV downloads: one run");
    m = read_ok(&s, 0, "generic: TensorBoard's CSV downloads read");
    is_double(at(m, "val_loss", 300), 0.65, 0,
              "generic: one column per tag, x the step");
    ok(m && !has_col(m, "val_loss/Wall time") && !has_col(m, "Wall time"),
       "generic: the wall time is not a metric");
    metrics_free(m);
    scanned_release(&s);

    scan_one(&s, "generic/mlflow_long", "ml", &format_generic_csv);
    is_int((long)s.cs.n, 1, "generic: MLflow chart exports: one run");
    m = read_ok(&s, 0, "generic: MLflow's long format reads");
    is_double(at(m, "val_loss", 1), 0.4, 0,
              "generic: one column per metric named in the rows, x the step");
    ok(m && !has_col(m, "value") && !has_col(m, "timestamp"),
       "generic: value and timestamp are no metrics of their own");
    metrics_free(m);
    scanned_release(&s);

    scan_one(&s, "generic/pandas_zero", "pz", &format_generic_csv);
    m = read_ok(&s, 0, "generic pandas Series dumps: read");
    is_double(at(m, "val_loss", 0), 1.33, 0,
              "generic: pandas' 0 header is not a value");
    ok(has_note(m, "val_loss.csv: the first line, 0, is the header pandas "
                   "writes for an unnamed Series, not a value"),
       "generic: and says so");
    metrics_free(m);
    scanned_release(&s);

    scan_one(&s, "generic/quoted_row", "qr", &format_generic_csv);
    is_int((long)s.cs.n, 1, "generic: long quoted one-row files are one run");
    scanned_release(&s);

    scan_one(&s, "generic/pandas", "pandas", &format_generic_csv);
    m = read_ok(&s, 0, "generic pandas: reads");
    is_int(nrows(m), 4, "generic pandas: longest file's rows");
    is_double(at(m, "val_loss", 0), 1.1957, 0, "generic pandas: tensor()");
    is_double(at(m, "val_loss", 1), 0.22, 0,
              "generic pandas: tensor() with a device");
    is_double(at(m, "train_loss", 1), 21.328811645507812, 0,
              "generic pandas: index column dropped");
    ok(has_note(m, "the files hold different numbers of values "
                   "(train_loss.csv 4, val_loss.csv 2): they are matched by "
                   "position, which may not be the same epoch"),
       "generic pandas: length mismatch note");
    metrics_free(m);
    scanned_release(&s);

    scan_one(&s, "generic/onerow", "onerow", &format_generic_csv);
    m = read_ok(&s, 0, "generic onerow: reads");
    is_int(nrows(m), 4, "generic onerow: one row is a series");
    is_double(at(m, "val_loss", 3), 0.172154501080513, 0,
              "generic onerow: last value");
    metrics_free(m);
    scanned_release(&s);

    scan_one(&s, "generic/rates", "rates", &format_generic_csv);
    m = read_ok(&s, 0, "generic rates: reads");
    is_double(at(m, "val_acc", 5), 0.6, 0,
              "generic rates: the shared length "
              "sets the epochs");
    is_double(at(m, "train_loss", 1), 1.6, 0,
              "generic rates: 3 values an epoch after a value before "
              "training, the third at epoch 1");
    is_double(at(m, "train_loss", 5), 0.95, 0,
              "generic rates: its last at the last epoch");
    is_double(at(m, "val_loss", 5.5), 1.25, 0,
              "generic rates: 2 values an epoch, the last at 5.5");
    ok(has_note(m, "train_loss.csv holds 15 values, 3 for each of the 5 of "
                   "val_acc.csv after its first: read as 3 values per "
                   "epoch, val_acc.csv's first value as taken before the "
                   "first epoch"),
       "generic rates: says how it read the per-iteration file");
    ok(has_note(m, "val_loss.csv holds 12 values, 2 for each of the 6 of "
                   "val_acc.csv: read as 2 values per epoch"),
       "generic rates: and the other");
    ok(!note_starting(m, "the files hold different numbers of values"),
       "generic rates: nothing matched by position");
    metrics_free(m);
    scanned_release(&s);

    scan_one(&s, "generic/headerless", "hl", &format_generic_csv);
    ok(cand(&s, 0) && ends(cand(&s, 0)->path, "/history.csv"),
       "generic headerless: a single file is read as such");
    m = read_ok(&s, 0, "generic headerless: reads");
    is_double(at(m, "col2", 1), 0.55, 0, "generic headerless: col2");
    is_str(m ? m->format : NULL, "headerless CSV",
           "generic headerless: format label");
    ok(has_note(m, "history.csv has no header: its columns are named col1 "
                   "to col3"),
       "generic headerless: note");
    metrics_free(m);
    scanned_release(&s);

    scan_one(&s, "generic/table", "table", &format_generic_csv);
    m = read_ok(&s, 0, "generic table: reads");
    is_str(xname(m), "step", "generic table: step column is x");
    is_double(at(m, "train_loss", 20), 0.8, 0, "generic table: loss");
    ok(m && !has_col(m, "when"), "generic table: text column left out");
    ok(has_note(m, "progress.csv: column 'when' holds text, not numbers: "
                   "left out"),
       "generic table: note");
    metrics_free(m);
    scanned_release(&s);

    scan_one(&s, "generic/pylog", "pylog", &format_generic_csv);
    ok(claimed(&s, "training.log"), "generic: a text .log is claimed");
    read_fails(&s, 0,
               ":1: not a metrics log: no header with an epoch or step "
               "column and no numeric columns",
               "generic: Python logging text refused");
    scanned_release(&s);

    scan_one(&s, "generic/utf16", "utf16", &format_generic_csv);
    read_fails(&s, 0, ": UTF-16 text, not UTF-8", "generic: UTF-16 refused");
    scanned_release(&s);

    scan_one(&s, "generic/bad", "bad", &format_generic_csv);
    read_fails(&s, 0, ":3: not a number 'loss' in column 'col1'",
               "generic: text in a column of numbers refused");
    scanned_release(&s);

    scan_one(&s, "generic/ragged", "ragged", &format_generic_csv);
    read_fails(&s, 0, ":3: 1 fields, but the header has 2",
               "generic: a short row refused");
    scanned_release(&s);

    scan_one(&s, "dvclive/keras/dvclive", "d", &format_generic_csv);
    ok(s.dl.n > 0 && s.cs.n == 0, "generic: .json and .yaml are not claimed");
    scanned_release(&s);
}

static void test_canonical(void)
{
    is_str(series_canonical("epoch/val_loss"), "val_loss",
           "canonical: epoch/val_loss");
    is_str(series_canonical("train_accuracy"), "train_acc",
           "canonical: train_accuracy");
    is_str(series_canonical("eval/binary_accuracy"), "val_acc",
           "canonical: eval/binary_accuracy");
    is_str(series_canonical("batch/loss"), NULL, "canonical: batch/loss");
    is_str(series_canonical("val/lr"), NULL, "canonical: val/lr is no lr");
    is_str(series_canonical("training_loss"), "train_loss",
           "canonical: training_loss");
    is_str(series_canonical("validation loss"), "val_loss",
           "canonical: a space after the prefix (MLflow)");
    is_str(series_canonical("train loss_epoch"), "train_loss",
           "canonical: Lightning's epoch aggregate");
    is_str(series_canonical("train loss_step"), NULL,
           "canonical: a per-step loss is not the epoch's");
}

/* The note every one-value-per-point reader gives for values at one x. */
static void test_note_repeats(void)
{
    struct metrics *m = metrics_new("x.csv", "step");

    series_note_repeats(m, 0);
    is_int((long)m->nnotes, 0, "repeats: no note when nothing repeats");
    series_note_repeats(m, 3);
    is_str(m->nnotes == 1 ? m->notes[0] : NULL,
           "3 values logged again at the same step: the last one is kept",
           "repeats: the note names the count and the x");
    metrics_free(m);
}

int main(void)
{
    srcdir = getenv("srcdir");
    if (!srcdir || !*srcdir)
        srcdir = ".";
    plan(221);
    test_ultralytics();
    test_wandb();
    test_catboost();
    test_dvclive();
    test_mlflow();
    test_generic();
    test_canonical();
    test_note_repeats();
    return done();
}
