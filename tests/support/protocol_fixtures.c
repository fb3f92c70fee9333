/* Fixtures for the protocol tests (protocol_fixtures.h). */
#include "tests/support/protocol_fixtures.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/blind_rsa_impl.h"
#include "crypto/proof_impl.h"
#include "crypto/vy_shamir.h"
#include "protocol/vy_ballot_build.h"
#include "protocol/vy_checkpoint.h"
#include "protocol/vy_entry_types.h"

/* A bump list of allocations freed together once a message is packed. */
typedef struct {
	void *p[4096];
	size_t n;
} arena;

static void *arena_alloc(arena *a, size_t size)
{
	void *p = calloc(1, size ? size : 1);

	assert_non_null(p);
	assert_true(a->n < sizeof a->p / sizeof a->p[0]);
	a->p[a->n++] = p;
	return p;
}

static void arena_free(arena *a)
{
	for (size_t i = 0; i < a->n; i++)
		free(a->p[i]);
	a->n = 0;
}

static void label_digest(uint8_t out[64], const char *label)
{
	static const char prefix[] = "vybar test vector ";
	crypto_hash_sha512_state st;

	crypto_hash_sha512_init(&st);
	crypto_hash_sha512_update(&st, (const uint8_t *)prefix, strlen(prefix));
	crypto_hash_sha512_update(&st, (const uint8_t *)label, strlen(label));
	crypto_hash_sha512_final(&st, out);
}

void vyf_scalar(const vy_group *g, vy_scalar *out, const char *label)
{
	uint8_t d[64];

	label_digest(d, label);
	vy_scalar_from_wide(g, out, d);
}

void vyf_bytes32(uint8_t out[32], const char *label)
{
	uint8_t d[64];

	label_digest(d, label);
	memcpy(out, d, 32);
}

void vyf_keys_init(vyf_keys *k, uint32_t n, uint32_t t)
{
	vy_rsa_pk rk;
	uint8_t seed[32];
	char label[64];

	assert_true(n >= 1 && n <= VYF_MAX_TRUSTEES && t >= 1 && t <= n);
	memset(k, 0, sizeof *k);
	k->n = n;
	k->t = t;
	vyf_bytes32(seed, "board");
	crypto_sign_seed_keypair(k->board_pk, k->board_sk, seed);
	for (uint32_t i = 0; i < n; i++) {
		snprintf(label, sizeof label, "trustee %u signing", i + 1);
		vyf_bytes32(seed, label);
		crypto_sign_seed_keypair(k->trustee_pk[i], k->trustee_sk[i], seed);
		snprintf(label, sizeof label, "trustee %u encryption", i + 1);
		vyf_bytes32(seed, label);
		crypto_box_seed_keypair(k->trustee_xpk[i], k->trustee_xsk[i], seed);
	}
	vyf_bytes32(seed, "registrar statement");
	crypto_sign_seed_keypair(k->statement_pk, k->statement_sk, seed);
	for (uint32_t i = 0; i < VYF_WITNESSES; i++) {
		snprintf(label, sizeof label, "witness %u", i + 1);
		vyf_bytes32(seed, label);
		crypto_sign_seed_keypair(k->witness_pk[i], k->witness_sk[i], seed);
	}
	vy_rsa_sk_public(vyf_registrar_sk(0), &rk);
	assert_int_equal(rk.n_len, VYF_REGISTRAR_BYTES);
	memcpy(k->registrar_modulus, rk.n, VYF_REGISTRAR_BYTES);
}

static char *text(arena *a, const char *s)
{
	char *p = arena_alloc(a, strlen(s) + 1);

	memcpy(p, s, strlen(s) + 1);
	return p;
}

/* Options titled prefix 1..n. */
static Vybar__Option **options(arena *a, size_t n, const char *prefix)
{
	Vybar__Option **o = arena_alloc(a, n * sizeof *o);
	char buf[64];

	for (size_t i = 0; i < n; i++) {
		o[i] = arena_alloc(a, sizeof **o);
		vybar__option__init(o[i]);
		snprintf(buf, sizeof buf, "%s %zu", prefix, i + 1);
		o[i]->title = text(a, buf);
	}
	return o;
}

static Vybar__Contest *contest(arena *a, const char *title, Vybar__ContestKind kind)
{
	Vybar__Contest *c = arena_alloc(a, sizeof *c);

	vybar__contest__init(c);
	c->title = text(a, title);
	c->kind = kind;
	return c;
}

/* Contest 2: three lists of four candidates, F, M, F, M. */
static Vybar__PartyListContest *party_lists(arena *a)
{
	static const char *const names[] = { "List A", "List B", "List C" };
	Vybar__PartyListContest *pl = arena_alloc(a, sizeof *pl);
	char buf[64];

	vybar__party_list_contest__init(pl);
	pl->n_lists = 3;
	pl->lists = arena_alloc(a, 3 * sizeof *pl->lists);
	for (size_t i = 0; i < 3; i++) {
		Vybar__PartyList *l = arena_alloc(a, sizeof *l);

		vybar__party_list__init(l);
		l->name = text(a, names[i]);
		l->n_candidates = 4;
		l->candidates = arena_alloc(a, 4 * sizeof *l->candidates);
		for (size_t j = 0; j < 4; j++) {
			l->candidates[j] = arena_alloc(a, sizeof **l->candidates);
			vybar__candidate__init(l->candidates[j]);
			snprintf(buf, sizeof buf, "%s candidate %zu", names[i], j + 1);
			l->candidates[j]->name = text(a, buf);
			l->candidates[j]->gender = j % 2 ? VYBAR__GENDER__GENDER_MALE : VYBAR__GENDER__GENDER_FEMALE;
		}
		pl->lists[i] = l;
	}
	pl->seats = 5;
	pl->threshold_basis_points = 300;
	pl->seat_method = VYBAR__SEAT_METHOD__SEAT_METHOD_HARE_ALL_VOTES;
	pl->gender_rule = arena_alloc(a, sizeof *pl->gender_rule);
	vybar__gender_rule__init(pl->gender_rule);
	pl->gender_rule->block_size = 2;
	pl->gender_rule->min_per_block = 1;
	pl->min_candidates = 2;
	return pl;
}

