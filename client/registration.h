/*
 * The voter's side of registration (specs/registrar.md §5): generate an
 * Ed25519 credential key, prepare and blind the credential message
 * (protocol.md §4.1, crypto §9.3-§9.4), ask vybar-registrar over HTTP,
 * finalize and verify the signature (crypto §9.6-§9.7), and store the
 * credential in a file of mode 0600, sealed under the voter's passphrase
 * (specs/client.md §6.1: a sealed file of cli/vy_keys.h).
 *
 * Failures return a vy_rc with a reason; an answer of the registrar other
 * than 200 is VY_R_IO with the registrar's reason and its HTTP status. HTTP
 * goes through net/vy_http.h.
 */
#ifndef VYC_REGISTRATION_H
#define VYC_REGISTRATION_H

#include <sodium.h>

#include "cli/vy_keys.h"
#include "client/vote.h"
#include "crypto/vy_blind_rsa.h"
#include "net/vy_http.h"
#include "protocol/vy_election.h"

/* The credential file (specs/client.md §6.1): a sealed file of this magic
 * whose plaintext is a CredentialFile of at most VYC_CREDENTIAL_PLAIN_MAX
 * bytes. */
#define VYC_CREDENTIAL_MAGIC "VYBAR-CREDENTIAL/1\n"
#define VYC_CREDENTIAL_MAGIC_LEN 19
#define VYC_CREDENTIAL_PLAIN_MAX 2048
#define VYC_CREDENTIAL_FILE_MAX VY_SEAL_FILE_BYTES(VYC_CREDENTIAL_MAGIC_LEN, VYC_CREDENTIAL_PLAIN_MAX)


/* One registration in progress. Holds secrets: end with vyc_registration_wipe. */
typedef struct {
	uint8_t seed[crypto_sign_SEEDBYTES];
	uint8_t pk[crypto_sign_PUBLICKEYBYTES];
	uint8_t prepared[VY_RANDOMIZER_BYTES + VY_HASH_BYTES]; /* randomizer || cm */
	uint8_t blinded[VY_RSA_MAX_BYTES];
	uint8_t inv[VY_RSA_MAX_BYTES];
	uint8_t sig[VY_RSA_MAX_BYTES]; /* the finalized signature */
	size_t k;
	vy_rsa_pk rsa;
	uint8_t base_hash[VY_HASH_BYTES];
	uint64_t earliest_cast; /* kept in the file (client.md §6.2); 0: none */
} vyc_registration;

/* §5 steps 1-3: a fresh credential key, its prepared message and the
 * blinded message; *req (malloc'd) is the RegistrationRequest with code. */
vy_rc vyc_registration_begin(vyc_registration *r, const vy_election *e, const char *code, uint8_t **req,
			     size_t *req_len, vy_reason *why) VY_WARN_UNUSED;
/* §5 step 5: decode the RegistrationResponse, finalize and verify. */
vy_rc vyc_registration_finish(vyc_registration *r, const uint8_t *resp, size_t len, vy_reason *why) VY_WARN_UNUSED;
/* §5 step 6: the CredentialFile packed into *out (malloc'd; it holds the
 * secret seed: wipe it). */
vy_rc vyc_registration_pack(const vyc_registration *r, uint8_t **out, size_t *len, vy_reason *why) VY_WARN_UNUSED;
/* §5 step 6: the CredentialFile, sealed with s (whose key the voter's
 * passphrase gave), over the file at path (mode 0600). */
vy_rc vyc_registration_save(const vyc_registration *r, const vy_sealer *s, const char *path,
			    vy_reason *why) VY_WARN_UNUSED;
void vyc_registration_wipe(vyc_registration *r);

/* §5 steps 1-5 against the registrar at base_url (e.g.
 * "http://127.0.0.1:8090") through t (NULL: libcurl), into r (wiped on
 * failure; end with vyc_registration_wipe). *http_status (may be NULL)
 * gets the answer's status (0 if none came). On success
 * r->earliest_cast is drawn (client.md §6.2, vyc_earliest_cast, from
 * now), and vyc_registration_pack keeps it. The browser's booth
 * registers with this too. */
vy_rc vyc_register_to(const vy_http_transport *t, vyc_registration *r, const vy_election *e, const char *base_url,
		      const char *code, long *http_status, vy_reason *why) VY_WARN_UNUSED;
/* The credential of a finished registration, for voting without a file
 * (close c with vyc_credential_close). */
vy_rc vyc_registration_credential(vyc_credential *c, const vyc_registration *r, vy_reason *why) VY_WARN_UNUSED;

/* The whole of §5, the credential file at path sealed under pass, with
 * the earliest cast time earliest_cast (Unix seconds, client.md §6.2:
 * vyc_earliest_cast; 0 for none) in place of the one vyc_register_to
 * drew (the caller drew it first, to tell the voter). Every check that can refuse runs before
 * the registrar spends the code: path is reserved (it must not exist) and
 * the passphrase's key derived first. */
vy_rc vyc_register(const vy_election *e, const char *base_url, const char *code, const char *path,
		   const char *pass, uint64_t earliest_cast, long *http_status, vy_reason *why) VY_WARN_UNUSED;

/* A CredentialFile's plaintext bytes (n of them, from `name`), decoded and
 * checked against e (free with vyc_credential_file_free). */
vy_rc vyc_credential_decode(Vybar__CredentialFile **out, const vy_election *e, const uint8_t *buf, size_t n,
			    const char *name, vy_reason *why) VY_WARN_UNUSED;
/* The credential file at path, opened with pass, decoded and checked
 * against e (free with vyc_credential_file_free, which wipes the secret).
 * VY_R_KEY for a wrong passphrase (or a modified file), VY_R_FIELD for a
 * file that is not a credential file of e. */
vy_rc vyc_credential_load(Vybar__CredentialFile **out, const vy_election *e, const char *path, const char *pass,
			  vy_reason *why) VY_WARN_UNUSED;
void vyc_credential_file_free(Vybar__CredentialFile *f);


#endif
