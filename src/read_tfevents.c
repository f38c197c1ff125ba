/*
 * read_tfevents.c - TensorBoard event files (format "tfevents"): the
 * scalars that PyTorch's SummaryWriter, PyTorch Lightning's
 * TensorBoardLogger, Keras's TensorBoard callback, the Hugging Face
 * Trainer and TensorFlow's tf.summary write, as one struct metrics per
 * run. tfevents.c does the bytes (framing, CRCs, protobuf); this file
 * decides what is a run, which values to keep, what they are called and
 * what x is.
 *
 * What is a run. TensorBoard's own rule: a folder holding files whose
 * names start with "events.out.tfevents." is one run, and all its event
 * files are read, in name order (the name holds the writer's start time,
 * so a resumed run's new file comes after the old one). Keras writes
 * <log_dir>/train/ and <log_dir>/validation/ holding the same tags: that
 * log_dir is one run, named after it, and the tags are told apart by the
 * folder (train/epoch_loss is train_loss, validation/epoch_loss is
 * val_loss). scan() claims by name alone, as TensorBoard does: no other
 * program writes files called events.out.tfevents.*, and a sniff of the
 * first record's CRC would hide exactly the files a user most needs to
 * hear about, the damaged ones, which read() reports instead (an empty
 * file, a run that has not flushed yet, is reported too).
 *
 * Which values. Scalars only: simple_value, or a one-element float or
 * double tensor (tfevents.c). Images, histograms, text and hparams
 * summaries are left out (counted in a note). A tag's plugin metadata is
 * written on its first value only, so nothing depends on it. Several
 * values of one tag at one step (a resumed run re-logging the steps after
 * its last checkpoint) keep the one read last. Lightning's "hp_metric"
 * logged only as its -1 placeholder is dropped: it is not a measurement.
 *
 * What x is. The step as logged (xbase -1), except:
 *  - Keras's epoch_* tags are logged with step = epoch, counted from 0:
 *    x is the epoch (xbase 0), and Keras's per-iteration tags
 *    (evaluation_loss_vs_iterations, batch_*) are left out, since their
 *    steps count iterations and one x axis cannot hold both;
 *  - a run that logs an "epoch" scalar (Lightning adds one to every
 *    log call) is put on epochs the way read_lightning.c puts a
 *    Lightning metrics.csv on them, so that one run reads the same from
 *    its CSVLogger and its TensorBoardLogger: each value takes the epoch
 *    last logged at or before its step; a tag logged several times in an
 *    epoch (per-step training loss) shows their mean, a learning rate its
 *    last value. Unless a validation tag was logged more than once in an
 *    epoch (val_check_interval < 1): means would lose those points, so x
 *    stays the step and "epoch" stays a column beside the others;
 *  - a run whose tags are all epoch_* (Keras-style names in one folder)
 *    is on epochs counted from 0.
 *
 * Damage. A truncated last record is what a run still writing looks
 * like: reading stops there with a note. A record whose data CRC fails is
 * skipped and reported with its byte offset; one whose length CRC fails
 * ends the file, since where the next record starts is then unknown. A
 * record that passes its CRCs but is not a valid Event is skipped whole,
 * as protobuf parses all or nothing. read() fails only when no scalar at
 * all could be read.
 *
 * A row's line (metrics_line()) is the number of the first record
 * (1-based, counted across the run's files in reading order) that gave it
 * a value.
 */
#include "formats.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "metrics.h"
#include "strbuf.h"
#include "tfevents.h"
#include "util.h"

#include "banned.h"

#define LABEL "TensorBoard event file"
#define EVENT_PREFIX "events.out.tfevents."
/* Corrupt records reported one by one; the rest are only counted. */
#define MAX_CORRUPT_NOTES 3
/* Tag names quoted in a note before "and N more". */
#define MAX_NAMES_QUOTED 3

/* Where an event file sits in a run. */
enum source {
    SRC_RUN,       /* the run's own folder */
    SRC_TRAIN,     /* Keras's train/ */
    SRC_VALIDATION /* Keras's validation/ */
};

static const char *const source_dir[] = {NULL, "train", "validation"};

/* One scalar as read. */
struct point {
    size_t tag;   /* index in reader.tags */
    int64_t step; /* as logged */
    double v;
    size_t seq; /* reading order: the later of two at one step wins */
    size_t rec; /* record number, for the row's line */
    double x;   /* the row's x, once decided */
};

/* One (source, tag) pair seen. */
struct tag {
    enum source src;
    char *tag; /* as logged, NUL-terminated (cut at a NUL inside) */
    size_t len;
    bool other; /* held a value that is not a scalar */
    size_t n;   /* scalar points, after duplicates are removed */
    bool keep;  /* becomes a column */
    char *raw;  /* the name as the run shows it: "train/epoch_mae" */
    size_t col; /* column index, when kept */
};

