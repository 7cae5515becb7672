// The precompiled header of every unit-test target (cmake/Precompiled.cmake): the library one
// and GoogleTest.
#pragma once

#include "pch_std.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
