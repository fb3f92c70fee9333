/*
 * The table of the record's entry types (vy_entry_types.h), in type order,
 * and the few small functions its rows point to.
 */
#include <string.h>

#include "protocol/record_impl.h"
#include "protocol/vy_api.h"
#include "protocol/vy_entry_types.h"

_Static_assert(VYV__COUNT <= 64, "vy_entry_type_info.examines holds one bit per check");

/* ---- BALLOT and AUDITED_BALLOT: the rules the state has no part in ---- */

static const vy_ballot_rules BALLOT_RULES = { "ballot", vy_ballot_payload_check, VYV__COUNT,
					      vy_ballot_state_rules };
/* An audited ballot's ballot rules are its V5.1 (verification.md V5). */
static const vy_ballot_rules AUDITED_RULES = { "audited ballot", vy_audited_payload_check, VYV_5_1,
					       vy_audited_state_rules };

/* §8.9, then the registrar's statement is on the record (§8.12). */
static vy_rc validate_tally(const vy_record_state *st, const uint8_t *p, size_t n, vy_reason *why)
{
	vy_rc rc = vy_validate_encrypted_tally(st, p, n, why);

	return rc != VY_R_OK ? rc : vy_eligibility_tally_check(st, why);
}

/* ---- what a failure reports (verification.md §Reporting) ---- */

static const vy_code_check MANIFEST_CODES[] = {
	{ VY_R_PHASE, VYV_1_5 }, /* a manifest after entry 0 */
	{ VY_R_CONTEST, VYV_2_2 },
	{ VY_R_GENDER_RULE, VYV_2_5 },
	{ VY_R_TRUSTEES, VYV_2_6 },
	{ VY_R_KEY, VYV_2_7 },
	{ VY_R_OK, VYV_1_0 },
};
static const vy_code_check SIGNED_CODES[] = {
	{ VY_R_TRUSTEE_SIGNATURE, VYV_3_1 },
	{ VY_R_TRUSTEE, VYV_3_1 },
	{ VY_R_PHASE, VYV_1_7 },
	{ VY_R_OK, VYV_1_0 },
};
static const vy_code_check BALLOT_CODES[] = {
	{ VY_R_PHASE, VYV_1_7 },
	{ VY_R_KEY, VYV_4_1 },
	{ VY_R_BALLOT_SIGNATURE, VYV_4_3 },
	{ VY_R_REGISTRAR_SIGNATURE, VYV_4_4 },
	{ VY_R_PROOF, VYV_4_5 },
	{ VY_R_SUM_PROOF, VYV_4_6 },
	{ VY_R_REPLAY, VYV_4_8 },
	{ VY_R_BALLOT_LIMIT, VYV_4_10 },
	{ VY_R_OK, VYV_1_0 },
};
static const vy_code_check AUDITED_CODES[] = {
	{ VY_R_PHASE, VYV_1_7 },
	{ VY_R_REVEAL, VYV_5_2 },
	{ VY_R_REPLAY, VYV_5_4 },
	{ VY_R_OK, VYV_1_0 },
};

/* an entry of a later phase, in the wrong phase */
static const vy_code_check PHASED_CODES[] = { { VY_R_PHASE, VYV_1_7 }, { VY_R_OK, VYV_1_0 } };
/* an entry the commission orders, out of phase or without its signature */
static const vy_code_check ORDERED_CODES[] = {
	{ VY_R_PHASE, VYV_1_7 },
	{ VY_R_ADMIN_SIGNATURE, VYV_1_8 },
	{ VY_R_OK, VYV_1_0 },
};

vyv_check vy_entry_type_check(const vy_entry_type_info *t, const vy_reason *why)
{
	for (const vy_code_check *c = t->by_code; c != NULL && c->code != VY_R_OK; c++)
		if (c->code == why->code)
			return c->check;
	return t->check;
}

/* ---- what the checks examine, beyond one item of each (the report's counts) ---- */

/* V3.5 one proof per coefficient, V3.6 one share per other trustee. */
static void count_reveal(uint64_t *x, const vy_record_state *st)
{
	x[VYV_3_5] += st->manifest->threshold;
	x[VYV_3_6] += st->manifest->trustee_count - 1;
}

/* V4.5 per selection, V4.6 per contest; V4.7 the counted ballots so far
 * (the last of each credential). */
static void count_ballot(uint64_t *x, const vy_record_state *st)
{
	x[VYV_4_5] += st->n_sel;
	x[VYV_4_6] += st->manifest->n_contests;
	x[VYV_4_7] = st->cred_count;
}

static void count_audited(uint64_t *x, const vy_record_state *st)
{
	x[VYV_5_2] += st->n_sel;
	x[VYV_5_3] += st->manifest->n_contests;
}

