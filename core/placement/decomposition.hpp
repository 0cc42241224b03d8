#pragma once
// Decomposition: classes that share no pool, free-instance counter or near: link are independent
// sub-problems (in practice: per kind and region family). Each is solved and bounded on its own; the
// budget is checked on the sum (the sum of the parts' minima is the whole's minimum).

#include <vector>

#include "core/placement/instance.hpp"

namespace helios::placement {

struct Component {
  std::vector<int> classes;  // ascending
  std::vector<int> pools;    // ascending
};

// Components in order of their first class.
std::vector<Component> decompose(const Instance& instance);

}  // namespace helios::placement
