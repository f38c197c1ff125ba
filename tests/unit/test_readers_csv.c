/*
 * test_readers_csv.c - the CSV log formats (Lightning, fastai, native,
 * Keras) against the fixtures in tests/unit/data/{keras,lightning,fastai}/:
 * what each scan() claims in a folder and what each read() makes of it,
 * values, names, notes and messages compared exactly.
 *
 * The scans run in the order formats.c gives them (Lightning, fastai,
 * native, Keras), so the tests also pin who wins a file two formats
 * could read.
 */
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "formats.h"
#include "metrics.h"
#include "strbuf.h"
#include "tap.h"
#include "util.h"

/* A value no fixture holds: what the accessors return for "no such". */
#define NONE (-999.0)

static const char *srcdir;

/* The CSV formats, in the order of formats[] in formats.c. */
static const struct format *const csv_formats[] = {
    &format_lightning,
    &format_fastai,
    &format_native,
    &format_keras,
};

/* One scanned folder: its listing and what the scans found in it. */
struct scanned {
    struct dir_list dl;
    char *path, *rel;
    struct candidates cs;
};

/* List the folder path (as runs.c does), known as rel, and run every scan. */
static void scan_path(struct scanned *s, const char *path, const char *rel)
{
    memset(s, 0, sizeof(*s));
    s->rel = xstrdup(rel);
    s->path = xstrdup(path);
    if (dir_list_read(&s->dl, s->path, s->rel)) {
        printf("Bail out! cannot list %s\n", s->path);
        exit(1);
    }
    for (size_t i = 0; i < ARRAY_SIZE(csv_formats); i++)
        csv_formats[i]->scan(&s->dl, &s->cs);
}

/* The same for tests/unit/data/<rel>. */
static void scan_dir(struct scanned *s, const char *rel)
{
    char *path = xasprintf("%s/tests/unit/data/%s", srcdir, rel);

    scan_path(s, path, rel);
    free(path);
}

static void scanned_release(struct scanned *s)
{
    dir_list_release(&s->dl);
    candidates_release(&s->cs);
    free(s->path);
    free(s->rel);
}

/* Whether the entry called name was claimed, -1 if there is none. */
static long claimed(struct scanned *s, const char *name)
{
    struct dir_entry *e = dir_list_find(&s->dl, name);

    return e ? e->claimed : -1;
}

static const char *cand_name(const struct scanned *s, size_t i)
{
    return i < s->cs.n ? s->cs.c[i].name : NULL;
}

static const char *cand_format(const struct scanned *s, size_t i)
{
    return i < s->cs.n ? s->cs.c[i].format->id : NULL;
}

/* Read candidate i, which must read; report the message if not. */
static struct metrics *read_ok(const struct scanned *s, size_t i,
                               const char *name)
{
    char *why = NULL;
    struct metrics *m =
        i < s->cs.n ? s->cs.c[i].format->read(&s->cs.c[i], &why) : NULL;

    if (!ok(m && !why, name))
        printf("#   %s\n", why ? why : "(no candidate or no message)");
    free(why);
    return m;
}

/* Scan rel, expect one candidate of format id, and read it. */
static struct metrics *load(const char *rel, const char *id)
{
    struct scanned s;
    struct metrics *m = NULL;
    char *name = xasprintf("%s: one %s candidate", rel, id);

    scan_dir(&s, rel);
    if (ok(s.cs.n == 1 && !strcmp(s.cs.c[0].format->id, id), name))
        m = read_ok(&s, 0, rel);
    else
        ok(0, rel);
    free(name);
    scanned_release(&s);
    return m;
}

/* Scan rel and read its one candidate, which must fail with path+want. */
static void fails(const char *rel, const char *want)
{
    struct scanned s;
    char *why = NULL, *expect;
    struct metrics *m = NULL;

    scan_dir(&s, rel);
    if (s.cs.n == 1) {
        expect = xasprintf("%s%s", s.cs.c[0].path, want);
        m = s.cs.c[0].format->read(&s.cs.c[0], &why);
    } else {
        expect = xstrdup(want);
    }
    is_str(m ? "(loaded without error)" : why, expect, rel);
    metrics_free(m);
    free(why);
    free(expect);
    scanned_release(&s);
}

