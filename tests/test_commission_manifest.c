/*
 * `vybar-commission manifest` (specs/commission.md): the real program on
 * description files. A good description gives a manifest whose every field
 * is the file's (and the fixtures' description gives the fixtures'
 * manifest byte for byte, with its fingerprint printed); each bad
 * description of the table is refused with exit status 1, one message
 * naming the JSON member (or the key's source), and no file written; an
 * existing manifest is never overwritten. Witnesses (specs/witness.md §5)
 * come from --witness NAME=HEX or a --witnesses file with
 * --witness-threshold K, and each bad one is refused naming its source.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "protocol/vy_description.h"
#include "protocol/vy_json.h"
#include "tests/support/commission_fixtures.h"

#ifndef VYBAR_COMMISSION_PROGRAM
#error "VYBAR_COMMISSION_PROGRAM must name vybar-commission (tests/CMakeLists.txt)"
#endif

#define OUT_BYTES (64u << 10)
#define PATH_BYTES 1024
#define EXIT_REFUSED 1

static vyf_keys fk;
static vycf_keys ck;
static char dir[PATH_BYTES], board_hex[65], commission_hex[65];
static char keys_path[PATH_BYTES], tpks_path[PATH_BYTES], json_path[PATH_BYTES], out_path[PATH_BYTES];
static char out[OUT_BYTES];

static int setup(void **state)
{
	const char *tmp = getenv("TMPDIR");

	(void)state;
	vytest_init();
	vyf_keys_init(&fk, 3, 2);
	vycf_keys_init(&ck, &fk);
	snprintf(dir, sizeof dir, "%s/vybar-commission-XXXXXX", tmp ? tmp : "/tmp");
	assert_non_null(mkdtemp(dir));
	vycf_write_key_files(&ck, &fk, dir, board_hex, commission_hex);
	snprintf(keys_path, sizeof keys_path, "%.900s/registrar-keys.pb", dir);
	snprintf(tpks_path, sizeof tpks_path, "%.900s/trustee-pks.txt", dir);
	snprintf(json_path, sizeof json_path, "%.900s/election.json", dir);
	snprintf(out_path, sizeof out_path, "%.900s/manifest.pb", dir);
	return 0;
}

static int teardown(void **state)
{
	const char *names[] = { "registrar-keys.pb", "trustee-pks.txt", "election.json", "manifest.pb",
				"bad-keys.txt", "garbage.pb", "witnesses.txt" };
	char p[PATH_BYTES + 32];

	(void)state;
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		snprintf(p, sizeof p, "%s/%s", dir, names[i]);
		unlink(p);
	}
	rmdir(dir);
	return 0;
}

/* Run `vybar-commission manifest` on description file json (stdout and stderr
 * into out); the exit status. */
static int run_manifest(const char *json, const char *tpks, const char *bpk, const char *rkeys)
{
	const char *args[] = { "manifest",	  "--election", json,	   "--registrar-keys", rkeys,
			       "--board-pk",	  bpk,		"--commission-pk", commission_hex, "--trustee-pks",
			       tpks,		  "--out",	out_path,  NULL };

	return vytest_run(out, sizeof out, 1, VYBAR_COMMISSION_PROGRAM, args);
}

static int exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

/* The fixtures' description: the fixtures' manifest, byte for byte; the
 * fingerprint printed is its base hash; a second run does not overwrite. */
static void test_manifest_fixtures(void **state)
{
	uint8_t *want, base[VY_HASH_BYTES];
	char *got, line[128], hex[65];
	size_t want_len = 0, got_len = 0;
	Vybar__Manifest *m = NULL;

	(void)state;
	unlink(out_path);
	vytest_write_file(json_path, (const uint8_t *)vycf_description, strlen(vycf_description));
	if (run_manifest(json_path, tpks_path, board_hex, keys_path) != 0)
		fail_msg("%s", out);
	want = vyf_manifest_pack(&fk, &want_len);
	got = vytest_read_file(out_path, &got_len);
	assert_int_equal(got_len, want_len);
	assert_memory_equal(got, want, want_len);
	assert_int_equal(vy_decode_manifest(&m, want, want_len, NULL), VY_R_OK);
	vy_manifest_hash(m, base);
	vytest_hex(hex, base, sizeof base);
	snprintf(line, sizeof line, "Election fingerprint: %s\n", hex);
	assert_non_null(strstr(out, line));
	assert_non_null(strstr(out, "Election: Test election (vybar-test-2026)\n"));
	assert_non_null(strstr(out, "Trustees: 3; 2 of them are needed to decrypt the tally\n"));
	/* never over an existing manifest (an I/O error: nothing decided) */
	assert_int_equal(run_manifest(json_path, tpks_path, board_hex, keys_path), 3);
	assert_non_null(strstr(out, "never overwritten"));
	free(got);
	free(want);
	vy_msg_free(m);
	unlink(out_path);
}

