// Build-time generator of the built-in catalog: validates every providers/<provider>/catalog.yaml with
// the same parser user catalogs go through (an invalid file fails the build with its located errors)
// and writes the catalog as C++ statements (one function per offering) into a header compiled into
// helios_providers, so that starting helios parses nothing.
//
//   helios_catalog_gen SOURCE_DIR OUTPUT_HEADER providers/a/catalog.yaml providers/b/catalog.yaml …

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>

#include <fmt/format.h>

#include "core/catalog.hpp"

namespace fs = std::filesystem;

namespace {

// A C++ string literal for any bytes (UTF-8 passes through; quotes, backslashes and controls escaped).
std::string literal(const std::string& text)
{
  std::string out = "\"";
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (u < 0x20 || u == 0x7F) {
      out += fmt::format("\\{:03o}", u);
    } else if (c == '?') {
      out += "\\?";  // no trigraphs
    } else {
      out += c;
    }
  }
  return out + "\"";
}

std::string number(double value)
{
  return fmt::format("{:.17g}", value);
}

std::string strings(const std::vector<std::string>& items)
{
  std::string out = "{";
  for (const auto& item : items) {
    out += (out.size() > 1 ? ", " : "") + literal(item);
  }
  return out + "}";
}

std::string provenance(const helios::Provenance& p)
{
  return fmt::format("helios::Provenance{{{}, {}, static_cast<helios::Confidence>({}), {}}}", literal(p.source),
                     literal(p.as_of), static_cast<int>(p.confidence), literal(p.note));
}

std::string location(const helios::SourceLocation& where)
{
  return fmt::format("helios::SourceLocation{{{}, {}, {}}}", literal(where.file), where.line, where.column);
}

// The statements of a function returning the offering, field by field (a field added to Offering and
// forgotten here is caught by tests/unit/test_builtin_catalog.cpp, which compares with the YAML).
std::string offering_code(const helios::Offering& o)
{
  std::string c = "  Offering o;\n";
  c += fmt::format("  o.id = {};\n  o.provider = {};\n  o.product = {};\n", literal(o.id), literal(o.provider),
                   literal(o.product));
  c += fmt::format("  o.kind = static_cast<WorkloadKind>({});\n", static_cast<int>(o.kind));
  c += fmt::format("  o.regions = {};\n  o.api = {};\n", strings(o.regions), literal(o.api));
  for (const auto& q : o.free) {
    c += fmt::format("  o.free.push_back(FreeQuota{{{}, Amount{{{}, static_cast<Period>({})}}, static_cast<Scope>({}), "
                     "{}, {}, {}, {}, {}}});\n",
                     literal(q.dimension), number(q.amount.value), static_cast<int>(q.amount.period),
                     static_cast<int>(q.scope), literal(q.reset), literal(q.pool), q.measured ? "true" : "false",
                     provenance(q.provenance), location(q.where));
  }
  for (const auto& l : o.limits) {
    c += fmt::format("  o.limits.push_back(InstanceLimit{{{}, {}, {}, {}}});\n", literal(l.dimension), number(l.max),
                     l.measured ? "true" : "false", provenance(l.provenance));
  }
  c += fmt::format("  o.free_instances = {};\n  o.hard_cap = {};\n", o.free_instances, o.hard_cap ? "true" : "false");
  for (const auto& p : o.overage) {
    c += fmt::format("  o.overage.push_back(OveragePrice{{{}, {}, {}, static_cast<Period>({}), {}}});\n",
                     literal(p.dimension), number(p.usd), number(p.per), static_cast<int>(p.period),
                     provenance(p.provenance));
  }
  c += fmt::format("  o.idle_sleep_minutes = {};\n  o.engines = {};\n  o.model = {};\n  o.model_aliases = {};\n",
                   o.idle_sleep_minutes, strings(o.engines), literal(o.model), strings(o.model_aliases));
  c += fmt::format("  o.base_url = {};\n  o.credential_env = {};\n  o.group = {};\n", literal(o.base_url),
                   literal(o.credential_env), literal(o.group));
  c += fmt::format("  o.provenance = {};\n  o.notes = {};\n  o.where = {};\n  return o;\n", provenance(o.provenance),
                   literal(o.notes), location(o.where));
  return c;
}

}  // namespace

