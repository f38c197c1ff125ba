/*
 * cache.c - a site's memory of its runs (cache.h): keys, records, reuse.
 *
 * Where it sits: report.c asks cache_restore() before processing a run,
 * wraps the processing of every other run in cache_begin()/cache_end(),
 * asks cache_page_reuse() before rendering a run's page, and has
 * cache_write() put the new records into the site before it is
 * committed. The old records come from the old site through
 * site_read_previous() (only a file its manifest lists), the old files
 * through site_reuse() (only when their content hashes as recorded).
 *
 * What makes a restored run the same as a processed one:
 *   - the global key (cache_open()): a hash of this binary's own bytes
 *     (code and embedded templates: a rebuilt reportgen never trusts an
 *     older one's records, whatever its version says), the version,
 *     RUNS_DIR as given, every option and rule a run's processing reads,
 *     the rules file's bytes and the REPORTGEN_* environment;
 *   - the run's identity: name, slug, folder, log path, second path,
 *     key and format, as runs_find() found them;
 *   - its inputs: the bytes of every file its reader opened
 *     (input_watch()), and the names and kinds in the folders it read
 *     from (its own folder, its log's, and every folder below a log that
 *     is a folder), so that a file added where a reader lists (a config
 *     file, an event file, a metric) is seen. The folders are listed
 *     before and after processing, and each file opened is checked
 *     unchanged (device, inode, size, modification and change times)
 *     from its opening to its hashing: a run whose inputs moved while it
 *     was read is not recorded, and is processed again next time;
 *   - what it gave, every field of its parts (runs.h), doubles as their
 *     bits. The _Static_asserts below break the build when one of those
 *     structs changes size, so that a new field is not forgotten here.
 *
 * Test hook: REPORTGEN_TEST_REUSE=1 restores a run whatever its inputs
 * say (its charts are still checked), so that tests/cli/incremental.sh
 * can show that its comparisons fail when reuse goes wrong. It is not
 * documented for users: it only makes reports wrong.
 *
 * The cache file: "reportgen-cache 1\n", the global key, then one record
 * per run in run order: its length, its hash (a record that does not hash
 * the same is ignored) and its fields. Strings are stored with their
 * terminating NUL, so that the strings the structs keep as static
 * (format labels, the rule's reason, a finding's threshold name) point
 * into the file's bytes, kept until cache_release().
 */
#define _GNU_SOURCE /* struct stat's st_mtim */
#include "cache.h"

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"
#include "banned.h"

#define CACHE_MAGIC "reportgen-cache 1\n"
/* The largest cache file read back. */
#define CACHE_MAX ((size_t)1 << 30)

/*
 * Every field of these structs is written below; a struct that changes
 * size has a field this file does not know of yet: write it and restore
 * it (put_*() and get_*() below), then update the size here. (A bool
 * that fits in a struct's padding does not change its size: then
 * tests/cli/incremental.sh, which compares every page of sample_runs
 * rebuilt from the cache with the page made afresh, is the guard.)
 */
#if UINTPTR_MAX == UINT64_MAX
_Static_assert(sizeof(struct run) == 640, "cache.c: a field of struct run");
_Static_assert(sizeof(struct run_read) == 104, "cache.c: struct run_read");
_Static_assert(sizeof(struct run_analysis) == 424,
               "cache.c: struct run_analysis");
_Static_assert(sizeof(struct run_drawn) == 40, "cache.c: struct run_drawn");
_Static_assert(sizeof(struct chart_ref) == 24, "cache.c: struct chart_ref");
_Static_assert(sizeof(struct folded_column) == 40,
               "cache.c: struct folded_column");
_Static_assert(sizeof(struct diagnosis) == 72, "cache.c: struct diagnosis");
_Static_assert(sizeof(struct finding) == 72, "cache.c: struct finding");
_Static_assert(sizeof(struct diag_num) == 80, "cache.c: struct diag_num");
_Static_assert(sizeof(struct replay) == 176, "cache.c: struct replay");
_Static_assert(sizeof(struct best) == 48, "cache.c: struct best");
/* The options and the rules, but for the thresholds (hashed by row). */
_Static_assert(offsetof(struct options, thresholds) == 104,
               "cache.c: an option: does it change what a run gives?");
_Static_assert(offsetof(struct options, maps) + sizeof(void *) ==
                   sizeof(struct options),
               "cache.c: an option: does it change what a run gives?");
_Static_assert(offsetof(struct rules, thresholds) == 80 &&
                   sizeof(struct rules) == 80 + sizeof(struct diag_thresholds),
               "cache.c: a rule: does it change what a run gives?");
#endif

/* ---- XXH64 (xxHash by Yann Collet, BSD-2-Clause; the spec's algorithm) */

#define P1 0x9E3779B185EBCA87ULL
#define P2 0xC2B2AE3D27D4EB4FULL
#define P3 0x165667B19E3779F9ULL
#define P4 0x85EBCA77C2B2AE63ULL
#define P5 0x27D4EB2F165667C5ULL

static uint64_t rotl(uint64_t x, int r)
{
    return (x << r) | (x >> (64 - r));
}

static uint64_t read64(const unsigned char *p)
{
    uint64_t v;

    memcpy(&v, p, 8);
    return v; /* little-endian machines; the key holds the binary anyway */
}

static uint32_t read32(const unsigned char *p)
{
    uint32_t v;

    memcpy(&v, p, 4);
    return v;
}

static uint64_t round64(uint64_t acc, uint64_t in)
{
    acc += in * P2;
    acc = rotl(acc, 31);
    return acc * P1;
}

static uint64_t merge64(uint64_t acc, uint64_t v)
{
    acc ^= round64(0, v);
    return acc * P1 + P4;
}

/* XXH64 over bytes given in pieces: hasher_init(), _add(), _end(). */
struct hasher {
    uint64_t v[4], total, seed;
    unsigned char buf[32];
    size_t nbuf;
};

static void hasher_init(struct hasher *h, uint64_t seed)
{
    memset(h, 0, sizeof(*h));
    h->seed = seed;
    h->v[0] = seed + P1 + P2;
    h->v[1] = seed + P2;
    h->v[2] = seed;
    h->v[3] = seed - P1;
}

static void stripe(struct hasher *h, const unsigned char *p)
{
    for (int k = 0; k < 4; k++)
        h->v[k] = round64(h->v[k], read64(p + 8 * k));
}

static void hasher_add(struct hasher *h, const void *data, size_t len)
{
    const unsigned char *p = data, *end = p + len;

    h->total += len;
    if (h->nbuf) {
        size_t take = 32 - h->nbuf < len ? 32 - h->nbuf : len;

        memcpy(h->buf + h->nbuf, p, take);
        h->nbuf += take;
        p += take;
        if (h->nbuf < 32)
            return;
        stripe(h, h->buf);
        h->nbuf = 0;
    }
    for (; end - p >= 32; p += 32)
        stripe(h, p);
    memcpy(h->buf, p, (size_t)(end - p));
    h->nbuf = (size_t)(end - p);
}

