#include "core/policy/evaluator.hpp"

#include <chrono>
#include <deque>
#include <type_traits>
#include <utility>

#include <fmt/format.h>

namespace helios::policy {

namespace {

// A non-owning reference to a callable; continuations live on the caller's stack for the whole call.
template <typename Sig>
class FnRef;
template <typename R, typename... A>
class FnRef<R(A...)> {
public:
  template <typename F, typename = std::enable_if_t<!std::is_same_v<std::decay_t<F>, FnRef>>>
  FnRef(F&& f)  // NOLINT(google-explicit-constructor)
    : m_obj(const_cast<void*>(static_cast<const void*>(&f))),
      m_call([](void* obj, A... args) -> R { return (*static_cast<std::remove_reference_t<F>*>(obj))(std::forward<A>(args)...); })
  {
  }
  R operator()(A... args) const { return m_call(m_obj, std::forward<A>(args)...); }

private:
  void* m_obj;
  R (*m_call)(void*, A...);
};

using K = FnRef<bool()>;
using ValueK = FnRef<bool(const Value&)>;

struct EvalFailure {
  ErrorInfo info;
};

[[noreturn]] void raise(const std::string& code, const std::string& message, const Location& loc, const std::string& hint = {})
{
  throw EvalFailure{ErrorInfo{ExitCode::runtime, code, message, loc.line ? loc.to_string() : "", hint, nlohmann::json::object()}};
}

class Env {
public:
  explicit Env(const Env* parent = nullptr) : m_parent(parent) {}
  [[nodiscard]] const Value* lookup(const std::string& name) const
  {
    for (auto it = m_entries.rbegin(); it != m_entries.rend(); ++it) {
      if (it->name == &name || *it->name == name) {
        return it->bound ? &it->value : nullptr;
      }
    }
    return m_parent ? m_parent->lookup(name) : nullptr;
  }
  // Whether the name is in scope at all, bound or only declared (`some x`).
  [[nodiscard]] bool has(const std::string& name) const
  {
    for (auto it = m_entries.rbegin(); it != m_entries.rend(); ++it) {
      if (it->name == &name || *it->name == name) {
        return true;
      }
    }
    return m_parent && m_parent->has(name);
  }
  [[nodiscard]] std::size_t mark() const { return m_entries.size(); }
  void undo(std::size_t m)
  {
    while (m_entries.size() > m) {
      m_entries.pop_back();
    }
  }
  void bind(const std::string& name, const Value& v) { m_entries.push_back({&name, v, true}); }
  void declare(const std::string& name) { m_entries.push_back({&name, Value(), false}); }

private:
  struct Entry {
    const std::string* name;
    Value value;
    bool bound;
  };
  std::deque<Entry> m_entries;
  const Env* m_parent;
};

// The value of a virtual document while its rules are evaluated: leaves, sets and objects made by
// rule heads, so that conflicts between rules are found where OPA finds them.
struct VTree {
  enum class Kind { none, leaf, set, object } kind = Kind::none;
  Value leaf;
  Set members;
  std::map<Value, VTree, ValueLess> children;
  const Rule* rule = nullptr;  // who wrote the leaf

  [[nodiscard]] std::optional<Value> to_value() const
  {
    switch (kind) {
    case Kind::none: return std::nullopt;
    case Kind::leaf: return leaf;
    case Kind::set: return Value::set(members);
    case Kind::object: {
      Object o;
      for (const auto& [k, c] : children) {
        if (auto v = c.to_value()) {
          o.emplace(k, std::move(*v));
        }
      }
      return Value::object(std::move(o));
    }
    }
    return std::nullopt;
  }
};

void collect_pattern_names(const Term& t, std::vector<const std::string*>& out)
{
  switch (t.kind) {
  case TermKind::var: out.push_back(&t.name); break;
  case TermKind::array:
    for (const auto& i : t.items) {
      collect_pattern_names(*i, out);
    }
    break;
  case TermKind::object:
    for (std::size_t i = 1; i < t.items.size(); i += 2) {
      collect_pattern_names(*t.items[i], out);
    }
    break;
  default: break;
  }
}

void collect_var_names(const Body& body, std::vector<const std::string*>& out);

// Every var name a term mentions, at any depth (refs, calls, nested comprehensions).
void collect_var_names(const Term& t, std::vector<const std::string*>& out)
{
  if (t.kind == TermKind::var) {
    out.push_back(&t.name);
  }
  for (const auto& i : t.items) {
    collect_var_names(*i, out);
  }
  for (const auto* sub : {t.key.get(), t.val.get()}) {
    if (sub) {
      collect_var_names(*sub, out);
    }
  }
  if (t.body) {
    collect_var_names(*t.body, out);
  }
}

void collect_var_names(const Body& body, std::vector<const std::string*>& out)
{
  for (const auto& e : body.exprs) {
    for (const auto& v : e.vars) {
      out.push_back(&v);
    }
    for (const auto* sub : {e.term.get(), e.key.get(), e.val.get(), e.domain.get()}) {
      if (sub) {
        collect_var_names(*sub, out);
      }
    }
    if (e.body) {
      collect_var_names(*e.body, out);
    }
    for (const auto& w : e.withs) {
      for (const auto& p : w.path) {
        collect_var_names(*p, out);
      }
      if (w.value) {
        collect_var_names(*w.value, out);
      }
    }
  }
}

std::string data_name(const std::vector<std::string>& path) { return "data." + join_path(path); }

}  // namespace

struct Evaluator::Impl {
  std::shared_ptr<const Policy> policy;
  Value data;
  std::optional<Value> input;
  EvalOptions options;
  BuiltinContext ctx;
  std::int64_t steps = 0;
  const char* stack_base = nullptr;
  std::map<const RuleNode*, std::optional<Value>> cache;
  std::set<const RuleNode*> in_progress;
  // A comprehension none of whose vars is in scope where it is evaluated is closed: its value depends on
  // input and data only, like a rule's, and is computed once per query (an inline `{p | some p in
  // input.x}` in a rule body iterating 1,000 items is evaluated once, not 1,000 times).
  std::map<const Term*, Value> closed_comprehensions;
  std::map<const Term*, std::vector<const std::string*>> comprehension_vars;

