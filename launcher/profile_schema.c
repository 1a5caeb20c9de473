/* profile_schema.c - the keys of a profile: their types, defaults and one-line
 * descriptions, in the order files show them. Everything else (reading, --set, dump,
 * JSON, the key list of `ippctl profile show`) is driven by this table, so a new key is
 * one line here plus its field in profile.h. */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <limits.h>
#include <stddef.h>
#include <string.h>

#include "profile_int.h"

/* ------------------------------------------------------------ string checks */

const char *profile_check_line(const char *s)
{
    for (const unsigned char *c = (const unsigned char *)s; *c; c++)
        if ((*c < 0x20 && *c != '\t') || *c == 0x7f)
            return "one line of text without control characters";
    return NULL;
}

const char *profile_check_text(const char *s)
{
    (void)s; /* code: newlines and tabs are its business */
    return NULL;
}

static const char *check_nonempty_line(const char *s)
{
    return *s ? profile_check_line(s) : "a non-empty string";
}

/* Values that become sbatch/srun arguments: no spaces, so that no quoting is needed. */
static const char *check_word(const char *s)
{
    if (!*s)
        return "a non-empty name";
    for (const unsigned char *c = (const unsigned char *)s; *c; c++)
        if (*c <= 0x20 || *c == 0x7f)
            return "a name without spaces or control characters";
    return NULL;
}

/* The controller binds tcp://<ip>:port; names of hosts and NICs go elsewhere. */
static const char *check_ip(const char *s)
{
    unsigned char buf[sizeof(struct in6_addr)];
    if (strcmp(s, "*") == 0 || inet_pton(AF_INET, s, buf) == 1 || inet_pton(AF_INET6, s, buf) == 1)
        return NULL;
    return "an IP address or '*' (use 'interface' to name a network interface)";
}

/* Linux NIC names: at most IFNAMSIZ-1 = 15 bytes; "ib0", "eno1", "bond0.100", "eth0:1". */
static const char *check_ifname(const char *s)
{
    size_t n = strlen(s);
    bool ok = n >= 1 && n <= 15;
    for (const char *c = s; ok && *c; c++)
        ok = isalnum((unsigned char)*c) || strchr("_.:@-", *c);
    return ok ? NULL : "a network interface name like eth0 or ib0";
}

/* The id is part of file names (cluster-<id>.json) and command lines. */
static const char *check_cluster_id(const char *s)
{
    bool ok = strlen(s) <= 128 && s[0] != '.' && s[0] != '-';
    for (const char *c = s; ok && *c; c++)
        ok = isalnum((unsigned char)*c) || strchr("_.@+-", *c);
    return ok ? NULL : "letters, digits and _ . @ + - (not first . or -), at most 128";
}

const char *profile_check_env_name(const char *s)
{
    bool ok = (isalpha((unsigned char)s[0]) || s[0] == '_');
    for (const char *c = s; ok && *c; c++)
        ok = isalnum((unsigned char)*c) || *c == '_';
    return ok ? NULL : "a variable name like OMP_NUM_THREADS";
}

/* ------------------------------------------------------------ the table */

static const char *const launcher_names[] = {"local", "slurm", "srun", "pmix", "mpi", NULL};
static const char *const shell_names[] = {"auto", "ipython", "plain", NULL};
static const char *const slurm_mpi_names[] = {"none", "pmix", NULL};
static const char *const zygote_names[] = {"auto", "true", "false", NULL};

#define F(field) offsetof(ippc_profile_t, field)
#define INFO(key, type, def, doc) .info = {key, type, def, doc}
#define ANY_INT(lo) .kind = PROFILE_INT, .min = (lo), .max = LLONG_MAX

