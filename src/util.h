/*
 * util.h - allocation wrappers and error reporting shared by every module.
 *
 * The x* allocators never return NULL: on out-of-memory they print
 * "reportgen: out of memory", run util_oom_cleanup and exit with status
 * 1, so no caller checks for NULL after an allocation.
 * error() and friends print "reportgen: " plus the message to stderr.
 */
#ifndef REPORTGEN_UTIL_H
#define REPORTGEN_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#if defined(__GNUC__)
#define PRINTF_LIKE(f, a) __attribute__((format(printf, f, a)))
#define NORETURN __attribute__((noreturn))
#else
#define PRINTF_LIKE(f, a)
#define NORETURN
#endif

/*
 * Called once when an allocation fails, before exit(1): removes what the
 * report was writing (the temporary site folder). It must not allocate.
 */
extern void (*util_oom_cleanup)(void);

void *xmalloc(size_t size);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *ptr, size_t size);
/* Reallocate ptr to hold nmemb elements of size bytes, checking overflow. */
void *xreallocarray(void *ptr, size_t nmemb, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* Return a newly allocated formatted string; the caller frees it. */
char *xasprintf(const char *fmt, ...) PRINTF_LIKE(1, 2);
/* xasprintf() with a va_list (which it leaves for the caller to end). */
char *xvasprintf(const char *fmt, va_list ap) PRINTF_LIKE(1, 0);

/*
 * Grow *arr (holding *alloc elements of elsize bytes) so that it can hold
 * at least nr elements, as git's ALLOC_GROW.
 */
#define ALLOC_GROW(arr, nr, alloc)                                             \
    do {                                                                       \
        if ((nr) > (alloc)) {                                                  \
            (alloc) = (alloc) < 8 ? 8 : (alloc);                               \
            while ((alloc) < (nr))                                             \
                (alloc) *= 2;                                                  \
            (arr) = xreallocarray((arr), (alloc), sizeof(*(arr)));             \
        }                                                                      \
    } while (0)

/* When true, warning() prints nothing (set by -q). error() always prints. */
extern bool util_quiet;

struct strbuf;
/*
 * Send what error(), error_errno() and warning() print from the calling
 * thread to sb instead of stderr, until util_capture(NULL). A run
 * processed on another thread (-j) keeps its messages this way, to be
 * printed in run order. die() always prints.
 */
void util_capture(struct strbuf *sb);

/* Print "reportgen: <message>" to stderr and return -1. */
int error(const char *fmt, ...) PRINTF_LIKE(1, 2);
/* As error(), with ": strerror(errno)" appended. */
int error_errno(const char *fmt, ...) PRINTF_LIKE(1, 2);
/* Print "reportgen: warning: <message>" unless util_quiet. */
void warning(const char *fmt, ...) PRINTF_LIKE(1, 2);
/* Print "reportgen: <message>" and exit(1). For unrecoverable errors only. */
NORETURN void die(const char *fmt, ...) PRINTF_LIKE(1, 2);

/*
 * A progress line on stderr ("reportgen: 12 of 200 runs read"), rewritten
 * in place with a carriage return. progress_enable() turns it on (main.c:
 * when stderr is a terminal, or with --progress); progress() shows a new
 * one, progress_clear() blanks it out. error(), error_errno(), warning()
 * and die() blank it out before their message, so a message always starts
 * a line of its own.
 */
void progress_enable(bool on);
void progress(const char *fmt, ...) PRINTF_LIKE(1, 2);
void progress_clear(void);

/*
 * Open path for reading, as reportgen opens every file it reads. The open
 * never blocks (O_NONBLOCK: a FIFO or a device named like a log cannot
 * hang the report), and the descriptor opened is checked with fstat(), so
 * only a regular file is read. When input_confine() has set a root, a
 * file whose real path (symbolic links resolved) lies outside it is
 * refused too. Returns the stream (fclose() it), or NULL with a message
 * in *why that the caller frees: "PATH: cannot read: REASON",
 * "PATH: not a regular file" or "PATH: a link to a file outside
 * RUNS_DIR, not read (--follow-links reads it)".
 */
FILE *input_open(const char *path, char **why);

/*
 * Have input_open() call fn(arg, path, st) for each file it opens on this
 * thread from now on, with the stat of the descriptor opened (cache.c
 * records a run's inputs this way); fn NULL stops it.
 */
struct stat;
void input_watch(void (*fn)(void *arg, const char *path, const struct stat *st),
                 void *arg);

/*
 * Refuse, in input_open(), files whose real path is outside root (a
 * folder), so that a symbolic link in the runs cannot publish a file from
 * elsewhere. root NULL lifts the limit. Returns -1 (with error()) when
 * root cannot be resolved.
 */
int input_confine(const char *root);

/*
 * A copy of s with the folder root taken off every path in it that
 * starts with root: root (trailing slashes aside) plus '/', where it
 * starts s or follows a space, a quote, a backquote or an opening
 * bracket, is removed; root itself there, ended by the end of s, a
 * space, a quote, a closing bracket or punctuation, becomes ".".
 * Published text names files relative to RUNS_DIR
 * this way, so a report shows no path of the machine it was made on.
 * The caller frees the result.
 */
char *strip_root(const char *root, const char *s);

/*
 * The last component of path, where it starts in path ("a/b.csv" gives
 * "b.csv"; trailing slashes stay: "a/ckpt/" gives "ckpt/").
 */
const char *path_base(const char *path);

/*
 * Decode one UTF-8 sequence at s (len bytes left, len >= 1), store its
 * length in *used and return the code point. Anything that is not
 * well-formed UTF-8 (stray continuation bytes, overlong forms,
 * surrogates, values beyond U+10FFFF, a sequence cut short) consumes one
 * byte and yields U+FFFD: a literal U+FFFD is told apart by *used == 3.
 */
uint32_t utf8_next(const unsigned char *s, size_t len, size_t *used);

/*
 * The length of s cut to at most max bytes without splitting a UTF-8
 * sequence: strlen(s) when it is no longer than max.
 */
size_t utf8_cut(const char *s, size_t max);

/*
 * Format a metric value the one way reportgen prints numbers, so output is
 * byte-identical across runs: "%.6g", with "nan", "inf" and "-inf" spelled
 * the same on every libc. Writes into buf (at least 32 bytes) and returns it.
 */
char *fmt_num(char *buf, size_t size, double v);
#define FMT_NUM_SIZE 32

/*
 * Write v to buf exactly as snprintf(buf, FMT_G5_SIZE, "%.5g", v) does and
 * return the length. Values from 1e-4 to 1e5 (chart coordinates) take a
 * fixed-point path about twenty times faster than printf; the rest go
 * through snprintf.
 */
size_t fmt_g5(char *buf, double v);
#define FMT_G5_SIZE 16

/*
 * Write v to buf exactly as snprintf(buf, FMT_F1_SIZE, "%.1f", v) does
 * and return the length; fixed-point below 1e14 (chart positions), the
 * rest through snprintf.
 */
size_t fmt_f1(char *buf, double v);
#define FMT_F1_SIZE 32

/* Whether S ends with SUFFIX (byte for byte). */
bool has_suffix(const char *s, const char *suffix);
/*
 * Whether S ends with SUFFIX, ASCII case ignored ("RUN.CSV" ends with
 * ".csv"), with something before it: a name that is only the suffix does
 * not count.
 */
bool has_isuffix(const char *s, const char *suffix);

/* True when s is one of nan, inf, -inf, +inf, infinity (any case). */
bool parse_nonfinite(const char *s, double *out);

/*
 * Parse s (already trimmed) as a decimal number. Accepts what strtod does
 * in the C locale plus parse_nonfinite() spellings, nothing else (no hex).
 * Returns 0 and stores the value, or -1 when s is not a number.
 */
int parse_number(const char *s, double *out);

/* What an entry of a folder is, as lstat() sees it (links not followed). */
enum listing_kind {
    LISTING_OTHER = 0, /* a link, a device, or it could not be examined */
    LISTING_FILE,      /* a regular file */
    LISTING_DIR
};

struct listing_entry {
    char *name;
    enum listing_kind kind;
};

/* A folder's entries, sorted bytewise by name (strcmp, not the locale). */
struct listing {
    size_t n;
    struct listing_entry *e;
};

enum listing_flags {
    LISTING_NO_HIDDEN = (1 << 0) /* leave out names starting with '.' */
};

/*
 * List the folder dir into l, without "." and "..": every reader of
 * folders (runs.c's walk, the formats, site.c) lists through here, so
 * every listing is in the same order on every machine. Each kind is the
 * one the folder's entry records (d_type), or where the file system
 * records none, found with fstatat() relative to the open folder: either
 * way it describes the entry that was listed even if dir is renamed
 * meanwhile. Returns 0, or
 * -1 with errno set and l empty when dir cannot be opened or read; prints
 * nothing. listing_release() frees l.
 */
int listing_read(struct listing *l, const char *dir, unsigned flags);
void listing_release(struct listing *l);

/*
 * Turn s into a name safe for a file or URL path segment: ASCII letters,
 * digits, '_', '-' and '.' (not leading) are kept; every other byte
 * becomes "~XX" (its hex value), so different names give different slugs
 * ("sweep1/lr-3e-4" becomes "sweep1~2Flr-3e-4"). Very long results are
 * cut and end in a hash of s. The caller frees it.
 */
char *slugify(const char *s);

#endif
