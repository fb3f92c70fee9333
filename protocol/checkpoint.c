/*
 * Checkpoints and cosignatures (vy_checkpoint.h, specs/witness.md §3-§4):
 * C2SP tlog-checkpoint, signed-note and tlog-cosignature, byte for byte.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "protocol/vy_checkpoint.h"

#define EM_DASH "\xe2\x80\x94"
#define LINE_PREFIX EM_DASH " "
#define LINE_PREFIX_LEN 4
#define ED25519_SIG 64
#define COSIG_BYTES (8 + ED25519_SIG)
#define TIME_LINE_MAX 32
#define B64_VARIANT sodium_base64_VARIANT_ORIGINAL
/* base64 of the largest signature we write or read: key ID, time, sig. */
#define SIG_B64_MAX 128

int vy_witness_name_ok(const char *name, size_t len)
{
	if (len == 0 || len > VY_WITNESS_NAME_MAX)
		return 0;
	for (size_t i = 0; i < len; i++)
		if (name[i] <= ' ' || name[i] > '~' || name[i] == '+')
			return 0;
	return 1;
}

/* origin = "vybar/v1/" || lowercase hex of the base hash. */
static void origin(char out[VY_CHECKPOINT_ORIGIN_BYTES + 1], const uint8_t base_hash[VY_HASH_BYTES])
{
	memcpy(out, VY_CHECKPOINT_ORIGIN_PREFIX, sizeof VY_CHECKPOINT_ORIGIN_PREFIX - 1);
	sodium_bin2hex(out + sizeof VY_CHECKPOINT_ORIGIN_PREFIX - 1, 2 * VY_HASH_BYTES + 1, base_hash, VY_HASH_BYTES);
}

void vy_checkpoint_body(char out[VY_CHECKPOINT_BODY_MAX + 1], size_t *len, const vy_checkpoint *c)
{
	char o[VY_CHECKPOINT_ORIGIN_BYTES + 1], root[sodium_base64_ENCODED_LEN(VY_MERKLE_HASH_BYTES, B64_VARIANT)];
	int n;

	origin(o, c->base_hash);
	sodium_bin2base64(root, sizeof root, c->root, sizeof c->root, B64_VARIANT);
	n = snprintf(out, VY_CHECKPOINT_BODY_MAX + 1, "%s\n%" PRIu64 "\n%s\n", o, c->size, root);
	*len = (size_t)n;
}

uint32_t vy_note_key_id(const char *name, uint8_t type, const uint8_t pk[32])
{
	crypto_hash_sha256_state st;
	uint8_t h[crypto_hash_sha256_BYTES];
	const uint8_t nl = '\n';

	crypto_hash_sha256_init(&st);
	crypto_hash_sha256_update(&st, (const uint8_t *)name, strlen(name));
	crypto_hash_sha256_update(&st, &nl, 1);
	crypto_hash_sha256_update(&st, &type, 1);
	crypto_hash_sha256_update(&st, pk, 32);
	crypto_hash_sha256_final(&st, h);
	return (uint32_t)h[0] << 24 | (uint32_t)h[1] << 16 | (uint32_t)h[2] << 8 | h[3];
}

void vy_checkpoint_sign(uint8_t sig[64], const vy_checkpoint *c, const uint8_t board_sk[64])
{
	char body[VY_CHECKPOINT_BODY_MAX + 1];
	size_t len;

	vy_checkpoint_body(body, &len, c);
	crypto_sign_detached(sig, NULL, (const uint8_t *)body, len, board_sk);
}

int vy_checkpoint_verify(const uint8_t sig[64], const vy_checkpoint *c, const uint8_t board_pk[32])
{
	char body[VY_CHECKPOINT_BODY_MAX + 1];
	size_t len;

	vy_checkpoint_body(body, &len, c);
	return crypto_sign_verify_detached(sig, (const uint8_t *)body, len, board_pk) == 0;
}

/* The message a witness signs: header, time line, body. */
static size_t cosigned_message(char *out, size_t cap, uint64_t t, const vy_checkpoint *c)
{
	char body[VY_CHECKPOINT_BODY_MAX + 1];
	size_t len;
	int n;

	vy_checkpoint_body(body, &len, c);
	n = snprintf(out, cap, "%stime %" PRIu64 "\n%s", VY_COSIGNATURE_HEADER, t, body);
	return n < 0 || (size_t)n >= cap ? 0 : (size_t)n;
}

void vy_cosign(vy_cosignature *out, uint64_t t, const vy_checkpoint *c, const uint8_t witness_sk[64])
{
	char msg[sizeof VY_COSIGNATURE_HEADER + TIME_LINE_MAX + VY_CHECKPOINT_BODY_MAX];
	size_t len = cosigned_message(msg, sizeof msg, t, c);

	out->timestamp = t;
	crypto_sign_detached(out->signature, NULL, (const uint8_t *)msg, len, witness_sk);
}

