/*
 * Seat allocation for closed party lists (specs/protocol.md §11).
 *
 *   §11.2 check the input        -> check_input (no vote, or no list over
 *                                   the threshold: no seat, with a reason)
 *   §11.3 qualify by threshold   -> qualify
 *   §11.4 tie keys               -> tie_key
 *   §11.5 Hare, largest remainders, repeated rounds   -> hare_allocate
 *   §11.6 highest averages (D'Hondt, Sainte-Lague)    -> averages_allocate
 *   §11.7 lists too short for their seats: skipped, seats left unfilled
 *   §11.9 the seat table                              -> vy_seats_print
 *
 * Integer arithmetic only; every product that can exceed 64 bits is taken
 * in 128 bits. Everything here is public: no secrets, no wiping.
 */
#include <stdlib.h>
#include <string.h>

#include "crypto/vy_hash.h"
#include "protocol/vy_seats.h"

__extension__ typedef unsigned __int128 u128;

#define MAX_SEATS 100000      /* §1.5 */
#define MAX_BASIS_POINTS 10000 /* 100 % */

static int is_hare(Vybar__SeatMethod m)
{
	return m == VYBAR__SEAT_METHOD__SEAT_METHOD_HARE_ALL_VOTES ||
	       m == VYBAR__SEAT_METHOD__SEAT_METHOD_HARE_QUALIFYING;
}

static int is_averages(Vybar__SeatMethod m)
{
	return m == VYBAR__SEAT_METHOD__SEAT_METHOD_DHONDT || m == VYBAR__SEAT_METHOD__SEAT_METHOD_SAINTE_LAGUE;
}

/* A short English name of a seat method. */
const char *vy_seat_method_name(Vybar__SeatMethod m)
{
	switch (m) {
	case VYBAR__SEAT_METHOD__SEAT_METHOD_HARE_ALL_VOTES:
		return "Hare quota over all valid votes, largest remainders";
	case VYBAR__SEAT_METHOD__SEAT_METHOD_HARE_QUALIFYING:
		return "Hare quota over the qualifying lists' votes, largest remainders";
	case VYBAR__SEAT_METHOD__SEAT_METHOD_DHONDT:
		return "D'Hondt (divisors 1, 2, 3, ...)";
	case VYBAR__SEAT_METHOD__SEAT_METHOD_SAINTE_LAGUE:
		return "Sainte-Lague (divisors 1, 3, 5, ...)";
	default:
		return "unknown";
	}
}

/* Why no seat was allocated (§11.2). */
const char *vy_no_seats_reason_text(Vybar__NoSeatsReason r)
{
	switch (r) {
	case VYBAR__NO_SEATS_REASON__NO_SEATS_REASON_NO_LIST_VOTES:
		return "no list has any vote (every counted ballot is blank, or none was counted)";
	case VYBAR__NO_SEATS_REASON__NO_SEATS_REASON_NO_LIST_QUALIFIES:
		return "no list reaches the threshold";
	default:
		return "";
	}
}

/* §11.2 steps 1-5: the parameters, then the total of the votes (which may be 0). */
static vy_rc check_input(const vy_seat_input *in, uint64_t *total, vy_reason *why)
{
	uint64_t v = 0;

	if (in->seats == 0 || in->seats > MAX_SEATS)
		return vy_reason_set(why, VY_R_FIELD, "seats: %llu, must be 1..%d", (unsigned long long)in->seats,
				     MAX_SEATS);
	if (in->n_lists == 0 || in->n_lists > VY_MAX_OPTIONS)
		return vy_reason_set(why, VY_R_FIELD, "lists: %zu, must be 1..%d", in->n_lists, VY_MAX_OPTIONS);
	if (in->threshold_bp > MAX_BASIS_POINTS)
		return vy_reason_set(why, VY_R_FIELD, "threshold: %u basis points, must be at most %d",
				     (unsigned)in->threshold_bp, MAX_BASIS_POINTS);
	if (!is_hare(in->method) && !is_averages(in->method))
		return vy_reason_set(why, VY_R_FIELD, "seat method: unknown value %d", (int)in->method);
	for (size_t i = 0; i < in->n_lists; i++) {
		if (in->votes[i] > UINT64_MAX - v)
			return vy_reason_set(why, VY_R_FIELD, "votes: the total exceeds 2^64 - 1 at list %zu", i);
		v += in->votes[i];
	}
	*total = v;
	return VY_R_OK;
}

