#include "core/state/journal.hpp"

#include "core/state/resource_record.hpp"

namespace helios::state {

std::string Journal::ref_for(const std::string& stack)
{
  return k_journal_prefix + stack;
}

Result<std::string> Journal::leftover(const Repository& repo, const std::string& stack)
{
  auto refs = repo.refs(ref_for(stack));
  if (!refs) {
    return tl::unexpected(refs.error());
  }
  auto found = refs->find(ref_for(stack));  // the prefix also matches "<stack>-other"
  return found == refs->end() ? std::string() : found->second;
}

Result<std::vector<std::string>> Journal::leftover_stacks(const Repository& repo)
{
  auto refs = repo.refs(k_journal_prefix);
  if (!refs) {
    return tl::unexpected(refs.error());
  }
  std::vector<std::string> out;
  for (const auto& [name, target] : *refs) {
    out.push_back(name.substr(std::string(k_journal_prefix).size()));
  }
  return out;
}

Result<Snapshot> Journal::view(const std::shared_ptr<Repository>& repo, const std::string& stack)
{
  auto at = leftover(*repo, stack);
  if (!at) {
    return tl::unexpected(at.error());
  }
  return repo->snapshot(*at);  // empty: main
}

Result<Journal> Journal::open(std::shared_ptr<Repository> repo, const std::string& stack)
{
  auto at = leftover(*repo, stack);
  if (!at) {
    return tl::unexpected(at.error());
  }
  if (!at->empty()) {
    return Journal(std::move(repo), stack, *at, *at);
  }
  auto tip = repo->tip();
  if (!tip) {
    return tl::unexpected(tip.error());
  }
  return Journal(std::move(repo), stack, *tip, "");
}

Result<void> Journal::write(const std::vector<Change>& changes, const CommitInfo& info)
{
  auto made = m_repo->commit_on(ref_for(m_stack), m_tip, m_ref_at, changes, info);
  if (!made) {
    return tl::unexpected(made.error());
  }
  m_tip = *made;
  m_ref_at = *made;
  return {};
}

Result<Snapshot> Journal::snapshot() const
{
  return m_repo->snapshot(m_tip);
}

Result<std::string> Journal::fold(const CommitInfo& info)
{
  auto mine = snapshot();
  if (!mine) {
    return tl::unexpected(mine.error());
  }
  const std::string dir = stack_dir(m_stack);
  auto tip = m_repo->commit_retrying(
    [&](const Snapshot& main) { return changes_to_match(*mine, main, dir); }, info);
  if (!tip) {
    return tip;
  }
  if (!m_ref_at.empty()) {
    auto gone = m_repo->delete_ref(ref_for(m_stack), m_ref_at);
    if (!gone) {
      return tl::unexpected(gone.error());
    }
    m_ref_at.clear();
  }
  m_tip = *tip;
  return tip;
}

}  // namespace helios::state
