// Line and scatter plots written as SVG: no dependency, viewable in any
// browser, and diffable text (see docs/architecture.md for the choice).
#pragma once

#include <cstdio>
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

/// Training progress on stderr. On a terminal one line updates in place (at
/// most twice a second); otherwise (a log file, a pipe) a whole line every
/// `every_s` seconds and one at the end of each epoch, so logs stay readable.
/// Loss and accuracy are running means over the current epoch; a step that
/// outputs no accuracy passes none and none is shown.
class Progress {
public:
  Progress(std::string label, long total_steps, long images_per_step);
  /// The same, writing to `out`, which is a terminal or not as `terminal` says (for tests).
  Progress(std::string label, long total_steps, long images_per_step, std::FILE *out, bool terminal,
           double every_s = 5);
  /// One step of epoch `epoch` (1-based) of `epochs`.
  void step(long epoch, long epochs, double loss);
  void step(long epoch, long epochs, double loss, double accuracy);
  /// Ends the updating line (and prints the last state once if nothing was printed).
  void done();

private:
  void update(long epoch, long epochs, double loss, double accuracy, bool has_accuracy);
  void print();
  std::string label_;
  long total_, per_step_, done_ = 0;
  std::FILE *out_;
  bool terminal_;
  double every_, start_, last_ = 0;
  long epoch_ = -1, epochs_ = 0, epoch_steps_ = 0;
  double loss_sum_ = 0, accuracy_sum_ = 0;
  bool has_accuracy_ = false, pending_ = false; // pending_: steps since the last line
};

} // namespace loom::rt
