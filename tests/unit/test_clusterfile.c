/* test_clusterfile.c - cluster-<id>.json: what we write for a local and a Slurm
 * launcher is byte for byte what ipyparallel 7.1's Cluster.to_dict() + json.dump write,
 * stock files survive a read/write unchanged, bad files get errors that say where, and
 * the liveness check follows Cluster.from_dict(). */
#include "config.h"

#include <check.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "clusterfile.h"
#include "filetest.h"
#include "jsonfile.h"

/* Dumped by the stock package (json.dump(cluster.to_dict(), f)) for a Cluster with a
 * LocalControllerLauncher and a LocalEngineSetLauncher of two engines. */
static const char stock_local[] =
    "{\"cluster\": {\"cluster_id\": \"t1\", \"controller_args\": [], \"controller_ip\": \"\", "
    "\"controller_location\": \"\", \"delay\": 1.0, \"n\": 2, \"profile_dir\": \"/tmp/expl/profile_x\", "
    "\"class\": \"ipyparallel.cluster.cluster.Cluster\"}, \"controller\": {\"class\": \"local\", \"state\": "
    "{\"cluster_id\": \"t1\", \"output_file\": \"/tmp/expl/profile_x/log/ipcontroller-t1-28056.log\", \"pid\": "
    "17160, \"profile_dir\": \"/tmp/expl/profile_x\", \"state\": \"running\"}}, \"engines\": {\"class\": "
    "\"local\", \"sets\": {\"123\": {\"cluster_id\": \"t1\", \"n\": 2, \"pid\": -1, \"profile_dir\": "
    "\"/tmp/expl/profile_x\", \"state\": \"running\", \"engines\": {\"0\": {\"cluster_id\": \"t1\", \"n\": 1, "
    "\"output_file\": \"/tmp/e0.log\", \"pid\": 1000, \"profile_dir\": \"/tmp/expl/profile_x\", \"state\": "
    "\"running\"}, \"1\": {\"cluster_id\": \"t1\", \"n\": 1, \"output_file\": \"/tmp/e1.log\", \"pid\": 1001, "
    "\"profile_dir\": \"/tmp/expl/profile_x\", \"state\": \"running\"}}}}}}";

/* The same for the Slurm launchers (controller job 4242, engine job 4243 with n=4),
 * with a non-ASCII controller arg and delay 0.1 to check the number and escape forms. */
static const char stock_slurm[] =
    "{\"cluster\": {\"cluster_id\": \"s1\", \"controller_args\": [\"--ip=*\", \"\\u00e9\"], \"controller_ip\": "
    "\"\", \"controller_location\": \"\", \"delay\": 0.1, \"n\": 4, \"profile_dir\": \"/tmp/expl/profile_x\", "
    "\"class\": \"ipyparallel.cluster.cluster.Cluster\"}, \"controller\": {\"class\": \"slurm\", \"state\": "
    "{\"batch_template\": \"\", \"cluster_id\": \"s1\", \"job_id\": \"4242\", \"n\": 1, \"namespace\": {}, "
    "\"profile_dir\": \"/tmp/expl/profile_x\", \"queue\": \"\", \"state\": \"running\"}}, \"engines\": "
    "{\"class\": \"slurm\", \"sets\": {\"1700000000-abcd\": {\"batch_template\": \"\", \"cluster_id\": \"s1\", "
    "\"job_id\": \"4243\", \"n\": 4, \"namespace\": {}, \"profile_dir\": \"/tmp/expl/profile_x\", \"queue\": "
    "\"\", \"state\": \"running\"}}}}";

/* Cluster(profile_dir=..., cluster_id="").to_dict() before anything starts. */
static const char stock_empty[] =
    "{\"cluster\": {\"cluster_id\": \"\", \"controller_args\": [], \"controller_ip\": \"\", "
    "\"controller_location\": \"\", \"delay\": 1.0, \"n\": null, \"profile_dir\": \"/tmp/expl/profile_x\", "
    "\"class\": \"ipyparallel.cluster.cluster.Cluster\"}, \"engines\": {\"class\": \"local\", \"sets\": {}}}";

static char *dir;

static void setup(void) { dir = ft_tmpdir(); }
static void teardown(void)
{
    ft_rmtree(dir);
    dir = NULL;
}

