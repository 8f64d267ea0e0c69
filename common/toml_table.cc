#include "common/toml_table.h"

#include <algorithm>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/absl_compat.h"
#include "common/did_you_mean.h"

namespace cambrian {

std::string DescribeNode(const toml::node& node) {
  switch (node.type()) {
    case toml::node_type::string:
      return absl::StrCat("string \"", node.as_string()->get(), "\"");
    case toml::node_type::integer:
      return absl::StrCat("integer ", node.as_integer()->get());
    case toml::node_type::floating_point:
      return absl::StrCat("floating-point ", node.as_floating_point()->get());
    case toml::node_type::boolean:
      return node.as_boolean()->get() ? "boolean true" : "boolean false";
    case toml::node_type::table:
      return "a table";
    case toml::node_type::array:
      return "an array";
    case toml::node_type::date:
    case toml::node_type::time:
    case toml::node_type::date_time:
      return "a date/time";
    case toml::node_type::none:
      break;
  }
  return "nothing";
}

std::string TomlTable::KeyPath(std::string_view key) const {
  return path_.empty() ? std::string(key) : absl::StrCat(path_, ".", Sv(key));
}

std::string TomlTable::Where(const toml::node* node) const {
  if (node == nullptr || node->source().begin.line == 0) return file_;
  const toml::source_position& begin = node->source().begin;
  return absl::StrCat(file_, ":", begin.line, ":", begin.column);
}

absl::Status TomlTable::Error(std::string_view key, std::string_view what) const {
  const toml::node* node = table_.get(key);
  return absl::InvalidArgumentError(absl::StrCat(Where(node != nullptr ? node : &table_), ": key '",
                                                 KeyPath(key), "': ", Sv(what)));
}

absl::Status TomlTable::WrongType(std::string_view key, std::string_view expected) const {
  const toml::node* node = table_.get(key);
  std::string got = node != nullptr ? DescribeNode(*node) : "nothing";
  return Error(key, absl::StrCat("expected ", Sv(expected), ", got ", got));
}

const toml::node* TomlTable::Find(std::string_view key) { return table_.get(key); }

absl::StatusOr<const toml::node*> TomlTable::Require(std::string_view key,
                                                     std::string_view expected) {
  const toml::node* node = Find(key);
  if (node != nullptr) return node;
  return absl::InvalidArgumentError(absl::StrCat(file_, ": missing required key '", KeyPath(key),
                                                 "' (expected ", Sv(expected), ")"));
}

absl::StatusOr<std::string> TomlTable::String(std::string_view key, std::string_view expected) {
  absl::StatusOr<const toml::node*> node = Require(key, expected);
  if (!node.ok()) return node.status();
  if (!(*node)->is_string()) return WrongType(key, expected);
  return (*node)->as_string()->get();
}

absl::StatusOr<std::optional<std::string>> TomlTable::OptionalString(std::string_view key,
                                                                     std::string_view expected) {
  const toml::node* node = Find(key);
  if (node == nullptr) return std::nullopt;
  if (!node->is_string()) return WrongType(key, expected);
  return node->as_string()->get();
}

absl::StatusOr<std::optional<int64_t>> TomlTable::OptionalInteger(std::string_view key,
                                                                  std::string_view expected) {
  const toml::node* node = Find(key);
  if (node == nullptr) return std::nullopt;
  if (!node->is_integer()) return WrongType(key, expected);
  return node->as_integer()->get();
}

absl::StatusOr<std::optional<double>> TomlTable::OptionalNumber(std::string_view key,
                                                                std::string_view expected) {
  const toml::node* node = Find(key);
  if (node == nullptr) return std::nullopt;
  if (node->is_integer()) return static_cast<double>(node->as_integer()->get());
  if (!node->is_floating_point()) return WrongType(key, expected);
  return node->as_floating_point()->get();
}

absl::StatusOr<const toml::table*> TomlTable::OptionalTable(std::string_view key,
                                                            std::string_view expected) {
  const toml::node* node = Find(key);
  if (node == nullptr) return nullptr;
  if (!node->is_table()) return WrongType(key, expected);
  return node->as_table();
}

absl::StatusOr<const toml::table*> TomlTable::Table(std::string_view key,
                                                    std::string_view expected) {
  absl::StatusOr<const toml::node*> node = Require(key, expected);
  if (!node.ok()) return node.status();
  if (!(*node)->is_table()) return WrongType(key, expected);
  return (*node)->as_table();
}

absl::StatusOr<const toml::array*> TomlTable::Array(std::string_view key,
                                                    std::string_view expected) {
  absl::StatusOr<const toml::node*> node = Require(key, expected);
  if (!node.ok()) return node.status();
  if (!(*node)->is_array()) return WrongType(key, expected);
  return (*node)->as_array();
}

absl::StatusOr<toml::table> ParseTomlFile(const std::filesystem::path& path) {
  try {
    return toml::parse_file(path.string());
  } catch (const toml::parse_error& error) {
    const toml::source_position& at = error.source().begin;
    return absl::InvalidArgumentError(
        absl::StrCat(path.string(), at.line ? absl::StrCat(":", at.line, ":", at.column) : "",
                     ": TOML syntax error: ", Sv(error.description())));
  }
}

absl::StatusOr<std::optional<bool>> TomlTable::OptionalBool(std::string_view key,
                                                            std::string_view expected) {
  const toml::node* node = Find(key);
  if (node == nullptr) return std::nullopt;
  if (!node->is_boolean()) return WrongType(key, expected);
  return node->as_boolean()->get();
}

absl::Status TomlTable::AllowOnly(std::initializer_list<std::string_view> allowed) const {
  return AllowOnly(std::vector<std::string_view>(allowed));
}

absl::Status TomlTable::AllowOnly(const std::vector<std::string_view>& allowed) const {
  // toml::table iterates in key order; report the unknown key that comes
  // first in the file, which is the one a reader looks at first.
  const toml::key* first = nullptr;
  for (const auto& [key, node] : table_) {
    if (std::find(allowed.begin(), allowed.end(), key.str()) != allowed.end()) continue;
    if (first == nullptr || key.source().begin < first->source().begin) first = &key;
  }
  if (first == nullptr) return absl::OkStatus();
  std::string hint;
  if (std::optional<std::string> close = ClosestName(first->str(), allowed)) {
    hint = absl::StrCat("did you mean '", *close, "'? ");
  }
  std::string list;
  for (std::string_view key : allowed) absl::StrAppend(&list, list.empty() ? "" : ", ", Sv(key));
  const toml::source_position& at = first->source().begin;
  std::string where = at.line == 0 ? file_ : absl::StrCat(file_, ":", at.line, ":", at.column);
  return absl::InvalidArgumentError(absl::StrCat(where, ": unknown key '", KeyPath(first->str()),
                                                 "' (", hint, "expected one of: ", list, ")"));
}

}  // namespace cambrian
