/*
 * test_tfevents.c - CRC-32C, the TFRecord framing, the Event decoder
 * (src/tfevents.c) and the TensorBoard reader (src/read_tfevents.c).
 *
 * The writer in tests/tools/tfwrite.c is included whole (its main left
 * out) so that the decoder is checked against an encoder written
 * separately from it; the writer itself is checked first, against a
 * bit-at-a-time CRC-32C and the masking formula written out here. The
 * framing's edge cases and the malformed messages are built byte by byte.
 * The reader runs over the fixtures in tests/unit/data/tfevents/, which
 * tfwrite made from the descriptions in its desc/ folder.
 */
#include <dirent.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crc32c.h"
#include "formats.h"
#include "metrics.h"
#include "strbuf.h"
#include "tap.h"
#include "tfevents.h"
#include "util.h"

#define TFWRITE_NO_MAIN
#include "tools/tfwrite.c"

static const char *srcdir;

/* --- Helpers ---------------------------------------------------------- */

/* CRC-32C one bit at a time, straight from the definition. */
static uint32_t ref_crc32c(const unsigned char *p, size_t n)
{
    uint32_t crc = 0xffffffffu;

    for (size_t i = 0; i < n; i++) {
        crc ^= p[i];
        for (int k = 0; k < 8; k++)
            crc = (crc >> 1) ^ (crc & 1 ? 0x82f63b78u : 0);
    }
    return ~crc;
}

static uint32_t ref_mask(uint32_t crc)
{
    return (uint32_t)(((crc >> 15) | (crc << 17)) + 0xa282ead8u);
}

static uint32_t le32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
           (uint32_t)p[3] << 24;
}

/* A FILE holding the n bytes at p, read from the start. */
static FILE *file_of(const void *p, size_t n)
{
    FILE *f = tmpfile();

    if (!f) {
        perror("tmpfile");
        exit(99);
    }
    if (n && fwrite(p, 1, n, f) != n) {
        perror("fwrite");
        exit(99);
    }
    rewind(f);
    return f;
}

/* Read the one record in bytes; its status, and a copy of its data. */
struct one {
    enum tfrecord_status st;
    uint64_t at;
    struct strbuf data;
};

static void read_one(const struct strbuf *bytes, struct one *o)
{
    FILE *f = file_of(bytes->buf, bytes->len);
    struct tfrecord_reader r;
    const unsigned char *d;
    size_t n;

    tfrecord_reader_init(&r, f);
    o->st = tfrecord_next(&r, &d, &n, &o->at);
    strbuf_init(&o->data, 0);
    if (o->st == TFRECORD_OK)
        strbuf_add(&o->data, d, n);
    tfrecord_reader_release(&r);
    fclose(f);
}

/* Decode ev and return its only value; -1 when malformed, else the
 * number of values seen (v holds the first). */
static int values_of(const struct strbuf *ev, int64_t *step, struct tfvalue *v)
{
    struct tfevent e;
    struct tfvalue_iter it;
    struct tfvalue tmp;
    int k, n = 0;

    memset(v, 0, sizeof(*v));
    if (tfevent_decode(&e, (const unsigned char *)ev->buf, ev->len) < 0)
        return -1;
    if (step)
        *step = e.step;
    tfevent_values_begin(&e, &it);
    while ((k = tfevent_values_next(&it, n ? &tmp : v)) == 1)
        n++;
    return k < 0 ? -1 : n;
}

/* An event at step 7 whose summary holds the one Summary.Value val. */
static void event_with_value(struct strbuf *ev, const struct strbuf *val)
{
    struct strbuf sum = STRBUF_INIT;

    strbuf_reset(ev);
    tfw_bytes(&sum, 1, val->buf, val->len);
    tfw_event(ev, 1.5, 7, &sum);
    strbuf_release(&sum);
}

/* A Summary.Value "t" holding the TensorProto tensor. */
static void value_with_tensor(struct strbuf *val, const struct strbuf *t)
{
    strbuf_reset(val);
    tfw_bytes(val, 1, "t", 1);
    tfw_bytes(val, 8, t->buf, t->len);
}

/* dtype and shape header of a TensorProto; dims < 0 means no shape. */
static void tensor_head(struct strbuf *t, int dtype, int ndims,
                        const int64_t *dims)
{
    struct strbuf shape = STRBUF_INIT, dim = STRBUF_INIT;

    strbuf_reset(t);
    tfw_key(t, 1, WIRE_VARINT);
    tfw_varint(t, (uint64_t)dtype);
    for (int i = 0; i < ndims; i++) {
        strbuf_reset(&dim);
        tfw_key(&dim, 1, WIRE_VARINT);
        tfw_varint(&dim, (uint64_t)dims[i]);
        tfw_bytes(&shape, 2, dim.buf, dim.len);
    }
    tfw_bytes(t, 2, shape.buf, shape.len);
    strbuf_release(&shape);
    strbuf_release(&dim);
}

/* The kind and value of the scalar in the tensor t; -1 when malformed. */
static int tensor_kind(const struct strbuf *t, double *v)
{
    struct strbuf val = STRBUF_INIT, ev = STRBUF_INIT;
    struct tfvalue tv;
    int n;

    value_with_tensor(&val, t);
    event_with_value(&ev, &val);
    n = values_of(&ev, NULL, &tv);
    *v = tv.value;
    strbuf_release(&val);
    strbuf_release(&ev);
    return n == 1 ? (int)tv.kind : -1;
}

static char *fixture(const char *rel)
{
    return xasprintf("%s/tests/unit/data/tfevents/%s", srcdir, rel);
}

/* Read the run in folder path (absolute or under the fixtures). */
static struct metrics *read_path(const char *path, char **why)
{
    struct candidate c;

    memset(&c, 0, sizeof(c));
    c.format = &format_tfevents;
    c.name = (char *)"run";
    c.dir = (char *)path;
    c.path = (char *)path;
    *why = NULL;
    return format_tfevents.read(&c, why);
}

static struct metrics *read_fixture(const char *rel)
{
    char *path = fixture(rel), *why;
    struct metrics *m = read_path(path, &why);

    if (!m)
        printf("# %s: %s\n", rel, why);
    free(why);
    free(path);
    return m;
}

/* The value of column name at x, NAN when absent or not present. */
static double at(const struct metrics *m, const char *name, double x)
{
    const struct column *c = metrics_find(m, name);

    for (size_t i = 0; c && i < m->nrows; i++)
        if (metrics_x(m, i) == x)
            return metrics_present(c, i) ? metrics_v(c, i) : NAN;
    return NAN;
}

static bool has_note(const struct metrics *m, const char *sub)
{
    for (size_t i = 0; i < m->nnotes; i++)
        if (strstr(m->notes[i], sub))
            return true;
    return false;
}

static void show_notes(const struct metrics *m)
{
    for (size_t i = 0; i < m->nnotes; i++)
        printf("#   note: %s\n", m->notes[i]);
}

