/*
 * site.h - the output tree. site.c is the only code that writes under
 * SITE_DIR, and it writes the --single-file report too.
 *
 * Files are written into a temporary folder beside SITE_DIR and moved into
 * place as a whole by site_commit(). Every site records the files
 * reportgen wrote in a manifest (.reportgen-site, below); any other file
 * in an old site is the user's: it is moved into the new site, never
 * deleted, and every collision with the new report is found before
 * anything moves. A non-empty SITE_DIR without a manifest is not replaced.
 *
 * Names in the parent of SITE_DIR (BASE is the last component of SITE_DIR,
 * after symbolic links are followed):
 *
 *   .BASE.reportgen-lock  a lock file: every writer of the site holds an
 *                         flock() on it from site_open() to site_release(),
 *                         so two writers of one site take turns. It is left
 *                         in place (removing it would let two writers lock
 *                         two different files).
 *   .BASE.reportgen-new   the new site while it is written; after the swap,
 *                         briefly, the old site being removed.
 *   .BASE.reportgen-old   the old site, briefly, where the kernel cannot
 *                         swap two folders in one step.
 *
 * A run that is killed leaves these for the next run, which holds the lock,
 * so nobody else is using them: it puts back every file of the user's that
 * was moved, completes or undoes the swap and removes what is left.
 *
 * The manifest: a text file, one path per line relative to the site root
 * ("runs/a/index.html"), sorted bytewise, lines starting with '#' are
 * comments. It lists files only, never folders. A path listed there is
 * reportgen's and may be deleted on the next rewrite; anything else is not.
 */
#ifndef REPORTGEN_SITE_H
#define REPORTGEN_SITE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "strbuf.h"

#define SITE_MANIFEST ".reportgen-site"

struct site {
    char *dir;       /* SITE_DIR as given, for messages; NULL for scratch */
    char *path;      /* the folder the site goes to (absolute, real parent) */
    char *parent;    /* its parent folder */
    char *base;      /* its last component */
    char *tmp;       /* the folder being written */
    char *old;       /* parent/.BASE.reportgen-old */
    int lock_fd;     /* the flock()ed lock file, or -1 */
    mode_t mode;     /* mode of the site root */
    size_t n, alloc; /* files written, relative to the site root */
    char **files;
    size_t *sizes;    /* the size of files[i] */
    uint64_t *hashes; /* its content hash (cache_hash()) */
    size_t meta_alloc;
    bool *deferred; /* files[i] is taken over from the old site at commit */
    char **moved;   /* folders of the old site moved over whole at commit */
    size_t nmoved, moved_alloc;
    char **prev; /* the old site's manifest, sorted (site_open()) */
    char *made;  /* the folder of the last file written: it exists */
    size_t nprev;
    char *single;              /* --single-file (absolute), or NULL */
    char *single_given;        /* ... as given, for messages */
    char *single_rel;          /* set when it lies inside the site */
    struct strbuf single_data; /* its bytes, written by site_commit() */
    bool has_single_data;
    /* A forked site (site_fork()): the bytes of files[i], not written. */
    bool forked;
    struct strbuf *held;
    bool *linked; /* files[i] is to be taken over (site_reuse()) */
    size_t held_alloc;
};

/*
 * Prepare to write a site to dir and, when single_file is not NULL, the
 * one-file report to single_file. With dir NULL only single_file is
 * written; the pages are then built in a scratch folder under $TMPDIR.
 *
 * dir may name the site through symbolic links or as "site/." and the
 * like; a link is written through (the swap happens beside its target).
 * Missing parent folders of dir and single_file are created, as mkdir -p
 * would. It takes the site's lock (waiting, with a message, while another
 * reportgen holds it), recovers what an interrupted run left, and checks
 * that dir may be written (it does not exist, is empty, or holds a site
 * written by reportgen) and that single_file is absent or a regular file.
 * Returns 0, or -1 after error(); call site_release() in both cases.
 */
