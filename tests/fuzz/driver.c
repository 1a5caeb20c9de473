/* driver.c - runs a libFuzzer target without libFuzzer: every file of the seed corpus
 * (tests/fuzz/corpus/<name>/), then mutations of them and pseudo-random inputs, with a
 * fixed seed so that a failure repeats. `make check` runs this under the normal (or
 * sanitizer) build; real fuzzing uses the libFuzzer build (--enable-fuzzing).
 *
 * usage: regress_<name> [corpus_dir] [iterations]   (defaults from $top_srcdir) */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
extern const char *fuzz_corpus_name; /* each target names its corpus folder */

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;
static uint64_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

typedef struct {
    uint8_t *data;
    size_t size;
} seed_t;

static int load_corpus(const char *dir, seed_t **seeds, size_t *n)
{
    DIR *d = opendir(dir);
    if (!d) {
        fprintf(stderr, "driver: cannot open corpus %s\n", dir);
        return -1;
    }
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char path[8192];
        if (snprintf(path, sizeof path, "%s/%s", dir, e->d_name) >= (int)sizeof path)
            continue;
        FILE *f = fopen(path, "rb");
        if (!f)
            continue;
        fseek(f, 0, SEEK_END);
        long len = ftell(f);
        fseek(f, 0, SEEK_SET);
        seed_t s = {malloc(len > 0 ? (size_t)len : 1), len > 0 ? (size_t)len : 0};
        if (s.size && fread(s.data, 1, s.size, f) != s.size)
            s.size = 0;
        fclose(f);
        *seeds = realloc(*seeds, (*n + 1) * sizeof(seed_t));
        (*seeds)[(*n)++] = s;
    }
    closedir(d);
    return 0;
}

int main(int argc, char **argv)
{
    char dir[4096];
    const char *top = getenv("top_srcdir");
    int n = argc > 1 ? snprintf(dir, sizeof dir, "%s", argv[1])
                     : snprintf(dir, sizeof dir, "%s/tests/fuzz/corpus/%s", top ? top : "..", fuzz_corpus_name);
    if (n < 0 || n >= (int)sizeof dir) {
        fprintf(stderr, "driver: corpus path too long\n");
        return 1;
    }
    long iterations = argc > 2 ? atol(argv[2]) : 20000;
    seed_t *seeds = NULL;
    size_t nseeds = 0;
    if (load_corpus(dir, &seeds, &nseeds) != 0 || nseeds == 0) {
        fprintf(stderr, "driver: no seeds in %s\n", dir);
        return 1;
    }
    for (size_t i = 0; i < nseeds; i++)
        LLVMFuzzerTestOneInput(seeds[i].data, seeds[i].size);
    uint8_t *buf = malloc(1 << 16);
    for (long it = 0; it < iterations; it++) {
        const seed_t *s = &seeds[rng() % nseeds];
        size_t len = s->size;
        if (len > (1 << 16))
            len = 1 << 16;
        memcpy(buf, s->data, len);
        switch (rng() % 4) {
        case 0: /* flip bytes */
            for (int k = 0, m = 1 + (int)(rng() % 8); k < m && len; k++)
                buf[rng() % len] = (uint8_t)rng();
            break;
        case 1: /* truncate */
            len = len ? rng() % len : 0;
            break;
        case 2: /* insert special bytes */
            for (int k = 0, m = 1 + (int)(rng() % 4); k < m && len; k++)
                buf[rng() % len] = (uint8_t)"\0\xff\"{}[]\\:,\x80"[rng() % 11];
            break;
        default: /* random junk */
            len = rng() % 512;
            for (size_t k = 0; k < len; k++)
                buf[k] = (uint8_t)rng();
        }
        LLVMFuzzerTestOneInput(buf, len);
    }
    printf("%s: %zu seeds, %ld mutated inputs, no crash\n", fuzz_corpus_name, nseeds, iterations);
    free(buf);
    for (size_t i = 0; i < nseeds; i++)
        free(seeds[i].data);
    free(seeds);
    return 0;
}
