/*
 * read_detectron2.c - detectron2's metrics.json.
 *
 * detectron2's JSONWriter appends one JSON object per line to
 * OUTPUT_DIR/metrics.json every logging period (20 iterations by
 * default): "iteration" (counted from 0) plus the latest value of every
 * scalar in the event storage. Training records hold total_loss, the
 * loss_* terms, lr, time, data_time, eta_seconds and the ROI heads'
 * statistics (fast_rcnn/cls_accuracy, ...); losses are medians over the
 * last 20 iterations (the writer's smoothing window). Evaluation results
 * (bbox/AP, bbox/AP50, segm/AP, per-class bbox/AP-<class>) appear at the
 * evaluation iterations, on the training record of the same iteration or
 * on a line of their own. COCO AP is NaN where the evaluation set has no
 * object of a size or class (bbox/APs with no small objects): written as
 * a bare NaN, it is left out with a note (keep_value()), since it is not
 * the NaN of a diverging run.
 *
 * The file is opened in append mode, so a job restarted in the same
 * OUTPUT_DIR (without resume, or resumed from an earlier checkpoint)
 * writes iterations the file already holds: the later records replace
 * the earlier ones from that iteration on (jsondoc_rows), and a note
 * says so. A job killed mid-write leaves its last line cut short; that
 * line is left out with a note rather than failing the run.
 *
 * Each line is parsed alone (jsondoc_parse_string), so the file is never
 * held whole and an error names its line.
 */
#include "formats.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "jsondoc.h"
#include "strbuf.h"
#include "util.h"

#include "banned.h"

#define LABEL "detectron2 metrics.json"
#define METRICS_FILE "metrics.json"
/* The longest first line read whole when sniffing. */
#define FIRST_LINE_MAX (4 * 1024 * 1024)

/* Does line (len bytes, file line 1) hold a record with an iteration? */
static bool is_record(const char *line, size_t len)
{
    struct jsondoc *doc;
    const struct jsondoc_node *it;
    char *why = NULL;
    double v;
    bool ok;

    doc = jsondoc_parse_string(line, len, METRICS_FILE, 1, &why);
    free(why);
    if (!doc)
        return false;
    it = jsondoc_get(doc, jsondoc_root(doc), "iteration");
    ok = it && !jsondoc_number(doc, it, &v);
    jsondoc_free(doc);
    return ok;
}

/*
 * The first line of path (without its line end), up to max bytes, in sb;
 * false when the file cannot be opened. *whole says whether the line
 * ended within max bytes.
 */
static bool first_line_of(const char *path, size_t max, struct strbuf *sb,
                          bool *whole)
{
    char *why;
    FILE *fp = input_open(path, &why);
    int c;

    free(why);
    if (!fp)
        return false;
    *whole = false;
    while (sb->len < max && (c = getc(fp)) != EOF) {
        if (c == '\n' || c == '\r') {
            *whole = true;
            break;
        }
        strbuf_addch(sb, (char)c);
    }
    if (sb->len < max && !ferror(fp))
        *whole = true;
    fclose(fp);
    return true;
}

/*
 * A metrics.json is detectron2's when its first line is a JSON object
 * with an "iteration" key. Evaluation records with per-class APs can be
 * long, and their keys sort before "iteration", so the whole line is
 * read, up to FIRST_LINE_MAX; a longer one is judged by its start.
 */
static bool looks_like_metrics(const char *path)
{
    struct strbuf sb = STRBUF_INIT;
    bool whole, ok = false;
    const char *p;

    if (first_line_of(path, FIRST_LINE_MAX, &sb, &whole)) {
        p = sb.buf;
        if (!strncmp(p, "\xef\xbb\xbf", 3))
            p += 3;
        p += strspn(p, " \t");
        if (*p == '{')
            ok = whole ? is_record(sb.buf, sb.len)
                       : strstr(p, "\"iteration\"") != NULL;
    }
    strbuf_release(&sb);
    return ok;
}

static void scan(struct dir_list *dl, struct candidates *out)
{
    struct dir_entry *e = dir_list_find(dl, METRICS_FILE);
    char *path;

    if (!e || e->claimed || e->is_dir)
        return;
    path = dir_list_path(dl, METRICS_FILE);
    if (looks_like_metrics(path)) {
        e->claimed = true;
        candidates_add(out, &format_detectron2, dl->rel, dl->path, path, NULL);
    }
    free(path);
}

