/* Helpers shared by the tests. */
#ifndef VYTEST_H
#define VYTEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "crypto/vy_group.h"

/* The toy integer group p = 23, q = 11, g = 2: elements encode in one byte,
 * small enough to enumerate every element, scalar and challenge. */
#define VYTEST_TOY_P 23
#define VYTEST_TOY_Q 11
#define VYTEST_TOY_G 2
const vy_group *vytest_toy_group(void);

/* vy_init(), failing the test if it fails. */
void vytest_init(void);

/* Path of a file in the source tree (VY_SOURCE_DIR/rel) in a static buffer. */
const char *vytest_source_path(const char *rel);

/* Whole file into a malloc'd NUL-terminated buffer; fails the test if unreadable. */
char *vytest_read_file(const char *path, size_t *len);

/* Hex helpers: decode returns the number of bytes, or -1 on bad input. */
long vytest_unhex(uint8_t *out, size_t out_cap, const char *hex);
void vytest_hex(char *out, const uint8_t *in, size_t len); /* out: 2*len+1 bytes */

/* Run program with args (NULL-terminated, each quoted for the shell); its
 * stdout, and its stderr too when with_stderr, into out (NUL-terminated, at
 * most out_cap - 1 bytes). Returns the exit status; fails the test when the
 * program did not exit normally. */
int vytest_run(char *out, size_t out_cap, int with_stderr, const char *program, const char *const *args);

/* Run program with args (NULL-terminated; no shell), stdin from /dev/null:
 * its stdout into out and its stderr into err (each NUL-terminated, at most
 * cap - 1 bytes; NULL: discarded). Returns the exit status, or 128 + the
 * signal that ended it. */
int vytest_spawn(const char *program, const char *const *args, char *out, size_t out_cap, char *err,
		 size_t err_cap);

/* The program that runs args: cheat, the test-only build of a program
 * (tests/CMakeLists.txt), when one of args is an option of that build
 * (--test-...), else shipped. */
const char *vytest_program_for(const char *shipped, const char *cheat, const char *const *args);

/* Write len bytes to path, failing the test on any error. */
void vytest_write_file(const char *path, const uint8_t *b, size_t len);

/* Remove dir and everything in it (rm -rf), failing the test if that fails. */
void vytest_remove_dir(const char *dir);

/* One frame of a record file (specs/protocol.md §7.6): u32be(len) || b. */
void vytest_put_frame(FILE *f, const uint8_t *b, size_t len);

/* A trustee's message file (specs/trustee.md §5.2): fails the test unless
 * it has the magic and its length field is the rest of the file. Its entry
 * type into *type; its payload (malloc'd). */
uint8_t *vytest_trustee_msg(const char *path, uint32_t *type, size_t *len);

#endif
