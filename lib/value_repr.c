/* value_repr.c - ippc_value_repr: Python 3.11's repr() of values, and numpy 1.24's
 * repr() of arrays (default print options) for ndarrays.
 *
 * Floats print as Python does (the shortest digits that read back, 1e+16 / 1e-05
 * thresholds); ndarrays follow numpy's arrayprint.py step by step (FloatingFormat,
 * IntegerFormat, BoolFormat, ComplexFloatingFormat, _formatArray with line wrapping
 * at 75 columns and summarization with '...' above 1000 items). */
#include "config.h"

#include <inttypes.h>
#include <math.h> /* isnan, signbit...: macros, libippc does not link libm */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"
#include "value_int.h"

/* numpy's default print options */
#define NP_PRECISION 8
#define NP_THRESHOLD 1000
#define NP_EDGEITEMS 3
#define NP_LINEWIDTH 75

static void repr_value(strbuf_t *sb, const ippc_value_t *v);

/* ===================================================== half precision floats */

/* Round to the nearest half (ties to even), as numpy's npy_double_to_half does; by
 * bits, so that libippc does not need libm. */
static uint16_t half_from_double(double d)
{
    uint64_t b;
    memcpy(&b, &d, sizeof b);
    uint16_t sign = (uint16_t)((b >> 48) & 0x8000);
    int biased = (int)((b >> 52) & 0x7ff), e = biased - 1023;
    uint64_t sig = (b & 0xfffffffffffffULL) | (1ULL << 52);
    if (biased == 0x7ff)
        return sign | ((b & 0xfffffffffffffULL) ? 0x7e00 : 0x7c00);
    if (biased == 0 || e < -35) /* far below half the smallest subnormal (2^-25) */
        return sign;
    if (e > 15)
        return sign | 0x7c00;
    /* keep 11 significant bits for normal halves, fewer for subnormal ones */
    int shift = 42 + (e < -14 ? -14 - e : 0);
    uint64_t kept = sig >> shift, rem = sig & ((1ULL << shift) - 1), halfway = 1ULL << (shift - 1);
    if (rem > halfway || (rem == halfway && (kept & 1)))
        kept++;
    if (e < -14) /* subnormal; 1024 units is the smallest normal and its bits agree */
        return sign | (uint16_t)kept;
    int he = e + 15;
    if (kept == 2048) {
        kept = 1024;
        he++;
    }
    return he >= 31 ? sign | 0x7c00 : sign | (uint16_t)(he << 10) | (uint16_t)(kept - 1024);
}

/* |x| without libm (fabsl) */
static long double abs_ld(long double x) { return signbit(x) ? -x : x; }

/* ======================================================= shortest float digits */

/* Does the decimal text read back as x in the precision of kind? */
static bool reads_back(const char *text, long double x, ippc_fp_kind_t kind)
{
    switch (kind) {
    case IPPC_FP_HALF:
        return half_from_double(strtod(text, NULL)) == half_from_double((double)x);
    case IPPC_FP_SINGLE:
        return strtof(text, NULL) == (float)x;
    case IPPC_FP_DOUBLE:
        return strtod(text, NULL) == (double)x;
    default:
        return strtold(text, NULL) == x;
    }
}

/* Split "%.Ne" output ("1.2500e-03") into digits without trailing zeros and the exponent. */
static void split_sci(const char *text, char digits[48], int *exp)
{
    size_t n = 0;
    const char *p = text;
    for (; *p && *p != 'e' && n < 47; p++)
        if (*p >= '0' && *p <= '9')
            digits[n++] = *p;
    while (n > 1 && digits[n - 1] == '0')
        n--;
    digits[n] = '\0';
    *exp = *p == 'e' ? atoi(p + 1) : 0;
}

/* Add one unit in the last place to a decimal "d.ddde±x" text, in place (with carry). */
static void bump_sci(char *text, size_t size)
{
    char *e = strchr(text, 'e');
    char *p = e - 1;
    for (; p >= text; p--) {
        if (*p == '.')
            continue;
        if (*p != '9') {
            (*p)++;
            return;
        }
        *p = '0';
    }
    /* all nines: 9.99e5 + ulp = 1.00e6 */
    int exp = atoi(e + 1) + 1;
    text[0] = '1';
    snprintf(e, size - (size_t)(e - text), "e%+d", exp);
}

void ippc_fp_shortest(long double x, ippc_fp_kind_t kind, char digits[48], int *exp)
{
    char text[64];
    x = abs_ld(x);
    if (x == 0) {
        strcpy(digits, "0");
        *exp = 0;
        return;
    }
    for (int p = 0; p < 40; p++) {
        /* printf rounds correctly, so this is the nearest p+1 digit decimal */
        snprintf(text, sizeof text, "%.*Le", p, x);
        if (reads_back(text, x, kind))
            break;
        /* At a power of two the gap to the next float below is half the gap above,
         * so the nearest decimal may miss below while the one above reads back.
         * (Elsewhere the interval is symmetric and this try simply fails.) */
        if (strtold(text, NULL) < x) {
            bump_sci(text, sizeof text);
            if (reads_back(text, x, kind))
                break;
        }
    }
    split_sci(text, digits, exp);
}

/* ============================================================ Python scalars */

static void put_zeros(strbuf_t *sb, int n)
{
    for (int i = 0; i < n; i++)
        strbuf_putc(sb, '0');
}

/* repr(float): fixed notation for exponents -4 < decpt <= 16, else d.ddde+XX. */
static void repr_float(strbuf_t *sb, double d)
{
    if (isnan(d)) {
        strbuf_puts(sb, "nan");
        return;
    }
    if (signbit(d))
        strbuf_putc(sb, '-');
    if (isinf(d)) {
        strbuf_puts(sb, "inf");
        return;
    }
    char digits[48];
    int exp;
    ippc_fp_shortest(d, IPPC_FP_DOUBLE, digits, &exp);
    int n = (int)strlen(digits), decpt = exp + 1;
    if (decpt > -4 && decpt <= 16) {
        if (decpt <= 0) {
            strbuf_puts(sb, "0.");
            put_zeros(sb, -decpt);
            strbuf_puts(sb, digits);
        } else if (n <= decpt) {
            strbuf_puts(sb, digits);
            put_zeros(sb, decpt - n);
            strbuf_puts(sb, ".0");
        } else {
            strbuf_putn(sb, digits, (size_t)decpt);
            strbuf_putc(sb, '.');
            strbuf_puts(sb, digits + decpt);
        }
        return;
    }
    strbuf_putc(sb, digits[0]);
    if (n > 1) {
        strbuf_putc(sb, '.');
        strbuf_puts(sb, digits + 1);
    }
    strbuf_printf(sb, "e%c%02d", exp < 0 ? '-' : '+', abs(exp));
}

/* Code points >= 0x80 that str.isprintable() rejects (Unicode 14.0, Python 3.11);
 * see the table at the end of this file. */
static bool unicode_printable(uint32_t cp);

/* Python's choice: single quotes, unless the text has ' and no ". */
static char pick_quote(const char *s, size_t len)
{
    return memchr(s, '\'', len) && !memchr(s, '"', len) ? '"' : '\'';
}

/* The escape of one character c (< 0x80, or any byte of a bytes object) if it needs
 * one; returns false when c stands for itself. */
static bool put_escaped_byte(strbuf_t *sb, unsigned c, char quote, bool is_bytes)
{
    char letter = ippc_escape_letter((unsigned char)c);
    if (c == (unsigned char)quote)
        letter = quote;
    if (letter) {
        strbuf_putc(sb, '\\');
        strbuf_putc(sb, letter);
    } else if (c < 0x20 || c == 0x7f || (is_bytes && c >= 0x80)) {
        strbuf_printf(sb, "\\x%02x", c);
    } else {
        return false;
    }
    return true;
}

