/* clusterfile.c - cluster-<cluster_id>.json as ipyparallel's Cluster.to_dict() writes it
 * (cluster/cluster.py) and its launchers' to_dict() fill it (cluster/launcher.py).
 *
 * The stock reader compares what it rebuilt with what it read and rewrites (or deletes)
 * the file when they differ, so what we write must be what the stock classes would
 * write: the same keys, types and order. */
#include "config.h"

#include "clusterfile.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "error_int.h"
#include "jsonfile.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

int ippc_cf_set_str(char **dst, const char *s)
{
    char *copy = NULL;
    if (s && !(copy = strdup(s)))
        return -1;
    free(*dst);
    *dst = copy;
    return 0;
}

/* ------------------------------------------------------------ key order */

static int cmp_str(const void *a, const void *b) { return strcmp(*(const char *const *)a, *(const char *const *)b); }

/* A copy of obj (which is released) with its keys in the order of `like` (the object
 * read from the file, if any), then the others sorted (traitlets lists traits by name),
 * then `last`. */
static json_t *reorder(json_t *obj, const json_t *like, const char *last)
{
    if (!obj)
        return NULL;
    json_t *out = json_object();
    const char **rest = calloc(json_object_size(obj) + 1, sizeof(char *));
    size_t nrest = 0;
    const char *key;
    json_t *v;
    int rc = out && rest ? 0 : -1;
    if (json_is_object(like))
        json_object_foreach ((json_t *)like, key, v)
            if (rc == 0 && json_object_get(obj, key))
                rc = json_object_set(out, key, json_object_get(obj, key));
    json_object_foreach (obj, key, v)
        if (rc == 0 && !json_object_get(out, key) && !(last && strcmp(key, last) == 0))
            rest[nrest++] = key;
    if (rest)
        qsort(rest, nrest, sizeof(char *), cmp_str);
    for (size_t i = 0; rc == 0 && i < nrest; i++)
        rc = json_object_set(out, rest[i], json_object_get(obj, rest[i]));
    if (rc == 0 && last && json_object_get(obj, last) && !json_object_get(out, last))
        rc = json_object_set(out, last, json_object_get(obj, last));
    free(rest);
    json_decref(obj);
    if (rc != 0) {
        json_decref(out);
        return NULL;
    }
    return out;
}

/* like[key] when like is an object, else NULL: the matching part of the source file. */
static const json_t *sub(const json_t *like, const char *key)
{
    return json_is_object(like) ? json_object_get(like, key) : NULL;
}

/* obj += extra, our own keys winning. */
static int add_extra(json_t *obj, const json_t *extra)
{
    return extra && json_object_update_missing(obj, (json_t *)extra) != 0 ? -1 : 0;
}

/* ------------------------------------------------------- launcher states */

typedef struct {
    const char *key;
    size_t off;
    const char *dflt; /* written when NULL; a NULL default means "not written" */
} state_str_t;

#define SSTR(st, f) ((char **)((char *)(st) + (f)->off))

static const state_str_t state_strs[] = {
    {"cluster_id", offsetof(ippc_launcher_state_t, cluster_id), ""},
    {"profile_dir", offsetof(ippc_launcher_state_t, profile_dir), ""},
    {"state", offsetof(ippc_launcher_state_t, state), "before"},
    {"output_file", offsetof(ippc_launcher_state_t, output_file), NULL},
    {"job_id", offsetof(ippc_launcher_state_t, job_id), NULL},
    {"batch_template", offsetof(ippc_launcher_state_t, batch_template), NULL},
    {"batch_file_name", offsetof(ippc_launcher_state_t, batch_file_name), NULL},
    {"queue", offsetof(ippc_launcher_state_t, queue), NULL},
};

static void state_clear(ippc_launcher_state_t *st)
{
    for (size_t i = 0; i < NELEM(state_strs); i++)
        free(*SSTR(st, &state_strs[i]));
    json_decref(st->extra);
    memset(st, 0, sizeof(*st));
}

/* The state keys of the model; a set's state also owns "engines". */
static void state_known(const char **known, bool is_set)
{
    size_t k = 0;
    for (size_t i = 0; i < NELEM(state_strs); i++)
        known[k++] = state_strs[i].key;
    known[k++] = "pid";
    known[k++] = "n";
    if (is_set)
        known[k++] = "engines";
    known[k] = NULL;
}

