#pragma once
// The fast solver: most-constrained-first construction with regret (within a sliding window), split shares
// as one LP, then local search (moves, ejections, ruin and recreate), a headroom pass and the deterministic
// tie-break pass (docs/placement.md). No clock is read: the same instance always gives the
// same solution. It also works on instances the MILP cannot finish, and gives the MILP its warm start.

#include <cstddef>

#include "core/placement/instance.hpp"
#include "core/placement/solution.hpp"

namespace helios::placement {

struct HeuristicOptions {
  int window = 4;                        // regret window of the construction
  long long evaluation_budget = 4'000'000;  // candidate evaluations allowed to local search
  long long split_lp_work = 4'000;       // non-zeros of all the LPs re-solving split shares (split-aware moves
                                         // only while the next fits; one LP of 1,000 workloads does not: ~10 ms)
  int ruin_rounds = 4000;                // ruin-and-recreate rounds
  double ruin_threshold = 0;             // ... accepted up to this share above the best cost seen (shrinking to 0)
  long long ruin_evaluations = 1'000'000;  // ... and the candidate evaluations they may spend
  long long ejection_budget = 50'000;    // ejection moves tried per improvement
  std::size_t split_lp_nonzeros = 300'000;  // larger split LPs are not solved: shares are water-filled
  unsigned seed = 20261126;              // ruin and recreate's fixed seed
  int trajectories = 4;                  // ruin-and-recreate runs (seeds seed, seed + 1, …) from one descent, on
  std::size_t multi_start_candidates = 20'000;  // instances with at most this many item × candidate pairs
  int local_passes = 8;                  // passes of moves + ejections per local search (while improving)
};

// The best solution found. Items that no candidate can take stay unassigned (choice -1 / no shares).
Solution solve_heuristic(const Instance& instance, const HeuristicOptions& options = {});

// Improves a complete solution in place (moves, ejections, ruin and recreate, headroom, tie-break); used after the MILP too.
void improve(const Instance& instance, Solution& solution, const HeuristicOptions& options = {});

// The deterministic tie-break alone: items in order, each moved to a preferred candidate (lower rank) when
// that neither raises the cost nor the utilisation of the tightest dimension.
void canonicalise(const Instance& instance, Solution& solution);

}  // namespace helios::placement