/* n translations from pairs (lang, text, lang, text, ...), sorted by lang. */
static Vybar__Translation **translations(arena *a, size_t n, const char *const *pairs)
{
	Vybar__Translation **t = arena_alloc(a, n * sizeof *t);

	for (size_t i = 0; i < n; i++) {
		t[i] = arena_alloc(a, sizeof **t);
		vybar__translation__init(t[i]);
		t[i]->lang = text(a, pairs[2 * i]);
		t[i]->text = text(a, pairs[2 * i + 1]);
	}
	return t;
}

/* vyf_keys.translated: translations of five of the manifest's texts, in
 * Latin letters (the test vectors are printable ASCII). */
static void manifest_translations(arena *a, Vybar__Manifest *m)
{
	static const char *const title[] = { "be", "Testavyja vybary", "ru", "Testovye vybory" };
	static const char *const answer[] = { "ru", "Otvet 1" };
	static const char *const council[] = { "be", "Rada", "en", "The Council", "ru", "Sovet" };
	static const char *const list[] = { "be", "Spis A" };
	static const char *const candidate[] = { "ru", "Kandidat 1 spiska A" };
	Vybar__PartyList *l = m->contests[2]->party_list->lists[0];

	m->n_translations = 2;
	m->translations = translations(a, 2, title);
	m->contests[0]->options[0]->n_translations = 1;
	m->contests[0]->options[0]->translations = translations(a, 1, answer);
	m->contests[2]->n_translations = 3;
	m->contests[2]->translations = translations(a, 3, council);
	l->n_translations = 1;
	l->translations = translations(a, 1, list);
	l->candidates[0]->n_translations = 1;
	l->candidates[0]->translations = translations(a, 1, candidate);
}

static void manifest_contests(arena *a, Vybar__Manifest *m)
{
	m->n_contests = 3;
	m->contests = arena_alloc(a, 3 * sizeof *m->contests);
	m->contests[0] = contest(a, "Referendum question", VYBAR__CONTEST_KIND__CONTEST_KIND_ONE_OF_N);
	m->contests[0]->n_options = 3;
	m->contests[0]->options = options(a, 3, "Answer");
	m->contests[1] = contest(a, "Approval question", VYBAR__CONTEST_KIND__CONTEST_KIND_APPROVAL);
	m->contests[1]->n_options = 4;
	m->contests[1]->options = options(a, 4, "Choice");
	m->contests[1]->min_selections = 1;
	m->contests[1]->max_selections = 2;
	m->contests[2] = contest(a, "Council", VYBAR__CONTEST_KIND__CONTEST_KIND_PARTY_LIST);
	m->contests[2]->allow_blank = 1;
	m->contests[2]->party_list = party_lists(a);
}

uint8_t *vyf_manifest_pack(const vyf_keys *k, size_t *len)
{
	static const uint8_t e65537[] = { 1, 0, 1 };
	arena a = { .n = 0 };
	Vybar__Manifest m;
	Vybar__RsaPublicKey rk;
	uint8_t seed[32], commission_pk[crypto_sign_PUBLICKEYBYTES], commission_sk[crypto_sign_SECRETKEYBYTES];
	uint8_t *out;
	char buf[64];

	vybar__manifest__init(&m);
	m.election_id = "vybar-test-2026";
	m.title = "Test election";
	m.group = "ristretto255";
	manifest_contests(&a, &m);
	if (k->translated)
		manifest_translations(&a, &m);
	m.trustee_count = k->n;
	m.threshold = k->t;
	m.n_trustees = k->n;
	m.trustees = arena_alloc(&a, k->n * sizeof *m.trustees);
	for (uint32_t i = 0; i < k->n; i++) {
		Vybar__Trustee *t = arena_alloc(&a, sizeof *t);

		vybar__trustee__init(t);
		t->index = i + 1;
		snprintf(buf, sizeof buf, "Trustee %u", i + 1);
		t->name = text(&a, buf);
		t->signing_key.data = (uint8_t *)k->trustee_pk[i];
		t->signing_key.len = crypto_sign_PUBLICKEYBYTES;
		m.trustees[i] = t;
	}
	m.board_key.data = (uint8_t *)k->board_pk;
	m.board_key.len = crypto_sign_PUBLICKEYBYTES;
	vyf_bytes32(seed, "commission");
	crypto_sign_seed_keypair(commission_pk, commission_sk, seed);
	m.commission_key.data = commission_pk;
	m.commission_key.len = sizeof commission_pk;
	m.registrar_statement_key.data = (uint8_t *)k->statement_pk;
	m.registrar_statement_key.len = crypto_sign_PUBLICKEYBYTES;
	vybar__rsa_public_key__init(&rk);
	rk.modulus.data = (uint8_t *)k->registrar_modulus;
	rk.modulus.len = VYF_REGISTRAR_BYTES;
	rk.exponent.data = (uint8_t *)e65537;
	rk.exponent.len = sizeof e65537;
	m.registrar_key = &rk;
	m.voting_start = 1778000000;
	m.voting_end = 1778086400;
	m.counting_rule = VYBAR__COUNTING_RULE__COUNTING_RULE_LAST_BALLOT;
	m.n_witnesses = k->n_witnesses;
	m.witness_threshold = k->witness_k;
	m.max_ballots_per_credential = k->max_ballots ? k->max_ballots : VYF_MAX_BALLOTS;
	m.min_seconds_between_ballots = k->min_seconds;
	m.witnesses = arena_alloc(&a, (k->n_witnesses + 1) * sizeof *m.witnesses);
	for (uint32_t i = 0; i < k->n_witnesses; i++) {
		Vybar__Witness *w = arena_alloc(&a, sizeof *w);

		vybar__witness__init(w);
		w->name = text(&a, vyf_witness_name(i + 1));
		w->public_key.data = (uint8_t *)k->witness_pk[i];
		w->public_key.len = crypto_sign_PUBLICKEYBYTES;
		m.witnesses[i] = w;
	}
	out = vy_msg_pack(&m, len);
	assert_non_null(out);
	arena_free(&a);
	return out;
}

Vybar__Manifest *vyf_manifest_new(const vyf_keys *k)
{
	Vybar__Manifest *m = NULL;
	size_t len;
	uint8_t *buf = vyf_manifest_pack(k, &len);

	assert_int_equal(vy_decode_manifest(&m, buf, len, NULL), VY_R_OK);
	free(buf);
	return m;
}

