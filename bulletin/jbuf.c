/* A growable text buffer for JSON answers (jbuf.h). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bulletin/jbuf.h"
#include "protocol/vy_json.h"

#define JB_INITIAL_CAP 256

/* Room for n more bytes and a NUL. */
static int reserve(vyb_jbuf *b, size_t n)
{
	size_t cap;
	char *p;

	if (b->oom)
		return 0;
	if (b->len + n + 1 <= b->cap)
		return 1;
	cap = b->cap ? b->cap : JB_INITIAL_CAP;
	while (cap < b->len + n + 1)
		cap *= 2;
	p = realloc(b->s, cap);
	if (p == NULL) {
		b->oom = 1;
		return 0;
	}
	b->s = p;
	b->cap = cap;
	return 1;
}

void vyb_jb_put(vyb_jbuf *b, const void *p, size_t n)
{
	if (!reserve(b, n))
		return;
	memcpy(b->s + b->len, p, n);
	b->len += n;
	b->s[b->len] = '\0';
}

void vyb_jb_printf(vyb_jbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || !reserve(b, (size_t)n))
		return;
	va_start(ap, fmt);
	vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

/* vyjson_write_string's sink. */
static void jb_put(void *b, const char *p, size_t n)
{
	vyb_jb_put(b, p, n);
}

void vyb_jb_str(vyb_jbuf *b, const char *s)
{
	vyjson_write_string(jb_put, b, s, VYJSON_ESC_HTML); /* safe to embed in HTML */
}

void vyb_jb_hex(vyb_jbuf *b, const uint8_t *p, size_t n)
{
	static const char digits[] = "0123456789abcdef";

	vyb_jb_put(b, "\"", 1);
	for (size_t i = 0; i < n; i++) {
		char two[2] = { digits[p[i] >> 4], digits[p[i] & 15] };

		vyb_jb_put(b, two, 2);
	}
	vyb_jb_put(b, "\"", 1);
}

void vyb_jb_free(vyb_jbuf *b)
{
	free(b->s);
	memset(b, 0, sizeof *b);
}
