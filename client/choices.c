/* Showing the election and taking choices (vote.h, specs/client.md §3). */
#include <ctype.h>
#include <errno.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "client/vote.h"

#define LINE_BYTES 1024

static const char *gender_name(Vybar__Gender g)
{
	return g == VYBAR__GENDER__GENDER_FEMALE ? "F" : g == VYBAR__GENDER__GENDER_MALE ? "M" : "-";
}

/* One contest: its rule and numbered options (lists with their candidates). */
static void contest_show(const vyc_io *io, const Vybar__Contest *c, size_t ci)
{
	size_t n_sel;
	uint64_t lo, hi;

	vy_contest_shape(c, &n_sel, &lo, &hi);
	vyc_say(io, "\nContest %zu: %s\n", ci + 1, c->title);
	if (c->kind == VYBAR__CONTEST_KIND__CONTEST_KIND_APPROVAL)
		vyc_say(io, "  choose between %llu and %llu options\n", (unsigned long long)lo, (unsigned long long)hi);
	else if (c->kind == VYBAR__CONTEST_KIND__CONTEST_KIND_PARTY_LIST)
		vyc_say(io, "  choose one list%s\n", c->allow_blank ? " (or blank)" : "");
	else
		vyc_say(io, "  choose one option%s\n", c->allow_blank ? " (or blank)" : "");
	if (c->kind != VYBAR__CONTEST_KIND__CONTEST_KIND_PARTY_LIST) {
		for (size_t j = 0; j < c->n_options; j++)
			vyc_say(io, "  %zu. %s\n", j + 1, c->options[j]->title);
		return;
	}
	for (size_t j = 0; j < c->party_list->n_lists; j++) {
		const Vybar__PartyList *l = c->party_list->lists[j];

		vyc_say(io, "  %zu. %s\n", j + 1, l->name);
		for (size_t k = 0; k < l->n_candidates; k++)
			vyc_say(io, "       %zu) %s (%s)\n", k + 1, l->candidates[k]->name,
				gender_name(l->candidates[k]->gender));
	}
}

void vyc_election_show(const vyc_io *io, const vy_election *e)
{
	char hex[2 * VY_HASH_BYTES + 1];

	sodium_bin2hex(hex, sizeof hex, e->base_hash, VY_HASH_BYTES);
	vyc_say(io, "Election: %s (%s)\nElection fingerprint: %s\n", e->manifest->title, e->manifest->election_id,
		hex);
	for (size_t i = 0; i < e->manifest->n_contests; i++)
		contest_show(io, e->manifest->contests[i], i);
	/* protocol.md §3.6 */
	vyc_say(io, "Revoting: your latest ballot counts; at most %u ballots per credential",
		e->manifest->max_ballots_per_credential);
	if (e->manifest->min_seconds_between_ballots > 0)
		vyc_say(io, ", at least %u seconds apart", e->manifest->min_seconds_between_ballots);
	vyc_say(io, ".\n");
}

/* The first selection of contest ci and its count. */
static size_t contest_first(const Vybar__Manifest *m, size_t ci, size_t *n_sel)
{
	size_t first = 0;
	uint64_t lo, hi;

	for (size_t i = 0; i < ci; i++) {
		vy_contest_shape(m->contests[i], n_sel, &lo, &hi);
		first += *n_sel;
	}
	vy_contest_shape(m->contests[ci], n_sel, &lo, &hi);
	return first;
}

/* "O[,O...]" or "blank" for contest ci into choices. */
static vy_rc parse_options(const Vybar__Manifest *m, size_t ci, const char *s, uint32_t *choices, vy_reason *why)
{
	size_t n_sel, first = contest_first(m, ci, &n_sel);
	char *end;

	while (isspace((unsigned char)*s))
		s++;
	if (strncmp(s, "blank", 5) == 0 || *s == '\0')
		return VY_R_OK;
	for (;;) {
		unsigned long o;

		errno = 0;
		o = strtoul(s, &end, 10);
		if (end == s || errno != 0 || o < 1 || o > n_sel)
			return vy_reason_set(why, VY_R_FIELD, "contest %zu: \"%s\" is not an option number (1 to %zu)",
					     ci + 1, s, n_sel);
		if (choices[first + o - 1] != 0)
			return vy_reason_set(why, VY_R_FIELD, "contest %zu: option %lu chosen twice", ci + 1, o);
		choices[first + o - 1] = 1;
		s = end;
		while (isspace((unsigned char)*s))
			s++;
		if (*s == '\0')
			return VY_R_OK;
		if (*s != ',')
			return vy_reason_set(why, VY_R_FIELD, "contest %zu: unexpected \"%s\"", ci + 1, s);
		s++;
	}
}

