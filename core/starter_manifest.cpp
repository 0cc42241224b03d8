#include "core/starter_manifest.hpp"

#include <cctype>

#include <fmt/format.h>

#include "core/manifest.hpp"

namespace helios {

std::string starter_manifest(std::string_view name)
{
  return fmt::format(R"(# helios.yaml: a stack manifest. docs/manifest.md describes every field.
#   helios validate -f helios.yaml     check it (errors name file:line:column)
#   helios place -f helios.yaml        see which free tier each workload fits
apiVersion: helios/v1
kind: Stack
metadata:
  name: {}                   # lowercase letters, digits and '-'
  # environment: production     # policies can read it
spec:
  budget:
    monthly_usd: 0              # 0 (the default): stay inside free tiers
  regions: [eu, us]             # default regions of every workload; `global` offerings serve any
  # providers:                  # allow or deny providers for the whole stack
  #   deny: [fly]
  # accounts:                   # where credentials are found, never the credentials themselves
  #   cloudflare: {{ token_env: CLOUDFLARE_API_TOKEN, account_id_env: CLOUDFLARE_ACCOUNT_ID }}
  workloads:
    - name: web
      kind: compute             # compute | hosting | database | storage | ai
      needs:                    # capacities (250m CPU, 256Mi) and rates with a period (100k/month, 2000/day)
        cpu: 250m
        memory: 256Mi
        requests: 100k/month
      near: db                  # place it close to the database
      runtime:
        command: "python3 -m http.server $PORT"
        port: 8080
        health: /
    - name: db
      kind: database
      engine: sqlite            # postgres | mysql | sqlite | libsql | redis | mongodb | kv
      needs:
        storage: 256Mi
    # - name: llm
    #   kind: ai
    #   split: true             # the demand may be shared by several providers
    #   models: [llama-3.3-70b]
    #   needs: {{ requests: 500/day, tokens: 200k/day }}
)",
                     name);
}

std::string stack_name_from(std::string_view directory_name)
{
  std::string out;
  for (const char c : directory_name) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u)) {
      out.push_back(static_cast<char>(std::tolower(u)));
    } else if (!out.empty() && out.back() != '-') {
      out.push_back('-');
    }
  }
  while (!out.empty() && out.back() == '-') {
    out.pop_back();
  }
  while (!out.empty() && !std::isalpha(static_cast<unsigned char>(out.front()))) {
    out.erase(out.begin());
  }
  if (out.size() > 63) {
    out.resize(63);
    while (!out.empty() && out.back() == '-') {
      out.pop_back();
    }
  }
  return valid_name(out) ? out : std::string("my-stack");
}

}  // namespace helios
