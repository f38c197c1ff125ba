/*
 * read_lightning.c - PyTorch Lightning's CSVLogger (format_lightning):
 * <save_dir>/<name>/version_<N>/metrics.csv, with hparams.yaml beside it.
 *
 * What the file looks like. Each self.log() call lands in a row keyed by
 * the global step; Lightning adds "epoch" (counted from 0) and "step"
 * columns. Rows are sparse: a training row fills the training columns, the
 * end-of-epoch validation row fills the val columns, and
 * LearningRateMonitor rows ("lr-Adam", ...) may leave even epoch empty. A
 * value logged with on_step and on_epoch becomes two columns, name_step
 * (every logging step) and name_epoch (the epoch mean). Several validation
 * dataloaders add "/dataloader_idx_<k>" to the names. Newer versions sort
 * the header and rewrite the whole file when a new key appears, so there
 * is one header; older ones keep the order of first appearance.
 *
 * How it is read. The rows are first read as they are into a scratch
 * struct metrics (x = record number), then folded onto the x axis:
 *
 *  - x is the epoch when the log has one, so that curves, the best
 *    checkpoint and the diagnosis speak in epochs like every other format.
 *    A row without an epoch (LearningRateMonitor) takes the epoch of the
 *    row with the same step, or failing that of the row before it. The
 *    rows of one epoch become one row: a column with one value in the
 *    epoch keeps it; a column with several (values logged per step) gets
 *    their mean, which is what Lightning's own _epoch aggregate computes;
 *    the learning rate and the step column take their last value, the
 *    ones in force at the end of the epoch. All of this is noted.
 *  - x is the step when there is no epoch to use, or when validation ran
 *    more than once within an epoch (val_check_interval < 1): averaging
 *    would then lose validation points. Rows of one step become one row,
 *    each column taking its last value; rows without a step are left out
 *    and counted in a note.
 *
 * Names: the _epoch aggregate is preferred for the canonical name
 * (train_loss_epoch becomes train_loss); _step columns keep their names.
 * Of several validation dataloaders the first keeps the plain meaning
 * (val_loss/dataloader_idx_0 becomes val_loss) and each other one becomes
 * a slice, <name>@dl<k> (val_loss@dl1), which is reportgen's convention
 * for one metric on several data sets. A column already called by a
 * canonical name always keeps it.
 */
#include "formats.h"

#include <ctype.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csvload.h"
#include "strbuf.h"
#include "util.h"

#include "banned.h"

/* Bytes of a file's start that scan() looks at. */
#define SNIFF_SIZE 4096
/* Column names listed in a note before "...". */
#define NOTE_NAMES_MAX 6

/*
 * Lightning names with a known meaning, best first for each canonical
 * name: the _epoch aggregate before the plain name before the _step one.
 */
static const struct {
    const char *log, *canonical;
} lightning_names[] = {
    {"train_loss_epoch", "train_loss"},
    {"train_loss", "train_loss"},
    {"train/loss_epoch", "train_loss"},
    {"train/loss", "train_loss"},
    {"training_loss_epoch", "train_loss"},
    {"training_loss", "train_loss"},
    {"loss_epoch", "train_loss"},
    {"loss", "train_loss"},
    {"train_loss_step", "train_loss"},
    {"train/loss_step", "train_loss"},
    {"loss_step", "train_loss"},
    {"val_loss", "val_loss"},
    {"val_loss_epoch", "val_loss"},
    {"valid_loss", "val_loss"},
    {"valid_loss_epoch", "val_loss"},
    {"val/loss", "val_loss"},
    {"val/loss_epoch", "val_loss"},
    {"valid/loss", "val_loss"},
    {"validation_loss", "val_loss"},
    {"validation/loss", "val_loss"},
    {"train_acc_epoch", "train_acc"},
    {"train_acc", "train_acc"},
    {"train_accuracy_epoch", "train_acc"},
    {"train_accuracy", "train_acc"},
    {"train/acc_epoch", "train_acc"},
    {"train/acc", "train_acc"},
    {"train/accuracy_epoch", "train_acc"},
    {"train/accuracy", "train_acc"},
    {"acc_epoch", "train_acc"},
    {"acc", "train_acc"},
    {"accuracy_epoch", "train_acc"},
    {"accuracy", "train_acc"},
    {"train_acc_step", "train_acc"},
    {"train_accuracy_step", "train_acc"},
    {"val_acc", "val_acc"},
    {"val_acc_epoch", "val_acc"},
    {"val_accuracy", "val_acc"},
    {"val_accuracy_epoch", "val_acc"},
    {"valid_acc", "val_acc"},
    {"valid_accuracy", "val_acc"},
    {"val/acc", "val_acc"},
    {"val/accuracy", "val_acc"},
    {"valid/acc", "val_acc"},
    {"valid/accuracy", "val_acc"},
    {"validation_acc", "val_acc"},
    {"validation_accuracy", "val_acc"},
    {"learning_rate", "lr"},
    {"lr", "lr"},
};

