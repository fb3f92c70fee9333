/*
 * Lookup by prefix (specs/board-api.md §4 "Lookup by prefix", §5):
 *  - the prefix parser against a plain reference, on every string of up to
 *    3 bytes and on longer ones;
 *  - the rule that chooses the prefix length, at its edges, and the same
 *    rule as the served script writes it in JavaScript (run under node when
 *    it is installed), and the script never asking for a whole code;
 *  - the store's range is a search on the index, not a scan; reads and
 *    ranges go across pages in order; a group with a taken seq stores
 *    nothing;
 *  - against a real vybar-board: after ballots and audited ballots, the
 *    answer for every prefix of every code (and every 1-character prefix)
 *    is exactly the lines of the codes under it, sorted, none other; bad
 *    prefixes are refused with 400 and a message; a prefix no code has
 *    answers an empty list.
 * With the argument "postgresql", all of it on the PostgreSQL store.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "bulletin/codes.h"
#include "bulletin/http.h"
#include "bulletin/store.h"
#include "tests/support/board_harness.h"

#define CROCKFORD "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
#define N_BALLOTS 40
#define N_AUDITED 3
#define N_CODES (N_BALLOTS + N_AUDITED)
#define NODE "/usr/bin/node"

/* ---- the parser ---- */

/* What the spec says, written the plainest way. */
static int reference_ok(const char *s, size_t n)
{
	if (n < 1 || n > 3)
		return 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\0' || memchr(CROCKFORD, s[i], 32) == NULL)
			return 0;
	}
	return 1;
}

static void check_one(const char *s)
{
	size_t n = strlen(s), len = 99;
	vyb_prefix_error e = vyb_prefix_parse(s, &len);

	if (reference_ok(s, n)) {
		assert_int_equal(e, VYB_PREFIX_OK);
		assert_int_equal(len, n);
	} else {
		assert_int_not_equal(e, VYB_PREFIX_OK);
		assert_int_equal(len, 0);
		assert_int_equal(e, n < 1 || n > 3 ? VYB_PREFIX_LENGTH : VYB_PREFIX_CHARS);
	}
}

static void test_prefix_parser(void **state)
{
	char s[8];
	size_t ok = 0, len;

	(void)state;
	/* Every string of 0 to 3 non-NUL bytes. */
	check_one("");
	for (unsigned a = 1; a < 256; a++) {
		s[0] = (char)a;
		s[1] = '\0';
		check_one(s);
		for (unsigned b = 1; b < 256; b++) {
			s[1] = (char)b;
			s[2] = '\0';
			check_one(s);
			for (unsigned c = 1; c < 256; c++) {
				s[2] = (char)c;
				s[3] = '\0';
				check_one(s);
				ok += vyb_prefix_parse(s, &len) == VYB_PREFIX_OK;
			}
		}
	}
	assert_int_equal(ok, 32u * 32u * 32u);
	/* Longer ones, lower case, the letters Crockford leaves out, dashes. */
	check_one("7K2Q");
	check_one("7K2Q-0ZRD-M4XW-9HCT");
	check_one("7K2Q0ZRDM4XW9HCT");
	check_one("7k");
	check_one("O");
	check_one("I");
	check_one("L");
	check_one("U");
	check_one("7-");
	check_one("-");
	check_one("7K ");
	assert_int_equal(vyb_prefix_parse("ZZZ", &len), VYB_PREFIX_OK);
	assert_int_equal(len, 3);
}

/* ---- the choice of the prefix length ---- */

static const uint64_t SIZES[] = { 0,       1,       63,       64,       2047,     2048,       6723,
				  65535,   65536,   65537,    700000,   2097151,  2097152,    2097153,
				  5000000, 1u << 31, 1ull << 40, UINT64_MAX >> 11 };

