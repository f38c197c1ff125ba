/*
 * site.c - writes the report to disk, and nothing else does.
 *
 * The last stage of the data flow: report.c hands over finished bytes
 * (pages, charts, summary.json) and site.c puts them in a temporary
 * folder beside SITE_DIR (same file system, so the final rename is atomic
 * for the folder as a whole). site.h lists the names it uses beside the
 * site and the manifest format.
 *
 * Replacing an old site (site_commit()):
 *   1. the manifest is written into the new site (atomically: a file
 *      renamed into place), so from then on a file in that folder that the
 *      manifest does not list is known to be the user's;
 *   2. the old site is walked once without moving anything, to find every
 *      file of the user's that collides with the new report and every
 *      read-only folder one would have to leave: any of these and nothing
 *      moves;
 *   3. the files taken over from the old site (site_reuse()) go into the
 *      new one: a folder whose files are all taken over moves whole (one
 *      rename, where a link per file would cost a folder made, the links
 *      and as many unlinks when the old site goes), the rest are linked;
 *      then the user's files move into the new site (renames, same file
 *      system); a failure moves both back;
 *   4. the two folders swap in one renameat2(RENAME_EXCHANGE), or, where
 *      the kernel or file system cannot, in two renames through
 *      .BASE.reportgen-old;
 *   5. the old site, now holding only files its manifest lists, is
 *      removed file by file: nothing it does not list is ever deleted.
 * Signals wait (are blocked) from 2 to 5. A run killed anywhere leaves a
 * state that the next run, holding the same lock, recognises by the names
 * and manifests alone (recover()): a folder the site's manifest has files
 * in, missing from the site and present in the new one, was moved in step
 * 3 and moves back (restore_moved()); the rest of steps 3 and 5 are the
 * same walk ("settle": move the user's files back to the site, then
 * delete what the manifest lists), so it simply does that walk again.
 * Killed during the folder moves, the site lacks them until that next
 * run: the one moment a kill leaves neither the old site nor the new.
 */
#define _GNU_SOURCE /* renameat2(), flock(), syscall() */
#include "site.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cache.h"
#include "strbuf.h"
#include "util.h"
#include "banned.h"

/* A manifest longer than this is not one reportgen wrote. */
#define MANIFEST_MAX (64u << 20)
/* The largest file of an old site site_read_previous() reads. */
#define PREVIOUS_MAX (256u << 20)

/*
 * What site_abort_cleanup() may remove. It runs in signal handlers, so it
 * reads only these: a state set last and an absolute path set before it.
 */
enum cleanup_state {
    CLEANUP_NONE,
    CLEANUP_TREE, /* cleanup_path is a folder holding only reportgen's files */
    CLEANUP_FILE  /* cleanup_path is a temporary file of reportgen's */
};
static volatile sig_atomic_t cleanup_state;
static const char *volatile cleanup_path;

/*
 * Test hook, compiled into every build so that the tests exercise the
 * binary users run (it costs one getenv() per step):
 * REPORTGEN_TEST_KILL_AT=STEP makes reportgen kill itself with SIGKILL the
 * first time it reaches STEP (write, manifest, move, carry, carried, aside,
 * exchange, cleanup, recover); STEP:TERM or STEP:INT raises that signal
 * instead. REPORTGEN_TEST_NO_EXCHANGE=1 makes it swap with two renames,
 * as on a kernel without RENAME_EXCHANGE. tests/cli/interrupt.sh uses
 * both. They are not documented for users: they only make reportgen fail.
 */
static void kill_point(const char *step)
{
    const char *at = getenv("REPORTGEN_TEST_KILL_AT");
    size_t len = strlen(step);

    if (!at || strncmp(at, step, len))
        return;
    if (!at[len])
        raise(SIGKILL);
    else if (!strcmp(at + len, ":TERM"))
        raise(SIGTERM);
    else if (!strcmp(at + len, ":INT"))
        raise(SIGINT);
}

/* Split path into its parent folder and base name (both new strings). */
static void split_path(const char *path, char **parent, char **base)
{
    struct strbuf sb = STRBUF_INIT;
    const char *slash;

    strbuf_addstr(&sb, path);
    while (sb.len > 1 && sb.buf[sb.len - 1] == '/')
        strbuf_setlen(&sb, sb.len - 1);
    slash = strrchr(sb.buf, '/');
    if (!slash) {
        *parent = xstrdup(".");
        *base = strbuf_detach(&sb, NULL);
        return;
    }
    *base = xstrdup(slash + 1);
    *parent = slash == sb.buf ? xstrdup("/") : xstrndup(sb.buf, slash - sb.buf);
    strbuf_release(&sb);
}

/* dir + "/" + name, without doubling the slash of "/"; rel "" gives dir. */
static char *path_in(const char *dir, const char *rel)
{
    if (!*rel)
        return xstrdup(dir);
    return xasprintf("%s%s%s", dir, strcmp(dir, "/") ? "/" : "", rel);
}

