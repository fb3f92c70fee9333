/*
 * The library's JSON reader (protocol/vy_json.h) on input from outside, and
 * the election description (protocol/vy_description.h, specs/commission.md)
 * in-process: its bounds and positions, the manifest it makes (the
 * fixtures' manifest, byte for byte), where each refusal is placed, and
 * the committed descriptions (specs/election-example.json,
 * bench/council-2024.json).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocol/vy_json.h"
#include "tests/support/commission_fixtures.h"

/* ---- the one writer of JSON strings ---- */

/* vyjson_write_string's sink: append to a fixed buffer. */
typedef struct {
	char s[256];
	size_t n;
} text_buf;

static void text_put(void *arg, const char *p, size_t n)
{
	text_buf *t = arg;

	assert_true(t->n + n < sizeof t->s);
	memcpy(t->s + t->n, p, n);
	t->n += n;
	t->s[t->n] = '\0';
}

static const char *written(const char *s, unsigned flags)
{
	static text_buf t;

	t.n = 0;
	t.s[0] = '\0';
	vyjson_write_string(text_put, &t, s, flags);
	return t.s;
}

/* The escapes of each flag; what it writes, the reader reads back. */
static void test_json_write_string(void **state)
{
	static const char *const samples[] = { "plain", "a \"quote\" and \\", "tab\tnew\nline\x7f", "<b>&amp;</b>",
					       "Ale\xc5\x9b \xf0\x9f\x97\xb3" };
	char doc[300];

	(void)state;
	assert_string_equal(written("plain", 0), "\"plain\"");
	assert_string_equal(written(NULL, 0), "\"\"");
	assert_string_equal(written("a \"q\" \\", 0), "\"a \\\"q\\\" \\\\\"");
	assert_string_equal(written("\t\n\x01\x7f", 0), "\"\\u0009\\u000a\\u0001\\u007f\"");
	assert_string_equal(written("<a&b>", 0), "\"<a&b>\"");
	assert_string_equal(written("<a&b>", VYJSON_ESC_HTML), "\"\\u003ca\\u0026b\\u003e\"");
	/* UTF-8 as it is, or as code points (a surrogate pair above U+FFFF) */
	assert_string_equal(written("\xc5\x9b\xf0\x9f\x97\xb3", 0), "\"\xc5\x9b\xf0\x9f\x97\xb3\"");
	assert_string_equal(written("\xc5\x9b\xf0\x9f\x97\xb3", VYJSON_ESC_ASCII), "\"\\u015b\\ud83d\\uddf3\"");
	/* a byte that is not UTF-8, in ASCII: as a code point of its own */
	assert_string_equal(written("a\xff", VYJSON_ESC_ASCII), "\"a\\u00ff\"");
	for (size_t i = 0; i < sizeof samples / sizeof samples[0]; i++)
		for (unsigned flags = 0; flags < 4; flags++) {
			vyjson *v;

			snprintf(doc, sizeof doc, "%s", written(samples[i], flags));
			v = vyjson_parse(doc, strlen(doc), NULL, 0);
			assert_non_null(v);
			assert_string_equal(vyjson_string(v), samples[i]);
			vyjson_free(v);
		}
}

/* ---- the JSON reader's bounds ---- */

/* Each limit refuses with its own message, at a position. */
static void test_json_limits(void **state)
{
	vyjson_error e;
	char *big;
	size_t n;

	(void)state;
	/* a number longer than VYJSON_MAX_NUMBER characters */
	n = VYJSON_MAX_NUMBER + 1;
	big = malloc(n + 3);
	assert_non_null(big);
	big[0] = '[';
	memset(big + 1, '7', n);
	big[n + 1] = ']';
	assert_null(vyjson_parse_ex(big, n + 2, &e));
	assert_string_equal(e.msg, "number too long");
	assert_int_equal(e.offset, 1);
	big[n] = ']'; /* one digit less is a number */
	{
		vyjson *v = vyjson_parse_ex(big, n + 1, &e);

		assert_non_null(v);
		vyjson_free(v);
	}
	free(big);
	/* more than VYJSON_MAX_VALUES values: "[0,0,...]" */
	n = 2 * (size_t)VYJSON_MAX_VALUES + 1;
	big = malloc(n + 1);
	assert_non_null(big);
	big[0] = '[';
	for (size_t i = 1; i < n; i += 2) {
		big[i] = '0';
		big[i + 1] = ',';
	}
	big[n - 1] = ']';
	assert_null(vyjson_parse_ex(big, n, &e)); /* the array and VYJSON_MAX_VALUES zeros */
	assert_string_equal(e.msg, "too many values");
	big[n - 3] = ']'; /* one zero less: exactly VYJSON_MAX_VALUES values */
	{
		vyjson *v = vyjson_parse_ex(big, n - 2, &e);

		assert_non_null(v);
		assert_int_equal(vyjson_len(v), VYJSON_MAX_VALUES - 1);
		vyjson_free(v);
	}
	free(big);
	/* more than VYJSON_MAX_BYTES: refused before reading */
	assert_null(vyjson_parse_ex("1", (size_t)VYJSON_MAX_BYTES + 1, &e));
	assert_string_equal(e.msg, "text too long");
	assert_null(vyjson_parse_ex(NULL, 0, &e));
}

