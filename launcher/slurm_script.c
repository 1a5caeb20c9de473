/* slurm_script.c - see slurm_script.h. The script is plain sh, every value quoted,
 * so that it can be read, kept (the cluster file records it as batch_template, like
 * the stock SlurmControllerLauncher) and submitted again by hand. */
#include "config.h"

#include "slurm_script.h"

#include <stdlib.h>
#include <string.h>

#include "daemon_args.h"
#include "srun.h"
#include "strbuf.h"

/* A command line, each word quoted for sh when it needs it. */
static void put_command(strbuf_t *sb, char *const *argv)
{
    ippc_argv_t a = {0};
    for (size_t i = 0; argv[i]; i++)
        ippc_argv_add(&a, argv[i]);
    char *line = a.failed ? NULL : ippc_argv_join(&a);
    if (line)
        strbuf_puts(sb, line);
    else
        sb->failed = true;
    free(line);
    ippc_argv_free(&a);
}

/* One word quoted for sh. */
static void put_quoted(strbuf_t *sb, const char *word)
{
    char *const one[] = {(char *)word, NULL};
    put_command(sb, one);
}

static void put_options(strbuf_t *sb, const ippc_slurm_script_t *s)
{
    strbuf_printf(sb, "#SBATCH --job-name=%s\n", s->job_name);
    strbuf_printf(sb, "#SBATCH --output=%s\n", s->output);
    strbuf_printf(sb, "#SBATCH --ntasks=%ld\n", s->n);
    ippc_argv_t opts = {0};
    ippc_slurm_options(&s->p->slurm, true, &opts);
    for (size_t i = 0; i < opts.n; i++)
        strbuf_printf(sb, "#SBATCH %s\n", opts.v[i]);
    sb->failed |= opts.failed;
    ippc_argv_free(&opts);
    /* slurm.extra: "--exclusive" or a whole "#SBATCH --exclusive" line. */
    const ippc_profile_strlist_t *extra = &s->p->slurm.extra;
    for (size_t i = 0; i < extra->n; i++)
        strbuf_printf(sb, "%s%s\n", strncmp(extra->items[i], "#SBATCH", 7) == 0 ? "" : "#SBATCH ", extra->items[i]);
}

char *ippc_slurm_script(const ippc_slurm_script_t *s)
{
    strbuf_t sb;
    strbuf_init(&sb);
    strbuf_printf(&sb, "#!/bin/sh\n# ippc, %s: written by `ippctl start`, submitted with sbatch --parsable.\n", s->what);
    put_options(&sb, s);
    if (s->env && s->env[0]) {
        strbuf_puts(&sb, "\n# The engines' environment (engines.env, engines.python_path).\n");
        for (size_t i = 0; s->env[i]; i++) {
            const char *eq = strchr(s->env[i], '=');
            if (!eq)
                continue;
            strbuf_printf(&sb, "%.*s=", (int)(eq - s->env[i]), s->env[i]);
            put_quoted(&sb, eq + 1);
            strbuf_printf(&sb, "\nexport %.*s\n", (int)(eq - s->env[i]), s->env[i]);
        }
    }
    strbuf_puts(&sb, "\n# The controller runs in the batch step, on the first node of the job.\n");
    put_command(&sb, s->controller);
    strbuf_puts(&sb, " &\nctl=$!\n"
                     "# The engines: one srun step over the job's tasks (`ippctl signal` reaches it\n"
                     "# through scancel -s SIG JOB.STEP; `ippctl stop` cancels the job).\n");
    put_command(&sb, s->engines);
    strbuf_puts(&sb, "\nrc=$?\n"
                     "echo \"ippc: the engines' step ended (status $rc): stopping the controller\" >&2\n"
                     "kill -TERM \"$ctl\" 2> /dev/null\n"
                     "wait \"$ctl\"\n"
                     "exit \"$rc\"\n");
    return strbuf_release(&sb);
}
