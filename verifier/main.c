/*
 * vybar-verify: re-verify an election record (specs/verification.md) and
 * print its verified result, save a board's record to a file, compute a
 * seat table (specs/protocol.md §11), check a voter's receipt.
 *
 *   vybar-verify record SOURCE [--json | --result] [--jobs N] [--since EARLIER] [--partial-ok]
 *   vybar-verify fetch URL --out FILE
 *   vybar-verify seats --seats S --threshold-bp T --method M [--candidates C1,...] [--tie-seed HEX] LIST=VOTES ...
 *   vybar-verify seats --manifest FILE --votes V1,V2,... [--tie-seed HEX]
 *   vybar-verify receipt --receipt FILE SOURCE [--jobs N]
 *
 * Exit status: 0 everything holds; 1 a check failed; 2 the record ends
 * before its RESULT (unless --partial-ok); 3 usage, I/O or memory;
 * 4 (receipt) the ballot was superseded by a later revote.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gcrypt.h>
#include <sodium.h>

#include "protocol/vy_seats.h"
#include "verifier/fetch.h"
#include "protocol/vy_verify.h"

#define EXIT_USAGE 3
#define EXIT_SUPERSEDED 4
#define MAX_LISTS 1000
#define MAX_FILE_BYTES (16u << 20)

static void usage(void)
{
	fputs("usage: vybar-verify record SOURCE [--json | --result] [--jobs N] [--since EARLIER_RECORD_FILE] "
	      "[--partial-ok]\n"
	      "       vybar-verify fetch URL --out FILE\n"
	      "       vybar-verify seats --seats S --threshold-bp T --method hare-all|hare-qualifying|dhondt|sainte-lague "
	      "[--candidates C1,C2,...] [--tie-seed HEX] LIST=VOTES ...\n"
	      "       vybar-verify seats --manifest FILE --votes V1,V2,... [--tie-seed HEX]\n"
	      "       vybar-verify receipt --receipt FILE SOURCE [--jobs N]\n"
	      "SOURCE: a record file or a board URL (http://HOST:PORT)\n",
	      stderr);
}

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

static unsigned default_jobs(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n >= 1 && n <= 1024 ? (unsigned)n : 1;
}

/* Outcome -> exit status. */
static int exit_of(const vyv_report *rep, int partial_ok)
{
	if (rep->outcome == VYV_INCOMPLETE && partial_ok)
		return 0;
	return (int)rep->outcome;
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

static int cmd_record(int argc, char **argv)
{
	const char *source = NULL, *since = NULL;
	int json = 0, partial_ok = 0, result = 0, rc;
	uint64_t jobs = default_jobs();
	vy_record_state st;
	vyv_report rep;

	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			json = 1;
		else if (strcmp(argv[i], "--result") == 0)
			result = 1;
		else if (strcmp(argv[i], "--partial-ok") == 0)
			partial_ok = 1;
		else if (strcmp(argv[i], "--jobs") == 0 && i + 1 < argc)
			if (parse_u64(argv[++i], 1024, &jobs) != 0 || jobs == 0)
				return usage(), EXIT_USAGE;
			else
				continue;
		else if (strcmp(argv[i], "--since") == 0 && i + 1 < argc)
			since = argv[++i];
		else if (argv[i][0] != '-' && source == NULL)
			source = argv[i];
		else
			return usage(), EXIT_USAGE;
	}
	if (source == NULL || (json && result))
		return usage(), EXIT_USAGE;
	vy_record_state_init(&st); /* replaced by the verified state (nothing to free before) */
	if (verify_source(source, since, (unsigned)jobs, -1, &rep, result ? &st : NULL) != 0) {
		vy_record_state_free(&st);
		return EXIT_USAGE;
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
				rc = EXIT_USAGE;
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
static int cmd_fetch(int argc, char **argv)
{
	const char *source = NULL, *out = NULL;
	char tmp[4096], hex[2 * VY_HASH_BYTES + 1];
	Vybar__RecordEntry *e = NULL;
	uint8_t h[VY_HASH_BYTES], *last = NULL;
	size_t last_len = 0;
	uint64_t count = 0;
	vy_pager_count got;
	vy_reason why;
	FILE *f;
	int fd, rc = EXIT_USAGE;

	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--out") == 0 && i + 1 < argc)
			out = argv[++i];
		else if (argv[i][0] != '-' && source == NULL)
			source = argv[i];
		else
			return usage(), EXIT_USAGE;
	}
	if (source == NULL || out == NULL)
		return usage(), EXIT_USAGE;
	if (strncmp(source, "http://", 7) != 0 && strncmp(source, "https://", 8) != 0) {
		fprintf(stderr, "vybar-verify: fetch: %s is not a board URL (http://HOST:PORT)\n", source);
		return EXIT_USAGE;
	}
	if (snprintf(tmp, sizeof tmp, "%s.part-XXXXXX", out) >= (int)sizeof tmp || (fd = mkstemp(tmp)) < 0) {
		fprintf(stderr, "vybar-verify: fetch: cannot create a file beside %s: %s\n", out, strerror(errno));
		return EXIT_USAGE;
	}
	f = fdopen(fd, "wb");
	if (f == NULL) {
		close(fd);
		unlink(tmp);
		return EXIT_USAGE;
	}
	if (vy_pager_to_file(NULL, source, 0, f, &got, &why) != VY_R_OK) {
		fprintf(stderr, "vybar-verify: fetch: %s (nothing written)\n", why.msg);
		fclose(f);
		unlink(tmp);
		return EXIT_USAGE;
	}
	if (fflush(f) != 0 || fsync(fileno(f)) != 0 || fclose(f) != 0 || chmod(tmp, 0644) != 0 ||
	    rename(tmp, out) != 0) {
		fprintf(stderr, "vybar-verify: fetch: cannot write %s: %s\n", out, strerror(errno));
		unlink(tmp);
		goto done;
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
	rc = 0;
	if (f != NULL)
		fclose(f);
done:
	vy_msg_free(e);
	free(last);
	return rc;
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

/* Read a whole (small) file into a malloc'd buffer. */
static uint8_t *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;

	if (f == NULL)
		return NULL;
	buf = malloc(MAX_FILE_BYTES);
	if (buf != NULL) {
		*len = fread(buf, 1, MAX_FILE_BYTES, f);
		if (ferror(f) || !feof(f)) {
			free(buf);
			buf = NULL;
		}
	}
	fclose(f);
	return buf;
}

/* The first party-list contest of the manifest in FILE as seat input. */
static int seats_from_manifest(const char *file, const char *votes_arg, vy_seat_input *in, uint64_t *votes,
			       size_t *ncand, const char **names, Vybar__Manifest **mp)
{
	const Vybar__PartyListContest *pl = NULL;
	size_t len = 0, n = 0;
	uint8_t *buf = read_file(file, &len);
	vy_reason why;
	const char *p = votes_arg;

	if (buf == NULL || vy_decode_manifest(mp, buf, len, &why) != VY_R_OK ||
	    vy_manifest_validate(*mp, &why) != VY_R_OK) {
		fprintf(stderr, "vybar-verify: %s: %s\n", file, buf == NULL ? "cannot read" : why.msg);
		free(buf);
		return -1;
	}
	free(buf);
	for (size_t c = 0; c < (*mp)->n_contests && pl == NULL; c++)
		if ((*mp)->contests[c]->kind == VYBAR__CONTEST_KIND__CONTEST_KIND_PARTY_LIST)
			pl = (*mp)->contests[c]->party_list;
	if (pl == NULL || pl->n_lists > MAX_LISTS) {
		fprintf(stderr, "vybar-verify: %s has no party-list contest\n", file);
		return -1;
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
		fprintf(stderr, "vybar-verify: --votes needs %zu comma-separated counts\n", pl->n_lists);
		return -1;
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

static int cmd_seats(int argc, char **argv)
{
	static uint64_t votes[MAX_LISTS];
	static size_t ncand[MAX_LISTS];
	static const char *names[MAX_LISTS];
	static char namebuf[MAX_LISTS][64];
	const char *manifest = NULL, *votes_arg = NULL, *cands_arg = NULL;
	Vybar__Manifest *m = NULL;
	vy_seat_input in;
	uint64_t v;
	vy_reason why;
	int have_seats = 0, have_method = 0, rc = EXIT_USAGE;

	memset(&in, 0, sizeof in);
	for (int i = 0; i < argc; i++) {
		const char *eq = strchr(argv[i], '=');

		if (strcmp(argv[i], "--seats") == 0 && i + 1 < argc && parse_u64(argv[i + 1], 1000000, &v) == 0)
			in.seats = v, have_seats = 1, i++;
		else if (strcmp(argv[i], "--threshold-bp") == 0 && i + 1 < argc && parse_u64(argv[i + 1], 10000, &v) == 0)
			in.threshold_bp = (uint32_t)v, i++;
		else if (strcmp(argv[i], "--method") == 0 && i + 1 < argc && parse_method(argv[i + 1], &in.method) == 0)
			have_method = 1, i++;
		else if (strcmp(argv[i], "--manifest") == 0 && i + 1 < argc)
			manifest = argv[++i];
		else if (strcmp(argv[i], "--votes") == 0 && i + 1 < argc)
			votes_arg = argv[++i];
		else if (strcmp(argv[i], "--candidates") == 0 && i + 1 < argc)
			cands_arg = argv[++i];
		else if (strcmp(argv[i], "--tie-seed") == 0 && i + 1 < argc && parse_tie_seed(argv[i + 1], in.tie_seed) == 0)
			i++;
		else if (argv[i][0] != '-' && eq != NULL && eq != argv[i] && in.n_lists < MAX_LISTS &&
			 (size_t)(eq - argv[i]) < sizeof namebuf[0] && parse_u64(eq + 1, UINT64_MAX / 2, &v) == 0) {
			memcpy(namebuf[in.n_lists], argv[i], (size_t)(eq - argv[i]));
			names[in.n_lists] = namebuf[in.n_lists];
			votes[in.n_lists] = v;
			in.n_lists++;
		} else
			return usage(), EXIT_USAGE;
	}
	if (manifest != NULL) {
		if (in.n_lists || votes_arg == NULL || cands_arg != NULL ||
		    seats_from_manifest(manifest, votes_arg, &in, votes, ncand, names, &m) != 0)
			goto out;
	} else {
		if (!have_seats || !have_method || in.n_lists == 0)
			return usage(), EXIT_USAGE;
		/* Plain parameters: every list has candidates for every seat,
		 * unless --candidates says how many each has. */
		for (size_t i = 0; i < in.n_lists; i++)
			ncand[i] = (size_t)in.seats;
		if (cands_arg != NULL && parse_candidates(cands_arg, ncand, in.n_lists) != 0)
			return usage(), EXIT_USAGE;
	}
	in.votes = votes;
	in.n_candidates = ncand;
	if (vy_seats_print(stdout, &in, names, &why) != VY_R_OK) {
		fprintf(stderr, "vybar-verify: %s\n", why.msg);
		rc = 1;
		goto out;
	}
	rc = 0;
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

static int cmd_receipt(int argc, char **argv)
{
	const char *file = NULL, *source = NULL;
	uint64_t jobs = default_jobs();
	Vybar__Receipt *r = NULL;
	vy_record_state st;
	vyv_report rep;
	vy_reason why;
	uint8_t *buf;
	size_t len = 0;
	int rc;

	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--receipt") == 0 && i + 1 < argc)
			file = argv[++i];
		else if (strcmp(argv[i], "--jobs") == 0 && i + 1 < argc && parse_u64(argv[i + 1], 1024, &jobs) == 0 &&
			 jobs > 0)
			i++;
		else if (argv[i][0] != '-' && source == NULL)
			source = argv[i];
		else
			return usage(), EXIT_USAGE;
	}
	if (file == NULL || source == NULL)
		return usage(), EXIT_USAGE;
	buf = read_file(file, &len);
	if (buf == NULL || vy_decode_receipt(&r, buf, len, &why) != VY_R_OK) {
		fprintf(stderr, "vybar-verify: %s: %s\n", file, buf == NULL ? "cannot read" : why.msg);
		free(buf);
		return EXIT_USAGE;
	}
	free(buf);
	if (r->seq > INT64_MAX || verify_source(source, NULL, (unsigned)jobs, (int64_t)r->seq, &rep, &st) != 0) {
		vy_msg_free(r);
		return EXIT_USAGE;
	}
	if (rep.have_failure) {
		printf("the record does not verify: %s at entry %llu: %s\n", vyv_check_id(rep.failed_check),
		       (unsigned long long)rep.failed_seq, rep.why.msg);
		rc = 1;
	} else {
		rc = receipt_verdict(r, &rep, &st);
	}
	vy_record_state_free(&st);
	vy_msg_free(r);
	return rc;
}

int main(int argc, char **argv)
{
	int rc;

	if (vy_init() != VY_OK || gcry_check_version(NULL) == NULL) {
		fputs("vybar-verify: cannot initialise the crypto libraries\n", stderr);
		return EXIT_USAGE;
	}
	signal(SIGPIPE, SIG_IGN);
	if (vy_http_global_init() != VY_R_OK) {
		fputs("vybar-verify: cannot initialise the HTTP client\n", stderr);
		return EXIT_USAGE;
	}
	if (argc >= 2 && strcmp(argv[1], "record") == 0)
		rc = cmd_record(argc - 2, argv + 2);
	else if (argc >= 2 && strcmp(argv[1], "fetch") == 0)
		rc = cmd_fetch(argc - 2, argv + 2);
	else if (argc >= 2 && strcmp(argv[1], "seats") == 0)
		rc = cmd_seats(argc - 2, argv + 2);
	else if (argc >= 2 && strcmp(argv[1], "receipt") == 0)
		rc = cmd_receipt(argc - 2, argv + 2);
	else
		rc = (usage(), EXIT_USAGE);
	vy_http_global_cleanup();
	return rc;
}
