/*
 * The election description (vy_description.h, specs/commission.md): JSON
 * in, a packed Manifest out. The reader checks the JSON side (types, known
 * members, spellings, dates) as it builds the manifest; then the protocol's
 * vy_manifest_validate decides, and its reason, which names contests,
 * lists, candidates and trustees by index, is given back at the JSON path
 * of the value it names.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocol/vy_description.h"
#include "protocol/vy_election.h"
#include "protocol/vy_json.h"

#define NAME_BYTES 32 /* "Trustee 64" */

/* The reader's state: the allocations the manifest is built from (freed
 * together once it is packed), and where to report. */
typedef struct {
	void **allocs;
	size_t n_allocs, cap_allocs;
	vy_desc_where *where;
	vy_reason *why;
} desc;

/* A zeroed allocation owned by d; NULL when out of memory. */
static void *d_alloc(desc *d, size_t n)
{
	void *p;

	if (d->n_allocs == d->cap_allocs) {
		size_t cap = d->cap_allocs ? 2 * d->cap_allocs : 64;
		void **a = realloc(d->allocs, cap * sizeof *a);

		if (a == NULL)
			return NULL;
		d->allocs = a;
		d->cap_allocs = cap;
	}
	p = calloc(1, n ? n : 1);
	if (p != NULL)
		d->allocs[d->n_allocs++] = p;
	return p;
}

static void d_free(desc *d)
{
	for (size_t i = 0; i < d->n_allocs; i++)
		free(d->allocs[i]);
	free(d->allocs);
}

/* Control characters of s (a member name or a value from the file, echoed
 * in a message) as '?': nothing read can drive the terminal that prints it. */
static void clean(char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = '?';
}

