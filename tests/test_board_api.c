/*
 * vybar-board end to end (specs/board-api.md): a real board process on
 * 127.0.0.1, the fixtures' election driven through its HTTP API.
 *
 *  - the ceremony, the admin "open", ballots and an audited ballot are
 *    accepted, and the board's record equals, byte for byte, the record
 *    built locally by the protocol library with the same keys;
 *  - a table of bad requests, each answered with its status and reason,
 *    leaves the record byte-for-byte unchanged;
 *  - receipts verify and are found by tracking code; status holds counts;
 *  - rate limit (429) and a full work queue (503) answer with Retry-After.
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "tests/support/board_harness.h"

#define ADMIN_OPEN VYBAR__ADMIN_ACTION_KIND__ADMIN_ACTION_KIND_OPEN
#define ADMIN_CLOSE VYBAR__ADMIN_ACTION_KIND__ADMIN_ACTION_KIND_CLOSE
#define ADMIN_TALLY VYBAR__ADMIN_ACTION_KIND__ADMIN_ACTION_KIND_TALLY
#define ADMIN_MAX_BYTES 4096 /* specs/board-api.md */

typedef struct {
	const char *name;
	const char *path;
	uint8_t *body;
	size_t len;
	long status;
	int code; /* protocol reason code in the answer, -1 for none */
	const char *text; /* expected in the answer */
} bad_request;

/* The expected answer, and the record exactly as before. */
static void expect_refused(vyh_election *e, const bad_request *t)
{
	size_t before_len, after_len;
	uint8_t *before = vyh_record(&e->b, &before_len), *after;
	char code[32];
	vyh_resp r;

	vyh_post(&e->b, t->path, t->body, t->len, &r);
	if (r.status != t->status)
		fail_msg("%s: status %ld, expected %ld: %s", t->name, r.status, t->status, (const char *)r.body);
	snprintf(code, sizeof code, "\"code\":%d,", t->code);
	if (t->code >= 0 && !vyh_body_has(&r, code))
		fail_msg("%s: expected reason code %d: %s", t->name, t->code, (const char *)r.body);
	if (t->text != NULL && !vyh_body_has(&r, t->text))
		fail_msg("%s: expected \"%s\" in: %s", t->name, t->text, (const char *)r.body);
	vyh_resp_free(&r);
	after = vyh_record(&e->b, &after_len);
	assert_int_equal(before_len, after_len);
	assert_memory_equal(before, after, before_len);
	free(before);
	free(after);
}

/* The board's record equals the locally built one, byte for byte. */
static void expect_same_record(vyh_election *e)
{
	size_t n1, n2;
	uint8_t *remote = vyh_record(&e->b, &n1), *local = vyh_local_record(e, &n2);

	assert_int_equal(n1, n2);
	assert_memory_equal(remote, local, n1);
	free(remote);
	free(local);
}

/* Post a ballot, check its receipt, append it locally. Returns its seq. */
static uint64_t cast(vyh_election *e, const char *path, Vybar__EntryType type, const uint8_t *p, size_t n,
		     char code[VY_TRACKING_CODE_BYTES])
{
	Vybar__Receipt *rc = NULL;
	uint64_t seq;
	vyh_resp r;

	vyh_post(&e->b, path, p, n, &r);
	if (r.status != 200)
		fail_msg("POST %s: %ld %s", path, r.status, (const char *)r.body);
	assert_int_equal(vy_decode_receipt(&rc, r.body, r.len, NULL), VY_R_OK);
	assert_int_equal(vy_receipt_verify(e->r.keys.board_pk, rc, NULL), VY_R_OK);
	vyf_record_append(&e->r, type, p, n);
	/* §7.5: seq and head hash name the new entry. */
	assert_int_equal(rc->seq, e->r.st.next_seq - 1);
	assert_memory_equal(rc->head_hash.data, e->r.st.head_hash, VY_HASH_BYTES);
	snprintf(code, VY_TRACKING_CODE_BYTES, "%s", rc->tracking_code);
	seq = rc->seq;
	vy_msg_free(rc);
	vyh_resp_free(&r);
	return seq;
}

/* Ballot bytes for a voter label and the default choices. */
static uint8_t *ballot_of(const vy_election *el, const char *label, const char *variant, size_t *len)
{
	uint32_t choices[VYF_SELECTIONS];
	vyf_voter v;

	vyf_default_choices(choices);
	vyf_voter_init(&v, el, label);
	return vyf_ballot_pack(el, &v, choices, variant, NULL, len);
}

