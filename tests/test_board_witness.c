/*
 * The board and its witnesses (specs/witness.md §7.1): a real vybar-board
 * on 127.0.0.1 pushes checkpoints to fake witnesses run in this process
 * (libmicrohttpd servers that check the board's signature and cosign with
 * the fixtures' witness keys; a silent one is a socket that never answers).
 * The manifest names the fixtures' 3 witnesses, any 2 of whom suffice.
 *
 *  - 2 witnesses answer, 1 is silent: the WITNESSED entry follows the
 *    tally, the record verifies, and a partial decryption is accepted;
 *  - 1 answers, 1 answers 500, 1 is silent: no WITNESSED entry, and a
 *    partial decryption is refused (403, the phase: "only after the
 *    WITNESSED entry");
 *  - GET /v1/checkpoint is a valid note over the record's Merkle root, and
 *    GET /v1/proof/inclusion proves each entry under it.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>

#include "protocol/vy_checkpoint.h"
#include "tests/support/board_harness.h"

#define ADMIN_CLOSE VYBAR__ADMIN_ACTION_KIND__ADMIN_ACTION_KIND_CLOSE
#define ADMIN_TALLY VYBAR__ADMIN_ACTION_KIND__ADMIN_ACTION_KIND_TALLY
#define OUT_BYTES 65536
#define BODY_MAX 65536
#define WAIT_WITNESSED_S 15 /* the most the WITNESSED entry may take */
#define WAIT_NONE_S 4       /* how long no WITNESSED entry must appear */

enum { FAKE_COSIGN, FAKE_FAIL };

/* One fake witness: index (0-based) into the fixtures' witnesses. */
typedef struct {
	struct MHD_Daemon *d;
	int mode;
	uint32_t index;
	const vyf_keys *keys;
	const uint8_t *base_hash;
	char url[64];
} fake_witness;

typedef struct {
	char *buf;
	size_t len;
} req_body;

/* tlog-witness add-checkpoint: "old N\n", proof lines, "\n", the note.
 * Check the board's signature, then cosign (or answer 500). */
static enum MHD_Result fake_answer(fake_witness *w, struct MHD_Connection *c, req_body *rb)
{
	const char *note = rb->buf != NULL ? strstr(rb->buf, "\n\n") : NULL;
	char line[512];
	vy_checkpoint cp;
	vy_cosignature cs;
	vy_reason why = { 0 };
	unsigned status = MHD_HTTP_OK;
	size_t n = 0;
	struct MHD_Response *r;
	enum MHD_Result ret;

	if (w->mode == FAKE_FAIL || note == NULL || strncmp(rb->buf, "old ", 4) != 0) {
		status = MHD_HTTP_INTERNAL_SERVER_ERROR;
	} else if (vy_checkpoint_note_parse(&cp, NULL, NULL, note + 2, rb->len - (size_t)(note + 2 - rb->buf),
					    w->base_hash, w->keys->board_pk, NULL, NULL, 0, &why) != VY_R_OK) {
		status = MHD_HTTP_FORBIDDEN;
	} else {
		vy_cosign(&cs, (uint64_t)time(NULL), &cp, w->keys->witness_sk[w->index]);
		n = vy_note_line_cosignature(line, sizeof line, vyf_witness_name(w->index + 1),
					     w->keys->witness_pk[w->index], &cs);
	}
	r = MHD_create_response_from_buffer(n, line, MHD_RESPMEM_MUST_COPY);
	if (r == NULL)
		return MHD_NO;
	ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result fake_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
				    const char *version, const char *data, size_t *size, void **con_cls)
{
	req_body *rb = *con_cls;

	(void)version;
	if (strcmp(method, "POST") != 0 || strcmp(url, "/add-checkpoint") != 0)
		return MHD_NO;
	if (rb == NULL) {
		*con_cls = calloc(1, sizeof *rb);
		return *con_cls != NULL ? MHD_YES : MHD_NO;
	}
	if (*size > 0) {
		char *nb = rb->len + *size < BODY_MAX ? realloc(rb->buf, rb->len + *size + 1) : NULL;

		if (nb == NULL)
			return MHD_NO;
		memcpy(nb + rb->len, data, *size);
		rb->buf = nb;
		rb->len += *size;
		rb->buf[rb->len] = '\0';
		*size = 0;
		return MHD_YES;
	}
	return fake_answer(cls, c, rb);
}

