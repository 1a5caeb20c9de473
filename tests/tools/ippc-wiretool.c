/* ippc-wiretool - drive libippc's wire layer from shell and Python tests.
 *
 * Frames travel in a simple stream: each frame is a 4-byte big-endian length and then
 * its bytes, up to end of file. (tests/fuzz/fuzz_envelope reads the same format, so
 * `build` output is a valid fuzz seed.)
 *
 *   ippc-wiretool build [-i IDENT]... [-p PARENT_JSON] [-m METADATA_JSON] [-s SESSION]
 *                       KEY MSGTYPE CONTENT_JSON [BUF...]
 *       Write one signed message to stdout. BUF is literal text, or @FILE for a file's bytes.
 *   ippc-wiretool verify KEY [FILE...]
 *       Parse each FILE (stdin without one) with one session, so a repeated file is a
 *       replay. Prints one JSON line per message:
 *         {"ok": true, "idents": [hex...], "header": {...}, "parent_header": {...},
 *          "metadata": {...}, "content": {...}, "buffers": [hex...]}
 *         {"ok": false, "error": "IPPC_E_SIGNATURE", "message": "signature mismatch"}
 *       Exit status 1 when any message failed.
 *   ippc-wiretool echo KEY ENDPOINT COUNT
 *       Bind a ROUTER at ENDPOINT and print "ready". For each of COUNT messages received
 *       print a line {"ok": true, "msg_id": ...} or the error line of verify, and answer a good one with an "echo_reply" whose
 *       parent is its header, with its content and its buffers (forwarded without copying).
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crypto.h"
#include "wire.h"

static void usage(void)
{
    fputs("usage: ippc-wiretool build [-i IDENT]... [-p PARENT] [-m METADATA] [-s SESSION] KEY MSGTYPE "
          "CONTENT [BUF...]\n"
          "       ippc-wiretool verify KEY [FILE...]\n"
          "       ippc-wiretool echo KEY ENDPOINT COUNT\n",
          stderr);
    exit(2);
}

static void die(const char *what, ippc_error_t *err)
{
    fprintf(stderr, "ippc-wiretool: %s: %s\n", what, ippc_error_message(err));
    exit(2);
}

/* ------------------------------------------------------------- frame stream */

static void write_frames(FILE *out, const ippc_frame_t *frames, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        uint32_t len = (uint32_t)frames[i].len;
        unsigned char be[4] = {len >> 24, len >> 16, len >> 8, len};
        if (fwrite(be, 1, 4, out) != 4 || fwrite(frames[i].data, 1, frames[i].len, out) != frames[i].len) {
            perror("ippc-wiretool: write");
            exit(2);
        }
    }
}

/* The whole of a stream into memory. */
static unsigned char *slurp(FILE *in, size_t *len)
{
    size_t cap = 1 << 16, n = 0;
    unsigned char *buf = malloc(cap);
    size_t got;
    while (buf && (got = fread(buf + n, 1, cap - n, in)) > 0) {
        n += got;
        if (n == cap)
            buf = realloc(buf, cap *= 2);
    }
    if (!buf || ferror(in)) {
        fputs("ippc-wiretool: cannot read input\n", stderr);
        exit(2);
    }
    *len = n;
    return buf;
}

/* Split a stream into frames pointing into buf. A truncated last frame is an error. */
static ippc_frame_t *split_frames(const unsigned char *buf, size_t len, size_t *n)
{
    ippc_frame_t *frames = NULL;
    size_t count = 0, pos = 0;
    while (pos < len) {
        if (len - pos < 4)
            return free(frames), NULL;
        size_t flen = (size_t)buf[pos] << 24 | (size_t)buf[pos + 1] << 16 | (size_t)buf[pos + 2] << 8 |
                      buf[pos + 3];
        pos += 4;
        if (flen > len - pos)
            return free(frames), NULL;
        frames = realloc(frames, (count + 1) * sizeof(*frames));
        frames[count++] = (ippc_frame_t){buf + pos, flen};
        pos += flen;
    }
    *n = count;
    return frames ? frames : calloc(1, sizeof(*frames));
}

/* --------------------------------------------------------------------- build */

