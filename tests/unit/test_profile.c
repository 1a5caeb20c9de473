/* test_profile.c - YAML profiles: the shipped ones, defaults and origins, the lookup
 * order, every error with its exact "<file>:<line>:<col>: ..." message, --set values,
 * inheritance, dump/load round trips, listing and creating, and hostile input. */
#include "config.h"

#include <check.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "filetest.h"
#include "ippc.h"
#include "profile.h"
#include "strbuf.h"

/* Each test gets a scratch directory, an empty $IPYTHONDIR in it and the source tree's
 * shipped profiles (as `make check` exports top_srcdir), so nothing outside counts. */
static char *tmp;
static char *ipydir;

static void setup(void)
{
    tmp = ft_tmpdir();
    ipydir = ft_path(tmp, "ipython");
    ck_assert_int_eq(mkdir(ipydir, 0700), 0);
    setenv("IPYTHONDIR", ipydir, 1);
    unsetenv("IPYTHON_DIR");
    const char *top = getenv("top_srcdir");
    char *shipped = ippc_strdup_printf("%s/profiles", top ? top : "..");
    setenv("IPPC_PROFILES_DIR", shipped, 1);
    free(shipped);
}

static void teardown(void)
{
    free(ipydir);
    ft_rmtree(tmp);
}

static const char *const shipped_names[] = {"default", "slurm", "srun", "pmix", "mpi"};

/* Write text to <tmp>/<name> and return the path (malloc'd). */
static char *put(const char *name, const char *text)
{
    char *path = ft_path(tmp, name);
    ft_write(path, text);
    return path;
}

/* A profile read from text given as a file; NULL (and *err) on failure. */
static ippc_profile_t *read_text(const char *text, char **path_out, ippc_error_t **err)
{
    char *path = put("p.yaml", text);
    ippc_profile_t *p = ippc_profile_new();
    ck_assert_ptr_nonnull(p);
    if (ippc_profile_read_file(p, path, err) != 0)
        ippc_profile_destroy(&p);
    if (path_out)
        *path_out = path;
    else
        free(path);
    return p;
}

/* Reading text must fail with exactly "<path>" + want_tail. */
static void expect_error(const char *text, ippc_errcode_t code, const char *want_tail)
{
    ippc_error_t *err = NULL;
    char *path;
    ippc_profile_t *p = read_text(text, &path, &err);
    ck_assert_msg(p == NULL, "accepted: %s", text);
    ck_assert_ptr_nonnull(err);
    char *want = ippc_strdup_printf("%s%s", path, want_tail);
    ck_assert_str_eq(ippc_error_message(err), want);
    ck_assert_msg(ippc_error_code(err) == code, "code %s for %s", ippc_errcode_name(ippc_error_code(err)),
                  ippc_error_message(err));
    free(want);
    free(path);
    ippc_error_destroy(&err);
}

static ippc_profile_t *must_read(const char *text)
{
    ippc_error_t *err = NULL;
    ippc_profile_t *p = read_text(text, NULL, &err);
    ck_assert_msg(p != NULL, "%s", err ? ippc_error_message(err) : "?");
    return p;
}

static void must_set(ippc_profile_t *p, const char *assignment)
{
    ippc_error_t *err = NULL;
    ck_assert_msg(ippc_profile_set_assignment(p, assignment, NULL, &err) == 0, "%s: %s", assignment,
                  err ? ippc_error_message(err) : "?");
}

static void set_fails(ippc_profile_t *p, const char *assignment, ippc_errcode_t code, const char *want)
{
    ippc_error_t *err = NULL;
    ck_assert_int_eq(ippc_profile_set_assignment(p, assignment, NULL, &err), -1);
    ck_assert_ptr_nonnull(err);
    ck_assert_str_eq(ippc_error_message(err), want);
    ck_assert_int_eq(ippc_error_code(err), code);
    ippc_error_destroy(&err);
}

/* ------------------------------------------------------------ shipped */

START_TEST(every_shipped_profile_loads)
{
    static const ippc_profile_launcher_t launchers[] = {IPPC_PROFILE_LAUNCHER_LOCAL, IPPC_PROFILE_LAUNCHER_SLURM,
                                                        IPPC_PROFILE_LAUNCHER_SRUN, IPPC_PROFILE_LAUNCHER_PMIX,
                                                        IPPC_PROFILE_LAUNCHER_MPI};
    for (size_t i = 0; i < 5; i++) {
        ippc_error_t *err = NULL;
        ippc_profile_t *p = ippc_profile_load(shipped_names[i], &err);
        ck_assert_msg(p != NULL, "%s: %s", shipped_names[i], err ? ippc_error_message(err) : "?");
        ck_assert_str_eq(p->name, shipped_names[i]);
        ck_assert_int_eq(p->cluster.launcher, launchers[i]);
        ck_assert_uint_eq(p->files.n, 1);
        ck_assert_int_eq(p->cluster.n, 4);
        ck_assert_int_eq(p->slurm.mpi, i == 3 ? IPPC_PROFILE_SLURM_MPI_PMIX : IPPC_PROFILE_SLURM_MPI_NONE);
        /* what a shipped profile changes has its position as origin, the rest is default */
        if (i == 0) /* default.yaml is the defaults, all commented out */
            ck_assert_str_eq(ippc_profile_origin(p, "cluster.launcher"), "default");
        else
            ck_assert_ptr_nonnull(strstr(ippc_profile_origin(p, "cluster.launcher"), ".yaml:"));
        ck_assert_str_eq(ippc_profile_origin(p, "cluster.n"), "default");
        ippc_profile_destroy(&p);
    }
    /* no name is the default profile */
    ippc_profile_t *p = ippc_profile_load(NULL, NULL);
    ck_assert_ptr_nonnull(p);
    ck_assert_str_eq(p->name, "default");
    ippc_profile_destroy(&p);
}
END_TEST

/* Each shipped file shows every key (commented out at its default) under its
 * description, indented as its section. */
START_TEST(every_shipped_profile_documents_every_key)
{
    const char *top = getenv("top_srcdir");
    for (size_t i = 0; i < 5; i++) {
        char *path = ippc_strdup_printf("%s/profiles/%s.yaml", top ? top : "..", shipped_names[i]);
        char *text = ft_read(path);
        ck_assert_msg(text != NULL, "%s", path);
        for (size_t k = 0; k < ippc_profile_nkeys(); k++) {
            const ippc_profile_keyinfo_t *info = ippc_profile_key(k);
            const char *leaf = strrchr(info->key, '.') + 1;
            int indent = 0;
            for (const char *c = info->key; *c; c++)
                indent += *c == '.' ? 2 : 0;
            char *doc = ippc_strdup_printf("\n%*s# %s\n", indent, "", info->doc);
            char *set = ippc_strdup_printf("%s%*s%s:", doc, indent, "", leaf);
            char *commented = ippc_strdup_printf("%s%*s# %s:", doc, indent, "", leaf);
            ck_assert_msg(strstr(text, set) || strstr(text, commented), "%s lacks %s", path, info->key);
            free(doc);
            free(set);
            free(commented);
        }
        free(text);
        free(path);
    }
}
END_TEST

/* ------------------------------------------------------------ defaults, origins */

