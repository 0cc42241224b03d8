#include "core/policy/compiler.hpp"

#include <set>

#include <fmt/format.h>

#include "core/policy/builtins.hpp"
#include "core/policy/parser.hpp"

namespace helios::policy {

namespace {

using VarSet = std::set<std::string>;

struct CompileFailure {
  ErrorInfo info;
};

[[noreturn]] void compile_error(const std::string& code, const std::string& msg, const Location& loc,
                                const std::string& hint = {})
{
  throw CompileFailure{ErrorInfo{ExitCode::usage, code, msg, loc.to_string(), hint, nlohmann::json::object()}};
}

TermPtr make_string(const std::string& s, const Location& loc)
{
  auto t = std::make_shared<Term>();
  t->kind = TermKind::scalar;
  t->value = Value::string(s);
  t->loc = loc;
  t->ground = true;
  return t;
}

TermPtr make_ref(const std::string& root, const std::vector<std::string>& path, const Location& loc)
{
  auto t = std::make_shared<Term>();
  t->kind = TermKind::ref;
  t->loc = loc;
  auto head = std::make_shared<Term>();
  head->kind = TermKind::var;
  head->name = root;
  head->loc = loc;
  t->items.push_back(head);
  for (const auto& p : path) {
    t->items.push_back(make_string(p, loc));
  }
  return t;
}

// ---- name resolution -------------------------------------------------------------------------------

struct Scope {
  std::vector<std::string> package;
  const std::set<std::string>* rule_names = nullptr;
  std::map<std::string, std::vector<TermPtr>> imports;  // alias → ref items (head data/input)
  VarSet locals;
  const Policy* policy = nullptr;
};

void collect_pattern_vars(const Term& t, VarSet& out)
{
  switch (t.kind) {
  case TermKind::var: out.insert(t.name); break;
  case TermKind::array:
  case TermKind::set:
    for (const auto& i : t.items) {
      collect_pattern_vars(*i, out);
    }
    break;
  case TermKind::object:
    for (std::size_t i = 1; i < t.items.size(); i += 2) {
      collect_pattern_vars(*t.items[i], out);
    }
    break;
  default: break;
  }
}

void collect_locals_term(const Term& t, VarSet& out);
void collect_locals_body(const Body& b, VarSet& out)
{
  for (const auto& e : b.exprs) {
    switch (e.kind) {
    case ExprKind::some_decl: out.insert(e.vars.begin(), e.vars.end()); break;
    case ExprKind::some_in:
    case ExprKind::every:
      if (e.key) {
        collect_pattern_vars(*e.key, out);
      }
      collect_pattern_vars(*e.val, out);
      collect_locals_term(*e.domain, out);
      if (e.body) {
        collect_locals_body(*e.body, out);
      }
      break;
    case ExprKind::term:
      if (e.term->kind == TermKind::call && e.term->name == "assign") {
        collect_pattern_vars(*e.term->items[0], out);
      }
      collect_locals_term(*e.term, out);
      break;
    }
  }
}
void collect_locals_term(const Term& t, VarSet& out)
{
  for (const auto& i : t.items) {
    collect_locals_term(*i, out);
  }
  if (t.body) {
    collect_locals_body(*t.body, out);
  }
}

class Resolver {
public:
  explicit Resolver(Scope& scope) : m_scope(scope) {}

  void term(TermPtr& t)
  {
    switch (t->kind) {
    case TermKind::scalar: return;
    case TermKind::var: {
      auto r = resolve_var(*t);
      if (r) {
        t = r;
      }
      return;
    }
    case TermKind::ref: {
      auto& head = t->items[0];
      if (head->kind == TermKind::var) {
        auto r = resolve_var(*head);
        if (r) {
          auto copy = std::make_shared<Term>(*t);
          copy->items = r->items;
          copy->items.insert(copy->items.end(), t->items.begin() + 1, t->items.end());
          t = copy;
        }
      } else {
        term(head);
      }
      for (std::size_t i = 1; i < t->items.size(); ++i) {
        term(t->items[i]);
      }
      return;
    }
    case TermKind::call: {
      for (auto& a : t->items) {
        term(a);
      }
      call(*t);
      return;
    }
    case TermKind::array:
    case TermKind::object:
    case TermKind::set:
      for (auto& i : t->items) {
        term(i);
      }
      return;
    case TermKind::array_compr:
    case TermKind::set_compr:
    case TermKind::object_compr:
      term(t->key);
      if (t->val) {
        term(t->val);
      }
      body(*t->body);
      return;
    }
  }

