/*
 * A small, strict JSON reader (vy_json.h). Recursive descent over the
 * grammar of RFC 8259, one function per production; nesting, size, number
 * of values and length of numbers bounded, so that no input can exhaust
 * the stack, the memory or the time.
 */
#include "protocol/vy_json.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
	const char *start;
	const char *p;
	const char *end;
	int depth;
	size_t values;
	vyjson_error *err;
	int failed;
} parser;

static vyjson *parse_value(parser *ps);

/* Record the first error, with the position where it was found. */
static void set_error_at(parser *ps, const char *at, const char *msg)
{
	if (ps->failed)
		return;
	ps->failed = 1;
	if (ps->err == NULL)
		return;
	ps->err->offset = (size_t)(at - ps->start);
	vyjson_position(ps->start, ps->err->offset, &ps->err->line, &ps->err->column);
	snprintf(ps->err->msg, sizeof ps->err->msg, "%s", msg);
}

static void set_error(parser *ps, const char *msg)
{
	set_error_at(ps, ps->p, msg);
}

/* set_error, for the functions that return a node. */
static vyjson *fail(parser *ps, const char *msg)
{
	set_error(ps, msg);
	return NULL;
}

/* A new node of the given type at the current position, or NULL (with an
 * error) beyond VYJSON_MAX_VALUES or out of memory. */
static vyjson *new_node(parser *ps, vyjson_type type)
{
	vyjson *v;

	if (ps->values >= VYJSON_MAX_VALUES)
		return fail(ps, "too many values");
	v = calloc(1, sizeof *v);
	if (v == NULL)
		return fail(ps, "out of memory");
	ps->values++;
	v->type = type;
	v->offset = (size_t)(ps->p - ps->start);
	return v;
}

/* Append child to an array or object whose items array holds *cap; the
 * capacity doubles, so n appends cost O(n). 0 on success, -1 if out of
 * memory. */
static int push_item(parser *ps, vyjson *v, size_t *cap, vyjson *child)
{
	if (v->n_items == *cap) {
		size_t n = *cap ? 2 * *cap : 4;
		vyjson **items = realloc(v->items, n * sizeof *items);

		if (items == NULL) {
			set_error(ps, "out of memory");
			return -1;
		}
		v->items = items;
		*cap = n;
	}
	v->items[v->n_items++] = child;
	return 0;
}

/* Skip the four whitespace characters JSON allows. */
static void skip_ws(parser *ps)
{
	while (ps->p < ps->end &&
	       (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r'))
		ps->p++;
}

/* Consume c if it is next; returns 1 if it was. */
static int accept(parser *ps, char c)
{
	if (ps->p < ps->end && *ps->p == c) {
		ps->p++;
		return 1;
	}
	return 0;
}

/* true, false, null: the word must match exactly. */
static vyjson *parse_literal(parser *ps, const char *word, vyjson_type type)
{
	size_t n = strlen(word);

	vyjson *v;

	if ((size_t)(ps->end - ps->p) < n || memcmp(ps->p, word, n) != 0)
		return fail(ps, "invalid literal");
	v = new_node(ps, type);
	ps->p += n;
	return v;
}

/* Skip one or more decimal digits; returns how many. */
static size_t skip_digits(parser *ps)
{
	size_t n = 0;

	while (ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9') {
		ps->p++;
		n++;
	}
	return n;
}

/* -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? ; keeps the text and its value. */
static vyjson *parse_number(parser *ps)
{
	const char *begin = ps->p;
	vyjson *v;

	accept(ps, '-');
	if (accept(ps, '0')) {
		if (ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9')
			return fail(ps, "leading zero in number");
	} else if (skip_digits(ps) == 0) {
		return fail(ps, "invalid number");
	}
	if (accept(ps, '.') && skip_digits(ps) == 0)
		return fail(ps, "missing digits after decimal point");
	if (accept(ps, 'e') || accept(ps, 'E')) {
		if (!accept(ps, '+'))
			accept(ps, '-');
		if (skip_digits(ps) == 0)
			return fail(ps, "missing digits in exponent");
	}
	if ((size_t)(ps->p - begin) > VYJSON_MAX_NUMBER) {
		ps->p = begin;
		return fail(ps, "number too long");
	}
	v = new_node(ps, VYJSON_NUMBER);
	if (v == NULL)
		return NULL;
	v->offset = (size_t)(begin - ps->start);
	v->str_len = (size_t)(ps->p - begin);
	v->str = malloc(v->str_len + 1);
	if (v->str == NULL) {
		vyjson_free(v);
		return fail(ps, "out of memory");
	}
	memcpy(v->str, begin, v->str_len);
	v->str[v->str_len] = '\0';
	v->num = strtod(v->str, NULL);
	return v;
}

/* Length of the well-formed UTF-8 sequence at s (RFC 3629: no overlong
 * forms, no surrogates, at most U+10FFFF), or 0 if it is not one. */
static size_t utf8_len(const unsigned char *s, size_t avail)
{
	size_t n;
	unsigned long cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4;
	else
		return 0;
	if (avail < n)
		return 0;
	cp = s[0] & (0x7f >> n);
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) || cp > 0x10ffff ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

/* Append code point cp to out as UTF-8; returns the bytes written. */
static size_t put_utf8(char *out, unsigned long cp)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | cp >> 6);
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | cp >> 12);
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | cp >> 18);
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* Four hex digits after "\u"; returns the value, or -1. */
static long parse_hex4(parser *ps)
{
	long v = 0;

	if (ps->end - ps->p < 4)
		return -1;
	for (int i = 0; i < 4; i++) {
		char c = *ps->p++;
		int d;

		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			d = c - 'A' + 10;
		else
			return -1;
		v = v << 4 | d;
	}
	return v;
}

