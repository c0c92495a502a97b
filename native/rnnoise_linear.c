/* RNNoise's dense layers, the same sums in the same order, several rows at once.
 *
 * The pyrnnoise wheel's librnnoise.so computes every layer of its network in
 * rnn_compute_linear_c, one block of 8 outputs at a time: each output is a chain of dependent
 * additions, so the CPU waits on each addition's latency (two thirds of RNNoise's time). This
 * library defines the same symbol; loaded with RTLD_GLOBAL before librnnoise.so, it takes the
 * library's calls (they go through its PLT). It keeps every output's additions in the
 * library's order, without fused multiply-adds (built with -ffp-contract=off), so the output
 * is identical bit for bit, and works on 4 row blocks at a time so the chains overlap.
 * Layers it does not handle go to the library's own function, given by rnn_linear_fast_init(),
 * as does everything while rnn_linear_fast_enable(0). (dlsym(RTLD_NEXT) cannot find it:
 * librnnoise.so is loaded with RTLD_LOCAL.)
 *
 * rnn_linear_fast_enable(2) computes instead, where the model has them, from its 8-bit
 * weights, as RNNoise's default build does (this library's float copies are its "debug float"
 * option): each input rounded to a step of 1/127, each sum exact in integers, then times the
 * row's scale: a quarter of the memory read per frame. Built where there is a vector integer
 * dot product to do it with (rnn_linear_int8_built()): x86 with AVX2 and ARM's NEON; elsewhere
 * the float layers are used.
 *
 * Built by scripts/build-native.sh; loaded by audio/rnnoise_simd.py.
 */
#include <stddef.h>
#include <stdlib.h>
#if defined(__AVX2__)
#include <immintrin.h>
#define INT8_LAYERS 1
#elif defined(__ARM_NEON)
#include <arm_neon.h>
#define INT8_LAYERS 1
#endif
#ifdef INT8_LAYERS
#include <math.h>
#endif

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
static int enabled = 1; /* 0: the library's code, 1: float layers, 2: 8-bit where possible */
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

#ifdef INT8_LAYERS
int rnn_linear_int8_built(void) { return 1; }

#define MAX_LAYERS 32
#define MAX_INPUTS 2048

/* An 8-bit layer as this file computes it, worked out on its first call. */
static struct {
    const signed char *weights; /* the model's: the key */
    const int *idx; /* its block index, or for a dense layer one listing every block */
    int usable; /* every weight -127..127 (the x86 products assume it) */
} layers[MAX_LAYERS];

/* The layer's block index if it can be computed from its 8-bit weights, else NULL. */
static const int *block_index(const LinearLayer *linear) {
    int rows = linear->nb_outputs, cols = linear->nb_inputs, n = 0;
    for (; n < MAX_LAYERS && layers[n].weights != NULL; n++)
        if (layers[n].weights == linear->weights) return layers[n].usable ? layers[n].idx : NULL;
    if (n == MAX_LAYERS) return NULL;
    const int *idx = linear->weights_idx;
    if (idx == NULL) {
        int *all = malloc(sizeof(int) * (size_t)(rows / 8) * (1 + cols / 4));
        if (all == NULL) return NULL;
        for (int i = 0, *q = all; i < rows; i += 8) {
            *q++ = cols / 4;
            for (int j = 0; j < cols; j += 4) *q++ = j;
        }
        idx = all;
    }
    size_t blocks = 0;
    const int *q = idx;
    for (int i = 0; i < rows; i += 8) {
        blocks += (size_t)*q;
        q += 1 + *q;
    }
    layers[n].usable = 1;
    for (size_t k = 0; k < 32 * blocks; k++)
        if (linear->weights[k] == -128) layers[n].usable = 0;
    layers[n].idx = idx;
    layers[n].weights = linear->weights;
    return layers[n].usable ? idx : NULL;
}

#if defined(__AVX2__)
/* acc + each row's 4 weights . the 4 inputs in x (repeated): 8 rows' sums in 32 bits. Unsigned
 * by signed is what the instructions multiply: |x| by the weight with x's sign (the model's
 * weights are -127..127, so none overflows). */
static inline __m256i dot4(__m256i acc, __m256i x, __m256i w) {
    __m256i size = _mm256_abs_epi8(x), signed_w = _mm256_sign_epi8(w, x);
#if defined(__AVX512VNNI__) && defined(__AVX512VL__)
    return _mm256_dpbusd_epi32(acc, size, signed_w);
#elif defined(__AVXVNNI__)
    return _mm256_dpbusd_avx_epi32(acc, size, signed_w);
#else /* pairs to 16 bits: at most 2 x 127 x 127, no saturation */
    return _mm256_add_epi32(acc, _mm256_madd_epi16(_mm256_maddubs_epi16(size, signed_w),
                                                   _mm256_set1_epi16(1)));
#endif
}

