/*
 * The manifest (specs/protocol.md §3; verification.md V2.x): the default
 * manifest is valid, each test breaks one rule and expects its reason, the
 * gender rule's message names the list and the block, and the base hash
 * changes with every field.
 */
#include <stdlib.h>
#include <string.h>

#include "tests/support/protocol_fixtures.h"

static vyf_keys keys;

static int setup(void **state)
{
	(void)state;
	vytest_init();
	vyf_keys_init(&keys, 3, 2);
	return 0;
}

/* A fresh default manifest broken by fn, expected to fail with code. */
static void expect_broken(void (*fn)(Vybar__Manifest *), vy_rc code)
{
	Vybar__Manifest *m = vyf_manifest_new(&keys);
	vy_reason why = { 0 };
	vy_rc rc;

	size_t n_contests = m->n_contests;

	fn(m);
	rc = vy_manifest_validate(m, &why);
	m->n_contests = n_contests; /* so that every contest is freed */
	if (rc != code)
		fail_msg("expected %s, got %s: %s", vy_rc_str(code), vy_rc_str(rc), why.msg);
	assert_true(strlen(why.msg) > 0);
	vy_msg_free(m);
}

static void test_default_valid(void **state)
{
	Vybar__Manifest *m = vyf_manifest_new(&keys);
	vy_reason why = { 0 };

	(void)state;
	if (vy_manifest_validate(m, &why) != VY_R_OK)
		fail_msg("%s", why.msg);
	vy_msg_free(m);
}

static void empty_id(Vybar__Manifest *m) { m->election_id[0] = '\0'; }
static void bad_group(Vybar__Manifest *m) { m->group[0] = 'X'; }
static void no_contests(Vybar__Manifest *m) { m->n_contests = 0; }
static void unknown_kind(Vybar__Manifest *m) { m->contests[0]->kind = 9; }
static void one_of_n_minmax(Vybar__Manifest *m) { m->contests[0]->max_selections = 1; }
static void approval_max_gt_n(Vybar__Manifest *m) { m->contests[1]->max_selections = 5; }
static void approval_min_gt_max(Vybar__Manifest *m) { m->contests[1]->min_selections = 3; }
static void empty_option(Vybar__Manifest *m) { m->contests[1]->options[2]->title[0] = '\0'; }
static void no_seats(Vybar__Manifest *m) { m->contests[2]->party_list->seats = 0; }
static void threshold_over(Vybar__Manifest *m) { m->contests[2]->party_list->threshold_basis_points = 10001; }
static void bad_method(Vybar__Manifest *m) { m->contests[2]->party_list->seat_method = 0; }
static void impossible_rule(Vybar__Manifest *m) { m->contests[2]->party_list->gender_rule->min_per_block = 2; }
static void short_list(Vybar__Manifest *m) { m->contests[2]->party_list->min_candidates = 5; }
static void no_gender(Vybar__Manifest *m) { m->contests[2]->party_list->lists[0]->candidates[0]->gender = 0; }
static void threshold_zero(Vybar__Manifest *m) { m->threshold = 0; }
static void threshold_gt_n(Vybar__Manifest *m) { m->threshold = 4; }
static void trustee_count_mismatch(Vybar__Manifest *m) { m->trustee_count = 2; }
static void trustee_index(Vybar__Manifest *m) { m->trustees[1]->index = 3; }
static void trustee_dup_key(Vybar__Manifest *m) { memcpy(m->trustees[2]->signing_key.data, m->trustees[0]->signing_key.data, 32); }
static void trustee_bad_key(Vybar__Manifest *m) { m->trustees[0]->signing_key.len = 31; }
static void board_bad_key(Vybar__Manifest *m) { memset(m->board_key.data, 0, 32); }
static void rsa_short(Vybar__Manifest *m) { m->registrar_key->modulus.len = 383; }
static void rsa_even(Vybar__Manifest *m) { m->registrar_key->modulus.data[383] &= 0xfe; }
static void rsa_exp_even(Vybar__Manifest *m) { m->registrar_key->exponent.data[2] = 2; }
/* 384 bytes but only 3065 bits: passes the size rule, refused by the RSA import (crypto §9.1). */
static void rsa_3065_bits(Vybar__Manifest *m) { m->registrar_key->modulus.data[0] = 0x01; }
static void period(Vybar__Manifest *m) { m->voting_end = m->voting_start; }
static void counting(Vybar__Manifest *m) { m->counting_rule = 0; }
/* §3.3 item 8 (V2.11): no ballot at all, too many, too long a wait. */
static void no_ballot(Vybar__Manifest *m) { m->max_ballots_per_credential = 0; }
static void many_ballots(Vybar__Manifest *m) { m->max_ballots_per_credential = VY_MAX_BALLOTS_PER_CREDENTIAL + 1; }
static void long_wait(Vybar__Manifest *m) { m->min_seconds_between_ballots = VY_MAX_SECONDS_BETWEEN_BALLOTS + 1; }

