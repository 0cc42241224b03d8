#include "core/http/request_budget.hpp"

#include <algorithm>
#include <charconv>

#include <fmt/format.h>

#include "core/http/headers.hpp"

namespace helios::http {

namespace {
std::optional<double> number(std::string_view text)
{
  text = trim(text);
  double value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr != text.data() + text.size()) {
    return std::nullopt;
  }
  return value;
}
}  // namespace

std::string RateSpec::to_string() const
{
  if (unlimited) {
    return "unlimited";
  }
  return fmt::format("{:g}/{:g}s", amount, per.count());
}

std::optional<RateSpec> parse_rate_spec(std::string_view text)
{
  text = trim(text);
  if (text.empty()) {
    return std::nullopt;
  }
  if (iequals(text, "unlimited") || iequals(text, "none") || text == "0") {
    return RateSpec{};
  }
  RateSpec spec;
  spec.unlimited = false;
  if (auto comma = text.find(','); comma != std::string_view::npos) {
    auto option = trim(text.substr(comma + 1));
    text = trim(text.substr(0, comma));
    if (option.substr(0, 6) != "burst=") {
      return std::nullopt;
    }
    auto burst = number(option.substr(6));
    if (!burst || *burst < 1) {
      return std::nullopt;
    }
    spec.burst = *burst;
  }
  auto slash = text.find('/');
  if (slash == std::string_view::npos) {
    return std::nullopt;
  }
  auto amount = number(text.substr(0, slash));
  if (!amount || *amount <= 0) {
    return std::nullopt;
  }
  spec.amount = *amount;
  auto period = trim(text.substr(slash + 1));
  std::size_t digits = 0;
  while (digits < period.size() && ((period[digits] >= '0' && period[digits] <= '9') || period[digits] == '.')) {
    ++digits;
  }
  double count = 1;
  if (digits > 0) {
    auto n = number(period.substr(0, digits));
    if (!n || *n <= 0) {
      return std::nullopt;
    }
    count = *n;
  }
  auto unit = trim(period.substr(digits));
  double seconds = 0;
  if (unit == "s" || unit == "sec" || unit == "second") {
    seconds = 1;
  } else if (unit == "m" || unit == "min" || unit == "minute") {
    seconds = 60;
  } else if (unit == "h" || unit == "hour") {
    seconds = 3600;
  } else if (unit == "d" || unit == "day") {
    seconds = 86400;
  } else {
    return std::nullopt;
  }
  spec.per = std::chrono::duration<double>(count * seconds);
  return spec;
}

RequestBudget::RequestBudget(RateSpec spec, Clock::time_point now) : m_spec(spec), m_last(now)
{
  if (!m_spec.unlimited) {
    m_capacity = m_spec.burst > 0 ? m_spec.burst : std::max(1.0, std::min(m_spec.amount, m_spec.per_second()));
    m_tokens = m_capacity;
  }
}

void RequestBudget::refill(Clock::time_point now)
{
  if (now <= m_last) {
    return;
  }
  double elapsed = std::chrono::duration<double>(now - m_last).count();
  m_tokens = std::min(m_capacity, m_tokens + elapsed * m_spec.per_second());
  m_last = now;
}

std::optional<RequestBudget::Clock::time_point> RequestBudget::try_acquire(Clock::time_point now)
{
  if (now < m_blocked_until) {
    return m_blocked_until;
  }
  if (m_spec.unlimited) {
    return std::nullopt;
  }
  refill(now);
  if (m_tokens >= 1.0) {
    m_tokens -= 1.0;
    return std::nullopt;
  }
  double wait = (1.0 - m_tokens) / m_spec.per_second();
  return now + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(wait));
}

void RequestBudget::block_until(Clock::time_point until)
{
  m_blocked_until = std::max(m_blocked_until, until);
}

}  // namespace helios::http