/* The sums of 8 rows over ``count`` blocks of ``w`` (8 rows x 4 weights each, row by row), the
 * inputs at ``idx``. */
static inline void row_sums(int sums[8], const signed char *w, const int *idx, int count,
                            const signed char *x) {
    __m256i acc[4] = {_mm256_setzero_si256(), _mm256_setzero_si256(),
                      _mm256_setzero_si256(), _mm256_setzero_si256()};
    for (int k = 0; k < count; k++, w += 32) { /* four chains: the sums wait less */
        int x4;
        __builtin_memcpy(&x4, x + idx[k], sizeof x4);
        acc[k & 3] = dot4(acc[k & 3], _mm256_set1_epi32(x4),
                          _mm256_loadu_si256((const __m256i *)w));
    }
    __m256i sum = _mm256_add_epi32(_mm256_add_epi32(acc[0], acc[1]),
                                   _mm256_add_epi32(acc[2], acc[3]));
    _mm256_storeu_si256((__m256i *)sums, sum);
}
#else
static inline void row_sums(int sums[8], const signed char *w, const int *idx, int count,
                            const signed char *x) {
    /* Products to 16 bits (at most 127 x 127), added in pairs to 32: two lanes per row. */
    int32x4_t acc[4] = {vdupq_n_s32(0), vdupq_n_s32(0), vdupq_n_s32(0), vdupq_n_s32(0)};
    for (int k = 0; k < count; k++, w += 32) {
        int x4;
        __builtin_memcpy(&x4, x + idx[k], sizeof x4);
        int8x8_t xs = vreinterpret_s8_s32(vdup_n_s32(x4));
        int8x16_t rows03 = vld1q_s8(w), rows47 = vld1q_s8(w + 16);
        acc[0] = vpadalq_s16(acc[0], vmull_s8(vget_low_s8(rows03), xs));
        acc[1] = vpadalq_s16(acc[1], vmull_s8(vget_high_s8(rows03), xs));
        acc[2] = vpadalq_s16(acc[2], vmull_s8(vget_low_s8(rows47), xs));
        acc[3] = vpadalq_s16(acc[3], vmull_s8(vget_high_s8(rows47), xs));
    }
    vst1q_s32(sums, vpaddq_s32(acc[0], acc[1]));
    vst1q_s32(sums + 4, vpaddq_s32(acc[2], acc[3]));
}
#endif

/* RNNoise's cgemv8x4: 8x4 blocks of 8-bit weights stored row by row. */
static void sparse_cgemv8x4(float *out, const signed char *w, const int *idx, int rows, int cols,
                            const float *in, const float *scale) {
    signed char x[MAX_INPUTS];
    for (int j = 0; j < cols; j++) {
        float q = floorf(0.5f + 127.0f * in[j]);
        x[j] = (signed char)(q > 127.0f ? 127 : q < -127.0f ? -127 : q);
    }
    for (int i = 0; i < rows; i += 8) {
        int count = *idx++, sums[8];
        row_sums(sums, w, idx, count, x);
        w += 32 * count;
        idx += count;
        for (int r = 0; r < 8; r++) out[i + r] = (float)sums[r] * scale[i + r];
    }
}

/* The 8-bit weights' index if this layer can be computed from them, else NULL. */
static const int *int8_index(const LinearLayer *linear) {
    if (enabled != 2 || linear->weights == NULL || linear->scale == NULL
        || linear->nb_outputs % 8 || linear->nb_inputs % 4 || linear->nb_inputs > MAX_INPUTS)
        return NULL;
    return block_index(linear);
}
#else
int rnn_linear_int8_built(void) { return 0; }
#endif

void rnn_compute_linear_c(const LinearLayer *linear, float *out, const float *in) {
    int inputs = linear->nb_inputs, outputs = linear->nb_outputs;
#ifdef INT8_LAYERS
    const int *idx = int8_index(linear);
#else
    const int *idx = NULL;
#endif
    if (library != NULL && (!enabled || (linear->float_weights == NULL && idx == NULL))) {
        library(linear, out, in);
        return;
    }
    fast_calls++;
#ifdef INT8_LAYERS
    if (idx != NULL)
        sparse_cgemv8x4(out, linear->weights, idx, outputs, inputs, in, linear->scale);
    else
#endif
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