  // ---- bounds --------------------------------------------------------------------------------------
  void tick(const Location& loc)
  {
    if (++steps > options.max_steps) {
      raise("eval_limit_error", fmt::format("evaluation exceeded {} steps", options.max_steps), loc,
            "the policy iterates too much; narrow its loops");
    }
    char here = 0;
    auto used = stack_base > &here ? static_cast<std::size_t>(stack_base - &here) : static_cast<std::size_t>(&here - stack_base);
    if (used > options.max_stack_bytes) {
      raise("eval_limit_error", "evaluation nested too deeply", loc, "reduce the nesting of the policy or its input");
    }
  }

  // ---- bodies and expressions ----------------------------------------------------------------------
  bool eval_body(const Body& body, std::size_t i, Env& env, K k)
  {
    if (i == body.exprs.size()) {
      return k();
    }
    return eval_expr(body.exprs[i], env, [&]() { return eval_body(body, i + 1, env, k); });
  }

  bool eval_expr(const Expr& e, Env& env, K k)
  {
    tick(e.loc);
    if (!e.withs.empty()) {
      return eval_with(e, 0, env, k);
    }
    return eval_plain(e, env, k);
  }

  // `with input… as v`: the expression runs on a replaced input (and fresh rule caches); the rest of the
  // body runs on the original one.
  bool eval_with(const Expr& e, std::size_t i, Env& env, K k)
  {
    if (i == e.withs.size()) {
      return eval_plain(e, env, k);
    }
    const With& w = e.withs[i];
    return eval_term(*w.value, env, [&](const Value& v) {
      std::optional<Value> replaced = w.path.empty() ? std::optional<Value>(v) : std::optional<Value>(patch(input ? *input : Value::object({}), w.path, 0, v));
      std::optional<Value> outer_input = std::move(input);
      std::map<const RuleNode*, std::optional<Value>> outer_cache = std::move(cache);
      std::map<const Term*, Value> outer_comprehensions = std::move(closed_comprehensions);
      input = std::move(replaced);
      cache.clear();
      closed_comprehensions.clear();
      bool r = eval_with(e, i + 1, env, [&]() {
        std::swap(input, outer_input);
        std::swap(cache, outer_cache);
        std::swap(closed_comprehensions, outer_comprehensions);
        bool res = k();
        std::swap(input, outer_input);
        std::swap(cache, outer_cache);
        std::swap(closed_comprehensions, outer_comprehensions);
        return res;
      });
      input = std::move(outer_input);
      cache = std::move(outer_cache);
      closed_comprehensions = std::move(outer_comprehensions);
      return r;
    });
  }

  static Value patch(const Value& base, const std::vector<TermPtr>& path, std::size_t i, const Value& v)
  {
    if (i == path.size()) {
      return v;
    }
    Object o = base.is(Kind::object) ? base.as_object() : Object{};
    const Value& key = path[i]->value;
    auto it = o.find(key);
    Value child = it == o.end() ? Value::object({}) : it->second;
    o[key] = patch(child, path, i + 1, v);
    return Value::object(std::move(o));
  }

  bool eval_plain(const Expr& e, Env& env, K k)
  {
    if (e.negated) {
      bool found = false;
      std::size_t m = env.mark();
      eval_positive(e, env, [&]() {
        found = true;
        return false;
      });
      env.undo(m);
      return found ? true : k();
    }
    return eval_positive(e, env, k);
  }

