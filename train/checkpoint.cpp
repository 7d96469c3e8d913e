#include "train/checkpoint.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "io/safetensors.h"
#include "layers/dropout.h"

namespace recgrad {

namespace {
const char* const kFormat = "recgrad-checkpoint-1";
const std::string kOptimPrefix = "optim.";
const std::string kChecksumPrefix = "crc32.";  // metadata "crc32.<tensor>": the tensor's CRC-32 (io/crc32.h)

NamedTensors model_tensors(const Module& model) {
  NamedTensors all = model.named_parameters();
  for (auto& b : model.named_buffers()) all.push_back(b);
  return all;
}

std::int64_t to_int(const std::map<std::string, std::string>& m, const std::string& key, const std::string& path) {
  auto it = m.find(key);
  if (it == m.end()) throw std::invalid_argument(path + ": checkpoint metadata lacks \"" + key + "\"");
  try {
    std::size_t used = 0;
    const long long v = std::stoll(it->second, &used);
    if (used != it->second.size()) throw std::invalid_argument("trailing characters");
    return v;
  } catch (const std::exception&) {
    throw std::invalid_argument(path + ": checkpoint metadata \"" + key + "\" is not an integer: \"" + it->second + "\"");
  }
}

double to_double(const std::map<std::string, std::string>& m, const std::string& key, const std::string& path) {
  auto it = m.find(key);
  if (it == m.end()) throw std::invalid_argument(path + ": checkpoint metadata lacks \"" + key + "\"");
  try {
    return std::stod(it->second);
  } catch (const std::exception&) {
    throw std::invalid_argument(path + ": checkpoint metadata \"" + key + "\" is not a number: \"" + it->second + "\"");
  }
}

std::string exact(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", v);  // round-trips exactly
  return buf;
}

// Random streams inside the model (dropout masks), by module name: "rng.<module>".
std::map<std::string, Rng*> model_rngs(Module& model) {
  std::map<std::string, Rng*> rngs;
  for (auto& [name, module] : model.named_modules())
    if (auto* dropout = dynamic_cast<Dropout*>(module)) rngs["rng." + name] = &dropout->rng();
  return rngs;
}
}  // namespace

void save_checkpoint(const std::string& path, Module& model, const Optimizer* optimizer,
                     const TrainerState& s, const std::string& model_fingerprint) {
  NamedTensors tensors = model_tensors(model);
  if (optimizer)
    for (auto& [name, t] : optimizer->state_dict()) tensors.emplace_back(kOptimPrefix + name, t);
  std::map<std::string, std::string> metadata{
      {"format", kFormat},
      {"model", model_fingerprint},
      {"epoch", std::to_string(s.epoch)},
      {"step", std::to_string(s.step)},
      {"step_in_epoch", std::to_string(s.step_in_epoch)},
      {"best_valid_auc", exact(s.best_valid_auc)},
      {"best_step", std::to_string(s.best_step)},
      {"evals_since_best", std::to_string(s.evals_since_best)},
      {"train_loss_sum", exact(s.train_loss_sum)},
      {"train_loss_count", std::to_string(s.train_loss_count)},
      {"batcher_epoch", std::to_string(s.batcher.epoch)},
      {"batcher_position", std::to_string(s.batcher.position)},
      {"batcher_rng", s.batcher.epoch_rng_state},
      {"plateau_lr", exact(s.plateau.lr)},
      {"plateau_best", exact(s.plateau.best)},
      {"plateau_num_bad", std::to_string(s.plateau.num_bad_epochs)},
      {"plateau_cooldown", std::to_string(s.plateau.cooldown_counter)},
  };
  for (const auto& [key, rng] : model_rngs(model)) metadata[key] = rng->state();
  for (const auto& [name, t] : tensors) metadata[kChecksumPrefix + name] = tensor_crc32(t);
  save_safetensors(path, tensors, metadata);
}

TrainerState load_checkpoint(const std::string& path, Module& model, Optimizer* optimizer,
                             const std::string& model_fingerprint) {
  SafetensorsFile file = load_safetensors(path);
  const auto& meta = file.metadata;
  auto format = meta.find("format");
  if (format == meta.end() || format->second != kFormat)
    throw std::invalid_argument(path + ": not a recgrad checkpoint (metadata \"format\" is not \"" + kFormat + "\")");
  auto fingerprint = meta.find("model");
  if (fingerprint == meta.end() || fingerprint->second != model_fingerprint)
    throw std::invalid_argument(path + ": checkpoint was made for another model configuration (features/model "
                                       "sections differ from this run's config)");

  std::map<std::string, Tensor> by_name;
  NamedTensors optim_state;
  // A flipped bit in a tensor's bytes would load silently: each tensor's CRC-32 is checked (checkpoints
  // written before checksums were added have none, and load unchecked).
  for (const auto& [name, t] : file.tensors) {
    const auto stored = meta.find(kChecksumPrefix + name);
    if (stored != meta.end() && stored->second != tensor_crc32(t))
      throw std::invalid_argument(path + ": tensor \"" + name + "\" fails its checksum (crc32 " + tensor_crc32(t) +
                                  ", stored " + stored->second + "): the file is damaged");
  }
  for (auto& [name, t] : file.tensors) {
    if (name.compare(0, kOptimPrefix.size(), kOptimPrefix) == 0)
      optim_state.emplace_back(name.substr(kOptimPrefix.size()), t);
    else
      by_name.emplace(name, t);
  }
  // Check everything before changing anything.
  const NamedTensors targets = model_tensors(model);
  for (const auto& [name, t] : targets) {
    auto it = by_name.find(name);
    if (it == by_name.end()) throw std::invalid_argument(path + ": checkpoint lacks tensor \"" + name + "\"");
    if (it->second.shape() != t.shape())
      throw std::invalid_argument(path + ": tensor \"" + name + "\" has shape " + to_string(it->second.shape()) +
                                  ", the model expects " + to_string(t.shape()));
    // A model with a NaN or an infinity would score garbage (predict printed nan and exited 0).
    const std::vector<double> values = it->second.to_vector();
    const auto bad = std::find_if(values.begin(), values.end(), [](double x) { return !std::isfinite(x); });
    if (bad != values.end())
      throw std::invalid_argument(path + ": tensor \"" + name + "\" holds " + std::to_string(*bad) + " at index " +
                                  std::to_string(bad - values.begin()) + ": the model is not usable");
  }
  if (by_name.size() != targets.size()) {
    for (const auto& [name, t] : by_name) {
      bool known = false;
      for (const auto& target : targets) known = known || target.first == name;
      if (!known) throw std::invalid_argument(path + ": unexpected tensor \"" + name + "\" for this model");
    }
  }
  TrainerState s;
  s.epoch = to_int(meta, "epoch", path);
  s.step = to_int(meta, "step", path);
  s.step_in_epoch = to_int(meta, "step_in_epoch", path);
  s.best_valid_auc = to_double(meta, "best_valid_auc", path);
  s.best_step = to_int(meta, "best_step", path);
  s.evals_since_best = to_int(meta, "evals_since_best", path);
  s.train_loss_sum = to_double(meta, "train_loss_sum", path);
  s.train_loss_count = to_int(meta, "train_loss_count", path);
  s.batcher.epoch = std::size_t(to_int(meta, "batcher_epoch", path));
  s.batcher.position = std::size_t(to_int(meta, "batcher_position", path));
  s.plateau.lr = to_double(meta, "plateau_lr", path);
  s.plateau.best = to_double(meta, "plateau_best", path);
  s.plateau.num_bad_epochs = to_int(meta, "plateau_num_bad", path);
  s.plateau.cooldown_counter = to_int(meta, "plateau_cooldown", path);
  auto rng = meta.find("batcher_rng");
  if (rng == meta.end()) throw std::invalid_argument(path + ": checkpoint metadata lacks \"batcher_rng\"");
  s.batcher.epoch_rng_state = rng->second;
  std::map<Rng*, Rng> restored;  // parsed before anything changes
  for (const auto& [key, rng] : model_rngs(model)) {
    if (!meta.count(key)) throw std::invalid_argument(path + ": checkpoint metadata lacks \"" + key + "\"");
    try {
      restored[rng].set_state(meta.at(key));
    } catch (const std::invalid_argument&) {
      throw std::invalid_argument(path + ": checkpoint metadata \"" + key + "\" is not a random state");
    }
  }
  if (optimizer) optimizer->load_state_dict(optim_state);  // validates, changes nothing on error
  for (auto& [rng, state] : restored) *rng = state;

  for (auto [name, t] : targets) t.copy_from(by_name.at(name));
  return s;
}

}  // namespace recgrad
