#include <doctest/doctest.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <unistd.h>

#include "core/native_host.hpp"

using namespace helios;
using namespace helios::native_host;
using nlohmann::json;

namespace {

// A data source with fixed answers, counting what was asked.
class FixedSource final : public DataSource {
public:
  json quota_doc = {{"quotas", json::array()}, {"rotations", json::array()}};
  int calls = 0;
  json describe() override { return {{"host", k_host_name}}; }
  Result<json> stacks() override { ++calls; return json{{"stacks", json::array()}}; }
  Result<json> quota() override { ++calls; return quota_doc; }
  Result<json> rotations(int) override
  {
    ++calls;
    json list = json::array();
    for (int i = 0; i < 50; ++i) {
      list.push_back({{"at", i}});
    }
    return list;
  }
  Result<json> checkpoints(int) override { ++calls; return fail(ExitCode::runtime, "no_data", "nothing yet"); }
  Result<json> catalog(const std::string& provider) override { ++calls; return json{{"provider", provider}}; }
};

json reply(const std::string& payload, DataSource& source, std::size_t budget = native_messaging::k_reply_budget)
{
  const std::string text = answer(payload, source, budget);
  CHECK(text.size() <= budget);
  return json::parse(text);
}

std::string frame(const std::string& payload) { return native_messaging::encode_frame(payload); }

// Runs serve over `input`, returning the reply payloads and the exit code.
std::pair<std::vector<json>, int> serve_all(const std::string& input, DataSource& source)
{
  native_messaging::StringSource in(input);
  std::vector<json> replies;
  const int rc = serve(in, [&](std::string_view payload) {
    replies.push_back(json::parse(payload));
    return true;
  }, source);
  return {replies, rc};
}

}  // namespace

TEST_SUITE_BEGIN("native_host");

TEST_CASE("Each request type is answered with its data and the id echoed")
{
  FixedSource source;
  auto r = reply(R"({"id":7,"type":"quota"})", source);
  CHECK(r["ok"] == true);
  CHECK(r["id"] == 7);
  CHECK(r["type"] == "quota");
  CHECK(r["data"] == source.quota_doc);
  CHECK(reply(R"({"id":"a","type":"hello"})", source)["data"]["host"] == k_host_name);
  CHECK(reply(R"({"type":"status"})", source)["data"].contains("stacks"));
  CHECK(reply(R"({"type":"catalog","provider":"groq"})", source)["data"]["provider"] == "groq");
}

TEST_CASE("rotations honour limit, newest first as the source gives them")
{
  FixedSource source;
  CHECK(reply(R"({"type":"rotations"})", source)["data"].size() == k_default_limit);
  auto r = reply(R"({"type":"rotations","limit":3})", source);
  CHECK(r["data"] == json::array({{{"at", 0}}, {{"at", 1}}, {{"at", 2}}}));
}

TEST_CASE("A source's failure becomes an error reply")
{
  FixedSource source;
  auto r = reply(R"({"id":1,"type":"checkpoints"})", source);
  CHECK(r["ok"] == false);
  CHECK(r["id"] == 1);
  CHECK(r["error"]["code"] == "no_data");
}

TEST_CASE("Malformed requests get error replies and ask the source nothing")
{
  FixedSource source;
  const std::vector<std::pair<std::string, std::string>> cases = {
    {"", "invalid_json"},
    {"{", "invalid_json"},
    {"not json", "invalid_json"},
    {"{\"type\":\"quota\"} trailing", "invalid_json"},
    {"\xFF\xFE", "invalid_json"},
    {"{\"type\":\"\xC0\xAF\"}", "invalid_json"},
    {"[1,2]", "invalid_request"},
    {"\"quota\"", "invalid_request"},
    {"null", "invalid_request"},
    {"{}", "invalid_request"},
    {R"({"type":7})", "invalid_request"},
    {R"({"type":"quota","extra":1})", "invalid_request"},
    {R"({"type":"quota","id":{"a":1}})", "invalid_request"},
    {R"({"type":"quota","id":")" + std::string(200, 'x') + "\"}", "invalid_request"},
    {R"({"type":"quota","page":-1})", "invalid_request"},
    {R"({"type":"quota","page":"1"})", "invalid_request"},
    {R"({"type":"rotations","limit":0})", "invalid_request"},
    {R"({"type":"rotations","limit":100000})", "invalid_request"},
    {R"({"type":"catalog"})", "invalid_request"},
    {R"({"type":"catalog","provider":"../etc"})", "invalid_request"},
    {R"({"type":"catalog","provider":"Groq"})", "invalid_request"},
    {R"({"type":"delete-everything"})", "unknown_request"},
    {R"({"type":"quota","page":1})", "page_out_of_range"},
  };
  for (const auto& [payload, code] : cases) {
    CAPTURE(payload);
    auto r = reply(payload, source);
    CHECK(r["ok"] == false);
    CHECK(r["error"]["code"] == code);
    CHECK(r["error"]["message"].get<std::string>().size() > 0);
  }
  CHECK(source.calls == 1);  // only the page_out_of_range case reached the source
}

TEST_CASE("The id of a bad request is echoed when it could be read")
{
  FixedSource source;
  CHECK(reply(R"({"id":9,"type":"nope"})", source)["id"] == 9);
  CHECK(reply("{", source)["id"].is_null());
}

