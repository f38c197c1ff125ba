/*
 * scan.c - small helpers every format's scan() and read() share: the
 * candidate list, folder listings, and sniffing the start of a file.
 */
#include "formats.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"
#include "util.h"
#include "banned.h"

struct candidate *candidates_add(struct candidates *cs, const struct format *f,
                                 const char *name, const char *dir,
                                 const char *path, const char *extra)
{
    struct candidate *c;

    ALLOC_GROW(cs->c, cs->n + 1, cs->alloc);
    c = &cs->c[cs->n++];
    memset(c, 0, sizeof(*c));
    c->format = f;
    c->name = xstrdup(name);
    c->dir = xstrdup(dir);
    c->path = xstrdup(path);
    c->extra = extra ? xstrdup(extra) : NULL;
    return c;
}

void candidates_release(struct candidates *cs)
{
    for (size_t i = 0; i < cs->n; i++) {
        free(cs->c[i].name);
        free(cs->c[i].dir);
        free(cs->c[i].path);
        free(cs->c[i].extra);
        free(cs->c[i].key);
    }
    free(cs->c);
    memset(cs, 0, sizeof(*cs));
}

int dir_list_read(struct dir_list *dl, const char *path, const char *rel)
{
    struct listing l;

    dl->path = path;
    dl->rel = rel;
    dl->n = 0;
    dl->e = NULL;
    if (listing_read(&l, path, LISTING_NO_HIDDEN))
        return -1;
    dl->n = l.n;
    dl->e = xreallocarray(NULL, l.n ? l.n : 1, sizeof(*dl->e));
    for (size_t i = 0; i < l.n; i++) {
        dl->e[i].name = l.e[i].name; /* handed over */
        dl->e[i].is_dir = l.e[i].kind == LISTING_DIR;
        dl->e[i].claimed = false;
    }
    free(l.e);
    return 0;
}

void dir_list_release(struct dir_list *dl)
{
    for (size_t i = 0; i < dl->n; i++)
        free(dl->e[i].name);
    free(dl->e);
    dl->n = 0;
    dl->e = NULL;
}

static int walk_below(const char *dir, const char *rel, int depth,
                      const struct walk_files *wf)
{
    struct listing l;
    int ret = 0;

    if (listing_read(&l, dir, 0)) {
        *wf->why = xasprintf("%s: cannot read the folder", dir);
        return -1;
    }
    for (size_t i = 0; i < l.n && !ret; i++) {
        char *path = xasprintf("%s/%s", dir, l.e[i].name);
        char *sub = xasprintf("%s%s", rel, l.e[i].name);

        if (l.e[i].kind != LISTING_DIR) {
            ret = wf->visit(wf->ctx, path, sub);
        } else if (depth < wf->max_depth) {
            char *subdir = xasprintf("%s/", sub);

            ret = walk_below(path, subdir, depth + 1, wf);
            free(subdir);
        }
        free(sub);
        free(path);
    }
    listing_release(&l);
    return ret;
}

int walk_files(const char *dir, const struct walk_files *wf)
{
    return walk_below(dir, "", 0, wf);
}

struct dir_entry *dir_list_find(struct dir_list *dl, const char *name)
{
    size_t lo = 0, hi = dl->n;

    /* The listing is sorted bytewise: binary search. */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(dl->e[mid].name, name);

        if (!c)
            return &dl->e[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

char *dir_list_path(const struct dir_list *dl, const char *name)
{
    return xasprintf("%s/%s", dl->path, name);
}

void dir_list_claim(struct dir_list *dl, const char *const *names, size_t n,
                    bool folders)
{
    for (size_t i = 0; i < n; i++) {
        struct dir_entry *e = dir_list_find(dl, names[i]);

        if (e && (folders || !e->is_dir))
            e->claimed = true;
    }
}

char *dir_list_first_line(const struct dir_list *dl, const struct dir_entry *e)
{
    char *path, *line;

    if (!e || e->is_dir || e->claimed)
        return NULL;
    path = dir_list_path(dl, e->name);
    line = sniff_first_line(path);
    free(path);
    return line;
}

long sniff(const char *path, char *buf, size_t size)
{
    char *why;
    FILE *f = input_open(path, &why);
    size_t n;

    free(why);
    if (!f)
        return -1;
    n = fread(buf, 1, size - 1, f);
    fclose(f);
    for (size_t i = 0; i < n; i++)
        if (!buf[i])
            buf[i] = 1;
    buf[n] = '\0';
    return (long)n;
}

char *sniff_first_line(const char *path)
{
    char buf[4096];

    return sniff(path, buf, sizeof(buf)) > 0 ? first_line(buf) : NULL;
}

char *first_line(const char *buf)
{
    struct strbuf sb = STRBUF_INIT;
    const char *p = buf;

    if (!strncmp(p, "\xef\xbb\xbf", 3))
        p += 3;
    strbuf_add(&sb, p, strcspn(p, "\r\n"));
    strbuf_trim(&sb);
    return strbuf_detach(&sb, NULL);
}