int main(int argc, char** argv)
{
  if (argc < 4) {
    std::fprintf(stderr, "usage: %s SOURCE_DIR OUTPUT_HEADER CATALOG.yaml…\n", argv[0]);
    return 2;
  }
  const fs::path source_dir = argv[1];
  const fs::path output = argv[2];
  helios::Catalog catalog;
  std::set<std::string> providers;
  int errors = 0;
  for (int i = 3; i < argc; ++i) {
    const fs::path file = argv[i];
    const std::string name = fs::relative(file, source_dir).generic_string();
    const std::string folder = file.parent_path().filename().string();
    std::ifstream in(file, std::ios::binary);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto offerings = helios::parse_catalog_text(text, name);
    if (!offerings) {
      const auto& details = offerings.error().details;
      if (details.contains("errors")) {
        for (const auto& e : details["errors"]) {
          std::fprintf(stderr, "%s: error: %s\n  hint: %s\n", e.value("where", "").c_str(),
                       e.value("message", "").c_str(), e.value("hint", "").c_str());
          ++errors;
        }
      } else {
        std::fprintf(stderr, "%s\n", offerings.error().to_string().c_str());
        ++errors;
      }
      continue;
    }
    for (auto& o : *offerings) {
      if (o.provider != folder) {
        std::fprintf(stderr, "%s: error: offering '%s' has provider '%s' but lives in providers/%s/\n",
                     o.where.to_string().c_str(), o.id.c_str(), o.provider.c_str(), folder.c_str());
        ++errors;
        continue;
      }
      if (const auto* other = catalog.find(o.id)) {
        std::fprintf(stderr, "%s: error: offering '%s' is also defined at %s\n", o.where.to_string().c_str(),
                     o.id.c_str(), other->where.to_string().c_str());
        ++errors;
        continue;
      }
      providers.insert(o.provider);
      catalog.add(std::move(o));
    }
  }
  if (errors > 0) {
    std::fprintf(stderr, "helios_catalog_gen: %d error%s in the built-in catalog; fix providers/*/catalog.yaml\n",
                 errors, errors == 1 ? "" : "s");
    return 2;
  }
  const fs::path temporary = output.string() + ".tmp";
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out << "#pragma once\n// Generated by helios_catalog_gen from providers/*/catalog.yaml. Do not edit.\n"
        << fmt::format("// {} offerings of {} providers, as C++ so that nothing is parsed at start-up.\n",
                       catalog.offerings().size(), providers.size())
        << "#include <vector>\n#include \"core/catalog.hpp\"\n"
        << "namespace helios::providers::generated {\n";
    for (std::size_t i = 0; i < catalog.offerings().size(); ++i) {
      out << fmt::format("// {}\ninline Offering offering_{}()\n{{\n", catalog.offerings()[i].id, i)
          << offering_code(catalog.offerings()[i]) << "}\n";
    }
    out << "// Sorted by id.\ninline std::vector<Offering> builtin_offerings()\n{\n  std::vector<Offering> out;\n"
        << fmt::format("  out.reserve({});\n", catalog.offerings().size());
    for (std::size_t i = 0; i < catalog.offerings().size(); ++i) {
      out << fmt::format("  out.push_back(offering_{}());\n", i);
    }
    out << "  return out;\n}\n}  // namespace helios::providers::generated\n";
    if (!out) {
      std::fprintf(stderr, "helios_catalog_gen: cannot write %s\n", temporary.c_str());
      return 1;
    }
  }
  fs::rename(temporary, output);
  std::printf("built-in catalog: %zu offerings of %zu providers\n", catalog.offerings().size(), providers.size());
  return 0;
}
