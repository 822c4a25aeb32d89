#pragma once
/// \file
/// ding::outcome<T>: a value or a ding::error, never an exception.

#include <ding/error.hpp>

#include <boost/assert/source_location.hpp>
#include <boost/system/result.hpp>

namespace ding {

/// The result of every operation: `if (r) use(*r); else log(r.error().message());`
/// Built on boost::system::result: `operator bool`, `has_value()`, `*`, `->`, `value()`, `error()`.
/// `value()` on an error throws `ding::bad_outcome_access`; check first to stay exception-free.
template <class T>
using outcome = boost::system::result<T, error>;

/// Thrown only by outcome<T>::value() on an error (the one explicit opt-in to exceptions).
class bad_outcome_access : public boost::system::system_error {
public:
    /// Wraps `e`; what() is e.message().
    explicit bad_outcome_access(const error& e);
    /// The error the outcome held.
    const ding::error& error() const noexcept { return error_; }

private:
    ding::error error_;
};

/// Found by ADL from boost::system::result<T, ding::error>::value().
[[noreturn]] void throw_exception_from_error(const error& e, const boost::source_location& loc);

} // namespace ding
