/*
 * The generator of the protocol test vectors (specs/vectors/protocol.json,
 * specs/protocol.md "Test vectors"), shared by tests/tools/gen_protocol_vectors.c
 * (which writes the file) and tests/test_protocol_vectors.c (which checks the
 * committed file is exactly what it generates today).
 *
 * Every value comes from the deterministic fixtures of
 * tests/support/protocol_fixtures.c (fixed labels, Ed25519 keys seeded from
 * labels, deterministic proofs) and every hash from the protocol library's
 * own functions (vy_manifest_hash, vy_ballot_hash, vy_tracking_code,
 * vy_entry_hash_of, vy_receipt_hash), so the vectors follow the code.
 */
#ifndef VYTEST_PROTOCOL_VECTORS_GEN_H
#define VYTEST_PROTOCOL_VECTORS_GEN_H

#include <stddef.h>

#include "crypto/vy_common.h"

#define VYPVEC_FILE_NAME "protocol.json"
#define VYPVEC_GENERATED "by tests/tools/gen_protocol_vectors.c; do not edit"
#define VYPVEC_SPECIFICATION "specs/protocol.md"

/* The election of the vectors: one trustee (so the ceremony has no sealed
 * shares, which libsodium randomises), the fixtures' default manifest. */
#define VYPVEC_TRUSTEES 1
#define VYPVEC_THRESHOLD 1
#define VYPVEC_VOTER "vector voter"
#define VYPVEC_BALLOTS_RECEIVED 1

/* Generate the vectors: *out is a malloc'd, NUL-terminated JSON text of
 * *out_len bytes, laid out as Python's json.dumps(v, indent=2) plus a
 * newline. Every value is cross-checked through the library where it
 * offers a check (the record is validated entry by entry, signatures and
 * the receipt verify, the ballot validates); a disagreement fails the
 * generation (VY_ERR_LIB). Fixture failures abort like a failed test. */
vy_err vypvec_generate(char **out, size_t *out_len) VY_WARN_UNUSED;

#endif
