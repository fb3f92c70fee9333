/*
 * A record source: a file, or a board URL whose record a thread pages
 * (net/vy_pager.h, specs/board-api.md §4) into a pipe read as one record
 * file, one answer in memory at a time. And the last frame of a record
 * file (the RESULT that vybar-verify record --result prints once the
 * record verifies, the head that vybar-verify fetch names).
 */
#include <stdlib.h>
#include <string.h>

#include "protocol/vy_record.h"
#include "verifier/fetch.h"

int vyv_source_open(vyv_source *s, const char *source)
{
	memset(s, 0, sizeof *s);
	if (strncmp(source, "http://", 7) != 0 && strncmp(source, "https://", 8) != 0) {
		s->f = fopen(source, "rb");
		return s->f != NULL ? 0 : -1;
	}
	s->is_url = 1;
	if (vy_pager_stream_open(&s->stream, NULL, source, NULL) != VY_R_OK)
		return -1;
	s->f = s->stream.f;
	return 0;
}

int vyv_source_close(vyv_source *s)
{
	int rc = 0;

	if (s->is_url)
		rc = vy_pager_stream_close(&s->stream) == VY_R_OK ? 0 : -1; /* closes f */
	else if (s->f != NULL)
		fclose(s->f);
	s->f = NULL;
	return rc;
}

int vyv_last_frame(FILE *f, uint8_t **entry, size_t *len, uint64_t *count)
{
	uint8_t magic[VY_RECORD_MAGIC_LEN], hdr[VY_RECORD_FRAME_HEADER_BYTES];
	off_t last = -1;
	uint32_t n = 0, last_n = 0;

	*entry = NULL;
	*count = 0;
	if (fread(magic, 1, sizeof magic, f) != sizeof magic || memcmp(magic, VY_RECORD_MAGIC, sizeof magic) != 0)
		return -1;
	while (fread(hdr, 1, sizeof hdr, f) == sizeof hdr) {
		if (vy_record_frame_header(hdr, &n) != VY_R_OK)
			return -1;
		last = ftello(f);
		last_n = n;
		if (fseeko(f, (off_t)n, SEEK_CUR) != 0)
			return -1;
		++*count;
	}
	if (ferror(f) || last < 0 || fseeko(f, last, SEEK_SET) != 0)
		return -1;
	*entry = malloc(last_n);
	if (*entry == NULL || fread(*entry, 1, last_n, f) != last_n) {
		free(*entry);
		*entry = NULL;
		return -1;
	}
	*len = last_n;
	return 0;
}