static int state_read(ippc_launcher_state_t *st, const json_t *obj, bool is_set, const char *what,
                      ippc_error_t **err)
{
    for (size_t i = 0; i < NELEM(state_strs); i++)
        if (ippc_json_take_opt_str(obj, state_strs[i].key, what, SSTR(st, &state_strs[i]), err) != 0)
            return -1;
    if (ippc_json_take_opt_int(obj, "pid", what, &st->pid, &st->has_pid, err) != 0 ||
        ippc_json_take_opt_int(obj, "n", what, &st->n, &st->has_n, err) != 0)
        return -1;
    const char *known[NELEM(state_strs) + 4];
    state_known(known, is_set);
    st->extra = ippc_json_unknown_keys(obj, known);
    return st->extra ? 0 : ippc_error_set(err, IPPC_E_NOMEM, "%s: out of memory", what);
}

/* The state's own keys (without a set's engines map), not yet ordered. */
static json_t *state_fields_json(const ippc_launcher_state_t *st)
{
    json_t *o = json_object();
    int rc = o ? 0 : -1;
    for (size_t i = 0; rc == 0 && i < NELEM(state_strs); i++) {
        const char *s = *SSTR(st, &state_strs[i]);
        if (!s)
            s = state_strs[i].dflt;
        if (s)
            rc = ippc_json_put(o, state_strs[i].key, json_string(s));
    }
    if (rc == 0 && st->has_pid)
        rc = ippc_json_put(o, "pid", json_integer(st->pid));
    if (rc == 0 && st->has_n)
        rc = ippc_json_put(o, "n", json_integer(st->n));
    if (rc == 0)
        rc = add_extra(o, st->extra);
    if (rc != 0) {
        json_decref(o);
        return NULL;
    }
    return o;
}

static json_t *state_json(const ippc_launcher_state_t *st, const json_t *like)
{
    return reorder(state_fields_json(st), like, NULL);
}

/* The launcher classes of ipyparallel 7/8 that submit batch jobs (entry point names). */
static bool is_batch_class(const char *cls)
{
    static const char *const batch[] = {"batch", "slurm", "pbs", "sge", "lsf", "htcondor"};
    for (size_t i = 0; i < NELEM(batch); i++)
        if (strcmp(cls, batch[i]) == 0)
            return true;
    return false;
}

static bool is_process_class(const char *cls)
{
    return strcmp(cls, "local") == 0 || strcmp(cls, "mpi") == 0 || strcmp(cls, "ssh") == 0;
}

typedef enum { ROLE_CONTROLLER, ROLE_ENGINE_SET, ROLE_ENGINE } role_t;

static int batch_defaults(ippc_launcher_state_t *st, const char *cls)
{
    st->has_n = true;
    st->n = 1;
    st->extra = json_pack("{s:{}}", "namespace");
    int rc = st->extra ? 0 : -1;
    rc |= ippc_cf_set_str(&st->job_id, "");
    rc |= ippc_cf_set_str(&st->batch_template, "");
    rc |= ippc_cf_set_str(&st->queue, "");
    /* Only the generic class keeps the tagged batch_file_name trait; the others override it. */
    if (strcmp(cls, "batch") == 0)
        rc |= ippc_cf_set_str(&st->batch_file_name, "batch_script");
    return rc;
}

/* The keys the stock launcher class puts in its to_dict(), with its defaults. */
static int state_init(ippc_launcher_state_t *st, role_t role, const char *cls, const char *cluster_id,
                      const char *profile_dir)
{
    state_clear(st);
    int rc = ippc_cf_set_str(&st->cluster_id, cluster_id ? cluster_id : "");
    rc |= ippc_cf_set_str(&st->profile_dir, profile_dir ? profile_dir : "");
    rc |= ippc_cf_set_str(&st->state, "running");
    if (role != ROLE_ENGINE && is_batch_class(cls))
        return rc | batch_defaults(st, cls);
    if (role != ROLE_ENGINE && !is_process_class(cls))
        return rc;
    st->has_pid = true;
    st->pid = -1;
    st->has_n = role != ROLE_CONTROLLER;
    st->n = role == ROLE_ENGINE ? 1 : 0;
    /* A local engine set has no output file of its own: each engine has one. */
    if (!(role == ROLE_ENGINE_SET && strcmp(cls, "mpi") != 0))
        rc |= ippc_cf_set_str(&st->output_file, "");
    return rc;
}

