/*
 * test_readers_json.c - the JSON log readers on the fixtures in
 * tests/unit/data/hf/ and tests/unit/data/detectron2/: what each scan()
 * claims and leaves, the rows, x axis, columns and notes each read()
 * gives, and the messages of the files that cannot be read.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formats.h"
#include "metrics.h"
#include "tap.h"
#include "util.h"

static const char *srcdir;

static char *fixture(const char *rel)
{
    return xasprintf("%s/tests/unit/data/%s", srcdir, rel);
}

/* List the fixture folder rel as runs.c does. */
static void list(struct dir_list *dl, const char *rel)
{
    dir_list_read(dl, fixture(rel), rel);
}

static void unlist(struct dir_list *dl)
{
    free((char *)dl->path);
    dir_list_release(dl);
}

static size_t nclaimed(const struct dir_list *dl)
{
    size_t n = 0;

    for (size_t i = 0; i < dl->n; i++)
        n += dl->e[i].claimed;
    return n;
}

/* The path of fixture rel, relative to the fixture folder of dl. */
static bool same_path(const char *got, const char *rel)
{
    char *want = fixture(rel);
    bool same = got && !strcmp(got, want);

    if (!same)
        printf("#   got '%s', want '%s'\n", got ? got : "(null)", want);
    free(want);
    return same;
}

/* Scan fixture folder rel with f and read its one run, or NULL. */
static struct metrics *read_run(const struct format *f, const char *rel)
{
    struct dir_list dl;
    struct candidates cs = {0, 0, NULL};
    struct metrics *m = NULL;
    char *why = NULL;

    list(&dl, rel);
    f->scan(&dl, &cs);
    if (cs.n == 1) {
        m = f->read(&cs.c[0], &why);
        if (!m)
            printf("#   %s: %s\n", rel, why);
    } else {
        printf("#   %s: %zu candidates\n", rel, cs.n);
    }
    free(why);
    candidates_release(&cs);
    unlist(&dl);
    return m;
}

/* Read file rel as format f without a scan; return the error, or NULL. */
static char *read_error(const struct format *f, const char *rel)
{
    char *path = fixture(rel), *why = NULL;
    struct candidate c = {f, (char *)"t", (char *)".", path, NULL, NULL};
    struct metrics *m = f->read(&c, &why);

    if (m) {
        metrics_free(m);
        free(why);
        why = NULL;
    }
    free(path);
    return why;
}

/* Is why "<fixture rel><rest>"? */
static void is_error(char *why, const char *rel, const char *rest,
                     const char *name)
{
    char *path = fixture(rel);
    char *want = xasprintf("%s%s", path, rest);

    is_str(why, want, name);
    free(why);
    free(want);
    free(path);
}

static double cell(const struct metrics *m, const char *col, size_t row)
{
    const struct column *c = metrics_find(m, col);

    if (!c || row >= m->nrows)
        return -12345;
    return metrics_present(c, row) ? metrics_v(c, row) : -999;
}

/* The row at x, or SIZE_MAX. */
static size_t row_at(const struct metrics *m, double x)
{
    for (size_t i = 0; i < m->nrows; i++)
        if (metrics_x(m, i) == x)
            return i;
    return SIZE_MAX;
}

static const char *orig_of(const struct metrics *m, const char *col)
{
    const struct column *c = metrics_find(m, col);

    return c ? c->orig : "(no such column)";
}

static bool has_note(const struct metrics *m, const char *note)
{
    for (size_t i = 0; i < m->nnotes; i++)
        if (!strcmp(m->notes[i], note))
            return true;
    printf("#   no note '%s' among:\n", note);
    for (size_t i = 0; i < m->nnotes; i++)
        printf("#     %s\n", m->notes[i]);
    return false;
}