static void count_tally(uint64_t *x, const vy_record_state *st)
{
	x[VYV_7_1] += st->n_sel;
}

static void count_decryption(uint64_t *x, const vy_record_state *st)
{
	x[VYV_7_2] += st->n_sel;
}

/* V7.3 per selection, V7.4 and V7.5 per party list. */
static void count_result(uint64_t *x, const vy_record_state *st)
{
	const Vybar__Manifest *m = st->manifest;

	x[VYV_7_3] += st->n_sel;
	for (size_t c = 0; c < m->n_contests; c++) {
		if (m->contests[c]->kind != VYBAR__CONTEST_KIND__CONTEST_KIND_PARTY_LIST ||
		    m->contests[c]->party_list == NULL)
			continue;
		x[VYV_7_4] += m->contests[c]->party_list->n_lists;
		x[VYV_7_5] += m->contests[c]->party_list->n_lists;
	}
}

#define EX(c) VY_EXAMINES(c)
/* V2.1 to V2.9 */
#define EX_MANIFEST                                                                                        \
	(EX(VYV_2_1) | EX(VYV_2_2) | EX(VYV_2_3) | EX(VYV_2_4) | EX(VYV_2_5) | EX(VYV_2_6) | EX(VYV_2_7) | \
	 EX(VYV_2_8) | EX(VYV_2_9) | EX(VYV_2_10) | EX(VYV_2_11))
#define EX_BALLOT (EX(VYV_4_1) | EX(VYV_4_2) | EX(VYV_4_3) | EX(VYV_4_4) | EX(VYV_4_8) | EX(VYV_4_9) | EX(VYV_4_10))

#define T(x) VYBAR__ENTRY_TYPE__ENTRY_TYPE_##x
/* the action that orders an entry and its payload's message (§12.4) */
#define ORDERED(action, msg) \
	.admin = VYBAR__ADMIN_ACTION_KIND__ADMIN_ACTION_KIND_##action, .payload = &vybar__##msg##__descriptor

