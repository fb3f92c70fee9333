/*
 * vybar-trustee: the program a trustee runs (specs/trustee.md): key
 * generation, the key ceremony of specs/protocol.md §5 round by round, the
 * partial decryption of §10.2, and a status report that guides the trustee.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gcrypt.h>
#include <sodium.h>

#include "crypto/vy_proof.h"
#include "crypto/vy_shamir.h"
#include "net/vy_http.h"
#include "protocol/vy_record.h"
#include "protocol/vy_tally.h"
#include "trustee/keystore.h"
#include "trustee/transport.h"
#include "protocol/vy_verify.h"

#define ANY_INDEX 0
#define MAX_JOBS 1024

typedef struct {
	const char *cmd, *dir, *board, *record, *out, *message;
	int others;                  /* options other than --board, --message given */
	unsigned jobs;               /* threads re-checking the record */
	vyt_pass_src pass;
	uint32_t corrupt_share_for;  /* hidden test option: reveal */
	int corrupt_decryption;      /* hidden test option: decrypt */
} opts;

/* The record as this trustee sees it: the state, and of the entries only
 * the trustees' signed messages (find_body), not the ballots. */
typedef struct {
	vy_record_state st;
	Vybar__RecordEntry **e;
	size_t n;
	uint64_t entries; /* on the record */
	uint32_t me;      /* this trustee's index, 0 if not a trustee */
} view;

/* One command's context. */
typedef struct {
	const opts *o;
	view v;
	vyt_secrets *s;
	char err[VYT_ERR_BYTES];
} ctx;

static void usage(void)
{
	fprintf(stderr,
		"usage: vybar-trustee COMMAND --dir DIR [options]\n"
		"  keygen   --dir DIR                      create the keys; print the signing key\n"
		"  announce --dir DIR (--board URL | --record FILE --out FILE)   round 1\n"
		"  reveal   ...                            round 2\n"
		"  verdict  ...                            round 3: accept, or complain\n"
		"  justify  ...                            round 3b: answer complaints against you\n"
		"  decrypt  ...                            partial decryption of the tally\n"
		"  status   --dir DIR (--board URL | --record FILE)\n"
		"  post     --board URL --message FILE     post a message file written with --out\n"
		"passphrase: prompted on the terminal, or --passphrase-file FILE, --passphrase-fd N\n"
		"--jobs N: threads re-checking the record's proofs (default: the online CPUs)\n");
}

static unsigned default_jobs(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n >= 1 && n <= MAX_JOBS ? (unsigned)n : 1;
}

/* --jobs N: 1..MAX_JOBS; 0 on success. */
static int parse_jobs(const char *v, unsigned *jobs)
{
	char *end;
	unsigned long n;

	errno = 0;
	n = strtoul(v, &end, 10);
	if (errno != 0 || end == v || *end != '\0' || v[0] == '-' || n < 1 || n > MAX_JOBS) {
		fprintf(stderr, "vybar-trustee: --jobs needs a number from 1 to %d, not %s\n", MAX_JOBS, v);
		return -1;
	}
	*jobs = (unsigned)n;
	return 0;
}

/* Parse argv; 0 on success. */
static int parse(int argc, char **argv, opts *o)
{
	memset(o, 0, sizeof *o);
	o->pass.fd = -1;
	o->jobs = default_jobs();
	if (argc < 2)
		return -1;
	o->cmd = argv[1];
	for (int i = 2; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (strcmp(a, "--test-corrupt-decryption") == 0) {
			o->corrupt_decryption = 1;
			o->others = 1;
			continue;
		}
		if (v == NULL) {
			fprintf(stderr, "vybar-trustee: %s needs a value\n", a);
			return -1;
		}
		i++;
		o->others |= strcmp(a, "--board") != 0 && strcmp(a, "--message") != 0;
		if (strcmp(a, "--jobs") == 0) {
			if (parse_jobs(v, &o->jobs) != 0)
				return -1;
			continue;
		}
		if (strcmp(a, "--dir") == 0)
			o->dir = v;
		else if (strcmp(a, "--board") == 0)
			o->board = v;
		else if (strcmp(a, "--record") == 0)
			o->record = v;
		else if (strcmp(a, "--out") == 0)
			o->out = v;
		else if (strcmp(a, "--message") == 0)
			o->message = v;
		else if (strcmp(a, "--passphrase-file") == 0)
			o->pass.file = v;
		else if (strcmp(a, "--passphrase-fd") == 0)
			o->pass.fd = atoi(v);
		else if (strcmp(a, "--test-corrupt-share-for") == 0)
			o->corrupt_share_for = (uint32_t)strtoul(v, NULL, 10);
		else {
			fprintf(stderr, "vybar-trustee: unknown option %s\n", a);
			return -1;
		}
	}
	/* post needs no key: the message is already signed */
	if (strcmp(o->cmd, "post") == 0) {
		if (o->board == NULL || o->message == NULL || o->others) {
			fprintf(stderr, "vybar-trustee: post takes --board URL and --message FILE, nothing else\n");
			return -1;
		}
		return 0;
	}
	if (o->message != NULL) {
		fprintf(stderr, "vybar-trustee: --message FILE goes with post\n");
		return -1;
	}
	if (o->dir == NULL) {
		fprintf(stderr, "vybar-trustee: --dir DIR is required\n");
		return -1;
	}
	return 0;
}

static void view_free(view *v)
{
	for (size_t i = 0; i < v->n; i++)
		vy_msg_free(v->e[i]);
	free(v->e);
	vy_record_state_free(&v->st);
}