/* ------------------------------------------------------------ engine sets */

static void set_clear(ippc_cluster_engine_set_t *set)
{
    free(set->id);
    state_clear(&set->state);
    for (size_t i = 0; i < set->nengines; i++) {
        free(set->engines[i].id);
        state_clear(&set->engines[i].state);
    }
    free(set->engines);
    memset(set, 0, sizeof(*set));
}

static int engines_read(ippc_cluster_engine_set_t *set, const json_t *map, const char *what, ippc_error_t **err)
{
    set->has_engines = true;
    set->engines = calloc(json_object_size(map) + 1, sizeof(ippc_cluster_engine_t));
    if (!set->engines)
        return ippc_error_set(err, IPPC_E_NOMEM, "%s: out of memory", what);
    const char *eid;
    json_t *v;
    json_object_foreach ((json_t *)map, eid, v) {
        char *ewhat = ippc_strdup_printf("%s.engines.%s", what, eid);
        json_t *eobj;
        ippc_cluster_engine_t *e = &set->engines[set->nengines++];
        int rc = ewhat ? 0 : ippc_error_set(err, IPPC_E_NOMEM, "out of memory");
        if (rc == 0)
            rc = ippc_json_get(map, eid, what, JSON_OBJECT, 0, &eobj, err);
        if (rc == 0 && !(e->id = strdup(eid)))
            rc = ippc_error_set(err, IPPC_E_NOMEM, "out of memory");
        if (rc == 0)
            rc = state_read(&e->state, eobj, false, ewhat, err);
        free(ewhat);
        if (rc != 0)
            return -1;
    }
    return 0;
}

static int set_read(ippc_cluster_engine_set_t *set, const char *id, const json_t *obj, const char *what,
                    ippc_error_t **err)
{
    if (!(set->id = strdup(id)))
        return ippc_error_set(err, IPPC_E_NOMEM, "out of memory");
    if (state_read(&set->state, obj, true, what, err) != 0)
        return -1;
    json_t *map;
    if (ippc_json_get(obj, "engines", what, JSON_OBJECT, IPPC_JSON_OPTIONAL, &map, err) != 0)
        return -1;
    return map ? engines_read(set, map, what, err) : 0;
}

static json_t *set_json(const ippc_cluster_engine_set_t *set, const json_t *like)
{
    json_t *o = state_fields_json(&set->state);
    if (o && set->has_engines) {
        json_t *map = json_object();
        const json_t *like_map = sub(like, "engines");
        for (size_t i = 0; map && i < set->nengines; i++) {
            const ippc_cluster_engine_t *e = &set->engines[i];
            if (ippc_json_put(map, e->id, state_json(&e->state, sub(like_map, e->id))) != 0) {
                json_decref(map);
                map = NULL;
            }
        }
        if (ippc_json_put(o, "engines", map) != 0) {
            json_decref(o);
            o = NULL;
        }
    }
    /* LocalEngineSetLauncher.to_dict() adds "engines" after its sorted traits. */
    return reorder(o, like, "engines");
}

/* ----------------------------------------------------------- the record */

void ippc_clusterfile_destroy(ippc_clusterfile_t **cfp)
{
    if (!cfp || !*cfp)
        return;
    ippc_clusterfile_t *cf = *cfp;
    free(cf->cluster_id);
    free(cf->profile_dir);
    for (size_t i = 0; i < cf->ncontroller_args; i++)
        free(cf->controller_args[i]);
    free(cf->controller_args);
    free(cf->controller_ip);
    free(cf->controller_location);
    free(cf->cls);
    json_decref(cf->cluster_extra);
    free(cf->controller_class);
    state_clear(&cf->controller);
    json_decref(cf->controller_extra);
    free(cf->engines_class);
    for (size_t i = 0; i < cf->nsets; i++)
        set_clear(&cf->sets[i]);
    free(cf->sets);
    json_decref(cf->engines_extra);
    json_decref(cf->extra);
    json_decref(cf->source);
    free(cf);
    *cfp = NULL;
}

