// File: crypto/random_test.cc
// The per-thread pool behind FillRandom (random.cc): bytes are handed out
// once, across refills, threads and fork().
#include "crypto/random.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace confiance::crypto {
namespace {

std::string Draw(size_t n) {
  std::string out(n, '\0');
  EXPECT_TRUE(FillRandom(std::as_writable_bytes(std::span(out))).ok());
  return out;
}

TEST(CryptoRandomPoolTest, SmallDrawsNeverRepeatAcrossRefills) {
  // 3,000 keys of 32 bytes span about 90 refills of the 1 KiB pool; odd
  // sizes in between shift where each refill cuts.
  constexpr int kDraws = 3000;
  std::set<std::string> seen;
  size_t zeros = 0;
  for (int i = 0; i < kDraws; ++i) {
    const std::string key = Draw(32);
    ASSERT_TRUE(seen.insert(key).second) << "draw " << i << " repeated";
    zeros += static_cast<size_t>(std::count(key.begin(), key.end(), '\0'));
    Draw(static_cast<size_t>(1 + i % 13));
  }
  // Handed-out bytes are wiped in the pool: serving one twice would show
  // as zeros. Uniform bytes give 375 zeros on average (sd 19).
  EXPECT_LT(zeros, 600u);
}

TEST(CryptoRandomPoolTest, LargeAndEmptyDraws) {
  const std::string a = Draw(4096), b = Draw(4096);
  EXPECT_NE(a, b);
  EXPECT_NE(a, std::string(4096, '\0'));
  EXPECT_NE(Draw(65), Draw(65));  // just above the pooled size
  EXPECT_NE(Draw(64), Draw(64));  // the largest pooled size
  EXPECT_TRUE(FillRandom({}).ok());
}

TEST(CryptoRandomPoolTest, ThreadsDrawDistinctBytes) {
  constexpr int kThreads = 4, kDraws = 200;
  std::vector<std::vector<std::string>> drawn(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&drawn, t] {
      for (int i = 0; i < kDraws; ++i) drawn[t].push_back(Draw(32));
    });
  }
  for (auto& th : threads) th.join();
  std::set<std::string> all;
  for (const auto& v : drawn) all.insert(v.begin(), v.end());
  EXPECT_EQ(all.size(), static_cast<size_t>(kThreads * kDraws));
}

TEST(CryptoRandomPoolTest, ForkedChildDoesNotRepeatTheParentsBytes) {
  Draw(32);  // the parent's pool now holds unused bytes
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    const std::string child = Draw(32);
    const bool written = write(fds[1], child.data(), child.size()) == static_cast<ssize_t>(child.size());
    _exit(written ? 0 : 1);
  }
  close(fds[1]);
  std::array<char, 32> child{};
  size_t got = 0;
  while (got < child.size()) {
    const ssize_t n = read(fds[0], child.data() + got, child.size() - got);
    if (n <= 0) break;
    got += static_cast<size_t>(n);
  }
  close(fds[0]);
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  ASSERT_EQ(got, child.size());
  // Without the fork generation the child would hand out the very bytes
  // the parent hands out next.
  EXPECT_NE(std::string(child.data(), child.size()), Draw(32));
}

}  // namespace
}  // namespace confiance::crypto
