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
 * Fold the pages already written into site (not yet committed) into one
 * file and hand it to site_write_single(), which writes it where
 * site_open() was told. Returns 0, or -1 after error().
 */
int single_write(struct site *site, const struct run_set *set,
                 const struct report_info *info);

#endif
