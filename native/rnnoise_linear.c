/* RNNoise's dense layers, the same sums in the same order, several rows at once.
 *
 * The pyrnnoise wheel's librnnoise.so computes every layer of its network in
 * rnn_compute_linear_c, one block of 8 outputs at a time: each output is a chain of dependent
 * additions, so the CPU waits on each addition's latency (two thirds of RNNoise's time). This
 * library defines the same symbol; loaded with RTLD_GLOBAL before librnnoise.so, it takes the
 * library's calls (they go through its PLT). It keeps every output's additions in the
 * library's order, without fused multiply-adds (built with -ffp-contract=off), so the output
 * is identical bit for bit, and works on 4 row blocks at a time so the chains overlap.
 * Layers it does not handle (8-bit weights, which this build of RNNoise does not use) go to
 * the library's own function, given by rnn_linear_fast_init(), as does everything while
 * rnn_linear_fast_enable(0). (dlsym(RTLD_NEXT) cannot find it: librnnoise.so is loaded with
 * RTLD_LOCAL.)
 *
 * Built by scripts/build-native.sh; loaded by audio/rnnoise_simd.py.
 */
#include <stddef.h>

/* RNNoise 0.2's LinearLayer (nnet.h), which the library passes by pointer. */
typedef struct {
    const float *bias;
    const float *subias;
    const signed char *weights;
    const float *float_weights;
    const int *weights_idx;
    const float *diag;
    const float *scale;
    int nb_inputs;
    int nb_outputs;
} LinearLayer;

typedef void (*linear_fn)(const LinearLayer *, float *, const float *);
typedef float v8 __attribute__((vector_size(32)));

static linear_fn library;
static int enabled = 1;
static unsigned long fast_calls;

void rnn_linear_fast_init(linear_fn library_function) { library = library_function; }
void rnn_linear_fast_enable(int on) { enabled = on; }
unsigned long rnn_linear_fast_calls(void) { return fast_calls; }

static inline v8 load8(const float *p) { v8 v; __builtin_memcpy(&v, p, sizeof v); return v; }
static inline void store8(float *p, v8 v) { __builtin_memcpy(p, &v, sizeof v); }
static inline v8 splat(float x) { return (v8){x, x, x, x, x, x, x, x}; }

/* One sparse block: 8 outputs x 4 inputs, stored input by input as the library stores it. */
static inline v8 block(v8 acc, const float *w, const float *x) {
    acc = acc + load8(w) * splat(x[0]);
    acc = acc + load8(w + 8) * splat(x[1]);
    acc = acc + load8(w + 16) * splat(x[2]);
    acc = acc + load8(w + 24) * splat(x[3]);
    return acc;
}

#define ROW_BLOCKS 4 /* row blocks worked on together */

/* The library's sparse_sgemv8x4: per block of 8 rows, a count of 8x4 blocks, then the first
 * input of each. */
static void sparse_sgemv8x4(float *out, const float *w, const int *idx, int rows,
                            const float *x) {
    for (int i = 0; i < rows; i += 8 * ROW_BLOCKS) {
        int blocks = (rows - i) / 8 < ROW_BLOCKS ? (rows - i) / 8 : ROW_BLOCKS;
        const int *inputs[ROW_BLOCKS];
        const float *weights[ROW_BLOCKS];
        int count[ROW_BLOCKS], common = 1 << 30;
        v8 acc[ROW_BLOCKS];
        for (int b = 0; b < blocks; b++) {
            count[b] = *idx;
            inputs[b] = idx + 1;
            weights[b] = w;
            idx += 1 + count[b];
            w += 32 * count[b];
            acc[b] = splat(0.0f);
            if (count[b] < common) common = count[b];
        }
        if (blocks < ROW_BLOCKS) common = 0;
        for (int k = 0; k < common; k++)
            for (int b = 0; b < ROW_BLOCKS; b++)
                acc[b] = block(acc[b], weights[b] + 32 * k, x + inputs[b][k]);
        for (int b = 0; b < blocks; b++) {
            for (int k = common; k < count[b]; k++)
                acc[b] = block(acc[b], weights[b] + 32 * k, x + inputs[b][k]);
            store8(out + i + 8 * b, acc[b]);
        }
    }
}

#define DENSE_ROWS 64 /* rows worked on together */

/* The library's sgemv: weights stored input by input, each output summed over the inputs in
 * order from zero. */
static void sgemv(float *out, const float *w, int rows, int cols, const float *x) {
    int i = 0;
    for (; i + DENSE_ROWS <= rows; i += DENSE_ROWS) {
        v8 acc[DENSE_ROWS / 8];
        for (int r = 0; r < DENSE_ROWS / 8; r++) acc[r] = splat(0.0f);
        for (int j = 0; j < cols; j++) {
            v8 xj = splat(x[j]);
            const float *wj = w + (size_t)j * rows + i;
            for (int r = 0; r < DENSE_ROWS / 8; r++) acc[r] = acc[r] + load8(wj + 8 * r) * xj;
        }
        for (int r = 0; r < DENSE_ROWS / 8; r++) store8(out + i + 8 * r, acc[r]);
    }
    for (; i < rows; i++) {
        float sum = 0.0f;
        for (int j = 0; j < cols; j++) sum += w[(size_t)j * rows + i] * x[j];
        out[i] = sum;
    }
}

void rnn_compute_linear_c(const LinearLayer *linear, float *out, const float *in) {
    int inputs = linear->nb_inputs, outputs = linear->nb_outputs;
    if (library != NULL && (!enabled || linear->float_weights == NULL)) {
        library(linear, out, in);
        return;
    }
    fast_calls++;
    if (linear->weights_idx != NULL)
        sparse_sgemv8x4(out, linear->float_weights, linear->weights_idx, outputs, in);
    else
        sgemv(out, linear->float_weights, outputs, inputs, in);
    if (linear->bias != NULL)
        for (int i = 0; i < outputs; i++) out[i] += linear->bias[i];
    if (linear->diag != NULL) /* GRU recurrent weights: 3 gates */
        for (int i = 0; i < inputs; i++) {
            out[i] += linear->diag[i] * in[i];
            out[i + inputs] += linear->diag[i + inputs] * in[i];
            out[i + 2 * inputs] += linear->diag[i + 2 * inputs] * in[i];
        }
}
