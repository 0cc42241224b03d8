#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <sys/stat.h>
#include <unistd.h>

#include "core/credentials.hpp"
#include "temp_dir.hpp"

using namespace helios;
namespace fs = std::filesystem;

namespace {

using testing::TempDir;

void write_file(const fs::path& path, const std::string& text, mode_t mode)
{
  fs::create_directories(path.parent_path());
  std::ofstream(path) << text;
  ::chmod(path.c_str(), mode);
}

}  // namespace

TEST_SUITE_BEGIN("credentials");

TEST_CASE("The manifest's variable wins, then the offering's default")
{
  TempDir tmp;
  setenv("HELIOS_CREDENTIALS", (tmp.path / "none").c_str(), 1);
  setenv("UNIT_TOKEN_A", "from-a", 1);
  setenv("UNIT_TOKEN_DEFAULT", "from-default", 1);
  CredentialRequest request;
  request.provider = "cloudflare";
  request.token_env = "UNIT_TOKEN_A";
  request.default_token_env = "UNIT_TOKEN_DEFAULT";
  CHECK(resolve_credentials(request).value().token == "from-a");
  request.token_env.clear();
  CHECK(resolve_credentials(request).value().token == "from-default");
  unsetenv("UNIT_TOKEN_A");
  unsetenv("UNIT_TOKEN_DEFAULT");
  unsetenv("HELIOS_CREDENTIALS");
}

TEST_CASE("The credentials file is read only at mode 0600 and outside the state repository")
{
  TempDir tmp;
  const fs::path file = tmp.path / "creds";
  write_file(file, "# comment\n[cloudflare]\ntoken = tok-default\naccount_id = acc\n[cloudflare.work]\ntoken = tok-work\n",
             0600);
  setenv("HELIOS_CREDENTIALS", file.c_str(), 1);
  CredentialRequest request;
  request.provider = "cloudflare";
  auto creds = resolve_credentials(request).value();
  CHECK(creds.token == "tok-default");
  CHECK(creds.account_id == "acc");
  request.account = "work";
  CHECK(resolve_credentials(request).value().token == "tok-work");

  ::chmod(file.c_str(), 0644);
  auto insecure = resolve_credentials(request);
  REQUIRE(!insecure);
  CHECK(insecure.error().code == "insecure_credentials_file");
  CHECK(insecure.error().hint.find("chmod 600") != std::string::npos);
  CHECK(insecure.error().message.find("tok-") == std::string::npos);

  const fs::path inside = tmp.path / "state" / "creds";
  write_file(inside, "[cloudflare]\ntoken = x\n", 0600);
  setenv("HELIOS_CREDENTIALS", inside.c_str(), 1);
  auto in_state = resolve_credentials(request, (tmp.path / "state").string());
  REQUIRE(!in_state);
  CHECK(in_state.error().code == "insecure_credentials_file");
  unsetenv("HELIOS_CREDENTIALS");
}

TEST_CASE("A missing token names the variable and the file; a malformed line is not echoed")
{
  TempDir tmp;
  setenv("HELIOS_CREDENTIALS", (tmp.path / "creds").c_str(), 1);
  CredentialRequest request;
  request.provider = "neon";
  request.token_env = "UNIT_NEON_NOT_SET";
  auto missing = resolve_credentials(request);
  REQUIRE(!missing);
  CHECK(missing.error().exit == ExitCode::usage);
  CHECK(missing.error().hint.find("UNIT_NEON_NOT_SET") != std::string::npos);
  request.required = false;
  CHECK(resolve_credentials(request).value().token.empty());

  write_file(tmp.path / "creds", "[neon]\nsupersecretvalue\n", 0600);
  request.required = true;
  auto bad = resolve_credentials(request);
  REQUIRE(!bad);
  CHECK(bad.error().where.find(":2:") != std::string::npos);
  CHECK(bad.error().message.find("supersecret") == std::string::npos);
  unsetenv("HELIOS_CREDENTIALS");
}
