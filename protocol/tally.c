/*
 * The tally stage (specs/protocol.md §10, §8.9-§8.11; verification.md V7):
 *
 *   §10.1 ENCRYPTED_TALLY     per selection j: prod over counted ballots of
 *                             their ciphertext j; ballots_counted
 *   §10.2 PARTIAL_DECRYPTION  trustee i: M_{i,j} = alpha_j^{s_i} with a
 *                             Chaum-Pedersen proof against vk_i
 *   §10.3 RESULT              g^{count_j} = beta_j / prod_{i in U} M_{i,j}^{lambda_i(U)};
 *                             party lists: seats and elected candidates
 *
 * Selections are numbered over the whole manifest: the options (or lists)
 * of contest 0, then of contest 1, and so on.
 */
#include <stdlib.h>
#include <string.h>

#include "crypto/vy_dlog.h"
#include "crypto/vy_proof.h"
#include "crypto/vy_shamir.h"
#include "protocol/record_impl.h"
#include "protocol/vy_seats.h"
#include "protocol/vy_tally.h"

#define ITEM_LEN_BYTES 4
#define U64_BYTES 8

size_t vy_manifest_selections(const Vybar__Manifest *m)
{
	size_t total = 0, n;
	uint64_t lo, hi;

	for (size_t c = 0; c < m->n_contests; c++) {
		vy_contest_shape(m->contests[c], &n, &lo, &hi);
		total += n;
	}
	return total;
}

/* Selections of contest c. */
static size_t contest_sel(const vy_record_state *st, size_t c)
{
	size_t n;
	uint64_t lo, hi;

	vy_contest_shape(st->manifest->contests[c], &n, &lo, &hi);
	return n;
}

static size_t elem_bytes(const vy_record_state *st)
{
	return vy_group_elem_bytes(st->election.group);
}

vy_rc vy_tally_init(vy_record_state *st, vy_reason *why)
{
	st->n_sel = vy_manifest_selections(st->manifest);
	st->tally = calloc(st->n_sel, sizeof *st->tally);
	if (st->tally == NULL)
		return vy_reason_set(why, VY_R_NOMEM, "tally: out of memory");
	for (size_t j = 0; j < st->n_sel; j++)
		vy_elgamal_zero(st->election.group, &st->tally[j]);
	return VY_R_OK;
}

void vy_tally_free(vy_record_state *st)
{
	free(st->tally);
	st->tally = NULL;
	for (size_t i = 0; i < VY_MAX_TRUSTEES; i++) {
		free(st->trustees[i].dec_shares);
		st->trustees[i].dec_shares = NULL;
	}
}

vy_rc vy_tally_ballot_cts(const vy_record_state *st, const Vybar__Ballot *b, uint8_t *out, vy_reason *why)
{
	size_t eb = elem_bytes(st), j = 0;

	for (size_t c = 0; c < b->n_contests; c++)
		for (size_t k = 0; k < b->contests[c]->n_selections; k++, j++) {
			const Vybar__EncryptedSelection *s = b->contests[c]->selections[k];

			if (j >= st->n_sel || s->alpha.len != eb || s->beta.len != eb)
				return vy_reason_set(why, VY_R_ELEMENT, "ballot contest %zu option %zu: invalid ciphertext",
						     c, k);
		}
	if (j != st->n_sel)
		return vy_reason_set(why, VY_R_SHAPE, "ballot: %zu selections, the manifest has %zu", j, st->n_sel);
	j = 0;
	for (size_t c = 0; out != NULL && c < b->n_contests; c++)
		for (size_t k = 0; k < b->contests[c]->n_selections; k++, j++) {
			memcpy(out + 2 * eb * j, b->contests[c]->selections[k]->alpha.data, eb);
			memcpy(out + 2 * eb * j + eb, b->contests[c]->selections[k]->beta.data, eb);
		}
	return VY_R_OK;
}

/* §10.1: the running product gains b's ciphertexts and loses those of the
 * credential's previous ballot. Everything is computed in upd first, so
 * nothing changes on failure. */
vy_rc vy_tally_count_ballot(vy_record_state *st, const Vybar__Ballot *b, const uint8_t *prev, uint8_t *slot,
			    vy_reason *why)
{
	const vy_group *g = st->election.group;
	size_t eb = elem_bytes(st), j = 0;
	vy_ciphertext *upd, ct;
	vy_rc rc = VY_R_OK;

	/* Under a restart checkpoint: the credential's stored ciphertexts (if
	 * kept) become b's, checked for shape only; the running product is the
	 * checkpoint's, set after. */
	if (st->tally_deferred)
		return vy_tally_ballot_cts(st, b, slot, why);
	upd = calloc(st->n_sel, sizeof *upd);
	if (upd == NULL)
		return vy_reason_set(why, VY_R_NOMEM, "ballot: out of memory");
	for (size_t c = 0; c < b->n_contests && rc == VY_R_OK; c++) {
		for (size_t k = 0; k < b->contests[c]->n_selections; k++, j++) {
			const Vybar__EncryptedSelection *s = b->contests[c]->selections[k];

			if (j >= st->n_sel ||
			    vy_ciphertext_decode(g, &ct, s->alpha.data, s->alpha.len, s->beta.data, s->beta.len) != VY_OK) {
				rc = vy_reason_set(why, VY_R_ELEMENT, "ballot contest %zu option %zu: invalid ciphertext", c, k);
				break;
			}
			vy_elgamal_add(g, &upd[j], &st->tally[j], &ct);
			if (prev == NULL)
				continue;
			if (vy_ciphertext_decode(g, &ct, prev + 2 * eb * j, eb, prev + 2 * eb * j + eb, eb) != VY_OK) {
				rc = vy_reason_set(why, VY_R_ELEMENT, "ballot: stored ciphertext %zu does not decode", j);
				break;
			}
			vy_elem_div_public(g, &upd[j].alpha, &upd[j].alpha, &ct.alpha);
			vy_elem_div_public(g, &upd[j].beta, &upd[j].beta, &ct.beta);
		}
	}
	if (rc == VY_R_OK && j != st->n_sel)
		rc = vy_reason_set(why, VY_R_SHAPE, "ballot: %zu selections, the manifest has %zu", j, st->n_sel);
	if (rc == VY_R_OK) {
		memcpy(st->tally, upd, st->n_sel * sizeof *upd);
		j = 0;
		for (size_t c = 0; slot != NULL && c < b->n_contests; c++)
			for (size_t k = 0; k < b->contests[c]->n_selections; k++, j++) {
				memcpy(slot + 2 * eb * j, b->contests[c]->selections[k]->alpha.data, eb);
				memcpy(slot + 2 * eb * j + eb, b->contests[c]->selections[k]->beta.data, eb);
			}
	}
	free(upd);
	return rc;
}

