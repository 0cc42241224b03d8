#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>

#include <unistd.h>

#include "cli/command.hpp"
#include "cli/output.hpp"
#include "core/error.hpp"

namespace helios::cli {

std::vector<CommandRegistration>& command_table()
{
  static std::vector<CommandRegistration> table;
  return table;
}

namespace {

constexpr const char* k_description =
  "helios fits a software stack into the free tiers of many cloud and AI providers at once and keeps it there.";

constexpr const char* k_footer =
  "Exit codes: 0 ok, 1 runtime error (provider, network, IO), 2 usage or invalid input, 3 denied by policy,\n"
  "4 no feasible placement / no provider with quota left, 5 state locked or changed underneath.\n"
  "Run `helios <command> --help` for a command's flags and an example.";

void print_error(const Context& ctx, const ErrorInfo& info)
{
  if (ctx.json) {
    std::string text = info.to_json().dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
    std::printf("%s\n", text.c_str());
    std::fflush(stdout);
  }
  std::fprintf(stderr, "helios: error: %s\n", info.to_string().c_str());
}

bool wants_json(int argc, char** argv)
{
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--") == 0) {
      return false;
    }
    if (std::strcmp(argv[i], "--json") == 0) {
      return true;
    }
  }
  return false;
}

}  // namespace

void build_app(CLI::App& app, Context& ctx)
{
  app.description(k_description);
  app.footer(k_footer);
  app.fallthrough();
  app.require_subcommand(0, 1);
  app.set_help_all_flag("--help-all", "Print the help of every command");
  app.add_flag("--json", ctx.json, "Print exactly one JSON document on stdout (the result or the error object)");
  app.add_option("--state", ctx.state_dir, "State directory (default: .helios beside the manifest, or HELIOS_STATE)");
  app.add_option("-f,--file", ctx.manifest, "Stack manifest (default: helios.yaml)");
  app.add_option("--catalog", ctx.catalogs, "User catalog file that adds or overrides offerings (repeatable)");
  static bool version_flag = false;
  app.add_flag("--version", version_flag, "Print the version and exit");
  // Runs once every flag is parsed and before any command's callback (CLI11 runs those inside parse()).
  app.parse_complete_callback(
    [&ctx] { ctx.color = !ctx.json && isatty(STDOUT_FILENO) && std::getenv("NO_COLOR") == nullptr; });

  auto help = app.add_subcommand("help", "Print this help, or a command's help: helios help [COMMAND]");
  help->allow_extras();
  help->footer("Example:\n  helios help place");
  help->callback([&app, help]() {
    const auto extras = help->remaining();
    if (!extras.empty()) {
      for (auto* sub : app.get_subcommands({})) {
        if (sub->get_name() == extras.front()) {
          std::cout << sub->get_formatter()->make_help(sub, sub->get_name(), CLI::AppFormatMode::Normal);
          return;
        }
      }
      throw Error(ExitCode::usage, "unknown_command", "no command named '" + extras.front() + "'", "",
                  "run `helios help` for the list of commands");
    }
    std::cout << app.get_formatter()->make_help(&app, "helios", CLI::AppFormatMode::Normal);
  });

  auto table = command_table();
  std::stable_sort(table.begin(), table.end(), [](const auto& a, const auto& b) { return a.order < b.order; });
  for (const auto& command : table) {
    command.setup(app, ctx);
  }
}

int run(int argc, char** argv)
{
  // Fast path: agents call `helios --version` often; answer before building anything.
  if (argc == 2 && std::strcmp(argv[1], "--version") == 0) {
    std::fputs("helios " HELIOS_VERSION "\n", stdout);
    return 0;
  }
  Context ctx;
  ctx.json = wants_json(argc, argv);
  try {
    CLI::App app;
    app.name("helios");
    build_app(app, ctx);
    try {
      app.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
      return app.exit(e);
    } catch (const CLI::CallForAllHelp& e) {
      return app.exit(e);
    } catch (const CLI::ParseError& e) {
      std::string hint = "run `helios --help` or `helios <command> --help`";
      throw Error(ExitCode::usage, "usage", e.what(), "", hint);
    }
    if (app.get_subcommands().empty()) {
      if (app.count("--version") > 0) {
        emit(ctx, {{"version", HELIOS_VERSION}}, [] { std::puts("helios " HELIOS_VERSION); });
        return 0;
      }
      if (ctx.json) {
        throw Error(ExitCode::usage, "usage", "no command given", "", "run `helios help` for the list of commands");
      }
      std::cout << app.help();
      return static_cast<int>(ExitCode::usage);
    }
    return ctx.exit_code;
  } catch (const Error& e) {
    print_error(ctx, e.info());
    return static_cast<int>(e.info().exit);
  } catch (const std::bad_alloc&) {
    print_error(ctx, ErrorInfo{ExitCode::runtime, "out_of_memory", "out of memory", "", "", {}});
    return static_cast<int>(ExitCode::runtime);
  } catch (const std::exception& e) {
    print_error(ctx, ErrorInfo{ExitCode::runtime, "internal", e.what(), "",
                               "this is a bug in helios; please report it with the command you ran", {}});
    return static_cast<int>(ExitCode::runtime);
  }
}

}  // namespace helios::cli