int vy_cosignature_verify(const vy_cosignature *s, const vy_checkpoint *c, const uint8_t witness_pk[32])
{
	char msg[sizeof VY_COSIGNATURE_HEADER + TIME_LINE_MAX + VY_CHECKPOINT_BODY_MAX];
	size_t len;

	if (s->timestamp > INT64_MAX)
		return 0;
	len = cosigned_message(msg, sizeof msg, s->timestamp, c);
	return len > 0 && crypto_sign_verify_detached(s->signature, (const uint8_t *)msg, len, witness_pk) == 0;
}

static void put_u32be(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static void put_u64be(uint8_t *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--, v >>= 8)
		p[i] = (uint8_t)v;
}

/* "— name base64(raw)\n" */
static size_t note_line(char *out, size_t cap, const char *name, const uint8_t *raw, size_t raw_len)
{
	char b64[SIG_B64_MAX];
	int n;

	sodium_bin2base64(b64, sizeof b64, raw, raw_len, B64_VARIANT);
	n = snprintf(out, cap, LINE_PREFIX "%s %s\n", name, b64);
	return n < 0 || (size_t)n >= cap ? 0 : (size_t)n;
}

size_t vy_note_line_board(char *out, size_t cap, const vy_checkpoint *c, const uint8_t board_pk[32],
			  const uint8_t sig[64])
{
	char o[VY_CHECKPOINT_ORIGIN_BYTES + 1];
	uint8_t raw[VY_NOTE_KEY_ID_BYTES + ED25519_SIG];

	origin(o, c->base_hash);
	put_u32be(raw, vy_note_key_id(o, VY_NOTE_SIG_ED25519, board_pk));
	memcpy(raw + VY_NOTE_KEY_ID_BYTES, sig, ED25519_SIG);
	return note_line(out, cap, o, raw, sizeof raw);
}

size_t vy_note_line_cosignature(char *out, size_t cap, const char *name, const uint8_t witness_pk[32],
				const vy_cosignature *s)
{
	uint8_t raw[VY_NOTE_KEY_ID_BYTES + COSIG_BYTES];

	put_u32be(raw, vy_note_key_id(name, VY_NOTE_SIG_COSIGNATURE, witness_pk));
	put_u64be(raw + VY_NOTE_KEY_ID_BYTES, s->timestamp);
	memcpy(raw + VY_NOTE_KEY_ID_BYTES + 8, s->signature, ED25519_SIG);
	return note_line(out, cap, name, raw, sizeof raw);
}

/* ---- parsing ---- */

/* A decimal u64 with no leading zero (but "0"), the whole of s[0..len). */
static int parse_size(const char *s, size_t len, uint64_t *out)
{
	uint64_t v = 0;

	if (len == 0 || len > 20 || (s[0] == '0' && len > 1))
		return 0;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9' || v > (UINT64_MAX - (uint64_t)(s[i] - '0')) / 10)
			return 0;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	*out = v;
	return 1;
}

/* The next line of [*p, end): its start and length (without "\n"); 0 if
 * no newline ends it. */
static int next_line(const char **p, const char *end, const char **line, size_t *len)
{
	const char *nl = memchr(*p, '\n', (size_t)(end - *p));

	if (nl == NULL)
		return 0;
	*line = *p;
	*len = (size_t)(nl - *p);
	*p = nl + 1;
	return 1;
}

/* Parse the three body lines; the body must be exactly what
 * vy_checkpoint_body writes for it (no extension line). */
static vy_rc parse_body(vy_checkpoint *c, const char **p, const char *end, const uint8_t base_hash[VY_HASH_BYTES],
			vy_reason *why)
{
	char o[VY_CHECKPOINT_ORIGIN_BYTES + 1];
	const char *line;
	size_t len, b64_len;

	origin(o, base_hash);
	if (!next_line(p, end, &line, &len) || len != strlen(o) || memcmp(line, o, len) != 0)
		return vy_reason_set(why, VY_R_FIELD, "checkpoint: the origin is not this election's (%s)", o);
	memcpy(c->base_hash, base_hash, VY_HASH_BYTES);
	if (!next_line(p, end, &line, &len) || !parse_size(line, len, &c->size))
		return vy_reason_set(why, VY_R_MALFORMED, "checkpoint: the size line is not a decimal number");
	if (!next_line(p, end, &line, &len) ||
	    sodium_base642bin(c->root, sizeof c->root, line, len, NULL, &b64_len, NULL, B64_VARIANT) != 0 ||
	    b64_len != sizeof c->root)
		return vy_reason_set(why, VY_R_MALFORMED, "checkpoint: the root line is not 32 bytes in base64");
	if (!next_line(p, end, &line, &len) || len != 0)
		return vy_reason_set(why, VY_R_MALFORMED,
				     "checkpoint: no blank line after the three body lines (extension lines are refused)");
	return VY_R_OK;
}