struct reader {
    struct metrics *m;
    struct tag *tags;
    size_t ntags, tags_alloc;
    size_t *slots; /* hash of tags: index + 1, or 0 when free */
    size_t nslots;
    struct point *pts;
    size_t npts, pts_alloc;
    size_t nrec;         /* records read, good or bad */
    size_t ncorrupt;     /* records whose CRC failed */
    size_t nundecodable; /* records that are not valid Events */
    char *first_problem; /* the first framing problem, for *why */
};

/* --- Folders ---------------------------------------------------------- */

static bool is_event_name(const char *name)
{
    return !strncmp(name, EVENT_PREFIX, strlen(EVENT_PREFIX));
}

/*
 * List the event files in dir (regular files, symbolic links not
 * followed) into l, sorted by name. Returns how many there are; 0 also
 * when dir cannot be listed.
 */
static size_t list_events(const char *dir, struct listing *l)
{
    size_t n = 0;

    if (listing_read(l, dir, 0))
        return 0;
    for (size_t i = 0; i < l->n; i++) {
        if (l->e[i].kind == LISTING_FILE && is_event_name(l->e[i].name))
            l->e[n++] = l->e[i];
        else
            free(l->e[i].name);
    }
    l->n = n;
    return n;
}

static void scan(struct dir_list *dl, struct candidates *out)
{
    bool sub[ARRAY_SIZE(source_dir)] = {false}, found = false;

    for (size_t i = 0; i < dl->n; i++) {
        struct dir_entry *e = &dl->e[i];

        if (!e->claimed && !e->is_dir && is_event_name(e->name))
            found = e->claimed = true;
    }
    for (size_t s = SRC_TRAIN; s < ARRAY_SIZE(source_dir); s++) {
        struct dir_entry *e = dir_list_find(dl, source_dir[s]);
        struct listing l;
        char *path;

        if (!e || !e->is_dir || e->claimed)
            continue;
        path = dir_list_path(dl, e->name);
        sub[s] = list_events(path, &l) > 0;
        found |= sub[s];
        listing_release(&l);
        free(path);
    }
    if (!found)
        return;
    for (size_t s = SRC_TRAIN; s < ARRAY_SIZE(source_dir); s++)
        if (sub[s])
            dir_list_find(dl, source_dir[s])->claimed = true;
    /*
     * Another reader found a run in this folder already (this scan runs
     * last): the event files are that run's scalars written a second
     * way, not a second run.
     */
    if (out->n > 0)
        return;
    candidates_add(out, &format_tfevents, dl->rel, dl->path, dl->path, NULL);
}

/* --- Reading ---------------------------------------------------------- */

/* FNV-1a over the source and the tag's bytes. */
static size_t tag_hash(enum source src, const char *p, size_t n)
{
    uint64_t h = 14695981039346656037u;

    h = (h ^ (unsigned)src) * 1099511628211u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)p[i]) * 1099511628211u;
    return (size_t)h;
}

static void rehash(struct reader *rd)
{
    size_t n = rd->nslots ? 2 * rd->nslots : 64;

    free(rd->slots);
    rd->slots = xcalloc(n, sizeof(*rd->slots));
    rd->nslots = n;
    for (size_t i = 0; i < rd->ntags; i++) {
        const struct tag *t = &rd->tags[i];
        size_t h = tag_hash(t->src, t->tag, t->len) & (n - 1);

        while (rd->slots[h])
            h = (h + 1) & (n - 1);
        rd->slots[h] = i + 1;
    }
}

/*
 * The index of (src, tag), added when new. Tags are looked up once per
 * value, and a long run logs millions of them: hence the hash table
 * (open addressing, linear probing, at most half full).
 */
static size_t tag_index(struct reader *rd, enum source src, const char *p,
                        size_t n)
{
    size_t h, i;
    struct tag *t;

    /* A tag is a C string from here on: cut it at a NUL inside. */
    n = strnlen(p, n);
    if (2 * (rd->ntags + 1) > rd->nslots)
        rehash(rd);
    h = tag_hash(src, p, n) & (rd->nslots - 1);
    while ((i = rd->slots[h])) {
        t = &rd->tags[i - 1];
        if (t->src == src && t->len == n && !memcmp(t->tag, p, n))
            return i - 1;
        h = (h + 1) & (rd->nslots - 1);
    }
    ALLOC_GROW(rd->tags, rd->ntags + 1, rd->tags_alloc);
    t = &rd->tags[rd->ntags];
    memset(t, 0, sizeof(*t));
    t->src = src;
    t->tag = xstrndup(p, n);
    t->len = n;
    t->raw = src == SRC_RUN ? xstrdup(t->tag)
                            : xasprintf("%s/%s", source_dir[src], t->tag);
    rd->slots[h] = rd->ntags + 1;
    return rd->ntags++;
}

