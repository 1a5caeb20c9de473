/* outstream.c - see outstream.h.
 *
 * One lock guards both buffers and the reads from the pipes, so text leaves in the order
 * it came in whichever thread flushes. The output thread sleeps in poll() on the pipes
 * and a wake pipe, with a timeout set by the oldest unpublished text. */
#include "config.h"

#include "outstream.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "engine.h"
#include "error_int.h"
#include "iopub.h"
#include "elog.h"

#define FLUSH_INTERVAL_MS 100
#define FLUSH_SIZE (64 * 1024)

typedef struct {
    const char *name;
    char *data;
    size_t len, cap;
    double first; /* monotonic time of the oldest unpublished byte */
    int pipe_rd;  /* read end of the pipe behind fd 1 / 2, or -1 */
    int saved_fd; /* the original fd 1 / 2, restored at stop */
} outbuf_t;

static pthread_mutex_t g_mu = PTHREAD_MUTEX_INITIALIZER;
static outbuf_t g_buf[2] = {{"stdout", NULL, 0, 0, 0, -1, -1}, {"stderr", NULL, 0, 0, 0, -1, -1}};
static int g_wake[2] = {-1, -1};
static pthread_t g_thread;
static bool g_running;
static atomic_bool g_stop;

static double now_mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Length of the longest prefix of s that does not end inside a UTF-8 sequence. */
static size_t complete_utf8_prefix(const char *s, size_t n)
{
    size_t i = n, back = 0;
    while (i > 0 && back < 4) {
        unsigned char c = (unsigned char)s[i - 1];
        if ((c & 0xC0) != 0x80) {
            size_t need = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
            return back + 1 < need ? i - 1 : n;
        }
        i--;
        back++;
    }
    return n;
}

/* Valid UTF-8 copy of s: invalid bytes become U+FFFD (jansson refuses invalid text). */
static json_t *utf8_string(const char *s, size_t n)
{
    json_t *j = json_stringn(s, n);
    if (j)
        return j;
    char *out = malloc(n * 3 + 1);
    if (!out)
        return NULL;
    size_t o = 0;
    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)s[i];
        size_t len = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
        bool ok = len > 0 && i + len <= n;
        for (size_t k = 1; ok && k < len; k++)
            ok = ((unsigned char)s[i + k] & 0xC0) == 0x80;
        if (ok) {
            json_t *probe = json_stringn(s + i, len); /* rejects overlongs and surrogates */
            ok = probe != NULL;
            json_decref(probe);
        }
        if (ok) {
            memcpy(out + o, s + i, len);
            o += len;
            i += len;
        } else {
            memcpy(out + o, "\xEF\xBF\xBD", 3);
            o += 3;
            i++;
        }
    }
    j = json_stringn(out, o);
    free(out);
    return j;
}

/* Publish buffer b (lock held). final: also publish an incomplete trailing sequence. */
static void flush_locked(outbuf_t *b, bool final)
{
    if (!b->len)
        return;
    size_t n = final ? b->len : complete_utf8_prefix(b->data, b->len);
    if (!n)
        return;
    json_t *text = utf8_string(b->data, n);
    if (text)
        iopub_publish("stream", json_pack("{s:s, s:o}", "name", b->name, "text", text), NULL, NULL, NULL);
    memmove(b->data, b->data + n, b->len - n);
    b->len -= n;
    b->first = b->len ? now_mono() : 0;
}

static void append_locked(outbuf_t *b, const char *data, size_t len)
{
    if (b->len + len > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->len + len)
            cap *= 2;
        char *d = realloc(b->data, cap);
        if (!d) {
            flush_locked(b, true); /* out of memory: publish what we have, drop the rest */
            return;
        }
        b->data = d;
        b->cap = cap;
    }
    if (!b->len)
        b->first = now_mono();
    memcpy(b->data + b->len, data, len);
    b->len += len;
    if (b->len >= FLUSH_SIZE)
        flush_locked(b, false);
}

/* Read everything waiting in the pipes (lock held; read ends are non-blocking). */
static void drain_pipes_locked(void)
{
    char chunk[16384];
    for (int w = 0; w < 2; w++) {
        outbuf_t *b = &g_buf[w];
        while (b->pipe_rd >= 0) {
            ssize_t r = read(b->pipe_rd, chunk, sizeof chunk);
            if (r > 0) {
                append_locked(b, chunk, (size_t)r);
                continue;
            }
            if (r < 0 && errno == EINTR)
                continue;
            break; /* EAGAIN (empty) or EOF */
        }
    }
}

void outstream_write(int which, const char *data, size_t len)
{
    if (which < 0 || which > 1 || !len)
        return;
    pthread_mutex_lock(&g_mu);
    bool was_empty = g_buf[which].len == 0;
    append_locked(&g_buf[which], data, len);
    pthread_mutex_unlock(&g_mu);
    if (was_empty && g_wake[1] >= 0)
        engine_wake(g_wake[1], 'w'); /* start the flush timer */
}

void outstream_flush(int which)
{
    pthread_mutex_lock(&g_mu);
    for (int w = 0; w < 2; w++)
        if (which < 0 || which == w)
            flush_locked(&g_buf[w], false);
    pthread_mutex_unlock(&g_mu);
}

/* Whether a capture pipe has data: one poll instead of a read per pipe after every
 * request (which usually finds both empty). */
