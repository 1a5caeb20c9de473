/* memtune.h - keep large receive buffers faulted in for reuse (the daemons only).
 *
 * libzmq receives every message into a buffer it mallocs. glibc serves a big request
 * (above 32 MiB at most) with a fresh mmap and unmaps it on free, so every large
 * message lands in fresh pages: one page fault per 4 KiB, the main cost of moving a big
 * array on a VM. ippc_memtune_start() makes glibc keep freed memory in the heap instead
 * (no mmap'd chunks, one arena, no automatic trim), so the next large receive reuses
 * pages that are already there, and starts a thread that gives free heap memory back to
 * the system (malloc_trim) once the process has been idle for IPPC_MEMTUNE_IDLE seconds,
 * or at once while busy when more than IPPC_MEMTUNE_BUSY_MAX bytes are free.
 *
 * Call it at the start of main(), before any other thread exists, in a process that
 * will not fork a single-threaded child from itself (the engine's zygote). Only the
 * controller, the engine and the bench's raw ZeroMQ floor call it: a library must not
 * change its caller's malloc. IPPC_MEMTUNE=N in the environment sets the idle seconds
 * (default IPPC_MEMTUNE_IDLE), 0 turns it off. Without glibc, or under a sanitizer
 * (whose malloc ignores mallopt), it does nothing. */
#ifndef IPPC_MEMTUNE_H
#define IPPC_MEMTUNE_H

#define IPPC_MEMTUNE_IDLE 5                         /* seconds */
#define IPPC_MEMTUNE_BUSY_MAX ((size_t)1 << 30)     /* bytes */

/* 1: tuned and the trim thread runs; 0: left as it was (turned off or unsupported). */
int ippc_memtune_start(void);

#endif
