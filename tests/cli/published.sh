#!/bin/sh
# What a report publishes comes from untrusted folders: values of keys
# that look like secrets are hidden, paths are relative to RUNS_DIR (no
# path of the machine), and bad bytes in names and logs reach neither
# the pages nor the terminal raw.
. "$srcdir/tests/lib.sh"
plan 6

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

t_done
