/*
 * test_diagnose.c - every diagnosis rule on small hand-made curves, both
 * sides of each threshold (the same curve judged with the threshold just
 * past it and just short of it), curves that must not fire, the seed
 * examples reproduced exactly, the thresholds API, and the man page
 * documenting every threshold.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diagnose.h"
#include "metrics.h"
#include "tap.h"

#define END 1e300 /* terminates a series literal */
#define X NAN     /* a nan logged in the file */
#define M 1e299   /* a missing cell */

struct col_spec {
    const char *name;
    double v[256];
};

/* Build metrics over epochs 1..n from named series. */
static struct metrics *build(const struct col_spec *cols, size_t ncols)
{
    struct metrics *m = metrics_new("test.csv", "epoch");
    size_t n = 0;

    while (cols[0].v[n] != END)
        n++;
    for (size_t c = 0; c < ncols; c++)
        metrics_add_column(m, cols[c].name);
    for (size_t r = 0; r < n; r++) {
        metrics_add_row(m, (double)(r + 1), r + 2);
        for (size_t c = 0; c < ncols; c++)
            if (cols[c].v[r] != M && cols[c].v[r] != END)
                metrics_set(m, r, c, cols[c].v[r]);
    }
    return m;
}

struct outcome {
    struct best best;
    struct diagnosis d;
};

static void run_opt(const struct col_spec *cols, size_t ncols, const char *rule,
                    const struct diag_options *opt, struct outcome *o)
{
    struct metrics *m = build(cols, ncols);
    char metric[64];
    struct rule r;
    const char *colon = strchr(rule, ':');
    const struct column *c;

    memcpy(metric, rule, (size_t)(colon - rule));
    metric[colon - rule] = '\0';
    r.metric = metric;
    r.maximize = !strcmp(colon + 1, "max");
    memset(o, 0, sizeof(*o));
    diagnosis_init(&o->d);
    c = metrics_find(m, metric);
    if (c)
        metrics_best(m, c, r.maximize, &o->best);
    diag_run(m, &r, &o->best, opt, &o->d);
    metrics_free(m);
}

static void run(const struct col_spec *cols, size_t ncols, const char *rule,
                struct outcome *o)
{
    run_opt(cols, ncols, rule, NULL, o);
}

static bool fired(const struct outcome *o, enum diag_code code)
{
    for (size_t i = 0; i < o->d.n; i++)
        if (o->d.f[i].code == code)
            return true;
    return false;
}

/* Options with one threshold set (name NULL: the defaults). */
static struct diag_options options(const char *name, const char *value,
                                   unsigned nclass)
{
    struct diag_options opt;
    char *why = NULL;

    diag_options_init(&opt);
    opt.num_classes = nclass;
    if (name && diag_threshold_set(&opt.t, name, value, &why)) {
        printf("# cannot set %s=%s: %s\n", name, value, why);
        free(why);
    }
    return opt;
}

/* Does code fire on cols (rule val_loss:min) with name=value? */
static bool fires_with(const struct col_spec *cols, size_t ncols,
                       enum diag_code code, const char *name, const char *value,
                       unsigned nclass)
{
    struct diag_options opt = options(name, value, nclass);
    struct outcome o;
    bool f;

    run_opt(cols, ncols, "val_loss:min", &opt, &o);
    f = fired(&o, code);
    diagnosis_release(&o.d);
    return f;
}

/*
 * Both sides of a threshold: code fires with name=yes and not with
 * name=no, on the same curves.
 */
static void sides(const char *what, const struct col_spec *cols, size_t ncols,
                  enum diag_code code, const char *name, const char *yes,
                  const char *no, unsigned nclass)
{
    char label[200];

    snprintf(label, sizeof(label), "%s: %s fires with %s=%s", what,
             diag_code_name(code), name, yes);
    ok(fires_with(cols, ncols, code, name, yes, nclass), label);
    snprintf(label, sizeof(label), "%s: %s does not fire with %s=%s", what,
             diag_code_name(code), name, no);
    ok(!fires_with(cols, ncols, code, name, no, nclass), label);
}

/* The main finding and the decision, with evidence for every finding. */
static void expect_opt(const char *name, const struct col_spec *cols,
                       size_t ncols, const char *rule,
                       const struct diag_options *opt, enum diag_code main_code,
                       enum decision decision)
{
    struct outcome o;
    char label[160];
    bool all;

    run_opt(cols, ncols, rule, opt, &o);
    snprintf(label, sizeof(label), "%s: main finding", name);
    is_str(diag_code_name(o.d.f[0].code), diag_code_name(main_code), label);
    snprintf(label, sizeof(label), "%s: decision", name);
    is_str(decision_name(o.d.decision), decision_name(decision), label);
    snprintf(label, sizeof(label), "%s: a full decision record", name);
    all = o.d.n > 0 && o.d.symptom && o.d.first_check && o.d.action &&
          o.d.success;
    for (size_t i = 0; i < o.d.n; i++)
        all = all && o.d.f[i].evidence && *o.d.f[i].evidence;
    ok(all, label);
    diagnosis_release(&o.d);
}

static void expect(const char *name, const struct col_spec *cols, size_t ncols,
                   const char *rule, enum diag_code main_code,
                   enum decision decision)
{
    expect_opt(name, cols, ncols, rule, NULL, main_code, decision);
}

static void expect_not(const char *name, const struct col_spec *cols,
                       size_t ncols, enum diag_code code)
{
    ok(!fires_with(cols, ncols, code, NULL, NULL, 0), name);
}

static bool contains(const char *s, const char *part)
{
    return s && strstr(s, part);
}

/* The seed examples: Lab 1's histories and the tiny validation log. */
static void test_seeds(void)
{
    static const struct col_spec underfit[] = {
        {"train_loss", {1.20, 1.08, 0.99, 0.94, END}},
        {"val_loss", {1.25, 1.13, 1.04, 1.02, END}}};
    static const struct col_spec overfit[] = {
        {"train_loss", {0.90, 0.55, 0.31, 0.18, END}},
        {"val_loss", {0.92, 0.63, 0.68, 0.82, END}}};
    static const struct col_spec unstable[] = {
        {"train_loss", {0.80, 1.65, 0.72, 1.48, END}},
        {"val_loss", {0.85, 1.70, 0.79, 1.55, END}}};
    static const struct col_spec tiny[] = {
        {"val_loss", {0.62, 0.51, 0.48, 0.49, 0.53, END}}};
    struct outcome o;

    expect("seed underfit_case", underfit, 2, "val_loss:min", DIAG_UNDERFITTING,
           DECISION_TUNE);
    expect("seed overfit_case", overfit, 2, "val_loss:min", DIAG_OVERFITTING,
           DECISION_TUNE);
    expect("seed unstable_case", unstable, 2, "val_loss:min", DIAG_UNSTABLE,
           DECISION_TUNE);

    run(tiny, 1, "val_loss:min", &o);
    ok(o.best.found, "seed val log: best found");
    is_double(o.best.x, 3, 0, "seed val log: best epoch 3");
    is_double(o.best.value, 0.48, 1e-12, "seed val log: best 0.48");
    is_double(o.best.last_x - o.best.x, 2, 0,
              "seed val log: last epoch is 2 after the best");
    ok(fired(&o, DIAG_NEED_MORE_SIGNALS),
       "seed val log: no training curve, so more signals are needed");
    ok(contains(o.d.note, "no training curve"),
       "seed val log: the note says the training curve is missing");
    diagnosis_release(&o.d);

    /* Thresholds on the seed cases, both sides. */
    sides("seed underfit", underfit, 2, DIAG_UNDERFITTING, "underfit_keep",
          "0.65", "0.85", 0);
    sides("seed overfit", overfit, 2, DIAG_OVERFITTING, "rel_worsen", "0.03",
          "0.5", 0);
    sides("seed overfit", overfit, 2, DIAG_OVERFITTING, "train_gain", "0.05",
          "0.9", 0);
    sides("seed underfit", underfit, 2, DIAG_NEED_MORE_SIGNALS, "min_points",
          "5", "4", 0);
}

/*
 * A call made by a small margin says so: the seed's overfitting case
 * ends 30% above its best level, so rel_worsen=0.29 passes by 4% of it.
 */
static void test_borderline(void)
{
    static const struct col_spec shift[] = {
        {"train_loss",
         {1.0, 0.8, 0.65, 0.55, 0.48, 0.43, 0.40, 0.38, 0.36, 0.35, 0.34, 0.33,
          0.32, 0.31, 0.30, 0.29, END}},
        {"val_loss",
         {1.0, 0.82, 0.68, 0.58, 0.51, 0.47, 0.44, 0.42, 1.5, 1.45, 1.42, 1.4,
          1.4, 1.38, 1.37, 1.36, END}}};
    static const struct col_spec overfit[] = {
        {"train_loss", {0.90, 0.55, 0.31, 0.18, END}},
        {"val_loss", {0.92, 0.63, 0.68, 0.82, END}}};
    struct diag_options opt;
    struct outcome o;
    char *why = NULL;

    run(overfit, 2, "val_loss:min", &o);
    ok(o.d.n && !o.d.f[0].borderline, "a rise of 30% against 3%: not "
                                      "borderline");
    ok(o.d.n && o.d.f[0].margin_of && o.d.f[0].margin > 0.1,
       "its margin is kept with the threshold's name");
    is_str(o.d.n ? diag_finding_name(&o.d.f[0]) : "", "overfitting",
           "a sure finding goes by its code");
    diagnosis_release(&o.d);

    opt = options("rel_worsen", "0.29", 0);
    run_opt(overfit, 2, "val_loss:min", &opt, &o);
    ok(fired(&o, DIAG_OVERFITTING) && o.d.f[0].borderline,
       "a rise of 30% against 29%: borderline");
    is_str(o.d.n && o.d.f[0].margin_of ? o.d.f[0].margin_of : "", "rel_worsen",
           "borderline names the closest threshold");
    is_double(o.d.n ? o.d.f[0].margin : 0, (0.19 - 0.29 * 0.63) / (0.29 * 0.63),
              1e-9, "borderline: the share it was passed by");
    is_str(o.d.n ? diag_finding_name(&o.d.f[0]) : "",
           "overfitting (borderline)", "a borderline finding says so");
    diagnosis_release(&o.d);

    ok(!diag_threshold_set(&opt.t, "borderline", "0.01", &why),
       "borderline can be set");
    run_opt(overfit, 2, "val_loss:min", &opt, &o);
    ok(fired(&o, DIAG_OVERFITTING) && !o.d.f[0].borderline,
       "4% is not borderline with borderline=0.01");
    diagnosis_release(&o.d);

    /* A step that held about x3 from its level, against shift_step 3. */
    run(shift, 2, "val_loss:min", &o);
    ok(fired(&o, DIAG_METRIC_SHIFT) && !o.d.f[0].borderline,
       "a shift far past shift_step is not borderline");
    diagnosis_release(&o.d);
    opt = options("shift_step", "3", 0);
    run_opt(shift, 2, "val_loss:min", &opt, &o);
    ok(fired(&o, DIAG_METRIC_SHIFT) && o.d.f[0].borderline &&
           o.d.f[0].margin_of && !strcmp(o.d.f[0].margin_of, "shift_step"),
       "a shift just past shift_step=3 is borderline on it");
    diagnosis_release(&o.d);
}

