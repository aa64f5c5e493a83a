// File: common/direct_writable_file.h
// DirectWritableFile: the POSIX WritableFile of Env::NewBulkFile. A bulk
// file (a blob) is written once, front to back, and read later: its first
// kBufferedPrefix bytes go through the page cache like any file, and every
// later whole block of kDirectBlock bytes is written with O_DIRECT from an
// aligned buffer, one block in flight (kernel AIO) while the caller fills
// the next. On these guests the page cache is the expensive part of a
// large write (copying into fresh cache pages, then writeback: about 4x
// the CPU of the same bytes written directly, docs/PERFORMANCE.md), and a
// large object's bytes are seldom read again soon after its PUT.
//
// Small files never leave the page cache (one device round trip at Sync,
// read-after-write from memory). Whatever the file system refuses
// (O_DIRECT unsupported: EINVAL at fcntl or at the first direct write) is
// written buffered instead, so O_DIRECT is an optimisation, never a
// requirement. While direct writes go on, the file's size runs up to
// 8 MiB ahead of them (fallocate: an extending direct write would not be
// asynchronous); the tail after the last whole block is written buffered
// and the size cut back to the bytes written at Sync or Close. Sync's
// fdatasync makes the whole file durable either way (a direct write is on
// the device, but neither its allocation nor the device's cache is).
//
// Thread model: as any WritableFile (one thread at a time).
#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include "common/env.h"

namespace confiance {

// Bytes written through the page cache before direct writes start.
inline constexpr size_t kBufferedPrefix = 1024 * 1024;
// The size of each direct write (and of the buffer, once past the prefix).
inline constexpr size_t kDirectBlock = 1024 * 1024;

// Takes ownership of `fd`: a regular file opened for writing, empty, without
// O_APPEND or O_DIRECT.
std::unique_ptr<WritableFile> NewDirectWritableFile(int fd, std::string path);

}  // namespace confiance