TEST_CASE("An answer larger than the budget is paged and the pages rebuild it exactly")
{
  FixedSource source;
  json rows = json::array();
  for (int i = 0; i < 400; ++i) {
    rows.push_back({{"provider", "p\"" + std::to_string(i)}, {"note", "caf\xC3\xA9 \xE2\x82\xAC\n\x01"}});
  }
  source.quota_doc = {{"quotas", rows}, {"rotations", json::array()}};
  const std::size_t budget = 2000;
  auto first = reply(R"({"id":1,"type":"quota"})", source, budget);
  REQUIRE(first["ok"] == true);
  REQUIRE(first.contains("page"));
  CHECK_FALSE(first.contains("data"));
  const std::size_t count = first["page"]["count"];
  CHECK(count > 5);
  std::string text = first["chunk"];
  for (std::size_t i = 1; i < count; ++i) {
    auto page = reply(R"({"id":1,"type":"quota","page":)" + std::to_string(i) + "}", source, budget);
    CHECK(page["page"]["index"] == i);
    CHECK(page["page"]["digest"] == first["page"]["digest"]);
    text += page["chunk"].get<std::string>();
  }
  CHECK(json::parse(text) == source.quota_doc);
  auto past = reply(R"({"type":"quota","page":)" + std::to_string(count) + "}", source, budget);
  CHECK(past["error"]["code"] == "page_out_of_range");
}

TEST_CASE("Real replies stay under Chrome's 1 MiB limit whatever the data size")
{
  FixedSource source;
  json rows = json::array();
  for (int i = 0; i < 30000; ++i) {
    rows.push_back({{"provider", "provider-" + std::to_string(i)}, {"dimension", "requests"}, {"used", i}});
  }
  source.quota_doc = {{"quotas", rows}};
  const std::string text = answer(R"({"type":"quota"})", source);
  CHECK(text.size() < native_messaging::k_chrome_reply_limit);
  CHECK(json::parse(text)["page"]["count"] > 1);
}

TEST_CASE("serve answers every frame and ends cleanly at the end of input")
{
  FixedSource source;
  auto [replies, rc] = serve_all(frame(R"({"id":1,"type":"hello"})") + frame("garbage") + frame(R"({"id":3,"type":"quota"})"),
                                 source);
  CHECK(rc == 0);
  REQUIRE(replies.size() == 3);
  CHECK(replies[0]["ok"] == true);
  CHECK(replies[1]["error"]["code"] == "invalid_json");
  CHECK(replies[2]["id"] == 3);
}

TEST_CASE("serve stops with an error reply on a truncated or oversized frame")
{
  FixedSource source;
  {
    auto [replies, rc] = serve_all(frame(R"({"type":"hello"})") + std::string("\x05\x00", 2), source);
    CHECK(rc == 2);
    REQUIRE(replies.size() == 2);
    CHECK(replies[1]["error"]["code"] == "truncated_frame");
  }
  {
    std::string huge(4, '\0');
    const std::uint32_t length = 2u * 1024 * 1024 * 1024;
    std::memcpy(huge.data(), &length, 4);
    auto [replies, rc] = serve_all(huge + "{}", source);
    CHECK(rc == 2);
    REQUIRE(replies.size() == 1);
    CHECK(replies[0]["error"]["code"] == "frame_too_large");
  }
  CHECK(source.calls == 0);
}

TEST_CASE("serve stops quietly when the browser has gone")
{
  FixedSource source;
  native_messaging::StringSource in(frame(R"({"type":"hello"})") + frame(R"({"type":"hello"})"));
  int writes = 0;
  CHECK(serve(in, [&](std::string_view) { ++writes; return false; }, source) == 0);
  CHECK(writes == 1);
}

TEST_CASE("Only the origins the host manifest lists may call")
{
  const std::vector<std::string> allowed = {"chrome-extension://gfdbiljgkggmngehnendpaefknaeabgi/"};
  CHECK(origin_allowed("chrome-extension://gfdbiljgkggmngehnendpaefknaeabgi/", allowed));
  CHECK_FALSE(origin_allowed("chrome-extension://gfdbiljgkggmngehnendpaefknaeabgi", allowed));
  CHECK_FALSE(origin_allowed("chrome-extension://aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/", allowed));
  CHECK_FALSE(origin_allowed("", allowed));
  CHECK_FALSE(origin_allowed("chrome-extension://gfdbiljgkggmngehnendpaefknaeabgi/", {}));
}

TEST_CASE("allowed_origins are read from the host manifest; a broken manifest is an error")
{
  const auto dir = std::filesystem::temp_directory_path() / ("helios-test-host-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto good = (dir / "good.json").string();
  std::ofstream(good) << R"({"name":"io.helios.companion","allowed_origins":["chrome-extension://a/"]})";
  CHECK(read_allowed_origins(good).value() == std::vector<std::string>{"chrome-extension://a/"});
  const auto bad = (dir / "bad.json").string();
  std::ofstream(bad) << R"({"name":"x"})";
  CHECK(read_allowed_origins(bad).error().code == "host_manifest_invalid");
  CHECK(read_allowed_origins((dir / "absent.json").string()).error().code == "host_manifest_unreadable");
  std::filesystem::remove_all(dir);
}