static void test_prefix_length_rule(void **state)
{
	(void)state;
	assert_int_equal(vyb_lookup_prefix_len(0), 1);
	assert_int_equal(vyb_lookup_prefix_len(6723), 1);        /* 6723 / 32 = 210 codes per prefix */
	assert_int_equal(vyb_lookup_prefix_len(65535), 1);
	assert_int_equal(vyb_lookup_prefix_len(65536), 2);       /* 64 * 32^2 */
	assert_int_equal(vyb_lookup_prefix_len(700000), 2);      /* 700000 / 1024 = 683 */
	assert_int_equal(vyb_lookup_prefix_len(2097151), 2);
	assert_int_equal(vyb_lookup_prefix_len(2097152), 3);     /* 64 * 32^3 */
	assert_int_equal(vyb_lookup_prefix_len(UINT64_MAX), 3);
	/* The definition itself, on every size above. */
	for (size_t i = 0; i < sizeof SIZES / sizeof SIZES[0]; i++) {
		unsigned want = 1;

		for (unsigned p = 1; p <= VY_CODE_PREFIX_MAX; p++)
			if ((double)SIZES[i] / (double)(1ull << (5 * p)) >= VY_LOOKUP_MIN_SET)
				want = p;
		assert_int_equal(vyb_lookup_prefix_len(SIZES[i]), want);
	}
}

/* The served script: it asks for prefixes, never for a receipt by code, and
 * its prefixLength is the C rule (checked under node when installed). */
static void test_script_rule(void **state)
{
	const char *js = vyb_web_page_js, *start = strstr(js, "function prefixLength(n) {"), *end;
	char dir[] = "/tmp/vytest-codes-XXXXXX", path[64], cmd[160], line[64];
	FILE *f, *p;

	(void)state;
	assert_null(strstr(js, VY_PATH_RECEIPTS));
	assert_non_null(strstr(js, "'" VY_PATH_CODES "' + prefix"));
	assert_non_null(strstr(js, ".slice(0, prefixLength(n))"));
	assert_non_null(start);
	end = strstr(start, "\n}\n");
	assert_non_null(end);
	if (access(NODE, X_OK) != 0)
		skip();
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/rule.js", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fwrite(start, 1, (size_t)(end - start) + 3, f);
	for (size_t i = 0; i < sizeof SIZES / sizeof SIZES[0]; i++)
		fprintf(f, "console.log(prefixLength(%llu));\n", (unsigned long long)SIZES[i]);
	fprintf(f, "console.log(prefixLength(NaN));\n");
	fclose(f);
	snprintf(cmd, sizeof cmd, NODE " %s", path);
	p = popen(cmd, "r");
	assert_non_null(p);
	for (size_t i = 0; i < sizeof SIZES / sizeof SIZES[0]; i++) {
		assert_non_null(fgets(line, sizeof line, p));
		if ((unsigned)atoi(line) != vyb_lookup_prefix_len(SIZES[i]))
			fail_msg("prefixLength(%llu) = %s in the script, %u in C", (unsigned long long)SIZES[i], line,
				 vyb_lookup_prefix_len(SIZES[i]));
	}
	/* A status that did not answer: the shortest prefix. */
	assert_non_null(fgets(line, sizeof line, p));
	assert_int_equal(atoi(line), 1);
	assert_int_equal(pclose(p), 0);
	unlink(path);
	rmdir(dir);
}

/* ---- the store ---- */

typedef struct {
	char lines[4096];
	size_t n;
} collected;

static int collect(void *arg, const char *code, uint64_t seq, uint32_t type)
{
	collected *c = arg;
	size_t used = strlen(c->lines);

	snprintf(c->lines + used, sizeof c->lines - used, "%s %llu %u\n", code, (unsigned long long)seq, type);
	c->n++;
	return 1;
}

/* The store of this run: a SQLite file in dir, or a fresh PostgreSQL
 * database (conninfo). */
