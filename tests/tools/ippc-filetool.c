/* ippc-filetool - drive libippc's connection and cluster files from shell tests.
 *
 *   ippc-filetool conn-read PATH          print the fields as key=value lines
 *   ippc-filetool conn-copy SRC DST       read SRC, write DST (libippc's writer)
 *   ippc-filetool conn-url PATH PORT      the address a peer connects to
 *   ippc-filetool cluster-read PATH       print the record and the liveness of its pids
 *   ippc-filetool cluster-copy SRC DST    read SRC, write DST
 *   ippc-filetool cluster-write PATH --profile-dir D [--cluster-id C] [--n N]
 *        [--controller CLASS] [--pid N] [--output-file F] [--job-id J]
 *        [--engines CLASS] [--engine-set ID [--set-n N] [--set-job-id J]
 *         [--engine-pid P [--engine-output F]]...]...
 *   ippc-filetool path (ipython-dir | profile-dir [NAME] | conn PROFILE_DIR CID SIDE
 *        | cluster PROFILE_DIR CID)
 *
 * Errors go to stderr as "<IPPC_E_CODE>: <message>" with exit status 1; usage errors
 * exit 2. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clusterfile.h"
#include "conninfo.h"
#include "ippc.h"

static int fail(ippc_error_t *err)
{
    fprintf(stderr, "%s: %s\n", ippc_errcode_name(ippc_error_code(err)), ippc_error_message(err));
    ippc_error_destroy(&err);
    return 1;
}

static int usage(const char *why)
{
    fprintf(stderr, "ippc-filetool: %s (see the comment at the top of ippc-filetool.c)\n", why);
    return 2;
}

static const char *str(const char *s) { return s ? s : "(null)"; }

/* ---------------------------------------------------------- connection files */

static void print_conninfo(const ippc_conninfo_t *ci)
{
    printf("side=%s\n", ci->side == IPPC_SIDE_ENGINE ? "engine" : "client");
    printf("interface=%s\nlocation=%s\nkey=%s\nsignature_scheme=%s\n", ci->interface, str(ci->location), ci->key,
           ci->signature_scheme);
    printf("ssh=%s\npack=%s\nunpack=%s\ncurve_serverkey=%s\n", ci->ssh, ci->pack, ci->unpack,
           str(ci->curve_serverkey));
    printf("registration=%d\ncontrol=%d\nmux=%d\ntask=%d\niopub=%d\n", ci->registration, ci->control, ci->mux,
           ci->task, ci->iopub);
    if (ci->side == IPPC_SIDE_CLIENT)
        printf("task_scheme=%s\nnotification=%d\n", ci->task_scheme, ci->notification);
    else
        printf("hb_ping=%d\nhb_pong=%d\n", ci->hb_ping, ci->hb_pong);
    printf("broadcast=");
    for (size_t i = 0; i < ci->nbroadcast; i++)
        printf("%s%d", i ? "," : "", ci->broadcast[i]);
    char *extra = json_dumps(ci->extra, JSON_COMPACT | JSON_SORT_KEYS);
    printf("\nextra=%s\n", str(extra));
    free(extra);
}

static int conn_read(int argc, char **argv)
{
    if (argc != 1)
        return usage("conn-read PATH");
    ippc_error_t *err = NULL;
    ippc_conninfo_t *ci = ippc_conninfo_read(argv[0], &err);
    if (!ci)
        return fail(err);
    print_conninfo(ci);
    ippc_conninfo_destroy(&ci);
    return 0;
}

static int conn_copy(int argc, char **argv)
{
    if (argc != 2)
        return usage("conn-copy SRC DST");
    ippc_error_t *err = NULL;
    ippc_conninfo_t *ci = ippc_conninfo_read(argv[0], &err);
    int rc = ci ? ippc_conninfo_write(ci, argv[1], &err) : -1;
    ippc_conninfo_destroy(&ci);
    return rc == 0 ? 0 : fail(err);
}

static int conn_url(int argc, char **argv)
{
    if (argc != 2)
        return usage("conn-url PATH PORT");
    ippc_error_t *err = NULL;
    ippc_conninfo_t *ci = ippc_conninfo_read(argv[0], &err);
    if (!ci)
        return fail(err);
    char *url = ippc_conninfo_url(ci, atoi(argv[1]));
    printf("%s\n", str(url));
    free(url);
    ippc_conninfo_destroy(&ci);
    return 0;
}

/* ------------------------------------------------------------- cluster files */

