/* Key files and passphrases (vy_keys.h). */
#include "cli/vy_keys.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "cli/vy_files.h"

#define HEX_LINE_MAX (2 * VY_KEY_SECRET_MAX_BYTES + 2) /* the hex, the newline, the NUL */
#define PASS_BUF_BYTES (VY_MAX_PASSPHRASE + 1)          /* a passphrase and its NUL */
#define TTY_PATH "/dev/tty"

/* ---- plain key files ---- */

/* why's message after "key file: "; returns rc. */
static vy_rc key_file_reason(vy_reason *why, vy_rc rc)
{
	char msg[VY_REASON_MSG_BYTES];

	if (why == NULL)
		return rc;
	snprintf(msg, sizeof msg, "%s", why->msg);
	return vy_reason_set(why, rc, "key file: %s", msg);
}

vy_rc vy_key_file_write(const char *path, const uint8_t *secret, size_t n, vy_reason *why)
{
	char line[HEX_LINE_MAX];
	vy_rc rc;

	if (n == 0 || n > VY_KEY_SECRET_MAX_BYTES)
		return vy_reason_set(why, VY_R_ARG, "key file %s: a secret of %zu bytes", path, n);
	sodium_bin2hex(line, sizeof line, secret, n);
	line[2 * n] = '\n';
	rc = vy_file_create(path, VY_FILE_MODE_SECRET, line, 2 * n + 1, why);
	sodium_memzero(line, sizeof line);
	return rc == VY_R_OK ? rc : key_file_reason(why, rc);
}

vy_rc vy_key_file_read(uint8_t *secret, const char *path, size_t n, vy_reason *why)
{
	uint8_t *text = NULL;
	size_t len = 0, got = 0;
	vy_rc rc;

	if (n == 0 || n > VY_KEY_SECRET_MAX_BYTES)
		return vy_reason_set(why, VY_R_ARG, "key file %s: a secret of %zu bytes", path, n);
	rc = vy_file_read(&text, &len, path, 2 * n + 1, VY_FILE_PRIVATE, why);
	if (rc == VY_R_IO || rc == VY_R_NOMEM || rc == VY_R_KEY) {
		key_file_reason(why, rc);
		goto out;
	}
	if (rc != VY_R_OK || len < 2 * n || (len == 2 * n + 1 && text[2 * n] != '\n') ||
	    sodium_hex2bin(secret, n, (const char *)text, 2 * n, NULL, &got, NULL) != 0 || got != n) {
		sodium_memzero(secret, n);
		rc = vy_reason_set(why, VY_R_KEY, "key file %s: must hold %zu hex characters and a newline", path,
				   2 * n);
	}
out:
	if (text != NULL) {
		sodium_memzero(text, len);
		free(text);
	}
	return rc;
}

vy_rc vy_key_generate(uint8_t pk[crypto_sign_PUBLICKEYBYTES], const char *path, vy_reason *why)
{
	uint8_t seed[VY_KEY_SEED_BYTES], sk[crypto_sign_SECRETKEYBYTES];
	vy_rc rc;

	randombytes_buf(seed, sizeof seed);
	crypto_sign_seed_keypair(pk, sk, seed);
	rc = vy_key_file_write(path, seed, sizeof seed, why);
	sodium_memzero(seed, sizeof seed);
	sodium_memzero(sk, sizeof sk);
	return rc;
}

vy_rc vy_key_load(uint8_t *sk, uint8_t pk[crypto_sign_PUBLICKEYBYTES], const char *path, vy_reason *why)
{
	uint8_t seed[VY_KEY_SEED_BYTES];
	vy_rc rc = vy_key_file_read(seed, path, sizeof seed, why);

	if (rc == VY_R_OK)
		crypto_sign_seed_keypair(pk, sk, seed);
	sodium_memzero(seed, sizeof seed);
	return rc;
}

