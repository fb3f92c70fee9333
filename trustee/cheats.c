/*
 * What the test build of vybar-trustee does wrong (cheats.h). Compiled only
 * into vybar-trustee-cheat (tests/CMakeLists.txt), never into the program
 * that is shipped.
 */
#include "trustee/cheats.h"

#include <limits.h>
#include <stdlib.h>

#include "protocol/vy_protocol.h"

static unsigned long corrupt_share_for; /* 0: none */
static int corrupt_decryption;

int vyt_cheat_options(const vy_cli_args *a)
{
	corrupt_decryption =
		vy_cli_has_opt(a->cmd, "test-corrupt-decryption") && vy_cli_flag(a, "test-corrupt-decryption");
	if (vy_cli_has_opt(a->cmd, "test-corrupt-share-for") &&
	    vy_cli_ulong(a, "test-corrupt-share-for", 1, UINT32_MAX, &corrupt_share_for) != 0)
		return VY_EXIT_USAGE;
	return 0;
}

/* A cheating dealer: f(k) + 1 for trustee k. */
void vyt_cheat_share(const vy_group *g, uint32_t k, vy_scalar *share)
{
	vy_scalar one;

	if (k != corrupt_share_for)
		return;
	vy_scalar_from_u64(g, &one, 1);
	vy_scalar_add(g, share, share, &one);
}

/* The first decryption share multiplied by g, its proof kept. */
uint8_t *vyt_cheat_decryption(const vy_group *g, uint8_t *body, size_t *len)
{
	Vybar__PartialDecryption *pd = NULL;
	vy_elem m, gen;
	uint8_t *out = NULL;

	if (!corrupt_decryption)
		return body;
	if (vy_decode_message((ProtobufCMessage **)&pd, &vybar__partial_decryption__descriptor, VY_MAX_MESSAGE_BYTES,
			      body, *len, NULL) == VY_R_OK && pd->n_contests > 0 && pd->contests[0]->n_options > 0) {
		ProtobufCBinaryData *sh = &pd->contests[0]->options[0]->share;

		if (vy_elem_decode(g, &m, sh->data, sh->len) == VY_OK) {
			vy_elem_generator(g, &gen);
			vy_elem_mul(g, &m, &m, &gen);
			vy_elem_encode(g, sh->data, &m);
			out = vy_msg_pack(pd, len);
		}
	}
	vy_msg_free(pd);
	free(body);
	return out;
}

int vyt_cheat_unchecked(void)
{
	return corrupt_decryption;
}