/* A ballot whose first alpha is not a group element (re-signed, so only that fails). */
static uint8_t *ballot_bad_point(vyh_election *e, size_t *len)
{
	const vy_election *el = &e->r.st.election;
	uint32_t choices[VYF_SELECTIONS];
	Vybar__Ballot *b;
	vyf_voter v;
	uint8_t *out;

	vyf_default_choices(choices);
	vyf_voter_init(&v, el, "mallory point");
	b = vyf_ballot_new(el, &v, choices);
	memset(b->contests[0]->selections[0]->alpha.data, 0xff, b->contests[0]->selections[0]->alpha.len);
	vyf_ballot_resign(el, &v, b);
	out = vy_msg_pack(b, len);
	vy_msg_free(b);
	return out;
}

/* A ballot whose proofs were made in another election (other base hash and
 * joint key), with a valid credential and signature in this one. */
static uint8_t *ballot_other_election(vyh_election *e, size_t *len)
{
	const vy_election *el = &e->r.st.election;
	uint32_t choices[VYF_SELECTIONS];
	vyf_record other;
	Vybar__Ballot *b;
	vyf_voter v;
	uint8_t *out;

	vyf_record_init_unwitnessed(&other, 2, 1);
	vyf_record_ceremony(&other);
	vyf_default_choices(choices);
	vyf_voter_init(&v, el, "mallory election");
	b = vyf_ballot_new(&other.st.election, &v, choices);
	vyf_ballot_resign(el, &v, b);
	out = vy_msg_pack(b, len);
	vy_msg_free(b);
	vyf_record_free(&other);
	return out;
}

/* Audited ballots the board must refuse after alice cast and bob audited
 * (protocol.md §6.2; V5.1, V5.5) and a cast under bob's one-time key
 * (§8.6 step 3, V4.9). */
enum { AUDIT_WITH_CREDENTIAL, AUDIT_UNDER_ALICE, AUDIT_BOB_KEY_AGAIN, CAST_UNDER_BOB_KEY };
static uint8_t *audit_abuse(vyh_election *e, int which, size_t *len)
{
	const vy_election *el = &e->r.st.election;
	uint32_t choices[VYF_SELECTIONS];
	uint8_t msg[VY_RANDOMIZER_BYTES + VY_HASH_BYTES], *out;
	Vybar__AuditedBallot *a;
	vyf_voter alice, bob, carol, k;

	vyf_default_choices(choices);
	vyf_voter_init(&alice, el, "alice");
	vyf_voter_init(&bob, el, "bob");
	vyf_voter_init(&carol, el, "carol");
	vyf_audit_key(&bob, &k);
	switch (which) {
	case AUDIT_WITH_CREDENTIAL: /* carol audits, her registrar credential put in */
		vyf_audit_key(&carol, &k);
		a = vyf_audited_new(el, &carol, choices);
		a->ballot->credential->randomizer = (ProtobufCBinaryData){ VY_RANDOMIZER_BYTES, carol.randomizer };
		a->ballot->credential->signature = (ProtobufCBinaryData){ sizeof carol.reg_sig, carol.reg_sig };
		vyf_ballot_resign(el, &k, a->ballot);
		out = vy_msg_pack(a, len);
		a->ballot->credential->randomizer = (ProtobufCBinaryData){ 0, NULL };
		a->ballot->credential->signature = (ProtobufCBinaryData){ 0, NULL };
		vy_msg_free(a);
		return out;
	case AUDIT_UNDER_ALICE:
		a = vyf_audited_new_as(el, &carol, choices, "under alice", &alice);
		break;
	case AUDIT_BOB_KEY_AGAIN:
		a = vyf_audited_new_as(el, &bob, choices, "again", &k);
		break;
	default: /* bob's one-time key, signed by the registrar as a credential */
		vyf_bytes32(k.randomizer, "bob audit key randomizer");
		memcpy(msg, k.randomizer, VY_RANDOMIZER_BYTES);
		vy_credential_message(el, msg + VY_RANDOMIZER_BYTES, k.pk);
		vyf_registrar_sign(k.reg_sig, 0, msg, sizeof msg, "bob audit key registrar");
		return vyf_ballot_pack(el, &k, choices, "as caster", NULL, len);
	}
	out = vy_msg_pack(a, len);
	vy_msg_free(a);
	return out;
}

