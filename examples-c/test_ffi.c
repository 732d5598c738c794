/*
 * test_ffi.c: a test of the w2v C API's error contract, function by
 * function (every function of w2v.h is called: see `make coverage-check`).
 *
 *   test_ffi [-v] [--strict]
 *
 * For every export: NULL for each pointer argument, zero-length and
 * too-small buffers (the size needed is reported through `needed`), invalid
 * UTF-8 words, unknown words, invalid enum values and parameters, a missing
 * file, corrupt and truncated model files, an empty corpus, cancellation.
 * Each failing call must return the documented status and leave a fresh,
 * non-empty message for w2v_last_error_message(); out-parameters must keep
 * the sentinels they were filled with. Successful calls are checked too.
 *
 * A few deviations of the library from what w2v.h documents are known
 * (listed as KNOWN ISSUE with the line); they are reported but do not fail
 * the run unless --strict is given. -v prints every check.
 *
 * Exit status: 0 if every check passed, 1 otherwise.
 */
#define _POSIX_C_SOURCE 200809L

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "w2v.h"

/* ------------------------------------------------------------------------ */
/* The harness. */

static int g_verbose, g_strict;
static int g_checks, g_failures, g_known;
static char g_marker[256]; /* the message prime() leaves */

static const char *status_name(int s)
{
    static const char *const names[] = {"OK", "INVALID_ARGUMENT", "NULL_POINTER", "INVALID_UTF8",
                                        "IO", "FORMAT", "UNSUPPORTED", "EMPTY", "NOT_FOUND",
                                        "BUFFER_TOO_SMALL", "CANCELLED", "PANIC", "OUT_OF_MEMORY"};
    return s >= 0 && s <= W2V_STATUS_OUT_OF_MEMORY ? names[s] : "(not a status)";
}

static void check_(int ok, int line, const char *what)
{
    g_checks++;
    if (!ok) {
        g_failures++;
        printf("FAIL  line %d: %s\n", line, what);
    } else if (g_verbose) {
        printf("ok    line %d: %s\n", line, what);
    }
}

#define CHECK(cond) check_((cond) != 0, __LINE__, #cond)

/* Leave a known message in this thread's slot (an invalid SIMD level), so
 * that a check can tell a fresh message from a stale one. */
static void prime(void)
{
    (void)w2v_simd_force(-777);
}

static int message(char *buf, size_t len)
{
    return w2v_last_error_message(buf, len, NULL) == W2V_STATUS_OK;
}

/* `got` must be `want` (or, unless --strict, the known deviation `known`,
 * -1 for none); a failure must leave a fresh non-empty message containing
 * `needle` (NULL: any). Returns whether the check passed. */
static int expect_(enum W2vStatus got, enum W2vStatus want, int known, const char *needle, const char *note,
                   int line, const char *call)
{
    char msg[1024] = "";
    int have_msg;
    g_checks++;
    if (got != want && (int)got == known && !g_strict) {
        g_known++;
        message(msg, sizeof msg);
        printf("KNOWN ISSUE line %d: %s\n      returns %s, w2v.h documents %s: %s\n      message: %s\n", line,
               call, status_name(got), status_name(want), note, got == W2V_STATUS_OK ? "(none)" : msg);
        return 1;
    }
    if (got != want) {
        g_failures++;
        message(msg, sizeof msg);
        printf("FAIL  line %d: %s\n      returned %s, expected %s (message: %s)\n", line, call, status_name(got),
               status_name(want), msg);
        return 0;
    }
    if (want == W2V_STATUS_OK) {
        if (g_verbose)
            printf("ok    line %d: %s -> OK\n", line, call);
        return 1;
    }
    have_msg = message(msg, sizeof msg);
    if (!have_msg || msg[0] == '\0' || strcmp(msg, g_marker) == 0 || (needle && !strstr(msg, needle))) {
        g_failures++;
        printf("FAIL  line %d: %s -> %s, but the message is %s%s%s\n", line, call, status_name(got),
               !have_msg ? "unreadable" : msg[0] == '\0' ? "empty" : strcmp(msg, g_marker) == 0 ? "stale: " : "\"",
               have_msg ? msg : "", needle && have_msg && strcmp(msg, g_marker) != 0 ? "\" (lacks the name)" : "");
        if (needle)
            printf("      expected it to mention %s\n", needle);
        return 0;
    }
    if (g_verbose)
        printf("ok    line %d: %s -> %s: %s\n", line, call, status_name(got), msg);
    return 1;
}

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

static void section(const char *name)
{
    printf("-- %s\n", name);
}

/* Sentinels for out-parameters: a failing call must not touch them. */
#define SIZE_SENT ((size_t)0x5A5A5A5Au)
#define FLOAT_SENT (-4242.5f)
static union {
    long double ld;
    long long ll;
    void *p;
} g_dummy; /* sentinel pointers point here: suitably aligned, never dereferenced */
#define MODEL_SENT ((W2vModel *)(void *)&g_dummy)
#define OPTIONS_SENT ((W2vTrainOptions *)(void *)&g_dummy)
#define FPTR_SENT ((const float *)(const void *)&g_dummy)

static const char BAD_UTF8[] = "\xff\xfe";

/* ------------------------------------------------------------------------ */
/* Files. */

static char g_dir[256];
static char g_paths[64][320];
static int g_npaths;

/* A path in the test directory, removed at the end. */
static const char *path_in(const char *name)
{
    char *p = g_paths[g_npaths++];
    snprintf(p, sizeof g_paths[0], "%s/%s", g_dir, name);
    return p;
}

static int write_file(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    int ok = f && fwrite(data, 1, len, f) == len;
    if (f && fclose(f) != 0)
        ok = 0;
    return ok;
}

static unsigned char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    unsigned char *data = NULL;
    long n;
    if (!f)
        return NULL;
    if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
        (data = malloc((size_t)n + 1)) != NULL && fread(data, 1, (size_t)n, f) == (size_t)n) {
        *len = (size_t)n;
    } else {
        free(data);
        data = NULL;
    }
    fclose(f);
    return data;
}

static int exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

/* ------------------------------------------------------------------------ */
/* A small corpus: sentences over a few words, some of them non-ASCII. */

static const char *const WORDS[] = {"the", "king", "queen", "man", "woman", "prince", "princess", "boy",
                                    "girl", "café", "naïve", "日本", "dog", "cat", "paris", "france",
                                    "rome", "italy", "river", "town"};
#define NWORDS (sizeof WORDS / sizeof WORDS[0])

static char *make_corpus(size_t sentences, size_t *len)
{
    size_t cap = sentences * 8 * 16 + 1, used = 0, s, w;
    unsigned state = 2024u;
    char *text = malloc(cap);
    if (!text)
        return NULL;
    for (s = 0; s < sentences; s++) {
        for (w = 0; w < 8; w++) {
            const char *word;
            state = state * 1103515245u + 12345u;
            word = WORDS[(state >> 16) % NWORDS];
            used += (size_t)sprintf(text + used, "%s%s", w ? " " : "", word);
        }
        text[used++] = '\n';
    }
    text[used] = '\0';
    *len = used;
    return text;
}

static W2vTrainOptions *small_options(void)
{
    W2vTrainOptions *o = NULL;
    if (w2v_train_options_new(&o) != W2V_STATUS_OK)
        return NULL;
    if (w2v_train_options_set_model(o, W2V_MODEL_KIND_SGNS) || w2v_train_options_set_dim(o, 16) ||
        w2v_train_options_set_window(o, 3) || w2v_train_options_set_negative(o, 3) ||
        w2v_train_options_set_sample(o, 0.0) || w2v_train_options_set_min_count(o, 1) ||
        w2v_train_options_set_epochs(o, 2) || w2v_train_options_set_threads(o, 1) ||
        w2v_train_options_set_seed(o, 7)) {
        w2v_train_options_free(o);
        return NULL;
    }
    return o;
}

/* ------------------------------------------------------------------------ */
/* Version and messages. */

static void test_version(void)
{
    char expected[64];
    section("version");
    CHECK(w2v_version_major() == W2V_VERSION_MAJOR);
    CHECK(w2v_version_minor() == W2V_VERSION_MINOR);
    CHECK(w2v_version_patch() == W2V_VERSION_PATCH);
    snprintf(expected, sizeof expected, "%d.%d.%d", W2V_VERSION_MAJOR, W2V_VERSION_MINOR, W2V_VERSION_PATCH);
    CHECK(w2v_version() != NULL && strcmp(w2v_version(), expected) == 0);
}

