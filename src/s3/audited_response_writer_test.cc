// File: s3/audited_response_writer_test.cc
// The log entry is recorded before anything reaches the wire, with the
// response's status and length; a refused entry replaces the response by a
// 503 and nothing of the handler's response is sent.
#include <utility>  // before Asio headers (Boost 1.74 with g++ 12)

#include "s3/audited_response_writer.h"

#include <gtest/gtest.h>

#include "s3/recording_response_writer.h"

namespace confiance::s3 {
namespace {

using testing::RecordingWriter;
using testing::RunCoroutine;

class FakeRecorder final : public AccessRecorder {
 public:
  explicit FakeRecorder(const RecordingWriter& wire) : wire_(wire) {}
  asio::awaitable<Status> Record(int status, std::optional<uint64_t> content_length) override {
    ++calls;
    recorded_status = status;
    recorded_length = content_length;
    wire_started_when_recorded = wire_.started_;
    co_return result;
  }
  std::string RefusalDocument(const Status&) override { return "<Error><Code>ServiceUnavailable</Code></Error>"; }

  Status result;
  int calls = 0;
  int recorded_status = 0;
  std::optional<uint64_t> recorded_length;
  bool wire_started_when_recorded = true;

 private:
  const RecordingWriter& wire_;
};

TEST(AuditedResponseWriterTest, RecordsBeforeTheHeadIsPassedOn) {
  RecordingWriter wire;
  FakeRecorder recorder(wire);
  AuditedResponseWriter writer(wire, &recorder);
  RunCoroutine([&]() -> asio::awaitable<void> {
    std::vector<http::Header> h = {{"ETag", "\"e\""}};
    EXPECT_TRUE((co_await writer.Send(200, h, "body")).ok());
  });
  EXPECT_EQ(recorder.calls, 1);
  EXPECT_EQ(recorder.recorded_status, 200);
  EXPECT_EQ(recorder.recorded_length, std::optional<uint64_t>(4));
  EXPECT_FALSE(recorder.wire_started_when_recorded);
  EXPECT_EQ(wire.status_, 200);
  EXPECT_EQ(wire.body_, "body");
  EXPECT_TRUE(wire.finished_);
  EXPECT_FALSE(writer.refused());
  EXPECT_TRUE(writer.recorded());
  EXPECT_EQ(writer.status(), 200);
}

TEST(AuditedResponseWriterTest, ARefusedEntryTurnsTheResponseInto503) {
  RecordingWriter wire;
  FakeRecorder recorder(wire);
  recorder.result = UnavailableError("store read-only");
  AuditedResponseWriter writer(wire, &recorder);
  RunCoroutine([&]() -> asio::awaitable<void> {
    std::vector<http::Header> h = {{"Content-Type", "application/octet-stream"}};
    Status started = co_await writer.Start(200, h, 6);
    EXPECT_EQ(started.code(), StatusCode::kUnavailable);
    std::string secret = "secret";
    Status wrote = co_await writer.Write(std::as_bytes(std::span(secret)));
    EXPECT_EQ(wrote.code(), StatusCode::kUnavailable);
    EXPECT_EQ((co_await writer.Finish()).code(), StatusCode::kUnavailable);
  });
  EXPECT_TRUE(writer.refused());
  EXPECT_FALSE(writer.recorded());
  EXPECT_TRUE(writer.started());
  EXPECT_EQ(writer.status(), 503);  // what the client got
  EXPECT_EQ(wire.status_, 503);
  EXPECT_EQ(wire.body_.find("secret"), std::string::npos);
  EXPECT_NE(wire.body_.find("ServiceUnavailable"), std::string::npos);
}

TEST(AuditedResponseWriterTest, OneEntryPerResponseAndNoneWithoutRecorder) {
  RecordingWriter wire;
  FakeRecorder recorder(wire);
  AuditedResponseWriter writer(wire, &recorder);
  RunCoroutine([&]() -> asio::awaitable<void> {
    std::vector<http::Header> none;
    (void)co_await writer.Start(206, none, 10);
    (void)co_await writer.Start(500, none, 0);  // the inner writer refuses a second head
  });
  EXPECT_EQ(recorder.calls, 1);
  EXPECT_EQ(recorder.recorded_status, 206);
  EXPECT_EQ(writer.status(), 206);  // the refused second head changes nothing

  RecordingWriter wire2;
  AuditedResponseWriter unaudited(wire2, nullptr);
  RunCoroutine([&]() -> asio::awaitable<void> {
    std::vector<http::Header> none;
    EXPECT_TRUE((co_await unaudited.Send(204, none, "")).ok());
  });
  EXPECT_EQ(wire2.status_, 204);
  EXPECT_EQ(unaudited.status(), 204);
  EXPECT_FALSE(unaudited.recorded());
}

// Nothing is recorded before a response starts: a commit that relies on
// the entry's sync (S3Service::CommitsDurable) is not yet durable.
TEST(AuditedResponseWriterTest, NotRecordedBeforeTheResponseStarts) {
  RecordingWriter wire;
  FakeRecorder recorder(wire);
  AuditedResponseWriter writer(wire, &recorder);
  EXPECT_FALSE(writer.recorded());
  EXPECT_FALSE(writer.refused());
  RunCoroutine([&]() -> asio::awaitable<void> {
    std::vector<http::Header> none;
    (void)co_await writer.Start(100, none, std::nullopt);  // informational: no entry
  });
  EXPECT_EQ(recorder.calls, 0);
  EXPECT_FALSE(writer.recorded());
  EXPECT_EQ(writer.status(), 0);  // a 100 Continue is not the response
}

}  // namespace
}  // namespace confiance::s3