/* Report a refusal at place, with path (for VY_DESC_AT_JSON); returns code. */
static vy_rc refuse(desc *d, vy_desc_place place, const char *path, vy_rc code, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
static vy_rc refuse(desc *d, vy_desc_place place, const char *path, vy_rc code, const char *fmt, ...)
{
	char msg[VY_REASON_MSG_BYTES];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	clean(msg);
	if (d->where != NULL) {
		d->where->place = place;
		snprintf(d->where->path, sizeof d->where->path, "%s", path != NULL ? path : "");
		clean(d->where->path);
	}
	return vy_reason_set(d->why, code, "%s", msg);
}

static vy_rc nomem(desc *d)
{
	return refuse(d, VY_DESC_AT_JSON, "", VY_R_NOMEM, "out of memory");
}

/* A path too long for its buffer ends in "..." (deep paths are short in
 * practice: contests[c].lists[l].candidates[k].gender is under 64 bytes). */
static void mark_truncated(char out[VY_DESC_PATH_BYTES], int n)
{
	if (n < 0 || n >= VY_DESC_PATH_BYTES)
		memcpy(out + VY_DESC_PATH_BYTES - 4, "...", 4);
}

/* path + "." + member (or member alone at the top) into out. */
static void join(char out[VY_DESC_PATH_BYTES], const char *path, const char *member)
{
	mark_truncated(out, snprintf(out, VY_DESC_PATH_BYTES, "%s%s%s", path, path[0] ? "." : "", member));
}

/* path + "[i]" into out. */
static void index_path(char out[VY_DESC_PATH_BYTES], const char *path, size_t i)
{
	mark_truncated(out, snprintf(out, VY_DESC_PATH_BYTES, "%s[%zu]", path, i));
}

static const char *type_name(vyjson_type t)
{
	static const char *const names[] = { "null", "false", "true", "a number", "a string", "an array",
					     "an object" };

	return (size_t)t < sizeof names / sizeof names[0] ? names[t] : "?";
}

/* Every member of obj (at path) is one of allowed[] (NULL-terminated);
 * a member of others[] (a field of another kind) is "not used by" what. */
static vy_rc check_members(desc *d, const vyjson *obj, const char *path, const char *const *allowed,
			   const char *const *others, const char *what)
{
	char p[VY_DESC_PATH_BYTES];

	for (size_t i = 0; i < obj->n_items; i++) {
		const char *k = obj->items[i]->key;
		int known = 0, other = 0;

		for (size_t j = 0; allowed[j] != NULL && !known; j++)
			known = strcmp(k, allowed[j]) == 0;
		for (size_t j = 0; others != NULL && others[j] != NULL && !other; j++)
			other = strcmp(k, others[j]) == 0;
		if (known)
			continue;
		join(p, path, k);
		if (other)
			return refuse(d, VY_DESC_AT_JSON, p, VY_R_FIELD, "not used by %s", what);
		return refuse(d, VY_DESC_AT_JSON, p, VY_R_FIELD, "unknown field");
	}
	return VY_R_OK;
}

/* Member name of obj, of type want; *out NULL if absent and not required. */
static vy_rc member(desc *d, const vyjson *obj, const char *path, const char *name, vyjson_type want, int required,
		    const vyjson **out)
{
	const vyjson *v = vyjson_get(obj, name);
	char p[VY_DESC_PATH_BYTES];

	*out = NULL;
	join(p, path, name);
	if (v == NULL)
		return required ? refuse(d, VY_DESC_AT_JSON, p, VY_R_FIELD, "missing (required)") : VY_R_OK;
	if (want == VYJSON_TRUE ? v->type != VYJSON_TRUE && v->type != VYJSON_FALSE : v->type != want)
		return refuse(d, VY_DESC_AT_JSON, p, VY_R_FIELD, "must be %s, not %s",
			      want == VYJSON_TRUE ? "true or false" : type_name(want), type_name(v->type));
	*out = v;
	return VY_R_OK;
}

/* A text value at path. Its length and characters are the protocol's
 * rules (§1.5), but a "\u0000" would cut the C string short before the
 * protocol sees it: refused here. */
static vy_rc text_value(desc *d, const vyjson *v, const char *path, char **out)
{
	if (v->type != VYJSON_STRING)
		return refuse(d, VY_DESC_AT_JSON, path, VY_R_FIELD, "must be a string, not %s", type_name(v->type));
	if (strlen(v->str) != v->str_len)
		return refuse(d, VY_DESC_AT_JSON, path, VY_R_FIELD, "control character at byte %zu (byte 0x00)",
			      strlen(v->str));
	*out = v->str;
	return VY_R_OK;
}

/* A string member (text_value); *out keeps its value if absent. */
static vy_rc text_member(desc *d, const vyjson *obj, const char *path, const char *name, int required, char **out)
{
	const vyjson *v;
	char p[VY_DESC_PATH_BYTES];
	vy_rc rc = member(d, obj, path, name, VYJSON_STRING, required, &v);

	if (rc != VY_R_OK || v == NULL)
		return rc;
	join(p, path, name);
	return text_value(d, v, p, out);
}

/* qsort order of translations: by lang, byte by byte (protocol.md §3.7). */
static int by_lang(const void *a, const void *b)
{
	return strcmp((*(Vybar__Translation *const *)a)->lang, (*(Vybar__Translation *const *)b)->lang);
}

/* The optional member "translations" of obj: an object of language tag to
 * text, e.g. {"be": "...", "ru": "..."}, into *t sorted by tag (the
 * manifest's one encoding, protocol.md §3.7). The tags and texts are
 * checked by the protocol's rules; only the shape is checked here. */
static vy_rc translations_member(desc *d, const vyjson *obj, const char *path, Vybar__Translation ***t, size_t *n)
{
	const vyjson *o;
	char p[VY_DESC_PATH_BYTES], pk[VY_DESC_PATH_BYTES];
	vy_rc rc = member(d, obj, path, "translations", VYJSON_OBJECT, 0, &o);

	if (rc != VY_R_OK || o == NULL)
		return rc;
	join(p, path, "translations");
	if (o->n_items > VY_MAX_TRANSLATIONS)
		return refuse(d, VY_DESC_AT_JSON, p, VY_R_FIELD, "%zu translations, at most %d", o->n_items,
			      VY_MAX_TRANSLATIONS);
	*t = d_alloc(d, o->n_items * sizeof **t);
	if (*t == NULL)
		return nomem(d);
	for (size_t i = 0; i < o->n_items; i++) {
		Vybar__Translation *tr = d_alloc(d, sizeof *tr);

		if (tr == NULL)
			return nomem(d);
		vybar__translation__init(tr);
		tr->lang = o->items[i]->key;
		join(pk, p, tr->lang);
		rc = text_value(d, o->items[i], pk, &tr->text);
		if (rc != VY_R_OK)
			return rc;
		(*t)[i] = tr;
	}
	*n = o->n_items;
	qsort(*t, *n, sizeof **t, by_lang);
	return VY_R_OK;
}

/* A whole number 0..max; *out keeps its value if absent. */
static vy_rc uint_member(desc *d, const vyjson *obj, const char *path, const char *name, int required, uint64_t max,
			 uint64_t *out)
{
	const vyjson *v;
	char p[VY_DESC_PATH_BYTES];
	long long x;
	vy_rc rc = member(d, obj, path, name, VYJSON_NUMBER, required, &v);

	if (rc != VY_R_OK || v == NULL)
		return rc;
	join(p, path, name);
	if (!vyjson_int(v, &x) || x < 0 || (unsigned long long)x > max)
		return refuse(d, VY_DESC_AT_JSON, p, VY_R_FIELD, "must be a whole number from 0 to %llu, not %s",
			      (unsigned long long)max, v->str);
	*out = (uint64_t)x;
	return VY_R_OK;
}

/* true or false; *out keeps its value if absent. */
static vy_rc bool_member(desc *d, const vyjson *obj, const char *path, const char *name, protobuf_c_boolean *out)
{
	const vyjson *v;
	vy_rc rc = member(d, obj, path, name, VYJSON_TRUE, 0, &v);

	if (rc == VY_R_OK && v != NULL)
		*out = v->type == VYJSON_TRUE;
	return rc;
}

/* One of names[] (NULL-terminated) as its index in *out. */
static vy_rc choice_member(desc *d, const vyjson *obj, const char *path, const char *name, int required,
			   const char *const *names, const char *spelled, size_t *out)
{
	const vyjson *v;
	char p[VY_DESC_PATH_BYTES];
	vy_rc rc = member(d, obj, path, name, VYJSON_STRING, required, &v);

	if (rc != VY_R_OK || v == NULL)
		return rc;
	for (size_t i = 0; names[i] != NULL; i++)
		if (strcmp(v->str, names[i]) == 0) {
			*out = i;
			return VY_R_OK;
		}
	join(p, path, name);
	return refuse(d, VY_DESC_AT_JSON, p, VY_R_FIELD, "must be %s", spelled);
}

/* ---- dates ---- */

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian calendar). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned dd)
{
	int64_t era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + dd - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

/* n decimal digits at s as a number; -1 if one is not a digit. */
static long digits(const char *s, int n)
{
	long v = 0;

	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = 10 * v + (s[i] - '0');
	}
	return v;
}

