/*
 * train_and_query.c: train word2vec through the w2v C API, query the vectors
 * and save them in the native format.
 *
 *   train_and_query [CORPUS [MODEL [EPOCHS]]]
 *
 * CORPUS  a text file, whitespace-separated words, one sentence per line
 *         (default: ../src/lesson/corpus.txt, the built-in teaching corpus)
 * MODEL   where to save the native model (default: a temporary file, removed
 *         at the end)
 * EPOCHS  passes over the corpus (default 40)
 *
 * The settings are those of `w2v demo`: skip-gram with negative sampling,
 * dim 40, window 4, 8 negatives, no subsampling, min-count 2, lr 0.025, one
 * thread and seed 1 (one thread and a fixed seed: the same model every run).
 *
 * Every call's status is checked: on failure the program prints the call,
 * the status and w2v_last_error_message(), and exits with status 1.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "w2v.h"

static const char *status_name(enum W2vStatus s)
{
    switch (s) {
    case W2V_STATUS_OK: return "OK";
    case W2V_STATUS_INVALID_ARGUMENT: return "INVALID_ARGUMENT";
    case W2V_STATUS_NULL_POINTER: return "NULL_POINTER";
    case W2V_STATUS_INVALID_UTF8: return "INVALID_UTF8";
    case W2V_STATUS_IO: return "IO";
    case W2V_STATUS_FORMAT: return "FORMAT";
    case W2V_STATUS_UNSUPPORTED: return "UNSUPPORTED";
    case W2V_STATUS_EMPTY: return "EMPTY";
    case W2V_STATUS_NOT_FOUND: return "NOT_FOUND";
    case W2V_STATUS_BUFFER_TOO_SMALL: return "BUFFER_TOO_SMALL";
    case W2V_STATUS_CANCELLED: return "CANCELLED";
    case W2V_STATUS_PANIC: return "PANIC";
    case W2V_STATUS_OUT_OF_MEMORY: return "OUT_OF_MEMORY";
    }
    return "unknown status";
}

/* Print the failed call with the library's message for this thread, and exit. */
static void die(const char *call, enum W2vStatus status)
{
    char buf[256], *msg = buf;
    size_t needed = 0;
    enum W2vStatus st = w2v_last_error_message(buf, sizeof buf, &needed);
    if (st == W2V_STATUS_BUFFER_TOO_SMALL && (msg = malloc(needed)) != NULL)
        st = w2v_last_error_message(msg, needed, NULL); /* a long message: `needed` bytes */
    fprintf(stderr, "error: %s failed: %s (%d): %s\n", call, status_name(status), (int)status,
            st == W2V_STATUS_OK ? msg : "(no message)");
    exit(1);
}