/* Drop trailing slashes and trailing "/." components, in place. */
static void trim_path(char *p)
{
    size_t len = strlen(p);

    for (;;) {
        while (len > 1 && p[len - 1] == '/')
            len--;
        if (len > 2 && p[len - 1] == '.' && p[len - 2] == '/')
            len -= 2;
        else
            break;
    }
    p[len] = '\0';
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* List dir into l (see listing_read()). Returns -1 after error(). */
static int list_dir(const char *dir, struct listing *l)
{
    if (listing_read(l, dir, 0))
        return error_errno("%s: cannot open folder", dir);
    return 0;
}

static void free_list(char **names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

/* Make a folder we are about to empty writable by us (an old site's). */
static void make_writable(const char *dir)
{
    struct stat st;

    if (access(dir, W_OK | X_OK) && !lstat(dir, &st) && S_ISDIR(st.st_mode))
        chmod(dir, (st.st_mode & 07777) | S_IRWXU);
}

/*
 * Remove path and, if it is a folder, everything below it. Only for
 * folders that hold nothing but reportgen's own files.
 */
static int remove_tree(const char *path)
{
    struct stat st;
    struct listing l;
    int ret = 0;

    if (lstat(path, &st))
        return errno == ENOENT ? 0 : error_errno("%s: cannot remove", path);
    if (!S_ISDIR(st.st_mode))
        return unlink(path) ? error_errno("%s: cannot remove", path) : 0;
    make_writable(path);
    if (list_dir(path, &l))
        return -1;
    for (size_t i = 0; i < l.n; i++) {
        char *child = path_in(path, l.e[i].name);

        if (remove_tree(child))
            ret = -1;
        free(child);
    }
    listing_release(&l);
    if (!ret && rmdir(path))
        ret = error_errno("%s: cannot remove", path);
    return ret;
}

/*
 * mkdir -p for the first len bytes of rel under root: the folder itself
 * first, its parents only when it cannot be made for want of them, so
 * that a folder whose parent exists costs one mkdir().
 */
static int make_folder(const char *root, const char *rel, size_t len)
{
    char *path = xasprintf("%s/%.*s", root, (int)len, rel);
    int ret = 0;

    if (mkdir(path, 0777) && errno != EEXIST) {
        const char *slash = memrchr(rel, '/', len);

        if (errno != ENOENT || !slash)
            ret = error_errno("%s: cannot create folder", path);
        else if (make_folder(root, rel, (size_t)(slash - rel)))
            ret = -1; /* told about its parent */
        else if (mkdir(path, 0777) && errno != EEXIST)
            ret = error_errno("%s: cannot create folder", path);
    }
    free(path);
    return ret;
}

/* mkdir -p for the parents of rel under root. */
static int make_parents(const char *root, const char *rel)
{
    const char *slash = strrchr(rel, '/');

    return slash ? make_folder(root, rel, (size_t)(slash - rel)) : 0;
}

/*
 * make_parents() for a file of the site being written: the folders of
 * the last file written are not made again (most files of a site sit in
 * the folder of the one before: a run's charts and page).
 */
static int site_parents(struct site *s, const char *rel)
{
    const char *slash = strrchr(rel, '/');
    size_t len = slash ? (size_t)(slash - rel) : 0;

    if (s->made && strlen(s->made) == len && !strncmp(s->made, rel, len))
        return 0;
    if (make_parents(s->tmp, rel))
        return -1;
    free(s->made);
    s->made = xstrndup(rel, len);
    return 0;
}

/* mkdir -p for the absolute folder path; names the folder that fails. */
static int make_folders(const char *path)
{
    struct strbuf sb = STRBUF_INIT;
    const char *p = path;
    struct stat st;
    int ret = 0;

    for (;;) {
        const char *slash = strchr(p + 1, '/');
        size_t len = slash ? (size_t)(slash - path) : strlen(path);

        strbuf_reset(&sb);
        strbuf_add(&sb, path, len);
        if (mkdir(sb.buf, 0777) && errno != EEXIST) {
            ret = error_errno("%s: cannot create folder", sb.buf);
            break;
        }
        if (stat(sb.buf, &st) || !S_ISDIR(st.st_mode)) {
            ret = error("%s: is not a folder", sb.buf);
            break;
        }
        if (!slash)
            break;
        p = slash;
    }
    strbuf_release(&sb);
    return ret;
}

/*
 * Make the absolute, real form of folder p, which may not exist yet: the
 * longest existing prefix through realpath(), then the rest as written.
 */
static char *real_folder(const char *p)
{
    char *rest = xstrdup(""), *q = xstrdup(p), *real;

    while (!(real = realpath(q, NULL))) {
        int e = errno;
        char *qp, *qb, *longer;

        split_path(q, &qp, &qb);
        free(q);
        q = qp;
        if ((e != ENOENT && e != ENOTDIR) || !strcmp(qb, ".") ||
            !strcmp(qb, "..")) {
            errno = e;
            if (e != ENOENT && e != ENOTDIR)
                error_errno("%s: cannot resolve", p);
            else
                error("%s: no such folder", p);
            free(qb);
            free(q);
            free(rest);
            return NULL;
        }
        longer = xasprintf("/%s%s", qb, rest);
        free(qb);
        free(rest);
        rest = longer;
    }
    free(q);
    if (*rest) {
        char *full = xasprintf("%s%s", strcmp(real, "/") ? real : "", rest);

        free(real);
        real = full;
    }
    free(rest);
    return real;
}

/*
 * Find where output named given really goes: follow symbolic links
 * (dangling ones too, 40 hops at most, as the kernel does), resolve "."
 * and "..", and split the result into an absolute parent folder (which
 * may not exist yet) and a last component. Returns -1 after error().
 */
static int resolve(const char *given, char **parent, char **base)
{
    char *cur = xstrdup(given);
    int ret = -1, hops;

    for (hops = 0; hops < 40; hops++) {
        struct stat st;
        char *p, *b;

        trim_path(cur);
        if (!lstat(cur, &st) && S_ISLNK(st.st_mode)) {
            struct strbuf target = STRBUF_INIT;
            ssize_t n;

            strbuf_grow(&target, 4096);
            n = readlink(cur, target.buf, 4096);
            if (n < 0 || n >= 4096) {
                strbuf_release(&target);
                error_errno("%s: cannot read the link", given);
                break;
            }
            strbuf_setlen(&target, (size_t)n);
            split_path(cur, &p, &b);
            free(cur);
            cur = target.buf[0] == '/' ? strbuf_detach(&target, NULL)
                                       : path_in(p, target.buf);
            strbuf_release(&target);
            free(p);
            free(b);
            continue;
        }
        if (!lstat(cur, &st)) {
            char *real = realpath(cur, NULL);

            if (!real) {
                error_errno("%s: cannot resolve", given);
                break;
            }
            if (!strcmp(real, "/")) {
                free(real);
                error("%s: cannot write over the root folder", given);
                break;
            }
            split_path(real, parent, base);
            free(real);
            ret = 0;
            break;
        }
        if (errno != ENOENT && errno != ENOTDIR) {
            error_errno("%s: cannot write", given);
            break;
        }
        split_path(cur, &p, &b);
        if (!strcmp(b, ".") || !strcmp(b, "..") || !*b) {
            error("%s: no such folder", given);
            free(p);
            free(b);
            break;
        }
        *parent = real_folder(p);
        free(p);
        if (!*parent) {
            free(b);
            break;
        }
        *base = b;
        ret = 0;
        break;
    }
    if (hops == 40)
        error("%s: too many levels of symbolic links", given);
    free(cur);
    return ret;
}

/*
 * Read the regular file at path into sb, up to max bytes, never following
 * a symbolic link nor waiting on a FIFO. Returns 1, 0 when there is no
 * such file, or -1 after error(): "PATH: NOT_WHAT" when it is not a
 * regular file or is larger than max, or why it cannot be read.
 */
static int read_regular(const char *path, size_t max, const char *not_what,
                        struct strbuf *sb)
{
    struct stat st;
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC);

    if (fd < 0)
        return errno == ENOENT ? 0 : error_errno("%s: cannot read", path);
    if (fstat(fd, &st) || !S_ISREG(st.st_mode) || (uintmax_t)st.st_size > max) {
        close(fd);
        return error("%s: %s", path, not_what);
    }
    strbuf_grow(sb, (size_t)st.st_size + 1);
    for (;;) {
        ssize_t got = read(fd, sb->buf + sb->len, sb->alloc - sb->len - 1);

        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) {
            error_errno("%s: cannot read", path);
            close(fd);
            return -1;
        }
        if (!got || sb->len + (size_t)got >= max)
            break;
        strbuf_setlen(sb, sb->len + (size_t)got);
        if (sb->alloc - sb->len < 2)
            strbuf_grow(sb, 4096);
    }
    close(fd);
    return 1;
}

/*
 * Read the manifest of the site in dir into a sorted list. Returns 1 when
 * there is one, 0 when there is none, -1 after error() when it is not a
 * regular file of reasonable size. Opened without blocking, so a FIFO in
 * its place cannot hang reportgen.
 */
static int read_manifest(const char *dir, char ***files, size_t *n)
{
    char *path = path_in(dir, SITE_MANIFEST);
    struct strbuf sb = STRBUF_INIT;
    size_t alloc = 0;
    char *line, *nl;
    int got;

    *files = NULL;
    *n = 0;
    got =
        read_regular(path, MANIFEST_MAX, "not a manifest reportgen wrote", &sb);
    free(path);
    if (got <= 0) {
        strbuf_release(&sb);
        return got;
    }
    for (line = sb.buf; *line; line = nl + 1) {
        nl = strchr(line, '\n');
        if (!nl)
            break; /* a last line without '\n' was cut short */
        if (nl > line && line[0] != '#') {
            ALLOC_GROW(*files, *n + 1, alloc);
            (*files)[(*n)++] = xstrndup(line, (size_t)(nl - line));
        }
    }
    strbuf_release(&sb);
    if (*n)
        qsort(*files, *n, sizeof(**files), cmp_str);
    return 1;
}