static void test_non_finite(void)
{
    static const struct col_spec late[] = {
        {"train_loss", {1.0, 0.6, 3.0, X, X, END}},
        {"val_loss", {1.05, 0.7, 2.5, X, X, END}}};
    static const struct col_spec early[] = {{"train_loss", {X, X, X, X, END}},
                                            {"val_loss", {X, X, X, X, END}}};
    static const struct col_spec gradnan[] = {
        {"train_loss", {1.0, 0.6, 0.4, 0.3, END}},
        {"val_loss", {1.05, 0.7, 0.5, 0.45, END}},
        {"grad_nonfinite", {0, 0, 3, 0, END}}};
    static const struct col_spec gradnorm_nan[] = {
        {"train_loss", {1.0, 0.6, 0.4, 0.3, END}},
        {"val_loss", {1.05, 0.7, 0.5, 0.45, END}},
        {"grad_norm", {2.0, 1.5, X, 1.2, END}}};
    static const struct col_spec sparse[] = {
        {"train_loss", {1.0, 0.8, 0.6, 0.5, 0.45, 0.42, END}},
        {"val_loss", {M, 0.85, M, 0.6, M, 0.55, END}}};
    static const struct col_spec nan_best[] = {
        {"val_loss", {0.5, X, 0.4, 0.45, END}}};
    struct outcome o;

    expect("nan loss", late, 2, "val_loss:min", DIAG_NON_FINITE,
           DECISION_INVESTIGATE);
    run(late, 2, "val_loss:min", &o);
    ok(contains(o.d.action, "lower the learning rate 10x"),
       "nan after finite values: lower the learning rate");
    ok(contains(o.d.f[0].evidence, "epoch 4 (line 5)"),
       "nan: the evidence names the epoch and the line");
    diagnosis_release(&o.d);
    run(early, 2, "val_loss:min", &o);
    ok(contains(o.d.first_check, "one batch before any update") &&
           contains(o.d.action, "numerically stable"),
       "nan from the first value: check the loss before any update");
    diagnosis_release(&o.d);
    expect("non-finite gradients", gradnan, 3, "val_loss:min", DIAG_NON_FINITE,
           DECISION_INVESTIGATE);
    run(gradnorm_nan, 3, "val_loss:min", &o);
    ok(o.d.f[0].code == DIAG_NON_FINITE &&
           contains(o.d.f[0].evidence, "grad_norm is nan") &&
           !contains(o.d.note, "non-finite gradients"),
       "a nan grad_norm is a non-finite finding, and the note does not "
       "call the gradients unchecked");
    diagnosis_release(&o.d);

    run(sparse, 2, "val_loss:min", &o);
    is_double(o.best.x, 6, 0, "sparse rows: best at epoch 6");
    ok(!fired(&o, DIAG_NON_FINITE),
       "sparse rows: missing cells are not non-finite");
    diagnosis_release(&o.d);
    run(nan_best, 1, "val_loss:min", &o);
    is_double(o.best.value, 0.4, 0, "nan never wins the best");
    diagnosis_release(&o.d);
}

static void test_collapse(void)
{
    static const struct col_spec collapse[] = {
        {"train_loss", {0.70, 0.69, 0.69, 0.69, END}},
        {"val_loss", {0.70, 0.69, 0.69, 0.69, END}},
        {"pred_count_0", {3, 1, 0, 0, END}},
        {"pred_count_1", {9, 11, 12, 12, END}}};
    static const struct col_spec balanced[] = {
        {"train_loss", {0.70, 0.5, 0.4, 0.35, END}},
        {"val_loss", {0.70, 0.55, 0.45, 0.44, END}},
        {"pred_count_0", {5, 6, 6, 6, END}},
        {"pred_count_1", {7, 6, 6, 6, END}}};
    static const struct col_spec lean[] = {
        {"train_loss", {0.70, 0.5, 0.4, 0.35, END}},
        {"val_loss", {0.70, 0.55, 0.45, 0.44, END}},
        {"pred_count_0", {2, 2, 2, 2, END}},
        {"pred_count_1", {10, 10, 10, 10, END}}};
    struct outcome o;

    expect("prediction collapse", collapse, 4, "val_loss:min",
           DIAG_PREDICTION_COLLAPSE, DECISION_INVESTIGATE);
    run(collapse, 4, "val_loss:min", &o);
    ok(contains(o.d.f[0].evidence, "its share was 75%"),
       "collapse: the evidence gives the drift from the first epoch");
    diagnosis_release(&o.d);
    expect_not("balanced predictions are not a collapse", balanced, 4,
               DIAG_PREDICTION_COLLAPSE);
    sides("83% on one class", lean, 4, DIAG_PREDICTION_COLLAPSE,
          "collapse_share", "0.8", "0.9", 0);
}

static void test_metric_shift(void)
{
    /* val_loss triples at epoch 9 and stays; train_loss does not. */
    static const struct col_spec shift[] = {
        {"train_loss",
         {1.0, 0.8, 0.65, 0.55, 0.48, 0.43, 0.40, 0.38, 0.36, 0.35, 0.34, 0.33,
          0.32, 0.31, 0.30, 0.29, END}},
        {"val_loss",
         {1.0, 0.82, 0.68, 0.58, 0.51, 0.47, 0.44, 0.42, 1.5, 1.45, 1.42, 1.4,
          1.4, 1.38, 1.37, 1.36, END}}};
    static const struct col_spec leak[] = {
        {"train_loss",
         {1.0, 0.8, 0.65, 0.55, 0.48, 0.43, 0.40, 0.38, 0.36, 0.35, 0.34, 0.33,
          0.32, 0.31, 0.30, 0.29, END}},
        {"val_loss",
         {1.0, 0.82, 0.68, 0.58, 0.51, 0.47, 0.44, 0.42, 0.1, 0.098, 0.096,
          0.095, 0.094, 0.093, 0.092, 0.091, END}}};
    static const struct col_spec spike[] = {
        {"train_loss",
         {1.0, 0.8, 0.65, 0.55, 0.48, 0.43, 0.40, 0.38, 0.36, 0.35, 0.34, 0.33,
          0.32, 0.31, 0.30, 0.29, END}},
        {"val_loss",
         {1.0, 0.82, 0.68, 0.58, 0.51, 0.47, 0.44, 0.42, 1.5, 0.41, 0.40, 0.39,
          0.385, 0.38, 0.375, 0.37, END}}};
    static const struct col_spec shared[] = {
        {"train_loss",
         {1.0, 0.8, 0.65, 0.55, 0.48, 0.43, 0.40, 0.38, 1.3, 1.25, 1.2, 1.18,
          1.16, 1.15, 1.14, 1.13, END}},
        {"val_loss",
         {1.0, 0.82, 0.68, 0.58, 0.51, 0.47, 0.44, 0.42, 1.5, 1.45, 1.42, 1.4,
          1.4, 1.38, 1.37, 1.36, END}}};
    static const struct col_spec dead[] = {
        {"train_loss", {1.0, 0.8, 0.65, 0.55, 0.48, 0.43, 0.40, 0.38, END}},
        {"val_loss", {1.0, 0.85, 0.7, 0.62, 0.56, 0.52, 0.5, 0.49, END}},
        {"val_acc", {0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, END}}};
    static const struct col_spec one_class[] = {
        {"train_loss", {1.0, 0.8, 0.65, 0.55, 0.48, 0.43, 0.40, 0.38, END}},
        {"val_loss", {1.0, 0.85, 0.7, 0.62, 0.56, 0.52, 0.5, 0.49, END}},
        {"train/cls_loss", {0, 0, 0, 0, 0, 0, 0, 0, END}},
        {"val/cls_loss", {0, 0, 0, 0, 0, 0, 0, 0, END}}};
    /* A held-out loss term that only training computes: 0 throughout. */
    static const struct col_spec train_only_term[] = {
        {"train_loss", {1.0, 0.8, 0.65, 0.55, 0.48, 0.43, 0.40, 0.38, END}},
        {"val_loss", {1.0, 0.85, 0.7, 0.62, 0.56, 0.52, 0.5, 0.49, END}},
        {"train/rle_loss", {3, 2.5, 2.2, 2, 1.9, 1.8, 1.7, 1.65, END}},
        {"val/rle_loss", {0, 0, 0, 0, 0, 0, 0, 0, END}}};
    /* The training loss reaches 0 while the held-out score never moves. */
    static const struct col_spec to_zero[] = {
        {"train_loss", {0.04, 0.02, 0.01, 0.005, 0, 0, 0, 0, END}},
        {"val_loss",
         {0.31, 0.313, 0.313, 0.313, 0.313, 0.313, 0.313, 0.313, END}},
        {"val_acc", {1, 1, 1, 1, 1, 1, 1, 1, END}}};
    /* The held-out loss drops to a new level at point 3 of 40 (a warm-up
     * ending) while the averaged training loss hardly moves. */
    static const struct col_spec early[] = {
        {"train_loss",
         {1.0,  0.99, 0.98, 0.97, 0.96, 0.95, 0.94, 0.93, 0.92, 0.91, 0.90,
          0.89, 0.88, 0.87, 0.86, 0.85, 0.84, 0.83, 0.82, 0.81, 0.80, 0.79,
          0.78, 0.77, 0.76, 0.75, 0.74, 0.73, 0.72, 0.71, 0.70, 0.69, 0.68,
          0.67, 0.66, 0.65, 0.64, 0.63, 0.62, 0.61, END}},
        {"val_loss",
         {2.0,  2.0,  2.0,  1.0,  0.99, 0.98, 0.97, 0.96, 0.95, 0.94, 0.93,
          0.92, 0.91, 0.90, 0.89, 0.88, 0.87, 0.86, 0.85, 0.84, 0.83, 0.82,
          0.81, 0.80, 0.79, 0.78, 0.77, 0.76, 0.75, 0.74, 0.73, 0.72, 0.71,
          0.70, 0.69, 0.68, 0.67, 0.66, 0.65, 0.64, END}}};
    /* A settled level of 0.5 steps down to 0.3 and stays: a shift. */
    static const struct col_spec settled[] = {
        {"train_loss",
         {1.0, 0.99, 0.98, 0.97, 0.96, 0.95, 0.94, 0.93, 0.92, 0.91, 0.90, 0.89,
          0.88, 0.87, 0.86, 0.85, END}},
        {"val_loss",
         {0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.3, 0.3, 0.3, 0.3,
          0.3, 0.3, END}}};
    /* The same, but the step down comes out of a two-point spike. */
    static const struct col_spec unsettled[] = {
        {"train_loss",
         {1.0, 0.99, 0.98, 0.97, 0.96, 0.95, 0.94, 0.93, 0.92, 0.91, 0.90, 0.89,
          0.88, 0.87, 0.86, 0.85, END}},
        {"val_loss",
         {0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 3.0, 4.0, 0.3, 0.3, 0.3, 0.3,
          0.3, 0.3, END}}};
    struct outcome o;

    sides("a step down at point 3 of 40", early, 2, DIAG_METRIC_SHIFT,
          "shift_skip", "0", "0.1", 0);
    sides("a step at point 8 of 16", shift, 2, DIAG_METRIC_SHIFT, "shift_skip",
          "0.1", "0.6", 0);
    expect("a settled level steps down", settled, 2, "val_loss:min",
           DIAG_METRIC_SHIFT, DECISION_INVESTIGATE);
    expect_not("the way down from a spike is not a shift", unsettled, 2,
               DIAG_METRIC_SHIFT);
    expect_not("a held-out loss term at 0 throughout is not dead",
               train_only_term, 4, DIAG_METRIC_SHIFT);
    expect("a constant score while the training loss falls to 0", to_zero, 3,
           "val_acc:max", DIAG_METRIC_SHIFT, DECISION_INVESTIGATE);
    expect("metric shift", shift, 2, "val_loss:min", DIAG_METRIC_SHIFT,
           DECISION_INVESTIGATE);
    run(shift, 2, "val_loss:min", &o);
    ok(contains(o.d.f[0].evidence, "stepped up from 0.42 at epoch 8 to 1.5 "
                                   "at epoch 9"),
       "metric shift: the evidence names the step and its epochs");
    ok(o.d.n >= 2 && o.d.f[1].code == DIAG_OVERFITTING,
       "metric shift ranks above the overfitting it looks like");
    ok(contains(o.d.first_check, "epoch 9"),
       "metric shift: the first check names the epoch of the step");
    diagnosis_release(&o.d);
    run(leak, 2, "val_loss:min", &o);
    ok(o.d.f[0].code == DIAG_METRIC_SHIFT &&
           contains(o.d.f[0].evidence, "stepped down"),
       "a held-out loss that steps down alone is a shift too");
    diagnosis_release(&o.d);
    expect_not("a one-point spike is not a shift", spike, 2, DIAG_METRIC_SHIFT);
    expect_not("a step the training loss shares is not a shift", shared, 2,
               DIAG_METRIC_SHIFT);
    sides("metric shift", shift, 2, DIAG_METRIC_SHIFT, "shift_step", "1.4", "4",
          0);
    sides("metric shift", shift, 2, DIAG_METRIC_SHIFT, "shift_noise", "8",
          "100", 0);
    sides("metric shift", shift, 2, DIAG_METRIC_SHIFT, "shift_train", "0.15",
          "0.01", 0);
    sides("metric shift", shift, 2, DIAG_METRIC_SHIFT, "shift_persist", "5",
          "9", 0);

    run(dead, 3, "val_loss:min", &o);
    ok(o.d.f[0].code == DIAG_METRIC_SHIFT &&
           contains(o.d.f[0].evidence, "val_acc is exactly 0.5 at every one "
                                       "of 8"),
       "a held-out metric that never changes is a dead metric");
    ok(contains(o.d.first_check, "held-out labels"),
       "dead metric: check the labels and the evaluation code first");
    diagnosis_release(&o.d);
    expect_not("a term constant in training too is not dead", one_class, 4,
               DIAG_METRIC_SHIFT);
    sides("dead metric", dead, 3, DIAG_METRIC_SHIFT, "dead_min_points", "8",
          "9", 0);
}

