// File: catalog/object_data.cc
#include "catalog/object_data.h"

#include <algorithm>
#include <cstring>

#include "common/blocking_pool.h"
#include "crypto/envelope.h"

namespace confiance::catalog {
std::string DataKeyContext(std::string_view bucket_id) {
  return "confiance/data-key/v1/" + std::string(bucket_id);
}

SegmentWriter::SegmentWriter(blob::BlobStore& blobs, size_t inline_limit)
    : blobs_(blobs), inline_limit_(inline_limit) {}

SegmentWriter::~SegmentWriter() {
  if (blob_) blob_->Abort();
}

Result<std::unique_ptr<SegmentWriter>> SegmentWriter::Create(blob::BlobStore& blobs,
                                                             const crypto::SecretBytes& bucket_key,
                                                             std::string_view bucket_id,
                                                             size_t inline_limit, uint32_t key_version) {
  std::unique_ptr<SegmentWriter> w(new SegmentWriter(blobs, inline_limit));
  w->key_version_ = key_version;
  ASSIGN_OR_RETURN(w->data_key_, crypto::NewDataKey());
  ASSIGN_OR_RETURN(w->wrapped_key_,
                   crypto::WrapKey(bucket_key, w->data_key_, DataKeyContext(bucket_id)));
  SegmentWriter* raw = w.get();
  w->encryptor_ = std::make_unique<crypto::ObjectEncryptor>(
      w->data_key_, [raw](std::span<const std::byte> sealed) { return raw->Sink(sealed); });
  return w;
}

Status SegmentWriter::Sink(std::span<const std::byte> sealed) {
  if (!blob_ && inline_.size() + sealed.size() <= inline_limit_) {
    inline_.append(reinterpret_cast<const char*>(sealed.data()), sealed.size());
    return OkStatus();
  }
  if (!blob_) {
    ASSIGN_OR_RETURN(blob_, blobs_.NewBlob());
    if (!inline_.empty()) {
      RETURN_IF_ERROR(blob_->Append(std::as_bytes(std::span(inline_.data(), inline_.size()))));
      std::string().swap(inline_);
    }
  }
  return blob_->Append(sealed);
}

namespace {
// Below this, handing the MD5 to another thread costs more than it saves.
constexpr size_t kHashBesideMin = 256 * 1024;
// On one thread, each slice is hashed and then encrypted while it is still
// in the core's cache, rather than the whole window twice from memory.
constexpr size_t kOnePassSlice = 64 * 1024;
}  // namespace

Status SegmentWriter::Write(std::span<const std::byte> plain, BlockingPool* beside) {
  if (beside != nullptr && beside->parallel() && plain.size() >= kHashBesideMin) {
    auto hash = [&] { md5_.Update(plain); };
    return beside->RunBeside(hash, [&] { return encryptor_->Write(plain); });
  }
  while (!plain.empty()) {
    std::span<const std::byte> slice = plain.first(std::min(plain.size(), kOnePassSlice));
    md5_.Update(slice);
    RETURN_IF_ERROR(encryptor_->Write(slice));
    plain = plain.subspan(slice.size());
  }
  return OkStatus();
}

uint64_t SegmentWriter::plain_size() const { return encryptor_->plain_size(); }

Result<Segment> SegmentWriter::Finish() {
  RETURN_IF_ERROR(encryptor_->Finish());
  md5_hex_ = crypto::DigestHex(md5_.Finish());
  Segment seg;
  seg.plain_size = encryptor_->plain_size();
  seg.wrapped_key = wrapped_key_;
  seg.key_version = key_version_;
  seg.etag = md5_hex_;
  if (blob_) {
    RETURN_IF_ERROR(blob_->Commit());
    seg.blob_id = blob_->id();
    blob_.reset();
  } else {
    seg.inline_data = std::move(inline_);
  }
  return seg;
}

struct ObjectReader::OpenSegment {
  crypto::SecretBytes key;
  std::unique_ptr<blob::BlobReader> blob;
  std::unique_ptr<crypto::RangeDecryptor> decryptor;
};

ObjectReader::ObjectReader(blob::BlobStore& blobs, const ObjectRecord& record,
                           std::shared_ptr<const crypto::SecretBytes> bucket_key,
                           std::string bucket_id)
    : blobs_(blobs), record_(record), bucket_key_(std::move(bucket_key)), bucket_id_(std::move(bucket_id)) {
  uint64_t at = 0;
  for (const catalog::Segment& s : record_.segments) {
    starts_.push_back(at);
    at += s.plain_size;
  }
}

ObjectReader::ObjectReader(blob::BlobStore& blobs, const ObjectRecord& record, SegmentKeks keks,
                           std::string bucket_id)
    : ObjectReader(blobs, record, nullptr, std::move(bucket_id)) {
  keks_ = std::move(keks);
}

ObjectReader::~ObjectReader() = default;

Status ObjectReader::OpenBlobs() {
  blobs_open_.resize(record_.segments.size());
  for (size_t i = 0; i < record_.segments.size(); ++i) {
    const std::string& id = record_.segments[i].blob_id;
    if (id.empty() || blobs_open_[i]) continue;
    ASSIGN_OR_RETURN(blobs_open_[i], blobs_.Open(id));
  }
  return OkStatus();
}

Result<ObjectReader::OpenSegment*> ObjectReader::Segment(size_t index) {
  if (open_index_ == index) return open_.get();
  const catalog::Segment& seg = record_.segments[index];
  auto os = std::make_unique<OpenSegment>();
  const crypto::SecretBytes* kek = bucket_key_.get();
  if (!kek) {
    auto it = keks_.find(seg.key_version);
    if (it == keks_.end() || !it->second) {
      return FailedPreconditionError("no key for bucket-key version " + std::to_string(seg.key_version));
    }
    kek = it->second.get();
  }
  ASSIGN_OR_RETURN(os->key, crypto::UnwrapKey(*kek, seg.wrapped_key, DataKeyContext(bucket_id_)));
  crypto::RangeDecryptor::Reader reader;
  if (seg.blob_id.empty()) {
    const std::string* data = &seg.inline_data;
    reader = [data](uint64_t offset, std::span<std::byte> out) -> Result<size_t> {
      if (offset >= data->size()) return size_t{0};
      size_t n = std::min<uint64_t>(out.size(), data->size() - offset);
      std::memcpy(out.data(), data->data() + offset, n);
      return n;
    };
  } else {
    if (blobs_open_.size() > index && blobs_open_[index]) {
      os->blob = std::move(blobs_open_[index]);
    } else {
      ASSIGN_OR_RETURN(os->blob, blobs_.Open(seg.blob_id));
    }
    blob::BlobReader* b = os->blob.get();
    reader = [b](uint64_t offset, std::span<std::byte> out) { return b->ReadAt(offset, out); };
  }
  os->decryptor = std::make_unique<crypto::RangeDecryptor>(os->key, seg.plain_size, std::move(reader));
  open_ = std::move(os);
  open_index_ = index;
  return open_.get();
}

Status ObjectReader::Read(uint64_t offset, std::span<std::byte> out) {
  if (offset + out.size() > record_.size) return OutOfRangeError("read past the end of the object");
  while (!out.empty()) {
    // The segment holding `offset`: the last one starting at or before it.
    size_t index = std::upper_bound(starts_.begin(), starts_.end(), offset) - starts_.begin() - 1;
    const uint64_t in_seg = offset - starts_[index];
    const uint64_t avail = record_.segments[index].plain_size - in_seg;
    const size_t n = static_cast<size_t>(std::min<uint64_t>(avail, out.size()));
    if (n == 0) return DataLossError("object segments do not cover its size");
    ASSIGN_OR_RETURN(OpenSegment * seg, Segment(index));
    RETURN_IF_ERROR(seg->decryptor->Read(in_seg, out.first(n)));
    out = out.subspan(n);
    offset += n;
  }
  return OkStatus();
}

Status ReleaseSegments(blob::BlobStore& blobs, const std::vector<Segment>& segments) {
  Status first;
  for (const Segment& s : segments) {
    if (s.blob_id.empty()) continue;
    Status st = blobs.Delete(s.blob_id);
    if (!st.ok() && first.ok()) first = st;
  }
  return first;
}

}  // namespace confiance::catalog
