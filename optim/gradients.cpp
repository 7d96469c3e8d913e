#include "optim/gradients.h"

namespace recgrad {

std::vector<GradRun> touched_runs(const Tensor& param) {
  const std::vector<std::int64_t>* rows = param.grad_rows();
  if (rows == nullptr) return {{0, param.numel(), true, 0}};
  const std::size_t width = param.shape()[1];
  std::vector<GradRun> runs;
  for (std::size_t i = 0; i < rows->size(); ++i) {  // rows sorted and unique (core/autograd.cpp)
    const std::size_t begin = static_cast<std::size_t>((*rows)[i]) * width;
    if (!runs.empty() && runs.back().param_begin + runs.back().length == begin)
      runs.back().length += width;  // the packed rows are adjacent too
    else
      runs.push_back({begin, width, true, i * width});
  }
  return runs;
}

std::vector<GradRun> all_runs(const Tensor& param) {
  std::vector<GradRun> runs;
  std::size_t next = 0;  // first element not yet covered
  for (const GradRun& run : touched_runs(param)) {
    if (run.param_begin > next) runs.push_back({next, run.param_begin - next, false, 0});
    runs.push_back(run);
    next = run.param_begin + run.length;
  }
  if (next < param.numel()) runs.push_back({next, param.numel() - next, false, 0});
  return runs;
}

std::size_t grad_buffer_size(const Tensor& param) {
  const std::vector<std::int64_t>* rows = param.grad_rows();
  return rows == nullptr ? param.numel() : rows->size() * param.shape()[1];
}

}  // namespace recgrad