static ippc_clusterfile_t *read_text(const char *text, ippc_error_t **err)
{
    char *path = ft_path(dir, "cluster-in.json");
    ft_write(path, text);
    ippc_clusterfile_t *cf = ippc_clusterfile_read(path, err);
    free(path);
    return cf;
}

/* Write cf and return the text of the file (malloc'd). */
static char *written(const ippc_clusterfile_t *cf)
{
    char *path = ft_path(dir, "security/cluster-out.json");
    ippc_error_t *err = NULL;
    ck_assert_msg(ippc_clusterfile_write(cf, path, &err) == 0, "%s", ippc_error_message(err));
    char *text = ft_read(path);
    free(path);
    return text;
}

static void assert_written(const ippc_clusterfile_t *cf, const char *want)
{
    char *text = written(cf);
    ck_assert_str_eq(text, want);
    free(text);
}

/* ------------------------------------------------------------- writing */

START_TEST(a_new_record_is_what_cluster_to_dict_makes)
{
    ippc_clusterfile_t *cf = ippc_clusterfile_new("", "/tmp/expl/profile_x");
    ck_assert_ptr_nonnull(cf);
    assert_written(cf, stock_empty);
    ippc_clusterfile_destroy(&cf);
    ck_assert_ptr_null(cf);
    ippc_clusterfile_destroy(&cf);
    ippc_clusterfile_destroy(NULL);
}
END_TEST

START_TEST(a_local_launcher_is_recorded_as_stock_does)
{
    ippc_clusterfile_t *cf = ippc_clusterfile_new("t1", "/tmp/expl/profile_x");
    cf->n = 2;
    ippc_launcher_state_t *ctl = ippc_clusterfile_set_controller(cf, "local");
    ck_assert_ptr_nonnull(ctl);
    ctl->pid = 17160;
    ck_assert_int_eq(ippc_cf_set_str(&ctl->output_file, "/tmp/expl/profile_x/log/ipcontroller-t1-28056.log"), 0);
    ippc_cluster_engine_set_t *set = ippc_clusterfile_add_engine_set(cf, "123");
    ck_assert_ptr_nonnull(set);
    for (int i = 0; i < 2; i++) {
        char id[8], out[32];
        snprintf(id, sizeof id, "%d", i);
        snprintf(out, sizeof out, "/tmp/e%d.log", i);
        ippc_launcher_state_t *e = ippc_cluster_engine_set_add_engine(set, id);
        ck_assert_ptr_nonnull(e);
        e->pid = 1000 + i;
        ck_assert_int_eq(ippc_cf_set_str(&e->output_file, out), 0);
    }
    ck_assert_int_eq(set->state.n, 2);
    assert_written(cf, stock_local);
    ippc_clusterfile_destroy(&cf);
}
END_TEST

START_TEST(a_slurm_launcher_is_recorded_as_stock_does)
{
    ippc_clusterfile_t *cf = ippc_clusterfile_new("s1", "/tmp/expl/profile_x");
    cf->n = 4;
    cf->delay = 0.1;
    cf->controller_args = calloc(3, sizeof(char *));
    cf->controller_args[0] = strdup("--ip=*");
    cf->controller_args[1] = strdup("\xc3\xa9");
    cf->ncontroller_args = 2;
    ippc_launcher_state_t *ctl = ippc_clusterfile_set_controller(cf, "slurm");
    ck_assert_int_eq(ippc_cf_set_str(&ctl->job_id, "4242"), 0);
    ck_assert_int_eq(ippc_cf_set_str(&cf->engines_class, "slurm"), 0);
    ippc_cluster_engine_set_t *set = ippc_clusterfile_add_engine_set(cf, "1700000000-abcd");
    ck_assert(!set->has_engines);
    set->state.n = 4;
    ck_assert_int_eq(ippc_cf_set_str(&set->state.job_id, "4243"), 0);
    assert_written(cf, stock_slurm);
    ippc_clusterfile_destroy(&cf);
}
END_TEST