/* ---- the registrar (crypto §9, protocol §4.1) ---- */

/*
 * The registrar's TEST-ONLY keys: 3072-bit RSA, e = 65537, p and q safe
 * primes. Generated once with vy_rsa_keygen(3072) (crypto/blind_rsa.c) in
 * a throwaway program that printed vy_rsa_sk_export's p and q as hex; fixed
 * here so that the manifest, credentials and ballots of the fixtures (and
 * the protocol vectors made from them) are the same on every run. Their
 * secrets are public: never use them outside the tests.
 */
static const char *const registrar_primes[VYF_REGISTRARS][2] = {
	{ /* 0: the election's registrar */
	"f86a1dee7bdb7793d3480ed850a3306e44e18a7dba819f937fb0555a71920b58"
	"b879316f53db4904b2c5fc344589c9bf544063c7cf2009834aba4837263a5bfd"
	"ce605e51c88d4e9629cec132c379b4b9c77928cb68ad1410df5d906de2602c4a"
	"c7bd78fbbfb6bbe4f1eba8d0150db447d6f0a0be03a8cc69be0e5463aa98c3df"
	"cc55d23d24d49da9f8ac0acaf6259f05cfaa82932e0879b5e0859fb39ea1f873"
	"6d89120902b44a35452240ac0b452282299bc9d15e88165ab1a3382e53254e63",
	"dbf27d3dc9091d40c8c249d4c90f65e1e9f5a257cee911dba020a6fdd987cc79"
	"c3b6a0951ac1fdad9a06d4172ecb2b9a9869b9d125f2557a9200ed62d3453aa0"
	"ec37a505f64640c5684f4d8e655046f3e9206986d743e6283f4e3692246ff744"
	"a8499414ad3aada851c87d4994603c7c29b41c1ae8df05ca0493e662ca2fa18b"
	"9cca17a66ac208641e418a8a488398343935ab223737845095e120902d241882"
	"1c5ac74316607658b4f2ba7ded75b7b59ab82bc66dc167c48312d917302bab77" },
	{ /* 1: another registrar */
	"c4000dc6dd6910be5fd583b01ea892726fabbc501db61a6d154e4b32d1e92c00"
	"25fca57969b46f9a0439c669dc7332272ea27e9b9ae8bffd4af22fc8c8746557"
	"a2bc3adafdbebaa57a33c76aec5dfabc13e3d96cbab236e8e9c61c31ab64a9f8"
	"13d4b6782590b39ac5ceb43ab2dfb2137b6d355987321796be9d067e6514b4ef"
	"3b89c22b8ce6aa4faab16716d56113893279051d3edb2c10f537d6ba0d56ce8a"
	"0c77dca0812c838fe422a29529978ec7018ca13f133a195b915ce2a58894f947",
	"e1816484846fe52e98bf3a00d62c747010454514a22a8d03661512a105fdd93d"
	"f01570b92bd4a356b8b7dcad4a15533d5ac2209ccf644b8425aa9f8bcfc605ae"
	"ae125f884653109939016a08c7ccc4c3198758691234be1e2ffbf9b7b7d8a4f6"
	"7186de6e5eaa22393264541304fc8cfd36c1bcf2fbf0ffeb04d31bef83e4c6b5"
	"b58d581ed3e65e7f73be85173b8d86eadb5df326d51908984e7f20771f18393c"
	"b7d7774aa9cc4acef9b183088d3ff56a1dcb4071c9f7e43e6197027e152ed487" },
};

static vy_rsa_sk *registrars[VYF_REGISTRARS];
static int registrars_at_exit;

static void registrars_free(void)
{
	for (unsigned i = 0; i < VYF_REGISTRARS; i++) {
		vy_rsa_sk_free(registrars[i]);
		registrars[i] = NULL;
	}
}

const vy_rsa_sk *vyf_registrar_sk(unsigned which)
{
	static const uint8_t e65537[] = { 1, 0, 1 };
	uint8_t p[VYF_REGISTRAR_BYTES / 2], q[VYF_REGISTRAR_BYTES / 2];

	assert_true(which < VYF_REGISTRARS);
	if (registrars[which] != NULL)
		return registrars[which];
	vytest_init();
	assert_int_equal(vytest_unhex(p, sizeof p, registrar_primes[which][0]), sizeof p);
	assert_int_equal(vytest_unhex(q, sizeof q, registrar_primes[which][1]), sizeof q);
	assert_int_equal(vy_rsa_sk_import(&registrars[which], p, sizeof p, q, sizeof q, e65537, sizeof e65537), VY_OK);
	if (!registrars_at_exit) {
		atexit(registrars_free);
		registrars_at_exit = 1;
	}
	return registrars[which];
}

void vyf_registrar_sign(uint8_t sig[VYF_REGISTRAR_BYTES], unsigned which, const uint8_t *msg, size_t msg_len,
			const char *label)
{
	const vy_rsa_sk *sk = vyf_registrar_sk(which);
	uint8_t salt[64], r[VYF_REGISTRAR_BYTES], blinded[VYF_REGISTRAR_BYTES], inv[VYF_REGISTRAR_BYTES];
	uint8_t bsig[VYF_REGISTRAR_BYTES];
	char buf[96];
	vy_rsa_pk pk;

	vy_rsa_sk_public(sk, &pk);
	/* salt: vyf_bytes32("<label> salt") || vyf_bytes32("<label> salt 2"),
	 * first 48 bytes; r: vyf_bytes32("<label> r <i>") for i = 0..11, with
	 * its top two bits set to 01 so that 2^3070 <= r < 2^3071 < n */
	snprintf(buf, sizeof buf, "%s salt", label);
	vyf_bytes32(salt, buf);
	snprintf(buf, sizeof buf, "%s salt 2", label);
	vyf_bytes32(salt + 32, buf);
	for (size_t i = 0; i < VYF_REGISTRAR_BYTES / 32; i++) {
		snprintf(buf, sizeof buf, "%s r %zu", label, i);
		vyf_bytes32(r + 32 * i, buf);
	}
	r[0] &= 0x7f;
	r[0] |= 0x40;
	assert_int_equal(vy_blind_rsa_blind_det(&pk, blinded, inv, sizeof blinded, msg, msg_len, salt,
						VY_BLIND_RSA_SALT_BYTES, r, sizeof r),
			 VY_OK);
	assert_int_equal(vy_blind_rsa_sign(sk, bsig, sizeof bsig, blinded, sizeof blinded), VY_OK);
	assert_int_equal(vy_blind_rsa_finalize(&pk, sig, VYF_REGISTRAR_BYTES, bsig, sizeof bsig, inv, sizeof inv, msg,
					       msg_len),
			 VY_OK);
}

