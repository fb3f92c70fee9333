#include "tests/support/vote_world.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The board's election: the registrar's manifest as entry 0 (the fixtures'
 * keys, 3 trustees, threshold 2), the ceremony over HTTP, open. */
static void board_start(vyw_world *w, const char *const *extra)
{
	vyf_record *r = &w->e.r;
	uint8_t seed[32], pk[crypto_sign_PUBLICKEYBYTES];
	char label[64];

	memset(r, 0, sizeof *r);
	vyf_keys_init(&r->keys, 3, 2);
	vy_record_state_init(&r->st);
	r->manifest_bytes = malloc(w->reg.manifest_len);
	assert_non_null(r->manifest_bytes);
	memcpy(r->manifest_bytes, w->reg.manifest_bytes, w->reg.manifest_len);
	r->manifest_len = w->reg.manifest_len;
	vyf_record_append(r, VYBAR__ENTRY_TYPE__ENTRY_TYPE_MANIFEST, r->manifest_bytes, r->manifest_len);
	for (uint32_t i = 0; i < 3; i++) {
		for (uint32_t j = 0; j < 2; j++) {
			snprintf(label, sizeof label, "trustee %u coefficient %u", i + 1, j);
			vyf_scalar(r->st.election.group, &r->coeffs[i][j], label);
		}
		vy_scalar_add(r->st.election.group, &r->joint_sk, &r->joint_sk, &r->coeffs[i][0]);
	}
	vyf_bytes32(seed, "commission");
	crypto_sign_seed_keypair(w->e.commission_pk, w->e.commission_sk, seed);
	vyh_init(&w->e.b);
	vyf_bytes32(seed, "board");
	vyh_write_key(&w->e.b, seed);
	crypto_sign_seed_keypair(pk, w->board_sk, seed);
	vyh_write_manifest(&w->e.b, r->manifest_bytes, r->manifest_len);
	assert_int_equal(vyh_start(&w->e.b, extra), -1);
	vyh_election_ceremony(&w->e);
	snprintf(w->url, sizeof w->url, "http://127.0.0.1:%u", w->e.b.port);
}

int vyw_setup(void **state)
{
	return vyw_setup_booth(state, NULL, 0);
}

int vyw_setup_booth(void **state, const char *booth_dir, unsigned board_port)
{
	vyw_world *w = calloc(1, sizeof *w);
	char origin[64], port[16];
	const char *registrar_extra[] = { "--booth-origin", origin, NULL };
	const char *board_extra[] = { "--port", port, "--booth", booth_dir, "--booth-registrar", w ? w->reg.url : "",
				      "--rate", "0", NULL };

	assert_non_null(w);
	snprintf(origin, sizeof origin, "http://127.0.0.1:%u", board_port);
	snprintf(port, sizeof port, "%u", board_port);
	vytest_init();
	vyrh_start_args(&w->reg, VYW_CODES, booth_dir != NULL ? registrar_extra : NULL);
	board_start(w, booth_dir != NULL ? board_extra : NULL);
	vyw_tmp_path(w, w->pass_file, "voter.pass");
	vytest_write_file(w->pass_file, (const uint8_t *)VYW_PASSPHRASE "\n", strlen(VYW_PASSPHRASE) + 1);
	*state = w;
	return 0;
}

int vyw_teardown(void **state)
{
	vyw_world *w = *state;

	vyh_election_free(&w->e);
	vyrh_stop(&w->reg);
	free(w);
	return 0;
}

void vyw_tmp_path(const vyw_world *w, char out[VYH_PATH_BYTES], const char *name)
{
	snprintf(out, VYH_PATH_BYTES, "%s/%s", w->e.b.dir, name);
}

void vyw_fetch(const vyw_world *w, vyc_board *bd)
{
	vy_reason why;

	if (vyc_board_fetch(bd, NULL, w->url, NULL, &why) != VY_R_OK)
		fail_msg("fetch: %s", why.msg);
}

void vyw_register(vyw_world *w, const vyc_board *bd, char path[VYH_PATH_BYTES])
{
	vy_reason why;
	long status = 0;
	char name[32];

	snprintf(name, sizeof name, "credential-%zu.pb", w->next_code);
	vyw_tmp_path(w, path, name);
	assert_true(w->next_code < w->reg.n_codes);
	if (vyc_register(&bd->st.election, w->reg.url, w->reg.codes[w->next_code++], path, VYW_PASSPHRASE, 0, &status,
			 &why) != VY_R_OK)
		fail_msg("register: %s (HTTP %ld)", why.msg, status);
}

/* The choices of specs (vybar-vote's --choice forms) into choices; their number. */
static size_t choices_of(const vyc_board *bd, const char *const *specs, size_t n_specs,
			 uint32_t choices[VYF_MAX_SELECTIONS])
{
	size_t n = vy_manifest_selections(bd->st.manifest);
	vy_reason why;

	assert_true(n <= VYF_MAX_SELECTIONS);
	if (vyc_choices_parse(bd->st.manifest, specs, n_specs, choices, n, &why) != VY_R_OK)
		fail_msg("choices: %s", why.msg);
	return n;
}

void vyw_build(const vyc_board *bd, const vyc_credential *c, const char *const *specs, size_t n_specs,
	       vy_built_ballot *b)
{
	uint32_t choices[VYF_MAX_SELECTIONS];
	size_t n = choices_of(bd, specs, n_specs, choices);
	vy_reason why;

	if (vy_ballot_build(b, &bd->st.election, &c->signer, choices, n, NULL, NULL, &why) != VY_R_OK)
		fail_msg("build: %s", why.msg);
}

void vyw_commit(const vyc_board *bd, const char *const *specs, size_t n_specs, vy_built_ballot *b)
{
	uint32_t choices[VYF_MAX_SELECTIONS];
	size_t n = choices_of(bd, specs, n_specs, choices);
	vy_reason why;

	if (vyc_commit(bd, choices, n, b, &why) != VY_R_OK)
		fail_msg("commit: %s", why.msg);
}
