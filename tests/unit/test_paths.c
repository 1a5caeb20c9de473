/* test_paths.c - where the IPython directory, profiles, connection files and cluster
 * files are, following IPython.paths.get_ipython_dir and ipyparallel's naming. */
#include "config.h"

#include <check.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "filetest.h"
#include "ippc.h"

/* Each test sets the environment it needs: no test depends on the caller's. */
static void env(const char *ipythondir, const char *home)
{
    unsetenv("IPYTHON_DIR");
    if (ipythondir)
        setenv("IPYTHONDIR", ipythondir, 1);
    else
        unsetenv("IPYTHONDIR");
    if (home)
        setenv("HOME", home, 1);
    else
        unsetenv("HOME");
}

#define ck_assert_path(expr, want)                                                                      \
    do {                                                                                                \
        char *got_ = (expr);                                                                            \
        ck_assert_ptr_nonnull(got_);                                                                    \
        ck_assert_str_eq(got_, (want));                                                                 \
        free(got_);                                                                                     \
    } while (0)

START_TEST(ipythondir_is_used_as_given_but_normalised)
{
    env("/srv/ipy", "/home/nobody");
    ck_assert_path(ippc_ipython_dir(), "/srv/ipy");
    env("/srv//ipy/./x/../", "/home/nobody");
    ck_assert_path(ippc_ipython_dir(), "/srv/ipy");
    env("relative/dir", "/home/nobody");
    ck_assert_path(ippc_ipython_dir(), "relative/dir");
    env("/../a", "/home/nobody");
    ck_assert_path(ippc_ipython_dir(), "/a");
    env("../a/../../b", "/home/nobody");
    ck_assert_path(ippc_ipython_dir(), "../../b");
    env("//net/ipy", "/home/nobody"); /* POSIX keeps exactly two leading slashes */
    ck_assert_path(ippc_ipython_dir(), "//net/ipy");
    env("///net/ipy", "/home/nobody");
    ck_assert_path(ippc_ipython_dir(), "/net/ipy");
    env("", "/home/nobody"); /* normpath("") */
    ck_assert_path(ippc_ipython_dir(), ".");
}
END_TEST

START_TEST(ipythondir_tilde_is_expanded)
{
    env("~/ipy", "/home/someone/");
    ck_assert_path(ippc_ipython_dir(), "/home/someone/ipy");
    env("~", "/home/someone");
    ck_assert_path(ippc_ipython_dir(), "/home/someone");
    env("~/x", "/");
    ck_assert_path(ippc_ipython_dir(), "/x");
    env("~", ""); /* expanduser with HOME="" gives the root */
    ck_assert_path(ippc_ipython_dir(), "/");
    env("~/x", "");
    ck_assert_path(ippc_ipython_dir(), "/x");
    struct passwd *pw = getpwuid(0);
    ck_assert_ptr_nonnull(pw);
    char *want = ippc_strdup_printf("~%s/ipy", pw->pw_name);
    char *home_ipy = ippc_strdup_printf("%s/ipy", strcmp(pw->pw_dir, "/") == 0 ? "" : pw->pw_dir);
    env(want, "/elsewhere");
    ck_assert_path(ippc_ipython_dir(), home_ipy);
    free(want);
    free(home_ipy);
    env("~no-such-user-ippc/x", "/elsewhere");
    ck_assert_path(ippc_ipython_dir(), "~no-such-user-ippc/x");
}
END_TEST

START_TEST(deprecated_ipython_dir_is_a_fallback)
{
    env(NULL, "/home/nobody");
    setenv("IPYTHON_DIR", "/old/style", 1);
    ck_assert_path(ippc_ipython_dir(), "/old/style");
    setenv("IPYTHONDIR", "/new/style", 1);
    ck_assert_path(ippc_ipython_dir(), "/new/style");
}
END_TEST