static const vy_entry_type_info TYPES[] = {
	{ .type = T(MANIFEST), .name = "MANIFEST", .signer = VY_SIGNER_BOARD,
	  .validate = vy_validate_manifest_entry, .apply = vy_record_apply_manifest,
	  .check = VYV_2_1, .by_code = MANIFEST_CODES, .examines = EX_MANIFEST },
	{ .type = T(KEY_ANNOUNCE), .name = "KEY_ANNOUNCE", .signer = VY_SIGNER_TRUSTEE,
	  .validate = vy_validate_key_announce, .apply = vy_ceremony_apply,
	  .check = VYV_3_2, .by_code = SIGNED_CODES, .examines = EX(VYV_3_1) | EX(VYV_3_2),
	  .endpoint = VY_PATH_TRUSTEE_ANNOUNCE, .max_body = VY_MAX_TRUSTEE_BYTES },
	{ .type = T(KEY_REVEAL), .name = "KEY_REVEAL", .signer = VY_SIGNER_TRUSTEE,
	  .validate = vy_validate_key_reveal, .apply = vy_ceremony_apply,
	  .check = VYV_3_4, .by_code = SIGNED_CODES, .examines = EX(VYV_3_1) | EX(VYV_3_3) | EX(VYV_3_4),
	  .count = count_reveal,
	  .endpoint = VY_PATH_TRUSTEE_REVEAL, .max_body = VY_MAX_TRUSTEE_BYTES },
	{ .type = T(KEY_VERDICT), .name = "KEY_VERDICT", .signer = VY_SIGNER_TRUSTEE,
	  .validate = vy_validate_key_verdict, .apply = vy_ceremony_apply,
	  .check = VYV_3_7, .by_code = SIGNED_CODES, .examines = EX(VYV_3_1) | EX(VYV_3_7),
	  .endpoint = VY_PATH_TRUSTEE_VERDICT, .max_body = VY_MAX_TRUSTEE_BYTES },
	{ .type = T(ELECTION_OPEN), .name = "ELECTION_OPEN", .signer = VY_SIGNER_COMMISSION,
	  .validate = vy_validate_election_open, .apply = vy_ceremony_apply,
	  .check = VYV_3_9, .by_code = ORDERED_CODES, .examines = EX(VYV_3_9) | EX(VYV_1_8),
	  ORDERED(OPEN, election_open) },
	{ .type = T(BALLOT), .name = "BALLOT", .signer = VY_SIGNER_VOTER,
	  .validate = vy_validate_ballot_entry, .apply = vy_record_apply_ballot, .ballot = &BALLOT_RULES,
	  .check = VYV_4_2, .by_code = BALLOT_CODES, .examines = EX_BALLOT, .count = count_ballot,
	  .endpoint = VY_PATH_BALLOTS, .max_body = VY_MAX_BALLOT_BYTES },
	{ .type = T(AUDITED_BALLOT), .name = "AUDITED_BALLOT", .signer = VY_SIGNER_VOTER,
	  .validate = vy_validate_audited_entry, .apply = vy_record_apply_audited, .ballot = &AUDITED_RULES,
	  .check = VYV_5_1, .by_code = AUDITED_CODES, .examines = EX(VYV_5_1) | EX(VYV_5_4) | EX(VYV_5_5),
	  .count = count_audited,
	  .endpoint = VY_PATH_AUDITED, .max_body = VY_MAX_AUDITED_BALLOT_BYTES },
	{ .type = T(ELECTION_CLOSE), .name = "ELECTION_CLOSE", .signer = VY_SIGNER_COMMISSION,
	  .validate = vy_validate_election_close, .apply = vy_record_apply_close,
	  .check = VYV_6_1, .by_code = ORDERED_CODES, .examines = EX(VYV_6_1) | EX(VYV_1_8),
	  ORDERED(CLOSE, election_close) },
	/* V6.3 once more: the tally needs the CREDENTIALS_ISSUED entry */
	{ .type = T(ENCRYPTED_TALLY), .name = "ENCRYPTED_TALLY", .signer = VY_SIGNER_COMMISSION,
	  .validate = validate_tally, .apply = vy_tally_apply,
	  .check = VYV_7_1, .by_code = ORDERED_CODES, .examines = EX(VYV_6_3) | EX(VYV_1_8), .count = count_tally,
	  ORDERED(TALLY, encrypted_tally) },
	{ .type = T(PARTIAL_DECRYPTION), .name = "PARTIAL_DECRYPTION", .signer = VY_SIGNER_TRUSTEE,
	  .validate = vy_validate_partial_decryption, .apply = vy_tally_apply,
	  .check = VYV_7_2, .by_code = SIGNED_CODES, .examines = EX(VYV_3_1), .count = count_decryption,
	  .endpoint = VY_PATH_TRUSTEE_DECRYPTION, .max_body = VY_MAX_MESSAGE_BYTES },
	{ .type = T(RESULT), .name = "RESULT", .signer = VY_SIGNER_COMMISSION,
	  .validate = vy_validate_result, .apply = vy_tally_apply,
	  .check = VYV_7_3, .by_code = ORDERED_CODES, .examines = EX(VYV_1_8), .count = count_result,
	  ORDERED(RESULT, result) },
	{ .type = T(KEY_JUSTIFICATION), .name = "KEY_JUSTIFICATION", .signer = VY_SIGNER_TRUSTEE,
	  .validate = vy_validate_key_justification, .apply = vy_ceremony_apply,
	  .check = VYV_3_8, .by_code = SIGNED_CODES, .examines = EX(VYV_3_1) | EX(VYV_3_8),
	  .endpoint = VY_PATH_TRUSTEE_JUSTIFICATION, .max_body = VY_MAX_TRUSTEE_BYTES },
	/* protocol.md §8.12: the registrar's signed count, carried by the commission */
	{ .type = T(CREDENTIALS_ISSUED), .name = "CREDENTIALS_ISSUED", .signer = VY_SIGNER_REGISTRAR,
	  .validate = vy_validate_credentials_issued, .apply = vy_credentials_issued_apply,
	  .check = VYV_6_2, .by_code = PHASED_CODES, .examines = EX(VYV_6_2) | EX(VYV_6_3),
	  .endpoint = VY_PATH_CREDENTIALS_ISSUED, .max_body = VY_MAX_ISSUED_BYTES },
	/* protocol.md §8.13: the tally's checkpoint, cosigned by k witnesses;
	 * the board appends it once it holds their cosignatures */
	{ .type = T(WITNESSED), .name = "WITNESSED", .signer = VY_SIGNER_BOARD,
	  .validate = vy_validate_witnessed, .apply = vy_witnessed_apply,
	  .check = VYV_10_1, .by_code = PHASED_CODES, .examines = EX(VYV_10_1) | EX(VYV_10_2) | EX(VYV_10_3)},
};
#define N_TYPES (sizeof TYPES / sizeof TYPES[0])

const vy_entry_type_info *vy_entry_type(Vybar__EntryType t)
{
	for (size_t i = 0; i < N_TYPES; i++)
		if (TYPES[i].type == t)
			return &TYPES[i];
	return NULL;
}

const vy_entry_type_info *vy_entry_type_at(const char *path)
{
	for (size_t i = 0; path != NULL && i < N_TYPES; i++)
		if (TYPES[i].endpoint != NULL && strcmp(TYPES[i].endpoint, path) == 0)
			return &TYPES[i];
	return NULL;
}

const vy_entry_type_info *vy_entry_types(size_t *n)
{
	*n = N_TYPES;
	return TYPES;
}
