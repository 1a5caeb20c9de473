/* pmix_lsan.h - included once by each PMIx test program: in sanitizer builds, tell
 * LeakSanitizer that OpenPMIx's own allocations (a few bytes strdup'd in PMIx_Init and
 * never freed, even by PMIx_Finalize) are not ours, so they do not fail the test. */
#ifndef IPPC_PMIX_LSAN_H
#define IPPC_PMIX_LSAN_H

#if defined(__SANITIZE_ADDRESS__)
__attribute__((visibility("default"), used)) const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void) { return "leak:libpmix.so\n"; }
__attribute__((visibility("default"), used)) const char *__lsan_default_options(void);
const char *__lsan_default_options(void) { return "print_suppressions=0"; }
#endif

#endif