  bool eval_positive(const Expr& e, Env& env, K k)
  {
    switch (e.kind) {
    case ExprKind::some_decl: {
      std::size_t m = env.mark();
      for (const auto& v : e.vars) {
        env.declare(v);
      }
      bool r = k();
      env.undo(m);
      return r;
    }
    case ExprKind::some_in: {
      return eval_term(*e.domain, env, [&](const Value& coll) {
        std::size_t m = env.mark();
        declare_patterns(e, env);
        bool r = iterate(coll, [&](const Value& key, const Value& val) {
          auto unify_val = [&]() { return unify_value(*e.val, val, env, k); };
          if (e.key) {
            return unify_value(*e.key, key, env, unify_val);
          }
          return unify_val();
        });
        env.undo(m);
        return r;
      });
    }
    case ExprKind::every: {
      return eval_term(*e.domain, env, [&](const Value& coll) {
        if (!coll.is(Kind::array) && !coll.is(Kind::object) && !coll.is(Kind::set)) {
          return true;  // `every` over a non-collection is false
        }
        bool all = true;
        iterate(coll, [&](const Value& key, const Value& val) {
          Env child(&env);
          declare_patterns(e, child);
          bool found = false;
          auto body = [&]() {
            eval_body(*e.body, 0, child, [&]() {
              found = true;
              return false;
            });
            return !found ? false : true;
          };
          auto unify_val = [&]() { return unify_value(*e.val, val, child, body); };
          if (e.key) {
            unify_value(*e.key, key, child, unify_val);
          } else {
            unify_val();
          }
          if (!found) {
            all = false;
            return false;
          }
          return true;
        });
        return all ? k() : true;
      });
    }
    case ExprKind::term: {
      const Term& t = *e.term;
      if (t.kind == TermKind::call && (std::string_view(t.name) == "eq" || std::string_view(t.name) == "assign")) {
        if (std::string_view(t.name) == "assign") {
          std::size_t m = env.mark();
          std::vector<const std::string*> names;
          collect_pattern_names(*t.items[0], names);
          for (const auto* n : names) {
            env.declare(*n);
          }
          bool r = unify(*t.items[0], *t.items[1], env, k);
          env.undo(m);
          return r;
        }
        return unify(*t.items[0], *t.items[1], env, k);
      }
      return eval_term(t, env, [&](const Value& v) { return v.is_false() ? true : k(); });
    }
    }
    return true;
  }

  void declare_patterns(const Expr& e, Env& env)
  {
    std::vector<const std::string*> names;
    if (e.key) {
      collect_pattern_names(*e.key, names);
    }
    collect_pattern_names(*e.val, names);
    for (const auto* n : names) {
      env.declare(*n);
    }
  }

  template <typename F>
  bool iterate(const Value& coll, F&& f)
  {
    switch (coll.kind()) {
    case Kind::array: {
      const auto& arr = coll.as_array();
      for (std::size_t i = 0; i < arr.size(); ++i) {
        if (!f(Value::integer(static_cast<std::int64_t>(i)), arr[i])) {
          return false;
        }
      }
      return true;
    }
    case Kind::object:
      for (const auto& [k, v] : coll.as_object()) {
        if (!f(k, v)) {
          return false;
        }
      }
      return true;
    case Kind::set:
      for (const auto& v : coll.as_set()) {
        if (!f(v, v)) {
          return false;
        }
      }
      return true;
    default: return true;
    }
  }

  // ---- unification ---------------------------------------------------------------------------------
  bool is_pattern(const Term& t, const Env& env) const
  {
    switch (t.kind) {
    case TermKind::var: return env.lookup(t.name) == nullptr;
    case TermKind::array:
      if (t.ground) {
        return false;
      }
      for (const auto& i : t.items) {
        if (is_pattern(*i, env)) {
          return true;
        }
      }
      return false;
    case TermKind::object:
      if (t.ground) {
        return false;
      }
      for (std::size_t i = 1; i < t.items.size(); i += 2) {
        if (is_pattern(*t.items[i], env)) {
          return true;
        }
      }
      return false;
    default: return false;
    }
  }

  bool unify(const Term& a, const Term& b, Env& env, K k)
  {
    bool pa = is_pattern(a, env);
    bool pb = is_pattern(b, env);
    if (pa && pb) {
      if (a.kind == TermKind::array && b.kind == TermKind::array) {
        if (a.items.size() != b.items.size()) {
          return true;
        }
        return unify_pairs(a, b, 0, env, k);
      }
      if (a.kind == TermKind::object && b.kind == TermKind::object) {
        return unify_objects(a, b, env, k);
      }
      if (a.kind == TermKind::var && b.kind == TermKind::var && a.name == b.name) {
        return k();
      }
      const Term& v = a.kind == TermKind::var ? a : b;
      raise("rego_unsafe_var_error", fmt::format("var {} is unsafe", display_var(v)), v.loc,
            "bind the variable before this expression");
    }
    if (pa) {
      return eval_term(b, env, [&](const Value& v) { return unify_value(a, v, env, k); });
    }
    return eval_term(a, env, [&](const Value& v) { return unify_value(b, v, env, k); });
  }

