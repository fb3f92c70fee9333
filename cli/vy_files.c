/* Reading and writing whole files (vy_files.h). */
#include "cli/vy_files.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crypto/vy_common.h"

#define READ_FIRST_BYTES 4096 /* the first buffer when the size is unknown (a pipe) */
#define TMP_SUFFIX ".tmp-XXXXXX"

/* ---- reading ---- */

/* A buffer of cap bytes holding the n of old, which is wiped and freed. */
static uint8_t *grow(uint8_t *old, size_t n, size_t cap)
{
	uint8_t *b = malloc(cap);

	if (b != NULL && n > 0)
		memcpy(b, old, n);
	if (old != NULL) {
		vy_wipe(old, n);
		free(old);
	}
	return b;
}

/* The first buffer's size: the file's, when it says one (plus one byte to
 * see the end and one for the NUL), within max + 2. */
static size_t first_cap(const struct stat *st, size_t max)
{
	size_t want = READ_FIRST_BYTES;

	if (S_ISREG(st->st_mode) && (unsigned long long)st->st_size < (unsigned long long)max)
		want = (size_t)st->st_size + 2;
	return want < max + 2 ? want : max + 2;
}

/* Read fd to its end, at most max bytes, into *out. */
static vy_rc read_all(int fd, const struct stat *st, uint8_t **out, size_t *len, const char *path, size_t max,
		      vy_reason *why)
{
	size_t cap = first_cap(st, max), n = 0;
	uint8_t *b = malloc(cap);

	for (;;) {
		ssize_t r;

		if (b == NULL)
			return vy_reason_set(why, VY_R_NOMEM, "%s: out of memory", path);
		if (n + 1 == cap) { /* full: n <= max, so cap < max + 2 */
			cap = cap > (max + 2) / 2 ? max + 2 : 2 * cap;
			b = grow(b, n, cap);
			continue;
		}
		r = read(fd, b + n, cap - 1 - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int e = errno;

			vy_wipe(b, n);
			free(b);
			return vy_reason_set(why, VY_R_IO, "cannot read %s: %s", path, strerror(e));
		}
		if (r == 0)
			break;
		n += (size_t)r;
		if (n > max) {
			vy_wipe(b, n);
			free(b);
			return vy_reason_set(why, VY_R_TOO_LARGE, "cannot read %s: larger than %zu bytes", path, max);
		}
	}
	b[n] = '\0';
	*out = b;
	*len = n;
	return VY_R_OK;
}

vy_rc vy_file_read(uint8_t **out, size_t *len, const char *path, size_t max, unsigned flags, vy_reason *why)
{
	struct stat st;
	vy_rc rc;
	int fd;

	*out = NULL;
	*len = 0;
	if (max > SIZE_MAX - 2)
		max = SIZE_MAX - 2;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return vy_reason_set(why, VY_R_IO, "cannot open %s: %s", path, strerror(errno));
	if (fstat(fd, &st) != 0)
		rc = vy_reason_set(why, VY_R_IO, "cannot read %s: %s", path, strerror(errno));
	else if ((flags & VY_FILE_PRIVATE) && (st.st_mode & 077) != 0)
		rc = vy_reason_set(why, VY_R_KEY, "%s: must not be readable by group or others (chmod 600)", path);
	else if (S_ISREG(st.st_mode) && (unsigned long long)st.st_size > (unsigned long long)max)
		rc = vy_reason_set(why, VY_R_TOO_LARGE, "cannot read %s: larger than %zu bytes", path, max);
	else
		rc = read_all(fd, &st, out, len, path, max, why);
	close(fd);
	return rc;
}

/* ---- writing ---- */

