// Dice (DIN, Zhou et al., 2018) as one op: a PReLU whose switch point follows the data.
//   s = (x - mean) / sqrt(var + eps),   p = sigmoid(s),   y = p * x + (1 - p) * alpha * x
// per feature (last axis), x seen as [n, D]. Composed from primitives this is about ten passes over
// [n, D], each broadcasting a [D] vector and each with a backward that sums over n, in the middle of
// every DIN step's tower. Here forward and backward are one pass each (plus two for
// the statistics), with per-feature sums kept in double.
#include <cmath>
#include <string>

#include "core/ops.h"
#include "core/parallel.h"
#include "core/profile.h"
#include "core/tensor_impl.h"

// glibc's libmvec has exp and expf for 2 to 16 lanes at a time, but math.h declares them to the compiler
// only under -ffast-math, which would also let it reorder the double sums below and assume exp(-s)
// never overflows to inf. Declared here, the forward's `omp simd` loop calls them instead of the scalar
// exp per element (test: DiceOp.Float32MatchesFloat64ThroughSaturatedExpAndTheVectorTail); elsewhere
// it calls the scalar exp.
#if defined(__x86_64__) && defined(__GLIBC__)
extern "C" {
#pragma omp declare simd notinbranch
float expf(float) noexcept;
#pragma omp declare simd notinbranch
double exp(double) noexcept;
}
#endif

