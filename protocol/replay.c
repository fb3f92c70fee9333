/*
 * No ballot twice (protocol.md §8.6 step 2, V4.8).
 *
 * The board cannot sign a ballot, but it can append one again: a voter's
 * superseded ballot after the revote that replaced it, or the ballot inside
 * an AUDITED_BALLOT, whose choices are public. A client can also reuse the
 * randomness of an audited ciphertext. Each leaves a ciphertext's alpha
 * (g^r) on the record twice, so the rule is: no alpha of a BALLOT equals an
 * alpha of an earlier BALLOT or AUDITED_BALLOT, or another alpha of the same
 * ballot. Alphas are kept as the first 16 bytes of their SHA-256 digests
 * (whatever the group), in an open-addressing set whose slots are chosen
 * with a random key, so no ballot can be made to collide with others'
 * slots, and which is doubled when 3/4 full: 21 to 43 bytes an alpha, so
 * about 128 MiB for the 5.5 million alphas of 500,000 ballots of eleven
 * options (32-byte digests in a half-full set took 512 MiB). Cutting the
 * digest cannot let a ballot cast again through (equal alphas have equal
 * digests); it could only refuse a new ballot whose alpha's 128-bit digest
 * equals another's, which takes about 2^64 SHA-256 evaluations for a
 * chosen pair and cannot be aimed at an alpha not yet on the record.
 *
 * The same set holds the one-time key of every AUDITED_BALLOT (§6, §8.6
 * step 3, §8.7; V4.9, V5.5), as the digest H("vybar/v1/audit-key", key)
 * (its first 16 bytes): an alpha's digest equals one only by a 128-bit
 * collision (the inputs differ), so one set serves both, and a key named
 * by an audit is never a casting credential.
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "crypto/vy_hash.h"
#include "protocol/record_impl.h"

#define REPLAY_INITIAL_CAP 1024u

static void alpha_digest(uint8_t d[VY_REPLAY_DIGEST_BYTES], const ProtobufCBinaryData *alpha)
{
	uint8_t full[crypto_hash_sha256_BYTES];

	crypto_hash_sha256(full, alpha->data, alpha->len);
	memcpy(d, full, VY_REPLAY_DIGEST_BYTES);
}

static int is_empty(const uint8_t d[VY_REPLAY_DIGEST_BYTES])
{
	return sodium_is_zero(d, VY_REPLAY_DIGEST_BYTES);
}

/* The slot of digest d: its own, or the first empty one. */
static size_t slot_of(const vy_record_state *st, const uint8_t d[VY_REPLAY_DIGEST_BYTES])
{
	uint8_t h[crypto_shorthash_BYTES];
	uint64_t v = 0;
	size_t i;

	crypto_shorthash(h, d, VY_REPLAY_DIGEST_BYTES, st->cred_hash_key);
	for (size_t k = 0; k < sizeof h; k++)
		v = v << 8 | h[k];
	i = (size_t)(v & (st->alpha_cap - 1));
	while (!is_empty(st->alphas[i]) && memcmp(st->alphas[i], d, VY_REPLAY_DIGEST_BYTES) != 0)
		i = (i + 1) & (st->alpha_cap - 1);
	return i;
}

static int seen(const vy_record_state *st, const uint8_t d[VY_REPLAY_DIGEST_BYTES])
{
	return st->alpha_cap != 0 && !is_empty(st->alphas[slot_of(st, d)]);
}

/* Double the set (or create it). */
static vy_rc grow(vy_record_state *st)
{
	uint8_t (*old)[VY_REPLAY_DIGEST_BYTES] = st->alphas;
	size_t old_cap = st->alpha_cap, cap = old_cap ? 2 * old_cap : REPLAY_INITIAL_CAP;

	st->alphas = calloc(cap, VY_REPLAY_DIGEST_BYTES);
	if (st->alphas == NULL) {
		st->alphas = old;
		return VY_R_NOMEM;
	}
	st->alpha_cap = cap;
	for (size_t i = 0; i < old_cap; i++)
		if (!is_empty(old[i]))
			memcpy(st->alphas[slot_of(st, old[i])], old[i], VY_REPLAY_DIGEST_BYTES);
	free(old);
	return VY_R_OK;
}

