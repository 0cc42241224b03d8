#include <doctest/doctest.h>

#include "core/http/redact.hpp"

using namespace helios::http;

TEST_SUITE_BEGIN("redact");

TEST_CASE("Credentials are masked wherever they appear")
{
  CHECK(redact("Authorization: Bearer abcdef123456") == "Authorization: [redacted]");
  CHECK(redact("sent bearer eyJhbGciOi.x.y to host") == "sent bearer [redacted] to host");
  CHECK(redact("GET https://x/models?key=AIzaSyA123456789&alt=json") ==
        "GET https://x/models?key=[redacted]&alt=json");
  CHECK(redact(R"({"token":"t-123","name":"db"})") == R"({"token":"[redacted]","name":"db"})");
  CHECK(redact("key gsk_ABCDEFGH12345678 leaked") == "key gsk_[redacted] leaked");
  CHECK(redact("postgres://user:hunter2@db.neon.tech/app") == "postgres://user:[redacted]@db.neon.tech/app");
  CHECK(redact_header("Authorization", "Bearer x") == "Authorization: [redacted]");
  CHECK(redact_header("Content-Type", "application/json") == "Content-Type: application/json");
  CHECK(redact("nothing secret here") == "nothing secret here");
}

TEST_CASE("Registered secrets are masked even without a recognisable shape")
{
  register_secret("plain-looking-value-42");
  CHECK(redact("the error mentions plain-looking-value-42 twice: plain-looking-value-42") ==
        "the error mentions [redacted] twice: [redacted]");
  register_secret("ab");  // too short to mask safely: ignored
  CHECK(redact("about abc") == "about abc");
}