static void test_hf_scan(void)
{
    struct dir_list dl;
    struct candidates cs = {0, 0, NULL};

    list(&dl, "hf/basic");
    format_hf_trainer.scan(&dl, &cs);
    is_int((long)cs.n, 1, "hf: one run in basic/");
    if (cs.n == 1) {
        ok(same_path(cs.c[0].path, "hf/basic/trainer_state.json"),
           "hf: the run-level file, not a checkpoint's copy");
        ok(same_path(cs.c[0].dir, "hf/basic"), "hf: the run's folder");
        ok(same_path(cs.c[0].extra, "hf/basic/eval_results.json"),
           "hf: eval_results.json for a note");
        is_str(cs.c[0].name, "hf/basic", "hf: named after the folder");
    }
    is_int((long)nclaimed(&dl), (long)dl.n,
           "hf: state, checkpoints, results and runs/ all claimed");
    is_int((long)dl.n, 7, "hf: seven entries in basic/");
    format_hf_trainer.scan(&dl, &cs);
    is_int((long)cs.n, 1, "hf: nothing claimed twice");
    candidates_release(&cs);
    unlist(&dl);

    /* Checkpoints only: the highest number, which sorts in the middle. */
    list(&dl, "hf/ckpt_only");
    format_hf_trainer.scan(&dl, &cs);
    is_int((long)cs.n, 1, "hf: one run in ckpt_only/");
    if (cs.n == 1) {
        ok(same_path(cs.c[0].path,
                     "hf/ckpt_only/checkpoint-320/trainer_state.json"),
           "hf: the latest checkpoint");
        ok(same_path(cs.c[0].dir, "hf/ckpt_only/checkpoint-320"),
           "hf: its folder, where its config.json is");
        ok(cs.c[0].extra == NULL, "hf: no results file");
    }
    is_int((long)nclaimed(&dl), 3, "hf: every checkpoint claimed");
    candidates_release(&cs);
    unlist(&dl);

    list(&dl, "hf/not_hf");
    format_hf_trainer.scan(&dl, &cs);
    ok(cs.n == 0 && nclaimed(&dl) == 0,
       "hf: a trainer_state.json without log_history is not claimed");
    unlist(&dl);

    list(&dl, "hf/compact");
    dl.e[0].claimed = true;
    format_hf_trainer.scan(&dl, &cs);
    ok(cs.n == 0, "hf: a claimed file is left alone");
    candidates_release(&cs);
    unlist(&dl);
}

static void test_hf_basic(void)
{
    struct metrics *m = read_run(&format_hf_trainer, "hf/basic");
    const struct column *c;
    size_t r;

    if (!ok(m != NULL, "hf: basic reads"))
        return;
    is_str(m->format, "Hugging Face Trainer state", "hf: format label");
    is_str(m->xname, "epoch", "hf: x is the epoch");
    is_int(m->xbase, 0, "hf: counted from 0");
    is_int((long)m->nrows, 6, "hf: train and eval entries merge by epoch");
    is_double(metrics_x(m, 0), 0.5, 0, "hf: fractional epoch");
    is_int((long)m->ncols, 9, "hf: nine columns");
    is_str(orig_of(m, "train_loss"), "loss", "hf: loss is train_loss");
    is_str(orig_of(m, "lr"), "learning_rate", "hf: learning_rate is lr");
    is_str(orig_of(m, "val_loss"), "eval_loss", "hf: eval_loss is val_loss");
    is_str(orig_of(m, "val_acc"), "eval_accuracy", "hf: eval_accuracy");
    is_str(orig_of(m, "val_f1"), "eval_f1", "hf: eval_<m> is val_<m>");
    ok(orig_of(m, "grad_norm") == NULL, "hf: grad_norm as it is");
    ok(orig_of(m, "eval_runtime") == NULL, "hf: eval_runtime keeps its name");
    ok(metrics_find(m, "train_runtime") == NULL &&
           metrics_find(m, "total_flos") == NULL,
       "hf: the summary entry is left out");
    r = row_at(m, 1.0);
    is_double(cell(m, "train_loss", r), 0.6512, 0, "hf: loss at epoch 1");
    is_double(cell(m, "val_loss", r), 0.5120694637298584, 0,
              "hf: eval_loss at epoch 1");
    is_double(cell(m, "val_loss", row_at(m, 1.5)), -999, 0,
              "hf: no eval at epoch 1.5: missing");
    ok(isnan(cell(m, "grad_norm", row_at(m, 1.5))), "hf: bare NaN");
    ok(cell(m, "grad_norm", row_at(m, 2.5)) == INFINITY, "hf: bare Infinity");
    c = metrics_find(m, "grad_norm");
    ok(c && c->line_of_first_nonfinite == 38, "hf: the NaN's line");
    is_double(metrics_line(m, 0), 12, 0, "hf: a row's line is its entry's");
    ok(has_note(m, "x is the Trainer's epoch, fractional and counted from 0 "
                   "(0.5 is half-way through the first epoch)"),
       "hf: note on x");
    ok(has_note(m, "train_loss is the mean over the 10 steps since the "
                   "previous log entry, not one batch"),
       "hf: note on train_loss");
    ok(has_note(m, "the Trainer itself marked checkpoint-40 best by "
                   "eval_f1 (val_f1 here) = 0.839506"),
       "hf: the Trainer's best checkpoint, and by what");
    ok(has_note(m, "the summary entry at line 84 (train_loss 0.502217, the "
                   "mean over the whole run) is not part of the curves"),
       "hf: note on the summary");
    ok(has_note(m, "eval_results.json holds an evaluation after training: "
                   "eval_accuracy 0.84375, eval_f1 0.839506, eval_loss "
                   "0.403012"),
       "hf: note from eval_results.json");
    metrics_free(m);
}

