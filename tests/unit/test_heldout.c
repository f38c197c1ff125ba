/*
 * test_heldout.c - held-out metrics by name, the rule each run is judged
 * by when none is given, and the rule most runs share.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "heldout.h"
#include "metrics.h"
#include "tap.h"
#include "util.h"

/* Is name a held-out metric of kind k, in direction max? */
static void kind(const char *name, enum heldout_kind k, bool max)
{
    bool got = !max;
    enum heldout_kind g = heldout_kind(name, &got);

    char *what = xasprintf("%s: kind %d %s", name, (int)k,
                           k == HELDOUT_NONE ? ""
                           : max             ? "max"
                                             : "min");

    ok(g == k && (k == HELDOUT_NONE || got == max), what);
    free(what);
}

static void test_kinds(void)
{
    kind("val_loss", HELDOUT_LOSS, false);
    kind("Valid/Loss", HELDOUT_LOSS, false);
    kind("ValLoss", HELDOUT_LOSS, false);
    kind("validation loss", HELDOUT_LOSS, false);
    kind("eval/loss", HELDOUT_LOSS, false);
    kind("test/RMSE", HELDOUT_ERROR, false);
    kind("val_wer", HELDOUT_ERROR, false);
    kind("eval/mean_absolute_error", HELDOUT_ERROR, false);
    kind("val_acc", HELDOUT_SCORE, true);
    kind("val/dice", HELDOUT_SCORE, true);
    kind("bbox/AP", HELDOUT_SCORE, true);
    kind("metrics/mAP50-95(B)", HELDOUT_SCORE, true);
    kind("metrics/mAP_0.5:0.95", HELDOUT_SCORE, true);
    kind("val_Weighted F1", HELDOUT_SCORE, true);
    /* Not held-out, or not a measure of the model. */
    kind("train_loss", HELDOUT_NONE, false);
    kind("loss", HELDOUT_NONE, false);
    kind("learn/RMSE", HELDOUT_NONE, false);
    kind("eval_runtime", HELDOUT_NONE, false);
    kind("eval_samples_per_second", HELDOUT_NONE, false);
    kind("val_gen_len", HELDOUT_NONE, false);
    kind("val/acc_best", HELDOUT_NONE, false);
    kind("test_counter", HELDOUT_NONE, false);
    kind("value", HELDOUT_NONE, false);
    kind("val_something", HELDOUT_NONE, false);
    ok(heldout_name_maximizes("top1_acc") && !heldout_name_maximizes("mape"),
       "direction from a name that is not held-out");
    ok(heldout_zero_chance("metrics/mAP50-95(B)") &&
           heldout_zero_chance("bbox/AP") && heldout_zero_chance("eval_bleu") &&
           heldout_zero_chance("val_iou"),
       "average precision, IoU and BLEU start at 0 untrained");
    ok(!heldout_zero_chance("val_acc") && !heldout_zero_chance("eval_f1") &&
           !heldout_zero_chance("val_auc") && !heldout_zero_chance("map") &&
           !heldout_zero_chance("train_mAP"),
       "accuracy, F1, AUC do not; nor a name that is no held-out score");
}

/* A one-row metrics with the given column names. */
static struct metrics *cols(const char *const *names, size_t n)
{
    struct metrics *m = metrics_new("mem.csv", "epoch");
    size_t row = metrics_add_row(m, 1, 2);

    for (size_t i = 0; i < n; i++)
        metrics_set(m, row, metrics_add_column(m, names[i]), 0.5);
    return m;
}

static void test_choose(void)
{
    static const char *const a[] = {"train_loss", "val_acc", "val/rmse",
                                    "val_loss"};
    static const char *const b[] = {"train_loss", "metrics/precision(B)",
                                    "metrics/mAP50(B)", "metrics/mAP50-95(B)"};
    static const char *const c[] = {"train_loss", "lr"};
    static const char *const d[] = {"loss", "val_acc", "val_f1"};
    struct rule r = {NULL, false};
    struct config cfg;
    struct metrics *m;
    const char *why = NULL;

    m = cols(a, 4);
    ok(heldout_choose(m, NULL, &r, &why) && !strcmp(r.metric, "val_loss") &&
           !r.maximize,
       "a held-out loss before an error rate and a score");
    metrics_hint(m, "val_acc", true, "the logger's own");
    ok(heldout_choose(m, NULL, &r, &why) && !strcmp(r.metric, "val_acc") &&
           r.maximize && !strcmp(why, "the logger's own"),
       "the logger's hint first");
    ok(heldout_preferred(m, &r, &why) && !strcmp(r.metric, "val_loss"),
       "hints aside: the loss");
    metrics_free(m);

    m = cols(b, 4);
    ok(heldout_choose(m, NULL, &r, &why) &&
           !strcmp(r.metric, "metrics/mAP50-95(B)") && r.maximize,
       "COCO mAP before mAP50 and precision");
    metrics_free(m);

    m = cols(c, 2);
    free(r.metric);
    r.metric = NULL;
    ok(!heldout_choose(m, NULL, &r, &why) && !r.metric,
       "no held-out column: none");
    metrics_free(m);

    m = cols(d, 3);
    config_init(&cfg);
    cfg.e = xcalloc(3, sizeof(*cfg.e));
    cfg.e[0].key = xstrdup("callbacks.early.monitor");
    cfg.e[0].value = xstrdup("val_acc");
    cfg.e[1].key = xstrdup("callbacks.checkpoint.monitor");
    cfg.e[1].value = xstrdup("val_f1");
    cfg.e[2].key = xstrdup("callbacks.checkpoint.mode");
    cfg.e[2].value = xstrdup("min");
    cfg.n = cfg.alloc = 3;
    ok(heldout_choose(m, &cfg, &r, &why) && !strcmp(r.metric, "val_f1") &&
           !r.maximize,
       "a checkpoint's monitor, with its mode");
    config_release(&cfg);
    metrics_free(m);
    free(r.metric);
}

static void test_shared(void)
{
    struct rule loss = {(char *)"val_loss", false};
    struct rule acc = {(char *)"val_acc", true};
    struct rule wer = {(char *)"val_wer", false};
    const struct rule *set1[] = {&acc, NULL, &loss, &acc};
    const struct rule *set2[] = {&acc, &wer, &loss};
    const struct rule *set3[] = {NULL, NULL};
    size_t n;

    ok(heldout_most_shared(set1, 4, &n) == 0 && n == 2,
       "the rule most runs share");
    ok(heldout_most_shared(set2, 3, &n) == 2 && n == 1,
       "a tie: a loss before an error rate before a score");
    ok(heldout_most_shared(set3, 2, &n) == SIZE_MAX && n == 0,
       "no run with a held-out metric: none");
}

int main(void)
{
    plan(36);
    test_kinds();
    test_choose();
    test_shared();
    return done();
}
