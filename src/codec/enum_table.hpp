// Compile-time tables of enum wire spellings, shared by the v1 and v2 models (src/v1/models.cpp,
// src/v2/models.cpp). Internal.
//
// Each enum has one table of spellings indexed by the enum's value (index 0 is `unknown`).
// name() is an index into it; parse() is a binary search in a copy sorted at compile time.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <string_view>
#include <utility>

namespace ding::detail {

// N spellings, index = enum value. `UnknownOnWire` says whether names[0] is a
// spelling the contract itself uses (then from_string accepts it).
template <class E, std::size_t N, bool UnknownOnWire>
struct enum_table {
    static constexpr std::size_t first = UnknownOnWire ? 0 : 1;
    static constexpr std::size_t searchable = N - first;

    std::array<std::string_view, N> names;
    std::array<std::pair<std::string_view, E>, searchable> sorted{};

    constexpr explicit enum_table(std::array<std::string_view, N> n) : names(n) {
        for (std::size_t i = first; i < N; ++i) sorted[i - first] = {names[i], static_cast<E>(i)};
        std::sort(sorted.begin(), sorted.end(),
                  [](const auto& a, const auto& b) { return a.first < b.first; });
    }

    constexpr std::string_view name(E e) const noexcept {
        const auto i = static_cast<std::size_t>(e);
        return i < N ? names[i] : names[0];
    }

    bool parse(std::string_view text, E& out) const noexcept {
        const auto it = std::lower_bound(sorted.begin(), sorted.end(), text,
                                         [](const auto& a, std::string_view t) { return a.first < t; });
        if (it != sorted.end() && it->first == text) {
            out = it->second;
            return true;
        }
        out = E::unknown;
        return false;
    }
};

template <class E, bool UnknownOnWire, class... S>
constexpr auto make_table(S... s) {
    return enum_table<E, sizeof...(S), UnknownOnWire>(std::array<std::string_view, sizeof...(S)>{s...});
}

}  // namespace ding::detail
