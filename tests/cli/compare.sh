#!/bin/sh
# Comparison under one fixed rule: verdicts against the baseline, the
# rules file and the options that override it, summary.md, --single-file
# and --fail-on.
. "$srcdir/tests/lib.sh"
plan 31

R="$TMP/runs"
# mkrun NAME VAL_LOSS_BEST NIGHT_AT_BEST FINAL_TRAIN_LOSS CONFIG...
# (a healthy curve: the held-out best at epoch 3, flat after it)
mkrun() {
    d="$R/$1"
    mkdir -p "$d"
    {
        echo "epoch,train_loss,val_loss,val_acc,val_acc@night"
        echo "1,1.0,0.9,0.6,0.55"
        echo "2,0.7,$(awk -v v="$2" 'BEGIN { print v + 0.05 }'),0.75,0.70"
        echo "3,0.6,$2,0.8,$3"
        echo "4,$4,$(awk -v v="$2" 'BEGIN { print v + 0.002 }'),0.79,0.70"
    } >"$d/metrics.csv"
    shift 4
    : >"$d/config.yaml"
    for kv in "$@"; do echo "$kv" | sed 's/=/: /' >>"$d/config.yaml"; done
}
mkrun base 0.50 0.80 0.40 lr=0.001 wd=0 seed=1 data_version=v1
mkrun better 0.45 0.80 0.45 lr=0.003 wd=0 seed=1 data_version=v1
mkrun night-drop 0.44 0.70 0.30 lr=0.001 wd=0 aug=strong seed=1 data_version=v1
mkrun three 0.40 0.80 0.30 lr=0.01 wd=0.1 aug=strong seed=1 data_version=v1
mkrun lowtrain 0.55 0.80 0.05 lr=0.001 wd=0.01 seed=1 data_version=v1
mkrun other-data 0.30 0.80 0.30 lr=0.001 wd=0 seed=1 data_version=v2
mkrun grp/s1 0.47 0.80 0.40 lr=0.002 wd=0 seed=1 data_version=v1
mkrun grp/s2 0.53 0.80 0.40 lr=0.002 wd=0 seed=2 data_version=v1
mkrun grp/s3 0.46 0.80 0.40 lr=0.002 wd=0 seed=3 data_version=v1
cat >"$R/reportgen.yaml" <<'YAML'
select: val_loss:min
baseline: base
min_improvement: 0.01
slices:
  val_acc@night: 0.05
YAML

rg "$R" -o "$TMP/site"
t_is "exit 0" "$rc" 0
S="$TMP/site/summary.json"
verdict() {
    awk -v n="\"name\": \"$1\"," '
        index($0, n) { found = 1 }
        found && /"decision":/ { gsub(/[",]/, "", $2); print $2; exit }' "$S"
}
t_is "the baseline is kept" "$(verdict base)" keep
t_is "a clear gain with one change is kept" "$(verdict better)" keep
t_is "an average gain that drops the night slice is rolled back" \
    "$(verdict night-drop)" rollback
t_grep "the slice regression is named" '"slice_regressions": \[' "$S"
t_grep "the summary names the regressed slice" '"val_acc@night"' "$S"
t_is "a lower final training loss does not win over a better held-out best" \
    "$(verdict lowtrain)" rollback
t_is "a different data_version is not comparable" "$(verdict other-data)" \
    investigate
t_grep "three settings changed are flagged" \
    "3 settings changed (aug, lr, wd), so the effect cannot be attributed" "$S"
t_is "a seed group whose spread exceeds its gain is not kept" \
    "$(verdict grp/s3)" tune
t_grep "the group is named in summary.json" '"group": "grp"' "$S"
t_grep "changed keys are listed, seed aside" \
    '"changed_keys": \[' "$S"
t_grep "summary.json states the rule" '"rule": "val_loss:min"' "$S"
t_grep "summary.json names the baseline" '"baseline": "base"' "$S"
t_grep "the comparison page marks the regression" 'class="num regressed"' \
    "$TMP/site/compare.html"
t_grep "the leaderboard has a column of differences to the baseline" \
    '<td class="num" data-label="vs baseline">[+-]' "$TMP/site/compare.html"
t_is "the held-out curves come before the leaderboard, not under it" \
    "$(grep -o '<section class="\(overlay\|leaderboard\)">' \
        "$TMP/site/compare.html" | tr '\n' ' ')" \
    '<section class="overlay"> <section class="leaderboard"> '
t_grep "a rolled-back run's next change follows the verdict" \
    "go back to the baseline" "$TMP/site/runs/night-drop/index.html"
t_grep "a run's page links the baseline's page" \
    'href="../base/index.html"' "$TMP/site/runs/night-drop/index.html"
t_grep "the index states the whole rule" \
    'Rule: val_loss:min, baseline base, min improvement 0.01' \
    "$TMP/site/index.html"

M="$TMP/site/summary.md"
t_grep "summary.md has the leaderboard" '^| # | Run | Verdict | Best `val_loss` |' "$M"
t_grep "summary.md links run pages" '(runs/night-drop/index.html)' "$M"
t_grep "summary.md lists slice regressions" '^### Slice regressions' "$M"

# Options override the rules file.
rg --baseline better --min-improvement 0 "$R" -o "$TMP/site2"
t_grep "--baseline overrides the file" '"baseline": "better"' \
    "$TMP/site2/summary.json"

# --fail-on: the report is written, the exit status says a verdict matched.
rg --fail-on rollback "$R" -o "$TMP/site3"
t_is "--fail-on rollback: exit 3" "$rc" 3
t_is "--fail-on: the report is still written" \
    "$(test -f "$TMP/site3/index.html" && echo yes)" yes
rg --fail-on keep,bogus "$R" -o "$TMP/site4"
t_is "--fail-on with an unknown verdict: exit 2" "$rc" 2

# --single-file: one self-contained page.
rg "$R" --single-file "$TMP/report.html"
t_is "--single-file alone: exit 0" "$rc" 0
t_nogrep "--single-file: no external chart" '<img src=' "$TMP/report.html"
t_grep "--single-file: charts inline" '<svg' "$TMP/report.html"

# A broken rules file stops the report: its verdicts would be wrong.
echo "select: val_loss" >"$R/reportgen.yaml"
rg "$R" -o "$TMP/site5"
t_is "a bad rules file: exit 1" "$rc" 1
t_done
