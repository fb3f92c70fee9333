/*
 * vybar-registrar's core (specs/registrar.md).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "registrar/registrar.h"
#include "cli/vy_cli.h"
#include "cli/vy_files.h"
#include "cli/vy_keys.h"
#include "protocol/vy_api.h"
#include "protocol/vy_election.h"
#include "protocol/vy_record.h"

#define PATH_BYTES 1024
#define RSA_HALF_MAX (VY_RSA_MAX_BYTES / 2)
#define RSA_FILE_HEADER 2

/* §3.1: the database schema. meta holds the election's base hash once
 * bound; roll holds one row per eligible identity: its keyed hash, whether
 * a credential was issued, and the blinded message then signed. */
static const char schema[] =
	"CREATE TABLE meta (name TEXT PRIMARY KEY, value BLOB NOT NULL);"
	"CREATE TABLE roll (id_hash BLOB PRIMARY KEY, issued INTEGER NOT NULL DEFAULT 0, blinded BLOB);";

/* dir/name into out; 0 on success. */
static int join(char out[PATH_BYTES], const char *dir, const char *name)
{
	int n = snprintf(out, PATH_BYTES, "%s/%s", dir, name);

	return n > 0 && n < PATH_BYTES ? 0 : -1;
}

/* why on stderr; the exit status of its code. */
static int report(const vy_reason *why)
{
	fprintf(stderr, "vybar-registrar: %s\n", why->msg);
	return vy_cli_exit(why->code);
}

/* Create path (which must not exist) with mode 0600 and write data. */
static int write_new_file(const char *path, const uint8_t *data, size_t len)
{
	vy_reason why = { 0 };

	return vy_file_create(path, VY_FILE_MODE_SECRET, data, len, &why) == VY_R_OK ? 0 : report(&why);
}

/* §3: the RSA key file is u16be(h) || p || q, each prime big-endian in h bytes. */
static int rsa_write(const vy_rsa_sk *sk, const vy_rsa_pk *pk, const char *path)
{
	uint8_t buf[RSA_FILE_HEADER + 2 * RSA_HALF_MAX];
	size_t h = pk->n_len / 2 + 1;
	int rc = -1;

	if (h > RSA_HALF_MAX)
		h = RSA_HALF_MAX;
	buf[0] = (uint8_t)(h >> 8);
	buf[1] = (uint8_t)h;
	if (vy_rsa_sk_export(sk, buf + RSA_FILE_HEADER, h, buf + RSA_FILE_HEADER + h, h) != VY_OK) {
		fprintf(stderr, "vybar-registrar: cannot export the RSA key\n");
		rc = VY_EXIT_IO;
		goto out;
	}
	rc = write_new_file(path, buf, RSA_FILE_HEADER + 2 * h);
out:
	vy_wipe(buf, sizeof buf);
	return rc;
}

/* The RSA key file of §3 (e = 65537) into *sk. 0, or the exit status
 * after the message. */
static int rsa_read(vy_rsa_sk **sk, const char *path)
{
	static const uint8_t e[] = { 0x01, 0x00, 0x01 };
	vy_reason why = { 0 };
	size_t len = 0, h;
	uint8_t *buf = NULL;
	int rc = 0;

	*sk = NULL;
	if (vy_file_read(&buf, &len, path, RSA_FILE_HEADER + 2 * RSA_HALF_MAX, 0, &why) != VY_R_OK)
		return report(&why);
	h = len >= RSA_FILE_HEADER ? ((size_t)buf[0] << 8 | buf[1]) : 0;
	if (h == 0 || len != RSA_FILE_HEADER + 2 * h ||
	    vy_rsa_sk_import(sk, buf + RSA_FILE_HEADER, h, buf + RSA_FILE_HEADER + h, h, e, sizeof e) != VY_OK) {
		fprintf(stderr, "vybar-registrar: %s is not an RSA key file\n", path);
		*sk = NULL;
		rc = VY_EXIT_FAILED;
	}
	vy_wipe(buf, len);
	free(buf);
	return rc;
}

