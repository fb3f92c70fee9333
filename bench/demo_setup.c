/*
 * demo_setup: the election commission's side of `make demo` (bench/demo.sh).
 * Not a role program: a helper that writes the demo's manifest, signs the
 * commission's admin actions (protocol.md §12), carries the registrar's
 * issued statement to the board (§8.12, specs/registrar.md §4.2) and prints
 * the published result with the elected candidates.
 *
 *   demo_setup manifest --out FILE --registrar-keys FILE --board-pk HEX
 *                       --commission-pk HEX --trustee-pks FILE [--threshold T]
 *   demo_setup admin    --board URL --key FILE open|close|tally|result
 *   demo_setup issued   --board URL --registrar URL
 *   demo_setup result   --board URL
 *   demo_setup record   --board URL --out FILE   (every page, board-api.md §4)
 *
 * Key files hold a 32-byte Ed25519 seed in hex (the format of
 * `vybar-board keygen`, which the demo uses to make the commission's key).
 * Exit status 0 on success, 1 on any failure (with a message on stderr).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <sodium.h>

#include "client/registration.h"
#include "crypto/vy_hash.h"
#include "protocol/vy_record.h"

#define DEMO_ELECTION_ID "coordination-council-2024"
#define DEMO_TITLE "Coordination Council of Belarus, 2024 (demo)"
#define DEMO_SEATS 80
#define DEMO_THRESHOLD_BP 300
#define DEMO_GENDER_BLOCK 5
#define DEMO_GENDER_MIN 2
#define DEMO_CANDIDATES 40 /* per list: more than any list can win */
#define DEMO_TRUSTEES_MAX 16
#define DEMO_NAME_BYTES 96
#define DEMO_URL_BYTES 512
#define DEMO_LINE_BYTES 256
#define DEMO_ADMIN_TAG "vybar/v1/admin-action"
#define DEMO_VOTING_START 1716451200u /* 2024-05-23 (informative) */
#define DEMO_VOTING_END 1717142400u   /* 2024-05-31 (informative) */

static const char *const list_names[] = {
	"Solidarity",
	"Liberty",
	"European Choice",
	"Our Cause",
	"Voice of Diasporas",
	"Independent Belarusians",
	"Prakopjeu-Jahorau Bloc",
	"Team Latushka and Movement for Freedom",
	"Down with Fear!",
	"Strana Dlya Zhizni",
	"Youth Offensive",
};
#define DEMO_LISTS (sizeof list_names / sizeof list_names[0])
#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

/* Invented given names and surnames for the candidates. */
static const char *const given_f[] = { "Alesia", "Hanna", "Volha", "Iryna", "Maryja", "Nasta", "Tacciana", "Julija",
					"Darja", "Kaciaryna", "Palina" };
static const char *const given_m[] = { "Aliaksandr", "Pavel", "Siarhei", "Andrej", "Dzmitry", "Ihar", "Mikola",
					"Viktar", "Raman", "Jauhen", "Uladzimir", "Kanstancin", "Maksim" };
static const char *const surnames[] = { "Karpovich", "Lahvinec", "Bialacki", "Zhuk", "Sapieha", "Kupala",
					"Bahdanovich", "Charnysh", "Dubrouski", "Hrodnik", "Mazur", "Navumchyk",
					"Barysevich", "Kalinouski", "Tsikhan", "Shyla", "Vashkevich" };

/* Read a whole file into a malloc'd buffer; NULL on failure. */
static uint8_t *read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	long n;

	if (f == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0) {
		buf = malloc((size_t)n + 1);
		if (buf != NULL && fread(buf, 1, (size_t)n, f) != (size_t)n) {
			free(buf);
			buf = NULL;
		}
		*len = (size_t)n;
	}
	fclose(f);
	return buf;
}

