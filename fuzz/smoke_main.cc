// File: fuzz/smoke_main.cc
// A libFuzzer-compatible driver for the normal (g++) build, so that CI runs
// every fuzz target without clang: each target's LLVMFuzzerTestOneInput is
// linked with this main instead of libFuzzer's.
//
//   <target>_smoke [--seconds S] [--runs N] [--seed K] CORPUS_DIR...
//
// First every file of the corpus directories is run as is: the seeds and
// the reproducers of crashes found earlier (a regression test). Then, for
// at most S seconds and N runs, mutated inputs: a seeded PRNG picks a seed
// input and applies 1-4 of libFuzzer's simpler mutations (bit flip, byte
// set, interesting value, insert, erase, duplicate a chunk, splice with
// another input, truncate). This is blind, not coverage-guided: it is the
// bounded CI smoke test; `scripts/fuzz.sh` runs the real libFuzzer build.
//
// A target reports a bug by crashing (abort, an uncaught exception); that
// kills this process and fails the CTest test. Before each mutated run the
// input is written to `smoke-last-input-<target>` in the working directory
// only when --keep-last is given, so a crash can be reproduced by hand.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <random>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

using Bytes = std::vector<uint8_t>;

constexpr size_t kMaxInput = 64 * 1024;

void RunOne(const Bytes& input) {
  // A copy of exactly `size` bytes on the heap, as libFuzzer does, so that
  // a read past the end at least touches memory the target does not own.
  std::unique_ptr<uint8_t[]> copy(new uint8_t[input.size() ? input.size() : 1]);
  if (!input.empty()) std::memcpy(copy.get(), input.data(), input.size());
  LLVMFuzzerTestOneInput(copy.get(), input.size());
}

Bytes ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

class Mutator {
 public:
  explicit Mutator(uint64_t seed) : rng_(seed) {}

  Bytes Mutate(const std::vector<Bytes>& corpus) {
    Bytes out = corpus[Below(corpus.size())];
    const size_t steps = 1 + Below(4);
    for (size_t i = 0; i < steps; ++i) Step(out, corpus);
    if (out.size() > kMaxInput) out.resize(kMaxInput);
    return out;
  }

 private:
  size_t Below(size_t n) { return n == 0 ? 0 : std::uniform_int_distribution<size_t>(0, n - 1)(rng_); }
  uint8_t Byte() { return static_cast<uint8_t>(Below(256)); }

  void Step(Bytes& b, const std::vector<Bytes>& corpus) {
    static constexpr uint8_t kInteresting[] = {0x00, 0x01, 0x7f, 0x80, 0xff, '\r', '\n', ' ', '"',
                                               '<',  '>',  '&',  '%',  '/',  '\\', ';', ':', '='};
    switch (Below(8)) {
      case 0:  // flip one bit
        if (!b.empty()) b[Below(b.size())] ^= static_cast<uint8_t>(1u << Below(8));
        break;
      case 1:  // set one byte
        if (!b.empty()) b[Below(b.size())] = Byte();
        break;
      case 2:  // an interesting byte
        if (!b.empty()) b[Below(b.size())] = kInteresting[Below(sizeof(kInteresting))];
        break;
      case 3: {  // insert 1-8 random bytes
        const size_t at = Below(b.size() + 1), n = 1 + Below(8);
        Bytes ins(n);
        for (auto& c : ins) c = Byte();
        b.insert(b.begin() + static_cast<std::ptrdiff_t>(at), ins.begin(), ins.end());
        break;
      }
      case 4:  // erase a range
        if (!b.empty()) {
          const size_t at = Below(b.size()), n = 1 + Below(std::min<size_t>(b.size() - at, 16));
          b.erase(b.begin() + static_cast<std::ptrdiff_t>(at), b.begin() + static_cast<std::ptrdiff_t>(at + n));
        }
        break;
      case 5:  // duplicate a chunk elsewhere (grows counts, lengths, nesting)
        if (!b.empty()) {
          const size_t from = Below(b.size()), n = 1 + Below(std::min<size_t>(b.size() - from, 64));
          const Bytes chunk(b.begin() + static_cast<std::ptrdiff_t>(from),
                            b.begin() + static_cast<std::ptrdiff_t>(from + n));
          b.insert(b.begin() + static_cast<std::ptrdiff_t>(Below(b.size() + 1)), chunk.begin(), chunk.end());
        }
        break;
      case 6: {  // splice: our head, another input's tail
        const Bytes& other = corpus[Below(corpus.size())];
        b.resize(Below(b.size() + 1));
        const size_t from = Below(other.size() + 1);
        b.insert(b.end(), other.begin() + static_cast<std::ptrdiff_t>(from), other.end());
        break;
      }
      default:  // truncate
        b.resize(Below(b.size() + 1));
        break;
    }
  }

  std::mt19937_64 rng_;
};

int Usage() {
  std::cerr << "usage: <target>_smoke [--seconds S] [--runs N] [--seed K] [--keep-last] CORPUS_DIR...\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  double seconds = 2.0;
  uint64_t runs = 200000, seed = 1;
  bool keep_last = false;
  std::vector<std::filesystem::path> dirs;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if ((arg == "--seconds" || arg == "--runs" || arg == "--seed") && i + 1 < argc) {
      const char* v = argv[++i];
      if (arg == "--seconds") seconds = std::strtod(v, nullptr);
      else if (arg == "--runs") runs = std::strtoull(v, nullptr, 10);
      else seed = std::strtoull(v, nullptr, 10);
    } else if (arg == "--keep-last") {
      keep_last = true;
    } else if (!arg.empty() && arg[0] == '-') {
      return Usage();
    } else {
      dirs.emplace_back(arg);
    }
  }
  if (dirs.empty()) return Usage();

  std::vector<Bytes> corpus;
  for (const auto& dir : dirs) {
    std::error_code ec;
    std::vector<std::filesystem::path> files;
    for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
      if (e.is_regular_file()) files.push_back(e.path());
    }
    if (ec) {
      std::cerr << "cannot read corpus directory " << dir << ": " << ec.message() << "\n";
      return 2;
    }
    std::sort(files.begin(), files.end());  // a reproducible order
    for (const auto& f : files) corpus.push_back(ReadFile(f));
  }
  if (corpus.empty()) {
    // A target without seeds would only ever see mutations of nothing.
    std::cerr << "empty corpus: every fuzz target needs seed inputs in fuzz/corpus/<target>/\n";
    return 2;
  }
  for (const auto& input : corpus) RunOne(input);

  Mutator mutator(seed);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  uint64_t done = 0;
  const std::string last_path = std::string("smoke-last-input-") +
                                std::filesystem::path(argv[0]).filename().string();
  while (done < runs && std::chrono::steady_clock::now() < deadline) {
    const Bytes input = mutator.Mutate(corpus);
    if (keep_last) std::ofstream(last_path, std::ios::binary | std::ios::trunc)
        .write(reinterpret_cast<const char*>(input.data()), static_cast<std::streamsize>(input.size()));
    RunOne(input);
    ++done;
  }
  std::printf("corpus inputs: %zu, mutated runs: %llu (seed %llu)\n", corpus.size(),
              static_cast<unsigned long long>(done), static_cast<unsigned long long>(seed));
  return 0;
}
