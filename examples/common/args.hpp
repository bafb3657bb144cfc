// The command line every homework example takes: --out DIR (where reports and
// plots go, created if missing), --device cpu|cuda (where models run; cuda
// needs a GPU and a model library built with the cuda target) and, where a
// full-size run exists, --full. Anything else is an error that names it.
#pragma once

#include <loom/rt/device.hpp>
#include <loom/rt/error.hpp>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <filesystem>
#include <map>
#include <string>

namespace examples {

struct Args {
  std::string out;
  bool full = false;
  std::map<std::string, std::string> options; // extra --name VALUE options the example accepts
};

/// Parses argv; `extra` lists the example's own --name VALUE options (with
/// defaults); an empty `default_out` means the example writes no files (no --out).
/// An error the example does not catch (a missing data file, no GPU) ends it
/// with its message and exit status 1.
inline Args parse_args(int argc, char **argv, const char *name, std::string default_out, bool has_full,
                       std::map<std::string, std::string> extra = {}) {
  static const char *program = name;
  std::set_terminate([] {
    if (auto e = std::current_exception()) try {
        std::rethrow_exception(e);
      } catch (const std::exception &x) {
        std::fprintf(stderr, "%s: error: %s\n", program, x.what());
      } catch (...) {
      }
    std::_Exit(1);
  });
  const bool writes = !default_out.empty();
  Args a{std::move(default_out), false, std::move(extra)};
  auto usage = [&] {
    std::string u = std::string("usage: ") + name + (writes ? " [--out DIR]" : "") + " [--device cpu|cuda]" +
                    (has_full ? " [--full]" : "");
    for (auto &[k, v] : a.options) u += " [--" + k + " VALUE]";
    return u;
  };
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--out" && writes && i + 1 < argc) a.out = argv[++i];
    else if (arg == "--full" && has_full) a.full = true;
    else if ((arg == "--device" && i + 1 < argc) || arg.rfind("--device=", 0) == 0) {
      std::string d = arg == "--device" ? argv[++i] : arg.substr(9);
      try {
        loom::rt::set_default_device(loom::rt::parse_device(d));
        if (loom::rt::default_device() == loom::rt::Device::cuda)
          std::fprintf(stderr, "%s: models run on %s\n", name, loom::rt::cuda::device_description().c_str());
      } catch (const loom::rt::Error &e) {
        std::fprintf(stderr, "%s: --device %s: %s\n", name, d.c_str(), e.what());
        std::exit(2);
      }
    }
    else if (arg.rfind("--", 0) == 0 && a.options.count(arg.substr(2)) && i + 1 < argc) a.options[arg.substr(2)] = argv[++i];
    else {
      std::fprintf(stderr, "%s: unknown argument '%s'\n%s\n", name, argv[i], usage().c_str());
      std::exit(2);
    }
  }
  if (writes) std::filesystem::create_directories(a.out);
  return a;
}

} // namespace examples