static const profile_key_t keys[] = {
    {INFO("cluster.n", "integer ≥ 1", "4", "number of engines to start"), ANY_INT(1), .offset = F(cluster.n)},
    {INFO("cluster.launcher", "local | slurm | srun | pmix | mpi", "local",
          "how to start: here, an sbatch job, a step of this allocation, srun --mpi=pmix, mpirun"),
     .kind = PROFILE_ENUM, .names = launcher_names, .offset = F(cluster.launcher)},
    {INFO("cluster.cluster_id", "string", "\"\"", "names this cluster's files (\"\": ipcluster's default)"),
     .kind = PROFILE_STR, .check = check_cluster_id, .offset = F(cluster.cluster_id)},

    {INFO("controller.ip", "IP address or \"*\"", NULL,
          "address to bind (\"*\": all); unset: 127.0.0.1 for local, all for batch launchers"),
     .kind = PROFILE_STR, .check = check_ip, .excludes = "controller.interface", .offset = F(controller.ip)},
    {INFO("controller.interface", "network interface name", NULL, "bind to this NIC's address instead of ip"),
     .kind = PROFILE_STR, .check = check_ifname, .excludes = "controller.ip", .offset = F(controller.interface)},
    {INFO("controller.location", "string", NULL, "host name or address engines and clients connect to (unset: this host)"),
     .kind = PROFILE_STR, .check = check_word, .offset = F(controller.location)},
    {INFO("controller.ports", "port range or list of ports", NULL, "ports to bind, like 50000-50100 (unset: any free port)"),
     .kind = PROFILE_PORTS, .offset = F(controller.ports)},
    {INFO("controller.heartbeat.period_ms", "integer ≥ 1", "3000", "milliseconds between heartbeats"),
     ANY_INT(1), .offset = F(controller.heartbeat.period_ms)},
    {INFO("controller.heartbeat.misses", "integer ≥ 1", "10", "missed heartbeats before an engine is dead"),
     ANY_INT(1), .offset = F(controller.heartbeat.misses)},
    {INFO("controller.records.max_count", "integer ≥ 0", "1024", "task records kept in memory"),
     ANY_INT(0), .offset = F(controller.records.max_count)},
    {INFO("controller.records.max_bytes", "size", "1GiB", "bytes of task records kept (units: KiB MiB GiB TiB)"),
     .kind = PROFILE_SIZE, .offset = F(controller.records.max_bytes)},
    {INFO("controller.log_level", "debug | info | warning | error | critical | 0..50", "info",
          "how much the controller logs"),
     .kind = PROFILE_LOGLEVEL, .offset = F(controller.log_level)},

    {INFO("engines.python_path", "list of paths", NULL, "directories put first on the engines' sys.path"),
     .kind = PROFILE_STRLIST, .check = check_nonempty_line, .offset = F(engines.python_path)},
    {INFO("engines.startup", "Python code", NULL, "code each engine runs before taking work"),
     .kind = PROFILE_STR, .check = profile_check_text, .excludes = "engines.startup_file",
     .offset = F(engines.startup)},
    {INFO("engines.startup_file", "path", NULL, "a Python file each engine runs instead of startup"),
     .kind = PROFILE_STR, .check = check_nonempty_line, .excludes = "engines.startup", .offset = F(engines.startup_file)},
    {INFO("engines.env", "map of names to strings", NULL, "environment variables added for the engines"),
     .kind = PROFILE_ENV, .offset = F(engines.env)},
    {INFO("engines.workdir", "path", NULL, "working directory of the engines (unset: where ippctl runs)"),
     .kind = PROFILE_STR, .check = check_nonempty_line, .offset = F(engines.workdir)},
    {INFO("engines.shell", "auto | ipython | plain", "auto", "run code in IPython's shell (auto: when it imports)"),
     .kind = PROFILE_ENUM, .names = shell_names, .offset = F(engines.shell)},
    {INFO("engines.registration_spread_ms", "integer ≥ 0", "0",
          "engines wait a random 0..this many ms before registering (large clusters)"),
     ANY_INT(0), .offset = F(engines.registration_spread_ms)},
    {INFO("engines.zygote", "auto | true | false", "auto",
          "local launcher: fork the engines from one process that imported Python once (auto: n > 1)"),
     .kind = PROFILE_ENUM, .names = zygote_names, .offset = F(engines.zygote)},

    {INFO("slurm.partition", "string", NULL, "sbatch --partition"),
     .kind = PROFILE_STR, .check = check_word, .offset = F(slurm.partition)},
    {INFO("slurm.account", "string", NULL, "sbatch --account"),
     .kind = PROFILE_STR, .check = check_word, .offset = F(slurm.account)},
    {INFO("slurm.qos", "string", NULL, "sbatch --qos"), .kind = PROFILE_STR, .check = check_word, .offset = F(slurm.qos)},
    {INFO("slurm.time", "minutes, HH:MM:SS, D-HH:MM:SS or unlimited", NULL, "sbatch --time (unset: the partition's)"),
     .kind = PROFILE_TIME, .offset = F(slurm.time)},
    {INFO("slurm.nodes", "integer ≥ 1", NULL, "sbatch --nodes (unset: Slurm decides from n)"),
     ANY_INT(1), .offset = F(slurm.nodes)},
    {INFO("slurm.ntasks_per_node", "integer ≥ 1", NULL, "sbatch --ntasks-per-node"),
     ANY_INT(1), .offset = F(slurm.ntasks_per_node)},
    {INFO("slurm.cpus_per_task", "integer ≥ 1", NULL, "sbatch --cpus-per-task: cores per engine"),
     ANY_INT(1), .offset = F(slurm.cpus_per_task)},
    {INFO("slurm.extra", "list of strings", NULL, "more sbatch options (\"--exclusive\" or \"#SBATCH --exclusive\")"),
     .kind = PROFILE_STRLIST, .check = check_nonempty_line, .offset = F(slurm.extra)},
    {INFO("slurm.mpi", "pmix | none", "none", "srun --mpi for the engines (pmix: ranks become engine ids)"),
     .kind = PROFILE_ENUM, .names = slurm_mpi_names, .offset = F(slurm.mpi)},
    {INFO("slurm.srun_args", "list of strings", NULL, "more options for the engines' srun"),
     .kind = PROFILE_STRLIST, .check = check_nonempty_line, .offset = F(slurm.srun_args)},

    {INFO("mpi.mpirun", "path", "mpirun", "the mpirun program"),
     .kind = PROFILE_STR, .check = check_nonempty_line, .offset = F(mpi.mpirun)},
    {INFO("mpi.args", "list of strings", NULL, "more mpirun options (\"--oversubscribe\", \"--hostfile=h\")"),
     .kind = PROFILE_STRLIST, .check = check_nonempty_line, .offset = F(mpi.args)},
};

