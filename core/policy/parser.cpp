#include "core/policy/parser.hpp"

#include <cstdlib>
#include <stdexcept>

#include <fmt/format.h>

#include "core/policy/lexer.hpp"

namespace helios::policy {

namespace {

struct ParseFailure {
  ErrorInfo info;
};

constexpr int max_nesting = 200;

class Parser {
public:
  Parser(std::vector<Token> tokens, std::string file) : m_toks(std::move(tokens)), m_file(std::move(file)) {}

  std::shared_ptr<Module> module()
  {
    auto mod = std::make_shared<Module>();
    mod->file = m_file;
    if (!is_ident("package")) {
      fail_at(peek(), "expected `package` at the start of the module", "begin the file with `package NAME`");
    }
    mod->loc = peek().loc;
    next();
    auto pkg = ref_term();
    mod->package = static_path(*pkg, "package");
    while (peek().kind != TokenKind::eof) {
      if (is_ident("import")) {
        mod->imports.push_back(import_decl());
      } else {
        auto rules = rule();
        for (auto& r : rules) {
          r->module = mod.get();
          mod->rules.push_back(std::move(r));
        }
      }
    }
    return mod;
  }

  std::shared_ptr<Body> query()
  {
    auto body = std::make_shared<Body>();
    m_sensitive.push_back(true);
    while (peek().kind != TokenKind::eof) {
      body->exprs.push_back(literal());
      if (is_punct(";")) {
        next();
      } else if (peek().kind != TokenKind::eof && !peek().newline_before) {
        fail_at(peek(), fmt::format("unexpected {} in query", describe(peek())), "separate expressions with ; or a newline");
      }
    }
    m_sensitive.pop_back();
    if (body->exprs.empty()) {
      fail_at(peek(), "empty query", "write a query such as data.main.deny");
    }
    return body;
  }

  TermPtr single_term()
  {
    m_sensitive.push_back(false);
    auto t = term();
    m_sensitive.pop_back();
    if (peek().kind != TokenKind::eof) {
      fail_at(peek(), fmt::format("unexpected {} after term", describe(peek())), "");
    }
    return t;
  }

  [[noreturn]] void fail_at(const Token& tok, const std::string& msg, const std::string& hint)
  {
    throw ParseFailure{ErrorInfo{ExitCode::usage, "rego_parse_error", msg, tok.loc.to_string(), hint, nlohmann::json::object()}};
  }
  [[noreturn]] void unsupported(const Token& tok, const std::string& what)
  {
    throw ParseFailure{ErrorInfo{ExitCode::usage, "rego_unsupported_error",
                                 fmt::format("unsupported: {} at {}", what, tok.loc.to_string()), tok.loc.to_string(),
                                 "helios's Rego engine does not implement this; rewrite the policy without it",
                                 nlohmann::json::object()}};
  }

private:
  std::vector<Token> m_toks;
  std::size_t m_pos = 0;
  std::string m_file;
  std::vector<bool> m_sensitive;  // does a newline end the current expression?
  int m_depth = 0;
  int m_wildcards = 0;

  const Token& peek(std::size_t ahead = 0) const
  {
    std::size_t p = m_pos + ahead;
    return p < m_toks.size() ? m_toks[p] : m_toks.back();
  }
  const Token& next()
  {
    const Token& t = peek();
    if (m_pos < m_toks.size() - 1) {
      ++m_pos;
    }
    return t;
  }
  bool is_punct(const char* p, std::size_t ahead = 0) const
  {
    return peek(ahead).kind == TokenKind::punct && peek(ahead).text == p;
  }
  bool is_ident(const char* p, std::size_t ahead = 0) const
  {
    return peek(ahead).kind == TokenKind::ident && peek(ahead).text == p;
  }
  static std::string describe(const Token& t)
  {
    switch (t.kind) {
    case TokenKind::eof: return "end of input";
    case TokenKind::string: return fmt::format("string \"{}\"", t.text);
    default: return fmt::format("`{}`", t.text);
    }
  }
  void expect_punct(const char* p, const char* hint = "")
  {
    if (!is_punct(p)) {
      fail_at(peek(), fmt::format("expected `{}` but found {}", p, describe(peek())), hint);
    }
    next();
  }
  bool ends_expression() const
  {
    return !m_sensitive.empty() && m_sensitive.back() && peek().newline_before;
  }

