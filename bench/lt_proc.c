/* lt_proc.c - clocks, percentiles and /proc readings for the load tool (see lt.h). */
#include "config.h"

#include "lt.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Deeper than any controller's process tree; guards against a pid reused in a loop. */
#define MAX_DEPTH 8

double lt_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

double lt_quantile(double *v, size_t n, double q)
{
    if (!n)
        return 0;
    qsort(v, n, sizeof(*v), cmp_double);
    size_t i = (size_t)(q * (double)n);
    return v[i < n ? i : n - 1];
}

long lt_clock_ticks(void)
{
    return sysconf(_SC_CLK_TCK);
}

/* utime+stime of one process (all its threads), or -1 when it is gone. */
static long long proc_ticks(int pid)
{
    char path[64], buf[1024];
    snprintf(path, sizeof(path), "/proc/%d/stat", pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    size_t len = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[len] = '\0';
    /* the command name is in parentheses and may hold spaces: count fields after it */
    char *p = strrchr(buf, ')');
    if (!p)
        return -1;
    unsigned long long utime = 0, stime = 0;
    /* fields 3.. are state, ppid, pgrp, session, tty_nr, tpgid, flags, minflt, cminflt,
     * majflt, cmajflt, utime (14), stime (15) */
    if (sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &utime, &stime) != 2)
        return -1;
    return (long long)(utime + stime);
}

/* A "Name: N kB" line of a /proc file, or -1. */
static long proc_kb(int pid, const char *file, const char *name)
{
    char path[64], line[256];
    snprintf(path, sizeof(path), "/proc/%d/%s", pid, file);
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    size_t nlen = strlen(name);
    long kb = -1;
    while (fgets(line, sizeof(line), f))
        if (strncmp(line, name, nlen) == 0 && line[nlen] == ':' && sscanf(line + nlen + 1, "%ld", &kb) == 1)
            break;
    fclose(f);
    return kb;
}

static void add_tree(int pid, int depth, lt_procstat_t *ps)
{
    long long t = proc_ticks(pid);
    long kb = proc_kb(pid, "status", "VmRSS"), pss = proc_kb(pid, "smaps_rollup", "Pss");
    if (t < 0 || kb < 0)
        return;
    ps->tree_ticks += (unsigned long long)t;
    ps->tree_rss_kb += kb;
    ps->tree_pss_kb += pss > 0 ? pss : 0;
    ps->nprocs++;
    if (depth >= MAX_DEPTH)
        return;
    /* children are listed per thread that forked them */
    char path[64];
    snprintf(path, sizeof(path), "/proc/%d/task", pid);
    DIR *d = opendir(path);
    if (!d)
        return;
    struct dirent *de;
    while ((de = readdir(d))) {
        if (de->d_name[0] == '.')
            continue;
        char cpath[320];
        snprintf(cpath, sizeof(cpath), "/proc/%d/task/%s/children", pid, de->d_name);
        FILE *f = fopen(cpath, "r");
        if (!f)
            continue;
        int child;
        while (fscanf(f, "%d", &child) == 1)
            add_tree(child, depth + 1, ps);
        fclose(f);
    }
    closedir(d);
}

int lt_procstat(int pid, lt_procstat_t *ps)
{
    memset(ps, 0, sizeof(*ps));
    long long t = proc_ticks(pid);
    long kb = proc_kb(pid, "status", "VmRSS");
    if (t < 0 || kb < 0)
        return 0;
    ps->main_ticks = (unsigned long long)t;
    ps->main_rss_kb = kb;
    ps->main_pss_kb = proc_kb(pid, "smaps_rollup", "Pss");
    add_tree(pid, 0, ps);
    return ps->nprocs;
}