/* Run one SQL script; 0 on success. */
static int exec_sql(sqlite3 *db, const char *sql)
{
	char *err = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK) {
		fprintf(stderr, "vybar-registrar: database: %s\n", err != NULL ? err : "error");
		sqlite3_free(err);
		return -1;
	}
	return 0;
}

/* Open the database with durable commits (§3.1). */
static sqlite3 *db_open(const char *path, int create)
{
	sqlite3 *db = NULL;
	int flags = SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0);

	if (sqlite3_open_v2(path, &db, flags, NULL) != SQLITE_OK) {
		fprintf(stderr, "vybar-registrar: cannot open %s\n", path);
		sqlite3_close(db);
		return NULL;
	}
	if (exec_sql(db, "PRAGMA journal_mode=DELETE; PRAGMA synchronous=FULL; PRAGMA secure_delete=ON;") != 0) {
		sqlite3_close(db);
		return NULL;
	}
	sqlite3_busy_timeout(db, 5000);
	return db;
}

/* The RegistrarPublicKeys of §3 for the commission. */
static int write_public(const vy_rsa_pk *pk, const uint8_t stmt_pk[crypto_sign_PUBLICKEYBYTES], const char *path)
{
	Vybar__RsaPublicKey rk = VYBAR__RSA_PUBLIC_KEY__INIT;
	Vybar__RegistrarPublicKeys keys = VYBAR__REGISTRAR_PUBLIC_KEYS__INIT;
	uint8_t *buf;
	size_t len;
	int rc;

	rk.modulus.data = (uint8_t *)pk->n;
	rk.modulus.len = pk->n_len;
	rk.exponent.data = (uint8_t *)pk->e;
	rk.exponent.len = pk->e_len;
	keys.registrar_key = &rk;
	keys.statement_key.data = (uint8_t *)stmt_pk;
	keys.statement_key.len = crypto_sign_PUBLICKEYBYTES;
	buf = vy_msg_pack(&keys, &len);
	if (buf == NULL)
		return VY_EXIT_IO;
	rc = write_new_file(path, buf, len);
	free(buf);
	return rc;
}

/* Print a labelled hex line on stdout. */
static void print_hex(const char *label, const uint8_t *b, size_t n)
{
	printf("%s ", label);
	for (size_t i = 0; i < n; i++)
		printf("%02x", b[i]);
	printf("\n");
}

/* The RSA key: generated (with progress on stderr) or imported. 0, or the
 * exit status after the message. */
static int init_rsa(vy_rsa_sk **sk, unsigned bits, const char *import_file)
{
	*sk = NULL;
	if (import_file != NULL)
		return rsa_read(sk, import_file);
	fprintf(stderr, "vybar-registrar: generating a %u-bit RSA key (safe primes: this takes a while)...\n", bits);
	if (vy_rsa_keygen(sk, bits) != VY_OK) {
		fprintf(stderr, "vybar-registrar: RSA key generation failed\n");
		return VY_EXIT_IO;
	}
	fprintf(stderr, "vybar-registrar: RSA key done\n");
	return 0;
}

/* A key file of §3 (plain, cli/vy_keys.h) at dir/name. */
static int write_key_file(const char *dir, const char *name, const uint8_t *secret, size_t n)
{
	char path[PATH_BYTES];
	vy_reason why = { 0 };

	if (join(path, dir, name) != 0)
		return VY_EXIT_IO;
	return vy_key_file_write(path, secret, n, &why) == VY_R_OK ? 0 : report(&why);
}

/* The key file dir/name into secret. */
static int read_key_file(uint8_t *secret, const char *dir, const char *name, size_t n)
{
	char path[PATH_BYTES];
	vy_reason why = { 0 };

	if (join(path, dir, name) != 0)
		return VY_EXIT_IO;
	return vy_key_file_read(secret, path, n, &why) == VY_R_OK ? 0 : report(&why);
}

/* The database of §3.1, created 0600 before SQLite opens it, with its tables. */
static int create_db(const char *dir)
{
	char path[PATH_BYTES];
	vy_reason why = { 0 };
	sqlite3 *db;
	int rc;

	if (join(path, dir, VYR_FILE_DB) != 0)
		return VY_EXIT_IO;
	if (vy_file_create(path, VY_FILE_MODE_SECRET, NULL, 0, &why) != VY_R_OK)
		return report(&why);
	db = db_open(path, 1);
	rc = db == NULL || exec_sql(db, schema) != 0 ? VY_EXIT_IO : 0;
	sqlite3_close(db);
	return rc;
}