  static std::string display_var(const Term& t)
  {
    if (t.kind != TermKind::var) {
      return "in expression";
    }
    return t.name.rfind("$_", 0) == 0 ? "_" : t.name;
  }

  bool unify_objects(const Term& a, const Term& b, Env& env, K k)
  {
    if (a.items.size() != b.items.size()) {
      return true;
    }
    // pair up values by (constant) key
    auto match = std::make_shared<Term>();
    auto other = std::make_shared<Term>();
    match->kind = other->kind = TermKind::array;
    for (std::size_t i = 0; i + 1 < a.items.size(); i += 2) {
      const Term& key = *a.items[i];
      if (!key.ground) {
        raise("rego_unsafe_var_error", "object keys in patterns must be constants", key.loc);
      }
      bool found = false;
      for (std::size_t j = 0; j + 1 < b.items.size(); j += 2) {
        if (b.items[j]->ground && b.items[j]->value == key.value) {
          match->items.push_back(a.items[i + 1]);
          other->items.push_back(b.items[j + 1]);
          found = true;
          break;
        }
      }
      if (!found) {
        return true;
      }
    }
    return unify_pairs(*match, *other, 0, env, k);
  }

  bool unify_pairs(const Term& a, const Term& b, std::size_t i, Env& env, K k)
  {
    if (i == a.items.size()) {
      return k();
    }
    return unify(*a.items[i], *b.items[i], env, [&]() { return unify_pairs(a, b, i + 1, env, k); });
  }

  bool unify_value(const Term& t, const Value& v, Env& env, K k)
  {
    switch (t.kind) {
    case TermKind::scalar: return t.value == v ? k() : true;
    case TermKind::var: {
      if (const Value* bound = env.lookup(t.name)) {
        return *bound == v ? k() : true;
      }
      std::size_t m = env.mark();
      env.bind(t.name, v);
      bool r = k();
      env.undo(m);
      return r;
    }
    case TermKind::array: {
      if (t.ground) {
        return t.value == v ? k() : true;
      }
      if (!v.is(Kind::array) || v.as_array().size() != t.items.size()) {
        return true;
      }
      return unify_elements(t, v, 0, env, k);
    }
    case TermKind::object: {
      if (t.ground) {
        return t.value == v ? k() : true;
      }
      if (!v.is(Kind::object) || v.as_object().size() * 2 != t.items.size()) {
        return true;
      }
      return unify_entries(t, v, 0, env, k);
    }
    default:
      return eval_term(t, env, [&](const Value& tv) { return tv == v ? k() : true; });
    }
  }

  bool unify_elements(const Term& t, const Value& v, std::size_t i, Env& env, K k)
  {
    if (i == t.items.size()) {
      return k();
    }
    const Value elem = v.as_array()[i];
    return unify_value(*t.items[i], elem, env, [&]() { return unify_elements(t, v, i + 1, env, k); });
  }

  bool unify_entries(const Term& t, const Value& v, std::size_t i, Env& env, K k)
  {
    if (i >= t.items.size()) {
      return k();
    }
    return eval_term(*t.items[i], env, [&](const Value& key) {
      const Value* member = v.get(key);
      if (!member) {
        return true;
      }
      const Value copy = *member;
      return unify_value(*t.items[i + 1], copy, env, [&]() { return unify_entries(t, v, i + 2, env, k); });
    });
  }

  // ---- terms ---------------------------------------------------------------------------------------
  bool eval_term(const Term& t, Env& env, ValueK k)
  {
    if (t.ground) {
      return k(t.value);
    }
    switch (t.kind) {
    case TermKind::scalar: return k(t.value);
    case TermKind::var: {
      const Value* v = env.lookup(t.name);
      if (!v) {
        raise("rego_unsafe_var_error", fmt::format("var {} is unsafe", display_var(t)), t.loc,
              "bind the variable before it is used");
      }
      return k(*v);
    }
    case TermKind::ref: return eval_ref(t, env, k);
    case TermKind::array: {
      std::vector<Value> acc;
      return eval_list(t.items, 0, t.items.size(), acc, env, [&]() { return k(Value::array(acc)); });
    }
    case TermKind::set: {
      std::vector<Value> acc;
      return eval_list(t.items, 0, t.items.size(), acc, env, [&]() { return k(Value::set(Set(acc.begin(), acc.end()))); });
    }
    case TermKind::object: {
      std::vector<Value> acc;
      return eval_list(t.items, 0, t.items.size(), acc, env, [&]() {
        Object o;
        for (std::size_t i = 0; i + 1 < acc.size(); i += 2) {
          o[acc[i]] = acc[i + 1];
        }
        return k(Value::object(std::move(o)));
      });
    }
    case TermKind::array_compr:
    case TermKind::set_compr:
    case TermKind::object_compr: {
      const bool closed = is_closed(t, env);
      if (closed) {
        if (auto it = closed_comprehensions.find(&t); it != closed_comprehensions.end()) {
          return k(it->second);
        }
      }
      Value v = comprehension(t, env);
      if (closed) {
        closed_comprehensions.emplace(&t, v);
      }
      return k(v);
    }
    case TermKind::call: return eval_call(t, env, k);
    }
    return true;
  }

