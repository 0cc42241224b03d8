#include "core/policy/lexer.hpp"

#include <cctype>

#include <fmt/format.h>

namespace helios::policy {

std::string Location::to_string() const { return fmt::format("{}:{}:{}", file.empty() ? "<query>" : file, line, column); }

std::string join_path(const std::vector<std::string>& path)
{
  std::string out;
  for (const auto& p : path) {
    out += out.empty() ? p : "." + p;
  }
  return out;
}

namespace {

void append_utf8(std::string& out, unsigned cp)
{
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// Strict UTF-8: no overlong forms, no surrogates, nothing above U+10FFFF.
bool valid_utf8(std::string_view s)
{
  std::size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    std::size_t n = 0;
    unsigned cp = 0;
    if (c >= 0xC2 && c <= 0xDF) {
      n = 1;
      cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
      n = 2;
      cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      n = 3;
      cp = c & 0x07;
    } else {
      return false;
    }
    for (std::size_t k = 1; k <= n; ++k) {
      if (i + k >= s.size()) {
        return false;
      }
      auto d = static_cast<unsigned char>(s[i + k]);
      if ((d & 0xC0) != 0x80) {
        return false;
      }
      cp = (cp << 6) | (d & 0x3F);
    }
    if ((n == 2 && cp < 0x800) || (n == 3 && (cp < 0x10000 || cp > 0x10FFFF)) || (cp >= 0xD800 && cp <= 0xDFFF)) {
      return false;
    }
    i += n + 1;
  }
  return true;
}

int hex_value(char c)
{
  if (c >= '0' && c <= '9') {
    return c - '0';
  }
  if (c >= 'a' && c <= 'f') {
    return c - 'a' + 10;
  }
  if (c >= 'A' && c <= 'F') {
    return c - 'A' + 10;
  }
  return -1;
}

}  // namespace

Result<std::vector<Token>> tokenize(std::string_view src, const std::string& file)
{
  std::vector<Token> out;
  std::size_t i = 0;
  int line = 1;
  std::size_t line_start = 0;
  bool space = false;
  bool newline = false;
  auto loc_at = [&](std::size_t pos) { return Location{file, line, static_cast<int>(pos - line_start) + 1}; };
  auto error = [&](std::size_t pos, const std::string& msg, const std::string& hint = {}) {
    return fail(ExitCode::usage, "rego_parse_error", msg, loc_at(pos).to_string(), hint);
  };
  while (i < src.size()) {
    char c = src[i];
    if (c == '\n') {
      ++i;
      ++line;
      line_start = i;
      space = newline = true;
      continue;
    }
    if (c == ' ' || c == '\t' || c == '\r') {
      ++i;
      space = true;
      continue;
    }
    if (c == '#') {
      while (i < src.size() && src[i] != '\n') {
        ++i;
      }
      continue;
    }
    Token tok;
    tok.loc = loc_at(i);
    tok.space_before = space;
    tok.newline_before = newline;
    space = newline = false;
    if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
      std::size_t start = i;
      while (i < src.size() && (std::isalnum(static_cast<unsigned char>(src[i])) || src[i] == '_')) {
        ++i;
      }
      tok.kind = TokenKind::ident;
      tok.text = std::string(src.substr(start, i - start));
    } else if (std::isdigit(static_cast<unsigned char>(c)) ||
               (c == '.' && i + 1 < src.size() && std::isdigit(static_cast<unsigned char>(src[i + 1])) &&
                (out.empty() || out.back().kind == TokenKind::punct))) {
      std::size_t start = i;
      while (i < src.size() && std::isdigit(static_cast<unsigned char>(src[i]))) {
        ++i;
      }
      if (i < src.size() && src[i] == '.' && i + 1 < src.size() && std::isdigit(static_cast<unsigned char>(src[i + 1]))) {
        ++i;
        while (i < src.size() && std::isdigit(static_cast<unsigned char>(src[i]))) {
          ++i;
        }
      }
      if (i < src.size() && (src[i] == 'e' || src[i] == 'E')) {
        std::size_t save = i;
        ++i;
        if (i < src.size() && (src[i] == '+' || src[i] == '-')) {
          ++i;
        }
        if (i < src.size() && std::isdigit(static_cast<unsigned char>(src[i]))) {
          while (i < src.size() && std::isdigit(static_cast<unsigned char>(src[i]))) {
            ++i;
          }
        } else {
          i = save;
        }
      }
      tok.kind = TokenKind::number;
      tok.text = std::string(src.substr(start, i - start));
    } else if (c == '"') {
      std::size_t start = i++;
      std::string text;
      bool closed = false;
      while (i < src.size()) {
        char d = src[i];
        if (d == '"') {
          ++i;
          closed = true;
          break;
        }
        if (d == '\n') {
          break;
        }
        if (d == '\\') {
          if (i + 1 >= src.size()) {
            break;
          }
          char e = src[i + 1];
          i += 2;
          switch (e) {
          case '"': text += '"'; break;
          case '\\': text += '\\'; break;
          case '/': text += '/'; break;
          case 'b': text += '\b'; break;
          case 'f': text += '\f'; break;
          case 'n': text += '\n'; break;
          case 'r': text += '\r'; break;
          case 't': text += '\t'; break;
          case 'u': {
            unsigned cp = 0;
            for (int k = 0; k < 4; ++k) {
              int h = i < src.size() ? hex_value(src[i]) : -1;
              if (h < 0) {
                return error(i, "invalid \\u escape in string", "write \\u followed by four hex digits");
              }
              cp = cp * 16 + static_cast<unsigned>(h);
              ++i;
            }
            if (cp >= 0xD800 && cp < 0xDC00 && i + 5 < src.size() && src[i] == '\\' && src[i + 1] == 'u') {
              unsigned lo = 0;
              bool ok = true;
              for (int k = 0; k < 4; ++k) {
                int h = hex_value(src[i + 2 + static_cast<std::size_t>(k)]);
                ok = ok && h >= 0;
                lo = lo * 16 + static_cast<unsigned>(h < 0 ? 0 : h);
              }
              if (ok && lo >= 0xDC00 && lo < 0xE000) {
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                i += 6;
              }
            }
            if (cp >= 0xD800 && cp <= 0xDFFF) {
              cp = 0xFFFD;  // a lone surrogate decodes to U+FFFD, as Go's strconv.Unquote (OPA) does
            }
            append_utf8(text, cp);
            break;
          }
          default: return error(i - 2, fmt::format("invalid escape \\{} in string", e), "escape a backslash as \\\\");
          }
          continue;
        }
        text += d;
        ++i;
      }
      if (!closed) {
        return error(start, "unterminated string", "close the string with \"");
      }
      if (!valid_utf8(text)) {
        return error(start, "string is not valid UTF-8", "save the policy as UTF-8 text");
      }
      tok.kind = TokenKind::string;
      tok.text = std::move(text);
    } else if (c == '`') {
      std::size_t start = i++;
      std::string text;
      bool closed = false;
      while (i < src.size()) {
        if (src[i] == '`') {
          closed = true;
          ++i;
          break;
        }
        if (src[i] == '\n') {
          ++line;
          line_start = i + 1;
        }
        text += src[i++];
      }
      if (!closed) {
        return error(start, "unterminated raw string", "close the raw string with `");
      }
      if (!valid_utf8(text)) {
        return error(start, "raw string is not valid UTF-8", "save the policy as UTF-8 text");
      }
      tok.kind = TokenKind::string;
      tok.raw = true;
      tok.text = std::move(text);
    } else {
      static const char* const two[] = {":=", "==", "!=", "<=", ">="};
      tok.kind = TokenKind::punct;
      bool matched = false;
      for (const char* t : two) {
        if (i + 1 < src.size() && src[i] == t[0] && src[i + 1] == t[1]) {
          tok.text = t;
          i += 2;
          matched = true;
          break;
        }
      }
      if (!matched) {
        static const std::string_view single = "{}[]().,;:=<>+-*/%&|";
        if (single.find(c) == std::string_view::npos) {
          return error(i, fmt::format("unexpected character '{}'", c), "check the Rego syntax near here");
        }
        tok.text = std::string(1, c);
        ++i;
      }
    }
    out.push_back(std::move(tok));
  }
  Token eof;
  eof.kind = TokenKind::eof;
  eof.loc = loc_at(i);
  eof.newline_before = true;
  out.push_back(std::move(eof));
  return out;
}

}  // namespace helios::policy
