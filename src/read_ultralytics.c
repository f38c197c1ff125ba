/*
 * read_ultralytics.c - Ultralytics YOLO (and YOLOv5) results.csv, and
 * the results.txt of YOLOv5 before results.csv and of YOLOv7.
 *
 * The trainer writes results.csv beside args.yaml (YOLOv5: opt.yaml and
 * hyp.yaml), one row per epoch. Three layouts occur:
 *   - current Ultralytics: "epoch,time,train/box_loss,...", unpadded,
 *     epochs from 1;
 *   - older Ultralytics: every header and value padded with spaces to a
 *     fixed width, no time column, epochs from 0 or 1 depending on the
 *     version;
 *   - YOLOv5: padded to 20 characters, epochs from 0, train/obj_loss,
 *     metrics/mAP_0.5:0.95 and x/lr0..2.
 * csvload_each() trims the padding, so one reader serves all three; the
 * epoch base is the first epoch in the file when it is 0 or 1.
 *
 * The log has no single loss: a detector's loss is the sum of its parts
 * (box, cls, dfl or obj), which is what the trainer minimises. reportgen's
 * train_loss and val_loss are added as those sums, beside the parts. The
 * learning rate is logged per parameter group; the bias group warms up
 * from warmup_bias_lr (0.1) while the weights warm up from 0, so lr is the
 * group that starts lowest, which is the one that follows the schedule.
 *
 * Merge conflicts: results.csv is often committed, and a merge of two
 * branches that both trained leaves git's conflict markers inside it.
 * Rather than refuse a file whose every row is well-formed, the reader
 * keeps one side of each conflict: the side with more rows (the run that
 * got further; the first side on a tie), drops the other side and any
 * diff3 base section, and says so in a note naming the lines. A marker out
 * of order, or a conflict still open at the end, is an error at its line.
 *
 * results.txt (YOLOv5 until mid-2021, YOLOv7) has no header: one line per
 * epoch of 15 fields separated by runs of spaces, as train.py formats
 * them: "epoch/last", GPU memory ("1.86G"), the mean train box, obj, cls
 * and total loss, the labels in the last batch, the image size, then P,
 * R, mAP@.5, mAP@.5:.95 and the val box, obj and cls loss. The columns get
 * the names YOLOv5's results.csv gives them, with the names train.py
 * prints as the log's own (box, mAP@.5:.95, ...).
 */
#include "formats.h"

#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csvload.h"
#include "strbuf.h"
#include "util.h"

#include "banned.h"

static const char label[] = "Ultralytics YOLO results.csv";

/* The files a run keeps beside results.csv, claimed with it. */
static const char *const side_files[] = {"args.yaml", "opt.yaml", "hyp.yaml"};

/*
 * True when the header line names the columns Ultralytics writes: epoch
 * first, a train/ loss and a metrics/ or val/ column.
 */
static bool looks_like_header(const char *line)
{
    struct strbuf sb = STRBUF_INIT;
    bool first = true, train = false, other = false, ok = true;
    const char *p = line;

    while (ok) {
        size_t len = strcspn(p, ",");

        strbuf_reset(&sb);
        strbuf_add(&sb, p, len);
        strbuf_trim(&sb);
        if (first)
            ok = !strcmp(sb.buf, "epoch");
        else if (!strncmp(sb.buf, "train/", 6))
            train = true;
        else if (!strncmp(sb.buf, "metrics/", 8) || !strncmp(sb.buf, "val/", 4))
            other = true;
        first = false;
        if (!p[len])
            break;
        p += len + 1;
    }
    strbuf_release(&sb);
    return ok && train && other;
}

static void scan(struct dir_list *dl, struct candidates *out)
{
    struct dir_entry *e = dir_list_find(dl, "results.csv");
    char *line = dir_list_first_line(dl, e), *path;

    if (line && looks_like_header(line)) {
        e->claimed = true;
        dir_list_claim(dl, side_files, ARRAY_SIZE(side_files), false);
        path = dir_list_path(dl, e->name);
        candidates_add(out, &format_ultralytics, dl->rel, dl->path, path, NULL);
        free(path);
    }
    free(line);
}