static uint64_t hasher_end(const struct hasher *hs)
{
    const unsigned char *p = hs->buf, *end = p + hs->nbuf;
    uint64_t h;

    if (hs->total >= 32) {
        h = rotl(hs->v[0], 1) + rotl(hs->v[1], 7) + rotl(hs->v[2], 12) +
            rotl(hs->v[3], 18);
        for (int k = 0; k < 4; k++)
            h = merge64(h, hs->v[k]);
    } else {
        h = hs->seed + P5;
    }
    h += hs->total;
    for (; p + 8 <= end; p += 8)
        h = rotl(h ^ round64(0, read64(p)), 27) * P1 + P4;
    if (p + 4 <= end) {
        h = rotl(h ^ (read32(p) * P1), 23) * P2 + P3;
        p += 4;
    }
    for (; p < end; p++)
        h = rotl(h ^ (*p * P5), 11) * P1;
    h ^= h >> 33;
    h *= P2;
    h ^= h >> 29;
    h *= P3;
    h ^= h >> 32;
    return h;
}

uint64_t cache_hash(const void *data, size_t len, uint64_t seed)
{
    struct hasher h;

    hasher_init(&h, seed);
    hasher_add(&h, data, len);
    return hasher_end(&h);
}

/* ---- writing and reading records */

static void put_u64(struct strbuf *sb, uint64_t v)
{
    strbuf_add(sb, &v, sizeof(v));
}

static void put_f64(struct strbuf *sb, double v)
{
    strbuf_add(sb, &v, sizeof(v)); /* the bits: NaN and -0 stay */
}

/*
 * RUNS_DIR as given (cache_open(); read-only once runs are processed).
 * The paths and messages a record keeps name files as given, under it:
 * put_str() writes each RUNS_DIR followed by '/' (or ending the string)
 * as the two bytes 01 'R' and a byte 01 as 01 01, and get_str() undoes
 * it, so that the site publishes no path of the machine.
 */
static const char *root_given;

/* A string with its NUL, or NULL, as it is (put_str() but for paths). */
static void put_raw(struct strbuf *sb, const char *s)
{
    if (!s) {
        put_u64(sb, 0);
        return;
    }
    put_u64(sb, strlen(s) + 1);
    strbuf_add(sb, s, strlen(s) + 1);
}

static void put_str(struct strbuf *sb, const char *s)
{
    size_t rlen = root_given ? strlen(root_given) : 0, at;

    if (!s || !rlen) {
        put_raw(sb, s);
        return;
    }
    put_u64(sb, 0); /* the length, once known */
    at = sb->len;
    while (*s) {
        if (!strncmp(s, root_given, rlen) && (s[rlen] == '/' || !s[rlen])) {
            strbuf_add(sb, "\001R", 2);
            s += rlen;
        } else if (*s == '\001') {
            strbuf_add(sb, "\001\001", 2);
            s++;
        } else {
            strbuf_addch(sb, *s++);
        }
    }
    strbuf_addch(sb, '\0');
    {
        uint64_t len = sb->len - at;

        memcpy(sb->buf + at - sizeof(len), &len, sizeof(len));
    }
}

static void put_bytes(struct strbuf *sb, const void *p, size_t len)
{
    put_u64(sb, len);
    strbuf_add(sb, p, len);
}

struct reader {
    const char *p, *end;
    bool bad;
};

/* The next n bytes into out (zeros past the end, which makes r bad). */
static void get_raw(struct reader *r, void *out, size_t n)
{
    if ((size_t)(r->end - r->p) < n) {
        r->bad = true;
        memset(out, 0, n);
        return;
    }
    memcpy(out, r->p, n);
    r->p += n;
}

static uint64_t get_u64(struct reader *r)
{
    uint64_t v;

    get_raw(r, &v, sizeof(v));
    return v;
}

static double get_f64(struct reader *r)
{
    double v;

    get_raw(r, &v, sizeof(v));
    return v;
}

static size_t get_size(struct reader *r)
{
    uint64_t v = get_u64(r);

    if (v > (uint64_t)(r->end - r->p) * 8 + 1024) { /* a count too big */
        r->bad = true;
        return 0;
    }
    return (size_t)v;
}

/* A string in the record itself (NULL for none): valid while it is. */
static const char *get_ref(struct reader *r)
{
    uint64_t len = get_u64(r);
    const char *s = r->p;

    if (!len || r->bad)
        return NULL;
    if (len > (uint64_t)(r->end - r->p) || s[len - 1] ||
        memchr(s, 0, len - 1)) {
        r->bad = true;
        return NULL;
    }
    r->p += len;
    return s;
}

static char *get_str(struct reader *r)
{
    const char *s = get_ref(r);
    struct strbuf sb = STRBUF_INIT;

    if (!s)
        return NULL;
    for (; *s; s++) {
        if (*s != '\001') {
            strbuf_addch(&sb, *s);
        } else if (s[1] == 'R' && root_given) {
            strbuf_addstr(&sb, root_given);
            s++;
        } else if (s[1] == '\001') {
            strbuf_addch(&sb, '\001');
            s++;
        } else {
            r->bad = true;
            break;
        }
    }
    return strbuf_detach(&sb, NULL);
}

/* The bytes of a put_bytes() in the record: *len of them. */
static const char *get_bytes(struct reader *r, size_t *len)
{
    uint64_t n = get_u64(r);
    const char *s = r->p;

    if (r->bad || n > (uint64_t)(r->end - r->p)) {
        r->bad = true;
        *len = 0;
        return NULL;
    }
    r->p += n;
    *len = (size_t)n;
    return s;
}

static double *get_doubles(struct reader *r, size_t n)
{
    double *v;

    if (r->bad || n > (size_t)(r->end - r->p) / sizeof(double)) {
        r->bad = true;
        return NULL;
    }
    v = xmalloc((n ? n : 1) * sizeof(double));
    for (size_t i = 0; i < n; i++)
        v[i] = get_f64(r);
    return v;
}

/* ---- a run's parts */

static void put_config(struct strbuf *sb, const struct config *c)
{
    put_str(sb, c->path);
    put_u64(sb, c->n);
    for (size_t i = 0; i < c->n; i++) {
        put_str(sb, c->e[i].key);
        put_str(sb, c->e[i].value);
    }
}

