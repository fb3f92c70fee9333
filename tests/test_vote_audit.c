/*
 * End-to-end tests of checking an audited ballot from another device
 * (specs/client.md §8): a real vybar-registrar and a real vybar-board on
 * 127.0.0.1 (the fixtures' manifest with the registrar's key, key ceremony
 * over HTTP), ballots audited and cast through the client, then
 * `vybar-vote check-audit` and the library behind it (client/audit.h).
 */
#include <string.h>
#include <sys/wait.h>

#include "client/audit.h"
#include "tests/support/vote_world.h"

#define OUT_BYTES 16384
#define UNKNOWN_CODE "0000-0000-0000-0000"

/* Register the next code with the real registrar and open the credential. */
static void voter(vyw_world *w, const vyc_board *bd, vyc_credential *c, char path[VYH_PATH_BYTES])
{
	vy_reason why;

	vyw_register(w, bd, path);
	if (vyc_credential_open(c, &bd->st.election, path, VYW_PASSPHRASE, &why) != VY_R_OK)
		fail_msg("credential: %s", why.msg);
}

/* vybar-vote with args (NULL-terminated): its stdout (and stderr, when
 * with_stderr) into out; the exit status. */
static int run_vote(const char *const *args, char *out, int with_stderr)
{
	return vytest_run(out, OUT_BYTES, with_stderr, VYBAR_VOTE_PROGRAM, args);
}

static int check_audit(const vyw_world *w, const char *code, char *out, int with_stderr)
{
	const char *args[] = { "check-audit", "--board", w->url, "--code", code, NULL };

	return run_vote(args, out, with_stderr);
}

/* The code as a voter might type it: lower case, no dashes. */
static void sloppy(char out[VY_TRACKING_CODE_BYTES], const char *code)
{
	size_t o = 0;

	for (const char *p = code; *p; p++)
		if (*p != '-')
			out[o++] = (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
	out[o] = '\0';
}

/* No option or list name of the fixtures' manifest appears in text. */
static void no_choice_shown(const char *text)
{
	assert_null(strstr(text, "Answer "));
	assert_null(strstr(text, "Choice "));
	assert_null(strstr(text, "List "));
	assert_null(strstr(text, "blank (nothing chosen)"));
	assert_null(strstr(text, VYC_AUDIT_INSTRUCTION));
}

static const char *const audited_specs[] = { "1=2", "2=1,3", "3=blank" };

/* The block check-audit prints for audited_specs, exactly. */
static const char audited_block[] =
	"The choices this ballot holds:\n"
	"\n"
	"Contest 1: Referendum question\n"
	"  2. Answer 2\n"
	"\n"
	"Contest 2: Approval question\n"
	"  1. Choice 1\n"
	"  3. Choice 3\n"
	"\n"
	"Contest 3: Council\n"
	"  blank (nothing chosen)\n"
	"\n" VYC_AUDIT_INSTRUCTION "\n";

/* Tracking codes as voters type them, and what is refused. */
static void test_tracking_code_parse(void **state)
{
	static const struct {
		const char *typed, *want; /* want NULL: refused */
	} t[] = {
		{ "7K2Q-0ZRD-M4XW-9HCT", "7K2Q-0ZRD-M4XW-9HCT" },
		{ "7k2q0zrdm4xw9hct", "7K2Q-0ZRD-M4XW-9HCT" },
		{ " 7k2q 0zrd-M4xw 9hct\n", "7K2Q-0ZRD-M4XW-9HCT" },
		{ "7K2Q-OZRD-M4XW-9HCT", "7K2Q-0ZRD-M4XW-9HCT" }, /* O read as 0 */
		{ "iL00-0000-0000-0000", "1100-0000-0000-0000" }, /* I and L read as 1 */
		{ "7K2Q-0ZRD-M4XW-9HC", NULL },                    /* 15 symbols */
		{ "7K2Q-0ZRD-M4XW-9HCTX", NULL },                  /* 17 symbols */
		{ "7K2Q-0ZRD-M4XW-9HCU", NULL },                   /* U is not Crockford */
		{ "7K2Q-0ZRD-M4XW-9HC!", NULL },
		{ "", NULL },
		{ "----", NULL },
	};
	char out[VY_TRACKING_CODE_BYTES];
	vy_reason why;

	(void)state;
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		vy_rc rc = vyc_tracking_code_parse(out, t[i].typed, &why);

		if (t[i].want == NULL) {
			assert_int_equal(rc, VY_R_FIELD);
			assert_non_null(strstr(why.msg, "must be the 16 characters"));
			assert_string_equal(out, "");
		} else {
			if (rc != VY_R_OK)
				fail_msg("case %zu: %s", i, why.msg);
			assert_string_equal(out, t[i].want);
		}
	}
}