/* Remember the first framing problem: it is *why if nothing is read. */
static void problem(struct reader *rd, const char *fmt, ...) PRINTF_LIKE(2, 3);
static void problem(struct reader *rd, const char *fmt, ...)
{
    va_list ap;

    if (rd->first_problem)
        return;
    va_start(ap, fmt);
    rd->first_problem = xvasprintf(fmt, ap);
    va_end(ap);
}

/* The scalars of one good record; a malformed Event adds none. */
static void read_event(struct reader *rd, enum source src,
                       const unsigned char *data, size_t len, const char *path,
                       uint64_t at)
{
    size_t before = rd->npts;
    struct tfvalue_iter it;
    struct tfevent ev;
    struct tfvalue v;
    int k = -1;

    if (tfevent_decode(&ev, data, len) == 0) {
        tfevent_values_begin(&ev, &it);
        while ((k = tfevent_values_next(&it, &v)) == 1) {
            size_t t = tag_index(rd, src, v.tag, v.tag_len);
            struct point *p;

            if (v.kind == TFVALUE_OTHER)
                rd->tags[t].other = true;
            if (v.kind != TFVALUE_SCALAR)
                continue;
            ALLOC_GROW(rd->pts, rd->npts + 1, rd->pts_alloc);
            p = &rd->pts[rd->npts];
            p->tag = t;
            p->step = ev.step;
            p->v = v.value;
            p->seq = rd->npts++;
            p->rec = rd->nrec;
        }
    }
    if (k < 0) {
        rd->npts = before;
        if (!rd->nundecodable++)
            metrics_note(rd->m,
                         "%s: byte %" PRIu64 ": a record holds no valid "
                         "Event (its CRCs hold): skipped",
                         path, at);
    }
}

/* Read the event file at path into rd; last is true for the last file
 * of its folder, the one a run still writing is appending to. */
static void read_file(struct reader *rd, const char *path, enum source src,
                      bool last)
{
    struct tfrecord_reader r;
    const unsigned char *data;
    size_t len;
    uint64_t at;
    char *why;
    FILE *f = input_open(path, &why);

    if (!f) {
        metrics_note(rd->m, "%s", why);
        problem(rd, "%s", why);
        free(why);
        return;
    }
    tfrecord_reader_init(&r, f);
    for (;;) {
        enum tfrecord_status st = tfrecord_next(&r, &data, &len, &at);

        if (st == TFRECORD_EOF)
            break;
        rd->nrec++;
        if (st == TFRECORD_OK) {
            read_event(rd, src, data, len, path, at);
            continue;
        }
        if (st == TFRECORD_BAD_DATA) {
            if (++rd->ncorrupt <= MAX_CORRUPT_NOTES)
                metrics_note(rd->m,
                             "%s: byte %" PRIu64 ": a record is corrupt "
                             "(its data CRC does not match): skipped",
                             path, at);
            problem(rd, "%s: byte %" PRIu64 ": data CRC mismatch", path, at);
            continue;
        }
        if (st == TFRECORD_TRUNCATED) {
            if (last)
                metrics_note(rd->m,
                             "the last record was incomplete: the run may "
                             "still be writing (%s, byte %" PRIu64 ")",
                             path, at);
            else
                metrics_note(rd->m,
                             "%s: byte %" PRIu64 ": the last record is "
                             "incomplete: its writer stopped mid-record",
                             path, at);
            problem(rd, "%s: byte %" PRIu64 ": incomplete record", path, at);
        } else if (st == TFRECORD_BAD_LENGTH) {
            rd->ncorrupt++;
            metrics_note(rd->m,
                         "%s: byte %" PRIu64 ": a record's length is "
                         "corrupt (its CRC does not match): the rest of the "
                         "file cannot be framed and was not read",
                         path, at);
            problem(rd,
                    "%s: byte %" PRIu64 ": length CRC mismatch: not an "
                    "event file, or a corrupt one",
                    path, at);
        } else {
            metrics_note(rd->m, "%s: byte %" PRIu64 ": read error: %s", path,
                         at, strerror(errno));
            problem(rd, "%s: byte %" PRIu64 ": read error: %s", path, at,
                    strerror(errno));
        }
        rd->nrec--; /* not a record after all */
        break;
    }
    tfrecord_reader_release(&r);
    fclose(f);
}

/* Read every event file of one folder of the run; returns how many. */
static size_t read_folder(struct reader *rd, const char *dir, enum source src)
{
    struct listing l;
    size_t n = list_events(dir, &l);

    for (size_t i = 0; i < n; i++) {
        char *path = xasprintf("%s/%s", dir, l.e[i].name);

        read_file(rd, path, src, i + 1 == n);
        free(path);
    }
    listing_release(&l);
    return n;
}

/* --- Names ------------------------------------------------------------ */