START_TEST(defaults_are_built_in)
{
    ippc_profile_t *p = ippc_profile_new();
    ck_assert_ptr_nonnull(p);
    ck_assert_int_eq(p->cluster.n, 4);
    ck_assert_int_eq(p->cluster.launcher, IPPC_PROFILE_LAUNCHER_LOCAL);
    ck_assert_str_eq(p->cluster.cluster_id, "");
    ck_assert_ptr_null(p->controller.ip);
    ck_assert_ptr_null(p->controller.interface);
    ck_assert_ptr_null(p->controller.location);
    ck_assert_uint_eq(p->controller.ports.n, 0);
    ck_assert_int_eq(p->controller.heartbeat.period_ms, 3000);
    ck_assert_int_eq(p->controller.heartbeat.misses, 10);
    ck_assert_int_eq(p->controller.records.max_count, 1024);
    ck_assert_int_eq(p->controller.records.max_bytes, 1LL << 30);
    ck_assert_int_eq(p->controller.log_level, 20);
    ck_assert_uint_eq(p->engines.python_path.n, 0);
    ck_assert_ptr_null(p->engines.startup);
    ck_assert_uint_eq(p->engines.env.n, 0);
    ck_assert_int_eq(p->engines.shell, IPPC_PROFILE_SHELL_AUTO);
    ck_assert_int_eq(p->engines.registration_spread_ms, 0);
    ck_assert_ptr_null(p->slurm.partition);
    ck_assert_int_eq(p->slurm.time, 0);
    ck_assert_int_eq(p->slurm.nodes, 0);
    ck_assert_int_eq(p->slurm.mpi, IPPC_PROFILE_SLURM_MPI_NONE);
    ck_assert_str_eq(p->mpi.mpirun, "mpirun");
    ck_assert_uint_eq(p->mpi.args.n, 0);
    for (size_t i = 0; i < ippc_profile_nkeys(); i++)
        ck_assert_str_eq(ippc_profile_origin(p, ippc_profile_key(i)->key), "default");
    ck_assert_ptr_null(ippc_profile_origin(p, "cluster.nn"));
    ck_assert_ptr_null(ippc_profile_origin(p, "engines.env.NOPE"));
    ck_assert_str_eq(ippc_profile_launcher_name(p->cluster.launcher), "local");
    ck_assert_str_eq(ippc_profile_shell_name(IPPC_PROFILE_SHELL_PLAIN), "plain");
    ck_assert_str_eq(ippc_profile_slurm_mpi_name(IPPC_PROFILE_SLURM_MPI_PMIX), "pmix");
    ippc_profile_destroy(&p);
    ippc_profile_destroy(&p); /* NULL is fine */
}
END_TEST

START_TEST(values_remember_their_file_position)
{
    char *path;
    ippc_error_t *err = NULL;
    ippc_profile_t *p = read_text("# a comment\n"
                                  "cluster:\n"
                                  "    n: 16\n"
                                  "controller:\n"
                                  "  heartbeat: {period_ms: 500}\n"
                                  "engines:\n"
                                  "  env:\n"
                                  "    OMP_NUM_THREADS: 1\n",
                                  &path, &err);
    ck_assert_ptr_nonnull(p);
    ck_assert_int_eq(p->cluster.n, 16);
    ck_assert_int_eq(p->controller.heartbeat.period_ms, 500);
    char *want = ippc_strdup_printf("%s:3:8", path);
    ck_assert_str_eq(ippc_profile_origin(p, "cluster.n"), want);
    free(want);
    want = ippc_strdup_printf("%s:5:26", path);
    ck_assert_str_eq(ippc_profile_origin(p, "controller.heartbeat.period_ms"), want);
    free(want);
    want = ippc_strdup_printf("%s:8:5", path);
    ck_assert_str_eq(ippc_profile_origin(p, "engines.env.OMP_NUM_THREADS"), want);
    free(want);
    ck_assert_str_eq(p->engines.env.items[0].value, "1");
    ck_assert_str_eq(ippc_profile_origin(p, "controller.heartbeat.misses"), "default");
    ck_assert_str_eq(p->files.items[0], path);
    free(path);
    ippc_profile_destroy(&p);
}
END_TEST

START_TEST(every_kind_reads_its_forms)
{
    ippc_profile_t *p = must_read("cluster:\n"
                                  "  n: 64\n"
                                  "  launcher: SLURM\n"
                                  "  cluster_id: run-1.a\n"
                                  "controller:\n"
                                  "  interface: ib0\n"
                                  "  location: node001\n"
                                  "  ports: [50000, \"50010-50020\", 50030-50031]\n"
                                  "  records: {max_count: 0, max_bytes: 512MiB}\n"
                                  "  log_level: DEBUG\n"
                                  "engines:\n"
                                  "  python_path: /opt/lib\n"
                                  "  startup: |\n"
                                  "    import numpy\n"
                                  "    x = [i for i in range(3)]\n"
                                  "  workdir: /scratch/me\n"
                                  "  shell: plain\n"
                                  "  registration_spread_ms: 2000\n"
                                  "slurm:\n"
                                  "  partition: debug\n"
                                  "  time: 1-12:00:00\n"
                                  "  nodes: 4\n"
                                  "  extra:\n"
                                  "    - --exclusive\n"
                                  "    - '#SBATCH --mem=0'\n"
                                  "  mpi: pmix\n"
                                  "mpi:\n"
                                  "  args: [--oversubscribe]\n");
    ck_assert_int_eq(p->cluster.n, 64);
    ck_assert_int_eq(p->cluster.launcher, IPPC_PROFILE_LAUNCHER_SLURM);
    ck_assert_str_eq(p->cluster.cluster_id, "run-1.a");
    ck_assert_str_eq(p->controller.interface, "ib0");
    ck_assert_uint_eq(p->controller.ports.n, 3);
    ck_assert_int_eq(p->controller.ports.items[1].lo, 50010);
    ck_assert_int_eq(p->controller.ports.items[1].hi, 50020);
    char *ports = ippc_profile_ports_format(&p->controller.ports);
    ck_assert_str_eq(ports, "50000,50010-50020,50030-50031");
    free(ports);
    ck_assert_int_eq(p->controller.records.max_count, 0);
    ck_assert_int_eq(p->controller.records.max_bytes, 512LL << 20);
    ck_assert_int_eq(p->controller.log_level, 10);
    ck_assert_uint_eq(p->engines.python_path.n, 1);
    ck_assert_str_eq(p->engines.python_path.items[0], "/opt/lib");
    ck_assert_str_eq(p->engines.startup, "import numpy\nx = [i for i in range(3)]\n");
    ck_assert_int_eq(p->engines.shell, IPPC_PROFILE_SHELL_PLAIN);
    ck_assert_int_eq(p->slurm.time, 36 * 3600);
    char *t = ippc_profile_time_format(p->slurm.time);
    ck_assert_str_eq(t, "1-12:00:00");
    free(t);
    ck_assert_uint_eq(p->slurm.extra.n, 2);
    ck_assert_str_eq(p->slurm.extra.items[1], "#SBATCH --mem=0");
    ck_assert_int_eq(p->slurm.mpi, IPPC_PROFILE_SLURM_MPI_PMIX);
    ck_assert_str_eq(p->mpi.args.items[0], "--oversubscribe");
    ippc_profile_destroy(&p);
}
END_TEST

