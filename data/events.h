#pragma once
// A behaviour log as interaction data (`recgrad prepare events`), in the layout of Taobao's
// UserBehavior.csv: one event a line,
//
//   user,item,category,behaviour,timestamp        1,2268318,2520377,pv,1511544070
//
// comma- or TAB-separated (a TAB in the first line means TAB), behaviours such as pv, buy, cart, fav,
// the timestamp an integer. A header line is optional: the first line is one when its timestamp field
// is not an integer and its fields name the columns (case-insensitive: user..., item..., cat...,
// behav.../...type.../action..., time.../ts; e.g. user_id,item_id,category_id,behavior_type,timestamp).
//
// Every event is an event of its user: positive when its behaviour is one of `positive`, side info =
// its category, feedback = its behaviour as written. data/interaction_log.h makes the impressions (time
// order, ties by item id, each user's first event dropped, history = earlier events of any behaviour
// with their behaviours, the last share of each user's impressions to test) and writes OUT: train.tsv
// and test.tsv with the columns
//   label user_id item_id item_category item_feedback timestamp hist_item_ids hist_categories hist_feedback
//   hist_timestamps
// (item_feedback is always "candidate") and recgrad.json. The file is read and checked before anything
// is written; errors name file:line (a wrong number of fields, an empty id, a non-integer timestamp, a
// behaviour holding ",", a TAB or a control character, the behaviour "candidate", more than 128
// distinct behaviours, an empty line, an empty file).
#include <string>
#include <vector>

#include "data/interaction_log.h"

namespace recgrad {

struct EventsOptions {
  std::vector<std::string> positive = {"buy", "cart", "fav"};  // behaviours labelled 1
  ImpressionOptions impressions;
};

PrepareSummary prepare_events(const std::string& path, const std::string& out_dir, const EventsOptions& options);

}  // namespace recgrad
