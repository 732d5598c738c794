// search.cpp: a small C++17 RAII wrapper over the w2v C API, and a
// nearest-neighbour search served from several threads at once.
//
//   search MODEL.w2v [THREADS [QUERIES_PER_THREAD]]
//
// Opens a native model by mmap (w2v_model_load on a native file), answers
// every vocabulary word's nearest-neighbour query once on one thread, then
// asks the same queries again from THREADS threads (default 4) at the same
// time, QUERIES_PER_THREAD each (default 5000), and checks that every answer
// equals the single-threaded one. w2v.h: "A W2vModel is immutable once
// created: any number of threads may call the w2v_model_* query functions
// ... on the same model at the same time." Exits non-zero on any mismatch
// or error.

#include "w2v.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

namespace w2v {

/// A failed call: the status and the library's message.
class Error : public std::runtime_error {
public:
    Error(W2vStatus status, const std::string &what) : std::runtime_error(what), status_(status) {}
    W2vStatus status() const noexcept { return status_; }

private:
    W2vStatus status_;
};

/// The calling thread's last error message (messages are per thread).
inline std::string last_error_message() {
    std::size_t needed = 0;
    std::string msg(128, '\0');
    W2vStatus st = w2v_last_error_message(&msg[0], msg.size(), &needed);
    if (st == W2V_STATUS_BUFFER_TOO_SMALL) {
        msg.resize(needed);
        st = w2v_last_error_message(&msg[0], msg.size(), &needed);
    }
    if (st != W2V_STATUS_OK)
        return "(no message)";
    msg.resize(needed - 1); // drop the NUL
    return msg;
}

/// Throw an Error if `status` is not OK.
inline void check(W2vStatus status, const char *call) {
    if (status != W2V_STATUS_OK)
        throw Error(status, std::string(call) + ": " + last_error_message() + " (status " +
                                std::to_string(static_cast<int>(status)) + ")");
}

using Neighbours = std::vector<std::pair<std::string, float>>;

/// Word vectors: unique ownership of a W2vModel, move-only. Queries are
/// const and may run on any number of threads at once.
class Model {
public:
    /// A native file is mapped; word2vec binary and text are read.
    static Model load(const std::string &path) {
        W2vModel *raw = nullptr;
        check(w2v_model_load(path.c_str(), &raw), "w2v_model_load");
        return Model(raw);
    }

    /// Take ownership of `raw` (from w2v_train_* or w2v_model_load).
    explicit Model(W2vModel *raw) noexcept : model_(raw) {}

    Model(Model &&) noexcept = default;
    Model &operator=(Model &&) noexcept = default;
    Model(const Model &) = delete;
    Model &operator=(const Model &) = delete;
    ~Model() = default;

    const W2vModel *get() const noexcept { return model_.get(); }
    explicit operator bool() const noexcept { return model_ != nullptr; }

    std::size_t size() const {
        std::size_t n = 0;
        check(w2v_model_vocab_size(get(), &n), "w2v_model_vocab_size");
        return n;
    }

    std::size_t dim() const {
        std::size_t d = 0;
        check(w2v_model_dim(get(), &d), "w2v_model_dim");
        return d;
    }

    bool is_mapped() const {
        bool mapped = false;
        check(w2v_model_is_mapped(get(), &mapped), "w2v_model_is_mapped");
        return mapped;
    }

    /// Word `index` (0: the most frequent).
    std::string word(std::size_t index) const {
        char buf[64];
        std::size_t needed = 0;
        W2vStatus st = w2v_model_word(get(), index, buf, sizeof buf, &needed);
        if (st == W2V_STATUS_OK)
            return std::string(buf, needed - 1);
        if (st != W2V_STATUS_BUFFER_TOO_SMALL)
            check(st, "w2v_model_word");
        std::string s(needed, '\0'); // a long word: the size needed was reported
        check(w2v_model_word(get(), index, &s[0], s.size(), nullptr), "w2v_model_word");
        s.resize(needed - 1);
        return s;
    }

    std::size_t index(const std::string &word) const {
        std::size_t i = 0;
        check(w2v_model_index(get(), word.c_str(), &i), "w2v_model_index");
        return i;
    }

    std::vector<float> vector(const std::string &word) const {
        std::vector<float> v(dim());
        check(w2v_model_vector(get(), word.c_str(), v.data(), v.size(), nullptr), "w2v_model_vector");
        return v;
    }

