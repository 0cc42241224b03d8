// helios_schema_check SCHEMA [DOCUMENT]: validates a JSON document (a file, or stdin) against a JSON
// Schema with valijson (Debian libvalijson-dev). Exit 0 when valid; 1 with every violation listed.

#include <fstream>
#include <iostream>
#include <sstream>

#include <nlohmann/json.hpp>
#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validation_results.hpp>
#include <valijson/validator.hpp>

namespace {

nlohmann::json read_json(std::istream& in, const std::string& name)
{
  try {
    return nlohmann::json::parse(in);
  } catch (const std::exception& e) {
    std::cerr << "schema_check: " << name << " is not JSON: " << e.what() << "\n";
    std::exit(2);
  }
}

}  // namespace

int main(int argc, char** argv)
{
  if (argc < 2 || argc > 3) {
    std::cerr << "usage: helios_schema_check SCHEMA [DOCUMENT]\n";
    return 2;
  }
  std::ifstream schema_file(argv[1]);
  if (!schema_file) {
    std::cerr << "schema_check: cannot open " << argv[1] << "\n";
    return 2;
  }
  const nlohmann::json schema_doc = read_json(schema_file, argv[1]);
  nlohmann::json document;
  if (argc == 3) {
    std::ifstream doc_file(argv[2]);
    if (!doc_file) {
      std::cerr << "schema_check: cannot open " << argv[2] << "\n";
      return 2;
    }
    document = read_json(doc_file, argv[2]);
  } else {
    document = read_json(std::cin, "stdin");
  }

  valijson::Schema schema;
  valijson::SchemaParser parser;
  valijson::adapters::NlohmannJsonAdapter schema_adapter(schema_doc);
  try {
    parser.populateSchema(schema_adapter, schema);
  } catch (const std::exception& e) {
    std::cerr << "schema_check: " << argv[1] << " is not a valid schema: " << e.what() << "\n";
    return 2;
  }
  valijson::Validator validator;
  valijson::ValidationResults results;
  valijson::adapters::NlohmannJsonAdapter document_adapter(document);
  if (validator.validate(schema, document_adapter, &results)) {
    return 0;
  }
  valijson::ValidationResults::Error error;
  while (results.popError(error)) {
    std::string context;
    for (const auto& part : error.context) {
      context += part;
    }
    std::cerr << "schema_check: " << context << ": " << error.description << "\n";
  }
  return 1;
}
