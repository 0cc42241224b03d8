#include "core/native_host.hpp"

#include <array>
#include <cstdint>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

namespace helios::native_host {

namespace nm = native_messaging;
using nlohmann::json;

namespace {

constexpr std::array<std::pair<RequestType, std::string_view>, 6> k_types{{
  {RequestType::hello, "hello"},
  {RequestType::status, "status"},
  {RequestType::quota, "quota"},
  {RequestType::rotations, "rotations"},
  {RequestType::checkpoints, "checkpoints"},
  {RequestType::catalog, "catalog"},
}};

constexpr std::string_view k_type_list = "hello, status, quota, rotations, checkpoints, catalog";

std::string dump(const json& doc)
{
  return doc.dump(-1, ' ', false, json::error_handler_t::replace);
}

bool valid_provider_name(std::string_view name)
{
  if (name.empty() || name.size() > 64) {
    return false;
  }
  for (const char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
    if (!ok) {
      return false;
    }
  }
  return true;
}

tl::unexpected<ErrorInfo> invalid(std::string message, std::string hint = {})
{
  return fail(ExitCode::usage, "invalid_request", std::move(message), "", std::move(hint));
}

// FNV-1a, 64 bits: lets the extension notice that the data changed between two pages.
std::string digest(std::string_view text)
{
  std::uint64_t hash = 1469598103934665603ULL;
  for (const char c : text) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 1099511628211ULL;
  }
  return fmt::format("{:016x}", hash);
}

json limited(json list, int limit)
{
  if (list.is_array() && list.size() > static_cast<std::size_t>(limit)) {
    list.erase(list.begin() + limit, list.end());
  }
  return list;
}

Result<json> fetch(const Request& request, DataSource& source)
{
  switch (request.type) {
    case RequestType::hello:
      return source.describe();
    case RequestType::status:
      return source.stacks();
    case RequestType::quota:
      return source.quota();
    case RequestType::rotations: {
      auto list = source.rotations(request.limit);
      if (!list) {
        return list;
      }
      return limited(std::move(*list), request.limit);
    }
    case RequestType::checkpoints: {
      auto list = source.checkpoints(request.limit);
      if (!list) {
        return list;
      }
      return limited(std::move(*list), request.limit);
    }
    case RequestType::catalog:
      return source.catalog(request.provider);
  }
  return fail(ExitCode::runtime, "internal", "unhandled request type");
}

}  // namespace

std::string_view request_type_name(RequestType type)
{
  for (const auto& [value, name] : k_types) {
    if (value == type) {
      return name;
    }
  }
  return "unknown";
}

Result<Request> parse_request(std::string_view payload, json* id_out)
{
  if (!nm::valid_utf8(payload)) {
    return fail(ExitCode::usage, "invalid_json", "the request is not valid UTF-8", "",
                "native messages are UTF-8 JSON objects");
  }
  json doc = json::parse(payload, nullptr, false);
  if (doc.is_discarded()) {
    return fail(ExitCode::usage, "invalid_json", "the request is not valid JSON", "",
                "send one JSON object per message, e.g. {\"type\":\"quota\"}");
  }
  if (!doc.is_object()) {
    return invalid(fmt::format("the request is a JSON {}, expected an object", doc.type_name()),
                   "send e.g. {\"type\":\"quota\"}");
  }
  Request request;
  if (auto it = doc.find("id"); it != doc.end()) {
    const bool ok = it->is_number_integer() || it->is_number_unsigned() ||
                    (it->is_string() && it->get_ref<const std::string&>().size() <= 128);
    if (!ok) {
      return invalid("'id' must be an integer or a string of at most 128 characters");
    }
    request.id = *it;
    if (id_out) {
      *id_out = *it;
    }
  }
  for (const auto& [key, value] : doc.items()) {
    if (key != "id" && key != "type" && key != "page" && key != "limit" && key != "provider") {
      return invalid(fmt::format("unknown field '{}'", key), "fields: id, type, page, limit, provider");
    }
  }
  const auto type = doc.find("type");
  if (type == doc.end() || !type->is_string()) {
    return invalid("the request has no 'type' string", fmt::format("type is one of: {}", k_type_list));
  }
  const auto& name = type->get_ref<const std::string&>();
  bool known = false;
  for (const auto& [value, type_name] : k_types) {
    if (type_name == name) {
      request.type = value;
      known = true;
    }
  }
  if (!known) {
    return fail(ExitCode::usage, "unknown_request",
                fmt::format("unknown request type '{}'", name.substr(0, 64)), "",
                fmt::format("type is one of: {}", k_type_list));
  }
  if (auto it = doc.find("page"); it != doc.end()) {
    if (!it->is_number_unsigned() && !(it->is_number_integer() && it->get<std::int64_t>() >= 0)) {
      return invalid("'page' must be a non-negative integer");
    }
    request.page = it->get<std::size_t>();
  }
  if (auto it = doc.find("limit"); it != doc.end()) {
    if (!it->is_number_integer() || it->get<std::int64_t>() < 1 || it->get<std::int64_t>() > k_max_limit) {
      return invalid(fmt::format("'limit' must be an integer from 1 to {}", k_max_limit));
    }
    request.limit = it->get<int>();
  }
  if (auto it = doc.find("provider"); it != doc.end()) {
    if (!it->is_string() || !valid_provider_name(it->get_ref<const std::string&>())) {
      return invalid("'provider' must be a provider name (lowercase letters, digits, '-', '_', '.')",
                     "e.g. {\"type\":\"catalog\",\"provider\":\"groq\"}");
    }
    request.provider = it->get<std::string>();
  }
  if (request.type == RequestType::catalog && request.provider.empty()) {
    return invalid("a catalog request needs 'provider'", "e.g. {\"type\":\"catalog\",\"provider\":\"groq\"}");
  }
  return request;
}

