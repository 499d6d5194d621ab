// PatchMatch nearest-neighbour field for image completion (see patchmatch_nnf.h).
#include "engine/pipelines/exemplar/patchmatch_nnf.h"

#include <algorithm>
#include <climits>

#include <opencv2/core/hal/intrin.hpp>
#include <opencv2/imgproc.hpp>

namespace latentshop::patchmatch {

namespace {

// Rows per search stripe. Small enough that two cores get many stripes on small holes, large
// enough that the rows a stripe cannot see updated (its first one, from the stripe above) are few.
constexpr int kStripeRows = 8;

std::uint64_t splitmix(std::uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

// splitmix64 as a generator: tiny, fast, and the same numbers on every platform (the standard
// library's distributions are not).
struct Rng {
  std::uint64_t state;
  explicit Rng(std::uint64_t seed) : state(seed) {}
  std::uint64_t next() {
    state += 0x9E3779B97F4A7C15ull;
    std::uint64_t z = state;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  // Uniform in [0, n), n >= 1.
  int below(int n) { return static_cast<int>(((next() >> 32) * static_cast<std::uint64_t>(n)) >> 32); }
};

// Raw pointers for the inner loops.
struct Ctx {
  const uchar* data;
  size_t step;
  int channels;
  int radius;
  int rowBytes;
  int rows;
  const uchar* ok;
  size_t okStep;
  cv::Rect srcBox;

  explicit Ctx(const LevelView& level)
      : data(level.features.data),
        step(level.features.step),
        channels(level.features.channels()),
        radius(level.patchSize / 2),
        rowBytes(level.patchSize * level.features.channels()),
        rows(level.patchSize),
        ok(level.sourceOk.data),
        okStep(level.sourceOk.step),
        srcBox(level.sourceBox) {}

  const uchar* patch(int x, int y) const {
    return data + static_cast<size_t>(y - radius) * step + static_cast<size_t>(x - radius) * channels;
  }
  bool valid(int x, int y) const { return srcBox.contains(cv::Point(x, y)) && ok[static_cast<size_t>(y) * okStep + x]; }
};

// Sum of squared differences of n bytes (SIMD where OpenCV has it).
inline int rowSsd(const uchar* a, const uchar* b, int n) {
  int i = 0, sum = 0;
#if CV_SIMD128
  cv::v_int32x4 acc = cv::v_setzero_s32();
  for (; i + 16 <= n; i += 16) {
    cv::v_uint16x8 d0, d1;
    cv::v_expand(cv::v_absdiff(cv::v_load(a + i), cv::v_load(b + i)), d0, d1);
    const cv::v_int16x8 s0 = cv::v_reinterpret_as_s16(d0), s1 = cv::v_reinterpret_as_s16(d1);
    acc += cv::v_dotprod(s0, s0) + cv::v_dotprod(s1, s1);
  }
  for (; i + 8 <= n; i += 8) {
    const cv::v_int16x8 d = cv::v_reinterpret_as_s16(cv::v_load_expand(a + i)) -
                            cv::v_reinterpret_as_s16(cv::v_load_expand(b + i));
    acc += cv::v_dotprod(d, d);
  }
  sum = cv::v_reduce_sum(acc);
#endif
  for (; i < n; ++i) {
    const int d = static_cast<int>(a[i]) - static_cast<int>(b[i]);
    sum += d * d;
  }
  return sum;
}

// SSD of two patches given by their top-left bytes; stops (returning a value >= limit) as soon as
// the partial sum reaches `limit`.
inline int patchSsd(const Ctx& c, const uchar* a, const uchar* b, int limit) {
  int sum = 0;
  for (int y = 0; y < c.rows; ++y, a += c.step, b += c.step) {
    sum += rowSsd(a, b, c.rowBytes);
    if (sum >= limit) return sum;
  }
  return sum;
}

cv::Point randomSource(const Ctx& c, Rng& rng) {
  const cv::Rect& b = c.srcBox;
  for (int tries = 0; tries < 64; ++tries) {
    const int x = b.x + rng.below(b.width), y = b.y + rng.below(b.height);
    if (c.ok[static_cast<size_t>(y) * c.okStep + x]) return {x, y};
  }
  // Sparse sources: walk from a random start to the next valid centre (there is at least one).
  const long long area = static_cast<long long>(b.width) * b.height;
  const long long start = static_cast<long long>(rng.below(b.height)) * b.width + rng.below(b.width);
  for (long long i = 0; i < area; ++i) {
    const long long k = (start + i) % area;
    const int x = b.x + static_cast<int>(k % b.width), y = b.y + static_cast<int>(k / b.width);
    if (c.ok[static_cast<size_t>(y) * c.okStep + x]) return {x, y};
  }
  return {b.x, b.y};  // unreachable when sourceBox is the box of valid centres
}

// Runs fn(row) for every row of the box, rows in parallel (each row is independent).
template <class Fn>
void forEachRow(int rows, const Fn& fn) {
  cv::parallel_for_(cv::Range(0, rows), [&](const cv::Range& range) {
    for (int y = range.start; y < range.end; ++y) fn(y);
  });
}

}  // namespace

std::uint64_t mixSeed(std::uint64_t seed, std::uint64_t a, std::uint64_t b, std::uint64_t c, std::uint64_t d) {
  std::uint64_t h = splitmix(seed);
  h = splitmix(h ^ a);
  h = splitmix(h ^ (b + 0x51ull));
  h = splitmix(h ^ (c + 0x7A3ull));
  return splitmix(h ^ (d + 0xC0FFEEull));
}

cv::Mat computeSourceOk(const cv::Mat& hole, const cv::Mat& forbidden, int patchSize, int* count, cv::Rect* box) {
  const int r = patchSize / 2;
  cv::Mat ok;
  if (forbidden.empty()) {
    ok = hole != 0;
  } else {
    cv::bitwise_or(hole, forbidden, ok);
  }
  // dilate's default border ignores pixels outside the image; the interior test below does the rest.
  cv::dilate(ok, ok, cv::getStructuringElement(cv::MORPH_RECT, cv::Size(patchSize, patchSize)));
  cv::Mat valid(hole.size(), CV_8UC1, cv::Scalar(0));
  const cv::Rect interior(r, r, hole.cols - 2 * r, hole.rows - 2 * r);
  if (interior.width > 0 && interior.height > 0) {
    cv::Mat v = valid(interior);
    cv::compare(ok(interior), 0, v, cv::CMP_EQ);
    v &= 1;
  }
  ok.release();
  if (count) *count = cv::countNonZero(valid);
  if (box) *box = cv::boundingRect(valid);
  return valid;
}

Nnf makeTargets(const cv::Mat& hole, int patchSize) {
  const int r = patchSize / 2;
  Nnf nnf;
  cv::Mat near;
  const cv::Rect holeBox = cv::boundingRect(hole);
  const cv::Rect interior(r, r, hole.cols - 2 * r, hole.rows - 2 * r);
  // Dilate only around the hole: target centres lie within r of it.
  const cv::Rect around = (holeBox + cv::Size(2 * r, 2 * r) - cv::Point(r, r)) & interior;
  if (around.empty()) return nnf;
  const cv::Rect read = (around + cv::Size(2 * r, 2 * r) - cv::Point(r, r)) & cv::Rect(0, 0, hole.cols, hole.rows);
  cv::dilate(hole(read), near, cv::getStructuringElement(cv::MORPH_RECT, cv::Size(patchSize, patchSize)));
  near = near(cv::Rect(around.x - read.x, around.y - read.y, around.width, around.height));
  const cv::Rect inside = cv::boundingRect(near);
  nnf.box = inside + around.tl();
  nnf.target = near(inside) != 0;
  nnf.target &= 1;
  nnf.targets = cv::countNonZero(nnf.target);
  nnf.match.create(nnf.box.size(), CV_32SC2);
  nnf.dist.create(nnf.box.size(), CV_32SC1);
  nnf.match.setTo(cv::Scalar::all(0));
  nnf.dist.setTo(cv::Scalar(0));
  return nnf;
}

void initRandom(Nnf& nnf, const LevelView& level, std::uint64_t seed) {
  const Ctx c(level);
  forEachRow(nnf.box.height, [&](int y) {
    Rng rng(mixSeed(seed, 0x1A17, static_cast<std::uint64_t>(y)));
    const uchar* t = nnf.target.ptr<uchar>(y);
    auto* m = nnf.match.ptr<cv::Vec2i>(y);
    int* d = nnf.dist.ptr<int>(y);
    for (int x = 0; x < nnf.box.width; ++x) {
      if (!t[x]) continue;
      const cv::Point s = randomSource(c, rng);
      m[x] = {s.x, s.y};
      d[x] = patchSsd(c, c.patch(nnf.box.x + x, nnf.box.y + y), c.patch(s.x, s.y), INT_MAX);
    }
  });
}

void upsampleNnf(const Nnf& coarse, Nnf& fine, const LevelView& fineLevel, std::uint64_t seed) {
  const Ctx c(fineLevel);
  forEachRow(fine.box.height, [&](int y) {
    Rng rng(mixSeed(seed, 0x0B5A, static_cast<std::uint64_t>(y)));
    const uchar* t = fine.target.ptr<uchar>(y);
    auto* m = fine.match.ptr<cv::Vec2i>(y);
    const int fy = fine.box.y + y;
    for (int x = 0; x < fine.box.width; ++x) {
      if (!t[x]) continue;
      const int fx = fine.box.x + x;
      // The parent, or failing that the nearest coarse target among its 3x3 neighbours.
      bool found = false;
      cv::Point pick;
      for (int k = 0; k < 9 && !found; ++k) {
        static const int kOrder[9][2] = {{0, 0}, {-1, 0}, {1, 0}, {0, -1}, {0, 1}, {-1, -1}, {1, -1}, {-1, 1}, {1, 1}};
        const int px = (fx >> 1) + kOrder[k][0], py = (fy >> 1) + kOrder[k][1];
        const int cx = px - coarse.box.x, cy = py - coarse.box.y;
        if (cx < 0 || cy < 0 || cx >= coarse.box.width || cy >= coarse.box.height) continue;
        if (!coarse.target.at<uchar>(cy, cx)) continue;
        const cv::Vec2i cm = coarse.match.at<cv::Vec2i>(cy, cx);
        // Keep the offset to the parent, then fall back to the block's corners.
        const int ox = fx - 2 * px, oy = fy - 2 * py;
        const cv::Point tries[3] = {{2 * cm[0] + ox, 2 * cm[1] + oy}, {2 * cm[0] + (fx & 1), 2 * cm[1] + (fy & 1)},
                                    {2 * cm[0], 2 * cm[1]}};
        for (const cv::Point& s : tries)
          if (c.valid(s.x, s.y)) {
            pick = s;
            found = true;
            break;
          }
      }
      if (!found) pick = randomSource(c, rng);
      m[x] = {pick.x, pick.y};
    }
  });
}

void updateDistances(Nnf& nnf, const LevelView& level) {
  const Ctx c(level);
  forEachRow(nnf.box.height, [&](int y) {
    const uchar* t = nnf.target.ptr<uchar>(y);
    const auto* m = nnf.match.ptr<cv::Vec2i>(y);
    int* d = nnf.dist.ptr<int>(y);
    for (int x = 0; x < nnf.box.width; ++x)
      if (t[x]) d[x] = patchSsd(c, c.patch(nnf.box.x + x, nnf.box.y + y), c.patch(m[x][0], m[x][1]), INT_MAX);
  });
}

void improveNnf(Nnf& nnf, const LevelView& level, int pass, std::uint64_t seed) {
  const Ctx c(level);
  const bool forward = (pass % 2) == 0;
  const int step = forward ? 1 : -1;
  const int bw = nnf.box.width, bh = nnf.box.height;
  const int maxRadius = std::max(c.srcBox.width, c.srcBox.height);
  const int stripes = (bh + kStripeRows - 1) / kStripeRows;

  auto runRow = [&](int y, Rng& rng) {
    const uchar* t = nnf.target.ptr<uchar>(y);
    auto* m = nnf.match.ptr<cv::Vec2i>(y);
    int* d = nnf.dist.ptr<int>(y);
    const int ny = y - step;  // the row already visited in this scan order
    const bool hasRow = ny >= 0 && ny < bh;
    const uchar* tn = hasRow ? nnf.target.ptr<uchar>(ny) : nullptr;
    const auto* mn = hasRow ? nnf.match.ptr<cv::Vec2i>(ny) : nullptr;
    const int ty = nnf.box.y + y;
    for (int i = 0; i < bw; ++i) {
      const int x = forward ? i : bw - 1 - i;
      if (!t[x]) continue;
      const uchar* tp = c.patch(nnf.box.x + x, ty);
      cv::Point best(m[x][0], m[x][1]);
      int bestD = d[x];
      auto consider = [&](int sx, int sy) {
        if ((sx == best.x && sy == best.y) || !c.valid(sx, sy)) return;
        const int dist = patchSsd(c, tp, c.patch(sx, sy), bestD);
        if (dist < bestD) {
          bestD = dist;
          best = {sx, sy};
        }
      };
      // Propagation: the neighbour visited just before, shifted by one pixel.
      const int nx = x - step;
      if (nx >= 0 && nx < bw && t[nx]) consider(m[nx][0] + step, m[nx][1]);
      if (hasRow && tn[x]) consider(mn[x][0], mn[x][1] + step);
      // Random search: windows of halving radius around the best match, clipped to the sources.
      for (int radius = maxRadius; radius >= 1; radius /= 2) {
        const int x0 = std::max(c.srcBox.x, best.x - radius);
        const int x1 = std::min(c.srcBox.x + c.srcBox.width - 1, best.x + radius);
        const int y0 = std::max(c.srcBox.y, best.y - radius);
        const int y1 = std::min(c.srcBox.y + c.srcBox.height - 1, best.y + radius);
        consider(x0 + rng.below(x1 - x0 + 1), y0 + rng.below(y1 - y0 + 1));
      }
      m[x] = {best.x, best.y};
      d[x] = bestD;
    }
  };

  for (int parity = 0; parity < 2; ++parity) {
    const int count = (stripes - parity + 1) / 2;
    cv::parallel_for_(cv::Range(0, count), [&](const cv::Range& range) {
      for (int k = range.start; k < range.end; ++k) {
        const int s = 2 * k + parity;
        Rng rng(mixSeed(seed, 0x5EA7C4, static_cast<std::uint64_t>(pass), static_cast<std::uint64_t>(s)));
        const int y0 = s * kStripeRows, y1 = std::min(bh, y0 + kStripeRows);
        if (forward)
          for (int y = y0; y < y1; ++y) runRow(y, rng);
        else
          for (int y = y1 - 1; y >= y0; --y) runRow(y, rng);
      }
    });
  }
}

}  // namespace latentshop::patchmatch
