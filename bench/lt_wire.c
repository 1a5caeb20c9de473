/* lt_wire.c - messages for the load tool (see lt.h).
 *
 * Headers are written with snprintf rather than jansson and frames go out straight
 * from stack buffers: the tool has to stay cheap next to the controller it measures,
 * and on two vCPUs every microsecond it spends is taken from the controller. */
#include "config.h"

#include "lt.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HEADER_MAX 512

void lt_frames_free(lt_frames_t *fr)
{
    for (size_t i = 0; i < fr->n; i++)
        zmq_msg_close(&fr->f[i]);
    free(fr->f);
    memset(fr, 0, sizeof(*fr));
}

int lt_recv(void *sock, lt_frames_t *fr, int flags)
{
    for (size_t i = 0; i < fr->n; i++)
        zmq_msg_close(&fr->f[i]);
    fr->n = 0;
    for (;;) {
        if (fr->n == fr->cap) {
            size_t cap = fr->cap ? 2 * fr->cap : 16;
            zmq_msg_t *f = realloc(fr->f, cap * sizeof(*f));
            if (!f) {
                errno = ENOMEM;
                return -1;
            }
            fr->f = f;
            fr->cap = cap;
        }
        zmq_msg_t *m = &fr->f[fr->n];
        zmq_msg_init(m);
        /* only the first frame may be missing: the rest of a message arrives with it */
        if (zmq_msg_recv(m, sock, fr->n ? 0 : flags) < 0) {
            int e = errno;
            zmq_msg_close(m);
            errno = e;
            return -1;
        }
        fr->n++;
        if (!zmq_msg_more(m))
            return (int)fr->n;
    }
}

long lt_delim(const lt_frames_t *fr)
{
    for (size_t i = 0; i < fr->n; i++)
        if (lt_fsize(fr, i) == IPPC_DELIM_LEN && memcmp(lt_fdata(fr, i), IPPC_DELIM, IPPC_DELIM_LEN) == 0)
            return i + 6 <= fr->n ? (long)i : -1;
    return -1;
}

bool lt_verify(const ippc_session_t *signer, const lt_frames_t *fr, long d)
{
    ippc_iovec_t parts[4];
    for (int k = 0; k < 4; k++)
        parts[k] = (ippc_iovec_t){lt_fdata(fr, (size_t)d + 2 + k), lt_fsize(fr, (size_t)d + 2 + k)};
    char sig[2 * IPPC_HMAC_LEN + 1];
    if (ippc_session_sign(signer, parts, sig) != 0)
        return false;
    size_t len = strlen(sig);
    return lt_fsize(fr, (size_t)d + 1) == len && ippc_memeq_ct(sig, lt_fdata(fr, (size_t)d + 1), len);
}

json_t *lt_part_json(const lt_frames_t *fr, long d, int k)
{
    size_t i = (size_t)d + 2 + (size_t)k;
    json_t *j = json_loadb(lt_fdata(fr, i), lt_fsize(fr, i), 0, NULL);
    if (j && !json_is_object(j)) {
        json_decref(j);
        return NULL;
    }
    return j;
}

int lt_send(lt_writer_t *w, void *sock, const lt_bytes_t *idents, size_t nidents, const char *msg_type,
            lt_bytes_t parent, const char *metadata, const char *content, int flags, unsigned long *msgno)
{
    char date[32], header[HEADER_MAX];
    ippc_wire_isodate(NULL, date);
    unsigned long n = ++w->counter;
    int hlen = snprintf(header, sizeof(header),
                        "{\"msg_id\":\"%s_%lu\",\"msg_type\":\"%s\",\"username\":\"%s\",\"session\":\"%s\","
                        "\"date\":\"%s\",\"version\":\"" IPPC_PROTOCOL_VERSION "\"}",
                        w->session, n, msg_type, w->username, w->session, date);
    if (hlen < 0 || (size_t)hlen >= sizeof(header)) {
        errno = EMSGSIZE;
        return -1;
    }
    if (!parent.data)
        parent = (lt_bytes_t){"{}", 2};
    ippc_iovec_t parts[4] = {
        {header, (size_t)hlen}, {parent.data, parent.len}, {metadata, strlen(metadata)}, {content, strlen(content)}};
    char sig[2 * IPPC_HMAC_LEN + 1];
    if (ippc_session_sign(w->signer, parts, sig) != 0) {
        errno = EINVAL;
        return -1;
    }
    /* The first frame decides: once it is queued, zmq takes the rest of the message. */
    int more = ZMQ_SNDMORE;
    int first = flags;
    for (size_t i = 0; i < nidents; i++, first = 0)
        if (zmq_send(sock, idents[i].data, idents[i].len, first | more) < 0)
            return -1;
    if (zmq_send(sock, IPPC_DELIM, IPPC_DELIM_LEN, first | more) < 0 ||
        zmq_send(sock, sig, strlen(sig), more) < 0)
        return -1;
    for (int k = 0; k < 4; k++)
        if (zmq_send(sock, parts[k].data, parts[k].len, k < 3 ? more : 0) < 0)
            return -1;
    if (msgno)
        *msgno = n;
    return 0;
}

bool lt_msgno(const void *header, size_t len, const char *session, unsigned long *n)
{
    static const char lead[] = "{\"msg_id\":\"";
    size_t llen = sizeof(lead) - 1, slen = strlen(session);
    const char *h = header;
    if (len < llen + slen + 2 || memcmp(h, lead, llen) != 0 || memcmp(h + llen, session, slen) != 0 ||
        h[llen + slen] != '_')
        return false;
    unsigned long v = 0;
    size_t i = llen + slen + 1;
    if (i >= len || h[i] < '0' || h[i] > '9')
        return false;
    for (; i < len && h[i] >= '0' && h[i] <= '9'; i++)
        v = v * 10 + (unsigned long)(h[i] - '0');
    if (i >= len || h[i] != '"')
        return false;
    *n = v;
    return true;
}
