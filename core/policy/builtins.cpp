#include "core/policy/builtins.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <memory>

#include <regex.h>
#include <unordered_map>

#include <fmt/format.h>

namespace helios::policy {

namespace {

using Args = std::vector<Value>;
using Out = std::optional<Value>;

[[noreturn]] void type_error(const char* fn, int operand, const char* expected, const Value& got)
{
  throw BuiltinError{"eval_type_error",
                     fmt::format("{}: operand {} must be {} but got {}", fn, operand, expected, kind_name(got.kind()))};
}
[[noreturn]] void builtin_error(const char* fn, const std::string& msg)
{
  throw BuiltinError{"eval_builtin_error", fmt::format("{}: {}", fn, msg)};
}

const std::string& str(const char* fn, const Args& a, int i)
{
  if (!a[static_cast<std::size_t>(i)].is(Kind::string)) {
    type_error(fn, i + 1, "string", a[static_cast<std::size_t>(i)]);
  }
  return a[static_cast<std::size_t>(i)].as_string();
}
const Number& num(const char* fn, const Args& a, int i)
{
  if (!a[static_cast<std::size_t>(i)].is(Kind::number)) {
    type_error(fn, i + 1, "number", a[static_cast<std::size_t>(i)]);
  }
  return a[static_cast<std::size_t>(i)].as_number();
}
const Set& set_arg(const char* fn, const Args& a, int i)
{
  if (!a[static_cast<std::size_t>(i)].is(Kind::set)) {
    type_error(fn, i + 1, "set", a[static_cast<std::size_t>(i)]);
  }
  return a[static_cast<std::size_t>(i)].as_set();
}
const Array& arr(const char* fn, const Args& a, int i)
{
  if (!a[static_cast<std::size_t>(i)].is(Kind::array)) {
    type_error(fn, i + 1, "array", a[static_cast<std::size_t>(i)]);
  }
  return a[static_cast<std::size_t>(i)].as_array();
}
const Object& obj(const char* fn, const Args& a, int i)
{
  if (!a[static_cast<std::size_t>(i)].is(Kind::object)) {
    type_error(fn, i + 1, "object", a[static_cast<std::size_t>(i)]);
  }
  return a[static_cast<std::size_t>(i)].as_object();
}

Value boolean(bool b) { return Value::boolean(b); }

// ---- arithmetic ------------------------------------------------------------------------------------

Value num_value(double d) { return Value::real(d); }

Out plus(const Args& a, BuiltinContext&)
{
  const auto& x = num("plus", a, 0);
  const auto& y = num("plus", a, 1);
  std::int64_t r = 0;
  if (x.is_int && y.is_int && !__builtin_add_overflow(x.i, y.i, &r)) {
    return Value::integer(r);
  }
  return num_value(x.as_double() + y.as_double());
}
Out minus(const Args& a, BuiltinContext&)
{
  if (a[0].is(Kind::set) && a[1].is(Kind::set)) {
    Set out;
    for (const auto& v : a[0].as_set()) {
      if (!a[1].as_set().count(v)) {
        out.insert(v);
      }
    }
    return Value::set(std::move(out));
  }
  if (a[0].is(Kind::set) || a[1].is(Kind::set)) {
    type_error("minus", a[0].is(Kind::set) ? 2 : 1, "set", a[0].is(Kind::set) ? a[1] : a[0]);
  }
  if (!a[0].is(Kind::number)) {
    type_error("minus", 1, "one of {number, set}", a[0]);
  }
  if (!a[1].is(Kind::number)) {
    type_error("minus", 2, "one of {number, set}", a[1]);
  }
  const auto& x = a[0].as_number();
  const auto& y = a[1].as_number();
  std::int64_t r = 0;
  if (x.is_int && y.is_int && !__builtin_sub_overflow(x.i, y.i, &r)) {
    return Value::integer(r);
  }
  return num_value(x.as_double() - y.as_double());
}
Out mul(const Args& a, BuiltinContext&)
{
  const auto& x = num("mul", a, 0);
  const auto& y = num("mul", a, 1);
  std::int64_t r = 0;
  if (x.is_int && y.is_int && !__builtin_mul_overflow(x.i, y.i, &r)) {
    return Value::integer(r);
  }
  return num_value(x.as_double() * y.as_double());
}
Out divide(const Args& a, BuiltinContext&)
{
  const auto& x = num("div", a, 0);
  const auto& y = num("div", a, 1);
  if (y.as_double() == 0) {
    builtin_error("div", "divide by zero");
  }
  if (x.is_int && y.is_int && y.i != -1 && x.i % y.i == 0) {
    return Value::integer(x.i / y.i);
  }
  return num_value(x.as_double() / y.as_double());
}
Out rem(const Args& a, BuiltinContext&)
{
  const auto& x = num("rem", a, 0);
  const auto& y = num("rem", a, 1);
  if (!x.is_int || !y.is_int) {
    builtin_error("rem", "modulo on floating-point number");
  }
  if (y.i == 0) {
    builtin_error("rem", "modulo by zero");
  }
  if (y.i == -1) {
    return Value::integer(0);
  }
  return Value::integer(x.i % y.i);
}
Out abs_fn(const Args& a, BuiltinContext&)
{
  const auto& x = num("abs", a, 0);
  if (x.is_int && x.i != std::numeric_limits<std::int64_t>::min()) {
    return Value::integer(x.i < 0 ? -x.i : x.i);
  }
  return num_value(std::fabs(x.as_double()));
}
Out round_fn(const Args& a, BuiltinContext&)
{
  const auto& x = num("round", a, 0);
  return x.is_int ? a[0] : num_value(std::round(x.d));
}
Out ceil_fn(const Args& a, BuiltinContext&)
{
  const auto& x = num("ceil", a, 0);
  return x.is_int ? a[0] : num_value(std::ceil(x.d));
}
Out floor_fn(const Args& a, BuiltinContext&)
{
  const auto& x = num("floor", a, 0);
  return x.is_int ? a[0] : num_value(std::floor(x.d));
}

// ---- comparison ------------------------------------------------------------------------------------
Out equal(const Args& a, BuiltinContext&) { return boolean(a[0] == a[1]); }
Out neq(const Args& a, BuiltinContext&) { return boolean(!(a[0] == a[1])); }
Out lt(const Args& a, BuiltinContext&) { return boolean(compare(a[0], a[1]) < 0); }
Out lte(const Args& a, BuiltinContext&) { return boolean(compare(a[0], a[1]) <= 0); }
Out gt(const Args& a, BuiltinContext&) { return boolean(compare(a[0], a[1]) > 0); }
Out gte(const Args& a, BuiltinContext&) { return boolean(compare(a[0], a[1]) >= 0); }

// ---- sets ------------------------------------------------------------------------------------------
Out set_and(const Args& a, BuiltinContext&)
{
  const auto& x = set_arg("and", a, 0);
  const auto& y = set_arg("and", a, 1);
  Set out;
  for (const auto& v : x) {
    if (y.count(v)) {
      out.insert(v);
    }
  }
  return Value::set(std::move(out));
}
Out set_or(const Args& a, BuiltinContext&)
{
  Set out = set_arg("or", a, 0);
  const auto& y = set_arg("or", a, 1);
  out.insert(y.begin(), y.end());
  return Value::set(std::move(out));
}
Out union_fn(const Args& a, BuiltinContext&)
{
  Set out;
  for (const auto& s : set_arg("union", a, 0)) {
    if (!s.is(Kind::set)) {
      type_error("union", 1, "set of sets", a[0]);
    }
    out.insert(s.as_set().begin(), s.as_set().end());
  }
  return Value::set(std::move(out));
}
Out intersection_fn(const Args& a, BuiltinContext&)
{
  const auto& sets = set_arg("intersection", a, 0);
  if (sets.empty()) {
    return Value::set({});
  }
  std::optional<Set> acc;
  for (const auto& s : sets) {
    if (!s.is(Kind::set)) {
      type_error("intersection", 1, "set of sets", a[0]);
    }
    if (!acc) {
      acc = s.as_set();
      continue;
    }
    Set next;
    for (const auto& v : *acc) {
      if (s.as_set().count(v)) {
        next.insert(v);
      }
    }
    acc = std::move(next);
  }
  return Value::set(std::move(*acc));
}

// ---- aggregates ------------------------------------------------------------------------------------
Out count(const Args& a, BuiltinContext&)
{
  switch (a[0].kind()) {
  case Kind::array:
  case Kind::object:
  case Kind::set:
  case Kind::string: return Value::integer(static_cast<std::int64_t>(a[0].size()));
  default: type_error("count", 1, "one of {array, object, set, string}", a[0]);
  }
}

template <typename F>
void each_element(const char* fn, const Value& v, const char* expected, F&& f)
{
  if (v.is(Kind::array)) {
    for (const auto& x : v.as_array()) {
      f(x);
    }
  } else if (v.is(Kind::set)) {
    for (const auto& x : v.as_set()) {
      f(x);
    }
  } else {
    type_error(fn, 1, expected, v);
  }
}

Out sum(const Args& a, BuiltinContext& ctx)
{
  Value acc = Value::integer(0);
  each_element("sum", a[0], "one of {array, set}", [&](const Value& x) {
    if (!x.is(Kind::number)) {
      type_error("sum", 1, "one of {array[number], set[number]}", a[0]);
    }
    acc = *plus({acc, x}, ctx);
  });
  return acc;
}
Out product(const Args& a, BuiltinContext& ctx)
{
  Value acc = Value::integer(1);
  each_element("product", a[0], "one of {array, set}", [&](const Value& x) {
    if (!x.is(Kind::number)) {
      type_error("product", 1, "one of {array[number], set[number]}", a[0]);
    }
    acc = *mul({acc, x}, ctx);
  });
  return acc;
}
Out max_fn(const Args& a, BuiltinContext&)
{
  std::optional<Value> best;
  each_element("max", a[0], "one of {array, set}", [&](const Value& x) {
    if (!best || compare(x, *best) > 0) {
      best = x;
    }
  });
  return best;
}
Out min_fn(const Args& a, BuiltinContext&)
{
  std::optional<Value> best;
  each_element("min", a[0], "one of {array, set}", [&](const Value& x) {
    if (!best || compare(x, *best) < 0) {
      best = x;
    }
  });
  return best;
}
Out sort_fn(const Args& a, BuiltinContext&)
{
  Array out;
  each_element("sort", a[0], "one of {array, set}", [&](const Value& x) { out.push_back(x); });
  std::stable_sort(out.begin(), out.end(), [](const Value& x, const Value& y) { return compare(x, y) < 0; });
  return Value::array(std::move(out));
}

// ---- strings ---------------------------------------------------------------------------------------
Out concat(const Args& a, BuiltinContext&)
{
  const auto& sep = str("concat", a, 0);
  std::string out;
  bool first = true;
  auto add = [&](const Value& x) {
    if (!x.is(Kind::string)) {
      type_error("concat", 2, "one of {array[string], set[string]}", a[1]);
    }
    out += first ? "" : sep;
    first = false;
    out += x.as_string();
  };
  if (a[1].is(Kind::array)) {
    for (const auto& x : a[1].as_array()) {
      add(x);
    }
  } else if (a[1].is(Kind::set)) {
    for (const auto& x : a[1].as_set()) {
      add(x);
    }
  } else {
    type_error("concat", 2, "one of {array, set}", a[1]);
  }
  return Value::string(std::move(out));
}
Out contains_fn(const Args& a, BuiltinContext&)
{
  return boolean(str("contains", a, 0).find(str("contains", a, 1)) != std::string::npos);
}
Out startswith(const Args& a, BuiltinContext&)
{
  return boolean(str("startswith", a, 0).rfind(str("startswith", a, 1), 0) == 0);
}
Out endswith(const Args& a, BuiltinContext&)
{
  const auto& s = str("endswith", a, 0);
  const auto& suf = str("endswith", a, 1);
  return boolean(s.size() >= suf.size() && s.compare(s.size() - suf.size(), suf.size(), suf) == 0);
}
Out lower(const Args& a, BuiltinContext&)
{
  std::string s = str("lower", a, 0);
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return Value::string(std::move(s));
}
Out upper(const Args& a, BuiltinContext&)
{
  std::string s = str("upper", a, 0);
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return Value::string(std::move(s));
}
Out split(const Args& a, BuiltinContext&)
{
  const auto& s = str("split", a, 0);
  const auto& d = str("split", a, 1);
  Array out;
  if (d.empty()) {
    std::size_t i = 0;
    while (i < s.size()) {
      std::size_t len = 1;
      auto c = static_cast<unsigned char>(s[i]);
      if (c >= 0xF0) {
        len = 4;
      } else if (c >= 0xE0) {
        len = 3;
      } else if (c >= 0xC0) {
        len = 2;
      }
      out.push_back(Value::string(s.substr(i, len)));
      i += len;
    }
    return Value::array(std::move(out));
  }
  std::size_t start = 0;
  while (true) {
    auto pos = s.find(d, start);
    if (pos == std::string::npos) {
      out.push_back(Value::string(s.substr(start)));
      break;
    }
    out.push_back(Value::string(s.substr(start, pos - start)));
    start = pos + d.size();
  }
  return Value::array(std::move(out));
}
std::string trim_chars(const std::string& s, const std::string& cut, bool left, bool right)
{
  std::size_t b = 0;
  std::size_t e = s.size();
  if (left) {
    while (b < e && cut.find(s[b]) != std::string::npos) {
      ++b;
    }
  }
  if (right) {
    while (e > b && cut.find(s[e - 1]) != std::string::npos) {
      --e;
    }
  }
  return s.substr(b, e - b);
}
Out trim(const Args& a, BuiltinContext&) { return Value::string(trim_chars(str("trim", a, 0), str("trim", a, 1), true, true)); }
Out trim_left(const Args& a, BuiltinContext&)
{
  return Value::string(trim_chars(str("trim_left", a, 0), str("trim_left", a, 1), true, false));
}
Out trim_right(const Args& a, BuiltinContext&)
{
  return Value::string(trim_chars(str("trim_right", a, 0), str("trim_right", a, 1), false, true));
}
Out trim_space(const Args& a, BuiltinContext&)
{
  return Value::string(trim_chars(str("trim_space", a, 0), " \t\n\r\v\f", true, true));
}
Out trim_prefix(const Args& a, BuiltinContext&)
{
  const auto& s = str("trim_prefix", a, 0);
  const auto& p = str("trim_prefix", a, 1);
  return Value::string(s.rfind(p, 0) == 0 ? s.substr(p.size()) : s);
}
Out trim_suffix(const Args& a, BuiltinContext&)
{
  const auto& s = str("trim_suffix", a, 0);
  const auto& p = str("trim_suffix", a, 1);
  bool ends = s.size() >= p.size() && s.compare(s.size() - p.size(), p.size(), p) == 0;
  return Value::string(ends ? s.substr(0, s.size() - p.size()) : s);
}
Out replace(const Args& a, BuiltinContext&)
{
  std::string s = str("replace", a, 0);
  const auto& old = str("replace", a, 1);
  const auto& rep = str("replace", a, 2);
  if (old.empty()) {
    std::string out = rep;
    for (char c : s) {
      out += c;
      out += rep;
    }
    return Value::string(std::move(out));
  }
  std::string out;
  std::size_t start = 0;
  while (true) {
    auto pos = s.find(old, start);
    if (pos == std::string::npos) {
      out += s.substr(start);
      break;
    }
    out += s.substr(start, pos - start) + rep;
    start = pos + old.size();
  }
  return Value::string(std::move(out));
}
Out indexof(const Args& a, BuiltinContext&)
{
  const auto& s = str("indexof", a, 0);
  auto pos = s.find(str("indexof", a, 1));
  if (pos == std::string::npos) {
    return Value::integer(-1);
  }
  return Value::integer(static_cast<std::int64_t>(Value::string(s.substr(0, pos)).size()));
}
Out substring(const Args& a, BuiltinContext&)
{
  const auto& s = str("substring", a, 0);
  const auto& off = num("substring", a, 1);
  const auto& len = num("substring", a, 2);
  if (!off.is_int) {
    type_error("substring", 2, "integer", a[1]);
  }
  if (!len.is_int) {
    type_error("substring", 3, "integer", a[2]);
  }
  if (off.i < 0) {
    builtin_error("substring", "negative offset");
  }
  // code point based
  std::vector<std::size_t> starts;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) {
      starts.push_back(i);
    }
  }
  auto n = static_cast<std::int64_t>(starts.size());
  if (off.i >= n) {
    return Value::string("");
  }
  std::int64_t end = len.i < 0 ? n : std::min(n, off.i + len.i);
  std::size_t b = starts[static_cast<std::size_t>(off.i)];
  std::size_t e = end >= n ? s.size() : starts[static_cast<std::size_t>(end)];
  return Value::string(s.substr(b, e - b));
}
Out format_int(const Args& a, BuiltinContext&)
{
  const auto& n = num("format_int", a, 0);
  const auto& base = num("format_int", a, 1);
  if (!base.is_int || (base.i != 2 && base.i != 8 && base.i != 10 && base.i != 16)) {
    throw BuiltinError{"eval_type_error", "format_int: operand 2 must be one of {2, 8, 10, 16}"};
  }
  double d = n.as_double();
  auto v = static_cast<std::int64_t>(std::floor(d));
  bool neg = v < 0;
  std::uint64_t u = neg ? static_cast<std::uint64_t>(-(v + 1)) + 1 : static_cast<std::uint64_t>(v);
  std::string digits;
  const char* alphabet = "0123456789abcdef";
  do {
    digits += alphabet[u % static_cast<std::uint64_t>(base.i)];
    u /= static_cast<std::uint64_t>(base.i);
  } while (u);
  if (neg) {
    digits += '-';
  }
  std::reverse(digits.begin(), digits.end());
  return Value::string(digits);
}

