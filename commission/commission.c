/*
 * The election commission's commands of vybar-commission (commission.h,
 * specs/commission.md):
 *
 *   manifest --election FILE.json --registrar-keys FILE --board-pk HEX
 *            --commission-pk HEX --trustee-pks FILE --out FILE
 *            [--witness NAME=HEX ... | --witnesses FILE] [--witness-threshold K]
 *   admin --board URL --key FILE open|close|tally|result
 *   publish-issued --board URL --registrar URL
 *
 * Their options come parsed (commission/main.c); each returns its exit
 * status (cli/vy_cli.h).
 *
 * The manifest comes from the protocol library's reader of election
 * descriptions (protocol/vy_description.h); the admin actions are signed
 * here with the commission's key (protocol.md §12) and sent over HTTP
 * (net/vy_http.h, its retry policy for every POST).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "commission/commission.h"
#include "cli/vy_files.h"
#include "cli/vy_keys.h"
#include "net/vy_http.h"
#include "protocol/vy_checkpoint.h"
#include "protocol/vy_description.h"
#include "protocol/vy_json.h"
#include "protocol/vy_record.h"
#include "protocol/vy_seats.h"

#define MAX_KEYS_FILE_BYTES 65536
#define LINE_BYTES 256
#define ADMIN_TRIES 5 /* signatures over a head that moved meanwhile (§12.2) */

static const char *const action_names[] = { "", "open", "close", "tally", "result" };

/* Exactly 64 hex digits into 32 bytes; 0 on success. */
static int hex32(const char *s, size_t n, uint8_t out[32])
{
	size_t got = 0;

	if (n != 64 || sodium_hex2bin(out, 32, s, n, NULL, &got, NULL) != 0 || got != 32)
		return -1;
	return 0;
}

/* ---- manifest ---- */

/* The next line of the text at *cursor that is not blank, its spaces, tabs
 * and CR trimmed in place, its length in *k; *line counts every line read
 * (blank ones too, for messages). NULL after the last. */
static char *next_line(char **cursor, size_t *line, size_t *k)
{
	while (*cursor != NULL && **cursor != '\0') {
		char *p = *cursor, *end = strchr(p, '\n');

		*cursor = end != NULL ? end + 1 : NULL;
		if (end != NULL)
			*end = '\0';
		(*line)++;
		*k = strlen(p);
		while (*k > 0 && (p[*k - 1] == '\r' || p[*k - 1] == ' ' || p[*k - 1] == '\t'))
			p[--*k] = '\0';
		while (*p == ' ' || *p == '\t')
			p++, (*k)--;
		if (*k > 0)
			return p;
	}
	return NULL;
}

/* The trustees' signing keys: one line of 64 hex digits each, in order
 * 1..n (blank lines ignored). The keys in *keys (malloc'd). 0, or the exit
 * status after the message. */
static int read_trustee_keys(const char *path, uint8_t (**keys)[32], size_t *n)
{
	size_t len = 0, line = 0;
	uint8_t *buf = NULL;
	char *text, *p, *cursor;
	vy_reason why = { 0 };
	vy_rc rc = vy_file_read(&buf, &len, path, MAX_KEYS_FILE_BYTES, 0, &why);

	*keys = NULL;
	*n = 0;
	if (rc != VY_R_OK) {
		fprintf(stderr, "vybar-commission: --trustee-pks: %s\n", why.msg);
		return vy_cli_exit(rc);
	}
	text = (char *)buf;
	*keys = calloc(VY_MAX_TRUSTEES, sizeof **keys);
	if (*keys == NULL) {
		free(text);
		fprintf(stderr, "vybar-commission: out of memory\n");
		return VY_EXIT_IO;
	}
	cursor = text;
	for (size_t k = 0; (p = next_line(&cursor, &line, &k)) != NULL;) {
		if (*n == VY_MAX_TRUSTEES || hex32(p, k, (*keys)[*n]) != 0) {
			fprintf(stderr, "vybar-commission: --trustee-pks %s: line %zu: %s\n", path, line,
				*n == VY_MAX_TRUSTEES ? "more than 64 trustees" : "not a public key (64 hex digits)");
			free(text);
			return VY_EXIT_FAILED;
		}
		(*n)++;
	}
	free(text);
	if (*n == 0) {
		fprintf(stderr, "vybar-commission: --trustee-pks %s: no key (one line of 64 hex digits per trustee)\n",
			path);
		return VY_EXIT_FAILED;
	}
	return 0;
}