static void test_hf_axes(void)
{
    struct metrics *m;

    m = read_run(&format_hf_trainer, "hf/rounded");
    if (ok(m != NULL, "hf: rounded reads")) {
        is_str(m->xname, "step", "hf: rounded epochs: x is the step");
        is_int(m->xbase, -1, "hf: steps have no base");
        is_int((long)m->nrows, 4, "hf: four steps");
        is_double(cell(m, "val_wer", row_at(m, 30)), 48.2, 0,
                  "hf: eval merged at its step");
        ok(has_note(m, "x is the optimizer step, not the epoch: the epoch "
                       "is rounded: steps 20 and 30 both log epoch 0.01"),
           "hf: says why not the epoch");
        ok(has_note(m, "the Trainer itself marked checkpoint-30 best by "
                       "eval_wer (val_wer here) = 48.2"),
           "hf: best found without best_global_step");
        metrics_free(m);
    }

    m = read_run(&format_hf_trainer, "hf/epoch_reset");
    if (ok(m != NULL, "hf: epoch_reset reads")) {
        is_str(m->xname, "step", "hf: epoch going back: x is the step");
        ok(m->nrows == 4 && metrics_x(m, 3) == 200, "hf: every step kept");
        ok(has_note(m, "x is the optimizer step, not the epoch: the epoch "
                       "goes back from 1 to 0.02 at step 200"),
           "hf: says why");
        metrics_free(m);
    }

    m = read_run(&format_hf_trainer, "hf/ckpt_only");
    if (ok(m != NULL, "hf: ckpt_only reads")) {
        is_int((long)m->nrows, 8, "hf: up to the latest checkpoint");
        ok(has_note(m, "read from the copy in checkpoint-320/ (no "
                       "run-level trainer_state.json): the log stops at "
                       "that checkpoint"),
           "hf: note on the copy");
        metrics_free(m);
    }

    m = read_run(&format_hf_trainer, "hf/step_eval");
    if (ok(m != NULL, "hf: step_eval reads")) {
        is_str(m->xname, "step", "hf: evaluated by steps: x is the step");
        ok(m->nrows == 3 && metrics_x(m, 0) == 250 && metrics_x(m, 2) == 750,
           "hf: rows at the checkpoints' steps");
        ok(has_note(m, "x is the optimizer step, not the epoch: the "
                       "Trainer evaluated every so many steps (step 250 "
                       "is epoch 0.2275), and names its checkpoints by "
                       "step"),
           "hf: says why");
        metrics_free(m);
    }

    m = read_run(&format_hf_trainer, "hf/resumed");
    if (ok(m != NULL, "hf: resumed reads")) {
        is_int((long)m->nrows, 4, "hf: the replayed entries replace");
        is_double(cell(m, "train_loss", 1), 1.1, 0,
                  "hf: epoch 0.2 from the later run");
        is_double(cell(m, "train_loss", 3), 0.8, 0, "hf: and on");
        ok(has_note(m, "the epoch goes back 1 time (first at line 30, from "
                       "0.3 to 0.2): the run was resumed or restarted, and "
                       "later entries replace the earlier ones from there "
                       "on"),
           "hf: note on the resume");
        ok(has_note(m, "log_history holds no evaluation entries: the run "
                       "has no validation curve"),
           "hf: note on no evaluation");
        metrics_free(m);
    }

    /* Tabs, no space after ':', CRLF, a surrogate pair, odd entries. */
    m = read_run(&format_hf_trainer, "hf/compact");
    if (ok(m != NULL, "hf: compact reads")) {
        is_str(m->xname, "step", "hf: an entry without epoch: the step");
        is_int((long)m->nrows, 3, "hf: three steps");
        is_str(orig_of(m, "val_acc"), "eval_acc",
               "hf: eval_acc takes val_acc first");
        ok(metrics_find(m, "eval_accuracy") &&
               orig_of(m, "eval_accuracy") == NULL,
           "hf: eval_accuracy then keeps its own name");
        ok(metrics_find(m, "val_\xf0\x9f\x8e\xaf_hits") != NULL,
           "hf: a key written as a surrogate pair");
        ok(cell(m, "val_loss", 1) == -INFINITY, "hf: -Infinity");
        ok(metrics_find(m, "note") == NULL &&
               metrics_find(m, "flags") == NULL &&
               metrics_find(m, "extra") == NULL,
           "hf: strings, lists and null are not columns");
        ok(has_note(m, "x is the optimizer step, not the epoch: the entry "
                       "at line 46 has no epoch"),
           "hf: says which entry");
        ok(has_note(m, "1 log_history entry is not an object: left out"),
           "hf: note on the junk entry");
        metrics_free(m);
    }
}