int vy_key_command(const vy_cli_args *a)
{
	uint8_t pk[crypto_sign_PUBLICKEYBYTES];
	char hex[2 * sizeof pk + 1];
	vy_reason why = { 0 };
	vy_rc rc = vy_key_generate(pk, vy_cli_get(a, "out"), &why);

	if (rc != VY_R_OK) {
		fprintf(stderr, "%s: %s\n", a->prog->name, why.msg);
		return vy_cli_exit(rc);
	}
	sodium_bin2hex(hex, sizeof hex, pk, sizeof pk);
	printf("%s\n", hex);
	return VY_EXIT_OK;
}

/* ---- files sealed under a passphrase ---- */

static void put_be(uint8_t *p, uint64_t v, int n)
{
	for (int i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * (n - 1 - i)));
}

static uint64_t get_be(const uint8_t *p, int n)
{
	uint64_t v = 0;

	for (int i = 0; i < n; i++)
		v = v << 8 | p[i];
	return v;
}

/* key = crypto_pwhash(32, pass, salt, ops, mem, Argon2id13). */
static vy_rc seal_key(uint8_t *key, const char *pass, const uint8_t *salt, uint64_t ops, uint64_t mem,
		      vy_reason *why)
{
	if (crypto_pwhash(key, VY_SEAL_KEY_BYTES, pass, strlen(pass), salt, ops, (size_t)mem,
			  crypto_pwhash_ALG_ARGON2ID13) != 0)
		return vy_reason_set(why, VY_R_NOMEM, "Argon2id failed (out of memory?)");
	return VY_R_OK;
}

vy_rc vy_sealer_init(vy_sealer *s, const char *pass, vy_reason *why)
{
	vy_rc rc;

	memset(s, 0, sizeof *s);
	s->key = sodium_malloc(VY_SEAL_KEY_BYTES);
	if (s->key == NULL)
		return vy_reason_set(why, VY_R_NOMEM, "out of guarded memory");
	s->ops = VY_SEAL_OPS_WRITE;
	s->mem = VY_SEAL_MEM_WRITE;
	randombytes_buf(s->salt, sizeof s->salt);
	rc = seal_key(s->key, pass, s->salt, s->ops, s->mem, why);
	if (rc != VY_R_OK)
		vy_sealer_wipe(s);
	return rc;
}

vy_rc vy_sealer_seal(const vy_sealer *s, uint8_t *file, const char *magic, const uint8_t *plain, size_t n,
		     vy_reason *why)
{
	size_t ml = strlen(magic);
	uint8_t *p = file + ml, *nonce;
	unsigned long long clen;

	if (s->key == NULL || n > UINT32_MAX - VY_SEAL_TAG_BYTES)
		return vy_reason_set(why, VY_R_ARG, "sealing: no key, or %zu bytes", n);
	memcpy(file, magic, ml);
	put_be(p, s->ops, 8);
	put_be(p + 8, s->mem, 8);
	p[16] = VY_SEAL_ALG_ARGON2ID13;
	memcpy(p + 17, s->salt, VY_SEAL_SALT_BYTES);
	nonce = p + 17 + VY_SEAL_SALT_BYTES;
	randombytes_buf(nonce, VY_SEAL_NONCE_BYTES);
	put_be(nonce + VY_SEAL_NONCE_BYTES, n + VY_SEAL_TAG_BYTES, 4);
	crypto_aead_xchacha20poly1305_ietf_encrypt(file + VY_SEAL_HDR_BYTES(ml), &clen, plain, n, file,
						   VY_SEAL_HDR_BYTES(ml), NULL, nonce, s->key);
	return VY_R_OK;
}

void vy_sealer_wipe(vy_sealer *s)
{
	if (s->key != NULL)
		sodium_free(s->key); /* wipes */
	sodium_memzero(s, sizeof *s);
}