enum side {
    SIDE_NONE,   /* outside any conflict */
    SIDE_FIRST,  /* between <<<<<<< and ||||||| or ======= */
    SIDE_BASE,   /* between ||||||| and ======= (diff3) */
    SIDE_SECOND, /* between ======= and >>>>>>> */
};

struct reader {
    const char *path;
    char **names; /* header, epoch first */
    size_t nnames;
    bool have_header;

    /* Every data row read, kept until the conflicts are resolved. */
    size_t nrows, alloc;
    double *x;
    size_t *line;
    bool *keep;
    double *v; /* nrows * (nnames - 1) values */
    unsigned char *pres;
    size_t valloc;

    /* The open conflict. */
    enum side side;
    size_t open_line, first_start, base_start, second_start;
    char *first_label;

    struct metrics *m; /* only for the notes made while reading */
    struct strbuf err;
};

/*
 * The kind of a git conflict marker line ('<', '|', '=' or '>'), or 0.
 * git writes seven characters, then a space and a label for all but
 * "=======".
 */
static int marker(const struct csv_record *rec)
{
    const char *s = rec->fields[0];
    size_t i;

    if (!s[0] || !strchr("<|=>", s[0]))
        return 0;
    for (i = 1; i < 7; i++)
        if (s[i] != s[0])
            return 0;
    if (s[0] == '=')
        return !s[7] && rec->nfields == 1 ? '=' : 0;
    return !s[7] || s[7] == ' ' ? s[0] : 0;
}

static int fail(struct reader *rd, size_t line, const char *fmt, ...)
    PRINTF_LIKE(3, 4);

static int fail(struct reader *rd, size_t line, const char *fmt, ...)
{
    va_list ap;

    strbuf_reset(&rd->err);
    strbuf_addf(&rd->err, "%s:%zu: ", rd->path, line);
    va_start(ap, fmt);
    strbuf_vaddf(&rd->err, fmt, ap);
    va_end(ap);
    return -1;
}

/* Settle the conflict that ends at line (the >>>>>>> marker). */
static void resolve(struct reader *rd, size_t line, const char *second_label)
{
    size_t first_end = rd->base_start, nfirst, nsecond, nkept, ndropped;
    size_t i, from, to;
    bool keep_first;

    nfirst = first_end - rd->first_start;
    nsecond = rd->nrows - rd->second_start;
    keep_first = nfirst >= nsecond;
    from = keep_first ? rd->second_start : rd->first_start;
    to = keep_first ? rd->nrows : first_end;
    for (i = from; i < to; i++)
        rd->keep[i] = false;
    for (i = first_end; i < rd->second_start; i++)
        rd->keep[i] = false; /* the common ancestor's rows */
    nkept = keep_first ? nfirst : nsecond;
    ndropped = keep_first ? nsecond : nfirst;
    metrics_note(rd->m,
                 "lines %zu-%zu hold a git merge conflict ('%s' against "
                 "'%s'): kept the %zu row%s of the %s side (%s) and dropped "
                 "the %zu row%s of the other",
                 rd->open_line, line, rd->first_label, second_label, nkept,
                 nkept == 1 ? "" : "s", keep_first ? "first" : "second",
                 nfirst == nsecond ? "the first, on a tie" : "the longer one",
                 ndropped, ndropped == 1 ? "" : "s");
}

static char *marker_label(const char *s)
{
    s += 7;
    while (*s == ' ')
        s++;
    return xstrdup(*s ? s : "(no label)");
}

