/*
 * util.c - the out-of-memory policy and the error printers.
 *
 * Every module reports a failure where the facts are, with error(), and
 * propagates -1; only main() decides the exit status. Allocation failure is
 * not recoverable in a report generator, so it ends the program here,
 * once: a message, the cleanup hook, exit status 1.
 */
/* realpath() is an X/Open function in glibc's headers; d_type is not. */
#define _XOPEN_SOURCE 700
#define _DEFAULT_SOURCE

#include "util.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <float.h>
#include <math.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "strbuf.h"
#include "banned.h"

bool util_quiet;
void (*util_oom_cleanup)(void);

static NORETURN void oom(void)
{
    static atomic_flag ending = ATOMIC_FLAG_INIT;
    void (*cleanup)(void);

    /* Another thread out of memory too: the first one ends the process. */
    if (atomic_flag_test_and_set(&ending))
        for (;;)
            pause();
    cleanup = util_oom_cleanup;
    /* stderr is unbuffered: fputs() allocates nothing. */
    fputs("reportgen: out of memory\n", stderr);
    util_oom_cleanup = NULL;
    if (cleanup)
        cleanup();
    exit(1);
}

/*
 * Test hook: REPORTGEN_TEST_ALLOC_MAX=N makes every request of more than
 * N bytes fail, so that tests reach the out-of-memory path on any build
 * (under AddressSanitizer, ulimit -v cannot). Read once; not documented
 * for users, as it only makes reportgen fail.
 */
static bool too_big(size_t size)
{
    static int state; /* 0: not read yet, 1: no limit, 2: limit */
    static size_t limit;

    if (!state) {
        const char *s = getenv("REPORTGEN_TEST_ALLOC_MAX");

        state = s && *s ? 2 : 1;
        if (state == 2)
            limit = (size_t)strtoull(s, NULL, 10);
    }
    return state == 2 && size > limit;
}

void *xmalloc(size_t size)
{
    void *p = too_big(size) ? NULL : malloc(size ? size : 1);
    if (!p)
        oom();
    return p;
}

void *xcalloc(size_t nmemb, size_t size)
{
    void *p;

    if (size && nmemb > SIZE_MAX / size)
        oom();
    p = too_big(nmemb * size) ? NULL
                              : calloc(nmemb ? nmemb : 1, size ? size : 1);
    if (!p)
        oom();
    return p;
}

void *xrealloc(void *ptr, size_t size)
{
    void *p = too_big(size) ? NULL : realloc(ptr, size ? size : 1);
    if (!p)
        oom();
    return p;
}

void *xreallocarray(void *ptr, size_t nmemb, size_t size)
{
    if (size && nmemb > SIZE_MAX / size)
        oom();
    return xrealloc(ptr, nmemb * size);
}

char *xstrdup(const char *s)
{
    return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
    size_t len = strnlen(s, n);
    char *p = xmalloc(len + 1);
    memcpy(p, s, len);
    p[len] = '\0';
    return p;
}

char *xvasprintf(const char *fmt, va_list ap)
{
    va_list cp;
    int len;
    char *p;

    va_copy(cp, ap);
    len = vsnprintf(NULL, 0, fmt, cp);
    va_end(cp);
    if (len < 0)
        oom();
    p = xmalloc((size_t)len + 1);
    vsnprintf(p, (size_t)len + 1, fmt, ap);
    return p;
}

char *xasprintf(const char *fmt, ...)
{
    va_list ap;
    char *p;

    va_start(ap, fmt);
    p = xvasprintf(fmt, ap);
    va_end(ap);
    return p;
}

/*
 * Append s to out with what a terminal would act on escaped: C0 and C1
 * controls and DEL as \n, \t, \r or \xNN, and bytes that are not
 * UTF-8 as \xNN. Messages quote folder and column names, and a name
 * holding a newline must not forge a line of its own, nor an escape
 * sequence reach the terminal.
 */
static void add_escaped(struct strbuf *out, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t left = strlen(s);

    while (left) {
        size_t used;
        uint32_t cp = utf8_next(p, left, &used);

        if (cp == '\n' || cp == '\t' || cp == '\r')
            strbuf_addf(out, "\\%c", cp == '\n' ? 'n' : cp == '\t' ? 't' : 'r');
        else if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0) ||
                 (cp == 0xfffd && used == 1))
            for (size_t i = 0; i < used; i++)
                strbuf_addf(out, "\\x%02x", p[i]);
        else
            strbuf_add(out, p, used);
        p += used;
        left -= used;
    }
}

