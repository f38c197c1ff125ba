#!/bin/sh
# What a report publishes comes from untrusted folders: values of keys
# that look like secrets are hidden, paths are relative to RUNS_DIR (no
# path of the machine), and bad bytes in names and logs reach neither
# the pages nor the terminal raw.
. "$srcdir/tests/lib.sh"
plan 20

good() {
    mkdir -p "$1"
    printf 'epoch,train_loss,val_loss\n0,2,2.1\n1,1,1.2\n2,0.6,0.9\n' \
        >"$1/metrics.csv"
}

# Secrets in configs, YAML and JSON, nested, in any case.
R="$TMP/runs"
good "$R/yaml"
good "$R/json"
cat >"$R/yaml/config.yaml" <<'YAML'
lr: 0.1
hub_token: SECRET1
wandb:
  api_key: SECRET2
db:
  Password: SECRET3
HTTP_AUTH_HEADER: SECRET4
gcp_credentials: SECRET5
YAML
printf '{"lr": 0.2, "client_secret": "SECRET6", "nested": {"ApiKey": "SECRET7"}}\n' \
    >"$R/json/config.json"
rg "$R" -o "$TMP/site" --single-file "$TMP/one.html"
t_is "secrets: exit 0" "$rc" 0
t_is "no secret value anywhere in the site" \
    "$(grep -rl 'SECRET[0-9]' "$TMP/site" "$TMP/one.html" | wc -l)" 0
t_grep "a secret's key is still listed, its value hidden" \
    '<th scope="row"><code>wandb.api_key</code></th>' \
    "$TMP/site/runs/yaml/index.html"
t_is "five hidden values on the YAML run's page" \
    "$(grep -c '<td><code>(hidden)</code></td>' "$TMP/site/runs/yaml/index.html")" 5
t_is "two hidden values on the JSON run's page" \
    "$(grep -c '<td><code>(hidden)</code></td>' "$TMP/site/runs/json/index.html")" 2
t_grep "other values are shown" '<td><code>0.1</code></td>' \
    "$TMP/site/runs/yaml/index.html"

# No path of the machine: RUNS_DIR is given as an absolute path, and
# every published path (log, config, reasons, the rules file) is
# relative to it.
R2="$TMP/runs2"
good "$R2/ok"
printf 'lr: 0.1\n' >"$R2/ok/config.yaml"
good "$R2/badcfg"
printf 'lr: [\n' >"$R2/badcfg/config.yaml"
mkdir -p "$R2/broken"
printf 'epoch,train_loss,val_loss\n1,1.0\n' >"$R2/broken/metrics.csv"
mkdir -p "$R2/noval"
printf 'epoch,train_loss\n1,1.0\n' >"$R2/noval/metrics.csv"
printf 'select: val_loss:min\n' >"$R2/reportgen.yaml"
rg "$R2" -o "$TMP/site2" --single-file "$TMP/two.html"
t_is "relative paths: exit 0" "$rc" 0
t_is "no absolute path in any published file" \
    "$(grep -rl "$TMP" "$TMP/site2" "$TMP/two.html" | wc -l)" 0
t_grep "a reason names the file relative to RUNS_DIR" \
    '"reason": "broken/metrics.csv:2: 2 fields, header has 3"' \
    "$TMP/site2/summary.json"
t_grep "summary.md too" 'skipped: broken/metrics.csv:2' "$TMP/site2/summary.md"
t_grep "the log's path on the run page" '<dd><code>ok/metrics.csv</code></dd>' \
    "$TMP/site2/runs/ok/index.html"
t_grep "the config error on the run page" '</strong> badcfg/config.yaml:2' \
    "$TMP/site2/runs/badcfg/index.html"
t_grep "stderr still names the file as given" \
    "^reportgen: $R2/broken/metrics.csv:2: 2 fields, header has 3$" "$TMP/err"

# Bad bytes: a folder name with a newline, an escape sequence and a byte
# that is not UTF-8, and a column name with a control character.
R3="$TMP/runs3"
evil=$(printf 'evil\nreportgen: forged \033[31mred\377')
mkdir -p "$R3/$evil" "$R3/skip$evil"
printf 'epoch,train_loss,val_loss,bell\007col\n0,2,2.1,1\n1,1,1.2,1\n' \
    >"$R3/$evil/metrics.csv"
printf 'epoch,val_loss\n1,x\n' >"$R3/skip$evil/metrics.csv"
rg "$R3" -o "$TMP/site3"
t_is "bad bytes: exit 0" "$rc" 0
t_is "stderr: no forged line" "$(grep -c '^reportgen: forged' "$TMP/err")" 0
t_grep "stderr: the name escaped on one line" \
    '^reportgen: .*/skipevil\\nreportgen: forged \\x1b\[31mred\\xff/metrics.csv:2: bad number' \
    "$TMP/err"
t_is "stderr: no escape character" \
    "$(tr -d '\n' <"$TMP/err" | tr -dc '\033\377\007' | wc -c)" 0
t_is "no escape, bell or bad byte in any page, summary.json or summary.md" \
    "$(cat "$TMP"/site3/*.html "$TMP"/site3/runs/*/index.html \
        "$TMP/site3/summary.json" "$TMP/site3/summary.md" |
        tr -dc '\033\377\007' | wc -c)" 0
t_grep "the page shows U+FFFD in their place" \
    "forged $(printf '\357\277\275')\[31mred$(printf '\357\277\275')" \
    "$TMP/site3/index.html"
t_grep "summary.md too" \
    "forged $(printf '\357\277\275')\\\\\[31mred$(printf '\357\277\275')" \
    "$TMP/site3/summary.md"

t_done