/* Phase check of the tally stage: CLOSED, and (need_tally) after the
 * encrypted tally and, when the manifest names witnesses, after the
 * WITNESSED entry that k of them cosigned (§8.13). */
static vy_rc tally_phase(const vy_record_state *st, const char *what, int need_tally, vy_reason *why)
{
	vy_rc rc = VY_R_OK;

	if (st->phase != VY_PHASE_CLOSED)
		rc = vy_reason_set(why, VY_R_PHASE, "%s: only after the election closed and before the result", what);
	else if (need_tally && !st->have_tally)
		rc = vy_reason_set(why, VY_R_PHASE, "%s: only after the encrypted tally", what);
	else if (need_tally && st->manifest->n_witnesses > 0 && !st->have_witnessed)
		rc = vy_reason_set(why, VY_R_PHASE,
				   "%s: only after the WITNESSED entry (the tally cosigned by %u witnesses)", what,
				   st->manifest->witness_threshold);
	return vy_reason_check(why, rc, "V1.7");
}

/* ---- §8.9 / §10.1 ENCRYPTED_TALLY ---- */

/* The tally's shape: one TallyContest per contest, one Ciphertext per selection. */
static vy_rc check_tally_shape(const vy_record_state *st, const Vybar__EncryptedTally *t, vy_reason *why)
{
	if (t->n_contests != st->manifest->n_contests)
		return vy_reason_set(why, VY_R_SHAPE, "encrypted tally: %zu contests, the manifest has %zu", t->n_contests,
				     st->manifest->n_contests);
	for (size_t c = 0; c < t->n_contests; c++)
		if (t->contests[c]->n_options != contest_sel(st, c))
			return vy_reason_set(why, VY_R_SHAPE, "encrypted tally contest %zu: %zu ciphertexts, must be %zu", c,
					     t->contests[c]->n_options, contest_sel(st, c));
	return VY_R_OK;
}

vy_rc vy_validate_encrypted_tally(const vy_record_state *st, const uint8_t *p, size_t n, vy_reason *why)
{
	const vy_group *g;
	Vybar__EncryptedTally *t = NULL;
	vy_ciphertext ct;
	size_t j = 0;
	vy_rc rc;

	rc = tally_phase(st, "encrypted tally", 0, why);
	if (rc == VY_R_OK && st->have_tally)
		rc = vy_reason_set(why, VY_R_DUPLICATE, "encrypted tally: the record already holds one");
	if (rc == VY_R_OK)
		rc = vy_decode_message((ProtobufCMessage **)&t, &vybar__encrypted_tally__descriptor, VY_MAX_MESSAGE_BYTES, p,
				       n, why);
	if (rc == VY_R_OK)
		rc = check_tally_shape(st, t, why);
	if (rc == VY_R_OK && t->ballots_counted != st->cred_count)
		rc = vy_reason_set(why, VY_R_FIELD, "encrypted tally: ballots_counted %llu, the record counts %llu",
				   (unsigned long long)t->ballots_counted, (unsigned long long)st->cred_count);
	g = st->election.group;
	for (size_t c = 0; rc == VY_R_OK && c < t->n_contests; c++)
		for (size_t k = 0; rc == VY_R_OK && k < t->contests[c]->n_options; k++, j++) {
			const Vybar__Ciphertext *x = t->contests[c]->options[k];

			if (vy_ciphertext_decode(g, &ct, x->alpha.data, x->alpha.len, x->beta.data, x->beta.len) != VY_OK)
				rc = vy_reason_set(why, VY_R_ELEMENT, "encrypted tally contest %zu option %zu: invalid ciphertext",
						   c, k);
			else if (!vy_elem_eq(g, &ct.alpha, &st->tally[j].alpha) || !vy_elem_eq(g, &ct.beta, &st->tally[j].beta))
				rc = vy_reason_set(why, VY_R_FIELD,
						   "encrypted tally contest %zu option %zu: not the product of the counted ballots",
						   c, k);
		}
	vy_msg_free(t);
	return vy_reason_check(why, rc, "V7.1");
}

/* Encoded bytes of an element into a malloc'd binary field. */
static int put_elem(const vy_group *g, ProtobufCBinaryData *b, const vy_elem *x)
{
	b->len = vy_group_elem_bytes(g);
	b->data = malloc(b->len);
	if (b->data == NULL)
		return 0;
	vy_elem_encode(g, b->data, x);
	return 1;
}