vy_rc vyf_fake_registrar_verify(void *arg, const Vybar__RsaPublicKey *key, const uint8_t *msg, size_t msg_len,
				const uint8_t *sig, size_t sig_len)
{
	return vy_registrar_verify(arg, key, msg, msg_len, sig, sig_len);
}

void vyf_voter_init(vyf_voter *v, const vy_election *e, const char *label)
{
	uint8_t seed[32], msg[VY_RANDOMIZER_BYTES + VY_HASH_BYTES];
	char buf[64];

	memset(v, 0, sizeof *v);
	snprintf(v->label, sizeof v->label, "%s", label);
	snprintf(buf, sizeof buf, "%s credential", label);
	vyf_bytes32(seed, buf);
	crypto_sign_seed_keypair(v->pk, v->sk, seed);
	snprintf(buf, sizeof buf, "%s randomizer", label);
	vyf_bytes32(v->randomizer, buf);
	memcpy(msg, v->randomizer, VY_RANDOMIZER_BYTES);
	vy_credential_message(e, msg + VY_RANDOMIZER_BYTES, v->pk);
	snprintf(buf, sizeof buf, "%s registrar", label);
	vyf_registrar_sign(v->reg_sig, 0, msg, sizeof msg, buf);
}

void vyf_default_choices(uint32_t choices[VYF_SELECTIONS])
{
	static const uint32_t def[VYF_SELECTIONS] = { 0, 1, 0, 1, 0, 1, 0, 0, 1, 0 };

	memcpy(choices, def, sizeof def);
}

static ProtobufCBinaryData elem_bin(arena *a, const vy_group *g, const vy_elem *x)
{
	ProtobufCBinaryData b;

	b.len = vy_group_elem_bytes(g);
	b.data = arena_alloc(a, b.len);
	vy_elem_encode(g, b.data, x);
	return b;
}

/* The fixtures' randomness source for vy_ballot_build: every scalar from
 * a label under "<voter>/<variant>/contest <i>/option <j>" (or ".../sum"). */
typedef struct {
	const vyf_voter *v;
	const char *variant;
} ballot_labels;

static void ballot_rand(void *arg, const vy_group *g, vy_scalar *out, size_t contest, uint64_t option,
			vy_bb_rand_kind kind, size_t branch)
{
	const ballot_labels *bl = arg;
	char base[96], buf[128];

	if (option == VY_CTX_OPTION_SUM)
		snprintf(base, sizeof base, "%s/%s/contest %zu/sum", bl->v->label, bl->variant, contest);
	else
		snprintf(base, sizeof base, "%s/%s/contest %zu/option %llu", bl->v->label, bl->variant, contest,
			 (unsigned long long)option);
	if (kind == VY_BB_RAND_R)
		snprintf(buf, sizeof buf, "%s", base);
	else if (kind == VY_BB_RAND_U)
		snprintf(buf, sizeof buf, "%s/u", base);
	else
		snprintf(buf, sizeof buf, "%s/%c%zu", base, kind == VY_BB_RAND_C ? 'c' : 'v', branch);
	vyf_scalar(g, out, buf);
}

/* The library's ballot (vy_ballot_build) with the fixtures' randomness. */
static void build_ballot(vy_built_ballot *b, const vy_election *e, const vyf_voter *v, const uint32_t *choices,
			 const char *variant)
{
	ballot_labels bl = { v, variant };
	vy_ballot_signer s = { v->pk, v->sk, v->randomizer, v->reg_sig, sizeof v->reg_sig };
	vy_reason why;

	if (vy_ballot_build(b, e, &s, choices, vy_manifest_selections(e->manifest), ballot_rand, &bl, &why) != VY_R_OK)
		fail_msg("vy_ballot_build: %s", why.msg);
	assert_true(b->n_sel <= VYF_MAX_SELECTIONS);
}

uint8_t *vyf_ballot_pack(const vy_election *e, const vyf_voter *v, const uint32_t *choices, const char *variant,
			 vy_scalar *r_out, size_t *len)
{
	vy_built_ballot b;
	uint8_t *out;

	build_ballot(&b, e, v, choices, variant);
	out = malloc(b.len);
	assert_non_null(out);
	memcpy(out, b.bytes, b.len);
	*len = b.len;
	if (r_out != NULL)
		memcpy(r_out, b.r, b.n_sel * sizeof *b.r);
	vy_built_ballot_free(&b);
	return out;
}

Vybar__Ballot *vyf_ballot_new(const vy_election *e, const vyf_voter *v, const uint32_t *choices)
{
	Vybar__Ballot *b = NULL;
	size_t len;
	uint8_t *buf = vyf_ballot_pack(e, v, choices, "cast", NULL, &len);

	assert_int_equal(vy_decode_ballot(&b, buf, len, NULL), VY_R_OK);
	free(buf);
	return b;
}

void vyf_ballot_resign(const vy_election *e, const vyf_voter *v, Vybar__Ballot *b)
{
	uint8_t h[VY_HASH_BYTES];

	assert_int_equal(b->signature.len, VY_ED25519_SIG_BYTES);
	vy_ballot_hash(e, h, b);
	crypto_sign_detached(b->signature.data, NULL, h, sizeof h, v->sk);
}

void vyf_audit_key(const vyf_voter *v, vyf_voter *out)
{
	uint8_t seed[32];
	char buf[64];

	memset(out, 0, sizeof *out);
	snprintf(out->label, sizeof out->label, "%s", v->label);
	snprintf(buf, sizeof buf, "%s audit key", v->label);
	vyf_bytes32(seed, buf);
	crypto_sign_seed_keypair(out->pk, out->sk, seed);
}

