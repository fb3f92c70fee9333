/* The voter's side of voting (vote.h, specs/client.md). */
#include "client/vote.h"

#include <ctype.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "cli/vy_files.h"
#include "client/registration.h"

#define LINE_BYTES 1024
#define MAGIC_LEN VY_RECORD_MAGIC_LEN
#define NEXT_HEADER "X-Vybar-Next:"
#define NEXT_DIGITS 20
#define RECORD_TIMEOUT_S 120L

/* ---- fetching and verifying the record (client.md §2) ---- */

/* Append the frames of one page (after its magic line) to b->record;
 * *frames receives how many it held. */
static vy_rc append_page(vyc_board *b, const vyc_http_resp *r, uint64_t *frames, vy_reason *why)
{
	size_t off = MAGIC_LEN, len;
	uint8_t *nb;

	*frames = 0;
	if (r->len < MAGIC_LEN || memcmp(r->body, VY_RECORD_MAGIC, MAGIC_LEN) != 0)
		return vy_reason_set(why, VY_R_BAD_MAGIC, "board %s: the record does not start with the magic line",
				     b->url);
	while (off + 4 <= r->len) {
		len = (size_t)r->body[off] << 24 | (size_t)r->body[off + 1] << 16 | (size_t)r->body[off + 2] << 8 |
		      r->body[off + 3];
		if (len > r->len - off - 4)
			return vy_reason_set(why, VY_R_TRUNCATED, "board %s: record page ends inside a frame", b->url);
		off += 4 + len;
		(*frames)++;
	}
	if (off != r->len)
		return vy_reason_set(why, VY_R_TRUNCATED, "board %s: record page ends inside a frame header", b->url);
	nb = realloc(b->record, b->record_len + r->len - MAGIC_LEN);
	if (nb == NULL)
		return vy_reason_set(why, VY_R_NOMEM, "record: out of memory");
	memcpy(nb + b->record_len, r->body + MAGIC_LEN, r->len - MAGIC_LEN);
	b->record = nb;
	b->record_len += r->len - MAGIC_LEN;
	return VY_R_OK;
}

/* One record answer being received: the body (at most
 * VYC_MAX_RECORD_ANSWER_BYTES) and the X-Vybar-Next header ("" if absent). */
typedef struct {
	vyc_http_resp r;
	int overflow;
	char next[NEXT_DIGITS + 1];
} record_answer;

/* libcurl body callback for a record answer: append, refusing more than
 * the board's largest answer. */
static size_t answer_body(char *data, size_t size, size_t n, void *arg)
{
	record_answer *a = arg;
	size_t add = size * n;
	uint8_t *p;

	if (add > VYC_MAX_RECORD_ANSWER_BYTES - a->r.len) {
		a->overflow = 1;
		return 0;
	}
	p = realloc(a->r.body, a->r.len + add + 1);
	if (p == NULL)
		return 0;
	memcpy(p + a->r.len, data, add);
	a->r.body = p;
	a->r.len += add;
	a->r.body[a->r.len] = 0;
	return add;
}

/* libcurl header callback for a record answer: keep the digits of
 * X-Vybar-Next. */
static size_t answer_header(char *p, size_t size, size_t nmemb, void *arg)
{
	record_answer *a = arg;
	size_t n = size * nmemb, k = strlen(NEXT_HEADER), d = 0;

	if (n > k && strncasecmp(p, NEXT_HEADER, k) == 0) {
		p += k;
		n -= k;
		while (n > 0 && (*p == ' ' || *p == '\t')) {
			p++;
			n--;
		}
		while (d < n && d < NEXT_DIGITS && p[d] >= '0' && p[d] <= '9') {
			a->next[d] = p[d];
			d++;
		}
		a->next[d] = 0;
	}
	return size * nmemb;
}

/* GET /v1/record?from=from into *a; *next receives X-Vybar-Next. The answer
 * must be a 200 that starts with the magic line and carries the header. */