/* The Cluster traits before anything is read or set. */
static ippc_clusterfile_t *cf_alloc(void)
{
    ippc_clusterfile_t *cf = calloc(1, sizeof(*cf));
    if (!cf)
        return NULL;
    cf->delay = 1.0;
    cf->n = IPPC_CLUSTER_N_UNSET;
    int rc = ippc_cf_set_str(&cf->cluster_id, "");
    rc |= ippc_cf_set_str(&cf->controller_ip, "");
    rc |= ippc_cf_set_str(&cf->controller_location, "");
    rc |= ippc_cf_set_str(&cf->cls, IPPC_CLUSTER_CLASS);
    if (rc != 0)
        ippc_clusterfile_destroy(&cf);
    return cf;
}

ippc_clusterfile_t *ippc_clusterfile_new(const char *cluster_id, const char *profile_dir)
{
    ippc_clusterfile_t *cf = cf_alloc();
    if (!cf)
        return NULL;
    char *default_dir = profile_dir ? NULL : ippc_profile_dir(NULL);
    int rc = ippc_cf_set_str(&cf->cluster_id, cluster_id ? cluster_id : "");
    rc |= ippc_cf_set_str(&cf->profile_dir, profile_dir ? profile_dir : default_dir);
    rc |= ippc_cf_set_str(&cf->engines_class, "local");
    free(default_dir);
    if (rc != 0 || !cf->profile_dir)
        ippc_clusterfile_destroy(&cf);
    return cf;
}

ippc_launcher_state_t *ippc_clusterfile_set_controller(ippc_clusterfile_t *cf, const char *cls)
{
    if (!cf || !cls || ippc_cf_set_str(&cf->controller_class, cls) != 0)
        return NULL;
    cf->controller_state_null = false;
    if (state_init(&cf->controller, ROLE_CONTROLLER, cls, cf->cluster_id, cf->profile_dir) != 0)
        return NULL;
    return &cf->controller;
}

ippc_cluster_engine_set_t *ippc_clusterfile_add_engine_set(ippc_clusterfile_t *cf, const char *set_id)
{
    if (!cf || !set_id || (!cf->engines_class && ippc_cf_set_str(&cf->engines_class, "local") != 0))
        return NULL;
    ippc_cluster_engine_set_t *grown = realloc(cf->sets, (cf->nsets + 1) * sizeof(*grown));
    if (!grown)
        return NULL;
    cf->sets = grown;
    ippc_cluster_engine_set_t *set = &cf->sets[cf->nsets];
    memset(set, 0, sizeof(*set));
    set->has_engines = strcmp(cf->engines_class, "local") == 0 || strcmp(cf->engines_class, "ssh") == 0;
    if (!(set->id = strdup(set_id)) ||
        state_init(&set->state, ROLE_ENGINE_SET, cf->engines_class, cf->cluster_id, cf->profile_dir) != 0) {
        set_clear(set);
        return NULL;
    }
    cf->nsets++;
    return set;
}

ippc_launcher_state_t *ippc_cluster_engine_set_add_engine(ippc_cluster_engine_set_t *set, const char *engine_id)
{
    if (!set || !engine_id)
        return NULL;
    ippc_cluster_engine_t *grown = realloc(set->engines, (set->nengines + 1) * sizeof(*grown));
    if (!grown)
        return NULL;
    set->engines = grown;
    ippc_cluster_engine_t *e = &set->engines[set->nengines];
    memset(e, 0, sizeof(*e));
    if (!(e->id = strdup(engine_id)) ||
        state_init(&e->state, ROLE_ENGINE, "local", set->state.cluster_id, set->state.profile_dir) != 0) {
        free(e->id);
        state_clear(&e->state);
        return NULL;
    }
    set->has_engines = true;
    set->nengines++;
    /* LocalEngineSetLauncher.start(n) records n = the number of engines it started. */
    if (set->state.has_n)
        set->state.n = (long long)set->nengines;
    return &e->state;
}

/* -------------------------------------------------------------- reading */