static void test_leakage(void)
{
    static const struct col_spec leak[] = {
        {"train_loss", {1.0, 0.7, 0.55, 0.45, 0.4, 0.37, 0.35, 0.34, END}},
        {"val_loss", {0.9, 0.6, 0.45, 0.36, 0.31, 0.29, 0.28, 0.275, END}},
        {"train_acc", {0.5, 0.65, 0.72, 0.76, 0.78, 0.79, 0.8, 0.8, END}},
        {"val_acc", {0.6, 0.8, 0.88, 0.92, 0.94, 0.95, 0.95, 0.95, END}}};
    static const struct col_spec half[] = {
        {"train_loss", {1.0, 0.7, 0.55, 0.45, 0.4, 0.37, 0.35, 0.34, END}},
        {"val_loss", {0.9, 0.6, 0.45, 0.36, 0.31, 0.29, 0.28, 0.275, END}},
        {"train_acc", {0.5, 0.65, 0.72, 0.76, 0.78, 0.79, 0.8, 0.8, END}},
        {"val_acc", {0.6, 0.8, 0.88, 0.92, 0.94, 0.95, 0.82, 0.82, END}}};
    static const struct col_spec percent[] = {
        {"train_loss", {1.0, 0.7, 0.55, 0.45, 0.4, 0.37, 0.35, 0.34, END}},
        {"val_loss", {0.9, 0.6, 0.45, 0.36, 0.31, 0.29, 0.28, 0.275, END}},
        {"train_acc", {50, 65, 72, 76, 78, 79, 80, 80, END}},
        {"val_acc", {60, 80, 88, 92, 94, 95, 95, 95, END}}};
    static const struct col_spec perfect[] = {
        {"train_loss", {1.0, 0.7, 0.55, 0.45, 0.4, 0.37, 0.35, 0.34, END}},
        {"val_loss", {0.9, 0.6, 0.45, 0.36, 0.31, 0.29, 0.28, 0.275, END}},
        {"train_acc", {0.5, 0.65, 0.72, 0.76, 0.78, 0.79, 0.8, 0.8, END}},
        {"val_acc", {0.6, 0.8, 0.9, 1, 1, 1, 1, 1, END}}};
    /* A model at chance: the held-out split is luckier, not leaked. */
    static const struct col_spec chance[] = {
        {"train_loss",
         {1.15, 1.148, 1.146, 1.144, 1.142, 1.14, 1.138, 1.136, END}},
        {"val_loss",
         {1.09, 1.089, 1.088, 1.087, 1.086, 1.085, 1.084, 1.083, END}},
        {"train_acc", {0.19, 0.19, 0.19, 0.19, 0.19, 0.19, 0.2, 0.2, END}},
        {"val_acc", {0.39, 0.39, 0.39, 0.39, 0.39, 0.41, 0.41, 0.44, END}}};
    struct outcome o;

    expect("held-out accuracy above training", leak, 4, "val_loss:min",
           DIAG_SUSPECTED_LEAKAGE, DECISION_INVESTIGATE);
    run(leak, 4, "val_loss:min", &o);
    ok(contains(o.d.first_check, "dropout or augmentation that acts only in "
                                 "training first"),
       "leakage: check train-only regularisation first");
    diagnosis_release(&o.d);
    run(perfect, 4, "val_loss:min", &o);
    ok(o.d.f[0].code == DIAG_SUSPECTED_LEAKAGE &&
           contains(o.d.first_check, "the split first"),
       "leakage with a perfect held-out score: check the split first");
    diagnosis_release(&o.d);
    ok(fires_with(percent, 4, DIAG_SUSPECTED_LEAKAGE, NULL, NULL, 0),
       "leakage: accuracies in percent are read as such");
    expect_not("a model at chance on a luckier split is not leakage", chance, 4,
               DIAG_SUSPECTED_LEAKAGE);
    sides("leakage", leak, 4, DIAG_SUSPECTED_LEAKAGE, "leak_gap", "0.05", "0.2",
          0);
    sides("leakage", leak, 4, DIAG_SUSPECTED_LEAKAGE, "leak_err_ratio", "0.5",
          "0.2", 0);
    sides("leakage on half the epochs", half, 4, DIAG_SUSPECTED_LEAKAGE,
          "leak_share", "0.5", "0.8", 0);
}

static void test_bad_init(void)
{
    static const struct col_spec init[] = {
        {"train_loss", {10.0, 6.0, 3.0, 1.5, 0.9, 0.7, 0.6, 0.55, END}},
        {"val_loss", {8.0, 5.0, 2.5, 1.3, 0.9, 0.75, 0.68, 0.66, END}}};
    static const struct col_spec counted[] = {
        {"train_loss", {10.0, 6.0, 3.0, 1.5, 0.9, 0.7, 0.6, 0.55, END}},
        {"val_loss", {8.0, 5.0, 2.5, 1.3, 0.9, 0.75, 0.68, 0.66, END}},
        {"pred_count_a", {5, 6, 6, 6, 6, 6, 6, 6, END}},
        {"pred_count_b", {7, 6, 6, 6, 6, 6, 6, 6, END}}};
    /* A learning rate too high climbs above its first value. */
    static const struct col_spec climbs[] = {
        {"train_loss", {10.0, 12.0, 3.0, 1.5, 0.9, 0.7, 0.6, 0.55, END}},
        {"val_loss", {8.0, 9.0, 2.5, 1.3, 0.9, 0.75, 0.68, 0.66, END}}};
    struct diag_options two = options(NULL, NULL, 2);
    struct outcome o;

    expect_opt("bad initialisation", init, 2, "val_loss:min", &two,
               DIAG_BAD_INIT, DECISION_TUNE);
    run_opt(init, 2, "val_loss:min", &two, &o);
    ok(contains(o.d.f[0].evidence, "14.4 times ln 2"),
       "bad_init: the evidence gives the ratio to ln(classes)");
    ok(contains(o.d.success, "below 2.07944"),
       "bad_init: the success rule names the first loss to reach");
    diagnosis_release(&o.d);
    run(init, 2, "val_loss:min", &o);
    ok(!fired(&o, DIAG_BAD_INIT) && contains(o.d.note, "initial loss"),
       "bad_init: not checked, and said so, when the classes are unknown");
    diagnosis_release(&o.d);
    ok(fires_with(counted, 4, DIAG_BAD_INIT, NULL, NULL, 0),
       "bad_init: the classes come from pred_count_* columns");
    ok(!fires_with(climbs, 2, DIAG_BAD_INIT, NULL, NULL, 2),
       "a first loss the curve climbs above is not bad_init");
    sides("bad initialisation", init, 2, DIAG_BAD_INIT, "init_ratio", "3", "20",
          2);
}

