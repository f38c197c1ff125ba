/*
 * heldout.h - which logged columns are held-out metrics, how they rank,
 * and the selection rule reportgen chooses when none is given.
 *
 * With no --select and no "select:" in reportgen.yaml, each run is judged
 * on its own held-out metric: the one its logger marks as deciding the
 * best checkpoint (struct metrics' hint: the Trainer's best_metric, the
 * Ultralytics fitness, a checkpoint or early-stopping "monitor" in the
 * run's config) when the run logs it, else the best-ranked held-out
 * column by the documented preference: held-out loss, then error rates,
 * then scores (accuracy, F1, AUC, AP, mAP, ...). The direction follows
 * from the name. The report's rule is then the choice most runs share;
 * the other runs keep their own best checkpoint and are left out of the
 * comparison. Pure: no I/O.
 */
#ifndef REPORTGEN_HELDOUT_H
#define REPORTGEN_HELDOUT_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "diagnose.h"
#include "metrics.h"

/* The preference classes, best first. */
enum heldout_kind {
    HELDOUT_NONE = -1, /* not a held-out metric reportgen can rank */
    HELDOUT_LOSS = 0,  /* held-out loss: lower is better */
    HELDOUT_ERROR,     /* error rates (WER, RMSE, MAE, ...): lower */
    HELDOUT_SCORE      /* accuracy, F1, AUC, AP, mAP, ...: higher */
};

/*
 * The class of a column named name (reportgen's name or the log's), and
 * in *maximize its direction. A held-out metric is named as one (val_,
 * valid, validation, eval, test, dev, Ultralytics' metrics/, COCO's
 * bbox/ and segm/); timings, counters, sizes and running bests are not.
 */
enum heldout_kind heldout_kind(const char *name, bool *maximize);

/*
 * Is name a held-out score an untrained model scores about 0 on, whatever
 * the task (average precision, mAP, IoU, Dice, Jaccard, BLEU, ROUGE)?
 * Accuracy, F1 and AUC are not: their chance level depends on the classes.
 */
bool heldout_zero_chance(const char *name);

/*
 * The direction a metric's name implies when it is not a held-out metric
 * reportgen ranks: scores are maximised, everything else minimised.
 */
bool heldout_name_maximizes(const char *name);

/* Does the name say it is a total (a part "total": the sum of terms)? */
bool heldout_is_total_name(const char *name);

/* Does the name speak of a loss (a part holds "loss", in any case)? */
bool heldout_is_loss_name(const char *name);

/*
 * Choose run m's own held-out metric into rule (metric newly allocated)
 * and return its column, or NULL (rule untouched) when m has none. cfg
 * (may be NULL) is the run's config, searched for a "monitor" key. *why
 * is set to a static phrase saying how it was chosen.
 */
const struct column *heldout_choose(const struct metrics *m,
                                    const struct config *cfg, struct rule *rule,
                                    const char **why);
/*
 * The same by the preference order alone, hints left aside: the curve a
 * diagnosis reads best (a held-out loss moves before a score does).
 */
const struct column *heldout_preferred(const struct metrics *m,
                                       struct rule *rule, const char **why);

/*
 * The rule most of the n rules share (NULL entries are runs with no
 * held-out metric), ties broken by preference class, then by name.
 * Returns its index in rules[], or SIZE_MAX when every entry is NULL;
 * *count is how many share it.
 */
size_t heldout_most_shared(const struct rule *const *rules, size_t n,
                           size_t *count);

#endif
