/*
 * csvload.h - the native metrics.csv reader, on libcsv.
 *
 * csvload.c is the only file that includes <csv.h>. The format: a header
 * line, then one row per epoch or step. An "epoch" or "step" column gives
 * the x axis (epoch preferred when both exist). Empty cells are missing;
 * nan, inf, -inf (any case) are non-finite values. Cells and header names
 * are trimmed of white space. Any other text in a cell is an error.
 */
#ifndef REPORTGEN_CSVLOAD_H
#define REPORTGEN_CSVLOAD_H

#include "metrics.h"

/*
 * Read the CSV file at path into a new struct metrics (metrics_free() it).
 * On failure return NULL and store in *why a message of the form
 * "PATH:LINE: what failed" (LINE omitted when the whole file is at fault),
 * which the caller frees. Failures: the file cannot be opened or read, is
 * empty, is binary (holds a NUL byte or is not UTF-8), has no header or no
 * epoch/step column, a duplicate column name, a row with more or fewer
 * fields than the header, a row without an x value, or a cell that is not
 * a number. Nothing is printed; the caller decides.
 */
struct metrics *csvload_file(const char *path, char **why);

/*
 * Let csvload_file() read a file of at least min_bytes on two threads
 * (0, the default: never). Its result and messages are the same either
 * way. Call it before any thread starts.
 */
void csvload_parallel(size_t min_bytes);
/* For the tests: how often a second thread's rows were kept, per thread. */
extern _Thread_local size_t csvload_tails_read;

/*
 * What is wrong with a header's column names, reading them left to right
 * from column first (0-based) on: the first that is empty ("empty name
 * for column 3 in header") or that an earlier column already has
 * ("duplicate column 'loss'"). Returns that message (the caller frees
 * it), or NULL when the names are fine. Every CSV reader checks its
 * header here, so they all refuse the same headers with the same words.
 */
char *csvload_header_problem(char *const *names, size_t n, size_t first);

/*
 * "PATH:LINE: not a number 'CELL' in column 'NAME'": the one message of
 * every reader for a cell that should hold a number (column NULL: none
 * named). Both are quoted as strbuf_add_quoted() quotes, cut at 40 and 80
 * bytes, so that a misread file neither floods the terminal nor writes
 * control bytes to it. The caller frees the result.
 */
char *csvload_cell_problem(const char *path, size_t line, const char *cell,
                           const char *column);

/* One record of a delimited text file, as csvload_each() hands it over. */
struct csv_record {
    size_t line; /* file line where the record starts */
    size_t nfields;
    char **fields; /* trimmed of white space, NUL-terminated; valid only
                      during the callback */
};

/*
 * Called for each record, the header included. Return 0 to go on, or -1
 * to stop the read (the callback keeps its own message).
 */
typedef int (*csv_record_fn)(const struct csv_record *rec, void *ctx);

/*
 * Read the delimited text file at path (delim ',' for CSV, '\t' for TSV,
 * ' ' for space-separated) record by record, streaming: the file is never
 * held whole. Handles what csvload_file() does (CRLF, bare CR, a UTF-8 BOM,
 * quoted fields, blank lines). Returns 0 when the whole file was read; -1
 * with *why set ("PATH:LINE: message", caller frees) when the file cannot
 * be read, is binary or UTF-16, or is malformed; -1 with *why NULL when fn
 * stopped the read.
 */
int csvload_each(const char *path, char delim, csv_record_fn fn, void *ctx,
                 char **why);
/*
 * csvload_each() with another cap on the fields of one record than
 * METRICS_MAX_COLUMNS: a file of one metric laid out along one row holds
 * a value per field, not a column per field.
 */
int csvload_each_max(const char *path, char delim, size_t max_fields,
                     csv_record_fn fn, void *ctx, char **why);
/*
 * "PATH:LINE: more than MAX fields ...": the message for a record of too
 * many fields, the same from every reader. The caller frees it.
 */
char *csvload_fields_problem(const char *path, size_t line, size_t max);

#endif
