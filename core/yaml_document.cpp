#include "core/yaml_document.hpp"

#include <cerrno>
#include <cmath>
#include <cstring>
#include <limits>
#include <unordered_set>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include "core/suggest.hpp"
#include "core/yaml_fast_load.hpp"

namespace helios {

namespace {

constexpr const char* k_yaml_code = "invalid_yaml";

ErrorInfo yaml_error(std::string message, std::string where, std::string hint = {})
{
  return ErrorInfo{ExitCode::usage, k_yaml_code, std::move(message), std::move(where), std::move(hint),
                   nlohmann::json::object()};
}

// 1-based line and column of a byte offset (columns count characters, not bytes).
SourceLocation location_of(const std::string& file, const std::string& text, std::size_t offset)
{
  SourceLocation loc{file, 1, 1};
  for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++loc.line;
      loc.column = 1;
    } else if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) {
      ++loc.column;
    }
  }
  return loc;
}

// The offset of the first byte that is not valid UTF-8, or npos.
std::size_t invalid_utf8_offset(const std::string& text)
{
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  const std::size_t n = text.size();
  std::size_t i = 0;
  while (i < n) {
    const unsigned char c = s[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    std::size_t length = 0;
    std::uint32_t cp = 0;
    if ((c & 0xE0) == 0xC0) {
      length = 2;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      length = 3;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      length = 4;
      cp = c & 0x07;
    } else {
      return i;
    }
    if (i + length > n) {
      return i;
    }
    for (std::size_t k = 1; k < length; ++k) {
      if ((s[i + k] & 0xC0) != 0x80) {
        return i;
      }
      cp = (cp << 6) | (s[i + k] & 0x3F);
    }
    const bool overlong = (length == 2 && cp < 0x80) || (length == 3 && cp < 0x800) || (length == 4 && cp < 0x10000);
    if (overlong || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
      return i;
    }
    i += length;
  }
  return std::string::npos;
}

Result<void> check_text(const std::string& text, const std::string& file)
{
  // NUL and other control bytes: YAML text never holds them (tab, line feed and carriage return aside).
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7F) {
      return tl::unexpected(yaml_error(
        fmt::format("the file holds the control byte 0x{:02X}{}; it looks binary, not YAML text", c,
                    c == 0 ? " (NUL)" : ""),
        location_of(file, text, i).to_string(), "pass a YAML text file (UTF-8)"));
    }
  }
  if (const auto bad = invalid_utf8_offset(text); bad != std::string::npos) {
    return tl::unexpected(yaml_error(
      fmt::format("the byte 0x{:02X} is not valid UTF-8", static_cast<unsigned char>(text[bad])),
      location_of(file, text, bad).to_string(), "save the file as UTF-8"));
  }
  return {};
}

bool blank(const std::string& text)
{
  // Only whitespace, comments, a BOM and document markers: nothing for a reader to read.
  std::size_t i = 0;
  if (text.compare(0, 3, "\xEF\xBB\xBF") == 0) {
    i = 3;
  }
  bool line_start = true;
  for (; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\n') {
      line_start = true;
      continue;
    }
    if (c == ' ' || c == '\t' || c == '\r') {
      continue;
    }
    if (c == '#') {
      while (i < text.size() && text[i] != '\n') {
        ++i;
      }
      line_start = true;
      continue;
    }
    if (line_start && (text.compare(i, 3, "---") == 0 || text.compare(i, 3, "...") == 0)) {
      i += 2;
      line_start = false;
      continue;
    }
    return false;
  }
  return true;
}

// The one walk that bounds every later walk: depth, expanded size, alias use, keys.
class Walker {
public:
  Walker(const YamlDocument& doc, const YamlLimits& limits) : m_doc(doc), m_limits(limits) {}

