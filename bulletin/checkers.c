/*
 * The board's checker pool (specs/board-api.md §6): ballots and audited
 * ballots pass through these threads on their way to the writer. Once the
 * election snapshot exists (board.c, snapshot_take), a checker runs the
 * entry's state-free rules (vy_ballot_validate / vy_audited_ballot_check,
 * §4.5, §6) on the job's payload against it, outside any lock, marks the
 * job passed or failed, and hands it to the writer's queue. Why the writer
 * may then skip those rules, and only those, is board.c's argument
 * (points 1-4 at its top); a checker is the only code that sets the mark.
 */
#include <unistd.h>

#include "bulletin/board_impl.h"

const vy_ballot_rules *vyb_job_ballot_rules(const vyb_job *job)
{
	const vy_entry_type_info *t = vy_entry_type(job->type);

	return job->kind == VYB_JOB_ENTRY && t != NULL ? t->ballot : NULL;
}

/* §4.5, §6: the state-free rules of a ballot or audited ballot against the
 * election snapshot; the verdict goes into the job for the writer. */
static void precheck(const vy_election *el, vyb_job *job)
{
	vy_rc rc = vyb_job_ballot_rules(job)->check(el, job->payload, job->payload_len, &job->precheck_why);

	job->precheck = rc == VY_R_OK ? VYB_PRECHECK_PASSED : VYB_PRECHECK_FAILED;
}

/* A checker: ballot jobs, checked (once the snapshot exists) outside any
 * lock, then handed to the writer in the order they finish. */
static void *checker_main(void *arg)
{
	vyb_board *b = arg;

	pthread_mutex_lock(&b->q_lock);
	for (;;) {
		vyb_job *job;
		int ready;

		while (b->c_head == NULL && !b->checkers_stop)
			pthread_cond_wait(&b->c_cond, &b->q_lock);
		if (b->c_head == NULL)
			break;
		job = b->c_head;
		b->c_head = job->next;
		if (b->c_head == NULL)
			b->c_tail = NULL;
		ready = b->snap_ready;
		pthread_mutex_unlock(&b->q_lock);
		/* snap is written once, before snap_ready is set under q_lock */
		if (ready)
			precheck(&b->snap, job);
		pthread_mutex_lock(&b->q_lock);
		vyb_writer_enqueue(b, job);
	}
	pthread_mutex_unlock(&b->q_lock);
	return NULL;
}

void vyb_checkers_enqueue(vyb_board *b, vyb_job *job)
{
	vyb_job_append(&b->c_head, &b->c_tail, job);
	pthread_cond_signal(&b->c_cond);
}

void vyb_checkers_start(vyb_board *b, size_t want)
{
	long cpus;

	if (want == 0) {
		cpus = sysconf(_SC_NPROCESSORS_ONLN);
		want = cpus > 0 ? (size_t)cpus : 1;
	}
	if (want > VYB_MAX_CHECKERS)
		want = VYB_MAX_CHECKERS;
	while (b->n_checkers < want && pthread_create(&b->checkers[b->n_checkers], NULL, checker_main, b) == 0)
		b->n_checkers++;
}

void vyb_checkers_stop(vyb_board *b)
{
	pthread_mutex_lock(&b->q_lock);
	b->checkers_stop = 1;
	pthread_cond_broadcast(&b->c_cond);
	pthread_mutex_unlock(&b->q_lock);
	for (size_t i = 0; i < b->n_checkers; i++)
		pthread_join(b->checkers[i], NULL);
	b->n_checkers = 0;
}
