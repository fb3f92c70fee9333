/*
 * The protocol layer (specs/protocol.md): reason codes, tags, limits and
 * the strict decoders of every wire message (specs/vybar.proto).
 *
 * Conventions (in addition to crypto/vy_common.h):
 *
 *  1. Every check returns a vy_rc: VY_R_OK (0) when the input is valid,
 *     otherwise a stable reason code. When a vy_reason is passed (it may be
 *     NULL), it receives the code and a message naming the field, e.g.
 *     "ballot contest 0 option 3: 0/1 proof does not verify".
 *  2. Decoders reject truncated input, input larger than the message's
 *     maximum size, unknown fields (which is how a message of another type
 *     shows itself), and malformed protobuf. Group elements and scalars are
 *     validated by the functions that use them (vy_elem_decode*,
 *     vy_scalar_decode), always before any use.
 *  3. Decoded messages are protobuf-c structures; free them with
 *     vy_msg_free().
 */
#ifndef VY_PROTOCOL_H
#define VY_PROTOCOL_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/vy_common.h"
#include "specs/vybar.pb-c.h"

/* Reason codes (specs/protocol.md §9). The numbers are stable: never reuse one. */
typedef enum {
	VY_R_OK = 0,
	VY_R_ARG = 1,              /* programmer error: NULL or out-of-contract size */
	VY_R_NOMEM = 2,
	VY_R_IO = 3,               /* read or write failed */
	VY_R_TRUNCATED = 4,        /* input ends inside a message or frame */
	VY_R_TOO_LARGE = 5,        /* input exceeds the maximum size for its type */
	VY_R_MALFORMED = 6,        /* not a valid protobuf encoding of the message */
	VY_R_UNKNOWN_FIELD = 7,    /* a field the message type does not have */
	VY_R_UNKNOWN_TYPE = 8,     /* an entry type this version does not know */
	VY_R_BAD_MAGIC = 9,        /* record file does not start with the magic line */
	VY_R_FIELD = 10,           /* a field is missing, of the wrong length or out of range */
	VY_R_ELEMENT = 11,         /* a group element does not decode (crypto error in message) */
	VY_R_SCALAR = 12,          /* a scalar does not decode */
	VY_R_GROUP = 13,           /* unknown group */
	VY_R_CONTEST = 14,         /* a contest definition is inconsistent */
	VY_R_GENDER_RULE = 15,     /* a party list breaks the gender rule */
	VY_R_TRUSTEES = 16,        /* trustee count, threshold or keys are wrong */
	VY_R_KEY = 17,             /* a public key is malformed */
	VY_R_SEQ = 18,             /* entry sequence number is not the next one */
	VY_R_CHAIN = 19,           /* prev_hash is not the hash of the previous entry */
	VY_R_BOARD_SIGNATURE = 20, /* board signature does not verify */
	VY_R_PHASE = 21,           /* entry not allowed in the current phase */
	VY_R_SHAPE = 22,           /* wrong number of contests, selections or proof branches */
	VY_R_PROOF = 23,           /* a 0/1 selection proof does not verify */
	VY_R_SUM_PROOF = 24,       /* a contest sum proof does not verify */
	VY_R_BALLOT_SIGNATURE = 25,    /* credential's signature over the ballot hash fails */
	VY_R_REGISTRAR_SIGNATURE = 26, /* registrar's signature on the credential fails */
	VY_R_REVEAL = 27,          /* audited ballot: revealed values do not re-encrypt */
	VY_R_TRUSTEE_SIGNATURE = 28,
	VY_R_DUPLICATE = 29,       /* second message where only one is allowed */
	VY_R_COMMITMENT = 30,      /* ceremony commitments do not match or proofs fail */
	VY_R_JOINT_KEY = 31,       /* election key is not the product of the constant terms */
	VY_R_RECEIPT = 32,         /* receipt signature or content does not verify */
	VY_R_TRUSTEE = 33,         /* trustee index unknown or not the signer */
	VY_R_NOT_IMPLEMENTED = 34, /* a rule whose code belongs to a later issue */
	VY_R_WITNESS = 35,         /* a witness cosignature is missing, misplaced or does not verify */
	VY_R_REPLAY = 36,          /* a ballot's ciphertext already stands on the record */
	VY_R_ADMIN_SIGNATURE = 37, /* a commission-ordered entry lacks the commission's signature */
	VY_R_BALLOT_LIMIT = 38,    /* the credential has cast the manifest's most ballots already */
	VY_R__COUNT
} vy_rc;

#define VY_REASON_MSG_BYTES 256

#define VY_CHECK_ID_BYTES 8 /* "V4.5" and its NUL */

typedef struct {
	vy_rc code;
	char msg[VY_REASON_MSG_BYTES];
	/* The numbered check of specs/verification.md that failed, e.g.
	 * "V4.5", set by the rule that knows it; "" when the rule names none
	 * (vybar-verify then maps code and message to a check). */
	char check[VY_CHECK_ID_BYTES];
} vy_reason;

/* A short, stable English name of a reason code. Never NULL. */
const char *vy_rc_str(vy_rc rc);