static void get_config(struct reader *r, struct config *c)
{
    size_t n;

    c->path = get_str(r);
    n = get_size(r);
    for (size_t i = 0; i < n && !r->bad; i++) {
        ALLOC_GROW(c->e, c->n + 1, c->alloc);
        c->e[c->n].key = get_str(r);
        c->e[c->n].value = get_str(r);
        if (!c->e[c->n].key || !c->e[c->n].value)
            r->bad = true;
        c->n++;
    }
}

static void put_read(struct strbuf *sb, const struct run_read *rd)
{
    put_config(sb, &rd->config);
    put_str(sb, rd->config_error);
    put_raw(sb, rd->format_label);
    put_u64(sb, rd->nrows);
    put_str(sb, rd->xname);
    put_u64(sb, (uint64_t)(int64_t)rd->xbase);
    put_u64(sb, rd->nnotes);
    for (size_t i = 0; i < rd->nnotes; i++)
        put_str(sb, rd->notes[i]);
    put_u64(sb, rd->ncolumns);
    for (size_t i = 0; i < rd->ncolumns; i++) {
        put_str(sb, rd->columns[i].name);
        put_str(sb, rd->columns[i].orig);
    }
}

static void get_read(struct reader *r, struct run_read *rd)
{
    get_config(r, &rd->config);
    rd->config_error = get_str(r);
    rd->format_label = get_ref(r);
    rd->nrows = get_size(r);
    rd->xname = get_str(r);
    rd->xbase = (int)(int64_t)get_u64(r);
    rd->nnotes = get_size(r);
    rd->notes = xcalloc(rd->nnotes ? rd->nnotes : 1, sizeof(*rd->notes));
    for (size_t i = 0; i < rd->nnotes && !r->bad; i++)
        rd->notes[i] = get_str(r);
    rd->ncolumns = get_size(r);
    rd->columns =
        xcalloc(rd->ncolumns ? rd->ncolumns : 1, sizeof(*rd->columns));
    for (size_t i = 0; i < rd->ncolumns && !r->bad; i++) {
        rd->columns[i].name = get_str(r);
        rd->columns[i].orig = get_str(r);
    }
}

static void put_num(struct strbuf *sb, const struct diag_num *n)
{
    put_str(sb, n->metric);
    put_u64(sb, (uint64_t)n->kind);
    put_f64(sb, n->x);
    put_f64(sb, n->x0);
    put_f64(sb, n->x1);
    put_u64(sb, n->window);
    put_u64(sb, n->a);
    put_u64(sb, n->b);
    put_u64(sb, n->buckets);
    put_f64(sb, n->value);
}

static void get_num(struct reader *r, struct diag_num *n)
{
    n->metric = get_str(r);
    n->kind = (enum diag_num_kind)get_u64(r);
    n->x = get_f64(r);
    n->x0 = get_f64(r);
    n->x1 = get_f64(r);
    n->window = (size_t)get_u64(r);
    n->a = (size_t)get_u64(r);
    n->b = (size_t)get_u64(r);
    n->buckets = (size_t)get_u64(r);
    n->value = get_f64(r);
}

static void put_diag(struct strbuf *sb, const struct diagnosis *d)
{
    put_u64(sb, d->n);
    for (size_t i = 0; i < d->n; i++) {
        const struct finding *f = &d->f[i];

        put_u64(sb, (uint64_t)f->code);
        put_str(sb, f->evidence);
        put_u64(sb, (uint64_t)(int64_t)f->advice);
        put_f64(sb, f->at);
        put_u64(sb, f->nnums);
        for (size_t k = 0; k < f->nnums; k++)
            put_num(sb, &f->nums[k]);
        put_f64(sb, f->margin);
        put_raw(sb, f->margin_of);
        put_u64(sb, f->borderline);
    }
    put_u64(sb, (uint64_t)d->decision);
    put_str(sb, d->symptom);
    put_str(sb, d->first_check);
    put_str(sb, d->action);
    put_str(sb, d->success);
    put_str(sb, d->note);
}

static void get_diag(struct reader *r, struct diagnosis *d)
{
    size_t n = get_size(r);

    d->f = xcalloc(n ? n : 1, sizeof(*d->f));
    d->alloc = n ? n : 1;
    for (size_t i = 0; i < n && !r->bad; i++) {
        struct finding *f = &d->f[i];

        d->n++;
        f->code = (enum diag_code)get_u64(r);
        f->evidence = get_str(r);
        f->advice = (int)(int64_t)get_u64(r);
        f->at = get_f64(r);
        f->nnums = get_size(r);
        f->nums = xcalloc(f->nnums ? f->nnums : 1, sizeof(*f->nums));
        for (size_t k = 0; k < f->nnums && !r->bad; k++)
            get_num(r, &f->nums[k]);
        f->margin = get_f64(r);
        f->margin_of = get_ref(r);
        f->borderline = get_u64(r) != 0;
    }
    d->decision = (enum decision)get_u64(r);
    d->symptom = get_str(r);
    d->first_check = get_str(r);
    d->action = get_str(r);
    d->success = get_str(r);
    d->note = get_str(r);
}

static void put_best(struct strbuf *sb, const struct best *b)
{
    put_u64(sb, b->found);
    put_u64(sb, b->row);
    put_f64(sb, b->x);
    put_f64(sb, b->value);
    put_f64(sb, b->last_x);
    put_f64(sb, b->last_value);
}

static void get_best(struct reader *r, struct best *b)
{
    b->found = get_u64(r) != 0;
    b->row = (size_t)get_u64(r);
    b->x = get_f64(r);
    b->value = get_f64(r);
    b->last_x = get_f64(r);
    b->last_value = get_f64(r);
}

static void put_replay(struct strbuf *sb, const struct replay *rp)
{
    put_u64(sb, rp->done);
    put_u64(sb, rp->maximize);
    put_u64(sb, rp->evals);
    put_f64(sb, rp->best_x);
    put_f64(sb, rp->best_value);
    for (size_t i = 0; i < REPLAY_NPATIENCE; i++) {
        const struct replay_stop *s = &rp->stop[i];

        put_u64(sb, s->patience);
        put_u64(sb, s->stopped);
        put_u64(sb, s->stop_eval);
        put_f64(sb, s->stop_x);
        put_u64(sb, s->kept);
        put_f64(sb, s->kept_x);
        put_f64(sb, s->kept_value);
        put_u64(sb, s->after);
        put_u64(sb, s->longest);
    }
}

