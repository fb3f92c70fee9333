/* Checking an audited ballot from any device (audit.h, specs/client.md §8). */
#include "client/audit.h"

#include <ctype.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CODE_SYMBOLS 16  /* §4.4: 80 bits, 5 per symbol */
#define CODE_GROUP 4
#define TYPED_ECHO_MAX 40 /* how much of a bad code a message repeats */

vy_rc vyc_tracking_code_parse(char out[VY_TRACKING_CODE_BYTES], const char *typed, vy_reason *why)
{
	static const char alphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
	size_t n = 0, o = 0;
	int bad = 0;

	out[0] = '\0';
	if (typed == NULL)
		return vy_reason_set(why, VY_R_ARG, "tracking code: NULL");
	for (const char *p = typed; *p != '\0'; p++) {
		int ch = toupper((unsigned char)*p);

		if (ch == '-' || isspace(ch))
			continue;
		/* Crockford base 32's readings of the letters it leaves out, as
		 * a voter may copy them from a screen or a note. */
		if (ch == 'O')
			ch = '0';
		else if (ch == 'I' || ch == 'L')
			ch = '1';
		if (strchr(alphabet, ch) == NULL || n == CODE_SYMBOLS) {
			bad = 1;
			break;
		}
		if (n > 0 && n % CODE_GROUP == 0)
			out[o++] = '-';
		out[o++] = (char)ch;
		n++;
	}
	if (!bad && n == CODE_SYMBOLS) {
		out[o] = '\0';
		return VY_R_OK;
	}
	out[0] = '\0';
	return vy_reason_set(why, VY_R_FIELD,
			     "tracking code \"%.*s\": must be the 16 characters the client showed (0-9 and A-Z "
			     "without U, e.g. 7K2Q-0ZRD-M4XW-9HCT; dashes, spaces and case do not matter)",
			     TYPED_ECHO_MAX, typed);
}

/* Prefix why's message with the audited ballot and its position, keeping
 * the check it names (specs/verification.md). */
static vy_rc audited_reason(vy_reason *why, vy_rc rc, const char *code, uint64_t seq)
{
	char msg[VY_REASON_MSG_BYTES], check[VY_CHECK_ID_BYTES];

	if (why == NULL)
		return rc;
	snprintf(msg, sizeof msg, "%s", why->msg);
	memcpy(check, why->check, sizeof check);
	vy_reason_set(why, rc, "ballot %s at position %llu: %s", code, (unsigned long long)seq, msg);
	memcpy(why->check, check, sizeof check);
	return rc;
}

/* The revealed value of every selection, in manifest order; the shape is
 * the manifest's once vy_audited_ballot_check has accepted a. */
static vy_rc take_choices(const vyc_board *bd, const Vybar__AuditedBallot *a, vyc_audit_result *res, vy_reason *why)
{
	size_t k = 0;

	res->n_sel = vy_manifest_selections(bd->st.manifest);
	res->choices = calloc(res->n_sel ? res->n_sel : 1, sizeof *res->choices);
	if (res->choices == NULL)
		return vy_reason_set(why, VY_R_NOMEM, "audited ballot: out of memory");
	for (size_t i = 0; i < a->n_contests; i++)
		for (size_t j = 0; j < a->contests[i]->n_selections && k < res->n_sel; j++)
			res->choices[k++] = a->contests[i]->selections[j]->value;
	if (k != res->n_sel)
		return vy_reason_set(why, VY_R_SHAPE, "audited ballot: %zu revealed selections, the manifest has %zu", k,
				     res->n_sel);
	return VY_R_OK;
}

/* One BALLOT or AUDITED_BALLOT entry against res->tracking_code: on a
 * match, res->status and res->seq; for an audited ballot, the protocol's
 * rule (V5.1-V5.3), then its choices. *done = 1 once it matched. */
