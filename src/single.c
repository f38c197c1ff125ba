/*
 * single.c - folds the finished site into one HTML file.
 *
 * The pages are reportgen's own, rendered from templates/ a moment ago,
 * so their shape is known: each has one <main> element, charts are
 * <img src="FILE.svg"> with FILE beside the page, and links between pages
 * use the site's fixed layout. Folding takes each page's <main>, puts it
 * in a <section> with an id, replaces each chart's <img> by the SVG
 * itself (plot.c writes it without ids and with every text escaped, so
 * it is safe to inline), and rewrites the links between pages into links
 * to those ids. Nothing the user wrote is re-read as markup: names were
 * escaped when the pages were rendered and are copied as they are.
 */
#include "single.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "strbuf.h"
#include "tmpl.h"
#include "util.h"
#include "banned.h"

/* Append the SVG at rel without its XML declaration and doctype. */
static int inline_svg(const struct site *site, const char *rel,
                      struct strbuf *out)
{
    struct strbuf svg = STRBUF_INIT;
    const char *start;

    if (site_read(site, rel, &svg)) {
        strbuf_release(&svg);
        return -1;
    }
    start = strstr(svg.buf, "<svg");
    strbuf_addstr(out, "<div class=\"inline-chart\">");
    strbuf_addstr(out, start ? start : "");
    strbuf_addstr(out, "</div>");
    strbuf_release(&svg);
    return 0;
}

/*
 * Rewrite one href value of the page at dir ("" for the root, else
 * "runs/<slug>/") into an in-page link, appending it to out.
 */
static void rewrite_href(struct strbuf *out, const char *href, size_t len,
                         const char *dir)
{
    char *h = xstrndup(href, len);
    const char *p = h;

    if (*dir)
        while (!strncmp(p, "../", 3))
            p += 3;
    if (!strcmp(p, "index.html") || !strcmp(p, "../index.html"))
        strbuf_addstr(out, "#index");
    else if (!strcmp(p, "compare.html"))
        strbuf_addstr(out, "#compare");
    else if (!strncmp(p, "runs/", 5) || (*dir && strstr(p, "/index.html"))) {
        /* runs/<slug>/index.html, or ../<slug>/index.html from a run page */
        const char *slug = !strncmp(p, "runs/", 5) ? p + 5 : p;
        const char *end = strchr(slug, '/');

        strbuf_addstr(out, "#run-");
        strbuf_add(out, slug, end ? (size_t)(end - slug) : strlen(slug));
    } else {
        strbuf_addstr(out, h);
    }
    free(h);
}

/*
 * Append the <main> of the page at dir/page to out, with charts inlined
 * and links rewritten.
 */
static int fold_page(const struct site *site, const char *dir, const char *page,
                     const char *id, struct strbuf *out)
{
    struct strbuf html = STRBUF_INIT;
    char *rel = xasprintf("%s%s", dir, page);
    const char *p, *end;
    int ret = 0;

    if (site_read(site, rel, &html)) {
        free(rel);
        strbuf_release(&html);
        return -1;
    }
    free(rel);
    p = strstr(html.buf, "<header class=\"page-header\">");
    if (!p)
        p = strstr(html.buf, "<main>");
    end = strstr(html.buf, "</main>");
    if (!p || !end) {
        strbuf_release(&html);
        return error("%s%s: page has no <main>", dir, page);
    }
    strbuf_addf(out, "<section class=\"folded\" id=\"%s\">\n", id);
    while (p < end && !ret) {
        const char *img = strstr(p, "<img src=\"");
        const char *href = strstr(p, "href=\"");
        const char *next = img && (!href || img < href) ? img : href;

        if (!next || next >= end) {
            strbuf_add(out, p, (size_t)(end - p));
            break;
        }
        strbuf_add(out, p, (size_t)(next - p));
        if (next == img) {
            const char *src = img + strlen("<img src=\"");
            const char *q = strchr(src, '"');
            const char *close = q ? strchr(q, '>') : NULL;
            char *file;

            if (!q || !close) {
                ret = error("%s: broken <img>", page);
                break;
            }
            file = xasprintf("%s%.*s", dir, (int)(q - src), src);
            ret = inline_svg(site, file, out);
            free(file);
            p = close + 1;
        } else {
            const char *v = href + strlen("href=\"");
            const char *q = strchr(v, '"');

            if (!q) {
                ret = error("%s: broken link", page);
                break;
            }
            strbuf_addstr(out, "href=\"");
            rewrite_href(out, v, (size_t)(q - v), dir);
            strbuf_addch(out, '"');
            p = q + 1;
        }
    }
    strbuf_addstr(out, "</main>\n</section>\n");
    strbuf_release(&html);
    return ret;
}

