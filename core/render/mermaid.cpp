#include "core/render/mermaid.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <map>
#include <set>

#include <fmt/format.h>

namespace helios::render {

std::string label(std::string_view text)
{
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    switch (c) {
    case '"':
      out += "#quot;";
      break;
    case '#':
      out += "#35;";
      break;
    case '<':
      out += "#lt;";
      break;
    case '>':
      out += "#gt;";
      break;
    case '&':
      out += "#amp;";
      break;
    case '\n':
      out += "<br/>";
      break;
    case '\r':
    case '\t':
      out += ' ';
      break;
    case '`':
      out += "#96;";
      break;
    default:
      out += c;
    }
  }
  return out;
}

std::string node_id(std::string_view prefix, std::string_view name)
{
  std::uint32_t hash = 2166136261u;  // FNV-1a: distinct names stay distinct after sanitising
  std::string safe;
  for (const char c : name) {
    hash = (hash ^ static_cast<unsigned char>(c)) * 16777619u;
    const auto u = static_cast<unsigned char>(c);
    safe += (std::isalnum(u) && u < 128) ? c : '_';
  }
  if (safe.size() > 32) {
    safe.resize(32);
  }
  return fmt::format("{}_{}_{:08x}", prefix, safe, hash);
}

namespace {

std::string percent(double fraction)
{
  if (!std::isfinite(fraction)) {
    return "n/a";
  }
  const double p = fraction * 100;
  return p < 10 ? fmt::format("{:.1f}%", p) : fmt::format("{:.0f}%", p);
}

// A plain quoted string for xychart/gitGraph, where entity codes are not decoded: quotes become
// apostrophes and control characters spaces.
std::string plain(std::string_view text)
{
  std::string out;
  for (const char c : text) {
    if (c == '"') {
      out += '\'';
    } else if (c == '\n' || c == '\r' || c == '\t') {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace

std::string placement_flowchart(const Stack& stack, const Placement& placement)
{
  std::string out = "flowchart LR\n";
  out += fmt::format("  %% placement of stack {} ({} assignments, ${:.2f}/month)\n", plain(stack.name),
                     placement.assignments.size(), placement.cost_usd);

  // Group assignments by provider; each assignment is one node (a split AI workload has several).
  std::map<std::string, std::vector<std::size_t>> by_provider;
  for (std::size_t i = 0; i < placement.assignments.size(); ++i) {
    by_provider[placement.assignments[i].provider].push_back(i);
  }
  std::map<std::string, std::vector<std::string>> nodes_of_workload;
  std::map<std::string, std::size_t> replica_counts;
  for (const auto& a : placement.assignments) {
    ++replica_counts[a.workload];
  }
  for (const auto& [provider, indexes] : by_provider) {
    out += fmt::format("  subgraph {}[\"{}\"]\n", node_id("p", provider), label(provider));
    out += "    direction TB\n";
    for (const std::size_t i : indexes) {
      const Assignment& a = placement.assignments[i];
      const std::string id = node_id("w", fmt::format("{}#{}#{}", a.workload, a.replica, a.offering));
      nodes_of_workload[a.workload].push_back(id);
      std::string text = a.workload;
      if (replica_counts[a.workload] > 1) {
        text += a.weight < 1.0 ? fmt::format(" ({} share)", percent(a.weight)) : fmt::format(" #{}", a.replica);
      }
      text += "\n" + a.offering;
      if (!a.region.empty()) {
        text += " · " + a.region;
      }
      std::string use;
      for (const auto& [dimension, fraction] : a.utilisation) {
        use += (use.empty() ? "" : ", ") + fmt::format("{} {}", dimension, percent(fraction));
      }
      if (!use.empty()) {
        text += "\n" + use;
      }
      if (a.monthly_cost_usd > 0) {
        text += fmt::format("\n${:.2f}/month", a.monthly_cost_usd);
      }
      out += fmt::format("    {}[\"{}\"]\n", id, label(text));
    }
    out += "  end\n";
  }

  // Edges: near: as dotted "near", depends_on as solid "uses". Between the first node of each.
  std::set<std::string> seen;
  for (const auto& w : stack.workloads) {
    const auto from = nodes_of_workload.find(w.name);
    if (from == nodes_of_workload.end()) {
      continue;
    }
    if (!w.near.empty()) {
      if (const auto to = nodes_of_workload.find(w.near); to != nodes_of_workload.end()) {
        const std::string edge = fmt::format("  {} -. near .-> {}\n", from->second.front(), to->second.front());
        if (seen.insert(edge).second) {
          out += edge;
        }
      }
    }
    for (const auto& dependency : w.depends_on) {
      if (const auto to = nodes_of_workload.find(dependency); to != nodes_of_workload.end()) {
        const std::string edge = fmt::format("  {} -- uses --> {}\n", from->second.front(), to->second.front());
        if (seen.insert(edge).second) {
          out += edge;
        }
      }
    }
  }
  if (placement.assignments.empty()) {
    out += fmt::format("  {}[\"{}\"]\n", node_id("n", "empty"), label("no workloads placed"));
  }
  return out;
}

std::string quota_chart(const std::vector<QuotaBar>& bars, std::string_view title)
{
  if (bars.empty()) {
    return fmt::format("flowchart LR\n  {}[\"{}\"]\n", node_id("n", "empty"),
                       label(std::string(title) + "\nno quota use recorded yet"));
  }
  std::string axis;
  std::string values;
  std::string limits;
  double top = 100;
  for (const auto& bar : bars) {
    const double p = bar.limit > 0 ? 100.0 * bar.used / bar.limit : 0.0;
    top = std::max(top, std::ceil(p / 10) * 10);
    std::string name = fmt::format("{} {}/{}", bar.provider, bar.dimension, bar.window);
    if (bar.account != "default" && !bar.account.empty()) {
      name += " (" + bar.account + ")";
    }
    axis += (axis.empty() ? "" : ", ") + fmt::format("\"{}\"", plain(name));
    values += (values.empty() ? "" : ", ") + fmt::format("{:.1f}", p);
    limits += (limits.empty() ? "" : ", ") + std::string("100");
  }
  std::string out = "xychart-beta\n";
  out += fmt::format("  title \"{}\"\n", plain(title));
  out += fmt::format("  x-axis [{}]\n", axis);
  out += fmt::format("  y-axis \"% of the free limit\" 0 --> {:.0f}\n", top);
  out += fmt::format("  bar [{}]\n", values);
  out += fmt::format("  line [{}]\n", limits);
  return out;
}

std::string history_graph(const std::vector<HistoryEntry>& history)
{
  if (history.empty()) {
    return fmt::format("flowchart LR\n  {}[\"{}\"]\n", node_id("n", "empty"), label("no state history yet"));
  }
  std::string out = "gitGraph\n";
  std::set<std::string> ids;
  for (const auto& entry : history) {
    std::string id = plain(entry.id + " " + (entry.command.empty() ? entry.summary : entry.command));
    while (!ids.insert(id).second) {
      id += "'";
    }
    std::string type = "NORMAL";
    if (entry.command == "rollback" || entry.command == "destroy") {
      type = "REVERSE";
    } else if (entry.command == "apply") {
      type = "HIGHLIGHT";
    }
    out += fmt::format("  commit id: \"{}\" type: {}\n", id, type);
  }
  return out;
}

}  // namespace helios::render
