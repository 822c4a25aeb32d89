// Writing a JSON string literal: the one escaping rule of every encoder (v1 and v2).
// `"` and `\` are escaped, control characters U+0000..U+001F are written as \u00XX, valid UTF-8
// is copied as is, and each byte that is not part of a valid UTF-8 sequence is replaced by
// \ufffd, so the output is always valid JSON whatever the input bytes.
#pragma once

#include <string>
#include <string_view>

namespace ding::detail {

/// Appends `text` as a JSON string literal (with the quotes), escaped as described above.
void append_json_string(std::string_view text, std::string& out);

}  // namespace ding::detail