static void test_unstable(void)
{
    /* Jumps by about 40% of the level, and ending below the start. */
    static const struct col_spec jumpy[] = {
        {"train_loss", {1.0, 1.4, 0.8, 1.2, 0.7, 1.05, 0.6, 0.55, END}},
        {"val_loss", {1.0, 1.3, 0.85, 1.15, 0.75, 1.0, 0.65, 0.6, END}}};
    static const struct col_spec one_spike[] = {
        {"train_loss", {1.0, 0.8, 0.65, 1.1, 0.55, 0.5, 0.46, 0.43, END}},
        {"val_loss", {1.0, 0.82, 0.7, 0.66, 0.6, 0.57, 0.55, 0.54, END}}};
    /* A loss that fell near zero wiggles by its whole tiny level. */
    static const struct col_spec near_zero[] = {
        {"train_loss",
         {10, 3, 1, 0.3, 0.1, 0.03, 0.01, 0.02, 0.01, 0.02, 0.01, 0.02, END}},
        {"val_loss",
         {10, 3.1, 1.1, 0.4, 0.2, 0.15, 0.12, 0.11, 0.1, 0.1, 0.1, 0.1, END}}};
    /* The held-out loss jumps while the training loss falls smoothly. */
    static const struct col_spec val_jumps[] = {
        {"train_loss",
         {1.0, 0.8, 0.65, 0.55, 0.47, 0.41, 0.37, 0.34, 0.32, 0.30, END}},
        {"val_loss",
         {1.0, 0.9, 1.3, 0.8, 1.2, 0.75, 1.15, 0.7, 1.1, 0.7, END}}};
    static const struct col_spec diverged[] = {
        {"train_loss",
         {1.0, 0.8, 0.6, 0.5, 0.55, 0.6, 0.7, 0.8, 0.9, 1.0, 1.1, END}},
        {"val_loss",
         {1.0, 0.82, 0.63, 0.55, 0.58, 0.63, 0.72, 0.82, 0.92, 1.02, 1.12,
          END}}};
    static const struct col_spec spikes[] = {
        {"train_loss",
         {1.0, 0.8, 0.65, 0.55, 0.48, 0.43, 0.40, 0.38, 0.36, 0.35, 0.34, 0.33,
          END}},
        {"val_loss",
         {1.0, 0.82, 0.68, 0.58, 0.51, 0.47, 0.45, 0.44, 0.43, 0.425, 0.42,
          0.418, END}},
        {"grad_norm", {1, 1, 1.1, 0.9, 1, 20, 1, 1, 1.1, 1, 25, 1, END}}};
    static const struct col_spec one_grad_spike[] = {
        {"train_loss",
         {1.0, 0.8, 0.65, 0.55, 0.48, 0.43, 0.40, 0.38, 0.36, 0.35, 0.34, 0.33,
          END}},
        {"val_loss",
         {1.0, 0.82, 0.68, 0.58, 0.51, 0.47, 0.45, 0.44, 0.43, 0.425, 0.42,
          0.418, END}},
        {"grad_norm", {1, 1, 1.1, 0.9, 1, 20, 1, 1, 1.1, 1, 1, 1, END}}};
    /* Converging: the norm falls 1000x, which is not a spike. */
    static const struct col_spec converging[] = {
        {"train_loss",
         {1.0, 0.5, 0.25, 0.12, 0.06, 0.03, 0.015, 0.008, 0.004, 0.002, 0.001,
          0.0005, END}},
        {"val_loss",
         {1.0, 0.55, 0.32, 0.2, 0.15, 0.12, 0.11, 0.105, 0.1, 0.099, 0.098,
          0.0975, END}},
        {"grad_norm",
         {1, 0.5, 0.25, 0.12, 0.06, 0.03, 0.015, 0.008, 0.004, 0.002, 0.001,
          0.001, END}}};
    static struct col_spec noisy[2] = {{"train_loss", {0}}, {"val_loss", {0}}};
    static struct col_spec spiky[2] = {{"train_loss", {0}}, {"val_loss", {0}}};
    static struct col_spec wide[2] = {{"train_loss", {0}}, {"val_loss", {0}}};
    static struct col_spec steplog[2] = {{"train_loss", {0}},
                                         {"val_loss", {0}}};
    struct outcome o;
    unsigned seed = 12345;

    expect("a loss jumping up and down", jumpy, 2, "val_loss:min",
           DIAG_UNSTABLE, DECISION_TUNE);
    sides("jumps", jumpy, 2, DIAG_UNSTABLE, "jump_frac", "0.25", "0.5", 0);
    sides("jumps", jumpy, 2, DIAG_UNSTABLE, "min_jumps", "3", "4", 0);
    expect_not("one bad batch is not instability", one_spike, 2, DIAG_UNSTABLE);
    sides("one bad batch", one_spike, 2, DIAG_UNSTABLE, "min_jumps", "1", "2",
          0);
    expect_not("a loss wiggling near zero is not unstable", near_zero, 2,
               DIAG_UNSTABLE);
    sides("a loss near zero", near_zero, 2, DIAG_UNSTABLE, "jump_range", "0",
          "0.1", 0);
    run(val_jumps, 2, "val_loss:min", &o);
    ok(o.d.f[0].code == DIAG_UNSTABLE &&
           contains(o.d.action, "larger held-out set") &&
           !contains(o.d.action, "learning rate"),
       "held-out jumps while training falls smoothly: a noisy held-out "
       "measure, not the learning rate");
    diagnosis_release(&o.d);
    {
        struct diag_options op = options("jump_train_keep", "0.2", 0);

        run_opt(val_jumps, 2, "val_loss:min", &op, &o);
        ok(o.d.f[0].code == DIAG_UNSTABLE &&
               contains(o.d.action, "learning rate"),
           "held-out jumps while training kept 30% of its start "
           "(jump_train_keep=0.2): the model's instability");
        diagnosis_release(&o.d);
    }
    expect("diverged", diverged, 2, "val_loss:min", DIAG_UNSTABLE,
           DECISION_TUNE);
    run(diverged, 2, "val_loss:min", &o);
    ok(contains(o.d.f[0].evidence, "diverged"),
       "a slow rise above the start is a divergence, not jumps");
    diagnosis_release(&o.d);
    {
        struct diag_options op = options("diverge_ratio", "2.5", 0);

        ok(fires_with(diverged, 2, DIAG_UNSTABLE, "diverge_ratio", "1.5", 0),
           "diverged: unstable fires with diverge_ratio=1.5");
        run_opt(diverged, 2, "val_loss:min", &op, &o);
        ok(fired(&o, DIAG_UNSTABLE) && o.d.n &&
               !contains(o.d.f[0].evidence, "diverged:") &&
               contains(o.d.f[0].evidence, "diverging slowly"),
           "diverged: below diverge_ratio, a slow divergence");
        diagnosis_release(&o.d);
    }

    expect("exploding gradients", spikes, 3, "val_loss:min", DIAG_UNSTABLE,
           DECISION_TUNE);
    run(spikes, 3, "val_loss:min", &o);
    ok(contains(o.d.f[0].evidence, "grad_norm spiked") &&
           contains(o.d.action, "clip the gradient norm at 1"),
       "exploding gradients: evidence and a clipping action");
    diagnosis_release(&o.d);
    sides("gradient spikes", spikes, 3, DIAG_UNSTABLE, "spike_ratio", "10",
          "30", 0);
    sides("gradient spikes", spikes, 3, DIAG_UNSTABLE, "min_spikes", "2", "3",
          0);
    sides("gradient spikes", spikes, 3, DIAG_UNSTABLE, "spike_window", "5",
          "11", 0);
    {
        /* The same spikes, from a trainer that clips the norm at 1. */
        struct metrics *m = build(spikes, 3);
        struct rule r = {(char *)"val_loss", false};

        memset(&o, 0, sizeof(o));
        diagnosis_init(&o.d);
        m->grad_clip = 1;
        metrics_best(m, metrics_find(m, "val_loss"), false, &o.best);
        diag_run(m, &r, &o.best, NULL, &o.d);
        ok(!fired(&o, DIAG_UNSTABLE) && o.d.note &&
               contains(o.d.note, "the trainer clips it at 1, so those "
                                  "updates were capped"),
           "clipped gradient spikes are not exploding gradients");
        diagnosis_release(&o.d);
        metrics_free(m);
    }
    expect_not("one gradient spike is not a trend", one_grad_spike, 3,
               DIAG_UNSTABLE);
    expect_not("a gradient norm falling as the loss converges is not "
               "unstable",
               converging, 3, DIAG_UNSTABLE);
    expect_not("a gradient norm falling as the loss converges is not "
               "vanishing",
               converging, 3, DIAG_UNDERFITTING);

    /* A long, noisy but healthy step-level curve. */
    for (size_t i = 0; i < 200; i++) {
        double t = 2.0 * exp(-(double)i / 50) + 0.3, n1, n2;

        seed = seed * 1103515245u + 12345u;
        n1 = ((double)(seed >> 16 & 0x7fff) / 32767.0 - 0.5) * 0.08;
        seed = seed * 1103515245u + 12345u;
        n2 = ((double)(seed >> 16 & 0x7fff) / 32767.0 - 0.5) * 0.04;
        noisy[0].v[i] = t * (1 + n1);
        noisy[1].v[i] = (t + 0.05) * (1 + n2);
    }
    noisy[0].v[200] = END;
    noisy[1].v[200] = END;
    expect_not("a noisy healthy curve is not unstable", noisy, 2,
               DIAG_UNSTABLE);
    expect_not("a noisy healthy curve is not overfitting", noisy, 2,
               DIAG_OVERFITTING);
    expect_not("a noisy healthy curve has no metric shift", noisy, 2,
               DIAG_METRIC_SHIFT);

    /*
     * 80 points with a one-point spike every 8: smoothing (the default
     * above 60 points) removes them, judging the raw points does not.
     */
    for (size_t i = 0; i < 80; i++) {
        double t = 1.0 * exp(-(double)i / 30) + 0.2;

        spiky[0].v[i] = i % 8 == 4 ? t * 1.8 : t;
        spiky[1].v[i] = t + 0.05;
    }
    spiky[0].v[80] = END;
    spiky[1].v[80] = END;
    sides("one-point spikes in 80 points", spiky, 2, DIAG_UNSTABLE,
          "smooth_above", "100", "60", 0);

    /*
     * 100 step-level points that swing by half their level from one log
     * step to the next: rises that survive smoothing are within the
     * curve's own noise, so they are no jumps.
     */
    for (size_t i = 0; i < 100; i++) {
        double t = 1.0 * exp(-(double)i / 60) + 0.3, n1;

        seed = seed * 1103515245u + 12345u;
        n1 = ((double)(seed >> 16 & 0x7fff) / 32767.0 - 0.5) * 1.2;
        steplog[0].v[i] = t * (1 + n1);
        steplog[1].v[i] = t + 0.05;
    }
    steplog[0].v[100] = END;
    steplog[1].v[100] = END;
    sides("a noisy step-level log", steplog, 2, DIAG_UNSTABLE, "jump_noise",
          "0", "2", 0);

    /*
     * 190 step-level points with noise of +-65% of their level: a few of
     * the rises left after smoothing pass twice the local median change
     * by chance; none pass three times it.
     */
    seed = 7;
    for (size_t i = 0; i < 190; i++) {
        double t = 0.6 * exp(-(double)i / 40) + 0.25, n1;

        seed = seed * 1103515245u + 12345u;
        n1 = ((double)(seed >> 16 & 0x7fff) / 32767.0 - 0.5) * 1.3;
        wide[0].v[i] = t * (1 + n1);
        wide[1].v[i] = t + 0.05;
    }
    wide[0].v[190] = END;
    wide[1].v[190] = END;
    sides("noise of +-65% in 190 points", wide, 2, DIAG_UNSTABLE, "jump_noise",
          "2", "3", 0);
    expect_not("noise of +-65% in 190 points is not unstable", wide, 2,
               DIAG_UNSTABLE);
}