/* §1.5: one character a terminal or a renderer would act on, anywhere in a text. */
static void set_text(char **field, const char *text)
{
	char *t = strdup(text);

	assert_non_null(t);
	free(*field);
	*field = t;
}
static void title_escape(Vybar__Manifest *m) { set_text(&m->title, "Council \x1b[2J"); }
static void title_del(Vybar__Manifest *m) { set_text(&m->title, "Council\x7f"); }
static void option_newline(Vybar__Manifest *m) { set_text(&m->contests[1]->options[0]->title, "Yes\nNo"); }
static void option_c1(Vybar__Manifest *m) { set_text(&m->contests[1]->options[0]->title, "Yes\xc2\x9b"); }
static void list_rlo(Vybar__Manifest *m) { set_text(&m->contests[2]->party_list->lists[0]->name, "List \xe2\x80\xae" "A"); }
static void candidate_isolate(Vybar__Manifest *m)
{
	set_text(&m->contests[2]->party_list->lists[0]->candidates[0]->name, "\xe2\x81\xa6Name");
}
static void trustee_tab(Vybar__Manifest *m) { set_text(&m->trustees[0]->name, "Trustee\t1"); }
static void id_nul_free_cr(Vybar__Manifest *m) { set_text(&m->election_id, "vote\r"); }

static void test_rules(void **state)
{
	(void)state;
	expect_broken(empty_id, VY_R_FIELD);
	expect_broken(bad_group, VY_R_GROUP);
	expect_broken(no_contests, VY_R_CONTEST);
	expect_broken(unknown_kind, VY_R_CONTEST);
	expect_broken(one_of_n_minmax, VY_R_CONTEST);
	expect_broken(approval_max_gt_n, VY_R_CONTEST);
	expect_broken(approval_min_gt_max, VY_R_CONTEST);
	expect_broken(empty_option, VY_R_FIELD);
	expect_broken(no_seats, VY_R_CONTEST);
	expect_broken(threshold_over, VY_R_CONTEST);
	expect_broken(bad_method, VY_R_CONTEST);
	expect_broken(impossible_rule, VY_R_CONTEST);
	expect_broken(short_list, VY_R_CONTEST);
	expect_broken(no_gender, VY_R_FIELD);
	expect_broken(threshold_zero, VY_R_TRUSTEES);
	expect_broken(threshold_gt_n, VY_R_TRUSTEES);
	expect_broken(trustee_count_mismatch, VY_R_TRUSTEES);
	expect_broken(trustee_index, VY_R_TRUSTEES);
	expect_broken(trustee_dup_key, VY_R_TRUSTEES);
	expect_broken(trustee_bad_key, VY_R_KEY);
	expect_broken(board_bad_key, VY_R_KEY);
	expect_broken(rsa_short, VY_R_KEY);
	expect_broken(rsa_even, VY_R_KEY);
	expect_broken(rsa_exp_even, VY_R_KEY);
	expect_broken(rsa_3065_bits, VY_R_KEY);
	expect_broken(period, VY_R_FIELD);
	expect_broken(no_ballot, VY_R_FIELD);
	expect_broken(many_ballots, VY_R_FIELD);
	expect_broken(long_wait, VY_R_FIELD);
	expect_broken(counting, VY_R_FIELD);
	expect_broken(title_escape, VY_R_FIELD);
	expect_broken(title_del, VY_R_FIELD);
	expect_broken(option_newline, VY_R_FIELD);
	expect_broken(option_c1, VY_R_FIELD);
	expect_broken(list_rlo, VY_R_FIELD);
	expect_broken(candidate_isolate, VY_R_FIELD);
	expect_broken(trustee_tab, VY_R_FIELD);
	expect_broken(id_nul_free_cr, VY_R_FIELD);
}

/* §1.5: the refusal names the field and the byte; printable UTF-8 that only
 * looks like a control (U+00A0, U+202F, U+2065) is accepted. */
