/*
 * Complaints and disqualification (specs/protocol.md §5.3, §5.5), the
 * encrypted tally, partial decryptions and the result (§10; verification.md
 * V3.7-V3.9, V7): 5 trustees with threshold 3 throughout.
 */
#include <stdlib.h>
#include <string.h>

#include "crypto/vy_shamir.h"
#include "protocol/vy_seats.h"
#include "tests/support/protocol_fixtures.h"

#define N 5
#define T 3
#define BIT(k) ((uint64_t)1 << ((k) - 1))

/* The votes (one 0/1 per selection; see protocol_fixtures.h for the layout). */
static const uint32_t votes_a[VYF_SELECTIONS] = { 0, 1, 0, 1, 0, 1, 0, 0, 1, 0 };
static const uint32_t votes_b[VYF_SELECTIONS] = { 1, 0, 0, 0, 1, 0, 0, 1, 0, 0 };
static const uint32_t votes_c1[VYF_SELECTIONS] = { 0, 0, 1, 0, 0, 1, 1, 0, 0, 1 };
static const uint32_t votes_c2[VYF_SELECTIONS] = { 0, 0, 1, 1, 1, 0, 0, 0, 0, 1 };
static const uint32_t votes_c3[VYF_SELECTIONS] = { 0, 1, 0, 0, 0, 0, 1, 1, 0, 0 };
static const uint32_t votes_audit[VYF_SELECTIONS] = { 0, 0, 1, 1, 1, 0, 0, 0, 0, 1 };
/* A + B + C3: C's first two ballots and the audited ballot never count. */
static const uint64_t expect_counts[VYF_SELECTIONS] = { 1, 2, 0, 1, 1, 1, 1, 2, 1, 0 };
/* Contest 2 (5 seats, Hare over all votes): votes 2, 1, 0 give 3.33 and
 * 1.67 quotas: 3 + 1 seats, the larger remainder (list B) takes the fifth. */
static const uint64_t expect_seats[3] = { 3, 2, 0 };
static const size_t contest_first[3] = { 0, 3, 7 };

typedef struct {
	vyf_record r;
	uint32_t q[N]; /* the qualified trustees */
	size_t nq;
	uint8_t *counted[3]; /* packed ballots that count: A, B, C3 */
	size_t counted_len[3];
} election;

static void expect_try(vyf_record *r, Vybar__EntryType type, const uint8_t *p, size_t len, vy_rc code,
		       const char *needle)
{
	vy_reason why = { 0 };
	uint64_t before = r->st.next_seq;
	vy_rc rc = vyf_record_try(r, type, p, len, &why);

	if (rc != code)
		fail_msg("expected %s, got %s: %s", vy_rc_str(code), vy_rc_str(rc), why.msg);
	if (needle != NULL && strstr(why.msg, needle) == NULL)
		fail_msg("reason \"%s\" does not name \"%s\"", why.msg, needle);
	if (code != VY_R_OK)
		assert_int_equal(r->st.next_seq, before); /* nothing changed */
}

/* Append a message, freeing it. The length is read through a pointer
 * because p's maker sets it in the same call expression. */
static void append_free(vyf_record *r, Vybar__EntryType type, uint8_t *p, const size_t *len)
{
	vyf_record_append(r, type, p, *len);
	free(p);
}

/* Rounds 1 and 2, with trustee i's shares to bad[i-1] off by one. */
static void announce_reveal(vyf_record *r, const uint64_t *bad)
{
	size_t len;

	for (uint32_t i = 1; i <= N; i++)
		append_free(r, VYBAR__ENTRY_TYPE__ENTRY_TYPE_KEY_ANNOUNCE, vyf_announce(r, i, &len), &len);
	for (uint32_t i = 1; i <= N; i++)
		append_free(r, VYBAR__ENTRY_TYPE__ENTRY_TYPE_KEY_REVEAL,
			    vyf_reveal_bad(r, i, bad ? bad[i - 1] : 0, &len), &len);
}

/* Every trustee accepts, the board opens with all of them. */
static void accept_and_open(election *el)
{
	size_t len;

	for (uint32_t i = 1; i <= N; i++)
		append_free(&el->r, VYBAR__ENTRY_TYPE__ENTRY_TYPE_KEY_VERDICT, vyf_verdict(&el->r, i, &len), &len);
	append_free(&el->r, VYBAR__ENTRY_TYPE__ENTRY_TYPE_ELECTION_OPEN, vyf_open(&el->r, &len), &len);
	el->nq = N;
	for (uint32_t i = 0; i < N; i++)
		el->q[i] = i + 1;
}

/* Voting with a revote and an audited ballot, then close and the tally. */
static void vote_close_tally(election *el)
{
	const vy_election *e = &el->r.st.election;
	vyf_voter a, b, c, d;
	Vybar__AuditedBallot *ab;
	uint8_t *p;
	size_t len;

	vyf_voter_init(&a, e, "voter a");
	vyf_voter_init(&b, e, "voter b");
	vyf_voter_init(&c, e, "voter c");
	vyf_voter_init(&d, e, "voter d");
	el->counted[0] = vyf_ballot_pack(e, &a, votes_a, "cast", NULL, &el->counted_len[0]);
	vyf_record_append(&el->r, VYBAR__ENTRY_TYPE__ENTRY_TYPE_BALLOT, el->counted[0], el->counted_len[0]);
	p = vyf_ballot_pack(e, &c, votes_c1, "first", NULL, &len);
	append_free(&el->r, VYBAR__ENTRY_TYPE__ENTRY_TYPE_BALLOT, p, &len);
	ab = vyf_audited_new(e, &d, votes_audit);
	p = vy_msg_pack(ab, &len);
	vy_msg_free(ab);
	append_free(&el->r, VYBAR__ENTRY_TYPE__ENTRY_TYPE_AUDITED_BALLOT, p, &len);
	el->counted[1] = vyf_ballot_pack(e, &b, votes_b, "cast", NULL, &el->counted_len[1]);
	vyf_record_append(&el->r, VYBAR__ENTRY_TYPE__ENTRY_TYPE_BALLOT, el->counted[1], el->counted_len[1]);
	p = vyf_ballot_pack(e, &c, votes_c2, "second", NULL, &len);
	append_free(&el->r, VYBAR__ENTRY_TYPE__ENTRY_TYPE_BALLOT, p, &len);
	el->counted[2] = vyf_ballot_pack(e, &c, votes_c3, "third", NULL, &el->counted_len[2]);
	vyf_record_append(&el->r, VYBAR__ENTRY_TYPE__ENTRY_TYPE_BALLOT, el->counted[2], el->counted_len[2]);
	vyf_record_close(&el->r);
	vyf_record_tally(&el->r);
}

/* A whole election up to the tally, every trustee qualified. */
static void setup_tallied(election *el)
{
	memset(el, 0, sizeof *el);
	vyf_record_init(&el->r, N, T);
	announce_reveal(&el->r, NULL);
	accept_and_open(el);
	vote_close_tally(el);
}

static void election_free(election *el)
{
	for (size_t i = 0; i < 3; i++)
		free(el->counted[i]);
	vyf_record_free(&el->r);
}

/* Post the partial decryptions of the trustees in mask (bit i-1). */
static void post_partials(election *el, uint64_t mask)
{
	vy_scalar s;
	size_t len;

	for (uint32_t i = 1; i <= N; i++) {
		if (!(mask & BIT(i)))
			continue;
		vyf_secret_share(&el->r, i, el->q, el->nq, &s);
		append_free(&el->r, VYBAR__ENTRY_TYPE__ENTRY_TYPE_PARTIAL_DECRYPTION, vyf_partial(&el->r, i, &s, &len), &len);
	}
}

/* The result from used[0..n) by vy_tally_result, decoded. */
static Vybar__Result *make_result(election *el, const uint32_t *used, size_t n, uint8_t **packed, size_t *len)
{
	Vybar__Result *res = NULL;
	vy_reason why = { 0 };

	if (vy_tally_result(&el->r.st, used, n, packed, len, &why) != VY_R_OK)
		fail_msg("result: %s", why.msg);
	assert_int_equal(vy_decode_message((ProtobufCMessage **)&res, &vybar__result__descriptor, VY_MAX_MESSAGE_BYTES,
					   *packed, *len, NULL),
			 VY_R_OK);
	return res;
}

