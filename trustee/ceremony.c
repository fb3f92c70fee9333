/*
 * The key ceremony of specs/protocol.md §5, round by round, as one trustee
 * runs it (specs/trustee.md §1): announce (round 1: draw the polynomial,
 * announce its commitment hash), reveal (round 2: commitments, proofs, a
 * sealed share for every other trustee), verdict (round 3: accept, or
 * complain against the senders of bad shares) and justify (round 3b:
 * publish the shares complained about). Each checks the phase and this
 * trustee's progress on the record first, and sends its message with
 * vyt_emit (messages.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "crypto/vy_proof.h"
#include "crypto/vy_shamir.h"
#include "protocol/vy_tally.h"
#include "trustee/cheats.h"
#include "trustee/trustee.h"

/* Load the polynomial of round 1 and check it belongs to this election and trustee. */
int vyt_load_poly(vyt_ctx *c, vyt_poly **p)
{
	int r;

	vyt_secrets_open(c->s);
	r = vyt_poly_load(c->o->dir, c->s, p, c->err);
	vyt_secrets_close(c->s);
	if (r == 0)
		snprintf(c->err, sizeof c->err, "no polynomial in %s: run announce first", c->o->dir);
	if (r < 0)
		return vyt_failed(c, r);
	if (r != 1)
		return -1;
	if (memcmp((*p)->base_hash, c->v.st.election.base_hash, 32) != 0 || (*p)->index != c->v.me ||
	    (*p)->t != c->v.st.manifest->threshold) {
		snprintf(c->err, sizeof c->err, "the polynomial in %s belongs to another election", c->o->dir);
		vyt_poly_free(*p);
		*p = NULL;
		return -1;
	}
	return 0;
}

/* Commitments A_j and their hash (§5.1). */
static void commit(vyt_ctx *c, const vyt_poly *p, vy_elem *A, uint8_t h[VY_HASH_BYTES])
{
	vy_feldman_commit(c->v.st.election.group, A, p->coeffs, p->t);
	vy_coefficient_commitment_hash(h, &c->v.st.election, p->index, A, p->t);
}

/* §5.1 round 1: draw (or reuse) the polynomial, announce its commitment hash. */
int vyt_cmd_announce(vyt_ctx *c)
{
	Vybar__KeyAnnounce a = VYBAR__KEY_ANNOUNCE__INIT;
	vy_elem *A = calloc(VYT_MAX_T, sizeof *A);
	uint8_t h[VY_HASH_BYTES], xpk[crypto_box_PUBLICKEYBYTES];
	vyt_poly *p = NULL;
	int r = -1, got;

	if (A == NULL)
		return -1;
	if (c->v.st.phase != VY_PHASE_SETUP || c->v.st.trustees[c->v.me - 1].announced) {
		snprintf(c->err, sizeof c->err, "announce: %s", c->v.st.phase != VY_PHASE_SETUP ?
			 "the key ceremony is over" : "you have already announced");
		goto out;
	}
	vyt_secrets_open(c->s);
	got = vyt_poly_load(c->o->dir, c->s, &p, c->err);
	vyt_secrets_close(c->s);
	if (got < 0) {
		vyt_failed(c, got);
		goto out;
	}
	if (got == 1 && (memcmp(p->base_hash, c->v.st.election.base_hash, 32) != 0 || p->index != c->v.me)) {
		snprintf(c->err, sizeof c->err, "%s holds the polynomial of another election", c->o->dir);
		goto out;
	}
	if (got == 0) {
		p = vyt_poly_new();
		if (p == NULL)
			goto out;
		memcpy(p->base_hash, c->v.st.election.base_hash, 32);
		p->index = c->v.me;
		p->t = c->v.st.manifest->threshold;
		vy_poly_random(c->v.st.election.group, p->coeffs, p->t);
		vyt_secrets_open(c->s);
		got = vyt_poly_save(c->o->dir, c->s, p, c->err);
		vyt_secrets_close(c->s);
		if (got != 0) {
			vyt_failed(c, got);
			goto out;
		}
	}
	commit(c, p, A, h);
	vyt_secrets_open(c->s);
	memcpy(xpk, c->s->xpk, sizeof xpk);
	vyt_secrets_close(c->s);
	a.trustee_index = c->v.me;
	a.encryption_key.data = xpk;
	a.encryption_key.len = sizeof xpk;
	a.commitment_hash.data = h;
	a.commitment_hash.len = sizeof h;
	r = vyt_emit(c, VYBAR__ENTRY_TYPE__ENTRY_TYPE_KEY_ANNOUNCE, &a);
out:
	free(A);
	vyt_poly_free(p);
	return r;
}