static bool has_prefix(const char *s, const char *prefix)
{
    return !strncmp(s, prefix, strlen(prefix));
}

/*
 * The dataloader index in "<base>/dataloader_idx_<k>", storing the base's
 * length in *baselen; -1 when name has no such suffix.
 */
static long dataloader_of(const char *name, size_t *baselen)
{
    static const char tag[] = "/dataloader_idx_";
    const char *p = strstr(name, tag), *d;
    long k = 0;

    *baselen = strlen(name);
    if (!p)
        return -1;
    d = p + sizeof(tag) - 1;
    if (!isdigit((unsigned char)*d))
        return -1;
    for (; isdigit((unsigned char)*d) && k < 100000; d++)
        k = k * 10 + (*d - '0');
    if (*d)
        return -1;
    *baselen = (size_t)(p - name);
    return k;
}

/* A LearningRateMonitor learning rate: "lr-<Optimizer>[/pg<n>]". */
static bool is_lr_monitor(const char *name)
{
    return has_prefix(name, "lr-") && !strstr(name, "momentum") &&
           !strstr(name, "weight_decay");
}

/* Rank of name as a spelling of a canonical name; SIZE_MAX if none. */
static size_t rank_of(const char *name, const char **canonical)
{
    if (is_lr_monitor(name)) {
        *canonical = "lr";
        return 0;
    }
    for (size_t i = 0; i < ARRAY_SIZE(lightning_names); i++) {
        if (!strcmp(lightning_names[i].log, name)) {
            *canonical = lightning_names[i].canonical;
            return i + 1;
        }
    }
    *canonical = NULL;
    return SIZE_MAX;
}

/* A validation metric, as opposed to a training or test one. */
static bool is_val_name(const char *name)
{
    static const char *const prefixes[] = {
        "val_", "val/", "valid_", "valid/", "validation_", "validation/",
    };

    for (size_t i = 0; i < ARRAY_SIZE(prefixes); i++)
        if (has_prefix(name, prefixes[i]))
            return !has_suffix(name, "_step");
    return !strcmp(name, "val");
}

/* The header names of a metrics.csv start, or 0 names. */
static size_t header_names(const char *buf, char ***out)
{
    char *line = first_line(buf), **names = NULL;
    size_t n = 0, alloc = 0;
    const char *p = line;

    for (const char *q = line; *q; q++) {
        if ((unsigned char)*q < 0x20 || *q == '"') {
            free(line);
            return 0;
        }
    }
    while (*p) {
        size_t len = strcspn(p, ",");

        ALLOC_GROW(names, n + 1, alloc);
        names[n++] = xstrndup(p, len);
        p += len;
        if (*p)
            p++;
    }
    free(line);
    *out = names;
    return n;
}

/* True when dir (a path) ends in a folder named version_<N>. */
static bool is_version_dir(const char *dir)
{
    const char *base = strrchr(dir, '/');

    base = base ? base + 1 : dir;
    if (!has_prefix(base, "version_") || !base[8])
        return false;
    for (const char *p = base + 8; *p; p++)
        if (!isdigit((unsigned char)*p))
            return false;
    return true;
}

