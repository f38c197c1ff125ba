# tests/site-lib.sh - sourced after tests/lib.sh by the tests of how the
# site is written (tests/cli/output.sh, tests/cli/interrupt.sh).
#
# A site with files of the user's in every kind of place, and checks that
# none is lost, that nothing is left beside the site, and that the site is
# the one a fresh run writes.

# mk_runs DIR NAME...: a tiny run per NAME (the contents differ by name).
mk_runs() {
    d=$1
    shift
    rm -rf "$d"
    for r in "$@"; do
        mkdir -p "$d/$r"
        n=${#r}
        printf 'epoch,train_loss,val_loss\n0,2,2.%s\n1,1,1.%s\n2,0.6,0.%s\n' \
            "$n" "$n" "$n" >"$d/$r/metrics.csv"
    done
}

# add_user_files SITE: files of the user's at the root, in a folder of
# theirs, an empty folder, a symlink, inside a run folder of the report
# (runs/r1) and inside one the next report drops (runs/gone).
add_user_files() {
    echo precious >"$1/aaa-notes.txt"
    mkdir -p "$1/mine/deep" "$1/empty" "$1/runs/r1" "$1/runs/gone"
    echo deep >"$1/mine/deep/f.txt"
    echo r1 >"$1/runs/r1/notes.txt"
    echo gone >"$1/runs/gone/notes.txt"
    ln -s aaa-notes.txt "$1/link-to-notes"
}

# user_files SITE: the user's files as "path content" lines.
user_files() {
    for f in aaa-notes.txt mine/deep/f.txt runs/r1/notes.txt \
        runs/gone/notes.txt link-to-notes; do
        if [ -e "$1/$f" ] || [ -L "$1/$f" ]; then
            echo "$f $(cat "$1/$f")"
        else
            echo "$f MISSING"
        fi
    done
    [ -d "$1/empty" ] && echo "empty/ folder" || echo "empty/ MISSING"
    [ -L "$1/link-to-notes" ] && echo "link-to-notes is a link" ||
        echo "link-to-notes is not a link"
}

# t_user_files NAME SITE: every file of the user's is in place.
t_user_files() {
    user_files "$2" >"$TMP/user.got"
    printf '%s\n' "aaa-notes.txt precious" "mine/deep/f.txt deep" \
        "runs/r1/notes.txt r1" "runs/gone/notes.txt gone" \
        "link-to-notes precious" "empty/ folder" \
        "link-to-notes is a link" >"$TMP/user.want"
    t_cmp "$1" "$TMP/user.want" "$TMP/user.got"
}

# t_no_debris NAME DIR WANT...: DIR holds exactly WANT (and nothing else).
t_no_debris() {
    n=$1
    d=$2
    shift 2
    (cd "$d" && ls -A) >"$TMP/debris.got"
    printf '%s\n' "$@" | sort >"$TMP/debris.want"
    sort "$TMP/debris.got" >"$TMP/debris.got.s"
    t_cmp "$n" "$TMP/debris.want" "$TMP/debris.got.s"
}

# without_changes FILE: FILE without what it says changed since the last
# report (the index's "changes" block, those lines of summary.md, the
# "since_last_report" member of summary.json): that depends on which
# report was in place before, which a killed run may or may not have
# replaced.
without_changes() {
    case $1 in
    */index.html) sed '/<div class="changes">/,/<\/div>/d' "$1" ;;
    */summary.md)
        sed '/^\(Since the last report\|No change since the last report\):/,/^\*\*Rule:\*\*/{/^\*\*Rule:\*\*/!d;}' "$1"
        ;;
    */summary.json)
        awk '/^  "since_last_report": null,$/ { next }
            /^  "since_last_report": \{$/ { skip = 1; next }
            skip && /^  },$/ { skip = 0; next }
            !skip' "$1"
        ;;
    *) cat "$1" ;;
    esac
}

# t_same_site NAME SITE REF: every file of the report in REF (a fresh
# site) is in SITE with the same bytes, and so is the manifest; what the
# pages say changed since the last report aside (without_changes).
t_same_site() {
    bad=
    for f in .reportgen-site $(grep -v '^#' "$3/.reportgen-site"); do
        case $f in
        index.html | summary.md | summary.json)
            without_changes "$3/$f" >"$TMP/same.want"
            if [ -f "$2/$f" ]; then
                without_changes "$2/$f" >"$TMP/same.got"
            else
                : >"$TMP/same.got"
            fi
            cmp -s "$TMP/same.want" "$TMP/same.got" || bad="$bad $f"
            ;;
        .reportgen-cache) ;; # the options it was written with: -q or not
        *) cmp -s "$3/$f" "$2/$f" || bad="$bad $f" ;;
        esac
    done
    t_is "$1" "$bad" ""
}
