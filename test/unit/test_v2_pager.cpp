// Prelude v2, issue 18: the pager's position (page_walk, src/v2/page_walk.hpp) driven against a
// fake cursor-paginated server: pages in order and each once, the end, an error then a retry of
// the same page, a repeated cursor, the page bound, one page at a time. No I/O.

#include "v2/page_walk.hpp"

#include <catch2/catch.hpp>

#include <map>
#include <optional>
#include <string>
#include <vector>

using ding::v2::detail::page_walk;
using step = page_walk::step;

namespace {

/// A server holding `items`, `limit` per page; the cursor of a page is "c<index of its first item>".
/// `fail_next` makes the next fetch fail; `cursor_override` replaces a page's next_cursor.
struct fake_server {
    std::vector<int> items;
    std::size_t limit = 1;
    int fail_next = 0;
    std::map<std::string, std::string> cursor_override; // key: the cursor asked for ("" = first)
    std::vector<std::optional<std::string>> asked;      // every cursor asked for, in order

    struct page {
        std::vector<int> items;
        std::optional<std::string> next_cursor;
    };

    /// nullopt: the fetch failed.
    std::optional<page> fetch(const std::optional<std::string>& cursor) {
        asked.push_back(cursor);
        if (fail_next > 0) {
            --fail_next;
            return std::nullopt;
        }
        const std::size_t from = cursor ? std::stoul(cursor->substr(1)) : 0;
        page p;
        for (std::size_t i = from; i < items.size() && i < from + limit; ++i) p.items.push_back(items[i]);
        if (from + limit < items.size()) p.next_cursor = "c" + std::to_string(from + limit);
        if (auto o = cursor_override.find(cursor.value_or("")); o != cursor_override.end()) p.next_cursor = o->second;
        return p;
    }
};

/// What a caller of next_async would see: the pages, then the end or an error.
struct walk_result {
    std::vector<std::vector<int>> pages;
    bool ended = false;
    std::string error;
    int errors_seen = 0;
};

/// Drives the walk as the pager does: next(), then page() or failed(); a failed page is asked for
/// again by the next call. Bounded by `max_calls`.
walk_result drive(page_walk& walk, fake_server& server, int max_calls = 1000) {
    walk_result r;
    for (int call = 0; call < max_calls; ++call) {
        const page_walk::decision d = walk.next();
        if (d.what == step::end) {
            r.ended = true;
            return r;
        }
        if (d.what == step::fail) {
            r.error = d.why;
            return r;
        }
        REQUIRE(d.what == step::fetch);
        auto p = server.fetch(d.cursor);
        if (!p) {
            walk.failed();
            ++r.errors_seen;
            continue;
        }
        walk.page(p->next_cursor);
        r.pages.push_back(p->items);
    }
    FAIL("the walk did not end within the bound of the test");
    return r;
}

std::vector<int> flatten(const std::vector<std::vector<int>>& pages) {
    std::vector<int> all;
    for (const auto& p : pages) all.insert(all.end(), p.begin(), p.end());
    return all;
}

} // namespace

