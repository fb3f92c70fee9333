/*
 * The voter's side of registration (specs/registrar.md §5).
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/vy_files.h"
#include "client/registration.h"
#include "client/timing.h"
#include "net/vy_http.h"

#define URL_BYTES 1024
#define HTTP_OK 200
#define NOT_SENT " (nothing was sent: the code is not used)"

/* why's message between prefix and suffix; returns rc. */
static vy_rc reason_around(vy_reason *why, vy_rc rc, const char *prefix, const char *suffix)
{
	char msg[VY_REASON_MSG_BYTES];

	if (why == NULL)
		return rc;
	snprintf(msg, sizeof msg, "%s", why->msg);
	return vy_reason_set(why, rc, "%s%s%s", prefix, msg, suffix);
}

/* Decode the manifest's registrar key; VY_R_KEY if it is not one. */
static vy_rc registrar_pk(vy_rsa_pk *pk, const vy_election *e, vy_reason *why)
{
	const Vybar__RsaPublicKey *k = e->manifest->registrar_key;

	if (k == NULL || vy_rsa_pk_import(pk, k->modulus.data, k->modulus.len, k->exponent.data, k->exponent.len) !=
				 VY_OK)
		return vy_reason_set(why, VY_R_KEY, "manifest registrar_key: not an RSA key of crypto §9.1");
	return VY_R_OK;
}

/* §5 steps 1-3. */
vy_rc vyc_registration_begin(vyc_registration *r, const vy_election *e, const char *code, uint8_t **req,
			     size_t *req_len, vy_reason *why)
{
	Vybar__RegistrationRequest m = VYBAR__REGISTRATION_REQUEST__INIT;
	uint8_t sk[crypto_sign_SECRETKEYBYTES], cm[VY_HASH_BYTES];
	vy_rc rc;

	memset(r, 0, sizeof *r);
	*req = NULL;
	if (code == NULL || code[0] == '\0')
		return vy_reason_set(why, VY_R_ARG, "registration code missing");
	rc = registrar_pk(&r->rsa, e, why);
	if (rc != VY_R_OK)
		return rc;
	r->k = r->rsa.n_len;
	memcpy(r->base_hash, e->base_hash, VY_HASH_BYTES);
	/* step 1: the credential key pair */
	randombytes_buf(r->seed, sizeof r->seed);
	crypto_sign_seed_keypair(r->pk, sk, r->seed);
	vy_wipe(sk, sizeof sk);
	/* step 2: cm = H("vybar/v1/credential", base_hash, pk); prepared = randomizer || cm */
	vy_credential_message(e, cm, r->pk);
	if (vy_blind_rsa_prepare(r->prepared, sizeof r->prepared, cm, sizeof cm) != VY_OK)
		return vy_reason_set(why, VY_R_ARG, "cannot prepare the credential message");
	/* step 3: blind (crypto §9.4) */
	if (vy_blind_rsa_blind(&r->rsa, r->blinded, r->inv, r->k, r->prepared, sizeof r->prepared) != VY_OK) {
		vyc_registration_wipe(r);
		return vy_reason_set(why, VY_R_KEY, "cannot blind under the registrar key");
	}
	m.evidence.data = (uint8_t *)code;
	m.evidence.len = strlen(code);
	m.base_hash.data = r->base_hash;
	m.base_hash.len = VY_HASH_BYTES;
	m.blinded.data = r->blinded;
	m.blinded.len = r->k;
	*req = vy_msg_pack(&m, req_len);
	if (*req == NULL) {
		vyc_registration_wipe(r);
		return vy_reason_set(why, VY_R_NOMEM, "out of memory");
	}
	return VY_R_OK;
}