    float similarity(const std::string &a, const std::string &b) const {
        float s = 0;
        check(w2v_model_similarity(get(), a.c_str(), b.c_str(), &s), "w2v_model_similarity");
        return s;
    }

    /// The `k` words nearest to the sum of the `positive` unit vectors minus
    /// the `negative` ones (query words excluded), best first.
    Neighbours most_similar(const std::vector<std::string> &positive,
                            const std::vector<std::string> &negative = {}, std::size_t k = 10,
                            std::size_t restrict_vocab = 0) const {
        std::vector<const char *> pos, neg;
        for (const auto &w : positive)
            pos.push_back(w.c_str());
        for (const auto &w : negative)
            neg.push_back(w.c_str());
        std::vector<std::size_t> indices(k);
        std::vector<float> scores(k);
        std::size_t found = 0;
        check(w2v_model_most_similar(get(), pos.data(), pos.size(), neg.data(), neg.size(), k,
                                     restrict_vocab, indices.data(), scores.data(), &found),
              "w2v_model_most_similar");
        return answers(indices, scores, found);
    }

    /// a : b :: c : ?
    Neighbours analogy(const std::string &a, const std::string &b, const std::string &c,
                       std::size_t k = 10, W2vAnalogyMethod method = W2V_ANALOGY_METHOD_ADD) const {
        std::vector<std::size_t> indices(k);
        std::vector<float> scores(k);
        std::size_t found = 0;
        check(w2v_model_analogy(get(), a.c_str(), b.c_str(), c.c_str(), method, k, 0, indices.data(),
                                scores.data(), &found),
              "w2v_model_analogy");
        return answers(indices, scores, found);
    }

private:
    Neighbours answers(const std::vector<std::size_t> &indices, const std::vector<float> &scores,
                       std::size_t found) const {
        Neighbours out;
        out.reserve(found);
        for (std::size_t i = 0; i < found; ++i)
            out.emplace_back(word(indices[i]), scores[i]);
        return out;
    }

    struct Free {
        void operator()(W2vModel *m) const noexcept { w2v_model_free(m); }
    };
    std::unique_ptr<W2vModel, Free> model_;
};

static_assert(!std::is_copy_constructible<Model>::value, "Model is move-only");
static_assert(!std::is_copy_assignable<Model>::value, "Model is move-only");
static_assert(std::is_nothrow_move_constructible<Model>::value, "Model moves without throwing");
static_assert(std::is_nothrow_move_assignable<Model>::value, "Model moves without throwing");

} // namespace w2v

namespace {

std::string show(const w2v::Neighbours &ns) {
    std::string s;
    char score[32];
    for (const auto &n : ns) {
        std::snprintf(score, sizeof score, " %.2f", n.second);
        s += (s.empty() ? "" : ", ") + n.first + score;
    }
    return s;
}

// Bitwise equality: the same query on the same model must give the same bits.
bool same(const w2v::Neighbours &a, const w2v::Neighbours &b) {
    if (a.size() != b.size())
        return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (a[i].first != b[i].first || std::memcmp(&a[i].second, &b[i].second, sizeof(float)) != 0)
            return false;
    return true;
}

unsigned long parse_count(const char *s, const char *what) {
    char *end = nullptr;
    unsigned long v = std::strtoul(s, &end, 10);
    if (*end != '\0' || v == 0) {
        std::fprintf(stderr, "error: %s must be a positive integer, got '%s'\n", what, s);
        std::exit(2);
    }
    return v;
}

// One query of the workload: the neighbours of one word, or of an analogy.
struct Query {
    std::vector<std::string> positive, negative;
};

} // namespace