  // The value of an array, set or object comprehension.
  Value comprehension(const Term& t, Env& env)
  {
    if (t.kind == TermKind::array_compr) {
      Array out;
      Env child(&env);
      eval_body(*t.body, 0, child, [&]() {
        return eval_term(*t.key, child, [&](const Value& v) {
          out.push_back(v);
          return true;
        });
      });
      return Value::array(std::move(out));
    }
    if (t.kind == TermKind::set_compr) {
      Set out;
      Env child(&env);
      eval_body(*t.body, 0, child, [&]() {
        return eval_term(*t.key, child, [&](const Value& v) {
          out.insert(v);
          return true;
        });
      });
      return Value::set(std::move(out));
    }
    {
      Object out;
      Env child(&env);
      eval_body(*t.body, 0, child, [&]() {
        return eval_term(*t.key, child, [&](const Value& key) {
          return eval_term(*t.val, child, [&](const Value& val) {
            auto [it, inserted] = out.emplace(key, val);
            if (!inserted && !(it->second == val)) {
              raise("eval_conflict_error", "object keys must be unique", t.loc);
            }
            return true;
          });
        });
      });
      return Value::object(std::move(out));
    }
  }

  bool is_closed(const Term& t, const Env& env)
  {
    auto [it, added] = comprehension_vars.try_emplace(&t);
    if (added) {
      if (t.key) {
        collect_var_names(*t.key, it->second);
      }
      if (t.val) {
        collect_var_names(*t.val, it->second);
      }
      if (t.body) {
        collect_var_names(*t.body, it->second);
      }
    }
    for (const std::string* name : it->second) {
      if (env.has(*name)) {
        return false;
      }
    }
    return true;
  }

  bool eval_list(const std::vector<TermPtr>& items, std::size_t i, std::size_t n, std::vector<Value>& acc, Env& env, K k)
  {
    if (i == n) {
      return k();
    }
    return eval_term(*items[i], env, [&](const Value& v) {
      acc.push_back(v);
      bool r = eval_list(items, i + 1, n, acc, env, k);
      acc.pop_back();
      return r;
    });
  }

  bool eval_call(const Term& t, Env& env, ValueK k)
  {
    auto nargs = static_cast<std::size_t>(t.call_arity);
    std::vector<Value> args(nargs);
    std::vector<std::size_t> order;
    for (std::size_t i = 0; i < nargs; ++i) {
      if (!(t.items[i]->kind == TermKind::var && !env.lookup(t.items[i]->name))) {
        order.push_back(i);
      }
    }
    for (std::size_t i = 0; i < nargs; ++i) {
      if (t.items[i]->kind == TermKind::var && !env.lookup(t.items[i]->name)) {
        order.push_back(i);
      }
    }
    return eval_args(t, order, 0, args, env, [&]() {
      std::optional<Value> result = invoke(t, args);
      if (!result) {
        return true;
      }
      if (t.items.size() > nargs) {
        const Value r = *result;
        return unify_value(*t.items[nargs], r, env, [&]() { return k(Value::boolean(true)); });
      }
      return k(*result);
    });
  }

  bool eval_args(const Term& t, const std::vector<std::size_t>& order, std::size_t i, std::vector<Value>& args, Env& env, K k)
  {
    if (i == order.size()) {
      return k();
    }
    return eval_term(*t.items[order[i]], env, [&](const Value& v) {
      args[order[i]] = v;
      return eval_args(t, order, i + 1, args, env, k);
    });
  }

  std::optional<Value> invoke(const Term& t, const std::vector<Value>& args)
  {
    if (t.builtin) {
      try {
        return t.builtin->fn(args, ctx);
      } catch (BuiltinError& e) {
        if (options.strict_builtin_errors || e.code == "eval_conflict_error") {
          raise(e.code, e.message, t.loc);
        }
        return std::nullopt;
      }
    }
    return call_function(t, args);
  }