static void repr_str(strbuf_t *sb, const char *s, size_t len)
{
    char quote = pick_quote(s, len);
    strbuf_putc(sb, quote);
    for (size_t i = 0; i < len;) {
        uint32_t cp;
        size_t n = ippc_utf8_decode(s + i, len - i, &cp);
        if (n == 0) { /* cannot happen for a valid str; show the byte rather than loop */
            cp = 0xfffd;
            n = 1;
        }
        if (cp < 0x80) {
            if (!put_escaped_byte(sb, cp, quote, false))
                strbuf_putc(sb, (char)cp);
        } else if (unicode_printable(cp)) {
            strbuf_putn(sb, s + i, n);
        } else if (cp <= 0xff) {
            strbuf_printf(sb, "\\x%02" PRIx32, cp);
        } else if (cp <= 0xffff) {
            strbuf_printf(sb, "\\u%04" PRIx32, cp);
        } else {
            strbuf_printf(sb, "\\U%08" PRIx32, cp);
        }
        i += n;
    }
    strbuf_putc(sb, quote);
}

static void repr_bytes(strbuf_t *sb, const unsigned char *s, size_t len)
{
    char quote = pick_quote((const char *)s, len);
    strbuf_putc(sb, 'b');
    strbuf_putc(sb, quote);
    for (size_t i = 0; i < len; i++)
        if (!put_escaped_byte(sb, s[i], quote, true))
            strbuf_putc(sb, (char)s[i]);
    strbuf_putc(sb, quote);
}

static void repr_seq(strbuf_t *sb, const ippc_value_t *v)
{
    bool tuple = v->type == IPPC_T_TUPLE;
    strbuf_putc(sb, tuple ? '(' : '[');
    for (size_t i = 0; i < v->u.seq.n; i++) {
        if (i)
            strbuf_puts(sb, ", ");
        repr_value(sb, v->u.seq.items[i]);
    }
    if (tuple && v->u.seq.n == 1)
        strbuf_putc(sb, ',');
    strbuf_putc(sb, tuple ? ')' : ']');
}

static void repr_dict(strbuf_t *sb, const ippc_value_t *v)
{
    strbuf_putc(sb, '{');
    for (size_t i = 0; i < v->u.dict.n; i++) {
        if (i)
            strbuf_puts(sb, ", ");
        repr_str(sb, v->u.dict.e[i].key, v->u.dict.e[i].klen);
        strbuf_puts(sb, ": ");
        repr_value(sb, v->u.dict.e[i].val);
    }
    strbuf_putc(sb, '}');
}

static void repr_range(strbuf_t *sb, const ippc_value_t *v)
{
    strbuf_printf(sb, "range(%" PRId64 ", %" PRId64, v->u.range.start, v->u.range.stop);
    if (v->u.range.step != 1)
        strbuf_printf(sb, ", %" PRId64, v->u.range.step);
    strbuf_putc(sb, ')');
}

/* ============================================================ numpy arrays */

static ippc_fp_kind_t fp_kind(size_t size)
{
    return size == 2 ? IPPC_FP_HALF : size == 4 ? IPPC_FP_SINGLE : size == 8 ? IPPC_FP_DOUBLE : IPPC_FP_LONG;
}

/* ------------------------------------------------------ the shown elements */

/* The flat indices numpy's _leading_trailing keeps: every index, or for summarized
 * arrays only the first and last NP_EDGEITEMS along each longer axis. */
typedef struct {
    size_t *idx;
    size_t n;
} shown_t;

static void collect_shown(const ippc_value_t *v, bool summarize, size_t axis, size_t base, shown_t *out)
{
    if (axis == v->u.nd.ndim) {
        out->idx[out->n++] = base;
        return;
    }
    size_t len = v->u.nd.shape[axis];
    size_t stride = 1;
    for (size_t k = axis + 1; k < v->u.nd.ndim; k++)
        stride *= v->u.nd.shape[k];
    bool cut = summarize && len > 2 * NP_EDGEITEMS;
    for (size_t i = 0; i < len; i++) {
        if (cut && i == NP_EDGEITEMS)
            i = len - NP_EDGEITEMS;
        collect_shown(v, summarize, axis + 1, base + i * stride, out);
    }
}

/* How many elements collect_shown yields (to size its array). */
static size_t count_shown(const ippc_value_t *v, bool summarize)
{
    size_t n = 1;
    for (size_t k = 0; k < v->u.nd.ndim; k++) {
        size_t len = v->u.nd.shape[k];
        n *= summarize && len > 2 * NP_EDGEITEMS ? 2 * NP_EDGEITEMS : len;
    }
    return n;
}

/* ------------------------------------------------------ FloatingFormat */

typedef struct {
    bool exp_format;
    bool plus;     /* sign='+' (imaginary parts) */
    int precision; /* fraction digits: at most NP_PRECISION, or the common width in exp format */
    int pad_left, pad_right, exp_size;
} float_fmt_t;

/* One number as Dragon4 prints it, in parts: sign and integer digits, fraction
 * digits, and (scientific only) the exponent. */
typedef struct {
    char int_part[48];
    char frac[64];
    int exp;
} fparts_t;

/* Drop trailing zeros of a fraction (numpy's trim='.'). */
static void trim_zeros(char *frac)
{
    size_t n = strlen(frac);
    while (n > 0 && frac[n - 1] == '0')
        frac[--n] = '\0';
}

static const char *sign_of(long double x, bool plus)
{
    return signbit(x) ? "-" : plus ? "+" : "";
}

/* Positional, unique digits but at most `precision` fraction digits (rounded).
 * exact_int: numpy's final pass (min_digits=0) prints every integer digit exactly
 * (float16 65504 is "65504.", not the shortest "65500."). */
static void dragon4_positional(long double x, ippc_fp_kind_t kind, int precision, bool plus, bool exact_int,
                               fparts_t *fp)
{
    char digits[48], text[128];
    int exp;
    const char *sign = sign_of(x, plus);
    ippc_fp_shortest(x, kind, digits, &exp);
    int n = (int)strlen(digits);
    /* too many fraction digits: round the exact value; digits that stop before the
     * units place mean x is a whole number, printed exactly when asked */
    if (n - 1 - exp > precision || (exact_int && n <= exp)) {
        snprintf(text, sizeof text, "%.*Lf", n <= exp ? 0 : precision, abs_ld(x));
        char *dot = strchr(text, '.');
        snprintf(fp->frac, sizeof fp->frac, "%s", dot ? dot + 1 : "");
        if (dot)
            *dot = '\0';
        snprintf(fp->int_part, sizeof fp->int_part, "%s%.40s", sign, text);
        trim_zeros(fp->frac);
        return;
    }
    strcpy(fp->int_part, sign);
    size_t il = strlen(fp->int_part);
    if (exp < 0) {
        strcat(fp->int_part, "0");
        snprintf(fp->frac, sizeof fp->frac, "%.*s%s", -exp - 1, "000000000000", digits);
        return;
    }
    for (int k = 0; k <= exp && il < sizeof fp->int_part - 1; k++)
        fp->int_part[il++] = k < n ? digits[k] : '0';
    fp->int_part[il] = '\0';
    snprintf(fp->frac, sizeof fp->frac, "%s", n > exp + 1 ? digits + exp + 1 : "");
}

/* Scientific, unique digits but at most `precision` digits after the point.
 * exact: numpy's final pass (min_digits=precision) continues with the exact digits
 * of x instead of zeros (float32 0.3 shows as 3.00000012e-01 next to longer values). */
