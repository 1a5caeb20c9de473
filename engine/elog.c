/* elog.c - the engine's log tag (see elog.h). */
#include "config.h"

#include "elog.h"

#include <stdatomic.h>
#include <stdio.h>

static atomic_int g_engine_id = -1;

/* "[IPEngine.3] " below WARNING, "[IPEngine.3] WARNING: " from it on; "[IPEngine]"
 * before registration. */
static size_t engine_tag(char *buf, size_t size, int level)
{
    int id = atomic_load(&g_engine_id);
    char who[32] = "";
    if (id >= 0)
        snprintf(who, sizeof who, ".%d", id);
    int k;
    if (level >= IPPC_LOG_WARNING)
        k = snprintf(buf, size, "[IPEngine%s] %s: ", who, ippc_log_level_name(level));
    else
        k = snprintf(buf, size, "[IPEngine%s] ", who);
    return k < 0 ? 0 : (size_t)k;
}

void log_init(int level)
{
    ippc_log_set_level(level);
    ippc_log_set_tag(engine_tag);
    ippc_log_dup_stderr();
}

void log_set_engine_id(int id) { atomic_store(&g_engine_id, id); }