#define NKEYS (sizeof keys / sizeof keys[0])

/* The sections, parents before children. */
static const char *const sections[] = {"cluster",           "controller", "controller.heartbeat",
                                       "controller.records", "engines",    "slurm",
                                       "mpi"};
#define NSECTIONS (sizeof sections / sizeof sections[0])

/* Top-level keys that are not sections: what a profile inherits from. */
static const char *const top_keys[] = {"inherit", "base"};

size_t profile_nkeys(void) { return NKEYS; }
const profile_key_t *profile_key_at(size_t i) { return i < NKEYS ? &keys[i] : NULL; }
size_t profile_key_index(const profile_key_t *k) { return (size_t)(k - keys); }
size_t ippc_profile_nkeys(void) { return NKEYS; }
const ippc_profile_keyinfo_t *ippc_profile_key(size_t i) { return i < NKEYS ? &keys[i].info : NULL; }

const profile_key_t *profile_key_find(const char *key)
{
    for (size_t i = 0; key && i < NKEYS; i++)
        if (strcmp(keys[i].info.key, key) == 0)
            return &keys[i];
    return NULL;
}

static const char *leaf_of(const char *path)
{
    const char *dot = strrchr(path, '.');
    return dot ? dot + 1 : path;
}

const char *profile_key_leaf(const profile_key_t *k) { return leaf_of(k->info.key); }

bool profile_is_section(const char *path)
{
    if (!*path)
        return true;
    for (size_t i = 0; i < NSECTIONS; i++)
        if (strcmp(sections[i], path) == 0)
            return true;
    return false;
}

