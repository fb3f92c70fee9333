/*
 * Fuzz harness for the validity rules (specs/protocol.md §8) on a real
 * record: the input is a payload, validated as the next entry of a record
 * in phase SETUP (the manifest only) or OPEN (after a whole key ceremony),
 * built once from the deterministic fixtures. The first byte chooses the
 * record (bit 0) and the entry type (the rest, modulo the number of
 * types); the rest is the payload. The frame (seq, chain, board
 * signature) is not fuzzed here: the rules behind it are.
 *
 * A rule must return a reason and leave the record unchanged; it must
 * never crash or trip a sanitizer. Build with -DVYBAR_FUZZ=ON
 * (tests/fuzz/fuzz.cmake, tests/fuzz/README.md).
 */
#include <stdlib.h>
#include <string.h>

#include "tests/support/protocol_fixtures.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_TRUSTEES 1 /* as specs/vectors/protocol.json: its payloads are valid seeds */
#define FUZZ_THRESHOLD 1
#define FUZZ_RECORD_BIT 1

typedef vy_rc (*rule_fn)(const vy_record_state *st, const uint8_t *p, size_t n, vy_reason *why);

/* The rules of §8, one per entry type. */
static const rule_fn rules[] = {
	vy_validate_manifest_entry, vy_validate_key_announce,  vy_validate_key_reveal,
	vy_validate_key_verdict,    vy_validate_election_open, vy_validate_ballot_entry,
	vy_validate_audited_entry,  vy_validate_election_close, vy_validate_encrypted_tally,
	vy_validate_partial_decryption, vy_validate_result,
};

static vyf_record setup_record, open_record;

/* The two records, built once. */
static void build_records(void)
{
	vyf_record_init(&setup_record, FUZZ_TRUSTEES, FUZZ_THRESHOLD);
	vyf_record_init(&open_record, FUZZ_TRUSTEES, FUZZ_THRESHOLD);
	vyf_record_ceremony(&open_record);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	const vyf_record *r;
	uint8_t head[VY_HASH_BYTES];
	uint64_t next;
	vy_reason why = { 0 };
	vy_rc rc;

	if (!ready) {
		build_records();
		ready = 1;
	}
	if (size == 0)
		return 0;
	r = (data[0] & FUZZ_RECORD_BIT) ? &open_record : &setup_record;
	next = r->st.next_seq;
	memcpy(head, r->st.head_hash, sizeof head);
	rc = rules[(data[0] >> 1) % (sizeof rules / sizeof rules[0])](&r->st, data + 1, size - 1, &why);
	if (rc != VY_R_OK && why.code != rc)
		abort();
	if (r->st.next_seq != next || memcmp(head, r->st.head_hash, sizeof head) != 0)
		abort();
	return 0;
}