static const char *const cluster_known[] = {"cluster_id", "profile_dir", "controller_args", "controller_ip",
                                            "controller_location", "delay", "n", "class", NULL};

static int args_read(ippc_clusterfile_t *cf, const json_t *c, const char *what, ippc_error_t **err)
{
    json_t *arr;
    if (ippc_json_get(c, "controller_args", what, JSON_ARRAY, IPPC_JSON_OPTIONAL, &arr, err) != 0)
        return -1;
    if (!arr)
        return 0;
    cf->controller_args = calloc(json_array_size(arr) + 1, sizeof(char *));
    if (!cf->controller_args)
        return ippc_error_set(err, IPPC_E_NOMEM, "out of memory");
    for (size_t i = 0; i < json_array_size(arr); i++) {
        json_t *v = json_array_get(arr, i);
        if (!json_is_string(v))
            return ippc_error_set(err, IPPC_E_PARSE, "%s: key 'controller_args' item %zu must be a string, not %s",
                                  what, i, ippc_json_type_desc(v));
        if (!(cf->controller_args[cf->ncontroller_args++] = strdup(json_string_value(v))))
            return ippc_error_set(err, IPPC_E_NOMEM, "out of memory");
    }
    return 0;
}

static int numbers_read(ippc_clusterfile_t *cf, const json_t *c, const char *what, ippc_error_t **err)
{
    json_t *v;
    if (ippc_json_get(c, "delay", what, JSON_REAL, IPPC_JSON_OPTIONAL, &v, err) != 0)
        return -1;
    if (v)
        cf->delay = json_number_value(v);
    if (ippc_json_get(c, "n", what, JSON_INTEGER, IPPC_JSON_OPTIONAL | IPPC_JSON_NULLABLE, &v, err) != 0)
        return -1;
    if (json_is_integer(v) && json_integer_value(v) < 0)
        return ippc_error_set(err, IPPC_E_PARSE, "%s: key 'n' must be a number of engines (>= 0) or null, not %lld",
                              what, (long long)json_integer_value(v));
    if (json_is_integer(v))
        cf->n = (long long)json_integer_value(v);
    return 0;
}

/* A string key the stock code always writes: absent keeps the default, null is refused. */
static int str_read(const json_t *obj, const char *key, const char *what, char **out, ippc_error_t **err)
{
    json_t *v;
    if (ippc_json_get(obj, key, what, JSON_STRING, IPPC_JSON_OPTIONAL, &v, err) != 0)
        return -1;
    if (v && ippc_cf_set_str(out, json_string_value(v)) != 0)
        return ippc_error_set(err, IPPC_E_NOMEM, "out of memory");
    return 0;
}

static int cluster_read(ippc_clusterfile_t *cf, const json_t *doc, const char *origin, ippc_error_t **err)
{
    json_t *c;
    if (ippc_json_get(doc, "cluster", origin, JSON_OBJECT, 0, &c, err) != 0)
        return -1;
    char *what = ippc_strdup_printf("%s: cluster", origin);
    if (!what)
        return ippc_error_set(err, IPPC_E_NOMEM, "out of memory");
    int rc = str_read(c, "cluster_id", what, &cf->cluster_id, err);
    rc = rc ? rc : str_read(c, "profile_dir", what, &cf->profile_dir, err);
    rc = rc ? rc : str_read(c, "controller_ip", what, &cf->controller_ip, err);
    rc = rc ? rc : str_read(c, "controller_location", what, &cf->controller_location, err);
    rc = rc ? rc : str_read(c, "class", what, &cf->cls, err);
    rc = rc ? rc : args_read(cf, c, what, err);
    rc = rc ? rc : numbers_read(cf, c, what, err);
    if (rc == 0 && !(cf->cluster_extra = ippc_json_unknown_keys(c, cluster_known)))
        rc = ippc_error_set(err, IPPC_E_NOMEM, "out of memory");
    free(what);
    return rc;
}