/* Sizes, times and ports in their other spellings, through --set. */
START_TEST(scalar_forms)
{
    static const struct {
        const char *text;
        long long bytes;
    } sizes[] = {{"0", 0},          {"1073741824", 1LL << 30}, {"1k", 1024},        {"2KB", 2048},
                 {"3KiB", 3072},    {"1 MiB", 1LL << 20},      {"4g", 4LL << 30},   {"1TiB", 1LL << 40},
                 {"100B", 100}};
    static const struct {
        const char *text;
        long long seconds;
    } times[] = {{"30", 1800},        {"90:30", 5430},      {"36:00:00", 129600}, {"2-0", 172800},
                 {"1-1:30", 91800},   {"0-00:00:30", 30},   {"unlimited", IPPC_PROFILE_TIME_UNLIMITED},
                 {"INFINITE", IPPC_PROFILE_TIME_UNLIMITED}};
    static const char *const bad_times[] = {"0", "1:60", "1:60:00", "1-24", "1-2:3:4:5", "-5", "1-", "a",
                                            "1:2:3:4", "12345678", "1.5"};
    ippc_profile_t *p = ippc_profile_new();
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        ck_assert_int_eq(ippc_profile_set(p, "controller.records.max_bytes", sizes[i].text, NULL, NULL), 0);
        ck_assert_int_eq(p->controller.records.max_bytes, sizes[i].bytes);
    }
    for (size_t i = 0; i < sizeof times / sizeof times[0]; i++) {
        ck_assert_msg(ippc_profile_set(p, "slurm.time", times[i].text, NULL, NULL) == 0, "%s", times[i].text);
        ck_assert_int_eq(p->slurm.time, times[i].seconds);
    }
    for (size_t i = 0; i < sizeof bad_times / sizeof bad_times[0]; i++)
        ck_assert_msg(ippc_profile_set(p, "slurm.time", bad_times[i], NULL, NULL) == -1, "%s", bad_times[i]);
    char *t = ippc_profile_time_format(IPPC_PROFILE_TIME_UNLIMITED);
    ck_assert_str_eq(t, "UNLIMITED");
    free(t);
    ck_assert_ptr_null(ippc_profile_time_format(0));
    ck_assert_int_eq(ippc_profile_set(p, "controller.ports", "50000-50010, 50020", NULL, NULL), 0);
    ck_assert_uint_eq(p->controller.ports.n, 2);
    ck_assert_int_eq(ippc_profile_set(p, "controller.log_level", "35", NULL, NULL), 0);
    ck_assert_int_eq(p->controller.log_level, 35);
    ck_assert_int_eq(ippc_profile_set(p, "controller.ip", "::1", NULL, NULL), 0);
    ck_assert_int_eq(ippc_profile_set(p, "controller.ip", "10.1.2.3", NULL, NULL), 0);
    ippc_profile_destroy(&p);
}
END_TEST

/* ------------------------------------------------------------ errors */

START_TEST(unknown_keys_are_errors_with_a_suggestion)
{
    expect_error("slurm:\n  partiton: debug\n", IPPC_E_PARSE,
                 ":2:3: unknown key 'partiton' in section 'slurm' (did you mean 'partition'?)");
    expect_error("slurmm:\n  partition: x\n", IPPC_E_PARSE, ":1:1: unknown section 'slurmm' (did you mean 'slurm'?)");
    expect_error("cluster:\n  zzzzzz: 1\n", IPPC_E_PARSE, ":2:3: unknown key 'zzzzzz' in section 'cluster'");
    expect_error("controller:\n  heartbeat:\n    period: 5\n", IPPC_E_PARSE,
                 ":3:5: unknown key 'period' in section 'controller.heartbeat' (did you mean 'period_ms'?)");
    expect_error("engines:\n  Env: {}\n", IPPC_E_PARSE,
                 ":2:3: unknown key 'Env' in section 'engines' (did you mean 'env'?)");
    expect_error("cluster:\n  profile_dir: /x\n", IPPC_E_PARSE, ":2:3: unknown key 'profile_dir' in section 'cluster'");
    /* YAML merge keys are not ours */
    expect_error("cluster: &c\n  n: 2\nslurm:\n  <<: *c\n", IPPC_E_PARSE, ":4:3: unknown key '<<' in section 'slurm'");
}
END_TEST

START_TEST(wrong_types_name_the_key_and_the_value)
{
    expect_error("cluster:\n  n: four\n", IPPC_E_PARSE, ":2:6: 'n' must be an integer ≥ 1, not 'four'");
    expect_error("cluster:\n  n: 0\n", IPPC_E_PARSE, ":2:6: 'n' must be an integer ≥ 1, not '0'");
    expect_error("cluster:\n  n: 4.5\n", IPPC_E_PARSE, ":2:6: 'n' must be an integer ≥ 1, not '4.5'");
    expect_error("cluster:\n  n: [4]\n", IPPC_E_PARSE, ":2:6: 'n' must be an integer ≥ 1, not a list");
    expect_error("cluster:\n  n: 99999999999999999999\n", IPPC_E_PARSE,
                 ":2:6: 'n' must be an integer ≥ 1, not '99999999999999999999'");
    expect_error("controller:\n  heartbeat:\n    period_ms: -1\n", IPPC_E_PARSE,
                 ":3:16: 'period_ms' must be an integer ≥ 1, not '-1'");
    expect_error("controller:\n  records:\n    max_count: {a: 1}\n", IPPC_E_PARSE,
                 ":3:16: 'max_count' must be an integer ≥ 0, not a mapping");
    expect_error("cluster:\n  launcher: lokal\n", IPPC_E_PARSE,
                 ":2:13: 'launcher' must be one of local, slurm, srun, pmix, mpi, not 'lokal' (did you mean 'local'?)");
    expect_error("controller:\n  log_level: verbose\n", IPPC_E_PARSE,
                 ":2:14: 'log_level' must be one of debug, info, warning, error, critical or an integer in 0..50, "
                 "not 'verbose'");
    expect_error("controller:\n  log_level: 60\n", IPPC_E_PARSE,
                 ":2:14: 'log_level' must be one of debug, info, warning, error, critical or an integer in 0..50, "
                 "not '60'");
    expect_error("controller:\n  ip: eth0\n", IPPC_E_PARSE,
                 ":2:7: 'ip' must be an IP address or '*' (use 'interface' to name a network interface), not 'eth0'");
    expect_error("controller:\n  interface: a/b\n", IPPC_E_PARSE,
                 ":2:14: 'interface' must be a network interface name like eth0 or ib0, not 'a/b'");
    expect_error("cluster:\n  cluster_id: ../x\n", IPPC_E_PARSE,
                 ":2:15: 'cluster_id' must be letters, digits and _ . @ + - (not first . or -), at most 128, not '../x'");
    expect_error("slurm:\n  partition: [a]\n", IPPC_E_PARSE, ":2:14: 'partition' must be a string, not a list");
    expect_error("slurm:\n  partition: \"a b\"\n", IPPC_E_PARSE,
                 ":2:14: 'partition' must be a name without spaces or control characters, not 'a b'");
    expect_error("slurm:\n  partition: \"a\\0b\"\n", IPPC_E_PARSE,
                 ":2:14: 'partition' must be a string, not text with a NUL character");
    expect_error("slurm:\n  extra: [\"--a\\nb\"]\n", IPPC_E_PARSE,
                 ":2:11: 'extra' must be one line of text without control characters, not '--a\\nb'");
    expect_error("slurm:\n  extra: [[a]]\n", IPPC_E_PARSE, ":2:11: 'extra' must be a list of strings, not a list");
    expect_error("slurm:\n  extra: [a, ~]\n", IPPC_E_PARSE, ":2:14: 'extra' must be a list of strings, not null");
    expect_error("engines:\n  env: [A]\n", IPPC_E_PARSE,
                 ":2:8: 'env' must be a mapping of variable names to strings, not a list");
    expect_error("engines:\n  env:\n    1A: x\n", IPPC_E_PARSE,
                 ":3:5: 'env' must be a mapping whose keys are variable names like OMP_NUM_THREADS, not '1A'");
    expect_error("engines:\n  env:\n    A: [x]\n", IPPC_E_PARSE, ":3:8: 'A' must be a string, not a list");
    expect_error("slurm: debug\n", IPPC_E_PARSE, ":1:8: section 'slurm' must be a mapping of keys, not 'debug'");
    expect_error("controller:\n  heartbeat: 5\n", IPPC_E_PARSE,
                 ":2:14: section 'controller.heartbeat' must be a mapping of keys, not '5'");
    expect_error("cluster:\n  [a]: 1\n", IPPC_E_PARSE, ":2:3: 'key' must be a name, not a list");
}
END_TEST