/* Errors carry the line and the column (in characters) of the offending
 * byte; vyjson_parse prints them. */
static void test_json_positions(void **state)
{
	static const char doc[] = "{\n  \"a\": 1,\n  \"\xc3\xa9\": tru\n}";
	char err[160];
	vyjson_error e;

	(void)state;
	assert_null(vyjson_parse_ex(doc, sizeof doc - 1, &e));
	assert_int_equal(e.line, 3);
	assert_int_equal(e.column, 8); /* "é" is one character, two bytes */
	assert_int_equal(e.offset, 20);
	assert_string_equal(e.msg, "invalid literal");
	assert_null(vyjson_parse(doc, sizeof doc - 1, err, sizeof err));
	assert_string_equal(err, "json: offset 20 (line 3, column 8): invalid literal");
	/* the start of every value is kept */
	{
		static const char arr[] = "[ 1, \"x\", {\"k\": [null]} ]";
		vyjson *v = vyjson_parse(arr, sizeof arr - 1, err, sizeof err);
		size_t line = 0, col = 0;

		assert_non_null(v);
		assert_int_equal(v->offset, 0);
		assert_int_equal(vyjson_at(v, 0)->offset, 2);
		assert_int_equal(vyjson_at(v, 1)->offset, 5);
		assert_int_equal(vyjson_at(v, 2)->offset, 10);
		assert_int_equal(vyjson_at(vyjson_get(vyjson_at(v, 2), "k"), 0)->offset, 17);
		vyjson_free(v);
		vyjson_position("ab\ncd", 4, &line, &col);
		assert_int_equal(line, 2);
		assert_int_equal(col, 2);
	}
}

/* An object of 200000 members (in O(n log n): a quadratic reader would
 * take hours), and the first repeated name of a large object found at its
 * own line. */
static void test_json_large_object(void **state)
{
	const size_t n = 200000;
	size_t cap = 32 * n, len = 0;
	char *text = malloc(cap), err[160];
	vyjson_error e;
	vyjson *v;

	(void)state;
	assert_non_null(text);
	len += (size_t)snprintf(text + len, cap - len, "{");
	for (size_t i = 0; i < n; i++)
		len += (size_t)snprintf(text + len, cap - len, "%s\n\"m%zu\": %zu", i ? "," : "", n - i, i);
	len += (size_t)snprintf(text + len, cap - len, "}");
	v = vyjson_parse(text, len, err, sizeof err);
	if (v == NULL)
		fail_msg("%s", err);
	assert_int_equal(vyjson_len(v), n);
	assert_string_equal(vyjson_at(v, n - 1)->key, "m1");
	vyjson_free(v);
	/* "m200000" (line 2) again on line 100002, "m5" again at the end: the
	 * first repeat in the text is reported */
	len -= 1;
	len += (size_t)snprintf(text + len, cap - len, ",\n\"m5\": 0}");
	memcpy(strstr(text, "\"m100000\""), "\"m200000\"", 9);
	assert_null(vyjson_parse_ex(text, len, &e));
	assert_string_equal(e.msg, "duplicate member name");
	assert_int_equal(e.line, 100002);
	assert_int_equal(e.column, 1);
	free(text);
}

/* ---- descriptions ---- */

static vyf_keys fk;
static vycf_keys ck;

static int setup(void **state)
{
	(void)state;
	vytest_init();
	vyf_keys_init(&fk, 3, 2);
	vycf_keys_init(&ck, &fk);
	return 0;
}