/* §11.4: key_i = H("vybar/v1/seat-tie", tie_seed, u64(i)). */
static void tie_key(uint8_t out[VY_HASH_BYTES], const uint8_t seed[VY_HASH_BYTES], size_t i)
{
	vy_hasher h;

	vy_hasher_init(&h, VY_TAG_SEAT_TIE);
	vy_hasher_item(&h, seed, VY_HASH_BYTES);
	vy_hasher_u64(&h, (uint64_t)i);
	vy_hasher_final(&h, out);
}

/* §11.4: does list a come before list b in the tie order? Keys ascending as
 * byte strings; equal keys (never seen) fall back to the lower index. */
static int tie_first(const vy_seat_list *lists, size_t a, size_t b)
{
	int c = memcmp(lists[a].tie_key, lists[b].tie_key, VY_HASH_BYTES);

	return c < 0 || (c == 0 && a < b);
}

/* §11.3: a list qualifies iff it has a vote and v_i * 10000 >= T * V.
 * Also fills the tie keys and the table's vote figures; §11.2: with no
 * qualifying list, the reason why no seat is allocated. */
static void qualify(vy_seat_table *t, vy_seat_list *lists, const vy_seat_input *in)
{
	u128 bar = (u128)in->threshold_bp * t->total_votes;
	u128 least = (bar + MAX_BASIS_POINTS - 1) / MAX_BASIS_POINTS;

	t->min_votes = least == 0 ? 1 : (uint64_t)least;
	for (size_t i = 0; i < in->n_lists; i++) {
		tie_key(lists[i].tie_key, in->tie_seed, i);
		lists[i].qualified = in->votes[i] > 0 && (u128)in->votes[i] * MAX_BASIS_POINTS >= bar;
		if (lists[i].qualified) {
			t->n_qualified++;
			t->qualifying_votes += in->votes[i];
		}
	}
	if (t->n_qualified == 0)
		t->no_seats = t->total_votes == 0 ? VYBAR__NO_SEATS_REASON__NO_SEATS_REASON_NO_LIST_VOTES
						  : VYBAR__NO_SEATS_REASON__NO_SEATS_REASON_NO_LIST_QUALIFIES;
}

/* Can list i take another seat (§11.7)? */
static int can_take(const vy_seat_list *lists, const vy_seat_input *in, size_t i)
{
	return lists[i].qualified && lists[i].seats < (uint64_t)in->n_candidates[i];
}

/* §11.5 order: does list a come before list b? Larger remainder first,
 * then the tie order. */
static int remainder_first(const vy_seat_list *lists, size_t a, size_t b)
{
	if (lists[a].remainder != lists[b].remainder)
		return lists[a].remainder > lists[b].remainder;
	return tie_first(lists, a, b);
}

/* Sort the k list indices of order[] by remainder_first (insertion sort:
 * k <= 1000 and this runs once per allocation). */
static void sort_by_remainder(size_t *order, size_t k, const vy_seat_list *lists)
{
	for (size_t j = 1; j < k; j++) {
		size_t x = order[j], p = j;

		while (p > 0 && remainder_first(lists, x, order[p - 1])) {
			order[p] = order[p - 1];
			p--;
		}
		order[p] = x;
	}
}

