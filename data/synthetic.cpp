#include "data/synthetic.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/random.h"
#include "data/shuffle.h"

namespace recgrad {
namespace {

// An index drawn with probability proportional to its weight, given the running sums of the weights.
std::size_t draw(const std::vector<double>& cumulative, Rng& rng) {
  const double u = rng.uniform() * cumulative.back();
  const auto at = std::upper_bound(cumulative.begin(), cumulative.end(), u) - cumulative.begin();
  return std::min(static_cast<std::size_t>(at), cumulative.size() - 1);
}

std::vector<double> running_sums(const std::vector<double>& weights) {
  std::vector<double> sums(weights.size());
  double total = 0.0;
  for (std::size_t i = 0; i < weights.size(); ++i) sums[i] = total += weights[i];
  return sums;
}

struct Catalog {
  std::vector<std::size_t> category, brand;  // [items]
  std::vector<double> popularity;            // [items] standardised log Zipf weight
  std::vector<std::vector<std::size_t>> items_of;        // [categories] the items of each category
  std::vector<std::vector<double>> cumulative_weight_of; // [categories] running Zipf weights of those items

  std::size_t draw_item(std::size_t c, Rng& rng) const { return items_of[c][draw(cumulative_weight_of[c], rng)]; }
};

Catalog make_catalog(const SyntheticConfig& config, Rng& rng) {
  const std::size_t items = config.num_items, categories = config.num_categories;
  const std::size_t brands_per_category = config.num_brands / categories;
  const std::vector<std::size_t> rank = shuffled_rows(items, rng);
  Catalog catalog;
  catalog.items_of.resize(categories);
  std::vector<std::vector<double>> weights_of(categories);
  std::vector<double> log_weight(items);
  for (std::size_t i = 0; i < items; ++i) {
    const std::size_t c = i % categories;
    catalog.category.push_back(c);
    catalog.brand.push_back(rng.below(brands_per_category) * categories + c);
    log_weight[i] = -config.zipf_exponent * std::log(static_cast<double>(rank[i]) + 1.0);
    catalog.items_of[c].push_back(i);
    weights_of[c].push_back(std::exp(log_weight[i]));
  }
  for (const auto& weights : weights_of) catalog.cumulative_weight_of.push_back(running_sums(weights));

  double mean = 0.0, variance = 0.0;
  for (double w : log_weight) mean += w / static_cast<double>(items);
  for (double w : log_weight) variance += (w - mean) * (w - mean) / static_cast<double>(items);
  const double stddev = std::sqrt(variance);
  for (double w : log_weight) catalog.popularity.push_back(stddev > 0.0 ? (w - mean) / stddev : 0.0);
  return catalog;
}

struct User {
  std::vector<std::size_t> interests;         // categories
  std::vector<double> cumulative_interest;    // running sums of their weights
  std::vector<std::size_t> timeline;          // items, oldest first
  std::vector<bool> opens_burst;              // [timeline] whether the item starts a burst
  std::vector<std::int64_t> times;            // [timeline] seconds, drawn on the time stream