static int on_marker(struct reader *rd, const struct csv_record *rec, int kind)
{
    static const char *const text[] = {"<<<<<<<", "|||||||",
                                       "=======", ">>>>>>>"};
    const char *t = kind == '<'   ? text[0]
                    : kind == '|' ? text[1]
                    : kind == '=' ? text[2]
                                  : text[3];
    char *lab;

    if (!rd->have_header)
        return fail(rd, rec->line,
                    "git merge-conflict marker '%s' before the header", t);
    switch (kind) {
    case '<':
        if (rd->side != SIDE_NONE)
            break;
        rd->side = SIDE_FIRST;
        rd->open_line = rec->line;
        rd->first_start = rd->nrows;
        free(rd->first_label);
        rd->first_label = marker_label(rec->fields[0]);
        return 0;
    case '|':
        if (rd->side != SIDE_FIRST)
            break;
        rd->side = SIDE_BASE;
        rd->base_start = rd->nrows;
        return 0;
    case '=':
        if (rd->side != SIDE_FIRST && rd->side != SIDE_BASE)
            break;
        if (rd->side == SIDE_FIRST)
            rd->base_start = rd->nrows;
        rd->side = SIDE_SECOND;
        rd->second_start = rd->nrows;
        return 0;
    case '>':
        if (rd->side != SIDE_SECOND)
            break;
        lab = marker_label(rec->fields[0]);
        resolve(rd, rec->line, lab);
        free(lab);
        rd->side = SIDE_NONE;
        return 0;
    }
    return fail(rd, rec->line, "git merge-conflict marker '%s' out of place",
                t);
}

static int on_header(struct reader *rd, const struct csv_record *rec)
{
    char *problem;
    size_t i;

    if (strcmp(rec->fields[0], "epoch"))
        return fail(rd, rec->line,
                    "not an Ultralytics results.csv: the header does not "
                    "start with 'epoch'");
    if ((problem = csvload_header_problem(rec->fields, rec->nfields, 0))) {
        fail(rd, rec->line, "%s", problem);
        free(problem);
        return -1;
    }
    rd->names = xreallocarray(NULL, rec->nfields, sizeof(*rd->names));
    for (i = 0; i < rec->nfields; i++)
        rd->names[i] = xstrdup(rec->fields[i]);
    rd->nnames = rec->nfields;
    rd->have_header = true;
    return 0;
}

static int on_row(struct reader *rd, const struct csv_record *rec)
{
    size_t nv = rd->nnames - 1, i, r;
    double x;

    if (rec->nfields != rd->nnames)
        return fail(rd, rec->line, "%zu fields, but the header has %zu",
                    rec->nfields, rd->nnames);
    if (parse_number(rec->fields[0], &x) < 0 || !isfinite(x))
        return fail(rd, rec->line, "bad epoch '%s'", rec->fields[0]);
    r = rd->nrows;
    if (r + 1 > rd->alloc) {
        ALLOC_GROW(rd->x, r + 1, rd->alloc);
        rd->line = xreallocarray(rd->line, rd->alloc, sizeof(*rd->line));
        rd->keep = xreallocarray(rd->keep, rd->alloc, sizeof(*rd->keep));
    }
    if ((r + 1) * nv > rd->valloc) {
        ALLOC_GROW(rd->v, (r + 1) * nv, rd->valloc);
        rd->pres = xreallocarray(rd->pres, rd->valloc, 1);
    }
    for (i = 1; i < rec->nfields; i++) {
        const char *s = rec->fields[i];
        double v = NAN;

        rd->pres[r * nv + i - 1] = 0;
        if (!*s)
            continue;
        if (parse_number(s, &v) < 0) {
            char *why =
                csvload_cell_problem(rd->path, rec->line, s, rd->names[i]);

            strbuf_reset(&rd->err);
            strbuf_addstr(&rd->err, why);
            free(why);
            return -1;
        }
        rd->v[r * nv + i - 1] = v;
        rd->pres[r * nv + i - 1] = 1;
    }
    rd->x[r] = x;
    rd->line[r] = rec->line;
    rd->keep[r] = rd->side != SIDE_BASE;
    rd->nrows++;
    return 0;
}

static int on_record(const struct csv_record *rec, void *ctx)
{
    struct reader *rd = ctx;
    int kind = marker(rec);

    if (kind)
        return on_marker(rd, rec, kind);
    if (!rd->have_header)
        return on_header(rd, rec);
    return on_row(rd, rec);
}

