/* memtune.c - see memtune.h. */
#include "config.h"

#include "memtune.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__GLIBC__) && defined(__linux__)
#include <malloc.h>
#include <pthread.h>
#include <time.h>

/* At most this much CPU time per second (all threads) counts as idle: an idle daemon
 * answers heartbeats, a few µs each. */
#define IDLE_CPU_PER_TICK 0.01
/* Less free memory than this is not worth a trim (and the faults that follow it). */
#define TRIM_MIN ((size_t)32 << 20)
/* While busy, the free memory is looked at (mallinfo2 walks the bins) this often. */
#define BUSY_CHECK_TICKS 2

static double cpu_seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static size_t free_bytes(void)
{
    struct mallinfo2 mi = mallinfo2();
    return mi.fordblks;
}

static unsigned idle_seconds = IPPC_MEMTUNE_IDLE;

/* Once a second: a busy process keeps its free memory for the next receive unless it
 * holds more than IPPC_MEMTUNE_BUSY_MAX; a process idle for idle_seconds returns it
 * (once per idle spell: nothing new is freed while idle). */
static void *trimmer(void *unused)
{
    (void)unused;
    double last = cpu_seconds();
    unsigned idle = 0, busy = 0;
    bool returned = true; /* nothing to return until the process has worked */
    for (;;) {
        struct timespec second = {1, 0};
        nanosleep(&second, NULL);
        double now = cpu_seconds();
        bool working = now - last > IDLE_CPU_PER_TICK;
        last = now;
        if (working) {
            idle = 0;
            returned = false;
            if (++busy % BUSY_CHECK_TICKS == 0 && free_bytes() > IPPC_MEMTUNE_BUSY_MAX)
                malloc_trim(0);
        } else if (!returned && ++idle >= idle_seconds) {
            if (free_bytes() >= TRIM_MIN)
                malloc_trim(0);
            returned = true;
            busy = 0;
        }
    }
    return NULL;
}

int ippc_memtune_start(void)
{
    const char *env = getenv("IPPC_MEMTUNE");
    if (env && *env) {
        char *end;
        errno = 0;
        unsigned long v = strtoul(env, &end, 10);
        if (errno || *end || env[0] == '-' || v > 86400)
            fprintf(stderr, "%s: IPPC_MEMTUNE=%s: not a number of seconds from 0 to 86400 (0 turns the "
                    "memory tuning off); using %d\n", program_invocation_short_name, env, IPPC_MEMTUNE_IDLE);
        else if (v == 0)
            return 0;
        else
            idle_seconds = (unsigned)v;
    }
    /* a sanitizer's malloc answers 0 to every mallopt: then leave everything alone */
    if (mallopt(M_MMAP_MAX, 0) != 1)
        return 0;
    /* One arena: libzmq's I/O thread allocates the receive buffers and the main thread
     * frees them (and vice versa); one heap lets any thread reuse any freed buffer. */
    mallopt(M_ARENA_MAX, 1);
    /* No trim on free: the trimmer thread decides when memory goes back. */
    mallopt(M_TRIM_THRESHOLD, -1);
    pthread_t t;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    pthread_attr_setstacksize(&attr, 64 * 1024);
    int rc = pthread_create(&t, &attr, trimmer, NULL);
    pthread_attr_destroy(&attr);
    if (rc != 0) { /* without the trimmer, go back to glibc's own policy */
        mallopt(M_TRIM_THRESHOLD, 128 * 1024);
        mallopt(M_MMAP_MAX, 65536);
        return 0;
    }
    return 1;
}

#else

int ippc_memtune_start(void) { return 0; }

#endif