static void dragon4_scientific(long double x, ippc_fp_kind_t kind, int precision, bool plus, bool exact,
                               fparts_t *fp)
{
    char digits[48], text[128];
    strcpy(fp->int_part, sign_of(x, plus));
    ippc_fp_shortest(x, kind, digits, &fp->exp);
    if (exact || (int)strlen(digits) - 1 > precision) {
        snprintf(text, sizeof text, "%.*Le", precision, abs_ld(x));
        split_sci(text, digits, &fp->exp);
    }
    size_t il = strlen(fp->int_part);
    fp->int_part[il] = digits[0];
    fp->int_part[il + 1] = '\0';
    snprintf(fp->frac, sizeof fp->frac, "%s", digits + 1);
}

static int exp_len(int exp)
{
    char t[16];
    return snprintf(t, sizeof t, "%+03d", exp) - 1; /* "+05" -> 2 digits */
}

static int max_int(int a, int b) { return a > b ? a : b; }

/* Value ratio in the array's own precision, as numpy divides np.float32 etc. */
static long double ratio_in_kind(long double a, long double b, ippc_fp_kind_t kind)
{
    switch (kind) {
    case IPPC_FP_HALF:
        return ippc_half_to_float(half_from_double((double)((float)a / (float)b)));
    case IPPC_FP_SINGLE:
        return (float)a / (float)b;
    case IPPC_FP_DOUBLE:
        return (double)a / (double)b;
    default:
        return a / b;
    }
}

/* numpy picks scientific notation from the non-zero finite magnitudes. */
static bool wants_exp_format(const long double *x, size_t n, ippc_fp_kind_t kind)
{
    long double lo = 0, hi = 0;
    for (size_t i = 0; i < n; i++) {
        long double a = abs_ld(x[i]);
        if (!isfinite(a) || a == 0)
            continue;
        if (hi == 0 || a < lo)
            lo = a;
        if (a > hi)
            hi = a;
    }
    return hi != 0 && (hi >= 1e8L || lo < 0.0001L || ratio_in_kind(hi, lo, kind) > 1000);
}

/* FloatingFormat.fillFormat (floatmode 'maxprec', suppress_small False). */
static void float_fmt_fill(float_fmt_t *f, const long double *x, size_t n, ippc_fp_kind_t kind, bool plus)
{
    *f = (float_fmt_t){.plus = plus, .precision = NP_PRECISION, .exp_size = -1};
    f->exp_format = wants_exp_format(x, n, kind);
    int max_frac = 0;
    bool any_finite = false, any_nonfinite = false, neg_inf = false;
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(x[i])) {
            any_nonfinite = true;
            neg_inf |= isinf(x[i]) && x[i] < 0;
            continue;
        }
        any_finite = true;
        fparts_t fp;
        if (f->exp_format) {
            dragon4_scientific(x[i], kind, NP_PRECISION, plus, false, &fp);
            f->exp_size = max_int(f->exp_size, exp_len(fp.exp));
        } else {
            dragon4_positional(x[i], kind, NP_PRECISION, plus, false, &fp);
        }
        f->pad_left = max_int(f->pad_left, (int)strlen(fp.int_part));
        max_frac = max_int(max_frac, (int)strlen(fp.frac));
    }
    if (any_finite && f->exp_format) {
        f->precision = max_frac;
        f->pad_right = f->exp_size + 2 + max_frac;
    } else if (any_finite) {
        f->pad_right = max_frac;
    }
    if (any_nonfinite) { /* room for "nan", "inf" or "-inf" */
        int offset = f->pad_right + 1;
        f->pad_left = max_int(f->pad_left, max_int(3 - offset, 3 + (plus || neg_inf) - offset));
    }
}

static void put_padded(strbuf_t *sb, const char *s, int width, bool left)
{
    int pad = width - (int)strlen(s);
    if (!left)
        for (int i = 0; i < pad; i++)
            strbuf_putc(sb, ' ');
    strbuf_puts(sb, s);
    if (left)
        for (int i = 0; i < pad; i++)
            strbuf_putc(sb, ' ');
}

/* FloatingFormat.__call__ */
static void float_fmt_put(strbuf_t *sb, const float_fmt_t *f, long double x, ippc_fp_kind_t kind)
{
    fparts_t fp;
    if (!isfinite(x)) {
        const char *s = isnan(x) ? (f->plus ? "+nan" : "nan") : x < 0 ? "-inf" : f->plus ? "+inf" : "inf";
        put_padded(sb, s, f->pad_left + f->pad_right + 1, false);
    } else if (f->exp_format) {
        dragon4_scientific(x, kind, f->precision, f->plus, true, &fp);
        put_padded(sb, fp.int_part, f->pad_left, false);
        strbuf_putc(sb, '.');
        put_padded(sb, fp.frac, f->precision, true);
        /* the fraction is padded with zeros (min_digits), not spaces */
        for (size_t k = sb->len - (size_t)f->precision; !sb->failed && k < sb->len; k++)
            if (sb->data[k] == ' ')
                sb->data[k] = '0';
        strbuf_printf(sb, "e%c%0*d", fp.exp < 0 ? '-' : '+', f->exp_size, abs(fp.exp));
    } else {
        dragon4_positional(x, kind, NP_PRECISION, f->plus, true, &fp);
        put_padded(sb, fp.int_part, f->pad_left, false);
        strbuf_putc(sb, '.');
        put_padded(sb, fp.frac, f->pad_right, true);
    }
}

/* ------------------------------------------------------ the element formatter */

typedef struct {
    const ippc_value_t *v;
    char kind; /* the dtype kind: b i u f c */
    ippc_fp_kind_t fkind;
    int int_width;        /* IntegerFormat */
    bool zero_d;          /* BoolFormat: no leading space in 0-d arrays */
    float_fmt_t re, im;   /* FloatingFormat / ComplexFloatingFormat */
} np_format_t;

static int int_len(const ippc_elem_t *e, char kind)
{
    char t[32];
    return kind == 'u' ? snprintf(t, sizeof t, "%" PRIu64, e->u) : snprintf(t, sizeof t, "%" PRId64, e->i);
}

static int fill_float_formats(np_format_t *f, const shown_t *shown)
{
    long double *re = malloc((shown->n ? shown->n : 1) * sizeof(long double));
    long double *im = malloc((shown->n ? shown->n : 1) * sizeof(long double));
    if (!re || !im) {
        free(re);
        free(im);
        return -1;
    }
    for (size_t i = 0; i < shown->n; i++) {
        ippc_elem_t e = ippc_ndarray_elem(f->v, shown->idx[i]);
        re[i] = e.re;
        im[i] = e.im;
    }
    float_fmt_fill(&f->re, re, shown->n, f->fkind, false);
    if (f->kind == 'c')
        float_fmt_fill(&f->im, im, shown->n, f->fkind, true);
    free(re);
    free(im);
    return 0;
}

/* _get_format_function: set up the formatter from the elements that will be shown. */
static int np_format_init(np_format_t *f, const ippc_value_t *v, const shown_t *shown)
{
    memset(f, 0, sizeof(*f));
    f->v = v;
    f->kind = v->u.nd.dtype[1];
    f->zero_d = v->u.nd.ndim == 0;
    if (f->kind == 'f' || f->kind == 'c') {
        f->fkind = fp_kind(f->kind == 'c' ? v->u.nd.itemsize / 2 : v->u.nd.itemsize);
        return fill_float_formats(f, shown);
    }
    for (size_t i = 0; i < shown->n; i++) {
        ippc_elem_t e = ippc_ndarray_elem(v, shown->idx[i]);
        f->int_width = max_int(f->int_width, int_len(&e, f->kind));
    }
    return 0;
}

