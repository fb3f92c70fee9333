/*
 * The election manifest (specs/protocol.md §3): validity rules, the list
 * gender rule and the base hash.
 */
#include <string.h>

#include <sodium.h>

#include "crypto/vy_blind_rsa.h"
#include "crypto/vy_hash.h"
#include "protocol/vy_checkpoint.h"
#include "protocol/vy_election.h"

#define MAX_SEATS 100000
#define MAX_BASIS_POINTS 10000

static size_t str_len(const char *s)
{
	return s == NULL ? 0 : strlen(s);
}

/* A required text: 1..max bytes. */
/* §1.5: the position of the first character a terminal or a text renderer
 * would act on rather than show: C0 controls and DEL (one byte), C1
 * controls U+0080..U+009F (C2 80..C2 9F), and the bidirectional embedding,
 * override and isolate controls U+202A..U+202E (E2 80 AA..AE) and
 * U+2066..U+2069 (E2 81 A6..A9), which can reorder what a voter reads.
 * The string is already valid UTF-8 (§1.3). Returns n when there is none. */
static size_t first_control(const uint8_t *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] < 0x20 || s[i] == 0x7f)
			return i;
		if (s[i] == 0xc2 && i + 1 < n && s[i + 1] >= 0x80 && s[i + 1] <= 0x9f)
			return i;
		if (s[i] == 0xe2 && i + 2 < n &&
		    ((s[i + 1] == 0x80 && s[i + 2] >= 0xaa && s[i + 2] <= 0xae) ||
		     (s[i + 1] == 0x81 && s[i + 2] >= 0xa6 && s[i + 2] <= 0xa9)))
			return i;
	}
	return n;
}

static vy_rc check_text(const char *s, size_t max, const char *what, vy_reason *why)
{
	size_t n = str_len(s), at;

	if (n == 0 || n > max)
		return vy_reason_set(why, VY_R_FIELD, "%s: length %zu, must be 1..%zu bytes", what, n, max);
	at = first_control((const uint8_t *)s, n);
	if (at < n)
		return vy_reason_set(why, VY_R_FIELD, "%s: control character at byte %zu (byte 0x%02x)", what, at,
				     (unsigned)(uint8_t)s[at]);
	return VY_R_OK;
}

/* §3.7: a language tag is 2..3 lower-case ASCII letters. */
static int lang_ok(const char *lang)
{
	size_t n = str_len(lang);

	if (n < VY_MIN_LANG_BYTES || n > VY_MAX_LANG_BYTES)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (lang[i] < 'a' || lang[i] > 'z')
			return 0;
	return 1;
}

/* §3.7: the translations of the text named what: at most
 * VY_MAX_TRANSLATIONS, each a valid language tag, in strictly increasing
 * byte order of lang (so at most one per language), each text a §1.5 text
 * like the default. */
static vy_rc check_translations(Vybar__Translation *const *t, size_t n, const char *what, vy_reason *why)
{
	char tw[192];
	vy_rc rc;

	if (n > VY_MAX_TRANSLATIONS)
		return vy_reason_set(why, VY_R_FIELD, "%s: %zu translations, at most %d", what, n, VY_MAX_TRANSLATIONS);
	for (size_t i = 0; i < n; i++) {
		if (!lang_ok(t[i]->lang))
			return vy_reason_set(why, VY_R_FIELD,
					     "%s translation %zu: lang must be %d..%d lower-case letters a-z", what, i,
					     VY_MIN_LANG_BYTES, VY_MAX_LANG_BYTES);
		if (i > 0 && strcmp(t[i - 1]->lang, t[i]->lang) >= 0)
			return vy_reason_set(why, VY_R_FIELD,
					     "%s translation %zu: lang \"%s\" is not after \"%s\" (sorted, one per language)",
					     what, i, t[i]->lang, t[i - 1]->lang);
		snprintf(tw, sizeof tw, "%s translation %zu (%s)", what, i, t[i]->lang);
		rc = check_text(t[i]->text, VY_MAX_TEXT_BYTES, tw, why);
		if (rc != VY_R_OK)
			return rc;
	}
	return VY_R_OK;
}

/* A text and its translations (§1.5, §3.7). */
static vy_rc check_text_tr(const char *s, Vybar__Translation *const *t, size_t n, const char *what, vy_reason *why)
{
	vy_rc rc = check_text(s, VY_MAX_TEXT_BYTES, what, why);

	return rc != VY_R_OK ? rc : check_translations(t, n, what, why);
}