/* Run first: no call has failed yet on this thread. */
static void test_initial_message(void)
{
    char buf[16];
    size_t needed = SIZE_SENT;
    section("w2v_last_error_message before any failure");
    memset(buf, 'Z', sizeof buf);
    CHECK(w2v_last_error_message(buf, sizeof buf, &needed) == W2V_STATUS_OK);
    CHECK(buf[0] == '\0' && needed == 1);
}

static void test_message_buffers(void)
{
    char buf[256], before[256];
    size_t needed, len;
    section("w2v_last_error_message buffers");
    prime();
    len = strlen(g_marker) + 1;
    needed = SIZE_SENT;
    CHECK(w2v_last_error_message(NULL, 0, &needed) == W2V_STATUS_BUFFER_TOO_SMALL && needed == len);
    CHECK(w2v_last_error_message(NULL, 0, NULL) == W2V_STATUS_BUFFER_TOO_SMALL);
    needed = SIZE_SENT;
    CHECK(w2v_last_error_message(NULL, sizeof buf, &needed) == W2V_STATUS_BUFFER_TOO_SMALL && needed == len);
    memset(buf, 'Z', sizeof buf);
    memcpy(before, buf, sizeof buf);
    needed = SIZE_SENT;
    CHECK(w2v_last_error_message(buf, 0, &needed) == W2V_STATUS_BUFFER_TOO_SMALL && needed == len);
    CHECK(w2v_last_error_message(buf, len - 1, &needed) == W2V_STATUS_BUFFER_TOO_SMALL && needed == len);
    CHECK(memcmp(buf, before, sizeof buf) == 0); /* a too-small buffer is not written */
    needed = SIZE_SENT;
    CHECK(w2v_last_error_message(buf, len, &needed) == W2V_STATUS_OK && needed == len);
    CHECK(strcmp(buf, g_marker) == 0);
    CHECK(buf[len] == 'Z'); /* nothing written past the NUL */
    /* Its own failures do not replace the message. */
    CHECK(w2v_last_error_message(buf, sizeof buf, NULL) == W2V_STATUS_OK && strcmp(buf, g_marker) == 0);
}

/* Messages are per thread. */
struct thread_result {
    int initial_ok, fresh_ok, status_ok;
};

static void *thread_body(void *arg)
{
    struct thread_result *r = arg;
    char buf[256];
    size_t needed = SIZE_SENT, n = SIZE_SENT;
    r->initial_ok = w2v_last_error_message(buf, sizeof buf, &needed) == W2V_STATUS_OK && buf[0] == '\0' &&
                    needed == 1;
    r->status_ok = w2v_model_vocab_size(NULL, &n) == W2V_STATUS_NULL_POINTER && n == SIZE_SENT;
    r->fresh_ok = message(buf, sizeof buf) && strstr(buf, "`model`") != NULL;
    return NULL;
}

static void test_thread_messages(void)
{
    pthread_t t;
    struct thread_result r = {0, 0, 0};
    char buf[256];
    section("per-thread messages");
    prime();
    CHECK(pthread_create(&t, NULL, thread_body, &r) == 0 && pthread_join(t, NULL) == 0);
    CHECK(r.initial_ok); /* a new thread starts with an empty message, not this thread's */
    CHECK(r.status_ok);
    CHECK(r.fresh_ok);
    CHECK(message(buf, sizeof buf) && strcmp(buf, g_marker) == 0); /* this thread's is unchanged */
}

/* ------------------------------------------------------------------------ */
/* Training options. */

static void test_options(void)
{
    W2vTrainOptions *o = OPTIONS_SENT;
    section("training options");
    EXPECT(w2v_train_options_new(NULL), W2V_STATUS_NULL_POINTER, "`out`");
    w2v_train_options_free(NULL); /* ignored */
    check_(1, __LINE__, "w2v_train_options_free(NULL) returns");
    OK(w2v_train_options_new(&o));
    CHECK(o != NULL && o != OPTIONS_SENT);

    /* NULL options, for every setter. */
    EXPECT(w2v_train_options_set_model(NULL, W2V_MODEL_KIND_SGNS), W2V_STATUS_NULL_POINTER, "`options`");
    EXPECT(w2v_train_options_set_loss(NULL, W2V_LOSS_NS), W2V_STATUS_NULL_POINTER, "`options`");
    EXPECT(w2v_train_options_set_dim(NULL, 10), W2V_STATUS_NULL_POINTER, "`options`");
    EXPECT(w2v_train_options_set_window(NULL, 5), W2V_STATUS_NULL_POINTER, "`options`");
    EXPECT(w2v_train_options_set_negative(NULL, 5), W2V_STATUS_NULL_POINTER, "`options`");
    EXPECT(w2v_train_options_set_sample(NULL, 1e-3), W2V_STATUS_NULL_POINTER, "`options`");
    EXPECT(w2v_train_options_set_min_count(NULL, 5), W2V_STATUS_NULL_POINTER, "`options`");
    EXPECT(w2v_train_options_set_max_vocab(NULL, 0), W2V_STATUS_NULL_POINTER, "`options`");
    EXPECT(w2v_train_options_set_epochs(NULL, 5), W2V_STATUS_NULL_POINTER, "`options`");
    EXPECT(w2v_train_options_set_lr(NULL, 0.025), W2V_STATUS_NULL_POINTER, "`options`");
    EXPECT(w2v_train_options_set_threads(NULL, 1), W2V_STATUS_NULL_POINTER, "`options`");
    EXPECT(w2v_train_options_set_seed(NULL, 1), W2V_STATUS_NULL_POINTER, "`options`");
    EXPECT(w2v_train_options_set_cbow_mean(NULL, true), W2V_STATUS_NULL_POINTER, "`options`");

    /* Invalid enum values and out-of-range parameters. */
    EXPECT(w2v_train_options_set_model(o, 2), W2V_STATUS_INVALID_ARGUMENT, "2");
    EXPECT(w2v_train_options_set_model(o, -1), W2V_STATUS_INVALID_ARGUMENT, "-1");
    EXPECT(w2v_train_options_set_loss(o, 2), W2V_STATUS_INVALID_ARGUMENT, "2");
    EXPECT(w2v_train_options_set_loss(o, -5), W2V_STATUS_INVALID_ARGUMENT, "-5");
    EXPECT(w2v_train_options_set_dim(o, 0), W2V_STATUS_INVALID_ARGUMENT, "dimension");
    EXPECT(w2v_train_options_set_window(o, 0), W2V_STATUS_INVALID_ARGUMENT, "window");
    EXPECT(w2v_train_options_set_negative(o, 0), W2V_STATUS_INVALID_ARGUMENT, "negative");
    EXPECT(w2v_train_options_set_sample(o, -1.0), W2V_STATUS_INVALID_ARGUMENT, "sample");
    EXPECT(w2v_train_options_set_sample(o, NAN), W2V_STATUS_INVALID_ARGUMENT, "sample");
    EXPECT(w2v_train_options_set_epochs(o, 0), W2V_STATUS_INVALID_ARGUMENT, "epochs");
    EXPECT(w2v_train_options_set_lr(o, -0.5), W2V_STATUS_INVALID_ARGUMENT, "learning rate");
    EXPECT(w2v_train_options_set_lr(o, NAN), W2V_STATUS_INVALID_ARGUMENT, "learning rate");
    EXPECT(w2v_train_options_set_threads(o, 0), W2V_STATUS_INVALID_ARGUMENT, "threads");

    /* Valid values. */
    OK(w2v_train_options_set_model(o, W2V_MODEL_KIND_CBOW));
    OK(w2v_train_options_set_loss(o, W2V_LOSS_HS));
    OK(w2v_train_options_set_negative(o, 0)); /* no negatives with hierarchical softmax */
    /* Back to negative sampling with 0 negatives: invalid, options unchanged. */
    EXPECT(w2v_train_options_set_loss(o, W2V_LOSS_NS), W2V_STATUS_INVALID_ARGUMENT, "negative");
    OK(w2v_train_options_set_negative(o, 5));
    OK(w2v_train_options_set_loss(o, W2V_LOSS_NS));
    OK(w2v_train_options_set_max_vocab(o, 0)); /* no limit */
    OK(w2v_train_options_set_max_vocab(o, 1000));
    OK(w2v_train_options_set_min_count(o, 0));
    OK(w2v_train_options_set_seed(o, UINT64_MAX));
    OK(w2v_train_options_set_cbow_mean(o, false));
    OK(w2v_train_options_set_lr(o, 0.0)); /* the model's default */
    w2v_train_options_free(o);
}

