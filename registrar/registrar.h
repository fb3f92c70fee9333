/*
 * vybar-registrar's core (specs/registrar.md): its keys and files, the roll,
 * issuance (POST /v1/register) and the signed count (GET /v1/issued).
 * The HTTP layer (http.c) and the program (main.c) only call these.
 */
#ifndef VYR_REGISTRAR_H
#define VYR_REGISTRAR_H

#include <sqlite3.h>
#include <sodium.h>

#include "registrar/eligibility.h"
#include "crypto/vy_blind_rsa.h"
#include "protocol/vy_protocol.h"

/* File names inside the registrar's directory (§3). */
#define VYR_FILE_RSA "rsa.key"
#define VYR_FILE_HMAC "hmac.key"
#define VYR_FILE_STATEMENT "statement.key"
#define VYR_FILE_DB "registrar.db"
#define VYR_FILE_PUBLIC "public-keys.pb"

#define VYR_HMAC_KEY_BYTES 32
#define VYR_ID_HASH_BYTES 32
#define VYR_DEFAULT_BITS 3072
#define VYR_MAX_REQUEST_BYTES 4096
#define VYR_TAG_IDENTITY "vybar/v1/registrar-identity"

/* The outcome of a request, each with its HTTP status (§4.1). */
typedef enum {
	VYR_S_OK = 0,        /* 200 */
	VYR_S_MALFORMED,     /* 400 */
	VYR_S_WRONG_ELECTION, /* 400 */
	VYR_S_UNKNOWN,       /* 403: not eligible (unknown code) */
	VYR_S_USED,          /* 409: credential already issued for this identity */
	VYR_S_CLOSED,        /* 403: registration is closed (§4.3) */
	VYR_S_STILL_OPEN,    /* 409: the count is published only once registration is closed (§4.2) */
	VYR_S_INTERNAL,      /* 500: nothing was issued */
} vyr_status;

typedef struct {
	vy_rsa_sk *sk;
	vy_rsa_pk pk;
	uint8_t hmac_key[VYR_HMAC_KEY_BYTES];
	uint8_t stmt_sk[crypto_sign_SECRETKEYBYTES];
	uint8_t stmt_pk[crypto_sign_PUBLICKEYBYTES];
	sqlite3 *db;
	uint8_t base_hash[VY_HASH_BYTES];
	const vyr_eligibility *elig;
} vyr_state;

/* `init` (§3): new keys (an RSA key of `bits`, or the primes of
 * import_file when not NULL) and an empty database in dir, which must not
 * hold them yet; the public keys go to pub_out (RegistrarPublicKeys).
 * Progress and errors on stderr. These four functions return 0, or the
 * exit status after the message (cli/vy_cli.h: VY_EXIT_FAILED when
 * something is refused, VY_EXIT_IO when it could not be read or written). */
int vyr_init_dir(const char *dir, unsigned bits, const char *import_file, const char *pub_out);

/* Open the state of dir (keys and database). */
int vyr_open(vyr_state *st, const char *dir, const vyr_eligibility *elig);
void vyr_close(vyr_state *st);

/* `roll` (§2.1): count new codes, their keyed hashes on the roll, the codes
 * themselves only in out_file (created, mode 0600). */
int vyr_roll_add(vyr_state *st, unsigned long count, const char *out_file);

/* Bind the state to the election of the manifest file (§3.2): the
 * manifest is valid, its registrar_key is this registrar's key, and the
 * database is for no other election. */
int vyr_set_election(vyr_state *st, const char *manifest_file);

/* §4.1: one RegistrationRequest; on VYR_S_OK *resp is a malloc'd
 * RegistrationResponse, else reason names what failed. */
vyr_status vyr_register(vyr_state *st, const uint8_t *req, size_t len, uint8_t **resp, size_t *resp_len,
			char reason[VYR_REASON_BYTES]);

/* §4.2: the signed IssuedStatement of the closed registration (its final
 * count, signed at the time it closed), malloc'd (vy_issued_statement_pack);
 * VYR_S_STILL_OPEN before `close`. */
vyr_status vyr_issued(vyr_state *st, uint8_t **out, size_t *out_len, char reason[VYR_REASON_BYTES]);

/* §4.3 `close`: end registration now, in one transaction with the count:
 * no credential is issued after it. 0 after printing the time and the
 * count, or the exit status after the message (VY_EXIT_FAILED: it was
 * closed already, and nothing changed). */
int vyr_close_registration(vyr_state *st);


#endif