/* Free an EncryptedTally built by vy_tally_encrypted. */
static void free_built_tally(Vybar__EncryptedTally *t)
{
	for (size_t c = 0; c < t->n_contests; c++) {
		if (t->contests[c] == NULL)
			continue;
		for (size_t k = 0; k < t->contests[c]->n_options; k++) {
			if (t->contests[c]->options[k] == NULL)
				continue;
			free(t->contests[c]->options[k]->alpha.data);
			free(t->contests[c]->options[k]->beta.data);
			free(t->contests[c]->options[k]);
		}
		free(t->contests[c]->options);
		free(t->contests[c]);
	}
	free(t->contests);
}

/* Fill contest c of the tally message from st->tally starting at *j. */
static int build_tally_contest(const vy_record_state *st, Vybar__TallyContest **out, size_t c, size_t *j)
{
	const vy_group *g = st->election.group;
	Vybar__TallyContest *tc = calloc(1, sizeof *tc);
	size_t n = contest_sel(st, c);

	*out = tc;
	if (tc == NULL)
		return 0;
	vybar__tally_contest__init(tc);
	tc->options = calloc(n, sizeof *tc->options);
	if (tc->options == NULL)
		return 0;
	tc->n_options = n;
	for (size_t k = 0; k < n; k++, (*j)++) {
		Vybar__Ciphertext *x = calloc(1, sizeof *x);

		tc->options[k] = x;
		if (x == NULL)
			return 0;
		vybar__ciphertext__init(x);
		if (!put_elem(g, &x->alpha, &st->tally[*j].alpha) || !put_elem(g, &x->beta, &st->tally[*j].beta))
			return 0;
	}
	return 1;
}

vy_rc vy_tally_encrypted(const vy_record_state *st, uint8_t **out, size_t *len, vy_reason *why)
{
	Vybar__EncryptedTally t = VYBAR__ENCRYPTED_TALLY__INIT;
	size_t j = 0;
	int ok;
	vy_rc rc;

	*out = NULL;
	rc = tally_phase(st, "encrypted tally", 0, why);
	if (rc != VY_R_OK)
		return rc;
	t.n_contests = st->manifest->n_contests;
	t.contests = calloc(t.n_contests, sizeof *t.contests);
	t.ballots_counted = st->cred_count;
	ok = t.contests != NULL;
	for (size_t c = 0; ok && c < t.n_contests; c++)
		ok = build_tally_contest(st, &t.contests[c], c, &j);
	if (ok)
		*out = vy_msg_pack(&t, len);
	free_built_tally(&t);
	if (*out == NULL)
		return vy_reason_set(why, VY_R_NOMEM, "encrypted tally: out of memory");
	return VY_R_OK;
}

/* ---- §8.10 / §10.2 PARTIAL_DECRYPTION ---- */

/* Append item(data) at out + pos; returns the new position. */
static size_t put_item(uint8_t *out, size_t pos, const uint8_t *data, size_t len)
{
	for (int i = ITEM_LEN_BYTES - 1; i >= 0; i--)
		out[pos++] = (uint8_t)(len >> (8 * i));
	memcpy(out + pos, data, len);
	return pos + len;
}

/* Append item(u64(v)). */
static size_t put_u64(uint8_t *out, size_t pos, uint64_t v)
{
	uint8_t b[U64_BYTES];

	for (int i = 0; i < U64_BYTES; i++)
		b[i] = (uint8_t)(v >> (8 * (U64_BYTES - 1 - i)));
	return put_item(out, pos, b, sizeof b);
}

size_t vy_decryption_ctx(uint8_t out[VY_CTX_MAX_BYTES], uint32_t index, uint64_t contest, uint64_t option)
{
	size_t pos;

	pos = put_item(out, 0, (const uint8_t *)VY_CTX_TALLY, strlen(VY_CTX_TALLY));
	pos = put_u64(out, pos, index);
	pos = put_u64(out, pos, contest);
	return put_u64(out, pos, option);
}

/* A proof context for the election. */
static void proof_ctx(const vy_record_state *st, vy_proof_ctx *pc, uint8_t *ctx)
{
	pc->group = st->election.group;
	memcpy(pc->base_hash, st->election.base_hash, VY_HASH_BYTES);
	pc->ctx = ctx;
	pc->ctx_len = 0;
}

/* §10.2: one decryption share and its proof, of selection j (contest c,
 * option k), by trustee idx. */
static vy_rc check_share(const vy_record_state *st, uint32_t idx, size_t c, size_t k, size_t j,
			 const Vybar__DecryptionShare *d, vy_reason *why)
{
	const vy_group *g = st->election.group;
	uint8_t ctx[VY_CTX_MAX_BYTES];
	vy_proof_ctx pc;
	vy_cp_proof pr;
	vy_elem m, gen;

	if (vy_elem_decode(g, &m, d->share.data, d->share.len) != VY_OK)
		return vy_reason_set(why, VY_R_ELEMENT, "partial decryption: trustee %u contest %zu option %zu: invalid share",
				     idx, c, k);
	if (d->proof == NULL || vy_scalar_decode(g, &pr.c, d->proof->c.data, d->proof->c.len) != VY_OK ||
	    vy_scalar_decode(g, &pr.v, d->proof->v.data, d->proof->v.len) != VY_OK)
		return vy_reason_set(why, VY_R_SCALAR,
				     "partial decryption: trustee %u contest %zu option %zu: invalid proof scalar", idx, c, k);
	proof_ctx(st, &pc, ctx);
	pc.ctx_len = vy_decryption_ctx(ctx, idx, c, k);
	vy_elem_generator(g, &gen);
	if (vy_cp_verify(&pc, &pr, &gen, &st->trustees[idx - 1].vk, &st->tally[j].alpha, &m) != VY_OK)
		return vy_reason_set(why, VY_R_PROOF,
				     "partial decryption: trustee %u contest %zu option %zu: proof does not verify", idx, c,
				     k);
	return VY_R_OK;
}

