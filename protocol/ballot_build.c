/* Building ballots and audited ballots (vy_ballot_build.h, protocol.md §4, §6). */
#include "protocol/vy_ballot_build.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/proof_impl.h"

/* A list of allocations freed together once a message is packed. */
typedef struct {
	void **p;
	size_t n, cap;
	int failed;
} bb_arena;

/* Zeroed memory owned by the arena; NULL (and a->failed) when out of memory. */
static void *bb_alloc(bb_arena *a, size_t size)
{
	void *p;

	if (a->n == a->cap) {
		size_t cap = a->cap ? 2 * a->cap : 64;
		void **np = realloc(a->p, cap * sizeof *np);

		if (np == NULL) {
			a->failed = 1;
			return NULL;
		}
		a->p = np;
		a->cap = cap;
	}
	p = calloc(1, size ? size : 1);
	if (p == NULL) {
		a->failed = 1;
		return NULL;
	}
	a->p[a->n++] = p;
	return p;
}

static void bb_arena_free(bb_arena *a)
{
	for (size_t i = 0; i < a->n; i++)
		free(a->p[i]);
	free(a->p);
	memset(a, 0, sizeof *a);
}

/* The words of a count, for the messages voters read. */
static const char *count_word(uint64_t n)
{
	static const char *const words[] = { "no", "one", "two", "three", "four", "five" };

	return n < sizeof words / sizeof words[0] ? words[n] : "too many";
}

/* The rule of one contest on its count of chosen selections (§4.2). */
static vy_rc contest_count_check(const Vybar__Contest *c, size_t ci, uint64_t count, uint64_t lo, uint64_t hi,
				 vy_reason *why)
{
	int lists = c->kind == VYBAR__CONTEST_KIND__CONTEST_KIND_PARTY_LIST;
	const char *what = lists ? "lists" : "options";

	if (count >= lo && count <= hi)
		return VY_R_OK;
	if (c->kind == VYBAR__CONTEST_KIND__CONTEST_KIND_APPROVAL) {
		if (count > hi)
			return vy_reason_set(why, VY_R_FIELD, "contest %zu: too many options (%llu chosen, at most %llu)",
					     ci + 1, (unsigned long long)count, (unsigned long long)hi);
		return vy_reason_set(why, VY_R_FIELD, "contest %zu: too few options (%llu chosen, at least %llu)",
				     ci + 1, (unsigned long long)count, (unsigned long long)lo);
	}
	if (count > hi)
		return vy_reason_set(why, VY_R_FIELD, "contest %zu: %s %s chosen (one at most)", ci + 1,
				     count_word(count), what);
	return vy_reason_set(why, VY_R_FIELD, "contest %zu: nothing chosen and a blank vote is not allowed", ci + 1);
}

vy_rc vy_choices_check(const Vybar__Manifest *m, const uint32_t *choices, size_t n, vy_reason *why)
{
	size_t sel = 0, n_sel;
	uint64_t lo, hi, count;

	if (m == NULL || choices == NULL || n != vy_manifest_selections(m))
		return vy_reason_set(why, VY_R_ARG, "choices: %zu values for a manifest of %zu selections", n,
				     m ? vy_manifest_selections(m) : 0);
	for (size_t i = 0; i < m->n_contests; i++) {
		vy_contest_shape(m->contests[i], &n_sel, &lo, &hi);
		count = 0;
		for (size_t j = 0; j < n_sel; j++, sel++) {
			if (choices[sel] > 1)
				return vy_reason_set(why, VY_R_FIELD, "contest %zu option %zu: value %u is not 0 or 1",
						     i + 1, j + 1, choices[sel]);
			count += choices[sel];
		}
		if (contest_count_check(m->contests[i], i, count, lo, hi, why) != VY_R_OK)
			return why ? why->code : VY_R_FIELD;
	}
	return VY_R_OK;
}

/* One scalar from the source, or fresh. */
static void draw(vy_bb_rand_fn rand, void *arg, const vy_group *g, vy_scalar *out, size_t ci, uint64_t opt,
		 vy_bb_rand_kind kind, size_t branch)
{
	if (rand != NULL)
		rand(arg, g, out, ci, opt, kind, branch);
	else
		vy_scalar_random(g, out);
}