static void fake_completed(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode toe)
{
	req_body *rb = *con_cls;

	(void)cls;
	(void)c;
	(void)toe;
	if (rb != NULL)
		free(rb->buf);
	free(rb);
	*con_cls = NULL;
}

static struct sockaddr_in loopback(void)
{
	struct sockaddr_in sa;

	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return sa;
}

static void fake_start(fake_witness *w, int mode, uint32_t index, const vyh_election *e)
{
	struct sockaddr_in sa = loopback();
	const union MHD_DaemonInfo *info;

	w->mode = mode;
	w->index = index;
	w->keys = &e->r.keys;
	w->base_hash = e->r.st.election.base_hash;
	w->d = MHD_start_daemon(MHD_USE_AUTO_INTERNAL_THREAD, 0, NULL, NULL, fake_request, w, MHD_OPTION_SOCK_ADDR,
				(struct sockaddr *)&sa, MHD_OPTION_NOTIFY_COMPLETED, fake_completed, NULL,
				MHD_OPTION_END);
	assert_non_null(w->d);
	info = MHD_get_daemon_info(w->d, MHD_DAEMON_INFO_BIND_PORT);
	assert_non_null(info);
	snprintf(w->url, sizeof w->url, "http://127.0.0.1:%u", (unsigned)info->port);
}

/* A silent witness: a socket that listens and never answers. */
static int silent_start(char url[64])
{
	struct sockaddr_in sa = loopback();
	socklen_t len = sizeof sa;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof sa), 0);
	assert_int_equal(listen(fd, 16), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
	snprintf(url, 64, "http://127.0.0.1:%u", (unsigned)ntohs(sa.sin_port));
	return fd;
}

/* The election (manifest naming the 3 witnesses, k = 2) and a board
 * pushing to a silent witness and the fakes, each in `modes`. */
typedef struct {
	vyh_election e;
	fake_witness w[2];
	char silent_url[64];
	int silent_fd;
} world;

static void world_start(world *wd, const int modes[2])
{
	const char *args[8];
	vyf_keys k;
	uint8_t *m;
	size_t len;

	/* The fakes read the keys and base hash (filled in by
	 * vyh_election_start) only once the board pushes. */
	for (uint32_t i = 0; i < 2; i++)
		fake_start(&wd->w[i], modes[i], i, &wd->e);
	wd->silent_fd = silent_start(wd->silent_url);
	args[0] = "--witness";
	args[1] = wd->silent_url;
	args[2] = "--witness";
	args[3] = wd->w[0].url;
	args[4] = "--witness";
	args[5] = wd->w[1].url;
	args[6] = NULL;
	vyf_keys_init(&k, 3, 2);
	k.n_witnesses = VYF_WITNESSES;
	k.witness_k = VYF_WITNESS_K;
	m = vyf_manifest_pack(&k, &len);
	vyh_election_start_manifest(&wd->e, 3, 2, m, len, args);
	free(m);
	assert_int_equal(wd->e.r.st.manifest->n_witnesses, VYF_WITNESSES);
}

static void world_stop(world *wd)
{
	assert_int_equal(vyh_stop(&wd->e.b, SIGTERM), 0);
	for (uint32_t i = 0; i < 2; i++)
		MHD_stop_daemon(wd->w[i].d);
	close(wd->silent_fd);
	vyh_election_free(&wd->e);
}