/* Every secret file of dir, then the public keys (§3). */
static int init_files(const char *dir, const vy_rsa_sk *sk, const vy_rsa_pk *pk, const char *pub_out)
{
	char path[PATH_BYTES];
	uint8_t hmac[VYR_HMAC_KEY_BYTES], seed[crypto_sign_SEEDBYTES];
	uint8_t spk[crypto_sign_PUBLICKEYBYTES], ssk[crypto_sign_SECRETKEYBYTES];
	int rc = VY_EXIT_IO;

	randombytes_buf(hmac, sizeof hmac);
	randombytes_buf(seed, sizeof seed);
	crypto_sign_seed_keypair(spk, ssk, seed);
	if (join(path, dir, VYR_FILE_RSA) != 0 || (rc = rsa_write(sk, pk, path)) != 0 ||
	    (rc = write_key_file(dir, VYR_FILE_HMAC, hmac, sizeof hmac)) != 0 ||
	    (rc = write_key_file(dir, VYR_FILE_STATEMENT, seed, sizeof seed)) != 0 || (rc = create_db(dir)) != 0)
		goto out;
	rc = VY_EXIT_IO;
	if (join(path, dir, VYR_FILE_PUBLIC) != 0 || (rc = write_public(pk, spk, path)) != 0 ||
	    (pub_out != NULL && (rc = write_public(pk, spk, pub_out)) != 0))
		goto out;
	print_hex("registrar_key.modulus", pk->n, pk->n_len);
	print_hex("registrar_key.exponent", pk->e, pk->e_len);
	print_hex("statement_key", spk, sizeof spk);
out:
	vy_wipe(hmac, sizeof hmac);
	vy_wipe(seed, sizeof seed);
	vy_wipe(ssk, sizeof ssk);
	return rc;
}

/* §3 `init`: every file of dir, each mode 0600, then the public keys. */
int vyr_init_dir(const char *dir, unsigned bits, const char *import_file, const char *pub_out)
{
	char path[PATH_BYTES];
	vy_rsa_sk *sk = NULL;
	vy_rsa_pk pk;
	int rc;

	if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
		fprintf(stderr, "vybar-registrar: %s: %s\n", dir, strerror(errno));
		return VY_EXIT_IO;
	}
	if (join(path, dir, VYR_FILE_DB) != 0 || access(path, F_OK) == 0) {
		fprintf(stderr, "vybar-registrar: %s already holds a registrar\n", dir);
		return VY_EXIT_FAILED;
	}
	rc = init_rsa(&sk, bits, import_file);
	if (rc == 0) {
		vy_rsa_sk_public(sk, &pk);
		rc = init_files(dir, sk, &pk, pub_out);
	}
	vy_rsa_sk_free(sk);
	return rc;
}

/* Open the state of dir: every key, the database. */
int vyr_open(vyr_state *st, const char *dir, const vyr_eligibility *elig)
{
	char path[PATH_BYTES];
	uint8_t seed[crypto_sign_SEEDBYTES];
	int rc = VY_EXIT_IO;

	memset(st, 0, sizeof *st);
	st->elig = elig;
	if (join(path, dir, VYR_FILE_RSA) != 0 || (rc = rsa_read(&st->sk, path)) != 0)
		goto out;
	vy_rsa_sk_public(st->sk, &st->pk);
	if ((rc = read_key_file(st->hmac_key, dir, VYR_FILE_HMAC, sizeof st->hmac_key)) != 0 ||
	    (rc = read_key_file(seed, dir, VYR_FILE_STATEMENT, sizeof seed)) != 0)
		goto out;
	crypto_sign_seed_keypair(st->stmt_pk, st->stmt_sk, seed);
	rc = VY_EXIT_IO;
	if (join(path, dir, VYR_FILE_DB) != 0 || (st->db = db_open(path, 0)) == NULL)
		goto out;
	rc = 0;
out:
	vy_wipe(seed, sizeof seed);
	if (rc != 0)
		vyr_close(st);
	return rc;
}

