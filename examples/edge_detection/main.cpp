// E4: the inductive bias of CNNs, on generated edge images. Q1-Q6 with their
// tables, kernels as images, confusion matrices and plots, in --out.
#include "../common/args.hpp"
#include "../common/report.hpp"
#include "e4.hpp"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>

namespace {

using examples::line;
std::string pct(double a) {
  char b[16];
  std::snprintf(b, sizeof b, "%.1f%%", 100 * a);
  return b;
}

/// The median of the runs, then every run: "93.3% (92.0 / 93.3 / 94.7)".
std::string runs(std::vector<double> a) {
  std::vector<double> sorted = a;
  std::sort(sorted.begin(), sorted.end());
  std::string s = pct(sorted[sorted.size() / 2]) + " (";
  for (size_t i = 0; i < a.size(); ++i) {
    char b[16];
    std::snprintf(b, sizeof b, "%s%.1f", i ? " / " : "", 100 * a[i]);
    s += b;
  }
  return s + ")";
}
double median(std::vector<double> a) {
  std::sort(a.begin(), a.end());
  return a[a.size() / 2];
}

/// conv1's kernels of network `name` as images.
std::vector<loom::rt::Image> kernels(edges::Model &m, const std::string &name, const std::string &what) {
  auto w = m.params().values<float>(name + ".conv1.weight");
  std::vector<loom::rt::Image> out;
  for (int k = 0; k < 3; ++k) out.push_back({what + " " + std::to_string(k), 7, 7, {w.begin() + 49 * k, w.begin() + 49 * (k + 1)}});
  return out;
}

/// Edge detectors: a row of +1 over a row of -1 (horizontal), its transpose, and its negation.
void set_edge_detectors(edges::Model &m) {
  std::vector<float> w1(3 * 49, 0), b(3, 0), w2(3 * 3 * 49, 0);
  for (int t = 0; t < 7; ++t) {
    w1[0 * 49 + 3 * 7 + t] = 1, w1[0 * 49 + 4 * 7 + t] = -1;  // horizontal
    w1[1 * 49 + t * 7 + 3] = 1, w1[1 * 49 + t * 7 + 4] = -1;  // vertical
    w1[2 * 49 + 3 * 7 + t] = -1, w1[2 * 49 + 4 * 7 + t] = 1;  // horizontal, other polarity
  }
  for (int c = 0; c < 3; ++c) w2[(c * 3 + c) * 49 + 24] = 1; // conv2 passes each channel through
  m.params().set("edge.conv1.weight", w1), m.params().set("edge.conv1.bias", b);
  m.params().set("edge.conv2.weight", w2), m.params().set("edge.conv2.bias", b);
}

void print_confusion(const std::string &title, const std::vector<std::vector<int>> &c, int classes) {
  auto names = e4::class_names(classes);
  line(title);
  std::string head = "| true \\ predicted |";
  for (auto &n : names) head += " " + n + " |";
  line(head);
  std::string rule = "|---|";
  for (int p = 0; p < classes; ++p) rule += "---|";
  line(rule);
  for (int t = 0; t < classes; ++t) {
    std::string row = "| " + names[t] + " |";
    for (int p = 0; p < classes; ++p) row += " " + std::to_string(c[t][p]) + " |";
    line(row);
  }
}

/// What the questions share.
struct Setup {
  std::string out; // where the report's plots go
  bool full;       // --full
  int epochs;      // Q2, Q4-Q6
  int repeats;     // Q2, Q5 and Q6 report the median of this many runs
  loom::rt::Dataset val; // 50 per class, all questions but Q4-Q6's own
};

/// Q1: overfitting 10 images per class; the first-layer kernels before and after.
void q1(const Setup &s) {
  char b[512];
  line("## Q1. Overfitting 10 images per class (500 epochs; the 30 images are one batch)");
  {
    edges::Model m(11);
    auto train = e4::generate(10, 1);
    auto cnn = e4::net(m, "cnn"), mlp = e4::net(m, "mlp");
    auto untrained = kernels(m, "cnn", "untrained");
    e4::train(cnn, train, 500, 30, 5, true);
    e4::train(mlp, train, 500, 30, 5, true);
    std::snprintf(b, sizeof b, "train accuracy: CNN %s, MLP %s", pct(e4::accuracy(cnn, train)).c_str(),
                  pct(e4::accuracy(mlp, train)).c_str());
    line(b);
    auto learned = kernels(m, "cnn", "learned");
    learned.insert(learned.end(), untrained.begin(), untrained.end());
    loom::rt::save_images_svg(s.out + "/q1_kernels.svg", "Q1: first-layer kernels after 500 epochs on 10 images/class, and before", learned);
    line("![Q1 kernels](q1_kernels.svg)");
  }
  line("");
}

/// Q2: validation accuracy against training images per class, with the frozen edge detectors; a plot and the kernels.
void q2(const Setup &s) {
  char b[512];
  line("## Q2. Validation accuracy against training images per class (batch 10, 50/class validation, median of 3 runs, then each run)");
  line("| per class | CNN | MLP | CNN with frozen edge detectors |");
  line("|---|---|---|---|");
  loom::rt::Series q2c{.label = "CNN", .style = loom::rt::Series::points}, q2m{.label = "MLP", .style = loom::rt::Series::points},
      q2e{.label = "frozen edge CNN", .style = loom::rt::Series::points};
  std::vector<loom::rt::Image> q2k;
  for (int n : {10, 20, 30, 50, 100}) {
    std::vector<double> acc[3];
    for (int rep = 0; rep < s.repeats; ++rep) { // fresh data and initialisation each time; the mean is reported
      edges::Model m(20 + n + 1000 * rep);
      set_edge_detectors(m);
      auto train = e4::generate(n, 100 + n + 1000 * rep);
      if (n == 10 && rep == 0) {
        auto k = kernels(m, "cnn", "untrained");
        q2k.insert(q2k.end(), k.begin(), k.end());
        auto e = kernels(m, "edge", "edge detector");
        q2k.insert(q2k.end(), e.begin(), e.end());
      }
      int i = 0;
      for (auto name : {"cnn", "mlp", "edge"}) {
        auto net = e4::net(m, name);
        e4::train(net, train, s.epochs, 10, 7 + rep, true);
        acc[i++].push_back(e4::accuracy(net, s.val));
      }
      if (n == 100 && rep == 0) {
        auto k = kernels(m, "cnn", "learned");
        q2k.insert(q2k.end(), k.begin(), k.end());
      }
    }
    std::snprintf(b, sizeof b, "| %d | %s | %s | %s |", n, runs(acc[0]).c_str(), runs(acc[1]).c_str(), runs(acc[2]).c_str());
    line(b);
    q2c.x.push_back(n), q2c.y.push_back(median(acc[0])), q2m.x.push_back(n), q2m.y.push_back(median(acc[1])),
        q2e.x.push_back(n), q2e.y.push_back(median(acc[2]));
  }
  loom::rt::Plot{.title = "E4 Q2: validation accuracy", .xlabel = "training images per class", .ylabel = "accuracy"}
      .add(q2c).add(q2m).add(q2e).save_svg(s.out + "/q2_accuracy.svg");
  loom::rt::save_images_svg(s.out + "/q2_kernels.svg", "Q2: untrained, edge-detector and learned (100/class) first-layer kernels", q2k);
  line("![Q2 accuracy](q2_accuracy.svg)");
  line("![Q2 kernels](q2_kernels.svg)");
  line("");
}

/// Q3: training longer: the CNN on 20 images per class, the MLP on more.
void q3(const Setup &s) {
  char b[512];
  line("## Q3. Training longer: the CNN with 20 images per class, the MLP with more");
  {
    edges::Model m(33);
    auto cnn = e4::net(m, "cnn");
    e4::train(cnn, e4::generate(20, 120), 300, 10, 8, true);
    std::snprintf(b, sizeof b, "CNN, 20 per class, 300 epochs: validation %s", pct(e4::accuracy(cnn, s.val)).c_str());
    line(b);
    line("| MLP per class | validation |");
    line("|---|---|");
    for (int n : {20, 50, 100, 200, 400}) {
      edges::Model mm(40 + n);
      auto mlp = e4::net(mm, "mlp");
      e4::train(mlp, e4::generate(n, 200 + n), std::max(30, 6000 / n), 10, 9, true);
      std::snprintf(b, sizeof b, "| %d (%d epochs) | %s |", n, std::max(30, 6000 / n), pct(e4::accuracy(mlp, s.val)).c_str());
      line(b);
    }
  }
  line("");
}

/// Q4: domain shift (edges in one half for training, the other for validation), and where the errors go.
void q4(const Setup &s) {
  char b[512];
  line("## Q4. Domain shift: edges in the first half for training, in the second half for validation");
  {
    e4::GenOptions first{.region = e4::GenOptions::first_half}, second{.region = e4::GenOptions::second_half};
    auto train = e4::generate(100, 400, first), shifted = e4::generate(50, 401, second);
    edges::Model m(44);
    for (auto name : {"cnn", "mlp"}) {
      auto net = e4::net(m, name);
      e4::train(net, train, s.epochs, 10, 10, true);
      auto c = e4::confusion(net, shifted);
      std::snprintf(b, sizeof b, "%s: validation on shifted edges %s (unshifted: %s)", name,
                    pct(e4::accuracy(net, shifted)).c_str(), pct(e4::accuracy(net, e4::generate(50, 402, first))).c_str());
      line(b);
      print_confusion(std::string(name) + " confusion matrix (rows: true class, columns: predicted)", c, 3);
      line("");
    }
  }

  // Where the CNN's errors on shifted edges go depends on the run: four seeds, two training lengths.
  line("Where the CNN's errors on shifted edges go, summed over four runs (seeds 0-3):");
  line("");
  line("| epochs | to \"none\" | to the other orientation |");
  line("|---|---|---|");
  for (int ep : {30, 100}) {
    auto [to_none, to_other] = e4::shift_errors(ep, 4, true);
    std::snprintf(b, sizeof b, "| %d | %d | %d |", ep, to_none, to_other);
    line(b);
  }
  line("");
}

/// Q5: a fixed random permutation of the pixels.
void q5(const Setup &s) {
  char b[512];
  line("## Q5. A fixed random permutation of the pixels (100 per class; median of 3 runs, then each run)");
  {
    auto perm = e4::random_permutation(55);
    e4::GenOptions o{.permutation = &perm};
    auto pval = e4::generate(50, 501, o);
    line("| model | validation on permuted images |");
    line("|---|---|");
    for (auto [name, label] : {std::pair{"cnn", "CNN, 7x7 kernels"}, std::pair{"big", "CNN, 11x11 kernels"}, std::pair{"mlp", "MLP"}}) {
      std::vector<double> acc;
      for (int rep = 0; rep < s.repeats; ++rep) {
        auto train = e4::generate(100, 500 + 1000 * rep, o);
        edges::Model m(55 + rep);
        auto net = e4::net(m, name);
        e4::train(net, train, s.epochs, 10, 11 + rep, true);
        acc.push_back(e4::accuracy(net, pval));
      }
      std::snprintf(b, sizeof b, "| %s | %s |", label, runs(acc).c_str());
      line(b);
    }
  }
  line("");
}

/// Q6: five classes, max against average pooling.
void q6(const Setup &s) {
  char b[512];
  line("## Q6. Five classes (horizontal, vertical, diagonal, both, none): max against average pooling (median of 3 runs, then each run)");
  line("| per class | CNN, max pooling | CNN, average pooling |");
  line("|---|---|---|");
  {
    e4::GenOptions five{.classes = 5};
    auto val5 = e4::generate(50, 601, five);
    loom::rt::Series smax{.label = "max pooling", .style = loom::rt::Series::points},
        savg{.label = "average pooling", .style = loom::rt::Series::points};
    for (int n : s.full ? std::vector<int>{10, 20, 50, 100, 200} : std::vector<int>{10, 20, 50, 100}) {
      std::vector<double> a[2];
      for (int rep = 0; rep < s.repeats; ++rep) {
        auto train = e4::generate(n, 600 + n + 1000 * rep, five);
        edges::Model m(60 + n + 1000 * rep);
        int i = 0;
        for (auto name : {"cnn5max", "cnn5avg"}) {
          auto net = e4::net(m, name);
          e4::train(net, train, s.epochs, 10, 12 + rep, true);
          a[i++].push_back(e4::accuracy(net, val5));
        }
      }
      std::snprintf(b, sizeof b, "| %d | %s | %s |", n, runs(a[0]).c_str(), runs(a[1]).c_str());
      line(b);
      smax.x.push_back(n), smax.y.push_back(median(a[0])), savg.x.push_back(n), savg.y.push_back(median(a[1]));
    }
    loom::rt::Plot{.title = "E4 Q6: five classes", .xlabel = "training images per class", .ylabel = "validation accuracy"}
        .add(smax).add(savg).save_svg(s.out + "/q6_pooling.svg");
    line("![Q6](q6_pooling.svg)");
  }
}

} // namespace