/* Exactly 32 bytes from 64 hex digits (surrounding whitespace ignored). */
static int hex32(const char *s, uint8_t out[32])
{
	size_t bin_len = 0;
	const char *end = NULL;

	while (*s == ' ' || *s == '\t')
		s++;
	if (sodium_hex2bin(out, 32, s, strlen(s), NULL, &bin_len, &end) != 0 || bin_len != 32)
		return -1;
	while (*end == ' ' || *end == '\n' || *end == '\r' || *end == '\t')
		end++;
	return *end == '\0' ? 0 : -1;
}

/* The value of --name in argv, or NULL. */
static const char *opt(int argc, char **argv, const char *name)
{
	for (int i = 2; i + 1 < argc; i++)
		if (strcmp(argv[i], name) == 0)
			return argv[i + 1];
	return NULL;
}

/* One candidate: alternating genders (F, M, F, M, ...) keep 2 of every 5;
 * names from the pools, varied by list and position. */
static void candidate_init(Vybar__Candidate *c, char *name, size_t list, size_t pos)
{
	int female = pos % 2 == 0;
	size_t k = pos / 2 + 5 * list;
	const char *given = female ? given_f[k % N_OF(given_f)] : given_m[k % N_OF(given_m)];
	const char *sur = surnames[(pos + 3 * list) % N_OF(surnames)];

	vybar__candidate__init(c);
	snprintf(name, DEMO_NAME_BYTES, "%s %s", given, sur);
	c->name = name;
	c->gender = female ? VYBAR__GENDER__GENDER_FEMALE : VYBAR__GENDER__GENDER_MALE;
}

/* The trustees' signing keys, one hex line each, in order 1..n. */
static int read_trustee_pks(const char *path, uint8_t pks[DEMO_TRUSTEES_MAX][32], size_t *n)
{
	FILE *f = fopen(path, "r");
	char line[DEMO_LINE_BYTES];

	*n = 0;
	if (f == NULL)
		return -1;
	while (fgets(line, sizeof line, f) != NULL) {
		if (line[0] == '\n')
			continue;
		if (*n == DEMO_TRUSTEES_MAX || hex32(line, pks[*n]) != 0) {
			fclose(f);
			return -1;
		}
		(*n)++;
	}
	fclose(f);
	return *n > 0 ? 0 : -1;
}

/* manifest: the 2024 Coordination Council election, one closed party-list
 * contest, written as a Manifest protobuf and checked with the library. */