static void test_control_characters(void **state)
{
	Vybar__Manifest *m = vyf_manifest_new(&keys);
	vy_reason why = { 0 };

	(void)state;
	set_text(&m->contests[1]->options[0]->title, "Yes\xc2\xa0\xe2\x80\xaf\xe2\x81\xa5 \xd0\xa2\xd0\xb0\xd0\xba");
	if (vy_manifest_validate(m, &why) != VY_R_OK)
		fail_msg("printable text refused: %s", why.msg);
	set_text(&m->contests[1]->options[0]->title, "Yes \xe2\x80\xae");
	assert_int_equal(vy_manifest_validate(m, &why), VY_R_FIELD);
	assert_string_equal(why.msg, "contest 1 option 0 title: control character at byte 4 (byte 0xe2)");
	vy_msg_free(m);
}

/* List "List B": candidates 3 and 4 both female: block 2 breaks the rule. */
static void test_gender_rule_message(void **state)
{
	Vybar__Manifest *m = vyf_manifest_new(&keys);
	vy_reason why = { 0 };

	(void)state;
	m->contests[2]->party_list->lists[1]->candidates[3]->gender = VYBAR__GENDER__GENDER_FEMALE;
	assert_int_equal(vy_manifest_validate(m, &why), VY_R_GENDER_RULE);
	assert_string_equal(why.msg, "list 1 \"List B\": block 2 (candidates 3-4) has 2 female and 0 male "
				     "candidates; at least 1 of each are required in every block of 2");
	vy_msg_free(m);
}

static void test_gender_rule_blocks(void **state)
{
	Vybar__Candidate c[10], *cp[10];
	Vybar__PartyList l;
	Vybar__GenderRule r;
	/* 40 % rule in blocks of 5: F M F M F | M M M F F passes; then M M M M F fails block 2 */
	static const int g1[10] = { 1, 2, 1, 2, 1, 2, 2, 2, 1, 1 };
	static const int g2[10] = { 1, 2, 1, 2, 1, 2, 2, 2, 2, 1 };

	(void)state;
	vybar__party_list__init(&l);
	vybar__gender_rule__init(&r);
	l.name = "L";
	l.n_candidates = 10;
	l.candidates = cp;
	r.block_size = 5;
	r.min_per_block = 2;
	for (int i = 0; i < 10; i++) {
		vybar__candidate__init(&c[i]);
		c[i].gender = g1[i];
		cp[i] = &c[i];
	}
	assert_int_equal(vy_gender_rule_check(&l, 0, &r, NULL), VY_R_OK);
	for (int i = 0; i < 10; i++)
		c[i].gender = g2[i];
	vy_reason why = { 0 };
	assert_int_equal(vy_gender_rule_check(&l, 4, &r, &why), VY_R_GENDER_RULE);
	assert_non_null(strstr(why.msg, "list 4 \"L\": block 2 (candidates 6-10)"));
	/* a trailing partial block is not checked; GENDER_OTHER counts for neither */
	l.n_candidates = 9;
	assert_int_equal(vy_gender_rule_check(&l, 0, &r, NULL), VY_R_OK);
	c[1].gender = VYBAR__GENDER__GENDER_OTHER;
	c[3].gender = VYBAR__GENDER__GENDER_OTHER;
	assert_int_equal(vy_gender_rule_check(&l, 0, &r, NULL), VY_R_GENDER_RULE);
	r.block_size = 0;
	r.min_per_block = 0;
	assert_int_equal(vy_gender_rule_check(&l, 0, &r, NULL), VY_R_OK);
}

/* The base hash is deterministic and changes when any field changes. */
static void test_base_hash(void **state)
{
	Vybar__Manifest *m = vyf_manifest_new(&keys);
	uint8_t h0[VY_HASH_BYTES], h1[VY_HASH_BYTES], h2[VY_HASH_BYTES];

	(void)state;
	vy_manifest_hash(m, h0);
	vy_manifest_hash(m, h1);
	assert_memory_equal(h0, h1, VY_HASH_BYTES);
	m->contests[2]->party_list->lists[2]->candidates[1]->name[0] ^= 1;
	vy_manifest_hash(m, h2);
	assert_memory_not_equal(h0, h2, VY_HASH_BYTES);
	m->contests[2]->party_list->lists[2]->candidates[1]->name[0] ^= 1;
	m->voting_end++;
	vy_manifest_hash(m, h2);
	assert_memory_not_equal(h0, h2, VY_HASH_BYTES);
	m->voting_end--;
	m->contests[0]->allow_blank = 1;
	vy_manifest_hash(m, h2);
	assert_memory_not_equal(h0, h2, VY_HASH_BYTES);
	vy_msg_free(m);
}

