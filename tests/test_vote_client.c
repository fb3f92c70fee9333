/*
 * End-to-end tests of the voter client (specs/client.md): a real
 * vybar-registrar and a real vybar-board on 127.0.0.1 for one election
 * (the fixtures' manifest with the registrar's key, key ceremony over
 * HTTP), credentials from the registrar, and the client library and the
 * vybar-vote program against them.
 */
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/support/vote_world.h"

#define ADMIN_CLOSE 2
#define ADMIN_TALLY 3
#define LARGE_RECORD_BYTES (96u * 1024u) /* past the 64 KiB small-answer cap */
#define LARGE_MAX_BALLOTS 200

static const char *const default_specs[] = { "1=2", "2=1,3", "3=2" };

/* The board's record, verified with the protocol library: every ballot and
 * audited ballot passes the full rules. */
static void record_verifies(const vyw_world *w, vy_record_state *st)
{
	size_t len;
	uint8_t *rec = vyh_record(&w->e.b, &len);
	vy_reason why;

	if (vyh_verify_record(rec, len, st, &why) != VY_R_OK)
		fail_msg("record: %s", why.msg);
	free(rec);
}

/* Cast, receipt (mode 0600, verified), check: on the board, latest ballot. */
static void test_cast_receipt_check(void **state)
{
	vyw_world *w = *state;
	vyc_board bd;
	vyc_credential c;
	vy_built_ballot b;
	vyc_check_result res;
	vy_record_state st;
	char cred[VYH_PATH_BYTES], rcpt[VYH_PATH_BYTES];
	struct stat sb;
	uint64_t seq = 0;
	vy_reason why;

	vyw_fetch(w, &bd);
	vyw_register(w, &bd, cred);
	assert_int_equal(vyc_credential_open(&c, &bd.st.election, cred, VYW_PASSPHRASE, &why), VY_R_OK);
	vyw_build(&bd, &c, default_specs, 3, &b);
	vyw_tmp_path(w, rcpt, "receipt-cast.pb");
	if (vyc_cast(&bd, &b, NULL, rcpt, &seq, &why) != VY_R_OK)
		fail_msg("cast: %s", why.msg);
	assert_int_equal(stat(rcpt, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	assert_int_equal(vyc_check(w->url, rcpt, &res, &why), VY_R_OK);
	assert_int_equal(res.seq, seq);
	assert_string_equal(res.tracking_code, b.tracking_code);
	assert_false(res.superseded);
	assert_false(res.tallied);
	/* The same bytes again (a retry after a lost answer): 409 at the
	 * board, the stored receipt, the same position. */
	{
		uint64_t seq2 = 0;

		assert_int_equal(vyc_cast(&bd, &b, NULL, rcpt, &seq2, &why), VY_R_OK);
		assert_int_equal(seq2, seq);
	}
	record_verifies(w, &st);
	assert_int_equal(st.ballots, bd.st.ballots + 1);
	vy_record_state_free(&st);
	/* A receipt for another position fails the check. */
	{
		uint8_t buf[VYC_MAX_RECEIPT_BYTES];
		FILE *f = fopen(rcpt, "rb");
		size_t n = fread(buf, 1, sizeof buf, f);
		Vybar__Receipt *r = NULL;

		fclose(f);
		assert_int_equal(vy_decode_receipt(&r, buf, n, NULL), VY_R_OK);
		r->head_hash.data[0] ^= 1;
		n = vybar__receipt__pack(r, buf);
		vy_msg_free(r);
		f = fopen(rcpt, "wb");
		assert_int_equal(fwrite(buf, 1, n, f), n);
		fclose(f);
		assert_int_equal(vyc_check(w->url, rcpt, &res, &why), VY_R_RECEIPT);
	}
	vy_built_ballot_free(&b);
	vyc_credential_close(&c);
	vyc_board_free(&bd);
}

/* Whether the bytes needle (n of them) occur anywhere in hay (len). */
static int holds(const uint8_t *hay, size_t len, const uint8_t *needle, size_t n)
{
	for (size_t i = 0; n > 0 && i + n <= len; i++)
		if (memcmp(hay + i, needle, n) == 0)
			return 1;
	return 0;
}

/* The client's whole flow (client.md §4, protocol.md §6.1) with --audit:
 * commit under a one-time key, audit, commit afresh, cast the rebuilt
 * ballot. Then an observer reads the whole public record: the audited
 * entry holds no byte of the credential (key, randomizer, registrar
 * signature), its key is not the credential's, and nothing else on the
 * record names its key; the audited ballot verifies (V5). */
static void test_audit_then_cast(void **state)
{
	vyw_world *w = *state;
	vyc_board bd, after;
	vyc_credential c;
	vyc_vote_opts o = { .audit = 1 };
	vyc_vote_result res;
	vy_record_state st;
	char cred[VYH_PATH_BYTES], rcpt[VYH_PATH_BYTES];
	size_t n = vy_manifest_selections(w->e.r.st.manifest);
	uint32_t choices[VYF_MAX_SELECTIONS];
	uint64_t audited_before;
	vyc_keeper k = { vyc_receipt_save, rcpt };
	Vybar__RecordEntry *e = NULL;
	Vybar__AuditedBallot *ab = NULL;
	Vybar__Ballot *cast = NULL;
	int audits = 0;
	vy_reason why;

	vyw_fetch(w, &bd);
	audited_before = bd.st.audited;
	vyw_register(w, &bd, cred);
	assert_int_equal(vyc_credential_open(&c, &bd.st.election, cred, VYW_PASSPHRASE, &why), VY_R_OK);
	assert_int_equal(vyc_choices_parse(bd.st.manifest, default_specs, 3, choices, n, &why), VY_R_OK);
	vyw_tmp_path(w, rcpt, "receipt-audit.pb");
	if (vyc_vote(&bd, &c, choices, n, &o, &k, &res, &why) != VY_R_OK)
		fail_msg("vote: %s", why.msg);
	assert_int_equal(res.end, VYC_VOTE_CAST);
	record_verifies(w, &st); /* vy_audited_ballot_check on the audited ballot */
	assert_int_equal(st.audited, audited_before + 1);
	vy_record_state_free(&st);

	vyw_fetch(w, &after);
	for (uint64_t seq = bd.st.next_seq; seq < after.st.next_seq; seq++) {
		assert_int_equal(vyc_board_entry(&after, seq, &e, &why), VY_R_OK);
		if (e->type == VYBAR__ENTRY_TYPE__ENTRY_TYPE_AUDITED_BALLOT) {
			const Vybar__Credential *oc;

			audits++;
			/* the credential's bytes are nowhere in the audited entry */
			assert_false(holds(e->payload.data, e->payload.len, c.signer.pk, VY_ED25519_PK_BYTES));
			assert_false(holds(e->payload.data, e->payload.len, c.randomizer, VY_RANDOMIZER_BYTES));
			assert_false(holds(e->payload.data, e->payload.len, c.reg_sig, c.reg_sig_len));
			assert_int_equal(vy_decode_audited_ballot(&ab, e->payload.data, e->payload.len, NULL), VY_R_OK);
			oc = ab->ballot->credential;
			assert_int_equal(oc->public_key.len, VY_ED25519_PK_BYTES);
			assert_memory_not_equal(oc->public_key.data, c.signer.pk, VY_ED25519_PK_BYTES);
			assert_int_equal(oc->randomizer.len + oc->signature.len, 0);
			if (vy_audited_ballot_check(&after.st.election, ab, &why) != VY_R_OK)
				fail_msg("audited: %s", why.msg);
			/* the revealed choices are the voter's */
			for (size_t i = 0, s = 0; i < ab->n_contests; i++)
				for (size_t j = 0; j < ab->contests[i]->n_selections; j++, s++)
					assert_int_equal(ab->contests[i]->selections[j]->value, choices[s]);
		} else if (e->type == VYBAR__ENTRY_TYPE__ENTRY_TYPE_BALLOT) {
			assert_int_equal(vy_decode_ballot(&cast, e->payload.data, e->payload.len, NULL), VY_R_OK);
		}
		vy_msg_free(e);
		e = NULL;
	}
	assert_int_equal(audits, 1);
	assert_non_null(ab);
	assert_non_null(cast);
	/* the cast ballot is the credential's, a fresh encryption: its key and
	 * its ciphertexts are not the audit's, and the audit's key casts nothing */
	assert_memory_equal(cast->credential->public_key.data, c.signer.pk, VY_ED25519_PK_BYTES);
	assert_memory_not_equal(cast->contests[0]->selections[0]->alpha.data,
				ab->ballot->contests[0]->selections[0]->alpha.data, 32);
	{
		int found = 1;

		(void)vy_record_state_last_ballot(&after.st, ab->ballot->credential->public_key.data, &found);
		assert_false(found);
	}
	vy_msg_free(ab);
	vy_msg_free(cast);
	vyc_credential_close(&c);
	vyc_board_free(&bd);
	vyc_board_free(&after);
}

/* A dishonest client: its audit reveals choices that are not what its
 * ciphertexts hold. The board refuses it with the V5 check (V5.2), so it
 * never stands on the record as a passed audit. */
static void test_dishonest_audit_refused(void **state)
{
	vyw_world *w = *state;
	vyc_board bd, after;
	vy_built_ballot a;
	vy_reason why = { 0 };

	vyw_fetch(w, &bd);
	vyw_commit(&bd, default_specs, 3, &a);
	a.choices[0] ^= 1; /* claims another answer than the one encrypted */
	a.choices[1] ^= 1;
	assert_int_not_equal(vyc_audit(&bd, &a, NULL, &why), VY_R_OK);
	assert_non_null(strstr(why.msg, "do not re-encrypt"));
	vyw_fetch(w, &after);
	assert_int_equal(after.st.next_seq, bd.st.next_seq); /* nothing appended */
	vy_built_ballot_free(&a);
	vyc_board_free(&bd);
	vyc_board_free(&after);
}

/* Invalid choices are refused before anything is built or sent: the
 * precise message, and the board's record unchanged. */
static void test_invalid_choices(void **state)
{
	vyw_world *w = *state;
	static const struct {
		const char *specs[3];
		const char *msg;
	} t[] = {
		{ { "1=1,2", "2=1", "3=1" }, "contest 1: two options chosen" },
		{ { "1=1", "2=1,2,3", "3=1" }, "contest 2: too many options (3 chosen, at most 2)" },
		{ { "1=1", "2=blank", "3=1" }, "contest 2: too few options (0 chosen, at least 1)" },
		{ { "1=1", "2=1", "3=1,3" }, "contest 3: two lists chosen" },
		{ { "1=blank", "2=1", "3=1" }, "contest 1: nothing chosen" },
		{ { "1=4", "2=1", "3=1" }, "not an option number" },
		{ { "1=1", "2=1", "9=1" }, "contest number from 1 to 3" },
	};
	vyc_board bd;
	uint32_t choices[VYF_MAX_SELECTIONS];
	size_t n, before_len, after_len;
	uint8_t *before = vyh_record(&w->e.b, &before_len), *after;
	char cred[VYH_PATH_BYTES], cmd[8 * VYH_PATH_BYTES], out[VYH_PATH_BYTES];
	vy_reason why;

	vyw_fetch(w, &bd);
	n = vy_manifest_selections(bd.st.manifest);
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		assert_int_not_equal(vyc_choices_parse(bd.st.manifest, t[i].specs, 3, choices, n, &why), VY_R_OK);
		if (strstr(why.msg, t[i].msg) == NULL)
			fail_msg("case %zu: \"%s\" lacks \"%s\"", i, why.msg, t[i].msg);
	}
	/* The library refuses them too, whatever the caller passes. */
	memset(choices, 0, sizeof choices);
	choices[0] = choices[1] = 1;
	assert_int_equal(vy_choices_check(bd.st.manifest, choices, n, &why), VY_R_FIELD);
	assert_non_null(strstr(why.msg, "contest 1: two options chosen"));
	memset(choices, 0, sizeof choices);
	choices[0] = 2;
	assert_int_equal(vy_choices_check(bd.st.manifest, choices, n, &why), VY_R_FIELD);
	assert_non_null(strstr(why.msg, "contest 1 option 1: value 2 is not 0 or 1"));
	/* ...and the builder checks them before it encrypts anything. */
	{
		vy_built_ballot b;
		uint8_t pk[32], sk[64], zero[VY_RSA_MAX_MODULUS_BYTES] = { 0 };
		vy_ballot_signer s = { pk, sk, zero, zero, 384 };

		crypto_sign_keypair(pk, sk);
		assert_int_equal(vy_ballot_build(&b, &bd.st.election, &s, choices, n, NULL, NULL, &why), VY_R_FIELD);
		assert_null(b.bytes);
	}
	/* A pinned fingerprint that is not this election's is refused. */
	{
		vyc_board other;
		uint8_t pin[VY_HASH_BYTES];

		memcpy(pin, bd.st.election.base_hash, sizeof pin);
		pin[0] ^= 1;
		assert_int_equal(vyc_board_fetch(&other, NULL, w->url, pin, &why), VY_R_FIELD);
		assert_non_null(strstr(why.msg, "not the one expected"));
		vyc_board_free(&other);
		pin[0] ^= 1;
		assert_int_equal(vyc_board_fetch(&other, NULL, w->url, pin, &why), VY_R_OK);
		vyc_board_free(&other);
	}
	/* The program: exit 1, the message, nothing sent. */
	vyw_register(w, &bd, cred);
	vyw_tmp_path(w, out, "invalid.out");
	snprintf(cmd, sizeof cmd,
		 "'%s' cast --board %s --credential '%s' --passphrase-file '%s' --choice 1=2 --choice 2=1 "
		 "--choice 3=1,2 --receipt '%s/never.pb' >'%s' 2>&1",
		 VYBAR_VOTE_PROGRAM, w->url, cred, w->pass_file, w->e.b.dir, out);
	{
		int st = system(cmd);
		char *text;
		size_t tl;

		assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 1);
		text = vytest_read_file(out, &tl);
		assert_non_null(strstr(text, "contest 3: two lists chosen"));
		assert_non_null(strstr(text, "nothing was sent"));
		free(text);
	}
	after = vyh_record(&w->e.b, &after_len);
	assert_int_equal(after_len, before_len);
	assert_memory_equal(after, before, before_len);
	free(before);
	free(after);
	vyc_board_free(&bd);
}