std::string sprintf_value(const Value& v)
{
  if (v.is(Kind::string)) {
    return v.as_string();
  }
  return v.to_rego();
}

Out sprintf_fn(const Args& a, BuiltinContext&)
{
  const auto& format = str("sprintf", a, 0);
  const auto& values = arr("sprintf", a, 1);
  std::string out;
  std::size_t next = 0;
  for (std::size_t i = 0; i < format.size(); ++i) {
    char c = format[i];
    if (c != '%') {
      out += c;
      continue;
    }
    std::size_t j = i + 1;
    std::string flags;
    while (j < format.size() && std::string_view("+-# 0").find(format[j]) != std::string_view::npos) {
      flags += format[j++];
    }
    std::string width;
    while (j < format.size() && std::isdigit(static_cast<unsigned char>(format[j]))) {
      width += format[j++];
    }
    std::string precision;
    if (j < format.size() && format[j] == '.') {
      ++j;
      while (j < format.size() && std::isdigit(static_cast<unsigned char>(format[j]))) {
        precision += format[j++];
      }
      if (precision.empty()) {
        precision = "0";
      }
    }
    if (j >= format.size()) {
      out += "%!(NOVERB)";
      break;
    }
    char verb = format[j];
    i = j;
    if (verb == '%') {
      out += '%';
      continue;
    }
    if (next >= values.size()) {
      out += fmt::format("%!{}(MISSING)", verb);
      continue;
    }
    const Value& v = values[next++];
    std::string piece;
    switch (verb) {
    case 'v':
    case 's': piece = sprintf_value(v); break;
    case 'q': piece = v.is(Kind::string) ? nlohmann::json(v.as_string()).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) : sprintf_value(v); break;
    case 't': piece = v.is(Kind::boolean) ? (v.as_bool() ? "true" : "false") : "%!t(" + sprintf_value(v) + ")"; break;
    case 'd':
      if (v.is(Kind::number) && v.as_number().is_int) {
        piece = std::to_string(v.as_number().i);
        if (flags.find('+') != std::string::npos && v.as_number().i >= 0) {
          piece = "+" + piece;
        }
      } else {
        piece = "%!d(" + sprintf_value(v) + ")";
      }
      break;
    case 'f':
    case 'e':
    case 'g':
      if (v.is(Kind::number)) {
        std::string spec = "{:" + flags + width + (precision.empty() ? (verb == 'f' ? ".6" : "") : "." + precision) +
                           std::string(1, verb) + "}";
        piece = fmt::format(fmt::runtime(spec), v.as_number().as_double());
        width.clear();
      } else {
        piece = std::string("%!") + verb + "(" + sprintf_value(v) + ")";
      }
      break;
    case 'x':
    case 'X':
      if (v.is(Kind::number) && v.as_number().is_int) {
        piece = verb == 'x' ? fmt::format("{:x}", v.as_number().i) : fmt::format("{:X}", v.as_number().i);
      } else if (v.is(Kind::string)) {
        for (unsigned char ch : v.as_string()) {
          piece += verb == 'x' ? fmt::format("{:02x}", ch) : fmt::format("{:02X}", ch);
        }
      } else {
        piece = std::string("%!") + verb + "(" + sprintf_value(v) + ")";
      }
      break;
    case 'o':
      piece = v.is(Kind::number) && v.as_number().is_int ? fmt::format("{:o}", v.as_number().i) : "%!o(" + sprintf_value(v) + ")";
      break;
    case 'b':
      piece = v.is(Kind::number) && v.as_number().is_int ? fmt::format("{:b}", v.as_number().i) : "%!b(" + sprintf_value(v) + ")";
      break;
    default: piece = std::string("%!") + verb + "(" + sprintf_value(v) + ")"; break;
    }
    if (!width.empty()) {
      auto w = static_cast<std::size_t>(std::stoul(width));
      if (piece.size() < w) {
        bool left = flags.find('-') != std::string::npos;
        char pad = flags.find('0') != std::string::npos && !left ? '0' : ' ';
        piece = left ? piece + std::string(w - piece.size(), ' ') : std::string(w - piece.size(), pad) + piece;
      }
    }
    out += piece;
  }
  if (next < values.size()) {
    out += "%!(EXTRA ";
    for (std::size_t k = next; k < values.size(); ++k) {
      out += (k == next ? "" : ", ") + std::string(kind_name(values[k].kind())) + "=" + sprintf_value(values[k]);
    }
    out += ")";
  }
  return Value::string(std::move(out));
}