  Result<void> walk(const YAML::Node& node, int depth)
  {
    if (++m_nodes > m_limits.max_nodes) {
      return tl::unexpected(yaml_error(
        fmt::format("the document expands to more than {} YAML nodes", m_limits.max_nodes),
        m_doc.where(node).to_string(),
        "split the file, or use fewer aliases (*name): each use of an alias counts its whole anchored value"));
    }
    const bool outer_alias = m_in_alias;
    if (node.IsMap() || node.IsSequence()) {
      if (depth > m_limits.max_depth) {
        return tl::unexpected(yaml_error(
          fmt::format("the YAML nests deeper than {} levels", m_limits.max_depth), m_doc.where(node).to_string(),
          "flatten the structure; helios files need a handful of levels"));
      }
      // yaml-cpp shares one node between an anchor and its aliases: a second visit of the same
      // collection (same start position) means we came through an alias.
      const int pos = node.Mark().pos;
      if (pos >= 0 && !m_seen.insert(pos).second && !m_in_alias) {
        m_in_alias = true;
        m_alias_root = node.Mark();
      }
    }
    if (m_in_alias && ++m_alias_nodes > m_limits.max_alias_nodes) {
      return tl::unexpected(yaml_error(
        fmt::format("YAML aliases expand to more than {} nodes (an alias bomb?); the anchored value here is "
                    "repeated through aliases",
                    m_limits.max_alias_nodes),
        m_doc.where(m_alias_root).to_string(), "write the values out, or use each anchor (&name) only a few times"));
    }
    if (!node.IsMap() && !node.IsSequence()) {
      m_in_alias = outer_alias;
      return {};
    }
    if (node.IsSequence()) {
      for (const auto& child : node) {
        if (auto ok = walk(child, depth + 1); !ok) {
          return ok;
        }
      }
    } else {
      std::unordered_set<std::string> keys;
      for (const auto& entry : node) {
        const YAML::Node& key = entry.first;
        if (!key.IsScalar()) {
          return tl::unexpected(yaml_error("a mapping key must be a plain word, not " +
                                             std::string(key.IsMap() ? "a mapping" : key.IsSequence() ? "a list" : "empty"),
                                           m_doc.where(key, m_doc.where(node)).to_string(),
                                           "write keys as plain words: `name: value`"));
        }
        if (!keys.insert(key.Scalar()).second) {
          return tl::unexpected(yaml_error(fmt::format("the key '{}' appears twice in the same mapping", key.Scalar()),
                                           m_doc.where(key, m_doc.where(node)).to_string(),
                                           "remove or merge the repeated key"));
        }
        if (auto ok = walk(entry.second, depth + 1); !ok) {
          return ok;
        }
      }
    }
    m_in_alias = outer_alias;
    return {};
  }

private:
  const YamlDocument& m_doc;
  const YamlLimits& m_limits;
  std::size_t m_nodes = 0;
  std::size_t m_alias_nodes = 0;
  bool m_in_alias = false;
  YAML::Mark m_alias_root;  // where the collection whose repeated visit started the current alias expansion
  std::unordered_set<int> m_seen;
};

std::string quote_scalar(const std::string& value)
{
  constexpr std::size_t k_max = 60;
  if (value.size() > k_max) {
    return "'" + value.substr(0, k_max) + "…'";
  }
  return "'" + value + "'";
}

}  // namespace

std::string describe_size(std::size_t bytes)
{
  constexpr double k_mib = 1024.0 * 1024.0;
  if (bytes >= 1024 * 1024) {
    if (bytes % (1024 * 1024) == 0) {
      return fmt::format("{} MiB", bytes / (1024 * 1024));
    }
    return fmt::format("{:.1f} MiB", static_cast<double>(bytes) / k_mib);
  }
  if (bytes >= 1024) {
    return fmt::format("{:.1f} KiB", static_cast<double>(bytes) / 1024.0);
  }
  return fmt::format("{} bytes", bytes);
}

// ----- YamlDocument ----------------------------------------------------------------------------------