/* The code point of a \u escape (the "\u" already consumed), combining a
 * surrogate pair; returns -1 and sets the error on any defect. */
static long parse_unicode_escape(parser *ps)
{
	long hi = parse_hex4(ps), lo;

	if (hi < 0) {
		set_error(ps, "invalid \\u escape");
		return -1;
	}
	if (hi >= 0xdc00 && hi <= 0xdfff) {
		set_error(ps, "lone low surrogate");
		return -1;
	}
	if (hi < 0xd800 || hi > 0xdbff)
		return hi;
	if (!accept(ps, '\\') || !accept(ps, 'u')) {
		set_error(ps, "lone high surrogate");
		return -1;
	}
	lo = parse_hex4(ps);
	if (lo < 0xdc00 || lo > 0xdfff) {
		set_error(ps, "invalid surrogate pair");
		return -1;
	}
	return 0x10000 + ((hi - 0xd800) << 10) + (lo - 0xdc00);
}

/* One escape sequence after the backslash, written to out; returns the
 * bytes written, or 0 on error. */
static size_t parse_escape(parser *ps, char *out)
{
	static const char from[] = "\"\\/bfnrt";
	static const char to[] = "\"\\/\b\f\n\r\t";
	const char *hit;
	long cp;

	if (ps->p >= ps->end) {
		set_error(ps, "unterminated escape");
		return 0;
	}
	if (*ps->p == 'u') {
		ps->p++;
		cp = parse_unicode_escape(ps);
		return cp < 0 ? 0 : put_utf8(out, (unsigned long)cp);
	}
	hit = memchr(from, *ps->p, sizeof from - 1);
	if (hit == NULL) {
		set_error(ps, "invalid escape");
		return 0;
	}
	ps->p++;
	out[0] = to[hit - from];
	return 1;
}

/* A string (at the opening quote), decoded into a new NUL-terminated
 * buffer. Decoding never lengthens the text, so the raw length suffices.
 * Returns 0 on success, -1 on error. */