/*
 * Add train_loss or val_loss (canonical) over the columns named
 * prefix...loss: the column itself when there is one, their sum when
 * there are several (a row missing a part has no sum).
 */
static void add_loss(struct metrics *m, const char *prefix,
                     const char *canonical)
{
    size_t *parts = xreallocarray(NULL, m->ncols + 1, sizeof(*parts));
    size_t n = 0, i, j, col, plen = strlen(prefix);
    struct strbuf names = STRBUF_INIT;

    for (i = 0; i < m->ncols; i++) {
        const char *name = m->cols[i].name;
        size_t len = strlen(name);

        if (!strncmp(name, prefix, plen) && len >= plen + 4 &&
            !strcmp(name + len - 4, "loss"))
            parts[n++] = i;
    }
    if (n == 1)
        metrics_rename(m, parts[0], canonical);
    if (n < 2) {
        free(parts);
        return;
    }
    col = metrics_add_column(m, canonical);
    for (i = 0; i < m->nrows; i++) {
        double sum = 0;

        for (j = 0; j < n; j++) {
            const struct column *c = &m->cols[parts[j]];

            if (!metrics_present(c, i))
                break;
            sum += metrics_v(c, i);
        }
        if (j == n)
            metrics_set(m, i, col, sum);
    }
    for (j = 0; j < n; j++)
        strbuf_addf(&names, "%s%s", j ? (j + 1 < n ? ", " : " and ") : "",
                    m->cols[parts[j]].name);
    metrics_note(m, "%s is the sum of %s, added by reportgen", canonical,
                 names.buf);
    strbuf_release(&names);
    free(parts);
}

/* The first present, finite value of column col, or NaN. */
static double first_value(const struct metrics *m, size_t col)
{
    size_t i;

    for (i = 0; i < m->nrows; i++)
        if (metrics_present(&m->cols[col], i) &&
            isfinite(metrics_v(&m->cols[col], i)))
            return metrics_v(&m->cols[col], i);
    return NAN;
}

/* Rename the parameter group that starts lowest to lr. */
static void pick_lr(struct metrics *m)
{
    size_t i, best = SIZE_MAX, first = SIZE_MAX;
    double best_v = NAN;

    for (i = 0; i < m->ncols; i++) {
        const char *name = m->cols[i].name;
        double v;

        if (strncmp(name, "lr/", 3) && strncmp(name, "x/lr", 4))
            continue;
        if (first == SIZE_MAX)
            first = i;
        v = first_value(m, i);
        if (best == SIZE_MAX || (!isnan(v) && (isnan(best_v) || v < best_v))) {
            best = i;
            best_v = v;
        }
    }
    if (best == SIZE_MAX)
        return;
    if (best != first)
        metrics_note(m,
                     "lr is '%s', the parameter group with the lowest "
                     "starting rate: '%s' is the bias group, which warms "
                     "up from a higher rate",
                     m->cols[best].name, m->cols[first].name);
    metrics_rename(m, best, "lr");
}

/*
 * When every metrics/ column is 0 in every epoch, validation scored
 * nothing: a run with empty or mismatched validation labels logs exactly
 * that (and val box and dfl losses of 0), and its curves carry no signal.
 */
static void note_zero_metrics(struct metrics *m)
{
    size_t i, j, n = 0;

    for (i = 0; i < m->ncols; i++) {
        const struct column *c = &m->cols[i];

        if (strncmp(c->name, "metrics/", 8))
            continue;
        for (j = 0; j < m->nrows; j++)
            if (metrics_present(c, j) && metrics_v(c, j) != 0)
                return;
        n++;
    }
    if (n)
        metrics_note(m, "every metrics/ column is 0 in every epoch: "
                        "validation found nothing to score (empty or "
                        "mismatched validation labels?)");
}