/* Where the calling thread's messages go instead of stderr, if set. */
static _Thread_local struct strbuf *capture;

void util_capture(struct strbuf *sb)
{
    capture = sb;
}

/*
 * The progress line: its width on the screen (0: none shown), so that
 * the next one, or a message, can blank it out. Plain "\r" and spaces,
 * no terminal escapes: a log that --progress sends to a file stays text.
 */
static bool progress_on;
static size_t progress_width;

void progress_enable(bool on)
{
    progress_on = on;
}

void progress_clear(void)
{
    if (!progress_width)
        return;
    fprintf(stderr, "\r%*s\r", (int)progress_width, "");
    fflush(stderr);
    progress_width = 0;
}

void progress(const char *fmt, ...)
{
    va_list ap;
    char *msg;
    size_t len;

    if (!progress_on)
        return;
    va_start(ap, fmt);
    msg = xvasprintf(fmt, ap);
    va_end(ap);
    len = strlen("reportgen: ") + strlen(msg);
    fprintf(stderr, "\rreportgen: %s", msg);
    if (len < progress_width)
        fprintf(stderr, "%*s", (int)(progress_width - len), "");
    fflush(stderr);
    progress_width = len > progress_width ? len : progress_width;
    free(msg);
}

static void vreport(const char *prefix, const char *fmt, va_list ap,
                    const char *suffix)
{
    struct strbuf line = STRBUF_INIT;
    char *msg = xvasprintf(fmt, ap);

    strbuf_addstr(&line, "reportgen: ");
    strbuf_addstr(&line, prefix);
    add_escaped(&line, msg);
    free(msg);
    if (suffix) {
        strbuf_addstr(&line, ": ");
        strbuf_addstr(&line, suffix);
    }
    strbuf_addch(&line, '\n');
    if (capture) {
        strbuf_add(capture, line.buf, line.len);
    } else {
        progress_clear();
        fwrite(line.buf, 1, line.len, stderr);
    }
    strbuf_release(&line);
}

int error(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vreport("", fmt, ap, NULL);
    va_end(ap);
    return -1;
}

int error_errno(const char *fmt, ...)
{
    int saved = errno;
    va_list ap;

    va_start(ap, fmt);
    vreport("", fmt, ap, strerror(saved));
    va_end(ap);
    errno = saved;
    return -1;
}

void warning(const char *fmt, ...)
{
    va_list ap;

    if (util_quiet)
        return;
    va_start(ap, fmt);
    vreport("warning: ", fmt, ap, NULL);
    va_end(ap);
}

void die(const char *fmt, ...)
{
    va_list ap;

    capture = NULL; /* the message must not die with the process */
    va_start(ap, fmt);
    vreport("", fmt, ap, NULL);
    va_end(ap);
    exit(1);
}

/* The real path of the folder inputs must lie in, or NULL for anywhere. */
static char *confine_root;

int input_confine(const char *root)
{
    free(confine_root);
    confine_root = NULL;
    if (!root)
        return 0;
    confine_root = realpath(root, NULL);
    if (!confine_root)
        return error_errno("%s: cannot read", root);
    return 0;
}

/*
 * True when the file at path, opened as st, lies outside confine_root.
 * The real path is checked to still name the opened file, so a link
 * swapped between the open and the check is refused, not followed.
 */
static bool outside_root(const char *path, const struct stat *st)
{
    char *real = realpath(path, NULL);
    size_t n = strlen(confine_root);
    struct stat rst;
    bool out;

    if (!real)
        return true;
    out = stat(real, &rst) || rst.st_dev != st->st_dev ||
          rst.st_ino != st->st_ino ||
          (strncmp(real, confine_root, n) ||
           (real[n] != '/' && strcmp(confine_root, "/")));
    free(real);
    return out;
}

static _Thread_local void (*watch_fn)(void *, const char *,
                                      const struct stat *);
static _Thread_local void *watch_arg;

void input_watch(void (*fn)(void *arg, const char *path, const struct stat *st),
                 void *arg)
{
    watch_fn = fn;
    watch_arg = arg;
}

