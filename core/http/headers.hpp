#pragma once
// HTTP response/request headers: an ordered list of name/value pairs with case-insensitive lookup
// (RFC 9110 §5.1). Used by the transport, the rate-limit header parser and anyone reading raw headers.

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace helios::http {

// ASCII case-insensitive comparison of header names.
bool iequals(std::string_view a, std::string_view b);
// A lower-cased copy (ASCII).
std::string to_lower(std::string_view text);
// `text` without leading and trailing spaces, tabs, CR and LF.
std::string_view trim(std::string_view text);

class Headers {
public:
  using Entry = std::pair<std::string, std::string>;

  Headers() = default;
  Headers(std::initializer_list<Entry> entries);

  void add(std::string name, std::string value);
  // Replaces every value of `name` by one value.
  void set(std::string name, std::string value);
  void remove(std::string_view name);
  // The first value of `name`, trimmed.
  [[nodiscard]] std::optional<std::string_view> get(std::string_view name) const;
  [[nodiscard]] std::vector<std::string_view> get_all(std::string_view name) const;
  [[nodiscard]] bool contains(std::string_view name) const { return get(name).has_value(); }
  [[nodiscard]] const std::vector<Entry>& entries() const { return m_entries; }
  [[nodiscard]] bool empty() const { return m_entries.empty(); }
  [[nodiscard]] std::size_t size() const { return m_entries.size(); }
  void clear() { m_entries.clear(); }

  // Feeds one raw header line as libcurl hands it ("Name: value\r\n"). A status line ("HTTP/1.1 200 OK")
  // starts a new header block (after a redirect or an interim 1xx), clearing what was collected.
  void parse_line(std::string_view line);

private:
  std::vector<Entry> m_entries;
};

}  // namespace helios::http
