/*
 * What the board answers over HTTP (answers.h, specs/board-api.md §3, §4).
 */
#include <microhttpd.h>

#include "bulletin/answers.h"
#include "bulletin/jbuf.h"

/* ---- statuses (§3) ---- */

/* The status of a reason code the protocol's rules gave. */
static unsigned status_of(vy_rc rc)
{
	switch (rc) {
	case VY_R_OK:
		return MHD_HTTP_OK;
	case VY_R_PHASE:
		return MHD_HTTP_FORBIDDEN;
	case VY_R_DUPLICATE:
	case VY_R_REPLAY: /* a ballot already on the record (V4.8) */
		return MHD_HTTP_CONFLICT;
	case VY_R_BALLOT_LIMIT: /* the credential's count is spent (V4.10): waiting will not help */
		return MHD_HTTP_FORBIDDEN;
	case VY_R_TOO_LARGE:
		return MHD_HTTP_CONTENT_TOO_LARGE;
	case VY_R_NOT_IMPLEMENTED:
		return MHD_HTTP_NOT_IMPLEMENTED;
	case VY_R_NOMEM:
	case VY_R_IO:
	case VY_R_ARG:
		return MHD_HTTP_INTERNAL_SERVER_ERROR;
	default:
		return MHD_HTTP_BAD_REQUEST;
	}
}

unsigned vyb_answer_status(const vyb_job *job)
{
	switch (job->outcome) {
	case VYB_APPENDED:
		return MHD_HTTP_OK;
	case VYB_FAILED:
		return MHD_HTTP_INTERNAL_SERVER_ERROR;
	case VYB_REFUSED:
		if (job->retry_after > 0) /* its credential's pace (protocol.md §3.6): later */
			return MHD_HTTP_TOO_MANY_REQUESTS;
		return status_of(job->why.code);
	case VYB_ADMIN_REFUSED:
		if (job->why.code == VY_R_CHAIN) /* signed over a head that is no longer the head */
			return MHD_HTTP_CONFLICT;
		if (job->why.code == VY_R_KEY) /* not signed under the manifest's commission_key */
			return MHD_HTTP_FORBIDDEN;
		return status_of(job->why.code);
	default:
		return status_of(job->why.code);
	}
}

/* ---- bodies ---- */

/* The text of j, or NULL (and j freed) when an allocation failed. */
static char *taken(vyb_jbuf *j, size_t *len)
{
	if (j->oom) {
		vyb_jb_free(j);
		return NULL;
	}
	*len = j->len;
	return j->s;
}

char *vyb_error_json(unsigned status, int code, const char *msg, size_t *len)
{
	vyb_jbuf j = { 0 };

	vyb_jb_printf(&j, "{\"status\":%u,\"code\":", status);
	if (code >= 0) {
		vyb_jb_printf(&j, "%d,\"reason\":", code);
		vyb_jb_str(&j, vy_rc_str((vy_rc)code));
	} else {
		vyb_jb_printf(&j, "null,\"reason\":null");
	}
	vyb_jb_printf(&j, ",\"message\":");
	vyb_jb_str(&j, msg);
	vyb_jb_printf(&j, "}\n");
	return taken(&j, len);
}

char *vyb_appended_json(const vyb_job *job, size_t *len)
{
	vyb_jbuf j = { 0 };

	vyb_jb_printf(&j, "{\"seq\":%llu,\"type\":%d,\"entry_hash\":", (unsigned long long)job->seq,
		      (int)job->appended_type);
	vyb_jb_hex(&j, job->entry_hash, VY_HASH_BYTES);
	vyb_jb_printf(&j, "}\n");
	return taken(&j, len);
}