/* The keys each launcher class adds, as listed by the stock to_dict() of each class. */
START_TEST(launcher_classes_get_their_keys)
{
    ippc_clusterfile_t *cf = ippc_clusterfile_new("c", "/p");
    ippc_launcher_state_t *st = ippc_clusterfile_set_controller(cf, "batch");
    ck_assert_str_eq(st->batch_file_name, "batch_script");
    ck_assert(!st->has_pid);
    st = ippc_clusterfile_set_controller(cf, "mpi");
    ck_assert(st->has_pid && st->pid == -1 && st->output_file && !st->has_n && !st->job_id);
    st = ippc_clusterfile_set_controller(cf, "winhpc");
    ck_assert(!st->has_pid && !st->output_file && !st->has_n);
    ck_assert_int_eq(ippc_cf_set_str(&cf->engines_class, "mpi"), 0);
    ippc_cluster_engine_set_t *set = ippc_clusterfile_add_engine_set(cf, "m");
    ck_assert(set->state.has_pid && set->state.has_n && set->state.output_file && !set->has_engines);
    json_t *j = ippc_clusterfile_to_json(cf);
    char *text = json_dumps(json_object_get(j, "engines"), 0);
    ck_assert_str_eq(text, "{\"class\": \"mpi\", \"sets\": {\"m\": {\"cluster_id\": \"c\", \"n\": 0, \"output_file\": "
                           "\"\", \"pid\": -1, \"profile_dir\": \"/p\", \"state\": \"running\"}}}");
    free(text);
    json_decref(j);
    ippc_clusterfile_destroy(&cf);
}
END_TEST

START_TEST(without_a_profile_dir_the_default_profile_is_used)
{
    setenv("IPYTHONDIR", "/ipy", 1);
    ippc_clusterfile_t *cf = ippc_clusterfile_new(NULL, NULL);
    ck_assert_str_eq(cf->profile_dir, "/ipy/profile_default");
    ck_assert_str_eq(cf->cluster_id, "");
    ippc_clusterfile_destroy(&cf);
}
END_TEST

/* ------------------------------------------------------------- reading */

START_TEST(stock_files_round_trip_unchanged)
{
    const char *const stock[] = {stock_local, stock_slurm, stock_empty};
    for (size_t i = 0; i < 3; i++) {
        ippc_error_t *err = NULL;
        ippc_clusterfile_t *cf = read_text(stock[i], &err);
        ck_assert_msg(cf != NULL, "%s", ippc_error_message(err));
        assert_written(cf, stock[i]);
        ippc_clusterfile_destroy(&cf);
    }
}
END_TEST

START_TEST(fields_are_read)
{
    ippc_error_t *err = NULL;
    ippc_clusterfile_t *cf = read_text(stock_local, &err);
    ck_assert_str_eq(cf->cluster_id, "t1");
    ck_assert_str_eq(cf->profile_dir, "/tmp/expl/profile_x");
    ck_assert_int_eq(cf->n, 2);
    ck_assert(cf->delay == 1.0);
    ck_assert_str_eq(cf->cls, IPPC_CLUSTER_CLASS);
    ck_assert_str_eq(cf->controller_class, "local");
    ck_assert(cf->controller.has_pid);
    ck_assert_int_eq(cf->controller.pid, 17160);
    ck_assert_str_eq(cf->controller.state, "running");
    ck_assert_str_eq(cf->engines_class, "local");
    ck_assert_uint_eq(cf->nsets, 1);
    ck_assert_str_eq(cf->sets[0].id, "123");
    ck_assert(cf->sets[0].has_engines);
    ck_assert_uint_eq(cf->sets[0].nengines, 2);
    ck_assert_str_eq(cf->sets[0].engines[1].id, "1");
    ck_assert_int_eq(cf->sets[0].engines[1].state.pid, 1001);
    ck_assert_str_eq(cf->sets[0].engines[1].state.output_file, "/tmp/e1.log");
    ippc_clusterfile_destroy(&cf);

    cf = read_text(stock_slurm, &err);
    ck_assert_str_eq(cf->controller.job_id, "4242");
    ck_assert(!cf->controller.has_pid);
    ck_assert_uint_eq(cf->ncontroller_args, 2);
    ck_assert_str_eq(cf->controller_args[1], "\xc3\xa9");
    ck_assert_ptr_nonnull(json_object_get(cf->controller.extra, "namespace"));
    ck_assert_str_eq(cf->sets[0].state.job_id, "4243");
    ck_assert(!cf->sets[0].has_engines);
    ippc_clusterfile_destroy(&cf);

    cf = read_text(stock_empty, &err);
    ck_assert_int_eq(cf->n, IPPC_CLUSTER_N_UNSET);
    ck_assert_ptr_null(cf->controller_class);
    ippc_clusterfile_destroy(&cf);
}
END_TEST