static int parse_string_raw(parser *ps, char **out, size_t *out_len)
{
	const char *q;
	char *buf;
	size_t n = 0, k;

	ps->p++; /* opening quote */
	for (q = ps->p; q < ps->end && *q != '"'; q++)
		if (*q == '\\' && q + 1 < ps->end)
			q++;
	if (q >= ps->end) {
		set_error(ps, "unterminated string");
		return -1;
	}
	buf = malloc((size_t)(q - ps->p) + 1);
	if (buf == NULL) {
		set_error(ps, "out of memory");
		return -1;
	}
	while (*ps->p != '"') {
		unsigned char c = (unsigned char)*ps->p;

		if (c < 0x20) {
			set_error(ps, "control character in string");
			goto err;
		}
		if (c == '\\') {
			ps->p++;
			k = parse_escape(ps, buf + n);
		} else {
			k = utf8_len((const unsigned char *)ps->p, (size_t)(ps->end - ps->p));
			if (k == 0)
				set_error(ps, "invalid UTF-8 in string");
			else
				memcpy(buf + n, ps->p, k);
			ps->p += k;
		}
		if (k == 0)
			goto err;
		n += k;
	}
	ps->p++; /* closing quote */
	buf[n] = '\0';
	*out = buf;
	*out_len = n;
	return 0;
err:
	free(buf);
	return -1;
}

/* A string value. */
static vyjson *parse_string(parser *ps)
{
	vyjson *v = new_node(ps, VYJSON_STRING);

	if (v == NULL)
		return NULL;
	if (parse_string_raw(ps, &v->str, &v->str_len) != 0) {
		vyjson_free(v);
		return NULL;
	}
	return v;
}

/* '[' (value (',' value)*)? ']' */
static vyjson *parse_array(parser *ps)
{
	vyjson *v = new_node(ps, VYJSON_ARRAY), *item;
	size_t cap = 0;

	if (v == NULL)
		return NULL;
	ps->p++;
	skip_ws(ps);
	if (accept(ps, ']'))
		return v;
	do {
		item = parse_value(ps);
		if (item == NULL || push_item(ps, v, &cap, item) != 0) {
			vyjson_free(item);
			goto err;
		}
	} while (accept(ps, ','));
	if (accept(ps, ']'))
		return v;
	fail(ps, "expected ',' or ']'");
err:
	vyjson_free(v);
	return NULL;
}

/* One member: string ':' value, with the name stored in the value node;
 * *key_at receives where the name starts. */
static vyjson *parse_member(parser *ps, const char **key_at)
{
	char *key = NULL;
	size_t key_len = 0;
	vyjson *item;

	skip_ws(ps);
	if (ps->p >= ps->end || *ps->p != '"')
		return fail(ps, "expected a member name");
	*key_at = ps->p;
	if (parse_string_raw(ps, &key, &key_len) != 0)
		return NULL;
	skip_ws(ps);
	if (!accept(ps, ':')) {
		free(key);
		return fail(ps, "expected ':'");
	}
	item = parse_value(ps);
	if (item == NULL) {
		free(key);
		return NULL;
	}
	item->key = key;
	item->key_len = key_len;
	return item;
}

/* The members of one object being checked for duplicate names. */
typedef struct {
	const vyjson *item;
	const char *key_at;
} member_ref;

/* Compare two members by name alone. */
static int name_cmp(const vyjson *x, const vyjson *y)
{
	size_t n = x->key_len < y->key_len ? x->key_len : y->key_len;
	int c = memcmp(x->key, y->key, n);

	if (c != 0)
		return c;
	return x->key_len < y->key_len ? -1 : x->key_len > y->key_len;
}

/* By name, then in text order. */
static int member_cmp(const void *a, const void *b)
{
	const member_ref *x = a, *y = b;
	int c = name_cmp(x->item, y->item);

	if (c != 0)
		return c;
	return x->key_at < y->key_at ? -1 : x->key_at > y->key_at;
}

/* Refuse an object with two members of the same name, at the first
 * repeated name in the text: sorted, O(n log n) however many members. */
static int check_duplicates(parser *ps, member_ref *refs, size_t n)
{
	const char *first = NULL;

	qsort(refs, n, sizeof *refs, member_cmp);
	for (size_t i = 1; i < n; i++)
		if (name_cmp(refs[i - 1].item, refs[i].item) == 0 && (first == NULL || refs[i].key_at < first))
			first = refs[i].key_at;
	if (first == NULL)
		return 0;
	set_error_at(ps, first, "duplicate member name");
	return -1;
}

