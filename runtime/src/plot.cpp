#include "loom/rt/plot.hpp"
#include "loom/rt/error.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <limits>
#include <sstream>

#include <unistd.h>

namespace loom::rt {

namespace {
const char *const kPalette[] = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#17becf"};

std::string esc(const std::string &s) {
  std::string o;
  for (char c : s) o += c == '<' ? "&lt;" : c == '>' ? "&gt;" : c == '&' ? "&amp;" : std::string(1, c);
  return o;
}

/// About five round tick values covering [lo, hi].
std::vector<double> ticks(double lo, double hi) {
  double span = hi - lo, step = std::pow(10.0, std::floor(std::log10(span / 5)));
  for (double m : {1.0, 2.0, 5.0, 10.0})
    if (span / (step * m) <= 6) {
      step *= m;
      break;
    }
  std::vector<double> t;
  for (double v = std::ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) t.push_back(std::abs(v) < step * 1e-9 ? 0 : v);
  return t;
}

std::string num(double v) {
  char b[32];
  std::snprintf(b, sizeof b, "%g", v);
  return b;
}
} // namespace

void Plot::save_svg(const std::string &path) const {
  const double L = 70, R = 170, T = 40, B = 55; // margins; the legend sits on the right
  double x0 = std::numeric_limits<double>::infinity(), x1 = -x0, y0 = x0, y1 = -x0;
  auto fy = [&](double y) { return log_y ? std::log10(std::max(y, 1e-300)) : y; };
  for (auto &s : series)
    for (size_t i = 0; i < s.x.size() && i < s.y.size(); ++i) {
      if (!std::isfinite(s.x[i]) || !std::isfinite(fy(s.y[i]))) continue;
      x0 = std::min(x0, s.x[i]), x1 = std::max(x1, s.x[i]);
      y0 = std::min(y0, fy(s.y[i])), y1 = std::max(y1, fy(s.y[i]));
    }
  if (!(x0 <= x1)) x0 = 0, x1 = 1, y0 = 0, y1 = 1;
  if (x1 - x0 < 1e-12) x0 -= 0.5, x1 += 0.5;
  if (y1 - y0 < 1e-12) y0 -= 0.5, y1 += 0.5;
  double pad = (y1 - y0) * 0.05;
  y0 -= pad, y1 += pad;
  // Markers at the ends of the x range would be cut in half.
  if (std::any_of(series.begin(), series.end(), [](const Series &s) { return s.style == Series::points; })) {
    double xpad = (x1 - x0) * 0.03;
    x0 -= xpad, x1 += xpad;
  }
  double pw = width - L - R, ph = height - T - B;
  auto px = [&](double x) { return L + (x - x0) / (x1 - x0) * pw; };
  auto py = [&](double y) { return T + (1 - (fy(y) - y0) / (y1 - y0)) * ph; };
  auto pyRaw = [&](double v) { return T + (1 - (v - y0) / (y1 - y0)) * ph; };

  std::ostringstream o;
  o << "<svg xmlns='http://www.w3.org/2000/svg' width='" << width << "' height='" << height
    << "' font-family='sans-serif' font-size='12'>\n<rect width='100%' height='100%' fill='white'/>\n";
  o << "<text x='" << L + pw / 2 << "' y='22' text-anchor='middle' font-size='15'>" << esc(title) << "</text>\n";
  o << "<rect x='" << L << "' y='" << T << "' width='" << pw << "' height='" << ph << "' fill='none' stroke='#333'/>\n";
  for (double t : ticks(x0, x1))
    o << "<line x1='" << px(t) << "' x2='" << px(t) << "' y1='" << T << "' y2='" << T + ph << "' stroke='#eee'/>"
      << "<text x='" << px(t) << "' y='" << T + ph + 16 << "' text-anchor='middle'>" << num(t) << "</text>\n";
  for (double t : ticks(y0, y1))
    o << "<line x1='" << L << "' x2='" << L + pw << "' y1='" << pyRaw(t) << "' y2='" << pyRaw(t) << "' stroke='#eee'/>"
      << "<text x='" << L - 6 << "' y='" << pyRaw(t) + 4 << "' text-anchor='end'>" << (log_y ? "1e" + num(t) : num(t))
      << "</text>\n";
  o << "<text x='" << L + pw / 2 << "' y='" << height - 12 << "' text-anchor='middle'>" << esc(xlabel) << "</text>\n";
  o << "<text transform='translate(16," << T + ph / 2 << ") rotate(-90)' text-anchor='middle'>" << esc(ylabel)
    << (log_y ? " (log scale)" : "") << "</text>\n";
  for (size_t k = 0; k < series.size(); ++k) {
    const Series &s = series[k];
    std::string color = s.color.empty() ? kPalette[k % 7] : s.color;
    if (s.style == Series::line) {
      o << "<polyline fill='none' stroke='" << color << "' stroke-width='1.3' points='";
      for (size_t i = 0; i < s.x.size() && i < s.y.size(); ++i)
        if (std::isfinite(fy(s.y[i]))) o << px(s.x[i]) << "," << py(s.y[i]) << " ";
      o << "'/>\n";
    } else {
      for (size_t i = 0; i < s.x.size() && i < s.y.size(); ++i)
        if (std::isfinite(fy(s.y[i])))
          o << "<circle cx='" << px(s.x[i]) << "' cy='" << py(s.y[i]) << "' r='4' fill='" << color << "'/>\n";
    }
    double ly = T + 14 + 18 * k;
    o << "<rect x='" << L + pw + 12 << "' y='" << ly - 8 << "' width='14' height='4' fill='" << color << "'/>"
      << "<text x='" << L + pw + 32 << "' y='" << ly << "'>" << esc(s.label) << "</text>\n";
  }
  o << "</svg>\n";
  std::ofstream f(path);
  f << o.str();
  if (!f) throw Error("cannot write plot " + path);
}

void save_images_svg(const std::string &path, const std::string &title, const std::vector<Image> &images, int cell) {
  int gap = 16, x = gap, height = 40;
  for (auto &im : images) height = std::max(height, 40 + im.height * cell + 34);
  std::ostringstream body;
  for (auto &im : images) {
    auto [lo, hi] = std::minmax_element(im.pixels.begin(), im.pixels.end());
    double a = im.pixels.empty() ? 0 : *lo, span = im.pixels.empty() || *hi == *lo ? 1 : *hi - *lo;
    for (int r = 0; r < im.height; ++r)
      for (int c = 0; c < im.width; ++c) {
        int v = int(255 * (im.pixels[r * im.width + c] - a) / span + 0.5);
        body << "<rect x='" << x + c * cell << "' y='" << 40 + r * cell << "' width='" << cell << "' height='" << cell
             << "' fill='rgb(" << v << "," << v << "," << v << ")'/>";
      }
    body << "\n<text x='" << x + im.width * cell / 2 << "' y='" << 40 + im.height * cell + 18
         << "' text-anchor='middle'>" << esc(im.label) << "</text>\n";
    x += im.width * cell + gap;
  }
  std::ofstream f(path);
  f << "<svg xmlns='http://www.w3.org/2000/svg' width='" << std::max(x, 200) << "' height='" << height
    << "' font-family='sans-serif' font-size='12'>\n<rect width='100%' height='100%' fill='white'/>\n<text x='" << gap
    << "' y='22' font-size='14'>" << esc(title) << "</text>\n"
    << body.str() << "</svg>\n";
  if (!f) throw Error("cannot write " + path);
}

namespace {
double now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}
} // namespace

