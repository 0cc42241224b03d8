#include "core/placement/decomposition.hpp"

#include <map>
#include <numeric>

namespace helios::placement {

namespace {

struct UnionFind {
  std::vector<int> parent;
  explicit UnionFind(std::size_t n) : parent(n) { std::iota(parent.begin(), parent.end(), 0); }
  int find(int x)
  {
    while (parent[static_cast<std::size_t>(x)] != x) {
      parent[static_cast<std::size_t>(x)] = parent[static_cast<std::size_t>(parent[static_cast<std::size_t>(x)])];
      x = parent[static_cast<std::size_t>(x)];
    }
    return x;
  }
  void unite(int a, int b)
  {
    a = find(a);
    b = find(b);
    if (a != b) {
      parent[static_cast<std::size_t>(std::max(a, b))] = std::min(a, b);
    }
  }
};

}  // namespace

std::vector<Component> decompose(const Instance& instance)
{
  const std::size_t n = instance.classes.size();
  UnionFind uf(n);
  std::vector<int> pool_owner(instance.pools.size(), -1);
  std::vector<int> counter_owner(instance.counters.size(), -1);
  for (std::size_t k = 0; k < n; ++k) {
    const ItemClass& cls = instance.classes[k];
    for (const auto& c : cls.candidates) {
      for (const auto& u : c.uses) {
        int& owner = pool_owner[static_cast<std::size_t>(u.pool)];
        if (owner < 0) {
          owner = static_cast<int>(k);
        } else {
          uf.unite(owner, static_cast<int>(k));
        }
      }
      if (c.counter >= 0) {
        int& owner = counter_owner[static_cast<std::size_t>(c.counter)];
        if (owner < 0) {
          owner = static_cast<int>(k);
        } else {
          uf.unite(owner, static_cast<int>(k));
        }
      }
    }
    if (cls.near_target >= 0) {
      uf.unite(static_cast<int>(k), cls.near_target);
    }
  }
  std::map<int, std::size_t> index;
  std::vector<Component> out;
  for (std::size_t k = 0; k < n; ++k) {
    const int root = uf.find(static_cast<int>(k));
    auto [it, inserted] = index.try_emplace(root, out.size());
    if (inserted) {
      out.emplace_back();
    }
    out[it->second].classes.push_back(static_cast<int>(k));
  }
  for (std::size_t p = 0; p < instance.pools.size(); ++p) {
    if (pool_owner[p] >= 0) {
      out[index.at(uf.find(pool_owner[p]))].pools.push_back(static_cast<int>(p));
    }
  }
  return out;
}

}  // namespace helios::placement