/* ------------------------------------------------------------------------ */
/* Training. */

struct progress_log {
    unsigned calls;
    int cancel; /* return non-zero at the first call */
    int bad_user_data, bad_values, wrong_thread;
    double last_fraction;
    pthread_t caller;
    struct progress_log *self;
};

static int on_progress(double fraction, double words_per_sec, double loss, void *user_data)
{
    struct progress_log *p = user_data;
    if (p == NULL || p->self != p)
        return 0;
    p->calls++;
    if (!(fraction >= 0.0 && fraction <= 1.0 && fraction >= p->last_fraction) || !(words_per_sec >= 0.0) ||
        !isfinite(loss))
        p->bad_values++;
    if (!pthread_equal(pthread_self(), p->caller))
        p->wrong_thread++;
    p->last_fraction = fraction;
    return p->cancel;
}

static void progress_init(struct progress_log *p, int cancel)
{
    memset(p, 0, sizeof *p);
    p->cancel = cancel;
    p->caller = pthread_self();
    p->self = p;
}

/* Returns a trained model (dim 16) or NULL. */
static W2vModel *test_training(void)
{
    W2vTrainOptions *o = small_options();
    W2vModel *m = MODEL_SENT, *model = NULL;
    struct progress_log log;
    size_t len, big_len, dim = SIZE_SENT;
    char *text = make_corpus(300, &len), *big = make_corpus(1500, &big_len); /* 12,000 words */
    const char *empty_file = path_in("empty.txt"), *corpus_file = path_in("corpus.txt");

    section("training");
    CHECK(o != NULL && text != NULL && big != NULL);
    if (!o || !text || !big)
        return NULL;
    CHECK(write_file(empty_file, "", 0));
    CHECK(write_file(corpus_file, text, len));

    /* NULL pointers. */
    EXPECT(w2v_train_buffer(NULL, text, len, NULL, NULL, &m), W2V_STATUS_NULL_POINTER, "`options`");
    EXPECT(w2v_train_buffer(o, NULL, len, NULL, NULL, &m), W2V_STATUS_NULL_POINTER, "`text`");
    EXPECT(w2v_train_buffer(o, text, len, NULL, NULL, NULL), W2V_STATUS_NULL_POINTER, "`out`");
    EXPECT(w2v_train_file(NULL, corpus_file, NULL, NULL, &m), W2V_STATUS_NULL_POINTER, "`options`");
    EXPECT(w2v_train_file(o, NULL, NULL, NULL, &m), W2V_STATUS_NULL_POINTER, "`corpus_path`");
    EXPECT(w2v_train_file(o, corpus_file, NULL, NULL, NULL), W2V_STATUS_NULL_POINTER, "`out`");
    CHECK(m == MODEL_SENT);

    /* Empty corpora, a corpus of rare words, missing and unreadable files. */
    EXPECT(w2v_train_buffer(o, text, 0, NULL, NULL, &m), W2V_STATUS_EMPTY, NULL);
    EXPECT(w2v_train_buffer(o, "", 0, NULL, NULL, &m), W2V_STATUS_EMPTY, NULL);
    EXPECT(w2v_train_buffer(o, " \n\t \n", 5, NULL, NULL, &m), W2V_STATUS_EMPTY, NULL);
    OK(w2v_train_options_set_min_count(o, 5));
    EXPECT(w2v_train_buffer(o, "a b c\nd e f\n", 12, NULL, NULL, &m), W2V_STATUS_EMPTY, NULL);
    OK(w2v_train_options_set_min_count(o, 1));
    EXPECT(w2v_train_buffer(o, "ab \xff\xfe cd\n", 10, NULL, NULL, &m), W2V_STATUS_FORMAT, "UTF-8");
    EXPECT(w2v_train_file(o, empty_file, NULL, NULL, &m), W2V_STATUS_EMPTY, NULL);
    EXPECT(w2v_train_file(o, path_in("no-such-corpus.txt"), NULL, NULL, &m), W2V_STATUS_IO, "no-such-corpus");
    EXPECT(w2v_train_file(o, BAD_UTF8, NULL, NULL, &m), W2V_STATUS_INVALID_UTF8, "`corpus_path`");
    EXPECT_KNOWN(w2v_train_file(o, g_dir, NULL, NULL, &m), W2V_STATUS_IO, W2V_STATUS_INVALID_ARGUMENT, NULL,
                 "a directory as corpus is INVALID_ARGUMENT, as model (w2v_model_load) it is IO");
    CHECK(m == MODEL_SENT);

    /* Cancellation: the callback stops at its first call (after 10,000
     * words with one thread); no model is created. */
    OK(w2v_train_options_set_epochs(o, 1));
    progress_init(&log, 1);
    EXPECT(w2v_train_buffer(o, big, big_len, on_progress, &log, &m), W2V_STATUS_CANCELLED, "cancel");
    CHECK(m == MODEL_SENT);
    CHECK(log.calls == 1);

    /* Progress: in [0, 1], non-decreasing, ending at 1, with our user_data,
     * on this thread (also with two worker threads). */
    OK(w2v_train_options_set_epochs(o, 2));
    progress_init(&log, 0);
    OK(w2v_train_buffer(o, big, big_len, on_progress, &log, &model));
    CHECK(log.calls >= 2 && log.last_fraction == 1.0 && log.bad_values == 0 && log.wrong_thread == 0);
    w2v_model_free(model);
    model = NULL;
    OK(w2v_train_options_set_threads(o, 2));
    progress_init(&log, 0);
    OK(w2v_train_buffer(o, big, big_len, on_progress, &log, &model));
    CHECK(log.calls >= 1 && log.last_fraction == 1.0 && log.bad_values == 0 && log.wrong_thread == 0);
    w2v_model_free(model);
    model = NULL;
    OK(w2v_train_options_set_threads(o, 1));
    OK(w2v_train_options_set_epochs(o, 2));

    /* A failed setter leaves the options unchanged: the dimension stays 16. */
    EXPECT(w2v_train_options_set_dim(o, 0), W2V_STATUS_INVALID_ARGUMENT, NULL);
    OK(w2v_train_file(o, corpus_file, NULL, NULL, &model));
    CHECK(model != NULL && model != MODEL_SENT);
    OK(w2v_model_dim(model, &dim));
    CHECK(dim == 16);
    w2v_model_free(model);

    /* The model the other tests use; also from a buffer that is not
     * NUL-terminated (the length counts). */
    model = NULL;
    text[len - 1] = 'X';
    OK(w2v_train_buffer(o, text, len - 1, NULL, NULL, &model));
    w2v_train_options_free(o);
    free(text);
    free(big);
    return model;
}

/* ------------------------------------------------------------------------ */
/* Model queries (run on a trained model and on a mapped one). */

static void test_model_info(const W2vModel *m, size_t *vocab_out, size_t *dim_out)
{
    size_t n = SIZE_SENT, d = SIZE_SENT;
    bool b;
    unsigned char bsent[sizeof b];
    memset(&b, 0x7B, sizeof b);
    memcpy(bsent, &b, sizeof b);

    EXPECT(w2v_model_vocab_size(NULL, &n), W2V_STATUS_NULL_POINTER, "`model`");
    EXPECT(w2v_model_vocab_size(m, NULL), W2V_STATUS_NULL_POINTER, "`out`");
    EXPECT(w2v_model_dim(NULL, &d), W2V_STATUS_NULL_POINTER, "`model`");
    EXPECT(w2v_model_dim(m, NULL), W2V_STATUS_NULL_POINTER, "`out`");
    EXPECT(w2v_model_is_mapped(NULL, &b), W2V_STATUS_NULL_POINTER, "`model`");
    EXPECT(w2v_model_is_mapped(m, NULL), W2V_STATUS_NULL_POINTER, "`out`");
    CHECK(n == SIZE_SENT && d == SIZE_SENT && memcmp(&b, bsent, sizeof b) == 0);
    OK(w2v_model_vocab_size(m, &n));
    OK(w2v_model_dim(m, &d));
    CHECK(n == NWORDS && d == 16);
    *vocab_out = n;
    *dim_out = d;
}