static void test_overfitting(void)
{
    static const struct col_spec acc_overfit[] = {
        {"train_loss", {1.0, 0.6, 0.4, 0.25, 0.15, 0.08, END}},
        {"val_acc", {0.5, 0.7, 0.8, 0.78, 0.74, 0.70, END}}};
    static const struct col_spec healthy[] = {
        {"train_loss", {1.0, 0.6, 0.4, 0.3, 0.25, 0.22, END}},
        {"val_loss", {1.05, 0.7, 0.5, 0.42, 0.40, 0.399, END}}};
    static const struct col_spec small_rise[] = {
        {"train_loss", {1.0, 0.6, 0.4, 0.3, 0.25, 0.22, END}},
        {"val_loss", {1.05, 0.7, 0.5, 0.42, 0.40, 0.405, END}}};
    /* Gives back 15% of its best but only a tenth of its gain. */
    static const struct col_spec slow[] = {
        {"train_loss",
         {1.0, 0.6, 0.45, 0.36, 0.3, 0.26, 0.23, 0.2, 0.18, 0.16, END}},
        {"val_loss",
         {1.0, 0.5, 0.45, 0.4, 0.41, 0.42, 0.43, 0.44, 0.45, 0.46, END}}};
    /* Only the very last point is worse: too little to call a trend. */
    static const struct col_spec last_only[] = {
        {"train_loss", {1.0, 0.6, 0.45, 0.36, 0.3, 0.26, END}},
        {"val_loss", {1.0, 0.6, 0.5, 0.45, 0.4, 0.5, END}}};
    /* A slow give-back seen at two points only after the best. */
    static const struct col_spec slow_short[] = {
        {"train_loss", {1.0, 0.6, 0.4, 0.3, 0.2, 0.15, END}},
        {"val_loss", {1.0, 0.6, 0.4, 0.3, 0.32, 0.36, END}}};
    /* The training loss never fit: underfitting, not overfitting. */
    static const struct col_spec unfit[] = {
        {"train_loss",
         {1.5, 1.49, 1.47, 1.4, 1.34, 1.33, 1.3, 1.25, 1.2, 1.16, END}},
        {"val_loss",
         {1.49, 1.37, 1.33, 1.37, 1.36, 1.43, 1.44, 1.48, 1.51, 1.49, END}}};
    /* Best at the first evaluation: judged over the whole training run. */
    static const struct col_spec first_best[] = {
        {"train_loss", {0.8, 0.3, 0.2, 0.18, 0.2, 0.19, END}},
        {"val_loss", {0.22, 0.42, 0.42, 0.41, 0.44, 0.40, END}}};
    struct outcome o;

    expect("overfitting on accuracy", acc_overfit, 2, "val_acc:max",
           DIAG_OVERFITTING, DECISION_TUNE);
    expect_not("a small val wobble is not overfitting", healthy, 2,
               DIAG_OVERFITTING);
    expect_not("a rise of 1% of the best is not overfitting", small_rise, 2,
               DIAG_OVERFITTING);
    expect("a slow give-back", slow, 2, "val_loss:min", DIAG_OVERFITTING,
           DECISION_TUNE);
    run(slow, 2, "val_loss:min", &o);
    ok(contains(o.d.f[0].evidence, "val_loss - train_loss went from"),
       "overfitting: the evidence gives the widening gap");
    diagnosis_release(&o.d);
    sides("a slow give-back", slow, 2, DIAG_OVERFITTING, "end_worse", "0.1",
          "0.2", 0);
    {
        struct diag_options opt = options("end_worse", "0.2", 0);
        char *why = NULL;

        ok(!diag_threshold_set(&opt.t, "giveback_frac", "0.05", &why),
           "giveback_frac can be set");
        run_opt(slow, 2, "val_loss:min", &opt, &o);
        ok(fired(&o, DIAG_OVERFITTING),
           "a slow give-back: overfitting with giveback_frac=0.05 even "
           "with end_worse=0.2");
        diagnosis_release(&o.d);
    }
    expect_not("a slow give-back two points long is not overfitting",
               slow_short, 2, DIAG_OVERFITTING);
    sides("a slow give-back two points long", slow_short, 2, DIAG_OVERFITTING,
          "overfit_after", "2", "3", 0);
    expect_not("a rise at the last point only is not overfitting", last_only, 2,
               DIAG_OVERFITTING);
    expect("a model that never fit", unfit, 2, "val_loss:min",
           DIAG_UNDERFITTING, DECISION_TUNE);
    expect_not("a model that never fit is not overfitting", unfit, 2,
               DIAG_OVERFITTING);
    expect("best at the first evaluation", first_best, 2, "val_loss:min",
           DIAG_OVERFITTING, DECISION_TUNE);
}

static void test_boosting(void)
{
    /* Boosted trees: the held-out loss turns up 2.5% after its best. */
    static const struct col_spec boosted[] = {
        {"train_loss",
         {0.090, 0.089, 0.088, 0.087, 0.086, 0.085, 0.084, 0.083, 0.082, 0.081,
          0.080, 0.079, END}},
        {"val_loss",
         {0.1045, 0.1042, 0.1040, 0.1039, 0.1038, 0.1040, 0.1043, 0.1047,
          0.1051, 0.1055, 0.1060, 0.1064, END}}};
    struct metrics *m;
    struct rule r = {(char *)"val_loss", false};
    struct outcome o;

    for (int boosting = 0; boosting <= 1; boosting++) {
        m = build(boosted, 2);
        m->boosting = boosting;
        memset(&o, 0, sizeof(o));
        diagnosis_init(&o.d);
        metrics_best(m, metrics_find(m, "val_loss"), false, &o.best);
        diag_run(m, &r, &o.best, NULL, &o.d);
        if (boosting)
            ok(o.d.n && o.d.f[0].code == DIAG_OVERFITTING &&
                   contains(o.d.action, "best iteration"),
               "boosting: a held-out rise after the best iteration is "
               "overfitting, with advice on iterations");
        else
            ok(!fired(&o, DIAG_OVERFITTING),
               "the same curves of a network: train barely fell, not "
               "overfitting");
        ok(!fired(&o, DIAG_UNDERFITTING) || !boosting,
           "boosting: never underfitting from its base prediction");
        diagnosis_release(&o.d);
        metrics_free(m);
    }
}

static void test_heldout_noise(void)
{
    /* Training falls smoothly; the held-out loss zig-zags with no trend. */
    static const struct col_spec zigzag[] = {
        {"train_loss",
         {1.0, 0.8, 0.65, 0.52, 0.42, 0.34, 0.28, 0.23, 0.19, 0.16, 0.13, 0.11,
          END}},
        {"val_loss",
         {0.5, 0.3, 0.6, 0.25, 0.55, 0.24, 0.58, 0.26, 0.6, 0.27, 0.59, 0.28,
          END}}};
    struct outcome o;

    expect("a held-out loss that zig-zags", zigzag, 2, "val_loss:min",
           DIAG_UNSTABLE, DECISION_TUNE);
    run(zigzag, 2, "val_loss:min", &o);
    ok(contains(o.d.action, "larger held-out set") &&
           contains(o.d.f[0].evidence, "no trend beyond its own noise"),
       "a zig-zag held-out loss: the advice is about the held-out set");
    diagnosis_release(&o.d);
    sides("a held-out loss that zig-zags", zigzag, 2, DIAG_OVERFITTING,
          "overfit_noise", "0", "2", 0);
}

static void test_underfitting_score(void)
{
    /* The loss wanders at its start; the held-out score stays near 0.5. */
    static const struct col_spec stuck[] = {
        {"train_loss", {1.5, 1.45, 1.52, 1.48, 1.5, 1.47, 1.49, 1.5, END}},
        {"val_acc", {0.5, 0.51, 0.5, 0.505, 0.51, 0.5, 0.505, 0.5, END}}};

    expect("a held-out score that never rose", stuck, 2, "val_acc:max",
           DIAG_UNDERFITTING, DECISION_TUNE);
    sides("a held-out score that never rose", stuck, 2, DIAG_UNDERFITTING,
          "underfit_score_gain", "0.05", "0.01", 0);
}

/*
 * A run whose first evaluation already scores most of its best on a
 * score an untrained model scores 0 on (mAP) started trained: its losses
 * "staying high" against their first values is no underfitting. On
 * accuracy, whose chance level is unknown, the same curve still is.
 */
