/*
 * read_hf.c - the Hugging Face Trainer's trainer_state.json.
 *
 * The Trainer saves its state, log_history included, in every
 * checkpoint-N/ folder and, at the end of train(), in the output folder
 * itself. log_history is a list of heterogeneous objects, all with "step"
 * (the optimizer step) and usually "epoch" (fractional, from 0):
 *   - training entries: loss (the mean since the previous log), learning_
 *     rate, grad_norm, and whatever else the trainer logs (TRL adds
 *     num_tokens, mean_token_accuracy);
 *   - evaluation entries: eval_loss, eval_<metric>, eval_runtime, ...;
 *   - a final summary (train_runtime, train_loss, total_flos): its
 *     train_loss is the mean over the whole run, not a point of the
 *     curve, so it is left out.
 * Python's json writes non-finite floats as bare NaN and Infinity, which
 * jsondoc.c reads as numbers. Entries at the same x merge into one row;
 * jsondoc_rows does that, and handles a step counter that goes back.
 *
 * The x axis is the epoch when it can be trusted, else the step. Older
 * Trainers round the logged epoch to two decimals, so on long epochs
 * several log steps share one epoch value, and a max_steps run over a
 * streaming dataset can see the epoch go back to 0: merging rows by such
 * an epoch would silently overwrite values. So the epoch is used only
 * when every entry has one and it orders the entries exactly as the
 * step does, and when the evaluations fall on whole epochs: a Trainer
 * that evaluates every N steps names its checkpoints by step
 * (checkpoint-250), so the best one is found by step too. A note says why
 * the step is used.
 *
 * scan() prefers the run-level trainer_state.json over the copies in
 * checkpoint-N/ (which stop at that checkpoint) and claims the checkpoint
 * folders, so the walk does not find each copy again as a run, as well as
 * the *_results.json files and the Trainer's TensorBoard logs in runs/. A
 * folder with checkpoints only (an interrupted run) is read from the
 * highest N.
 */
#include "formats.h"

#include <dirent.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "heldout.h"
#include "jsondoc.h"
#include "strbuf.h"
#include "util.h"

#include "banned.h"

#define LABEL "Hugging Face Trainer state"
#define STATE_FILE "trainer_state.json"
#define CHECKPOINT_PREFIX "checkpoint-"

/* Written beside trainer_state.json by the example scripts; claimed. */
static const char *const result_files[] = {
    "eval_results.json", "all_results.json", "train_results.json",
    "test_results.json", "predict_results.json"};

/*
 * The start of a trainer_state.json: an object whose first keys (written
 * sorted) include global_step or log_history.
 */
static bool looks_like_state(const char *path)
{
    char buf[8192];
    const char *p = buf;

    if (sniff(path, buf, sizeof(buf)) <= 0)
        return false;
    if (!strncmp(p, "\xef\xbb\xbf", 3))
        p += 3;
    p += strspn(p, " \t\r\n");
    return *p == '{' &&
           (strstr(p, "\"log_history\"") || strstr(p, "\"global_step\""));
}

static bool is_checkpoint(const char *name)
{
    return !strncmp(name, CHECKPOINT_PREFIX, strlen(CHECKPOINT_PREFIX));
}

/* The N of "checkpoint-N", or -1 when the suffix is not a number. */
static double checkpoint_number(const char *name)
{
    const char *p = name + strlen(CHECKPOINT_PREFIX);

    if (!is_checkpoint(name) || !*p || p[strspn(p, "0123456789")])
        return -1;
    return strtod(p, NULL);
}

/* Does folder path, or a folder in it, hold a TensorBoard event file? */
static bool holds_tfevents(const char *path, int depth)
{
    static const char prefix[] = "events.out.tfevents.";
    DIR *d = opendir(path);
    struct dirent *e;
    bool found = false;

    if (!d)
        return false;
    while (!found && (e = readdir(d))) {
        char *sub;

        if (e->d_name[0] == '.')
            continue;
        if (!strncmp(e->d_name, prefix, strlen(prefix))) {
            found = true;
        } else if (depth > 0) {
            sub = xasprintf("%s/%s", path, e->d_name);
            found = holds_tfevents(sub, depth - 1);
            free(sub);
        }
    }
    closedir(d);
    return found;
}

/*
 * The Trainer's TensorBoard callback (on by default where tensorboard is
 * installed) writes the same logs to runs/<date>_<host>/ in the output
 * folder: claim it, or the walk would find the same run a second time.
 */