/* One Schnorr proof (§5.2) into cr (c and v point into cv). */
static int prove_coeff(vyt_ctx *c, const vyt_poly *p, uint32_t j, const vy_elem *A, Vybar__ChallengeResponse *cr,
		       uint8_t cv[2][VY_SCALAR_BYTES])
{
	uint8_t pctx[VY_CTX_MAX_BYTES];
	vy_proof_ctx pc = { .group = c->v.st.election.group, .ctx = pctx };
	vy_schnorr_proof pr;

	memcpy(pc.base_hash, c->v.st.election.base_hash, VY_HASH_BYTES);
	pc.ctx_len = vy_coefficient_proof_ctx(pctx, p->index, j);
	if (vy_schnorr_prove(&pc, &pr, A, &p->coeffs[j]) != VY_OK) {
		snprintf(c->err, sizeof c->err, "reveal: Schnorr proof %u failed", j);
		return -1;
	}
	memcpy(cv[0], pr.c.b, VY_SCALAR_BYTES);
	memcpy(cv[1], pr.v.b, VY_SCALAR_BYTES);
	vybar__challenge_response__init(cr);
	cr->c.data = cv[0];
	cr->c.len = cr->v.len = VY_SCALAR_BYTES;
	cr->v.data = cv[1];
	return 0;
}

/* The X25519 key trustee k announced (§5.1). */
static int announced_key(vyt_ctx *c, uint32_t k, uint8_t out[crypto_box_PUBLICKEYBYTES])
{
	Vybar__KeyAnnounce *a = (Vybar__KeyAnnounce *)vyt_find_body(&c->v, VYBAR__ENTRY_TYPE__ENTRY_TYPE_KEY_ANNOUNCE, k,
								  &vybar__key_announce__descriptor);

	if (a == NULL || a->encryption_key.len != crypto_box_PUBLICKEYBYTES) {
		snprintf(c->err, sizeof c->err, "reveal: trustee %u has not announced", k);
		vy_msg_free(a);
		return -1;
	}
	memcpy(out, a->encryption_key.data, crypto_box_PUBLICKEYBYTES);
	vy_msg_free(a);
	return 0;
}