/* The counts, seats and elected candidates are the hand-worked ones. */
static void check_hand_worked(const Vybar__Result *res)
{
	const Vybar__ContestResult *pl;

	assert_int_equal(res->n_contests, 3);
	for (size_t c = 0; c < 3; c++)
		for (size_t k = 0; k < res->contests[c]->n_counts; k++)
			assert_int_equal(res->contests[c]->counts[k], expect_counts[contest_first[c] + k]);
	assert_int_equal(res->contests[0]->n_lists, 0);
	pl = res->contests[2];
	assert_int_equal(pl->n_lists, 3);
	for (size_t l = 0; l < 3; l++) {
		assert_int_equal(pl->lists[l]->votes, expect_counts[7 + l]);
		assert_int_equal(pl->lists[l]->seats, expect_seats[l]);
		assert_int_equal(pl->lists[l]->n_elected, expect_seats[l]);
		for (size_t e = 0; e < pl->lists[l]->n_elected; e++)
			assert_int_equal(pl->lists[l]->elected[e], e);
	}
}

/* ---- the ceremony: complaints and the disqualification rule ---- */

/* V3.7: a verdict's complaints are well formed. */
static void test_verdict_rules(void **state)
{
	static const struct {
		uint32_t against[3];
		size_t n;
		vy_rc code;
	} cases[] = {
		{ { 2 }, 1, VY_R_TRUSTEE },        /* against itself */
		{ { 9 }, 1, VY_R_TRUSTEE },        /* unknown trustee */
		{ { 0 }, 1, VY_R_TRUSTEE },
		{ { 1, 1 }, 2, VY_R_DUPLICATE },
		{ { 3, 1 }, 2, VY_R_FIELD },       /* not ascending */
	};
	vyf_record r;
	Vybar__KeyVerdict *v = NULL;
	Vybar__TrusteeSigned *ts = NULL;
	uint8_t *p, *b, junk[5] = { 0 };
	size_t len, blen;

	(void)state;
	vyf_record_init(&r, N, T);
	announce_reveal(&r, NULL);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		p = vyf_complaints(&r, 2, cases[i].against, cases[i].n, &len);
		expect_try(&r, VYBAR__ENTRY_TYPE__ENTRY_TYPE_KEY_VERDICT, p, len, cases[i].code, "trustee 2");
		free(p);
	}
	/* accept_all with a complaint; revealed_share of 5 bytes; sealed_key_proof set */
	p = vyf_complaints(&r, 2, (const uint32_t[]){ 1 }, 1, &len);
	assert_int_equal(vy_decode_message((ProtobufCMessage **)&ts, &vybar__trustee_signed__descriptor,
					   VY_MAX_MESSAGE_BYTES, p, len, NULL), VY_R_OK);
	assert_int_equal(vy_decode_message((ProtobufCMessage **)&v, &vybar__key_verdict__descriptor,
					   VY_MAX_MESSAGE_BYTES, ts->body.data, ts->body.len, NULL), VY_R_OK);
	for (int k = 0; k < 3; k++) {
		uint8_t *q;
		size_t qlen;

		v->accept_all = k == 0;
		v->complaints[0]->revealed_share.data = junk;
		v->complaints[0]->revealed_share.len = k == 1 ? 5 : 0;
		v->complaints[0]->sealed_key_proof.data = junk;
		v->complaints[0]->sealed_key_proof.len = k == 2 ? 5 : 0;
		b = vy_msg_pack(v, &blen);
		q = vyf_trustee_signed(&r, VYBAR__ENTRY_TYPE__ENTRY_TYPE_KEY_VERDICT, 2, b, blen, &qlen);
		expect_try(&r, VYBAR__ENTRY_TYPE__ENTRY_TYPE_KEY_VERDICT, q, qlen, VY_R_FIELD, "trustee 2");
		free(q);
		free(b);
	}
	v->complaints[0]->revealed_share.data = NULL;
	v->complaints[0]->revealed_share.len = 0;
	v->complaints[0]->sealed_key_proof.data = NULL;
	v->complaints[0]->sealed_key_proof.len = 0;
	vy_msg_free(v);
	vy_msg_free(ts);
	/* the well-formed complaint is accepted, and only once */
	vyf_record_append(&r, VYBAR__ENTRY_TYPE__ENTRY_TYPE_KEY_VERDICT, p, len);
	expect_try(&r, VYBAR__ENTRY_TYPE__ENTRY_TYPE_KEY_VERDICT, p, len, VY_R_DUPLICATE, NULL);
	free(p);
	assert_int_equal(r.st.trustees[0].complained_by, BIT(2));
	vyf_record_free(&r);
}

/* A trustee who sends a bad share is exposed by the recipient's complaint,
 * does not justify, and is disqualified; the election opens with the other
 * four under K = prod of their A_0, and they decrypt. */
static void test_bad_share_disqualified(void **state)
{
	election el;
	uint64_t bad[N] = { 0, BIT(4), 0, 0, 0 };
	Vybar__KeyReveal *rev = NULL;
	vy_scalar share, received[N], s, expect_s, sk;
	vy_reason why = { 0 };
	vy_elem k;
	uint8_t *p;
	size_t len;

	(void)state;
	memset(&el, 0, sizeof el);
	vyf_record_init(&el.r, N, T);
	announce_reveal(&el.r, bad);
	/* trustee 4 opens trustee 2's share with the library and finds it bad */
	p = vyf_reveal_bad(&el.r, 2, BIT(4), &len);
	{
		Vybar__TrusteeSigned *ts = NULL;

		assert_int_equal(vy_decode_message((ProtobufCMessage **)&ts, &vybar__trustee_signed__descriptor,
						   VY_MAX_MESSAGE_BYTES, p, len, NULL), VY_R_OK);
		assert_int_equal(vy_decode_message((ProtobufCMessage **)&rev, &vybar__key_reveal__descriptor,
						   VY_MAX_MESSAGE_BYTES, ts->body.data, ts->body.len, NULL), VY_R_OK);
		vy_msg_free(ts);
	}
	free(p);
	assert_int_equal(vy_ceremony_open_share(&el.r.st, &share, rev, 4, el.r.keys.trustee_xpk[3],
						el.r.keys.trustee_xsk[3], &why), VY_R_COMMITMENT);
	assert_non_null(strstr(why.msg, "trustee 2's share for 4"));
	/* ... while trustee 3 finds its own share from 2 good */
	assert_int_equal(vy_ceremony_open_share(&el.r.st, &share, rev, 3, el.r.keys.trustee_xpk[2],
						el.r.keys.trustee_xsk[2], &why), VY_R_OK);
	vy_msg_free(rev);
	/* V3.7 verdicts: 4 complains against 2, the others accept */
	for (uint32_t i = 1; i <= N; i++) {
		p = i == 4 ? vyf_complaints(&el.r, 4, (const uint32_t[]){ 2 }, 1, &len) : vyf_verdict(&el.r, i, &len);
		append_free(&el.r, VYBAR__ENTRY_TYPE__ENTRY_TYPE_KEY_VERDICT, p, &len);
	}
	/* V3.9 trustee 2 does not justify: opening with all five is refused ... */
	p = vyf_open(&el.r, &len);
	expect_try(&el.r, VYBAR__ENTRY_TYPE__ENTRY_TYPE_ELECTION_OPEN, p, len, VY_R_FIELD, "qualified");
	free(p);
	/* ... and with 1, 3, 4, 5 but the key of all five, too */
	el.nq = 4;
	memcpy(el.q, (const uint32_t[]){ 1, 3, 4, 5 }, sizeof(uint32_t) * 4);
	{
		Vybar__ElectionOpen *o = NULL;
		uint8_t *q = vyf_open(&el.r, &len);
		uint32_t *keep;
		size_t qlen;

		assert_int_equal(vy_decode_message((ProtobufCMessage **)&o, &vybar__election_open__descriptor,
						   VY_MAX_MESSAGE_BYTES, q, len, NULL), VY_R_OK);
		keep = o->qualified_trustees;
		o->qualified_trustees = el.q;
		o->n_qualified_trustees = el.nq;
		free(q);
		q = vy_msg_pack(o, &qlen);
		expect_try(&el.r, VYBAR__ENTRY_TYPE__ENTRY_TYPE_ELECTION_OPEN, q, qlen, VY_R_JOINT_KEY, NULL);
		free(q);
		o->qualified_trustees = keep;
		o->n_qualified_trustees = N;
		vy_msg_free(o);
	}
	p = vyf_open_qualified(&el.r, el.q, el.nq, &len);
	{
		/* the board's own computation gives the same entry */
		uint8_t *b;
		size_t blen;

		assert_int_equal(vy_ceremony_open(&el.r.st, &b, &blen, &why), VY_R_OK);
		assert_int_equal(blen, len);
		assert_memory_equal(b, p, len);
		free(b);
	}
	append_free(&el.r, VYBAR__ENTRY_TYPE__ENTRY_TYPE_ELECTION_OPEN, p, &len);
	assert_false(el.r.st.trustees[1].qualified);
	assert_int_equal(el.r.st.n_qualified, 4);
	/* the joint key is g^(a_1,0 + a_3,0 + a_4,0 + a_5,0) */
	memset(&sk, 0, sizeof sk);
	for (size_t i = 0; i < el.nq; i++)
		vy_scalar_add(el.r.st.election.group, &sk, &sk, &el.r.coeffs[el.q[i] - 1][0]);
	vy_elem_exp_base(el.r.st.election.group, &k, &sk);
	assert_true(vy_elem_eq(el.r.st.election.group, &k, &el.r.st.election.joint_key));
	/* trustee 4's secret share from the shares of the qualified (2's is ignored) */
	memset(received, 0, sizeof received);
	for (size_t i = 0; i < el.nq; i++)
		vy_poly_eval(el.r.st.election.group, &received[el.q[i] - 1], el.r.coeffs[el.q[i] - 1], T, 4);
	assert_int_equal(vy_trustee_secret_share(&el.r.st, &s, 4, received, &why), VY_R_OK);
	vyf_secret_share(&el.r, 4, el.q, el.nq, &expect_s);
	assert_true(vy_scalar_eq(el.r.st.election.group, &s, &expect_s));
	/* a wrong share is caught by name; trustee 2 has no secret share */
	received[2].b[0] ^= 1;
	assert_int_equal(vy_trustee_secret_share(&el.r.st, &s, 4, received, &why), VY_R_COMMITMENT);
	assert_non_null(strstr(why.msg, "trustee 3"));
	assert_int_equal(vy_trustee_secret_share(&el.r.st, &s, 2, received, &why), VY_R_TRUSTEE);
	/* the election runs and any 3 of the 4 qualified decrypt */
	vote_close_tally(&el);
	vyf_secret_share(&el.r, 2, (const uint32_t[]){ 1, 2, 3, 4, 5 }, N, &s);
	assert_int_equal(vy_partial_decrypt(&el.r.st, 2, &s, &p, &len, &why), VY_R_TRUSTEE);
	assert_null(p);
	post_partials(&el, BIT(1) | BIT(4) | BIT(5));
	{
		uint8_t *res_p;
		size_t res_len;
		Vybar__Result *res = make_result(&el, NULL, 0, &res_p, &res_len);

		check_hand_worked(res);
		assert_int_equal(res->n_trustees_used, 3);
		vyf_record_append(&el.r, VYBAR__ENTRY_TYPE__ENTRY_TYPE_RESULT, res_p, res_len);
		vy_msg_free(res);
		free(res_p);
	}
	assert_int_equal(el.r.st.phase, VY_PHASE_TALLIED);
	election_free(&el);
}

