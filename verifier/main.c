/*
 * vybar-verify: re-verify an election record (specs/verification.md) and
 * print its verified result, save a board's record to a file, compute a
 * seat table (specs/protocol.md §11), check a voter's receipt.
 *
 *   vybar-verify record SOURCE [--json | --result] [--jobs N] [--since EARLIER] [--partial-ok]
 *   vybar-verify fetch URL --out FILE
 *   vybar-verify seats --seats S --threshold-bp T --method M [--candidates C1,...] [--tie-seed HEX] LIST=VOTES ...
 *   vybar-verify seats --manifest FILE --votes V1,V2,... [--tie-seed HEX]
 *   vybar-verify receipt --receipt FILE SOURCE [--jobs N] [--witness URL ...]
 *
 * The commands and their options are the table at the end (cli/vy_cli.h).
 * Exit status (specs/verification.md): every program's (0 everything holds;
 * 1 a check failed; 2 usage; 3 I/O, network or memory: nothing decided),
 * and 4 when the record ends before its RESULT (unless --partial-ok), 5 when
 * the receipt's ballot was superseded by a later revote.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gcrypt.h>
#include <sodium.h>

#include "cli/vy_cli.h"
#include "cli/vy_files.h"
#include "net/vy_crosscheck.h"
#include "net/vy_http.h"
#include "net/vy_pager.h"
#include "protocol/vy_seats.h"
#include "verifier/fetch.h"
#include "protocol/vy_verify.h"

#define EXIT_SUPERSEDED 5
#define MAX_LISTS 1000
#define MAX_JOBS 1024
#define MAX_FILE_BYTES (16u << 20)

/* A decimal number in 0..max; 0 on success. */
static int parse_u64(const char *s, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (s == NULL || *s < '0' || *s > '9')
		return -1;
	v = strtoull(s, &end, 10);
	if (*end != '\0' || v > max)
		return -1;
	*out = v;
	return 0;
}

/* --jobs N, 1..MAX_JOBS (default: the online CPUs). 0, or VY_EXIT_USAGE. */
static int jobs_option(const vy_cli_args *a, unsigned *jobs)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	unsigned long v = n >= 1 && n <= MAX_JOBS ? (unsigned long)n : 1;

	if (vy_cli_ulong(a, "jobs", 1, MAX_JOBS, &v) != 0)
		return VY_EXIT_USAGE;
	*jobs = (unsigned)v;
	return 0;
}

/* Outcome -> exit status. */
static int exit_of(const vyv_report *rep, int partial_ok)
{
	switch (rep->outcome) {
	case VYV_OK:
		return VY_EXIT_OK;
	case VYV_FAILED:
		return VY_EXIT_FAILED;
	case VYV_INCOMPLETE:
		return partial_ok ? VY_EXIT_OK : VY_EXIT_INCOMPLETE;
	default:
		return VY_EXIT_IO;
	}
}

/* Verify SOURCE; with `watch` >= 0 note that entry. */
static int verify_source(const char *source, const char *since, unsigned jobs, int64_t watch, vyv_report *rep,
			 vy_record_state *st)
{
	vyv_source src;
	FILE *earlier = NULL;

	if (since != NULL && (earlier = fopen(since, "rb")) == NULL) {
		fprintf(stderr, "vybar-verify: cannot open %s\n", since);
		return -1;
	}
	if (vyv_source_open(&src, source) != 0) {
		fprintf(stderr, "vybar-verify: cannot open %s\n", source);
		if (earlier != NULL)
			fclose(earlier);
		return -1;
	}
	vyv_verify_watch(src.f, earlier, jobs, watch, rep, st);
	if (earlier != NULL)
		fclose(earlier);
	/* A transfer that failed decides nothing (exit 3), unless it failed only
	 * because a failing check stopped reading (the pipe closed). */
	if (vyv_source_close(&src) != 0 && !(rep->outcome == VYV_FAILED && src.stream.reader_gone)) {
		fprintf(stderr, "vybar-verify: fetching %s failed: board %s\n", source, src.stream.why.msg);
		return -1;
	}
	return 0;
}

/* ---- the verified result ---- */