/* A ballot audited with known choices: the library finds it, re-checks it
 * and gives exactly those choices; the program prints them contest by
 * contest with the manifest's names, for the code typed sloppily. */
static void test_audited_choices_shown(void **state)
{
	vyw_world *w = *state;
	vyc_board bd;
	vyc_credential c;
	vy_built_ballot a;
	vyc_audit_result res;
	char cred[VYH_PATH_BYTES], code[VY_TRACKING_CODE_BYTES], *out = malloc(OUT_BYTES);
	vy_reason why;

	vyw_fetch(w, &bd);
	voter(w, &bd, &c, cred);
	vyw_commit(&bd, audited_specs, 3, &a);
	if (vyc_audit(&bd, &a, NULL, &why) != VY_R_OK)
		fail_msg("audit: %s", why.msg);
	vyc_board_free(&bd);
	vyw_fetch(w, &bd);
	if (vyc_audit_find(&bd, a.tracking_code, &res, &why) != VY_R_OK)
		fail_msg("find: %s", why.msg);
	assert_int_equal(res.status, VYC_AUDIT_FOUND);
	assert_string_equal(res.tracking_code, a.tracking_code);
	assert_int_equal(res.seq, bd.st.next_seq - 1);
	assert_int_equal(res.n_sel, a.n_sel);
	assert_memory_equal(res.choices, a.choices, a.n_sel * sizeof *a.choices);
	vyc_audit_result_free(&res);

	sloppy(code, a.tracking_code);
	assert_int_equal(check_audit(w, code, out, 1), 0);
	if (strstr(out, audited_block) == NULL)
		fail_msg("check-audit printed:\n%s", out);
	assert_non_null(strstr(out, a.tracking_code));
	assert_non_null(strstr(out, "Election: Test election (vybar-test-2026)"));
	assert_null(strstr(out, "vybar-vote:")); /* nothing on stderr */
	vy_built_ballot_free(&a);
	vyc_credential_close(&c);
	vyc_board_free(&bd);
	free(out);
}

/* `cast --audit` names the command to run on another device; that very
 * command shows the audited ballot's choices (a list this time). */
static void test_cast_names_the_command(void **state)
{
	vyw_world *w = *state;
	vyc_board bd;
	vyc_credential c;
	char cred[VYH_PATH_BYTES], rcpt[VYH_PATH_BYTES], code[VY_TRACKING_CODE_BYTES];
	char *out = malloc(OUT_BYTES), want[256];
	const char *p;

	vyw_fetch(w, &bd);
	voter(w, &bd, &c, cred);
	vyc_credential_close(&c);
	vyc_board_free(&bd);
	vyw_tmp_path(w, rcpt, "receipt-cli.pb");
	{
		const char *args[] = { "cast", "--board", w->url, "--credential", cred, "--passphrase-file",
				       w->pass_file, "--choice", "1=3", "--choice", "2=4", "--choice", "3=2", "--audit",
				       "--receipt", rcpt, NULL };

		assert_int_equal(run_vote(args, out, 1), 0);
	}
	p = strstr(out, "Audited: ballot ");
	assert_non_null(p);
	memcpy(code, p + strlen("Audited: ballot "), VY_TRACKING_CODE_LEN);
	code[VY_TRACKING_CODE_LEN] = '\0';
	snprintf(want, sizeof want, "run on another device (not this one): vybar-vote check-audit --board %s --code %s\n",
		 w->url, code);
	if (strstr(out, want) == NULL)
		fail_msg("cast printed:\n%s", out);
	assert_int_equal(check_audit(w, code, out, 0), 0);
	assert_non_null(strstr(out, "Contest 1: Referendum question\n  3. Answer 3\n\n"
				    "Contest 2: Approval question\n  4. Choice 4\n\n"
				    "Contest 3: Council\n  2. List B\n\n" VYC_AUDIT_INSTRUCTION "\n"));
	free(out);
}