/* The column Ultralytics itself judges a run by (its fitness). */
static void note_selection(struct metrics *m)
{
    static const char *const prefer[] = {
        "metrics/mAP50-95(B)", "metrics/mAP50-95(M)", "metrics/mAP50-95(P)",
        "metrics/mAP_0.5:0.95", "metrics/accuracy_top1"};
    size_t i;

    for (i = 0; i < ARRAY_SIZE(prefer); i++)
        if (metrics_column_index(m, prefer[i]) != SIZE_MAX)
            break;
    if (i == ARRAY_SIZE(prefer))
        return;
    metrics_note(m,
                 "the usual selection metric here is %s (to maximise): use "
                 "--select '%s:max'",
                 prefer[i], prefer[i]);
    metrics_hint(m, prefer[i], true,
                 "the metric that weighs most in the fitness by which "
                 "Ultralytics saves best.pt");
}

static void reader_release(struct reader *rd)
{
    size_t i;

    for (i = 0; i < rd->nnames; i++)
        free(rd->names[i]);
    free(rd->names);
    free(rd->x);
    free(rd->line);
    free(rd->keep);
    free(rd->v);
    free(rd->pres);
    free(rd->first_label);
    strbuf_release(&rd->err);
}

static struct metrics *read_results(const struct candidate *c, char **why)
{
    struct reader rd;
    struct metrics *m = metrics_new(c->path, "epoch");
    size_t i, j, nv;
    bool v5, timecol;

    *why = NULL;
    memset(&rd, 0, sizeof(rd));
    rd.path = c->path;
    rd.m = m;
    strbuf_init(&rd.err, 0);
    if (csvload_each(c->path, ',', on_record, &rd, why) < 0) {
        if (!*why)
            *why = strbuf_detach(&rd.err, NULL);
        goto fail;
    }
    if (!rd.have_header) {
        *why = xasprintf("%s: empty file", c->path);
        goto fail;
    }
    if (rd.side != SIDE_NONE) {
        *why = xasprintf("%s:%zu: git merge conflict not closed by '>>>>>>>'",
                         c->path, rd.open_line);
        goto fail;
    }
    nv = rd.nnames - 1;
    for (j = 1; j < rd.nnames; j++)
        metrics_add_column(m, rd.names[j]);
    for (i = 0; i < rd.nrows; i++) {
        size_t row;

        if (!rd.keep[i])
            continue;
        row = metrics_add_row(m, rd.x[i], rd.line[i]);
        for (j = 0; j < nv; j++)
            if (rd.pres[i * nv + j])
                metrics_set(m, row, j, rd.v[i * nv + j]);
    }
    if (!m->nrows) {
        *why = xasprintf("%s: no data rows", c->path);
        goto fail;
    }

    v5 = metrics_column_index(m, "x/lr0") != SIZE_MAX ||
         metrics_column_index(m, "train/obj_loss") != SIZE_MAX ||
         metrics_column_index(m, "metrics/mAP_0.5:0.95") != SIZE_MAX;
    timecol = metrics_column_index(m, "time") != SIZE_MAX;
    m->format = label;
    if (metrics_x(m, 0) == 0 || metrics_x(m, 0) == 1)
        m->xbase = (int)metrics_x(m, 0);
    else
        m->xbase = v5 ? 0 : timecol ? 1 : -1;
    if (v5)
        metrics_note(m, "YOLOv5 layout (obj_loss, x/lr0-2)");
    else if (!timecol)
        metrics_note(m, "older Ultralytics layout (no time column)");
    add_loss(m, "train/", "train_loss");
    add_loss(m, "val/", "val_loss");
    pick_lr(m);
    note_zero_metrics(m);
    note_selection(m);
    reader_release(&rd);
    return m;
fail:
    reader_release(&rd);
    metrics_free(m);
    return NULL;
}

/* The 15 fields of a results.txt line: name and the name train.py
 * prints; NULL for a field that is not a column. */
static const struct {
    const char *name, *orig;
} txt_fields[] = {
    {NULL, NULL}, /* epoch/last */
    {NULL, NULL}, /* GPU memory */
    {"train/box_loss", "box"},
    {"train/obj_loss", "obj"},
    {"train/cls_loss", "cls"},
    {"train_loss", "total"},
    {"labels", "labels"},
    {"img_size", "img_size"},
    {"metrics/precision", "P"},
    {"metrics/recall", "R"},
    {"metrics/mAP_0.5", "mAP@.5"},
    {"metrics/mAP_0.5:0.95", "mAP@.5:.95"},
    {"val/box_loss", "val box"},
    {"val/obj_loss", "val obj"},
    {"val/cls_loss", "val cls"},
};