/* The same ElectionClose the board derives (§12.3), appended locally. */
static void local_close(vyh_election *e)
{
	Vybar__ElectionClose c;
	uint8_t *p;
	size_t n;

	vybar__election_close__init(&c);
	c.ballots_received = e->r.st.ballots;
	p = vy_msg_pack(&c, &n);
	assert_non_null(p);
	vyf_record_append(&e->r, VYBAR__ENTRY_TYPE__ENTRY_TYPE_ELECTION_CLOSE, p, n);
	free(p);
}

/* The whole flow and the table of bad requests. */
static void test_board_flow_and_bad_requests(void **state)
{
	const vy_election *el;
	vyh_election e;
	char code[VY_TRACKING_CODE_BYTES], code2[VY_TRACKING_CODE_BYTES], path[64];
	uint8_t *ballot, *announce, *stale, *wrong_sig, *tally, *big;
	size_t ballot_len, announce_len, stale_len, wrong_len, tally_len;
	uint8_t old_head[VY_HASH_BYTES];
	vyh_resp r;

	(void)state;
	vyh_election_start(&e, 3, 2, NULL);

	/* Setup phase: a ballot is refused as "not open", a repeated announce as a duplicate. */
	{
		bad_request early = { "ballot before open", VY_PATH_BALLOTS, (uint8_t *)"\x0a\x00", 2, 403, VY_R_PHASE,
				      "not open" };

		expect_refused(&e, &early);
	}
	announce = vyf_announce(&e.r, 1, &announce_len);
	vyh_post(&e.b, VY_PATH_TRUSTEE_ANNOUNCE, announce, announce_len, &r);
	assert_int_equal(r.status, 200);
	vyh_resp_free(&r);
	vyf_record_append(&e.r, VYBAR__ENTRY_TYPE__ENTRY_TYPE_KEY_ANNOUNCE, announce, announce_len);
	{
		bad_request dup = { "announce twice", VY_PATH_TRUSTEE_ANNOUNCE, announce, announce_len, 409, VY_R_DUPLICATE,
				    "already" };

		expect_refused(&e, &dup);
	}
	/* The rest of the ceremony (trustee 1's announce is already in). */
	for (uint32_t i = 2; i <= 3; i++) {
		uint8_t *m = vyf_announce(&e.r, i, &ballot_len);

		vyh_post(&e.b, VY_PATH_TRUSTEE_ANNOUNCE, m, ballot_len, &r);
		assert_int_equal(r.status, 200);
		vyh_resp_free(&r);
		vyf_record_append(&e.r, VYBAR__ENTRY_TYPE__ENTRY_TYPE_KEY_ANNOUNCE, m, ballot_len);
		free(m);
	}
	for (uint32_t i = 1; i <= 3; i++) {
		uint8_t *m = vyf_reveal(&e.r, i, &ballot_len);

		vyh_post(&e.b, VY_PATH_TRUSTEE_REVEAL, m, ballot_len, &r);
		assert_int_equal(r.status, 200);
		vyh_resp_free(&r);
		vyf_record_append(&e.r, VYBAR__ENTRY_TYPE__ENTRY_TYPE_KEY_REVEAL, m, ballot_len);
		free(m);
	}
	memcpy(old_head, e.r.st.head_hash, VY_HASH_BYTES);
	for (uint32_t i = 1; i <= 3; i++) {
		uint8_t *m = vyf_verdict(&e.r, i, &ballot_len);

		vyh_post(&e.b, VY_PATH_TRUSTEE_VERDICT, m, ballot_len, &r);
		assert_int_equal(r.status, 200);
		vyh_resp_free(&r);
		vyf_record_append(&e.r, VYBAR__ENTRY_TYPE__ENTRY_TYPE_KEY_VERDICT, m, ballot_len);
		free(m);
	}
	/* Admin: wrong key, stale head, then the real open. */
	wrong_sig = vyh_admin_action(&e, ADMIN_OPEN, e.r.st.head_hash, e.r.keys.board_sk, &wrong_len);
	stale = vyh_admin_action(&e, ADMIN_OPEN, old_head, e.commission_sk, &stale_len);
	{
		bad_request t[] = {
			{ "admin signed by another key", VY_PATH_ADMIN, wrong_sig, wrong_len, 403, VY_R_KEY,
			  "commission_key" },
			{ "admin replayed on an old head", VY_PATH_ADMIN, stale, stale_len, 409, VY_R_CHAIN, "stale head" },
		};

		for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
			expect_refused(&e, &t[i]);
	}
	{
		uint8_t *open = vyh_admin_action(&e, ADMIN_OPEN, e.r.st.head_hash, e.commission_sk, &ballot_len);
		uint8_t *o;
		size_t olen;

		vyh_post(&e.b, VY_PATH_ADMIN, open, ballot_len, &r);
		if (r.status != 200)
			fail_msg("open: %ld %s", r.status, (const char *)r.body);
		vyh_resp_free(&r);
		/* The same signed action again: the head has moved. */
		{
			bad_request replay = { "admin open replayed", VY_PATH_ADMIN, open, ballot_len, 409, VY_R_CHAIN,
					       "stale head" };

			expect_refused(&e, &replay);
		}
		free(open);
		o = vyf_open(&e.r, &olen);
		vyf_record_append(&e.r, VYBAR__ENTRY_TYPE__ENTRY_TYPE_ELECTION_OPEN, o, olen);
		free(o);
	}
	expect_same_record(&e);
	el = &e.r.st.election;

	/* Voting: a ballot and an audited ballot. */
	ballot = ballot_of(el, "alice", "cast", &ballot_len);
	cast(&e, VY_PATH_BALLOTS, VYBAR__ENTRY_TYPE__ENTRY_TYPE_BALLOT, ballot, ballot_len, code);
	{
		uint32_t choices[VYF_SELECTIONS];
		Vybar__AuditedBallot *a;
		uint8_t *ap;
		size_t alen;
		vyf_voter v;

		vyf_default_choices(choices);
		vyf_voter_init(&v, el, "bob");
		a = vyf_audited_new(el, &v, choices);
		ap = vy_msg_pack(a, &alen);
		cast(&e, VY_PATH_AUDITED, VYBAR__ENTRY_TYPE__ENTRY_TYPE_AUDITED_BALLOT, ap, alen, code2);
		free(ap);
		vy_msg_free(a);
	}
	expect_same_record(&e);

	/* Receipt lookup by tracking code, and unknown codes. */
	snprintf(path, sizeof path, VY_PATH_RECEIPTS "%s", code);
	vyh_get(&e.b, path, &r);
	assert_int_equal(r.status, 200);
	assert_true(vyh_body_has(&r, "\"seq\":11,"));
	assert_true(vyh_body_has(&r, "\"type\":\"ballot\""));
	vyh_resp_free(&r);
	snprintf(path, sizeof path, VY_PATH_RECEIPTS "%s", code2);
	vyh_get(&e.b, path, &r);
	assert_int_equal(r.status, 200);
	assert_true(vyh_body_has(&r, "\"type\":\"audited-ballot\""));
	vyh_resp_free(&r);
	vyh_get(&e.b, VY_PATH_RECEIPTS "0000-0000-0000-0000", &r);
	assert_int_equal(r.status, 404);
	vyh_resp_free(&r);
	vyh_get(&e.b, VY_PATH_RECEIPTS "not-a-code", &r);
	assert_int_equal(r.status, 400);
	vyh_resp_free(&r);

	/* Status: counts only. */
	vyh_get(&e.b, VY_PATH_STATUS, &r);
	assert_int_equal(r.status, 200);
	assert_true(vyh_body_has(&r, "\"phase\":\"open\""));
	assert_true(vyh_body_has(&r, "\"entries\":13,"));
	assert_true(vyh_body_has(&r, "\"ballots_received\":1,"));
	assert_true(vyh_body_has(&r, "\"audited_ballots\":1,"));
	assert_true(vyh_body_has(&r, "\"distinct_credentials\":1,"));
	vyh_resp_free(&r);

	/* The manifest as stored. */
	vyh_get(&e.b, VY_PATH_MANIFEST, &r);
	assert_int_equal(r.status, 200);
	assert_int_equal(r.len, e.r.manifest_len);
	assert_memory_equal(r.body, e.r.manifest_bytes, r.len);
	vyh_resp_free(&r);

	/* The table of bad requests. */
	big = calloc(1, VY_MAX_BALLOT_BYTES + 1);
	assert_non_null(big);
	tally = vyh_admin_action(&e, ADMIN_TALLY, e.r.st.head_hash, e.commission_sk, &tally_len);
	{
		size_t bad_len, other_len, ab_len[4];
		uint8_t *bad_point = ballot_bad_point(&e, &bad_len);
		uint8_t *other = ballot_other_election(&e, &other_len);
		uint8_t *ab[4];

		for (int i = 0; i < 4; i++)
			ab[i] = audit_abuse(&e, i, &ab_len[i]);
		bad_request t[] = {
			{ "audit carrying a registrar credential", VY_PATH_AUDITED, ab[AUDIT_WITH_CREDENTIAL],
			  ab_len[AUDIT_WITH_CREDENTIAL], 400, VY_R_FIELD, "carries a registrar credential" },
			{ "audit under a credential that cast", VY_PATH_AUDITED, ab[AUDIT_UNDER_ALICE],
			  ab_len[AUDIT_UNDER_ALICE], 400, VY_R_KEY, "a credential that cast" },
			{ "one-time key used twice", VY_PATH_AUDITED, ab[AUDIT_BOB_KEY_AGAIN], ab_len[AUDIT_BOB_KEY_AGAIN],
			  400, VY_R_KEY, "an earlier audited ballot" },
			{ "cast under an audit's key", VY_PATH_BALLOTS, ab[CAST_UNDER_BOB_KEY], ab_len[CAST_UNDER_BOB_KEY],
			  400, VY_R_KEY, "the one-time key of an audited ballot" },
			{ "truncated protobuf", VY_PATH_BALLOTS, ballot, ballot_len - 7, 400, VY_R_TRUNCATED, NULL },
			{ "ballot to the audited-ballot endpoint", VY_PATH_AUDITED, ballot, ballot_len, 400,
			  VY_R_MALFORMED, "AuditedBallot" },
			{ "trustee message as a ballot", VY_PATH_BALLOTS, announce, announce_len, 400, VY_R_MALFORMED, NULL },
			{ "ceremony message after the ceremony", VY_PATH_TRUSTEE_ANNOUNCE, announce, announce_len, 403,
			  VY_R_PHASE, NULL },
			{ "invalid point encoding", VY_PATH_BALLOTS, bad_point, bad_len, 400, VY_R_ELEMENT, NULL },
			{ "proof from another election", VY_PATH_BALLOTS, other, other_len, 400, VY_R_PROOF,
			  "does not verify" },
			{ "replayed ballot", VY_PATH_BALLOTS, ballot, ballot_len, 409, VY_R_DUPLICATE, code },
			{ "oversized body", VY_PATH_BALLOTS, big, VY_MAX_BALLOT_BYTES + 1, 413, VY_R_TOO_LARGE, NULL },
			{ "admin body too large", VY_PATH_ADMIN, big, ADMIN_MAX_BYTES + 1, 413, VY_R_TOO_LARGE, NULL },
			{ "tally before close", VY_PATH_ADMIN, tally, tally_len, 403, VY_R_PHASE, NULL },
			{ "unknown path", "/v1/nothing", ballot, ballot_len, 404, -1, NULL },
			{ "POST to a GET endpoint", VY_PATH_STATUS, ballot, ballot_len, 405, -1, NULL },
		};

		for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
			expect_refused(&e, &t[i]);
		free(bad_point);
		free(other);
		for (int i = 0; i < 4; i++)
			free(ab[i]);
	}
	/* Close, then a ballot is refused as "not open". */
	{
		uint8_t *close = vyh_admin_action(&e, ADMIN_CLOSE, e.r.st.head_hash, e.commission_sk, &tally_len);
		uint8_t *late = ballot_of(el, "carol", "cast", &ballot_len);
		bad_request t = { "ballot after close", VY_PATH_BALLOTS, late, ballot_len, 403, VY_R_PHASE, "not open" };

		vyh_post(&e.b, VY_PATH_ADMIN, close, tally_len, &r);
		assert_int_equal(r.status, 200);
		vyh_resp_free(&r);
		local_close(&e);
		expect_refused(&e, &t);
		vyh_get(&e.b, VY_PATH_STATUS, &r);
		assert_true(vyh_body_has(&r, "\"phase\":\"closed\""));
		vyh_resp_free(&r);
		free(close);
		free(late);
	}
	vyh_election_count(&e);
	expect_same_record(&e);
	vyh_get(&e.b, VY_PATH_RESULT, &r);
	assert_int_equal(r.status, 200);
	assert_true(vyh_body_has(&r, "\"published\":true"));
	assert_true(vyh_body_has(&r, "\"name\":\"List B\",\"votes\":1,"));
	vyh_resp_free(&r);
	vyh_get(&e.b, VY_PATH_STATUS, &r);
	assert_true(vyh_body_has(&r, "\"phase\":\"tallied\""));
	vyh_resp_free(&r);
	/* A clean stop. */
	assert_int_equal(vyh_stop(&e.b, SIGTERM), 0);
	free(tally);
	free(big);
	free(ballot);
	free(announce);
	free(stale);
	free(wrong_sig);
	vyh_election_free(&e);
}