START_TEST(bad_values_are_errors)
{
    expect_error("controller:\n  ports: 50100-50000\n", IPPC_E_PARSE,
                 ":2:10: 'ports' must be a port range from low to high, not '50100-50000'");
    expect_error("controller:\n  ports: 70000\n", IPPC_E_PARSE,
                 ":2:10: 'ports' must be ports between 1 and 65535, not '70000'");
    expect_error("controller:\n  ports: [50000, abc]\n", IPPC_E_PARSE,
                 ":2:18: 'ports' must be a port like 50000 or a range like 50000-50100, not 'abc'");
    expect_error("controller:\n  ports: 1-2-3\n", IPPC_E_PARSE,
                 ":2:10: 'ports' must be a port like 50000 or a range like 50000-50100, not '1-2-3'");
    expect_error("controller:\n  ports: ','\n", IPPC_E_PARSE,
                 ":2:10: 'ports' must be a port range like 50000-50100 or a list of ports, not ','");
    expect_error("slurm:\n  time: 1:2:3:4\n", IPPC_E_PARSE,
                 ":2:9: 'time' must be minutes or a time like HH:MM:SS or D-HH:MM:SS (or unlimited), not '1:2:3:4'");
    expect_error("slurm:\n  time: 10:75:00\n", IPPC_E_PARSE,
                 ":2:9: 'time' must be minutes or a time like HH:MM:SS or D-HH:MM:SS (or unlimited), not '10:75:00'");
    expect_error("controller:\n  records:\n    max_bytes: -5\n", IPPC_E_PARSE,
                 ":3:16: 'max_bytes' must be a size in bytes like 1073741824, 512MiB or 1GiB, not '-5'");
    expect_error("controller:\n  records:\n    max_bytes: 12 parsecs\n", IPPC_E_PARSE,
                 ":3:16: 'max_bytes' must be a size in bytes like 1073741824, 512MiB or 1GiB, not '12 parsecs'");
    expect_error("controller:\n  records:\n    max_bytes: 9999999TiB\n", IPPC_E_PARSE,
                 ":3:16: 'max_bytes' must be a size in bytes like 1073741824, 512MiB or 1GiB, not '9999999TiB'");
    /* one of two exclusive keys */
    expect_error("controller:\n  ip: \"*\"\n  interface: ib0\n", IPPC_E_PARSE,
                 ":3:3: 'interface' and 'ip' cannot both be given (the other is at line 2)");
    expect_error("engines:\n  startup_file: /a.py\n  startup: x = 1\n", IPPC_E_PARSE,
                 ":3:3: 'startup' and 'startup_file' cannot both be given (the other is at line 2)");
}
END_TEST

START_TEST(malformed_documents_are_errors)
{
    expect_error("cluster: [1, 2\n", IPPC_E_PARSE,
                 ":2:1: invalid YAML: did not find expected ',' or ']' (while parsing a flow sequence at line 1, "
                 "column 10)");
    expect_error("cluster:\n  n: 4\n bad\n", IPPC_E_PARSE,
                 ":3:2: invalid YAML: did not find expected key (while parsing a block mapping at line 1, column 1)");
    expect_error("cluster:\n  n: \"\xff\"\n", IPPC_E_PARSE, ":2:7: invalid YAML: invalid leading UTF-8 octet (byte 0xff)");
    expect_error("a: \x01\n", IPPC_E_PARSE, ":1:4: invalid YAML: control characters are not allowed (byte 0x01)");
    expect_error("- a\n- b\n", IPPC_E_PARSE,
                 ":1:1: a profile must be a mapping of sections (cluster, controller, engines, slurm, mpi), not a list");
    expect_error("hello\n", IPPC_E_PARSE,
                 ":1:1: a profile must be a mapping of sections (cluster, controller, engines, slurm, mpi), not 'hello'");
    expect_error("cluster:\n  n: 4\n  n: 5\n", IPPC_E_PARSE,
                 ":3:3: duplicate key 'n' in section 'cluster' (first given at line 2)");
    expect_error("slurm: {}\ncluster: {}\nslurm: {}\n", IPPC_E_PARSE,
                 ":3:1: duplicate section 'slurm' (first given at line 1)");
    expect_error("engines:\n  env:\n    A: 1\n    B: 2\n    A: 3\n", IPPC_E_PARSE,
                 ":5:5: duplicate variable 'A' in 'env' (first given at line 3)");
    expect_error("cluster: {}\n---\nslurm: {}\n", IPPC_E_PARSE,
                 ":2:1: a second YAML document: a profile is one document");
    expect_error("cluster:\n  n: *nope\n", IPPC_E_PARSE, ":2:6: invalid YAML: found undefined alias");
    /* an alias that makes a mapping contain itself stops at the schema */
    expect_error("cluster: &c\n  n: 4\n  launcher: *c\n", IPPC_E_PARSE,
                 ":1:10: 'launcher' must be one of local, slurm, srun, pmix, mpi, not a mapping");
}
END_TEST

START_TEST(empty_and_null_documents_and_sections)
{
    static const char *const empty[] = {"", "# only a comment\n", "---\n", "~\n", "cluster:\nslurm: ~\n",
                                        "cluster:\n  # n: 4\n"};
    for (size_t i = 0; i < sizeof empty / sizeof empty[0]; i++) {
        ippc_profile_t *p = must_read(empty[i]);
        ippc_profile_t *d = ippc_profile_new();
        ck_assert(ippc_profile_equal(p, d));
        ippc_profile_destroy(&p);
        ippc_profile_destroy(&d);
    }
}
END_TEST

START_TEST(aliases_share_values_within_a_budget)
{
    ippc_profile_t *p = must_read("cluster:\n  n: &n 8\ncontroller:\n  heartbeat:\n    misses: *n\n"
                                  "slurm:\n  srun_args: &args [--cpu-bind=cores]\nmpi:\n  args: *args\n");
    ck_assert_int_eq(p->controller.heartbeat.misses, 8);
    ck_assert_str_eq(p->mpi.args.items[0], "--cpu-bind=cores");
    ippc_profile_destroy(&p);
    /* a large string repeated through aliases: refused, not copied 1,000 times */
    strbuf_t sb;
    strbuf_init(&sb);
    strbuf_puts(&sb, "engines:\n  env:\n    A: &big \"");
    for (int i = 0; i < 100000; i++)
        strbuf_putc(&sb, 'x');
    strbuf_puts(&sb, "\"\n");
    for (int i = 0; i < 1000; i++)
        strbuf_printf(&sb, "    B%d: *big\n", i);
    char *text = strbuf_release(&sb);
    ippc_error_t *err = NULL;
    ck_assert_ptr_null(read_text(text, NULL, &err));
    ft_assert_error(&err, IPPC_E_PARSE, "add up to more than 4096 KiB (aliases repeating a large value?)");
    free(text);
}
END_TEST

START_TEST(files_that_cannot_be_profiles)
{
    ippc_profile_t *p = ippc_profile_new();
    ippc_error_t *err = NULL;
    ck_assert_int_eq(ippc_profile_read_file(p, tmp, &err), -1);
    ft_assert_error(&err, IPPC_E_IO, "is a directory");
    char *missing = ft_path(tmp, "missing.yaml");
    ck_assert_int_eq(ippc_profile_read_file(p, missing, &err), -1);
    ft_assert_error(&err, IPPC_E_NOTFOUND, "missing.yaml: no such file");
    free(missing);
    /* larger than the cap: refused before parsing */
    size_t size = IPPC_PROFILE_MAX_FILE_SIZE + 10;
    char *big = malloc(size);
    memset(big, '#', size);
    big[size - 1] = '\n';
    char *path = ft_path(tmp, "big.yaml");
    ft_write_n(path, big, size);
    ck_assert_int_eq(ippc_profile_read_file(p, path, &err), -1);
    ft_assert_error(&err, IPPC_E_PARSE, "big.yaml: file is too large for a profile (the limit is 1024 KiB)");
    ck_assert_int_eq(ippc_profile_read_string(p, big, size, "big", &err), -1);
    ft_assert_error(&err, IPPC_E_PARSE, "big: file is too large");
    /* a character device never ends: the cap ends it */
    ck_assert_int_eq(ippc_profile_read_file(p, "/dev/zero", &err), -1);
    ft_assert_error(&err, IPPC_E_PARSE, "/dev/zero: file is too large");
    free(path);
    free(big);
    ippc_profile_destroy(&p);
}
END_TEST

