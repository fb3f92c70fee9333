/* The voter's side of voting: the credential, posting, auditing and casting,
 * and the vote as a whole (vote.h, specs/client.md §4). */
#include <fcntl.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/vy_files.h"
#include "client/registration.h"
#include "client/vote.h"

#define ANSWER_BYTES 64
#define HTTP_OK 200
#define HTTP_CONFLICT 409
#define HTTP_FORBIDDEN 403
#define HTTP_TOO_MANY 429
/* The board's JSON error for a credential's count or pace (protocol.md §3.6). */
#define BALLOT_LIMIT_CODE "\"code\":38"

/* The text formatted whole, then handed to io->say in one piece. */
void vyc_say(const vyc_io *io, const char *fmt, ...)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f;
	va_list ap;

	if (io == NULL || io->say == NULL)
		return;
	f = open_memstream(&text, &len);
	if (f == NULL)
		return;
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	if (fclose(f) == 0)
		io->say(io->ctx, text);
	free(text);
}

/* ---- the credential ---- */

vy_rc vyc_credential_set(vyc_credential *c, const uint8_t seed[crypto_sign_SEEDBYTES],
			 const uint8_t pk[crypto_sign_PUBLICKEYBYTES], const uint8_t randomizer[VY_RANDOMIZER_BYTES],
			 const uint8_t *sig, size_t sig_len, vy_reason *why)
{
	vy_rc rc = VY_R_OK;

	memset(c, 0, sizeof *c);
	c->keys = sodium_malloc(VY_ED25519_PK_BYTES + crypto_sign_SECRETKEYBYTES);
	if (c->keys == NULL || sig_len > sizeof c->reg_sig) {
		rc = vy_reason_set(why, c->keys ? VY_R_FIELD : VY_R_NOMEM, "credential: cannot be used");
		goto out;
	}
	crypto_sign_seed_keypair(c->keys, c->keys + VY_ED25519_PK_BYTES, seed);
	if (sodium_memcmp(c->keys, pk, VY_ED25519_PK_BYTES) != 0) {
		rc = vy_reason_set(why, VY_R_KEY, "credential: the secret does not match the public key");
		goto out;
	}
	memcpy(c->randomizer, randomizer, VY_RANDOMIZER_BYTES);
	memcpy(c->reg_sig, sig, sig_len);
	c->reg_sig_len = sig_len;
	c->signer.pk = c->keys;
	c->signer.sk = c->keys + VY_ED25519_PK_BYTES;
	c->signer.randomizer = c->randomizer;
	c->signer.reg_sig = c->reg_sig;
	c->signer.reg_sig_len = c->reg_sig_len;
out:
	if (rc != VY_R_OK)
		vyc_credential_close(c);
	return rc;
}

/* The credential of the decoded file f (checked against its election),
 * with its earliest cast time, into c; f is freed (its secret wiped). */
static vy_rc credential_take(vyc_credential *c, Vybar__CredentialFile *f, vy_reason *why)
{
	vy_rc rc = vyc_credential_set(c, f->secret_seed.data, f->credential->public_key.data,
				      f->credential->randomizer.data, f->credential->signature.data,
				      f->credential->signature.len, why);

	if (rc == VY_R_OK)
		c->earliest_cast = f->earliest_cast; /* client.md §6.2 */
	vyc_credential_file_free(f);
	return rc;
}

vy_rc vyc_credential_open(vyc_credential *c, const vy_election *e, const char *path, const char *pass,
			  vy_reason *why)
{
	Vybar__CredentialFile *f = NULL;
	vy_rc rc;

	memset(c, 0, sizeof *c);
	rc = vyc_credential_load(&f, e, path, pass, why);
	if (rc != VY_R_OK)
		return rc;
	return credential_take(c, f, why);
}

uint64_t vyc_credential_wait(const vyc_credential *c, uint64_t now)
{
	return c->earliest_cast > now ? c->earliest_cast - now : 0;
}

vy_rc vyc_credential_from_bytes(vyc_credential *c, const vy_election *e, const uint8_t *buf, size_t len,
				vy_reason *why)
{
	Vybar__CredentialFile *f = NULL;
	vy_rc rc;

	memset(c, 0, sizeof *c);
	rc = vyc_credential_decode(&f, e, buf, len, "(in memory)", why);
	if (rc != VY_R_OK)
		return rc;
	return credential_take(c, f, why);
}

void vyc_credential_close(vyc_credential *c)
{
	sodium_free(c->keys); /* wipes */
	memset(c, 0, sizeof *c);
}

/* ---- posting with retries, receipts (client.md §4) ---- */

/* 409 (already on the record): the stored receipt, from GET
 * VY_PATH_RECEIPTS "{code}" (board-api.md §4), whose "receipt" field is the
 * signed Receipt in hex. */
