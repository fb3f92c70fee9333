/* Internal to the protocol layer: shared between record.c and ceremony.c. */
#ifndef VY_RECORD_IMPL_H
#define VY_RECORD_IMPL_H

#include "protocol/vy_record.h"

/* Apply an accepted key-ceremony or election-open entry (§8.3-§8.5). */
vy_rc vy_ceremony_apply(vy_record_state *st, const Vybar__RecordEntry *e, vy_reason *why);

#endif
