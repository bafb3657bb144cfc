// The command line every homework example takes, on loom::rt::ArgParser:
// --out DIR (where reports and plots go, created if missing), --device cpu|cuda
// (where models run; cuda needs a GPU and a model library built with the cuda
// target), --full where a full-size run exists, the example's own options, and
// --help. Anything else is an error that names it (exit 2); an error the
// example does not catch (a missing data file, no GPU) ends it with its message
// and exit status 1.
#pragma once

#include <loom/rt/args.hpp>
#include <loom/rt/device.hpp>
#include <loom/rt/error.hpp>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

namespace examples {

struct Option {
  std::string name, fallback, help;
};

struct Args {
  loom::rt::ArgParser parser;
  std::string out;
  bool full = false;
  const std::string &operator[](const std::string &name) const { return parser.get(name); }
};

/// An empty `default_out` means the example writes no files (no --out).
inline Args parse_args(int argc, char **argv, const char *name, const char *summary, std::string default_out,
                       const char *full_help = nullptr, const std::vector<Option> &extra = {}) {
  loom::rt::exit_on_uncaught_exceptions(name);
  Args a{loom::rt::ArgParser(name, summary)};
  if (!default_out.empty()) a.parser.option("out", default_out, "directory for the report and plots");
  a.parser.option("device", "", "where models run: cpu or cuda (default: $LOOM_DEVICE, else cpu)");
  if (full_help) a.parser.flag("full", full_help);
  for (const Option &o : extra) a.parser.option(o.name, o.fallback, o.help);
  a.parser.parse(argc, argv);
  const std::string d = a.parser.get("device");
  if (a.parser.given("device")) { // else LOOM_DEVICE (or the cpu) decides
    try {
      loom::rt::set_default_device(loom::rt::parse_device(d));
      if (loom::rt::default_device() == loom::rt::Device::cuda)
        std::fprintf(stderr, "%s: models run on %s\n", name, loom::rt::cuda::device_description().c_str());
    } catch (const loom::rt::Error &e) {
      std::fprintf(stderr, "%s: --device %s: %s\n", name, d.c_str(), e.what());
      std::exit(2);
    }
  }
  if (full_help) a.full = a.parser.has("full");
  if (!default_out.empty()) {
    a.out = a.parser.get("out");
    std::filesystem::create_directories(a.out);
  }
  return a;
}

} // namespace examples
