/*
 * Any single flipped bit anywhere in a record file fails verification
 * (specs/verification.md): a small complete election (one trustee, one
 * ballot, close, tally, one partial decryption, result), then for EVERY
 * byte of its file one bit flipped (bit = offset mod 8), verified by the
 * engine linked in: never VYV_OK, never VYV_INCOMPLETE. The bytes are
 * shared out over BITFLIP_PROCS forked processes, so that two cores work.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/support/protocol_fixtures.h"
#include "protocol/vy_verify.h"

#define BITFLIP_PROCS 2
/* Every byte takes ~40 s of CPU in a normal build, and ASan/UBSan make the
 * same work several times slower (minutes). A sanitizer build
 * (VYBAR_SANITIZE, which defines VYBAR_BITFLIP_SPARSE) looks for memory
 * errors, which a sample of bytes in every field finds as well: it flips
 * one bit in every 7th byte. The normal build keeps every byte. */
#ifdef VYBAR_BITFLIP_SPARSE
#define BITFLIP_STRIDE 7
#else
#define BITFLIP_STRIDE 1
#endif

static vyf_record rec;
static uint8_t *file;
static size_t file_len;

/* The smallest complete election of the fixtures. */
static void build_election(void)
{
	static const uint32_t q[1] = { 1 };
	uint32_t choices[VYF_SELECTIONS];
	vyf_voter v;
	uint8_t *p;
	size_t len;

	vyf_record_init(&rec, 1, 1);
	vyf_record_ceremony(&rec);
	vyf_default_choices(choices);
	vyf_voter_init(&v, &rec.st.election, "voter a");
	p = vyf_ballot_pack(&rec.st.election, &v, choices, "x", NULL, &len);
	vyf_record_append(&rec, VYBAR__ENTRY_TYPE__ENTRY_TYPE_BALLOT, p, len);
	free(p);
	vyf_record_close(&rec);
	vyf_record_tally(&rec);
	vyf_record_decrypt(&rec, q, 1, 1);
}

static int setup(void **state)
{
	char *buf = NULL;
	FILE *f;

	(void)state;
	vytest_init();
	build_election();
	f = open_memstream(&buf, &file_len);
	assert_non_null(f);
	vyf_record_write(&rec, f);
	assert_int_equal(fclose(f), 0);
	file = (uint8_t *)buf;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free(file);
	vyf_record_free(&rec);
	return 0;
}

/* Verify the file in memory (one job). VYV_ERROR if it cannot be opened. */
static vyv_outcome verify_file(void)
{
	FILE *f = fmemopen(file, file_len, "rb");
	vyv_report rep;

	if (f == NULL)
		return VYV_ERROR;
	vyv_verify(f, NULL, 1, &rep, NULL);
	if (fclose(f) != 0)
		return VYV_ERROR;
	return rep.outcome;
}

/* The file as built verifies. */
static void test_valid(void **state)
{
	(void)state;
	assert_int_equal(verify_file(), VYV_OK);
}

/* Process k's share: the flipped bytes with (off / stride) mod procs = k,
 * each alone. 0 if every flip fails, 1 (after a message) if one does not.
 * Runs in a forked child: no cmocka assertion here. */
static int flip_share(unsigned k)
{
	for (size_t off = (size_t)k * BITFLIP_STRIDE; off < file_len; off += (size_t)BITFLIP_PROCS * BITFLIP_STRIDE) {
		uint8_t mask = (uint8_t)(1u << (off % 8));
		vyv_outcome o;

		file[off] ^= mask;
		o = verify_file();
		file[off] ^= mask;
		if (o != VYV_FAILED) {
			fprintf(stderr, "flipping bit %zu of byte %zu of %zu: outcome %d, not FAILED\n", off % 8, off,
				file_len, (int)o);
			return 1;
		}
	}
	return 0;
}

/* One bit of every byte (every BITFLIP_STRIDE-th byte), each alone: the
 * verification fails. */
static void test_every_byte(void **state)
{
	pid_t pids[BITFLIP_PROCS];
	int bad = 0;

	(void)state;
	fflush(NULL);
	for (unsigned k = 0; k < BITFLIP_PROCS; k++) {
		pids[k] = fork();
		assert_true(pids[k] >= 0);
		if (pids[k] == 0)
			_exit(flip_share(k));
	}
	for (unsigned k = 0; k < BITFLIP_PROCS; k++) {
		int status = 0;

		assert_int_equal(waitpid(pids[k], &status, 0), pids[k]);
		bad += !WIFEXITED(status) || WEXITSTATUS(status) != 0;
	}
	if (bad)
		fail_msg("%d of %d processes saw a flip that did not fail (see above)", bad, BITFLIP_PROCS);
	print_message("%zu bytes, one bit in every %d: every flip fails (%d processes)\n", file_len, BITFLIP_STRIDE,
		      BITFLIP_PROCS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_every_byte),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
