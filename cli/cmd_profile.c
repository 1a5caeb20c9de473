/* cmd_profile.c - ippctl profile list|show|create: the profiles a name can find, one
 * profile merged over its defaults with where each value came from, and a user profile
 * made from another. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_ops.h"
#include "lifecycle.h"

static const char help[] =
    "Usage: ippctl profile list [--json]\n"
    "       ippctl profile show [NAME|PATH] [--set KEY=VALUE]... [--json]\n"
    "       ippctl profile create NAME [--base BASE]\n"
    "\n"
    "list    every profile a name finds: the user's ($IPYTHONDIR/profile_NAME/ippc.yaml)\n"
    "        and the shipped ones; a user profile hides a shipped one of the same name\n"
    "show    the profile (default: default) merged over the built-in defaults, as YAML with\n"
    "        '# from ORIGIN' after each value (default, FILE:LINE:COLUMN, command line)\n"
    "create  write $IPYTHONDIR/profile_NAME/ippc.yaml as a copy of BASE (default: default),\n"
    "        every key documented; it never replaces a file\n"
    "\n"
    "Options:\n"
    "  -p, --profile NAME    the profile to show (instead of the argument)\n"
    "      --set KEY=VALUE   show: change a key as ippctl start --set would (repeatable)\n"
    "      --base BASE       create: the profile to copy\n"
    "      --json            list/show: print JSON (show: with an \"origins\" object)\n"
    "  -h, --help            show this help and exit\n"
    "\n"
    "Examples:\n"
    "  ippctl profile list\n"
    "  ippctl profile show slurm\n"
    "  ippctl profile show --set engines.shell=plain --json\n"
    "  ippctl profile create mycluster --base slurm\n"
    "\n"
    "Exit status: 0 success, 1 failure (a profile that cannot be read, a file that\n"
    "exists), 2 usage error. See ippc-profile(5).\n";

static int list(bool json)
{
    ippc_profile_info_t *infos;
    size_t n;
    ippc_error_t *err = NULL;
    if (ippc_profile_list(&infos, &n, &err) != 0)
        return cli_error_report(&err);
    json_t *out = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(out, json_pack("{s:s, s:s, s:s, s:b}", "name", infos[i].name, "path", infos[i].path,
                                             "kind", infos[i].user ? "user" : "shipped", "shadowed", infos[i].shadowed));
    if (!json) {
        printf("%-16s %-8s %s\n", "NAME", "KIND", "PATH");
        for (size_t i = 0; i < n; i++)
            printf("%-16s %-8s %s%s\n", infos[i].name, infos[i].user ? "user" : "shipped", infos[i].path,
                   infos[i].shadowed ? "  (hidden by the one above)" : "");
    }
    ippc_profile_list_free(infos, n);
    if (json)
        return cli_json_print(out);
    json_decref(out);
    return CLI_OK;
}

static int show(const cli_profile_args_t *a, bool json)
{
    int code = CLI_OK;
    ippc_profile_t *p = cli_load_profile(a, &code, NULL);
    if (!p)
        return code;
    if (json) {
        code = cli_json_print(ippc_profile_to_json(p, true));
    } else {
        ippc_error_t *err = NULL;
        if (ippc_profile_dump(p, IPPC_PROFILE_DUMP_ORIGINS, stdout, &err) != 0)
            code = cli_error_report(&err);
    }
    ippc_profile_destroy(&p);
    return code;
}

static int create(const char *name, const char *base)
{
    ippc_error_t *err = NULL;
    char *path = ippc_profile_create(name, base, &err);
    if (!path)
        return cli_error_report(&err);
    cli_note("wrote %s (a copy of profile %s; edit it, then ippctl start -p %s)", path, base ? base : "default", name);
    printf("%s\n", path);
    free(path);
    return CLI_OK;
}

int cmd_profile(int argc, char **argv)
{
    enum { O_SET = 256, O_BASE, O_JSON };
    static const struct option longopts[] = {
        {"profile", required_argument, NULL, 'p'}, {"set", required_argument, NULL, O_SET},
        {"base", required_argument, NULL, O_BASE}, {"json", no_argument, NULL, O_JSON},
        {"help", no_argument, NULL, 'h'},          {NULL, 0, NULL, 0}};
    const char **sets = calloc((size_t)argc + 1, sizeof(char *));
    if (!sets)
        return cli_error("out of memory");
    cli_profile_args_t prof = {.sets = sets, .n = -1};
    const char *base = NULL;
    bool json = false;
    int c, code = -1;
    while (code < 0 && (c = cli_getopt(argc, argv, "p:h", longopts)) != -1) {
        switch (c) {
        case 'p': prof.profile = optarg; break;
        case O_SET: sets[prof.nsets++] = optarg; break;
        case O_BASE: base = optarg; break;
        case O_JSON: json = true; break;
        case 'h': fputs(help, stdout); code = CLI_OK; break;
        default: code = CLI_USAGE;
        }
    }
    const char *action = code < 0 && optind < argc ? argv[optind++] : NULL;
    const char *arg = code < 0 && optind < argc ? argv[optind++] : NULL;
    if (code >= 0) {
        /* --help or a usage error, already printed */
    } else if (!action) {
        code = cli_usage("which action: list, show or create?");
    } else if (optind < argc) {
        code = cli_usage("unexpected argument '%s'", argv[optind]);
    } else if (strcmp(action, "list") == 0) {
        code = arg || prof.profile || prof.nsets || base ? cli_usage("profile list takes no profile, --set or --base")
                                                         : list(json);
    } else if (strcmp(action, "show") == 0) {
        if (arg && prof.profile)
            code = cli_usage("name the profile once: as the argument or with -p");
        else if (base)
            code = cli_usage("--base is for profile create");
        else {
            if (arg)
                prof.profile = arg;
            code = show(&prof, json);
        }
    } else if (strcmp(action, "create") == 0) {
        const char *name = arg ? arg : prof.profile;
        code = !name ? cli_usage("profile create needs a NAME")
               : prof.nsets || json ? cli_usage("profile create takes only NAME and --base")
                                    : create(name, base);
    } else {
        code = cli_usage("unknown action '%s' (list, show or create)", action);
    }
    free(sets);
    return code;
}