int vy_description_time(const char *s, uint64_t *out)
{
	static const unsigned mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	long y, mo, dd, h, mi, se, oh = 0, om = 0;
	int64_t t, off = 0;
	size_t n = strlen(s);

	if (n < 20 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != 't') || s[13] != ':' || s[16] != ':')
		return -1;
	y = digits(s, 4);
	mo = digits(s + 5, 2);
	dd = digits(s + 8, 2);
	h = digits(s + 11, 2);
	mi = digits(s + 14, 2);
	se = digits(s + 17, 2);
	if (y < 1970 || mo < 1 || mo > 12 || dd < 1 || h < 0 || h > 23 || mi < 0 || mi > 59 || se < 0 || se > 59)
		return -1;
	if (dd > (long)mdays[mo - 1] + (mo == 2 && y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)))
		return -1;
	if (n == 20 && (s[19] == 'Z' || s[19] == 'z')) {
		off = 0;
	} else if (n == 25 && (s[19] == '+' || s[19] == '-') && s[22] == ':') {
		oh = digits(s + 20, 2);
		om = digits(s + 23, 2);
		if (oh < 0 || oh > 23 || om < 0 || om > 59)
			return -1;
		off = (s[19] == '+' ? 1 : -1) * (oh * 3600 + om * 60);
	} else {
		return -1;
	}
	t = days_from_civil(y, (unsigned)mo, (unsigned)dd) * 86400 + h * 3600 + mi * 60 + se - off;
	if (t < 0)
		return -1;
	*out = (uint64_t)t;
	return 0;
}

static vy_rc time_member(desc *d, const vyjson *obj, const char *name, uint64_t *out)
{
	const vyjson *v;
	vy_rc rc = member(d, obj, "", name, VYJSON_STRING, 1, &v);

	if (rc != VY_R_OK)
		return rc;
	if (vy_description_time(v->str, out) != 0)
		return refuse(d, VY_DESC_AT_JSON, name, VY_R_FIELD,
			      "must be a date and time such as \"2024-05-23T08:00:00Z\" (UTC) or "
			      "\"2024-05-23T10:00:00+02:00\", not \"%.40s\"",
			      v->str);
	return VY_R_OK;
}

/* ---- contests ---- */

static const char *const kind_names[] = { "one-of-n", "approval", "party-list", NULL };
static const Vybar__ContestKind kinds[] = { VYBAR__CONTEST_KIND__CONTEST_KIND_ONE_OF_N,
					    VYBAR__CONTEST_KIND__CONTEST_KIND_APPROVAL,
					    VYBAR__CONTEST_KIND__CONTEST_KIND_PARTY_LIST };
static const char *const method_names[] = { "hare-all", "hare-qualifying", "dhondt", "sainte-lague", NULL };
static const Vybar__SeatMethod methods[] = { VYBAR__SEAT_METHOD__SEAT_METHOD_HARE_ALL_VOTES,
					     VYBAR__SEAT_METHOD__SEAT_METHOD_HARE_QUALIFYING,
					     VYBAR__SEAT_METHOD__SEAT_METHOD_DHONDT,
					     VYBAR__SEAT_METHOD__SEAT_METHOD_SAINTE_LAGUE };
static const char *const gender_names[] = { "F", "M", "X", NULL };
static const Vybar__Gender genders[] = { VYBAR__GENDER__GENDER_FEMALE, VYBAR__GENDER__GENDER_MALE,
					 VYBAR__GENDER__GENDER_OTHER };

/* The members of every contest kind, for "not used by" messages. */
static const char *const contest_fields[] = { "title",	    "kind",	    "options",	  "allow_blank",
					      "min",	    "max",	    "lists",	  "seats",
					      "threshold_bp", "method",	    "gender_rule", "min_candidates",
					      "translations", NULL };

/* An array member of 0..max elements (the protocol decides the minimum;
 * max only stops a huge array before it is copied). */
static vy_rc array_member(desc *d, const vyjson *obj, const char *path, const char *name, size_t max,
			  const vyjson **out)
{
	char p[VY_DESC_PATH_BYTES];
	vy_rc rc = member(d, obj, path, name, VYJSON_ARRAY, 1, out);

	if (rc != VY_R_OK)
		return rc;
	join(p, path, name);
	if ((*out)->n_items > max)
		return refuse(d, VY_DESC_AT_JSON, p, VY_R_FIELD, "%zu elements, at most %zu", (*out)->n_items, max);
	return VY_R_OK;
}

/* options: an array, each a string (its title) or an object {"title",
 * "translations"}. */
static vy_rc options(desc *d, const vyjson *obj, const char *path, Vybar__Contest *c)
{
	const vyjson *a;
	char p[VY_DESC_PATH_BYTES], pi[VY_DESC_PATH_BYTES];
	vy_rc rc = array_member(d, obj, path, "options", VY_MAX_OPTIONS, &a);

	if (rc != VY_R_OK)
		return rc;
	join(p, path, "options");
	c->n_options = a->n_items;
	c->options = d_alloc(d, a->n_items * sizeof *c->options);
	if (c->options == NULL)
		return nomem(d);
	for (size_t i = 0; i < a->n_items; i++) {
		Vybar__Option *o = d_alloc(d, sizeof *o);

		if (o == NULL)
			return nomem(d);
		vybar__option__init(o);
		index_path(pi, p, i);
		if (a->items[i]->type == VYJSON_OBJECT) {
			static const char *const fields[] = { "title", "translations", NULL };

			rc = check_members(d, a->items[i], pi, fields, NULL, NULL);
			if (rc == VY_R_OK)
				rc = text_member(d, a->items[i], pi, "title", 1, &o->title);
			if (rc == VY_R_OK)
				rc = translations_member(d, a->items[i], pi, &o->translations, &o->n_translations);
		} else {
			rc = text_value(d, a->items[i], pi, &o->title);
		}
		if (rc != VY_R_OK)
			return rc;
		c->options[i] = o;
	}
	return VY_R_OK;
}