Vybar__AuditedBallot *vyf_audited_new(const vy_election *e, const vyf_voter *v, const uint32_t *choices)
{
	vyf_voter k;

	vyf_audit_key(v, &k);
	return vyf_audited_new_as(e, v, choices, "audit", &k);
}

Vybar__AuditedBallot *vyf_audited_new_as(const vy_election *e, const vyf_voter *v, const uint32_t *choices,
					 const char *variant, const vyf_voter *key)
{
	vy_built_ballot b;
	Vybar__AuditedBallot *out = NULL;
	ballot_labels bl = { v, variant };
	vy_ballot_signer s = { key->pk, key->sk, NULL, NULL, 0 };
	vy_reason why;
	uint8_t *buf;
	size_t len;

	if (vy_ballot_build(&b, e, &s, choices, vy_manifest_selections(e->manifest), ballot_rand, &bl, &why) != VY_R_OK)
		fail_msg("vy_ballot_build: %s", why.msg);
	assert_int_equal(vy_ballot_audit_pack(e, &b, &buf, &len, NULL), VY_R_OK);
	vy_built_ballot_free(&b);
	assert_int_equal(vy_decode_audited_ballot(&out, buf, len, NULL), VY_R_OK);
	free(buf);
	return out;
}

/* ---- record and ceremony ---- */

static void record_init(vyf_record *r, uint32_t n, uint32_t t, const uint8_t *manifest, size_t len,
			uint32_t witnesses);

void vyf_record_init(vyf_record *r, uint32_t n, uint32_t t)
{
	record_init(r, n, t, NULL, 0, VYF_WITNESSES);
}

void vyf_record_init_unwitnessed(vyf_record *r, uint32_t n, uint32_t t)
{
	record_init(r, n, t, NULL, 0, 0);
}

void vyf_record_init_manifest(vyf_record *r, uint32_t n, uint32_t t, const uint8_t *manifest, size_t len)
{
	record_init(r, n, t, manifest, len, VYF_WITNESSES);
}

static void record_init(vyf_record *r, uint32_t n, uint32_t t, const uint8_t *manifest, size_t len,
			uint32_t witnesses)
{
	char label[64];

	vytest_init();
	memset(r, 0, sizeof *r);
	vyf_keys_init(&r->keys, n, t);
	r->keys.n_witnesses = witnesses;
	r->keys.witness_k = witnesses ? VYF_WITNESS_K : 0;
	vy_record_state_init(&r->st);
	if (manifest != NULL) {
		r->manifest_bytes = malloc(len);
		assert_non_null(r->manifest_bytes);
		memcpy(r->manifest_bytes, manifest, len);
		r->manifest_len = len;
	} else {
		r->manifest_bytes = vyf_manifest_pack(&r->keys, &r->manifest_len);
	}
	vyf_record_append(r, VYBAR__ENTRY_TYPE__ENTRY_TYPE_MANIFEST, r->manifest_bytes, r->manifest_len);
	memset(&r->joint_sk, 0, sizeof r->joint_sk);
	for (uint32_t i = 0; i < n; i++) {
		for (uint32_t j = 0; j < t; j++) {
			snprintf(label, sizeof label, "trustee %u coefficient %u", i + 1, j);
			vyf_scalar(r->st.election.group, &r->coeffs[i][j], label);
		}
		vy_scalar_add(r->st.election.group, &r->joint_sk, &r->joint_sk, &r->coeffs[i][0]);
	}
}

void vyf_record_free(vyf_record *r)
{
	for (size_t i = 0; i < r->n_entries; i++)
		free(r->entries[i]);
	free(r->entries);
	free(r->entry_lens);
	free(r->manifest_bytes);
	vy_record_state_free(&r->st);
	memset(r, 0, sizeof *r);
}

/* An entry the commission orders (protocol.md §12.4) that does not carry
 * its valid signature yet gets it, as the board's does from the
 * commission's AdminAction: *owned (malloc'd) is then the signed payload. */
static void commission_order(const vyf_record *r, Vybar__EntryType type, const uint8_t **payload, size_t *len,
			     uint8_t **owned)
{
	const vy_entry_type_info *t = vy_entry_type(type);
	uint8_t seed[32], pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES], h[VY_HASH_BYTES];
	uint8_t sig[VY_ED25519_SIG_BYTES];

	*owned = NULL;
	if (t == NULL || t->signer != VY_SIGNER_COMMISSION || r->st.manifest == NULL ||
	    vy_admin_signature_check(&r->st, type, *payload, *len, NULL) != VY_R_ADMIN_SIGNATURE)
		return;
	vyf_bytes32(seed, "commission"); /* as the manifest's commission_key */
	crypto_sign_seed_keypair(pk, sk, seed);
	vy_admin_hash(h, r->st.election.base_hash, (uint64_t)t->admin, r->st.head_hash);
	crypto_sign_detached(sig, NULL, h, sizeof h, sk);
	sodium_memzero(sk, sizeof sk);
	*owned = malloc(*len);
	assert_non_null(*owned);
	memcpy(*owned, *payload, *len);
	if (vy_admin_payload_sign(type, sig, owned, len, NULL) != VY_R_OK)
		fail_msg("commission signature: cannot sign a %s payload", t->name);
	*payload = *owned;
}

vy_rc vyf_record_try(vyf_record *r, Vybar__EntryType type, const uint8_t *payload, size_t len, vy_reason *why)
{
	uint8_t *owned;
	vy_rc rc;

	commission_order(r, type, &payload, &len, &owned);
	rc = vyf_record_try_as_board(r, type, payload, len, why);
	free(owned);
	return rc;
}

vy_rc vyf_record_try_as_board(vyf_record *r, Vybar__EntryType type, const uint8_t *payload, size_t len,
			      vy_reason *why)
{
	Vybar__RecordEntry e;
	uint8_t sig[VY_ENTRY_SIG_BUF_BYTES];
	vy_rc rc;

	vy_entry_make(&e, sig, &r->st, type, payload, len, r->keys.board_sk);
	rc = vy_validate_entry(&r->st, &e, why);
	if (rc != VY_R_OK)
		return rc;
	rc = vy_record_state_apply(&r->st, &e, why);
	if (rc != VY_R_OK)
		return rc;
	r->entries = realloc(r->entries, (r->n_entries + 1) * sizeof *r->entries);
	r->entry_lens = realloc(r->entry_lens, (r->n_entries + 1) * sizeof *r->entry_lens);
	assert_non_null(r->entries);
	assert_non_null(r->entry_lens);
	r->entries[r->n_entries] = vy_msg_pack(&e, &r->entry_lens[r->n_entries]);
	assert_non_null(r->entries[r->n_entries]);
	r->n_entries++;
	return VY_R_OK;
}