/* The web page and its script are served; unknown paths are 404. */
static void test_board_page(void **state)
{
	vyh_election e;
	vyh_resp r;

	(void)state;
	vyh_election_start(&e, 1, 1, NULL);
	vyh_get(&e.b, "/", &r);
	assert_int_equal(r.status, 200);
	assert_true(vyh_body_has(&r, "Tracking code"));
	vyh_resp_free(&r);
	vyh_get(&e.b, "/app.js", &r);
	assert_int_equal(r.status, 200);
	/* The page looks codes up by prefix, never by the whole code. */
	assert_true(vyh_body_has(&r, VY_PATH_CODES));
	assert_false(vyh_body_has(&r, VY_PATH_RECEIPTS));
	vyh_resp_free(&r);
	vyh_get(&e.b, VY_PATH_RESULT, &r);
	assert_int_equal(r.status, 200);
	assert_true(vyh_body_has(&r, "\"published\":false"));
	vyh_resp_free(&r);
	vyh_get(&e.b, "/nothing", &r);
	assert_int_equal(r.status, 404);
	vyh_resp_free(&r);
	vyh_election_free(&e);
}

/* A client over its token bucket gets 429 with Retry-After. */
static void test_board_rate_limit(void **state)
{
	const char *const extra[] = { "--rate", "0.001", "--burst", "3", NULL };
	vyh_election e;
	vyh_resp r;

	(void)state;
	vyh_election_start(&e, 1, 1, extra);
	for (int i = 0; i < 3; i++) {
		vyh_get(&e.b, VY_PATH_STATUS, &r);
		assert_int_equal(r.status, 200);
		vyh_resp_free(&r);
	}
	vyh_get(&e.b, VY_PATH_STATUS, &r);
	assert_int_equal(r.status, 429);
	assert_true(atoi(r.retry_after) >= 1);
	vyh_resp_free(&r);
	vyh_election_free(&e);
}