  std::size_t draw_interest(Rng& rng) const { return interests[draw(cumulative_interest, rng)]; }
};

User make_user(const SyntheticConfig& config, const Catalog& catalog, Rng& rng) {
  User user;
  const std::vector<std::size_t> categories = shuffled_rows(config.num_categories, rng);
  user.interests.assign(categories.begin(), categories.begin() + static_cast<std::ptrdiff_t>(config.interests_per_user));
  std::vector<double> weights;
  for (std::size_t k = 0; k < config.interests_per_user; ++k) weights.push_back(0.2 + rng.uniform());
  user.cumulative_interest = running_sums(weights);

  const double burst_ends = 1.0 / config.burst_mean;  // geometric run length with mean burst_mean
  while (user.timeline.size() < config.max_history) {
    const std::size_t c =
        rng.uniform() < config.interest_noise ? rng.below(config.num_categories) : user.draw_interest(rng);
    const std::size_t first = user.timeline.size();
    do {
      user.opens_burst.push_back(user.timeline.size() == first);
      user.timeline.push_back(catalog.draw_item(c, rng));
    } while (user.timeline.size() < config.max_history && rng.uniform() >= burst_ends);
  }
  return user;
}

// The times live on a random stream of their own, so that adding them left every id, label and click
// probability of the main stream as it was. Distribution in data/synthetic.h.
constexpr std::int64_t kEpoch = 1500000000;  // 2017-07-14, seconds
constexpr double kDay = 86400.0;
constexpr double kStartSpread = 30 * kDay, kBurstGap = 2 * kDay, kInBurstGap = 600.0, kImpressionGap = 3600.0;
constexpr std::uint64_t kTimeStream = 0x9E3779B97F4A7C15;  // seed offset of the time stream

// Whole seconds of an exponential wait with the given mean.
std::int64_t wait(double mean, Rng& rng) { return static_cast<std::int64_t>(-mean * std::log(1.0 - rng.uniform())); }

void draw_times(User& user, Rng& rng) {
  std::int64_t now = kEpoch + static_cast<std::int64_t>(rng.uniform(0.0, kStartSpread));
  for (std::size_t k = 0; k < user.timeline.size(); ++k) {
    if (k > 0) now += wait(user.opens_burst[k] ? kBurstGap : kInBurstGap, rng);
    user.times.push_back(now);
  }
}

}  // namespace

void validate(const SyntheticConfig& config) {
  auto fail = [](const std::string& what) { throw std::invalid_argument("synthetic data: " + what); };
  if (config.num_users == 0 || config.impressions == 0 || config.num_categories == 0)
    fail("num_users, impressions and num_categories must be at least 1");
  if (config.num_items < config.num_categories)
    fail("num_items (" + std::to_string(config.num_items) + ") must be at least num_categories (" +
         std::to_string(config.num_categories) + ") so that every category has items");
  if (config.num_brands < config.num_categories)
    fail("num_brands (" + std::to_string(config.num_brands) + ") must be at least num_categories (" +
         std::to_string(config.num_categories) + ") so that every category has a brand");
  if (config.interests_per_user == 0 || config.interests_per_user > config.num_categories)
    fail("interests_per_user must be in [1, num_categories], got " + std::to_string(config.interests_per_user));
  auto probability = [&](double value, const char* name) {
    if (!(value >= 0.0 && value <= 1.0)) fail(std::string(name) + " must be in [0, 1], got " + std::to_string(value));
  };
  probability(config.interest_noise, "interest_noise");
  probability(config.target_from_interests, "target_from_interests");
  probability(config.recency_decay, "recency_decay");
  if (!(config.time_decay_hours >= 0.0 && std::isfinite(config.time_decay_hours)))
    fail("time_decay_hours must be finite and >= 0 (0: decay by index), got " + std::to_string(config.time_decay_hours));
  if (!(config.burst_mean >= 1.0)) fail("burst_mean must be at least 1, got " + std::to_string(config.burst_mean));
  if (!(config.zipf_exponent >= 0.0)) fail("zipf_exponent must be >= 0, got " + std::to_string(config.zipf_exponent));
  for (double w : {config.bias, config.match_weight, config.popularity_weight})
    if (!std::isfinite(w)) fail("bias, match_weight and popularity_weight must be finite");
}

RawDataset generate_synthetic(const SyntheticConfig& config) {
  validate(config);
  Rng rng(config.seed);
  const Catalog catalog = make_catalog(config, rng);
  std::vector<User> users;
  for (std::size_t u = 0; u < config.num_users; ++u) users.push_back(make_user(config, catalog, rng));
  Rng time_rng(config.seed + kTimeStream);
  for (User& user : users) draw_times(user, time_rng);

  auto item_id = [](std::size_t i) { return "i" + std::to_string(i); };
  auto category_id = [](std::size_t c) { return "c" + std::to_string(c); };
  auto brand_id = [](std::size_t b) { return "b" + std::to_string(b); };

  RawDataset data;
  data.side_fields = synthetic_schema(config.max_history).item_side;
  data.has_users = true;
  data.target_side.resize(2);
  data.history_side.resize(2);
  for (std::size_t n = 0; n < config.impressions; ++n) {
    const std::size_t u = rng.below(config.num_users);
    const User& user = users[u];
    const std::size_t length = rng.below(config.max_history + 1);
    const std::size_t c = rng.uniform() < config.target_from_interests ? user.draw_interest(rng)
                                                                       : rng.below(config.num_categories);
    const std::size_t target = catalog.draw_item(c, rng);

    std::vector<std::string> items, categories, brands;
    std::vector<bool> relevant;
    const std::vector<std::int64_t> history_times(user.times.begin(),
                                                  user.times.begin() + static_cast<std::ptrdiff_t>(length));
    const std::int64_t now = (length > 0 ? history_times.back() : user.times.front()) + wait(kImpressionGap, time_rng);
    // The weight of behaviour k; the times come from their own stream, so off leaves the main stream as it was.
    const double tau = config.time_decay_hours * 3600.0;
    auto weight = [&](std::size_t k) {
      if (tau > 0.0) return std::exp(-static_cast<double>(now - history_times[k]) / tau);
      return std::pow(config.recency_decay, static_cast<double>(length - 1 - k));  // j = 0 the most recent
    };
    double match = 0.0;  // sum_j w_j [same category]
    for (std::size_t k = 0; k < length; ++k) {
      const std::size_t item = user.timeline[k];
      const bool same_category = catalog.category[item] == c;
      if (same_category) match += weight(k);
      items.push_back(item_id(item));
      categories.push_back(category_id(catalog.category[item]));
      brands.push_back(brand_id(catalog.brand[item]));
      relevant.push_back(same_category);
    }
    const double logit =
        config.bias + config.match_weight * match + config.popularity_weight * catalog.popularity[target];
    const double p = 1.0 / (1.0 + std::exp(-logit));

    data.labels.push_back(rng.uniform() < p ? 1.0 : 0.0);
    data.click_probability.push_back(p);
    data.users.push_back("u" + std::to_string(u));
    data.target_item.push_back(item_id(target));
    data.target_side[0].push_back(category_id(c));
    data.target_side[1].push_back(brand_id(catalog.brand[target]));
    data.history_item.push_back(std::move(items));
    data.history_side[0].push_back(std::move(categories));
    data.history_side[1].push_back(std::move(brands));
    data.relevant.push_back(std::move(relevant));
    data.timestamp.push_back(now);
    data.history_timestamps.push_back(history_times);
  }
  return data;
}

Schema synthetic_schema(std::size_t max_len) {
  Schema schema;
  schema.label = "label";
  schema.user = "user_id";
  schema.item = "item_id";
  schema.item_side = {"item_cate", "item_brand"};
  schema.history = "hist_item_ids";
  schema.history_side = {"hist_cate_ids", "hist_brand_ids"};
  schema.max_len = max_len;
  return schema;
}

}  // namespace recgrad