/* One contest of the result: per option (or list) the count and its
 * share, blank ballots when the contest allows them, and for party lists
 * the seats and the elected candidates in list order (§11.8). */
static void contest_result(FILE *out, const Vybar__Contest *c, const Vybar__ContestResult *cr, uint64_t counted)
{
	const Vybar__PartyListContest *pl = c->party_list;
	uint64_t total = 0, blank;

	for (size_t i = 0; i < cr->n_counts; i++)
		total += cr->counts[i];
	blank = counted > total ? counted - total : 0; /* a blank ballot selects nothing */
	if (pl == NULL) {
		fprintf(out, "%s: %llu ballots counted\n", c->title, (unsigned long long)counted);
		fprintf(out, "  %-40s %6s  %6s\n", "option", "votes", "share");
		for (size_t i = 0; i < cr->n_counts && i < c->n_options; i++)
			fprintf(out, "  %-40s %6llu  %5.2f%%\n", c->options[i]->title,
				(unsigned long long)cr->counts[i],
				counted ? 100.0 * (double)cr->counts[i] / (double)counted : 0.0);
		if (c->allow_blank)
			fprintf(out, "  %-40s %6llu\n", "(blank)", (unsigned long long)blank);
		return;
	}
	fprintf(out, "%s: %u seats, %llu valid votes\n", c->title, pl->seats, (unsigned long long)total);
	fprintf(out, "  %-40s %6s  %6s  %3s\n", "list", "votes", "share", "seats");
	for (size_t i = 0; i < cr->n_lists && i < pl->n_lists; i++) {
		const Vybar__PartyList *l = pl->lists[i];
		const Vybar__ListResult *lr = cr->lists[i];

		fprintf(out, "  %-40s %6llu  %5.2f%%  %3u\n", l->name, (unsigned long long)lr->votes,
			total ? 100.0 * (double)lr->votes / (double)total : 0.0, lr->seats);
		for (size_t k = 0; k < lr->n_elected; k++)
			if (lr->elected[k] < l->n_candidates)
				fprintf(out, "      %2zu. %s\n", k + 1, l->candidates[lr->elected[k]]->name);
	}
	if (c->allow_blank)
		fprintf(out, "  %-40s %6llu\n", "(blank)", (unsigned long long)blank);
	if (cr->no_seats_reason != VYBAR__NO_SEATS_REASON__NO_SEATS_REASON_NONE) /* protocol.md §11.2 */
		fprintf(out, "  no seat is allocated: %s\n", vy_no_seats_reason_text(cr->no_seats_reason));
}

/* The RESULT entry of a record that verified (rep, st): the last entry of
 * SOURCE read again, which must be the verified head (same entry hash),
 * printed with the manifest's names. 0, or -1 after a message. */
static int print_result(FILE *out, const char *source, const vyv_report *rep, const vy_record_state *st)
{
	Vybar__RecordEntry *e = NULL;
	Vybar__Result *res = NULL;
	uint8_t *frame = NULL, h[VY_HASH_BYTES];
	size_t len = 0;
	uint64_t count = 0;
	vy_reason why;
	int rc = -1;

	if (strncmp(source, "http://", 7) == 0 || strncmp(source, "https://", 8) == 0) {
		char *buf = NULL;
		size_t blen = 0;
		FILE *mem = open_memstream(&buf, &blen);

		if (mem == NULL)
			return -1;
		if (vy_pager_to_file(NULL, source, rep->entries - 1, mem, NULL, &why) != VY_R_OK)
			fprintf(stderr, "vybar-verify: the result: %s\n", why.msg);
		fclose(mem);
		mem = fmemopen(buf, blen, "rb");
		if (mem != NULL && vyv_last_frame(mem, &frame, &len, &count) != 0)
			frame = NULL;
		if (mem != NULL)
			fclose(mem);
		free(buf);
	} else {
		FILE *f = fopen(source, "rb");

		if (f != NULL && vyv_last_frame(f, &frame, &len, &count) != 0)
			frame = NULL;
		if (f != NULL)
			fclose(f);
	}
	if (frame == NULL || vy_decode_entry(&e, frame, len, &why) != VY_R_OK) {
		fprintf(stderr, "vybar-verify: %s: cannot read the last entry again\n", source);
		goto out;
	}
	vy_entry_hash_of(h, e);
	if (e->seq != rep->entries - 1 || memcmp(h, rep->head_hash, VY_HASH_BYTES) != 0) {
		fprintf(stderr, "vybar-verify: %s: its last entry changed since it was verified\n", source);
		goto out;
	}
	if (e->type != VYBAR__ENTRY_TYPE__ENTRY_TYPE_RESULT ||
	    vy_decode_message((ProtobufCMessage **)&res, &vybar__result__descriptor, VY_MAX_MESSAGE_BYTES,
			      e->payload.data, e->payload.len, &why) != VY_R_OK ||
	    res->n_contests != st->manifest->n_contests) {
		fprintf(stderr, "vybar-verify: %s: the last entry is not the RESULT\n", source);
		goto out;
	}
	fprintf(out, "\nResult (entry %llu of the verified record): %llu ballots counted\n",
		(unsigned long long)e->seq, (unsigned long long)rep->counted);
	for (size_t c = 0; c < res->n_contests; c++) {
		fputc('\n', out);
		contest_result(out, st->manifest->contests[c], res->contests[c], rep->counted);
	}
	fprintf(out, "\ntrustees who decrypted:");
	for (size_t i = 0; i < res->n_trustees_used; i++)
		fprintf(out, " %u", res->trustees_used[i]);
	fputc('\n', out);
	rc = 0;
out:
	vy_msg_free(res);
	vy_msg_free(e);
	free(frame);
	return rc;
}