static void np_format_put(strbuf_t *sb, const np_format_t *f, size_t index)
{
    ippc_elem_t e = ippc_ndarray_elem(f->v, index);
    switch (f->kind) {
    case 'b':
        strbuf_puts(sb, e.i ? (f->zero_d ? "True" : " True") : "False");
        break;
    case 'u':
        strbuf_printf(sb, "%*" PRIu64, f->int_width, e.u);
        break;
    case 'i':
        strbuf_printf(sb, "%*" PRId64, f->int_width, e.i);
        break;
    case 'f':
        float_fmt_put(sb, &f->re, e.re, f->fkind);
        break;
    default: { /* complex: real part, then the signed imaginary part with 'j' before
                  its padding */
        float_fmt_put(sb, &f->re, e.re, f->fkind);
        size_t start = sb->len;
        float_fmt_put(sb, &f->im, e.im, f->fkind);
        if (sb->failed)
            break;
        size_t end = sb->len;
        while (end > start && sb->data[end - 1] == ' ')
            end--;
        size_t spaces = sb->len - end;
        sb->len = end;
        strbuf_putc(sb, 'j');
        for (size_t k = 0; k < spaces; k++)
            strbuf_putc(sb, ' ');
    }
    }
}

/* ------------------------------------------------------ _formatArray */

typedef struct {
    const ippc_value_t *v;
    const np_format_t *fmt;
    bool summarize;
} layout_t;

/* _extendLine: move to a new line when the word would pass the width (unless the
 * line holds nothing but its indent, where wrapping would not help). */
static void extend_line(strbuf_t *s, strbuf_t *line, const char *word, size_t width, size_t indent)
{
    if (line->len + strlen(word) > width && line->len > indent) {
        size_t end = line->len;
        while (end > 0 && line->data[end - 1] == ' ')
            end--;
        strbuf_putn(s, line->data, end);
        strbuf_putc(s, '\n');
        line->len = 0;
        for (size_t i = 0; i < indent; i++)
            strbuf_putc(line, ' ');
    }
    strbuf_puts(line, word);
}

static void recurse(layout_t *L, size_t axis, size_t base, size_t hanging, size_t width, strbuf_t *out);

/* Row i of the given axis (elements for the last axis, sub-arrays otherwise). */
static void recurse_item(layout_t *L, size_t axis, size_t base, size_t i, size_t hanging, size_t width,
                         strbuf_t *out)
{
    size_t stride = 1;
    for (size_t k = axis + 1; k < L->v->u.nd.ndim; k++)
        stride *= L->v->u.nd.shape[k];
    recurse(L, axis + 1, base + i * stride, hanging, width, out);
}

/* The last axis: elements separated by ", ", wrapped at the width. */
static void layout_row(layout_t *L, size_t axis, size_t base, size_t hanging, size_t width, strbuf_t *s)
{
    size_t len = L->v->u.nd.shape[axis];
    bool cut = L->summarize && 2 * NP_EDGEITEMS < len;
    size_t elem_width = width - 1; /* room for the ',' or ']' after an element */
    strbuf_t line;
    strbuf_init(&line);
    for (size_t i = 0; i < hanging; i++)
        strbuf_putc(&line, ' ');
    for (size_t i = 0; i < len; i++) {
        if (cut && i == NP_EDGEITEMS) {
            extend_line(s, &line, "...", elem_width, hanging);
            strbuf_puts(&line, ", ");
            i = len - NP_EDGEITEMS;
        }
        strbuf_t word;
        strbuf_init(&word);
        recurse_item(L, axis, base, i, hanging + 1, width - 1, &word);
        extend_line(s, &line, word.data ? word.data : "", elem_width, hanging);
        s->failed |= word.failed;
        strbuf_free(&word);
        if (i + 1 < len)
            strbuf_puts(&line, ", ");
    }
    strbuf_putn(s, line.data ? line.data : "", line.len);
    s->failed |= line.failed;
    strbuf_free(&line);
}

/* Outer axes: sub-arrays one per line, blank lines between higher dimensions. */
static void layout_block(layout_t *L, size_t axis, size_t base, size_t hanging, size_t width, strbuf_t *s)
{
    size_t len = L->v->u.nd.shape[axis];
    size_t newlines = L->v->u.nd.ndim - axis - 1;
    bool cut = L->summarize && 2 * NP_EDGEITEMS < len;
    for (size_t i = 0; i < len; i++) {
        if (i > 0) {
            strbuf_putc(s, ',');
            for (size_t k = 0; k < newlines; k++)
                strbuf_putc(s, '\n');
        }
        for (size_t k = 0; k < hanging; k++)
            strbuf_putc(s, ' ');
        if (cut && i == NP_EDGEITEMS) {
            strbuf_puts(s, "...,");
            for (size_t k = 0; k < newlines; k++)
                strbuf_putc(s, '\n');
            for (size_t k = 0; k < hanging; k++)
                strbuf_putc(s, ' ');
            i = len - NP_EDGEITEMS;
        }
        recurse_item(L, axis, base, i, hanging + 1, width - 1, s);
    }
}

static void recurse(layout_t *L, size_t axis, size_t base, size_t hanging, size_t width, strbuf_t *out)
{
    if (axis == L->v->u.nd.ndim) {
        np_format_put(out, L->fmt, base);
        return;
    }
    strbuf_t s;
    strbuf_init(&s);
    if (axis + 1 == L->v->u.nd.ndim)
        layout_row(L, axis, base, hanging, width, &s);
    else
        layout_block(L, axis, base, hanging, width, &s);
    /* numpy builds every line with the hanging indent, then drops the first one */
    strbuf_putc(out, '[');
    if (s.len > hanging)
        strbuf_putn(out, s.data + hanging, s.len - hanging);
    strbuf_putc(out, ']');
    out->failed |= s.failed;
    strbuf_free(&s);
}

/* ------------------------------------------------------ array_repr */

/* numpy's dtype.name: "float64", "int8", "bool", "complex128" ... */
static void dtype_name(const ippc_value_t *v, char out[16])
{
    const char *word = "";
    switch (v->u.nd.dtype[1]) {
    case 'b':
        strcpy(out, "bool");
        return;
    case 'i':
        word = "int";
        break;
    case 'u':
        word = "uint";
        break;
    case 'f':
        word = "float";
        break;
    default:
        word = "complex";
        break;
    }
    snprintf(out, 16, "%s%zu", word, v->u.nd.itemsize * 8);
}

/* The types whose repr leaves out dtype= (numpy's _typelessdata). */
static bool dtype_implied(const ippc_value_t *v)
{
    const char *t = v->u.nd.dtype + 1;
    return strcmp(t, "i8") == 0 || strcmp(t, "f8") == 0 || strcmp(t, "c16") == 0 || strcmp(t, "b1") == 0;
}

static int layout_array(strbuf_t *sb, const ippc_value_t *v, size_t count)
{
    bool summarize = count > NP_THRESHOLD;
    shown_t shown = {malloc((count_shown(v, summarize) + 1) * sizeof(size_t)), 0};
    if (!shown.idx)
        return -1;
    collect_shown(v, summarize, 0, 0, &shown);
    np_format_t fmt;
    int rc = np_format_init(&fmt, v, &shown);
    free(shown.idx);
    if (rc != 0)
        return -1;
    layout_t L = {v, &fmt, summarize};
    /* continuation lines start under the first item, after "array(["; one column of
     * the width is kept for the suffix ("," or ")") */
    recurse(&L, 0, 0, strlen("array(["), NP_LINEWIDTH - 1, sb);
    return 0;
}