/* The column name of a record key (see the top of the file). */
static bool column_name(const char *key, struct strbuf *out)
{
    static const struct {
        const char *key, *name;
    } map[] = {
        {"total_loss", "train_loss"},
        {"validation_loss", "val_loss"},
        {"val_loss", "val_loss"},
        {"val_total_loss", "val_loss"},
    };

    if (!strcmp(key, "iteration"))
        return false;
    for (size_t i = 0; i < ARRAY_SIZE(map); i++) {
        if (!strcmp(key, map[i].key)) {
            strbuf_addstr(out, map[i].name);
            return true;
        }
    }
    strbuf_addstr(out, key);
    return true;
}

/* NaN values of one COCO AP column, left out. */
struct ap_nan {
    char *name;
    size_t nan, n; /* NaN values, all values */
};

/* What a read found besides the rows. */
struct tally {
    size_t noiter;   /* records without an iteration */
    size_t cut_line; /* the last line, cut short; 0 if none */
    struct ap_nan *ap;
    size_t nap, apalloc;
};

static void tally_release(struct tally *t)
{
    for (size_t i = 0; i < t->nap; i++)
        free(t->ap[i].name);
    free(t->ap);
}

/*
 * keep() for jsondoc_rows: leave out the NaN values of COCO AP columns
 * (bbox/AP, bbox/APs, segm/AP-<class>, ...). COCOeval gives NaN where
 * the evaluation set holds no object of that size or class; detectron2
 * writes it as a bare NaN. It is not a training failure (detectron2
 * stops on a non-finite loss before it evaluates), so it must not read
 * as the non-finite values a diverging run logs. The note says so.
 */
static bool keep_value(void *data, const char *name, double v)
{
    struct tally *t = data;
    struct ap_nan *a = NULL;

    if (!strstr(name, "/AP"))
        return true;
    for (size_t i = 0; i < t->nap && !a; i++)
        if (!strcmp(t->ap[i].name, name))
            a = &t->ap[i];
    if (!a) {
        ALLOC_GROW(t->ap, t->nap + 1, t->apalloc);
        a = &t->ap[t->nap++];
        a->name = xstrdup(name);
        a->nan = a->n = 0;
    }
    a->n++;
    if (!isnan(v))
        return true;
    a->nan++;
    return false;
}

/* One note on every AP column whose NaN values were left out. */
static void note_ap_nan(struct metrics *m, const struct tally *t)
{
    struct strbuf sb = STRBUF_INIT;

    for (size_t i = 0; i < t->nap; i++) {
        const struct ap_nan *a = &t->ap[i];

        if (!a->nan)
            continue;
        strbuf_addf(&sb, "%s%s (%zu of %zu)", sb.len ? ", " : "", a->name,
                    a->nan, a->n);
    }
    if (sb.len)
        metrics_note(m,
                     "COCO AP is NaN where the evaluation set has no object "
                     "of that size or class, which says nothing of "
                     "training: the NaN values of %s are left out",
                     sb.buf);
    strbuf_release(&sb);
}