/* The witnesses of the manifest (specs/witness.md §5), as the options
 * gave them: names and keys in order, and where they came from. */
typedef struct {
	char names[VY_MAX_WITNESSES][VY_WITNESS_NAME_MAX + 1];
	const char *name_ptrs[VY_MAX_WITNESSES];
	uint8_t keys[VY_MAX_WITNESSES][32];
	size_t n;
	char source[300]; /* "--witness" or "--witnesses FILE" */
} witness_list;

/* One witness, "NAME" and "HEX" (name_len, hex_len bytes), appended to l;
 * what: "--witness 2" or "--witnesses FILE: line 3". 0, or -1 after the
 * message. The name must be a key name and the key 64 hex digits; the
 * rest of V2.10 (a valid point, distinct names and keys, not the board's
 * key) is the protocol's check, when the manifest is built. */
static int add_witness(witness_list *l, const char *what, const char *name, size_t name_len, const char *hex,
		       size_t hex_len)
{
	if (l->n == VY_MAX_WITNESSES) {
		fprintf(stderr, "vybar-commission: %s: more than %d witnesses (specs/witness.md, section 5)\n", what,
			VY_MAX_WITNESSES);
		return -1;
	}
	if (!vy_witness_name_ok(name, name_len)) {
		fprintf(stderr,
			"vybar-commission: %s: the name \"%.*s\" is not a witness's key name: 1 to %d bytes of "
			"printable ASCII, no space or '+'\n",
			what, (int)(name_len > 160 ? 160 : name_len), name, VY_WITNESS_NAME_MAX);
		return -1;
	}
	if (hex32(hex, hex_len, l->keys[l->n]) != 0) {
		fprintf(stderr, "vybar-commission: %s: %.*s: not a public key (64 hex digits)\n", what,
			(int)(name_len > 160 ? 160 : name_len), name);
		return -1;
	}
	memcpy(l->names[l->n], name, name_len);
	l->names[l->n][name_len] = '\0';
	l->name_ptrs[l->n] = l->names[l->n];
	l->n++;
	return 0;
}

/* --witness NAME=HEX, each in order (the key after the last '='). 0, or
 * VY_EXIT_USAGE after the message. */
static int witnesses_from_options(const vy_cli_args *a, witness_list *l)
{
	const char *vals[VY_CLI_MAX_REPEATS];
	size_t n = vy_cli_all(a, "witness", vals, VY_CLI_MAX_REPEATS);
	char what[32];

	snprintf(l->source, sizeof l->source, "--witness");
	for (size_t i = 0; i < n; i++) {
		const char *eq = strrchr(vals[i], '=');

		snprintf(what, sizeof what, "--witness %zu", i + 1);
		if (eq == NULL)
			return vy_cli_usage_error(a, "%s: '%.160s' is not NAME=HEX", what, vals[i]);
		if (add_witness(l, what, vals[i], (size_t)(eq - vals[i]), eq + 1, strlen(eq + 1)) != 0)
			return VY_EXIT_USAGE;
	}
	return 0;
}

/* --witnesses FILE: one line "NAME HEX" per witness (blank lines ignored).
 * 0, or the exit status after the message. */
static int witnesses_from_file(const char *path, witness_list *l)
{
	size_t len = 0, line = 0;
	uint8_t *buf = NULL;
	char *p, *cursor = NULL, what[340];
	vy_reason why = { 0 };
	vy_rc rc = vy_file_read(&buf, &len, path, MAX_KEYS_FILE_BYTES, 0, &why);

	if (rc != VY_R_OK) {
		fprintf(stderr, "vybar-commission: --witnesses: %s\n", why.msg);
		return vy_cli_exit(rc);
	}
	snprintf(l->source, sizeof l->source, "--witnesses %.280s", path);
	cursor = (char *)buf;
	for (size_t k = 0; (p = next_line(&cursor, &line, &k)) != NULL;) {
		char *sp;

		snprintf(what, sizeof what, "--witnesses %.280s: line %zu", path, line);
		sp = strpbrk(p, " \t");
		if (sp == NULL) {
			fprintf(stderr, "vybar-commission: %s: not NAME HEX\n", what);
			free(buf);
			return VY_EXIT_FAILED;
		}
		*sp = '\0';
		for (sp++; *sp == ' ' || *sp == '\t'; sp++)
			;
		if (add_witness(l, what, p, strlen(p), sp, strlen(sp)) != 0) {
			free(buf);
			return VY_EXIT_FAILED;
		}
	}
	free(buf);
	if (l->n == 0) {
		fprintf(stderr, "vybar-commission: --witnesses %s: no witness (one line NAME HEX per witness)\n", path);
		return VY_EXIT_FAILED;
	}
	return 0;
}

