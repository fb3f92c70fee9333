/*
 * The booth's C side (specs/client.md §9, "The booth"): the functions the
 * booth's page calls, each a thin step over the voter's library that
 * vybar-vote uses (client/, protocol/, crypto/), compiled to WebAssembly
 * (booth.js + booth.wasm) and to plain JavaScript (booth-nowasm.js, for
 * browsers that forbid WebAssembly). Nothing here encrypts, proves, signs
 * or checks by itself.
 *
 * Loading: booth.js (or booth-nowasm.js) defines VybarBooth(options), a
 * promise of the module B. Every step is called through
 *     rc = await B.ccall(NAME, 'number', ARG_TYPES, ARGS, {async: true})
 * one at a time (never two steps at once: the module has one stack that
 * waits on fetch()). rc is 0 on success, else the library's vy_rc (> 0).
 * After any step, B.UTF8ToString(B._booth_result()) is its JSON result:
 *   on success  the step's object below;
 *   on failure  {"ok":false,"error":KIND,"rc":N,"rc_name":TEXT,
 *                "reason":TEXT,"http_status":N}
 * with reason the library's English sentence (also B._booth_reason()),
 * http_status the status of the last HTTP answer of the step (0: none
 * came), and KIND one of these stable words, for the page's own message
 * in the voter's language:
 *   "unreachable"  no answer from the board or registrar (after retries)
 *   "busy"         answered 429 or 503 on every try
 *   "refused"      an HTTP answer other than 200 (http_status says which;
 *                  the registrar's 403/409 for a wrong or used code)
 *   "record"       the board's record or election does not verify
 *   "not_open"     the election is not open yet (booth_build: the key
 *                  ceremony has not ended)
 *   "pin"          the election is not the one of the fingerprint given
 *   "passphrase"   the credential file does not open with the passphrase
 *   "credential"   not a credential file, or not for this election
 *   "choices"      the choices break a contest's rule (reason says which)
 *   "not_yet"      before the credential's earliest cast time (cast_now 0)
 *   "receipt"      the board's receipt does not verify
 *   "order"        a step called out of order (no election, no credential,
 *                  no ballot)
 *   "failed"       anything else (reason says what)
 *
 * The steps (string arguments are JavaScript strings: ccall's 'string'):
 *   booth_open(board_url, fingerprint)            ['string','string']
 *       Fetch the record of the board at board_url and verify the election
 *       it states (client.md §2 steps 1-3, in any phase); fingerprint: the
 *       base hash in hex the voter expects, or "" for none. Forgets any
 *       ballot. {"title","translations","election_id","fingerprint","phase",
 *       "voting_start","voting_end","selections","contests":[{"title",
 *       "translations","kind":"one"|"approval"|"list","blank":bool,"min","max",
 *       "first":I,"selections":N,"options":[{"title","translations"} or for
 *       lists {"title","translations","candidates":[NAME...],
 *       "candidate_translations":[TRANSLATIONS...]}]}]}
 *       TRANSLATIONS: the text in other languages (protocol.md §3.7), an
 *       object {LANG:TEXT...} in the manifest's order ({} for none).
 *       Contest c's options are the selections first..first+selections-1
 *       of the choices string (booth_build); min and max are how many of
 *       them may be 1 (min 0 when a blank vote is allowed).
 *   booth_register(registrar_url, code)            ['string','string']
 *       Register with the one-time code (registrar.md §5); the credential
 *       is kept in the module's memory. {"status":200,"public_key":HEX,
 *       "earliest_cast":UNIX_SECONDS (0: none)}
 *   booth_credential_export(passphrase)            ['string']
 *       The credential as a sealed credential file (client.md §6.1:
 *       VYBAR-CREDENTIAL/1, Argon2id + XChaCha20-Poly1305), the same bytes
 *       `vybar-vote` reads with --credential. {"file":BASE64} (standard
 *       alphabet, padded). Argon2id takes 256 MiB and a second or more.
 *   booth_credential_import(file_base64, passphrase) ['string','string']
 *       Open such a file (from this booth or from `vybar-vote register`)
 *       for the open election. {"public_key":HEX,"earliest_cast":N}
 *   booth_build(choices)                           ['string']
 *       choices: one character '0' or '1' per selection of the whole
 *       election, contests in order (e.g. "00100000000"). Fetches the
 *       record again and verifies it up to ELECTION_OPEN (client.md §2;
 *       if that fails the election stays open as it was, for a retry),
 *       checks the choices against the rules (§3), and encrypts and
 *       proves them under a one-time key (§4 step 1): the ciphertexts are
 *       fixed before the voter says cast or audit (Benaloh). Needs no
 *       credential. {"tracking_code":TEXT,"voted_before":bool,
 *       "previous_seq":N}
 *   booth_audit()                                  []
 *       Post that ballot as audited (choices and randomness revealed,
 *       §4 step 2, §8); it can never be cast. {"tracking_code":TEXT,
 *       "check":"vybar-vote check-audit --board URL --code CODE ..."}
 *       Build again for a ballot to cast.
 *   booth_cast(cast_now)                           ['number']
 *       Cast the built ballot: the same ciphertexts with proofs and
 *       signature under the credential (§4 steps 3-5), the board's
 *       receipt checked. Before the credential's earliest cast time
 *       (§6.2) it refuses with "not_yet" unless cast_now is 1. On any
 *       failure the ballot is kept and booth_cast sends the same bytes
 *       again (the board answers with the receipt it stored); nothing is
 *       dropped until a verified receipt came: until then booth_open,
 *       booth_register, booth_credential_import and booth_build refuse
 *       ("order"), and only booth_drop or booth_forget drop it.
 *       {"tracking_code","seq","receipt":BASE64}
 *   booth_check(board_url, receipt_base64)         ['string','string']
 *       §5: the receipt against the board's record, fetched and verified
 *       afresh. {"tracking_code","seq","status":"counted"|"superseded",
 *       "latest_seq","tallied":bool} (a receipt whose ballot is not on
 *       the record fails: kind "receipt" or "record").
 *   booth_drop()                                   [] (returns 0)
 *       Forget the built ballot (the voter changes the choices).
 *   booth_forget()                                 [] (returns 0)
 *       Wipe the credential and any ballot from the module's memory.
 *   booth_result(), booth_reason()                 [] (C strings)
 *
 * HTTP is the browser's fetch() (no credentials, no cache, no redirect),
 * awaited through emscripten's Asyncify, so the library's own requests,
 * retries (429, 503, lost answers) and receipt checks run unchanged.
 * A page or test may pass options.vyFetch, a function like fetch(url,
 * init), to VybarBooth(options) instead.
 *
 * Secrets: the credential lives in the library's guarded memory for the
 * page's life (until booth_forget) and leaves it only sealed under a
 * passphrase (booth_credential_export). A ballot's randomness stays in
 * guarded memory until the ballot is audited, cast or dropped.
 */