  std::optional<Value> call_function(const Term& t, const std::vector<Value>& args)
  {
    const RuleNode* node = policy->find(t.func_path);
    if (!node) {
      return std::nullopt;
    }
    if (in_progress.count(node)) {
      raise("rego_recursion_error", fmt::format("rule {} is recursive", data_name(t.func_path)), t.loc,
            "Rego does not allow recursion");
    }
    in_progress.insert(node);
    std::optional<Value> result;
    for (const auto& rule : node->functions) {
      for (const Rule* r = rule.get(); r; r = r->else_rule.get()) {
        if (r->args.size() != args.size()) {
          break;
        }
        bool produced = false;
        Env env;
        unify_args(*r, args, 0, env, [&]() {
          return eval_body(r->body, 0, env, [&]() {
            auto record = [&](const Value& v) {
              if (result && !(*result == v)) {
                in_progress.erase(node);
                raise("eval_conflict_error",
                      fmt::format("function {} produced conflicting values for the same inputs", data_name(t.func_path)),
                      r->loc);
              }
              result = v;
              produced = true;
              return true;
            };
            if (r->value) {
              return eval_term(*r->value, env, record);
            }
            return record(Value::boolean(true));
          });
        });
        if (produced) {
          break;
        }
      }
    }
    if (!result && node->default_function && node->default_function->value) {
      Env env;
      eval_term(*node->default_function->value, env, [&](const Value& v) {
        result = v;
        return false;
      });
    }
    in_progress.erase(node);
    return result;
  }

  bool unify_args(const Rule& r, const std::vector<Value>& args, std::size_t i, Env& env, K k)
  {
    if (i == args.size()) {
      return k();
    }
    return unify_value(*r.args[i], args[i], env, [&]() { return unify_args(r, args, i + 1, env, k); });
  }

  // ---- references ----------------------------------------------------------------------------------
  bool eval_ref(const Term& ref, Env& env, ValueK k)
  {
    const Term& head = *ref.items[0];
    if (head.kind == TermKind::var) {
      if (std::string_view(head.name) == "data") {
        return eval_data(&policy->root(), &data, ref, 1, env, k);
      }
      if (std::string_view(head.name) == "input") {
        if (!input) {
          return true;
        }
        const Value root = *input;
        return eval_path(root, ref, 1, env, k);
      }
      const Value* v = env.lookup(head.name);
      if (!v) {
        raise("rego_unsafe_var_error", fmt::format("var {} is unsafe", display_var(head)), head.loc,
              "bind the variable before it is used");
      }
      return eval_path(*v, ref, 1, env, k);
    }
    return eval_term(head, env, [&](const Value& v) { return eval_path(v, ref, 1, env, k); });
  }

  bool eval_path(const Value& v, const Term& ref, std::size_t i, Env& env, ValueK k, bool data_doc = false)
  {
    if (i == ref.items.size()) {
      return k(v);
    }
    const Term& key = *ref.items[i];
    if (is_pattern(key, env)) {
      return iterate(v, [&](const Value& kv, const Value& elem) {
        return unify_value(key, kv, env, [&]() { return eval_path(elem, ref, i + 1, env, k, data_doc); });
      });
    }
    return eval_term(key, env, [&](const Value& kv) {
      const Value* child = v.get(kv);
      if (!child && data_doc && kv.is(Kind::number) && v.is(Kind::object)) {
        child = v.get(Value::string(format_number(kv.as_number())));  // data.x[2] reads the key "2"
      }
      if (!child) {
        return true;
      }
      return eval_path(*child, ref, i + 1, env, k, data_doc);
    });
  }

  bool eval_data(const RuleNode* node, const Value* base, const Term& ref, std::size_t i, Env& env, ValueK k)
  {
    if (!node || is_function_leaf(node)) {
      if (!base) {
        return true;
      }
      return eval_path(*base, ref, i, env, k, true);
    }
    if (node->has_own_rules() || i == ref.items.size()) {
      const std::optional<Value>& v = node_value(node, base);
      if (!v) {
        return true;
      }
      return eval_path(*v, ref, i, env, k);
    }
    const Term& key = *ref.items[i];
    auto descend = [&](const Value& kv) {
      const RuleNode* child = kv.is(Kind::string) ? node->child(kv.as_string()) : nullptr;
      const Value* bchild = base ? base->get(kv) : nullptr;
      if (!bchild && base && kv.is(Kind::number) && base->is(Kind::object)) {
        bchild = base->get(Value::string(format_number(kv.as_number())));  // data[2] reads the key "2"
      }
      if ((!child || is_function_leaf(child)) && !bchild) {
        return true;
      }
      return eval_data(child, bchild, ref, i + 1, env, k);
    };
    if (is_pattern(key, env)) {
      Set keys;
      for (const auto& [name, child] : node->children) {
        if (!is_function_leaf(child.get())) {
          keys.insert(Value::string(name));
        }
      }
      if (base && base->is(Kind::object)) {
        for (const auto& [kk, _] : base->as_object()) {
          keys.insert(kk);
        }
      }
      for (const auto& kv : keys) {
        if (!unify_value(key, kv, env, [&]() { return descend(kv); })) {
          return false;
        }
      }
      return true;
    }
    return eval_term(key, env, descend);
  }