/* The witnesses and the threshold into keys (none when no option names
 * one). 0, or the exit status after the message. */
static int read_witnesses(const vy_cli_args *a, witness_list *l, vy_description_keys *keys)
{
	const char *file = vy_cli_get(a, "witnesses");
	unsigned long k = 0;
	int rc;

	l->n = 0;
	if (file != NULL && vy_cli_get(a, "witness") != NULL)
		return vy_cli_usage_error(a, "--witness and --witnesses: give the witnesses one way only");
	rc = file != NULL ? witnesses_from_file(file, l) : witnesses_from_options(a, l);
	if (rc != 0)
		return rc;
	if (vy_cli_get(a, "witness-threshold") != NULL) {
		if (l->n == 0)
			return vy_cli_usage_error(a, "--witness-threshold: no witness is named (--witness or --witnesses)");
		if (vy_cli_ulong(a, "witness-threshold", 1, l->n, &k) != 0)
			return VY_EXIT_USAGE;
	} else if (l->n > 0) {
		return vy_cli_usage_error(a, "%zu witnesses: --witness-threshold K is needed too (1..%zu; choose more "
					  "than half, specs/witness.md section 5)", l->n, l->n);
	}
	keys->witness_names = l->name_ptrs;
	keys->witness_keys = (const uint8_t (*)[32])l->keys;
	keys->n_witnesses = l->n;
	keys->witness_threshold = (uint32_t)k;
	return 0;
}

/* The witnesses and what they stop (specs/witness.md §5). */
static void witness_summary(const Vybar__Manifest *m)
{
	char hex[65];

	if (m->n_witnesses == 0) {
		printf("Witnesses: none. Nothing stops the board from showing different records to different "
		       "readers, and the trustees decrypt a tally no witness cosigned (specs/witness.md, section 5).\n");
		return;
	}
	printf("Witnesses: %zu; the tally needs the cosignatures of %u of them before the trustees decrypt it\n",
	       m->n_witnesses, m->witness_threshold);
	for (size_t i = 0; i < m->n_witnesses; i++) {
		sodium_bin2hex(hex, sizeof hex, m->witnesses[i]->public_key.data, 32);
		printf("  %zu. %s (%s)\n", i + 1, m->witnesses[i]->name, hex);
	}
	if (2 * (size_t)m->witness_threshold <= m->n_witnesses)
		printf("Warning: %u of %zu is not more than half: two different tallies could each find %u witnesses "
		       "that do not overlap, so forks are stopped only while fewer than %u witnesses lie.\n",
		       m->witness_threshold, m->n_witnesses, m->witness_threshold, m->witness_threshold);
}

/* "2024-05-23 08:00:00 UTC" */
static void utc_time(char out[32], uint64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (gmtime_r(&tt, &tm) == NULL || strftime(out, 32, "%Y-%m-%d %H:%M:%S UTC", &tm) == 0)
		snprintf(out, 32, "%llu", (unsigned long long)t);
}

/* What the commission checks before it publishes: the election, its
 * fingerprint, the trustees and each contest's rule. */