/* Close and wipe. */
void vyr_close(vyr_state *st)
{
	sqlite3_close(st->db);
	vy_rsa_sk_free(st->sk);
	vy_wipe(st, sizeof *st);
}

/* §2.2: id_hash = HMAC-SHA-256(hmac_key, item(tag) || item(kind) || item(identity)). */
static void identity_hash(const vyr_state *st, uint8_t out[VYR_ID_HASH_BYTES], const uint8_t *id, size_t id_len)
{
	crypto_auth_hmacsha256_state h;
	const char *kind = st->elig->name;
	const uint8_t *parts[3] = { (const uint8_t *)VYR_TAG_IDENTITY, (const uint8_t *)kind, id };
	size_t lens[3] = { strlen(VYR_TAG_IDENTITY), strlen(kind), id_len };

	crypto_auth_hmacsha256_init(&h, st->hmac_key, sizeof st->hmac_key);
	for (int i = 0; i < 3; i++) {
		uint8_t be[4] = { (uint8_t)(lens[i] >> 24), (uint8_t)(lens[i] >> 16), (uint8_t)(lens[i] >> 8),
				  (uint8_t)lens[i] };

		crypto_auth_hmacsha256_update(&h, be, sizeof be);
		crypto_auth_hmacsha256_update(&h, parts[i], lens[i]);
	}
	crypto_auth_hmacsha256_final(&h, out);
	vy_wipe(&h, sizeof h);
}

/* Insert one identity hash into the roll; SQLITE_DONE on success. */
static int roll_insert(sqlite3 *db, const uint8_t h[VYR_ID_HASH_BYTES])
{
	sqlite3_stmt *s = NULL;
	int rc;

	if (sqlite3_prepare_v2(db, "INSERT INTO roll (id_hash, issued) VALUES (?, 0)", -1, &s, NULL) != SQLITE_OK)
		return SQLITE_ERROR;
	sqlite3_bind_blob(s, 1, h, VYR_ID_HASH_BYTES, SQLITE_STATIC);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	return rc;
}

/* §2.1 `roll`: count codes in one transaction; only their keyed hashes stored. */
/* count new codes onto the roll (in the open transaction) and into f. */
static int roll_codes(vyr_state *st, unsigned long count, FILE *f)
{
	char code[VYR_CODE_TEXT_BYTES];
	uint8_t norm[VYR_CODE_CHARS], h[VYR_ID_HASH_BYTES];
	int rc = 0;

	for (unsigned long i = 0; i < count && rc == 0; i++) {
		vyr_roll_code_new(code);
		if (vyr_roll_code_normalise(norm, (const uint8_t *)code, strlen(code)) != 0) {
			rc = VY_EXIT_IO;
			break;
		}
		identity_hash(st, h, norm, sizeof norm);
		if (roll_insert(st->db, h) != SQLITE_DONE) {
			i--; /* a repeated code (2^-100): draw again */
			continue;
		}
		if (fprintf(f, "%s\n", code) < 0)
			rc = VY_EXIT_IO;
	}
	vy_wipe(code, sizeof code);
	vy_wipe(norm, sizeof norm);
	return rc;
}

int vyr_roll_add(vyr_state *st, unsigned long count, const char *out_file)
{
	vy_file_writer w;
	vy_reason why = { 0 };
	int rc;

	if (vy_file_writer_open(&w, out_file, VY_FILE_MODE_SECRET, VY_FILE_NEW, &why) != VY_R_OK)
		return report(&why);
	if (exec_sql(st->db, "BEGIN IMMEDIATE") != 0) {
		vy_file_writer_abort(&w);
		return VY_EXIT_IO;
	}
	rc = roll_codes(st, count, w.f);
	if (rc != 0) {
		fprintf(stderr, "vybar-registrar: %s: write failed\n", out_file);
		vy_file_writer_abort(&w);
	} else if (vy_file_writer_commit(&w, &why) != VY_R_OK) {
		rc = report(&why);
	} else if (exec_sql(st->db, "COMMIT") != 0) {
		unlink(out_file);
		rc = VY_EXIT_IO;
	}
	if (rc != 0 && exec_sql(st->db, "ROLLBACK") != 0)
		fprintf(stderr, "vybar-registrar: rollback failed\n");
	return rc;
}