/* Keys we do not model, at every level, come back in their place. */
START_TEST(unknown_keys_keep_their_place)
{
    const char *text =
        "{\"cluster\": {\"a_trait\": 1, \"cluster_id\": \"x\", \"profile_dir\": \"/p\", \"class\": \"my.Cluster\", "
        "\"z_trait\": [true]}, \"controller\": {\"class\": \"ssh\", \"state\": {\"cluster_id\": \"x\", \"hostname\": "
        "\"h\", \"pid\": 5, \"profile_dir\": \"/p\", \"ssh_cmd\": [\"ssh\"], \"state\": \"running\"}, \"note\": 1}, "
        "\"engines\": {\"class\": \"ssh\", \"sets\": {\"s\": {\"cluster_id\": \"x\", \"engines\": {\"0\": {\"pid\": 7, "
        "\"remote\": {\"k\": null}}}, \"hostname\": \"h\", \"n\": 1, \"pid\": -1, \"profile_dir\": \"/p\", \"state\": "
        "\"running\", \"user\": \"\"}}, \"more\": {}}, \"top\": \"level\"}";
    ippc_error_t *err = NULL;
    ippc_clusterfile_t *cf = read_text(text, &err);
    ck_assert_msg(cf != NULL, "%s", ippc_error_message(err));
    ck_assert_str_eq(cf->cls, "my.Cluster");
    ck_assert_ptr_nonnull(json_object_get(cf->cluster_extra, "z_trait"));
    ck_assert_ptr_nonnull(json_object_get(cf->controller.extra, "ssh_cmd"));
    ck_assert_ptr_nonnull(json_object_get(cf->sets[0].engines[0].state.extra, "remote"));
    /* absent keys the stock classes always write are added with their defaults */
    char *out = written(cf);
    json_t *a = json_loads(text, 0, NULL), *b = json_loads(out, 0, NULL);
    json_t *cl = json_object_get(b, "cluster");
    ck_assert_str_eq(json_string_value(json_object_get(cl, "controller_ip")), "");
    ck_assert(json_is_null(json_object_get(cl, "n")));
    json_t *e0 = json_object_get(json_object_get(json_object_get(json_object_get(json_object_get(b, "engines"), "sets"), "s"), "engines"), "0");
    ck_assert_str_eq(json_string_value(json_object_get(e0, "state")), "before");
    /* ...and otherwise all is as it was */
    json_object_del(cl, "controller_args");
    json_object_del(cl, "controller_ip");
    json_object_del(cl, "controller_location");
    json_object_del(cl, "delay");
    json_object_del(cl, "n");
    json_object_del(e0, "cluster_id");
    json_object_del(e0, "profile_dir");
    json_object_del(e0, "state");
    ck_assert_msg(json_equal(a, b), "%s", out);
    /* the file's own key order is kept ("engines" before "hostname" in an ssh set) */
    ck_assert_ptr_nonnull(strstr(out, "\"cluster_id\": \"x\", \"engines\": {\"0\""));
    ck_assert_ptr_nonnull(strstr(out, "\"class\": \"my.Cluster\", \"z_trait\": [true]"));
    ck_assert_ptr_nonnull(strstr(out, "\"top\": \"level\"}"));
    json_decref(a);
    json_decref(b);
    free(out);
    ippc_clusterfile_destroy(&cf);
}
END_TEST

START_TEST(null_or_empty_sections_mean_none)
{
    ippc_error_t *err = NULL;
    ippc_clusterfile_t *cf = read_text("{\"cluster\": {}, \"controller\": null, \"engines\": {}}", &err);
    ck_assert_ptr_nonnull(cf);
    ck_assert_ptr_null(cf->controller_class);
    ck_assert_ptr_null(cf->engines_class);
    ck_assert_str_eq(cf->cls, IPPC_CLUSTER_CLASS);
    char *out = written(cf);
    ck_assert_ptr_null(strstr(out, "controller\": {"));
    ck_assert_ptr_null(strstr(out, "engines"));
    free(out);
    ippc_clusterfile_destroy(&cf);
    cf = read_text("{\"cluster\": {}, \"controller\": {\"class\": \"local\", \"state\": null}}", &err);
    ck_assert_ptr_nonnull(cf);
    ck_assert(cf->controller_state_null);
    out = written(cf);
    ck_assert_ptr_nonnull(strstr(out, "\"controller\": {\"class\": \"local\", \"state\": null}"));
    free(out);
    ck_assert(ippc_clusterfile_is_stale(cf));
    ippc_clusterfile_destroy(&cf);
}
END_TEST

