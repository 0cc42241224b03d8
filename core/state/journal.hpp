#pragma once
// The journal of a mutating command on one stack (docs/state.md "Journal"). While apply or destroy runs,
// each intent (before a provider call) and each result (after it) is a commit on the side ref
// `refs/helios/journal/<stack>`, chained from the main commit the command started from. When the command
// ends, fold() brings the stack's directory on main to the journal's in ONE commit and deletes the ref:
// main gets one commit per mutating command, and a crash at any point leaves the journal behind.
//
// A journal left by a crashed command is the stack's most recent recorded state: view() reads it in place
// of main's, so the next plan sees the interrupted intents, and the next apply (holding the stack's lock)
// adopts it, goes on writing it and folds it.
//
//   auto journal = value_or_throw(state::Journal::open(repo, "hobby"));   // caller holds the stack lock
//   journal.write({{path, text}}, info);                                  // an intent, a result, …
//   journal.fold(info);                                                   // one commit on main

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/state/repository.hpp"

namespace helios::state {

inline constexpr const char* k_journal_prefix = "refs/helios/journal/";

class Journal {
public:
  // The ref of `stack`'s journal.
  static std::string ref_for(const std::string& stack);
  // The journal tip a crashed command left for `stack`, empty when there is none.
  static Result<std::string> leftover(const Repository& repo, const std::string& stack);
  // The stacks that have a leftover journal, sorted.
  static Result<std::vector<std::string>> leftover_stacks(const Repository& repo);
  // What the next command must read as `stack`'s recorded state: the leftover journal's tip, else main.
  // Only the stack's own directory of a journal snapshot is current; everything else is read from main.
  static Result<Snapshot> view(const std::shared_ptr<Repository>& repo, const std::string& stack);

  // The journal of `stack` for a command holding the stack's lock: a leftover one is adopted, else a new
  // one starts at main's tip (its ref is created by the first write).
  static Result<Journal> open(std::shared_ptr<Repository> repo, const std::string& stack);

  // A journal commit with `changes` (paths under the stack's directory); returns once it is written.
  // Safe from several threads: writes that arrive while a commit is being written are grouped into the
  // next one (group commit), so N actions in flight cost about one commit per round, not N.
  Result<void> write(const std::vector<Change>& changes, const CommitInfo& info);
  // Queues a record without waiting: it goes into the next commit any write() or flush() makes. For
  // results, whose loss in a crash is recovered from the intent before them (the adapter adopts by name).
  void post(const std::vector<Change>& changes, const CommitInfo& info);
  // Writes whatever is queued; returns the first failure of a commit that held posted records.
  Result<void> flush();
  // The journal's current state (call when no write is in flight).
  [[nodiscard]] Result<Snapshot> snapshot() const;
  // True when there is something to fold: this command wrote, or it adopted a leftover journal.
  [[nodiscard]] bool pending() const { return !m_ref_at.empty(); }
  [[nodiscard]] const std::string& stack() const { return m_stack; }

  // Flushes, then makes one commit on main making the stack's directory equal to the journal's (on main's current tip, by
  // compare-and-swap with retries), then the journal ref deleted. Returns main's tip; nothing is committed
  // when the directories are already equal. A crash between the commit and the deletion leaves a journal
  // equal to main, which the next fold removes without a commit.
  Result<std::string> fold(const CommitInfo& info);

  Journal(Journal&&) noexcept;
  Journal& operator=(Journal&&) noexcept;
  ~Journal();

private:
  struct Waiter;
  struct WriteQueue;
  Journal(std::shared_ptr<Repository> repo, std::string stack, std::string tip, std::string ref_at);
  Result<void> write_batch(const std::vector<Change>& changes, const CommitInfo& info);
  Result<void> write_queued(std::unique_lock<std::mutex>& lock, Waiter& me);

  std::unique_ptr<WriteQueue> m_queue;
  std::shared_ptr<Repository> m_repo;
  std::string m_stack;
  std::string m_tip;     // the commit the next write builds on
  std::string m_ref_at;  // where the journal ref points (empty: no ref yet)
};

}  // namespace helios::state