static vy_rc get_record_answer(const vyc_board *b, uint64_t from, record_answer *a, uint64_t *next,
			       vy_reason *why)
{
	char url[VYC_URL_BYTES + 64], *end = NULL;
	CURL *c;
	CURLcode cc;

	memset(a, 0, sizeof *a);
	snprintf(url, sizeof url, "%s%s%llu", b->url, VYC_PATH_RECORD, (unsigned long long)from);
	c = curl_easy_init();
	if (c == NULL)
		return vy_reason_set(why, VY_R_NOMEM, "record: cannot start libcurl");
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, answer_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, a);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, answer_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, a);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, RECORD_TIMEOUT_S);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	cc = curl_easy_perform(c);
	if (cc == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &a->r.status);
	curl_easy_cleanup(c);
	if (cc != CURLE_OK)
		return vy_reason_set(why, VY_R_IO, "board %s: %s", b->url,
				     a->overflow ? "a record answer is larger than the board's maximum" : "no answer");
	if (a->r.status != 200)
		return vy_reason_set(why, VY_R_IO, "board %s: GET record answered %ld", b->url, a->r.status);
	if (a->r.len < MAGIC_LEN || memcmp(a->r.body, VY_RECORD_MAGIC, MAGIC_LEN) != 0)
		return vy_reason_set(why, VY_R_BAD_MAGIC, "board %s: the record does not start with the magic line",
				     b->url);
	errno = 0;
	*next = strtoull(a->next, &end, 10);
	if (a->next[0] == 0 || *end != 0 || errno != 0)
		return vy_reason_set(why, VY_R_IO, "board %s: a record answer has no X-Vybar-Next header", b->url);
	return VY_R_OK;
}

/* GET every page of the record (board-api.md §4): from=0, then from the
 * previous answer's X-Vybar-Next, until an answer holds no entry. An answer
 * whose X-Vybar-Next goes backwards, or stays put after holding entries, is
 * refused. The pages are checked frame by frame and joined in b->record. */
static vy_rc fetch_record(vyc_board *b, vy_reason *why)
{
	uint64_t from = 0, next = 0, frames = 1;
	vy_rc rc = VY_R_OK;

	b->record = malloc(MAGIC_LEN);
	if (b->record == NULL)
		return vy_reason_set(why, VY_R_NOMEM, "record: out of memory");
	memcpy(b->record, VY_RECORD_MAGIC, MAGIC_LEN);
	b->record_len = MAGIC_LEN;
	for (unsigned page = 0; rc == VY_R_OK; page++) {
		record_answer a;

		if (page >= VYC_MAX_RECORD_PAGES)
			return vy_reason_set(why, VY_R_IO, "board %s: the record has too many pages", b->url);
		rc = get_record_answer(b, from, &a, &next, why);
		if (rc == VY_R_OK)
			rc = append_page(b, &a.r, &frames, why);
		vyc_http_resp_free(&a.r);
		if (rc != VY_R_OK || frames == 0)
			break;
		if (next <= from)
			rc = vy_reason_set(why, VY_R_IO, "board %s: X-Vybar-Next %llu does not advance from %llu",
					   b->url, (unsigned long long)next, (unsigned long long)from);
		from = next;
	}
	return rc;
}

/* One entry: the full rules (protocol.md §8) up to and including
 * ELECTION_OPEN; after it, ballots are checked for frame, chain, board
 * signature and phase only (their proofs are each voter's and the
 * verifier's business), then applied. */
static vy_rc accept_entry(vy_record_state *st, const Vybar__RecordEntry *e, vy_reason *why)
{
	unsigned flags = 0;
	vy_rc rc;

	if (st->phase >= VY_PHASE_OPEN && (e->type == VYBAR__ENTRY_TYPE__ENTRY_TYPE_BALLOT ||
					   e->type == VYBAR__ENTRY_TYPE__ENTRY_TYPE_AUDITED_BALLOT))
		flags = VY_CHECK_SKIP_BALLOT;
	rc = vy_validate_entry_flags(st, e, flags, why);
	if (rc != VY_R_OK)
		return rc;
	return vy_record_state_apply(st, e, why);
}

