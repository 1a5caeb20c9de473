/* iopub.h - publishing on the engine's IOPub PUB socket.
 *
 * Any thread may publish (the main thread, Python's stream writers from user threads,
 * the output thread, the control thread), so sends are serialised here. Messages carry
 * the current parent header (the request being run, or the last one: output of a
 * background thread after a request ends still goes to that request, as in ipykernel)
 * and a topic frame "engine.<id>.<kind>". The parent is kept as the text of the
 * request's header frame and sent as it came (ewire.h). */
#ifndef ENG_IOPUB_H
#define ENG_IOPUB_H

#include <jansson.h>

#include "value_codec.h"
#include "wire.h"

/* The current parent: header text (copied; empty or NULL clears). */
void iopub_set_parent_text(const char *header, size_t len);
/* Publish msg_type with content (stolen) under the current parent; parent non-NULL
 * overrides it. topic_kind NULL derives it from the type (stream → content.name,
 * display_data → displaypub, ...). bufs may be NULL. */
int iopub_publish(const char *msg_type, json_t *content, const json_t *parent, const char *topic_kind,
                  ippc_bloblist_t *bufs);
/* The same with content as JSON object text, under the current parent. topic_kind NULL
 * derives it from the type, except for "stream" (which needs the content's name). */
int iopub_publish_text(const char *msg_type, const char *content, size_t len, const char *topic_kind,
                       const ippc_bloblist_t *bufs);
/* status {"execution_state": state} under the current parent. */
int iopub_status(const char *state);
void iopub_close(void);

#endif