/* §5 step 5: finalize (crypto §9.6, which verifies), then the ballot rule's own check. */
vy_rc vyc_registration_finish(vyc_registration *r, const uint8_t *resp, size_t len, vy_reason *why)
{
	Vybar__RegistrationResponse *m = NULL;
	vy_rc rc;

	rc = vy_decode_message((ProtobufCMessage **)&m, &vybar__registration_response__descriptor,
			       VY_MAX_SMALL_ANSWER_BYTES, resp, len, why);
	if (rc != VY_R_OK)
		return rc;
	if (m->blind_signature.len != r->k) {
		rc = vy_reason_set(why, VY_R_FIELD, "RegistrationResponse blind_signature: %zu bytes, must be %zu",
				   m->blind_signature.len, r->k);
		goto out;
	}
	if (vy_blind_rsa_finalize(&r->rsa, r->sig, r->k, m->blind_signature.data, r->k, r->inv, r->k, r->prepared,
				  sizeof r->prepared) != VY_OK) {
		rc = vy_reason_set(why, VY_R_REGISTRAR_SIGNATURE,
				   "RegistrationResponse blind_signature: does not finalize to a valid signature");
		goto out;
	}
	rc = VY_R_OK;
out:
	vy_msg_free(m);
	return rc;
}

/* §5 step 6: the CredentialFile, packed into *out (malloc'd, secret). */
vy_rc vyc_registration_pack(const vyc_registration *r, uint8_t **out, size_t *len, vy_reason *why)
{
	Vybar__Credential cr = VYBAR__CREDENTIAL__INIT;
	Vybar__CredentialFile f = VYBAR__CREDENTIAL_FILE__INIT;

	cr.public_key.data = (uint8_t *)r->pk;
	cr.public_key.len = sizeof r->pk;
	cr.randomizer.data = (uint8_t *)r->prepared;
	cr.randomizer.len = VY_RANDOMIZER_BYTES;
	cr.signature.data = (uint8_t *)r->sig;
	cr.signature.len = r->k;
	f.base_hash.data = (uint8_t *)r->base_hash;
	f.base_hash.len = VY_HASH_BYTES;
	f.secret_seed.data = (uint8_t *)r->seed;
	f.secret_seed.len = sizeof r->seed;
	f.credential = &cr;
	f.earliest_cast = r->earliest_cast;
	*out = vy_msg_pack(&f, len);
	if (*out == NULL)
		return vy_reason_set(why, VY_R_NOMEM, "out of memory");
	return VY_R_OK;
}

/* §5 step 6: the CredentialFile, sealed (client.md §6.1), synced. */
vy_rc vyc_registration_save(const vyc_registration *r, const vy_sealer *s, const char *path, vy_reason *why)
{
	uint8_t *plain = NULL, *file = NULL;
	size_t len = 0, flen = 0;
	vy_rc rc = vyc_registration_pack(r, &plain, &len, why);

	if (rc != VY_R_OK)
		return rc;
	if (len > VYC_CREDENTIAL_PLAIN_MAX) {
		rc = vy_reason_set(why, VY_R_ARG, "credential of %zu bytes", len);
		goto out;
	}
	flen = VY_SEAL_FILE_BYTES(VYC_CREDENTIAL_MAGIC_LEN, len);
	file = malloc(flen);
	if (file == NULL) {
		rc = vy_reason_set(why, VY_R_NOMEM, "out of memory");
		goto out;
	}
	rc = vy_sealer_seal(s, file, VYC_CREDENTIAL_MAGIC, plain, len, why);
	/* over the empty file vyc_register reserved (specs/registrar.md §5 step 6) */
	if (rc == VY_R_OK)
		rc = vy_file_replace(path, VY_FILE_MODE_SECRET, file, flen, why);
out:
	vy_wipe(plain, len);
	free(plain);
	free(file);
	return rc;
}

/* Wipe every secret of a registration. */
void vyc_registration_wipe(vyc_registration *r)
{
	vy_wipe(r, sizeof *r);
}

