/*
 * Checkpoints and cosignatures (protocol/vy_checkpoint.h, specs/witness.md
 * §3-§4): the body's exact bytes, key IDs by their definition, a note that
 * round-trips through the parser, and a table of notes each altered in one
 * way that the parser refuses or reads without the altered cosignature.
 */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "protocol/vy_checkpoint.h"
#include "tests/support/vytest.h"

#define WITNESSES 3

typedef struct {
	uint8_t board_pk[32], board_sk[64];
	uint8_t wpk[WITNESSES][32], wsk[WITNESSES][64];
	const char *names[WITNESSES];
	vy_checkpoint c;
} world;

static void seeded_key(uint8_t pk[32], uint8_t sk[64], uint8_t label)
{
	uint8_t seed[32];

	memset(seed, label, sizeof seed);
	crypto_sign_seed_keypair(pk, sk, seed);
}

static void make_world(world *w)
{
	static const char *const names[WITNESSES] = { "w1.example/vybar", "news.example/witness", "party-b" };

	seeded_key(w->board_pk, w->board_sk, 0xb0);
	for (int i = 0; i < WITNESSES; i++) {
		seeded_key(w->wpk[i], w->wsk[i], (uint8_t)(0xa1 + i));
		w->names[i] = names[i];
	}
	memset(w->c.base_hash, 0x11, sizeof w->c.base_hash);
	w->c.size = 7045;
	for (int i = 0; i < VY_MERKLE_HASH_BYTES; i++)
		w->c.root[i] = (uint8_t)i;
}

/* The note: body, blank line, board line, then a cosignature line of each
 * witness in `which` (a bit mask), all at time t. */
static size_t make_note(const world *w, char *note, size_t cap, unsigned which, uint64_t t)
{
	char body[VY_CHECKPOINT_BODY_MAX + 1];
	uint8_t sig[64];
	size_t len, n;

	vy_checkpoint_body(body, &len, &w->c);
	n = (size_t)snprintf(note, cap, "%s\n", body);
	vy_checkpoint_sign(sig, &w->c, w->board_sk);
	n += vy_note_line_board(note + n, cap - n, &w->c, w->board_pk, sig);
	for (int i = 0; i < WITNESSES; i++) {
		vy_cosignature s;

		if (!(which & (1u << i)))
			continue;
		vy_cosign(&s, t, &w->c, w->wsk[i]);
		n += vy_note_line_cosignature(note + n, cap - n, w->names[i], w->wpk[i], &s);
	}
	return n;
}

static vy_rc parse(const world *w, const char *note, size_t len, int have[WITNESSES], vy_reason *why)
{
	vy_checkpoint c;
	vy_cosignature cs[WITNESSES];

	return vy_checkpoint_note_parse(&c, cs, have, note, len, w->c.base_hash, w->board_pk, w->names,
					(const uint8_t (*)[32])w->wpk, WITNESSES, why);
}

static void test_body_bytes(void **state)
{
	world w;
	char body[VY_CHECKPOINT_BODY_MAX + 1];
	size_t len;

	(void)state;
	make_world(&w);
	vy_checkpoint_body(body, &len, &w.c);
	assert_string_equal(body, "vybar/v1/1111111111111111111111111111111111111111111111111111111111111111\n"
				  "7045\n"
				  "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n");
	assert_int_equal(len, strlen(body));
}

/* Key ID = SHA-256(name || 0x0a || type || pk)[:4], big-endian. */
static void test_key_id(void **state)
{
	world w;
	uint8_t buf[VY_WITNESS_NAME_MAX + 2 + 32], h[32];
	size_t n;

	(void)state;
	make_world(&w);
	n = strlen(w.names[0]);
	memcpy(buf, w.names[0], n);
	buf[n] = '\n';
	buf[n + 1] = VY_NOTE_SIG_COSIGNATURE;
	memcpy(buf + n + 2, w.wpk[0], 32);
	crypto_hash_sha256(h, buf, n + 2 + 32);
	assert_int_equal(vy_note_key_id(w.names[0], VY_NOTE_SIG_COSIGNATURE, w.wpk[0]),
			 (uint32_t)h[0] << 24 | (uint32_t)h[1] << 16 | (uint32_t)h[2] << 8 | h[3]);
	assert_int_not_equal(vy_note_key_id(w.names[0], VY_NOTE_SIG_ED25519, w.wpk[0]),
			     vy_note_key_id(w.names[0], VY_NOTE_SIG_COSIGNATURE, w.wpk[0]));
}