#include <emscripten.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "client/registration.h"
#include "client/vote.h"

#define RESULT_BYTES 65536
#define HTTP_OK 200
#define HTTP_TOO_MANY 429
#define HTTP_UNAVAILABLE 503
#define KEEPALIVE EMSCRIPTEN_KEEPALIVE

/* ---- the transport: fetch() ---- */

/* Perform one request with fetch() (or options.vyFetch); the answer waits
 * in Module.vyAnswer for the calls below. 1 if an answer came, 0 if none
 * did (no connection, a refused origin, the timeout). */
EM_ASYNC_JS(int, js_fetch, (const char *method, const char *url, const char *ctype, const uint8_t *body,
			    size_t body_len, unsigned timeout_s),
{
	var init = { method: UTF8ToString(method), cache: 'no-store', credentials: 'omit', redirect: 'error' };
	var ctl = new AbortController();
	var timer = setTimeout(function() { ctl.abort(); }, timeout_s * 1000);
	if (ctype) init.headers = { 'Content-Type': UTF8ToString(ctype) };
	if (body) init.body = HEAPU8.slice(body, body + body_len);
	init.signal = ctl.signal;
	Module.vyAnswer = null;
	try {
		var r = await (Module.vyFetch || fetch)(UTF8ToString(url), init);
		var b = new Uint8Array(await r.arrayBuffer());
		Module.vyAnswer = { status: r.status, body: b, headers: r.headers };
		return 1;
	} catch (e) {
		return 0;
	} finally {
		clearTimeout(timer);
	}
});
EM_JS(int, js_answer_status, (void), { return Module.vyAnswer.status; });
EM_JS(size_t, js_answer_len, (void), { return Module.vyAnswer.body.length; });
EM_JS(void, js_answer_copy, (uint8_t *out), { HEAPU8.set(Module.vyAnswer.body, out); });
/* The header name's value into out[cap] (NUL-terminated); -1 if absent. */
EM_JS(int, js_answer_header, (const char *name, char *out, size_t cap), {
	var v = Module.vyAnswer.headers.get(UTF8ToString(name));
	if (v === null) return -1;
	stringToUTF8(v, out, cap);
	return 0;
});
EM_JS(void, js_answer_drop, (void), { Module.vyAnswer = null; });

/* ---- the booth's state ---- */