/* What to tell the reader of the report about this log. */
static void add_notes(struct metrics *m, const struct jsondoc_rows *rows,
                      const struct tally *t)
{
    static const char *const ap[] = {"bbox/AP", "segm/AP", "keypoints/AP"};
    bool losses = false;

    metrics_note(m, "x is detectron2's iteration, counted from 0 (the "
                    "record at iteration 19 follows 20 iterations)");
    for (size_t i = 0; i < m->ncols; i++)
        if (m->cols[i].role == ROLE_TRAIN_LOSS ||
            !strncmp(m->cols[i].name, "loss_", 5))
            losses = true;
    if (losses)
        metrics_note(m, "train_loss (total_loss) and the loss_* terms are "
                        "medians over the last 20 iterations (the "
                        "writer's smoothing window), not single batches");
    for (size_t i = 0; i < ARRAY_SIZE(ap); i++) {
        if (metrics_find(m, ap[i])) {
            metrics_note(m,
                         "%s (COCO average precision, in percent; higher "
                         "is better) is the usual metric to select a "
                         "checkpoint by",
                         ap[i]);
            break;
        }
    }
    if (!metrics_find(m, "val_loss"))
        metrics_note(m, "detectron2 logs no validation loss unless the "
                        "training script adds one: there is no val_loss");
    if (rows->restarts) {
        char b1[FMT_NUM_SIZE], b2[FMT_NUM_SIZE];

        metrics_note(m,
                     "restarted jobs appended to the same metrics.json: %zu "
                     "time%s a record goes back to an iteration already "
                     "logged (first at line %zu: iteration %s after %s), "
                     "and the later records replace the earlier ones from "
                     "that iteration on",
                     rows->restarts, rows->restarts == 1 ? "" : "s",
                     rows->restart_line,
                     fmt_num(b1, sizeof(b1), rows->restart_to),
                     fmt_num(b2, sizeof(b2), rows->restart_from));
    }
    note_ap_nan(m, t);
    if (t->noiter)
        metrics_note(m, "%zu record%s no iteration: left out", t->noiter,
                     t->noiter == 1 ? " has" : "s have");
    if (t->cut_line)
        metrics_note(m,
                     "the last line (%zu) is cut short, as when the job "
                     "was killed while writing it: left out",
                     t->cut_line);
}

/* Read the records of fp into rows; -1 with *why on a bad line. */
static int read_lines(FILE *fp, const char *path, struct jsondoc_rows *rows,
                      struct tally *t, char **why)
{
    struct metrics *m = rows->m;
    char *buf = NULL;
    size_t cap = 0, lineno = 0;
    ssize_t got;
    int ret = 0;

    while ((got = getline(&buf, &cap, fp)) >= 0) {
        size_t len = (size_t)got;
        bool ended = len && buf[len - 1] == '\n';
        const struct jsondoc_node *root, *it;
        struct jsondoc *doc;
        double x;

        lineno++;
        while (len && strchr(" \t\r\n", buf[len - 1]))
            len--;
        if (!len)
            continue;
        doc = jsondoc_parse_string(buf, len, path, lineno, why);
        if (!doc && !ended && m->nrows) {
            /* The job died while writing its last line. */
            t->cut_line = lineno;
            free(*why);
            *why = NULL;
            break;
        }
        if (!doc) {
            ret = -1;
            break;
        }
        root = jsondoc_root(doc);
        if (root->type != JSONDOC_OBJECT) {
            *why = xasprintf("%s:%zu: not a JSON object", path, lineno);
            jsondoc_free(doc);
            ret = -1;
            break;
        }
        it = jsondoc_get(doc, root, "iteration");
        if (!it || jsondoc_number(doc, it, &x) || !isfinite(x))
            t->noiter++;
        else
            jsondoc_rows_add(rows, doc, root, x, lineno);
        jsondoc_free(doc);
    }
    if (!ret && ferror(fp)) {
        *why = xasprintf("%s: cannot read: %s", path, strerror(errno));
        ret = -1;
    }
    free(buf);
    return ret;
}

static struct metrics *read_metrics(const struct candidate *c, char **why)
{
    struct jsondoc_rows rows;
    struct tally t;
    struct metrics *m;
    FILE *fp;

    fp = input_open(c->path, why);
    if (!fp)
        return NULL;
    m = metrics_new(c->path, "step");
    m->format = LABEL;
    m->xbase = -1;
    memset(&t, 0, sizeof(t));
    jsondoc_rows_init(&rows, m, column_name);
    rows.keep = keep_value;
    rows.keep_data = &t;
    if (read_lines(fp, c->path, &rows, &t, why) < 0) {
        metrics_free(m);
        m = NULL;
    } else if (!m->nrows) {
        *why =
            xasprintf("%s: no records with an iteration and a value", c->path);
        metrics_free(m);
        m = NULL;
    } else {
        jsondoc_rows_finish(&rows);
        add_notes(m, &rows, &t);
    }
    jsondoc_rows_release(&rows);
    tally_release(&t);
    fclose(fp);
    return m;
}

const struct format format_detectron2 = {
    .id = "detectron2",
    .label = LABEL,
    .scan = scan,
    .read = read_metrics,
};
