#include "train/config.h"

#include <algorithm>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "io/json_config.h"

namespace recgrad {

namespace {
std::vector<std::size_t> to_sizes(const std::vector<std::int64_t>& v) { return {v.begin(), v.end()}; }
std::vector<std::int64_t> to_ints(const std::vector<std::size_t>& v) { return {v.begin(), v.end()}; }

SyntheticConfig read_synthetic(ConfigReader r) {
  SyntheticConfig c;
  c.num_users = r.get_int("num_users", c.num_users, 1);
  c.num_items = r.get_int("num_items", c.num_items, 1);
  c.num_categories = r.get_int("num_categories", c.num_categories, 1);
  c.num_brands = r.get_int("num_brands", c.num_brands, 1);
  c.impressions = r.get_int("impressions", c.impressions, 10);
  c.max_history = r.get_int("max_history", c.max_history, 1);
  c.interests_per_user = r.get_int("interests_per_user", c.interests_per_user, 1);
  c.interest_noise = r.get_double("interest_noise", c.interest_noise, Interval::closed(0, 1));
  c.burst_mean = r.get_double("burst_mean", c.burst_mean, Interval::at_least(1));
  c.target_from_interests = r.get_double("target_from_interests", c.target_from_interests, Interval::closed(0, 1));
  c.zipf_exponent = r.get_double("zipf_exponent", c.zipf_exponent, Interval::at_least(0));
  c.bias = r.get_double("bias", c.bias);
  c.match_weight = r.get_double("match_weight", c.match_weight);
  c.recency_decay = r.get_double("recency_decay", c.recency_decay, Interval::closed(0, 1));
  c.time_decay_hours = r.get_double("time_decay_hours", c.time_decay_hours, Interval::at_least(0));
  c.popularity_weight = r.get_double("popularity_weight", c.popularity_weight);
  c.seed = r.get_int("seed", c.seed, 0);
  try {
    validate(c);  // the generator's own cross-field rules
  } catch (const std::invalid_argument& e) {
    r.fail("", e.what());
  }
  r.finish();
  return c;
}

DataConfig read_data(ConfigReader r) {
  DataConfig c;
  c.source = r.get_string("source", c.source, {"synthetic", "tsv"});
  c.train = r.get_string("train", "");
  c.test = r.get_string("test", "");
  c.synthetic = read_synthetic(r.object("synthetic"));
  c.test_fraction = r.get_double("test_fraction", c.test_fraction, Interval{0, 1, true, true});
  c.validation_fraction = r.get_double("validation_fraction", c.validation_fraction, Interval{0, 1, true, true});
  if (c.source == "tsv") {
    if (c.train.empty()) r.fail("train", "source \"tsv\" needs the path of the training TSV");
    if (c.test.empty()) r.fail("test", "source \"tsv\" needs the path of the test TSV");
  }
  r.finish();
  return c;
}

Schema read_features(ConfigReader r) {
  Schema c = synthetic_schema(50);
  c.label = r.get_string("label", c.label);
  c.user = r.get_string("user", c.user);
  c.item = r.get_string("item", c.item);
  c.item_side = r.get_string_list("item_side", c.item_side);
  c.history = r.get_string("history", c.history);
  c.history_side = r.get_string_list("history_side", c.history_side);
  c.separator = r.get_string("separator", c.separator);
  c.order = parse_history_order(r.get_string("order", history_order_name(c.order), {"oldest_first", "newest_first"}));
  c.max_len = r.get_int("max_len", c.max_len, 1, 100000);
  c.multi_valued = r.get_string_map("multi_valued", c.multi_valued);
  c.min_count = r.get_int("min_count", c.min_count, 1);
  c.timestamp = r.get_string("timestamp", c.timestamp);
  c.history_timestamps = r.get_string("history_timestamps", c.history_timestamps);
  if (c.history_side.size() != c.item_side.size())
    r.fail("history_side", "needs one history column per item_side field (" + std::to_string(c.item_side.size()) +
                               "), got " + std::to_string(c.history_side.size()));
  try {
    validate(c);
  } catch (const std::invalid_argument& e) {
    r.fail("", e.what());
  }
  r.finish();
  return c;
}

ClickModelOptions read_model(ConfigReader r) {
  ClickModelOptions c;
  c.embedding_dim = r.get_int("embedding_dim", c.embedding_dim, 1, 4096);
  {
    ConfigReader e = r.object("embedding_init");
    init::EmbeddingInit& ei = c.embedding_init;
    ei.kind = init::parse_embedding_init_kind(
        e.get_string("kind", init::embedding_init_kind_name(ei.kind), {"normal", "uniform", "xavier"}));
    ei.std = e.get_double("std", ei.std, Interval::at_least(0));
    ei.bound = e.get_double("bound", ei.bound, Interval::at_least(0));
    e.finish();
  }
  c.combine = parse_field_combine(r.get_string("combine", field_combine_name(c.combine), field_combine_names()));
  c.position = parse_position_kind(r.get_string("position", position_kind_name(c.position), position_kind_names()));
  c.user_embedding = r.get_bool("user_embedding", c.user_embedding);
  c.fused_kernels = r.get_bool("fused_kernels", c.fused_kernels);
  {
    ConfigReader a = r.object("attention");
    AttentionOptions& at = c.attention;
    at.kind = parse_attention_kind(a.get_string("kind", attention_kind_name(at.kind), attention_kind_names()));
    at.softmax = a.get_bool("softmax", at.softmax);
    at.heads = a.get_int("heads", at.heads, 1, 1024);
    at.din_hidden = to_sizes(a.get_int_list("din_hidden", to_ints(at.din_hidden), 1));
    at.din_activation = a.get_string("din_activation", at.din_activation, {"dice", "prelu", "relu", "sigmoid"});
    a.finish();
  }
  {
    ConfigReader s = r.object("self_attention");
    SelfAttentionOptions& sa = c.self_attention;
    sa.enabled = s.get_bool("enabled", sa.enabled);
    sa.heads = s.get_int("heads", sa.heads, 1, 1024);
    sa.ffn_dim = s.get_int("ffn_dim", sa.ffn_dim, 1);
    sa.layers = s.get_int("layers", sa.layers, 1, 16);
    sa.dropout = s.get_double("dropout", sa.dropout, Interval::closed_open(0, 1));
    s.finish();
  }
  {
    ConfigReader t = r.object("tower");
    c.tower.hidden = to_sizes(t.get_int_list("hidden", to_ints(c.tower.hidden), 1));
    c.tower.activation = t.get_string("activation", c.tower.activation, {"relu", "prelu", "dice", "sigmoid"});
    c.tower.dropout = t.get_double("dropout", c.tower.dropout, Interval::closed_open(0, 1));
    t.finish();
  }
  r.finish();
  return c;
}

OptimConfig read_optim(ConfigReader r) {
  OptimConfig c;
  c.name = r.get_string("name", c.name, {"adam", "adamw", "sgd"});
  c.lr = r.get_double("lr", c.lr, Interval::greater_than(0));
  c.beta1 = r.get_double("beta1", c.beta1, Interval::closed_open(0, 1));
  c.beta2 = r.get_double("beta2", c.beta2, Interval::closed_open(0, 1));
  c.eps = r.get_double("eps", c.eps, Interval::greater_than(0));
  c.weight_decay = r.get_double("weight_decay", c.weight_decay, Interval::at_least(0));
  c.amsgrad = r.get_bool("amsgrad", c.amsgrad);
  c.momentum = r.get_double("momentum", c.momentum, Interval::closed_open(0, 1));
  c.nesterov = r.get_bool("nesterov", c.nesterov);
  c.lazy_embeddings = r.get_bool("lazy_embeddings", c.lazy_embeddings);
  c.clip_norm = r.get_double("clip_norm", c.clip_norm, Interval::at_least(0));
  {
    ConfigReader s = r.object("schedule");
    ScheduleConfig& sc = c.schedule;
    sc.kind = s.get_string("kind", sc.kind, {"constant", "warmup", "step", "cosine", "plateau"});
    sc.warmup_steps = s.get_int("warmup_steps", sc.warmup_steps, 0);
    sc.step_size = s.get_int("step_size", sc.step_size, 1);
    sc.gamma = s.get_double("gamma", sc.gamma, Interval{0, 1, true, false});
    sc.min_lr = s.get_double("min_lr", sc.min_lr, Interval::at_least(0));
    sc.factor = s.get_double("factor", sc.factor, Interval::closed_open(0, 1));
    sc.patience = s.get_int("patience", sc.patience, 0);
    sc.threshold = s.get_double("threshold", sc.threshold, Interval::at_least(0));
    sc.cooldown = s.get_int("cooldown", sc.cooldown, 0);
    if (sc.kind == "warmup" && sc.warmup_steps == 0) s.fail("warmup_steps", "kind \"warmup\" needs warmup_steps >= 1");
    if (sc.kind == "plateau" && sc.min_lr > c.lr)
      s.fail("min_lr", "kind \"plateau\" needs min_lr <= optim.lr (" + std::to_string(c.lr) + ")");
    s.finish();
  }
  if (c.nesterov && (c.name != "sgd" || c.momentum == 0))
    r.fail("nesterov", "needs name \"sgd\" and momentum > 0");
  if (c.amsgrad && c.name == "sgd") r.fail("amsgrad", "applies to adam and adamw only");
  r.finish();
  return c;
}

TrainingConfig read_training(ConfigReader r) {
  TrainingConfig c;
  c.epochs = r.get_int("epochs", c.epochs, 1, 100000);
  c.batch_size = r.get_int("batch_size", c.batch_size, 1, 1 << 20);
  c.seed = r.get_int("seed", c.seed, 0);
  c.eval_every_steps = r.get_int("eval_every_steps", c.eval_every_steps, 0);
  c.patience = r.get_int("patience", c.patience, 0);
  c.threads = r.get_int("threads", c.threads, 1, 256);
  r.finish();
  return c;
}

OutputConfig read_output(ConfigReader r) {
  OutputConfig c;
  c.dir = r.get_string("dir", c.dir);
  c.overwrite = r.get_bool("overwrite", c.overwrite);
  if (c.dir.empty()) r.fail("dir", "must not be empty");
  r.finish();
  return c;
}
}  // namespace

RunConfig parse_run_config(const nlohmann::json& json) {
  ConfigReader root(json);
  RunConfig c;
  c.data = read_data(root.object("data"));
  c.features = read_features(root.object("features"));
  c.model = read_model(root.object("model"));
  c.optim = read_optim(root.object("optim"));
  c.training = read_training(root.object("training"));
  c.output = read_output(root.object("output"));
  root.finish();

  // Combinations that only make sense across sections.
  const std::size_t fields = 1 + c.features.item_side.size();
  const std::size_t item_dim =
      c.model.combine == FieldCombine::Concat ? fields * c.model.embedding_dim : c.model.embedding_dim;
  if (c.model.attention.kind == AttentionKind::MultiHead && item_dim % c.model.attention.heads != 0)
    root.object("model").object("attention").fail(
        "heads", std::to_string(c.model.attention.heads) + " heads do not divide the item dimension " +
                     std::to_string(item_dim) + " (embedding_dim " + std::to_string(c.model.embedding_dim) + " x " +
                     std::to_string(fields) + " fields, combined by " + field_combine_name(c.model.combine) + ")");
  if (c.model.self_attention.enabled && item_dim % c.model.self_attention.heads != 0)
    root.object("model").object("self_attention").fail(
        "heads", std::to_string(c.model.self_attention.heads) + " heads do not divide the item dimension " +
                     std::to_string(item_dim));
  if (c.model.user_embedding && c.features.user.empty())
    root.object("model").fail("user_embedding",
                              "needs a user column (features.user); set it false for data without users");
  if (c.model.position == PositionKind::TimeGap && c.features.timestamp.empty())
    root.object("model").fail("position", "\"time_gap\" needs the data's times: set features.timestamp and "
                                          "features.history_timestamps (their columns)");
  if (c.data.source == "synthetic") {
    const Schema synthetic = synthetic_schema(c.features.max_len);
    ConfigReader features = root.object("features");
    if (!c.features.timestamp.empty() &&
        (c.features.timestamp != kSyntheticTimestamp || c.features.history_timestamps != kSyntheticHistoryTimestamps))
      features.fail("timestamp", std::string("synthetic data names its times \"") + kSyntheticTimestamp + "\" and \"" +
                                     kSyntheticHistoryTimestamps + "\" (or \"\" for none)");
    for (const std::string& field : c.features.item_side)
      if (std::find(synthetic.item_side.begin(), synthetic.item_side.end(), field) == synthetic.item_side.end())
        features.fail("item_side", "synthetic data has the side-info fields item_cate and item_brand, not \"" + field + "\"");
    if (!c.features.user.empty() && c.features.user != synthetic.user)
      features.fail("user", "synthetic data names its user column \"" + synthetic.user + "\" (or \"\" for none)");
  }
  return c;
}

RunConfig load_run_config(const std::string& path, const std::vector<std::string>& overrides) {
  nlohmann::json json = load_json_file(path);
  RunConfig config = parse_run_config(json);
  if (!overrides.empty()) {
    json = to_json(config);
    for (const std::string& o : overrides) apply_override(json, o);
    config = parse_run_config(json);
  }
  const std::size_t slash = path.find_last_of('/');
  config.config_dir = slash == std::string::npos ? "." : path.substr(0, slash);
  // A path typed on the command line means what the shell means by it: relative to the current
  // directory, not to the config file's folder (which is how paths inside the file are read).
  for (const std::string& o : overrides) {
    const std::string key = o.substr(0, o.find('='));
    for (auto [name, value] : {std::pair{"data.train", &config.data.train}, std::pair{"data.test", &config.data.test}})
      if (key == name && !value->empty()) *value = std::filesystem::absolute(*value).lexically_normal().string();
  }
  return config;
}

nlohmann::json to_json(const RunConfig& c) {
  using nlohmann::json;
  const auto& s = c.data.synthetic;
  const auto& f = c.features;
  const auto& m = c.model;
  const auto& o = c.optim;
  const auto& t = c.training;
  return json{
      {"data",
       {{"source", c.data.source},
        {"train", c.data.train},
        {"test", c.data.test},
        {"test_fraction", c.data.test_fraction},
        {"validation_fraction", c.data.validation_fraction},
        {"synthetic",
         {{"num_users", s.num_users},
          {"num_items", s.num_items},
          {"num_categories", s.num_categories},
          {"num_brands", s.num_brands},
          {"impressions", s.impressions},
          {"max_history", s.max_history},
          {"interests_per_user", s.interests_per_user},
          {"interest_noise", s.interest_noise},
          {"burst_mean", s.burst_mean},
          {"target_from_interests", s.target_from_interests},
          {"zipf_exponent", s.zipf_exponent},
          {"bias", s.bias},
          {"match_weight", s.match_weight},
          {"recency_decay", s.recency_decay},
          {"time_decay_hours", s.time_decay_hours},
          {"popularity_weight", s.popularity_weight},
          {"seed", s.seed}}}}},
      {"features",
       {{"label", f.label},
        {"user", f.user},
        {"item", f.item},
        {"item_side", f.item_side},
        {"history", f.history},
        {"history_side", f.history_side},
        {"separator", f.separator},
        {"order", history_order_name(f.order)},
        {"max_len", f.max_len},
        {"multi_valued", f.multi_valued},
        {"min_count", f.min_count},
        {"timestamp", f.timestamp},
        {"history_timestamps", f.history_timestamps}}},
      {"model",
       {{"embedding_dim", m.embedding_dim},
        {"embedding_init",
         {{"kind", init::embedding_init_kind_name(m.embedding_init.kind)},
          {"std", m.embedding_init.std},
          {"bound", m.embedding_init.bound}}},
        {"combine", field_combine_name(m.combine)},
        {"position", position_kind_name(m.position)},
        {"user_embedding", m.user_embedding},
        {"fused_kernels", m.fused_kernels},
        {"attention",
         {{"kind", attention_kind_name(m.attention.kind)},
          {"softmax", m.attention.softmax},
          {"heads", m.attention.heads},
          {"din_hidden", m.attention.din_hidden},
          {"din_activation", m.attention.din_activation}}},
        {"self_attention",
         {{"enabled", m.self_attention.enabled},
          {"heads", m.self_attention.heads},
          {"ffn_dim", m.self_attention.ffn_dim},
          {"layers", m.self_attention.layers},
          {"dropout", m.self_attention.dropout}}},
        {"tower", {{"hidden", m.tower.hidden}, {"activation", m.tower.activation}, {"dropout", m.tower.dropout}}}}},
      {"optim",
       {{"name", o.name},
        {"lr", o.lr},
        {"beta1", o.beta1},
        {"beta2", o.beta2},
        {"eps", o.eps},
        {"weight_decay", o.weight_decay},
        {"amsgrad", o.amsgrad},
        {"momentum", o.momentum},
        {"nesterov", o.nesterov},
        {"lazy_embeddings", o.lazy_embeddings},
        {"clip_norm", o.clip_norm},
        {"schedule",
         {{"kind", o.schedule.kind},
          {"warmup_steps", o.schedule.warmup_steps},
          {"step_size", o.schedule.step_size},
          {"gamma", o.schedule.gamma},
          {"min_lr", o.schedule.min_lr},
          {"factor", o.schedule.factor},
          {"patience", o.schedule.patience},
          {"threshold", o.schedule.threshold},
          {"cooldown", o.schedule.cooldown}}}}},
      {"training",
       {{"epochs", t.epochs},
        {"batch_size", t.batch_size},
        {"seed", t.seed},
        {"eval_every_steps", t.eval_every_steps},
        {"patience", t.patience},
        {"threads", t.threads}}},
      {"output", {{"dir", c.output.dir}, {"overwrite", c.output.overwrite}}}};
}

}  // namespace recgrad
