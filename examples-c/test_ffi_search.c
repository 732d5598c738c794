/*
 * test_ffi_search.c: the neighbour index and searchers (test_ffi.h): an
 * index built into a model, stored and mapped with it; searchers' settings
 * checked; answers through the index against the exact scan's.
 */
#include "test_ffi.h"

#include <stdio.h>
#include <string.h>

#define SK 5

void test_searcher(const W2vModel *trained)
{
    const char *path = path_in("indexed.w2v");
    W2vModel *m = MODEL_SENT, *mapped = MODEL_SENT;
    W2vSearcher *s = NULL, *exact = NULL;
    bool has = true;
    size_t vocab = 0, dim = 0, found = SIZE_SENT, found2 = 0, i, j;
    size_t idx[SK], idx2[SK];
    float sc[SK], sc2[SK], vec[64];
    const char *pos[1];

    section("neighbour index and searchers");
    OK(w2v_model_save(trained, path, W2V_FORMAT_NATIVE));
    OK(w2v_model_load(path, &m));
    OK(w2v_model_vocab_size(m, &vocab));
    OK(w2v_model_dim(m, &dim));
    CHECK(dim <= 64);
    OK(w2v_model_has_index(m, &has));
    CHECK(!has);
    EXPECT(w2v_model_has_index(NULL, &has), W2V_STATUS_NULL_POINTER, "`model`");
    EXPECT(w2v_model_has_index(m, NULL), W2V_STATUS_NULL_POINTER, "`out`");

    /* Building: bad settings are refused before any work. */
    EXPECT(w2v_model_build_index(NULL, 16, 200, 1, 1), W2V_STATUS_NULL_POINTER, "`model`");
    EXPECT(w2v_model_build_index(m, 0, 200, 1, 1), W2V_STATUS_INVALID_ARGUMENT, "--m");
    EXPECT(w2v_model_build_index(m, 1000000, 200, 1, 1), W2V_STATUS_INVALID_ARGUMENT, "--m");
    EXPECT(w2v_model_build_index(m, 16, 0, 1, 1), W2V_STATUS_INVALID_ARGUMENT, "--ef-construction");
    OK(w2v_model_has_index(m, &has));
    CHECK(!has);
    OK(w2v_model_build_index(m, 8, 64, 2, 1));
    OK(w2v_model_has_index(m, &has));
    CHECK(has);
    /* Stored and mapped with the model. */
    OK(w2v_model_save(m, path, W2V_FORMAT_NATIVE));
    OK(w2v_model_load(path, &mapped));
    has = false;
    OK(w2v_model_has_index(mapped, &has));
    CHECK(has);

    /* Searchers. */
    EXPECT(w2v_searcher_new(NULL, &s), W2V_STATUS_NULL_POINTER, "`model`");
    EXPECT(w2v_searcher_new(mapped, NULL), W2V_STATUS_NULL_POINTER, "`out`");
    OK(w2v_searcher_new(mapped, &s));
    OK(w2v_searcher_new(mapped, &exact));
    CHECK(s != NULL && exact != NULL);
    EXPECT(w2v_searcher_set_ef(NULL, 10), W2V_STATUS_NULL_POINTER, "`searcher`");
    EXPECT(w2v_searcher_set_ef(s, 0), W2V_STATUS_INVALID_ARGUMENT, "ef");
    EXPECT(w2v_searcher_set_ef(s, 1u << 20), W2V_STATUS_INVALID_ARGUMENT, "ef");
    EXPECT(w2v_searcher_set_exact(NULL, true), W2V_STATUS_NULL_POINTER, "`searcher`");
    OK(w2v_searcher_set_ef(s, 32));
    OK(w2v_searcher_set_exact(exact, true));

    /* Errors of a query leave the outputs alone. */
    {
        char w0[128];
        size_t needed = 0;
        OK(w2v_model_word(mapped, 0, w0, sizeof w0, &needed));
        OK(w2v_model_vector(mapped, w0, vec, dim, &needed));
    }
    EXPECT(w2v_searcher_nearest(NULL, vec, dim, SK, 0, idx, sc, &found), W2V_STATUS_NULL_POINTER, "`searcher`");
    EXPECT(w2v_searcher_nearest(s, NULL, dim, SK, 0, idx, sc, &found), W2V_STATUS_NULL_POINTER, "`vector`");
    EXPECT(w2v_searcher_nearest(s, vec, dim + 1, SK, 0, idx, sc, &found), W2V_STATUS_INVALID_ARGUMENT, "dimension");
    EXPECT(w2v_searcher_nearest(s, vec, dim, SK, 0, NULL, sc, &found), W2V_STATUS_NULL_POINTER, "`indices`");
    CHECK(found == SIZE_SENT);
    pos[0] = "no-such-word";
    EXPECT(w2v_searcher_most_similar(s, pos, 1, NULL, 0, SK, 0, idx, sc, &found), W2V_STATUS_NOT_FOUND, "no-such-word");
    EXPECT(w2v_searcher_most_similar(s, NULL, 0, NULL, 0, SK, 0, idx, sc, &found), W2V_STATUS_EMPTY, NULL);
    EXPECT(w2v_searcher_most_similar(NULL, pos, 1, NULL, 0, SK, 0, idx, sc, &found), W2V_STATUS_NULL_POINTER, "`searcher`");
    CHECK(found == SIZE_SENT);

    /* Through the index and by the scan. The index is approximate: at
     * breadth 32 and at a breadth of the whole vocabulary, at least 9 in 10
     * of the scan's top 5 are found (HNSW can leave a node that no search
     * reaches, more often with a small m, as here). A word's own vector
     * finds the word first. */
    {
        size_t breadths[2], t;
        breadths[0] = 32;
        breadths[1] = vocab;
        for (t = 0; t < 2; t++) {
            size_t shared = 0, total = 0;
            OK(w2v_searcher_set_ef(s, breadths[t]));
            for (i = 0; i < vocab; i++) {
                char word[128];
                size_t needed = 0, b;
                OK(w2v_model_word(mapped, i, word, sizeof word, &needed));
                pos[0] = word;
                OK(w2v_searcher_most_similar(s, pos, 1, NULL, 0, SK, 0, idx, sc, &found));
                OK(w2v_searcher_most_similar(exact, pos, 1, NULL, 0, SK, 0, idx2, sc2, &found2));
                CHECK(found == found2 && found == (vocab - 1 < SK ? vocab - 1 : SK));
                for (j = 0; j < found; j++) {
                    CHECK(idx[j] != i && (j == 0 || sc[j] <= sc[j - 1]));
                    for (b = 0; b < found2; b++) {
                        shared += idx[j] == idx2[b];
                    }
                }
                total += found2;
                OK(w2v_model_vector(mapped, word, vec, dim, &needed));
                OK(w2v_searcher_nearest(s, vec, dim, SK, 0, idx, sc, &found));
                CHECK(found >= 1 && idx[0] == i && sc[0] > 0.999f);
            }
            printf("   breadth %zu: %zu of the scan's %zu neighbours found\n", breadths[t], shared, total);
            CHECK(total > 0 && shared * 10 >= total * 9);
        }
    }

    w2v_searcher_free(s);
    w2v_searcher_free(exact);
    w2v_searcher_free(NULL);
    w2v_model_free(m);
    w2v_model_free(mapped);
}
