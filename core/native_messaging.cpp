#include "core/native_messaging.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <poll.h>
#include <unistd.h>

namespace helios::native_messaging {

std::size_t StringSource::read_some(char* out, std::size_t n, bool /*inside_frame*/)
{
  const std::size_t count = std::min(n, m_bytes.size() - m_offset);
  std::memcpy(out, m_bytes.data() + m_offset, count);
  m_offset += count;
  return count;
}

std::size_t FdSource::read_some(char* out, std::size_t n, bool inside_frame)
{
  for (;;) {
    pollfd pfd{m_fd, POLLIN, 0};
    const int ready = ::poll(&pfd, 1, inside_frame ? m_stall_ms : -1);
    if (ready < 0) {
      if (errno == EINTR) {
        continue;
      }
      return 0;
    }
    if (ready == 0) {
      return 0;  // stalled inside a frame: treat as truncated
    }
    const ssize_t got = ::read(m_fd, out, n);
    if (got < 0) {
      if (errno == EINTR || errno == EAGAIN) {
        continue;
      }
      return 0;
    }
    return static_cast<std::size_t>(got);
  }
}

namespace {

// Reads exactly n bytes; returns how many arrived before the end of input.
std::size_t read_exact(ByteSource& source, char* out, std::size_t n, bool inside_frame)
{
  std::size_t done = 0;
  while (done < n) {
    const std::size_t got = source.read_some(out + done, n - done, inside_frame || done > 0);
    if (got == 0) {
      break;
    }
    done += got;
  }
  return done;
}

}  // namespace

Frame read_frame(ByteSource& source, std::size_t limit)
{
  Frame frame;
  char prefix[4];
  const std::size_t got = read_exact(source, prefix, sizeof prefix, false);
  if (got == 0) {
    frame.status = FrameStatus::end;
    return frame;
  }
  if (got < sizeof prefix) {
    frame.status = FrameStatus::truncated;
    return frame;
  }
  std::memcpy(&frame.length, prefix, sizeof frame.length);  // native byte order, as Chrome writes it
  if (frame.length > limit) {
    frame.status = FrameStatus::too_large;
    return frame;
  }
  frame.payload.resize(frame.length);
  if (read_exact(source, frame.payload.data(), frame.length, true) < frame.length) {
    frame.payload.clear();
    frame.status = FrameStatus::truncated;
    return frame;
  }
  frame.status = FrameStatus::ok;
  return frame;
}

std::string encode_frame(std::string_view payload)
{
  const auto length = static_cast<std::uint32_t>(payload.size());
  std::string out(sizeof length, '\0');
  std::memcpy(out.data(), &length, sizeof length);
  out.append(payload);
  return out;
}

bool write_frame(int fd, std::string_view payload)
{
  const std::string bytes = encode_frame(payload);
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t put = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (put < 0) {
      if (errno == EINTR) {
        continue;
      }
      return false;
    }
    done += static_cast<std::size_t>(put);
  }
  return true;
}

namespace {

// The bytes one byte of text takes inside a JSON string, as nlohmann::json::dump writes it.
std::size_t escaped_size(unsigned char c)
{
  switch (c) {
    case '"':
    case '\\':
    case '\b':
    case '\f':
    case '\n':
    case '\r':
    case '\t':
      return 2;
    default:
      return c < 0x20 ? 6 : 1;
  }
}

// The length of the UTF-8 sequence starting with lead byte c (1 for anything that is not a lead byte).
std::size_t sequence_length(unsigned char c)
{
  if (c >= 0xF0 && c <= 0xF4) {
    return 4;
  }
  if (c >= 0xE0) {
    return c <= 0xEF ? 3 : 1;
  }
  if (c >= 0xC2) {
    return 2;
  }
  return 1;
}

}  // namespace

std::size_t json_string_size(std::string_view text)
{
  std::size_t size = 2;
  for (const char c : text) {
    size += escaped_size(static_cast<unsigned char>(c));
  }
  return size;
}

std::vector<std::string> page_text(std::string_view text, std::size_t budget)
{
  budget = std::max<std::size_t>(budget, 2 + 6 * 4);  // room for the quotes and one escaped sequence
  std::vector<std::string> pages;
  std::string current;
  std::size_t current_size = 2;
  std::size_t i = 0;
  while (i < text.size()) {
    const std::size_t len = std::min(sequence_length(static_cast<unsigned char>(text[i])), text.size() - i);
    std::size_t cost = 0;
    for (std::size_t k = 0; k < len; ++k) {
      cost += escaped_size(static_cast<unsigned char>(text[i + k]));
    }
    if (current_size + cost > budget) {
      pages.push_back(std::move(current));
      current.clear();
      current_size = 2;
    }
    current.append(text.substr(i, len));
    current_size += cost;
    i += len;
  }
  pages.push_back(std::move(current));
  return pages;
}

bool valid_utf8(std::string_view text)
{
  std::size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    std::size_t len = 0;
    std::uint32_t cp = 0;
    if (c >= 0xC2 && c <= 0xDF) {
      len = 2;
      cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
      len = 3;
      cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      len = 4;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + len > text.size()) {
      return false;
    }
    for (std::size_t k = 1; k < len; ++k) {
      const auto cc = static_cast<unsigned char>(text[i + k]);
      if ((cc & 0xC0) != 0x80) {
        return false;
      }
      cp = (cp << 6) | (cc & 0x3F);
    }
    if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) || (cp >= 0xD800 && cp <= 0xDFFF)) {
      return false;
    }
    i += len;
  }
  return true;
}

}  // namespace helios::native_messaging