/* The fixtures' description gives the fixtures' manifest, byte for byte. */
static void test_description_fixtures(void **state)
{
	uint8_t *out = NULL, *want;
	size_t len = 0, want_len = 0;
	vy_desc_where w;
	vy_reason why = { 0 };

	(void)state;
	if (vy_description_manifest(vycf_description, strlen(vycf_description), &ck.keys, &out, &len, &w, &why) !=
	    VY_R_OK)
		fail_msg("%s: %s", w.path, why.msg);
	want = vyf_manifest_pack(&fk, &want_len);
	assert_int_equal(len, want_len);
	assert_memory_equal(out, want, len);
	free(out);
	free(want);
}

/* RFC 3339 times to the second, "Z" or an offset; anything else refused. */
static void test_description_time(void **state)
{
	static const struct {
		const char *s;
		uint64_t t;
	} good[] = {
		{ "1970-01-01T00:00:00Z", 0 },
		{ "2024-05-23T08:00:00Z", 1716451200 },
		{ "2024-05-23t10:00:00+02:00", 1716451200 },
		{ "2024-05-23T03:30:00-04:30", 1716451200 },
		{ "2024-02-29T00:00:00z", 1709164800 },
		{ "2000-02-29T23:59:59Z", 951868799 },
		{ "2026-05-06T16:53:20Z", 1778086400 },
	};
	static const char *const bad[] = {
		"", "2024-05-23", "2024-05-23T08:00Z", "2024-05-23 08:00:00Z", "2024-05-23T08:00:00",
		"2023-02-29T00:00:00Z", "1900-02-29T00:00:00Z", "2024-13-01T00:00:00Z", "2024-04-31T00:00:00Z",
		"2024-05-23T24:00:00Z", "2024-05-23T08:60:00Z", "2024-05-23T08:00:60Z", "2024-05-23T08:00:00.5Z",
		"2024-05-23T08:00:00+2:00", "2024-05-23T08:00:00+02:00x", "1969-12-31T23:59:59Z",
		"1970-01-01T00:00:00+00:01", "2024-0a-23T08:00:00Z",
	};
	uint64_t t;

	(void)state;
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
		if (vy_description_time(good[i].s, &t) != 0)
			fail_msg("refused %s", good[i].s);
		if (t != good[i].t)
			fail_msg("%s: %llu, not %llu", good[i].s, (unsigned long long)t, (unsigned long long)good[i].t);
	}
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		if (vy_description_time(bad[i], &t) == 0)
			fail_msg("accepted %s", bad[i]);
}

/* Where each refusal is placed: the JSON path, the text position, or the
 * key from outside; the message is the protocol's where it decides. */
static void test_description_places(void **state)
{
	static const struct {
		const char *from, *to;
		vy_desc_place place;
		const char *path, *msg;
	} cases[] = {
		{ "\"seats\": 5", "\"seats\": 0", VY_DESC_AT_JSON, "contests[2].seats", "0 seats, must be 1..100000" },
		{ "\"List B candidate 2\", \"gender\": \"M\"", "\"List B candidate 2\", \"gender\": \"F\"",
		  VY_DESC_AT_JSON, "contests[2].lists[1].candidates",
		  "block 1 (candidates 1-2) has 2 female and 0 male candidates; at least 1 of each are required in "
		  "every block of 2" },
		{ "\"Answer 2\"", "\"\"", VY_DESC_AT_JSON, "contests[0].options[1]", "length 0, must be 1..1024 bytes" },
		{ "\"threshold\": 2", "\"threshold\": 0", VY_DESC_AT_JSON, "threshold", "0, must be 1..3" },
		{ "\"threshold\": 2,", "\"threshold\": 2", VY_DESC_AT_SYNTAX, "", "not JSON: expected ',' or '}'" },
		{ "\"List C\"", "\"List B\"", VY_DESC_AT_JSON, "", NULL }, /* two lists of one name are fine */
	};
	vy_desc_where w;
	vy_reason why;

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *text = vycf_replace(vycf_description, cases[i].from, cases[i].to);
		uint8_t *out = (uint8_t *)"untouched";
		size_t len = 1;
		vy_rc rc = vy_description_manifest(text, strlen(text), &ck.keys, &out, &len, &w, &why);

		if (cases[i].msg == NULL) {
			assert_int_equal(rc, VY_R_OK);
			free(out);
			free(text);
			continue;
		}
		if (rc == VY_R_OK)
			fail_msg("case %zu accepted", i);
		assert_null(out);
		assert_int_equal(len, 0);
		assert_int_equal(w.place, cases[i].place);
		assert_string_equal(w.path, cases[i].path);
		if (strcmp(why.msg, cases[i].msg) != 0)
			fail_msg("case %zu: \"%s\", not \"%s\"", i, why.msg, cases[i].msg);
		free(text);
	}
	/* the syntax error is on line 7, after "threshold": 2 */
	{
		char *text = vycf_replace(vycf_description, "\"threshold\": 2,", "\"threshold\": 2");

		assert_int_not_equal(vy_description_manifest(text, strlen(text), &ck.keys, &(uint8_t *){ NULL },
							     &(size_t){ 0 }, &w, &why),
				     VY_R_OK);
		assert_int_equal(w.line, 8);
		assert_int_equal(w.column, 2);
		free(text);
	}
}