std::string error_reply(const json& id, std::string_view code, std::string_view message, std::string_view hint)
{
  json reply = {{"id", id},
                {"ok", false},
                {"error", {{"code", std::string(code)}, {"message", std::string(message)}, {"hint", std::string(hint)}}}};
  return dump(reply);
}

std::string answer(std::string_view payload, DataSource& source, std::size_t budget)
{
  json id = nullptr;
  try {
    auto request = parse_request(payload, &id);
    if (!request) {
      return error_reply(id, request.error().code, request.error().message, request.error().hint);
    }
    auto data = fetch(*request, source);
    if (!data) {
      return error_reply(id, data.error().code, data.error().message, data.error().hint);
    }
    const std::string type(request_type_name(request->type));
    std::string whole = dump(json{{"id", id}, {"ok", true}, {"type", type}, {"data", *data}});
    if (whole.size() <= budget && request->page == 0) {
      return whole;
    }
    // Too large for one message: page the data's JSON text.
    const std::string text = dump(*data);
    const json probe = {{"id", id},
                        {"ok", true},
                        {"type", type},
                        {"page", {{"index", 0xFFFFFFFFULL}, {"count", 0xFFFFFFFFULL}, {"digest", digest(text)}}},
                        {"chunk", ""}};
    const std::size_t envelope = dump(probe).size();
    if (envelope + 64 >= budget) {
      return error_reply(id, "reply_too_large", "the reply's envelope does not fit in one message");
    }
    const auto pages = nm::page_text(text, budget - envelope);
    if (request->page >= pages.size()) {
      return error_reply(id, "page_out_of_range",
                         fmt::format("page {} asked, the answer has {} page(s)", request->page, pages.size()),
                         "ask for pages 0 to count-1");
    }
    json reply = {{"id", id},
                  {"ok", true},
                  {"type", type},
                  {"page", {{"index", request->page}, {"count", pages.size()}, {"digest", digest(text)}}},
                  {"chunk", pages[request->page]}};
    return dump(reply);
  } catch (const std::exception& e) {
    return error_reply(id, "internal", e.what(), "this is a bug in helios; please report it");
  }
}

bool origin_allowed(std::string_view origin, const std::vector<std::string>& allowed_origins)
{
  if (origin.empty()) {
    return false;
  }
  for (const auto& allowed : allowed_origins) {
    if (allowed == origin) {
      return true;
    }
  }
  return false;
}

Result<std::vector<std::string>> read_allowed_origins(const std::string& manifest_path)
{
  std::ifstream in(manifest_path, std::ios::binary);
  if (!in) {
    return fail(ExitCode::runtime, "host_manifest_unreadable", "cannot read the host manifest", manifest_path,
                "run `helios extension install-host` again");
  }
  std::stringstream buffer;
  buffer << in.rdbuf();
  json doc = json::parse(buffer.str(), nullptr, false);
  if (doc.is_discarded() || !doc.is_object() || !doc.contains("allowed_origins") ||
      !doc["allowed_origins"].is_array()) {
    return fail(ExitCode::usage, "host_manifest_invalid", "the host manifest has no allowed_origins list",
                manifest_path, "run `helios extension install-host` again");
  }
  std::vector<std::string> origins;
  for (const auto& origin : doc["allowed_origins"]) {
    if (origin.is_string()) {
      origins.push_back(origin.get<std::string>());
    }
  }
  return origins;
}

int serve(nm::ByteSource& in, const std::function<bool(std::string_view)>& write, DataSource& source,
          const ServeOptions& options)
{
  for (;;) {
    const nm::Frame frame = nm::read_frame(in, options.request_limit);
    switch (frame.status) {
      case nm::FrameStatus::end:
        return 0;
      case nm::FrameStatus::truncated:
        write(error_reply(nullptr, "truncated_frame", "the input ended inside a message",
                          "each message is a 4-byte native-endian length followed by that many bytes"));
        return 2;
      case nm::FrameStatus::too_large:
        write(error_reply(nullptr, "frame_too_large",
                          fmt::format("a message of {} bytes was announced; requests are at most {} bytes",
                                      frame.length, options.request_limit),
                          "requests are small JSON objects such as {\"type\":\"quota\"}"));
        return 2;
      case nm::FrameStatus::ok:
        if (!write(answer(frame.payload, source, options.budget))) {
          return 0;  // the browser closed the channel
        }
        break;
    }
  }
}

}  // namespace helios::native_host