int main(int argc, char **argv) {
  const auto args = examples::parse_args(argc, argv, "edge_detection", "E4: the inductive bias of CNNs, on generated edge images.",
                                         "out/edge_detection", "the homework's 300 epochs (default 100)");
  const bool full = args.full;
  // Single runs of this tiny CNN vary, and now and then one collapses (see the README): medians of 3.
  const Setup s{.out = args.out, .full = full, .epochs = full ? 300 : 100, .repeats = 3, .val = e4::generate(50, 999)};
  char b[512];

  line("# E4: inductive bias of CNNs, edge detection");
  line("");
  {
    edges::Model m(1);
    std::snprintf(b, sizeof b, "SimpleCNN (conv 1->3 7x7 reflect, ReLU, maxpool 2, conv 3->3 7x7 reflect, ReLU, global avg pool, "
                  "linear 3->3): %ld parameters; MLP 784-50-10-3: %ld parameters.", e4::count_params(m, "cnn"),
                  e4::count_params(m, "mlp"));
    line(b);
  }
  std::snprintf(b, sizeof b, "SGD lr 1e-2, momentum 0.9, cross-entropy; %d epochs unless stated (%s).", s.epochs,
                full ? "--full" : "default; --full trains 300");
  line(b);
  line("");

  for (void (*question)(const Setup &) : {q1, q2, q3, q4, q5, q6}) question(s);
  examples::save_report(s.out + "/report.md");
  std::printf("wrote %s/report.md and its plots\n", s.out.c_str());
  return 0;
}