/* An Ed25519 public key: 32 bytes, canonical, on the curve, not of small order. */
static vy_rc check_ed25519_key(const ProtobufCBinaryData *k, const char *what, vy_reason *why)
{
	if (k->len != VY_ED25519_PK_BYTES)
		return vy_reason_set(why, VY_R_KEY, "%s: %zu bytes, must be %d", what, k->len, VY_ED25519_PK_BYTES);
	if (!crypto_core_ed25519_is_valid_point(k->data))
		return vy_reason_set(why, VY_R_KEY, "%s: not a valid Ed25519 public key", what);
	return VY_R_OK;
}

/* §3.4: in every complete block of block_size consecutive candidates, at
 * least min_per_block are female and at least min_per_block are male. */
vy_rc vy_gender_rule_check(const Vybar__PartyList *list, size_t list_index, const Vybar__GenderRule *rule,
			   vy_reason *why)
{
	size_t b, blocks;

	if (list == NULL || rule == NULL)
		return vy_reason_set(why, VY_R_ARG, "gender rule: NULL argument");
	b = rule->block_size;
	if (b == 0)
		return VY_R_OK;
	blocks = list->n_candidates / b;
	for (size_t k = 0; k < blocks; k++) {
		size_t female = 0, male = 0;

		for (size_t i = k * b; i < (k + 1) * b; i++) {
			female += list->candidates[i]->gender == VYBAR__GENDER__GENDER_FEMALE;
			male += list->candidates[i]->gender == VYBAR__GENDER__GENDER_MALE;
		}
		if (female < rule->min_per_block || male < rule->min_per_block)
			return vy_reason_set(why, VY_R_GENDER_RULE,
					     "list %zu \"%s\": block %zu (candidates %zu-%zu) has %zu female and "
					     "%zu male candidates; at least %u of each are required in every "
					     "block of %zu",
					     list_index, list->name, k + 1, k * b + 1, (k + 1) * b, female, male,
					     rule->min_per_block, b);
	}
	return VY_R_OK;
}

/* §3.3 (lists): names, candidates, genders, then the gender rule. */
static vy_rc check_party_list(const Vybar__PartyListContest *pl, size_t ci, size_t li, vy_reason *why)
{
	const Vybar__PartyList *l = pl->lists[li];
	size_t min = pl->min_candidates > 1 ? pl->min_candidates : 1;
	char what[128];
	vy_rc rc;

	snprintf(what, sizeof what, "contest %zu list %zu name", ci, li);
	rc = check_text_tr(l->name, l->translations, l->n_translations, what, why);
	if (rc != VY_R_OK)
		return rc;
	if (l->n_candidates < min || l->n_candidates > VY_MAX_CANDIDATES)
		return vy_reason_set(why, VY_R_CONTEST, "contest %zu list %zu \"%s\": %zu candidates, must be %zu..%d",
				     ci, li, l->name, l->n_candidates, min, VY_MAX_CANDIDATES);
	for (size_t i = 0; i < l->n_candidates; i++) {
		const Vybar__Candidate *c = l->candidates[i];

		snprintf(what, sizeof what, "contest %zu list %zu candidate %zu name", ci, li, i);
		rc = check_text_tr(c->name, c->translations, c->n_translations, what, why);
		if (rc != VY_R_OK)
			return rc;
		if (c->gender < VYBAR__GENDER__GENDER_FEMALE || c->gender > VYBAR__GENDER__GENDER_OTHER)
			return vy_reason_set(why, VY_R_FIELD, "contest %zu list %zu candidate %zu: gender %d is not allowed",
					     ci, li, i, (int)c->gender);
	}
	return vy_gender_rule_check(l, li, pl->gender_rule, why);
}