static int cmd_record(const vy_cli_args *a)
{
	const char *source = a->operands[0], *since = vy_cli_get(a, "since");
	int json = vy_cli_flag(a, "json"), partial_ok = vy_cli_flag(a, "partial-ok"), result = vy_cli_flag(a, "result");
	unsigned jobs;
	int rc;
	vy_record_state st;
	vyv_report rep;

	if (jobs_option(a, &jobs) != 0)
		return VY_EXIT_USAGE;
	if (json && result)
		return vy_cli_usage_error(a, "--json and --result do not go together");
	vy_record_state_init(&st); /* replaced by the verified state (nothing to free before) */
	if (verify_source(source, since, jobs, -1, &rep, result ? &st : NULL) != 0) {
		vy_record_state_free(&st);
		return VY_EXIT_IO;
	}
	if (json)
		vyv_report_json(stdout, &rep);
	else
		vyv_report_print(stdout, &rep);
	rc = exit_of(&rep, partial_ok);
	if (result) {
		if (rep.outcome == VYV_OK && st.manifest != NULL) {
			fflush(stdout);
			if (print_result(stdout, source, &rep, &st) != 0)
				rc = VY_EXIT_IO;
		} else {
			printf("\nNo result printed: %s\n",
			       rep.outcome == VYV_INCOMPLETE ? "the record has no RESULT entry yet"
							      : "the record does not verify");
		}
	}
	vy_record_state_free(&st);
	return rc;
}

/* ---- fetch ---- */

/* The board's whole record into FILE, through a temporary file in the same
 * directory renamed at the end: FILE is complete or untouched. */
