/*
 * The partial decryption of the encrypted tally (specs/protocol.md §5.5,
 * §10.2; specs/trustee.md §1): this trustee's secret share from the shares
 * the qualified trustees sealed for it (or published in a justification),
 * then its decryption shares of every option with their proofs, sent with
 * vyt_emit (messages.c); only of a tally the witnesses co-signed, and
 * remembered before it is sent (memory.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "crypto/vy_shamir.h"
#include "protocol/vy_tally.h"
#include "trustee/cheats.h"
#include "trustee/trustee.h"

/* specs/trustee.md §7.3: decrypt only a tally the manifest's witnesses
 * have co-signed (the WITNESSED entry, specs/witness.md), so that a tally
 * the board shows this trustee alone is never decrypted; with no witness
 * named, say that only this trustee's memory stands against a fork. */
static int cosigned(vyt_ctx *c)
{
	const Vybar__Manifest *m = c->v.st.manifest;

	if (m->n_witnesses == 0) {
		fprintf(stderr, "vybar-trustee decrypt: warning: the manifest names no witness: nothing but your "
			"memory (%s/%s) protects you against a board that forks the record\n", c->o->dir,
			VYT_DECRYPTED_FILE);
		return 0;
	}
	if (c->v.st.have_witnessed)
		return 0;
	snprintf(c->err, sizeof c->err, "decrypt: the tally at entry %llu is not yet co-signed by %u witnesses (the "
		 "WITNESSED entry is missing): wait, and try again", (unsigned long long)c->v.tally_seq,
		 m->witness_threshold);
	return -1;
}

/* §5.5 and §10.2: the secret share from the qualified trustees' shares, and
 * the partial decryption of the encrypted tally. */
int vyt_cmd_decrypt(vyt_ctx *c)
{
	const vy_group *g = c->v.st.election.group;
	uint32_t n = c->v.st.manifest->trustee_count;
	vy_scalar *recv = sodium_malloc(VY_MAX_TRUSTEES * sizeof *recv), *s = sodium_malloc(sizeof *s);
	Vybar__PartialDecryption *pd = NULL;
	uint8_t *body = NULL, *payload = NULL;
	size_t blen = 0;
	vyt_poly *p = NULL;
	vy_reason why = { 0 };
	int r = -1;

	if (recv == NULL || s == NULL)
		goto out;
	sodium_memzero(recv, VY_MAX_TRUSTEES * sizeof *recv);
	if (c->v.st.phase == VY_PHASE_TALLIED) {
		snprintf(c->err, sizeof c->err, "decrypt: the result is already published; %s",
			 c->v.st.trustees[c->v.me - 1].decrypted ? "your partial decryption is on the record" :
			 "your decryption is no longer needed");
		goto out;
	}
	if (c->v.st.phase != VY_PHASE_CLOSED || !c->v.st.have_tally) {
		snprintf(c->err, sizeof c->err, "decrypt: there is no encrypted tally on the record yet");
		goto out;
	}
	if (cosigned(c) != 0)
		goto out;
	if (!c->v.st.trustees[c->v.me - 1].qualified || c->v.st.trustees[c->v.me - 1].decrypted) {
		snprintf(c->err, sizeof c->err, "decrypt: %s", c->v.st.trustees[c->v.me - 1].decrypted ?
			 "your partial decryption is already on the record" : "you were disqualified in the ceremony");
		goto out;
	}
	if (vyt_load_poly(c, &p) != 0)
		goto out;
	for (uint32_t i = 1; i <= n; i++) {
		if (!c->v.st.trustees[i - 1].qualified)
			continue;
		if (i == c->v.me) {
			vy_poly_eval(g, &recv[i - 1], p->coeffs, p->t, i);
		} else if (vyt_justified_share(c, i, &recv[i - 1]) != 0 && vyt_share_from(c, i, &recv[i - 1], &why) != 0) {
			snprintf(c->err, sizeof c->err, "decrypt: the share from qualified trustee %u is unusable: %s", i,
				 why.msg);
			goto out;
		}
	}
	if (vy_trustee_secret_share(&c->v.st, s, c->v.me, recv, &why) != VY_R_OK ||
	    vy_partial_decrypt(&c->v.st, c->v.me, s, &body, &blen, &why) != VY_R_OK) {
		snprintf(c->err, sizeof c->err, "decrypt: %s", why.msg);
		goto out;
	}
	body = vyt_cheat_decryption(g, body, &blen); /* the test build's wrong share (cheats.h) */
	if (body == NULL)
		goto out;
	if (vy_decode_message((ProtobufCMessage **)&pd, &vybar__partial_decryption__descriptor, VY_MAX_MESSAGE_BYTES,
			      body, blen, &why) != VY_R_OK) {
		snprintf(c->err, sizeof c->err, "decrypt: %s", why.msg);
		goto out;
	}
	if (vyt_decrypted_save(c) == 0) /* specs/trustee.md §7.2: before anything leaves */
		r = vyt_emit(c, VYBAR__ENTRY_TYPE__ENTRY_TYPE_PARTIAL_DECRYPTION, pd);
out:
	if (recv != NULL)
		sodium_free(recv);
	if (s != NULL)
		sodium_free(s);
	vyt_poly_free(p);
	vy_msg_free(pd);
	free(body);
	free(payload);
	return r;
}
