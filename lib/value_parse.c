/* value_parse.c - ippc_value_parse: Python literals as a user types them after
 * `ippctl push a=`. A recursive-descent parser over the subset of Python expressions
 * that are plain data:
 *
 *   None True False, ints (decimal, 0x 0o 0b, '_' separators, unary - and +),
 *   floats (1.5 1e3 .5 2.), float('inf') / float("nan") / float('-inf'),
 *   strings and bytes with r/b/u prefixes, triple quotes, escapes and implicit
 *   concatenation, [lists], (tuples), {dicts with str keys}, range(a[, b[, c]]).
 *
 * Errors are IPPC_E_PARSE "at column N: expected ..." (columns count characters from 1;
 * "line L, column N" once the text spans lines). */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error_int.h"
#include "strbuf.h"
#include "value_codec.h" /* IPPC_VALUE_MAX_DEPTH */
#include "value_int.h"

typedef struct {
    const char *text;
    size_t pos;
    int depth;
    ippc_error_t **err;
} parser_t;

static ippc_value_t *parse_value(parser_t *p);

/* ------------------------------------------------------------------ errors */

/* Human position of byte offset `at`: 1-based character column (and line). */
static void describe_position(const char *text, size_t at, char *out, size_t size)
{
    size_t line = 1, col = 1;
    for (size_t i = 0; i < at && text[i]; i++) {
        if (text[i] == '\n') {
            line++;
            col = 1;
        } else if (((unsigned char)text[i] & 0xc0) != 0x80) {
            col++;
        }
    }
    if (line > 1 || strchr(text, '\n'))
        snprintf(out, size, "line %zu, column %zu", line, col);
    else
        snprintf(out, size, "column %zu", col);
}

__attribute__((format(printf, 3, 4))) static ippc_value_t *fail_at(parser_t *p, size_t at, const char *fmt, ...)
{
    char where[64], msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    describe_position(p->text, at, where, sizeof where);
    ippc_error_set(p->err, IPPC_E_PARSE, "at %s: %s", where, msg);
    return NULL;
}

static ippc_value_t *nomem(parser_t *p)
{
    ippc_error_set(p->err, IPPC_E_NOMEM, "out of memory parsing a literal");
    return NULL;
}

/* The character at the current position, described for "expected X, got Y" messages. */
static const char *got(const parser_t *p, char buf[16])
{
    unsigned char c = (unsigned char)p->text[p->pos];
    if (c == '\0')
        return "end of input";
    if (c >= 0x20 && c < 0x7f)
        snprintf(buf, 16, "'%c'", c);
    else
        snprintf(buf, 16, "byte 0x%02x", c);
    return buf;
}

static ippc_value_t *expected(parser_t *p, const char *what)
{
    char buf[16];
    return fail_at(p, p->pos, "expected %s, got %s", what, got(p, buf));
}

/* ------------------------------------------------------------------ lexing */

static char peek(const parser_t *p) { return p->text[p->pos]; }

static void skip_ws(parser_t *p)
{
    while (peek(p) && strchr(" \t\r\n\f\v", peek(p)))
        p->pos++;
}

/* Consume c (after whitespace) if it is next. */
static bool accept(parser_t *p, char c)
{
    skip_ws(p);
    if (peek(p) != c)
        return false;
    p->pos++;
    return true;
}

