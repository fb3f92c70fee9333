/*
 * Reason codes and the strict decoders of the wire messages
 * (specs/protocol.md §1 and §9).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "protocol/vy_protocol.h"

static const char *const rc_names[VY_R__COUNT] = {
	[VY_R_OK] = "ok",
	[VY_R_ARG] = "invalid argument",
	[VY_R_NOMEM] = "out of memory",
	[VY_R_IO] = "input/output error",
	[VY_R_TRUNCATED] = "truncated input",
	[VY_R_TOO_LARGE] = "input too large",
	[VY_R_MALFORMED] = "malformed message",
	[VY_R_UNKNOWN_FIELD] = "unknown field",
	[VY_R_UNKNOWN_TYPE] = "unknown entry type",
	[VY_R_BAD_MAGIC] = "not a vybar record file",
	[VY_R_FIELD] = "invalid field",
	[VY_R_ELEMENT] = "invalid group element",
	[VY_R_SCALAR] = "invalid scalar",
	[VY_R_GROUP] = "unknown group",
	[VY_R_CONTEST] = "invalid contest",
	[VY_R_GENDER_RULE] = "list breaks the gender rule",
	[VY_R_TRUSTEES] = "invalid trustees",
	[VY_R_KEY] = "invalid public key",
	[VY_R_SEQ] = "wrong sequence number",
	[VY_R_CHAIN] = "broken hash chain",
	[VY_R_BOARD_SIGNATURE] = "board signature does not verify",
	[VY_R_PHASE] = "not allowed in this phase",
	[VY_R_SHAPE] = "wrong shape",
	[VY_R_PROOF] = "selection proof does not verify",
	[VY_R_SUM_PROOF] = "sum proof does not verify",
	[VY_R_BALLOT_SIGNATURE] = "ballot signature does not verify",
	[VY_R_REGISTRAR_SIGNATURE] = "registrar signature does not verify",
	[VY_R_REVEAL] = "revealed choices do not match the ciphertexts",
	[VY_R_TRUSTEE_SIGNATURE] = "trustee signature does not verify",
	[VY_R_DUPLICATE] = "duplicate message",
	[VY_R_COMMITMENT] = "ceremony commitments do not verify",
	[VY_R_JOINT_KEY] = "wrong joint public key",
	[VY_R_RECEIPT] = "receipt does not verify",
	[VY_R_TRUSTEE] = "unknown trustee",
	[VY_R_NOT_IMPLEMENTED] = "rule not implemented yet",
};

const char *vy_rc_str(vy_rc rc)
{
	if ((unsigned)rc >= VY_R__COUNT || rc_names[rc] == NULL)
		return "unknown reason";
	return rc_names[rc];
}

vy_rc vy_reason_set(vy_reason *why, vy_rc code, const char *fmt, ...)
{
	va_list ap;

	if (why == NULL)
		return code;
	why->code = code;
	va_start(ap, fmt);
	vsnprintf(why->msg, sizeof why->msg, fmt, ap);
	va_end(ap);
	why->check[0] = '\0';
	return code;
}

/* The rule that knows which numbered check failed names it
 * (specs/verification.md); the innermost rule's name stands. */
vy_rc vy_reason_check(vy_reason *why, vy_rc rc, const char *check)
{
	if (why == NULL || rc == VY_R_OK || why->check[0] != '\0')
		return rc;
	snprintf(why->check, sizeof why->check, "%s", check);
	return rc;
}

/* Read a base-128 varint at *pos; 0 if the input ends inside it or it is
 * longer than 10 bytes. */
static int read_varint(const uint8_t *buf, size_t len, size_t *pos, uint64_t *out)
{
	uint64_t v = 0;

	for (unsigned shift = 0; shift < 70; shift += 7) {
		if (*pos >= len)
			return 0;
		uint8_t b = buf[(*pos)++];
		v |= (uint64_t)(b & 0x7f) << shift;
		if ((b & 0x80) == 0) {
			*out = v;
			return 1;
		}
	}
	return 0;
}

/* §1.3: walk the top-level fields of an encoding and tell truncation (a
 * field that runs past the end) apart from other damage, which the unpacker
 * reports as malformed. */
