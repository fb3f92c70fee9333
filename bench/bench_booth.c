/*
 * The booth's ballot time (bench/README.md): a 1-of-11 ballot encrypted,
 * proved and signed by the library natively, and by the booth's code under
 * Node.js compiled to WebAssembly (booth-node.js) and to plain JavaScript
 * (booth-node-nowasm.js, the fallback for browsers without WebAssembly),
 * and by the same two files in a web page in Debian's headless chromium
 * (run by
 * bench/booth_chromium.mjs; not run, saying why, without chromium or the
 * npm modules of tests/browser/): the same C (tests/browser/booth_fixed.c), the same election (the
 * fixtures' keys, one contest of 11 options, one trustee, open), medians
 * of REPS ballots with fresh randomness.
 *
 *   bench_booth [REPS]      (default 21; the fallback runs REPS / 4 + 1)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench/intake.h"
#include "tests/browser/booth_fixed.h"
#include "tests/support/protocol_fixtures.h"
#include "tests/support/vytest.h"

#define OPTIONS VYBENCH_OPTIONS
#define DEFAULT_REPS 21
#define MAX_REPS 1001
#define WASM_AIM_MS 100.0
#define FALLBACK_AIM_MS 2000.0
#define OUT_BYTES 4096

/* A fixture voter's CredentialFile plaintext (packed, malloc'd). */
static uint8_t *credential_pack(const vy_election *e, const vyf_voter *v, size_t *len)
{
	Vybar__Credential cr = VYBAR__CREDENTIAL__INIT;
	Vybar__CredentialFile f = VYBAR__CREDENTIAL_FILE__INIT;

	cr.public_key.data = (uint8_t *)v->pk;
	cr.public_key.len = sizeof v->pk;
	cr.randomizer.data = (uint8_t *)v->randomizer;
	cr.randomizer.len = sizeof v->randomizer;
	cr.signature.data = (uint8_t *)v->reg_sig;
	cr.signature.len = sizeof v->reg_sig;
	f.base_hash.data = (uint8_t *)e->base_hash;
	f.base_hash.len = VY_HASH_BYTES;
	f.secret_seed.data = (uint8_t *)v->sk; /* libsodium's sk: seed || pk */
	f.secret_seed.len = crypto_sign_SEEDBYTES;
	f.credential = &cr;
	return vy_msg_pack(&f, len);
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* bytes[0..len) into the file path. */
static void put_file(const char *path, const void *bytes, size_t len)
{
	FILE *f = fopen(path, "wb");

	if (f == NULL || fwrite(bytes, 1, len, f) != len || fclose(f) != 0) {
		fprintf(stderr, "bench_booth: cannot write %s\n", path);
		exit(1);
	}
}

#ifdef VYBENCH_BOOTH_BUILD
/* Run Node.js with args, whose answer is "MEDIAN FASTEST" in ms: the
 * median, the fastest in *fastest; or a negative number (printed why). */
static double node_times(const char *module, const char *const *args, double *fastest)
{
	char out[OUT_BYTES], err[OUT_BYTES];
	double median;

	if (vytest_spawn(VYBENCH_NODE, args, out, sizeof out, err, sizeof err) != 0) {
		printf("  %-38s failed: %s\n", module, err);
		return -1;
	}
	if (sscanf(out, "%lf %lf", &median, fastest) != 2) {
		printf("  %-38s failed: \"%s\"\n", module, out);
		return -1;
	}
	return median;
}
#endif

/* The booth's median under Node.js with module (a file of the booth's
 * build), its fastest in *fastest; or a negative number (printed why) if
 * it cannot run. */
static double node_median(const char *module, const char *record, const char *cred, const char *choices,
			  unsigned reps, double *fastest)
{
#ifdef VYBENCH_BOOTH_BUILD
	char path[512], count[16];
	const char *args[] = { VYBENCH_BOOTH_NODE_SCRIPT, path, "bench", record, cred, choices, count, NULL };

	snprintf(path, sizeof path, "%s/%s", VYBENCH_BOOTH_BUILD, module);
	snprintf(count, sizeof count, "%u", reps);
	if (access(VYBENCH_NODE, X_OK) != 0 || access(path, R_OK) != 0) {
		printf("  %-38s not run: no Node.js or no %s\n", module, path);
		return -1;
	}
	return node_times(module, args, fastest);
#else
	(void)record, (void)cred, (void)choices, (void)reps, (void)fastest;
	printf("  %-38s not run: the booth is not built (no emcc, or the sanitizer build)\n", module);
	return -1;
#endif
}

/* The booth's median in headless chromium with module (a file of the
 * booth's build), its fastest in *fastest; or a negative number (printed
 * why) if it cannot run. */
static double chromium_median(const char *module, const char *record, const char *cred, const char *choices,
			      unsigned reps, double *fastest)
{
#ifdef VYBENCH_BOOTH_BUILD
	char path[512], pw[512], count[16];
	const char *args[] = { VYBENCH_BOOTH_CHROMIUM_SCRIPT, VYBENCH_BROWSER_MODULES, VYBENCH_CHROMIUM, path,
			       record, cred, choices, count, NULL };

	snprintf(path, sizeof path, "%s/%s", VYBENCH_BOOTH_BUILD, module);
	snprintf(pw, sizeof pw, "%s/playwright-core", VYBENCH_BROWSER_MODULES);
	snprintf(count, sizeof count, "%u", reps);
	if (access(VYBENCH_NODE, X_OK) != 0 || access(path, R_OK) != 0) {
		printf("  %-38s not run: no Node.js or no %s\n", module, path);
		return -1;
	}
	if (access(VYBENCH_CHROMIUM, X_OK) != 0 || access(pw, R_OK) != 0) {
		printf("  %-38s not run: no chromium at %s or no %s (apt-get install chromium npm)\n", module,
		       VYBENCH_CHROMIUM, pw);
		return -1;
	}
	return node_times(module, args, fastest);
#else
	(void)record, (void)cred, (void)choices, (void)reps, (void)fastest;
	printf("  %-38s not run: the booth is not built (no emcc, or the sanitizer build)\n", module);
	return -1;
#endif
}

int main(int argc, char **argv)
{
	unsigned reps = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 10) : DEFAULT_REPS;
	char dir[] = "/tmp/vybar-bench-booth-XXXXXX", record[64], cred[64];
	char choices[2 * OPTIONS + 1] = "";
	uint32_t q[OPTIONS] = { 0 };
	double *times, native, wasm, js, fast;
	uint8_t *m, *c, *rec_bytes;
	size_t mlen, clen, rlen;
	vyf_record rec;
	vyf_keys k;
	vyf_voter v;
	vy_reason why;
	FILE *f;

	if (reps == 0 || reps > MAX_REPS) {
		fprintf(stderr, "usage: bench_booth [REPS] (1..%d)\n", MAX_REPS);
		return 2;
	}
	if (vy_init() != VY_OK || mkdtemp(dir) == NULL)
		return 1;
	snprintf(record, sizeof record, "%s/record.bin", dir);
	snprintf(cred, sizeof cred, "%s/credential.pb", dir);
	vyf_keys_init(&k, 1, 1);
	m = vybench_fixture_manifest_1_of_11(&k, &mlen);
	vyf_record_init_manifest(&rec, 1, 1, m, mlen);
	free(m);
	vyf_record_ceremony(&rec);
	vyf_voter_init(&v, &rec.st.election, "booth voter");
	c = credential_pack(&rec.st.election, &v, &clen);
	f = fopen(record, "wb");
	if (f == NULL || c == NULL)
		return 1;
	vyf_record_write(&rec, f);
	fclose(f);
	put_file(cred, c, clen);
	q[4] = 1;
	for (size_t i = 0; i < OPTIONS; i++)
		snprintf(choices + strlen(choices), sizeof choices - strlen(choices), "%s%u", i ? "," : "",
			 (unsigned)q[i]);

	/* native: the same C, the record read back from the file */
	times = calloc(reps, sizeof *times);
	f = fopen(record, "rb");
	rec_bytes = malloc(1u << 24);
	if (times == NULL || f == NULL || rec_bytes == NULL)
		return 1;
	rlen = fread(rec_bytes, 1, 1u << 24, f);
	fclose(f);
	if (booth_fixed_time(rec_bytes, rlen, c, clen, q, OPTIONS, now_ms, times, reps, &why) != VY_R_OK) {
		fprintf(stderr, "bench_booth: %s\n", why.msg);
		return 1;
	}
	qsort(times, reps, sizeof *times, cmp_double);
	native = (times[(reps - 1) / 2] + times[reps / 2]) / 2;

	printf("A 1-of-11 ballot encrypted, proved and signed (median of %u; fallback of %u):\n", reps, reps / 4 + 1);
	printf("  %-38s %9s %12s\n", "", "median", "fastest");
	printf("  %-38s %9.1f ms %9.1f ms\n", "native (the library)", native, times[0]);
	wasm = node_median("booth-node.js", record, cred, choices, reps, &fast);
	if (wasm >= 0)
		printf("  %-38s %9.1f ms %9.1f ms   (aim < %.0f ms)\n", "WebAssembly, Node.js", wasm, fast,
		       WASM_AIM_MS);
	js = node_median("booth-node-nowasm.js", record, cred, choices, reps / 4 + 1, &fast);
	if (js >= 0)
		printf("  %-38s %9.1f ms %9.1f ms   (aim < %.0f ms)\n", "fallback -sWASM=0, Node.js", js, fast,
		       FALLBACK_AIM_MS);
	wasm = chromium_median("booth-node.js", record, cred, choices, reps, &fast);
	if (wasm >= 0)
		printf("  %-38s %9.1f ms %9.1f ms   (aim < %.0f ms)\n", "WebAssembly, headless chromium", wasm, fast,
		       WASM_AIM_MS);
	js = chromium_median("booth-node-nowasm.js", record, cred, choices, reps / 4 + 1, &fast);
	if (js >= 0)
		printf("  %-38s %9.1f ms %9.1f ms   (aim < %.0f ms)\n", "fallback -sWASM=0, headless chromium", js,
		       fast, FALLBACK_AIM_MS);

	unlink(record);
	unlink(cred);
	rmdir(dir);
	sodium_memzero(c, clen);
	free(c);
	free(times);
	vyf_record_free(&rec);
	return 0;
}