/* Set why (if not NULL) to code and a printf-formatted message, with an
 * empty check; returns code. */
vy_rc vy_reason_set(vy_reason *why, vy_rc code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Name the check (e.g. "V4.5") that failed with rc, unless rc is VY_R_OK,
 * why is NULL or an inner rule already named one; returns rc. */
vy_rc vy_reason_check(vy_reason *why, vy_rc rc, const char *check);

/* ---- tags of the identifier hashes (specs/protocol.md §2) ---- */
#define VY_TAG_MANIFEST "vybar/v1/manifest"
#define VY_TAG_BALLOT "vybar/v1/ballot"
#define VY_TAG_TRACKING "vybar/v1/tracking-code"
#define VY_TAG_CIPHERTEXTS "vybar/v1/ciphertexts"
/* Not a hash of the record: the digest of a one-time key in the record
 * state's set (replay.c). */
#define VY_TAG_AUDIT_KEY "vybar/v1/audit-key"
#define VY_TAG_CREDENTIAL "vybar/v1/credential"
#define VY_TAG_ENTRY "vybar/v1/entry"
#define VY_TAG_RECEIPT "vybar/v1/receipt"
#define VY_TAG_COEFF_COMMIT "vybar/v1/coefficient-commitments"
#define VY_TAG_TRUSTEE_SIGNED "vybar/v1/trustee-signed"
#define VY_TAG_REGISTRAR_ISSUED "vybar/v1/registrar-issued"
#define VY_TAG_ADMIN_ACTION "vybar/v1/admin-action"
#define VY_CTX_SUM "sum"

/* ---- sizes and limits (specs/protocol.md §1) ---- */
#define VY_ED25519_PK_BYTES 32
#define VY_ED25519_SIG_BYTES 64
#define VY_X25519_PK_BYTES 32
#define VY_RANDOMIZER_BYTES 32
#define VY_RSA_MIN_MODULUS_BYTES 384 /* 3072 bits */
#define VY_RSA_MAX_MODULUS_BYTES 1024 /* 8192 bits */
#define VY_MAX_TEXT_BYTES 1024       /* any title or name */
#define VY_MAX_TRANSLATIONS 32       /* translations of one text (§3.7) */
#define VY_MIN_LANG_BYTES 2          /* a language tag: 2..3 letters a-z (§3.7) */
#define VY_MAX_LANG_BYTES 3
#define VY_MAX_ELECTION_ID_BYTES 128
#define VY_MAX_CONTESTS 64
#define VY_MAX_OPTIONS 1000          /* options (or lists) of one contest */
#define VY_MAX_CANDIDATES 1000       /* candidates of one list */
#define VY_MAX_TRUSTEES 64
#define VY_MAX_WITNESSES 16 /* specs/witness.md §5 */
#define VY_MAX_BALLOTS_PER_CREDENTIAL 1000 /* §3.3 item 8: the manifest's limit is 1..this */
#define VY_MAX_SECONDS_BETWEEN_BALLOTS 86400 /* §3.3 item 8: the manifest's wait is 0..this */
#define VY_MAX_MANIFEST_BYTES (4u << 20)
#define VY_MAX_BALLOT_BYTES (2u << 20)
#define VY_MAX_AUDITED_BALLOT_BYTES (2u * VY_MAX_BALLOT_BYTES) /* a ballot and its revealed values */
#define VY_MAX_MESSAGE_BYTES (16u << 20) /* any other message */
#define VY_MAX_ENTRY_BYTES (VY_MAX_MESSAGE_BYTES + 4096u) /* a record frame */

/* ---- decoding ----
 * Each decoder unpacks len bytes into *out (NULL on failure) after checking
 * the size limit of its type, and rejects unknown fields at every depth. */
vy_rc vy_decode_manifest(Vybar__Manifest **out, const uint8_t *buf, size_t len, vy_reason *why) VY_WARN_UNUSED;
vy_rc vy_decode_ballot(Vybar__Ballot **out, const uint8_t *buf, size_t len, vy_reason *why) VY_WARN_UNUSED;
vy_rc vy_decode_audited_ballot(Vybar__AuditedBallot **out, const uint8_t *buf, size_t len,
			       vy_reason *why) VY_WARN_UNUSED;
vy_rc vy_decode_entry(Vybar__RecordEntry **out, const uint8_t *buf, size_t len, vy_reason *why) VY_WARN_UNUSED;
vy_rc vy_decode_receipt(Vybar__Receipt **out, const uint8_t *buf, size_t len, vy_reason *why) VY_WARN_UNUSED;
/* Any message by descriptor, with limit max_len. */
vy_rc vy_decode_message(ProtobufCMessage **out, const ProtobufCMessageDescriptor *desc, size_t max_len,
			const uint8_t *buf, size_t len, vy_reason *why) VY_WARN_UNUSED;

/* Free any decoded message (NULL is fine). */
void vy_msg_free(void *msg);

/* Serialise msg into a malloc'd buffer; NULL on allocation failure. */
uint8_t *vy_msg_pack(const void *msg, size_t *len);

#endif
