/*
 * A main() for a fuzz harness built without libFuzzer: feeds every file of
 * the directories (or files) named on the command line to
 * LLVMFuzzerTestOneInput, then every prefix of it, so the corpus is
 * replayed in ctest (tests/fuzz/fuzz.cmake). Exits non-zero if a path
 * cannot be read or holds no input.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define PATH_BYTES 4096
#define MAX_PREFIXES 256 /* prefixes of one input that are replayed */

/* Replay one file and its prefixes. 0 on success, -1 if unreadable. */
static int replay_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	long len;
	size_t step;

	if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (len = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
		if (f != NULL)
			fclose(f);
		perror(path);
		return -1;
	}
	buf = malloc((size_t)len + 1);
	if (buf == NULL || fread(buf, 1, (size_t)len, f) != (size_t)len) {
		fclose(f);
		free(buf);
		perror(path);
		return -1;
	}
	fclose(f);
	LLVMFuzzerTestOneInput(buf, (size_t)len);
	step = (size_t)len / MAX_PREFIXES + 1;
	for (size_t n = 0; n < (size_t)len; n += step)
		LLVMFuzzerTestOneInput(buf, n);
	free(buf);
	return 0;
}

/* Replay every regular entry of a directory; the count in *files. */
static int replay_dir(const char *dir, size_t *files)
{
	char path[PATH_BYTES];
	struct dirent *d;
	DIR *dp = opendir(dir);
	int rc = 0;

	if (dp == NULL) {
		/* not a directory: a single input */
		if (replay_file(dir) != 0)
			return -1;
		++*files;
		return 0;
	}
	while (rc == 0 && (d = readdir(dp)) != NULL) {
		int n;

		if (d->d_name[0] == '.')
			continue;
		n = snprintf(path, sizeof path, "%s/%s", dir, d->d_name);
		if (n < 0 || (size_t)n >= sizeof path) {
			rc = -1;
			break;
		}
		rc = replay_file(path);
		++*files;
	}
	closedir(dp);
	return rc;
}

int main(int argc, char **argv)
{
	size_t files = 0;

	for (int i = 1; i < argc; i++) {
		if (replay_dir(argv[i], &files) != 0)
			return 1;
	}
	printf("replayed %zu inputs\n", files);
	return files > 0 ? 0 : 1;
}
