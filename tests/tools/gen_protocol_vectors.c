/*
 * gen_protocol_vectors OUTDIR: writes OUTDIR/protocol.json, the protocol
 * test vectors (specs/protocol.md "Test vectors"): a manifest with its base
 * hash, a credential message, a ballot with its hash and tracking code,
 * proof contexts, a short signed record chain and a receipt. The output
 * depends only on the code: a rerun is byte-identical. `make vectors` runs
 * it on specs/vectors.
 *
 * The file is written to a temporary name beside it and renamed into
 * place, so a failed run never leaves a truncated vector file.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/vy_files.h"
#include "tests/support/protocol_vectors_gen.h"

#define PATH_BYTES 4096

/* Write len bytes to path atomically (cli/vy_files.h). 0 on success. */
static int write_file(const char *path, const char *text, size_t len)
{
	vy_reason why;

	if (vy_file_replace(path, VY_FILE_MODE_PUBLIC, text, len, &why) == VY_R_OK)
		return 0;
	fprintf(stderr, "gen_protocol_vectors: %s\n", why.msg);
	return -1;
}

int main(int argc, char **argv)
{
	char path[PATH_BYTES];
	char *text = NULL;
	size_t len;
	vy_err err;
	int n, rc;

	if (argc != 2) {
		fprintf(stderr, "usage: %s OUTDIR\n", argv[0]);
		return 2;
	}
	n = snprintf(path, sizeof path, "%s/%s", argv[1], VYPVEC_FILE_NAME);
	if (n < 0 || (size_t)n >= sizeof path) {
		fprintf(stderr, "gen_protocol_vectors: path too long\n");
		return 2;
	}
	err = vypvec_generate(&text, &len);
	if (err != VY_OK) {
		fprintf(stderr, "gen_protocol_vectors: %s\n", vy_err_str(err));
		return 1;
	}
	rc = write_file(path, text, len);
	if (rc == 0)
		printf("wrote %s (%zu bytes)\n", path, len);
	free(text);
	return rc == 0 ? 0 : 1;
}