static void claim_tensorboard(struct dir_list *dl)
{
    struct dir_entry *e = dir_list_find(dl, "runs");
    char *path;

    if (!e || !e->is_dir || e->claimed)
        return;
    path = dir_list_path(dl, e->name);
    e->claimed = holds_tfevents(path, 1);
    free(path);
}

static void scan(struct dir_list *dl, struct candidates *out)
{
    struct dir_entry *top = dir_list_find(dl, STATE_FILE);
    char *path = NULL, *dir = NULL, *extra = NULL;
    double best = -2;
    size_t i;

    if (top && !top->claimed && !top->is_dir) {
        path = dir_list_path(dl, STATE_FILE);
        if (looks_like_state(path)) {
            top->claimed = true;
            dir = xstrdup(dl->path);
        } else {
            free(path);
            path = NULL;
        }
    }
    /* No run-level state: the latest checkpoint's copy. */
    for (i = 0; !dir && i < dl->n; i++) {
        struct dir_entry *e = &dl->e[i];
        char *p;
        double n;

        if (!e->is_dir || e->claimed || !is_checkpoint(e->name))
            continue;
        p = xasprintf("%s/%s/%s", dl->path, e->name, STATE_FILE);
        n = checkpoint_number(e->name);
        if (n > best && looks_like_state(p)) {
            best = n;
            free(path);
            path = p;
        } else {
            free(p);
        }
    }
    if (!path)
        return;
    if (!dir) {
        /* The checkpoint's folder: its config.json lies beside the file. */
        dir = xstrndup(path, strlen(path) - strlen(STATE_FILE) - 1);
    }
    for (i = 0; i < dl->n; i++)
        if (dl->e[i].is_dir && !dl->e[i].claimed &&
            is_checkpoint(dl->e[i].name))
            dl->e[i].claimed = true;
    claim_tensorboard(dl);
    for (i = 0; i < ARRAY_SIZE(result_files); i++) {
        struct dir_entry *e = dir_list_find(dl, result_files[i]);

        if (!e || e->claimed || e->is_dir)
            continue;
        e->claimed = true;
        /* eval_results.json, else all_results.json, gives a note. */
        if (!extra && i < 2)
            extra = dir_list_path(dl, result_files[i]);
    }
    candidates_add(out, &format_hf_trainer, dl->rel, dir, path, extra);
    free(path);
    free(dir);
    free(extra);
}

/* Timing entries of an evaluation: not metrics of the model. */
static bool is_eval_timing(const char *key)
{
    static const char *const timing[] = {"runtime",
                                         "samples_per_second",
                                         "steps_per_second",
                                         "jit_compilation_time",
                                         "model_preparation_time",
                                         "samples"};
    const char *rest = strchr(key, '_');

    for (size_t i = 0; rest && i < ARRAY_SIZE(timing); i++)
        if (!strcmp(rest + 1, timing[i]))
            return true;
    return false;
}

/* The column name of a log_history key (see the top of the file). */
static bool column_name(const char *key, struct strbuf *out)
{
    static const struct {
        const char *key, *name;
    } map[] = {
        {"loss", "train_loss"},
        {"learning_rate", "lr"},
        {"eval_loss", "val_loss"},
        {"eval_accuracy", "val_acc"},
    };

    if (!strcmp(key, "epoch") || !strcmp(key, "step"))
        return false;
    for (size_t i = 0; i < ARRAY_SIZE(map); i++) {
        if (!strcmp(key, map[i].key)) {
            strbuf_addstr(out, map[i].name);
            return true;
        }
    }
    if (!strncmp(key, "eval_", 5) && key[5] && !is_eval_timing(key)) {
        strbuf_addf(out, "val_%s", key + 5);
        return true;
    }
    strbuf_addstr(out, key);
    return true;
}

/* The Trainer's summary at the end of train(): not a point of a curve. */
static bool is_summary(const struct jsondoc *doc, const struct jsondoc_node *e)
{
    return jsondoc_get(doc, e, "train_runtime") ||
           jsondoc_get(doc, e, "total_flos");
}

/* The finite number in member key of e, or false. */
static bool get_number(const struct jsondoc *doc, const struct jsondoc_node *e,
                       const char *key, double *v)
{
    const struct jsondoc_node *n = jsondoc_get(doc, e, key);

    return n && !jsondoc_number(doc, n, v) && isfinite(*v);
}

