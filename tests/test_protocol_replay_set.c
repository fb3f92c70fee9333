/*
 * The no-replay set of the record state (protocol/replay.c, protocol.md
 * §8.6, V4.8, V4.9) on its own, past many doublings: every alpha added is
 * found again, whatever was added after it; an alpha never added is not;
 * a ballot repeating one of its own alphas is refused; audit keys share the
 * set without meeting alphas.
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "protocol/record_impl.h"
#include "tests/support/vytest.h"

#define OPTIONS 11
#define BALLOTS 20000 /* 220,000 alphas: the set doubles about nine times */
#define ALPHA_BYTES 32

/* A ballot of one contest of OPTIONS selections whose alphas are
 * alphas[0 .. OPTIONS - 1] (no beta or proof: the set reads only alphas). */
typedef struct {
	Vybar__Ballot b;
	Vybar__EncryptedContest c, *cp;
	Vybar__EncryptedSelection s[OPTIONS], *sp[OPTIONS];
} fake_ballot;

static void fake_init(fake_ballot *f, uint8_t (*alphas)[ALPHA_BYTES])
{
	vybar__ballot__init(&f->b);
	vybar__encrypted_contest__init(&f->c);
	for (size_t j = 0; j < OPTIONS; j++) {
		vybar__encrypted_selection__init(&f->s[j]);
		f->s[j].alpha.data = alphas[j];
		f->s[j].alpha.len = ALPHA_BYTES;
		f->sp[j] = &f->s[j];
	}
	f->c.selections = f->sp;
	f->c.n_selections = OPTIONS;
	f->cp = &f->c;
	f->b.contests = &f->cp;
	f->b.n_contests = 1;
}

static void test_replay_set_grows_and_finds(void **state)
{
	uint8_t (*alphas)[ALPHA_BYTES] = malloc((size_t)BALLOTS * OPTIONS * ALPHA_BYTES);
	uint8_t fresh[OPTIONS][ALPHA_BYTES], key[VY_ED25519_PK_BYTES];
	vy_record_state st;
	vy_reason why = { 0 };
	fake_ballot f;

	(void)state;
	assert_non_null(alphas);
	randombytes_buf(alphas, (size_t)BALLOTS * OPTIONS * ALPHA_BYTES);
	vy_record_state_init(&st);
	for (size_t i = 0; i < BALLOTS; i++) {
		fake_init(&f, alphas + i * OPTIONS);
		assert_int_equal(vy_replay_check(&st, &f.b, "V4.8", &why), VY_R_OK);
		assert_int_equal(vy_replay_add(&st, &f.b), VY_R_OK);
	}
	assert_int_equal(st.alpha_count, (size_t)BALLOTS * OPTIONS);
	assert_true(4 * st.alpha_count <= 3 * st.alpha_cap);
	/* Every ballot again, and every single alpha of it in a new ballot. */
	for (size_t i = 0; i < BALLOTS; i += 7) {
		fake_init(&f, alphas + i * OPTIONS);
		assert_int_equal(vy_replay_check(&st, &f.b, "V4.8", &why), VY_R_REPLAY);
		randombytes_buf(fresh, sizeof fresh);
		memcpy(fresh[i % OPTIONS], alphas[i * OPTIONS + (i / 7) % OPTIONS], ALPHA_BYTES);
		fake_init(&f, fresh);
		memset(&why, 0, sizeof why);
		assert_int_equal(vy_replay_check(&st, &f.b, "V4.8", &why), VY_R_REPLAY);
		assert_non_null(strstr(why.msg, "already stands on the record"));
	}
	/* Alphas never added are not found. */
	for (size_t i = 0; i < 1000; i++) {
		randombytes_buf(fresh, sizeof fresh);
		fake_init(&f, fresh);
		assert_int_equal(vy_replay_check(&st, &f.b, "V4.8", &why), VY_R_OK);
	}
	/* The same alpha twice in one ballot. */
	randombytes_buf(fresh, sizeof fresh);
	memcpy(fresh[9], fresh[2], ALPHA_BYTES);
	fake_init(&f, fresh);
	memset(&why, 0, sizeof why);
	assert_int_equal(vy_replay_check(&st, &f.b, "V4.8", &why), VY_R_REPLAY);
	assert_non_null(strstr(why.msg, "the same ciphertext as contest 0 option 2"));
	/* An audit key: found once added, and no alpha of the same bytes
	 * meets it (their digests are taken apart). */
	randombytes_buf(key, sizeof key);
	assert_false(vy_audit_key_seen(&st, key));
	assert_int_equal(vy_audit_key_add(&st, key), VY_R_OK);
	assert_true(vy_audit_key_seen(&st, key));
	randombytes_buf(fresh, sizeof fresh);
	memcpy(fresh[0], key, sizeof key);
	fake_init(&f, fresh);
	assert_int_equal(vy_replay_check(&st, &f.b, "V4.8", &why), VY_R_OK);
	vy_record_state_free(&st);
	free(alphas);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_replay_set_grows_and_finds),
	};

	vytest_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