// ---- casts and types -------------------------------------------------------------------------------
Out to_number(const Args& a, BuiltinContext&)
{
  const Value& v = a[0];
  switch (v.kind()) {
  case Kind::null: return Value::integer(0);
  case Kind::boolean: return Value::integer(v.as_bool() ? 1 : 0);
  case Kind::number: return v;
  case Kind::string: {
    const auto& s = v.as_string();
    std::string lower = s;
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    std::string bare = lower.empty() || (lower[0] != '+' && lower[0] != '-') ? lower : lower.substr(1);
    if (bare == "nan" || bare == "inf" || bare == "infinity") {
      type_error("to_number", 1, "a finite number", Value::string(s));
    }
    try {
      auto parsed = nlohmann::json::parse(s);
      if (parsed.is_number()) {
        if (parsed.is_number_float()) {
          return Value::real(parsed.get<double>());
        }
        if (parsed.is_number_unsigned() && parsed.get<std::uint64_t>() > static_cast<std::uint64_t>(INT64_MAX)) {
          return Value::real(parsed.get<double>());
        }
        return Value::integer(parsed.get<std::int64_t>());
      }
    } catch (const std::exception&) {
    }
    char* end = nullptr;
    double d = std::strtod(s.c_str(), &end);
    if (!s.empty() && end == s.c_str() + s.size() && std::isfinite(d)) {
      return Value::real(d);
    }
    builtin_error("to_number", fmt::format("invalid syntax: {}", nlohmann::json(s).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)));
  }
  default: type_error("to_number", 1, "one of {null, boolean, number, string}", v);
  }
}