static vyb_store *store_open(const char *dir, char *path, size_t path_cap, char conninfo[VYPG_CONNINFO_BYTES])
{
	vyb_store *s = NULL;
	vy_reason why = { 0 };

	conninfo[0] = '\0';
	if (strcmp(vyh_store_kind(), "postgresql") == 0) {
		vypg_new_database(conninfo);
		if (vyb_store_pg_open(&s, conninfo, &why) != VY_R_OK)
			fail_msg("%s", why.msg);
		return s;
	}
	snprintf(path, path_cap, "%s/board.db", dir);
	assert_int_equal(vyb_store_sqlite_open(&s, path, NULL), VY_R_OK);
	return s;
}

/* The store's range query searches the index of the codes, never scans
 * the table: SQLite's plan says SEARCH; PostgreSQL's (with sequential
 * scans priced out, so that only an index the query cannot use would
 * leave one) names the primary key's index. */
static void expect_index_search(const char *path, const char *conninfo)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	int searched = 0;

	if (conninfo[0] != '\0') {
		char plan[2048];

		vypg_query(conninfo,
			   "SET enable_seqscan = off; EXPLAIN SELECT code, seq, type FROM tracking "
			   "WHERE code >= '7K' AND code < '7L' ORDER BY code",
			   plan, sizeof plan);
		if (strstr(plan, "Seq Scan") != NULL || strstr(plan, "Index Cond") == NULL ||
		    strstr(plan, "tracking_pkey") == NULL)
			fail_msg("the range of codes is not a search of the index: %s", plan);
		return;
	}
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db,
					    "EXPLAIN QUERY PLAN SELECT code, seq, type FROM tracking "
					    "WHERE code >= ? AND code < ? ORDER BY code",
					    -1, &st, NULL),
			 SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *detail = (const char *)sqlite3_column_text(st, 3);

		assert_null(strstr(detail, "SCAN"));
		searched |= strstr(detail, "SEARCH") != NULL;
	}
	assert_true(searched);
	sqlite3_finalize(st);
	sqlite3_close(db);
}

#define MANY_CODES 2500 /* more than a page of the PostgreSQL store's reads */
#define MANY_GROUP 50

typedef struct {
	uint64_t n, next;
	char last[VY_TRACKING_CODE_BYTES];
	int in_order;
} walked;

static int walk_entry(void *arg, uint64_t seq, const uint8_t *entry, size_t len)
{
	walked *w = arg;

	w->in_order &= seq == w->next && len == 1 && entry[0] == (uint8_t)seq;
	w->next = seq + 1;
	w->n++;
	return 1;
}

static int walk_code(void *arg, const char *code, uint64_t seq, uint32_t type)
{
	walked *w = arg;

	w->in_order &= strcmp(w->last, code) < 0 && type == 6 && seq >= 6;
	snprintf(w->last, sizeof w->last, "%s", code);
	w->n++;
	return 1;
}

/* Many entries in groups: read() visits every one in order, codes() every
 * code under a prefix in order, across pages; an entry whose seq is taken
 * is refused and stores nothing of its group. */
static void expect_many(vyb_store *s, uint64_t first)
{
	static char codes[MANY_CODES][VY_TRACKING_CODE_BYTES];
	vyb_store_entry es[MANY_GROUP];
	uint8_t blobs[MANY_CODES];
	vyb_counts c;
	walked w;

	for (size_t i = 0; i < MANY_CODES; i += MANY_GROUP) {
		for (size_t j = 0; j < MANY_GROUP; j++) {
			uint64_t seq = first + i + j;

			snprintf(codes[i + j], sizeof codes[0], "9%03zu-%04zu-0000-0000", (i + j) % 7, i + j);
			blobs[i + j] = (uint8_t)seq;
			es[j] = (vyb_store_entry){ .seq = seq, .type = 6, .entry = &blobs[i + j], .entry_len = 1,
						   .tracking_code = codes[i + j], .receipt = blobs, .receipt_len = 1 };
		}
		assert_int_equal(vyb_store_append_group(s, es, MANY_GROUP, NULL), VY_R_OK);
	}
	memset(&w, 0, sizeof w);
	w.in_order = 1;
	assert_int_equal(vyb_store_read(s, 0, walk_entry, &w, NULL), VY_R_OK);
	assert_int_equal(w.n, first + MANY_CODES);
	assert_true(w.in_order);
	memset(&w, 0, sizeof w);
	w.in_order = 1;
	assert_int_equal(vyb_store_codes(s, "9", walk_code, &w, NULL), VY_R_OK);
	assert_int_equal(w.n, MANY_CODES);
	assert_true(w.in_order);
	/* A taken seq: the whole group is refused. */
	es[0].seq = first + MANY_CODES;
	es[0].tracking_code = "9ZZZ-ZZZZ-ZZZZ-ZZZZ";
	es[1].seq = first;
	es[1].tracking_code = "9ZZZ-ZZZZ-ZZZZ-ZZZY";
	assert_int_equal(vyb_store_append_group(s, es, 2, NULL), VY_R_IO);
	assert_int_equal(vyb_store_counts(s, &c, NULL), VY_R_OK);
	assert_int_equal(c.entries, first + MANY_CODES);
	assert_int_equal(c.indexed, first + MANY_CODES);
}