/* "a,b,c": the column names in order, with orig in parentheses. */
static char *columns(const struct metrics *m)
{
    struct strbuf sb = STRBUF_INIT;

    for (size_t i = 0; i < m->ncols; i++) {
        strbuf_addstr(&sb, i ? "," : "");
        strbuf_addstr(&sb, m->cols[i].name);
        if (m->cols[i].orig)
            strbuf_addf(&sb, "(%s)", m->cols[i].orig);
    }
    return strbuf_detach(&sb, NULL);
}

static void is_columns(const struct metrics *m, const char *want,
                       const char *name)
{
    char *got = columns(m);

    is_str(got, want, name);
    free(got);
}

/* --- CRC-32C ---------------------------------------------------------- */

static void test_crc(void)
{
    unsigned char buf[32];
    uint32_t whole, parts;
    bool same = true;

    is_int(crc32c("123456789", 9), 0xe3069283, "crc32c check value");
    memset(buf, 0, sizeof(buf));
    is_int(crc32c(buf, 32), 0x8a9136aa, "crc32c of 32 zero bytes");
    memset(buf, 0xff, sizeof(buf));
    is_int(crc32c(buf, 32), 0x62a8ab43, "crc32c of 32 0xff bytes (RFC 3720)");
    for (int i = 0; i < 32; i++)
        buf[i] = (unsigned char)i;
    is_int(crc32c(buf, 32), 0x46dd794e, "crc32c of 0..31 (RFC 3720)");
    whole = crc32c(buf, 32);
    parts =
        crc32c_extend(crc32c_extend(crc32c(buf, 5), buf + 5, 20), buf + 25, 7);
    is_int(parts, whole, "crc32c_extend in pieces equals the whole");
    /* 10000 values spread over the 32 bits by a Weyl sequence. */
    for (uint32_t i = 0, v = 0; i < 10000 && same; i++, v += 0x9e3779b9u)
        same =
            crc32c_mask(v) == ref_mask(v) && crc32c_unmask(crc32c_mask(v)) == v;
    ok(same && crc32c_mask(0) == 0xa282ead8u,
       "crc32c_mask is rotate right 15 plus 0xa282ead8; unmask inverts it");
    same = true;
    for (size_t n = 0; n <= 32 && same; n++)
        same = crc32c(buf, n) == ref_crc32c(buf, n);
    ok(same, "table CRC equals the bit-at-a-time definition");
}

/* --- The writer against the definition -------------------------------- */

static void test_writer_framing(void)
{
    struct strbuf out = STRBUF_INIT;
    const unsigned char *b;
    unsigned char hdr[12], trl[4];

    tfw_record(&out, "hello", 5);
    b = (const unsigned char *)out.buf;
    ok(out.len == 21 && !memcmp(b, "\5\0\0\0\0\0\0\0", 8) &&
           !memcmp(b + 12, "hello", 5),
       "writer: 8-byte little-endian length, then the data");
    is_int(le32(b + 8), ref_mask(ref_crc32c(b, 8)),
           "writer: masked CRC of the length bytes");
    is_int(le32(b + 17), ref_mask(ref_crc32c(b + 12, 5)),
           "writer: masked CRC of the data");
    tfrecord_frame((const unsigned char *)"hello", 5, hdr, trl);
    ok(!memcmp(hdr, b, 12) && !memcmp(trl, b + 17, 4),
       "tfrecord_frame frames as the writer does");
    strbuf_reset(&out);
    tfw_record_flags(&out, "x", 1, TFW_BAD_LENGTH_CRC | TFW_BAD_DATA_CRC);
    b = (const unsigned char *)out.buf;
    ok(le32(b + 8) != ref_mask(ref_crc32c(b, 8)) &&
           le32(b + 13) != ref_mask(ref_crc32c(b + 12, 1)),
       "writer: the corrupting flags break both CRCs");
    strbuf_release(&out);
}

/* --- Round trips: the decoder against the writer ---------------------- */

static void test_round_trip(void)
{
    static const struct {
        enum tfw_form form;
        const char *name;
        bool is_double;
    } forms_tested[] = {
        {TFW_SIMPLE, "simple_value", false},
        {TFW_FLOAT, "DT_FLOAT tensor_content", false},
        {TFW_FLOAT_VAL, "DT_FLOAT packed float_val", false},
        {TFW_FLOAT_UNPACKED, "DT_FLOAT unpacked float_val", false},
        {TFW_DOUBLE, "DT_DOUBLE tensor_content", true},
        {TFW_DOUBLE_VAL, "DT_DOUBLE packed double_val", true},
        {TFW_DOUBLE_UNPACKED, "DT_DOUBLE unpacked double_val", true},
    };
    struct strbuf ev = STRBUF_INIT, sum = STRBUF_INIT, file = STRBUF_INIT;
    struct tfvalue v;
    struct one o;
    int64_t step;
    char name[128];
    struct tfevent e;
    struct tfvalue_iter it;
    int n;

    for (size_t i = 0; i < ARRAY_SIZE(forms_tested); i++) {
        double want = forms_tested[i].is_double ? 0.1 : (double)(float)0.1;

        strbuf_reset(&ev);
        strbuf_reset(&sum);
        strbuf_reset(&file);
        tfw_value(&sum, "loss/train", 0.1, forms_tested[i].form, i % 2);
        tfw_event(&ev, 1700000000.5, 12345678901LL, &sum);
        tfw_record(&file, ev.buf, ev.len);
        read_one(&file, &o);
        n = values_of(&o.data, &step, &v);
        snprintf(name, sizeof(name), "round trip, %s: one scalar",
                 forms_tested[i].name);
        ok(o.st == TFRECORD_OK && n == 1 && v.kind == TFVALUE_SCALAR &&
               step == 12345678901LL && v.tag_len == 10 &&
               !memcmp(v.tag, "loss/train", 10),
           name);
        snprintf(name, sizeof(name), "round trip, %s: the value",
                 forms_tested[i].name);
        is_double(v.value, want, 0, name);
        snprintf(name, sizeof(name), "round trip, %s: plugin name",
                 forms_tested[i].name);
        ok(i % 2 ? v.plugin && v.plugin_len == 7 &&
                       !memcmp(v.plugin, "scalars", 7)
                 : !v.plugin,
           name);
        strbuf_release(&o.data);
    }

    /* Non-finite values and a negative step (a 10-byte varint). */
    strbuf_reset(&sum);
    tfw_value(&sum, "a", NAN, TFW_SIMPLE, false);
    tfw_value(&sum, "b", -INFINITY, TFW_FLOAT, false);
    tfw_value(&sum, "c", INFINITY, TFW_DOUBLE_VAL, false);
    strbuf_reset(&ev);
    tfw_event(&ev, 1.0, -5, &sum);
    ok(tfevent_decode(&e, (const unsigned char *)ev.buf, ev.len) == 0 &&
           e.step == -5 && e.has_summary && !e.file_version,
       "round trip: negative step");
    tfevent_values_begin(&e, &it);
    ok(tfevent_values_next(&it, &v) == 1 && isnan(v.value) &&
           tfevent_values_next(&it, &v) == 1 && v.value == -INFINITY &&
           *v.tag == 'b' && tfevent_values_next(&it, &v) == 1 &&
           v.value == INFINITY && tfevent_values_next(&it, &v) == 0,
       "round trip: nan, -inf, inf, three values in order");

    /* The file_version event. */
    strbuf_reset(&ev);
    tfw_event_version(&ev, 1700000000.25, "brain.Event:2", NULL);
    ok(tfevent_decode(&e, (const unsigned char *)ev.buf, ev.len) == 0 &&
           e.file_version && e.file_version_len == 13 &&
           !memcmp(e.file_version, "brain.Event:2", 13) &&
           e.wall_time == 1700000000.25 && !e.has_summary && !e.step,
       "round trip: file_version event");
    tfevent_values_begin(&e, &it);
    is_int(tfevent_values_next(&it, &v), 0, "file_version event: no values");
    strbuf_release(&ev);
    strbuf_release(&sum);
    strbuf_release(&file);
}