static void test_trained_start(void)
{
    static const struct col_spec tuned[] = {
        {"train_loss", {1.5, 1.45, 1.42, 1.40, 1.38, 1.37, 1.36, 1.35, END}},
        {"val_loss", {1.6, 1.55, 1.52, 1.50, 1.49, 1.48, 1.47, 1.47, END}},
        {"val_mAP", {0.50, 0.51, 0.52, 0.53, 0.53, 0.54, 0.54, 0.54, END}}};
    static const struct col_spec low[] = {
        {"train_loss", {1.5, 1.45, 1.42, 1.40, 1.38, 1.37, 1.36, 1.35, END}},
        {"val_loss", {1.6, 1.55, 1.52, 1.50, 1.49, 1.48, 1.47, 1.47, END}},
        {"val_mAP",
         {0.01, 0.011, 0.012, 0.012, 0.012, 0.012, 0.012, 0.012, END}}};
    static const struct col_spec acc[] = {
        {"train_loss", {1.5, 1.45, 1.42, 1.40, 1.38, 1.37, 1.36, 1.35, END}},
        {"val_loss", {1.6, 1.55, 1.52, 1.50, 1.49, 1.48, 1.47, 1.47, END}},
        {"val_acc", {0.50, 0.51, 0.52, 0.53, 0.53, 0.54, 0.54, 0.54, END}}};
    struct outcome o;

    run(tuned, 3, "val_loss:min", &o);
    ok(!fired(&o, DIAG_UNDERFITTING),
       "trained start: no underfitting against its first values");
    ok(contains(o.d.note, "val_mAP was 0.5 at its first evaluation (epoch "
                          "1), 93% of its best, 0.54 at epoch 6: the model "
                          "had learned most of what it would before it"),
       "trained start: the note says why, with the numbers");
    diagnosis_release(&o.d);
    sides("trained start", tuned, 3, DIAG_UNDERFITTING, "trained_start", "1",
          "0.9", 0);
    run(low, 3, "val_loss:min", &o);
    ok(fired(&o, DIAG_UNDERFITTING),
       "a score near 0 from start to end is no trained start");
    diagnosis_release(&o.d);
    run(acc, 3, "val_loss:min", &o);
    ok(fired(&o, DIAG_UNDERFITTING),
       "accuracy, whose chance level is unknown, says nothing of the start");
    diagnosis_release(&o.d);
}

static void test_underfitting(void)
{
    /* Stalls with the held-out loss close to it: cannot fit. */
    static const struct col_spec stall[] = {
        {"train_loss",
         {2.0, 1.5, 1.2, 1.19, 1.19, 1.19, 1.19, 1.19, 1.19, 1.19, END}},
        {"val_loss",
         {2.1, 1.6, 1.3, 1.29, 1.29, 1.29, 1.29, 1.29, 1.29, 1.29, END}}};
    static const struct col_spec creeping[] = {
        {"train_loss",
         {2.0, 1.5, 1.2, 1.19, 1.19, 1.19, 1.19, 1.185, 1.175, 1.166, END}},
        {"val_loss",
         {2.1, 1.6, 1.3, 1.29, 1.29, 1.29, 1.29, 1.285, 1.275, 1.266, END}}};
    static const struct col_spec short_stall[] = {
        {"train_loss",
         {2.0, 1.6, 1.3, 1.1, 1.0, 0.9, 0.85, 0.80, 0.80, 0.80, END}},
        {"val_loss",
         {2.05, 1.65, 1.35, 1.15, 1.05, 0.95, 0.9, 0.85, 0.85, 0.85, END}}};
    /* Vanishing gradients: the norm dies while the loss stays high. */
    static const struct col_spec vanish[] = {
        {"train_loss",
         {1.0, 0.98, 0.96, 0.95, 0.94, 0.93, 0.92, 0.915, 0.91, 0.905, 0.9, 0.9,
          END}},
        {"val_loss",
         {1.0, 0.95, 0.93, 0.92, 0.915, 0.91, 0.905, 0.9, 0.898, 0.896, 0.894,
          0.892, END}},
        {"grad_norm",
         {1, 1, 1, 0.3, 0.1, 0.03, 0.01, 0.003, 0.001, 0.0003, 0.0001, 0.0001,
          END}}};
    static const struct col_spec seed_ratio[] = {
        {"train_loss", {1.20, 1.08, 0.99, 0.94, END}},
        {"val_loss", {1.25, 1.13, 1.04, 1.02, END}},
        {"update_ratio", {1e-5, 1e-5, 1e-5, 1e-5, END}}};
    /* Both stay high, but the training loss climbs every epoch. */
    static const struct col_spec climbing[] = {
        {"train_loss", {3.60, 3.60, 3.62, 3.65, END}},
        {"val_loss", {3.50, 3.51, 3.52, 3.55, END}}};
    /* Both stay where they started; the training loss only wobbles. */
    static const struct col_spec flat_noisy[] = {
        {"train_loss", {0.92, 1.00, 0.94, 0.99, 0.935, END}},
        {"val_loss", {0.68, 0.68, 0.68, 0.68, 0.68, END}}};
    /* Both stay high; the training loss rose by a third, then fell. */
    static const struct col_spec rose_third[] = {
        {"train_loss", {1.0, 0.95, 0.9, 1.2, 1.25, 1.2, END}},
        {"val_loss", {1.0, 0.96, 0.95, 0.97, 0.98, 0.97, END}}};
    struct outcome o;

    run(flat_noisy, 2, "val_loss:min", &o);
    ok(fired(&o, DIAG_UNDERFITTING) &&
           !contains(o.d.action, "raise the learning rate") &&
           contains(o.d.action, "one small batch"),
       "a training loss that did not fall at all: first prove it can learn");
    diagnosis_release(&o.d);
    expect("a training loss that climbs is not underfitting", climbing, 2,
           "val_loss:min", DIAG_UNSTABLE, DECISION_TUNE);
    run(climbing, 2, "val_loss:min", &o);
    ok(!contains(o.d.action, "raise the learning rate") &&
           !fired(&o, DIAG_UNDERFITTING),
       "no advice to raise the learning rate against a rising loss");
    diagnosis_release(&o.d);
    sides("a rise of a third above the minimum", rose_third, 2, DIAG_UNSTABLE,
          "underfit_rise", "0.1", "0.5", 0);
    expect("a stall with no gap", stall, 2, "val_loss:min", DIAG_UNDERFITTING,
           DECISION_TUNE);
    sides("a stall", stall, 2, DIAG_UNDERFITTING, "gap_frac", "0.1", "0.05", 0);
    sides("a stall", stall, 2, DIAG_UNDERFITTING, "plateau_min", "10", "11", 0);
    sides("a stall that creeps 2%", creeping, 2, DIAG_UNDERFITTING,
          "plateau_gain", "0.03", "0.01", 0);
    sides("a stall over the last 30%", short_stall, 2, DIAG_UNDERFITTING,
          "plateau_frac", "0.3", "0.4", 0);

    run(vanish, 3, "val_loss:min", &o);
    ok(o.d.f[0].code == DIAG_UNDERFITTING &&
           contains(o.d.f[0].evidence, "vanished") &&
           contains(o.d.action, "normalisation"),
       "vanishing gradients: underfitting, and normalisation as the change");
    diagnosis_release(&o.d);
    {
        /* Without the keep rule the curves alone would not fire. */
        struct diag_options opt = options("underfit_keep", "2", 0);
        char *why = NULL;

        run_opt(vanish, 3, "val_loss:min", &opt, &o);
        ok(fired(&o, DIAG_UNDERFITTING),
           "vanishing gradients alone make an underfitting finding");
        diagnosis_release(&o.d);
        ok(!diag_threshold_set(&opt.t, "vanish_ratio", "0.00001", &why),
           "vanish_ratio can be set");
        run_opt(vanish, 3, "val_loss:min", &opt, &o);
        ok(!fired(&o, DIAG_UNDERFITTING),
           "vanishing gradients: no finding with vanish_ratio=0.00001");
        diagnosis_release(&o.d);
        opt = options("underfit_keep", "2", 0);
        ok(!diag_threshold_set(&opt.t, "vanish_keep", "0.95", &why),
           "vanish_keep can be set");
        run_opt(vanish, 3, "val_loss:min", &opt, &o);
        ok(!fired(&o, DIAG_UNDERFITTING),
           "vanishing gradients: no finding with vanish_keep=0.95");
        diagnosis_release(&o.d);
    }

    run(seed_ratio, 3, "val_loss:min", &o);
    ok(contains(o.d.f[0].evidence, "100 times below the usual 0.001") &&
           contains(o.d.action, "raise the learning rate 10x"),
       "update_ratio far below 1e-3: evidence and a 10x learning rate");
    diagnosis_release(&o.d);
    {
        struct diag_options opt = options("ratio_far", "200", 0);

        run_opt(seed_ratio, 3, "val_loss:min", &opt, &o);
        ok(contains(o.d.action, "double the model's width"),
           "update_ratio within ratio_far=200: the capacity is the suspect");
        diagnosis_release(&o.d);
        opt = options("ratio_target", "0.00001", 0);
        run_opt(seed_ratio, 3, "val_loss:min", &opt, &o);
        ok(contains(o.d.action, "double the model's width"),
           "update_ratio on ratio_target=1e-5: the capacity is the suspect");
        diagnosis_release(&o.d);
    }
}