  struct DepthGuard {
    Parser& p;
    explicit DepthGuard(Parser& parser) : p(parser)
    {
      if (++p.m_depth > max_nesting) {
        p.fail_at(p.peek(), fmt::format("nesting deeper than {} levels", max_nesting), "flatten the expression");
      }
    }
    ~DepthGuard() { --p.m_depth; }
    DepthGuard(const DepthGuard&) = delete;
    DepthGuard& operator=(const DepthGuard&) = delete;
  };

  static TermPtr make(TermKind kind, const Location& loc)
  {
    auto t = std::make_shared<Term>();
    t->kind = kind;
    t->loc = loc;
    return t;
  }
  static TermPtr make_scalar(Value v, const Location& loc)
  {
    auto t = make(TermKind::scalar, loc);
    t->value = std::move(v);
    t->ground = true;
    return t;
  }
  static TermPtr make_var(std::string name, const Location& loc)
  {
    auto t = make(TermKind::var, loc);
    t->name = std::move(name);
    return t;
  }
  static TermPtr make_call(std::string op, std::vector<TermPtr> args, const Location& loc)
  {
    auto t = make(TermKind::call, loc);
    t->name = std::move(op);
    t->items = std::move(args);
    return t;
  }
  static void compute_ground(Term& t)
  {
    if (t.kind == TermKind::array || t.kind == TermKind::object || t.kind == TermKind::set) {
      t.ground = true;
      for (const auto& i : t.items) {
        t.ground = t.ground && i->ground;
      }
      if (t.ground) {
        t.value = *ground_value(t);  // constants are built once, at parse time
      }
    }
  }

  std::vector<std::string> static_path(const Term& t, const char* what)
  {
    std::vector<std::string> out;
    if (t.kind == TermKind::var) {
      out.push_back(t.name);
      return out;
    }
    if (t.kind != TermKind::ref) {
      throw ParseFailure{ErrorInfo{ExitCode::usage, "rego_parse_error", fmt::format("invalid {} name", what),
                                   t.loc.to_string(), "write dotted names like a.b.c", nlohmann::json::object()}};
    }
    for (std::size_t i = 0; i < t.items.size(); ++i) {
      const auto& p = t.items[i];
      if (i == 0 && p->kind == TermKind::var) {
        out.push_back(p->name);
      } else if (p->kind == TermKind::scalar && p->value.is(Kind::string)) {
        out.push_back(p->value.as_string());
      } else {
        throw ParseFailure{ErrorInfo{ExitCode::usage, "rego_parse_error", fmt::format("invalid {} name", what),
                                     p->loc.to_string(), "write dotted names like a.b.c", nlohmann::json::object()}};
      }
    }
    return out;
  }

  // A reference made of identifiers, dots and brackets (package names, rule heads, imports).
  TermPtr ref_term()
  {
    const Token& first = peek();
    if (first.kind != TokenKind::ident) {
      fail_at(first, fmt::format("expected a name but found {}", describe(first)), "");
    }
    next();
    auto head = make_var(first.text, first.loc);
    return ref_suffix(head);
  }

  TermPtr ref_suffix(TermPtr head)
  {
    TermPtr ref;
    auto ensure_ref = [&]() {
      if (!ref) {
        ref = make(TermKind::ref, head->loc);
        ref->items.push_back(head);
      }
    };
    while (true) {
      if (is_punct(".") && !peek().space_before && peek(1).kind == TokenKind::ident && !peek(1).space_before) {
        next();
        const Token& id = next();
        ensure_ref();
        ref->items.push_back(make_scalar(Value::string(id.text), id.loc));
      } else if (is_punct("[") && !peek().space_before) {
        next();
        m_sensitive.push_back(false);
        auto key = term();
        m_sensitive.pop_back();
        expect_punct("]");
        ensure_ref();
        ref->items.push_back(key);
      } else {
        break;
      }
    }
    return ref ? ref : head;
  }