static void get_replay(struct reader *r, struct replay *rp)
{
    rp->done = get_u64(r) != 0;
    rp->maximize = get_u64(r) != 0;
    rp->evals = (size_t)get_u64(r);
    rp->best_x = get_f64(r);
    rp->best_value = get_f64(r);
    for (size_t i = 0; i < REPLAY_NPATIENCE; i++) {
        struct replay_stop *s = &rp->stop[i];

        s->patience = (size_t)get_u64(r);
        s->stopped = get_u64(r) != 0;
        s->stop_eval = (size_t)get_u64(r);
        s->stop_x = get_f64(r);
        s->kept = get_u64(r) != 0;
        s->kept_x = get_f64(r);
        s->kept_value = get_f64(r);
        s->after = (size_t)get_u64(r);
        s->longest = (size_t)get_u64(r);
    }
}

/* A reduced curve: x and y interleaved, after whether it was kept. */
static void put_curve(struct strbuf *sb, size_t n, const double *xs,
                      const double *ys)
{
    put_u64(sb, xs != NULL);
    put_u64(sb, n);
    for (size_t i = 0; i < n; i++) {
        put_f64(sb, xs[i]);
        put_f64(sb, ys[i]);
    }
}

static void get_curve(struct reader *r, size_t *n, double **xs, double **ys)
{
    bool kept = get_u64(r) != 0;

    *n = get_size(r);
    if (r->bad || (!kept && *n) ||
        *n > (size_t)(r->end - r->p) / (2 * sizeof(double))) {
        r->bad = true;
        *n = 0;
    }
    if (!kept || r->bad)
        return;
    *xs = xmalloc((*n ? *n : 1) * sizeof(double));
    *ys = xmalloc((*n ? *n : 1) * sizeof(double));
    for (size_t i = 0; i < *n; i++) {
        (*xs)[i] = get_f64(r);
        (*ys)[i] = get_f64(r);
    }
}

/* The x of a curve's non-finite rows: a count, then as many doubles. */
static void put_bad(struct strbuf *sb, size_t n, const double *xs)
{
    put_u64(sb, n);
    for (size_t i = 0; i < n; i++)
        put_f64(sb, xs[i]);
}

static void get_bad(struct reader *r, size_t *n, double **xs)
{
    *n = get_size(r);
    *xs = *n ? get_doubles(r, *n) : NULL;
    if (!*xs)
        *n = 0;
}

static void put_analysis(struct strbuf *sb, const struct run_analysis *an)
{
    put_str(sb, an->rule.metric);
    put_u64(sb, an->rule.maximize);
    put_raw(sb, an->rule_why);
    put_best(sb, &an->best);
    put_u64(sb, an->nslices);
    for (size_t i = 0; i < an->nslices; i++)
        put_f64(sb, an->slice_at_best[i]);
    put_curve(sb, an->ncurve, an->curve_x, an->curve_y);
    put_bad(sb, an->ncurve_bad, an->curve_bad);
    put_replay(sb, &an->replay);
    put_str(sb, an->train_name);
    put_curve(sb, an->ntrain, an->train_x, an->train_y);
    put_bad(sb, an->ntrain_bad, an->train_bad);
    put_diag(sb, &an->diag);
}

static void get_analysis(struct reader *r, struct run_analysis *an)
{
    an->rule.metric = get_str(r);
    an->rule.maximize = get_u64(r) != 0;
    an->rule_why = get_ref(r);
    get_best(r, &an->best);
    an->nslices = get_size(r);
    an->slice_at_best = get_doubles(r, an->nslices);
    get_curve(r, &an->ncurve, &an->curve_x, &an->curve_y);
    get_bad(r, &an->ncurve_bad, &an->curve_bad);
    get_replay(r, &an->replay);
    an->train_name = get_str(r);
    get_curve(r, &an->ntrain, &an->train_x, &an->train_y);
    get_bad(r, &an->ntrain_bad, &an->train_bad);
    get_diag(r, &an->diag);
}

static void put_drawn(struct strbuf *sb, const struct run_drawn *d)
{
    put_u64(sb, d->ncharts);
    for (size_t i = 0; i < d->ncharts; i++) {
        put_str(sb, d->charts[i].file);
        put_str(sb, d->charts[i].title);
        put_u64(sb, d->charts[i].best);
        put_u64(sb, d->charts[i].minor);
    }
    put_u64(sb, d->nfolded);
    for (size_t i = 0; i < d->nfolded; i++) {
        const struct folded_column *f = &d->folded[i];

        put_str(sb, f->name);
        put_u64(sb, f->n);
        put_f64(sb, f->min);
        put_f64(sb, f->max);
        put_f64(sb, f->last);
    }
}

static void get_drawn(struct reader *r, struct run_drawn *d)
{
    size_t n = get_size(r);

    for (size_t i = 0; i < n && !r->bad; i++) {
        char *file = get_str(r), *title = get_str(r);
        bool best = get_u64(r) != 0, minor = get_u64(r) != 0;

        if (!file || !title) {
            r->bad = true;
        } else {
            run_drawn_add_chart(d, file, title, best);
            d->charts[d->ncharts - 1].minor = minor;
        }
        free(file);
        free(title);
    }
    d->nfolded = get_size(r);
    d->folded = xcalloc(d->nfolded ? d->nfolded : 1, sizeof(*d->folded));
    for (size_t i = 0; i < d->nfolded && !r->bad; i++) {
        struct folded_column *f = &d->folded[i];

        f->name = get_str(r);
        f->n = (size_t)get_u64(r);
        f->min = get_f64(r);
        f->max = get_f64(r);
        f->last = get_f64(r);
    }
    if (!d->nfolded) {
        free(d->folded);
        d->folded = NULL;
    }
}

/* A run's parts: status, reason, read, analysis, drawn. */
static void put_state(struct strbuf *sb, const struct run *r)
{
    put_u64(sb, (uint64_t)r->status);
    put_str(sb, r->reason);
    put_read(sb, &r->read);
    put_analysis(sb, &r->an);
    put_drawn(sb, &r->drawn);
}

static void get_state(struct reader *rd, struct run *r)
{
    r->status = (enum run_status)get_u64(rd);
    r->reason = get_str(rd);
    get_read(rd, &r->read);
    get_analysis(rd, &r->an);
    get_drawn(rd, &r->drawn);
    if (r->status != RUN_OK && r->status != RUN_NOT_COMPARABLE &&
        r->status != RUN_SKIPPED)
        rd->bad = true;
}

/* ---- inputs */

struct cache_file {
    char *rel;
    size_t size;
    uint64_t hash;
};

/* A file a run's reader opened, as it was when opened. */
struct seen {
    char *path;
    struct stat st;
};

struct cache_run {
    bool kept;         /* rec and charts hold what the next report may reuse */
    bool restored;     /* the run was restored from the old site */
    struct strbuf rec; /* identity and inputs, state, messages */
    struct cache_file *charts; /* the files written for it, but its page */
    size_t ncharts;
    bool has_page;
    uint64_t page_key;
    struct cache_file page;
    const struct cache_old *old; /* its old record, or NULL */
    /* While it is processed (cache_begin() to cache_end()): */
    size_t nseen, seen_alloc;
    struct seen *seen;
    struct strbuf before; /* its folders' listings before */
    size_t site_from;     /* the first file of the site written for it */
    bool moved;           /* an input changed meanwhile */
};

