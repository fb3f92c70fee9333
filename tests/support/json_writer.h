/*
 * A small JSON writer for the test-vector generators, with exactly the
 * layout of Python's json.dumps(indent=2), so a generated file is
 * byte-identical on every run and the Python checkers can compare layout.
 * Errors (allocation, nesting, a non-ASCII string) set `failed`; later
 * calls then do nothing.
 */
#ifndef VYTEST_JSON_WRITER_H
#define VYTEST_JSON_WRITER_H

#include <stddef.h>
#include <stdint.h>

#define VYJW_MAX_DEPTH 16

typedef struct {
	char *buf; /* NUL-terminated; the caller frees it */
	size_t len, cap;
	int depth;
	size_t count[VYJW_MAX_DEPTH]; /* members written so far at each open level */
	int failed;
} vyjw;

void vyjw_put(vyjw *w, const char *s, size_t n);
void vyjw_puts(vyjw *w, const char *s);
void vyjw_indent(vyjw *w, int depth);
void vyjw_quoted(vyjw *w, const char *s);
void vyjw_prefix(vyjw *w, const char *key);
/* Open an object ("{") or array ("["), as a member named key (NULL in arrays). */
void vyjw_open(vyjw *w, const char *key, const char *bracket);
void vyjw_close(vyjw *w, const char *bracket);
void vyjw_string(vyjw *w, const char *key, const char *s);
void vyjw_hex(vyjw *w, const char *key, const uint8_t *b, size_t n);
void vyjw_u64(vyjw *w, const char *key, uint64_t v);
void vyjw_literal(vyjw *w, const char *key, const char *lit);

#endif
