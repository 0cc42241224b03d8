#include "core/credentials.hpp"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <sys/stat.h>

namespace helios {

namespace fs = std::filesystem;

namespace {

std::string trim(std::string s)
{
  const auto first = s.find_first_not_of(" \t\r");
  if (first == std::string::npos) {
    return {};
  }
  const auto last = s.find_last_not_of(" \t\r");
  return s.substr(first, last - first + 1);
}

std::string env(const std::string& name)
{
  if (name.empty()) {
    return {};
  }
  const char* value = std::getenv(name.c_str());
  return value ? std::string(value) : std::string();
}

bool inside(const fs::path& file, const fs::path& dir)
{
  std::error_code ec;
  const fs::path f = fs::weakly_canonical(file, ec);
  const fs::path d = fs::weakly_canonical(dir, ec);
  if (d.empty()) {
    return false;
  }
  auto fit = f.begin();
  for (auto dit = d.begin(); dit != d.end(); ++dit, ++fit) {
    if (dit->empty()) {
      continue;
    }
    if (fit == f.end() || *fit != *dit) {
      return false;
    }
  }
  return true;
}

}  // namespace

CredentialRequest credential_request(const Account& account, std::string_view default_token_env)
{
  CredentialRequest request;
  request.provider = account.provider;
  request.account = account.name.empty() ? "default" : account.name;
  request.token_env = account.token_env;
  request.account_id_env = account.account_id_env;
  request.default_token_env = std::string(default_token_env);
  request.credentials_entry = account.credentials_entry;
  return request;
}

std::string credentials_file_path()
{
  if (std::string path = env("HELIOS_CREDENTIALS"); !path.empty()) {
    return path;
  }
  std::string config = env("XDG_CONFIG_HOME");
  if (config.empty()) {
    config = env("HOME").empty() ? std::string(".config") : env("HOME") + "/.config";
  }
  return config + "/helios/credentials";
}

Result<std::map<std::string, std::map<std::string, std::string>>> load_credentials_file(const std::string& path,
                                                                                        const std::string& state_dir)
{
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    return std::map<std::string, std::map<std::string, std::string>>();
  }
  if ((st.st_mode & 077) != 0) {
    return fail(ExitCode::usage, "insecure_credentials_file",
                fmt::format("credentials file {} has mode {:04o}; helios reads it only when it is 0600", path,
                            st.st_mode & 07777),
                path, fmt::format("chmod 600 {}", path));
  }
  if (!state_dir.empty() && inside(path, state_dir)) {
    return fail(ExitCode::usage, "insecure_credentials_file",
                fmt::format("credentials file {} is inside the state repository {}", path, state_dir), path,
                "move it outside the state directory (default ~/.config/helios/credentials)");
  }
  std::ifstream in(path);
  if (!in) {
    return fail(ExitCode::runtime, "credentials_unreadable", fmt::format("cannot read credentials file {}", path), path,
                "check its owner and permissions");
  }
  std::map<std::string, std::map<std::string, std::string>> entries;
  std::string section;
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    const std::string text = trim(line);
    if (text.empty() || text[0] == '#' || text[0] == ';') {
      continue;
    }
    if (text.front() == '[' && text.back() == ']') {
      section = trim(text.substr(1, text.size() - 2));
      entries[section];
      continue;
    }
    const auto eq = text.find('=');
    if (eq == std::string::npos || section.empty()) {
      // Never echo the line: it may hold a token.
      return fail(ExitCode::usage, "invalid_credentials_file",
                  section.empty() ? "a key appears before any [provider] section" : "expected `key = value`",
                  fmt::format("{}:{}:1", path, number), "see docs/state.md \"Credentials\" for the format");
    }
    entries[section][trim(text.substr(0, eq))] = trim(text.substr(eq + 1));
  }
  return entries;
}

Result<Credentials> resolve_credentials(const CredentialRequest& request, const std::string& state_dir)
{
  Credentials out;
  out.account = request.account.empty() ? "default" : request.account;
  out.token = env(request.token_env);
  if (out.token.empty() && request.token_env.empty()) {
    out.token = env(request.default_token_env);
  }
  out.account_id = env(request.account_id_env);
  if (out.token.empty() || (out.account_id.empty() && !request.account_id_env.empty())) {
    const std::string path = credentials_file_path();
    auto entries = load_credentials_file(path, state_dir);
    if (!entries) {
      return tl::unexpected(entries.error());
    }
    std::string entry = request.credentials_entry;
    if (entry.empty()) {
      entry = out.account == "default" ? request.provider : request.provider + "." + out.account;
    }
    if (auto found = entries->find(entry); found != entries->end()) {
      if (out.token.empty() && found->second.count("token")) {
        out.token = found->second.at("token");
      }
      if (out.account_id.empty() && found->second.count("account_id")) {
        out.account_id = found->second.at("account_id");
      }
    }
  }
  if (out.token.empty() && request.required) {
    const std::string variable = !request.token_env.empty() ? request.token_env : request.default_token_env;
    return fail(ExitCode::usage, "missing_credentials",
                fmt::format("no token for {} account '{}'", request.provider, out.account), request.provider,
                variable.empty()
                  ? fmt::format("add a [{}] section with `token = …` to {} (mode 0600)", request.provider,
                                credentials_file_path())
                  : fmt::format("export {}=… or add `token = …` under [{}] in {} (mode 0600)", variable,
                                request.credentials_entry.empty() ? request.provider : request.credentials_entry,
                                credentials_file_path()));
  }
  return out;
}

}  // namespace helios