/* The nonce and simulated branches of one proof with n branches. */
static void draw_proof(vy_bb_rand_fn rand, void *arg, const vy_group *g, size_t ci, uint64_t opt, vy_scalar *u,
		       vy_scalar *sc, vy_scalar *sv, size_t n)
{
	draw(rand, arg, g, u, ci, opt, VY_BB_RAND_U, 0);
	for (size_t i = 0; i < n; i++) {
		draw(rand, arg, g, &sc[i], ci, opt, VY_BB_RAND_C, i);
		draw(rand, arg, g, &sv[i], ci, opt, VY_BB_RAND_V, i);
	}
}

/* n scalars into a Proof message. */
static Vybar__Proof *proof_msg(bb_arena *a, const vy_scalar *c, const vy_scalar *v, size_t n)
{
	Vybar__Proof *p = bb_alloc(a, sizeof *p);

	if (p == NULL)
		return NULL;
	vybar__proof__init(p);
	p->c = bb_alloc(a, n * sizeof *p->c);
	p->v = bb_alloc(a, n * sizeof *p->v);
	if (p->c == NULL || p->v == NULL)
		return NULL;
	p->n_c = p->n_v = n;
	for (size_t i = 0; i < n; i++) {
		p->c[i].data = bb_alloc(a, VY_SCALAR_BYTES);
		p->v[i].data = bb_alloc(a, VY_SCALAR_BYTES);
		if (p->c[i].data == NULL || p->v[i].data == NULL)
			return NULL;
		p->c[i].len = p->v[i].len = VY_SCALAR_BYTES;
		memcpy(p->c[i].data, c[i].b, VY_SCALAR_BYTES);
		memcpy(p->v[i].data, v[i].b, VY_SCALAR_BYTES);
	}
	return p;
}

/* A group element as bytes owned by the arena. */
static int elem_bin(bb_arena *a, const vy_group *g, const vy_elem *x, ProtobufCBinaryData *b)
{
	b->len = vy_group_elem_bytes(g);
	b->data = bb_alloc(a, b->len);
	if (b->data == NULL)
		return -1;
	vy_elem_encode(g, b->data, x);
	return 0;
}

/* Scratch of one contest: ciphertexts and proof scalars (secret nonces), guarded. */
typedef struct {
	vy_ciphertext *cts;
	vy_scalar *c, *w, *sc, *sw;
	vy_scalar u, rsum;
} bb_scratch;

/* §4.2-§4.3: the encrypted selections of contest ci with their 0/1 proofs,
 * and the sum proof. sel is the contest's first selection in b->r. */
