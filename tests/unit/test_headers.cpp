#include <doctest/doctest.h>

#include "core/http/headers.hpp"

using namespace helios::http;

TEST_SUITE_BEGIN("headers");

TEST_CASE("Header lookup ignores case and trims values")
{
  Headers h;
  h.parse_line("HTTP/1.1 100 Continue\r\n");
  h.parse_line("X-Old: 1\r\n");
  h.parse_line("HTTP/1.1 200 OK\r\n");  // a new block replaces the interim one
  h.parse_line("Content-Type:  application/json \r\n");
  h.parse_line("Set-Cookie: a=1\r\n");
  h.parse_line("set-cookie: b=2\r\n");
  h.parse_line("\r\n");
  CHECK_FALSE(h.contains("x-old"));
  CHECK(h.get("content-type").value() == "application/json");
  CHECK(h.get_all("SET-COOKIE").size() == 2);
  h.set("content-type", "text/plain");
  CHECK(h.get("Content-Type").value() == "text/plain");
  CHECK(h.size() == 3);
}
