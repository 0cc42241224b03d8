#pragma once
// The placement instance as a mixed-integer linear program (docs/placement.md "Model"):
//   aggregated: y[k,c] ∈ {0..|k|} items of class k on candidate c (split classes: a share in [0,1]);
//   plain:      x[i,c] ∈ {0,1} per item (what a general solver sees without helios's aggregation; the
//               bench referee solves this form with the cbc program).
// Rows: each item (class) placed once; per shared pool Σ demand·y − overage ≤ free capacity (overage only
// on pools that bill); free-instance counts; spread; near; the budget. Objective: monthly overage cost.

#include <string>
#include <vector>

#include "core/placement/instance.hpp"
#include "core/placement/solution.hpp"

namespace helios::placement {

struct LinearModel {
  std::vector<std::string> col_names;
  std::vector<double> col_lb;
  std::vector<double> col_ub;
  std::vector<double> obj;
  std::vector<char> integer;
  std::vector<std::string> row_names;
  std::vector<double> row_lb;
  std::vector<double> row_ub;
  std::vector<std::vector<std::pair<int, double>>> rows;

  int add_col(std::string name, double lb, double ub, double cost, bool is_integer);
  int add_row(std::string name, double lb, double ub, std::vector<std::pair<int, double>> terms);
  [[nodiscard]] int cols() const { return static_cast<int>(obj.size()); }
  // Writes the model in free MPS (names kept), for the external referee.
  [[nodiscard]] std::string to_mps() const;
};

enum class Formulation { aggregated, plain };

struct ModelMap {
  Formulation formulation = Formulation::aggregated;
  std::vector<int> classes;            // the classes in the model
  std::vector<std::vector<int>> col;   // aggregated: per class (instance index) per candidate; plain: per item
  std::vector<int> overage;            // per pool: its overage column or -1
  std::vector<double> pool_scale;      // per pool: its row is divided by this power of two (overage in its units)
};

// The model of the given classes (all when empty). `with_budget` adds the budget row. `background`: load per
// pool already placed by items outside the model (their cost is then part of the objective's constant).
LinearModel build_model(const Instance& instance, const std::vector<int>& classes, Formulation formulation,
                        bool with_budget, ModelMap& map, const std::vector<double>* background = nullptr);

// Column values of a solution (for a warm start); overage columns at their least value.
std::vector<double> model_values(const Instance& instance, const ModelMap& map, const LinearModel& model,
                                 const Solution& solution);

// Writes the model's values back into a solution (items of a class in order take candidates in order).
void apply_values(const Instance& instance, const ModelMap& map, const std::vector<double>& values, Solution& solution);

}  // namespace helios::placement
