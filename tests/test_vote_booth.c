/*
 * The booth's code (specs/client.md §9) against the C library, under
 * Node.js: the same ballot, byte for byte, from the same record,
 * credential, choices and seed (tests/support/seeded_rand.h), built by
 * the native library (tests/browser/booth_fixed.c) and by the booth's
 * objects compiled to WebAssembly (booth-node.js) or, given "nowasm", to
 * plain JavaScript (booth-node-nowasm.js); and the booth's API as a page
 * calls it (open, import a credential sealed by the library, build, audit,
 * build, cast, check; and the error kinds of an unreachable board, a step
 * out of order, choices that break a rule, a wrong passphrase) against a
 * real board on 127.0.0.1. The booth's
 * folder has its SHA256SUMS, and the sum of booth.wasm there is the file's.
 *
 * Skipped (exit 77, with the reason) when the booth is not built: no emcc,
 * or the sanitizer build (client/wasm/booth.cmake).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/vy_files.h"
#include "tests/browser/booth_fixed.h"
#include "tests/support/vote_world.h"

/* Without the booth (tests/CMakeLists.txt defines these with it), main
 * says why and exits SKIPPED. */
#ifndef VYTEST_BOOTH_DIR
#define VYTEST_NO_BOOTH 1
#define VYTEST_BOOTH_DIR ""
#define VYTEST_BOOTH_BUILD ""
#define VYTEST_BOOTH_NODE_SCRIPT ""
#define VYTEST_NODE ""
#endif

#define SKIPPED 77
#define OUT_BYTES (1u << 20)
#define RECORD_MAX (64u << 20)
#define SUMS_MAX 4096

static const char *const specs[] = { "1=2", "2=1,3", "3=blank" };
static const char *module_path; /* booth-node.js or booth-node-nowasm.js */
static char out[OUT_BYTES], err[OUT_BYTES];

/* The seed number i (VYT_SEED_BYTES). */
static void seed_of(uint8_t seed[VYT_SEED_BYTES], uint8_t i)
{
	for (size_t k = 0; k < VYT_SEED_BYTES; k++)
		seed[k] = (uint8_t)(i * 31 + k);
}

/* A file in the world's temporary directory with len bytes of buf. */
static void put_file(const vyw_world *w, char path[VYH_PATH_BYTES], const char *name, const void *buf, size_t len)
{
	vy_reason why;

	vyw_tmp_path(w, path, name);
	if (vy_file_replace(path, VY_FILE_MODE_SECRET, buf, len, &why) != VY_R_OK)
		fail_msg("%s: %s", name, why.msg);
}

/* The plaintext of the sealed credential file at path (malloc'd). */
static uint8_t *credential_plain(const char *path, size_t *n)
{
	uint8_t *file = NULL, *plain = malloc(VYC_CREDENTIAL_PLAIN_MAX);
	size_t len = 0;
	vy_reason why;

	assert_non_null(plain);
	if (vy_file_read(&file, &len, path, VYC_CREDENTIAL_FILE_MAX, 0, &why) != VY_R_OK)
		fail_msg("credential: %s", why.msg);
	if (vy_unseal(plain, n, VYC_CREDENTIAL_PLAIN_MAX, VYC_CREDENTIAL_MAGIC, file, len, VYW_PASSPHRASE, &why) !=
	    VY_R_OK)
		fail_msg("unseal: %s", why.msg);
	free(file);
	return plain;
}

/* The choices of specs as booth_node.mjs takes them, sep between. */
static void choices_text(const vyc_board *bd, char *text, size_t cap, const char *sep, uint32_t *choices,
			 size_t *n)
{
	vy_reason why;

	*n = vy_manifest_selections(bd->st.manifest);
	assert_true(*n <= VYF_MAX_SELECTIONS);
	if (vyc_choices_parse(bd->st.manifest, specs, 3, choices, *n, &why) != VY_R_OK)
		fail_msg("choices: %s", why.msg);
	text[0] = '\0';
	for (size_t i = 0; i < *n; i++)
		snprintf(text + strlen(text), cap - strlen(text), "%s%u", i ? sep : "", (unsigned)choices[i]);
}

/* Three seeds: the booth's ballot is the library's, byte for byte (and
 * different seeds give different ballots). */