static vy_rc scan_fields(const uint8_t *buf, size_t len, vy_reason *why)
{
	size_t pos = 0;
	uint64_t key, n;

	while (pos < len) {
		if (!read_varint(buf, len, &pos, &key))
			return vy_reason_set(why, VY_R_TRUNCATED, "truncated field key at byte %zu", pos);
		switch (key & 7) {
		case 0:
			if (!read_varint(buf, len, &pos, &n))
				return vy_reason_set(why, VY_R_TRUNCATED, "truncated varint at byte %zu", pos);
			break;
		case 1:
			if (len - pos < 8)
				return vy_reason_set(why, VY_R_TRUNCATED, "truncated 64-bit field at byte %zu", pos);
			pos += 8;
			break;
		case 2:
			if (!read_varint(buf, len, &pos, &n))
				return vy_reason_set(why, VY_R_TRUNCATED, "truncated length at byte %zu", pos);
			if (n > len - pos)
				return vy_reason_set(why, VY_R_TRUNCATED,
						     "field %llu claims %llu bytes, %zu left",
						     (unsigned long long)(key >> 3), (unsigned long long)n, len - pos);
			pos += (size_t)n;
			break;
		case 5:
			if (len - pos < 4)
				return vy_reason_set(why, VY_R_TRUNCATED, "truncated 32-bit field at byte %zu", pos);
			pos += 4;
			break;
		default:
			return vy_reason_set(why, VY_R_MALFORMED, "wire type %u at byte %zu is not allowed",
					     (unsigned)(key & 7), pos);
		}
	}
	return VY_R_OK;
}

/* Strict UTF-8 (RFC 3629): no overlong forms, surrogates or values above
 * U+10FFFF. */
static int utf8_valid(const char *s)
{
	const uint8_t *p = (const uint8_t *)s;

	while (*p) {
		uint32_t c;
		int n;

		if (p[0] < 0x80) {
			p++;
			continue;
		} else if ((p[0] & 0xe0) == 0xc0) {
			n = 1, c = p[0] & 0x1f;
		} else if ((p[0] & 0xf0) == 0xe0) {
			n = 2, c = p[0] & 0x0f;
		} else if ((p[0] & 0xf8) == 0xf0) {
			n = 3, c = p[0] & 0x07;
		} else {
			return 0;
		}
		for (int i = 1; i <= n; i++) {
			if ((p[i] & 0xc0) != 0x80)
				return 0;
			c = c << 6 | (p[i] & 0x3f);
		}
		if ((n == 1 && c < 0x80) || (n == 2 && c < 0x800) || (n == 3 && c < 0x10000) || c > 0x10ffff ||
		    (c >= 0xd800 && c <= 0xdfff))
			return 0;
		p += n + 1;
	}
	return 1;
}

/* One message-typed or string-typed field value. */
static vy_rc check_value(const ProtobufCFieldDescriptor *f, const void *v);

/* Unknown fields anywhere in msg (recursively): the sign of a message of
 * another type or a newer version. Strings must be UTF-8. */
static vy_rc check_fields(const ProtobufCMessage *msg)
{
	const ProtobufCMessageDescriptor *d = msg->descriptor;
	vy_rc rc;

	if (msg->n_unknown_fields != 0)
		return VY_R_UNKNOWN_FIELD;
	for (unsigned i = 0; i < d->n_fields; i++) {
		const ProtobufCFieldDescriptor *f = &d->fields[i];
		const char *base = (const char *)msg;

		if (f->type != PROTOBUF_C_TYPE_MESSAGE && f->type != PROTOBUF_C_TYPE_STRING)
			continue;
		if (f->label == PROTOBUF_C_LABEL_REPEATED) {
			size_t n = *(const size_t *)(base + f->quantifier_offset);
			void *const *arr = *(void *const *const *)(base + f->offset);

			for (size_t j = 0; j < n; j++) {
				rc = check_value(f, arr[j]);
				if (rc != VY_R_OK)
					return rc;
			}
		} else {
			rc = check_value(f, *(void *const *)(base + f->offset));
			if (rc != VY_R_OK)
				return rc;
		}
	}
	return VY_R_OK;
}