/* §5 steps 1-5 through t. */
vy_rc vyc_register_to(const vy_http_transport *t, vyc_registration *r, const vy_election *e, const char *base_url,
		      const char *code, long *http_status, vy_reason *why)
{
	vy_http_answer resp = { 0 };
	vy_http_request rq;
	const vy_http_retry retry = { .idempotent = 1 };
	char url[URL_BYTES];
	uint8_t *req = NULL;
	size_t req_len = 0;
	vy_rc rc;

	memset(r, 0, sizeof *r);
	if (http_status != NULL)
		*http_status = 0;
	if (vy_http_url(url, sizeof url, base_url, VY_PATH_REGISTER, NULL) != VY_R_OK)
		return vy_reason_set(why, VY_R_ARG, "registrar URL too long");
	rc = vyc_registration_begin(r, e, code, &req, &req_len, why);
	if (rc != VY_R_OK)
		return rc;
	/* step 4: POST VY_PATH_REGISTER; a busy registrar (429, 503) is asked
	 * again after its Retry-After by the retry policy of net/vy_http.h, and
	 * so is a lost answer: the registrar answers the byte-identical retry
	 * as it answered the first (registrar.md §4.1 step 5) */
	rq = (vy_http_request){ .method = VY_HTTP_POST, .url = url, .content_type = VY_CT_PROTOBUF, .body = req,
				.body_len = req_len, .max_answer = VY_MAX_SMALL_ANSWER_BYTES };
	rc = vy_http_send(t, &retry, &rq, &resp, why);
	if (rc != VY_R_OK) {
		char what[VY_REASON_MSG_BYTES];

		snprintf(what, sizeof what, "%s", why->msg);
		rc = vy_reason_set(why, VY_R_IO, "registrar %s: %s", url, what);
		goto out;
	}
	if (http_status != NULL)
		*http_status = resp.status;
	if (resp.status != HTTP_OK) {
		rc = vy_reason_set(why, VY_R_IO, "registrar refused (HTTP %ld): %.180s", resp.status,
				   (const char *)resp.body);
		goto out;
	}
	rc = vyc_registration_finish(r, resp.body, resp.len, why);
	/* client.md §6.2: the earliest cast time, drawn as the code is spent */
	if (rc == VY_R_OK)
		r->earliest_cast = vyc_earliest_cast(e->manifest, (uint64_t)time(NULL));
out:
	if (rc != VY_R_OK)
		vyc_registration_wipe(r);
	vy_http_answer_free(&resp);
	free(req);
	return rc;
}

vy_rc vyc_registration_credential(vyc_credential *c, const vyc_registration *r, vy_reason *why)
{
	return vyc_credential_set(c, r->seed, r->pk, r->prepared, r->sig, r->k, why);
}

/* The whole of §5. */
vy_rc vyc_register(const vy_election *e, const char *base_url, const char *code, const char *path,
		   const char *pass, uint64_t earliest_cast, long *http_status, vy_reason *why)
{
	vyc_registration r;
	vy_sealer sealer;
	vy_rc rc;

	if (http_status != NULL)
		*http_status = 0;
	memset(&r, 0, sizeof r);
	/* Everything that can refuse runs before the registrar spends the code:
	 * the credential file is reserved first (created empty, never over an
	 * existing one), and removed again if no credential comes to fill it;
	 * the passphrase's key is derived (Argon2id, which may lack memory). */
	rc = vy_file_create(path, VY_FILE_MODE_SECRET, "", 0, why);
	if (rc != VY_R_OK)
		return reason_around(why, rc, "credential file: ", NOT_SENT);
	rc = vy_sealer_init(&sealer, pass, why);
	if (rc != VY_R_OK) {
		(void)unlink(path);
		return reason_around(why, rc, "", NOT_SENT);
	}
	rc = vyc_register_to(NULL, &r, e, base_url, code, http_status, why);
	r.earliest_cast = earliest_cast;
	if (rc == VY_R_OK)
		rc = vyc_registration_save(&r, &sealer, path, why);
	if (rc != VY_R_OK)
		(void)unlink(path); /* the reserved, still empty file */
	vy_sealer_wipe(&sealer);
	vyc_registration_wipe(&r);
	return rc;
}

void vyc_credential_file_free(Vybar__CredentialFile *f)
{
	if (f != NULL && f->secret_seed.data != NULL)
		sodium_memzero(f->secret_seed.data, f->secret_seed.len);
	vy_msg_free(f);
}

