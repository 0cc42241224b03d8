#pragma once
// The local provider (DESIGN.md "Providers"): the embedded default that works offline. Real, not
// simulated:
// - compute/hosting: the workload's runtime.command runs under `sh -c` as a detached, supervised process
//   (a supervisor restarts it if it dies) with PORT set, its output in <dir>/output.log; create returns
//   once an HTTP GET of the health path answers 2xx/3xx; delete stops the whole process group.
// - database: a SQLite file, or for `engine: postgres` a real PostgreSQL 15 cluster (initdb + pg_ctl from
//   /usr/lib/postgresql/15/bin) on 127.0.0.1 with a generated password; the connection URL is a secret
//   and is stored only as a reference (`local:<dir>/database_url`, a 0600 file).
// - storage: a directory.
// Every resource lives in <root>/<name>/ (name = helios-<stack>-<workload>), so create adopts what an
// interrupted create left. root = $HELIOS_LOCAL_ROOT, else ~/.local/share/helios/local.

#include <memory>
#include <string>

#include "core/provider.hpp"

namespace helios::providers::local {

class LocalProvider : public Provider {
public:
  LocalProvider();
  [[nodiscard]] std::string name() const override { return "local"; }
  Result<void> validate_credentials(const Credentials& credentials) override;
  Result<Resource> create(const ResourceSpec& spec, const Credentials& credentials) override;
  Result<std::optional<Resource>> read(const Resource& resource, const Credentials& credentials) override;
  Result<Resource> update(const Resource& current, const ResourceSpec& spec, const Credentials& credentials) override;
  Result<void> remove(const Resource& resource, const Credentials& credentials) override;
  Result<std::vector<Resource>> list(const Credentials& credentials) override;
  Result<std::vector<UsageReading>> usage(const Credentials& credentials) override;
  Result<bool> healthy(const Resource& resource) override;

  [[nodiscard]] const std::string& root() const { return m_root; }

private:
  std::string m_root;
};

std::unique_ptr<Provider> make_local_provider();
// The directory local resources live under.
std::string local_root();

}  // namespace helios::providers::local
