#include "core/http/headers.hpp"

#include <algorithm>

namespace helios::http {

namespace {
char lower(char c)
{
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}
}  // namespace

bool iequals(std::string_view a, std::string_view b)
{
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return lower(x) == lower(y); });
}

std::string to_lower(std::string_view text)
{
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), lower);
  return out;
}

std::string_view trim(std::string_view text)
{
  constexpr std::string_view blanks = " \t\r\n";
  auto first = text.find_first_not_of(blanks);
  if (first == std::string_view::npos) {
    return {};
  }
  auto last = text.find_last_not_of(blanks);
  return text.substr(first, last - first + 1);
}

Headers::Headers(std::initializer_list<Entry> entries) : m_entries(entries) {}

void Headers::add(std::string name, std::string value)
{
  m_entries.emplace_back(std::move(name), std::move(value));
}

void Headers::set(std::string name, std::string value)
{
  remove(name);
  add(std::move(name), std::move(value));
}

void Headers::remove(std::string_view name)
{
  std::erase_if(m_entries, [&](const Entry& e) { return iequals(e.first, name); });
}

std::optional<std::string_view> Headers::get(std::string_view name) const
{
  for (const auto& [key, value] : m_entries) {
    if (iequals(key, name)) {
      return trim(value);
    }
  }
  return std::nullopt;
}

std::vector<std::string_view> Headers::get_all(std::string_view name) const
{
  std::vector<std::string_view> values;
  for (const auto& [key, value] : m_entries) {
    if (iequals(key, name)) {
      values.push_back(trim(value));
    }
  }
  return values;
}

void Headers::parse_line(std::string_view line)
{
  line = trim(line);
  if (line.empty()) {
    return;
  }
  if (line.size() >= 5 && line.substr(0, 5) == "HTTP/") {
    m_entries.clear();
    return;
  }
  auto colon = line.find(':');
  if (colon == std::string_view::npos || colon == 0) {
    return;
  }
  add(std::string(trim(line.substr(0, colon))), std::string(trim(line.substr(colon + 1))));
}

}  // namespace helios::http
