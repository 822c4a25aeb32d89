#include "v2/page_walk.hpp"

#include "codec/text.hpp"

#include <utility>

namespace ding::v2::detail {

page_walk::page_walk(std::optional<std::string> first_cursor, std::size_t max_pages)
    : cursor_(std::move(first_cursor)), max_pages_(max_pages) {
    if (cursor_) seen_.insert(*cursor_);
}

page_walk::decision page_walk::next() {
    if (pending_) return {step::busy, std::nullopt, "a page of this pager is still being fetched (call next_async again after it completed)"};
    if (!error_.empty()) return {step::fail, std::nullopt, error_};
    if (ended_) return {step::end, std::nullopt, {}};
    if (returned_ >= max_pages_) {
        error_ = "more than " + std::to_string(max_pages_) +
                 " pages: the walk was stopped (the pager's page bound; a server that never ends a list would loop)";
        return {step::fail, std::nullopt, error_};
    }
    pending_ = true;
    return {step::fetch, cursor_, {}};
}

void page_walk::page(const std::optional<std::string>& next_cursor) {
    pending_ = false;
    ++returned_;
    if (!next_cursor || next_cursor->empty()) {
        ended_ = true;
        return;
    }
    if (!seen_.insert(*next_cursor).second) {
        error_ = "the server returned the cursor " + ding::detail::quoted(*next_cursor) +
                 " a second time: the walk was stopped (it would return pages already returned)";
        return;
    }
    cursor_ = *next_cursor;
}

void page_walk::failed() noexcept { pending_ = false; }

}  // namespace ding::v2::detail
