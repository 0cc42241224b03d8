#include "providers/registry.hpp"

#include "providers/cloudflare/cloudflare_provider.hpp"
#include "providers/koyeb/koyeb_provider.hpp"
#include "providers/local/local_provider.hpp"
#include "providers/neon/neon_provider.hpp"
#include "providers/openai_compatible/openai_compatible_provider.hpp"
#include "providers/render/render_provider.hpp"
#include "providers/turso/turso_provider.hpp"

#include <algorithm>

namespace helios::providers {

const std::vector<ProviderEntry>& provider_table()
{
  static const std::vector<ProviderEntry> table = [] {
    std::vector<ProviderEntry> entries = {
      // { "name", "description", &factory },   one line per adapter
      {"cerebras", "Cerebras inference (OpenAI-compatible)", &make_cerebras_provider},
      {"cloudflare", "Cloudflare v4: Workers, R2, D1, KV, Workers AI", &make_cloudflare_provider},
      {"google", "Gemini API, OpenAI-compatible endpoint", &make_google_provider},
      {"groq", "Groq inference (OpenAI-compatible)", &make_groq_provider},
      {"koyeb", "Koyeb v1: app and free service", &make_koyeb_provider},
      {"local", "this machine: supervised processes, SQLite/PostgreSQL, directories (the embedded default)", &local::make_local_provider},
      {"mistral", "Mistral La Plateforme (OpenAI-compatible)", &make_mistral_provider},
      {"neon", "Neon v2: Postgres project", &make_neon_provider},
      {"nvidia", "NVIDIA NIM (OpenAI-compatible)", &make_nvidia_provider},
      {"openrouter", "OpenRouter (OpenAI-compatible)", &make_openrouter_provider},
      {"render", "Render v1: free web service", &make_render_provider},
      {"turso", "Turso platform API: database in a group", &make_turso_provider},
    };
    std::sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
    return entries;
  }();
  return table;
}

std::unique_ptr<Provider> make_provider(std::string_view name)
{
  for (const auto& entry : provider_table()) {
    if (entry.name == name) {
      return entry.make();
    }
  }
  return nullptr;
}

}  // namespace helios::providers