/* Is s an epoch field, "N/LAST" with digits only? */
static bool epoch_field(const char *s, double *epoch)
{
    size_t a = strspn(s, "0123456789");

    if (!a || s[a] != '/' || !s[a + 1] ||
        s[a + 1 + strspn(s + a + 1, "0123456789")])
        return false;
    *epoch = strtod(s, NULL);
    return true;
}

static void scan_txt(struct dir_list *dl, struct candidates *out)
{
    struct dir_entry *e = dir_list_find(dl, "results.txt");
    char *line = dir_list_first_line(dl, e), *path, *tok, *save = NULL;
    double ep;

    if (!line)
        return;
    tok = strtok_r(line, " \t", &save);
    if (tok && epoch_field(tok, &ep)) {
        e->claimed = true;
        dir_list_claim(dl, side_files, ARRAY_SIZE(side_files), false);
        path = dir_list_path(dl, e->name);
        candidates_add(out, &format_yolov5_txt, dl->rel, dl->path, path, NULL);
        free(path);
    }
    free(line);
}

struct txt_reader {
    const char *path;
    struct metrics *m;
    char *why;
};

static int on_txt_record(const struct csv_record *rec, void *ctx)
{
    struct txt_reader *rd = ctx;
    double x, v;
    size_t row;

    if (rec->nfields != ARRAY_SIZE(txt_fields)) {
        rd->why = xasprintf("%s:%zu: %zu fields, where YOLOv5's results.txt "
                            "has %zu",
                            rd->path, rec->line, rec->nfields,
                            ARRAY_SIZE(txt_fields));
        return -1;
    }
    if (!epoch_field(rec->fields[0], &x)) {
        rd->why = xasprintf("%s:%zu: bad epoch '%s': expected EPOCH/LAST",
                            rd->path, rec->line, rec->fields[0]);
        return -1;
    }
    row = metrics_add_row(rd->m, x, rec->line);
    for (size_t j = 2, col = 0; j < rec->nfields; j++, col++) {
        if (parse_number(rec->fields[j], &v)) {
            rd->why =
                xasprintf("%s:%zu: bad number '%s' in column '%s'", rd->path,
                          rec->line, rec->fields[j], txt_fields[j].orig);
            return -1;
        }
        metrics_set(rd->m, row, col, v);
    }
    return 0;
}

static struct metrics *read_txt(const struct candidate *c, char **why)
{
    struct txt_reader rd = {c->path, metrics_new(c->path, "epoch"), NULL};

    *why = NULL;
    for (size_t j = 2; j < ARRAY_SIZE(txt_fields); j++)
        metrics_add_column_as(rd.m, txt_fields[j].name, txt_fields[j].orig);
    if (csvload_each(c->path, ' ', on_txt_record, &rd, why) < 0) {
        if (!*why)
            *why = rd.why;
        else
            free(rd.why);
        metrics_free(rd.m);
        return NULL;
    }
    if (!rd.m->nrows) {
        *why = xasprintf("%s: no data rows", c->path);
        metrics_free(rd.m);
        return NULL;
    }
    rd.m->format = format_yolov5_txt.label;
    rd.m->xbase = 0;
    metrics_note(rd.m, "no header: the columns are those YOLOv5's train.py "
                       "writes, named as in its results.csv; epochs from 0");
    add_loss(rd.m, "val/", "val_loss");
    note_zero_metrics(rd.m);
    note_selection(rd.m);
    return rd.m;
}

const struct format format_yolov5_txt = {
    .id = "yolov5_txt",
    .label = "YOLOv5/YOLOv7 results.txt",
    .scan = scan_txt,
    .read = read_txt,
};

const struct format format_ultralytics = {
    .id = "ultralytics",
    .label = label,
    .scan = scan,
    .read = read_results,
};