static Vybar__Gender gender_of(const char *g)
{
	return strcmp(g, "F") == 0 ? VYBAR__GENDER__GENDER_FEMALE
	       : strcmp(g, "M") == 0 ? VYBAR__GENDER__GENDER_MALE
				     : VYBAR__GENDER__GENDER_OTHER;
}

static long long int_of(const vyjson *o, const char *name, long long dflt)
{
	long long v;

	return vyjson_int(vyjson_get(o, name), &v) ? v : dflt;
}

static int bool_of(const vyjson *o, const char *name)
{
	const vyjson *v = vyjson_get(o, name);

	return v != NULL && v->type == VYJSON_TRUE;
}

/* Every field of contest c equals the description's. */
/* The translations of the text held by the JSON object jo (its member
 * "translations", if any) are t: the same texts, sorted by language. */
static void same_translations(const vyjson *jo, Vybar__Translation *const *t, size_t n)
{
	const vyjson *jt = jo->type == VYJSON_OBJECT ? vyjson_get(jo, "translations") : NULL;

	assert_int_equal(n, jt == NULL ? 0 : vyjson_len(jt));
	for (size_t i = 0; i < n; i++) {
		assert_string_equal(t[i]->text, vyjson_get_string(jt, t[i]->lang));
		if (i > 0)
			assert_true(strcmp(t[i - 1]->lang, t[i]->lang) < 0);
	}
}

/* An option of the description: a string, or {"title", "translations"}. */
static const char *option_title(const vyjson *o)
{
	return o->type == VYJSON_OBJECT ? vyjson_get_string(o, "title") : vyjson_string(o);
}

static void same_contest(const vyjson *jc, const Vybar__Contest *c)
{
	static const char *const kinds[] = { "", "one-of-n", "approval", "party-list" };
	static const char *const methods[] = { "", "hare-all", "hare-qualifying", "dhondt", "sainte-lague" };
	const vyjson *opts = vyjson_get(jc, "options"), *lists = vyjson_get(jc, "lists");
	const Vybar__PartyListContest *pl = c->party_list;

	assert_string_equal(c->title, vyjson_get_string(jc, "title"));
	same_translations(jc, c->translations, c->n_translations);
	assert_string_equal(kinds[c->kind], vyjson_get_string(jc, "kind"));
	assert_int_equal(c->allow_blank, bool_of(jc, "allow_blank"));
	assert_int_equal(c->min_selections, int_of(jc, "min", 0));
	assert_int_equal(c->max_selections, int_of(jc, "max", 0));
	assert_int_equal(c->n_options, vyjson_len(opts));
	for (size_t i = 0; i < c->n_options; i++) {
		assert_string_equal(c->options[i]->title, option_title(vyjson_at(opts, i)));
		same_translations(vyjson_at(opts, i), c->options[i]->translations, c->options[i]->n_translations);
	}
	if (lists == NULL) {
		assert_null(pl);
		return;
	}
	assert_non_null(pl);
	assert_int_equal(pl->seats, int_of(jc, "seats", -1));
	assert_int_equal(pl->threshold_basis_points, int_of(jc, "threshold_bp", 0));
	assert_string_equal(methods[pl->seat_method], vyjson_get_string(jc, "method"));
	assert_int_equal(pl->min_candidates, int_of(jc, "min_candidates", 0));
	assert_int_equal(pl->gender_rule->block_size, int_of(vyjson_get(jc, "gender_rule"), "block_size", 0));
	assert_int_equal(pl->gender_rule->min_per_block, int_of(vyjson_get(jc, "gender_rule"), "min_per_block", 0));
	assert_int_equal(pl->n_lists, vyjson_len(lists));
	for (size_t l = 0; l < pl->n_lists; l++) {
		const vyjson *jl = vyjson_at(lists, l), *cands = vyjson_get(jl, "candidates");

		assert_string_equal(pl->lists[l]->name, vyjson_get_string(jl, "name"));
		same_translations(jl, pl->lists[l]->translations, pl->lists[l]->n_translations);
		assert_int_equal(pl->lists[l]->n_candidates, vyjson_len(cands));
		for (size_t k = 0; k < pl->lists[l]->n_candidates; k++) {
			const vyjson *jk = vyjson_at(cands, k);

			assert_string_equal(pl->lists[l]->candidates[k]->name, vyjson_get_string(jk, "name"));
			same_translations(jk, pl->lists[l]->candidates[k]->translations,
					  pl->lists[l]->candidates[k]->n_translations);
			assert_int_equal(pl->lists[l]->candidates[k]->gender, gender_of(vyjson_get_string(jk, "gender")));
		}
	}
}