/* The engine's callback: keep the trustees' signed messages. */
static int keep_entry(void *arg, const vy_record_state *st, Vybar__RecordEntry *e)
{
	ctx *c = arg;
	Vybar__RecordEntry **ne;

	(void)st;
	switch (e->type) {
	case VYBAR__ENTRY_TYPE__ENTRY_TYPE_KEY_ANNOUNCE:
	case VYBAR__ENTRY_TYPE__ENTRY_TYPE_KEY_REVEAL:
	case VYBAR__ENTRY_TYPE__ENTRY_TYPE_KEY_VERDICT:
	case VYBAR__ENTRY_TYPE__ENTRY_TYPE_KEY_JUSTIFICATION:
	case VYBAR__ENTRY_TYPE__ENTRY_TYPE_PARTIAL_DECRYPTION:
		break;
	default:
		return 0;
	}
	ne = realloc(c->v.e, (c->v.n + 1) * sizeof *ne);
	if (ne == NULL) {
		snprintf(c->err, sizeof c->err, "out of memory");
		return -1;
	}
	c->v.e = ne;
	c->v.e[c->v.n++] = e;
	return 1;
}

/* Verify and apply every entry of the record read from f (§7, §8) with the
 * verifier's engine: every board signature, the chain, every ballot's
 * proofs (on c->o->jobs threads) and every phase rule. */
static int view_verify(ctx *c, FILE *f, const char *src)
{
	vyv_options o = { .jobs = c->o->jobs, .watch_seq = -1, .on_entry = keep_entry, .arg = c };
	vyv_report rep;

	vy_record_state_free(&c->v.st);
	vyv_verify_with(f, &o, &rep, &c->v.st);
	c->v.entries = rep.entries;
	if (rep.outcome == VYV_ERROR) {
		if (c->err[0] == '\0')
			snprintf(c->err, sizeof c->err, "record %s: %s", src, rep.note);
		return -1;
	}
	if (ferror(f)) {
		snprintf(c->err, sizeof c->err, "cannot read %s", src);
		return -1;
	}
	if (rep.outcome == VYV_FAILED) {
		/* the entry's position: the engine stops at the first failure */
		if (rep.failed_seq_known)
			snprintf(c->err, sizeof c->err, "record %s does not verify at entry %llu (%s, %s): %s", src,
				 (unsigned long long)rep.entries, vyv_check_id(rep.failed_check),
				 vyv_check_what(rep.failed_check), rep.why.msg);
		else
			snprintf(c->err, sizeof c->err, "record %s does not verify (%s, %s): %s", src,
				 vyv_check_id(rep.failed_check), vyv_check_what(rep.failed_check), rep.why.msg);
		return -1;
	}
	if (c->v.st.manifest == NULL) {
		snprintf(c->err, sizeof c->err, "record %s has no manifest", src);
		return -1;
	}
	return 0; /* complete, or a record still growing (VYV_INCOMPLETE) */
}

/* Read the record (file or board) and verify it. A file is streamed; the
 * board's answers are gathered in memory first (trustee/transport.c). */
static int view_load(ctx *c)
{
	uint8_t *buf = NULL;
	size_t len = 0;
	FILE *f = NULL;
	int rc = -1, ch;
	const char *src = c->o->board ? c->o->board : c->o->record;

	if (c->o->board != NULL) {
		if (vyt_board_get_record(c->o->board, &buf, &len, c->err))
			return -1;
		f = len ? fmemopen(buf, len, "rb") : NULL;
		if (f == NULL && len != 0) {
			snprintf(c->err, sizeof c->err, "out of memory");
			goto out;
		}
	} else if (c->o->record != NULL) {
		f = fopen(c->o->record, "rb");
		if (f == NULL) {
			snprintf(c->err, sizeof c->err, "cannot open %s: %s", c->o->record, strerror(errno));
			return -1;
		}
	} else {
		snprintf(c->err, sizeof c->err, "give --board URL or --record FILE");
		return -1;
	}
	if (f == NULL || (ch = getc(f)) == EOF) {
		snprintf(c->err, sizeof c->err, "record %s is empty", src);
		goto out;
	}
	ungetc(ch, f);
	rc = view_verify(c, f, src);
out:
	if (f != NULL)
		fclose(f);
	free(buf);
	return rc;
}

/* This trustee's index: the manifest's trustee whose signing key is ours. */
static int find_me(ctx *c)
{
	const Vybar__Manifest *m = c->v.st.manifest;
	char hex[2 * crypto_sign_PUBLICKEYBYTES + 1];

	for (size_t i = 0; i < m->n_trustees; i++)
		if (m->trustees[i]->signing_key.len == crypto_sign_PUBLICKEYBYTES &&
		    memcmp(m->trustees[i]->signing_key.data, c->s->sign_pk, crypto_sign_PUBLICKEYBYTES) == 0) {
			c->v.me = m->trustees[i]->index;
			return 0;
		}
	sodium_bin2hex(hex, sizeof hex, c->s->sign_pk, crypto_sign_PUBLICKEYBYTES);
	snprintf(c->err, sizeof c->err, "this key (%s) is not a trustee of election %s", hex, m->election_id);
	return -1;
}