static void test_store_range(void **state)
{
	static const char *const codes[] = { "7K2Q-0ZRD-M4XW-9HCT", "7K2R-0000-0000-0000", "7KZZ-ZZZZ-ZZZZ-ZZZZ",
					     "7M00-0000-0000-0000", "6ZZZ-ZZZZ-ZZZZ-ZZZZ", "7K20-0000-0000-0000" };
	char dir[] = "/tmp/vytest-store-XXXXXX", path[64], conninfo[VYPG_CONNINFO_BYTES];
	uint8_t blob[1] = { 0 };
	vyb_store *s;
	collected c;

	(void)state;
	assert_non_null(mkdtemp(dir));
	s = store_open(dir, path, sizeof path, conninfo);
	for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
		vyb_store_entry e = { .seq = i, .type = 6, .entry = blob, .entry_len = 1, .tracking_code = codes[i],
				      .receipt = blob, .receipt_len = 1 };

		blob[0] = (uint8_t)i;
		assert_int_equal(vyb_store_append(s, &e, NULL), VY_R_OK);
	}
	memset(&c, 0, sizeof c);
	assert_int_equal(vyb_store_codes(s, "7K", collect, &c, NULL), VY_R_OK);
	assert_string_equal(c.lines, "7K20-0000-0000-0000 5 6\n7K2Q-0ZRD-M4XW-9HCT 0 6\n7K2R-0000-0000-0000 1 6\n"
				     "7KZZ-ZZZZ-ZZZZ-ZZZZ 2 6\n");
	memset(&c, 0, sizeof c);
	assert_int_equal(vyb_store_codes(s, "7K2Q", collect, &c, NULL), VY_R_OK);
	assert_string_equal(c.lines, "7K2Q-0ZRD-M4XW-9HCT 0 6\n");
	memset(&c, 0, sizeof c);
	assert_int_equal(vyb_store_codes(s, "7L", collect, &c, NULL), VY_R_OK);
	assert_int_equal(c.n, 0);
	assert_int_equal(vyb_store_codes(s, "", collect, &c, NULL), VY_R_FIELD);
	expect_many(s, sizeof codes / sizeof codes[0]);
	vyb_store_close(s);
	expect_index_search(path, conninfo);
	snprintf(path, sizeof path, "rm -rf '%s'", dir);
	assert_int_equal(system(path), 0);
}

/* ---- against the board ---- */

typedef struct {
	char code[VY_TRACKING_CODE_BYTES];
	unsigned long long seq;
	int audited;
} posted;

static int by_code(const void *a, const void *b)
{
	return strcmp(((const posted *)a)->code, ((const posted *)b)->code);
}

/* The expected answer for prefix (dashless, at most 3: the code's first
 * characters as they are): the lines of the posted codes under it. */
