#!/usr/bin/env bash
# exports.sh - libippc.so exports exactly the functions ippc.h declares with IPPC_EXPORT,
# all named ippc_*, and ippc.pc lets a program compile and link against it.
. "$top_srcdir/tests/integration/lib.sh"

so=$(ls "$top_builddir"/lib/.libs/libippc.so 2>/dev/null) || skip "no shared library in this build (--disable-shared)"

nm -D --defined-only "$so" | awk '$2 ~ /^[TDBRVW]$/ {print $3}' | sort -u > "$TMP/exported"
grep -v '^#' "$top_srcdir/lib/ippc.h" | grep -o 'IPPC_EXPORT[^(]*(' | sed -E 's/.*[ *](ippc_[a-z0-9_]+)\($/\1/' | sort -u > "$TMP/declared"

bad=$(grep -v '^ippc_' "$TMP/exported" || true)
[ -z "$bad" ] && ok "every exported symbol is ippc_*" || fail "exported symbols outside ippc_*: $bad"

missing=$(comm -13 "$TMP/exported" "$TMP/declared")
[ -z "$missing" ] && ok "every declared function is exported ($(wc -l < "$TMP/declared") functions)" \
    || fail "declared in ippc.h but not exported (not implemented?): $missing"

extra=$(comm -23 "$TMP/exported" "$TMP/declared")
[ -z "$extra" ] && ok "nothing exported beyond ippc.h" || fail "exported but not in ippc.h: $extra"

# A program built the way a user builds one: the installed-style header and pc file.
cat > "$TMP/hello.c" <<'C'
#include <ippc.h>
#include <stdio.h>
#include <stdlib.h>
int main(void) {
    ippc_value_t *v = ippc_value_new_list();
    for (int i = 0; i < 3; i++) ippc_value_append(v, ippc_value_new_int(i * 21));
    char *r = ippc_value_repr(v);
    printf("%s %s\n", ippc_version(), r);
    free(r);
    ippc_value_destroy(&v);
    return 0;
}
C
if cc -I"$top_srcdir/lib" "$TMP/hello.c" -L"$top_builddir/lib/.libs" -lippc -o "$TMP/hello" 2>"$TMP/cc.err"; then
    out=$(LD_LIBRARY_PATH="$top_builddir/lib/.libs" "$TMP/hello")
    [ "$out" = "0.1.0 [0, 21, 42]" ] && ok "a program links against libippc and runs" || fail "hello printed '$out'"
else
    fail "hello.c did not build: $(cat "$TMP/cc.err")"
fi
finish
