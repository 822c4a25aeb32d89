#pragma once
/// \file
/// The SDK's version, also sent in `User-Agent: ding-cpp/<version>`.

/// Major version: incompatible API changes.
#define DING_VERSION_MAJOR 0
/// Minor version: compatible additions.
#define DING_VERSION_MINOR 1
/// Patch version: fixes.
#define DING_VERSION_PATCH 0
/// "MAJOR.MINOR.PATCH".
#define DING_VERSION_STRING "0.1.0"