FILE *input_open(const char *path, char **why)
{
    struct stat st;
    FILE *fp;
    int fd, flags;

    *why = NULL;
    /* O_NONBLOCK: opening a FIFO with no writer would wait for one. */
    fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (fd < 0 || fstat(fd, &st) < 0) {
        *why = xasprintf("%s: cannot read: %s", path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return NULL;
    }
    if (S_ISDIR(st.st_mode))
        *why = xasprintf("%s: cannot read: %s", path, strerror(EISDIR));
    else if (!S_ISREG(st.st_mode))
        *why = xasprintf("%s: not a regular file", path);
    else if (confine_root && outside_root(path, &st))
        *why = xasprintf("%s: a link to a file outside RUNS_DIR, not read "
                         "(--follow-links reads it)",
                         path);
    else if ((flags = fcntl(fd, F_GETFL)) < 0 ||
             fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) < 0 ||
             !(fp = fdopen(fd, "rb")))
        *why = xasprintf("%s: cannot read: %s", path, strerror(errno));
    else {
        if (watch_fn)
            watch_fn(watch_arg, path, &st);
        return fp;
    }
    close(fd);
    return NULL;
}

size_t utf8_cut(const char *s, size_t max)
{
    size_t n = strlen(s);

    if (n <= max)
        return n;
    while (max > 0 && ((unsigned char)s[max] & 0xc0) == 0x80)
        max--;
    return max;
}