static int cmd_manifest(int argc, char **argv)
{
	const char *out = opt(argc, argv, "--out"), *rk = opt(argc, argv, "--registrar-keys");
	const char *bpk = opt(argc, argv, "--board-pk"), *cpk = opt(argc, argv, "--commission-pk");
	const char *tpk = opt(argc, argv, "--trustee-pks"), *th = opt(argc, argv, "--threshold");
	static Vybar__Candidate cands[DEMO_LISTS][DEMO_CANDIDATES];
	static Vybar__Candidate *cand_ptrs[DEMO_LISTS][DEMO_CANDIDATES];
	static char names[DEMO_LISTS][DEMO_CANDIDATES][DEMO_NAME_BYTES];
	static char tnames[DEMO_TRUSTEES_MAX][DEMO_NAME_BYTES];
	Vybar__PartyList lists[DEMO_LISTS], *list_ptrs[DEMO_LISTS];
	Vybar__Trustee trustees[DEMO_TRUSTEES_MAX], *trustee_ptrs[DEMO_TRUSTEES_MAX];
	uint8_t board_pk[32], commission_pk[32], tpks[DEMO_TRUSTEES_MAX][32];
	Vybar__RegistrarPublicKeys *keys = NULL;
	Vybar__PartyListContest pl;
	Vybar__GenderRule gr;
	Vybar__Contest contest, *contest_ptr = &contest;
	Vybar__Manifest m, *check = NULL;
	size_t n_trustees = 0, klen = 0, mlen = 0;
	uint8_t *kbuf = NULL, *mbuf = NULL;
	unsigned long t = th != NULL ? strtoul(th, NULL, 10) : 0;
	vy_reason why;
	FILE *f;
	int rc = 1;

	if (out == NULL || rk == NULL || bpk == NULL || cpk == NULL || tpk == NULL) {
		fprintf(stderr, "demo_setup manifest: --out, --registrar-keys, --board-pk, --commission-pk and "
				"--trustee-pks are needed\n");
		return 1;
	}
	if (hex32(bpk, board_pk) != 0 || hex32(cpk, commission_pk) != 0) {
		fprintf(stderr, "demo_setup manifest: a public key is not 64 hex digits\n");
		return 1;
	}
	if (read_trustee_pks(tpk, tpks, &n_trustees) != 0) {
		fprintf(stderr, "demo_setup manifest: %s: not 1..%d lines of 64 hex digits\n", tpk, DEMO_TRUSTEES_MAX);
		return 1;
	}
	kbuf = read_all(rk, &klen);
	if (kbuf != NULL)
		keys = vybar__registrar_public_keys__unpack(NULL, klen, kbuf);
	if (keys == NULL || keys->registrar_key == NULL) {
		fprintf(stderr, "demo_setup manifest: %s: not the registrar's public keys\n", rk);
		goto out;
	}
	if (t == 0)
		t = (n_trustees + 1) / 2 + (n_trustees % 2 == 0);
	for (size_t i = 0; i < DEMO_LISTS; i++) {
		vybar__party_list__init(&lists[i]);
		lists[i].name = (char *)list_names[i];
		for (size_t j = 0; j < DEMO_CANDIDATES; j++) {
			candidate_init(&cands[i][j], names[i][j], i, j);
			cand_ptrs[i][j] = &cands[i][j];
		}
		lists[i].n_candidates = DEMO_CANDIDATES;
		lists[i].candidates = cand_ptrs[i];
		list_ptrs[i] = &lists[i];
	}
	vybar__gender_rule__init(&gr);
	gr.block_size = DEMO_GENDER_BLOCK;
	gr.min_per_block = DEMO_GENDER_MIN;
	vybar__party_list_contest__init(&pl);
	pl.n_lists = DEMO_LISTS;
	pl.lists = list_ptrs;
	pl.seats = DEMO_SEATS;
	pl.threshold_basis_points = DEMO_THRESHOLD_BP;
	pl.seat_method = VYBAR__SEAT_METHOD__SEAT_METHOD_HARE_ALL_VOTES;
	pl.gender_rule = &gr;
	pl.min_candidates = 1;
	vybar__contest__init(&contest);
	contest.title = "Coordination Council";
	contest.kind = VYBAR__CONTEST_KIND__CONTEST_KIND_PARTY_LIST;
	contest.party_list = &pl;
	for (size_t i = 0; i < n_trustees; i++) {
		vybar__trustee__init(&trustees[i]);
		trustees[i].index = (uint32_t)i + 1;
		snprintf(tnames[i], DEMO_NAME_BYTES, "Trustee %zu", i + 1);
		trustees[i].name = tnames[i];
		trustees[i].signing_key.data = tpks[i];
		trustees[i].signing_key.len = 32;
		trustee_ptrs[i] = &trustees[i];
	}
	vybar__manifest__init(&m);
	m.election_id = DEMO_ELECTION_ID;
	m.title = DEMO_TITLE;
	m.group = "ristretto255";
	m.n_contests = 1;
	m.contests = &contest_ptr;
	m.trustee_count = (uint32_t)n_trustees;
	m.threshold = (uint32_t)t;
	m.n_trustees = n_trustees;
	m.trustees = trustee_ptrs;
	m.board_key.data = board_pk;
	m.board_key.len = 32;
	m.registrar_key = keys->registrar_key;
	m.voting_start = DEMO_VOTING_START;
	m.voting_end = DEMO_VOTING_END;
	m.counting_rule = VYBAR__COUNTING_RULE__COUNTING_RULE_LAST_BALLOT;
	m.commission_key.data = commission_pk;
	m.commission_key.len = 32;
	m.registrar_statement_key = keys->statement_key;
	mbuf = vy_msg_pack(&m, &mlen);
	if (mbuf == NULL) {
		fprintf(stderr, "demo_setup manifest: out of memory\n");
		goto out;
	}
	/* protocol.md §3.3: the manifest must be valid before anyone uses it */
	if (vy_decode_manifest(&check, mbuf, mlen, &why) != VY_R_OK) {
		fprintf(stderr, "demo_setup manifest: invalid: %s\n", why.msg);
		goto out;
	}
	f = fopen(out, "wb");
	if (f == NULL || fwrite(mbuf, 1, mlen, f) != mlen || fclose(f) != 0) {
		fprintf(stderr, "demo_setup manifest: cannot write %s\n", out);
		goto out;
	}
	rc = 0;
out:
	vy_msg_free(check);
	free(mbuf);
	if (keys != NULL)
		vybar__registrar_public_keys__free_unpacked(keys, NULL);
	free(kbuf);
	return rc;
}