/* The header of a sealed file image: well formed, and its length the file's. */
static vy_rc unseal_header(const uint8_t *file, size_t len, size_t cap, const char *magic, vy_reason *why)
{
	size_t ml = strlen(magic), hdr = VY_SEAL_HDR_BYTES(ml);
	const uint8_t *p = file + ml;
	uint64_t ops, mem, clen;

	if (len < ml || memcmp(file, magic, ml) != 0)
		return vy_reason_set(why, VY_R_FIELD, "bad magic (not this kind of file)");
	if (len < hdr + VY_SEAL_TAG_BYTES)
		return vy_reason_set(why, VY_R_FIELD, "%zu bytes, shorter than its header", len);
	ops = get_be(p, 8);
	mem = get_be(p + 8, 8);
	if (ops < VY_SEAL_OPS_MIN || ops > VY_SEAL_OPS_MAX || mem < VY_SEAL_MEM_MIN || mem > VY_SEAL_MEM_MAX)
		return vy_reason_set(why, VY_R_FIELD, "Argon2id limits out of range");
	if (p[16] != VY_SEAL_ALG_ARGON2ID13)
		return vy_reason_set(why, VY_R_FIELD, "unknown algorithm %u", p[16]);
	clen = get_be(file + hdr - 4, 4);
	if (clen != len - hdr || clen - VY_SEAL_TAG_BYTES > cap)
		return vy_reason_set(why, VY_R_FIELD, "ciphertext length %llu, the file holds %zu (at most %zu)",
				     (unsigned long long)clen, len - hdr, cap + VY_SEAL_TAG_BYTES);
	return VY_R_OK;
}

vy_rc vy_unseal(uint8_t *plain, size_t *n, size_t cap, const char *magic, const uint8_t *file, size_t len,
		const char *pass, vy_reason *why)
{
	size_t ml = strlen(magic), hdr = VY_SEAL_HDR_BYTES(ml);
	const uint8_t *salt = file + ml + 17;
	uint8_t *key = NULL;
	unsigned long long plen = 0;
	vy_rc rc;

	*n = 0;
	rc = unseal_header(file, len, cap, magic, why);
	if (rc != VY_R_OK)
		return rc;
	key = sodium_malloc(VY_SEAL_KEY_BYTES);
	if (key == NULL)
		return vy_reason_set(why, VY_R_NOMEM, "out of guarded memory");
	rc = seal_key(key, pass, salt, get_be(file + ml, 8), get_be(file + ml + 8, 8), why);
	if (rc != VY_R_OK)
		goto out;
	if (crypto_aead_xchacha20poly1305_ietf_decrypt(plain, &plen, NULL, file + hdr, len - hdr, file, hdr,
						       salt + VY_SEAL_SALT_BYTES, key) != 0) {
		rc = vy_reason_set(why, VY_R_KEY, "wrong passphrase, or the file was modified");
		goto out;
	}
	*n = (size_t)plen;
out:
	sodium_free(key);
	if (rc != VY_R_OK)
		sodium_memzero(plain, cap);
	return rc;
}

/* ---- passphrases ---- */

int vy_pass_src_of(vy_pass_src *src, const vy_cli_args *a)
{
	unsigned long fd = 0;

	src->file = vy_cli_get(a, "passphrase-file");
	src->fd = -1;
	if (vy_cli_ulong(a, "passphrase-fd", 0, INT_MAX, &fd) != 0)
		return VY_EXIT_USAGE;
	if (vy_cli_get(a, "passphrase-fd") != NULL) {
		if (src->file != NULL)
			return vy_cli_usage_error(a, "give --passphrase-file or --passphrase-fd, not both");
		src->fd = (int)fd;
	}
	return 0;
}

/* Strip one trailing "\r" (the "\n" ended the read). */
static void chomp(char *s)
{
	size_t n = strlen(s);

	if (n > 0 && s[n - 1] == '\r')
		s[n - 1] = 0;
}