/* Does entry e hold an evaluation (an eval_* metric, not a timing)? */
static bool is_evaluation(const struct jsondoc *doc,
                          const struct jsondoc_node *e)
{
    for (const struct jsondoc_node *c = jsondoc_first(doc, e); c;
         c = jsondoc_next(doc, c)) {
        const char *key = jsondoc_key(doc, c);

        if (key && !strncmp(key, "eval_", 5) && !is_eval_timing(key))
            return true;
    }
    return false;
}

/* Say how epoch and step disagree from entry (ps, pe) to (st, ep). */
static void say_disagreement(struct strbuf *why, double ps, double st,
                             double pe, double ep)
{
    char a[FMT_NUM_SIZE], b[FMT_NUM_SIZE], c[FMT_NUM_SIZE];

    if (st > ps && ep < pe)
        strbuf_addf(why, "the epoch goes back from %s to %s at step %s",
                    fmt_num(a, sizeof(a), pe), fmt_num(b, sizeof(b), ep),
                    fmt_num(c, sizeof(c), st));
    else if (st > ps)
        strbuf_addf(why,
                    "the epoch is rounded: steps %s and %s both log "
                    "epoch %s",
                    fmt_num(a, sizeof(a), ps), fmt_num(b, sizeof(b), st),
                    fmt_num(c, sizeof(c), ep));
    else if (st == ps)
        strbuf_addf(why, "step %s logs two epochs, %s and %s",
                    fmt_num(a, sizeof(a), st), fmt_num(b, sizeof(b), pe),
                    fmt_num(c, sizeof(c), ep));
    else
        strbuf_addf(why,
                    "the step goes back from %s to %s, the epoch does "
                    "not",
                    fmt_num(a, sizeof(a), ps), fmt_num(b, sizeof(b), st));
}

/*
 * Can the epoch be the x axis? Every entry must have one, and it must
 * order the entries as the step does: grow when the step grows, stay
 * when it stays. Otherwise say why in why (for a note).
 */
static bool epoch_usable(const struct jsondoc *doc,
                         const struct jsondoc_node *hist, struct strbuf *why)
{
    const struct jsondoc_node *e;
    double pe = 0, ps = 0;
    bool first = true, prev_step = false;

    for (e = jsondoc_first(doc, hist); e; e = jsondoc_next(doc, e)) {
        double ep, st;
        bool has_step;

        if (e->type != JSONDOC_OBJECT || is_summary(doc, e))
            continue;
        if (!get_number(doc, e, "epoch", &ep)) {
            strbuf_addf(why, "the entry at line %lu has no epoch",
                        (unsigned long)e->line);
            return false;
        }
        has_step = get_number(doc, e, "step", &st);
        if (has_step && ep != floor(ep) && is_evaluation(doc, e)) {
            char a[FMT_NUM_SIZE], b[FMT_NUM_SIZE];

            strbuf_addf(why,
                        "the Trainer evaluated every so many steps (step %s "
                        "is epoch %s), and names its checkpoints by step",
                        fmt_num(a, sizeof(a), st), fmt_num(b, sizeof(b), ep));
            return false;
        }
        if (!first && has_step && prev_step) {
            if ((st > ps) - (st < ps) != (ep > pe) - (ep < pe)) {
                say_disagreement(why, ps, st, pe, ep);
                return false;
            }
        } else if (!first && ep < pe) {
            strbuf_addf(why, "the epoch goes back at line %lu",
                        (unsigned long)e->line);
            return false;
        }
        first = false;
        pe = ep;
        prev_step = has_step;
        if (has_step)
            ps = st;
    }
    return true;
}

/*
 * The note on the Trainer's own best checkpoint. trainer_state.json
 * does not say which metric (metric_for_best_model is a training
 * argument), so look for the evaluation key whose value at that
 * checkpoint's step equals best_metric.
 */
