// argv -> subcommand -> exit code. Everything else lives in ewstrigd_core.
#include "cli/commands.hpp"

#include <iostream>

int main(int argc, char** argv) { return ewstrigd::cli::run_cli(argc, argv, std::cout, std::cerr); }
