/*
 * The record file (specs/protocol.md §7.6): a magic line, then frames
 * u32be(len) || RecordEntry. The reader keeps one entry in memory at a time
 * (its buffer grows to the largest frame seen), so a record of millions of
 * ballots is read with flat memory.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "protocol/vy_record.h"

/* A frame's length: u32be, 1..VY_MAX_ENTRY_BYTES (§7.6). */
vy_rc vy_record_frame_header(const uint8_t hdr[VY_RECORD_FRAME_HEADER_BYTES], uint32_t *len)
{
	*len = (uint32_t)hdr[0] << 24 | (uint32_t)hdr[1] << 16 | (uint32_t)hdr[2] << 8 | hdr[3];
	if (*len == 0)
		return VY_R_MALFORMED;
	return *len > VY_MAX_ENTRY_BYTES ? VY_R_TOO_LARGE : VY_R_OK;
}

/* The next frame of an in-memory run of frames (§7.6). */
vy_rc vy_record_frame_next(const uint8_t *buf, size_t len, size_t *off, const uint8_t **entry, size_t *entry_len,
			   vy_reason *why)
{
	uint32_t n;
	vy_rc rc;

	*entry = NULL;
	*entry_len = 0;
	if (*off >= len)
		return VY_R_OK;
	if (len - *off < VY_RECORD_FRAME_HEADER_BYTES)
		return vy_reason_set(why, VY_R_TRUNCATED, "frame header truncated at byte %zu", *off);
	rc = vy_record_frame_header(buf + *off, &n);
	if (rc != VY_R_OK)
		return vy_reason_set(why, rc, "frame at byte %zu has length %u, must be 1..%u", *off, n,
				     VY_MAX_ENTRY_BYTES);
	if (len - *off - VY_RECORD_FRAME_HEADER_BYTES < n)
		return vy_reason_set(why, VY_R_TRUNCATED, "frame at byte %zu truncated (%zu of %u bytes)", *off,
				     len - *off - VY_RECORD_FRAME_HEADER_BYTES, n);
	*entry = buf + *off + VY_RECORD_FRAME_HEADER_BYTES;
	*entry_len = n;
	*off += VY_RECORD_FRAME_HEADER_BYTES + (size_t)n;
	return VY_R_OK;
}

vy_rc vy_record_reader_open(vy_record_reader *r, FILE *f, vy_reason *why)
{
	char magic[VY_RECORD_MAGIC_LEN];
	size_t got;

	if (r == NULL || f == NULL)
		return vy_reason_set(why, VY_R_ARG, "record reader: NULL argument");
	memset(r, 0, sizeof *r);
	r->f = f;
	got = fread(magic, 1, sizeof magic, f);
	r->offset = got;
	if (got != sizeof magic || memcmp(magic, VY_RECORD_MAGIC, sizeof magic) != 0)
		return vy_reason_set(why, VY_R_BAD_MAGIC, "record file: missing magic line \"VYBAR-RECORD/1\"");
	return VY_R_OK;
}

/* Make room for n bytes. */
static vy_rc reserve(vy_record_reader *r, size_t n)
{
	uint8_t *b;

	if (n <= r->cap)
		return VY_R_OK;
	b = realloc(r->buf, n);
	if (b == NULL)
		return VY_R_NOMEM;
	r->buf = b;
	r->cap = n;
	return VY_R_OK;
}