Result<YamlDocument> YamlDocument::load_file(const std::string& path, const YamlLimits& limits)
{
  const bool from_stdin = path == "-";
  const int fd = from_stdin ? STDIN_FILENO : ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    const int err = errno;
    if (err == ENOENT || err == ENOTDIR) {
      return helios::fail(ExitCode::usage, "file_not_found", fmt::format("no such file: {}", path), path,
                          "check the path (-f/--file)");
    }
    return helios::fail(ExitCode::runtime, "io_error", fmt::format("cannot open {}: {}", path, std::strerror(err)),
                        path, "check the file's permissions");
  }
  struct Closer {
    int fd;
    bool own;
    ~Closer()
    {
      if (own) {
        ::close(fd);
      }
    }
  } closer{fd, !from_stdin};

  struct stat st {};
  if (::fstat(fd, &st) == 0) {
    if (S_ISDIR(st.st_mode)) {
      return helios::fail(ExitCode::usage, "invalid_yaml", fmt::format("{} is a directory, not a YAML file", path),
                          path, "pass the path of a .yaml file");
    }
    if (S_ISREG(st.st_mode) && static_cast<std::size_t>(st.st_size) > limits.max_bytes) {
      return tl::unexpected(yaml_error(
        fmt::format("the file is {}; helios reads YAML files of up to {}", describe_size(static_cast<std::size_t>(st.st_size)),
                    describe_size(limits.max_bytes)),
        SourceLocation{path, 1, 1}.to_string(), "is this the right file? manifests and catalogs are a few kilobytes"));
    }
  }
  // Read at most one byte more than the limit: pipes and devices have no size to check beforehand.
  std::string text;
  std::size_t used = 0;
  text.resize(std::min<std::size_t>(limits.max_bytes + 1, 64 * 1024));
  for (;;) {
    if (used == text.size()) {
      if (text.size() >= limits.max_bytes + 1) {
        break;
      }
      text.resize(std::min<std::size_t>(limits.max_bytes + 1, text.size() * 2));
    }
    const ssize_t got = ::read(fd, text.data() + used, text.size() - used);
    if (got < 0) {
      if (errno == EINTR) {
        continue;
      }
      return helios::fail(ExitCode::runtime, "io_error", fmt::format("cannot read {}: {}", path, std::strerror(errno)),
                          path);
    }
    if (got == 0) {
      break;
    }
    used += static_cast<std::size_t>(got);
  }
  text.resize(used);
  if (used > limits.max_bytes) {
    return tl::unexpected(yaml_error(fmt::format("the input is larger than {}; helios reads YAML files of up to {}",
                                                 describe_size(limits.max_bytes), describe_size(limits.max_bytes)),
                                     SourceLocation{path, 1, 1}.to_string(),
                                     "is this the right file? manifests and catalogs are a few kilobytes"));
  }
  return parse(std::move(text), path, limits);
}

Result<YamlDocument> YamlDocument::parse(std::string text, std::string file, const YamlLimits& limits)
{
  if (text.size() > limits.max_bytes) {
    return tl::unexpected(yaml_error(fmt::format("the text is {}; helios reads YAML of up to {}",
                                                 describe_size(text.size()), describe_size(limits.max_bytes)),
                                     SourceLocation{file, 1, 1}.to_string(),
                                     "is this the right file? manifests and catalogs are a few kilobytes"));
  }
  if (auto ok = check_text(text, file); !ok) {
    return tl::unexpected(ok.error());
  }
  if (blank(text)) {
    return tl::unexpected(yaml_error("the file is empty (no YAML content)", SourceLocation{file, 1, 1}.to_string(),
                                     "write the document's keys, e.g. `apiVersion: helios/v1`; `helios init` writes a "
                                     "starter manifest"));
  }
  YamlDocument doc;
  doc.m_file = std::move(file);
  doc.m_text = std::move(text);
  std::vector<YAML::Node> documents;
  try {
    // libyaml builds yaml-cpp's tree for the common case; yaml-cpp parses (and words the errors) otherwise
    if (auto fast = fast_yaml_load(doc.m_text, limits.max_depth)) {
      documents.push_back(std::move(*fast));
    } else {
      documents = YAML::LoadAll(doc.m_text);
    }
  } catch (const YAML::DeepRecursion& e) {
    return tl::unexpected(yaml_error(fmt::format("the YAML nests deeper than {} levels", limits.max_depth),
                                     doc.where(e.mark).to_string(),
                                     "flatten the structure; helios files need a handful of levels"));
  } catch (const YAML::Exception& e) {
    std::string message = e.msg.empty() ? std::string("invalid YAML") : e.msg;
    return tl::unexpected(yaml_error("invalid YAML: " + message, doc.where(e.mark).to_string(),
                                     "check the indentation (spaces, not tabs), quotes and brackets around here"));
  }
  if (documents.empty() || (documents.size() == 1 && documents.front().IsNull())) {
    return tl::unexpected(yaml_error("the file is empty (no YAML content)", SourceLocation{doc.m_file, 1, 1}.to_string(),
                                     "write the document's keys; `helios init` writes a starter manifest"));
  }
  if (documents.size() > 1) {
    return tl::unexpected(yaml_error(fmt::format("the file holds {} YAML documents; helios reads one per file",
                                                 documents.size()),
                                     doc.where(documents[1], SourceLocation{doc.m_file, 0, 0}).to_string(),
                                     "remove the `---` separator and the second document, or split the file"));
  }
  doc.m_root = documents.front();
  Walker walker(doc, limits);
  if (auto ok = walker.walk(doc.m_root, 1); !ok) {
    return tl::unexpected(ok.error());
  }
  return doc;
}

