/*
 * The tests' JSON reader is the library's (protocol/vy_json.h): this header
 * stays so that tests including it keep working.
 */
#ifndef VYTEST_JSON_H
#define VYTEST_JSON_H

#include "protocol/vy_json.h"

#endif