/* The 64 hex digits after "key":" in a JSON body. */
static int json_hash(const char *body, const char *key, uint8_t out[VY_HASH_BYTES])
{
	char pat[64], hex[2 * VY_HASH_BYTES + 1];
	const char *p;

	snprintf(pat, sizeof pat, "\"%s\":\"", key);
	p = strstr(body, pat);
	if (p == NULL || strlen(p + strlen(pat)) < 2 * VY_HASH_BYTES)
		return -1;
	memcpy(hex, p + strlen(pat), 2 * VY_HASH_BYTES);
	hex[2 * VY_HASH_BYTES] = '\0';
	return hex32(hex, out);
}

/* GET base + path into resp; 0 if the answer is HTTP 200. */
static int get200(const char *base, const char *path, vyc_http_resp *resp)
{
	char url[DEMO_URL_BYTES];

	snprintf(url, sizeof url, "%s%s", base, path);
	if (vyc_http_get(url, resp) != VY_R_OK || resp->status != 200) {
		fprintf(stderr, "demo_setup: GET %s: %s (HTTP %ld)\n", url,
			resp->body != NULL ? (const char *)resp->body : "no answer", resp->status);
		vyc_http_resp_free(resp);
		return -1;
	}
	return 0;
}

/* POST body to base + path; 0 if the answer is HTTP 200. */
static int post200(const char *base, const char *path, const uint8_t *body, size_t len)
{
	char url[DEMO_URL_BYTES];
	vyc_http_resp resp = { 0, NULL, 0 };
	int ok;

	snprintf(url, sizeof url, "%s%s", base, path);
	ok = vyc_http_post(url, body, len, &resp) == VY_R_OK && resp.status == 200;
	if (!ok)
		fprintf(stderr, "demo_setup: POST %s: %s (HTTP %ld)\n", url,
			resp.body != NULL ? (const char *)resp.body : "no answer", resp.status);
	vyc_http_resp_free(&resp);
	return ok ? 0 : -1;
}

/* admin: an AdminAction (protocol.md §12) over the board's current head,
 * signed with the commission's key, posted to /v1/admin. */