  // ---- virtual documents ---------------------------------------------------------------------------
  const std::optional<Value>& node_value(const RuleNode* node, const Value* base)
  {
    if (auto it = cache.find(node); it != cache.end()) {
      return it->second;
    }
    if (in_progress.count(node)) {
      raise("rego_recursion_error", fmt::format("rule {} is recursive", data_name(node->path)), Location{},
            "Rego does not allow recursion");
    }
    in_progress.insert(node);
    VTree tree;
    std::vector<Value> prefix;
    collect_into(node, tree, prefix);
    in_progress.erase(node);
    if (base) {
      merge_base(tree, *base);
    }
    std::optional<Value> v = tree.to_value();
    if (!v && !node->has_own_rules()) {
      v = Value::object({});
    }
    return cache.emplace(node, std::move(v)).first->second;
  }

  void merge_base(VTree& tree, const Value& base)
  {
    if (tree.kind == VTree::Kind::none) {
      tree.kind = VTree::Kind::leaf;
      tree.leaf = base;
      return;
    }
    if (tree.kind == VTree::Kind::object && base.is(Kind::object)) {
      for (const auto& [k, v] : base.as_object()) {
        merge_base(tree.children[k], v);
      }
    }
  }

  void collect_into(const RuleNode* node, VTree& tree, std::vector<Value>& prefix)
  {
    if (node->has_own_rules()) {
      std::size_t before = count_at(tree, prefix);
      bool dynamic = false;
      bool partial_set = false;
      for (const auto& rule : node->rules) {
        dynamic = dynamic || !rule->suffix.empty();
        partial_set = partial_set || rule->kind == RuleKind::contains;
        for (const Rule* r = rule.get(); r; r = r->else_rule.get()) {
          if (eval_rule(*r, tree, prefix)) {
            break;
          }
        }
      }
      if (count_at(tree, prefix) == before) {
        if (!node->defaults.empty()) {
          const Rule& d = *node->defaults.front();
          Env env;
          eval_term(*d.value, env, [&](const Value& v) {
            insert(tree, prefix, 0, v, false, d);
            return false;
          });
        } else if (dynamic) {
          ensure(tree, prefix, VTree::Kind::object);  // a partial object with no entries is {}
        } else if (partial_set) {
          ensure(tree, prefix, VTree::Kind::set);  // a partial set with no members is set()
        }
      }
    }
    for (const auto& [name, child] : node->children) {
      if (is_function_leaf(child.get())) {
        continue;
      }
      prefix.push_back(Value::string(name));
      collect_into(child.get(), tree, prefix);
      prefix.pop_back();
    }
    if (!node->has_own_rules()) {
      ensure(tree, prefix, VTree::Kind::object);  // a package (or a prefix of rule names) is an object
    }
  }

  static bool is_function_leaf(const RuleNode* node)
  {
    return !node->has_own_rules() && node->children.empty() && (!node->functions.empty() || node->default_function);
  }

  static void ensure(VTree& tree, const std::vector<Value>& prefix, VTree::Kind kind)
  {
    VTree* t = &tree;
    for (const auto& p : prefix) {
      if (t->kind == VTree::Kind::none) {
        t->kind = VTree::Kind::object;
      }
      if (t->kind != VTree::Kind::object) {
        return;
      }
      t = &t->children[p];
    }
    if (t->kind == VTree::Kind::none) {
      t->kind = kind;
    }
  }

  static std::size_t count_at(const VTree& tree, const std::vector<Value>& prefix)
  {
    const VTree* t = &tree;
    for (const auto& p : prefix) {
      auto it = t->children.find(p);
      if (it == t->children.end()) {
        return 0;
      }
      t = &it->second;
    }
    return t->kind == VTree::Kind::none ? 0 : 1;
  }

  // Evaluates one rule (one link of an else chain); true when its body had a solution.
  bool eval_rule(const Rule& r, VTree& tree, std::vector<Value>& prefix)
  {
    bool produced = false;
    Env env;
    eval_body(r.body, 0, env, [&]() {
      std::vector<Value> keys = prefix;
      return eval_suffix(r, 0, keys, env, [&]() {
        auto put = [&](const Value& v) {
          produced = true;
          insert(tree, keys, 0, v, r.kind == RuleKind::contains, r);
          return true;
        };
        if (r.value) {
          return eval_term(*r.value, env, put);
        }
        return put(Value::boolean(true));
      });
    });
    return produced;
  }

  bool eval_suffix(const Rule& r, std::size_t i, std::vector<Value>& keys, Env& env, K k)
  {
    if (i == r.suffix.size()) {
      return k();
    }
    return eval_term(*r.suffix[i], env, [&](const Value& v) {
      keys.push_back(v);
      bool res = eval_suffix(r, i + 1, keys, env, k);
      keys.pop_back();
      return res;
    });
  }