/* Keys from outside are placed at their source. */
static void test_description_keys(void **state)
{
	uint8_t bad_pk[32], trustees[3][32];
	vy_description_keys keys = ck.keys;
	vy_desc_where w;
	vy_reason why;
	uint8_t *out = NULL;
	size_t len = 0;

	(void)state;
	memset(bad_pk, 0xff, sizeof bad_pk); /* not a canonical encoding */
	keys.board_key = bad_pk;
	assert_int_not_equal(vy_description_manifest(vycf_description, strlen(vycf_description), &keys, &out, &len, &w,
						     &why),
			     VY_R_OK);
	assert_int_equal(w.place, VY_DESC_AT_BOARD_KEY);
	assert_string_equal(why.msg, "not a valid Ed25519 public key");
	keys = ck.keys;
	keys.commission_key = bad_pk;
	assert_int_not_equal(vy_description_manifest(vycf_description, strlen(vycf_description), &keys, &out, &len, &w,
						     &why),
			     VY_R_OK);
	assert_int_equal(w.place, VY_DESC_AT_COMMISSION_KEY);
	keys = ck.keys;
	memcpy(trustees, fk.trustee_pk, sizeof trustees);
	memcpy(trustees[2], trustees[0], 32);
	keys.trustee_keys = (const uint8_t (*)[32])trustees;
	assert_int_not_equal(vy_description_manifest(vycf_description, strlen(vycf_description), &keys, &out, &len, &w,
						     &why),
			     VY_R_OK);
	assert_int_equal(w.place, VY_DESC_AT_TRUSTEE_KEYS);
	assert_int_equal(w.trustee, 3);
	assert_string_equal(why.msg, "the same key as trustee 1");
	memcpy(trustees[2], bad_pk, 32);
	assert_int_not_equal(vy_description_manifest(vycf_description, strlen(vycf_description), &keys, &out, &len, &w,
						     &why),
			     VY_R_OK);
	assert_int_equal(w.place, VY_DESC_AT_TRUSTEE_KEYS);
	assert_int_equal(w.trustee, 3);
	keys = ck.keys;
	keys.n_trustees = 2; /* threshold 2 of 2 is fine */
	assert_int_equal(vy_description_manifest(vycf_description, strlen(vycf_description), &keys, &out, &len, &w,
						 &why),
			 VY_R_OK);
	free(out);
	keys.n_trustees = 1; /* threshold 2 of 1 is not */
	assert_int_not_equal(vy_description_manifest(vycf_description, strlen(vycf_description), &keys, &out, &len, &w,
						     &why),
			     VY_R_OK);
	assert_string_equal(w.path, "threshold");
	{
		Vybar__RegistrarPublicKeys reg = ck.reg;

		reg.statement_key.len = 31;
		keys = ck.keys;
		keys.registrar = &reg;
		assert_int_not_equal(vy_description_manifest(vycf_description, strlen(vycf_description), &keys, &out,
							     &len, &w, &why),
				     VY_R_OK);
		assert_int_equal(w.place, VY_DESC_AT_REGISTRAR_KEYS);
		assert_string_equal(why.msg, "registrar_statement_key: 31 bytes, must be 32");
	}
}

/* Translations (specs/commission.md §2.6): kept sorted by tag whatever the
 * file's order, so one description gives one manifest; {} is none; a tag
 * the protocol refuses is refused. */