static void test_words(const W2vModel *m, size_t vocab)
{
    char buf[64], before[64];
    size_t needed = SIZE_SENT, idx = SIZE_SENT, cafe;

    /* w2v_model_word and the size-query protocol. */
    memset(buf, 'Z', sizeof buf);
    memcpy(before, buf, sizeof buf);
    EXPECT(w2v_model_word(NULL, 0, buf, sizeof buf, &needed), W2V_STATUS_NULL_POINTER, "`model`");
    EXPECT(w2v_model_word(m, vocab, buf, sizeof buf, &needed), W2V_STATUS_INVALID_ARGUMENT, "out of range");
    EXPECT(w2v_model_word(m, (size_t)-1, buf, sizeof buf, &needed), W2V_STATUS_INVALID_ARGUMENT, NULL);
    CHECK(needed == SIZE_SENT && memcmp(buf, before, sizeof buf) == 0);

    OK(w2v_model_index(m, "café", &cafe));
    EXPECT(w2v_model_word(m, cafe, NULL, 0, &needed), W2V_STATUS_BUFFER_TOO_SMALL, NULL);
    CHECK(needed == strlen("café") + 1); /* bytes, NUL included */
    needed = SIZE_SENT;
    EXPECT(w2v_model_word(m, cafe, buf, 0, &needed), W2V_STATUS_BUFFER_TOO_SMALL, NULL);
    CHECK(needed == strlen("café") + 1);
    EXPECT(w2v_model_word(m, cafe, buf, strlen("café"), &needed), W2V_STATUS_BUFFER_TOO_SMALL, NULL);
    EXPECT(w2v_model_word(m, cafe, NULL, sizeof buf, NULL), W2V_STATUS_BUFFER_TOO_SMALL, NULL);
    CHECK(memcmp(buf, before, sizeof buf) == 0);
    needed = SIZE_SENT;
    OK(w2v_model_word(m, cafe, buf, strlen("café") + 1, &needed));
    CHECK(strcmp(buf, "café") == 0 && needed == strlen("café") + 1 && buf[needed] == 'Z');
    OK(w2v_model_word(m, vocab - 1, buf, sizeof buf, NULL));

    /* w2v_model_index. */
    EXPECT(w2v_model_index(NULL, "king", &idx), W2V_STATUS_NULL_POINTER, "`model`");
    EXPECT(w2v_model_index(m, NULL, &idx), W2V_STATUS_NULL_POINTER, "`word`");
    EXPECT(w2v_model_index(m, "king", NULL), W2V_STATUS_NULL_POINTER, "`out`");
    EXPECT(w2v_model_index(m, BAD_UTF8, &idx), W2V_STATUS_INVALID_UTF8, "`word`");
    EXPECT(w2v_model_index(m, "emperor", &idx), W2V_STATUS_NOT_FOUND, "emperor");
    EXPECT(w2v_model_index(m, "", &idx), W2V_STATUS_NOT_FOUND, NULL);
    EXPECT(w2v_model_index(m, "KING", &idx), W2V_STATUS_NOT_FOUND, NULL); /* case-sensitive */
    CHECK(idx == SIZE_SENT);
    OK(w2v_model_index(m, "日本", &idx));
    OK(w2v_model_word(m, idx, buf, sizeof buf, NULL));
    CHECK(strcmp(buf, "日本") == 0);
}

static void test_vectors(const W2vModel *m, size_t vocab, size_t dim)
{
    float buf[64], before[64], other[64];
    const float *row = FPTR_SENT;
    size_t needed = SIZE_SENT, i, king;

    for (i = 0; i < 64; i++)
        buf[i] = FLOAT_SENT;
    memcpy(before, buf, sizeof buf);
    EXPECT(w2v_model_vector(NULL, "king", buf, 64, &needed), W2V_STATUS_NULL_POINTER, "`model`");
    EXPECT(w2v_model_vector(m, NULL, buf, 64, &needed), W2V_STATUS_NULL_POINTER, "`word`");
    EXPECT(w2v_model_vector(m, BAD_UTF8, buf, 64, &needed), W2V_STATUS_INVALID_UTF8, "`word`");
    EXPECT(w2v_model_vector(m, "emperor", buf, 64, &needed), W2V_STATUS_NOT_FOUND, "emperor");
    CHECK(needed == SIZE_SENT); /* nothing to report for an unknown word */
    EXPECT(w2v_model_vector(m, "king", NULL, 0, &needed), W2V_STATUS_BUFFER_TOO_SMALL, NULL);
    CHECK(needed == dim);
    needed = SIZE_SENT;
    EXPECT(w2v_model_vector(m, "king", buf, dim - 1, &needed), W2V_STATUS_BUFFER_TOO_SMALL, NULL);
    CHECK(needed == dim);
    EXPECT(w2v_model_vector(m, "king", buf, 0, NULL), W2V_STATUS_BUFFER_TOO_SMALL, NULL);
    CHECK(memcmp(buf, before, sizeof buf) == 0);
    needed = SIZE_SENT;
    OK(w2v_model_vector(m, "king", buf, 64, &needed));
    CHECK(needed == dim && buf[dim] == FLOAT_SENT); /* only `dim` floats written */

    /* w2v_model_vector_ptr: the same floats, borrowed. */
    OK(w2v_model_index(m, "king", &king));
    EXPECT(w2v_model_vector_ptr(NULL, king, &row), W2V_STATUS_NULL_POINTER, "`model`");
    EXPECT(w2v_model_vector_ptr(m, king, NULL), W2V_STATUS_NULL_POINTER, "`out`");
    EXPECT(w2v_model_vector_ptr(m, vocab, &row), W2V_STATUS_INVALID_ARGUMENT, "out of range");
    CHECK(row == FPTR_SENT);
    OK(w2v_model_vector_ptr(m, king, &row));
    CHECK(row != NULL && row != FPTR_SENT && memcmp(row, buf, dim * sizeof(float)) == 0);

    /* w2v_model_mean_vector. */
    {
        const char *words[3] = {"king", "emperor", "queen"};
        const char *bad[1] = {BAD_UTF8}, *nulls[1] = {NULL}, *unknown[2] = {"emperor", "kaiser"};
        const float weights[3] = {2.0f, 5.0f, 0.0f};
        size_t known = SIZE_SENT;
        double norm = 0.0;
        for (i = 0; i < 64; i++)
            other[i] = FLOAT_SENT;
        memcpy(before, other, sizeof other);
        EXPECT(w2v_model_mean_vector(NULL, words, 3, NULL, other, 64, &known), W2V_STATUS_NULL_POINTER, "`model`");
        EXPECT(w2v_model_mean_vector(m, NULL, 3, NULL, other, 64, &known), W2V_STATUS_NULL_POINTER, "`words`");
        EXPECT(w2v_model_mean_vector(m, nulls, 1, NULL, other, 64, &known), W2V_STATUS_NULL_POINTER, "`words[0]`");
        EXPECT(w2v_model_mean_vector(m, words, 3, NULL, NULL, 64, &known), W2V_STATUS_NULL_POINTER, "`out`");
        EXPECT(w2v_model_mean_vector(m, bad, 1, NULL, other, 64, &known), W2V_STATUS_INVALID_UTF8, "`words[0]`");
        EXPECT(w2v_model_mean_vector(m, unknown, 2, NULL, other, 64, &known), W2V_STATUS_NOT_FOUND, NULL);
        EXPECT(w2v_model_mean_vector(m, NULL, 0, NULL, other, 64, &known), W2V_STATUS_NOT_FOUND, NULL);
        EXPECT(w2v_model_mean_vector(m, words, 3, NULL, other, dim - 1, &known), W2V_STATUS_BUFFER_TOO_SMALL, NULL);
        EXPECT(w2v_model_mean_vector(m, words, 3, NULL, other, 0, NULL), W2V_STATUS_BUFFER_TOO_SMALL, NULL);
        CHECK(known == SIZE_SENT && memcmp(other, before, sizeof other) == 0);
        OK(w2v_model_mean_vector(m, words, 3, NULL, other, 64, &known));
        CHECK(known == 2 && other[dim] == FLOAT_SENT);
        /* Weights: king x2, the unknown word's 5 ignored, queen x0: the unit king vector. */
        OK(w2v_model_mean_vector(m, words, 3, weights, other, dim, NULL));
        for (i = 0; i < dim; i++)
            norm += (double)other[i] * other[i];
        CHECK(fabs(sqrt(norm) - 1.0) < 1e-4);
    }
}