  void body(Body& b)
  {
    for (auto& e : b.exprs) {
      for (auto& w : e.withs) {
        term(w.value);
      }
      switch (e.kind) {
      case ExprKind::some_decl: break;
      case ExprKind::some_in:
      case ExprKind::every:
        if (e.key) {
          term(e.key);
        }
        term(e.val);
        term(e.domain);
        if (e.body) {
          body(*e.body);
        }
        break;
      case ExprKind::term:
        if (e.term->kind == TermKind::call && (e.term->name == "eq" || e.term->name == "assign")) {
          for (auto& a : e.term->items) {
            term(a);
          }
          if (e.term->name == "assign" && e.term->items[0]->kind == TermKind::ref) {
            compile_error("rego_compile_error", "cannot assign to a reference (`:=` needs a variable on the left)",
                          e.term->loc, "rename the variable: it shadows a rule or import");
          }
        } else {
          term(e.term);
        }
        break;
      }
    }
  }

private:
  Scope& m_scope;

  TermPtr resolve_var(const Term& v)
  {
    if (v.name == "data" || v.name == "input") {
      return make_ref(v.name, {}, v.loc);
    }
    if (m_scope.locals.count(v.name)) {
      return nullptr;
    }
    if (auto it = m_scope.imports.find(v.name); it != m_scope.imports.end()) {
      auto t = std::make_shared<Term>();
      t->kind = TermKind::ref;
      t->loc = v.loc;
      t->items = it->second;
      return t;
    }
    if (m_scope.rule_names && m_scope.rule_names->count(v.name)) {
      auto path = m_scope.package;
      path.push_back(v.name);
      return make_ref("data", path, v.loc);
    }
    return nullptr;
  }