uint32_t utf8_next(const unsigned char *s, size_t len, size_t *used)
{
    uint32_t cp, min;
    size_t need, i;

    *used = 1;
    if (s[0] < 0x80)
        return s[0];
    if (s[0] >= 0xc2 && s[0] <= 0xdf) {
        need = 1;
        cp = s[0] & 0x1f;
        min = 0x80;
    } else if (s[0] >= 0xe0 && s[0] <= 0xef) {
        need = 2;
        cp = s[0] & 0x0f;
        min = 0x800;
    } else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
        need = 3;
        cp = s[0] & 0x07;
        min = 0x10000;
    } else {
        return 0xfffd;
    }
    if (len < need + 1)
        return 0xfffd;
    for (i = 1; i <= need; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0xfffd;
        cp = (cp << 6) | (s[i] & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
        return 0xfffd;
    *used = need + 1;
    return cp;
}

char *strip_root(const char *root, const char *s)
{
    size_t n = strlen(root), len = strlen(s), o = 0;
    char *out = xmalloc(len + 1);

    while (n > 1 && root[n - 1] == '/')
        n--;
    for (size_t i = 0; i < len;) {
        bool starts = !i || strchr(" '\"`([", s[i - 1]);

        /* root "/" itself: only its one slash is the prefix. */
        if (starts && n && !strncmp(s + i, root, n) &&
            (root[n - 1] == '/' || s[i + n] == '/')) {
            i += n + (root[n - 1] != '/');
            continue;
        }
        /* root itself, a whole name (a run that is RUNS_DIR): ".". */
        if (starts && n && root[n - 1] != '/' && !strncmp(s + i, root, n) &&
            (!s[i + n] || strchr(" '\"`)]:,;", s[i + n]))) {
            out[o++] = '.'; /* n >= 1 characters become 1 */
            i += n;
            continue;
        }
        out[o++] = s[i++];
    }
    out[o] = '\0';
    return out;
}

static size_t fmt_g(char *buf, double v, int prec);

const char *path_base(const char *path)
{
    const char *s = path + strlen(path);

    while (s > path && s[-1] == '/')
        s--;
    while (s > path && s[-1] != '/')
        s--;
    return s;
}

char *fmt_num(char *buf, size_t size, double v)
{
    if (isnan(v))
        snprintf(buf, size, "nan");
    else if (isinf(v))
        snprintf(buf, size, v > 0 ? "inf" : "-inf");
    else if (v == 0)
        snprintf(buf, size, "0"); /* no "-0" */
    else if (size >= FMT_G5_SIZE)
        fmt_g(buf, v, 6);
    else
        snprintf(buf, size, "%.6g", v);
    return buf;
}

/*
 * "%.<prec>g" by hand, for prec from 1 to 6: find the decimal exponent e
 * with 10^(prec-1) <= |v| 10^(prec-1-e) < 10^prec, round |v|
 * 10^(prec-1-e) to an integer R, and place the decimal point.
 * 10^(prec-1-e) is an exact double for e in [-4, prec-1], and every
 * decision about the exact product (which side of a power of ten, of an
 * integer, of a half) is taken on the sign of an fma(), which rounds
 * once and so never changes a sign: the result is the correctly rounded
 * one printf gives, ties to even included. Values from 1e-4 to 10^prec
 * take this path; the rest, which printf writes with an exponent, go
 * through snprintf. buf holds at least FMT_G5_SIZE bytes.
 */
/*
 * fmt_g() for 1 <= |v| < 10^prec, where most chart coordinates lie, in
 * integers alone (fma() is a library call on a baseline x86-64 build):
 * |v| = m 2^-s with m below 2^53 and s from 33 to 52, so |v| 10^(prec-1-e)
 * = m 10^(prec-1-e) 2^-s, whose product m 10^(prec-1-e) (below 2^70) is
 * kept exactly in two 64-bit parts H 2^32 + L; its integer part and the
 * bits below, against the half, round it to even as printf does. Returns
 * 0 when v is not in that range or rounds up to 10^prec (written with an
 * exponent by printf).
 */
static size_t fmt_g_fast(char *buf, double v, int prec)
{
    static const uint64_t p10[] = {1, 10, 100, 1000, 10000, 100000, 1000000};
    double a = fabs(v);
    uint64_t bits, m, sc, hp, lp, h, l, r, rem, half;
    int e = 0, s, t, ndig;
    char digits[8], *p = buf;

    if (!(a >= 1 && a < (double)p10[prec]))
        return 0;
    while (e < prec - 1 && a >= (double)p10[e + 1])
        e++;
    memcpy(&bits, &a, sizeof(bits));
    m = (bits & ((1ULL << 52) - 1)) | (1ULL << 52);
    s = 1075 - (int)(bits >> 52);
    sc = p10[prec - 1 - e];
    hp = (m >> 32) * sc;
    lp = (m & 0xffffffffULL) * sc;
    h = hp + (lp >> 32);
    l = lp & 0xffffffffULL;
    t = s - 32;
    r = h >> t;
    rem = ((h & ((1ULL << t) - 1)) << 32) | l;
    half = 1ULL << (s - 1);
    if (rem > half || (rem == half && (r & 1)))
        r++;
    if (r == p10[prec]) {
        if (++e > prec - 1)
            return 0;
        r = p10[prec - 1];
    }
    for (int i = prec - 1; i >= 0; i--, r /= 10)
        digits[i] = (char)('0' + r % 10);
    /* Digits left once the trailing zeros after the point are dropped. */
    for (ndig = prec; ndig > e + 1 && digits[ndig - 1] == '0';)
        ndig--;
    if (v < 0)
        *p++ = '-';
    for (int i = 0; i <= e; i++)
        *p++ = digits[i];
    if (ndig > e + 1) {
        *p++ = '.';
        for (int i = e + 1; i < ndig; i++)
            *p++ = digits[i];
    }
    *p = '\0';
    return (size_t)(p - buf);
}

static size_t fmt_g(char *buf, double v, int prec)
{
    static const double scales[] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5,
                                    1e6, 1e7, 1e8, 1e9, 1e10};
    double a = fabs(v), sc, f, t, lo = scales[prec - 1], hi = scales[prec];
    int e = 0, tries = 0;
    unsigned long r;
    char digits[8], *p = buf;
    int ndig;
    size_t len = fmt_g_fast(buf, v, prec);

    if (len)
        return len;
    if (!(a >= 1e-4 && a < hi))
        return (size_t)snprintf(buf, FMT_G5_SIZE, "%.*g", prec, v);
    while (a >= 10 * (e >= 0 ? scales[e] : 1 / scales[-e]) && e < prec - 1)
        e++;
    while (a < (e >= 0 ? scales[e] : 1 / scales[-e]) && e > -4)
        e--;
    for (;;) {
        if (e < -4 || e > prec - 1 || ++tries > 3)
            return (size_t)snprintf(buf, FMT_G5_SIZE, "%.*g", prec, v);
        sc = scales[prec - 1 - e];
        if (fma(a, sc, -lo) < 0)
            e--;
        else if (fma(a, sc, -hi) >= 0)
            e++;
        else
            break;
    }
    f = floor(a * sc);
    if (fma(a, sc, -f) < 0)
        f -= 1;
    t = fma(a, sc, -(f + 0.5));
    r = (unsigned long)f;
    if (t > 0 || (t == 0 && r % 2))
        r++;
    if (r == (unsigned long)hi) {
        r = (unsigned long)lo;
        if (++e > prec - 1)
            return (size_t)snprintf(buf, FMT_G5_SIZE, "%.*g", prec, v);
    }
    for (int i = prec - 1; i >= 0; i--, r /= 10)
        digits[i] = (char)('0' + r % 10);
    /* Significant digits left once the trailing zeros are dropped. */
    for (ndig = prec; ndig > 1 && digits[ndig - 1] == '0' && ndig > e + 1;)
        ndig--;
    if (v < 0)
        *p++ = '-';
    if (e >= 0) {
        for (int i = 0; i <= e; i++)
            *p++ = digits[i];
        if (ndig > e + 1)
            *p++ = '.';
        for (int i = e + 1; i < ndig; i++)
            *p++ = digits[i];
    } else {
        *p++ = '0';
        *p++ = '.';
        for (int i = -1; i > e; i--)
            *p++ = '0';
        for (int i = 0; i < ndig; i++)
            *p++ = digits[i];
    }
    *p = '\0';
    return (size_t)(p - buf);
}