/* ------------------------------------------------------------ --set */

START_TEST(set_converts_text_to_each_type)
{
    ippc_profile_t *p = ippc_profile_new();
    must_set(p, "cluster.n=8");
    ck_assert_int_eq(p->cluster.n, 8);
    ck_assert_str_eq(ippc_profile_origin(p, "cluster.n"), "command line");
    ck_assert_int_eq(ippc_profile_set(p, "controller.heartbeat.period_ms", "500", "--ping", NULL), 0);
    ck_assert_int_eq(p->controller.heartbeat.period_ms, 500);
    ck_assert_str_eq(ippc_profile_origin(p, "controller.heartbeat.period_ms"), "--ping");
    must_set(p, "controller.records.max_bytes=512MiB");
    ck_assert_int_eq(p->controller.records.max_bytes, 512LL << 20);
    must_set(p, "slurm.time=1-00:00:00");
    ck_assert_int_eq(p->slurm.time, 86400);
    must_set(p, "controller.ip=*"); /* no YAML quoting on a command line */
    ck_assert_str_eq(p->controller.ip, "*");
    must_set(p, "controller.ports=[50000, 50002-50004]");
    ck_assert_uint_eq(p->controller.ports.n, 2);
    ck_assert_int_eq(p->controller.ports.items[1].hi, 50004);
    must_set(p, "engines.python_path=/opt/x");
    ck_assert_uint_eq(p->engines.python_path.n, 1);
    must_set(p, "engines.python_path=[/a, \"/b c\"]");
    ck_assert_uint_eq(p->engines.python_path.n, 2);
    ck_assert_str_eq(p->engines.python_path.items[1], "/b c");
    must_set(p, "engines.startup=[print(i) for i in range(2)]"); /* code is not YAML */
    ck_assert_str_eq(p->engines.startup, "[print(i) for i in range(2)]");
    must_set(p, "engines.env={A: 1, B: two}");
    must_set(p, "engines.env.C=x=y");
    ck_assert_uint_eq(p->engines.env.n, 3);
    ck_assert_str_eq(p->engines.env.items[2].value, "x=y");
    ck_assert_str_eq(ippc_profile_origin(p, "engines.env.C"), "command line");
    must_set(p, "engines.env.A="); /* empty removes */
    ck_assert_uint_eq(p->engines.env.n, 2);
    ck_assert_ptr_null(ippc_profile_origin(p, "engines.env.A"));
    must_set(p, "engines.env={D: 4}"); /* maps merge */
    ck_assert_uint_eq(p->engines.env.n, 3);
    must_set(p, "cluster.launcher=pmix");
    ck_assert_int_eq(p->cluster.launcher, IPPC_PROFILE_LAUNCHER_PMIX);
    /* empty text and NULL put the default back, with the setter as origin */
    must_set(p, "cluster.n=");
    ck_assert_int_eq(p->cluster.n, 4);
    ck_assert_str_eq(ippc_profile_origin(p, "cluster.n"), "command line");
    ck_assert_int_eq(ippc_profile_set(p, "slurm.time", NULL, NULL, NULL), 0);
    ck_assert_int_eq(p->slurm.time, 0);
    /* ip and interface replace each other */
    must_set(p, "controller.interface=ib0");
    ck_assert_ptr_null(p->controller.ip);
    ck_assert_str_eq(ippc_profile_origin(p, "controller.ip"), "command line (replaced by interface)");
    ippc_profile_destroy(&p);
}
END_TEST

START_TEST(set_errors)
{
    ippc_profile_t *p = ippc_profile_new();
    set_fails(p, "cluster.n=four", IPPC_E_PARSE, "command line: 'cluster.n' must be an integer ≥ 1, not 'four'");
    set_fails(p, "slurm.partiton=debug", IPPC_E_NOTFOUND,
              "command line: unknown key 'slurm.partiton' (did you mean 'slurm.partition'?)");
    set_fails(p, "bogus=1", IPPC_E_NOTFOUND, "command line: unknown key 'bogus'");
    set_fails(p, "controller.heartbeat=5", IPPC_E_INVALID,
              "command line: 'controller.heartbeat' is a section; set one of its keys: period_ms, misses");
    set_fails(p, "n", IPPC_E_INVALID, "command line: expected key=value, not 'n'");
    set_fails(p, "=4", IPPC_E_INVALID, "command line: no key to set");
    set_fails(p, "engines.env.1X=a", IPPC_E_PARSE,
              "command line: 'engines.env.1X' must end in a variable name like OMP_NUM_THREADS");
    set_fails(p, "engines.env=A", IPPC_E_PARSE,
              "command line: 'engines.env' must be a mapping of variable names to strings, not 'A'");
    set_fails(p, "slurm.partition=\xff", IPPC_E_PARSE,
              "command line: 'slurm.partition' must be UTF-8 text");
    set_fails(p, "engines.env.A=\xc3", IPPC_E_PARSE, "command line: 'engines.env.A' must be UTF-8 text");
    set_fails(p, "controller.ports=[1,", IPPC_E_PARSE,
              "command line: controller.ports:2:1: invalid YAML: did not find expected node content (while parsing "
              "a flow node at line 2, column 1)");
    set_fails(p, "controller.ports=[0]", IPPC_E_PARSE,
              "command line: 'controller.ports' must be ports between 1 and 65535, not '0'");
    /* a failed set changes nothing */
    ck_assert_int_eq(p->cluster.n, 4);
    ck_assert_uint_eq(p->controller.ports.n, 0);
    ck_assert_str_eq(ippc_profile_origin(p, "cluster.n"), "default");
    ippc_profile_destroy(&p);
}
END_TEST

/* ------------------------------------------------------------ lookup */

