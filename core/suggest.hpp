#pragma once
// "Did you mean …?": the closest known word to a misspelt one, by edit distance (insertions, deletions,
// substitutions and swaps of two neighbours each cost 1; case is ignored).

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace helios {

// The optimal-string-alignment distance between two words, ignoring ASCII case.
std::size_t edit_distance(std::string_view a, std::string_view b);

// The candidate closest to `word`, when it is close enough to be a plausible typo: at most one edit
// for words of up to 4 characters, then one more per 3 characters (max 3). Ties go to the earlier one.
std::optional<std::string> closest_match(std::string_view word, const std::vector<std::string_view>& candidates);
std::optional<std::string> closest_match(std::string_view word, const std::vector<std::string>& candidates);

// "did you mean 'x'?" when there is a close match, else "expected one of: a, b, c" (or "" with no candidates).
std::string did_you_mean(std::string_view word, const std::vector<std::string_view>& candidates);
std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates);

}  // namespace helios
