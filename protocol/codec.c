/*
 * Reason codes and the strict decoders of the wire messages
 * (specs/protocol.md §1 and §9).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
	[VY_R_WITNESS] = "witness cosignatures do not verify",
	[VY_R_REPLAY] = "ballot already on the record",
	[VY_R_BALLOT_LIMIT] = "ballot limit of the credential reached",
	[VY_R_ADMIN_SIGNATURE] = "commission signature does not verify",
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
	/* verification.md §Reporting: an entry out of its place (a phase
	 * failure, whatever rule found it) reports V1.7, one rule for all */
	snprintf(why->check, sizeof why->check, "%s", why->code == VY_R_PHASE ? "V1.7" : check);
	return rc;
}

/* Read a base-128 varint at *pos: 1, or 0 if the input ends inside it;
 * -1 if it is longer than 10 bytes or not minimal (a last byte of 0 after
 * the first: §1.3 refuses padded varints). */
static int read_varint(const uint8_t *buf, size_t len, size_t *pos, uint64_t *out)
{
	uint64_t v = 0;

	for (unsigned shift = 0; shift < 70; shift += 7) {
		if (*pos >= len)
			return 0;
		uint8_t b = buf[(*pos)++];
		if (shift == 63 && b > 1)
			return -1;
		v |= (uint64_t)(b & 0x7f) << shift;
		if ((b & 0x80) == 0) {
			if (b == 0 && shift > 0)
				return -1;
			*out = v;
			return 1;
		}
	}
	return -1;
}

/* The wire type a field of this type has when not packed. */
static unsigned wire_type_of(ProtobufCType t)
{
	switch (t) {
	case PROTOBUF_C_TYPE_FIXED64:
	case PROTOBUF_C_TYPE_SFIXED64:
	case PROTOBUF_C_TYPE_DOUBLE:
		return 1;
	case PROTOBUF_C_TYPE_FIXED32:
	case PROTOBUF_C_TYPE_SFIXED32:
	case PROTOBUF_C_TYPE_FLOAT:
		return 5;
	case PROTOBUF_C_TYPE_STRING:
	case PROTOBUF_C_TYPE_BYTES:
	case PROTOBUF_C_TYPE_MESSAGE:
		return 2;
	default:
		return 0;
	}
}

/* §1.3: a varint value in range for its field: uint32 and enum at most
 * 2^32 - 1 (enum values, as int32, at most 2^31 - 1), bool 0 or 1. */
static int varint_in_range(ProtobufCType t, uint64_t v)
{
	switch (t) {
	case PROTOBUF_C_TYPE_UINT32:
		return v <= UINT32_MAX;
	case PROTOBUF_C_TYPE_ENUM:
	case PROTOBUF_C_TYPE_INT32:
		return v <= INT32_MAX;
	case PROTOBUF_C_TYPE_BOOL:
		return v <= 1;
	default:
		return 1;
	}
}

#define MAX_DEPTH 16
#define MAX_FIELDS 64

static vy_rc scan_message(const ProtobufCMessageDescriptor *d, const uint8_t *buf, size_t len, unsigned depth,
			  vy_reason *why);

/* The values of a packed repeated varint field: each in range. */
static vy_rc scan_packed(const ProtobufCMessageDescriptor *d, const ProtobufCFieldDescriptor *f,
			 const uint8_t *buf, size_t len, vy_reason *why)
{
	size_t pos = 0;
	uint64_t v;

	while (pos < len) {
		int r = read_varint(buf, len, &pos, &v);

		if (r <= 0 || !varint_in_range(f->type, v))
			return vy_reason_set(why, r == 0 ? VY_R_TRUNCATED : VY_R_MALFORMED,
					     "%s.%s: a packed value is truncated, padded or out of range",
					     d->short_name, f->name);
	}
	return VY_R_OK;
}

