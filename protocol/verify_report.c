/*
 * vybar-verify's report (specs/verification.md §Reporting): every numbered
 * check with what it examined and whether it held, then the verdict; as
 * text for people or as JSON for machines.
 */
#include <string.h>

#include "protocol/vy_json.h"
#include "protocol/vy_verify.h"

static const char *const outcome_names[] = { "ok", "failed", "incomplete", "error" };

/* "held", "FAILED" or "not reached" for check c. */
static const char *check_status(const vyv_report *rep, vyv_check c)
{
	if (rep->have_failure && rep->failed_check == c)
		return "FAILED";
	if (rep->examined[c] == 0)
		return "not reached";
	return "held";
}

/* The receipt checks (V8) belong to `vybar-verify receipt` only. */
static int in_record_report(vyv_check c)
{
	return c != VYV_8_1 && c != VYV_8_2;
}

void vyv_report_print(FILE *out, const vyv_report *rep)
{
	char hex[2 * VY_HASH_BYTES + 1];

	for (int c = 0; c < VYV__COUNT; c++) {
		if (!in_record_report((vyv_check)c))
			continue;
		fprintf(out, "%-5s %-48s %10llu  %s\n", vyv_check_id((vyv_check)c), vyv_check_what((vyv_check)c),
			(unsigned long long)rep->examined[c], check_status(rep, (vyv_check)c));
	}
	fprintf(out, "entries: %llu, ballots: %llu, audited: %llu, counted: %llu, jobs: %u\n",
		(unsigned long long)rep->entries, (unsigned long long)rep->ballots, (unsigned long long)rep->audited,
		(unsigned long long)rep->counted, rep->jobs);
	if (rep->trusted)
		fprintf(out,
			"incremental: entries 0..%llu extend the earlier record byte for byte; their state was rebuilt "
			"without re-checking board signatures and ballot proofs\n",
			(unsigned long long)rep->trusted - 1);
	for (int i = 0; i < VY_HASH_BYTES; i++)
		snprintf(hex + 2 * i, 3, "%02x", rep->head_hash[i]);
	fprintf(out, "head: %s\n", hex);
	if (rep->have_failure && rep->failed_seq_known)
		fprintf(out, "FAILED %s at entry %llu: %s (%s)\n", vyv_check_id(rep->failed_check),
			(unsigned long long)rep->failed_seq, rep->why.msg, vy_rc_str(rep->why.code));
	else if (rep->have_failure)
		fprintf(out, "FAILED %s: %s (%s)\n", vyv_check_id(rep->failed_check), rep->why.msg,
			vy_rc_str(rep->why.code));
	else if (rep->outcome == VYV_OK)
		fprintf(out, "OK: every check holds\n");
	else
		fprintf(out, "INCOMPLETE: %s\n", rep->note);
}

/* vyjson_write_string's sink. */
static void file_put(void *f, const char *p, size_t n)
{
	fwrite(p, 1, n, f);
}

/* s as a JSON string, in ASCII. */
static void json_str(FILE *out, const char *s)
{
	vyjson_write_string(file_put, out, s, VYJSON_ESC_ASCII);
}

void vyv_report_json(FILE *out, const vyv_report *rep)
{
	char hex[2 * VY_HASH_BYTES + 1];
	int first = 1;

	for (int i = 0; i < VY_HASH_BYTES; i++)
		snprintf(hex + 2 * i, 3, "%02x", rep->head_hash[i]);
	fprintf(out, "{\"outcome\":\"%s\",\"checks\":[", outcome_names[rep->outcome]);
	for (int c = 0; c < VYV__COUNT; c++) {
		if (!in_record_report((vyv_check)c))
			continue;
		fprintf(out, "%s{\"id\":\"%s\",\"what\":", first ? "" : ",", vyv_check_id((vyv_check)c));
		json_str(out, vyv_check_what((vyv_check)c));
		fprintf(out, ",\"examined\":%llu,\"status\":\"%s\"}", (unsigned long long)rep->examined[c],
			check_status(rep, (vyv_check)c));
		first = 0;
	}
	fprintf(out, "],\"entries\":%llu,\"ballots\":%llu,\"audited\":%llu,\"counted\":%llu,\"trusted\":%llu,"
		"\"jobs\":%u,\"head\":\"%s\"",
		(unsigned long long)rep->entries, (unsigned long long)rep->ballots, (unsigned long long)rep->audited,
		(unsigned long long)rep->counted, (unsigned long long)rep->trusted, rep->jobs, hex);
	if (rep->have_failure) {
		fprintf(out, ",\"failure\":{\"check\":\"%s\",", vyv_check_id(rep->failed_check));
		if (rep->failed_seq_known)
			fprintf(out, "\"seq\":%llu,", (unsigned long long)rep->failed_seq);
		fprintf(out, "\"code\":%d,\"reason\":", (int)rep->why.code);
		json_str(out, rep->why.msg);
		fputc('}', out);
	}
	if (rep->outcome == VYV_INCOMPLETE) {
		fputs(",\"note\":", out);
		json_str(out, rep->note);
	}
	fputs("}\n", out);
}
