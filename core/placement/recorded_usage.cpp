#include "core/placement/recorded_usage.hpp"

#include <filesystem>

#include "core/ledger.hpp"

namespace helios::placement {

Result<std::vector<RecordedUsage>> recorded_usage_from_ledger(const std::string& state_dir)
{
  std::error_code ec;
  if (state_dir.empty() || !std::filesystem::exists(std::filesystem::path(state_dir) / "ledger.db", ec)) {
    return std::vector<RecordedUsage>{};
  }
  auto ledger = Ledger::open(state_dir);
  if (!ledger) {
    return tl::unexpected(ledger.error());
  }
  return (*ledger)->recorded_usage(now_ms());
}

}  // namespace helios::placement