/* '{' (member (',' member)*)? '}' */
static vyjson *parse_object(parser *ps)
{
	vyjson *v = new_node(ps, VYJSON_OBJECT), *item;
	member_ref *refs = NULL;
	size_t cap = 0, refs_cap = 0;
	const char *key_at = NULL;

	if (v == NULL)
		return NULL;
	ps->p++;
	skip_ws(ps);
	if (accept(ps, '}'))
		return v;
	do {
		item = parse_member(ps, &key_at);
		if (item == NULL || push_item(ps, v, &cap, item) != 0) {
			vyjson_free(item);
			goto err;
		}
		if (v->n_items > refs_cap) {
			member_ref *r = realloc(refs, cap * sizeof *refs);

			if (r == NULL) {
				fail(ps, "out of memory");
				goto err;
			}
			refs = r;
			refs_cap = cap;
		}
		refs[v->n_items - 1].item = item;
		refs[v->n_items - 1].key_at = key_at;
	} while (accept(ps, ','));
	if (!accept(ps, '}')) {
		fail(ps, "expected ',' or '}'");
		goto err;
	}
	if (check_duplicates(ps, refs, v->n_items) != 0)
		goto err;
	free(refs);
	return v;
err:
	free(refs);
	vyjson_free(v);
	return NULL;
}

/* Any value, with the whitespace around it. */
static vyjson *parse_value(parser *ps)
{
	vyjson *v;

	skip_ws(ps);
	if (ps->p >= ps->end)
		return fail(ps, "unexpected end of input");
	if (ps->depth >= VYJSON_MAX_DEPTH)
		return fail(ps, "nesting too deep");
	ps->depth++;
	switch (*ps->p) {
	case '{':
		v = parse_object(ps);
		break;
	case '[':
		v = parse_array(ps);
		break;
	case '"':
		v = parse_string(ps);
		break;
	case 't':
		v = parse_literal(ps, "true", VYJSON_TRUE);
		break;
	case 'f':
		v = parse_literal(ps, "false", VYJSON_FALSE);
		break;
	case 'n':
		v = parse_literal(ps, "null", VYJSON_NULL);
		break;
	default:
		if (*ps->p == '-' || (*ps->p >= '0' && *ps->p <= '9'))
			v = parse_number(ps);
		else
			v = fail(ps, "unexpected character");
		break;
	}
	ps->depth--;
	skip_ws(ps);
	return v;
}

void vyjson_position(const char *text, size_t offset, size_t *line, size_t *column)
{
	*line = 1;
	*column = 1;
	for (size_t i = 0; i < offset; i++) {
		unsigned char c = (unsigned char)text[i];

		if (c == '\n') {
			++*line;
			*column = 1;
		} else if ((c & 0xc0) != 0x80) { /* not a UTF-8 continuation byte */
			++*column;
		}
	}
}

vyjson *vyjson_parse_ex(const char *text, size_t len, vyjson_error *err)
{
	parser ps = { text, text, text, 0, 0, err, 0 };
	vyjson *v;

	if (err != NULL)
		memset(err, 0, sizeof *err);
	if (text == NULL) {
		ps.start = ps.p = "";
		return fail(&ps, "no input");
	}
	if (len > VYJSON_MAX_BYTES)
		return fail(&ps, "text too long");
	ps.end = text + len;
	v = parse_value(&ps);
	if (v != NULL && ps.p != ps.end) {
		vyjson_free(v);
		return fail(&ps, "trailing characters after the value");
	}
	return v;
}

vyjson *vyjson_parse(const char *text, size_t len, char *err, size_t err_cap)
{
	vyjson_error e;
	vyjson *v = vyjson_parse_ex(text, len, &e);

	if (err_cap > 0)
		err[0] = '\0';
	if (v == NULL && err_cap > 0)
		snprintf(err, err_cap, "json: offset %zu (line %zu, column %zu): %s", e.offset, e.line, e.column,
			 e.msg);
	return v;
}

void vyjson_free(vyjson *v)
{
	if (v == NULL)
		return;
	for (size_t i = 0; i < v->n_items; i++)
		vyjson_free(v->items[i]);
	free(v->items);
	free(v->key);
	free(v->str);
	free(v);
}

