// pop3spec: the command line. Everything is in cli.cpp and its siblings, so the tests run it in-process.
#include <csignal>
#include <iostream>
#include <string>
#include <vector>

#include "cli/cli.hpp"

int main(int argc, char** argv) {
    // A server closing mid-write must not kill the run: writes fail with EPIPE instead.
    std::signal(SIGPIPE, SIG_IGN);
    std::vector<std::string> args(argv + 1, argv + argc);
    return pop3::cli::main(args, std::cout, std::cerr);
}