/* --- Framing edge cases, byte by byte --------------------------------- */

/* Read every record of bytes; statuses and offsets as "OK@0 EOF@21". */
static char *walk(const struct strbuf *bytes, size_t *max_alloc)
{
    static const char *const names[] = {"OK",         "EOF",      "TRUNCATED",
                                        "BAD_LENGTH", "BAD_DATA", "READ_ERROR"};
    struct strbuf sb = STRBUF_INIT;
    FILE *f = file_of(bytes->buf, bytes->len);
    struct tfrecord_reader r;
    const unsigned char *d;
    size_t n;
    uint64_t at;

    tfrecord_reader_init(&r, f);
    for (;;) {
        enum tfrecord_status st = tfrecord_next(&r, &d, &n, &at);

        strbuf_addf(&sb, "%s%s@%llu", sb.len ? " " : "", names[st],
                    (unsigned long long)at);
        if (st == TFRECORD_OK)
            strbuf_addf(&sb, ":%zu", n);
        if (st != TFRECORD_OK && st != TFRECORD_BAD_DATA)
            break;
    }
    if (max_alloc)
        *max_alloc = r.alloc;
    tfrecord_reader_release(&r);
    fclose(f);
    return strbuf_detach(&sb, NULL);
}

static void is_walk(const struct strbuf *bytes, const char *want,
                    const char *name)
{
    char *got = walk(bytes, NULL);

    is_str(got, want, name);
    free(got);
}

/* A header claiming len bytes, with a good length CRC. */
static void header(struct strbuf *sb, uint64_t len)
{
    unsigned char h[12];

    for (int i = 0; i < 8; i++)
        h[i] = (unsigned char)(len >> (8 * i));
    put_le32(h + 8, ref_mask(ref_crc32c(h, 8)));
    strbuf_add(sb, h, sizeof(h));
}

static void test_framing(void)
{
    struct strbuf b = STRBUF_INIT, big = STRBUF_INIT, ev = STRBUF_INIT;
    struct tfevent e;
    struct tfvalue_iter it;
    struct tfvalue v;
    struct one o;
    size_t alloc;
    char *got;

    is_walk(&b, "EOF@0", "empty file: end of file at once");

    tfw_record(&b, "abc", 3);
    tfw_record(&b, "hello", 5);
    is_walk(&b, "OK@0:3 OK@19:5 EOF@40",
            "two records: offsets, lengths, then end of file");

    strbuf_reset(&b);
    tfw_record_flags(&b, "abc", 3, TFW_BAD_LENGTH_CRC);
    tfw_record(&b, "hello", 5);
    is_walk(&b, "BAD_LENGTH@0", "length CRC bad: stop at once");

    strbuf_reset(&b);
    tfw_record(&b, "abc", 3);
    tfw_record_flags(&b, "abc", 3, TFW_BAD_DATA_CRC);
    tfw_record(&b, "hello", 5);
    is_walk(&b, "OK@0:3 BAD_DATA@19 OK@38:5 EOF@59",
            "data CRC bad: that record skipped, the next one read");

    strbuf_reset(&b);
    tfw_record(&b, "abc", 3);
    strbuf_add(&b, "\x05\0\0\0\0", 5);
    is_walk(&b, "OK@0:3 TRUNCATED@19", "file ends inside a length");

    strbuf_reset(&b);
    tfw_record(&b, "hello", 5);
    strbuf_setlen(&b, 10);
    is_walk(&b, "TRUNCATED@0", "file ends inside the length CRC");

    strbuf_reset(&b);
    header(&b, 100);
    strbuf_add(&b, "0123456789", 10);
    is_walk(&b, "TRUNCATED@0", "file ends inside the data");

    strbuf_reset(&b);
    tfw_record(&b, "hello", 5);
    strbuf_setlen(&b, b.len - 2);
    is_walk(&b, "TRUNCATED@0", "file ends inside the data CRC");

    strbuf_reset(&b);
    header(&b, (uint64_t)1 << 62);
    for (int i = 0; i < 1000; i++)
        strbuf_addstr(&b, "0123456789");
    got = walk(&b, &alloc);
    is_str(got, "TRUNCATED@0", "a length of 2^62 is a truncated record");
    ok(alloc <= 2 * b.len + 4096,
       "a length of 2^62 allocates no more than the file holds");
    free(got);

    strbuf_reset(&b);
    header(&b, UINT64_MAX);
    strbuf_addstr(&b, "xyz");
    is_walk(&b, "TRUNCATED@0", "a length of 2^64-1 is a truncated record");

    /* A zero-length record is an empty Event: all fields default. */
    strbuf_reset(&b);
    tfw_record(&b, "", 0);
    is_walk(&b, "OK@0:0 EOF@16", "zero-length record");
    read_one(&b, &o);
    ok(o.st == TFRECORD_OK &&
           !tfevent_decode(&e, (const unsigned char *)o.data.buf, 0) &&
           !e.step && !e.file_version && !e.has_summary,
       "zero-length record decodes as an empty Event");
    tfevent_values_begin(&e, &it);
    is_int(tfevent_values_next(&it, &v), 0, "empty Event: no values");
    strbuf_release(&o.data);

    /* A record larger than the first piece read: the buffer grows. */
    for (int i = 0; i < 20000; i++)
        strbuf_addstr(&big, "abcde");
    strbuf_reset(&ev);
    tfw_bytes(&ev, 4, big.buf, big.len); /* graph_def: skipped */
    tfw_key(&ev, 2, WIRE_VARINT);
    tfw_varint(&ev, 42);
    strbuf_reset(&b);
    tfw_record(&b, ev.buf, ev.len);
    tfw_record(&b, "", 0);
    read_one(&b, &o);
    ok(o.st == TFRECORD_OK && o.data.len == ev.len &&
           !memcmp(o.data.buf, ev.buf, ev.len) &&
           !tfevent_decode(&e, (const unsigned char *)o.data.buf, o.data.len) &&
           e.step == 42,
       "a 100 kB record reads whole and decodes");
    strbuf_release(&o.data);
    got = walk(&b, NULL);
    is_str(got, "OK@0:100006 OK@100022:0 EOF@100038",
           "the record after a large one is read too");
    free(got);
    strbuf_release(&b);
    strbuf_release(&big);
    strbuf_release(&ev);
}

