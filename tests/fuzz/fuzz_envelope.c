/* fuzz_envelope.c - libFuzzer target for the message parser (ippc_session_parse).
 *
 * Input: frames in ippc-wiretool's stream format, each a 4-byte big-endian length then
 * its bytes; a length running past the end takes what is left. Each input is parsed
 * twice: by a keyed session (signature syntax, HMAC, replay history) and by an unsigned
 * one, which skips the signature so that mutated JSON reaches the JSON and header
 * checks. The seeds in corpus/envelope are signed with FUZZ_KEY.
 *
 * The sessions live for the whole run (making a session per input would dominate the
 * time); so a signed seed is accepted once and then refused as a replay, which is a
 * path worth covering too. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "wire.h"

#define FUZZ_KEY "fuzz-key"

const char *fuzz_corpus_name = "envelope";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Split data into at most max frames; returns the count. */
static size_t split(const uint8_t *data, size_t size, ippc_frame_t *frames, size_t max)
{
    size_t n = 0, pos = 0;
    while (pos < size && n < max) {
        size_t len = 0;
        for (int k = 0; k < 4; k++)
            len = len << 8 | (pos < size ? data[pos++] : 0);
        if (len > size - pos)
            len = size - pos;
        frames[n++] = (ippc_frame_t){data + pos, len};
        pos += len;
    }
    return n;
}

static void parse_with(ippc_session_t *s, const ippc_frame_t *frames, size_t n)
{
    ippc_error_t *err = NULL;
    ippc_msg_t *m = ippc_session_parse(s, frames, n, &err);
    /* exactly one of the two comes back */
    if ((m == NULL) == (err == NULL))
        abort();
    if (m) {
        /* touch what callers read */
        (void)ippc_msg_type(m);
        (void)ippc_msg_id(m);
        (void)ippc_msg_parent_id(m);
        for (size_t i = 0; i < m->nbuffers; i++)
            if (ippc_blob_size(m->buffers[i]) && !ippc_blob_data(m->buffers[i]))
                abort();
    } else if (!ippc_error_message(err)[0]) {
        abort();
    }
    ippc_msg_destroy(&m);
    ippc_error_destroy(&err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static ippc_session_t *keyed, *unsigned_;
    if (!keyed) {
        keyed = ippc_session_new(FUZZ_KEY, "fuzz", "fuzz", NULL);
        unsigned_ = ippc_session_new("", "fuzz", "fuzz", NULL);
        if (!keyed || !unsigned_)
            abort();
    }
    /* every frame costs at least its 4-byte length: no more than size/4 + 1 of them */
    size_t max = size / 4 + 1;
    ippc_frame_t *frames = malloc(max * sizeof(*frames));
    if (!frames)
        return 0;
    size_t n = split(data, size, frames, max);
    parse_with(keyed, frames, n);
    parse_with(unsigned_, frames, n);
    free(frames);
    return 0;
}