struct cache_old {
    const char *name;
    const char *inputs, *state, *msgs; /* bytes in c->old */
    size_t inputs_len, state_len, msgs_len;
    const char *files; /* charts, then the page */
    const char *end;
};

static void on_open(void *arg, const char *path, const struct stat *st)
{
    struct cache_run *cr = arg;

    ALLOC_GROW(cr->seen, cr->nseen + 1, cr->seen_alloc);
    cr->seen[cr->nseen].path = xstrdup(path);
    cr->seen[cr->nseen++].st = *st;
}

static bool same_file(const struct stat *a, const struct stat *b)
{
    return a->st_dev == b->st_dev && a->st_ino == b->st_ino &&
           a->st_size == b->st_size && a->st_mtim.tv_sec == b->st_mtim.tv_sec &&
           a->st_mtim.tv_nsec == b->st_mtim.tv_nsec &&
           a->st_ctim.tv_sec == b->st_ctim.tv_sec &&
           a->st_ctim.tv_nsec == b->st_ctim.tv_nsec;
}

/*
 * The size and content hash of the file at path (links followed, as
 * input_open() does), and its stat before hashing. Returns -1 when it
 * cannot be read or is not a regular file.
 */
static int hash_file(const char *path, struct stat *st, uint64_t *hash)
{
    /*
     * A long log is never held whole. (Not a multiple of 32 bytes: every
     * read leaves part of a stripe for the next, a path hasher_add() then
     * always takes, and test_cache checks.)
     */
    enum { CHUNK = (1 << 20) + 5 };
    char *buf;
    struct hasher h;
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    int ret = -1;

    if (fd < 0)
        return -1;
    if (fstat(fd, st) || !S_ISREG(st->st_mode)) {
        close(fd);
        return -1;
    }
    buf = xmalloc(CHUNK);
    hasher_init(&h, 0);
    for (;;) {
        ssize_t got = read(fd, buf, CHUNK);

        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0) {
            ret = got < 0 ? -1 : 0;
            break;
        }
        hasher_add(&h, buf, (size_t)got);
    }
    close(fd);
    free(buf);
    if (!ret && h.total != (uint64_t)st->st_size)
        ret = -1;
    *hash = hasher_end(&h);
    return ret;
}

int cache_hash_path(const char *path, uint64_t *hash)
{
    struct stat st;

    return hash_file(path, &st, hash);
}

/* The names and kinds in dir (below it too when deep), into sb. */
static void hash_listing(struct strbuf *sb, const char *dir, bool deep,
                         int depth)
{
    struct listing l;

    if (depth > 16 || listing_read(&l, dir, 0)) {
        strbuf_addf(sb, "?%s%c", dir, 0);
        return;
    }
    for (size_t i = 0; i < l.n; i++) {
        strbuf_addf(sb, "%d%s%c", (int)l.e[i].kind, l.e[i].name, 0);
        if (l.e[i].kind == LISTING_OTHER) {
            /* A link: where it leads decides what is read. */
            char *path = xasprintf("%s/%s", dir, l.e[i].name);
            char target[4096];
            ssize_t n = readlink(path, target, sizeof(target));

            if (n > 0)
                strbuf_add(sb, target, (size_t)n);
            strbuf_addch(sb, 0);
            free(path);
        }
        if (deep && l.e[i].kind == LISTING_DIR) {
            char *sub = xasprintf("%s/%s", dir, l.e[i].name);

            hash_listing(sb, sub, true, depth + 1);
            free(sub);
        }
    }
    strbuf_addch(sb, '/');
    listing_release(&l);
}

/* The folder path is in ("." for a bare name). The caller frees it. */
static char *folder_of(const char *path)
{
    const char *slash = strrchr(path, '/');

    if (!slash)
        return xstrdup(".");
    return slash == path ? xstrdup("/")
                         : xstrndup(path, (size_t)(slash - path));
}

static void put_listing(struct strbuf *out, const char *dir, bool deep)
{
    struct strbuf sb = STRBUF_INIT;

    hash_listing(&sb, dir, deep, 0);
    put_str(out, dir);
    put_u64(out, deep);
    put_u64(out, cache_hash(sb.buf, sb.len, 0));
    strbuf_release(&sb);
}

/*
 * The folders a run's inputs are looked for in, known before it is read:
 * its own, and its log's (the log itself, whole, when it is a folder),
 * and the same for its second path; each once.
 */
static size_t run_folders(const struct run *r, char **dirs, bool *deep)
{
    const char *paths[] = {r->metrics_path, r->extra};
    size_t n = 0;

    dirs[n] = xstrdup(r->dir);
    deep[n++] = false;
    for (size_t i = 0; i < ARRAY_SIZE(paths); i++) {
        struct stat st;
        bool again = false;

        if (!paths[i])
            continue;
        deep[n] = !stat(paths[i], &st) && S_ISDIR(st.st_mode);
        dirs[n] = deep[n] ? xstrdup(paths[i]) : folder_of(paths[i]);
        for (size_t k = 0; k < n && !again; k++)
            again = deep[k] == deep[n] && !strcmp(dirs[k], dirs[n]);
        if (again)
            free(dirs[n]);
        else
            n++;
    }
    return n;
}

static void known_folders(const struct run *r, struct strbuf *out)
{
    char *dirs[3];
    bool deep[3];
    size_t n = run_folders(r, dirs, deep);

    put_u64(out, n);
    for (size_t i = 0; i < n; i++) {
        put_listing(out, dirs[i], deep[i]);
        free(dirs[i]);
    }
}

/* Is dir, not deep, one of run_folders()? */
static bool known_folder(const struct run *r, const char *dir)
{
    char *dirs[3];
    bool deep[3], found = false;
    size_t n = run_folders(r, dirs, deep);

    for (size_t i = 0; i < n; i++) {
        found |= !deep[i] && !strcmp(dirs[i], dir);
        free(dirs[i]);
    }
    return found;
}

/* Who the run is: as runs_find() found it. */
static void put_identity(struct strbuf *sb, const struct run *r)
{
    put_str(sb, r->name);
    put_str(sb, r->slug);
    put_str(sb, r->dir);
    put_str(sb, r->metrics_path);
    put_str(sb, r->extra);
    put_str(sb, r->key);
    put_str(sb, r->format ? r->format->id : NULL);
}

