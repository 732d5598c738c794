/*
 * test_ffi_files.c: test_ffi's tests of saving and loading models in the
 * three formats, of corrupt and truncated model files, of evaluation
 * (analogy questions, similarity pairs), and of NUL and control bytes in
 * words (model files, corpora, query words). The harness is in test_ffi.c.
 */
#define _POSIX_C_SOURCE 200809L

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "w2v.h"
#include "test_ffi.h"

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

W2vModel *test_files(const W2vModel *model)
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
        /* Header (src/format/sections.rs): magic 0..8, version 8..12, the
         * number of sections n 12..16, n entries of 32 bytes from 16 (tag,
         * offset, length, CRC, flags), the header CRC at 16 + 32 n. */
        size_t crc_at = 16 + 32 * (size_t)data[12];
        data[17] ^= 0x01; /* the first section's tag changed: the header CRC no longer matches */
        CHECK(write_file(bad_header, data, len));
        EXPECT_LOAD(bad_header, W2V_STATUS_FORMAT, -1, "checksum", NULL);
        data[17] ^= 0x01;
        data[crc_at + 1] ^= 0x40; /* the header CRC itself */
        CHECK(write_file(bad_header, data, len));
        EXPECT_LOAD(bad_header, W2V_STATUS_FORMAT, -1, "checksum", NULL);
        data[crc_at + 1] ^= 0x40;
        data[8] = 4; /* a newer format version */
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

void test_eval(const W2vModel *m)
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
/* NUL and control bytes in words. The tokenizer separates words at the space
 * and at every ASCII control byte (NUL to \x1f, and \x7f), so no word of a
 * trained model holds one (a C string could not carry a NUL); word2vec files
 * whose words hold one are refused (W2V_STATUS_FORMAT). A query word with a
 * control byte is valid UTF-8: simply not found. */

/* Append `len` bytes to `out` at `*n`. */
static void append(unsigned char *out, size_t *n, const void *data, size_t len)
{
    memcpy(out + *n, data, len);
    *n += len;
}

/* A word2vec binary file of two words, `word` (`len` bytes) and "ok", dim 2. */
static size_t binary_model(unsigned char *out, const char *word, size_t len)
{
    static const float a[2] = {0.5f, 1.0f}, b[2] = {1.0f, 0.5f};
    size_t n = 0;
    append(out, &n, "2 2\n", 4);
    append(out, &n, word, len);
    append(out, &n, " ", 1);
    append(out, &n, a, sizeof a);
    append(out, &n, "\nok ", 4);
    append(out, &n, b, sizeof b);
    append(out, &n, "\n", 1);
    return n;
}

/* The words of a model trained on `line`: "king", "queen", "man", "woman",
 * "boy", "girl", "cat", "dog", each once per line; no word holds a control
 * byte, every word is whole (no NUL inside: `needed` is its strlen + 1), and
 * w2v_model_index of each word returns that word's own index. */
static void check_clean_words(const W2vModel *m)
{
    static const char *const want[] = {"king", "queen", "man", "woman", "boy", "girl", "cat", "dog"};
    const size_t nwant = sizeof want / sizeof want[0];
    char buf[64];
    size_t i, n = SIZE_SENT, at, needed;
    int clean = 1, whole = 1, round_trip = 1;

    OK(w2v_model_vocab_size(m, &n));
    CHECK(n == nwant);
    for (i = 0; i < n && i < 64; i++) {
        const char *c;
        needed = SIZE_SENT;
        OK(w2v_model_word(m, i, buf, sizeof buf, &needed));
        whole &= needed == strlen(buf) + 1;
        for (c = buf; *c; c++)
            clean &= (unsigned char)*c >= 0x20 && (unsigned char)*c != 0x7f;
        at = SIZE_SENT;
        round_trip &= w2v_model_index(m, buf, &at) == W2V_STATUS_OK && at == i;
    }
    CHECK(clean);      /* no control byte in any word */
    CHECK(whole);      /* no NUL inside a word: C reads all of it */
    CHECK(round_trip); /* each word returned is found again, at its own index */
    for (i = 0; i < nwant; i++) {
        at = SIZE_SENT;
        OK(w2v_model_index(m, want[i], &at));
        CHECK(at < n);
    }
    EXPECT(w2v_model_index(m, "king\001queen", &at), W2V_STATUS_NOT_FOUND, NULL);
    EXPECT(w2v_model_index(m, "boy\033girl", &at), W2V_STATUS_NOT_FOUND, NULL);
}

/* Train on a corpus with NUL, \001, \033 and \177 between words, from a
 * buffer and from a file; both see the same 8 words. */
