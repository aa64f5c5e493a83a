// File: common/await_callback.cc
#include "common/await_callback.h"

#include <boost/asio/post.hpp>

namespace confiance {

thread_local int ResumeBatch::depth_ = 0;
thread_local std::vector<ResumeBatch::Held>* ResumeBatch::held_ = nullptr;

ResumeBatch::ResumeBatch() {
  if (depth_++ == 0) held_ = &mine_;
}

ResumeBatch::~ResumeBatch() {
  if (--depth_ != 0) return;
  held_ = nullptr;
  Flush(mine_);
}

void ResumeBatch::Post(const boost::asio::any_io_executor& ex, std::function<void()> resume) {
  if (held_ != nullptr) {
    held_->push_back({ex, std::move(resume)});
    return;
  }
  boost::asio::post(ex, std::move(resume));
}

void ResumeBatch::Flush(std::vector<Held>& held) {
  // Few executors (one per network thread): a linear pass per executor.
  std::vector<bool> posted(held.size(), false);
  for (size_t i = 0; i < held.size(); ++i) {
    if (posted[i]) continue;
    std::vector<std::function<void()>> same;
    for (size_t j = i; j < held.size(); ++j) {
      if (!posted[j] && held[j].ex == held[i].ex) {
        same.push_back(std::move(held[j].resume));
        posted[j] = true;
      }
    }
    if (same.size() == 1) {
      boost::asio::post(held[i].ex, std::move(same.front()));
    } else {
      boost::asio::post(held[i].ex, [same = std::move(same)]() mutable {
        for (auto& resume : same) resume();
      });
    }
  }
  held.clear();
}

}  // namespace confiance
