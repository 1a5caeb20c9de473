/* wire.c - Jupyter 5.3 messages over ZeroMQ (see wire.h).
 *
 * Sending: serialize the four dicts as compact JSON, sign them, then send identities,
 * delimiter, signature and parts by copy and the buffers without copying.
 * Receiving (wire_recv.c takes the frames): check the envelope from the outside in
 * (delimiter, frame count, signature, replay, JSON, header) so that a forged message
 * costs no JSON parsing and a replayed one is never handed out. */
#include "config.h"

#include "wire.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <pwd.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crypto.h"
#include "error_int.h"
#include "sigcheck.h"
#include "wire_int.h"

#define NPARTS 4
static const char *const part_names[NPARTS] = {"header", "parent_header", "metadata", "content"};

struct ippc_session {
    unsigned char *key;
    size_t keylen;
    ippc_sigcheck_t *mac; /* the key's pads hashed once (NULL for an unsigned session) */
    char *id;
    char *username;
    atomic_uint_fast64_t counter; /* the number in the next msg_id */
    ippc_replay_t *replay;        /* made on the first signed message received */
    bool replay_check;
};

/* ------------------------------------------------------------------ messages */

/* Grow a counted array before appending item n. Capacity is implied by the count
 * (the next power of two), so appending n items costs O(n) copies in all. */
static int grow_for(void **arr, size_t n, size_t elem)
{
    if (n & (n - 1))
        return 0; /* n is not a power of two: there is room */
    size_t cap = n ? 2 * n : 1;
    if (cap > SIZE_MAX / elem)
        return -1;
    void *p = realloc(*arr, cap * elem);
    if (!p)
        return -1;
    *arr = p;
    return 0;
}

static ippc_msg_t *msg_alloc(void) { return calloc(1, sizeof(ippc_msg_t)); }

ippc_msg_t *ippc_msg_new(void)
{
    ippc_msg_t *m = msg_alloc();
    if (!m)
        return NULL;
    m->header = json_object();
    m->parent_header = json_object();
    m->metadata = json_object();
    m->content = json_object();
    if (!m->header || !m->parent_header || !m->metadata || !m->content)
        ippc_msg_destroy(&m);
    return m;
}

void ippc_msg_destroy(ippc_msg_t **mp)
{
    if (!mp || !*mp)
        return;
    ippc_msg_t *m = *mp;
    for (size_t i = 0; i < m->nidents; i++)
        free(m->idents[i].data);
    free(m->idents);
    for (size_t i = 0; i < m->nbuffers; i++)
        ippc_blob_destroy(&m->buffers[i]);
    free(m->buffers);
    json_decref(m->header);
    json_decref(m->parent_header);
    json_decref(m->metadata);
    json_decref(m->content);
    free(m);
    *mp = NULL;
}

int ippc_msg_add_ident(ippc_msg_t *m, const void *data, size_t len)
{
    if (!m || (!data && len))
        return -1;
    if (grow_for((void **)&m->idents, m->nidents, sizeof(*m->idents)) != 0)
        return -1;
    unsigned char *copy = malloc(len ? len : 1);
    if (!copy)
        return -1;
    if (len)
        memcpy(copy, data, len);
    m->idents[m->nidents++] = (ippc_ident_t){copy, len};
    return 0;
}

/* Append b, taking over the caller's reference (also on failure). */
static int msg_push_buffer(ippc_msg_t *m, ippc_blob_t *b)
{
    if (!b || grow_for((void **)&m->buffers, m->nbuffers, sizeof(*m->buffers)) != 0) {
        ippc_blob_destroy(&b);
        return -1;
    }
    m->buffers[m->nbuffers++] = b;
    return 0;
}

int ippc_msg_add_buffer(ippc_msg_t *m, ippc_blob_t *b)
{
    if (!m || !b)
        return -1;
    return msg_push_buffer(m, ippc_blob_ref(b));
}