vy_rc vy_replay_check(const vy_record_state *st, const Vybar__Ballot *b, const char *check, vy_reason *why)
{
	uint8_t d[VY_REPLAY_DIGEST_BYTES];

	for (size_t c = 0; c < b->n_contests; c++) {
		const Vybar__EncryptedContest *ec = b->contests[c];

		for (size_t j = 0; j < ec->n_selections; j++) {
			alpha_digest(d, &ec->selections[j]->alpha);
			if (seen(st, d))
				return vy_reason_check(
					why,
					vy_reason_set(why, VY_R_REPLAY,
						      "ballot contest %zu option %zu: this ciphertext already stands on "
						      "the record (a ballot cast again, or an audited one)",
						      c, j),
					check);
			/* the same ballot, earlier selections */
			for (size_t c2 = 0; c2 <= c; c2++)
				for (size_t j2 = 0; j2 < (c2 < c ? b->contests[c2]->n_selections : j); j2++) {
					const ProtobufCBinaryData *a = &b->contests[c2]->selections[j2]->alpha;

					if (a->len == ec->selections[j]->alpha.len &&
					    memcmp(a->data, ec->selections[j]->alpha.data, a->len) == 0)
						return vy_reason_check(
							why,
							vy_reason_set(why, VY_R_REPLAY,
								      "ballot contest %zu option %zu: the same "
								      "ciphertext as contest %zu option %zu",
								      c, j, c2, j2),
							check);
				}
		}
	}
	return VY_R_OK;
}

/* Put digest d into the set. */
static vy_rc put(vy_record_state *st, const uint8_t d[VY_REPLAY_DIGEST_BYTES])
{
	size_t i;

	if (4 * (st->alpha_count + 1) > 3 * st->alpha_cap && grow(st) != VY_R_OK)
		return VY_R_NOMEM;
	i = slot_of(st, d);
	if (is_empty(st->alphas[i])) {
		memcpy(st->alphas[i], d, VY_REPLAY_DIGEST_BYTES);
		st->alpha_count++;
	}
	return VY_R_OK;
}

vy_rc vy_replay_add(vy_record_state *st, const Vybar__Ballot *b)
{
	uint8_t d[VY_REPLAY_DIGEST_BYTES];

	for (size_t c = 0; c < b->n_contests; c++)
		for (size_t j = 0; j < b->contests[c]->n_selections; j++) {
			alpha_digest(d, &b->contests[c]->selections[j]->alpha);
			if (put(st, d) != VY_R_OK)
				return VY_R_NOMEM;
		}
	return VY_R_OK;
}

static void audit_key_digest(uint8_t d[VY_REPLAY_DIGEST_BYTES], const uint8_t pk[VY_ED25519_PK_BYTES])
{
	uint8_t full[VY_HASH_BYTES];
	vy_hasher h;

	vy_hasher_init(&h, VY_TAG_AUDIT_KEY);
	vy_hasher_item(&h, pk, VY_ED25519_PK_BYTES);
	vy_hasher_final(&h, full);
	memcpy(d, full, VY_REPLAY_DIGEST_BYTES);
}

int vy_audit_key_seen(const vy_record_state *st, const uint8_t pk[VY_ED25519_PK_BYTES])
{
	uint8_t d[VY_REPLAY_DIGEST_BYTES];

	audit_key_digest(d, pk);
	return seen(st, d);
}

vy_rc vy_audit_key_add(vy_record_state *st, const uint8_t pk[VY_ED25519_PK_BYTES])
{
	uint8_t d[VY_REPLAY_DIGEST_BYTES];

	audit_key_digest(d, pk);
	return put(st, d);
}

void vy_replay_free(vy_record_state *st)
{
	free(st->alphas);
	st->alphas = NULL;
	st->alpha_cap = st->alpha_count = 0;
}