/* The decoded body of trustee idx's entry of type (NULL if absent). */
static ProtobufCMessage *find_body(const view *v, Vybar__EntryType type, uint32_t idx,
				   const ProtobufCMessageDescriptor *desc)
{
	for (size_t i = 0; i < v->n; i++) {
		Vybar__TrusteeSigned *ts = NULL;
		ProtobufCMessage *m = NULL;

		if (v->e[i]->type != type)
			continue;
		if (vy_decode_message((ProtobufCMessage **)&ts, &vybar__trustee_signed__descriptor, VY_MAX_MESSAGE_BYTES,
				      v->e[i]->payload.data, v->e[i]->payload.len, NULL) != VY_R_OK)
			continue;
		if (ts->trustee_index == idx &&
		    vy_decode_message(&m, desc, VY_MAX_MESSAGE_BYTES, ts->body.data, ts->body.len, NULL) == VY_R_OK) {
			vy_msg_free(ts);
			return m;
		}
		vy_msg_free(ts);
	}
	return NULL;
}

/* Sign body (§5.4), check the message against the record as the board
 * will (§8), then post it or write the message file. */
static int emit(ctx *c, Vybar__EntryType type, const void *body_msg)
{
	Vybar__RecordEntry e;
	uint8_t sig[VY_ENTRY_SIG_BUF_BYTES], fake_sk[crypto_sign_SECRETKEYBYTES] = { 0 };
	uint8_t *body, *payload = NULL;
	size_t blen, plen = 0;
	vy_reason why = { 0 };
	vy_rc rc;
	int ret = -1;

	body = vy_msg_pack(body_msg, &blen);
	if (body == NULL) {
		snprintf(c->err, sizeof c->err, "out of memory");
		return -1;
	}
	vyt_secrets_open(c->s);
	payload = vy_trustee_signed_pack(&c->v.st.election, type, c->v.me, body, blen, c->s->sign_sk, &plen);
	vyt_secrets_close(c->s);
	free(body);
	if (payload == NULL) {
		snprintf(c->err, sizeof c->err, "out of memory");
		return -1;
	}
	/* the entry's own rule (the frame signature is the board's business) */
	vy_entry_make(&e, sig, &c->v.st, type, payload, plen, fake_sk);
	switch (type) {
	case VYBAR__ENTRY_TYPE__ENTRY_TYPE_KEY_ANNOUNCE:
		rc = vy_validate_key_announce(&c->v.st, payload, plen, &why);
		break;
	case VYBAR__ENTRY_TYPE__ENTRY_TYPE_KEY_REVEAL:
		rc = vy_validate_key_reveal(&c->v.st, payload, plen, &why);
		break;
	case VYBAR__ENTRY_TYPE__ENTRY_TYPE_KEY_VERDICT:
		rc = vy_validate_key_verdict(&c->v.st, payload, plen, &why);
		break;
	case VYBAR__ENTRY_TYPE__ENTRY_TYPE_KEY_JUSTIFICATION:
		rc = vy_validate_key_justification(&c->v.st, payload, plen, &why);
		break;
	default:
		rc = c->o->corrupt_decryption ? VY_R_OK : vy_validate_partial_decryption(&c->v.st, payload, plen, &why);
	}
	if (rc != VY_R_OK) {
		snprintf(c->err, sizeof c->err, "the message would be refused: %s", why.msg);
		goto out;
	}
	if (c->o->board != NULL)
		ret = vyt_board_post(c->o->board, vyt_msg_endpoint((uint32_t)type), payload, plen, NULL, NULL, c->err);
	else if (c->o->out != NULL)
		ret = vyt_msg_write(c->o->out, (uint32_t)type, payload, plen, c->err);
	else
		snprintf(c->err, sizeof c->err, "give --board URL or --out FILE for the message");
	if (ret == 0)
		printf("trustee %u: %s message %s %s\n", c->v.me,
		       vyt_msg_endpoint((uint32_t)type) + strlen(VY_PATH_TRUSTEE),
		       c->o->board ? "posted to" : "written to", c->o->board ? c->o->board : c->o->out);
out:
	free(payload);
	return ret;
}

/* Load the polynomial of round 1 and check it belongs to this election and trustee. */
static int load_poly(ctx *c, vyt_poly **p)
{
	int r;

	vyt_secrets_open(c->s);
	r = vyt_poly_load(c->o->dir, c->s, p, c->err);
	vyt_secrets_close(c->s);
	if (r == 0)
		snprintf(c->err, sizeof c->err, "no polynomial in %s: run announce first", c->o->dir);
	if (r != 1)
		return -1;
	if (memcmp((*p)->base_hash, c->v.st.election.base_hash, 32) != 0 || (*p)->index != c->v.me ||
	    (*p)->t != c->v.st.manifest->threshold) {
		snprintf(c->err, sizeof c->err, "the polynomial in %s belongs to another election", c->o->dir);
		vyt_poly_free(*p);
		*p = NULL;
		return -1;
	}
	return 0;
}

/* Commitments A_j and their hash (§5.1). */
static void commit(ctx *c, const vyt_poly *p, vy_elem *A, uint8_t h[VY_HASH_BYTES])
{
	vy_feldman_commit(c->v.st.election.group, A, p->coeffs, p->t);
	vy_coefficient_commitment_hash(h, &c->v.st.election, p->index, A, p->t);
}