static bool pipes_ready(void)
{
    struct pollfd p[2];
    nfds_t n = 0;
    for (int w = 0; w < 2; w++)
        if (g_buf[w].pipe_rd >= 0)
            p[n++] = (struct pollfd){.fd = g_buf[w].pipe_rd, .events = POLLIN};
    return n && poll(p, n, 0) != 0; /* errors: read as before */
}

void outstream_sync(void)
{
    fflush(stdout);
    fflush(stderr);
    pthread_mutex_lock(&g_mu);
    if (pipes_ready())
        drain_pipes_locked();
    flush_locked(&g_buf[OUT_STDOUT], true);
    flush_locked(&g_buf[OUT_STDERR], true);
    pthread_mutex_unlock(&g_mu);
}

static void *output_thread(void *arg)
{
    (void)arg;
    while (!atomic_load(&g_stop)) {
        struct pollfd p[3];
        int n = 0;
        p[n++] = (struct pollfd){.fd = g_wake[0], .events = POLLIN};
        for (int w = 0; w < 2; w++)
            if (g_buf[w].pipe_rd >= 0)
                p[n++] = (struct pollfd){.fd = g_buf[w].pipe_rd, .events = POLLIN};
        int timeout = -1;
        pthread_mutex_lock(&g_mu);
        double t = now_mono();
        for (int w = 0; w < 2; w++)
            if (g_buf[w].len) {
                double left = g_buf[w].first + FLUSH_INTERVAL_MS / 1000.0 - t;
                int ms = left <= 0 ? 0 : (int)(left * 1000) + 1;
                if (timeout < 0 || ms < timeout)
                    timeout = ms;
            }
        pthread_mutex_unlock(&g_mu);
        int rc = poll(p, (nfds_t)n, timeout);
        if (rc < 0 && errno != EINTR) {
            log_error("output capture: poll: %s", strerror(errno));
            break;
        }
        if (rc > 0 && (p[0].revents & POLLIN)) {
            char junk[64];
            while (read(g_wake[0], junk, sizeof junk) > 0) {
            }
        }
        pthread_mutex_lock(&g_mu);
        drain_pipes_locked();
        t = now_mono();
        for (int w = 0; w < 2; w++)
            if (g_buf[w].len && t - g_buf[w].first >= FLUSH_INTERVAL_MS / 1000.0)
                flush_locked(&g_buf[w], false);
        pthread_mutex_unlock(&g_mu);
    }
    return NULL;
}

static int set_flags(int fd, int fdflags, int flflags)
{
    int f = fcntl(fd, F_GETFD);
    int l = fcntl(fd, F_GETFL);
    if (f < 0 || l < 0 || fcntl(fd, F_SETFD, f | fdflags) < 0 || fcntl(fd, F_SETFL, l | flflags) < 0)
        return -1;
    return 0;
}

/* Point fd (1 or 2) at a new pipe whose read end b keeps. */
static int capture_fd(outbuf_t *b, int fd, ippc_error_t **err)
{
    int p[2];
    if (pipe(p) < 0)
        return ippc_error_set_errno(err, IPPC_E_SYSTEM, errno, "pipe for fd %d capture", fd);
    b->saved_fd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
    if (b->saved_fd < 0 || set_flags(p[0], FD_CLOEXEC, O_NONBLOCK) < 0 || dup2(p[1], fd) < 0) {
        int e = errno;
        close(p[0]);
        close(p[1]);
        return ippc_error_set_errno(err, IPPC_E_SYSTEM, e, "capturing fd %d", fd);
    }
    close(p[1]);
    b->pipe_rd = p[0];
    return 0;
}

int outstream_start(bool capture_fds, ippc_error_t **err)
{
    if (pipe(g_wake) < 0)
        return ippc_error_set_errno(err, IPPC_E_SYSTEM, errno, "output wake pipe");
    if (set_flags(g_wake[0], FD_CLOEXEC, O_NONBLOCK) < 0 || set_flags(g_wake[1], FD_CLOEXEC, O_NONBLOCK) < 0)
        return ippc_error_set_errno(err, IPPC_E_SYSTEM, errno, "output wake pipe");
    if (capture_fds) {
        fflush(stdout);
        fflush(stderr);
        if (capture_fd(&g_buf[OUT_STDOUT], 1, err) < 0 || capture_fd(&g_buf[OUT_STDERR], 2, err) < 0)
            return -1;
        /* C stdio would fully buffer a pipe; line buffering keeps printf output timely. */
        setvbuf(stdout, NULL, _IOLBF, 0);
    }
    atomic_store(&g_stop, false);
    int rc = pthread_create(&g_thread, NULL, output_thread, NULL);
    if (rc)
        return ippc_error_set_errno(err, IPPC_E_SYSTEM, rc, "starting the output thread");
    g_running = true;
    return 0;
}

void outstream_stop(void)
{
    if (!g_running)
        return;
    outstream_sync();
    atomic_store(&g_stop, true);
    engine_wake(g_wake[1], 'q');
    pthread_join(g_thread, NULL);
    g_running = false;
    pthread_mutex_lock(&g_mu);
    for (int w = 0; w < 2; w++) {
        outbuf_t *b = &g_buf[w];
        if (b->saved_fd >= 0) {
            dup2(b->saved_fd, w + 1);
            close(b->saved_fd);
            b->saved_fd = -1;
        }
        if (b->pipe_rd >= 0)
            close(b->pipe_rd);
        b->pipe_rd = -1;
        free(b->data);
        b->data = NULL;
        b->len = b->cap = 0;
    }
    pthread_mutex_unlock(&g_mu);
    close(g_wake[0]);
    close(g_wake[1]);
    g_wake[0] = g_wake[1] = -1;
}