/* The accused answers with the true share: it stays qualified, and the
 * complainer uses the published share. The justification's own rules. */
static void test_complaint_justified(void **state)
{
	election el;
	uint64_t bad[N] = { 0, BIT(4), 0, 0, 0 };
	const uint32_t four[1] = { 4 };
	vy_scalar wrong, received[N], s, expect_s;
	vy_reason why = { 0 };
	uint8_t *p;
	size_t len;

	(void)state;
	memset(&el, 0, sizeof el);
	vyf_record_init(&el.r, N, T);
	announce_reveal(&el.r, bad);
	for (uint32_t i = 1; i <= 3; i++) {
		p = i == 2 ? vyf_complaints(&el.r, 2, (const uint32_t[]){ 1 }, 1, &len) : vyf_verdict(&el.r, i, &len);
		append_free(&el.r, VYBAR__ENTRY_TYPE__ENTRY_TYPE_KEY_VERDICT, p, &len);
	}
	/* V3.8 not before every verdict is in */
	p = vyf_justification(&el.r, 1, (const uint32_t[]){ 2 }, NULL, 1, &len);
	expect_try(&el.r, VYBAR__ENTRY_TYPE__ENTRY_TYPE_KEY_JUSTIFICATION, p, len, VY_R_PHASE, NULL);
	free(p);
	append_free(&el.r, VYBAR__ENTRY_TYPE__ENTRY_TYPE_KEY_VERDICT,
		    vyf_complaints(&el.r, 4, (const uint32_t[]){ 1, 2 }, 2, &len), &len);
	append_free(&el.r, VYBAR__ENTRY_TYPE__ENTRY_TYPE_KEY_VERDICT, vyf_verdict(&el.r, 5, &len), &len);
	/* complaints: against 1 by 2 and 4 (both false), against 2 by 4 (true) */
	/* V3.8 a wrong share, a missing complainer, a wrong complainer, an unaccused trustee */
	vy_poly_eval(el.r.st.election.group, &wrong, el.r.coeffs[1], T, 4);
	wrong.b[0] ^= 1;
	p = vyf_justification(&el.r, 2, four, &wrong, 1, &len);
	expect_try(&el.r, VYBAR__ENTRY_TYPE__ENTRY_TYPE_KEY_JUSTIFICATION, p, len, VY_R_COMMITMENT,
		   "trustee 2 share for 4");
	free(p);
	p = vyf_justification(&el.r, 1, (const uint32_t[]){ 2 }, NULL, 1, &len);
	expect_try(&el.r, VYBAR__ENTRY_TYPE__ENTRY_TYPE_KEY_JUSTIFICATION, p, len, VY_R_SHAPE, "trustee 1");
	free(p);
	p = vyf_justification(&el.r, 1, (const uint32_t[]){ 2, 5 }, NULL, 2, &len);
	expect_try(&el.r, VYBAR__ENTRY_TYPE__ENTRY_TYPE_KEY_JUSTIFICATION, p, len, VY_R_FIELD, "must be for 4");
	free(p);
	p = vyf_justification(&el.r, 3, four, NULL, 1, &len);
	expect_try(&el.r, VYBAR__ENTRY_TYPE__ENTRY_TYPE_KEY_JUSTIFICATION, p, len, VY_R_FIELD, "nobody complained");
	free(p);
	/* the true answers are accepted, once */
	p = vyf_justification(&el.r, 2, four, NULL, 1, &len);
	vyf_record_append(&el.r, VYBAR__ENTRY_TYPE__ENTRY_TYPE_KEY_JUSTIFICATION, p, len);
	expect_try(&el.r, VYBAR__ENTRY_TYPE__ENTRY_TYPE_KEY_JUSTIFICATION, p, len, VY_R_DUPLICATE, NULL);
	free(p);
	append_free(&el.r, VYBAR__ENTRY_TYPE__ENTRY_TYPE_KEY_JUSTIFICATION,
		    vyf_justification(&el.r, 1, (const uint32_t[]){ 2, 4 }, NULL, 2, &len), &len);
	/* everyone qualifies */
	p = vyf_open(&el.r, &len);
	append_free(&el.r, VYBAR__ENTRY_TYPE__ENTRY_TYPE_ELECTION_OPEN, p, &len);
	el.nq = N;
	for (uint32_t i = 0; i < N; i++)
		el.q[i] = i + 1;
	assert_int_equal(el.r.st.n_qualified, N);
	/* V3.8 no justification after open */
	p = vyf_justification(&el.r, 2, four, NULL, 1, &len);
	expect_try(&el.r, VYBAR__ENTRY_TYPE__ENTRY_TYPE_KEY_JUSTIFICATION, p, len, VY_R_PHASE, NULL);
	free(p);
	/* trustee 4 uses trustee 2's published share, not the bad sealed one */
	for (uint32_t i = 1; i <= N; i++)
		vy_poly_eval(el.r.st.election.group, &received[i - 1], el.r.coeffs[i - 1], T, 4);
	assert_int_equal(vy_trustee_secret_share(&el.r.st, &s, 4, received, &why), VY_R_OK);
	vyf_secret_share(&el.r, 4, el.q, el.nq, &expect_s);
	assert_true(vy_scalar_eq(el.r.st.election.group, &s, &expect_s));
	received[1] = wrong;
	assert_int_equal(vy_trustee_secret_share(&el.r.st, &s, 4, received, &why), VY_R_COMMITMENT);
	election_free(&el);
}

/* Fewer than t trustees qualify: the election cannot open, and the reason
 * names the disqualified. */
