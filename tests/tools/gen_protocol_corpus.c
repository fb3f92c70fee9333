/*
 * Writes the seed corpus of the protocol fuzz harness (tests/fuzz/corpus/):
 * one valid input per target, from the deterministic fixtures.
 * Usage: gen_protocol_corpus OUTDIR
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/support/protocol_fixtures.h"

/* OUTDIR/name := target byte || data. */
static void put(const char *dir, const char *name, uint8_t target, const uint8_t *data, size_t len)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (f == NULL || fputc(target, f) == EOF || fwrite(data, 1, len, f) != len || fclose(f) != 0) {
		fprintf(stderr, "cannot write %s\n", path);
		exit(1);
	}
}

int main(int argc, char **argv)
{
	vyf_record r;
	vyf_voter v;
	uint32_t ch[VYF_SELECTIONS];
	Vybar__AuditedBallot *a;
	Vybar__Receipt rc;
	uint8_t *p, sig[64];
	size_t len;
	char *file;
	FILE *f;

	if (argc != 2) {
		fprintf(stderr, "usage: %s OUTDIR\n", argv[0]);
		return 2;
	}
	vyf_record_init(&r, 2, 2);
	put(argv[1], "manifest.bin", 0, r.manifest_bytes, r.manifest_len);
	vyf_record_ceremony(&r);
	vyf_default_choices(ch);
	vyf_voter_init(&v, &r.st.election, "corpus voter");
	p = vyf_ballot_pack(&r.st.election, &v, ch, "cast", NULL, &len);
	put(argv[1], "ballot.bin", 1, p, len);
	vyf_record_append(&r, VYBAR__ENTRY_TYPE__ENTRY_TYPE_BALLOT, p, len);
	free(p);
	a = vyf_audited_new(&r.st.election, &v, ch);
	p = vy_msg_pack(a, &len);
	put(argv[1], "audited.bin", 2, p, len);
	free(p);
	vy_msg_free(a);
	put(argv[1], "entry.bin", 3, r.entries[1], r.entry_lens[1]);
	vy_receipt_make(&rc, sig, "0000-1111-2222-3333", 9, r.st.head_hash, r.keys.board_sk);
	p = vy_msg_pack(&rc, &len);
	put(argv[1], "receipt.bin", 4, p, len);
	free(p);
	f = open_memstream(&file, &len);
	vyf_record_write(&r, f);
	fclose(f);
	put(argv[1], "record.bin", 5, (uint8_t *)file, len);
	free(file);
	put(argv[1], "reveal.bin", 8, r.entries[3] , 0); /* empty KeyReveal */
	vyf_record_free(&r);
	return 0;
}