static vy_rc fetch_stored_receipt(const vyc_board *bd, const char *code, uint8_t *out, size_t *len, vy_reason *why)
{
	char url[VY_HTTP_URL_BYTES];
	vy_http_answer r;
	const char *p, *q;
	vy_rc rc = VY_R_OK;

	if (vy_http_url(url, sizeof url, bd->url, VY_PATH_RECEIPTS, code) != VY_R_OK ||
	    vy_http_get(bd->transport, url, VY_MAX_SMALL_ANSWER_BYTES, &r, NULL) != VY_R_OK)
		return vy_reason_set(why, VY_R_IO, "board %s: no answer for receipt %s", bd->url, code);
	p = r.status == HTTP_OK ? strstr((const char *)r.body, "\"receipt\"") : NULL;
	p = p ? strchr(p + 9, '"') : NULL;
	q = p ? strchr(p + 1, '"') : NULL;
	if (q == NULL || sodium_hex2bin(out, VYC_MAX_RECEIPT_BYTES, p + 1, (size_t)(q - p - 1), NULL, len, NULL) != 0)
		rc = vy_reason_set(why, VY_R_RECEIPT, "board %s: no stored receipt for %s (status %ld)", bd->url, code,
				   r.status);
	vy_http_answer_free(&r);
	return rc;
}

/* protocol.md §3.6: the board takes this credential's next ballot only
 * later (429, Retry-After in seconds): when, by this device's clock. */
static vy_rc too_soon(const vyc_board *bd, const vy_http_answer *r, vy_reason *why)
{
	uint64_t s = 0;
	time_t at;
	struct tm tm;
	char when[32] = "later";

	if (vy_http_header_u64(r->retry_after, &s) == 0 && s <= VY_MAX_SECONDS_BETWEEN_BALLOTS) {
		at = time(NULL) + (time_t)s;
		if (localtime_r(&at, &tm) != NULL)
			strftime(when, sizeof when, "%H:%M", &tm);
	}
	return vy_reason_set(why, VY_R_BALLOT_LIMIT,
			     "board %s: this credential cast a ballot less than %u seconds ago, and the election "
			     "takes one every %u seconds: wait until %s (%llu s), then cast again. Your last "
			     "ballot stands meanwhile.",
			     bd->url, bd->st.manifest->min_seconds_between_ballots,
			     bd->st.manifest->min_seconds_between_ballots, when, (unsigned long long)s);
}

/* The board's reason in an error answer, for the voter. */
static vy_rc board_refused(const vyc_board *bd, const vy_http_answer *r, vy_reason *why)
{
	const char *msg = strstr((const char *)r->body, "\"message\"");
	int limit = r->body != NULL && strstr((const char *)r->body, BALLOT_LIMIT_CODE) != NULL;

	if (r->status == HTTP_TOO_MANY && limit)
		return too_soon(bd, r, why);
	if (r->status == HTTP_FORBIDDEN && limit)
		return vy_reason_set(why, VY_R_BALLOT_LIMIT,
				     "board %s: this credential has cast its %u ballots, the limit of the election "
				     "(max_ballots_per_credential): no further ballot is accepted, and the last one "
				     "you cast is the one that counts",
				     bd->url, bd->st.manifest->max_ballots_per_credential);
	if (r->status == HTTP_FORBIDDEN)
		return vy_reason_set(why, VY_R_PHASE, "board %s refused the ballot: the election is not open (%.160s)",
				     bd->url, msg ? msg : "");
	return vy_reason_set(why, VY_R_IO, "board %s refused the ballot (HTTP %ld): %.160s", bd->url, r->status,
			     msg ? msg : "no reason given");
}

/* The retry policy's word to the voter before each wait. */
static void retry_said(void *io, int busy, unsigned wait_ms)
{
	vyc_say(io, "The board %s; trying again in %u ms.\n", busy ? "is busy" : "did not answer", wait_ms);
}

/* POST the same bytes until an answer other than 429/503 comes, by the
 * retry policy of net/vy_http.h; a lost answer is retried with the same
 * bytes too, which the board accepts at most once (409 for a tracking code
 * it holds). The receipt's bytes go to out. */