Out is_number(const Args& a, BuiltinContext&) { return boolean(a[0].is(Kind::number)); }
Out is_string(const Args& a, BuiltinContext&) { return boolean(a[0].is(Kind::string)); }
Out is_boolean(const Args& a, BuiltinContext&) { return boolean(a[0].is(Kind::boolean)); }
Out is_array(const Args& a, BuiltinContext&) { return boolean(a[0].is(Kind::array)); }
Out is_set(const Args& a, BuiltinContext&) { return boolean(a[0].is(Kind::set)); }
Out is_object(const Args& a, BuiltinContext&) { return boolean(a[0].is(Kind::object)); }
Out is_null(const Args& a, BuiltinContext&) { return boolean(a[0].is(Kind::null)); }
Out type_name(const Args& a, BuiltinContext&) { return Value::string(kind_name(a[0].kind())); }

// ---- objects and arrays ----------------------------------------------------------------------------
Out object_get(const Args& a, BuiltinContext&)
{
  obj("object.get", a, 0);
  if (a[1].is(Kind::array)) {
    const Value* cur = &a[0];
    for (const auto& k : a[1].as_array()) {
      if (!cur->is(Kind::object) && !cur->is(Kind::array) && !cur->is(Kind::set)) {
        return a[2];
      }
      cur = cur->get(k);
      if (!cur) {
        return a[2];
      }
    }
    return *cur;
  }
  const Value* v = a[0].get(a[1]);
  return v ? *v : a[2];
}
Out object_keys(const Args& a, BuiltinContext&)
{
  Set out;
  for (const auto& [k, _] : obj("object.keys", a, 0)) {
    out.insert(k);
  }
  return Value::set(std::move(out));
}
Out object_remove(const Args& a, BuiltinContext&)
{
  Object out = obj("object.remove", a, 0);
  auto drop = [&](const Value& k) { out.erase(k); };
  if (a[1].is(Kind::array)) {
    for (const auto& k : a[1].as_array()) {
      drop(k);
    }
  } else if (a[1].is(Kind::set)) {
    for (const auto& k : a[1].as_set()) {
      drop(k);
    }
  } else if (a[1].is(Kind::object)) {
    for (const auto& [k, _] : a[1].as_object()) {
      drop(k);
    }
  } else {
    type_error("object.remove", 2, "one of {array, object, set}", a[1]);
  }
  return Value::object(std::move(out));
}
Out array_concat(const Args& a, BuiltinContext&)
{
  Array out = arr("array.concat", a, 0);
  const auto& y = arr("array.concat", a, 1);
  out.insert(out.end(), y.begin(), y.end());
  return Value::array(std::move(out));
}
Out array_slice(const Args& a, BuiltinContext&)
{
  const auto& x = arr("array.slice", a, 0);
  const auto& s = num("array.slice", a, 1);
  const auto& e = num("array.slice", a, 2);
  auto n = static_cast<std::int64_t>(x.size());
  std::int64_t b = std::clamp<std::int64_t>(static_cast<std::int64_t>(s.as_double()), 0, n);
  std::int64_t f = std::clamp<std::int64_t>(static_cast<std::int64_t>(e.as_double()), 0, n);
  if (f < b) {
    f = b;
  }
  return Value::array(Array(x.begin() + b, x.begin() + f));
}

