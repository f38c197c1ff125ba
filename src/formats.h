/*
 * formats.h - the log formats reportgen reads, and how a folder is
 * searched for runs of each.
 *
 * Each format is one struct format in one file (read_<id>.c), listed in
 * formats.c; the helpers declared at the end live in scan.c. A format has
 * a scan()
 * that looks at one folder's listing and claims the runs it holds, and a
 * read() that turns one claimed run into a struct metrics with canonical
 * column names (train_loss, val_loss, train_acc, val_acc, lr, grad_norm,
 * <metric>@<slice>), the log's own names kept in column->orig.
 *
 * runs.c walks RUNS_DIR; in every folder it calls the scan() of each
 * format in the order of formats[] (most specific first). A scan claims
 * the entries it reads (files, or whole sub-folders such as dvclive/ or
 * mlruns/) so that a later, more general format does not read them again,
 * and the walk does not descend into claimed sub-folders.
 */
#ifndef REPORTGEN_FORMATS_H
#define REPORTGEN_FORMATS_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "metrics.h"

struct format;

/* One entry of a folder listing. */
struct dir_entry {
    char *name;
    bool is_dir;  /* a real folder (symbolic links are not followed) */
    bool claimed; /* read by a format already */
};

/* A folder being scanned: its entries sorted bytewise by name. */
struct dir_list {
    const char *path; /* the folder, as a path usable with fopen() */
    const char *rel;  /* the folder relative to RUNS_DIR ("" for the root) */
    size_t n;
    struct dir_entry *e;
};

/* A run found by a scan, to be read later. */
struct candidate {
    const struct format *format;
    char *name;  /* run name: rel of its folder, or rel/what for a
                    folder holding several runs; runs.c makes it unique */
    char *dir;   /* the run's folder (config files are looked for here) */
    char *path;  /* the file or folder read() opens */
    char *extra; /* a second path read() needs, or NULL */
    char *key;   /* which run within a multi-run source (a W&B run
                    name, say), or NULL */
};

struct candidates {
    size_t n, alloc;
    struct candidate *c;
};

struct format {
    const char *id;    /* stable identifier, in summary.json: "keras" */
    const char *label; /* shown to people: "Keras CSVLogger" */
    /*
     * Look at the folder dl and append to out one candidate per run of
     * this format it holds, setting claimed on every entry it will read.
     * Entries already claimed must be left alone. May open files to sniff
     * their first bytes; must not print. Returns nothing: a file that
     * does not look like this format is simply not claimed.
     */
    void (*scan)(struct dir_list *dl, struct candidates *out);
    /*
     * Read candidate c. Returns a new struct metrics (with format and
     * xbase set), or NULL with *why set to "PATH:LINE: message" (caller
     * frees) when the log cannot be read.
     */
    struct metrics *(*read)(const struct candidate *c, char **why);
    /*
     * Optional (may be left out of an initialiser): read the run's
     * settings when the format keeps them other than as a config file in
     * c->dir (MLflow's params/ folder). Same return as config_load_dir().
     * When NULL, config_load_dir(c->dir) is used.
     */
    int (*config)(const struct candidate *c, struct config *cfg, char **why);
};

/* Every format, most specific first; NULL-terminated (formats.c). */
extern const struct format *const formats[];

extern const struct format format_hf_trainer, format_tfevents, format_dvclive,
    format_mlflow, format_ultralytics, format_yolov5_txt, format_lightning,
    format_fastai, format_native, format_keras, format_detectron2, format_wandb,
    format_catboost, format_generic_csv;

/*
 * Append a candidate (strings copied; extra may be NULL) and return it,
 * so the caller can set key (with xstrdup()).
 */
struct candidate *candidates_add(struct candidates *cs, const struct format *f,
                                 const char *name, const char *dir,
                                 const char *path, const char *extra);
void candidates_release(struct candidates *cs);

/*
 * List the folder path (rel below RUNS_DIR; both kept as pointers, not
 * copied) into dl: sorted bytewise, hidden entries ('.' first) left out.
 * Returns 0, or -1 with errno set and dl empty. dir_list_release() frees
 * the entries.
 */
int dir_list_read(struct dir_list *dl, const char *path, const char *rel);
void dir_list_release(struct dir_list *dl);
/*
 * A walk of every file below a folder, for a format that keeps one file
 * per metric or setting in nested folders (DVCLive, MLflow).
 */
struct walk_files {
    /*
     * Called for each entry below the folder that is not a folder (links
     * are not followed), depth first in listing_read() order; path opens
     * it, rel is its name below the folder ("a/b/c"). A nonzero return
     * stops the walk and is returned.
     */
    int (*visit)(void *ctx, const char *path, const char *rel);
    void *ctx;
    int max_depth; /* folders nested deeper are passed over */
    char **why;    /* "DIR: cannot read the folder" goes here */
};

/*
 * Walk the folder dir as wf says. Returns 0, what a visit returned, or
 * -1 with *wf->why set (the caller frees it) when a folder cannot be
 * listed.
 */
int walk_files(const char *dir, const struct walk_files *wf);

/* The entry named name in dl, or NULL. */
struct dir_entry *dir_list_find(struct dir_list *dl, const char *name);
/*
 * Claim every entry of dl whose name is among the n names (the files a
 * run's log comes with); folders too when folders is true.
 */
void dir_list_claim(struct dir_list *dl, const char *const *names, size_t n,
                    bool folders);
/*
 * The first line (first_line()) of the entry e of dl, newly allocated, or
 * NULL when e is NULL, a folder, claimed already, or cannot be read: what
 * a scan looks at to tell whether a file is its format's.
 */
char *dir_list_first_line(const struct dir_list *dl, const struct dir_entry *e);
/* "<dl->path>/<name>", newly allocated. */
char *dir_list_path(const struct dir_list *dl, const char *name);
/*
 * Read up to size-1 bytes from the start of path into buf, NUL-terminated
 * (NUL bytes inside become 0x01 so the result is a C string). Returns the
 * number of bytes read, or -1 when the file cannot be opened.
 */
long sniff(const char *path, char *buf, size_t size);
/* The first line of what sniff() read (up to CR or LF), trimmed, in a new
 * string; a UTF-8 byte order mark is dropped. */
char *first_line(const char *buf);
/* The first line of the file at path, or NULL when it cannot be read or
 * is empty (sniff() of its first 4 KiB, then first_line()). */
char *sniff_first_line(const char *path);

#endif
