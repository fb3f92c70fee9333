/*
 * The table of entry types (protocol/vy_entry_types.h) and the statements
 * hashed in one place (protocol/eligibility.c, protocol/admin.c):
 *
 *  1. every EntryType of specs/vybar.proto but UNSPECIFIED has exactly one
 *     row, named as the proto names it, with a rule and an application;
 *  2. every endpoint is unique, starts with "/v1/", has a body limit, and
 *     the trustees' entries are exactly those under VY_PATH_TRUSTEE;
 *  3. every check a row reports or counts is one protocol/vy_verify.h
 *     defines;
 *  4. the board routes every row with an endpoint to that row's type and
 *     limit (bulletin/http.c's route lookup);
 *  5. the registrar's IssuedStatement (vy_issued_statement_pack, what
 *     vyr_issued signs) for the election of specs/vectors/protocol.json
 *     passes the observer's check (vy_issued_statement_verify) and the
 *     record's rule, and a changed count fails both alike;
 *  6. an AdminAction the commission signs (vy_admin_action_pack) passes the
 *     board's check (vy_admin_action_check) over the head it was signed
 *     for only.
 */
#include <stdlib.h>
#include <string.h>

#include "bulletin/http.h"
#include "protocol/vy_api.h"
#include "protocol/vy_entry_types.h"
#include "tests/support/json.h"
#include "tests/support/protocol_fixtures.h"
#include "tests/support/vytest.h"

#define PROTO_PREFIX "ENTRY_TYPE_"
#define VECTORS_PATH "specs/vectors/protocol.json"
#define ISSUED 3u
#define ISSUED_TIME 1778090000u

/* The rows of type v. */
static size_t rows_of(int v)
{
	size_t n, count = 0;
	const vy_entry_type_info *t = vy_entry_types(&n);

	for (size_t i = 0; i < n; i++)
		count += (int)t[i].type == v;
	return count;
}

static void test_one_row_per_type(void **state)
{
	const ProtobufCEnumDescriptor *d = &vybar__entry_type__descriptor;
	size_t n;
	const vy_entry_type_info *t = vy_entry_types(&n);

	(void)state;
	assert_int_equal(n, d->n_values - 1);
	for (unsigned i = 0; i < d->n_values; i++) {
		const ProtobufCEnumValue *v = &d->values[i];
		const vy_entry_type_info *row = vy_entry_type((Vybar__EntryType)v->value);

		if (v->value == VYBAR__ENTRY_TYPE__ENTRY_TYPE_UNSPECIFIED) {
			assert_int_equal(rows_of(v->value), 0);
			assert_null(row);
			continue;
		}
		if (rows_of(v->value) != 1)
			fail_msg("%s: %zu rows", v->name, rows_of(v->value));
		assert_non_null(row);
		assert_int_equal(strncmp(v->name, PROTO_PREFIX, strlen(PROTO_PREFIX)), 0);
		assert_string_equal(row->name, v->name + strlen(PROTO_PREFIX));
		assert_non_null(row->validate);
		assert_non_null(row->apply);
		assert_true((row->ballot != NULL) == (row->signer == VY_SIGNER_VOTER));
	}
	for (size_t i = 0; i < n; i++)
		assert_non_null(protobuf_c_enum_descriptor_get_value(d, (int)t[i].type));
}

static void test_endpoints(void **state)
{
	size_t n;
	const vy_entry_type_info *t = vy_entry_types(&n);

	(void)state;
	for (size_t i = 0; i < n; i++) {
		const char *ep = t[i].endpoint;
		int trustee = ep != NULL && strncmp(ep, VY_PATH_TRUSTEE, strlen(VY_PATH_TRUSTEE)) == 0;

		assert_true((ep != NULL) == (t[i].max_body > 0));
		assert_true(trustee == (t[i].signer == VY_SIGNER_TRUSTEE));
		if (ep == NULL)
			continue;
		if (strncmp(ep, "/v1/", 4) != 0)
			fail_msg("%s: endpoint %s", t[i].name, ep);
		assert_ptr_equal(vy_entry_type_at(ep), &t[i]);
		for (size_t k = i + 1; k < n; k++)
			if (t[k].endpoint != NULL && strcmp(t[k].endpoint, ep) == 0)
				fail_msg("%s and %s share %s", t[i].name, t[k].name, ep);
	}
	assert_null(vy_entry_type_at(VY_PATH_ADMIN));
	assert_null(vy_entry_type_at(NULL));
}

