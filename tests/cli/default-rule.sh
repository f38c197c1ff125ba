#!/bin/sh
# With no --select and no rules file, the rule is chosen from the runs'
# held-out metrics and every page says which and why; a run judged by
# another metric keeps its own best checkpoint and is left out of the
# comparison.
. "$srcdir/tests/lib.sh"
plan 18

R="$TMP/runs"
# mkrun NAME HEADER ROW...: a metrics.csv of the given rows.
mkrun() {
    mkdir -p "$R/$1"
    f="$R/$1/metrics.csv"
    echo "$2" >"$f"
    shift 2
    for row in "$@"; do echo "$row" >>"$f"; done
}
mkrun a "epoch,train_loss,eval/wer,eval_runtime" \
    "1,1.0,0.60,3" "2,0.8,0.40,3" "3,0.7,0.45,3"
mkrun b "epoch,train_loss,eval/wer" "1,1.0,0.50" "2,0.9,0.30" "3,0.8,0.35"
mkrun c "epoch,train_loss,val_accuracy" "1,1.0,0.5" "2,0.9,0.7" "3,0.8,0.6"
mkrun d "epoch,train_loss" "1,1.0" "2,0.9" "3,0.8"

rg "$R" -o "$TMP/site"
t_is "exit 0" "$rc" 0
S="$TMP/site/summary.json"
t_grep "the chosen rule" '"select": "eval/wer:min"' "$S"
t_grep "why it was chosen" \
    '"chosen": "no rule given: the held-out metric 2 of the 4 runs read' "$S"
t_grep "a run's best by the rule" '"epoch": 2,' "$S"
t_grep "a run with another held-out metric keeps its own best" \
    '"metric": "val_accuracy",' "$S"
t_grep "and is marked so" \
    "best checkpoint by its own held-out metric, val_accuracy:max" "$S"
t_grep "a run with no held-out metric says so" \
    "no held-out metric (no column named as validation" "$S"
for p in index.html compare.html runs/a/index.html runs/c/index.html; do
    t_grep "$p says how the rule was chosen" "no rule given: the held-out" \
        "$TMP/site/$p"
done
# One training loss and one held-out loss under other names map
# themselves; two training losses are ambiguous and stay as they are.
mkrun e/one "epoch,train/nll_loss,ValLoss" "1,1.0,0.9" "2,0.8,0.7" "3,0.7,0.6"
mkrun f/two "epoch,data_loss,pde_loss,val_loss" "1,1,1,0.9" "2,0.8,0.8,0.7"
rg "$R/e" -o "$TMP/site-e"
t_grep "an unambiguous training loss maps itself" \
    "train/nll_loss&#39; is the only training loss logged: read as train_loss" \
    "$TMP/site-e/runs/one/index.html"
t_grep "so does a held-out loss" \
    "ValLoss&#39; is the only held-out loss logged: read as val_loss" \
    "$TMP/site-e/runs/one/index.html"
rg "$R/f" -o "$TMP/site-f"
t_nogrep "two training losses are ambiguous" "read as train_loss" \
    "$TMP/site-f/runs/two/index.html"
t_grep "summary.md too" 'no rule given: the held-out' "$TMP/site/summary.md"
# The run judged by its own metric: left out only, its value named.
t_grep "its diagnosis decides, not investigate" \
    "left out of the comparison; judged alone, the diagnosis" "$S"
t_grep "summary.md names the metric of its best" \
    '| \[c\](runs/c/index.html) | \*\*[a-z]*\*\* | 0.7 (val_accuracy) |' \
    "$TMP/site/summary.md"
t_grep "compare.html names it, and sorts it with the runs without a best" \
    'data-sort="">0.7<span class="sub">val_accuracy, at epoch 2' \
    "$TMP/site/compare.html"
t_done