  void call(Term& t)
  {
    static const std::set<std::string> internal = {"eq", "assign"};
    if (internal.count(t.name)) {
      compile_error("rego_parse_error", fmt::format("`{}` is only allowed as an expression", t.name == "eq" ? "=" : ":="),
                    t.loc);
    }
    std::vector<std::string> segs;
    std::size_t start = 0;
    while (true) {
      auto dot = t.name.find('.', start);
      segs.push_back(t.name.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
      if (dot == std::string::npos) {
        break;
      }
      start = dot + 1;
    }
    std::vector<std::string> candidate;
    bool user = false;
    if (segs[0] == "data") {
      candidate.assign(segs.begin() + 1, segs.end());
      user = true;
    } else if (auto it = m_scope.imports.find(segs[0]); it != m_scope.imports.end() && !m_scope.locals.count(segs[0])) {
      const auto& items = it->second;
      if (items[0]->name == "data") {
        for (std::size_t i = 1; i < items.size(); ++i) {
          candidate.push_back(items[i]->value.as_string());
        }
        candidate.insert(candidate.end(), segs.begin() + 1, segs.end());
        user = true;
      }
    } else {
      candidate = m_scope.package;
      candidate.insert(candidate.end(), segs.begin(), segs.end());
      const RuleNode* node = m_scope.policy->find(candidate);
      user = node && (!node->functions.empty() || node->default_function);
    }
    if (user) {
      const RuleNode* node = m_scope.policy->find(candidate);
      if (!node || (node->functions.empty() && !node->default_function)) {
        compile_error("rego_type_error", fmt::format("undefined function data.{}", join_path(candidate)), t.loc,
                      "define the function or check the package name");
      }
      const RulePtr& any = node->functions.empty() ? node->default_function : node->functions.front();
      t.func_path = candidate;
      t.call_arity = static_cast<int>(any->args.size());
    } else {
      const Builtin* b = find_builtin(t.name);
      if (!b) {
        throw CompileFailure{ErrorInfo{ExitCode::usage, "rego_unsupported_error",
                                       fmt::format("unsupported: builtin `{}` at {}", t.name, t.loc.to_string()),
                                       t.loc.to_string(), "helios implements the builtins listed in docs/policy.md",
                                       nlohmann::json::object()}};
      }
      t.builtin = b;
      t.call_arity = b->arity;
    }
    auto n = static_cast<int>(t.items.size());
    if (n != t.call_arity && n != t.call_arity + 1) {
      compile_error("rego_type_error",
                    fmt::format("{}: arity mismatch: {} arguments given, {} expected", t.name, n, t.call_arity), t.loc);
    }
  }
};

// ---- safety reordering -----------------------------------------------------------------------------

void vars_value(const Term& t, VarSet& need, VarSet& out, const VarSet& universe);

void vars_compr(const Term& t, VarSet& need, const VarSet& universe)
{
  VarSet inner_need;
  VarSet inner_out;
  VarSet all;
  auto walk = [&](auto&& self, const Term& x) -> void {
    if (x.kind == TermKind::var) {
      all.insert(x.name);
    }
    for (const auto& i : x.items) {
      self(self, *i);
    }
    if (x.key) {
      self(self, *x.key);
    }
    if (x.val) {
      self(self, *x.val);
    }
    if (x.body) {
      for (const auto& e : x.body->exprs) {
        for (const TermPtr* p : {&e.term, &e.key, &e.val, &e.domain}) {
          if (*p) {
            self(self, **p);
          }
        }
        if (e.body) {
          Term wrapper;
          wrapper.body = e.body;
          self(self, wrapper);
        }
      }
    }
  };
  walk(walk, t);
  for (const auto& v : all) {
    if (universe.count(v)) {
      need.insert(v);
    }
  }
}

void vars_pattern(const Term& t, VarSet& need, VarSet& out, const VarSet& universe)
{
  switch (t.kind) {
  case TermKind::var: out.insert(t.name); break;
  case TermKind::array:
    for (const auto& i : t.items) {
      vars_pattern(*i, need, out, universe);
    }
    break;
  case TermKind::object:
    for (std::size_t i = 0; i + 1 < t.items.size(); i += 2) {
      vars_value(*t.items[i], need, out, universe);
      vars_pattern(*t.items[i + 1], need, out, universe);
    }
    break;
  default: vars_value(t, need, out, universe); break;
  }
}

void vars_value(const Term& t, VarSet& need, VarSet& out, const VarSet& universe)
{
  switch (t.kind) {
  case TermKind::scalar: break;
  case TermKind::var: need.insert(t.name); break;
  case TermKind::ref: {
    const auto& head = *t.items[0];
    if (head.kind == TermKind::var) {
      if (head.name != "data" && head.name != "input") {
        need.insert(head.name);
      }
    } else {
      vars_value(head, need, out, universe);
    }
    for (std::size_t i = 1; i < t.items.size(); ++i) {
      const auto& p = *t.items[i];
      if (p.kind == TermKind::var || p.kind == TermKind::array || p.kind == TermKind::object) {
        vars_pattern(p, need, out, universe);
      } else {
        vars_value(p, need, out, universe);
      }
    }
    break;
  }
  case TermKind::call: {
    auto n = t.items.size();
    for (std::size_t i = 0; i < n; ++i) {
      if (t.call_arity >= 0 && i == static_cast<std::size_t>(t.call_arity)) {
        vars_pattern(*t.items[i], need, out, universe);
      } else {
        vars_value(*t.items[i], need, out, universe);
      }
    }
    break;
  }
  case TermKind::array:
  case TermKind::object:
  case TermKind::set:
    for (const auto& i : t.items) {
      vars_value(*i, need, out, universe);
    }
    break;
  default: vars_compr(t, need, universe); break;
  }
}

struct ExprVars {
  VarSet need;  // when no alternative applies
  VarSet need_alt;
  bool has_alt = false;
  VarSet out;
};

ExprVars expr_vars(const Expr& e, const VarSet& universe)
{
  ExprVars v;
  for (const auto& w : e.withs) {
    VarSet ignored;
    vars_value(*w.value, v.need, ignored, universe);
  }
  switch (e.kind) {
  case ExprKind::some_decl: break;
  case ExprKind::some_in:
    vars_value(*e.domain, v.need, v.out, universe);
    if (e.key) {
      vars_pattern(*e.key, v.need, v.out, universe);
    }
    vars_pattern(*e.val, v.need, v.out, universe);
    break;
  case ExprKind::every: {
    VarSet ignored;
    vars_value(*e.domain, v.need, ignored, universe);
    Term wrapper;
    wrapper.kind = TermKind::array_compr;
    wrapper.body = e.body;
    vars_compr(wrapper, v.need, universe);
    if (e.key) {
      collect_pattern_vars(*e.key, ignored);
    }
    collect_pattern_vars(*e.val, ignored);
    for (const auto& x : ignored) {
      v.need.erase(x);
    }
    break;
  }
  case ExprKind::term: {
    const Term& t = *e.term;
    if (!e.negated && t.kind == TermKind::call && (t.name == "eq" || t.name == "assign")) {
      // a as value, b as pattern; or (eq only) b as value, a as pattern
      vars_value(*t.items[1], v.need, v.out, universe);
      vars_pattern(*t.items[0], v.need, v.out, universe);
      if (t.name == "eq") {
        v.has_alt = true;
        VarSet out2;
        vars_value(*t.items[0], v.need_alt, out2, universe);
        vars_pattern(*t.items[1], v.need_alt, out2, universe);
        v.out.insert(out2.begin(), out2.end());
      }
    } else if (e.negated) {
      VarSet ignored;
      vars_value(t, v.need, ignored, universe);
    } else {
      vars_value(t, v.need, v.out, universe);
    }
    break;
  }
  }
  return v;
}

bool subset(const VarSet& need, const VarSet& bound, const VarSet& out)
{
  for (const auto& n : need) {
    if (!bound.count(n) && !out.count(n)) {
      return false;
    }
  }
  return true;
}

void universe_of_term(const Term& t, VarSet& out)
{
  if (t.kind == TermKind::var) {
    out.insert(t.name);
  }
  if (t.kind == TermKind::array_compr || t.kind == TermKind::set_compr || t.kind == TermKind::object_compr) {
    return;
  }
  for (const auto& i : t.items) {
    universe_of_term(*i, out);
  }
}

void reorder_body(Body& b, const VarSet& initially_bound);

void reorder_nested(const Term& t, const VarSet& universe)
{
  if (t.body) {
    reorder_body(*t.body, universe);
  }
  for (const auto& i : t.items) {
    reorder_nested(*i, universe);
  }
  if (t.key) {
    reorder_nested(*t.key, universe);
  }
  if (t.val) {
    reorder_nested(*t.val, universe);
  }
}

void reorder_body(Body& b, const VarSet& initially_bound)
{
  VarSet universe = initially_bound;
  for (const auto& e : b.exprs) {
    for (const TermPtr* p : {&e.term, &e.key, &e.val, &e.domain}) {
      if (*p) {
        universe_of_term(**p, universe);
      }
    }
    universe.insert(e.vars.begin(), e.vars.end());
  }
  // nested bodies first: they see every variable of this body
  for (auto& e : b.exprs) {
    for (const TermPtr* p : {&e.term, &e.key, &e.val, &e.domain}) {
      if (*p) {
        reorder_nested(**p, universe);
      }
    }
    if (e.body) {
      VarSet inner = universe;
      reorder_body(*e.body, inner);
    }
  }
  VarSet bound = initially_bound;
  std::vector<Expr> remaining = std::move(b.exprs);
  std::vector<Expr> ordered;
  while (!remaining.empty()) {
    bool picked = false;
    for (std::size_t i = 0; i < remaining.size(); ++i) {
      auto v = expr_vars(remaining[i], universe);
      bool ok = subset(v.need, bound, {}) || (v.has_alt && subset(v.need_alt, bound, {}));
      if (!ok) {
        continue;
      }
      bound.insert(v.out.begin(), v.out.end());
      ordered.push_back(std::move(remaining[i]));
      remaining.erase(remaining.begin() + static_cast<std::ptrdiff_t>(i));
      picked = true;
      break;
    }
    if (!picked) {
      for (auto& e : remaining) {
        ordered.push_back(std::move(e));
      }
      break;
    }
  }
  b.exprs = std::move(ordered);
}

void insert_rule(RuleNode& root, const RulePtr& rule)
{
  RuleNode* node = &root;
  for (const auto& seg : rule->path) {
    auto& child = node->children[seg];
    if (!child) {
      child = std::make_unique<RuleNode>();
      child->path = node->path;
      child->path.push_back(seg);
    }
    if (rule->kind != RuleKind::function) {
      node->has_values = true;
    }
    node = child.get();
  }
  if (rule->kind == RuleKind::function) {
    if (rule->is_default) {
      node->default_function = rule;
    } else {
      node->functions.push_back(rule);
    }
  } else {
    node->has_values = true;
    (rule->is_default ? node->defaults : node->rules).push_back(rule);
  }
}

}  // namespace

const RuleNode* RuleNode::child(const std::string& key) const
{
  auto it = children.find(key);
  return it == children.end() ? nullptr : it->second.get();
}

const RuleNode* Policy::find(const std::vector<std::string>& path) const
{
  const RuleNode* node = &m_root;
  for (const auto& p : path) {
    node = node->child(p);
    if (!node) {
      return nullptr;
    }
  }
  return node;
}

Result<std::shared_ptr<Policy>> Policy::compile(std::vector<std::shared_ptr<Module>> modules)
{
  auto policy = std::make_shared<Policy>();
  policy->m_modules = std::move(modules);
  std::map<std::vector<std::string>, std::set<std::string>> rule_names;
  try {
    // 1. index every rule by its ground path
    for (const auto& mod : policy->m_modules) {
      RuleNode* pkg = &policy->m_root;  // every package is a node, even an empty one
      for (const auto& seg : mod->package) {
        auto& child = pkg->children[seg];
        if (!child) {
          child = std::make_unique<RuleNode>();
          child->path = pkg->path;
          child->path.push_back(seg);
        }
        pkg = child.get();
      }
      for (const auto& rule : mod->rules) {
        for (Rule* r = rule.get(); r; r = r->else_rule.get()) {
          r->module = mod.get();
          r->path = mod->package;
          r->suffix.clear();
          bool dynamic = false;
          for (std::size_t i = 0; i < r->head.size(); ++i) {
            const auto& h = r->head[i];
            if (i == 0) {
              r->path.push_back(h->name);
            } else if (!dynamic && h->kind == TermKind::scalar && h->value.is(Kind::string)) {
              r->path.push_back(h->value.as_string());
            } else {
              dynamic = true;
              r->suffix.push_back(h);
            }
          }
          if (r->kind == RuleKind::function && dynamic) {
            compile_error("rego_parse_error", "a function name cannot hold variables", r->loc);
          }
          if (r->kind == RuleKind::value && r->suffix.size() > 0 && r->is_default) {
            compile_error("rego_parse_error", "a default rule cannot have a variable in its name", r->loc);
          }
        }
        insert_rule(policy->m_root, rule);
        rule_names[mod->package].insert(rule->head[0]->name);
      }
    }
    // 2. resolve names, 3. reorder bodies
    for (const auto& mod : policy->m_modules) {
      Scope scope;
      scope.package = mod->package;
      scope.rule_names = &rule_names[mod->package];
      scope.policy = policy.get();
      for (const auto& imp : mod->imports) {
        const std::string& root = imp.path[0]->name;
        if (root == "future" || root == "rego") {
          continue;
        }
        std::vector<TermPtr> items = imp.path;
        if (items[0]->kind != TermKind::var) {
          compile_error("rego_parse_error", "invalid import", imp.loc);
        }
        scope.imports[imp.alias] = items;
      }
      for (const auto& rule : mod->rules) {
        for (Rule* r = rule.get(); r; r = r->else_rule.get()) {
          Scope local = scope;
          VarSet arg_vars;
          for (const auto& a : r->args) {
            collect_pattern_vars(*a, arg_vars);
          }
          local.locals = arg_vars;
          collect_locals_body(r->body, local.locals);
          Resolver res(local);
          res.body(r->body);
          for (auto& s : r->suffix) {
            res.term(s);
          }
          if (r->value) {
            res.term(r->value);
          }
          for (auto& a : r->args) {
            Resolver arg_res(local);
            // arguments are patterns: only their non-variable parts resolve
            if (a->kind != TermKind::var) {
              arg_res.term(a);
            }
          }
          reorder_body(r->body, arg_vars);
        }
      }
    }
  } catch (CompileFailure& f) {
    return tl::unexpected(std::move(f.info));
  }
  return policy;
}

Result<std::shared_ptr<Body>> Policy::compile_query(std::string_view text) const
{
  auto body = parse_query(text);
  if (!body) {
    return body;
  }
  try {
    Scope scope;
    scope.policy = this;
    collect_locals_body(**body, scope.locals);
    Resolver res(scope);
    res.body(**body);
    reorder_body(**body, {});
  } catch (CompileFailure& f) {
    return tl::unexpected(std::move(f.info));
  }
  return body;
}

}  // namespace helios::policy