/* Accessors that survive a failed read, so a failure cannot crash. */
static long nrows(const struct metrics *m)
{
    return m ? (long)m->nrows : -1;
}

static double xat(const struct metrics *m, size_t row)
{
    return m && row < m->nrows ? metrics_x(m, row) : NONE;
}

static long line_at(const struct metrics *m, size_t row)
{
    return m && row < m->nrows ? (long)metrics_line(m, row) : -1;
}

static double val(const struct metrics *m, const char *col, size_t row)
{
    const struct column *c = m ? metrics_find(m, col) : NULL;

    return c && row < m->nrows ? metrics_v(c, row) : NONE;
}

static long present(const struct metrics *m, const char *col, size_t row)
{
    const struct column *c = m ? metrics_find(m, col) : NULL;

    return c && row < m->nrows ? metrics_present(c, row) : -1;
}

/* The log's name of the column reportgen calls col ("" if the same). */
static const char *orig(const struct metrics *m, const char *col)
{
    const struct column *c = m ? metrics_find(m, col) : NULL;

    if (!c || strcmp(c->name, col))
        return NULL;
    return c->orig ? c->orig : "";
}

static long role(const struct metrics *m, const char *col)
{
    const struct column *c = m ? metrics_find(m, col) : NULL;

    return c ? (long)c->role : -1;
}

static long nonfinite_line(const struct metrics *m, const char *col)
{
    const struct column *c = m ? metrics_find(m, col) : NULL;

    return c ? (long)c->line_of_first_nonfinite : -1;
}

static const char *note(const struct metrics *m, size_t i)
{
    return m && i < m->nnotes ? m->notes[i] : NULL;
}

static long nnotes(const struct metrics *m)
{
    return m ? (long)m->nnotes : -1;
}

/* Whether some note contains text. */
static bool has_note(const struct metrics *m, const char *text)
{
    for (size_t i = 0; m && i < m->nnotes; i++)
        if (strstr(m->notes[i], text))
            return true;
    return false;
}

