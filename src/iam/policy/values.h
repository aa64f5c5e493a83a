// File: iam/policy/values.h
// Typed readings of condition values, shared by Parse (policy side, once) and
// Evaluate (request side, per comparison): numbers, instants, booleans and IP
// addresses / CIDR blocks. Pure functions; no allocation; safe for concurrent
// use.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace confiance::iam::policy {

// A finite decimal number ("10", "-2.5", "1e3"). nullopt otherwise.
std::optional<double> ParseNumber(std::string_view text);

// An instant in milliseconds since the Unix epoch, from either
//  - epoch seconds: digits with an optional fraction ("1700000000",
//    "1700000000.25"), as aws:EpochTime carries, or
//  - ISO 8601: "YYYY-MM-DD" or "YYYY-MM-DDThh:mm[:ss[.fff...]]" followed by
//    "Z", "+hh:mm", "-hh:mm", "+hhmm", "+hh" or nothing (UTC), as
//    aws:CurrentTime carries; also the basic form "YYYYMMDDThhmmssZ".
// Digits after milliseconds are ignored. nullopt if not one of those.
std::optional<int64_t> ParseInstantMs(std::string_view text);

// "true" or "false" in any case. nullopt otherwise.
std::optional<bool> ParseBool(std::string_view text);

// An IPv4 or IPv6 address or CIDR block. Addresses are stored in 16 bytes;
// IPv4 uses the first 4. An IPv4-mapped IPv6 address (::ffff:a.b.c.d) is read
// as the IPv4 address, the way a dual-stack socket reports IPv4 peers.
struct IpBlock {
  bool v6 = false;
  uint8_t prefix = 0;  // number of leading bits that must match
  std::array<uint8_t, 16> addr{};

  bool Contains(const IpBlock& ip) const;
};

// "a.b.c.d", "a.b.c.d/n" (n <= 32), "x:...:y", "x:...:y/n" (n <= 128).
// Without "/n" the block is the single address. Host bits may be set (they
// are ignored), as AWS accepts. nullopt if malformed.
std::optional<IpBlock> ParseIpBlock(std::string_view text);

// A single address (no "/n"), e.g. the value of aws:SourceIp.
std::optional<IpBlock> ParseIpAddress(std::string_view text);

}  // namespace confiance::iam::policy