static void assert_check(const vy_entry_type_info *t, vyv_check c)
{
	if ((unsigned)c >= VYV__COUNT || strcmp(vyv_check_id(c), "V?") == 0)
		fail_msg("%s: check %d is not one of vy_verify.h", t->name, (int)c);
}

static void test_checks_defined(void **state)
{
	size_t n;
	const vy_entry_type_info *t = vy_entry_types(&n);

	(void)state;
	for (size_t i = 0; i < n; i++) {
		assert_check(&t[i], t[i].check);
		for (const vy_code_check *c = t[i].by_code; c != NULL && c->code != VY_R_OK; c++)
			assert_check(&t[i], c->check);
		if (t[i].ballot != NULL && t[i].ballot->rules_check != VYV__COUNT)
			assert_check(&t[i], t[i].ballot->rules_check);
		if (t[i].examines >> VYV__COUNT != 0)
			fail_msg("%s: examines a check past VYV__COUNT", t[i].name);
	}
}

static void test_board_routes_every_endpoint(void **state)
{
	size_t n;
	const vy_entry_type_info *t = vy_entry_types(&n);
	vyb_route r;

	(void)state;
	for (size_t i = 0; i < n; i++) {
		if (t[i].endpoint == NULL)
			continue;
		if (!vyb_http_route(t[i].endpoint, &r))
			fail_msg("the board does not serve %s (%s)", t[i].endpoint, t[i].name);
		assert_true(r.post);
		assert_int_equal(r.kind, VYB_R_ENTRY);
		assert_int_equal(r.type, t[i].type);
		assert_int_equal(r.max_body, t[i].max_body);
	}
	assert_true(vyb_http_route(VY_PATH_ADMIN, &r));
	assert_int_equal(r.kind, VYB_R_ADMIN);
	assert_int_equal(r.max_body, VY_MAX_ADMIN_BYTES);
	assert_false(vyb_http_route("/v1/trustee/nothing", &r));
}

/* Hex string member key of the committed vectors' object o, into out. */
static void vector_hex(const vyjson *o, const char *key, char *out, size_t cap)
{
	const char *s = vyjson_get_string(o, key);

	assert_non_null(s);
	assert_true(strlen(s) < cap);
	strcpy(out, s);
}

/* The fixtures' record of the vectors' election (one trustee), closed. */
static void closed_vector_record(vyf_record *r)
{
	char want[2 * VY_HASH_BYTES + 1], got[2 * VY_HASH_BYTES + 1];
	size_t len;
	char *text = vytest_read_file(vytest_source_path(VECTORS_PATH), &len);
	vyjson *v = vyjson_parse(text, len, NULL, 0);
	const vyjson *m = vyjson_get(v, "manifest");
	uint8_t *manifest;
	size_t manifest_len;
	vyf_keys k;

	assert_non_null(m);
	/* the vectors' manifest: vyf_record_init's, its texts translated
	 * (tests/support/protocol_vectors_gen.c) */
	vytest_init();
	vyf_keys_init(&k, 1, 1);
	k.n_witnesses = VYF_WITNESSES;
	k.witness_k = VYF_WITNESS_K;
	k.translated = 1;
	manifest = vyf_manifest_pack(&k, &manifest_len);
	vyf_record_init_manifest(r, 1, 1, manifest, manifest_len);
	free(manifest);
	vyf_record_ceremony(r);
	vyf_record_close_only(r);
	vector_hex(m, "base_hash", want, sizeof want);
	vytest_hex(got, r->st.election.base_hash, VY_HASH_BYTES);
	assert_string_equal(got, want);
	vector_hex(vyjson_get(m, "fields"), "registrar_statement_key", want, sizeof want);
	vytest_hex(got, r->keys.statement_pk, VY_ED25519_PK_BYTES);
	assert_string_equal(got, want);
	vyjson_free(v);
	free(text);
}

