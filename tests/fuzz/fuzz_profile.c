/* fuzz_profile.c - libFuzzer target for the YAML profile reader.
 *
 * Input: the text of a profile file. It is read over the defaults with
 * ippc_profile_read_string, and its first line is also tried as a `--set key=value`
 * argument. Whatever is accepted must survive a write: the YAML dump (plain, with
 * origins, with descriptions) must read back to equal values, and to_json must work.
 * A violation aborts, so the fuzzer reports it like a crash.
 *
 * `inherit:` may name files: $IPYTHONDIR points nowhere, so only the shipped profiles
 * and paths in the input resolve, and nothing is ever written. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "profile.h"

const char *fuzz_corpus_name = "profile";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void invariant(int ok, const char *what)
{
    if (!ok) {
        fprintf(stderr, "fuzz_profile: invariant broken: %s\n", what);
        abort();
    }
}

/* Dumps read back to the same values. A dump longer than the file cap cannot be read
 * (aliases and escapes can make one from a smaller input); those are skipped. */
static void round_trip(const ippc_profile_t *p)
{
    static const unsigned flags[] = {0, IPPC_PROFILE_DUMP_ORIGINS, IPPC_PROFILE_DUMP_DOCS};
    for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++) {
        char *text = ippc_profile_dump_string(p, flags[i]);
        invariant(text != NULL, "dump");
        if (strlen(text) <= IPPC_PROFILE_MAX_FILE_SIZE) {
            ippc_profile_t *back = ippc_profile_new();
            ippc_error_t *err = NULL;
            invariant(back != NULL, "new");
            int rc = ippc_profile_read_string(back, text, strlen(text), "dump", &err);
            if (rc != 0)
                fprintf(stderr, "%s\n--- dump:\n%s\n", ippc_error_message(err), text);
            invariant(rc == 0, "reading a dump back");
            invariant(ippc_profile_equal(p, back), "a dump reads back to equal values");
            ippc_profile_destroy(&back);
        }
        free(text);
    }
    json_t *j = ippc_profile_to_json(p, true);
    invariant(j != NULL, "to_json");
    json_decref(j);
}

static void try_assignment(const uint8_t *data, size_t size)
{
    const uint8_t *nl = memchr(data, '\n', size);
    size_t len = nl ? (size_t)(nl - data) : size;
    char *line = strndup((const char *)data, len); /* stops at a NUL too */
    invariant(line != NULL, "strndup");
    ippc_profile_t *p = ippc_profile_new();
    ippc_error_t *err = NULL;
    int rc = ippc_profile_set_assignment(p, line, NULL, &err);
    invariant((rc == 0) == (err == NULL), "set: -1 iff an error");
    ippc_error_destroy(&err);
    if (rc == 0)
        round_trip(p);
    ippc_profile_destroy(&p);
    free(line);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int once;
    if (!once++) {
        setenv("IPYTHONDIR", "/nonexistent/ippc-fuzz", 1);
        unsetenv("IPPC_PROFILES_DIR");
    }
    ippc_profile_t *p = ippc_profile_new();
    invariant(p != NULL, "new");
    ippc_error_t *err = NULL;
    int rc = ippc_profile_read_string(p, (const char *)data, size, "fuzz", &err);
    invariant((rc == 0) == (err == NULL), "read: -1 iff an error");
    ippc_error_destroy(&err);
    if (rc == 0)
        round_trip(p);
    ippc_profile_destroy(&p);
    try_assignment(data, size);
    return 0;
}
