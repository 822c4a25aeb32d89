#pragma once
/// \file
/// Umbrella header of the Ding v1 API (ding::client) and of what both APIs share (error,
/// outcome, options). The Prelude v2 API is <ding/v2.hpp>; both may be included together.

#include <ding/version.hpp>
#include <ding/models.hpp>
#include <ding/error.hpp>
#include <ding/outcome.hpp>
#include <ding/options.hpp>
#include <ding/client.hpp>

/// The ding-cpp SDK: ding::client (Ding v1, retired by the vendor: support ended 2025-11-01,
/// removal in April 2026), ding::v2::client (Prelude v2), and what both share: ding::outcome,
/// ding::error, ding::client_options, ding::call_options. No function of this namespace throws
/// except outcome<T>::value() on an error (ding::bad_outcome_access) and the sandbox's
/// constructors.
namespace ding {}
