/*
 * Fuzz harness for every protocol decoder and the record reader
 * (specs/protocol.md §1.3, §7.6). The first byte chooses the target; the rest
 * is the input. Build with clang -fsanitize=fuzzer,address (libFuzzer) by
 * linking this file with libvybar; tests/test_protocol_fuzz_replay.c replays
 * the corpus of tests/fuzz/corpus/ in ctest.
 *
 * Targets: 0 manifest (and its rules), 1 ballot, 2 audited ballot,
 * 3 record entry, 4 receipt, 5 a record file (streamed, every rule),
 * 6.. every other message type by descriptor.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocol/vy_record.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const ProtobufCMessageDescriptor *const others[] = {
	&vybar__trustee_signed__descriptor, &vybar__key_announce__descriptor, &vybar__key_reveal__descriptor,
	&vybar__key_verdict__descriptor,    &vybar__election_open__descriptor, &vybar__election_close__descriptor,
	&vybar__encrypted_tally__descriptor, &vybar__partial_decryption__descriptor, &vybar__result__descriptor,
};

/* A record file from memory, through every rule. */
static void fuzz_record(const uint8_t *data, size_t size)
{
	vy_record_state st;
	uint64_t bad;
	FILE *f = fmemopen((void *)data, size, "rb");

	if (f == NULL)
		return;
	vy_record_state_init(&st);
	if (vy_record_verify_file(&st, f, &bad, NULL) == VY_R_OK && st.next_seq > 0)
		(void)st.head_hash[0];
	vy_record_state_free(&st);
	fclose(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	ProtobufCMessage *m = NULL;
	vy_rc rc = VY_R_OK;
	vy_reason why;

	if (!ready) {
		if (vy_init() != VY_OK)
			abort();
		ready = 1;
	}
	if (size == 0)
		return 0;
	switch (data[0]) {
	case 0:
		rc = vy_decode_manifest((Vybar__Manifest **)&m, data + 1, size - 1, &why);
		if (rc == VY_R_OK &&
		    vy_manifest_validate((Vybar__Manifest *)m, &why) == VY_R_OK) {
			uint8_t h[VY_HASH_BYTES];

			vy_manifest_hash((Vybar__Manifest *)m, h);
		}
		break;
	case 1:
		rc = vy_decode_ballot((Vybar__Ballot **)&m, data + 1, size - 1, &why);
		break;
	case 2:
		rc = vy_decode_audited_ballot((Vybar__AuditedBallot **)&m, data + 1, size - 1, &why);
		break;
	case 3:
		rc = vy_decode_entry((Vybar__RecordEntry **)&m, data + 1, size - 1, &why);
		break;
	case 4:
		rc = vy_decode_receipt((Vybar__Receipt **)&m, data + 1, size - 1, &why);
		break;
	case 5:
		fuzz_record(data + 1, size - 1);
		break;
	default:
		rc = vy_decode_message(&m, others[(data[0] - 6) % (sizeof others / sizeof others[0])],
					VY_MAX_MESSAGE_BYTES, data + 1, size - 1, &why);
		break;
	}
	/* a failed decode leaves nothing behind, and always says why */
	if (rc != VY_R_OK && (m != NULL || why.code != rc))
		abort();
	vy_msg_free(m);
	return 0;
}
