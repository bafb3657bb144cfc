// Line and scatter plots written as SVG: no dependency, viewable in any
// browser, and diffable text (see docs/architecture.md for the choice).
#pragma once

#include <string>
#include <vector>

namespace loom::rt {

struct Series {
  std::string label;
  std::vector<double> x, y;
  enum Style { line, points } style = line;
  std::string color; // empty: the next of a fixed palette
};

struct Plot {
  std::string title, xlabel, ylabel;
  bool log_y = false;
  std::vector<Series> series;
  int width = 720, height = 440;

  Plot &add(Series s) {
    series.push_back(std::move(s));
    return *this;
  }
  /// Writes the plot; throws loom::rt::Error naming the file if it cannot.
  void save_svg(const std::string &path) const;
};

} // namespace loom::rt