static int cmd_fetch(const vy_cli_args *a)
{
	const char *source = a->operands[0], *out = vy_cli_get(a, "out");
	char hex[2 * VY_HASH_BYTES + 1];
	Vybar__RecordEntry *e = NULL;
	uint8_t h[VY_HASH_BYTES], *last = NULL;
	size_t last_len = 0;
	uint64_t count = 0;
	vy_file_writer w;
	vy_pager_count got;
	vy_reason why;
	FILE *f;

	if (strncmp(source, "http://", 7) != 0 && strncmp(source, "https://", 8) != 0)
		return vy_cli_usage_error(a, "%s is not a board URL (http://HOST:PORT)", source);
	if (vy_file_writer_open(&w, out, VY_FILE_MODE_PUBLIC, VY_FILE_REPLACE, &why) != VY_R_OK) {
		fprintf(stderr, "vybar-verify: fetch: %s\n", why.msg);
		return VY_EXIT_IO;
	}
	if (vy_pager_to_file(NULL, source, 0, w.f, &got, &why) != VY_R_OK) {
		fprintf(stderr, "vybar-verify: fetch: %s (nothing written)\n", why.msg);
		vy_file_writer_abort(&w);
		return vy_cli_exit(why.code);
	}
	if (vy_file_writer_commit(&w, &why) != VY_R_OK) {
		fprintf(stderr, "vybar-verify: fetch: %s\n", why.msg);
		return VY_EXIT_IO;
	}
	printf("Saved the record of %s to %s: %llu entries, %llu bytes (%llu answers of the board).\n", source, out,
	       (unsigned long long)got.entries, (unsigned long long)(VY_RECORD_MAGIC_LEN + got.bytes),
	       (unsigned long long)got.pages);
	f = fopen(out, "rb");
	if (f != NULL && vyv_last_frame(f, &last, &last_len, &count) == 0 &&
	    vy_decode_entry(&e, last, last_len, &why) == VY_R_OK) {
		vy_entry_hash_of(h, e);
		sodium_bin2hex(hex, sizeof hex, h, sizeof h);
		printf("Head: %s (entry %llu). Verify it with: vybar-verify record %s\n", hex,
		       (unsigned long long)e->seq, out);
	}
	if (f != NULL)
		fclose(f);
	vy_msg_free(e);
	free(last);
	return VY_EXIT_OK;
}

/* ---- seats ---- */

static int parse_method(const char *s, Vybar__SeatMethod *m)
{
	static const struct {
		const char *name;
		Vybar__SeatMethod m;
	} methods[] = {
		{ "hare-all", VYBAR__SEAT_METHOD__SEAT_METHOD_HARE_ALL_VOTES },
		{ "hare-qualifying", VYBAR__SEAT_METHOD__SEAT_METHOD_HARE_QUALIFYING },
		{ "dhondt", VYBAR__SEAT_METHOD__SEAT_METHOD_DHONDT },
		{ "sainte-lague", VYBAR__SEAT_METHOD__SEAT_METHOD_SAINTE_LAGUE },
	};

	for (size_t i = 0; i < sizeof methods / sizeof methods[0]; i++)
		if (strcmp(s, methods[i].name) == 0) {
			*m = methods[i].m;
			return 0;
		}
	return -1;
}

/* The receipt or manifest file at path, decoded by decode (a
 * vy_decode_* function). 0, or the exit status after the message. */
static int read_message(const char *path, void *msg, vy_rc (*decode)(void *, const uint8_t *, size_t, vy_reason *))
{
	uint8_t *buf = NULL;
	size_t len = 0;
	vy_reason why = { 0 };
	vy_rc rc = vy_file_read(&buf, &len, path, MAX_FILE_BYTES, 0, &why);

	if (rc == VY_R_OK)
		rc = decode(msg, buf, len, &why);
	free(buf);
	if (rc != VY_R_OK)
		fprintf(stderr, "vybar-verify: %s: %s\n", path, why.msg);
	return vy_cli_exit(rc);
}

static vy_rc decode_manifest(void *m, const uint8_t *buf, size_t len, vy_reason *why)
{
	vy_rc rc = vy_decode_manifest(m, buf, len, why);

	return rc == VY_R_OK ? vy_manifest_validate(*(Vybar__Manifest **)m, why) : rc;
}

static vy_rc decode_receipt(void *r, const uint8_t *buf, size_t len, vy_reason *why)
{
	return vy_decode_receipt(r, buf, len, why);
}

