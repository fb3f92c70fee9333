/* The test-vector generators' JSON writer (json_writer.h). */
#include "tests/support/json_writer.h"
#include "protocol/vy_json.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


/* Append n bytes, growing the buffer; on failure only the flag is set. */
void vyjw_put(vyjw *w, const char *s, size_t n)
{
	if (w->failed)
		return;
	if (w->len + n + 1 > w->cap) {
		size_t cap = w->cap ? w->cap : 4096;
		char *nb;

		while (w->len + n + 1 > cap)
			cap *= 2;
		nb = realloc(w->buf, cap);
		if (nb == NULL) {
			w->failed = 1;
			return;
		}
		w->buf = nb;
		w->cap = cap;
	}
	memcpy(w->buf + w->len, s, n);
	w->len += n;
	w->buf[w->len] = '\0';
}

void vyjw_puts(vyjw *w, const char *s)
{
	vyjw_put(w, s, strlen(s));
}

void vyjw_indent(vyjw *w, int depth)
{
	for (int i = 0; i < depth; i++)
		vyjw_puts(w, "  ");
}

/* vyjson_write_string's sink. */
static void vyjw_sink(void *w, const char *s, size_t n)
{
	vyjw_put(w, s, n);
}

/* A JSON string: printable ASCII only (anything else fails the generation:
 * json.dumps would escape it otherwise than the library's writer). */
void vyjw_quoted(vyjw *w, const char *s)
{
	for (const char *p = s; *p != '\0'; p++)
		if (*p < 0x20 || *p > 0x7e) {
			w->failed = 1;
			return;
		}
	vyjson_write_string(vyjw_sink, w, s, 0);
}

/* What precedes a value: the separator, the indentation and the key (in objects). */
void vyjw_prefix(vyjw *w, const char *key)
{
	if (w->depth == 0)
		return;
	vyjw_puts(w, w->count[w->depth] > 0 ? ",\n" : "\n");
	w->count[w->depth]++;
	vyjw_indent(w, w->depth);
	if (key != NULL) {
		vyjw_quoted(w, key);
		vyjw_puts(w, ": ");
	}
}

void vyjw_open(vyjw *w, const char *key, const char *bracket)
{
	vyjw_prefix(w, key);
	vyjw_puts(w, bracket);
	if (w->depth + 1 >= VYJW_MAX_DEPTH) {
		w->failed = 1;
		return;
	}
	w->depth++;
	w->count[w->depth] = 0;
}

/* Close the innermost container; an empty one stays "[]" or "{}". */
void vyjw_close(vyjw *w, const char *bracket)
{
	if (w->depth == 0) {
		w->failed = 1;
		return;
	}
	if (w->count[w->depth] > 0) {
		vyjw_puts(w, "\n");
		vyjw_indent(w, w->depth - 1);
	}
	vyjw_puts(w, bracket);
	w->depth--;
}

void vyjw_string(vyjw *w, const char *key, const char *s)
{
	vyjw_prefix(w, key);
	vyjw_quoted(w, s);
}

/* Bytes as a lowercase hex string. */
void vyjw_hex(vyjw *w, const char *key, const uint8_t *b, size_t n)
{
	static const char digits[] = "0123456789abcdef";
	char pair[2];

	vyjw_prefix(w, key);
	vyjw_puts(w, "\"");
	for (size_t i = 0; i < n; i++) {
		pair[0] = digits[b[i] >> 4];
		pair[1] = digits[b[i] & 15];
		vyjw_put(w, pair, 2);
	}
	vyjw_puts(w, "\"");
}

void vyjw_u64(vyjw *w, const char *key, uint64_t v)
{
	char num[24];

	snprintf(num, sizeof num, "%" PRIu64, v);
	vyjw_prefix(w, key);
	vyjw_puts(w, num);
}

void vyjw_literal(vyjw *w, const char *key, const char *lit)
{
	vyjw_prefix(w, key);
	vyjw_puts(w, lit);
}