static const struct {
    const char *word;
    const char *split; /* canonical prefix */
} split_words[] = {
    {"train", "train"},    {"training", "train"}, {"val", "val"},
    {"valid", "val"},      {"validation", "val"}, {"eval", "val"},
    {"evaluation", "val"},
};

static const struct {
    const char *word;
    const char *metric;
} metric_words[] = {
    {"loss", "loss"},
    {"acc", "acc"},
    {"accuracy", "acc"},
};

/* Whether t is a, then sep, then b, then suffix. */
static bool spelled(const char *t, const char *a, char sep, const char *b,
                    const char *suffix)
{
    size_t la = strlen(a), lb = strlen(b);

    return !strncmp(t, a, la) && t[la] == sep && !strncmp(t + la + 1, b, lb) &&
           !strcmp(t + la + 1 + lb, suffix);
}

static bool is_lr_word(const char *s)
{
    return !strcmp(s, "lr") || !strcmp(s, "learning_rate") ||
           !strcmp(s, "learning-rate") || !strcmp(s, "learningrate");
}

/*
 * The canonical name for a tag of the run's own folder, or NULL, with a
 * rank: when two tags map to one name the lower rank wins (then the one
 * seen first), and the other keeps its own name. 0: the canonical name
 * itself; 1: a split and a metric word in any usual spelling (train/loss,
 * Loss/train, val_acc, eval/loss); 2: a Lightning epoch aggregate
 * (train_loss_epoch) or a learning rate of one parameter group; 3: the
 * bare Keras 1 names (loss, acc) and epoch_loss, which only mean the
 * training values when nothing better is there.
 */