static char *expected_answer(const posted *all, size_t n, const char *prefix)
{
	char *out = calloc(n + 1, 64);
	size_t used = 0;

	assert_non_null(out);
	for (size_t i = 0; i < n; i++) {
		if (strncmp(all[i].code, prefix, strlen(prefix)) == 0)
			used += (size_t)sprintf(out + used, "%s %llu %s\n", all[i].code, all[i].seq,
						all[i].audited ? "audited-ballot" : "ballot");
	}
	return out;
}

static void expect_answer(const vyh_board *b, const posted *all, size_t n, const char *prefix)
{
	char path[64], *want = expected_answer(all, n, prefix);
	vyh_resp r;

	snprintf(path, sizeof path, VY_PATH_CODES "%s", prefix);
	vyh_get(b, path, &r);
	assert_int_equal(r.status, 200);
	if (r.len != strlen(want) || (r.len > 0 && memcmp(r.body, want, r.len) != 0))
		fail_msg("prefix %s: got \"%.*s\", want \"%s\"", prefix, (int)r.len, (const char *)r.body, want);
	vyh_resp_free(&r);
	free(want);
}

static void expect_refused(const vyh_board *b, const char *prefix, const char *msg)
{
	char path[128];
	vyh_resp r;

	snprintf(path, sizeof path, VY_PATH_CODES "%s", prefix);
	vyh_get(b, path, &r);
	if (r.status != 400 || !vyh_body_has(&r, msg))
		fail_msg("prefix \"%s\": %ld %.*s", prefix, r.status, (int)r.len, (const char *)r.body);
	assert_true(vyh_body_has(&r, "\"status\":400"));
	vyh_resp_free(&r);
}

static void post_one(vyh_election *e, const char *path, const uint8_t *p, size_t n, posted *out, int audited)
{
	Vybar__Receipt *rc = NULL;
	vyh_resp r;

	vyh_post(&e->b, path, p, n, &r);
	if (r.status != 200)
		fail_msg("%s: %ld %.*s", path, r.status, (int)r.len, (const char *)r.body);
	assert_int_equal(vy_decode_receipt(&rc, r.body, r.len, NULL), VY_R_OK);
	snprintf(out->code, sizeof out->code, "%s", rc->tracking_code);
	out->seq = (unsigned long long)rc->seq;
	out->audited = audited;
	vy_msg_free(rc);
	vyh_resp_free(&r);
}