static vy_rc enc_contest(bb_arena *a, Vybar__EncryptedContest **out, const vy_election *e, const vy_ballot_signer *v,
			 size_t ci, vy_built_ballot *b, size_t sel, bb_scratch *s, vy_bb_rand_fn rand, void *arg,
			 vy_reason *why)
{
	const vy_group *g = e->group;
	Vybar__EncryptedContest *ec = bb_alloc(a, sizeof *ec);
	uint8_t ctx[VY_CTX_MAX_BYTES];
	vy_proof_ctx pc = { .group = g, .ctx = ctx };
	size_t n_sel, n;
	uint64_t lo, hi, msum = 0;

	memcpy(pc.base_hash, e->base_hash, VY_HASH_BYTES);
	vy_contest_shape(e->manifest->contests[ci], &n_sel, &lo, &hi);
	if (ec == NULL)
		return vy_reason_set(why, VY_R_NOMEM, "ballot contest %zu: out of memory", ci);
	vybar__encrypted_contest__init(ec);
	ec->selections = bb_alloc(a, n_sel * sizeof *ec->selections);
	if (ec->selections == NULL)
		return vy_reason_set(why, VY_R_NOMEM, "ballot contest %zu: out of memory", ci);
	ec->n_selections = n_sel;
	memset(&s->rsum, 0, sizeof s->rsum);
	for (size_t j = 0; j < n_sel; j++) {
		Vybar__EncryptedSelection *es = bb_alloc(a, sizeof *es);
		uint32_t m = b->choices[sel + j];

		if (es == NULL)
			return vy_reason_set(why, VY_R_NOMEM, "ballot contest %zu: out of memory", ci);
		draw(rand, arg, g, &b->r[sel + j], ci, j, VY_BB_RAND_R, 0);
		vy_elgamal_encrypt(g, &s->cts[j], &e->joint_key, m, &b->r[sel + j]);
		draw_proof(rand, arg, g, ci, j, &s->u, s->sc, s->sw, 2);
		pc.ctx_len = vy_ballot_ctx(ctx, v->pk, ci, j);
		if (vy_range_prove_det(&pc, s->c, s->w, 2, &e->joint_key, &s->cts[j], 0, 1, m, &b->r[sel + j], &s->u,
				       s->sc, s->sw) != VY_OK)
			return vy_reason_set(why, VY_R_PROOF, "ballot contest %zu option %zu: 0/1 proof failed", ci, j);
		vybar__encrypted_selection__init(es);
		if (elem_bin(a, g, &s->cts[j].alpha, &es->alpha) != 0 || elem_bin(a, g, &s->cts[j].beta, &es->beta) != 0 ||
		    (es->proof = proof_msg(a, s->c, s->w, 2)) == NULL)
			return vy_reason_set(why, VY_R_NOMEM, "ballot contest %zu: out of memory", ci);
		ec->selections[j] = es;
		vy_scalar_add(g, &s->rsum, &s->rsum, &b->r[sel + j]);
		msum += m;
	}
	n = (size_t)(hi - lo + 1);
	draw_proof(rand, arg, g, ci, VY_CTX_OPTION_SUM, &s->u, s->sc, s->sw, n);
	pc.ctx_len = vy_ballot_ctx(ctx, v->pk, ci, VY_CTX_OPTION_SUM);
	if (vy_sum_prove_det(&pc, s->c, s->w, n, &e->joint_key, s->cts, n_sel, lo, hi, msum, &s->rsum, &s->u, s->sc,
			     s->sw) != VY_OK)
		return vy_reason_set(why, VY_R_SUM_PROOF, "ballot contest %zu: sum proof failed", ci);
	ec->sum_proof = proof_msg(a, s->c, s->w, n);
	if (ec->sum_proof == NULL)
		return vy_reason_set(why, VY_R_NOMEM, "ballot contest %zu: out of memory", ci);
	*out = ec;
	return VY_R_OK;
}

/* The largest contest: its selections and sum-proof branches. */
static void max_shape(const Vybar__Manifest *m, size_t *max_sel, size_t *max_branches)
{
	size_t n_sel;
	uint64_t lo, hi;

	*max_sel = 2;
	*max_branches = 2;
	for (size_t i = 0; i < m->n_contests; i++) {
		vy_contest_shape(m->contests[i], &n_sel, &lo, &hi);
		if (n_sel > *max_sel)
			*max_sel = n_sel;
		if ((size_t)(hi - lo + 1) > *max_branches)
			*max_branches = (size_t)(hi - lo + 1);
	}
}

static void scratch_free(bb_scratch *s)
{
	sodium_free(s->cts);
	sodium_free(s->c);
	sodium_free(s->w);
	sodium_free(s->sc);
	sodium_free(s->sw);
	sodium_memzero(&s->u, sizeof s->u);
	sodium_memzero(&s->rsum, sizeof s->rsum);
}

static int scratch_init(bb_scratch *s, const Vybar__Manifest *m)
{
	size_t max_sel, nb;

	max_shape(m, &max_sel, &nb);
	s->cts = sodium_allocarray(max_sel, sizeof *s->cts);
	s->c = sodium_allocarray(nb, sizeof *s->c);
	s->w = sodium_allocarray(nb, sizeof *s->w);
	s->sc = sodium_allocarray(nb, sizeof *s->sc);
	s->sw = sodium_allocarray(nb, sizeof *s->sw);
	return s->cts && s->c && s->w && s->sc && s->sw ? 0 : -1;
}

/* §4.4: the ballot hash, tracking code and the signer's signature. */
static void sign_ballot(const vy_election *e, const vy_ballot_signer *v, Vybar__Ballot *msg, vy_built_ballot *b)
{
	vy_ballot_hash(e, b->hash, msg);
	crypto_sign_detached(msg->signature.data, NULL, b->hash, sizeof b->hash, v->sk);
	vy_ballot_tracking_code(e, b->tracking_code, msg);
}