static void manifest_summary(const Vybar__Manifest *m, const uint8_t base_hash[VY_HASH_BYTES])
{
	char hex[2 * VY_HASH_BYTES + 1], start[32], end[32];

	sodium_bin2hex(hex, sizeof hex, base_hash, VY_HASH_BYTES);
	printf("Election: %s (%s)\nElection fingerprint: %s\n", m->title, m->election_id, hex);
	utc_time(start, m->voting_start);
	utc_time(end, m->voting_end);
	printf("Voting: %s to %s (informative)\n", start, end);
	printf("Trustees: %u; %u of them are needed to decrypt the tally\n", m->trustee_count, m->threshold);
	for (size_t i = 0; i < m->n_trustees; i++) {
		sodium_bin2hex(hex, sizeof hex, m->trustees[i]->signing_key.data, m->trustees[i]->signing_key.len);
		printf("  %u. %s (%s)\n", m->trustees[i]->index, m->trustees[i]->name, hex);
	}
	witness_summary(m);
	printf("Revoting: at most %u ballots per credential", m->max_ballots_per_credential);
	if (m->min_seconds_between_ballots > 0)
		printf(", at least %u seconds apart (the board's promise, not on the record)",
		       m->min_seconds_between_ballots);
	printf("\n");
	for (size_t i = 0; i < m->n_contests; i++) {
		const Vybar__Contest *c = m->contests[i];
		const Vybar__PartyListContest *pl = c->party_list;
		size_t cands = 0;

		printf("Contest %zu: %s\n", i + 1, c->title);
		if (c->kind == VYBAR__CONTEST_KIND__CONTEST_KIND_ONE_OF_N) {
			printf("  one of %zu options%s\n", c->n_options, c->allow_blank ? ", or blank" : "");
			continue;
		}
		if (c->kind == VYBAR__CONTEST_KIND__CONTEST_KIND_APPROVAL) {
			printf("  between %u and %u of %zu options\n", c->min_selections, c->max_selections,
			       c->n_options);
			continue;
		}
		for (size_t j = 0; j < pl->n_lists; j++)
			cands += pl->lists[j]->n_candidates;
		printf("  closed party lists: one of %zu lists%s, %zu candidates\n", pl->n_lists,
		       c->allow_blank ? " or blank" : "", cands);
		printf("  %u seats, threshold %u.%02u %% of the valid votes, %s\n", pl->seats,
		       pl->threshold_basis_points / 100, pl->threshold_basis_points % 100,
		       vy_seat_method_name(pl->seat_method));
		if (pl->gender_rule->block_size > 0)
			printf("  gender rule: in every block of %u consecutive candidates, at least %u female and "
			       "%u male\n",
			       pl->gender_rule->block_size, pl->gender_rule->min_per_block,
			       pl->gender_rule->min_per_block);
		else
			printf("  no gender rule\n");
	}
}

/* The refusal of a description, with its place. */
static void description_error(const char *file, const char *rk, const char *tpk, const char *wit,
			      const vy_desc_where *w, const vy_reason *why)
{
	switch (w->place) {
	case VY_DESC_AT_SYNTAX:
		fprintf(stderr, "vybar-commission: %s: line %zu, column %zu: %s", file, w->line, w->column, why->msg);
		break;
	case VY_DESC_AT_BOARD_KEY:
		fprintf(stderr, "vybar-commission: --board-pk: %s", why->msg);
		break;
	case VY_DESC_AT_COMMISSION_KEY:
		fprintf(stderr, "vybar-commission: --commission-pk: %s", why->msg);
		break;
	case VY_DESC_AT_REGISTRAR_KEYS:
		fprintf(stderr, "vybar-commission: --registrar-keys %s: %s", rk, why->msg);
		break;
	case VY_DESC_AT_TRUSTEE_KEYS:
		if (w->trustee > 0)
			fprintf(stderr, "vybar-commission: --trustee-pks %s: key %zu: %s", tpk, w->trustee, why->msg);
		else
			fprintf(stderr, "vybar-commission: --trustee-pks %s: %s", tpk, why->msg);
		break;
	case VY_DESC_AT_WITNESSES:
		fprintf(stderr, "vybar-commission: %s: %s", wit, why->msg);
		break;
	default:
		if (w->path[0] != '\0')
			fprintf(stderr, "vybar-commission: %s: %s: %s", file, w->path, why->msg);
		else
			fprintf(stderr, "vybar-commission: %s: %s", file, why->msg);
		break;
	}
	fprintf(stderr, " (nothing written)\n");
}

/* Write the manifest to a new file (never over an existing one). */
static int write_new(const char *path, const uint8_t *p, size_t n)
{
	vy_reason why = { 0 };
	int exists;

	if (vy_file_create(path, VY_FILE_MODE_PUBLIC, p, n, &why) == VY_R_OK)
		return 0;
	exists = access(path, F_OK) == 0;
	fprintf(stderr, "vybar-commission: --out: %s%s\n", why.msg,
		exists ? " (an existing manifest is never overwritten; remove it first)" : "");
	return VY_EXIT_IO;
}

/* The registrar's public keys (vybar-registrar init) from path. 0, or the
 * exit status after the message. */