Out member2(const Args& a, BuiltinContext&)
{
  const Value& c = a[1];
  switch (c.kind()) {
  case Kind::array:
    for (const auto& v : c.as_array()) {
      if (v == a[0]) {
        return boolean(true);
      }
    }
    return boolean(false);
  case Kind::set: return boolean(c.as_set().count(a[0]) > 0);
  case Kind::object:
    for (const auto& [_, v] : c.as_object()) {
      if (v == a[0]) {
        return boolean(true);
      }
    }
    return boolean(false);
  default: return boolean(false);
  }
}
Out member3(const Args& a, BuiltinContext&)
{
  const Value& c = a[2];
  if (c.is(Kind::set)) {
    return boolean(a[0] == a[1] && c.as_set().count(a[0]) > 0);
  }
  const Value* v = (c.is(Kind::array) || c.is(Kind::object)) ? c.get(a[0]) : nullptr;
  return boolean(v && *v == a[1]);
}

// ---- regex, json, time -----------------------------------------------------------------------------
// RE2 syntax (what OPA speaks) → POSIX ERE for glibc's matcher, which runs in polynomial time (no
// catastrophic backtracking, no recursion on long texts). Perl classes are expanded; constructs ERE
// cannot express (lazy quantifiers, look-around, non-capturing groups) are builtin errors.
std::string re2_to_ere(const std::string& re, bool& icase)
{
  std::string in = re;
  icase = false;
  if (in.rfind("(?i)", 0) == 0) {
    icase = true;
    in = in.substr(4);
  }
  std::string out;
  bool in_class = false;
  for (std::size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c == '\\' && i + 1 < in.size()) {
      char e = in[++i];
      const char* cls = nullptr;
      const char* neg = nullptr;
      switch (e) {
      case 'd': cls = "0-9"; break;
      case 'w': cls = "A-Za-z0-9_"; break;
      case 's': cls = " \t\n\r\f\v"; break;
      case 'D': neg = "0-9"; break;
      case 'W': neg = "A-Za-z0-9_"; break;
      case 'S': neg = " \t\n\r\f\v"; break;
      case 'n': out += '\n'; continue;
      case 't': out += '\t'; continue;
      default:
        if (std::isalnum(static_cast<unsigned char>(e))) {
          builtin_error("regex.match", fmt::format("unsupported escape \\{} in pattern", e));
        }
        if (in_class) {
          out += e == ']' || e == '\\' ? std::string("\\") + e : std::string(1, e);
        } else {
          out += '\\';
          out += e;
        }
        continue;
      }
      if (cls) {
        out += in_class ? std::string(cls) : "[" + std::string(cls) + "]";
      } else {
        if (in_class) {
          builtin_error("regex.match", "negated classes inside brackets are not supported");
        }
        out += "[^" + std::string(neg) + "]";
      }
      continue;
    }
    if (!in_class && c == '(' && i + 1 < in.size() && in[i + 1] == '?') {
      builtin_error("regex.match", "(?…) groups are not supported");
    }
    if (!in_class && (c == '*' || c == '+' || c == '?' || c == '}') && i + 1 < in.size() && in[i + 1] == '?') {
      builtin_error("regex.match", "lazy quantifiers are not supported");
    }
    if (c == '[' && !in_class) {
      in_class = true;
      out += c;
      if (i + 1 < in.size() && in[i + 1] == '^') {
        out += in[++i];
      }
      if (i + 1 < in.size() && in[i + 1] == ']') {
        out += in[++i];
      }
      continue;
    }
    if (c == ']' && in_class) {
      in_class = false;
    }
    out += c;
  }
  return out;
}

