#include "core/placement/cbc_solver.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <limits>
#include <mutex>
#include <optional>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <coin/Cbc_C_Interface.h>

#include "core/forked_call.hpp"

namespace helios::placement {

namespace {

std::mutex& cbc_mutex()
{
  static std::mutex mutex;
  return mutex;
}

struct ModelHandle {
  Cbc_Model* model = Cbc_newModel();
  ModelHandle() = default;
  ModelHandle(const ModelHandle&) = delete;
  ModelHandle& operator=(const ModelHandle&) = delete;
  ~ModelHandle() { Cbc_deleteModel(model); }
};

std::size_t nonzeros(const LinearModel& m)
{
  std::size_t n = 0;
  for (const auto& row : m.rows) {
    n += row.size();
  }
  return n;
}

// A MilpResult through the pipe from the forked copy, as CBOR.
std::string encode(const MilpResult& r)
{
  const nlohmann::json doc = {{"has_solution", r.has_solution}, {"optimal", r.optimal}, {"infeasible", r.infeasible},
                              {"objective", r.objective},       {"bound", r.bound},     {"values", r.values}};
  const std::vector<std::uint8_t> bytes = nlohmann::json::to_cbor(doc);
  return {bytes.begin(), bytes.end()};
}

std::optional<MilpResult> decode(const std::string& bytes)
{
  const nlohmann::json doc = nlohmann::json::from_cbor(bytes, true, false);
  if (doc.is_discarded()) {
    return std::nullopt;
  }
  try {
    MilpResult r;
    r.has_solution = doc.at("has_solution").get<bool>();
    r.optimal = doc.at("optimal").get<bool>();
    r.infeasible = doc.at("infeasible").get<bool>();
    r.objective = doc.at("objective").get<double>();
    r.bound = doc.at("bound").get<double>();
    r.values = doc.at("values").get<std::vector<double>>();
    return r;
  } catch (const nlohmann::json::exception&) {
    return std::nullopt;
  }
}

MilpResult solve_unguarded(const LinearModel& m, double seconds, const std::vector<double>* warm_start, bool relax)
{
  MilpResult result;
  const int ncols = m.cols();
  if (ncols == 0) {
    result.has_solution = true;
    result.optimal = true;
    return result;
  }
  // Column-major matrix.
  std::vector<std::vector<std::pair<int, double>>> by_col(static_cast<std::size_t>(ncols));
  for (std::size_t r = 0; r < m.rows.size(); ++r) {
    for (const auto& [c, v] : m.rows[r]) {
      by_col[static_cast<std::size_t>(c)].emplace_back(static_cast<int>(r), v);
    }
  }
  std::vector<CoinBigIndex> start{0};
  std::vector<int> index;
  std::vector<double> value;
  for (const auto& col : by_col) {
    for (const auto& [r, v] : col) {
      index.push_back(r);
      value.push_back(v);
    }
    start.push_back(static_cast<CoinBigIndex>(index.size()));
  }
  auto finite = [](double v) { return std::isinf(v) ? (v > 0 ? 1e30 : -1e30) : v; };
  std::vector<double> col_ub(m.col_ub.size());
  std::transform(m.col_ub.begin(), m.col_ub.end(), col_ub.begin(), finite);
  std::vector<double> row_lb(m.row_lb.size());
  std::vector<double> row_ub(m.row_ub.size());
  std::transform(m.row_lb.begin(), m.row_lb.end(), row_lb.begin(), finite);
  std::transform(m.row_ub.begin(), m.row_ub.end(), row_ub.begin(), finite);

  ModelHandle handle;
  Cbc_Model* model = handle.model;
  Cbc_loadProblem(model, ncols, static_cast<int>(m.rows.size()), start.data(), index.data(), value.data(),
                  m.col_lb.data(), col_ub.data(), m.obj.data(), row_lb.data(), row_ub.data());
  Cbc_setObjSense(model, 1);
  Cbc_setLogLevel(model, 0);
  Cbc_setParameter(model, "log", "0");
  Cbc_setParameter(model, "slog", "0");
  Cbc_setParameter(model, "threads", "1");
  Cbc_setAllowableGap(model, 1e-7);
  Cbc_setAllowableFractionGap(model, 1e-9);
  if (!relax) {
    for (int c = 0; c < ncols; ++c) {
      if (m.integer[static_cast<std::size_t>(c)]) {
        Cbc_setInteger(model, c);
      }
    }
  }
  Cbc_setMaximumSeconds(model, std::max(0.05, seconds));
  std::vector<int> start_cols;
  std::vector<double> start_vals;
  if (warm_start != nullptr && !relax) {
    for (int c = 0; c < ncols; ++c) {
      start_cols.push_back(c);
      start_vals.push_back((*warm_start)[static_cast<std::size_t>(c)]);
    }
    Cbc_setMIPStartI(model, ncols, start_cols.data(), start_vals.data());
  }
  Cbc_solve(model);
  const int status = Cbc_status(model);
  const bool has_integers = !relax && std::any_of(m.integer.begin(), m.integer.end(), [](char c) { return c != 0; });
  if (!has_integers) {
    // A pure LP: Clp's optimum is the value and the bound.
    if (Cbc_isProvenOptimal(model)) {
      const double* x = Cbc_getColSolution(model);
      result.values.assign(x, x + ncols);
      result.has_solution = true;
      result.optimal = true;
      result.objective = Cbc_getObjValue(model);
      result.bound = result.objective;
    } else if (Cbc_isProvenInfeasible(model) || Cbc_isInitialSolveProvenPrimalInfeasible(model)) {
      result.infeasible = true;
    }
    return result;
  }
  const double* best = Cbc_bestSolution(model);
  if (best != nullptr) {
    result.values.assign(best, best + ncols);
    result.has_solution = true;
    result.objective = Cbc_getObjValue(model);
  }
  result.infeasible = Cbc_isProvenInfeasible(model) != 0;
  result.optimal = status == 0 && Cbc_isProvenOptimal(model) != 0;
  const double bound = Cbc_getBestPossibleObjValue(model);
  if (std::isfinite(bound) && std::abs(bound) < 1e29) {
    result.bound = bound;
  }
  if (result.optimal && result.has_solution) {
    result.bound = std::max(result.bound, result.objective - 1e-7 * std::max(1.0, std::abs(result.objective)));
  }
  return result;
}

}  // namespace

MilpResult solve_with_cbc(const LinearModel& m, double seconds, const std::vector<double>* warm_start, bool relax)
{
  using Clock = std::chrono::steady_clock;
  const auto deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
  if (nonzeros(m) >= k_forked_nonzeros) {
    (void)Cbc_getVersion();  // load CBC before the fork (the helios binary loads it lazily), not in the copy
    // CBC stops a little before the deadline so that its answer arrives in time.
    const double cbc_seconds = seconds - std::min(0.05, 0.1 * seconds);
    const auto outcome =
      call_forked([&] { return encode(solve_unguarded(m, cbc_seconds, warm_start, relax)); }, deadline);
    if (outcome && outcome->status == ForkedOutcome::Status::timed_out) {
      MilpResult late;
      late.timed_out = true;
      return late;
    }
    if (outcome) {
      if (auto result = decode(outcome->bytes)) {
        return *result;
      }
    }
    // No copy could be made or it gave no answer: solve here, with CBC's own limit.
  }
  std::lock_guard<std::mutex> lock(cbc_mutex());
  return solve_unguarded(m, seconds, warm_start, relax);
}

}  // namespace helios::placement
