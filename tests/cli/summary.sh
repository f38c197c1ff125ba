#!/bin/sh
# The headline and summary.md for a review comment: the same headline on
# the index, the comparison and summary.md; a table that fits a comment
# (under 60,000 characters for 1,000 runs); absolute links with
# --site-url; no escaping that GitHub-flavoured Markdown does not need;
# the one-file report as one document.
. "$srcdir/tests/lib.sh"
plan 17

R="$TMP/runs"
# 1,000 runs of a sweep over two settings, three epochs each.
awk -v r="$R" 'BEGIN {
    for (i = 0; i < 1000; i++) {
        d = sprintf("%s/sweep/lr-%d_wd-%d", r, i % 25, int(i / 25))
        system("mkdir -p \"" d "\"")
        f = d "/metrics.csv"
        print "epoch,train_loss,val_loss" > f
        for (e = 1; e <= 3; e++)
            printf "%d,%.4f,%.4f\n", e, 1 / (e + i % 25), \
                1.2 / (e + i % 25) + 0.001 * (i % 7) + 0.0001 * int(i / 25) >> f
        close(f)
        c = d "/config.yaml"
        printf "lr: %d\nweight_decay: %d\nseed: 1\n", i % 25, int(i / 25) > c
        close(c)
    }
}'
rg -q "$R" -o "$TMP/site"
t_is "1,000 runs: exit 0" "$rc" 0
M="$TMP/site/summary.md"
size=$(wc -c <"$M")
if [ "$size" -lt 60000 ]; then
    t_ok "1,000 runs: summary.md is under 60,000 bytes ($size)"
else
    t_not_ok "1,000 runs: summary.md is under 60,000 bytes ($size)"
fi
t_grep "1,000 runs: the headline comes first" \
    '^\*\*\(Keep \|No run can be kept\).* runs\{0,1\} needs\{0,1\} action' "$M"
t_grep "1,000 runs: a table" '^| # | Run | Verdict | Best `val_loss` |' "$M"
t_grep "1,000 runs: the rest folded and counted" \
    '^<details><summary>[0-9]* more runs</summary>' "$M"

# The headline is the same sentence on every page that shows it.
headline=$(sed -n '3s/^\*\*\(.*\)\*\*$/\1/p' "$M")
for page in index compare; do
    if [ -n "$headline" ] &&
        grep -qF "<p class=\"headline\">$headline" "$TMP/site/$page.html"; then
        t_ok "$page.html opens with the headline of summary.md"
    else
        t_not_ok "$page.html opens with the headline of summary.md"
    fi
done

# Names that Markdown would read as markup; the rule needs no escaping.
mkdir -p "$TMP/r2/a|b" "$TMP/r2/_x_" "$TMP/r2/plain"
for d in "a|b" "_x_" plain; do
    printf 'epoch,train_loss,val_loss\n1,1,1\n2,0.8,0.9\n3,0.7,0.85\n' \
        >"$TMP/r2/$d/metrics.csv"
done
rg -q "$TMP/r2" -o "$TMP/s2" --min-improvement 0.005 \
    --site-url https://example.org/ci/42
M="$TMP/s2/summary.md"
t_grep "no needless escaping: val_loss, 0.005" \
    'no baseline, min improvement 0.005' "$M"
t_grep "a | in a name is escaped" '\[a\\|b\](' "$M"
t_grep "an emphasis-making _ is escaped" '\[\\_x\\_\](' "$M"
t_grep "--site-url: run links are absolute" \
    '(https://example.org/ci/42/runs/plain/index.html)' "$M"
t_grep "--site-url: the full report too" \
    '\[index.html\](https://example.org/ci/42/index.html)' "$M"

# The one-file report: one <main>, one <h1>, a section per run, each with
# its anchor and a way back to the index.
rg -q "$TMP/r2" --single-file "$TMP/one.html"
t_is "--single-file: one <main> and one <h1>" \
    "$(grep -c '<main' "$TMP/one.html") $(grep -c '<h1' "$TMP/one.html")" "1 1"
t_grep "--single-file: a run's section has its anchor" \
    '<section class="folded" id="run-plain">' "$TMP/one.html"
t_is "--single-file: each run and the comparison link back to the index" \
    "$(grep -c '<p class="back"><a href="#index">' "$TMP/one.html")" 4

# One run: its count is singular.
mkdir -p "$TMP/r3/only"
printf 'epoch,train_loss,val_loss\n1,1.0,1.1\n2,0.6,0.7\n3,0.4,0.5\n' \
    >"$TMP/r3/only/metrics.csv"
rg -q "$TMP/r3" -o "$TMP/s3"
t_is "one run: exit 0" "$rc" 0
t_grep "one run: the title says 1 run, not 1 runs" '^## reportgen: 1 run$' \
    "$TMP/s3/summary.md"
t_done
