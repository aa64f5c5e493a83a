// File: s3/form_data.cc
#include "s3/form_data.h"

#include <algorithm>
#include <cstring>

#include "common/ascii.h"

namespace confiance::s3 {
namespace {

constexpr size_t kMaxPadding = 256;  // transport padding after a delimiter

// Splits "a; b=c; d=\"e;f\"" into its ';'-separated items, honouring
// quoted strings. Each item is trimmed.
std::vector<std::string_view> SplitParams(std::string_view s) {
  std::vector<std::string_view> out;
  size_t start = 0;
  bool quoted = false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (quoted && c == '\\') {
      ++i;
    } else if (c == '"') {
      quoted = !quoted;
    } else if (c == ';' && !quoted) {
      out.push_back(TrimSpaceAndTab(s.substr(start, i - start)));
      start = i + 1;
    }
  }
  out.push_back(TrimSpaceAndTab(s.substr(start)));
  return out;
}

// A parameter value: a quoted string (backslash escapes removed) or a token.
std::string ParamValue(std::string_view v) {
  v = TrimSpaceAndTab(v);
  if (v.size() < 2 || v.front() != '"' || v.back() != '"') return std::string(v);
  std::string out;
  for (size_t i = 1; i + 1 < v.size(); ++i) {
    if (v[i] == '\\' && i + 2 < v.size()) ++i;
    out.push_back(v[i]);
  }
  return out;
}

}  // namespace

std::optional<std::string> FormDataParser::BoundaryOf(std::string_view content_type) {
  std::vector<std::string_view> items = SplitParams(content_type);
  if (items.empty() || !EqualsIgnoreCase(items[0], "multipart/form-data")) return std::nullopt;
  for (size_t i = 1; i < items.size(); ++i) {
    size_t eq = items[i].find('=');
    if (eq == std::string_view::npos) continue;
    if (!EqualsIgnoreCase(TrimSpaceAndTab(items[i].substr(0, eq)), "boundary")) continue;
    std::string b = ParamValue(items[i].substr(eq + 1));
    if (b.empty() || b.size() > kMaxBoundary) return std::nullopt;
    return b;
  }
  return std::nullopt;
}

FormDataParser::FormDataParser(std::string_view boundary, size_t buffer_size)
    : delimiter_("\r\n--" + std::string(boundary)),
      searcher_(delimiter_.cbegin(), delimiter_.cend()),
      buf_(std::max({buffer_size, kMaxPartHeaderBytes + 8, 4 * delimiter_.size()})) {
  // The first delimiter may open the body without a preceding CRLF: a
  // virtual CRLF in front lets one pattern find every delimiter.
  buf_[0] = '\r';
  buf_[1] = '\n';
  end_ = 2;
}

std::span<char> FormDataParser::InputSpace() {
  data_ = {};
  if (begin_ > 0) {
    std::memmove(buf_.data(), buf_.data() + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
  }
  return std::span<char>(buf_).subspan(end_);
}

void FormDataParser::Commit(size_t n) { end_ = std::min(end_ + n, buf_.size()); }

Result<FormDataParser::Event> FormDataParser::Fail(std::string_view message) {
  state_ = State::kFailed;
  error_ = InvalidArgumentError(std::string(message));
  return error_;
}

size_t FormDataParser::FindDelimiter() const {
  std::string_view b = Buffered();
  auto it = std::search(b.begin(), b.end(), searcher_);
  return it == b.end() ? std::string_view::npos : static_cast<size_t>(it - b.begin());
}

Status FormDataParser::ParseHeaders(std::string_view block) {
  part_ = Part{};
  bool disposition = false;
  while (!block.empty()) {
    size_t eol = block.find("\r\n");
    std::string_view line = block.substr(0, eol);
    block = eol == std::string_view::npos ? std::string_view() : block.substr(eol + 2);
    size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) {
      return InvalidArgumentError("Malformed header line in a multipart/form-data part.");
    }
    std::string_view name = line.substr(0, colon);
    std::string_view value = TrimSpaceAndTab(line.substr(colon + 1));
    if (EqualsIgnoreCase(name, "content-type")) {
      part_.content_type = std::string(value);
    } else if (EqualsIgnoreCase(name, "content-disposition")) {
      std::vector<std::string_view> items = SplitParams(value);
      if (!EqualsIgnoreCase(items[0], "form-data")) {
        return InvalidArgumentError("A multipart/form-data part must have Content-Disposition: form-data.");
      }
      disposition = true;
      for (size_t i = 1; i < items.size(); ++i) {
        size_t eq = items[i].find('=');
        if (eq == std::string_view::npos) continue;
        std::string_view key = TrimSpaceAndTab(items[i].substr(0, eq));
        if (EqualsIgnoreCase(key, "name")) part_.name = ParamValue(items[i].substr(eq + 1));
        if (EqualsIgnoreCase(key, "filename")) part_.filename = ParamValue(items[i].substr(eq + 1));
      }
    }
  }
  if (!disposition || part_.name.empty()) {
    return InvalidArgumentError("A multipart/form-data part must name its field in Content-Disposition.");
  }
  return OkStatus();
}

