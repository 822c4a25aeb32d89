// Shared by the fuzz targets: a check that aborts (so libFuzzer and the replay test report it),
// and a reader that carves the input into the values a target needs.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#define DING_FUZZ_CHECK(cond)                                                                          \
    do {                                                                                               \
        if (!(cond)) {                                                                                 \
            std::fprintf(stderr, "fuzz check failed: %s (%s:%d)\n", #cond, __FILE__, __LINE__);       \
            std::abort();                                                                              \
        }                                                                                              \
    } while (false)

namespace ding::fuzz {

/// Consumes the input from the front: bytes, then pieces separated by a delimiter.
class input {
public:
    input(const std::uint8_t* data, std::size_t size) : rest_(reinterpret_cast<const char*>(data), size) {}

    /// The next byte, or 0 when the input is exhausted.
    std::uint8_t byte() noexcept {
        if (rest_.empty()) return 0;
        const auto b = static_cast<std::uint8_t>(rest_.front());
        rest_.remove_prefix(1);
        return b;
    }
    /// Up to the next `delim` (consumed), or everything left.
    std::string_view until(char delim) noexcept {
        const auto at = rest_.find(delim);
        const std::string_view piece = rest_.substr(0, at);
        rest_.remove_prefix(at == std::string_view::npos ? rest_.size() : at + 1);
        return piece;
    }
    std::string_view rest() const noexcept { return rest_; }

private:
    std::string_view rest_;
};

/// True when every byte is printable ASCII (what library messages must be made of).
inline bool printable(std::string_view s) noexcept {
    for (const char c : s)
        if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) > 0x7e) return false;
    return true;
}

} // namespace ding::fuzz