START_TEST(files_are_0600_on_one_line)
{
    ippc_clusterfile_t *cf = ippc_clusterfile_new("m", "/p");
    char *path = ft_path(dir, "cluster-m.json");
    mode_t old = umask(0);
    ippc_error_t *err = NULL;
    ck_assert_int_eq(ippc_clusterfile_write(cf, path, &err), 0);
    umask(old);
    ck_assert_uint_eq(ft_mode(path), 0600);
    char *text = ft_read(path);
    ck_assert_ptr_null(strchr(text, '\n'));
    ck_assert_uint_eq(ft_count_temps(dir), 0);
    free(text);
    free(path);
    ippc_clusterfile_destroy(&cf);
}
END_TEST

/* ------------------------------------------------------------ bad input */

typedef struct {
    const char *name;
    const char *text;
    ippc_errcode_t code;
    const char *message;
} bad_t;

static const bad_t bad_inputs[] = {
    {"empty", "", IPPC_E_PARSE, ": empty file"},
    {"bad JSON", "{\"cluster\": {,}}", IPPC_E_PARSE, "cluster-in.json:1:14: invalid JSON: "},
    {"not an object", "[]", IPPC_E_PARSE, ": not a JSON object (the top level is a list)"},
    {"no cluster", "{\"engines\": {}}", IPPC_E_NOTFOUND, ": key 'cluster' is missing"},
    {"cluster list", "{\"cluster\": []}", IPPC_E_PARSE, ": key 'cluster' must be an object, not a list"},
    {"cluster_id number", "{\"cluster\": {\"cluster_id\": 5}}", IPPC_E_PARSE,
     ": cluster: key 'cluster_id' must be a string, not an integer"},
    {"profile_dir null", "{\"cluster\": {\"profile_dir\": null}}", IPPC_E_PARSE,
     ": cluster: key 'profile_dir' must be a string, not null"},
    {"n string", "{\"cluster\": {\"n\": \"4\"}}", IPPC_E_PARSE, ": cluster: key 'n' must be an integer or null, not a string"},
    {"n negative", "{\"cluster\": {\"n\": -3}}", IPPC_E_PARSE, ": cluster: key 'n' must be a number of engines (>= 0) or null, not -3"},
    {"delay string", "{\"cluster\": {\"delay\": \"1\"}}", IPPC_E_PARSE, ": cluster: key 'delay' must be a number, not a string"},
    {"args string", "{\"cluster\": {\"controller_args\": \"--ip\"}}", IPPC_E_PARSE,
     ": cluster: key 'controller_args' must be a list, not a string"},
    {"args item", "{\"cluster\": {\"controller_args\": [\"a\", 1]}}", IPPC_E_PARSE,
     ": cluster: key 'controller_args' item 1 must be a string, not an integer"},
    {"controller list", "{\"cluster\": {}, \"controller\": [1]}", IPPC_E_PARSE,
     ": key 'controller' must be an object or null, not a list"},
    {"controller no class", "{\"cluster\": {}, \"controller\": {\"state\": {}}}", IPPC_E_NOTFOUND,
     ": controller: key 'class' is missing"},
    {"controller no state", "{\"cluster\": {}, \"controller\": {\"class\": \"local\"}}", IPPC_E_NOTFOUND,
     ": controller: key 'state' is missing"},
    {"controller state list", "{\"cluster\": {}, \"controller\": {\"class\": \"local\", \"state\": []}}", IPPC_E_PARSE,
     ": controller: key 'state' must be an object or null, not a list"},
    {"controller pid string", "{\"cluster\": {}, \"controller\": {\"class\": \"local\", \"state\": {\"pid\": \"1\"}}}",
     IPPC_E_PARSE, ": controller.state: key 'pid' must be an integer, not a string"},
    {"engines no class", "{\"cluster\": {}, \"engines\": {\"sets\": {}}}", IPPC_E_NOTFOUND, ": engines: key 'class' is missing"},
    {"sets list", "{\"cluster\": {}, \"engines\": {\"class\": \"local\", \"sets\": []}}", IPPC_E_PARSE,
     ": engines: key 'sets' must be an object, not a list"},
    {"set string", "{\"cluster\": {}, \"engines\": {\"class\": \"local\", \"sets\": {\"9\": \"x\"}}}", IPPC_E_PARSE,
     ": engines.sets: key '9' must be an object, not a string"},
    {"set job_id number", "{\"cluster\": {}, \"engines\": {\"class\": \"slurm\", \"sets\": {\"9\": {\"job_id\": 4243}}}}",
     IPPC_E_PARSE, ": engines.sets.9: key 'job_id' must be a string or null, not an integer"},
    {"engines map list", "{\"cluster\": {}, \"engines\": {\"class\": \"local\", \"sets\": {\"9\": {\"engines\": []}}}}",
     IPPC_E_PARSE, ": engines.sets.9: key 'engines' must be an object, not a list"},
    {"engine pid string",
     "{\"cluster\": {}, \"engines\": {\"class\": \"local\", \"sets\": {\"9\": {\"engines\": {\"0\": {\"pid\": \"12\"}}}}}}",
     IPPC_E_PARSE, ": engines.sets.9.engines.0: key 'pid' must be an integer, not a string"},
    {"engine not object",
     "{\"cluster\": {}, \"engines\": {\"class\": \"local\", \"sets\": {\"9\": {\"engines\": {\"0\": 12}}}}}",
     IPPC_E_PARSE, ": engines.sets.9: key '0' must be an object, not an integer"},
};

