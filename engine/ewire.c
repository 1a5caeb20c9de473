/* ewire.c - see ewire.h. */
#include "config.h"

#include "ewire.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "engine.h"
#include "error_int.h"
#include "wire_int.h"

static char *g_id_prefix;   /* "<session>_<pid>_" */
static char *g_header_tail; /* ","username":"...","session":"...","date":" */
static atomic_uint_fast64_t g_counter;

int ewire_init(const char *session_id, const char *username, ippc_error_t **err)
{
    strbuf_t sb;
    strbuf_init(&sb);
    strbuf_puts(&sb, "\",\"username\":");
    ewire_put_json_string(&sb, username, strlen(username));
    strbuf_puts(&sb, ",\"session\":");
    ewire_put_json_string(&sb, session_id, strlen(session_id));
    strbuf_puts(&sb, ",\"date\":\"");
    g_header_tail = strbuf_release(&sb);
    g_id_prefix = ippc_strdup_printf("%s_%ld_", session_id, (long)getpid());
    if (!g_header_tail || !g_id_prefix) {
        ewire_fini();
        return ippc_error_set(err, IPPC_E_NOMEM, "out of memory");
    }
    return 0;
}

void ewire_fini(void)
{
    free(g_id_prefix);
    free(g_header_tail);
    g_id_prefix = g_header_tail = NULL;
}

void ewire_next_id(char out[96])
{
    uint_fast64_t n = atomic_fetch_add(&g_counter, 1);
    char digits[24];
    size_t d = sizeof digits;
    do
        digits[--d] = (char)('0' + n % 10);
    while (n /= 10);
    size_t plen = g_id_prefix ? strlen(g_id_prefix) : 0;
    if (plen > 96 - 1 - (sizeof digits - d))
        plen = 0; /* cannot happen: a uuid and a pid */
    if (plen)
        memcpy(out, g_id_prefix, plen);
    memcpy(out + plen, digits + d, sizeof digits - d);
    out[plen + sizeof digits - d] = 0;
}

/* Two digits at p. */
static void put2(char *p, unsigned v)
{
    p[0] = (char)('0' + v / 10 % 10);
    p[1] = (char)('0' + v % 10);
}

void ewire_isodate(char out[32])
{
    /* "YYYY-MM-DDTHH:MM:SS" of the last second seen, per thread: strftime is a large
     * part of a header's cost, and a request makes several within the same second. */
    static __thread time_t cached_sec = -1;
    static __thread char cached[32];
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    if (ts.tv_sec != cached_sec) {
        ippc_wire_isodate(&ts, cached);
        cached_sec = ts.tv_sec;
    }
    memcpy(out, cached, 19);
    unsigned us = (unsigned)(ts.tv_nsec / 1000);
    out[19] = '.';
    put2(out + 20, us / 10000);
    put2(out + 22, us / 100 % 100);
    put2(out + 24, us % 100);
    out[26] = 'Z';
    out[27] = 0;
}

void ewire_put_json_string(strbuf_t *sb, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    strbuf_putc(sb, '"');
    size_t run = 0; /* bytes copied as they are, written in one go */
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\') {
            run++;
            continue;
        }
        strbuf_putn(sb, s + i - run, run);
        run = 0;
        char esc[7] = {'\\', 0};
        if (c == '"' || c == '\\') {
            esc[1] = (char)c;
            strbuf_putn(sb, esc, 2);
        } else if (c == '\n' || c == '\t' || c == '\r') {
            esc[1] = c == '\n' ? 'n' : c == '\t' ? 't' : 'r';
            strbuf_putn(sb, esc, 2);
        } else {
            memcpy(esc + 1, "u00", 3);
            esc[4] = hex[c >> 4];
            esc[5] = hex[c & 15];
            strbuf_putn(sb, esc, 6);
        }
    }
    strbuf_putn(sb, s + n - run, run);
    strbuf_putc(sb, '"');
}

static int send_frame(void *socket, const void *data, size_t len, int flags)
{
    return zmq_send(socket, len ? data : "", len, flags) < 0 ? -1 : 0;
}

/* Append n bytes at *p. */
static void put(char **p, const void *s, size_t n)
{
    memcpy(*p, s, n);
    *p += n;
}

