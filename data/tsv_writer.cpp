#include "data/tsv_writer.h"

#include <algorithm>
#include <stdexcept>

#include "data/text.h"

namespace recgrad {
namespace {

const std::string& checked(const std::string& id, const Schema& schema, const std::string& column) {
  if (id.empty() || id.find_first_of("\t\r\n") != std::string::npos || id.find(schema.separator) != std::string::npos)
    throw std::invalid_argument("write_tsv: id '" + id + "' of column '" + column +
                                "' is empty or holds a TAB, a line break or the separator '" + schema.separator + "'");
  return id;
}

std::vector<std::string> texts(const std::vector<std::int64_t>& times) {
  std::vector<std::string> out;
  for (std::int64_t t : times) out.push_back(std::to_string(t));
  return out;
}

std::string history_cell(std::vector<std::string> ids, const Schema& schema, const std::string& column) {
  for (const std::string& id : ids) checked(id, schema, column);
  if (schema.order == HistoryOrder::NewestFirst) std::reverse(ids.begin(), ids.end());
  return join(ids, schema.separator);
}

}  // namespace

TsvWriter::TsvWriter(const std::string& path, const Schema& schema, bool has_users)
    : path_(path), schema_(schema), has_users_(has_users), out_(path, std::ios::binary) {
  validate(schema_);
  if (has_users_ && schema_.user.empty())
    throw std::invalid_argument("write_tsv: the data has user ids but the schema names no user column");
  if (!has_users_) schema_.user.clear();
  if (!out_) throw std::invalid_argument("write_tsv: cannot open '" + path + "' for writing");
  out_ << join(schema_columns(schema_), "\t") << '\n';
}

void TsvWriter::write(const RawDataset& data) {
  const std::size_t fields = data.side_fields.size();
  if (fields != schema_.item_side.size() || data.has_users != has_users_)
    throw std::invalid_argument("write_tsv: the data has " + std::to_string(fields) + " side-info fields" +
                                (data.has_users ? " and users" : "") + ", the schema " +
                                std::to_string(schema_.item_side.size()) + (has_users_ ? " and users" : ""));
  const bool times = !schema_.timestamp.empty();
  if (times && data.timestamp.size() != data.size())
    throw std::invalid_argument("write_tsv: the schema names timestamp columns but the data has no times");
  for (std::size_t row = 0; row < data.size(); ++row) {
    std::vector<std::string> cells = {data.labels[row] == 1.0 ? "1" : "0"};
    if (has_users_) cells.push_back(checked(data.users[row], schema_, schema_.user));
    cells.push_back(checked(data.target_item[row], schema_, schema_.item));
    for (std::size_t f = 0; f < fields; ++f)
      cells.push_back(checked(data.target_side[f][row], schema_, schema_.item_side[f]));
    cells.push_back(history_cell(data.history_item[row], schema_, schema_.history));
    for (std::size_t f = 0; f < fields; ++f)
      cells.push_back(history_cell(data.history_side[f][row], schema_, schema_.history_side[f]));
    if (times) {
      cells.push_back(std::to_string(data.timestamp[row]));
      cells.push_back(history_cell(texts(data.history_timestamps[row]), schema_, schema_.history_timestamps));
    }
    out_ << join(cells, "\t") << '\n';
  }
}

void TsvWriter::close() {
  out_.close();
  if (!out_) throw std::runtime_error("write_tsv: writing '" + path_ + "' failed");
}

void write_tsv(const RawDataset& data, const std::string& path, const Schema& schema) {
  TsvWriter writer(path, schema, data.has_users);
  writer.write(data);
  writer.close();
}

}  // namespace recgrad
