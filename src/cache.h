/*
 * cache.h - what a site remembers of its runs, so that writing it again
 * redoes only the runs whose inputs changed.
 *
 * A site written by reportgen holds CACHE_FILE, one of its own files (the
 * manifest lists it). For each run processed it records the run's
 * inputs -- every file its reader opened, with its size and content hash,
 * and the listing of the folders it read from -- then the run's read,
 * analysis and drawn parts, its status and reason and the messages it
 * printed, and the size and content hash of each file written for it
 * (its charts and its page, with the page's key: see cache_page_key()).
 * The whole file is valid only for the same reportgen binary, the same
 * RUNS_DIR as given and the same options and rules that change what a
 * run gives (cache_open()).
 *
 * On the next report into the same SITE_DIR, a run whose identity and
 * inputs hash the same is restored instead of read, analysed and drawn,
 * and its charts are taken over from the old site (hard links, else
 * copies) once their content hashes as recorded: a file edited since is
 * not trusted, and the run is redone. The comparison, the index and the
 * summaries are always computed afresh; a run's page is taken over only
 * when its key is the same, that is when the page would come out the
 * same (cache_page_key()).
 */
#ifndef REPORTGEN_CACHE_H
#define REPORTGEN_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "compare.h"
#include "report.h"
#include "runs.h"
#include "site.h"
#include "strbuf.h"

/* The cache's file in the site, beside the manifest. */
#define CACHE_FILE ".reportgen-cache"

struct cache_run;

struct cache {
    const struct site *site; /* the report's, whose old site is read */
    bool enabled;      /* false: nothing is reused (--rebuild, no binary) */
    uint64_t global;   /* the binary, options and rules (cache_open()) */
    struct strbuf old; /* the old site's cache file, kept whole: restored
                          static strings point into it */
    size_t nold;
    struct cache_old *olds; /* its records, sorted by run name */
    size_t n;
    struct cache_run *runs; /* one per run of the set */
};

/*
 * Hash len bytes at data with seed: XXH64 (Yann Collet's xxHash, 64-bit
 * variant), used for content hashes of inputs and outputs. Not a
 * cryptographic hash: it tells reportgen's own files and inputs apart
 * from edited ones, not from forged ones.
 */
uint64_t cache_hash(const void *data, size_t len, uint64_t seed);

/*
 * cache_hash() (seed 0) of the bytes of the regular file at path, read a
 * piece at a time. Returns 0, or -1 when it cannot be read whole.
 */
int cache_hash_path(const char *path, uint64_t *hash);

/*
 * Start the cache of a report of set (already found) into site (open),
 * under opt and rules (made). The old site's cache file is read when it
 * was written by this very binary under the same options; with reuse
 * false (--rebuild) nothing is read, but the new cache is still written.
 * Never fails: a cache that cannot be read is ignored.
 */
void cache_open(struct cache *c, const struct site *site,
                const struct run_set *set, const struct options *opt,
                const struct rules *rules, bool reuse);

/*
 * Try to restore run r (set->runs[i]) from the old site: when its
 * identity and inputs are unchanged and its charts there hash as
 * recorded, its parts, status and reason are restored, its charts are
 * taken into site (site_reuse()) and the messages it printed are appended
 * to err. Returns 1 when restored, 0 when r must be processed, -1 after
 * error(). Safe on several threads for different runs.
 */
int cache_restore(struct cache *c, struct site *site, struct run_set *set,
                  size_t i, struct strbuf *err);

/*
 * Around processing run i into site (the report's, or the run's own with
 * -j): cache_begin() lists its folders and starts recording the files
 * its reader opens on this thread; cache_end() stops, hashes them, and
 * keeps r's parts, the messages err holds from offset err_from on and the
 * files site received meanwhile (its charts). A run whose inputs changed
 * while it was read is not kept.
 */
void cache_begin(struct cache *c, const struct site *site,
                 const struct run_set *set, size_t i);
void cache_end(struct cache *c, const struct site *site,
               const struct run_set *set, size_t i, const struct strbuf *err,
               size_t err_from);

/*
 * The content hash of rel, a file written or taken over for run i (one
 * of its charts): false when the cache does not keep run i or has no
 * such file of it.
 */
bool cache_chart_hash(const struct cache *c, size_t i, const char *rel,
                      uint64_t *hash);

/*
 * A run's page is taken over when its key is the same: the hash of the
 * page rendered with each chart replaced by cache_svg_stand_in() of its
 * content hash. That stand-in page is a function of everything the page
 * shows, charts included, so the same key means the same page.
 * cache_page_reuse() records the key of run i's page from that stand-in
 * page and, when the old site has the page at rel under the same key and
 * its bytes hash as recorded, takes it into site (site_reuse()). Returns
 * 1 when taken over, 0 when the page must be written, -1 after error().
 * Either way, cache_page_done() then records the site's last file as the
 * page.
 */
void cache_svg_stand_in(struct strbuf *out, uint64_t hash);

/*
 * How each stand-in begins: a tag no value shown on a page can hold (they
 * are escaped), nor a chart (its <svg> has other attributes).
 */
#define CACHE_STAND_IN_MARK "<svg data-hash=\""
int cache_page_reuse(struct cache *c, struct site *site,
                     const struct run_set *set, size_t i,
                     const struct strbuf *page, const char *rel);
void cache_page_done(struct cache *c, const struct site *site, size_t i);

/*
 * Write the new cache file into site (before site_commit()), from what
 * was kept of each run and the hashes of the files site wrote.
 * Returns 0, or -1 after error().
 */
int cache_write(struct cache *c, struct site *site, const struct run_set *set);

void cache_release(struct cache *c);

#endif
