/*
 * search_engine.c: query expansion as a search engine does it: open the
 * model once (mapped, with its neighbour index), give each serving thread a
 * W2vSearcher of its own, and answer "words near this one" from all threads
 * at once.
 *
 *   search_engine MODEL.w2v [THREADS [QUERIES_PER_THREAD [EF]]]
 *
 * A model without an index (`w2v index MODEL.w2v` stores one) gets one built
 * in memory first. Each of THREADS threads (default 4) asks QUERIES_PER_THREAD
 * (default 2000) top-10 queries, word by word through the vocabulary from its
 * own start. A reference searcher forced to the exact scan answers the first
 * 200 words once; every thread's answers for those are compared with it.
 * Prints the queries per second and how many of the exact top 10 the index
 * found on average; exits non-zero on an error or if that is under 9 of 10.
 */
#include "w2v.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define K 10
#define REF 200
#define WORD_MAX 256

static const W2vModel *g_model;
static size_t g_vocab, g_queries, g_ef, g_nref;
static char (*g_words)[WORD_MAX];
static size_t (*g_ref)[K];

struct job {
    size_t start;
    size_t hits, compared, errors;
};

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static void report(const char *what, W2vStatus st)
{
    char msg[512];
    size_t needed = 0;
    if (w2v_last_error_message(msg, sizeof msg, &needed) != W2V_STATUS_OK)
        msg[0] = '\0';
    fprintf(stderr, "search_engine: %s: %s (%s)\n", what, w2v_status_str((int)st), msg);
}

static void *serve(void *arg)
{
    struct job *j = arg;
    W2vSearcher *s = NULL;
    size_t q, idx[K];
    float sc[K];
    W2vStatus st = w2v_searcher_new(g_model, &s);
    if (st != W2V_STATUS_OK) {
        report("w2v_searcher_new", st);
        j->errors++;
        return NULL;
    }
    if (g_ef > 0 && (st = w2v_searcher_set_ef(s, g_ef)) != W2V_STATUS_OK) {
        report("w2v_searcher_set_ef", st);
        j->errors++;
    }
    for (q = 0; q < g_queries && j->errors == 0; q++) {
        size_t w = (j->start + q) % g_vocab, found = 0, a, b;
        const char *pos[1];
        pos[0] = g_words[w];
        st = w2v_searcher_most_similar(s, pos, 1, NULL, 0, K, 0, idx, sc, &found);
        if (st != W2V_STATUS_OK) {
            report("w2v_searcher_most_similar", st);
            j->errors++;
            break;
        }
        if (w < g_nref) {
            for (a = 0; a < found; a++)
                for (b = 0; b < K; b++)
                    if (idx[a] == g_ref[w][b])
                        j->hits++;
            j->compared++;
        }
    }
    w2v_searcher_free(s);
    return NULL;
}

int main(int argc, char **argv)
{
    W2vModel *m = NULL;
    W2vSearcher *exact = NULL;
    pthread_t *tid;
    struct job *jobs;
    size_t threads = argc > 2 ? strtoul(argv[2], NULL, 10) : 4, t, i;
    size_t hits = 0, compared = 0, errors = 0;
    bool has = false;
    double t0, secs, overlap;
    W2vStatus st;

    if (argc < 2 || threads == 0) {
        fprintf(stderr, "usage: %s MODEL.w2v [THREADS [QUERIES_PER_THREAD [EF]]]\n", argv[0]);
        return 2;
    }
    g_queries = argc > 3 ? strtoul(argv[3], NULL, 10) : 2000;
    g_ef = argc > 4 ? strtoul(argv[4], NULL, 10) : 0;
    if ((st = w2v_model_load(argv[1], &m)) != W2V_STATUS_OK) {
        report("w2v_model_load", st);
        return 1;
    }
    if (w2v_model_vocab_size(m, &g_vocab) != W2V_STATUS_OK || g_vocab < 2 ||
        w2v_model_has_index(m, &has) != W2V_STATUS_OK) {
        fprintf(stderr, "search_engine: the model needs at least two words\n");
        w2v_model_free(m);
        return 1;
    }
    if (!has) {
        t0 = now();
        if ((st = w2v_model_build_index(m, 16, 200, 0, 1)) != W2V_STATUS_OK) {
            report("w2v_model_build_index", st);
            w2v_model_free(m);
            return 1;
        }
        printf("no stored index: built one in memory in %.3f s\n", now() - t0);
    }
    g_model = m;
    g_words = malloc(g_vocab * sizeof *g_words);
    g_nref = g_vocab < REF ? g_vocab : REF;
    g_ref = malloc(g_nref * sizeof *g_ref);
    tid = malloc(threads * sizeof *tid);
    jobs = calloc(threads, sizeof *jobs);
    if (!g_words || !g_ref || !tid || !jobs) {
        fprintf(stderr, "search_engine: out of memory\n");
        return 1;
    }
    for (i = 0; i < g_vocab; i++) {
        size_t needed = 0;
        if (w2v_model_word(m, i, g_words[i], WORD_MAX, &needed) != W2V_STATUS_OK)
            g_words[i][0] = '\0'; /* longer than WORD_MAX: never asked */
    }
    /* The exact answers of the first words, for the comparison. */
    if ((st = w2v_searcher_new(m, &exact)) != W2V_STATUS_OK ||
        (st = w2v_searcher_set_exact(exact, true)) != W2V_STATUS_OK) {
        report("reference searcher", st);
        return 1;
    }
    for (i = 0; i < g_nref; i++) {
        const char *pos[1];
        float sc[K];
        size_t found = 0, j;
        pos[0] = g_words[i];
        for (j = 0; j < K; j++)
            g_ref[i][j] = (size_t)-1;
        if (g_words[i][0] &&
            (st = w2v_searcher_most_similar(exact, pos, 1, NULL, 0, K, 0, g_ref[i], sc, &found)) != W2V_STATUS_OK) {
            report("exact query", st);
            return 1;
        }
    }
    w2v_searcher_free(exact);

    t0 = now();
    for (t = 0; t < threads; t++) {
        jobs[t].start = t * 7919 % g_vocab;
        if (pthread_create(&tid[t], NULL, serve, &jobs[t]) != 0) {
            fprintf(stderr, "search_engine: pthread_create failed\n");
            return 1;
        }
    }
    for (t = 0; t < threads; t++) {
        pthread_join(tid[t], NULL);
        hits += jobs[t].hits;
        compared += jobs[t].compared;
        errors += jobs[t].errors;
    }
    secs = now() - t0;
    overlap = compared ? (double)hits / (double)compared : (double)K;
    printf("%zu words, %zu threads x %zu queries (top %d) in %.3f s: %.0f queries/s; "
           "%.2f of the exact top %d found on average (%zu queries compared)\n",
           g_vocab, threads, g_queries, K, secs, (double)(threads * g_queries) / secs, overlap, K, compared);
    free(g_words);
    free(g_ref);
    free(tid);
    free(jobs);
    w2v_model_free(m);
    if (errors) {
        fprintf(stderr, "search_engine: %zu errors\n", errors);
        return 1;
    }
    if (overlap < 9.0 && g_vocab > K) {
        fprintf(stderr, "search_engine: the index found %.2f of 10 (under 9)\n", overlap);
        return 1;
    }
    return 0;
}
