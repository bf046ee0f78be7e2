// ByteBuffer: a growable byte queue for socket I/O. Bytes are appended at the end (Append, or
// Reserve + Commit to read() straight into it) and consumed from the front; the consumed prefix
// is reclaimed by moving the rest down when space runs out. Unlike std::string it never
// zero-fills the space it reserves.
//
// Thread-safety: none; a buffer belongs to one connection on one I/O thread.
#pragma once

#include <cstddef>
#include <cstring>
#include <memory>
#include <string_view>

namespace tributary::server {

class ByteBuffer {
 public:
  std::string_view readable() const { return {data_.get() + begin_, end_ - begin_}; }
  size_t size() const { return end_ - begin_; }
  bool empty() const { return begin_ == end_; }

  void Consume(size_t n) {
    begin_ += n;
    if (begin_ == end_) begin_ = end_ = 0;
  }

  // Room for at least `n` more bytes at writable(); Commit() what was written.
  char* Reserve(size_t n) {
    if (capacity_ - end_ >= n) return data_.get() + end_;
    size_t live = end_ - begin_;
    if (begin_ > 0 && capacity_ - live >= n && live <= capacity_ / 2) {
      std::memmove(data_.get(), data_.get() + begin_, live);
    } else {
      size_t cap = capacity_ == 0 ? 4096 : capacity_;
      while (cap - live < n) cap *= 2;
      std::unique_ptr<char[]> bigger(new char[cap]);
      if (live > 0) std::memcpy(bigger.get(), data_.get() + begin_, live);
      data_ = std::move(bigger);
      capacity_ = cap;
    }
    begin_ = 0;
    end_ = live;
    return data_.get() + end_;
  }
  size_t writable_size() const { return capacity_ - end_; }
  void Commit(size_t n) { end_ += n; }

  void Append(std::string_view s) {
    std::memcpy(Reserve(s.size()), s.data(), s.size());
    end_ += s.size();
  }

  // Frees the memory of a large, now empty buffer so idle connections stay small.
  void ShrinkIfEmpty(size_t keep_capacity) {
    if (empty() && capacity_ > keep_capacity) {
      data_.reset();
      capacity_ = begin_ = end_ = 0;
    }
  }

 private:
  std::unique_ptr<char[]> data_;
  size_t capacity_ = 0;
  size_t begin_ = 0;
  size_t end_ = 0;
};

}  // namespace tributary::server