/* The meta row `name` if its value is exactly len bytes, into out: 1 if
 * so, 0 if there is no such row, -1 on error or another length. */
static int meta_get(sqlite3 *db, const char *name, uint8_t *out, size_t len)
{
	sqlite3_stmt *s = NULL;
	int rc = -1;

	if (sqlite3_prepare_v2(db, "SELECT value FROM meta WHERE name = ?1", -1, &s, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC) == SQLITE_OK) {
		switch (sqlite3_step(s)) {
		case SQLITE_ROW:
			if ((size_t)sqlite3_column_bytes(s, 0) == len && sqlite3_column_blob(s, 0) != NULL) {
				memcpy(out, sqlite3_column_blob(s, 0), len);
				rc = 1;
			}
			break;
		case SQLITE_DONE:
			rc = 0;
			break;
		default:
			break;
		}
	}
	sqlite3_finalize(s);
	return rc;
}

/* The stored base hash: 1 if present (into out), 0 if none, -1 on error. */
static int meta_base_hash(sqlite3 *db, uint8_t out[VY_HASH_BYTES])
{
	return meta_get(db, "base_hash", out, VY_HASH_BYTES);
}

/* Record the base hash (first binding). */
static int meta_set_base_hash(sqlite3 *db, const uint8_t h[VY_HASH_BYTES])
{
	sqlite3_stmt *s = NULL;
	int rc;

	if (sqlite3_prepare_v2(db, "INSERT INTO meta (name, value) VALUES ('base_hash', ?)", -1, &s, NULL) !=
	    SQLITE_OK)
		return -1;
	sqlite3_bind_blob(s, 1, h, VY_HASH_BYTES, SQLITE_STATIC);
	rc = sqlite3_step(s) == SQLITE_DONE ? 0 : -1;
	sqlite3_finalize(s);
	return rc;
}

/* §3.2: the manifest names this registrar; bind the database to it. */
int vyr_set_election(vyr_state *st, const char *manifest_file)
{
	Vybar__Manifest *m = NULL;
	vy_reason why = { 0 };
	uint8_t stored[VY_HASH_BYTES], *buf = NULL;
	size_t len = 0;
	const Vybar__RsaPublicKey *rk;
	int rc = VY_EXIT_FAILED, have;

	if (vy_file_read(&buf, &len, manifest_file, VY_MAX_MANIFEST_BYTES, 0, &why) != VY_R_OK)
		return report(&why);
	if (vy_decode_manifest(&m, buf, len, &why) != VY_R_OK || vy_manifest_validate(m, &why) != VY_R_OK) {
		fprintf(stderr, "vybar-registrar: manifest %s: %s\n", manifest_file, why.msg);
		goto out;
	}
	rk = m->registrar_key;
	if (rk->modulus.len != st->pk.n_len || memcmp(rk->modulus.data, st->pk.n, st->pk.n_len) != 0 ||
	    rk->exponent.len != st->pk.e_len || memcmp(rk->exponent.data, st->pk.e, st->pk.e_len) != 0) {
		fprintf(stderr, "vybar-registrar: manifest registrar_key is not this registrar's key\n");
		goto out;
	}
	vy_manifest_hash(m, st->base_hash);
	have = meta_base_hash(st->db, stored);
	if (have < 0 || (have == 1 && memcmp(stored, st->base_hash, VY_HASH_BYTES) != 0)) {
		fprintf(stderr, "vybar-registrar: this registrar serves another election\n");
		goto out;
	}
	if (have == 0 && meta_set_base_hash(st->db, st->base_hash) != 0) {
		fprintf(stderr, "vybar-registrar: cannot record the election\n");
		rc = VY_EXIT_IO;
		goto out;
	}
	rc = 0;
out:
	vy_msg_free(m);
	free(buf);
	return rc;
}

/* §4.3: the time registration closed (meta row 'closed', u64 big-endian
 * Unix seconds): 1 if closed (into *t), 0 if open, -1 on error. */