/* §10.2: the body of a partial decryption by trustee idx. */
static vy_rc check_partial(const vy_record_state *st, uint32_t idx, const Vybar__PartialDecryption *pd,
			   vy_reason *why)
{
	size_t j = 0;
	vy_rc rc = VY_R_OK;

	if (pd->trustee_index != idx)
		return vy_reason_check(why,
				       vy_reason_set(why, VY_R_TRUSTEE, "partial decryption: body names trustee %u, signed by %u",
						     pd->trustee_index, idx),
				       "V3.1");
	if (!st->trustees[idx - 1].qualified)
		return vy_reason_set(why, VY_R_TRUSTEE, "partial decryption: trustee %u is not qualified", idx);
	if (st->trustees[idx - 1].decrypted)
		return vy_reason_set(why, VY_R_DUPLICATE, "partial decryption: trustee %u has already decrypted", idx);
	if (pd->n_contests != st->manifest->n_contests)
		return vy_reason_set(why, VY_R_SHAPE, "partial decryption: trustee %u: %zu contests, must be %zu", idx,
				     pd->n_contests, st->manifest->n_contests);
	for (size_t c = 0; c < pd->n_contests; c++)
		if (pd->contests[c]->n_options != contest_sel(st, c))
			return vy_reason_set(why, VY_R_SHAPE, "partial decryption: trustee %u contest %zu: %zu shares, must be %zu",
					     idx, c, pd->contests[c]->n_options, contest_sel(st, c));
	for (size_t c = 0; c < pd->n_contests && rc == VY_R_OK; c++)
		for (size_t k = 0; k < pd->contests[c]->n_options && rc == VY_R_OK; k++, j++)
			rc = check_share(st, idx, c, k, j, pd->contests[c]->options[k], why);
	return rc;
}

vy_rc vy_validate_partial_decryption(const vy_record_state *st, const uint8_t *p, size_t n, vy_reason *why)
{
	Vybar__PartialDecryption *pd = NULL;
	uint32_t idx = 0;
	vy_rc rc;

	rc = tally_phase(st, "partial decryption", 0, why);
	if (rc == VY_R_OK)
		rc = vy_open_signed(st, VY_PHASE_CLOSED, VYBAR__ENTRY_TYPE__ENTRY_TYPE_PARTIAL_DECRYPTION,
				    &vybar__partial_decryption__descriptor, p, n, &idx, (ProtobufCMessage **)&pd, why);
	if (rc == VY_R_OK)
		rc = tally_phase(st, "partial decryption", 1, why);
	if (rc == VY_R_OK)
		rc = check_partial(st, idx, pd, why);
	vy_msg_free(pd);
	return vy_reason_check(why, rc, "V7.2");
}

/* Free a PartialDecryption built by vy_partial_decrypt. */
static void free_built_partial(Vybar__PartialDecryption *pd)
{
	for (size_t c = 0; c < pd->n_contests; c++) {
		Vybar__PartialDecryptionContest *pc = pd->contests[c];

		if (pc == NULL)
			continue;
		for (size_t k = 0; k < pc->n_options; k++) {
			if (pc->options[k] == NULL)
				continue;
			free(pc->options[k]->share.data);
			if (pc->options[k]->proof != NULL) {
				free(pc->options[k]->proof->c.data);
				free(pc->options[k]->proof->v.data);
				free(pc->options[k]->proof);
			}
			free(pc->options[k]);
		}
		free(pc->options);
		free(pc);
	}
	free(pd->contests);
}

/* One share M = alpha^s of selection j (contest c, option k) with its proof. */
static vy_rc make_share(const vy_record_state *st, uint32_t idx, const vy_scalar *s, size_t c, size_t k, size_t j,
			Vybar__DecryptionShare **out, vy_reason *why)
{
	const vy_group *g = st->election.group;
	Vybar__DecryptionShare *d = calloc(1, sizeof *d);
	Vybar__ChallengeResponse *cr = calloc(1, sizeof *cr);
	uint8_t ctx[VY_CTX_MAX_BYTES];
	vy_proof_ctx pc;
	vy_cp_proof pr;
	vy_elem m, gen;

	*out = d;
	if (d == NULL || cr == NULL) {
		free(cr);
		return vy_reason_set(why, VY_R_NOMEM, "partial decryption: out of memory");
	}
	vybar__decryption_share__init(d);
	vybar__challenge_response__init(cr);
	d->proof = cr;
	vy_elem_exp(g, &m, &st->tally[j].alpha, s);
	proof_ctx(st, &pc, ctx);
	pc.ctx_len = vy_decryption_ctx(ctx, idx, c, k);
	vy_elem_generator(g, &gen);
	if (vy_cp_prove(&pc, &pr, &gen, &st->trustees[idx - 1].vk, &st->tally[j].alpha, &m, s) != VY_OK)
		return vy_reason_set(why, VY_R_PROOF, "partial decryption: proof failed");
	cr->c.data = malloc(VY_SCALAR_BYTES);
	cr->v.data = malloc(VY_SCALAR_BYTES);
	if (cr->c.data == NULL || cr->v.data == NULL || !put_elem(g, &d->share, &m))
		return vy_reason_set(why, VY_R_NOMEM, "partial decryption: out of memory");
	cr->c.len = cr->v.len = VY_SCALAR_BYTES;
	vy_scalar_encode(g, cr->c.data, &pr.c);
	vy_scalar_encode(g, cr->v.data, &pr.v);
	return VY_R_OK;
}