/* The header of a message of type msg_type as JSON text, malloc'd, or into small when
 * it fits (memcpy of the parts: snprintf was a large part of a message's cost). */
static char *make_header(const char *msg_type, char *small, size_t cap, size_t *len)
{
    static const char head[] = "{\"msg_id\":\"", type_key[] = "\",\"msg_type\":",
                      tail[] = "\",\"version\":\"" IPPC_PROTOCOL_VERSION "\"}";
    char id[96], date[32];
    ewire_next_id(id);
    ewire_isodate(date);
    strbuf_t type;
    char *quoted = NULL;
    size_t tlen = strlen(msg_type);
    bool plain = true; /* our types need no escapes; a request's odd type might */
    for (size_t i = 0; i < tlen && plain; i++)
        plain = (unsigned char)msg_type[i] >= 0x20 && msg_type[i] != '"' && msg_type[i] != '\\';
    if (!plain) {
        strbuf_init(&type);
        ewire_put_json_string(&type, msg_type, tlen);
        tlen = type.len;
        if (!(quoted = strbuf_release(&type)))
            return NULL;
    }
    size_t idlen = strlen(id), taillen = strlen(g_header_tail), datelen = strlen(date);
    size_t n = sizeof head - 1 + idlen + sizeof type_key - 1 + 1 + tlen + taillen + datelen + sizeof tail - 1; /* >= */
    char *h = n < cap ? small : malloc(n + 1), *p = h;
    if (h) {
        put(&p, head, sizeof head - 1);
        put(&p, id, idlen);
        put(&p, type_key, sizeof type_key - 1);
        if (plain)
            *p++ = '"';
        put(&p, plain ? msg_type : quoted, tlen);
        /* g_header_tail starts with the closing quote of msg_type */
        put(&p, g_header_tail + (plain ? 0 : 1), taillen - (plain ? 0 : 1));
        put(&p, date, datelen);
        put(&p, tail, sizeof tail - 1);
        *p = 0;
        *len = (size_t)(p - h);
    }
    free(quoted);
    return h;
}

int ewire_send(void *socket, const ippc_frame_t *idents, size_t nidents, const char *msg_type,
               ippc_frame_t parent, ippc_frame_t metadata, ippc_frame_t content, const ippc_bloblist_t *bufs,
               ippc_error_t **err)
{
    char small[512];
    size_t n = 0;
    char *header = make_header(msg_type, small, sizeof small, &n);
    if (!header)
        return ippc_error_set(err, IPPC_E_NOMEM, "out of memory making a header");
    ippc_iovec_t parts[4] = {{header, (size_t)n}, {parent.data, parent.len}, {metadata.data, metadata.len},
                             {content.data, content.len}};
    char sig[2 * IPPC_HMAC_LEN + 1];
    int rc = -1;
    if (ippc_session_sign(g_engine.session, parts, sig) != 0) {
        ippc_error_set(err, IPPC_E_SYSTEM, "HMAC-SHA256 failed");
        goto out;
    }
    /* Like ippc_session_send: the frames before the buffers are copied by zmq_send,
     * the buffers go without a copy; a failure on the first frame sends nothing. */
    size_t nbufs = bufs ? bufs->n : 0, i = 0, total = nidents + 6 + nbufs;
#define FLAGS (ZMQ_DONTWAIT | (i + 1 < total ? ZMQ_SNDMORE : 0))
    for (; i < nidents; i++)
        if (send_frame(socket, idents[i].data, idents[i].len, FLAGS) < 0)
            goto zfail;
    if (send_frame(socket, IPPC_DELIM, IPPC_DELIM_LEN, FLAGS) < 0)
        goto zfail;
    i++;
    if (send_frame(socket, sig, strlen(sig), FLAGS) < 0)
        goto zfail;
    for (int k = 0; k < 4; k++)
        if (++i, send_frame(socket, parts[k].data, parts[k].len, FLAGS) < 0)
            goto zfail;
    for (size_t k = 0; k < nbufs; k++)
        if (++i, ippc_wire_send_blob(socket, bufs->items[k], FLAGS) < 0)
            goto zfail;
#undef FLAGS
    rc = 0;
    goto out;
zfail:
    ippc_wire_zmq_failure(err, "sending", i);
out:
    if (header != small)
        free(header);
    return rc;
}
