#pragma once
// The companion extension's native-messaging host: what a request means and how it is answered.
// Requests (one JSON object per frame, see docs/extension.md):
//   {"id": 1, "type": "hello" | "status" | "quota" | "rotations" | "checkpoints" | "catalog",
//    "page": 0, "limit": 20, "provider": "groq"}
// Replies: {"id", "ok": true, "type", "data"} or, when the data would not fit in one Chrome message,
// {"id", "ok": true, "type", "page": {"index", "count", "digest"}, "chunk": "<part of data's JSON text>"};
// errors: {"id", "ok": false, "error": {"code", "message", "hint"}}.
// The host is read-only: every answer comes from a DataSource, which must change nothing.

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "core/native_messaging.hpp"

namespace helios::native_host {

// The name of the host in its manifest (and of the manifest file, <name>.json).
inline constexpr const char* k_host_name = "io.helios.companion";
// The id of apps/extension, fixed by the "key" in its manifest.json (docs/extension.md shows how).
inline constexpr const char* k_extension_id = "gfdbiljgkggmngehnendpaefknaeabgi";
inline constexpr int k_default_limit = 20;
inline constexpr int k_max_limit = 1000;

enum class RequestType { hello, status, quota, rotations, checkpoints, catalog };

std::string_view request_type_name(RequestType type);

struct Request {
  nlohmann::json id;      // echoed back (null when absent)
  RequestType type = RequestType::hello;
  std::size_t page = 0;   // which page of a paged answer
  int limit = k_default_limit;  // rotations, checkpoints: how many, newest first
  std::string provider;   // catalog: the provider whose offerings are asked for
};

// Parses and validates one request payload. Error codes: invalid_json, invalid_request, unknown_request.
// On error, `id_out` receives the request's id when one could be read, so the reply can carry it.
Result<Request> parse_request(std::string_view payload, nlohmann::json* id_out = nullptr);

// Where the answers come from. Implementations must be read-only.
class DataSource {
public:
  virtual ~DataSource() = default;
  virtual nlohmann::json describe() = 0;                      // hello: version, state dir, sources
  virtual Result<nlohmann::json> stacks() = 0;                // status of stacks and their workloads
  virtual Result<nlohmann::json> quota() = 0;                 // as `helios quota --json`
  virtual Result<nlohmann::json> rotations(int limit) = 0;    // newest first
  virtual Result<nlohmann::json> checkpoints(int limit) = 0;  // newest first
  virtual Result<nlohmann::json> catalog(const std::string& provider) = 0;
};

// The JSON text of an error reply.
std::string error_reply(const nlohmann::json& id, std::string_view code, std::string_view message,
                        std::string_view hint = {});

// The reply (JSON text, at most `budget` bytes) to one request payload. Never throws.
std::string answer(std::string_view payload, DataSource& source,
                   std::size_t budget = native_messaging::k_reply_budget);

// True when `origin` (Chrome passes "chrome-extension://<id>/" as the host's first argument) is listed.
bool origin_allowed(std::string_view origin, const std::vector<std::string>& allowed_origins);

// The allowed_origins of a host manifest file.
Result<std::vector<std::string>> read_allowed_origins(const std::string& manifest_path);

struct ServeOptions {
  std::size_t budget = native_messaging::k_reply_budget;
  std::size_t request_limit = native_messaging::k_request_limit;
};

// Answers frames from `in` until it ends. `write` sends one reply payload (it frames it); it returns
// false when the browser has gone. Returns the process exit code: 0 after a clean end of input, 2 after
// a broken or oversized frame (answered with an error reply first, then the host stops: the stream
// cannot be trusted past it).
int serve(native_messaging::ByteSource& in, const std::function<bool(std::string_view)>& write,
          DataSource& source, const ServeOptions& options = {});

}  // namespace helios::native_host