/* The example of specs/commission.md: every field of the manifest is the
 * file's (read here with the JSON reader), every key the one given. */
static void test_manifest_round_trip(void **state)
{
	const char *src = vytest_source_path("specs/election-example.json");
	char err[160], *text, *mb;
	size_t len = 0, mlen = 0;
	uint64_t t = 0;
	Vybar__Manifest *m = NULL;
	const vyjson *names, *contests;
	vyjson *j;

	(void)state;
	unlink(out_path);
	if (run_manifest(src, tpks_path, board_hex, keys_path) != 0)
		fail_msg("%s", out);
	text = vytest_read_file(src, &len);
	j = vyjson_parse(text, len, err, sizeof err);
	if (j == NULL)
		fail_msg("%s", err);
	mb = vytest_read_file(out_path, &mlen);
	assert_int_equal(vy_decode_manifest(&m, (const uint8_t *)mb, mlen, NULL), VY_R_OK);
	assert_int_equal(vy_manifest_validate(m, NULL), VY_R_OK);
	assert_string_equal(m->election_id, vyjson_get_string(j, "election_id"));
	assert_string_equal(m->title, vyjson_get_string(j, "title"));
	same_translations(j, m->translations, m->n_translations);
	/* the example translates (it must, or the check above proves nothing) */
	assert_int_equal(m->n_translations, 2);
	assert_string_equal(m->translations[0]->lang, "be");
	assert_string_equal(m->group, "ristretto255"); /* the default */
	assert_int_equal(vy_description_time(vyjson_get_string(j, "voting_start"), &t), 0);
	assert_int_equal(m->voting_start, t);
	assert_int_equal(vy_description_time(vyjson_get_string(j, "voting_end"), &t), 0);
	assert_int_equal(m->voting_end, t);
	assert_int_equal(m->counting_rule, VYBAR__COUNTING_RULE__COUNTING_RULE_LAST_BALLOT);
	assert_int_equal(m->threshold, int_of(j, "threshold", -1));
	names = vyjson_get(j, "trustees");
	assert_int_equal(m->trustee_count, 3);
	assert_int_equal(m->n_trustees, vyjson_len(names));
	for (size_t i = 0; i < m->n_trustees; i++) {
		assert_int_equal(m->trustees[i]->index, i + 1);
		assert_string_equal(m->trustees[i]->name, vyjson_string(vyjson_at(names, i)));
		assert_int_equal(m->trustees[i]->signing_key.len, 32);
		assert_memory_equal(m->trustees[i]->signing_key.data, fk.trustee_pk[i], 32);
	}
	assert_memory_equal(m->board_key.data, fk.board_pk, 32);
	assert_memory_equal(m->commission_key.data, ck.commission_pk, 32);
	assert_memory_equal(m->registrar_statement_key.data, fk.statement_pk, 32);
	assert_int_equal(m->registrar_key->modulus.len, VYF_REGISTRAR_BYTES);
	assert_memory_equal(m->registrar_key->modulus.data, fk.registrar_modulus, VYF_REGISTRAR_BYTES);
	contests = vyjson_get(j, "contests");
	assert_int_equal(m->n_contests, vyjson_len(contests));
	for (size_t c = 0; c < m->n_contests; c++)
		same_contest(vyjson_at(contests, c), m->contests[c]);
	/* every kind, blank, the gender X and a method other than Hare are there */
	assert_int_equal(m->contests[2]->party_list->lists[2]->candidates[2]->gender, VYBAR__GENDER__GENDER_OTHER);
	vy_msg_free(m);
	vyjson_free(j);
	free(mb);
	free(text);
	unlink(out_path);
}