/* Fill msg from the voter's credential and choices (the arena owns the parts). */
static vy_rc fill_ballot(bb_arena *a, Vybar__Ballot *msg, const vy_election *e, const vy_ballot_signer *v,
			 vy_built_ballot *b, vy_bb_rand_fn rand, void *arg, vy_reason *why)
{
	Vybar__Credential *cr = bb_alloc(a, sizeof *cr);
	bb_scratch s = { 0 };
	size_t sel = 0, n_sel;
	uint64_t lo, hi;
	vy_rc rc = VY_R_OK;

	vybar__ballot__init(msg);
	msg->contests = bb_alloc(a, e->manifest->n_contests * sizeof *msg->contests);
	msg->signature.data = bb_alloc(a, VY_ED25519_SIG_BYTES);
	if (cr == NULL || msg->contests == NULL || msg->signature.data == NULL || scratch_init(&s, e->manifest) != 0) {
		rc = vy_reason_set(why, VY_R_NOMEM, "ballot: out of memory");
		goto out;
	}
	vybar__credential__init(cr);
	cr->public_key.data = (uint8_t *)v->pk;
	cr->public_key.len = VY_ED25519_PK_BYTES;
	/* a one-time key (§6) has neither: both stay empty */
	cr->randomizer.data = (uint8_t *)v->randomizer;
	cr->randomizer.len = v->randomizer != NULL ? VY_RANDOMIZER_BYTES : 0;
	cr->signature.data = (uint8_t *)v->reg_sig;
	cr->signature.len = v->reg_sig != NULL ? v->reg_sig_len : 0;
	msg->credential = cr;
	msg->n_contests = e->manifest->n_contests;
	msg->signature.len = VY_ED25519_SIG_BYTES;
	for (size_t i = 0; i < msg->n_contests && rc == VY_R_OK; i++) {
		rc = enc_contest(a, &msg->contests[i], e, v, i, b, sel, &s, rand, arg, why);
		vy_contest_shape(e->manifest->contests[i], &n_sel, &lo, &hi);
		sel += n_sel;
	}
	if (rc == VY_R_OK)
		sign_ballot(e, v, msg, b);
out:
	scratch_free(&s);
	return rc;
}

vy_rc vy_ballot_build(vy_built_ballot *out, const vy_election *e, const vy_ballot_signer *v, const uint32_t *choices,
		      size_t n, vy_bb_rand_fn rand, void *rand_arg, vy_reason *why)
{
	bb_arena a = { 0 };
	Vybar__Ballot msg;
	vy_rc rc;

	memset(out, 0, sizeof *out);
	if (e == NULL || v == NULL || !e->have_joint_key)
		return vy_reason_set(why, VY_R_ARG, "ballot: no election or no joint key yet");
	rc = vy_choices_check(e->manifest, choices, n, why);
	if (rc != VY_R_OK)
		return rc;
	out->n_sel = n;
	out->r = sodium_allocarray(n ? n : 1, sizeof *out->r);
	out->choices = sodium_allocarray(n ? n : 1, sizeof *out->choices);
	if (out->r == NULL || out->choices == NULL) {
		rc = vy_reason_set(why, VY_R_NOMEM, "ballot: out of memory");
		goto out;
	}
	memcpy(out->choices, choices, n * sizeof *choices);
	out->manifest = e->manifest;
	rc = fill_ballot(&a, &msg, e, v, out, rand, rand_arg, why);
	if (rc == VY_R_OK && (out->bytes = vy_msg_pack(&msg, &out->len)) == NULL)
		rc = vy_reason_set(why, VY_R_NOMEM, "ballot: out of memory");
out:
	bb_arena_free(&a);
	if (rc != VY_R_OK)
		vy_built_ballot_free(out);
	return rc;
}

/* The source of vy_ballot_rebuild: the committed ballot's encryption
 * randomness, fresh proof nonces. */
static void same_r(void *arg, const vy_group *g, vy_scalar *out, size_t contest, uint64_t option,
		   vy_bb_rand_kind kind, size_t branch)
{
	const vy_built_ballot *from = arg;
	size_t sel = 0, n_sel;
	uint64_t lo, hi;

	(void)branch;
	if (kind != VY_BB_RAND_R) {
		vy_scalar_random(g, out);
		return;
	}
	for (size_t i = 0; i < contest; i++) {
		vy_contest_shape(from->manifest->contests[i], &n_sel, &lo, &hi);
		sel += n_sel;
	}
	*out = from->r[sel + option];
}