/*
 * Whether the metrics.csv starting with buf in folder dl is Lightning's:
 * its header has both epoch and step, or a name_step/name_epoch pair
 * marker, or the folder is version_<N> or holds hparams.yaml (and the
 * header has an epoch or step column to read it by).
 */
static bool looks_lightning(struct dir_list *dl, const char *buf)
{
    char **names = NULL;
    size_t n = header_names(buf, &names), i;
    bool epoch = false, step = false, suffixed = false, ok;

    for (i = 0; i < n; i++) {
        if (!strcmp(names[i], "epoch"))
            epoch = true;
        else if (!strcmp(names[i], "step"))
            step = true;
        else if (has_suffix(names[i], "_step") ||
                 has_suffix(names[i], "_epoch") ||
                 dataloader_of(names[i], &(size_t){0}) >= 0)
            suffixed = true;
    }
    ok = (epoch && step) ||
         ((epoch || step) && (suffixed || is_version_dir(dl->path) ||
                              dir_list_find(dl, "hparams.yaml")));
    for (i = 0; i < n; i++)
        free(names[i]);
    free(names);
    return ok;
}

static void scan(struct dir_list *dl, struct candidates *out)
{
    struct dir_entry *e = dir_list_find(dl, "metrics.csv");
    char *path, *buf;

    if (!e || e->is_dir || e->claimed)
        return;
    path = dir_list_path(dl, e->name);
    buf = xmalloc(SNIFF_SIZE);
    if (sniff(path, buf, SNIFF_SIZE) > 0 && looks_lightning(dl, buf)) {
        /* test-tube's experiment files (Lightning before 1.0). */
        static const char *const side[] = {"meta_tags.csv", "meta.experiment"};

        dir_list_claim(dl, side, ARRAY_SIZE(side), false);
        e->claimed = true;
        candidates_add(out, &format_lightning, dl->rel, dl->path, path, NULL);
    }
    free(buf);
    free(path);
}

/* The rows as read, before folding (x = record number). */
struct lightning_reader {
    const char *path;
    bool have_header;
    char **names;
    size_t nnames;
    size_t efield, sfield; /* epoch and step fields, SIZE_MAX if none */
    struct metrics *raw;   /* one column per field, by field index */
    size_t nrepeated;      /* header lines repeated mid-file, skipped */
    size_t short_line;     /* a short last record, left out */
    size_t short_fields;
    bool *text;    /* per field: holds text, not numbers: left out */
    bool *numeric; /* per field: a number was read in it */
    struct strbuf text_note;
    struct strbuf err;
};

static struct strbuf *fail(struct lightning_reader *lr, size_t line)
{
    strbuf_reset(&lr->err);
    strbuf_addf(&lr->err, "%s:%zu: ", lr->path, line);
    return &lr->err;
}

static int header_record(struct lightning_reader *lr,
                         const struct csv_record *rec)
{
    size_t i;
    char *problem;

    lr->have_header = true;
    lr->nnames = rec->nfields;
    lr->names = xreallocarray(NULL, lr->nnames, sizeof(*lr->names));
    for (i = 0; i < lr->nnames; i++)
        lr->names[i] = xstrdup(rec->fields[i]);
    lr->text = xcalloc(lr->nnames ? lr->nnames : 1, sizeof(*lr->text));
    lr->numeric = xcalloc(lr->nnames ? lr->nnames : 1, sizeof(*lr->numeric));
    lr->efield = lr->sfield = SIZE_MAX;
    lr->raw = metrics_new(lr->path, "record");
    if ((problem = csvload_header_problem(lr->names, lr->nnames, 0))) {
        strbuf_addstr(fail(lr, rec->line), problem);
        free(problem);
        return -1;
    }
    for (i = 0; i < lr->nnames; i++) {
        if (!strcmp(lr->names[i], "epoch"))
            lr->efield = i;
        else if (!strcmp(lr->names[i], "step"))
            lr->sfield = i;
        metrics_add_column(lr->raw, lr->names[i]);
    }
    if (lr->efield == SIZE_MAX && lr->sfield == SIZE_MAX) {
        strbuf_addstr(fail(lr, rec->line),
                      "no 'epoch' or 'step' column in header");
        return -1;
    }
    return 0;
}