static const char *canonical_run(const char *tag, int *rank, char *buf,
                                 size_t size)
{
    static const char *const exact[] = {"train_loss", "val_loss", "train_acc",
                                        "val_acc",    "lr",       "grad_norm"};
    struct strbuf low = STRBUF_INIT;
    const char *t, *r, *res = NULL;

    for (const char *p = tag; *p; p++)
        strbuf_addch(&low, *p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
    t = low.buf;
    for (size_t i = 0; i < ARRAY_SIZE(exact) && !res; i++)
        if (!strcmp(t, exact[i])) {
            res = exact[i];
            *rank = 0;
        }
    /* Learning rate and gradient norm, with or without a prefix. */
    r = t;
    if (!strncmp(r, "train/", 6))
        r += 6;
    else if (!strncmp(r, "epoch_", 6))
        r += 6;
    if (!res && is_lr_word(r)) {
        res = "lr";
        *rank = 1;
    } else if (!res && !strncmp(t, "lr-", 3)) {
        /* Lightning's LearningRateMonitor: lr-Adam, lr-Adam/pg1, ... */
        res = "lr";
        *rank = strchr(t, '/') ? 2 : 1;
    } else if (!res &&
               (!strcmp(r, "grad_norm") || !strcmp(r, "gradient_norm"))) {
        res = "grad_norm";
        *rank = 1;
    } else if (!res && !strcmp(t, "grad_2.0_norm_total")) {
        res = "grad_norm";
        *rank = 2;
    }
    /* A split and a metric: train_loss, train/loss, loss/train. */
    for (size_t s = 0; s < ARRAY_SIZE(split_words) && !res; s++) {
        for (size_t m = 0; m < ARRAY_SIZE(metric_words) && !res; m++) {
            const char *sw = split_words[s].word, *mw = metric_words[m].word;

            if (spelled(t, sw, '_', mw, "") || spelled(t, sw, '/', mw, "") ||
                spelled(t, mw, '/', sw, ""))
                *rank = 1;
            else if (spelled(t, sw, '_', mw, "_epoch") ||
                     spelled(t, sw, '/', mw, "_epoch"))
                *rank = 2;
            else
                continue;
            snprintf(buf, size, "%s_%s", split_words[s].split,
                     metric_words[m].metric);
            res = buf;
        }
    }
    if (!res && (!strcmp(t, "loss") || !strcmp(t, "epoch_loss"))) {
        res = "train_loss";
        *rank = 3;
    } else if (!res &&
               (!strcmp(t, "acc") || !strcmp(t, "accuracy") ||
                !strcmp(t, "epoch_acc") || !strcmp(t, "epoch_accuracy"))) {
        res = "train_acc";
        *rank = 3;
    }
    strbuf_release(&low);
    return res;
}

/* The canonical name for a tag of Keras's train/ or validation/. */
static const char *canonical_keras(enum source src, const char *tag)
{
    const char *m;

    if (strncmp(tag, "epoch_", 6))
        return NULL;
    m = tag + 6;
    if (!strcmp(m, "loss"))
        return src == SRC_TRAIN ? "train_loss" : "val_loss";
    if (!strcmp(m, "accuracy") || !strcmp(m, "acc"))
        return src == SRC_TRAIN ? "train_acc" : "val_acc";
    if (src == SRC_TRAIN && is_lr_word(m))
        return "lr";
    return NULL;
}

/* Create the columns of the kept tags, canonical names to the best rank. */
static void make_columns(struct reader *rd)
{
    struct {
        const char *name;
        int rank;
        char buf[32];
    } *cand = xcalloc(rd->ntags ? rd->ntags : 1, sizeof(*cand));

    for (size_t i = 0; i < rd->ntags; i++) {
        struct tag *t = &rd->tags[i];

        if (!t->keep)
            continue;
        if (t->src == SRC_RUN)
            cand[i].name = canonical_run(t->tag, &cand[i].rank, cand[i].buf,
                                         sizeof(cand[i].buf));
        else
            cand[i].name = canonical_keras(t->src, t->tag);
    }
    for (size_t i = 0; i < rd->ntags; i++) {
        struct tag *t = &rd->tags[i];
        const char *name = t->raw;
        struct strbuf sb = STRBUF_INIT;

        if (!t->keep)
            continue;
        if (cand[i].name) {
            bool wins = true;

            for (size_t j = 0; j < rd->ntags && wins; j++)
                if (j != i && rd->tags[j].keep && cand[j].name &&
                    !strcmp(cand[j].name, cand[i].name) &&
                    (cand[j].rank < cand[i].rank ||
                     (cand[j].rank == cand[i].rank && j < i)))
                    wins = false;
            if (wins)
                name = cand[i].name;
        }
        /* A raw name equal to another column's (absurd, but possible
         * across folders) gets a suffix rather than a twin column. */
        strbuf_addstr(&sb, name);
        for (int k = 2; metrics_column_index(rd->m, sb.buf) != SIZE_MAX; k++) {
            strbuf_reset(&sb);
            strbuf_addf(&sb, "%s#%d", name, k);
        }
        t->col = metrics_add_column_as(rd->m, sb.buf, t->raw);
        strbuf_release(&sb);
    }
    free(cand);
}

/* --- Rows ------------------------------------------------------------- */

static int cmp_tag_step_seq(const void *a, const void *b)
{
    const struct point *p = a, *q = b;

    if (p->tag != q->tag)
        return p->tag < q->tag ? -1 : 1;
    if (p->step != q->step)
        return p->step < q->step ? -1 : 1;
    return p->seq < q->seq ? -1 : p->seq > q->seq;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y;
}

/*
 * Keep, of several values of one tag at one step, the last one read.
 * Returns how many of the dropped ones differed from the one kept: a
 * value logged twice alike is no news (Lightning logs "epoch" with both
 * the training and the validation metrics of a step), while a different
 * one means a resumed run, and is noted. Leaves pts sorted by tag, then
 * step.
 */
static size_t drop_duplicates(struct reader *rd)
{
    size_t out = 0, differ = 0;

    qsort(rd->pts, rd->npts, sizeof(*rd->pts), cmp_tag_step_seq);
    for (size_t i = 0; i < rd->npts; i++) {
        const struct point *p = &rd->pts[i], *q = p + 1;

        if (i + 1 < rd->npts && q->tag == p->tag && q->step == p->step) {
            if (p->v != q->v && !(isnan(p->v) && isnan(q->v)))
                differ++;
            continue;
        }
        rd->pts[out++] = *p;
    }
    rd->npts = out;
    for (size_t i = 0; i < rd->npts; i++)
        rd->tags[rd->pts[i].tag].n++;
    return differ;
}

static bool starts_epoch(const char *tag)
{
    return !strncmp(tag, "epoch_", 6);
}

/* "a, b, c and 2 more" of the tags (not) kept, for a note. */
static char *quote_tags(const struct reader *rd, bool want_other)
{
    struct strbuf sb = STRBUF_INIT;
    size_t n = 0, total = 0;

    for (size_t i = 0; i < rd->ntags; i++) {
        const struct tag *t = &rd->tags[i];
        bool match = want_other ? !t->n && t->other : t->n && !t->keep;

        if (!match)
            continue;
        if (n < MAX_NAMES_QUOTED) {
            strbuf_addstr(&sb, n ? ", " : "");
            strbuf_addstr(&sb, t->raw);
            n++;
        }
        total++;
    }
    if (total > n)
        strbuf_addf(&sb, " and %zu more", total - n);
    return strbuf_detach(&sb, NULL);
}

/* The canonical name of a tag, or "" (for the epoch folding). */
static const char *canonical_of(const struct tag *t, char *buf, size_t size)
{
    const char *c;
    int rank;

    if (t->src == SRC_RUN)
        c = canonical_run(t->tag, &rank, buf, size);
    else
        c = canonical_keras(t->src, t->tag);
    return c ? c : "";
}

/* A validation metric, as opposed to a training or test one; the same
 * test as read_lightning.c's, plus every spelling that maps to val_*. */
static bool is_val_tag(const struct tag *t)
{
    static const char *const prefixes[] = {
        "val_", "val/", "valid_", "valid/", "validation_", "validation/",
    };
    char buf[32];
    size_t n = strlen(t->tag);

    if (!strncmp(canonical_of(t, buf, sizeof(buf)), "val_", 4))
        return true;
    for (size_t i = 0; i < ARRAY_SIZE(prefixes); i++)
        if (!strncmp(t->tag, prefixes[i], strlen(prefixes[i])))
            return n < 5 || strcmp(t->tag + n - 5, "_step");
    return false;
}

static int cmp_tag_x_step(const void *a, const void *b)
{
    const struct point *p = a, *q = b;

    if (p->tag != q->tag)
        return p->tag < q->tag ? -1 : 1;
    if (p->x != q->x)
        return p->x < q->x ? -1 : 1;
    return p->step < q->step ? -1 : p->step > q->step;
}

/*
 * Put the run on epochs with the "epoch" tag (index ep), as
 * read_lightning.c does with Lightning's epoch column, so that one
 * Lightning run reads the same from its CSVLogger and its
 * TensorBoardLogger: each point takes the epoch last logged at or before
 * its step (or, before the first, the first: LearningRateMonitor logs at
 * step 0 before any epoch is); a tag with several values in one epoch
 * gets their mean (a learning rate its last value, the one in force at
 * the epoch's end). Not when a validation tag has several values in one
 * epoch (validation ran within epochs): averaging would lose those
 * points, so x stays the step. Returns whether it put the run on epochs;
 * either way it adds the notes that say so.
 */
static bool fold_epochs(struct reader *rd, size_t ep)
{
    struct metrics *m = rd->m;
    const struct point *e = NULL;
    size_t ne = 0, nplaced = 0, out = 0;
    struct strbuf avg = STRBUF_INIT;
    size_t navg = 0;
    double min_epoch = INFINITY;
    bool *averaged;
    enum { TAG_OTHER, TAG_VAL, TAG_LR } * kind;

    for (size_t i = 0; i < rd->npts; i++)
        if (rd->pts[i].tag == ep) {
            if (!e)
                e = &rd->pts[i];
            ne++;
        }
    for (size_t i = 0; i < ne; i++)
        if (!isfinite(e[i].v) || e[i].v < 0 || e[i].v != floor(e[i].v) ||
            e[i].v >= 9007199254740992.0) {
            metrics_note(m,
                         "x is the step: the epoch tag holds %g, "
                         "not an epoch number",
                         e[i].v);
            return false;
        }
    for (size_t i = 0; i < rd->npts; i++) {
        struct point *p = &rd->pts[i];
        size_t lo = 0, hi = ne;

        if (!rd->tags[p->tag].keep || p->tag == ep)
            continue;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;

            if (e[mid].step <= p->step)
                lo = mid + 1;
            else
                hi = mid;
        }
        p->x = lo ? e[lo - 1].v : e[0].v;
        if (!lo || e[lo - 1].step != p->step)
            nplaced++;
    }
    /* e points into pts: done with it before pts is sorted again. */
    e = NULL;
    /* What each tag is, worked out once: there is a point per step. */
    kind = xcalloc(rd->ntags ? rd->ntags : 1, sizeof(*kind));
    for (size_t i = 0; i < rd->ntags; i++) {
        char buf[32];

        if (is_val_tag(&rd->tags[i]))
            kind[i] = TAG_VAL;
        else if (!strcmp(canonical_of(&rd->tags[i], buf, sizeof(buf)), "lr"))
            kind[i] = TAG_LR;
    }
    qsort(rd->pts, rd->npts, sizeof(*rd->pts), cmp_tag_x_step);
    for (size_t i = 0; i + 1 < rd->npts; i++) {
        const struct point *p = &rd->pts[i], *q = p + 1;
        const struct tag *t = &rd->tags[p->tag];

        if (p->tag == q->tag && t->keep && p->tag != ep && p->x == q->x &&
            kind[p->tag] == TAG_VAL) {
            metrics_note(m,
                         "x is the step: %s was logged more than once in "
                         "epoch %g (validation ran within epochs), and "
                         "per-epoch values would lose those points",
                         t->raw, p->x);
            for (size_t j = 0; j < rd->npts; j++)
                rd->pts[j].x = (double)rd->pts[j].step;
            free(kind);
            return false;
        }
    }

    /* Fold each (tag, epoch) group into one point. */
    averaged = xcalloc(rd->ntags, sizeof(*averaged));
    for (size_t i = 0; i < rd->npts;) {
        struct point *p = &rd->pts[i];
        const struct tag *t = &rd->tags[p->tag];
        size_t j = i + 1, rec = p->rec;
        double sum = p->v;

        while (j < rd->npts && rd->pts[j].tag == p->tag &&
               rd->pts[j].x == p->x) {
            sum += rd->pts[j].v;
            if (rd->pts[j].rec < rec)
                rec = rd->pts[j].rec;
            j++;
        }
        if (t->keep && p->tag != ep) {
            rd->pts[out] = rd->pts[j - 1]; /* the last, by step */
            rd->pts[out].rec = rec;
            if (j - i > 1 && kind[p->tag] != TAG_LR) {
                rd->pts[out].v = sum / (double)(j - i);
                averaged[p->tag] = true;
            }
            if (rd->pts[out].x < min_epoch)
                min_epoch = rd->pts[out].x;
            out++;
        }
        i = j;
    }
    rd->npts = out;
    for (size_t i = 0; i < rd->ntags; i++) {
        if (!averaged[i])
            continue;
        if (navg < MAX_NAMES_QUOTED)
            strbuf_addf(&avg, "%s%s", navg ? ", " : "", rd->tags[i].raw);
        else if (navg == MAX_NAMES_QUOTED)
            strbuf_addstr(&avg, ", ...");
        navg++;
    }
    free(averaged);
    free(kind);
    metrics_note(m, "epochs are counted from 0, as Lightning does");
    if (min_epoch > 0 && isfinite(min_epoch))
        metrics_note(m,
                     "the log starts at epoch %g: the run was resumed "
                     "from a checkpoint",
                     min_epoch);
    if (navg)
        metrics_note(m,
                     "values logged several times per epoch are shown as "
                     "their mean over the epoch: %s",
                     avg.buf);
    if (nplaced)
        metrics_note(m,
                     "%zu value%s logged without an epoch at %s step "
                     "(learning-rate monitor) %s placed in the epoch "
                     "logged before",
                     nplaced, nplaced == 1 ? "" : "s",
                     nplaced == 1 ? "its" : "their",
                     nplaced == 1 ? "is" : "are");
    strbuf_release(&avg);
    return true;
}