/* One candidate: {"name", "gender"}. */
static vy_rc candidate(desc *d, const vyjson *v, const char *path, Vybar__Candidate **out)
{
	static const char *const fields[] = { "name", "gender", "translations", NULL };
	Vybar__Candidate *c = d_alloc(d, sizeof *c);
	size_t g = 0;
	vy_rc rc;

	if (c == NULL)
		return nomem(d);
	vybar__candidate__init(c);
	if (v->type != VYJSON_OBJECT)
		return refuse(d, VY_DESC_AT_JSON, path, VY_R_FIELD,
			      "must be an object {\"name\": ..., \"gender\": ...}, not %s", type_name(v->type));
	rc = check_members(d, v, path, fields, NULL, NULL);
	if (rc == VY_R_OK)
		rc = text_member(d, v, path, "name", 1, &c->name);
	if (rc == VY_R_OK)
		rc = translations_member(d, v, path, &c->translations, &c->n_translations);
	if (rc == VY_R_OK)
		rc = choice_member(d, v, path, "gender", 1, gender_names, "\"F\", \"M\" or \"X\"", &g);
	c->gender = genders[g];
	*out = c;
	return rc;
}

/* One list: {"name", "candidates": [...]}. */
static vy_rc party_list(desc *d, const vyjson *v, const char *path, Vybar__PartyList **out)
{
	static const char *const fields[] = { "name", "candidates", "translations", NULL };
	Vybar__PartyList *l = d_alloc(d, sizeof *l);
	char p[VY_DESC_PATH_BYTES], pi[VY_DESC_PATH_BYTES];
	const vyjson *a;
	vy_rc rc;

	if (l == NULL)
		return nomem(d);
	vybar__party_list__init(l);
	*out = l;
	if (v->type != VYJSON_OBJECT)
		return refuse(d, VY_DESC_AT_JSON, path, VY_R_FIELD,
			      "must be an object {\"name\": ..., \"candidates\": [...]}, not %s", type_name(v->type));
	rc = check_members(d, v, path, fields, NULL, NULL);
	if (rc == VY_R_OK)
		rc = text_member(d, v, path, "name", 1, &l->name);
	if (rc == VY_R_OK)
		rc = translations_member(d, v, path, &l->translations, &l->n_translations);
	if (rc == VY_R_OK)
		rc = array_member(d, v, path, "candidates", VY_MAX_CANDIDATES, &a);
	if (rc != VY_R_OK)
		return rc;
	join(p, path, "candidates");
	l->n_candidates = a->n_items;
	l->candidates = d_alloc(d, a->n_items * sizeof *l->candidates);
	if (l->candidates == NULL)
		return nomem(d);
	for (size_t i = 0; i < a->n_items && rc == VY_R_OK; i++) {
		index_path(pi, p, i);
		rc = candidate(d, a->items[i], pi, &l->candidates[i]);
	}
	return rc;
}

/* gender_rule: {"block_size", "min_per_block"}; absent: no rule (0, 0). */
static vy_rc gender_rule(desc *d, const vyjson *obj, const char *path, Vybar__GenderRule *gr)
{
	static const char *const fields[] = { "block_size", "min_per_block", NULL };
	const vyjson *v;
	char p[VY_DESC_PATH_BYTES];
	uint64_t b = 0, m = 0;
	vy_rc rc = member(d, obj, path, "gender_rule", VYJSON_OBJECT, 0, &v);

	if (rc != VY_R_OK || v == NULL)
		return rc;
	join(p, path, "gender_rule");
	rc = check_members(d, v, p, fields, NULL, NULL);
	if (rc == VY_R_OK)
		rc = uint_member(d, v, p, "block_size", 1, UINT32_MAX, &b);
	if (rc == VY_R_OK)
		rc = uint_member(d, v, p, "min_per_block", 1, UINT32_MAX, &m);
	gr->block_size = (uint32_t)b;
	gr->min_per_block = (uint32_t)m;
	return rc;
}

/* The fields of a party-list contest. */
static vy_rc party_list_contest(desc *d, const vyjson *obj, const char *path, Vybar__Contest *c)
{
	Vybar__PartyListContest *pl = d_alloc(d, sizeof *pl);
	Vybar__GenderRule *gr = d_alloc(d, sizeof *gr);
	char p[VY_DESC_PATH_BYTES], pi[VY_DESC_PATH_BYTES];
	uint64_t seats = 0, bp = 0, minc = 0;
	size_t method = 0;
	const vyjson *a;
	vy_rc rc;

	if (pl == NULL || gr == NULL)
		return nomem(d);
	vybar__party_list_contest__init(pl);
	vybar__gender_rule__init(gr);
	pl->gender_rule = gr;
	c->party_list = pl;
	rc = uint_member(d, obj, path, "seats", 1, UINT32_MAX, &seats);
	if (rc == VY_R_OK)
		rc = uint_member(d, obj, path, "threshold_bp", 0, UINT32_MAX, &bp);
	if (rc == VY_R_OK)
		rc = choice_member(d, obj, path, "method", 1, method_names,
				   "\"hare-all\", \"hare-qualifying\", \"dhondt\" or \"sainte-lague\"", &method);
	if (rc == VY_R_OK)
		rc = gender_rule(d, obj, path, gr);
	if (rc == VY_R_OK)
		rc = uint_member(d, obj, path, "min_candidates", 0, UINT32_MAX, &minc);
	if (rc == VY_R_OK)
		rc = bool_member(d, obj, path, "allow_blank", &c->allow_blank);
	if (rc == VY_R_OK)
		rc = array_member(d, obj, path, "lists", VY_MAX_OPTIONS, &a);
	if (rc != VY_R_OK)
		return rc;
	pl->seats = (uint32_t)seats;
	pl->threshold_basis_points = (uint32_t)bp;
	pl->seat_method = methods[method];
	pl->min_candidates = (uint32_t)minc;
	join(p, path, "lists");
	pl->n_lists = a->n_items;
	pl->lists = d_alloc(d, a->n_items * sizeof *pl->lists);
	if (pl->lists == NULL)
		return nomem(d);
	for (size_t i = 0; i < a->n_items && rc == VY_R_OK; i++) {
		index_path(pi, p, i);
		rc = party_list(d, a->items[i], pi, &pl->lists[i]);
	}
	return rc;
}

