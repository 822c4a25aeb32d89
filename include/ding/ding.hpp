#pragma once
// Umbrella header of the Ding SDK.

#include <ding/version.hpp>
#include <ding/models.hpp>
#include <ding/error.hpp>
#include <ding/outcome.hpp>
#include <ding/options.hpp>
#include <ding/client.hpp>