Result<FormDataParser::Event> FormDataParser::Next() {
  data_ = {};
  for (;;) {
    std::string_view b = Buffered();
    switch (state_) {
      case State::kFailed:
        return error_;
      case State::kDone:
        return Event::kEnd;
      case State::kPreamble: {
        size_t at = FindDelimiter();
        if (at != std::string_view::npos) {
          begin_ += at + delimiter_.size();
          state_ = State::kAfterDelimiter;
          continue;
        }
        // Keep only what could still start a delimiter.
        if (b.size() >= delimiter_.size()) begin_ = end_ - (delimiter_.size() - 1);
        if (input_closed_) return Fail("The multipart/form-data body has no opening boundary.");
        return Event::kNeedInput;
      }
      case State::kAfterDelimiter: {
        if (b.size() >= 2 && b.substr(0, 2) == "--") {
          state_ = State::kDone;
          begin_ = end_;  // the epilogue is ignored
          return Event::kEnd;
        }
        size_t i = 0;
        while (i < b.size() && (b[i] == ' ' || b[i] == '\t')) ++i;
        if (i > kMaxPadding) return Fail("Malformed multipart/form-data boundary line.");
        if (b.size() >= i + 2) {
          if (b.substr(i, 2) != "\r\n") return Fail("Malformed multipart/form-data boundary line.");
          begin_ += i + 2;
          state_ = State::kHeaders;
          continue;
        }
        if (input_closed_) return Fail("The multipart/form-data body ends before its closing boundary.");
        return Event::kNeedInput;
      }
      case State::kHeaders: {
        size_t header_end;
        size_t skip;
        if (b.starts_with("\r\n")) {
          header_end = 0;  // no header lines at all
          skip = 2;
        } else {
          header_end = b.find("\r\n\r\n");
          skip = 4;
        }
        if (header_end == std::string_view::npos) {
          // A terminator starting within the limit ends by limit + 4 bytes.
          if (b.size() > kMaxPartHeaderBytes + 3) return Fail("A multipart/form-data part has too large a header.");
          if (input_closed_) return Fail("The multipart/form-data body ends before its closing boundary.");
          return Event::kNeedInput;
        }
        if (header_end > kMaxPartHeaderBytes) return Fail("A multipart/form-data part has too large a header.");
        if (Status st = ParseHeaders(b.substr(0, header_end)); !st.ok()) return Fail(st.message());
        begin_ += header_end + skip;
        state_ = State::kBody;
        return Event::kPartBegin;
      }
      case State::kBody: {
        size_t at = FindDelimiter();
        if (at == 0) {
          begin_ += delimiter_.size();
          state_ = State::kAfterDelimiter;
          return Event::kPartEnd;
        }
        size_t n = at;
        if (at == std::string_view::npos) {
          // Everything but a tail that could be the start of a delimiter.
          n = b.size() >= delimiter_.size() ? b.size() - (delimiter_.size() - 1) : 0;
        }
        if (n > 0) {
          data_ = b.substr(0, n);
          begin_ += n;
          return Event::kData;
        }
        if (input_closed_) return Fail("The multipart/form-data body ends before its closing boundary.");
        return Event::kNeedInput;
      }
    }
  }
}

}  // namespace confiance::s3
