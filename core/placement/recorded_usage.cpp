#include "core/placement/recorded_usage.hpp"

#include <filesystem>

#include "core/ledger.hpp"

namespace helios::placement {

Result<std::vector<RecordedUsage>> recorded_usage_from_ledger(const std::string& state_dir)
{
  std::vector<RecordedUsage> out;
  std::error_code ec;
  if (state_dir.empty() || !std::filesystem::exists(std::filesystem::path(state_dir) / "ledger.db", ec)) {
    return out;
  }
  auto ledger = Ledger::open(state_dir);
  if (!ledger) {
    return tl::unexpected(ledger.error());
  }
  auto lines = (*ledger)->report(now_ms());
  if (!lines) {
    return tl::unexpected(lines.error());
  }
  for (const auto& line : *lines) {
    if (line.used <= 0) {
      continue;
    }
    out.push_back(RecordedUsage{line.owner.provider, line.owner.account, line.owner.pool, line.dimension,
                                line.window.period, line.used});
  }
  return out;
}

}  // namespace helios::placement
