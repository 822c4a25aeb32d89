// Fuzz target: the response reader (src/transport/response_reader.hpp) on raw bytes delivered in
// arbitrary splits, the way the exchange reads them: interim responses are skipped with a fresh
// reader on the bytes left over, until a final response, an error or the end of the input.
//
// Input: byte 0: flags (bit 0: the peer closes after the bytes, bit 1: a 16-byte body limit
// instead of 1 MiB); byte 1: number of cuts n (mod 8); the next n bytes: piece lengths (1..256);
// the rest: the bytes from the server.
//
// Checks: the result does not depend on the splits (compared with one unsplit delivery; see the
// comment at the comparison for the one allowed difference: when an error is detected); a body
// never exceeds the limit; kept header values stay bounded; persistent() only for a complete
// final response; a 1xx never has a body.

#include "fuzz_common.hpp"
#include "transport/response_reader.hpp"

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/error.hpp>

#include <vector>

namespace {

using ding::detail::response_reader;
namespace http = boost::beast::http;

struct outcome {
    boost::beast::error_code ec;
    std::vector<unsigned> statuses; // every response read (interim ones first)
    std::string body, content_type, retry_after;
    bool done = false, persistent = false;
    int version = 0;
    bool operator==(const outcome&) const = default;
};

outcome run(std::string_view bytes, const std::vector<std::size_t>& pieces, bool eof, std::size_t max_body) {
    outcome out;
    std::string pending;
    std::size_t pos = 0, piece = 0;
    // Delivers the next piece (the last one is everything left); false when nothing is left.
    const auto deliver = [&]() -> bool {
        if (pos >= bytes.size()) return false;
        const std::size_t n = piece < pieces.size() ? std::min(pieces[piece], bytes.size() - pos) : bytes.size() - pos;
        ++piece;
        pending.append(bytes.substr(pos, n));
        pos += n;
        return true;
    };
    // Each response consumes at least its status line, so there are at most bytes.size() of them.
    for (std::size_t responses = 0; responses <= bytes.size(); ++responses) {
        response_reader r(max_body);
        bool closed = false;
        // Each round either consumes bytes, delivers a piece, or ends: bounded by the input.
        for (std::size_t guard = 0; guard <= 2 * bytes.size() + 4 && !r.is_done(); ++guard) {
            if (pending.empty() && !deliver()) {
                if (eof && !closed) {
                    closed = true;
                    r.put_eof(out.ec);
                    if (out.ec) return out;
                    continue;
                }
                break;
            }
            boost::beast::error_code ec;
            const std::size_t n = r.put(boost::asio::buffer(pending), ec);
            pending.erase(0, n);
            if (ec == http::error::need_more) {
                if (!deliver()) {
                    if (eof && !closed) {
                        closed = true;
                        r.put_eof(out.ec);
                        if (out.ec) return out;
                        continue;
                    }
                    break;
                }
                continue;
            }
            if (ec) {
                out.ec = ec;
                DING_FUZZ_CHECK(!r.persistent());
                return out;
            }
        }
        if (r.is_header_done()) out.statuses.push_back(r.status());
        DING_FUZZ_CHECK(r.body().size() <= max_body);
        DING_FUZZ_CHECK(r.other_content_type().size() <= 256);
        DING_FUZZ_CHECK(r.retry_after().size() <= 64);
        DING_FUZZ_CHECK(!r.persistent() || (r.is_done() && r.status() >= 200));
        if (r.is_done() && r.status() >= 100 && r.status() < 200) DING_FUZZ_CHECK(r.body().empty());
        if (r.is_done() && r.interim()) continue; // read the next response with a fresh reader
        out.done = r.is_done();
        out.persistent = r.persistent();
        out.version = r.http_version();
        out.body = std::move(r.body());
        out.content_type = std::move(r.other_content_type());
        out.retry_after = std::move(r.retry_after());
        return out;
    }
    return out;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    ding::fuzz::input in(data, size);
    const std::uint8_t flags = in.byte();
    const int cuts = in.byte() % 8;
    std::vector<std::size_t> pieces;
    for (int i = 0; i < cuts; ++i) pieces.push_back(std::size_t{in.byte()} + 1);
    const bool eof = (flags & 1) != 0;
    const std::size_t max_body = (flags & 2) != 0 ? 16 : 1024 * 1024;
    const std::string_view bytes = in.rest();

    const outcome split = run(bytes, pieces, eof, max_body);
    const outcome whole = run(bytes, {}, eof, max_body);
    // Beast parses the start line as soon as it has it in the first buffer, but once it had to
    // wait for more it parses nothing until the whole header block arrived: an error can be seen
    // earlier in one delivery than in the other (the other is then still incomplete). What must
    // never differ: two successful reads, or a success against an error.
    // (Two incomplete reads may also differ in what they parsed so far.)
    const bool agree = (!split.ec && !whole.ec)  ? (split.done || whole.done ? split == whole : true)
                       : (split.ec && whole.ec)  ? true
                       : split.ec                ? !whole.done
                                                 : !split.done;
    if (!agree) {
        for (const outcome* o : {&split, &whole})
            std::fprintf(stderr, "%s: ec '%s' statuses %zu done %d persistent %d body %zu bytes\n",
                         o == &split ? "split" : "whole", o->ec.message().c_str(), o->statuses.size(), o->done,
                         o->persistent, o->body.size());
    }
    DING_FUZZ_CHECK(agree);
    return 0;
}