/* --- Protocol buffer decoding ----------------------------------------- */

static void test_unknown_fields(void)
{
    struct strbuf ev = STRBUF_INIT, sum = STRBUF_INIT, val = STRBUF_INIT;
    struct strbuf t = STRBUF_INIT, grp = STRBUF_INIT, md = STRBUF_INIT;
    struct strbuf pd = STRBUF_INIT, shape = STRBUF_INIT;
    struct tfvalue v;
    int64_t step;
    int n;

    /* Every wire type, in every message on the way to the scalar. */
#define UNKNOWNS(sb)                                                           \
    do {                                                                       \
        tfw_key(sb, 100, WIRE_VARINT);                                         \
        tfw_varint(sb, UINT64_MAX);                                            \
        tfw_fixed64(sb, 101, 0x0123456789abcdefULL);                           \
        tfw_bytes(sb, 102, "junk", 4);                                         \
        tfw_fixed32(sb, 103, 0xdeadbeefu);                                     \
        tfw_key(sb, 104, WIRE_SGROUP);                                         \
        tfw_key(sb, 1, WIRE_VARINT);                                           \
        tfw_varint(sb, 1);                                                     \
        tfw_key(sb, 105, WIRE_SGROUP);                                         \
        tfw_bytes(sb, 2, "in", 2);                                             \
        tfw_key(sb, 105, WIRE_EGROUP);                                         \
        tfw_key(sb, 104, WIRE_EGROUP);                                         \
    } while (0)

    UNKNOWNS(&pd);
    tfw_bytes(&pd, 1, "scalars", 7);
    UNKNOWNS(&md);
    tfw_bytes(&md, 1, pd.buf, pd.len);
    UNKNOWNS(&shape);
    UNKNOWNS(&t);
    tfw_key(&t, 1, WIRE_VARINT);
    tfw_varint(&t, 1);
    tfw_bytes(&t, 2, shape.buf, shape.len);
    tfw_bytes(&t, 4, "\0\0\x80\x3f", 4); /* 1.0f */
    UNKNOWNS(&val);
    tfw_bytes(&val, 1, "x", 1);
    tfw_bytes(&val, 7, "node", 4); /* node_name */
    tfw_bytes(&val, 8, t.buf, t.len);
    tfw_bytes(&val, 9, md.buf, md.len);
    UNKNOWNS(&sum);
    tfw_bytes(&sum, 1, val.buf, val.len);
    UNKNOWNS(&ev);
    tfw_double(&ev, 1, 2.0);
    tfw_key(&ev, 2, WIRE_VARINT);
    tfw_varint(&ev, 9);
    tfw_bytes(&ev, 4, "graph", 5);
    tfw_bytes(&ev, 5, sum.buf, sum.len);
    UNKNOWNS(&ev);
#undef UNKNOWNS
    n = values_of(&ev, &step, &v);
    ok(n == 1 && step == 9 && v.kind == TFVALUE_SCALAR && v.value == 1.0 &&
           v.plugin_len == 7,
       "unknown fields of every wire type, groups nested, skipped at "
       "every level");

    /* A known field number with another wire type is an unknown field. */
    strbuf_reset(&ev);
    strbuf_reset(&val);
    strbuf_reset(&sum);
    tfw_bytes(&val, 1, "x", 1);
    tfw_key(&val, 2, WIRE_VARINT); /* simple_value is fixed32 */
    tfw_varint(&val, 5);
    tfw_bytes(&sum, 1, val.buf, val.len);
    tfw_fixed64(&ev, 2, 77); /* step is a varint */
    tfw_bytes(&ev, 5, sum.buf, sum.len);
    n = values_of(&ev, &step, &v);
    ok(n == 1 && step == 0 && v.kind == TFVALUE_NONE,
       "a known field with the wrong wire type is skipped");

    /* Two summary fields in one Event merge: both values are seen. */
    strbuf_reset(&ev);
    strbuf_reset(&sum);
    tfw_value(&sum, "first", 1, TFW_SIMPLE, false);
    tfw_bytes(&ev, 5, sum.buf, sum.len);
    tfw_key(&ev, 2, WIRE_VARINT);
    tfw_varint(&ev, 3);
    strbuf_reset(&sum);
    tfw_value(&sum, "second", 2, TFW_SIMPLE, false);
    tfw_bytes(&ev, 5, sum.buf, sum.len);
    n = values_of(&ev, &step, &v);
    ok(n == 2 && step == 3 && v.value == 1, "two summaries merge");

    strbuf_release(&ev);
    strbuf_release(&sum);
    strbuf_release(&val);
    strbuf_release(&t);
    strbuf_release(&grp);
    strbuf_release(&md);
    strbuf_release(&pd);
    strbuf_release(&shape);
}

