#pragma once
// The one place Catch2 is included: Debian 12 ships Catch2 v2; a move to v3 touches only this file.
#include <catch2/catch.hpp>
