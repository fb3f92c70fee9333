/*
 * The HTTP APIs of Vybar's servers, named once (specs/board-api.md,
 * specs/registrar.md §5): every path, header, content type and body limit
 * that a server answers and a client asks. Servers, clients and tests take
 * them from here; no program writes "/v1/..." itself.
 */
#ifndef VY_API_H
#define VY_API_H

#include "protocol/vy_record.h"

/* ---- the board (specs/board-api.md) ---- */
#define VY_PATH_PAGE "/"
#define VY_PATH_SCRIPT "/app.js"
#define VY_PATH_MANIFEST "/v1/manifest"
#define VY_PATH_STATUS "/v1/status"
#define VY_PATH_RESULT "/v1/result"
#define VY_PATH_RECORD "/v1/record"
/* The record's latest checkpoint note and its cosignatures (witness.md §7.1). */
#define VY_PATH_CHECKPOINT "/v1/checkpoint"
/* GET ?seq=S&size=N: entry S's inclusion proof in the tree of N entries. */
#define VY_PATH_PROOF_INCLUSION "/v1/proof/inclusion"
/* GET ?first=M&second=N: the consistency proof from M entries to N. */
#define VY_PATH_PROOF_CONSISTENCY "/v1/proof/consistency"
/* GET VY_PATH_RECORD_FROM "N": the record from entry N on (board-api.md §2). */
#define VY_PATH_RECORD_FROM "/v1/record?from="
/* GET VY_PATH_RECEIPTS "<tracking code>" */
#define VY_PATH_RECEIPTS "/v1/receipts/"
/* GET VY_PATH_CODES "<prefix>": every tracking code under a prefix of 1 to
 * VY_CODE_PREFIX_MAX characters (board-api.md §4, "Lookup by prefix"). */
#define VY_PATH_CODES "/v1/codes/"
#define VY_PATH_BALLOTS "/v1/ballots"
#define VY_PATH_AUDITED "/v1/audited-ballots"
#define VY_PATH_ADMIN "/v1/admin"
#define VY_PATH_CREDENTIALS_ISSUED "/v1/credentials-issued"
/* The trustees' rounds: VY_PATH_TRUSTEE "<round>" (board-api.md §4). */
#define VY_PATH_TRUSTEE "/v1/trustee/"
#define VY_PATH_TRUSTEE_ANNOUNCE "/v1/trustee/announce"
#define VY_PATH_TRUSTEE_REVEAL "/v1/trustee/reveal"
#define VY_PATH_TRUSTEE_VERDICT "/v1/trustee/verdict"
#define VY_PATH_TRUSTEE_JUSTIFICATION "/v1/trustee/justification"
#define VY_PATH_TRUSTEE_DECRYPTION "/v1/trustee/partial-decryption"

/* ---- the registrar (specs/registrar.md §5) ---- */
#define VY_PATH_REGISTER "/v1/register"
#define VY_PATH_ISSUED "/v1/issued"

/* ---- headers ---- */
/* A record answer's next entry number (board-api.md §2). */
#define VY_HDR_NEXT "X-Vybar-Next"
/* An appended entry's position and a ballot's tracking code. */
#define VY_HDR_SEQ "X-Vybar-Seq"
#define VY_HDR_TRACKING_CODE "X-Vybar-Tracking-Code"
#define VY_HDR_RETRY_AFTER "Retry-After"
/* The longest X-Vybar-Next value: a u64 in decimal. */
#define VY_NEXT_DIGITS 20

/* ---- content types ---- */
#define VY_CT_JSON "application/json"
#define VY_CT_PROTOBUF "application/x-protobuf"
#define VY_CT_RECORD "application/octet-stream"
#define VY_CT_HTML "text/html; charset=utf-8"
#define VY_CT_SCRIPT "text/javascript; charset=utf-8"
/* The registrar's errors: one line naming what failed (registrar.md §4). */
#define VY_CT_TEXT "text/plain; charset=utf-8"

/* ---- body limits ---- */
#define VY_KIB 1024u
#define VY_MIB (1024u * 1024u)
/* announce, reveal, verdict, justification; the other entries' bodies are
 * the protocol's limits (vy_protocol.h, vy_record.h: VY_MAX_ADMIN_BYTES,
 * VY_MAX_ISSUED_BYTES), each endpoint's in protocol/vy_entry_types.h */
#define VY_MAX_TRUSTEE_BYTES VY_MIB
/* A registration request or answer (registrar.md §5). */
#define VY_MAX_REGISTRATION_BYTES 4096u
/* Small answers: receipts, status, errors. */
#define VY_MAX_SMALL_ANSWER_BYTES 65536u
/* One record answer holds at most this many bytes of frames beyond its
 * first entry (board-api.md §2). */
#define VY_MAX_RECORD_CHUNK_BYTES (8u * VY_MIB)
/* So one record answer is at most the magic line, the chunk and one whole
 * frame more. */
#define VY_MAX_RECORD_ANSWER_BYTES (VY_RECORD_MAGIC_LEN + VY_MAX_RECORD_CHUNK_BYTES + 4u + VY_MAX_ENTRY_BYTES)
/* Lookup by prefix (board-api.md §4): the longest prefix the board answers,
 * the number of codes a reader wants to hide among (the web page's choice
 * of prefix length, bulletin/codes.h), and the most codes one answer lists. */
#define VY_CODE_PREFIX_MAX 3
#define VY_LOOKUP_MIN_SET 64
#define VY_MAX_PREFIX_CODES 65536u

#endif