static bool listed(char **files, size_t n, const char *rel)
{
    return n && bsearch(&rel, files, n, sizeof(*files), cmp_str);
}

/*
 * One walk of the settle / carry-over kind: every file below from that is
 * not reportgen's moves to the same place below to.
 */
struct carry {
    const char *from, *to; /* absolute folder paths */
    const char *from_name; /* from as the user knows it, for messages */
    char **ours;           /* sorted: the files of from that are ours */
    size_t nours;
    const char *extra; /* one more path of from that counts as ours */
    bool dry;          /* only count the problems (collisions, read-only) */
    bool restore;      /* putting files back: say so in messages */
    const char *kill_step;
    size_t problems, moved;
};

static bool is_ours(const struct carry *c, const char *rel)
{
    return !strcmp(rel, SITE_MANIFEST) || listed(c->ours, c->nours, rel) ||
           (c->extra && !strcmp(rel, c->extra));
}

enum tree_flags {
    TREE_USER = (1 << 0), /* a file not ours, or an empty folder */
    TREE_OURS = (1 << 1)  /* a file of ours */
};

static int scan_tree(const struct carry *c, const char *rel, unsigned *flags)
{
    char *dir = path_in(c->from, rel);
    struct listing l;
    int ret = 0;

    if (list_dir(dir, &l)) {
        free(dir);
        return -1;
    }
    if (!l.n)
        *flags |= TREE_USER;
    for (size_t i = 0; i < l.n && !ret; i++) {
        char *child = xasprintf("%s/%s", rel, l.e[i].name);
        char *path = path_in(c->from, child);
        struct stat st;

        /* The listing's kind (lstat() as it listed) saves a call. */
        if (l.e[i].kind == LISTING_DIR)
            ret = scan_tree(c, child, flags);
        else if (l.e[i].kind == LISTING_FILE)
            *flags |= is_ours(c, child) ? TREE_OURS : TREE_USER;
        else if (lstat(path, &st))
            ret = error_errno("%s: cannot read", path);
        else if (S_ISDIR(st.st_mode))
            ret = scan_tree(c, child, flags);
        else
            *flags |= is_ours(c, child) ? TREE_OURS : TREE_USER;
        free(child);
        free(path);
    }
    listing_release(&l);
    free(dir);
    return ret;
}

static int collision(struct carry *c, const char *rel, bool folder)
{
    c->problems++;
    if (c->restore)
        return error("%s/%s: a %s of yours left by an interrupted run cannot "
                     "go back into the site: something else is there now; "
                     "move one of them and run again",
                     c->from_name, rel, folder ? "folder" : "file");
    return error("%s/%s: a %s of yours is where the new report writes '%s'; "
                 "move it and run again",
                 c->from_name, rel, folder ? "folder" : "file", rel);
}

static int move(struct carry *c, const char *rel)
{
    char *from = path_in(c->from, rel), *to = path_in(c->to, rel);
    int ret = 0;

    if (c->dry) {
        char *parent, *base;

        split_path(from, &parent, &base);
        if (access(parent, W_OK)) {
            c->problems++;
            ret = error_errno("%s/%s: cannot move it into the new site",
                              c->from_name, rel);
        }
        free(parent);
        free(base);
    } else if (make_parents(c->to, rel) || rename(from, to)) {
        ret = error_errno("%s/%s: cannot move it %s", c->from_name, rel,
                          c->restore ? "back into the site"
                                     : "into the new site");
    } else if (!c->moved++ && c->kill_step) {
        kill_point(c->kill_step);
    }
    free(from);
    free(to);
    return ret;
}

/*
 * Walk from/rel. A file that is not ours moves; a folder moves whole when
 * it holds nothing of ours and to has nothing there, else it is walked.
 * In a dry run, every problem is reported and counted and the walk goes
 * on; otherwise the first failure stops it.
 */
static int carry_tree(struct carry *c, const char *rel)
{
    char *dir = path_in(c->from, rel);
    struct listing l;
    int ret = 0;

    if (list_dir(dir, &l)) {
        free(dir);
        return -1;
    }
    for (size_t i = 0; i < l.n && (!ret || c->dry); i++) {
        char *child =
            *rel ? xasprintf("%s/%s", rel, l.e[i].name) : xstrdup(l.e[i].name);
        char *from, *to;
        struct stat st, st_to;
        bool have_to;
        unsigned flags = 0;

        if (l.e[i].kind == LISTING_FILE && is_ours(c, child)) {
            free(child); /* a file of ours stays: most of a site */
            continue;
        }
        from = path_in(c->from, child);
        to = path_in(c->to, child);
        have_to = !lstat(to, &st_to);
        if (!have_to && errno != ENOENT) {
            ret = error_errno("%s: cannot read", to);
        } else if (lstat(from, &st)) {
            ret = error_errno("%s: cannot read", from);
        } else if (S_ISDIR(st.st_mode)) {
            if (scan_tree(c, child, &flags))
                ret = -1;
            else if (!(flags & TREE_USER))
                ; /* only files of ours: they stay */
            else if (have_to && S_ISDIR(st_to.st_mode))
                ret = carry_tree(c, child);
            else if (have_to)
                ret = collision(c, child, true);
            else if (flags & TREE_OURS)
                ret = carry_tree(c, child);
            else
                ret = move(c, child);
        } else if (!is_ours(c, child)) {
            ret = have_to ? collision(c, child, false) : move(c, child);
        }
        free(child);
        free(from);
        free(to);
    }
    listing_release(&l);
    free(dir);
    return ret;
}

/*
 * Delete the files of ours below root/rel, then every folder left empty.
 * Anything else stays. Returns how many entries stayed.
 */
static size_t remove_ours(const struct carry *c, const char *rel)
{
    char *dir = path_in(c->from, rel);
    struct listing l;
    size_t left = 0;

    make_writable(dir);
    if (list_dir(dir, &l)) {
        free(dir);
        return 1;
    }
    for (size_t i = 0; i < l.n; i++) {
        char *child =
            *rel ? xasprintf("%s/%s", rel, l.e[i].name) : xstrdup(l.e[i].name);
        char *path = path_in(c->from, child);
        struct stat st;

        if (l.e[i].kind == LISTING_FILE) {
            if (!is_ours(c, child) || unlink(path))
                left++;
            else if (c->kill_step)
                kill_point(c->kill_step);
        } else if (lstat(path, &st))
            left++;
        else if (S_ISDIR(st.st_mode))
            left += remove_ours(c, child) > 0;
        else if (!is_ours(c, child) || unlink(path))
            left++;
        else if (c->kill_step)
            kill_point(c->kill_step);
        free(child);
        free(path);
    }
    listing_release(&l);
    if (!left && rmdir(dir))
        left++;
    free(dir);
    return left;
}

/*
 * Settle folder f, a site of reportgen's beside the real one (the new
 * site of an interrupted run, or an old site being removed): move every
 * file of the user's in it back into the site, then delete the files its
 * manifest lists. f without a manifest holds only reportgen's files (the
 * manifest is written before any file of the user's moves in), so it goes
 * whole. extra is one more path of f that counts as reportgen's. Returns
 * 0, or -1 after error() when f had to stay.
 */
