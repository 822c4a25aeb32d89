#pragma once
// Umbrella header of the Prelude v2 API (ding::v2). <ding/ding.hpp> keeps v1 as it is; both may
// be included together.

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