/* Read at most VY_MAX_PASSPHRASE bytes, up to the first newline, from fd. */
static vy_rc read_line_fd(char *out, int fd, vy_reason *why)
{
	size_t n = 0;
	char c;

	for (;;) {
		ssize_t r = read(fd, &c, 1);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return vy_reason_set(why, VY_R_IO, "cannot read the passphrase: %s", strerror(errno));
		if (r == 0 || c == '\n')
			break;
		if (n >= VY_MAX_PASSPHRASE)
			return vy_reason_set(why, VY_R_FIELD, "passphrase longer than %d bytes", VY_MAX_PASSPHRASE);
		out[n++] = c;
	}
	out[n] = 0;
	chomp(out);
	return VY_R_OK;
}

/* Prompt on the terminal with echo off. Echo goes off (discarding what was
 * typed ahead) before the prompt is shown, so nothing typed after the prompt
 * is echoed or lost; if echo cannot be turned off, nothing is read. */
static vy_rc prompt_tty(char *out, const char *prompt, vy_reason *why)
{
	struct termios old, noecho;
	int fd = open(TTY_PATH, O_RDWR | O_NOCTTY | O_CLOEXEC);
	vy_rc rc;

	if (fd < 0)
		return vy_reason_set(why, VY_R_IO,
				     "no terminal for the passphrase prompt: use --passphrase-file or --passphrase-fd");
	if (tcgetattr(fd, &old) != 0) {
		rc = vy_reason_set(why, VY_R_IO, "cannot prompt on the terminal: %s", strerror(errno));
		close(fd);
		return rc;
	}
	noecho = old;
	noecho.c_lflag &= ~(tcflag_t)ECHO;
	noecho.c_lflag |= ICANON;
	if (tcsetattr(fd, TCSAFLUSH, &noecho) != 0 || write(fd, prompt, strlen(prompt)) < 0) {
		rc = vy_reason_set(why, VY_R_IO, "cannot turn off echo on the terminal: %s", strerror(errno));
		(void)tcsetattr(fd, TCSANOW, &old);
		close(fd);
		return rc;
	}
	rc = read_line_fd(out, fd, why);
	(void)tcsetattr(fd, TCSANOW, &old);
	(void)!write(fd, "\n", 1);
	close(fd);
	return rc;
}

/* A zeroed guarded buffer for a passphrase. */
static char *pass_buf(void)
{
	char *p = sodium_malloc(PASS_BUF_BYTES);

	if (p != NULL)
		sodium_memzero(p, PASS_BUF_BYTES);
	return p;
}

/* Typed twice on the terminal; the two must match. */
static vy_rc prompt_confirmed(char *p, vy_reason *why)
{
	char *again = pass_buf();
	vy_rc rc;

	if (again == NULL)
		return vy_reason_set(why, VY_R_NOMEM, "out of guarded memory");
	rc = prompt_tty(again, "Passphrase again: ", why);
	/* whole zero-padded buffers, in constant time */
	if (rc == VY_R_OK && sodium_memcmp(p, again, PASS_BUF_BYTES) != 0)
		rc = vy_reason_set(why, VY_R_FIELD, "the two passphrases differ");
	sodium_free(again);
	return rc;
}

vy_rc vy_passphrase(char **out, const vy_pass_src *src, int confirm, vy_reason *why)
{
	char *p = pass_buf();
	vy_rc rc;
	int fd;

	*out = NULL;
	if (p == NULL)
		return vy_reason_set(why, VY_R_NOMEM, "out of guarded memory");
	if (src->file != NULL) {
		fd = open(src->file, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			rc = vy_reason_set(why, VY_R_IO, "cannot open passphrase file %s: %s", src->file,
					   strerror(errno));
		} else {
			rc = read_line_fd(p, fd, why);
			close(fd);
		}
	} else if (src->fd >= 0) {
		rc = read_line_fd(p, src->fd, why);
	} else {
		rc = prompt_tty(p, "Passphrase: ", why);
		if (rc == VY_R_OK && confirm)
			rc = prompt_confirmed(p, why);
	}
	if (rc == VY_R_OK && p[0] == 0)
		rc = vy_reason_set(why, VY_R_FIELD, "empty passphrase");
	if (rc != VY_R_OK)
		sodium_free(p);
	else
		*out = p;
	return rc;
}