static int read_registrar_keys(const char *path, Vybar__RegistrarPublicKeys **reg)
{
	uint8_t *buf = NULL;
	size_t len = 0;
	vy_reason why = { 0 };
	vy_rc rc = vy_file_read(&buf, &len, path, MAX_KEYS_FILE_BYTES, 0, &why);

	if (rc != VY_R_OK) {
		fprintf(stderr, "vybar-commission: --registrar-keys: %s\n", why.msg);
		return vy_cli_exit(rc);
	}
	rc = vy_decode_message((ProtobufCMessage **)reg, &vybar__registrar_public_keys__descriptor, MAX_KEYS_FILE_BYTES,
			       buf, len, &why);
	free(buf);
	if (rc != VY_R_OK) {
		fprintf(stderr, "vybar-commission: --registrar-keys %s: not the registrar's public keys "
			"(vybar-registrar init)\n", path);
		return vy_cli_exit(rc);
	}
	return 0;
}

/* The election description from path (text, NUL-terminated). 0, or the
 * exit status after the message. */
static int read_description(const char *path, char **text, size_t *len)
{
	vy_reason why = { 0 };
	vy_rc rc = vy_file_read((uint8_t **)text, len, path, VY_MAX_DESCRIPTION_BYTES, 0, &why);

	if (rc == VY_R_TOO_LARGE)
		fprintf(stderr, "vybar-commission: %s: larger than a description may be (8 MiB)\n", path);
	else if (rc != VY_R_OK)
		fprintf(stderr, "vybar-commission: --election: %s\n", why.msg);
	return rc == VY_R_OK ? 0 : vy_cli_exit(rc);
}

/* --board-pk, --commission-pk: 64 hex digits. 0, or VY_EXIT_USAGE. */
static int key_option(const vy_cli_args *a, const char *name, uint8_t out[32])
{
	const char *hex = vy_cli_get(a, name);

	if (hex32(hex, strlen(hex), out) != 0)
		return vy_cli_usage_error(a, "--%s: not a public key (64 hex digits)", name);
	return 0;
}

/* The manifest from the description and the keys, its bytes into *mbuf.
 * 0, or the exit status after the message. */
static int build_manifest(const vy_cli_args *a, const vy_description_keys *keys, const char *wit, uint8_t **mbuf,
			  size_t *mlen)
{
	const char *file = vy_cli_get(a, "election");
	vy_desc_where where;
	vy_reason why = { 0 };
	size_t len = 0;
	char *text = NULL;
	int rc = read_description(file, &text, &len);

	if (rc != 0)
		return rc;
	if (vy_description_manifest(text, len, keys, mbuf, mlen, &where, &why) != VY_R_OK) {
		description_error(file, vy_cli_get(a, "registrar-keys"), vy_cli_get(a, "trustee-pks"), wit, &where,
				  &why);
		rc = why.code == VY_R_NOMEM ? VY_EXIT_IO : VY_EXIT_FAILED;
	}
	free(text);
	return rc;
}

int vyb_cmd_manifest(const vy_cli_args *a)
{
	const char *out = vy_cli_get(a, "out");
	uint8_t board_pk[32], commission_pk[32], (*tkeys)[32] = NULL, *mbuf = NULL, base[VY_HASH_BYTES];
	Vybar__RegistrarPublicKeys *reg = NULL;
	Vybar__Manifest *m = NULL;
	vy_description_keys keys;
	witness_list wl;
	vy_reason why = { 0 };
	size_t n_trustees = 0, mlen = 0;
	int rc;

	memset(&keys, 0, sizeof keys);
	if (key_option(a, "board-pk", board_pk) != 0 || key_option(a, "commission-pk", commission_pk) != 0)
		return VY_EXIT_USAGE;
	if ((rc = read_witnesses(a, &wl, &keys)) != 0)
		return rc;
	if ((rc = read_trustee_keys(vy_cli_get(a, "trustee-pks"), &tkeys, &n_trustees)) != 0 ||
	    (rc = read_registrar_keys(vy_cli_get(a, "registrar-keys"), &reg)) != 0)
		goto out;
	keys.board_key = board_pk;
	keys.commission_key = commission_pk;
	keys.registrar = reg;
	keys.trustee_keys = (const uint8_t (*)[32])tkeys;
	keys.n_trustees = n_trustees;
	if ((rc = build_manifest(a, &keys, wl.source, &mbuf, &mlen)) != 0)
		goto out;
	rc = VY_EXIT_IO;
	if (vy_decode_manifest(&m, mbuf, mlen, &why) != VY_R_OK) { /* it just passed: only memory can fail */
		fprintf(stderr, "vybar-commission: %s\n", why.msg);
		goto out;
	}
	if (write_new(out, mbuf, mlen) != 0)
		goto out;
	vy_manifest_hash(m, base);
	printf("Manifest written to %s (%zu bytes): valid under specs/protocol.md §3.3.\n", out, mlen);
	manifest_summary(m, base);
	rc = VY_EXIT_OK;
out:
	vy_msg_free(m);
	free(mbuf);
	if (reg != NULL)
		vy_msg_free(reg);
	free(tkeys);
	return rc;
}