static void test_tensors(void)
{
    struct strbuf t = STRBUF_INIT, val = STRBUF_INIT, ev = STRBUF_INIT;
    static const int64_t one[] = {1}, two[] = {2}, one_one[] = {1, 1},
                         unknown[] = {-1};
    struct tfvalue v;
    double x;

    tensor_head(&t, 1, 1, one);
    tfw_float(&t, 5, 0.5f);
    ok(tensor_kind(&t, &x) == TFVALUE_SCALAR && x == 0.5,
       "shape [1] holds a scalar");
    tensor_head(&t, 1, 2, one_one);
    tfw_bytes(&t, 4, "\0\0\0\x3f", 4);
    ok(tensor_kind(&t, &x) == TFVALUE_SCALAR && x == 0.5,
       "shape [1, 1] holds a scalar");
    tensor_head(&t, 1, 1, two);
    tfw_bytes(&t, 5, "\0\0\0\x3f\0\0\0\x3f", 8);
    is_int(tensor_kind(&t, &x), TFVALUE_OTHER, "shape [2] is not a scalar");
    tensor_head(&t, 1, 1, two);
    tfw_float(&t, 5, 0.5f);
    is_int(tensor_kind(&t, &x), TFVALUE_OTHER,
           "shape [2] with one float_val (repeated by TF) is not a scalar");
    tensor_head(&t, 1, 1, unknown);
    tfw_float(&t, 5, 0.5f);
    is_int(tensor_kind(&t, &x), TFVALUE_OTHER,
           "a dimension of size -1 is not a scalar");
    tensor_head(&t, 1, 0, NULL);
    strbuf_setlen(&t, t.len - 2);    /* drop the empty shape */
    tfw_bytes(&t, 2, "\x18\x01", 2); /* unknown_rank: true */
    tfw_float(&t, 5, 0.5f);
    is_int(tensor_kind(&t, &x), TFVALUE_OTHER, "an unknown rank is not");
    tensor_head(&t, 3, 0, NULL);
    tfw_key(&t, 7, WIRE_VARINT);
    tfw_varint(&t, 4);
    is_int(tensor_kind(&t, &x), TFVALUE_OTHER, "DT_INT32 is left out");
    tensor_head(&t, 1, 0, NULL);
    tfw_bytes(&t, 4, "\0\0\0\0\0\0\xe0\x3f", 8);
    is_int(tensor_kind(&t, &x), TFVALUE_OTHER,
           "DT_FLOAT with 8 content bytes is not a scalar");
    tensor_head(&t, 1, 0, NULL);
    is_int(tensor_kind(&t, &x), TFVALUE_OTHER,
           "DT_FLOAT with no value at all is left out");
    tensor_head(&t, 1, 0, NULL);
    tfw_bytes(&t, 5, "\0\0\x40\x3f", 4); /* float_val 0.75 */
    tfw_bytes(&t, 4, "\0\0\x80\x3e", 4); /* content 0.25 */
    ok(tensor_kind(&t, &x) == TFVALUE_SCALAR && x == 0.25,
       "tensor_content wins over float_val");
    tensor_head(&t, 1, 0, NULL);
    tfw_float(&t, 5, 0.5f);
    tfw_float(&t, 5, 0.5f);
    is_int(tensor_kind(&t, &x), TFVALUE_OTHER,
           "two unpacked float_val are not one scalar");
    tensor_head(&t, 1, 0, NULL);
    tfw_bytes(&t, 5, "\0\0\0\x3f\0\0", 6);
    is_int(tensor_kind(&t, &x), -1, "packed float_val of 6 bytes is malformed");
    tensor_head(&t, 2, 0, NULL);
    tfw_bytes(&t, 6, "\0\0\0\0\0\0\xe0\x3f", 8);
    ok(tensor_kind(&t, &x) == TFVALUE_SCALAR && x == 0.5,
       "DT_DOUBLE, packed double_val");

    /* The value oneof: the last member seen wins. */
    strbuf_reset(&val);
    tfw_bytes(&val, 1, "t", 1);
    tfw_float(&val, 2, 1.0f);
    tfw_bytes(&val, 4, "png", 3);
    event_with_value(&ev, &val);
    ok(values_of(&ev, NULL, &v) == 1 && v.kind == TFVALUE_OTHER,
       "oneof: simple_value then image is an image");
    strbuf_reset(&val);
    tfw_bytes(&val, 1, "t", 1);
    tfw_bytes(&val, 5, "", 0);
    tfw_float(&val, 2, 1.0f);
    event_with_value(&ev, &val);
    ok(values_of(&ev, NULL, &v) == 1 && v.kind == TFVALUE_SCALAR &&
           v.value == 1.0,
       "oneof: histo then simple_value is a scalar");
    strbuf_release(&t);
    strbuf_release(&val);
    strbuf_release(&ev);
}

/* tfevent_decode() and the value walk of raw bytes: -1 when malformed. */
static int decode_raw(const char *p, size_t n)
{
    struct strbuf ev = STRBUF_INIT;
    struct tfvalue v;
    int k;

    strbuf_add(&ev, p, n);
    k = values_of(&ev, NULL, &v);
    strbuf_release(&ev);
    return k;
}

static void test_malformed(void)
{
    struct strbuf ev = STRBUF_INIT, sum = STRBUF_INIT, val = STRBUF_INIT;
    struct tfvalue v;
    int64_t step;

    is_int(decode_raw("\x00\x01", 2), -1, "field number 0");
    is_int(decode_raw("\x0e\x01", 2), -1, "wire type 6");
    is_int(decode_raw("\x0f\x01", 2), -1, "wire type 7");
    is_int(decode_raw("\x10\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01", 12),
           -1, "a varint of 11 bytes");
    ok(decode_raw("\x10\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01", 11) == 0,
       "a varint of 10 bytes (step -1) is fine");
    is_int(decode_raw("\x10\xff", 2), -1, "a varint cut by the message end");
    is_int(decode_raw("\x1a\x05"
                      "abc",
                      5),
           -1, "a string longer than the message");
    is_int(decode_raw("\x09\0\0\0", 4), -1, "a fixed64 cut short");
    is_int(decode_raw("\x1a\xff\xff\xff\xff\xff\xff\xff\xff\x7f", 10), -1,
           "a length of 2^63");
    is_int(decode_raw("\xa4\x06", 2), -1, "a stray end-group key");
    is_int(decode_raw("\xa3\x06\xac\x06", 4), -1,
           "a group ended by another field's end-group");
    is_int(decode_raw("\xa3\x06\x08\x01", 4), -1, "a group never ended");
    is_int(decode_raw("\xa3\x06\xa4\x06", 4), 0, "an empty group is fine");
    {
        struct strbuf deep = STRBUF_INIT;

        for (int d = 0; d < 33; d++)
            tfw_key(&deep, 50, WIRE_SGROUP);
        for (int d = 0; d < 33; d++)
            tfw_key(&deep, 50, WIRE_EGROUP);
        is_int(decode_raw(deep.buf, deep.len), -1,
               "groups nested 33 deep are refused");
        strbuf_reset(&deep);
        for (int d = 0; d < 10; d++)
            tfw_key(&deep, 50, WIRE_SGROUP);
        for (int d = 0; d < 10; d++)
            tfw_key(&deep, 50, WIRE_EGROUP);
        is_int(decode_raw(deep.buf, deep.len), 0,
               "groups nested 10 deep are skipped");
        strbuf_release(&deep);
    }

    /*
     * A nested message whose length runs past its parent: the Value
     * claims 10 bytes but the Summary holds 4, and the Event has bytes
     * after the Summary that a decoder not bounding by the parent would
     * wrongly read as the Value's.
     */
    tfw_bytes(&ev, 5, "\x0a\x0a\x0a\x01", 4);
    tfw_bytes(&ev, 3, "brain.Event:2", 13);
    is_int(values_of(&ev, &step, &v), -1, "a Value running past its Summary");
    strbuf_reset(&ev);
    strbuf_reset(&val);
    tfw_bytes(&val, 1, "t", 1);
    strbuf_add(&val, "\x42\x08\x08\x01", 4); /* tensor of 8 bytes, 2 here */
    tfw_bytes(&sum, 1, val.buf, val.len);
    tfw_bytes(&ev, 5, sum.buf, sum.len);
    tfw_bytes(&ev, 3, "brain.Event:2", 13);
    is_int(values_of(&ev, &step, &v), -1,
           "a TensorProto running past its Value");
    strbuf_reset(&ev);
    strbuf_reset(&val);
    strbuf_reset(&sum);
    tfw_bytes(&val, 1, "t", 1);
    strbuf_add(&val, "\x15\0\0", 3); /* simple_value cut short */
    tfw_bytes(&sum, 1, val.buf, val.len);
    tfw_bytes(&ev, 5, sum.buf, sum.len);
    is_int(values_of(&ev, &step, &v), -1, "a simple_value cut short");
    strbuf_release(&ev);
    strbuf_release(&sum);
    strbuf_release(&val);
}