static void test_too_few_qualified(void **state)
{
	vyf_record r;
	uint8_t *p;
	size_t len;

	(void)state;
	vyf_record_init(&r, N, T);
	announce_reveal(&r, NULL);
	append_free(&r, VYBAR__ENTRY_TYPE__ENTRY_TYPE_KEY_VERDICT, vyf_verdict(&r, 1, &len), &len);
	append_free(&r, VYBAR__ENTRY_TYPE__ENTRY_TYPE_KEY_VERDICT, vyf_verdict(&r, 2, &len), &len);
	append_free(&r, VYBAR__ENTRY_TYPE__ENTRY_TYPE_KEY_VERDICT, vyf_verdict(&r, 3, &len), &len);
	append_free(&r, VYBAR__ENTRY_TYPE__ENTRY_TYPE_KEY_VERDICT,
		    vyf_complaints(&r, 4, (const uint32_t[]){ 1, 2, 3 }, 3, &len), &len);
	/* open before trustee 5's verdict */
	p = vyf_open(&r, &len);
	expect_try(&r, VYBAR__ENTRY_TYPE__ENTRY_TYPE_ELECTION_OPEN, p, len, VY_R_PHASE, NULL);
	free(p);
	append_free(&r, VYBAR__ENTRY_TYPE__ENTRY_TYPE_KEY_VERDICT, vyf_verdict(&r, 5, &len), &len);
	p = vyf_open_qualified(&r, (const uint32_t[]){ 4, 5 }, 2, &len);
	expect_try(&r, VYBAR__ENTRY_TYPE__ENTRY_TYPE_ELECTION_OPEN, p, len, VY_R_TRUSTEES, "disqualified: 1, 2, 3");
	free(p);
	assert_int_equal(vy_ceremony_open(&r.st, &p, &len, NULL), VY_R_TRUSTEES);
	assert_null(p);
	/* one justification is enough to reach the threshold */
	append_free(&r, VYBAR__ENTRY_TYPE__ENTRY_TYPE_KEY_JUSTIFICATION,
		    vyf_justification(&r, 3, (const uint32_t[]){ 4 }, NULL, 1, &len), &len);
	p = vyf_open_qualified(&r, (const uint32_t[]){ 3, 4, 5 }, 3, &len);
	vyf_record_append(&r, VYBAR__ENTRY_TYPE__ENTRY_TYPE_ELECTION_OPEN, p, len);
	free(p);
	assert_int_equal(r.st.n_qualified, 3);
	vyf_record_free(&r);
}

/* ---- the encrypted tally ---- */

/* A record held elsewhere (the board's store): its entries, and how many
 * times a previous ballot was fetched. */
typedef struct {
	const vyf_record *r;
	size_t fetches;
	int fail;	  /* answer VY_R_IO */
	size_t other; /* nonzero: answer this entry (another credential's ballot) under the seq asked */
} fetch_from;

static vy_rc fetch_entry(void *arg, uint64_t seq, Vybar__RecordEntry **out, vy_reason *why)
{
	fetch_from *f = arg;

	f->fetches++;
	*out = NULL;
	if (f->fail)
		return vy_reason_set(why, VY_R_IO, "store: cannot read entry %llu", (unsigned long long)seq);
	assert_true(seq < f->r->n_entries);
	if (f->other != 0) {
		assert_int_equal(vy_decode_entry(out, f->r->entries[f->other], f->r->entry_lens[f->other], why), VY_R_OK);
		(*out)->seq = seq;
		return VY_R_OK;
	}
	return vy_decode_entry(out, f->r->entries[seq], f->r->entry_lens[seq], why);
}

/* A fetching state (fetch from f) that accepted el's entries before `end`. */
static void fetching_state_before(vy_record_state *st, const election *el, fetch_from *f, size_t end)
{
	Vybar__RecordEntry *e = NULL;

	vy_record_state_init(st);
	vy_record_state_set_registrar_verifier(st, el->r.st.registrar_verify, el->r.st.registrar_arg);
	assert_int_equal(vy_record_state_set_ballot_fetch(st, fetch_entry, f), VY_R_OK);
	for (size_t k = 0; k < end; k++) {
		assert_int_equal(vy_decode_entry(&e, el->r.entries[k], el->r.entry_lens[k], NULL), VY_R_OK);
		assert_int_equal(vy_record_accept(st, e, NULL), VY_R_OK);
		vy_msg_free(e);
	}
}

/* A state that keeps no ciphertexts per credential (ballot_fetch) accepts
 * the whole record, its ENCRYPTED_TALLY included (V7.1: the same running
 * tally as the state that keeps them), fetching the previous ballot once
 * per revote; none under a restart checkpoint (tally_deferred); a failed
 * fetch fails the ballot with its reason. */
static void test_tally_fetched_ballots(void **state)
{
	election el;
	vy_record_state st;
	fetch_from f = { 0 };
	vy_reason why = { 0 };
	Vybar__RecordEntry *e = NULL;
	size_t first_revote = 0;

	(void)state;
	setup_tallied(&el);
	f.r = &el.r;
	vy_record_state_init(&st);
	vy_record_state_set_registrar_verifier(&st, el.r.st.registrar_verify, el.r.st.registrar_arg);
	assert_int_equal(vy_record_state_set_ballot_fetch(&st, fetch_entry, &f), VY_R_OK);
	for (size_t k = 0; k < el.r.n_entries; k++) {
		assert_int_equal(vy_decode_entry(&e, el.r.entries[k], el.r.entry_lens[k], NULL), VY_R_OK);
		if (vy_record_accept(&st, e, &why) != VY_R_OK)
			fail_msg("entry %zu: %s", k, why.msg);
		if (f.fetches == 1 && first_revote == 0)
			first_revote = k;
		vy_msg_free(e);
	}
	assert_int_equal(f.fetches, 2); /* voter c's second and third ballots */
	assert_null(st.cred_cts);
	assert_null(st.cred_ref);
	assert_int_equal(st.cred_count, 3);
	assert_int_equal(vy_record_state_set_ballot_fetch(&st, NULL, NULL), VY_R_ARG); /* too late */
	vy_record_state_free(&st);

	/* Under a restart checkpoint: nothing is fetched. */
	f.fetches = 0;
	vy_record_state_init(&st);
	vy_record_state_set_registrar_verifier(&st, el.r.st.registrar_verify, el.r.st.registrar_arg);
	assert_int_equal(vy_record_state_set_ballot_fetch(&st, fetch_entry, &f), VY_R_OK);
	st.tally_deferred = 1;
	for (size_t k = 0; k <= first_revote; k++) {
		assert_int_equal(vy_decode_entry(&e, el.r.entries[k], el.r.entry_lens[k], NULL), VY_R_OK);
		if (vy_record_accept(&st, e, &why) != VY_R_OK)
			fail_msg("entry %zu: %s", k, why.msg);
		vy_msg_free(e);
	}
	assert_int_equal(f.fetches, 0);
	vy_record_state_free(&st);

	/* A fetch that fails: the revote is not applied, and says why. */
	fetching_state_before(&st, &el, &f, first_revote);
	f.fail = 1;
	assert_int_equal(vy_decode_entry(&e, el.r.entries[first_revote], el.r.entry_lens[first_revote], NULL), VY_R_OK);
	assert_int_equal(vy_record_accept(&st, e, &why), VY_R_IO);
	assert_non_null(strstr(why.msg, "cannot read entry"));
	assert_int_equal(st.next_seq, first_revote);
	vy_record_state_free(&st);
	/* Given back another credential's ballot (the first ballot's) under
	 * the seq asked: refused, naming the entry. */
	fetching_state_before(&st, &el, &f, first_revote);
	f.fail = 0;
	for (f.other = 0; f.other < first_revote; f.other++) {
		Vybar__RecordEntry *x = NULL;
		int ballot;

		assert_int_equal(vy_decode_entry(&x, el.r.entries[f.other], el.r.entry_lens[f.other], NULL), VY_R_OK);
		ballot = x->type == VYBAR__ENTRY_TYPE__ENTRY_TYPE_BALLOT;
		vy_msg_free(x);
		if (ballot)
			break;
	}
	assert_true(f.other < first_revote);
	assert_int_equal(vy_record_accept(&st, e, &why), VY_R_SEQ);
	assert_non_null(strstr(why.msg, "is not a ballot of its credential"));
	assert_int_equal(st.next_seq, first_revote);
	vy_msg_free(e);
	vy_record_state_free(&st);
	election_free(&el);
}

/* V7.1: the tally is the product of exactly the counted ballots: for the
 * revoter only the third ballot, never the audited one; computed here
 * independently from the packed ballots. */
