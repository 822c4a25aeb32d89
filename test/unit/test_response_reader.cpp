// The response reader (src/transport/response_reader.hpp) fed raw bytes through
// basic_parser::put, split at every position and at random positions, as a socket may deliver
// them: status, kept headers, body, interim responses, version, Connection tokens, framing, and
// the persistence rule of RFC 9112 §9.3.

#include "transport/response_reader.hpp"

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/error.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <random>
#include <string>
#include <string_view>
#include <vector>

using ding::detail::response_reader;
namespace http = boost::beast::http;
using framing = response_reader::framing;

namespace {

struct fed {
    boost::beast::error_code ec;
    std::string rest; ///< bytes after the end of the message (the next response's), when done
};

/// Feeds `input` to `r` in pieces that end at `cuts` (ascending offsets), as reads from a socket
/// would, then (if `eof`) reports the end of the stream. Stops at the end of the message (the
/// bytes left are returned) or at the first error. Every loop is bounded by the input size.
fed feed(response_reader& r, std::string_view input, std::vector<std::size_t> cuts, bool eof = false) {
    fed out;
    std::string pending;
    std::size_t pos = 0;
    cuts.push_back(input.size());
    for (const std::size_t cut : cuts) {
        if (cut < pos || cut > input.size()) continue;
        pending.append(input.substr(pos, cut - pos));
        pos = cut;
        for (std::size_t guard = 0; guard <= input.size() + 1 && !r.is_done(); ++guard) {
            boost::beast::error_code ec;
            const std::size_t n = r.put(boost::asio::buffer(pending), ec);
            pending.erase(0, n);
            if (ec == http::error::need_more) break;
            if (ec) {
                out.ec = ec;
                return out;
            }
            if (n == 0) break;
        }
        if (r.is_done()) {
            out.rest = pending + std::string(input.substr(pos));
            return out;
        }
    }
    if (eof && !r.is_done()) r.put_eof(out.ec);
    return out;
}

/// Every way to deliver `input` that the tests try: whole, each single split point, byte by
/// byte, and 50 random multi-splits (fixed seed).
std::vector<std::vector<std::size_t>> splits_of(std::string_view input) {
    std::vector<std::vector<std::size_t>> all{{}};
    for (std::size_t i = 1; i < input.size(); ++i) all.push_back({i});
    std::vector<std::size_t> bytes;
    for (std::size_t i = 1; i < input.size(); ++i) bytes.push_back(i);
    all.push_back(bytes);
    std::mt19937 rng(42);
    for (int k = 0; k < 50 && input.size() > 1; ++k) {
        std::vector<std::size_t> cuts;
        std::uniform_int_distribution<std::size_t> at(1, input.size() - 1);
        const int n = static_cast<int>(rng() % 6) + 1;
        for (int j = 0; j < n; ++j) cuts.push_back(at(rng));
        std::sort(cuts.begin(), cuts.end());
        cuts.erase(std::unique(cuts.begin(), cuts.end()), cuts.end());
        all.push_back(cuts);
    }
    return all;
}

/// What one parse produced, to compare across splits.
struct parsed {
    boost::beast::error_code ec;
    bool done = false;
    unsigned status = 0;
    int version = 0;
    std::string body, content_type, retry_after, rest;
    bool close = false, keep_alive = false, interim = false, switching = false, persistent = false;
    framing how = framing::unknown;
    bool operator==(const parsed&) const = default;
};

parsed parse_once(std::string_view input, const std::vector<std::size_t>& cuts, bool eof, std::size_t max_body) {
    response_reader r(max_body);
    const fed f = feed(r, input, cuts, eof);
    parsed p;
    p.ec = f.ec;
    p.done = r.is_done();
    p.status = r.status();
    p.version = r.http_version();
    p.body = r.body();
    p.content_type = r.other_content_type();
    p.retry_after = r.retry_after();
    p.rest = f.rest;
    p.close = r.connection_close();
    p.keep_alive = r.connection_keep_alive();
    p.interim = r.interim();
    p.switching = r.switching_protocols();
    p.persistent = r.persistent();
    p.how = r.body_framing();
    return p;
}

/// Parses `input` under every split; requires that all give the same result, and returns it.
parsed parse(std::string_view input, bool eof = false, std::size_t max_body = 1024 * 1024) {
    const parsed first = parse_once(input, {}, eof, max_body);
    for (const auto& cuts : splits_of(input)) {
        const parsed p = parse_once(input, cuts, eof, max_body);
        INFO("cuts: " << cuts.size() << " first at " << (cuts.empty() ? 0 : cuts.front()));
        REQUIRE(p == first);
    }
    return first;
}

} // namespace