/* The credential file's plaintext, opened with pass into guarded memory. */
static vy_rc credential_unseal(uint8_t *plain, size_t *n, const char *path, const char *pass, vy_reason *why)
{
	uint8_t *file = NULL;
	size_t len = 0;
	vy_rc rc = vy_file_read(&file, &len, path, VYC_CREDENTIAL_FILE_MAX, 0, why);

	if (rc != VY_R_OK)
		return rc;
	rc = vy_unseal(plain, n, VYC_CREDENTIAL_PLAIN_MAX, VYC_CREDENTIAL_MAGIC, file, len, pass, why);
	if (rc == VY_R_FIELD) {
		char prefix[VY_REASON_MSG_BYTES];

		snprintf(prefix, sizeof prefix, "credential file %.160s: not a sealed credential file: ", path);
		rc = reason_around(why, rc, prefix, "");
	}
	else if (rc == VY_R_KEY)
		rc = vy_reason_set(why, rc, "credential file %s: wrong passphrase, or the file was modified "
				   "(nothing was changed)", path);
	else if (rc != VY_R_OK)
		rc = reason_around(why, rc, "credential file: ", "");
	free(file); /* ciphertext only */
	return rc;
}

/* Decode and check a credential file's bytes: for e, and the registrar
 * signature verifies. name says where they came from in a reason. */
vy_rc vyc_credential_decode(Vybar__CredentialFile **out, const vy_election *e, const uint8_t *buf, size_t n,
			    const char *name, vy_reason *why)
{
	uint8_t msg[VY_RANDOMIZER_BYTES + VY_HASH_BYTES];
	Vybar__CredentialFile *f = NULL;
	const Vybar__Credential *cr;
	vy_rc rc;

	*out = NULL;
	rc = vy_decode_message((ProtobufCMessage **)&f, &vybar__credential_file__descriptor,
			       VYC_CREDENTIAL_PLAIN_MAX, buf, n, why);
	if (rc != VY_R_OK)
		return rc;
	cr = f->credential;
	if (f->base_hash.len != VY_HASH_BYTES || memcmp(f->base_hash.data, e->base_hash, VY_HASH_BYTES) != 0 ||
	    f->secret_seed.len != crypto_sign_SEEDBYTES || cr == NULL ||
	    cr->public_key.len != VY_ED25519_PK_BYTES || cr->randomizer.len != VY_RANDOMIZER_BYTES) {
		rc = vy_reason_set(why, VY_R_FIELD, "credential file %s: not a credential for this election", name);
		goto out;
	}
	memcpy(msg, cr->randomizer.data, VY_RANDOMIZER_BYTES);
	vy_credential_message(e, msg + VY_RANDOMIZER_BYTES, cr->public_key.data);
	if (vy_registrar_verify(NULL, e->manifest->registrar_key, msg, sizeof msg, cr->signature.data,
				cr->signature.len) != VY_R_OK) {
		rc = vy_reason_set(why, VY_R_REGISTRAR_SIGNATURE, "credential file %s: registrar signature fails",
				   name);
		goto out;
	}
	*out = f;
	return VY_R_OK;
out:
	vyc_credential_file_free(f);
	return rc;
}

/* Open, decode and check a credential file: for e, and the registrar signature verifies. */
vy_rc vyc_credential_load(Vybar__CredentialFile **out, const vy_election *e, const char *path, const char *pass,
			  vy_reason *why)
{
	uint8_t *plain = sodium_malloc(VYC_CREDENTIAL_PLAIN_MAX);
	size_t n = 0;
	vy_rc rc;

	*out = NULL;
	if (plain == NULL)
		return vy_reason_set(why, VY_R_NOMEM, "out of guarded memory");
	rc = credential_unseal(plain, &n, path, pass, why);
	if (rc == VY_R_OK)
		rc = vyc_credential_decode(out, e, plain, n, path, why);
	sodium_free(plain); /* wipes */
	return rc;
}
