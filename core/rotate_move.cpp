#include "core/rotate_move.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <functional>
#include <set>

#include <fmt/format.h>

#include "core/placement/infeasibility.hpp"
#include "core/placement/instance_builder.hpp"
#include "core/placement/place.hpp"
#include "core/placement/solver.hpp"
#include "core/rotate_pool.hpp"
#include "core/suggest.hpp"

namespace helios {

namespace {

// A provider filter entry that names no offering: it gives a workload a signature of its own, so that
// placement builds it its own class of candidates, which place_for_move may then restrict.
std::string own_class_marker(const std::string& workload) { return "\x01helios-rotate-move:" + workload; }

const Offering* find_offering(const std::vector<Offering>& offerings, const std::string& id)
{
  auto it = std::find_if(offerings.begin(), offerings.end(), [&](const Offering& o) { return o.id == id; });
  return it == offerings.end() ? nullptr : &*it;
}

std::string window_name(const Window& w)
{
  return fmt::format("{} ({})", period_name(w.period), reset_rule_name(w.reset));
}

std::string amount_text(double value, const std::string& dimension)
{
  return format_amount(Amount{value, Period::none}, dimension_unit(dimension).value_or(UnitKind::count));
}

std::string percent(double fraction) { return fmt::format("{:.0f}%", std::floor(fraction * 100 + 1e-9)); }

std::string pressure_text(const QuotaPressure& q)
{
  return fmt::format("{} {} of {} per {} used ({})", q.dimension, amount_text(q.used, q.dimension),
                     amount_text(q.limit, q.dimension), period_name(q.window.period), percent(q.fraction));
}

bool at_or_above(double fraction, double threshold) { return fraction >= threshold - 1e-12; }

// Restricts the candidates of the workload's class to those `reject` returns nothing for; what it rejects
// is recorded as an exclusion (for the infeasibility report) and in `excluded`.
void restrict_workload(placement::Instance& inst, const std::string& workload,
                       const std::function<std::optional<std::string>(const placement::Candidate&)>& reject,
                       std::vector<ExcludedCandidate>* excluded, bool keep_when_none_left)
{
  int wi = -1;
  for (std::size_t i = 0; i < inst.workloads.size(); ++i) {
    if (inst.workloads[i].name == workload) {
      wi = static_cast<int>(i);
    }
  }
  auto item = std::find_if(inst.items.begin(), inst.items.end(), [&](const placement::Item& x) { return x.workload == wi; });
  if (wi < 0 || item == inst.items.end()) {
    return;
  }
  placement::ItemClass& cls = inst.classes[static_cast<std::size_t>(item->cls)];
  std::vector<placement::Candidate> kept;
  std::vector<std::pair<const placement::Candidate*, std::string>> rejected;
  for (const auto& c : cls.candidates) {
    if (auto why = reject(c)) {
      rejected.emplace_back(&c, *why);
    } else {
      kept.push_back(c);
    }
  }
  if (rejected.empty() || (kept.empty() && keep_when_none_left)) {
    return;
  }
  for (const auto& [c, why] : rejected) {
    const auto& off = inst.offerings[static_cast<std::size_t>(c->offering)];
    inst.exclusions.push_back(placement::Exclusion{inst.workload_group[static_cast<std::size_t>(wi)], off.id, c->account,
                                                   why, 2, "", 0, 0, Period::none});
    if (excluded) {
      excluded->push_back({off.id, c->account, why});
    }
  }
  for (std::size_t r = 0; r < kept.size(); ++r) {
    kept[r].rank = static_cast<int>(r);
  }
  cls.candidates = std::move(kept);
  cls.slot_candidate.assign(static_cast<std::size_t>(inst.slots), -1);
  for (std::size_t k = 0; k < cls.candidates.size(); ++k) {
    cls.slot_candidate[static_cast<std::size_t>(cls.candidates[k].slot)] = static_cast<int>(k);
  }
}

}  // namespace

Result<std::vector<QuotaPressure>> offering_pressure(Ledger* ledger, const Offering& offering, const std::string& account,
                                                     EpochMs now)
{
  std::vector<QuotaLimit> limits = offering_limits(offering, account);
  if (ledger) {
    std::set<QuotaOwner> owners;
    for (const auto& l : limits) {
      owners.insert(l.owner);
    }
    for (const auto& owner : owners) {
      auto held = ledger->limits(owner);
      if (!held) {
        return tl::unexpected(held.error());
      }
      for (const auto& h : *held) {
        auto same = std::find_if(limits.begin(), limits.end(), [&](const QuotaLimit& l) {
          return l.owner == h.owner && l.dimension == h.dimension && l.window == h.window;
        });
        if (same == limits.end()) {
          limits.push_back(h);
        } else if (h.source != "catalog") {
          *same = h;  // what the provider states replaces the catalog's figure
        }
      }
    }
  }
  std::vector<QuotaPressure> out;
  for (const auto& l : limits) {
    QuotaPressure q;
    q.owner = l.owner;
    q.dimension = l.dimension;
    q.window = l.window;
    q.limit = l.amount;
    q.source = l.source;
    q.resets_at = window_end(l.window, now);
    if (ledger) {
      auto used = ledger->used(l.owner, l.dimension, l.window, now);
      if (!used) {
        return tl::unexpected(used.error());
      }
      q.used = *used;
    }
    q.fraction = q.limit > 0 ? q.used / q.limit : (q.used > 0 ? 1.0 : 0.0);
    out.push_back(std::move(q));
  }
  std::stable_sort(out.begin(), out.end(), [](const QuotaPressure& a, const QuotaPressure& b) { return a.fraction > b.fraction; });
  return out;
}

Result<const Workload*> movable_workload(const Stack& stack, const std::string& workload)
{
  const Workload* w = stack.workload(workload);
  if (!w) {
    std::vector<std::string> names;
    std::string list;
    for (const auto& x : stack.workloads) {
      names.push_back(x.name);
      list += (list.empty() ? "" : ", ") + x.name;
    }
    return fail(ExitCode::usage, "unknown_workload",
                fmt::format("'{}' names no workload of stack {} ({}); {}", workload, stack.name, stack.file,
                            did_you_mean(workload, names)),
                "--workload", "the stack's workloads: " + list);
  }
  if (w->kind == WorkloadKind::ai) {
    return fail(ExitCode::usage, "ai_workload",
                fmt::format("workload {} is an ai workload: nothing of it is deployed, so --plan has nothing to move",
                            workload),
                w->where.to_string(),
                fmt::format("without --plan, `helios rotate --workload {}` picks the pool member to use now", workload));
  }
  return w;
}

Result<MoveDecision> assess_move(const Stack& stack, const std::vector<Offering>& offerings,
                                 const std::map<std::string, state::ResourceRecord>& records, Ledger* ledger,
                                 const std::string& workload, double threshold, EpochMs now)
{
  if (auto w = movable_workload(stack, workload); !w) {
    return tl::unexpected(w.error());
  }
  MoveDecision d;
  d.stack = stack.name;
  d.workload = workload;
  d.threshold = threshold;
  for (const auto& [address, r] : records) {
    if (r.workload != workload || !r.resource) {
      continue;
    }
    CurrentReplica c{address, r.provider, r.offering, r.account.empty() ? "default" : r.account, r.region, {}};
    if (const Offering* o = find_offering(offerings, r.offering)) {
      auto q = offering_pressure(ledger, *o, c.account, now);
      if (!q) {
        return tl::unexpected(q.error());
      }
      c.quotas = std::move(*q);
    }
    d.current.push_back(std::move(c));
  }
  if (d.current.empty()) {
    return fail(ExitCode::usage, "not_deployed",
                fmt::format("state records no deployed resource of workload {} in stack {}", workload, stack.name),
                "--workload", "apply the stack first (helios apply), then rotate moves what runs");
  }
  const CurrentReplica* tightest = nullptr;
  for (const auto& c : d.current) {
    if (!c.quotas.empty() && (!tightest || c.worst() > tightest->worst())) {
      tightest = &c;
    }
  }
  if (!tightest) {
    d.why = fmt::format("{} has no quota window in the catalog to measure", d.current.front().offering);
    return d;
  }
  const QuotaPressure& q = tightest->quotas.front();
  d.needed = at_or_above(q.fraction, threshold);
  d.why = fmt::format("{} on {} (account {}): {} {} the threshold of {}", tightest->address, tightest->offering,
                      tightest->account, pressure_text(q), d.needed ? "reaches" : "is under", percent(threshold));
  return d;
}

Result<Placement> place_for_move(const Stack& stack, const std::vector<Offering>& offerings,
                                 const std::vector<RecordedUsage>& usage,
                                 const std::map<std::string, state::ResourceRecord>& records, Ledger* ledger,
                                 MoveDecision& decision, const PlacementOptions& options, EpochMs now)
{
  // Where each other deployed workload is: it stays there.
  std::map<std::string, std::set<std::pair<std::string, std::string>>> pinned;
  for (const auto& [address, r] : records) {
    if (r.workload != decision.workload && r.resource && stack.workload(r.workload)) {
      pinned[r.workload].insert({r.offering, r.account.empty() ? "default" : r.account});
    }
  }
  Stack copy = stack;
  for (auto& w : copy.workloads) {
    if (w.name == decision.workload || pinned.count(w.name)) {
      w.providers_deny.push_back(own_class_marker(w.name));
    }
  }
  auto instance = placement::build_instance(copy, offerings, usage);
  if (!instance) {
    return tl::unexpected(instance.error());
  }
  for (const auto& [name, where] : pinned) {
    restrict_workload(
      *instance, name,
      [&, &where = where](const placement::Candidate& c) -> std::optional<std::string> {
        const auto& off = instance->offerings[static_cast<std::size_t>(c.offering)];
        if (where.count({off.id, c.account})) {
          return std::nullopt;
        }
        return std::string("deployed elsewhere: rotate moves only ") + decision.workload;
      },
      nullptr, true);
  }
  // The pressured accounts, and any candidate at or above the threshold itself.
  std::map<std::pair<std::string, std::string>, std::string> pressured;  // (provider, account) → why
  for (const auto& c : decision.current) {
    if (!c.quotas.empty() && at_or_above(c.worst(), decision.threshold)) {
      pressured[{c.provider, c.account}] =
        fmt::format("account {} of {} is at {} of its quota ({})", c.account, c.provider, percent(c.worst()),
                    pressure_text(c.quotas.front()));
    }
  }
  Result<void> failed;
  restrict_workload(
    *instance, decision.workload,
    [&](const placement::Candidate& c) -> std::optional<std::string> {
      const auto& off = instance->offerings[static_cast<std::size_t>(c.offering)];
      if (auto it = pressured.find({off.provider, c.account}); it != pressured.end()) {
        return it->second;
      }
      const Offering* o = find_offering(offerings, off.id);
      if (!o || !failed) {
        return std::nullopt;
      }
      auto q = offering_pressure(ledger, *o, c.account, now);
      if (!q) {
        failed = tl::unexpected(q.error());
        return std::nullopt;
      }
      if (!q->empty() && at_or_above(q->front().fraction, decision.threshold)) {
        return fmt::format("{} (account {}) is at {} of its quota ({})", off.id, c.account, percent(q->front().fraction),
                           pressure_text(q->front()));
      }
      return std::nullopt;
    },
    &decision.excluded, false);
  if (!failed) {
    return tl::unexpected(failed.error());
  }
  // The offering it leaves is named even when placement had already ruled it out (no room left).
  for (const auto& c : decision.current) {
    auto it = pressured.find({c.provider, c.account});
    const bool named = std::any_of(decision.excluded.begin(), decision.excluded.end(), [&](const ExcludedCandidate& e) {
      return e.offering == c.offering && e.account == c.account;
    });
    if (it != pressured.end() && !named) {
      decision.excluded.push_back({c.offering, c.account, it->second});
    }
  }
  const placement::SolveReport report = placement::solve_instance(*instance, options);
  if (!report.complete) {
    ErrorInfo info = placement::infeasibility_error(*instance, report);
    std::string excluded;
    for (const auto& e : decision.excluded) {
      excluded += fmt::format("\n  {} (account {}): {}", e.offering, e.account, e.why);
    }
    info.code = "no_alternative";
    info.message = fmt::format("workload {} has nowhere to move: {}; {}{}", decision.workload, decision.why, info.message,
                               excluded.empty() ? "" : "\nexcluded:" + excluded);
    info.where = decision.workload;
    info.hint = "allow more providers or declare another account for the workload, or raise --threshold";
    return tl::unexpected(info);
  }
  return placement::to_placement(*instance, report, false);
}

Result<double> parse_threshold(const std::string& text, const std::string& where)
{
  std::string t = text;
  const bool pct = !t.empty() && t.back() == '%';
  if (pct) {
    t.pop_back();
  }
  char* end = nullptr;
  const double v = t.empty() ? NAN : std::strtod(t.c_str(), &end);
  double fraction = pct || v > 1 ? v / 100 : v;
  if (t.empty() || end == nullptr || *end != '\0' || !std::isfinite(v) || !(fraction > 0) || fraction > 1) {
    return fail(ExitCode::usage, "invalid_threshold",
                fmt::format("{} '{}' is not a share of a quota between 0 and 100%", where, text), where,
                "write 0.9, 90 or 90% (the default)");
  }
  return fraction;
}

nlohmann::json to_json(const QuotaPressure& q)
{
  return {{"provider", q.owner.provider},
          {"account", q.owner.account},
          {"pool", q.owner.pool},
          {"dimension", q.dimension},
          {"window", window_name(q.window)},
          {"used", q.used},
          {"limit", q.limit},
          {"fraction", q.fraction},
          {"source", q.source},
          {"resets_at", q.resets_at > 0 ? nlohmann::json(format_rfc3339(q.resets_at)) : nlohmann::json()}};
}

nlohmann::json to_json(const MoveDecision& d)
{
  nlohmann::json current = nlohmann::json::array();
  for (const auto& c : d.current) {
    nlohmann::json quotas = nlohmann::json::array();
    for (const auto& q : c.quotas) {
      quotas.push_back(to_json(q));
    }
    current.push_back({{"address", c.address},
                       {"provider", c.provider},
                       {"offering", c.offering},
                       {"account", c.account},
                       {"region", c.region},
                       {"quotas", quotas}});
  }
  nlohmann::json excluded = nlohmann::json::array();
  for (const auto& e : d.excluded) {
    excluded.push_back({{"offering", e.offering}, {"account", e.account}, {"why", e.why}});
  }
  return {{"workload", d.workload}, {"stack", d.stack},  {"threshold", d.threshold}, {"move", d.needed},
          {"why", d.why},           {"current", current}, {"excluded", excluded}};
}

}  // namespace helios