static struct {
	vyc_board *board; /* the open election's (malloc'd), or NULL */
	int have_credential;
	vyc_credential cred;
	uint8_t *cred_plain; /* the CredentialFile bytes (guarded), for export */
	size_t cred_plain_len;
	int have_committed; /* built under a one-time key (booth_build) */
	vy_built_ballot committed;
	int have_cast; /* rebuilt under the credential, not yet received */
	vy_built_ballot cast;
	long last_status; /* of the step's last HTTP answer; 0: none */
	vy_reason why;
	char result[RESULT_BYTES];
} booth;

/* A transport's perform: one exchange through js_fetch. */
static vy_rc fetch_perform(void *ctx, const vy_http_request *rq, vy_http_answer *a, vy_reason *why)
{
	static const char *const headers[] = { VY_HDR_NEXT, VY_HDR_SEQ, VY_HDR_TRACKING_CODE, VY_HDR_RETRY_AFTER };
	char value[VY_HTTP_HEADER_BYTES];
	uint8_t *buf = NULL;
	size_t len;
	vy_rc rc;

	(void)ctx;
	if (!js_fetch(rq->method, rq->url, rq->content_type, rq->body, rq->body_len,
		      rq->timeout_s ? rq->timeout_s : VY_HTTP_TIMEOUT_S))
		return vy_reason_set(why, VY_R_IO, "%s %s: no answer", rq->method, rq->url);
	a->status = js_answer_status();
	booth.last_status = a->status;
	len = js_answer_len();
	if (len > rq->max_answer) {
		rc = vy_reason_set(why, VY_R_TOO_LARGE, "%s %s: the answer is larger than %zu bytes", rq->method,
				   rq->url, rq->max_answer);
		goto out;
	}
	buf = malloc(len + 1);
	if (buf == NULL) {
		rc = vy_reason_set(why, VY_R_NOMEM, "out of memory");
		goto out;
	}
	js_answer_copy(buf);
	rc = vy_http_answer_append(a, buf, len, rq->max_answer);
	if (rc != VY_R_OK) {
		rc = vy_reason_set(why, rc, "%s %s: the answer cannot be kept", rq->method, rq->url);
		goto out;
	}
	for (size_t i = 0; i < sizeof headers / sizeof headers[0]; i++)
		if (js_answer_header(headers[i], value, sizeof value) == 0)
			vy_http_answer_header(a, headers[i], value, strlen(value));
out:
	js_answer_drop();
	free(buf);
	return rc;
}

static const vy_http_transport fetch_transport = { fetch_perform, NULL };

/* The library's default transport (net/vy_http.h: a NULL transport) is
 * libcurl's in the programs; in the booth it is fetch(), and
 * net/http_curl.c is not compiled. */
const vy_http_transport *vy_http_libcurl(void)
{
	return &fetch_transport;
}

/* ---- results ---- */

/* The reason of the last failure (English). */
KEEPALIVE const char *booth_reason(void)
{
	return booth.why.msg;
}

/* The JSON text of the last step (booth_api.c's header). */
KEEPALIVE const char *booth_result(void)
{
	return booth.result;
}

/* printf into booth.result. */
static void result_set(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void result_set(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(booth.result, sizeof booth.result, fmt, ap);
	va_end(ap);
}

/* The JSON string of s (UTF-8 kept; quotes, backslashes and controls
 * escaped) into f. */
static void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; s != NULL && *s != '\0'; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\')
			fprintf(f, "\\%c", ch);
		else if (ch < 0x20)
			fprintf(f, "\\u%04x", ch);
		else
			fputc(ch, f);
	}
	fputc('"', f);
}

/* The failure rc of a step as the JSON of the header, kind as the step
 * knows it (NULL: from rc and the last HTTP status); returns rc. */
static int failed(vy_rc rc, const char *kind)
{
	FILE *f;

	if (kind == NULL) {
		if (rc == VY_R_IO && booth.last_status == 0)
			kind = "unreachable";
		else if (rc == VY_R_IO &&
			 (booth.last_status == HTTP_TOO_MANY || booth.last_status == HTTP_UNAVAILABLE))
			kind = "busy";
		else if (rc == VY_R_IO && booth.last_status != HTTP_OK)
			kind = "refused";
		else if (rc == VY_R_RECEIPT)
			kind = "receipt";
		else
			kind = "failed";
	}
	f = fmemopen(booth.result, sizeof booth.result, "w");
	if (f == NULL) {
		booth.result[0] = '\0';
		return rc;
	}
	fprintf(f, "{\"ok\":false,\"error\":\"%s\",\"rc\":%d,\"rc_name\":", kind, (int)rc);
	json_str(f, vy_rc_str(rc));
	fprintf(f, ",\"reason\":");
	json_str(f, booth.why.msg);
	fprintf(f, ",\"http_status\":%ld}", booth.last_status);
	fclose(f);
	return rc;
}

/* A step called out of order. */
static int out_of_order(const char *what)
{
	return failed(vy_reason_set(&booth.why, VY_R_ARG, "%s", what), "order");
}

