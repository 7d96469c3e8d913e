#include "layers/module.h"

#include <stdexcept>

namespace recgrad {

void Module::check_new_name(const std::string& name) const {
  if (name.empty()) throw std::invalid_argument("Module: empty name for a parameter, buffer or sub-module");
  const auto taken = [&name](const auto& list) {
    for (const auto& entry : list)
      if (entry.first == name) return true;
    return false;
  };
  if (taken(parameters_) || taken(buffers_) || taken(children_))
    throw std::invalid_argument("Module: name \"" + name + "\" is registered twice");
}

Tensor Module::register_parameter(const std::string& name, Tensor value) {
  check_new_name(name);
  if (!value.defined()) throw std::invalid_argument("Module: parameter \"" + name + "\" is an undefined tensor");
  value.requires_grad_(true);
  parameters_.emplace_back(name, value);
  return value;
}

Tensor Module::register_buffer(const std::string& name, Tensor value) {
  check_new_name(name);
  if (!value.defined()) throw std::invalid_argument("Module: buffer \"" + name + "\" is an undefined tensor");
  buffers_.emplace_back(name, value);
  return value;
}

std::vector<std::pair<std::string, Module*>> Module::named_modules() {
  std::vector<std::pair<std::string, Module*>> out{{"", this}};
  for (std::size_t i = 0; i < out.size(); ++i) {  // breadth-first, without recursion
    const std::string prefix = out[i].first.empty() ? "" : out[i].first + ".";
    for (const auto& [name, child] : out[i].second->children_) out.emplace_back(prefix + name, child.get());
  }
  return out;
}

void Module::collect(const std::string& prefix, bool buffers, NamedTensors& out) const {
  for (const auto& [name, tensor] : buffers ? buffers_ : parameters_) out.emplace_back(prefix + name, tensor);
  for (const auto& [name, child] : children_) child->collect(prefix + name + ".", buffers, out);
}

NamedTensors Module::named_parameters() const {
  NamedTensors out;
  collect("", false, out);
  return out;
}

NamedTensors Module::named_buffers() const {
  NamedTensors out;
  collect("", true, out);
  return out;
}

std::vector<Tensor> Module::parameters() const {
  std::vector<Tensor> out;
  for (auto& named : named_parameters()) out.push_back(named.second);
  return out;
}

std::size_t Module::parameter_count() const {
  std::size_t count = 0;
  for (const auto& named : named_parameters()) count += named.second.numel();
  return count;
}

void Module::train(bool on) {
  training_ = on;
  for (auto& child : children_) child.second->train(on);
}

void Module::set_fused_kernels(bool on) {
  fused_kernels_ = on;
  for (auto& child : children_) child.second->set_fused_kernels(on);
}

void Module::to(DType dtype) {
  for (auto& named : named_parameters()) named.second.to_(dtype);
  for (auto& named : named_buffers()) named.second.to_(dtype);
}

}  // namespace recgrad
