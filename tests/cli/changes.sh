#!/bin/sh
# What changed since the last report: said on the index, in summary.md
# and in summary.json when SITE_DIR already holds a report, read from
# its summary.json before it is replaced; nothing said the first time;
# "No change" when nothing changed; the same previous report and the
# same runs give the same site.
. "$srcdir/tests/lib.sh"
plan 24

R="$TMP/runs"
mkrun() { # mkrun NAME SCALE: val_loss falls to its best at epoch 8, scaled
    mkdir -p "$R/$1"
    awk -v s="$2" 'BEGIN {
        print "epoch,train_loss,val_loss"
        for (e = 1; e <= 14; e++)
            printf "%d,%.4f,%.4f\n", e, 1 / e,
                s * (0.4 + 1 / (e < 8 ? e : 8)) + 0.001 * (e % 2)
    }' >"$R/$1/metrics.csv"
    printf 'lr: %s\nseed: 1\n' "$2" >"$R/$1/config.yaml"
}
mkrun base 1
mkrun a 0.9
mkrun b 1.1
mkrun c 1.2
printf 'select: val_loss:min\nbaseline: base\n' >"$R/reportgen.yaml"
S="$TMP/site"

rg "$R" -o "$S"
t_is "first report: exit 0" "$rc" 0
t_nogrep "first report: the index says nothing of a last report" \
    'last report' "$S/index.html"
t_nogrep "first report: summary.md says nothing either" 'last report' \
    "$S/summary.md"
t_grep "first report: summary.json has no comparison" \
    '"since_last_report": null,' "$S/summary.json"
t_grep "summary.json names the kept run" '"kept": "a",' "$S/summary.json"

# A file of the user's in the site stays, and is not taken for a report.
echo mine >"$S/notes.txt"
rg "$R" -o "$S"
t_is "unchanged: exit 0" "$rc" 0
nochange='No change since the last report: the same rule, runs, verdicts, kept run and best checkpoints.'
t_grep "unchanged: the index says so" "$nochange" "$S/index.html"
t_grep "unchanged: summary.md says so" "^$nochange\$" "$S/summary.md"
t_grep "unchanged: summary.json says so" "\"text\": \"$nochange\"" \
    "$S/summary.json"
t_is "the user's file is kept" "$(cat "$S/notes.txt")" mine

# Keep a copy of this site: the same previous report must give the same
# new one.
cp -r "$S" "$TMP/copy"

# b becomes the best run, c is gone, d is new.
mkrun b 0.5
rm -r "$R/c"
mkrun d 1.3
rg "$R" -o "$S"
t_is "changed: exit 0" "$rc" 0
since='Since the last report: the run to keep is b (was a), 1 run added, 1 run gone, 1 verdict changed, 1 best checkpoint moved.'
t_grep "changed: the index's sentence" "$since" "$S/index.html"
t_grep "changed: summary.md's sentence" "^$since\$" "$S/summary.md"
t_grep "changed: summary.json's sentence" "\"text\": \"$since\"" \
    "$S/summary.json"
for line in 'Run to keep: a, now b' 'Added: d (rollback)' \
    'Gone: c (was rollback)' 'b: rollback, now keep' \
    'b: best val_loss 0.5775 at epoch 8, now 0.2625 at epoch 8'; do
    if grep -qF "<li>$line</li>" "$S/index.html" &&
        grep -qxF -- "- $line" "$S/summary.md"; then
        t_ok "changed: '$line' on the index and in summary.md"
    else
        t_not_ok "changed: '$line' on the index and in summary.md"
    fi
done

rg "$R" -o "$TMP/copy"
if diff -r "$S" "$TMP/copy" >/dev/null; then
    t_ok "the same previous report and runs give the same site"
else
    t_not_ok "the same previous report and runs give the same site"
fi

rg "$R" -o "$S" --select val_loss:max
t_grep "the rule changed" '^- Rule: val_loss:min, now val_loss:max$' \
    "$S/summary.md"

# A summary.json that cannot be read: a warning, and the report all the
# same, saying nothing of the last one.
printf '{"runs": [' >"$S/summary.json"
rg "$R" -o "$S"
t_is "unreadable summary.json: exit 0" "$rc" 0
t_grep "unreadable summary.json: a warning naming it" \
    "summary.json:.*the changes since the last report are left out" \
    "$TMP/err"
t_nogrep "unreadable summary.json: nothing said" 'last report' "$S/index.html"
t_done