/* The first party-list contest of the manifest in FILE as seat input. */
static int seats_from_manifest(const char *file, const char *votes_arg, vy_seat_input *in, uint64_t *votes,
			       size_t *ncand, const char **names, Vybar__Manifest **mp)
{
	const Vybar__PartyListContest *pl = NULL;
	size_t n = 0;
	const char *p = votes_arg;
	int rc = read_message(file, mp, decode_manifest);

	if (rc != 0)
		return rc;
	for (size_t c = 0; c < (*mp)->n_contests && pl == NULL; c++)
		if ((*mp)->contests[c]->kind == VYBAR__CONTEST_KIND__CONTEST_KIND_PARTY_LIST)
			pl = (*mp)->contests[c]->party_list;
	if (pl == NULL || pl->n_lists > MAX_LISTS) {
		fprintf(stderr, "vybar-verify: %s has no party-list contest\n", file);
		return VY_EXIT_FAILED;
	}
	while (p != NULL && *p && n < pl->n_lists) {
		char *end;

		votes[n] = strtoull(p, &end, 10);
		if (end == p || (*end != ',' && *end != '\0'))
			break;
		names[n] = pl->lists[n]->name;
		ncand[n] = pl->lists[n]->n_candidates;
		n++;
		p = *end ? end + 1 : end;
	}
	if (n != pl->n_lists || (p != NULL && *p)) {
		fprintf(stderr, "vybar-verify seats: --votes needs %zu comma-separated counts\n", pl->n_lists);
		return VY_EXIT_USAGE;
	}
	in->n_lists = n;
	in->seats = pl->seats;
	in->threshold_bp = pl->threshold_basis_points;
	in->method = pl->seat_method;
	return 0;
}

/* --candidates C1,C2,...: one count per list (n lists), each >= 0. */
static int parse_candidates(const char *s, size_t *ncand, size_t n)
{
	size_t i = 0;

	while (*s && i < n) {
		char *end;
		unsigned long long c = strtoull(s, &end, 10);

		if (end == s || (*end != ',' && *end != '\0') || c > VY_MAX_CANDIDATES)
			return -1;
		ncand[i++] = (size_t)c;
		s = *end ? end + 1 : end;
	}
	return i == n && *s == '\0' ? 0 : -1;
}

/* --tie-seed HEX: exactly 2 * VY_HASH_BYTES hex digits. */
static int parse_tie_seed(const char *s, uint8_t seed[VY_HASH_BYTES])
{
	size_t got = 0;

	if (strlen(s) != 2 * VY_HASH_BYTES ||
	    sodium_hex2bin(seed, VY_HASH_BYTES, s, strlen(s), NULL, &got, NULL) != 0 || got != VY_HASH_BYTES)
		return -1;
	return 0;
}

/* The plain form's parameters: --seats, --threshold-bp, --method. 0, or
 * VY_EXIT_USAGE after the message. */
static int seats_parameters(const vy_cli_args *a, vy_seat_input *in)
{
	unsigned long seats = 0, bp = 0;
	const char *method = vy_cli_get(a, "method");

	if (vy_cli_get(a, "seats") == NULL || method == NULL)
		return vy_cli_usage_error(a, "give --seats S and --method M, or --manifest FILE and --votes");
	if (vy_cli_ulong(a, "seats", 0, 1000000, &seats) != 0 || vy_cli_ulong(a, "threshold-bp", 0, 10000, &bp) != 0)
		return VY_EXIT_USAGE;
	if (parse_method(method, &in->method) != 0)
		return vy_cli_usage_error(a, "--method %s: not hare-all, hare-qualifying, dhondt or sainte-lague", method);
	in->seats = seats;
	in->threshold_bp = (uint32_t)bp;
	return 0;
}

/* The plain form's lists: NAME=VOTES operands, in order. */
static int seats_lists(const vy_cli_args *a, vy_seat_input *in, uint64_t *votes, const char **names,
		       char (*namebuf)[64])
{
	uint64_t v;

	if (a->n_operands == 0)
		return vy_cli_usage_error(a, "no list: give NAME=VOTES for each");
	for (int i = 0; i < a->n_operands; i++) {
		const char *arg = a->operands[i], *eq = strchr(arg, '=');

		if (eq == NULL || eq == arg || in->n_lists == MAX_LISTS || (size_t)(eq - arg) >= sizeof namebuf[0] ||
		    parse_u64(eq + 1, UINT64_MAX / 2, &v) != 0)
			return vy_cli_usage_error(a, "'%s' is not NAME=VOTES", arg);
		memcpy(namebuf[in->n_lists], arg, (size_t)(eq - arg));
		names[in->n_lists] = namebuf[in->n_lists];
		votes[in->n_lists++] = v;
	}
	return 0;
}

