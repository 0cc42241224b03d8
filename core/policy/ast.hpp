#pragma once
// The Rego syntax tree: terms, expressions, bodies, rules and modules, as the parser builds them and the
// compiler annotates them (resolved references, ordered bodies).

#include <memory>
#include <string>
#include <vector>

#include "core/policy/value.hpp"

namespace helios::policy {

struct Location {
  std::string file;
  int line = 0;
  int column = 0;
  [[nodiscard]] std::string to_string() const;
};

enum class TermKind { scalar, var, ref, array, object, set, array_compr, set_compr, object_compr, call };

struct Body;
struct Builtin;
struct Term;
using TermPtr = std::shared_ptr<Term>;

struct Term {
  TermKind kind = TermKind::scalar;
  Location loc;
  Value value;                 // scalar
  std::string name;            // var name; call: operator name as written (e.g. "array.concat", "data.x.f")
  std::vector<TermPtr> items;  // ref: head then path; array/set: elements; object: k0,v0,k1,v1…; call: args
  TermPtr key;                 // comprehension head (array/set/object key)
  TermPtr val;                 // object comprehension value
  std::shared_ptr<Body> body;  // comprehension body
  // Call resolution (compiler): a user function's data path, else a builtin name.
  std::vector<std::string> func_path;
  const Builtin* builtin = nullptr;
  int call_arity = -1;         // declared arity of the callee; one more argument is an output
  bool ground = false;         // computed: holds no vars (a constant)
};

enum class ExprKind { term, some_decl, some_in, every };

// `with input as V` / `with input.a.b as V`: the expression sees a replaced (part of the) input.
struct With {
  Location loc;
  std::vector<TermPtr> path;  // below input (empty: the whole input)
  TermPtr value;
};

struct Expr {
  ExprKind kind = ExprKind::term;
  bool negated = false;
  Location loc;
  TermPtr term;                     // term expressions (calls: eq, assign, equal, builtins, refs…)
  std::vector<std::string> vars;    // some_decl
  TermPtr key;                      // some_in/every: key var (may be null)
  TermPtr val;                      // some_in/every: value term
  TermPtr domain;                   // some_in/every: collection
  std::shared_ptr<Body> body;       // every
  std::vector<With> withs;
};

struct Body {
  std::vector<Expr> exprs;
};

enum class RuleKind { value, contains, function };

struct Module;

struct Rule {
  Location loc;
  RuleKind kind = RuleKind::value;
  std::vector<TermPtr> head;   // head[0] is the var naming the rule; the rest is the ref suffix
  std::vector<TermPtr> args;   // function arguments
  TermPtr value;               // value (:= / =) or the element for contains; null means true
  bool is_default = false;
  bool assign = false;         // written with :=
  Body body;
  std::shared_ptr<Rule> else_rule;
  const Module* module = nullptr;
  // Compiler: the rule's ground path below data (package path + ground head prefix), and the dynamic rest.
  std::vector<std::string> path;
  std::vector<TermPtr> suffix;
};
using RulePtr = std::shared_ptr<Rule>;

struct Import {
  Location loc;
  std::vector<TermPtr> path;  // ref terms, head is data or input
  std::string alias;
};

struct Module {
  std::string file;
  Location loc;
  std::vector<std::string> package;  // without the leading data
  std::vector<Import> imports;
  std::vector<RulePtr> rules;
};

// The dotted text of a package path: "a.b".
std::string join_path(const std::vector<std::string>& path);

}  // namespace helios::policy