vy_rc vy_record_reader_next(vy_record_reader *r, Vybar__RecordEntry **out, vy_reason *why)
{
	uint8_t hdr[VY_RECORD_FRAME_HEADER_BYTES];
	uint64_t at;
	size_t got;
	uint32_t len;
	vy_rc rc;

	if (r == NULL || out == NULL)
		return vy_reason_set(why, VY_R_ARG, "record reader: NULL argument");
	*out = NULL;
	at = r->offset;
	got = fread(hdr, 1, sizeof hdr, r->f);
	r->offset += got;
	if (got == 0 && feof(r->f))
		return VY_R_OK;
	if (got != sizeof hdr)
		return vy_reason_check(why,
				       vy_reason_set(why, ferror(r->f) ? VY_R_IO : VY_R_TRUNCATED,
						     "record file: frame header truncated at byte %llu",
						     (unsigned long long)at),
				       "V1.1");
	rc = vy_record_frame_header(hdr, &len);
	if (rc != VY_R_OK)
		return vy_reason_check(why,
				       vy_reason_set(why, rc,
						     "record file: frame at byte %llu has length %u, must be 1..%u",
						     (unsigned long long)at, len, VY_MAX_ENTRY_BYTES),
				       "V1.1");
	if (reserve(r, len) != VY_R_OK)
		return vy_reason_set(why, VY_R_NOMEM, "record file: out of memory");
	got = fread(r->buf, 1, len, r->f);
	r->offset += got;
	if (got != len)
		return vy_reason_check(why,
				       vy_reason_set(why, ferror(r->f) ? VY_R_IO : VY_R_TRUNCATED,
						     "record file: frame at byte %llu truncated (%zu of %u bytes)",
						     (unsigned long long)at, got, len),
				       "V1.1");
	return vy_reason_check(why, vy_decode_entry(out, r->buf, len, why), "V1.2");
}

void vy_record_reader_close(vy_record_reader *r)
{
	free(r->buf);
	memset(r, 0, sizeof *r);
}

vy_rc vy_record_writer_open(vy_record_writer *w, FILE *f, vy_reason *why)
{
	if (w == NULL || f == NULL)
		return vy_reason_set(why, VY_R_ARG, "record writer: NULL argument");
	w->f = f;
	if (fwrite(VY_RECORD_MAGIC, 1, VY_RECORD_MAGIC_LEN, f) != VY_RECORD_MAGIC_LEN)
		return vy_reason_set(why, VY_R_IO, "record file: cannot write the magic line");
	return VY_R_OK;
}

vy_rc vy_record_writer_append(vy_record_writer *w, const Vybar__RecordEntry *e, vy_reason *why)
{
	uint8_t hdr[VY_RECORD_FRAME_HEADER_BYTES];
	uint8_t *buf;
	size_t len;
	vy_rc rc = VY_R_OK;

	if (w == NULL || e == NULL)
		return vy_reason_set(why, VY_R_ARG, "record writer: NULL argument");
	buf = vy_msg_pack(e, &len);
	if (buf == NULL)
		return vy_reason_set(why, VY_R_NOMEM, "record writer: out of memory");
	if (len == 0 || len > VY_MAX_ENTRY_BYTES) {
		rc = vy_reason_set(why, VY_R_TOO_LARGE, "record writer: entry of %zu bytes", len);
		goto out;
	}
	hdr[0] = (uint8_t)(len >> 24);
	hdr[1] = (uint8_t)(len >> 16);
	hdr[2] = (uint8_t)(len >> 8);
	hdr[3] = (uint8_t)len;
	if (fwrite(hdr, 1, sizeof hdr, w->f) != sizeof hdr || fwrite(buf, 1, len, w->f) != len)
		rc = vy_reason_set(why, VY_R_IO, "record writer: write failed");
out:
	free(buf);
	return rc;
}

vy_rc vy_record_writer_flush(vy_record_writer *w, int durable, vy_reason *why)
{
	if (fflush(w->f) != 0)
		return vy_reason_set(why, VY_R_IO, "record writer: flush failed");
	if (durable && fsync(fileno(w->f)) != 0)
		return vy_reason_set(why, VY_R_IO, "record writer: fsync failed");
	return VY_R_OK;
}

vy_rc vy_record_verify_file(vy_record_state *st, FILE *f, uint64_t *bad_seq, vy_reason *why)
{
	vy_record_reader r;
	Vybar__RecordEntry *e = NULL;
	vy_rc rc;

	*bad_seq = 0;
	rc = vy_record_reader_open(&r, f, why);
	while (rc == VY_R_OK) {
		*bad_seq = st->next_seq;
		rc = vy_record_reader_next(&r, &e, why);
		if (rc != VY_R_OK || e == NULL)
			break;
		rc = vy_record_accept(st, e, why);
		vy_msg_free(e);
		e = NULL;
	}
	vy_record_reader_close(&r);
	return rc;
}
