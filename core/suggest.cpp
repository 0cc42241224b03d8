#include "core/suggest.hpp"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

namespace helios {

namespace {

char fold(char c)
{
  return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
}

std::size_t max_edits(std::size_t length)
{
  if (length <= 4) {
    return 1;
  }
  return std::min<std::size_t>(3, 1 + (length - 4) / 3);
}

}  // namespace

std::size_t edit_distance(std::string_view a, std::string_view b)
{
  const std::size_t n = a.size();
  const std::size_t m = b.size();
  // Three rows of the dynamic-programming table: two back (for swaps), one back, current.
  std::vector<std::size_t> two(m + 1), one(m + 1), cur(m + 1);
  for (std::size_t j = 0; j <= m; ++j) {
    one[j] = j;
  }
  for (std::size_t i = 1; i <= n; ++i) {
    cur[0] = i;
    for (std::size_t j = 1; j <= m; ++j) {
      const std::size_t cost = fold(a[i - 1]) == fold(b[j - 1]) ? 0 : 1;
      cur[j] = std::min({one[j] + 1, cur[j - 1] + 1, one[j - 1] + cost});
      if (i > 1 && j > 1 && fold(a[i - 1]) == fold(b[j - 2]) && fold(a[i - 2]) == fold(b[j - 1])) {
        cur[j] = std::min(cur[j], two[j - 2] + 1);
      }
    }
    std::swap(two, one);
    std::swap(one, cur);
  }
  return one[m];
}

std::optional<std::string> closest_match(std::string_view word, const std::vector<std::string_view>& candidates)
{
  std::optional<std::string> best;
  std::size_t best_distance = max_edits(word.size()) + 1;
  for (const auto candidate : candidates) {
    const std::size_t distance = edit_distance(word, candidate);
    if (distance < best_distance && distance <= max_edits(std::max(word.size(), candidate.size()))) {
      best = std::string(candidate);
      best_distance = distance;
    }
  }
  return best;
}

std::optional<std::string> closest_match(std::string_view word, const std::vector<std::string>& candidates)
{
  return closest_match(word, std::vector<std::string_view>(candidates.begin(), candidates.end()));
}

std::string did_you_mean(std::string_view word, const std::vector<std::string_view>& candidates)
{
  if (auto match = closest_match(word, candidates)) {
    return fmt::format("did you mean '{}'?", *match);
  }
  if (candidates.empty()) {
    return {};
  }
  return fmt::format("expected one of: {}", fmt::join(candidates, ", "));
}

std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates)
{
  return did_you_mean(word, std::vector<std::string_view>(candidates.begin(), candidates.end()));
}

}  // namespace helios
