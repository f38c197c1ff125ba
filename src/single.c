/*
 * single.c - the whole report as one HTML file.
 *
 * The pages are rendered by html.c from the same structs as the site's,
 * in its one-file link mode (html.h): each page is a <section> whose id
 * the others link to, with its charts inline. This file adds only what
 * frames them: the document's head with the stylesheet inlined, and the
 * one <main> that holds the sections. Nothing is parsed back: user text
 * is escaped once, by the templates, as on the site's pages.
 */
#include "single.h"

#include <stdlib.h>

#include "charts.h"
#include "strbuf.h"
#include "tmpl.h"
#include "util.h"
#include "banned.h"

int single_write(struct site *site, const struct run_set *set,
                 const struct report_info *info, const char *overlay)
{
    struct report_info in_page = *info;
    struct strbuf out = STRBUF_INIT;
    const char *css;
    size_t css_len;
    int ret;

    in_page.links = HTML_LINKS_IN_PAGE;
    in_page.chart_svgs = NULL;
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
                        "</style>\n</head>\n<body>\n<main>\n");
    ret = html_index(set, &in_page, &out) ||
          html_compare(set, &in_page, overlay, &out);
    in_page.overlay_svg = NULL;
    for (size_t i = 0; i < set->n && !ret; i++) {
        const struct run *r = &set->runs[i];
        struct strbuf *svgs;

        if (r->status == RUN_SKIPPED)
            continue;
        svgs = charts_read_svgs(site, r);
        in_page.chart_svgs = svgs;
        ret = !svgs || html_run(r, &in_page, &out);
        charts_free_svgs(r, svgs);
    }
    strbuf_addstr(&out, "</main>\n</body>\n</html>\n");
    if (!ret)
        ret = site_write_single(site, out.buf, out.len);
    strbuf_release(&out);
    return ret ? -1 : 0;
}
