#include <doctest/doctest.h>

#include <cstdint>
#include <string>

#include "core/manifest.hpp"
#include "core/sha256.hpp"

using namespace helios;

namespace {

const std::string k_good = R"(apiVersion: helios/v1
kind: Stack
metadata:
  name: hobby
  labels: { team: me }
  environment: production
spec:
  budget: { monthly_usd: 0 }
  regions: [eu, us]
  providers: { deny: [fly] }
  accounts:
    cloudflare: { token_env: CLOUDFLARE_API_TOKEN, account_id_env: CLOUDFLARE_ACCOUNT_ID }
    groq:
      - { name: personal, token_env: GROQ_KEY_1 }
      - { name: work, credentials_entry: groq-work }
  workloads:
    - name: web
      kind: compute
      replicas: 2
      spread: true
      needs: { cpu: 250m, memory: 512Mi, requests: 100k/month, egress: 10GB/month }
      near: db
      depends_on: [db]
      runtime: { command: "python3 -m http.server $PORT", port: 8080, health: /, env: { MODE: prod } }
    - name: db
      kind: database
      engine: postgres
      needs: { storage: 1Gi }
    - name: assets
      kind: storage
      bucket: hobby-assets
      needs: { storage: 5GB, egress: 20GB/month }
    - name: llm
      kind: ai
      split: true
      models: [llama-3.3-70b, gemini-2.5-flash]
      needs: { requests: 3000/day, tokens: 2M/day }
)";

ErrorInfo bad(const std::string& text)
{
  auto stack = parse_manifest(text, "m.yaml");
  REQUIRE_FALSE(stack.has_value());
  CHECK(stack.error().exit == ExitCode::usage);
  return stack.error();
}

// The good manifest with one line replaced.
std::string with(const std::string& from, const std::string& to)
{
  std::string text = k_good;
  const auto at = text.find(from);
  REQUIRE(at != std::string::npos);
  text.replace(at, from.size(), to);
  return text;
}

}  // namespace

TEST_SUITE_BEGIN("manifest");

TEST_CASE("The example of DESIGN.md loads into the typed model")
{
  auto stack = parse_manifest(k_good, "m.yaml");
  REQUIRE_MESSAGE(stack.has_value(), stack.error().to_string());
  CHECK(stack->name == "hobby");
  CHECK(stack->environment == "production");
  CHECK(stack->labels.at("team") == "me");
  CHECK(stack->budget_monthly_usd == 0);
  CHECK(stack->regions == std::vector<std::string>{"eu", "us"});
  CHECK(stack->providers_deny == std::vector<std::string>{"fly"});
  CHECK(stack->digest == sha256_hex(k_good));
  REQUIRE(stack->workloads.size() == 4);

  const Workload* web = stack->workload("web");
  REQUIRE(web != nullptr);
  CHECK(web->replicas == 2);
  CHECK(web->near == "db");
  CHECK(web->need("cpu")->amount.value == doctest::Approx(0.25));
  CHECK(web->need("memory")->amount.value == 512.0 * 1024 * 1024);
  CHECK(web->need("requests")->amount == Amount{100000, Period::month});
  CHECK(web->need("cpu")->where.to_string() == "m.yaml:21:21");
  CHECK(web->runtime.port == 8080);
  CHECK(web->runtime.env.at("MODE") == "prod");
  CHECK(web->where.line == 17);

  CHECK(stack->workload("db")->engine == "postgres");
  CHECK(stack->workload("assets")->bucket == "hobby-assets");
  const Workload* llm = stack->workload("llm");
  CHECK(llm->split);
  CHECK(llm->kind == WorkloadKind::ai);
  CHECK(llm->models.size() == 2);
  CHECK(llm->need("tokens")->amount == Amount{2e6, Period::day});

  CHECK(stack->accounts.size() == 3);
  CHECK(stack->accounts_for("cloudflare").front().name == "default");
  CHECK(stack->accounts_for("groq").size() == 2);
  CHECK(stack->accounts_for("groq")[1].credentials_entry == "groq-work");
  CHECK(stack->accounts_for("vercel").size() == 1);  // the implicit default
  CHECK(stack->warnings.empty());

  const auto json = to_json(*stack);
  CHECK(json["metadata"]["name"] == "hobby");
  CHECK(json["workloads"][0]["needs"]["requests"]["period"] == "month");
  CHECK(json["workloads"][0]["needs"]["memory"]["text"] == "512Mi");
  CHECK(json["accounts"][0]["token_env"] == "CLOUDFLARE_API_TOKEN");
}

TEST_CASE("Wrong apiVersion and kind are refused with a hint")
{
  auto api = bad(with("helios/v1", "helios/v2"));
  CHECK(api.where == "m.yaml:1:13");
  CHECK(api.message.find("'helios/v2'") != std::string::npos);
  CHECK(bad(with("kind: Stack", "kind: Catalog")).hint.find("catalog check") != std::string::npos);
  CHECK(bad(with("kind: Stack", "kind: stack")).hint.find("capital") != std::string::npos);
}

TEST_CASE("Unknown keys and dimensions get did-you-mean")
{
  auto key = bad(with("      replicas: 2", "      replica: 2"));
  CHECK(key.hint == "did you mean 'replicas'?");
  CHECK(key.where == "m.yaml:19:7");
  auto dim = bad(with("memory: 512Mi", "memroy: 512Mi"));
  CHECK(dim.hint == "did you mean 'memory'?");
  CHECK(dim.message.find("unknown dimension 'memroy'") != std::string::npos);
  CHECK(bad(with("kind: compute", "kind: computer")).hint == "did you mean 'compute'?");
  CHECK(bad(with("engine: postgres", "engine: postgress")).hint == "did you mean 'postgres'?");
}

