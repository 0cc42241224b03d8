#pragma once
// The outputs of `helios qc` that CI tools read: text, JSON (docs/schemas/qc.schema.json), SARIF 2.1.0
// (GitHub code scanning: stable ruleIds, partialFingerprints, locations at manifest lines), JUnit XML,
// GitHub workflow annotations and TAP.

#include <string>

#include <nlohmann/json.hpp>

#include "core/policy/finding.hpp"

namespace helios::policy {

std::string report_text(const QcReport& report);
nlohmann::json report_json(const QcReport& report, int exit_code);
// report_json(report, exit_code).dump(2), written directly (no JSON tree: large reports stay fast).
std::string report_json_text(const QcReport& report, int exit_code);
nlohmann::json report_sarif(const QcReport& report, int exit_code, const std::string& version);
std::string report_junit(const QcReport& report);
std::string report_github(const QcReport& report);
std::string report_tap(const QcReport& report);

// A manifest path as SARIF's artifactLocation.uri: a relative URI reference (percent-encoded) for a
// relative path, a file:// URI for an absolute one.
std::string artifact_uri(const std::string& path);

// A stable fingerprint of a finding (rule, file, message), hex.
std::string fingerprint(const Finding& finding);

}  // namespace helios::policy