static int cmd_seats(const vy_cli_args *a)
{
	static uint64_t votes[MAX_LISTS];
	static size_t ncand[MAX_LISTS];
	static const char *names[MAX_LISTS];
	static char namebuf[MAX_LISTS][64];
	const char *manifest = vy_cli_get(a, "manifest"), *votes_arg = vy_cli_get(a, "votes");
	const char *cands_arg = vy_cli_get(a, "candidates"), *seed = vy_cli_get(a, "tie-seed");
	Vybar__Manifest *m = NULL;
	vy_seat_input in;
	vy_reason why;
	int rc;

	memset(&in, 0, sizeof in);
	if (seed != NULL && parse_tie_seed(seed, in.tie_seed) != 0)
		return vy_cli_usage_error(a, "--tie-seed: not %d hex digits", 2 * VY_HASH_BYTES);
	if (manifest != NULL) {
		if (a->n_operands > 0 || votes_arg == NULL || cands_arg != NULL || vy_cli_get(a, "seats") != NULL ||
		    vy_cli_get(a, "method") != NULL || vy_cli_get(a, "threshold-bp") != NULL)
			return vy_cli_usage_error(a, "--manifest FILE goes with --votes V1,V2,... and --tie-seed only");
		rc = seats_from_manifest(manifest, votes_arg, &in, votes, ncand, names, &m);
		if (rc != 0)
			goto out;
	} else {
		if (votes_arg != NULL)
			return vy_cli_usage_error(a, "--votes goes with --manifest");
		if ((rc = seats_parameters(a, &in)) != 0 || (rc = seats_lists(a, &in, votes, names, namebuf)) != 0)
			return rc;
		/* Plain parameters: every list has candidates for every seat,
		 * unless --candidates says how many each has. */
		for (size_t i = 0; i < in.n_lists; i++)
			ncand[i] = (size_t)in.seats;
		if (cands_arg != NULL && parse_candidates(cands_arg, ncand, in.n_lists) != 0)
			return vy_cli_usage_error(a, "--candidates: not %zu counts, one per list", in.n_lists);
	}
	in.votes = votes;
	in.n_candidates = ncand;
	rc = VY_EXIT_OK;
	if (vy_seats_print(stdout, &in, names, &why) != VY_R_OK) {
		fprintf(stderr, "vybar-verify: %s\n", why.msg);
		rc = VY_EXIT_FAILED;
	}
out:
	vy_msg_free(m);
	return rc;
}

/* ---- receipt ---- */

/* V8.1, V8.2 and whether the ballot counts; the record verified as st. */
static int receipt_verdict(const Vybar__Receipt *r, const vyv_report *rep, const vy_record_state *st)
{
	vy_reason why;
	uint64_t last;
	int found;

	if (st->manifest == NULL || vy_receipt_verify(st->manifest->board_key.data, r, &why) != VY_R_OK) {
		printf("V8.1 FAILED: %s\n", st->manifest == NULL ? "the record has no manifest" : why.msg);
		return 1;
	}
	printf("V8.1 held: the board signed this receipt\n");
	if (!rep->watch_found || rep->watch_type != VYBAR__ENTRY_TYPE__ENTRY_TYPE_BALLOT ||
	    strcmp(rep->watch_code, r->tracking_code) != 0 ||
	    memcmp(rep->watch_hash, r->head_hash.data, VY_HASH_BYTES) != 0) {
		printf("V8.2 FAILED: entry %llu of the record is not this ballot (tracking code %s): MISSING\n",
		       (unsigned long long)r->seq, r->tracking_code);
		return 1;
	}
	printf("V8.2 held: entry %llu is the ballot with tracking code %s\n", (unsigned long long)r->seq,
	       r->tracking_code);
	last = vy_record_state_last_ballot(st, rep->watch_pk, &found);
	if (!found || last != r->seq) {
		printf("SUPERSEDED: the same credential cast a later ballot (entry %llu), which is the one counted\n",
		       (unsigned long long)last);
		return EXIT_SUPERSEDED;
	}
	if (st->have_tally)
		printf("COUNTED: it is the last ballot of its credential and in the counted set of the tally\n");
	else
		printf("COUNTED: it is the last ballot of its credential (no tally on the record yet)\n");
	return 0;
}

/* The board SOURCE compared with each witness over the receipt's entry
 * (specs/witness.md §8, net/vy_crosscheck.h), once the board's signature
 * on the receipt holds: 1 if a witness disagrees, 3 if one could not be
 * compared, else 0. */