static vy_rc check_value(const ProtobufCFieldDescriptor *f, const void *v)
{
	if (v == NULL)
		return VY_R_OK;
	if (f->type == PROTOBUF_C_TYPE_STRING)
		return utf8_valid(v) ? VY_R_OK : VY_R_MALFORMED;
	return check_fields(v);
}

vy_rc vy_decode_message(ProtobufCMessage **out, const ProtobufCMessageDescriptor *desc, size_t max_len,
			const uint8_t *buf, size_t len, vy_reason *why)
{
	ProtobufCMessage *m;
	vy_rc rc;

	if (out == NULL || desc == NULL)
		return vy_reason_set(why, VY_R_ARG, "decode: NULL argument");
	*out = NULL;
	if (buf == NULL && len != 0)
		return vy_reason_set(why, VY_R_ARG, "decode: NULL buffer");
	if (len > max_len)
		return vy_reason_set(why, VY_R_TOO_LARGE, "%s: %zu bytes, at most %zu allowed", desc->short_name,
				     len, max_len);
	rc = scan_fields(buf, len, why);
	if (rc != VY_R_OK)
		return rc;
	m = protobuf_c_message_unpack(desc, NULL, len, buf);
	if (m == NULL)
		return vy_reason_set(why, VY_R_MALFORMED, "%s: not a valid encoding", desc->short_name);
	rc = check_fields(m);
	if (rc != VY_R_OK) {
		protobuf_c_message_free_unpacked(m, NULL);
		return vy_reason_set(why, rc, "%s: %s", desc->short_name,
				     rc == VY_R_UNKNOWN_FIELD ? "unknown field" : "text is not UTF-8");
	}
	if (!protobuf_c_message_check(m)) {
		protobuf_c_message_free_unpacked(m, NULL);
		return vy_reason_set(why, VY_R_MALFORMED, "%s: invalid field content", desc->short_name);
	}
	*out = m;
	return VY_R_OK;
}

vy_rc vy_decode_manifest(Vybar__Manifest **out, const uint8_t *buf, size_t len, vy_reason *why)
{
	return vy_decode_message((ProtobufCMessage **)out, &vybar__manifest__descriptor, VY_MAX_MANIFEST_BYTES,
				 buf, len, why);
}

vy_rc vy_decode_ballot(Vybar__Ballot **out, const uint8_t *buf, size_t len, vy_reason *why)
{
	return vy_decode_message((ProtobufCMessage **)out, &vybar__ballot__descriptor, VY_MAX_BALLOT_BYTES, buf,
				 len, why);
}

vy_rc vy_decode_audited_ballot(Vybar__AuditedBallot **out, const uint8_t *buf, size_t len, vy_reason *why)
{
	return vy_decode_message((ProtobufCMessage **)out, &vybar__audited_ballot__descriptor,
				 VY_MAX_AUDITED_BALLOT_BYTES, buf, len, why);
}

vy_rc vy_decode_entry(Vybar__RecordEntry **out, const uint8_t *buf, size_t len, vy_reason *why)
{
	return vy_decode_message((ProtobufCMessage **)out, &vybar__record_entry__descriptor, VY_MAX_ENTRY_BYTES,
				 buf, len, why);
}

vy_rc vy_decode_receipt(Vybar__Receipt **out, const uint8_t *buf, size_t len, vy_reason *why)
{
	return vy_decode_message((ProtobufCMessage **)out, &vybar__receipt__descriptor, 4096, buf, len, why);
}

void vy_msg_free(void *msg)
{
	if (msg != NULL)
		protobuf_c_message_free_unpacked((ProtobufCMessage *)msg, NULL);
}

uint8_t *vy_msg_pack(const void *msg, size_t *len)
{
	const ProtobufCMessage *m = msg;
	size_t n = protobuf_c_message_get_packed_size(m);
	uint8_t *buf = malloc(n ? n : 1);

	if (buf == NULL)
		return NULL;
	*len = protobuf_c_message_pack(m, buf);
	return buf;
}