START_TEST(bad_input)
{
    const bad_t *b = &bad_inputs[_i];
    ippc_error_t *err = NULL;
    ck_assert_msg(read_text(b->text, &err) == NULL, "%s: accepted", b->name);
    ck_assert_ptr_nonnull(strstr(ippc_error_message(err), "cluster-in.json"));
    ft_assert_error(&err, b->code, b->message);
}
END_TEST

START_TEST(missing_and_huge_files)
{
    char *path = ft_path(dir, "cluster-none.json");
    ippc_error_t *err = NULL;
    ck_assert_ptr_null(ippc_clusterfile_read(path, &err));
    ft_assert_error(&err, IPPC_E_NOTFOUND, "cluster-none.json: no such file");
    FILE *f = fopen(path, "w");
    ck_assert_int_eq(ftruncate(fileno(f), 17 * 1024 * 1024), 0);
    fclose(f);
    ck_assert_ptr_null(ippc_clusterfile_read(path, &err));
    ft_assert_error(&err, IPPC_E_PARSE, "file is too large");
    ck_assert_ptr_null(ippc_clusterfile_from_json(NULL, NULL, &err));
    ft_assert_error(&err, IPPC_E_PARSE, "cluster file: not a JSON object");
    free(path);
}
END_TEST

/* ------------------------------------------------------------- liveness */

/* A pid that certainly belonged to a process that is gone (a reaped child). */
static pid_t dead_pid(void)
{
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0)
        _exit(0);
    ck_assert_int_eq(waitpid(pid, NULL, 0), pid);
    return pid;
}

static ippc_clusterfile_t *local_cluster(long long ctl_pid, const long long *engine_pids, size_t n)
{
    ippc_clusterfile_t *cf = ippc_clusterfile_new("live", "/p");
    ippc_clusterfile_set_controller(cf, "local")->pid = ctl_pid;
    ippc_cluster_engine_set_t *set = ippc_clusterfile_add_engine_set(cf, "1");
    for (size_t i = 0; i < n; i++) {
        char id[16];
        snprintf(id, sizeof id, "%zu", i % 1000);
        ippc_cluster_engine_set_add_engine(set, id)->pid = engine_pids[i];
    }
    return cf;
}

