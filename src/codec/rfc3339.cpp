#include "codec/rfc3339.hpp"

#include <cstdint>
#include <limits>

namespace ding::detail {
namespace {

using namespace std::chrono;

constexpr bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }

// Reads exactly `n` digits at text[pos..pos+n) into `v`.
constexpr bool digits(std::string_view text, std::size_t pos, std::size_t n, int& v) noexcept {
    if (text.size() < pos + n) return false;
    int r = 0;
    for (std::size_t i = 0; i < n; ++i) {
        const char c = text[pos + i];
        if (!is_digit(c)) return false;
        r = r * 10 + (c - '0');
    }
    v = r;
    return true;
}

constexpr bool at(std::string_view text, std::size_t pos, char c) noexcept {
    return pos < text.size() && text[pos] == c;
}

// Whole seconds a system_clock::time_point can hold, with one second of margin
// for the fraction.
constexpr std::int64_t max_seconds = duration_cast<seconds>(system_clock::duration::max()).count() - 1;
constexpr std::int64_t min_seconds = duration_cast<seconds>(system_clock::duration::min()).count() + 1;

void put2(char* p, unsigned v) noexcept {
    p[0] = static_cast<char>('0' + v / 10);
    p[1] = static_cast<char>('0' + v % 10);
}

}  // namespace

bool parse_rfc3339(std::string_view text, system_clock::time_point& out) noexcept {
    // YYYY-MM-DDTHH:MM:SS is 19 characters.
    int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
    if (!digits(text, 0, 4, y) || !at(text, 4, '-') || !digits(text, 5, 2, mo) || !at(text, 7, '-') ||
        !digits(text, 8, 2, d))
        return false;
    if (!(at(text, 10, 'T') || at(text, 10, 't'))) return false;
    if (!digits(text, 11, 2, h) || !at(text, 13, ':') || !digits(text, 14, 2, mi) || !at(text, 16, ':') ||
        !digits(text, 17, 2, s))
        return false;

    std::size_t pos = 19;
    std::int64_t frac_ns = 0;
    if (at(text, pos, '.')) {
        ++pos;
        const std::size_t start = pos;
        int kept = 0;
        while (pos < text.size() && is_digit(text[pos])) {
            if (kept < 9) {
                frac_ns = frac_ns * 10 + (text[pos] - '0');
                ++kept;
            }
            ++pos;
        }
        if (pos == start) return false;  // '.' must be followed by a digit
        for (; kept < 9; ++kept) frac_ns *= 10;
    }

    int offset_seconds = 0;
    if (at(text, pos, 'Z') || at(text, pos, 'z')) {
        ++pos;
    } else if (at(text, pos, '+') || at(text, pos, '-')) {
        const int sign = text[pos] == '-' ? -1 : 1;
        int oh = 0, om = 0;
        if (!digits(text, pos + 1, 2, oh) || !at(text, pos + 3, ':') || !digits(text, pos + 4, 2, om)) return false;
        if (oh > 23 || om > 59) return false;
        offset_seconds = sign * (oh * 3600 + om * 60);
        pos += 6;
    } else {
        return false;
    }
    if (pos != text.size()) return false;

    if (h > 23 || mi > 59 || s > 60) return false;
    if (s == 60) s = 59;  // leap second: system_clock does not count them
    const year_month_day ymd{year{y}, month{static_cast<unsigned>(mo)}, day{static_cast<unsigned>(d)}};
    if (!ymd.ok()) return false;  // also rejects month 00/13, day 00, Feb 29 of a common year, ...

    const std::int64_t days_since_epoch = sys_days{ymd}.time_since_epoch().count();
    const std::int64_t secs =
        days_since_epoch * 86400 + h * 3600 + mi * 60 + s - static_cast<std::int64_t>(offset_seconds);
    if (secs > max_seconds || secs < min_seconds) return false;

    out = system_clock::time_point{duration_cast<system_clock::duration>(seconds{secs}) +
                                   duration_cast<system_clock::duration>(nanoseconds{frac_ns})};
    return true;
}

void format_rfc3339(system_clock::time_point tp, std::string& out) {
    const auto day_start = floor<days>(tp);
    const year_month_day ymd{day_start};
    const auto since_midnight = tp - day_start;  // in [0, 1 day)
    const auto secs = floor<seconds>(since_midnight);
    const std::int64_t frac_ns = duration_cast<nanoseconds>(since_midnight - secs).count();
    const std::int64_t sod = secs.count();

    // "YYYY-MM-DDTHH:MM:SS" + ".nnnnnnnnn" + "Z"
    char buf[32];
    int y = static_cast<int>(ymd.year());
    char* p = buf;
    if (y < 0) {  // not reachable with nanosecond ticks, kept for other clocks
        *p++ = '-';
        y = -y;
    }
    const auto uy = static_cast<unsigned>(y);
    if (uy > 9999) {
        p[0] = static_cast<char>('0' + uy / 10000 % 10);
        ++p;
    }
    p[0] = static_cast<char>('0' + uy / 1000 % 10);
    p[1] = static_cast<char>('0' + uy / 100 % 10);
    p[2] = static_cast<char>('0' + uy / 10 % 10);
    p[3] = static_cast<char>('0' + uy % 10);
    p += 4;
    *p++ = '-';
    put2(p, static_cast<unsigned>(ymd.month()));
    p += 2;
    *p++ = '-';
    put2(p, static_cast<unsigned>(ymd.day()));
    p += 2;
    *p++ = 'T';
    put2(p, static_cast<unsigned>(sod / 3600));
    p += 2;
    *p++ = ':';
    put2(p, static_cast<unsigned>(sod / 60 % 60));
    p += 2;
    *p++ = ':';
    put2(p, static_cast<unsigned>(sod % 60));
    p += 2;
    if (frac_ns != 0) {
        char f[9];
        std::int64_t v = frac_ns;
        for (int i = 8; i >= 0; --i) {
            f[i] = static_cast<char>('0' + v % 10);
            v /= 10;
        }
        int n = 9;
        while (n > 0 && f[n - 1] == '0') --n;
        *p++ = '.';
        for (int i = 0; i < n; ++i) *p++ = f[i];
    }
    *p++ = 'Z';
    out.append(buf, static_cast<std::size_t>(p - buf));
}

}  // namespace ding::detail
