/*
 * Storage faults for tests/test_board_faults.c, loaded into a real
 * vybar-board with LD_PRELOAD (the board has no test-only code). While the
 * file named by VYTEST_EIO_FILE exists, calls on regular files fail with
 * EIO, as a failing disk would:
 *   the file holds "sync"   fsync and fdatasync fail (the data was handed
 *                           to the kernel, its flush failed: it may still
 *                           reach the disk, as after a real EIO);
 *   the file holds "write"  pwrite and pwrite64 fail (nothing written).
 * Sockets, pipes and terminals are never touched. The real calls are made
 * with syscall(2), so nothing here needs the dynamic loader.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define MODE_BYTES 16

/* The control file's mode ("sync", "write"), or "" when there is none. */
static void fault_mode(char mode[MODE_BYTES])
{
	const char *path = getenv("VYTEST_EIO_FILE");
	ssize_t n = 0;
	int fd;

	mode[0] = '\0';
	if (path == NULL)
		return;
	fd = (int)syscall(SYS_openat, AT_FDCWD, path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	n = (ssize_t)syscall(SYS_read, fd, mode, MODE_BYTES - 1);
	syscall(SYS_close, fd);
	mode[n > 0 ? n : 0] = '\0';
	mode[strcspn(mode, "\r\n")] = '\0';
}

/* Fail this call: the fault is `want` and fd is a regular file. */
static int faulty(int fd, const char *want)
{
	char mode[MODE_BYTES];
	struct stat sb;

	fault_mode(mode);
	if (strcmp(mode, want) != 0 || fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode))
		return 0;
	errno = EIO;
	return 1;
}

int fsync(int fd);
int fdatasync(int fd);
ssize_t pwrite(int fd, const void *buf, size_t n, off_t off);
ssize_t pwrite64(int fd, const void *buf, size_t n, off_t off);

int fsync(int fd)
{
	if (faulty(fd, "sync"))
		return -1;
	return (int)syscall(SYS_fsync, fd);
}

int fdatasync(int fd)
{
	if (faulty(fd, "sync"))
		return -1;
	return (int)syscall(SYS_fdatasync, fd);
}

ssize_t pwrite(int fd, const void *buf, size_t n, off_t off)
{
	if (faulty(fd, "write"))
		return -1;
	return (ssize_t)syscall(SYS_pwrite64, fd, buf, n, off);
}

ssize_t pwrite64(int fd, const void *buf, size_t n, off_t off)
{
	return pwrite(fd, buf, n, off);
}
