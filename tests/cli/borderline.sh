#!/bin/sh
# A call made by a small margin says "borderline" in every output: the
# seed's overfitting case ends 30% above its best level, so with
# rel_worsen=0.29 the overfitting call passes by 4% of its threshold.
. "$srcdir/tests/lib.sh"
plan 12

mkdir -p "$TMP/runs/over"
printf 'epoch,train_loss,val_loss\n1,0.90,0.92\n2,0.55,0.63\n3,0.31,0.68\n4,0.18,0.82\n' \
    >"$TMP/runs/over/metrics.csv"

rg -q "$TMP/runs" -o "$TMP/sure"
t_is "a sure call: exit 0" "$rc" 0
t_grep "a sure call: summary.json lists no borderline finding" \
    '"borderline": \[\]' "$TMP/sure/summary.json"
for f in index.html runs/over/index.html summary.md; do
    t_nogrep "a sure call: $f does not say borderline" '>[Bb]orderline\|(borderline)' \
        "$TMP/sure/$f"
done

rg -q "$TMP/runs" -o "$TMP/near" --threshold rel_worsen=0.29
t_is "a close call: exit 0" "$rc" 0
tr -d ' \n' <"$TMP/near/summary.json" >"$TMP/near.json"
t_grep "a close call: summary.json names the finding and the threshold" \
    '"borderline":\[{"diagnosis":"overfitting","threshold":"rel_worsen","margin":0\.03' \
    "$TMP/near.json"
t_grep "a close call: the run page names the threshold and the share" \
    'Borderline: its closest test, rel_worsen, passed by 4% of its threshold\.' \
    "$TMP/near/runs/over/index.html"
t_grep "a close call: the index marks the main finding" \
    '<span class="borderline"[^>]*>borderline</span>' "$TMP/near/index.html"
t_grep "a close call: summary.md's reason says so" \
    'overfitting (borderline)' "$TMP/near/summary.md"
t_grep "a close call: the comparison's reason says so" \
    'overfitting (borderline)' "$TMP/near/compare.html"
t_grep "a close call keeps its decision" '"decision": "tune"' \
    "$TMP/near/summary.json"
t_done
