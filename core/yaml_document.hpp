#pragma once
// Safe, located YAML loading for every YAML reader in helios (manifests, user catalogs, policy data).
//
// YamlDocument::load_file refuses, before the text is parsed: files over a size limit (without reading
// them whole), empty files, NUL bytes and other binary control bytes, and invalid UTF-8. It parses with
// libyaml into yaml-cpp's tree when that is certain to equal yaml-cpp's own (core/yaml_fast_load.hpp), else
// with yaml-cpp. After parsing it walks the tree once and refuses: more than one document, nesting deeper
// than a limit, duplicate or non-scalar mapping keys, and alias bombs ("billion laughs": yaml-cpp shares an anchored
// node between its aliases, so the expansion happens when a reader walks the tree; the walk counts every
// node reached, aliases each time they are used, and stops at a budget). After that check any reader's
// walk of the tree is bounded by the same budget.
//
// Every error is an ErrorInfo with exit 2 whose `where` is file:line:column (1-based). YAML-level errors
// have code "invalid_yaml"; field errors raised through YamlNode carry the document's error code, which
// the reader sets ("invalid_manifest", "invalid_catalog", …).
//
// YamlNode reads typed fields with their location and a dotted path for messages:
//   auto root = doc.root();                       // path ""
//   auto spec = root.required_map("spec");        // Result<YamlNode>, path "spec"
//   auto name = spec->required_string("name");    // "spec.name: expected a string, got a list"
//   spec->check_keys({"budget", "regions"});      // "unknown key 'regoins' in spec; did you mean 'regions'?"

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/yaml.h>

#include "core/error.hpp"
#include "core/source_location.hpp"

namespace helios {

struct YamlLimits {
  std::size_t max_bytes = 4 * 1024 * 1024;  // larger files are refused without being read whole
  int max_depth = 64;                       // nesting of mappings and lists
  std::size_t max_nodes = 1'000'000;        // nodes of the tree with every alias expanded
  std::size_t max_alias_nodes = 10'000;     // of which reached through aliases
};

class YamlDocument;
struct YamlEntry;

// A node of a loaded document with where it came from. Cheap to copy (yaml-cpp nodes are handles).
class YamlNode {
public:
  YamlNode(const YamlDocument& doc, YAML::Node node, std::string path, SourceLocation fallback);
  YamlNode(const YamlNode&) = default;
  // Rebinds to the other node (YAML::Node's own assignment would overwrite the referenced tree).
  YamlNode& operator=(const YamlNode& other);

  [[nodiscard]] const YAML::Node& node() const { return m_node; }
  [[nodiscard]] const std::string& path() const { return m_path; }
  [[nodiscard]] const YamlDocument& document() const { return *m_doc; }
  [[nodiscard]] SourceLocation where() const;
  // "a mapping", "a list", "the string 'x'", "nothing": what the value is, for messages.
  [[nodiscard]] std::string describe() const;

  [[nodiscard]] bool is_map() const { return m_node.IsMap(); }
  [[nodiscard]] bool is_list() const { return m_node.IsSequence(); }
  [[nodiscard]] bool is_scalar() const { return m_node.IsScalar(); }
  [[nodiscard]] bool is_null() const { return !m_node.IsDefined() || m_node.IsNull(); }

  // An error located at this node, with the document's error code and exit 2. The message is prefixed
  // with the node's path when it has one ("spec.workloads[0].replicas: …").
  [[nodiscard]] ErrorInfo error(std::string message, std::string hint = {}) const;
  [[nodiscard]] tl::unexpected<ErrorInfo> fail(std::string message, std::string hint = {}) const
  {
    return tl::unexpected<ErrorInfo>(error(std::move(message), std::move(hint)));
  }

  // --- this node as a typed value --------------------------------------------------------------
  [[nodiscard]] Result<std::string> as_string() const;                // any scalar, as written
  [[nodiscard]] Result<double> as_number(double min, double max) const; // finite, in [min, max]
  [[nodiscard]] Result<long long> as_integer(long long min, long long max) const;
  [[nodiscard]] Result<bool> as_bool() const;                         // true/false (also yes/no, on/off)
  [[nodiscard]] Result<std::vector<std::string>> as_string_list() const;  // a list of scalars
  [[nodiscard]] Result<void> expect_map() const;
  [[nodiscard]] Result<void> expect_list() const;

  // --- a list ---------------------------------------------------------------------------------
  [[nodiscard]] std::vector<YamlNode> items() const;  // path "x[0]", "x[1]", …; empty if not a list