static bool same_as_header(const struct lightning_reader *lr,
                           const struct csv_record *rec)
{
    if (rec->nfields != lr->nnames)
        return false;
    for (size_t i = 0; i < rec->nfields; i++)
        if (strcmp(rec->fields[i], lr->names[i]))
            return false;
    return true;
}

static int data_record(struct lightning_reader *lr,
                       const struct csv_record *rec)
{
    size_t i, row;
    double v;

    if (lr->short_line) {
        /* The short record was not the last one after all. */
        strbuf_addf(fail(lr, lr->short_line), "%zu field%s, header has %zu",
                    lr->short_fields, lr->short_fields == 1 ? "" : "s",
                    lr->nnames);
        return -1;
    }
    if (same_as_header(lr, rec)) {
        lr->nrepeated++;
        return 0;
    }
    if (rec->nfields > lr->nnames) {
        strbuf_addf(fail(lr, rec->line), "%zu fields, header has %zu",
                    rec->nfields, lr->nnames);
        return -1;
    }
    if (rec->nfields < lr->nnames) {
        /* Left out if it is the last record: a write cut short. */
        lr->short_line = rec->line;
        lr->short_fields = rec->nfields;
        return 0;
    }
    row = metrics_add_row(lr->raw, (double)lr->raw->nrows, rec->line);
    for (i = 0; i < rec->nfields; i++) {
        const char *t = rec->fields[i];
        bool is_x = i == lr->efield || i == lr->sfield;

        if (!*t)
            continue;
        if (lr->text[i])
            continue;
        /*
         * A column whose first value is not a number holds text (a
         * timestamp, a name): it is left out, not the run.
         */
        if (!is_x && !lr->numeric[i] && parse_number(t, &v) < 0) {
            lr->text[i] = true;
            strbuf_addf(&lr->text_note,
                        "%s'%s' (line %zu: ", lr->text_note.len ? ", " : "",
                        lr->names[i], rec->line);
            strbuf_add_quoted_str(&lr->text_note, t);
            strbuf_addstr(&lr->text_note, ")");
            continue;
        }
        /* A nan epoch or step cannot be placed on an axis. */
        if (parse_number(t, &v) < 0 || (is_x && !isfinite(v))) {
            struct strbuf *sb = fail(lr, rec->line);

            strbuf_addstr(sb, is_x ? "non-finite value " : "bad number ");
            strbuf_add_quoted_str(sb, t);
            strbuf_addstr(sb, " in column ");
            strbuf_add_quoted_str(sb, lr->names[i]);
            return -1;
        }
        metrics_set(lr->raw, row, i, v);
        lr->numeric[i] = true;
    }
    return 0;
}

static int lightning_record(const struct csv_record *rec, void *ctx)
{
    struct lightning_reader *lr = ctx;

    if (!lr->have_header)
        return header_record(lr, rec);
    return data_record(lr, rec);
}

/* What the folding works with, beside the raw rows. */
struct fold {
    const struct lightning_reader *lr;
    const struct metrics *raw;
    bool *has_data; /* per raw row: a value other than epoch/step */
    double *epoch;  /* per raw row: its epoch, placed if need be */
    bool *placed;   /* per raw row: epoch known or placed */
    size_t nby_step, nby_order;
    bool *lr_col;   /* per field: a learning rate */
    bool *averaged; /* per field: averaged in some epoch */
    size_t ndl;     /* fields renamed to @dl<k> slices */
};

/* Present value of field f in raw row r, or false. */
static bool raw_get(const struct metrics *raw, size_t r, size_t f, double *v)
{
    if (f == SIZE_MAX || !metrics_present(&raw->cols[f], r))
        return false;
    *v = metrics_v(&raw->cols[f], r);
    return true;
}