/* ---- talking to the board ---- */

/* The board's JSON error {"status","code","reason","message"} (or its raw
 * text) as "<message> (HTTP 403, invalid public key)"; *code gets "code"
 * (-1 if none). */
static void board_error(char *out, size_t cap, const vy_http_answer *r, long *code)
{
	vyjson *j = vyjson_parse((const char *)r->body, r->len, NULL, 0);
	const char *msg = vyjson_get_string(j, "message"), *reason = vyjson_get_string(j, "reason");
	long long c = -1;

	if (j != NULL && vyjson_int(vyjson_get(j, "code"), &c) == 0)
		c = -1;
	*code = (long)c;
	if (msg != NULL && reason != NULL)
		snprintf(out, cap, "%s (HTTP %ld, %s)", msg, r->status, reason);
	else if (msg != NULL)
		snprintf(out, cap, "%s (HTTP %ld)", msg, r->status);
	else
		snprintf(out, cap, "%.200s (HTTP %ld)", (const char *)r->body, r->status);
	vyjson_free(j);
}

/* GET base + path as JSON; NULL after a message on stderr. */
static vyjson *get_json(const char *what, const char *base, const char *path)
{
	char url[VY_HTTP_URL_BYTES], err[300];
	vy_http_answer r;
	vyjson *j = NULL;
	long code;

	if (vy_http_url(url, sizeof url, base, path, NULL) != VY_R_OK) {
		fprintf(stderr, "vybar-commission: %s URL too long\n", what);
		return NULL;
	}
	if (vy_http_get(NULL, url, VY_MAX_SMALL_ANSWER_BYTES, &r, NULL) != VY_R_OK) {
		fprintf(stderr, "vybar-commission: no answer from the %s at %s\n", what, url);
		return NULL;
	}
	if (r.status != 200) {
		board_error(err, sizeof err, &r, &code);
		fprintf(stderr, "vybar-commission: GET %s: %s\n", url, err);
	} else if ((j = vyjson_parse((const char *)r.body, r.len, err, sizeof err)) == NULL) {
		fprintf(stderr, "vybar-commission: GET %s: not the answer of a Vybar board (%s)\n", url, err);
	}
	vy_http_answer_free(&r);
	return j;
}

/* A 32-byte hash member (64 hex digits) of a JSON object; 0 on success. */
static int json_hash(const vyjson *j, const char *name, uint8_t out[VY_HASH_BYTES])
{
	const char *s = vyjson_get_string(j, name);

	return s != NULL ? hex32(s, strlen(s), out) : -1;
}

/* The board's status: base hash, head hash; NULL after a message. */
static vyjson *board_status(const char *board, uint8_t base[VY_HASH_BYTES], uint8_t head[VY_HASH_BYTES])
{
	vyjson *st = get_json("board", board, VY_PATH_STATUS);

	if (st != NULL && (json_hash(st, "base_hash", base) != 0 || json_hash(st, "head_hash", head) != 0)) {
		fprintf(stderr, "vybar-commission: %s" VY_PATH_STATUS ": no base_hash or head_hash: not a Vybar board?\n",
			board);
		vyjson_free(st);
		return NULL;
	}
	return st;
}

static unsigned long long json_count(const vyjson *j, const char *name)
{
	long long v = 0;

	return vyjson_int(vyjson_get(j, name), &v) && v >= 0 ? (unsigned long long)v : 0;
}

/* POST body to base + path, by the retry policy of net/vy_http.h (429 and
 * 503 sent again; a lost answer is not: the board would see the action
 * twice). 0 with *seq and head on 200; otherwise -1 with the board's
 * reason in err and its code in *code (-1 when no answer). */
