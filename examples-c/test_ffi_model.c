/*
 * test_ffi_model.c: test_ffi's tests of the training options, of training
 * (empty corpora, cancellation, progress) and of the model queries (words,
 * vectors, most similar, analogies, nearest, similarity, k far beyond the
 * vocabulary), which run on a trained model and on a mapped one. The harness is in test_ffi.c.
 */
#define _POSIX_C_SOURCE 200809L

#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "w2v.h"
#include "test_ffi.h"

/* ------------------------------------------------------------------------ */
/* Training options. */

void test_options(void)
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
    EXPECT(w2v_train_options_set_batch(NULL, true), W2V_STATUS_NULL_POINTER, "`options`");
    EXPECT(w2v_train_options_set_skip_saturated(NULL, true), W2V_STATUS_NULL_POINTER, "`options`");
    EXPECT(w2v_train_options_set_min_lr(NULL, 0.0), W2V_STATUS_NULL_POINTER, "`options`");

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
    EXPECT(w2v_train_options_set_min_lr(o, NAN), W2V_STATUS_INVALID_ARGUMENT, "min_lr");
    EXPECT(w2v_train_options_set_min_lr(o, 1.0), W2V_STATUS_INVALID_ARGUMENT, "min_lr");
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
    /* gensim's rule for saturated pairs: negative sampling only. */
    OK(w2v_train_options_set_skip_saturated(o, true));
    EXPECT(w2v_train_options_set_loss(o, W2V_LOSS_HS), W2V_STATUS_INVALID_ARGUMENT,
           "negative sampling only");
    OK(w2v_train_options_set_skip_saturated(o, false));
    /* Batch training (shared negatives) needs skip-gram: refused for CBOW. */
    EXPECT(w2v_train_options_set_batch(o, true), W2V_STATUS_INVALID_ARGUMENT, "skip-gram");
    OK(w2v_train_options_set_model(o, W2V_MODEL_KIND_SGNS));
    OK(w2v_train_options_set_batch(o, true));
    OK(w2v_train_options_set_lr(o, 0.0)); /* the model's default */
    OK(w2v_train_options_set_min_lr(o, 0.0001)); /* gensim's min_alpha */
    OK(w2v_train_options_set_min_lr(o, 0.0)); /* word2vec.c's schedule */
    OK(w2v_train_options_set_min_lr(o, -1.0)); /* back to the model's default */
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
W2vModel *test_training(void)
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

/* A k beyond the candidate words, up to SIZE_MAX, asks for nothing more: the
 * library caps k at the candidates (the vocabulary, or restrict_vocab's
 * words, less the query words), so the call returns OK with `found` = the
 * candidates and writes no further, allocates nothing for k, and neither
 * aborts nor prints. The arrays hold 64 >= the vocabulary. */
static void test_huge_k(const W2vModel *m, size_t vocab, size_t dim)
{
    size_t ks[3], nk = 0, idx[64], found, king, queen, j, i;
    float sc[64], v[64];
    const char *pos[1] = {"king"};

    ks[nk++] = SIZE_MAX;
#if SIZE_MAX > 0xFFFFFFFFu
    ks[nk++] = (size_t)10000000000ULL; /* 1e10: more than any vocabulary, less than SIZE_MAX */
#endif
    ks[nk++] = vocab + 1;
    OK(w2v_model_index(m, "king", &king));
    OK(w2v_model_index(m, "queen", &queen));
    OK(w2v_model_vector(m, "queen", v, 64, NULL));
    for (j = 0; j < nk; j++) {
        size_t k = ks[j];
        stderr_begin();
        for (i = 0; i < 64; i++) {
            idx[i] = SIZE_SENT;
            sc[i] = FLOAT_SENT;
        }
        found = SIZE_SENT;
        OK(w2v_model_most_similar(m, pos, 1, NULL, 0, k, 0, idx, sc, &found));
        CHECK(found == vocab - 1 && descending(sc, found) && !contains(idx, found, king));
        CHECK(idx[vocab - 1] == SIZE_SENT && sc[vocab - 1] == FLOAT_SENT); /* nothing past `found` */
        found = SIZE_SENT;
        OK(w2v_model_most_similar(m, pos, 1, NULL, 0, k, 4, idx, sc, &found));
        CHECK(found == (king < 4 ? 3u : 4u)); /* restrict_vocab 4: its words less the query word */
        found = SIZE_SENT;
        OK(w2v_model_analogy(m, "man", "king", "woman", W2V_ANALOGY_METHOD_ADD, k, 0, idx, sc, &found));
        CHECK(found == vocab - 3 && descending(sc, found));
        found = SIZE_SENT;
        OK(w2v_model_analogy(m, "man", "king", "woman", W2V_ANALOGY_METHOD_MUL, k, 0, idx, sc, &found));
        CHECK(found == vocab - 3 && descending(sc, found));
        found = SIZE_SENT;
        OK(w2v_model_nearest(m, v, dim, k, 0, idx, sc, &found));
        CHECK(found == vocab && idx[0] == queen && descending(sc, found) && idx[vocab] == SIZE_SENT);
        found = SIZE_SENT;
        OK(w2v_model_nearest(m, v, dim, k, 4, idx, sc, &found));
        CHECK(found == 4 && idx[0] < 4 && idx[3] < 4);
        CHECK(stderr_end() == 0); /* nothing printed (a panic would print) */
    }
}

void test_model(const char *what, const W2vModel *m)
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
    test_huge_k(m, vocab, dim);
}
