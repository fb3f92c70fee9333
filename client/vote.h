/*
 * The voter's side of voting (specs/client.md), as a library whose I/O goes
 * through callbacks, so that a terminal (client/main.c) or a browser page
 * can drive it: fetch and verify the election from the board through a
 * transport (net/vy_http.h), take and check choices, build the ballot
 * (protocol/vy_ballot_build.h), audit or cast it with retries, keep and
 * verify the board's receipt, and check it later against the record.
 *
 * Files: board.c (§2), choices.c (§3), vote.c (§4, the credential and the
 * vote as a whole), check.c (§5).
 *
 * Secrets (the credential's secret key, the ballot's randomness and
 * choices) live in guarded memory (sodium_malloc) and are wiped.
 */
#ifndef VYC_VOTE_H
#define VYC_VOTE_H

#include <sodium.h>

#include "net/vy_crosscheck.h"
#include "net/vy_http.h"
#include "protocol/vy_ballot_build.h"
#include "protocol/vy_record.h"

#define VYC_URL_BYTES 512
#define VYC_MAX_RECEIPT_BYTES 4096

/* How the library talks with the voter. say shows text: whole lines, each
 * ending in '\n'. ask shows a question (no '\n') and reads one line of
 * answer into line[cap], its end of line dropped: 0, or -1 when no answer
 * comes. The library wipes the answers (they may be choices). */
typedef struct {
	void (*say)(void *ctx, const char *text);
	int (*ask)(void *ctx, const char *question, char *line, size_t cap);
	void *ctx;
} vyc_io;