/* A wrong description, each refused with one message naming the member. */
static void test_manifest_refusals(void **state)
{
	static char long_id[160];
	static const struct {
		const char *from, *to, *want;
	} cases[] = {
		{ "\"List A candidate 1\", \"gender\": \"F\"", "\"List A candidate 1\", \"gender\": \"W\"",
		  "contests[2].lists[0].candidates[0].gender: must be \"F\", \"M\" or \"X\"" },
		{ "\"List C candidate 3\", \"gender\": \"F\"", "\"List C candidate 3\", \"gender\": \"f\"",
		  "contests[2].lists[2].candidates[2].gender: must be \"F\", \"M\" or \"X\"" },
		{ "\"seats\": 5", "\"seats\": 0", "contests[2].seats: 0 seats, must be 1..100000" },
		{ "\"seats\": 5", "\"seats\": \"5\"", "contests[2].seats: must be a number, not a string" },
		{ "\"seats\": 5", "\"seats\": 5.5", "contests[2].seats: must be a whole number from 0 to 4294967295, not 5.5" },
		{ "\"seats\": 5", "\"seats\": -1", "contests[2].seats: must be a whole number" },
		{ "\"threshold_bp\": 300", "\"threshold_bp\": 10001",
		  "contests[2].threshold_bp: threshold 10001 basis points exceeds 10000" },
		{ "\"hare-all\"", "\"hare\"",
		  "contests[2].method: must be \"hare-all\", \"hare-qualifying\", \"dhondt\" or \"sainte-lague\"" },
		{ "\"List B candidate 2\", \"gender\": \"M\"", "\"List B candidate 2\", \"gender\": \"F\"",
		  "contests[2].lists[1].candidates: block 1 (candidates 1-2) has 2 female and 0 male candidates" },
		{ "\"min_per_block\": 1", "\"min_per_block\": 2",
		  "contests[2].gender_rule: gender rule 2 of each in blocks of 2 is impossible" },
		{ "\"block_size\": 2, ", "", "contests[2].gender_rule.block_size: missing (required)" },
		{ "\"min_candidates\": 2", "\"min_candidates\": 5",
		  "contests[2].lists[0].candidates: 4 candidates, must be 5..1000" },
		{ "\"name\": \"List B\"", "\"name\": \"\"", "contests[2].lists[1].name: length 0, must be 1..1024 bytes" },
		{ "\"List A candidate 2\"", "\"\"",
		  "contests[2].lists[0].candidates[1].name: length 0, must be 1..1024 bytes" },
		{ "{ \"name\": \"List A candidate 1\", \"gender\": \"F\" }", "\"List A candidate 1\"",
		  "contests[2].lists[0].candidates[0]: must be an object" },
		{ "\"lists\": [", "\"lists\": [], \"x\": [", "contests[2].x: unknown field" },
		{ "\"lists\": [",
		  "\"lists\": [] }, { \"kind\": \"party-list\", \"title\": \"T\", \"seats\": 1, \"method\": \"dhondt\", "
		  "\"lists\": [",
		  "contests[2].lists: 0 lists, must be 1..1000" },
		{ "\"max\": 2", "\"max\": 5", "contests[1].max: need 0 <= min (1) <= max (5) <= 4, max >= 1" },
		{ "\"max\": 2", "\"max\": 0", "contests[1].max: need 0 <= min (1) <= max (0) <= 4, max >= 1" },
		{ "\"options\": [\"Answer 1\", \"Answer 2\", \"Answer 3\"]", "\"options\": [\"Answer 1\"]",
		  "contests[0].options: one-of-n without blank needs 2 options" },
		{ "\"Answer 2\"", "\"\"", "contests[0].options[1]: length 0, must be 1..1024 bytes" },
		{ "\"Answer 2\"", "\"Answer\\t2\"", "contests[0].options[1]: control character at byte 6 (byte 0x09)" },
		{ "\"Answer 2\"", "\"Answer\\u00002\"", "contests[0].options[1]: control character at byte 6 (byte 0x00)" },
		{ "\"List C candidate 2\"", "\"List C \\u202ecandidate 2\"",
		  "contests[2].lists[2].candidates[1].name: control character at byte 7 (byte 0xe2)" },
		{ "\"Test election\"", "\"Test\\u0085election\"", "title: control character at byte 4 (byte 0xc2)" },
		{ "\"kind\": \"one-of-n\"", "\"kind\": \"referendum\"",
		  "contests[0].kind: must be \"one-of-n\", \"approval\" or \"party-list\"" },
		{ "\"kind\": \"one-of-n\",", "", "contests[0].kind: missing (required)" },
		{ "\"title\": \"Approval question\",", "", "contests[1].title: missing (required)" },
		{ "\"allow_blank\": true", "\"allow_blank\": true, \"seat\": 5", "contests[2].seat: unknown field" },
		{ "\"min\": 1,", "\"min\": 1, \"seats\": 5,", "contests[1].seats: not used by an approval contest" },
		{ "\"title\": \"Referendum question\",", "\"title\": \"Referendum question\", \"max\": 1,",
		  "contests[0].max: not used by a one-of-n contest" },
		{ "\"allow_blank\": true", "\"allow_blank\": \"yes\"",
		  "contests[2].allow_blank: must be true or false, not a string" },
		{ "\"threshold\": 2", "\"threshold\": 4", "threshold: 4, must be 1..3" },
		{ "\"threshold\": 2,", "\"threshold\": 2, \"trustees\": [\"A\", \"B\"],",
		  "trustees: 2 names for 3 trustee keys" },
		{ "\"threshold\": 2,", "\"threshold\": 2, \"trustees\": [\"A\", \"\", \"C\"],",
		  "trustees[1]: length 0, must be 1..1024 bytes" },
		{ "\"2026-05-06T18:53:20+02:00\"", "\"2026-05-05T16:53:20Z\"",
		  "voting_end: start 1778000000 is not before end 1778000000" },
		{ "\"2026-05-05T16:53:20Z\"", "\"2026-05-05\"", "voting_start: must be a date and time such as" },
		{ "\"voting_start\": \"2026-05-05T16:53:20Z\",", "", "voting_start: missing (required)" },
		{ "\"vybar-test-2026\"", long_id, "election_id: length 129, must be 1..128 bytes" },
		{ "\"ristretto255\"", "\"p256\"", "group: \"p256\" is not known" },
		{ "\"last-ballot\"", "\"first-ballot\"", "counting_rule: must be \"last-ballot\"" },
		{ "\"max_ballots_per_credential\": 10", "\"max_ballots_per_credential\": 0",
		  "max_ballots_per_credential: 0, must be 1..1000" },
		{ "\"min_seconds_between_ballots\": 0", "\"min_seconds_between_ballots\": 86401",
		  "min_seconds_between_ballots: must be a whole number from 0 to 86400, not 86401" },
		{ "\"contests\": [", "\"contests\": [], \"c\": [", "c: unknown field" },
		{ "\"contests\": [", "\"contest\": [], \"contests\": [", "contest: unknown field" },
		{ "\"contests\": [", "\"x\": [], \"contests\": [] , \"y\": [",
		  "x: unknown field" },
		{ "\"threshold\": 2,", "\"threshold\": 2,,", "line 7, column 17: not JSON: expected a member name" },
		{ "\"threshold\": 2,", "\"threshold\": 2, \"title\": \"x\",", "line 7, column 18: not JSON: duplicate member name" },
		{ "\"Council\"", "\"Coun\\ud800cil\"", "not JSON: lone high surrogate" },
		/* translations (specs/commission.md §2.6, protocol.md §3.7) */
		{ "\"Test election\"", "\"Test election\", \"translations\": {\"RU\": \"x\"}",
		  "title translation 0: lang must be 2..3 lower-case letters a-z" },
		{ "\"Answer 2\"", "{ \"title\": \"Answer 2\", \"translations\": [] }",
		  "contests[0].options[1].translations: must be an object, not an array" },
		{ "\"Answer 2\"", "{ \"title\": \"Answer 2\", \"translations\": { \"ru\": \"\" } }",
		  "contest 0 option 1 title translation 0 (ru): length 0, must be 1..1024 bytes" },
		{ "\"Answer 2\"", "{ \"title\": \"Answer 2\", \"x\": 1 }", "contests[0].options[1].x: unknown field" },
		{ "\"Answer 2\"", "{ \"translations\": { \"ru\": \"2\" } }",
		  "contests[0].options[1].title: missing (required)" },
	};
	char want_path[PATH_BYTES + 64];

	(void)state;
	long_id[0] = '"';
	memset(long_id + 1, 'x', 129);
	long_id[130] = '"';
	snprintf(want_path, sizeof want_path, "vybar-commission: %s: ", json_path);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *text = vycf_replace(vycf_description, cases[i].from, cases[i].to);
		int rc;

		unlink(out_path);
		vytest_write_file(json_path, (const uint8_t *)text, strlen(text));
		rc = run_manifest(json_path, tpks_path, board_hex, keys_path);
		free(text);
		if (rc != EXIT_REFUSED)
			fail_msg("case %zu: exit %d (not 2): %s", i, rc, out);
		if (strncmp(out, want_path, strlen(want_path)) != 0 || strstr(out, cases[i].want) == NULL ||
		    strstr(out, " (nothing written)\n") == NULL)
			fail_msg("case %zu: \"%s\" does not say \"%s\"", i, out, cases[i].want);
		/* one line, and no manifest */
		assert_int_equal(strchr(out, '\n') - out + 1, (long)strlen(out));
		assert_false(exists(out_path));
	}
	unlink(out_path);
}