static int meta_closed(sqlite3 *db, uint64_t *t)
{
	uint8_t v[8];
	int rc = meta_get(db, "closed", v, sizeof v);

	*t = 0;
	for (int i = 0; rc == 1 && i < 8; i++)
		*t = *t << 8 | v[i];
	return rc;
}

/* The number of credentials issued; -1 on error. */
static int64_t issued_count(sqlite3 *db)
{
	sqlite3_stmt *s = NULL;
	int64_t n = -1;

	if (sqlite3_prepare_v2(db, "SELECT COUNT(*) FROM roll WHERE issued = 1", -1, &s, NULL) == SQLITE_OK &&
	    sqlite3_step(s) == SQLITE_ROW)
		n = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return n;
}

/* Set reason and return status. */
static vyr_status fail(char reason[VYR_REASON_BYTES], vyr_status s, const char *msg)
{
	snprintf(reason, VYR_REASON_BYTES, "%s", msg);
	return s;
}

/* §4.1 steps 1-2: decode and check the request's fields. */
static vyr_status check_request(const vyr_state *st, const Vybar__RegistrationRequest *r,
				char reason[VYR_REASON_BYTES])
{
	if (r->base_hash.len != VY_HASH_BYTES)
		return fail(reason, VYR_S_MALFORMED, "base_hash: must be 32 bytes");
	if (r->blinded.len != st->pk.n_len)
		return fail(reason, VYR_S_MALFORMED, "blinded: must be the modulus length");
	if (r->evidence.len == 0 || r->evidence.len > VYR_MAX_EVIDENCE_BYTES)
		return fail(reason, VYR_S_MALFORMED, "evidence: missing or too long");
	if (sodium_memcmp(r->base_hash.data, st->base_hash, VY_HASH_BYTES) != 0)
		return fail(reason, VYR_S_WRONG_ELECTION, "base_hash: this registrar does not serve that election");
	return VYR_S_OK;
}