/* §3.3 (party-list contests). */
static vy_rc check_party_list_contest(const Vybar__Contest *c, size_t ci, vy_reason *why)
{
	const Vybar__PartyListContest *pl = c->party_list;
	vy_rc rc;

	if (pl == NULL || c->n_options != 0 || c->min_selections != 0 || c->max_selections != 0)
		return vy_reason_set(why, VY_R_CONTEST,
				     "contest %zu: a party-list contest has party_list and no options, min or max", ci);
	if (pl->n_lists < 1 || pl->n_lists > VY_MAX_OPTIONS)
		return vy_reason_set(why, VY_R_CONTEST, "contest %zu: %zu lists, must be 1..%d", ci, pl->n_lists,
				     VY_MAX_OPTIONS);
	if (pl->seats < 1 || pl->seats > MAX_SEATS)
		return vy_reason_set(why, VY_R_CONTEST, "contest %zu: %u seats, must be 1..%d", ci, pl->seats,
				     MAX_SEATS);
	if (pl->threshold_basis_points > MAX_BASIS_POINTS)
		return vy_reason_set(why, VY_R_CONTEST, "contest %zu: threshold %u basis points exceeds %d", ci,
				     pl->threshold_basis_points, MAX_BASIS_POINTS);
	if (pl->seat_method < VYBAR__SEAT_METHOD__SEAT_METHOD_HARE_ALL_VOTES ||
	    pl->seat_method > VYBAR__SEAT_METHOD__SEAT_METHOD_SAINTE_LAGUE)
		return vy_reason_set(why, VY_R_CONTEST, "contest %zu: unknown seat method %d", ci,
				     (int)pl->seat_method);
	if (pl->gender_rule == NULL)
		return vy_reason_set(why, VY_R_CONTEST, "contest %zu: gender_rule missing (block_size 0 disables it)",
				     ci);
	if (pl->gender_rule->block_size == 0 ? pl->gender_rule->min_per_block != 0
					     : 2 * (uint64_t)pl->gender_rule->min_per_block > pl->gender_rule->block_size)
		return vy_reason_set(why, VY_R_CONTEST, "contest %zu: gender rule %u of each in blocks of %u is impossible",
				     ci, pl->gender_rule->min_per_block, pl->gender_rule->block_size);
	for (size_t li = 0; li < pl->n_lists; li++) {
		rc = check_party_list(pl, ci, li, why);
		if (rc != VY_R_OK)
			return rc;
	}
	return VY_R_OK;
}

/* §3.3 (options of one-of-n and approval contests). */
static vy_rc check_options(const Vybar__Contest *c, size_t ci, vy_reason *why)
{
	char what[128];
	vy_rc rc;

	if (c->n_options < 1 || c->n_options > VY_MAX_OPTIONS)
		return vy_reason_set(why, VY_R_CONTEST, "contest %zu: %zu options, must be 1..%d", ci, c->n_options,
				     VY_MAX_OPTIONS);
	if (c->party_list != NULL)
		return vy_reason_set(why, VY_R_CONTEST, "contest %zu: party_list set on a contest of another kind", ci);
	for (size_t i = 0; i < c->n_options; i++) {
		snprintf(what, sizeof what, "contest %zu option %zu title", ci, i);
		rc = check_text_tr(c->options[i]->title, c->options[i]->translations, c->options[i]->n_translations,
				   what, why);
		if (rc != VY_R_OK)
			return rc;
	}
	return VY_R_OK;
}

/* §3.3 item 2 (one-of-n): options, no min or max, 2 options without blank. */
static vy_rc check_one_of_n(const Vybar__Contest *c, size_t ci, vy_reason *why)
{
	vy_rc rc = check_options(c, ci, why);

	if (rc != VY_R_OK)
		return rc;
	if (c->min_selections != 0 || c->max_selections != 0)
		return vy_reason_set(why, VY_R_CONTEST, "contest %zu: one-of-n takes no min or max", ci);
	if (c->n_options < 2 && !c->allow_blank)
		return vy_reason_set(why, VY_R_CONTEST, "contest %zu: one-of-n without blank needs 2 options", ci);
	return VY_R_OK;
}

/* §3.3 item 2 (approval): options, 0 <= min <= max <= options, max >= 1, no blank flag. */
static vy_rc check_approval(const Vybar__Contest *c, size_t ci, vy_reason *why)
{
	vy_rc rc = check_options(c, ci, why);

	if (rc != VY_R_OK)
		return rc;
	if (c->allow_blank)
		return vy_reason_set(why, VY_R_CONTEST, "contest %zu: approval expresses blank as min 0", ci);
	if (c->max_selections < 1 || c->min_selections > c->max_selections || c->max_selections > c->n_options)
		return vy_reason_set(why, VY_R_CONTEST, "contest %zu: need 0 <= min (%u) <= max (%u) <= %zu, max >= 1",
				     ci, c->min_selections, c->max_selections, c->n_options);
	return VY_R_OK;
}