static void note_best(struct metrics *m, const struct jsondoc *doc,
                      const struct jsondoc_node *root,
                      const struct jsondoc_node *hist)
{
    const struct jsondoc_node *ck =
        jsondoc_get(doc, root, "best_model_checkpoint");
    const struct jsondoc_node *e;
    const char *ckpt, *metric = NULL, *name;
    char num[FMT_NUM_SIZE];
    struct strbuf sb = STRBUF_INIT;
    double best, step = -1;

    if (!ck || !jsondoc_text(doc, ck) || jsondoc_is_null(doc, ck) ||
        !get_number(doc, root, "best_metric", &best))
        return;
    ckpt = path_base(jsondoc_text(doc, ck));
    if (!get_number(doc, root, "best_global_step", &step))
        step = checkpoint_number(ckpt);
    for (e = jsondoc_first(doc, hist); e && !metric && step >= 0;
         e = jsondoc_next(doc, e)) {
        const struct jsondoc_node *c;
        double st, v;

        if (e->type != JSONDOC_OBJECT || !get_number(doc, e, "step", &st) ||
            st != step)
            continue;
        for (c = jsondoc_first(doc, e); c && !metric; c = jsondoc_next(doc, c))
            if (!strncmp(jsondoc_key(doc, c), "eval_", 5) &&
                !jsondoc_number(doc, c, &v) && v == best)
                metric = jsondoc_key(doc, c);
    }
    fmt_num(num, sizeof(num), best);
    if (!metric) {
        metrics_note(m,
                     "the Trainer itself marked %s best by its "
                     "metric_for_best_model (best_metric %s)",
                     ckpt, num);
        return;
    }
    if (!column_name(metric, &sb))
        strbuf_addstr(&sb, metric);
    name = sb.buf;
    metrics_hint(m, name, heldout_name_maximizes(name),
                 "the metric the Trainer chose its best checkpoint by "
                 "(metric_for_best_model)");
    if (strcmp(name, metric))
        metrics_note(m,
                     "the Trainer itself marked %s best by %s (%s here) = %s",
                     ckpt, metric, name, num);
    else
        metrics_note(m, "the Trainer itself marked %s best by %s = %s", ckpt,
                     metric, num);
    strbuf_release(&sb);
}

/*
 * A note from eval_results.json (or all_results.json): the evaluation
 * run after training, which log_history may not hold (the t5 example
 * scripts evaluate only then). A file that does not read adds nothing.
 */
static void note_results(struct metrics *m, const char *path)
{
    struct strbuf sb = STRBUF_INIT;
    const struct jsondoc_node *root, *c;
    struct jsondoc *doc;
    char *why = NULL, num[FMT_NUM_SIZE];
    size_t n = 0;

    doc = jsondoc_parse_file(path, &why);
    free(why);
    if (!doc)
        return;
    root = jsondoc_root(doc);
    for (c = jsondoc_first(doc, root); c; c = jsondoc_next(doc, c)) {
        const char *key = jsondoc_key(doc, c);
        double v;

        if (!key || jsondoc_number(doc, c, &v) || is_eval_timing(key) ||
            (strncmp(key, "eval_", 5) && strncmp(key, "test_", 5)))
            continue;
        strbuf_addf(&sb, "%s%s %s", n++ ? ", " : "", key,
                    fmt_num(num, sizeof(num), v));
    }
    if (n)
        metrics_note(m, "%s holds an evaluation after training: %s",
                     path_base(path), sb.buf);
    strbuf_release(&sb);
    jsondoc_free(doc);
}

/* The notes on how x is counted and what the columns mean. */
static void note_axis(struct metrics *m, const struct jsondoc *doc,
                      const struct jsondoc_node *root, bool by_epoch,
                      const char *why_not)
{
    double every;

    if (by_epoch)
        metrics_note(m, "x is the Trainer's epoch, fractional and counted "
                        "from 0 (0.5 is half-way through the first epoch)");
    else
        metrics_note(m, "x is the optimizer step, not the epoch: %s", why_not);
    if (metrics_find(m, "train_loss")) {
        if (get_number(doc, root, "logging_steps", &every) && every > 1) {
            char num[FMT_NUM_SIZE];

            metrics_note(m,
                         "train_loss is the mean over the %s steps since "
                         "the previous log entry, not one batch",
                         fmt_num(num, sizeof(num), every));
        } else {
            metrics_note(m, "train_loss is the mean over the steps since the "
                            "previous log entry, not one batch");
        }
    }
}

static bool has_eval(const struct metrics *m)
{
    for (size_t i = 0; i < m->ncols; i++)
        if (m->cols[i].orig && !strncmp(m->cols[i].orig, "eval_", 5) &&
            !is_eval_timing(m->cols[i].orig))
            return true;
    return false;
}