/* Drop from order[] the lists that cannot take a seat; returns how many remain. */
static size_t keep_takers(size_t *order, size_t k, const vy_seat_list *lists, const vy_seat_input *in)
{
	size_t n = 0;

	for (size_t j = 0; j < k; j++)
		if (can_take(lists, in, order[j]))
			order[n++] = order[j];
	return n;
}

/* §11.5: the quota seats (capped by the candidates), then one seat per list
 * per round in the remainder order until the seats are gone or no list can
 * take one. order: n_qualified scratch entries. */
static void hare_allocate(vy_seat_table *t, vy_seat_list *lists, const vy_seat_input *in, size_t *order)
{
	uint64_t d = in->method == VYBAR__SEAT_METHOD__SEAT_METHOD_HARE_ALL_VOTES ? t->total_votes
										 : t->qualifying_votes;
	uint64_t left = in->seats;
	size_t k = 0;

	t->quota_votes = d;
	for (size_t i = 0; i < in->n_lists; i++) {
		u128 p = (u128)in->votes[i] * in->seats;

		if (!lists[i].qualified)
			continue;
		lists[i].quota_seats = (uint64_t)(p / d);
		lists[i].remainder = (uint64_t)(p % d);
		lists[i].seats = lists[i].quota_seats < in->n_candidates[i] ? lists[i].quota_seats
									    : (uint64_t)in->n_candidates[i];
		left -= lists[i].seats;
		order[k++] = i;
	}
	sort_by_remainder(order, k, lists);
	while (left > 0) {
		k = keep_takers(order, k, lists, in);
		if (k == 0)
			break;
		if (left < k) {
			/* the last, partial round: order[left - 1] wins, order[left] does not */
			t->tie_decided = lists[order[left - 1]].remainder == lists[order[left]].remainder;
			for (size_t j = 0; j < left; j++)
				lists[order[j]].seats++;
			left = 0;
			break;
		}
		for (size_t j = 0; j < k; j++)
			lists[order[j]].seats++;
		left -= k;
	}
	t->unfilled = left;
}

/* §11.6: the divisor of a list holding s seats. */
static uint64_t divisor(Vybar__SeatMethod m, uint64_t s)
{
	return m == VYBAR__SEAT_METHOD__SEAT_METHOD_DHONDT ? s + 1 : 2 * s + 1;
}

/* Compare a/b with c/d exactly: -1, 0 or 1. */
static int cmp_fraction(uint64_t a, uint64_t b, uint64_t c, uint64_t d)
{
	u128 l = (u128)a * d, r = (u128)c * b;

	return l < r ? -1 : l > r;
}

/* §11.6 order: does list a's next average beat list b's? Ties by the tie order. */
static int average_first(const vy_seat_list *lists, const vy_seat_input *in, size_t a, size_t b)
{
	int c = cmp_fraction(in->votes[a], divisor(in->method, lists[a].seats), in->votes[b],
			     divisor(in->method, lists[b].seats));

	return c > 0 || (c == 0 && tie_first(lists, a, b));
}

/* The list that takes the next seat by highest average, or n_lists if none can. */
static size_t best_average(const vy_seat_list *lists, const vy_seat_input *in)
{
	size_t best = in->n_lists;

	for (size_t i = 0; i < in->n_lists; i++)
		if (can_take(lists, in, i) && (best == in->n_lists || average_first(lists, in, i, best)))
			best = i;
	return best;
}

/* §11.6: seat after seat to the list with the highest next average among
 * the lists that can take one (§11.7). */
static void averages_allocate(vy_seat_table *t, vy_seat_list *lists, const vy_seat_input *in)
{
	uint64_t given;
	size_t b;

	for (given = 0; given < in->seats; given++) {
		b = best_average(lists, in);
		if (b == in->n_lists)
			break;
		t->last_num = in->votes[b];
		t->last_den = divisor(in->method, lists[b].seats);
		lists[b].seats++;
	}
	t->unfilled = in->seats - given;
	if (t->unfilled != 0)
		return;
	b = best_average(lists, in);
	t->tie_decided = b != in->n_lists &&
			 cmp_fraction(in->votes[b], divisor(in->method, lists[b].seats), t->last_num, t->last_den) == 0;
}