/* One signature line: name and decoded bytes (at most cap). */
static int parse_sig_line(const char *line, size_t len, char *name, size_t name_cap, uint8_t *raw, size_t cap,
			  size_t *raw_len)
{
	const char *sp;
	size_t nlen;

	if (len < LINE_PREFIX_LEN || memcmp(line, LINE_PREFIX, LINE_PREFIX_LEN) != 0)
		return 0;
	line += LINE_PREFIX_LEN;
	len -= LINE_PREFIX_LEN;
	sp = memchr(line, ' ', len);
	if (sp == NULL)
		return 0;
	nlen = (size_t)(sp - line);
	if (!vy_witness_name_ok(line, nlen) || nlen >= name_cap)
		return 0;
	memcpy(name, line, nlen);
	name[nlen] = '\0';
	return sodium_base642bin(raw, cap, sp + 1, len - nlen - 1, NULL, raw_len, NULL, B64_VARIANT) == 0;
}

static uint32_t get_u32be(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint64_t get_u64be(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

/* A cosignature line of witness i, if it is one: 1 verified, 0 not this
 * witness's, -1 this witness's but it does not verify. */
static int try_witness(const char *name, const uint8_t *raw, size_t raw_len, const vy_checkpoint *c,
		       const char *wname, const uint8_t wpk[32], vy_cosignature *out)
{
	if (strcmp(name, wname) != 0 || raw_len != VY_NOTE_KEY_ID_BYTES + COSIG_BYTES ||
	    get_u32be(raw) != vy_note_key_id(wname, VY_NOTE_SIG_COSIGNATURE, wpk))
		return 0;
	out->timestamp = get_u64be(raw + VY_NOTE_KEY_ID_BYTES);
	memcpy(out->signature, raw + VY_NOTE_KEY_ID_BYTES + 8, ED25519_SIG);
	return vy_cosignature_verify(out, c, wpk) ? 1 : -1;
}

vy_rc vy_checkpoint_note_parse(vy_checkpoint *c, vy_cosignature *cosigs, int *have, const char *note, size_t len,
			       const uint8_t base_hash[VY_HASH_BYTES], const uint8_t board_pk[32],
			       const char *const *names, const uint8_t (*pks)[32], size_t n, vy_reason *why)
{
	const char *p = note, *end = note + len, *line;
	char o[VY_CHECKPOINT_ORIGIN_BYTES + 1], name[VY_WITNESS_NAME_MAX + 1];
	uint8_t raw[SIG_B64_MAX];
	size_t llen, raw_len;
	int board_ok = 0;
	vy_rc rc;

	for (size_t i = 0; i < n; i++)
		have[i] = 0;
	if (len > VY_CHECKPOINT_NOTE_MAX)
		return vy_reason_set(why, VY_R_TOO_LARGE, "checkpoint: more than %d bytes", VY_CHECKPOINT_NOTE_MAX);
	rc = parse_body(c, &p, end, base_hash, why);
	if (rc != VY_R_OK)
		return rc;
	origin(o, base_hash);
	while (p < end) {
		if (!next_line(&p, end, &line, &llen) ||
		    !parse_sig_line(line, llen, name, sizeof name, raw, sizeof raw, &raw_len))
			return vy_reason_set(why, VY_R_MALFORMED, "checkpoint: a signature line is malformed");
		if (strcmp(name, o) == 0 && raw_len == VY_NOTE_KEY_ID_BYTES + ED25519_SIG &&
		    get_u32be(raw) == vy_note_key_id(o, VY_NOTE_SIG_ED25519, board_pk)) {
			if (!vy_checkpoint_verify(raw + VY_NOTE_KEY_ID_BYTES, c, board_pk))
				return vy_reason_set(why, VY_R_BOARD_SIGNATURE,
						     "checkpoint: the board's signature does not verify");
			board_ok = 1;
			continue;
		}
		for (size_t i = 0; i < n; i++) {
			int r = try_witness(name, raw, raw_len, c, names[i], pks[i], &cosigs[i]);

			if (r < 0)
				return vy_reason_set(why, VY_R_FIELD,
						     "checkpoint: witness %s: cosignature does not verify", names[i]);
			if (r > 0)
				have[i] = 1;
		}
	}
	if (!board_ok)
		return vy_reason_set(why, VY_R_BOARD_SIGNATURE, "checkpoint: no signature of the board's key");
	return VY_R_OK;
}
