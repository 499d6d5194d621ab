// Pyramid levels, features and voting for PatchMatch image completion (see patchmatch_level.h).
#include "engine/pipelines/exemplar/patchmatch_level.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include <opencv2/imgproc.hpp>
#include <opencv2/photo.hpp>

namespace latentshop::patchmatch {

namespace {

constexpr int kTextureWindow = 5;     // box over which the derivatives are averaged
constexpr float kTextureScale = 2.0f;  // 8-bit texture value = mean |derivative| x this

// Converts n pixels of colour (3 or 4 channels) into features (fc channels) at dst, given the
// matching texture pixels (or nullptr); `scratch` holds the Lab row.
void colorToFeatures(const uchar* color, int cc, const uchar* texture, uchar* dst, int fc, int n, bool lab,
                     int gain, std::vector<uchar>& scratch) {
  if (lab) {
    scratch.resize(static_cast<size_t>(n) * 3);
    const cv::Mat in(1, n, CV_8UC(cc), const_cast<uchar*>(color));
    cv::Mat out(1, n, CV_8UC3, scratch.data());
    cv::cvtColor(in, out, cv::COLOR_RGB2Lab);
  }
  for (int i = 0; i < n; ++i) {
    const uchar* c = color + i * cc;
    uchar* f = dst + i * fc;
    const uchar* base = lab ? scratch.data() + i * 3 : c;
    f[0] = base[0];
    f[1] = base[1];
    f[2] = base[2];
    int k = 3;
    if (cc == 4) f[k++] = c[3];
    if (texture) {
      f[k] = cv::saturate_cast<uchar>(texture[i * 2] * gain);
      f[k + 1] = cv::saturate_cast<uchar>(texture[i * 2 + 1] * gain);
    }
  }
}

bool featuresAreColor(const Level& lv, const FeatureSpec& spec) {
  return !spec.lab && !(spec.texture && !lv.texture.empty());
}

}  // namespace

cv::Mat computeTexture(const cv::Mat& color, const cv::Mat& hole) {
  const int w = color.cols, h = color.rows, r = kTextureWindow / 2;
  cv::Mat out(color.size(), CV_8UC2);
  constexpr int kBand = 128;
  const int bands = (h + kBand - 1) / kBand;
  cv::parallel_for_(cv::Range(0, bands), [&](const cv::Range& range) {
    for (int b = range.start; b < range.end; ++b) {
      const int y0 = b * kBand, y1 = std::min(h, y0 + kBand);
      const int ry0 = std::max(0, y0 - r - 1), ry1 = std::min(h, y1 + r + 1), rh = ry1 - ry0;
      cv::Mat grey;
      cv::cvtColor(color.rowRange(ry0, ry1), grey, color.channels() == 4 ? cv::COLOR_RGBA2GRAY : cv::COLOR_RGB2GRAY);
      const cv::Mat known = hole.rowRange(ry0, ry1) == 0;
      // Channels: |dx| x valid, valid, |dy| x valid, valid.
      cv::Mat g(rh, w, CV_32FC4, cv::Scalar::all(0));
      for (int y = 0; y < rh; ++y) {
        const uchar* gy = grey.ptr<uchar>(y);
        const uchar* k = known.ptr<uchar>(y);
        const uchar* gu = y > 0 ? grey.ptr<uchar>(y - 1) : nullptr;
        const uchar* gd = y + 1 < rh ? grey.ptr<uchar>(y + 1) : nullptr;
        const uchar* ku = y > 0 ? known.ptr<uchar>(y - 1) : nullptr;
        const uchar* kd = y + 1 < rh ? known.ptr<uchar>(y + 1) : nullptr;
        auto* o = g.ptr<cv::Vec4f>(y);
        for (int x = 0; x < w; ++x) {
          if (x > 0 && x + 1 < w && k[x - 1] && k[x + 1])
            o[x][0] = 0.5f * std::abs(gy[x + 1] - gy[x - 1]), o[x][1] = 1.0f;
          if (gu && gd && ku[x] && kd[x]) o[x][2] = 0.5f * std::abs(gd[x] - gu[x]), o[x][3] = 1.0f;
        }
      }
      cv::boxFilter(g, g, -1, cv::Size(kTextureWindow, kTextureWindow), cv::Point(-1, -1), false,
                    cv::BORDER_CONSTANT);
      for (int y = y0; y < y1; ++y) {
        const auto* s = g.ptr<cv::Vec4f>(y - ry0);
        const uchar* hl = hole.ptr<uchar>(y);
        auto* o = out.ptr<cv::Vec2b>(y);
        for (int x = 0; x < w; ++x) {
          if (hl[x]) {
            o[x] = cv::Vec2b(0, 0);
            continue;
          }
          const float tx = s[x][1] > 0.5f ? s[x][0] / s[x][1] : 0.0f;
          const float ty = s[x][3] > 0.5f ? s[x][2] / s[x][3] : 0.0f;
          o[x] = cv::Vec2b(cv::saturate_cast<uchar>(tx * kTextureScale), cv::saturate_cast<uchar>(ty * kTextureScale));
        }
      }
    }
  });
  return out;
}

Level downsample(const Level& fine) {
  const int fw = fine.color.cols, fh = fine.color.rows;
  const int w = (fw + 1) / 2, h = (fh + 1) / 2, cn = fine.color.channels();
  Level c;
  c.color.create(h, w, fine.color.type());
  c.hole.create(h, w, CV_8UC1);
  const bool forb = !fine.forbidden.empty(), tex = !fine.texture.empty();
  if (forb) c.forbidden.create(h, w, CV_8UC1);
  if (tex) c.texture.create(h, w, CV_8UC2);
  cv::parallel_for_(cv::Range(0, h), [&](const cv::Range& range) {
    for (int y = range.start; y < range.end; ++y) {
      const int y0 = 2 * y, y1 = std::min(2 * y + 1, fh - 1);
      const uchar *h0 = fine.hole.ptr<uchar>(y0), *h1 = fine.hole.ptr<uchar>(y1);
      uchar* ho = c.hole.ptr<uchar>(y);
      for (int x = 0; x < w; ++x) {
        const int x0 = 2 * x, x1 = std::min(2 * x + 1, fw - 1);
        ho[x] = (h0[x0] || h0[x1] || h1[x0] || h1[x1]) ? 255 : 0;
      }
      auto average = [&](const cv::Mat& src, cv::Mat& dst, int channels) {
        const uchar *c0 = src.ptr<uchar>(y0), *c1 = src.ptr<uchar>(y1);
        uchar* co = dst.ptr<uchar>(y);
        for (int x = 0; x < w; ++x) {
          const int x0 = 2 * x, x1 = std::min(2 * x + 1, fw - 1);
          for (int k = 0; k < channels; ++k) {
            const int sum = c0[x0 * channels + k] + c0[x1 * channels + k] + c1[x0 * channels + k] + c1[x1 * channels + k];
            co[x * channels + k] = ho[x] ? 0 : static_cast<uchar>((sum + 2) / 4);
          }
        }
      };
      average(fine.color, c.color, cn);
      if (tex) average(fine.texture, c.texture, 2);
      if (forb) {
        const uchar *f0 = fine.forbidden.ptr<uchar>(y0), *f1 = fine.forbidden.ptr<uchar>(y1);
        uchar* fo = c.forbidden.ptr<uchar>(y);
        for (int x = 0; x < w; ++x) {
          const int x0 = 2 * x, x1 = std::min(2 * x + 1, fw - 1);
          fo[x] = (f0[x0] || f0[x1] || f1[x0] || f1[x1]) ? 255 : 0;
        }
      }
    }
  });
  return c;
}

cv::Mat makeFeatures(const Level& lv, const FeatureSpec& spec) {
  if (featuresAreColor(lv, spec)) return lv.color;
  const bool tex = spec.texture && !lv.texture.empty();
  const int cc = lv.color.channels(), fc = 3 + (cc == 4 ? 1 : 0) + (tex ? 2 : 0);
  cv::Mat out(lv.color.size(), CV_8UC(fc));
  cv::parallel_for_(cv::Range(0, lv.color.rows), [&](const cv::Range& range) {
    std::vector<uchar> scratch;
    for (int y = range.start; y < range.end; ++y)
      colorToFeatures(lv.color.ptr<uchar>(y), cc, tex ? lv.texture.ptr<uchar>(y) : nullptr, out.ptr<uchar>(y), fc,
                      lv.color.cols, spec.lab, spec.textureGain, scratch);
  });
  return out;
}

double vote(Level& lv, cv::Mat& features, const FeatureSpec& spec, const Nnf& nnf, int patchSize, VoteMode mode) {
  const int r = patchSize / 2, cc = lv.color.channels(), fc = features.channels();
  const bool tex = !lv.texture.empty(), refresh = !featuresAreColor(lv, spec);
  const bool featureTex = spec.texture && tex;
  cv::Mat weight(nnf.box.size(), CV_32FC1, cv::Scalar(1.0f));
  if (mode != VoteMode::Uniform) {
    std::vector<int> d;
    d.reserve(static_cast<size_t>(nnf.targets));
    for (int y = 0; y < nnf.box.height; ++y) {
      const uchar* t = nnf.target.ptr<uchar>(y);
      const int* dy = nnf.dist.ptr<int>(y);
      for (int x = 0; x < nnf.box.width; ++x)
        if (t[x]) d.push_back(dy[x]);
    }
    const double perValue = 1.0 / (static_cast<double>(patchSize) * patchSize * fc);
    double sigma2 = 1.0;
    if (!d.empty()) {
      auto nth = d.begin() + static_cast<std::ptrdiff_t>(d.size() * 3 / 4);
      std::nth_element(d.begin(), nth, d.end());
      sigma2 = std::max(1.0, *nth * perValue);
    }
    const double scale = perValue / (2.0 * sigma2);
    cv::parallel_for_(cv::Range(0, nnf.box.height), [&](const cv::Range& range) {
      for (int y = range.start; y < range.end; ++y) {
        const int* dy = nnf.dist.ptr<int>(y);
        float* wy = weight.ptr<float>(y);
        for (int x = 0; x < nnf.box.width; ++x)
          wy[x] = mode == VoteMode::Best ? -static_cast<float>(dy[x])
                                         : static_cast<float>(std::exp(-std::min(60.0, dy[x] * scale)));
      }
    });
  }
  const cv::Rect holeBox = cv::boundingRect(lv.hole);
  std::vector<double> rowChange(static_cast<size_t>(holeBox.height), 0.0);
  std::vector<long long> rowCount(static_cast<size_t>(holeBox.height), 0);
  cv::parallel_for_(cv::Range(0, holeBox.height), [&](const cv::Range& range) {
    std::vector<uchar> rowFeatures, scratch;
    for (int i = range.start; i < range.end; ++i) {
      const int y = holeBox.y + i;
      const uchar* hole = lv.hole.ptr<uchar>(y);
      uchar* out = lv.color.ptr<uchar>(y);
      uchar* outTex = tex ? lv.texture.ptr<uchar>(y) : nullptr;
      double change = 0.0;
      long long count = 0;
      for (int x = holeBox.x; x < holeBox.x + holeBox.width; ++x) {
        if (!hole[x]) continue;
        float acc[6] = {0, 0, 0, 0, 0, 0};
        float wsum = 0.0f, bestW = -1e30f;
        for (int oy = -r; oy <= r; ++oy) {
          const int ty = y - oy - nnf.box.y;  // the target patch centred at (x - ox, y - oy)
          if (ty < 0 || ty >= nnf.box.height) continue;
          const uchar* t = nnf.target.ptr<uchar>(ty);
          const auto* m = nnf.match.ptr<cv::Vec2i>(ty);
          const float* w = weight.ptr<float>(ty);
          for (int ox = -r; ox <= r; ++ox) {
            const int tx = x - ox - nnf.box.x;
            if (tx < 0 || tx >= nnf.box.width || !t[tx]) continue;
            const int sx = m[tx][0] + ox, sy = m[tx][1] + oy;
            const uchar* s = lv.color.ptr<uchar>(sy) + static_cast<size_t>(sx) * cc;
            const uchar* st = tex ? lv.texture.ptr<uchar>(sy) + static_cast<size_t>(sx) * 2 : nullptr;
            if (mode == VoteMode::Best) {
              if (w[tx] > bestW) {
                bestW = w[tx];
                for (int k = 0; k < cc; ++k) acc[k] = s[k];
                if (st) acc[4] = st[0], acc[5] = st[1];
              }
              continue;
            }
            const float wt = w[tx];
            for (int k = 0; k < cc; ++k) acc[k] += wt * s[k];
            if (st) acc[4] += wt * st[0], acc[5] += wt * st[1];
            wsum += wt;
          }
        }
        if (mode == VoteMode::Best) wsum = 1.0f;
        if (!(wsum > 0.0f)) continue;  // cannot happen: every hole pixel lies in some target patch
        for (int k = 0; k < cc; ++k) {
          const int v = cv::saturate_cast<uchar>(acc[k] / wsum);
          change += std::abs(v - out[x * cc + k]);
          out[x * cc + k] = static_cast<uchar>(v);
        }
        if (outTex) {
          outTex[x * 2] = cv::saturate_cast<uchar>(acc[4] / wsum);
          outTex[x * 2 + 1] = cv::saturate_cast<uchar>(acc[5] / wsum);
        }
        ++count;
      }
      rowChange[static_cast<size_t>(i)] = change;
      rowCount[static_cast<size_t>(i)] = count;
      if (refresh) {
        const int x0 = holeBox.x, n = holeBox.width;
        rowFeatures.resize(static_cast<size_t>(n) * fc);
        colorToFeatures(out + x0 * cc, cc, featureTex ? outTex + x0 * 2 : nullptr, rowFeatures.data(), fc, n, spec.lab,
                        spec.textureGain, scratch);
        uchar* f = features.ptr<uchar>(y);
        for (int x = x0; x < x0 + n; ++x)
          if (hole[x]) std::copy_n(rowFeatures.data() + (x - x0) * fc, fc, f + x * fc);
      }
    }
  });
  double change = 0.0;
  long long count = 0;
  for (size_t i = 0; i < rowChange.size(); ++i) {
    change += rowChange[i];
    count += rowCount[i];
  }
  return count ? change / (static_cast<double>(count) * cc) : 0.0;
}

void teleaFill(Level& lv) {
  // Telea reads only a few pixels around the hole; a padded crop gives the same fill for less.
  const cv::Rect box = cv::boundingRect(lv.hole);
  const cv::Rect roi = (box - cv::Point(8, 8) + cv::Size(16, 16)) & cv::Rect(0, 0, lv.hole.cols, lv.hole.rows);
  const cv::Mat hole = lv.hole(roi);
  auto fill = [&](cv::Mat image) {  // image: a view into the level; 1 to 4 channels
    cv::Mat filled;
    if (image.channels() == 1 || image.channels() == 3) {
      cv::inpaint(image, hole, filled, 3.0, cv::INPAINT_TELEA);
    } else {
      std::vector<cv::Mat> planes;
      cv::split(image, planes);
      for (cv::Mat& p : planes) {
        cv::Mat o;
        cv::inpaint(p, hole, o, 3.0, cv::INPAINT_TELEA);
        p = o;
      }
      cv::merge(planes, filled);
    }
    filled.copyTo(image, hole);
  };
  fill(lv.color(roi));
  if (!lv.texture.empty()) fill(lv.texture(roi));
}

double inradius(const cv::Mat& hole) {
  cv::Mat padded, dist;
  cv::copyMakeBorder(hole, padded, 1, 1, 1, 1, cv::BORDER_CONSTANT, cv::Scalar(0));
  cv::distanceTransform(padded, dist, cv::DIST_L2, cv::DIST_MASK_3);
  double maxValue = 0.0;
  cv::minMaxLoc(dist, nullptr, &maxValue);
  return maxValue;
}

}  // namespace latentshop::patchmatch