vy_rc vy_ballot_rebuild(vy_built_ballot *out, const vy_election *e, const vy_ballot_signer *v,
			const vy_built_ballot *from, vy_reason *why)
{
	vy_rc rc;

	memset(out, 0, sizeof *out);
	if (from == NULL || from->r == NULL || from->manifest != e->manifest)
		return vy_reason_set(why, VY_R_ARG, "ballot: nothing to rebuild");
	rc = vy_ballot_build(out, e, v, from->choices, from->n_sel, same_r, (void *)from, why);
	if (rc == VY_R_OK && strcmp(out->tracking_code, from->tracking_code) != 0) {
		vy_built_ballot_free(out);
		rc = vy_reason_set(why, VY_R_FIELD, "ballot: rebuilt with other ciphertexts");
	}
	return rc;
}

/* The revealed values of contest ci (§6), from the built ballot. */
static Vybar__RevealedContest *revealed_contest(bb_arena *a, const vy_group *g, const vy_built_ballot *b, size_t n_sel,
						size_t sel)
{
	Vybar__RevealedContest *rc = bb_alloc(a, sizeof *rc);

	if (rc == NULL)
		return NULL;
	vybar__revealed_contest__init(rc);
	rc->selections = bb_alloc(a, n_sel * sizeof *rc->selections);
	if (rc->selections == NULL)
		return NULL;
	rc->n_selections = n_sel;
	for (size_t j = 0; j < n_sel; j++) {
		Vybar__RevealedSelection *s = bb_alloc(a, sizeof *s);

		if (s == NULL)
			return NULL;
		vybar__revealed_selection__init(s);
		s->value = b->choices[sel + j];
		s->randomness.data = bb_alloc(a, VY_SCALAR_BYTES);
		if (s->randomness.data == NULL)
			return NULL;
		s->randomness.len = VY_SCALAR_BYTES;
		vy_scalar_encode(g, s->randomness.data, &b->r[sel + j]);
		rc->selections[j] = s;
	}
	return rc;
}

vy_rc vy_ballot_audit_pack(const vy_election *e, const vy_built_ballot *b, uint8_t **out, size_t *len,
			   vy_reason *why)
{
	bb_arena a = { 0 };
	Vybar__AuditedBallot ab;
	Vybar__Ballot *ballot = NULL;
	size_t sel = 0, n_sel;
	uint64_t lo, hi;
	vy_rc rc;

	*out = NULL;
	rc = vy_decode_ballot(&ballot, b->bytes, b->len, why);
	if (rc != VY_R_OK)
		return rc;
	vybar__audited_ballot__init(&ab);
	ab.ballot = ballot;
	ab.contests = bb_alloc(&a, e->manifest->n_contests * sizeof *ab.contests);
	ab.n_contests = e->manifest->n_contests;
	for (size_t i = 0; i < ab.n_contests && ab.contests != NULL; i++) {
		vy_contest_shape(e->manifest->contests[i], &n_sel, &lo, &hi);
		ab.contests[i] = revealed_contest(&a, e->group, b, n_sel, sel);
		sel += n_sel;
	}
	if (!a.failed && ab.contests != NULL)
		*out = vy_msg_pack(&ab, len);
	if (*out == NULL)
		rc = vy_reason_set(why, VY_R_NOMEM, "audited ballot: out of memory");
	/* the revealed randomness in the arena is wiped before it is freed */
	for (size_t i = 0; i < ab.n_contests && ab.contests != NULL && ab.contests[i] != NULL; i++)
		for (size_t j = 0; j < ab.contests[i]->n_selections && ab.contests[i]->selections[j] != NULL; j++)
			if (ab.contests[i]->selections[j]->randomness.data != NULL)
				sodium_memzero(ab.contests[i]->selections[j]->randomness.data, VY_SCALAR_BYTES);
	bb_arena_free(&a);
	vy_msg_free(ballot);
	return rc;
}

void vy_built_ballot_free(vy_built_ballot *b)
{
	if (b == NULL)
		return;
	free(b->bytes);
	sodium_free(b->r); /* sodium_free wipes */
	sodium_free(b->choices);
	memset(b, 0, sizeof *b);
}