/* A cast whose verified receipt has not come (booth_cast failed) is never
 * dropped by another step: nonzero (and the failure said) if one is
 * pending. */
static int cast_pending(void)
{
	if (!booth.have_cast)
		return 0;
	out_of_order("a ballot is being cast and its receipt has not come: cast it again (booth_cast) or drop "
		     "it (booth_drop)");
	return 1;
}

/* The start of every step: no reason, no status, no result yet. */
static void step_begin(void)
{
	memset(&booth.why, 0, sizeof booth.why);
	booth.last_status = 0;
	booth.result[0] = '\0';
}

/* Base64 (standard alphabet, padded) of buf[0..len) into f. */
static vy_rc put_base64(FILE *f, const uint8_t *buf, size_t len)
{
	size_t cap = sodium_base64_encoded_len(len, sodium_base64_VARIANT_ORIGINAL);
	char *b64 = malloc(cap);

	if (b64 == NULL)
		return VY_R_NOMEM;
	sodium_bin2base64(b64, cap, buf, len, sodium_base64_VARIANT_ORIGINAL);
	fprintf(f, "\"%s\"", b64);
	free(b64);
	return VY_R_OK;
}

/* Decode base64 text (whitespace ignored) into a malloc'd *out of at most
 * max bytes. */
static vy_rc get_base64(const char *text, size_t max, uint8_t **out, size_t *len)
{
	size_t n = strlen(text);

	*out = NULL;
	*len = 0;
	if (n / 4 * 3 > max + 3)
		return vy_reason_set(&booth.why, VY_R_TOO_LARGE, "more than %zu bytes", max);
	*out = malloc(n / 4 * 3 + 3);
	if (*out == NULL)
		return vy_reason_set(&booth.why, VY_R_NOMEM, "out of memory");
	if (sodium_base642bin(*out, n / 4 * 3 + 3, text, n, " \t\r\n", len, NULL, sodium_base64_VARIANT_ORIGINAL) != 0 ||
	    *len > max) {
		free(*out);
		*out = NULL;
		return vy_reason_set(&booth.why, VY_R_MALFORMED, "not base64");
	}
	return VY_R_OK;
}

/* ,"translations":{LANG:TEXT...} of a text (protocol.md §3.7), or without
 * the member name when bare. */
static void translations_json(FILE *f, Vybar__Translation *const *t, size_t n, int bare)
{
	fprintf(f, "%s{", bare ? "" : ",\"translations\":");
	for (size_t i = 0; i < n; i++) {
		fprintf(f, "%s", i ? "," : "");
		json_str(f, t[i]->lang);
		fprintf(f, ":");
		json_str(f, t[i]->text);
	}
	fprintf(f, "}");
}

/* The election as its manifest states it, for the page (booth_open). */
static void election_json(FILE *f, const vy_record_state *st)
{
	const Vybar__Manifest *m = st->manifest;
	char hex[2 * VY_HASH_BYTES + 1];
	size_t first = 0;

	sodium_bin2hex(hex, sizeof hex, st->election.base_hash, VY_HASH_BYTES);
	fprintf(f, "{\"title\":");
	json_str(f, m->title);
	translations_json(f, m->translations, m->n_translations, 0);
	fprintf(f, ",\"election_id\":");
	json_str(f, m->election_id);
	fprintf(f, ",\"fingerprint\":\"%s\",\"phase\":\"%s\",\"voting_start\":%llu,\"voting_end\":%llu,"
		"\"selections\":%zu,\"contests\":[", hex, vy_phase_name(st->phase),
		(unsigned long long)m->voting_start, (unsigned long long)m->voting_end, vy_manifest_selections(m));
	for (size_t i = 0; i < m->n_contests; i++) {
		const Vybar__Contest *c = m->contests[i];
		int list = c->kind == VYBAR__CONTEST_KIND__CONTEST_KIND_PARTY_LIST;
		size_t n;
		uint64_t lo, hi;

		vy_contest_shape(c, &n, &lo, &hi);
		fprintf(f, "%s{\"title\":", i ? "," : "");
		json_str(f, c->title);
		translations_json(f, c->translations, c->n_translations, 0);
		fprintf(f, ",\"kind\":\"%s\",\"blank\":%s,\"min\":%llu,\"max\":%llu,\"first\":%zu,\"selections\":%zu,"
			"\"options\":[",
			list ? "list" : c->kind == VYBAR__CONTEST_KIND__CONTEST_KIND_APPROVAL ? "approval" : "one",
			c->allow_blank ? "true" : "false", (unsigned long long)lo, (unsigned long long)hi, first, n);
		first += n;
		if (list && c->party_list != NULL) {
			for (size_t j = 0; j < c->party_list->n_lists; j++) {
				const Vybar__PartyList *l = c->party_list->lists[j];

				fprintf(f, "%s{\"title\":", j ? "," : "");
				json_str(f, l->name);
				translations_json(f, l->translations, l->n_translations, 0);
				fprintf(f, ",\"candidates\":[");
				for (size_t k = 0; k < l->n_candidates; k++) {
					fprintf(f, "%s", k ? "," : "");
					json_str(f, l->candidates[k]->name);
				}
				fprintf(f, "],\"candidate_translations\":[");
				for (size_t k = 0; k < l->n_candidates; k++) {
					fprintf(f, "%s", k ? "," : "");
					translations_json(f, l->candidates[k]->translations, l->candidates[k]->n_translations,
							  1);
				}
				fprintf(f, "]}");
			}
		} else {
			for (size_t j = 0; j < c->n_options; j++) {
				fprintf(f, "%s{\"title\":", j ? "," : "");
				json_str(f, c->options[j]->title);
				translations_json(f, c->options[j]->translations, c->options[j]->n_translations, 0);
				fprintf(f, "}");
			}
		}
		fprintf(f, "]}");
	}
	fprintf(f, "]}");
}

