/* cmdloop.c - see cmdloop.h. */
#include "cmdloop.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

double bench_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void bench_reply_samples(const double *s, size_t n)
{
    printf("{\"samples\": [");
    for (size_t i = 0; i < n; i++)
        printf("%s%.9f", i ? ", " : "", s[i]);
    printf("]}\n");
}

void bench_cmdloop(const bench_commands_t *cmds)
{
    char line[256];
    while (fgets(line, sizeof(line), stdin)) {
        char cmd[32] = "", a[32] = "";
        unsigned long long n = 0, w = 0;
        int got = sscanf(line, "%31s %31s %llu %llu", cmd, a, &n, &w);
        if (got < 1)
            continue;
        if (strcmp(cmd, "quit") == 0)
            break;
        if (strcmp(cmd, "rtt") == 0 && got == 4)
            cmds->rtt(a, n, w);
        else if (strcmp(cmd, "async") == 0 && got >= 2)
            cmds->async(strtoull(a, NULL, 10));
        else if (strcmp(cmd, "bulk") == 0 && got >= 2)
            cmds->bulk(strtoull(a, NULL, 10));
        else if (strcmp(cmd, "scatter") == 0 && got >= 3)
            cmds->scatter(a, n);
        else if (strcmp(cmd, "cleanup") == 0)
            cmds->cleanup();
        else
            cmds->bad(line);
    }
}