static void test_hf_errors(void)
{
    const struct format *f = &format_hf_trainer;

    is_error(read_error(f, "hf/bad/toplevel_list.json"),
             "hf/bad/toplevel_list.json", ":1: top level is not a JSON object",
             "hf: a list");
    is_error(read_error(f, "hf/bad/no_history.json"), "hf/bad/no_history.json",
             ":1: no \"log_history\" list", "hf: no log_history");
    is_error(read_error(f, "hf/bad/history_object.json"),
             "hf/bad/history_object.json", ":3: no \"log_history\" list",
             "hf: log_history not a list");
    is_error(read_error(f, "hf/bad/empty_history.json"),
             "hf/bad/empty_history.json",
             ":4: log_history holds no training or evaluation entries",
             "hf: empty log_history");
    is_error(read_error(f, "hf/bad/summary_only.json"),
             "hf/bad/summary_only.json",
             ":3: log_history holds no training or evaluation entries",
             "hf: the summary alone");
    is_error(read_error(f, "hf/bad/truncated.json"), "hf/bad/truncated.json",
             ":15: did not find expected ',' or '}' (while parsing a flow "
             "mapping at line 12)",
             "hf: a cut file");
    is_error(read_error(f, "hf/bad/missing.json"), "hf/bad/missing.json",
             ": cannot read: No such file or directory", "hf: no file");
}