static void test_keras(void)
{
    struct metrics *m;
    struct scanned s;

    m = load("keras/basic", "keras");
    is_str(m ? m->format : NULL, "Keras CSVLogger", "keras: label");
    is_str(m ? m->xname : NULL, "epoch", "keras: x is epoch");
    is_int(m ? m->xbase : -9, 0, "keras: epochs from 0");
    is_int(nrows(m), 5, "keras: 5 rows");
    is_double(xat(m, 0), 0, 0, "keras: first epoch 0");
    is_str(orig(m, "train_loss"), "loss", "keras: loss is train_loss");
    is_str(orig(m, "train_acc"), "accuracy", "keras: accuracy is train_acc");
    is_str(orig(m, "val_acc"), "val_accuracy", "keras: val_accuracy");
    is_str(orig(m, "val_loss"), "", "keras: val_loss keeps its name");
    is_int(role(m, "lr"), ROLE_LR, "keras: lr role");
    is_double(val(m, "train_loss", 3), 0.47000000000000003, 0,
              "keras: 17-digit value exact");
    is_double(val(m, "lr", 0), 0.0010000000474974513, 0,
              "keras: float32 lr exact");
    is_int(present(m, "val_loss", 4), 0, "keras: NA is missing");
    is_int(present(m, "train_loss", 4), 1, "keras: row with NA kept");
    is_int(line_at(m, 4), 6, "keras: CRLF line numbers");
    is_str(note(m, 0), "epochs are counted from 0, as Keras does",
           "keras: base note");
    is_int(nnotes(m), 1, "keras: no other note");
    metrics_free(m);

    m = load("keras/crcrlf", "keras");
    is_int(nrows(m), 3, "keras cr cr lf: 3 rows");
    is_str(orig(m, "val_acc"), "", "keras: old val_acc name");
    is_str(orig(m, "train_acc"), "acc", "keras: old acc name");
    is_double(val(m, "train_acc", 0), 0.35964909195899963, 0,
              "keras cr cr lf: value");
    is_int(line_at(m, 2), 7, "keras cr cr lf: lines count each CR");
    metrics_free(m);

    m = load("keras/semicolon", "keras");
    is_int(nrows(m), 3, "keras semicolons: 3 rows");
    is_double(val(m, "val_loss", 1), 0.7, 0, "keras semicolons: values");
    is_int(line_at(m, 0), 3, "keras semicolons: the title line counted");
    ok(has_note(m, "line 1 is a title, not the header: left out") &&
           has_note(m, "fields are separated by semicolons"),
       "keras semicolons: notes");
    metrics_free(m);

    m = load("keras/appended", "keras");
    is_int(nrows(m), 5, "keras appended: the longest run");
    is_double(val(m, "train_loss", 0), 0.7, 0, "keras appended: its rows");
    is_int(line_at(m, 0), 4, "keras appended: its lines");
    is_str(note(m, 1),
           "the log holds 3 runs appended one after another (CSVLogger "
           "append=True; the epoch starts again at lines 4, 9); shown: the "
           "longest, lines 4-8 (5 epochs); the other 2 are left out",
           "keras appended: note");
    metrics_free(m);

    /* fit(epochs=1) in a loop: every row restarts the epoch at 0. */
    m = load("keras/one_epoch_calls", "keras");
    is_int(nrows(m), 5, "keras one-epoch calls: every row kept");
    ok(m && xat(m, 0) == 0 && xat(m, 4) == 4,
       "keras one-epoch calls: epochs counted across the calls");
    is_int(line_at(m, 4), 6, "keras one-epoch calls: lines as logged");
    is_str(note(m, 1),
           "the epoch starts again at every row: 5 fit() calls of one "
           "epoch each appended to the log (a training loop calling "
           "fit(epochs=1)), the training loss going on from each to the "
           "next; read in file order as epochs 0-4 of one training",
           "keras one-epoch calls: note");
    metrics_free(m);

    /* The same layout, but each row starts the loss again: re-runs. */
    m = load("keras/one_epoch_reruns", "keras");
    is_int(nrows(m), 1, "keras one-epoch re-runs: the latest run only");
    metrics_free(m);

    m = load("keras/resumed", "keras");
    is_int(nrows(m), 6, "keras resumed: epochs 0-5 once each");
    is_double(xat(m, 3), 3, 0, "keras resumed: epoch 3 in place");
    is_double(val(m, "train_loss", 3), 0.71, 0, "keras resumed: newer row");
    is_int(line_at(m, 3), 7, "keras resumed: its line");
    is_str(note(m, 1),
           "training was resumed from a checkpoint (line 7): 2 earlier "
           "rows for the same epochs are replaced",
           "keras resumed: note");
    metrics_free(m);

    m = load("keras/nanval", "keras");
    ok(m && isnan(val(m, "val_loss", 0)) && present(m, "val_loss", 0) == 1,
       "keras: nan is a present value");
    ok(val(m, "train_loss", 1) == INFINITY, "keras: inf");
    ok(val(m, "train_loss", 2) == -INFINITY, "keras: -inf");
    is_int(nonfinite_line(m, "train_loss"), 3, "keras: line of first inf");
    is_str(note(m, 1),
           "the val_* columns hold only NaN: the run had no usable "
           "validation data",
           "keras: all-NaN validation noted");
    metrics_free(m);

    m = load("keras/initial", "keras");
    is_double(xat(m, 0), 5, 0, "keras initial_epoch: x as logged");
    is_str(note(m, 1),
           "the first epoch logged is 5, not 0: fit() was resumed with "
           "initial_epoch",
           "keras initial_epoch: noted");
    metrics_free(m);

    m = load("keras/mismatch", "keras");
    is_int(nrows(m), 3, "keras mismatch: the readable run");
    ok(has_note(m, "1 appended run logged other metrics than the header "
                   "names and could not be read"),
       "keras mismatch: noted");
    metrics_free(m);

    m = load("keras/pandas", "keras");
    is_int(nrows(m), 3, "keras pandas: 3 rows");
    is_double(xat(m, 2), 2, 0, "keras pandas: x from row order");
    is_int(m ? m->xbase : -9, 0, "keras pandas: from 0");
    is_str(orig(m, "val_acc"), "val_accuracy", "keras pandas: names");
    is_str(note(m, 0),
           "the log has no epoch column: epochs are inferred from row "
           "order, counted from 0",
           "keras pandas: note");
    metrics_free(m);

    m = load("keras/pandas_index", "keras");
    is_int(nrows(m), 2, "keras pandas index: 2 rows");
    is_double(val(m, "val_loss", 1), 0.41, 0,
              "keras pandas index: index column skipped");
    ok(m && !metrics_find(m, ""), "keras pandas index: no unnamed column");
    metrics_free(m);

    scan_dir(&s, "keras/pandas_noname");
    is_int((long)s.cs.n, 0, "keras: metric names alone need *history*");
    scanned_release(&s);

    scan_dir(&s, "keras/two");
    is_int((long)s.cs.n, 2, "keras two: two candidates");
    is_str(cand_name(&s, 0), "keras/two/alpha", "keras two: rel/stem");
    is_str(cand_name(&s, 1), "keras/two/beta", "keras two: second file");
    is_int(claimed(&s, "other.csv"), 0, "keras: unsorted unknown names");
    is_int(claimed(&s, "steps.csv"), 0, "keras: no epoch, no claim");
    is_int(claimed(&s, "history.csv"), 0, "keras: headerless history");
    is_int(claimed(&s, "beta.csv"), 1, "keras: claims what it reads");
    scanned_release(&s);

    fails("keras/bad", ":3: bad number 'abc' in column 'val_loss'");
    fails("keras/ragged", ":3: 2 fields, header has 3");
    fails("keras/nanepoch", ":3: non-finite value 'nan' in column 'epoch'");
}