/* A cast ballot's tracking code: refused, its choices secret, nothing of
 * them printed; exit 1. */
static void test_cast_code_refused(void **state)
{
	vyw_world *w = *state;
	vyc_board bd;
	vyc_credential c;
	vy_built_ballot b;
	vyc_audit_result res;
	char cred[VYH_PATH_BYTES], rcpt[VYH_PATH_BYTES], *out = malloc(OUT_BYTES);
	uint64_t seq = 0;
	vy_reason why;

	vyw_fetch(w, &bd);
	voter(w, &bd, &c, cred);
	vyw_build(&bd, &c, audited_specs, 3, &b);
	vyw_tmp_path(w, rcpt, "receipt-cast.pb");
	if (vyc_cast(&bd, &b, NULL, rcpt, &seq, &why) != VY_R_OK)
		fail_msg("cast: %s", why.msg);
	vyc_board_free(&bd);
	vyw_fetch(w, &bd);
	assert_int_equal(vyc_audit_find(&bd, b.tracking_code, &res, &why), VY_R_OK);
	assert_int_equal(res.status, VYC_AUDIT_CAST);
	assert_int_equal(res.seq, seq);
	assert_null(res.choices);
	vyc_audit_result_free(&res);

	assert_int_equal(check_audit(w, b.tracking_code, out, 0), 1);
	assert_string_equal(out, ""); /* nothing on stdout */
	assert_int_equal(check_audit(w, b.tracking_code, out, 1), 1);
	assert_non_null(strstr(out, "was cast, not audited"));
	assert_non_null(strstr(out, "secret"));
	no_choice_shown(out);
	vy_built_ballot_free(&b);
	vyc_credential_close(&c);
	vyc_board_free(&bd);
	free(out);
}

/* A code that is on no entry: exit 1; a code that is not a code: exit 2,
 * before the board is asked. */
static void test_unknown_code_refused(void **state)
{
	vyw_world *w = *state;
	vyc_board bd;
	vyc_audit_result res;
	char *out = malloc(OUT_BYTES);
	vy_reason why;

	vyw_fetch(w, &bd);
	assert_int_equal(vyc_audit_find(&bd, UNKNOWN_CODE, &res, &why), VY_R_OK);
	assert_int_equal(res.status, VYC_AUDIT_NOT_FOUND);
	assert_null(res.choices);
	vyc_audit_result_free(&res);
	assert_int_equal(vyc_audit_find(&bd, "not-a-code", &res, &why), VY_R_FIELD);
	vyc_board_free(&bd);

	assert_int_equal(check_audit(w, UNKNOWN_CODE, out, 1), 1);
	assert_non_null(strstr(out, "no ballot with tracking code " UNKNOWN_CODE " is on the record"));
	no_choice_shown(out);
	assert_int_equal(check_audit(w, "7K2Q-0ZRD", out, 1), 2);
	assert_non_null(strstr(out, "must be the 16 characters"));
	{
		const char *args[] = { "check-audit", "--board", w->url, NULL }; /* no --code */

		assert_int_equal(run_vote(args, out, 1), 2);
		assert_non_null(strstr(out, "vybar-vote check-audit: missing --code TRACKING_CODE"));
	}
	free(out);
}

/* Replace the last frame of bd's record with e, signed again with the
 * board's key: a record the board itself altered. */
static void replace_last_entry(vyw_world *w, vyc_board *bd, size_t last_off, Vybar__RecordEntry *e,
			       uint8_t *payload, size_t payload_len)
{
	vy_record_state prev;
	Vybar__RecordEntry ne;
	uint8_t sig[VY_ENTRY_SIG_BUF_BYTES], *buf;
	size_t len;

	memset(&prev, 0, sizeof prev);
	prev.next_seq = e->seq;
	memcpy(prev.head_hash, e->prev_hash.data, VY_HASH_BYTES);
	vy_entry_make(&ne, sig, &prev, e->type, payload, payload_len, w->board_sk);
	len = vybar__record_entry__get_packed_size(&ne);
	buf = realloc(bd->record, last_off + 4 + len);
	assert_non_null(buf);
	buf[last_off] = (uint8_t)(len >> 24);
	buf[last_off + 1] = (uint8_t)(len >> 16);
	buf[last_off + 2] = (uint8_t)(len >> 8);
	buf[last_off + 3] = (uint8_t)len;
	assert_int_equal(vybar__record_entry__pack(&ne, buf + last_off + 4), len);
	bd->record = buf;
	bd->record_len = last_off + 4 + len;
}