static void test_tally_counted_ballots(void **state)
{
	election el;
	const vy_group *g;
	vy_ciphertext prod[VYF_SELECTIONS], ct;
	Vybar__EncryptedTally *t = NULL;
	uint8_t *p;
	size_t len, j;

	(void)state;
	setup_tallied(&el);
	g = el.r.st.election.group;
	assert_int_equal(el.r.st.cred_count, 3);
	for (j = 0; j < VYF_SELECTIONS; j++)
		vy_elgamal_zero(g, &prod[j]);
	for (size_t b = 0; b < 3; b++) {
		Vybar__Ballot *bal = NULL;

		assert_int_equal(vy_decode_ballot(&bal, el.counted[b], el.counted_len[b], NULL), VY_R_OK);
		j = 0;
		for (size_t c = 0; c < bal->n_contests; c++)
			for (size_t k = 0; k < bal->contests[c]->n_selections; k++, j++) {
				const Vybar__EncryptedSelection *s = bal->contests[c]->selections[k];

				assert_int_equal(vy_ciphertext_decode(g, &ct, s->alpha.data, s->alpha.len, s->beta.data,
								      s->beta.len), VY_OK);
				vy_elgamal_add(g, &prod[j], &prod[j], &ct);
			}
		vy_msg_free(bal);
	}
	/* the entry on the record (the last one) */
	{
		Vybar__RecordEntry *e = NULL;

		size_t at = el.r.n_entries - 1;

		assert_int_equal(vy_decode_entry(&e, el.r.entries[at], el.r.entry_lens[at], NULL), VY_R_OK);
		if (e->type == VYBAR__ENTRY_TYPE__ENTRY_TYPE_WITNESSED) { /* the witnesses' entry follows it */
			vy_msg_free(e);
			e = NULL;
			at--;
			assert_int_equal(vy_decode_entry(&e, el.r.entries[at], el.r.entry_lens[at], NULL), VY_R_OK);
		}
		assert_int_equal(e->type, VYBAR__ENTRY_TYPE__ENTRY_TYPE_ENCRYPTED_TALLY);
		assert_int_equal(vy_decode_message((ProtobufCMessage **)&t, &vybar__encrypted_tally__descriptor,
						   VY_MAX_MESSAGE_BYTES, e->payload.data, e->payload.len, NULL), VY_R_OK);
		vy_msg_free(e);
	}
	assert_int_equal(t->ballots_counted, 3);
	j = 0;
	for (size_t c = 0; c < t->n_contests; c++)
		for (size_t k = 0; k < t->contests[c]->n_options; k++, j++) {
			assert_int_equal(vy_ciphertext_decode(g, &ct, t->contests[c]->options[k]->alpha.data,
							      t->contests[c]->options[k]->alpha.len,
							      t->contests[c]->options[k]->beta.data,
							      t->contests[c]->options[k]->beta.len), VY_OK);
			assert_true(vy_elem_eq(g, &ct.alpha, &prod[j].alpha));
			assert_true(vy_elem_eq(g, &ct.beta, &prod[j].beta));
		}
	assert_int_equal(j, VYF_SELECTIONS);
	vy_msg_free(t);
	/* a second tally is refused */
	assert_int_equal(vy_tally_encrypted(&el.r.st, &p, &len, NULL), VY_R_OK);
	expect_try(&el.r, VYBAR__ENTRY_TYPE__ENTRY_TYPE_ENCRYPTED_TALLY, p, len, VY_R_DUPLICATE, NULL);
	free(p);
	election_free(&el);
}

/* V7.1 refusals: a changed ciphertext (named by position), a wrong
 * ballots_counted, the wrong phase; partial decryptions and results wait
 * for the tally. */
static void test_tally_rules(void **state)
{
	election el;
	Vybar__EncryptedTally *t = NULL;
	uint8_t *p, *q, save;
	size_t len, qlen;
	vy_scalar s;

	(void)state;
	memset(&el, 0, sizeof el);
	vyf_record_init(&el.r, N, T);
	announce_reveal(&el.r, NULL);
	accept_and_open(&el);
	{
		Vybar__EncryptedTally empty = VYBAR__ENCRYPTED_TALLY__INIT;

		p = vy_msg_pack(&empty, &len);
		expect_try(&el.r, VYBAR__ENTRY_TYPE__ENTRY_TYPE_ENCRYPTED_TALLY, p, len, VY_R_PHASE, NULL);
		free(p);
	}
	/* vote_close_tally without its last step */
	{
		vyf_voter a;
		uint8_t *b;

		vyf_voter_init(&a, &el.r.st.election, "voter a");
		b = vyf_ballot_pack(&el.r.st.election, &a, votes_a, "cast", NULL, &len);
		append_free(&el.r, VYBAR__ENTRY_TYPE__ENTRY_TYPE_BALLOT, b, &len);
		vyf_record_close(&el.r);
	}
	/* no partial decryption and no result before the tally */
	vyf_secret_share(&el.r, 1, el.q, el.nq, &s);
	assert_int_equal(vy_partial_decrypt(&el.r.st, 1, &s, &p, &len, NULL), VY_R_PHASE);
	assert_int_equal(vy_tally_result(&el.r.st, NULL, 0, &p, &len, NULL), VY_R_PHASE);
	{
		Vybar__Result res = VYBAR__RESULT__INIT;

		p = vy_msg_pack(&res, &len);
		expect_try(&el.r, VYBAR__ENTRY_TYPE__ENTRY_TYPE_RESULT, p, len, VY_R_PHASE, NULL);
		free(p);
	}
	assert_int_equal(vy_tally_encrypted(&el.r.st, &p, &len, NULL), VY_R_OK);
	assert_int_equal(vy_decode_message((ProtobufCMessage **)&t, &vybar__encrypted_tally__descriptor,
					   VY_MAX_MESSAGE_BYTES, p, len, NULL), VY_R_OK);
	/* contest 1 option 2: alpha replaced by contest 1 option 3's */
	{
		ProtobufCBinaryData keep = t->contests[1]->options[2]->alpha;

		t->contests[1]->options[2]->alpha = t->contests[1]->options[3]->alpha;
		q = vy_msg_pack(t, &qlen);
		expect_try(&el.r, VYBAR__ENTRY_TYPE__ENTRY_TYPE_ENCRYPTED_TALLY, q, qlen, VY_R_FIELD, "contest 1 option 2");
		free(q);
		t->contests[1]->options[2]->alpha = keep;
	}
	/* a damaged element */
	save = t->contests[2]->options[0]->beta.data[0];
	t->contests[2]->options[0]->beta.data[0] ^= 0x01;
	q = vy_msg_pack(t, &qlen);
	expect_try(&el.r, VYBAR__ENTRY_TYPE__ENTRY_TYPE_ENCRYPTED_TALLY, q, qlen, VY_R_ELEMENT, "contest 2 option 0");
	free(q);
	t->contests[2]->options[0]->beta.data[0] = save;
	/* ballots_counted */
	t->ballots_counted = 2;
	q = vy_msg_pack(t, &qlen);
	expect_try(&el.r, VYBAR__ENTRY_TYPE__ENTRY_TYPE_ENCRYPTED_TALLY, q, qlen, VY_R_FIELD, "ballots_counted");
	free(q);
	t->ballots_counted = 1;
	/* a missing option */
	t->contests[0]->n_options--;
	q = vy_msg_pack(t, &qlen);
	expect_try(&el.r, VYBAR__ENTRY_TYPE__ENTRY_TYPE_ENCRYPTED_TALLY, q, qlen, VY_R_SHAPE, "contest 0");
	free(q);
	t->contests[0]->n_options++;
	vy_msg_free(t);
	vyf_record_append(&el.r, VYBAR__ENTRY_TYPE__ENTRY_TYPE_ENCRYPTED_TALLY, p, len);
	free(p);
	election_free(&el);
}

/* ---- partial decryptions ---- */

/* Decode a signed partial decryption into its wrapper and body. */
static Vybar__PartialDecryption *open_partial(const uint8_t *p, size_t len)
{
	Vybar__TrusteeSigned *ts = NULL;
	Vybar__PartialDecryption *pd = NULL;

	assert_int_equal(vy_decode_message((ProtobufCMessage **)&ts, &vybar__trustee_signed__descriptor,
					   VY_MAX_MESSAGE_BYTES, p, len, NULL), VY_R_OK);
	assert_int_equal(vy_decode_message((ProtobufCMessage **)&pd, &vybar__partial_decryption__descriptor,
					   VY_MAX_MESSAGE_BYTES, ts->body.data, ts->body.len, NULL), VY_R_OK);
	vy_msg_free(ts);
	return pd;
}