/* Decide which tags become columns, and x; fill the metrics. Returns the
 * number of rows. */
static size_t build(struct reader *rd, bool keras)
{
    struct metrics *m = rd->m;
    size_t dropped, ep = SIZE_MAX, nx = 0, n, nkept = 0, nepoch_tags = 0;
    bool epoch_tags_only;
    double *xs;
    char *names;

    dropped = drop_duplicates(rd);
    for (size_t i = 0; i < rd->ntags; i++) {
        struct tag *t = &rd->tags[i];

        t->keep = t->n > 0;
        if (t->keep && starts_epoch(t->tag))
            nepoch_tags++;
    }
    /* Lightning's placeholder hp_metric: only -1, at step 0. */
    for (size_t i = 0; i < rd->ntags; i++) {
        struct tag *t = &rd->tags[i];
        bool placeholder =
            t->keep && t->src == SRC_RUN && !strcmp(t->tag, "hp_metric");

        for (size_t j = 0; j < rd->npts && placeholder; j++)
            if (rd->pts[j].tag == i && rd->pts[j].v != -1)
                placeholder = false;
        if (placeholder) {
            t->keep = false;
            t->n = 0;
            metrics_note(m, "hp_metric holds only Lightning's placeholder "
                            "-1: left out");
        }
    }

    /* Keras: the epoch_* tags are on epochs, the others on iterations. */
    if (keras && nepoch_tags) {
        for (size_t i = 0; i < rd->ntags; i++)
            if (rd->tags[i].keep && !starts_epoch(rd->tags[i].tag))
                rd->tags[i].keep = false;
        names = quote_tags(rd, false);
        if (*names)
            metrics_note(m,
                         "%s left out: Keras logs them per iteration, "
                         "not per epoch",
                         names);
        free(names);
    }
    for (size_t i = 0; i < rd->ntags; i++)
        if (rd->tags[i].keep) {
            nkept++;
            if (rd->tags[i].src == SRC_RUN && !strcmp(rd->tags[i].tag, "epoch"))
                ep = i;
        }
    epoch_tags_only = nkept && nepoch_tags == nkept;

    for (size_t i = 0; i < rd->npts; i++)
        rd->pts[i].x = (double)rd->pts[i].step;
    if (epoch_tags_only) {
        free(m->xname);
        m->xname = xstrdup("epoch");
        m->xbase = 0;
        metrics_note(m, "epochs are counted from 0, as Keras does");
    } else if (ep != SIZE_MAX && nkept > 1) {
        if (fold_epochs(rd, ep)) {
            rd->tags[ep].keep = false;
            free(m->xname);
            m->xname = xstrdup("epoch");
            m->xbase = 0;
        }
    }
    if (dropped)
        metrics_note(m,
                     "%zu values were logged again at a step already "
                     "logged (a resumed run?): the later one was kept",
                     dropped);
    names = quote_tags(rd, true);
    if (*names)
        metrics_note(m,
                     "%s hold%s no scalars (histograms, images, text...): "
                     "left out",
                     names,
                     strchr(names, ',') || strstr(names, " more") ? "" : "s");
    free(names);

    make_columns(rd);

    /* Rows: the distinct x of the kept points, in order. */
    xs = xreallocarray(NULL, rd->npts ? rd->npts : 1, sizeof(*xs));
    for (size_t i = 0; i < rd->npts; i++)
        if (rd->tags[rd->pts[i].tag].keep)
            xs[nx++] = rd->pts[i].x;
    qsort(xs, nx, sizeof(*xs), cmp_double);
    n = 0;
    for (size_t i = 0; i < nx; i++)
        if (!n || xs[i] != xs[n - 1])
            xs[n++] = xs[i];
    nx = n;
    /* A row's line is the first record that gave it a value. */
    for (size_t i = 0; i < nx; i++)
        metrics_add_row(m, xs[i], SIZE_MAX);
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < rd->npts; i++) {
            const struct point *p = &rd->pts[i];
            struct column *c;
            size_t row;

            if (!rd->tags[p->tag].keep)
                continue;
            c = &m->cols[rd->tags[p->tag].col];
            row = (size_t)((const double *)bsearch(&p->x, xs, nx, sizeof(*xs),
                                                   cmp_double) -
                           xs);
            if (!pass) {
                if (p->rec < metrics_line(m, row))
                    metrics_set_line(m, row, p->rec);
                continue;
            }
            /* Points come by tag, then x: the first non-finite one of a
             * column is cited at its own record, not its row's first. */
            if (!isfinite(p->v) && !c->line_of_first_nonfinite)
                c->line_of_first_nonfinite = p->rec;
            metrics_set(m, row, rd->tags[p->tag].col, p->v);
        }
    }
    free(xs);
    return nx;
}