/* The roll row of h: 1 found (issued, blinded copied if issued), 0 none, -1 error. */
static int roll_lookup(sqlite3 *db, const uint8_t h[VYR_ID_HASH_BYTES], int *issued, uint8_t *blinded, size_t len)
{
	sqlite3_stmt *s = NULL;
	int rc = -1, step;

	if (sqlite3_prepare_v2(db, "SELECT issued, blinded FROM roll WHERE id_hash = ?", -1, &s, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_blob(s, 1, h, VYR_ID_HASH_BYTES, SQLITE_STATIC);
	step = sqlite3_step(s);
	if (step == SQLITE_DONE) {
		rc = 0;
	} else if (step == SQLITE_ROW) {
		*issued = sqlite3_column_int(s, 0);
		if (*issued && (size_t)sqlite3_column_bytes(s, 1) == len) {
			memcpy(blinded, sqlite3_column_blob(s, 1), len);
			rc = 1;
		} else if (!*issued) {
			rc = 1;
		}
	}
	sqlite3_finalize(s);
	return rc;
}

/* Mark h issued with blinded (inserting the row for VYR_ELIG_YES checks). */
static int roll_issue(sqlite3 *db, const uint8_t h[VYR_ID_HASH_BYTES], const uint8_t *blinded, size_t len)
{
	sqlite3_stmt *s = NULL;
	int rc;

	if (sqlite3_prepare_v2(db,
			       "INSERT INTO roll (id_hash, issued, blinded) VALUES (?, 1, ?) "
			       "ON CONFLICT(id_hash) DO UPDATE SET issued = 1, blinded = excluded.blinded",
			       -1, &s, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_blob(s, 1, h, VYR_ID_HASH_BYTES, SQLITE_STATIC);
	sqlite3_bind_blob(s, 2, blinded, (int)len, SQLITE_STATIC);
	rc = sqlite3_step(s) == SQLITE_DONE ? 0 : -1;
	sqlite3_finalize(s);
	return rc;
}

/* §4.1 steps 4-6 inside one transaction: look the identity up, refuse a
 * second issuance (unless the identical retry), sign, mark, commit. */
static vyr_status issue(vyr_state *st, const uint8_t h[VYR_ID_HASH_BYTES], vyr_elig_result elig,
			const Vybar__RegistrationRequest *r, uint8_t *sig, char reason[VYR_REASON_BYTES])
{
	uint8_t prev[VY_RSA_MAX_BYTES];
	int issued = 0, found, closed;
	uint64_t closed_at = 0;
	size_t k = st->pk.n_len;

	if (exec_sql(st->db, "BEGIN IMMEDIATE") != 0)
		return fail(reason, VYR_S_INTERNAL, "database busy: nothing issued");

	found = roll_lookup(st->db, h, &issued, prev, k);
	closed = meta_closed(st->db, &closed_at);
	if (found < 0 || closed < 0)
		goto internal;
	/* §4.3: once closed, nothing more is issued; only the byte-identical
	 * retry of a credential issued before is answered again (step 5) */
	if (closed && !(issued && memcmp(prev, r->blinded.data, k) == 0)) {
		(void)exec_sql(st->db, "ROLLBACK");
		return fail(reason, VYR_S_CLOSED, "registration is closed: no more credentials are issued");
	}
	if (found == 0 && elig == VYR_ELIG_LISTED) {
		(void)exec_sql(st->db, "ROLLBACK");
		return fail(reason, VYR_S_UNKNOWN, "evidence: unknown registration code");
	}
	if (issued) {
		(void)exec_sql(st->db, "ROLLBACK");
		/* §4.1 step 5: the byte-identical retry gets the same signature */
		if (memcmp(prev, r->blinded.data, k) != 0)
			return fail(reason, VYR_S_USED,
				    elig == VYR_ELIG_LISTED ? "evidence: a credential was already issued for this code"
							    : "evidence: a credential was already issued for this identity");
		if (vy_blind_rsa_sign(st->sk, sig, k, r->blinded.data, k) != VY_OK)
			return fail(reason, VYR_S_MALFORMED, "blinded: not a number below the modulus");
		return VYR_S_OK;
	}
	if (vy_blind_rsa_sign(st->sk, sig, k, r->blinded.data, k) != VY_OK) {
		(void)exec_sql(st->db, "ROLLBACK");
		return fail(reason, VYR_S_MALFORMED, "blinded: not a number below the modulus");
	}
	if (roll_issue(st->db, h, r->blinded.data, k) != 0 || exec_sql(st->db, "COMMIT") != 0)
		goto internal;
	return VYR_S_OK;
internal:
	vy_wipe(sig, k);
	(void)exec_sql(st->db, "ROLLBACK");
	return fail(reason, VYR_S_INTERNAL, "database error: nothing issued");
}

/* §4.1: one registration. */
vyr_status vyr_register(vyr_state *st, const uint8_t *req, size_t len, uint8_t **resp, size_t *resp_len,
			char reason[VYR_REASON_BYTES])
{
	Vybar__RegistrationRequest *r = NULL;
	Vybar__RegistrationResponse out = VYBAR__REGISTRATION_RESPONSE__INIT;
	uint8_t id[VYR_MAX_IDENTITY_BYTES], h[VYR_ID_HASH_BYTES], sig[VY_RSA_MAX_BYTES];
	size_t id_len = 0;
	vy_reason why;
	vyr_elig_result elig;
	vyr_status s;

	*resp = NULL;
	*resp_len = 0;
	if (vy_decode_message((ProtobufCMessage **)&r, &vybar__registration_request__descriptor,
			      VYR_MAX_REQUEST_BYTES, req, len, &why) != VY_R_OK) {
		snprintf(reason, VYR_REASON_BYTES, "RegistrationRequest: %.170s", why.msg);
		return VYR_S_MALFORMED;
	}
	s = check_request(st, r, reason);
	if (s != VYR_S_OK)
		goto out;
	/* §4.1 step 3: the eligibility check */
	elig = st->elig->check(st->elig->ctx, r->evidence.data, r->evidence.len, id, &id_len, reason);
	if (elig == VYR_ELIG_MALFORMED || elig == VYR_ELIG_NO || id_len > VYR_MAX_IDENTITY_BYTES) {
		s = elig == VYR_ELIG_NO ? VYR_S_UNKNOWN : VYR_S_MALFORMED;
		goto out;
	}
	identity_hash(st, h, id, id_len);
	s = issue(st, h, elig, r, sig, reason);
	if (s != VYR_S_OK)
		goto out;
	out.blind_signature.data = sig;
	out.blind_signature.len = st->pk.n_len;
	*resp = vy_msg_pack(&out, resp_len);
	if (*resp == NULL)
		s = fail(reason, VYR_S_INTERNAL, "out of memory");
out:
	vy_wipe(id, sizeof id);
	vy_wipe(h, sizeof h);
	vy_msg_free(r);
	return s;
}

/* §4.2: the final count, signed with the time registration closed. Both
 * are read in one transaction, so the count is the one close fixed. */
vyr_status vyr_issued(vyr_state *st, uint8_t **out, size_t *out_len, char reason[VYR_REASON_BYTES])
{
	uint64_t closed_at = 0;
	int64_t n = -1;
	int closed;

	*out = NULL;
	if (exec_sql(st->db, "BEGIN") != 0)
		return fail(reason, VYR_S_INTERNAL, "database busy");
	closed = meta_closed(st->db, &closed_at);
	if (closed == 1)
		n = issued_count(st->db);
	(void)exec_sql(st->db, "COMMIT");
	if (closed == 0)
		return fail(reason, VYR_S_STILL_OPEN,
			    "registration is still open: the count of credentials issued is published when it closes "
			    "(vybar-registrar close)");
	if (closed < 0 || n < 0)
		return fail(reason, VYR_S_INTERNAL, "database error");
	*out = vy_issued_statement_pack(st->base_hash, (uint64_t)n, closed_at, st->stmt_sk, out_len);
	return *out != NULL ? VYR_S_OK : fail(reason, VYR_S_INTERNAL, "out of memory");
}

/* §4.3: the meta row 'closed' = now, in one transaction with the count. */
int vyr_close_registration(vyr_state *st)
{
	sqlite3_stmt *s = NULL;
	uint64_t closed_at = 0, now = (uint64_t)time(NULL);
	uint8_t v[8];
	int64_t n;
	int closed, ok;
	char when[32];
	time_t t;
	struct tm tm;

	if (exec_sql(st->db, "BEGIN IMMEDIATE") != 0)
		return VY_EXIT_IO;
	closed = meta_closed(st->db, &closed_at);
	n = issued_count(st->db);
	if (closed != 0 || n < 0) {
		(void)exec_sql(st->db, "ROLLBACK");
		if (closed < 0 || n < 0) {
			fprintf(stderr, "vybar-registrar: database error: nothing changed\n");
			return VY_EXIT_IO;
		}
		now = closed_at;
	} else {
		for (int i = 0; i < 8; i++)
			v[i] = (uint8_t)(now >> (56 - 8 * i));
		ok = sqlite3_prepare_v2(st->db, "INSERT INTO meta (name, value) VALUES ('closed', ?)", -1, &s, NULL) ==
			     SQLITE_OK &&
		     sqlite3_bind_blob(s, 1, v, sizeof v, SQLITE_STATIC) == SQLITE_OK && sqlite3_step(s) == SQLITE_DONE;
		sqlite3_finalize(s);
		if (!ok || exec_sql(st->db, "COMMIT") != 0) {
			(void)exec_sql(st->db, "ROLLBACK");
			fprintf(stderr, "vybar-registrar: cannot record the close: registration stays open\n");
			return VY_EXIT_IO;
		}
	}
	t = (time_t)now;
	if (gmtime_r(&t, &tm) == NULL || strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S UTC", &tm) == 0)
		snprintf(when, sizeof when, "%llu", (unsigned long long)now);
	if (closed) {
		fprintf(stderr, "vybar-registrar: registration was already closed at %s (%lld credentials issued); "
			"nothing changed\n", when, (long long)n);
		return VY_EXIT_FAILED;
	}
	printf("Registration closed at %s: %lld credentials issued. GET %s now answers this count, signed.\n", when,
	       (long long)n, VY_PATH_ISSUED);
	return 0;
}
