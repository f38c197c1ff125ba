#!/bin/sh
# Bad input never stops the report: each broken run is skipped with the
# file and line of the problem, the others are reported, exit status 0.
. "$srcdir/tests/lib.sh"
plan 25

R="$TMP/runs"
mkdir -p "$R/good" "$R/empty" "$R/no-x" "$R/ragged" "$R/text" "$R/binary" \
    "$R/dir" "$R/header-only" "$R/dangling"
printf 'epoch,train_loss,val_loss\n1,1.0,1.1\n2,0.8,0.9\n3,0.7,0.8\n' \
    >"$R/good/metrics.csv"
: >"$R/empty/metrics.csv"
printf 'iteration,loss\n1,0.5\n' >"$R/no-x/metrics.csv"
printf 'epoch,train_loss,val_loss\n1,1.0,1.1\n2,0.8\n' >"$R/ragged/metrics.csv"
printf 'epoch,train_loss,val_loss\n1,1.0,1.1\n2,0.8,abc\n' >"$R/text/metrics.csv"
printf 'epoch,loss\n1,\0\0\0\n' >"$R/binary/metrics.csv"
ln -s metrics.csv "$R/dir/metrics.csv"
printf 'epoch,train_loss,val_loss\n' >"$R/header-only/metrics.csv"
ln -s "$TMP/nowhere.csv" "$R/dangling/metrics.csv"

rg "$R" -o "$TMP/site"
t_is "skipped runs still give a report: exit 0" "$rc" 0
t_ok_file() { if [ -f "$2" ]; then t_ok "$1"; else t_not_ok "$1"; fi; }
t_ok_file "index written" "$TMP/site/index.html"
t_ok_file "good run's page written" "$TMP/site/runs/good/index.html"

t_grep "empty file" "^reportgen: $R/empty/metrics.csv: empty file$" "$TMP/err"
t_grep "no x column" "^reportgen: $R/no-x/metrics.csv:1: no 'epoch' or 'step' column in header$" "$TMP/err"
t_grep "ragged row" "^reportgen: $R/ragged/metrics.csv:3: 2 fields, header has 3$" "$TMP/err"
t_grep "text in a number column" "^reportgen: $R/text/metrics.csv:3: bad number 'abc' in column 'val_loss'$" "$TMP/err"
t_grep "binary file" "^reportgen: $R/binary/metrics.csv:2: binary data, not a CSV file$" "$TMP/err"
t_grep "unreadable (a link to itself)" "^reportgen: $R/dir/metrics.csv: cannot read: Too many levels of symbolic links$" "$TMP/err"
t_grep "header only" "^reportgen: $R/header-only/metrics.csv: no data rows$" "$TMP/err"
t_grep "missing file" "^reportgen: $R/dangling/metrics.csv: cannot read: No such file or directory$" "$TMP/err"
t_grep "stderr sums up" "^reportgen: warning: 8 of 9 runs skipped; the report lists why$" "$TMP/err"

S="$TMP/site/summary.json"
t_is "summary lists 8 skipped runs" "$(grep -c '"status": "skipped"' "$S")" 8
t_is "summary lists 1 good run" "$(grep -c '"status": "ok"' "$S")" 1
t_grep "summary gives the reason with file and line" \
    "\"reason\": \"ragged/metrics.csv:3: 2 fields, header has 3\"" "$S"
t_grep "index lists a skipped run's reason" "text/metrics.csv:3: bad number" "$TMP/site/index.html"
t_is "no page for a skipped run" "$(test -e "$TMP/site/runs/ragged" && echo yes || echo no)" no

# -q keeps stderr quiet about single runs, the report is the same.
rg -q "$R" -o "$TMP/site2"
t_is "-q: exit 0" "$rc" 0
t_is "-q: nothing on stderr" "$(cat "$TMP/err")" ""
t_cmp "-q: same summary" "$TMP/site/summary.json" "$TMP/site2/summary.json"

# A run without the rule's metric is not comparable, never judged silently.
rg --select val_acc:max "$R" -o "$TMP/site3"
t_grep "not comparable: message" "^reportgen: $R/good/metrics.csv: no column 'val_acc', which the rule val_acc:max needs$" "$TMP/err"
t_grep "not comparable: status" '"status": "not_comparable"' "$TMP/site3/summary.json"

# A folder that cannot be read is a skipped run in the report, with its
# reason, not only a line on stderr. Root reads any folder, so as root
# the capabilities that allow it are dropped (setpriv).
U="$TMP/unreadable"
mkdir -p "$U/ok" "$U/locked/r"
cp "$R/good/metrics.csv" "$U/ok/metrics.csv"
cp "$R/good/metrics.csv" "$U/locked/r/metrics.csv"
chmod 000 "$U/locked"
as_user=
if [ "$(id -u)" = 0 ]; then
    as_user="setpriv --bounding-set=-dac_override,-dac_read_search"
    $as_user true 2>/dev/null || as_user=none
fi
if [ "$as_user" = none ]; then
    for i in 1 2 3; do t_ok "unreadable folder # SKIP root without setpriv"; done
else
    rc=0
    $as_user $RG "$U" -o "$TMP/site4" >"$TMP/out" 2>"$TMP/err" || rc=$?
    t_is "unreadable folder: exit 0" "$rc" 0
    t_grep "unreadable folder: skipped in summary.json, with its reason" \
        '"reason": "locked: cannot read folder: Permission denied"' \
        "$TMP/site4/summary.json"
    t_grep "unreadable folder: listed on the index" \
        'locked: cannot read folder: Permission denied' "$TMP/site4/index.html"
fi
chmod 755 "$U/locked"

t_done
