#!/bin/sh
# The decision record is said once: for every run of sample_runs/ and of
# each golden case, the verdict, the next change and the success rule in
# summary.json are the ones its run page, its row of the index and of the
# comparison, summary.md and the one-file report show; and no run page
# says two things that cannot both be true. Without a baseline, the
# leaderboard rule is said in the same words on the index, the comparison
# and summary.md.
. "$srcdir/tests/lib.sh"

# html TEXT / md TEXT: TEXT as the pages (:h) and summary.md escape it
# (md: \ ` * [ ] | ~ escaped, and _ unless between two word characters).
html() {
    printf '%s' "$1" | sed -e 's/&/\&amp;/g' -e 's/</\&lt;/g' \
        -e 's/>/\&gt;/g' -e 's/"/\&quot;/g' -e "s/'/\&#39;/g"
}
md() {
    printf '%s' "$1" | sed -e 's/&/\&amp;/g' -e 's/</\&lt;/g' \
        -e 's/>/\&gt;/g' -e 's/[]\\`*[|~]/\\&/g' \
        -e ':a' -e 's/\([A-Za-z0-9\x80-\xff]\)_\([A-Za-z0-9\x80-\xff]\)/\1\x01\2/' \
        -e 'ta' -e 's/_/\\_/g' -e 's/\x01/_/g'
}
# row FILE HREF: the table row of FILE from the line linking to HREF on,
# with a folded text (<details>: its first words, then the rest) unfolded.
row() {
    awk -v h="href=\"$2\"" 'index($0, h) && !/class="headline"/ { on = 1 }
        on { print }
        on && /<\/tr>/ { exit }' "$1" |
        sed -e 's|</summary><span class="rest">||g'
}
# has NAME FILE TEXT: FILE holds TEXT (a fixed string).
has() {
    if grep -qF -- "$3" "$2"; then
        return 0
    fi
    echo "# $1: no '$3' in $2"
    return 1
}

# check NAME ARGS...: render ARGS and check every run's record.
check() {
    name=$1
    shift
    out="$TMP/$name"
    (cd "$srcdir" && $RG -q "$@" -o "$out" --single-file "$out.html") \
        >/dev/null 2>&1 || true
    bad=0
    us=$(printf '\037')
    jq -r '.runs[] | select(.page != null) |
        [.page, .name, .decision, .verdict_reason, (.action // ""),
         (.success_rule // "")] | join("\u001f")' "$out/summary.json" \
        >"$TMP/runs.txt"
    while IFS="$us" read -r page run decision why action success; do
        page_file="$out/$page"
        for text in "decision-$decision" "$(html "$why")" "$(html "$action")" \
            "$(html "$success")"; do
            has "$name $page" "$page_file" "$text" || bad=1
            has "$name $page (one file)" "$out.html" "$text" || bad=1
        done
        # Two statements that cannot both be true of one run.
        if grep -qF "No config file found" "$page_file" &&
            grep -qF "no setting but the seed" "$page_file"; then
            echo "# $name $page: no config, yet no setting but the seed"
            bad=1
        fi
        if grep -qF "decision-" "$page_file" &&
            grep -q "grad_norm is \(nan\|inf\|-inf\)" "$page_file" &&
            grep -qF "Not checked: non-finite gradients" "$page_file"; then
            echo "# $name $page: non-finite grad_norm, yet not checked"
            bad=1
        fi
        if grep -qF "href=\"$page\"" "$out/index.html"; then
            row "$out/index.html" "$page" >"$TMP/row"
            has "$name $page (index)" "$TMP/row" "decision-$decision" || bad=1
            has "$name $page (index)" "$TMP/row" "$(html "$action")" || bad=1
        fi
        row "$out/compare.html" "$page" >"$TMP/row"
        for text in "decision-$decision" "$(html "$why")" \
            "$(html "$action")"; do
            has "$name $page (compare)" "$TMP/row" "$text" || bad=1
        done
        if [ -n "$action" ]; then
            has "$name $page (summary.md)" "$out/summary.md" \
                "**$decision** $(md "$run"): $(md "$action"). Success: $(md "$success")" ||
                bad=1
        fi
    done <"$TMP/runs.txt"
    rule=$(jq -r '.verdict_rule // ""' "$out/summary.json")
    if [ -n "$rule" ]; then
        has "$name (index)" "$out/index.html" "$(html "$rule")" || bad=1
        has "$name (compare)" "$out/compare.html" "$(html "$rule")" || bad=1
        has "$name (summary.md)" "$out/summary.md" "$(md "$rule")" || bad=1
    fi
    if [ "$bad" = 0 ]; then
        t_ok "$name: every output says the same decision record"
    else
        t_not_ok "$name: every output says the same decision record"
    fi
}

cases=$(cd "$srcdir/tests/golden" && ls)
plan "$(($(echo "$cases" | wc -w) + 1))"
check sample_runs sample_runs
for c in $cases; do
    # shellcheck disable=SC2046
    check "$c" $(cat "$srcdir/tests/golden/$c/args")
done
t_done