static const char *status_name(ippc_proc_status_t s)
{
    return s == IPPC_PROC_ALIVE ? "alive" : s == IPPC_PROC_DEAD ? "dead" : "unknown";
}

static void print_state(const char *prefix, const ippc_launcher_state_t *st)
{
    printf("%s.state=%s\n", prefix, str(st->state));
    if (st->has_pid)
        printf("%s.pid=%lld (%s)\n", prefix, st->pid, status_name(ippc_launcher_status(st)));
    if (st->output_file)
        printf("%s.output_file=%s\n", prefix, st->output_file);
    if (st->has_n)
        printf("%s.n=%lld\n", prefix, st->n);
    if (st->job_id)
        printf("%s.job_id=%s\n", prefix, st->job_id);
}

static void print_cluster(const ippc_clusterfile_t *cf)
{
    printf("cluster_id=%s\nprofile_dir=%s\nclass=%s\n", str(cf->cluster_id), str(cf->profile_dir), str(cf->cls));
    if (cf->n >= 0)
        printf("n=%lld\n", cf->n);
    else
        printf("n=null\n");
    printf("delay=%g\n", cf->delay);
    if (cf->controller_class) {
        printf("controller.class=%s\n", cf->controller_class);
        if (!cf->controller_state_null)
            print_state("controller", &cf->controller);
    }
    printf("engines.class=%s\nengines.sets=%zu\n", str(cf->engines_class), cf->nsets);
    for (size_t i = 0; i < cf->nsets; i++) {
        char prefix[512];
        snprintf(prefix, sizeof prefix, "set.%s", cf->sets[i].id);
        print_state(prefix, &cf->sets[i].state);
        for (size_t j = 0; j < cf->sets[i].nengines; j++) {
            char eprefix[1024];
            snprintf(eprefix, sizeof eprefix, "%s.engine.%s", prefix, cf->sets[i].engines[j].id);
            print_state(eprefix, &cf->sets[i].engines[j].state);
        }
    }
    ippc_cluster_liveness_t l;
    ippc_clusterfile_liveness(cf, &l);
    printf("liveness.controller=%s\nliveness.engines=%zu alive, %zu dead, %zu unknown\n",
           status_name(l.controller), l.engines_alive, l.engines_dead, l.engines_unknown);
    printf("running=%s\nstale=%s\n", l.running ? "yes" : "no", ippc_clusterfile_is_stale(cf) ? "yes" : "no");
}

static int cluster_read(int argc, char **argv)
{
    if (argc != 1)
        return usage("cluster-read PATH");
    ippc_error_t *err = NULL;
    ippc_clusterfile_t *cf = ippc_clusterfile_read(argv[0], &err);
    if (!cf)
        return fail(err);
    print_cluster(cf);
    ippc_clusterfile_destroy(&cf);
    return 0;
}

static int cluster_copy(int argc, char **argv)
{
    if (argc != 2)
        return usage("cluster-copy SRC DST");
    ippc_error_t *err = NULL;
    ippc_clusterfile_t *cf = ippc_clusterfile_read(argv[0], &err);
    int rc = cf ? ippc_clusterfile_write(cf, argv[1], &err) : -1;
    ippc_clusterfile_destroy(&cf);
    return rc == 0 ? 0 : fail(err);
}

/* What cluster-write builds as it walks its options. */
typedef struct {
    ippc_clusterfile_t *cf;
    ippc_cluster_engine_set_t *set;   /* the last --engine-set */
    ippc_launcher_state_t *engine;    /* the last --engine-pid */
} build_t;

static ippc_launcher_state_t *controller_of(build_t *b)
{
    if (!b->cf->controller_class)
        return ippc_clusterfile_set_controller(b->cf, "local");
    return &b->cf->controller;
}

