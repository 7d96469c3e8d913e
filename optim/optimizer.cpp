#include "optim/optimizer.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <sstream>
#include <stdexcept>

namespace recgrad {

Optimizer::Optimizer(NamedTensors params, double lr, std::string name)
    : params_(std::move(params)), state_(params_.size()), lr_(lr), name_(std::move(name)) {
  check_option(lr >= 0 && std::isfinite(lr), "lr", ">= 0 and finite", lr);
  std::set<std::string> seen;
  for (const auto& [param_name, param] : params_) {
    if (!param.defined()) throw std::invalid_argument(name_ + ": parameter '" + param_name + "' is undefined");
    if (!param.is_leaf())
      throw std::invalid_argument(name_ + ": parameter '" + param_name + "' is not a leaf (made by op '" +
                                  param.op_name() + "'); optimize leaves only");
    if (!seen.insert(param_name).second)
      throw std::invalid_argument(name_ + ": parameter name '" + param_name + "' appears twice");
  }
}

void Optimizer::check_option(bool ok, const char* what, const char* rule, double value) const {
  if (ok) return;
  std::ostringstream msg;
  msg << name_ << ": " << what << " must be " << rule << ", got " << value;
  throw std::invalid_argument(msg.str());
}

void Optimizer::set_lr(double lr) {
  check_option(lr >= 0 && std::isfinite(lr), "lr", ">= 0 and finite", lr);
  lr_ = lr;
}

void Optimizer::step() {
  const std::size_t fields = state_fields().size();
  for (std::size_t i = 0; i < params_.size(); ++i) {
    Tensor& param = params_[i].second;
    if (!param.has_grad()) continue;
    ParamState& state = state_[i];
    if (state.step == 0) {
      state.buffers.clear();
      for (std::size_t f = 0; f < fields; ++f) state.buffers.push_back(Tensor::zeros(param.shape(), param.dtype()));
    }
    ++state.step;
    update(param, state);
  }
}

void Optimizer::zero_grad() {
  for (auto& named : params_) named.second.zero_grad();
}

NamedTensors Optimizer::state_dict() const {
  const std::vector<std::string> fields = state_fields();
  NamedTensors out;
  for (std::size_t i = 0; i < params_.size(); ++i) {
    const ParamState& state = state_[i];
    if (state.step == 0) continue;
    const std::string& param_name = params_[i].first;
    out.emplace_back(param_name + ".step", Tensor::scalar(static_cast<double>(state.step), DType::Float64));
    for (std::size_t f = 0; f < fields.size(); ++f)
      out.emplace_back(param_name + "." + fields[f], state.buffers[f].detach());
  }
  return out;
}

void Optimizer::load_state_dict(const NamedTensors& state) {
  std::vector<std::string> fields = state_fields();
  fields.insert(fields.begin(), "step");
  std::map<std::string, std::size_t> index_of;
  for (std::size_t i = 0; i < params_.size(); ++i) index_of[params_[i].first] = i;

  // First sort every key into (parameter, field), validating as we go; only then touch the state.
  std::vector<std::map<std::string, Tensor>> given(params_.size());
  for (const auto& [key, value] : state) {
    bool matched = false;
    for (const std::string& field : fields) {
      const std::string suffix = "." + field;
      if (key.size() <= suffix.size() || key.compare(key.size() - suffix.size(), suffix.size(), suffix) != 0) continue;
      auto it = index_of.find(key.substr(0, key.size() - suffix.size()));
      if (it == index_of.end()) continue;
      if (!given[it->second].emplace(field, value).second)
        throw std::invalid_argument(name_ + " load_state_dict: key '" + key + "' appears twice");
      matched = true;
      break;
    }
    if (!matched) {
      std::string expected;
      for (const std::string& field : fields) expected += (expected.empty() ? "" : ", ") + field;
      throw std::invalid_argument(name_ + " load_state_dict: unexpected key '" + key +
                                  "' (expected '<parameter>.<field>' for a parameter of this optimizer, field one of " +
                                  expected + ")");
    }
  }

  for (std::size_t i = 0; i < params_.size(); ++i) {
    if (given[i].empty()) continue;
    const auto& [param_name, param] = params_[i];
    for (const std::string& field : fields) {
      const std::string key = param_name + "." + field;
      auto it = given[i].find(field);
      if (it == given[i].end()) throw std::invalid_argument(name_ + " load_state_dict: missing key '" + key + "'");
      const Tensor& value = it->second;
      if (!value.defined()) throw std::invalid_argument(name_ + " load_state_dict: key '" + key + "' is undefined");
      if (field == "step") {
        const double step = value.numel() == 1 ? value.item() : -1;
        if (!(step >= 1 && step == std::floor(step)))
          throw std::invalid_argument(name_ + " load_state_dict: key '" + key + "' must be one integer >= 1, got " +
                                      (value.numel() == 1 ? std::to_string(step) : "shape " + to_string(value.shape())));
      } else if (value.shape() != param.shape()) {
        throw std::invalid_argument(name_ + " load_state_dict: key '" + key + "' has shape " +
                                    to_string(value.shape()) + " but parameter '" + param_name + "' has shape " +
                                    to_string(param.shape()));
      }
    }
  }

  for (std::size_t i = 0; i < params_.size(); ++i) {
    ParamState fresh;
    if (!given[i].empty()) {
      const Tensor& param = params_[i].second;
      fresh.step = static_cast<std::int64_t>(given[i].at("step").item());
      for (std::size_t f = 1; f < fields.size(); ++f) {
        Tensor buffer = Tensor::zeros(param.shape(), param.dtype());
        buffer.copy_from(given[i].at(fields[f]));
        fresh.buffers.push_back(std::move(buffer));
      }
    }
    state_[i] = std::move(fresh);
  }
}

}  // namespace recgrad