static void post_and_append(vyh_election *e, const char *path, Vybar__EntryType type, uint8_t *msg, size_t len)
{
	vyh_resp r;

	vyh_post(&e->b, path, msg, len, &r);
	if (r.status != 200)
		fail_msg("POST %s: status %ld: %s", path, r.status, r.body != NULL ? (const char *)r.body : "");
	vyh_resp_free(&r);
	vyf_record_append(&e->r, type, msg, len);
	free(msg);
}

/* Ceremony, one ballot, close, the registrar's statement, the tally (each
 * entry also built locally; the local tally without its WITNESSED entry). */
static void to_the_tally(vyh_election *e)
{
	Vybar__ElectionClose cl = VYBAR__ELECTION_CLOSE__INIT;
	uint32_t choices[VYF_SELECTIONS];
	vy_reason why = { 0 };
	vyf_voter v;
	uint8_t *p;
	size_t n;

	vyh_election_ceremony(e);
	vyf_default_choices(choices);
	vyf_voter_init(&v, &e->r.st.election, "alice");
	p = vyf_ballot_pack(&e->r.st.election, &v, choices, "1", NULL, &n);
	post_and_append(e, VY_PATH_BALLOTS, VYBAR__ENTRY_TYPE__ENTRY_TYPE_BALLOT, p, n);
	vyh_admin(e, ADMIN_CLOSE);
	cl.ballots_received = e->r.st.ballots;
	p = vy_msg_pack(&cl, &n);
	assert_non_null(p);
	vyf_record_append_owned(&e->r, VYBAR__ENTRY_TYPE__ENTRY_TYPE_ELECTION_CLOSE, p, n);
	p = vyf_issued_statement(e->r.st.election.base_hash, e->r.st.cred_count, VYF_ISSUED_TIME, e->r.keys.statement_sk,
				 &n);
	post_and_append(e, VY_PATH_CREDENTIALS_ISSUED, VYBAR__ENTRY_TYPE__ENTRY_TYPE_CREDENTIALS_ISSUED, p, n);
	vyh_admin(e, ADMIN_TALLY);
	assert_int_equal(vy_tally_encrypted(&e->r.st, &p, &n, &why), VY_R_OK);
	vyf_record_append_owned(&e->r, VYBAR__ENTRY_TYPE__ENTRY_TYPE_ENCRYPTED_TALLY, p, n);
}

/* A tenth of a second. */
static void tick(void)
{
	const struct timespec t = { 0, 100000000L };

	nanosleep(&t, NULL);
}

/* The board's last entry, decoded (free with vy_msg_free). */
static Vybar__RecordEntry *last_entry(const vyh_election *e)
{
	Vybar__RecordEntry *out = NULL;
	const uint8_t *entry, *last = NULL;
	size_t len, off = VY_RECORD_MAGIC_LEN, elen, last_len = 0;
	uint8_t *rec = vyh_record(&e->b, &len);

	do {
		assert_int_equal(vy_record_frame_next(rec, len, &off, &entry, &elen, NULL), VY_R_OK);
		if (entry != NULL) {
			last = entry;
			last_len = elen;
		}
	} while (entry != NULL);
	assert_non_null(last);
	assert_int_equal(vy_decode_entry(&out, last, last_len, NULL), VY_R_OK);
	free(rec);
	return out;
}

/* Wait up to seconds for the board's last entry to be of type t; 1 if it is. */
static int wait_last_type(const vyh_election *e, Vybar__EntryType t, int seconds)
{
	for (int i = 0; i < seconds * 10; i++) {
		Vybar__RecordEntry *x = last_entry(e);
		int yes = x->type == t;

		vy_msg_free(x);
		if (yes)
			return 1;
		tick();
	}
	return 0;
}

/* Trustee 1's partial decryption, posted: the answer's status in *r. */
static uint8_t *partial(vyh_election *e, size_t *n)
{
	uint32_t q[VYF_MAX_TRUSTEES];
	vy_scalar s;

	for (uint32_t i = 0; i < e->r.keys.n; i++)
		q[i] = i + 1;
	vyf_secret_share(&e->r, 1, q, e->r.keys.n, &s);
	return vyf_partial(&e->r, 1, &s, n);
}

