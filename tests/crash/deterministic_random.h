// File: tests/crash/deterministic_random.h
// Makes OpenSSL's RAND_bytes (and everything built on it: blob ids, op tags,
// upload ids, data and root keys) a seeded, per-thread pseudo-random stream,
// so that a crash-harness run replays the same file operations for the same
// seed: blob ids decide which fan-out directories a commit creates, hence
// how many Env calls precede a given crash point.
//
// TEST ONLY: the stream is predictable by design. It replaces the process's
// RAND method (OpenSSL's legacy RAND_set_rand_method, still honoured by
// OpenSSL 3's RAND_bytes); never link this into a server.
//
// Thread-safety: InstallDeterministicRandom is idempotent and safe to call
// from several threads; each thread has its own stream, seeded by
// SeedThreadRandom (unseeded threads start from a fixed seed).
#pragma once

#include <cstdint>

namespace confiance::crashtest {

// Replaces the process-wide OpenSSL RAND method. Returns false if OpenSSL
// refused it.
bool InstallDeterministicRandom();

// Restarts the calling thread's stream from `seed`.
void SeedThreadRandom(uint64_t seed);

}  // namespace confiance::crashtest