static int controller_read(ippc_clusterfile_t *cf, const json_t *doc, const char *origin, ippc_error_t **err)
{
    static const char *const known[] = {"class", "state", NULL};
    json_t *ctl, *st;
    /* Cluster.from_dict: `if d.get("controller")`: absent, null and {} mean none. */
    if (ippc_json_get(doc, "controller", origin, JSON_OBJECT, IPPC_JSON_OPTIONAL | IPPC_JSON_NULLABLE, &ctl, err) != 0)
        return -1;
    if (!json_is_object(ctl) || json_object_size(ctl) == 0)
        return 0;
    char *what = ippc_strdup_printf("%s: controller", origin);
    char *swhat = ippc_strdup_printf("%s: controller.state", origin);
    const char *cls;
    int rc = what && swhat ? 0 : ippc_error_set(err, IPPC_E_NOMEM, "out of memory");
    rc = rc ? rc : ippc_json_get_str(ctl, "class", what, &cls, err);
    rc = rc ? rc : ippc_json_get(ctl, "state", what, JSON_OBJECT, IPPC_JSON_NULLABLE, &st, err);
    if (rc == 0 && ippc_cf_set_str(&cf->controller_class, cls) != 0)
        rc = ippc_error_set(err, IPPC_E_NOMEM, "out of memory");
    if (rc == 0) {
        cf->controller_state_null = json_is_null(st);
        if (!cf->controller_state_null)
            rc = state_read(&cf->controller, st, false, swhat, err);
    }
    if (rc == 0 && !(cf->controller_extra = ippc_json_unknown_keys(ctl, known)))
        rc = ippc_error_set(err, IPPC_E_NOMEM, "out of memory");
    free(what);
    free(swhat);
    return rc;
}

static int sets_read(ippc_clusterfile_t *cf, const json_t *sets, const char *origin, ippc_error_t **err)
{
    cf->sets = calloc(json_object_size(sets) + 1, sizeof(ippc_cluster_engine_set_t));
    if (!cf->sets)
        return ippc_error_set(err, IPPC_E_NOMEM, "out of memory");
    const char *id;
    json_t *v;
    json_object_foreach ((json_t *)sets, id, v) {
        char *what = ippc_strdup_printf("%s: engines.sets", origin);
        char *swhat = ippc_strdup_printf("%s: engines.sets.%s", origin, id);
        json_t *sobj;
        int rc = what && swhat ? 0 : ippc_error_set(err, IPPC_E_NOMEM, "out of memory");
        rc = rc ? rc : ippc_json_get(sets, id, what, JSON_OBJECT, 0, &sobj, err);
        rc = rc ? rc : set_read(&cf->sets[cf->nsets++], id, sobj, swhat, err);
        free(what);
        free(swhat);
        if (rc != 0)
            return -1;
    }
    return 0;
}

static int engines_section_read(ippc_clusterfile_t *cf, const json_t *doc, const char *origin, ippc_error_t **err)
{
    static const char *const known[] = {"class", "sets", NULL};
    json_t *eng, *sets;
    if (ippc_json_get(doc, "engines", origin, JSON_OBJECT, IPPC_JSON_OPTIONAL | IPPC_JSON_NULLABLE, &eng, err) != 0)
        return -1;
    if (!json_is_object(eng) || json_object_size(eng) == 0)
        return 0;
    char *what = ippc_strdup_printf("%s: engines", origin);
    const char *cls;
    int rc = what ? 0 : ippc_error_set(err, IPPC_E_NOMEM, "out of memory");
    rc = rc ? rc : ippc_json_get_str(eng, "class", what, &cls, err);
    if (rc == 0 && ippc_cf_set_str(&cf->engines_class, cls) != 0)
        rc = ippc_error_set(err, IPPC_E_NOMEM, "out of memory");
    rc = rc ? rc : ippc_json_get(eng, "sets", what, JSON_OBJECT, IPPC_JSON_OPTIONAL, &sets, err);
    if (rc == 0 && sets)
        rc = sets_read(cf, sets, origin, err);
    if (rc == 0 && !(cf->engines_extra = ippc_json_unknown_keys(eng, known)))
        rc = ippc_error_set(err, IPPC_E_NOMEM, "out of memory");
    free(what);
    return rc;
}

