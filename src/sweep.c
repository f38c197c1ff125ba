/*
 * sweep.c - which settings vary across the runs, for the leaderboards'
 * columns and the comparison page's charts (sweep.h).
 *
 * Every (key, run) pair of every config read is listed once, sorted by
 * key, so each key's values across the runs are one stretch of the list:
 * a sweep of thousands of runs with dozens of settings each costs one
 * sort. A key's value in a run is the last one its config gives, as
 * config_get() reads it.
 */
#include "sweep.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "util.h"
#include "banned.h"

/* One setting of one run. */
struct pair {
    const char *key;
    const char *value;
    size_t run;
    size_t entry; /* position in the run's config: the last one wins */
};

static int cmp_pair(const void *a, const void *b)
{
    const struct pair *x = a, *y = b;
    int c = strcmp(x->key, y->key);

    if (c)
        return c;
    if (x->run != y->run)
        return x->run < y->run ? -1 : 1;
    return x->entry < y->entry ? -1 : x->entry > y->entry;
}

/* A varying key: its stretch of the sorted pairs and its facts. */
struct varying {
    const char *key;
    size_t from, to; /* pairs[from..to), one per run (the last entry) */
    bool numeric, label;
    size_t nset, ndistinct;
};

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/*
 * The facts of the key of pairs[from..to), which holds one pair per run
 * that sets it: whether every value is a finite number, and how many
 * distinct values there are.
 */
static void key_facts(const struct pair *pairs, struct varying *k)
{
    size_t n = k->to - k->from;
    double *num = xcalloc(n ? n : 1, sizeof(*num));
    const char **str = xcalloc(n ? n : 1, sizeof(*str));

    k->nset = n;
    k->numeric = true;
    for (size_t i = 0; i < n; i++) {
        str[i] = pairs[k->from + i].value;
        if (k->numeric && (parse_number(str[i], &num[i]) || !isfinite(num[i])))
            k->numeric = false;
    }
    k->ndistinct = n ? 1 : 0;
    if (k->numeric) {
        qsort(num, n, sizeof(*num), cmp_double);
        for (size_t i = 1; i < n; i++)
            k->ndistinct += num[i] != num[i - 1];
    } else {
        qsort(str, n, sizeof(*str), cmp_str);
        for (size_t i = 1; i < n; i++)
            k->ndistinct += strcmp(str[i], str[i - 1]) != 0;
    }
    /* Text that differs in every run is its label, not a setting. */
    k->label = !k->numeric && n >= 3 && k->ndistinct == n;
    free(num);
    free(str);
}

/* The ranking of sweep.h. */
static int cmp_varying(const void *a, const void *b)
{
    const struct varying *x = a, *y = b;

    if (x->label != y->label)
        return x->label ? 1 : -1;
    if (x->nset != y->nset)
        return x->nset > y->nset ? -1 : 1;
    if (x->ndistinct != y->ndistinct)
        return x->ndistinct > y->ndistinct ? -1 : 1;
    return strcmp(x->key, y->key);
}

void sweep_init(struct sweep *s)
{
    memset(s, 0, sizeof(*s));
}

void sweep_release(struct sweep *s)
{
    for (size_t i = 0; i < s->nkeys; i++) {
        free(s->keys[i].key);
        free(s->keys[i].value);
        free(s->keys[i].num);
    }
    free(s->keys);
    for (size_t i = 0; i < s->nmore; i++)
        free(s->more[i]);
    free(s->more);
    sweep_init(s);
}

void sweep_find(struct sweep *s, const struct run_set *set)
{
    struct pair *pairs = NULL;
    struct varying *cand = NULL;
    size_t npairs = 0, alloc = 0, ncand = 0, cand_alloc = 0, kept = 0;

    sweep_release(s);
    s->nruns = set->n;
    for (size_t i = 0; i < set->n; i++) {
        const struct run *r = &set->runs[i];

        if (r->status == RUN_SKIPPED)
            continue;
        for (size_t e = 0; e < r->read.config.n; e++) {
            const struct config_entry *ce = &r->read.config.e[e];

            if (config_is_seed_key(ce->key))
                continue;
            ALLOC_GROW(pairs, npairs + 1, alloc);
            pairs[npairs].key = ce->key;
            pairs[npairs].value = ce->value;
            pairs[npairs].run = i;
            pairs[npairs++].entry = e;
        }
    }
    if (npairs)
        qsort(pairs, npairs, sizeof(*pairs), cmp_pair);
    /* Keep the last entry of each (key, run): the value the run used. */
    for (size_t i = 0; i < npairs; i++) {
        if (i + 1 < npairs && pairs[i + 1].run == pairs[i].run &&
            !strcmp(pairs[i + 1].key, pairs[i].key))
            continue;
        pairs[kept++] = pairs[i];
    }
    npairs = kept;

    for (size_t from = 0, to; from < npairs; from = to) {
        struct varying k;

        for (to = from + 1;
             to < npairs && !strcmp(pairs[to].key, pairs[from].key); to++)
            ;
        memset(&k, 0, sizeof(k));
        k.key = pairs[from].key;
        k.from = from;
        k.to = to;
        key_facts(pairs, &k);
        if (k.nset < 2 || k.ndistinct < 2)
            continue;
        ALLOC_GROW(cand, ncand + 1, cand_alloc);
        cand[ncand++] = k;
    }
    if (ncand)
        qsort(cand, ncand, sizeof(*cand), cmp_varying);

    /* Labels are named among the rest, never shown: they rank last. */
    while (s->nkeys < ncand && s->nkeys < SWEEP_MAX_SHOWN &&
           !cand[s->nkeys].label)
        s->nkeys++;
    s->keys = xcalloc(s->nkeys ? s->nkeys : 1, sizeof(*s->keys));
    for (size_t q = 0; q < s->nkeys; q++) {
        struct sweep_key *sk = &s->keys[q];
        const struct varying *k = &cand[q];

        sk->key = xstrdup(k->key);
        sk->numeric = k->numeric;
        sk->nset = k->nset;
        sk->ndistinct = k->ndistinct;
        sk->value = xcalloc(set->n ? set->n : 1, sizeof(*sk->value));
        sk->num = xcalloc(set->n ? set->n : 1, sizeof(*sk->num));
        for (size_t i = 0; i < set->n; i++)
            sk->num[i] = NAN;
        for (size_t p = k->from; p < k->to; p++) {
            sk->value[pairs[p].run] = pairs[p].value;
            if (k->numeric)
                parse_number(pairs[p].value, &sk->num[pairs[p].run]);
        }
    }
    s->nmore = ncand - s->nkeys;
    s->more = xcalloc(s->nmore ? s->nmore : 1, sizeof(*s->more));
    for (size_t q = 0; q < s->nmore; q++)
        s->more[q] = xstrdup(cand[s->nkeys + q].key);
    free(cand);
    free(pairs);
}