/* §3.3: one contest. */
static vy_rc check_contest(const Vybar__Contest *c, size_t ci, vy_reason *why)
{
	char what[128];
	vy_rc rc;

	snprintf(what, sizeof what, "contest %zu title", ci);
	rc = check_text_tr(c->title, c->translations, c->n_translations, what, why);
	if (rc != VY_R_OK)
		return rc;
	switch (c->kind) {
	case VYBAR__CONTEST_KIND__CONTEST_KIND_ONE_OF_N:
		return vy_reason_check(why, check_one_of_n(c, ci, why), "V2.3");
	case VYBAR__CONTEST_KIND__CONTEST_KIND_APPROVAL:
		return vy_reason_check(why, check_approval(c, ci, why), "V2.3");
	case VYBAR__CONTEST_KIND__CONTEST_KIND_PARTY_LIST:
		rc = check_party_list_contest(c, ci, why);
		return vy_reason_check(why, rc, rc == VY_R_GENDER_RULE ? "V2.5" : "V2.4");
	default:
		return vy_reason_set(why, VY_R_CONTEST, "contest %zu: unknown kind %d", ci, (int)c->kind);
	}
}

/* §3.3: trustees 1..n in order, threshold, distinct signing keys. */
static vy_rc check_trustees(const Vybar__Manifest *m, vy_reason *why)
{
	char what[128];
	vy_rc rc;

	if (m->trustee_count < 1 || m->trustee_count > VY_MAX_TRUSTEES)
		return vy_reason_set(why, VY_R_TRUSTEES, "trustee_count %u, must be 1..%d", m->trustee_count,
				     VY_MAX_TRUSTEES);
	if (m->threshold < 1 || m->threshold > m->trustee_count)
		return vy_reason_set(why, VY_R_TRUSTEES, "threshold %u, must be 1..%u", m->threshold, m->trustee_count);
	if (m->n_trustees != m->trustee_count)
		return vy_reason_set(why, VY_R_TRUSTEES, "%zu trustees listed, trustee_count is %u", m->n_trustees,
				     m->trustee_count);
	for (size_t i = 0; i < m->n_trustees; i++) {
		const Vybar__Trustee *t = m->trustees[i];

		if (t->index != i + 1)
			return vy_reason_set(why, VY_R_TRUSTEES, "trustee %zu has index %u, must be %zu", i, t->index, i + 1);
		snprintf(what, sizeof what, "trustee %u name", t->index);
		rc = check_text(t->name, VY_MAX_TEXT_BYTES, what, why);
		if (rc != VY_R_OK)
			return rc;
		snprintf(what, sizeof what, "trustee %u signing_key", t->index);
		rc = check_ed25519_key(&t->signing_key, what, why);
		if (rc != VY_R_OK)
			return rc;
		for (size_t j = 0; j < i; j++)
			if (memcmp(m->trustees[j]->signing_key.data, t->signing_key.data, VY_ED25519_PK_BYTES) == 0)
				return vy_reason_set(why, VY_R_TRUSTEES, "trustees %zu and %u share a signing key", j + 1,
						     t->index);
	}
	return VY_R_OK;
}

/* §3.3: the registrar's RSA key: 3072..8192-bit odd modulus, odd exponent
 * >= 3 of at most 8 bytes, both without leading zero bytes. */
static vy_rc check_registrar_key(const Vybar__RsaPublicKey *k, vy_reason *why)
{
	vy_rsa_pk pk;

	if (k == NULL)
		return vy_reason_set(why, VY_R_KEY, "registrar_key missing");
	if (k->modulus.len < VY_RSA_MIN_MODULUS_BYTES || k->modulus.len > VY_RSA_MAX_MODULUS_BYTES ||
	    k->modulus.data[0] == 0 || (k->modulus.data[k->modulus.len - 1] & 1) == 0)
		return vy_reason_set(why, VY_R_KEY, "registrar_key modulus: %zu bytes, must be an odd %d..%d-bit number",
				     k->modulus.len, 8 * VY_RSA_MIN_MODULUS_BYTES, 8 * VY_RSA_MAX_MODULUS_BYTES);
	if (k->exponent.len < 1 || k->exponent.len > 8 || k->exponent.data[0] == 0 ||
	    (k->exponent.data[k->exponent.len - 1] & 1) == 0 || (k->exponent.len == 1 && k->exponent.data[0] < 3))
		return vy_reason_set(why, VY_R_KEY, "registrar_key exponent must be odd, >= 3, at most 8 bytes");
	/* The same import the signature check uses (crypto §9.1), so that an
	 * election cannot be set up with a key every ballot would then fail on. */
	if (vy_rsa_pk_import(&pk, k->modulus.data, k->modulus.len, k->exponent.data, k->exponent.len) != VY_OK)
		return vy_reason_set(why, VY_R_KEY, "registrar_key is not a usable RSA public key (crypto §9.1)");
	return VY_R_OK;
}