  Import import_decl()
  {
    Import imp;
    imp.loc = next().loc;
    auto path = ref_term();
    if (path->kind == TermKind::var) {
      imp.path.push_back(path);
    } else {
      imp.path = path->items;
    }
    const std::string& root = imp.path[0]->name;
    if (root != "data" && root != "input" && root != "future" && root != "rego") {
      fail_at(peek(), fmt::format("invalid import path root `{}`", root), "import data.…, input.…, rego.v1 or future.keywords");
    }
    if (is_ident("as")) {
      next();
      if (peek().kind != TokenKind::ident) {
        fail_at(peek(), "expected an alias name after `as`", "");
      }
      imp.alias = next().text;
    } else {
      const auto& last = imp.path.back();
      imp.alias = last->kind == TermKind::var ? last->name : (last->value.is(Kind::string) ? last->value.as_string() : "");
    }
    return imp;
  }

  std::vector<RulePtr> rule()
  {
    auto r = std::make_shared<Rule>();
    r->loc = peek().loc;
    if (is_ident("default")) {
      next();
      r->is_default = true;
    }
    if (peek().kind != TokenKind::ident) {
      fail_at(peek(), fmt::format("expected a rule but found {}", describe(peek())),
              "rules look like `name := value if { … }` or `name contains x if { … }`");
    }
    auto head = ref_term();
    if (head->kind == TermKind::var) {
      r->head.push_back(head);
    } else {
      r->head = head->items;
    }
    if (is_punct("(") && !peek().space_before) {
      next();
      r->kind = RuleKind::function;
      m_sensitive.push_back(false);
      while (!is_punct(")")) {
        r->args.push_back(term());
        if (!is_punct(",")) {
          break;
        }
        next();
      }
      m_sensitive.pop_back();
      expect_punct(")");
    }
    if (is_ident("contains")) {
      if (r->kind == RuleKind::function) {
        fail_at(peek(), "a function cannot use `contains`", "");
      }
      next();
      r->kind = RuleKind::contains;
      r->value = term();
    } else if (is_punct(":=") || is_punct("=")) {
      r->assign = is_punct(":=");
      next();
      r->value = term();
    }
    if (r->is_default) {
      if (!r->value) {
        fail_at(peek(), "a default rule needs a value", "write `default name := value`");
      }
      return {r};
    }
    if (is_ident("if")) {
      next();
      r->body = rule_body();
    } else if (is_punct("{")) {
      unsupported(peek(), "a rule body without `if` (Rego v0 syntax)");
    } else {
      Expr t;
      t.loc = r->loc;
      t.term = make_scalar(Value::boolean(true), r->loc);
      r->body.exprs.push_back(std::move(t));
    }
    Rule* last = r.get();
    while (is_ident("else")) {
      auto e = std::make_shared<Rule>();
      e->loc = next().loc;
      e->kind = r->kind;
      e->head = r->head;
      e->args = r->args;
      if (is_punct(":=") || is_punct("=")) {
        e->assign = is_punct(":=");
        next();
        e->value = term();
      }
      if (is_ident("if")) {
        next();
        e->body = rule_body();
      } else if (is_punct("{")) {
        unsupported(peek(), "an `else` body without `if` (Rego v0 syntax)");
      } else {
        Expr t;
        t.loc = e->loc;
        t.term = make_scalar(Value::boolean(true), e->loc);
        e->body.exprs.push_back(std::move(t));
      }
      last->else_rule = e;
      last = e.get();
    }
    if (peek().kind != TokenKind::eof && !peek().newline_before && !is_punct(";")) {
      fail_at(peek(), fmt::format("unexpected {} after rule", describe(peek())), "start each rule on its own line");
    }
    if (is_punct(";")) {
      next();
    }
    return {r};
  }