  void insert(VTree& t, const std::vector<Value>& keys, std::size_t i, const Value& v, bool member, const Rule& r)
  {
    if (i == keys.size()) {
      if (member) {
        if (t.kind == VTree::Kind::none) {
          t.kind = VTree::Kind::set;
        } else if (t.kind != VTree::Kind::set) {
          conflict(r, keys);
        }
        t.members.insert(v);
        return;
      }
      if (t.kind == VTree::Kind::none) {
        t.kind = VTree::Kind::leaf;
        t.leaf = v;
        t.rule = &r;
        return;
      }
      if (t.kind != VTree::Kind::leaf || !(t.leaf == v)) {
        conflict(r, keys);
      }
      return;
    }
    if (t.kind == VTree::Kind::none) {
      t.kind = VTree::Kind::object;
    } else if (t.kind != VTree::Kind::object) {
      conflict(r, keys);
    }
    insert(t.children[keys[i]], keys, i + 1, v, member, r);
  }

  [[noreturn]] void conflict(const Rule& r, const std::vector<Value>& keys)
  {
    if (r.suffix.empty() && r.kind == RuleKind::value) {
      raise("eval_conflict_error", fmt::format("rule {} produced conflicting values", data_name(r.path)), r.loc,
            "make the rule's bodies exclusive or give them the same value");
    }
    (void)keys;
    raise("eval_conflict_error", "object keys must be unique", r.loc, "two rules produce different values for one key");
  }
};

Evaluator::Evaluator(std::shared_ptr<const Policy> policy, Value data, std::optional<Value> input, EvalOptions options)
  : m_impl(std::make_unique<Impl>())
{
  m_impl->policy = std::move(policy);
  m_impl->data = std::move(data);
  m_impl->input = std::move(input);
  m_impl->options = options;
  m_impl->ctx.now_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
}

Evaluator::~Evaluator() = default;

namespace {
void query_vars(const Term& t, std::vector<std::string>& out)
{
  if (t.kind == TermKind::var) {
    if (t.name.rfind("$", 0) != 0 && std::find(out.begin(), out.end(), t.name) == out.end()) {
      out.push_back(t.name);
    }
    return;
  }
  if (t.kind == TermKind::array_compr || t.kind == TermKind::set_compr || t.kind == TermKind::object_compr) {
    return;
  }
  for (const auto& i : t.items) {
    query_vars(*i, out);
  }
}
}  // namespace

Result<std::vector<QueryRow>> Evaluator::query(const Body& q)
{
  auto& impl = *m_impl;
  char base = 0;
  impl.stack_base = &base;
  impl.steps = 0;
  std::vector<std::string> names;
  for (const auto& e : q.exprs) {
    for (const TermPtr* p : {&e.term, &e.key, &e.val, &e.domain}) {
      if (*p) {
        query_vars(**p, names);
      }
    }
    for (const auto& v : e.vars) {
      if (std::find(names.begin(), names.end(), v) == names.end()) {
        names.push_back(v);
      }
    }
  }
  std::vector<QueryRow> rows;
  std::vector<Value> values(q.exprs.size(), Value::boolean(true));
  try {
    Env env;
    auto step = [&](auto&& self, std::size_t i) -> bool {
      if (i == q.exprs.size()) {
        QueryRow row;
        for (const auto& n : names) {
          if (const Value* v = env.lookup(n)) {
            row.bindings.emplace_back(n, *v);
          }
        }
        row.expressions = values;
        rows.push_back(std::move(row));
        return true;
      }
      const Expr& e = q.exprs[i];
      bool plain = e.kind == ExprKind::term && !e.negated &&
                   !(e.term->kind == TermKind::call && (std::string_view(e.term->name) == "eq" || std::string_view(e.term->name) == "assign"));
      if (plain) {
        impl.tick(e.loc);
        bool call = e.term->kind == TermKind::call;
        return impl.eval_term(*e.term, env, [&](const Value& v) {
          if (call && v.is_false()) {
            return true;  // a call is a test; a reference or value is captured, false included (as opa eval)
          }
          values[i] = v;
          return self(self, i + 1);
        });
      }
      values[i] = Value::boolean(true);
      return impl.eval_expr(e, env, [&]() { return self(self, i + 1); });
    };
    step(step, 0);
  } catch (EvalFailure& f) {
    return tl::unexpected(std::move(f.info));
  }
  return rows;
}

Result<std::optional<Value>> Evaluator::value_at(const std::vector<std::string>& path)
{
  auto& impl = *m_impl;
  char base = 0;
  impl.stack_base = &base;
  auto ref = std::make_shared<Term>();
  ref->kind = TermKind::ref;
  auto head = std::make_shared<Term>();
  head->kind = TermKind::var;
  head->name = "data";
  ref->items.push_back(head);
  for (const auto& p : path) {
    auto s = std::make_shared<Term>();
    s->kind = TermKind::scalar;
    s->value = Value::string(p);
    s->ground = true;
    ref->items.push_back(s);
  }
  std::optional<Value> out;
  try {
    Env env;
    impl.eval_ref(*ref, env, [&](const Value& v) {
      out = v;
      return false;
    });
  } catch (EvalFailure& f) {
    return tl::unexpected(std::move(f.info));
  }
  return out;
}

}  // namespace helios::policy