struct CompiledRegex {
  regex_t re{};
  bool ok = false;
  std::string error;
  ~CompiledRegex()
  {
    if (ok) {
      regfree(&re);
    }
  }
};

Out regex_match(const Args& a, BuiltinContext&)
{
  const auto& pattern = str("regex.match", a, 0);
  const auto& text = str("regex.match", a, 1);
  if (pattern.size() > 2048) {
    builtin_error("regex.match", "pattern longer than 2048 bytes");
  }
  if (text.find('\0') != std::string::npos) {
    return boolean(false);
  }
  static thread_local std::map<std::string, std::shared_ptr<CompiledRegex>> cache;
  auto it = cache.find(pattern);
  if (it == cache.end()) {
    if (cache.size() >= 256) {
      cache.clear();
    }
    bool icase = false;
    std::string ere = re2_to_ere(pattern, icase);
    auto compiled = std::make_shared<CompiledRegex>();
    int rc = regcomp(&compiled->re, ere.c_str(), REG_EXTENDED | REG_NOSUB | (icase ? REG_ICASE : 0));
    if (rc != 0) {
      char buf[256];
      regerror(rc, &compiled->re, buf, sizeof buf);
      compiled->error = buf;
    } else {
      compiled->ok = true;
    }
    it = cache.emplace(pattern, compiled).first;
  }
  if (!it->second->ok) {
    builtin_error("regex.match", fmt::format("invalid pattern: {}", it->second->error));
  }
  return boolean(regexec(&it->second->re, text.c_str(), 0, nullptr, 0) == 0);
}
Out json_marshal(const Args& a, BuiltinContext&) { return Value::string(a[0].to_json_text()); }
Out json_unmarshal(const Args& a, BuiltinContext&)
{
  try {
    auto v = value_from_json(nlohmann::json::parse(str("json.unmarshal", a, 0)));
    if (!v) {
      builtin_error("json.unmarshal", v.error().message);
    }
    return *v;
  } catch (const nlohmann::json::exception& e) {
    builtin_error("json.unmarshal", e.what());
  }
}
Out time_now_ns(const Args&, BuiltinContext& ctx) { return Value::integer(ctx.now_ns); }