/* The contests of the partial decryption of trustee idx. */
static vy_rc make_partial(const vy_record_state *st, uint32_t idx, const vy_scalar *s, Vybar__PartialDecryption *pd,
			  vy_reason *why)
{
	size_t j = 0;
	vy_rc rc = VY_R_OK;

	pd->contests = calloc(st->manifest->n_contests, sizeof *pd->contests);
	if (pd->contests == NULL)
		return vy_reason_set(why, VY_R_NOMEM, "partial decryption: out of memory");
	pd->n_contests = st->manifest->n_contests;
	for (size_t c = 0; c < pd->n_contests && rc == VY_R_OK; c++) {
		Vybar__PartialDecryptionContest *pc = calloc(1, sizeof *pc);
		size_t n = contest_sel(st, c);

		pd->contests[c] = pc;
		if (pc == NULL)
			return vy_reason_set(why, VY_R_NOMEM, "partial decryption: out of memory");
		vybar__partial_decryption_contest__init(pc);
		pc->options = calloc(n, sizeof *pc->options);
		if (pc->options == NULL)
			return vy_reason_set(why, VY_R_NOMEM, "partial decryption: out of memory");
		pc->n_options = n;
		for (size_t k = 0; k < n && rc == VY_R_OK; k++, j++)
			rc = make_share(st, idx, s, c, k, j, &pc->options[k], why);
	}
	return rc;
}

vy_rc vy_partial_decrypt(const vy_record_state *st, uint32_t index, const vy_scalar *s, uint8_t **out, size_t *len,
			 vy_reason *why)
{
	Vybar__PartialDecryption pd = VYBAR__PARTIAL_DECRYPTION__INIT;
	vy_elem check;
	vy_rc rc;

	*out = NULL;
	rc = tally_phase(st, "partial decryption", 1, why);
	if (rc != VY_R_OK)
		return rc;
	if (index < 1 || index > st->manifest->trustee_count || !st->trustees[index - 1].qualified)
		return vy_reason_set(why, VY_R_TRUSTEE, "partial decryption: trustee %u is not qualified", index);
	vy_elem_exp_base(st->election.group, &check, s);
	if (!vy_elem_eq(st->election.group, &check, &st->trustees[index - 1].vk))
		return vy_reason_set(why, VY_R_COMMITMENT, "partial decryption: g^s is not trustee %u's verification key",
				     index);
	pd.trustee_index = index;
	rc = make_partial(st, index, s, &pd, why);
	if (rc == VY_R_OK) {
		*out = vy_msg_pack(&pd, len);
		if (*out == NULL)
			rc = vy_reason_set(why, VY_R_NOMEM, "partial decryption: out of memory");
	}
	free_built_partial(&pd);
	return rc;
}

/* ---- §8.11 / §10.3 RESULT ---- */

/* §10.3 trustees_used: strictly ascending trustee indices, each with a
 * partial decryption on the record, at least t of them. */
static vy_rc check_used(const vy_record_state *st, const uint32_t *used, size_t n_used, vy_reason *why)
{
	for (size_t i = 0; i < n_used; i++) {
		uint32_t u = used[i];

		if (u < 1 || u > st->manifest->trustee_count)
			return vy_reason_set(why, VY_R_TRUSTEE, "result: trustees_used[%zu] = %u is not a trustee 1..%u", i, u,
					     st->manifest->trustee_count);
		if (i > 0 && u == used[i - 1])
			return vy_reason_set(why, VY_R_DUPLICATE, "result: trustee %u is used twice", u);
		if (i > 0 && u < used[i - 1])
			return vy_reason_set(why, VY_R_FIELD, "result: trustees_used is not in ascending order");
		if (!st->trustees[u - 1].decrypted)
			return vy_reason_set(why, VY_R_TRUSTEE, "result: trustee %u has no partial decryption on the record",
					     u);
	}
	if (n_used < st->manifest->threshold)
		return vy_reason_set(why, VY_R_TRUSTEES, "result: %zu trustees used, the threshold is %u", n_used,
				     st->manifest->threshold);
	return VY_R_OK;
}

/* Lagrange coefficients at 0 over the used set (crypto §6). */
static vy_rc lagrange_all(const vy_record_state *st, vy_scalar *lambda, const uint32_t *used, size_t n_used,
			  vy_reason *why)
{
	for (size_t i = 0; i < n_used; i++)
		if (vy_lagrange_at_zero(st->election.group, &lambda[i], used, n_used, i) != VY_OK)
			return vy_reason_set(why, VY_R_TRUSTEE, "result: invalid set of trustees");
	return VY_R_OK;
}

/* §10.3: gm = beta_j / prod_{i in used} M_{i,j}^{lambda_i}. */
static vy_rc decrypt_selection(const vy_record_state *st, vy_elem *gm, const uint32_t *used, const vy_scalar *lambda,
			       size_t n_used, size_t j, vy_reason *why)
{
	const vy_group *g = st->election.group;
	size_t eb = elem_bytes(st);
	vy_elem d, m;

	vy_elem_identity(g, &d);
	for (size_t i = 0; i < n_used; i++) {
		if (vy_elem_decode(g, &m, st->trustees[used[i] - 1].dec_shares + eb * j, eb) != VY_OK)
			return vy_reason_set(why, VY_R_ELEMENT, "result: stored share of trustee %u does not decode", used[i]);
		vy_elem_exp(g, &m, &m, &lambda[i]);
		vy_elem_mul_public(g, &d, &d, &m); /* published shares: public */
	}
	vy_elem_div_public(g, gm, &st->tally[j].beta, &d);
	return VY_R_OK;
}

