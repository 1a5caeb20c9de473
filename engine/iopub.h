/* iopub.h - publishing on the engine's IOPub PUB socket.
 *
 * Any thread may publish (the main thread, Python's stream writers from user threads,
 * the output thread, the control thread), so sends are serialised here. Messages carry
 * the current parent header (the request being run, or the last one: output of a
 * background thread after a request ends still goes to that request, as in ipykernel)
 * and a topic frame "engine.<id>.<kind>". */
#ifndef ENG_IOPUB_H
#define ENG_IOPUB_H

#include <jansson.h>

#include "value_codec.h"

void iopub_set_parent(json_t *header); /* takes a new reference; NULL clears */
json_t *iopub_parent(void);            /* a new reference, or NULL */
/* Publish msg_type with content (stolen) under the current parent; parent non-NULL
 * overrides it. topic_kind NULL derives it from the type (stream → content.name,
 * display_data → displaypub, ...). bufs may be NULL. */
int iopub_publish(const char *msg_type, json_t *content, const json_t *parent, const char *topic_kind,
                  ippc_bloblist_t *bufs);
int iopub_status(const char *state, const json_t *parent);
void iopub_close(void);

#endif