void vyf_record_append(vyf_record *r, Vybar__EntryType type, const uint8_t *payload, size_t len)
{
	vy_reason why = { 0 };
	vy_rc rc = vyf_record_try(r, type, payload, len, &why);

	if (rc != VY_R_OK)
		fail_msg("entry %llu rejected: %s", (unsigned long long)r->st.next_seq, why.msg);
}

uint8_t *vyf_trustee_signed(const vyf_record *r, Vybar__EntryType type, uint32_t index, const uint8_t *body,
			    size_t body_len, size_t *len)
{
	Vybar__TrusteeSigned ts;
	uint8_t h[VY_HASH_BYTES], sig[VY_ED25519_SIG_BYTES];
	uint8_t *out;

	vybar__trustee_signed__init(&ts);
	ts.trustee_index = index;
	ts.body.data = (uint8_t *)body;
	ts.body.len = body_len;
	vy_trustee_signed_hash(h, r->st.election.base_hash, (uint64_t)type, index, body, body_len);
	crypto_sign_detached(sig, NULL, h, sizeof h, r->keys.trustee_sk[index - 1]);
	ts.signature.data = sig;
	ts.signature.len = sizeof sig;
	out = vy_msg_pack(&ts, len);
	assert_non_null(out);
	return out;
}

/* Trustee index's commitments A_j = g^{a_j}. */
static void commitments(const vyf_record *r, uint32_t index, vy_elem *out)
{
	vy_feldman_commit(r->st.election.group, out, r->coeffs[index - 1], r->keys.t);
}

/* Pack body, wrap and sign it. */
static uint8_t *signed_body(const vyf_record *r, Vybar__EntryType type, uint32_t index, const void *body, size_t *len)
{
	size_t blen;
	uint8_t *b = vy_msg_pack(body, &blen), *out;

	assert_non_null(b);
	out = vyf_trustee_signed(r, type, index, b, blen, len);
	free(b);
	return out;
}

uint8_t *vyf_announce(vyf_record *r, uint32_t index, size_t *len)
{
	vy_elem commits[VYF_MAX_T];
	uint8_t h[VY_HASH_BYTES];
	Vybar__KeyAnnounce a;

	commitments(r, index, commits);
	vy_coefficient_commitment_hash(h, &r->st.election, index, commits, r->keys.t);
	vybar__key_announce__init(&a);
	a.trustee_index = index;
	a.encryption_key.data = r->keys.trustee_xpk[index - 1];
	a.encryption_key.len = crypto_box_PUBLICKEYBYTES;
	a.commitment_hash.data = h;
	a.commitment_hash.len = sizeof h;
	return signed_body(r, VYBAR__ENTRY_TYPE__ENTRY_TYPE_KEY_ANNOUNCE, index, &a, len);
}

uint8_t *vyf_reveal(vyf_record *r, uint32_t index, size_t *len)
{
	return vyf_reveal_bad(r, index, 0, len);
}

uint8_t *vyf_reveal_bad(vyf_record *r, uint32_t index, uint64_t bad_to, size_t *len)
{
	const vy_group *g = r->st.election.group;
	arena a = { .n = 0 };
	vy_elem commits[VYF_MAX_T];
	uint8_t ctx[VY_CTX_MAX_BYTES], *out;
	vy_proof_ctx pc = { .group = g, .ctx = ctx };
	Vybar__KeyReveal kr;
	uint32_t t = r->keys.t, n = r->keys.n;
	char label[64];

	memcpy(pc.base_hash, r->st.election.base_hash, VY_HASH_BYTES);
	commitments(r, index, commits);
	vybar__key_reveal__init(&kr);
	kr.trustee_index = index;
	kr.n_commitments = kr.n_proofs = t;
	kr.commitments = arena_alloc(&a, t * sizeof *kr.commitments);
	kr.proofs = arena_alloc(&a, t * sizeof *kr.proofs);
	for (uint32_t j = 0; j < t; j++) {
		Vybar__ChallengeResponse *cr = arena_alloc(&a, sizeof *cr);
		vy_schnorr_proof p;
		vy_scalar u;

		kr.commitments[j] = elem_bin(&a, g, &commits[j]);
		snprintf(label, sizeof label, "trustee %u schnorr %u", index, j);
		vyf_scalar(g, &u, label);
		pc.ctx_len = vy_coefficient_proof_ctx(ctx, index, j);
		assert_int_equal(vy_schnorr_prove_det(&pc, &p, &commits[j], &r->coeffs[index - 1][j], &u), VY_OK);
		vybar__challenge_response__init(cr);
		cr->c.data = arena_alloc(&a, VY_SCALAR_BYTES);
		cr->v.data = arena_alloc(&a, VY_SCALAR_BYTES);
		cr->c.len = cr->v.len = VY_SCALAR_BYTES;
		memcpy(cr->c.data, p.c.b, VY_SCALAR_BYTES);
		memcpy(cr->v.data, p.v.b, VY_SCALAR_BYTES);
		kr.proofs[j] = cr;
	}
	kr.n_shares = n - 1;
	kr.shares = arena_alloc(&a, (n - 1) * sizeof *kr.shares);
	for (uint32_t to = 1, k = 0; to <= n; to++) {
		Vybar__EncryptedShare *s;
		vy_scalar share;
		uint8_t enc[VY_SCALAR_BYTES];

		if (to == index)
			continue;
		s = arena_alloc(&a, sizeof *s);
		vybar__encrypted_share__init(s);
		s->recipient_index = to;
		vy_poly_eval(g, &share, r->coeffs[index - 1], t, to);
		if ((bad_to >> (to - 1)) & 1) {
			vy_scalar one;

			vy_scalar_from_u64(g, &one, 1);
			vy_scalar_add(g, &share, &share, &one);
		}
		vy_scalar_encode(g, enc, &share);
		s->sealed.len = crypto_box_SEALBYTES + VY_SCALAR_BYTES;
		s->sealed.data = arena_alloc(&a, s->sealed.len);
		assert_int_equal(crypto_box_seal(s->sealed.data, enc, sizeof enc, r->keys.trustee_xpk[to - 1]), 0);
		kr.shares[k++] = s;
	}
	out = signed_body(r, VYBAR__ENTRY_TYPE__ENTRY_TYPE_KEY_REVEAL, index, &kr, len);
	arena_free(&a);
	return out;
}