/* Compute the whole table (§11.2-§11.7). */
vy_rc vy_seats_compute(vy_seat_table *table, vy_seat_list *lists, const vy_seat_input *in, vy_reason *why)
{
	size_t *order = NULL;
	uint64_t total = 0;
	vy_rc rc;

	if (table == NULL)
		return vy_reason_set(why, VY_R_ARG, "seats: NULL table");
	memset(table, 0, sizeof *table);
	if (in == NULL || lists == NULL)
		return vy_reason_set(why, VY_R_ARG, "seats: NULL argument");
	memset(lists, 0, in->n_lists * sizeof *lists);
	if (in->votes == NULL || in->n_candidates == NULL)
		return vy_reason_set(why, VY_R_ARG, "seats: NULL votes or candidates");
	rc = check_input(in, &total, why);
	if (rc != VY_R_OK)
		goto out;
	table->total_votes = total;
	qualify(table, lists, in);
	if (table->n_qualified == 0) {
		table->unfilled = in->seats; /* §11.2: no seat at all, for the reason in no_seats */
	} else if (is_hare(in->method)) {
		order = malloc(table->n_qualified * sizeof *order);
		if (order == NULL) {
			rc = vy_reason_set(why, VY_R_NOMEM, "seats: out of memory");
			goto out;
		}
		hare_allocate(table, lists, in, order);
	} else {
		averages_allocate(table, lists, in);
	}
out:
	free(order);
	if (rc != VY_R_OK) {
		memset(table, 0, sizeof *table);
		memset(lists, 0, in->n_lists * sizeof *lists);
	}
	return rc;
}

/* Seats per list only; see vy_seats_compute. */
vy_rc vy_seats_allocate(const vy_seat_input *in, uint64_t *seats_out, vy_reason *why)
{
	vy_seat_table t;
	vy_seat_list *lists;
	vy_rc rc;

	if (in == NULL || seats_out == NULL)
		return vy_reason_set(why, VY_R_ARG, "seats: NULL argument");
	memset(seats_out, 0, in->n_lists * sizeof *seats_out);
	lists = calloc(in->n_lists == 0 ? 1 : in->n_lists, sizeof *lists);
	if (lists == NULL)
		return vy_reason_set(why, VY_R_NOMEM, "seats: out of memory");
	rc = vy_seats_compute(&t, lists, in, why);
	if (rc == VY_R_OK)
		for (size_t i = 0; i < in->n_lists; i++)
			seats_out[i] = lists[i].seats;
	free(lists);
	return rc;
}

/* ---- §11.9 the seat table ---- */

#define NAME_MIN_WIDTH 4
#define NAME_MAX_WIDTH 48
#define DECIMALS 100 /* two decimals, truncated */

/* num / den with two decimals, truncated (den > 0). */
static void print_decimal(FILE *out, int width, uint64_t num, uint64_t den)
{
	char buf[48];
	uint64_t frac = (uint64_t)((u128)(num % den) * DECIMALS / den);

	snprintf(buf, sizeof buf, "%llu.%02llu", (unsigned long long)(num / den), (unsigned long long)frac);
	fprintf(out, "%*s", width, buf);
}

/* The width of the name column. */
static int name_width(const vy_seat_input *in, const char *const *names)
{
	size_t w = NAME_MIN_WIDTH;
	char fallback[32];

	if (names == NULL)
		return snprintf(fallback, sizeof fallback, "list %zu", in->n_lists - 1);
	for (size_t i = 0; i < in->n_lists; i++)
		if (strlen(names[i]) > w)
			w = strlen(names[i]);
	return w > NAME_MAX_WIDTH ? NAME_MAX_WIDTH : (int)w;
}