/*
 * Give every raw row with data an epoch: its own, else that of a row with
 * the same step (LearningRateMonitor logs at the step of a training row),
 * else that of the nearest earlier row, else of the nearest later one.
 * Linear: runs of equal steps are found in one pass, the nearest epochs
 * before and after in two more.
 */
static void place_epochs(struct fold *fd)
{
    const struct metrics *raw = fd->raw;
    size_t ef = fd->lr->efield, sf = fd->lr->sfield, n = raw->nrows;
    size_t r, j, end;
    double s, sj, e, run_e;
    bool have, run_have;

    for (r = 0; r < n; r++)
        fd->placed[r] = raw_get(raw, r, ef, &fd->epoch[r]);
    for (r = 0; r < n; r = end) {
        end = r + 1;
        if (!raw_get(raw, r, sf, &s))
            continue;
        while (end < n && raw_get(raw, end, sf, &sj) && sj == s)
            end++;
        run_have = false;
        for (j = r; j < end && !run_have; j++)
            run_have = raw_get(raw, j, ef, &run_e);
        for (j = r; run_have && j < end; j++) {
            if (!fd->placed[j] && fd->has_data[j]) {
                fd->epoch[j] = run_e;
                fd->placed[j] = true;
                fd->nby_step++;
            }
        }
    }
    /* Still unplaced: the nearest epoch before, else the one after. */
    for (have = false, r = 0; r < n; r++) {
        if (raw_get(raw, r, ef, &e))
            have = true;
        else if (have && !fd->placed[r] && fd->has_data[r]) {
            fd->epoch[r] = e;
            fd->placed[r] = true;
            fd->nby_order++;
        }
    }
    for (have = false, r = n; r-- > 0;) {
        if (raw_get(raw, r, ef, &e))
            have = true;
        else if (have && !fd->placed[r] && fd->has_data[r]) {
            fd->epoch[r] = e;
            fd->placed[r] = true;
            fd->nby_order++;
        }
    }
}

/*
 * True when a validation column has values at two different steps within
 * one epoch; *col and *epoch say where first. Two values at the same step
 * are one evaluation logged twice.
 */
static bool val_repeats(const struct fold *fd, size_t *col, double *epoch)
{
    const struct metrics *raw = fd->raw;
    size_t f, r;
    double s, cur_e = 0, cur_s = 0;

    for (f = 0; f < fd->lr->nnames; f++) {
        bool seen = false;

        if (!is_val_name(fd->lr->names[f]))
            continue;
        for (r = 0; r < raw->nrows; r++) {
            if (!fd->placed[r] || !metrics_present(&raw->cols[f], r) ||
                !raw_get(raw, r, fd->lr->sfield, &s))
                continue;
            if (seen && fd->epoch[r] == cur_e && s != cur_s) {
                *col = f;
                *epoch = cur_e;
                return true;
            }
            if (!seen || fd->epoch[r] != cur_e) {
                seen = true;
                cur_e = fd->epoch[r];
                cur_s = s;
            }
        }
    }
    return false;
}

/*
 * Choose each field's output name. Rank decides which spelling gets a
 * canonical name; extra dataloaders become slices.
 */