Progress::Progress(std::string label, long total_steps, long images_per_step)
    : Progress(std::move(label), total_steps, images_per_step, stderr, isatty(fileno(stderr)) != 0) {}

Progress::Progress(std::string label, long total_steps, long images_per_step, std::FILE *out, bool terminal,
                   double every_s)
    : label_(std::move(label)), total_(total_steps), per_step_(images_per_step), out_(out), terminal_(terminal),
      every_(terminal ? 0.5 : every_s), start_(now()) {}

void Progress::step(long epoch, long epochs, double loss) { update(epoch, epochs, loss, 0, false); }
void Progress::step(long epoch, long epochs, double loss, double accuracy) {
  update(epoch, epochs, loss, accuracy, true);
}

void Progress::update(long epoch, long epochs, double loss, double accuracy, bool has_accuracy) {
  // An epoch's last line is printed when the next epoch starts (or at done()).
  if (epoch != epoch_ && epoch_steps_ > 0 && !terminal_ && pending_) print();
  if (epoch != epoch_) epoch_ = epoch, epoch_steps_ = 0, loss_sum_ = accuracy_sum_ = 0;
  epochs_ = epochs, has_accuracy_ = has_accuracy;
  ++done_, ++epoch_steps_, loss_sum_ += loss, accuracy_sum_ += accuracy, pending_ = true;
  double t = now();
  if (done_ > 1 && t - last_ < every_ && done_ < total_) return; // the first step shows it started
  print();
}

void Progress::print() {
  double t = now();
  last_ = t;
  double rate = done_ * per_step_ / std::max(1e-9, t - start_);
  double eta = (total_ - done_) * per_step_ / std::max(1e-9, rate);
  char metrics[96];
  int n = std::snprintf(metrics, sizeof metrics, "loss %.4f", loss_sum_ / std::max(1L, epoch_steps_));
  if (has_accuracy_) std::snprintf(metrics + n, sizeof metrics - n, "  accuracy %.3f", accuracy_sum_ / epoch_steps_);
  std::fprintf(out_, "%s%s: epoch %ld/%ld  %s  %.0f images/s  ETA %.0f s%s", terminal_ ? "\r" : "", label_.c_str(),
               epoch_, epochs_, metrics, rate, eta, terminal_ ? "   " : "\n");
  std::fflush(out_);
  pending_ = false;
}

void Progress::done() {
  if (terminal_) {
    if (last_ > 0) std::fprintf(out_, "\n");
  } else if (pending_ && epoch_steps_ > 0) {
    print();
  }
}

} // namespace loom::rt