size_t fmt_g5(char *buf, double v)
{
    return fmt_g(buf, v, 5);
}

size_t fmt_f1(char *buf, double v)
{
    double a = fabs(v), f, t;
    unsigned long r;
    char tmp[24], *q = tmp + sizeof(tmp), *p = buf;

    /* Below 1e14, 10 |v| + 0.5 is still an exact double. */
    if (!(a < 1e14))
        return (size_t)snprintf(buf, FMT_F1_SIZE, "%.1f", v);
    /* The same fma() decisions as fmt_g(), on 10 |v|. */
    f = floor(a * 10);
    if (fma(a, 10, -f) < 0)
        f -= 1;
    t = fma(a, 10, -(f + 0.5));
    r = (unsigned long)f;
    if (t > 0 || (t == 0 && r % 2))
        r++;
    *--q = (char)('0' + r % 10);
    *--q = '.';
    r /= 10;
    do
        *--q = (char)('0' + r % 10);
    while (r /= 10);
    /* printf keeps the sign of a negative value that rounds to 0.0. */
    if (signbit(v))
        *p++ = '-';
    memcpy(p, q, (size_t)(tmp + sizeof(tmp) - q));
    p += tmp + sizeof(tmp) - q;
    *p = '\0';
    return (size_t)(p - buf);
}

static bool ieq(const char *a, const char *b)
{
    for (; *a && *b; a++, b++)
        if (tolower((unsigned char)*a) != tolower((unsigned char)*b))
            return false;
    return *a == *b;
}

bool has_suffix(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);

    return n >= k && !strcmp(s + n - k, suffix);
}

bool has_isuffix(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);

    return n > k && !strcasecmp(s + n - k, suffix);
}

static int cmp_listing_entry(const void *a, const void *b)
{
    return strcmp(((const struct listing_entry *)a)->name,
                  ((const struct listing_entry *)b)->name);
}

int listing_read(struct listing *l, const char *dir, unsigned flags)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    size_t alloc = 0;
    int err;

    l->n = 0;
    l->e = NULL;
    if (!d)
        return -1;
    for (;;) {
        struct listing_entry *e;
        struct stat st;

        errno = 0;
        if (!(de = readdir(d)))
            break;
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..") ||
            ((flags & LISTING_NO_HIDDEN) && de->d_name[0] == '.'))
            continue;
        ALLOC_GROW(l->e, l->n + 1, alloc);
        e = &l->e[l->n++];
        e->name = xstrdup(de->d_name);
        e->kind = LISTING_OTHER;
        /* The kind the folder itself records, else lstat()'s. */
        if (de->d_type == DT_DIR)
            e->kind = LISTING_DIR;
        else if (de->d_type == DT_REG)
            e->kind = LISTING_FILE;
        else if (de->d_type == DT_UNKNOWN &&
                 !fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW))
            e->kind = S_ISDIR(st.st_mode)   ? LISTING_DIR
                      : S_ISREG(st.st_mode) ? LISTING_FILE
                                            : LISTING_OTHER;
    }
    err = errno;
    closedir(d);
    if (err) {
        listing_release(l);
        errno = err;
        return -1;
    }
    if (l->n > 1)
        qsort(l->e, l->n, sizeof(*l->e), cmp_listing_entry);
    return 0;
}

void listing_release(struct listing *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->e[i].name);
    free(l->e);
    l->n = 0;
    l->e = NULL;
}