const std::vector<YamlDocument::MapEntry>* YamlDocument::map_entries(const YAML::Node& map) const
{
  const int pos = map.Mark().pos;
  if (pos < 0 || !map.IsMap()) {
    return nullptr;
  }
  auto [it, added] = m_map_entries.try_emplace(pos);
  if (!added) {
    return it->second.first.is(map) ? &it->second.second : nullptr;
  }
  it->second.first.reset(map);
  auto& out = it->second.second;
  out.reserve(map.size());
  for (const auto& entry : map) {
    const bool scalar = entry.first.IsScalar();
    out.push_back(MapEntry{scalar, scalar ? std::string_view(entry.first.Scalar()) : std::string_view(), entry.first,
                           entry.second});
  }
  return &out;
}

YamlNode YamlDocument::root() const
{
  return YamlNode(*this, m_root, "", SourceLocation{m_file, 1, 1});
}

SourceLocation YamlDocument::where(const YAML::Mark& mark) const
{
  if (mark.is_null() || mark.line < 0) {
    return SourceLocation{m_file, 0, 0};
  }
  return SourceLocation{m_file, mark.line + 1, mark.column + 1};
}

SourceLocation YamlDocument::where(const YAML::Node& node, const SourceLocation& fallback) const
{
  if (!node.IsDefined()) {
    return fallback.file.empty() ? SourceLocation{m_file, 0, 0} : fallback;
  }
  const YAML::Mark mark = node.Mark();
  if (mark.is_null() || mark.line < 0) {
    return fallback.file.empty() ? SourceLocation{m_file, 0, 0} : fallback;
  }
  return where(mark);
}

// ----- YamlNode --------------------------------------------------------------------------------------

YamlNode::YamlNode(const YamlDocument& doc, YAML::Node node, std::string path, SourceLocation fallback)
  : m_doc(&doc), m_node(std::move(node)), m_path(std::move(path)), m_fallback(std::move(fallback))
{
}

YamlNode& YamlNode::operator=(const YamlNode& other)
{
  if (this != &other) {
    m_doc = other.m_doc;
    m_node.reset(other.m_node);  // rebinds the handle; YAML::Node's operator= would overwrite the tree
    m_path = other.m_path;
    m_fallback = other.m_fallback;
  }
  return *this;
}

SourceLocation YamlNode::where() const
{
  return m_doc->where(m_node, m_fallback);
}

std::string YamlNode::describe() const
{
  if (is_null()) {
    return "nothing";
  }
  if (is_map()) {
    return "a mapping";
  }
  if (is_list()) {
    return "a list";
  }
  return "the value " + quote_scalar(m_node.Scalar());
}

ErrorInfo YamlNode::error(std::string message, std::string hint) const
{
  std::string text = m_path.empty() ? std::move(message) : fmt::format("{}: {}", m_path, message);
  return ErrorInfo{ExitCode::usage, m_doc->error_code(), std::move(text), where().to_string(), std::move(hint),
                   nlohmann::json::object()};
}

std::string YamlNode::child_path(std::string_view key) const
{
  return m_path.empty() ? std::string(key) : fmt::format("{}.{}", m_path, key);
}

Result<std::string> YamlNode::as_string() const
{
  if (!is_scalar() || is_null()) {
    return fail(fmt::format("expected a string, got {}", describe()),
                is_null() ? "write a value after the colon" : "write a single value; quote it if it has special characters");
  }
  return m_node.Scalar();
}

Result<double> YamlNode::as_number(double min, double max) const
{
  if (!is_scalar() || is_null()) {
    return fail(fmt::format("expected a number, got {}", describe()), "write digits, e.g. 0 or 12.5");
  }
  double value = 0;
  if (!YAML::convert<double>::decode(m_node, value) || !std::isfinite(value)) {
    return fail(fmt::format("expected a number, got {}", describe()), "write digits, e.g. 0 or 12.5");
  }
  if (value < min || value > max) {
    return fail(fmt::format("{} is out of range; expected a number from {} to {}", m_node.Scalar(), min, max),
                fmt::format("write a number from {} to {}", min, max));
  }
  return value;
}