static int settle(const struct site *s, const char *f, const char *extra,
                  const char *kill_step)
{
    struct carry c;
    int have = 0, ret = 0;

    memset(&c, 0, sizeof(c));
    c.from = f;
    c.from_name = f;
    c.to = s->path;
    c.extra = extra;
    c.restore = true;
    have = read_manifest(f, &c.ours, &c.nours);
    if (have < 0)
        return error("%s: left in place: its files are not all reportgen's", f);
    if (!have)
        return remove_tree(f);
    c.dry = true;
    if (carry_tree(&c, "") || c.problems) {
        ret = -1;
    } else {
        c.dry = false;
        c.kill_step = kill_step;
        if (carry_tree(&c, "") || remove_ours(&c, "")) {
            ret = error("%s: left in place: it holds files reportgen did "
                        "not write",
                        f);
        }
    }
    free_list(c.ours, c.nours);
    return ret;
}

/* True when every file below dir has a name reportgen gives its pages. */
static bool only_pages(const char *dir, int depth)
{
    static const char *const ext[] = {".html", ".svg", ".css", ".json", ".md"};
    struct listing l;
    bool ok = depth < 4;

    if (!ok || list_dir(dir, &l))
        return false;
    for (size_t i = 0; i < l.n && ok; i++) {
        char *path = path_in(dir, l.e[i].name);
        size_t len = strlen(l.e[i].name);
        struct stat st;

        ok = false;
        if (lstat(path, &st))
            ;
        else if (S_ISDIR(st.st_mode))
            ok = only_pages(path, depth + 1);
        else if (S_ISREG(st.st_mode))
            for (size_t k = 0; k < ARRAY_SIZE(ext) && !ok; k++)
                ok = len > strlen(ext[k]) &&
                     !strcmp(l.e[i].name + len - strlen(ext[k]), ext[k]);
        ok = ok || !strcmp(l.e[i].name, SITE_MANIFEST);
        free(path);
    }
    listing_release(&l);
    return ok;
}

/*
 * Folders that versions of reportgen before the lock left beside the site
 * when they were killed: .BASE.tmp-XXXXXX (the new site, holding the
 * user's files once its manifest was written) and .BASE.old-XXXXXX (the
 * old site, or an empty folder). Those with a manifest are settled like
 * ours; one without is removed only if it holds nothing but pages, and is
 * otherwise left with a warning. Never fatal.
 */
static void recover_legacy(struct site *s)
{
    char *tmp_prefix = xasprintf(".%s.tmp-", s->base);
    char *old_prefix = xasprintf(".%s.old-", s->base);
    size_t plen = strlen(tmp_prefix);
    struct listing l;
    struct stat st;

    if (list_dir(s->parent, &l)) {
        free(tmp_prefix);
        free(old_prefix);
        return;
    }
    for (size_t i = 0; i < l.n; i++) {
        char *path, **files;
        size_t nfiles;
        int have;

        if (strlen(l.e[i].name) != plen + 6 ||
            (strncmp(l.e[i].name, tmp_prefix, plen) &&
             strncmp(l.e[i].name, old_prefix, plen)))
            continue;
        path = path_in(s->parent, l.e[i].name);
        have = lstat(path, &st) || !S_ISDIR(st.st_mode)
                   ? -1
                   : read_manifest(path, &files, &nfiles);
        if (have == 1) {
            free_list(files, nfiles);
            /* Killed between its two renames: the site is here. */
            if (lstat(s->path, &st) && errno == ENOENT &&
                !strncmp(l.e[i].name, old_prefix, plen) &&
                !rename(path, s->path)) {
                free(path);
                continue;
            }
            if (settle(s, path, NULL, NULL))
                warning("%s: left by an older reportgen; see above", path);
        } else if (have == 0) {
            if (!only_pages(path, 0) || remove_tree(path))
                warning("%s: left by an older reportgen and not removed: it "
                        "holds files that are not pages",
                        path);
        }
        free(path);
    }
    listing_release(&l);
    free(tmp_prefix);
    free(old_prefix);
}

/*
 * A run killed while it moved unchanged folders of the old site into the
 * new one f (take_over()) left the site without them: move back every
 * folder the site's manifest has files in that is missing from the site
 * and present in f. After the swap, the site is the new one, which lacks
 * none, so nothing moves.
 */
static int restore_moved(const struct site *s, const char *f)
{
    char **files;
    size_t n;
    int ret = 0;

    if (read_manifest(s->path, &files, &n) <= 0)
        return 0;
    for (size_t i = 0; i < n && !ret; i++) {
        for (const char *slash = strchr(files[i], '/'); slash && !ret;
             slash = strchr(slash + 1, '/')) {
            char *rel = xstrndup(files[i], (size_t)(slash - files[i]));
            char *to = path_in(s->path, rel), *from = path_in(f, rel);
            struct stat st;
            bool missing = lstat(to, &st) && errno == ENOENT;

            if (missing && !lstat(from, &st) && S_ISDIR(st.st_mode) &&
                rename(from, to))
                ret = error_errno("%s: cannot move it back to %s/%s", from,
                                  s->dir, rel);
            free(rel);
            free(to);
            free(from);
            if (missing)
                break; /* moved back whole, or not to be had */
        }
    }
    free_list(files, n);
    return ret;
}

/* What an interrupted run left beside the site; see site.h. */
static int recover(struct site *s)
{
    struct stat st;
    char **files;
    size_t n;

    if (lstat(s->path, &st) && errno == ENOENT) {
        /* Killed between two renames, or while removing an empty site. */
        if (!lstat(s->tmp, &st) && S_ISDIR(st.st_mode) &&
            read_manifest(s->tmp, &files, &n) == 1) {
            free_list(files, n);
            if (rename(s->tmp, s->path))
                return error_errno("%s: cannot put the site back", s->dir);
        } else if (!lstat(s->old, &st) && S_ISDIR(st.st_mode)) {
            if (rename(s->old, s->path))
                return error_errno("%s: cannot put the site back", s->dir);
        }
    }
    if (!lstat(s->tmp, &st) &&
        (restore_moved(s, s->tmp) || settle(s, s->tmp, NULL, "recover")))
        return -1;
    if (!lstat(s->old, &st) && settle(s, s->old, NULL, "recover"))
        return -1;
    recover_legacy(s);
    return 0;
}

/* Write a whole file at path (created, or truncated). */
static int write_file(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    int ret = 0;

    if (!f)
        return error_errno("%s: cannot write", path);
    if (len && fwrite(data, 1, len, f) != len)
        ret = error_errno("%s: cannot write", path);
    if (fclose(f) && !ret)
        ret = error_errno("%s: cannot write", path);
    return ret;
}

static void on_signal(int sig)
{
    int saved = errno;

    site_abort_cleanup();
    errno = saved;
    /* The handler was reset (SA_RESETHAND): die by the same signal. */
    raise(sig);
}

static void install_handlers(void)
{
    static const int sigs[] = {SIGINT, SIGTERM, SIGHUP};
    static bool done;
    struct sigaction sa, old;

    if (done)
        return;
    done = true;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sa.sa_flags = SA_RESETHAND;
    sigemptyset(&sa.sa_mask);
    for (size_t i = 0; i < ARRAY_SIZE(sigs); i++) {
        /* A signal ignored on purpose (nohup) stays ignored. */
        if (!sigaction(sigs[i], NULL, &old) && old.sa_handler == SIG_IGN)
            continue;
        sigaction(sigs[i], &sa, NULL);
    }
}

