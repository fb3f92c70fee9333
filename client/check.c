/* Checking a receipt later against the record (vote.h, specs/client.md §5). */
#include <fcntl.h>
#include <sodium.h>
#include <string.h>
#include <unistd.h>

#include "client/vote.h"

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

/* The ballot at the receipt's position: a BALLOT entry whose hash is the
 * receipt's head hash and whose tracking code is the receipt's. */
static vy_rc ballot_matches(const vyc_board *bd, const Vybar__Receipt *r, uint8_t pk[VY_ED25519_PK_BYTES],
			    vy_reason *why)
{
	Vybar__RecordEntry *e = NULL;
	Vybar__Ballot *b = NULL;
	uint8_t h[VY_HASH_BYTES];
	char code[VY_TRACKING_CODE_BYTES];
	vy_rc rc = vyc_board_entry(bd, r->seq, &e, why);

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
	vy_ballot_ciphertexts_hash(&bd->st.election, h, b);
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
	uint8_t pk[VY_ED25519_PK_BYTES];
	Vybar__Receipt *r = NULL;
	int found = 0;
	vy_rc rc;

	memset(res, 0, sizeof *res);
	rc = vyc_board_fetch(&bd, t, url, NULL, why);
	if (rc == VY_R_OK)
		rc = vyc_receipt_verify(&bd.st.election, receipt, len, NULL, NULL, &res->seq, why);
	if (rc == VY_R_OK)
		rc = vy_decode_receipt(&r, receipt, len, why);
	if (rc == VY_R_OK)
		crosscheck(&bd, url, witnesses, n, r, res);
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