ippc_clusterfile_t *ippc_clusterfile_from_json(const json_t *obj, const char *origin, ippc_error_t **err)
{
    static const char *const known[] = {"cluster", "controller", "engines", NULL};
    if (!origin)
        origin = "cluster file";
    if (!json_is_object(obj)) {
        ippc_error_set(err, IPPC_E_PARSE, "%s: not a JSON object", origin);
        return NULL;
    }
    ippc_clusterfile_t *cf = cf_alloc();
    int rc = cf ? 0 : ippc_error_set(err, IPPC_E_NOMEM, "out of memory");
    rc = rc ? rc : cluster_read(cf, obj, origin, err);
    rc = rc ? rc : controller_read(cf, obj, origin, err);
    rc = rc ? rc : engines_section_read(cf, obj, origin, err);
    if (rc == 0 && (!(cf->extra = ippc_json_unknown_keys(obj, known)) || !(cf->source = json_deep_copy(obj))))
        rc = ippc_error_set(err, IPPC_E_NOMEM, "out of memory");
    if (rc != 0)
        ippc_clusterfile_destroy(&cf);
    return cf;
}

ippc_clusterfile_t *ippc_clusterfile_read(const char *path, ippc_error_t **err)
{
    json_t *obj = ippc_json_read_file(path, err);
    if (!obj)
        return NULL;
    ippc_clusterfile_t *cf = ippc_clusterfile_from_json(obj, path, err);
    json_decref(obj);
    return cf;
}

/* -------------------------------------------------------------- writing */

static json_t *args_json(const ippc_clusterfile_t *cf)
{
    json_t *arr = json_array();
    for (size_t i = 0; arr && i < cf->ncontroller_args; i++)
        if (json_array_append_new(arr, json_string(cf->controller_args[i] ? cf->controller_args[i] : "")) != 0) {
            json_decref(arr);
            arr = NULL;
        }
    return arr;
}

static const char *or_empty(const char *s) { return s ? s : ""; }

static json_t *cluster_json(const ippc_clusterfile_t *cf)
{
    json_t *c = json_object();
    if (!c)
        return NULL;
    int rc = ippc_json_put(c, "cluster_id", json_string(or_empty(cf->cluster_id)));
    rc |= ippc_json_put(c, "controller_args", args_json(cf));
    rc |= ippc_json_put(c, "controller_ip", json_string(or_empty(cf->controller_ip)));
    rc |= ippc_json_put(c, "controller_location", json_string(or_empty(cf->controller_location)));
    rc |= ippc_json_put(c, "delay", json_real(cf->delay));
    rc |= ippc_json_put(c, "n", cf->n < 0 ? json_null() : json_integer(cf->n));
    rc |= ippc_json_put(c, "profile_dir", json_string(or_empty(cf->profile_dir)));
    rc |= ippc_json_put(c, "class", json_string(cf->cls ? cf->cls : IPPC_CLUSTER_CLASS));
    rc |= add_extra(c, cf->cluster_extra);
    if (rc != 0) {
        json_decref(c);
        return NULL;
    }
    /* to_dict(): the tagged traits by name, then "class". */
    return reorder(c, sub(cf->source, "cluster"), "class");
}

static json_t *controller_json(const ippc_clusterfile_t *cf)
{
    const json_t *like = sub(cf->source, "controller");
    json_t *o = json_object();
    if (!o)
        return NULL;
    int rc = ippc_json_put(o, "class", json_string(cf->controller_class));
    rc |= ippc_json_put(o, "state", cf->controller_state_null ? json_null() : state_json(&cf->controller, sub(like, "state")));
    rc |= add_extra(o, cf->controller_extra);
    if (rc != 0) {
        json_decref(o);
        return NULL;
    }
    return reorder(o, like, NULL);
}

static json_t *engines_json(const ippc_clusterfile_t *cf)
{
    const json_t *like = sub(cf->source, "engines");
    const json_t *like_sets = sub(like, "sets");
    json_t *sets = json_object();
    for (size_t i = 0; sets && i < cf->nsets; i++)
        if (ippc_json_put(sets, cf->sets[i].id, set_json(&cf->sets[i], sub(like_sets, cf->sets[i].id))) != 0) {
            json_decref(sets);
            sets = NULL;
        }
    json_t *o = json_object();
    if (!o) {
        json_decref(sets);
        return NULL;
    }
    int rc = ippc_json_put(o, "class", json_string(cf->engines_class));
    rc |= ippc_json_put(o, "sets", sets);
    rc |= add_extra(o, cf->engines_extra);
    if (rc != 0) {
        json_decref(o);
        return NULL;
    }
    return reorder(o, like, NULL);
}