/* One contest: title, kind, then the kind's fields. */
static vy_rc contest(desc *d, const vyjson *v, const char *path, Vybar__Contest **out)
{
	static const char *const one_of_n[] = { "title", "kind", "options", "allow_blank", "translations", NULL };
	static const char *const approval[] = { "title", "kind", "options", "min", "max", "translations", NULL };
	static const char *const party[] = { "title",	   "kind",	  "lists",	 "seats",
					     "threshold_bp", "method",	  "gender_rule", "min_candidates",
					     "allow_blank",  "translations", NULL };
	static const char *const *const allowed[] = { one_of_n, approval, party };
	static const char *const what[] = { "a one-of-n contest", "an approval contest", "a party-list contest" };
	Vybar__Contest *c = d_alloc(d, sizeof *c);
	size_t k = 0;
	uint64_t lo = 0, hi = 0;
	vy_rc rc;

	if (c == NULL)
		return nomem(d);
	vybar__contest__init(c);
	*out = c;
	if (v->type != VYJSON_OBJECT)
		return refuse(d, VY_DESC_AT_JSON, path, VY_R_FIELD, "must be an object, not %s", type_name(v->type));
	rc = choice_member(d, v, path, "kind", 1, kind_names, "\"one-of-n\", \"approval\" or \"party-list\"", &k);
	if (rc == VY_R_OK)
		rc = check_members(d, v, path, allowed[k], contest_fields, what[k]);
	if (rc == VY_R_OK)
		rc = text_member(d, v, path, "title", 1, &c->title);
	if (rc == VY_R_OK)
		rc = translations_member(d, v, path, &c->translations, &c->n_translations);
	if (rc != VY_R_OK)
		return rc;
	c->kind = kinds[k];
	switch (c->kind) {
	case VYBAR__CONTEST_KIND__CONTEST_KIND_ONE_OF_N:
		rc = bool_member(d, v, path, "allow_blank", &c->allow_blank);
		if (rc == VY_R_OK)
			rc = options(d, v, path, c);
		break;
	case VYBAR__CONTEST_KIND__CONTEST_KIND_APPROVAL:
		rc = uint_member(d, v, path, "min", 0, UINT32_MAX, &lo);
		if (rc == VY_R_OK)
			rc = uint_member(d, v, path, "max", 1, UINT32_MAX, &hi);
		if (rc == VY_R_OK)
			rc = options(d, v, path, c);
		c->min_selections = (uint32_t)lo;
		c->max_selections = (uint32_t)hi;
		break;
	default:
		rc = party_list_contest(d, v, path, c);
		break;
	}
	return rc;
}

/* ---- the protocol's reason, at its place ---- */

/* s begins with prefix: the rest, else NULL. */
static const char *after(const char *s, const char *prefix)
{
	size_t n = strlen(prefix);

	return strncmp(s, prefix, n) == 0 ? s + n : NULL;
}

/* A decimal number at *s, advancing past it; -1 if none. */
static long long number_at(const char **s)
{
	long long v = 0;
	int n = 0;

	while (**s >= '0' && **s <= '9' && n < 18) {
		v = 10 * v + (**s - '0');
		(*s)++;
		n++;
	}
	return n ? v : -1;
}

/* The field of a party-list or option contest a contest-level message
 * ("contest C: <rest>") is about. */
static const char *contest_field(const char *rest)
{
	static const struct {
		const char *word, *field;
	} words[] = {
		{ " lists,", "lists" },
		{ " seats,", "seats" },
		{ "threshold ", "threshold_bp" },
		{ "seat method", "method" },
		{ "gender rule", "gender_rule" },
		{ "gender_rule", "gender_rule" },
		{ " options,", "options" },
		{ "needs 2 options", "options" },
		{ "min (", "max" },
		{ "unknown kind", "kind" },
	};

	for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
		if (strstr(rest, words[i].word) != NULL)
			return words[i].field;
	return NULL;
}

/* "list L \"name\": " of contest c at s: the text after it, else NULL. */
static const char *after_list_name(const Vybar__Contest *c, size_t l, const char *s)
{
	const char *name;

	if (c->party_list == NULL || l >= c->party_list->n_lists)
		return NULL;
	name = c->party_list->lists[l]->name != NULL ? c->party_list->lists[l]->name : "";
	if (s[0] != '"' || strncmp(s + 1, name, strlen(name)) != 0 || strncmp(s + 1 + strlen(name), "\": ", 3) != 0)
		return NULL;
	return s + 1 + strlen(name) + 3;
}