/* ---- the booth's memory ---- */

static void drop_ballots(void)
{
	if (booth.have_committed)
		vy_built_ballot_free(&booth.committed);
	if (booth.have_cast)
		vy_built_ballot_free(&booth.cast);
	booth.have_committed = 0;
	booth.have_cast = 0;
}

static void drop_credential(void)
{
	if (booth.have_credential)
		vyc_credential_close(&booth.cred);
	if (booth.cred_plain != NULL)
		sodium_free(booth.cred_plain); /* wipes */
	booth.cred_plain = NULL;
	booth.cred_plain_len = 0;
	booth.have_credential = 0;
}

/* Keep the CredentialFile's plaintext plain[0..len) (guarded memory, taken
 * over) as the voter's credential for the open election. */
static vy_rc credential_keep(uint8_t *plain, size_t len)
{
	vy_rc rc;

	drop_credential();
	drop_ballots();
	rc = vyc_credential_from_bytes(&booth.cred, &booth.board->st.election, plain, len, &booth.why);
	if (rc != VY_R_OK) {
		sodium_free(plain);
		return rc;
	}
	booth.have_credential = 1;
	booth.cred_plain = plain;
	booth.cred_plain_len = len;
	return VY_R_OK;
}

/* The kept credential's JSON result, with the registrar's HTTP status
 * first unless status is 0. */
static void credential_result(long status)
{
	char hex[2 * VY_ED25519_PK_BYTES + 1], head[32] = "";

	sodium_bin2hex(hex, sizeof hex, booth.cred.signer.pk, VY_ED25519_PK_BYTES);
	if (status != 0)
		snprintf(head, sizeof head, "\"status\":%ld,", status);
	result_set("{%s\"public_key\":\"%s\",\"earliest_cast\":%llu}", head, hex,
		   (unsigned long long)booth.cred.earliest_cast);
}

/* The record of the board at url fetched and verified (client.md §2: in
 * any phase, or open if need_open; the election pinned if pin) into *out
 * (malloc'd). On failure the reason is set and *kind is "pin", "not_open"
 * or "record", or NULL when the board was not reached (failed() tells). */
static vy_rc board_fetch(const char *url, const uint8_t *pin, int need_open, vyc_board **out, const char **kind)
{
	vyc_board *b = calloc(1, sizeof *b);
	vy_rc rc;

	*out = NULL;
	*kind = NULL;
	if (b == NULL)
		return vy_reason_set(&booth.why, VY_R_NOMEM, "out of memory");
	rc = need_open ? vyc_board_fetch(b, &fetch_transport, url, pin, &booth.why)
		       : vyc_board_fetch_election(b, &fetch_transport, url, pin, &booth.why);
	if (rc == VY_R_OK) {
		*out = b;
		return VY_R_OK;
	}
	if (rc == VY_R_PHASE)
		*kind = "not_open";
	else if (pin != NULL && b->st.manifest != NULL &&
		 sodium_memcmp(pin, b->st.election.base_hash, VY_HASH_BYTES) != 0)
		*kind = "pin";
	else if (rc != VY_R_IO && rc != VY_R_NOMEM && rc != VY_R_ARG)
		*kind = "record";
	vyc_board_free(b);
	free(b);
	return rc;
}

/* Close the open election (and the ballots built for it). */
static void board_drop(void)
{
	drop_ballots();
	if (booth.board != NULL) {
		vyc_board_free(booth.board);
		free(booth.board);
	}
	booth.board = NULL;
}

/* ---- the steps ---- */

