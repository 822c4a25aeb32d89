// JSON string literals, as both versions' encoders write them (see json_string.hpp).
#include "codec/json_string.hpp"

#include <array>

namespace ding::detail {
namespace {

constexpr char hex_digits[] = "0123456789abcdef";

// Length of the valid UTF-8 sequence starting at s[i], or 0 if it is not valid
// (truncated, overlong, surrogate, above U+10FFFF, stray continuation byte).
std::size_t utf8_sequence_length(std::string_view s, std::size_t i) noexcept {
    const auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
    const unsigned char c = b(i);
    const std::size_t left = s.size() - i;
    const auto cont = [&](std::size_t k) { return (b(k) & 0xC0u) == 0x80u; };
    if (c >= 0xC2 && c <= 0xDF) return left >= 2 && cont(i + 1) ? 2 : 0;
    if (c >= 0xE0 && c <= 0xEF) {
        if (left < 3 || !cont(i + 1) || !cont(i + 2)) return 0;
        if (c == 0xE0 && b(i + 1) < 0xA0) return 0;   // overlong
        if (c == 0xED && b(i + 1) >= 0xA0) return 0;  // UTF-16 surrogate
        return 3;
    }
    if (c >= 0xF0 && c <= 0xF4) {
        if (left < 4 || !cont(i + 1) || !cont(i + 2) || !cont(i + 3)) return 0;
        if (c == 0xF0 && b(i + 1) < 0x90) return 0;  // overlong
        if (c == 0xF4 && b(i + 1) >= 0x90) return 0;  // above U+10FFFF
        return 4;
    }
    return 0;
}

}  // namespace

void append_json_string(std::string_view s, std::string& out) {
    out.reserve(out.size() + s.size() + 2);
    out.push_back('"');
    std::size_t run = 0;  // start of the pending run of bytes copied verbatim
    std::size_t i = 0;
    const auto flush = [&] { out.append(s.data() + run, i - run); };
    // Bytes copied as they are: printable ASCII but the quote and the backslash (one table load
    // per byte instead of four comparisons).
    static constexpr auto verbatim = [] {
        std::array<bool, 256> t{};
        for (int c = 0x20; c < 0x80; ++c) t[static_cast<std::size_t>(c)] = c != '"' && c != '\\';
        return t;
    }();
    while (i < s.size()) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (verbatim[c]) {
            ++i;
            continue;
        }
        if (c >= 0x80) {
            const std::size_t n = utf8_sequence_length(s, i);
            if (n != 0) {
                i += n;
                continue;
            }
            flush();
            out.append("\\ufffd");
            run = ++i;
            continue;
        }
        flush();
        if (c == '"') out.append("\\\"");
        else if (c == '\\') out.append("\\\\");
        else {
            const char esc[6] = {'\\', 'u', '0', '0', hex_digits[c >> 4], hex_digits[c & 0xF]};
            out.append(esc, sizeof esc);
        }
        run = ++i;
    }
    flush();
    out.push_back('"');
}

}  // namespace ding::detail