/* §3.3 item 8 (V2.11): a credential may cast 1..VY_MAX_BALLOTS_PER_CREDENTIAL
 * ballots, and waits 0..VY_MAX_SECONDS_BETWEEN_BALLOTS seconds between two. */
static vy_rc check_ballot_limits(const Vybar__Manifest *m, vy_reason *why)
{
	if (m->max_ballots_per_credential < 1 || m->max_ballots_per_credential > VY_MAX_BALLOTS_PER_CREDENTIAL)
		return vy_reason_set(why, VY_R_FIELD, "max_ballots_per_credential %u, must be 1..%d",
				     m->max_ballots_per_credential, VY_MAX_BALLOTS_PER_CREDENTIAL);
	if (m->min_seconds_between_ballots > VY_MAX_SECONDS_BETWEEN_BALLOTS)
		return vy_reason_set(why, VY_R_FIELD, "min_seconds_between_ballots %u, must be 0..%d",
				     m->min_seconds_between_ballots, VY_MAX_SECONDS_BETWEEN_BALLOTS);
	return VY_R_OK;
}

/* specs/witness.md §5 (V2.10): at most 16 witnesses, each a signed-note
 * key name and a valid Ed25519 key, names and keys distinct and no key the
 * board's; 1 <= k <= m, or k = 0 when there is none. */
static vy_rc check_witnesses(const Vybar__Manifest *m, vy_reason *why)
{
	char what[64];
	vy_rc rc;

	if (m->n_witnesses > VY_MAX_WITNESSES)
		return vy_reason_set(why, VY_R_FIELD, "%zu witnesses, at most %d", m->n_witnesses, VY_MAX_WITNESSES);
	if (m->n_witnesses == 0 ? m->witness_threshold != 0
				: m->witness_threshold < 1 || m->witness_threshold > m->n_witnesses)
		return vy_reason_set(why, VY_R_FIELD, "witness_threshold %u, must be %s%zu", m->witness_threshold,
				     m->n_witnesses == 0 ? "" : "1..", m->n_witnesses);
	for (size_t i = 0; i < m->n_witnesses; i++) {
		const Vybar__Witness *w = m->witnesses[i];

		if (!vy_witness_name_ok(w->name, str_len(w->name)))
			return vy_reason_set(why, VY_R_FIELD,
					     "witness %zu name: 1..%d bytes of printable ASCII, no space or '+'", i + 1,
					     VY_WITNESS_NAME_MAX);
		snprintf(what, sizeof what, "witness %zu public_key", i + 1);
		rc = check_ed25519_key(&w->public_key, what, why);
		if (rc != VY_R_OK)
			return rc;
		if (m->board_key.len == VY_ED25519_PK_BYTES &&
		    memcmp(w->public_key.data, m->board_key.data, VY_ED25519_PK_BYTES) == 0)
			return vy_reason_set(why, VY_R_KEY, "witness %zu public_key: the board's key", i + 1);
		for (size_t j = 0; j < i; j++) {
			if (strcmp(m->witnesses[j]->name, w->name) == 0)
				return vy_reason_set(why, VY_R_FIELD, "witnesses %zu and %zu have one name", j + 1, i + 1);
			if (memcmp(m->witnesses[j]->public_key.data, w->public_key.data, VY_ED25519_PK_BYTES) == 0)
				return vy_reason_set(why, VY_R_KEY, "witnesses %zu and %zu share a key", j + 1, i + 1);
		}
	}
	return VY_R_OK;
}

