/*
 * A small, strict JSON reader (RFC 8259), and the one writer of JSON
 * strings (vyjson_write_string): objects, arrays, strings with the
 * standard escapes, numbers, true, false and null, parsed into a tree.
 *
 * It reads files from outside (the commission's election description,
 * specs/commission.md), so every resource is bounded: the input size
 * (VYJSON_MAX_BYTES), the nesting depth (VYJSON_MAX_DEPTH), the number of
 * values (VYJSON_MAX_VALUES) and the length of a number (VYJSON_MAX_NUMBER);
 * time is O(n log n) in the input (duplicate member names are found by
 * sorting). Anything else is rejected with its position: trailing commas,
 * comments, leading zeros, control characters or invalid UTF-8 in strings,
 * lone surrogates, duplicate member names, trailing text.
 */
#ifndef VY_JSON_H
#define VY_JSON_H

#include <stddef.h>

#define VYJSON_MAX_DEPTH 64
#define VYJSON_MAX_BYTES (16u << 20)
#define VYJSON_MAX_VALUES (1u << 20)
#define VYJSON_MAX_NUMBER 512 /* characters of one number */
#define VYJSON_MSG_BYTES 96

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
	char *key;      /* member name when inside an object, else NULL */
	size_t key_len;
	char *str;      /* STRING: decoded UTF-8, NUL-terminated; NUMBER: its text */
	size_t str_len;
	double num;     /* NUMBER: the value */
	vyjson **items; /* ARRAY, OBJECT: the elements or members, in order */
	size_t n_items;
	size_t offset;  /* byte offset of the value in the text */
};

/* Where and why a text was refused. line and column count from 1; the
 * column counts characters (UTF-8 sequences), not bytes. */
typedef struct {
	size_t offset, line, column;
	char msg[VYJSON_MSG_BYTES];
} vyjson_error;

/* Parse len bytes of text. Returns the tree, or NULL with a message in
 * err (err_cap bytes, may be 0), "json: offset N (line L, column C): why",
 * if the text is not exactly one JSON value surrounded by optional
 * whitespace. */
vyjson *vyjson_parse(const char *text, size_t len, char *err, size_t err_cap);
/* The same, with the position as numbers (err may be NULL). */
vyjson *vyjson_parse_ex(const char *text, size_t len, vyjson_error *err);
void vyjson_free(vyjson *v);

/* Line and column (from 1, columns in characters) of byte offset in text. */
void vyjson_position(const char *text, size_t offset, size_t *line, size_t *column);

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

/* ---- writing ---- */

/* vyjson_write_string: also escape '<', '>' and '&', so that the JSON is
 * safe inside HTML (the board's answers). */
#define VYJSON_ESC_HTML 1u
/* vyjson_write_string: every character beyond ASCII as \uXXXX (a
 * surrogate pair above U+FFFF), a byte that is not UTF-8 as \u00XX: the
 * output is ASCII. */
#define VYJSON_ESC_ASCII 2u

/* Where the writer sends its text: n bytes at p. */
typedef void (*vyjson_put_fn)(void *arg, const char *p, size_t n);

/* s as a JSON string literal, quotes included, through put: '"' and '\\'
 * escaped with a backslash, control characters and DEL as \u00XX, the
 * rest as it is unless flags (VYJSON_ESC_*) say otherwise. NULL is "". */
void vyjson_write_string(vyjson_put_fn put, void *arg, const char *s, unsigned flags);

#endif