/* The seats of a party-list contest from its per-list votes (§11), with the
 * ELECTION_OPEN entry's hash as tie seed (§11.1: fixed before any ballot),
 * and why none was allocated (§11.2; NONE when some were). */
static vy_rc list_seats(const vy_record_state *st, const Vybar__Contest *c, const uint64_t *votes, uint64_t *seats,
			Vybar__NoSeatsReason *no_seats, vy_reason *why)
{
	const Vybar__PartyListContest *pl = c->party_list;
	size_t *ncand = calloc(pl->n_lists, sizeof *ncand);
	vy_seat_list *lists = calloc(pl->n_lists, sizeof *lists);
	vy_seat_table table;
	vy_seat_input in;
	vy_rc rc;

	*no_seats = VYBAR__NO_SEATS_REASON__NO_SEATS_REASON_NONE;
	if (ncand == NULL || lists == NULL) {
		free(ncand);
		free(lists);
		return vy_reason_set(why, VY_R_NOMEM, "result: out of memory");
	}
	for (size_t l = 0; l < pl->n_lists; l++)
		ncand[l] = pl->lists[l]->n_candidates;
	memset(&in, 0, sizeof in);
	in.n_lists = pl->n_lists;
	in.votes = votes;
	in.n_candidates = ncand;
	in.seats = pl->seats;
	in.threshold_bp = pl->threshold_basis_points;
	in.method = pl->seat_method;
	memcpy(in.tie_seed, st->open_hash, VY_HASH_BYTES);
	rc = vy_seats_compute(&table, lists, &in, why);
	for (size_t l = 0; l < pl->n_lists; l++)
		seats[l] = lists[l].seats;
	*no_seats = table.no_seats;
	free(ncand);
	free(lists);
	return rc;
}

/* §10.3 shape: one ContestResult per contest, one count per selection,
 * one ListResult per list for party lists and none otherwise. */
static vy_rc check_result_shape(const vy_record_state *st, const Vybar__Result *r, vy_reason *why)
{
	if (r->n_contests != st->manifest->n_contests)
		return vy_reason_set(why, VY_R_SHAPE, "result: %zu contests, the manifest has %zu", r->n_contests,
				     st->manifest->n_contests);
	for (size_t c = 0; c < r->n_contests; c++) {
		const Vybar__Contest *mc = st->manifest->contests[c];
		size_t lists = mc->kind == VYBAR__CONTEST_KIND__CONTEST_KIND_PARTY_LIST ? mc->party_list->n_lists : 0;

		if (r->contests[c]->n_counts != contest_sel(st, c))
			return vy_reason_set(why, VY_R_SHAPE, "result contest %zu: %zu counts, must be %zu", c,
					     r->contests[c]->n_counts, contest_sel(st, c));
		if (r->contests[c]->n_lists != lists)
			return vy_reason_set(why, VY_R_SHAPE, "result contest %zu: %zu list results, must be %zu", c,
					     r->contests[c]->n_lists, lists);
		if (lists == 0 && r->contests[c]->no_seats_reason != VYBAR__NO_SEATS_REASON__NO_SEATS_REASON_NONE)
			return vy_reason_set(why, VY_R_SHAPE, "result contest %zu: no_seats_reason on a contest without lists",
					     c);
	}
	return VY_R_OK;
}

/* §10.3: every count decrypts: count <= ballots_counted and g^count = beta / D. */
static vy_rc check_counts(const vy_record_state *st, const Vybar__Result *r, const vy_scalar *lambda,
			  vy_reason *why)
{
	const vy_group *g = st->election.group;
	vy_elem gm, gc;
	vy_scalar sc;
	size_t j = 0;
	vy_rc rc;

	for (size_t c = 0; c < r->n_contests; c++)
		for (size_t k = 0; k < r->contests[c]->n_counts; k++, j++) {
			uint64_t count = r->contests[c]->counts[k];

			rc = decrypt_selection(st, &gm, r->trustees_used, lambda, r->n_trustees_used, j, why);
			if (rc != VY_R_OK)
				return rc;
			vy_scalar_from_u64(g, &sc, count);
			vy_elem_exp_base(g, &gc, &sc);
			if (count > st->cred_count || !vy_elem_eq(g, &gc, &gm))
				return vy_reason_set(why, VY_R_FIELD,
						     "result contest %zu option %zu: count %llu is not the decrypted tally", c, k,
						     (unsigned long long)count);
		}
	return VY_R_OK;
}

/* §10.3 (V7.4, V7.5): one party-list contest: votes = counts, seats as
 * allocated, elected = the first `seats` candidate positions of each list;
 * then no_seats_reason as allocated (§11.2). */
