/* version.c - the library's version, and the one object of the shared library proper
 * (everything else comes from the convenience library libippc-core). */
#include "ippc.h"


const char *ippc_version(void) { return IPPC_VERSION_STRING; }