static int post_entry(const char *base, const char *path, const uint8_t *body, size_t len, unsigned long long *seq,
		      uint8_t head[VY_HASH_BYTES], char *err, size_t cap, long *code)
{
	char url[VY_HTTP_URL_BYTES];
	vy_http_request rq = { .method = VY_HTTP_POST, .url = url, .content_type = VY_CT_PROTOBUF, .body = body,
			       .body_len = len, .max_answer = VY_MAX_SMALL_ANSWER_BYTES };
	vy_http_answer r;
	vyjson *j = NULL;
	vy_reason why;
	int rc = -1;

	*code = -1;
	if (vy_http_url(url, sizeof url, base, path, NULL) != VY_R_OK) {
		snprintf(err, cap, "the board URL is too long");
		return -1;
	}
	if (vy_http_send(NULL, NULL, &rq, &r, &why) != VY_R_OK) {
		snprintf(err, cap, "%.120s: %.250s", url, why.msg);
		return -1;
	}
	if (r.status != 200) {
		board_error(err, cap, &r, code);
	} else if ((j = vyjson_parse((const char *)r.body, r.len, NULL, 0)) == NULL ||
		   json_hash(j, "entry_hash", head) != 0 || vyjson_get(j, "seq") == NULL) {
		snprintf(err, cap, "HTTP 200 without the appended entry: %.160s", (const char *)r.body);
	} else {
		*seq = json_count(j, "seq");
		rc = 0;
	}
	vyjson_free(j);
	vy_http_answer_free(&r);
	return rc;
}

/* What happened, after the board appended the entry of an admin action. */
static void admin_done(const char *board, int kind, unsigned long long seq, const uint8_t head[VY_HASH_BYTES])
{
	uint8_t b[VY_HASH_BYTES], h[VY_HASH_BYTES];
	char hex[2 * VY_HASH_BYTES + 1];
	vyjson *st;

	sodium_bin2hex(hex, sizeof hex, head, VY_HASH_BYTES);
	switch (kind) {
	case VYBAR__ADMIN_ACTION_KIND__ADMIN_ACTION_KIND_OPEN:
		printf("Election opened at position %llu (head %s): voters with a credential can now vote.\n", seq, hex);
		break;
	case VYBAR__ADMIN_ACTION_KIND__ADMIN_ACTION_KIND_CLOSE:
		printf("Voting closed at position %llu (head %s)", seq, hex);
		st = board_status(board, b, h);
		if (st != NULL)
			printf(": %llu ballots received, from %llu credentials", json_count(st, "ballots_received"),
			       json_count(st, "distinct_credentials"));
		printf(".\nNext: the registrar's count of credentials issued (vybar-commission publish-issued), then the "
		       "tally.\n");
		vyjson_free(st);
		break;
	case VYBAR__ADMIN_ACTION_KIND__ADMIN_ACTION_KIND_TALLY:
		printf("Encrypted tally at position %llu (head %s): the trustees can now decrypt it "
		       "(vybar-trustee decrypt).\n",
		       seq, hex);
		break;
	default:
		printf("Result published at position %llu (head %s).\nVerify the record and read the result: "
		       "vybar-verify record %s --result\n",
		       seq, hex, board);
		break;
	}
}

/* The action named by the command's operand (§12.1), 0 if none. */
static int action_kind(const char *name)
{
	for (int i = 1; i < (int)(sizeof action_names / sizeof action_names[0]); i++)
		if (strcmp(name, action_names[i]) == 0)
			return i;
	return 0;
}

int vyb_cmd_admin(const vy_cli_args *a)
{
	const char *board = vy_cli_get(a, "board"), *keyf = vy_cli_get(a, "key");
	const char *action = a->operands[0];
	uint8_t *sk = NULL, pk[crypto_sign_PUBLICKEYBYTES], base[VY_HASH_BYTES], head[VY_HASH_BYTES];
	uint8_t entry[VY_HASH_BYTES];
	unsigned long long seq = 0;
	char err[400];
	vy_reason why = { 0 };
	long code = -1;
	int kind = action_kind(action), rc = VY_EXIT_IO;

	if (kind == 0)
		return vy_cli_usage_error(a, "'%s' is not an action: open, close, tally or result", action);
	sk = sodium_malloc(crypto_sign_SECRETKEYBYTES);
	if (sk == NULL) {
		fprintf(stderr, "vybar-commission: out of memory\n");
		return VY_EXIT_IO;
	}
	if (vy_key_load(sk, pk, keyf, &why) != VY_R_OK) {
		fprintf(stderr, "vybar-commission: --key: %s\n", why.msg);
		rc = vy_cli_exit(why.code);
		goto out;
	}
	/* §12.2: signed over the current head; signed again if the record
	 * moved between reading the head and the board handling the action */
	for (int attempt = 1; attempt <= ADMIN_TRIES; attempt++) {
		vyjson *st = board_status(board, base, head);
		uint8_t *msg;
		size_t len = 0;
		int ok;

		if (st == NULL)
			goto out;
		vyjson_free(st);
		msg = vy_admin_action_pack(base, (Vybar__AdminActionKind)kind, head, sk, &len);
		if (msg == NULL) {
			fprintf(stderr, "vybar-commission: out of memory\n");
			goto out;
		}
		ok = post_entry(board, VY_PATH_ADMIN, msg, len, &seq, entry, err, sizeof err, &code) == 0;
		free(msg);
		if (ok) {
			admin_done(board, kind, seq, entry);
			rc = VY_EXIT_OK;
			goto out;
		}
		if (code != VY_R_CHAIN || attempt == ADMIN_TRIES) /* "stale head" (§12.2) */
			break;
	}
	fprintf(stderr, "vybar-commission: admin %s: the board refused: %s%s\n", action, err,
		code == VY_R_KEY ? "; is --key the commission key named in this election's manifest?" : "");
	rc = code < 0 ? VY_EXIT_IO : VY_EXIT_FAILED;
out:
	sodium_free(sk);
	return rc;
}