/* §5.1 round 1: draw (or reuse) the polynomial, announce its commitment hash. */
static int cmd_announce(ctx *c)
{
	Vybar__KeyAnnounce a = VYBAR__KEY_ANNOUNCE__INIT;
	vy_elem *A = calloc(VYT_MAX_T, sizeof *A);
	uint8_t h[VY_HASH_BYTES], xpk[crypto_box_PUBLICKEYBYTES];
	vyt_poly *p = NULL;
	int r = -1, got;

	if (A == NULL)
		return -1;
	if (c->v.st.phase != VY_PHASE_SETUP || c->v.st.trustees[c->v.me - 1].announced) {
		snprintf(c->err, sizeof c->err, "announce: %s", c->v.st.phase != VY_PHASE_SETUP ?
			 "the key ceremony is over" : "you have already announced");
		goto out;
	}
	vyt_secrets_open(c->s);
	got = vyt_poly_load(c->o->dir, c->s, &p, c->err);
	vyt_secrets_close(c->s);
	if (got < 0)
		goto out;
	if (got == 1 && (memcmp(p->base_hash, c->v.st.election.base_hash, 32) != 0 || p->index != c->v.me)) {
		snprintf(c->err, sizeof c->err, "%s holds the polynomial of another election", c->o->dir);
		goto out;
	}
	if (got == 0) {
		p = vyt_poly_new();
		if (p == NULL)
			goto out;
		memcpy(p->base_hash, c->v.st.election.base_hash, 32);
		p->index = c->v.me;
		p->t = c->v.st.manifest->threshold;
		vy_poly_random(c->v.st.election.group, p->coeffs, p->t);
		vyt_secrets_open(c->s);
		got = vyt_poly_save(c->o->dir, c->s, p, c->err);
		vyt_secrets_close(c->s);
		if (got != 0)
			goto out;
	}
	commit(c, p, A, h);
	vyt_secrets_open(c->s);
	memcpy(xpk, c->s->xpk, sizeof xpk);
	vyt_secrets_close(c->s);
	a.trustee_index = c->v.me;
	a.encryption_key.data = xpk;
	a.encryption_key.len = sizeof xpk;
	a.commitment_hash.data = h;
	a.commitment_hash.len = sizeof h;
	r = emit(c, VYBAR__ENTRY_TYPE__ENTRY_TYPE_KEY_ANNOUNCE, &a);
out:
	free(A);
	vyt_poly_free(p);
	return r;
}

/* One Schnorr proof (§5.2) into cr (c and v point into cv). */
static int prove_coeff(ctx *c, const vyt_poly *p, uint32_t j, const vy_elem *A, Vybar__ChallengeResponse *cr,
		       uint8_t cv[2][VY_SCALAR_BYTES])
{
	uint8_t pctx[VY_CTX_MAX_BYTES];
	vy_proof_ctx pc = { .group = c->v.st.election.group, .ctx = pctx };
	vy_schnorr_proof pr;

	memcpy(pc.base_hash, c->v.st.election.base_hash, VY_HASH_BYTES);
	pc.ctx_len = vy_coefficient_proof_ctx(pctx, p->index, j);
	if (vy_schnorr_prove(&pc, &pr, A, &p->coeffs[j]) != VY_OK) {
		snprintf(c->err, sizeof c->err, "reveal: Schnorr proof %u failed", j);
		return -1;
	}
	memcpy(cv[0], pr.c.b, VY_SCALAR_BYTES);
	memcpy(cv[1], pr.v.b, VY_SCALAR_BYTES);
	vybar__challenge_response__init(cr);
	cr->c.data = cv[0];
	cr->c.len = cr->v.len = VY_SCALAR_BYTES;
	cr->v.data = cv[1];
	return 0;
}

/* The X25519 key trustee k announced (§5.1). */
static int announced_key(ctx *c, uint32_t k, uint8_t out[crypto_box_PUBLICKEYBYTES])
{
	Vybar__KeyAnnounce *a = (Vybar__KeyAnnounce *)find_body(&c->v, VYBAR__ENTRY_TYPE__ENTRY_TYPE_KEY_ANNOUNCE, k,
								  &vybar__key_announce__descriptor);

	if (a == NULL || a->encryption_key.len != crypto_box_PUBLICKEYBYTES) {
		snprintf(c->err, sizeof c->err, "reveal: trustee %u has not announced", k);
		vy_msg_free(a);
		return -1;
	}
	memcpy(out, a->encryption_key.data, crypto_box_PUBLICKEYBYTES);
	vy_msg_free(a);
	return 0;
}