TEST_CASE("response reader: Content-Length response, any split", "[reader]") {
    const auto p = parse("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\n"
                         "Retry-After: 3\r\n\r\n{\"a\":\"xyz\"}");
    CHECK(!p.ec);
    CHECK(p.done);
    CHECK(p.status == 200);
    CHECK(p.version == 11);
    CHECK(p.body == R"({"a":"xyz"})");
    CHECK(p.content_type.empty());
    CHECK(p.retry_after == "3");
    CHECK(p.how == framing::content_length);
    CHECK(p.persistent);
    CHECK_FALSE(p.interim);
    CHECK(p.rest.empty());
}

TEST_CASE("response reader: chunked response with extensions and trailers, any split", "[reader]") {
    const auto p = parse("HTTP/1.1 503 Service Unavailable\r\nTransfer-Encoding: chunked\r\n"
                         "Content-Type: text/html; charset=utf-8\r\n\r\n"
                         "4;ext=1\r\nabcd\r\n3\r\nefg\r\n0\r\nX-Trailer: t\r\n\r\n");
    CHECK(!p.ec);
    CHECK(p.status == 503);
    CHECK(p.body == "abcdefg");
    CHECK(p.content_type == "text/html; charset=utf-8");
    CHECK(p.how == framing::chunked);
    CHECK(p.persistent);
}

TEST_CASE("response reader: bytes after the message are left for the next reader", "[reader]") {
    const auto p = parse("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}HTTP/1.1 200 OK\r\n");
    CHECK(p.body == "{}");
    CHECK(p.rest == "HTTP/1.1 200 OK\r\n");
}

