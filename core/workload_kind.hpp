#pragma once
// The five kinds of workload and offering.

#include <optional>
#include <string_view>

namespace helios {

enum class WorkloadKind { compute, hosting, database, storage, ai };

inline std::string_view workload_kind_name(WorkloadKind kind)
{
  switch (kind) {
  case WorkloadKind::compute:
    return "compute";
  case WorkloadKind::hosting:
    return "hosting";
  case WorkloadKind::database:
    return "database";
  case WorkloadKind::storage:
    return "storage";
  case WorkloadKind::ai:
    return "ai";
  }
  return "compute";
}

inline std::optional<WorkloadKind> parse_workload_kind(std::string_view text)
{
  for (auto kind : {WorkloadKind::compute, WorkloadKind::hosting, WorkloadKind::database, WorkloadKind::storage,
                    WorkloadKind::ai}) {
    if (workload_kind_name(kind) == text) {
      return kind;
    }
  }
  return std::nullopt;
}

}  // namespace helios
