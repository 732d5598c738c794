/*
 * bench_kernels.c: time w2v_kernel_dot and w2v_kernel_axpy at every SIMD
 * level this CPU has (w2v_simd_available), against the scalar level, and
 * check that every level agrees with scalar.
 *
 *   bench_kernels [--quick] [DIM...]        (default dims: 100 300)
 *
 * Each figure is the median over several batches of the time per call, in
 * nanoseconds; a batch repeats the call enough times to last about a
 * millisecond. The times include the C call (level check and dispatch), a
 * few nanoseconds that weigh most at small dims. --quick runs fewer and
 * shorter batches (for valgrind).
 *
 * Exits non-zero if a level disagrees with scalar beyond the tolerance or a
 * call fails.
 */
#define _POSIX_C_SOURCE 200809L

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "w2v.h"

#define MAX_BATCHES 15

static const char *const level_names[] = {"scalar", "portable", "avx2", "avx512"};

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static void fail(const char *call, enum W2vStatus st)
{
    char msg[256] = "";
    (void)w2v_last_error_message(msg, sizeof msg, NULL);
    fprintf(stderr, "error: %s failed (status %d): %s\n", call, (int)st, msg);
    exit(1);
}

#define CHECK(call)                              \
    do {                                         \
        enum W2vStatus st_ = (call);             \
        if (st_ != W2V_STATUS_OK)                \
            fail(#call, st_);                    \
    } while (0)

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

/* Deterministic floats in [-1, 1). */
static void fill(float *v, size_t n, unsigned *state)
{
    size_t i;
    for (i = 0; i < n; i++) {
        *state = *state * 1664525u + 1013904223u;
        v[i] = (float)((*state >> 8) & 0xFFFFFF) / 8388608.0f - 1.0f;
    }
}

struct bench {
    int batches;
    double batch_ns; /* a batch lasts at least this long */
};

static float sink; /* keeps dot results alive */

/* Median ns per call of dot or axpy at `level`. */
static double time_kernel(const struct bench *b, int is_dot, int level, const float *x, float *y, size_t n)
{
    double per_call[MAX_BATCHES];
    long calls = 64, i;
    int batch;
    float d = 0.0f;

    /* Calibrate: double the calls until a batch lasts batch_ns. */
    for (;;) {
        double t0 = now_ns(), t;
        for (i = 0; i < calls; i++) {
            if (is_dot)
                CHECK(w2v_kernel_dot(level, x, y, n, &d));
            else
                CHECK(w2v_kernel_axpy(level, (i & 1) ? -1e-3f : 1e-3f, x, y, n));
        }
        t = now_ns() - t0;
        if (t >= b->batch_ns || calls >= (1L << 26))
            break;
        calls *= 2;
    }
    for (batch = 0; batch < b->batches; batch++) {
        double t0 = now_ns();
        for (i = 0; i < calls; i++) {
            if (is_dot) {
                CHECK(w2v_kernel_dot(level, x, y, n, &d));
                sink += d;
            } else {
                /* +alpha then -alpha: y stays bounded. */
                CHECK(w2v_kernel_axpy(level, (i & 1) ? -1e-3f : 1e-3f, x, y, n));
            }
        }
        per_call[batch] = (now_ns() - t0) / (double)calls;
    }
    return median(per_call, b->batches);
}

int main(int argc, char **argv)
{
    struct bench bench = {9, 1e6};
    size_t dims[16];
    int ndims = 0, a, level, failures = 0;
    bool available[4];
    enum W2vSimdLevel active;

    for (a = 1; a < argc; a++) {
        if (strcmp(argv[a], "--quick") == 0) {
            bench.batches = 3;
            bench.batch_ns = 2e5;
        } else if (ndims < 16 && atoi(argv[a]) > 0) {
            dims[ndims++] = (size_t)atoi(argv[a]);
        } else {
            fprintf(stderr, "usage: %s [--quick] [DIM...]\n", argv[0]);
            return 2;
        }
    }
    if (ndims == 0) {
        dims[ndims++] = 100;
        dims[ndims++] = 300;
    }

    CHECK(w2v_simd_level(&active));
    printf("w2v %s; levels on this CPU:", w2v_version());
    for (level = W2V_SIMD_LEVEL_SCALAR; level <= W2V_SIMD_LEVEL_AVX512; level++) {
        CHECK(w2v_simd_available(level, &available[level]));
        if (available[level])
            printf(" %s", level_names[level]);
    }
    printf(" (models use %s)\n", level_names[active]);
    printf("median of %d batches, ns per call (C call included)\n\n", bench.batches);
    printf("%5s  %-9s %12s %9s %12s %9s  %s\n", "dim", "level", "dot ns/call", "speed-up", "axpy ns/call",
           "speed-up", "error vs scalar (dot, axpy)");

    for (a = 0; a < ndims; a++) {
        size_t n = dims[a], i;
        unsigned seed = 12345u + (unsigned)n;
        float *x = malloc(n * sizeof *x), *y = malloc(n * sizeof *y);
        float *y0 = malloc(n * sizeof *y0), *y_ref = malloc(n * sizeof *y_ref), *y_got = malloc(n * sizeof *y_got);
        float dot_ref, dot_got;
        double scale = 0.0, dot_scalar_ns = 0.0, axpy_scalar_ns = 0.0;
        const float alpha = 0.37f;

        if (!x || !y || !y0 || !y_ref || !y_got) {
            perror("malloc");
            return 1;
        }
        fill(x, n, &seed);
        fill(y0, n, &seed);
        for (i = 0; i < n; i++)
            scale += fabs((double)x[i] * (double)y0[i]);

        /* References: the scalar level. */
        CHECK(w2v_kernel_dot(W2V_SIMD_LEVEL_SCALAR, x, y0, n, &dot_ref));
        memcpy(y_ref, y0, n * sizeof *y0);
        CHECK(w2v_kernel_axpy(W2V_SIMD_LEVEL_SCALAR, alpha, x, y_ref, n));

        for (level = W2V_SIMD_LEVEL_SCALAR; level <= W2V_SIMD_LEVEL_AVX512; level++) {
            double err_dot, err_axpy = 0.0, dot_ns, axpy_ns;
            int ok;
            if (!available[level])
                continue;
            /* Agreement: summation order differs between levels (lanes,
             * FMA), so allow a relative error of the sum of |x*y|. */
            CHECK(w2v_kernel_dot(level, x, y0, n, &dot_got));
            err_dot = fabs((double)dot_got - (double)dot_ref) / (scale > 0 ? scale : 1.0);
            memcpy(y_got, y0, n * sizeof *y0);
            CHECK(w2v_kernel_axpy(level, alpha, x, y_got, n));
            for (i = 0; i < n; i++) {
                double e = fabs((double)y_got[i] - (double)y_ref[i]) /
                           (fabs((double)y0[i]) + fabs((double)alpha * x[i]) + 1e-30);
                if (e > err_axpy)
                    err_axpy = e;
            }

            memcpy(y, y0, n * sizeof *y0);
            dot_ns = time_kernel(&bench, 1, level, x, y, n);
            axpy_ns = time_kernel(&bench, 0, level, x, y, n);
            if (level == W2V_SIMD_LEVEL_SCALAR) {
                dot_scalar_ns = dot_ns;
                axpy_scalar_ns = axpy_ns;
            }
            ok = err_dot <= 1e-5 && err_axpy <= 1e-6;
            failures += !ok;
            printf("%5zu  %-9s %12.1f %8.2fx %12.1f %8.2fx  %.1e, %.1e%s\n", n, level_names[level], dot_ns,
                   dot_scalar_ns / dot_ns, axpy_ns, axpy_scalar_ns / axpy_ns, err_dot, err_axpy,
                   ok ? "" : "  MISMATCH");
        }
        free(x);
        free(y);
        free(y0);
        free(y_ref);
        free(y_got);
    }
    if (failures) {
        fprintf(stderr, "error: %d results disagree with scalar\n", failures);
        return 1;
    }
    printf("\nevery level agrees with scalar (dot: relative error <= 1e-5 of sum |x*y|; axpy: <= 1e-6 per element)\n");
    return sink == 12345.0f ? 3 : 0; /* uses `sink` so the dot results cannot be optimised away */
}