static vy_rc post_ballot(const vyc_board *bd, const char *path, const uint8_t *body, size_t len, const char *code,
			 const vyc_post_opts *o, uint8_t *out, size_t *out_len, vy_reason *why)
{
	char url[VY_HTTP_URL_BYTES];
	vy_http_retry p = { .tries = o ? o->tries : 0, .first_ms = o ? o->backoff_ms : 0, .idempotent = 1,
			    .on_retry = retry_said, .ctx = (void *)(o ? o->io : NULL), .long_wait_returns = 1 };
	vy_http_request rq = { .method = VY_HTTP_POST, .url = url, .content_type = VY_CT_PROTOBUF, .body = body,
			       .body_len = len, .max_answer = VY_MAX_SMALL_ANSWER_BYTES };
	vy_http_answer r;
	vy_rc rc;

	if (vy_http_url(url, sizeof url, bd->url, path, NULL) != VY_R_OK)
		return vy_reason_set(why, VY_R_ARG, "board URL too long");
	rc = vy_http_send(bd->transport, &p, &rq, &r, why);
	if (rc != VY_R_OK) {
		char msg[VY_REASON_MSG_BYTES];

		snprintf(msg, sizeof msg, "%s", why ? why->msg : "");
		return vy_reason_set(why, rc, "board %s: %s", bd->url, msg);
	}
	if (r.status == HTTP_OK && r.len <= VYC_MAX_RECEIPT_BYTES) {
		memcpy(out, r.body, r.len);
		*out_len = r.len;
	} else if (r.status == HTTP_CONFLICT) {
		rc = fetch_stored_receipt(bd, code, out, out_len, why);
	} else {
		rc = board_refused(bd, &r, why);
	}
	vy_http_answer_free(&r);
	return rc;
}

/* §7.5: the receipt is for this tracking code and the board's signature
 * over it verifies under the manifest's board key. */
vy_rc vyc_receipt_verify(const vy_election *e, const uint8_t *buf, size_t len, const char *code,
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
		rc = post_ballot(bd, VY_PATH_AUDITED, ab, len, b->tracking_code, o, rcpt, &rlen, why);
	if (rc == VY_R_OK)
		rc = vyc_receipt_verify(&bd->st.election, rcpt, rlen, b->tracking_code, o, NULL, why);
	if (ab != NULL)
		sodium_memzero(ab, len); /* the revealed randomness */
	free(ab);
	return rc;
}

/* The receipt file: mode 0600, replacing an older one atomically. */
vy_rc vyc_receipt_save(void *file, const uint8_t *buf, size_t len, vy_reason *why)
{
	return vy_file_replace(file, VY_FILE_MODE_SECRET, buf, len, why);
}

vy_rc vyc_cast_keep(const vyc_board *bd, const vy_built_ballot *b, const vyc_post_opts *o, const vyc_keeper *k,
		    uint64_t *seq, vy_reason *why)
{
	uint8_t rcpt[VYC_MAX_RECEIPT_BYTES];
	size_t rlen = 0;
	vy_rc rc;

	rc = post_ballot(bd, VY_PATH_BALLOTS, b->bytes, b->len, b->tracking_code, o, rcpt, &rlen, why);
	if (rc != VY_R_OK)
		return rc;
	rc = k->keep(k->ctx, rcpt, rlen, why);
	if (rc != VY_R_OK)
		return rc;
	return vyc_receipt_verify(&bd->st.election, rcpt, rlen, b->tracking_code, o, seq, why);
}

vy_rc vyc_cast(const vyc_board *bd, const vy_built_ballot *b, const vyc_post_opts *o, const char *receipt_path,
	       uint64_t *seq, vy_reason *why)
{
	vyc_keeper k = { vyc_receipt_save, (void *)receipt_path };

	return vyc_cast_keep(bd, b, o, &k, seq, why);
}

/* ---- the vote as a whole (client.md §4) ---- */

vy_rc vyc_commit(const vyc_board *bd, const uint32_t *choices, size_t n, vy_built_ballot *out, vy_reason *why)
{
	uint8_t *k = sodium_malloc(VY_ED25519_PK_BYTES + crypto_sign_SECRETKEYBYTES);
	vy_ballot_signer once;
	vy_rc rc;

	memset(out, 0, sizeof *out);
	if (k == NULL)
		return vy_reason_set(why, VY_R_NOMEM, "ballot: out of memory");
	/* fresh, never derived from the credential */
	crypto_sign_keypair(k, k + VY_ED25519_PK_BYTES);
	once = (vy_ballot_signer){ k, k + VY_ED25519_PK_BYTES, NULL, NULL, 0 };
	rc = vy_ballot_build(out, &bd->st.election, &once, choices, n, NULL, NULL, why);
	sodium_free(k); /* wipes: the one-time key signs this ballot only */
	return rc;
}

/* Interactive: 'c' to cast, 'a' to audit, anything else quits. */
static int ask_cast_or_audit(const vyc_io *io)
{
	char line[ANSWER_BYTES];

	if (io == NULL || io->ask == NULL ||
	    io->ask(io->ctx, "Cast this ballot, or audit it (reveal it, check it, and encrypt afresh)? [c/a/q] ", line,
		    sizeof line) != 0)
		return 'q';
	return line[0] == 'c' || line[0] == 'a' ? line[0] : 'q';
}