uint8_t *vyf_verdict(vyf_record *r, uint32_t index, size_t *len)
{
	Vybar__KeyVerdict v;

	vybar__key_verdict__init(&v);
	v.trustee_index = index;
	v.accept_all = 1;
	return signed_body(r, VYBAR__ENTRY_TYPE__ENTRY_TYPE_KEY_VERDICT, index, &v, len);
}

uint8_t *vyf_open(vyf_record *r, size_t *len)
{
	uint32_t q[VYF_MAX_TRUSTEES];

	for (uint32_t i = 0; i < r->keys.n; i++)
		q[i] = i + 1;
	return vyf_open_qualified(r, q, r->keys.n, len);
}

uint8_t *vyf_open_qualified(vyf_record *r, const uint32_t *q, size_t nq, size_t *len)
{
	const vy_group *g = r->st.election.group;
	Vybar__ElectionOpen o;
	uint8_t enc[VY_ELEM_MAX_BYTES], *out;
	vy_scalar sk;
	vy_elem k;

	/* K = g^{sum over the qualified of a_{i,0}}; r->joint_sk when all qualify
	 * (tests flip it to build a wrong key) */
	sk = r->joint_sk;
	if (nq != r->keys.n) {
		memset(&sk, 0, sizeof sk);
		for (size_t i = 0; i < nq; i++)
			vy_scalar_add(g, &sk, &sk, &r->coeffs[q[i] - 1][0]);
	}
	vy_elem_exp_base(g, &k, &sk);
	vy_elem_encode(g, enc, &k);
	vybar__election_open__init(&o);
	o.joint_public_key.data = enc;
	o.joint_public_key.len = vy_group_elem_bytes(g);
	o.qualified_trustees = (uint32_t *)q;
	o.n_qualified_trustees = nq;
	out = vy_msg_pack(&o, len);
	assert_non_null(out);
	return out;
}

/* Append the message made by fn for every trustee. */
static void each_trustee(vyf_record *r, Vybar__EntryType type, uint8_t *(*fn)(vyf_record *, uint32_t, size_t *))
{
	for (uint32_t i = 1; i <= r->keys.n; i++) {
		size_t len;
		uint8_t *p = fn(r, i, &len);

		vyf_record_append(r, type, p, len);
		free(p);
	}
}

void vyf_record_ceremony(vyf_record *r)
{
	size_t len;
	uint8_t *p;

	each_trustee(r, VYBAR__ENTRY_TYPE__ENTRY_TYPE_KEY_ANNOUNCE, vyf_announce);
	each_trustee(r, VYBAR__ENTRY_TYPE__ENTRY_TYPE_KEY_REVEAL, vyf_reveal);
	each_trustee(r, VYBAR__ENTRY_TYPE__ENTRY_TYPE_KEY_VERDICT, vyf_verdict);
	p = vyf_open(r, &len);
	vyf_record_append(r, VYBAR__ENTRY_TYPE__ENTRY_TYPE_ELECTION_OPEN, p, len);
	free(p);
}

void vyf_record_write(const vyf_record *r, FILE *f)
{
	assert_int_equal(fwrite(VY_RECORD_MAGIC, 1, VY_RECORD_MAGIC_LEN, f), VY_RECORD_MAGIC_LEN);
	for (size_t i = 0; i < r->n_entries; i++) {
		uint8_t hdr[4] = { (uint8_t)(r->entry_lens[i] >> 24), (uint8_t)(r->entry_lens[i] >> 16),
				   (uint8_t)(r->entry_lens[i] >> 8), (uint8_t)r->entry_lens[i] };

		assert_int_equal(fwrite(hdr, 1, 4, f), 4);
		assert_int_equal(fwrite(r->entries[i], 1, r->entry_lens[i], f), r->entry_lens[i]);
	}
}

/* ---- complaints, decryption and tally (protocol.md §5.3, §10) ---- */

uint8_t *vyf_complaints(vyf_record *r, uint32_t index, const uint32_t *against, size_t n, size_t *len)
{
	Vybar__KeyVerdict v = VYBAR__KEY_VERDICT__INIT;
	Vybar__Complaint c[VYF_MAX_TRUSTEES], *cp[VYF_MAX_TRUSTEES];

	assert_true(n <= VYF_MAX_TRUSTEES);
	v.trustee_index = index;
	v.accept_all = n == 0;
	for (size_t i = 0; i < n; i++) {
		vybar__complaint__init(&c[i]);
		c[i].against_index = against[i];
		c[i].reason = "share does not match the commitments";
		cp[i] = &c[i];
	}
	v.complaints = cp;
	v.n_complaints = n;
	return signed_body(r, VYBAR__ENTRY_TYPE__ENTRY_TYPE_KEY_VERDICT, index, &v, len);
}

uint8_t *vyf_justification(vyf_record *r, uint32_t index, const uint32_t *complainers, const vy_scalar *shares,
			   size_t n, size_t *len)
{
	const vy_group *g = r->st.election.group;
	Vybar__KeyJustification j = VYBAR__KEY_JUSTIFICATION__INIT;
	Vybar__JustifiedShare js[VYF_MAX_TRUSTEES], *jp[VYF_MAX_TRUSTEES];
	uint8_t enc[VYF_MAX_TRUSTEES][VY_SCALAR_BYTES];
	vy_scalar s;

	assert_true(n <= VYF_MAX_TRUSTEES);
	j.trustee_index = index;
	for (size_t i = 0; i < n; i++) {
		vybar__justified_share__init(&js[i]);
		js[i].complainer_index = complainers[i];
		if (shares != NULL)
			s = shares[i];
		else
			vy_poly_eval(g, &s, r->coeffs[index - 1], r->keys.t, complainers[i]);
		vy_scalar_encode(g, enc[i], &s);
		js[i].share.data = enc[i];
		js[i].share.len = VY_SCALAR_BYTES;
		jp[i] = &js[i];
	}
	j.shares = jp;
	j.n_shares = n;
	return signed_body(r, VYBAR__ENTRY_TYPE__ENTRY_TYPE_KEY_JUSTIFICATION, index, &j, len);
}