/* Flip one bit of the signature the board sent. */
static void corrupt_receipt(Vybar__Receipt *r)
{
	if (r->signature.len > 0)
		r->signature.data[0] ^= 1;
}

/* A board whose receipt signature does not verify is reported loudly
 * (the library's hook, and the test build's option, flip one bit of the
 * signature the board sent). */
static void test_bad_receipt_reported(void **state)
{
	vyw_world *w = *state;
	vyc_board bd;
	vyc_credential c;
	vy_built_ballot b;
	vyc_post_opts o = { .receipt_seen = corrupt_receipt };
	char cred[VYH_PATH_BYTES], rcpt[VYH_PATH_BYTES], cmd[8 * VYH_PATH_BYTES], out[VYH_PATH_BYTES];
	uint64_t seq;
	vy_reason why;

	vyw_fetch(w, &bd);
	vyw_register(w, &bd, cred);
	assert_int_equal(vyc_credential_open(&c, &bd.st.election, cred, VYW_PASSPHRASE, &why), VY_R_OK);
	vyw_build(&bd, &c, default_specs, 3, &b);
	vyw_tmp_path(w, rcpt, "receipt-bad.pb");
	assert_int_equal(vyc_cast(&bd, &b, &o, rcpt, &seq, &why), VY_R_RECEIPT);
	assert_non_null(strstr(why.msg, "RECEIPT SIGNATURE DOES NOT VERIFY"));
	/* The program says so on stderr and fails. */
	vyw_tmp_path(w, out, "bad.out");
	snprintf(cmd, sizeof cmd,
		 "'%s' cast --board %s --credential '%s' --passphrase-file '%s' --choice 1=1 --choice 2=2 "
		 "--choice 3=blank --test-corrupt-receipt --receipt '%s/bad2.pb' >'%s' 2>&1",
		 VYBAR_VOTE_CHEAT_PROGRAM, w->url, cred, w->pass_file, w->e.b.dir, out);
	{
		int st = system(cmd);
		char *text;
		size_t tl;

		assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 1);
		text = vytest_read_file(out, &tl);
		assert_non_null(strstr(text, "WARNING"));
		assert_non_null(strstr(text, "RECEIPT SIGNATURE DOES NOT VERIFY"));
		free(text);
	}
	vy_built_ballot_free(&b);
	vyc_credential_close(&c);
	vyc_board_free(&bd);
}

