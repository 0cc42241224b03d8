#include "core/policy/value.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>

#include <fmt/format.h>

namespace helios::policy {

const char* kind_name(Kind kind)
{
  switch (kind) {
  case Kind::null: return "null";
  case Kind::boolean: return "boolean";
  case Kind::number: return "number";
  case Kind::string: return "string";
  case Kind::array: return "array";
  case Kind::object: return "object";
  case Kind::set: return "set";
  }
  return "unknown";
}

Number Number::of(double value)
{
  Number n;
  if (std::isfinite(value) && std::floor(value) == value && std::fabs(value) < 9007199254740992.0) {
    n.is_int = true;
    n.i = static_cast<std::int64_t>(value);
  } else {
    n.is_int = false;
    n.d = value;
  }
  return n;
}

bool ValueLess::operator()(const Value& a, const Value& b) const { return compare(a, b) < 0; }

Value Value::boolean(bool b)
{
  Value v;
  v.m_data = b;
  return v;
}
Value Value::number(Number n)
{
  Value v;
  v.m_data = n;
  return v;
}
Value Value::integer(std::int64_t i)
{
  Number n;
  n.i = i;
  return number(n);
}
Value Value::real(double d) { return number(Number::of(d)); }
Value Value::string(std::string s)
{
  Value v;
  v.m_data = std::make_shared<const std::string>(std::move(s));
  return v;
}
Value Value::array(Array a)
{
  Value v;
  v.m_data = std::make_shared<const Array>(std::move(a));
  return v;
}
Value Value::object(Object o)
{
  Value v;
  v.m_data = std::make_shared<const Object>(std::move(o));
  return v;
}
Value Value::set(Set s)
{
  Value v;
  v.m_data = std::make_shared<const Set>(std::move(s));
  return v;
}

std::optional<std::int64_t> Value::as_index() const
{
  if (kind() != Kind::number) {
    return std::nullopt;
  }
  const auto& n = as_number();
  if (n.is_int) {
    return n.i;
  }
  return std::nullopt;
}

const Value* Value::get(const Value& key) const
{
  switch (kind()) {
  case Kind::array: {
    auto idx = key.as_index();
    const auto& arr = as_array();
    if (!idx || *idx < 0 || static_cast<std::size_t>(*idx) >= arr.size()) {
      return nullptr;
    }
    return &arr[static_cast<std::size_t>(*idx)];
  }
  case Kind::object: {
    const auto& obj = as_object();
    auto it = obj.find(key);
    return it == obj.end() ? nullptr : &it->second;
  }
  case Kind::set: {
    const auto& s = as_set();
    auto it = s.find(key);
    return it == s.end() ? nullptr : &*it;
  }
  default: return nullptr;
  }
}

std::size_t Value::size() const
{
  switch (kind()) {
  case Kind::array: return as_array().size();
  case Kind::object: return as_object().size();
  case Kind::set: return as_set().size();
  case Kind::string: {
    std::size_t n = 0;
    for (unsigned char c : as_string()) {
      if ((c & 0xC0) != 0x80) {
        ++n;
      }
    }
    return n;
  }
  default: return 0;
  }
}

int compare_numbers(const Number& a, const Number& b)
{
  if (a.is_int && b.is_int) {
    return a.i < b.i ? -1 : (a.i > b.i ? 1 : 0);
  }
  double x = a.as_double();
  double y = b.as_double();
  return x < y ? -1 : (x > y ? 1 : 0);
}

int compare(const Value& a, const Value& b)
{
  auto ka = static_cast<int>(a.kind());
  auto kb = static_cast<int>(b.kind());
  if (ka != kb) {
    return ka < kb ? -1 : 1;
  }
  switch (a.kind()) {
  case Kind::null: return 0;
  case Kind::boolean: return static_cast<int>(a.as_bool()) - static_cast<int>(b.as_bool());
  case Kind::number: return compare_numbers(a.as_number(), b.as_number());
  case Kind::string: {
    // inline (the out-of-line std::string::compare call was a tenth of policy evaluation); the same
    // byte order as std::string::compare
    const auto& x = a.as_string();
    const auto& y = b.as_string();
    if (&x == &y) {
      return 0;
    }
    const std::size_t n = std::min(x.size(), y.size());
    if (int c = n == 0 ? 0 : std::memcmp(x.data(), y.data(), n); c != 0) {
      return c < 0 ? -1 : 1;
    }
    return x.size() < y.size() ? -1 : (x.size() > y.size() ? 1 : 0);
  }
  case Kind::array: {
    const auto& x = a.as_array();
    const auto& y = b.as_array();
    if (&x == &y) {
      return 0;
    }
    for (std::size_t i = 0; i < x.size() && i < y.size(); ++i) {
      if (int c = compare(x[i], y[i]); c != 0) {
        return c;
      }
    }
    return x.size() < y.size() ? -1 : (x.size() > y.size() ? 1 : 0);
  }
  case Kind::object: {
    const auto& x = a.as_object();
    const auto& y = b.as_object();
    if (&x == &y) {
      return 0;
    }
    auto i = x.begin();
    auto j = y.begin();
    for (; i != x.end() && j != y.end(); ++i, ++j) {
      if (int c = compare(i->first, j->first); c != 0) {
        return c;
      }
      if (int c = compare(i->second, j->second); c != 0) {
        return c;
      }
    }
    return x.size() < y.size() ? -1 : (x.size() > y.size() ? 1 : 0);
  }
  case Kind::set: {
    const auto& x = a.as_set();
    const auto& y = b.as_set();
    if (&x == &y) {
      return 0;
    }
    auto i = x.begin();
    auto j = y.begin();
    for (; i != x.end() && j != y.end(); ++i, ++j) {
      if (int c = compare(*i, *j); c != 0) {
        return c;
      }
    }
    return x.size() < y.size() ? -1 : (x.size() > y.size() ? 1 : 0);
  }
  }
  return 0;
}

std::string format_number(const Number& n)
{
  if (n.is_int) {
    return std::to_string(n.i);
  }
  if (!std::isfinite(n.d)) {
    return std::isnan(n.d) ? "NaN" : (n.d > 0 ? "Infinity" : "-Infinity");
  }
  std::string s = fmt::format("{}", n.d);
  // fmt writes 1e+21 for large values; JSON accepts that form.
  return s;
}

nlohmann::json Value::to_json() const
{
  switch (kind()) {
  case Kind::null: return nullptr;
  case Kind::boolean: return as_bool();
  case Kind::number: {
    const auto& n = as_number();
    if (n.is_int) {
      return n.i;
    }
    return n.d;
  }
  case Kind::string: return as_string();
  case Kind::array: {
    auto out = nlohmann::json::array();
    for (const auto& v : as_array()) {
      out.push_back(v.to_json());
    }
    return out;
  }
  case Kind::set: {
    auto out = nlohmann::json::array();
    for (const auto& v : as_set()) {
      out.push_back(v.to_json());
    }
    return out;
  }
  case Kind::object: {
    auto out = nlohmann::json::object();
    for (const auto& [k, v] : as_object()) {
      out[k.is(Kind::string) ? k.as_string() : k.to_json_text()] = v.to_json();
    }
    return out;
  }
  }
  return nullptr;
}

std::string Value::to_json_text() const { return to_json().dump(-1, ' ', false, nlohmann::json::error_handler_t::replace); }

std::string Value::to_rego() const
{
  switch (kind()) {
  case Kind::null:
  case Kind::boolean:
  case Kind::string: return to_json().dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  case Kind::number: return format_number(as_number());
  case Kind::array: {
    std::string out = "[";
    bool first = true;
    for (const auto& v : as_array()) {
      out += first ? "" : ", ";
      first = false;
      out += v.to_rego();
    }
    return out + "]";
  }
  case Kind::set: {
    if (as_set().empty()) {
      return "set()";
    }
    std::string out = "{";
    bool first = true;
    for (const auto& v : as_set()) {
      out += first ? "" : ", ";
      first = false;
      out += v.to_rego();
    }
    return out + "}";
  }
  case Kind::object: {
    std::string out = "{";
    bool first = true;
    for (const auto& [k, v] : as_object()) {
      out += first ? "" : ", ";
      first = false;
      out += k.to_rego() + ": " + v.to_rego();
    }
    return out + "}";
  }
  }
  return "null";
}

namespace {
Result<Value> from_json(const nlohmann::json& json, int depth, int max_depth)
{
  if (depth > max_depth) {
    return fail(ExitCode::usage, "input_too_deep", fmt::format("JSON nesting deeper than {} levels", max_depth), {},
                "flatten the document");
  }
  switch (json.type()) {
  case nlohmann::json::value_t::null: return Value::null();
  case nlohmann::json::value_t::boolean: return Value::boolean(json.get<bool>());
  case nlohmann::json::value_t::number_integer: return Value::integer(json.get<std::int64_t>());
  case nlohmann::json::value_t::number_unsigned: {
    auto u = json.get<std::uint64_t>();
    if (u <= static_cast<std::uint64_t>(INT64_MAX)) {
      return Value::integer(static_cast<std::int64_t>(u));
    }
    return Value::real(static_cast<double>(u));
  }
  case nlohmann::json::value_t::number_float: return Value::real(json.get<double>());
  case nlohmann::json::value_t::string: return Value::string(json.get<std::string>());
  case nlohmann::json::value_t::array: {
    Array arr;
    arr.reserve(json.size());
    for (const auto& item : json) {
      auto v = from_json(item, depth + 1, max_depth);
      if (!v) {
        return v;
      }
      arr.push_back(std::move(*v));
    }
    return Value::array(std::move(arr));
  }
  case nlohmann::json::value_t::object: {
    Object obj;
    for (const auto& [k, item] : json.items()) {
      auto v = from_json(item, depth + 1, max_depth);
      if (!v) {
        return v;
      }
      obj.emplace(Value::string(k), std::move(*v));
    }
    return Value::object(std::move(obj));
  }
  default: return Value::null();
  }
}
}  // namespace

Result<Value> value_from_json(const nlohmann::json& json, int max_depth) { return from_json(json, 0, max_depth); }

namespace {
// Builds Values straight from nlohmann's SAX events: no JSON tree in between.
class ValueSax {
public:
  explicit ValueSax(int max_depth) : m_max_depth(max_depth) {}