static void test_issued_statement_registrar_to_client(void **state)
{
	vyf_record r;
	vy_reason why = { 0 };
	uint64_t issued = 0, when = 0;
	Vybar__IssuedStatement *s = NULL;
	uint8_t *p, *bad;
	size_t len, bad_len;

	(void)state;
	vytest_init();
	closed_vector_record(&r);
	p = vy_issued_statement_pack(r.st.election.base_hash, ISSUED, ISSUED_TIME, r.keys.statement_sk, &len);
	assert_non_null(p);
	assert_int_equal(vy_issued_statement_verify(r.keys.statement_pk, r.st.election.base_hash, p, len, &issued,
						    &when, &why),
			 VY_R_OK);
	assert_int_equal(issued, ISSUED);
	assert_int_equal(when, ISSUED_TIME);
	assert_int_equal(vy_validate_credentials_issued(&r.st, p, len, &why), VY_R_OK);
	/* one more credential than signed: neither the observer nor the record takes it */
	assert_int_equal(vy_decode_issued_statement(&s, p, len, &why), VY_R_OK);
	s->issued++;
	bad = vy_msg_pack(s, &bad_len);
	assert_non_null(bad);
	assert_int_equal(vy_issued_statement_verify(r.keys.statement_pk, r.st.election.base_hash, bad, bad_len,
						    &issued, &when, &why),
			 VY_R_REGISTRAR_SIGNATURE);
	assert_int_equal(issued, 0);
	assert_int_equal(vy_validate_credentials_issued(&r.st, bad, bad_len, &why), VY_R_REGISTRAR_SIGNATURE);
	free(bad);
	vy_msg_free(s);
	free(p);
	vyf_record_free(&r);
}

static void test_admin_action_commission_to_board(void **state)
{
	vyf_record r;
	vy_reason why = { 0 };
	Vybar__AdminAction *a = NULL;
	uint8_t seed[32], pk[VY_ED25519_PK_BYTES], sk[64], other[VY_HASH_BYTES], *p;
	size_t len;
	const Vybar__AdminActionKind tally = VYBAR__ADMIN_ACTION_KIND__ADMIN_ACTION_KIND_TALLY;

	(void)state;
	vytest_init();
	closed_vector_record(&r);
	vyf_bytes32(seed, "commission");
	crypto_sign_seed_keypair(pk, sk, seed);
	p = vy_admin_action_pack(r.st.election.base_hash, tally, r.st.head_hash, sk, &len);
	assert_non_null(p);
	assert_int_equal(vy_admin_action_check(&r.st, &a, p, len, &why), VY_R_OK);
	assert_int_equal(a->action, tally);
	vy_msg_free(a);
	free(p);
	/* over another head: stale */
	memcpy(other, r.st.head_hash, sizeof other);
	other[0] ^= 1;
	p = vy_admin_action_pack(r.st.election.base_hash, tally, other, sk, &len);
	assert_int_equal(vy_admin_action_check(&r.st, &a, p, len, &why), VY_R_CHAIN);
	assert_null(a);
	free(p);
	/* signed by the board, not the commission */
	p = vy_admin_action_pack(r.st.election.base_hash, tally, r.st.head_hash, r.keys.board_sk, &len);
	assert_int_equal(vy_admin_action_check(&r.st, &a, p, len, &why), VY_R_KEY);
	free(p);
	sodium_memzero(sk, sizeof sk);
	vyf_record_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_one_row_per_type),
		cmocka_unit_test(test_endpoints),
		cmocka_unit_test(test_checks_defined),
		cmocka_unit_test(test_board_routes_every_endpoint),
		cmocka_unit_test(test_issued_statement_registrar_to_client),
		cmocka_unit_test(test_admin_action_commission_to_board),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