/* The keys from outside: each refusal names its option. */
static void test_manifest_key_refusals(void **state)
{
	char bad_tpks[PATH_BYTES], garbage[PATH_BYTES], hex[65], text[4 * 66 + 8];
	uint8_t ff[32];
	FILE *f;

	(void)state;
	unlink(out_path);
	vytest_write_file(json_path, (const uint8_t *)vycf_description, strlen(vycf_description));
	snprintf(bad_tpks, sizeof bad_tpks, "%.900s/bad-keys.txt", dir);
	snprintf(garbage, sizeof garbage, "%.900s/garbage.pb", dir);
	/* a line that is not a key */
	f = fopen(bad_tpks, "w");
	assert_non_null(f);
	vytest_hex(hex, fk.trustee_pk[0], 32);
	fprintf(f, "%s\n\n%.63s\n", hex, hex);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(run_manifest(json_path, bad_tpks, board_hex, keys_path), 1);
	assert_non_null(strstr(out, "--trustee-pks"));
	assert_non_null(strstr(out, "line 3: not a public key (64 hex digits)"));
	assert_false(exists(out_path));
	/* the same key twice: the protocol's rule, at the second */
	snprintf(text, sizeof text, "%s\n", hex);
	vytest_hex(hex, fk.trustee_pk[1], 32);
	strcat(text, hex);
	strcat(text, "\n");
	vytest_hex(hex, fk.trustee_pk[0], 32);
	strcat(text, hex);
	strcat(text, "\n");
	vytest_write_file(bad_tpks, (const uint8_t *)text, strlen(text));
	assert_int_equal(run_manifest(json_path, bad_tpks, board_hex, keys_path), EXIT_REFUSED);
	assert_non_null(strstr(out, "bad-keys.txt: key 3: the same key as trustee 1 (nothing written)"));
	assert_false(exists(out_path));
	/* a board key that is no Ed25519 point */
	memset(ff, 0xff, sizeof ff);
	vytest_hex(hex, ff, 32);
	assert_int_equal(run_manifest(json_path, tpks_path, hex, keys_path), EXIT_REFUSED);
	assert_non_null(strstr(out, "vybar-commission: --board-pk: not a valid Ed25519 public key (nothing written)"));
	assert_false(exists(out_path));
	assert_int_equal(run_manifest(json_path, tpks_path, "abc", keys_path), 2); /* a usage error */
	assert_non_null(strstr(out, "--board-pk: not a public key (64 hex digits)"));
	/* not the registrar's public keys */
	vytest_write_file(garbage, (const uint8_t *)"\x0a\x03xyz", 5);
	assert_int_equal(run_manifest(json_path, tpks_path, board_hex, garbage), 1);
	assert_non_null(strstr(out, "--registrar-keys"));
	assert_non_null(strstr(out, "not the registrar's public keys"));
	assert_false(exists(out_path));
}

