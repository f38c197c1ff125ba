#!/bin/sh
# The command line over reportgen.yaml: --select and --threshold, parsed
# once by the command line, replace what the file says and only that; of
# two equal options the last wins.
. "$srcdir/tests/lib.sh"
plan 10

R="$TMP/runs"
mkdir -p "$R"
cp -r "$srcdir/sample_runs/healthy" "$R/"
S="$TMP/site/summary.json"

# min_points this high leaves no curve long enough to judge.
printf 'diagnose:\n  min_points: 1000000\n' >"$R/reportgen.yaml"
rg -q "$R" -o "$TMP/site"
t_is "diagnose: in the file: exit 0" "$rc" 0
t_grep "diagnose: in the file applies" '"need_more_signals"' "$S"

rg -q --threshold min_points=3 "$R" -o "$TMP/site"
t_nogrep "--threshold replaces the file's" '"need_more_signals"' "$S"

rm "$R/reportgen.yaml"
rg -q -t min_points=3 -t min_points=1000000 "$R" -o "$TMP/site"
t_grep "two --threshold: the last wins" '"need_more_signals"' "$S"
rg -q -t min_points=1000000 -t min_points=3 "$R" -o "$TMP/site"
t_nogrep "two --threshold, the other way round" '"need_more_signals"' "$S"

printf 'select: val_acc:max\n' >"$R/reportgen.yaml"
rg -q --select val_loss:min "$R" -o "$TMP/site"
t_grep "--select replaces the file's" '"select": "val_loss:min"' "$S"
rg -q -s train_loss:min -s val_acc:min "$R" -o "$TMP/site"
t_grep "two --select: the last wins" '"select": "val_acc:min"' "$S"

rg -t min_points=1 -t min_points=3 "$R" -o "$TMP/site2"
t_is "a bad --threshold among good ones: exit 2" "$rc" 2
t_is "a bad --threshold: one message" "$(cat "$TMP/err")" \
    "reportgen: bad --threshold 'min_points=1': threshold 'min_points' must be a whole number of at least 2, not '1'
Try 'reportgen --help' for more information."
t_is "a bad --threshold writes no site" \
    "$(test -e "$TMP/site2" && echo yes || echo no)" no

t_done