static void block_signals(sigset_t *saved)
{
    sigset_t set;

    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGHUP);
    sigprocmask(SIG_BLOCK, &set, saved);
}

static void watch(enum cleanup_state state, const char *path)
{
    cleanup_state = CLEANUP_NONE;
    cleanup_path = path;
    cleanup_state = state;
}

#if defined(__linux__) && defined(SYS_getdents64)
struct raw_dirent {
    uint64_t ino;
    int64_t off;
    unsigned short reclen;
    unsigned char type;
    char name[];
};

/*
 * remove_tree() with async-signal-safe calls only: getdents64 instead of
 * readdir() (which allocates), a buffer on the stack, bounded depth (the
 * site is three levels deep; deeper is left for the next run).
 */
static void remove_tree_raw(int dfd, const char *name, int depth)
{
    union {
        uint64_t align;
        char buf[2048];
    } u;
    int fd;

    if (!unlinkat(dfd, name, 0) || errno == ENOENT || depth > 8)
        return;
    fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return;
    for (int pass = 0; pass < 64; pass++) {
        bool any = false;
        long got;

        lseek(fd, 0, SEEK_SET);
        while ((got = syscall(SYS_getdents64, fd, u.buf, sizeof(u.buf))) > 0) {
            for (long off = 0; off < got;) {
                const struct raw_dirent *d = (void *)(u.buf + off);

                off += d->reclen;
                if (!strcmp(d->name, ".") || !strcmp(d->name, ".."))
                    continue;
                remove_tree_raw(fd, d->name, depth + 1);
                any = true;
            }
        }
        if (!any)
            break;
    }
    close(fd);
    unlinkat(dfd, name, AT_REMOVEDIR);
}
#else
static void remove_tree_raw(int dfd, const char *name, int depth)
{
    (void)depth;
    unlinkat(dfd, name, 0);
    unlinkat(dfd, name, AT_REMOVEDIR);
}
#endif

void site_abort_cleanup(void)
{
    const char *path = cleanup_path;
    int state = cleanup_state;

    cleanup_state = CLEANUP_NONE;
    if (state == CLEANUP_TREE && path)
        remove_tree_raw(AT_FDCWD, path, 0);
    else if (state == CLEANUP_FILE && path)
        unlink(path);
}

/* Take the site's lock, waiting for another writer if need be. */
static int take_lock(struct site *s)
{
    char *lock = xasprintf("%s/.%s.reportgen-lock",
                           strcmp(s->parent, "/") ? s->parent : "", s->base);
    int ret = 0;

    s->lock_fd = open(lock, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0666);
    if (s->lock_fd < 0) {
        ret = error_errno("%s: cannot create the lock file", lock);
    } else if (flock(s->lock_fd, LOCK_EX | LOCK_NB)) {
        if (errno != EWOULDBLOCK) {
            ret = error_errno("%s: cannot lock", lock);
        } else {
            warning("%s: another reportgen is writing this site; waiting",
                    s->dir);
            while (flock(s->lock_fd, LOCK_EX))
                if (errno != EINTR) {
                    ret = error_errno("%s: cannot lock", lock);
                    break;
                }
        }
    }
    free(lock);
    return ret;
}

/* The one-file report's target: absent or a regular file. */
static int check_single(const struct site *s)
{
    struct stat st;

    if (lstat(s->single, &st))
        return errno == ENOENT
                   ? 0
                   : error_errno("%s: cannot write", s->single_given);
    if (!S_ISREG(st.st_mode))
        return error("%s: exists and is not a regular file; refusing to "
                     "replace it",
                     s->single_given);
    return 0;
}

static int open_single(struct site *s, const char *given)
{
    char *parent, *base;

    s->single_given = xstrdup(given);
    if (resolve(given, &parent, &base))
        return -1;
    s->single = path_in(parent, base);
    free(parent);
    free(base);
    return check_single(s);
}

/* With --single-file alone: pages go to a scratch folder under $TMPDIR. */
static int open_scratch(struct site *s)
{
    const char *tmpdir = getenv("TMPDIR");

    s->tmp =
        xasprintf("%s/reportgen-XXXXXX", tmpdir && *tmpdir ? tmpdir : "/tmp");
    if (!mkdtemp(s->tmp)) {
        error_errno("%s: cannot create a scratch folder", s->tmp);
        free(s->tmp);
        s->tmp = NULL;
        return -1;
    }
    watch(CLEANUP_TREE, s->tmp);
    return 0;
}

/* SITE_DIR must be absent, an empty folder, or a site of reportgen's. */
static int check_site(const struct site *s)
{
    struct stat st;
    struct listing l;
    char **files;
    size_t nfiles;
    bool empty;
    int have;

    if (stat(s->path, &st))
        return errno == ENOENT
                   ? 0
                   : error_errno("%s: cannot write the site", s->dir);
    if (!S_ISDIR(st.st_mode))
        return error("%s: exists and is not a folder", s->dir);
    if (list_dir(s->path, &l))
        return -1;
    empty = !l.n;
    listing_release(&l);
    if (empty)
        return 0;
    have = read_manifest(s->path, &files, &nfiles);
    if (have < 0)
        return -1;
    free_list(files, nfiles);
    if (!have)
        return error("%s: folder is not empty and was not written by "
                     "reportgen; refusing to replace it",
                     s->dir);
    return 0;
}

int site_open(struct site *s, const char *dir, const char *single_file)
{
    struct stat st;
    mode_t mask;

    memset(s, 0, sizeof(*s));
    s->lock_fd = -1;
    strbuf_init(&s->single_data, 0);
    mask = umask(0);
    umask(mask);
    s->mode = 0777 & ~mask;
    install_handlers();
    if (single_file && open_single(s, single_file))
        return -1;
    if (!dir)
        return open_scratch(s);

    s->dir = xstrdup(dir);
    trim_path(s->dir);
    if (resolve(dir, &s->parent, &s->base))
        return -1;
    s->path = path_in(s->parent, s->base);
    if (s->single) {
        size_t len = strlen(s->path);

        if (!strcmp(s->single, s->path))
            return error("%s: is the site folder; the one-file report "
                         "cannot go there",
                         s->single_given);
        if (!strncmp(s->single, s->path, len) && s->single[len] == '/')
            s->single_rel = xstrdup(s->single + len + 1);
    }
    s->tmp = xasprintf("%s/.%s.reportgen-new",
                       strcmp(s->parent, "/") ? s->parent : "", s->base);
    s->old = xasprintf("%s/.%s.reportgen-old",
                       strcmp(s->parent, "/") ? s->parent : "", s->base);
    if (make_folders(s->parent) || take_lock(s) || recover(s) || check_site(s))
        goto fail;
    /* What the old site holds of ours, for site_reuse(). */
    if (read_manifest(s->path, &s->prev, &s->nprev) < 0)
        goto fail;
    if (mkdir(s->tmp, 0700)) {
        error_errno("%s: cannot create the temporary folder", s->tmp);
        goto fail;
    }
    /* What mkdir gives under the umask, setgid inherited included. */
    if (!lstat(s->tmp, &st))
        s->mode |= st.st_mode & S_ISGID;
    watch(CLEANUP_TREE, s->tmp);
    return 0;
fail:
    free(s->tmp);
    s->tmp = NULL;
    return -1;
}