/* One "--option value" pair; returns 0, or a message for usage(). */
static const char *apply_option(build_t *b, const char *opt, const char *val)
{
    int rc = 0;
    if (strcmp(opt, "--cluster-id") == 0)
        rc = ippc_cf_set_str(&b->cf->cluster_id, val);
    else if (strcmp(opt, "--n") == 0)
        b->cf->n = atoll(val);
    else if (strcmp(opt, "--controller") == 0)
        rc = ippc_clusterfile_set_controller(b->cf, val) ? 0 : -1;
    else if (strcmp(opt, "--pid") == 0)
        controller_of(b)->pid = atoll(val);
    else if (strcmp(opt, "--output-file") == 0)
        rc = ippc_cf_set_str(&controller_of(b)->output_file, val);
    else if (strcmp(opt, "--job-id") == 0)
        rc = ippc_cf_set_str(&controller_of(b)->job_id, val);
    else if (strcmp(opt, "--engines") == 0)
        rc = ippc_cf_set_str(&b->cf->engines_class, val);
    else if (strcmp(opt, "--engine-set") == 0)
        rc = (b->set = ippc_clusterfile_add_engine_set(b->cf, val)) ? 0 : -1;
    else if (!b->set)
        return "--set-n, --set-job-id and --engine-pid need an --engine-set first";
    else if (strcmp(opt, "--set-n") == 0)
        b->set->state.n = atoll(val);
    else if (strcmp(opt, "--set-job-id") == 0)
        rc = ippc_cf_set_str(&b->set->state.job_id, val);
    else if (strcmp(opt, "--engine-pid") == 0) {
        char id[32];
        snprintf(id, sizeof id, "%zu", b->set->nengines);
        rc = (b->engine = ippc_cluster_engine_set_add_engine(b->set, id)) ? 0 : -1;
        if (b->engine)
            b->engine->pid = atoll(val);
    } else if (strcmp(opt, "--engine-output") == 0 && b->engine)
        rc = ippc_cf_set_str(&b->engine->output_file, val);
    else
        return "unknown option";
    return rc == 0 ? NULL : "out of memory";
}

static const char *option_value(int argc, char **argv, const char *opt)
{
    for (int i = 0; i + 1 < argc; i += 2)
        if (strcmp(argv[i], opt) == 0)
            return argv[i + 1];
    return NULL;
}

static int cluster_write(int argc, char **argv)
{
    if (argc < 1 || (argc - 1) % 2 != 0)
        return usage("cluster-write PATH --option value ...");
    const char *profile_dir = option_value(argc - 1, argv + 1, "--profile-dir");
    if (!profile_dir)
        return usage("cluster-write needs --profile-dir");
    build_t b = {.cf = ippc_clusterfile_new(option_value(argc - 1, argv + 1, "--cluster-id"), profile_dir)};
    if (!b.cf)
        return usage("out of memory");
    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--profile-dir") == 0)
            continue;
        const char *why = apply_option(&b, argv[i], argv[i + 1]);
        if (why) {
            fprintf(stderr, "%s: ", argv[i]);
            ippc_clusterfile_destroy(&b.cf);
            return usage(why);
        }
    }
    ippc_error_t *err = NULL;
    int rc = ippc_clusterfile_write(b.cf, argv[0], &err);
    ippc_clusterfile_destroy(&b.cf);
    return rc == 0 ? 0 : fail(err);
}

/* -------------------------------------------------------------------- paths */

static int print_path(char *p)
{
    if (!p)
        return usage("no path (bad arguments, or no home directory)");
    printf("%s\n", p);
    free(p);
    return 0;
}

static const char *arg_or_null(const char *a) { return strcmp(a, "-") == 0 ? NULL : a; }

static int path_cmd(int argc, char **argv)
{
    if (argc == 1 && strcmp(argv[0], "ipython-dir") == 0)
        return print_path(ippc_ipython_dir());
    if ((argc == 1 || argc == 2) && strcmp(argv[0], "profile-dir") == 0)
        return print_path(ippc_profile_dir(argc == 2 ? argv[1] : NULL));
    if (argc == 4 && strcmp(argv[0], "conn") == 0)
        return print_path(ippc_connection_file_path(arg_or_null(argv[1]), arg_or_null(argv[2]), argv[3]));
    if (argc == 3 && strcmp(argv[0], "cluster") == 0)
        return print_path(ippc_cluster_file_path(arg_or_null(argv[1]), arg_or_null(argv[2])));
    return usage("path ipython-dir | profile-dir [NAME] | conn PD CID SIDE | cluster PD CID ('-' for NULL)");
}

int main(int argc, char **argv)
{
    static const struct {
        const char *name;
        int (*run)(int, char **);
    } cmds[] = {
        {"conn-read", conn_read},       {"conn-copy", conn_copy},       {"conn-url", conn_url},
        {"cluster-read", cluster_read}, {"cluster-copy", cluster_copy}, {"cluster-write", cluster_write},
        {"path", path_cmd},
    };
    if (argc < 2)
        return usage("no command");
    for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++)
        if (strcmp(argv[1], cmds[i].name) == 0)
            return cmds[i].run(argc - 2, argv + 2);
    return usage("unknown command");
}