/* client.md §2 steps 1-3: the election of the board at url. */
KEEPALIVE int booth_open(const char *url, const char *fingerprint)
{
	uint8_t pin[VY_HASH_BYTES];
	const char *kind = NULL;
	size_t pin_len = 0;
	FILE *f;
	vy_rc rc;

	step_begin();
	if (cast_pending())
		return VY_R_ARG;
	drop_ballots();
	if (fingerprint != NULL && fingerprint[0] != '\0' &&
	    (sodium_hex2bin(pin, sizeof pin, fingerprint, strlen(fingerprint), NULL, &pin_len, NULL) != 0 ||
	     pin_len != sizeof pin))
		return failed(vy_reason_set(&booth.why, VY_R_ARG, "the fingerprint is not %d hex digits",
					    2 * VY_HASH_BYTES), "pin");
	board_drop();
	drop_credential(); /* a credential is for one election */
	rc = board_fetch(url, pin_len ? pin : NULL, 0, &booth.board, &kind);
	if (rc != VY_R_OK)
		return failed(rc, kind);
	f = fmemopen(booth.result, sizeof booth.result, "w");
	if (f == NULL)
		return failed(vy_reason_set(&booth.why, VY_R_NOMEM, "out of memory"), NULL);
	election_json(f, &booth.board->st);
	fclose(f);
	return VY_R_OK;
}

/* registrar.md §5: register with the one-time code at the registrar. */
KEEPALIVE int booth_register(const char *registrar_url, const char *code)
{
	vyc_registration r;
	uint8_t *packed = NULL, *plain;
	size_t len = 0;
	long status = 0;
	vy_rc rc;

	step_begin();
	if (cast_pending())
		return VY_R_ARG;
	if (booth.board == NULL)
		return out_of_order("no election is open (booth_open)");
	rc = vyc_register_to(&fetch_transport, &r, &booth.board->st.election, registrar_url, code, &status,
			     &booth.why);
	if (rc != VY_R_OK)
		return failed(rc, NULL);
	rc = vyc_registration_pack(&r, &packed, &len, &booth.why);
	vyc_registration_wipe(&r);
	if (rc != VY_R_OK)
		return failed(rc, NULL);
	plain = sodium_malloc(len);
	if (plain == NULL) {
		rc = vy_reason_set(&booth.why, VY_R_NOMEM, "out of guarded memory");
	} else {
		memcpy(plain, packed, len);
		rc = credential_keep(plain, len);
	}
	vy_wipe(packed, len);
	free(packed);
	if (rc != VY_R_OK)
		return failed(rc, NULL);
	credential_result(status);
	return VY_R_OK;
}

/* client.md §6.1: the credential sealed under passphrase, in base64. */
KEEPALIVE int booth_credential_export(const char *passphrase)
{
	size_t flen = VY_SEAL_FILE_BYTES(VYC_CREDENTIAL_MAGIC_LEN, booth.cred_plain_len);
	vy_sealer sealer = { 0 };
	uint8_t *file = NULL;
	FILE *f = NULL;
	vy_rc rc;

	step_begin();
	if (!booth.have_credential)
		return out_of_order("no credential (booth_register or booth_credential_import)");
	if (passphrase == NULL || passphrase[0] == '\0')
		return failed(vy_reason_set(&booth.why, VY_R_ARG, "an empty passphrase"), "passphrase");
	rc = vy_sealer_init(&sealer, passphrase, &booth.why);
	if (rc != VY_R_OK)
		goto out;
	file = malloc(flen);
	if (file == NULL) {
		rc = vy_reason_set(&booth.why, VY_R_NOMEM, "out of memory");
		goto out;
	}
	rc = vy_sealer_seal(&sealer, file, VYC_CREDENTIAL_MAGIC, booth.cred_plain, booth.cred_plain_len, &booth.why);
	if (rc != VY_R_OK)
		goto out;
	f = fmemopen(booth.result, sizeof booth.result, "w");
	if (f == NULL) {
		rc = vy_reason_set(&booth.why, VY_R_NOMEM, "out of memory");
		goto out;
	}
	fprintf(f, "{\"file\":");
	rc = put_base64(f, file, flen);
	fprintf(f, "}");
	fclose(f);
	if (rc != VY_R_OK)
		rc = vy_reason_set(&booth.why, rc, "out of memory");
out:
	vy_sealer_wipe(&sealer);
	free(file); /* ciphertext only */
	return rc == VY_R_OK ? VY_R_OK : failed(rc, NULL);
}