static int descending(const float *s, size_t n)
{
    size_t i;
    for (i = 1; i < n; i++)
        if (!(s[i] <= s[i - 1]))
            return 0;
    return 1;
}

static int contains(const size_t *idx, size_t n, size_t v)
{
    size_t i;
    for (i = 0; i < n; i++)
        if (idx[i] == v)
            return 1;
    return 0;
}

static void test_queries(const W2vModel *m, size_t vocab, size_t dim)
{
    enum { K = 5 };
    size_t idx[64], found = SIZE_SENT, king, queen, man, i;
    float sc[64], cos = FLOAT_SENT, v[64];
    const char *pos[2] = {"king", "woman"}, *neg[1] = {"man"};
    const char *nulls[1] = {NULL}, *bad[1] = {BAD_UTF8}, *unknown[1] = {"emperor"};

    for (i = 0; i < 64; i++) {
        idx[i] = SIZE_SENT;
        sc[i] = FLOAT_SENT;
    }
    OK(w2v_model_index(m, "king", &king));
    OK(w2v_model_index(m, "queen", &queen));
    OK(w2v_model_index(m, "man", &man));

    /* w2v_model_most_similar. */
    EXPECT(w2v_model_most_similar(NULL, pos, 2, neg, 1, K, 0, idx, sc, &found), W2V_STATUS_NULL_POINTER, "`model`");
    EXPECT(w2v_model_most_similar(m, NULL, 2, neg, 1, K, 0, idx, sc, &found), W2V_STATUS_NULL_POINTER, "`positive`");
    EXPECT(w2v_model_most_similar(m, pos, 2, NULL, 1, K, 0, idx, sc, &found), W2V_STATUS_NULL_POINTER, "`negative`");
    EXPECT(w2v_model_most_similar(m, nulls, 1, NULL, 0, K, 0, idx, sc, &found), W2V_STATUS_NULL_POINTER,
           "`positive[0]`");
    EXPECT(w2v_model_most_similar(m, pos, 2, nulls, 1, K, 0, idx, sc, &found), W2V_STATUS_NULL_POINTER,
           "`negative[0]`");
    EXPECT(w2v_model_most_similar(m, pos, 2, neg, 1, K, 0, NULL, sc, &found), W2V_STATUS_NULL_POINTER, "`indices`");
    EXPECT(w2v_model_most_similar(m, pos, 2, neg, 1, K, 0, idx, NULL, &found), W2V_STATUS_NULL_POINTER, "`scores`");
    EXPECT(w2v_model_most_similar(m, pos, 2, neg, 1, K, 0, idx, sc, NULL), W2V_STATUS_NULL_POINTER, "`found`");
    EXPECT(w2v_model_most_similar(m, bad, 1, NULL, 0, K, 0, idx, sc, &found), W2V_STATUS_INVALID_UTF8,
           "`positive[0]`");
    EXPECT(w2v_model_most_similar(m, pos, 2, bad, 1, K, 0, idx, sc, &found), W2V_STATUS_INVALID_UTF8,
           "`negative[0]`");
    EXPECT(w2v_model_most_similar(m, unknown, 1, neg, 1, K, 0, idx, sc, &found), W2V_STATUS_NOT_FOUND, "emperor");
    EXPECT(w2v_model_most_similar(m, pos, 2, unknown, 1, K, 0, idx, sc, &found), W2V_STATUS_NOT_FOUND, "emperor");
    EXPECT_KNOWN(w2v_model_most_similar(m, NULL, 0, NULL, 0, K, 0, idx, sc, &found), W2V_STATUS_EMPTY,
                 W2V_STATUS_INVALID_ARGUMENT, NULL,
                 "W2V_STATUS_EMPTY is documented for \"a query has none\" (no words)");
    CHECK(found == SIZE_SENT && idx[0] == SIZE_SENT && sc[0] == FLOAT_SENT);

    OK(w2v_model_most_similar(m, pos, 2, neg, 1, K, 0, idx, sc, &found));
    CHECK(found == K && descending(sc, found) && idx[K] == SIZE_SENT && sc[K] == FLOAT_SENT);
    CHECK(!contains(idx, found, king) && !contains(idx, found, man)); /* query words excluded */
    OK(w2v_model_most_similar(m, pos, 1, NULL, 0, 64, 0, idx, sc, &found));
    CHECK(found == vocab - 1 && descending(sc, found)); /* k beyond the vocabulary: all but the query */
    OK(w2v_model_most_similar(m, pos, 1, NULL, 0, K, 4, idx, sc, &found));
    /* restrict_vocab 4: among the 4 most frequent words, the query word excluded. */
    CHECK(found == (king < 4 ? 3u : 4u) && idx[0] < 4 && idx[1] < 4 && idx[2] < 4);
    OK(w2v_model_most_similar(m, NULL, 0, neg, 1, K, 0, idx, sc, &found)); /* only negative words */
    found = SIZE_SENT;
    OK(w2v_model_most_similar(m, pos, 1, NULL, 0, 0, 0, NULL, NULL, &found)); /* k = 0: no arrays needed */
    CHECK(found == 0);

    /* w2v_model_analogy: man : king :: woman : ? */
    found = SIZE_SENT;
    EXPECT(w2v_model_analogy(NULL, "man", "king", "woman", 0, K, 0, idx, sc, &found), W2V_STATUS_NULL_POINTER,
           "`model`");
    EXPECT(w2v_model_analogy(m, NULL, "king", "woman", 0, K, 0, idx, sc, &found), W2V_STATUS_NULL_POINTER, "`a`");
    EXPECT(w2v_model_analogy(m, "man", NULL, "woman", 0, K, 0, idx, sc, &found), W2V_STATUS_NULL_POINTER, "`b`");
    EXPECT(w2v_model_analogy(m, "man", "king", NULL, 0, K, 0, idx, sc, &found), W2V_STATUS_NULL_POINTER, "`c`");
    EXPECT(w2v_model_analogy(m, "man", "king", "woman", 0, K, 0, NULL, sc, &found), W2V_STATUS_NULL_POINTER,
           "`indices`");
    EXPECT(w2v_model_analogy(m, "man", "king", "woman", 0, K, 0, idx, NULL, &found), W2V_STATUS_NULL_POINTER,
           "`scores`");
    EXPECT(w2v_model_analogy(m, "man", "king", "woman", 0, K, 0, idx, sc, NULL), W2V_STATUS_NULL_POINTER, "`found`");
    EXPECT(w2v_model_analogy(m, "man", "king", "woman", 2, K, 0, idx, sc, &found), W2V_STATUS_INVALID_ARGUMENT,
           "method");
    EXPECT(w2v_model_analogy(m, "man", "king", "woman", -1, K, 0, idx, sc, &found), W2V_STATUS_INVALID_ARGUMENT,
           "method");
    EXPECT(w2v_model_analogy(m, "man", BAD_UTF8, "woman", 0, K, 0, idx, sc, &found), W2V_STATUS_INVALID_UTF8, "`b`");
    EXPECT(w2v_model_analogy(m, "man", "king", "empress", 1, K, 0, idx, sc, &found), W2V_STATUS_NOT_FOUND,
           "empress");
    CHECK(found == SIZE_SENT);
    OK(w2v_model_analogy(m, "man", "king", "woman", W2V_ANALOGY_METHOD_ADD, K, 0, idx, sc, &found));
    CHECK(found == K && descending(sc, found) && !contains(idx, found, king) && !contains(idx, found, man));
    OK(w2v_model_analogy(m, "man", "king", "woman", W2V_ANALOGY_METHOD_MUL, K, 0, idx, sc, &found));
    CHECK(found == K && descending(sc, found) && !contains(idx, found, king) && !contains(idx, found, man));

    /* w2v_model_nearest: a word's own vector finds the word first. */
    OK(w2v_model_vector(m, "queen", v, 64, NULL));
    found = SIZE_SENT;
    EXPECT(w2v_model_nearest(NULL, v, dim, K, 0, idx, sc, &found), W2V_STATUS_NULL_POINTER, "`model`");
    EXPECT(w2v_model_nearest(m, NULL, dim, K, 0, idx, sc, &found), W2V_STATUS_NULL_POINTER, "`vector`");
    EXPECT(w2v_model_nearest(m, v, dim, K, 0, NULL, sc, &found), W2V_STATUS_NULL_POINTER, "`indices`");
    EXPECT(w2v_model_nearest(m, v, dim, K, 0, idx, NULL, &found), W2V_STATUS_NULL_POINTER, "`scores`");
    EXPECT(w2v_model_nearest(m, v, dim, K, 0, idx, sc, NULL), W2V_STATUS_NULL_POINTER, "`found`");
    EXPECT(w2v_model_nearest(m, v, dim - 1, K, 0, idx, sc, &found), W2V_STATUS_INVALID_ARGUMENT, "dimension");
    EXPECT(w2v_model_nearest(m, v, 0, K, 0, idx, sc, &found), W2V_STATUS_INVALID_ARGUMENT, "dimension");
    CHECK(found == SIZE_SENT);
    OK(w2v_model_nearest(m, v, dim, K, 0, idx, sc, &found));
    CHECK(found == K && idx[0] == queen && fabs(sc[0] - 1.0) < 1e-3 && descending(sc, found));

    /* w2v_model_similarity. */
    EXPECT(w2v_model_similarity(NULL, "king", "queen", &cos), W2V_STATUS_NULL_POINTER, "`model`");
    EXPECT(w2v_model_similarity(m, NULL, "queen", &cos), W2V_STATUS_NULL_POINTER, "`a`");
    EXPECT(w2v_model_similarity(m, "king", NULL, &cos), W2V_STATUS_NULL_POINTER, "`b`");
    EXPECT(w2v_model_similarity(m, "king", "queen", NULL), W2V_STATUS_NULL_POINTER, "`out`");
    EXPECT(w2v_model_similarity(m, BAD_UTF8, "queen", &cos), W2V_STATUS_INVALID_UTF8, "`a`");
    EXPECT(w2v_model_similarity(m, "king", "emperor", &cos), W2V_STATUS_NOT_FOUND, "emperor");
    CHECK(cos == FLOAT_SENT);
    OK(w2v_model_similarity(m, "king", "king", &cos));
    CHECK(fabs(cos - 1.0) < 1e-5);
    {
        float ab = 0, ba = 0;
        OK(w2v_model_similarity(m, "king", "queen", &ab));
        OK(w2v_model_similarity(m, "queen", "king", &ba));
        CHECK(ab == ba && ab >= -1.0f && ab <= 1.0f);
    }
}

