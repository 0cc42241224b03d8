#pragma once
// libgit2 plumbing shared by the state repository's files (internal to core/state): RAII owners for
// libgit2 objects and the one conversion of a libgit2 error code into helios::ErrorInfo.

#include <memory>
#include <string>

#include <git2.h>

#include "core/error.hpp"

namespace helios::state::git {

// Initialises libgit2 once per process (never shut down: other threads may still hold objects).
void ensure_init();

template <typename T, void (*Free)(T*)>
struct Deleter {
  void operator()(T* p) const { Free(p); }
};

using RepositoryPtr = std::unique_ptr<git_repository, Deleter<git_repository, git_repository_free>>;
using TreePtr = std::unique_ptr<git_tree, Deleter<git_tree, git_tree_free>>;
using TreeEntryPtr = std::unique_ptr<git_tree_entry, Deleter<git_tree_entry, git_tree_entry_free>>;
using CommitPtr = std::unique_ptr<git_commit, Deleter<git_commit, git_commit_free>>;
using BlobPtr = std::unique_ptr<git_blob, Deleter<git_blob, git_blob_free>>;
using ReferencePtr = std::unique_ptr<git_reference, Deleter<git_reference, git_reference_free>>;
using SignaturePtr = std::unique_ptr<git_signature, Deleter<git_signature, git_signature_free>>;
using TreeBuilderPtr = std::unique_ptr<git_treebuilder, Deleter<git_treebuilder, git_treebuilder_free>>;
using RevwalkPtr = std::unique_ptr<git_revwalk, Deleter<git_revwalk, git_revwalk_free>>;
using ObjectPtr = std::unique_ptr<git_object, Deleter<git_object, git_object_free>>;
using RemotePtr = std::unique_ptr<git_remote, Deleter<git_remote, git_remote_free>>;
using ReferenceIteratorPtr =
  std::unique_ptr<git_reference_iterator, Deleter<git_reference_iterator, git_reference_iterator_free>>;

// The ErrorInfo for a failed libgit2 call: exit 1, code "state_io", naming what was attempted.
ErrorInfo error(int rc, const std::string& what, const std::string& where);

std::string to_hex(const git_oid& oid);
// Parses 40 hex digits; false when not an object id.
bool from_hex(const std::string& hex, git_oid& out);

}  // namespace helios::state::git