/* --- scan() ----------------------------------------------------------- */

static void test_scan(void)
{
    struct candidates cs = {0, 0, NULL};
    struct dir_list dl;
    char *path;

    path = fixture("lightning_epochs/version_0");
    dir_list_read(&dl, path, "lightning_epochs/version_0");
    format_tfevents.scan(&dl, &cs);
    ok(cs.n == 1 && !strcmp(cs.c[0].name, "lightning_epochs/version_0") &&
           !strcmp(cs.c[0].path, path) && dl.n == 1 && dl.e[0].claimed,
       "scan: a folder of event files is one run, its files claimed");
    dir_list_release(&dl);
    free(path);
    candidates_release(&cs);

    path = fixture("keras_fit/20231114-120000");
    dir_list_read(&dl, path, "keras_fit/20231114-120000");
    format_tfevents.scan(&dl, &cs);
    ok(cs.n == 1 && !strcmp(cs.c[0].name, "keras_fit/20231114-120000") &&
           dl.n == 2 && dl.e[0].claimed && dl.e[1].claimed,
       "scan: Keras's train/ and validation/ are one run, both claimed");
    dir_list_release(&dl);
    candidates_release(&cs);
    dir_list_read(&dl, path, "keras_fit/20231114-120000");
    dl.e[0].claimed = true; /* train/ */
    format_tfevents.scan(&dl, &cs);
    ok(cs.n == 1 && dl.e[1].claimed, "scan: validation/ alone still is");
    dir_list_release(&dl);
    candidates_release(&cs);
    free(path);

    path = fixture("resumed");
    dir_list_read(&dl, path, "resumed");
    dl.e[0].claimed = dl.e[1].claimed = true;
    format_tfevents.scan(&dl, &cs);
    is_int((long)cs.n, 0, "scan: claimed files are left alone");
    dir_list_release(&dl);
    free(path);

    path = fixture("broken");
    dir_list_read(&dl, path, "broken");
    format_tfevents.scan(&dl, &cs);
    ok(cs.n == 1 && dl.e[0].claimed,
       "scan: a damaged event file is claimed, for read() to report");
    candidates_release(&cs);
    dir_list_release(&dl);
    free(path);

    path = fixture("desc");
    dir_list_read(&dl, path, "desc");
    format_tfevents.scan(&dl, &cs);
    ok(cs.n == 0 && !dl.e[0].claimed, "scan: other files are not claimed");
    dir_list_release(&dl);
    free(path);

    path = fixture("keras_fit");
    dir_list_read(&dl, path, "keras_fit");
    format_tfevents.scan(&dl, &cs);
    ok(cs.n == 0 && !dl.e[0].claimed,
       "scan: a folder above a Keras log_dir is not claimed");
    dir_list_release(&dl);
    free(path);
    candidates_release(&cs);
}

/* --- read() over the fixtures ----------------------------------------- */

static void test_read_lightning(void)
{
    struct metrics *m = read_fixture("lightning_epochs/version_0");

    if (!ok(m != NULL, "lightning: reads"))
        return;
    is_str(m->format, "TensorBoard event file", "lightning: format label");
    ok(!strcmp(m->xname, "epoch") && m->xbase == 0 && m->nrows == 3 &&
           metrics_x(m, 0) == 0 && metrics_x(m, 2) == 2,
       "lightning: on epochs 0 to 2, from the epoch scalar");
    is_columns(m, "lr(lr-Adam),train_loss,val_loss,val_acc",
               "lightning: columns; no hp_metric, no epoch");
    is_double(at(m, "train_loss", 0), ((double)2.3021f + (double)2.1007f) / 2,
              1e-12, "lightning: per-step train_loss is the epoch's mean");
    is_double(at(m, "lr", 1), (double)0.0005f, 0,
              "lightning: lr takes the epoch's last value");
    is_double(at(m, "val_acc", 2), 0.5, 0, "lightning: val_acc at epoch 2");
    ok(has_note(m, "hp_metric holds only") &&
           has_note(m, "counted from 0, as Lightning") &&
           has_note(m, "their mean over the epoch: lr-Adam, train_loss") ==
               false &&
           has_note(m, "their mean over the epoch: train_loss"),
       "lightning: notes on hp_metric, epochs and the mean");
    is_int((long)metrics_line(m, 1), 15,
           "lightning: a row's line is its first record");
    if (tap_fail)
        show_notes(m);
    metrics_free(m);

    m = read_fixture("lightning_valcheck");
    if (!ok(m != NULL, "lightning, validation within epochs: reads"))
        return;
    ok(!strcmp(m->xname, "step") && m->xbase == -1 && m->nrows == 6,
       "lightning, validation within epochs: x stays the step");
    is_columns(m,
               "train/loss_step,epoch,val_loss(val/loss),"
               "train_loss(train/loss_epoch)",
               "lightning, validation within epochs: columns");
    ok(has_note(m, "val/loss was logged more than once in epoch 0"),
       "lightning, validation within epochs: says why");
    is_double(at(m, "epoch", 124), 1, 0,
              "lightning, validation within epochs: epoch column kept");
    metrics_free(m);
}

static void test_read_keras(void)
{
    struct metrics *m = read_fixture("keras_fit/20231114-120000");

    if (!ok(m != NULL, "keras: reads"))
        return;
    ok(!strcmp(m->xname, "epoch") && m->xbase == 0 && m->nrows == 4 &&
           metrics_x(m, 3) == 3,
       "keras: on epochs 0 to 3");
    is_columns(m,
               "train_loss(train/epoch_loss),train_acc(train/epoch_accuracy),"
               "lr(train/epoch_learning_rate),val_loss(validation/"
               "epoch_loss),val_acc(validation/epoch_accuracy)",
               "keras: columns named by folder and tag");
    is_double(at(m, "val_loss", 3), (double)0.3505f, 0,
              "keras: val_loss from the tensor form");
    is_double(at(m, "lr", 3), (double)0.0005f, 0, "keras: lr");
    ok(has_note(m, "validation/evaluation_loss_vs_iterations, validation/"
                   "evaluation_accuracy_vs_iterations left out") &&
           has_note(m, "train/keras holds no scalars") &&
           has_note(m, "counted from 0, as Keras") &&
           has_note(m, "3 event files merged"),
       "keras: notes");
    if (tap_fail)
        show_notes(m);
    metrics_free(m);

    m = read_fixture("keras1");
    if (!ok(m != NULL, "keras 1: reads"))
        return;
    is_columns(m, "val_loss,val_acc,train_loss(loss),train_acc(acc)",
               "keras 1: bare loss and acc are the training values");
    ok(!strcmp(m->xname, "step") && m->nrows == 3,
       "keras 1: x is the step as logged");
    metrics_free(m);
}

