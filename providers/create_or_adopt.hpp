#pragma once
// Idempotent create by deterministic name, the contract every remote adapter honours (docs/providers.md):
// what already exists under the name is adopted; otherwise the create call is sent, and when it fails in a
// way that may have succeeded remotely (a lost answer, a 5xx, a dropped connection) the name is looked up
// again and what exists is adopted, rather than a failure reported that left a resource behind.

#include <functional>
#include <optional>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "providers/api_client.hpp"

namespace helios::providers {

template <typename T>
struct CreateOrAdopt {
  // Looks the deterministic name up: what has it, nullopt when nothing does, or the lookup's error.
  std::function<Result<std::optional<T>>()> find;
  // The create call, built only when the lookup found nothing (it may ask the API first: an owner id, a group).
  std::function<Result<ApiCall>()> call;
  // What the create's 2xx body describes.
  std::function<T(nlohmann::json body)> made;
};

// The lookup by deterministic name over a listing (a `find`): the first item whose string field `key` is
// `name`, made into a T by `make`; nullopt when none is; the listing's error when it failed.
template <typename T, typename Items, typename Make>
Result<std::optional<T>> find_named(const Result<Items>& items, std::string_view key, std::string_view name, Make make)
{
  if (!items) {
    return tl::unexpected(items.error());
  }
  for (const auto& item : *items) {
    if (json_string(item, key) == name) {
      return std::optional<T>(make(item));
    }
  }
  return std::optional<T>();
}

template <typename T>
Result<T> create_or_adopt(const ApiClient& api, const CreateOrAdopt<T>& steps)
{
  auto existing = steps.find();
  if (!existing) {
    return tl::unexpected(existing.error());
  }
  if (*existing) {
    return std::move(**existing);
  }
  auto call = steps.call();
  if (!call) {
    return tl::unexpected(call.error());
  }
  auto response = api.send(*call);
  if (!response || !response->ok()) {
    auto again = steps.find();
    if (again && *again) {
      return std::move(**again);
    }
    if (!response) {
      return tl::unexpected(response.error());
    }
    return tl::unexpected(api.http_error(*call, *response));
  }
  auto body = api.body_of(*call, *response);
  if (!body) {
    return tl::unexpected(body.error());
  }
  return steps.made(std::move(*body));
}

}  // namespace helios::providers
