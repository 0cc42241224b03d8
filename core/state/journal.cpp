#include "core/state/journal.hpp"

#include <condition_variable>
#include <mutex>

#include <fmt/format.h>

#include "core/state/resource_record.hpp"

namespace helios::state {

// A writer waiting for the commit that holds its record.
struct Journal::Waiter {
  bool done = false;
  Result<void> result;
};

// Records waiting for the next group commit, and whether one is being written.
struct Journal::WriteQueue {
  struct Entry {
    std::vector<Change> changes;
    CommitInfo info;
    Waiter* waiter;  // null: posted, nobody waits
  };
  std::mutex mutex;
  std::condition_variable written;
  std::vector<Entry> queued;
  bool writing = false;
  std::optional<ErrorInfo> posted_failure;  // the first failed commit that held posted records
};

Journal::Journal(std::shared_ptr<Repository> repo, std::string stack, std::string tip, std::string ref_at)
  : m_queue(std::make_unique<WriteQueue>()), m_repo(std::move(repo)), m_stack(std::move(stack)), m_tip(std::move(tip)),
    m_ref_at(std::move(ref_at))
{
}

Journal::Journal(Journal&&) noexcept = default;
Journal& Journal::operator=(Journal&&) noexcept = default;
Journal::~Journal() = default;

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
  Waiter me;
  std::unique_lock lock(m_queue->mutex);
  m_queue->queued.push_back({changes, info, &me});
  return write_queued(lock, me);
}

void Journal::post(const std::vector<Change>& changes, const CommitInfo& info)
{
  std::lock_guard lock(m_queue->mutex);
  m_queue->queued.push_back({changes, info, nullptr});
}

Result<void> Journal::flush()
{
  Waiter me;
  std::unique_lock lock(m_queue->mutex);
  m_queue->queued.push_back({{}, {}, &me});
  auto written = write_queued(lock, me);
  if (!written) {
    return written;
  }
  if (m_queue->posted_failure) {
    return tl::unexpected(*m_queue->posted_failure);
  }
  return {};
}

Result<void> Journal::write_queued(std::unique_lock<std::mutex>& lock, Waiter& me)
{
  WriteQueue& q = *m_queue;
  while (!me.done) {
    if (q.writing) {
      q.written.wait(lock);
      continue;
    }
    // This thread writes everything queued so far as one commit, in arrival order (a later change of the
    // same path wins).
    q.writing = true;
    std::vector<WriteQueue::Entry> batch;
    batch.swap(q.queued);
    lock.unlock();
    std::vector<Change> all;
    std::vector<const CommitInfo*> infos;
    for (const auto& e : batch) {
      if (!e.changes.empty()) {
        all.insert(all.end(), e.changes.begin(), e.changes.end());
        infos.push_back(&e.info);
      }
    }
    Result<void> result;
    if (!infos.empty()) {
      CommitInfo merged = *infos.front();
      if (infos.size() > 1) {
        merged.summary = fmt::format("{} (+{} more)", infos.front()->summary, infos.size() - 1);
        merged.body.clear();
        for (const auto* info : infos) {
          merged.body += "- " + info->summary + "\n";
        }
      }
      result = write_batch(all, merged);
    }
    lock.lock();
    for (auto& e : batch) {
      if (e.waiter) {
        e.waiter->result = result;
        e.waiter->done = true;
      } else if (!result && !q.posted_failure) {
        q.posted_failure = result.error();
      }
    }
    q.writing = false;
    q.written.notify_all();
  }
  return me.result;
}

Result<void> Journal::write_batch(const std::vector<Change>& changes, const CommitInfo& info)
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
  if (auto flushed = flush(); !flushed) {
    return tl::unexpected(flushed.error());
  }
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
