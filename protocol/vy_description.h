/*
 * The election description (specs/commission.md): the JSON file in which
 * the election commission writes its election by hand (identifiers, voting
 * window, threshold, trustee names, contests), turned into the Manifest of
 * specs/protocol.md §3 with the public keys the commission collected.
 *
 * Every rule of the manifest is the protocol's own (vy_manifest_validate);
 * this reader adds only what JSON needs (types, known members, the
 * spellings of kinds, methods and genders, dates) and says where a refused
 * value is: a JSON path such as contests[0].lists[3].candidates[2].gender,
 * a position in the text, or the key that came from outside.
 */
#ifndef VY_DESCRIPTION_H
#define VY_DESCRIPTION_H

#include <stddef.h>
#include <stdint.h>

#include "protocol/vy_protocol.h"

#define VY_MAX_DESCRIPTION_BYTES (8u << 20)
#define VY_DESC_PATH_BYTES 128
/* The revoting limits of a description that does not state them
 * (protocol.md §3.6, commission.md §2). */
#define VY_DESC_DEFAULT_MAX_BALLOTS 10
#define VY_DESC_DEFAULT_MIN_SECONDS 60

/* The public keys that are not in the description (specs/commission.md §1). */
typedef struct {
	const uint8_t *board_key;                   /* Ed25519, 32 bytes */
	const uint8_t *commission_key;              /* Ed25519, 32 bytes */
	const Vybar__RegistrarPublicKeys *registrar; /* registrar_key and statement_key */
	const uint8_t (*trustee_keys)[32];          /* Ed25519, trustee 1..n in order */
	size_t n_trustees;
	/* the witnesses (specs/witness.md §5), in manifest order: name and
	 * Ed25519 key of each, and the threshold k (all zero: none) */
	const char *const *witness_names;
	const uint8_t (*witness_keys)[32];
	size_t n_witnesses;
	uint32_t witness_threshold;
} vy_description_keys;

/* Where a description was refused. */
typedef enum {
	VY_DESC_AT_JSON = 0,       /* the member named by path ("" is the whole document) */
	VY_DESC_AT_SYNTAX,         /* the text is not JSON: line and column */
	VY_DESC_AT_BOARD_KEY,      /* keys->board_key */
	VY_DESC_AT_COMMISSION_KEY, /* keys->commission_key */
	VY_DESC_AT_REGISTRAR_KEYS, /* keys->registrar */
	VY_DESC_AT_TRUSTEE_KEYS,   /* keys->trustee_keys: trustee (1-based, 0 the whole set) */
	VY_DESC_AT_WITNESSES       /* keys->witness_*: the message names the witness (V2.10) */
} vy_desc_place;

typedef struct {
	vy_desc_place place;
	char path[VY_DESC_PATH_BYTES];
	size_t line, column;
	size_t trustee;
} vy_desc_where;

/* Read the description text[0..len) with keys into a packed Manifest (*out,
 * malloc'd, *out_len bytes) that vy_decode_manifest and vy_manifest_validate
 * accept. On failure *out is NULL, why says what is wrong (the message
 * without the place) and where (may be NULL) where it is. */
vy_rc vy_description_manifest(const char *text, size_t len, const vy_description_keys *keys, uint8_t **out,
			      size_t *out_len, vy_desc_where *where, vy_reason *why) VY_WARN_UNUSED;

/* "2024-05-23T08:00:00Z" (RFC 3339: a date, "T", a time to the second, and
 * "Z" or an offset "+hh:mm" / "-hh:mm") as Unix seconds; 0 on success. */
int vy_description_time(const char *s, uint64_t *out);

#endif