/* Re-sign a (modified) partial decryption as trustee index and try it. */
static void try_partial(election *el, const Vybar__PartialDecryption *pd, uint32_t index, vy_rc code,
			const char *needle)
{
	size_t blen, len;
	uint8_t *b = vy_msg_pack(pd, &blen), *p;

	p = vyf_trustee_signed(&el->r, VYBAR__ENTRY_TYPE__ENTRY_TYPE_PARTIAL_DECRYPTION, index, b, blen, &len);
	expect_try(&el->r, VYBAR__ENTRY_TYPE__ENTRY_TYPE_PARTIAL_DECRYPTION, p, len, code, needle);
	free(p);
	free(b);
}

/* V7.2: a changed share, a proof moved from another option, a body of
 * another trustee, a wrong shape: each refused naming the trustee and the
 * position; the result then comes from the others. */
static void test_bad_partial_decryption(void **state)
{
	election el;
	Vybar__PartialDecryption *pd;
	vy_scalar s;
	uint8_t *p, *res_p;
	size_t len, res_len;

	(void)state;
	setup_tallied(&el);
	vyf_secret_share(&el.r, 2, el.q, el.nq, &s);
	p = vyf_partial(&el.r, 2, &s, &len);
	pd = open_partial(p, len);
	/* one share changed: M of contest 1 option 2 replaced by that of option 3 */
	{
		ProtobufCBinaryData keep = pd->contests[1]->options[2]->share;

		pd->contests[1]->options[2]->share = pd->contests[1]->options[3]->share;
		try_partial(&el, pd, 2, VY_R_PROOF, "trustee 2 contest 1 option 2");
		pd->contests[1]->options[2]->share = keep;
	}
	/* the proof of another option */
	{
		Vybar__ChallengeResponse *keep = pd->contests[2]->options[1]->proof;

		pd->contests[2]->options[1]->proof = pd->contests[2]->options[0]->proof;
		try_partial(&el, pd, 2, VY_R_PROOF, "trustee 2 contest 2 option 1");
		pd->contests[2]->options[1]->proof = keep;
	}
	/* a changed share byte that no longer decodes */
	pd->contests[0]->options[0]->share.data[0] ^= 1;
	try_partial(&el, pd, 2, VY_R_ELEMENT, "trustee 2 contest 0 option 0");
	pd->contests[0]->options[0]->share.data[0] ^= 1;
	/* trustee 2's shares under trustee 3's name (body and signature): its proofs fail */
	pd->trustee_index = 3;
	try_partial(&el, pd, 3, VY_R_PROOF, "trustee 3 contest 0 option 0");
	/* body names 3, signed by 2 */
	try_partial(&el, pd, 2, VY_R_TRUSTEE, NULL);
	pd->trustee_index = 2;
	/* a missing contest */
	pd->n_contests--;
	try_partial(&el, pd, 2, VY_R_SHAPE, "trustee 2");
	pd->n_contests++;
	/* intact, it passes, once */
	try_partial(&el, pd, 2, VY_R_OK, NULL);
	expect_try(&el.r, VYBAR__ENTRY_TYPE__ENTRY_TYPE_PARTIAL_DECRYPTION, p, len, VY_R_DUPLICATE, NULL);
	vy_msg_free(pd);
	free(p);
	/* a wrong secret share cannot make a partial decryption */
	s.b[0] ^= 1;
	assert_int_equal(vy_partial_decrypt(&el.r.st, 3, &s, &p, &len, NULL), VY_R_COMMITMENT);
	/* trustees 3 and 5 decrypt; the result comes from 2, 3, 5 */
	post_partials(&el, BIT(3) | BIT(5));
	{
		Vybar__Result *res = make_result(&el, NULL, 0, &res_p, &res_len);

		check_hand_worked(res);
		vyf_record_append(&el.r, VYBAR__ENTRY_TYPE__ENTRY_TYPE_RESULT, res_p, res_len);
		vy_msg_free(res);
		free(res_p);
	}
	election_free(&el);
}

/* §10.2, crypto §2.5 and §5.2: with no counted ballot the tally is (1, 1)
 * everywhere, so every decryption proof has g2 = alpha = the identity. It
 * is allowed, and it proves M = the identity: a share M = g with the proof
 * made for M = 1 is refused. */
static void test_no_ballot_decryption(void **state)
{
	election el;
	const vy_group *g;
	Vybar__PartialDecryption *pd;
	vy_elem gen;
	vy_scalar s;
	uint8_t *p;
	size_t len;

	(void)state;
	memset(&el, 0, sizeof el);
	vyf_record_init(&el.r, N, T);
	announce_reveal(&el.r, NULL);
	accept_and_open(&el);
	vyf_record_close(&el.r);
	vyf_record_tally(&el.r);
	g = el.r.st.election.group;
	assert_int_equal(el.r.st.cred_count, 0);
	for (size_t j = 0; j < VYF_SELECTIONS; j++) {
		assert_true(vy_elem_is_identity(g, &el.r.st.tally[j].alpha));
		assert_true(vy_elem_is_identity(g, &el.r.st.tally[j].beta));
	}
	vyf_secret_share(&el.r, 2, el.q, el.nq, &s);
	p = vyf_partial(&el.r, 2, &s, &len);
	pd = open_partial(p, len);
	for (size_t c = 0; c < pd->n_contests; c++)
		for (size_t k = 0; k < pd->contests[c]->n_options; k++) {
			vy_elem m;

			assert_int_equal(vy_elem_decode(g, &m, pd->contests[c]->options[k]->share.data,
							pd->contests[c]->options[k]->share.len), VY_OK);
			assert_true(vy_elem_is_identity(g, &m));
		}
	vy_elem_generator(g, &gen);
	vy_elem_encode(g, pd->contests[1]->options[2]->share.data, &gen);
	try_partial(&el, pd, 2, VY_R_PROOF, "trustee 2 contest 1 option 2");
	vy_msg_free(pd);
	expect_try(&el.r, VYBAR__ENTRY_TYPE__ENTRY_TYPE_PARTIAL_DECRYPTION, p, len, VY_R_OK, NULL);
	free(p);
	post_partials(&el, BIT(1) | BIT(4));
	assert_int_equal(el.r.st.n_decrypted, 3);
	/* the result: every count 0, and no seat (§11.2: no list has a vote) */
	{
		uint8_t *res_p;
		size_t res_len;
		Vybar__Result *res;

		assert_int_equal(vy_tally_result(&el.r.st, NULL, 0, &res_p, &res_len, NULL), VY_R_OK);
		assert_int_equal(vy_decode_message((ProtobufCMessage **)&res, &vybar__result__descriptor,
						   VY_MAX_MESSAGE_BYTES, res_p, res_len, NULL), VY_R_OK);
		for (size_t c = 0; c < res->n_contests; c++)
			for (size_t k = 0; k < res->contests[c]->n_counts; k++)
				assert_int_equal(res->contests[c]->counts[k], 0);
		assert_int_equal(res->contests[2]->no_seats_reason, VYBAR__NO_SEATS_REASON__NO_SEATS_REASON_NO_LIST_VOTES);
		vyf_record_append(&el.r, VYBAR__ENTRY_TYPE__ENTRY_TYPE_RESULT, res_p, res_len);
		vy_msg_free(res);
		free(res_p);
	}
	election_free(&el);
}

/* ---- the result ---- */

#define C_LISTS 2  /* the party-list contest: 3 lists, 5 seats, Hare over all votes */
#define TIE_VOTES 2

/* One ballot per row of votes (voters "voter 0", ...), then close, tally
 * and the partial decryptions of trustees 1..T, in an election whose
 * party-list contest has threshold threshold_bp. */
static void setup_votes(election *el, uint32_t threshold_bp, const uint32_t (*votes)[VYF_SELECTIONS], size_t n)
{
	vyf_keys keys;
	Vybar__Manifest *m;
	uint8_t *mb;
	size_t mlen;

	memset(el, 0, sizeof *el);
	vyf_keys_init(&keys, N, T);
	m = vyf_manifest_new(&keys);
	m->contests[C_LISTS]->party_list->threshold_basis_points = threshold_bp;
	mb = vy_msg_pack(m, &mlen);
	assert_non_null(mb);
	vyf_record_init_manifest(&el->r, N, T, mb, mlen);
	free(mb);
	vy_msg_free(m);
	announce_reveal(&el->r, NULL);
	accept_and_open(el);
	for (size_t i = 0; i < n; i++) {
		char label[32];
		vyf_voter v;
		uint8_t *p;
		size_t len;

		snprintf(label, sizeof label, "voter %zu", i);
		vyf_voter_init(&v, &el->r.st.election, label);
		p = vyf_ballot_pack(&el->r.st.election, &v, votes[i], "cast", NULL, &len);
		append_free(&el->r, VYBAR__ENTRY_TYPE__ENTRY_TYPE_BALLOT, p, &len);
	}
	vyf_record_close(&el->r);
	vyf_record_tally(&el->r);
	post_partials(el, BIT(1) | BIT(2) | BIT(3));
}