static void test_plateau(void)
{
    /* The learning rate falls 100x after epoch 2; the loss stalls. */
    static const struct col_spec decay[] = {
        {"train_loss", {2.0,   1.6,  1.58,  1.565, 1.55,  1.535, 1.52,
                        1.505, 1.49, 1.475, 1.46,  1.445, 1.43,  1.415,
                        1.4,   1.39, 1.38,  1.37,  1.36,  1.35,  END}},
        {"val_loss",
         {2.0,   1.65, 1.62,  1.605, 1.59, 1.575, 1.56, 1.545, 1.53, 1.515, 1.5,
          1.485, 1.47, 1.455, 1.44,  1.43, 1.42,  1.41, 1.4,   1.39, END}},
        {"lr", {0.1,   0.1,   0.001, 0.001, 0.001, 0.001, 0.001,
                0.001, 0.001, 0.001, 0.001, 0.001, 0.001, 0.001,
                0.001, 0.001, 0.001, 0.001, 0.001, 0.001, END}}};
    /* Halved each epoch from epoch 4: 10x within 3 epochs. */
    static const struct col_spec gradual[] = {
        {"train_loss",
         {2.0,  1.6,   1.28, 1.2,   1.15, 1.13,  1.12, 1.11,  1.105, 1.1, 1.095,
          1.09, 1.085, 1.08, 1.075, 1.07, 1.065, 1.06, 1.055, 1.05,  END}},
        {"val_loss", {2.0,   1.65,  1.35,  1.27,  1.22,  1.2,   1.19,
                      1.18,  1.175, 1.17,  1.165, 1.16,  1.155, 1.15,
                      1.145, 1.14,  1.135, 1.13,  1.125, 1.12,  END}},
        {"lr", {0.1,   0.1,   0.1,   0.05,  0.025, 0.0125, 0.00625,
                0.005, 0.005, 0.005, 0.005, 0.005, 0.005,  0.005,
                0.005, 0.005, 0.005, 0.005, 0.005, 0.005,  END}}};
    /* ReduceLROnPlateau: the held-out loss had stalled before the drop. */
    static const struct col_spec on_plateau[] = {
        {"train_loss",
         {2.0, 1.6, 1.3, 1.1, 0.95, 0.85, 0.84, 0.835, 0.83, 0.828, 0.826,
          0.824, 0.822, 0.82, END}},
        {"val_loss",
         {2.0, 1.6, 1.3, 1.2, 1.199, 1.198, 1.19, 1.19, 1.19, 1.19, 1.19, 1.19,
          1.19, 1.19, END}},
        {"lr",
         {0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.001, 0.001, 0.001, 0.001, 0.001,
          0.001, 0.001, 0.001, END}}};
    static const struct col_spec train_only[] = {
        {"train_loss",
         {2.0, 1.5, 1.2, 1.19, 1.19, 1.19, 1.19, 1.19, 1.19, 1.19, END}}};
    static const struct col_spec barely[] = {
        {"train_loss", {1.0, 0.98, 0.96, 0.95, 0.94, 0.93, 0.92, 0.91, END}}};
    struct outcome o;

    expect("decay too early", decay, 3, "val_loss:min", DIAG_PLATEAU,
           DECISION_TUNE);
    run(decay, 3, "val_loss:min", &o);
    ok(contains(o.d.f[0].evidence, "(100x) by epoch 3") &&
           contains(o.d.action, "decay the learning rate later"),
       "decay too early: the evidence names the drop, the action moves it");
    diagnosis_release(&o.d);
    sides("decay too early", decay, 3, DIAG_PLATEAU, "lr_drop", "10", "200", 0);
    sides("decay too early", decay, 3, DIAG_PLATEAU, "decay_slowdown", "10",
          "100", 0);
    sides("decay too early", decay, 3, DIAG_PLATEAU, "decay_early", "0.5",
          "0.05", 0);
    sides("a gradual decay", gradual, 3, DIAG_PLATEAU, "decay_window", "4", "3",
          0);
    expect_not("a decay on a plateau came in time", on_plateau, 3,
               DIAG_PLATEAU);
    sides("a decay on a plateau", on_plateau, 3, DIAG_PLATEAU,
          "decay_plateau_gain", "0.001", "0.01", 0);

    expect("a training-only plateau", train_only, 1, "val_loss:min",
           DIAG_PLATEAU, DECISION_TUNE);
    sides("a training-only plateau", train_only, 1, DIAG_PLATEAU,
          "plateau_keep", "0.5", "0.7", 0);
    expect("a training loss that barely moved", barely, 1, "val_loss:min",
           DIAG_PLATEAU, DECISION_TUNE);
}

static void test_heldout_flat(void)
{
    /* Training falls to a fifth; held-out moves 2% from its first value. */
    static const struct col_spec flat[] = {
        {"train_loss",
         {1.0, 0.7, 0.5, 0.4, 0.32, 0.27, 0.24, 0.22, 0.21, 0.2, END}},
        {"val_loss",
         {1.0, 0.99, 0.985, 0.98, 0.982, 0.985, 0.99, 0.99, 0.99, 0.995, END}}};
    /* The same held-out curve, first evaluated once training had halved. */
    static const struct col_spec late[] = {
        {"train_loss",
         {1.0, 0.5, 0.4, 0.32, 0.27, 0.24, 0.22, 0.21, 0.2, 0.19, END}},
        {"val_loss",
         {M, 0.99, 0.985, 0.98, 0.982, 0.985, 0.99, 0.99, 0.99, 0.995, END}}};
    struct outcome o;

    expect("a held-out curve that never moved", flat, 2, "val_loss:min",
           DIAG_PLATEAU, DECISION_TUNE);
    run(flat, 2, "val_loss:min", &o);
    ok(contains(o.d.f[0].evidence,
                "val_loss's best, 0.98 at epoch 4, is 98% of its first "
                "value 1 at epoch 1") &&
           contains(o.d.action, "simplify the model"),
       "held-out flat: the evidence gives both values, the action simplifies");
    diagnosis_release(&o.d);
    sides("a held-out curve that never moved", flat, 2, DIAG_PLATEAU,
          "flat_gain", "0.05", "0.01", 0);
    sides("a held-out curve that never moved", flat, 2, DIAG_PLATEAU,
          "flat_train_keep", "0.5", "0.2", 0);
    expect_not("a held-out curve first evaluated after training halved", late,
               2, DIAG_PLATEAU);
}

static void test_still_improving(void)
{
    static const struct col_spec healthy[] = {
        {"train_loss", {1.0, 0.6, 0.4, 0.3, 0.25, 0.22, END}},
        {"val_loss", {1.05, 0.7, 0.5, 0.42, 0.40, 0.399, END}}};
    static const struct col_spec improving[] = {
        {"train_loss", {1.0, 0.6, 0.4, 0.3, 0.25, 0.20, END}},
        {"val_loss", {1.05, 0.7, 0.5, 0.42, 0.37, 0.33, END}}};
    /* The last point is 2% above the best just before it. */
    static const struct col_spec turned[] = {
        {"train_loss",
         {1.0, 0.8, 0.62, 0.5, 0.42, 0.36, 0.31, 0.27, 0.24, 0.21, END}},
        {"val_loss",
         {1.0, 0.8, 0.65, 0.55, 0.48, 0.43, 0.40, 0.38, 0.33, 0.3366, END}}};
    /* The best at epoch 8 of 10: in the last half, not the last quarter. */
    static const struct col_spec earlier[] = {
        {"train_loss",
         {1.0, 0.8, 0.62, 0.5, 0.42, 0.36, 0.31, 0.27, 0.24, 0.21, END}},
        {"val_loss",
         {1.0, 0.8, 0.65, 0.55, 0.48, 0.43, 0.40, 0.36, 0.361, 0.362, END}}};
    /* Best at the end, but crawling at 3% of the run's average pace. */
    static const struct col_spec crawling[] = {
        {"train_loss",
         {1.0, 0.5, 0.3, 0.2, 0.15, 0.12, 0.1, 0.09, 0.085, 0.08, END}},
        {"val_loss",
         {1.0, 0.5, 0.32, 0.24, 0.2, 0.19, 0.189, 0.188, 0.187, 0.186, END}}};
    static const struct col_spec train_only[] = {
        {"train_loss", {1.0, 0.8, 0.65, 0.55, 0.47, 0.41, 0.36, 0.32, END}}};
    /*
     * A loss falling by the same ratio every epoch (e^-i/3): its last
     * quarter moves little in absolute terms, as much as ever in ratio.
     */
    static struct col_spec ratio[2] = {{"train_loss", {0}}, {"val_loss", {0}}};

    for (size_t i = 0; i < 12; i++) {
        ratio[0].v[i] = 0.9 * exp(-(double)i / 3);
        ratio[1].v[i] = exp(-(double)i / 3);
    }
    ratio[0].v[12] = END;
    ratio[1].v[12] = END;
    expect("a loss still falling by a steady ratio", ratio, 2, "val_loss:min",
           DIAG_STILL_IMPROVING, DECISION_TUNE);
    {
        /* The metric the best checkpoint is chosen by peaked at epoch 2. */
        struct best early = {0};
        struct diag_options op = options("tail_frac", "0.25", 0);
        struct outcome o;

        early.found = true;
        early.x = 2;
        early.value = 0.9;
        op.select_best = &early;
        run_opt(improving, 2, "val_loss:min", &op, &o);
        ok(!fired(&o, DIAG_STILL_IMPROVING),
           "still improving: not when the metric the best checkpoint is "
           "chosen by had its best before the last part");
        diagnosis_release(&o.d);
        early.x = 6;
        run_opt(improving, 2, "val_loss:min", &op, &o);
        ok(fired(&o, DIAG_STILL_IMPROVING),
           "still improving: when that metric's best is in the last part too");
        diagnosis_release(&o.d);
    }
    sides("0.42, 0.40, 0.399: flat within the last quarter", healthy, 2,
          DIAG_STILL_IMPROVING, "tail_move", "0", "0.005", 0);

    expect("healthy", healthy, 2, "val_loss:min", DIAG_HEALTHY, DECISION_KEEP);
    expect("still improving", improving, 2, "val_loss:min",
           DIAG_STILL_IMPROVING, DECISION_TUNE);
    sides("still improving", improving, 2, DIAG_STILL_IMPROVING, "tail_gain",
          "0.01", "0.25", 0);
    sides("still improving", improving, 2, DIAG_STILL_IMPROVING, "tail_rate",
          "0.1", "4", 0);
    sides("turned up at the last point", turned, 2, DIAG_STILL_IMPROVING,
          "last_near", "0.03", "0.01", 0);
    sides("best in the last half", earlier, 2, DIAG_STILL_IMPROVING,
          "tail_frac", "0.5", "0.25", 0);
    sides("crawling", crawling, 2, DIAG_STILL_IMPROVING, "tail_rate", "0.01",
          "0.1", 0);
    expect("a training-only curve still falling", train_only, 1, "val_loss:min",
           DIAG_NEED_MORE_SIGNALS, DECISION_INVESTIGATE);
    expect_not("a falling training loss alone is not still improving",
               train_only, 1, DIAG_STILL_IMPROVING);
}

