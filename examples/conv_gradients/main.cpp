// E3: the gradient of a convolution's filter, its spread against the image
// size, and the gradients of max and average pooling. Report and plot in --out.
#include "../common/args.hpp"
#include "e3.hpp"

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

int main(int argc, char **argv) {
  const std::string out = examples::parse_args(argc, argv, "conv_gradients", "E3: the gradient of a convolution's filter and of pooling.", "out/conv_gradients").out;
  std::ostringstream md;
  char b[512];
  auto line = [&](const std::string &s) { std::printf("%s\n", s.c_str()), md << s << "\n"; };
  conv_grads::Model m;

  line("# E3: weights and gradients of a convolution");
  line("");
  line("## a. dw is the valid cross-correlation of X with dY");
  loom::rt::Array<float, 1, 1, 8, 8> x;
  loom::rt::Array<float, 1, 1, 3, 3> w;
  loom::rt::Array<float, 1, 1, 6, 6> dy;
  e3::Draws r{loom::rt::Philox4x32::key(9), 0};
  for (long i = 0; i < x.numel; ++i) x[i] = r.next(e3::Dist::gaussian, 1);
  for (long i = 0; i < dy.numel; ++i) dy[i] = r.next(e3::Dist::gaussian, 1);
  auto g = m.dw8(x, w, dy);
  auto ref = e3::cross_correlation(x, dy, 8, 3);
  double err = 0;
  for (int i = 0; i < 9; ++i) err = std::max(err, std::abs(ref[i] - g.grad_w[i]));
  std::snprintf(b, sizeof b, "8x8 X, 3x3 filter: max |loom dw - cross-correlation| = %.2e over the 9 entries", err);
  line(b);
  line("So one SGD step w <- w - lr dw adds to the filter a weighted sum of the image's 3x3 patches,");
  line("each patch weighted by -lr times the upstream gradient at its position.");
  line("");

  line("## b. Std(dw) grows linearly in n");
  line("X and dY independent, zero mean, s_x = 1, s_g = 0.5, 3x3 filter, 2048 pairs per n:");
  line("theory Std(dw) = (n - k + 1) s_x s_g.");
  line("");
  line("| n | Gaussian | uniform | theory |");
  line("|---|---|---|---|");
  auto gauss = e3::sweep(m, e3::Dist::gaussian), unif = e3::sweep(m, e3::Dist::uniform);
  loom::rt::Series sg{.label = "Gaussian", .style = loom::rt::Series::points}, su{.label = "uniform", .style = loom::rt::Series::points},
      th{.label = "theory (n-k+1) s_x s_g"};
  for (size_t i = 0; i < gauss.size(); ++i) {
    std::snprintf(b, sizeof b, "| %d | %.3f | %.3f | %.3f |", gauss[i].n, gauss[i].std_dw, unif[i].std_dw, gauss[i].theory);
    line(b);
    sg.x.push_back(gauss[i].n), sg.y.push_back(gauss[i].std_dw), su.x.push_back(unif[i].n), su.y.push_back(unif[i].std_dw);
    th.x.push_back(gauss[i].n), th.y.push_back(gauss[i].theory);
  }
  std::snprintf(b, sizeof b, "Fitted slope of Std(dw) against n - k + 1: %.4f (Gaussian), %.4f (uniform); theory s_x s_g = 0.5.",
                e3::slope(gauss), e3::slope(unif));
  line(b);
  line("The spread of the filter gradient grows with the image: the sum has (n-k+1)^2 terms, whatever their distribution.");
  loom::rt::Plot plot{.title = "E3 b: spread of the filter gradient", .xlabel = "image size n", .ylabel = "Std(dw)"};
  plot.add(th).add(sg).add(su).save_svg(out + "/std_dw.svg");
  line("![std of dw](std_dw.svg)");
  line("");

  line("## c. Pooling gradients (2x2 windows, stride 2, upstream gradient 1..9)");
  loom::rt::Array<float, 1, 1, 6, 6> px;
  loom::rt::Array<float, 1, 1, 3, 3> pdy;
  const float vals[36] = {1, 5, 2, 2, 0, 1, 3, 4, 2, 2, 7, 7, 9, 0, 1, 3, 0, 0, 1, 2, 1, 1, 0, 0, 6, 6, 4, 8, 5, 5, 6, 6, 1, 1, 5, 5};
  for (int i = 0; i < 36; ++i) px[i] = vals[i];
  for (int i = 0; i < 9; ++i) pdy[i] = float(i + 1);
  auto mp = m.max_pool(px, pdy).grad_x, ap = m.avg_pool(px, pdy).grad_x;
  auto grid = [&](const char *title, const float *v) {
    line(title);
    line("```");
    for (int i = 0; i < 6; ++i) {
      std::string row;
      for (int j = 0; j < 6; ++j) std::snprintf(b, sizeof b, "%6.2f", v[i * 6 + j]), row += b;
      line(row);
    }
    line("```");
  };
  grid("input (ties in several windows):", px.data());
  grid("max pooling: each window's gradient goes to its maximum (the first one on ties, as PyTorch):", mp.data());
  grid("average pooling: each input gets a quarter of its window's gradient:", ap.data());
  std::ofstream(out + "/report.md") << md.str();
  std::printf("wrote %s/report.md, std_dw.svg\n", out.c_str());
  return 0;
}
