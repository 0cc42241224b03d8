#pragma once
// Mermaid text generated from helios's real data: the placement flowchart (one subgraph per provider,
// workloads inside, edges for near: and references, utilisation on the labels), the quota chart (bars
// per provider and dimension against the free limit) and the state history (a gitGraph of the state
// repository's commits). Every label is escaped so that any workload name renders.

#include <string>
#include <string_view>
#include <vector>

#include "core/manifest.hpp"
#include "core/placement.hpp"

namespace helios::render {

// One bar of the quota chart: what is used of a free amount in its current window.
struct QuotaBar {
  std::string provider;
  std::string account;
  std::string dimension;
  std::string window;  // "day", "month", "minute", …
  double used = 0;
  double limit = 0;
};

// One commit of the state repository, oldest first.
struct HistoryEntry {
  std::string id;       // short commit id
  std::string time;     // RFC 3339
  std::string command;  // the Helios-Command trailer: apply, destroy, checkpoint, …
  std::string summary;  // first line of the message
};

// Escapes text for a quoted Mermaid label: quotes, '#', '<', '>' and '&' become entity codes,
// newlines become <br/>; anything else (brackets, Unicode) is safe inside quotes.
std::string label(std::string_view text);
// A Mermaid node id made only of [A-Za-z0-9_], unique for distinct inputs.
std::string node_id(std::string_view prefix, std::string_view name);

std::string placement_flowchart(const Stack& stack, const Placement& placement);
std::string quota_chart(const std::vector<QuotaBar>& bars, std::string_view title);
std::string history_graph(const std::vector<HistoryEntry>& history);

}  // namespace helios::render
