#include "cli/output.hpp"

#include <algorithm>
#include <cmath>
#include <iostream>

#include <fmt/format.h>

namespace helios::cli {

void emit(const Context& ctx, const nlohmann::json& doc, const std::function<void()>& human)
{
  if (ctx.json) {
    std::string text = doc.dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
    text.push_back('\n');
    std::fwrite(text.data(), 1, text.size(), stdout);
    std::fflush(stdout);
    return;
  }
  human();
  std::fflush(stdout);
}

void log(const Context& ctx, const std::string& line, bool always)
{
  if (ctx.json && !always) {
    return;
  }
  std::fprintf(stderr, "%s\n", line.c_str());
}

std::string paint(const Context& ctx, const std::string& colour, const std::string& text)
{
  if (!ctx.color) {
    return text;
  }
  const char* code = "0";
  if (colour == "red") {
    code = "31";
  } else if (colour == "green") {
    code = "32";
  } else if (colour == "yellow") {
    code = "33";
  } else if (colour == "blue") {
    code = "34";
  } else if (colour == "bold") {
    code = "1";
  } else if (colour == "dim") {
    code = "2";
  }
  return fmt::format("\033[{}m{}\033[0m", code, text);
}

std::string bar(double fraction, int width)
{
  if (!std::isfinite(fraction) || fraction < 0) {
    fraction = 0;
  }
  const bool over = fraction > 1.0;
  const double clamped = std::min(fraction, 1.0);
  const int eighths = static_cast<int>(std::lround(clamped * width * 8));
  static const char* partial[] = {"", "▏", "▎", "▍", "▌", "▋", "▊", "▉"};
  std::string out;
  int cells = 0;
  for (int i = 0; i < eighths / 8; ++i, ++cells) {
    out += "█";
  }
  if (eighths % 8 != 0 && cells < width) {
    out += partial[eighths % 8];
    ++cells;
  }
  for (; cells < width; ++cells) {
    out += "·";
  }
  if (over) {
    out += "!";
  }
  return out;
}

std::size_t display_width(const std::string& text)
{
  std::size_t width = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == 0x1b) {  // skip an ANSI escape sequence
      while (i < text.size() && text[i] != 'm') {
        ++i;
      }
      continue;
    }
    if ((c & 0xC0) != 0x80) {
      ++width;
    }
  }
  return width;
}

Table::Table(std::vector<std::string> headers, std::vector<bool> right)
  : m_headers(std::move(headers)), m_right(std::move(right))
{
  m_right.resize(m_headers.size(), false);
}

void Table::add_row(std::vector<std::string> cells)
{
  cells.resize(m_headers.size());
  m_rows.push_back(std::move(cells));
}

std::string Table::render(const Context& ctx) const
{
  std::vector<std::size_t> widths(m_headers.size(), 0);
  for (std::size_t c = 0; c < m_headers.size(); ++c) {
    widths[c] = display_width(m_headers[c]);
    for (const auto& row : m_rows) {
      widths[c] = std::max(widths[c], display_width(row[c]));
    }
  }
  auto line = [&](const std::vector<std::string>& cells, bool header) {
    std::string out;
    for (std::size_t c = 0; c < cells.size(); ++c) {
      const std::size_t pad = widths[c] - display_width(cells[c]);
      const bool last = c + 1 == cells.size();
      std::string cell = header ? paint(ctx, "bold", cells[c]) : cells[c];
      if (m_right[c]) {
        out += std::string(pad, ' ') + cell;
      } else {
        out += cell;
        if (!last) {
          out += std::string(pad, ' ');
        }
      }
      if (!last) {
        out += "  ";
      }
    }
    while (!out.empty() && out.back() == ' ') {
      out.pop_back();
    }
    return out + "\n";
  };
  std::string out = line(m_headers, true);
  for (const auto& row : m_rows) {
    out += line(row, false);
  }
  return out;
}

}  // namespace helios::cli
