#pragma once
// Chrome's native-messaging wire format, both directions: a 32-bit length in native byte order followed
// by that many bytes of UTF-8 JSON. Chrome refuses host→browser messages over 1 MiB (the channel dies),
// so replies are kept under a budget and larger answers are paged (see page_text). This file only frames
// bytes; what the messages mean is in core/native_host.hpp.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace helios::native_messaging {

// Chrome's limit for one host→browser message (kMaximumNativeMessageSize).
inline constexpr std::size_t k_chrome_reply_limit = 1024 * 1024;
// What helios keeps one reply under: the limit less room for the envelope around a page.
inline constexpr std::size_t k_reply_budget = 1024 * 1024 - 4096;
// Requests are small JSON objects; a longer frame is refused without reading it.
inline constexpr std::size_t k_request_limit = 64 * 1024;

enum class FrameStatus {
  ok,         // a whole frame was read
  end,        // clean end of input before a new frame
  truncated,  // input ended (or stalled past the deadline) inside a frame
  too_large,  // the length prefix exceeds the limit; the body was not read
};

struct Frame {
  FrameStatus status = FrameStatus::end;
  std::string payload;    // the bytes of the frame (status ok)
  std::uint32_t length = 0;  // the length the prefix announced
};

// Where frames come from: a blocking reader of up to n bytes. Returns the bytes read (0 = end of input).
// `inside_frame` tells the source that a frame has started, so a stall is a fault, not idleness.
class ByteSource {
public:
  virtual ~ByteSource() = default;
  // Reads up to n bytes into out; returns how many (0 at end of input or on a stall inside a frame).
  virtual std::size_t read_some(char* out, std::size_t n, bool inside_frame) = 0;
};

// Bytes from a string (tests, and replaying captured sessions).
class StringSource final : public ByteSource {
public:
  explicit StringSource(std::string bytes) : m_bytes(std::move(bytes)) {}
  std::size_t read_some(char* out, std::size_t n, bool inside_frame) override;

private:
  std::string m_bytes;
  std::size_t m_offset = 0;
};

// Bytes from a file descriptor (stdin of the host). Between frames it waits as long as it takes (Chrome
// keeps a connectNative port open while idle); inside a frame it gives up after `stall_ms` without data.
class FdSource final : public ByteSource {
public:
  explicit FdSource(int fd, int stall_ms = 5000) : m_fd(fd), m_stall_ms(stall_ms) {}
  std::size_t read_some(char* out, std::size_t n, bool inside_frame) override;

private:
  int m_fd;
  int m_stall_ms;
};

// Reads one frame. Never reads more than `limit` body bytes, never throws.
Frame read_frame(ByteSource& source, std::size_t limit = k_request_limit);

// The 4-byte native-endian prefix followed by the payload.
std::string encode_frame(std::string_view payload);

// Writes one whole frame to fd (retrying short writes and EINTR). False if the reader has gone.
bool write_frame(int fd, std::string_view payload);

// Splits `text` into pieces whose JSON-string encoding (quotes and escapes included) takes at most
// `budget` bytes each, cutting only between UTF-8 sequences. An empty text gives one empty piece.
std::vector<std::string> page_text(std::string_view text, std::size_t budget);

// The bytes a string takes once escaped inside a JSON document (with its two quotes).
std::size_t json_string_size(std::string_view text);

// True when `text` is well-formed UTF-8 (no overlongs, surrogates or code points past U+10FFFF).
bool valid_utf8(std::string_view text);

}  // namespace helios::native_messaging