/* Verify b->record entry by entry into b->st. */
static vy_rc verify_record(vyc_board *b, vy_reason *why)
{
	FILE *f = fmemopen(b->record, b->record_len, "rb");
	vy_record_reader rd;
	Vybar__RecordEntry *e = NULL;
	vy_rc rc;

	if (f == NULL)
		return vy_reason_set(why, VY_R_NOMEM, "record: out of memory");
	rc = vy_record_reader_open(&rd, f, why);
	while (rc == VY_R_OK && (rc = vy_record_reader_next(&rd, &e, why)) == VY_R_OK && e != NULL) {
		uint64_t seq = e->seq;

		rc = accept_entry(&b->st, e, why);
		if (rc != VY_R_OK && why != NULL) {
			char msg[VY_REASON_MSG_BYTES];

			snprintf(msg, sizeof msg, "%s", why->msg);
			vy_reason_set(why, rc, "board record entry %llu: %s", (unsigned long long)seq, msg);
		}
		vy_msg_free(e);
		e = NULL;
	}
	vy_record_reader_close(&rd);
	fclose(f);
	return rc;
}

vy_rc vyc_board_fetch(vyc_board *b, const char *url, const uint8_t *pin, vy_reason *why)
{
	vy_rc rc;

	memset(b, 0, sizeof *b);
	vy_record_state_init(&b->st);
	if (strlen(url) >= sizeof b->url)
		return vy_reason_set(why, VY_R_ARG, "board URL too long");
	snprintf(b->url, sizeof b->url, "%s", url);
	rc = fetch_record(b, why);
	if (rc == VY_R_OK)
		rc = verify_record(b, why);
	if (rc != VY_R_OK)
		return rc;
	if (b->st.manifest == NULL)
		return vy_reason_set(why, VY_R_FIELD, "board %s: the record has no manifest", url);
	if (pin != NULL && sodium_memcmp(pin, b->st.election.base_hash, VY_HASH_BYTES) != 0)
		return vy_reason_set(why, VY_R_FIELD, "board %s: the election is not the one expected (base hash differs)",
				     url);
	if (b->st.phase < VY_PHASE_OPEN || !b->st.election.have_joint_key)
		return vy_reason_set(why, VY_R_PHASE, "board %s: the election is not open yet (key ceremony)", url);
	return VY_R_OK;
}

void vyc_board_free(vyc_board *b)
{
	vy_record_state_free(&b->st);
	free(b->record);
	b->record = NULL;
}

/* ---- showing the election and taking choices (client.md §3) ---- */

static const char *gender_name(Vybar__Gender g)
{
	return g == VYBAR__GENDER__GENDER_FEMALE ? "F" : g == VYBAR__GENDER__GENDER_MALE ? "M" : "-";
}

/* One contest: its rule and numbered options (lists with their candidates). */
static void contest_print(FILE *out, const Vybar__Contest *c, size_t ci)
{
	size_t n_sel;
	uint64_t lo, hi;

	vy_contest_shape(c, &n_sel, &lo, &hi);
	fprintf(out, "\nContest %zu: %s\n", ci + 1, c->title);
	if (c->kind == VYBAR__CONTEST_KIND__CONTEST_KIND_APPROVAL)
		fprintf(out, "  choose between %llu and %llu options\n", (unsigned long long)lo, (unsigned long long)hi);
	else if (c->kind == VYBAR__CONTEST_KIND__CONTEST_KIND_PARTY_LIST)
		fprintf(out, "  choose one list%s\n", c->allow_blank ? " (or blank)" : "");
	else
		fprintf(out, "  choose one option%s\n", c->allow_blank ? " (or blank)" : "");
	if (c->kind != VYBAR__CONTEST_KIND__CONTEST_KIND_PARTY_LIST) {
		for (size_t j = 0; j < c->n_options; j++)
			fprintf(out, "  %zu. %s\n", j + 1, c->options[j]->title);
		return;
	}
	for (size_t j = 0; j < c->party_list->n_lists; j++) {
		const Vybar__PartyList *l = c->party_list->lists[j];

		fprintf(out, "  %zu. %s\n", j + 1, l->name);
		for (size_t k = 0; k < l->n_candidates; k++)
			fprintf(out, "       %zu) %s (%s)\n", k + 1, l->candidates[k]->name,
				gender_name(l->candidates[k]->gender));
	}
}