/*
 * The inputs part of a record: identity, the known folders' listings,
 * then each file opened (sorted, once each) with its size and hash, and
 * each folder holding one with its listing. The files come from paths
 * (n of them, sorted and unique). Returns -1 when a file cannot be
 * hashed.
 */
static int put_inputs(struct strbuf *sb, const struct run *r,
                      const char *const *paths, size_t n,
                      const struct stat *opened)
{
    char *last_dir = NULL;
    int ret = 0;

    put_identity(sb, r);
    known_folders(r, sb);
    put_u64(sb, n);
    for (size_t i = 0; i < n && !ret; i++) {
        struct stat st, after;
        uint64_t h = 0;
        char *dir = folder_of(paths[i]);
        bool listed;

        memset(&st, 0, sizeof(st));
        if (hash_file(paths[i], &st, &h) || stat(paths[i], &after) ||
            !same_file(&st, &after) || (opened && !same_file(&opened[i], &st)))
            ret = -1;
        put_str(sb, paths[i]);
        put_u64(sb, (uint64_t)st.st_size);
        put_u64(sb, h);
        /* The folder it is in, once: a file added there is seen. */
        listed = (!last_dir || strcmp(last_dir, dir)) && !known_folder(r, dir);
        put_u64(sb, listed);
        if (listed)
            put_listing(sb, dir, false);
        free(last_dir);
        last_dir = dir;
    }
    free(last_dir);
    return ret;
}

/*
 * The paths of the files in an inputs part (put_inputs()), in order;
 * NULL when it does not parse. free_paths() frees them.
 */
static void free_paths(char **paths, size_t n)
{
    for (size_t i = 0; paths && i < n; i++)
        free(paths[i]);
    free(paths);
}

static char **input_paths(const char *p, size_t len, size_t *n)
{
    struct reader rd = {p, p + len, false};
    char **paths = NULL;
    size_t nk;

    for (int i = 0; i < 7; i++) /* put_identity() */
        get_ref(&rd);
    nk = get_size(&rd);
    for (size_t i = 0; i < nk && !rd.bad; i++) {
        get_ref(&rd);
        get_u64(&rd);
        get_u64(&rd);
    }
    *n = get_size(&rd);
    if (rd.bad)
        return NULL;
    paths = xcalloc(*n ? *n : 1, sizeof(*paths));
    for (size_t i = 0; i < *n && !rd.bad; i++) {
        paths[i] = get_str(&rd);
        get_u64(&rd);
        get_u64(&rd);
        if (get_u64(&rd)) {
            get_ref(&rd);
            get_u64(&rd);
            get_u64(&rd);
        }
        if (!paths[i])
            rd.bad = true;
    }
    if (rd.bad || rd.p != rd.end) {
        free_paths(paths, *n);
        return NULL;
    }
    return paths;
}

/* ---- the global key */

extern char **environ;

/* The bytes of this very program; -1 when they cannot be read. */
static int hash_self(uint64_t *h)
{
    struct stat st;

    return hash_file("/proc/self/exe", &st, h);
}

static void put_rule(struct strbuf *sb, const struct rule *r)
{
    put_str(sb, r->metric);
    put_u64(sb, r->maximize);
}

/*
 * Everything outside a run that its processing reads: see the design
 * comment above. Returns -1 when the program cannot be read.
 */
static int global_key(const struct options *opt, const struct rules *rules,
                      uint64_t *key)
{
    struct strbuf sb = STRBUF_INIT;
    uint64_t h;
    size_t row = 0;

    if (hash_self(&h))
        return -1;
    strbuf_addstr(&sb, CACHE_MAGIC PACKAGE_VERSION);
    put_u64(&sb, h);
    put_str(&sb, opt->runs_dir);
    put_u64(&sb, opt->follow_links);
    put_u64(&sb, opt->quiet);
    put_u64(&sb, opt->nmaps);
    for (size_t i = 0; i < opt->nmaps; i++) {
        put_str(&sb, opt->maps[i].from);
        put_str(&sb, opt->maps[i].to);
    }
    put_rule(&sb, &rules->select);
    put_u64(&sb, rules->chosen);
    put_u64(&sb, rules->nslices);
    for (size_t i = 0; i < rules->nslices; i++) {
        put_str(&sb, rules->slices[i].column);
        put_f64(&sb, rules->slices[i].max_drop);
        put_u64(&sb, rules->slices[i].maximize);
    }
#define THRESHOLD(kind, name, def, lo, hi, owner, doc)                         \
    put_f64(&sb, (double)rules->thresholds.name);                              \
    row++;
    DIAG_THRESHOLDS(THRESHOLD)
#undef THRESHOLD
    put_u64(&sb, row);
    put_str(&sb, rules->path);
    if (rules->path) {
        /* rules->path is relative to RUNS_DIR by now. */
        char *path = xasprintf("%s/%s", opt->runs_dir, rules->path);
        struct stat st;

        if (hash_file(path, &st, &h))
            h = 0;
        put_u64(&sb, h);
        free(path);
    }
    /*
     * The test hooks of site.c change how the site is written, never what
     * it holds: a run killed while it moves unchanged run folders has to
     * have unchanged run folders.
     */
    for (char **e = environ; e && *e; e++)
        if (!strncmp(*e, "REPORTGEN_", 10) &&
            strncmp(*e, "REPORTGEN_TEST_REUSE=", 21) &&
            strncmp(*e, "REPORTGEN_TEST_KILL_AT=", 23) &&
            strncmp(*e, "REPORTGEN_TEST_NO_EXCHANGE=", 27))
            put_str(&sb, *e);
    *key = cache_hash(sb.buf, sb.len, 0);
    strbuf_release(&sb);
    return 0;
}

/* ---- the cache file */

static int cmp_old(const void *a, const void *b)
{
    return strcmp(((const struct cache_old *)a)->name,
                  ((const struct cache_old *)b)->name);
}

/* Index the records of c->old; a record that does not check is left out. */
static void index_old(struct cache *c)
{
    struct reader rd = {c->old.buf, c->old.buf + c->old.len, false};
    size_t alloc = 0;

    if (c->old.len < sizeof(CACHE_MAGIC) - 1 + 8 ||
        memcmp(c->old.buf, CACHE_MAGIC, sizeof(CACHE_MAGIC) - 1))
        return;
    rd.p += sizeof(CACHE_MAGIC) - 1;
    if (get_u64(&rd) != c->global)
        return;
    while (rd.p < rd.end && !rd.bad) {
        size_t len = get_size(&rd);
        uint64_t h = get_u64(&rd);
        struct reader one;
        struct cache_old o;

        if (rd.bad || len > (size_t)(rd.end - rd.p))
            break;
        one.p = rd.p;
        one.end = rd.p + len;
        one.bad = false;
        rd.p += len;
        if (cache_hash(one.p, len, 0) != h)
            continue;
        memset(&o, 0, sizeof(o));
        o.name = get_ref(&one);
        o.inputs = get_bytes(&one, &o.inputs_len);
        o.state = get_bytes(&one, &o.state_len);
        o.msgs = one.p;
        get_ref(&one);
        o.msgs_len = (size_t)(one.p - o.msgs);
        o.files = one.p;
        o.end = one.end;
        if (one.bad || !o.name)
            continue;
        ALLOC_GROW(c->olds, c->nold + 1, alloc);
        c->olds[c->nold++] = o;
    }
    if (c->nold)
        qsort(c->olds, c->nold, sizeof(*c->olds), cmp_old);
}