/* The lines above the table: method, seats, threshold, quota or divisors. */
static void print_header(FILE *out, const vy_seat_table *t, const vy_seat_input *in)
{
	char seed[2 * VY_HASH_BYTES + 1];

	for (size_t i = 0; i < VY_HASH_BYTES; i++)
		snprintf(seed + 2 * i, 3, "%02x", in->tie_seed[i]);
	fprintf(out, "Seat allocation (specs/protocol.md §11)\n");
	fprintf(out, "method:    %s\n", vy_seat_method_name(in->method));
	fprintf(out, "seats:     %llu\n", (unsigned long long)in->seats);
	fprintf(out, "votes:     %llu valid votes for %zu lists\n", (unsigned long long)t->total_votes, in->n_lists);
	fprintf(out, "threshold: ");
	print_decimal(out, 0, in->threshold_bp, DECIMALS);
	fprintf(out, " %% of %llu votes: at least %llu votes; %zu of %zu lists qualify with %llu votes\n",
		(unsigned long long)t->total_votes, (unsigned long long)t->min_votes, t->n_qualified, in->n_lists,
		(unsigned long long)t->qualifying_votes);
	if (t->no_seats != VYBAR__NO_SEATS_REASON__NO_SEATS_REASON_NONE) {
		fprintf(out, "no seats:  %s (§11.2)\n", vy_no_seats_reason_text(t->no_seats));
	} else if (is_hare(in->method)) {
		fprintf(out, "quota:     %llu / %llu = ", (unsigned long long)t->quota_votes,
			(unsigned long long)in->seats);
		print_decimal(out, 0, t->quota_votes, in->seats);
		fprintf(out, " votes per seat; remainders in 1/%llu of a seat\n",
			(unsigned long long)t->quota_votes);
	} else {
		fprintf(out, "divisors:  %s\n", in->method == VYBAR__SEAT_METHOD__SEAT_METHOD_DHONDT ? "1, 2, 3, ..."
												: "1, 3, 5, ...");
	}
	fprintf(out, "tie seed:  %s\n\n", seed);
}

/* The column heads. */
static void print_heads(FILE *out, int nw, const vy_seat_input *in)
{
	fprintf(out, "%4s  %-*s %12s %9s %4s ", "#", nw, "list", "votes", "percent", "qual");
	if (is_hare(in->method))
		fprintf(out, "%7s %20s", "quota", "remainder");
	else
		fprintf(out, "%14s %14s", "last average", "next average");
	fprintf(out, " %7s  %s\n", "seats", "elected (0-based positions)");
}

/* Hare: the quota seats and the remainder; averages: the average of the
 * list's last seat and its next average. */
static void print_details(FILE *out, const vy_seat_list *lists, const vy_seat_input *in, size_t i)
{
	const vy_seat_list *l = &lists[i];

	if (is_hare(in->method)) {
		if (!l->qualified)
			fprintf(out, "%7s %20s", "-", "-");
		else
			fprintf(out, "%7llu %20llu", (unsigned long long)l->quota_seats,
				(unsigned long long)l->remainder);
		return;
	}
	if (l->seats == 0)
		fprintf(out, "%14s", "-");
	else
		print_decimal(out, 14, in->votes[i], divisor(in->method, l->seats - 1));
	fputc(' ', out);
	if (!can_take(lists, in, i))
		fprintf(out, "%14s", "-");
	else
		print_decimal(out, 14, in->votes[i], divisor(in->method, l->seats));
}