void vyc_election_print(FILE *out, const vy_election *e)
{
	char hex[2 * VY_HASH_BYTES + 1];

	sodium_bin2hex(hex, sizeof hex, e->base_hash, VY_HASH_BYTES);
	fprintf(out, "Election: %s (%s)\nElection fingerprint: %s\n", e->manifest->title, e->manifest->election_id,
		hex);
	for (size_t i = 0; i < e->manifest->n_contests; i++)
		contest_print(out, e->manifest->contests[i], i);
}

/* The first selection of contest ci and its count. */
static size_t contest_first(const Vybar__Manifest *m, size_t ci, size_t *n_sel)
{
	size_t first = 0;
	uint64_t lo, hi;

	for (size_t i = 0; i < ci; i++) {
		vy_contest_shape(m->contests[i], n_sel, &lo, &hi);
		first += *n_sel;
	}
	vy_contest_shape(m->contests[ci], n_sel, &lo, &hi);
	return first;
}

/* "O[,O...]" or "blank" for contest ci into choices. */
static vy_rc parse_options(const Vybar__Manifest *m, size_t ci, const char *s, uint32_t *choices, vy_reason *why)
{
	size_t n_sel, first = contest_first(m, ci, &n_sel);
	char *end;

	while (isspace((unsigned char)*s))
		s++;
	if (strncmp(s, "blank", 5) == 0 || *s == '\0')
		return VY_R_OK;
	for (;;) {
		unsigned long o;

		errno = 0;
		o = strtoul(s, &end, 10);
		if (end == s || errno != 0 || o < 1 || o > n_sel)
			return vy_reason_set(why, VY_R_FIELD, "contest %zu: \"%s\" is not an option number (1 to %zu)",
					     ci + 1, s, n_sel);
		if (choices[first + o - 1] != 0)
			return vy_reason_set(why, VY_R_FIELD, "contest %zu: option %lu chosen twice", ci + 1, o);
		choices[first + o - 1] = 1;
		s = end;
		while (isspace((unsigned char)*s))
			s++;
		if (*s == '\0')
			return VY_R_OK;
		if (*s != ',')
			return vy_reason_set(why, VY_R_FIELD, "contest %zu: unexpected \"%s\"", ci + 1, s);
		s++;
	}
}

vy_rc vyc_choices_parse(const Vybar__Manifest *m, const char *const *specs, size_t n_specs, uint32_t *choices,
			size_t n, vy_reason *why)
{
	uint64_t seen = 0;
	vy_rc rc;

	if (n != vy_manifest_selections(m))
		return vy_reason_set(why, VY_R_ARG, "choices: wrong number of selections");
	memset(choices, 0, n * sizeof *choices);
	for (size_t i = 0; i < n_specs; i++) {
		char *end;
		unsigned long c = strtoul(specs[i], &end, 10);

		if (end == specs[i] || *end != '=' || c < 1 || c > m->n_contests)
			return vy_reason_set(why, VY_R_FIELD, "choice \"%s\": expected CONTEST=OPTION[,OPTION...] or "
					     "CONTEST=blank, with a contest number from 1 to %zu", specs[i],
					     m->n_contests);
		if (seen & (1ull << (c - 1)))
			return vy_reason_set(why, VY_R_FIELD, "contest %lu: chosen twice on the command line", c);
		seen |= 1ull << (c - 1);
		rc = parse_options(m, c - 1, end + 1, choices, why);
		if (rc != VY_R_OK)
			return rc;
	}
	for (size_t c = 0; c < m->n_contests; c++)
		if (!(seen & (1ull << c)))
			return vy_reason_set(why, VY_R_FIELD, "contest %zu: no choice given (use %zu=blank for none)",
					     c + 1, c + 1);
	return vy_choices_check(m, choices, n, why);
}