// days since the civil date y-m-d (Howard Hinnant's algorithm)
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d)
{
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

Out time_parse_rfc3339_ns(const Args& a, BuiltinContext&)
{
  const auto& s = str("time.parse_rfc3339_ns", a, 0);
  int y = 0;
  unsigned mo = 0;
  unsigned d = 0;
  unsigned h = 0;
  unsigned mi = 0;
  unsigned sec = 0;
  int consumed = 0;
  if (std::sscanf(s.c_str(), "%4d-%2u-%2uT%2u:%2u:%2u%n", &y, &mo, &d, &h, &mi, &sec, &consumed) != 6 || mo < 1 || mo > 12 ||
      d < 1 || d > 31) {
    builtin_error("time.parse_rfc3339_ns", fmt::format("cannot parse {} as RFC 3339", nlohmann::json(s).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)));
  }
  std::size_t i = static_cast<std::size_t>(consumed);
  std::int64_t frac = 0;
  if (i < s.size() && s[i] == '.') {
    ++i;
    std::int64_t scale = 100000000;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) {
      frac += (s[i] - '0') * scale;
      scale /= 10;
      ++i;
    }
  }
  std::int64_t offset = 0;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
    unsigned oh = 0;
    unsigned om = 0;
    if (std::sscanf(s.c_str() + i + 1, "%2u:%2u", &oh, &om) != 2) {
      builtin_error("time.parse_rfc3339_ns", "bad zone offset");
    }
    offset = (s[i] == '-' ? -1 : 1) * static_cast<std::int64_t>(oh * 3600 + om * 60);
  } else if (i >= s.size() || (s[i] != 'Z' && s[i] != 'z')) {
    builtin_error("time.parse_rfc3339_ns", "missing zone");
  }
  std::int64_t secs = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec - offset;
  return Value::integer(secs * 1000000000 + frac);
}