bool parse_nonfinite(const char *s, double *out)
{
    const char *p = s;
    double sign = 1;

    if (*p == '-' || *p == '+') {
        sign = *p == '-' ? -1 : 1;
        p++;
    }
    if (ieq(p, "inf") || ieq(p, "infinity")) {
        *out = sign * INFINITY;
        return true;
    }
    if (ieq(p, "nan")) {
        *out = NAN;
        return true;
    }
    return false;
}

/*
 * Plain decimals ("0.6931", "-12", "3.5e-05") with at most 19 significant
 * digits, read exactly without strtod when the digits form an integer
 * w < 2^53 and the decimal exponent e is within 22 of 0: w and 10^|e| are
 * then exact doubles, and one multiplication or division by 10^|e| is
 * correctly rounded (Clinger, "How to read floating point numbers
 * accurately", PLDI 1990), which is what strtod returns. False for
 * anything else, which strtod then reads.
 */
static bool parse_plain(const char *s, double *out)
{
    static const double p10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                 1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
    const char *p = s, *d;
    uint64_t w = 0;
    int ndig, frac = 0, exp = 0, esign = 1;
    bool neg = false, any = false;
    double v;

#if !defined(FLT_EVAL_METHOD) || FLT_EVAL_METHOD != 0
    /* Extended precision would round twice. */
    return false;
#endif
    if (*p == '-' || *p == '+')
        neg = *p++ == '-';
    /*
     * Leading zeros are not significant digits; w may wrap past 19
     * digits, which are refused below.
     */
    for (; *p == '0'; p++)
        any = true;
    for (d = p; (unsigned)(*p - '0') < 10; p++)
        w = w * 10 + (uint64_t)(*p - '0');
    ndig = (int)(p - d);
    if (*p == '.') {
        const char *f = ++p;

        if (!ndig)
            for (; *p == '0'; p++)
                ;
        for (d = p; (unsigned)(*p - '0') < 10; p++)
            w = w * 10 + (uint64_t)(*p - '0');
        ndig += (int)(p - d);
        frac = (int)(p - f);
        any = any || frac;
    }
    if (!any && !ndig)
        return false;
    if (ndig > 19)
        return false;
    if (*p == 'e' || *p == 'E') {
        p++;
        if (*p == '-' || *p == '+')
            esign = *p++ == '-' ? -1 : 1;
        if (*p < '0' || *p > '9')
            return false;
        for (; *p >= '0' && *p <= '9'; p++)
            if (exp < 10000)
                exp = exp * 10 + (*p - '0');
    }
    if (*p || w > (UINT64_C(1) << 53))
        return false;
    exp = esign * exp - frac;
    v = (double)w;
    if (w == 0 || exp == 0)
        ;
    else if (exp > 0 && exp <= 22)
        v *= p10[exp];
    else if (exp < 0 && exp >= -22)
        v /= p10[-exp];
    else
        return false;
    *out = neg ? -v : v;
    return true;
}

int parse_number(const char *s, double *out)
{
    char *end;
    const char *p;

    if (!*s)
        return -1;
    if (parse_plain(s, out))
        return 0;
    if (parse_nonfinite(s, out))
        return 0;
    /* strtod also takes hex and "nan(...)": allow only decimal syntax. */
    for (p = s; *p; p++)
        if (!strchr("0123456789+-.eE", *p))
            return -1;
    errno = 0;
    *out = strtod(s, &end);
    if (end == s || *end)
        return -1;
    return 0;
}

char *slugify(const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t len = strlen(s), cap = 120;
    char *out = xmalloc(3 * len + 1), *p = out;
    uint64_t h = 14695981039346656037ULL; /* FNV-1a, 64 bits */

    for (const unsigned char *q = (const unsigned char *)s; *q; q++) {
        h = (h ^ *q) * 1099511628211ULL;
        if (isalnum(*q) || *q == '-' || *q == '_' ||
            (*q == '.' && q != (const void *)s)) {
            *p++ = (char)*q;
        } else {
            *p++ = '~';
            *p++ = hex[*q >> 4];
            *p++ = hex[*q & 15];
        }
    }
    *p = '\0';
    if (p == out) {
        free(out);
        return xstrdup("~");
    }
    if ((size_t)(p - out) > cap) {
        char *cut = xasprintf("%.*s-%016llx", (int)(cap - 17), out,
                              (unsigned long long)h);
        free(out);
        return cut;
    }
    return out;
}