/* §3.7: translated texts are valid, in the base hash, and each rule on
 * them is enforced, naming the text and the translation. */
static void test_translations(void **state)
{
	vyf_keys tk = keys;
	Vybar__Manifest *plain = vyf_manifest_new(&keys), *m;
	Vybar__Translation **ct, *swap;
	uint8_t h0[VY_HASH_BYTES], h1[VY_HASH_BYTES], h2[VY_HASH_BYTES];
	vy_reason why = { 0 };

	(void)state;
	tk.translated = 1;
	m = vyf_manifest_new(&tk);
	ct = m->contests[2]->translations;
	if (vy_manifest_validate(m, &why) != VY_R_OK)
		fail_msg("translated manifest refused: %s", why.msg);
	vy_manifest_hash(plain, h0);
	vy_manifest_hash(m, h1);
	assert_memory_not_equal(h0, h1, VY_HASH_BYTES);
	/* one byte of one translation changes the base hash */
	m->contests[2]->party_list->lists[0]->candidates[0]->translations[0]->text[0] ^= 1;
	vy_manifest_hash(m, h2);
	assert_memory_not_equal(h1, h2, VY_HASH_BYTES);
	m->contests[2]->party_list->lists[0]->candidates[0]->translations[0]->text[0] ^= 1;
	/* a translation moved from the election title to contest 0's title:
	 * the same bytes in another place */
	m->n_translations--;
	m->contests[0]->n_translations = 1;
	m->contests[0]->translations = &m->translations[1];
	vy_manifest_hash(m, h2);
	assert_memory_not_equal(h1, h2, VY_HASH_BYTES);
	m->contests[0]->n_translations = 0;
	m->contests[0]->translations = NULL;
	m->n_translations++;
	vy_manifest_hash(m, h2);
	assert_memory_equal(h1, h2, VY_HASH_BYTES);
	/* out of order: "en" before "be" */
	swap = ct[0];
	ct[0] = ct[1];
	ct[1] = swap;
	assert_int_equal(vy_manifest_validate(m, &why), VY_R_FIELD);
	assert_string_equal(why.check, "V2.2");
	assert_string_equal(why.msg, "contest 2 title translation 1: lang \"be\" is not after \"en\" "
				     "(sorted, one per language)");
	ct[1] = ct[0];
	ct[0] = swap;
	/* two of one language */
	set_text(&ct[1]->lang, "be");
	assert_int_equal(vy_manifest_validate(m, &why), VY_R_FIELD);
	assert_non_null(strstr(why.msg, "translation 1: lang \"be\" is not after \"be\""));
	/* tags: upper case, a region, one letter, four letters */
	set_text(&ct[1]->lang, "EN");
	assert_int_equal(vy_manifest_validate(m, &why), VY_R_FIELD);
	assert_string_equal(why.msg, "contest 2 title translation 1: lang must be 2..3 lower-case letters a-z");
	set_text(&ct[1]->lang, "en-gb");
	assert_int_equal(vy_manifest_validate(m, &why), VY_R_FIELD);
	set_text(&ct[1]->lang, "e");
	assert_int_equal(vy_manifest_validate(m, &why), VY_R_FIELD);
	set_text(&ct[1]->lang, "engl");
	assert_int_equal(vy_manifest_validate(m, &why), VY_R_FIELD);
	set_text(&ct[1]->lang, "eng"); /* three letters: accepted, still after "be", before "ru" */
	if (vy_manifest_validate(m, &why) != VY_R_OK)
		fail_msg("a three-letter tag refused: %s", why.msg);
	/* the text: empty, or a control character (§1.5), names the language */
	set_text(&m->translations[0]->text, "");
	assert_int_equal(vy_manifest_validate(m, &why), VY_R_FIELD);
	assert_string_equal(why.check, "V2.1");
	assert_string_equal(why.msg, "title translation 0 (be): length 0, must be 1..1024 bytes");
	set_text(&m->translations[0]->text, "a\tb");
	assert_int_equal(vy_manifest_validate(m, &why), VY_R_FIELD);
	assert_string_equal(why.msg, "title translation 0 (be): control character at byte 1 (byte 0x09)");
	vy_msg_free(m);
	vy_msg_free(plain);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_default_valid),
		cmocka_unit_test(test_rules),
		cmocka_unit_test(test_control_characters),
		cmocka_unit_test(test_gender_rule_message),
		cmocka_unit_test(test_gender_rule_blocks),
		cmocka_unit_test(test_base_hash),
		cmocka_unit_test(test_translations),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
