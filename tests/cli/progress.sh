#!/bin/sh
# Progress on stderr: shown on a terminal (unless -q) or with --progress,
# silent otherwise; a message never lands inside the progress line; the
# report is the same either way.
. "$srcdir/tests/lib.sh"
plan 9

R="$TMP/runs"
mkdir -p "$R/a" "$R/b" "$R/bad"
for d in a b; do
    printf 'epoch,train_loss,val_loss\n1,1,1\n2,0.8,0.9\n3,0.7,0.85\n' \
        >"$R/$d/metrics.csv"
done
printf 'epoch,train_loss,val_loss\n1,1\n' >"$R/bad/metrics.csv"

rg "$R" -o "$TMP/plain"
t_nogrep "not a terminal: no progress" 'runs read' "$TMP/err"

rg "$R" -o "$TMP/site" --progress
t_is "--progress: exit 0" "$rc" 0
tr '\r' '\n' <"$TMP/err" >"$TMP/lines"
t_grep "--progress: runs read, counted" '^reportgen: 3 of 3 runs read *$' \
    "$TMP/lines"
t_grep "--progress: pages written, counted" \
    '^reportgen: 2 of 2 run pages written *$' "$TMP/lines"
t_grep "--progress: a message starts a line of its own" \
    "^reportgen: $R/bad/metrics.csv:2: 2 fields, header has 3\$" "$TMP/lines"
# The last line is blanked out: nothing but spaces after the last "\r".
last=$(tr '\r' '\n' <"$TMP/err" | tail -n 2 | head -n 1)
case $last in
*[!\ ]*) t_not_ok "--progress: the progress line is blanked out at the end ('$last')" ;;
*) t_ok "--progress: the progress line is blanked out at the end" ;;
esac
if diff -r "$TMP/plain" "$TMP/site" >/dev/null; then
    t_ok "--progress: the same report"
else
    t_not_ok "--progress: the same report"
fi

rg -q "$R" -o "$TMP/site" --progress
tr '\r' '\n' <"$TMP/err" >"$TMP/lines"
t_nogrep "-q --progress: no message about single runs" 'fields, header' \
    "$TMP/lines"

# On a terminal (script(1) gives one) progress is on by default.
if command -v script >/dev/null 2>&1; then
    script -qec "$RG '$R' -o '$TMP/tty' 2>&1 >/dev/null" /dev/null \
        </dev/null >"$TMP/tty.err" 2>&1 || true
    tr '\r' '\n' <"$TMP/tty.err" >"$TMP/lines"
    if grep -q '^script:' "$TMP/lines"; then
        t_ok "# SKIP script(1) cannot open a terminal here"
    else
        t_grep "a terminal: progress by default" \
            'reportgen: 3 of 3 runs read' "$TMP/lines"
    fi
else
    t_ok "# SKIP script(1) is not installed"
fi
t_done