/* `manifest` with the fixtures' keys and description and the witness
 * options extra[] (NULL-terminated, at most 16); the exit status. */
static int run_witnesses(const char *const *extra)
{
	const char *args[48] = { "manifest",	     "--election",  json_path,	    "--registrar-keys", keys_path,
				 "--board-pk",	     board_hex,	    "--commission-pk", commission_hex, "--trustee-pks",
				 tpks_path,	     "--out",	    out_path };
	size_t n = 13;

	for (size_t i = 0; extra[i] != NULL; i++)
		args[n++] = extra[i];
	args[n] = NULL;
	return vytest_run(out, sizeof out, 1, VYBAR_COMMISSION_PROGRAM, args);
}

/* A description that states no revoting limits gets the commission's
 * defaults (commission.md §2.1): 10 ballots, 60 seconds apart; the
 * summary says so. */
static void test_revoting_defaults(void **state)
{
	char *text = vycf_replace(vycf_description, "\t\"max_ballots_per_credential\": 10,\n", "");
	char *t2 = vycf_replace(text, "\t\"min_seconds_between_ballots\": 0,\n", "");
	Vybar__Manifest *m = NULL;
	uint8_t *got;
	size_t got_len = 0;

	(void)state;
	unlink(out_path);
	vytest_write_file(json_path, (const uint8_t *)t2, strlen(t2));
	if (run_manifest(json_path, tpks_path, board_hex, keys_path) != 0)
		fail_msg("%s", out);
	got = (uint8_t *)vytest_read_file(out_path, &got_len);
	assert_int_equal(vy_decode_manifest(&m, got, got_len, NULL), VY_R_OK);
	assert_int_equal(m->max_ballots_per_credential, VY_DESC_DEFAULT_MAX_BALLOTS);
	assert_int_equal(m->min_seconds_between_ballots, VY_DESC_DEFAULT_MIN_SECONDS);
	assert_non_null(strstr(out, "Revoting: at most 10 ballots per credential, at least 60 seconds apart"));
	vy_msg_free(m);
	free(got);
	free(t2);
	free(text);
	unlink(out_path);
}