/* GET /v1/checkpoint: a valid note of the whole record; the number of
 * witnesses' cosignatures it holds. */
static int check_checkpoint(const vyh_election *e)
{
	const char *names[VYF_WITNESSES];
	vy_cosignature cs[VYF_WITNESSES];
	int have[VYF_WITNESSES] = { 0 }, count = 0;
	uint8_t root[VY_MERKLE_HASH_BYTES];
	vy_checkpoint c;
	vy_reason why = { 0 };
	vyh_resp r;

	for (uint32_t i = 0; i < VYF_WITNESSES; i++)
		names[i] = vyf_witness_name(i + 1);
	vyh_get(&e->b, VY_PATH_CHECKPOINT, &r);
	assert_int_equal(r.status, 200);
	if (vy_checkpoint_note_parse(&c, cs, have, (const char *)r.body, r.len, e->r.st.election.base_hash,
				     e->r.keys.board_pk, names, (const uint8_t(*)[32])e->r.keys.witness_pk,
				     VYF_WITNESSES, &why) != VY_R_OK)
		fail_msg("checkpoint: %s\n%s", why.msg, (const char *)r.body);
	vyh_resp_free(&r);
	vy_merkle_acc_root(&e->r.st.tree, root);
	assert_int_equal(c.size, e->r.st.next_seq);
	assert_memory_equal(c.root, root, sizeof root);
	for (uint32_t i = 0; i < VYF_WITNESSES; i++)
		count += have[i];
	return count;
}

/* GET /v1/proof/inclusion for every entry: each proves its entry hash
 * under the record's root; a seq beyond the size is not found. */
static void check_inclusion(const vyh_election *e)
{
	uint8_t root[VY_MERKLE_HASH_BYTES], leaf[VY_MERKLE_HASH_BYTES];
	uint8_t path[VY_MERKLE_MAX_PROOF][VY_MERKLE_HASH_BYTES];
	uint8_t (*hashes)[VY_HASH_BYTES];
	uint64_t size = e->r.st.next_seq;
	size_t len, n;
	uint8_t *rec = vyh_local_record(e, &len);
	char q[96];
	vyh_resp r;

	hashes = vyh_entry_hashes(rec, len, &n);
	assert_int_equal(n, size);
	vy_merkle_acc_root(&e->r.st.tree, root);
	for (uint64_t i = 0; i < size; i++) {
		const char *line;
		size_t np = 0, got = 0;

		snprintf(q, sizeof q, "%s?seq=%llu&size=%llu", VY_PATH_PROOF_INCLUSION, (unsigned long long)i,
			 (unsigned long long)size);
		vyh_get(&e->b, q, &r);
		assert_int_equal(r.status, 200);
		for (line = (const char *)r.body; line != NULL && *line != '\0'; np++) {
			const char *end = strchr(line, '\n');

			assert_non_null(end);
			assert_true(np < VY_MERKLE_MAX_PROOF);
			assert_int_equal(sodium_base642bin(path[np], VY_MERKLE_HASH_BYTES, line, (size_t)(end - line), NULL,
							   &got, NULL, sodium_base64_VARIANT_ORIGINAL),
					 0);
			assert_int_equal(got, VY_MERKLE_HASH_BYTES);
			line = end + 1;
		}
		vyh_resp_free(&r);
		vy_merkle_leaf_hash(leaf, hashes[i], VY_HASH_BYTES);
		assert_true(vy_merkle_verify_inclusion(leaf, i, size, (const uint8_t(*)[VY_MERKLE_HASH_BYTES])path, np, root));
	}
	snprintf(q, sizeof q, "%s?seq=%llu&size=%llu", VY_PATH_PROOF_INCLUSION, (unsigned long long)size,
		 (unsigned long long)size);
	vyh_get(&e->b, q, &r);
	assert_int_equal(r.status, 404);
	vyh_resp_free(&r);
	free(hashes);
	free(rec);
}

