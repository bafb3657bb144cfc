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

/// A small grayscale image (row-major), e.g. a convolution kernel.
struct Image {
  std::string label;
  int width = 0, height = 0;
  std::vector<float> pixels;
};

/// Images side by side, each scaled from its own min (black) to max (white),
/// with its label below. Throws loom::rt::Error naming the file if it cannot write.
void save_images_svg(const std::string &path, const std::string &title, const std::vector<Image> &images,
                     int cell = 14);

/// Prints a progress line to stderr at most twice a second: label, epoch,
/// loss, accuracy, images/s, ETA.
class Progress {
public:
  Progress(std::string label, long total_steps, long images_per_step);
  void step(long epoch, long epochs, double loss, double accuracy);
  void done();

private:
  std::string label_;
  long total_, per_step_, done_ = 0;
  double start_, last_ = 0;
};

} // namespace loom::rt