START_TEST(lookup_order)
{
    /* a shipped profile of our own, found through $IPPC_PROFILES_DIR */
    char *shipped = ft_path(tmp, "shipped");
    ck_assert_int_eq(mkdir(shipped, 0700), 0);
    char *foo = ft_path(shipped, "foo.yaml");
    ft_write(foo, "cluster:\n  launcher: mpi\n");
    setenv("IPPC_PROFILES_DIR", shipped, 1);
    ippc_error_t *err = NULL;
    ippc_profile_t *p = ippc_profile_load("foo", &err);
    ck_assert_ptr_nonnull(p);
    ck_assert_int_eq(p->cluster.launcher, IPPC_PROFILE_LAUNCHER_MPI);
    ck_assert_str_eq(p->files.items[0], foo);
    ippc_profile_destroy(&p);
    /* the user's profile comes first */
    char *dir = ft_path(ipydir, "profile_foo");
    ck_assert_int_eq(mkdir(dir, 0700), 0);
    char *user = ft_path(dir, "ippc.yaml");
    ft_write(user, "cluster:\n  launcher: slurm\n");
    char *found = ippc_profile_find("foo", NULL);
    ck_assert_str_eq(found, user);
    free(found);
    p = ippc_profile_load("foo", NULL);
    ck_assert_int_eq(p->cluster.launcher, IPPC_PROFILE_LAUNCHER_SLURM);
    ck_assert_str_eq(p->name, "foo");
    ippc_profile_destroy(&p);
    /* a path, absolute or relative, is that file; its name is the file's */
    p = ippc_profile_load(foo, NULL);
    ck_assert_int_eq(p->cluster.launcher, IPPC_PROFILE_LAUNCHER_MPI);
    ck_assert_str_eq(p->name, "foo");
    ippc_profile_destroy(&p);
    p = ippc_profile_load(user, NULL);
    ck_assert_str_eq(p->name, "foo"); /* .../profile_foo/ippc.yaml */
    ippc_profile_destroy(&p);
    ck_assert_int_eq(chdir(shipped), 0);
    p = ippc_profile_load("foo.yaml", NULL);
    ck_assert_int_eq(p->cluster.launcher, IPPC_PROFILE_LAUNCHER_MPI);
    ippc_profile_destroy(&p);
    /* the shipped profiles of the build tree are still there after ours */
    p = ippc_profile_load("pmix", &err);
    ck_assert_msg(p != NULL, "%s", err ? ippc_error_message(err) : "");
    ippc_profile_destroy(&p);
    /* unknown: every place looked in, and how to make one */
    ck_assert_ptr_null(ippc_profile_load("nope", &err));
    ck_assert_int_eq(ippc_error_code(err), IPPC_E_NOTFOUND);
    char *want = ippc_strdup_printf("profile 'nope' not found: looked in %s/profile_nope/ippc.yaml, %s/nope.yaml, ",
                                    ipydir, shipped);
    ck_assert_msg(strncmp(ippc_error_message(err), want, strlen(want)) == 0, "%s", ippc_error_message(err));
    const char *tail = "/profiles/nope.yaml (create one with `ippctl profile create nope`)";
    const char *msg = ippc_error_message(err);
    ck_assert_str_eq(msg + strlen(msg) - strlen(tail), tail);
    free(want);
    ippc_error_destroy(&err);
    /* a path that is missing is not looked up as a name */
    ck_assert_ptr_null(ippc_profile_load("./nope.yaml", &err));
    ft_assert_error(&err, IPPC_E_NOTFOUND, "./nope.yaml: no such profile file");
    free(user);
    free(dir);
    free(foo);
    free(shipped);
}
END_TEST

START_TEST(uninstalled_binaries_find_the_source_tree)
{
    unsetenv("IPPC_PROFILES_DIR");
    ippc_error_t *err = NULL;
    ippc_profile_t *p = ippc_profile_load("slurm", &err);
    ck_assert_msg(p != NULL, "%s", err ? ippc_error_message(err) : "");
    const char *file = p->files.items[0];
    const char *tail = "/profiles/slurm.yaml";
    ck_assert_str_eq(file + strlen(file) - strlen(tail), tail);
    ippc_profile_destroy(&p);
}
END_TEST

START_TEST(inherit_layers_on_another_profile)
{
    /* $IPYTHONDIR/profile_slurm inherits the shipped slurm: its own file is passed over */
    char *dir = ft_path(ipydir, "profile_slurm");
    ck_assert_int_eq(mkdir(dir, 0700), 0);
    char *user = ft_path(dir, "ippc.yaml");
    ft_write(user, "slurm:\n  partition: debug\ninherit: slurm\ncluster:\n  n: 32\n");
    ippc_error_t *err = NULL;
    ippc_profile_t *p = ippc_profile_load("slurm", &err);
    ck_assert_msg(p != NULL, "%s", err ? ippc_error_message(err) : "");
    ck_assert_int_eq(p->cluster.launcher, IPPC_PROFILE_LAUNCHER_SLURM);
    ck_assert_int_eq(p->cluster.n, 32);
    ck_assert_str_eq(p->slurm.partition, "debug");
    ck_assert_str_eq(p->inherit, "slurm");
    ck_assert_uint_eq(p->files.n, 2);
    ck_assert_str_eq(p->files.items[1], user);
    ck_assert_ptr_nonnull(strstr(ippc_profile_origin(p, "cluster.launcher"), "/profiles/slurm.yaml:"));
    char *want = ippc_strdup_printf("%s:2:14", user);
    ck_assert_str_eq(ippc_profile_origin(p, "slurm.partition"), want);
    free(want);
    ippc_profile_destroy(&p);
    /* `base:` says the same; a relative path is taken from the inheriting file */
    char *a = put("a.yaml", "base: b.yaml\ncluster:\n  n: 2\n");
    char *b = put("b.yaml", "cluster:\n  n: 7\n  launcher: mpi\nslurm:\n  partition: x\n");
    p = ippc_profile_load(a, &err);
    ck_assert_msg(p != NULL, "%s", err ? ippc_error_message(err) : "");
    ck_assert_int_eq(p->cluster.n, 2);
    ck_assert_int_eq(p->cluster.launcher, IPPC_PROFILE_LAUNCHER_MPI);
    ippc_profile_destroy(&p);
    /* null in the inheriting file puts a key back to its default */
    ft_write(a, "inherit: b.yaml\nslurm:\n  partition:\n");
    p = ippc_profile_load(a, NULL);
    ck_assert_ptr_null(p->slurm.partition);
    ippc_profile_destroy(&p);
    /* loops, missing bases, both keys */
    ft_write(b, "inherit: a.yaml\n");
    ck_assert_ptr_null(ippc_profile_load(a, &err));
    ft_assert_error(&err, IPPC_E_PARSE, "a.yaml: a profile cannot inherit from itself");
    ft_write(a, "inherit: a.yaml\n");
    ck_assert_ptr_null(ippc_profile_load(a, &err));
    ft_assert_error(&err, IPPC_E_PARSE, "a profile cannot inherit from itself");
    ft_write(a, "inherit: nothing-like-this\n");
    ck_assert_ptr_null(ippc_profile_load(a, &err));
    want = ippc_strdup_printf("%s:1:10: cannot inherit: profile 'nothing-like-this' not found", a);
    ft_assert_error(&err, IPPC_E_NOTFOUND, want);
    free(want);
    ft_write(a, "inherit: slurm\nbase: mpi\n");
    ck_assert_ptr_null(ippc_profile_load(a, &err));
    ft_assert_error(&err, IPPC_E_PARSE, ":2:1: 'base' and 'inherit' say the same: give one");
    ft_write(a, "inherit: [slurm]\n");
    ck_assert_ptr_null(ippc_profile_load(a, &err));
    ft_assert_error(&err, IPPC_E_PARSE, ":1:10: 'inherit' must be a profile name or path, not a list");
    /* errors in the inherited file name that file */
    ft_write(b, "cluster:\n  n: x\n");
    ft_write(a, "inherit: b.yaml\n");
    ck_assert_ptr_null(ippc_profile_load(a, &err));
    ft_assert_error(&err, IPPC_E_PARSE, "b.yaml:2:6: 'n' must be an integer ≥ 1, not 'x'");
    /* a chain too long */
    for (int i = 0; i < 12; i++) {
        char name[32], text[64];
        snprintf(name, sizeof name, "c%d.yaml", i);
        snprintf(text, sizeof text, "inherit: c%d.yaml\n", i + 1);
        free(put(name, text));
    }
    free(put("c12.yaml", "cluster: {}\n"));
    char *c0 = ft_path(tmp, "c0.yaml");
    ck_assert_ptr_null(ippc_profile_load(c0, &err));
    ft_assert_error(&err, IPPC_E_PARSE, "profiles inherit more than 8 levels deep");
    free(c0);
    free(a);
    free(b);
    free(user);
    free(dir);
}
END_TEST

/* ------------------------------------------------------------ output */

/* dump -> read gives the same values, with and without comments. */
static void assert_round_trip(const ippc_profile_t *p)
{
    static const unsigned flags[] = {0, IPPC_PROFILE_DUMP_ORIGINS, IPPC_PROFILE_DUMP_DOCS,
                                     IPPC_PROFILE_DUMP_ORIGINS | IPPC_PROFILE_DUMP_DOCS};
    for (size_t i = 0; i < 4; i++) {
        char *text = ippc_profile_dump_string(p, flags[i]);
        ck_assert_ptr_nonnull(text);
        ippc_profile_t *back = ippc_profile_new();
        ippc_error_t *err = NULL;
        ck_assert_msg(ippc_profile_read_string(back, text, strlen(text), "dump", &err) == 0, "%s\n%s",
                      err ? ippc_error_message(err) : "", text);
        ck_assert_msg(ippc_profile_equal(p, back), "flags %u:\n%s", flags[i], text);
        json_t *a = ippc_profile_to_json(p, false), *b = ippc_profile_to_json(back, false);
        ck_assert(json_equal(a, b));
        json_decref(a);
        json_decref(b);
        ippc_profile_destroy(&back);
        free(text);
    }
}

