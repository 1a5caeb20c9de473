/* sockets.h - binding the controller's sockets and writing its connection files.
 *
 * Ports: any free port by default; from the pool --ports gives (busy ports in it are
 * skipped); --port fixes the registration port; --reuse binds the ports of the
 * existing connection files (and keeps their key). A port that cannot be had is a
 * start failure naming the port and the socket. */
#ifndef IPPC_SOCKETS_H
#define IPPC_SOCKETS_H

#include "ctl.h"

/* With --reuse: read the existing connection files (key, interface, ports) into ctl.
 * Returns 1 when they were read, 0 when there was nothing usable (logged). */
int ippc_sockets_load_reused(ippc_ctl_t *ctl, int ports[SOCK_COUNT], char **bind_ip);
/* Create, configure and bind every socket. ports[i] > 0 asks for that exact port. */
int ippc_sockets_open(ippc_ctl_t *ctl, const int ports[SOCK_COUNT], const char *bind_ip, ippc_error_t **err);
/* Write both connection files (0600) and build ctl->engine_info. */
int ippc_sockets_write_files(ippc_ctl_t *ctl, const char *bind_ip, ippc_error_t **err);
void ippc_sockets_remove_files(ippc_ctl_t *ctl);
void ippc_sockets_close(ippc_ctl_t *ctl);

#endif