static void test_read_others(void)
{
    struct metrics *m = read_fixture("torch_newstyle");
    const struct column *c;

    if (ok(m != NULL, "torch new_style: reads")) {
        is_columns(m,
                   "train_loss(Loss/train),val_loss(Loss/val),"
                   "val_acc(Accuracy/val)",
                   "torch new_style: tutorial tags mapped");
        c = metrics_find(m, "train_loss");
        ok(m->nrows == 4 && !strcmp(m->xname, "step") && c &&
               metrics_present(c, 3) && isnan(metrics_v(c, 3)) &&
               c->line_of_first_nonfinite == 14,
           "torch new_style: nan kept as a value, cited at its record");
        is_double(at(m, "val_acc", 2), 0.64, 0,
                  "torch new_style: double_precision keeps the double");
        ok(has_note(m, "weights/fc1 holds no scalars"),
           "torch new_style: histograms noted");
        metrics_free(m);
    }

    m = read_fixture("hf_trainer/runs/Nov14_12-00-00_gpu-7");
    if (ok(m != NULL, "hf trainer: reads")) {
        is_columns(m,
                   "train_loss(train/loss),grad_norm(train/grad_norm),"
                   "lr(train/learning_rate),train/epoch,val_loss(eval/loss),"
                   "val_acc(eval/accuracy),eval/runtime,"
                   "eval/samples_per_second,eval/steps_per_second",
                   "hf trainer: columns");
        ok(m->nrows == 4 && metrics_x(m, 1) == 940 && m->xbase == -1 &&
               isnan(at(m, "train_loss", 940)) &&
               at(m, "val_loss", 940) == (double)0.5123f,
           "hf trainer: on steps, sparse rows");
        ok(has_note(m, "args/text_summary, model_config/text_summary hold "
                       "no scalars"),
           "hf trainer: text summaries noted");
        metrics_free(m);
    }

    m = read_fixture("forms");
    if (ok(m != NULL, "forms: reads")) {
        bool all = true;
        static const char *const f32[] = {"simple", "float", "float_val",
                                          "float_unpacked"};
        static const char *const f64[] = {"double", "double_val",
                                          "double_unpacked"};

        for (size_t i = 0; i < ARRAY_SIZE(f32); i++)
            all &= at(m, f32[i], 1) == 0.5;
        for (size_t i = 0; i < ARRAY_SIZE(f64); i++)
            all &= at(m, f64[i], 1) == 0.1;
        ok(all, "forms: every encoding gives its value");
        ok(at(m, "train_loss", 1) == 0.25 &&
               at(m, "Loss/train", 1) == (double)0.3f,
           "forms: the exact canonical tag wins the name");
        metrics_free(m);
    }
}

static void test_read_damage(void)
{
    struct metrics *m;
    char *path, *why;

    m = read_fixture("resumed");
    if (ok(m != NULL, "resumed: reads")) {
        ok(m->nrows == 8 && at(m, "train_loss", 4) == (double)0.61f &&
               at(m, "train_loss", 6) == (double)0.52f &&
               at(m, "val_loss", 4) == (double)0.71f &&
               at(m, "train_loss", 3) == (double)0.7f,
           "resumed: the later value of a step wins");
        ok(has_note(m, "3 values were logged again") &&
               has_note(m, "2 event files merged") &&
               has_note(m, "events.out.tfevents.1700000000.node1.1001.0: "
                           "byte 444: the last record is incomplete"),
           "resumed: notes on the duplicates, the merge, the cut file");
        if (tap_fail)
            show_notes(m);
        metrics_free(m);
    }

    m = read_fixture("writing");
    if (ok(m != NULL, "writing: reads")) {
        ok(m->nrows == 3 && at(m, "train_loss", 2) == (double)1.2f,
           "writing: the complete records are read");
        ok(has_note(m, "the last record was incomplete: the run may still "
                       "be writing"),
           "writing: the incomplete record is noted");
        metrics_free(m);
    }

    m = read_fixture("corrupt");
    if (ok(m != NULL, "corrupt: reads what it can")) {
        ok(m->nrows == 3 && metrics_x(m, 0) == 0 && metrics_x(m, 1) == 2 &&
               metrics_x(m, 2) == 6,
           "corrupt: good records before, between and after");
        ok(has_note(m, "1700006000.box.1.0: byte 99: a record is corrupt "
                       "(its data CRC does not match): skipped") &&
               has_note(m, "1700006000.box.1.0: byte 195: a record's length "
                           "is corrupt") &&
               has_note(m, "1700007000.box.2.0: byte 40: a record is "
                           "corrupt") &&
               has_note(m, "3 corrupt records"),
           "corrupt: each reported with file and byte, then counted");
        if (tap_fail)
            show_notes(m);
        metrics_free(m);
    }

    path = fixture("no_scalars");
    m = read_path(path, &why);
    ok(!m && why &&
           strstr(why, "no_scalars: no scalar values in 3 records "
                       "of 1 event file"),
       "no scalars: fails, saying so");
    free(why);
    free(path);

    path = fixture("broken");
    m = read_path(path, &why);
    ok(!m && why &&
           strstr(why, "broken/events.out.tfevents.1700010000.box."
                       "1.0: byte 0: length CRC mismatch"),
       "broken: fails with the file and the offset");
    free(why);
    free(path);

    path = fixture("desc");
    m = read_path(path, &why);
    ok(!m && why && strstr(why, "desc: no event files"),
       "no event files: fails");
    free(why);
    free(path);
}

/* A record whose CRCs hold but whose Event is malformed, between good
 * ones, written to a scratch folder. */
