/*
 * config.h - a run's hyperparameters, read from config.json, config.yaml,
 * params.yaml or hparams.yaml with libyaml (which reads JSON too; a .json
 * file goes through jsondoc's filter first, as the JSON logs do).
 *
 * Nested mappings are flattened to dotted keys ("optimizer.lr") and
 * sequences to indexed keys ("layers.0"), in file order, so that the run
 * page can show every setting and compare.c can diff two configs key by key.
 */
#ifndef REPORTGEN_CONFIG_H
#define REPORTGEN_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

struct config_entry {
    char *key;
    char *value; /* the scalar as written; "null" for an empty value;
                    CONFIG_HIDDEN when the key looks like a secret's */
};

/*
 * The value kept, and so published, for a key that looks like it holds a
 * secret: one with token, password, passwd, secret, auth, api_key,
 * apikey, api-key, private_key or credentials in it, in any case.
 */
#define CONFIG_HIDDEN "(hidden)"

struct config {
    char *path; /* file read, or NULL when the run has none */
    size_t n, alloc;
    struct config_entry *e;
};

#define CONFIG_INIT                                                            \
    {                                                                          \
        NULL, 0, 0, NULL                                                       \
    }

/* The file names looked for beside metrics.csv, in order of preference. */
extern const char *const config_names[];

void config_init(struct config *cfg);
void config_release(struct config *cfg);

/*
 * Read the first of config_names[] that exists in dir into cfg. Returns 0
 * when one was read or none exists (cfg->path stays NULL), and -1 with a
 * message "PATH:LINE: ..." stored in *why (caller frees) when the file
 * exists but cannot be read or parsed.
 */
int config_load_dir(struct config *cfg, const char *dir, char **why);

/*
 * Parse the YAML or JSON file at path. Same return and *why as above. A
 * file named *.json is read as jsondoc.c reads JSON logs (the same byte
 * filter, and the same refusals: no value at all, an anchor or an
 * alias); it must also hold an object, as any config must.
 */
int config_load_file(struct config *cfg, const char *path, char **why);

/*
 * Whether key is a seed: its last dotted component is "seed". Runs that
 * differ only there are replicates, not a change of settings.
 */
bool config_is_seed_key(const char *key);

/* The value of key, or NULL. */
const char *config_get(const struct config *cfg, const char *key);

#endif