static const char *str_member(const json_t *obj, const char *key)
{
    const json_t *v = json_object_get(obj, key);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

const char *ippc_msg_type(const ippc_msg_t *m) { return m ? str_member(m->header, "msg_type") : NULL; }
const char *ippc_msg_id(const ippc_msg_t *m) { return m ? str_member(m->header, "msg_id") : NULL; }
const char *ippc_msg_parent_id(const ippc_msg_t *m)
{
    return m ? str_member(m->parent_header, "msg_id") : NULL;
}

/* ------------------------------------------------------------------ sessions */

/* Like jupyter_client: $USER, else the account name, else "username". */
static char *default_username(void)
{
    const char *user = getenv("USER");
    if (user && *user)
        return strdup(user);
    struct passwd pw, *res = NULL;
    char buf[1024];
    if (getpwuid_r(geteuid(), &pw, buf, sizeof buf, &res) == 0 && res && res->pw_name)
        return strdup(res->pw_name);
    return strdup("username");
}

static char *new_session_id(void)
{
    char uuid[IPPC_UUID_LEN + 1];
    return ippc_uuid4(uuid) == 0 ? strdup(uuid) : NULL;
}

ippc_session_t *ippc_session_new(const char *key, const char *session_id, const char *username,
                                 ippc_error_t **err)
{
    ippc_session_t *s = calloc(1, sizeof(*s));
    if (!s) {
        ippc_error_set(err, IPPC_E_NOMEM, "out of memory");
        return NULL;
    }
    s->keylen = key ? strlen(key) : 0;
    s->key = malloc(s->keylen ? s->keylen : 1);
    if (s->key && s->keylen)
        memcpy(s->key, key, s->keylen);
    s->id = session_id ? strdup(session_id) : new_session_id();
    s->username = username ? strdup(username) : default_username();
    atomic_init(&s->counter, 0);
    s->replay_check = true;
    if (s->key && s->keylen)
        s->mac = ippc_sigcheck_new(s->key, s->keylen);
    if (!s->key || !s->id || !s->username || (s->keylen && !s->mac)) {
        ippc_session_destroy(&s);
        ippc_error_set(err, IPPC_E_NOMEM, "out of memory making a session");
        return NULL;
    }
    return s;
}

void ippc_session_destroy(ippc_session_t **sp)
{
    if (!sp || !*sp)
        return;
    ippc_session_t *s = *sp;
    if (s->key)
        explicit_bzero(s->key, s->keylen); /* do not leave the key in freed memory */
    free(s->key);
    ippc_sigcheck_destroy(&s->mac);
    free(s->id);
    free(s->username);
    ippc_replay_destroy(&s->replay);
    free(s);
    *sp = NULL;
}

const char *ippc_session_id(const ippc_session_t *s) { return s ? s->id : NULL; }

void ippc_session_set_replay_check(ippc_session_t *s, bool on)
{
    if (s)
        s->replay_check = on;
}

void ippc_wire_isodate(const struct timespec *ts, char out[32])
{
    /* Every message's header has a date: the seconds part is formatted once a second
     * (per thread), the microseconds by hand. */
    static _Thread_local struct {
        bool valid;
        time_t sec;
        char text[20];
    } last;
    struct timespec now;
    if (!ts) {
        clock_gettime(CLOCK_REALTIME, &now);
        ts = &now;
    }
    if (!last.valid || last.sec != ts->tv_sec) {
        struct tm tm;
        size_t n = 0;
        if (gmtime_r(&ts->tv_sec, &tm))
            n = strftime(last.text, sizeof last.text, "%Y-%m-%dT%H:%M:%S", &tm);
        if (n != 19) /* years outside 1000..9999 do not fit the format */
            memcpy(last.text, "9999-12-31T23:59:59", 20);
        last.sec = ts->tv_sec;
        last.valid = true;
    }
    long usec = (ts->tv_nsec >= 0 && ts->tv_nsec < 1000000000L) ? ts->tv_nsec / 1000 : 0;
    memcpy(out, last.text, 19);
    out[19] = '.';
    for (int i = 25; i >= 20; i--, usec /= 10)
        out[i] = (char)('0' + usec % 10);
    out[26] = 'Z';
    out[27] = '\0';
}

/* getpid() is a system call and every msg_id holds the pid: it is read once, and again
 * in the child after a fork. */
static atomic_long cached_pid;
static pthread_once_t pid_once = PTHREAD_ONCE_INIT;
static void pid_refresh(void) { atomic_store(&cached_pid, (long)getpid()); }
static void pid_init(void)
{
    pid_refresh();
    pthread_atfork(NULL, NULL, pid_refresh);
}
static long current_pid(void)
{
    pthread_once(&pid_once, pid_init);
    return atomic_load(&cached_pid);
}

/* {msg_id, msg_type, username, session, date, version} in jupyter_client's key order. */
static json_t *make_header(ippc_session_t *s, const char *msg_type, ippc_error_t **err)
{
    uint_fast64_t n = atomic_fetch_add(&s->counter, 1);
    char buf[256], *msg_id = buf;
    int len = snprintf(buf, sizeof buf, "%s_%ld_%" PRIuFAST64, s->id, current_pid(), n);
    if (len < 0 || (size_t)len >= sizeof buf) /* a long session id */
        msg_id = ippc_strdup_printf("%s_%ld_%" PRIuFAST64, s->id, current_pid(), n);
    if (!msg_id) {
        ippc_error_set(err, IPPC_E_NOMEM, "out of memory");
        return NULL;
    }
    char date[32];
    ippc_wire_isodate(NULL, date);
    json_error_t je;
    json_t *h = json_pack_ex(&je, 0, "{s:s, s:s, s:s, s:s, s:s, s:s}", "msg_id", msg_id, "msg_type",
                             msg_type, "username", s->username, "session", s->id, "date", date,
                             "version", IPPC_PROTOCOL_VERSION);
    if (msg_id != buf)
        free(msg_id);
    if (!h)
        ippc_error_set(err, IPPC_E_INVALID, "cannot make a header: %s", je.text);
    return h;
}

/* content/metadata as given (stolen) or {} when NULL; anything but an object is refused. */
static json_t *object_or_empty(json_t *v, const char *what, ippc_error_t **err)
{
    if (!v && !(v = json_object())) {
        ippc_error_set(err, IPPC_E_NOMEM, "out of memory");
        return NULL;
    }
    if (!json_is_object(v)) {
        json_decref(v);
        ippc_error_set(err, IPPC_E_INVALID, "%s must be a JSON object", what);
        return NULL;
    }
    return v;
}

ippc_msg_t *ippc_session_msg(ippc_session_t *s, const char *msg_type, json_t *content,
                             json_t *parent, json_t *metadata, ippc_error_t **err)
{
    content = object_or_empty(content, "content", err);
    metadata = object_or_empty(metadata, "metadata", err);
    json_t *parent_copy = parent ? json_incref(parent) : json_object();
    ippc_msg_t *m = NULL;
    if (!content || !metadata || !parent_copy)
        goto fail;
    if (!s || !msg_type) {
        ippc_error_set(err, IPPC_E_INVALID, "a message needs a session and a msg_type");
        goto fail;
    }
    if (!json_is_object(parent_copy)) {
        ippc_error_set(err, IPPC_E_INVALID, "the parent header must be a JSON object");
        goto fail;
    }
    json_t *header = make_header(s, msg_type, err);
    if (!header || !(m = msg_alloc())) {
        json_decref(header);
        goto fail;
    }
    *m = (ippc_msg_t){.header = header, .parent_header = parent_copy, .metadata = metadata,
                      .content = content};
    return m;
fail:
    ippc_error_set(err, IPPC_E_NOMEM, "out of memory");
    json_decref(content);
    json_decref(metadata);
    json_decref(parent_copy);
    return NULL;
}

/* ------------------------------------------------------------ serialization */

int ippc_session_sign(const ippc_session_t *s, const ippc_iovec_t parts[4],
                      char out[2 * IPPC_HMAC_LEN + 1])
{
    out[0] = '\0';
    if (!s->keylen)
        return 0;
    unsigned char mac[IPPC_HMAC_LEN];
    if (ippc_sigcheck_mac(s->mac, parts, NPARTS, mac) != 0)
        return -1;
    ippc_hex(mac, sizeof mac, out);
    return 0;
}

void ippc_wire_out_free(ippc_wire_out_t *out)
{
    if (!out)
        return;
    for (int i = 0; i < NPARTS; i++)
        free(out->parts[i]);
    free(out->frames);
    memset(out, 0, sizeof(*out));
}

static int serialize_parts(const ippc_msg_t *m, ippc_wire_out_t *out, ippc_error_t **err)
{
    const json_t *parts[NPARTS] = {m->header, m->parent_header, m->metadata, m->content};
    for (int i = 0; i < NPARTS; i++) {
        if (!json_is_object(parts[i]))
            return ippc_error_set(err, IPPC_E_INVALID, "message %s is not a JSON object", part_names[i]);
        out->parts[i] = ippc_wire_dump(parts[i], &out->lens[i]);
        if (!out->parts[i])
            return ippc_error_set(err, IPPC_E_NOMEM, "cannot serialize message %s", part_names[i]);
    }
    return 0;
}

/* The frames before the buffers into f: identities, delimiter, signature, the parts.
 * Returns their number. */
static size_t plain_frames(const ippc_msg_t *m, const char *sig, const ippc_frame_t parts[NPARTS], ippc_frame_t *f)
{
    size_t n = 0;
    for (size_t i = 0; i < m->nidents; i++)
        f[n++] = (ippc_frame_t){m->idents[i].data, m->idents[i].len};
    f[n++] = (ippc_frame_t){IPPC_DELIM, IPPC_DELIM_LEN};
    f[n++] = (ippc_frame_t){sig, strlen(sig)};
    for (int i = 0; i < NPARTS; i++)
        f[n++] = parts[i];
    return n;
}

int ippc_session_serialize(const ippc_session_t *s, const ippc_msg_t *m, ippc_wire_out_t *out,
                           ippc_error_t **err)
{
    memset(out, 0, sizeof(*out));
    if (!s || !m)
        return ippc_error_set(err, IPPC_E_INVALID, "serialize needs a session and a message");
    if (serialize_parts(m, out, err) != 0)
        return -1;
    ippc_iovec_t iov[NPARTS];
    for (int i = 0; i < NPARTS; i++)
        iov[i] = (ippc_iovec_t){out->parts[i], out->lens[i]};
    if (ippc_session_sign(s, iov, out->sig) != 0)
        return ippc_error_set(err, IPPC_E_SYSTEM, "HMAC-SHA256 failed");
    size_t n = m->nidents + 2 + NPARTS + m->nbuffers;
    out->frames = malloc(n * sizeof(*out->frames));
    if (!out->frames)
        return ippc_error_set(err, IPPC_E_NOMEM, "out of memory");
    ippc_frame_t parts[NPARTS];
    for (int i = 0; i < NPARTS; i++)
        parts[i] = (ippc_frame_t){out->parts[i], out->lens[i]};
    ippc_frame_t *f = out->frames + plain_frames(m, out->sig, parts, out->frames);
    for (size_t i = 0; i < m->nbuffers; i++)
        *f++ = (ippc_frame_t){ippc_blob_data(m->buffers[i]), ippc_blob_size(m->buffers[i])};
    out->nframes = n;
    return 0;
}

/* ------------------------------------------------------------------- sending */

int ippc_wire_zmq_failure(ippc_error_t **err, const char *doing, size_t frame)
{
    int e = zmq_errno();
    if (e == EAGAIN)
        return ippc_error_set(err, IPPC_E_TIMEOUT, "%s frame %zu: would block", doing, frame);
    return ippc_error_set(err, IPPC_E_IO, "%s frame %zu: %s", doing, frame, zmq_strerror(e));
}

int ippc_wire_send_blob(void *socket, ippc_blob_t *b, int flags)
{
    zmq_msg_t msg;
    if (ippc_blob_to_zmq(b, &msg) != 0)
        return -1;
    if (zmq_msg_send(&msg, socket, flags) < 0) {
        int e = zmq_errno();
        zmq_msg_close(&msg); /* still ours after a failed send: drops the blob reference */
        errno = e;
        return -1;
    }
    return 0;
}

/* Send the plain frames (copied by zmq_send: small, or JSON we made) and then m's buffers
 * (without a copy). libzmq queues the parts and delivers them only once the last one is
 * in, so a failure on the first frame (the usual EAGAIN or EHOSTUNREACH) sends nothing;
 * later frames are accepted once the first was. */
static int send_frames(void *socket, const ippc_msg_t *m, const ippc_frame_t *plain, size_t nplain, int flags,
                       ippc_error_t **err)
{
    size_t n = nplain + m->nbuffers;
    for (size_t i = 0; i < n; i++) {
        int f = flags | (i + 1 < n ? ZMQ_SNDMORE : 0);
        int rc;
        if (i < nplain)
            rc = zmq_send(socket, plain[i].len ? plain[i].data : "", plain[i].len, f) < 0 ? -1 : 0;
        else
            rc = ippc_wire_send_blob(socket, m->buffers[i - nplain], f);
        if (rc != 0)
            return ippc_wire_zmq_failure(err, "sending", i);
    }
    return 0;
}

/* The usual message, whose parts the fast JSON writer takes and which fit in text: sent
 * from the stack, without an allocation. Returns 1 when sent, 0 to take the general way,
 * -1 on a failure. */
static int send_small(ippc_session_t *s, void *socket, const ippc_msg_t *m, int flags, ippc_error_t **err)
{
    char text[8192], sig[2 * IPPC_HMAC_LEN + 1];
    ippc_frame_t parts[NPARTS], plain[IPPC_WIRE_MAX_IDENTS + 2 + NPARTS];
    const json_t *objs[NPARTS] = {m->header, m->parent_header, m->metadata, m->content};
    size_t used = 0;
    if (m->nidents > IPPC_WIRE_MAX_IDENTS)
        return 0;
    for (int i = 0; i < NPARTS; i++) {
        size_t len;
        if (ippc_wire_dump_into(objs[i], text + used, sizeof text - used, &len) != 0)
            return 0;
        parts[i] = (ippc_frame_t){text + used, len};
        used += len;
    }
    ippc_iovec_t iov[NPARTS];
    for (int i = 0; i < NPARTS; i++)
        iov[i] = (ippc_iovec_t){parts[i].data, parts[i].len};
    if (ippc_session_sign(s, iov, sig) != 0)
        return ippc_error_set(err, IPPC_E_SYSTEM, "HMAC-SHA256 failed");
    if (send_frames(socket, m, plain, plain_frames(m, sig, parts, plain), flags, err) != 0)
        return -1;
    return 1;
}

int ippc_session_send(ippc_session_t *s, void *socket, const ippc_msg_t *m, int flags,
                      ippc_error_t **err)
{
    int rc = s && m ? send_small(s, socket, m, flags, err) : 0;
    if (rc != 0)
        return rc > 0 ? 0 : -1;
    ippc_wire_out_t out;
    if (ippc_session_serialize(s, m, &out, err) == 0)
        rc = send_frames(socket, m, out.frames, out.nframes - m->nbuffers, flags, err);
    else
        rc = -1;
    ippc_wire_out_free(&out);
    return rc;
}

/* ------------------------------------------------------------------- parsing */

long ippc_wire_find_delim(const ippc_frame_t *frames, size_t nframes)
{
    for (size_t i = 0; i < nframes; i++)
        if (frames[i].len == IPPC_DELIM_LEN && memcmp(frames[i].data, IPPC_DELIM, IPPC_DELIM_LEN) == 0)
            return (long)i;
    return -1;
}

/* Lazily made: sessions that never receive a signed message need no history. */
static ippc_replay_t *session_replay(ippc_session_t *s)
{
    if (!s->replay)
        s->replay = ippc_replay_new(IPPC_REPLAY_DEFAULT_CAPACITY);
    return s->replay;
}

/* Check the signature of the four parts, then (only for a genuine message, so that
 * forgeries cannot fill the history) that it was not seen before. */
int ippc_session_verify(ippc_session_t *s, const ippc_frame_t *sig, const ippc_frame_t *parts,
                        ippc_error_t **err)
{
    if (!s->keylen)
        return 0; /* unsigned session: jupyter_client ignores the signature frame too */
    if (sig->len == 0)
        return ippc_error_set(err, IPPC_E_SIGNATURE, "message is not signed");
    unsigned char got[IPPC_HMAC_LEN], want[IPPC_HMAC_LEN];
    if (ippc_unhex(sig->data, sig->len, got, sizeof got) != 0)
        return ippc_error_set(err, IPPC_E_SIGNATURE, "signature is not %d hex digits",
                              2 * IPPC_HMAC_LEN);
    ippc_iovec_t iov[NPARTS];
    for (int i = 0; i < NPARTS; i++)
        iov[i] = (ippc_iovec_t){parts[i].data, parts[i].len};
    if (ippc_sigcheck_mac(s->mac, iov, NPARTS, want) != 0)
        return ippc_error_set(err, IPPC_E_SYSTEM, "HMAC-SHA256 failed");
    if (!ippc_memeq_ct(got, want, sizeof got))
        return ippc_error_set(err, IPPC_E_SIGNATURE, "signature mismatch");
    if (!s->replay_check)
        return 0;
    if (!session_replay(s))
        return ippc_error_set(err, IPPC_E_NOMEM, "out of memory for the replay history");
    if (!ippc_replay_check_and_add(s->replay, got))
        return ippc_error_set(err, IPPC_E_REPLAY, "signature seen before: a replayed message");
    return 0;
}

/* One of the four parts as a JSON object. Lengths are explicit (no NUL needed);
 * jansson refuses invalid UTF-8; \u0000 in strings is allowed as Python sends it. */
json_t *ippc_wire_load_part(const ippc_frame_t *f, const char *name, ippc_error_t **err)
{
    if (f->len == 0) {
        ippc_error_set(err, IPPC_E_PARSE, "message %s is empty", name);
        return NULL;
    }
    json_error_t je;
    json_t *v = json_loadb(f->data, f->len, JSON_DECODE_ANY | JSON_ALLOW_NUL, &je);
    if (!v) {
        ippc_error_set(err, IPPC_E_PARSE, "message %s is not valid JSON: %s (byte %d)", name, je.text,
                       je.position);
        return NULL;
    }
    if (!json_is_object(v)) {
        json_decref(v);
        ippc_error_set(err, IPPC_E_PARSE, "message %s is not a JSON object", name);
        return NULL;
    }
    return v;
}

/* The header fields a receiver relies on: present, strings, and usable as C strings. */
static int check_header(const json_t *h, ippc_error_t **err)
{
    static const char *const required[] = {"msg_id", "msg_type", "session"};
    for (size_t i = 0; i < sizeof required / sizeof required[0]; i++) {
        const json_t *v = json_object_get(h, required[i]);
        if (!v)
            return ippc_error_set(err, IPPC_E_PARSE, "header.%s missing", required[i]);
        if (!json_is_string(v))
            return ippc_error_set(err, IPPC_E_PARSE, "header.%s is not a string", required[i]);
        if (strlen(json_string_value(v)) != json_string_length(v))
            return ippc_error_set(err, IPPC_E_PARSE, "header.%s contains a NUL character", required[i]);
    }
    return 0;
}

int ippc_wire_check_frames(const ippc_frame_t *frames, size_t nframes, long *delim, ippc_error_t **err)
{
    if (nframes > IPPC_WIRE_MAX_FRAMES)
        return ippc_error_set(err, IPPC_E_PARSE, "message has %zu frames (at most %d)", nframes,
                              IPPC_WIRE_MAX_FRAMES);
    long d = ippc_wire_find_delim(frames, nframes);
    if (d < 0)
        return ippc_error_set(err, IPPC_E_PARSE, "message has no %s delimiter", IPPC_DELIM);
    if (d > IPPC_WIRE_MAX_IDENTS)
        return ippc_error_set(err, IPPC_E_PARSE, "message has %ld routing identities (at most %d)", d,
                              IPPC_WIRE_MAX_IDENTS);
    size_t after = nframes - (size_t)d - 1;
    if (after < 1 + NPARTS)
        return ippc_error_set(err, IPPC_E_PARSE,
                              "message has %zu frames after the %s delimiter (need a signature and "
                              "%d parts)",
                              after, IPPC_DELIM, NPARTS);
    *delim = d;
    return 0;
}

/* Everything but the buffers: the caller attaches frames [*first_buffer, nframes). */
static ippc_msg_t *parse_envelope(ippc_session_t *s, const ippc_frame_t *frames, size_t nframes,
                                  bool verified, size_t *first_buffer, ippc_error_t **err)
{
    long d = -1;
    if (!s)
        return ippc_error_set(err, IPPC_E_INVALID, "parsing needs a session"), NULL;
    if (ippc_wire_check_frames(frames, nframes, &d, err) != 0)
        return NULL;
    const ippc_frame_t *parts = &frames[d + 2];
    if (!verified && ippc_session_verify(s, &frames[d + 1], parts, err) != 0)
        return NULL;
    ippc_msg_t *m = msg_alloc();
    if (!m)
        return ippc_error_set(err, IPPC_E_NOMEM, "out of memory"), NULL;
    json_t **slots[NPARTS] = {&m->header, &m->parent_header, &m->metadata, &m->content};
    for (int i = 0; i < NPARTS; i++) {
        if (!(*slots[i] = ippc_wire_load_part(&parts[i], part_names[i], err))) {
            ippc_msg_destroy(&m);
            return NULL;
        }
    }
    if (check_header(m->header, err) != 0) {
        ippc_msg_destroy(&m);
        return NULL;
    }
    for (long i = 0; i < d; i++) {
        if (ippc_msg_add_ident(m, frames[i].data, frames[i].len) != 0) {
            ippc_msg_destroy(&m);
            return ippc_error_set(err, IPPC_E_NOMEM, "out of memory"), NULL;
        }
    }
    *first_buffer = (size_t)d + 2 + NPARTS;
    return m;
}

ippc_msg_t *ippc_session_parse(ippc_session_t *s, const ippc_frame_t *frames, size_t nframes,
                               ippc_error_t **err)
{
    size_t first = nframes;
    ippc_msg_t *m = parse_envelope(s, frames, nframes, false, &first, err);
    for (size_t i = first; m && i < nframes; i++) {
        if (msg_push_buffer(m, ippc_blob_copy(frames[i].data, frames[i].len)) != 0) {
            ippc_msg_destroy(&m);
            ippc_error_set(err, IPPC_E_NOMEM, "out of memory copying buffer %zu", i - first);
        }
    }
    return m;
}

ippc_msg_t *ippc_wire_parse_zmq(ippc_session_t *s, zmq_msg_t *frames, size_t nframes, bool verified,
                               ippc_error_t **err)
{
    if (nframes > IPPC_WIRE_MAX_FRAMES)
        return ippc_error_set(err, IPPC_E_PARSE, "message has %zu frames (at most %d)", nframes,
                              IPPC_WIRE_MAX_FRAMES),
               NULL;
    /* views of the usual few frames on the stack: no allocation per message */
    ippc_frame_t few[IPPC_WIRE_INLINE_FRAMES] = {{0}};
    ippc_frame_t *views = nframes <= IPPC_WIRE_INLINE_FRAMES ? few : calloc(nframes, sizeof(*views));
    if (!views)
        return ippc_error_set(err, IPPC_E_NOMEM, "out of memory"), NULL;
    for (size_t i = 0; i < nframes; i++)
        views[i] = (ippc_frame_t){zmq_msg_data(&frames[i]), zmq_msg_size(&frames[i])};
    size_t first = nframes;
    ippc_msg_t *m = parse_envelope(s, views, nframes, verified, &first, err);
    if (views != few)
        free(views);
    for (size_t i = first; m && i < nframes; i++) {
        if (msg_push_buffer(m, ippc_blob_from_zmq(&frames[i])) != 0) {
            ippc_msg_destroy(&m);
            ippc_error_set(err, IPPC_E_NOMEM, "out of memory keeping buffer %zu", i - first);
        }
    }
    return m;
}

ippc_msg_t *ippc_session_parse_zmq(ippc_session_t *s, zmq_msg_t *frames, size_t nframes,
                                   ippc_error_t **err)
{
    return ippc_wire_parse_zmq(s, frames, nframes, false, err);
}
