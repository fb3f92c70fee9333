/* Checking a receipt later against the record (vote.h, specs/client.md §5). */
#include <fcntl.h>
#include <sodium.h>
#include <string.h>
#include <unistd.h>

#include "client/vote.h"
#include "net/vy_pager.h"

/* Read the receipt file. */
static vy_rc receipt_load(const char *path, uint8_t *buf, size_t *len, vy_reason *why)
{
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return vy_reason_set(why, VY_R_IO, "receipt file %s: cannot open", path);
	n = read(fd, buf, VYC_MAX_RECEIPT_BYTES);
	close(fd);
	if (n <= 0)
		return vy_reason_set(why, VY_R_IO, "receipt file %s: cannot read", path);
	*len = (size_t)n;
	return VY_R_OK;
}

/* What check reads of the record past the opening (client.md §5): the
 * receipt's entry first, then every entry after it, each checked for its
 * position, its place in the chain and the board's signature. */
typedef struct {
	const vyc_board *bd;
	const Vybar__Receipt *r;
	uint64_t want;                 /* the next seq expected */
	uint8_t prev[VY_HASH_BYTES];   /* the entry hash of the last one read */
	uint8_t pk[VY_ED25519_PK_BYTES];
	vyc_check_result *res;
} suffix_scan;

/* The receipt's entry: a BALLOT whose entry hash is the receipt's head
 * hash and whose tracking code is the receipt's; its credential key. */
static vy_rc own_entry(suffix_scan *s, const Vybar__RecordEntry *e, const uint8_t h[VY_HASH_BYTES], vy_reason *why)
{
	Vybar__Ballot *b = NULL;
	uint8_t ch[VY_HASH_BYTES];
	char code[VY_TRACKING_CODE_BYTES];
	vy_rc rc;

	if (e->type != VYBAR__ENTRY_TYPE__ENTRY_TYPE_BALLOT || s->r->head_hash.len != VY_HASH_BYTES ||
	    sodium_memcmp(h, s->r->head_hash.data, VY_HASH_BYTES) != 0)
		return vy_reason_set(why, VY_R_RECEIPT, "NOT ON THE BOARD: the entry at position %llu is not the ballot of "
				     "this receipt", (unsigned long long)s->r->seq);
	rc = vy_decode_ballot(&b, e->payload.data, e->payload.len, why);
	if (rc != VY_R_OK)
		return rc;
	vy_ballot_ciphertexts_hash(&s->bd->st.election, ch, b);
	vy_tracking_code(code, ch);
	if (strcmp(code, s->r->tracking_code) != 0 || b->credential == NULL ||
	    b->credential->public_key.len != VY_ED25519_PK_BYTES)
		rc = vy_reason_set(why, VY_R_RECEIPT, "NOT ON THE BOARD: the ballot at position %llu has tracking code %s",
				   (unsigned long long)s->r->seq, code);
	else
		memcpy(s->pk, b->credential->public_key.data, VY_ED25519_PK_BYTES);
	vy_msg_free(b);
	return rc;
}

/* One answer's entries (net/vy_pager.h): in order, chained, signed by the
 * board; a later BALLOT of the same credential supersedes the receipt's,
 * an ENCRYPTED_TALLY says the count is on the record. */
static vy_rc suffix_page(void *ctx, uint64_t from, const uint8_t *frames, size_t len, uint64_t count, vy_reason *why)
{
	suffix_scan *s = ctx;
	const uint8_t *entry;
	size_t off = 0, n = 0;
	vy_rc rc;

	(void)from, (void)count;
	while ((rc = vy_record_frame_next(frames, len, &off, &entry, &n, why)) == VY_R_OK && entry != NULL) {
		Vybar__RecordEntry *e = NULL;
		uint8_t h[VY_HASH_BYTES];

		rc = vy_decode_entry(&e, entry, n, why);
		if (rc == VY_R_OK && e->seq != s->want)
			rc = vy_reason_set(why, VY_R_SEQ, "board %s: entry %llu where %llu was expected", s->bd->url,
					   (unsigned long long)e->seq, (unsigned long long)s->want);
		if (rc == VY_R_OK && s->want > s->r->seq &&
		    (e->prev_hash.len != VY_HASH_BYTES || sodium_memcmp(e->prev_hash.data, s->prev, VY_HASH_BYTES) != 0))
			rc = vy_reason_set(why, VY_R_CHAIN, "board %s: entry %llu does not follow the one before it",
					   s->bd->url, (unsigned long long)e->seq);
		if (rc == VY_R_OK)
			rc = vy_entry_signature_check(s->bd->st.manifest->board_key.data, e, why);
		if (rc == VY_R_OK) {
			vy_entry_hash_of(h, e);
			if (s->want == s->r->seq)
				rc = own_entry(s, e, h, why);
		}
		if (rc == VY_R_OK && s->want > s->r->seq && e->type == VYBAR__ENTRY_TYPE__ENTRY_TYPE_BALLOT) {
			Vybar__Ballot *b = NULL;

			if (vy_decode_ballot(&b, e->payload.data, e->payload.len, NULL) == VY_R_OK && b->credential != NULL &&
			    b->credential->public_key.len == VY_ED25519_PK_BYTES &&
			    sodium_memcmp(b->credential->public_key.data, s->pk, VY_ED25519_PK_BYTES) == 0)
				s->res->latest_seq = e->seq;
			vy_msg_free(b);
		}
		if (rc == VY_R_OK && e->type == VYBAR__ENTRY_TYPE__ENTRY_TYPE_ENCRYPTED_TALLY)
			s->res->tallied = 1;
		if (rc == VY_R_OK) {
			memcpy(s->prev, h, VY_HASH_BYTES);
			s->want++;
		}
		vy_msg_free(e);
		if (rc != VY_R_OK)
			return rc;
	}
	return rc;
}

