/* error_int.h - how libippc code reports errors internally. */
#ifndef IPPC_ERROR_INT_H
#define IPPC_ERROR_INT_H

#include "ippc.h"

/* Fill *err (when err is non-NULL and *err is still NULL: the first cause wins) with a
 * new error. Always returns -1 so that callers can `return ippc_error_set(...)`. */
int ippc_error_set(ippc_error_t **err, ippc_errcode_t code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Same, with ": strerror(errnum)" appended. */
int ippc_error_set_errno(ippc_error_t **err, ippc_errcode_t code, int errnum, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Put "context: " in front of the message of *err (no-op when err or *err is NULL). */
void ippc_error_prefix(ippc_error_t **err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* malloc'd printf; NULL on ENOMEM. */
char *ippc_strdup_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