static void test_same_bytes(void **state)
{
	vyw_world *w = *state;
	char rec_path[VYH_PATH_BYTES], cred_path[VYH_PATH_BYTES], plain_path[VYH_PATH_BYTES];
	char text[4 * VYF_MAX_SELECTIONS], hex_seed[2 * VYT_SEED_BYTES + 1];
	uint32_t choices[VYF_MAX_SELECTIONS];
	char *last = NULL;
	uint8_t *plain;
	size_t n, plain_len = 0;
	vyc_board bd;

	vyw_fetch(w, &bd);
	vyw_register(w, &bd, cred_path);
	plain = credential_plain(cred_path, &plain_len);
	put_file(w, rec_path, "booth-record.bin", bd.record, bd.record_len);
	put_file(w, plain_path, "booth-credential.pb", plain, plain_len);
	choices_text(&bd, text, sizeof text, ",", choices, &n);
	for (uint8_t i = 0; i < 3; i++) {
		uint8_t seed[VYT_SEED_BYTES], *native = NULL, *record = malloc(bd.record_len);
		size_t len = 0;
		char *native_hex;
		vy_reason why;
		const char *args[] = { VYTEST_BOOTH_NODE_SCRIPT, module_path, "fixed", rec_path, plain_path, text,
				       hex_seed, NULL };

		seed_of(seed, i);
		sodium_bin2hex(hex_seed, sizeof hex_seed, seed, sizeof seed);
		assert_non_null(record);
		memcpy(record, bd.record, bd.record_len);
		if (booth_fixed_build(record, bd.record_len, plain, plain_len, choices, n, seed, &native, &len, &why) !=
		    VY_R_OK)
			fail_msg("native ballot: %s", why.msg);
		native_hex = malloc(2 * len + 1);
		assert_non_null(native_hex);
		sodium_bin2hex(native_hex, 2 * len + 1, native, len);
		if (vytest_spawn(VYTEST_NODE, args, out, sizeof out, err, sizeof err) != 0)
			fail_msg("%s: %s", module_path, err);
		out[strcspn(out, "\n")] = '\0';
		if (strcmp(out, native_hex) != 0)
			fail_msg("seed %u: the booth's ballot (%zu hex digits) differs from the library's (%zu)",
				 (unsigned)i, strlen(out), strlen(native_hex));
		if (last != NULL)
			assert_string_not_equal(last, native_hex);
		free(last);
		last = native_hex;
		free(native);
	}
	free(last);
	sodium_memzero(plain, plain_len);
	free(plain);
	vyc_board_free(&bd);
}

/* The API as the page calls it: a credential sealed by the library opens
 * in the booth, a ballot is audited, another cast, its receipt checked. */
static void test_api_flow(void **state)
{
	vyw_world *w = *state;
	char cred_path[VYH_PATH_BYTES], text[4 * VYF_MAX_SELECTIONS];
	uint32_t choices[VYF_MAX_SELECTIONS];
	size_t n;
	vyc_board bd;
	const char *args[] = { VYTEST_BOOTH_NODE_SCRIPT, module_path, "flow", w->url, cred_path, VYW_PASSPHRASE, text,
			       NULL };

	vyw_fetch(w, &bd);
	vyw_register(w, &bd, cred_path);
	choices_text(&bd, text, sizeof text, "", choices, &n);
	if (vytest_spawn(VYTEST_NODE, args, out, sizeof out, err, sizeof err) != 0)
		fail_msg("%s: %s", module_path, err);
	assert_non_null(strstr(out, "\"error\":\"passphrase\""));
	assert_non_null(strstr(out, "\"step\":\"booth_audit\""));
	assert_non_null(strstr(out, "\"step\":\"booth_cast\""));
	assert_non_null(strstr(out, "\"status\":\"counted\""));
	vyc_board_free(&bd);
	/* the record now holds the audited and the cast ballot, and verifies */
	vyw_fetch(w, &bd);
	vyc_board_free(&bd);
}

/* SHA256SUMS names booth.wasm with the file's own sum. */
static void test_sums(void **state)
{
	uint8_t *sums = NULL, *wasm = NULL, h[crypto_hash_sha256_BYTES];
	char hex[2 * sizeof h + 1], line[2 * sizeof h + 32];
	size_t len = 0, wlen = 0;
	vy_reason why;

	(void)state;
	if (vy_file_read(&sums, &len, VYTEST_BOOTH_DIR "/SHA256SUMS", SUMS_MAX, 0, &why) != VY_R_OK)
		fail_msg("the booth's SHA256SUMS: %s", why.msg);
	if (vy_file_read(&wasm, &wlen, VYTEST_BOOTH_DIR "/booth.wasm", RECORD_MAX, 0, &why) != VY_R_OK)
		fail_msg("booth.wasm: %s", why.msg);
	crypto_hash_sha256(h, wasm, wlen);
	sodium_bin2hex(hex, sizeof hex, h, sizeof h);
	snprintf(line, sizeof line, "%s  booth.wasm\n", hex);
	if (strstr((const char *)sums, line) == NULL)
		fail_msg("SHA256SUMS has no line \"%s  booth.wasm\"", hex);
	free(sums);
	free(wasm);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_bytes),
		cmocka_unit_test(test_api_flow),
		cmocka_unit_test(test_sums),
	};
	const struct CMUnitTest nowasm_tests[] = {
		cmocka_unit_test(test_same_bytes),
	};
	int nowasm = argc > 1 && strcmp(argv[1], "nowasm") == 0;

#ifdef VYTEST_NO_BOOTH
	printf("SKIPPED: the booth is not built (no emcc, or the sanitizer build: see cmake's \"booth:\" line)\n");
	return SKIPPED;
#endif
	if (access(VYTEST_NODE, X_OK) != 0) {
		printf("SKIPPED: no Node.js to run the booth's code (make deps installs nodejs)\n");
		return SKIPPED;
	}
	module_path = nowasm ? VYTEST_BOOTH_BUILD "/booth-node-nowasm.js" : VYTEST_BOOTH_BUILD "/booth-node.js";
	if (nowasm)
		return cmocka_run_group_tests(nowasm_tests, vyw_setup, vyw_teardown);
	return cmocka_run_group_tests(tests, vyw_setup, vyw_teardown);
}
