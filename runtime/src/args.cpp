#include "loom/rt/args.hpp"
#include "loom/rt/error.hpp"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <exception>

namespace loom::rt {

namespace {
struct HelpRequested : Error {
  HelpRequested() : Error("--help asks for the usage") {}
};
} // namespace

ArgParser::ArgParser(std::string program, std::string summary)
    : program_(std::move(program)), summary_(std::move(summary)) {}

ArgParser &ArgParser::option(std::string name, std::string fallback, std::string help) {
  args_.push_back({std::move(name), fallback, std::move(help), fallback, Arg::option});
  return *this;
}
ArgParser &ArgParser::flag(std::string name, std::string help) {
  args_.push_back({std::move(name), "", std::move(help), "", Arg::flag});
  return *this;
}
ArgParser &ArgParser::positional(std::string name, std::string fallback, std::string help) {
  args_.push_back({std::move(name), fallback, std::move(help), fallback, Arg::positional});
  return *this;
}

ArgParser::Arg &ArgParser::find(const std::string &name, const char *what) {
  for (Arg &a : args_)
    if (a.name == name) return a;
  throw Error(program_ + ": no " + what + " '" + name + "' was declared");
}
const ArgParser::Arg &ArgParser::find(const std::string &name, const char *what) const {
  return const_cast<ArgParser *>(this)->find(name, what);
}

std::string ArgParser::usage() const {
  auto spelling = [](const Arg &a) {
    return a.kind == Arg::option ? "--" + a.name + " VALUE" : a.kind == Arg::flag ? "--" + a.name : a.name;
  };
  std::string u = "usage: " + program_ + " [--help]";
  for (const Arg &a : args_) u += " [" + spelling(a) + "]";
  u += "\n";
  if (!summary_.empty()) u += "\n" + summary_ + "\n";
  u += "\n";
  for (const Arg &a : args_) {
    std::string left = spelling(a);
    left.resize(std::max<std::size_t>(left.size() + 2, 24), ' ');
    u += "  " + left + a.help;
    if (a.kind != Arg::flag && !a.fallback.empty()) u += " (default " + a.fallback + ")";
    u += "\n";
  }
  return u + "  --help                  this text\n";
}

void ArgParser::parse_or_throw(int argc, const char *const *argv) {
  std::size_t next_positional = 0;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") throw HelpRequested();
    if (arg.rfind("--", 0) == 0) {
      std::string name = arg.substr(2), value;
      bool inline_value = false;
      if (auto eq = name.find('='); eq != std::string::npos)
        value = name.substr(eq + 1), name.resize(eq), inline_value = true;
      Arg *match = nullptr;
      for (Arg &a : args_)
        if (a.kind != Arg::positional && a.name == name) match = &a;
      if (!match) throw Error("unknown option '" + arg + "'");
      if (match->kind == Arg::flag) {
        if (inline_value) throw Error("--" + name + " takes no value");
        match->given = true;
        continue;
      }
      if (!inline_value) {
        if (i + 1 >= argc) throw Error("--" + name + " needs a value");
        value = argv[++i];
      }
      match->value = value, match->given = true;
      continue;
    }
    std::size_t k = 0, seen = 0;
    for (; k < args_.size(); ++k)
      if (args_[k].kind == Arg::positional && seen++ == next_positional) break;
    if (k == args_.size()) throw Error("unexpected argument '" + arg + "'");
    args_[k].value = arg, args_[k].given = true, ++next_positional;
  }
}

void ArgParser::parse(int argc, char **argv) {
  try {
    parse_or_throw(argc, argv);
  } catch (const HelpRequested &) {
    std::fputs(usage().c_str(), stdout);
    std::exit(0);
  } catch (const Error &e) {
    std::fprintf(stderr, "%s: %s\n%s", program_.c_str(), e.what(), usage().c_str());
    std::exit(2);
  }
}

const std::string &ArgParser::get(const std::string &name) const { return find(name, "option").value; }
bool ArgParser::has(const std::string &flag) const { return find(flag, "flag").given; }
bool ArgParser::given(const std::string &name) const { return find(name, "option").given; }

long ArgParser::integer(const std::string &name, long min) const {
  const std::string &v = get(name);
  char *end = nullptr;
  errno = 0;
  long n = std::strtol(v.c_str(), &end, 10);
  if (v.empty() || *end || errno || n < min)
    throw Error("--" + name + " '" + v + "': expected an integer >= " + std::to_string(min));
  return n;
}

double ArgParser::number(const std::string &name) const {
  const std::string &v = get(name);
  char *end = nullptr;
  errno = 0;
  double x = std::strtod(v.c_str(), &end);
  if (v.empty() || *end || errno) throw Error("--" + name + " '" + v + "': expected a number");
  return x;
}

namespace {
const char *terminating_program = "loom";
}

void exit_on_uncaught_exceptions(const char *program) {
  terminating_program = program;
  std::set_terminate([] {
    if (auto e = std::current_exception()) try {
        std::rethrow_exception(e);
      } catch (const std::exception &x) {
        std::fprintf(stderr, "%s: error: %s\n", terminating_program, x.what());
      } catch (...) {
        std::fprintf(stderr, "%s: error: an unknown exception\n", terminating_program);
      }
    std::_Exit(1);
  });
}

} // namespace loom::rt