static void test_record(void)
{
    static const struct col_spec missing_rule[] = {
        {"train_loss", {1.0, 0.5, 0.45, 0.45, END}}};
    static const struct col_spec falling[] = {
        {"train_loss", {1.0, 0.6, 0.4, END}}};
    static const struct col_spec healthy[] = {
        {"train_loss", {1.0, 0.6, 0.4, 0.3, 0.25, 0.22, END}},
        {"val_loss", {1.05, 0.7, 0.5, 0.42, 0.40, 0.399, END}}};
    static const struct col_spec slow_updates[] = {
        {"train_loss", {1.0, 0.6, 0.4, 0.3, 0.25, 0.22, END}},
        {"val_loss", {1.05, 0.7, 0.5, 0.42, 0.40, 0.399, END}},
        {"update_ratio", {1e-5, 1e-5, 1e-5, 1e-5, 1e-5, 1e-5, END}}};
    struct diag_options opt;
    struct outcome o;

    run(missing_rule, 1, "val_loss:min", &o);
    ok(!o.best.found, "missing rule metric: no best checkpoint");
    is_str(diag_code_name(o.d.f[0].code), "need_more_signals",
           "missing rule metric: need more signals");
    is_str(decision_name(o.d.decision), "investigate",
           "missing rule metric: investigate");
    diagnosis_release(&o.d);
    run(falling, 1, "val_loss:min", &o);
    ok(o.d.f[0].code == DIAG_NEED_MORE_SIGNALS,
       "missing rule metric: a falling training curve says what to log");
    diagnosis_release(&o.d);

    run(healthy, 2, "val_loss:min", &o);
    ok(contains(o.d.success, "below 0.39501 (1% better than 0.399 at "
                             "epoch 6)"),
       "success rule: the metric and the value to beat");
    ok(contains(o.d.note, "no pred_count_* columns") &&
           contains(o.d.note, "no grad_norm column") &&
           contains(o.d.note, "no lr column") &&
           contains(o.d.note, "no update_ratio column") &&
           contains(o.d.note, "number of classes unknown"),
       "the note lists every signal that could not be checked");
    ok(contains(o.d.f[0].evidence, "see the note"),
       "healthy on the signals logged points at the note");
    diagnosis_release(&o.d);
    opt = options("success_gain", "0.1", 0);
    run_opt(healthy, 2, "val_loss:min", &opt, &o);
    ok(contains(o.d.success, "below 0.3591 (10% better"),
       "success_gain=0.1 moves the target");
    diagnosis_release(&o.d);

    run(slow_updates, 3, "val_loss:min", &o);
    ok(o.d.f[0].code == DIAG_HEALTHY &&
           contains(o.d.note, "update_ratio is 1e-05 (median of epochs"),
       "an update_ratio no finding explains is a side observation");
    diagnosis_release(&o.d);

    ok(!strcmp(diag_code_name(DIAG_METRIC_SHIFT), "metric_shift") &&
           !strcmp(diag_code_name(DIAG_BAD_INIT), "bad_init") &&
           !strcmp(diag_code_name(DIAG_SUSPECTED_LEAKAGE),
                   "suspected_leakage") &&
           !strcmp(diag_code_name(DIAG__COUNT), "unknown"),
       "stable code names");
}

static void test_thresholds(void)
{
    struct diag_thresholds t;
    char *why = NULL;
    size_t n = 0;
    bool all = true;

    diag_thresholds_init(&t);
    is_double(t.jump_frac, 0.25, 0, "default jump_frac");
    ok(!diag_threshold_set(&t, "jump_frac", "0.3", &why) && t.jump_frac == 0.3,
       "set jump_frac");
    ok(!diag_threshold_set(&t, "min_jumps", " 3 ", &why) && t.min_jumps == 3,
       "set a count, spaces allowed");
    ok(diag_threshold_set(&t, "nope", "1", &why) == -1, "unknown name fails");
    is_str(why, "unknown diagnosis threshold 'nope'", "unknown name: message");
    free(why);
    why = NULL;
    ok(diag_threshold_set(&t, "jump_frac", "abc", &why) == -1 &&
           t.jump_frac == 0.3,
       "not a number fails and leaves the value");
    is_str(why,
           "threshold 'jump_frac' must be a number of at least 0, not "
           "'abc'",
           "not a number: message");
    free(why);
    why = NULL;
    ok(diag_threshold_set(&t, "jump_range", "2", &why) == -1,
       "out of range fails");
    is_str(why, "threshold 'jump_range' must be a number from 0 to 1, not '2'",
           "out of range: message");
    free(why);
    why = NULL;
    ok(diag_threshold_set(&t, "min_jumps", "2.5", &why) == -1,
       "a fractional count fails");
    is_str(why,
           "threshold 'min_jumps' must be a whole number of at least 1, "
           "not '2.5'",
           "a fractional count: message");
    free(why);
    why = NULL;
    ok(diag_threshold_set(&t, "ratio_target", "0", &why) == -1,
       "zero where a positive number is needed fails");
    is_str(why, "threshold 'ratio_target' must be a number above 0, not '0'",
           "zero: message");
    free(why);
    why = NULL;
    ok(diag_threshold_set(&t, "jump_frac", "nan", &why) == -1, "nan fails");
    free(why);
    why = NULL;
    ok(diag_threshold_set(&t, "jump_frac", "inf", &why) == -1, "inf fails");
    free(why);
    why = NULL;
    ok(diag_threshold_set(&t, "jump_frac", "", &why) == -1,
       "an empty value fails");
    free(why);
    why = NULL;

    for (const char *name; (name = diag_threshold_name(n)); n++) {
        struct diag_thresholds u;
        char *w = NULL;

        diag_thresholds_init(&u);
        if (diag_threshold_set(&u, name, "1", &w)) {
            free(w);
            w = NULL;
            if (diag_threshold_set(&u, name, "2", &w)) {
                printf("# cannot set '%s': %s\n", name, w);
                all = false;
            }
        }
        free(w);
    }
    is_int((long)n, 65, "65 thresholds by name");
    ok(all, "every threshold can be set by its name");
}

/* Every threshold name appears in the man page's DIAGNOSES section. */
static void test_man_page(void)
{
    const char *srcdir = getenv("srcdir");
    char path[4096], line[1024];
    char *section = NULL;
    size_t len = 0, cap = 0;
    bool in = false, all = true;
    FILE *f;

    snprintf(path, sizeof(path), "%s/man/reportgen.1", srcdir ? srcdir : ".");
    f = fopen(path, "r");
    if (!f) {
        printf("ok %d # skip no man page at %s\n", ++tap_n, path);
        return;
    }
    while (fgets(line, sizeof(line), f)) {
        size_t l = strlen(line);

        if (!strncmp(line, ".Sh ", 4))
            in = !strncmp(line, ".Sh DIAGNOSES", 13);
        if (!in)
            continue;
        if (len + l + 1 > cap) {
            cap = 2 * (len + l + 1);
            section = realloc(section, cap);
            if (!section)
                abort();
        }
        memcpy(section + len, line, l + 1);
        len += l;
    }
    fclose(f);
    for (size_t i = 0; diag_threshold_name(i); i++) {
        char want[256];

        /* Named in italics with its default in parentheses, once. */
        snprintf(want, sizeof(want), "\n.Va %s\n(%.6g", diag_threshold_name(i),
                 diag_threshold_default(i));
        if (!section || !strstr(section, want)) {
            printf("# '%s' is not in DIAGNOSES with its default %.6g\n",
                   diag_threshold_name(i), diag_threshold_default(i));
            all = false;
        }
    }
    for (int c = 0; c < DIAG__COUNT; c++) {
        if (!section || !strstr(section, diag_code_name((enum diag_code)c))) {
            printf("# code '%s' is not in DIAGNOSES\n",
                   diag_code_name((enum diag_code)c));
            all = false;
        }
    }
    ok(all, "the man page documents every threshold, its default, and "
            "every code");
    free(section);
}

/*
 * The tables hold together: every threshold is owned by one rule of the
 * rule table (or by how curves are read, or by the success rule), every
 * code is yielded by a rule and has its advice.
 */
static void test_tables(void)
{
    bool owners = true, codes = true;
    size_t nrules = 0;

    while (diag_rule_name(nrules))
        nrules++;
    for (size_t i = 0; diag_threshold_name(i); i++) {
        const char *owner = diag_threshold_owner(i);
        bool known = !strcmp(owner, "reading") || !strcmp(owner, "decision");

        for (size_t r = 0; r < nrules && !known; r++)
            known = !strcmp(owner, diag_rule_name(r));
        if (!known) {
            printf("# threshold '%s' is owned by no rule ('%s')\n",
                   diag_threshold_name(i), owner);
            owners = false;
        }
        if (!diag_threshold_doc(i) || !*diag_threshold_doc(i))
            owners = false;
    }
    ok(owners, "every threshold has one owning rule and a doc line");
    for (int c = 0; c < DIAG__COUNT; c++) {
        bool yielded = false;

        for (size_t r = 0; r < nrules; r++)
            yielded |= diag_rule_yields(r, (enum diag_code)c);
        if (!yielded || !diag_has_advice((enum diag_code)c)) {
            printf("# code '%s' has no rule or no advice\n",
                   diag_code_name((enum diag_code)c));
            codes = false;
        }
    }
    ok(codes, "every code is yielded by a rule and has its advice");
}

/*
 * Step-level logs far longer than any rule looks at (they are judged on
 * bucket medians): a noisy healthy log of 200,000 steps, with one bad
 * batch every 10,000 steps, is neither unstable nor overfitting, and the
 * same log whose held-out loss climbs back over its last half is
 * overfitting.
 */
static void test_long_logs(void)
{
    enum { N = 200000 };
    unsigned seed = 7;

    for (int overfit = 0; overfit <= 1; overfit++) {
        struct metrics *m = metrics_new("long.csv", "step");
        size_t tr = metrics_add_column(m, "train_loss");
        size_t va = metrics_add_column(m, "val_loss");
        struct rule r = {(char *)"val_loss", false};
        struct outcome o;

        for (size_t i = 0; i < N; i++) {
            double t = 0.3 + 2.0 * exp(-(double)i / (N / 8.0)), noise;
            size_t row = metrics_add_row(m, (double)i, i + 2);

            seed = seed * 1103515245u + 12345u;
            noise = ((double)(seed >> 16 & 0x7fff) / 32767.0 - 0.5) * 0.1;
            metrics_set(m, row, tr, t * (1 + noise) * (i % 10000 ? 1 : 4));
            metrics_set(
                m, row, va,
                t + 0.05 +
                    (overfit && i > N / 2 ? 0.6 * (i - N / 2.0) / N : 0));
        }
        memset(&o, 0, sizeof(o));
        diagnosis_init(&o.d);
        metrics_best(m, metrics_find(m, "val_loss"), false, &o.best);
        diag_run(m, &r, &o.best, NULL, &o.d);
        if (!overfit) {
            ok(!fired(&o, DIAG_UNSTABLE),
               "long log: noise and rare bad batches are not instability");
            ok(!fired(&o, DIAG_OVERFITTING), "long log: not overfitting");
        } else {
            is_str(diag_code_name(o.d.f[0].code), "overfitting",
                   "long log: a held-out climb over the last half is "
                   "overfitting");
        }
        diagnosis_release(&o.d);
        metrics_free(m);
    }
}

int main(void)
{
    plan(321);
    test_seeds();
    test_non_finite();
    test_collapse();
    test_metric_shift();
    test_leakage();
    test_bad_init();
    test_unstable();
    test_overfitting();
    test_borderline();
    test_boosting();
    test_underfitting();
    test_trained_start();
    test_plateau();
    test_heldout_flat();
    test_underfitting_score();
    test_heldout_noise();
    test_still_improving();
    test_record();
    test_thresholds();
    test_man_page();
    test_tables();
    test_long_logs();
    return done();
}