static void test_model(const char *what, const W2vModel *m)
{
    size_t vocab = 0, dim = 0;
    char title[128];
    snprintf(title, sizeof title, "model queries (%s)", what);
    section(title);
    test_model_info(m, &vocab, &dim);
    if (vocab != NWORDS || dim != 16)
        return;
    test_words(m, vocab);
    test_vectors(m, vocab, dim);
    test_queries(m, vocab, dim);
}

/* ------------------------------------------------------------------------ */
/* Files: save, load, corrupt models. */

/* Load `path`, expecting `want` (known deviation `known`); a model loaded
 * by a known deviation is freed. */
#define EXPECT_LOAD(path, want, known, needle, note)                                          \
    do {                                                                                      \
        W2vModel *load_out_ = MODEL_SENT;                                                     \
        EXPECT_KNOWN(w2v_model_load((path), &load_out_), (want), (known), (needle), (note));  \
        if (load_out_ != MODEL_SENT && (want) != W2V_STATUS_OK)                               \
            w2v_model_free(load_out_);                                                        \
        CHECK(load_out_ == MODEL_SENT || (known) == W2V_STATUS_OK);                           \
    } while (0)

static W2vModel *test_files(const W2vModel *model)
{
    const char *native = path_in("model.w2v"), *binary = path_in("model.bin"), *text = path_in("model.txt");
    const char *garbage = path_in("garbage.bin"), *empty = path_in("empty.bin");
    const char *trunc_native = path_in("truncated.w2v"), *trunc_bin = path_in("truncated.bin");
    const char *bad_header = path_in("bad-header.w2v"), *magic_only = path_in("magic-only.w2v");
    const char *huge1 = path_in("huge-dim-1.bin"), *huge2 = path_in("huge-dim-2.bin");
    const char *not_saved = path_in("not-saved.bin");
    char missing_dir[320];
    W2vModel *m = MODEL_SENT, *mapped = NULL, *from_bin = NULL, *from_text = NULL;
    unsigned char *data;
    size_t len = 0, n, i, dim;
    bool is_mapped = false;
    const float *r1 = NULL, *r2 = NULL, *r3 = NULL, *r0 = NULL;
    static const char junk[] = "this is not a model\n\xff\xfe\x00\x01 garbage";
    static const char huge_dim_1[] = "2 9223372036854775808\na b \n";
    static const char huge_dim_2[] = "1 4611686018427387905\nab \x01\x02\x03\x04\x05\x06\n";

    section("save and load");
    snprintf(missing_dir, sizeof missing_dir, "%s/no-such-dir/model.bin", g_dir);
    EXPECT(w2v_model_save(NULL, native, W2V_FORMAT_NATIVE), W2V_STATUS_NULL_POINTER, "`model`");
    EXPECT(w2v_model_save(model, NULL, W2V_FORMAT_NATIVE), W2V_STATUS_NULL_POINTER, "`path`");
    EXPECT(w2v_model_save(model, not_saved, 3), W2V_STATUS_INVALID_ARGUMENT, "format");
    EXPECT(w2v_model_save(model, not_saved, -1), W2V_STATUS_INVALID_ARGUMENT, "format");
    EXPECT(w2v_model_save(model, BAD_UTF8, W2V_FORMAT_BINARY), W2V_STATUS_INVALID_UTF8, "`path`");
    EXPECT(w2v_model_save(model, missing_dir, W2V_FORMAT_BINARY), W2V_STATUS_IO, "no-such-dir");
    EXPECT(w2v_model_save(model, g_dir, W2V_FORMAT_BINARY), W2V_STATUS_IO, NULL); /* a directory */
    CHECK(!exists(not_saved) && !exists(missing_dir));
    OK(w2v_model_save(model, native, W2V_FORMAT_NATIVE));
    OK(w2v_model_save(model, binary, W2V_FORMAT_BINARY));
    OK(w2v_model_save(model, text, W2V_FORMAT_TEXT));

    EXPECT(w2v_model_load(NULL, &m), W2V_STATUS_NULL_POINTER, "`path`");
    EXPECT(w2v_model_load(native, NULL), W2V_STATUS_NULL_POINTER, "`out`");
    EXPECT(w2v_model_load(BAD_UTF8, &m), W2V_STATUS_INVALID_UTF8, "`path`");
    EXPECT(w2v_model_load(path_in("no-such-model.bin"), &m), W2V_STATUS_IO, "no-such-model");
    EXPECT(w2v_model_load(g_dir, &m), W2V_STATUS_IO, NULL);
    CHECK(m == MODEL_SENT);
    w2v_model_free(NULL); /* ignored */
    check_(1, __LINE__, "w2v_model_free(NULL) returns");

    /* The three formats hold the same model; only the native one is mapped. */
    OK(w2v_model_load(native, &mapped));
    OK(w2v_model_load(binary, &from_bin));
    OK(w2v_model_load(text, &from_text));
    if (!mapped || !from_bin || !from_text) {
        w2v_model_free(from_bin);
        w2v_model_free(from_text);
        return mapped;
    }
    OK(w2v_model_is_mapped(mapped, &is_mapped));
    CHECK(is_mapped);
    OK(w2v_model_is_mapped(from_bin, &is_mapped));
    CHECK(!is_mapped);
    OK(w2v_model_is_mapped(from_text, &is_mapped));
    CHECK(!is_mapped);
    OK(w2v_model_is_mapped(model, &is_mapped));
    CHECK(!is_mapped);
    OK(w2v_model_vocab_size(from_text, &n));
    OK(w2v_model_dim(from_text, &dim));
    CHECK(n == NWORDS && dim == 16);
    for (i = 0; i < n; i++) {
        char w0[64], w1[64], w2[64], w3[64];
        size_t k;
        OK(w2v_model_word(model, i, w0, sizeof w0, NULL));
        OK(w2v_model_word(mapped, i, w1, sizeof w1, NULL));
        OK(w2v_model_word(from_bin, i, w2, sizeof w2, NULL));
        OK(w2v_model_word(from_text, i, w3, sizeof w3, NULL));
        CHECK(strcmp(w0, w1) == 0 && strcmp(w0, w2) == 0 && strcmp(w0, w3) == 0);
        OK(w2v_model_vector_ptr(model, i, &r0));
        OK(w2v_model_vector_ptr(mapped, i, &r1));
        OK(w2v_model_vector_ptr(from_bin, i, &r2));
        OK(w2v_model_vector_ptr(from_text, i, &r3));
        CHECK(memcmp(r0, r1, dim * sizeof(float)) == 0 && memcmp(r0, r2, dim * sizeof(float)) == 0);
        for (k = 0; k < dim; k++)
            if (fabs(r3[k] - r0[k]) > 1e-5 * (1 + fabs(r0[k])))
                break;
        CHECK(k == dim); /* text: as printed, within rounding */
    }
    w2v_model_free(from_bin);
    w2v_model_free(from_text);

    section("corrupt and truncated model files");
    CHECK(write_file(garbage, junk, sizeof junk - 1));
    CHECK(write_file(empty, "", 0));
    EXPECT_LOAD(garbage, W2V_STATUS_FORMAT, -1, NULL, NULL);
    EXPECT_LOAD(empty, W2V_STATUS_FORMAT, -1, NULL, NULL);
    data = read_file(native, &len);
    CHECK(data != NULL && len > 64);
    if (data && len > 64) {
        CHECK(write_file(trunc_native, data, len / 2));
        EXPECT_LOAD(trunc_native, W2V_STATUS_FORMAT, -1, NULL, NULL);
        CHECK(write_file(trunc_native, data, len - 1));
        EXPECT_LOAD(trunc_native, W2V_STATUS_FORMAT, -1, NULL, NULL);
        CHECK(write_file(magic_only, data, 8));
        EXPECT_LOAD(magic_only, W2V_STATUS_FORMAT, -1, NULL, NULL);
        /* Header (src/format/native.rs): magic 0..8, version 8..12, flags, V 16..24,
         * D 24..32, sections 32..160, CRCs 160..192, residual 192..196,
         * header CRC 196..200. */
        data[17] ^= 0x01; /* V changed: the header CRC no longer matches */
        CHECK(write_file(bad_header, data, len));
        EXPECT_LOAD(bad_header, W2V_STATUS_FORMAT, -1, "checksum", NULL);
        data[17] ^= 0x01;
        data[197] ^= 0x40; /* the header CRC itself */
        CHECK(write_file(bad_header, data, len));
        EXPECT_LOAD(bad_header, W2V_STATUS_FORMAT, -1, "checksum", NULL);
        data[197] ^= 0x40;
        data[8] = 3; /* a newer format version */
        CHECK(write_file(bad_header, data, len));
        EXPECT_LOAD(bad_header, W2V_STATUS_UNSUPPORTED, -1, "version", NULL);
    }
    free(data);
    data = read_file(binary, &len);
    CHECK(data != NULL && len > 64);
    if (data && len > 64) {
        CHECK(write_file(trunc_bin, data, len / 2));
        EXPECT_LOAD(trunc_bin, W2V_STATUS_FORMAT, -1, NULL, NULL);
        CHECK(write_file(trunc_bin, data, len - 5));
        EXPECT_LOAD(trunc_bin, W2V_STATUS_FORMAT, -1, NULL, NULL);
    }
    free(data);
    /* word2vec headers whose sizes overflow: 4 * dim (or v * dim) wraps around. */
    CHECK(write_file(huge1, huge_dim_1, sizeof huge_dim_1 - 1));
    CHECK(write_file(huge2, huge_dim_2, sizeof huge_dim_2 - 1));
    EXPECT_LOAD(huge1, W2V_STATUS_FORMAT, W2V_STATUS_OK, NULL,
                "header `2 9223372036854775808` (4 * dim wraps to 0) loads as a 2-word model of dimension 2^63 "
                "with no vectors; its queries then panic");
    EXPECT_LOAD(huge2, W2V_STATUS_FORMAT, W2V_STATUS_PANIC, NULL,
                "header `1 4611686018427387905` (4 * dim wraps to 4) panics (capacity overflow) instead of FORMAT");
    return mapped;
}