static void train_with_control_bytes(void)
{
    static const char line[] = "king\001queen man\0woman boy\033girl\0\0cat\177dog\n";
    const size_t line_len = sizeof line - 1, reps = 30;
    const char *corpus = path_in("control-bytes-corpus.txt");
    W2vTrainOptions *o = small_options();
    W2vModel *m = NULL;
    char *text = malloc(line_len * reps);
    size_t i;

    CHECK(o != NULL && text != NULL);
    if (!o || !text) {
        free(text);
        w2v_train_options_free(o);
        return;
    }
    for (i = 0; i < reps; i++)
        memcpy(text + i * line_len, line, line_len);
    CHECK(memchr(text, '\0', line_len) != NULL); /* the corpus does hold NUL bytes */
    OK(w2v_train_buffer(o, text, line_len * reps, NULL, NULL, &m));
    if (m)
        check_clean_words(m);
    w2v_model_free(m);
    m = NULL;
    CHECK(write_file(corpus, text, line_len * reps));
    OK(w2v_train_file(o, corpus, NULL, NULL, &m));
    if (m)
        check_clean_words(m);
    w2v_model_free(m);
    w2v_train_options_free(o);
    free(text);
}

void test_control_bytes(const W2vModel *model)
{
    static const char clean_txt[] = "2 2\nde 0.5 1\nok 1 0.5\n";
    static const char nul_txt[] = "2 2\nd\0e 0.5 1\nok 1 0.5\n";
    static const char ctl_txt[] = "2 2\nd\001e 0.5 1\nok 1 0.5\n";
    const char *clean_t = path_in("clean-word.txt"), *nul_t = path_in("nul-word.txt");
    const char *ctl_t = path_in("control-word.txt"), *clean_b = path_in("clean-word.bin");
    const char *nul_b = path_in("nul-word.bin"), *ctl_b = path_in("control-word.bin");
    const char *pos[1] = {"qu\001een"};
    unsigned char bin[64];
    size_t n = SIZE_SENT, at = SIZE_SENT, idx[4], found = SIZE_SENT;
    float sc[4], cos = FLOAT_SENT;
    W2vModel *m = NULL;

    section("NUL and control bytes in words");
    CHECK(write_file(clean_t, clean_txt, sizeof clean_txt - 1) && write_file(nul_t, nul_txt, sizeof nul_txt - 1) &&
          write_file(ctl_t, ctl_txt, sizeof ctl_txt - 1));
    n = binary_model(bin, "de", 2);
    CHECK(write_file(clean_b, bin, n));
    n = binary_model(bin, "d\0e", 3);
    CHECK(write_file(nul_b, bin, n));
    n = binary_model(bin, "d\001e", 3);
    CHECK(write_file(ctl_b, bin, n));
    /* The files are otherwise valid: with "de" for the word, both load. */
    OK(w2v_model_load(clean_t, &m));
    OK(w2v_model_vocab_size(m, &n));
    CHECK(n == 2);
    w2v_model_free(m);
    m = NULL;
    OK(w2v_model_load(clean_b, &m));
    w2v_model_free(m);
    /* With "d\0e" or "d\001e" for the word, neither loads. */
    EXPECT_LOAD(nul_t, W2V_STATUS_FORMAT, -1, NULL, NULL);
    EXPECT_LOAD(ctl_t, W2V_STATUS_FORMAT, -1, NULL, NULL);
    EXPECT_LOAD(nul_b, W2V_STATUS_FORMAT, -1, NULL, NULL);
    EXPECT_LOAD(ctl_b, W2V_STATUS_FORMAT, -1, NULL, NULL);

    train_with_control_bytes();

    /* Query words with control bytes are valid UTF-8: not found, whatever the model. */
    EXPECT(w2v_model_index(model, "king\001", &at), W2V_STATUS_NOT_FOUND, NULL);
    EXPECT(w2v_model_index(model, "\033[1mking", &at), W2V_STATUS_NOT_FOUND, NULL);
    EXPECT(w2v_model_similarity(model, "king", "qu\001een", &cos), W2V_STATUS_NOT_FOUND, NULL);
    EXPECT(w2v_model_most_similar(model, pos, 1, NULL, 0, 4, 0, idx, sc, &found), W2V_STATUS_NOT_FOUND, NULL);
    EXPECT(w2v_model_analogy(model, "man", "king", "wo\001man", 0, 4, 0, idx, sc, &found), W2V_STATUS_NOT_FOUND,
           NULL);
    CHECK(at == SIZE_SENT && found == SIZE_SENT && cos == FLOAT_SENT); /* untouched by the failures */
}