namespace recgrad {

namespace {
void check_dice(const Tensor& x, const Tensor& alpha, const char* op) {
  if (alpha.dim() != 1 || x.dim() == 0 || x.size(-1) != alpha.size(0))
    throw std::invalid_argument(std::string(op) + ": x " + to_string(x.shape()) + " and alpha " +
                                to_string(alpha.shape()) + " do not fit (need x [..., D], alpha [D])");
}

// What forward and backward share: p per element, the mean and 1 / sqrt(var + eps) per feature.
// s is recomputed from x rather than kept: a DIN step's time goes largely to first touches of fresh
// memory, so the graph holds as few [n, D] buffers as it can.
template <class T>
struct DiceSaved {
  Array<T> p;
  std::vector<T> mean, inv_std;  // in x's precision, so the loops over [n, D] stay in one type
  T s(T x, std::size_t j) const { return (x - mean[j]) * inv_std[j]; }
};

// y from x [n, D] and the statistics; fills `saved`.
template <class T>
Array<T> dice_forward(const Tensor& x, const T* alpha, const std::vector<double>& mean,
                      const std::vector<double>& var, double eps, DiceSaved<T>& saved) {
  const std::size_t D = mean.size(), n = x.numel() / D;
  const T* v = x.data<T>();
  saved.mean.assign(mean.begin(), mean.end());
  saved.inv_std.resize(D);
  for (std::size_t j = 0; j < D; ++j) saved.inv_std[j] = static_cast<T>(1.0 / std::sqrt(var[j] + eps));
  saved.p = Array<T>::from_shape({n, D});
  Array<T> y = Array<T>::from_shape(x.shape());
  T *p = saved.p.data(), *out = y.data();  // raw pointers: the compiler need not reload them per element
#pragma omp parallel for schedule(static) num_threads(threads_for(n * D))
  for (std::size_t r = 0; r < n; ++r)
#pragma omp simd  // lanes along j: feature j takes the same path (vector or tail) whatever the threads
    for (std::size_t j = 0; j < D; ++j) {
      const std::size_t i = r * D + j;
      p[i] = T(1) / (T(1) + std::exp(-saved.s(v[i], j)));  // exp(-s) = inf for very negative s: p = 0
      out[i] = v[i] * (alpha[j] + (T(1) - alpha[j]) * p[i]);
    }
  return y;
}

// The gradient of element i with respect to s, and through y's direct dependence on x:
//   g = dy x (1 - alpha) p (1 - p),   direct dx = dy (alpha + (1 - alpha) p)
template <class T>
T grad_s(T dy, T x, T alpha, T p) {
  return dy * x * (T(1) - alpha) * p * (T(1) - p);
}
template <class T>
T grad_x_direct(T dy, T alpha, T p) {
  return dy * (alpha + (T(1) - alpha) * p);
}

template <class T>
Array<T> vector_array(const std::vector<double>& v) {
  Array<T> a = Array<T>::from_shape({v.size()});
  for (std::size_t j = 0; j < v.size(); ++j) a.data()[j] = static_cast<T>(v[j]);
  return a;
}
}  // namespace

// Reference: Dice's reference form (layers/activations.cpp); test: Dice.FusedOpEqualsComposedFormulaInTrainingAndEval.
// Batch statistics: mean and biased var over the rows, and the gradient through them as batch
// norm's: with g = dL/ds,  dx = dx_direct + (g - mean_rows(g) - s mean_rows(g s)) / sqrt(var + eps).
Tensor dice(const Tensor& x, const Tensor& alpha, double eps, std::vector<double>* batch_mean,
            std::vector<double>* batch_var) {
  ProfileScope scope("dice");
  check_dice(x, alpha, "dice");
  const std::size_t D = alpha.size(0), n = x.numel() / D;
  if (n < 2)
    throw std::invalid_argument("dice: batch statistics need more than one row, got x " + to_string(x.shape()));
  return dispatch(common_dtype({x, alpha}, "dice"), [&](auto zero) {
    using T = decltype(zero);
    const T* v = values_of<T>(x, "dice").data();
    const int team = threads_for(n * D);
    PartialSums<double> mean_sums(team, D), var_sums(team, D);
#pragma omp parallel for schedule(static) num_threads(team)
    for (std::size_t r = 0; r < n; ++r) {
      double* sum = mean_sums.mine();
      for (std::size_t j = 0; j < D; ++j) sum[j] += v[r * D + j];
    }
    std::vector<double> mean = mean_sums.total();
    for (double& m : mean) m /= double(n);
#pragma omp parallel for schedule(static) num_threads(team)
    for (std::size_t r = 0; r < n; ++r) {
      double* sum = var_sums.mine();
      for (std::size_t j = 0; j < D; ++j) {
        const double c = v[r * D + j] - mean[j];
        sum[j] += c * c;
      }
    }
    std::vector<double> var = var_sums.total();
    for (double& s2 : var) s2 /= double(n);
    if (batch_mean) *batch_mean = mean;
    if (batch_var) *batch_var = var;
    DiceSaved<T> saved;
    Array<T> y = dice_forward<T>(x, values_of<T>(alpha, "dice").data(), mean, var, eps, saved);
    return make_result<T>("dice", std::move(y), {x, alpha}, [D, n, saved = std::move(saved)](const Backward<T>& ctx) {
      const T *dy = ctx.grad_output().data(), *v = ctx.input(0).data(), *a = ctx.input(1).data();
      const T* p = saved.p.data();
      // Pass 1, per feature: dalpha = Σ dy x (1 - p), and the row sums of g and g s.
      const int team = threads_for(n * D);
      PartialSums<double> sums(team, 3 * D);  // [dalpha | Σ g | Σ g s]
#pragma omp parallel for schedule(static) num_threads(team)
      for (std::size_t r = 0; r < n; ++r) {
        double *dalpha = sums.mine(), *g_sum = dalpha + D, *gs_sum = dalpha + 2 * D;
        for (std::size_t j = 0; j < D; ++j) {
          const std::size_t i = r * D + j;
          const T g = grad_s(dy[i], v[i], a[j], p[i]);
          dalpha[j] += dy[i] * v[i] * (T(1) - p[i]);
          g_sum[j] += g;
          gs_sum[j] += g * saved.s(v[i], j);
        }
      }
      const std::vector<double> total = sums.total();
      const std::vector<double> dalpha(total.begin(), total.begin() + std::ptrdiff_t(D));
      std::vector<T> g_mean_t(D), gs_mean_t(D);  // in x's precision for pass 2
      for (std::size_t j = 0; j < D; ++j) {
        g_mean_t[j] = static_cast<T>(total[D + j] / double(n));
        gs_mean_t[j] = static_cast<T>(total[2 * D + j] / double(n));
      }
      // Pass 2: dx.
      if (ctx.needs_grad(0)) {
        Array<T> dx = Array<T>::from_shape(ctx.input(0).shape());
        T* dxd = dx.data();
#pragma omp parallel for schedule(static) num_threads(team)
        for (std::size_t r = 0; r < n; ++r)
          for (std::size_t j = 0; j < D; ++j) {
            const std::size_t i = r * D + j;
            const T through_s = grad_s(dy[i], v[i], a[j], p[i]) - g_mean_t[j] - saved.s(v[i], j) * gs_mean_t[j];
            dxd[i] = grad_x_direct(dy[i], a[j], p[i]) + through_s * saved.inv_std[j];
          }
        ctx.accumulate(0, std::move(dx));
      }
      ctx.accumulate(1, vector_array<T>(dalpha));
    });
  });
}

// Reference: Dice's reference form in eval; test: Dice.FusedOpEqualsComposedFormulaInTrainingAndEval.
// Fixed statistics (eval): s depends on x alone, so dx = dx_direct + g / sqrt(var + eps).
Tensor dice(const Tensor& x, const Tensor& alpha, const Tensor& mean, const Tensor& var, double eps) {
  ProfileScope scope("dice");
  check_dice(x, alpha, "dice");
  const std::size_t D = alpha.size(0);
  if (mean.shape() != Shape{D} || var.shape() != Shape{D})
    throw std::invalid_argument("dice: mean " + to_string(mean.shape()) + " and var " + to_string(var.shape()) +
                                " must both be [" + std::to_string(D) + "]");
  return dispatch(common_dtype({x, alpha}, "dice"), [&](auto zero) {
    using T = decltype(zero);
    DiceSaved<T> saved;
    Array<T> y = dice_forward<T>(x, values_of<T>(alpha, "dice").data(), mean.to_vector(), var.to_vector(), eps, saved);
    return make_result<T>("dice", std::move(y), {x, alpha}, [D, saved = std::move(saved)](const Backward<T>& ctx) {
      const T *dy = ctx.grad_output().data(), *v = ctx.input(0).data(), *a = ctx.input(1).data();
      const T* p = saved.p.data();
      const std::size_t n = saved.p.size() / D;
      const int team = threads_for(n * D);
      PartialSums<double> dalpha(team, D);
      Array<T> dx = Array<T>::from_shape(ctx.input(0).shape());
      T* dxd = dx.data();
#pragma omp parallel for schedule(static) num_threads(team)
      for (std::size_t r = 0; r < n; ++r) {
        double* dalpha_sum = dalpha.mine();
        for (std::size_t j = 0; j < D; ++j) {
          const std::size_t i = r * D + j;
          dalpha_sum[j] += dy[i] * v[i] * (T(1) - p[i]);
          dxd[i] = grad_x_direct(dy[i], a[j], p[i]) + grad_s(dy[i], v[i], a[j], p[i]) * saved.inv_std[j];
        }
      }
      ctx.accumulate(0, std::move(dx));
      ctx.accumulate(1, vector_array<T>(dalpha.total()));
    });
  });
}

}  // namespace recgrad