/* §5.2 round 2: commitments, proofs, and a sealed share for every other trustee. */
static int cmd_reveal(ctx *c)
{
	const vy_group *g = c->v.st.election.group;
	uint32_t n = c->v.st.manifest->trustee_count, t = c->v.st.manifest->threshold;
	Vybar__KeyReveal kr = VYBAR__KEY_REVEAL__INIT;
	vy_elem *A = calloc(VYT_MAX_T, sizeof *A);
	ProtobufCBinaryData *cb = calloc(t, sizeof *cb);
	Vybar__ChallengeResponse *cr = calloc(t, sizeof *cr), **crp = calloc(t, sizeof *crp);
	uint8_t (*cv)[2][VY_SCALAR_BYTES] = calloc(t, sizeof *cv), (*enc)[VY_ELEM_MAX_BYTES] = calloc(t, sizeof *enc);
	Vybar__EncryptedShare *es = calloc(n, sizeof *es), **esp = calloc(n, sizeof *esp);
	uint8_t (*sealed)[crypto_box_SEALBYTES + VY_SCALAR_BYTES] = calloc(n, sizeof *sealed);
	vy_scalar *share = sodium_malloc(sizeof *share);
	uint8_t h[VY_HASH_BYTES], xpk[crypto_box_PUBLICKEYBYTES];
	vyt_poly *p = NULL;
	int r = -1;

	if (!A || !cb || !cr || !crp || !cv || !enc || !es || !esp || !sealed || !share) {
		snprintf(c->err, sizeof c->err, "out of memory");
		goto out;
	}
	if (c->v.st.phase != VY_PHASE_SETUP || c->v.st.trustees[c->v.me - 1].revealed) {
		snprintf(c->err, sizeof c->err, "reveal: %s", c->v.st.phase != VY_PHASE_SETUP ?
			 "the key ceremony is over" : "you have already revealed");
		goto out;
	}
	if (load_poly(c, &p) != 0)
		goto out;
	commit(c, p, A, h);
	if (!c->v.st.trustees[c->v.me - 1].announced ||
	    memcmp(h, c->v.st.trustees[c->v.me - 1].commitment_hash, VY_HASH_BYTES) != 0) {
		snprintf(c->err, sizeof c->err, "reveal: the polynomial in %s does not match your announcement on the "
			 "record", c->o->dir);
		goto out;
	}
	kr.trustee_index = c->v.me;
	for (uint32_t j = 0; j < t; j++) {
		vy_elem_encode(g, enc[j], &A[j]);
		cb[j].data = enc[j];
		cb[j].len = vy_group_elem_bytes(g);
		if (prove_coeff(c, p, j, &A[j], &cr[j], cv[j]) != 0)
			goto out;
		crp[j] = &cr[j];
	}
	kr.commitments = cb;
	kr.n_commitments = t;
	kr.proofs = crp;
	kr.n_proofs = t;
	for (uint32_t k = 1; k <= n; k++) {
		uint8_t plain[VY_SCALAR_BYTES];

		if (k == c->v.me)
			continue;
		if (announced_key(c, k, xpk) != 0)
			goto out;
		vy_poly_eval(g, share, p->coeffs, t, k);
		if (k == c->o->corrupt_share_for) { /* hidden test option: a cheating dealer */
			vy_scalar one;

			vy_scalar_from_u64(g, &one, 1);
			vy_scalar_add(g, share, share, &one);
		}
		vy_scalar_encode(g, plain, share);
		if (crypto_box_seal(sealed[kr.n_shares], plain, sizeof plain, xpk) != 0) {
			sodium_memzero(plain, sizeof plain);
			snprintf(c->err, sizeof c->err, "reveal: cannot seal the share for trustee %u", k);
			goto out;
		}
		sodium_memzero(plain, sizeof plain);
		vybar__encrypted_share__init(&es[kr.n_shares]);
		es[kr.n_shares].recipient_index = k;
		es[kr.n_shares].sealed.data = sealed[kr.n_shares];
		es[kr.n_shares].sealed.len = sizeof sealed[0];
		esp[kr.n_shares] = &es[kr.n_shares];
		kr.n_shares++;
	}
	kr.shares = esp;
	r = emit(c, VYBAR__ENTRY_TYPE__ENTRY_TYPE_KEY_REVEAL, &kr);
out:
	free(A);
	free(cb);
	free(cr);
	free(crp);
	free(cv);
	free(enc);
	free(es);
	free(esp);
	free(sealed);
	if (share != NULL)
		sodium_free(share);
	vyt_poly_free(p);
	return r;
}

/* §5.3: open and check the share from trustee `from`; 0 when good. */
static int share_from(ctx *c, uint32_t from, vy_scalar *share, vy_reason *why)
{
	Vybar__KeyReveal *rv = (Vybar__KeyReveal *)find_body(&c->v, VYBAR__ENTRY_TYPE__ENTRY_TYPE_KEY_REVEAL, from,
							       &vybar__key_reveal__descriptor);
	vy_rc rc;

	if (rv == NULL)
	{
		vy_reason_set(why, VY_R_TRUSTEE, "trustee %u has not revealed", from);
		return -1;
	}
	vyt_secrets_open(c->s);
	rc = vy_ceremony_open_share(&c->v.st, share, rv, c->v.me, c->s->xpk, c->s->xsk, why);
	vyt_secrets_close(c->s);
	vy_msg_free(rv);
	return rc == VY_R_OK ? 0 : -1;
}

/* §5.3 round 3: accept every share, or complain against the senders of bad ones. */
static int cmd_verdict(ctx *c)
{
	uint32_t n = c->v.st.manifest->trustee_count;
	Vybar__KeyVerdict kv = VYBAR__KEY_VERDICT__INIT;
	Vybar__Complaint cm[VY_MAX_TRUSTEES], *cmp[VY_MAX_TRUSTEES];
	char reasons[VY_MAX_TRUSTEES][VY_REASON_MSG_BYTES];
	vy_scalar *share = sodium_malloc(sizeof *share);
	int r;

	if (share == NULL)
		return -1;
	if (c->v.st.phase != VY_PHASE_SETUP || c->v.st.trustees[c->v.me - 1].verdict) {
		snprintf(c->err, sizeof c->err, "verdict: %s", c->v.st.phase != VY_PHASE_SETUP ?
			 "the key ceremony is over" : "you have already given your verdict");
		sodium_free(share);
		return -1;
	}
	kv.trustee_index = c->v.me;
	for (uint32_t k = 1; k <= n; k++) {
		vy_reason why = { 0 };

		if (k == c->v.me || !c->v.st.trustees[k - 1].revealed)
			continue;
		if (share_from(c, k, share, &why) == 0)
			continue;
		vybar__complaint__init(&cm[kv.n_complaints]);
		cm[kv.n_complaints].against_index = k;
		snprintf(reasons[kv.n_complaints], sizeof reasons[0], "%s", why.msg);
		cm[kv.n_complaints].reason = reasons[kv.n_complaints];
		cmp[kv.n_complaints] = &cm[kv.n_complaints];
		fprintf(stderr, "complaint against trustee %u: %s\n", k, why.msg);
		kv.n_complaints++;
	}
	sodium_free(share);
	kv.accept_all = kv.n_complaints == 0;
	kv.complaints = cmp;
	r = emit(c, VYBAR__ENTRY_TYPE__ENTRY_TYPE_KEY_VERDICT, &kv);
	return r;
}