vy_rc vyc_choices_prompt(FILE *in, FILE *out, const Vybar__Manifest *m, uint32_t *choices, size_t n,
			 vy_reason *why)
{
	char line[LINE_BYTES];
	vy_rc rc = VY_R_OK;

	if (n != vy_manifest_selections(m))
		return vy_reason_set(why, VY_R_ARG, "choices: wrong number of selections");
	for (size_t c = 0; c < m->n_contests; c++) {
		size_t n_sel, first = contest_first(m, c, &n_sel);

		for (;;) {
			fprintf(out, "Contest %zu (%s): your choice (numbers separated by commas, or blank): ", c + 1,
				m->contests[c]->title);
			fflush(out);
			if (fgets(line, sizeof line, in) == NULL) {
				rc = vy_reason_set(why, VY_R_IO, "no answer: nothing was sent");
				goto out;
			}
			line[strcspn(line, "\r\n")] = '\0';
			memset(choices + first, 0, n_sel * sizeof *choices);
			rc = parse_options(m, c, line, choices, why);
			if (rc == VY_R_OK)
				rc = vy_choices_check(m, choices, n, why);
			if (rc == VY_R_OK || why == NULL || strncmp(why->msg, "contest", 7) != 0 ||
			    (size_t)atoi(why->msg + 8) == c + 1)
				; /* a problem in this contest: ask again */
			else
				rc = VY_R_OK; /* a later contest is not chosen yet */
			if (rc == VY_R_OK)
				break;
			fprintf(out, "  %s\n", why ? why->msg : "invalid choice");
		}
	}
	rc = vy_choices_check(m, choices, n, why);
out:
	sodium_memzero(line, sizeof line);
	return rc;
}

/* ---- the credential ---- */

vy_rc vyc_credential_open(vyc_credential *c, const vy_election *e, const char *path, vy_reason *why)
{
	Vybar__CredentialFile *f = NULL;
	vy_rc rc;

	memset(c, 0, sizeof *c);
	rc = vyc_credential_load(&f, e, path, why);
	if (rc != VY_R_OK)
		return rc;
	c->keys = sodium_malloc(VY_ED25519_PK_BYTES + crypto_sign_SECRETKEYBYTES);
	if (c->keys == NULL || f->credential->signature.len > sizeof c->reg_sig) {
		rc = vy_reason_set(why, c->keys ? VY_R_FIELD : VY_R_NOMEM, "credential file %s: cannot be used", path);
		goto out;
	}
	crypto_sign_seed_keypair(c->keys, c->keys + VY_ED25519_PK_BYTES, f->secret_seed.data);
	if (sodium_memcmp(c->keys, f->credential->public_key.data, VY_ED25519_PK_BYTES) != 0) {
		rc = vy_reason_set(why, VY_R_KEY, "credential file %s: the secret does not match the public key", path);
		goto out;
	}
	memcpy(c->randomizer, f->credential->randomizer.data, VY_RANDOMIZER_BYTES);
	memcpy(c->reg_sig, f->credential->signature.data, f->credential->signature.len);
	c->reg_sig_len = f->credential->signature.len;
	c->signer.pk = c->keys;
	c->signer.sk = c->keys + VY_ED25519_PK_BYTES;
	c->signer.randomizer = c->randomizer;
	c->signer.reg_sig = c->reg_sig;
	c->signer.reg_sig_len = c->reg_sig_len;
out:
	sodium_memzero(f->secret_seed.data, f->secret_seed.len);
	vy_msg_free(f);
	if (rc != VY_R_OK)
		vyc_credential_close(c);
	return rc;
}

void vyc_credential_close(vyc_credential *c)
{
	sodium_free(c->keys); /* wipes */
	memset(c, 0, sizeof *c);
}

/* ---- posting with retries, receipts (client.md §4) ---- */