  bool null() { return put(Value::null()); }
  bool boolean(bool b) { return put(Value::boolean(b)); }
  bool number_integer(std::int64_t i) { return put(Value::integer(i)); }
  bool number_unsigned(std::uint64_t u)
  {
    return put(u <= static_cast<std::uint64_t>(INT64_MAX) ? Value::integer(static_cast<std::int64_t>(u)) : Value::real(static_cast<double>(u)));
  }
  bool number_float(double d, const std::string&) { return put(Value::real(d)); }
  bool string(std::string& s) { return put(Value::string(std::move(s))); }
  bool binary(nlohmann::json::binary_t&) { return false; }
  bool start_object(std::size_t) { return open(true); }
  bool key(std::string& k)
  {
    m_stack.back().key = std::move(k);
    return true;
  }
  bool end_object()
  {
    Frame f = std::move(m_stack.back());
    m_stack.pop_back();
    return put(Value::object(std::move(f.object)));
  }
  bool start_array(std::size_t) { return open(false); }
  bool end_array()
  {
    Frame f = std::move(m_stack.back());
    m_stack.pop_back();
    return put(Value::array(std::move(f.array)));
  }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) { return false; }

  bool too_deep = false;
  Value result;

private:
  struct Frame {
    bool is_object = false;
    Array array;
    Object object;
    std::string key;
  };
  bool open(bool is_object)
  {
    if (static_cast<int>(m_stack.size()) >= m_max_depth) {
      too_deep = true;
      return false;
    }
    m_stack.push_back(Frame{});
    m_stack.back().is_object = is_object;
    return true;
  }
  bool put(Value v)
  {
    if (m_stack.empty()) {
      result = std::move(v);
      return true;
    }
    Frame& f = m_stack.back();
    if (f.is_object) {
      // JSON objects: the last of duplicate keys wins, as nlohmann's parser does
      // hinted at the end: keys written in sorted order (nlohmann's dump, helios' own files) insert in O(1)
      f.object.insert_or_assign(f.object.end(), Value::string(std::move(f.key)), std::move(v));
    } else {
      f.array.push_back(std::move(v));
    }
    return true;
  }
  int m_max_depth;
  std::vector<Frame> m_stack;
};
}  // namespace

std::optional<Value> parse_json_value(std::string_view text, int max_depth, bool* too_deep)
{
  ValueSax sax(max_depth);
  bool ok = nlohmann::json::sax_parse(text.begin(), text.end(), &sax);
  if (too_deep) {
    *too_deep = sax.too_deep;
  }
  if (!ok) {
    return std::nullopt;
  }
  return std::move(sax.result);
}

}  // namespace helios::policy