static int cmd_admin(int argc, char **argv)
{
	static const char *const actions[] = { "", "open", "close", "tally", "result" };
	const char *board = opt(argc, argv, "--board"), *keyf = opt(argc, argv, "--key");
	const char *action = argc > 0 ? argv[argc - 1] : "";
	uint8_t seed[32], pk[32], sk[crypto_sign_SECRETKEYBYTES], base[VY_HASH_BYTES], head[VY_HASH_BYTES];
	uint8_t h[VY_HASH_BYTES], sig[crypto_sign_BYTES], *msg = NULL, *kbuf = NULL;
	vyc_http_resp st = { 0, NULL, 0 };
	Vybar__AdminAction a;
	size_t kind = 0, klen = 0, len = 0;
	vy_hasher hs;
	int rc = 1;

	for (size_t i = 1; i < N_OF(actions); i++)
		if (strcmp(action, actions[i]) == 0)
			kind = i;
	if (board == NULL || keyf == NULL || kind == 0) {
		fprintf(stderr, "demo_setup admin: --board URL --key FILE open|close|tally|result\n");
		return 1;
	}
	kbuf = read_all(keyf, &klen);
	if (kbuf == NULL) {
		fprintf(stderr, "demo_setup admin: cannot read %s\n", keyf);
		return 1;
	}
	kbuf[klen] = '\0';
	if (hex32((const char *)kbuf, seed) != 0) {
		fprintf(stderr, "demo_setup admin: %s: not a key file (64 hex digits)\n", keyf);
		goto out;
	}
	crypto_sign_seed_keypair(pk, sk, seed);
	if (get200(board, "/v1/status", &st) != 0)
		goto out;
	if (json_hash((const char *)st.body, "base_hash", base) != 0 ||
	    json_hash((const char *)st.body, "head_hash", head) != 0) {
		fprintf(stderr, "demo_setup admin: the board's status lacks base_hash or head_hash\n");
		goto out;
	}
	/* §12: sig = Ed25519(commission, H("vybar/v1/admin-action", base, u64(action), head)) */
	vy_hasher_init(&hs, DEMO_ADMIN_TAG);
	vy_hasher_item(&hs, base, VY_HASH_BYTES);
	vy_hasher_u64(&hs, (uint64_t)kind);
	vy_hasher_item(&hs, head, VY_HASH_BYTES);
	vy_hasher_final(&hs, h);
	crypto_sign_detached(sig, NULL, h, sizeof h, sk);
	vybar__admin_action__init(&a);
	a.action = (Vybar__AdminActionKind)kind;
	a.base_hash.data = base;
	a.base_hash.len = VY_HASH_BYTES;
	a.head_hash.data = head;
	a.head_hash.len = VY_HASH_BYTES;
	a.signature.data = sig;
	a.signature.len = sizeof sig;
	msg = vy_msg_pack(&a, &len);
	if (msg == NULL || post200(board, "/v1/admin", msg, len) != 0)
		goto out;
	rc = 0;
out:
	sodium_memzero(seed, sizeof seed);
	sodium_memzero(sk, sizeof sk);
	if (kbuf != NULL)
		sodium_memzero(kbuf, klen);
	free(kbuf);
	free(msg);
	vyc_http_resp_free(&st);
	return rc;
}

/* issued: the registrar's signed count of credentials issued (GET
 * /v1/issued) onto the board (POST /v1/credentials-issued, §8.12). */
static int cmd_issued(int argc, char **argv)
{
	const char *board = opt(argc, argv, "--board"), *reg = opt(argc, argv, "--registrar");
	vyc_http_resp ir = { 0, NULL, 0 };
	int rc;

	if (board == NULL || reg == NULL) {
		fprintf(stderr, "demo_setup issued: --board URL --registrar URL\n");
		return 1;
	}
	if (get200(reg, VYC_PATH_ISSUED, &ir) != 0)
		return 1;
	rc = post200(board, "/v1/credentials-issued", ir.body, ir.len) == 0 ? 0 : 1;
	vyc_http_resp_free(&ir);
	return rc;
}

/* The last entry of the board's record (GET /v1/record?from=entries-1). */
static Vybar__RecordEntry *last_entry(const char *board)
{
	vyc_http_resp st = { 0, NULL, 0 }, rec = { 0, NULL, 0 };
	Vybar__RecordEntry *e = NULL;
	vy_record_reader rd;
	unsigned long long entries = 0;
	char path[64];
	const char *p;
	vy_reason why;
	FILE *f;

	if (get200(board, "/v1/status", &st) != 0)
		return NULL;
	p = strstr((const char *)st.body, "\"entries\":");
	if (p != NULL)
		entries = strtoull(p + strlen("\"entries\":"), NULL, 10);
	vyc_http_resp_free(&st);
	if (entries == 0)
		return NULL;
	snprintf(path, sizeof path, "/v1/record?from=%llu", entries - 1);
	if (get200(board, path, &rec) != 0)
		return NULL;
	f = fmemopen(rec.body, rec.len, "rb");
	if (f != NULL && vy_record_reader_open(&rd, f, &why) == VY_R_OK) {
		if (vy_record_reader_next(&rd, &e, &why) != VY_R_OK)
			e = NULL;
		vy_record_reader_close(&rd);
	}
	if (f != NULL)
		fclose(f);
	vyc_http_resp_free(&rec);
	return e;
}

