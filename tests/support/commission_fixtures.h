/*
 * The commission's side for the tests (specs/commission.md): an election
 * description that says exactly what the fixtures' default manifest holds
 * (protocol_fixtures.h), so that `vybar-commission manifest` on it, with the
 * fixtures' public keys, must write the fixtures' manifest byte for byte;
 * and those keys as the program's input files.
 */
#ifndef VYTEST_COMMISSION_FIXTURES_H
#define VYTEST_COMMISSION_FIXTURES_H

#include "protocol/vy_description.h"
#include "tests/support/protocol_fixtures.h"

/* The fixtures' default manifest (3 contests), as a description. Its
 * "threshold" is 2: use it with vyf_keys_init(k, 3, 2). */
extern const char vycf_description[];

/* The fixtures' keys for vy_description_manifest (pointing into k and reg). */
typedef struct {
	Vybar__RegistrarPublicKeys reg;
	Vybar__RsaPublicKey rsa;
	uint8_t commission_pk[32];
	uint8_t exponent[3];
	vy_description_keys keys;
} vycf_keys;

void vycf_keys_init(vycf_keys *ck, const vyf_keys *k);

/* The fixtures' keys as `vybar-commission manifest` reads them, in dir:
 * registrar-keys.pb and trustee-pks.txt; board_hex and commission_hex get
 * the public keys in hex (65 bytes each). */
void vycf_write_key_files(const vycf_keys *ck, const vyf_keys *k, const char *dir, char *board_hex,
			  char *commission_hex);

/* text with the first occurrence of from replaced by to (malloc'd);
 * fails the test if from does not occur. */
char *vycf_replace(const char *text, const char *from, const char *to);

#endif