/* Sync the directory that holds path, so a new name in it is durable. */
static vy_rc sync_dir(const char *path, vy_reason *why)
{
	char dir[VY_FILE_PATH_BYTES];
	const char *slash = strrchr(path, '/');
	size_t n = slash == NULL ? 0 : slash == path ? 1 : (size_t)(slash - path);
	int fd, ok;

	memcpy(dir, slash == NULL ? "." : path, slash == NULL ? 2 : n);
	if (slash != NULL)
		dir[n] = '\0';
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return vy_reason_set(why, VY_R_IO, "cannot sync the directory of %s: %s", path, strerror(errno));
	ok = fsync(fd) == 0 || errno == EINVAL; /* some file systems cannot sync a directory */
	close(fd);
	if (!ok)
		return vy_reason_set(why, VY_R_IO, "cannot sync the directory of %s: %s", path, strerror(errno));
	return VY_R_OK;
}

/* The name written to: the temporary file, or path itself. */
static const char *target(const vy_file_writer *w)
{
	return w->how == VY_FILE_REPLACE ? w->tmp : w->path;
}

vy_rc vy_file_writer_open(vy_file_writer *w, const char *path, unsigned mode, vy_file_how how, vy_reason *why)
{
	int fd, e;

	memset(w, 0, sizeof *w);
	w->how = how;
	if (snprintf(w->path, sizeof w->path, "%s", path) >= (int)sizeof w->path ||
	    snprintf(w->tmp, sizeof w->tmp, "%s" TMP_SUFFIX, path) >= (int)sizeof w->tmp)
		return vy_reason_set(why, VY_R_IO, "%.200s...: path too long", path);
	if (how == VY_FILE_REPLACE)
		fd = mkstemp(w->tmp);
	else
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, (mode_t)mode);
	if (fd < 0)
		return vy_reason_set(why, VY_R_IO, "cannot create %s: %s", target(w), strerror(errno));
	if (fchmod(fd, (mode_t)mode) != 0 || (w->f = fdopen(fd, "w")) == NULL) {
		e = errno;
		close(fd);
		unlink(target(w));
		return vy_reason_set(why, VY_R_IO, "cannot create %s: %s", target(w), strerror(e));
	}
	setvbuf(w->f, w->buf, _IOFBF, sizeof w->buf);
	return VY_R_OK;
}

void vy_file_writer_abort(vy_file_writer *w)
{
	if (w->f != NULL) {
		fclose(w->f);
		unlink(target(w));
	}
	w->f = NULL;
	vy_wipe(w->buf, sizeof w->buf);
}

vy_rc vy_file_writer_commit(vy_file_writer *w, vy_reason *why)
{
	int ok = fflush(w->f) == 0 && !ferror(w->f) && fsync(fileno(w->f)) == 0, e = errno;

	if (fclose(w->f) != 0 && ok) {
		ok = 0;
		e = errno;
	}
	w->f = NULL;
	vy_wipe(w->buf, sizeof w->buf);
	if (ok && w->how == VY_FILE_REPLACE && rename(w->tmp, w->path) != 0) {
		ok = 0;
		e = errno;
	}
	if (!ok) {
		unlink(target(w));
		return vy_reason_set(why, VY_R_IO, "cannot write %s: %s", w->path, strerror(e));
	}
	return sync_dir(w->path, why);
}

/* One buffer into a new or replaced file. */
static vy_rc write_whole(const char *path, unsigned mode, vy_file_how how, const void *buf, size_t len,
			 vy_reason *why)
{
	vy_file_writer w;
	vy_rc rc = vy_file_writer_open(&w, path, mode, how, why);

	if (rc != VY_R_OK)
		return rc;
	if (len > 0 && fwrite(buf, 1, len, w.f) != len) {
		int e = errno;

		vy_file_writer_abort(&w);
		return vy_reason_set(why, VY_R_IO, "cannot write %s: %s", path, strerror(e));
	}
	return vy_file_writer_commit(&w, why);
}

vy_rc vy_file_create(const char *path, unsigned mode, const void *buf, size_t len, vy_reason *why)
{
	return write_whole(path, mode, VY_FILE_NEW, buf, len, why);
}

vy_rc vy_file_replace(const char *path, unsigned mode, const void *buf, size_t len, vy_reason *why)
{
	return write_whole(path, mode, VY_FILE_REPLACE, buf, len, why);
}