/* One list's line. */
static void print_list(FILE *out, int nw, const vy_seat_table *t, const vy_seat_list *lists,
		       const vy_seat_input *in, const char *const *names, size_t i)
{
	char fallback[32];
	const char *name = names != NULL ? names[i] : fallback;

	snprintf(fallback, sizeof fallback, "list %zu", i);
	fprintf(out, "%4zu  %-*.*s %12llu ", i, nw, NAME_MAX_WIDTH, name, (unsigned long long)in->votes[i]);
	print_decimal(out, 7,
		      t->total_votes == 0 ? 0 : (uint64_t)((u128)in->votes[i] * MAX_BASIS_POINTS / t->total_votes),
		      DECIMALS);
	fprintf(out, " %% %4s ", lists[i].qualified ? "yes" : "no");
	print_details(out, lists, in, i);
	fprintf(out, " %7llu  ", (unsigned long long)lists[i].seats);
	if (lists[i].seats == 0)
		fprintf(out, "-");
	else if (lists[i].seats == 1)
		fprintf(out, "0");
	else
		fprintf(out, "0-%llu", (unsigned long long)(lists[i].seats - 1));
	if (lists[i].seats > 0 && lists[i].seats == (uint64_t)in->n_candidates[i])
		fprintf(out, " (all %zu candidates)", in->n_candidates[i]);
	fputc('\n', out);
}

/* The lines below the table: totals, the smallest winning average,
 * unfilled seats and whether the tie order decided a seat. */
static void print_footer(FILE *out, int nw, const vy_seat_table *t, const vy_seat_input *in)
{
	fprintf(out, "%4s  %-*s %12llu %9s %4s ", "", nw, "total", (unsigned long long)t->total_votes,
		t->total_votes == 0 ? "0.00 %" : "100.00 %", "");
	fprintf(out, "%*s %7llu\n\n", is_hare(in->method) ? 28 : 29, "",
		(unsigned long long)(in->seats - t->unfilled));
	if (is_averages(in->method) && t->last_den != 0) {
		fprintf(out, "smallest winning average: %llu / %llu = ", (unsigned long long)t->last_num,
			(unsigned long long)t->last_den);
		print_decimal(out, 0, t->last_num, t->last_den);
		fputc('\n', out);
	}
	fprintf(out, "seats filled: %llu of %llu", (unsigned long long)(in->seats - t->unfilled),
		(unsigned long long)in->seats);
	if (t->no_seats != VYBAR__NO_SEATS_REASON__NO_SEATS_REASON_NONE)
		fprintf(out, "; no seat is allocated: %s (§11.2)", vy_no_seats_reason_text(t->no_seats));
	else if (t->unfilled != 0)
		fprintf(out, "; %llu unfilled: no qualifying list has a candidate left (§11.7)",
			(unsigned long long)t->unfilled);
	fputc('\n', out);
	if (t->tie_decided)
		fprintf(out, "tie: equal %s for the last seat(s); decided by the tie order of §11.4\n",
			is_hare(in->method) ? "remainders" : "averages");
}

/* Compute and print the seat table (§11.9). */
vy_rc vy_seats_print(FILE *out, const vy_seat_input *in, const char *const *names, vy_reason *why)
{
	vy_seat_table t;
	vy_seat_list *lists;
	vy_rc rc;
	int nw;

	if (out == NULL || in == NULL)
		return vy_reason_set(why, VY_R_ARG, "seats: NULL argument");
	lists = calloc(in->n_lists == 0 ? 1 : in->n_lists, sizeof *lists);
	if (lists == NULL)
		return vy_reason_set(why, VY_R_NOMEM, "seats: out of memory");
	rc = vy_seats_compute(&t, lists, in, why);
	if (rc != VY_R_OK)
		goto out;
	nw = name_width(in, names);
	print_header(out, &t, in);
	print_heads(out, nw, in);
	for (size_t i = 0; i < in->n_lists; i++)
		print_list(out, nw, &t, lists, in, names, i);
	print_footer(out, nw, &t, in);
	if (fflush(out) != 0 || ferror(out))
		rc = vy_reason_set(why, VY_R_IO, "seats: writing the table failed");
out:
	free(lists);
	return rc;
}