START_TEST(dump_reads_back_to_the_same_values)
{
    for (size_t i = 0; i < 5; i++) {
        ippc_profile_t *p = ippc_profile_load(shipped_names[i], NULL);
        assert_round_trip(p);
        ippc_profile_destroy(&p);
    }
    ippc_profile_t *p = ippc_profile_load("slurm", NULL);
    /* strings that YAML would take for something else, or must escape */
    static const char *const sets[] = {
        "cluster.cluster_id=123",
        "controller.ports=[50000, 50010-50020]",
        "controller.records.max_bytes=1000",
        "controller.log_level=15",
        "engines.python_path=[yes, \"null\", \"~\", \"#x\", \" lead\", \"a: b\", \"-x\", 1e3, .inf, \"tab\\there\"]",
        "engines.startup=print('a \"quoted\" \\\\ string')\n\tx = 1\n",
        "engines.env={NULL: \"\", Y: \"caf\xc3\xa9 \\u2028 \\N \\uFEFF \\x9f \\x7f \\t\", N: \"0x1f\"}",
        "engines.workdir=/scratch/a b/c",
        "slurm.time=unlimited",
        "slurm.nodes=3",
        "slurm.extra=[--exclusive, \"#SBATCH --mem=0\"]",
        "mpi.mpirun=/opt/openmpi/bin/mpirun",
    };
    for (size_t i = 0; i < sizeof sets / sizeof sets[0]; i++)
        must_set(p, sets[i]);
    assert_round_trip(p);
    /* a key the file gives as null stays null */
    must_set(p, "slurm.time=90");
    must_set(p, "controller.interface=eth0");
    assert_round_trip(p);
    ippc_profile_destroy(&p);
}
END_TEST

START_TEST(dump_shows_origins)
{
    ippc_profile_t *p = must_read("cluster:\n  n: 16\n");
    must_set(p, "engines.env.OMP_NUM_THREADS=1");
    char *text = ippc_profile_dump_string(p, IPPC_PROFILE_DUMP_ORIGINS);
    ck_assert_ptr_nonnull(text);
    ck_assert_msg(strstr(text, "# ippc profile 'default'\n# read ") == text, "%s", text);
    char *line = ippc_strdup_printf("\n  n: 16%*s  # from %s/p.yaml:2:6\n", 33, "", tmp);
    ck_assert_msg(strstr(text, line) != NULL, "%s\nlacks\n%s", text, line);
    free(line);
    ck_assert_ptr_nonnull(strstr(text, "\n  launcher: local                         # from default\n"));
    ck_assert_ptr_nonnull(strstr(text, "\n    OMP_NUM_THREADS: \"1\"                  # from command line\n"));
    ck_assert_ptr_nonnull(strstr(text, "\n  heartbeat:\n    period_ms: 3000"));
    free(text);
    text = ippc_profile_dump_string(p, 0);
    ck_assert_ptr_null(strstr(text, "#"));
    free(text);
    /* names that are not text cannot break the comments they appear in */
    ippc_profile_t *q = ippc_profile_new();
    const char *yaml = "cluster:\n  n: 2\n";
    ck_assert_int_eq(ippc_profile_read_string(q, yaml, strlen(yaml), "evil\nname\xff\xe2", NULL), 0);
    q->inherit = strdup("x\ny"); /* as `inherit: "x\ny"` would leave it */
    text = ippc_profile_dump_string(q, IPPC_PROFILE_DUMP_ORIGINS);
    ck_assert_msg(strstr(text, "# ippc profile 'default' (inherits x\\ny)\n# read evil\\nname\\xff\\xe2\n") == text, "%s",
                  text);
    ck_assert_ptr_nonnull(strstr(text, "  # from evil\\nname\\xff\\xe2:2:6\n"));
    assert_round_trip(q);
    free(text);
    ippc_profile_destroy(&q);
    FILE *f = tmpfile();
    ck_assert_int_eq(ippc_profile_dump(p, 0, f, NULL), 0);
    ck_assert_int_gt(ftell(f), 100);
    fclose(f);
    ippc_profile_destroy(&p);
}
END_TEST

START_TEST(json_has_values_and_origins)
{
    ippc_profile_t *p = ippc_profile_load("pmix", NULL);
    must_set(p, "engines.env.A=1");
    json_t *j = ippc_profile_to_json(p, false);
    ck_assert_ptr_nonnull(j);
    ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(j, "cluster"), "n")), 4);
    ck_assert_str_eq(json_string_value(json_object_get(json_object_get(j, "cluster"), "launcher")), "pmix");
    json_t *records = json_object_get(json_object_get(j, "controller"), "records");
    ck_assert_int_eq(json_integer_value(json_object_get(records, "max_bytes")), 1LL << 30);
    ck_assert(json_is_null(json_object_get(json_object_get(j, "slurm"), "time")));
    ck_assert_ptr_null(json_object_get(j, "origins"));
    json_decref(j);
    j = ippc_profile_to_json(p, true);
    json_t *origins = json_object_get(j, "origins");
    ck_assert_str_eq(json_string_value(json_object_get(origins, "cluster.n")), "default");
    ck_assert_str_eq(json_string_value(json_object_get(origins, "engines.env.A")), "command line");
    ck_assert_str_eq(json_string_value(json_object_get(j, "name")), "pmix");
    ck_assert_uint_eq(json_array_size(json_object_get(j, "files")), 1);
    json_decref(j);
    ippc_profile_destroy(&p);
}
END_TEST

/* ------------------------------------------------------------ list, create */

static const ippc_profile_info_t *find_info(const ippc_profile_info_t *list, size_t n, const char *name, bool user)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(list[i].name, name) == 0 && list[i].user == user)
            return &list[i];
    return NULL;
}

START_TEST(list_shows_user_and_shipped_profiles)
{
    char *d1 = ft_path(ipydir, "profile_slurm"), *d2 = ft_path(ipydir, "profile_mine"),
         *d3 = ft_path(ipydir, "profile_ipython_only");
    ck_assert_int_eq(mkdir(d1, 0700) | mkdir(d2, 0700) | mkdir(d3, 0700), 0);
    char *f1 = ft_path(d1, "ippc.yaml"), *f2 = ft_path(d2, "ippc.yaml");
    ft_write(f1, "inherit: slurm\n");
    ft_write(f2, "cluster: {}\n");
    ippc_profile_info_t *list = NULL;
    size_t n = 0;
    ck_assert_int_eq(ippc_profile_list(&list, &n, NULL), 0);
    const ippc_profile_info_t *e = find_info(list, n, "slurm", true);
    ck_assert_ptr_nonnull(e);
    ck_assert(!e->shadowed);
    ck_assert_str_eq(e->path, f1);
    e = find_info(list, n, "slurm", false);
    ck_assert_ptr_nonnull(e);
    ck_assert(e->shadowed);
    ck_assert_ptr_nonnull(find_info(list, n, "mine", true));
    ck_assert_ptr_nonnull(find_info(list, n, "default", false));
    ck_assert_ptr_null(find_info(list, n, "ipython_only", true));
    for (size_t i = 1; i < n; i++)
        ck_assert_int_le(strcmp(list[i - 1].name, list[i].name), 0);
    ippc_profile_list_free(list, n);
    free(f1);
    free(f2);
    free(d1);
    free(d2);
    free(d3);
}
END_TEST

