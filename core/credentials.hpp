#pragma once
// Where provider tokens come from (DESIGN.md "State repository": no secret ever reaches a commit):
// 1. the environment variable the manifest's account names (`token_env`, `account_id_env`), else the
//    offering's default variable (e.g. CLOUDFLARE_API_TOKEN);
// 2. else the credentials file: $HELIOS_CREDENTIALS, else ~/.config/helios/credentials — an INI file
//      [cloudflare]            # provider, account "default"
//      token = …
//      account_id = …
//      [cloudflare.work]       # provider "cloudflare", account "work" (or the account's credentials_entry)
//      token = …
//    refused unless its mode is 0600 (or stricter) and it lies outside the state repository.
// Shared by the apply engine, every adapter and `helios rotate`. Values stay in memory only.

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "core/error.hpp"
#include "core/manifest.hpp"
#include "core/provider.hpp"

namespace helios {

struct CredentialRequest {
  std::string provider;
  std::string account = "default";
  std::string token_env;          // variable named by the manifest, or empty
  std::string account_id_env;     // variable named by the manifest, or empty
  std::string default_token_env;  // the offering's default variable, or empty
  std::string credentials_entry;  // explicit [entry] in the credentials file, or empty
  bool required = true;           // false: an empty token is fine (the local provider)
};

// The request for a manifest account (`default_token_env` from the catalog offering).
CredentialRequest credential_request(const Account& account, std::string_view default_token_env);

// Resolves a token; exit 2 (code "missing_credentials") naming the variables and file looked at when
// required and absent; exit 2 (code "insecure_credentials_file") when the file is group/world readable
// or inside `state_dir`.
Result<Credentials> resolve_credentials(const CredentialRequest& request, const std::string& state_dir = {});

// The credentials file path in use ($HELIOS_CREDENTIALS or ~/.config/helios/credentials).
std::string credentials_file_path();

// Parses a credentials file after checking its mode and place: entry → key → value.
Result<std::map<std::string, std::map<std::string, std::string>>> load_credentials_file(const std::string& path,
                                                                                        const std::string& state_dir = {});

}  // namespace helios
