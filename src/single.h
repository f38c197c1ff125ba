/*
 * single.h - the whole report as one self-contained HTML file, to attach
 * to a code review: the index, the comparison and every run page as
 * sections of one page, the stylesheet inlined, every chart inlined as
 * SVG, links turned into links within the page.
 */
#ifndef REPORTGEN_SINGLE_H
#define REPORTGEN_SINGLE_H

#include "html.h"
#include "runs.h"
#include "site.h"

/*
 * Render the report as one file and hand it to site_write_single(), which
 * writes it where site_open() was told. The pages are rendered again by
 * html.c in its one-file link mode (html.h), from the same structs as the
 * site's; the charts are read back from site, where charts.c wrote them
 * (not yet committed). info->overlay_svg holds the comparison's overlay,
 * whose file name is overlay (NULL when none was drawn). Returns 0, or -1
 * after error().
 */
int single_write(struct site *site, const struct run_set *set,
                 const struct report_info *info, const char *overlay);

#endif
