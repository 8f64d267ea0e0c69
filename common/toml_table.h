// The one TOML reader (task files and run config files): typed access to one
// table that knows each key's full path ("stages[2].timeout") and position,
// so every error names the file, the key and what was expected, and that
// rejects keys a table does not allow (typos). Include only from .cc files:
// this is the one place toml++ types appear in a header.
#ifndef CAMBRIAN_COMMON_TOML_TABLE_H_
#define CAMBRIAN_COMMON_TOML_TABLE_H_

#include <toml++/toml.h>

#include <cstdint>
#include <filesystem>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace cambrian {

// A short description of a value for messages: `integer 30`, `string "x"`,
// `table`.
std::string DescribeNode(const toml::node& node);

// Parses `path`; InvalidArgument "FILE:LINE:COL: TOML syntax error: WHAT"
// for a syntax error or an unreadable file.
absl::StatusOr<toml::table> ParseTomlFile(const std::filesystem::path& path);

class TomlTable {
 public:
  // `table` and `file` must outlive this object. `path` is the table's own key
  // path ("" for the document root, "stages[0]", "features.code_lines").
  TomlTable(const toml::table& table, std::string path, const std::string& file)
      : table_(table), path_(std::move(path)), file_(file) {}

  // The full key path of `key` inside this table.
  std::string KeyPath(std::string_view key) const;

  // InvalidArgument "FILE:LINE:COL: key 'PATH': WHAT" (the position is the
  // key's value, or the table's when the key is absent).
  absl::Status Error(std::string_view key, std::string_view what) const;
  // InvalidArgument "FILE:...: key 'PATH': expected EXPECTED, got DESCRIPTION".
  absl::Status WrongType(std::string_view key, std::string_view expected) const;

  // The raw value, or nullptr if absent.
  const toml::node* Find(std::string_view key);
  // The raw value; InvalidArgument "missing required key 'PATH' (expected
  // EXPECTED)" if absent.
  absl::StatusOr<const toml::node*> Require(std::string_view key, std::string_view expected);

  // Typed getters. The Optional* ones return nullopt/nullptr when the key is
  // absent; all of them fail with WrongType on a value of another type.
  // `expected` describes the value for messages ("a non-empty string").
  absl::StatusOr<std::string> String(std::string_view key, std::string_view expected);
  absl::StatusOr<std::optional<std::string>> OptionalString(std::string_view key,
                                                            std::string_view expected);
  absl::StatusOr<std::optional<int64_t>> OptionalInteger(std::string_view key,
                                                         std::string_view expected);
  // An integer or a floating-point value.
  absl::StatusOr<std::optional<double>> OptionalNumber(std::string_view key,
                                                       std::string_view expected);
  absl::StatusOr<std::optional<bool>> OptionalBool(std::string_view key, std::string_view expected);
  absl::StatusOr<const toml::table*> OptionalTable(std::string_view key, std::string_view expected);
  absl::StatusOr<const toml::table*> Table(std::string_view key, std::string_view expected);
  absl::StatusOr<const toml::array*> Array(std::string_view key, std::string_view expected);

  // InvalidArgument "unknown key 'PATH' (did you mean 'x'? expected one of:
  // a, b, c)" for the first key, in document order, not in `allowed`. Called
  // before reading a table, so a typo is reported as such rather than as the
  // missing key it was meant to be.
  absl::Status AllowOnly(std::initializer_list<std::string_view> allowed) const;
  absl::Status AllowOnly(const std::vector<std::string_view>& allowed) const;

  // "FILE:LINE:COL" for a node's position, or just "FILE" when it has none.
  std::string Where(const toml::node* node) const;

 private:
  const toml::table& table_;
  std::string path_;
  const std::string& file_;
};

}  // namespace cambrian

#endif  // CAMBRIAN_COMMON_TOML_TABLE_H_