const std::unordered_map<std::string_view, Builtin>& registry()
{
  // The one table of builtins. name, arity, function.
  static const Builtin table[] = {
    {"plus", 2, plus},
    {"minus", 2, minus},
    {"mul", 2, mul},
    {"div", 2, divide},
    {"rem", 2, rem},
    {"abs", 1, abs_fn},
    {"round", 1, round_fn},
    {"ceil", 1, ceil_fn},
    {"floor", 1, floor_fn},
    {"equal", 2, equal},
    {"neq", 2, neq},
    {"lt", 2, lt},
    {"lte", 2, lte},
    {"gt", 2, gt},
    {"gte", 2, gte},
    {"and", 2, set_and},
    {"or", 2, set_or},
    {"union", 1, union_fn},
    {"intersection", 1, intersection_fn},
    {"count", 1, count},
    {"sum", 1, sum},
    {"product", 1, product},
    {"max", 1, max_fn},
    {"min", 1, min_fn},
    {"sort", 1, sort_fn},
    {"concat", 2, concat},
    {"contains", 2, contains_fn},
    {"startswith", 2, startswith},
    {"endswith", 2, endswith},
    {"lower", 1, lower},
    {"upper", 1, upper},
    {"split", 2, split},
    {"trim", 2, trim},
    {"trim_left", 2, trim_left},
    {"trim_right", 2, trim_right},
    {"trim_prefix", 2, trim_prefix},
    {"trim_suffix", 2, trim_suffix},
    {"trim_space", 1, trim_space},
    {"replace", 3, replace},
    {"indexof", 2, indexof},
    {"substring", 3, substring},
    {"format_int", 2, format_int},
    {"sprintf", 2, sprintf_fn},
    {"to_number", 1, to_number},
    {"is_number", 1, is_number},
    {"is_string", 1, is_string},
    {"is_boolean", 1, is_boolean},
    {"is_array", 1, is_array},
    {"is_set", 1, is_set},
    {"is_object", 1, is_object},
    {"is_null", 1, is_null},
    {"type_name", 1, type_name},
    {"object.get", 3, object_get},
    {"object.keys", 1, object_keys},
    {"object.remove", 2, object_remove},
    {"array.concat", 2, array_concat},
    {"array.slice", 3, array_slice},
    {"internal.member_2", 2, member2},
    {"internal.member_3", 3, member3},
    {"regex.match", 2, regex_match},
    {"json.marshal", 1, json_marshal},
    {"json.unmarshal", 1, json_unmarshal},
    {"time.now_ns", 0, time_now_ns},
    {"time.parse_rfc3339_ns", 1, time_parse_rfc3339_ns},
  };
  static const auto map = [] {
    std::unordered_map<std::string_view, Builtin> m;
    for (const auto& b : table) {
      m.emplace(b.name, b);
    }
    return m;
  }();
  return map;
}

}  // namespace

const Builtin* find_builtin(std::string_view name)
{
  const auto& r = registry();
  auto it = r.find(name);
  return it == r.end() ? nullptr : &it->second;
}

std::vector<std::string> builtin_names()
{
  std::vector<std::string> out;
  for (const auto& [name, _] : registry()) {
    if (name.rfind("internal.", 0) != 0) {
      out.emplace_back(name);
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace helios::policy