static vy_rc check_lists(const vy_record_state *st, size_t c, const Vybar__ContestResult *cr, vy_reason *why)
{
	uint64_t *seats = calloc(cr->n_lists, sizeof *seats);
	Vybar__NoSeatsReason no_seats;
	vy_rc rc;

	if (seats == NULL)
		return vy_reason_set(why, VY_R_NOMEM, "result: out of memory");
	rc = list_seats(st, st->manifest->contests[c], cr->counts, seats, &no_seats, why);
	for (size_t l = 0; l < cr->n_lists && rc == VY_R_OK; l++) {
		const Vybar__ListResult *lr = cr->lists[l];

		if (lr->votes != cr->counts[l])
			rc = vy_reason_set(why, VY_R_FIELD, "result contest %zu list %zu: votes %llu, the count is %llu", c, l,
					   (unsigned long long)lr->votes, (unsigned long long)cr->counts[l]);
		else if (lr->seats != seats[l])
			rc = vy_reason_set(why, VY_R_FIELD, "result contest %zu list %zu: %u seats, the allocation gives %llu",
					   c, l, lr->seats, (unsigned long long)seats[l]);
		rc = vy_reason_check(why, rc, "V7.4");
		if (rc == VY_R_OK && lr->n_elected != lr->seats)
			rc = vy_reason_check(why,
					     vy_reason_set(why, VY_R_FIELD, "result contest %zu list %zu: %zu elected for %u seats",
							   c, l, lr->n_elected, lr->seats),
					     "V7.5");
		for (size_t e = 0; e < lr->n_elected && rc == VY_R_OK; e++)
			if (lr->elected[e] != e)
				rc = vy_reason_check(why,
						     vy_reason_set(why, VY_R_FIELD,
								   "result contest %zu list %zu: elected[%zu] is candidate %u, "
								   "must be %zu", c, l, e, lr->elected[e], e),
						     "V7.5");
	}
	if (rc == VY_R_OK && cr->no_seats_reason != no_seats)
		rc = vy_reason_set(why, VY_R_FIELD, "result contest %zu: no_seats_reason %d, the allocation gives %d (%s)", c,
				   (int)cr->no_seats_reason, (int)no_seats,
				   no_seats == VYBAR__NO_SEATS_REASON__NO_SEATS_REASON_NONE ? "seats were allocated"
											    : vy_no_seats_reason_text(no_seats));
	free(seats);
	return vy_reason_check(why, rc, "V7.4");
}

vy_rc vy_validate_result(const vy_record_state *st, const uint8_t *p, size_t n, vy_reason *why)
{
	Vybar__Result *r = NULL;
	vy_scalar *lambda = NULL;
	vy_rc rc;

	rc = tally_phase(st, "result", 1, why);
	if (rc == VY_R_OK)
		rc = vy_decode_message((ProtobufCMessage **)&r, &vybar__result__descriptor, VY_MAX_MESSAGE_BYTES, p, n, why);
	if (rc == VY_R_OK)
		rc = check_used(st, r->trustees_used, r->n_trustees_used, why);
	if (rc == VY_R_OK)
		rc = check_result_shape(st, r, why);
	if (rc == VY_R_OK) {
		lambda = calloc(r->n_trustees_used, sizeof *lambda);
		rc = lambda == NULL ? vy_reason_set(why, VY_R_NOMEM, "result: out of memory")
				    : lagrange_all(st, lambda, r->trustees_used, r->n_trustees_used, why);
	}
	if (rc == VY_R_OK)
		rc = check_counts(st, r, lambda, why);
	for (size_t c = 0; rc == VY_R_OK && c < r->n_contests; c++)
		if (r->contests[c]->n_lists != 0)
			rc = check_lists(st, c, r->contests[c], why);
	free(lambda);
	vy_msg_free(r);
	return vy_reason_check(why, rc, "V7.3");
}

/* Free a Result built by vy_tally_result. */
static void free_built_result(Vybar__Result *r)
{
	for (size_t c = 0; c < r->n_contests; c++) {
		Vybar__ContestResult *cr = r->contests[c];

		if (cr == NULL)
			continue;
		for (size_t l = 0; l < cr->n_lists; l++) {
			if (cr->lists[l] != NULL)
				free(cr->lists[l]->elected);
			free(cr->lists[l]);
		}
		free(cr->lists);
		free(cr->counts);
		free(cr);
	}
	free(r->contests);
}

/* The list results of party-list contest c from its counts. */
static vy_rc make_lists(const vy_record_state *st, size_t c, Vybar__ContestResult *cr, vy_reason *why)
{
	size_t nl = st->manifest->contests[c]->party_list->n_lists;
	uint64_t *seats = calloc(nl, sizeof *seats);
	vy_rc rc;

	cr->lists = calloc(nl, sizeof *cr->lists);
	if (seats == NULL || cr->lists == NULL) {
		free(seats);
		return vy_reason_set(why, VY_R_NOMEM, "result: out of memory");
	}
	cr->n_lists = nl;
	rc = list_seats(st, st->manifest->contests[c], cr->counts, seats, &cr->no_seats_reason, why);
	for (size_t l = 0; l < nl && rc == VY_R_OK; l++) {
		Vybar__ListResult *lr = calloc(1, sizeof *lr);

		cr->lists[l] = lr;
		if (lr == NULL) {
			rc = vy_reason_set(why, VY_R_NOMEM, "result: out of memory");
			break;
		}
		vybar__list_result__init(lr);
		if (seats[l] > 0 && (lr->elected = calloc(seats[l], sizeof *lr->elected)) == NULL) {
			rc = vy_reason_set(why, VY_R_NOMEM, "result: out of memory");
			break;
		}
		lr->votes = cr->counts[l];
		lr->seats = (uint32_t)seats[l];
		lr->n_elected = seats[l];
		for (size_t e = 0; e < seats[l]; e++)
			lr->elected[e] = (uint32_t)e;
	}
	free(seats);
	return rc;
}

