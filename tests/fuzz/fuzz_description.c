/*
 * Fuzz harness for the election description (specs/commission.md,
 * protocol/vy_description.h) and the JSON reader under it
 * (protocol/vy_json.h): the input is a description file, read with the
 * fixtures' public keys (three trustees).
 *
 * Besides "no crash, no sanitizer report, bounded time and memory", it
 * checks what the reader promises: an accepted description gives a
 * manifest that decodes and passes the protocol's validation
 * (vy_manifest_validate); a refused one gives no manifest, a reason with
 * its code and a message, and a place (a JSON path, or a line and column
 * inside the text), neither holding a control character. Build with
 * -DVYBAR_FUZZ=ON (tests/fuzz/fuzz.cmake, tests/fuzz/README.md).
 */
#include <stdlib.h>
#include <string.h>

#include "protocol/vy_json.h"
#include "tests/support/commission_fixtures.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* No control character: what the file says is never echoed raw. */
static int printable(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 0;
	return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static vyf_keys k;
	static vycf_keys ck;
	static int ready;
	const char *text = (const char *)data;
	Vybar__Manifest *m = NULL;
	uint8_t *out = NULL;
	size_t len = 0, line = 0, column = 0;
	vyjson_error jerr;
	vyjson *j;
	vy_desc_where w;
	vy_reason why;
	vy_rc rc;

	if (!ready) {
		if (vy_init() != VY_OK)
			abort();
		vyf_keys_init(&k, 3, 2);
		vycf_keys_init(&ck, &k);
		ready = 1;
	}
	/* the reader alone: a tree, or a position inside the text */
	j = vyjson_parse_ex(text, size, &jerr);
	if (j == NULL && (jerr.offset > size || jerr.line < 1 || jerr.column < 1 || jerr.msg[0] == '\0'))
		abort();
	vyjson_free(j);
	rc = vy_description_manifest(text, size, &ck.keys, &out, &len, &w, &why);
	if (rc == VY_R_OK) {
		if (out == NULL || vy_decode_manifest(&m, out, len, NULL) != VY_R_OK ||
		    vy_manifest_validate(m, NULL) != VY_R_OK)
			abort();
		vy_msg_free(m);
		free(out);
		return 0;
	}
	if (out != NULL || len != 0 || why.code != rc || why.msg[0] == '\0' || !printable(w.path) ||
	    !printable(why.msg))
		abort();
	if (w.place == VY_DESC_AT_SYNTAX) {
		vyjson_position(text, jerr.offset, &line, &column);
		if (j != NULL || w.line != line || w.column != column)
			abort();
	}
	return 0;
}