static void sleep_ms(unsigned ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* 409 (already on the record): the stored receipt, from GET /v1/receipts/{code}
 * (board-api.md §4), whose "receipt" field is the signed Receipt in hex. */
static vy_rc fetch_stored_receipt(const vyc_board *bd, const char *code, uint8_t *out, size_t *len, vy_reason *why)
{
	char url[VYC_URL_BYTES + 64];
	vyc_http_resp r = { 0 };
	const char *p, *q;
	vy_rc rc = VY_R_OK;

	snprintf(url, sizeof url, "%s%s%s", bd->url, VYC_PATH_RECEIPTS, code);
	if (vyc_http_get(url, &r) != VY_R_OK)
		return vy_reason_set(why, VY_R_IO, "board %s: no answer for receipt %s", bd->url, code);
	p = r.status == 200 ? strstr((const char *)r.body, "\"receipt\"") : NULL;
	p = p ? strchr(p + 9, '"') : NULL;
	q = p ? strchr(p + 1, '"') : NULL;
	if (q == NULL || sodium_hex2bin(out, VYC_MAX_RECEIPT_BYTES, p + 1, (size_t)(q - p - 1), NULL, len, NULL) != 0)
		rc = vy_reason_set(why, VY_R_RECEIPT, "board %s: no stored receipt for %s (status %ld)", bd->url, code,
				   r.status);
	vyc_http_resp_free(&r);
	return rc;
}

/* The board's reason in an error answer, for the voter. */
static vy_rc board_refused(const vyc_board *bd, const vyc_http_resp *r, vy_reason *why)
{
	const char *msg = r->body ? strstr((const char *)r->body, "\"message\"") : NULL;

	if (r->status == 403)
		return vy_reason_set(why, VY_R_PHASE, "board %s refused the ballot: the election is not open (%.160s)",
				     bd->url, msg ? msg : "");
	return vy_reason_set(why, VY_R_IO, "board %s refused the ballot (HTTP %ld): %.160s", bd->url, r->status,
			     msg ? msg : "no reason given");
}

/* POST the same bytes until an answer other than 429/503 comes (bounded,
 * with backoff); a transport failure is retried with the same bytes, which
 * the board accepts at most once (409 for a tracking code it holds). The
 * receipt's bytes go to out. */
static vy_rc post_ballot(const vyc_board *bd, const char *path, const uint8_t *body, size_t len, const char *code,
			 const vyc_post_opts *o, uint8_t *out, size_t *out_len, vy_reason *why)
{
	char url[VYC_URL_BYTES + 64];
	unsigned tries = o && o->tries ? o->tries : VYC_POST_TRIES;
	unsigned wait = o && o->backoff_ms ? o->backoff_ms : VYC_BACKOFF_FIRST_MS;
	vy_rc rc = vy_reason_set(why, VY_R_IO, "board %s: no answer", bd->url);
	int busy = 0; /* the last try was answered 429/503, not lost */

	snprintf(url, sizeof url, "%s%s", bd->url, path);
	for (unsigned t = 0; t < tries; t++) {
		vyc_http_resp r = { 0 };

		if (t > 0) {
			if (o && o->log)
				fprintf(o->log, "The board %s; trying again in %u ms.\n", busy ? "is busy" : "did not answer",
					wait);
			sleep_ms(wait);
			wait = wait * 2 > VYC_BACKOFF_MAX_MS ? VYC_BACKOFF_MAX_MS : wait * 2;
		}
		if (vyc_http_post(url, body, len, &r) != VY_R_OK) {
			rc = vy_reason_set(why, VY_R_IO, "board %s: no answer after %u tries", bd->url, t + 1);
			busy = 0;
			continue;
		}
		if (r.status == 429 || r.status == 503) {
			rc = vy_reason_set(why, VY_R_IO, "board %s: busy (HTTP %ld) after %u tries", bd->url, r.status,
					   t + 1);
			busy = 1;
			vyc_http_resp_free(&r);
			continue;
		}
		if (r.status == 200 && r.len <= VYC_MAX_RECEIPT_BYTES) {
			memcpy(out, r.body, r.len);
			*out_len = r.len;
			rc = VY_R_OK;
		} else if (r.status == 409) {
			rc = fetch_stored_receipt(bd, code, out, out_len, why);
		} else {
			rc = board_refused(bd, &r, why);
		}
		vyc_http_resp_free(&r);
		return rc;
	}
	return rc;
}

/* §7.5: the receipt is for this tracking code and the board's signature
 * over it verifies under the manifest's board key. */
static vy_rc receipt_check(const vy_election *e, const uint8_t *buf, size_t len, const char *code,
			   const vyc_post_opts *o, uint64_t *seq, vy_reason *why)
{
	Vybar__Receipt *r = NULL;
	vy_rc rc = vy_decode_receipt(&r, buf, len, why);

	if (rc != VY_R_OK)
		return vy_reason_set(why, VY_R_RECEIPT, "the board's receipt does not decode");
	if (o != NULL && o->receipt_seen != NULL)
		o->receipt_seen(r);
	if (code != NULL && (r->tracking_code == NULL || strcmp(r->tracking_code, code) != 0))
		rc = vy_reason_set(why, VY_R_RECEIPT, "the board's receipt is for tracking code %s, not %s",
				   r->tracking_code ? r->tracking_code : "(none)", code);
	else if (vy_receipt_verify(e->manifest->board_key.data, r, why) != VY_R_OK)
		rc = vy_reason_set(why, VY_R_RECEIPT, "THE BOARD'S RECEIPT SIGNATURE DOES NOT VERIFY (tracking code %s, "
				   "position %llu): keep the receipt file and report this to the election commission",
				   r->tracking_code, (unsigned long long)r->seq);
	if (seq != NULL)
		*seq = r->seq;
	vy_msg_free(r);
	return rc;
}

vy_rc vyc_audit(const vyc_board *bd, const vy_built_ballot *b, const vyc_post_opts *o, vy_reason *why)
{
	uint8_t *ab = NULL, rcpt[VYC_MAX_RECEIPT_BYTES];
	size_t len, rlen = 0;
	vy_rc rc;

	rc = vy_ballot_audit_pack(&bd->st.election, b, &ab, &len, why);
	if (rc == VY_R_OK)
		rc = post_ballot(bd, VYC_PATH_AUDITED, ab, len, b->tracking_code, o, rcpt, &rlen, why);
	if (rc == VY_R_OK)
		rc = receipt_check(&bd->st.election, rcpt, rlen, b->tracking_code, o, NULL, why);
	if (ab != NULL)
		sodium_memzero(ab, len); /* the revealed randomness */
	free(ab);
	return rc;
}

/* Write the receipt (mode 0600, replacing an older one atomically). */
static vy_rc receipt_save(const char *path, const uint8_t *buf, size_t len, vy_reason *why)
{
	return vy_file_replace(path, VY_FILE_MODE_SECRET, buf, len, why);
}

vy_rc vyc_cast(const vyc_board *bd, const vy_built_ballot *b, const vyc_post_opts *o, const char *receipt_path,
	       uint64_t *seq, vy_reason *why)
{
	uint8_t rcpt[VYC_MAX_RECEIPT_BYTES];
	size_t rlen = 0;
	vy_rc rc;

	rc = post_ballot(bd, VYC_PATH_BALLOTS, b->bytes, b->len, b->tracking_code, o, rcpt, &rlen, why);
	if (rc != VY_R_OK)
		return rc;
	rc = receipt_save(receipt_path, rcpt, rlen, why);
	if (rc != VY_R_OK)
		return rc;
	return receipt_check(&bd->st.election, rcpt, rlen, b->tracking_code, o, seq, why);
}

/* ---- checking later (client.md §5) ---- */

/* Read the receipt file (at most VYC_MAX_RECEIPT_BYTES). */
static vy_rc receipt_load(const char *path, uint8_t *buf, size_t *len, vy_reason *why)
{
	uint8_t *b = NULL;
	vy_rc rc = vy_file_read(&b, len, path, VYC_MAX_RECEIPT_BYTES, 0, why);

	if (rc == VY_R_OK && *len == 0)
		rc = vy_reason_set(why, VY_R_IO, "receipt file %s: empty", path);
	if (rc != VY_R_OK) {
		free(b);
		return rc;
	}
	memcpy(buf, b, *len);
	free(b);
	return VY_R_OK;
}

/* The entry at seq in the record bytes (free with vy_msg_free). */
static vy_rc entry_at(const vyc_board *bd, uint64_t seq, Vybar__RecordEntry **out, vy_reason *why)
{
	FILE *f = fmemopen(bd->record, bd->record_len, "rb");
	vy_record_reader rd;
	Vybar__RecordEntry *e = NULL;
	vy_rc rc;

	*out = NULL;
	if (f == NULL)
		return vy_reason_set(why, VY_R_NOMEM, "record: out of memory");
	rc = vy_record_reader_open(&rd, f, why);
	while (rc == VY_R_OK && (rc = vy_record_reader_next(&rd, &e, why)) == VY_R_OK && e != NULL) {
		if (e->seq == seq) {
			*out = e;
			break;
		}
		vy_msg_free(e);
	}
	vy_record_reader_close(&rd);
	fclose(f);
	if (rc == VY_R_OK && *out == NULL)
		rc = vy_reason_set(why, VY_R_RECEIPT, "the record has no entry at position %llu",
				   (unsigned long long)seq);
	return rc;
}

/* The ballot at the receipt's position: a BALLOT entry whose hash is the
 * receipt's head hash and whose tracking code is the receipt's. */
static vy_rc ballot_matches(const vyc_board *bd, const Vybar__Receipt *r, uint8_t pk[VY_ED25519_PK_BYTES],
			    vy_reason *why)
{
	Vybar__RecordEntry *e = NULL;
	Vybar__Ballot *b = NULL;
	uint8_t h[VY_HASH_BYTES];
	char code[VY_TRACKING_CODE_BYTES];
	vy_rc rc = entry_at(bd, r->seq, &e, why);

	if (rc != VY_R_OK)
		return rc;
	vy_entry_hash_of(h, e);
	if (e->type != VYBAR__ENTRY_TYPE__ENTRY_TYPE_BALLOT || r->head_hash.len != VY_HASH_BYTES ||
	    sodium_memcmp(h, r->head_hash.data, VY_HASH_BYTES) != 0) {
		rc = vy_reason_set(why, VY_R_RECEIPT, "NOT ON THE BOARD: the entry at position %llu is not the ballot of "
				   "this receipt", (unsigned long long)r->seq);
		goto out;
	}
	rc = vy_decode_ballot(&b, e->payload.data, e->payload.len, why);
	if (rc != VY_R_OK)
		goto out;
	vy_ballot_hash(&bd->st.election, h, b);
	vy_tracking_code(code, h);
	if (strcmp(code, r->tracking_code) != 0)
		rc = vy_reason_set(why, VY_R_RECEIPT, "NOT ON THE BOARD: the ballot at position %llu has tracking code %s",
				   (unsigned long long)r->seq, code);
	else
		memcpy(pk, b->credential->public_key.data, VY_ED25519_PK_BYTES);
out:
	vy_msg_free(b);
	vy_msg_free(e);
	return rc;
}

vy_rc vyc_check(const char *url, const char *receipt_path, vyc_check_result *res, vy_reason *why)
{
	vyc_board bd;
	uint8_t buf[VYC_MAX_RECEIPT_BYTES], pk[VY_ED25519_PK_BYTES];
	size_t len = 0;
	Vybar__Receipt *r = NULL;
	int found = 0;
	vy_rc rc;

	memset(res, 0, sizeof *res);
	rc = receipt_load(receipt_path, buf, &len, why);
	if (rc != VY_R_OK)
		return rc;
	rc = vyc_board_fetch(&bd, url, NULL, why);
	if (rc == VY_R_OK)
		rc = receipt_check(&bd.st.election, buf, len, NULL, NULL, &res->seq, why);
	if (rc == VY_R_OK)
		rc = vy_decode_receipt(&r, buf, len, why);
	if (rc == VY_R_OK)
		rc = ballot_matches(&bd, r, pk, why);
	if (rc == VY_R_OK) {
		snprintf(res->tracking_code, sizeof res->tracking_code, "%s", r->tracking_code);
		res->latest_seq = vy_record_state_last_ballot(&bd.st, pk, &found);
		res->superseded = !found || res->latest_seq != res->seq;
		res->tallied = bd.st.have_tally;
	}
	vy_msg_free(r);
	vyc_board_free(&bd);
	return rc;
}
