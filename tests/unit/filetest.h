/* filetest.h - scratch directories and small file helpers shared by the unit tests of
 * the file formats (test_paths, test_conninfo, test_clusterfile). Header-only (static
 * inline) so that each test program stays one source file. */
#ifndef IPPC_TEST_FILETEST_H
#define IPPC_TEST_FILETEST_H

#include <check.h>
#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error_int.h"
#include "ippc.h"

/* A fresh directory under $TMPDIR (or /tmp); malloc'd. */
static inline char *ft_tmpdir(void)
{
    const char *base = getenv("TMPDIR");
    char *tmpl = ippc_strdup_printf("%s/ippc-unit.XXXXXX", base && *base ? base : "/tmp");
    ck_assert_ptr_nonnull(tmpl);
    ck_assert_ptr_nonnull(mkdtemp(tmpl));
    return tmpl;
}

static inline int ft_rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)ftw;
    /* chmod first: a test may have made a directory unwritable. */
    if (flag == FTW_DP || flag == FTW_D)
        chmod(path, 0700);
    remove(path); /* best effort: keep walking */
    return 0;
}

/* rm -rf dir (and free it). */
static inline void ft_rmtree(char *dir)
{
    if (dir)
        nftw(dir, ft_rm_one, 16, FTW_DEPTH | FTW_PHYS);
    free(dir);
}

/* dir/name, malloc'd. */
static inline char *ft_path(const char *dir, const char *name)
{
    char *p = ippc_strdup_printf("%s/%s", dir, name);
    ck_assert_ptr_nonnull(p);
    return p;
}

static inline void ft_write_n(const char *path, const char *text, size_t len)
{
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(text, 1, len, f), len);
    ck_assert_int_eq(fclose(f), 0);
}

static inline void ft_write(const char *path, const char *text) { ft_write_n(path, text, strlen(text)); }

/* The whole file as a string (malloc'd), NULL when it cannot be read. */
static inline char *ft_read(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&buf, &len);
    int c;
    while ((c = fgetc(f)) != EOF)
        fputc(c, mem);
    fclose(mem);
    fclose(f);
    return buf;
}

static inline unsigned ft_mode(const char *path)
{
    struct stat st;
    ck_assert_int_eq(stat(path, &st), 0);
    return (unsigned)(st.st_mode & 07777);
}

/* How many entries of dir are left-over temp files of the atomic writer. */
static inline size_t ft_count_temps(const char *dir)
{
    DIR *d = opendir(dir);
    ck_assert_ptr_nonnull(d);
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t len = strlen(e->d_name);
        if (e->d_name[0] == '.' && len > 4 && strcmp(e->d_name + len - 4, ".tmp") == 0)
            n++;
    }
    closedir(d);
    return n;
}

/* Assert an error's code and that its message contains `part`; destroys it. */
#define ft_assert_error(errp, code, part)                                                                \
    do {                                                                                                 \
        ck_assert_ptr_nonnull(*(errp));                                                                  \
        ck_assert_msg(ippc_error_code(*(errp)) == (code), "code %s, wanted %s: %s",                      \
                      ippc_errcode_name(ippc_error_code(*(errp))), ippc_errcode_name(code),              \
                      ippc_error_message(*(errp)));                                                      \
        ck_assert_msg(strstr(ippc_error_message(*(errp)), (part)) != NULL, "message '%s' lacks '%s'", \
                      ippc_error_message(*(errp)), (part));                                              \
        ippc_error_destroy(errp);                                                                        \
    } while (0)

#endif