START_TEST(liveness_follows_cluster_from_dict)
{
    long long me = getpid(), gone = dead_pid();
    ippc_cluster_liveness_t l;

    long long two_dead[] = {gone, gone};
    ippc_clusterfile_t *cf = local_cluster(me, two_dead, 2);
    ippc_clusterfile_liveness(cf, &l);
    ck_assert_int_eq(l.controller, IPPC_PROC_ALIVE);
    ck_assert_uint_eq(l.engines_dead, 2);
    ck_assert(l.running); /* the controller alone keeps it */
    ippc_clusterfile_destroy(&cf);

    cf = local_cluster(gone, two_dead, 2);
    ippc_clusterfile_liveness(cf, &l);
    ck_assert_int_eq(l.controller, IPPC_PROC_DEAD);
    ck_assert(!l.running);
    ck_assert(ippc_clusterfile_is_stale(cf));
    ippc_clusterfile_destroy(&cf);

    long long one_alive[] = {gone, me};
    cf = local_cluster(gone, one_alive, 2);
    ippc_clusterfile_liveness(cf, &l);
    ck_assert_uint_eq(l.engines_alive, 1);
    ck_assert_uint_eq(l.engines_dead, 1);
    ck_assert(l.running);
    ippc_clusterfile_destroy(&cf);

    cf = local_cluster(gone, NULL, 0); /* a set with no engines left */
    ck_assert(ippc_clusterfile_is_stale(cf));
    ippc_clusterfile_destroy(&cf);

    cf = local_cluster(me, NULL, 0); /* state "after" is not running */
    ck_assert_int_eq(ippc_cf_set_str(&cf->controller.state, "after"), 0);
    ck_assert(ippc_clusterfile_is_stale(cf));
    ippc_clusterfile_destroy(&cf);
}
END_TEST

START_TEST(batch_jobs_and_odd_pids_are_unknown)
{
    ippc_error_t *err = NULL;
    ippc_clusterfile_t *cf = read_text(stock_slurm, &err);
    ippc_cluster_liveness_t l;
    ippc_clusterfile_liveness(cf, &l);
    ck_assert_int_eq(l.controller, IPPC_PROC_UNKNOWN);
    ck_assert_uint_eq(l.engines_unknown, 1);
    ck_assert(l.running); /* the stock code does not check jobs either */
    ippc_clusterfile_destroy(&cf);

    ippc_launcher_state_t st = {.has_pid = true, .pid = 0};
    ck_assert_int_eq(ippc_launcher_status(&st), IPPC_PROC_UNKNOWN);
    st.pid = -1;
    ck_assert_int_eq(ippc_launcher_status(&st), IPPC_PROC_UNKNOWN);
    st.pid = 1LL << 40;
    ck_assert_int_eq(ippc_launcher_status(&st), IPPC_PROC_DEAD);
    st.pid = 1; /* init: alive, maybe not ours (EPERM counts as alive) */
    ck_assert_int_eq(ippc_launcher_status(&st), IPPC_PROC_ALIVE);
    st.has_pid = false;
    ck_assert_int_eq(ippc_launcher_status(&st), IPPC_PROC_UNKNOWN);
    ck_assert_int_eq(ippc_launcher_status(NULL), IPPC_PROC_UNKNOWN);
    ippc_clusterfile_liveness(NULL, &l);
    ck_assert(!l.running);
}
END_TEST

static Suite *clusterfile_suite(void)
{
    Suite *s = suite_create("clusterfile");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, a_new_record_is_what_cluster_to_dict_makes);
    tcase_add_test(tc, a_local_launcher_is_recorded_as_stock_does);
    tcase_add_test(tc, a_slurm_launcher_is_recorded_as_stock_does);
    tcase_add_test(tc, launcher_classes_get_their_keys);
    tcase_add_test(tc, without_a_profile_dir_the_default_profile_is_used);
    tcase_add_test(tc, stock_files_round_trip_unchanged);
    tcase_add_test(tc, fields_are_read);
    tcase_add_test(tc, unknown_keys_keep_their_place);
    tcase_add_test(tc, null_or_empty_sections_mean_none);
    tcase_add_test(tc, files_are_0600_on_one_line);
    tcase_add_loop_test(tc, bad_input, 0, (int)(sizeof bad_inputs / sizeof bad_inputs[0]));
    tcase_add_test(tc, missing_and_huge_files);
    tcase_add_test(tc, liveness_follows_cluster_from_dict);
    tcase_add_test(tc, batch_jobs_and_odd_pids_are_unknown);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(clusterfile_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