static void name_fields(struct fold *fd, struct strbuf *names_buf,
                        size_t **offsets)
{
    const struct lightning_reader *lr = fd->lr;
    size_t n = lr->nnames, f, g, baselen;
    size_t *rank = xcalloc(n, sizeof(*rank));
    const char **canon = xcalloc(n, sizeof(*canon));
    long *dl = xcalloc(n, sizeof(*dl));
    char **base = xcalloc(n, sizeof(*base));
    size_t *off = xcalloc(n, sizeof(*off));
    bool *chosen = xcalloc(n, sizeof(*chosen));

    for (f = 0; f < n; f++) {
        dl[f] = dataloader_of(lr->names[f], &baselen);
        base[f] = xstrndup(lr->names[f], baselen);
    }
    /* The first dataloader of a base name is the plain metric. */
    for (f = 0; f < n; f++) {
        bool first = true;

        for (g = 0; dl[f] >= 0 && g < n; g++)
            if (g != f && dl[g] >= 0 && dl[g] < dl[f] &&
                !strcmp(base[g], base[f]))
                first = false;
        if (dl[f] >= 0 && !first) {
            dl[f] = -dl[f] - 2; /* marks a slice: k = -dl - 2 */
            rank[f] = SIZE_MAX;
        } else {
            rank[f] = rank_of(base[f], &canon[f]);
        }
    }
    for (f = 0; f < n; f++) {
        bool best = canon[f] != NULL;

        if (f == lr->efield || f == lr->sfield)
            best = false;
        for (g = 0; best && g < n; g++) {
            if (g == f || !canon[g] || strcmp(canon[g], canon[f]) ||
                g == lr->efield || g == lr->sfield)
                continue;
            /* A column named canonical outright always keeps it. */
            if (!strcmp(lr->names[g], canon[f]))
                best = false;
            else if (strcmp(lr->names[f], canon[f]) &&
                     (rank[g] < rank[f] || (rank[g] == rank[f] && g < f)))
                best = false;
        }
        chosen[f] = best;
    }
    for (f = 0; f < n; f++) {
        off[f] = names_buf->len;
        if (chosen[f]) {
            strbuf_addstr(names_buf, canon[f]);
        } else if (dl[f] <= -2) {
            const char *c;

            rank_of(base[f], &c);
            strbuf_addf(names_buf, "%s@dl%ld", c ? c : base[f], -dl[f] - 2);
            fd->ndl++;
        } else {
            strbuf_addstr(names_buf, lr->names[f]);
        }
        strbuf_addch(names_buf, '\0');
        fd->lr_col[f] = chosen[f] && !strcmp(canon[f], "lr");
        if (is_lr_monitor(lr->names[f]) || !strcmp(lr->names[f], "lr") ||
            !strcmp(lr->names[f], "learning_rate"))
            fd->lr_col[f] = true;
    }
    for (f = 0; f < n; f++)
        free(base[f]);
    free(base);
    free(rank);
    free(canon);
    free(dl);
    free(chosen);
    *offsets = off;
}

/* Store v at row, col; a non-finite value is cited at its own line. */
static void set_at(struct metrics *m, size_t row, size_t col, double v,
                   size_t line)
{
    if (!isfinite(v) && !m->cols[col].line_of_first_nonfinite)
        m->cols[col].line_of_first_nonfinite = line;
    metrics_set(m, row, col, v);
}

/*
 * Fold raw rows [start, end) into one output row at x. by_epoch: one
 * value is kept, several are averaged (learning rates and the step take
 * the last); else the last value is kept.
 */
static void fold_rows(struct fold *fd, struct metrics *m, size_t start,
                      size_t end, double x, bool by_epoch, const size_t *colmap)
{
    const struct metrics *raw = fd->raw;
    size_t row, f, r, k, last_line = metrics_line(raw, end - 1);
    size_t xf = by_epoch ? fd->lr->efield : fd->lr->sfield;

    for (r = end; r-- > start;) {
        if (fd->has_data[r]) {
            last_line = metrics_line(raw, r);
            break;
        }
    }
    row = metrics_add_row(m, x, last_line);
    for (f = 0; f < fd->lr->nnames; f++) {
        double sum = 0, last = 0;
        size_t bad_line = 0;

        if (f == xf)
            continue;
        for (k = 0, r = start; r < end; r++) {
            if (!metrics_present(&raw->cols[f], r) ||
                (by_epoch && !fd->placed[r]))
                continue;
            last = metrics_v(&raw->cols[f], r);
            sum += last;
            if (!isfinite(last) && !bad_line)
                bad_line = metrics_line(raw, r);
            k++;
        }
        if (!k)
            continue;
        if (k > 1 && by_epoch && !fd->lr_col[f] && f != fd->lr->sfield) {
            fd->averaged[f] = true;
            last = sum / (double)k;
        }
        set_at(m, row, colmap[f], last, bad_line ? bad_line : last_line);
    }
}

