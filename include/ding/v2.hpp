#pragma once
/// \file
/// Umbrella header of the Prelude v2 API (ding::v2): the client, its models and webhooks.
/// <ding/ding.hpp> keeps v1 as it is; both may be included together.

#include <ding/version.hpp>
#include <ding/error.hpp>
#include <ding/outcome.hpp>
#include <ding/options.hpp>
#include <ding/v2/models.hpp>
#include <ding/v2/client.hpp>
#include <ding/v2/notify.hpp>
#include <ding/v2/pager.hpp>
#include <ding/v2/transactional.hpp>
#include <ding/v2/verification_management.hpp>
#include <ding/v2/webhook.hpp>

/// Prelude v2 (Verify, Lookup, Watch): ding::v2::client, the contract's models, typed webhooks
/// and their signature check. Errors, outcome and options are shared with v1 (namespace ding).
namespace ding::v2 {}