/* The entry hash of the record's ELECTION_OPEN entry, from its bytes. */
static void open_entry_hash(const election *el, uint8_t out[VY_HASH_BYTES])
{
	for (size_t i = 0; i < el->r.n_entries; i++) {
		Vybar__RecordEntry *e = NULL;
		int found;

		assert_int_equal(vy_decode_entry(&e, el->r.entries[i], el->r.entry_lens[i], NULL), VY_R_OK);
		found = e->type == VYBAR__ENTRY_TYPE__ENTRY_TYPE_ELECTION_OPEN;
		if (found)
			vy_entry_hash_of(out, e);
		vy_msg_free(e);
		if (found)
			return;
	}
	fail_msg("no ELECTION_OPEN entry");
}

/* Try a RESULT payload; it must fail with code naming check. */
static void expect_result_refused(election *el, const Vybar__Result *res, vy_rc code, const char *check)
{
	vy_reason why = { 0 };
	size_t len;
	uint8_t *p = vy_msg_pack(res, &len);
	vy_rc rc;

	assert_non_null(p);
	rc = vyf_record_try(&el->r, VYBAR__ENTRY_TYPE__ENTRY_TYPE_RESULT, p, len, &why);
	if (rc != code || strcmp(why.check, check) != 0)
		fail_msg("expected %s %s, got %s %s: %s", vy_rc_str(code), check, vy_rc_str(rc), why.check, why.msg);
	free(p);
}

/* Exchange the seats (and elected lists) of lists a and b of contest c. */
static void swap_seats(Vybar__Result *res, size_t c, size_t a, size_t b)
{
	Vybar__ListResult *x = res->contests[c]->lists[a], *y = res->contests[c]->lists[b];
	uint32_t seats = x->seats, *elected = x->elected;
	size_t n = x->n_elected;

	x->seats = y->seats;
	x->elected = y->elected;
	x->n_elected = y->n_elected;
	y->seats = seats;
	y->elected = elected;
	y->n_elected = n;
}

/* V7.4, §11.1: the tie seed is the ELECTION_OPEN entry's hash. Lists 0 and 2
 * have one vote each for 5 seats (Hare: 2.5 each), so the fifth seat goes
 * by the tie order: the RESULT gives it as that seed says, and the RESULT
 * that gives it to the other list is refused. (The ENCRYPTED_TALLY entry's
 * hash, the seed before, would give it to the other list here.) */
static void test_seat_tie_seed(void **state)
{
	static const uint32_t votes[TIE_VOTES][VYF_SELECTIONS] = {
		{ 0, 1, 0, 1, 0, 1, 0, 1, 0, 0 },
		{ 1, 0, 0, 0, 1, 0, 0, 0, 0, 1 },
	};
	election el;
	uint8_t seed[VY_HASH_BYTES], *p;
	uint64_t want[3], before[3], list_votes[3] = { 1, 0, 1 };
	size_t ncand[3], len;
	vy_seat_input in;
	Vybar__Result *res;
	const Vybar__PartyListContest *pl;

	(void)state;
	setup_votes(&el, 0, votes, TIE_VOTES);
	open_entry_hash(&el, seed);
	assert_memory_equal(el.r.st.open_hash, seed, VY_HASH_BYTES);
	pl = el.r.st.manifest->contests[C_LISTS]->party_list;
	memset(&in, 0, sizeof in);
	for (size_t l = 0; l < 3; l++)
		ncand[l] = pl->lists[l]->n_candidates;
	in.n_lists = 3;
	in.votes = list_votes;
	in.n_candidates = ncand;
	in.seats = pl->seats;
	in.threshold_bp = pl->threshold_basis_points;
	in.method = pl->seat_method;
	memcpy(in.tie_seed, seed, VY_HASH_BYTES);
	assert_int_equal(vy_seats_allocate(&in, want, NULL), VY_R_OK);
	assert_true((want[0] == 3 && want[2] == 2) || (want[0] == 2 && want[2] == 3));
	/* the tie is one that another seed breaks the other way: the tally's
	 * entry hash (the old seed), or failing that a fixed one, so the
	 * result below could not match by accident */
	memcpy(in.tie_seed, el.r.st.tally_hash, VY_HASH_BYTES);
	assert_int_equal(vy_seats_allocate(&in, before, NULL), VY_R_OK);
	for (uint8_t b = 0; before[0] == want[0] && b < 8; b++) {
		memset(in.tie_seed, b, VY_HASH_BYTES);
		assert_int_equal(vy_seats_allocate(&in, before, NULL), VY_R_OK);
	}
	assert_int_not_equal(before[0], want[0]);
	res = make_result(&el, NULL, 0, &p, &len);
	for (size_t l = 0; l < 3; l++)
		assert_int_equal(res->contests[C_LISTS]->lists[l]->seats, want[l]);
	swap_seats(res, C_LISTS, 0, 2);
	expect_result_refused(&el, res, VY_R_FIELD, "V7.4");
	vyf_record_append(&el.r, VYBAR__ENTRY_TYPE__ENTRY_TYPE_RESULT, p, len);
	free(p);
	vy_msg_free(res);
	election_free(&el);
}

/* Every subset of 3 of the 5 trustees (all 10), of 4 and all 5, decrypts
 * the same counts; 2 cannot. */
static void test_every_subset(void **state)
{
	election el;
	uint32_t used[N];
	size_t subsets = 0, len;
	uint8_t *p;
	vy_reason why = { 0 };

	(void)state;
	setup_tallied(&el);
	post_partials(&el, BIT(1) | BIT(2) | BIT(3) | BIT(4) | BIT(5));
	for (uint32_t mask = 1; mask < (1u << N); mask++) {
		size_t n = 0;
		Vybar__Result *res;

		for (uint32_t i = 1; i <= N; i++)
			if (mask & BIT(i))
				used[n++] = i;
		if (n < T) {
			assert_int_equal(vy_tally_result(&el.r.st, used, n, &p, &len, &why), VY_R_TRUSTEES);
			assert_null(p);
			continue;
		}
		res = make_result(&el, used, n, &p, &len);
		check_hand_worked(res);
		assert_int_equal(vy_validate_result(&el.r.st, p, len, &why), VY_R_OK);
		subsets += n == T;
		vy_msg_free(res);
		free(p);
	}
	assert_int_equal(subsets, 10);
	election_free(&el);
}

/* Try res with trustees_used replaced by used[0..n). */
static void try_used(election *el, Vybar__Result *res, uint32_t *used, size_t n, vy_rc code, const char *needle)
{
	uint32_t *keep = res->trustees_used;
	size_t keep_n = res->n_trustees_used, len;
	uint8_t *p;

	res->trustees_used = used;
	res->n_trustees_used = n;
	p = vy_msg_pack(res, &len);
	expect_try(&el->r, VYBAR__ENTRY_TYPE__ENTRY_TYPE_RESULT, p, len, code, needle);
	free(p);
	res->trustees_used = keep;
	res->n_trustees_used = keep_n;
}

/* Try res as it is now. */
static void try_result(election *el, const Vybar__Result *res, vy_rc code, const char *needle)
{
	size_t len;
	uint8_t *p = vy_msg_pack(res, &len);

	expect_try(&el->r, VYBAR__ENTRY_TYPE__ENTRY_TYPE_RESULT, p, len, code, needle);
	free(p);
}

/* V7.3-V7.5: a changed count, votes, seat count or elected list; wrong
 * trustees_used (fewer than t, unknown, duplicate, unordered, without a
 * partial decryption): each refused with its reason. */
