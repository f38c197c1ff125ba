#!/bin/sh
# The decision record is said once: for every run of sample_runs/ and of
# each golden case, the verdict, the next change and the success rule in
# summary.json are the ones its run page, its row of the index and of the
# comparison, summary.md and the one-file report show; and no run page
# says two things that cannot both be true (nor speaks of a baseline
# there is not, nor of "1 runs"). Without a baseline, the
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
        if grep -qF "the same data as the others" "$page_file" &&
            ! jq -e --arg r "$run" '.runs[] | select(.name == $r) |
                (.changed_keys // [])[] |
                select(test("(^|[.])(data_version|dataset_version|split|data[.]version|dataset[.]version)$"))' \
                "$out/summary.json" >/dev/null; then
            echo "# $name $page: 'the same data as the others', yet it" \
                "changed no data key"
            bad=1
        fi
        if grep -qF "decision-" "$page_file" &&
            grep -qF "its own metric" "$page_file" &&
            grep -qF "make the run comparable first" "$page_file"; then
            echo "# $name $page: judged by its own metric, yet told to" \
                "make itself comparable"
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
        # summary.md lists the next steps of the first runs and folds the
        # rest ("N more ..."); a run it lists is listed right.
        if [ -n "$action" ] && { grep -qF -- "**$decision** $(md "$run"): " \
            "$out/summary.md" || ! grep -qE "more on the run pages|more runs?</summary>" \
            "$out/summary.md"; }; then
            has "$name $page (summary.md)" "$out/summary.md" \
                "**$decision** $(md "$run"): $(md "$action"). Success: $(md "$success")" ||
                bad=1
        fi
    done <"$TMP/runs.txt"
    # No page speaks of a baseline there is not, or of "1 runs".
    if [ "$(jq -r '.baseline // ""' "$out/summary.json")" = "" ] &&
        grep -rl "against the baseline\|of the baseline\|the baseline's" \
            "$out" "$out.html" >"$TMP/found"; then
        echo "# $name: no baseline, yet the pages speak of one:" $(cat "$TMP/found")
        bad=1
    fi
    if grep -rlE "(^|[^0-9.])1 of the 1 runs|(^|[^0-9.])1 runs|(^|[^0-9.])1 of [0-9]+ runs need |runs read is|1 of the [0-9]+ runs read are|top 1 runs" \
        "$out" "$out.html" >"$TMP/found"; then
        echo "# $name: a count with the wrong number:" $(cat "$TMP/found")
        bad=1
    fi
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
plan "$(($(echo "$cases" | wc -w) + 2))"
check sample_runs sample_runs
# The same runs with no rules file: no baseline, a leaderboard.
cp -R "$srcdir/sample_runs" "$TMP/nobase"
chmod -R u+w "$TMP/nobase"
rm -f "$TMP/nobase/reportgen.yaml"
check no-baseline "$TMP/nobase"
for c in $cases; do
    # shellcheck disable=SC2046
    check "$c" $(cat "$srcdir/tests/golden/$c/args")
done
t_done
