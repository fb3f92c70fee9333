/*
 * Files, read and written the one way every program does it.
 *
 *   - vy_file_read: a whole file, with a cap on its size, into memory.
 *   - vy_file_create: a new file (never over an existing one) with a given
 *     mode, 0600 for secrets: a key, a credential, the roll's codes.
 *   - vy_file_replace: a file replaced atomically: written beside it under
 *     a temporary name, synced, renamed over it, its directory synced; a
 *     reader sees the old file or the new one, whole.
 *   - vy_file_writer: the same two ways of writing, streamed through a
 *     FILE for what does not fit in memory (a record, a roll).
 *
 * Modes are set exactly (fchmod), whatever the umask. Nothing written is
 * left in a buffer of the C library: a writer's stdio buffer is its own and
 * wiped, and memory grown while reading is wiped before it is freed, so
 * secrets pass through these functions as safely as through their callers.
 * Every failure is VY_R_IO (or VY_R_NOMEM, VY_R_TOO_LARGE) with the path
 * and the system's reason in why; a failed write leaves no file behind.
 */
#ifndef VY_FILES_H
#define VY_FILES_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "protocol/vy_protocol.h"

#define VY_FILE_MODE_SECRET 0600
#define VY_FILE_MODE_PUBLIC 0644

/* vy_file_read: refuse a file that its group or others may read or write
 * (a key file, chmod 600). */
#define VY_FILE_PRIVATE 1u

/* The whole file at path, at most max bytes, into *out (malloc'd, with a
 * NUL byte after the len bytes, so a text can be used as a string). On
 * failure *out is NULL and *len 0: VY_R_IO (cannot open or read),
 * VY_R_TOO_LARGE, VY_R_NOMEM, or VY_R_KEY for a file VY_FILE_PRIVATE
 * refuses. */
vy_rc vy_file_read(uint8_t **out, size_t *len, const char *path, size_t max, unsigned flags, vy_reason *why)
	VY_WARN_UNUSED;

/* Create path, which must not exist (EEXIST: "exists"), with mode, and
 * write len bytes of buf to it, synced. */
vy_rc vy_file_create(const char *path, unsigned mode, const void *buf, size_t len, vy_reason *why) VY_WARN_UNUSED;

/* Write len bytes of buf to path atomically, with mode, replacing any
 * file there. */
vy_rc vy_file_replace(const char *path, unsigned mode, const void *buf, size_t len, vy_reason *why) VY_WARN_UNUSED;

/* A file being written: vy_file_writer_open, then write through f, then
 * vy_file_writer_commit (or vy_file_writer_abort: nothing is left). */
typedef enum {
	VY_FILE_NEW,     /* as vy_file_create */
	VY_FILE_REPLACE, /* as vy_file_replace */
} vy_file_how;

#define VY_FILE_PATH_BYTES 4096
#define VY_FILE_BUF_BYTES 8192

typedef struct {
	FILE *f;
	vy_file_how how;
	char path[VY_FILE_PATH_BYTES];
	char tmp[VY_FILE_PATH_BYTES + 16]; /* VY_FILE_REPLACE: the temporary file */
	char buf[VY_FILE_BUF_BYTES];       /* f's buffer, wiped at the end */
} vy_file_writer;

vy_rc vy_file_writer_open(vy_file_writer *w, const char *path, unsigned mode, vy_file_how how, vy_reason *why)
	VY_WARN_UNUSED;
/* Flush, sync and close; rename into place (VY_FILE_REPLACE); sync the
 * directory. On failure the file is removed (as by abort). */
vy_rc vy_file_writer_commit(vy_file_writer *w, vy_reason *why) VY_WARN_UNUSED;
/* Close and remove what was written. */
void vy_file_writer_abort(vy_file_writer *w);

#endif
