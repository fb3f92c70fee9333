/*
 * A small, strict JSON reader for the tests (RFC 8259): objects, arrays,
 * strings with the standard escapes, numbers, true, false and null, parsed
 * into a tree. Anything else is rejected with a message naming the byte
 * offset: trailing commas, comments, leading zeros, control characters or
 * invalid UTF-8 in strings, lone surrogates, duplicate keys, trailing text,
 * and nesting deeper than VYJSON_MAX_DEPTH.
 *
 * Not for untrusted input in production: it exists to read the test vectors
 * of specs/vectors/.
 */
#ifndef VYTEST_JSON_H
#define VYTEST_JSON_H

#include <stddef.h>

#define VYJSON_MAX_DEPTH 64

typedef enum {
	VYJSON_NULL,
	VYJSON_FALSE,
	VYJSON_TRUE,
	VYJSON_NUMBER,
	VYJSON_STRING,
	VYJSON_ARRAY,
	VYJSON_OBJECT
} vyjson_type;

typedef struct vyjson vyjson;

struct vyjson {
	vyjson_type type;
	char *key;     /* member name when inside an object, else NULL */
	size_t key_len;
	char *str;     /* STRING: decoded UTF-8, NUL-terminated; NUMBER: its text */
	size_t str_len;
	double num;    /* NUMBER: the value */
	vyjson **items; /* ARRAY, OBJECT: the elements or members, in order */
	size_t n_items;
};

/* Parse len bytes of text. Returns the tree, or NULL with a message in
 * err (err_cap bytes, may be 0) if the text is not exactly one JSON value
 * surrounded by optional whitespace. */
vyjson *vyjson_parse(const char *text, size_t len, char *err, size_t err_cap);
void vyjson_free(vyjson *v);

/* Member of an object by name (NULL if v is not an object or has no such member). */
const vyjson *vyjson_get(const vyjson *v, const char *key);
/* Element i of an array or object (NULL if out of range or not a container). */
const vyjson *vyjson_at(const vyjson *v, size_t i);
/* Number of elements or members; 0 for scalars. */
size_t vyjson_len(const vyjson *v);
/* The string value, or NULL if v is NULL or not a string. */
const char *vyjson_string(const vyjson *v);
/* Shorthand: the string member key of object v, or NULL. */
const char *vyjson_get_string(const vyjson *v, const char *key);
/* 1 and *out set if v is a number written as an integer (no fraction or
 * exponent) that fits a long long, else 0. */
int vyjson_int(const vyjson *v, long long *out);

#endif