vy_rc vyc_choices_parse(const Vybar__Manifest *m, const char *const *specs, size_t n_specs, uint32_t *choices,
			size_t n, vy_reason *why)
{
	uint64_t seen = 0;
	vy_rc rc;

	if (n != vy_manifest_selections(m))
		return vy_reason_set(why, VY_R_ARG, "choices: wrong number of selections");
	memset(choices, 0, n * sizeof *choices);
	for (size_t i = 0; i < n_specs; i++) {
		char *end;
		unsigned long c = strtoul(specs[i], &end, 10);

		if (end == specs[i] || *end != '=' || c < 1 || c > m->n_contests)
			return vy_reason_set(why, VY_R_FIELD, "choice \"%s\": expected CONTEST=OPTION[,OPTION...] or "
					     "CONTEST=blank, with a contest number from 1 to %zu", specs[i],
					     m->n_contests);
		if (seen & (1ull << (c - 1)))
			return vy_reason_set(why, VY_R_FIELD, "contest %lu: chosen twice on the command line", c);
		seen |= 1ull << (c - 1);
		rc = parse_options(m, c - 1, end + 1, choices, why);
		if (rc != VY_R_OK)
			return rc;
	}
	for (size_t c = 0; c < m->n_contests; c++)
		if (!(seen & (1ull << c)))
			return vy_reason_set(why, VY_R_FIELD, "contest %zu: no choice given (use %zu=blank for none)",
					     c + 1, c + 1);
	return vy_choices_check(m, choices, n, why);
}

/* Ask for contest c until its answer passes (or no answer comes). */
static vy_rc ask_contest(const vyc_io *io, const Vybar__Manifest *m, size_t c, uint32_t *choices, size_t n,
			 char *line, vy_reason *why)
{
	char question[VY_MAX_TEXT_BYTES + 128];
	size_t n_sel, first = contest_first(m, c, &n_sel);
	vy_rc rc;

	snprintf(question, sizeof question,
		 "Contest %zu (%s): your choice (numbers separated by commas, or blank): ", c + 1,
		 m->contests[c]->title);
	for (;;) {
		if (io == NULL || io->ask == NULL || io->ask(io->ctx, question, line, LINE_BYTES) != 0)
			return vy_reason_set(why, VY_R_IO, "no answer: nothing was sent");
		memset(choices + first, 0, n_sel * sizeof *choices);
		rc = parse_options(m, c, line, choices, why);
		if (rc == VY_R_OK)
			rc = vy_choices_check(m, choices, n, why);
		if (rc != VY_R_OK && why != NULL && strncmp(why->msg, "contest", 7) == 0 &&
		    (size_t)atoi(why->msg + 8) != c + 1)
			rc = VY_R_OK; /* a later contest is not chosen yet */
		if (rc == VY_R_OK)
			return VY_R_OK;
		vyc_say(io, "  %s\n", why ? why->msg : "invalid choice");
	}
}

vy_rc vyc_choices_ask(const vyc_io *io, const Vybar__Manifest *m, uint32_t *choices, size_t n, vy_reason *why)
{
	char line[LINE_BYTES];
	vy_rc rc = VY_R_OK;

	if (n != vy_manifest_selections(m))
		return vy_reason_set(why, VY_R_ARG, "choices: wrong number of selections");
	for (size_t c = 0; c < m->n_contests && rc == VY_R_OK; c++)
		rc = ask_contest(io, m, c, choices, n, line, why);
	if (rc == VY_R_OK)
		rc = vy_choices_check(m, choices, n, why);
	sodium_memzero(line, sizeof line);
	return rc;
}