static json_t *json_arg(const char *text, const char *what)
{
    json_error_t je;
    json_t *v = json_loads(text, JSON_ALLOW_NUL, &je);
    if (!v) {
        fprintf(stderr, "ippc-wiretool: %s: %s\n", what, je.text);
        exit(2);
    }
    return v;
}

static ippc_blob_t *buffer_arg(const char *arg)
{
    if (arg[0] != '@')
        return ippc_blob_copy(arg, strlen(arg));
    FILE *f = fopen(arg + 1, "rb");
    if (!f) {
        fprintf(stderr, "ippc-wiretool: %s: %s\n", arg + 1, strerror(errno));
        exit(2);
    }
    size_t len;
    unsigned char *data = slurp(f, &len);
    fclose(f);
    ippc_blob_t *b = ippc_blob_copy(data, len);
    free(data);
    return b;
}

static int cmd_build(int argc, char **argv)
{
    const char *parent = NULL, *metadata = NULL, *sid = NULL;
    const char *idents[IPPC_WIRE_MAX_IDENTS + 8];
    size_t nidents = 0;
    int opt;
    while ((opt = getopt(argc, argv, "i:p:m:s:")) != -1) {
        switch (opt) {
        case 'i':
            if (nidents == sizeof idents / sizeof idents[0])
                usage();
            idents[nidents++] = optarg;
            break;
        case 'p': parent = optarg; break;
        case 'm': metadata = optarg; break;
        case 's': sid = optarg; break;
        default: usage();
        }
    }
    if (argc - optind < 3)
        usage();
    ippc_error_t *err = NULL;
    ippc_session_t *s = ippc_session_new(argv[optind], sid, NULL, &err);
    if (!s)
        die("session", err);
    json_t *p = parent ? json_arg(parent, "parent") : NULL;
    ippc_msg_t *m = ippc_session_msg(s, argv[optind + 1], json_arg(argv[optind + 2], "content"), p,
                                     metadata ? json_arg(metadata, "metadata") : NULL, &err);
    json_decref(p);
    if (!m)
        die("message", err);
    for (size_t i = 0; i < nidents; i++)
        ippc_msg_add_ident(m, idents[i], strlen(idents[i]));
    for (int i = optind + 3; i < argc; i++) {
        ippc_blob_t *b = buffer_arg(argv[i]);
        ippc_msg_add_buffer(m, b);
        ippc_blob_destroy(&b);
    }
    ippc_wire_out_t out;
    if (ippc_session_serialize(s, m, &out, &err) != 0)
        die("serialize", err);
    write_frames(stdout, out.frames, out.nframes);
    ippc_wire_out_free(&out);
    ippc_msg_destroy(&m);
    ippc_session_destroy(&s);
    return fflush(stdout) == 0 ? 0 : 2;
}

/* -------------------------------------------------------------------- verify */

static json_t *hex_json(const void *data, size_t len)
{
    char *hex = malloc(2 * len + 1);
    ippc_hex(data, len, hex);
    json_t *v = json_string(hex);
    free(hex);
    return v;
}

/* The one-line report of a parsed message (in full, or only its msg_id when brief), or
 * of why it was refused. */
static void report(const ippc_msg_t *m, const ippc_error_t *err, bool brief)
{
    json_t *line;
    if (m && brief) {
        line = json_pack("{s:b, s:s?}", "ok", 1, "msg_id", ippc_msg_id(m));
    } else if (!m) {
        line = json_pack("{s:b, s:s, s:s}", "ok", 0, "error", ippc_errcode_name(ippc_error_code(err)),
                         "message", ippc_error_message(err));
    } else {
        json_t *ids = json_array(), *bufs = json_array();
        for (size_t i = 0; i < m->nidents; i++)
            json_array_append_new(ids, hex_json(m->idents[i].data, m->idents[i].len));
        for (size_t i = 0; i < m->nbuffers; i++)
            json_array_append_new(bufs, hex_json(ippc_blob_data(m->buffers[i]), ippc_blob_size(m->buffers[i])));
        line = json_pack("{s:b, s:o, s:O, s:O, s:O, s:O, s:o}", "ok", 1, "idents", ids, "header",
                         m->header, "parent_header", m->parent_header, "metadata", m->metadata,
                         "content", m->content, "buffers", bufs);
    }
    char *text = json_dumps(line, JSON_COMPACT);
    puts(text);
    fflush(stdout);
    free(text);
    json_decref(line);
}