/* A growing buffer for libcurl's write callback. */
typedef struct {
	uint8_t *data;
	size_t len, cap;
} demo_buf;

/* libcurl's write callback: append to the buffer (0 on no memory aborts). */
static size_t buf_write(char *p, size_t size, size_t n, void *arg)
{
	demo_buf *b = arg;
	size_t add = size * n;

	if (b->len + add > b->cap) {
		size_t cap = b->cap ? b->cap : 1 << 20;
		uint8_t *nb;

		while (cap < b->len + add)
			cap *= 2;
		nb = realloc(b->data, cap);
		if (nb == NULL)
			return 0;
		b->data = nb;
		b->cap = cap;
	}
	memcpy(b->data + b->len, p, add);
	b->len += add;
	return add;
}

/* One page of the record (board-api.md §4): its frames (after the magic
 * line) appended to f; *next gets X-Vybar-Next; *frames whether any came. */
static int record_page(const char *board, uint64_t from, FILE *f, uint64_t *next, int *frames)
{
	char url[DEMO_URL_BYTES];
	demo_buf b = { NULL, 0, 0 };
	struct curl_header *h = NULL;
	CURL *c = curl_easy_init();
	long status = 0;
	int rc = -1;

	snprintf(url, sizeof url, "%s/v1/record?from=%llu", board, (unsigned long long)from);
	if (c == NULL)
		return -1;
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, buf_write);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
	if (curl_easy_perform(c) != CURLE_OK || curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status) != CURLE_OK ||
	    status != 200 || b.len < VY_RECORD_MAGIC_LEN || memcmp(b.data, VY_RECORD_MAGIC, VY_RECORD_MAGIC_LEN) != 0 ||
	    curl_easy_header(c, "X-Vybar-Next", 0, CURLH_HEADER, -1, &h) != CURLHE_OK) {
		fprintf(stderr, "demo_setup record: GET %s failed (HTTP %ld)\n", url, status);
		goto out;
	}
	*next = strtoull(h->value, NULL, 10);
	*frames = b.len > VY_RECORD_MAGIC_LEN;
	if (fwrite(b.data + VY_RECORD_MAGIC_LEN, 1, b.len - VY_RECORD_MAGIC_LEN, f) != b.len - VY_RECORD_MAGIC_LEN)
		goto out;
	rc = 0;
out:
	free(b.data);
	curl_easy_cleanup(c);
	return rc;
}

/* record: the whole record, every page, into a record file (§7.6). */
static int cmd_record(int argc, char **argv)
{
	const char *board = opt(argc, argv, "--board"), *out = opt(argc, argv, "--out");
	uint64_t from = 0, next = 0;
	int frames = 1;
	FILE *f;

	if (board == NULL || out == NULL) {
		fprintf(stderr, "demo_setup record: --board URL --out FILE\n");
		return 1;
	}
	f = fopen(out, "wb");
	if (f == NULL || fwrite(VY_RECORD_MAGIC, 1, VY_RECORD_MAGIC_LEN, f) != VY_RECORD_MAGIC_LEN) {
		fprintf(stderr, "demo_setup record: cannot write %s\n", out);
		if (f != NULL)
			fclose(f);
		return 1;
	}
	while (frames) {
		if (record_page(board, from, f, &next, &frames) != 0) {
			fclose(f);
			return 1;
		}
		from = next;
	}
	if (fclose(f) != 0) {
		fprintf(stderr, "demo_setup record: cannot write %s\n", out);
		return 1;
	}
	printf("%llu entries\n", (unsigned long long)from);
	return 0;
}