/* §5: the receipt's entry and every entry after it (not the ballots before
 * it); NOT ON THE BOARD when the record ends before the receipt's seq. */
static vy_rc read_suffix(const vyc_board *bd, const Vybar__Receipt *r, vyc_check_result *res, vy_reason *why)
{
	suffix_scan s = { .bd = bd, .r = r, .want = r->seq, .res = res };
	vy_pager p = { bd->transport, bd->url, r->seq, suffix_page, &s, NULL };
	vy_rc rc = vy_pager_run(&p, NULL, why);

	if (rc == VY_R_OK && s.want == r->seq)
		rc = vy_reason_set(why, VY_R_RECEIPT, "NOT ON THE BOARD: the record has no entry at position %llu",
				   (unsigned long long)r->seq);
	res->latest_seq = res->latest_seq ? res->latest_seq : r->seq;
	return rc;
}

/* The board compared with each witness over the receipt's entry. */
static void crosscheck(const vyc_board *bd, const char *url, const char *const *witnesses, size_t n,
		       const Vybar__Receipt *r, vyc_check_result *res)
{
	vy_xc_election xe;

	if (r->head_hash.len != VY_HASH_BYTES)
		return;
	vy_xc_election_init(&xe, bd->st.manifest, bd->st.election.base_hash);
	for (size_t i = 0; i < n && i < VYC_MAX_WITNESS_URLS; i++) {
		vy_crosscheck_entry(bd->transport, &xe, url, witnesses[i], r->seq, r->head_hash.data, &res->witness[i]);
		res->n_witnesses = i + 1;
	}
}

vy_rc vyc_check_receipt(const vy_http_transport *t, const char *url, const char *const *witnesses, size_t n,
			const uint8_t *receipt, size_t len, vyc_check_result *res, vy_reason *why)
{
	vyc_board bd;
	Vybar__Receipt *r = NULL;
	vy_rc rc;

	memset(res, 0, sizeof *res);
	rc = vyc_board_fetch_opening(&bd, t, url, NULL, 1, why);
	if (rc == VY_R_OK)
		rc = vyc_receipt_verify(&bd.st.election, receipt, len, NULL, NULL, &res->seq, why);
	if (rc == VY_R_OK)
		rc = vy_decode_receipt(&r, receipt, len, why);
	if (rc == VY_R_OK)
		crosscheck(&bd, url, witnesses, n, r, res);
	if (rc == VY_R_OK && r->seq < bd.st.next_seq)
		rc = vy_reason_set(why, VY_R_RECEIPT, "NOT ON THE BOARD: position %llu is in the key ceremony",
				   (unsigned long long)r->seq);
	if (rc == VY_R_OK)
		rc = read_suffix(&bd, r, res, why);
	if (rc == VY_R_OK) {
		snprintf(res->tracking_code, sizeof res->tracking_code, "%s", r->tracking_code);
		res->superseded = res->latest_seq != res->seq;
	}
	vy_msg_free(r);
	vyc_board_free(&bd);
	return rc;
}

vy_rc vyc_check_witnessed(const char *url, const char *const *witnesses, size_t n, const char *receipt_path,
			  vyc_check_result *res, vy_reason *why)
{
	uint8_t buf[VYC_MAX_RECEIPT_BYTES];
	size_t len = 0;
	vy_rc rc;

	memset(res, 0, sizeof *res);
	rc = receipt_load(receipt_path, buf, &len, why);
	if (rc != VY_R_OK)
		return rc;
	return vyc_check_receipt(NULL, url, witnesses, n, buf, len, res, why);
}

vy_rc vyc_check(const char *url, const char *receipt_path, vyc_check_result *res, vy_reason *why)
{
	return vyc_check_witnessed(url, NULL, 0, receipt_path, res, why);
}