/* Add rel to the files of s, with its size and hash. */
static void add_file(struct site *s, const char *rel, size_t size,
                     uint64_t hash)
{
    ALLOC_GROW(s->files, s->n + 1, s->alloc);
    if (s->n + 1 > s->meta_alloc) {
        s->meta_alloc = s->alloc;
        s->sizes = xreallocarray(s->sizes, s->meta_alloc, sizeof(*s->sizes));
        s->hashes = xreallocarray(s->hashes, s->meta_alloc, sizeof(*s->hashes));
        s->deferred =
            xreallocarray(s->deferred, s->meta_alloc, sizeof(*s->deferred));
    }
    s->sizes[s->n] = size;
    s->hashes[s->n] = hash;
    s->deferred[s->n] = false;
    s->files[s->n++] = xstrdup(rel);
}

/* A file of a forked site, held until site_join(): sb's bytes, taken. */
static void hold_buf(struct site *s, const char *rel, struct strbuf *sb,
                     uint64_t hash, bool linked)
{
    ALLOC_GROW(s->held, s->n + 1, s->held_alloc);
    s->linked = xreallocarray(s->linked, s->held_alloc, sizeof(*s->linked));
    s->held[s->n] = *sb;
    strbuf_init(sb, 0);
    s->linked[s->n] = linked;
    add_file(s, rel, s->held[s->n].len, hash);
}

/* The same with a copy of len bytes of data. */
static void hold(struct site *s, const char *rel, const void *data, size_t len,
                 uint64_t hash, bool linked)
{
    struct strbuf sb;

    strbuf_init(&sb, len);
    strbuf_add(&sb, data, len);
    hold_buf(s, rel, &sb, hash, linked);
}

/* site_write() of data whose hash is known (a forked site's, joined). */
static int write_hashed(struct site *s, const char *rel, const void *data,
                        size_t len, uint64_t hash)
{
    char *path;
    int ret;

    if (s->forked) {
        hold(s, rel, data, len, hash, false);
        return 0;
    }
    if (site_parents(s, rel))
        return -1;
    path = path_in(s->tmp, rel);
    ret = write_file(path, data, len);
    free(path);
    if (!ret) {
        add_file(s, rel, len, hash);
        if (s->n == 1)
            kill_point("write");
    }
    return ret;
}

int site_write(struct site *s, const char *rel, const void *data, size_t len)
{
    return write_hashed(s, rel, data, len, cache_hash(data, len, 0));
}

int site_write_buf(struct site *s, const char *rel, struct strbuf *sb)
{
    uint64_t hash = cache_hash(sb->buf, sb->len, 0);
    int ret = 0;

    if (s->forked) {
        /* Taken, not copied: charts and pages are most of what is written. */
        hold_buf(s, rel, sb, hash, false);
    } else {
        ret = write_hashed(s, rel, sb->buf, sb->len, hash);
        strbuf_reset(sb);
    }
    return ret;
}

/*
 * Read rel of the old site into sb when it is a regular file its
 * manifest lists, of size bytes hashing to hash. Returns 1 when it is,
 * 0 when not.
 */
static int read_previous_same(const struct site *s, const char *rel,
                              size_t size, uint64_t hash, struct strbuf *sb)
{
    struct stat st;
    char *path;
    int fd;

    if (!s->dir || !s->path || !listed(s->prev, s->nprev, rel))
        return 0;
    path = path_in(s->path, rel);
    fd = open(path, O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC);
    free(path);
    if (fd < 0)
        return 0;
    if (fstat(fd, &st) || !S_ISREG(st.st_mode) ||
        (uintmax_t)st.st_size != size) {
        close(fd);
        return 0;
    }
    strbuf_grow(sb, size + 1);
    while (sb->len < size) {
        ssize_t got = read(fd, sb->buf + sb->len, size - sb->len);

        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            break;
        strbuf_setlen(sb, sb->len + (size_t)got);
    }
    close(fd);
    return sb->len == size && cache_hash(sb->buf, sb->len, 0) == hash;
}

int site_previous_same(const struct site *s, const char *rel, size_t size,
                       uint64_t hash)
{
    struct strbuf sb = STRBUF_INIT;
    int ret = read_previous_same(s, rel, size, hash, &sb);

    strbuf_release(&sb);
    return ret;
}

int site_reuse(struct site *dst, const char *rel, size_t size, uint64_t hash)
{
    if (dst->forked) {
        hold(dst, rel, "", 0, hash, true);
        dst->sizes[dst->n - 1] = size;
        return 0;
    }
    add_file(dst, rel, size, hash);
    dst->deferred[dst->n - 1] = true;
    if (dst->n == 1)
        kill_point("write");
    return 0;
}

/* Link (else copy) file i of s, taken over, from the old site. */
static int link_previous(struct site *s, size_t i)
{
    struct strbuf sb = STRBUF_INIT;
    const char *rel = s->files[i];
    char *old, *path;
    int ret = 0;

    if (site_parents(s, rel))
        return -1;
    old = path_in(s->path, rel);
    path = path_in(s->tmp, rel);
    if (link(old, path)) {
        /* No hard link here (another file system type, a limit): copy. */
        if (read_previous_same(s, rel, s->sizes[i], s->hashes[i], &sb) > 0)
            ret = write_file(path, sb.buf, sb.len);
        else
            ret = error("%s/%s: changed while the report was written", s->dir,
                        rel);
    }
    free(old);
    free(path);
    strbuf_release(&sb);
    return ret;
}