static void test_description_translations(void **state)
{
	char *text = vycf_replace(vycf_description, "\"Test election\"",
				  "\"Test election\", \"translations\": {\"ru\": \"Vybory\", \"be\": \"Vybary\", "
				  "\"en\": \"The test election\"}");
	vy_desc_where w;
	vy_reason why;
	uint8_t *out = NULL;
	size_t len = 0;
	Vybar__Manifest *m = NULL;
	static const char *const langs[] = { "be", "en", "ru" };
	static const char *const texts[] = { "Vybary", "The test election", "Vybory" };

	(void)state;
	if (vy_description_manifest(text, strlen(text), &ck.keys, &out, &len, &w, &why) != VY_R_OK)
		fail_msg("%s: %s", w.path, why.msg);
	assert_int_equal(vy_decode_manifest(&m, out, len, NULL), VY_R_OK);
	assert_int_equal(m->n_translations, 3);
	for (size_t i = 0; i < 3; i++) {
		assert_string_equal(m->translations[i]->lang, langs[i]);
		assert_string_equal(m->translations[i]->text, texts[i]);
	}
	vy_msg_free(m);
	free(out);
	free(text);
	text = vycf_replace(vycf_description, "\"Test election\"", "\"Test election\", \"translations\": {}");
	assert_int_equal(vy_description_manifest(text, strlen(text), &ck.keys, &out, &len, &w, &why), VY_R_OK);
	assert_int_equal(vy_decode_manifest(&m, out, len, NULL), VY_R_OK);
	assert_int_equal(m->n_translations, 0);
	vy_msg_free(m);
	free(out);
	free(text);
	text = vycf_replace(vycf_description, "\"Test election\"", "\"Test election\", \"translations\": {\"be-BY\": \"x\"}");
	assert_int_not_equal(vy_description_manifest(text, strlen(text), &ck.keys, &out, &len, &w, &why), VY_R_OK);
	assert_string_equal(why.msg, "title translation 0: lang must be 2..3 lower-case letters a-z");
	free(text);
}

/* The committed descriptions make valid manifests: the example of
 * specs/commission.md and the demo's election. */
static void test_description_committed(void **state)
{
	static const char *const files[] = { "specs/election-example.json", "bench/council-2024.json" };
	vyf_keys k5;
	vycf_keys c5;

	(void)state;
	vyf_keys_init(&k5, 5, 3);
	vycf_keys_init(&c5, &k5);
	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
		size_t len = 0, mlen = 0;
		char *text = vytest_read_file(vytest_source_path(files[i]), &len);
		Vybar__Manifest *m = NULL;
		uint8_t *out = NULL;
		vy_desc_where w;
		vy_reason why;

		c5.keys.n_trustees = i == 0 ? 3 : 5; /* the example names three trustees */
		if (vy_description_manifest(text, len, &c5.keys, &out, &mlen, &w, &why) != VY_R_OK)
			fail_msg("%s: %s: %s", files[i], w.path, why.msg);
		assert_int_equal(vy_decode_manifest(&m, out, mlen, NULL), VY_R_OK);
		assert_int_equal(vy_manifest_validate(m, NULL), VY_R_OK);
		if (i == 1) {
			/* the 2024 election: 11 lists of 40, 80 seats, 3 %, Hare (all votes), 2 of 5 */
			const Vybar__PartyListContest *pl = m->contests[0]->party_list;

			assert_int_equal(m->threshold, 3);
			assert_int_equal(pl->n_lists, 11);
			assert_int_equal(pl->seats, 80);
			assert_int_equal(pl->threshold_basis_points, 300);
			assert_int_equal(pl->seat_method, VYBAR__SEAT_METHOD__SEAT_METHOD_HARE_ALL_VOTES);
			assert_int_equal(pl->gender_rule->block_size, 5);
			assert_int_equal(pl->gender_rule->min_per_block, 2);
			assert_string_equal(pl->lists[7]->name, "Team Latushka and Movement for Freedom");
			for (size_t l = 0; l < pl->n_lists; l++)
				assert_int_equal(pl->lists[l]->n_candidates, 40);
		}
		vy_msg_free(m);
		free(out);
		free(text);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json_write_string),
		cmocka_unit_test(test_json_limits),
		cmocka_unit_test(test_json_positions),
		cmocka_unit_test(test_json_large_object),
		cmocka_unit_test(test_description_fixtures),
		cmocka_unit_test(test_description_time),
		cmocka_unit_test(test_description_places),
		cmocka_unit_test(test_description_keys),
		cmocka_unit_test(test_description_committed),
		cmocka_unit_test(test_description_translations),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