static void test_d2_scan(void)
{
    static const char *const not_d2[] = {"detectron2/not_d2/dvclive",
                                         "detectron2/not_d2/array",
                                         "detectron2/not_d2/mmdet"};
    struct dir_list dl;
    struct candidates cs = {0, 0, NULL};

    list(&dl, "detectron2/train");
    format_detectron2.scan(&dl, &cs);
    is_int((long)cs.n, 1, "d2: one run");
    if (cs.n == 1) {
        ok(same_path(cs.c[0].path, "detectron2/train/metrics.json"),
           "d2: reads metrics.json");
        ok(same_path(cs.c[0].dir, "detectron2/train"), "d2: in its folder");
    }
    ok(dl.n == 1 && dl.e[0].claimed, "d2: metrics.json claimed");
    format_detectron2.scan(&dl, &cs);
    is_int((long)cs.n, 1, "d2: nothing claimed twice");
    candidates_release(&cs);
    unlist(&dl);

    for (size_t i = 0; i < ARRAY_SIZE(not_d2); i++) {
        list(&dl, not_d2[i]);
        format_detectron2.scan(&dl, &cs);
        ok(cs.n == 0 && nclaimed(&dl) == 0, not_d2[i]);
        candidates_release(&cs);
        unlist(&dl);
    }

    /*
     * detectron2 writes the same scalars to a TensorBoard event file
     * beside metrics.json: every format scanned in order, as the walk
     * does, finds one run.
     */
    list(&dl, "detectron2/with_events");
    for (size_t f = 0; formats[f]; f++)
        formats[f]->scan(&dl, &cs);
    is_int((long)cs.n, 1, "d2 with an event file beside it: one run");
    ok(cs.n == 1 && cs.c[0].format == &format_detectron2,
       "d2 with an event file beside it: read as detectron2");
    is_int((long)nclaimed(&dl), (long)dl.n,
           "d2 with an event file beside it: both files claimed");
    candidates_release(&cs);
    unlist(&dl);

    /* The same event file alone is a run of its own. */
    list(&dl, "tfevents/torch_newstyle");
    for (size_t f = 0; formats[f]; f++)
        formats[f]->scan(&dl, &cs);
    ok(cs.n == 1 && cs.c[0].format == &format_tfevents,
       "an event file alone is a run");
    candidates_release(&cs);
    unlist(&dl);
}

