/* fuzz_connfile.c - libFuzzer target for the connection-file and cluster-file readers.
 *
 * Input: JSON text, as a file on disk or $IPP_CONNECTION_INFO would hold it. It goes
 * through ippc_conninfo_parse (the text checks) and, loaded with json_loadb, through
 * ippc_conninfo_from_json and ippc_clusterfile_from_json. Whatever a reader accepts must
 * survive a write: to_json and reading that back must succeed, and for cluster files a
 * second round must give the same document. A violation aborts, so the fuzzer reports
 * it like a crash. No file is written (the writers' file handling has unit tests). */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "clusterfile.h"
#include "conninfo.h"

const char *fuzz_corpus_name = "connfile";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void invariant(int ok, const char *what)
{
    if (!ok) {
        fprintf(stderr, "fuzz_connfile: invariant broken: %s\n", what);
        abort();
    }
}

static void conninfo_round_trip(const json_t *obj)
{
    ippc_error_t *err = NULL;
    ippc_conninfo_t *ci = ippc_conninfo_from_json(obj, "fuzz", &err);
    invariant((ci == NULL) == (err != NULL), "conninfo: NULL iff an error");
    ippc_error_destroy(&err);
    if (!ci)
        return;
    json_t *out = ippc_conninfo_to_json(ci);
    invariant(out != NULL, "conninfo: to_json");
    ippc_conninfo_t *back = ippc_conninfo_from_json(out, "fuzz (written)", &err);
    invariant(back != NULL, err ? ippc_error_message(err) : "conninfo: rereading what we write");
    invariant(back->side == ci->side && back->mux == ci->mux && back->nbroadcast == ci->nbroadcast,
              "conninfo: fields survive");
    char *url = ippc_conninfo_url(ci, ci->registration);
    invariant(url != NULL, "conninfo: url");
    free(url);
    ippc_conninfo_destroy(&back);
    json_decref(out);
    ippc_conninfo_destroy(&ci);
}

static void clusterfile_round_trip(const json_t *obj)
{
    ippc_error_t *err = NULL;
    ippc_clusterfile_t *cf = ippc_clusterfile_from_json(obj, "fuzz", &err);
    invariant((cf == NULL) == (err != NULL), "clusterfile: NULL iff an error");
    ippc_error_destroy(&err);
    if (!cf)
        return;
    json_t *once = ippc_clusterfile_to_json(cf);
    invariant(once != NULL, "clusterfile: to_json");
    ippc_clusterfile_t *back = ippc_clusterfile_from_json(once, "fuzz (written)", &err);
    invariant(back != NULL, err ? ippc_error_message(err) : "clusterfile: rereading what we write");
    json_t *twice = ippc_clusterfile_to_json(back);
    invariant(twice != NULL && json_equal(once, twice), "clusterfile: writing is idempotent");
    /* kill(pid, 0) only probes, and only pids > 0 are probed */
    (void)ippc_clusterfile_is_stale(back);
    json_decref(twice);
    json_decref(once);
    ippc_clusterfile_destroy(&back);
    ippc_clusterfile_destroy(&cf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ippc_error_t *err = NULL;
    ippc_conninfo_t *ci = ippc_conninfo_parse((const char *)data, size, "fuzz", &err);
    invariant((ci == NULL) == (err != NULL), "parse: NULL iff an error");
    ippc_conninfo_destroy(&ci);
    ippc_error_destroy(&err);

    /* Any JSON value, so that the readers' own "not an object" checks run too. */
    json_t *obj = json_loadb((const char *)data, size, JSON_DECODE_ANY, NULL);
    if (!obj)
        return 0;
    conninfo_round_trip(obj);
    clusterfile_round_trip(obj);
    json_decref(obj);
    return 0;
}
