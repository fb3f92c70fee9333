/*
 * Lookup by prefix (specs/board-api.md §4 "Lookup by prefix", §5): a reader
 * asks for every tracking code under a short prefix of its code and finds
 * its own in the list, so the board learns the prefix only.
 *
 * The board's parser of the prefix it is asked for, and the rule by which
 * the web page's script chooses the prefix length (the script carries the
 * same rule in JavaScript, built from the same constants: web_page.c).
 */
#ifndef VYB_CODES_H
#define VYB_CODES_H

#include <stddef.h>
#include <stdint.h>

/* What is wrong with a prefix, if anything. */
typedef enum {
	VYB_PREFIX_OK = 0,
	VYB_PREFIX_LENGTH, /* not 1 to VY_CODE_PREFIX_MAX characters */
	VYB_PREFIX_CHARS   /* a character that is not an upper-case Crockford letter or digit */
} vyb_prefix_error;

/* s (NUL-terminated, untrusted) as a prefix: 1 to VY_CODE_PREFIX_MAX
 * characters of "0123456789ABCDEFGHJKMNPQRSTVWXYZ" (the tracking code's
 * first characters, §4.4 of the protocol; never a dash). *len: its length
 * when OK. */
vyb_prefix_error vyb_prefix_parse(const char *s, size_t *len);

/* The prefix length for a record holding `codes` tracking codes (ballots
 * and audited ballots): the largest P in 1..VY_CODE_PREFIX_MAX such that
 * codes / 32^P >= VY_LOOKUP_MIN_SET, and 1 when there is none. */
unsigned vyb_lookup_prefix_len(uint64_t codes);

#endif
