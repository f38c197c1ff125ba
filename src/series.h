/*
 * series.h - helpers for the readers of formats that log one file per
 * metric (W&B exports, DVCLive, MLflow, CatBoost, headerless CSVs): the
 * points of many files merged into one struct metrics by x, and the
 * mapping from a logger's metric names to reportgen's canonical ones.
 */
#ifndef REPORTGEN_SERIES_H
#define REPORTGEN_SERIES_H

#include <stddef.h>

#include "metrics.h"

/* One logged value: column col of the metrics being built is v at x. */
struct series_point {
    double x, v;
    size_t col;  /* column index in the struct metrics */
    size_t line; /* file line it was read from */
    size_t seq;  /* order of arrival, to keep the sort stable */
};

struct series_points {
    size_t n, alloc;
    struct series_point *p;
};

#define SERIES_POINTS_INIT                                                     \
    {                                                                          \
        0, 0, NULL                                                             \
    }

/* Append a point (x must not be NaN). */
void series_points_add(struct series_points *sp, size_t col, double x, double v,
                       size_t line);

/*
 * Append to m (which has its columns and no rows yet) one row per distinct
 * x, in increasing order of x, and store every point in its row. When a
 * column has several points at the same x, the one added last wins. A
 * row's line is that of its first point. Returns how many points were
 * overwritten that way; sp is emptied.
 */
size_t series_points_flush(struct series_points *sp, struct metrics *m);

/*
 * Note on m that over values (what series_points_flush() returned) were
 * logged again at an x already seen and the last one kept; nothing when
 * over is 0. Called where the reader's notes about the x axis are done,
 * so the note reads against the final x name.
 */
void series_note_repeats(struct metrics *m, size_t over);

void series_points_release(struct series_points *sp);

/*
 * The canonical name a logger's metric name stands for ("train_loss",
 * "val_loss", "train_acc", "val_acc", "lr"), or NULL. Knows the usual
 * spellings: loss, train/loss, train_loss, val/loss, val_loss, eval/loss,
 * test/loss, acc, accuracy, binary_accuracy, val_accuracy, lr,
 * learning_rate, ..., with an optional leading "epoch/" (Keras metrics as
 * W&B logs them), a space after the prefix ("validation loss", as MLflow
 * names may be) and Lightning's "_epoch" suffix ("train_loss_epoch").
 */
const char *series_canonical(const char *name);

/*
 * Rename the columns of m to their canonical names, at most one column
 * per canonical name. A column already named so in the log keeps it;
 * otherwise, of the columns whose names stand for the same canonical
 * name, the one with the most values takes it (the first one on a tie)
 * and a note names the others, which keep their own names.
 */
void series_rename_canonical(struct metrics *m);

/* "rel/what", or what alone when rel is empty. The caller frees it. */
char *series_join(const char *rel, const char *what);

#endif