int main(int argc, char **argv) try {
    if (argc < 2 || argc > 4) {
        std::fprintf(stderr, "usage: %s MODEL.w2v [THREADS [QUERIES_PER_THREAD]]\n", argv[0]);
        return 2;
    }
    const std::size_t threads = argc > 2 ? parse_count(argv[2], "THREADS") : 4;
    const std::size_t per_thread = argc > 3 ? parse_count(argv[3], "QUERIES_PER_THREAD") : 5000;
    const std::size_t k = 10;

    w2v::Model model = w2v::Model::load(argv[1]);
    if (!model.is_mapped()) {
        std::fprintf(stderr, "error: %s was read into memory, not mapped: not a native model\n", argv[1]);
        return 1;
    }
    std::printf("%s: %zu words, dimension %zu, mapped\n", argv[1], model.size(), model.dim());

    // A few answers, as a search tool would print them.
    for (const char *w : {"queen", "paris", "kitten"}) {
        try {
            std::printf("  %-8s %s\n", w, show(model.most_similar({w}, {}, 5)).c_str());
        } catch (const w2v::Error &e) {
            if (e.status() != W2V_STATUS_NOT_FOUND)
                throw;
            std::printf("  %-8s (not in the vocabulary)\n", w);
        }
    }
    try {
        std::printf("  man : king :: woman : %s\n", show(model.analogy("man", "king", "woman", 3)).c_str());
    } catch (const w2v::Error &e) {
        if (e.status() != W2V_STATUS_NOT_FOUND)
            throw;
    }
    // Errors are exceptions carrying the status and the message.
    try {
        model.most_similar({"no-such-word"});
        std::fprintf(stderr, "error: an unknown word did not throw\n");
        return 1;
    } catch (const w2v::Error &e) {
        std::printf("  unknown word: w2v::Error, status %d: %s\n", static_cast<int>(e.status()), e.what());
        if (e.status() != W2V_STATUS_NOT_FOUND)
            return 1;
    }

    // Moving transfers ownership; the moved-from Model is empty.
    w2v::Model shared = std::move(model);
    if (model || !shared) {
        std::fprintf(stderr, "error: the move did not transfer ownership\n");
        return 1;
    }

    // The workload: every word's neighbours, and analogies between
    // neighbouring words, answered once on this thread.
    std::vector<Query> queries;
    const std::size_t vocab = shared.size();
    for (std::size_t i = 0; i < vocab; ++i)
        queries.push_back(Query{{shared.word(i)}, {}});
    for (std::size_t i = 0; i + 2 < vocab && i < 200; i += 3)
        queries.push_back(Query{{shared.word(i + 1), shared.word(i + 2)}, {shared.word(i)}});
    std::vector<w2v::Neighbours> expected;
    expected.reserve(queries.size());
    auto t0 = std::chrono::steady_clock::now();
    for (const auto &q : queries)
        expected.push_back(shared.most_similar(q.positive, q.negative, k));
    double single_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::printf("%zu queries answered on one thread (%.0f queries/s)\n", queries.size(),
                queries.size() / single_s);

    // The same queries from `threads` threads at once, started together.
    std::mutex mutex;
    std::condition_variable start;
    bool go = false;
    std::atomic<std::size_t> mismatches{0}, answered{0};
    std::vector<std::string> errors(threads);
    std::vector<std::thread> pool;
    for (std::size_t t = 0; t < threads; ++t) {
        pool.emplace_back([&, t] {
            {
                std::unique_lock<std::mutex> lock(mutex);
                start.wait(lock, [&] { return go; });
            }
            try {
                // Each thread walks the queries in its own order.
                std::size_t q = (t * 7919) % queries.size();
                const std::size_t step = 2 * t + 1;
                for (std::size_t n = 0; n < per_thread; ++n, q = (q + step) % queries.size()) {
                    w2v::Neighbours got = shared.most_similar(queries[q].positive, queries[q].negative, k);
                    if (!same(got, expected[q])) {
                        if (mismatches++ < 5)
                            std::fprintf(stderr, "thread %zu: query %zu: got [%s], expected [%s]\n", t, q,
                                         show(got).c_str(), show(expected[q]).c_str());
                    }
                    answered++;
                }
            } catch (const std::exception &e) {
                errors[t] = e.what();
            }
        });
    }
    t0 = std::chrono::steady_clock::now();
    {
        std::lock_guard<std::mutex> lock(mutex);
        go = true;
    }
    start.notify_all();
    for (auto &th : pool)
        th.join();
    double multi_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

    bool failed = false;
    for (std::size_t t = 0; t < threads; ++t)
        if (!errors[t].empty()) {
            std::fprintf(stderr, "thread %zu failed: %s\n", t, errors[t].c_str());
            failed = true;
        }
    std::printf("%zu threads x %zu queries: %zu answered (%.0f queries/s), %zu differ from the "
                "single-threaded answers\n",
                threads, per_thread, answered.load(), answered.load() / multi_s, mismatches.load());
    if (failed || mismatches.load() != 0 || answered.load() != threads * per_thread) {
        std::fprintf(stderr, "error: concurrent answers are wrong or missing\n");
        return 1;
    }
    std::printf("OK: every concurrent answer equals the single-threaded one\n");
    return 0;
} catch (const w2v::Error &e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
} catch (const std::exception &e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
}
