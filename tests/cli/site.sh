#!/bin/sh
# The site as a whole: its files, byte-identical output, safe replacement
# of an old site, the user's files kept, and untrusted names made safe.
. "$srcdir/tests/lib.sh"
plan 27

rg "$srcdir/sample_runs" -o "$TMP/a"
t_is "sample_runs: exit 0" "$rc" 0
for f in index.html summary.json style.css .reportgen-site \
    runs/healthy/index.html runs/healthy/loss.svg runs/healthy/accuracy.svg; do
    if [ -f "$TMP/a/$f" ]; then t_ok "writes $f"; else t_not_ok "writes $f"; fi
done

rg "$srcdir/sample_runs" -o "$TMP/b"
if diff -r "$TMP/a" "$TMP/b" >/dev/null; then
    t_ok "the same input gives byte-identical sites"
else
    t_not_ok "the same input gives byte-identical sites"
fi

# Rewriting a site keeps files of the user's and drops stale ones of ours.
echo "my notes" >"$TMP/a/NOTES.txt"
mkdir -p "$TMP/a/runs/healthy/extra"
echo "mine" >"$TMP/a/runs/healthy/extra/keep.txt"
echo "stale" >"$TMP/a/runs/healthy/stale.svg"
printf 'runs/healthy/stale.svg\n' >>"$TMP/a/.reportgen-site"
rg "$srcdir/sample_runs" -o "$TMP/a"
t_is "rewrite: exit 0" "$rc" 0
t_is "rewrite keeps the user's file" "$(cat "$TMP/a/NOTES.txt")" "my notes"
t_is "rewrite keeps a nested file of the user's" \
    "$(cat "$TMP/a/runs/healthy/extra/keep.txt")" "mine"
t_is "rewrite drops a stale file of ours" \
    "$(test -e "$TMP/a/runs/healthy/stale.svg" && echo yes || echo no)" no
t_is "nothing but the lock file is left beside the site" \
    "$(ls -a "$TMP" | grep '^\.a\.')" .a.reportgen-lock

# A folder that is not a reportgen site is never replaced.
mkdir "$TMP/mine"
echo "precious" >"$TMP/mine/thesis.tex"
rg "$srcdir/sample_runs" -o "$TMP/mine"
t_is "foreign folder: exit 1" "$rc" 1
t_grep "foreign folder: message" "^reportgen: $TMP/mine: folder is not empty and was not written by reportgen; refusing to replace it$" "$TMP/err"
t_is "foreign folder: untouched" "$(ls "$TMP/mine")" "thesis.tex"

# Untrusted names: a column named like markup, a UTF-8 run name.
R="$TMP/runs"
mkdir -p "$R/Überprüfung-验证"
printf 'epoch,train_loss,val_loss,<script>alert(1)</script>\n1,1,1.1,5\n2,0.8,0.9,6\n3,0.7,0.85,7\n' \
    >"$R/Überprüfung-验证/metrics.csv"
rg "$R" -o "$TMP/u"
t_is "untrusted names: exit 0" "$rc" 0
page=$(ls "$TMP"/u/runs/*/index.html)
t_nogrep "no raw script tag in the run page" '<script>alert' "$page"
t_grep "the column name shows as text" '&lt;script&gt;alert(1)&lt;/script&gt;' "$page"
t_grep "the UTF-8 run name shows in the index" 'Überprüfung-验证' "$TMP/u/index.html"
t_nogrep "no raw script tag in any chart" '<script' "$(dirname "$page")"/m-*.svg

# Charts of columns that are not metrics (a constant, a clock, a counter)
# are folded under the others; a metric with a clock word in its name
# ("train_loss_step") is not.
mkdir -p "$TMP/m/r"
printf 'epoch,train_loss,val_loss,lr,epoch_time,train_loss_step,gain\n' \
    >"$TMP/m/r/metrics.csv"
for e in 1 2 3 4 5; do
    printf '%d,%s,%s,0.001,1%d.5,%s,%d\n' $e "0.$((9 - e))" "0.$((9 - e))5" \
        $e "0.$((8 - e))" $((e * e)) >>"$TMP/m/r/metrics.csv"
done
rg -q "$TMP/m" -o "$TMP/m-site"
page="$TMP/m-site/runs/r/index.html"
sed -n '/<details class="minor-charts">/,/<\/details>/p' "$page" \
    | grep -o '<title>[a-z_]*</title>' >"$TMP/minor"
t_grep "a constant lr is folded" '<title>lr</title>' "$TMP/minor"
t_grep "a clock (epoch_time) is folded" '<title>epoch_time</title>' \
    "$TMP/minor"
t_nogrep "a metric with a clock word is not" 'train_loss_step' "$TMP/minor"
t_nogrep "nor a column that is neither" '<title>gain</title>' "$TMP/minor"
t_grep "the fold says what it holds" \
    '<summary>2 more: counters, clocks and constants</summary>' "$page"

t_done