void cache_open(struct cache *c, const struct site *site,
                const struct run_set *set, const struct options *opt,
                const struct rules *rules, bool reuse)
{
    memset(c, 0, sizeof(*c));
    strbuf_init(&c->old, 0);
    root_given = set->root;
    c->site = site;
    c->n = set->n;
    c->runs = xcalloc(set->n ? set->n : 1, sizeof(*c->runs));
    for (size_t i = 0; i < set->n; i++) {
        strbuf_init(&c->runs[i].rec, 0);
        strbuf_init(&c->runs[i].before, 0);
    }
    /* Only a site of its own has a cache (not --single-file alone). */
    if (!site->dir || global_key(opt, rules, &c->global))
        return;
    c->enabled = true;
    if (reuse && site_read_previous(site, CACHE_FILE, &c->old) > 0)
        index_old(c);
}

static const struct cache_old *find_old(const struct cache *c, const char *name)
{
    struct cache_old key;

    if (!c->nold)
        return NULL;
    key.name = name;
    return bsearch(&key, c->olds, c->nold, sizeof(*c->olds), cmp_old);
}

/* The output files of an old record: n charts, then maybe the page. */
static struct cache_file *get_files(struct reader *rd, size_t *n)
{
    struct cache_file *f;

    *n = get_size(rd);
    if (rd->bad)
        return NULL;
    f = xcalloc(*n ? *n : 1, sizeof(*f));
    for (size_t i = 0; i < *n && !rd->bad; i++) {
        f[i].rel = get_str(rd);
        f[i].size = (size_t)get_u64(rd);
        f[i].hash = get_u64(rd);
        if (!f[i].rel)
            rd->bad = true;
    }
    return f;
}

static void free_files(struct cache_file *f, size_t n)
{
    for (size_t i = 0; f && i < n; i++)
        free(f[i].rel);
    free(f);
}

/* Are the run's inputs, as the old record lists them, unchanged? */
static bool inputs_unchanged(const struct cache_old *o, const struct run *r)
{
    struct strbuf now = STRBUF_INIT;
    size_t n;
    char **paths = input_paths(o->inputs, o->inputs_len, &n);
    bool same;

    if (!paths)
        return false;
    same = !put_inputs(&now, r, (const char *const *)paths, n, NULL) &&
           now.len == o->inputs_len && !memcmp(now.buf, o->inputs, now.len);
    free_paths(paths, n);
    strbuf_release(&now);
    return same;
}

int cache_restore(struct cache *c, struct site *site, struct run_set *set,
                  size_t i, struct strbuf *err)
{
    struct run *r = &set->runs[i];
    struct cache_run *cr = &c->runs[i];
    const struct cache_old *o;
    struct reader rd;
    struct cache_file *charts;
    size_t ncharts;
    struct run tmp;
    struct reader mr;
    char *msgs;
    bool ok = true;

    if (!c->enabled || !(o = find_old(c, r->name)))
        return 0;
    cr->old = o;
    if (!inputs_unchanged(o, r) && !getenv("REPORTGEN_TEST_REUSE"))
        return 0;
    rd.p = o->files;
    rd.end = o->end;
    rd.bad = false;
    charts = get_files(&rd, &ncharts);
    for (size_t k = 0; k < ncharts && ok && !rd.bad; k++)
        ok = site_previous_same(c->site, charts[k].rel, charts[k].size,
                                charts[k].hash) > 0;
    if (rd.bad || !ok) {
        free_files(charts, ncharts);
        return 0;
    }
    memset(&tmp, 0, sizeof(tmp));
    run_read_init(&tmp.read);
    run_analysis_init(&tmp.an);
    rd.p = o->state;
    rd.end = o->state + o->state_len;
    get_state(&rd, &tmp);
    mr.p = o->msgs;
    mr.end = o->msgs + o->msgs_len;
    mr.bad = false;
    msgs = get_str(&mr);
    if (rd.bad || rd.p != rd.end || mr.bad || !msgs) {
        run_parts_release(&tmp);
        free_files(charts, ncharts);
        free(msgs);
        return 0;
    }
    for (size_t k = 0; k < ncharts; k++) {
        if (site_reuse(site, charts[k].rel, charts[k].size, charts[k].hash)) {
            run_parts_release(&tmp);
            free_files(charts, ncharts);
            free(msgs);
            return -1;
        }
    }
    r->status = tmp.status;
    r->reason = tmp.reason;
    r->read = tmp.read;
    r->an = tmp.an;
    r->drawn = tmp.drawn;
    strbuf_addstr(err, msgs);
    free(msgs);
    put_bytes(&cr->rec, o->inputs, o->inputs_len);
    put_bytes(&cr->rec, o->state, o->state_len);
    strbuf_add(&cr->rec, o->msgs, o->msgs_len); /* put_str() already */
    cr->charts = charts;
    cr->ncharts = ncharts;
    cr->kept = cr->restored = true;
    return 1;
}

void cache_begin(struct cache *c, const struct site *site,
                 const struct run_set *set, size_t i)
{
    struct cache_run *cr = &c->runs[i];

    if (!c->enabled)
        return;
    cr->site_from = site->n;
    known_folders(&set->runs[i], &cr->before);
    input_watch(on_open, cr);
}

static int cmp_seen(const void *a, const void *b)
{
    return strcmp(((const struct seen *)a)->path,
                  ((const struct seen *)b)->path);
}