static bool is_ident_start(char c) { return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
static bool is_digit(char c) { return c >= '0' && c <= '9'; }
static bool is_ident(char c) { return is_ident_start(c) || is_digit(c); }

/* The identifier at the current position (not consumed); its length. */
static size_t ident_len(const parser_t *p)
{
    size_t n = 0;
    if (is_ident_start(p->text[p->pos]))
        while (is_ident(p->text[p->pos + n]))
            n++;
    return n;
}

static int digit_value(char c)
{
    if (is_digit(c))
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return 99;
}

/* ----------------------------------------------------------------- numbers */

/* Digits of one base with single '_' between them (Python's rule), into an unsigned
 * magnitude; *overflow is set past UINT64_MAX. Returns the digit count or -1 on a
 * misplaced '_'. lead_underscore: allowed right after a 0x prefix. */
static int scan_digits(parser_t *p, int base, bool lead_underscore, uint64_t *mag, bool *overflow)
{
    int count = 0;
    for (;;) {
        char c = peek(p);
        if (c == '_') {
            if ((count == 0 && !lead_underscore) || digit_value(p->text[p->pos + 1]) >= base)
                return -1;
            p->pos++;
            continue;
        }
        int d = digit_value(c);
        if (d >= base)
            return count;
        if (*mag > (UINT64_MAX - (uint64_t)d) / (uint64_t)base)
            *overflow = true;
        *mag = *mag * (uint64_t)base + (uint64_t)d;
        p->pos++;
        count++;
    }
}

/* The float value of the literal text [start, pos), its '_' separators removed for strtod. */
static ippc_value_t *finish_float(parser_t *p, size_t start, bool negative)
{
    strbuf_t sb;
    strbuf_init(&sb);
    for (size_t i = start; i < p->pos; i++)
        if (p->text[i] != '_')
            strbuf_putc(&sb, p->text[i]);
    char *text = strbuf_release(&sb);
    if (!text)
        return nomem(p);
    double d = strtod(text, NULL); /* the literal is well formed: overflow gives inf, as Python */
    free(text);
    ippc_value_t *v = ippc_value_new_float(negative ? -d : d);
    return v ? v : nomem(p);
}

/* After the integer part: an optional fraction and exponent. Returns 1 when the
 * literal turned out to be a float, 0 for an int, -1 when malformed. */
static int scan_float_tail(parser_t *p, bool had_digits)
{
    uint64_t ignore = 0;
    bool ovf = false, is_float = false;
    if (peek(p) == '.') {
        p->pos++;
        is_float = true;
        if (is_digit(peek(p)) && scan_digits(p, 10, false, &ignore, &ovf) < 0)
            return -1;
        if (!had_digits && !is_digit(p->text[p->pos - 1]))
            return -1;
    }
    if (peek(p) == 'e' || peek(p) == 'E') {
        p->pos++;
        if (peek(p) == '+' || peek(p) == '-')
            p->pos++;
        if (!is_digit(peek(p)) || scan_digits(p, 10, false, &ignore, &ovf) < 0)
            return -1;
        is_float = true;
    }
    return is_float;
}

static ippc_value_t *make_int(parser_t *p, size_t start, uint64_t mag, bool overflow, bool negative)
{
    uint64_t limit = negative ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    if (overflow || mag > limit)
        return fail_at(p, start, "integer out of range for int64");
    int64_t i = negative ? (int64_t)(0 - mag) : (int64_t)mag;
    ippc_value_t *v = ippc_value_new_int(i);
    return v ? v : nomem(p);
}

/* A number literal at the current position; `negative` from unary minus signs. */
static ippc_value_t *parse_number(parser_t *p, bool negative)
{
    size_t start = p->pos;
    uint64_t mag = 0;
    bool overflow = false;
    char c1 = p->text[p->pos + 1];
    int base = peek(p) != '0' ? 10 : (c1 == 'x' || c1 == 'X') ? 16 : (c1 == 'o' || c1 == 'O') ? 8
                                                                 : (c1 == 'b' || c1 == 'B') ? 2 : 10;
    if (base != 10) {
        p->pos += 2;
        if (scan_digits(p, base, true, &mag, &overflow) <= 0)
            return fail_at(p, start, "invalid base-%d literal", base);
    } else if (peek(p) != '.' && scan_digits(p, 10, false, &mag, &overflow) < 0) {
        return fail_at(p, start, "invalid decimal literal");
    }
    if (base == 10) {
        int f = scan_float_tail(p, p->pos > start);
        if (f < 0)
            return fail_at(p, start, "invalid decimal literal");
        if (f)
            return finish_float(p, start, negative);
        if (p->text[start] == '0' && mag != 0)
            return fail_at(p, start, "leading zeros in decimal integer literals are not permitted");
    }
    if (peek(p) == 'j' || peek(p) == 'J')
        return fail_at(p, start, "complex numbers are not supported");
    if (is_ident(peek(p)) || peek(p) == '.')
        return fail_at(p, p->pos, "invalid character in number");
    return make_int(p, start, mag, overflow, negative);
}

/* Unary + and - in front of a value: numbers fold the sign into the literal (so that
 * -9223372036854775808 fits), other values must turn out to be int or float. */
static ippc_value_t *parse_signed(parser_t *p)
{
    size_t start = p->pos;
    bool negative = false;
    for (skip_ws(p); peek(p) == '-' || peek(p) == '+'; skip_ws(p))
        negative ^= p->text[p->pos++] == '-';
    if (is_digit(peek(p)) || (peek(p) == '.' && is_digit(p->text[p->pos + 1])))
        return parse_number(p, negative);
    /* the loop took every sign, so this does not recurse back here */
    ippc_value_t *v = parse_value(p);
    if (v && v->type == IPPC_T_FLOAT) {
        v->u.d = negative ? -v->u.d : v->u.d;
        return v;
    }
    if (v && v->type == IPPC_T_INT && (!negative || v->u.i != INT64_MIN)) {
        v->u.i = negative ? -v->u.i : v->u.i;
        return v;
    }
    if (!v)
        return NULL;
    ippc_value_destroy(&v);
    return fail_at(p, start, "bad operand for unary %c: only numbers take a sign", p->text[start]);
}

/* ----------------------------------------------------------------- strings */

typedef struct {
    bool raw, bytes;
    char quote;
    bool triple;
} strlit_t;

/* String prefix letters (r, b, u in any case and order Python allows). Returns false
 * when the identifier at the position is not a string prefix followed by a quote. */
static bool scan_prefix(parser_t *p, strlit_t *s)
{
    size_t n = 0;
    *s = (strlit_t){0};
    char c0 = p->text[p->pos];
    if (c0 == 'u' || c0 == 'U') { /* u'' stands alone */
        n = 1;
    } else {
        for (; n < 2; n++) {
            char c = p->text[p->pos + n];
            if ((c == 'r' || c == 'R') && !s->raw)
                s->raw = true;
            else if ((c == 'b' || c == 'B') && !s->bytes)
                s->bytes = true;
            else
                break;
        }
    }
    char q = p->text[p->pos + n];
    if (q != '\'' && q != '"')
        return false;
    p->pos += n;
    return true;
}

/* \xhh, \uhhhh, \Uhhhhhhhh: exactly `count` hex digits. */
static int scan_hex(parser_t *p, int count, uint32_t *out)
{
    uint32_t v = 0;
    for (int i = 0; i < count; i++) {
        int d = digit_value(p->text[p->pos + (size_t)i]);
        if (d >= 16)
            return -1;
        v = v * 16 + (uint32_t)d;
    }
    p->pos += (size_t)count;
    *out = v;
    return 0;
}

/* Append code point cp (str) or byte (bytes, where octal escapes wrap like Python's). */
static int put_cp(parser_t *p, strbuf_t *sb, const strlit_t *s, uint32_t cp, size_t at)
{
    char u[4];
    if (s->bytes) {
        strbuf_putc(sb, (char)(cp & 0xff));
        return 0;
    }
    size_t n = ippc_utf8_encode(cp, u);
    if (n == 0) {
        fail_at(p, at, "code point U+%04X cannot be held in a UTF-8 string", (unsigned)cp);
        return -1;
    }
    strbuf_putn(sb, u, n);
    return 0;
}

/* One backslash escape (the backslash already consumed). */
static int parse_escape(parser_t *p, strbuf_t *sb, const strlit_t *s)
{
    size_t at = p->pos - 1;
    char c = peek(p);
    uint32_t cp;
    int simple = ippc_unescape_letter(c);
    if (c == '\n') {
        p->pos++; /* line continuation */
        return 0;
    }
    if (simple >= 0) {
        p->pos++;
        strbuf_putc(sb, (char)simple);
        return 0;
    }
    if (c >= '0' && c <= '7') {
        cp = 0;
        for (int i = 0; i < 3 && peek(p) >= '0' && peek(p) <= '7'; i++)
            cp = cp * 8 + (uint32_t)(p->text[p->pos++] - '0');
        return put_cp(p, sb, s, cp, at);
    }
    int hex = c == 'x' ? 2 : s->bytes ? 0 : c == 'u' ? 4 : c == 'U' ? 8 : 0;
    if (hex) {
        p->pos++;
        if (scan_hex(p, hex, &cp) != 0) {
            fail_at(p, at, "truncated \\%c escape", c);
            return -1;
        }
        return put_cp(p, sb, s, cp, at);
    }
    if (c == 'N' && !s->bytes) {
        fail_at(p, at, "\\N{...} escapes are not supported");
        return -1;
    }
    strbuf_putc(sb, '\\'); /* Python keeps unknown escapes as they are */
    return 0;
}

static bool at_close(const parser_t *p, const strlit_t *s)
{
    const char *t = p->text + p->pos;
    return t[0] == s->quote && (!s->triple || (t[1] == s->quote && t[2] == s->quote));
}

/* The body of one string literal after its prefix; appends to sb. */
static int parse_string_body(parser_t *p, strbuf_t *sb, strlit_t *s)
{
    size_t start = p->pos;
    s->quote = peek(p);
    s->triple = p->text[p->pos + 1] == s->quote && p->text[p->pos + 2] == s->quote;
    p->pos += s->triple ? 3 : 1;
    while (!at_close(p, s)) {
        char c = peek(p);
        if (c == '\0' || (c == '\n' && !s->triple)) {
            fail_at(p, start, "unterminated string literal");
            return -1;
        }
        if (s->bytes && (unsigned char)c >= 0x80) {
            fail_at(p, p->pos, "bytes can only contain ASCII literal characters");
            return -1;
        }
        p->pos++;
        if (c != '\\') {
            strbuf_putc(sb, c);
        } else if (!s->raw) {
            if (parse_escape(p, sb, s) != 0)
                return -1;
        } else if (peek(p)) { /* raw: the backslash stays, and hides the next character */
            strbuf_putc(sb, c);
            if ((unsigned char)peek(p) < 0x80 || !s->bytes)
                strbuf_putc(sb, p->text[p->pos++]);
        }
    }
    p->pos += s->triple ? 3 : 1;
    return 0;
}

/* One or more adjacent string literals ('a' "b" -> 'ab'), all str or all bytes. */
static ippc_value_t *parse_strings(parser_t *p)
{
    strbuf_t sb;
    strlit_t s;
    size_t start = p->pos;
    int kind = -1; /* 0 str, 1 bytes */
    strbuf_init(&sb);
    for (;;) {
        skip_ws(p);
        size_t at = p->pos;
        if (!scan_prefix(p, &s))
            break;
        if (kind >= 0 && kind != s.bytes) {
            strbuf_free(&sb);
            return fail_at(p, at, "cannot mix bytes and nonbytes literals");
        }
        kind = s.bytes;
        if (parse_string_body(p, &sb, &s) != 0) {
            strbuf_free(&sb);
            return NULL;
        }
    }
    if (sb.failed) {
        strbuf_free(&sb);
        return nomem(p);
    }
    ippc_value_t *v = kind == 1 ? ippc_value_new_bytes(sb.data, sb.len) : ippc_value_new_strn(sb.data, sb.len);
    bool valid = kind == 1 || ippc_utf8_valid(sb.data, sb.len);
    strbuf_free(&sb);
    if (!valid)
        return fail_at(p, start, "string is not valid UTF-8");
    return v ? v : nomem(p);
}

/* -------------------------------------------------------------- containers */

static bool enter(parser_t *p)
{
    if (p->depth >= IPPC_VALUE_MAX_DEPTH) {
        fail_at(p, p->pos, "more than %d nested containers", IPPC_VALUE_MAX_DEPTH);
        return false;
    }
    p->depth++;
    return true;
}

/* Items up to `close` into seq (the opening bracket consumed). *commas tells a
 * parenthesized value "(1)" from a tuple "(1,)". */
static ippc_value_t *parse_items(parser_t *p, ippc_value_t *seq, char close, const char *what, size_t *commas)
{
    *commas = 0;
    for (;;) {
        if (accept(p, close))
            return seq;
        ippc_value_t *item = parse_value(p);
        if (!item) {
            ippc_value_destroy(&seq);
            return NULL;
        }
        if (ippc_value_append(seq, item) != 0) {
            ippc_value_destroy(&seq);
            return nomem(p);
        }
        if (accept(p, ',')) {
            (*commas)++;
            continue;
        }
        if (accept(p, close))
            return seq;
        ippc_value_destroy(&seq);
        return expected(p, what);
    }
}

static ippc_value_t *parse_list(parser_t *p)
{
    size_t commas;
    p->pos++;
    ippc_value_t *l = ippc_value_new_list();
    return l ? parse_items(p, l, ']', "',' or ']'", &commas) : nomem(p);
}

/* "()" the empty tuple, "(x)" just x, "(x,)" and "(x, y)" tuples. */
static ippc_value_t *parse_paren(parser_t *p)
{
    size_t commas;
    p->pos++;
    ippc_value_t *t = ippc_value_new_tuple();
    if (!t)
        return nomem(p);
    t = parse_items(p, t, ')', "',' or ')'", &commas);
    if (!t || t->u.seq.n != 1 || commas > 0)
        return t;
    ippc_value_t *inner = t->u.seq.items[0];
    t->u.seq.n = 0;
    ippc_value_destroy(&t);
    return inner;
}

static int parse_dict_item(parser_t *p, ippc_value_t *d)
{
    skip_ws(p);
    size_t at = p->pos;
    ippc_value_t *k = parse_value(p);
    if (!k)
        return -1;
    if (k->type != IPPC_T_STR) {
        ippc_value_destroy(&k);
        fail_at(p, at, "dict keys must be strings");
        return -1;
    }
    ippc_value_t *v = accept(p, ':') ? parse_value(p) : expected(p, "':'");
    int rc = v ? ippc_value_dict_setn(d, k->u.str.s, k->u.str.len, v) : -1;
    if (v && rc != 0)
        nomem(p);
    ippc_value_destroy(&k);
    return rc;
}

static ippc_value_t *parse_dict(parser_t *p)
{
    p->pos++;
    ippc_value_t *d = ippc_value_new_dict();
    if (!d)
        return nomem(p);
    for (;;) {
        if (accept(p, '}'))
            return d;
        if (parse_dict_item(p, d) != 0) {
            ippc_value_destroy(&d);
            return NULL;
        }
        if (accept(p, ','))
            continue;
        if (accept(p, '}'))
            return d;
        ippc_value_destroy(&d);
        return expected(p, "',' or '}'");
    }
}

/* ------------------------------------------------------------------ calls */

/* Call arguments "(a, b)" of range() or float(): at most max values. */
static ippc_value_t *parse_args(parser_t *p, size_t max, const char *name)
{
    size_t commas, at;
    skip_ws(p);
    at = p->pos;
    if (peek(p) != '(')
        return expected(p, "'('");
    p->pos++;
    ippc_value_t *args = ippc_value_new_tuple();
    if (!args)
        return nomem(p);
    args = parse_items(p, args, ')', "',' or ')'", &commas);
    if (args && (args->u.seq.n == 0 || args->u.seq.n > max)) {
        ippc_value_destroy(&args);
        return fail_at(p, at, "%s() takes 1 to %zu arguments", name, max);
    }
    return args;
}

static ippc_value_t *parse_range(parser_t *p)
{
    size_t at = p->pos;
    ippc_value_t *args = parse_args(p, 3, "range");
    if (!args)
        return NULL;
    int64_t a[3] = {0, 0, 1};
    size_t n = args->u.seq.n;
    for (size_t i = 0; i < n; i++) {
        if (args->u.seq.items[i]->type != IPPC_T_INT) {
            ippc_value_destroy(&args);
            return fail_at(p, at, "range() arguments must be integers");
        }
        a[n == 1 ? 1 : i] = args->u.seq.items[i]->u.i;
    }
    ippc_value_destroy(&args);
    if (a[2] == 0)
        return fail_at(p, at, "range() arg 3 must not be zero");
    ippc_value_t *v = ippc_value_new_range(a[0], a[1], a[2]);
    return v ? v : nomem(p);
}

/* float(x): a number, or a string such as 'inf', '-inf', 'nan', '1e5'. */
static ippc_value_t *parse_float_call(parser_t *p)
{
    size_t at = p->pos;
    ippc_value_t *args = parse_args(p, 1, "float");
    if (!args)
        return NULL;
    ippc_value_t *x = args->u.seq.items[0];
    double d = 0;
    bool ok = true;
    if (x->type == IPPC_T_INT || x->type == IPPC_T_FLOAT) {
        d = ippc_value_float(x);
    } else if (x->type == IPPC_T_STR) {
        char *end;
        const char *s = x->u.str.s;
        while (*s == ' ' || *s == '\t' || *s == '\n')
            s++;
        d = strtod(s, &end);
        while (*end == ' ' || *end == '\t' || *end == '\n')
            end++;
        /* strtod also takes hex floats and "nan(...)", Python's float() does not */
        ok = end != s && *end == '\0' && (size_t)(end - x->u.str.s) == x->u.str.len &&
             !strpbrk(s, "xX(");
    } else {
        ok = false;
    }
    ippc_value_destroy(&args);
    if (!ok)
        return fail_at(p, at, "float() argument must be a number or a numeric string");
    ippc_value_t *v = ippc_value_new_float(d);
    return v ? v : nomem(p);
}

/* None, True, False, range(...), float(...), or a string prefix. */
static ippc_value_t *parse_name(parser_t *p)
{
    size_t at = p->pos, n = ident_len(p);
    strlit_t s;
    if (scan_prefix(p, &s)) {
        p->pos = at;
        return parse_strings(p);
    }
    const char *id = p->text + at;
    p->pos += n;
    ippc_value_t *v;
#define IS(name) (n == strlen(name) && strncmp(id, name, n) == 0)
    if (IS("None"))
        v = ippc_value_new_none();
    else if (IS("True") || IS("False"))
        v = ippc_value_new_bool(IS("True"));
    else if (IS("range"))
        return parse_range(p);
    else if (IS("float"))
        return parse_float_call(p);
    else
        return fail_at(p, at, "unknown name '%.*s' (expected a literal)", (int)(n > 40 ? 40 : n), id);
#undef IS
    return v ? v : nomem(p);
}

/* ------------------------------------------------------------------ values */

static ippc_value_t *parse_container(parser_t *p, char c)
{
    if (!enter(p))
        return NULL;
    ippc_value_t *v = c == '[' ? parse_list(p) : c == '(' ? parse_paren(p) : parse_dict(p);
    p->depth--;
    return v;
}

static ippc_value_t *parse_value(parser_t *p)
{
    skip_ws(p);
    char c = peek(p);
    if (c == '[' || c == '(' || c == '{')
        return parse_container(p, c);
    if (c == '\'' || c == '"')
        return parse_strings(p);
    if (c == '-' || c == '+')
        return parse_signed(p);
    if (is_digit(c) || (c == '.' && is_digit(p->text[p->pos + 1])))
        return parse_number(p, false);
    if (is_ident_start(c))
        return parse_name(p);
    return expected(p, "a literal");
}

ippc_value_t *ippc_value_parse(const char *text, ippc_error_t **err)
{
    if (!text) {
        ippc_error_set(err, IPPC_E_INVALID, "ippc_value_parse: text is NULL");
        return NULL;
    }
    parser_t p = {text, 0, 0, err};
    ippc_c_locale_t loc;
    ippc_c_locale_enter(&loc);
    ippc_value_t *v = parse_value(&p);
    skip_ws(&p);
    if (v && peek(&p) != '\0') {
        ippc_value_destroy(&v);
        expected(&p, "end of input");
    }
    ippc_c_locale_leave(&loc);
    return v;
}