START_TEST(default_is_dot_ipython_in_the_real_home)
{
    char *dir = ft_tmpdir();
    char *real = realpath(dir, NULL);
    char *link = ft_path(dir, "link");
    char *home = ft_path(dir, "home");
    ck_assert_int_eq(mkdir(home, 0700), 0);
    ck_assert_int_eq(symlink(home, link), 0);
    char *want = ippc_strdup_printf("%s/home/.ipython", real);

    env(NULL, home);
    ck_assert_path(ippc_ipython_dir(), want);
    env(NULL, link); /* IPython's get_home_dir resolves symlinks */
    ck_assert_path(ippc_ipython_dir(), want);
    env(NULL, "/no/such/home/");
    ck_assert_path(ippc_ipython_dir(), "/no/such/home/.ipython");
    env(NULL, "/");
    ck_assert_path(ippc_ipython_dir(), "/.ipython");

    free(want);
    free(home);
    free(link);
    free(real);
    ft_rmtree(dir);
}
END_TEST

START_TEST(without_home_the_password_database_is_used)
{
    struct passwd *pw = getpwuid(getuid());
    ck_assert_ptr_nonnull(pw);
    char *real = realpath(pw->pw_dir, NULL);
    const char *h = real ? real : pw->pw_dir;
    char *want = ippc_strdup_printf("%s/.ipython", strcmp(h, "/") == 0 ? "" : h);
    env(NULL, NULL);
    ck_assert_path(ippc_ipython_dir(), want);
    free(want);
    free(real);
}
END_TEST

START_TEST(profile_dir_defaults_to_profile_default)
{
    env("/ipy", "/home/nobody");
    ck_assert_path(ippc_profile_dir(NULL), "/ipy/profile_default");
    ck_assert_path(ippc_profile_dir(""), "/ipy/profile_default");
    ck_assert_path(ippc_profile_dir("mpi"), "/ipy/profile_mpi");
    env("/", "/home/nobody");
    ck_assert_path(ippc_profile_dir("x"), "/profile_x");
}
END_TEST

START_TEST(connection_file_names_follow_ipcontroller)
{
    ck_assert_path(ippc_connection_file_path("/p", NULL, "client"), "/p/security/ipcontroller-client.json");
    ck_assert_path(ippc_connection_file_path("/p", "", "engine"), "/p/security/ipcontroller-engine.json");
    ck_assert_path(ippc_connection_file_path("/p", "t1", "client"), "/p/security/ipcontroller-t1-client.json");
    ck_assert_path(ippc_connection_file_path("/p/", "1637-ab", "engine"),
                   "/p/security/ipcontroller-1637-ab-engine.json");
    ck_assert_ptr_null(ippc_connection_file_path("/p", "t1", "hub"));
    ck_assert_ptr_null(ippc_connection_file_path("/p", "t1", NULL));
    env("/ipy", "/home/nobody"); /* no profile dir: the default profile */
    ck_assert_path(ippc_connection_file_path(NULL, "t1", "engine"),
                   "/ipy/profile_default/security/ipcontroller-t1-engine.json");
}
END_TEST

START_TEST(cluster_file_names_follow_cluster)
{
    ck_assert_path(ippc_cluster_file_path("/p", "t1"), "/p/security/cluster-t1.json");
    /* ipcluster's default cluster id is "": Cluster.from_file() reads cluster-.json */
    ck_assert_path(ippc_cluster_file_path("/p", ""), "/p/security/cluster-.json");
    ck_assert_path(ippc_cluster_file_path("/p", NULL), "/p/security/cluster-.json");
    env("/ipy", "/home/nobody");
    ck_assert_path(ippc_cluster_file_path(NULL, "x"), "/ipy/profile_default/security/cluster-x.json");
}
END_TEST

static Suite *paths_suite(void)
{
    Suite *s = suite_create("paths");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, ipythondir_is_used_as_given_but_normalised);
    tcase_add_test(tc, ipythondir_tilde_is_expanded);
    tcase_add_test(tc, deprecated_ipython_dir_is_a_fallback);
    tcase_add_test(tc, default_is_dot_ipython_in_the_real_home);
    tcase_add_test(tc, without_home_the_password_database_is_used);
    tcase_add_test(tc, profile_dir_defaults_to_profile_default);
    tcase_add_test(tc, connection_file_names_follow_ipcontroller);
    tcase_add_test(tc, cluster_file_names_follow_cluster);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(paths_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
