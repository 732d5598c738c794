/*
 * test_ffi.h: the harness that the files of test_ffi share (test_ffi.c
 * defines it and holds main; test_ffi_model.c and test_ffi_files.c hold
 * test groups). Not a public header: only test_ffi's sources include it.
 */
#ifndef W2V_TEST_FFI_H
#define W2V_TEST_FFI_H

#include <stddef.h>

#include "w2v.h"

/* ------------------------------------------------------------------------ */
/* Checks (test_ffi.c). */

extern char g_marker[256]; /* the message prime() leaves */

/* Counts one check; prints it if it failed (or with -v). */
void check_(int ok, int line, const char *what);

#define CHECK(cond) check_((cond) != 0, __LINE__, #cond)

/* Leave a known message in this thread's slot (an invalid SIMD level), so
 * that a check can tell a fresh message from a stale one. */
void prime(void);

/* `got` must be `want` (or, unless --strict, the known deviation `known`,
 * -1 for none); a failure must leave a fresh non-empty message containing
 * `needle` (NULL: any). Returns whether the check passed. */
int expect_(enum W2vStatus got, enum W2vStatus want, int known, const char *needle, const char *note, int line,
            const char *call);

/* The call must return `want` with a fresh message mentioning `needle`. */
#define EXPECT(call, want, needle)                                                   \
    do {                                                                             \
        enum W2vStatus expect_status_;                                               \
        prime();                                                                     \
        expect_status_ = (call);                                                     \
        expect_(expect_status_, (want), -1, (needle), NULL, __LINE__, #call);        \
    } while (0)

/* As EXPECT, with a known deviation `known` (reported, not failed). */
#define EXPECT_KNOWN(call, want, known, needle, note)                                \
    do {                                                                             \
        enum W2vStatus expect_status_;                                               \
        prime();                                                                     \
        expect_status_ = (call);                                                     \
        expect_(expect_status_, (want), (int)(known), (needle), (note), __LINE__, #call); \
    } while (0)

#define OK(call) EXPECT(call, W2V_STATUS_OK, NULL)

/* Prints a section title. */
void section(const char *name);

/* Send this process's standard error (fd 2) to a file in the test directory
 * until stderr_end(), which restores it and returns the number of bytes
 * written meanwhile (printing them to stdout, so that a failure shows them);
 * -1 if the redirection failed. One redirection at a time. */
void stderr_begin(void);
long stderr_end(void);

/* Sentinels for out-parameters: a failing call must not touch them. */
#define SIZE_SENT ((size_t)0x5A5A5A5Au)
#define FLOAT_SENT (-4242.5f)
union sentinel_target {
    long double ld;
    long long ll;
    void *p;
};
extern union sentinel_target g_dummy; /* sentinel pointers point here: suitably aligned, never dereferenced */
#define MODEL_SENT ((W2vModel *)(void *)&g_dummy)
#define OPTIONS_SENT ((W2vTrainOptions *)(void *)&g_dummy)
#define FPTR_SENT ((const float *)(const void *)&g_dummy)

extern const char BAD_UTF8[]; /* "\xff\xfe" */

/* ------------------------------------------------------------------------ */
/* Files (test_ffi.c). */

extern char g_dir[256]; /* the test directory */

/* A path in the test directory, removed at the end. */
const char *path_in(const char *name);
int write_file(const char *path, const void *data, size_t len);
/* The file's bytes (malloc'd, *len set), or NULL. */
unsigned char *read_file(const char *path, size_t *len);
int exists(const char *path);

/* ------------------------------------------------------------------------ */
/* A small corpus: sentences over a few words, some of them non-ASCII
 * (test_ffi.c). */

#define NWORDS ((size_t)20)
extern const char *const WORDS[NWORDS];

/* `sentences` lines of 8 words (malloc'd, NUL-terminated, *len set), or NULL. */
char *make_corpus(size_t sentences, size_t *len);
/* Skip-gram, dim 16, one thread, seed 7 (NULL on failure). */
W2vTrainOptions *small_options(void);

/* ------------------------------------------------------------------------ */
/* The test groups that main calls, in this order (test_ffi.c runs the
 * others: version, messages, status and SIMD level names, SIMD levels,
 * kernels). */

/* test_ffi_model.c */
void test_options(void);
W2vModel *test_training(void); /* a trained model (dim 16) or NULL */
void test_model(const char *what, const W2vModel *m);

/* test_ffi_files.c */
W2vModel *test_files(const W2vModel *model); /* the native file, mapped (or NULL) */
void test_eval(const W2vModel *m);
void test_control_bytes(const W2vModel *m); /* NUL and control bytes in model files, corpora, query words */

/* test_ffi_search.c */
void test_searcher(const W2vModel *trained); /* the neighbour index and W2vSearcher */

#endif /* W2V_TEST_FFI_H */
