/* The board's key file (keyfile.h). */
#include <errno.h>
#include <stdio.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/keyfile.h"

#define KEY_HEX_CHARS (2 * VYB_KEY_SEED_BYTES)
#define KEY_FILE_MODE 0600

vy_rc vyb_key_generate(const char *path, uint8_t pk[crypto_sign_PUBLICKEYBYTES], vy_reason *why)
{
	uint8_t seed[VYB_KEY_SEED_BYTES], sk[crypto_sign_SECRETKEYBYTES];
	char line[KEY_HEX_CHARS + 2];
	vy_rc rc = VY_R_OK;
	int fd;

	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, KEY_FILE_MODE);
	if (fd < 0)
		return vy_reason_set(why, VY_R_IO, "key file %s: %s", path, strerror(errno));
	randombytes_buf(seed, sizeof seed);
	crypto_sign_seed_keypair(pk, sk, seed);
	sodium_bin2hex(line, sizeof line, seed, sizeof seed);
	line[KEY_HEX_CHARS] = '\n';
	if (fchmod(fd, KEY_FILE_MODE) != 0 || write(fd, line, KEY_HEX_CHARS + 1) != KEY_HEX_CHARS + 1 ||
	    fsync(fd) != 0)
		rc = vy_reason_set(why, VY_R_IO, "key file %s: write failed: %s", path, strerror(errno));
	if (close(fd) != 0 && rc == VY_R_OK)
		rc = vy_reason_set(why, VY_R_IO, "key file %s: close failed: %s", path, strerror(errno));
	sodium_memzero(seed, sizeof seed);
	sodium_memzero(sk, sizeof sk);
	sodium_memzero(line, sizeof line);
	return rc;
}

vy_rc vyb_key_load(const char *path, uint8_t *sk, uint8_t pk[crypto_sign_PUBLICKEYBYTES], vy_reason *why)
{
	uint8_t seed[VYB_KEY_SEED_BYTES];
	char line[KEY_HEX_CHARS + 2];
	struct stat stt;
	size_t bin_len = 0;
	ssize_t got;
	vy_rc rc = VY_R_OK;
	int fd;

	fd = open(path, O_RDONLY);
	if (fd < 0)
		return vy_reason_set(why, VY_R_IO, "key file %s: %s", path, strerror(errno));
	if (fstat(fd, &stt) != 0 || (stt.st_mode & 077) != 0) {
		rc = vy_reason_set(why, VY_R_KEY, "key file %s: must not be readable by group or others (chmod 600)",
				   path);
		goto out;
	}
	got = read(fd, line, sizeof line);
	if (got < KEY_HEX_CHARS || (got > KEY_HEX_CHARS && line[KEY_HEX_CHARS] != '\n') ||
	    got > KEY_HEX_CHARS + 1 ||
	    sodium_hex2bin(seed, sizeof seed, line, KEY_HEX_CHARS, NULL, &bin_len, NULL) != 0 ||
	    bin_len != sizeof seed) {
		rc = vy_reason_set(why, VY_R_KEY, "key file %s: must hold %d hex characters and a newline", path,
				   KEY_HEX_CHARS);
		goto out;
	}
	crypto_sign_seed_keypair(pk, sk, seed);
out:
	close(fd);
	sodium_memzero(seed, sizeof seed);
	sodium_memzero(line, sizeof line);
	return rc;
}

/* The keygen command of the programs whose key is a plain key file
 * (vybar-board, vybar-commission): a fresh key at path, its public key in
 * hex on standard output. 0, or 1 with the reason on standard error. */
int vyb_key_command(const char *prog, const char *path)
{
	uint8_t pk[crypto_sign_PUBLICKEYBYTES];
	char hex[2 * sizeof pk + 1];
	vy_reason why = { 0 };

	if (vyb_key_generate(path, pk, &why) != VY_R_OK) {
		fprintf(stderr, "%s: %s\n", prog, why.msg);
		return 1;
	}
	sodium_bin2hex(hex, sizeof hex, pk, sizeof pk);
	printf("%s\n", hex);
	return 0;
}