char *vyb_receipt_json(const char *code, uint64_t seq, uint32_t type, const Vybar__Receipt *r,
		       const uint8_t *receipt, size_t receipt_len, size_t *len)
{
	vyb_jbuf j = { 0 };

	vyb_jb_printf(&j, "{\"tracking_code\":");
	vyb_jb_str(&j, code);
	vyb_jb_printf(&j, ",\"seq\":%llu,\"type\":\"%s\",\"head_hash\":", (unsigned long long)seq,
		      type == VYBAR__ENTRY_TYPE__ENTRY_TYPE_BALLOT ? "ballot" : "audited-ballot");
	vyb_jb_hex(&j, r->head_hash.data, r->head_hash.len);
	vyb_jb_printf(&j, ",\"signature\":");
	vyb_jb_hex(&j, r->signature.data, r->signature.len);
	vyb_jb_printf(&j, ",\"receipt\":");
	vyb_jb_hex(&j, receipt, receipt_len);
	vyb_jb_printf(&j, "}\n");
	return taken(&j, len);
}

char *vyb_status_json(const vyb_status *s, size_t *len)
{
	vyb_jbuf j = { 0 };

	vyb_jb_printf(&j, "{\"election_id\":");
	vyb_jb_str(&j, s->election_id);
	vyb_jb_printf(&j, ",\"phase\":\"%s\",\"entries\":%llu,\"ballots_received\":%llu,"
		      "\"audited_ballots\":%llu,\"distinct_credentials\":%llu,\"head_hash\":",
		      vy_phase_name(s->phase), (unsigned long long)s->entries, (unsigned long long)s->ballots,
		      (unsigned long long)s->audited, (unsigned long long)s->credentials);
	vyb_jb_hex(&j, s->head_hash, VY_HASH_BYTES);
	vyb_jb_printf(&j, ",\"base_hash\":");
	vyb_jb_hex(&j, s->base_hash, VY_HASH_BYTES);
	vyb_jb_printf(&j, ",\"result_published\":%s}\n", s->result_published ? "true" : "false");
	return taken(&j, len);
}

/* The names of one contest's results, bounds-checked against the manifest. */
static void contest_json(vyb_jbuf *j, const Vybar__Contest *c, const Vybar__ContestResult *r)
{
	const Vybar__PartyListContest *pl = c->party_list;

	vyb_jb_printf(j, "{\"title\":");
	vyb_jb_str(j, c->title);
	vyb_jb_printf(j, ",\"options\":[");
	for (size_t i = 0; pl == NULL && i < r->n_counts && i < c->n_options; i++) {
		vyb_jb_printf(j, "%s{\"name\":", i ? "," : "");
		vyb_jb_str(j, c->options[i]->title);
		vyb_jb_printf(j, ",\"count\":%llu}", (unsigned long long)r->counts[i]);
	}
	vyb_jb_printf(j, "],\"lists\":[");
	for (size_t i = 0; pl != NULL && i < r->n_lists && i < pl->n_lists; i++) {
		const Vybar__PartyList *l = pl->lists[i];
		const Vybar__ListResult *lr = r->lists[i];

		vyb_jb_printf(j, "%s{\"name\":", i ? "," : "");
		vyb_jb_str(j, l->name);
		vyb_jb_printf(j, ",\"votes\":%llu,\"seats\":%u,\"elected\":[", (unsigned long long)lr->votes, lr->seats);
		for (size_t k = 0; k < lr->n_elected; k++) {
			vyb_jb_printf(j, "%s", k ? "," : "");
			vyb_jb_str(j, lr->elected[k] < l->n_candidates ? l->candidates[lr->elected[k]]->name : "?");
		}
		vyb_jb_printf(j, "]}");
	}
	vyb_jb_printf(j, "]}");
}

char *vyb_result_json(const Vybar__Manifest *m, const Vybar__Result *r, uint64_t seq, size_t *len)
{
	vyb_jbuf j = { 0 };

	if (r == NULL) {
		vyb_jb_printf(&j, "{\"published\":false}\n");
		return taken(&j, len);
	}
	vyb_jb_printf(&j, "{\"published\":true,\"seq\":%llu,\"title\":", (unsigned long long)seq);
	vyb_jb_str(&j, m->title);
	vyb_jb_printf(&j, ",\"contests\":[");
	for (size_t i = 0; i < r->n_contests && i < m->n_contests; i++) {
		vyb_jb_printf(&j, "%s", i ? "," : "");
		contest_json(&j, m->contests[i], r->contests[i]);
	}
	vyb_jb_printf(&j, "]}\n");
	return taken(&j, len);
}
