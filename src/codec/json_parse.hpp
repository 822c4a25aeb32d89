// Parses a whole JSON text into a Boost.JSON value, with numbers that have a fraction or an
// exponent rounded correctly.
//
// Why not boost::json::parse: Boost.JSON 1.81 converts such numbers with a fast algorithm that
// is sometimes one unit in the last place off (1.3927926388013963e-143 reads as
// 1.3927926388013965e-143), so a decoded amount would not be the value the server wrote and
// would not read back from what the SDK writes. Here every double comes from std::from_chars
// on the number's own text, which rounds to nearest. A number too large for a double is stored
// as an infinity (the decoders refuse it); one too small is stored as a zero of its sign.
// Everything else (limits, errors, allocation through `sp`) is as boost::json::parse.
#pragma once

#include <boost/json/storage_ptr.hpp>
#include <boost/json/value.hpp>

#include <string_view>

namespace ding::detail {

/// The value of `text`, allocated from `sp`; on malformed JSON, sets `ec` and returns null.
/// Throws std::bad_alloc when `sp` cannot allocate (like boost::json::parse).
boost::json::value parse_json(std::string_view text, boost::json::storage_ptr sp, boost::json::error_code& ec);

} // namespace ding::detail