/* Print one list's line of the seat table and its elected candidates. */
static void print_list(const Vybar__PartyList *l, const Vybar__ListResult *lr, uint64_t total)
{
	printf("  %-40s %6llu  %5.2f%%  %3u\n", l->name, (unsigned long long)lr->votes,
	       total ? 100.0 * (double)lr->votes / (double)total : 0.0, lr->seats);
	for (size_t k = 0; k < lr->n_elected; k++)
		if (lr->elected[k] < l->n_candidates)
			printf("      %2zu. %s\n", k + 1, l->candidates[lr->elected[k]]->name);
}

/* result: the RESULT entry (the record's last) with the manifest's names:
 * per list votes, share, seats, then the elected candidates. */
static int cmd_result(int argc, char **argv)
{
	const char *board = opt(argc, argv, "--board");
	vyc_http_resp mr = { 0, NULL, 0 };
	Vybar__Manifest *m = NULL;
	Vybar__Result *res = NULL;
	Vybar__RecordEntry *e = NULL;
	vy_reason why;
	int rc = 1;

	if (board == NULL) {
		fprintf(stderr, "demo_setup result: --board URL\n");
		return 1;
	}
	if (get200(board, "/v1/manifest", &mr) != 0)
		return 1;
	if (vy_decode_manifest(&m, mr.body, mr.len, &why) != VY_R_OK) {
		fprintf(stderr, "demo_setup result: manifest: %s\n", why.msg);
		goto out;
	}
	e = last_entry(board);
	if (e == NULL || e->type != VYBAR__ENTRY_TYPE__ENTRY_TYPE_RESULT ||
	    vy_decode_message((ProtobufCMessage **)&res, &vybar__result__descriptor, VY_MAX_MESSAGE_BYTES,
			      e->payload.data, e->payload.len, &why) != VY_R_OK) {
		fprintf(stderr, "demo_setup result: no RESULT entry at the end of the record\n");
		goto out;
	}
	for (size_t c = 0; c < m->n_contests && c < res->n_contests; c++) {
		const Vybar__PartyListContest *pl = m->contests[c]->party_list;
		const Vybar__ContestResult *cr = res->contests[c];
		uint64_t total = 0;

		if (pl == NULL || cr->n_lists != pl->n_lists)
			continue;
		for (size_t i = 0; i < cr->n_lists; i++)
			total += cr->lists[i]->votes;
		printf("%s: %u seats, %llu valid votes\n", m->contests[c]->title, pl->seats,
		       (unsigned long long)total);
		printf("  %-40s %6s  %6s  %3s\n", "list", "votes", "share", "seats");
		for (size_t i = 0; i < cr->n_lists; i++)
			print_list(pl->lists[i], cr->lists[i], total);
	}
	printf("trustees who decrypted:");
	for (size_t i = 0; i < res->n_trustees_used; i++)
		printf(" %u", res->trustees_used[i]);
	printf("\n");
	rc = 0;
out:
	vy_msg_free(res);
	vy_msg_free(e);
	vy_msg_free(m);
	vyc_http_resp_free(&mr);
	return rc;
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : "";
	int rc;

	if (sodium_init() < 0 || vy_init() != VY_OK || curl_global_init(CURL_GLOBAL_ALL) != CURLE_OK) {
		fprintf(stderr, "demo_setup: cannot initialise the libraries\n");
		return 1;
	}
	if (strcmp(cmd, "manifest") == 0)
		rc = cmd_manifest(argc, argv);
	else if (strcmp(cmd, "admin") == 0)
		rc = cmd_admin(argc, argv);
	else if (strcmp(cmd, "issued") == 0)
		rc = cmd_issued(argc, argv);
	else if (strcmp(cmd, "result") == 0)
		rc = cmd_result(argc, argv);
	else if (strcmp(cmd, "record") == 0)
		rc = cmd_record(argc, argv);
	else {
		fprintf(stderr, "usage: demo_setup manifest|admin|issued|result|record ... (see bench/demo_setup.c)\n");
		rc = 1;
	}
	curl_global_cleanup();
	return rc;
}