  Body rule_body()
  {
    if (is_punct("{")) {
      return braced_body();
    }
    Body b;
    m_sensitive.push_back(true);
    b.exprs.push_back(literal());
    m_sensitive.pop_back();
    return b;
  }

  Body braced_body()
  {
    DepthGuard guard(*this);
    expect_punct("{");
    Body b;
    m_sensitive.push_back(true);
    while (!is_punct("}")) {
      if (peek().kind == TokenKind::eof) {
        fail_at(peek(), "unexpected end of input in body", "close the body with }");
      }
      b.exprs.push_back(literal());
      if (is_punct(";")) {
        next();
      } else if (!is_punct("}") && !peek().newline_before) {
        fail_at(peek(), fmt::format("unexpected {} in body", describe(peek())), "separate expressions with ; or a newline");
      }
    }
    m_sensitive.pop_back();
    next();
    if (b.exprs.empty()) {
      fail_at(peek(), "empty body", "a body needs at least one expression");
    }
    return b;
  }

  std::shared_ptr<Body> inline_body(const char* closer)
  {
    auto b = std::make_shared<Body>();
    m_sensitive.push_back(true);
    while (!is_punct(closer)) {
      if (peek().kind == TokenKind::eof) {
        fail_at(peek(), "unexpected end of input in comprehension", fmt::format("close it with {}", closer));
      }
      b->exprs.push_back(literal());
      if (is_punct(";")) {
        next();
      } else if (!is_punct(closer) && !peek().newline_before) {
        fail_at(peek(), fmt::format("unexpected {} in comprehension body", describe(peek())), "");
      }
    }
    m_sensitive.pop_back();
    if (b->exprs.empty()) {
      fail_at(peek(), "empty comprehension body", "");
    }
    return b;
  }

  Expr literal()
  {
    DepthGuard guard(*this);
    Expr e;
    e.loc = peek().loc;
    if (is_ident("some")) {
      next();
      std::vector<TermPtr> terms;
      terms.push_back(term_no_in());
      while (is_punct(",")) {
        next();
        terms.push_back(term_no_in());
      }
      if (is_ident("in")) {
        next();
        if (terms.size() > 2) {
          fail_at(peek(), "`some … in` takes at most a key and a value", "");
        }
        e.kind = ExprKind::some_in;
        e.domain = term_no_in();
        if (terms.size() == 2) {
          e.key = terms[0];
          e.val = terms[1];
        } else {
          e.val = terms[0];
        }
      } else {
        e.kind = ExprKind::some_decl;
        for (const auto& t : terms) {
          if (t->kind != TermKind::var) {
            fail_at(peek(), "`some` declares variables", "write `some x, y` or `some x in xs`");
          }
          e.vars.push_back(t->name);
        }
      }
    } else if (is_ident("every")) {
      next();
      e.kind = ExprKind::every;
      auto first = term_no_in();
      if (is_punct(",")) {
        next();
        e.key = first;
        e.val = term_no_in();
      } else {
        e.val = first;
      }
      if (!is_ident("in")) {
        fail_at(peek(), "expected `in` after `every` variables", "write `every x in xs { … }`");
      }
      next();
      e.domain = term_no_in();
      e.body = std::make_shared<Body>(braced_body());
    } else {
      if (is_ident("not")) {
        next();
        e.negated = true;
      }
      auto lhs = term();
      if (is_punct(",") && m_sensitive.back()) {
        // `k, v in xs` as a membership test
        next();
        auto v = term_no_in();
        if (!is_ident("in")) {
          fail_at(peek(), "expected `in` after `k, v`", "");
        }
        next();
        auto coll = term_no_in();
        lhs = make_call("internal.member_3", {lhs, v, coll}, lhs->loc);
      }
      if ((is_punct("=") || is_punct(":=")) && !ends_expression()) {
        const Token& op = next();
        auto rhs = term();
        lhs = make_call(op.text == "=" ? "eq" : "assign", {lhs, rhs}, op.loc);
      }
      e.term = lhs;
    }
    while (is_ident("with")) {
      const Token& kw = next();
      With w;
      w.loc = kw.loc;
      const Token& target_tok = peek();
      auto target = term_no_in();
      std::vector<TermPtr> items;
      if (target->kind == TermKind::var) {
        items.push_back(target);
      } else if (target->kind == TermKind::ref) {
        items = target->items;
      }
      if (items.empty() || items[0]->kind != TermKind::var || items[0]->name != "input") {
        unsupported(target_tok, "`with` on anything but input");
      }
      for (std::size_t i = 1; i < items.size(); ++i) {
        if (items[i]->kind != TermKind::scalar) {
          unsupported(target_tok, "`with` on a non-constant input path");
        }
        w.path.push_back(items[i]);
      }
      if (!is_ident("as")) {
        fail_at(peek(), "expected `as` after the `with` target", "write `with input as {…}`");
      }
      next();
      w.value = term_no_in();
      e.withs.push_back(std::move(w));
    }
    return e;
  }