/* How many of the n sorted names start with prefix. */
static size_t count_prefix(char *const *names, size_t n, const char *prefix)
{
    size_t len = strlen(prefix), lo = 0, hi = n, first;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;

        if (strcmp(names[mid], prefix) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    first = lo;
    while (lo < n && !strncmp(names[lo], prefix, len))
        lo++;
    return lo - first;
}

static int cmp_index(const void *a, const void *b, void *files)
{
    char **f = files;

    return strcmp(f[*(const size_t *)a], f[*(const size_t *)b]);
}

/* Move the folders moved over whole back to the old site s->path. */
static int undo_moves(struct site *s)
{
    int ret = 0;

    while (s->nmoved) {
        char *rel = s->moved[--s->nmoved];
        char *from = path_in(s->tmp, rel), *to = path_in(s->path, rel);

        if (rename(from, to))
            ret = error_errno("%s: cannot move it back to %s/%s", from, s->dir,
                              rel);
        free(from);
        free(to);
        free(rel);
    }
    return ret;
}

/*
 * Put the files taken over from the old site (site_reuse()) into the new
 * one. A folder whose files in the new site are all taken over, and are
 * exactly the old site's files there, moves whole: one rename instead of
 * a folder made, a link per file, and as many unlinks when the old site
 * is removed. Only swap() calls it, with the old site's own check done
 * and signals blocked; a failure moves the folders back.
 */
static int take_over(struct site *s)
{
    size_t *idx, n = 0, nall = s->n;
    int ret = 0;

    for (size_t i = 0; i < s->n; i++)
        n += s->deferred[i];
    if (!n)
        return 0;
    idx = xcalloc(nall, sizeof(*idx));
    for (size_t i = 0; i < nall; i++)
        idx[i] = i;
    qsort_r(idx, nall, sizeof(*idx), cmp_index, s->files);
    for (size_t k = 0; k < nall && !ret;) {
        size_t i = idx[k], first = k, end, plen, taken = 0;
        const char *rel = s->files[i], *slash = strrchr(rel, '/');
        char *dir, *prefix, *from, *to;
        struct stat st;
        bool whole;

        if (!s->deferred[i]) {
            k++;
            continue;
        }
        if (!slash) {
            ret = link_previous(s, i);
            k++;
            continue;
        }
        dir = xstrndup(rel, (size_t)(slash - rel));
        prefix = xasprintf("%s/", dir);
        plen = strlen(prefix);
        /*
         * Sorted, the files below dir follow one another, from first to
         * end; those before k are not taken over (so dir is not whole).
         */
        while (first > 0 && !strncmp(s->files[idx[first - 1]], prefix, plen))
            first--;
        for (end = k; end < nall && !strncmp(s->files[idx[end]], prefix, plen);
             end++)
            taken += s->deferred[idx[end]];
        from = path_in(s->path, dir);
        to = path_in(s->tmp, dir);
        whole = taken == end - first &&
                count_prefix(s->prev, s->nprev, prefix) == end - first &&
                lstat(to, &st) && errno == ENOENT && !lstat(from, &st) &&
                S_ISDIR(st.st_mode);
        if (whole && make_parents(s->tmp, dir)) {
            ret = -1; /* told which folder */
        } else if (whole && !rename(from, to)) {
            ALLOC_GROW(s->moved, s->nmoved + 1, s->moved_alloc);
            s->moved[s->nmoved++] = dir;
            dir = NULL;
            if (s->nmoved == 1)
                kill_point("move");
        } else {
            /* Not whole, or it cannot move (a read-only parent): link. */
            for (size_t j = k; j < end && !ret; j++)
                if (s->deferred[idx[j]])
                    ret = link_previous(s, idx[j]);
        }
        free(dir);
        free(prefix);
        free(from);
        free(to);
        k = end;
    }
    free(idx);
    if (ret)
        undo_moves(s);
    else
        memset(s->deferred, 0, s->n * sizeof(*s->deferred));
    return ret;
}

int site_read(const struct site *s, const char *rel, struct strbuf *out)
{
    char *path = path_in(s->tmp, rel);
    FILE *f = fopen(path, "rb");
    char buf[8192];
    size_t n;
    int ret = 0;

    /*
     * A file taken over is in the old site until site_commit(), checked
     * by its hash and read the same way (never through a link). Threads
     * that render pages call this while the main thread adds files: only
     * what site_open() set (the old manifest) is looked at here.
     */
    if (!f && errno == ENOENT && s->path && listed(s->prev, s->nprev, rel)) {
        int fd;

        free(path);
        path = path_in(s->path, rel);
        fd = open(path, O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC);
        f = fd < 0 ? NULL : fdopen(fd, "rb");
        if (!f && fd >= 0)
            close(fd);
    }
    if (!f) {
        ret = error_errno("%s: cannot read", path);
        free(path);
        return ret;
    }
    while ((n = fread(buf, 1, sizeof(buf), f)))
        strbuf_add(out, buf, n);
    if (ferror(f))
        ret = error_errno("%s: cannot read", path);
    fclose(f);
    free(path);
    return ret;
}

int site_read_previous(const struct site *s, const char *rel,
                       struct strbuf *out)
{
    char **files;
    size_t n;
    char *path;
    int ret;

    if (!s->dir || !s->path)
        return 0;
    ret = read_manifest(s->path, &files, &n);
    if (ret <= 0)
        return ret;
    ret = 0;
    if (listed(files, n, rel)) {
        path = path_in(s->path, rel);
        ret =
            read_regular(path, PREVIOUS_MAX, "not a file reportgen wrote", out);
        free(path);
    }
    free_list(files, n);
    return ret;
}

int site_write_single(struct site *s, const void *data, size_t len)
{
    if (s->single_rel) {
        for (size_t i = 0; i < s->n; i++)
            if (!strcmp(s->files[i], s->single_rel))
                return error("%s: is a file of the report itself; choose "
                             "another name",
                             s->single_given);
        return site_write(s, s->single_rel, data, len);
    }
    strbuf_reset(&s->single_data);
    strbuf_add(&s->single_data, data, len);
    s->has_single_data = true;
    return 0;
}

/*
 * Write the one-file report outside the site: a temporary file beside
 * the target (through any symbolic link: s->single is resolved) renamed
 * over it, with the mode the target had, or the umask's.
 */
static int commit_single(struct site *s)
{
    char *parent, *base, *tmp;
    struct stat st;
    mode_t mode = s->mode & 0666;
    size_t done = 0;
    int fd, ret = 0;

    if (check_single(s))
        return -1;
    if (!lstat(s->single, &st))
        mode = st.st_mode & 07777;
    split_path(s->single, &parent, &base);
    if (make_folders(parent)) {
        free(parent);
        free(base);
        return -1;
    }
    tmp = xasprintf("%s/.%s.reportgen-new-XXXXXX",
                    strcmp(parent, "/") ? parent : "", base);
    free(parent);
    free(base);
    fd = mkstemp(tmp);
    if (fd < 0) {
        ret = error_errno("%s: cannot write", s->single_given);
        free(tmp);
        return ret;
    }
    watch(CLEANUP_FILE, tmp);
    while (done < s->single_data.len) {
        ssize_t n =
            write(fd, s->single_data.buf + done, s->single_data.len - done);

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            ret = error_errno("%s: cannot write", s->single_given);
            break;
        }
        done += (size_t)n;
    }
    if (!ret && fchmod(fd, mode))
        ret = error_errno("%s: cannot write", s->single_given);
    if (close(fd) && !ret)
        ret = error_errno("%s: cannot write", s->single_given);
    if (!ret && rename(tmp, s->single))
        ret = error_errno("%s: cannot write", s->single_given);
    if (ret)
        unlink(tmp);
    watch(CLEANUP_NONE, NULL);
    free(tmp);
    return ret;
}

static int write_manifest(struct site *s)
{
    struct strbuf sb = STRBUF_INIT;
    char *tmp = path_in(s->tmp, SITE_MANIFEST ".tmp");
    char *path = path_in(s->tmp, SITE_MANIFEST);
    int ret;

    char **sorted = xcalloc(s->n ? s->n : 1, sizeof(*sorted));

    /* A sorted copy: files[i] stays beside its size and hash. */
    if (s->n) {
        memcpy(sorted, s->files, s->n * sizeof(*sorted));
        qsort(sorted, s->n, sizeof(*sorted), cmp_str);
    }
    strbuf_addstr(&sb, "# files written by reportgen; any other file in "
                       "this folder is kept when the report is rewritten\n");
    for (size_t i = 0; i < s->n; i++)
        strbuf_addf(&sb, "%s\n", sorted[i]);
    free(sorted);
    ret = write_file(tmp, sb.buf, sb.len);
    if (!ret && rename(tmp, path))
        ret = error_errno("%s: cannot write", path);
    strbuf_release(&sb);
    free(tmp);
    free(path);
    return ret;
}

