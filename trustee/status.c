/*
 * The status report (specs/trustee.md §6): the election's phase, what every
 * trustee has done on the record, the complaints and whether they were
 * answered, whether the share each other trustee sealed for this one is
 * good, and what this trustee must do next.
 */
#include <stdio.h>

#include <sodium.h>

#include "trustee/trustee.h"

/* Count trustees with a flag. */
static uint32_t count(const vyt_view *v, int what)
{
	uint32_t k = 0;

	for (uint32_t i = 0; i < v->st.manifest->trustee_count; i++) {
		const vy_trustee_state *t = &v->st.trustees[i];

		k += what == 0 ? t->announced : what == 1 ? t->revealed : what == 2 ? t->verdict : t->decrypted;
	}
	return k;
}

/* §6 of specs/trustee.md: what this trustee must do next. */
static const char *next_step(const vyt_view *v)
{
	const vy_trustee_state *me = &v->st.trustees[v->me - 1];
	uint32_t n = v->st.manifest->trustee_count;

	switch (v->st.phase) {
	case VY_PHASE_SETUP:
		if (!me->announced)
			return "run `vybar-trustee announce` (round 1)";
		if (count(v, 0) < n)
			return "wait: not every trustee has announced";
		if (!me->revealed)
			return "run `vybar-trustee reveal` (round 2)";
		if (count(v, 1) < n)
			return "wait: not every trustee has revealed";
		if (!me->verdict)
			return "run `vybar-trustee verdict` (round 3)";
		if (count(v, 2) < n)
			return "wait: not every trustee has given a verdict";
		if (me->complained_by && !me->justified)
			return "run `vybar-trustee justify` NOW: complaints stand against you, and you will be "
			       "disqualified unless you answer them before the board opens the election";
		return "wait: the board opens the election once the complaints have been answered";
	case VY_PHASE_OPEN:
		return "nothing: voting is open; decrypt after the board posts the encrypted tally";
	case VY_PHASE_CLOSED:
		if (!v->st.have_tally)
			return "wait: the board has not yet posted the encrypted tally";
		if (!me->qualified)
			return "nothing: you were disqualified in the ceremony";
		if (!me->decrypted)
			return "run `vybar-trustee decrypt`";
		return "nothing: your partial decryption is on the record";
	default:
		return "nothing: the result is published";
	}
}

static const char *phase_name(vy_phase p)
{
	static const char *const names[] = { "empty", "key ceremony", "voting open", "voting closed, tally",
					     "result published" };

	return names[p];
}

/* Print one trustee's line of the status report. */
static void status_trustee(vyt_ctx *c, uint32_t i)
{
	const vy_trustee_state *t = &c->v.st.trustees[i - 1];
	vy_reason why = { 0 };
	vy_scalar *sh;

	printf("  trustee %u%s: %s%s%s%s%s", i, i == c->v.me ? " (you)" : "",
	       t->announced ? "announced" : "has NOT announced", t->revealed ? ", revealed" : "",
	       t->verdict ? ", gave its verdict" : "", t->justified ? ", justified" : "",
	       t->decrypted ? ", decrypted" : "");
	if (c->v.st.phase >= VY_PHASE_OPEN)
		printf(t->qualified ? ", qualified" : ", DISQUALIFIED");
	printf("\n");
	for (uint32_t k = 1; k <= c->v.st.manifest->trustee_count; k++)
		if ((t->complained_by >> (k - 1)) & 1)
			printf("    trustee %u complained against trustee %u%s\n", k, i,
			       t->justified ? " (answered by a justification that matches its commitments)" :
			       c->v.st.phase >= VY_PHASE_OPEN ? ": no justification, so trustee was disqualified" :
							       ": not yet answered");
	if (i == c->v.me || !t->revealed)
		return;
	sh = sodium_malloc(sizeof *sh);
	if (sh == NULL)
		return;
	if (vyt_justified_share(c, i, sh) == 0)
		printf("    you use the share it published for you in its justification (it matches its "
		       "commitments), not the one it sealed\n");
	else if (c->v.st.phase == VY_PHASE_SETUP && vyt_share_from(c, i, sh, &why) != 0)
		printf("    its share to you is BAD (%s): %s\n", why.msg, c->v.st.trustees[c->v.me - 1].verdict ?
		       "it must justify, or it is disqualified" : "complain against it in your verdict");
	sodium_free(sh);
}

/* The status report (specs/trustee.md §6). */
int vyt_cmd_status(vyt_ctx *c)
{
	const vy_record_state *st = &c->v.st;

	printf("election %s: %s (%u trustees, threshold %u); record of %llu entries\n", st->manifest->election_id,
	       phase_name(st->phase), st->manifest->trustee_count, st->manifest->threshold,
	       (unsigned long long)c->v.entries);
	printf("you are trustee %u\n", c->v.me);
	for (uint32_t i = 1; i <= st->manifest->trustee_count; i++)
		status_trustee(c, i);
	if (st->phase >= VY_PHASE_OPEN && st->n_qualified < st->manifest->trustee_count)
		printf("disqualified trustees are left out of the joint key; %u of %u qualify\n", st->n_qualified,
		       st->manifest->trustee_count);
	if (st->phase == VY_PHASE_CLOSED && st->have_tally)
		printf("partial decryptions: %u of the %u needed\n", st->n_decrypted, st->manifest->threshold);
	printf("next: %s\n", next_step(&c->v));
	return 0;
}
