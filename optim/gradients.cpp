#include "optim/gradients.h"

namespace recgrad {

bool has_grad(const Tensor& param) {
  return dispatch(param.dtype(), [&](auto zero) { return param.grad_data<decltype(zero)>() != nullptr; });
}

std::vector<ElementRange> touched_ranges(const Tensor& param) {
  const std::vector<std::int64_t>* rows = param.grad_rows();
  if (rows == nullptr) return {{0, param.numel()}};
  const std::size_t width = param.shape()[1];
  std::vector<ElementRange> ranges;
  for (std::int64_t row : *rows) {  // sorted and unique (core/autograd.cpp)
    const std::size_t begin = static_cast<std::size_t>(row) * width;
    if (!ranges.empty() && ranges.back().end == begin)
      ranges.back().end += width;
    else
      ranges.push_back({begin, begin + width});
  }
  return ranges;
}

}  // namespace recgrad