/* §5.2 round 2: commitments, proofs, and a sealed share for every other trustee. */
int vyt_cmd_reveal(vyt_ctx *c)
{
	const vy_group *g = c->v.st.election.group;
	uint32_t n = c->v.st.manifest->trustee_count, t = c->v.st.manifest->threshold;
	Vybar__KeyReveal kr = VYBAR__KEY_REVEAL__INIT;
	vy_elem *A = calloc(VYT_MAX_T, sizeof *A);
	ProtobufCBinaryData *cb = calloc(t, sizeof *cb);
	Vybar__ChallengeResponse *cr = calloc(t, sizeof *cr), **crp = calloc(t, sizeof *crp);
	uint8_t (*cv)[2][VY_SCALAR_BYTES] = calloc(t, sizeof *cv), (*enc)[VY_ELEM_MAX_BYTES] = calloc(t, sizeof *enc);
	Vybar__EncryptedShare *es = calloc(n, sizeof *es), **esp = calloc(n, sizeof *esp);
	uint8_t (*sealed)[crypto_box_SEALBYTES + VY_SCALAR_BYTES] = calloc(n, sizeof *sealed);
	vy_scalar *share = sodium_malloc(sizeof *share);
	uint8_t h[VY_HASH_BYTES], xpk[crypto_box_PUBLICKEYBYTES];
	vyt_poly *p = NULL;
	int r = -1;

	if (!A || !cb || !cr || !crp || !cv || !enc || !es || !esp || !sealed || !share) {
		snprintf(c->err, sizeof c->err, "out of memory");
		goto out;
	}
	if (c->v.st.phase != VY_PHASE_SETUP || c->v.st.trustees[c->v.me - 1].revealed) {
		snprintf(c->err, sizeof c->err, "reveal: %s", c->v.st.phase != VY_PHASE_SETUP ?
			 "the key ceremony is over" : "you have already revealed");
		goto out;
	}
	if (vyt_load_poly(c, &p) != 0)
		goto out;
	commit(c, p, A, h);
	if (!c->v.st.trustees[c->v.me - 1].announced ||
	    memcmp(h, c->v.st.trustees[c->v.me - 1].commitment_hash, VY_HASH_BYTES) != 0) {
		snprintf(c->err, sizeof c->err, "reveal: the polynomial in %s does not match your announcement on the "
			 "record", c->o->dir);
		goto out;
	}
	kr.trustee_index = c->v.me;
	for (uint32_t j = 0; j < t; j++) {
		vy_elem_encode(g, enc[j], &A[j]);
		cb[j].data = enc[j];
		cb[j].len = vy_group_elem_bytes(g);
		if (prove_coeff(c, p, j, &A[j], &cr[j], cv[j]) != 0)
			goto out;
		crp[j] = &cr[j];
	}
	kr.commitments = cb;
	kr.n_commitments = t;
	kr.proofs = crp;
	kr.n_proofs = t;
	for (uint32_t k = 1; k <= n; k++) {
		uint8_t plain[VY_SCALAR_BYTES];

		if (k == c->v.me)
			continue;
		if (announced_key(c, k, xpk) != 0)
			goto out;
		vy_poly_eval(g, share, p->coeffs, t, k);
		vyt_cheat_share(g, k, share); /* the test build's cheating dealer (cheats.h) */
		vy_scalar_encode(g, plain, share);
		if (crypto_box_seal(sealed[kr.n_shares], plain, sizeof plain, xpk) != 0) {
			sodium_memzero(plain, sizeof plain);
			snprintf(c->err, sizeof c->err, "reveal: cannot seal the share for trustee %u", k);
			goto out;
		}
		sodium_memzero(plain, sizeof plain);
		vybar__encrypted_share__init(&es[kr.n_shares]);
		es[kr.n_shares].recipient_index = k;
		es[kr.n_shares].sealed.data = sealed[kr.n_shares];
		es[kr.n_shares].sealed.len = sizeof sealed[0];
		esp[kr.n_shares] = &es[kr.n_shares];
		kr.n_shares++;
	}
	kr.shares = esp;
	r = vyt_emit(c, VYBAR__ENTRY_TYPE__ENTRY_TYPE_KEY_REVEAL, &kr);
out:
	free(A);
	free(cb);
	free(cr);
	free(crp);
	free(cv);
	free(enc);
	free(es);
	free(esp);
	free(sealed);
	if (share != NULL)
		sodium_free(share);
	vyt_poly_free(p);
	return r;
}

/* §5.3: open and check the share from trustee `from`; 0 when good. */
int vyt_share_from(vyt_ctx *c, uint32_t from, vy_scalar *share, vy_reason *why)
{
	Vybar__KeyReveal *rv = (Vybar__KeyReveal *)vyt_find_body(&c->v, VYBAR__ENTRY_TYPE__ENTRY_TYPE_KEY_REVEAL, from,
							       &vybar__key_reveal__descriptor);
	vy_rc rc;

	if (rv == NULL)
	{
		vy_reason_set(why, VY_R_TRUSTEE, "trustee %u has not revealed", from);
		return -1;
	}
	vyt_secrets_open(c->s);
	rc = vy_ceremony_open_share(&c->v.st, share, rv, c->v.me, c->s->xpk, c->s->xsk, why);
	vyt_secrets_close(c->s);
	vy_msg_free(rv);
	return rc == VY_R_OK ? 0 : -1;
}