/* "contest C ..." of the protocol: the JSON path in p, the message in *rest. */
static int contest_place(const Vybar__Manifest *m, const char *s, char p[VY_DESC_PATH_BYTES], const char **rest)
{
	long long c = number_at(&s), l, k;
	const char *r, *f;

	if (c < 0 || (size_t)c >= m->n_contests)
		return -1;
	if ((r = after(s, " title: ")) != NULL) {
		snprintf(p, VY_DESC_PATH_BYTES, "contests[%lld].title", c);
	} else if ((r = after(s, " option ")) != NULL) {
		k = number_at(&r);
		if (k < 0 || (r = after(r, " title: ")) == NULL)
			return -1;
		snprintf(p, VY_DESC_PATH_BYTES, "contests[%lld].options[%lld]", c, k);
	} else if ((r = after(s, " list ")) != NULL) {
		l = number_at(&r);
		if (l < 0)
			return -1;
		if ((f = after(r, " name: ")) != NULL) {
			snprintf(p, VY_DESC_PATH_BYTES, "contests[%lld].lists[%lld].name", c, l);
		} else if ((f = after(r, " candidate ")) != NULL) {
			k = number_at(&f);
			if (k < 0)
				return -1;
			if ((r = after(f, " name: ")) == NULL && (r = after(f, ": ")) == NULL)
				return -1;
			snprintf(p, VY_DESC_PATH_BYTES, "contests[%lld].lists[%lld].candidates[%lld].%s", c, l, k,
				 strncmp(f, " name: ", 7) == 0 ? "name" : "gender");
			f = r;
		} else if (r[0] == ' ' && (f = after_list_name(m->contests[c], (size_t)l, r + 1)) != NULL) {
			snprintf(p, VY_DESC_PATH_BYTES, "contests[%lld].lists[%lld].candidates", c, l);
		} else {
			return -1;
		}
		r = f;
	} else if ((r = after(s, ": ")) != NULL) {
		f = contest_field(r);
		if (f != NULL)
			snprintf(p, VY_DESC_PATH_BYTES, "contests[%lld].%s", c, f);
		else
			snprintf(p, VY_DESC_PATH_BYTES, "contests[%lld]", c);
	} else {
		return -1;
	}
	*rest = r;
	return 0;
}

/* The gender rule's reason, "list L \"name\": block ...", names no
 * contest: it is the first party-list contest whose list L breaks it. */
static int gender_place(const Vybar__Manifest *m, const char *s, char p[VY_DESC_PATH_BYTES], const char **rest)
{
	long long l = number_at(&s);

	if (l < 0 || s[0] != ' ')
		return -1;
	for (size_t c = 0; c < m->n_contests; c++) {
		const Vybar__PartyListContest *pl = m->contests[c]->party_list;
		const char *r;

		if (pl == NULL || (size_t)l >= pl->n_lists || pl->gender_rule == NULL ||
		    vy_gender_rule_check(pl->lists[l], (size_t)l, pl->gender_rule, NULL) == VY_R_OK)
			continue;
		r = after_list_name(m->contests[c], (size_t)l, s + 1);
		if (r == NULL)
			return -1;
		snprintf(p, VY_DESC_PATH_BYTES, "contests[%zu].lists[%lld].candidates", c, l);
		*rest = r;
		return 0;
	}
	return -1;
}

/* Give the reason of vy_manifest_validate (in d->why) its place: a JSON
 * path, or the key that came from outside. */
static vy_rc place_reason(desc *d, const Vybar__Manifest *m)
{
	/* whole: the message keeps its field's name (two keys share a source) */
	static const struct {
		const char *prefix, *path;
		vy_desc_place place;
		int whole;
	} fields[] = {
		{ "election_id: ", "election_id", VY_DESC_AT_JSON, 0 },
		{ "title: ", "title", VY_DESC_AT_JSON, 0 },
		{ "group ", "group", VY_DESC_AT_JSON, 0 },
		{ "threshold ", "threshold", VY_DESC_AT_JSON, 0 },
		{ "voting period: ", "voting_end", VY_DESC_AT_JSON, 0 },
		{ "counting_rule ", "counting_rule", VY_DESC_AT_JSON, 0 },
		{ "max_ballots_per_credential ", "max_ballots_per_credential", VY_DESC_AT_JSON, 0 },
		{ "board_key: ", "", VY_DESC_AT_BOARD_KEY, 0 },
		{ "commission_key: ", "", VY_DESC_AT_COMMISSION_KEY, 0 },
		{ "registrar_statement_key: ", "", VY_DESC_AT_REGISTRAR_KEYS, 1 },
		{ "registrar_key", "", VY_DESC_AT_REGISTRAR_KEYS, 1 },
		{ "trustee_count ", "", VY_DESC_AT_TRUSTEE_KEYS, 1 },
		{ "witness", "", VY_DESC_AT_WITNESSES, 1 }, /* V2.10: "witness 2 name: ...", "witnesses 1 and 3 ..." */
	};
	vy_reason inner = *d->why;
	char p[VY_DESC_PATH_BYTES] = "", msg[VY_REASON_MSG_BYTES];
	const char *s = inner.msg, *r = NULL;
	long long t;

	if ((r = after(s, "contest ")) != NULL && contest_place(m, r, p, &r) == 0) {
		snprintf(msg, sizeof msg, "%s", r);
		return refuse(d, VY_DESC_AT_JSON, p, inner.code, "%s", msg);
	}
	if (inner.code == VY_R_GENDER_RULE && (r = after(s, "list ")) != NULL && gender_place(m, r, p, &r) == 0) {
		snprintf(msg, sizeof msg, "%s", r);
		return refuse(d, VY_DESC_AT_JSON, p, inner.code, "%s", msg);
	}
	if ((r = after(s, "trustee ")) != NULL && (t = number_at(&r)) >= 1 && (size_t)t <= m->n_trustees) {
		const char *k;

		if ((k = after(r, " name: ")) != NULL) {
			snprintf(p, sizeof p, "trustees[%lld]", t - 1);
			snprintf(msg, sizeof msg, "%s", k);
			return refuse(d, VY_DESC_AT_JSON, p, inner.code, "%s", msg);
		}
		if ((k = after(r, " signing_key: ")) != NULL) {
			snprintf(msg, sizeof msg, "%s", k);
			refuse(d, VY_DESC_AT_TRUSTEE_KEYS, "", inner.code, "%s", msg);
			if (d->where != NULL)
				d->where->trustee = (size_t)t;
			return inner.code;
		}
	}
	if ((r = after(s, "trustees ")) != NULL && (t = number_at(&r)) >= 1 && (r = after(r, " and ")) != NULL) {
		long long u = number_at(&r);

		refuse(d, VY_DESC_AT_TRUSTEE_KEYS, "", inner.code, "the same key as trustee %lld", t);
		if (d->where != NULL)
			d->where->trustee = u > 0 ? (size_t)u : 0;
		return inner.code;
	}
	for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
		if ((r = after(s, fields[i].prefix)) != NULL) {
			snprintf(msg, sizeof msg, "%s", fields[i].whole ? s : r);
			return refuse(d, fields[i].place, fields[i].path, inner.code, "%s", msg);
		}
	/* a rule this reader does not place: the whole document */
	snprintf(msg, sizeof msg, "%s", s);
	return refuse(d, VY_DESC_AT_JSON, "", inner.code, "%s", msg);
}

