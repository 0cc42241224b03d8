#include "cli/command.hpp"

int main(int argc, char** argv)
{
  return helios::cli::run(argc, argv);
}