/* A full work queue answers 503 with Retry-After and changes nothing. */
static void test_board_queue_full(void **state)
{
	const char *const extra[] = { "--queue", "0", NULL };
	vyh_election e;
	uint8_t *m;
	size_t len;
	vyh_resp r;

	(void)state;
	vyh_election_start(&e, 1, 1, extra);
	m = vyf_announce(&e.r, 1, &len);
	vyh_post(&e.b, VY_PATH_TRUSTEE_ANNOUNCE, m, len, &r);
	assert_int_equal(r.status, 503);
	assert_string_equal(r.retry_after, "1");
	vyh_resp_free(&r);
	vyh_get(&e.b, VY_PATH_STATUS, &r);
	assert_true(vyh_body_has(&r, "\"entries\":1,"));
	vyh_resp_free(&r);
	free(m);
	vyh_election_free(&e);
}

/* protocol.md §3.3 item 4 and §3.5: commission_key is a valid Ed25519 key
 * and is bound into the base hash. */
static void test_board_manifest_commission_key(void **state)
{
	vyf_keys k;
	Vybar__Manifest *m;
	uint8_t h0[VY_HASH_BYTES], h1[VY_HASH_BYTES];
	vy_reason why = { 0 };

	(void)state;
	vytest_init();
	vyf_keys_init(&k, 1, 1);
	m = vyf_manifest_new(&k);
	assert_int_equal(vy_manifest_validate(m, NULL), VY_R_OK);
	vy_manifest_hash(m, h0);
	m->commission_key.data[0] ^= 1;
	vy_manifest_hash(m, h1);
	assert_memory_not_equal(h0, h1, VY_HASH_BYTES);
	memset(m->commission_key.data, 0, m->commission_key.len); /* small order */
	assert_int_equal(vy_manifest_validate(m, &why), VY_R_KEY);
	assert_non_null(strstr(why.msg, "commission_key"));
	m->commission_key.len = 31;
	assert_int_equal(vy_manifest_validate(m, &why), VY_R_KEY);
	assert_non_null(strstr(why.msg, "commission_key"));
	vy_msg_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_board_manifest_commission_key),
		cmocka_unit_test(test_board_flow_and_bad_requests),
		cmocka_unit_test(test_board_page),
		cmocka_unit_test(test_board_rate_limit),
		cmocka_unit_test(test_board_queue_full),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