/* ---- the document ---- */

/* Trustees: names from "trustees" (or "Trustee i"), keys from outside. */
static vy_rc trustees(desc *d, const vyjson *doc, const vy_description_keys *keys, Vybar__Manifest *m)
{
	const vyjson *names;
	char p[VY_DESC_PATH_BYTES];
	vy_rc rc = member(d, doc, "", "trustees", VYJSON_ARRAY, 0, &names);

	if (rc != VY_R_OK)
		return rc;
	if (keys->n_trustees < 1 || keys->n_trustees > VY_MAX_TRUSTEES)
		return refuse(d, VY_DESC_AT_TRUSTEE_KEYS, "", VY_R_TRUSTEES, "%zu keys, must be 1..%d",
			      keys->n_trustees, VY_MAX_TRUSTEES);
	if (names != NULL && names->n_items != keys->n_trustees)
		return refuse(d, VY_DESC_AT_JSON, "trustees", VY_R_TRUSTEES,
			      "%zu names for %zu trustee keys (one name per key, in the same order)", names->n_items,
			      keys->n_trustees);
	m->trustee_count = (uint32_t)keys->n_trustees;
	m->n_trustees = keys->n_trustees;
	m->trustees = d_alloc(d, keys->n_trustees * sizeof *m->trustees);
	if (m->trustees == NULL)
		return nomem(d);
	for (size_t i = 0; i < keys->n_trustees; i++) {
		Vybar__Trustee *t = d_alloc(d, sizeof *t);

		if (t == NULL)
			return nomem(d);
		vybar__trustee__init(t);
		t->index = (uint32_t)i + 1;
		if (names != NULL) {
			index_path(p, "trustees", i);
			rc = text_value(d, names->items[i], p, &t->name);
			if (rc != VY_R_OK)
				return rc;
		} else {
			t->name = d_alloc(d, NAME_BYTES);
			if (t->name == NULL)
				return nomem(d);
			snprintf(t->name, NAME_BYTES, "Trustee %zu", i + 1);
		}
		t->signing_key.data = (uint8_t *)keys->trustee_keys[i];
		t->signing_key.len = 32;
		m->trustees[i] = t;
	}
	return VY_R_OK;
}

/* Witnesses: names, keys and the threshold all from outside (witness.md §5). */
static vy_rc witnesses(desc *d, const vy_description_keys *keys, Vybar__Manifest *m)
{
	m->witness_threshold = keys->witness_threshold;
	if (keys->n_witnesses == 0)
		return VY_R_OK;
	if (keys->n_witnesses > VY_MAX_WITNESSES)
		return refuse(d, VY_DESC_AT_WITNESSES, "", VY_R_FIELD, "%zu witnesses, at most %d", keys->n_witnesses,
			      VY_MAX_WITNESSES);
	m->n_witnesses = keys->n_witnesses;
	m->witnesses = d_alloc(d, keys->n_witnesses * sizeof *m->witnesses);
	if (m->witnesses == NULL)
		return nomem(d);
	for (size_t i = 0; i < keys->n_witnesses; i++) {
		Vybar__Witness *w = d_alloc(d, sizeof *w);

		if (w == NULL)
			return nomem(d);
		vybar__witness__init(w);
		w->name = (char *)keys->witness_names[i];
		w->public_key.data = (uint8_t *)keys->witness_keys[i];
		w->public_key.len = 32;
		m->witnesses[i] = w;
	}
	return VY_R_OK;
}