  // --- a mapping --------------------------------------------------------------------------------
  [[nodiscard]] std::vector<YamlEntry> entries() const;   // in file order; empty if not a mapping
  [[nodiscard]] bool has(std::string_view key) const; // present (even if null)
  [[nodiscard]] std::optional<YamlNode> get(std::string_view key) const;
  // Refuses keys not in `allowed`, naming the key's location and the closest allowed key.
  [[nodiscard]] Result<void> check_keys(const std::vector<std::string_view>& allowed) const;

  [[nodiscard]] Result<YamlNode> required(std::string_view key) const;  // present and not null
  [[nodiscard]] Result<std::string> required_string(std::string_view key) const;
  [[nodiscard]] Result<std::optional<std::string>> optional_string(std::string_view key) const;
  [[nodiscard]] Result<double> required_number(std::string_view key, double min, double max) const;
  [[nodiscard]] Result<std::optional<double>> optional_number(std::string_view key, double min, double max) const;
  [[nodiscard]] Result<std::optional<long long>> optional_integer(std::string_view key, long long min,
                                                                  long long max) const;
  [[nodiscard]] Result<std::optional<bool>> optional_bool(std::string_view key) const;
  [[nodiscard]] Result<std::optional<std::vector<std::string>>> optional_string_list(std::string_view key) const;
  [[nodiscard]] Result<YamlNode> required_map(std::string_view key) const;
  [[nodiscard]] Result<std::optional<YamlNode>> optional_map(std::string_view key) const;
  [[nodiscard]] Result<YamlNode> required_list(std::string_view key) const;
  [[nodiscard]] Result<std::optional<YamlNode>> optional_list(std::string_view key) const;

private:
  [[nodiscard]] std::string child_path(std::string_view key) const;

  const YamlDocument* m_doc;
  YAML::Node m_node;
  std::string m_path;
  SourceLocation m_fallback;  // used when yaml-cpp has no mark for the node (e.g. an implicit null)
};

// One key: value pair of a mapping.
struct YamlEntry {
  std::string key;
  SourceLocation key_where;
  YamlNode value;
};

class YamlDocument {
public:
  // Reads and checks a file ("-" reads standard input). Errors: file_not_found (exit 2), io_error
  // (exit 1), invalid_yaml (exit 2) for everything listed at the top of this header.
  static Result<YamlDocument> load_file(const std::string& path, const YamlLimits& limits = {});
  // The same checks on text already in memory; `file` names it in errors.
  static Result<YamlDocument> parse(std::string text, std::string file, const YamlLimits& limits = {});

  [[nodiscard]] YamlNode root() const;
  [[nodiscard]] const std::string& file() const { return m_file; }
  [[nodiscard]] const std::string& text() const { return m_text; }  // the bytes as read
  // file:line:column of a node (1-based), or `fallback` when yaml-cpp has no mark for it.
  [[nodiscard]] SourceLocation where(const YAML::Node& node, const SourceLocation& fallback = {}) const;
  [[nodiscard]] SourceLocation where(const YAML::Mark& mark) const;

  // The entries of a mapping of this document in file order, indexed on first use: readers look keys up
  // one by one (YamlNode::get), and each walk of a yaml-cpp mapping costs a few hundred instructions per
  // entry. nullptr for a node without a position in the text (then callers walk the node itself).
  struct MapEntry {
    bool scalar_key;
    std::string_view key;  // the key's scalar (empty unless scalar_key), owned by key_node
    YAML::Node key_node;
    YAML::Node value;
  };
  [[nodiscard]] const std::vector<MapEntry>* map_entries(const YAML::Node& map) const;

  // The code of field errors raised through YamlNode (default "invalid_yaml").
  [[nodiscard]] const std::string& error_code() const { return m_error_code; }
  void set_error_code(std::string code) { m_error_code = std::move(code); }

  YamlDocument(YamlDocument&&) noexcept = default;
  YamlDocument& operator=(YamlDocument&&) noexcept = default;
  YamlDocument(const YamlDocument&) = delete;
  YamlDocument& operator=(const YamlDocument&) = delete;

private:
  YamlDocument() = default;
  std::string m_file;
  std::string m_text;
  YAML::Node m_root;
  std::string m_error_code = "invalid_yaml";
  // by the mapping's position in the text; the node itself is kept to tell positions shared by aliases
  mutable std::unordered_map<int, std::pair<YAML::Node, std::vector<MapEntry>>> m_map_entries;
};

// Formats a byte count for messages: "4 MiB", "100.0 MiB", "512 bytes".
std::string describe_size(std::size_t bytes);

}  // namespace helios
