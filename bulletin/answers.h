/*
 * What the board answers over HTTP (specs/board-api.md §3, §4): the status
 * of a finished job, and the JSON bodies of the errors, of an appended
 * entry, of a receipt lookup, of the status and of the result. Functions of
 * the board's data alone, in the protocol's terms: the HTTP front (http.c)
 * sends what they return, the board's core (board.c) knows nothing of them.
 *
 * Every body is malloc'd text with its length in *len, NULL when out of
 * memory.
 */
#ifndef VYB_ANSWERS_H
#define VYB_ANSWERS_H

#include "bulletin/board.h"

/* §3: the HTTP status of a finished job: 200 appended; 500 storage or
 * memory; an AdminAction refused by §12.2 409 for a stale head, 403 for its
 * signature; else by the reason code (403 phase, 409 duplicate, 413 too
 * large, 501 not implemented, 500 memory or I/O, 400 any other rule). */
unsigned vyb_answer_status(const vyb_job *job);

/* §3: {"status", "code", "reason", "message"}; code < 0: no protocol
 * reason (both null). */
char *vyb_error_json(unsigned status, int code, const char *msg, size_t *len);
/* §4: {"seq", "type", "entry_hash"} of the entry an appended job added. */
char *vyb_appended_json(const vyb_job *job, size_t *len);
/* §4: GET /v1/receipts/{code}: the entry at seq (of entry type `type`)
 * holding tracking code `code`, its receipt r, decoded, and as stored
 * (receipt, receipt_len bytes). */
char *vyb_receipt_json(const char *code, uint64_t seq, uint32_t type, const Vybar__Receipt *r,
		       const uint8_t *receipt, size_t receipt_len, size_t *len);
/* §4: GET /v1/status. */
char *vyb_status_json(const vyb_status *s, size_t *len);
/* §4: GET /v1/result: r (the RESULT entry's, at seq) with the names of the
 * manifest m; r NULL: not published yet. */
char *vyb_result_json(const Vybar__Manifest *m, const Vybar__Result *r, uint64_t seq, size_t *len);

#endif