/* The description's members, in the order they are checked. */
static vy_rc document(desc *d, const vyjson *doc, const vy_description_keys *keys, Vybar__Manifest *m)
{
	static const char *const fields[] = { "election_id",   "title",	  "group",	"voting_start",
					      "voting_end",    "threshold", "trustees", "counting_rule",
					      "contests",      "max_ballots_per_credential",
					      "min_seconds_between_ballots", "translations", NULL };
	static const char *const rules[] = { "last-ballot", NULL };
	const vyjson *a;
	char p[VY_DESC_PATH_BYTES];
	uint64_t t = 0, most = VY_DESC_DEFAULT_MAX_BALLOTS, wait = VY_DESC_DEFAULT_MIN_SECONDS;
	size_t rule = 0;
	vy_rc rc;

	if (doc->type != VYJSON_OBJECT)
		return refuse(d, VY_DESC_AT_JSON, "", VY_R_FIELD, "the description must be a JSON object, not %s",
			      type_name(doc->type));
	rc = check_members(d, doc, "", fields, NULL, NULL);
	if (rc == VY_R_OK)
		rc = text_member(d, doc, "", "election_id", 1, &m->election_id);
	if (rc == VY_R_OK)
		rc = text_member(d, doc, "", "title", 1, &m->title);
	if (rc == VY_R_OK)
		rc = translations_member(d, doc, "", &m->translations, &m->n_translations);
	if (rc == VY_R_OK)
		rc = text_member(d, doc, "", "group", 0, &m->group);
	if (rc == VY_R_OK)
		rc = time_member(d, doc, "voting_start", &m->voting_start);
	if (rc == VY_R_OK)
		rc = time_member(d, doc, "voting_end", &m->voting_end);
	if (rc == VY_R_OK)
		rc = uint_member(d, doc, "", "threshold", 1, UINT32_MAX, &t);
	if (rc == VY_R_OK)
		rc = trustees(d, doc, keys, m);
	if (rc == VY_R_OK)
		rc = choice_member(d, doc, "", "counting_rule", 0, rules, "\"last-ballot\"", &rule);
	if (rc == VY_R_OK)
		rc = uint_member(d, doc, "", "max_ballots_per_credential", 0, VY_MAX_BALLOTS_PER_CREDENTIAL, &most);
	if (rc == VY_R_OK)
		rc = uint_member(d, doc, "", "min_seconds_between_ballots", 0, VY_MAX_SECONDS_BETWEEN_BALLOTS, &wait);
	if (rc == VY_R_OK)
		rc = array_member(d, doc, "", "contests", VY_MAX_CONTESTS, &a);
	if (rc != VY_R_OK)
		return rc;
	m->threshold = (uint32_t)t;
	m->max_ballots_per_credential = (uint32_t)most;
	m->min_seconds_between_ballots = (uint32_t)wait;
	m->counting_rule = VYBAR__COUNTING_RULE__COUNTING_RULE_LAST_BALLOT;
	m->n_contests = a->n_items;
	m->contests = d_alloc(d, a->n_items * sizeof *m->contests);
	if (m->contests == NULL)
		return nomem(d);
	for (size_t i = 0; i < a->n_items && rc == VY_R_OK; i++) {
		index_path(p, "contests", i);
		rc = contest(d, a->items[i], p, &m->contests[i]);
	}
	return rc;
}

vy_rc vy_description_manifest(const char *text, size_t len, const vy_description_keys *keys, uint8_t **out,
			      size_t *out_len, vy_desc_where *where, vy_reason *why)
{
	desc d = { NULL, 0, 0, where, why };
	Vybar__RsaPublicKey *rk = NULL;
	Vybar__Manifest m, *check = NULL;
	vyjson_error jerr;
	vyjson *doc = NULL;
	vy_reason inner = { 0 };
	vy_rc rc;

	if (where != NULL)
		memset(where, 0, sizeof *where);
	if (out == NULL || out_len == NULL || keys == NULL || keys->board_key == NULL || keys->commission_key == NULL ||
	    keys->registrar == NULL || (keys->trustee_keys == NULL && keys->n_trustees != 0) ||
	    (keys->n_witnesses != 0 && (keys->witness_names == NULL || keys->witness_keys == NULL)))
		return vy_reason_set(why, VY_R_ARG, "description: NULL argument");
	*out = NULL;
	*out_len = 0;
	if (why == NULL)
		d.why = &inner;
	if (text == NULL || len > VY_MAX_DESCRIPTION_BYTES)
		return refuse(&d, VY_DESC_AT_JSON, "", VY_R_TOO_LARGE,
			      "%zu bytes, more than the %u a description may have", len, VY_MAX_DESCRIPTION_BYTES);
	doc = vyjson_parse_ex(text, len, &jerr);
	if (doc == NULL) {
		rc = refuse(&d, VY_DESC_AT_SYNTAX, "", VY_R_MALFORMED, "not JSON: %s", jerr.msg);
		if (where != NULL) {
			where->line = jerr.line;
			where->column = jerr.column;
		}
		return rc;
	}
	vybar__manifest__init(&m);
	m.group = "ristretto255";
	rc = document(&d, doc, keys, &m);
	if (rc == VY_R_OK)
		rc = witnesses(&d, keys, &m);
	if (rc == VY_R_OK) {
		rk = keys->registrar->registrar_key;
		m.board_key.data = (uint8_t *)keys->board_key;
		m.board_key.len = VY_ED25519_PK_BYTES;
		m.commission_key.data = (uint8_t *)keys->commission_key;
		m.commission_key.len = VY_ED25519_PK_BYTES;
		m.registrar_key = rk;
		m.registrar_statement_key = keys->registrar->statement_key;
		/* the protocol decides (§3.3); its reason gets its place */
		if (vy_manifest_validate(&m, d.why) != VY_R_OK)
			rc = place_reason(&d, &m);
	}
	if (rc == VY_R_OK) {
		*out = vy_msg_pack(&m, out_len);
		if (*out == NULL)
			rc = nomem(&d);
	}
	/* what is written is what the board will read: decoded and valid */
	if (rc == VY_R_OK && (vy_decode_manifest(&check, *out, *out_len, d.why) != VY_R_OK ||
			      vy_manifest_validate(check, d.why) != VY_R_OK)) {
		rc = refuse(&d, VY_DESC_AT_JSON, "", d.why->code, "the manifest (%zu bytes) is refused: %.160s",
			    *out_len, d.why->msg);
		free(*out);
		*out = NULL;
		*out_len = 0;
	}
	vy_msg_free(check);
	vyjson_free(doc);
	d_free(&d);
	return rc;
}
