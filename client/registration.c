/*
 * The voter's side of registration (specs/registrar.md §5).
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>

#include "cli/vy_files.h"
#include "client/registration.h"
#include "crypto/vy_hash.h"

#define URL_BYTES 1024
#define HTTP_TIMEOUT_S 60L
#define MAX_CREDENTIAL_FILE_BYTES 4096

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
			       VYC_MAX_RESPONSE_BYTES, resp, len, why);
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

/* §5 step 6: CredentialFile, created with mode 0600, synced. */
vy_rc vyc_registration_save(const vyc_registration *r, const char *path, vy_reason *why)
{
	Vybar__Credential cr = VYBAR__CREDENTIAL__INIT;
	Vybar__CredentialFile f = VYBAR__CREDENTIAL_FILE__INIT;
	uint8_t *buf;
	size_t len;
	vy_rc rc;

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
	buf = vy_msg_pack(&f, &len);
	if (buf == NULL)
		return vy_reason_set(why, VY_R_NOMEM, "out of memory");
	rc = vy_file_create(path, VY_FILE_MODE_SECRET, buf, len, why); /* never over an existing one */
	vy_wipe(buf, len);
	free(buf);
	return rc;
}

/* Wipe every secret of a registration. */
void vyc_registration_wipe(vyc_registration *r)
{
	vy_wipe(r, sizeof *r);
}

/* libcurl's body callback: append, refusing more than the limit. */
static size_t collect(char *data, size_t size, size_t n, void *arg)
{
	vyc_http_resp *r = arg;
	size_t add = size * n;
	uint8_t *p;

	if (add > VYC_MAX_RESPONSE_BYTES - r->len)
		return 0;
	p = realloc(r->body, r->len + add + 1);
	if (p == NULL)
		return 0;
	memcpy(p + r->len, data, add);
	r->body = p;
	r->len += add;
	r->body[r->len] = 0;
	return add;
}

/* One request: body != NULL makes it a POST. */
static vy_rc http(const char *url, const uint8_t *body, size_t len, vyc_http_resp *resp)
{
	CURL *c = curl_easy_init();
	struct curl_slist *h = NULL;
	CURLcode cc;

	memset(resp, 0, sizeof *resp);
	if (c == NULL)
		return VY_R_NOMEM;
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, resp);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, HTTP_TIMEOUT_S);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	if (body != NULL) {
		h = curl_slist_append(h, "Content-Type: application/x-protobuf");
		curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, (const char *)body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	}
	cc = curl_easy_perform(c);
	if (cc == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &resp->status);
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	if (cc != CURLE_OK) {
		vyc_http_resp_free(resp);
		return VY_R_IO;
	}
	if (resp->body == NULL) {
		resp->body = calloc(1, 1);
		if (resp->body == NULL)
			return VY_R_NOMEM;
	}
	return VY_R_OK;
}

/* POST body to url. */
vy_rc vyc_http_post(const char *url, const uint8_t *body, size_t len, vyc_http_resp *resp)
{
	return http(url, body != NULL ? body : (const uint8_t *)"", len, resp);
}

/* GET url. */
vy_rc vyc_http_get(const char *url, vyc_http_resp *resp)
{
	return http(url, NULL, 0, resp);
}

/* Free an answer's body. */
void vyc_http_resp_free(vyc_http_resp *resp)
{
	free(resp->body);
	resp->body = NULL;
	resp->len = 0;
}

/* The whole of §5. */
vy_rc vyc_register(const vy_election *e, const char *base_url, const char *code, const char *path,
		   long *http_status, vy_reason *why)
{
	vyc_registration r;
	vyc_http_resp resp = { 0, NULL, 0 };
	char url[URL_BYTES];
	uint8_t *req = NULL;
	size_t req_len = 0;
	vy_rc rc;

	if (http_status != NULL)
		*http_status = 0;
	if ((size_t)snprintf(url, sizeof url, "%s%s", base_url, VYC_PATH_REGISTER) >= sizeof url)
		return vy_reason_set(why, VY_R_ARG, "registrar URL too long");
	rc = vyc_registration_begin(&r, e, code, &req, &req_len, why);
	if (rc != VY_R_OK)
		return rc;
	/* step 4: POST /v1/register */
	rc = vyc_http_post(url, req, req_len, &resp);
	if (rc != VY_R_OK) {
		rc = vy_reason_set(why, VY_R_IO, "registrar %s: no answer", url);
		goto out;
	}
	if (http_status != NULL)
		*http_status = resp.status;
	if (resp.status != 200) {
		rc = vy_reason_set(why, VY_R_IO, "registrar refused (HTTP %ld): %.180s", resp.status,
				   (const char *)resp.body);
		goto out;
	}
	rc = vyc_registration_finish(&r, resp.body, resp.len, why);
	if (rc == VY_R_OK)
		rc = vyc_registration_save(&r, path, why);
out:
	vyc_http_resp_free(&resp);
	free(req);
	vyc_registration_wipe(&r);
	return rc;
}