TEST_CASE("response reader: HTTP/1.1 Connection: close is not persistent", "[reader]") {
    const auto p = parse("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\n{}");
    CHECK(p.close);
    CHECK_FALSE(p.persistent);
    // Tokens are case-insensitive, in a list, in any number of fields.
    CHECK_FALSE(parse("HTTP/1.1 200 OK\r\nConnection: foo, CLOSE\r\nContent-Length: 0\r\n\r\n").persistent);
    const auto two = parse("HTTP/1.1 200 OK\r\nConnection: keep-alive\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
    CHECK(two.keep_alive);
    CHECK(two.close);
    CHECK_FALSE(two.persistent);
}

TEST_CASE("response reader: HTTP/1.0 persists only with keep-alive and Content-Length", "[reader]") {
    SECTION("no Connection header") {
        const auto p = parse("HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\n{}");
        CHECK(p.version == 10);
        CHECK(p.body == "{}");
        CHECK_FALSE(p.persistent);
    }
    SECTION("keep-alive and Content-Length") {
        const auto p = parse("HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 2\r\n\r\n{}");
        CHECK(p.keep_alive);
        CHECK(p.how == framing::content_length);
        CHECK(p.persistent);
    }
    SECTION("keep-alive and chunked (RFC 9112 §6.1: faulty framing in 1.0)") {
        const auto p = parse("HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nTransfer-Encoding: chunked\r\n\r\n"
                             "2\r\n{}\r\n0\r\n\r\n");
        CHECK(p.body == "{}");
        CHECK(p.how == framing::chunked);
        CHECK_FALSE(p.persistent);
    }
    SECTION("keep-alive without a length: read until close") {
        const auto p = parse("HTTP/1.0 200 OK\r\nConnection: keep-alive\r\n\r\n{\"x\":1}", true);
        CHECK(!p.ec);
        CHECK(p.done);
        CHECK(p.body == R"({"x":1})");
        CHECK(p.how == framing::until_close);
        CHECK_FALSE(p.persistent);
    }
    SECTION("keep-alive and close") {
        CHECK_FALSE(parse("HTTP/1.0 200 OK\r\nConnection: keep-alive, close\r\nContent-Length: 0\r\n\r\n").persistent);
    }
}

TEST_CASE("response reader: a body without length ends at the close and is not persistent", "[reader]") {
    const std::string bytes = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n{\"a\":1}";
    const auto before_eof = parse(bytes, false);
    CHECK_FALSE(before_eof.done);
    CHECK_FALSE(before_eof.persistent);
    const auto p = parse(bytes, true);
    CHECK(p.done);
    CHECK(p.body == R"({"a":1})");
    CHECK(p.how == framing::until_close);
    CHECK_FALSE(p.persistent);
    // A Transfer-Encoding whose last coding is not chunked is also read until close.
    const auto gz = parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\n\r\nxyz", true);
    CHECK(gz.how == framing::until_close);
    CHECK(gz.body == "xyz");
    CHECK_FALSE(gz.persistent);
}

TEST_CASE("response reader: Content-Length and Transfer-Encoding together are never persistent", "[reader]") {
    // beast refuses Transfer-Encoding after Content-Length...
    const auto refused = parse("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n{}");
    CHECK(refused.ec == http::error::bad_transfer_encoding);
    CHECK_FALSE(refused.persistent);
    // ...but frames by Content-Length when a non-chunked Transfer-Encoding came first.
    response_reader r(1024);
    const auto f = feed(r, "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\nContent-Length: 2\r\n\r\n{}", {});
    CHECK(!f.ec);
    CHECK(r.is_done());
    CHECK(r.framing_conflict());
    CHECK_FALSE(r.persistent());
}

TEST_CASE("response reader: interim responses end at their header, the next reader gets the final one", "[reader]") {
    for (const std::string interim : {"HTTP/1.1 100 Continue\r\n\r\n", "HTTP/1.1 102 Processing\r\n\r\n",
                                      "HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\n",
                                      "HTTP/1.1 199 Whatever\r\nContent-Length: 5\r\n\r\n"}) {
        INFO(interim);
        const std::string final_response = "HTTP/1.1 200 OK\r\nContent-Length: 12\r\n\r\n{\"final\":42}";
        const auto first = parse(interim + final_response);
        CHECK(!first.ec);
        CHECK(first.done);
        CHECK(first.interim);
        CHECK_FALSE(first.switching);
        CHECK_FALSE(first.persistent); // never release on a non-final status
        CHECK(first.body.empty());
        CHECK(first.how == framing::none);
        REQUIRE(first.rest == final_response);
        const auto second = parse(first.rest);
        CHECK(second.status == 200);
        CHECK_FALSE(second.interim);
        CHECK(second.body == R"({"final":42})");
        CHECK(second.persistent);
    }
    // Two interim responses in a row.
    const auto a = parse("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n");
    CHECK(a.status == 100);
    const auto b = parse(a.rest);
    CHECK(b.status == 103);
    const auto c = parse(b.rest);
    CHECK(c.status == 204);
    CHECK(c.how == framing::none);
    CHECK(c.persistent);
    CHECK(c.rest.empty());
}

TEST_CASE("response reader: 101 Switching Protocols is reported, not interim, not persistent", "[reader]") {
    const auto p = parse("HTTP/1.1 101 Switching Protocols\r\nConnection: upgrade\r\nUpgrade: websocket\r\n\r\n");
    CHECK(p.done);
    CHECK(p.status == 101);
    CHECK(p.switching);
    CHECK_FALSE(p.interim);
    CHECK_FALSE(p.persistent);
}

TEST_CASE("response reader: 204 and 304 have no body", "[reader]") {
    const auto p = parse("HTTP/1.1 204 No Content\r\n\r\n");
    CHECK(p.done);
    CHECK(p.how == framing::none);
    CHECK(p.persistent);
    const auto q = parse("HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n");
    CHECK(q.done);
    CHECK(q.body.empty());
    CHECK(q.how == framing::none);
}

TEST_CASE("response reader: the header limit and the body limit are reported apart", "[reader]") {
    STATIC_REQUIRE(response_reader::max_header_bytes == 16 * 1024);
    SECTION("a 100 KB header line") {
        const std::string bytes = "HTTP/1.1 200 OK\r\nX-Big: " + std::string(100 * 1024, 'a') +
                                  "\r\nContent-Length: 2\r\n\r\n{}";
        response_reader r(1024 * 1024);
        const auto f = feed(r, bytes, {100, 4096, 20000, 60000});
        CHECK(f.ec == http::error::header_limit);
        CHECK(r.limit_message(f.ec) == "the response header block exceeds the limit of 16384 bytes");
        CHECK(r.limit_message(f.ec).find("max_response_body") == std::string::npos);
    }
    SECTION("a header block just under the limit is accepted") {
        const std::string head = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nX-Pad: ";
        const std::string bytes = head + std::string(16 * 1024 - head.size() - 4, 'p') + "\r\n\r\n{}";
        response_reader r(1024);
        const auto f = feed(r, bytes, {});
        CHECK(!f.ec);
        CHECK(r.body() == "{}");
    }
    SECTION("a header block one byte over the limit is refused whole and in pieces alike") {
        // Found by the fuzzer (fuzz/regressions/response_reader/header-block-16400-bytes-whole-vs-split):
        // in one put() Beast bounds the fields only, so the status line came on top of 16 KiB.
        const std::string head = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nX-Pad: ";
        const std::string bytes = head + std::string(16 * 1024 - head.size() - 3, 'p') + "\r\n\r\n{}";
        REQUIRE(bytes.size() == 16 * 1024 + 1 + 2);
        for (const std::vector<std::size_t>& cuts : {std::vector<std::size_t>{}, {256, 512, 768}, {16000}, {16384}}) {
            response_reader r(1024);
            const auto f = feed(r, bytes, cuts);
            INFO("cuts: " << cuts.size());
            CHECK(f.ec == http::error::header_limit);
        }
    }
    SECTION("a body over max_response_body (Content-Length)") {
        response_reader r(10);
        CHECK(r.max_body_bytes() == 10);
        const auto f = feed(r, "HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\n01234567890", {});
        CHECK(f.ec == http::error::body_limit);
        CHECK(r.limit_message(f.ec) == "the response body exceeds the limit of 10 bytes (max_response_body)");
    }
    SECTION("a body over max_response_body (chunked)") {
        response_reader r(10);
        const auto f = feed(r, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n6\r\n012345\r\n6\r\n678901\r\n0\r\n\r\n",
                            {50, 60});
        CHECK(f.ec == http::error::body_limit);
        CHECK(r.limit_message(f.ec).find("max_response_body") != std::string::npos);
    }
    SECTION("other errors name no limit") {
        response_reader r(10);
        const auto f = feed(r, "HTTP/1.1 2000 OK\r\n\r\n", {});
        CHECK(f.ec);
        CHECK(r.limit_message(f.ec).empty());
    }
}

TEST_CASE("response reader: other HTTP versions are not persistent", "[reader]") {
    response_reader r(1024);
    const auto f = feed(r, "HTTP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n", {});
    if (!f.ec) { // beast accepts any single digits; either way the connection is not kept
        CHECK(r.http_version() == 20);
        CHECK_FALSE(r.persistent());
    }
    response_reader s(1024);
    CHECK_FALSE(s.persistent()); // nothing read yet
    CHECK(s.body_framing() == framing::unknown);
}