/* ------------------------------------------------------------------------ */
/* Evaluation. */

static void test_eval(const W2vModel *m)
{
    const char *questions = path_in("questions.txt"), *bad_q = path_in("bad-questions.txt");
    const char *binary_q = path_in("binary-questions.txt");
    const char *pairs = path_in("pairs.tsv"), *bad_pairs = path_in("bad-pairs.tsv");
    const char *few_pairs = path_in("few-pairs.tsv");
    static const char q[] = ": family\nman king woman queen\nboy prince girl princess\nman boy woman girl\n"
                            ": capital-common-countries\nfrance paris italy rome\nparis france rome emperor\n";
    static const char bad[] = ": family\nman king woman\n";
    static const char binary_text[] = ": family\nman king \xff\xfe queen\n";
    static const char p[] = "word1\tword2\tscore\nking\tqueen\t8.5\nman\twoman\t8.3\ndog\tcat\t7.4\n"
                            "river\tcafé\t1.2\nparis\tfrance\t6.0\nemperor\tking\t7.0\n";
    static const char badp[] = "king\tqueen\t8.5\nman woman\n";
    static const char fewp[] = "king\tqueen\t8.5\nemperor\tking\t7.0\n";
    W2vAnalogyReport ar, ar_sent;
    W2vSimilarityReport sr, sr_sent;

    section("evaluation");
    CHECK(write_file(questions, q, sizeof q - 1) && write_file(bad_q, bad, sizeof bad - 1) &&
          write_file(binary_q, binary_text, sizeof binary_text - 1));
    CHECK(write_file(pairs, p, sizeof p - 1) && write_file(bad_pairs, badp, sizeof badp - 1) &&
          write_file(few_pairs, fewp, sizeof fewp - 1));
    memset(&ar, 0xA5, sizeof ar);
    memcpy(&ar_sent, &ar, sizeof ar);
    memset(&sr, 0xA5, sizeof sr);
    memcpy(&sr_sent, &sr, sizeof sr);

    EXPECT(w2v_eval_analogy(NULL, questions, 0, &ar), W2V_STATUS_NULL_POINTER, "`model`");
    EXPECT(w2v_eval_analogy(m, NULL, 0, &ar), W2V_STATUS_NULL_POINTER, "`path`");
    EXPECT(w2v_eval_analogy(m, questions, 0, NULL), W2V_STATUS_NULL_POINTER, "`out`");
    EXPECT(w2v_eval_analogy(m, BAD_UTF8, 0, &ar), W2V_STATUS_INVALID_UTF8, "`path`");
    EXPECT(w2v_eval_analogy(m, path_in("no-such-questions.txt"), 0, &ar), W2V_STATUS_IO, "no-such-questions");
    EXPECT(w2v_eval_analogy(m, bad_q, 0, &ar), W2V_STATUS_FORMAT, "four words");
    EXPECT(w2v_eval_analogy(m, binary_q, 0, &ar), W2V_STATUS_FORMAT, NULL);
    CHECK(memcmp(&ar, &ar_sent, sizeof ar) == 0);
    OK(w2v_eval_analogy(m, questions, 0, &ar));
    CHECK(ar.questions == 5 && ar.answered == 4 && ar.correct <= ar.answered && ar.accuracy >= 0.0 &&
          ar.accuracy <= 100.0);
    OK(w2v_eval_analogy(m, questions, 3, &ar)); /* restricted to the 3 most frequent words */
    CHECK(ar.questions == 5 && ar.answered <= 4);

    EXPECT(w2v_eval_similarity(NULL, pairs, &sr), W2V_STATUS_NULL_POINTER, "`model`");
    EXPECT(w2v_eval_similarity(m, NULL, &sr), W2V_STATUS_NULL_POINTER, "`path`");
    EXPECT(w2v_eval_similarity(m, pairs, NULL), W2V_STATUS_NULL_POINTER, "`out`");
    EXPECT(w2v_eval_similarity(m, BAD_UTF8, &sr), W2V_STATUS_INVALID_UTF8, "`path`");
    EXPECT(w2v_eval_similarity(m, path_in("no-such-pairs.tsv"), &sr), W2V_STATUS_IO, "no-such-pairs");
    EXPECT(w2v_eval_similarity(m, bad_pairs, &sr), W2V_STATUS_FORMAT, "line 2");
    EXPECT(w2v_eval_similarity(m, few_pairs, &sr), W2V_STATUS_EMPTY, NULL);
    CHECK(memcmp(&sr, &sr_sent, sizeof sr) == 0);
    OK(w2v_eval_similarity(m, pairs, &sr));
    CHECK(sr.pairs == 6 && sr.found == 5 && fabs(sr.spearman) <= 1.0 && fabs(sr.pearson) <= 1.0 &&
          fabs(sr.oov_percent - 100.0 / 6.0) < 1e-6);
}

