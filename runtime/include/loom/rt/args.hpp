// Command lines for programs built on loom: --name VALUE options (also
// --name=VALUE), --flag switches and positional values, each with a default and
// a line of help; --help prints them. Errors name the argument. The examples,
// benchmarks and tests use it; an outside project may too.
//
//   loom::rt::ArgParser args("train_lenet", "Trains LeNet-5 on Fashion-MNIST.");
//   args.option("epochs", "10", "passes over the training set").flag("full", "every image");
//   args.parse(argc, argv);              // --help: usage on stdout, exit 0
//   long epochs = args.integer("epochs", 1); // "--epochs 'x': expected an integer >= 1"
#pragma once

#include <string>
#include <vector>

namespace loom::rt {

class ArgParser {
public:
  ArgParser(std::string program, std::string summary);
  /// --name VALUE (or --name=VALUE), `fallback` when absent.
  ArgParser &option(std::string name, std::string fallback, std::string help);
  /// --name, false when absent.
  ArgParser &flag(std::string name, std::string help);
  /// The next bare argument, in declaration order; `fallback` when absent.
  ArgParser &positional(std::string name, std::string fallback, std::string help);

  /// Parses argv. --help (or -h) prints usage() to stdout and exits 0; an
  /// unknown argument, an option without its value or one positional too many
  /// prints the problem and the usage to stderr and exits 2.
  void parse(int argc, char **argv);
  /// The same, but throws loom::rt::Error instead of exiting (for tests and
  /// for programs that parse more than once); --help is then an error too.
  void parse_or_throw(int argc, const char *const *argv);

  const std::string &get(const std::string &name) const;
  bool has(const std::string &flag) const;
  /// get(name) as an integer (>= min) or a number; an Error names the option and the value.
  long integer(const std::string &name, long min = 0) const;
  double number(const std::string &name) const;
  /// Whether the option was given on the command line (not only its default).
  bool given(const std::string &name) const;

  std::string usage() const;
  const std::string &program() const { return program_; }

private:
  struct Arg {
    std::string name, value, help, fallback;
    enum Kind { option, flag, positional } kind;
    bool given = false;
  };
  Arg &find(const std::string &name, const char *what);
  const Arg &find(const std::string &name, const char *what) const;
  std::string program_, summary_;
  std::vector<Arg> args_;
};

/// An exception that escapes main() prints "program: error: <what()>" on
/// stderr and exits with status 1 (instead of std::terminate's abort).
void exit_on_uncaught_exceptions(const char *program);

} // namespace loom::rt