static void reader_release(struct reader *rd)
{
    for (size_t i = 0; i < rd->ntags; i++) {
        free(rd->tags[i].tag);
        free(rd->tags[i].raw);
    }
    free(rd->tags);
    free(rd->slots);
    free(rd->pts);
    free(rd->first_problem);
}

static bool is_dir(const char *path)
{
    struct stat st;

    return !lstat(path, &st) && S_ISDIR(st.st_mode);
}

static struct metrics *read_run(const struct candidate *c, char **why)
{
    struct reader rd;
    size_t nfiles, n;
    bool keras = false;

    memset(&rd, 0, sizeof(rd));
    rd.m = metrics_new(c->path, "step");
    rd.m->format = LABEL;
    nfiles = read_folder(&rd, c->path, SRC_RUN);
    for (size_t s = SRC_TRAIN; s < ARRAY_SIZE(source_dir); s++) {
        char *dir = xasprintf("%s/%s", c->path, source_dir[s]);

        if (is_dir(dir)) {
            n = read_folder(&rd, dir, (enum source)s);
            keras |= n > 0;
            nfiles += n;
        }
        free(dir);
    }
    if (!rd.npts) {
        if (!nfiles)
            *why = xasprintf("%s: no event files (%s*)", c->path, EVENT_PREFIX);
        else if (rd.first_problem && !rd.nrec)
            *why = xstrdup(rd.first_problem);
        else if (!rd.nrec)
            *why = xasprintf("%s: the event file%s hold%s no records yet "
                             "(a run that has not written any?)",
                             c->path, nfiles == 1 ? "" : "s",
                             nfiles == 1 ? "s" : "");
        else
            *why = xasprintf("%s: no scalar values in %zu records of %zu "
                             "event file%s",
                             c->path, rd.nrec, nfiles, nfiles == 1 ? "" : "s");
        reader_release(&rd);
        metrics_free(rd.m);
        return NULL;
    }
    if (rd.ncorrupt > MAX_CORRUPT_NOTES)
        metrics_note(rd.m, "%zu corrupt records in all", rd.ncorrupt);
    else if (rd.ncorrupt > 1)
        metrics_note(rd.m, "%zu corrupt records", rd.ncorrupt);
    if (rd.nundecodable > 1)
        metrics_note(rd.m, "%zu records hold no valid Event: skipped",
                     rd.nundecodable);
    if (nfiles > 1)
        metrics_note(rd.m, "%zu event files merged, in name order", nfiles);
    if (!build(&rd, keras)) {
        *why = xasprintf("%s: no scalar values to show in %zu event file%s",
                         c->path, nfiles, nfiles == 1 ? "" : "s");
        metrics_free(rd.m);
        rd.m = NULL;
    }
    reader_release(&rd);
    return rd.m;
}

const struct format format_tfevents = {
    .id = "tfevents",
    .label = LABEL,
    .scan = scan,
    .read = read_run,
};