  // Full term: `in` is the lowest precedence operator.
  TermPtr term()
  {
    auto lhs = term_no_in();
    while (is_ident("in") && !ends_expression()) {
      const Token& op = next();
      auto rhs = term_no_in();
      lhs = make_call("internal.member_2", {lhs, rhs}, op.loc);
    }
    return lhs;
  }

  bool m_no_or = false;

  TermPtr term_no_in()
  {
    auto lhs = term_and();
    while (!m_no_or && is_punct("|") && !ends_expression()) {
      const Token& op = next();
      auto rhs = term_and();
      lhs = make_call("or", {lhs, rhs}, op.loc);
    }
    return lhs;
  }
  TermPtr term_and()
  {
    auto lhs = term_rel();
    while (is_punct("&") && !ends_expression()) {
      const Token& op = next();
      auto rhs = term_rel();
      lhs = make_call("and", {lhs, rhs}, op.loc);
    }
    return lhs;
  }
  TermPtr term_rel()
  {
    auto lhs = term_arith();
    while (!ends_expression()) {
      const char* name = nullptr;
      if (is_punct("==")) {
        name = "equal";
      } else if (is_punct("!=")) {
        name = "neq";
      } else if (is_punct("<")) {
        name = "lt";
      } else if (is_punct("<=")) {
        name = "lte";
      } else if (is_punct(">")) {
        name = "gt";
      } else if (is_punct(">=")) {
        name = "gte";
      }
      if (!name) {
        break;
      }
      const Token& op = next();
      auto rhs = term_arith();
      lhs = make_call(name, {lhs, rhs}, op.loc);
    }
    return lhs;
  }
  TermPtr term_arith()
  {
    auto lhs = term_factor();
    while ((is_punct("+") || is_punct("-")) && !ends_expression()) {
      const Token& op = next();
      auto rhs = term_factor();
      lhs = make_call(op.text == "+" ? "plus" : "minus", {lhs, rhs}, op.loc);
    }
    return lhs;
  }
  TermPtr term_factor()
  {
    auto lhs = primary();
    while ((is_punct("*") || is_punct("/") || is_punct("%")) && !ends_expression()) {
      const Token& op = next();
      auto rhs = primary();
      lhs = make_call(op.text == "*" ? "mul" : (op.text == "/" ? "div" : "rem"), {lhs, rhs}, op.loc);
    }
    return lhs;
  }

  TermPtr number_term(const Token& tok, bool negative)
  {
    std::string text = (negative ? "-" : "") + tok.text;
    bool integral = text.find_first_of(".eE") == std::string::npos;
    if (integral) {
      errno = 0;
      char* end = nullptr;
      long long v = std::strtoll(text.c_str(), &end, 10);
      if (errno == 0) {
        return make_scalar(Value::integer(v), tok.loc);
      }
    }
    return make_scalar(Value::real(std::strtod(text.c_str(), nullptr)), tok.loc);
  }

