/* slurm_script.h - the sbatch script of the slurm back end (slurm_script.c): #SBATCH
 * options from the profile's slurm section, the engines' environment, the controller in
 * the batch step, the engines as one srun step. Internal to the launcher library. */
#ifndef IPPC_SLURM_SCRIPT_H
#define IPPC_SLURM_SCRIPT_H

#include "ippc.h"
#include "profile.h"

typedef struct {
    const ippc_profile_t *p;
    const char *what;        /* "cluster 't1' of profile slurm", for the first comment */
    const char *job_name;    /* --job-name */
    long n;                  /* --ntasks: one per engine */
    const char *output;      /* --output (with %j) */
    char *const *controller; /* the controller's command line (NULL ended) */
    char *const *engines;    /* srun, its options and the engine command */
    char *const *env;        /* NAME=value for the engines */
} ippc_slurm_script_t;

/* The script's text, malloc'd; NULL on ENOMEM. */
char *ippc_slurm_script(const ippc_slurm_script_t *s);

#endif
