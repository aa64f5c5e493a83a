// File: blob/deferred_deletes_test.cc
// DeferredDeletes: deletions kept while a hold is open, done when the last
// hold closes, and the limit that breaks a hold instead of growing.
#include "blob/deferred_deletes.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/testutil/status_matchers.h"

namespace confiance::blob {
namespace {

class DeferredDeletesTest : public ::testing::Test {
 protected:
  DeferredDeletes::DeleteFn Recorder() {
    return [this](const std::string& id) {
      erased_.push_back(id);
      return fail_ ? UnavailableError("disk gone") : OkStatus();
    };
  }
  std::vector<std::string> erased_;
  bool fail_ = false;
};

TEST_F(DeferredDeletesTest, WithoutAHoldNothingIsKept) {
  DeferredDeletes d(Recorder(), 10);
  EXPECT_FALSE(d.Defer("a"));
  EXPECT_EQ(d.held(), 0u);
  EXPECT_TRUE(erased_.empty());
}

TEST_F(DeferredDeletesTest, KeptUntilTheLastHoldCloses) {
  DeferredDeletes d(Recorder(), 10);
  auto first = d.Open();
  EXPECT_TRUE(d.Defer("a"));
  auto second = d.Open();
  EXPECT_TRUE(d.Defer("b"));
  EXPECT_TRUE(d.Defer("a"));  // a repeated deletion (the sweeper's) is kept once
  EXPECT_EQ(d.held(), 2u);
  first.reset();
  EXPECT_TRUE(erased_.empty()) << "another hold is still open";
  EXPECT_TRUE(d.Defer("c"));
  EXPECT_FALSE(second->broken());
  second.reset();
  EXPECT_EQ(erased_, (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(d.held(), 0u);
  EXPECT_FALSE(d.Defer("d"));
}

TEST_F(DeferredDeletesTest, PastTheLimitDeletionsGoThroughAndTheHoldIsBroken) {
  DeferredDeletes d(Recorder(), 2);
  auto hold = d.Open();
  EXPECT_TRUE(d.Defer("a"));
  EXPECT_TRUE(d.Defer("b"));
  EXPECT_FALSE(hold->broken());
  EXPECT_FALSE(d.Defer("c")) << "the caller deletes c now";
  EXPECT_TRUE(hold->broken());
  EXPECT_EQ(d.held(), 2u);
  hold.reset();
  EXPECT_EQ(erased_, (std::vector<std::string>{"a", "b"}));
  // A new hold starts whole.
  auto next = d.Open();
  EXPECT_FALSE(next->broken());
}

TEST_F(DeferredDeletesTest, FailedDeletionsAtCloseAreLeftForTheSweeper) {
  DeferredDeletes d(Recorder(), 10);
  fail_ = true;
  {
    auto hold = d.Open();
    EXPECT_TRUE(d.Defer("a"));
    EXPECT_TRUE(d.Defer("b"));
  }
  EXPECT_EQ(erased_.size(), 2u) << "every kept deletion is tried, failures included";
  EXPECT_EQ(d.held(), 0u);
}

}  // namespace
}  // namespace confiance::blob
