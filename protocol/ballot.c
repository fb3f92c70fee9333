/*
 * Ballots and audited ballots (specs/protocol.md §4 and §6): proof
 * contexts, the ballot hash, tracking codes and the validity rules.
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "crypto/vy_blind_rsa.h"
#include "crypto/vy_hash.h"
#include "crypto/vy_proof.h"
#include "protocol/vy_election.h"

/* Crockford's base-32 alphabet: no I, L, O, U, so a code read aloud or
 * typed is unambiguous (§4.4). */
static const char crockford[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

#define TRACKING_HASH_BYTES 10 /* 80 bits, 16 characters */

void vy_credential_message(const vy_election *e, uint8_t out[VY_HASH_BYTES], const uint8_t pk[VY_ED25519_PK_BYTES])
{
	vy_hasher h;

	vy_hasher_init(&h, VY_TAG_CREDENTIAL);
	vy_hasher_item(&h, e->base_hash, VY_HASH_BYTES);
	vy_hasher_item(&h, pk, VY_ED25519_PK_BYTES);
	vy_hasher_final(&h, out);
}

/* Append item(data) at out + pos; returns the new position. */
static size_t put_item(uint8_t *out, size_t pos, const uint8_t *data, size_t len)
{
	out[pos] = (uint8_t)(len >> 24);
	out[pos + 1] = (uint8_t)(len >> 16);
	out[pos + 2] = (uint8_t)(len >> 8);
	out[pos + 3] = (uint8_t)len;
	memcpy(out + pos + 4, data, len);
	return pos + 4 + len;
}

static void put_u64be(uint8_t out[8], uint64_t v)
{
	for (int i = 7; i >= 0; i--) {
		out[i] = (uint8_t)v;
		v >>= 8;
	}
}

/* §4.3: ctx = item(pk) || item(u64(contest)) || item(u64(option)), or
 * item("sum") in place of the option for the sum proof. */
size_t vy_ballot_ctx(uint8_t out[VY_CTX_MAX_BYTES], const uint8_t pk[VY_ED25519_PK_BYTES], uint64_t contest,
		     uint64_t option)
{
	uint8_t be[8];
	size_t pos = 0;

	pos = put_item(out, pos, pk, VY_ED25519_PK_BYTES);
	put_u64be(be, contest);
	pos = put_item(out, pos, be, sizeof be);
	if (option == VY_CTX_OPTION_SUM)
		return put_item(out, pos, (const uint8_t *)VY_CTX_SUM, strlen(VY_CTX_SUM));
	put_u64be(be, option);
	return put_item(out, pos, be, sizeof be);
}

static void hash_bin(vy_hasher *h, const ProtobufCBinaryData *b)
{
	vy_hasher_item(h, b->data, b->len);
}

/* §4.4: u64(n_c), c..., u64(n_v), v... of a proof (a missing proof counts as empty). */
static void hash_proof(vy_hasher *h, const Vybar__Proof *p)
{
	size_t nc = p ? p->n_c : 0, nv = p ? p->n_v : 0;

	vy_hasher_u64(h, nc);
	for (size_t i = 0; i < nc; i++)
		hash_bin(h, &p->c[i]);
	vy_hasher_u64(h, nv);
	for (size_t i = 0; i < nv; i++)
		hash_bin(h, &p->v[i]);
}

/* §4.4: the ballot hash. */
void vy_ballot_hash(const vy_election *e, uint8_t out[VY_HASH_BYTES], const Vybar__Ballot *b)
{
	static const Vybar__Credential none = VYBAR__CREDENTIAL__INIT;
	const Vybar__Credential *cr = b->credential ? b->credential : &none;
	vy_hasher h;

	vy_hasher_init(&h, VY_TAG_BALLOT);
	vy_hasher_item(&h, e->base_hash, VY_HASH_BYTES);
	hash_bin(&h, &cr->public_key);
	hash_bin(&h, &cr->randomizer);
	hash_bin(&h, &cr->signature);
	vy_hasher_u64(&h, b->n_contests);
	for (size_t i = 0; i < b->n_contests; i++) {
		const Vybar__EncryptedContest *c = b->contests[i];

		vy_hasher_u64(&h, c->n_selections);
		for (size_t j = 0; j < c->n_selections; j++) {
			hash_bin(&h, &c->selections[j]->alpha);
			hash_bin(&h, &c->selections[j]->beta);
			hash_proof(&h, c->selections[j]->proof);
		}
		hash_proof(&h, c->sum_proof);
	}
	vy_hasher_final(&h, out);
}

/* §4.4: the ciphertext hash, over the base hash and every ciphertext of
 * the ballot and nothing else: the same for a ballot and for its audited
 * twin under a one-time key (§6), so the tracking code the client shows
 * before the voter chooses to cast or audit names both. */
void vy_ballot_ciphertexts_hash(const vy_election *e, uint8_t out[VY_HASH_BYTES], const Vybar__Ballot *b)
{
	vy_hasher h;

	vy_hasher_init(&h, VY_TAG_CIPHERTEXTS);
	vy_hasher_item(&h, e->base_hash, VY_HASH_BYTES);
	vy_hasher_u64(&h, b->n_contests);
	for (size_t i = 0; i < b->n_contests; i++) {
		const Vybar__EncryptedContest *c = b->contests[i];

		vy_hasher_u64(&h, c->n_selections);
		for (size_t j = 0; j < c->n_selections; j++) {
			hash_bin(&h, &c->selections[j]->alpha);
			hash_bin(&h, &c->selections[j]->beta);
		}
	}
	vy_hasher_final(&h, out);
}

void vy_ballot_tracking_code(const vy_election *e, char out[VY_TRACKING_CODE_BYTES], const Vybar__Ballot *b)
{
	uint8_t h[VY_HASH_BYTES];

	vy_ballot_ciphertexts_hash(e, h, b);
	vy_tracking_code(out, h);
}

/* §4.4: SHA-256 identifier hash of the ciphertext hash, first 80 bits as 16
 * base-32 characters, most significant bit first, in groups of four. */
void vy_tracking_code(char out[VY_TRACKING_CODE_BYTES], const uint8_t ciphertexts_hash[VY_HASH_BYTES])
{
	uint8_t d[VY_HASH_BYTES];
	vy_hasher h;
	size_t o = 0;

	vy_hasher_init(&h, VY_TAG_TRACKING);
	vy_hasher_item(&h, ciphertexts_hash, VY_HASH_BYTES);
	vy_hasher_final(&h, d);
	for (size_t i = 0; i < 16; i++) {
		size_t bit = 5 * i;
		unsigned v = ((unsigned)d[bit / 8] << 8 | d[bit / 8 + 1]) >> (11 - bit % 8);

		if (i > 0 && i % 4 == 0)
			out[o++] = '-';
		out[o++] = crockford[v & 31];
	}
	out[o] = '\0';
}

/* §4.5 step 2: the proof has n challenges and n responses, all scalars. */
static vy_rc decode_proof(const vy_group *g, vy_scalar *c, vy_scalar *v, size_t n, const Vybar__Proof *p,
			  const char *where, vy_reason *why)
{
	if (p == NULL || p->n_c != n || p->n_v != n)
		return vy_reason_set(why, VY_R_SHAPE, "%s: proof must have %zu challenges and %zu responses", where, n, n);
	for (size_t i = 0; i < n; i++) {
		if (vy_scalar_decode(g, &c[i], p->c[i].data, p->c[i].len) != VY_OK ||
		    vy_scalar_decode(g, &v[i], p->v[i].data, p->v[i].len) != VY_OK)
			return vy_reason_set(why, VY_R_SCALAR, "%s: proof scalar %zu is not a valid scalar", where, i);
	}
	return VY_R_OK;
}

/* §4.5 step 1: the credential's fields; for the ballot of an audited
 * ballot (§6 step 1), the one-time key and no registrar credential at all. */
static vy_rc check_credential(const vy_election *e, const Vybar__Credential *cr, int audited, vy_reason *why)
{
	if (cr == NULL)
		return vy_reason_set(why, VY_R_FIELD, "ballot credential missing");
	if (cr->public_key.len != VY_ED25519_PK_BYTES || !crypto_core_ed25519_is_valid_point(cr->public_key.data))
		return vy_reason_set(why, VY_R_KEY, "ballot credential public_key: not a valid Ed25519 key");
	if (audited && (cr->randomizer.len != 0 || cr->signature.len != 0))
		return vy_reason_check(why,
				       vy_reason_set(why, VY_R_FIELD,
						     "audited ballot: carries a registrar credential (randomizer %zu bytes, "
						     "signature %zu bytes); an audited ballot is made under a one-time key "
						     "and both must be empty",
						     cr->randomizer.len, cr->signature.len),
				       "V5.1");
	if (audited)
		return VY_R_OK;
	if (cr->randomizer.len != VY_RANDOMIZER_BYTES)
		return vy_reason_set(why, VY_R_FIELD, "ballot credential randomizer: %zu bytes, must be %d",
				     cr->randomizer.len, VY_RANDOMIZER_BYTES);
	if (cr->signature.len != e->manifest->registrar_key->modulus.len)
		return vy_reason_set(why, VY_R_FIELD, "ballot credential signature: %zu bytes, must be %zu",
				     cr->signature.len, e->manifest->registrar_key->modulus.len);
	return VY_R_OK;
}

/* §4.1: the registrar's RSABSSA-SHA384-PSS-Randomized signature over msg
 * (randomizer || credential message) is a plain RSASSA-PSS signature:
 * SHA-384, MGF1-SHA-384, 48-byte salt (crypto §9.7). */
vy_rc vy_registrar_verify(void *arg, const Vybar__RsaPublicKey *key, const uint8_t *msg, size_t msg_len,
			  const uint8_t *sig, size_t sig_len)
{
	vy_rsa_pk pk;

	(void)arg;
	if (key == NULL ||
	    vy_rsa_pk_import(&pk, key->modulus.data, key->modulus.len, key->exponent.data, key->exponent.len) != VY_OK)
		return VY_R_KEY;
	if (vy_blind_rsa_verify(&pk, sig, sig_len, msg, msg_len) != VY_OK)
		return VY_R_REGISTRAR_SIGNATURE;
	return VY_R_OK;
}

/* §4.5 step 4: the registrar's signature over randomizer || credential
 * message, by vy_registrar_verify unless the election overrides it. */
static vy_rc check_registrar(const vy_election *e, const Vybar__Credential *cr, vy_reason *why)
{
	uint8_t msg[VY_RANDOMIZER_BYTES + VY_HASH_BYTES];
	vy_registrar_verify_fn verify = e->registrar_verify != NULL ? e->registrar_verify : vy_registrar_verify;
	vy_rc rc;

	memcpy(msg, cr->randomizer.data, VY_RANDOMIZER_BYTES);
	vy_credential_message(e, msg + VY_RANDOMIZER_BYTES, cr->public_key.data);
	rc = verify(e->registrar_arg, e->manifest->registrar_key, msg, sizeof msg, cr->signature.data,
		    cr->signature.len);
	if (rc == VY_R_KEY)
		return vy_reason_set(why, VY_R_KEY,
				     "registrar_key: not an RSA key of %d..%d bits with an odd exponent >= 3 (crypto §9.1)",
				     VY_RSA_MIN_BITS, VY_RSA_MAX_BITS);
	if (rc != VY_R_OK)
		return vy_reason_set(why, VY_R_REGISTRAR_SIGNATURE,
				     "ballot credential signature: does not verify under registrar_key "
				     "(RSASSA-PSS SHA-384 over randomizer || credential message)");
	return VY_R_OK;
}

/* §4.5 steps 2 and 5 for one contest: encodings, then the 0/1 proofs and
 * the sum proof. With verify = 0 only the encodings are checked. */
static vy_rc check_contest(const vy_election *e, const Vybar__EncryptedContest *ec, size_t ci,
			   const uint8_t *pk, int verify, vy_reason *why)
{
	const vy_group *g = e->group;
	size_t n_sel, n_sum;
	uint64_t lo, hi;
	vy_ciphertext *cts = NULL;
	vy_scalar *sc = NULL, *sv = NULL, c[2], v[2];
	uint8_t ctx[VY_CTX_MAX_BYTES];
	char where[80];
	vy_proof_ctx pc;
	vy_rc rc = VY_R_OK;

	vy_contest_shape(e->manifest->contests[ci], &n_sel, &lo, &hi);
	n_sum = (size_t)(hi - lo + 1);
	if (ec->n_selections != n_sel)
		return vy_reason_set(why, VY_R_SHAPE, "ballot contest %zu: %zu selections, must be %zu", ci,
				     ec->n_selections, n_sel);
	cts = calloc(n_sel, sizeof *cts);
	sc = calloc(n_sum, sizeof *sc);
	sv = calloc(n_sum, sizeof *sv);
	if (cts == NULL || sc == NULL || sv == NULL) {
		rc = vy_reason_set(why, VY_R_NOMEM, "ballot contest %zu: out of memory", ci);
		goto out;
	}
	pc.group = g;
	memcpy(pc.base_hash, e->base_hash, VY_HASH_BYTES);
	pc.ctx = ctx;
	for (size_t j = 0; j < n_sel; j++) {
		const Vybar__EncryptedSelection *s = ec->selections[j];

		snprintf(where, sizeof where, "ballot contest %zu option %zu", ci, j);
		if (vy_ciphertext_decode(g, &cts[j], s->alpha.data, s->alpha.len, s->beta.data, s->beta.len) != VY_OK) {
			rc = vy_reason_set(why, VY_R_ELEMENT, "%s: ciphertext is not a pair of group elements", where);
			goto out;
		}
		rc = decode_proof(g, c, v, 2, s->proof, where, why);
		if (rc != VY_R_OK)
			goto out;
		if (!verify)
			continue;
		pc.ctx_len = vy_ballot_ctx(ctx, pk, ci, j);
		if (vy_range_verify(&pc, c, v, 2, &e->joint_key, &cts[j], 0, 1) != VY_OK) {
			rc = vy_reason_set(why, VY_R_PROOF, "%s: 0/1 proof does not verify", where);
			goto out;
		}
	}
	snprintf(where, sizeof where, "ballot contest %zu sum", ci);
	rc = decode_proof(g, sc, sv, n_sum, ec->sum_proof, where, why);
	if (rc != VY_R_OK || !verify)
		goto out;
	pc.ctx_len = vy_ballot_ctx(ctx, pk, ci, VY_CTX_OPTION_SUM);
	if (vy_sum_verify(&pc, sc, sv, n_sum, &e->joint_key, cts, n_sel, lo, hi) != VY_OK)
		rc = vy_reason_set(why, VY_R_SUM_PROOF, "%s: proof of %llu..%llu selections does not verify", where,
				   (unsigned long long)lo, (unsigned long long)hi);
out:
	free(cts);
	free(sc);
	free(sv);
	return rc;
}

/* §4.5, or with audited = 1 the ballot of an audited ballot (§6 step 1):
 * no registrar credential, so no step 4. */
static vy_rc ballot_rules(const vy_election *e, const Vybar__Ballot *b, int audited, vy_reason *why)
{
	uint8_t bh[VY_HASH_BYTES];
	const uint8_t *pk;
	vy_rc rc;

	if (e == NULL || b == NULL || e->manifest == NULL)
		return vy_reason_set(why, VY_R_ARG, "ballot: NULL argument");
	if (!e->have_joint_key)
		return vy_reason_set(why, VY_R_PHASE, "ballot: the election has no joint key yet");
	/* §4.5 step 1: credential fields. */
	rc = check_credential(e, b->credential, audited, why);
	if (rc != VY_R_OK)
		return vy_reason_check(why, rc, "V4.1");
	pk = b->credential->public_key.data;
	/* §4.5 step 2: shape and encodings of every contest. */
	if (b->n_contests != e->manifest->n_contests)
		return vy_reason_check(why,
				       vy_reason_set(why, VY_R_SHAPE, "ballot: %zu contests, the manifest has %zu",
						     b->n_contests, e->manifest->n_contests),
				       "V4.2");
	for (size_t i = 0; i < b->n_contests; i++) {
		rc = check_contest(e, b->contests[i], i, pk, 0, why);
		if (rc != VY_R_OK)
			return vy_reason_check(why, rc, "V4.2");
	}
	/* §4.5 step 3: the credential's signature over the ballot hash. */
	vy_ballot_hash(e, bh, b);
	if (b->signature.len != VY_ED25519_SIG_BYTES ||
	    crypto_sign_verify_detached(b->signature.data, bh, sizeof bh, pk) != 0)
		return vy_reason_check(why,
				       vy_reason_set(why, VY_R_BALLOT_SIGNATURE,
						     "ballot signature: does not verify under the credential"),
				       "V4.3");
	/* §4.5 step 4: the registrar's signature on the credential. */
	rc = audited ? VY_R_OK : check_registrar(e, b->credential, why);
	if (rc != VY_R_OK)
		return vy_reason_check(why, rc, "V4.4");
	/* §4.5 step 5: every proof. */
	for (size_t i = 0; i < b->n_contests; i++) {
		rc = check_contest(e, b->contests[i], i, pk, 1, why);
		if (rc != VY_R_OK)
			return vy_reason_check(why, rc,
					       rc == VY_R_SUM_PROOF ? "V4.6" : rc == VY_R_PROOF ? "V4.5" : "V4.2");
	}
	return VY_R_OK;
}

vy_rc vy_ballot_validate(const vy_election *e, const Vybar__Ballot *b, vy_reason *why)
{
	return ballot_rules(e, b, 0, why);
}

/* §6 step 2 for one contest: values are 0 or 1, within the sum range, and
 * re-encrypt (with the revealed randomness) to the ballot's ciphertexts. */
static vy_rc check_reveal(const vy_election *e, const Vybar__EncryptedContest *ec, const Vybar__RevealedContest *rc_,
			  size_t ci, vy_reason *why)
{
	size_t n_sel;
	uint64_t lo, hi, sum = 0;
	vy_ciphertext ct, re;
	vy_scalar r;
	vy_rc rc = VY_R_OK;

	vy_contest_shape(e->manifest->contests[ci], &n_sel, &lo, &hi);
	if (rc_ == NULL || rc_->n_selections != n_sel)
		return vy_reason_set(why, VY_R_SHAPE, "audited ballot contest %zu: must reveal %zu selections", ci, n_sel);
	for (size_t j = 0; j < n_sel; j++) {
		const Vybar__RevealedSelection *s = rc_->selections[j];

		if (s->value > 1) {
			rc = vy_reason_set(why, VY_R_REVEAL, "audited ballot contest %zu option %zu: value %u is not 0 or 1",
					   ci, j, s->value);
			goto out;
		}
		if (vy_scalar_decode(e->group, &r, s->randomness.data, s->randomness.len) != VY_OK) {
			rc = vy_reason_set(why, VY_R_SCALAR, "audited ballot contest %zu option %zu: randomness is not a scalar",
					   ci, j);
			goto out;
		}
		if (vy_ciphertext_decode(e->group, &ct, ec->selections[j]->alpha.data, ec->selections[j]->alpha.len,
					 ec->selections[j]->beta.data, ec->selections[j]->beta.len) != VY_OK) {
			rc = vy_reason_set(why, VY_R_ELEMENT, "audited ballot contest %zu option %zu: bad ciphertext", ci, j);
			goto out;
		}
		vy_elgamal_encrypt(e->group, &re, &e->joint_key, s->value, &r);
		if (!vy_elem_eq(e->group, &re.alpha, &ct.alpha) || !vy_elem_eq(e->group, &re.beta, &ct.beta)) {
			rc = vy_reason_set(why, VY_R_REVEAL,
					   "audited ballot contest %zu option %zu: value and randomness do not re-encrypt "
					   "to the ciphertext", ci, j);
			goto out;
		}
		sum += s->value;
	}
	if (sum < lo || sum > hi) {
		rc = vy_reason_set(why, VY_R_REVEAL, "audited ballot contest %zu: %llu selections, allowed %llu..%llu", ci,
				   (unsigned long long)sum, (unsigned long long)lo, (unsigned long long)hi);
		vy_reason_check(why, rc, "V5.3");
	}
out:
	vy_wipe(&r, sizeof r);
	return vy_reason_check(why, rc, "V5.2");
}

vy_rc vy_audited_ballot_check(const vy_election *e, const Vybar__AuditedBallot *a, vy_reason *why)
{
	vy_rc rc;

	if (e == NULL || a == NULL)
		return vy_reason_set(why, VY_R_ARG, "audited ballot: NULL argument");
	if (a->ballot == NULL)
		return vy_reason_set(why, VY_R_FIELD, "audited ballot: ballot missing");
	/* §6 step 1: the ballot is valid, under its one-time key. */
	rc = ballot_rules(e, a->ballot, 1, why);
	if (rc != VY_R_OK)
		return rc;
	/* §6 step 2: the reveals. */
	if (a->n_contests != a->ballot->n_contests)
		return vy_reason_check(why,
				       vy_reason_set(why, VY_R_SHAPE, "audited ballot: %zu revealed contests, the ballot has %zu",
						     a->n_contests, a->ballot->n_contests),
				       "V5.2");
	for (size_t i = 0; i < a->n_contests; i++) {
		rc = check_reveal(e, a->ballot->contests[i], a->contests[i], i, why);
		if (rc != VY_R_OK)
			return rc;
	}
	return VY_R_OK;
}