static void test_board_codes(void **state)
{
	/* Some 200 requests in a few seconds: no rate limit. */
	static const char *const extra[] = { "--rate", "0", NULL };
	uint32_t choices[VYF_SELECTIONS];
	posted all[N_CODES];
	char label[32], prefix[4], line[64];
	size_t total = 0, i = 0;
	vyh_election e;
	vyh_resp r;

	(void)state;
	vyh_election_start(&e, 1, 1, extra);
	vyh_election_ceremony(&e);
	vyf_default_choices(choices);

	/* Nothing cast yet: every prefix answers an empty list. */
	expect_answer(&e.b, all, 0, "7");

	for (; i < N_BALLOTS; i++) {
		vyf_voter v;
		uint8_t *p;
		size_t n;

		snprintf(label, sizeof label, "codes voter %zu", i);
		vyf_voter_init(&v, &e.r.st.election, label);
		p = vyf_ballot_pack(&e.r.st.election, &v, choices, "cast", NULL, &n);
		post_one(&e, VY_PATH_BALLOTS, p, n, &all[i], 0);
		free(p);
	}
	for (; i < N_CODES; i++) {
		Vybar__AuditedBallot *a;
		vyf_voter v;
		uint8_t *p;
		size_t n;

		snprintf(label, sizeof label, "codes auditor %zu", i);
		vyf_voter_init(&v, &e.r.st.election, label);
		a = vyf_audited_new(&e.r.st.election, &v, choices);
		p = vy_msg_pack(a, &n);
		post_one(&e, VY_PATH_AUDITED, p, n, &all[i], 1);
		free(p);
		vy_msg_free(a);
	}
	qsort(all, N_CODES, sizeof all[0], by_code);

	/* Every 1-character prefix: together exactly the codes on the record
	 * (as many as the status counts), each under its own prefix. */
	for (const char *c = CROCKFORD; *c != '\0'; c++) {
		prefix[0] = *c;
		prefix[1] = '\0';
		expect_answer(&e.b, all, N_CODES, prefix);
		snprintf(line, sizeof line, VY_PATH_CODES "%s", prefix);
		vyh_get(&e.b, line, &r);
		for (size_t k = 0; k < r.len; k++)
			total += r.body[k] == '\n';
		vyh_resp_free(&r);
	}
	assert_int_equal(total, N_CODES);
	vyh_get(&e.b, VY_PATH_STATUS, &r);
	snprintf(line, sizeof line, "\"ballots_received\":%d,", N_BALLOTS);
	assert_true(vyh_body_has(&r, line));
	snprintf(line, sizeof line, "\"audited_ballots\":%d,", N_AUDITED);
	assert_true(vyh_body_has(&r, line));
	vyh_resp_free(&r);

	/* The 2- and 3-character prefixes of every code. */
	for (i = 0; i < N_CODES; i++) {
		memcpy(prefix, all[i].code, 3);
		prefix[3] = '\0';
		expect_answer(&e.b, all, N_CODES, prefix);
		prefix[2] = '\0';
		expect_answer(&e.b, all, N_CODES, prefix);
	}

	/* A prefix no code has: an empty list, 200. */
	for (const char *c = CROCKFORD; *c != '\0'; c++) {
		int used = 0;

		snprintf(prefix, sizeof prefix, "%c%c", all[0].code[0], *c);
		for (i = 0; i < N_CODES; i++)
			used |= strncmp(all[i].code, prefix, 2) == 0;
		if (!used) {
			vyh_resp z;

			snprintf(line, sizeof line, VY_PATH_CODES "%s", prefix);
			vyh_get(&e.b, line, &z);
			assert_int_equal(z.status, 200);
			assert_int_equal(z.len, 0);
			vyh_resp_free(&z);
			break;
		}
	}

	/* Refused: no prefix, longer prefixes, the whole code, lower case,
	 * letters outside Crockford's alphabet, dashes. */
	expect_refused(&e.b, "", "prefix: 1 to 3 characters");
	expect_refused(&e.b, "7K2Q", "prefix: 1 to 3 characters");
	expect_refused(&e.b, all[0].code, "prefix: 1 to 3 characters");
	memcpy(line, all[0].code, 4);
	memcpy(line + 4, all[0].code + 5, 4);
	line[8] = '\0';
	expect_refused(&e.b, line, "prefix: 1 to 3 characters");
	expect_refused(&e.b, "7k", "prefix: Crockford base-32 characters in upper case");
	expect_refused(&e.b, "O", "prefix: Crockford base-32 characters in upper case");
	expect_refused(&e.b, "IL", "prefix: Crockford base-32 characters in upper case");
	expect_refused(&e.b, "7U", "prefix: Crockford base-32 characters in upper case");
	expect_refused(&e.b, "7-", "prefix: Crockford base-32 characters in upper case");

	/* The receipt of a ballot is still served by its whole code. */
	snprintf(line, sizeof line, VY_PATH_RECEIPTS "%s", all[0].code);
	vyh_get(&e.b, line, &r);
	assert_int_equal(r.status, 200);
	vyh_resp_free(&r);

	assert_int_equal(vyh_stop(&e.b, SIGTERM), 0);
	vyh_election_free(&e);
}

/* With the argument "postgresql", the store's tests and the board's on
 * the PostgreSQL store. */
int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_prefix_parser),
		cmocka_unit_test(test_prefix_length_rule),
		cmocka_unit_test(test_script_rule),
		cmocka_unit_test(test_store_range),
		cmocka_unit_test(test_board_codes),
	};
	int rc = vyh_store_select(argc, argv);

	if (rc != 0)
		return rc;
	return cmocka_run_group_tests_name(vyh_store_kind(), tests, NULL, NULL);
}
