/* version.c - the library's version. */
#include "ippc.h"

const char *ippc_version(void) { return IPPC_VERSION_STRING; }