/* client.md §6.1: open a sealed credential file (base64) with passphrase. */
KEEPALIVE int booth_credential_import(const char *file_b64, const char *passphrase)
{
	uint8_t *file = NULL, *plain = NULL;
	size_t len = 0, n = 0;
	const char *kind = NULL;
	vy_rc rc;

	step_begin();
	if (cast_pending())
		return VY_R_ARG;
	if (booth.board == NULL)
		return out_of_order("no election is open (booth_open)");
	rc = get_base64(file_b64, VYC_CREDENTIAL_FILE_MAX, &file, &len);
	if (rc != VY_R_OK) {
		kind = "credential";
		goto out;
	}
	plain = sodium_malloc(VYC_CREDENTIAL_PLAIN_MAX);
	if (plain == NULL) {
		rc = vy_reason_set(&booth.why, VY_R_NOMEM, "out of guarded memory");
		goto out;
	}
	rc = vy_unseal(plain, &n, VYC_CREDENTIAL_PLAIN_MAX, VYC_CREDENTIAL_MAGIC, file, len, passphrase, &booth.why);
	if (rc == VY_R_KEY) {
		kind = "passphrase";
		vy_reason_set(&booth.why, rc, "the credential file does not open with this passphrase (or it was "
			      "modified)");
	} else if (rc == VY_R_FIELD) {
		kind = "credential";
	} else if (rc == VY_R_OK) {
		rc = credential_keep(plain, n);
		plain = NULL; /* taken over */
		if (rc == VY_R_OK)
			credential_result(0);
		else
			kind = "credential";
	}
out:
	if (plain != NULL)
		sodium_free(plain);
	free(file);
	return rc == VY_R_OK ? VY_R_OK : failed(rc, kind);
}

/* client.md §2 (the whole record, up to ELECTION_OPEN), §3 and §4 step 1:
 * the choices committed under a one-time key. */
KEEPALIVE int booth_build(const char *choices_text)
{
	uint8_t pin[VY_HASH_BYTES];
	vyc_board *fresh = NULL;
	const char *kind = NULL;
	uint32_t *choices = NULL;
	size_t n;
	uint64_t prev = 0;
	int found = 0;
	vy_rc rc;

	step_begin();
	if (cast_pending())
		return VY_R_ARG;
	drop_ballots();
	if (booth.board == NULL)
		return out_of_order("no election is open (booth_open)");
	n = vy_manifest_selections(booth.board->st.manifest);
	if (choices_text == NULL || strlen(choices_text) != n)
		return failed(vy_reason_set(&booth.why, VY_R_FIELD, "%zu choices for %zu selections",
					    choices_text ? strlen(choices_text) : 0, n), "choices");
	choices = sodium_malloc(n * sizeof *choices + 1);
	if (choices == NULL)
		return failed(vy_reason_set(&booth.why, VY_R_NOMEM, "out of guarded memory"), NULL);
	for (size_t i = 0; i < n; i++) {
		if (choices_text[i] != '0' && choices_text[i] != '1') {
			sodium_free(choices);
			return failed(vy_reason_set(&booth.why, VY_R_FIELD, "choice %zu is neither 0 nor 1", i + 1),
				      "choices");
		}
		choices[i] = (uint32_t)(choices_text[i] - '0');
	}
	/* the rules first: nothing is fetched for choices that break them */
	rc = vy_choices_check(booth.board->st.manifest, choices, n, &booth.why);
	if (rc != VY_R_OK) {
		sodium_free(choices);
		return failed(rc, "choices");
	}
	/* the same election, its record verified afresh up to ELECTION_OPEN;
	 * the election stays open as it was if that fails */
	memcpy(pin, booth.board->st.election.base_hash, sizeof pin);
	rc = board_fetch(booth.board->url, pin, 1, &fresh, &kind);
	if (rc != VY_R_OK) {
		sodium_free(choices);
		return failed(rc, kind);
	}
	board_drop();
	booth.board = fresh;
	rc = vyc_commit(booth.board, choices, n, &booth.committed, &booth.why);
	sodium_free(choices);
	if (rc != VY_R_OK)
		return failed(rc, rc == VY_R_FIELD ? "choices" : NULL);
	booth.have_committed = 1;
	if (booth.have_credential)
		prev = vy_record_state_last_ballot(&booth.board->st, booth.cred.signer.pk, &found);
	result_set("{\"tracking_code\":\"%s\",\"voted_before\":%s,\"previous_seq\":%llu}",
		   booth.committed.tracking_code, found ? "true" : "false", (unsigned long long)prev);
	return VY_R_OK;
}

