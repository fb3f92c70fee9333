/* A growable text buffer for the board's JSON answers (no parser: the board
 * only writes JSON). An allocation failure sets oom and stops appending. */
#ifndef VYB_JBUF_H
#define VYB_JBUF_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
	char *s;
	size_t len, cap;
	int oom;
} vyb_jbuf;

void vyb_jb_printf(vyb_jbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A JSON string literal, quoted and escaped. */
void vyb_jb_str(vyb_jbuf *b, const char *s);
/* A JSON string of the lowercase hex of n bytes. */
void vyb_jb_hex(vyb_jbuf *b, const uint8_t *p, size_t n);
/* Raw bytes. */
void vyb_jb_put(vyb_jbuf *b, const void *p, size_t n);
void vyb_jb_free(vyb_jbuf *b);

#endif