START_TEST(create_copies_a_profile_and_never_replaces_one)
{
    ippc_error_t *err = NULL;
    char *path = ippc_profile_create("mine", "slurm", &err);
    ck_assert_msg(path != NULL, "%s", err ? ippc_error_message(err) : "");
    char *want = ippc_strdup_printf("%s/profile_mine/ippc.yaml", ipydir);
    ck_assert_str_eq(path, want);
    char *text = ft_read(path);
    ck_assert_msg(strstr(text, "# ippc profile 'mine', made by `ippctl profile create mine` from ") == text, "%s",
                  text);
    free(text);
    ippc_profile_t *p = ippc_profile_load("mine", NULL);
    ck_assert_int_eq(p->cluster.launcher, IPPC_PROFILE_LAUNCHER_SLURM);
    ck_assert_str_eq(p->name, "mine");
    ippc_profile_destroy(&p);
    ft_write(path, "cluster:\n  n: 3\n");
    ck_assert_ptr_null(ippc_profile_create("mine", NULL, &err));
    ft_assert_error(&err, IPPC_E_STATE, "profile_mine/ippc.yaml already exists: not replacing it");
    text = ft_read(path);
    ck_assert_str_eq(text, "cluster:\n  n: 3\n");
    free(text);
    ck_assert_ptr_null(ippc_profile_create("../evil", NULL, &err));
    ft_assert_error(&err, IPPC_E_INVALID, "'../evil' cannot name a profile");
    ck_assert_ptr_null(ippc_profile_create("x.yaml", NULL, &err));
    ft_assert_error(&err, IPPC_E_INVALID, "cannot name a profile");
    ck_assert_ptr_null(ippc_profile_create("other", "no-such-base", &err));
    ft_assert_error(&err, IPPC_E_NOTFOUND, "cannot create profile 'other' from 'no-such-base': profile 'no-such-base'");
    /* from a user profile, with the default base */
    free(path);
    path = ippc_profile_create("copy", "mine", &err);
    ck_assert_ptr_nonnull(path);
    p = ippc_profile_load("copy", NULL);
    ck_assert_int_eq(p->cluster.n, 3);
    ippc_profile_destroy(&p);
    free(path);
    path = ippc_profile_create("plain", NULL, &err);
    ck_assert_ptr_nonnull(path);
    free(path);
    free(want);
}
END_TEST

/* ------------------------------------------------------------ schema, hostile input */

START_TEST(schema_keys_are_unique_and_documented)
{
    ck_assert_uint_gt(ippc_profile_nkeys(), 25);
    ck_assert_ptr_null(ippc_profile_key(ippc_profile_nkeys()));
    for (size_t i = 0; i < ippc_profile_nkeys(); i++) {
        const ippc_profile_keyinfo_t *k = ippc_profile_key(i);
        ck_assert(k->key && *k->key && k->type && *k->type && k->doc && *k->doc);
        ck_assert_ptr_nonnull(strchr(k->key, '.'));
        for (size_t j = 0; j < i; j++)
            ck_assert_str_ne(k->key, ippc_profile_key(j)->key);
        /* every key can be set from text and put back */
        ippc_profile_t *p = ippc_profile_new();
        ck_assert_int_eq(ippc_profile_set(p, k->key, NULL, "test", NULL), 0);
        ck_assert_str_eq(ippc_profile_origin(p, k->key), "test");
        ippc_profile_destroy(&p);
    }
}
END_TEST

static void survives(const char *text, size_t len)
{
    ippc_profile_t *p = ippc_profile_new();
    ippc_error_t *err = NULL;
    int rc = ippc_profile_read_string(p, text, len, "hostile", &err);
    ck_assert((rc == 0) == (err == NULL));
    ippc_error_destroy(&err);
    ippc_profile_destroy(&p);
}

START_TEST(hostile_input_does_not_crash)
{
    size_t n = IPPC_PROFILE_MAX_FILE_SIZE - 16;
    char *buf = malloc(n + 1);
    /* deep flow nesting, as a value and as the document */
    memcpy(buf, "cluster:\n  n: ", 14);
    memset(buf + 14, '[', n - 14);
    survives(buf, n);
    memset(buf, '[', n);
    survives(buf, n);
    memset(buf, '{', n);
    survives(buf, n);
    /* deep block nesting */
    size_t len = 0;
    for (int depth = 0; len + 2 * (size_t)depth + 8 < n && depth < 400; depth++) {
        len += (size_t)sprintf(buf + len, "%*sk%d:\n", 2 * depth, "", depth);
    }
    survives(buf, len);
    /* binary junk, fixed seed */
    unsigned state = 12345;
    for (int round = 0; round < 300; round++) {
        size_t m = 1 + (size_t)round * 37 % 4000;
        for (size_t i = 0; i < m; i++) {
            state = state * 1103515245u + 12345u;
            buf[i] = (char)(state >> 16);
        }
        survives(buf, m);
    }
    /* many keys: an env of 60,000 variables, and a section of 60,000 unknown keys */
    len = (size_t)sprintf(buf, "engines:\n  env:\n");
    for (int i = 0; len + 32 < n && i < 60000; i++)
        len += (size_t)sprintf(buf + len, "    V%d: x\n", i);
    survives(buf, len);
    len = (size_t)sprintf(buf, "cluster:\n");
    for (int i = 0; len + 32 < n && i < 60000; i++)
        len += (size_t)sprintf(buf + len, "  n: %d\n", i + 1);
    survives(buf, len);
    /* a long key and a long value in messages */
    memset(buf, 'k', n);
    memcpy(buf + n - 4, ": 1\n", 4);
    survives(buf, n);
    /* an alias chain, each level doubling */
    len = (size_t)sprintf(buf, "a0: &a0 [x, x]\n");
    for (int i = 1; i < 40; i++)
        len += (size_t)sprintf(buf + len, "a%d: &a%d [*a%d, *a%d]\n", i, i, i - 1, i - 1);
    survives(buf, len);
    len = (size_t)sprintf(buf, "slurm:\n  extra: &a0 [x, x]\n  srun_args: [*a0, *a0]\n");
    survives(buf, len);
    free(buf);
}
END_TEST

static Suite *profile_suite(void)
{
    Suite *s = suite_create("profile");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, every_shipped_profile_loads);
    tcase_add_test(tc, every_shipped_profile_documents_every_key);
    tcase_add_test(tc, defaults_are_built_in);
    tcase_add_test(tc, values_remember_their_file_position);
    tcase_add_test(tc, every_kind_reads_its_forms);
    tcase_add_test(tc, scalar_forms);
    tcase_add_test(tc, unknown_keys_are_errors_with_a_suggestion);
    tcase_add_test(tc, wrong_types_name_the_key_and_the_value);
    tcase_add_test(tc, bad_values_are_errors);
    tcase_add_test(tc, malformed_documents_are_errors);
    tcase_add_test(tc, empty_and_null_documents_and_sections);
    tcase_add_test(tc, aliases_share_values_within_a_budget);
    tcase_add_test(tc, files_that_cannot_be_profiles);
    tcase_add_test(tc, set_converts_text_to_each_type);
    tcase_add_test(tc, set_errors);
    tcase_add_test(tc, lookup_order);
    tcase_add_test(tc, uninstalled_binaries_find_the_source_tree);
    tcase_add_test(tc, inherit_layers_on_another_profile);
    tcase_add_test(tc, dump_reads_back_to_the_same_values);
    tcase_add_test(tc, dump_shows_origins);
    tcase_add_test(tc, json_has_values_and_origins);
    tcase_add_test(tc, list_shows_user_and_shipped_profiles);
    tcase_add_test(tc, create_copies_a_profile_and_never_replaces_one);
    tcase_add_test(tc, schema_keys_are_unique_and_documented);
    tcase_add_test(tc, hostile_input_does_not_crash);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(profile_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