static void test_round_trip(void **state)
{
	world w;
	char note[VY_CHECKPOINT_NOTE_MAX];
	int have[WITNESSES];
	vy_reason why = { 0 };
	size_t len = 0;

	(void)state;
	make_world(&w);
	len = make_note(&w, note, sizeof note, 0x5, 1700000000);
	assert_int_equal(parse(&w, note, len, have, &why), VY_R_OK);
	assert_int_equal(have[0], 1);
	assert_int_equal(have[1], 0);
	assert_int_equal(have[2], 1);
	/* the cosigned message is the header, the time line and the body */
	{
		vy_cosignature s;
		char msg[512], body[VY_CHECKPOINT_BODY_MAX + 1];
		size_t blen;

		vy_cosign(&s, 1700000000, &w.c, w.wsk[1]);
		vy_checkpoint_body(body, &blen, &w.c);
		snprintf(msg, sizeof msg, "cosignature/v1\ntime 1700000000\n%s", body);
		assert_int_equal(crypto_sign_verify_detached(s.signature, (uint8_t *)msg, strlen(msg), w.wpk[1]), 0);
		assert_true(vy_cosignature_verify(&s, &w.c, w.wpk[1]));
		s.timestamp++;
		assert_false(vy_cosignature_verify(&s, &w.c, w.wpk[1]));
		s.timestamp = (uint64_t)INT64_MAX + 1;
		assert_false(vy_cosignature_verify(&s, &w.c, w.wpk[1]));
	}
}

/* Each row alters a valid note (witnesses 1 and 2 cosigned) in one way. */
static void test_tamper_table(void **state)
{
	static const struct {
		const char *what, *from, *to; /* replace the first `from` with `to` */
		vy_rc want;
	} rows[] = {
		{ "another election", "vybar/v1/1111", "vybar/v1/2111", VY_R_FIELD },
		{ "a leading zero in the size", "\n7045\n", "\n07045\n", VY_R_MALFORMED },
		{ "another size", "\n7045\n", "\n7046\n", VY_R_BOARD_SIGNATURE },
		{ "an extension line", "Hh8=\n\n", "Hh8=\next\n\n", VY_R_MALFORMED },
		{ "no blank line", "Hh8=\n\n", "Hh8=\n", VY_R_MALFORMED },
		{ "a signature line without its dash", "\xe2\x80\x94 vybar", "- vybar", VY_R_MALFORMED },
		{ "the board's line under another name", "\xe2\x80\x94 vybar/v1/1111111111111111111111111111111111111111111111111111111111111111 ",
		  "\xe2\x80\x94 someone ", VY_R_BOARD_SIGNATURE },
	};
	world w;
	char note[VY_CHECKPOINT_NOTE_MAX], bad[VY_CHECKPOINT_NOTE_MAX];
	int have[WITNESSES];

	(void)state;
	make_world(&w);
	make_note(&w, note, sizeof note, 0x3, 1700000000);
	for (size_t r = 0; r < sizeof rows / sizeof rows[0]; r++) {
		const char *at = strstr(note, rows[r].from);
		vy_reason why = { 0 };
		size_t pre;

		assert_non_null(at);
		pre = (size_t)(at - note);
		snprintf(bad, sizeof bad, "%.*s%s%s", (int)pre, note, rows[r].to, at + strlen(rows[r].from));
		if (parse(&w, bad, strlen(bad), have, &why) != rows[r].want)
			fail_msg("row %zu (%s): got %d (%s), want %d", r, rows[r].what, why.code, why.msg, rows[r].want);
	}
}

/* A witness's bad cosignature refuses the note; a line of an unknown key
 * is ignored; a cosignature under another witness's name is not counted. */
static void test_cosignature_lines(void **state)
{
	world w;
	char note[VY_CHECKPOINT_NOTE_MAX], line[256];
	int have[WITNESSES];
	vy_cosignature s;
	vy_reason why = { 0 };
	size_t len;

	(void)state;
	make_world(&w);
	len = make_note(&w, note, sizeof note, 0x1, 1700000000);
	/* witness 2's key signs, but the line claims witness 3's name: ignored */
	vy_cosign(&s, 1700000001, &w.c, w.wsk[1]);
	len += vy_note_line_cosignature(note + len, sizeof note - len, w.names[2], w.wpk[1], &s);
	assert_int_equal(parse(&w, note, len, have, &why), VY_R_OK);
	assert_int_equal(have[0] + have[1] + have[2], 1);
	/* witness 2's own line with a wrong time: refused, naming it */
	s.timestamp++;
	vy_note_line_cosignature(line, sizeof line, w.names[1], w.wpk[1], &s);
	len += (size_t)snprintf(note + len, sizeof note - len, "%s", line);
	assert_int_equal(parse(&w, note, len, have, &why), VY_R_FIELD);
	assert_non_null(strstr(why.msg, w.names[1]));
}

static void test_witness_names(void **state)
{
	(void)state;
	assert_true(vy_witness_name_ok("witness.example/w1", 18));
	assert_false(vy_witness_name_ok("", 0));
	assert_false(vy_witness_name_ok("a b", 3));
	assert_false(vy_witness_name_ok("a+b", 3));
	assert_false(vy_witness_name_ok("a\nb", 3));
	assert_false(vy_witness_name_ok("\xe2\x80\x94", 3));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_body_bytes),	   cmocka_unit_test(test_key_id),
		cmocka_unit_test(test_round_trip),	   cmocka_unit_test(test_tamper_table),
		cmocka_unit_test(test_cosignature_lines), cmocka_unit_test(test_witness_names),
	};

	vytest_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