void cache_end(struct cache *c, const struct site *site,
               const struct run_set *set, size_t i, const struct strbuf *err,
               size_t err_from)
{
    struct cache_run *cr = &c->runs[i];
    const struct run *r = &set->runs[i];
    struct strbuf inputs = STRBUF_INIT, state = STRBUF_INIT;
    const char **paths;
    struct stat *opened;
    size_t n = 0;
    bool ok = true;

    if (!c->enabled)
        return;
    input_watch(NULL, NULL);
    /* Each file once, sorted; opened twice, it must not have moved. */
    if (cr->nseen)
        qsort(cr->seen, cr->nseen, sizeof(*cr->seen), cmp_seen);
    paths = xcalloc(cr->nseen ? cr->nseen : 1, sizeof(*paths));
    opened = xcalloc(cr->nseen ? cr->nseen : 1, sizeof(*opened));
    for (size_t k = 0; k < cr->nseen; k++) {
        if (n && !strcmp(paths[n - 1], cr->seen[k].path)) {
            ok &= same_file(&opened[n - 1], &cr->seen[k].st);
            continue;
        }
        paths[n] = cr->seen[k].path;
        opened[n++] = cr->seen[k].st;
    }
    if (ok && !put_inputs(&inputs, r, paths, n, opened)) {
        /* The known folders, listed again, as they were before. */
        struct strbuf after = STRBUF_INIT;
        size_t id_len;

        put_identity(&after, r);
        id_len = after.len;
        known_folders(r, &after);
        ok = after.len - id_len == cr->before.len &&
             !memcmp(after.buf + id_len, cr->before.buf, cr->before.len);
        strbuf_release(&after);
    } else {
        ok = false;
    }
    if (ok) {
        /* A run that could not be read is kept too: it is told again. */
        put_state(&state, r);
        put_bytes(&cr->rec, inputs.buf, inputs.len);
        put_bytes(&cr->rec, state.buf, state.len);
        put_str(&cr->rec, err->buf + err_from);
        /* Its charts: the files written for it meanwhile. */
        cr->ncharts = site->n - cr->site_from;
        cr->charts =
            xcalloc(cr->ncharts ? cr->ncharts : 1, sizeof(*cr->charts));
        for (size_t k = 0; k < cr->ncharts; k++) {
            size_t f = cr->site_from + k;

            cr->charts[k].rel = xstrdup(site->files[f]);
            cr->charts[k].size = site->sizes[f];
            cr->charts[k].hash = site->hashes[f];
        }
        cr->kept = true;
    }
    for (size_t k = 0; k < cr->nseen; k++)
        free(cr->seen[k].path);
    free(cr->seen);
    cr->seen = NULL;
    cr->nseen = cr->seen_alloc = 0;
    free(paths);
    free(opened);
    strbuf_release(&inputs);
    strbuf_release(&state);
    strbuf_release(&cr->before);
}

/* ---- pages */

void cache_svg_stand_in(struct strbuf *out, uint64_t hash)
{
    strbuf_addf(out, CACHE_STAND_IN_MARK "%016llx\"/>",
                (unsigned long long)hash);
}

bool cache_chart_hash(const struct cache *c, size_t i, const char *rel,
                      uint64_t *hash)
{
    const struct cache_run *cr = &c->runs[i];

    if (!c->enabled || !cr->kept)
        return false;
    for (size_t k = 0; k < cr->ncharts; k++) {
        if (!strcmp(cr->charts[k].rel, rel)) {
            *hash = cr->charts[k].hash;
            return true;
        }
    }
    return false;
}

int cache_page_reuse(struct cache *c, struct site *site,
                     const struct run_set *set, size_t i,
                     const struct strbuf *page, const char *rel)
{
    struct cache_run *cr = &c->runs[i];
    const struct cache_old *o = cr->old;
    struct reader rd;
    struct cache_file *files;
    size_t nfiles;
    uint64_t key;
    int ret = 0;

    if (!c->enabled || !cr->kept)
        return 0;
    cr->has_page = true;
    cr->page_key = cache_hash(page->buf, page->len, 0);
    if (!o && !(o = find_old(c, set->runs[i].name)))
        return 0;
    rd.p = o->files;
    rd.end = o->end;
    rd.bad = false;
    files = get_files(&rd, &nfiles);
    free_files(files, nfiles);
    if (rd.bad || !get_u64(&rd) || rd.bad)
        return 0;
    key = get_u64(&rd);
    files = get_files(&rd, &nfiles);
    if (!rd.bad && nfiles == 1 && key == cr->page_key &&
        !strcmp(files[0].rel, rel) &&
        site_previous_same(c->site, rel, files[0].size, files[0].hash) > 0)
        ret = site_reuse(site, rel, files[0].size, files[0].hash) ? -1 : 1;
    free_files(files, nfiles);
    return ret;
}

void cache_page_done(struct cache *c, const struct site *site, size_t i)
{
    struct cache_run *cr = &c->runs[i];

    if (!c->enabled || !cr->has_page || !site->n)
        return;
    free(cr->page.rel);
    cr->page.rel = xstrdup(site->files[site->n - 1]);
    cr->page.size = site->sizes[site->n - 1];
    cr->page.hash = site->hashes[site->n - 1];
}

int cache_write(struct cache *c, struct site *site, const struct run_set *set)
{
    struct strbuf sb = STRBUF_INIT, rec = STRBUF_INIT;
    int ret;

    if (!c->enabled)
        return 0;
    strbuf_addstr(&sb, CACHE_MAGIC);
    put_u64(&sb, c->global);
    for (size_t i = 0; i < set->n && i < c->n; i++) {
        const struct cache_run *cr = &c->runs[i];

        if (!cr->kept)
            continue;
        strbuf_reset(&rec);
        put_str(&rec, set->runs[i].name);
        strbuf_add(&rec, cr->rec.buf, cr->rec.len);
        put_u64(&rec, cr->ncharts);
        for (size_t k = 0; k < cr->ncharts; k++) {
            put_str(&rec, cr->charts[k].rel);
            put_u64(&rec, cr->charts[k].size);
            put_u64(&rec, cr->charts[k].hash);
        }
        put_u64(&rec, cr->has_page && cr->page.rel);
        if (cr->has_page && cr->page.rel) {
            put_u64(&rec, cr->page_key);
            put_u64(&rec, 1);
            put_str(&rec, cr->page.rel);
            put_u64(&rec, cr->page.size);
            put_u64(&rec, cr->page.hash);
        }
        put_u64(&sb, rec.len);
        put_u64(&sb, cache_hash(rec.buf, rec.len, 0));
        strbuf_add(&sb, rec.buf, rec.len);
    }
    ret = site_write(site, CACHE_FILE, sb.buf, sb.len);
    strbuf_release(&sb);
    strbuf_release(&rec);
    return ret;
}

void cache_release(struct cache *c)
{
    for (size_t i = 0; i < c->n; i++) {
        struct cache_run *cr = &c->runs[i];

        strbuf_release(&cr->rec);
        strbuf_release(&cr->before);
        free_files(cr->charts, cr->ncharts);
        free(cr->page.rel);
        for (size_t k = 0; k < cr->nseen; k++)
            free(cr->seen[k].path);
        free(cr->seen);
    }
    free(c->runs);
    free(c->olds);
    strbuf_release(&c->old);
    memset(c, 0, sizeof(*c));
    root_given = NULL;
}