/* Whether path is directly below section ("" is the top). */
static bool is_child(const char *path, const char *section)
{
    size_t n = strlen(section);
    if (n == 0)
        return strchr(path, '.') == NULL;
    return strncmp(path, section, n) == 0 && path[n] == '.' && strchr(path + n + 1, '.') == NULL;
}

static size_t add_name(const char **names, size_t count, size_t max, const char *name)
{
    for (size_t i = 0; i < count; i++)
        if (strcmp(names[i], name) == 0)
            return count;
    if (count < max)
        names[count++] = name;
    return count;
}

size_t profile_section_children(const char *section, const char **names, size_t max)
{
    size_t count = 0;
    /* Sections first where they come before keys: at the top there are only sections;
     * below, keys and subsections in table order (a subsection appears where its first
     * key does). */
    for (size_t i = 0; i < NKEYS; i++) {
        const char *key = keys[i].info.key;
        if (is_child(key, section)) {
            count = add_name(names, count, max, leaf_of(key));
            continue;
        }
        for (size_t s = 0; s < NSECTIONS; s++)
            if (is_child(sections[s], section) && strncmp(key, sections[s], strlen(sections[s])) == 0 &&
                key[strlen(sections[s])] == '.')
                count = add_name(names, count, max, leaf_of(sections[s]));
    }
    if (!*section)
        for (size_t i = 0; i < sizeof top_keys / sizeof top_keys[0]; i++)
            count = add_name(names, count, max, top_keys[i]);
    return count;
}

/* ------------------------------------------------------------ suggestions */

#define SUGGEST_MAX 64 /* longer words are not typos of our keys */

/* Optimal string alignment distance (Levenshtein plus transpositions), case folded. */
static size_t edit_distance(const char *a, size_t la, const char *b, size_t lb)
{
    unsigned char d[SUGGEST_MAX + 1][SUGGEST_MAX + 1];
    for (size_t i = 0; i <= la; i++)
        d[i][0] = (unsigned char)i;
    for (size_t j = 0; j <= lb; j++)
        d[0][j] = (unsigned char)j;
    for (size_t i = 1; i <= la; i++) {
        for (size_t j = 1; j <= lb; j++) {
            int ca = tolower((unsigned char)a[i - 1]), cb = tolower((unsigned char)b[j - 1]);
            unsigned best = d[i - 1][j - 1] + (ca != cb);
            if (d[i - 1][j] + 1u < best)
                best = d[i - 1][j] + 1u;
            if (d[i][j - 1] + 1u < best)
                best = d[i][j - 1] + 1u;
            if (i > 1 && j > 1 && ca == tolower((unsigned char)b[j - 2]) && tolower((unsigned char)a[i - 2]) == cb &&
                d[i - 2][j - 2] + 1u < best)
                best = d[i - 2][j - 2] + 1u;
            d[i][j] = (unsigned char)best;
        }
    }
    return d[la][lb];
}

static bool folded_prefix(const char *shorter, size_t n, const char *longer)
{
    return n >= 3 && strncasecmp(shorter, longer, n) == 0;
}

const char *profile_suggest(const char *word, const char *const *candidates, size_t n)
{
    size_t lw = strlen(word);
    if (lw == 0 || lw > SUGGEST_MAX)
        return NULL;
    const char *best = NULL;
    size_t best_d = (size_t)-1;
    for (size_t i = 0; i < n; i++) {
        const char *c = candidates[i];
        size_t lc = strlen(c);
        if (lc > SUGGEST_MAX)
            continue;
        size_t d = edit_distance(word, lw, c, lc);
        size_t limit = lc / 3 > 1 ? lc / 3 : 1;
        /* "period" for "period_ms", "partition_name" for "partition" */
        bool prefix = lw < lc ? folded_prefix(word, lw, c) : folded_prefix(c, lc, word);
        if ((d <= limit || prefix) && d < best_d) {
            best = c;
            best_d = d;
        }
    }
    return best;
}
