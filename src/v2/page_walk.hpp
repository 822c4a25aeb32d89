// page_walk: the position of a pager (ding/v2/pager.hpp) as a pure state machine, with no I/O,
// so that its rules are unit-tested against a fake server (test/unit/test_v2_pager.cpp).
//
// Rules:
// - The first page is asked for without a cursor (or with the request's own cursor, to resume a
//   walk); each later page with the previous page's next_cursor. A page without next_cursor (or
//   with an empty one) is the last: after it, every next() says `end`.
// - A failed page changes nothing: the next next() asks for the same page again.
// - A next_cursor already seen in this walk (the server would send us round in a circle) ends the
//   walk with an error once the page that carried it has been returned; so does asking for more
//   than max_pages pages. Both errors are terminal and repeated by every later next().
// - One page at a time: next() while a page is being fetched says `busy` (the caller's error).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>

namespace ding::v2::detail {

class page_walk {
public:
    enum class step {
        fetch, ///< ask for the page at `cursor` (nullopt: no cursor parameter)
        end,   ///< every page was returned: complete with an empty optional
        fail,  ///< the walk ended with an error: `why`
        busy,  ///< a page is being fetched already
    };
    struct decision {
        step what = step::end;
        std::optional<std::string> cursor;
        std::string why;
    };
    page_walk(std::optional<std::string> first_cursor, std::size_t max_pages);

    /// What next_async must do now. A `fetch` marks a page as pending until page() or failed().
    decision next();
    /// The pending page arrived with `next_cursor`. The page is always returned; whether more
    /// follow is decided here (end, or an error for the next next()).
    void page(const std::optional<std::string>& next_cursor);
    /// The pending page failed (any error): the next next() asks for it again.
    void failed() noexcept;

    std::size_t pages_returned() const noexcept { return returned_; }
    std::size_t max_pages() const noexcept { return max_pages_; }

private:
    std::optional<std::string> cursor_;
    std::unordered_set<std::string> seen_;
    std::size_t returned_ = 0;
    std::size_t max_pages_;
    bool pending_ = false;
    bool ended_ = false;
    std::string error_; ///< non-empty: the walk ended with this error
};

}  // namespace ding::v2::detail