/* The counts of every contest by bounded discrete log (crypto §4.3). */
static vy_rc make_counts(const vy_record_state *st, Vybar__Result *r, const vy_scalar *lambda, vy_reason *why)
{
	vy_dlog_table *table = NULL;
	vy_elem gm;
	size_t j = 0;
	vy_rc rc = VY_R_OK;

	if (vy_dlog_table_new(st->election.group, &table, st->cred_count) != VY_OK)
		return vy_reason_set(why, VY_R_NOMEM, "result: cannot build the discrete-log table");
	for (size_t c = 0; c < r->n_contests && rc == VY_R_OK; c++) {
		Vybar__ContestResult *cr = calloc(1, sizeof *cr);
		size_t n = contest_sel(st, c);

		r->contests[c] = cr;
		if (cr != NULL) {
			vybar__contest_result__init(cr);
			cr->counts = calloc(n ? n : 1, sizeof *cr->counts);
		}
		if (cr == NULL || cr->counts == NULL) {
			rc = vy_reason_set(why, VY_R_NOMEM, "result: out of memory");
			break;
		}
		cr->n_counts = n;
		for (size_t k = 0; k < n && rc == VY_R_OK; k++, j++) {
			rc = decrypt_selection(st, &gm, r->trustees_used, lambda, r->n_trustees_used, j, why);
			if (rc == VY_R_OK && vy_dlog_solve(table, &cr->counts[k], &gm) != VY_OK)
				rc = vy_reason_set(why, VY_R_FIELD,
						   "result contest %zu option %zu: the decryption is no count in 0..%llu", c, k,
						   (unsigned long long)st->cred_count);
		}
		if (rc == VY_R_OK && st->manifest->contests[c]->kind == VYBAR__CONTEST_KIND__CONTEST_KIND_PARTY_LIST)
			rc = make_lists(st, c, cr, why);
	}
	vy_dlog_table_free(table);
	return rc;
}

vy_rc vy_tally_result(const vy_record_state *st, const uint32_t *used, size_t n_used, uint8_t **out, size_t *len,
		      vy_reason *why)
{
	Vybar__Result r = VYBAR__RESULT__INIT;
	uint32_t all[VY_MAX_TRUSTEES];
	vy_scalar lambda[VY_MAX_TRUSTEES];
	vy_rc rc;

	*out = NULL;
	rc = tally_phase(st, "result", 1, why);
	if (rc != VY_R_OK)
		return rc;
	if (used == NULL) {
		n_used = 0;
		for (uint32_t i = 1; i <= st->manifest->trustee_count; i++)
			if (st->trustees[i - 1].decrypted)
				all[n_used++] = i;
		used = all;
	}
	if (n_used > VY_MAX_TRUSTEES)
		return vy_reason_set(why, VY_R_TRUSTEES, "result: %zu trustees used, at most %d", n_used, VY_MAX_TRUSTEES);
	rc = check_used(st, used, n_used, why);
	if (rc == VY_R_OK)
		rc = lagrange_all(st, lambda, used, n_used, why);
	if (rc != VY_R_OK)
		return rc;
	r.trustees_used = (uint32_t *)used;
	r.n_trustees_used = n_used;
	r.contests = calloc(st->manifest->n_contests, sizeof *r.contests);
	if (r.contests == NULL)
		return vy_reason_set(why, VY_R_NOMEM, "result: out of memory");
	r.n_contests = st->manifest->n_contests;
	rc = make_counts(st, &r, lambda, why);
	if (rc == VY_R_OK) {
		*out = vy_msg_pack(&r, len);
		if (*out == NULL)
			rc = vy_reason_set(why, VY_R_NOMEM, "result: out of memory");
	}
	free_built_result(&r);
	return rc;
}

/* ---- apply ---- */

/* Keep the shares of an accepted partial decryption (validated). */
static vy_rc apply_partial(vy_record_state *st, const Vybar__PartialDecryption *pd, vy_reason *why)
{
	vy_trustee_state *ts = &st->trustees[pd->trustee_index - 1];
	size_t eb = elem_bytes(st), j = 0;
	uint8_t *buf = malloc(st->n_sel * eb + 1);

	if (buf == NULL)
		return vy_reason_set(why, VY_R_NOMEM, "partial decryption: out of memory");
	for (size_t c = 0; c < pd->n_contests; c++)
		for (size_t k = 0; k < pd->contests[c]->n_options; k++, j++)
			memcpy(buf + eb * j, pd->contests[c]->options[k]->share.data, eb);
	ts->dec_shares = buf;
	ts->decrypted = 1;
	st->n_decrypted++;
	return VY_R_OK;
}

vy_rc vy_tally_apply(vy_record_state *st, const Vybar__RecordEntry *e, vy_reason *why)
{
	ProtobufCMessage *m = NULL;
	vy_rc rc = VY_R_OK;

	switch (e->type) {
	case VYBAR__ENTRY_TYPE__ENTRY_TYPE_ENCRYPTED_TALLY:
		vy_entry_hash_of(st->tally_hash, e);
		st->have_tally = 1;
		break;
	case VYBAR__ENTRY_TYPE__ENTRY_TYPE_PARTIAL_DECRYPTION:
		rc = vy_signed_body_of(e, &vybar__partial_decryption__descriptor, &m, why);
		if (rc == VY_R_OK)
			rc = apply_partial(st, (Vybar__PartialDecryption *)m, why);
		break;
	case VYBAR__ENTRY_TYPE__ENTRY_TYPE_RESULT:
		st->phase = VY_PHASE_TALLIED;
		break;
	default:
		rc = vy_reason_set(why, VY_R_ARG, "tally apply: wrong entry type %d", (int)e->type);
	}
	vy_msg_free(m);
	return rc;
}
