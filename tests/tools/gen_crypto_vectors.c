/*
 * gen_crypto_vectors OUTDIR: writes OUTDIR/crypto-ristretto255.json,
 * OUTDIR/crypto-modp4096.json, OUTDIR/ed25519.json and
 * OUTDIR/credential-file.json, the project's own test vectors
 * (specs/crypto.md §8, §10.4; specs/client.md §6.1). The output depends only on the
 * code: a rerun is byte-identical. `make vectors` runs it on specs/vectors.
 *
 * Each file is written to a temporary name beside it and renamed into
 * place, so a failed run never leaves a truncated vector file.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/vy_files.h"
#include "crypto/vy_group.h"
#include "tests/support/vectors_gen.h"

#define PATH_BYTES 4096

/* Write len bytes to path atomically (cli/vy_files.h). 0 on success. */
static int write_file(const char *path, const char *text, size_t len)
{
	vy_reason why;

	if (vy_file_replace(path, VY_FILE_MODE_PUBLIC, text, len, &why) == VY_R_OK)
		return 0;
	fprintf(stderr, "gen_crypto_vectors: %s\n", why.msg);
	return -1;
}

/* Generate and write one group's file. 0 on success. */
static int write_group(const char *outdir, vy_group_id id)
{
	const vy_group *g = vy_group_by_id(id);
	char name[64], path[PATH_BYTES];
	char *text = NULL;
	size_t len;
	vy_err err;
	int n, rc = -1;

	if (g == NULL) {
		fprintf(stderr, "gen_crypto_vectors: group %d is not available\n", (int)id);
		return -1;
	}
	err = vyvec_file_name(g, name, sizeof name);
	if (err != VY_OK)
		goto out;
	n = snprintf(path, sizeof path, "%s/%s", outdir, name);
	if (n < 0 || (size_t)n >= sizeof path) {
		err = VY_ERR_ARG;
		goto out;
	}
	err = vyvec_generate(g, &text, &len);
	if (err != VY_OK)
		goto out;
	rc = write_file(path, text, len);
	if (rc == 0)
		printf("wrote %s (%zu bytes)\n", path, len);
out:
	if (err != VY_OK)
		fprintf(stderr, "gen_crypto_vectors: %s: %s\n", vy_group_name(g), vy_err_str(err));
	free(text);
	return rc;
}

/* Generate and write the sealed credential file's vector (client.md §6.1). 0 on success. */
static int write_credential(const char *outdir)
{
	char path[PATH_BYTES];
	char *text = NULL;
	size_t len;
	int n, rc = -1;

	n = snprintf(path, sizeof path, "%s/%s", outdir, VYVEC_CREDENTIAL_FILE);
	if (n < 0 || (size_t)n >= sizeof path)
		return -1;
	if (vyvec_credential_generate(&text, &len) == VY_OK)
		rc = write_file(path, text, len);
	if (rc == 0)
		printf("wrote %s (%zu bytes)\n", path, len);
	else
		fprintf(stderr, "gen_crypto_vectors: %s failed\n", VYVEC_CREDENTIAL_FILE);
	free(text);
	return rc;
}

/* Generate and write the Ed25519 file (§10.4). 0 on success. */
static int write_ed25519(const char *outdir)
{
	char path[PATH_BYTES];
	char *text = NULL;
	size_t len;
	vy_err err;
	int n, rc = -1;

	n = snprintf(path, sizeof path, "%s/%s", outdir, VYVEC_ED25519_FILE);
	if (n < 0 || (size_t)n >= sizeof path)
		return -1;
	err = vyvec_ed25519_generate(&text, &len);
	if (err == VY_OK)
		rc = write_file(path, text, len);
	else
		fprintf(stderr, "gen_crypto_vectors: ed25519: %s\n", vy_err_str(err));
	if (rc == 0)
		printf("wrote %s (%zu bytes)\n", path, len);
	free(text);
	return rc;
}

int main(int argc, char **argv)
{
	vy_err err;

	if (argc != 2) {
		fprintf(stderr, "usage: %s OUTDIR\n", argv[0]);
		return 2;
	}
	err = vy_init();
	if (err != VY_OK) {
		fprintf(stderr, "gen_crypto_vectors: vy_init: %s\n", vy_err_str(err));
		return 1;
	}
	for (size_t i = 0; i < VYVEC_GROUP_COUNT; i++) {
		if (write_group(argv[1], vyvec_groups[i]) != 0)
			return 1;
	}
	return write_ed25519(argv[1]) != 0 || write_credential(argv[1]) != 0;
}