/* Run the program; its output into the file out; the exit status. */
static int run_vote(const vyw_world *w, const char *args, const char *out)
{
	char cmd[16 * VYH_PATH_BYTES];
	int st;

	snprintf(cmd, sizeof cmd, "'%s' %s >'%s' 2>&1", VYBAR_VOTE_PROGRAM, args, out);
	(void)w;
	st = system(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

static int file_has(const char *path, const char *s)
{
	size_t n;
	char *text = vytest_read_file(path, &n);
	int has = strstr(text, s) != NULL;

	if (!has)
		print_message("%s:\n%s\n", path, text);
	free(text);
	return has;
}

/* The registrar's signed count of credentials issued, onto the board
 * (protocol.md §8.12), before the tally. */
static void post_issued(vyw_world *w)
{
	char url[VYRH_PATH_BYTES];
	vy_http_answer ir = { 0 };
	vyh_resp r;

	vyrh_close(&w->reg); /* registrar.md §4.3: the count is published at close */
	vyrh_url(&w->reg, url, VY_PATH_ISSUED);
	assert_int_equal(vy_http_get(NULL, url, VY_MAX_SMALL_ANSWER_BYTES, &ir, NULL), VY_R_OK);
	assert_int_equal(ir.status, 200);
	vyh_post(&w->e.b, VY_PATH_CREDENTIALS_ISSUED, ir.body, ir.len, &r);
	if (r.status != 200)
		fail_msg("credentials-issued: %ld %s", r.status, (const char *)r.body);
	vyh_resp_free(&r);
	vy_http_answer_free(&ir);
}

/* A record larger than one small answer (64 KiB): revotes through the
 * library until the board holds more than LARGE_RECORD_BYTES, then the
 * library's fetch and the program's cast and check still read it all. */
static void test_large_record(void **state)
{
	vyw_world *w = *state;
	vyc_board bd;
	vyc_credential c;
	char cred[VYH_PATH_BYTES], rcpt[VYH_PATH_BYTES], out[VYH_PATH_BYTES];
	char args[5 * VYH_PATH_BYTES];
	vyc_check_result res;
	size_t len = 0;
	uint8_t *rec;
	uint64_t seq = 0, before;
	vy_reason why;

	vyw_fetch(w, &bd);
	vyw_register(w, &bd, cred);
	assert_int_equal(vyc_credential_open(&c, &bd.st.election, cred, VYW_PASSPHRASE, &why), VY_R_OK);
	vyw_tmp_path(w, rcpt, "large-lib.pb");
	for (unsigned i = 0; i < LARGE_MAX_BALLOTS; i++) {
		vy_built_ballot b;

		rec = vyh_record(&w->e.b, &len);
		free(rec);
		if (len > LARGE_RECORD_BYTES)
			break;
		vyw_build(&bd, &c, default_specs, 3, &b);
		if (vyc_cast(&bd, &b, NULL, rcpt, &seq, &why) != VY_R_OK)
			fail_msg("cast %u: %s", i, why.msg);
		vy_built_ballot_free(&b);
	}
	assert_true(len > LARGE_RECORD_BYTES);
	vyc_credential_close(&c);
	vyc_board_free(&bd);
	/* the library reads the whole record */
	vyw_fetch(w, &bd);
	assert_true(bd.record_len > LARGE_RECORD_BYTES);
	before = bd.st.ballots;
	vyc_board_free(&bd);
	/* the program: cast (a revote of the same credential), then check */
	vyw_tmp_path(w, rcpt, "large-cli.pb");
	vyw_tmp_path(w, out, "large.out");
	snprintf(args, sizeof args, "cast --board %s --credential '%s' --passphrase-file '%s' --choice 1=1 --choice 2=1 "
		 "--choice 3=1 --receipt '%s'", w->url, cred, w->pass_file, rcpt);
	assert_int_equal(run_vote(w, args, out), 0);
	assert_true(file_has(out, "Tracking code"));
	assert_true(file_has(out, "only your latest ballot counts"));
	snprintf(args, sizeof args, "check --board %s --receipt '%s'", w->url, rcpt);
	assert_int_equal(run_vote(w, args, out), 0);
	assert_int_equal(vyc_check(w->url, rcpt, &res, &why), VY_R_OK);
	assert_false(res.superseded);
	vyw_fetch(w, &bd);
	assert_int_equal(bd.st.ballots, before + 1);
	assert_int_equal(res.seq, bd.st.next_seq - 1);
	vyc_board_free(&bd);
}

/* A revote through the program: the second cast says it replaces the
 * first; check reports the first superseded; after close and tally, the
 * second is the one counted. */
static void test_revote_and_tally(void **state)
{
	vyw_world *w = *state;
	vyc_board bd;
	char cred[VYH_PATH_BYTES], r1[VYH_PATH_BYTES], r2[VYH_PATH_BYTES], out[VYH_PATH_BYTES];
	char args[5 * VYH_PATH_BYTES];
	vyc_check_result res1, res2;
	vy_reason why;

	vyw_fetch(w, &bd);
	vyw_register(w, &bd, cred);
	vyw_tmp_path(w, r1, "revote-1.pb");
	vyw_tmp_path(w, r2, "revote-2.pb");
	vyw_tmp_path(w, out, "revote.out");
	snprintf(args, sizeof args, "cast --board %s --credential '%s' --passphrase-file '%s' --choice 1=1 --choice 2=1 "
		 "--choice 3=1 --receipt '%s'", w->url, cred, w->pass_file, r1);
	assert_int_equal(run_vote(w, args, out), 0);
	assert_true(file_has(out, "Tracking code"));
	snprintf(args, sizeof args, "cast --board %s --credential '%s' --passphrase-file '%s' --choice 1=3 --choice 2=2,4 "
		 "--choice 3=3 --audit --receipt '%s'", w->url, cred, w->pass_file, r2);
	assert_int_equal(run_vote(w, args, out), 0);
	assert_true(file_has(out, "Audited"));
	assert_true(file_has(out, "only your latest ballot counts"));
	assert_true(file_has(out, "this ballot replaces it"));
	assert_int_equal(vyc_check(w->url, r1, &res1, &why), VY_R_OK);
	assert_int_equal(vyc_check(w->url, r2, &res2, &why), VY_R_OK);
	assert_true(res1.superseded);
	assert_int_equal(res1.latest_seq, res2.seq);
	assert_false(res2.superseded);
	snprintf(args, sizeof args, "check --board %s --receipt '%s'", w->url, r1);
	assert_int_equal(run_vote(w, args, out), 0);
	assert_true(file_has(out, "superseded by a later ballot"));
	vyc_board_free(&bd);
	/* close and tally through the commission's admin actions */
	for (int action = ADMIN_CLOSE; action <= ADMIN_TALLY; action++) {
		size_t n;
		uint8_t *m;
		vyh_resp r;

		vyw_fetch(w, &bd);
		m = vyh_admin_action(&w->e, action, bd.st.head_hash, w->e.commission_sk, &n);
		vyh_post(&w->e.b, VY_PATH_ADMIN, m, n, &r);
		if (r.status != 200)
			fail_msg("admin %d: %ld %s", action, r.status, (const char *)r.body);
		vyh_resp_free(&r);
		free(m);
		vyc_board_free(&bd);
		if (action == ADMIN_CLOSE)
			post_issued(w);
	}
	assert_int_equal(vyc_check(w->url, r2, &res2, &why), VY_R_OK);
	assert_true(res2.tallied);
	assert_false(res2.superseded);
	snprintf(args, sizeof args, "check --board %s --receipt '%s'", w->url, r2);
	assert_int_equal(run_vote(w, args, out), 0);
	assert_true(file_has(out, "is the one counted in the tally"));
}

/* The program's credential file: `register` seals it under the passphrase
 * of --passphrase-file, with an earliest cast time at least a minute away
 * (client.md §6.2; the fixtures' voting times are past, so up to a day);
 * `cast` with another passphrase is refused with a clear message (exit 1),
 * the file and the board unchanged; both sources at once are a usage
 * error; the right passphrase before the earliest time is refused, saying
 * why and until when, unless --cast-now, which says the risk. */
static void test_passphrase(void **state)
{
	vyw_world *w = *state;
	char cred[VYH_PATH_BYTES], wrong[VYH_PATH_BYTES], out[VYH_PATH_BYTES], rcpt[VYH_PATH_BYTES];
	char args[6 * VYH_PATH_BYTES];
	uint8_t *before, *after;
	char *file1, *file2;
	size_t before_len, after_len, l1, l2;

	vyw_tmp_path(w, cred, "cli-credential.pb");
	vyw_tmp_path(w, wrong, "wrong.pass");
	vyw_tmp_path(w, out, "passphrase.out");
	vyw_tmp_path(w, rcpt, "passphrase-receipt.pb");
	vytest_write_file(wrong, (const uint8_t *)"not the passphrase\n", 19);
	assert_true(w->next_code < w->reg.n_codes);
	snprintf(args, sizeof args, "register --board %s --registrar %s --code %s --credential '%s' "
		 "--passphrase-file '%s'", w->url, w->reg.url, w->reg.codes[w->next_code++], cred, w->pass_file);
	assert_int_equal(run_vote(w, args, out), 0);
	assert_true(file_has(out, "sealed under your passphrase"));
	assert_true(file_has(out, "can be linked to it by the times alone"));
	file1 = vytest_read_file(cred, &l1);
	assert_memory_equal(file1, "VYBAR-CREDENTIAL/1\n", 19);
	before = vyh_record(&w->e.b, &before_len);
	snprintf(args, sizeof args, "cast --board %s --credential '%s' --passphrase-file '%s' --choice 1=1 "
		 "--choice 2=1 --choice 3=1 --yes --receipt '%s'", w->url, cred, wrong, rcpt);
	assert_int_equal(run_vote(w, args, out), 1);
	assert_true(file_has(out, "wrong passphrase, or the file was modified (nothing was changed)"));
	snprintf(args, sizeof args, "cast --board %s --credential '%s' --passphrase-file '%s' --passphrase-fd 0 "
		 "--choice 1=1 --choice 2=1 --choice 3=1 --yes --receipt '%s'", w->url, cred, wrong, rcpt);
	assert_int_equal(run_vote(w, args, out), 2);
	assert_true(file_has(out, "give --passphrase-file or --passphrase-fd, not both"));
	after = vyh_record(&w->e.b, &after_len);
	assert_int_equal(after_len, before_len);
	assert_memory_equal(after, before, before_len);
	file2 = vytest_read_file(cred, &l2);
	assert_int_equal(l2, l1);
	assert_memory_equal(file2, file1, l1);
	assert_int_equal(access(rcpt, F_OK), -1);
	/* the right passphrase, by descriptor, too early: refused, nothing sent */
	snprintf(args, sizeof args, "cast --board %s --credential '%s' --passphrase-fd 3 --choice 1=1 "
		 "--choice 2=1 --choice 3=1 --yes --receipt '%s' 3<'%s'", w->url, cred, rcpt, w->pass_file);
	assert_int_equal(run_vote(w, args, out), 1);
	assert_true(file_has(out, "not yet: this credential is to be cast from "));
	assert_true(file_has(out, "linked to it by the times alone"));
	assert_true(file_has(out, "--cast-now to take that risk (nothing was sent)"));
	free(after);
	after = vyh_record(&w->e.b, &after_len);
	assert_int_equal(after_len, before_len);
	assert_memory_equal(after, before, before_len);
	assert_int_equal(access(rcpt, F_OK), -1);
	/* --cast-now: the vote goes through, and the voter is told the risk */
	snprintf(args, sizeof args, "cast --board %s --credential '%s' --passphrase-fd 3 --choice 1=1 "
		 "--choice 2=1 --choice 3=1 --yes --cast-now --receipt '%s' 3<'%s'", w->url, cred, rcpt, w->pass_file);
	assert_int_equal(run_vote(w, args, out), 0);
	assert_true(file_has(out, "as --cast-now asks: whoever sees when codes are used"));
	assert_int_equal(access(rcpt, F_OK), 0);
	free(before);
	free(after);
	free(file1);
	free(file2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cast_receipt_check),
		cmocka_unit_test(test_audit_then_cast),
		cmocka_unit_test(test_dishonest_audit_refused),
		cmocka_unit_test(test_invalid_choices),
		cmocka_unit_test(test_bad_receipt_reported),
		cmocka_unit_test(test_large_record),
		cmocka_unit_test(test_passphrase),
		cmocka_unit_test(test_revote_and_tally), /* last: closes the election */
	};

	return cmocka_run_group_tests(tests, vyw_setup, vyw_teardown);
}
