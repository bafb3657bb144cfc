// An example's report: each line printed as it comes and kept, so the same
// text ends up in the Markdown file the main job gathers.
#pragma once

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

namespace examples {

inline std::ostringstream &report() {
  static std::ostringstream md;
  return md;
}
/// Prints `s` (flushed: progress goes to stderr meanwhile) and adds it to the report.
inline void line(const std::string &s) {
  std::printf("%s\n", s.c_str());
  std::fflush(stdout);
  report() << s << "\n";
}
inline void save_report(const std::string &path) { std::ofstream(path) << report().str(); }

} // namespace examples