static int verify_stream(ippc_session_t *s, FILE *in)
{
    size_t len, n;
    unsigned char *buf = slurp(in, &len);
    ippc_frame_t *frames = split_frames(buf, len, &n);
    ippc_error_t *err = NULL;
    ippc_msg_t *m = NULL;
    if (!frames)
        err = ippc_error_new(IPPC_E_PARSE, "truncated frame stream");
    else
        m = ippc_session_parse(s, frames, n, &err);
    report(m, err, false);
    int ok = m != NULL;
    ippc_msg_destroy(&m);
    ippc_error_destroy(&err);
    free(frames);
    free(buf);
    return ok ? 0 : 1;
}

static int cmd_verify(int argc, char **argv)
{
    if (argc < 2)
        usage();
    ippc_error_t *err = NULL;
    ippc_session_t *s = ippc_session_new(argv[1], NULL, NULL, &err);
    if (!s)
        die("session", err);
    int status = 0;
    if (argc == 2)
        status = verify_stream(s, stdin);
    for (int i = 2; i < argc; i++) {
        FILE *f = fopen(argv[i], "rb");
        if (!f) {
            fprintf(stderr, "ippc-wiretool: %s: %s\n", argv[i], strerror(errno));
            exit(2);
        }
        status |= verify_stream(s, f);
        fclose(f);
    }
    ippc_session_destroy(&s);
    return status;
}

/* ---------------------------------------------------------------------- echo */

static void echo_reply(ippc_session_t *s, void *sock, const ippc_msg_t *in, int n)
{
    ippc_error_t *err = NULL;
    ippc_msg_t *out = ippc_session_msg(s, "echo_reply", json_deep_copy(in->content), in->header,
                                       json_pack("{s:i}", "echoed", n), &err);
    if (!out)
        die("reply", err);
    for (size_t i = 0; i < in->nidents; i++)
        ippc_msg_add_ident(out, in->idents[i].data, in->idents[i].len);
    for (size_t i = 0; i < in->nbuffers; i++)
        ippc_msg_add_buffer(out, in->buffers[i]); /* the received frames go back out as they are */
    if (ippc_session_send(s, sock, out, 0, &err) != 0)
        die("send", err);
    ippc_msg_destroy(&out);
}

static int cmd_echo(int argc, char **argv)
{
    if (argc != 4)
        usage();
    ippc_error_t *err = NULL;
    ippc_session_t *s = ippc_session_new(argv[1], NULL, NULL, &err);
    if (!s)
        die("session", err);
    void *ctx = zmq_ctx_new();
    void *sock = zmq_socket(ctx, ZMQ_ROUTER);
    int linger = 1000;
    zmq_setsockopt(sock, ZMQ_LINGER, &linger, sizeof linger);
    if (zmq_bind(sock, argv[2]) != 0) {
        fprintf(stderr, "ippc-wiretool: bind %s: %s\n", argv[2], zmq_strerror(zmq_errno()));
        return 2;
    }
    puts("ready");
    fflush(stdout);
    int status = 0;
    for (int i = 0, count = atoi(argv[3]); i < count; i++) {
        ippc_msg_t *m = ippc_session_recv(s, sock, 0, &err);
        report(m, err, true);
        if (m)
            echo_reply(s, sock, m, i);
        else
            status = 1;
        ippc_msg_destroy(&m);
        ippc_error_destroy(&err);
    }
    zmq_close(sock);
    zmq_ctx_term(ctx);
    ippc_session_destroy(&s);
    return status;
}

int main(int argc, char **argv)
{
    if (argc < 2)
        usage();
    if (strcmp(argv[1], "build") == 0)
        return cmd_build(argc - 1, argv + 1);
    if (strcmp(argv[1], "verify") == 0)
        return cmd_verify(argc - 1, argv + 1);
    if (strcmp(argv[1], "echo") == 0)
        return cmd_echo(argc - 1, argv + 1);
    usage();
}