static void put_shape(strbuf_t *sb, const ippc_value_t *v)
{
    strbuf_putc(sb, '(');
    for (size_t i = 0; i < v->u.nd.ndim; i++)
        strbuf_printf(sb, i ? ", %zu" : "%zu", v->u.nd.shape[i]);
    if (v->u.nd.ndim == 1)
        strbuf_putc(sb, ',');
    strbuf_putc(sb, ')');
}

static void repr_ndarray(strbuf_t *sb, const ippc_value_t *v)
{
    size_t count = 0;
    ippc_shape_count(v->u.nd.ndim, v->u.nd.shape, &count);
    bool skip_dtype = dtype_implied(v) && count > 0;
    size_t start = sb->len;
    strbuf_puts(sb, "array(");
    if (count > 0) {
        if (layout_array(sb, v, count) != 0)
            sb->failed = true;
    } else if (v->u.nd.ndim == 1) {
        strbuf_puts(sb, "[]");
    } else {
        strbuf_puts(sb, "[], shape=");
        put_shape(sb, v);
    }
    strbuf_putc(sb, skip_dtype ? ')' : ',');
    if (skip_dtype || sb->failed)
        return;
    char name[16];
    dtype_name(v, name);
    /* dtype goes on a new line when it would pass the line width */
    const char *nl = memrchr(sb->data + start, '\n', sb->len - start);
    size_t last_line = sb->len - (nl ? (size_t)(nl + 1 - sb->data) : start);
    size_t dtype_len = strlen("dtype=)") + strlen(name);
    strbuf_puts(sb, last_line + dtype_len + 1 > NP_LINEWIDTH ? "\n      " : " ");
    strbuf_printf(sb, "dtype=%s)", name);
}

/* ============================================================ dispatch */

static void repr_value(strbuf_t *sb, const ippc_value_t *v)
{
    if (!v) {
        strbuf_puts(sb, "None");
        return;
    }
    switch (v->type) {
    case IPPC_T_NONE:
        strbuf_puts(sb, "None");
        break;
    case IPPC_T_BOOL:
        strbuf_puts(sb, v->u.b ? "True" : "False");
        break;
    case IPPC_T_INT:
        strbuf_printf(sb, "%" PRId64, v->u.i);
        break;
    case IPPC_T_FLOAT:
        repr_float(sb, v->u.d);
        break;
    case IPPC_T_STR:
        repr_str(sb, v->u.str.s, v->u.str.len);
        break;
    case IPPC_T_BYTES:
        repr_bytes(sb, ippc_blob_data(v->u.bytes), ippc_blob_size(v->u.bytes));
        break;
    case IPPC_T_LIST:
    case IPPC_T_TUPLE:
        repr_seq(sb, v);
        break;
    case IPPC_T_DICT:
        repr_dict(sb, v);
        break;
    case IPPC_T_NDARRAY:
        repr_ndarray(sb, v);
        break;
    case IPPC_T_RANGE:
        repr_range(sb, v);
        break;
    case IPPC_T_PYOBJ:
        strbuf_puts(sb, v->u.py.repr);
        break;
    }
}

char *ippc_value_repr(const ippc_value_t *v)
{
    strbuf_t sb;
    ippc_c_locale_t loc;
    strbuf_init(&sb);
    ippc_c_locale_enter(&loc);
    repr_value(&sb, v);
    ippc_c_locale_leave(&loc);
    return strbuf_release(&sb);
}

/* ============================================================ Unicode table */

/* Generated with Python 3.11 (Unicode 14.0.0):
 *   [c for c in range(0x80, 0x110000) if not chr(c).isprintable()], as ranges. */