/*
 * Append sec to out with every from replaced by to. The pages escape
 * user text, so a tag such as "<h1>" in sec is always one of ours.
 */
static void add_replaced(struct strbuf *out, const struct strbuf *sec,
                         const char *const (*map)[2], size_t nmap)
{
    const char *p = sec->buf, *end = sec->buf + sec->len;

    while (p < end) {
        size_t k, best_k = nmap;
        const char *best = NULL;

        for (k = 0; k < nmap; k++) {
            const char *q = strstr(p, map[k][0]);

            if (q && (!best || q < best)) {
                best = q;
                best_k = k;
            }
        }
        if (!best) {
            strbuf_add(out, p, (size_t)(end - p));
            break;
        }
        strbuf_add(out, p, (size_t)(best - p));
        strbuf_addstr(out, map[best_k][1]);
        p = best + strlen(map[best_k][0]);
    }
}

/*
 * Fold one page as a section of the one <main>: its own <main> tags go,
 * and its <h1> becomes an <h2> unless keep_h1 (the index's title is the
 * document's). A run's section ends with a link back to the index.
 */
static int fold_section(const struct site *site, const char *dir,
                        const char *page, const char *id, bool keep_h1,
                        bool back, struct strbuf *out)
{
    static const char *const demote[][2] = {
        {"<main>\n", ""},
        {"</main>\n", ""},
        {"<h1>", "<h2 class=\"page-title\">"},
        {"</h1>", "</h2>"},
    };
    struct strbuf sec = STRBUF_INIT;
    int ret = fold_page(site, dir, page, id, &sec);

    if (!ret) {
        if (back) {
            /* Before the section's closing tag, the last line. */
            strbuf_setlen(&sec, sec.len - strlen("</section>\n"));
            strbuf_addstr(&sec, "<p class=\"back\"><a href=\"#index\">"
                                "Back to all runs</a></p>\n</section>\n");
        }
        add_replaced(out, &sec, demote, keep_h1 ? 2 : ARRAY_SIZE(demote));
    }
    strbuf_release(&sec);
    return ret;
}

int single_write(struct site *site, const struct run_set *set,
                 const struct report_info *info)
{
    struct strbuf out = STRBUF_INIT;
    const char *css;
    size_t css_len;
    int ret = 0;

    (void)info;
    css = tmpl_asset("style.css", &css_len);
    strbuf_addstr(&out, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
                        "<meta charset=\"utf-8\">\n"
                        "<meta name=\"viewport\" content=\"width=device-"
                        "width, initial-scale=1\">\n"
                        "<title>reportgen report</title>\n<style>\n");
    if (css)
        strbuf_add(&out, css, css_len);
    strbuf_addstr(&out, "\n.folded { border-top: 2px solid #d1d9e0; "
                        "margin-top: 32px; padding-top: 8px; }\n"
                        ".inline-chart svg { width: 100%; height: auto; }\n"
                        "</style>\n</head>\n<body>\n<main>\n");
    if (fold_section(site, "", "index.html", "index", true, false, &out) ||
        fold_section(site, "", "compare.html", "compare", false, true, &out))
        ret = -1;
    for (size_t i = 0; i < set->n && !ret; i++) {
        const struct run *r = &set->runs[i];
        char *dir, *id;

        if (r->status == RUN_SKIPPED)
            continue;
        dir = run_file_path(r, ""); /* "runs/<slug>/" */
        id = xasprintf("run-%s", r->slug);
        ret = fold_section(site, dir, "index.html", id, false, true, &out);
        free(dir);
        free(id);
    }
    strbuf_addstr(&out, "</main>\n</body>\n</html>\n");
    if (ret) {
        strbuf_release(&out);
        return -1;
    }

    ret = site_write_single(site, out.buf, out.len);
    strbuf_release(&out);
    return ret;
}