/* One field's value at buf[*pos..]: checked for its type and skipped. */
static vy_rc scan_value(const ProtobufCMessageDescriptor *d, const ProtobufCFieldDescriptor *f, unsigned wt,
			const uint8_t *buf, size_t len, size_t *pos, unsigned depth, vy_reason *why)
{
	uint64_t v;
	int r;

	switch (wt) {
	case 0:
		r = read_varint(buf, len, pos, &v);
		if (r == 0)
			return vy_reason_set(why, VY_R_TRUNCATED, "truncated varint at byte %zu", *pos);
		if (r < 0 || !varint_in_range(f->type, v))
			return vy_reason_set(why, VY_R_MALFORMED, "%s.%s: varint padded or out of range for its type",
					     d->short_name, f->name);
		return VY_R_OK;
	case 1:
	case 5:
		if (len - *pos < (wt == 1 ? 8u : 4u))
			return vy_reason_set(why, VY_R_TRUNCATED, "truncated fixed-width field at byte %zu", *pos);
		*pos += wt == 1 ? 8u : 4u;
		return VY_R_OK;
	default:
		r = read_varint(buf, len, pos, &v);
		if (r == 0)
			return vy_reason_set(why, VY_R_TRUNCATED, "truncated length at byte %zu", *pos);
		if (r < 0)
			return vy_reason_set(why, VY_R_MALFORMED, "%s.%s: padded length", d->short_name, f->name);
		if (v > len - *pos)
			return vy_reason_set(why, VY_R_TRUNCATED, "field %s.%s claims %llu bytes, %zu left",
					     d->short_name, f->name, (unsigned long long)v, len - *pos);
		buf += *pos;
		*pos += (size_t)v;
		if (f->type == PROTOBUF_C_TYPE_MESSAGE)
			return scan_message(f->descriptor, buf, (size_t)v, depth + 1, why);
		if (wire_type_of(f->type) == 0)
			return scan_packed(d, f, buf, (size_t)v, why);
		return VY_R_OK;
	}
}

/* §1.3, strict decoding, at every depth: every field number defined by the
 * message type; its wire type the one of its type (a repeated varint field
 * packed, in one run); varints at most 10 bytes, not padded, in range for
 * their type; a singular field at most once; nothing past the end. */
static vy_rc scan_message(const ProtobufCMessageDescriptor *d, const uint8_t *buf, size_t len, unsigned depth,
			  vy_reason *why)
{
	uint8_t seen[MAX_FIELDS] = { 0 };
	size_t pos = 0;
	uint64_t key;
	vy_rc rc;

	if (depth > MAX_DEPTH || d->n_fields > MAX_FIELDS)
		return vy_reason_set(why, VY_R_MALFORMED, "%s: nested too deeply", d->short_name);
	while (pos < len) {
		const ProtobufCFieldDescriptor *f;
		unsigned wt, want;
		int r = read_varint(buf, len, &pos, &key);

		if (r == 0)
			return vy_reason_set(why, VY_R_TRUNCATED, "truncated field key at byte %zu", pos);
		wt = (unsigned)(key & 7);
		if (r < 0 || key >> 3 == 0 || key >> 3 > UINT32_MAX || wt == 3 || wt == 4 || wt > 5)
			return vy_reason_set(why, VY_R_MALFORMED, "%s: malformed field key at byte %zu", d->short_name,
					     pos);
		f = protobuf_c_message_descriptor_get_field(d, (unsigned)(key >> 3));
		if (f == NULL)
			return vy_reason_set(why, VY_R_UNKNOWN_FIELD, "%s: unknown field %llu", d->short_name,
					     (unsigned long long)(key >> 3));
		want = f->label == PROTOBUF_C_LABEL_REPEATED && wire_type_of(f->type) == 0 ? 2 : wire_type_of(f->type);
		if (wt != want)
			return vy_reason_set(why, VY_R_MALFORMED, "%s.%s: wire type %u, expected %u%s", d->short_name,
					     f->name, wt, want, want == 2 && wire_type_of(f->type) == 0 ? " (packed)" : "");
		if (f->label != PROTOBUF_C_LABEL_REPEATED || wire_type_of(f->type) == 0) {
			size_t idx = (size_t)(f - d->fields);

			if (seen[idx])
				return vy_reason_set(why, VY_R_MALFORMED, "%s.%s: given twice", d->short_name, f->name);
			seen[idx] = 1;
		}
		rc = scan_value(d, f, wt, buf, len, &pos, depth, why);
		if (rc != VY_R_OK)
			return rc;
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

/* A refusal found inside a sub-message names the message decoded too:
 * "AuditedBallot: Credential.public_key: ...". */
static vy_rc name_outer(vy_reason *why, vy_rc rc, const ProtobufCMessageDescriptor *desc)
{
	char inner[VY_REASON_MSG_BYTES];
	size_t n = strlen(desc->short_name);

	if (why == NULL || (strncmp(why->msg, desc->short_name, n) == 0 && why->msg[n] == '.') ||
	    (strncmp(why->msg, desc->short_name, n) == 0 && why->msg[n] == ':'))
		return rc;
	memcpy(inner, why->msg, sizeof inner);
	return vy_reason_set(why, rc, "%s: %s", desc->short_name, inner);
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
	rc = scan_message(desc, buf, len, 0, why);
	if (rc != VY_R_OK)
		return name_outer(why, rc, desc);
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
