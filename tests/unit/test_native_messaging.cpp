#include <doctest/doctest.h>

#include <cstring>
#include <string>

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include "core/native_messaging.hpp"

using namespace helios::native_messaging;

namespace {

std::string prefix(std::uint32_t length)
{
  std::string out(4, '\0');
  std::memcpy(out.data(), &length, 4);
  return out;
}

}  // namespace

TEST_SUITE_BEGIN("native_messaging");

TEST_CASE("A frame is a native-endian 32-bit length and the payload")
{
  const std::string bytes = encode_frame("{\"type\":\"quota\"}");
  REQUIRE(bytes.size() == 4 + 16);
  CHECK(bytes.substr(0, 4) == prefix(16));
  StringSource source(bytes + encode_frame("{}"));
  Frame first = read_frame(source);
  CHECK(first.status == FrameStatus::ok);
  CHECK(first.payload == "{\"type\":\"quota\"}");
  Frame second = read_frame(source);
  CHECK(second.status == FrameStatus::ok);
  CHECK(second.payload == "{}");
  CHECK(read_frame(source).status == FrameStatus::end);
}

TEST_CASE("Empty input is a clean end, not an error")
{
  StringSource source("");
  CHECK(read_frame(source).status == FrameStatus::end);
}

TEST_CASE("A zero-length frame is read as an empty payload")
{
  StringSource source(prefix(0));
  Frame frame = read_frame(source);
  CHECK(frame.status == FrameStatus::ok);
  CHECK(frame.payload.empty());
}

TEST_CASE("Input ending inside the length prefix is truncated")
{
  for (int n = 1; n < 4; ++n) {
    StringSource source(prefix(5).substr(0, n));
    CHECK(read_frame(source).status == FrameStatus::truncated);
  }
}

TEST_CASE("Input ending inside the body is truncated and yields no payload")
{
  StringSource source(prefix(10) + "{\"a\":");
  Frame frame = read_frame(source);
  CHECK(frame.status == FrameStatus::truncated);
  CHECK(frame.payload.empty());
}

TEST_CASE("An oversized length is refused without reading or allocating the body")
{
  StringSource source(prefix(0xFFFFFFFFu) + "xyz");
  Frame frame = read_frame(source, 1024);
  CHECK(frame.status == FrameStatus::too_large);
  CHECK(frame.length == 0xFFFFFFFFu);
  CHECK(frame.payload.empty());

  StringSource at_limit(prefix(1024) + std::string(1024, 'x'));
  CHECK(read_frame(at_limit, 1024).status == FrameStatus::ok);
  StringSource over(prefix(1025) + std::string(1025, 'x'));
  CHECK(read_frame(over, 1024).status == FrameStatus::too_large);
}

TEST_CASE("A frame that stops arriving through a pipe is truncated after the stall deadline, not a hang")
{
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  const std::string partial = prefix(100) + "{\"type\"";
  REQUIRE(::write(fds[1], partial.data(), partial.size()) == static_cast<ssize_t>(partial.size()));
  FdSource source(fds[0], 20);  // the write end stays open: the rest never comes
  CHECK(read_frame(source).status == FrameStatus::truncated);
  ::close(fds[0]);
  ::close(fds[1]);
}

TEST_CASE("Frames arriving through a pipe in pieces are reassembled")
{
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  const std::string bytes = encode_frame("{\"type\":\"hello\"}");
  for (char c : bytes) {
    REQUIRE(::write(fds[1], &c, 1) == 1);
  }
  ::close(fds[1]);
  FdSource source(fds[0], 1000);
  Frame frame = read_frame(source);
  CHECK(frame.status == FrameStatus::ok);
  CHECK(frame.payload == "{\"type\":\"hello\"}");
  CHECK(read_frame(source).status == FrameStatus::end);
  ::close(fds[0]);
}

TEST_CASE("write_frame reports a reader that has gone instead of dying")
{
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  ::close(fds[0]);
  struct sigaction ignore {};
  ignore.sa_handler = SIG_IGN;
  struct sigaction old {};
  ::sigaction(SIGPIPE, &ignore, &old);
  CHECK_FALSE(write_frame(fds[1], "{}"));
  ::sigaction(SIGPIPE, &old, nullptr);
  ::close(fds[1]);
}

TEST_CASE("UTF-8 validation rejects malformed sequences")
{
  CHECK(valid_utf8("plain"));
  CHECK(valid_utf8("r\xC3\xA9sum\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80"));
  CHECK_FALSE(valid_utf8("\xC3"));              // cut short
  CHECK_FALSE(valid_utf8("\xC0\xAF"));          // overlong
  CHECK_FALSE(valid_utf8("\xED\xA0\x80"));      // surrogate
  CHECK_FALSE(valid_utf8("\xF4\x90\x80\x80"));  // past U+10FFFF
  CHECK_FALSE(valid_utf8("\xFF"));
  CHECK_FALSE(valid_utf8("\x80"));
}

TEST_CASE("Pages fit their budget once escaped and never split a UTF-8 sequence")
{
  std::string text;
  for (int i = 0; i < 500; ++i) {
    text += "\"quote\" \\ \n \x01 \xE2\x82\xAC \xF0\x9F\x98\x80 ";
  }
  const std::size_t budget = 100;
  const auto pages = page_text(text, budget);
  CHECK(pages.size() > 1);
  std::string joined;
  for (const auto& page : pages) {
    CHECK(json_string_size(page) <= budget);
    CHECK(valid_utf8(page));
    joined += page;
  }
  CHECK(joined == text);
  CHECK(page_text("", 100).size() == 1);
  CHECK(json_string_size("a\"\n\x01") == 2 + 1 + 2 + 2 + 6);
}