/* §5.3 round 3b: publish f_me(k) for every complainer k. */
static int cmd_justify(ctx *c)
{
	const vy_group *g = c->v.st.election.group;
	const vy_trustee_state *ts = &c->v.st.trustees[c->v.me - 1];
	Vybar__KeyJustification kj = VYBAR__KEY_JUSTIFICATION__INIT;
	Vybar__JustifiedShare js[VY_MAX_TRUSTEES], *jsp[VY_MAX_TRUSTEES];
	uint8_t (*enc)[VY_SCALAR_BYTES] = sodium_malloc(VY_MAX_TRUSTEES * VY_SCALAR_BYTES);
	vy_scalar *s = sodium_malloc(sizeof *s);
	vyt_poly *p = NULL;
	int r = -1;

	if (enc == NULL || s == NULL)
		goto out;
	if (c->v.st.phase != VY_PHASE_SETUP || ts->complained_by == 0 || ts->justified) {
		snprintf(c->err, sizeof c->err, "justify: %s", c->v.st.phase != VY_PHASE_SETUP ?
			 "the key ceremony is over" : ts->justified ? "you have already answered" :
			 "nobody complained against you: nothing to justify");
		goto out;
	}
	if (load_poly(c, &p) != 0)
		goto out;
	kj.trustee_index = c->v.me;
	for (uint32_t k = 1; k <= c->v.st.manifest->trustee_count; k++) {
		if (!((ts->complained_by >> (k - 1)) & 1))
			continue;
		vy_poly_eval(g, s, p->coeffs, p->t, k);
		vy_scalar_encode(g, enc[kj.n_shares], s);
		vybar__justified_share__init(&js[kj.n_shares]);
		js[kj.n_shares].complainer_index = k;
		js[kj.n_shares].share.data = enc[kj.n_shares];
		js[kj.n_shares].share.len = VY_SCALAR_BYTES;
		jsp[kj.n_shares] = &js[kj.n_shares];
		kj.n_shares++;
	}
	kj.shares = jsp;
	r = emit(c, VYBAR__ENTRY_TYPE__ENTRY_TYPE_KEY_JUSTIFICATION, &kj);
out:
	if (enc != NULL)
		sodium_free(enc);
	if (s != NULL)
		sodium_free(s);
	vyt_poly_free(p);
	return r;
}

/* The share trustee i justified for us on the record (§5.3); 0 when found. */
static int justified_share(ctx *c, uint32_t i, vy_scalar *out)
{
	Vybar__KeyJustification *kj = (Vybar__KeyJustification *)find_body(
		&c->v, VYBAR__ENTRY_TYPE__ENTRY_TYPE_KEY_JUSTIFICATION, i, &vybar__key_justification__descriptor);
	int r = -1;

	for (size_t k = 0; kj != NULL && k < kj->n_shares; k++)
		if (kj->shares[k]->complainer_index == c->v.me &&
		    vy_scalar_decode(c->v.st.election.group, out, kj->shares[k]->share.data, kj->shares[k]->share.len) ==
			    VY_OK)
			r = 0;
	vy_msg_free(kj);
	return r;
}

/* Hidden test option: multiply the first decryption share by g, keeping the proof. */
static uint8_t *corrupt_partial(ctx *c, uint8_t *body, size_t *len)
{
	const vy_group *g = c->v.st.election.group;
	Vybar__PartialDecryption *pd = NULL;
	vy_elem m, gen;
	uint8_t *out = NULL;

	if (vy_decode_message((ProtobufCMessage **)&pd, &vybar__partial_decryption__descriptor, VY_MAX_MESSAGE_BYTES,
			      body, *len, NULL) == VY_R_OK && pd->n_contests > 0 && pd->contests[0]->n_options > 0) {
		ProtobufCBinaryData *sh = &pd->contests[0]->options[0]->share;

		if (vy_elem_decode(g, &m, sh->data, sh->len) == VY_OK) {
			vy_elem_generator(g, &gen);
			vy_elem_mul(g, &m, &m, &gen);
			vy_elem_encode(g, sh->data, &m);
			out = vy_msg_pack(pd, len);
		}
	}
	vy_msg_free(pd);
	free(body);
	return out;
}

/* §5.5 and §10.2: the secret share from the qualified trustees' shares, and
 * the partial decryption of the encrypted tally. */