static int receipt_witnesses(const char *board, const char *const *urls, size_t n, const Vybar__Receipt *r,
			     const vy_record_state *st)
{
	vy_xc_election xe;
	vy_xc_result res;
	int ret = VY_EXIT_OK;

	if (n == 0 || st->manifest == NULL || r->head_hash.len != VY_HASH_BYTES ||
	    vy_receipt_verify(st->manifest->board_key.data, r, NULL) != VY_R_OK)
		return VY_EXIT_OK;
	vy_xc_election_init(&xe, st->manifest, st->election.base_hash);
	for (size_t i = 0; i < n; i++) {
		vy_crosscheck_entry(NULL, &xe, board, urls[i], r->seq, r->head_hash.data, &res);
		printf("witness %s: %s: %s\n", urls[i], vy_xc_verdict_name(res.verdict), res.msg);
		if (res.verdict == VY_XC_DISAGREE)
			ret = VY_EXIT_FAILED;
		else if (res.verdict == VY_XC_UNKNOWN && ret == VY_EXIT_OK)
			ret = VY_EXIT_IO;
	}
	if (ret == VY_EXIT_FAILED)
		printf("THE BOARD AND A WITNESS DISAGREE: the board shows different records to different readers\n");
	return ret;
}

static int cmd_receipt(const vy_cli_args *a)
{
	const char *file = vy_cli_get(a, "receipt"), *source = a->operands[0];
	const char *urls[VY_MAX_WITNESSES + 1];
	size_t n_urls = vy_cli_all(a, "witness", urls, VY_MAX_WITNESSES + 1);
	Vybar__Receipt *r = NULL;
	vy_record_state st;
	vyv_report rep;
	unsigned jobs;
	int rc, wit;

	if (jobs_option(a, &jobs) != 0)
		return VY_EXIT_USAGE;
	if (n_urls > VY_MAX_WITNESSES)
		return vy_cli_usage_error(a, "more than %d --witness options", VY_MAX_WITNESSES);
	if (n_urls > 0 && strncmp(source, "http://", 7) != 0 && strncmp(source, "https://", 8) != 0)
		return vy_cli_usage_error(a, "--witness compares a board with its witnesses: SOURCE must be the board's URL");
	if ((rc = read_message(file, &r, decode_receipt)) != 0)
		return rc;
	if (r->seq > INT64_MAX) {
		fprintf(stderr, "vybar-verify: %s: position %llu out of range\n", file, (unsigned long long)r->seq);
		vy_msg_free(r);
		return VY_EXIT_FAILED;
	}
	if (verify_source(source, NULL, jobs, (int64_t)r->seq, &rep, &st) != 0) {
		vy_msg_free(r);
		return VY_EXIT_IO;
	}
	wit = receipt_witnesses(source, urls, n_urls, r, &st);
	if (rep.have_failure) {
		printf("the record does not verify: %s at entry %llu: %s\n", vyv_check_id(rep.failed_check),
		       (unsigned long long)rep.failed_seq, rep.why.msg);
		rc = VY_EXIT_FAILED;
	} else {
		rc = receipt_verdict(r, &rep, &st);
	}
	/* a disagreement outweighs all; an uncompared witness, a success */
	if (wit == VY_EXIT_FAILED || (wit == VY_EXIT_IO && rc == VY_EXIT_OK))
		rc = wit;
	vy_record_state_free(&st);
	vy_msg_free(r);
	return rc;
}

static const vy_cli_opt record_opts[] = {
	{ "json", NULL, VY_CLI_OPTIONAL, "the report in JSON" },
	{ "result", NULL, VY_CLI_OPTIONAL, "after the report, the verified result (not with --json)" },
	{ "jobs", "N", VY_CLI_OPTIONAL, "threads checking the ballots' proofs, 1 to 1024 (default: the CPUs)" },
	{ "since", "EARLIER", VY_CLI_OPTIONAL,
	  "an earlier record file of the same board: it must be where the record begins" },
	{ "partial-ok", NULL, VY_CLI_OPTIONAL, "exit 0 for a record that ends before its result" },
	{ NULL, NULL, 0, NULL },
};