const vyjson *vyjson_get(const vyjson *v, const char *key)
{
	size_t n;

	if (v == NULL || v->type != VYJSON_OBJECT || key == NULL)
		return NULL;
	n = strlen(key);
	for (size_t i = 0; i < v->n_items; i++)
		if (v->items[i]->key_len == n && memcmp(v->items[i]->key, key, n) == 0)
			return v->items[i];
	return NULL;
}

const vyjson *vyjson_at(const vyjson *v, size_t i)
{
	if (v == NULL || (v->type != VYJSON_ARRAY && v->type != VYJSON_OBJECT) || i >= v->n_items)
		return NULL;
	return v->items[i];
}

size_t vyjson_len(const vyjson *v)
{
	return v == NULL ? 0 : v->n_items;
}

const char *vyjson_string(const vyjson *v)
{
	return v != NULL && v->type == VYJSON_STRING ? v->str : NULL;
}

const char *vyjson_get_string(const vyjson *v, const char *key)
{
	return vyjson_string(vyjson_get(v, key));
}

int vyjson_int(const vyjson *v, long long *out)
{
	long long x;
	char *end;

	if (v == NULL || v->type != VYJSON_NUMBER || strpbrk(v->str, ".eE") != NULL)
		return 0;
	errno = 0;
	x = strtoll(v->str, &end, 10);
	if (errno != 0 || *end != '\0')
		return 0;
	*out = x;
	return 1;
}

/* ---- writing ---- */

/* The code point of the well-formed UTF-8 sequence of n bytes at s. */
static unsigned long utf8_code_point(const unsigned char *s, size_t n)
{
	unsigned long cp = n == 1 ? s[0] : s[0] & (0x7f >> n);

	for (size_t i = 1; i < n; i++)
		cp = cp << 6 | (s[i] & 0x3f);
	return cp;
}

/* "\uXXXX" for a code point below U+10000, or its surrogate pair. */
static void put_u_escape(vyjson_put_fn put, void *arg, unsigned long cp)
{
	char esc[13];
	int n;

	if (cp < 0x10000)
		n = snprintf(esc, sizeof esc, "\\u%04lx", cp);
	else
		n = snprintf(esc, sizeof esc, "\\u%04lx\\u%04lx", 0xd800 + ((cp - 0x10000) >> 10),
			     0xdc00 + ((cp - 0x10000) & 0x3ff));
	put(arg, esc, (size_t)n);
}

/* 1 if the character at p is written escaped. */
static int needs_escape(const unsigned char *p, unsigned flags)
{
	return *p == '"' || *p == '\\' || *p < 0x20 || *p == 0x7f ||
	       ((flags & VYJSON_ESC_HTML) && (*p == '<' || *p == '>' || *p == '&')) ||
	       ((flags & VYJSON_ESC_ASCII) && *p >= 0x80);
}

/* Write the escape of the character at p (needs_escape); the bytes of it
 * consumed. */
static size_t put_escape(vyjson_put_fn put, void *arg, const unsigned char *p)
{
	size_t k;

	if (*p == '"' || *p == '\\') {
		char esc[2] = { '\\', (char)*p };

		put(arg, esc, 2);
		return 1;
	}
	/* a string ends at its NUL, which no UTF-8 sequence holds: 4 is safe */
	k = *p >= 0x80 ? utf8_len(p, 4) : 0;
	if (k == 0) { /* a control or HTML character, or a byte that is not UTF-8 */
		put_u_escape(put, arg, *p);
		return 1;
	}
	put_u_escape(put, arg, utf8_code_point(p, k));
	return k;
}

void vyjson_write_string(vyjson_put_fn put, void *arg, const char *s, unsigned flags)
{
	const unsigned char *p = (const unsigned char *)(s != NULL ? s : ""), *run = p;

	put(arg, "\"", 1);
	while (*p != '\0') {
		if (!needs_escape(p, flags)) {
			p++;
			continue;
		}
		if (p > run)
			put(arg, (const char *)run, (size_t)(p - run));
		p += put_escape(put, arg, p);
		run = p;
	}
	if (p > run)
		put(arg, (const char *)run, (size_t)(p - run));
	put(arg, "\"", 1);
}