/* ------------------------------------------------------------------------ */
/* SIMD levels and kernels. */

static void test_simd(void)
{
    enum W2vSimdLevel level = (enum W2vSimdLevel)99, automatic = (enum W2vSimdLevel)99;
    bool avail[4], b;
    unsigned char bsent[sizeof b];
    int l, missing = -1;

    section("SIMD levels");
    memset(&b, 0x7B, sizeof b);
    memcpy(bsent, &b, sizeof b);
    EXPECT(w2v_simd_level(NULL), W2V_STATUS_NULL_POINTER, "`out`");
    EXPECT(w2v_simd_available(W2V_SIMD_LEVEL_SCALAR, NULL), W2V_STATUS_NULL_POINTER, "`out`");
    EXPECT(w2v_simd_available(4, &b), W2V_STATUS_INVALID_ARGUMENT, "4");
    EXPECT(w2v_simd_available(-1, &b), W2V_STATUS_INVALID_ARGUMENT, "-1");
    CHECK(memcmp(&b, bsent, sizeof b) == 0);
    for (l = 0; l < 4; l++) {
        OK(w2v_simd_available(l, &avail[l]));
        if (!avail[l] && missing < 0)
            missing = l;
    }
    CHECK(avail[W2V_SIMD_LEVEL_SCALAR] && avail[W2V_SIMD_LEVEL_PORTABLE]);
    OK(w2v_simd_level(&automatic));
    CHECK((int)automatic >= 0 && (int)automatic < 4 && avail[automatic]);

    EXPECT(w2v_simd_force(4), W2V_STATUS_INVALID_ARGUMENT, "4");
    EXPECT(w2v_simd_force(-2), W2V_STATUS_INVALID_ARGUMENT, "-2");
    OK(w2v_simd_level(&level));
    CHECK(level == automatic); /* unchanged by the failed calls */
    OK(w2v_simd_force(W2V_SIMD_LEVEL_SCALAR));
    OK(w2v_simd_level(&level));
    CHECK(level == W2V_SIMD_LEVEL_SCALAR);
    if (missing >= 0) {
        float out = FLOAT_SENT;
        EXPECT(w2v_simd_force(missing), W2V_STATUS_UNSUPPORTED, NULL);
        OK(w2v_simd_level(&level));
        CHECK(level == W2V_SIMD_LEVEL_SCALAR);
        EXPECT(w2v_kernel_dot(missing, &out, &out, 1, &out), W2V_STATUS_UNSUPPORTED, NULL);
        CHECK(out == FLOAT_SENT);
    } else {
        printf("      (every SIMD level is available: W2V_STATUS_UNSUPPORTED not exercised)\n");
    }
    OK(w2v_simd_force(-1));
    OK(w2v_simd_level(&level));
    CHECK(level == automatic);
}

static void test_kernels(void)
{
    float a[37], b[37], y[37], y_before[37], out = FLOAT_SENT, ref = 0.0f;
    size_t i;
    int l;
    bool avail;

    section("kernels");
    for (i = 0; i < 37; i++) {
        a[i] = (float)i * 0.25f - 4.0f;
        b[i] = 1.0f / (float)(i + 1);
        y[i] = (float)i;
        ref += a[i] * b[i];
    }
    memcpy(y_before, y, sizeof y);
    EXPECT(w2v_kernel_dot(4, a, b, 37, &out), W2V_STATUS_INVALID_ARGUMENT, "4");
    EXPECT(w2v_kernel_dot(-1, a, b, 37, &out), W2V_STATUS_INVALID_ARGUMENT, "-1");
    EXPECT(w2v_kernel_dot(0, NULL, b, 37, &out), W2V_STATUS_NULL_POINTER, "`a`");
    EXPECT(w2v_kernel_dot(0, a, NULL, 37, &out), W2V_STATUS_NULL_POINTER, "`b`");
    EXPECT(w2v_kernel_dot(0, a, b, 37, NULL), W2V_STATUS_NULL_POINTER, "`out`");
    CHECK(out == FLOAT_SENT);
    OK(w2v_kernel_dot(0, NULL, NULL, 0, &out)); /* n = 0: NULL allowed, the sum is 0 */
    CHECK(out == 0.0f);

    EXPECT(w2v_kernel_axpy(7, 0.5f, a, y, 37), W2V_STATUS_INVALID_ARGUMENT, "7");
    EXPECT(w2v_kernel_axpy(0, 0.5f, NULL, y, 37), W2V_STATUS_NULL_POINTER, "`x`");
    EXPECT(w2v_kernel_axpy(0, 0.5f, a, NULL, 37), W2V_STATUS_NULL_POINTER, "`y`");
    CHECK(memcmp(y, y_before, sizeof y) == 0);
    OK(w2v_kernel_axpy(0, 0.5f, NULL, NULL, 0));

    for (l = 0; l < 4; l++) {
        OK(w2v_simd_available(l, &avail));
        if (!avail)
            continue;
        out = FLOAT_SENT;
        OK(w2v_kernel_dot(l, a, b, 37, &out));
        CHECK(fabs(out - ref) < 1e-4);
        memcpy(y, y_before, sizeof y);
        OK(w2v_kernel_axpy(l, 0.5f, a, y, 37));
        for (i = 0; i < 37; i++)
            if (fabs(y[i] - (y_before[i] + 0.5f * a[i])) > 1e-5)
                break;
        CHECK(i == 37);
    }
}

/* ------------------------------------------------------------------------ */

int main(int argc, char **argv)
{
    W2vModel *model, *mapped = NULL;
    const char *tmp = getenv("TMPDIR");
    int a;

    for (a = 1; a < argc; a++) {
        if (strcmp(argv[a], "-v") == 0) {
            g_verbose = 1;
        } else if (strcmp(argv[a], "--strict") == 0) {
            g_strict = 1;
        } else {
            fprintf(stderr, "usage: %s [-v] [--strict]\n", argv[0]);
            return 2;
        }
    }

    setvbuf(stdout, NULL, _IOLBF, 0); /* interleave with the library's stderr in order */
    test_initial_message();            /* before any call fails */
    prime();
    CHECK(message(g_marker, sizeof g_marker) && g_marker[0] != '\0');

    snprintf(g_dir, sizeof g_dir, "%s/w2v-test-ffi-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (mkdtemp(g_dir) == NULL) {
        perror("mkdtemp");
        return 1;
    }

    test_version();
    test_message_buffers();
    test_thread_messages();
    test_options();
    model = test_training();
    CHECK(model != NULL);
    if (model) {
        test_model("trained, in memory", model);
        mapped = test_files(model);
        CHECK(mapped != NULL && mapped != MODEL_SENT);
        if (mapped && mapped != MODEL_SENT) {
            test_model("native file, mapped", mapped);
            test_eval(mapped);
        }
        w2v_model_free(mapped);
        w2v_model_free(model);
    }
    test_simd();
    test_kernels();

    while (g_npaths > 0)
        (void)remove(g_paths[--g_npaths]);
    if (rmdir(g_dir) != 0)
        printf("FAIL  could not remove %s (a file was left behind)\n", g_dir), g_failures++;

    printf("test_ffi: %d checks, %d passed, %d failed, %d known API issues%s\n", g_checks,
           g_checks - g_failures - g_known, g_failures, g_known, g_strict ? " (--strict)" : " (not failures; --strict fails them)");
    return g_failures ? 1 : 0;
}