/* printf into io->say; nothing if io (or its say) is NULL. */
void vyc_say(const vyc_io *io, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The election as the board's record shows it, verified (client.md §2). */
typedef struct {
	char url[VYC_URL_BYTES];
	const vy_http_transport *transport; /* how the board is reached (NULL: libcurl) */
	vy_record_state st;
	uint8_t *record; /* the record file bytes (magic + frames) */
	size_t record_len;
	uint64_t bytes_read; /* the bodies of the board's answers, in all */
} vyc_board;

/* vyc_board_fetch_opening asks for this many entries at a time past
 * where ELECTION_OPEN stands without justifications. */
#define VYC_OPENING_WINDOW 16

/* The voter's credential in guarded memory. */
typedef struct {
	uint8_t *keys; /* guarded: pk (32) || sk (64) */
	uint8_t randomizer[VY_RANDOMIZER_BYTES];
	uint8_t reg_sig[VY_RSA_MAX_MODULUS_BYTES];
	size_t reg_sig_len;
	uint64_t earliest_cast; /* client.md §6.2: Unix seconds; 0: none */
	vy_ballot_signer signer;
} vyc_credential;

/* How ballots are posted (the retry policy of net/vy_http.h). */
typedef struct {
	unsigned tries;          /* 0: VY_RETRY_TRIES */
	unsigned backoff_ms;     /* 0: VY_RETRY_FIRST_MS */
	const vyc_io *io;        /* progress messages (may be NULL) */
	/* Called with the board's receipt, decoded, before it is checked (may
	 * be NULL): the tests spoil it here to see a bad receipt reported. */
	void (*receipt_seen)(Vybar__Receipt *r);
} vyc_post_opts;

/* Where the board's receipt is kept (client.md §4 step 5) before it is
 * checked. keep returns VY_R_OK, or a failure with its reason. */
typedef struct {
	vy_rc (*keep)(void *ctx, const uint8_t *receipt, size_t len, vy_reason *why);
	void *ctx;
} vyc_keeper;

/* The most witnesses one check asks (specs/witness.md §5: a manifest names
 * at most as many). */
#define VYC_MAX_WITNESS_URLS VY_MAX_WITNESSES

/* What `check` found (client.md §5). */
typedef struct {
	uint64_t seq;          /* the receipt's position */
	int tallied;           /* the encrypted tally is on the record */
	int superseded;        /* a later ballot of the same credential exists */
	uint64_t latest_seq;   /* the credential's last ballot */
	char tracking_code[VY_TRACKING_CODE_BYTES];
	/* the board compared with each witness asked, in the order asked
	 * (specs/witness.md §8); filled once the receipt's signature held */
	size_t n_witnesses;
	vy_xc_result witness[VYC_MAX_WITNESS_URLS];
} vyc_check_result;

/* §2: fetch the whole record from the board at url through t (NULL:
 * libcurl) and verify it; the election must be open (or later). pin (may
 * be NULL) is the base hash the voter expects. */
vy_rc vyc_board_fetch(vyc_board *b, const vy_http_transport *t, const char *url, const uint8_t *pin,
		      vy_reason *why) VY_WARN_UNUSED;
/* §2 steps 1-3 only, in any phase: the election as its manifest states it
 * (registration, client.md §6.2, may come before voting opens). */
vy_rc vyc_board_fetch_election(vyc_board *b, const vy_http_transport *t, const char *url, const uint8_t *pin,
			       vy_reason *why) VY_WARN_UNUSED;
/* §2, reading only what a voter needs: the record up to and including
 * ELECTION_OPEN (the manifest and the key ceremony), or all of it while
 * voting is not open yet: the manifest, then up to where ELECTION_OPEN
 * stands with n trustees and no justification (3n + 1), then
 * VYC_OPENING_WINDOW entries at a time (GET /v1/record?from=N&to=M,
 * board-api.md §4), each answer
 * retried on 429 and 503 like a ballot. Then the checks of
 * vyc_board_fetch, or of vyc_board_fetch_election unless need_open. The
 * record kept (b->record) ends there: no ballot is read. */
vy_rc vyc_board_fetch_opening(vyc_board *b, const vy_http_transport *t, const char *url, const uint8_t *pin,
			      int need_open, vy_reason *why) VY_WARN_UNUSED;
/* The same for a record file image already in memory (record[0..len),
 * malloc'd: b owns it from now on, whatever the outcome); url is the
 * board's, where ballots go. */
vy_rc vyc_board_load(vyc_board *b, const char *url, uint8_t *record, size_t len, const uint8_t *pin,
		     vy_reason *why) VY_WARN_UNUSED;
void vyc_board_free(vyc_board *b);
/* Every entry of b's record in order, decoded one at a time, handed to fn
 * until fn sets *stop or fails (its code is returned). fn may keep *e (and
 * set it to NULL); otherwise it is freed after the call. */
typedef vy_rc (*vyc_entry_fn)(void *ctx, Vybar__RecordEntry **e, int *stop, vy_reason *why);
vy_rc vyc_board_each(const vyc_board *b, vyc_entry_fn fn, void *ctx, vy_reason *why) VY_WARN_UNUSED;
/* The entry at seq in b's record (free with vy_msg_free); VY_R_RECEIPT if
 * there is none. */
vy_rc vyc_board_entry(const vyc_board *b, uint64_t seq, Vybar__RecordEntry **out, vy_reason *why) VY_WARN_UNUSED;

/* §3: the contests, readably (numbers are the ones choices use). */
void vyc_election_show(const vyc_io *io, const vy_election *e);

/* §3: choices from "C=O[,O...]" or "C=blank" specs (1-based numbers), one
 * per contest; then the contest rules (vy_choices_check). */
vy_rc vyc_choices_parse(const Vybar__Manifest *m, const char *const *specs, size_t n_specs, uint32_t *choices,
			size_t n, vy_reason *why) VY_WARN_UNUSED;
/* §3: the same, asking io for each contest in turn (again after a wrong
 * answer, said why). */
vy_rc vyc_choices_ask(const vyc_io *io, const Vybar__Manifest *m, uint32_t *choices, size_t n,
		      vy_reason *why) VY_WARN_UNUSED;

/* Open the credential file at path (sealed: specs/client.md §6.1) with the
 * passphrase pass, for the election (keys into guarded memory). A wrong
 * passphrase is VY_R_KEY, and nothing is changed. */
vy_rc vyc_credential_open(vyc_credential *c, const vy_election *e, const char *path, const char *pass,
			  vy_reason *why) VY_WARN_UNUSED;
/* The credential of seed (the Ed25519 seed, whose public key must be pk),
 * the randomizer and the registrar's signature (sig_len bytes). */
vy_rc vyc_credential_set(vyc_credential *c, const uint8_t seed[crypto_sign_SEEDBYTES],
			 const uint8_t pk[crypto_sign_PUBLICKEYBYTES], const uint8_t randomizer[VY_RANDOMIZER_BYTES],
			 const uint8_t *sig, size_t sig_len, vy_reason *why) VY_WARN_UNUSED;
/* The same from a CredentialFile's plaintext bytes (the booth keeps them
 * in memory). */
vy_rc vyc_credential_from_bytes(vyc_credential *c, const vy_election *e, const uint8_t *buf, size_t len,
				vy_reason *why) VY_WARN_UNUSED;
void vyc_credential_close(vyc_credential *c);
/* client.md §6.2: how many seconds c should still wait before it is cast
 * at time now (0: none). */
uint64_t vyc_credential_wait(const vyc_credential *c, uint64_t now);

/* §4 step 1, protocol.md §6.1: the commitment: choices encrypted with
 * fresh randomness and built under a fresh one-time key (generated, used
 * and wiped here; never the credential), whose tracking code the voter
 * sees before choosing. Audit it as it is (vyc_audit), or cast the same
 * ciphertexts rebuilt under the credential (vy_ballot_rebuild). */
vy_rc vyc_commit(const vyc_board *bd, const uint32_t *choices, size_t n, vy_built_ballot *out,
		 vy_reason *why) VY_WARN_UNUSED;
/* §4: post the audited ballot of b (built by vyc_commit) (randomness and choices revealed) and
 * verify the board's receipt. */
vy_rc vyc_audit(const vyc_board *bd, const vy_built_ballot *b, const vyc_post_opts *o, vy_reason *why) VY_WARN_UNUSED;
/* §4: cast b, hand the board's receipt to k and verify it at once:
 * VY_R_RECEIPT if its signature or content fails. */
vy_rc vyc_cast_keep(const vyc_board *bd, const vy_built_ballot *b, const vyc_post_opts *o, const vyc_keeper *k,
		    uint64_t *seq, vy_reason *why) VY_WARN_UNUSED;
/* The same, the receipt written to receipt_path (vyc_receipt_save). */
vy_rc vyc_cast(const vyc_board *bd, const vy_built_ballot *b, const vyc_post_opts *o, const char *receipt_path,
	       uint64_t *seq, vy_reason *why) VY_WARN_UNUSED;
/* §4 step 5 (protocol.md §7.5): the receipt buf (len bytes) decodes, is
 * for tracking code `code` (unless NULL), and the board's signature over it
 * verifies under e's board key; VY_R_RECEIPT if not. o (may be NULL) may
 * have a receipt_seen hook, called with the decoded receipt first. *seq
 * (may be NULL) gets its position. */
vy_rc vyc_receipt_verify(const vy_election *e, const uint8_t *buf, size_t len, const char *code,
			 const vyc_post_opts *o, uint64_t *seq, vy_reason *why) VY_WARN_UNUSED;
/* A keeper's function: the receipt to the file named by path (a char *),
 * created with mode 0600 (an older file replaced) and synced. */
vy_rc vyc_receipt_save(void *path, const uint8_t *receipt, size_t len, vy_reason *why) VY_WARN_UNUSED;

/* ---- the vote as a whole (client.md §4) ---- */

/* How vyc_vote goes. */
typedef struct {
	int audit;          /* audit a first ballot before casting */
	int interactive;    /* before each ballot, ask io: cast, audit or quit */
	const char *pin;    /* the election's fingerprint as given (hex), or NULL: shown in the check-audit command */
	vyc_post_opts post; /* post.io also says what happens */
} vyc_vote_opts;

/* Where vyc_vote ended. */
typedef enum {
	VYC_VOTE_CAST = 0,      /* cast; the receipt kept and verified */
	VYC_VOTE_QUIT,          /* the voter quit: nothing was sent */
	VYC_VOTE_BUILD_FAILED,  /* a ballot could not be built: nothing was sent */
	VYC_VOTE_AUDIT_FAILED,  /* an audit failed */
	VYC_VOTE_CAST_FAILED    /* the cast failed (VY_R_RECEIPT: the receipt does not verify) */
} vyc_vote_end;

typedef struct {
	vyc_vote_end end;
	uint64_t seq; /* the cast ballot's position */
	char tracking_code[VY_TRACKING_CODE_BYTES];
} vyc_vote_result;

/* §4 whole: build a ballot of choices (n of them) with c's credential;
 * audit it (as o asks, or as the voter answers) and build afresh, as often
 * as asked; tell of a revote; cast, keep the receipt with k and verify it.
 * Every step is said to o->post.io; the failure (res->end names the step)
 * is returned with its reason, for the caller to show. */
vy_rc vyc_vote(const vyc_board *bd, const vyc_credential *c, const uint32_t *choices, size_t n,
	       const vyc_vote_opts *o, const vyc_keeper *k, vyc_vote_result *res, vy_reason *why) VY_WARN_UNUSED;

/* §5: the receipt (len bytes) against the record of the board at url,
 * reached through t (NULL: libcurl); and, once its signature holds, the
 * board compared with each of the n witnesses (their URLs) over the
 * receipt's entry (net/vy_crosscheck.h), whatever the board's record
 * says: res->witness[]. The code is the board's check's. */
vy_rc vyc_check_receipt(const vy_http_transport *t, const char *url, const char *const *witnesses, size_t n,
			const uint8_t *receipt, size_t len, vyc_check_result *res, vy_reason *why) VY_WARN_UNUSED;
/* §5: the same for the receipt in receipt_path, through libcurl. */
vy_rc vyc_check_witnessed(const char *url, const char *const *witnesses, size_t n, const char *receipt_path,
			  vyc_check_result *res, vy_reason *why) VY_WARN_UNUSED;
/* The same without witnesses. */
vy_rc vyc_check(const char *url, const char *receipt_path, vyc_check_result *res, vy_reason *why) VY_WARN_UNUSED;

#endif