/* Move the user's files back from the new site after a failure. */
static void roll_back(struct site *s)
{
    struct carry c;

    if (undo_moves(s)) {
        error("%s: holds folders of the old site that could not be put "
              "back; the next run puts them back",
              s->tmp);
        free(s->tmp);
        s->tmp = NULL;
        return;
    }
    memset(&c, 0, sizeof(c));
    c.from = s->tmp;
    c.from_name = s->tmp;
    c.to = s->path;
    c.ours = s->files;
    c.nours = s->n;
    c.restore = true;
    if (carry_tree(&c, "")) {
        error("%s: holds files of yours that could not be put back; the "
              "next run puts them back",
              s->tmp);
        /* Not ours alone any more: site_release() must leave it. */
        free(s->tmp);
        s->tmp = NULL;
    }
}

/*
 * Swap the two folders: one renameat2(RENAME_EXCHANGE) where the kernel
 * and the file system have it, else two renames through s->old. Sets
 * *aside to where the old site is now.
 */
static int exchange(struct site *s, const char **aside)
{
#ifdef RENAME_EXCHANGE
    if (!getenv("REPORTGEN_TEST_NO_EXCHANGE")) {
        if (!renameat2(AT_FDCWD, s->tmp, AT_FDCWD, s->path, RENAME_EXCHANGE)) {
            *aside = s->tmp;
            return 0;
        }
        if (errno != EINVAL && errno != ENOSYS && errno != EOPNOTSUPP)
            return error_errno("%s: cannot move the site into place", s->dir);
    }
#endif
    if (rename(s->path, s->old))
        return error_errno("%s: cannot move the old site aside", s->dir);
    kill_point("aside");
    if (rename(s->tmp, s->path)) {
        error_errno("%s: cannot move the site into place", s->dir);
        if (rename(s->old, s->path))
            error_errno("%s: cannot put the old site back from %s", s->dir,
                        s->old);
        return -1;
    }
    *aside = s->old;
    return 0;
}

/* Move the new site to where none is (or an empty folder was). */
static int place_new(struct site *s)
{
#ifdef RENAME_NOREPLACE
    if (!renameat2(AT_FDCWD, s->tmp, AT_FDCWD, s->path, RENAME_NOREPLACE))
        return 0;
    if (errno != EINVAL && errno != ENOSYS && errno != EOPNOTSUPP)
        return -1;
#endif
    return rename(s->tmp, s->path);
}

static int swap(struct site *s)
{
    struct stat st;
    struct carry c;
    const char *aside = NULL;
    int have;

    if (lstat(s->path, &st) && errno == ENOENT) {
        chmod(s->tmp, s->mode);
        if (take_over(s)) /* nothing to take over from: a bug */
            return -1;
        if (!place_new(s))
            goto placed;
        if (errno != EEXIST && errno != ENOTEMPTY)
            return error_errno("%s: cannot move the site into place", s->dir);
    }
    if (stat(s->path, &st))
        return error_errno("%s: cannot write the site", s->dir);
    if (!S_ISDIR(st.st_mode))
        return error("%s: exists and is not a folder", s->dir);
    /* The old site's group where we may (else ours), then its mode. */
    if (chown(s->tmp, (uid_t)-1, st.st_gid) && errno != EPERM)
        return error_errno("%s: cannot write", s->tmp);
    chmod(s->tmp, st.st_mode & 07777);

    memset(&c, 0, sizeof(c));
    have = read_manifest(s->path, &c.ours, &c.nours);
    if (have < 0)
        return -1;
    if (!have) {
        if (take_over(s)) /* nothing to take over from: a bug */
            return -1;
        /* An empty folder: rmdir() refuses if the user filled it since. */
        if (rmdir(s->path))
            return errno == ENOTEMPTY || errno == EEXIST
                       ? error("%s: folder is not empty and was not written "
                               "by reportgen; refusing to replace it",
                               s->dir)
                       : error_errno("%s: cannot replace the empty folder",
                                     s->dir);
        kill_point("aside");
        if (!place_new(s))
            goto placed;
        error_errno("%s: cannot move the site into place", s->dir);
        mkdir(s->path, st.st_mode & 07777);
        return -1;
    }

    c.from = s->path;
    c.from_name = s->dir;
    c.to = s->tmp;
    c.extra = s->single_rel;
    c.dry = true;
    if (carry_tree(&c, "") || c.problems) {
        free_list(c.ours, c.nours);
        return -1;
    }
    if (take_over(s)) {
        free_list(c.ours, c.nours);
        return -1;
    }
    c.dry = false;
    c.kill_step = "carry";
    if (carry_tree(&c, "")) {
        free_list(c.ours, c.nours);
        roll_back(s);
        return -1;
    }
    kill_point("carried");
    if (exchange(s, &aside)) {
        free_list(c.ours, c.nours);
        roll_back(s);
        return -1;
    }
    kill_point("exchange");
    /* The old site holds only files its manifest lists: remove them. */
    c.from = aside;
    c.from_name = aside;
    c.to = s->path;
    c.restore = true;
    c.kill_step = "cleanup";
    c.moved = 0;
    if (carry_tree(&c, "") || remove_ours(&c, ""))
        warning("%s: left in place: it holds files reportgen did not write",
                aside);
    free_list(c.ours, c.nours);
placed:
    free(s->tmp);
    s->tmp = NULL;
    return 0;
}

int site_commit(struct site *s)
{
    sigset_t saved;
    int ret;

    if (!s->dir) /* scratch: only the one-file report is written */
        return s->has_single_data ? commit_single(s) : 0;
    if (write_manifest(s))
        return -1;
    kill_point("manifest");
    block_signals(&saved);
    watch(CLEANUP_NONE, NULL);
    ret = swap(s);
    if (s->tmp)
        watch(CLEANUP_TREE, s->tmp);
    sigprocmask(SIG_SETMASK, &saved, NULL);
    if (!ret && s->has_single_data)
        ret = commit_single(s);
    return ret;
}

void site_release(struct site *s)
{
    watch(CLEANUP_NONE, NULL);
    if (s->tmp) {
        if (s->dir)
            settle(s, s->tmp, NULL, NULL);
        else
            remove_tree(s->tmp);
    }
    if (s->lock_fd >= 0)
        close(s->lock_fd);
    free(s->dir);
    free(s->path);
    free(s->parent);
    free(s->base);
    free(s->tmp);
    free(s->old);
    for (size_t i = 0; i < s->n; i++)
        free(s->files[i]);
    free(s->files);
    free(s->sizes);
    free(s->hashes);
    free(s->deferred);
    free_list(s->moved, s->nmoved);
    free(s->made);
    free_list(s->prev, s->nprev);
    free(s->single);
    free(s->single_given);
    free(s->single_rel);
    strbuf_release(&s->single_data);
    memset(s, 0, sizeof(*s));
    s->lock_fd = -1;
}

void site_fork(struct site *child)
{
    memset(child, 0, sizeof(*child));
    child->lock_fd = -1;
    strbuf_init(&child->single_data, 0);
    child->forked = true;
}

int site_join(struct site *parent, struct site *child)
{
    int ret = 0;

    for (size_t i = 0; i < child->n; i++) {
        if (!ret && parent && child->linked[i])
            ret = site_reuse(parent, child->files[i], child->sizes[i],
                             child->hashes[i]);
        else if (!ret && parent)
            ret = write_hashed(parent, child->files[i], child->held[i].buf,
                               child->held[i].len, child->hashes[i]);
        free(child->files[i]);
        strbuf_release(&child->held[i]);
    }
    free(child->files);
    free(child->sizes);
    free(child->hashes);
    free(child->deferred);
    free(child->held);
    free(child->linked);
    site_fork(child);
    return ret;
}