json_t *ippc_clusterfile_to_json(const ippc_clusterfile_t *cf)
{
    if (!cf)
        return NULL;
    json_t *top = json_object();
    if (!top)
        return NULL;
    int rc = ippc_json_put(top, "cluster", cluster_json(cf));
    if (cf->controller_class)
        rc |= ippc_json_put(top, "controller", controller_json(cf));
    if (cf->engines_class)
        rc |= ippc_json_put(top, "engines", engines_json(cf));
    rc |= add_extra(top, cf->extra);
    if (rc != 0) {
        json_decref(top);
        return NULL;
    }
    return reorder(top, cf->source, NULL);
}

int ippc_clusterfile_write(const ippc_clusterfile_t *cf, const char *path, ippc_error_t **err)
{
    json_t *obj = ippc_clusterfile_to_json(cf);
    if (!obj)
        return ippc_error_set(err, IPPC_E_NOMEM, "%s: cannot build the cluster file", path ? path : "(null)");
    int rc = ippc_json_write_atomic(path, obj, 0600, IPPC_JSON_ONELINE, err);
    json_decref(obj);
    return rc;
}

/* -------------------------------------------------------------- liveness */

/* psutil.Process(pid) as LocalProcessLauncher._reconstruct_process uses it: only pids
 * > 0 are checked (kill(0 or -n) would address process groups); EPERM means the process
 * exists under another user. */
static ippc_proc_status_t pid_status(long long pid)
{
    if (pid <= 0)
        return IPPC_PROC_UNKNOWN;
    if (pid > INT_MAX)
        return IPPC_PROC_DEAD;
    if (kill((pid_t)pid, 0) == 0 || errno == EPERM)
        return IPPC_PROC_ALIVE;
    return IPPC_PROC_DEAD;
}

ippc_proc_status_t ippc_launcher_status(const ippc_launcher_state_t *st)
{
    return st && st->has_pid ? pid_status(st->pid) : IPPC_PROC_UNKNOWN;
}

static bool is_after(const ippc_launcher_state_t *st) { return st->state && strcmp(st->state, "after") == 0; }

static void count(ippc_cluster_liveness_t *out, ippc_proc_status_t s)
{
    if (s == IPPC_PROC_ALIVE)
        out->engines_alive++;
    else if (s == IPPC_PROC_DEAD)
        out->engines_dead++;
    else
        out->engines_unknown++;
}

/* LocalEngineSetLauncher.from_dict: the set's own pid, then its engines; a set whose
 * engines are all gone raises NotRunning("No engines left"). */
static bool set_survives(const ippc_cluster_engine_set_t *set, ippc_cluster_liveness_t *out)
{
    ippc_proc_status_t own = ippc_launcher_status(&set->state);
    if (!set->has_engines) {
        count(out, own);
        return own != IPPC_PROC_DEAD;
    }
    size_t left = 0;
    for (size_t i = 0; i < set->nengines; i++) {
        ippc_proc_status_t s = ippc_launcher_status(&set->engines[i].state);
        count(out, s);
        left += s != IPPC_PROC_DEAD;
    }
    return own != IPPC_PROC_DEAD && left > 0;
}

void ippc_clusterfile_liveness(const ippc_clusterfile_t *cf, ippc_cluster_liveness_t *out)
{
    memset(out, 0, sizeof(*out));
    if (!cf)
        return;
    bool running = false;
    if (cf->controller_class && !cf->controller_state_null) {
        out->controller = ippc_launcher_status(&cf->controller);
        running = out->controller != IPPC_PROC_DEAD && !is_after(&cf->controller);
    }
    for (size_t i = 0; i < cf->nsets; i++)
        if (set_survives(&cf->sets[i], out) && !is_after(&cf->sets[i].state))
            running = true;
    out->running = running;
}

bool ippc_clusterfile_is_stale(const ippc_clusterfile_t *cf)
{
    ippc_cluster_liveness_t l;
    ippc_clusterfile_liveness(cf, &l);
    return !l.running;
}