/* The manifest written equals the fixtures' manifest with 3 witnesses, k = 2. */
static void assert_witnessed_manifest(void)
{
	vyf_keys wk = fk;
	uint8_t *want;
	char *got;
	size_t want_len = 0, got_len = 0;

	wk.n_witnesses = VYF_WITNESSES;
	wk.witness_k = VYF_WITNESS_K;
	want = vyf_manifest_pack(&wk, &want_len);
	got = vytest_read_file(out_path, &got_len);
	assert_int_equal(got_len, want_len);
	assert_memory_equal(got, want, want_len);
	free(got);
	free(want);
	unlink(out_path);
}

/* Witnesses from --witness NAME=HEX and from a --witnesses file: the
 * fixtures' witnessed manifest byte for byte, listed in the summary; each
 * bad witness refused, naming its option, and nothing written. */
static void test_manifest_witnesses(void **state)
{
	char hex[VYF_WITNESSES][65], opt[VYF_WITNESSES][300], wpath[PATH_BYTES], text[1024] = "", ff[65], bad[300];
	char line[300];
	uint8_t ffk[32];

	(void)state;
	unlink(out_path);
	vytest_write_file(json_path, (const uint8_t *)vycf_description, strlen(vycf_description));
	for (uint32_t i = 0; i < VYF_WITNESSES; i++) {
		vytest_hex(hex[i], fk.witness_pk[i], 32);
		snprintf(opt[i], sizeof opt[i], "%s=%s", vyf_witness_name(i + 1), hex[i]);
		snprintf(line, sizeof line, "%s %s\n\n", vyf_witness_name(i + 1), hex[i]);
		strcat(text, line);
	}
	{
		const char *extra[] = { "--witness", opt[0], "--witness", opt[1], "--witness", opt[2],
					"--witness-threshold", "2", NULL };

		if (run_witnesses(extra) != 0)
			fail_msg("%s", out);
	}
	assert_non_null(strstr(out, "Witnesses: 3; the tally needs the cosignatures of 2 of them"));
	snprintf(line, sizeof line, "  2. %s (%s)\n", vyf_witness_name(2), hex[1]);
	assert_non_null(strstr(out, line));
	assert_null(strstr(out, "Warning"));
	assert_witnessed_manifest();
	/* the same from a file of keygen's lines (blank lines ignored) */
	snprintf(wpath, sizeof wpath, "%.900s/witnesses.txt", dir);
	vytest_write_file(wpath, (const uint8_t *)text, strlen(text));
	{
		const char *extra[] = { "--witnesses", wpath, "--witness-threshold", "2", NULL };

		if (run_witnesses(extra) != 0)
			fail_msg("%s", out);
	}
	assert_witnessed_manifest();
	/* k not more than half: written, with the warning */
	{
		const char *extra[] = { "--witnesses", wpath, "--witness-threshold", "1", NULL };

		assert_int_equal(run_witnesses(extra), 0);
		assert_non_null(strstr(out, "Warning: 1 of 3 is not more than half"));
		unlink(out_path);
	}
	/* no witness: said so */
	{
		const char *extra[] = { NULL };

		assert_int_equal(run_witnesses(extra), 0);
		assert_non_null(strstr(out, "Witnesses: none."));
		unlink(out_path);
	}
	/* usage errors (2): a name that is no key name, a key that is not
	 * hex, no threshold, a threshold beyond m or without witnesses, both
	 * forms at once */
	{
		const char *extra[] = { "--witness", "a name=00", "--witness-threshold", "1", NULL };

		assert_int_equal(run_witnesses(extra), 2);
		assert_non_null(strstr(out, "--witness 1: the name \"a name\" is not a witness's key name"));
	}
	snprintf(bad, sizeof bad, "%s=%.63s", vyf_witness_name(2), hex[1]);
	{
		const char *extra[] = { "--witness", opt[0], "--witness", bad, "--witness-threshold", "1", NULL };

		assert_int_equal(run_witnesses(extra), 2);
		assert_non_null(strstr(out, "--witness 2: witness-2.test: not a public key (64 hex digits)"));
	}
	{
		const char *extra[] = { "--witness", opt[0], "--witness", opt[1], NULL };

		assert_int_equal(run_witnesses(extra), 2);
		assert_non_null(strstr(out, "--witness-threshold K is needed"));
	}
	{
		const char *extra[] = { "--witness", opt[0], "--witness", opt[1], "--witness-threshold", "3", NULL };

		assert_int_equal(run_witnesses(extra), 2);
		assert_non_null(strstr(out, "--witness-threshold"));
	}
	{
		const char *extra[] = { "--witness-threshold", "1", NULL };

		assert_int_equal(run_witnesses(extra), 2);
		assert_non_null(strstr(out, "--witness-threshold: no witness is named"));
	}
	{
		const char *extra[] = { "--witness", opt[0], "--witnesses", wpath, "--witness-threshold", "1", NULL };

		assert_int_equal(run_witnesses(extra), 2);
		assert_non_null(strstr(out, "give the witnesses one way only"));
	}
	assert_false(exists(out_path));
	/* the protocol's refusals (V2.10, exit 1): a key twice, a name twice,
	 * the board's key, a key that is no Ed25519 point */
	snprintf(bad, sizeof bad, "%s=%s", vyf_witness_name(3), hex[0]);
	{
		const char *extra[] = { "--witness", opt[0], "--witness", opt[1], "--witness", bad,
					"--witness-threshold", "2", NULL };

		assert_int_equal(run_witnesses(extra), EXIT_REFUSED);
		assert_non_null(strstr(out, "vybar-commission: --witness: witnesses 1 and 3 share a key (nothing written)"));
	}
	snprintf(bad, sizeof bad, "%s=%s", vyf_witness_name(1), hex[1]);
	{
		const char *extra[] = { "--witness", opt[0], "--witness", bad, "--witness-threshold", "2", NULL };

		assert_int_equal(run_witnesses(extra), EXIT_REFUSED);
		assert_non_null(strstr(out, "--witness: witnesses 1 and 2 have one name"));
	}
	snprintf(bad, sizeof bad, "board.test=%s", board_hex);
	{
		const char *extra[] = { "--witness", opt[0], "--witness", bad, "--witness-threshold", "1", NULL };

		assert_int_equal(run_witnesses(extra), EXIT_REFUSED);
		assert_non_null(strstr(out, "--witness: witness 2 public_key: the board's key"));
	}
	memset(ffk, 0xff, sizeof ffk);
	vytest_hex(ff, ffk, 32);
	snprintf(text, sizeof text, "%s %s\nlast.test %s\n", vyf_witness_name(1), hex[0], ff);
	vytest_write_file(wpath, (const uint8_t *)text, strlen(text));
	{
		const char *extra[] = { "--witnesses", wpath, "--witness-threshold", "2", NULL };

		assert_int_equal(run_witnesses(extra), EXIT_REFUSED);
		assert_non_null(strstr(out, "witnesses.txt: witness 2 public_key: not a valid Ed25519 public key"));
	}
	/* a line of the file that is not NAME HEX */
	vytest_write_file(wpath, (const uint8_t *)"\nlonely.test\n", 14);
	{
		const char *extra[] = { "--witnesses", wpath, "--witness-threshold", "1", NULL };

		assert_int_equal(run_witnesses(extra), EXIT_REFUSED);
		assert_non_null(strstr(out, "witnesses.txt: line 2: not NAME HEX"));
	}
	assert_false(exists(out_path));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_manifest_fixtures),
		cmocka_unit_test(test_revoting_defaults),
		cmocka_unit_test(test_manifest_round_trip),
		cmocka_unit_test(test_manifest_refusals),
		cmocka_unit_test(test_manifest_key_refusals),
		cmocka_unit_test(test_manifest_witnesses),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
