/* options.h - ippc-engine's command line.
 *
 * It accepts what the stock launchers pass to ipengine (--profile=, --profile-dir X,
 * --cluster-id X, --file=, --mpi, --log-level=, --InteractiveShell.colors=, ...), in both
 * the "--name=value" and "--name value" forms traitlets accepts, plus our own options.
 * Other traitlets-style settings (--Class.trait=value) are accepted with a warning, so
 * a launcher configured for the stock engine still starts this one. */
#ifndef ENG_OPTIONS_H
#define ENG_OPTIONS_H

#include <stdbool.h>

typedef enum { SHELL_AUTO, SHELL_IPYTHON, SHELL_PLAIN } shell_mode_t;

typedef struct {
    char *profile;     /* profile name ("default") */
    char *profile_dir; /* NULL: $IPYTHONDIR/profile_<profile> */
    char *ipython_dir; /* NULL: $IPYTHONDIR or ~/.ipython */
    char *cluster_id;  /* "" */
    char *url_file;    /* --file / --url-file: the engine connection file */
    char *location;    /* replaces a wildcard interface in the connection file */
    char *colors;      /* InteractiveShell.colors; NULL: "NoColor" plain, IPython's default otherwise */
    char *work_dir;    /* chdir here before running anything */
    shell_mode_t shell;
    bool mpi;          /* request id = MPI rank */
    bool pmix;         /* id and connection info through PMIx (pmix_boot.h) */
    int log_level;     /* 10 debug .. 50 critical */
    double timeout;    /* seconds to wait for the connection file, and for the registration reply */
    double reg_timeout; /* seconds the controller may take to complete the registration; 0: its purge time */
    char *startup_command; /* -c: Python code run before registering */
    char *startup_script;  /* -s: a Python file run before registering */
    int requested_id;  /* -1: let the controller choose */
    int hb_misses;     /* heartbeat periods without a ping before exiting; 0 never */
    bool capture_fds;  /* send C-level writes to fd 1/2 to IOPub */
} eng_options_t;

enum { OPT_OK = 0, OPT_EXIT_OK = 1, OPT_USAGE = 2, OPT_NOMEM = 3 };

/* Fill o from argv (and the IPP_PROFILE_DIR / IPP_CLUSTER_ID environment of newer
 * launchers). Returns OPT_OK, OPT_EXIT_OK after --help/--version (printed on stdout),
 * OPT_USAGE after printing what is wrong on stderr, or OPT_NOMEM. */
int options_parse(int argc, char **argv, eng_options_t *o);
void options_free(eng_options_t *o);
/* The MPI rank from the launcher's environment, or -1 when no known variable is set. */
int options_mpi_rank(const char **which);

#endif
