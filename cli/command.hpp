#pragma once
// The command table. Each cli/<command>.cpp registers itself with HELIOS_COMMAND: a name, its place in
// `helios help`, and a setup function that adds the CLI11 subcommand, its flags, an example in its
// footer, and a callback that runs the command and stores its exit code in the Context.

#include <vector>

#include <CLI/CLI.hpp>

#include "cli/context.hpp"

namespace helios::cli {

using CommandSetup = void (*)(CLI::App& app, Context& ctx);

struct CommandRegistration {
  const char* name;
  int order;  // position in `helios help`
  CommandSetup setup;
};

std::vector<CommandRegistration>& command_table();

struct CommandRegistrar {
  CommandRegistrar(const char* name, int order, CommandSetup setup)
  {
    command_table().push_back({name, order, setup});
  }
};

// Builds the whole CLI11 application with every registered command.
void build_app(CLI::App& app, Context& ctx);

// Runs helios with argv; the single place where helios::Error is caught. Returns the exit code.
int run(int argc, char** argv);

}  // namespace helios::cli

#define HELIOS_COMMAND(name, order, setup) \
  static const ::helios::cli::CommandRegistrar helios_command_registrar_##setup(name, order, setup)