/* client.md §4 step 2, §8: the committed ballot posted as audited. */
KEEPALIVE int booth_audit(void)
{
	char hex[2 * VY_HASH_BYTES + 1];
	vyc_post_opts o = { 0 };
	vy_rc rc;

	step_begin();
	if (!booth.have_committed)
		return out_of_order("no ballot to audit (booth_build)");
	if (booth.have_cast)
		return out_of_order("this ballot is being cast: it can no longer be audited");
	rc = vyc_audit(booth.board, &booth.committed, &o, &booth.why);
	if (rc != VY_R_OK)
		return failed(rc, NULL);
	sodium_bin2hex(hex, sizeof hex, booth.board->st.election.base_hash, VY_HASH_BYTES);
	result_set("{\"tracking_code\":\"%s\",\"check\":\"vybar-vote check-audit --board %s --code %s "
		   "--election %s\"}", booth.committed.tracking_code, booth.board->url, booth.committed.tracking_code,
		   hex);
	drop_ballots(); /* spent: an audited ballot is never cast */
	return VY_R_OK;
}

/* A keeper: the verified receipt into the result as base64. */
static vy_rc keep_receipt(void *ctx, const uint8_t *receipt, size_t len, vy_reason *why)
{
	FILE *f = ctx;

	if (put_base64(f, receipt, len) != VY_R_OK)
		return vy_reason_set(why, VY_R_NOMEM, "out of memory");
	return VY_R_OK;
}

/* client.md §4 steps 3-5, §6.2: the committed ballot rebuilt under the
 * credential (once: a retry sends the same bytes), cast, its receipt
 * verified. */
KEEPALIVE int booth_cast(int cast_now)
{
	vyc_post_opts o = { 0 };
	uint64_t seq = 0, wait;
	FILE *f;
	vy_rc rc;

	step_begin();
	if (!booth.have_credential)
		return out_of_order("no credential (booth_register or booth_credential_import)");
	if (!booth.have_committed)
		return out_of_order("no ballot to cast (booth_build)");
	wait = vyc_credential_wait(&booth.cred, (uint64_t)time(NULL));
	if (wait > 0 && !cast_now)
		return failed(vy_reason_set(&booth.why, VY_R_ARG, "this credential is to be cast from %llu on (in "
					    "%llu s): a ballot cast soon after its registration can be linked to it "
					    "by the times alone (nothing was sent)",
					    (unsigned long long)booth.cred.earliest_cast, (unsigned long long)wait),
			      "not_yet");
	if (!booth.have_cast) {
		rc = vy_ballot_rebuild(&booth.cast, &booth.board->st.election, &booth.cred.signer, &booth.committed,
				       &booth.why);
		if (rc != VY_R_OK)
			return failed(rc, NULL);
		booth.have_cast = 1;
	}
	f = fmemopen(booth.result, sizeof booth.result, "w");
	if (f == NULL)
		return failed(vy_reason_set(&booth.why, VY_R_NOMEM, "out of memory"), NULL);
	fprintf(f, "{\"tracking_code\":\"%s\",\"receipt\":", booth.cast.tracking_code);
	{
		vyc_keeper k = { keep_receipt, f };

		rc = vyc_cast_keep(booth.board, &booth.cast, &o, &k, &seq, &booth.why);
	}
	fprintf(f, ",\"seq\":%llu}", (unsigned long long)seq);
	fclose(f);
	if (rc != VY_R_OK)
		return failed(rc, NULL); /* the ballot is kept: cast again */
	drop_ballots();
	return VY_R_OK;
}

/* client.md §5: the receipt against the board's record. */
KEEPALIVE int booth_check(const char *url, const char *receipt_b64)
{
	vyc_check_result res;
	uint8_t *receipt = NULL;
	size_t len = 0;
	vy_rc rc;

	step_begin();
	rc = get_base64(receipt_b64, VYC_MAX_RECEIPT_BYTES, &receipt, &len);
	if (rc != VY_R_OK)
		return failed(rc, "receipt");
	memset(&res, 0, sizeof res);
	rc = vyc_check_receipt(&fetch_transport, url, NULL, 0, receipt, len, &res, &booth.why);
	free(receipt);
	if (rc != VY_R_OK)
		return failed(rc, rc == VY_R_IO || rc == VY_R_TOO_LARGE || rc == VY_R_RECEIPT ? NULL : "record");
	result_set("{\"tracking_code\":\"%s\",\"seq\":%llu,\"status\":\"%s\",\"latest_seq\":%llu,\"tallied\":%s}",
		   res.tracking_code, (unsigned long long)res.seq, res.superseded ? "superseded" : "counted",
		   (unsigned long long)res.latest_seq, res.tallied ? "true" : "false");
	return VY_R_OK;
}

/* Forget the built ballot unsent. */
KEEPALIVE int booth_drop(void)
{
	step_begin();
	drop_ballots();
	result_set("{}");
	return VY_R_OK;
}

/* Wipe the credential and any ballot. */
KEEPALIVE int booth_forget(void)
{
	step_begin();
	drop_ballots();
	drop_credential();
	result_set("{}");
	return VY_R_OK;
}

int main(void)
{
	return vy_init() == VY_OK ? 0 : 1;
}