/* §4 step 2: audit b, then tell where anyone can check it. */
static vy_rc audit_said(const vyc_board *bd, const vy_built_ballot *b, const vyc_vote_opts *o, vy_reason *why)
{
	const vyc_io *io = o->post.io;
	vy_rc rc = vyc_audit(bd, b, &o->post, why);

	if (rc != VY_R_OK)
		return rc;
	vyc_say(io, "Audited: ballot %s, with its choices and randomness, is on the board for anyone to check "
		"(vybar-verify). It does not count. Encrypting afresh.\n", b->tracking_code);
	vyc_say(io, "To see the choices it holds, run on another device (not this one): vybar-vote check-audit "
		"--board %s --code %s%s%s\n", bd->url, b->tracking_code, o->pin ? " --election " : "",
		o->pin ? o->pin : "");
	return VY_R_OK;
}

/* §4 step 3: tell the voter that this cast replaces an earlier one: which
 * one when the ballots were read (vyc_board_fetch), else that it would
 * (vyc_board_fetch_opening reads none), with the election's limit. */
static void revote_notice(const vyc_io *io, const vyc_board *bd, const vyc_credential *c)
{
	int found = 0;
	uint64_t seq = vy_record_state_last_ballot(&bd->st, c->signer.pk, &found);

	if (found)
		vyc_say(io, "You have already voted (ballot at position %llu). Casting again replaces that ballot: "
			"only your latest ballot counts.\n", (unsigned long long)seq);
	else
		vyc_say(io, "If you have already voted with this credential, this ballot replaces it: only your "
			"latest ballot counts (at most %u ballots per credential).\n",
			bd->st.manifest->max_ballots_per_credential);
}

/* §4 step 1 (and 2, as asked): a ballot to cast in *b, audited ones
 * before it; res->end names a failure or the voter's quitting. Each
 * ballot is first built under a fresh one-time key and its tracking code
 * shown (the commitment, protocol.md §6.1); then it is audited as it is,
 * or rebuilt from the same ciphertexts under the credential to be cast. */
static vy_rc ballot_to_cast(const vyc_board *bd, const vyc_credential *c, const uint32_t *choices, size_t n,
			    const vyc_vote_opts *o, vy_built_ballot *b, vyc_vote_result *res, vy_reason *why)
{
	const vyc_io *io = o->post.io;
	int audit = o->audit;
	vy_built_ballot committed;
	vy_rc rc;

	for (;;) {
		rc = vyc_commit(bd, choices, n, &committed, why);
		if (rc != VY_R_OK) {
			res->end = VYC_VOTE_BUILD_FAILED;
			return rc;
		}
		vyc_say(io, "Your ballot is encrypted. Tracking code: %s\n", committed.tracking_code);
		if (o->interactive) {
			int ans = ask_cast_or_audit(io);

			if (ans == 'q') {
				vyc_say(io, "Nothing was sent.\n");
				vy_built_ballot_free(&committed);
				res->end = VYC_VOTE_QUIT;
				return VY_R_OK;
			}
			audit = ans == 'a';
		}
		if (!audit) {
			/* the same ciphertexts, proofs and signature under the credential */
			rc = vy_ballot_rebuild(b, &bd->st.election, &c->signer, &committed, why);
			vy_built_ballot_free(&committed);
			if (rc != VY_R_OK)
				res->end = VYC_VOTE_BUILD_FAILED;
			return rc;
		}
		rc = audit_said(bd, &committed, o, why);
		vy_built_ballot_free(&committed);
		if (rc != VY_R_OK) {
			res->end = VYC_VOTE_AUDIT_FAILED;
			return rc;
		}
		audit = 0;
	}
}

vy_rc vyc_vote(const vyc_board *bd, const vyc_credential *c, const uint32_t *choices, size_t n,
	       const vyc_vote_opts *o, const vyc_keeper *k, vyc_vote_result *res, vy_reason *why)
{
	vy_built_ballot b;
	vy_rc rc;

	memset(res, 0, sizeof *res);
	rc = ballot_to_cast(bd, c, choices, n, o, &b, res, why);
	if (rc != VY_R_OK || res->end == VYC_VOTE_QUIT)
		return rc;
	revote_notice(o->post.io, bd, c);
	snprintf(res->tracking_code, sizeof res->tracking_code, "%s", b.tracking_code);
	rc = vyc_cast_keep(bd, &b, &o->post, k, &res->seq, why);
	vy_built_ballot_free(&b);
	res->end = rc == VY_R_OK ? VYC_VOTE_CAST : VYC_VOTE_CAST_FAILED;
	if (rc == VY_R_OK)
		vyc_say(o->post.io, "Cast. Tracking code %s, position %llu on the board.\n", res->tracking_code,
			(unsigned long long)res->seq);
	return rc;
}