vy_rc vy_manifest_validate(const Vybar__Manifest *m, vy_reason *why)
{
	vy_rc rc;

	if (m == NULL)
		return vy_reason_set(why, VY_R_ARG, "manifest: NULL");
	/* V2.1 */
	rc = check_text(m->election_id, VY_MAX_ELECTION_ID_BYTES, "election_id", why);
	if (rc == VY_R_OK)
		rc = check_text_tr(m->title, m->translations, m->n_translations, "title", why);
	if (rc == VY_R_OK && vy_group_by_name(m->group) == NULL)
		rc = vy_reason_set(why, VY_R_GROUP, "group \"%s\" is not known", m->group ? m->group : "");
	if (rc != VY_R_OK)
		return vy_reason_check(why, rc, "V2.1");
	/* V2.2 (V2.3-V2.5 named inside) */
	if (m->n_contests < 1 || m->n_contests > VY_MAX_CONTESTS)
		rc = vy_reason_set(why, VY_R_CONTEST, "%zu contests, must be 1..%d", m->n_contests, VY_MAX_CONTESTS);
	for (size_t i = 0; rc == VY_R_OK && i < m->n_contests; i++)
		rc = check_contest(m->contests[i], i, why);
	if (rc != VY_R_OK)
		return vy_reason_check(why, rc, "V2.2");
	/* V2.6, then V2.7 */
	rc = vy_reason_check(why, check_trustees(m, why), "V2.6");
	if (rc == VY_R_OK)
		rc = check_ed25519_key(&m->board_key, "board_key", why);
	if (rc == VY_R_OK)
		rc = check_ed25519_key(&m->commission_key, "commission_key", why);
	if (rc == VY_R_OK)
		rc = check_registrar_key(m->registrar_key, why);
	if (rc == VY_R_OK)
		rc = check_ed25519_key(&m->registrar_statement_key, "registrar_statement_key", why);
	if (rc != VY_R_OK)
		return vy_reason_check(why, rc, "V2.7");
	if (m->voting_start >= m->voting_end)
		return vy_reason_check(why,
				       vy_reason_set(why, VY_R_FIELD, "voting period: start %llu is not before end %llu",
						     (unsigned long long)m->voting_start, (unsigned long long)m->voting_end),
				       "V2.8");
	if (m->counting_rule != VYBAR__COUNTING_RULE__COUNTING_RULE_LAST_BALLOT)
		return vy_reason_check(why,
				       vy_reason_set(why, VY_R_FIELD, "counting_rule %d is not known", (int)m->counting_rule),
				       "V2.8");
	rc = vy_reason_check(why, check_witnesses(m, why), "V2.10");
	if (rc != VY_R_OK)
		return rc;
	return vy_reason_check(why, check_ballot_limits(m, why), "V2.11");
}

void vy_contest_shape(const Vybar__Contest *c, size_t *n_sel, uint64_t *lo, uint64_t *hi)
{
	switch (c->kind) {
	case VYBAR__CONTEST_KIND__CONTEST_KIND_APPROVAL:
		*n_sel = c->n_options;
		*lo = c->min_selections;
		*hi = c->max_selections;
		break;
	case VYBAR__CONTEST_KIND__CONTEST_KIND_PARTY_LIST:
		*n_sel = c->party_list ? c->party_list->n_lists : 0;
		*lo = c->allow_blank ? 0 : 1;
		*hi = 1;
		break;
	default:
		*n_sel = c->n_options;
		*lo = c->allow_blank ? 0 : 1;
		*hi = 1;
		break;
	}
}

static void hash_text(vy_hasher *h, const char *s)
{
	vy_hasher_item(h, (const uint8_t *)(s ? s : ""), str_len(s));
}

static void hash_bytes(vy_hasher *h, const ProtobufCBinaryData *b)
{
	vy_hasher_item(h, b->data, b->len);
}

/* §3.5: a text's translations: u64(count), then each lang and text. */
static void hash_translations(vy_hasher *h, Vybar__Translation *const *t, size_t n)
{
	vy_hasher_u64(h, n);
	for (size_t i = 0; i < n; i++) {
		hash_text(h, t[i]->lang);
		hash_text(h, t[i]->text);
	}
}