/*
 * CSVLogger's usual file name is training.log, which the project's
 * .gitignore keeps out of the fixtures (*.log): write one at run time.
 */
static void test_keras_log_name(void)
{
    const char *tmp = getenv("TMPDIR");
    char *dir =
        xasprintf("%s/test_readers_csv.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    char *file = NULL;
    struct metrics *m = NULL;
    struct scanned s;
    FILE *fp;

    if (!mkdtemp(dir)) {
        printf("Bail out! cannot make %s\n", dir);
        exit(1);
    }
    file = xasprintf("%s/training.log", dir);
    fp = fopen(file, "wb");
    if (!fp || fputs("epoch,loss\r\n0,0.5\r\n1,0.25\r\n", fp) < 0 ||
        fclose(fp)) {
        printf("Bail out! cannot write %s\n", file);
        exit(1);
    }
    scan_path(&s, dir, "run");
    is_str(cand_name(&s, 0), "run", "keras .log: one log takes rel");
    m = read_ok(&s, 0, "keras .log: reads");
    is_double(val(m, "train_loss", 1), 0.25, 0, "keras .log: values");
    metrics_free(m);
    scanned_release(&s);
    remove(file);
    rmdir(dir);
    free(file);
    free(dir);
}

static void test_lightning(void)
{
    struct metrics *m;
    struct scanned s;

    scan_dir(&s, "lightning/sorted/lightning_logs/version_0");
    is_int((long)s.cs.n, 1, "lightning: one run");
    is_str(cand_format(&s, 0), "lightning", "lightning: before native");
    is_str(cand_name(&s, 0), "lightning/sorted/lightning_logs/version_0",
           "lightning: named by its folder");
    is_int(claimed(&s, "metrics.csv"), 1, "lightning: claims metrics.csv");
    is_int(claimed(&s, "hparams.yaml"), 0, "lightning: config left alone");
    m = read_ok(&s, 0, "lightning: reads");
    scanned_release(&s);
    is_str(m ? m->format : NULL, "PyTorch Lightning CSVLogger",
           "lightning: label");
    is_str(m ? m->xname : NULL, "epoch", "lightning: x is epoch");
    is_int(m ? m->xbase : -9, 0, "lightning: epochs from 0");
    is_int(nrows(m), 2, "lightning: one row per epoch");
    is_str(orig(m, "train_loss"), "train_loss_epoch",
           "lightning: _epoch aggregate is train_loss");
    is_str(orig(m, "train_loss_step"), "", "lightning: _step kept");
    is_double(val(m, "train_loss", 0), 0.9, 0, "lightning: epoch value");
    is_double(val(m, "train_loss_step", 0), 0.9, 1e-12,
              "lightning: per-step values averaged");
    is_double(val(m, "train_acc", 1), 0.85, 0, "lightning: train_acc");
    is_double(val(m, "val_loss", 1), 0.7, 0, "lightning: val row merged");
    is_str(orig(m, "lr"), "lr-Adam", "lightning: lr monitor is lr");
    is_double(val(m, "lr", 1), 0.0005, 0, "lightning: lr rows placed");
    is_double(val(m, "step", 1), 7, 0, "lightning: step kept, last value");
    is_int(line_at(m, 0), 7, "lightning: row line is the epoch's last");
    ok(has_note(m, "4 rows without an epoch (learning-rate monitor rows) "
                   "were placed"),
       "lightning: lr rows noted");
    ok(has_note(m, "shown as their mean over the epoch: train_acc_step, "
                   "train_loss_step"),
       "lightning: averaging noted");
    metrics_free(m);

    scan_dir(&s, "lightning/testtube/version_2");
    ok(s.cs.n == 1 && claimed(&s, "meta_tags.csv") == 1 &&
           claimed(&s, "meta.experiment") == 1,
       "lightning test-tube: its experiment files are not runs");
    m = read_ok(&s, 0, "lightning test-tube: a text column does not stop it");
    scanned_release(&s);
    ok(m && !metrics_find(m, "created_at"), "lightning: text column left out");
    is_double(val(m, "val_loss", 1), 0.6, 0, "lightning test-tube: values");
    ok(has_note(m, "text, not numbers, in 'created_at' (line 2: "
                   "'2020-01-02 10:00:00.1'): left out"),
       "lightning: the text column noted with its line");
    metrics_free(m);

    m = load("lightning/old/version_3", "lightning");
    is_int(nrows(m), 2, "lightning old: 2 epochs");
    is_double(val(m, "train_acc", 0), 0.28125, 0,
              "lightning old: mean over the epoch");
    ok(m && isnan(val(m, "train_loss", 1)) && present(m, "train_loss", 1) == 1,
       "lightning old: a nan makes the epoch nan");
    is_int(nonfinite_line(m, "train_loss"), 4,
           "lightning old: nan cited at its own line");
    metrics_free(m);

    m = load("lightning/dataloaders", "lightning");
    is_str(orig(m, "val_loss"), "val_loss/dataloader_idx_0",
           "lightning: first dataloader is val_loss");
    is_str(orig(m, "val_loss@dl1"), "val_loss/dataloader_idx_1",
           "lightning: second dataloader is a slice");
    is_int(role(m, "val_acc@dl1"), ROLE_SLICE, "lightning: slice role");
    is_double(val(m, "val_acc@dl1", 1), 0.6, 0, "lightning: slice value");
    metrics_free(m);

    m = load("lightning/valcheck", "lightning");
    is_str(m ? m->xname : NULL, "step",
           "lightning: validation within epochs: x is step");
    is_int(m ? m->xbase : -9, -1, "lightning: steps have no base");
    is_int(nrows(m), 3, "lightning valcheck: one row per step");
    is_double(val(m, "val_loss", 1), 0.7, 0, "lightning valcheck: no loss");
    is_double(val(m, "epoch", 2), 1, 0, "lightning valcheck: epoch kept");
    metrics_free(m);

    m = load("lightning/stepsonly/version_1", "lightning");
    is_str(m ? m->xname : NULL, "step", "lightning: no epoch column");
    is_str(note(m, 0), "x is the step: the log has no epoch column",
           "lightning: step note");
    metrics_free(m);

    m = load("lightning/cut/version_0", "lightning");
    is_int(nrows(m), 2, "lightning cut: complete rows read");
    is_str(note(m, 1),
           "the last line (5) has 2 of 4 fields, a write cut short: left "
           "out",
           "lightning cut: noted");
    metrics_free(m);

    fails("lightning/bad/version_0",
          ":3: bad number 'tensor(0.3)' in column 'train_loss'");

    scan_dir(&s, "lightning/native");
    is_str(cand_format(&s, 0), "native", "native: plain metrics.csv");
    m = read_ok(&s, 0, "native: reads");
    is_str(m ? m->format : NULL, "reportgen metrics.csv", "native: label");
    metrics_free(m);
    scanned_release(&s);
}

static void test_fastai(void)
{
    struct metrics *m;

    m = load("fastai/v2", "fastai");
    is_str(m ? m->format : NULL, "fastai CSVLogger", "fastai: label");
    is_int(m ? m->xbase : -9, 0, "fastai: epochs from 0");
    is_int(nrows(m), 3, "fastai: 3 rows");
    is_str(orig(m, "val_loss"), "valid_loss", "fastai: valid_loss");
    is_str(orig(m, "val_acc"), "accuracy", "fastai: accuracy is val_acc");
    is_str(orig(m, "error_rate"), "", "fastai: error_rate stays");
    is_double(val(m, "epoch_time", 2), 62, 0, "fastai: mm:ss in seconds");
    is_double(val(m, "val_acc", 0), 0.8173076923076923, 0,
              "fastai: value exact");
    ok(has_note(m, "train_loss is an exponential moving average"),
       "fastai: EMA noted");
    metrics_free(m);

    m = load("fastai/appended", "fastai");
    is_int(nrows(m), 4, "fastai appended: both fits");
    is_double(xat(m, 2), 2, 0, "fastai appended: epochs numbered on");
    is_double(val(m, "train_loss", 2), 0.7, 0, "fastai appended: values");
    is_int(line_at(m, 2), 5, "fastai appended: header line skipped");
    ok(has_note(m, "2 fits appended one after another (header repeated "
                   "at line 4)"),
       "fastai appended: noted");
    metrics_free(m);

    m = load("fastai/cancelled", "fastai");
    is_int(nrows(m), 3, "fastai cancelled: short row kept");
    is_int(present(m, "val_loss", 1), 0, "fastai cancelled: no valid_loss");
    is_double(val(m, "epoch_time", 1), 9, 0, "fastai cancelled: time");
    is_double(val(m, "epoch_time", 2), 3605, 0, "fastai: h:mm:ss");
    ok(has_note(m, "1 row without validation results (validation "
                   "cancelled; line 3)"),
       "fastai cancelled: noted");
    metrics_free(m);

    m = load("fastai/v1", "fastai");
    is_int(present(m, "val_loss", 0), 0, "fastai v1: #na# is missing");
    is_double(val(m, "val_loss", 1), 0.423456, 0, "fastai v1: 6 decimals");
    metrics_free(m);

    fails("fastai/bad", ":2: bad number '12 s' in column 'time'");
    fails("fastai/badepoch", ":3: bad number 'one' in column 'epoch'");
}

/*
 * Every reader over every file in tests/unit/data/csv (binary, UTF-16,
 * ragged, unterminated quotes, ...): it must return metrics or a message,
 * never both or neither, and must not crash (the sanitizers watch).
 */
static void test_robust(void)
{
    static const struct format *const readers[] = {
        &format_lightning, &format_fastai, &format_keras};
    struct scanned s;
    size_t i, f, bad = 0, n = 0;

    scan_dir(&s, "csv");
    for (i = 0; i < s.dl.n; i++) {
        char *path = dir_list_path(&s.dl, s.dl.e[i].name);

        for (f = 0; f < ARRAY_SIZE(readers); f++) {
            struct candidate c = {readers[f], s.rel, s.path, path, NULL, NULL};
            char *why = NULL;
            struct metrics *m = readers[f]->read(&c, &why);

            if (!m == !why) {
                printf("# %s on %s: %s\n", readers[f]->id, path,
                       why ? why : "neither metrics nor message");
                bad++;
            }
            n++;
            metrics_free(m);
            free(why);
        }
        free(path);
    }
    is_int((long)bad, 0, "readers: a result or a message for every file");
    ok(n >= 3 * 40, "readers: ran over the csv fixtures");
    scanned_release(&s);
}

/* The UTF-16 message reaches a reader's caller unchanged. */
static void test_utf16(void)
{
    char *path = xasprintf("%s/tests/unit/data/csv/utf16.csv", srcdir);
    char name[] = "x", dir[] = ".";
    struct candidate c = {&format_keras, name, dir, path, NULL, NULL};
    char *why = NULL, *want = xasprintf("%s: UTF-16 text, not UTF-8", path);
    struct metrics *m = format_keras.read(&c, &why);

    is_str(m ? "(loaded)" : why, want, "keras: UTF-16 refused precisely");
    metrics_free(m);
    free(why);
    free(want);
    free(path);
}

int main(void)
{
    srcdir = getenv("srcdir");
    if (!srcdir || !*srcdir)
        srcdir = ".";
    plan(187);
    test_keras();
    test_keras_log_name();
    test_lightning();
    test_fastai();
    test_robust();
    test_utf16();
    return done();
}