#define CHECK(call)                                    \
    do {                                               \
        enum W2vStatus check_status_ = (call);         \
        if (check_status_ != W2V_STATUS_OK)            \
            die(#call, check_status_);                 \
    } while (0)

/* Word `index` of `model` in a new malloc'd string, with the size-query
 * protocol: a first call with no buffer reports the size needed. */
static char *word_dup(const W2vModel *model, size_t index)
{
    size_t needed = 0;
    char *word;
    enum W2vStatus st = w2v_model_word(model, index, NULL, 0, &needed);
    if (st != W2V_STATUS_BUFFER_TOO_SMALL)
        die("w2v_model_word(size query)", st);
    word = malloc(needed);
    if (word == NULL) {
        perror("malloc");
        exit(1);
    }
    CHECK(w2v_model_word(model, index, word, needed, NULL));
    return word;
}

/* Progress: printed at every quarter. The callback may stop training by
 * returning non-zero; this program never does (cancel_at is above 1), but
 * set cancel_at to 0.5 and w2v_train_file returns W2V_STATUS_CANCELLED
 * halfway, without creating a model. */
struct progress {
    double next_print;
    double cancel_at;
    unsigned calls;
};

static int on_progress(double fraction, double words_per_sec, double loss, void *user_data)
{
    struct progress *p = user_data;
    p->calls++;
    if (fraction >= p->next_print) {
        printf("  progress %5.1f%%  %9.0f words/s  loss %.4f\n", 100.0 * fraction, words_per_sec, loss);
        fflush(stdout);
        while (p->next_print <= fraction)
            p->next_print += 0.25;
    }
    return fraction >= p->cancel_at;
}

/* Print the `k` answers of a query: "word score, word score, ...". */
static void print_answers(const W2vModel *model, const size_t *indices, const float *scores, size_t found)
{
    size_t i;
    for (i = 0; i < found; i++) {
        char *w = word_dup(model, indices[i]);
        printf("%s%s %.2f", i ? ", " : "", w, scores[i]);
        free(w);
    }
    printf("\n");
}

int main(int argc, char **argv)
{
    const char *corpus = argc > 1 ? argv[1] : "../src/lesson/corpus.txt";
    char temp_path[] = "/tmp/w2v-train-and-query-XXXXXX";
    const char *model_path = NULL;
    unsigned long epochs = 40;
    static const char *const queries[] = {"king", "daughter", "dog", "paris", "village"};
    enum { K = 5 };
    size_t indices[K], found, vocab, dim, i;
    float scores[K], cos;
    bool mapped;
    enum W2vSimdLevel level;
    struct progress progress = {0.0, 2.0, 0};
    W2vTrainOptions *options = NULL;
    W2vModel *model = NULL, *reopened = NULL;
    enum W2vStatus st;

    if (argc > 4 || (argc > 1 && strcmp(argv[1], "--help") == 0)) {
        fprintf(stderr, "usage: %s [CORPUS [MODEL [EPOCHS]]]\n", argv[0]);
        return 2;
    }
    if (argc > 2)
        model_path = argv[2];
    if (argc > 3) {
        char *end;
        epochs = strtoul(argv[3], &end, 10);
        if (*end != '\0' || epochs == 0) {
            fprintf(stderr, "error: EPOCHS must be a positive integer, got '%s'\n", argv[3]);
            return 2;
        }
    }

    /* The header this was compiled with and the library it runs with agree. */
    if (w2v_version_major() != W2V_VERSION_MAJOR || w2v_version_minor() < W2V_VERSION_MINOR) {
        fprintf(stderr, "error: w2v.h is %d.%d, the library is %s\n", W2V_VERSION_MAJOR,
                W2V_VERSION_MINOR, w2v_version());
        return 1;
    }
    CHECK(w2v_simd_level(&level));
    printf("w2v %s, SIMD level %d\n", w2v_version(), (int)level);

    /* Options: word2vec.c's defaults, changed to the demo's settings. */
    CHECK(w2v_train_options_new(&options));
    CHECK(w2v_train_options_set_model(options, W2V_MODEL_KIND_SGNS));
    CHECK(w2v_train_options_set_loss(options, W2V_LOSS_NS));
    CHECK(w2v_train_options_set_dim(options, 40));
    CHECK(w2v_train_options_set_window(options, 4));
    CHECK(w2v_train_options_set_negative(options, 8));
    CHECK(w2v_train_options_set_sample(options, 0.0));
    CHECK(w2v_train_options_set_min_count(options, 2));
    CHECK(w2v_train_options_set_epochs(options, epochs));
    CHECK(w2v_train_options_set_lr(options, 0.025));
    CHECK(w2v_train_options_set_threads(options, 1));
    CHECK(w2v_train_options_set_seed(options, 1));

    printf("training skip-gram (dim 40, window 4, 8 negatives, %lu epochs) on %s\n", epochs, corpus);
    st = w2v_train_file(options, corpus, on_progress, &progress, &model);
    if (st == W2V_STATUS_CANCELLED) {
        fprintf(stderr, "training cancelled by the progress callback: no model\n");
        w2v_train_options_free(options);
        return 1;
    }
    if (st != W2V_STATUS_OK)
        die("w2v_train_file", st);
    w2v_train_options_free(options);
    options = NULL;

    CHECK(w2v_model_vocab_size(model, &vocab));
    CHECK(w2v_model_dim(model, &dim));
    printf("%zu words, dimension %zu (%u progress reports)\n\n", vocab, dim, progress.calls);

    printf("nearest neighbours (cosine):\n");
    for (i = 0; i < sizeof queries / sizeof queries[0]; i++) {
        const char *positive[1];
        positive[0] = queries[i];
        st = w2v_model_most_similar(model, positive, 1, NULL, 0, K, 0, indices, scores, &found);
        if (st == W2V_STATUS_NOT_FOUND) { /* another corpus may lack the word */
            printf("  %-9s (not in the vocabulary)\n", queries[i]);
            continue;
        }
        if (st != W2V_STATUS_OK)
            die("w2v_model_most_similar", st);
        printf("  %-9s ", queries[i]);
        print_answers(model, indices, scores, found);
    }

    /* man : king :: woman : ? (3CosAdd: nearest to king - man + woman). */
    st = w2v_model_analogy(model, "man", "king", "woman", W2V_ANALOGY_METHOD_ADD, K, 0, indices, scores, &found);
    if (st == W2V_STATUS_NOT_FOUND) {
        printf("\nanalogy man : king :: woman : ? (a word is not in the vocabulary)\n");
    } else if (st != W2V_STATUS_OK) {
        die("w2v_model_analogy", st);
    } else if (found > 0) {
        char *best = word_dup(model, indices[0]);
        printf("\nanalogy man : king :: woman : %s (%.2f; expected queen: %s)\n  top %zu: ", best, scores[0],
               strcmp(best, "queen") == 0 ? "lands" : "does not land", found);
        print_answers(model, indices, scores, found);
        free(best);
    }
    st = w2v_model_similarity(model, "king", "queen", &cos);
    if (st == W2V_STATUS_OK)
        printf("similarity(king, queen) = %.3f\n", cos);
    else if (st != W2V_STATUS_NOT_FOUND)
        die("w2v_model_similarity", st);

    /* Save in the native format, then reopen it: mapped, not read. */
    if (model_path == NULL) {
        int fd = mkstemp(temp_path); /* a unique name; w2v_model_save replaces the file */
        if (fd < 0) {
            perror("mkstemp");
            return 1;
        }
        close(fd);
        model_path = temp_path;
    }
    CHECK(w2v_model_save(model, model_path, W2V_FORMAT_NATIVE));
    CHECK(w2v_model_load(model_path, &reopened));
    CHECK(w2v_model_is_mapped(reopened, &mapped));
    CHECK(w2v_model_vocab_size(reopened, &found));
    printf("\nsaved %s (native format); reopened: %zu words, %s\n", model_path, found,
           mapped ? "mapped" : "read into memory");
    if (!mapped || found != vocab) {
        fprintf(stderr, "error: the reopened model differs (mapped %d, %zu words)\n", (int)mapped, found);
        return 1;
    }

    w2v_model_free(reopened);
    w2v_model_free(model);
    if (model_path == temp_path)
        remove(temp_path);
    return 0;
}