/* ---- the registrar's statement ---- */

int vyb_cmd_publish_issued(const vy_cli_args *a)
{
	const char *board = vy_cli_get(a, "board"), *reg = vy_cli_get(a, "registrar");
	uint8_t base[VY_HASH_BYTES], head[VY_HASH_BYTES], entry[VY_HASH_BYTES];
	char url[VY_HTTP_URL_BYTES], err[400], when[32], hex[2 * VY_HASH_BYTES + 1], theirs[2 * VY_HASH_BYTES + 1];
	vy_http_answer r = { 0 };
	Vybar__IssuedStatement *s = NULL;
	unsigned long long seq = 0;
	vyjson *st = NULL;
	vy_reason why = { 0 };
	long code = -1;
	int rc = VY_EXIT_IO;

	st = board_status(board, base, head);
	if (st == NULL)
		return VY_EXIT_IO;
	if (vy_http_url(url, sizeof url, reg, VY_PATH_ISSUED, NULL) != VY_R_OK ||
	    vy_http_get(NULL, url, VY_MAX_SMALL_ANSWER_BYTES, &r, NULL) != VY_R_OK) {
		fprintf(stderr, "vybar-commission: no answer from the registrar at %s\n", reg);
		goto out;
	}
	rc = VY_EXIT_FAILED; /* the registrar answered: what follows is a refusal */
	if (r.status != 200) {
		fprintf(stderr, "vybar-commission: GET %s: HTTP %ld: %.200s\n", url, r.status, (const char *)r.body);
		goto out;
	}
	if (vy_decode_issued_statement(&s, r.body, r.len, &why) != VY_R_OK) {
		fprintf(stderr, "vybar-commission: GET %s: not a registrar's statement: %s\n", url, why.msg);
		goto out;
	}
	if (s->base_hash.len != VY_HASH_BYTES || memcmp(s->base_hash.data, base, VY_HASH_BYTES) != 0) {
		sodium_bin2hex(hex, sizeof hex, base, VY_HASH_BYTES);
		if (s->base_hash.len == VY_HASH_BYTES)
			sodium_bin2hex(theirs, sizeof theirs, s->base_hash.data, VY_HASH_BYTES);
		else
			snprintf(theirs, sizeof theirs, "(%zu bytes)", s->base_hash.len);
		fprintf(stderr,
			"vybar-commission: the registrar at %s serves another election (fingerprint %s), not the board's "
			"(%s): nothing was sent\n",
			reg, theirs, hex);
		goto out;
	}
	/* the board checks the signature and the count (§8.12) */
	if (post_entry(board, VY_PATH_CREDENTIALS_ISSUED, r.body, r.len, &seq, entry, err, sizeof err, &code) != 0) {
		fprintf(stderr, "vybar-commission: publish-issued: the board refused the registrar's statement: %s\n", err);
		rc = code < 0 ? VY_EXIT_IO : VY_EXIT_FAILED;
		goto out;
	}
	sodium_bin2hex(hex, sizeof hex, entry, VY_HASH_BYTES);
	utc_time(when, s->time);
	printf("The registrar's statement is on the board at position %llu (head %s): %llu credentials issued "
	       "(signed %s).\n",
	       seq, hex, (unsigned long long)s->issued, when);
	rc = VY_EXIT_OK;
out:
	vy_msg_free(s);
	vy_http_answer_free(&r);
	vyjson_free(st);
	return rc;
}