TEST_CASE("unit: pager walk returns every page once, in order, then the end") {
    fake_server server{{1, 2, 3, 4, 5, 6, 7}};
    for (std::size_t limit : {1u, 2u, 3u, 7u, 100u}) {
        server.limit = limit;
        server.asked.clear();
        page_walk walk(std::nullopt, 10'000);
        auto r = drive(walk, server);
        INFO("limit " << limit);
        CHECK(r.ended);
        CHECK(flatten(r.pages) == server.items);
        CHECK(r.pages.size() == (server.items.size() + limit - 1) / limit);
        CHECK(walk.pages_returned() == r.pages.size());
        // The first page without a cursor, each later one with the previous page's next_cursor.
        REQUIRE_FALSE(server.asked.empty());
        CHECK_FALSE(server.asked[0]);
        for (std::size_t i = 1; i < server.asked.size(); ++i) CHECK(server.asked[i] == "c" + std::to_string(i * limit));
        // After the end, the end again, without asking the server.
        const auto asked = server.asked.size();
        CHECK(walk.next().what == step::end);
        CHECK(walk.next().what == step::end);
        CHECK(server.asked.size() == asked);
    }
}

TEST_CASE("unit: pager walk of an empty list is one empty page then the end") {
    fake_server server{{}};
    page_walk walk(std::nullopt, 10);
    auto r = drive(walk, server);
    CHECK(r.ended);
    REQUIRE(r.pages.size() == 1);
    CHECK(r.pages[0].empty());
    // An empty next_cursor also ends the walk.
    fake_server odd{{1, 2}};
    odd.limit = 1;
    odd.cursor_override[""] = "";
    page_walk w2(std::nullopt, 10);
    auto r2 = drive(w2, odd);
    CHECK(r2.ended);
    CHECK(r2.pages.size() == 1);
}

TEST_CASE("unit: pager walk after an error asks for the same page again") {
    fake_server server{{1, 2, 3, 4}};
    server.limit = 2;
    page_walk walk(std::nullopt, 100);
    // Page 1.
    auto d = walk.next();
    REQUIRE(d.what == step::fetch);
    CHECK_FALSE(d.cursor);
    walk.page(server.fetch(d.cursor)->next_cursor);
    // Page 2 fails twice: the position does not move.
    for (int i = 0; i < 2; ++i) {
        d = walk.next();
        REQUIRE(d.what == step::fetch);
        CHECK(d.cursor == "c2");
        walk.failed();
    }
    d = walk.next();
    REQUIRE(d.what == step::fetch);
    CHECK(d.cursor == "c2");
    auto p = server.fetch(d.cursor);
    CHECK(p->items == std::vector{3, 4});
    walk.page(p->next_cursor);
    CHECK(walk.next().what == step::end);
    CHECK(walk.pages_returned() == 2);

    // Through the driver: errors on the way never lose or repeat a page.
    fake_server flaky{{1, 2, 3, 4, 5}};
    flaky.fail_next = 1;
    page_walk w2(std::nullopt, 100);
    auto r = drive(w2, flaky);
    CHECK(r.ended);
    CHECK(r.errors_seen == 1);
    CHECK(flatten(r.pages) == flaky.items);
    CHECK(flaky.asked[0] == flaky.asked[1]); // the failed first page was asked for again
}

TEST_CASE("unit: pager walk ends with an error on a repeated cursor, after returning its page") {
    fake_server server{{1, 2, 3, 4, 5}};
    server.limit = 1;
    server.cursor_override["c2"] = "c1"; // the third page points back at the second
    page_walk walk(std::nullopt, 100);
    auto r = drive(walk, server);
    CHECK_FALSE(r.ended);
    CHECK(flatten(r.pages) == std::vector{1, 2, 3}); // each page once, the one with the bad cursor included
    CHECK(r.error == "the server returned the cursor 'c1' a second time: the walk was stopped (it would return pages "
                     "already returned)");
    // The error is final.
    const auto asked = server.asked.size();
    auto d = walk.next();
    CHECK(d.what == step::fail);
    CHECK(d.why == r.error);
    CHECK(server.asked.size() == asked);

    // A page pointing at itself.
    fake_server self{{1, 2, 3}};
    self.cursor_override["c1"] = "c1";
    page_walk w2(std::nullopt, 100);
    auto r2 = drive(w2, self);
    CHECK(flatten(r2.pages) == std::vector{1, 2});
    CHECK(r2.error.find("'c1' a second time") != std::string::npos);

    // A walk resumed at a cursor counts that cursor as seen.
    fake_server back{{1, 2, 3}};
    back.cursor_override["c1"] = "c1";
    page_walk w3(std::string("c1"), 100);
    auto r3 = drive(w3, back);
    CHECK(flatten(r3.pages) == std::vector{2});
    CHECK_FALSE(r3.error.empty());
}

TEST_CASE("unit: pager walk stops at its page bound with an error") {
    fake_server server{{1, 2, 3, 4, 5, 6}};
    server.limit = 1;
    page_walk walk(std::nullopt, 4);
    auto r = drive(walk, server);
    CHECK_FALSE(r.ended);
    CHECK(flatten(r.pages) == std::vector{1, 2, 3, 4});
    CHECK(r.error == "more than 4 pages: the walk was stopped (the pager's page bound; a server that never ends a list "
                     "would loop)");
    CHECK(server.asked.size() == 4); // the fifth page was never asked for
    CHECK(walk.next().what == step::fail);

    // A list of exactly the bound ends normally.
    fake_server exact{{1, 2, 3, 4}};
    page_walk w2(std::nullopt, 4);
    CHECK(drive(w2, exact).ended);

    // An endless server (always a new cursor) is stopped by the bound.
    struct endless {
        int n = 0;
    } e;
    page_walk w3(std::nullopt, 50);
    int pages = 0;
    for (int i = 0; i < 1000; ++i) {
        auto d = w3.next();
        if (d.what != step::fetch) {
            CHECK(d.what == step::fail);
            break;
        }
        w3.page("n" + std::to_string(++e.n));
        ++pages;
    }
    CHECK(pages == 50);
}

TEST_CASE("unit: pager walk asks for one page at a time") {
    page_walk walk(std::nullopt, 10);
    auto d = walk.next();
    REQUIRE(d.what == step::fetch);
    auto busy = walk.next();
    CHECK(busy.what == step::busy);
    CHECK(busy.why.find("still being fetched") != std::string::npos);
    walk.page(std::string("c1")); // the first call's page arrives: the position moved once
    d = walk.next();
    REQUIRE(d.what == step::fetch);
    CHECK(d.cursor == "c1");
    walk.failed();
    CHECK(walk.next().what == step::fetch); // after a failure, free again
}