TEST_CASE("References between workloads must resolve")
{
  auto near = bad(with("near: db", "near: dbb"));
  CHECK(near.message.find("no workload named 'dbb'") != std::string::npos);
  CHECK(near.hint == "did you mean 'db'?");
  CHECK(near.where == "m.yaml:22:13");
  CHECK(bad(with("near: db", "near: web")).message.find("near itself") != std::string::npos);
  CHECK(bad(with("depends_on: [db]", "depends_on: [cache]")).message.find("'cache'") != std::string::npos);
  auto dup = bad(with("- name: db", "- name: web"));
  CHECK(dup.message.find("duplicate workload name 'web'") != std::string::npos);
  auto cycle = bad(with("      engine: postgres", "      engine: postgres\n      depends_on: [web]"));
  CHECK(cycle.message.find("cycle") != std::string::npos);
}

TEST_CASE("Units and ranges and kinds are checked")
{
  CHECK(bad(with("cpu: 250m", "cpu: 250 parsecs")).message.find("unknown unit") != std::string::npos);
  CHECK(bad(with("cpu: 250m", "cpu: -1")).message.find("negative") != std::string::npos);
  CHECK(bad(with("cpu: 250m", "cpu: 5000")).message.find("more cpu than any provider") != std::string::npos);
  CHECK(bad(with("cpu: 250m", "cpu: 1/day")).message.find("capacity") != std::string::npos);
  CHECK(bad(with("requests: 100k/month", "requests: 100k")).message.find("needs a period") != std::string::npos);
  CHECK(bad(with("replicas: 2", "replicas: 0")).message.find("out of range") != std::string::npos);
  CHECK(bad(with("replicas: 2", "replicas: 5000")).message.find("out of range") != std::string::npos);
  CHECK(bad(with("monthly_usd: 0", "monthly_usd: -5")).message.find("out of range") != std::string::npos);
  CHECK(bad(with("port: 8080", "port: 70000")).message.find("out of range") != std::string::npos);
  CHECK(bad(with("health: /", "health: healthz")).message.find("HTTP path") != std::string::npos);
  CHECK(bad(with("      split: true", "      split: maybe")).message.find("true or false") != std::string::npos);
  CHECK(bad(with("      spread: true", "      split: true")).message.find("ai workloads only") != std::string::npos);
  CHECK(bad(with("      bucket: hobby-assets", "      models: [x]")).message.find("ai workloads only") !=
        std::string::npos);
  CHECK(bad(with("name: hobby", "name: Hobby_Stack")).message.find("not a valid stack name") != std::string::npos);
  CHECK(bad(with("- name: web", "- name: web server")).message.find("not a valid workload name") !=
        std::string::npos);
  CHECK(bad(with("providers: { deny: [fly] }", "providers: { allow: [fly], deny: [fly] }")).message.find(
          "both allowed and denied") != std::string::npos);
}

TEST_CASE("A literal token is refused without echoing it")
{
  auto token = bad(with("{ token_env: CLOUDFLARE_API_TOKEN,", "{ token: s3cr3t-value,"));
  CHECK(token.message.find("never holds credentials") != std::string::npos);
  CHECK(token.message.find("s3cr3t") == std::string::npos);
  CHECK(token.hint.find("token_env: CLOUDFLARE_API_TOKEN") != std::string::npos);
  CHECK(bad(with("token_env: GROQ_KEY_1", "token_env: gsk_abc-123")).message.find("not an environment variable") !=
        std::string::npos);
}

TEST_CASE("Warnings flag what is valid but probably unintended")
{
  auto stack = parse_manifest(with("      replicas: 2\n", ""), "m.yaml");
  REQUIRE(stack.has_value());
  REQUIRE(stack->warnings.size() == 1);
  CHECK(stack->warnings[0].message.find("spread has no effect") != std::string::npos);
}

TEST_CASE("Names are DNS-label-like")
{
  CHECK(valid_name("web"));
  CHECK(valid_name("web-2"));
  CHECK_FALSE(valid_name(""));
  CHECK_FALSE(valid_name("2web"));
  CHECK_FALSE(valid_name("web-"));
  CHECK_FALSE(valid_name("Web"));
  CHECK_FALSE(valid_name(std::string(64, 'a')));
}

TEST_CASE("Mutated manifests never crash and every error is located")
{
  // A fixed-seed generator: the same 500 mutations of the good manifest on every run.
  std::uint64_t state = 0x9E3779B97F4A7C15ULL;
  const auto next = [&state](std::size_t bound) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<std::size_t>((state >> 33) % bound);
  };
  const std::string alphabet = " :-[]{}&*!|>'\"#\n\t,?%@`019az\xC3\xA9";
  int errors = 0;
  for (int round = 0; round < 500; ++round) {
    std::string text = k_good;
    for (std::size_t edits = 1 + next(6); edits > 0; --edits) {
      const std::size_t at = next(text.size());
      switch (next(3)) {
      case 0:
        text[at] = alphabet[next(alphabet.size())];
        break;
      case 1:
        text.erase(at, 1 + next(20));
        break;
      default:
        text.insert(at, 1 + next(4), alphabet[next(alphabet.size())]);
      }
    }
    auto stack = parse_manifest(text, "m.yaml");
    if (!stack) {
      ++errors;
      INFO(text);
      CHECK(stack.error().exit == ExitCode::usage);
      CHECK(stack.error().where.rfind("m.yaml:", 0) == 0);
      CHECK_FALSE(stack.error().message.empty());
    }
  }
  CHECK(errors > 100);  // the mutations do break most manifests
}