static void test_witnessed_with_k_answering(void **state)
{
	static char out[OUT_BYTES];
	const int modes[2] = { FAKE_COSIGN, FAKE_COSIGN };
	char url[64];
	Vybar__RecordEntry *x;
	world wd;
	uint8_t *p;
	size_t n;
	vyh_resp r;
	int cosigned = 0;

	(void)state;
	world_start(&wd, modes);
	to_the_tally(&wd.e);
	assert_true(wait_last_type(&wd.e, VYBAR__ENTRY_TYPE__ENTRY_TYPE_WITNESSED, WAIT_WITNESSED_S));
	/* the board's WITNESSED entry verifies against the local record too */
	x = last_entry(&wd.e);
	vyf_record_append(&wd.e.r, VYBAR__ENTRY_TYPE__ENTRY_TYPE_WITNESSED, x->payload.data, x->payload.len);
	vy_msg_free(x);
	/* the checkpoint of the whole record, and (soon) its cosignatures */
	for (int i = 0; i < WAIT_WITNESSED_S * 10 && cosigned < VYF_WITNESS_K; i++) {
		cosigned = check_checkpoint(&wd.e);
		if (cosigned < VYF_WITNESS_K)
			tick();
	}
	assert_int_equal(cosigned, VYF_WITNESS_K);
	check_inclusion(&wd.e);
	/* the record ends before the RESULT: incomplete (4), nothing failed */
	snprintf(url, sizeof url, "http://127.0.0.1:%u", wd.e.b.port);
	assert_int_equal(vytest_run(out, sizeof out, 0, VYBAR_VERIFY_PROGRAM, (const char *const[]){ "record", url, NULL }),
			 4);
	assert_null(strstr(out, "FAILED"));
	/* a trustee may decrypt now */
	p = partial(&wd.e, &n);
	vyh_post(&wd.e.b, VY_PATH_TRUSTEE_DECRYPTION, p, n, &r);
	if (r.status != 200)
		fail_msg("partial decryption: %ld %s", r.status, r.body != NULL ? (const char *)r.body : "");
	vyh_resp_free(&r);
	free(p);
	world_stop(&wd);
}

static void test_no_witnessed_below_k(void **state)
{
	const int modes[2] = { FAKE_COSIGN, FAKE_FAIL };
	char code[32];
	world wd;
	uint8_t *p;
	size_t n;
	vyh_resp r;

	(void)state;
	world_start(&wd, modes);
	to_the_tally(&wd.e);
	assert_false(wait_last_type(&wd.e, VYBAR__ENTRY_TYPE__ENTRY_TYPE_WITNESSED, WAIT_NONE_S));
	assert_true(check_checkpoint(&wd.e) <= 1);
	/* the local record (only) gets a WITNESSED entry, so that the fixtures
	 * can build the partial decryption the board must refuse */
	p = vyf_witnessed(&wd.e.r, (1u << VYF_WITNESS_K) - 1, (uint64_t)time(NULL), &n);
	vyf_record_append_owned(&wd.e.r, VYBAR__ENTRY_TYPE__ENTRY_TYPE_WITNESSED, p, n);
	p = partial(&wd.e, &n);
	vyh_post(&wd.e.b, VY_PATH_TRUSTEE_DECRYPTION, p, n, &r);
	/* a phase refusal (board-api.md: 403, code VY_R_PHASE) */
	snprintf(code, sizeof code, "\"code\":%d", VY_R_PHASE);
	if (r.status != 403 || !vyh_body_has(&r, code) || !vyh_body_has(&r, "only after the WITNESSED entry"))
		fail_msg("partial decryption before WITNESSED: %ld %s", r.status, r.body != NULL ? (const char *)r.body : "");
	vyh_resp_free(&r);
	free(p);
	world_stop(&wd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_witnessed_with_k_answering),
		cmocka_unit_test(test_no_witnessed_below_k),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