/* Append up to NOTE_NAMES_MAX names of flagged fields to sb. */
static size_t list_fields(struct strbuf *sb, const struct fold *fd,
                          const bool *flag, const size_t *off,
                          const char *names_buf)
{
    size_t f, n = 0;

    for (f = 0; f < fd->lr->nnames; f++) {
        if (!flag[f])
            continue;
        if (n == NOTE_NAMES_MAX)
            strbuf_addstr(sb, ", ...");
        else if (n < NOTE_NAMES_MAX)
            strbuf_addf(sb, "%s%s", n ? ", " : "", names_buf + off[f]);
        n++;
    }
    return n;
}

static struct metrics *fold(struct lightning_reader *lr)
{
    const struct metrics *raw = lr->raw;
    struct fold fd;
    struct metrics *m;
    struct strbuf names_buf = STRBUF_INIT, sb = STRBUF_INIT;
    size_t *off, *colmap, n = raw->nrows, f, r, start, rcol = 0;
    size_t nstepless = 0, nstepless_val = 0, back_line = 0;
    double repoch = 0, s;
    bool by_epoch, repeats = false, any_epoch = false;

    memset(&fd, 0, sizeof(fd));
    fd.lr = lr;
    fd.raw = raw;
    fd.has_data = xcalloc(n ? n : 1, sizeof(*fd.has_data));
    fd.epoch = xcalloc(n ? n : 1, sizeof(*fd.epoch));
    fd.placed = xcalloc(n ? n : 1, sizeof(*fd.placed));
    fd.lr_col = xcalloc(lr->nnames, sizeof(*fd.lr_col));
    fd.averaged = xcalloc(lr->nnames, sizeof(*fd.averaged));
    for (r = 0; r < n; r++)
        for (f = 0; f < lr->nnames; f++)
            if (f != lr->efield && f != lr->sfield &&
                metrics_present(&raw->cols[f], r))
                fd.has_data[r] = true;
    place_epochs(&fd);
    for (r = 0; r < n; r++)
        if (fd.placed[r])
            any_epoch = true;
    if (any_epoch)
        repeats = val_repeats(&fd, &rcol, &repoch);
    by_epoch = any_epoch && !repeats;

    name_fields(&fd, &names_buf, &off);
    m = metrics_new(lr->path, by_epoch ? "epoch" : "step");
    colmap = xcalloc(lr->nnames, sizeof(*colmap));
    for (f = 0; f < lr->nnames; f++)
        colmap[f] = (f == (by_epoch ? lr->efield : lr->sfield) || lr->text[f])
                        ? SIZE_MAX
                        : metrics_add_column_as(m, names_buf.buf + off[f],
                                                lr->names[f]);

    for (start = 0; start < n;) {
        size_t end = start + 1;
        double x;

        if (by_epoch) {
            if (!fd.placed[start]) {
                start++;
                continue;
            }
            x = fd.epoch[start];
            while (end < n && (!fd.placed[end] || fd.epoch[end] == x))
                end++;
        } else {
            if (!raw_get(raw, start, lr->sfield, &x)) {
                if (fd.has_data[start]) {
                    nstepless++;
                    for (f = 0; f < lr->nnames; f++)
                        if (is_val_name(lr->names[f]) &&
                            metrics_present(&raw->cols[f], start))
                            nstepless_val++;
                }
                start++;
                continue;
            }
            while (end < n && raw_get(raw, end, lr->sfield, &s) && s == x)
                end++;
        }
        if (m->nrows && x < metrics_x(m, m->nrows - 1) && !back_line)
            back_line = metrics_line(raw, start);
        fold_rows(&fd, m, start, end, x, by_epoch, colmap);
        start = end;
    }

