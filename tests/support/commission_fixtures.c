/* The commission's side for the tests (commission_fixtures.h). */
#include "tests/support/commission_fixtures.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* protocol_fixtures.c: election "vybar-test-2026", voting 1778000000 to
 * 1778086400, contests as there, trustees "Trustee i" (the default). */
const char vycf_description[] =
	"{\n"
	"\t\"election_id\": \"vybar-test-2026\",\n"
	"\t\"title\": \"Test election\",\n"
	"\t\"group\": \"ristretto255\",\n"
	"\t\"voting_start\": \"2026-05-05T16:53:20Z\",\n"
	"\t\"voting_end\": \"2026-05-06T18:53:20+02:00\",\n"
	"\t\"threshold\": 2,\n"
	"\t\"counting_rule\": \"last-ballot\",\n"
	"\t\"max_ballots_per_credential\": 10,\n"
	"\t\"min_seconds_between_ballots\": 0,\n"
	"\t\"contests\": [\n"
	"\t\t{\n"
	"\t\t\t\"kind\": \"one-of-n\",\n"
	"\t\t\t\"title\": \"Referendum question\",\n"
	"\t\t\t\"options\": [\"Answer 1\", \"Answer 2\", \"Answer 3\"]\n"
	"\t\t},\n"
	"\t\t{\n"
	"\t\t\t\"kind\": \"approval\",\n"
	"\t\t\t\"title\": \"Approval question\",\n"
	"\t\t\t\"options\": [\"Choice 1\", \"Choice 2\", \"Choice 3\", \"Choice 4\"],\n"
	"\t\t\t\"min\": 1,\n"
	"\t\t\t\"max\": 2\n"
	"\t\t},\n"
	"\t\t{\n"
	"\t\t\t\"kind\": \"party-list\",\n"
	"\t\t\t\"title\": \"Council\",\n"
	"\t\t\t\"allow_blank\": true,\n"
	"\t\t\t\"seats\": 5,\n"
	"\t\t\t\"threshold_bp\": 300,\n"
	"\t\t\t\"method\": \"hare-all\",\n"
	"\t\t\t\"gender_rule\": { \"block_size\": 2, \"min_per_block\": 1 },\n"
	"\t\t\t\"min_candidates\": 2,\n"
	"\t\t\t\"lists\": [\n"
	"\t\t\t\t{ \"name\": \"List A\", \"candidates\": [\n"
	"\t\t\t\t\t{ \"name\": \"List A candidate 1\", \"gender\": \"F\" },\n"
	"\t\t\t\t\t{ \"name\": \"List A candidate 2\", \"gender\": \"M\" },\n"
	"\t\t\t\t\t{ \"name\": \"List A candidate 3\", \"gender\": \"F\" },\n"
	"\t\t\t\t\t{ \"name\": \"List A candidate 4\", \"gender\": \"M\" } ] },\n"
	"\t\t\t\t{ \"name\": \"List B\", \"candidates\": [\n"
	"\t\t\t\t\t{ \"name\": \"List B candidate 1\", \"gender\": \"F\" },\n"
	"\t\t\t\t\t{ \"name\": \"List B candidate 2\", \"gender\": \"M\" },\n"
	"\t\t\t\t\t{ \"name\": \"List B candidate 3\", \"gender\": \"F\" },\n"
	"\t\t\t\t\t{ \"name\": \"List B candidate 4\", \"gender\": \"M\" } ] },\n"
	"\t\t\t\t{ \"name\": \"List C\", \"candidates\": [\n"
	"\t\t\t\t\t{ \"name\": \"List C candidate 1\", \"gender\": \"F\" },\n"
	"\t\t\t\t\t{ \"name\": \"List C candidate 2\", \"gender\": \"M\" },\n"
	"\t\t\t\t\t{ \"name\": \"List C candidate 3\", \"gender\": \"F\" },\n"
	"\t\t\t\t\t{ \"name\": \"List C candidate 4\", \"gender\": \"M\" } ] }\n"
	"\t\t\t]\n"
	"\t\t}\n"
	"\t]\n"
	"}\n";

void vycf_keys_init(vycf_keys *ck, const vyf_keys *k)
{
	uint8_t seed[32], sk[crypto_sign_SECRETKEYBYTES];

	memset(ck, 0, sizeof *ck);
	vyf_bytes32(seed, "commission"); /* as protocol_fixtures.c */
	crypto_sign_seed_keypair(ck->commission_pk, sk, seed);
	ck->exponent[0] = 1;
	ck->exponent[2] = 1; /* 65537 */
	vybar__rsa_public_key__init(&ck->rsa);
	ck->rsa.modulus.data = (uint8_t *)k->registrar_modulus;
	ck->rsa.modulus.len = VYF_REGISTRAR_BYTES;
	ck->rsa.exponent.data = ck->exponent;
	ck->rsa.exponent.len = sizeof ck->exponent;
	vybar__registrar_public_keys__init(&ck->reg);
	ck->reg.registrar_key = &ck->rsa;
	ck->reg.statement_key.data = (uint8_t *)k->statement_pk;
	ck->reg.statement_key.len = 32;
	ck->keys.board_key = k->board_pk;
	ck->keys.commission_key = ck->commission_pk;
	ck->keys.registrar = &ck->reg;
	ck->keys.trustee_keys = (const uint8_t (*)[32])k->trustee_pk;
	ck->keys.n_trustees = k->n;
}

void vycf_write_key_files(const vycf_keys *ck, const vyf_keys *k, const char *dir, char *board_hex,
			  char *commission_hex)
{
	char path[1024], hex[65];
	uint8_t *pb;
	size_t len = 0;
	FILE *f;

	pb = vy_msg_pack(&ck->reg, &len);
	assert_non_null(pb);
	snprintf(path, sizeof path, "%s/registrar-keys.pb", dir);
	vytest_write_file(path, pb, len);
	free(pb);
	snprintf(path, sizeof path, "%s/trustee-pks.txt", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	for (uint32_t i = 0; i < k->n; i++) {
		vytest_hex(hex, k->trustee_pk[i], 32);
		fprintf(f, "%s\n", hex);
	}
	assert_int_equal(fclose(f), 0);
	vytest_hex(board_hex, k->board_pk, 32);
	vytest_hex(commission_hex, ck->commission_pk, 32);
}

char *vycf_replace(const char *text, const char *from, const char *to)
{
	const char *at = strstr(text, from);
	size_t n = strlen(text) - strlen(from) + strlen(to);
	char *out;

	if (at == NULL)
		fail_msg("vycf_replace: \"%s\" is not in the text", from);
	out = malloc(n + 1);
	assert_non_null(out);
	memcpy(out, text, (size_t)(at - text));
	strcpy(out + (at - text), to);
	strcat(out, at + strlen(from));
	return out;
}