/* §3.5, the items of one contest. */
static void hash_contest(vy_hasher *h, const Vybar__Contest *c)
{
	const Vybar__PartyListContest *pl = c->party_list;

	hash_text(h, c->title);
	hash_translations(h, c->translations, c->n_translations);
	vy_hasher_u64(h, (uint64_t)c->kind);
	vy_hasher_u64(h, c->n_options);
	for (size_t i = 0; i < c->n_options; i++) {
		hash_text(h, c->options[i]->title);
		hash_translations(h, c->options[i]->translations, c->options[i]->n_translations);
	}
	vy_hasher_u64(h, c->allow_blank ? 1 : 0);
	vy_hasher_u64(h, c->min_selections);
	vy_hasher_u64(h, c->max_selections);
	vy_hasher_u64(h, pl != NULL);
	if (pl == NULL)
		return;
	vy_hasher_u64(h, pl->n_lists);
	for (size_t i = 0; i < pl->n_lists; i++) {
		hash_text(h, pl->lists[i]->name);
		hash_translations(h, pl->lists[i]->translations, pl->lists[i]->n_translations);
		vy_hasher_u64(h, pl->lists[i]->n_candidates);
		for (size_t j = 0; j < pl->lists[i]->n_candidates; j++) {
			hash_text(h, pl->lists[i]->candidates[j]->name);
			hash_translations(h, pl->lists[i]->candidates[j]->translations,
					  pl->lists[i]->candidates[j]->n_translations);
			vy_hasher_u64(h, (uint64_t)pl->lists[i]->candidates[j]->gender);
		}
	}
	vy_hasher_u64(h, pl->seats);
	vy_hasher_u64(h, pl->threshold_basis_points);
	vy_hasher_u64(h, (uint64_t)pl->seat_method);
	vy_hasher_u64(h, pl->gender_rule ? pl->gender_rule->block_size : 0);
	vy_hasher_u64(h, pl->gender_rule ? pl->gender_rule->min_per_block : 0);
	vy_hasher_u64(h, pl->min_candidates);
}

/* §3.5: the base hash. */
void vy_manifest_hash(const Vybar__Manifest *m, uint8_t out[VY_HASH_BYTES])
{
	static const ProtobufCBinaryData none = { 0, NULL };
	const Vybar__RsaPublicKey *rk = m->registrar_key;
	vy_hasher h;

	vy_hasher_init(&h, VY_TAG_MANIFEST);
	hash_text(&h, m->election_id);
	hash_text(&h, m->title);
	hash_translations(&h, m->translations, m->n_translations);
	hash_text(&h, m->group);
	vy_hasher_u64(&h, m->n_contests);
	for (size_t i = 0; i < m->n_contests; i++)
		hash_contest(&h, m->contests[i]);
	vy_hasher_u64(&h, m->trustee_count);
	vy_hasher_u64(&h, m->threshold);
	vy_hasher_u64(&h, m->n_trustees);
	for (size_t i = 0; i < m->n_trustees; i++) {
		vy_hasher_u64(&h, m->trustees[i]->index);
		hash_text(&h, m->trustees[i]->name);
		hash_bytes(&h, &m->trustees[i]->signing_key);
	}
	hash_bytes(&h, &m->board_key);
	hash_bytes(&h, rk ? &rk->modulus : &none);
	hash_bytes(&h, rk ? &rk->exponent : &none);
	vy_hasher_u64(&h, m->voting_start);
	vy_hasher_u64(&h, m->voting_end);
	vy_hasher_u64(&h, (uint64_t)m->counting_rule);
	hash_bytes(&h, &m->commission_key);
	hash_bytes(&h, &m->registrar_statement_key);
	vy_hasher_u64(&h, m->n_witnesses);
	for (size_t i = 0; i < m->n_witnesses; i++) {
		hash_text(&h, m->witnesses[i]->name);
		hash_bytes(&h, &m->witnesses[i]->public_key);
	}
	vy_hasher_u64(&h, m->witness_threshold);
	vy_hasher_u64(&h, m->max_ballots_per_credential);
	vy_hasher_u64(&h, m->min_seconds_between_ballots);
	vy_hasher_final(&h, out);
}

vy_rc vy_election_init(vy_election *e, const Vybar__Manifest *m, vy_reason *why)
{
	vy_rc rc;

	if (e == NULL)
		return vy_reason_set(why, VY_R_ARG, "election: NULL");
	memset(e, 0, sizeof *e);
	rc = vy_manifest_validate(m, why);
	if (rc != VY_R_OK)
		return rc;
	e->manifest = m;
	e->group = vy_group_by_name(m->group);
	vy_manifest_hash(m, e->base_hash);
	e->registrar_verify = NULL; /* the real check: vy_registrar_verify (§4.5 step 4) */
	return VY_R_OK;
}

void vy_election_set_joint_key(vy_election *e, const vy_elem *pk)
{
	e->joint_key = *pk;
	e->have_joint_key = 1;
}