    m->format = format_lightning.label;
    if (by_epoch) {
        m->xbase = 0;
        metrics_note(m, "epochs are counted from 0, as Lightning does");
        if (m->nrows && metrics_x(m, 0) > 0)
            metrics_note(m,
                         "the log starts at epoch %g: the run was resumed "
                         "from a checkpoint",
                         metrics_x(m, 0));
        strbuf_reset(&sb);
        if (list_fields(&sb, &fd, fd.averaged, off, names_buf.buf))
            metrics_note(m,
                         "values logged several times per epoch are shown "
                         "as their mean over the epoch: %s",
                         sb.buf);
        if (fd.nby_step || fd.nby_order)
            metrics_note(m,
                         "%zu row%s without an epoch (learning-rate "
                         "monitor rows) %s placed in the epoch of the "
                         "row with the same step or the row before",
                         fd.nby_step + fd.nby_order,
                         fd.nby_step + fd.nby_order == 1 ? "" : "s",
                         fd.nby_step + fd.nby_order == 1 ? "was" : "were");
    } else {
        m->xbase = -1;
        if (repeats)
            metrics_note(m,
                         "x is the step: %s was logged more than once in "
                         "epoch %g (validation ran within epochs), and "
                         "per-epoch values would lose those points",
                         lr->names[rcol], repoch);
        else if (lr->efield == SIZE_MAX)
            metrics_note(m, "x is the step: the log has no epoch column");
        else
            metrics_note(m, "x is the step: no row has an epoch");
        if (nstepless)
            metrics_note(m,
                         "%zu row%s without a step %s left out (%zu "
                         "validation value%s among them)",
                         nstepless, nstepless == 1 ? "" : "s",
                         nstepless == 1 ? "is" : "are", nstepless_val,
                         nstepless_val == 1 ? "" : "s");
    }
    if (fd.ndl)
        metrics_note(m, "validation ran on several dataloaders: the first "
                        "gives the plain names, each other one <name>@dl<k>");
    if (back_line)
        metrics_note(m,
                     "%s goes back at line %zu: rows are shown in file "
                     "order",
                     m->xname, back_line);
    if (lr->nrepeated)
        metrics_note(m, "%zu repeated header line%s skipped", lr->nrepeated,
                     lr->nrepeated == 1 ? "" : "s");
    if (lr->short_line)
        metrics_note(m,
                     "the last line (%zu) has %zu of %zu fields, a write "
                     "cut short: left out",
                     lr->short_line, lr->short_fields, lr->nnames);

    strbuf_release(&sb);
    strbuf_release(&names_buf);
    free(off);
    free(colmap);
    free(fd.has_data);
    free(fd.epoch);
    free(fd.placed);
    free(fd.lr_col);
    free(fd.averaged);
    return m;
}

static bool column_has_value(const struct metrics *m, size_t col)
{
    for (size_t r = 0; r < m->nrows; r++)
        if (metrics_present(&m->cols[col], r))
            return true;
    return false;
}

static struct metrics *read_lightning(const struct candidate *c, char **why)
{
    struct lightning_reader lr;
    struct metrics *m = NULL;

    memset(&lr, 0, sizeof(lr));
    lr.path = c->path;
    strbuf_init(&lr.err, 0);
    strbuf_init(&lr.text_note, 0);
    if (csvload_each(c->path, ',', lightning_record, &lr, why) < 0) {
        if (!*why)
            *why = strbuf_detach(&lr.err, NULL);
    } else if (!lr.have_header) {
        *why = xasprintf("%s: empty file", c->path);
    } else if (lr.raw->nrows && lr.sfield == SIZE_MAX &&
               !column_has_value(lr.raw, lr.efield)) {
        *why = xasprintf("%s: no row has a value in column 'epoch'", c->path);
    } else {
        m = fold(&lr);
        if (!m->nrows) {
            metrics_free(m);
            m = NULL;
            *why = xasprintf("%s: no data rows", c->path);
        } else if (lr.text_note.len) {
            metrics_note(m, "text, not numbers, in %s: left out",
                         lr.text_note.buf);
        }
    }
    for (size_t i = 0; i < lr.nnames; i++)
        free(lr.names[i]);
    free(lr.names);
    free(lr.text);
    free(lr.numeric);
    metrics_free(lr.raw);
    strbuf_release(&lr.text_note);
    strbuf_release(&lr.err);
    return m;
}

const struct format format_lightning = {
    .id = "lightning",
    .label = "PyTorch Lightning CSVLogger",
    .scan = scan,
    .read = read_lightning,
};