static struct metrics *read_state(const struct candidate *c, char **why)
{
    struct jsondoc *doc;
    const struct jsondoc_node *root, *hist, *e, *summary = NULL;
    struct jsondoc_rows rows;
    struct strbuf why_not = STRBUF_INIT;
    struct metrics *m = NULL;
    size_t nonobj = 0, nox = 0;
    bool by_epoch;

    *why = NULL;
    doc = jsondoc_parse_file(c->path, why);
    if (!doc)
        return NULL;
    root = jsondoc_root(doc);
    hist = jsondoc_get(doc, root, "log_history");
    if (root->type != JSONDOC_OBJECT) {
        *why = xasprintf("%s:%lu: top level is not a JSON object", c->path,
                         (unsigned long)root->line);
        goto out;
    }
    if (!hist || hist->type != JSONDOC_ARRAY) {
        *why = xasprintf("%s:%lu: no \"log_history\" list", c->path,
                         (unsigned long)(hist ? hist->line : root->line));
        goto out;
    }

    by_epoch = epoch_usable(doc, hist, &why_not);
    m = metrics_new(c->path, by_epoch ? "epoch" : "step");
    m->format = LABEL;
    m->xbase = by_epoch ? 0 : -1;
    jsondoc_rows_init(&rows, m, column_name);
    for (e = jsondoc_first(doc, hist); e; e = jsondoc_next(doc, e)) {
        double x;

        if (e->type != JSONDOC_OBJECT) {
            nonobj++;
        } else if (is_summary(doc, e)) {
            summary = e;
        } else if (!get_number(doc, e, by_epoch ? "epoch" : "step", &x)) {
            nox++;
        } else {
            jsondoc_rows_add(&rows, doc, e, x, e->line);
        }
    }
    jsondoc_rows_finish(&rows);
    if (!m->nrows) {
        *why = xasprintf("%s:%lu: log_history holds no training or "
                         "evaluation entries",
                         c->path, (unsigned long)hist->line);
        metrics_free(m);
        m = NULL;
        jsondoc_rows_release(&rows);
        goto out;
    }

    note_axis(m, doc, root, by_epoch, why_not.buf);
    if (!has_eval(m))
        metrics_note(m, "log_history holds no evaluation entries: the run "
                        "has no validation curve");
    else
        metrics_note(m, "val_* columns are the Trainer's evaluations "
                        "(eval_* in the log)");
    note_best(m, doc, root, hist);
    if (metrics_find(m, "grad_norm")) {
        /* TrainingArguments.max_grad_norm defaults to 1.0. */
        m->grad_clip = 1.0;
        metrics_note(m, "grad_norm is logged before clipping: the Trainer "
                        "clips it at max_grad_norm (1 unless the run set "
                        "another)");
    }
    if (summary) {
        char num[FMT_NUM_SIZE];
        double v;

        if (get_number(doc, summary, "train_loss", &v))
            metrics_note(m,
                         "the summary entry at line %lu (train_loss %s, the "
                         "mean over the whole run) is not part of the curves",
                         (unsigned long)summary->line,
                         fmt_num(num, sizeof(num), v));
    }
    if (rows.restarts) {
        char b1[FMT_NUM_SIZE], b2[FMT_NUM_SIZE];

        metrics_note(m,
                     "the %s goes back %zu time%s (first at line %zu, from "
                     "%s to %s): the run was resumed or restarted, and later "
                     "entries replace the earlier ones from there on",
                     m->xname, rows.restarts, rows.restarts == 1 ? "" : "s",
                     rows.restart_line,
                     fmt_num(b1, sizeof(b1), rows.restart_from),
                     fmt_num(b2, sizeof(b2), rows.restart_to));
    }
    if (checkpoint_number(path_base(c->dir)) >= 0)
        metrics_note(m,
                     "read from the copy in %s/ (no run-level %s): the log "
                     "stops at that checkpoint",
                     path_base(c->dir), STATE_FILE);
    if (nonobj)
        metrics_note(m, "%zu log_history entr%s not an object: left out",
                     nonobj, nonobj == 1 ? "y is" : "ies are");
    if (nox)
        metrics_note(m, "%zu log_history entr%s no %s: left out", nox,
                     nox == 1 ? "y has" : "ies have", m->xname);
    if (c->extra)
        note_results(m, c->extra);
    jsondoc_rows_release(&rows);
out:
    strbuf_release(&why_not);
    jsondoc_free(doc);
    return m;
}

const struct format format_hf_trainer = {
    .id = "hf_trainer",
    .label = LABEL,
    .scan = scan,
    .read = read_state,
};