Result<long long> YamlNode::as_integer(long long min, long long max) const
{
  if (!is_scalar() || is_null()) {
    return fail(fmt::format("expected a whole number, got {}", describe()), "write digits, e.g. 1 or 3");
  }
  long long value = 0;
  if (!YAML::convert<long long>::decode(m_node, value)) {
    double real = 0;
    if (YAML::convert<double>::decode(m_node, real) && std::isfinite(real)) {
      return fail(fmt::format("expected a whole number, got {}", m_node.Scalar()), "drop the fraction");
    }
    return fail(fmt::format("expected a whole number, got {}", describe()), "write digits, e.g. 1 or 3");
  }
  if (value < min || value > max) {
    return fail(fmt::format("{} is out of range; expected a whole number from {} to {}", value, min, max),
                fmt::format("write a whole number from {} to {}", min, max));
  }
  return value;
}

Result<bool> YamlNode::as_bool() const
{
  bool value = false;
  if (!is_scalar() || is_null() || !YAML::convert<bool>::decode(m_node, value)) {
    return fail(fmt::format("expected true or false, got {}", describe()), "write true or false");
  }
  return value;
}

Result<std::vector<std::string>> YamlNode::as_string_list() const
{
  if (!is_list()) {
    return fail(fmt::format("expected a list of strings, got {}", describe()),
                is_scalar() ? fmt::format("write a list: [{}]", m_node.Scalar()) : std::string());
  }
  std::vector<std::string> out;
  for (const auto& item : items()) {
    auto text = item.as_string();
    if (!text) {
      return tl::unexpected(text.error());
    }
    out.push_back(std::move(*text));
  }
  return out;
}

Result<void> YamlNode::expect_map() const
{
  if (!is_map()) {
    return fail(fmt::format("expected a mapping (key: value), got {}", describe()),
                "write `key: value` lines indented under it, or `{key: value}`");
  }
  return {};
}

Result<void> YamlNode::expect_list() const
{
  if (!is_list()) {
    return fail(fmt::format("expected a list, got {}", describe()), "write `- item` lines under it, or `[a, b]`");
  }
  return {};
}

std::vector<YamlNode> YamlNode::items() const
{
  std::vector<YamlNode> out;
  if (!is_list()) {
    return out;
  }
  const SourceLocation here = where();
  std::size_t i = 0;
  for (const auto& item : m_node) {
    out.emplace_back(*m_doc, item, fmt::format("{}[{}]", m_path, i++), here);
  }
  return out;
}

std::vector<YamlEntry> YamlNode::entries() const
{
  std::vector<YamlEntry> out;
  if (!is_map()) {
    return out;
  }
  const SourceLocation here = where();
  if (const auto* indexed = m_doc->map_entries(m_node)) {
    out.reserve(indexed->size());
    for (const auto& entry : *indexed) {
      const SourceLocation key_where = m_doc->where(entry.key_node, here);
      const std::string key(entry.key);
      out.push_back(YamlEntry{key, key_where, YamlNode(*m_doc, entry.value, child_path(key), key_where)});
    }
    return out;
  }
  for (const auto& entry : m_node) {
    const SourceLocation key_where = m_doc->where(entry.first, here);
    const std::string key = entry.first.IsScalar() ? entry.first.Scalar() : std::string();
    out.push_back(YamlEntry{key, key_where, YamlNode(*m_doc, entry.second, child_path(key), key_where)});
  }
  return out;
}

bool YamlNode::has(std::string_view key) const
{
  return get(key).has_value();
}

std::optional<YamlNode> YamlNode::get(std::string_view key) const
{
  if (!is_map()) {
    return std::nullopt;
  }
  if (const auto* indexed = m_doc->map_entries(m_node)) {
    for (const auto& entry : *indexed) {
      if (entry.scalar_key && entry.key == key) {
        const YAML::Mark mark = entry.key_node.Mark();
        // the key's own position; this node's (the fallback) only when the key has none
        return YamlNode(*m_doc, entry.value, child_path(key),
                        mark.is_null() || mark.line < 0 ? m_doc->where(entry.key_node, where()) : m_doc->where(mark));
      }
    }
    return std::nullopt;
  }
  for (const auto& entry : m_node) {
    if (entry.first.IsScalar() && entry.first.Scalar() == key) {
      return YamlNode(*m_doc, entry.second, child_path(key), m_doc->where(entry.first, where()));
    }
  }
  return std::nullopt;
}

