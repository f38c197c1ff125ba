#!/bin/sh
# Early stopping replayed on the rule's metric: each run page says what
# patience 5 and 10 would have done, with numbers found in the log; the
# index, the comparison, summary.md and summary.json say the same
# sentence for the whole report.
. "$srcdir/tests/lib.sh"
plan 14

R="$TMP/runs"
mkdir -p "$R/flat" "$R/falling" "$R/late"
# flat: best at epoch 2, then 18 epochs without a new best (a tie at 3).
{
    echo epoch,train_loss,val_loss
    echo 1,1.0,0.9
    echo 2,0.9,0.5
    echo 3,0.8,0.5
    e=4
    while [ $e -le 20 ]; do
        echo "$e,0.7,0.6"
        e=$((e + 1))
    done
} >"$R/flat/metrics.csv"
# falling: a new best at every epoch.
{
    echo epoch,train_loss,val_loss
    for e in 1 2 3 4 5 6 7 8; do echo "$e,0.$((9 - e)),0.$((9 - e))1"; done
} >"$R/falling/metrics.csv"
# late: a plateau of 6 epochs, then the best at epoch 12; patience 5
# stops on the plateau and keeps a worse checkpoint; an empty cell at
# epoch 4 is no evaluation.
printf '%s\n' epoch,train_loss,val_loss 1,1,0.8 2,1,0.7 3,1,0.75 4,1, \
    5,1,0.75 6,1,0.75 7,1,0.75 8,1,0.75 9,1,0.72 10,1,0.71 11,1,0.69 \
    12,1,0.6 13,1,0.65 >"$R/late/metrics.csv"

rg "$R" -o "$TMP/site" --select val_loss:min
t_is "exit 0" "$rc" 0
S="$TMP/site"
t_grep "flat: patience 5 stops 5 evaluations after the best, a tie included" \
    'Patience 5 would have stopped at epoch 7 and kept the best checkpoint, epoch 2 (val_loss 0.5): 13 of 20 evaluations (65%) came after it.' \
    "$S/runs/flat/index.html"
t_grep "flat: patience 10 too" \
    'Patience 10 would have stopped at epoch 12 and kept the best checkpoint, epoch 2 (val_loss 0.5): 8 of 20 evaluations (40%) came after it.' \
    "$S/runs/flat/index.html"
t_grep "falling: never stopped" \
    'Patience 5 would not have stopped it: each of its 8 val_loss evaluations was a new best.' \
    "$S/runs/falling/index.html"
t_grep "late: patience 5 keeps a worse checkpoint, the empty cell skipped" \
    'Patience 5 would have stopped at epoch 8 and kept epoch 2 (val_loss 0.7), 0.1 worse than the best, epoch 12 (0.6): 5 of 12 evaluations (42%) came after it.' \
    "$S/runs/late/index.html"
t_grep "late: patience 10 does not stop" \
    'Patience 10 would not have stopped it: at most 7 evaluations in a row went without a new best val_loss, of 12 in all.' \
    "$S/runs/late/index.html"
t_grep "the definition is on the page" 'strictly better than the best so far' \
    "$S/runs/late/index.html"

total='Early stopping replayed on the 3 runs judged by val_loss: patience 10 would have saved 20% of their evaluations (8 of 40) at no loss; patience 5 would have saved 45% (18 of 40) at a loss on 1 run (late kept a checkpoint 0.1 worse than its best).'
for f in index.html compare.html summary.md; do
    t_grep "$f: the report's sentence" "$total" "$S/$f"
done
t_grep "summary.json: the same sentence" "\"text\": \"$total\"" \
    "$S/summary.json"
t_grep "summary.json: the run's numbers" '"stop_epoch": 8,' "$S/summary.json"
t_grep "summary.json: the saved evaluations" '"evaluations_saved": 18,' \
    "$S/summary.json"

# Same input, same output.
rg "$R" -o "$TMP/site2" --select val_loss:min
if diff -r "$S" "$TMP/site2" >/dev/null; then
    t_ok "the same input gives the same report"
else
    t_not_ok "the same input gives the same report"
fi
t_done
