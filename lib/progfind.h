/* progfind.h - finding ippc's own programs (ippc-controller, ippc-engine, ippctl) from
 * another of them or from the library, installed or in the build tree. Internal. */
#ifndef IPPC_PROGFIND_H
#define IPPC_PROGFIND_H

#include <stdbool.h>

#include "ippc.h"

typedef struct {
    const char *name;         /* "ippc-engine" */
    const char *env;          /* a variable naming its path ("IPPC_ENGINE"); wins when set */
    bool beside_self;         /* look in the directory of /proc/self/exe ... */
    const char *build_subdir; /* ... and in <that>/../<build_subdir> (the build tree); NULL: not */
} ippc_progfind_t;

/* The program's path, malloc'd, looked for in this order: $env (which must then name an
 * executable file), the directory of the running program, its build-tree sibling
 * directory, the configured bindir, PATH. IPPC_E_NOTFOUND names every place tried
 * and how to point at the program. */
char *ippc_find_program(const ippc_progfind_t *f, ippc_error_t **err);

#endif