  TermPtr primary()
  {
    DepthGuard guard(*this);
    const Token& tok = peek();
    TermPtr t;
    switch (tok.kind) {
    case TokenKind::number: next(); return number_term(tok, false);
    case TokenKind::string: next(); t = make_scalar(Value::string(tok.text), tok.loc); break;
    case TokenKind::eof: fail_at(tok, "unexpected end of input", "complete the expression");
    case TokenKind::ident: {
      if (tok.text == "true" || tok.text == "false") {
        next();
        return make_scalar(Value::boolean(tok.text == "true"), tok.loc);
      }
      if (tok.text == "null") {
        next();
        return make_scalar(Value::null(), tok.loc);
      }
      static const char* const reserved[] = {"if", "else", "contains", "default", "package", "import", "some", "every", "not", "with", "as"};
      bool called = is_punct("(", 1) && !peek(1).space_before;  // contains(s, x) is the builtin
      for (const char* kw : reserved) {
        if (tok.text == kw && !called) {
          fail_at(tok, fmt::format("unexpected keyword `{}`", tok.text), "");
        }
      }
      if (tok.text == "set" && is_punct("(", 1) && !peek(1).space_before && is_punct(")", 2)) {
        next();
        next();
        next();
        auto s = make(TermKind::set, tok.loc);
        s->ground = true;
        s->value = Value::set({});
        return ref_suffix(s);
      }
      next();
      std::string name = tok.text;
      if (name == "_") {
        name = fmt::format("$_{}", m_wildcards++);
      }
      t = ref_suffix(make_var(name, tok.loc));
      if (is_punct("(") && !peek().space_before) {
        std::string op;
        if (t->kind == TermKind::var) {
          op = t->name;
        } else {
          for (std::size_t i = 0; i < t->items.size(); ++i) {
            const auto& p = t->items[i];
            if (i == 0) {
              op = p->name;
            } else if (p->kind == TermKind::scalar && p->value.is(Kind::string)) {
              op += "." + p->value.as_string();
            } else {
              fail_at(peek(), "invalid function name", "call functions by dotted names: lib.f(x)");
            }
          }
        }
        next();
        std::vector<TermPtr> args;
        m_sensitive.push_back(false);
        bool saved = m_no_or;
        m_no_or = false;
        while (!is_punct(")")) {
          args.push_back(term());
          if (!is_punct(",")) {
            break;
          }
          next();
        }
        m_no_or = saved;
        m_sensitive.pop_back();
        expect_punct(")", "close the call with )");
        t = make_call(op, std::move(args), tok.loc);
        return ref_suffix(t);
      }
      return t;
    }
    case TokenKind::punct: break;
    }
    if (t) {
      return ref_suffix(t);
    }
    if (tok.text == "-" && peek(1).kind == TokenKind::number && !peek(1).space_before) {
      next();
      const Token& num = next();
      return number_term(num, true);
    }
    if (tok.text == "-") {
      next();
      auto operand = primary();
      return make_call("minus", {make_scalar(Value::integer(0), tok.loc), operand}, tok.loc);
    }
    if (tok.text == "(") {
      next();
      m_sensitive.push_back(false);
      bool saved = m_no_or;
      m_no_or = false;
      auto inner = term();
      m_no_or = saved;
      m_sensitive.pop_back();
      expect_punct(")");
      return ref_suffix(inner);
    }
    if (tok.text == "[") {
      next();
      m_sensitive.push_back(false);
      auto arr = make(TermKind::array, tok.loc);
      if (!is_punct("]")) {
        bool saved = m_no_or;
        m_no_or = true;
        auto first = term();
        m_no_or = saved;
        if (is_punct("|")) {
          next();
          arr->kind = TermKind::array_compr;
          arr->key = first;
          arr->body = inline_body("]");
        } else {
          arr->items.push_back(first);
          while (is_punct(",")) {
            next();
            if (is_punct("]")) {
              break;
            }
            arr->items.push_back(term());
          }
        }
      }
      m_sensitive.pop_back();
      expect_punct("]", "close the array with ]");
      compute_ground(*arr);
      return ref_suffix(arr);
    }
    if (tok.text == "{") {
      next();
      m_sensitive.push_back(false);
      auto obj = make(TermKind::object, tok.loc);
      if (!is_punct("}")) {
        bool saved = m_no_or;
        m_no_or = true;
        auto first = term();
        m_no_or = saved;
        if (is_punct(":")) {
          next();
          m_no_or = true;
          auto value = term();
          m_no_or = saved;
          if (is_punct("|")) {
            next();
            obj->kind = TermKind::object_compr;
            obj->key = first;
            obj->val = value;
            obj->body = inline_body("}");
          } else {
            obj->items.push_back(first);
            obj->items.push_back(value);
            while (is_punct(",")) {
              next();
              if (is_punct("}")) {
                break;
              }
              obj->items.push_back(term());
              expect_punct(":", "object entries are key: value");
              obj->items.push_back(term());
            }
          }
        } else if (is_punct("|")) {
          next();
          obj->kind = TermKind::set_compr;
          obj->key = first;
          obj->body = inline_body("}");
        } else {
          obj->kind = TermKind::set;
          obj->items.push_back(first);
          while (is_punct(",")) {
            next();
            if (is_punct("}")) {
              break;
            }
            obj->items.push_back(term());
          }
        }
      }
      m_sensitive.pop_back();
      expect_punct("}", "close the braces with }");
      compute_ground(*obj);
      return ref_suffix(obj);
    }
    fail_at(tok, fmt::format("unexpected {}", describe(tok)), "expected a term (value, variable, reference or call)");
  }
};

template <typename T, typename F>
Result<T> run_parser(std::string_view source, const std::string& file, F&& fn)
{
  auto toks = tokenize(source, file);
  if (!toks) {
    return tl::unexpected(toks.error());
  }
  Parser p(std::move(*toks), file);
  try {
    return fn(p);
  } catch (ParseFailure& f) {
    return tl::unexpected(std::move(f.info));
  }
}

}  // namespace

std::optional<Value> ground_value(const Term& t)
{
  switch (t.kind) {
  case TermKind::scalar: return t.value;
  case TermKind::array: {
    Array a;
    for (const auto& i : t.items) {
      auto v = ground_value(*i);
      if (!v) {
        return std::nullopt;
      }
      a.push_back(std::move(*v));
    }
    return Value::array(std::move(a));
  }
  case TermKind::set: {
    Set s;
    for (const auto& i : t.items) {
      auto v = ground_value(*i);
      if (!v) {
        return std::nullopt;
      }
      s.insert(std::move(*v));
    }
    return Value::set(std::move(s));
  }
  case TermKind::object: {
    Object o;
    for (std::size_t i = 0; i + 1 < t.items.size(); i += 2) {
      auto k = ground_value(*t.items[i]);
      auto v = ground_value(*t.items[i + 1]);
      if (!k || !v) {
        return std::nullopt;
      }
      o[std::move(*k)] = std::move(*v);
    }
    return Value::object(std::move(o));
  }
  default: return std::nullopt;
  }
}

Result<std::shared_ptr<Module>> parse_module(std::string_view source, const std::string& file)
{
  return run_parser<std::shared_ptr<Module>>(source, file, [](Parser& p) { return p.module(); });
}

Result<std::shared_ptr<Body>> parse_query(std::string_view source, const std::string& file)
{
  return run_parser<std::shared_ptr<Body>>(source, file, [](Parser& p) { return p.query(); });
}

Result<Value> parse_value(std::string_view source, const std::string& file)
{
  return run_parser<Value>(source, file, [&](Parser& p) -> Value {
    auto t = p.single_term();
    auto v = ground_value(*t);
    if (!v) {
      throw ParseFailure{ErrorInfo{ExitCode::usage, "rego_parse_error", "expected a constant term", t->loc.to_string(),
                                   "variables and calls are not allowed here", nlohmann::json::object()}};
    }
    return *v;
  });
}

}  // namespace helios::policy
