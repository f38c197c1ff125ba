/*
 * summary.h - the report's verdicts for machines and for code review:
 * summary.json (every fact of the index, for scripts) and summary.md
 * (GitHub-flavoured Markdown to paste into a review). Pure: both append
 * to a strbuf.
 */
#ifndef REPORTGEN_SUMMARY_H
#define REPORTGEN_SUMMARY_H

#include "changes.h"
#include "compare.h"
#include "runs.h"
#include "strbuf.h"

/*
 * Append summary.json: the rule, the baseline, the kept run, what changed
 * since the last report (ch, changes.h; null when ch is NULL or compared
 * nothing), early stopping over the runs, and one object per run.
 */
void summary_json(const struct run_set *set, const struct rules *rules,
                  const struct comparison *cmp, const struct changes *ch,
                  struct strbuf *out);

/*
 * Append summary.md, for a review comment: the headline (board.h), what
 * changed since the last report (ch, as in summary_json()), the rule, a table
 * of the first 10 runs and every run that needs action, their slice regressions
 * and next steps, and the other runs folded in a <details>; never more than
 * 60,000 bytes, whatever the number of runs. Links go to the run pages relative
 * to the site root, or under site_url when it is not NULL (--site-url), so that
 * they work in a comment.
 */
void summary_md(const struct run_set *set, const struct rules *rules,
                const struct comparison *cmp, const struct changes *ch,
                const char *site_url, struct strbuf *out);

/* Append s to out with Markdown's special characters made literal. */
void md_escape(struct strbuf *out, const char *s);

#endif