int site_open(struct site *s, const char *dir, const char *single_file);

/*
 * Write len bytes of data to rel (a "/"-separated path inside the site;
 * parent folders are made as needed). Returns 0, or -1 after error().
 */
int site_write(struct site *s, const char *rel, const void *data, size_t len);

/* site_write() of sb's bytes; sb is left empty (a forked site takes them). */
int site_write_buf(struct site *s, const char *rel, struct strbuf *sb);

/*
 * Append the bytes of rel, written earlier by site_write() or taken over
 * by site_reuse(), to out. Safe on other threads while the thread that
 * owns s writes to it. Returns 0, or -1 after error().
 */
int site_read(const struct site *s, const char *rel, struct strbuf *out);

/*
 * Append to out the bytes of rel in the site SITE_DIR holds now, before
 * site_commit() replaces it: only a regular file its manifest lists (a
 * file of reportgen's, not the user's), never through a symbolic link.
 * Returns 1, 0 when there is no such site or file (or s writes only
 * --single-file), or -1 after error() when it cannot be read.
 */
int site_read_previous(const struct site *s, const char *rel,
                       struct strbuf *out);

/*
 * Whether the old site (the one SITE_DIR holds now, of the site s opened)
 * has rel, a file its manifest lists, as a regular file of size bytes
 * whose content hashes to hash: 1 when it has, 0 when not.
 */
int site_previous_same(const struct site *s, const char *rel, size_t size,
                       uint64_t hash);

/*
 * Take rel, of size bytes hashing to hash, from the old site of the
 * report's site into dst (that site, or a forked site, which takes it at
 * site_join()). Nothing is done on disk until site_commit():
 * a folder whose files are all taken over, and are all the old site's
 * files there, is moved into the new site whole (one rename); any other
 * file taken over becomes a hard link to the old file, or where one
 * cannot be made, a copy, checked again. site_read() of rel reads the old
 * file until then. Check it with site_previous_same() first. Returns 0,
 * or -1 after error().
 */
int site_reuse(struct site *dst, const char *rel, size_t size, uint64_t hash);

/*
 * Hand over the bytes of the one-file report (site_open()'s single_file).
 * Inside the site it becomes one of the site's files; elsewhere
 * site_commit() writes it (to a temporary file renamed over the target,
 * keeping the target's mode). Returns 0, or -1 after error().
 */
int site_write_single(struct site *s, const void *data, size_t len);

/*
 * Write the manifest, move the user's files over from the old site and
 * swap the new site into place; then write the one-file report. Returns
 * 0, or -1 after error(), in which case the old site is as it was.
 * SIGINT, SIGTERM and SIGHUP wait while files move.
 */
int site_commit(struct site *s);

/*
 * Remove what is left of an uncommitted site (putting back any file of the
 * user's first), release the lock and free s. Safe after a failed
 * site_open() and after site_commit().
 */
void site_release(struct site *s);

/*
 * Start child as the site of one run processed on another thread (-j):
 * site_write() to it keeps the file in memory. site_join() then writes
 * child's files into parent, in the order they were written, and empties
 * child (it is never site_release()d); with parent NULL they are dropped.
 * Only the thread that owns parent writes to disk, so a signal's cleanup
 * never races with a file being created. Returns 0, or -1 after error().
 */
void site_fork(struct site *child);
int site_join(struct site *parent, struct site *child);

/*
 * For a process about to die (fatal signal, out of memory): remove the
 * temporary folder or file being written, using only async-signal-safe
 * calls and no allocation. While files of the user's are being moved
 * (inside site_commit()) it does nothing: the next run puts them back.
 * The caller must exit (or re-raise its signal) afterwards. site_open()
 * installs handlers for SIGINT, SIGTERM and SIGHUP that call it and then
 * die by the same signal.
 */
void site_abort_cleanup(void);

#endif