static int cmd_decrypt(ctx *c)
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
	if (!c->v.st.trustees[c->v.me - 1].qualified || c->v.st.trustees[c->v.me - 1].decrypted) {
		snprintf(c->err, sizeof c->err, "decrypt: %s", c->v.st.trustees[c->v.me - 1].decrypted ?
			 "your partial decryption is already on the record" : "you were disqualified in the ceremony");
		goto out;
	}
	if (load_poly(c, &p) != 0)
		goto out;
	for (uint32_t i = 1; i <= n; i++) {
		if (!c->v.st.trustees[i - 1].qualified)
			continue;
		if (i == c->v.me) {
			vy_poly_eval(g, &recv[i - 1], p->coeffs, p->t, i);
		} else if (justified_share(c, i, &recv[i - 1]) != 0 && share_from(c, i, &recv[i - 1], &why) != 0) {
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
	if (c->o->corrupt_decryption && (body = corrupt_partial(c, body, &blen)) == NULL)
		goto out;
	if (vy_decode_message((ProtobufCMessage **)&pd, &vybar__partial_decryption__descriptor, VY_MAX_MESSAGE_BYTES,
			      body, blen, &why) != VY_R_OK) {
		snprintf(c->err, sizeof c->err, "decrypt: %s", why.msg);
		goto out;
	}
	r = emit(c, VYBAR__ENTRY_TYPE__ENTRY_TYPE_PARTIAL_DECRYPTION, pd);
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

/* Count trustees with a flag. */
static uint32_t count(const view *v, int what)
{
	uint32_t k = 0;

	for (uint32_t i = 0; i < v->st.manifest->trustee_count; i++) {
		const vy_trustee_state *t = &v->st.trustees[i];

		k += what == 0 ? t->announced : what == 1 ? t->revealed : what == 2 ? t->verdict : t->decrypted;
	}
	return k;
}

/* §6 of specs/trustee.md: what this trustee must do next. */
static const char *next_step(const view *v)
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
static void status_trustee(ctx *c, uint32_t i)
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
	if (justified_share(c, i, sh) == 0)
		printf("    you use the share it published for you in its justification (it matches its "
		       "commitments), not the one it sealed\n");
	else if (c->v.st.phase == VY_PHASE_SETUP && share_from(c, i, sh, &why) != 0)
		printf("    its share to you is BAD (%s): %s\n", why.msg, c->v.st.trustees[c->v.me - 1].verdict ?
		       "it must justify, or it is disqualified" : "complain against it in your verdict");
	sodium_free(sh);
}

/* The status report (specs/trustee.md §6). */
static int cmd_status(ctx *c)
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

/* keygen: new keys in DIR; print the signing key for the manifest. */
static int cmd_keygen(ctx *c)
{
	char *pass = NULL, hex[2 * crypto_sign_PUBLICKEYBYTES + 1];

	if (vyt_passphrase(&c->o->pass, 1, &pass, c->err) != 0)
		return -1;
	if (vyt_keygen(c->o->dir, pass, &c->s, c->err) != 0) {
		sodium_free(pass);
		return -1;
	}
	sodium_free(pass);
	vyt_secrets_open(c->s);
	sodium_bin2hex(hex, sizeof hex, c->s->sign_pk, crypto_sign_PUBLICKEYBYTES);
	vyt_secrets_close(c->s);
	printf("%s\n", hex);
	return 0;
}

/* The message descriptor of a trustee message type's body (NULL: not one). */
static const ProtobufCMessageDescriptor *body_descriptor(uint32_t type)
{
	switch (type) {
	case VYBAR__ENTRY_TYPE__ENTRY_TYPE_KEY_ANNOUNCE:
		return &vybar__key_announce__descriptor;
	case VYBAR__ENTRY_TYPE__ENTRY_TYPE_KEY_REVEAL:
		return &vybar__key_reveal__descriptor;
	case VYBAR__ENTRY_TYPE__ENTRY_TYPE_KEY_VERDICT:
		return &vybar__key_verdict__descriptor;
	case VYBAR__ENTRY_TYPE__ENTRY_TYPE_KEY_JUSTIFICATION:
		return &vybar__key_justification__descriptor;
	case VYBAR__ENTRY_TYPE__ENTRY_TYPE_PARTIAL_DECRYPTION:
		return &vybar__partial_decryption__descriptor;
	default:
		return NULL;
	}
}

/* The trustee index a body names (every body's field 1). */
static uint32_t body_index(uint32_t type, const ProtobufCMessage *m)
{
	switch (type) {
	case VYBAR__ENTRY_TYPE__ENTRY_TYPE_KEY_ANNOUNCE:
		return ((const Vybar__KeyAnnounce *)m)->trustee_index;
	case VYBAR__ENTRY_TYPE__ENTRY_TYPE_KEY_REVEAL:
		return ((const Vybar__KeyReveal *)m)->trustee_index;
	case VYBAR__ENTRY_TYPE__ENTRY_TYPE_KEY_VERDICT:
		return ((const Vybar__KeyVerdict *)m)->trustee_index;
	case VYBAR__ENTRY_TYPE__ENTRY_TYPE_KEY_JUSTIFICATION:
		return ((const Vybar__KeyJustification *)m)->trustee_index;
	default:
		return ((const Vybar__PartialDecryption *)m)->trustee_index;
	}
}

/* The message is of the kind its file's header says: a TrusteeSigned whose
 * body decodes as that type's message and names the signing trustee. Its
 * signature and its rules are the board's to check (they need the record).
 * *idx gets the trustee's index. */
static int message_kind(uint32_t type, const uint8_t *p, size_t n, uint32_t *idx, char *err)
{
	const ProtobufCMessageDescriptor *d = body_descriptor(type);
	Vybar__TrusteeSigned *ts = NULL;
	ProtobufCMessage *m = NULL;
	vy_reason why = { 0 };
	int r = -1;

	if (d == NULL) {
		snprintf(err, VYT_ERR_BYTES, "entry type %u is not a trustee message (2 announce, 3 reveal, "
			 "4 verdict, 12 justification, 10 partial decryption)", type);
		return -1;
	}
	if (vy_decode_message((ProtobufCMessage **)&ts, &vybar__trustee_signed__descriptor, VY_MAX_MESSAGE_BYTES, p, n,
			      &why) != VY_R_OK) {
		snprintf(err, VYT_ERR_BYTES, "not a signed trustee message: %s", why.msg);
		return -1;
	}
	if (vy_decode_message(&m, d, VY_MAX_MESSAGE_BYTES, ts->body.data, ts->body.len, &why) != VY_R_OK)
		snprintf(err, VYT_ERR_BYTES, "the header says a %s message, but the message is not one: %s",
			 vyt_msg_endpoint(type) + strlen(VY_PATH_TRUSTEE), why.msg);
	else if (body_index(type, m) != ts->trustee_index)
		snprintf(err, VYT_ERR_BYTES, "signed by trustee %u, but its body is trustee %u's", ts->trustee_index,
			 body_index(type, m));
	else
		r = 0;
	*idx = ts->trustee_index;
	vy_msg_free(m);
	vy_msg_free(ts);
	return r;
}

/* post: carry a message file (§5.2) to the board. It is signed already, so
 * no key is needed; the file's header and the message's kind are checked
 * before anything is sent, and the board checks the rest. */
static int cmd_post(ctx *c)
{
	const opts *o = c->o;
	const uint8_t *payload;
	uint8_t *buf = NULL, head[VY_HASH_BYTES];
	char hex[2 * VY_HASH_BYTES + 1], why[VYT_ERR_BYTES];
	size_t len = 0, plen = 0;
	uint32_t type = 0, idx = 0;
	uint64_t seq = 0;
	int r = -1;

	if (vyt_read_file(o->message, VYT_MSG_HDR_BYTES + (size_t)VY_MAX_MESSAGE_BYTES + 1, &buf, &len, c->err) != 0)
		return -1;
	if (vyt_msg_parse(buf, len, &type, &payload, &plen, why) != 0 ||
	    message_kind(type, payload, plen, &idx, why) != 0) {
		snprintf(c->err, sizeof c->err, "%.2048s: %.4096s (nothing sent)", o->message, why);
		goto out;
	}
	if (vyt_board_post(o->board, vyt_msg_endpoint(type), payload, plen, &seq, head, why) != 0) {
		snprintf(c->err, sizeof c->err, "%.2048s: %.4096s", o->message, why);
		goto out;
	}
	sodium_bin2hex(hex, sizeof hex, head, sizeof head);
	printf("trustee %u: %s message posted to %s: entry %llu, head %s\n", idx,
	       vyt_msg_endpoint(type) + strlen(VY_PATH_TRUSTEE), o->board, (unsigned long long)seq, hex);
	r = 0;
out:
	free(buf);
	return r;
}

/* Unlock the key, read the record, find our index; then run the command. */
static int run(ctx *c)
{
	char *pass = NULL;
	int r;

	if (strcmp(c->o->cmd, "keygen") == 0)
		return cmd_keygen(c);
	if (strcmp(c->o->cmd, "post") == 0)
		return cmd_post(c);
	if (c->o->board == NULL && c->o->record == NULL) {
		snprintf(c->err, sizeof c->err, "give --board URL or --record FILE");
		return -1;
	}
	if (c->o->board != NULL && c->o->out != NULL) {
		snprintf(c->err, sizeof c->err, "--out goes with --record, not with --board");
		return -1;
	}
	if (vyt_passphrase(&c->o->pass, 0, &pass, c->err) != 0)
		return -1;
	r = vyt_key_load(c->o->dir, pass, &c->s, c->err);
	sodium_free(pass);
	if (r != 0 || view_load(c) != 0)
		return -1;
	vyt_secrets_open(c->s);
	r = find_me(c);
	vyt_secrets_close(c->s);
	if (r != 0)
		return -1;
	if (strcmp(c->o->cmd, "announce") == 0)
		return cmd_announce(c);
	if (strcmp(c->o->cmd, "reveal") == 0)
		return cmd_reveal(c);
	if (strcmp(c->o->cmd, "verdict") == 0)
		return cmd_verdict(c);
	if (strcmp(c->o->cmd, "justify") == 0)
		return cmd_justify(c);
	if (strcmp(c->o->cmd, "decrypt") == 0)
		return cmd_decrypt(c);
	return cmd_status(c);
}

int main(int argc, char **argv)
{
	static const char *const cmds[] = { "keygen", "announce", "reveal", "verdict", "justify", "decrypt", "status",
					    "post" };
	opts o;
	ctx c;
	int known = 0, r;

	memset(&c, 0, sizeof c);
	vy_record_state_init(&c.v.st);
	if (parse(argc, argv, &o) != 0)
		goto bad;
	c.o = &o;
	for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++)
		known |= strcmp(argv[1], cmds[i]) == 0;
	if (!known)
		goto bad;
	/* libgcrypt (registrar signatures) before the engine's threads use it */
	if (vy_init() != VY_OK || gcry_check_version(NULL) == NULL || vy_http_global_init() != VY_R_OK) {
		fprintf(stderr, "vybar-trustee: cannot initialise libsodium, libgcrypt or libcurl\n");
		return 1;
	}
	r = run(&c);
	if (r != 0)
		fprintf(stderr, "vybar-trustee %s: %s\n", c.o->cmd, c.err);
	vyt_secrets_free(c.s);
	view_free(&c.v);
	vy_http_global_cleanup();
	return r == 0 ? 0 : 1;
bad:
	view_free(&c.v);
	usage();
	return 2;
}
