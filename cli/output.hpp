#pragma once
// How commands print: in --json mode exactly one JSON document on stdout; otherwise human text on
// stdout (tables, aligned) and logs/progress on stderr. Colour only when stdout is a TTY.

#include <cstdio>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli/context.hpp"

namespace helios::cli {

// Prints `doc` as the one JSON document (--json), or runs `human` to print the human form.
void emit(const Context& ctx, const nlohmann::json& doc, const std::function<void()>& human);

// A log line for people, on stderr; silent in --json mode unless `always`.
void log(const Context& ctx, const std::string& line, bool always = false);

// ANSI colour when ctx.color, else the text unchanged. Names: red, green, yellow, blue, bold, dim.
std::string paint(const Context& ctx, const std::string& colour, const std::string& text);

// A bar of `width` cells for a fraction in [0, 1] (values above 1 show as full and are marked).
std::string bar(double fraction, int width = 20);

// The number of terminal columns a UTF-8 string takes (codepoints; ANSI escapes count zero).
std::size_t display_width(const std::string& text);

// An aligned text table. Columns listed in `right` are right-aligned (numbers).
class Table {
public:
  explicit Table(std::vector<std::string> headers, std::vector<bool> right = {});
  void add_row(std::vector<std::string> cells);
  [[nodiscard]] std::string render(const Context& ctx) const;
  [[nodiscard]] bool empty() const { return m_rows.empty(); }

private:
  std::vector<std::string> m_headers;
  std::vector<bool> m_right;
  std::vector<std::vector<std::string>> m_rows;
};

}  // namespace helios::cli