static vy_rc match_entry(const vyc_board *bd, const Vybar__RecordEntry *e, vyc_audit_result *res, int *done,
			 vy_reason *why)
{
	const vy_election *el = &bd->st.election;
	Vybar__AuditedBallot *a = NULL;
	Vybar__Ballot *b = NULL;
	const Vybar__Ballot *ballot;
	uint8_t h[VY_HASH_BYTES];
	char code[VY_TRACKING_CODE_BYTES];
	vy_rc rc;

	if (e->type == VYBAR__ENTRY_TYPE__ENTRY_TYPE_BALLOT)
		rc = vy_decode_ballot(&b, e->payload.data, e->payload.len, why);
	else
		rc = vy_decode_audited_ballot(&a, e->payload.data, e->payload.len, why);
	if (rc != VY_R_OK) {
		char msg[VY_REASON_MSG_BYTES];

		snprintf(msg, sizeof msg, "%s", why ? why->msg : "");
		return vy_reason_set(why, rc, "record entry %llu: %s", (unsigned long long)e->seq, msg);
	}
	ballot = b != NULL ? b : a->ballot;
	if (ballot == NULL)
		goto out; /* no ballot, no tracking code: cannot be the one asked for */
	vy_ballot_ciphertexts_hash(el, h, ballot);
	vy_tracking_code(code, h);
	if (strcmp(code, res->tracking_code) != 0)
		goto out;
	*done = 1;
	res->seq = e->seq;
	res->status = b != NULL ? VYC_AUDIT_CAST : VYC_AUDIT_FOUND;
	if (a == NULL)
		goto out;
	/* The board checked this entry before it appended it, and the client's
	 * fetch skipped it (client.md §2): the voter's device checks it again
	 * with the one rule the board and the verifier use. */
	rc = vy_audited_ballot_check(el, a, why);
	if (rc != VY_R_OK) {
		audited_reason(why, rc, res->tracking_code, res->seq);
		goto out;
	}
	rc = take_choices(bd, a, res, why);
out:
	vy_msg_free(a);
	vy_msg_free(b);
	return rc;
}

/* The search of vyc_audit_find, for vyc_board_each. */
typedef struct {
	const vyc_board *bd;
	vyc_audit_result *res;
} audit_search;

static vy_rc search_entry(void *ctx, Vybar__RecordEntry **e, int *stop, vy_reason *why)
{
	audit_search *s = ctx;

	if ((*e)->type != VYBAR__ENTRY_TYPE__ENTRY_TYPE_BALLOT &&
	    (*e)->type != VYBAR__ENTRY_TYPE__ENTRY_TYPE_AUDITED_BALLOT)
		return VY_R_OK;
	return match_entry(s->bd, *e, s->res, stop, why);
}

vy_rc vyc_audit_find(const vyc_board *bd, const char *code, vyc_audit_result *res, vy_reason *why)
{
	audit_search s = { bd, res };
	vy_rc rc;

	memset(res, 0, sizeof *res);
	rc = vyc_tracking_code_parse(res->tracking_code, code, why);
	if (rc != VY_R_OK)
		return rc;
	if (bd->st.manifest == NULL || !bd->st.election.have_joint_key)
		return vy_reason_set(why, VY_R_PHASE, "board %s: the election is not open yet", bd->url);
	rc = vyc_board_each(bd, search_entry, &s, why);
	if (rc != VY_R_OK) {
		free(res->choices);
		res->choices = NULL;
		res->n_sel = 0;
	}
	return rc;
}

void vyc_audit_result_free(vyc_audit_result *res)
{
	free(res->choices);
	memset(res, 0, sizeof *res);
}

/* The name of selection j of contest c, as `show` prints it. */
static const char *selection_name(const Vybar__Contest *c, size_t j)
{
	if (c->kind == VYBAR__CONTEST_KIND__CONTEST_KIND_PARTY_LIST)
		return c->party_list->lists[j]->name;
	return c->options[j]->title;
}

void vyc_audit_show(const vyc_io *io, const vyc_board *bd, const vyc_audit_result *res)
{
	const vy_election *e = &bd->st.election;
	const Vybar__Manifest *m = e->manifest;
	char hex[2 * VY_HASH_BYTES + 1];
	size_t k = 0;

	if (res->status != VYC_AUDIT_FOUND || res->choices == NULL)
		return;
	sodium_bin2hex(hex, sizeof hex, e->base_hash, VY_HASH_BYTES);
	vyc_say(io, "Audited ballot %s is on the board %s at position %llu. It does not count.\n",
		res->tracking_code, bd->url, (unsigned long long)res->seq);
	vyc_say(io, "Checked on this device: its revealed choices and randomness re-encrypt to exactly its "
		"ciphertexts, and its proofs and signatures verify.\n");
	vyc_say(io, "Election: %s (%s)\nElection fingerprint: %s\n", m->title, m->election_id, hex);
	vyc_say(io, "\nThe choices this ballot holds:\n");
	for (size_t i = 0; i < m->n_contests; i++) {
		const Vybar__Contest *c = m->contests[i];
		size_t n_sel, chosen = 0;
		uint64_t lo, hi;

		vy_contest_shape(c, &n_sel, &lo, &hi);
		vyc_say(io, "\nContest %zu: %s\n", i + 1, c->title);
		for (size_t j = 0; j < n_sel && k + j < res->n_sel; j++) {
			if (res->choices[k + j] != 1)
				continue;
			vyc_say(io, "  %zu. %s\n", j + 1, selection_name(c, j));
			chosen++;
		}
		if (chosen == 0)
			vyc_say(io, "  blank (nothing chosen)\n");
		k += n_sel;
	}
	vyc_say(io, "\n%s\n", VYC_AUDIT_INSTRUCTION);
}