/* §5.3 round 3: accept every share, or complain against the senders of bad ones. */
int vyt_cmd_verdict(vyt_ctx *c)
{
	uint32_t n = c->v.st.manifest->trustee_count;
	Vybar__KeyVerdict kv = VYBAR__KEY_VERDICT__INIT;
	Vybar__Complaint cm[VY_MAX_TRUSTEES], *cmp[VY_MAX_TRUSTEES];
	char reasons[VY_MAX_TRUSTEES][VY_REASON_MSG_BYTES];
	vy_scalar *share = sodium_malloc(sizeof *share);
	int r;

	if (share == NULL)
		return -1;
	if (c->v.st.phase != VY_PHASE_SETUP || c->v.st.trustees[c->v.me - 1].verdict) {
		snprintf(c->err, sizeof c->err, "verdict: %s", c->v.st.phase != VY_PHASE_SETUP ?
			 "the key ceremony is over" : "you have already given your verdict");
		sodium_free(share);
		return -1;
	}
	kv.trustee_index = c->v.me;
	for (uint32_t k = 1; k <= n; k++) {
		vy_reason why = { 0 };

		if (k == c->v.me || !c->v.st.trustees[k - 1].revealed)
			continue;
		if (vyt_share_from(c, k, share, &why) == 0)
			continue;
		vybar__complaint__init(&cm[kv.n_complaints]);
		cm[kv.n_complaints].against_index = k;
		snprintf(reasons[kv.n_complaints], sizeof reasons[0], "%s", why.msg);
		cm[kv.n_complaints].reason = reasons[kv.n_complaints];
		cmp[kv.n_complaints] = &cm[kv.n_complaints];
		fprintf(stderr, "complaint against trustee %u: %s\n", k, why.msg);
		kv.n_complaints++;
	}
	sodium_free(share);
	kv.accept_all = kv.n_complaints == 0;
	kv.complaints = cmp;
	r = vyt_emit(c, VYBAR__ENTRY_TYPE__ENTRY_TYPE_KEY_VERDICT, &kv);
	return r;
}

/* §5.3 round 3b: publish f_me(k) for every complainer k. */
int vyt_cmd_justify(vyt_ctx *c)
{
	const vy_group *g = c->v.st.election.group;
	const vy_trustee_state *ts = &c->v.st.trustees[c->v.me - 1];
	Vybar__KeyJustification kj = VYBAR__KEY_JUSTIFICATION__INIT;
	Vybar__JustifiedShare js[VY_MAX_TRUSTEES], *jsp[VY_MAX_TRUSTEES];
	uint8_t (*enc)[VY_SCALAR_BYTES] = sodium_malloc(VY_MAX_TRUSTEES * VY_SCALAR_BYTES);
	vy_scalar *s = sodium_malloc(sizeof *s);
	vyt_poly *p = NULL;
	int r = -1;

	if (enc == NULL || s == NULL)
		goto out;
	if (c->v.st.phase != VY_PHASE_SETUP || ts->complained_by == 0 || ts->justified) {
		snprintf(c->err, sizeof c->err, "justify: %s", c->v.st.phase != VY_PHASE_SETUP ?
			 "the key ceremony is over" : ts->justified ? "you have already answered" :
			 "nobody complained against you: nothing to justify");
		goto out;
	}
	if (vyt_load_poly(c, &p) != 0)
		goto out;
	kj.trustee_index = c->v.me;
	for (uint32_t k = 1; k <= c->v.st.manifest->trustee_count; k++) {
		if (!((ts->complained_by >> (k - 1)) & 1))
			continue;
		vy_poly_eval(g, s, p->coeffs, p->t, k);
		vy_scalar_encode(g, enc[kj.n_shares], s);
		vybar__justified_share__init(&js[kj.n_shares]);
		js[kj.n_shares].complainer_index = k;
		js[kj.n_shares].share.data = enc[kj.n_shares];
		js[kj.n_shares].share.len = VY_SCALAR_BYTES;
		jsp[kj.n_shares] = &js[kj.n_shares];
		kj.n_shares++;
	}
	kj.shares = jsp;
	r = vyt_emit(c, VYBAR__ENTRY_TYPE__ENTRY_TYPE_KEY_JUSTIFICATION, &kj);
out:
	if (enc != NULL)
		sodium_free(enc);
	if (s != NULL)
		sodium_free(s);
	vyt_poly_free(p);
	return r;
}

/* The share trustee i justified for us on the record (§5.3); 0 when found. */
int vyt_justified_share(vyt_ctx *c, uint32_t i, vy_scalar *out)
{
	Vybar__KeyJustification *kj = (Vybar__KeyJustification *)vyt_find_body(
		&c->v, VYBAR__ENTRY_TYPE__ENTRY_TYPE_KEY_JUSTIFICATION, i, &vybar__key_justification__descriptor);
	int r = -1;

	for (size_t k = 0; kj != NULL && k < kj->n_shares; k++)
		if (kj->shares[k]->complainer_index == c->v.me &&
		    vy_scalar_decode(c->v.st.election.group, out, kj->shares[k]->share.data, kj->shares[k]->share.len) ==
			    VY_OK)
			r = 0;
	vy_msg_free(kj);
	return r;
}