void vyf_secret_share(const vyf_record *r, uint32_t index, const uint32_t *q, size_t nq, vy_scalar *s)
{
	const vy_group *g = r->st.election.group;
	vy_scalar f;

	memset(s, 0, sizeof *s);
	for (size_t i = 0; i < nq; i++) {
		vy_poly_eval(g, &f, r->coeffs[q[i] - 1], r->keys.t, index);
		vy_scalar_add(g, s, s, &f);
	}
}

uint8_t *vyf_partial(vyf_record *r, uint32_t index, const vy_scalar *s, size_t *len)
{
	vy_reason why = { 0 };
	uint8_t *body, *out;
	size_t blen;

	if (vy_partial_decrypt(&r->st, index, s, &body, &blen, &why) != VY_R_OK)
		fail_msg("partial decryption of trustee %u: %s", index, why.msg);
	out = vyf_trustee_signed(r, VYBAR__ENTRY_TYPE__ENTRY_TYPE_PARTIAL_DECRYPTION, index, body, blen, len);
	free(body);
	return out;
}

void vyf_record_close_only(vyf_record *r)
{
	Vybar__ElectionClose c = VYBAR__ELECTION_CLOSE__INIT;
	size_t len;
	uint8_t *p;

	c.ballots_received = r->st.ballots;
	p = vy_msg_pack(&c, &len);
	assert_non_null(p);
	vyf_record_append(r, VYBAR__ENTRY_TYPE__ENTRY_TYPE_ELECTION_CLOSE, p, len);
	free(p);
}

uint8_t *vyf_issued_statement(const uint8_t base_hash[VY_HASH_BYTES], uint64_t issued, uint64_t time,
			      const uint8_t *sk, size_t *len)
{
	uint8_t *out = vy_issued_statement_pack(base_hash, issued, time, sk, len);

	assert_non_null(out);
	return out;
}

void vyf_record_close(vyf_record *r)
{
	size_t len;
	uint8_t *p;

	vyf_record_close_only(r);
	p = vyf_issued_statement(r->st.election.base_hash, r->st.cred_count, VYF_ISSUED_TIME, r->keys.statement_sk,
				 &len);
	vyf_record_append(r, VYBAR__ENTRY_TYPE__ENTRY_TYPE_CREDENTIALS_ISSUED, p, len);
	free(p);
}

void vyf_record_tally(vyf_record *r)
{
	vy_reason why = { 0 };
	uint8_t *p;
	size_t len;

	if (vy_tally_encrypted(&r->st, &p, &len, &why) != VY_R_OK)
		fail_msg("encrypted tally: %s", why.msg);
	vyf_record_append(r, VYBAR__ENTRY_TYPE__ENTRY_TYPE_ENCRYPTED_TALLY, p, len);
	free(p);
	if (r->st.manifest->n_witnesses > 0) {
		p = vyf_witnessed(r, (1u << r->st.manifest->witness_threshold) - 1, 1778090000, &len);
		vyf_record_append_owned(r, VYBAR__ENTRY_TYPE__ENTRY_TYPE_WITNESSED, p, len);
	}
}

const char *vyf_witness_name(uint32_t i)
{
	static char names[VYF_WITNESSES + 1][32];

	assert_true(i >= 1 && i <= VYF_WITNESSES);
	snprintf(names[i], sizeof names[i], "witness-%u.test", i);
	return names[i];
}

uint8_t *vyf_witnessed(const vyf_record *r, unsigned mask, uint64_t t, size_t *len)
{
	Vybar__Witnessed w = VYBAR__WITNESSED__INIT;
	Vybar__Cosignature cs[VYF_WITNESSES], *csp[VYF_WITNESSES];
	vy_cosignature sig[VYF_WITNESSES];
	vy_checkpoint c;
	uint8_t *out;

	memcpy(c.base_hash, r->st.election.base_hash, VY_HASH_BYTES);
	c.size = r->st.next_seq;
	vy_merkle_acc_root(&r->st.tree, c.root);
	w.size = c.size;
	w.root.data = c.root;
	w.root.len = sizeof c.root;
	for (uint32_t i = 0; i < VYF_WITNESSES; i++) {
		if (!(mask & (1u << i)))
			continue;
		vy_cosign(&sig[i], t, &c, r->keys.witness_sk[i]);
		vybar__cosignature__init(&cs[w.n_cosignatures]);
		cs[w.n_cosignatures].witness = i + 1;
		cs[w.n_cosignatures].timestamp = t;
		cs[w.n_cosignatures].signature.data = sig[i].signature;
		cs[w.n_cosignatures].signature.len = sizeof sig[i].signature;
		csp[w.n_cosignatures] = &cs[w.n_cosignatures];
		w.n_cosignatures++;
	}
	w.cosignatures = csp;
	out = vy_msg_pack(&w, len);
	assert_non_null(out);
	return out;
}

void vyf_record_append_owned(vyf_record *r, Vybar__EntryType type, uint8_t *payload, size_t len)
{
	vyf_record_append(r, type, payload, len);
	free(payload);
}

void vyf_record_decrypt(vyf_record *r, const uint32_t *q, size_t nq, uint32_t t)
{
	vy_reason why = { 0 };
	vy_scalar s;
	uint8_t *p;
	size_t len;

	for (uint32_t i = 1; i <= t; i++) {
		vyf_secret_share(r, i, q, nq, &s);
		p = vyf_partial(r, i, &s, &len);
		vyf_record_append_owned(r, VYBAR__ENTRY_TYPE__ENTRY_TYPE_PARTIAL_DECRYPTION, p, len);
	}
	if (vy_tally_result(&r->st, NULL, 0, &p, &len, &why) != VY_R_OK)
		fail_msg("result: %s", why.msg);
	vyf_record_append_owned(r, VYBAR__ENTRY_TYPE__ENTRY_TYPE_RESULT, p, len);
}