static void test_read_undecodable(void)
{
    struct strbuf file = STRBUF_INIT, ev = STRBUF_INIT, sum = STRBUF_INIT;
    char dir[] = "/tmp/test_tfevents.XXXXXX", *path = NULL, *why;
    struct metrics *m;
    FILE *f;

    if (!mkdtemp(dir)) {
        ok(0, "undecodable: scratch folder");
        return;
    }
    tfw_event_version(&ev, 1, "brain.Event:2", "w");
    tfw_record(&file, ev.buf, ev.len);
    strbuf_reset(&ev);
    tfw_value(&sum, "train_loss", 1.0, TFW_SIMPLE, false);
    tfw_event(&ev, 2, 1, &sum);
    tfw_record(&file, ev.buf, ev.len);
    /* Step 2: a good value, then a value cut short: all or nothing. */
    strbuf_reset(&ev);
    strbuf_reset(&sum);
    tfw_value(&sum, "train_loss", 2.0, TFW_SIMPLE, false);
    strbuf_add(&sum, "\x0a\x09\x0a\x01", 4);
    tfw_event(&ev, 3, 2, &sum);
    tfw_record(&file, ev.buf, ev.len);
    strbuf_reset(&ev);
    strbuf_reset(&sum);
    tfw_value(&sum, "train_loss", 3.0, TFW_SIMPLE, false);
    tfw_event(&ev, 4, 3, &sum);
    tfw_record(&file, ev.buf, ev.len);
    path = xasprintf("%s/events.out.tfevents.1.x", dir);
    f = fopen(path, "wb");
    if (f) {
        fwrite(file.buf, 1, file.len, f);
        fclose(f);
    }
    m = read_path(dir, &why);
    ok(m && m->nrows == 2 && metrics_x(m, 0) == 1 && metrics_x(m, 1) == 3 &&
           has_note(m, "byte 93: a record holds no valid Event"),
       "undecodable: the record is skipped whole and noted");
    if (m && tap_fail)
        show_notes(m);
    metrics_free(m);
    free(why);
    unlink(path);
    rmdir(dir);
    free(path);
    strbuf_release(&file);
    strbuf_release(&ev);
    strbuf_release(&sum);
}

/* Write the records in file to dir/name, making dir/sub folders. */
static void write_file(const char *dir, const char *name,
                       const struct strbuf *file)
{
    char *path = xasprintf("%s/%s", dir, name), *slash = strrchr(path, '/');
    FILE *f;

    *slash = '\0';
    mkdir(path, 0777);
    *slash = '/';
    f = fopen(path, "wb");
    if (!f || fwrite(file->buf, 1, file->len, f) != file->len) {
        perror(path);
        exit(99);
    }
    fclose(f);
    free(path);
}

/* One event at step holding one simple_value (tag may hold a NUL). */
static void scalar_record(struct strbuf *file, int64_t step, const char *tag,
                          size_t tag_len, double v)
{
    struct strbuf ev = STRBUF_INIT, sum = STRBUF_INIT, val = STRBUF_INIT;

    tfw_bytes(&val, 1, tag, tag_len);
    tfw_float(&val, 2, (float)v);
    tfw_bytes(&sum, 1, val.buf, val.len);
    tfw_event(&ev, 1, step, &sum);
    tfw_record(file, ev.buf, ev.len);
    strbuf_release(&ev);
    strbuf_release(&sum);
    strbuf_release(&val);
}

static void remove_tree(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *de;

    while (d && (de = readdir(d))) {
        char *p;
        struct stat st;

        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
            continue;
        p = xasprintf("%s/%s", dir, de->d_name);
        if (!lstat(p, &st) && S_ISDIR(st.st_mode))
            remove_tree(p);
        else
            unlink(p);
        free(p);
    }
    if (d)
        closedir(d);
    rmdir(dir);
}

/* Naming ties and the Lightning fold's finer points, on scratch runs. */
static void test_read_scratch(void)
{
    struct strbuf file = STRBUF_INIT;
    char dir[] = "/tmp/test_tfevents.XXXXXX", *why;
    struct metrics *m;

    if (!mkdtemp(dir)) {
        ok(0, "scratch folder");
        return;
    }
    /*
     * Two spellings of the training loss of equal rank: the first seen
     * wins. val_acc_step several times in an epoch does not keep the run
     * off epochs (it is a per-step value, averaged like training's). A
     * tag with a NUL inside is cut there.
     */
    scalar_record(&file, 10, "Loss/train", 10, 1.0);
    scalar_record(&file, 10, "train/loss", 10, 2.0);
    scalar_record(&file, 10, "val_acc_step", 12, 0.25);
    scalar_record(&file, 10, "epoch", 5, 0);
    scalar_record(&file, 20, "val_acc_step", 12, 0.75);
    scalar_record(&file, 20, "val_loss", 8, 0.5);
    scalar_record(&file, 20, "odd\0tag", 7, 3.0);
    scalar_record(&file, 20, "epoch", 5, 0);
    write_file(dir, "events.out.tfevents.1.a", &file);
    m = read_path(dir, &why);
    if (ok(m != NULL, "scratch run: reads")) {
        is_columns(m,
                   "train_loss(Loss/train),train/loss,val_acc_step,val_loss,"
                   "odd",
                   "scratch run: equal ranks, the first seen wins");
        ok(!strcmp(m->xname, "epoch") && m->nrows == 1 &&
               at(m, "val_acc_step", 0) == 0.5,
           "scratch run: val_*_step values are averaged, not a reason to "
           "stay on steps");
        metrics_free(m);
    }
    free(why);
    remove_tree(dir);

    /* An event file with nothing in it yet. */
    memcpy(dir + sizeof(dir) - 7, "XXXXXX", 6);
    if (!mkdtemp(dir)) {
        ok(0, "scratch folder");
        return;
    }
    strbuf_reset(&file);
    write_file(dir, "events.out.tfevents.1.a", &file);
    m = read_path(dir, &why);
    ok(!m && why && strstr(why, ": the event file holds no records yet"),
       "an empty event file: fails, saying so");
    free(why);
    remove_tree(dir);

    /* The same raw name from two folders: the second gets a suffix. */
    memcpy(dir + sizeof(dir) - 7, "XXXXXX", 6);
    if (!mkdtemp(dir)) {
        ok(0, "scratch folder");
        return;
    }
    strbuf_reset(&file);
    scalar_record(&file, 0, "train/batch_loss", 16, 1.0);
    write_file(dir, "events.out.tfevents.1.a", &file);
    strbuf_reset(&file);
    scalar_record(&file, 0, "batch_loss", 10, 2.0);
    write_file(dir, "train/events.out.tfevents.1.b", &file);
    m = read_path(dir, &why);
    if (ok(m != NULL, "scratch keras run: reads")) {
        is_columns(m, "train/batch_loss,train/batch_loss#2(train/batch_loss)",
                   "scratch keras run: a clashing name gets a suffix");
        metrics_free(m);
    }
    free(why);
    remove_tree(dir);
    strbuf_release(&file);
}

int main(void)
{
    srcdir = getenv("srcdir");
    if (!srcdir)
        srcdir = ".";
    plan(150);
    test_crc();
    test_writer_framing();
    test_round_trip();
    test_framing();
    test_unknown_fields();
    test_tensors();
    test_malformed();
    test_scan();
    test_read_lightning();
    test_read_keras();
    test_read_others();
    test_read_damage();
    test_read_undecodable();
    test_read_scratch();
    return done();
}
