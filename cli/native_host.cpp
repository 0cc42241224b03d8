// helios native-host: the companion extension's native-messaging host (docs/extension.md). Chrome starts
// it through the launcher that `helios extension install-host` writes, with the caller's origin as the
// first argument; it speaks length-prefixed JSON on stdin/stdout until stdin ends. Read-only.

#include <csignal>
#include <filesystem>
#include <memory>

#include <unistd.h>

#include <fmt/format.h>

#include "cli/command.hpp"
#include "cli/native_host_source.hpp"
#include "cli/output.hpp"
#include "core/native_host.hpp"
#include "core/native_messaging.hpp"

namespace helios::cli {

namespace {

struct NativeHostOptions {
  std::string origin;         // chrome-extension://<id>/, passed by Chrome as argv[1]
  std::string host_manifest;  // the manifest whose allowed_origins the caller must be in
  int stall_ms = 5000;
};

std::string self_path()
{
  std::error_code ec;
  auto path = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::string("helios") : path.string();
}

void run_native_host(Context& ctx, const NativeHostOptions& options)
{
  // The browser may close the pipe at any moment: a write must fail, not kill the host.
  std::signal(SIGPIPE, SIG_IGN);
  auto write = [](std::string_view payload) { return native_messaging::write_frame(STDOUT_FILENO, payload); };

  if (options.host_manifest.empty()) {
    throw Error(ExitCode::usage, "no_host_manifest", "native-host needs --host-manifest", "",
                "Chrome starts it through the launcher `helios extension install-host` writes");
  }
  const auto allowed = value_or_throw(native_host::read_allowed_origins(options.host_manifest));
  if (!native_host::origin_allowed(options.origin, allowed)) {
    write(native_host::error_reply(nullptr, "origin_not_allowed",
                                   fmt::format("origin '{}' is not in the host manifest's allowed_origins",
                                               options.origin.substr(0, 200)),
                                   "run `helios extension install-host --extension-id ID` for that extension"));
    throw Error(ExitCode::denied, "origin_not_allowed",
                fmt::format("origin '{}' is not allowed by {}", options.origin.substr(0, 200), options.host_manifest));
  }

  std::error_code ec;
  std::string state = std::filesystem::absolute(ctx.state_path(), ec).lexically_normal().string();
  CommandSource source(self_path(), state, options.host_manifest, options.origin);
  native_messaging::FdSource in(STDIN_FILENO, options.stall_ms);
  ctx.exit_code = native_host::serve(in, write, source);
}

void setup_native_host(CLI::App& app, Context& ctx)
{
  auto options = std::make_shared<NativeHostOptions>();
  auto* sub = app.add_subcommand("native-host", "Native-messaging host of the companion browser extension (stdio)");
  sub->add_option("origin", options->origin, "The calling extension's origin (Chrome passes it)");
  sub->add_option("--host-manifest", options->host_manifest,
                  "The host manifest whose allowed_origins may call (the launcher passes it)");
  sub->add_option("--stall-ms", options->stall_ms, "Give up on a message that stops arriving after this long")
    ->check(CLI::Range(10, 600000));
  sub->allow_extras();  // Chrome may append further arguments (e.g. --parent-window on other systems)
  sub->footer(
    "Requests and replies are documented in docs/extension.md. Chrome runs the host itself; to try it by hand:\n"
    "Example:\n"
    "  helios extension install-host --user-data-dir /tmp/profile\n"
    "  printf '\\x10\\x00\\x00\\x00{\"type\":\"quota\"}' | \\\n"
    "    helios native-host --host-manifest /tmp/profile/NativeMessagingHosts/io.helios.companion.json \\\n"
    "    chrome-extension://gfdbiljgkggmngehnendpaefknaeabgi/ | tail -c +5");
  sub->callback([&ctx, options]() { run_native_host(ctx, *options); });
}

}  // namespace

HELIOS_COMMAND("native-host", 120, setup_native_host);

}  // namespace helios::cli