/* Load and check a credential file: for e, and the registrar signature verifies. */
vy_rc vyc_credential_load(Vybar__CredentialFile **out, const vy_election *e, const char *path, vy_reason *why)
{
	uint8_t *buf = NULL, msg[VY_RANDOMIZER_BYTES + VY_HASH_BYTES];
	size_t n = 0;
	Vybar__CredentialFile *f = NULL;
	const Vybar__Credential *cr;
	vy_rc rc = vy_file_read(&buf, &n, path, MAX_CREDENTIAL_FILE_BYTES, 0, why);

	*out = NULL;
	if (rc != VY_R_OK)
		return rc;
	rc = vy_decode_message((ProtobufCMessage **)&f, &vybar__credential_file__descriptor,
			       MAX_CREDENTIAL_FILE_BYTES - 1, buf, n, why);
	vy_wipe(buf, n);
	free(buf);
	if (rc != VY_R_OK)
		return rc;
	cr = f->credential;
	if (f->base_hash.len != VY_HASH_BYTES || memcmp(f->base_hash.data, e->base_hash, VY_HASH_BYTES) != 0 ||
	    f->secret_seed.len != crypto_sign_SEEDBYTES || cr == NULL ||
	    cr->public_key.len != VY_ED25519_PK_BYTES || cr->randomizer.len != VY_RANDOMIZER_BYTES) {
		rc = vy_reason_set(why, VY_R_FIELD, "credential file %s: not a credential for this election", path);
		goto out;
	}
	memcpy(msg, cr->randomizer.data, VY_RANDOMIZER_BYTES);
	vy_credential_message(e, msg + VY_RANDOMIZER_BYTES, cr->public_key.data);
	if (vy_registrar_verify(NULL, e->manifest->registrar_key, msg, sizeof msg, cr->signature.data,
				cr->signature.len) != VY_R_OK) {
		rc = vy_reason_set(why, VY_R_REGISTRAR_SIGNATURE, "credential file %s: registrar signature fails",
				   path);
		goto out;
	}
	*out = f;
	return VY_R_OK;
out:
	vy_msg_free(f);
	return rc;
}

/* specs/registrar.md §4.2. */
vy_rc vyc_issued_verify(const uint8_t statement_key[crypto_sign_PUBLICKEYBYTES],
			const uint8_t base_hash[VY_HASH_BYTES], const uint8_t *buf, size_t len, uint64_t *issued,
			uint64_t *time, vy_reason *why)
{
	Vybar__IssuedStatement *m = NULL;
	uint8_t h[VY_HASH_BYTES];
	vy_hasher hs;
	vy_rc rc;

	*issued = 0;
	*time = 0;
	rc = vy_decode_message((ProtobufCMessage **)&m, &vybar__issued_statement__descriptor, VYC_MAX_RESPONSE_BYTES,
			       buf, len, why);
	if (rc != VY_R_OK)
		return rc;
	if (m->base_hash.len != VY_HASH_BYTES || memcmp(m->base_hash.data, base_hash, VY_HASH_BYTES) != 0) {
		rc = vy_reason_set(why, VY_R_FIELD, "IssuedStatement base_hash: not this election's");
		goto out;
	}
	if (m->signature.len != crypto_sign_BYTES) {
		rc = vy_reason_set(why, VY_R_FIELD, "IssuedStatement signature: must be 64 bytes");
		goto out;
	}
	vy_hasher_init(&hs, VYC_TAG_ISSUED);
	vy_hasher_item(&hs, m->base_hash.data, VY_HASH_BYTES);
	vy_hasher_u64(&hs, m->issued);
	vy_hasher_u64(&hs, m->time);
	vy_hasher_final(&hs, h);
	if (crypto_sign_verify_detached(m->signature.data, h, sizeof h, statement_key) != 0) {
		rc = vy_reason_set(why, VY_R_KEY, "IssuedStatement signature: does not verify under the statement key");
		goto out;
	}
	*issued = m->issued;
	*time = m->time;
	rc = VY_R_OK;
out:
	vy_msg_free(m);
	return rc;
}