/* A record whose audited ballot shows another choice than its encryption
 * holds (the board signs the altered entry): refused, no choice given,
 * with the failing check named. The real board never stores such an
 * entry, so the record is altered in the client's memory. */
static void test_altered_reveal_refused(void **state)
{
	vyw_world *w = *state;
	vyc_board bd;
	vyc_credential c;
	vy_built_ballot a;
	vyc_audit_result res;
	vy_record_state st;
	Vybar__RecordEntry *e = NULL;
	Vybar__AuditedBallot *ab = NULL;
	char cred[VYH_PATH_BYTES];
	size_t off = VY_RECORD_MAGIC_LEN, last = 0, plen;
	uint8_t *payload;
	vy_reason why;

	vyw_fetch(w, &bd);
	voter(w, &bd, &c, cred);
	vyw_commit(&bd, audited_specs, 3, &a);
	if (vyc_audit(&bd, &a, NULL, &why) != VY_R_OK)
		fail_msg("audit: %s", why.msg);
	vyc_board_free(&bd);
	vyw_fetch(w, &bd); /* the audited ballot is the last entry */
	while (off + 4 <= bd.record_len) {
		size_t len = (size_t)bd.record[off] << 24 | (size_t)bd.record[off + 1] << 16 |
			     (size_t)bd.record[off + 2] << 8 | bd.record[off + 3];

		last = off;
		off += 4 + len;
	}
	assert_int_equal(off, bd.record_len);
	assert_int_equal(vy_decode_entry(&e, bd.record + last + 4, bd.record_len - last - 4, &why), VY_R_OK);
	assert_int_equal(e->type, VYBAR__ENTRY_TYPE__ENTRY_TYPE_AUDITED_BALLOT);
	assert_int_equal(vy_decode_audited_ballot(&ab, e->payload.data, e->payload.len, &why), VY_R_OK);
	/* Contest 1: answer 1 revealed in place of answer 2. */
	assert_int_equal(ab->contests[0]->selections[0]->value, 0);
	assert_int_equal(ab->contests[0]->selections[1]->value, 1);
	ab->contests[0]->selections[0]->value = 1;
	ab->contests[0]->selections[1]->value = 0;
	payload = vy_msg_pack(ab, &plen);
	assert_non_null(payload);
	replace_last_entry(w, &bd, last, e, payload, plen);

	/* The altered record keeps its chain and signatures: only the
	 * audited ballot's rule fails, at the last entry. */
	assert_int_equal(vyh_verify_record(bd.record, bd.record_len, &st, &why), VY_R_REVEAL);
	assert_int_equal(st.next_seq, e->seq);
	vy_record_state_free(&st);

	assert_int_equal(vyc_audit_find(&bd, a.tracking_code, &res, &why), VY_R_REVEAL);
	assert_int_equal(res.status, VYC_AUDIT_FOUND);
	assert_int_equal(res.seq, e->seq);
	assert_null(res.choices);
	assert_string_equal(why.check, "V5.2");
	assert_non_null(strstr(why.msg, a.tracking_code));
	assert_non_null(strstr(why.msg, "do not re-encrypt"));
	vyc_audit_result_free(&res);
	free(payload);
	vy_msg_free(ab);
	vy_msg_free(e);
	vy_built_ballot_free(&a);
	vyc_credential_close(&c);
	vyc_board_free(&bd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tracking_code_parse),
		cmocka_unit_test(test_audited_choices_shown),
		cmocka_unit_test(test_cast_names_the_command),
		cmocka_unit_test(test_cast_code_refused),
		cmocka_unit_test(test_unknown_code_refused),
		cmocka_unit_test(test_altered_reveal_refused),
	};

	return cmocka_run_group_tests(tests, vyw_setup, vyw_teardown);
}