static const uint32_t nonprintable[][2] = {
    {0x80, 0xa0}, {0xad, 0xad}, {0x378, 0x379}, {0x380, 0x383}, {0x38b, 0x38b}, {0x38d, 0x38d},
    {0x3a2, 0x3a2}, {0x530, 0x530}, {0x557, 0x558}, {0x58b, 0x58c}, {0x590, 0x590}, {0x5c8, 0x5cf},
    {0x5eb, 0x5ee}, {0x5f5, 0x605}, {0x61c, 0x61c}, {0x6dd, 0x6dd}, {0x70e, 0x70f}, {0x74b, 0x74c},
    {0x7b2, 0x7bf}, {0x7fb, 0x7fc}, {0x82e, 0x82f}, {0x83f, 0x83f}, {0x85c, 0x85d}, {0x85f, 0x85f},
    {0x86b, 0x86f}, {0x88f, 0x897}, {0x8e2, 0x8e2}, {0x984, 0x984}, {0x98d, 0x98e}, {0x991, 0x992},
    {0x9a9, 0x9a9}, {0x9b1, 0x9b1}, {0x9b3, 0x9b5}, {0x9ba, 0x9bb}, {0x9c5, 0x9c6}, {0x9c9, 0x9ca},
    {0x9cf, 0x9d6}, {0x9d8, 0x9db}, {0x9de, 0x9de}, {0x9e4, 0x9e5}, {0x9ff, 0xa00}, {0xa04, 0xa04},
    {0xa0b, 0xa0e}, {0xa11, 0xa12}, {0xa29, 0xa29}, {0xa31, 0xa31}, {0xa34, 0xa34}, {0xa37, 0xa37},
    {0xa3a, 0xa3b}, {0xa3d, 0xa3d}, {0xa43, 0xa46}, {0xa49, 0xa4a}, {0xa4e, 0xa50}, {0xa52, 0xa58},
    {0xa5d, 0xa5d}, {0xa5f, 0xa65}, {0xa77, 0xa80}, {0xa84, 0xa84}, {0xa8e, 0xa8e}, {0xa92, 0xa92},
    {0xaa9, 0xaa9}, {0xab1, 0xab1}, {0xab4, 0xab4}, {0xaba, 0xabb}, {0xac6, 0xac6}, {0xaca, 0xaca},
    {0xace, 0xacf}, {0xad1, 0xadf}, {0xae4, 0xae5}, {0xaf2, 0xaf8}, {0xb00, 0xb00}, {0xb04, 0xb04},
    {0xb0d, 0xb0e}, {0xb11, 0xb12}, {0xb29, 0xb29}, {0xb31, 0xb31}, {0xb34, 0xb34}, {0xb3a, 0xb3b},
    {0xb45, 0xb46}, {0xb49, 0xb4a}, {0xb4e, 0xb54}, {0xb58, 0xb5b}, {0xb5e, 0xb5e}, {0xb64, 0xb65},
    {0xb78, 0xb81}, {0xb84, 0xb84}, {0xb8b, 0xb8d}, {0xb91, 0xb91}, {0xb96, 0xb98}, {0xb9b, 0xb9b},
    {0xb9d, 0xb9d}, {0xba0, 0xba2}, {0xba5, 0xba7}, {0xbab, 0xbad}, {0xbba, 0xbbd}, {0xbc3, 0xbc5},
    {0xbc9, 0xbc9}, {0xbce, 0xbcf}, {0xbd1, 0xbd6}, {0xbd8, 0xbe5}, {0xbfb, 0xbff}, {0xc0d, 0xc0d},
    {0xc11, 0xc11}, {0xc29, 0xc29}, {0xc3a, 0xc3b}, {0xc45, 0xc45}, {0xc49, 0xc49}, {0xc4e, 0xc54},
    {0xc57, 0xc57}, {0xc5b, 0xc5c}, {0xc5e, 0xc5f}, {0xc64, 0xc65}, {0xc70, 0xc76}, {0xc8d, 0xc8d},
    {0xc91, 0xc91}, {0xca9, 0xca9}, {0xcb4, 0xcb4}, {0xcba, 0xcbb}, {0xcc5, 0xcc5}, {0xcc9, 0xcc9},
    {0xcce, 0xcd4}, {0xcd7, 0xcdc}, {0xcdf, 0xcdf}, {0xce4, 0xce5}, {0xcf0, 0xcf0}, {0xcf3, 0xcff},
    {0xd0d, 0xd0d}, {0xd11, 0xd11}, {0xd45, 0xd45}, {0xd49, 0xd49}, {0xd50, 0xd53}, {0xd64, 0xd65},
    {0xd80, 0xd80}, {0xd84, 0xd84}, {0xd97, 0xd99}, {0xdb2, 0xdb2}, {0xdbc, 0xdbc}, {0xdbe, 0xdbf},
    {0xdc7, 0xdc9}, {0xdcb, 0xdce}, {0xdd5, 0xdd5}, {0xdd7, 0xdd7}, {0xde0, 0xde5}, {0xdf0, 0xdf1},
    {0xdf5, 0xe00}, {0xe3b, 0xe3e}, {0xe5c, 0xe80}, {0xe83, 0xe83}, {0xe85, 0xe85}, {0xe8b, 0xe8b},
    {0xea4, 0xea4}, {0xea6, 0xea6}, {0xebe, 0xebf}, {0xec5, 0xec5}, {0xec7, 0xec7}, {0xece, 0xecf},
    {0xeda, 0xedb}, {0xee0, 0xeff}, {0xf48, 0xf48}, {0xf6d, 0xf70}, {0xf98, 0xf98}, {0xfbd, 0xfbd},
    {0xfcd, 0xfcd}, {0xfdb, 0xfff}, {0x10c6, 0x10c6}, {0x10c8, 0x10cc}, {0x10ce, 0x10cf},
    {0x1249, 0x1249}, {0x124e, 0x124f}, {0x1257, 0x1257}, {0x1259, 0x1259}, {0x125e, 0x125f},
    {0x1289, 0x1289}, {0x128e, 0x128f}, {0x12b1, 0x12b1}, {0x12b6, 0x12b7}, {0x12bf, 0x12bf},
    {0x12c1, 0x12c1}, {0x12c6, 0x12c7}, {0x12d7, 0x12d7}, {0x1311, 0x1311}, {0x1316, 0x1317},
    {0x135b, 0x135c}, {0x137d, 0x137f}, {0x139a, 0x139f}, {0x13f6, 0x13f7}, {0x13fe, 0x13ff},
    {0x1680, 0x1680}, {0x169d, 0x169f}, {0x16f9, 0x16ff}, {0x1716, 0x171e}, {0x1737, 0x173f},
    {0x1754, 0x175f}, {0x176d, 0x176d}, {0x1771, 0x1771}, {0x1774, 0x177f}, {0x17de, 0x17df},
    {0x17ea, 0x17ef}, {0x17fa, 0x17ff}, {0x180e, 0x180e}, {0x181a, 0x181f}, {0x1879, 0x187f},
    {0x18ab, 0x18af}, {0x18f6, 0x18ff}, {0x191f, 0x191f}, {0x192c, 0x192f}, {0x193c, 0x193f},
    {0x1941, 0x1943}, {0x196e, 0x196f}, {0x1975, 0x197f}, {0x19ac, 0x19af}, {0x19ca, 0x19cf},
    {0x19db, 0x19dd}, {0x1a1c, 0x1a1d}, {0x1a5f, 0x1a5f}, {0x1a7d, 0x1a7e}, {0x1a8a, 0x1a8f},
    {0x1a9a, 0x1a9f}, {0x1aae, 0x1aaf}, {0x1acf, 0x1aff}, {0x1b4d, 0x1b4f}, {0x1b7f, 0x1b7f},
    {0x1bf4, 0x1bfb}, {0x1c38, 0x1c3a}, {0x1c4a, 0x1c4c}, {0x1c89, 0x1c8f}, {0x1cbb, 0x1cbc},
    {0x1cc8, 0x1ccf}, {0x1cfb, 0x1cff}, {0x1f16, 0x1f17}, {0x1f1e, 0x1f1f}, {0x1f46, 0x1f47},
    {0x1f4e, 0x1f4f}, {0x1f58, 0x1f58}, {0x1f5a, 0x1f5a}, {0x1f5c, 0x1f5c}, {0x1f5e, 0x1f5e},
    {0x1f7e, 0x1f7f}, {0x1fb5, 0x1fb5}, {0x1fc5, 0x1fc5}, {0x1fd4, 0x1fd5}, {0x1fdc, 0x1fdc},
    {0x1ff0, 0x1ff1}, {0x1ff5, 0x1ff5}, {0x1fff, 0x200f}, {0x2028, 0x202f}, {0x205f, 0x206f},
    {0x2072, 0x2073}, {0x208f, 0x208f}, {0x209d, 0x209f}, {0x20c1, 0x20cf}, {0x20f1, 0x20ff},
    {0x218c, 0x218f}, {0x2427, 0x243f}, {0x244b, 0x245f}, {0x2b74, 0x2b75}, {0x2b96, 0x2b96},
    {0x2cf4, 0x2cf8}, {0x2d26, 0x2d26}, {0x2d28, 0x2d2c}, {0x2d2e, 0x2d2f}, {0x2d68, 0x2d6e},
    {0x2d71, 0x2d7e}, {0x2d97, 0x2d9f}, {0x2da7, 0x2da7}, {0x2daf, 0x2daf}, {0x2db7, 0x2db7},
    {0x2dbf, 0x2dbf}, {0x2dc7, 0x2dc7}, {0x2dcf, 0x2dcf}, {0x2dd7, 0x2dd7}, {0x2ddf, 0x2ddf},
    {0x2e5e, 0x2e7f}, {0x2e9a, 0x2e9a}, {0x2ef4, 0x2eff}, {0x2fd6, 0x2fef}, {0x2ffc, 0x3000},
    {0x3040, 0x3040}, {0x3097, 0x3098}, {0x3100, 0x3104}, {0x3130, 0x3130}, {0x318f, 0x318f},
    {0x31e4, 0x31ef}, {0x321f, 0x321f}, {0xa48d, 0xa48f}, {0xa4c7, 0xa4cf}, {0xa62c, 0xa63f},
    {0xa6f8, 0xa6ff}, {0xa7cb, 0xa7cf}, {0xa7d2, 0xa7d2}, {0xa7d4, 0xa7d4}, {0xa7da, 0xa7f1},
    {0xa82d, 0xa82f}, {0xa83a, 0xa83f}, {0xa878, 0xa87f}, {0xa8c6, 0xa8cd}, {0xa8da, 0xa8df},
    {0xa954, 0xa95e}, {0xa97d, 0xa97f}, {0xa9ce, 0xa9ce}, {0xa9da, 0xa9dd}, {0xa9ff, 0xa9ff},
    {0xaa37, 0xaa3f}, {0xaa4e, 0xaa4f}, {0xaa5a, 0xaa5b}, {0xaac3, 0xaada}, {0xaaf7, 0xab00},
    {0xab07, 0xab08}, {0xab0f, 0xab10}, {0xab17, 0xab1f}, {0xab27, 0xab27}, {0xab2f, 0xab2f},
    {0xab6c, 0xab6f}, {0xabee, 0xabef}, {0xabfa, 0xabff}, {0xd7a4, 0xd7af}, {0xd7c7, 0xd7ca},
    {0xd7fc, 0xf8ff}, {0xfa6e, 0xfa6f}, {0xfada, 0xfaff}, {0xfb07, 0xfb12}, {0xfb18, 0xfb1c},
    {0xfb37, 0xfb37}, {0xfb3d, 0xfb3d}, {0xfb3f, 0xfb3f}, {0xfb42, 0xfb42}, {0xfb45, 0xfb45},
    {0xfbc3, 0xfbd2}, {0xfd90, 0xfd91}, {0xfdc8, 0xfdce}, {0xfdd0, 0xfdef}, {0xfe1a, 0xfe1f},
    {0xfe53, 0xfe53}, {0xfe67, 0xfe67}, {0xfe6c, 0xfe6f}, {0xfe75, 0xfe75}, {0xfefd, 0xff00},
    {0xffbf, 0xffc1}, {0xffc8, 0xffc9}, {0xffd0, 0xffd1}, {0xffd8, 0xffd9}, {0xffdd, 0xffdf},
    {0xffe7, 0xffe7}, {0xffef, 0xfffb}, {0xfffe, 0xffff}, {0x1000c, 0x1000c}, {0x10027, 0x10027},
    {0x1003b, 0x1003b}, {0x1003e, 0x1003e}, {0x1004e, 0x1004f}, {0x1005e, 0x1007f},
    {0x100fb, 0x100ff}, {0x10103, 0x10106}, {0x10134, 0x10136}, {0x1018f, 0x1018f},
    {0x1019d, 0x1019f}, {0x101a1, 0x101cf}, {0x101fe, 0x1027f}, {0x1029d, 0x1029f},
    {0x102d1, 0x102df}, {0x102fc, 0x102ff}, {0x10324, 0x1032c}, {0x1034b, 0x1034f},
    {0x1037b, 0x1037f}, {0x1039e, 0x1039e}, {0x103c4, 0x103c7}, {0x103d6, 0x103ff},
    {0x1049e, 0x1049f}, {0x104aa, 0x104af}, {0x104d4, 0x104d7}, {0x104fc, 0x104ff},
    {0x10528, 0x1052f}, {0x10564, 0x1056e}, {0x1057b, 0x1057b}, {0x1058b, 0x1058b},
    {0x10593, 0x10593}, {0x10596, 0x10596}, {0x105a2, 0x105a2}, {0x105b2, 0x105b2},
    {0x105ba, 0x105ba}, {0x105bd, 0x105ff}, {0x10737, 0x1073f}, {0x10756, 0x1075f},
    {0x10768, 0x1077f}, {0x10786, 0x10786}, {0x107b1, 0x107b1}, {0x107bb, 0x107ff},
    {0x10806, 0x10807}, {0x10809, 0x10809}, {0x10836, 0x10836}, {0x10839, 0x1083b},
    {0x1083d, 0x1083e}, {0x10856, 0x10856}, {0x1089f, 0x108a6}, {0x108b0, 0x108df},
    {0x108f3, 0x108f3}, {0x108f6, 0x108fa}, {0x1091c, 0x1091e}, {0x1093a, 0x1093e},
    {0x10940, 0x1097f}, {0x109b8, 0x109bb}, {0x109d0, 0x109d1}, {0x10a04, 0x10a04},
    {0x10a07, 0x10a0b}, {0x10a14, 0x10a14}, {0x10a18, 0x10a18}, {0x10a36, 0x10a37},
    {0x10a3b, 0x10a3e}, {0x10a49, 0x10a4f}, {0x10a59, 0x10a5f}, {0x10aa0, 0x10abf},
    {0x10ae7, 0x10aea}, {0x10af7, 0x10aff}, {0x10b36, 0x10b38}, {0x10b56, 0x10b57},
    {0x10b73, 0x10b77}, {0x10b92, 0x10b98}, {0x10b9d, 0x10ba8}, {0x10bb0, 0x10bff},
    {0x10c49, 0x10c7f}, {0x10cb3, 0x10cbf}, {0x10cf3, 0x10cf9}, {0x10d28, 0x10d2f},
    {0x10d3a, 0x10e5f}, {0x10e7f, 0x10e7f}, {0x10eaa, 0x10eaa}, {0x10eae, 0x10eaf},
    {0x10eb2, 0x10eff}, {0x10f28, 0x10f2f}, {0x10f5a, 0x10f6f}, {0x10f8a, 0x10faf},
    {0x10fcc, 0x10fdf}, {0x10ff7, 0x10fff}, {0x1104e, 0x11051}, {0x11076, 0x1107e},
    {0x110bd, 0x110bd}, {0x110c3, 0x110cf}, {0x110e9, 0x110ef}, {0x110fa, 0x110ff},
    {0x11135, 0x11135}, {0x11148, 0x1114f}, {0x11177, 0x1117f}, {0x111e0, 0x111e0},
    {0x111f5, 0x111ff}, {0x11212, 0x11212}, {0x1123f, 0x1127f}, {0x11287, 0x11287},
    {0x11289, 0x11289}, {0x1128e, 0x1128e}, {0x1129e, 0x1129e}, {0x112aa, 0x112af},
    {0x112eb, 0x112ef}, {0x112fa, 0x112ff}, {0x11304, 0x11304}, {0x1130d, 0x1130e},
    {0x11311, 0x11312}, {0x11329, 0x11329}, {0x11331, 0x11331}, {0x11334, 0x11334},
    {0x1133a, 0x1133a}, {0x11345, 0x11346}, {0x11349, 0x1134a}, {0x1134e, 0x1134f},
    {0x11351, 0x11356}, {0x11358, 0x1135c}, {0x11364, 0x11365}, {0x1136d, 0x1136f},
    {0x11375, 0x113ff}, {0x1145c, 0x1145c}, {0x11462, 0x1147f}, {0x114c8, 0x114cf},
    {0x114da, 0x1157f}, {0x115b6, 0x115b7}, {0x115de, 0x115ff}, {0x11645, 0x1164f},
    {0x1165a, 0x1165f}, {0x1166d, 0x1167f}, {0x116ba, 0x116bf}, {0x116ca, 0x116ff},
    {0x1171b, 0x1171c}, {0x1172c, 0x1172f}, {0x11747, 0x117ff}, {0x1183c, 0x1189f},
    {0x118f3, 0x118fe}, {0x11907, 0x11908}, {0x1190a, 0x1190b}, {0x11914, 0x11914},
    {0x11917, 0x11917}, {0x11936, 0x11936}, {0x11939, 0x1193a}, {0x11947, 0x1194f},
    {0x1195a, 0x1199f}, {0x119a8, 0x119a9}, {0x119d8, 0x119d9}, {0x119e5, 0x119ff},
    {0x11a48, 0x11a4f}, {0x11aa3, 0x11aaf}, {0x11af9, 0x11bff}, {0x11c09, 0x11c09},
    {0x11c37, 0x11c37}, {0x11c46, 0x11c4f}, {0x11c6d, 0x11c6f}, {0x11c90, 0x11c91},
    {0x11ca8, 0x11ca8}, {0x11cb7, 0x11cff}, {0x11d07, 0x11d07}, {0x11d0a, 0x11d0a},
    {0x11d37, 0x11d39}, {0x11d3b, 0x11d3b}, {0x11d3e, 0x11d3e}, {0x11d48, 0x11d4f},
    {0x11d5a, 0x11d5f}, {0x11d66, 0x11d66}, {0x11d69, 0x11d69}, {0x11d8f, 0x11d8f},
    {0x11d92, 0x11d92}, {0x11d99, 0x11d9f}, {0x11daa, 0x11edf}, {0x11ef9, 0x11faf},
    {0x11fb1, 0x11fbf}, {0x11ff2, 0x11ffe}, {0x1239a, 0x123ff}, {0x1246f, 0x1246f},
    {0x12475, 0x1247f}, {0x12544, 0x12f8f}, {0x12ff3, 0x12fff}, {0x1342f, 0x143ff},
    {0x14647, 0x167ff}, {0x16a39, 0x16a3f}, {0x16a5f, 0x16a5f}, {0x16a6a, 0x16a6d},
    {0x16abf, 0x16abf}, {0x16aca, 0x16acf}, {0x16aee, 0x16aef}, {0x16af6, 0x16aff},
    {0x16b46, 0x16b4f}, {0x16b5a, 0x16b5a}, {0x16b62, 0x16b62}, {0x16b78, 0x16b7c},
    {0x16b90, 0x16e3f}, {0x16e9b, 0x16eff}, {0x16f4b, 0x16f4e}, {0x16f88, 0x16f8e},
    {0x16fa0, 0x16fdf}, {0x16fe5, 0x16fef}, {0x16ff2, 0x16fff}, {0x187f8, 0x187ff},
    {0x18cd6, 0x18cff}, {0x18d09, 0x1afef}, {0x1aff4, 0x1aff4}, {0x1affc, 0x1affc},
    {0x1afff, 0x1afff}, {0x1b123, 0x1b14f}, {0x1b153, 0x1b163}, {0x1b168, 0x1b16f},
    {0x1b2fc, 0x1bbff}, {0x1bc6b, 0x1bc6f}, {0x1bc7d, 0x1bc7f}, {0x1bc89, 0x1bc8f},
    {0x1bc9a, 0x1bc9b}, {0x1bca0, 0x1ceff}, {0x1cf2e, 0x1cf2f}, {0x1cf47, 0x1cf4f},
    {0x1cfc4, 0x1cfff}, {0x1d0f6, 0x1d0ff}, {0x1d127, 0x1d128}, {0x1d173, 0x1d17a},
    {0x1d1eb, 0x1d1ff}, {0x1d246, 0x1d2df}, {0x1d2f4, 0x1d2ff}, {0x1d357, 0x1d35f},
    {0x1d379, 0x1d3ff}, {0x1d455, 0x1d455}, {0x1d49d, 0x1d49d}, {0x1d4a0, 0x1d4a1},
    {0x1d4a3, 0x1d4a4}, {0x1d4a7, 0x1d4a8}, {0x1d4ad, 0x1d4ad}, {0x1d4ba, 0x1d4ba},
    {0x1d4bc, 0x1d4bc}, {0x1d4c4, 0x1d4c4}, {0x1d506, 0x1d506}, {0x1d50b, 0x1d50c},
    {0x1d515, 0x1d515}, {0x1d51d, 0x1d51d}, {0x1d53a, 0x1d53a}, {0x1d53f, 0x1d53f},
    {0x1d545, 0x1d545}, {0x1d547, 0x1d549}, {0x1d551, 0x1d551}, {0x1d6a6, 0x1d6a7},
    {0x1d7cc, 0x1d7cd}, {0x1da8c, 0x1da9a}, {0x1daa0, 0x1daa0}, {0x1dab0, 0x1deff},
    {0x1df1f, 0x1dfff}, {0x1e007, 0x1e007}, {0x1e019, 0x1e01a}, {0x1e022, 0x1e022},
    {0x1e025, 0x1e025}, {0x1e02b, 0x1e0ff}, {0x1e12d, 0x1e12f}, {0x1e13e, 0x1e13f},
    {0x1e14a, 0x1e14d}, {0x1e150, 0x1e28f}, {0x1e2af, 0x1e2bf}, {0x1e2fa, 0x1e2fe},
    {0x1e300, 0x1e7df}, {0x1e7e7, 0x1e7e7}, {0x1e7ec, 0x1e7ec}, {0x1e7ef, 0x1e7ef},
    {0x1e7ff, 0x1e7ff}, {0x1e8c5, 0x1e8c6}, {0x1e8d7, 0x1e8ff}, {0x1e94c, 0x1e94f},
    {0x1e95a, 0x1e95d}, {0x1e960, 0x1ec70}, {0x1ecb5, 0x1ed00}, {0x1ed3e, 0x1edff},
    {0x1ee04, 0x1ee04}, {0x1ee20, 0x1ee20}, {0x1ee23, 0x1ee23}, {0x1ee25, 0x1ee26},
    {0x1ee28, 0x1ee28}, {0x1ee33, 0x1ee33}, {0x1ee38, 0x1ee38}, {0x1ee3a, 0x1ee3a},
    {0x1ee3c, 0x1ee41}, {0x1ee43, 0x1ee46}, {0x1ee48, 0x1ee48}, {0x1ee4a, 0x1ee4a},
    {0x1ee4c, 0x1ee4c}, {0x1ee50, 0x1ee50}, {0x1ee53, 0x1ee53}, {0x1ee55, 0x1ee56},
    {0x1ee58, 0x1ee58}, {0x1ee5a, 0x1ee5a}, {0x1ee5c, 0x1ee5c}, {0x1ee5e, 0x1ee5e},
    {0x1ee60, 0x1ee60}, {0x1ee63, 0x1ee63}, {0x1ee65, 0x1ee66}, {0x1ee6b, 0x1ee6b},
    {0x1ee73, 0x1ee73}, {0x1ee78, 0x1ee78}, {0x1ee7d, 0x1ee7d}, {0x1ee7f, 0x1ee7f},
    {0x1ee8a, 0x1ee8a}, {0x1ee9c, 0x1eea0}, {0x1eea4, 0x1eea4}, {0x1eeaa, 0x1eeaa},
    {0x1eebc, 0x1eeef}, {0x1eef2, 0x1efff}, {0x1f02c, 0x1f02f}, {0x1f094, 0x1f09f},
    {0x1f0af, 0x1f0b0}, {0x1f0c0, 0x1f0c0}, {0x1f0d0, 0x1f0d0}, {0x1f0f6, 0x1f0ff},
    {0x1f1ae, 0x1f1e5}, {0x1f203, 0x1f20f}, {0x1f23c, 0x1f23f}, {0x1f249, 0x1f24f},
    {0x1f252, 0x1f25f}, {0x1f266, 0x1f2ff}, {0x1f6d8, 0x1f6dc}, {0x1f6ed, 0x1f6ef},
    {0x1f6fd, 0x1f6ff}, {0x1f774, 0x1f77f}, {0x1f7d9, 0x1f7df}, {0x1f7ec, 0x1f7ef},
    {0x1f7f1, 0x1f7ff}, {0x1f80c, 0x1f80f}, {0x1f848, 0x1f84f}, {0x1f85a, 0x1f85f},
    {0x1f888, 0x1f88f}, {0x1f8ae, 0x1f8af}, {0x1f8b2, 0x1f8ff}, {0x1fa54, 0x1fa5f},
    {0x1fa6e, 0x1fa6f}, {0x1fa75, 0x1fa77}, {0x1fa7d, 0x1fa7f}, {0x1fa87, 0x1fa8f},
    {0x1faad, 0x1faaf}, {0x1fabb, 0x1fabf}, {0x1fac6, 0x1facf}, {0x1fada, 0x1fadf},
    {0x1fae8, 0x1faef}, {0x1faf7, 0x1faff}, {0x1fb93, 0x1fb93}, {0x1fbcb, 0x1fbef},
    {0x1fbfa, 0x1ffff}, {0x2a6e0, 0x2a6ff}, {0x2b739, 0x2b73f}, {0x2b81e, 0x2b81f},
    {0x2cea2, 0x2ceaf}, {0x2ebe1, 0x2f7ff}, {0x2fa1e, 0x2ffff}, {0x3134b, 0xe00ff},
    {0xe01f0, 0x10ffff},
};

static bool unicode_printable(uint32_t cp)
{
    size_t lo = 0, hi = sizeof nonprintable / sizeof nonprintable[0];
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (cp < nonprintable[mid][0])
            hi = mid;
        else if (cp > nonprintable[mid][1])
            lo = mid + 1;
        else
            return false;
    }
    return true;
}