static void test_d2_read(void)
{
    struct metrics *m;
    const struct column *c;

    m = read_run(&format_detectron2, "detectron2/train");
    if (ok(m != NULL, "d2: train reads")) {
        is_str(m->format, "detectron2 metrics.json", "d2: format label");
        is_str(m->xname, "step", "d2: x is the iteration");
        is_int(m->xbase, -1, "d2: steps have no base");
        is_int((long)m->nrows, 11, "d2: ten records and the eta one");
        ok(metrics_x(m, 0) == 19 && metrics_x(m, 10) == 200,
           "d2: iterations 19 to 200");
        is_str(orig_of(m, "train_loss"), "total_loss",
               "d2: total_loss is train_loss");
        ok(orig_of(m, "loss_cls") == NULL && orig_of(m, "lr") == NULL &&
               metrics_find(m, "fast_rcnn/cls_accuracy"),
           "d2: other names kept");
        ok(metrics_find(m, "iteration") == NULL, "d2: no iteration column");
        is_int((long)m->ncols, 17, "d2: seventeen columns");
        is_double(cell(m, "train_loss", 0), 2.1714922274526915, 0,
                  "d2: first total_loss");
        is_double(cell(m, "eta_seconds", 9), -999, 0,
                  "d2: eta missing on the last record");
        is_double(cell(m, "train_loss", 10), -999, 0,
                  "d2: the eta-only record has no loss");
        is_double((double)metrics_line(m, 10), 11, 0, "d2: row lines");
        ok(has_note(m, "x is detectron2's iteration, counted from 0 (the "
                       "record at iteration 19 follows 20 iterations)"),
           "d2: note on x");
        ok(has_note(m, "train_loss (total_loss) and the loss_* terms are "
                       "medians over the last 20 iterations (the writer's "
                       "smoothing window), not single batches"),
           "d2: note on smoothing");
        metrics_free(m);
    }

    m = read_run(&format_detectron2, "detectron2/with_eval");
    if (ok(m != NULL, "d2: with_eval reads")) {
        is_int((long)m->nrows, 11, "d2: eval on a line of its own");
        is_double(cell(m, "bbox/AP", row_at(m, 99)), 23.934527287997305, 0,
                  "d2: AP on the training record");
        is_double(cell(m, "bbox/AP", row_at(m, 200)), 75.7732398239824, 0,
                  "d2: AP on its own line");
        is_double(cell(m, "bbox/AP", row_at(m, 119)), -999, 0,
                  "d2: no AP between evaluations");
        ok(metrics_find(m, "bbox/APs") == NULL,
           "d2: an AP that is NaN at every evaluation is left out");
        c = NULL;
        for (size_t i = 0; i < m->ncols; i++)
            if (m->cols[i].line_of_first_nonfinite)
                c = &m->cols[i];
        ok(c == NULL, "d2: no non-finite value left");
        ok(has_note(m, "bbox/AP (COCO average precision, in percent; higher "
                       "is better) is the usual metric to select a "
                       "checkpoint by"),
           "d2: note on bbox/AP");
        ok(has_note(m, "COCO AP is NaN where the evaluation set has no "
                       "object of that size or class, which says nothing of "
                       "training: the NaN values of bbox/APs (2 of 2) are "
                       "left out"),
           "d2: note on the NaN AP");
        metrics_free(m);
    }

    m = read_run(&format_detectron2, "detectron2/restarts");
    if (ok(m != NULL, "d2: restarts reads")) {
        is_int((long)m->nrows, 6, "d2: the last job's six records");
        ok(metrics_x(m, 0) == 9 && metrics_x(m, 5) == 99,
           "d2: iterations 9 to 99");
        is_double((double)metrics_line(m, 0), 7, 0, "d2: from line 7 on");
        ok(metrics_find(m, "loss_mask") == NULL,
           "d2: the earlier jobs' columns are gone");
        ok(has_note(m, "restarted jobs appended to the same metrics.json: 2 "
                       "times a record goes back to an iteration already "
                       "logged (first at line 2: iteration 9 after 9), and "
                       "the later records replace the earlier ones from "
                       "that iteration on"),
           "d2: note on the restarts");
        metrics_free(m);
    }

    m = read_run(&format_detectron2, "detectron2/cut");
    if (ok(m != NULL, "d2: cut reads")) {
        is_int((long)m->nrows, 3, "d2: the whole lines");
        ok(has_note(m, "the last line (4) is cut short, as when the job was "
                       "killed while writing it: left out"),
           "d2: note on the cut line");
        metrics_free(m);
    }

    m = read_run(&format_detectron2, "detectron2/val_loss");
    if (ok(m != NULL, "d2: val_loss reads")) {
        is_str(orig_of(m, "val_loss"), "validation_loss",
               "d2: validation_loss is val_loss");
        is_double(cell(m, "val_loss", row_at(m, 59)), 0.81, 0,
                  "d2: on the training record");
        is_double(cell(m, "val_loss", row_at(m, 99)), 0.74, 0,
                  "d2: on a line of its own, merged");
        ok(cell(m, "train_loss", row_at(m, 99)) > 0,
           "d2: beside the training values");
        metrics_free(m);
    }

    is_error(read_error(&format_detectron2, "detectron2/bad/metrics.json"),
             "detectron2/bad/metrics.json",
             ":3: did not find expected ',' or '}' (while parsing a flow "
             "mapping at line 3)",
             "d2: a bad line in the middle");
    is_error(
        read_error(&format_detectron2, "detectron2/not_d2/array/metrics.json"),
        "detectron2/not_d2/array/metrics.json", ":1: not a JSON object",
        "d2: a line that is not an object");
    is_error(
        read_error(&format_detectron2, "detectron2/not_d2/mmdet/metrics.json"),
        "detectron2/not_d2/mmdet/metrics.json",
        ": no records with an iteration and a value",
        "d2: no iteration anywhere");
    is_error(read_error(&format_detectron2, "detectron2/not_d2"),
             "detectron2/not_d2", ": cannot read: Is a directory",
             "d2: a folder");
}

int main(void)
{
    srcdir = getenv("srcdir");
    if (!srcdir)
        srcdir = ".";
    plan(138);
    test_hf_scan();
    test_hf_basic();
    test_hf_axes();
    test_hf_errors();
    test_d2_scan();
    test_d2_read();
    return done();
}
