/*
 * The record's entry types (specs/protocol.md §7.1, §8), one row each: the
 * one place that says, for every Vybar__EntryType, which rule decides it
 * (§8), how an accepted one changes the record state, who signs it, which
 * numbered check of specs/verification.md a failure of it reports and what
 * its checks examine, and where the board takes it (specs/board-api.md §4).
 *
 * The record (record.c), the verification engine (verify.c), the board's
 * routes (bulletin/http.c) and the trustee's transport read this table;
 * none of them decides by the type itself. A new entry type is a new row.
 */
#ifndef VY_ENTRY_TYPES_H
#define VY_ENTRY_TYPES_H

#include "protocol/vy_verify.h"

/* Who signs an entry's payload (the board signs every entry, §7.2). */
typedef enum {
	VY_SIGNER_BOARD = 0, /* nobody else: the board writes it (entry 0 from the commission's
			      * manifest, WITNESSED from the witnesses' cosignatures) */
	VY_SIGNER_COMMISSION, /* the board writes it on the commission's AdminAction (§12), whose
			       * signature it carries (commission_signature, §12.4) */
	VY_SIGNER_TRUSTEE,   /* a trustee: TrusteeSigned (§5.4) */
	VY_SIGNER_VOTER,     /* a credential's key, over the ballot hash (§4.4) */
	VY_SIGNER_REGISTRAR  /* the manifest's registrar_statement_key (§8.12) */
} vy_signer;

/* A reason code whose failure reports another check than its row's. */
typedef struct {
	vy_rc code;
	vyv_check check;
} vy_code_check;

/* What BALLOT and AUDITED_BALLOT have beyond the others: rules that depend
 * on the election alone, never on the record state (§4.5, §6), which a
 * caller may run ahead of the record, in parallel, and then leave out of
 * vy_validate_entry_flags (VY_CHECK_SKIP_BALLOT). */
typedef struct {
	const char *what; /* "ballot", "audited ballot": in messages */
	/* the payload decodes and, unless e is NULL, vy_ballot_validate
	 * (vy_audited_ballot_check) accepts it in election e */
	vy_rc (*check)(const vy_election *e, const uint8_t *p, size_t n, vy_reason *why);
	/* the check a failure of the ballot rules V4.1-V4.6 inside it reports:
	 * VYV__COUNT for each its own */
	vyv_check rules_check;
	/* the rules that depend on the record so far (no ballot twice, the
	 * one-time keys: V4.8, V4.9; V5.4, V5.5), run even when the caller
	 * ran check itself */
	vy_rc (*state)(const vy_record_state *st, const uint8_t *p, size_t n, vy_reason *why);
} vy_ballot_rules;

/* The bit of check c in vy_entry_type_info.examines. */
#define VY_EXAMINES(c) (UINT64_C(1) << (c))

typedef struct {
	Vybar__EntryType type;
	const char *name; /* as specs/protocol.md §7.1 writes it, e.g. "BALLOT" */
	vy_signer signer;
	/* §8: whether payload is valid as the next entry after st */
	vy_rc (*validate)(const vy_record_state *st, const uint8_t *p, size_t n, vy_reason *why);
	/* record an entry that validate accepted (the head and seq aside) */
	vy_rc (*apply)(vy_record_state *st, const Vybar__RecordEntry *e, vy_reason *why);
	const vy_ballot_rules *ballot; /* NULL but for BALLOT and AUDITED_BALLOT */
	/* specs/verification.md §Reporting: the check a failure reports when
	 * the failing rule names none and the frame is not at fault; by_code
	 * (ended by VY_R_OK) lists the codes that report another */
	vyv_check check;
	const vy_code_check *by_code;
	/* what its checks examine in one accepted entry: one item of each check
	 * in examines (VY_EXAMINES bits), and what count adds (NULL: nothing) */
	uint64_t examines;
	void (*count)(uint64_t examined[VYV__COUNT], const vy_record_state *st);
	/* specs/board-api.md §4: the path the board takes it at (POST) and the
	 * body's maximum; NULL and 0 when the board writes it itself */
	const char *endpoint;
	size_t max_body;
	/* VY_SIGNER_COMMISSION only: the action that orders it (§12.1) and its
	 * payload's message, whose commission_signature field V1.8 checks */
	Vybar__AdminActionKind admin;
	const ProtobufCMessageDescriptor *payload;
} vy_entry_type_info;

/* The row of type t; NULL for a type this version does not know. */
const vy_entry_type_info *vy_entry_type(Vybar__EntryType t);
/* The row whose endpoint is path; NULL if none. */
const vy_entry_type_info *vy_entry_type_at(const char *path);
/* Every row, in type order: *n rows. */
const vy_entry_type_info *vy_entry_types(size_t *n);

/* The check a failure of row t's rule reports for reason why, when the
 * rule named none and the frame is not at fault (specs/verification.md
 * §Reporting). */
vyv_check vy_entry_type_check(const vy_entry_type_info *t, const vy_reason *why);

#endif