Result<void> YamlNode::check_keys(const std::vector<std::string_view>& allowed) const
{
  if (const auto* indexed = is_map() ? m_doc->map_entries(m_node) : nullptr) {
    bool all_known = true;
    for (const auto& entry : *indexed) {
      bool known = false;
      for (const auto name : allowed) {
        known = known || name == entry.key;
      }
      all_known = all_known && known;
    }
    if (all_known) {
      return {};  // else the walk below names the first unknown key
    }
  }
  for (const auto& entry : entries()) {
    bool known = false;
    for (const auto name : allowed) {
      known = known || name == entry.key;
    }
    if (!known) {
      const std::string where_text = m_path.empty() ? std::string("at the top level") : "in " + m_path;
      return tl::unexpected(ErrorInfo{ExitCode::usage, m_doc->error_code(),
                                      fmt::format("unknown key '{}' {}", entry.key, where_text),
                                      entry.key_where.to_string(), did_you_mean(entry.key, allowed),
                                      nlohmann::json{{"key", entry.key}, {"path", child_path(entry.key)}}});
    }
  }
  return {};
}

Result<YamlNode> YamlNode::required(std::string_view key) const
{
  if (auto ok = expect_map(); !ok) {
    return tl::unexpected(ok.error());
  }
  auto child = get(key);
  if (!child) {
    return fail(fmt::format("missing required key '{}'", key), fmt::format("add `{}:` with a value", key));
  }
  if (child->is_null()) {
    return child->fail("a value is required here", "write a value after the colon");
  }
  return *child;
}

Result<std::string> YamlNode::required_string(std::string_view key) const
{
  auto child = required(key);
  if (!child) {
    return tl::unexpected(child.error());
  }
  return child->as_string();
}

Result<std::optional<std::string>> YamlNode::optional_string(std::string_view key) const
{
  auto child = get(key);
  if (!child || child->is_null()) {
    return std::optional<std::string>();
  }
  return child->as_string().map([](std::string s) { return std::optional<std::string>(std::move(s)); });
}

Result<double> YamlNode::required_number(std::string_view key, double min, double max) const
{
  auto child = required(key);
  if (!child) {
    return tl::unexpected(child.error());
  }
  return child->as_number(min, max);
}

Result<std::optional<double>> YamlNode::optional_number(std::string_view key, double min, double max) const
{
  auto child = get(key);
  if (!child || child->is_null()) {
    return std::optional<double>();
  }
  return child->as_number(min, max).map([](double v) { return std::optional<double>(v); });
}

Result<std::optional<long long>> YamlNode::optional_integer(std::string_view key, long long min, long long max) const
{
  auto child = get(key);
  if (!child || child->is_null()) {
    return std::optional<long long>();
  }
  return child->as_integer(min, max).map([](long long v) { return std::optional<long long>(v); });
}

Result<std::optional<bool>> YamlNode::optional_bool(std::string_view key) const
{
  auto child = get(key);
  if (!child || child->is_null()) {
    return std::optional<bool>();
  }
  return child->as_bool().map([](bool v) { return std::optional<bool>(v); });
}

Result<std::optional<std::vector<std::string>>> YamlNode::optional_string_list(std::string_view key) const
{
  auto child = get(key);
  if (!child || child->is_null()) {
    return std::optional<std::vector<std::string>>();
  }
  return child->as_string_list().map(
    [](std::vector<std::string> v) { return std::optional<std::vector<std::string>>(std::move(v)); });
}

Result<YamlNode> YamlNode::required_map(std::string_view key) const
{
  auto child = required(key);
  if (!child) {
    return child;
  }
  if (auto ok = child->expect_map(); !ok) {
    return tl::unexpected(ok.error());
  }
  return child;
}

Result<std::optional<YamlNode>> YamlNode::optional_map(std::string_view key) const
{
  auto child = get(key);
  if (!child || child->is_null()) {
    return std::optional<YamlNode>();
  }
  if (auto ok = child->expect_map(); !ok) {
    return tl::unexpected(ok.error());
  }
  return child;
}

Result<YamlNode> YamlNode::required_list(std::string_view key) const
{
  auto child = required(key);
  if (!child) {
    return child;
  }
  if (auto ok = child->expect_list(); !ok) {
    return tl::unexpected(ok.error());
  }
  return child;
}

Result<std::optional<YamlNode>> YamlNode::optional_list(std::string_view key) const
{
  auto child = get(key);
  if (!child || child->is_null()) {
    return std::optional<YamlNode>();
  }
  if (auto ok = child->expect_list(); !ok) {
    return tl::unexpected(ok.error());
  }
  return child;
}

}  // namespace helios