static void test_result_rules(void **state)
{
	election el;
	Vybar__Result *res;
	Vybar__ListResult *la;
	uint8_t *p;
	size_t len;

	(void)state;
	setup_tallied(&el);
	post_partials(&el, BIT(1) | BIT(3) | BIT(4) | BIT(5)); /* not trustee 2 */
	res = make_result(&el, (const uint32_t[]){ 1, 3, 5 }, 3, &p, &len);
	check_hand_worked(res);
	/* counts */
	res->contests[0]->counts[1]++;
	try_result(&el, res, VY_R_FIELD, "result contest 0 option 1");
	res->contests[0]->counts[1]--;
	res->contests[1]->counts[3] = 1000; /* beyond ballots_counted */
	try_result(&el, res, VY_R_FIELD, "result contest 1 option 3");
	res->contests[1]->counts[3] = 1;
	/* party list: a count and its votes changed together, then each field */
	la = res->contests[2]->lists[0];
	res->contests[2]->counts[0]++;
	la->votes++;
	try_result(&el, res, VY_R_FIELD, "result contest 2 option 0");
	res->contests[2]->counts[0]--;
	try_result(&el, res, VY_R_FIELD, "contest 2 list 0: votes");
	la->votes--;
	la->seats = 2;
	try_result(&el, res, VY_R_FIELD, "contest 2 list 0: 2 seats");
	la->seats = 3;
	la->elected[2] = 3; /* candidate 4 instead of 3 */
	try_result(&el, res, VY_R_FIELD, "contest 2 list 0: elected[2]");
	la->elected[2] = 2;
	la->n_elected = 2;
	try_result(&el, res, VY_R_FIELD, "2 elected for 3 seats");
	la->n_elected = 3;
	res->contests[0]->n_lists = 1; /* a list result for a referendum */
	res->contests[0]->lists = res->contests[2]->lists;
	try_result(&el, res, VY_R_SHAPE, "result contest 0");
	res->contests[0]->n_lists = 0;
	res->contests[0]->lists = NULL;
	/* trustees_used */
	try_used(&el, res, (uint32_t[]){ 1, 3 }, 2, VY_R_TRUSTEES, "threshold is 3");
	try_used(&el, res, (uint32_t[]){ 1, 3, 9 }, 3, VY_R_TRUSTEE, "not a trustee");
	try_used(&el, res, (uint32_t[]){ 0, 1, 3 }, 3, VY_R_TRUSTEE, "not a trustee");
	try_used(&el, res, (uint32_t[]){ 1, 3, 3 }, 3, VY_R_DUPLICATE, "trustee 3");
	try_used(&el, res, (uint32_t[]){ 3, 1, 5 }, 3, VY_R_FIELD, "ascending");
	try_used(&el, res, (uint32_t[]){ 1, 2, 3 }, 3, VY_R_TRUSTEE, "trustee 2 has no partial decryption");
	/* another valid set gives the same counts */
	try_used(&el, res, (uint32_t[]){ 3, 4, 5 }, 3, VY_R_OK, NULL);
	assert_int_equal(el.r.st.phase, VY_PHASE_TALLIED);
	/* nothing after the result */
	expect_try(&el.r, VYBAR__ENTRY_TYPE__ENTRY_TYPE_RESULT, p, len, VY_R_PHASE, NULL);
	vy_msg_free(res);
	free(p);
	election_free(&el);
}

/* The whole record, written to a file and re-verified by streaming. */
static void test_record_file(void **state)
{
	election el;
	vy_record_state st;
	vy_reason why = { 0 };
	uint64_t bad;
	uint8_t *p;
	size_t len;
	FILE *f;

	(void)state;
	setup_tallied(&el);
	post_partials(&el, BIT(2) | BIT(4) | BIT(5));
	assert_int_equal(vy_tally_result(&el.r.st, NULL, 0, &p, &len, &why), VY_R_OK);
	append_free(&el.r, VYBAR__ENTRY_TYPE__ENTRY_TYPE_RESULT, p, &len);
	f = tmpfile();
	assert_non_null(f);
	vyf_record_write(&el.r, f);
	rewind(f);
	vy_record_state_init(&st);
	vy_record_state_set_registrar_verifier(&st, vyf_fake_registrar_verify, NULL);
	if (vy_record_verify_file(&st, f, &bad, &why) != VY_R_OK)
		fail_msg("entry %llu: %s", (unsigned long long)bad, why.msg);
	assert_int_equal(st.phase, VY_PHASE_TALLIED);
	assert_memory_equal(st.head_hash, el.r.st.head_hash, VY_HASH_BYTES);
	vy_record_state_free(&st);
	fclose(f);
	election_free(&el);
}

/* §11.2, V7.4: a party-list contest that can allocate no seat still has a
 * RESULT: 0 seats for every list and the reason. A RESULT that claims the
 * seats anyway, or leaves out or changes the reason, is refused with V7.4;
 * a reason on a contest without lists is the wrong shape (V7.3). */
static void check_no_seats_result(election *el, Vybar__NoSeatsReason reason)
{
	uint8_t *p;
	size_t len;
	Vybar__Result *res = make_result(el, NULL, 0, &p, &len);
	Vybar__ContestResult *cr = res->contests[C_LISTS];
	uint32_t elected[4] = { 0, 1, 2, 3 }, *keep;

	assert_int_equal(cr->no_seats_reason, reason);
	for (size_t l = 0; l < cr->n_lists; l++) {
		assert_int_equal(cr->lists[l]->seats, 0);
		assert_int_equal(cr->lists[l]->n_elected, 0);
	}
	/* list 0 claims 4 seats (its 4 candidates), with and without the reason */
	keep = cr->lists[0]->elected;
	cr->lists[0]->seats = 4;
	cr->lists[0]->n_elected = 4;
	cr->lists[0]->elected = elected;
	expect_result_refused(el, res, VY_R_FIELD, "V7.4");
	cr->no_seats_reason = VYBAR__NO_SEATS_REASON__NO_SEATS_REASON_NONE;
	expect_result_refused(el, res, VY_R_FIELD, "V7.4");
	cr->lists[0]->seats = 0;
	cr->lists[0]->n_elected = 0;
	cr->lists[0]->elected = keep;
	/* no seat, but without the reason, or with the other one */
	expect_result_refused(el, res, VY_R_FIELD, "V7.4");
	cr->no_seats_reason = reason == VYBAR__NO_SEATS_REASON__NO_SEATS_REASON_NO_LIST_VOTES
				      ? VYBAR__NO_SEATS_REASON__NO_SEATS_REASON_NO_LIST_QUALIFIES
				      : VYBAR__NO_SEATS_REASON__NO_SEATS_REASON_NO_LIST_VOTES;
	expect_result_refused(el, res, VY_R_FIELD, "V7.4");
	cr->no_seats_reason = reason;
	/* a reason on the one-of-n contest */
	res->contests[0]->no_seats_reason = reason;
	expect_result_refused(el, res, VY_R_SHAPE, "V7.3");
	res->contests[0]->no_seats_reason = VYBAR__NO_SEATS_REASON__NO_SEATS_REASON_NONE;
	/* as made, it is accepted */
	vyf_record_append(&el->r, VYBAR__ENTRY_TYPE__ENTRY_TYPE_RESULT, p, len);
	assert_int_equal(el->r.st.phase, VY_PHASE_TALLIED);
	free(p);
	vy_msg_free(res);
}

/* Every ballot blank in the party-list contest: no list has a vote. */
static void test_result_all_blank(void **state)
{
	static const uint32_t votes[2][VYF_SELECTIONS] = {
		{ 0, 1, 0, 1, 0, 0, 0, 0, 0, 0 },
		{ 1, 0, 0, 0, 1, 1, 0, 0, 0, 0 },
	};
	election el;

	(void)state;
	setup_votes(&el, 300, votes, 2);
	check_no_seats_result(&el, VYBAR__NO_SEATS_REASON__NO_SEATS_REASON_NO_LIST_VOTES);
	election_free(&el);
}

/* One vote for each list, threshold 50 %: no list qualifies. */
static void test_result_nobody_qualifies(void **state)
{
	static const uint32_t votes[3][VYF_SELECTIONS] = {
		{ 0, 1, 0, 1, 0, 0, 0, 1, 0, 0 },
		{ 1, 0, 0, 0, 1, 1, 0, 0, 1, 0 },
		{ 0, 0, 1, 0, 0, 1, 1, 0, 0, 1 },
	};
	election el;

	(void)state;
	setup_votes(&el, 5000, votes, 3);
	check_no_seats_result(&el, VYBAR__NO_SEATS_REASON__NO_SEATS_REASON_NO_LIST_QUALIFIES);
	election_free(&el);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_verdict_rules),
		cmocka_unit_test(test_bad_share_disqualified),
		cmocka_unit_test(test_complaint_justified),
		cmocka_unit_test(test_too_few_qualified),
		cmocka_unit_test(test_tally_counted_ballots),
		cmocka_unit_test(test_tally_fetched_ballots),
		cmocka_unit_test(test_tally_rules),
		cmocka_unit_test(test_bad_partial_decryption),
		cmocka_unit_test(test_no_ballot_decryption),
		cmocka_unit_test(test_every_subset),
		cmocka_unit_test(test_seat_tie_seed),
		cmocka_unit_test(test_result_all_blank),
		cmocka_unit_test(test_result_nobody_qualifies),
		cmocka_unit_test(test_result_rules),
		cmocka_unit_test(test_record_file),
	};

	vytest_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
