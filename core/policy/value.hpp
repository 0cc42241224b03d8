#pragma once
// Rego values: null, boolean, number, string, array, object and set, immutable and cheap to copy
// (composites are shared). Ordering is OPA's canonical order (ast.Compare): null < boolean < number <
// string < array < object < set; sets and object keys are kept sorted in that order, which is also the
// order sets serialise in.

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/error.hpp"

namespace helios::policy {

enum class Kind : std::uint8_t { null, boolean, number, string, array, object, set };

const char* kind_name(Kind kind);  // OPA's type_name: "null", "boolean", "number", ...

// A number: an exact 64-bit integer when it is one, else a double.
struct Number {
  bool is_int = true;
  std::int64_t i = 0;
  double d = 0;
  [[nodiscard]] double as_double() const { return is_int ? static_cast<double>(i) : d; }
  static Number of(double value);  // normalises integral doubles within range to integers
};

class Value;
struct ValueLess {
  bool operator()(const Value& a, const Value& b) const;
};
using Array = std::vector<Value>;
using Object = std::map<Value, Value, ValueLess>;
using Set = std::set<Value, ValueLess>;

class Value {
public:
  Value() = default;  // null
  static Value null() { return {}; }
  static Value boolean(bool b);
  static Value number(Number n);
  static Value integer(std::int64_t i);
  static Value real(double d);
  static Value string(std::string s);
  static Value array(Array a);
  static Value object(Object o);
  static Value set(Set s);

  [[nodiscard]] Kind kind() const { return static_cast<Kind>(m_data.index()); }
  [[nodiscard]] bool is(Kind k) const { return kind() == k; }
  [[nodiscard]] bool as_bool() const { return std::get<bool>(m_data); }
  [[nodiscard]] const Number& as_number() const { return std::get<Number>(m_data); }
  [[nodiscard]] const std::string& as_string() const { return *std::get<StringPtr>(m_data); }
  [[nodiscard]] const Array& as_array() const { return *std::get<ArrayPtr>(m_data); }
  [[nodiscard]] const Object& as_object() const { return *std::get<ObjectPtr>(m_data); }
  [[nodiscard]] const Set& as_set() const { return *std::get<SetPtr>(m_data); }
  [[nodiscard]] bool is_false() const { return kind() == Kind::boolean && !as_bool(); }
  // The index when this is an integral number (arrays are indexed by these), else nullopt.
  [[nodiscard]] std::optional<std::int64_t> as_index() const;

  // Looks up a key (object key, array index, set member); nullptr when absent.
  [[nodiscard]] const Value* get(const Value& key) const;
  // Number of elements of a collection or code points of a string.
  [[nodiscard]] std::size_t size() const;

  [[nodiscard]] nlohmann::json to_json() const;       // sets as sorted arrays
  [[nodiscard]] std::string to_rego() const;          // Rego term text: {"a": 1}, {1, 2}, set()
  [[nodiscard]] std::string to_json_text() const;     // compact JSON text

  friend int compare(const Value& a, const Value& b);
  friend bool operator==(const Value& a, const Value& b) { return compare(a, b) == 0; }
  friend bool operator<(const Value& a, const Value& b) { return compare(a, b) < 0; }

private:
  using StringPtr = std::shared_ptr<const std::string>;
  using ArrayPtr = std::shared_ptr<const Array>;
  using ObjectPtr = std::shared_ptr<const Object>;
  using SetPtr = std::shared_ptr<const Set>;
  std::variant<std::monostate, bool, Number, StringPtr, ArrayPtr, ObjectPtr, SetPtr> m_data;
};

int compare(const Value& a, const Value& b);
int compare_numbers(const Number& a, const Number& b);
std::string format_number(const Number& n);

// JSON → Value. Nesting deeper than max_depth is an error (bounded recursion on hostile inputs).
Result<Value> value_from_json(const nlohmann::json& json, int max_depth = 512);
// JSON text → Value without a JSON tree in between (large inputs); nullopt when the text is not JSON or
// nests deeper than max_depth (*too_deep tells which).
std::optional<Value> parse_json_value(std::string_view text, int max_depth = 512, bool* too_deep = nullptr);

}  // namespace helios::policy