static const vy_cli_opt fetch_opts[] = {
	{ "out", "FILE", VY_CLI_REQUIRED, "the record file, replaced whole or not at all" },
	{ NULL, NULL, 0, NULL },
};

static const vy_cli_opt seats_opts[] = {
	{ "seats", "S", VY_CLI_OPTIONAL, "the seats to fill" },
	{ "threshold-bp", "T", VY_CLI_OPTIONAL, "the threshold, in hundredths of a percent of the votes (default 0)" },
	{ "method", "M", VY_CLI_OPTIONAL, "hare-all, hare-qualifying, dhondt or sainte-lague" },
	{ "candidates", "C1,C2,...", VY_CLI_OPTIONAL, "each list's number of candidates (default: the seats)" },
	{ "tie-seed", "HEX", VY_CLI_OPTIONAL, "the seed that breaks ties (64 hex digits)" },
	{ "manifest", "FILE", VY_CLI_OPTIONAL, "take the rule and the lists from the manifest's party-list contest" },
	{ "votes", "V1,V2,...", VY_CLI_OPTIONAL, "with --manifest: each list's votes, in the manifest's order" },
	{ NULL, NULL, 0, NULL },
};

static const vy_cli_opt receipt_opts[] = {
	{ "receipt", "FILE", VY_CLI_REQUIRED, "the receipt the board gave the voter" },
	{ "witness", "URL", VY_CLI_REPEAT,
	  "a witness of the election (vybar-witness serve): the receipt's entry is read from it too, by an "
	  "inclusion proof under the checkpoint it cosigned, and any disagreement with the board SOURCE is "
	  "reported (specs/witness.md, section 8)" },
	{ "jobs", "N", VY_CLI_OPTIONAL, "threads checking the ballots' proofs, 1 to 1024 (default: the CPUs)" },
	{ NULL, NULL, 0, NULL },
};

static const vy_cli_cmd commands[] = {
	{ "record", "SOURCE", 1, 1,
	  "Verify the record of SOURCE, a record file or a board URL (http://HOST:PORT), check by check, and "
	  "report each check; with --result, print the verified result.",
	  record_opts, cmd_record },
	{ "fetch", "URL", 1, 1, "Save a board's whole record to a record file, to verify (or compare) later.",
	  fetch_opts, cmd_fetch },
	{ "seats", "[NAME=VOTES]...", 0, -1,
	  "Compute a seat table (specs/protocol.md, section 11): from --seats, --method and the lists' votes as "
	  "NAME=VOTES, or from a manifest's party-list contest and --votes.",
	  seats_opts, cmd_seats },
	{ "receipt", "SOURCE", 1, 1,
	  "Check a voter's receipt against the record of SOURCE: the board signed it, the ballot is there, and "
	  "whether it is the one that counts; with --witness, that each witness holds the same record and entry.",
	  receipt_opts, cmd_receipt },
	{ NULL, NULL, 0, 0, NULL, NULL, NULL },
};

static const vy_cli_exit_status more_exits[] = {
	{ VY_EXIT_INCOMPLETE, "record: every check held, but the record has no RESULT yet (0 with --partial-ok)" },
	{ EXIT_SUPERSEDED, "receipt: the ballot was superseded by a later ballot of the same credential" },
	{ 0, NULL },
};

static const vy_cli_prog program = {
	"vybar-verify",
	"The independent verifier of a Vybar election: it checks a record from its first entry to its result, "
	"saves a board's record, computes seat tables and checks a voter's receipt (specs/verification.md).",
	commands,
	more_exits,
};

int main(int argc, char **argv)
{
	int rc;

	if (vy_init() != VY_OK || gcry_check_version(NULL) == NULL) {
		fputs("vybar-verify: cannot initialise the crypto libraries\n", stderr);
		return VY_EXIT_IO;
	}
	signal(SIGPIPE, SIG_IGN);
	if (vy_http_global_init() != VY_R_OK) {
		fputs("vybar-verify: cannot initialise the HTTP client\n", stderr);
		return VY_EXIT_IO;
	}
	rc = vy_cli_main(&program, argc, argv);
	vy_http_global_cleanup();
	return rc;
}
